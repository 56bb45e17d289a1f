/*
 * render: see render.h. Every format shows the same figures; the definitions
 * the notes give are report.h's (and README.md's "Reports"). One piece
 * because the five formats share the labels, the notes and the order of the
 * figures, which must not drift apart.
 *
 *   text     sections 1-6 and the notes; for several sites, a table of the
 *            sites first and the totals after
 *   csv      one row per figure (the README gives the columns)
 *   json     the design's keys, then extras
 *   html     one self-contained page for A4: inline CSS, an inline SVG
 *            chart (airtime per week stacked by content group, peak periods
 *            shaded), no script, nothing fetched
 *   logbook  the weekly broadcast log book: per ISO week, each airing and
 *            each planned airing that did not air
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/csv.h"
#include "base/date.h"
#include "base/translate.h"
#include "report/render.h"

#define NUMLEN	32

static int vi;	/* number and date forms: set by render_write */

/* --- numbers, times, dates ------------------------------------------------ */

/* 1234567 -> "1.234.567" (vi) or "1,234,567" */
static const char *
num(char *buf, long long n)
{
	char tmp[NUMLEN];
	int len, k = 0, neg = n < 0;
	unsigned long long u = neg ? 0ULL - (unsigned long long)n : (unsigned long long)n;

	len = snprintf(tmp, sizeof(tmp), "%llu", u);
	if (neg)
		buf[k++] = '-';
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[k++] = vi ? '.' : ',';
		buf[k++] = tmp[i];
	}
	buf[k] = '\0';
	return buf;
}

/* airtime: "12 giờ 05 phút" / "12 h 05 min", rounded to the minute */
static const char *
hm(char *buf, long long ms)
{
	long long min = (ms + 30000) / 60000;
	char h[NUMLEN];

	snprintf(buf, 64, _("%s h %02lld min"), num(h, min / 60), min % 60);
	return buf;
}

/* a percentage in tenths: "98,6 %" / "98.6 %"; "–" when there is no whole */
static const char *
pct(char *buf, long p10)
{
	if (p10 < 0)
		snprintf(buf, NUMLEN, "–");
	else
		snprintf(buf, NUMLEN, "%ld%c%ld %%", p10 / 10, vi ? ',' : '.', p10 % 10);
	return buf;
}

static const char *
day_text(char *buf, int32_t day)
{
	int y, m, d;

	if (day == DATE_NONE) {
		snprintf(buf, 16, "–");
		return buf;
	}
	date_to_civil(day, &y, &m, &d);
	if (vi)
		snprintf(buf, 16, "%02d/%02d/%04d", d, m, y);
	else
		snprintf(buf, 16, "%04d-%02d-%02d", y, m, d);
	return buf;
}

static const char *
iso_day(char *buf, int32_t day)
{
	if (day == DATE_NONE)
		return NULL;
	date_format(day, buf);
	return buf;
}

/* a log time "2026-03-02T06:00:04+07:00" as the reader's "02/03/2026 06:00" */
static const char *
when_text(char *buf, const char *ts)
{
	int32_t day;
	long ms;
	char d[16];

	if (rpt_parse_local(ts, &day, &ms) < 0) {
		snprintf(buf, 32, "%s", ts ? ts : "");
		return buf;
	}
	snprintf(buf, 32, "%s %02ld:%02ld", day_text(d, day), ms / 3600000, ms / 60000 % 60);
	return buf;
}

static const char *
month_text(char *buf, const char *id)
{
	if (vi && strlen(id) == 7)
		snprintf(buf, 16, "%.2s/%.4s", id + 5, id);
	else
		snprintf(buf, 16, "%s", id);
	return buf;
}

static long long
secs(long long ms)
{
	return (ms + 500) / 1000;
}

static void
iso_week(int32_t day, int *wy, int *wn)
{
	int32_t thu = day - date_weekday(day) + 3;
	int y, m, d;

	date_to_civil(thu, &y, &m, &d);
	*wy = y;
	*wn = (thu - date_from_civil(y, 1, 1)) / 7 + 1;
}

static const char *
weekday_text(int32_t day)
{
	static const char *const en[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *const v[] = { "T2", "T3", "T4", "T5", "T6", "T7", "CN" };

	return vi ? v[date_weekday(day)] : en[date_weekday(day)];
}

/* what the report covers: "the first half of 2026 (01/01/2026 – 30/06/2026)" */
static void
range_text(char *buf, size_t len, const struct render *rp)
{
	char a[16], b[16];

	day_text(a, rp->from);
	day_text(b, rp->to);
	if (rp->half == 1)
		snprintf(buf, len, _("first half of %d (%s – %s)"), rp->year, a, b);
	else if (rp->half == 2)
		snprintf(buf, len, _("second half of %d (%s – %s)"), rp->year, a, b);
	else if (rp->year)
		snprintf(buf, len, _("year %d (%s – %s)"), rp->year, a, b);
	else
		snprintf(buf, len, "%s – %s", a, b);
}

/* --- names ------------------------------------------------------------------ */

static const char *
site_id(const struct render_site *s)
{
	if (s->f && s->f->site)
		return s->f->site;
	return s->site_id[0] ? s->site_id : s->dir;
}

static const char *
site_name(const struct render_site *s)
{
	return s->f && s->f->site_name ? s->f->site_name : site_id(s);
}

static const char *
group_name(const struct rpt_group *g, int period)
{
	if (period && strcmp(g->id, "normal") == 0)
		return _("Normal times (no peak period)");
	if (!period && *g->id == '\0')
		return _("(no topic)");
	return g->name ? g->name : g->id;
}

/* --- integrity ---------------------------------------------------------------- */

/* the first fault, placed: "record 1234 (2026-03-02.jsonl line 17): what" */
static void
fault_text(char *buf, size_t len, const struct airlog_fault *f)
{
	if (f->line > 0)
		snprintf(buf, len, _("record %lld (%s line %ld): %s"), f->seq, f->file, f->line, f->what);
	else if (f->file[0])
		snprintf(buf, len, _("record %lld (%s): %s"), f->seq, f->file, f->what);
	else
		snprintf(buf, len, _("record %lld: %s"), f->seq, f->what);
}

/* the design's `integrity`: "ok" or the first fault */
static void
integrity_key(char *buf, size_t len, const struct render *rp, const struct render_site *s)
{
	if (s->rc < 0)
		snprintf(buf, len, "%s: %s", "unreadable", s->fault.what);
	else if (!rp->verify)
		snprintf(buf, len, "not verified");
	else if (s->rc == 0)
		snprintf(buf, len, "ok");
	else	/* in the report's language, as the verifier worded it */
		fault_text(buf, len, &s->fault);
}

/* one short word for tables */
static const char *
integrity_word(const struct render *rp, const struct render_site *s)
{
	if (s->rc < 0)
		return _("UNREADABLE");
	if (!rp->verify)
		return _("not verified");
	return s->rc == 0 ? _("intact") : _("FAULT");
}

/* the lines a person reads about the log's integrity */
static int
integrity_lines(const struct render *rp, const struct render_site *s, char lines[][768], int max)
{
	int n = 0;
	char a[NUMLEN], b[NUMLEN], c[64], d1[16], d2[16], t[512];
	const struct rpt_figures *f = s->f;

	if (s->rc < 0) {
		snprintf(lines[n++], 768, _("The airing log cannot be read: %s"), s->fault.what);
		return n;
	}
	if (!rp->verify) {
		snprintf(lines[n++], 768, "%s", _("The airing log was NOT verified (--no-verify): its figures are as the "
		    "files say."));
		return n;
	}
	if (s->rc == 0) {
		if (s->st.records == 0)
			snprintf(lines[n++], 768, "%s", _("The airing log is intact: it has no records yet."));
		else
			snprintf(lines[n++], 768, _("The airing log is intact: records %s to %s, chain and seals checked "
			    "(%lld seals)."), num(a, s->st.first_seq), num(b, s->st.last_seq), s->st.seals);
	} else {
		fault_text(t, sizeof(t), &s->fault);
		snprintf(lines[n++], 768, _("THE AIRING LOG HAS A FAULT at %s"), t);
	}
	if (n < max)
		snprintf(lines[n++], 768, "%s", s->st.macs_checked ? _("MACs checked with the sealing seed.") :
		    _("MACs not checked (no --seed): an edit made with the board's keys would not show."));
	if (n < max && s->checkpoint)
		snprintf(lines[n++], 768, "%s", s->st.checkpoint_ok ? _("The checkpoint given is in the log: no record "
		    "was cut from its end.") : _("The checkpoint given does not match the log (see the fault above)."));
	if (n < max && s->rc > 0 && f && f->unverified.records > 0)
		snprintf(lines[n++], 768, _("Not verified, from record %lld on (%s to %s): %s airings (%s) and %lld "
		    "not aired in this period. They are counted below and marked [unverified]."),
		    f->unverified.first_seq, day_text(d1, f->unverified.first_day), day_text(d2, f->unverified.last_day),
		    num(a, f->unverified.c.airings), hm(c, f->unverified.c.airtime_ms), f->unverified.missed);
	else if (n < max && s->rc > 0)
		snprintf(lines[n++], 768, "%s", _("No record of this period comes after the fault."));
	if (n < max && s->st.unreadable > 0)
		snprintf(lines[n++], 768, _("%lld lines are not records and were skipped."), s->st.unreadable);
	if (n < max && f && f->duplicates > 0)
		snprintf(lines[n++], 768, _("%lld records repeat an earlier record number and were counted once."),
		    f->duplicates);
	if (n < max && s->st.torn > 0)
		snprintf(lines[n++], 768, _("Note: %ld torn write(s), acknowledged by the board; the first: %s"),
		    s->st.torn, s->st.torn_note);
	return n;
}

static void
coverage_line(char *buf, size_t len, const struct rpt_figures *f)
{
	char a[16], b[16];

	if (f->cov_from == DATE_NONE)
		snprintf(buf, len, "%s", _("The log has no records in this period."));
	else if (f->cov_from == f->from && f->cov_to == f->to)
		snprintf(buf, len, "%s", _("The log covers the whole period."));
	else
		snprintf(buf, len, _("The log covers %s to %s of this period; the plan is counted only there."),
		    day_text(a, f->cov_from), day_text(b, f->cov_to));
}

/* --- text tables -------------------------------------------------------------- */

/* columns on screen: code points, combining marks (U+0300..U+036F) take none */
static int
width(const char *s)
{
	int w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		if (p[0] == 0xcc || (p[0] == 0xcd && p[1] < 0xb0))
			continue;	/* U+0300..U+036F */
		w++;
	}
	return w;
}

