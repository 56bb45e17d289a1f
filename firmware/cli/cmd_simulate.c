/*
 * loaxa simulate -c CFG FROM TO: the daemon's own engine (scheduling,
 * airing, logging) driven by a virtual clock and a silent player whose
 * items last their measured duration, writing the airing log to
 * paths.airlog as the daemon would, then printing the records it wrote.
 * The clock is trusted throughout and the board is switched on at FROM's
 * midnight. Records are not fsynced one by one (nothing can be lost to a
 * power cut in a simulation), which is what makes months take seconds.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/date.h"
#include "base/durable.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"
#include "firmware/engine.h"
#include "firmware/player.h"
#include "firmware/sim.h"
#include "scheduler/airlog.h"

#define SIM_MAX_DAYS (5 * 366)

static long long
midnight(int32_t day)
{
	struct tm tm = { 0 };
	int y, m, d;

	date_to_civil(day, &y, &m, &d);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	return (long long)mktime(&tm) * 1000;
}

/* the log needs its keys; a simulation makes them when the state folder has none */
static int
ensure_keys(const struct cfg *c)
{
	char seed[65], pub[128], err[256], path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/seal.key", c->paths.state);
	if (stat(path, &st) == 0)
		return 0;
	if (durable_mkdirs(c->paths.state, 0700) < 0) {
		fprintf(stderr, "loaxa simulate: %s: %s\n", c->paths.state, strerror(errno));
		return -1;
	}
	if (airlog_init(c->paths.state, seed, pub, sizeof(pub), err, sizeof(err)) < 0) {
		fprintf(stderr, "loaxa simulate: %s\n", err);
		return -1;
	}
	fprintf(stderr, _("loaxa simulate: new sealing keys in %s; seed %s (needed to check the MACs)\n"),
	    c->paths.state, seed);
	return 0;
}

int
cmd_simulate(int argc, char **argv)
{
	static const char usage[] = "simulate -c CFG FROM TO";
	const char *path = cli_config_arg(&argc, argv);
	struct engine_env env = { 0 };
	struct airlog *log;
	struct engine *e;
	struct sim *s;
	struct cfg *c;
	int32_t from, to;
	long long before;
	char err[512];

	if (argc != 3)
		return cli_usage("simulate", usage, "%s", _("give FROM and TO, YYYY-MM-DD"));
	if (date_parse(argv[1], &from) < 0)
		return cli_usage("simulate", usage, _("FROM \"%s\" is not a date (YYYY-MM-DD)"), argv[1]);
	if (date_parse(argv[2], &to) < 0)
		return cli_usage("simulate", usage, _("TO \"%s\" is not a date (YYYY-MM-DD)"), argv[2]);
	if (to < from)
		return cli_usage("simulate", usage, "%s", _("TO is before FROM"));
	if (to - from >= SIM_MAX_DAYS)
		return cli_usage("simulate", usage, _("at most %d days at a time"), SIM_MAX_DAYS);
	if ((c = cli_load(path)) == NULL)
		return 1;
	cli_set_zone(c);
	if (durable_mkdirs(c->paths.airlog, 0750) < 0) {
		fprintf(stderr, "loaxa simulate: %s: %s\n", c->paths.airlog, strerror(errno));
		cfg_free(c);
		return 1;
	}
	if (ensure_keys(c) < 0) {
		cfg_free(c);
		return 1;
	}
	if ((log = airlog_open(c->paths.airlog, c->paths.state, c->site.id, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loaxa simulate: %s: %s\n", c->paths.airlog, err);
		cfg_free(c);
		return 1;
	}
	airlog_set_durable(log, 0);
	before = airlog_last_seq(log);
	s = sim_new(midnight(from));
	sim_env(s, &env);
	env.measure = player_measure;
	env.virtual_relay = c->audio.amplifier.present;
	env.log = log;
	env.boot_id = "simulated";
	if ((e = engine_new(c, &env, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loaxa simulate: %s\n", err);
		airlog_close(log);
		cfg_free(c);
		return 1;
	}
	engine_start(e);
	sim_run(s, e, midnight(to + 1) - 1);
	{
		struct engine_status st;
		engine_status(e, &st);
		fprintf(stderr, _("loaxa simulate: %s to %s: %lld airings, %lld missed\n"), argv[1], argv[2],
		    st.airings, st.missed);
	}
	engine_free(e);	/* frees c */
	airlog_close(log);
	sim_free(s);

	/* print what the simulation wrote */
	{
		struct cfg *c2 = cli_load(path);
		struct airlog_iter *it = c2 ? airlog_iter_open(c2->paths.airlog, err, sizeof(err)) : NULL;
		const char *line;
		size_t len;
		json_t *r;
		int rc;

		while (it && (rc = airlog_iter_next(it, &r, &line, &len)) != 0) {
			if (rc == 1 && json_integer_value(json_object_get(r, "seq")) > before)
				printf("%.*s\n", (int)len, line);
		}
		airlog_iter_close(it);
		cfg_free(c2);
	}
	return 0;
}
