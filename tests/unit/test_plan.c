/* plan: filling order, fit, restrictions, emergencies, determinism, no overlap. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "config/cfg.h"
#include "scheduler/library.h"
#include "scheduler/plan.h"
#include "tests/unit/tap.h"

#define D(y, m, d) date_from_civil(y, m, d)

static struct cfg *
load(const char *body)
{
	static const char head[] = "version = 1; serial = 5; site = { id = \"xa\"; name = \"Xã\"; };\n"
	    "audio = { gap_ms = 1000; };\n";

	return tap_cfg(head, body);
}

static void
add(struct lib *l, const char *id, const char *topic, enum bul_level lv, long dur_ms)
{
	struct bulletin *b;

	l->b = realloc(l->b, (size_t)(l->n + 1) * sizeof(*l->b));
	b = &l->b[l->n++];
	memset(b, 0, sizeof(*b));
	b->id = strdup(id);
	b->title = strdup(id);
	b->topic = strdup(topic);
	b->file = strdup("audio/x.mp3");
	b->level = lv;
	b->valid_from = D(2026, 1, 1);
	b->valid_to = D(2026, 12, 31);
	b->duration_ms = dur_ms;
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(((const struct bulletin *)a)->id, ((const struct bulletin *)b)->id);
}

static void
finish(struct lib *l)
{
	qsort(l->b, (size_t)l->n, sizeof(*l->b), by_id);
}

static int
find(const struct lib *l, const char *id)
{
	return (int)(lib_find(l, id) - l->b);
}

struct rec {
	struct plan_item it[4096];
	int n;
};

static void
collect(void *arg, const struct plan_item *it)
{
	struct rec *r = arg;

	if (r->n < 4096)
		r->it[r->n++] = *it;
}

static const char one_session[] =
    "sessions = ( { id = \"m\"; days = \"daily\"; start = \"06:00\"; minutes = 5; } );\n";

static void
order_is_priority_then_least_recent_then_id(void)
{
	struct cfg *c = load(one_session);
	struct lib l = { 0 };
	struct planner *p;
	struct rec r = { .n = 0 };

	add(&l, "c", "law", BUL_NORMAL, 30000);
	add(&l, "a", "law", BUL_NORMAL, 30000);
	add(&l, "b", "law", BUL_NORMAL, 30000);
	add(&l, "z", "law", BUL_PRIORITY, 30000);
	finish(&l);
	p = plan_new(c, &l, 0);
	plan_set_last(p, "a", (long long)D(2026, 2, 1) * PLAN_DAY_MS);	/* a aired recently */
	plan_days(p, D(2026, 3, 1), D(2026, 3, 1), collect, NULL, &r);
	EXPECT_INT(r.n, 4);
	if (r.n == 4) {
		EXPECT_STR(r.it[0].b->id, "z");
		EXPECT_STR(r.it[1].b->id, "b");
		EXPECT_STR(r.it[2].b->id, "c");
		EXPECT_STR(r.it[3].b->id, "a");
	}
	plan_free(p);
	lib_free(&l);
	cfg_free(c);
}

static void
chime_and_gaps_are_counted_exactly(void)
{
	struct cfg *c = load(one_session);	/* 300 s; gap 1 s */
	struct lib l = { 0 };
	struct planner *p;
	struct rec r = { .n = 0 };

	/* chime 10 s: 10 + 1 + 140 + 1 + 147 = 299 fits; a third of 1 s would need 301 */
	add(&l, "a", "law", BUL_NORMAL, 140000);
	add(&l, "b", "law", BUL_NORMAL, 147000);
	add(&l, "c", "law", BUL_NORMAL, 1000);
	finish(&l);
	p = plan_new(c, &l, 10000);
	plan_days(p, D(2026, 3, 1), D(2026, 3, 1), collect, NULL, &r);
	EXPECT_INT(r.n, 2);
	if (r.n == 2) {
		EXPECT_INT(r.it[0].start_ms, 6 * 3600000L + 11000);
		EXPECT_INT(r.it[1].start_ms, 6 * 3600000L + 152000);
	}
	plan_free(p);
	/* without a chime, the first bulletin starts with the session */
	r.n = 0;
	p = plan_new(c, &l, 0);
	plan_days(p, D(2026, 3, 1), D(2026, 3, 1), collect, NULL, &r);
	EXPECT(r.n >= 1 && r.it[0].start_ms == 6 * 3600000L);
	plan_free(p);
	lib_free(&l);
	cfg_free(c);
}

