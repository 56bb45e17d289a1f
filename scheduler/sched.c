/*
 * sched: see sched.h.
 *
 * Period windows. A window is inclusive at both ends. MM-DD windows recur
 * every solar year, lunar MM-DD windows every lunar year (the non-leap
 * month), and a window whose end comes before its start ends in the next
 * (solar or lunar) year. A lunar day 30 in a month of 29 days means that
 * month's last day: "lunar 12-30" is New Year's Eve in every year.
 */
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/translate.h"
#include "scheduler/lunar.h"
#include "scheduler/sched.h"

#define MAXWIN 16

struct pwin {
	struct sched_window	*w;
	int			 n;
};

struct sched {
	const struct cfg	*c;
	int32_t			 lo, hi;
	struct pwin		*p;	/* per period, windows intersecting [lo - 1y, hi + 1y] */
};

static int32_t
lunar_day(int ly, int m, int d)
{
	int len = lunar_month_length(ly, m, 0);

	if (len == 0)
		return DATE_NONE;
	if (d > len)
		d = len;
	return lunar_to_solar(ly, m, d, 0);
}

int
sched_windows(const struct cfg_period *p, int32_t lo, int32_t hi, struct sched_window *out, int max)
{
	int ylo, yhi, m, d, n = 0;
	int wraps = p->to.m * 100 + p->to.d < p->from.m * 100 + p->from.d;

	date_to_civil(lo, &ylo, &m, &d);
	date_to_civil(hi, &yhi, &m, &d);
	if (p->from.kind == CFG_WD_ONCE) {
		struct sched_window w = { date_from_civil(p->from.y, p->from.m, p->from.d),
			date_from_civil(p->to.y, p->to.m, p->to.d) };
		if (w.to >= lo && w.from <= hi && max > 0)
			out[n++] = w;
		return n;
	}
	for (int y = ylo - 2; y <= yhi + 1 && n < max; y++) {
		struct sched_window w;

		if (p->from.kind == CFG_WD_ANNUAL) {
			w.from = date_from_civil(y, p->from.m, p->from.d);
			w.to = date_from_civil(y + wraps, p->to.m, p->to.d);
		} else {
			w.from = lunar_day(y, p->from.m, p->from.d);
			w.to = lunar_day(y + wraps, p->to.m, p->to.d);
			if (w.from == DATE_NONE || w.to == DATE_NONE)
				continue;	/* outside the calendar's range */
		}
		if (w.to >= lo && w.from <= hi && w.to >= w.from)
			out[n++] = w;
	}
	return n;
}

struct sched *
sched_new(const struct cfg *c, int32_t lo, int32_t hi)
{
	struct sched *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->c = c;
	s->lo = lo;
	s->hi = hi;
	s->p = calloc((size_t)(c->nperiods ? c->nperiods : 1), sizeof(*s->p));
	if (s->p == NULL) {
		free(s);
		return NULL;
	}
	for (int i = 0; i < c->nperiods; i++) {
		/* one window per (lunar) year of the range, plus the neighbours */
		int years = (hi - lo) / 354 + 6;
		s->p[i].w = calloc((size_t)years, sizeof(struct sched_window));
		if (s->p[i].w == NULL) {
			sched_free(s);
			return NULL;
		}
		s->p[i].n = sched_windows(&c->periods[i], lo, hi, s->p[i].w, years);
	}
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	for (int i = 0; s->p && i < s->c->nperiods; i++)
		free(s->p[i].w);
	free(s->p);
	free(s);
}

int
sched_active(struct sched *s, const struct cfg_period *p, int32_t day)
{
	struct sched_window tmp[MAXWIN];
	const struct sched_window *w;
	int n;

	if (day >= s->lo && day <= s->hi) {
		int i = (int)(p - s->c->periods);
		w = s->p[i].w;
		n = s->p[i].n;
	} else {
		n = sched_windows(p, day, day, tmp, MAXWIN);
		w = tmp;
	}
	for (int i = 0; i < n; i++)
		if (day >= w[i].from && day <= w[i].to)
			return 1;
	return 0;
}

const struct cfg_period *
sched_first_active(struct sched *s, int32_t day)
{
	for (int i = 0; i < s->c->nperiods; i++)
		if (sched_active(s, &s->c->periods[i], day))
			return &s->c->periods[i];
	return NULL;
}