#define TBL_COLS 10
struct tbl {
	int		 ncol;
	char		 align[TBL_COLS];	/* 'l' or 'r' */
	char		*(*row)[TBL_COLS];
	int		 n;
};

static void
tbl_init(struct tbl *t, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->ncol = (int)strlen(align);
	memcpy(t->align, align, (size_t)t->ncol);
}

static void
tbl_add(struct tbl *t, ...)
{
	va_list ap;

	t->row = realloc(t->row, (size_t)(t->n + 1) * sizeof(*t->row));
	if (t->row == NULL)
		abort();
	va_start(ap, t);
	for (int i = 0; i < t->ncol; i++) {
		const char *s = va_arg(ap, const char *);
		t->row[t->n][i] = strdup(s ? s : "");
	}
	va_end(ap);
	t->n++;
}

/* the first row is the header, underlined */
static void
tbl_print(FILE *fp, struct tbl *t, int indent)
{
	int w[TBL_COLS] = { 0 };

	for (int r = 0; r < t->n; r++)
		for (int c = 0; c < t->ncol; c++)
			if (width(t->row[r][c]) > w[c])
				w[c] = width(t->row[r][c]);
	for (int r = 0; r < t->n; r++) {
		int line = 0;
		fprintf(fp, "%*s", indent, "");
		for (int c = 0; c < t->ncol; c++) {
			int pad = w[c] - width(t->row[r][c]);
			const char *sep = c + 1 < t->ncol ? "  " : "";
			if (t->align[c] == 'r')
				fprintf(fp, "%*s%s%s", pad, "", t->row[r][c], sep);
			else if (c + 1 < t->ncol)
				fprintf(fp, "%s%*s%s", t->row[r][c], pad, "", sep);
			else
				fprintf(fp, "%s", t->row[r][c]);
			line += w[c] + (int)strlen(sep);
		}
		fputc('\n', fp);
		if (r == 0) {
			fprintf(fp, "%*s", indent, "");
			for (int i = 0; i < line; i++)
				fputs("-", fp);
			fputc('\n', fp);
		}
	}
	for (int r = 0; r < t->n; r++)
		for (int c = 0; c < t->ncol; c++)
			free(t->row[r][c]);
	free(t->row);
	t->row = NULL;
	t->n = 0;
}

/* "label ........ value" lines of a summary */
static void
kv(FILE *fp, const char *label, const char *fmt, ...)
{
	va_list ap;
	int pad = 53 - width(label);

	fprintf(fp, "  %s%*s", label, pad > 1 ? pad : 1, "");
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
}

/* --- text --------------------------------------------------------------------- */

static void
text_summary(FILE *fp, const struct rpt_figures *f)
{
	char a[NUMLEN], b[64], c[NUMLEN], d[NUMLEN];

	fprintf(fp, "\n%s\n", _("1. Summary"));
	kv(fp, _("Airings (broadcasts)"), "%s", num(a, f->aired.airings));
	kv(fp, _("Airtime"), "%s", hm(b, f->aired.airtime_ms));
	kv(fp, _("Bulletins aired (distinct)"), "%s", num(a, f->bulletins));
	kv(fp, _("In peak periods"), _("%s airings, %s (%s of airtime)"), num(a, f->peak.airings),
	    hm(b, f->peak.airtime_ms), pct(c, rpt_pct10(f->peak.airtime_ms, f->aired.airtime_ms)));
	kv(fp, _("In normal times"), _("%s airings, %s"), num(a, f->normal.airings), hm(b, f->normal.airtime_ms));
	kv(fp, _("Emergency broadcasts (counted apart)"), _("%s airings, %s; %s not aired"),
	    num(a, f->emergency.airings), hm(b, f->emergency.airtime_ms), num(d, f->emergency_failed));
	if (f->live.airings > 0)
		kv(fp, _("Live announcements (counted apart)"), _("%s, %s"), num(a, f->live.airings),
		    hm(b, f->live.airtime_ms));

	fprintf(fp, "\n%s\n", _("2. Plan and compliance"));
	if (!f->plan_known) {
		fprintf(fp, "  %s\n", _("The log holds no config the plan can be derived from: sessions are not "
		    "counted."));
	} else {
		kv(fp, _("Sessions planned"), "%s", num(a, f->planned_sessions));
		kv(fp, _("Sessions aired"), "%s", num(a, f->aired_sessions));
		kv(fp, _("Compliance (sessions aired / planned)"), "%s", pct(c, rpt_pct10(f->aired_sessions,
		    f->planned_sessions)));
		kv(fp, _("Sessions planned with no record in the log"), "%s", num(a, f->unaccounted_sessions));
		if (f->unplanned_sessions > 0)
			kv(fp, _("Sessions in the log the plan does not have"), "%s", num(a, f->unplanned_sessions));
	}
	kv(fp, _("Bulletin airings planned"), "%s", num(a, f->planned));
	kv(fp, _("Aired complete"), "%s (%s)", num(a, f->complete), pct(c, rpt_pct10(f->complete, f->planned)));
	kv(fp, _("Aired, interrupted"), "%s", num(a, f->interrupted));
	kv(fp, _("Not aired (missed or failed)"), "%s", num(a, f->missed));
	kv(fp, _("Sessions with nothing to air"), "%s", num(a, f->no_content));
}

static void
text_groups(FILE *fp, const struct rpt_figures *f)
{
	struct tbl t;
	char a[NUMLEN], b[64], c[NUMLEN], p[NUMLEN], q[NUMLEN], r[NUMLEN];

	fprintf(fp, "\n%s\n", _("3. By content group"));
	tbl_init(&t, "lrrr");
	tbl_add(&t, _("Content group"), _("Airings"), _("Airtime"), _("Share"));
	for (int i = 0; i < f->ntopics; i++)
		tbl_add(&t, group_name(&f->topics[i], 0), num(a, f->topics[i].c.airings), hm(b, f->topics[i].c.airtime_ms),
		    pct(c, rpt_pct10(f->topics[i].c.airtime_ms, f->aired.airtime_ms)));
	tbl_print(fp, &t, 2);

	fprintf(fp, "\n%s\n", _("4. By period"));
	tbl_init(&t, "lrrrrr");
	tbl_add(&t, _("Period"), _("Airings"), _("Airtime"), _("Planned sessions"), _("Aired sessions"), _("Compliance"));
	for (int i = 0; i < f->nperiods; i++)
		tbl_add(&t, group_name(&f->periods[i], 1), num(a, f->periods[i].c.airings),
		    hm(b, f->periods[i].c.airtime_ms), num(p, f->periods[i].planned), num(q, f->periods[i].aired),
		    pct(r, rpt_pct10(f->periods[i].aired, f->periods[i].planned)));
	tbl_print(fp, &t, 2);

	fprintf(fp, "\n%s\n", _("5. By month"));
	tbl_init(&t, "lrrrrr");
	tbl_add(&t, _("Month"), _("Airings"), _("Airtime"), _("Planned sessions"), _("Aired sessions"), _("Compliance"));
	for (int i = 0; i < f->nmonths; i++) {
		char m[16];
		tbl_add(&t, month_text(m, f->months[i].id), num(a, f->months[i].c.airings),
		    hm(b, f->months[i].c.airtime_ms), num(p, f->months[i].planned), num(q, f->months[i].aired),
		    pct(r, rpt_pct10(f->months[i].aired, f->months[i].planned)));
	}
	tbl_print(fp, &t, 2);
	if (f->nrelays == 0)
		return;
	/* relayed radio: its own airtime, in no figure above */
	fprintf(fp, "\n%s\n", _("5a. Relayed radio (tiếp sóng), counted apart"));
	tbl_init(&t, "lrrrr");
	tbl_add(&t, _("Relay"), _("Planned"), _("Aired"), _("Compliance"), _("Relayed airtime"));
	for (int i = 0; i < f->nrelays; i++)
		tbl_add(&t, group_name(&f->relays[i], 0), num(p, f->relays[i].planned), num(q, f->relays[i].aired),
		    pct(r, rpt_pct10(f->relays[i].aired, f->relays[i].planned)), hm(b, f->relays[i].c.airtime_ms));
	tbl_print(fp, &t, 2);
	kv(fp, _("Relayed airtime"), "%s", hm(b, f->relayed.airtime_ms));
	kv(fp, _("Stream dropouts"), "%s", num(a, f->relay_dropouts));
	kv(fp, _("Fallback in place of a stream"), "%s", hm(b, f->relay_fallback_ms));
	kv(fp, _("Relays with nothing heard"), "%s", num(a, f->relay_failed));
}