/* a bulletin that ends exactly as the session does fits: 59.5 + 1 + 59.5 = 120 s */
static void
a_bulletin_ending_with_the_session_fits(void)
{
	struct cfg *c = load("sessions = ( { id = \"m\"; days = \"daily\"; start = \"06:00\"; minutes = 2; } );\n");
	struct lib l = { 0 };
	struct planner *p;
	struct rec r = { .n = 0 };

	EXPECT(c != NULL);
	if (c == NULL)
		return;
	add(&l, "a", "law", BUL_NORMAL, 59500);
	add(&l, "b", "law", BUL_NORMAL, 59500);
	finish(&l);
	p = plan_new(c, &l, 0);
	plan_days(p, D(2026, 3, 1), D(2026, 3, 1), collect, NULL, &r);
	EXPECT_INT(r.n, 2);
	if (r.n == 2)
		EXPECT_INT(r.it[1].start_ms + r.it[1].dur_ms, 6 * 3600000L + 120000);
	plan_free(p);
	lib_free(&l);
	cfg_free(c);
}

static void
a_long_bulletin_is_passed_over_not_blocking(void)
{
	struct cfg *c = load(one_session);
	struct lib l = { 0 };
	struct planner *p;
	struct rec r = { .n = 0 };

	add(&l, "a-long", "law", BUL_NORMAL, 400000);	/* longer than the session */
	add(&l, "b", "law", BUL_NORMAL, 60000);
	finish(&l);
	p = plan_new(c, &l, 0);
	plan_days(p, D(2026, 3, 1), D(2026, 3, 1), collect, NULL, &r);
	EXPECT_INT(r.n, 1);
	EXPECT(r.n == 1 && strcmp(r.it[0].b->id, "b") == 0);
	plan_free(p);
	lib_free(&l);
	cfg_free(c);
}

static void
each_bulletin_once_per_session_and_rotating(void)
{
	struct cfg *c = load(
	    "sessions = ( { id = \"m\"; days = \"daily\"; start = \"06:00\"; minutes = 2; },\n"
	    "             { id = \"e\"; days = \"daily\"; start = \"18:00\"; minutes = 2; } );\n");
	struct lib l = { 0 };
	struct planner *p;
	struct rec r = { .n = 0 };

	add(&l, "a", "law", BUL_NORMAL, 50000);
	add(&l, "b", "law", BUL_NORMAL, 50000);
	add(&l, "c", "law", BUL_NORMAL, 50000);
	finish(&l);
	p = plan_new(c, &l, 0);
	plan_days(p, D(2026, 3, 1), D(2026, 3, 1), collect, NULL, &r);
	/* 120 s holds two of 50 s (+1 s gap): a b | c a */
	EXPECT_INT(r.n, 4);
	if (r.n == 4) {
		EXPECT_STR(r.it[0].b->id, "a");
		EXPECT_STR(r.it[1].b->id, "b");
		EXPECT_STR(r.it[2].b->id, "c");
		EXPECT_STR(r.it[3].b->id, "a");
	}
	plan_free(p);
	lib_free(&l);
	cfg_free(c);
}

/* the same rotation among priority bulletins (a mutant that never rotated them survived every test) */
static void
priority_bulletins_rotate_too(void)
{
	struct cfg *c = load(
	    "sessions = ( { id = \"m\"; days = \"daily\"; start = \"06:00\"; minutes = 2; },\n"
	    "             { id = \"e\"; days = \"daily\"; start = \"18:00\"; minutes = 2; } );\n");
	struct lib l = { 0 };
	struct planner *p;
	struct rec r = { .n = 0 };
	int seen[3] = { 0, 0, 0 };

	add(&l, "a", "law", BUL_PRIORITY, 50000);
	add(&l, "b", "law", BUL_PRIORITY, 50000);
	add(&l, "c", "law", BUL_PRIORITY, 50000);
	add(&l, "n", "law", BUL_NORMAL, 50000);
	finish(&l);
	p = plan_new(c, &l, 0);
	plan_days(p, D(2026, 3, 1), D(2026, 3, 2), collect, NULL, &r);
	/* two a session, priority first, least recently aired first: a b | c a | b c | a b */
	EXPECT_INT(r.n, 8);
	if (r.n == 8) {
		EXPECT_STR(r.it[0].b->id, "a");
		EXPECT_STR(r.it[1].b->id, "b");
		EXPECT_STR(r.it[2].b->id, "c");
		EXPECT_STR(r.it[3].b->id, "a");
		EXPECT_STR(r.it[4].b->id, "b");
		EXPECT_STR(r.it[5].b->id, "c");
	}
	for (int i = 0; i < r.n; i++)
		if (r.it[i].b->id[0] >= 'a' && r.it[i].b->id[0] <= 'c')
			seen[r.it[i].b->id[0] - 'a']++;
	/* 8 airings among three: none twice as often as another, and the normal one never */
	EXPECT(seen[0] >= 2 && seen[1] >= 2 && seen[2] >= 2);
	EXPECT_INT(seen[0] + seen[1] + seen[2], 8);
	plan_free(p);
	lib_free(&l);
	cfg_free(c);
}

