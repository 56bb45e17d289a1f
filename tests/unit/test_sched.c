/* sched: days forms, period windows, the day's sessions and the calendar checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "config/cfg.h"
#include "scheduler/lunar.h"
#include "scheduler/sched.h"
#include "tests/unit/tap.h"

#define D(y, m, d) date_from_civil(y, m, d)

static struct cfg *
load(const char *body)
{
	static const char head[] = "version = 1; serial = 5; site = { id = \"xa\"; name = \"Xã\"; };\n";

	return tap_cfg(head, body);
}

static struct cfg_session
session(const char *days)
{
	struct cfg_session s = { .id = (char *)(uintptr_t)"s", .every_weeks = 1 };

	if (cfg_parse_days(days, &s.days) < 0)
		abort();
	return s;
}

static void
nth_weekdays_pick_the_right_days(void)
{
	struct cfg_session s = session("1st mon");

	EXPECT(sched_session_on(&s, D(2026, 11, 2)));	/* first Monday of November 2026 */
	EXPECT(!sched_session_on(&s, D(2026, 11, 9)));
	EXPECT(!sched_session_on(&s, D(2026, 11, 3)));
	s = session("last fri");
	EXPECT(sched_session_on(&s, D(2026, 1, 30)));
	EXPECT(!sched_session_on(&s, D(2026, 1, 23)));
	EXPECT(sched_session_on(&s, D(2026, 7, 31)));
	s = session("5th sun");				/* only in months that have one */
	EXPECT(sched_session_on(&s, D(2026, 3, 29)));
	EXPECT(!sched_session_on(&s, D(2026, 2, 22)));
	s = session("2nd tue, last tue");
	EXPECT(sched_session_on(&s, D(2026, 12, 8)));
	EXPECT(sched_session_on(&s, D(2026, 12, 29)));
	EXPECT(!sched_session_on(&s, D(2026, 12, 15)));
}

static void
every_weeks_counts_from_the_anchor_week_both_ways(void)
{
	struct cfg_session s = session("fri");

	s.every_weeks = 2;
	s.anchor = D(2026, 1, 7);	/* a Wednesday: its week airs */
	EXPECT(sched_session_on(&s, D(2026, 1, 9)));
	EXPECT(!sched_session_on(&s, D(2026, 1, 16)));
	EXPECT(sched_session_on(&s, D(2026, 1, 23)));
	EXPECT(sched_session_on(&s, D(2025, 12, 26)));	/* before the anchor */
	EXPECT(!sched_session_on(&s, D(2026, 1, 2)));
	s.every_weeks = 3;
	EXPECT(sched_session_on(&s, D(2026, 1, 30)));
	EXPECT(!sched_session_on(&s, D(2026, 1, 23)));
}

static void
annual_window_wraps_into_the_next_year_inclusive(void)
{
	struct cfg_period p = { .id = (char *)(uintptr_t)"w" };
	struct sched_window w[8];
	int n;

	cfg_parse_wdate("11-15", &p.from);
	cfg_parse_wdate("02-15", &p.to);
	n = sched_windows(&p, D(2027, 1, 1), D(2027, 12, 31), w, 8);
	EXPECT_INT(n, 2);
	EXPECT_INT(w[0].from, D(2026, 11, 15));
	EXPECT_INT(w[0].to, D(2027, 2, 15));
	EXPECT_INT(w[1].from, D(2027, 11, 15));
	EXPECT_INT(w[1].to, D(2028, 2, 15));
}

static void
lunar_window_uses_the_vietnamese_new_year(void)
{
	struct cfg_period p = { .id = (char *)(uintptr_t)"tet" };
	struct sched_window w[8];
	int n;

	cfg_parse_wdate("lunar 12-15", &p.from);
	cfg_parse_wdate("lunar 01-15", &p.to);
	n = sched_windows(&p, D(2030, 1, 1), D(2030, 12, 31), w, 8);
	EXPECT(n >= 1);
	/* Tết 2030 is 2 February in Vietnam (3 February in China): 01-15 is 16 February */
	EXPECT_INT(w[0].to, D(2030, 2, 16));
	EXPECT_INT(w[0].from, lunar_to_solar(2029, 12, 15, 0));
	/* 2025 has a leap 6th month; "lunar 06-01" is the ordinary one */
	cfg_parse_wdate("lunar 06-01", &p.from);
	cfg_parse_wdate("lunar 06-05", &p.to);
	n = sched_windows(&p, D(2025, 1, 1), D(2025, 12, 31), w, 8);
	EXPECT_INT(n, 1);
	EXPECT_INT(w[0].from, lunar_to_solar(2025, 6, 1, 0));
	EXPECT(w[0].from != lunar_to_solar(2025, 6, 1, 1));
}

