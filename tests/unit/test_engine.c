/*
 * engine: the daemon's scheduling, airing and logging under the virtual
 * clock (sim), with a real airing log and a real library in a temporary
 * folder. Each test reads the log back to see what an auditor would see.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/durable.h"
#include "config/cfg.h"
#include "firmware/engine.h"
#include "firmware/sim.h"
#include "scheduler/airlog.h"
#include "scheduler/library.h"
#include "scheduler/plan.h"
#include "tests/unit/tap.h"

#define MIN 60000LL
#define HOUR (60 * MIN)

static char dir[256];
static char current[300];

static long long
at(int y, int m, int d, int hh, int mm)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = hh, .tm_min = mm,
		.tm_isdst = -1 };

	return (long long)mktime(&tm) * 1000;
}

static void
put(const char *id, const char *topic, enum bul_level lv, long dur, long long imported_ms, int repeat)
{
	struct bulletin b = { 0 };
	char path[PATH_MAX], lib[300], sha[65];
	FILE *fp;

	snprintf(lib, sizeof(lib), "%s/library", dir);
	lib_init(lib);
	snprintf(sha, sizeof(sha), "%064x", (unsigned)strlen(id) * 7919u + (unsigned)id[0] * 31u + (unsigned)id[1]);
	snprintf(path, sizeof(path), "%s/audio/%s.mp3", lib, sha);
	fp = fopen(path, "w");
	if (fp)
		fclose(fp);
	b.id = (char *)(uintptr_t)id;
	b.title = (char *)(uintptr_t)id;
	b.topic = (char *)(uintptr_t)topic;
	b.level = lv;
	b.valid_from = date_from_civil(2026, 1, 1);
	b.valid_to = date_from_civil(2026, 12, 31);
	b.source = BUL_PROVINCE;
	snprintf(path, sizeof(path), "audio/%s.mp3", sha);
	b.file = path;
	memcpy(b.sha256, sha, 65);
	b.duration_ms = dur;
	b.loudness_lufs = -18;
	b.true_peak_db = -3;
	if (imported_ms) {
		b.imported = imported_ms / 1000;
		b.imported_off = 7 * 3600;
		b.repeat_minutes = repeat;
		b.valid_from = b.valid_to = date_local_day(b.imported, 7 * 3600);
	}
	lib_put(lib, &b);
}

struct world {
	struct cfg	*c;
	struct airlog	*log;
	struct sim	*sim;
	struct engine	*e;
};

static const char config[] =
    "version = 1; serial = 3; site = { id = \"xa-thu\"; name = \"Xã Thử\"; };\n"
    "paths = { library = \"library\"; airlog = \"airlog\"; inbox = \"inbox\"; state = \"state\"; run = \"run\"; };\n"
    "audio = { gap_ms = 1000; };\n"
    "quiet_hours = { from = \"21:30\"; to = \"05:00\"; };\n"
    "time = { grace_minutes = 20; };\n"
    "sessions = ( { id = \"morning\"; days = \"daily\"; start = \"06:00\"; minutes = 10; },\n"
    "             { id = \"evening\"; days = \"daily\"; start = \"18:00\"; minutes = 10; } );\n";

static const char relay_config[] =
    "version = 1; serial = 3; site = { id = \"xa-thu\"; name = \"Xã Thử\"; };\n"
    "paths = { library = \"library\"; airlog = \"airlog\"; inbox = \"inbox\"; state = \"state\"; run = \"run\"; };\n"
    "audio = { gap_ms = 1000; };\n"
    "sessions = ( );\n"
    "relays = ( { id = \"vov1\"; url = \"https://example.vn/vov1.m3u8\"; days = \"daily\"; start = \"07:00\";\n"
    "             minutes = 10; fallback = \"bulletins\"; fallback_after = 10; } );\n";
/* the national news, then the province's station on the minute it ends */
static const char adjacent_config[] =
    "version = 1; serial = 3; site = { id = \"xa-thu\"; name = \"Xã Thử\"; };\n"
    "paths = { library = \"library\"; airlog = \"airlog\"; inbox = \"inbox\"; state = \"state\"; run = \"run\"; };\n"
    "audio = { gap_ms = 1000; };\n"
    "sessions = ( );\n"
    "relays = ( { id = \"vov1\"; url = \"https://example.vn/vov1.m3u8\"; days = \"daily\"; start = \"07:00\";\n"
    "             minutes = 10; fallback = \"silence\"; },\n"
    "           { id = \"tinh\"; url = \"http://radio.example.vn/cb.mp3\"; days = \"daily\"; start = \"07:10\";\n"
    "             minutes = 20; fallback = \"silence\"; } );\n";
