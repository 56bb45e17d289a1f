/*
 * report: the arithmetic, record by record. Every figure is worked out by
 * hand in the comments from the records fed (no loaxa output is trusted):
 * what counts as an airing, what is missed and planned, the plan derived
 * from the config in force, coverage, unverified records, sums of sites.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "config/cfg.h"
#include "report/report.h"
#include "tests/unit/tap.h"

#define D(y, m, d) date_from_civil(y, m, d)

static struct cfg *
load(const char *body)
{
	static const char head[] = "version = 1; serial = 5; site = { id = \"xa\"; name = \"Xã Thử\"; "
	    "province = \"Cao Bằng\"; };\n"
	    "topics = ( { id = \"law\"; name = \"Pháp luật\"; }, { id = \"local\"; name = \"Tin địa phương\"; } );\n";

	return tap_cfg(head, body);
}

/* one timetable: 06:00 daily (10 min), 17:00 on weekdays (10 min); "peak" 2026-03-02..03-03 doubles them */
static const char timetable[] =
    "sessions = ( { id = \"am\"; days = \"daily\"; start = \"06:00\"; minutes = 10; },\n"
    "             { id = \"pm\"; days = \"mon-fri\"; start = \"17:00\"; minutes = 10; } );\n"
    "periods = ( { id = \"peak\"; name = \"Cao điểm\"; from = \"2026-03-02\"; to = \"2026-03-03\"; scale = 2.0; } );\n";

static long long seq;

static void
config(struct rpt *r, const char *ts, const char *sha, const char *body)
{
	struct rpt_rec rec = { .kind = RPT_CONFIG, .seq = ++seq, .verified = 1, .ts = ts, .cfg_sha = sha };

	if (!rpt_has_config(r, sha))
		rec.cfg = load(body);
	rpt_feed(r, &rec);
}

/* an airing of session at slot (same day), starting at start, for ms */
static void
airing(struct rpt *r, const char *session, const char *period, const char *slot, const char *start, long long ms,
    const char *bulletin, const char *topic, const char *outcome, int verified)
{
	struct rpt_rec rec = { .kind = RPT_AIRING, .seq = ++seq, .verified = verified, .ts = start, .session = session,
		.period = period, .scheduled = start, .slot = slot, .start = start, .duration_ms = ms,
		.bulletin = bulletin, .title = "T", .topic = topic, .sha256 = bulletin, .outcome = outcome,
		.reason = strcmp(outcome, "complete") ? "why" : NULL };

	rpt_feed(r, &rec);
}

static void
missed(struct rpt *r, const char *session, const char *slot, const char *bulletin, const char *reason)
{
	struct rpt_rec rec = { .kind = RPT_MISSED, .seq = ++seq, .verified = 1, .ts = slot, .session = session,
		.period = "normal", .scheduled = slot, .slot = slot, .bulletin = bulletin, .title = bulletin ? "T" : NULL,
		.topic = bulletin ? "law" : NULL, .sha256 = bulletin, .reason = reason };

	rpt_feed(r, &rec);
}

static void
other(struct rpt *r, const char *ts)
{
	struct rpt_rec rec = { .kind = RPT_OTHER, .seq = ++seq, .verified = 1, .ts = ts };

	rpt_feed(r, &rec);
}

static const struct rpt_group *
grp(const struct rpt_group *v, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return &v[i];
	return NULL;
}

static void
nothing_fed_gives_zeros_and_every_month(void)
{
	struct rpt *r = rpt_new(D(2026, 1, 1), D(2026, 6, 30));
	const struct rpt_figures *f;

	rpt_finish(r);
	f = rpt_figures(r);
	EXPECT_INT(f->aired.airings, 0);
	EXPECT_INT(f->planned, 0);
	EXPECT_INT(f->plan_known, 0);
	EXPECT_INT(f->cov_from, DATE_NONE);
	EXPECT_INT(f->nmonths, 6);
	EXPECT_STR(f->months[0].id, "2026-01");
	EXPECT_STR(f->months[5].id, "2026-06");
	/* 2026-01-01 is a Thursday: the first week begins Monday 2025-12-29 */
	EXPECT_INT(f->week0, D(2025, 12, 29));
	EXPECT_INT(f->nweeks, 27);
	EXPECT_INT(f->nperiods, 1);
	EXPECT_STR(f->periods[0].id, "normal");
	rpt_free(r);
}

