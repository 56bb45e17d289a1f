/*
 * bench_plan: plans a whole year of the Cao Bằng example for libraries of
 * 1,000 and 10,000 bulletins (random topics, lengths 20 s - 5 min, validity
 * windows of up to four months spread over the year) and prints one table
 * row each: the 10,000 row's peer is the 1,000 run, so the ratio shows how
 * the cost grows. The 10,000 library is the 1,000 one ten times over (each
 * bulletin copied with new ids), so the two rows plan the same kind of
 * work and only its size differs. Best of five runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "config/cfg.h"
#include "scheduler/library.h"
#include "scheduler/plan.h"

static unsigned long rng = 42;

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rng >> 33) % n);
}

static void
make_library(struct lib *l, int n)
{
	static const char *const topics[] = { "law", "results", "examples", "rebuttal", "counterfeit", "local" };
	char id[32];

	memset(l, 0, sizeof(*l));
	l->b = calloc((size_t)n, sizeof(*l->b));
	for (int i = 0; i < n; i++) {
		struct bulletin *b = &l->b[i];
		snprintf(id, sizeof(id), "b%06d", i);
		b->id = strdup(id);
		b->title = strdup(id);
		b->topic = strdup(topics[rnd(6)]);
		b->file = strdup("audio/x.mp3");
		b->level = rnd(10) == 0 ? BUL_PRIORITY : BUL_NORMAL;
		b->duration_ms = 20000 + (long)rnd(280000);
		b->valid_from = date_from_civil(2026, 1, 1) + (int32_t)rnd(330);
		b->valid_to = b->valid_from + 7 + (int32_t)rnd(120);
	}
	l->n = n;
}

/* the library `from` grown `k` times: each bulletin copied k times under new ids */
static void
grow_library(struct lib *l, const struct lib *from, int k)
{
	char id[32];

	memset(l, 0, sizeof(*l));
	l->b = calloc((size_t)from->n * (size_t)k, sizeof(*l->b));
	for (int i = 0; i < from->n * k; i++) {
		const struct bulletin *o = &from->b[i % from->n];
		struct bulletin *b = &l->b[i];

		snprintf(id, sizeof(id), "b%06d", i);
		b->id = strdup(id);
		b->title = strdup(id);
		b->topic = strdup(o->topic);
		b->file = strdup(o->file);
		b->level = o->level;
		b->duration_ms = o->duration_ms;
		b->valid_from = o->valid_from;
		b->valid_to = o->valid_to;
	}
	l->n = from->n * k;
}

static long count;

static void
on_item(void *arg, const struct plan_item *it)
{
	(void)arg;
	(void)it;
	count++;
}

static double
plan_year(const struct cfg *c, const struct lib *l)
{
	double best = 1e9;

	for (int run = 0; run < 5; run++) {
		struct timespec a, b;
		struct planner *p = plan_new(c, l, 4000);
		count = 0;
		clock_gettime(CLOCK_MONOTONIC, &a);
		plan_days(p, date_from_civil(2026, 1, 1), date_from_civil(2026, 12, 31), on_item, NULL, NULL);
		clock_gettime(CLOCK_MONOTONIC, &b);
		plan_free(p);
		double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		if (ms < best)
			best = ms;
	}
	return best;
}

int
main(int argc, char **argv)
{
	struct diag d;
	struct cfg *c;
	struct lib l1, l10;
	double t1, t10;

	diag_init(&d);
	c = cfg_load(argc > 1 ? argv[1] : "config/examples/cao-bang-hoa-an.cfg", &d);
	if (c == NULL) {
		diag_print(&d, stderr);
		return 1;
	}
	make_library(&l1, 1000);
	grow_library(&l10, &l1, 10);
	t1 = plan_year(c, &l1);
	long n1 = count;
	t10 = plan_year(c, &l10);
	/* measure|loaxa|peer|ratio|target */
	printf("plan a year, 1,000 bulletins (%ld airings)|%.1f ms|-|-|-\n", n1, t1);
	printf("plan a year, 10,000 bulletins: the 1,000 ten times over (%ld airings)|%.1f ms|%.1f ms (1,000)|%.2fx|< 200 ms, <= 12x\n", count,
	    t10, t1, t10 / t1);
	lib_free(&l1);
	lib_free(&l10);
	cfg_free(c);
	return 0;
}