static void
lunar_day_30_means_the_months_last_day(void)
{
	struct cfg_period p = { .id = (char *)(uintptr_t)"eve" };
	struct sched_window w[8];
	int n;

	cfg_parse_wdate("lunar 12-30", &p.from);
	cfg_parse_wdate("lunar 12-30", &p.to);
	/* every year, the day before Tết */
	for (int y = 2020; y <= 2035; y++) {
		n = sched_windows(&p, lunar_new_year(y) - 1, lunar_new_year(y) - 1, w, 8);
		EXPECT_INT(n, 1);
		if (n == 1)
			EXPECT_INT(w[0].from, lunar_new_year(y) - 1);
	}
}

static void
period_is_active_on_both_ends_only(void)
{
	struct cfg *c = load("periods = ( { id = \"h\"; from = \"09-01\"; to = \"10-31\"; scale = 1.5; } );");
	struct sched *s;

	EXPECT(c != NULL);
	if (!c)
		return;
	s = sched_new(c, D(2026, 1, 1), D(2026, 12, 31));
	EXPECT(!sched_active(s, &c->periods[0], D(2026, 8, 31)));
	EXPECT(sched_active(s, &c->periods[0], D(2026, 9, 1)));
	EXPECT(sched_active(s, &c->periods[0], D(2026, 10, 31)));
	EXPECT(!sched_active(s, &c->periods[0], D(2026, 11, 1)));
	/* outside the precomputed range too */
	EXPECT(sched_active(s, &c->periods[0], D(2031, 9, 15)));
	sched_free(s);
	cfg_free(c);
}

static const char timetable[] =
    "sessions = ( { id = \"morning\"; days = \"daily\"; start = \"06:00\"; minutes = 15; },\n"
    "             { id = \"evening\"; days = \"mon-sat\"; start = \"17:30\"; minutes = 15; } );\n"
    "periods = ( { id = \"tet\"; name = \"Tết\"; from = \"lunar 12-15\"; to = \"lunar 01-15\"; scale = 2.0;\n"
    "              sessions = ( { id = \"noon\"; days = \"daily\"; start = \"11:00\"; minutes = 10; } ); },\n"
    "            { id = \"harvest\"; from = \"09-01\"; to = \"10-31\"; scale = 1.5; },\n"
    "            { id = \"export\"; from = \"2026-11-15\"; to = \"2027-01-10\"; replace = true;\n"
    "              sessions = ( { id = \"x\"; days = \"daily\"; start = \"07:00\"; minutes = 20; } ); } );\n"
    "exceptions = ( { date = \"2026-09-02\"; sessions = [ ]; },\n"
    "               { date = \"2026-10-10\"; sessions = [ \"noon\" ]; } );\n";

static void
day_sessions_follow_periods_scale_replace_and_exceptions(void)
{
	struct cfg *c = load(timetable);
	struct sched_slot sl[SCHED_MAX_SLOTS];
	struct sched *s;
	int n;

	EXPECT(c != NULL);
	if (!c)
		return;
	s = sched_new(c, D(2026, 1, 1), D(2027, 12, 31));
	/* a plain Sunday: morning only, normal */
	n = sched_day(s, D(2026, 6, 7), sl, SCHED_MAX_SLOTS);
	EXPECT_INT(n, 1);
	EXPECT_STR(sl[0].session->id, "morning");
	EXPECT(sl[0].period == NULL);
	EXPECT_INT(sl[0].length_ms, 15 * 60000);
	/* harvest: scaled 1.5, airings belong to harvest */
	n = sched_day(s, D(2026, 9, 7), sl, SCHED_MAX_SLOTS);
	EXPECT_INT(n, 2);
	EXPECT_INT(sl[0].length_ms, 22 * 60000 + 30000);
	EXPECT(sl[0].period && strcmp(sl[0].period->id, "harvest") == 0);
	/* exception: silent day */
	EXPECT_INT(sched_day(s, D(2026, 9, 2), sl, SCHED_MAX_SLOTS), 0);
	/* exception naming a period session: its own length, its own period */
	n = sched_day(s, D(2026, 10, 10), sl, SCHED_MAX_SLOTS);
	EXPECT_INT(n, 1);
	EXPECT_STR(sl[0].session->id, "noon");
	EXPECT_INT(sl[0].length_ms, 10 * 60000);
	EXPECT(sl[0].period && strcmp(sl[0].period->id, "tet") == 0);
	/* export replaces the normal timetable */
	n = sched_day(s, D(2026, 12, 1), sl, SCHED_MAX_SLOTS);
	EXPECT_INT(n, 1);
	EXPECT_STR(sl[0].session->id, "x");
	/* Tết 2027 (6 February): noon added, everything doubled */
	n = sched_day(s, D(2027, 2, 6), sl, SCHED_MAX_SLOTS);
	EXPECT_INT(n, 3);
	EXPECT_STR(sl[0].session->id, "morning");
	EXPECT_INT(sl[0].length_ms, 30 * 60000);
	EXPECT(sl[0].period && strcmp(sl[0].period->id, "tet") == 0);
	EXPECT_STR(sl[1].session->id, "noon");
	EXPECT_INT(sl[1].length_ms, 20 * 60000);
	sched_free(s);
	cfg_free(c);
}