static void
airings_missed_planned_and_emergencies_are_counted_apart(void)
{
	struct rpt *r = rpt_new(D(2026, 3, 1), D(2026, 3, 31));
	const struct rpt_figures *f;
	const struct rpt_group *g;

	seq = 0;
	/* an airing on 28 February lies outside the range (and before the first config) */
	airing(r, "am", "normal", "2026-02-28T06:00:00+07:00", "2026-02-28T06:00:04+07:00", 60000, "z", "law",
	    "complete", 1);
	config(r, "2026-03-01T00:00:00+07:00", "c1", timetable);
	/* Sunday 1 March: am only (pm is mon-fri) */
	airing(r, "am", "normal", "2026-03-01T06:00:00+07:00", "2026-03-01T06:00:04+07:00", 60000, "a", "law",
	    "complete", 1);
	airing(r, "am", "normal", "2026-03-01T06:00:00+07:00", "2026-03-01T06:01:10+07:00", 30000, "b", "local",
	    "interrupted", 1);
	airing(r, "am", "normal", "2026-03-01T06:00:00+07:00", "2026-03-01T06:01:40+07:00", 0, "c", "law",
	    "failed", 1);
	/* an emergency: counted apart, in no other figure */
	airing(r, "emergency", "normal", NULL, "2026-03-01T09:00:00+07:00", 45000, "e", "local", "complete", 1);
	/* Monday 2 March (peak): am aired complete, pm missed (one bulletin), nothing to air on Tuesday's am */
	airing(r, "am", "peak", "2026-03-02T06:00:00+07:00", "2026-03-02T06:00:04+07:00", 120000, "a", "law",
	    "complete", 1);
	missed(r, "pm", "2026-03-02T17:00:00+07:00", "b", "power off");
	missed(r, "am", "2026-03-03T06:00:00+07:00", NULL, "no content");
	other(r, "2026-03-03T18:00:00+07:00");
	rpt_finish(r);
	f = rpt_figures(r);

	/* airings: complete a (60 s) + interrupted b (30 s) on the 1st, complete a (120 s) on the 2nd */
	EXPECT_INT(f->aired.airings, 3);
	EXPECT_INT(f->aired.airtime_ms, 210000);
	EXPECT_INT(f->complete, 2);
	EXPECT_INT(f->interrupted, 1);
	/* not aired: the failed c, the missed b; the no-content session is no bulletin airing */
	EXPECT_INT(f->failed, 1);
	EXPECT_INT(f->missed_records, 1);
	EXPECT_INT(f->missed, 2);
	EXPECT_INT(f->planned, 5);
	EXPECT_INT(f->no_content, 1);
	EXPECT_INT(f->nmisses, 3);
	/* distinct bulletins aired: a, b (c failed, e is an emergency, z outside) */
	EXPECT_INT(f->bulletins, 2);
	EXPECT_INT(f->emergency.airings, 1);
	EXPECT_INT(f->emergency.airtime_ms, 45000);
	EXPECT_INT(f->peak.airings, 1);
	EXPECT_INT(f->peak.airtime_ms, 120000);
	EXPECT_INT(f->normal.airings, 2);
	EXPECT_INT(f->normal.airtime_ms, 90000);
	/* topics in the config's order, with its names */
	EXPECT_INT(f->ntopics, 2);
	EXPECT_STR(f->topics[0].id, "law");
	EXPECT_STR(f->topics[0].name, "Pháp luật");
	EXPECT_INT(f->topics[0].c.airings, 2);
	EXPECT_INT(f->topics[0].c.airtime_ms, 180000);
	EXPECT_INT(f->topics[1].c.airings, 1);
	EXPECT_INT(f->months[0].c.airings, 3);
	EXPECT_STR(f->site_name, "Xã Thử");

	/*
	 * The plan, from the config record at 1 March 00:00 to the last record,
	 * 3 March 18:00: 1 Mar am; 2 Mar am, pm (peak: 20 min); 3 Mar am, and pm
	 * 17:00-17:20 (ends before 18:00). Aired (one complete bulletin): 1 Mar
	 * am, 2 Mar am. 2 Mar pm (missed) and 3 Mar am (no content) have records
	 * but did not air; 3 Mar pm has no record at all.
	 */
	EXPECT_INT(f->plan_known, 1);
	EXPECT_INT(f->planned_sessions, 5);
	EXPECT_INT(f->aired_sessions, 2);
	EXPECT_INT(f->unaccounted_sessions, 1);
	EXPECT_INT(f->unplanned_sessions, 0);
	EXPECT_INT(rpt_pct10(f->aired_sessions, f->planned_sessions), 400);
	g = grp(f->periods, f->nperiods, "peak");
	EXPECT(g != NULL);
	if (g) {
		EXPECT_STR(g->name, "Cao điểm");
		EXPECT_INT(g->planned, 4);
		EXPECT_INT(g->aired, 1);
	}
	g = grp(f->periods, f->nperiods, "normal");
	EXPECT(g != NULL && g == &f->periods[0]);
	if (g) {
		EXPECT_INT(g->planned, 1);
		EXPECT_INT(g->aired, 1);
	}
	EXPECT_INT(f->cov_from, D(2026, 3, 1));
	EXPECT_INT(f->cov_to, D(2026, 3, 3));
	/* the week of 2 March is a peak week; airtime per week by topic */
	EXPECT_INT(f->week_peak[1] > 0, 1);
	EXPECT_INT(f->week_peak[0], 0);
	EXPECT_INT(f->week_topic_ms[0 * f->ntopics + 0], 60000);
	EXPECT_INT(f->week_topic_ms[1 * f->ntopics + 0], 120000);
	rpt_free(r);
}