static const char *
miss_what(char *buf, size_t len, const struct rpt_miss *m)
{
	if (m->bulletin == NULL)
		snprintf(buf, len, "%s", _("(nothing to air)"));
	else
		snprintf(buf, len, "%s \"%s\"", m->bulletin, m->title ? m->title : "");
	return buf;
}

/*
 * The daemon writes its reasons in English, for the log; the reader gets
 * the known ones in the report's language (what follows them, an ALSA
 * message, say, stays as written).
 */
static void
reason_text(char *buf, size_t len, const char *r)
{
	static const char *const known[] = { N_("power off"), N_("no audio device"), N_("clock not trusted"),
		N_("clock jumped"), N_("no content"), N_("no time left"), N_("loaxad stopped while it aired"), NULL };

	if (r == NULL) {
		snprintf(buf, len, "%s", _("(no reason given)"));
		return;
	}
	for (int i = 0; known[i]; i++) {
		size_t n = strlen(known[i]);
		if (strncmp(r, known[i], n) == 0) {
			snprintf(buf, len, "%s%s", _(known[i]), r + n);
			return;
		}
	}
	snprintf(buf, len, "%s", r);
}

static const char *
miss_reason(char *buf, size_t len, const struct rpt_miss *m)
{
	char r[384];

	reason_text(r, sizeof(r), m->reason);
	snprintf(buf, len, "%s%s%s%s", m->failed ? _("failed: ") : "", r, m->emergency ? _(" [emergency]") : "",
	    m->verified ? "" : _(" [unverified]"));
	return buf;
}

static void
text_misses(FILE *fp, const struct rpt_figures *f, const char *title)
{
	struct tbl t;
	char w[32], what[512], why[512];

	if (f->nmisses == 0) {
		fprintf(fp, "  %s%s\n", title ? title : "", _("Every planned airing aired."));
		return;
	}
	if (title)
		fprintf(fp, "  %s\n", title);
	tbl_init(&t, "llll");
	tbl_add(&t, _("Scheduled"), _("Session"), _("Bulletin"), _("Reason"));
	for (int i = 0; i < f->nmisses; i++) {
		const struct rpt_miss *m = &f->misses[i];
		tbl_add(&t, when_text(w, m->when), m->session, miss_what(what, sizeof(what), m),
		    miss_reason(why, sizeof(why), m));
	}
	tbl_print(fp, &t, 2);
}

static void
text_notes(FILE *fp)
{
	fprintf(fp, "\n%s\n", _("Notes"));
	fprintf(fp, "  %s\n", _("(1) Airing: a bulletin that went on air in a timed session, complete or interrupted, "
	    "counted on the day it started. Airtime: the sum of their durations as the log records them."));
	fprintf(fp, "  %s\n", _("(2) Sessions planned: the sessions the timetable in force gives for each day the "
	    "log covers (the config the log records as applied, from its first config record to its last record; "
	    "peak periods and exception days included). A session counts as aired when at least one of its "
	    "bulletins aired complete. Compliance = sessions aired / sessions planned."));
	fprintf(fp, "  %s\n", _("(3) Bulletin airings planned: every bulletin a session was planned to air = airings "
	    "+ not aired (missed records naming a bulletin, and failed airings)."));
	fprintf(fp, "  %s\n", _("(4) Emergency broadcasts air outside the timetable and are counted apart, in no "
	    "other figure. Bulletins are told apart by the SHA-256 of their audio."));
}

static void
text_head(FILE *fp, const struct render *rp, const char *title)
{
	char r[128];

	range_text(r, sizeof(r), rp);
	fprintf(fp, "%s\n", title);
	fprintf(fp, "%s: %s\n", _("Reporting period"), r);
}

static void
text_site_lines(FILE *fp, const struct render *rp, const struct render_site *s)
{
	char lines[8][768], cov[256];
	int n = integrity_lines(rp, s, lines, 8);

	for (int i = 0; i < n; i++)
		fprintf(fp, "%s\n", lines[i]);
	if (s->f) {
		coverage_line(cov, sizeof(cov), s->f);
		fprintf(fp, "%s\n", cov);
	}
	if (s->bad_configs > 0)
		fprintf(fp, _("%d config record(s) in the log could not be read by this loaxa; days under them have no "
		    "plan.\n"), s->bad_configs);
}

static void
site_title(char *buf, size_t len, const struct render_site *s)
{
	const struct rpt_figures *f = s->f;

	if (f && f->province && *f->province)
		snprintf(buf, len, "%s (%s), %s", site_name(s), site_id(s), f->province);
	else
		snprintf(buf, len, "%s (%s)", site_name(s), site_id(s));
}

static void
write_text(const struct render *rp, const struct rpt_figures *tot, FILE *fp)
{
	char a[NUMLEN], b[64], c[NUMLEN], p[NUMLEN], q[NUMLEN], head[512];

	if (rp->nsites == 1) {
		const struct render_site *s = &rp->sites[0];
		text_head(fp, rp, _("REPORT ON BROADCASTS OVER THE COMMUNE LOUDSPEAKER SYSTEM"));
		site_title(head, sizeof(head), s);
		fprintf(fp, "%s: %s\n", _("Commune"), head);
		text_site_lines(fp, rp, s);
		text_summary(fp, s->f);
		text_groups(fp, s->f);
		fprintf(fp, "\n%s (%s)\n", _("6. Planned airings not aired"), num(a, s->f->nmisses));
		text_misses(fp, s->f, NULL);
		text_notes(fp);
		return;
	}
	text_head(fp, rp, _("REPORT ON BROADCASTS OVER THE COMMUNE LOUDSPEAKER SYSTEMS"));
	fprintf(fp, _("%d communes\n"), rp->nsites);
	{
		struct tbl t;
		tbl_init(&t, "llrrrrrrrl");
		tbl_add(&t, _("Site"), _("Commune"), _("Airings"), _("Airtime"), _("Bulletins"), _("Planned sessions"),
		    _("Aired sessions"), _("Compliance"), _("Not aired"), _("Log"));
		for (int i = 0; i < rp->nsites; i++) {
			const struct render_site *s = &rp->sites[i];
			const struct rpt_figures *f = s->f;
			char n1[NUMLEN], n2[NUMLEN];
			tbl_add(&t, site_id(s), site_name(s), num(a, f->aired.airings), hm(b, f->aired.airtime_ms),
			    num(n1, f->bulletins), num(p, f->planned_sessions), num(q, f->aired_sessions),
			    pct(c, rpt_pct10(f->aired_sessions, f->planned_sessions)), num(n2, f->missed),
			    integrity_word(rp, s));
		}
		{
			char n1[NUMLEN], n2[NUMLEN];
			tbl_add(&t, _("Total"), "", num(a, tot->aired.airings), hm(b, tot->aired.airtime_ms),
			    num(n1, tot->bulletins), num(p, tot->planned_sessions), num(q, tot->aired_sessions),
			    pct(c, rpt_pct10(tot->aired_sessions, tot->planned_sessions)), num(n2, tot->missed), "");
		}
		tbl_print(fp, &t, 0);
	}
	fprintf(fp, "\n%s\n", _("The airing logs"));
	for (int i = 0; i < rp->nsites; i++) {
		const struct render_site *s = &rp->sites[i];
		char lines[8][768], cov[256];
		int n = integrity_lines(rp, s, lines, 8);
		site_title(head, sizeof(head), s);
		fprintf(fp, "  %s\n", head);
		for (int k = 0; k < n; k++)
			fprintf(fp, "    %s\n", lines[k]);
		coverage_line(cov, sizeof(cov), s->f);
		fprintf(fp, "    %s\n", cov);
	}
	fprintf(fp, "\n%s\n", _("All communes together:"));
	text_summary(fp, tot);
	text_groups(fp, tot);
	{
		long long total = 0;
		for (int i = 0; i < rp->nsites; i++)
			total += rp->sites[i].f->nmisses;
		fprintf(fp, "\n%s (%s)\n", _("6. Planned airings not aired"), num(a, total));
	}
	for (int i = 0; i < rp->nsites; i++) {
		const struct render_site *s = &rp->sites[i];
		site_title(head, sizeof(head), s);
		strncat(head, ": ", sizeof(head) - strlen(head) - 1);
		text_misses(fp, s->f, head);
	}
	text_notes(fp);
}

