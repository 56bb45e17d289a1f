/*
 * plan: see plan.h.
 *
 * Cost. The candidates of each level are kept in one array in fill order
 * (least recently aired first, then id). Filling a session walks it once;
 * the bulletins it took are then moved to the end in airing order, which is
 * exactly where "most recently aired" puts them. So a session costs O(n) in
 * the library size and a year of sessions stays linear.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "scheduler/plan.h"

#define MAX_EMERG 512

struct planner {
	const struct cfg	*c;
	const struct lib	*l;
	long			 chime_ms;
	long long		*last;		/* per library index */
	int			*order[2];	/* [0] priority, [1] normal: library indices in fill order */
	int			 norder[2];
	int			*scratch;
	int			 sorted;
	long			 min_dur;
	struct sched		*s;
	int32_t			 s_lo, s_hi;
};

struct planner *
plan_new(const struct cfg *c, const struct lib *l, long chime_ms)
{
	struct planner *p = calloc(1, sizeof(*p));
	size_t n = (size_t)(l->n ? l->n : 1);

	if (p == NULL)
		return NULL;
	p->c = c;
	p->l = l;
	p->chime_ms = chime_ms;
	p->last = malloc(n * sizeof(*p->last));
	p->order[0] = malloc(n * sizeof(int));
	p->order[1] = malloc(n * sizeof(int));
	p->scratch = malloc(n * sizeof(int));
	if (!p->last || !p->order[0] || !p->order[1] || !p->scratch) {
		plan_free(p);
		return NULL;
	}
	p->min_dur = LONG_MAX;
	for (int i = 0; i < l->n; i++) {
		p->last[i] = LLONG_MIN;
		if (l->b[i].level != BUL_EMERGENCY && l->b[i].duration_ms < p->min_dur)
			p->min_dur = l->b[i].duration_ms;
	}
	return p;
}

void
plan_free(struct planner *p)
{
	if (p == NULL)
		return;
	sched_free(p->s);
	free(p->last);
	free(p->order[0]);
	free(p->order[1]);
	free(p->scratch);
	free(p);
}

static int
lib_index(const struct planner *p, const char *id)
{
	const struct bulletin *b = lib_find(p->l, id);

	return b ? (int)(b - p->l->b) : -1;
}

void
plan_set_last(struct planner *p, const char *id, long long when)
{
	int i = lib_index(p, id);

	if (i >= 0 && when > p->last[i])
		p->last[i] = when;
	p->sorted = 0;
}

long long
plan_get_last(const struct planner *p, const char *id)
{
	int i = lib_index(p, id);

	return i >= 0 ? p->last[i] : LLONG_MIN;
}

static const struct planner *sort_ctx;

static int
fill_order(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	long long lx = sort_ctx->last[x], ly = sort_ctx->last[y];

	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(sort_ctx->l->b[x].id, sort_ctx->l->b[y].id);
}

static void
sort_orders(struct planner *p)
{
	p->norder[0] = p->norder[1] = 0;
	for (int i = 0; i < p->l->n; i++) {
		const struct bulletin *b = &p->l->b[i];
		if (b->level == BUL_EMERGENCY)
			continue;
		int lv = b->level == BUL_PRIORITY ? 0 : 1;
		p->order[lv][p->norder[lv]++] = i;
	}
	sort_ctx = p;	/* qsort has no context argument; the planner is single-threaded */
	for (int lv = 0; lv < 2; lv++)
		qsort(p->order[lv], (size_t)p->norder[lv], sizeof(int), fill_order);
	sort_ctx = NULL;
	p->sorted = 1;
}

struct sched *
plan_sched(struct planner *p)
{
	return p->s;
}

static struct sched *
sched_for(struct planner *p, int32_t lo, int32_t hi)
{
	if (p->s == NULL || lo < p->s_lo || hi > p->s_hi) {
		sched_free(p->s);
		p->s = sched_new(p->c, lo, hi);
		p->s_lo = lo;
		p->s_hi = hi;
	}
	return p->s;
}

static const char *
period_id(const struct cfg_period *pp)
{
	return pp ? pp->id : "normal";
}

int
plan_emergencies(struct planner *p, int32_t day, struct plan_item *out, int max)
{
	long long d0 = (long long)day * PLAN_DAY_MS, d1 = d0 + PLAN_DAY_MS;
	int n = 0;

	for (int i = 0; i < p->l->n && n < max; i++) {
		const struct bulletin *b = &p->l->b[i];
		long long first, t, step, end;

		if (b->level != BUL_EMERGENCY || day < b->valid_from || day > b->valid_to)
			continue;
		first = (long long)b->valid_from * PLAN_DAY_MS;
		if (b->imported) {
			long long arr = (b->imported + b->imported_off) * 1000;
			if (arr > first)
				first = arr;
		}
		end = ((long long)b->valid_to + 1) * PLAN_DAY_MS;
		step = (long long)b->repeat_minutes * 60000;
		if (first >= d1 || first >= end)
			continue;
		if (step <= 0) {
			t = first;
			if (t < d0)
				continue;
		} else {
			t = first;
			if (t < d0)
				t = first + (d0 - first + step - 1) / step * step;
		}
		for (; t < d1 && t < end && n < max; t += step) {
			const struct cfg_period *pp = NULL;
			out[n++] = (struct plan_item){ .day = day, .start_ms = (long)(t - d0), .dur_ms = b->duration_ms,
				.b = b, .session = "emergency", .emergency = 1 };
			pp = sched_first_active(sched_for(p, day, day), day);
			out[n - 1].period = period_id(pp);
			if (step <= 0)
				break;
		}
	}
	/* in time order; equal times by id */
	for (int i = 1; i < n; i++) {
		struct plan_item it = out[i];
		int j = i;
		while (j > 0 && (out[j - 1].start_ms > it.start_ms ||
		    (out[j - 1].start_ms == it.start_ms && strcmp(out[j - 1].b->id, it.b->id) > 0))) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = it;
	}
	return n;
}