static void
each_day_takes_the_config_in_force_then(void)
{
	struct rpt *r = rpt_new(D(2026, 5, 4), D(2026, 5, 6));
	const struct rpt_figures *f;

	seq = 0;
	/* Monday 4 May: am, pm under config 1 */
	config(r, "2026-05-04T00:00:00+07:00", "c1", timetable);
	/* at noon on Tuesday 5 May the pm session moves to 18:00 and a noon session starts at 12:30 */
	airing(r, "am", "normal", "2026-05-05T06:00:00+07:00", "2026-05-05T06:00:04+07:00", 1000, "a", "law",
	    "complete", 1);
	config(r, "2026-05-05T12:00:00+07:00", "c2",
	    "sessions = ( { id = \"am\"; days = \"daily\"; start = \"06:00\"; minutes = 10; },\n"
	    "             { id = \"noon\"; days = \"daily\"; start = \"11:30\"; minutes = 10; },\n"
	    "             { id = \"pm\"; days = \"mon-fri\"; start = \"18:00\"; minutes = 10; } );\n");
	/* the 11:30 noon session on 5 May came before config 2: not planned; a record of it is "unplanned" */
	missed(r, "noon", "2026-05-05T11:30:00+07:00", "b", "power off");
	other(r, "2026-05-06T23:00:00+07:00");
	rpt_finish(r);
	f = rpt_figures(r);
	/* 4 May: am, pm (config 1); 5 May: am (config 1, before noon), pm 18:00 (config 2); 6 May: am, noon, pm */
	EXPECT_INT(f->planned_sessions, 7);
	EXPECT_INT(f->aired_sessions, 1);
	EXPECT_INT(f->unaccounted_sessions, 6);
	EXPECT_INT(f->unplanned_sessions, 1);
	rpt_free(r);
}