/* --- log book ------------------------------------------------------------------- */

static int
cmp_entry(const void *a, const void *b)
{
	const struct rpt_entry *x = *(const struct rpt_entry *const *)a, *y = *(const struct rpt_entry *const *)b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const char *
topic_name(const struct rpt_figures *f, const char *id)
{
	for (int i = 0; i < f->ntopics; i++)
		if (strcmp(f->topics[i].id, id) == 0)
			return f->topics[i].name ? f->topics[i].name : id;
	return id;
}

static const char *
outcome_text(char *buf, size_t len, const struct rpt_entry *e)
{
	const char *o = e->outcome;

	if (strcmp(o, "complete") == 0)
		o = _("complete");
	else if (strcmp(o, "interrupted") == 0)
		o = _("interrupted");
	else if (strcmp(o, "failed") == 0)
		o = _("failed");
	else if (strcmp(o, "missed") == 0)
		o = _("not aired");
	else if (strcmp(o, "partial") == 0)
		o = _("partly heard");
	{
		char r[384] = "";
		if (*e->reason)
			reason_text(r, sizeof(r), e->reason);
		snprintf(buf, len, "%s%s%s%s%s", o, *r ? ": " : "", r, e->emergency ? _(" [emergency]") : "",
		    e->verified ? "" : _(" [unverified]"));
	}
	return buf;
}

static void
logbook_site(FILE *fp, const struct render *rp, const struct render_site *s)
{
	const struct rpt_figures *f = s->f;
	const struct rpt_entry **v = malloc((size_t)(f->nentries ? f->nentries : 1) * sizeof(*v));
	char head[512], lines[8][768], r[128];
	int n;
	long i = 0;

	if (v == NULL)
		abort();
	for (long k = 0; k < f->nentries; k++)
		v[k] = &f->entries[k];
	qsort(v, (size_t)f->nentries, sizeof(*v), cmp_entry);
	site_title(head, sizeof(head), s);
	range_text(r, sizeof(r), rp);
	fprintf(fp, "%s\n%s: %s\n%s: %s\n", _("BROADCAST LOG BOOK"), _("Commune"), head, _("Reporting period"), r);
	n = integrity_lines(rp, s, lines, 8);
	for (int k = 0; k < n; k++)
		fprintf(fp, "%s\n", lines[k]);
	if (f->nentries == 0)
		fprintf(fp, "\n%s\n", _("No airing in this period."));
	while (i < f->nentries) {
		int wy, wn;
		int32_t mon = v[i]->day - date_weekday(v[i]->day);
		long long airings = 0, ms = 0, missed = 0;
		struct tbl t;
		char d1[16], d2[16], a[NUMLEN], b[64];

		iso_week(v[i]->day, &wy, &wn);
		fprintf(fp, "\n");
		fprintf(fp, _("Week %02d/%d: %s – %s\n"), wn, wy, day_text(d1, mon), day_text(d2, mon + 6));
		tbl_init(&t, "llllrl");
		tbl_add(&t, _("Date"), _("Time"), _("Title"), _("Content group"), _("Duration"), _("Outcome"));
		for (; i < f->nentries && v[i]->day <= mon + 6; i++) {
			const struct rpt_entry *e = v[i];
			char dt[32], tm[48], dur[48], out[512];
			snprintf(dt, sizeof(dt), "%s %s", weekday_text(e->day), day_text(d1, e->day));
			snprintf(tm, sizeof(tm), "%02ld:%02ld:%02ld", e->ms / 3600000, e->ms / 60000 % 60, e->ms / 1000 % 60);
			if (strcmp(e->outcome, "missed") == 0)
				snprintf(dur, sizeof(dur), "–");
			else
				snprintf(dur, sizeof(dur), "%lld:%02lld", (e->duration_ms + 500) / 60000,
				    (e->duration_ms + 500) / 1000 % 60);
			if (e->relay) {	/* the relayed stream's line: what was heard of it */
				char title[160];
				snprintf(title, sizeof(title), _("relay: %s"), e->session);
				tbl_add(&t, dt, tm, title, "", dur, outcome_text(out, sizeof(out), e));
				continue;
			}
			tbl_add(&t, dt, tm, *e->title ? e->title : _("(nothing to air)"),
			    *e->topic ? topic_name(f, e->topic) : "", dur, outcome_text(out, sizeof(out), e));
			if (!e->emergency && (strcmp(e->outcome, "complete") == 0 || strcmp(e->outcome, "interrupted") == 0)) {
				airings++;
				ms += e->duration_ms > 0 ? e->duration_ms : 0;
			} else if (!e->emergency) {
				missed++;
			}
		}
		tbl_print(fp, &t, 2);
		fprintf(fp, _("  Week total: %s airings, %s; %lld not aired\n"), num(a, airings), hm(b, ms), missed);
	}
	free(v);
}

static void
write_logbook(const struct render *rp, FILE *fp)
{
	for (int i = 0; i < rp->nsites; i++) {
		if (i > 0)
			fputs("\n\f\n", fp);	/* each commune's book on its own page */
		logbook_site(fp, rp, &rp->sites[i]);
	}
}

/* --- CSV: one row per figure -------------------------------------------------------- */

static void
csv_fig(FILE *fp, const char *site, const char *section, const char *key, const char *name, const long long *airings,
    const long long *ms, const long long *planned, const long long *aired, const char *value, const char *note)
{
	char a[NUMLEN] = "", b[NUMLEN] = "", c[NUMLEN] = "", d[NUMLEN] = "";

	if (airings)
		snprintf(a, sizeof(a), "%lld", *airings);
	if (ms)
		snprintf(b, sizeof(b), "%lld", secs(*ms));
	if (planned)
		snprintf(c, sizeof(c), "%lld", *planned);
	if (aired)
		snprintf(d, sizeof(d), "%lld", *aired);
	csv_row(fp, site, section, key, name ? name : "", a, b, c, d, value ? value : "", note ? note : "", NULL);
}

static const char *
csv_pct(char *buf, long p10)
{
	if (p10 < 0)
		*buf = '\0';
	else
		snprintf(buf, NUMLEN, "%ld.%ld", p10 / 10, p10 % 10);
	return buf;
}

static void
csv_value(FILE *fp, const char *site, const char *section, const char *key, long long v)
{
	char b[NUMLEN];

	snprintf(b, sizeof(b), "%lld", v);
	csv_fig(fp, site, section, key, NULL, NULL, NULL, NULL, NULL, b, NULL);
}

static void
csv_figures(FILE *fp, const char *site, const struct rpt_figures *f)
{
	char p[NUMLEN];

	csv_fig(fp, site, "summary", "airings", NULL, &f->aired.airings, &f->aired.airtime_ms, NULL, NULL, NULL, NULL);
	csv_fig(fp, site, "summary", "peak", NULL, &f->peak.airings, &f->peak.airtime_ms, NULL, NULL, NULL, NULL);
	csv_fig(fp, site, "summary", "normal", NULL, &f->normal.airings, &f->normal.airtime_ms, NULL, NULL, NULL, NULL);
	csv_fig(fp, site, "summary", "emergency", NULL, &f->emergency.airings, &f->emergency.airtime_ms, NULL, NULL,
	    NULL, NULL);
	csv_value(fp, site, "summary", "bulletins", f->bulletins);
	csv_value(fp, site, "summary", "planned", f->planned);
	csv_value(fp, site, "summary", "missed", f->missed);
	csv_value(fp, site, "summary", "complete", f->complete);
	csv_value(fp, site, "summary", "interrupted", f->interrupted);
	csv_value(fp, site, "summary", "failed", f->failed);
	csv_value(fp, site, "summary", "no_content", f->no_content);
	csv_value(fp, site, "summary", "emergency_not_aired", f->emergency_failed);
	csv_fig(fp, site, "summary", "sessions", NULL, NULL, NULL, &f->planned_sessions, &f->aired_sessions, NULL, NULL);
	csv_value(fp, site, "summary", "sessions_unaccounted", f->unaccounted_sessions);
	csv_value(fp, site, "summary", "sessions_unplanned", f->unplanned_sessions);
	csv_fig(fp, site, "summary", "compliance_pct", NULL, NULL, NULL, NULL, NULL,
	    csv_pct(p, rpt_pct10(f->aired_sessions, f->planned_sessions)), NULL);
	csv_fig(fp, site, "summary", "completion_pct", NULL, NULL, NULL, NULL, NULL,
	    csv_pct(p, rpt_pct10(f->complete, f->planned)), NULL);
	for (int i = 0; i < f->ntopics; i++)
		csv_fig(fp, site, "topic", f->topics[i].id, f->topics[i].name, &f->topics[i].c.airings,
		    &f->topics[i].c.airtime_ms, NULL, NULL, NULL, NULL);
	for (int i = 0; i < f->nperiods; i++)
		csv_fig(fp, site, "period", f->periods[i].id, f->periods[i].name, &f->periods[i].c.airings,
		    &f->periods[i].c.airtime_ms, &f->periods[i].planned, &f->periods[i].aired, NULL, NULL);
	for (int i = 0; i < f->nmonths; i++)
		csv_fig(fp, site, "month", f->months[i].id, NULL, &f->months[i].c.airings, &f->months[i].c.airtime_ms,
		    &f->months[i].planned, &f->months[i].aired, NULL, NULL);
	for (int i = 0; i < f->nrelays; i++)	/* airings: relay slots heard; airtime: the stream's, heard */
		csv_fig(fp, site, "relay", f->relays[i].id, f->relays[i].name, &f->relays[i].c.airings,
		    &f->relays[i].c.airtime_ms, &f->relays[i].planned, &f->relays[i].aired, NULL, NULL);
	if (f->live.airings > 0)
		csv_fig(fp, site, "summary", "live", NULL, &f->live.airings, &f->live.airtime_ms, NULL, NULL, NULL, NULL);
	if (f->nrelays > 0) {
		csv_value(fp, site, "summary", "relay_dropouts", f->relay_dropouts);
		csv_value(fp, site, "summary", "relay_fallback_s", secs(f->relay_fallback_ms));
		csv_value(fp, site, "summary", "relay_nothing_heard", f->relay_failed);
	}
}

static void
csv_site(FILE *fp, const struct render *rp, const struct render_site *s)
{
	const struct rpt_figures *f = s->f;
	const char *id = site_id(s);
	char d[16], integ[1024];

	csv_fig(fp, id, "site", "name", site_name(s), NULL, NULL, NULL, NULL, f->province, NULL);
	csv_fig(fp, id, "site", "from", NULL, NULL, NULL, NULL, NULL, iso_day(d, rp->from), NULL);
	csv_fig(fp, id, "site", "to", NULL, NULL, NULL, NULL, NULL, iso_day(d, rp->to), NULL);
	csv_fig(fp, id, "site", "covered_from", NULL, NULL, NULL, NULL, NULL, iso_day(d, f->cov_from), NULL);
	csv_fig(fp, id, "site", "covered_to", NULL, NULL, NULL, NULL, NULL, iso_day(d, f->cov_to), NULL);
	integrity_key(integ, sizeof(integ), rp, s);
	csv_fig(fp, id, "site", "integrity", NULL, NULL, NULL, NULL, NULL, integ, NULL);
	csv_fig(fp, id, "site", "macs_checked", NULL, NULL, NULL, NULL, NULL, s->st.macs_checked ? "yes" : "no", NULL);
	if (f->unverified.records > 0) {
		csv_value(fp, id, "unverified", "from_record", f->unverified.first_seq);
		csv_fig(fp, id, "unverified", "from_day", NULL, NULL, NULL, NULL, NULL, iso_day(d, f->unverified.first_day),
		    NULL);
		csv_fig(fp, id, "unverified", "to_day", NULL, NULL, NULL, NULL, NULL, iso_day(d, f->unverified.last_day),
		    NULL);
		csv_fig(fp, id, "unverified", "airings", NULL, &f->unverified.c.airings, &f->unverified.c.airtime_ms,
		    NULL, NULL, NULL, NULL);
		csv_value(fp, id, "unverified", "missed", f->unverified.missed);
	}
	csv_figures(fp, id, f);
	for (int i = 0; i < f->nmisses; i++) {
		const struct rpt_miss *m = &f->misses[i];
		char why[512];
		snprintf(why, sizeof(why), "%s%s%s%s", m->failed ? "failed: " : "", m->reason ? m->reason : "",
		    m->emergency ? " [emergency]" : "", m->verified ? "" : " [unverified]");
		csv_fig(fp, id, "not_aired", m->when, m->title, NULL, NULL, NULL, NULL,
		    m->bulletin ? m->bulletin : "", why);
	}
}

static void
write_csv(const struct render *rp, const struct rpt_figures *tot, FILE *fp)
{
	csv_bom(fp);
	csv_row(fp, "site", "section", "key", "name", "airings", "airtime_s", "sessions_planned", "sessions_aired",
	    "value", "note", NULL);
	for (int i = 0; i < rp->nsites; i++)
		csv_site(fp, rp, &rp->sites[i]);
	if (tot)
		csv_figures(fp, "*", tot);
}

/* --- JSON --------------------------------------------------------------------------- */

static json_t *
jcount(const struct rpt_count *c)
{
	return json_pack("{sIsI}", "airings", (json_int_t)c->airings, "airtime_s", (json_int_t)secs(c->airtime_ms));
}

static json_t *
jpct(long p10)
{
	return p10 < 0 ? json_null() : json_real((double)p10 / 10.0);
}

static json_t *
jday(int32_t day)
{
	char d[11];

	if (day == DATE_NONE)
		return json_null();
	date_format(day, d);
	return json_string(d);
}

static json_t *
jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
json_figures(const struct rpt_figures *f)
{
	json_t *o = json_object(), *bt = json_object(), *bp = json_object(), *bm = json_object();
	json_t *names_t = json_object(), *names_p = json_object(), *sp = json_object(), *sm = json_object();

	json_object_set_new(o, "airings", json_integer(f->aired.airings));
	json_object_set_new(o, "airtime_s", json_integer(secs(f->aired.airtime_ms)));
	json_object_set_new(o, "bulletins", json_integer(f->bulletins));
	json_object_set_new(o, "planned", json_integer(f->planned));
	json_object_set_new(o, "missed", json_integer(f->missed));
	for (int i = 0; i < f->ntopics; i++) {
		json_object_set_new(bt, f->topics[i].id, jcount(&f->topics[i].c));
		json_object_set_new(names_t, f->topics[i].id, jstr(f->topics[i].name));
	}
	for (int i = 0; i < f->nperiods; i++) {
		json_object_set_new(bp, f->periods[i].id, jcount(&f->periods[i].c));
		json_object_set_new(names_p, f->periods[i].id, jstr(f->periods[i].name));
		json_object_set_new(sp, f->periods[i].id, json_pack("{sIsI}", "planned", (json_int_t)f->periods[i].planned,
		    "aired", (json_int_t)f->periods[i].aired));
	}
	for (int i = 0; i < f->nmonths; i++) {
		json_object_set_new(bm, f->months[i].id, jcount(&f->months[i].c));
		json_object_set_new(sm, f->months[i].id, json_pack("{sIsI}", "planned", (json_int_t)f->months[i].planned,
		    "aired", (json_int_t)f->months[i].aired));
	}
	json_object_set_new(o, "by_topic", bt);
	json_object_set_new(o, "by_period", bp);
	json_object_set_new(o, "by_month", bm);
	if (f->live.airings > 0)
		json_object_set_new(o, "live", jcount(&f->live));
	if (f->nrelays > 0) {
		json_t *br = json_object();
		for (int i = 0; i < f->nrelays; i++)
			json_object_set_new(br, f->relays[i].id, json_pack("{sIsIsIsIso}", "heard", (json_int_t)f->relays[i].c.airings,
			    "relayed_s", (json_int_t)secs(f->relays[i].c.airtime_ms), "planned", (json_int_t)f->relays[i].planned,
			    "aired", (json_int_t)f->relays[i].aired, "name", jstr(f->relays[i].name)));
		json_object_set_new(o, "by_relay", br);
		json_object_set_new(o, "relays", json_pack("{sIsIsIsI}", "relayed_s", (json_int_t)secs(f->relayed.airtime_ms),
		    "dropouts", (json_int_t)f->relay_dropouts, "fallback_s", (json_int_t)secs(f->relay_fallback_ms),
		    "nothing_heard", (json_int_t)f->relay_failed));
	}
	/* extras */
	json_object_set_new(o, "covered", json_pack("{soso}", "from", jday(f->cov_from), "to", jday(f->cov_to)));
	json_object_set_new(o, "peak", jcount(&f->peak));
	json_object_set_new(o, "normal", jcount(&f->normal));
	json_object_set_new(o, "emergency", json_pack("{sIsIsI}", "airings", (json_int_t)f->emergency.airings,
	    "airtime_s", (json_int_t)secs(f->emergency.airtime_ms), "not_aired", (json_int_t)f->emergency_failed));
	json_object_set_new(o, "outcomes", json_pack("{sIsIsIsIsI}", "complete", (json_int_t)f->complete,
	    "interrupted", (json_int_t)f->interrupted, "failed", (json_int_t)f->failed, "missed_records",
	    (json_int_t)f->missed_records, "no_content", (json_int_t)f->no_content));
	json_object_set_new(o, "sessions", json_pack("{sbsIsIsIsIso}", "derived", f->plan_known,
	    "planned", (json_int_t)f->planned_sessions, "aired", (json_int_t)f->aired_sessions,
	    "unaccounted", (json_int_t)f->unaccounted_sessions, "unplanned", (json_int_t)f->unplanned_sessions,
	    "compliance_pct", jpct(rpt_pct10(f->aired_sessions, f->planned_sessions))));
	json_object_set_new(o, "completion_pct", jpct(rpt_pct10(f->complete, f->planned)));
	json_object_set_new(o, "sessions_by_period", sp);
	json_object_set_new(o, "sessions_by_month", sm);
	json_object_set_new(o, "names", json_pack("{soso}", "topics", names_t, "periods", names_p));
	return o;
}

static json_t *
json_site(const struct render *rp, const struct render_site *s)
{
	const struct rpt_figures *f = s->f;
	json_t *o = json_object(), *fig = json_figures(f), *misses = json_array();
	char integ[1024];
	const char *k;
	json_t *v;

	json_object_set_new(o, "site", json_string(site_id(s)));
	json_object_set_new(o, "from", jday(rp->from));
	json_object_set_new(o, "to", jday(rp->to));
	/* the design's keys in its order, then the extras */
	json_object_foreach(fig, k, v) {
		if (strcmp(k, "covered") == 0) {
			integrity_key(integ, sizeof(integ), rp, s);
			json_object_set_new(o, "integrity", json_string(integ));
			json_object_set_new(o, "site_name", jstr(f->site_name));
			json_object_set_new(o, "province", jstr(f->province));
		}
		json_object_set(o, k, v);
	}
	json_decref(fig);
	json_object_set_new(o, "verification", json_pack("{sbsbsIsIsIsbsIsI}", "checked", rp->verify && s->rc >= 0,
	    "macs_checked", s->st.macs_checked, "seals", (json_int_t)s->st.seals, "first_record",
	    (json_int_t)s->st.first_seq, "last_record", (json_int_t)s->st.last_seq, "checkpoint_ok",
	    s->st.checkpoint_ok, "torn_writes", (json_int_t)s->st.torn, "unreadable_lines",
	    (json_int_t)s->st.unreadable));
	if (s->rc > 0)
		json_object_set_new(o, "unverified", json_pack("{sIsosososIsIsIsI}", "from_record",
		    (json_int_t)(f->unverified.records > 0 ? f->unverified.first_seq : s->fault.seq), "from_day", jday(f->unverified.first_day), "to_day",
		    jday(f->unverified.last_day), "file", json_string(s->fault.file), "records",
		    (json_int_t)f->unverified.records, "airings", (json_int_t)f->unverified.c.airings, "airtime_s",
		    (json_int_t)secs(f->unverified.c.airtime_ms), "missed", (json_int_t)f->unverified.missed));
	for (int i = 0; i < f->nmisses; i++) {
		const struct rpt_miss *m = &f->misses[i];
		json_array_append_new(misses, json_pack("{sssososososososbsbsbsI}", "when", m->when, "session",
		    jstr(m->session), "period", jstr(m->period), "bulletin", jstr(m->bulletin), "title", jstr(m->title),
		    "topic", jstr(m->topic), "reason", jstr(m->reason), "failed", m->failed, "emergency", m->emergency,
		    "verified", m->verified, "record", (json_int_t)m->seq));
	}
	json_object_set_new(o, "not_aired", misses);
	return o;
}

static void
write_json(const struct render *rp, const struct rpt_figures *tot, FILE *fp)
{
	json_t *o;
	char *s;

	if (rp->nsites == 1) {
		o = json_site(rp, &rp->sites[0]);
	} else {
		json_t *sites = json_array(), *fig = json_figures(tot);
		int faults = 0, first = -1;
		char integ[1024], first_text[1024] = "";
		const char *k;
		json_t *v;

		o = json_object();
		for (int i = 0; i < rp->nsites; i++) {
			json_array_append_new(sites, json_site(rp, &rp->sites[i]));
			integrity_key(integ, sizeof(integ), rp, &rp->sites[i]);
			if (strcmp(integ, "ok") != 0) {
				if (first < 0) {
					first = i;
					snprintf(first_text, sizeof(first_text), "%s", integ);
				}
				faults++;
			}
		}
		json_object_set_new(o, "sites", sites);
		json_object_set_new(o, "from", jday(rp->from));
		json_object_set_new(o, "to", jday(rp->to));
		json_object_foreach(fig, k, v) {
			if (strcmp(k, "covered") == 0) {
				if (faults == 0)
					snprintf(integ, sizeof(integ), "ok");
				else
					snprintf(integ, sizeof(integ), _("%d of %d logs: the first, %s: %s"), faults, rp->nsites,
					    site_id(&rp->sites[first]), first_text);
				json_object_set_new(o, "integrity", json_string(integ));
			}
			json_object_set(o, k, v);
		}
		json_decref(fig);
	}
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s)
		fprintf(fp, "%s\n", s);
	free(s);
	json_decref(o);
}