static const char live_config[] =
    "version = 1; serial = 3; site = { id = \"xa-thu\"; name = \"Xã Thử\"; };\n"
    "paths = { library = \"library\"; airlog = \"airlog\"; inbox = \"inbox\"; state = \"state\"; run = \"run\"; };\n"
    "audio = { gap_ms = 1000; };\n"
    "live = { device = \"plughw:1,0\"; gpio_line = 22; };\n"
    "sessions = ( { id = \"morning\"; days = \"daily\"; start = \"06:00\"; minutes = 10; } );\n";
static const char *cfgtext = config;

static void
fresh(void)
{
	char seed[65], pub[128], err[256], state[PATH_MAX];

	if (dir[0] && durable_rmtree(dir) < 0) {
		tap_fail(__FILE__, __LINE__, "cannot remove %s", dir);
		return;
	}
	snprintf(dir, sizeof(dir), "/tmp/loaxa-engine-XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(state, sizeof(state), "%s/state", dir);
	durable_mkdirs(state, 0700);
	if (airlog_init(state, seed, pub, sizeof(pub), err, sizeof(err)) < 0)
		tap_fail(__FILE__, __LINE__, "airlog_init: %s", err);
	put("a-law", "law", BUL_NORMAL, 2 * MIN, 0, 0);
	put("b-local", "local", BUL_NORMAL, 2 * MIN, 0, 0);
	put("c-fake", "counterfeit", BUL_NORMAL, 2 * MIN, 0, 0);
}

static int
boot(struct world *w, long long start_ms, int synced)
{
	struct engine_env env = { 0 };
	char err[256], path[PATH_MAX];
	struct diag d;

	diag_init(&d);
	w->c = cfg_load_string(cfgtext, "t.cfg", dir, &d);
	diag_free(&d);
	if (w->c == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/airlog", dir);
	durable_mkdirs(path, 0755);
	w->log = airlog_open(w->c->paths.airlog, w->c->paths.state, w->c->site.id, err, sizeof(err));
	if (w->log == NULL) {
		printf("# airlog_open: %s\n", err);
		return -1;
	}
	airlog_set_durable(w->log, 0);
	w->sim = sim_new(start_ms);
	sim_set_synced(w->sim, synced);
	sim_env(w->sim, &env);
	env.log = w->log;
	env.boot_id = "test";
	snprintf(current, sizeof(current), "%s/state/current.json", dir);
	env.current_path = current;
	w->e = engine_new(w->c, &env, err, sizeof(err));
	engine_start(w->e);
	return 0;
}

static void
halt(struct world *w, const char *why)
{
	if (why)
		engine_stop(w->e, why);
	engine_free(w->e);
	airlog_close(w->log);
	sim_free(w->sim);
	memset(w, 0, sizeof(*w));
}

/* counts records of type whose field key equals val (key NULL: all of type) */
static int
count(const char *type, const char *key, const char *val)
{
	char path[PATH_MAX], err[256];
	struct airlog_iter *it;
	const char *line;
	size_t len;
	json_t *r;
	int n = 0, rc;

	snprintf(path, sizeof(path), "%s/airlog", dir);
	if ((it = airlog_iter_open(path, err, sizeof(err))) == NULL)
		return -1;
	while ((rc = airlog_iter_next(it, &r, &line, &len)) != 0) {
		const char *t, *v;
		if (rc != 1)
			continue;
		t = json_string_value(json_object_get(r, "type"));
		if (t == NULL || strcmp(t, type) != 0)
			continue;
		if (key) {
			v = json_string_value(json_object_get(r, key));
			if (v == NULL || strncmp(v, val, strlen(val)) != 0)
				continue;
		}
		n++;
	}
	airlog_iter_close(it);
	return n;
}

/* the integer field key of the last record of type; -1 when there is none */
static long long
last_int(const char *type, const char *key)
{
	char path[PATH_MAX], err[256];
	struct airlog_iter *it;
	const char *line;
	size_t len;
	json_t *r;
	long long v = -1;
	int rc;

	snprintf(path, sizeof(path), "%s/airlog", dir);
	if ((it = airlog_iter_open(path, err, sizeof(err))) == NULL)
		return -1;
	while ((rc = airlog_iter_next(it, &r, &line, &len)) != 0) {
		const char *t;
		if (rc != 1)
			continue;
		t = json_string_value(json_object_get(r, "type"));
		if (t && strcmp(t, type) == 0 && json_is_integer(json_object_get(r, key)))
			v = json_integer_value(json_object_get(r, key));
	}
	airlog_iter_close(it);
	return v;
}

static int
log_verifies(void)
{
	char path[PATH_MAX];
	struct airlog_verify_opts o = { 0 };
	struct airlog_fault f;
	struct airlog_verify_stats st;
	int r;

	snprintf(path, sizeof(path), "%s/airlog", dir);
	r = airlog_verify(path, &o, &f, &st);
	if (r != 0)
		printf("# verify: record %lld: %s\n", f.seq, f.what);
	return r == 0;
}

static void
a_day_airs_every_session_in_plan_order(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 0, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 23, 59));
	/* 10 min holds three 2-min bulletins with 1 s gaps, twice a day */
	EXPECT_INT(count("airing", "outcome", "complete"), 6);
	EXPECT_INT(count("airing", "session", "morning"), 3);
	EXPECT_INT(count("airing", "slot", "2026-03-02T06:00:00"), 3);
	EXPECT_INT(count("airing", "scheduled", "2026-03-02T06:02:01"), 1);
	EXPECT_INT(count("airing", "start", "2026-03-02T06:02:01"), 1);
	EXPECT_INT(count("missed", NULL, NULL), 0);
	EXPECT_INT(count("boot", NULL, NULL), 1);
	EXPECT(log_verifies());
	halt(&w, NULL);
}