static void
the_plan_starts_at_the_first_config_and_ends_with_the_log(void)
{
	struct rpt *r = rpt_new(D(2026, 5, 1), D(2026, 5, 31));
	const struct rpt_figures *f;

	seq = 0;
	/* a board installed at 10:00 on Monday 4 May: its 06:00 session that day was never its to air */
	other(r, "2026-05-04T10:00:00+07:00");
	config(r, "2026-05-04T10:00:00+07:00", "c1", timetable);
	/* its last record: 5 May 17:05, in the middle of the pm session (17:00-17:10) */
	airing(r, "pm", "normal", "2026-05-05T17:00:00+07:00", "2026-05-05T17:00:04+07:00", 1000, "a", "law",
	    "complete", 1);
	rpt_finish(r);
	f = rpt_figures(r);
	/* 4 May pm; 5 May am; 5 May pm has a record, so it counts although it ends after the log */
	EXPECT_INT(f->planned_sessions, 3);
	EXPECT_INT(f->aired_sessions, 1);
	EXPECT_INT(f->unaccounted_sessions, 2);
	EXPECT_INT(f->cov_from, D(2026, 5, 4));
	EXPECT_INT(f->cov_to, D(2026, 5, 5));
	rpt_free(r);
}

static void
times_written_with_an_untrusted_clock_are_not_used(void)
{
	struct rpt *r = rpt_new(D(2026, 5, 1), D(2026, 5, 31));
	const struct rpt_figures *f;
	struct rpt_rec rec = { .kind = RPT_CONFIG, .verified = 1, .unsynced = 1 };

	seq = 0;
	/* a board without a clock boots on 1 January 2000 and logs its config so */
	rec.seq = ++seq;
	rec.ts = "2000-01-01T00:00:05+07:00";
	rec.cfg_sha = "c1";
	rec.cfg = load(timetable);
	rpt_feed(r, &rec);
	/* an unsynced record dated 2037 says nothing about how far the log goes */
	memset(&rec, 0, sizeof(rec));
	rec.kind = RPT_OTHER, rec.seq = ++seq, rec.verified = 1, rec.unsynced = 1;
	rec.ts = "2037-06-01T00:00:00+07:00";
	rpt_feed(r, &rec);
	/* the clock is trusted at 10:00 on Monday 4 May: the config is in force from then */
	other(r, "2026-05-04T10:00:00+07:00");
	other(r, "2026-05-05T12:00:00+07:00");
	rpt_finish(r);
	f = rpt_figures(r);
	/* 4 May pm (17:00 is after 10:00), 5 May am; 5 May pm is after the log's last trusted time */
	EXPECT_INT(f->planned_sessions, 2);
	EXPECT_INT(f->cov_from, D(2026, 5, 4));
	EXPECT_INT(f->cov_to, D(2026, 5, 5));
	rpt_free(r);
}

static void
an_unsynced_clock_counts_when_the_config_says_trust_it(void)
{
	struct rpt *r = rpt_new(D(2026, 5, 1), D(2026, 5, 31));
	const struct rpt_figures *f;
	struct rpt_rec rec = { .kind = RPT_CONFIG, .verified = 1, .unsynced = 1 };
	char body[1024];

	seq = 0;
	/* a board told to trust its clock (require_sync = false), never synchronised */
	snprintf(body, sizeof(body), "time = { require_sync = false; };\n%s", timetable);
	rec.seq = ++seq;
	rec.ts = "2026-05-04T05:00:00+07:00";
	rec.cfg_sha = "c1";
	rec.cfg = load(body);
	rpt_feed(r, &rec);
	memset(&rec, 0, sizeof(rec));
	rec.kind = RPT_OTHER, rec.seq = ++seq, rec.verified = 1, rec.unsynced = 1;
	rec.ts = "2026-05-05T12:00:00+07:00";
	rpt_feed(r, &rec);
	rpt_finish(r);
	f = rpt_figures(r);
	/* 4 May am and pm, 5 May am: its times are taken, as the office chose */
	EXPECT_INT(f->planned_sessions, 3);
	EXPECT_INT(f->cov_from, D(2026, 5, 4));
	rpt_free(r);
}