/* a relay's slot holds its stream: the planner puts no bulletin in it (the fallback is planned when needed) */
static void
a_relay_slot_gets_no_bulletin(void)
{
	struct cfg *c = load(
	    "sessions = ( { id = \"m\"; days = \"daily\"; start = \"06:00\"; minutes = 5; } );\n"
	    "relays = ( { id = \"vov1\"; url = \"http://x.vn/a.mp3\"; days = \"daily\"; start = \"07:00\"; minutes = 30; } );\n");
	struct lib l = { 0 };
	struct planner *p;
	struct rec r = { .n = 0 };

	add(&l, "a", "law", BUL_NORMAL, 50000);
	add(&l, "b", "law", BUL_PRIORITY, 50000);
	finish(&l);
	p = plan_new(c, &l, 0);
	plan_days(p, D(2026, 3, 1), D(2026, 3, 1), collect, NULL, &r);
	EXPECT_INT(r.n, 2);	/* both in "m", none in the relay */
	for (int i = 0; i < r.n; i++)
		EXPECT_STR(r.it[i].session, "m");
	plan_free(p);
	lib_free(&l);
	cfg_free(c);
}

static void
validity_topics_and_sessions_restrict_candidates(void)
{
	struct cfg *c = load(
	    "sessions = ( { id = \"m\"; days = \"daily\"; start = \"06:00\"; minutes = 10; topics = [ \"law\" ]; },\n"
	    "             { id = \"e\"; days = \"daily\"; start = \"18:00\"; minutes = 10; } );\n");
	struct lib l = { 0 };
	struct planner *p;
	struct rec r = { .n = 0 };

	add(&l, "expired", "law", BUL_NORMAL, 10000);
	add(&l, "local", "local", BUL_NORMAL, 10000);
	add(&l, "evening-only", "law", BUL_NORMAL, 10000);
	add(&l, "law", "law", BUL_NORMAL, 10000);
	finish(&l);
	l.b[find(&l, "expired")].valid_to = D(2026, 2, 28);
	{
		struct bulletin *b = &l.b[find(&l, "evening-only")];
		b->sessions = calloc(1, sizeof(char *));
		b->sessions[0] = strdup("e");
		b->nsessions = 1;
	}
	p = plan_new(c, &l, 0);
	plan_days(p, D(2026, 3, 1), D(2026, 3, 1), collect, NULL, &r);
	EXPECT_INT(r.n, 4);	/* m: law | e: evening-only, local, law */
	if (r.n == 4) {
		EXPECT_STR(r.it[0].b->id, "law");
		EXPECT_STR(r.it[0].session, "m");
		for (int i = 1; i < 4; i++)
			EXPECT_STR(r.it[i].session, "e");
		for (int i = 0; i < 4; i++)
			EXPECT(strcmp(r.it[i].b->id, "expired") != 0);
	}
	/* the last valid day is included */
	r.n = 0;
	plan_days(p, D(2026, 2, 28), D(2026, 2, 28), collect, NULL, &r);
	{
		int seen = 0;
		for (int i = 0; i < r.n; i++)
			seen |= strcmp(r.it[i].b->id, "expired") == 0;
		EXPECT(seen);
	}
	plan_free(p);
	lib_free(&l);
	cfg_free(c);
}