static long long
floormod(long long a, long long b)
{
	long long r = a % b;

	return r < 0 ? r + b : r;
}

int
sched_session_on(const struct cfg_session *s, int32_t day)
{
	int wd = date_weekday(day), y, m, d, k;

	if (s->every_weeks > 1) {
		int32_t monday = day - wd;
		int32_t amonday = s->anchor - date_weekday(s->anchor);
		if (floormod((monday - amonday) / 7, s->every_weeks) != 0)
			return 0;
	}
	if (s->days.weekly & (1u << wd))
		return 1;
	if (s->days.nth[wd] == 0)
		return 0;
	date_to_civil(day, &y, &m, &d);
	k = (d - 1) / 7;	/* 0: first such weekday of the month */
	if (s->days.nth[wd] & (1u << k))
		return 1;
	if ((s->days.nth[wd] & CFG_NTH_LAST) && d + 7 > date_days_in_month(y, m))
		return 1;
	return 0;
}

static int
by_start(const void *a, const void *b)
{
	const struct sched_slot *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return strcmp(x->session->id, y->session->id);
}

static long
scaled(int minutes, double scale)
{
	return (long)(minutes * 60000.0 * scale + 0.5);
}

int
sched_day(struct sched *s, int32_t day, struct sched_slot *out, int max)
{
	const struct cfg *c = s->c;
	const struct cfg_period *first = NULL;
	double scale = 0;
	int n = 0, replace = 0, any = 0;

	for (int i = 0; i < c->nperiods; i++) {
		if (!sched_active(s, &c->periods[i], day))
			continue;
		if (!any)
			first = &c->periods[i];
		any = 1;
		if (c->periods[i].scale > scale)
			scale = c->periods[i].scale;
		replace |= c->periods[i].replace;
	}
	if (!any)
		scale = 1.0;

	for (int e = 0; e < c->nexceptions; e++) {
		const struct cfg_exception *ex = &c->exceptions[e];
		if (ex->date != day)
			continue;
		for (int i = 0; i < ex->nnamed && n < max; i++) {
			const struct cfg_session *ss = ex->named[i];
			out[n++] = (struct sched_slot){ ss, ss->period ? ss->period : first, day, ss->start,
				scaled(ss->minutes, 1.0), 1.0 };
		}
		for (int i = 0; i < ex->nsessions && n < max; i++) {
			const struct cfg_session *ss = &ex->sessions[i];
			out[n++] = (struct sched_slot){ ss, first, day, ss->start, scaled(ss->minutes, 1.0), 1.0 };
		}
		qsort(out, (size_t)n, sizeof(*out), by_start);
		return n;
	}

	if (!replace)
		for (int i = 0; i < c->nsessions && n < max; i++)
			if (sched_session_on(&c->sessions[i], day))
				out[n++] = (struct sched_slot){ &c->sessions[i], first, day, c->sessions[i].start,
					scaled(c->sessions[i].minutes, scale), scale };
	for (int p = 0; p < c->nperiods; p++) {
		const struct cfg_period *pp = &c->periods[p];
		if (pp->nsessions == 0 || !sched_active(s, pp, day))
			continue;
		for (int i = 0; i < pp->nsessions && n < max; i++)
			if (sched_session_on(&pp->sessions[i], day))
				out[n++] = (struct sched_slot){ &pp->sessions[i], pp, day, pp->sessions[i].start,
					scaled(pp->sessions[i].minutes, scale), scale };
	}
	qsort(out, (size_t)n, sizeof(*out), by_start);
	return n;
}

/* --- loaxa check's calendar checks ---------------------------------------- */

struct seen {
	const struct cfg_session *a, *b;
	int kind;
};

struct checker {
	const struct cfg	*c;
	struct diag		*d;
	struct seen		*seen;
	int			 nseen, cap, count;
};

static int
once(struct checker *k, const struct cfg_session *a, const struct cfg_session *b, int kind)
{
	for (int i = 0; i < k->nseen; i++)
		if (k->seen[i].a == a && k->seen[i].b == b && k->seen[i].kind == kind)
			return 0;
	if (k->nseen == k->cap) {
		int ncap = k->cap ? k->cap * 2 : 16;
		struct seen *ns = realloc(k->seen, (size_t)ncap * sizeof(*ns));
		if (ns == NULL)
			return 1;
		k->seen = ns;
		k->cap = ncap;
	}
	k->seen[k->nseen++] = (struct seen){ a, b, kind };
	return 1;
}