static void
records_after_a_fault_are_counted_and_counted_apart(void)
{
	struct rpt *r = rpt_new(D(2026, 3, 1), D(2026, 3, 31));
	const struct rpt_figures *f;

	seq = 0;
	config(r, "2026-03-01T00:00:00+07:00", "c1", timetable);
	airing(r, "am", "normal", "2026-03-01T06:00:00+07:00", "2026-03-01T06:00:04+07:00", 1000, "a", "law",
	    "complete", 1);
	airing(r, "am", "normal", "2026-03-05T06:00:00+07:00", "2026-03-05T06:00:04+07:00", 2000, "a", "law",
	    "complete", 0);
	airing(r, "am", "normal", "2026-03-07T06:00:00+07:00", "2026-03-07T06:00:04+07:00", 4000, "b", "law",
	    "complete", 0);
	/* a record repeated after the fault (same seq) is counted once */
	{
		struct rpt_rec rec = { .kind = RPT_AIRING, .seq = seq, .verified = 0, .ts = "2026-03-07T06:00:04+07:00",
			.session = "am", .period = "normal", .slot = "2026-03-07T06:00:00+07:00",
			.start = "2026-03-07T06:00:04+07:00", .duration_ms = 4000, .bulletin = "b", .topic = "law",
			.sha256 = "b", .outcome = "complete" };
		rpt_feed(r, &rec);
	}
	rpt_finish(r);
	f = rpt_figures(r);
	EXPECT_INT(f->aired.airings, 3);
	EXPECT_INT(f->aired.airtime_ms, 7000);
	EXPECT_INT(f->duplicates, 1);
	EXPECT_INT(f->unverified.records, 2);
	EXPECT_INT(f->unverified.first_seq, 3);
	EXPECT_INT(f->unverified.c.airings, 2);
	EXPECT_INT(f->unverified.c.airtime_ms, 6000);
	EXPECT_INT(f->unverified.first_day, D(2026, 3, 5));
	EXPECT_INT(f->unverified.last_day, D(2026, 3, 7));
	rpt_free(r);
}

static void
bulletins_are_told_apart_by_their_audio(void)
{
	struct rpt *r = rpt_new(D(2026, 3, 1), D(2026, 3, 31));
	struct rpt_rec rec = { .kind = RPT_AIRING, .verified = 1, .session = "am", .period = "normal",
		.slot = "2026-03-01T06:00:00+07:00", .start = "2026-03-01T06:00:04+07:00", .duration_ms = 1,
		.topic = "law", .outcome = "complete" };

	/* the same audio under two ids is one bulletin; a new audio under an old id is another */
	rec.seq = 1, rec.bulletin = "x", rec.sha256 = "s1";
	rpt_feed(r, &rec);
	rec.seq = 2, rec.bulletin = "y", rec.sha256 = "s1";
	rpt_feed(r, &rec);
	rec.seq = 3, rec.bulletin = "x", rec.sha256 = "s2";
	rpt_feed(r, &rec);
	rec.seq = 4, rec.bulletin = "z", rec.sha256 = NULL;	/* no hash: its id */
	rpt_feed(r, &rec);
	rpt_finish(r);
	EXPECT_INT(rpt_figures(r)->bulletins, 3);
	rpt_free(r);
}