static void
emergencies_repeat_in_quiet_hours_and_push_session_items(void)
{
	struct cfg *c = load(
	    "quiet_hours = { from = \"21:30\"; to = \"05:00\"; };\n"
	    "sessions = ( { id = \"m\"; days = \"daily\"; start = \"06:00\"; minutes = 15; } );\n");
	struct lib l = { 0 };
	struct planner *p;
	struct rec r = { .n = 0 };
	struct bulletin *e;
	int ne = 0;

	add(&l, "a", "law", BUL_NORMAL, 120000);
	add(&l, "flood", "local", BUL_EMERGENCY, 60000);
	finish(&l);
	e = &l.b[find(&l, "flood")];
	e->repeat_minutes = 120;
	e->valid_from = e->valid_to = D(2026, 3, 1);
	e->imported = (long long)D(2026, 3, 1) * 86400 + 3600 * 2 + 1800 - 7 * 3600;	/* 02:30 local */
	e->imported_off = 7 * 3600;
	p = plan_new(c, &l, 0);
	plan_days(p, D(2026, 3, 1), D(2026, 3, 2), collect, NULL, &r);
	for (int i = 0; i < r.n; i++) {
		if (strcmp(r.it[i].b->id, "flood") == 0) {
			EXPECT_INT(r.it[i].day, D(2026, 3, 1));
			EXPECT_INT(r.it[i].start_ms, (2 * 60 + 30 + 120 * ne) * 60000L);
			EXPECT_STR(r.it[i].session, "emergency");
			ne++;
		}
		if (i > 0)
			EXPECT((long long)r.it[i].day * PLAN_DAY_MS + r.it[i].start_ms >=
			    (long long)r.it[i - 1].day * PLAN_DAY_MS + r.it[i - 1].start_ms + r.it[i - 1].dur_ms);
	}
	EXPECT_INT(ne, 11);	/* 02:30, 04:30, ... 22:30 */
	/* the 06:30 emergency sits inside the 06:00 session: "a" (06:00-06:02) is before it */
	plan_free(p);
	lib_free(&l);
	cfg_free(c);
}

static unsigned long long rng = 12345;	/* 64 bits on every target (armhf: long is 32) */

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

static void
random_library(struct lib *l, int n)
{
	static const char *const topics[] = { "law", "results", "examples", "rebuttal", "counterfeit", "local" };
	char id[32];

	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "b%04d", i);
		add(l, id, topics[rnd(6)], rnd(5) == 0 ? BUL_PRIORITY : BUL_NORMAL, 20000 + (long)rnd(300000));
		l->b[l->n - 1].valid_from = D(2026, 1, 1) + (int32_t)rnd(200);
		l->b[l->n - 1].valid_to = l->b[l->n - 1].valid_from + (int32_t)rnd(120);
	}
	finish(l);
}

static void
plan_is_deterministic_and_never_overlaps(void)
{
	struct cfg *c = cfg_load(TOP "/config/examples/cao-bang-hoa-an.cfg", &(struct diag){ 0 });
	struct lib l = { 0 };
	struct rec *r1 = calloc(1, sizeof(*r1)), *r2 = calloc(1, sizeof(*r2));
	struct planner *p;

	EXPECT(c != NULL);
	if (!c)
		return;
	random_library(&l, 60);
	for (int run = 0; run < 2; run++) {
		struct rec *r = run ? r2 : r1;
		p = plan_new(c, &l, 4000);
		plan_set_last(p, "b0007", (long long)D(2025, 12, 31) * PLAN_DAY_MS);
		plan_days(p, D(2026, 1, 20), D(2026, 3, 10), collect, NULL, r);
		plan_free(p);
	}
	EXPECT(r1->n > 100);
	EXPECT_INT(r1->n, r2->n);
	for (int i = 0; i < r1->n && i < r2->n; i++)
		if (r1->it[i].b != r2->it[i].b || r1->it[i].start_ms != r2->it[i].start_ms ||
		    r1->it[i].day != r2->it[i].day) {
			EXPECT(!"two runs differ");
			break;
		}
	for (int i = 0; i < r1->n; i++) {
		const struct plan_item *it = &r1->it[i];
		long long s = (long long)it->day * PLAN_DAY_MS + it->start_ms;
		if (!it->emergency) {
			long st = it->slot.start * 60000L;
			if (!(it->start_ms >= st + 4000 && it->start_ms + it->dur_ms <= st + it->slot.length_ms)) {
				EXPECT(!"an airing is outside its session");
				break;
			}
		}
		if (i > 0) {
			const struct plan_item *pv = &r1->it[i - 1];
			long long pe = (long long)pv->day * PLAN_DAY_MS + pv->start_ms + pv->dur_ms;
			if (s < pe + c->audio.gap_ms) {
				EXPECT(!"two airings overlap or lack their gap");
				break;
			}
		}
	}
	free(r1);
	free(r2);
	lib_free(&l);
	cfg_free(c);
}

int
main(void)
{
	tap_plan(10);
	TEST(order_is_priority_then_least_recent_then_id);
	TEST(chime_and_gaps_are_counted_exactly);
	TEST(a_bulletin_ending_with_the_session_fits);
	TEST(a_long_bulletin_is_passed_over_not_blocking);
	TEST(each_bulletin_once_per_session_and_rotating);
	TEST(priority_bulletins_rotate_too);
	TEST(a_relay_slot_gets_no_bulletin);
	TEST(validity_topics_and_sessions_restrict_candidates);
	TEST(emergencies_repeat_in_quiet_hours_and_push_session_items);
	TEST(plan_is_deterministic_and_never_overlaps);
	return tap_done();
}