static void
unsynced_clock_airs_nothing_timed_then_late_within_grace(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 0) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 6, 10));
	EXPECT_INT(count("airing", NULL, NULL), 0);
	sim_set_synced(w.sim, 1);
	engine_clock_changed(w.e);
	sim_run(w.sim, w.e, at(2026, 3, 2, 6, 30));
	/* within the 20-minute grace: the session airs late, from 06:10 */
	EXPECT_INT(count("airing", "slot", "2026-03-02T06:00:00"), 3);
	EXPECT_INT(count("airing", "start", "2026-03-02T06:10"), 1);
	EXPECT_INT(count("clock", "state", "synced"), 1);
	halt(&w, NULL);

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 0) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 0));
	sim_set_synced(w.sim, 1);
	engine_clock_changed(w.e);
	sim_run(w.sim, w.e, at(2026, 3, 2, 19, 0));
	/* past the grace: missed, and why */
	EXPECT_INT(count("missed", "reason", "clock not trusted"), 3);
	EXPECT_INT(count("airing", "session", "evening"), 3);
	EXPECT(log_verifies());
	halt(&w, NULL);
}

static void
downtime_is_logged_as_missed_and_grace_airs_late(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 0, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 12, 0));
	halt(&w, "shutdown (SIGTERM)");
	/* power comes back the next day at 18:10: evening of day 1 and morning
	 * of day 2 are missed; the evening of day 2 is within grace */
	EXPECT(boot(&w, at(2026, 3, 3, 18, 10), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 3, 20, 0));
	EXPECT_INT(count("missed", "reason", "power off"), 6);
	EXPECT_INT(count("missed", "slot", "2026-03-02T18:00:00"), 3);
	EXPECT_INT(count("airing", "slot", "2026-03-03T18:00:00"), 3);
	EXPECT_INT(count("shutdown", NULL, NULL), 1);
	EXPECT_INT(count("boot", NULL, NULL), 2);
	EXPECT(log_verifies());
	halt(&w, NULL);
}

static void
backward_jump_never_airs_a_session_twice(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 6, 30));
	EXPECT_INT(count("airing", "session", "morning"), 3);
	sim_set(w.sim, at(2026, 3, 2, 5, 30));
	engine_clock_changed(w.e);
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 0));
	EXPECT_INT(count("airing", "session", "morning"), 3);
	halt(&w, NULL);
	/* and across a restart: the log remembers */
	EXPECT(boot(&w, at(2026, 3, 2, 5, 50), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 0));
	EXPECT_INT(count("airing", "session", "morning"), 3);
	halt(&w, NULL);
}

static void
a_clock_that_ran_ahead_and_came_back_airs_on_the_true_time(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 5, 30));
	/* a spoofed NTP answer: three days ahead; the sessions passed over are logged missed */
	sim_set(w.sim, at(2026, 3, 5, 9, 0));
	engine_clock_changed(w.e);
	sim_run(w.sim, w.e, at(2026, 3, 5, 9, 30));
	EXPECT_INT(count("missed", "reason", "clock jumped"), 21);
	/* the true time again: the jump is logged, and today's sessions air */
	sim_set(w.sim, at(2026, 3, 2, 5, 40));
	engine_clock_changed(w.e);
	sim_run(w.sim, w.e, at(2026, 3, 2, 19, 0));
	EXPECT_INT(count("clock", "state", "behind_log"), 1);
	EXPECT_INT(count("clock", "log_slot", "2026-03-05T06:00:00"), 1);
	EXPECT_INT(count("airing", "slot", "2026-03-02T06:00:00"), 3);
	EXPECT_INT(count("airing", "slot", "2026-03-02T18:00:00"), 3);
	halt(&w, "shutdown (SIGTERM)");
	/* and after a restart, when the log's latest slot is still ahead of the clock */
	EXPECT(boot(&w, at(2026, 3, 3, 5, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 3, 7, 0));
	EXPECT_INT(count("clock", "state", "behind_log"), 2);
	EXPECT_INT(count("airing", "slot", "2026-03-03T06:00:00"), 3);
	EXPECT(log_verifies());
	halt(&w, NULL);
}