static void
sites_add_up(void)
{
	struct rpt *a = rpt_new(D(2026, 3, 1), D(2026, 3, 31)), *b = rpt_new(D(2026, 3, 1), D(2026, 3, 31));
	struct rpt_figures t;
	const struct rpt_group *g;

	seq = 0;
	config(a, "2026-03-01T00:00:00+07:00", "c1", timetable);
	airing(a, "am", "normal", "2026-03-01T06:00:00+07:00", "2026-03-01T06:00:04+07:00", 1000, "a", "law",
	    "complete", 1);
	seq = 0;
	/* site b has a topic a does not know, and shares bulletin a */
	airing(b, "am", "normal", "2026-03-09T06:00:00+07:00", "2026-03-09T06:00:04+07:00", 2000, "a", "law",
	    "complete", 1);
	airing(b, "am", "normal", "2026-03-09T06:00:00+07:00", "2026-03-09T06:02:04+07:00", 3000, "k", "markets",
	    "complete", 1);
	missed(b, "pm", "2026-03-09T17:00:00+07:00", "m", "no audio device");
	rpt_finish(a);
	rpt_finish(b);
	rpt_sum_init(&t, D(2026, 3, 1), D(2026, 3, 31));
	rpt_sum(&t, rpt_figures(a));
	rpt_sum(&t, rpt_figures(b));
	EXPECT_INT(t.aired.airings, 3);
	EXPECT_INT(t.aired.airtime_ms, 6000);
	EXPECT_INT(t.missed, 1);
	EXPECT_INT(t.planned, 4);
	EXPECT_INT(t.bulletins, 2);	/* a (both sites) and k */
	g = grp(t.topics, t.ntopics, "law");
	EXPECT(g != NULL && g->c.airings == 2 && g->c.airtime_ms == 3000);
	g = grp(t.topics, t.ntopics, "markets");
	EXPECT(g != NULL && g->c.airings == 1);
	EXPECT_INT(t.months[0].c.airings, 3);
	/* week of 23 Feb (1 March) and week of 9 March, by topic, after the widening for "markets" */
	{
		long long law = 0, markets = 0;
		int il = (int)(grp(t.topics, t.ntopics, "law") - t.topics);
		int im = (int)(grp(t.topics, t.ntopics, "markets") - t.topics);
		for (int w = 0; w < t.nweeks; w++) {
			law += t.week_topic_ms[w * t.ntopics + il];
			markets += t.week_topic_ms[w * t.ntopics + im];
		}
		EXPECT_INT(law, 3000);
		EXPECT_INT(markets, 3000);
		EXPECT_INT(t.week_topic_ms[2 * t.ntopics + im], 3000);
	}
	/* b has no config: the total's plan is not fully known */
	EXPECT_INT(t.plan_known, 0);
	rpt_sum_free(&t);
	rpt_free(a);
	rpt_free(b);
}

static void
percentages_round_half_up_in_tenths(void)
{
	EXPECT_INT(rpt_pct10(2, 3), 667);
	EXPECT_INT(rpt_pct10(1, 8), 125);
	EXPECT_INT(rpt_pct10(1, 16), 63);	/* 6.25 -> 6.3 */
	EXPECT_INT(rpt_pct10(7, 7), 1000);
	EXPECT_INT(rpt_pct10(0, 0), -1);
}