static int
eligible(const struct planner *p, const struct bulletin *b, const struct sched_slot *sl)
{
	(void)p;
	return bul_valid_on(b, sl->day) && cfg_session_allows_topic(sl->session, b->topic) &&
	    bul_allows_session(b, sl->session->id);
}

/* the start at or after t where [s, s + dur) overlaps no emergency airing */
static long
past_emergencies(const struct plan_item *em, int nem, long s, long dur, long gap)
{
	for (int again = 1; again;) {
		again = 0;
		for (int i = 0; i < nem; i++) {
			long e0 = em[i].start_ms, e1 = e0 + em[i].dur_ms;
			if (s < e1 && s + dur > e0) {
				s = e1 + gap;
				again = 1;
			}
		}
	}
	return s;
}

static int
fill(struct planner *p, const struct sched_slot *sl, const struct plan_item *em, int nem,
    struct plan_item *out, int max, int commit)
{
	long start = sl->start * 60000L, end = start + sl->length_ms;
	long gap = p->c->audio.gap_ms, t = start + p->chime_ms;
	int n = 0, first = 1;

	if (sl->session->relay)
		return 0;	/* a relay's content is its stream; the fallback is planned when it is needed */
	if (!p->sorted)
		sort_orders(p);
	for (int lv = 0; lv < 2 && n < max; lv++) {
		int taken = 0, k = 0;

		for (int j = 0; j < p->norder[lv] && n < max; j++) {
			int idx = p->order[lv][j];
			const struct bulletin *b = &p->l->b[idx];
			long s;

			if (end - t < gap + p->min_dur)
				break;	/* nothing can fit any more */
			if (!eligible(p, b, sl))
				continue;
			s = t + (first && p->chime_ms == 0 ? 0 : gap);
			s = past_emergencies(em, nem, s, b->duration_ms, gap);
			if (s + b->duration_ms > end)
				continue;
			out[n++] = (struct plan_item){ .day = sl->day, .start_ms = s, .dur_ms = b->duration_ms, .b = b,
				.session = sl->session->id, .period = period_id(sl->period), .slot = *sl };
			t = s + b->duration_ms;
			first = 0;
			p->scratch[taken++] = idx;
			if (commit)
				p->last[idx] = (long long)sl->day * PLAN_DAY_MS + s;
		}
		if (taken == 0 || !commit)
			continue;
		/* move the taken ones to the end, in airing order: most recently aired */
		for (int j = 0; j < p->norder[lv]; j++) {
			int idx = p->order[lv][j], was = 0;
			for (int q = 0; q < taken; q++)
				if (p->scratch[q] == idx) {
					was = 1;
					break;
				}
			if (!was)
				p->order[lv][k++] = idx;
		}
		memcpy(p->order[lv] + k, p->scratch, (size_t)taken * sizeof(int));
	}
	return n;
}

int
plan_slot(struct planner *p, const struct sched_slot *sl, struct plan_item *out, int max, int commit)
{
	struct plan_item em[MAX_EMERG];
	int nem = plan_emergencies(p, sl->day, em, MAX_EMERG);

	return fill(p, sl, em, nem, out, max, commit);
}

static int
by_time(const void *a, const void *b)
{
	const struct plan_item *x = a, *y = b;

	if (x->start_ms != y->start_ms)
		return x->start_ms < y->start_ms ? -1 : 1;
	return x->emergency - y->emergency;	/* a session's own first, then an emergency */
}

int
plan_days(struct planner *p, int32_t from, int32_t to, plan_fn fn,
    void (*slot_fn)(void *, const struct sched_slot *, int), void *arg)
{
	struct sched_slot sl[SCHED_MAX_SLOTS];
	int counts[SCHED_MAX_SLOTS];
	struct plan_item *items, *em;
	int total = 0, cap = 4096;

	items = malloc((size_t)cap * sizeof(*items));
	em = malloc(MAX_EMERG * sizeof(*em));
	if (items == NULL || em == NULL) {
		free(items);
		free(em);
		return -1;
	}
	sched_for(p, from, to);
	for (int32_t day = from; day <= to; day++) {
		int nsl = sched_day(p->s, day, sl, SCHED_MAX_SLOTS);
		int nem = plan_emergencies(p, day, em, MAX_EMERG), n = 0, j = 0;

		for (int i = 0; i < nsl; i++) {
			counts[i] = fill(p, &sl[i], em, nem, items + n, cap - nem - n, 1);
			n += counts[i];
		}
		memcpy(items + n, em, (size_t)nem * sizeof(*em));
		n += nem;
		qsort(items, (size_t)n, sizeof(*items), by_time);	/* sessions never overlap: stable enough */
		for (int i = 0; i < nsl; i++) {
			while (j < n && items[j].start_ms < sl[i].start * 60000L)
				fn(arg, &items[j++]);
			if (slot_fn)
				slot_fn(arg, &sl[i], counts[i]);
		}
		while (j < n)
			fn(arg, &items[j++]);
		total += n;
	}
	free(items);
	free(em);
	return total;
}