/* --- HTML ---------------------------------------------------------------------------- */

static void
esc(FILE *fp, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '&':
			fputs("&amp;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		default:
			fputc(*s, fp);
		}
}

static void
pr(FILE *fp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* printf, every %s argument escaped for HTML */
static void
pr(FILE *fp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			fputc(*p, fp);
			continue;
		}
		p++;
		if (*p == 's')
			esc(fp, va_arg(ap, const char *));
		else if (*p == 'd')
			fprintf(fp, "%d", va_arg(ap, int));
		else if (*p == 'l' && p[1] == 'd')
			fprintf(fp, "%ld", va_arg(ap, long)), p++;
		else if (*p == 'l' && p[1] == 'l' && p[2] == 'd')
			fprintf(fp, "%lld", va_arg(ap, long long)), p += 2;
		else if (*p == '.' && p[1] == '1' && p[2] == 'f')
			fprintf(fp, "%.1f", va_arg(ap, double)), p += 2;
		else if (*p == '%')
			fputc('%', fp);
	}
	va_end(ap);
}

static const char *const palette[] = { "#1f5fa8", "#c8372d", "#2e8b3e", "#7b4fa8", "#e08a1e", "#8a5a2b", "#2a9d9d",
	"#b03a83", "#6b6b6b" };