static void
check_names_both_overlapping_sessions_and_the_first_date(void)
{
	/* 06:00 + 25 min doubled in Tết reaches 06:50 > 06:40 */
	struct cfg *c = load(
	    "sessions = ( { id = \"a\"; days = \"daily\"; start = \"06:00\"; minutes = 25; },\n"
	    "             { id = \"b\"; days = \"sun\"; start = \"06:40\"; minutes = 10; } );\n"
	    "periods = ( { id = \"tet\"; from = \"lunar 12-15\"; to = \"lunar 01-15\"; scale = 2.0; } );\n");
	struct diag d;
	int n;

	EXPECT(c != NULL);
	if (!c)
		return;
	diag_init(&d);
	n = sched_check(c, D(2026, 3, 10), &d);	/* after Tết 2026's window */
	EXPECT_INT(n, 1);
	if (d.n == 1) {
		char want[64];
		int32_t first = lunar_to_solar(2026, 12, 15, 0);
		while (date_weekday(first) != 6)
			first++;
		char day[11];
		date_format(first, day);
		snprintf(want, sizeof(want), "overlap on %s", day);
		/* both are doubled: b runs 06:40-07:00 */
		EXPECT(strstr(d.msg[0], "\"a\" (06:00-06:50) and \"b\" (06:40-07:00)") != NULL);
		EXPECT(strstr(d.msg[0], want) != NULL);
		EXPECT(strncmp(d.msg[0], "t.cfg:3:", 8) == 0);
	}
	diag_free(&d);
	cfg_free(c);
}

static void
check_refuses_quiet_hours_and_midnight(void)
{
	struct cfg *c = load(
	    "quiet_hours = { from = \"21:30\"; to = \"05:00\"; };\n"
	    "sessions = ( { id = \"late\"; days = \"daily\"; start = \"21:20\"; minutes = 15; },\n"
	    "             { id = \"dawn\"; days = \"daily\"; start = \"04:50\"; minutes = 15; },\n"
	    "             { id = \"ok\"; days = \"daily\"; start = \"05:10\"; minutes = 15; } );\n");
	struct cfg *c2 = load("sessions = ( { id = \"night\"; days = \"daily\"; start = \"23:50\"; minutes = 20; } );\n");
	struct diag d;

	EXPECT(c != NULL && c2 != NULL);
	if (!c || !c2)
		return;
	diag_init(&d);
	EXPECT_INT(sched_check(c, D(2026, 1, 1), &d), 2);
	/* in file order: late (line 3), dawn (line 4); "ok" starts at 05:10 and is fine */
	EXPECT(d.n == 2 && strstr(d.msg[0], "\"late\"") && strstr(d.msg[1], "\"dawn\""));
	diag_free(&d);
	diag_init(&d);
	EXPECT_INT(sched_check(c2, D(2026, 1, 1), &d), 1);
	EXPECT(d.n == 1 && strstr(d.msg[0], "past midnight"));
	diag_free(&d);
	cfg_free(c);
	cfg_free(c2);
}

static void
check_accepts_the_examples(void)
{
	const char *files[] = { TOP "/config/examples/cao-bang-hoa-an.cfg", TOP "/config/examples/minimal.cfg" };

	for (int i = 0; i < 2; i++) {
		struct diag d;
		struct cfg *c;
		diag_init(&d);
		c = cfg_load(files[i], &d);
		EXPECT(c != NULL);
		if (c) {
			EXPECT_INT(sched_check(c, D(2026, 1, 1), &d), 0);
			EXPECT_INT(d.n, 0);
		}
		cfg_free(c);
		diag_free(&d);
	}
}

int
main(void)
{
	tap_plan(10);
	TEST(nth_weekdays_pick_the_right_days);
	TEST(every_weeks_counts_from_the_anchor_week_both_ways);
	TEST(annual_window_wraps_into_the_next_year_inclusive);
	TEST(lunar_window_uses_the_vietnamese_new_year);
	TEST(lunar_day_30_means_the_months_last_day);
	TEST(period_is_active_on_both_ends_only);
	TEST(day_sessions_follow_periods_scale_replace_and_exceptions);
	TEST(check_names_both_overlapping_sessions_and_the_first_date);
	TEST(check_refuses_quiet_hours_and_midnight);
	TEST(check_accepts_the_examples);
	return tap_done();
}