/* relays: their own airtime, their slots in the sessions' compliance, fallback bulletins as airings */
static void
relays_are_counted_apart_and_their_slots_in_compliance(void)
{
	static const char relays[] =
	    "sessions = ( { id = \"am\"; days = \"daily\"; start = \"06:00\"; minutes = 10; } );\n"
	    "relays = ( { id = \"vov1\"; name = \"VOV1\"; url = \"http://x.vn/a\"; days = \"daily\"; start = \"07:00\";"
	    " minutes = 30; } );\n";
	struct rpt *r = rpt_new(D(2026, 3, 2), D(2026, 3, 2));
	const struct rpt_figures *f;
	const struct rpt_group *g;
	struct rpt_rec rec = { .kind = RPT_RELAY, .verified = 1, .session = "vov1", .period = "normal",
		.slot = "2026-03-02T07:00:00+07:00", .start = "2026-03-02T07:00:00+07:00", .outcome = "partial",
		.ts = "2026-03-02T07:30:00+07:00", .heard_ms = 1500000, .fallback_ms = 240000, .dropouts = 2 };

	seq = 0;
	config(r, "2026-03-02T00:00:00+07:00", "r1", relays);
	airing(r, "am", "normal", "2026-03-02T06:00:00+07:00", "2026-03-02T06:00:00+07:00", 60000, "a", "law",
	    "complete", 1);
	/* the relay: 25 min heard, 2 dropouts, a 4-min fallback bulletin in it */
	airing(r, "vov1", "normal", "2026-03-02T07:00:00+07:00", "2026-03-02T07:10:00+07:00", 240000, "b", "local",
	    "complete", 1);
	rec.seq = ++seq;
	rpt_feed(r, &rec);
	other(r, "2026-03-02T23:59:00+07:00");
	rpt_finish(r);
	f = rpt_figures(r);
	/* bulletins: the session's and the fallback's; the relayed stream is in no bulletin figure */
	EXPECT_INT(f->aired.airings, 2);
	EXPECT_INT(f->aired.airtime_ms, 300000);
	EXPECT_INT(f->relayed.airings, 1);
	EXPECT_INT(f->relayed.airtime_ms, 1500000);
	EXPECT_INT(f->relay_fallback_ms, 240000);
	EXPECT_INT(f->relay_dropouts, 2);
	EXPECT_INT(f->relay_failed, 0);
	/* two slots planned (am, vov1), both aired */
	EXPECT_INT(f->planned_sessions, 2);
	EXPECT_INT(f->aired_sessions, 2);
	EXPECT((g = grp(f->relays, f->nrelays, "vov1")) != NULL);
	if (g) {
		EXPECT_INT(g->planned, 1);
		EXPECT_INT(g->aired, 1);
		EXPECT_STR(g->name, "VOV1");
	}
	rpt_free(r);

	/* a relay where nothing was heard and no fallback aired: planned, not aired */
	r = rpt_new(D(2026, 3, 2), D(2026, 3, 2));
	seq = 0;
	config(r, "2026-03-02T00:00:00+07:00", "r1", relays);
	rec.seq = ++seq;
	rec.heard_ms = 0;
	rec.fallback_ms = 0;
	rec.outcome = "failed";
	rpt_feed(r, &rec);
	other(r, "2026-03-02T23:59:00+07:00");
	rpt_finish(r);
	f = rpt_figures(r);
	EXPECT_INT(f->relay_failed, 1);
	EXPECT_INT(f->relayed.airtime_ms, 0);
	EXPECT((g = grp(f->relays, f->nrelays, "vov1")) != NULL);
	if (g) {
		EXPECT_INT(g->planned, 1);
		EXPECT_INT(g->aired, 0);
	}
	/* am: no record at all (unaccounted); vov1: a record, not aired */
	EXPECT_INT(f->planned_sessions, 2);
	EXPECT_INT(f->aired_sessions, 0);
	rpt_free(r);
}

static void
local_times_are_read_as_written(void)
{
	int32_t d;
	long ms;

	EXPECT_INT(rpt_parse_local("2026-03-02T06:00:04+07:00", &d, &ms), 0);
	EXPECT_INT(d, D(2026, 3, 2));
	EXPECT_INT(ms, 21604000);
	/* the offset is not applied: 23:30 at +07:00 is that local day */
	EXPECT_INT(rpt_parse_local("2026-03-02T23:30:00-05:00", &d, &ms), 0);
	EXPECT_INT(d, D(2026, 3, 2));
	EXPECT_INT(rpt_parse_local("2026-02-30T06:00:00+07:00", &d, &ms), -1);
	EXPECT_INT(rpt_parse_local("2026-03-02 06:00", &d, &ms), -1);
	EXPECT_INT(rpt_parse_local(NULL, &d, &ms), -1);
}

int
main(void)
{
	tap_plan(12);
	TEST(nothing_fed_gives_zeros_and_every_month);
	TEST(airings_missed_planned_and_emergencies_are_counted_apart);
	TEST(each_day_takes_the_config_in_force_then);
	TEST(the_plan_starts_at_the_first_config_and_ends_with_the_log);
	TEST(times_written_with_an_untrusted_clock_are_not_used);
	TEST(an_unsynced_clock_counts_when_the_config_says_trust_it);
	TEST(records_after_a_fault_are_counted_and_counted_apart);
	TEST(bulletins_are_told_apart_by_their_audio);
	TEST(sites_add_up);
	TEST(percentages_round_half_up_in_tenths);
	TEST(local_times_are_read_as_written);
	TEST(relays_are_counted_apart_and_their_slots_in_compliance);
	return tap_done();
}