static void
forward_jump_over_a_session_logs_it_missed(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 5, 30));
	sim_set(w.sim, at(2026, 3, 2, 9, 0));
	engine_clock_changed(w.e);
	sim_run(w.sim, w.e, at(2026, 3, 2, 9, 30));
	EXPECT_INT(count("missed", "reason", "clock jumped"), 3);
	EXPECT_INT(count("airing", NULL, NULL), 0);
	halt(&w, NULL);
}

static void
emergency_cuts_the_bulletin_and_the_session_goes_on(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 6, 1));	/* a-law airs 06:00-06:02 */
	put("flood", "local", BUL_EMERGENCY, MIN, at(2026, 3, 2, 6, 1), 0);
	engine_library_changed(w.e);
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 0));
	EXPECT_INT(count("airing", "outcome", "interrupted"), 1);
	EXPECT_INT(count("airing", "reason", "emergency flood"), 1);
	EXPECT_INT(count("airing", "session", "emergency"), 1);
	EXPECT_INT(count("airing", "bulletin", "flood"), 1);
	/* 06:01 cut, 06:01:01 flood to 06:02:01, then b-local and c-fake still fit */
	EXPECT_INT(count("airing", "bulletin", "b-local"), 1);
	EXPECT_INT(count("airing", "bulletin", "c-fake"), 1);
	EXPECT(log_verifies());
	halt(&w, NULL);
}

static void
a_relay_airs_its_slot_and_is_logged_complete(void)
{
	struct world w;

	fresh();
	cfgtext = relay_config;
	EXPECT(boot(&w, at(2026, 3, 2, 6, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 8, 0));
	EXPECT_INT(count("relay", "session", "vov1"), 1);
	EXPECT_INT(count("relay", "outcome", "complete"), 1);
	EXPECT_INT(count("relay", "start", "2026-03-02T07:00:00"), 1);
	EXPECT_INT(count("relay", "end", "2026-03-02T07:10:00"), 1);
	EXPECT(last_int("relay", "heard_ms") == 10 * MIN);
	EXPECT_INT(count("airing", NULL, NULL), 0);	/* the stream was there: no bulletin */
	EXPECT_INT(count("missed", NULL, NULL), 0);
	EXPECT(log_verifies());
	halt(&w, NULL);
	cfgtext = config;
}

static void
back_to_back_relays_the_second_stream_is_opened_ahead_while_the_first_airs(void)
{
	struct world w;
	long long t = 0;

	fresh();
	cfgtext = adjacent_config;
	EXPECT(boot(&w, at(2026, 3, 2, 6, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 5));
	EXPECT_STR(sim_prepared(w.sim, NULL), "");	/* nothing after vov1 yet */
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 40));
	EXPECT_STR(sim_prepared(w.sim, &t), "http://radio.example.vn/cb.mp3");
	EXPECT(t == at(2026, 3, 2, 7, 10) - 5000);	/* 5 s ahead, vov1 still on air */
	EXPECT_INT(count("relay", "start", "2026-03-02T07:00:00"), 1);
	EXPECT_INT(count("relay", "start", "2026-03-02T07:10:00"), 1);
	EXPECT_INT(count("relay", "outcome", "complete"), 2);
	EXPECT(log_verifies());
	halt(&w, NULL);
	cfgtext = config;
}

static void
a_relay_falls_back_to_bulletins_while_down_and_returns(void)
{
	struct world w;

	fresh();
	cfgtext = relay_config;
	EXPECT(boot(&w, at(2026, 3, 2, 6, 0), 1) == 0);
	/* down 07:02 to 07:06: after 10 s, 2-min bulletins; back at the end of the one airing at 07:06 */
	sim_stream_down(w.sim, at(2026, 3, 2, 7, 2), at(2026, 3, 2, 7, 6));
	sim_run(w.sim, w.e, at(2026, 3, 2, 8, 0));
	EXPECT_INT(count("relay", "outcome", "partial"), 1);
	EXPECT_INT(count("airing", "session", "vov1"), 2);
	EXPECT_INT(count("airing", "outcome", "complete"), 2);
	EXPECT_INT(count("airing", "start", "2026-03-02T07:02:11"), 1);
	EXPECT(last_int("relay", "fallback_bulletins") >= 2);
	EXPECT(last_int("relay", "fallback_ms") >= 4 * MIN && last_int("relay", "fallback_ms") <= 4 * MIN + 30000);
	/* heard: 07:00-07:02 (then 10 s down) and from the second bulletin's end (07:06:12) to 07:10 */
	EXPECT(last_int("relay", "heard_ms") >= 5 * MIN + 40000 && last_int("relay", "heard_ms") <= 6 * MIN);
	EXPECT_INT(count("relay", "end", "2026-03-02T07:10:00"), 1);
	EXPECT(log_verifies());
	halt(&w, NULL);
	cfgtext = config;
}