static void
hhmm(long ms, char buf[6])
{
	long m = ms / 60000;

	buf[0] = (char)('0' + m / 600 % 10);
	buf[1] = (char)('0' + m / 60 % 10);
	buf[2] = ':';
	buf[3] = (char)('0' + m % 60 / 10);
	buf[4] = (char)('0' + m % 10);
	buf[5] = '\0';
}

static int
quiet_overlap(const struct cfg *c, long start_ms, long end_ms)
{
	/* minute by minute is plain and cheap enough: a day has 1440 */
	for (long m = start_ms / 60000; m * 60000 < end_ms; m++)
		if (cfg_in_quiet(c, (int)(m % 1440)))
			return 1;
	return 0;
}

static void
check_day(struct checker *k, struct sched *s, int32_t day)
{
	struct sched_slot sl[SCHED_MAX_SLOTS];
	char date[11], a0[6], a1[6], b0[6], b1[6];
	int n = sched_day(s, day, sl, SCHED_MAX_SLOTS);

	date_format(day, date);
	for (int i = 0; i < n; i++) {
		long st = sl[i].start * 60000L, en = st + sl[i].length_ms;
		const struct cfg_session *ss = sl[i].session;

		if (en > 24L * 3600000 && once(k, ss, NULL, 1)) {
			hhmm(st, a0);
			diag_add(k->d, k->c->file, ss->line,
			    _("session \"%s\" starts at %s and runs past midnight on %s (%ld minutes with the scale of "
			      "that day); end it by 24:00"), ss->id, a0, date, sl[i].length_ms / 60000);
			k->count++;
		}
		if (k->c->quiet.present && quiet_overlap(k->c, st, en) && once(k, ss, NULL, 2)) {
			hhmm(st, a0);
			hhmm(en, a1);
			hhmm(k->c->quiet.from * 60000L, b0);
			hhmm(k->c->quiet.to * 60000L, b1);
			diag_add(k->d, k->c->file, ss->line,
			    _("session \"%s\" (%s-%s on %s) reaches into quiet hours %s-%s, when only emergencies "
			      "air; move it or shorten it"), ss->id, a0, a1, date, b0, b1);
			k->count++;
		}
		for (int j = i + 1; j < n; j++) {
			long st2 = sl[j].start * 60000L;
			const struct cfg_session *s2 = sl[j].session;
			if (st2 >= en)
				break;
			if (once(k, ss, s2, 0)) {
				hhmm(st, a0);
				hhmm(en, a1);
				hhmm(st2, b0);
				hhmm(st2 + sl[j].length_ms, b1);
				diag_add(k->d, k->c->file, s2->line > ss->line ? s2->line : ss->line,
				    _("sessions \"%s\" (%s-%s) and \"%s\" (%s-%s) overlap on %s; move one or shorten "
				      "it"), ss->id, a0, a1, s2->id, b0, b1, date);
				k->count++;
			}
		}
	}
}

int
sched_check(const struct cfg *c, int32_t from, struct diag *d)
{
	struct checker k = { .c = c, .d = d };
	int32_t to = from + 3 * 366;
	struct sched *s = sched_new(c, from, to);

	if (s == NULL)
		return -1;
	for (int32_t day = from; day <= to; day++)
		check_day(&k, s, day);
	/* what the three years do not reach: far exceptions and one-off windows */
	for (int e = 0; e < c->nexceptions; e++)
		if (c->exceptions[e].date < from || c->exceptions[e].date > to)
			check_day(&k, s, c->exceptions[e].date);
	for (int p = 0; p < c->nperiods; p++) {
		const struct cfg_period *pp = &c->periods[p];
		if (pp->from.kind != CFG_WD_ONCE)
			continue;
		int32_t a = date_from_civil(pp->from.y, pp->from.m, pp->from.d);
		int32_t b = date_from_civil(pp->to.y, pp->to.m, pp->to.d);
		for (int32_t day = a; day <= b && day <= a + 366; day++)
			if (day < from || day > to)
				check_day(&k, s, day);
	}
	sched_free(s);
	free(k.seen);
	diag_sort(d);
	return k.count;
}