#define NPAL (int)(sizeof(palette) / sizeof(palette[0]))

static const char *
color(int i)
{
	return palette[i < NPAL - 1 ? i : NPAL - 1];
}

/* a round step for the axis: 1, 2 or 5 times a power of ten, about max/4 */
static double
axis_step(double max)
{
	double step = 1.0 / 60;	/* a minute */
	static const double m[] = { 1, 2, 5 };

	for (double p = 0.01; p < 1e7; p *= 10)
		for (int i = 0; i < 3; i++)
			if (m[i] * p * 4 >= max)
				return m[i] * p > step ? m[i] * p : step;
	return step;
}

/* airtime per week, stacked by content group; peak weeks shaded with the period's name */
static void
html_chart(FILE *fp, const struct rpt_figures *f)
{
	const double W = 720, H = 250, x0 = 44, x1 = 712, y0 = 22, y1 = 212;
	double max = 0, step, slot = (x1 - x0) / (f->nweeks > 0 ? f->nweeks : 1), bw = slot * 0.72;
	int every = f->nweeks > 30 ? 4 : f->nweeks > 14 ? 2 : 1;

	for (int w = 0; w < f->nweeks; w++) {
		double h = 0;
		for (int t = 0; t < f->ntopics; t++)
			h += (double)f->week_topic_ms[w * f->ntopics + t] / 3600000.0;
		if (h > max)
			max = h;
	}
	step = axis_step(max > 0 ? max : 1);
	max = step * 4;
	while (max < 0.0001)
		max = 1;
	pr(fp, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"%s\">\n", (int)W, (int)H, _("Airtime per week, by content group"));
	/* peak periods first, under the bars */
	for (int w = 0; w < f->nweeks;) {
		int p = f->week_peak[w], e = w;
		if (p == 0) {
			w++;
			continue;
		}
		while (e + 1 < f->nweeks && f->week_peak[e + 1] == p)
			e++;
		fprintf(fp, "<rect class=\"peak\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n", x0 + w * slot,
		    y0 - 12, (e - w + 1) * slot, y1 - y0 + 12);
		fprintf(fp, "<text class=\"peakname\" x=\"%.1f\" y=\"%.1f\">", x0 + w * slot + 2, y0 - 3);
		esc(fp, group_name(&f->periods[p - 1], 1));
		fputs("</text>\n", fp);
		w = e + 1;
	}
	/* axis and grid */
	for (int i = 0; i <= 4; i++) {
		double y = y1 - (y1 - y0) * i / 4.0, v = step * i;
		fprintf(fp, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x0, y, x1, y);
		if (v >= 1 || v == 0)
			fprintf(fp, "<text class=\"ax\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", x0 - 4, y + 3,
			    v);
		else
			fprintf(fp, "<text class=\"ax\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.0f'</text>\n", x0 - 4,
			    y + 3, v * 60);
	}
	pr(fp, "<text class=\"ax\" x=\"4\" y=\"12\">%s</text>\n", _("hours"));
	/* bars */
	for (int w = 0; w < f->nweeks; w++) {
		double y = y1;
		for (int t = 0; t < f->ntopics; t++) {
			double h = (double)f->week_topic_ms[w * f->ntopics + t] / 3600000.0 / max * (y1 - y0);
			if (h <= 0)
				continue;
			y -= h;
			fprintf(fp, "<rect x=\"%.1f\" y=\"%.2f\" width=\"%.1f\" height=\"%.2f\" fill=\"%s\"/>\n",
			    x0 + w * slot + (slot - bw) / 2, y, bw, h, color(t));
		}
		if (w % every == 0) {
			char d[16];
			int32_t day = f->week0 + 7 * w;
			int yy, mm, dd;
			date_to_civil(day < f->from ? f->from : day, &yy, &mm, &dd);
			snprintf(d, sizeof(d), vi ? "%02d/%02d" : "%02d-%02d", vi ? dd : mm, vi ? mm : dd);
			fprintf(fp, "<text class=\"ax\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
			    x0 + w * slot + slot / 2, y1 + 13, d);
		}
	}
	fprintf(fp, "<line class=\"base\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x0, y1, x1, y1);
	pr(fp, "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", (int)x1, (int)H - 8,
	    _("week beginning"));
	fputs("</svg>\n<ul class=\"legend\">", fp);
	for (int t = 0; t < f->ntopics; t++) {
		fprintf(fp, "<li><svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" fill=\"%s\"/></svg> ",
		    color(t));
		esc(fp, group_name(&f->topics[t], 0));
		fputs("</li>", fp);
	}
	pr(fp, "<li><svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" class=\"peak\"/></svg> %s</li>",
	    _("peak period"));
	fputs("</ul>\n", fp);
}

static void
html_kv(FILE *fp, const char *label, const char *value)
{
	pr(fp, "<tr><th>%s</th><td class=\"n\">%s</td></tr>\n", label, value);
}

static void
html_summary(FILE *fp, const struct rpt_figures *f)
{
	char a[NUMLEN], b[64], c[NUMLEN], buf[256];

	pr(fp, "<div class=\"cols\"><table class=\"kv\"><caption>%s</caption>\n", _("1. Summary"));
	html_kv(fp, _("Airings (broadcasts)"), num(a, f->aired.airings));
	html_kv(fp, _("Airtime"), hm(b, f->aired.airtime_ms));
	html_kv(fp, _("Bulletins aired (distinct)"), num(a, f->bulletins));
	snprintf(buf, sizeof(buf), _("%s airings, %s (%s of airtime)"), num(a, f->peak.airings), hm(b, f->peak.airtime_ms),
	    pct(c, rpt_pct10(f->peak.airtime_ms, f->aired.airtime_ms)));
	html_kv(fp, _("In peak periods"), buf);
	snprintf(buf, sizeof(buf), _("%s airings, %s"), num(a, f->normal.airings), hm(b, f->normal.airtime_ms));
	html_kv(fp, _("In normal times"), buf);
	snprintf(buf, sizeof(buf), _("%s airings, %s; %s not aired"), num(a, f->emergency.airings),
	    hm(b, f->emergency.airtime_ms), num(c, f->emergency_failed));
	html_kv(fp, _("Emergency broadcasts (counted apart)"), buf);
	if (f->live.airings > 0) {
		snprintf(buf, sizeof(buf), _("%s, %s"), num(a, f->live.airings), hm(b, f->live.airtime_ms));
		html_kv(fp, _("Live announcements (counted apart)"), buf);
	}
	pr(fp, "</table>\n<table class=\"kv\"><caption>%s</caption>\n", _("2. Plan and compliance"));
	if (f->plan_known) {
		html_kv(fp, _("Sessions planned"), num(a, f->planned_sessions));
		html_kv(fp, _("Sessions aired"), num(a, f->aired_sessions));
		pr(fp, "<tr class=\"big\"><th>%s</th><td class=\"n\">%s</td></tr>\n",
		    _("Compliance (sessions aired / planned)"), pct(c, rpt_pct10(f->aired_sessions, f->planned_sessions)));
		html_kv(fp, _("Sessions planned with no record in the log"), num(a, f->unaccounted_sessions));
		if (f->unplanned_sessions > 0)
			html_kv(fp, _("Sessions in the log the plan does not have"), num(a, f->unplanned_sessions));
	} else {
		pr(fp, "<tr><td colspan=\"2\">%s</td></tr>\n", _("The log holds no config the plan can be derived from: "
		    "sessions are not counted."));
	}
	html_kv(fp, _("Bulletin airings planned"), num(a, f->planned));
	snprintf(buf, sizeof(buf), "%s (%s)", num(a, f->complete), pct(c, rpt_pct10(f->complete, f->planned)));
	html_kv(fp, _("Aired complete"), buf);
	html_kv(fp, _("Aired, interrupted"), num(a, f->interrupted));
	html_kv(fp, _("Not aired (missed or failed)"), num(a, f->missed));
	html_kv(fp, _("Sessions with nothing to air"), num(a, f->no_content));
	fputs("</table></div>\n", fp);
}

static void
html_groups(FILE *fp, const struct rpt_figures *f)
{
	char a[NUMLEN], b[64], c[NUMLEN], p[NUMLEN], q[NUMLEN];

	pr(fp, "<div class=\"cols\"><table><caption>%s</caption>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
	    _("3. By content group"), _("Content group"), _("Airings"), _("Airtime"), _("Share"));
	for (int i = 0; i < f->ntopics; i++)
		pr(fp, "<tr><td><span class=\"sw\" style=\"background:%s\"></span>%s</td><td class=\"n\">%s</td>"
		    "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n", color(i), group_name(&f->topics[i], 0),
		    num(a, f->topics[i].c.airings), hm(b, f->topics[i].c.airtime_ms),
		    pct(c, rpt_pct10(f->topics[i].c.airtime_ms, f->aired.airtime_ms)));
	pr(fp, "</table>\n<table><caption>%s</caption>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
	    _("4. By period"), _("Period"), _("Airings"), _("Airtime"), _("Compliance"));
	for (int i = 0; i < f->nperiods; i++)
		pr(fp, "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
		    group_name(&f->periods[i], 1), num(a, f->periods[i].c.airings), hm(b, f->periods[i].c.airtime_ms),
		    pct(c, rpt_pct10(f->periods[i].aired, f->periods[i].planned)));
	fputs("</table></div>\n", fp);
	pr(fp, "<table><caption>%s</caption>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "</tr>\n", _("5. By month"), _("Month"), _("Airings"), _("Airtime"), _("Planned sessions"),
	    _("Aired sessions"), _("Compliance"));
	for (int i = 0; i < f->nmonths; i++) {
		char m[16];
		pr(fp, "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
		    "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n", month_text(m, f->months[i].id),
		    num(a, f->months[i].c.airings), hm(b, f->months[i].c.airtime_ms), num(p, f->months[i].planned),
		    num(q, f->months[i].aired), pct(c, rpt_pct10(f->months[i].aired, f->months[i].planned)));
	}
	fputs("</table>\n", fp);
	if (f->nrelays == 0)
		return;
	pr(fp, "<table><caption>%s</caption>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
	    _("5a. Relayed radio (tiếp sóng), counted apart"), _("Relay"), _("Planned"), _("Aired"), _("Compliance"),
	    _("Relayed airtime"));
	for (int i = 0; i < f->nrelays; i++)
		pr(fp, "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
		    "<td class=\"n\">%s</td></tr>\n", group_name(&f->relays[i], 0), num(p, f->relays[i].planned),
		    num(q, f->relays[i].aired), pct(c, rpt_pct10(f->relays[i].aired, f->relays[i].planned)),
		    hm(b, f->relays[i].c.airtime_ms));
	pr(fp, "<tr><td>%s</td><td class=\"n\" colspan=\"4\">%s; %s %s; %s %s</td></tr>\n", _("Relayed airtime"),
	    hm(b, f->relayed.airtime_ms), _("Stream dropouts"), num(a, f->relay_dropouts),
	    _("Fallback in place of a stream"), hm(p, f->relay_fallback_ms));
	fputs("</table>\n", fp);
}

static void
html_misses(FILE *fp, const struct render_site *s, int with_site)
{
	const struct rpt_figures *f = s->f;
	char w[32], what[512], why[512];

	for (int i = 0; i < f->nmisses; i++) {
		const struct rpt_miss *m = &f->misses[i];
		pr(fp, "<tr%s>", m->verified ? "" : " class=\"unv\"");
		if (with_site)
			pr(fp, "<td>%s</td>", site_id(s));
		pr(fp, "<td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", when_text(w, m->when), m->session,
		    miss_what(what, sizeof(what), m), miss_reason(why, sizeof(why), m));
	}
}

static void
html_integrity(FILE *fp, const struct render *rp, const struct render_site *s)
{
	char lines[8][768], cov[256];
	int n = integrity_lines(rp, s, lines, 8);

	pr(fp, "<div class=\"integrity %s\">", s->rc == 0 && rp->verify ? "good" : "bad");
	for (int i = 0; i < n; i++)
		pr(fp, "%s<br>\n", lines[i]);
	coverage_line(cov, sizeof(cov), s->f);
	pr(fp, "%s</div>\n", cov);
}

static const char css[] =
	"@page{size:A4;margin:13mm 12mm}\n"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"body{font-family:\"DejaVu Sans\",\"Liberation Sans\",Arial,sans-serif;font-size:8.6pt;color:#111;margin:0 auto;"
	"max-width:186mm;line-height:1.3}\n"
	"h1{font-size:12.5pt;margin:0 0 2px;text-transform:uppercase}h2{font-size:10pt;margin:8px 0 3px}\n"
	".sub{margin:0 0 4px}.integrity{border:1.5px solid;padding:4px 6px;margin:4px 0 6px}"
	".good{border-color:#2e8b3e;background:#eef8ef}.bad{border-color:#c8372d;background:#fdeeed;font-weight:bold}\n"
	"table{border-collapse:collapse;width:100%;margin:0 0 6px;page-break-inside:auto}"
	"caption{text-align:left;font-weight:bold;font-size:9.2pt;padding:2px 0}\n"
	"th,td{border:0.6px solid #999;padding:1.5px 4px;vertical-align:top}th{background:#eee;text-align:left;"
	"font-weight:600}\n"
	"td.n{text-align:right;white-space:nowrap}tr{page-break-inside:avoid}.kv th{width:auto}.kv td{width:1%}"
	".big td,.big th{font-size:10pt;font-weight:bold}\n"
	".cols{display:flex;gap:8px;align-items:flex-start}.cols>table{flex:1}.unv td{color:#a33}"
	".total td{font-weight:bold;border-top:1.5px solid #555}\n"
	".chart{width:100%;height:auto;display:block}.chart text{font-size:9px;fill:#333}"
	".chart .peakname{font-size:8.5px;fill:#7a5200}.peak{fill:#fbe3a6}.grid{stroke:#ddd;stroke-width:0.6}"
	".base{stroke:#555;stroke-width:0.8}\n"
	".legend{list-style:none;padding:0;margin:2px 0 6px;display:flex;flex-wrap:wrap;gap:2px 12px;font-size:8pt}"
	".sw{display:inline-block;width:8px;height:8px;margin-right:4px}\n"
	".notes{font-size:7.6pt;color:#333}.notes p{margin:2px 0}\n";

static void
html_notes(FILE *fp)
{
	pr(fp, "<div class=\"notes\"><h2>%s</h2>\n", _("Notes"));
	pr(fp, "<p>%s</p>\n", _("(1) Airing: a bulletin that went on air in a timed session, complete or interrupted, "
	    "counted on the day it started. Airtime: the sum of their durations as the log records them."));
	pr(fp, "<p>%s</p>\n", _("(2) Sessions planned: the sessions the timetable in force gives for each day the "
	    "log covers (the config the log records as applied, from its first config record to its last record; "
	    "peak periods and exception days included). A session counts as aired when at least one of its "
	    "bulletins aired complete. Compliance = sessions aired / sessions planned."));
	pr(fp, "<p>%s</p>\n", _("(3) Bulletin airings planned: every bulletin a session was planned to air = airings "
	    "+ not aired (missed records naming a bulletin, and failed airings)."));
	pr(fp, "<p>%s</p>\n", _("(4) Emergency broadcasts air outside the timetable and are counted apart, in no "
	    "other figure. Bulletins are told apart by the SHA-256 of their audio."));
	fputs("</div>\n", fp);
}

static void
write_html(const struct render *rp, const struct rpt_figures *tot, FILE *fp)
{
	const struct rpt_figures *f = rp->nsites == 1 ? rp->sites[0].f : tot;
	char r[128], head[512], a[NUMLEN], b[64], c[NUMLEN], p[NUMLEN], q[NUMLEN];
	long long nm = 0;

	range_text(r, sizeof(r), rp);
	pr(fp, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n", vi ? "vi" : "en");
	if (rp->nsites == 1)
		site_title(head, sizeof(head), &rp->sites[0]);
	else
		snprintf(head, sizeof(head), _("%d communes"), rp->nsites);
	pr(fp, "<title>%s — %s</title>\n<style>\n", head, r);
	fputs(css, fp);
	fputs("</style>\n</head>\n<body>\n", fp);
	pr(fp, "<h1>%s</h1>\n", rp->nsites == 1 ? _("REPORT ON BROADCASTS OVER THE COMMUNE LOUDSPEAKER SYSTEM") :
	    _("REPORT ON BROADCASTS OVER THE COMMUNE LOUDSPEAKER SYSTEMS"));
	pr(fp, "<p class=\"sub\"><b>%s:</b> %s<br><b>%s:</b> %s</p>\n", rp->nsites == 1 ? _("Commune") : _("Communes"),
	    head, _("Reporting period"), r);
	if (rp->nsites == 1) {
		html_integrity(fp, rp, &rp->sites[0]);
	} else {
		int bad = 0;
		for (int i = 0; i < rp->nsites; i++)
			bad += rp->sites[i].rc != 0 || !rp->verify;
		pr(fp, "<div class=\"integrity %s\">", bad ? "bad" : "good");
		if (bad == 0)
			pr(fp, "%s", _("Every airing log is intact (chain and seals checked)."));
		else
			pr(fp, _("%d of %d airing logs are not intact or not verified: see the table of communes."), bad,
			    rp->nsites);
		fputs("</div>\n", fp);
	}
	if (rp->nsites > 1) {
		pr(fp, "<table><caption>%s</caption>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
		    "<th>%s</th><th>%s</th></tr>\n", _("Communes"), _("Commune"), _("Airings"), _("Airtime"),
		    _("Planned sessions"), _("Aired sessions"), _("Compliance"), _("Not aired"), _("Log"));
		for (int i = 0; i < rp->nsites; i++) {
			const struct render_site *s = &rp->sites[i];
			char integ[1024], m2[NUMLEN];
			integrity_key(integ, sizeof(integ), rp, s);
			pr(fp, "<tr%s><td>%s (%s)</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
			    "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td title=\"%s\">%s</td>"
			    "</tr>\n", s->rc == 0 && rp->verify ? "" : " class=\"unv\"", site_name(s), site_id(s),
			    num(a, s->f->aired.airings), hm(b, s->f->aired.airtime_ms), num(p, s->f->planned_sessions),
			    num(q, s->f->aired_sessions), pct(c, rpt_pct10(s->f->aired_sessions, s->f->planned_sessions)),
			    num(m2, s->f->missed), integ, integrity_word(rp, s));
		}
		pr(fp, "<tr class=\"total\"><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
		    "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td></td></tr>\n", _("Total"),
		    num(a, tot->aired.airings), hm(b, tot->aired.airtime_ms), num(p, tot->planned_sessions),
		    num(q, tot->aired_sessions), pct(c, rpt_pct10(tot->aired_sessions, tot->planned_sessions)),
		    num(r, tot->missed));
		fputs("</table>\n", fp);
		for (int i = 0; i < rp->nsites; i++)
			if (rp->sites[i].rc != 0) {
				site_title(head, sizeof(head), &rp->sites[i]);
				pr(fp, "<h2>%s</h2>\n", head);
				html_integrity(fp, rp, &rp->sites[i]);
			}
	}
	html_summary(fp, f);
	pr(fp, "<h2>%s</h2>\n", _("Airtime per week, by content group"));
	html_chart(fp, f);
	html_groups(fp, f);
	for (int i = 0; i < rp->nsites; i++)
		nm += rp->sites[i].f->nmisses;
	pr(fp, "<table><caption>%s (%s)</caption>\n<tr>", _("6. Planned airings not aired"), num(a, nm));
	if (rp->nsites > 1)
		pr(fp, "<th>%s</th>", _("Site"));
	pr(fp, "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n", _("Scheduled"), _("Session"), _("Bulletin"),
	    _("Reason"));
	for (int i = 0; i < rp->nsites; i++)
		html_misses(fp, &rp->sites[i], rp->nsites > 1);
	if (nm == 0)
		pr(fp, "<tr><td colspan=\"%d\">%s</td></tr>\n", rp->nsites > 1 ? 5 : 4, _("Every planned airing aired."));
	fputs("</table>\n", fp);
	html_notes(fp);
	fputs("</body>\n</html>\n", fp);
}

/* --- entry ---------------------------------------------------------------------------- */

int
render_write(const struct render *rp, FILE *fp)
{
	struct rpt_figures tot;
	int many = rp->nsites > 1;

	vi = rp->vi;
	if (many) {
		rpt_sum_init(&tot, rp->from, rp->to);
		for (int i = 0; i < rp->nsites; i++)
			rpt_sum(&tot, rp->sites[i].f);
	}
	switch (rp->format) {
	case RENDER_TEXT:
		write_text(rp, many ? &tot : NULL, fp);
		break;
	case RENDER_CSV:
		write_csv(rp, many ? &tot : NULL, fp);
		break;
	case RENDER_JSON:
		write_json(rp, many ? &tot : NULL, fp);
		break;
	case RENDER_HTML:
		write_html(rp, many ? &tot : NULL, fp);
		break;
	case RENDER_LOGBOOK:
		write_logbook(rp, fp);
		break;
	}
	if (many)
		rpt_sum_free(&tot);
	return fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
}