static void
an_emergency_cuts_a_relay_and_the_relay_resumes(void)
{
	struct world w;

	fresh();
	cfgtext = relay_config;
	EXPECT(boot(&w, at(2026, 3, 2, 6, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 3));
	put("flood", "local", BUL_EMERGENCY, MIN, at(2026, 3, 2, 7, 3), 0);
	engine_library_changed(w.e);
	sim_run(w.sim, w.e, at(2026, 3, 2, 8, 0));
	EXPECT_INT(count("airing", "bulletin", "flood"), 1);
	EXPECT_INT(count("airing", "session", "emergency"), 1);
	EXPECT(last_int("relay", "emergencies") == 1);
	EXPECT_INT(count("relay", "end", "2026-03-02T07:10:00"), 1);
	/* 10 min less the emergency and its gaps */
	EXPECT(last_int("relay", "heard_ms") >= 8 * MIN + 50000 && last_int("relay", "heard_ms") <= 9 * MIN);
	EXPECT(log_verifies());
	halt(&w, NULL);
	cfgtext = config;
}

static void
a_live_announcement_cuts_the_bulletin_which_airs_again_after_it(void)
{
	struct world w;

	fresh();
	cfgtext = live_config;
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 6, 1));	/* a-law airs 06:00-06:02 */
	engine_live(w.e, 1, "talk button");
	EXPECT_INT(engine_live_state(w.e), 1);
	sim_run(w.sim, w.e, at(2026, 3, 2, 6, 2) + 30000);
	engine_live(w.e, 0, "talk button");
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 0));
	EXPECT_INT(count("airing", "reason", "live announcement"), 1);
	EXPECT_INT(count("airing", "outcome", "interrupted"), 1);
	/* a-law again from the start after the microphone and a gap, then the rest */
	EXPECT_INT(count("airing", "bulletin", "a-law"), 2);
	EXPECT_INT(count("airing", "start", "2026-03-02T06:02:31"), 1);
	EXPECT_INT(count("airing", "outcome", "complete"), 3);
	EXPECT_INT(count("live", "by", "talk button"), 1);
	EXPECT_INT(count("live", "during", "morning"), 1);
	EXPECT_INT(count("live", "start", "2026-03-02T06:01:00"), 1);
	EXPECT_INT(count("live", "end", "2026-03-02T06:02:30"), 1);
	EXPECT(last_int("live", "duration_ms") == 90000);
	EXPECT(last_int("live", "heard_ms") == 90000);
	EXPECT(log_verifies());
	halt(&w, NULL);
	cfgtext = config;
}

static void
a_live_announcement_outside_a_session_and_one_left_on(void)
{
	struct world w;

	fresh();
	cfgtext = live_config;
	EXPECT(boot(&w, at(2026, 3, 2, 11, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 12, 0));
	engine_live(w.e, 1, "latch");
	sim_run(w.sim, w.e, at(2026, 3, 2, 12, 0) + 45000);
	engine_live(w.e, 0, "latch");
	EXPECT_INT(count("live", "outcome", "complete"), 1);
	EXPECT(last_int("live", "duration_ms") == 45000);
	EXPECT_INT(count("airing", NULL, NULL), 0);
	/* a latch left on ends after live.max_minutes (30) */
	engine_live(w.e, 1, "latch");
	sim_run(w.sim, w.e, at(2026, 3, 2, 14, 0));
	EXPECT_INT(count("live", NULL, NULL), 2);
	EXPECT(last_int("live", "duration_ms") == 30 * MIN);
	EXPECT_INT(count("live", "reason", "the longest"), 1);
	EXPECT_INT(engine_live_state(w.e), 0);
	EXPECT(log_verifies());
	halt(&w, NULL);
	cfgtext = config;
}

/* found by the kill loop: a stick loaded during an emergency restarted it, cut by itself */
static void
a_library_change_does_not_restart_the_emergency_on_air(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 21, 0), 1) == 0);
	put("flood", "local", BUL_EMERGENCY, MIN, at(2026, 3, 2, 21, 0), 0);
	engine_library_changed(w.e);
	sim_run(w.sim, w.e, at(2026, 3, 2, 21, 0) + 30000);	/* flood on air, half aired */
	put("news", "law", BUL_NORMAL, MIN, at(2026, 3, 2, 21, 0), 0);
	engine_library_changed(w.e);
	sim_run(w.sim, w.e, at(2026, 3, 2, 22, 0));
	EXPECT_INT(count("airing", "bulletin", "flood"), 1);
	EXPECT_INT(count("airing", "outcome", "complete"), 1);
	EXPECT_INT(count("airing", "outcome", "interrupted"), 0);
	halt(&w, NULL);
}

static void
emergency_airs_in_quiet_hours_and_repeats(void)
{
	struct world w;

	fresh();
	put("fire", "local", BUL_EMERGENCY, MIN, at(2026, 3, 2, 22, 0), 30);
	EXPECT(boot(&w, at(2026, 3, 2, 21, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 3, 0, 0));
	/* 22:00, 22:30, 23:00, 23:30: until the end of valid_to */
	EXPECT_INT(count("airing", "bulletin", "fire"), 4);
	EXPECT_INT(count("airing", "start", "2026-03-02T22:30:00"), 1);
	halt(&w, NULL);
}

static void
no_audio_device_makes_the_session_missed(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_set_device_ok(w.sim, 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 12, 0));
	EXPECT_INT(count("missed", "reason", "no audio device"), 3);
	sim_set_device_ok(w.sim, 1);
	sim_run(w.sim, w.e, at(2026, 3, 2, 19, 0));
	EXPECT_INT(count("airing", "session", "evening"), 3);
	halt(&w, NULL);
}

static void
a_bulletin_that_fails_is_logged_and_the_next_airs(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_fail_next(w.sim, "luat.mp3: not an MP3 or WAV file; convert it to MP3");
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 0));
	EXPECT_INT(count("airing", "outcome", "failed"), 1);
	EXPECT_INT(count("airing", "reason", "luat.mp3: not an MP3"), 1);
	EXPECT_INT(count("airing", "outcome", "complete"), 2);
	halt(&w, NULL);
}

static void
stop_mid_airing_logs_interrupted_missed_and_shutdown(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 6, 1));
	halt(&w, "shutdown (SIGTERM)");
	EXPECT_INT(count("airing", "outcome", "interrupted"), 1);
	EXPECT_INT(count("missed", "reason", "shutdown (SIGTERM)"), 2);
	EXPECT_INT(count("shutdown", "reason", "shutdown (SIGTERM)"), 1);
	EXPECT(log_verifies());
}

static void
a_crash_mid_airing_is_logged_as_interrupted_after_restart(void)
{
	struct world w;
	struct stat st;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 6, 1));	/* a-law on air */
	EXPECT(stat(current, &st) == 0);
	halt(&w, NULL);					/* kill -9: nothing more is written */
	EXPECT_INT(count("airing", NULL, NULL), 0);
	EXPECT(boot(&w, at(2026, 3, 2, 6, 12), 1) == 0);	/* the morning (06:00-06:10) is over */
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 0));
	EXPECT_INT(count("airing", "outcome", "interrupted"), 1);
	EXPECT_INT(count("airing", "reason", "loaxad stopped while it aired"), 1);
	EXPECT_INT(count("airing", "duration_ms", ""), 0);	/* a number, not a string */
	EXPECT_INT(count("missed", "reason", "power off"), 2);
	/* the morning is not aired again */
	EXPECT_INT(count("airing", "session", "morning"), 1);
	EXPECT(stat(current, &st) < 0);
	EXPECT(log_verifies());
	halt(&w, NULL);
}

/* a power cut of a few minutes in the middle of a session: the rest of it airs when power is back */
static void
a_session_cut_by_a_crash_goes_on_after_restart(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 6, 1));	/* a-law on air */
	halt(&w, NULL);
	EXPECT(boot(&w, at(2026, 3, 2, 6, 3), 1) == 0);	/* 06:00-06:10: 7 minutes left */
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 0));
	EXPECT_INT(count("airing", "reason", "loaxad stopped while it aired"), 1);
	/* a-law again, whole, then b-local and c-fake: nothing missed */
	EXPECT_INT(count("airing", "outcome", "complete"), 3);
	EXPECT_INT(count("airing", "bulletin", "a-law"), 2);
	EXPECT_INT(count("missed", NULL, NULL), 0);
	EXPECT_INT(count("airing", "slot", "2026-03-02T06:00:00"), 4);
	/* and a second start does not air it a third time */
	halt(&w, NULL);
	EXPECT(boot(&w, at(2026, 3, 2, 7, 1), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 8, 0));
	EXPECT_INT(count("airing", "bulletin", "a-law"), 2);
	EXPECT(log_verifies());
	halt(&w, NULL);
}

/* ... and when only part of it still fits, the rest is logged as having no time left */
static void
a_resumed_session_keeps_its_end(void)
{
	struct world w;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 6, 1));
	halt(&w, NULL);
	EXPECT(boot(&w, at(2026, 3, 2, 6, 7), 1) == 0);	/* 3 minutes left: a-law (2 min) fits, then no more */
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 0));
	EXPECT_INT(count("airing", "outcome", "complete"), 1);
	EXPECT_INT(count("missed", "reason", "no time left"), 2);
	EXPECT(log_verifies());
	halt(&w, NULL);
}

static void
an_announcement_plays_when_idle_and_is_not_logged(void)
{
	struct world w;
	char path[400];
	struct stat st;
	FILE *fp;

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	snprintf(path, sizeof(path), "%s/announce-1.wav", dir);
	if ((fp = fopen(path, "w")) != NULL)
		fclose(fp);
	engine_announce(w.e, path);
	sim_run(w.sim, w.e, at(2026, 3, 2, 5, 10));
	EXPECT_INT(sim_files_played(w.sim), 1);
	EXPECT(stat(path, &st) < 0);
	EXPECT_INT(count("airing", NULL, NULL), 0);
	/* the morning session is not disturbed */
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 0));
	EXPECT_INT(count("airing", "outcome", "complete"), 3);
	halt(&w, NULL);
}

static void
a_session_without_content_is_one_missed_record(void)
{
	struct world w;
	char cmd[PATH_MAX + 32];

	fresh();
	snprintf(cmd, sizeof(cmd), "rm -f %s/library/bulletins/*", dir);
	REQUIRE(system(cmd) == 0);
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 0));
	EXPECT_INT(count("missed", "reason", "no content"), 1);
	halt(&w, NULL);
}


/* --- remote live: a stream the office names (engine_remote_live) ----------------- */

static struct engine_remote
remote(const char *id, int emergency, long max_ms)
{
	struct engine_remote r = { id, "https://example.vn/tin-khan.mp3", emergency, "Sở VHTTDL", "ed25519:test", 0,
		0, max_ms, 10000 };

	return r;
}

static void
a_remote_live_cuts_the_bulletin_which_airs_again_after_it(void)
{
	struct world w;
	struct engine_remote rq = remote("L1", 0, 30 * MIN);
	char why[512] = "";

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 5, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 6, 1));	/* a-law airs 06:00-06:02 */
	EXPECT(engine_remote_live(w.e, &rq, why, sizeof(why)) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 6, 2) + 30000);
	EXPECT(engine_remote_end(w.e, "L1", why, sizeof(why)) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 0));
	EXPECT_INT(count("airing", "reason", "live L1"), 1);
	EXPECT_INT(count("airing", "bulletin", "a-law"), 2);
	EXPECT_INT(count("airing", "start", "2026-03-02T06:02:31"), 1);
	EXPECT_INT(count("live", "source", "https://example.vn/tin-khan.mp3"), 1);
	EXPECT_INT(count("live", "by", "Sở VHTTDL"), 1);
	EXPECT_INT(count("live", "key", "ed25519:test"), 1);
	EXPECT_INT(count("live", "command", "L1"), 1);
	EXPECT_INT(count("live", "level", "priority"), 1);
	EXPECT_INT(count("live", "during", "morning"), 1);
	EXPECT_INT(count("live", "start", "2026-03-02T06:01:00"), 1);
	EXPECT_INT(count("live", "end", "2026-03-02T06:02:30"), 1);
	EXPECT_INT(count("live", "reason", "live end"), 1);
	EXPECT_INT(count("live", "outcome", "complete"), 1);
	EXPECT(last_int("live", "duration_ms") == 90000);
	EXPECT(last_int("live", "heard_ms") == 90000);
	EXPECT(engine_remote_end(w.e, "L1", why, sizeof(why)) < 0);	/* over: nothing to end */
	EXPECT(log_verifies());
	halt(&w, NULL);
}

static void
a_remote_live_in_quiet_hours_only_as_an_emergency_and_how_it_ends(void)
{
	struct world w;
	struct engine_remote rq;
	char why[512] = "";

	fresh();
	EXPECT(boot(&w, at(2026, 3, 2, 22, 0), 1) == 0);	/* quiet hours 21:30-05:00 */
	rq = remote("P1", 0, 30 * MIN);
	EXPECT(engine_remote_live(w.e, &rq, why, sizeof(why)) < 0);
	EXPECT(strstr(why, "quiet hours") != NULL);
	rq = remote("S1", 1, 30 * MIN);
	rq.url = "rtmp://example.vn/live";
	EXPECT(engine_remote_live(w.e, &rq, why, sizeof(why)) < 0);
	EXPECT(strstr(why, "unknown stream scheme") != NULL);
	rq = remote("X1", 1, 30 * MIN);
	rq.issued_ms = at(2026, 3, 2, 21, 50);
	rq.valid_ms = 5 * MIN;
	EXPECT(engine_remote_live(w.e, &rq, why, sizeof(why)) < 0);
	EXPECT(strstr(why, "expired") != NULL);
	EXPECT_INT(count("live", NULL, NULL), 0);

	/* an emergency airs; a second is refused while it does; it ends 10 s after its stream goes */
	rq = remote("E1", 1, 30 * MIN);
	EXPECT(engine_remote_live(w.e, &rq, why, sizeof(why)) == 0);
	rq = remote("E2", 1, 30 * MIN);
	EXPECT(engine_remote_live(w.e, &rq, why, sizeof(why)) < 0);
	EXPECT(strstr(why, "busy") != NULL);
	sim_stream_down(w.sim, at(2026, 3, 2, 22, 5), at(2026, 3, 2, 23, 0));
	sim_run(w.sim, w.e, at(2026, 3, 2, 22, 30));
	EXPECT_INT(count("live", "command", "E1"), 1);
	EXPECT_INT(count("live", "level", "emergency"), 1);
	EXPECT_INT(count("live", "reason", "the stream ended or was lost for 10 s"), 1);
	EXPECT_INT(count("live", "end", "2026-03-02T22:05:1"), 1);
	EXPECT(last_int("live", "heard_ms") == 5 * MIN);

	/* and one whose stream stays ends after max_ms */
	sim_run(w.sim, w.e, at(2026, 3, 2, 23, 10));
	rq = remote("E3", 1, 2 * MIN);
	EXPECT(engine_remote_live(w.e, &rq, why, sizeof(why)) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 23, 30));
	EXPECT_INT(count("live", "reason", "the longest this live may last"), 1);
	EXPECT(last_int("live", "duration_ms") == 2 * MIN);
	EXPECT_INT(count("live", NULL, NULL), 2);
	EXPECT(log_verifies());
	halt(&w, NULL);
}

static void
a_remote_live_cuts_a_relay_and_the_relay_resumes(void)
{
	struct world w;
	struct engine_remote rq = remote("L2", 0, 30 * MIN);
	char why[512] = "";

	fresh();
	cfgtext = relay_config;
	EXPECT(boot(&w, at(2026, 3, 2, 6, 0), 1) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 3));
	EXPECT(engine_remote_live(w.e, &rq, why, sizeof(why)) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 7, 5));
	EXPECT(engine_remote_end(w.e, NULL, why, sizeof(why)) == 0);
	sim_run(w.sim, w.e, at(2026, 3, 2, 8, 0));
	EXPECT_INT(count("live", "during", "vov1"), 1);
	EXPECT(last_int("live", "heard_ms") == 2 * MIN);
	EXPECT_INT(count("relay", "end", "2026-03-02T07:10:00"), 1);
	EXPECT(last_int("relay", "heard_ms") == 8 * MIN);
	EXPECT(log_verifies());
	halt(&w, NULL);
	cfgtext = config;
}

int
main(void)
{
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	tap_plan(26);
	TEST(a_day_airs_every_session_in_plan_order);
	TEST(unsynced_clock_airs_nothing_timed_then_late_within_grace);
	TEST(downtime_is_logged_as_missed_and_grace_airs_late);
	TEST(backward_jump_never_airs_a_session_twice);
	TEST(forward_jump_over_a_session_logs_it_missed);
	TEST(a_clock_that_ran_ahead_and_came_back_airs_on_the_true_time);
	TEST(emergency_cuts_the_bulletin_and_the_session_goes_on);
	TEST(emergency_airs_in_quiet_hours_and_repeats);
	TEST(a_library_change_does_not_restart_the_emergency_on_air);
	TEST(no_audio_device_makes_the_session_missed);
	TEST(a_bulletin_that_fails_is_logged_and_the_next_airs);
	TEST(stop_mid_airing_logs_interrupted_missed_and_shutdown);
	TEST(a_crash_mid_airing_is_logged_as_interrupted_after_restart);
	TEST(a_session_cut_by_a_crash_goes_on_after_restart);
	TEST(a_resumed_session_keeps_its_end);
	TEST(an_announcement_plays_when_idle_and_is_not_logged);
	TEST(a_session_without_content_is_one_missed_record);
	TEST(a_relay_airs_its_slot_and_is_logged_complete);
	TEST(back_to_back_relays_the_second_stream_is_opened_ahead_while_the_first_airs);
	TEST(a_relay_falls_back_to_bulletins_while_down_and_returns);
	TEST(an_emergency_cuts_a_relay_and_the_relay_resumes);
	TEST(a_live_announcement_cuts_the_bulletin_which_airs_again_after_it);
	TEST(a_live_announcement_outside_a_session_and_one_left_on);
	TEST(a_remote_live_cuts_the_bulletin_which_airs_again_after_it);
	TEST(a_remote_live_in_quiet_hours_only_as_an_emergency_and_how_it_ends);
	TEST(a_remote_live_cuts_a_relay_and_the_relay_resumes);
	if (dir[0] && durable_rmtree(dir) < 0)
		return 1;
	return tap_done();
}
