/*
 * cli: see cli.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/cfg.h"
#include "firmware/cli.h"
#include "firmware/nls.h"
#include "scheduler/date.h"
#include "scheduler/history.h"
#include "scheduler/library.h"
#include "scheduler/plan.h"
#include "audio/measure.h"

const char *
cli_config_arg(int *argc, char **argv)
{
	const char *path = getenv("LOAXA_CONFIG");
	int i, j;

	if (path == NULL || *path == '\0')
		path = CFG_DEFAULT_PATH;
	for (i = j = 0; i < *argc; i++) {
		if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < *argc) {
			path = argv[++i];
			continue;
		}
		if (strncmp(argv[i], "-c", 2) == 0 && argv[i][2] != '\0') {
			path = argv[i] + 2;
			continue;
		}
		argv[j++] = argv[i];
	}
	argv[j] = NULL;
	*argc = j;
	return path;
}

struct cfg *
cli_load(const char *path)
{
	struct diag d;
	struct cfg *c;

	diag_init(&d);
	c = cfg_load(path, &d);
	diag_print(&d, stderr);
	diag_free(&d);
	return c;
}

void
cli_set_zone(const struct cfg *c)
{
	if (getenv("LOAXA_KEEP_TZ") == NULL)
		setenv("TZ", c->time.zone, 1);
	tzset();
}

time_t
cli_now(void)
{
	const char *s = getenv("LOAXA_NOW");

	if (s && *s)
		return (time_t)strtoll(s, NULL, 10);
	return time(NULL);
}

int32_t
cli_today(void)
{
	const char *s = getenv("LOAXA_TODAY");
	time_t now;
	struct tm tm;
	int32_t d;

	if (s && *s && date_parse(s, &d) == 0)
		return d;
	now = cli_now();
	localtime_r(&now, &tm);
	return date_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int
cli_usage(const char *cmd, const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "loaxa %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s: loaxa %s\n", _("usage"), usage);
	return 2;
}

void
cli_local_ts(int32_t day, long ms, char buf[26])
{
	struct tm tm = { 0 };
	int y, m, d;
	time_t t;

	date_to_civil(day, &y, &m, &d);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = (int)(ms / 3600000);
	tm.tm_min = (int)(ms / 60000 % 60);
	tm.tm_sec = (int)(ms / 1000 % 60);
	tm.tm_isdst = -1;
	t = mktime(&tm);
	localtime_r(&t, &tm);
	date_format_ts((long long)t, tm.tm_gmtoff, buf);
}

int
cli_load_library(const struct cfg *c, struct lib *l)
{
	struct diag d;
	int r;

	diag_init(&d);
	r = lib_load(l, c->paths.library, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "loaxa: %s: %s\n", _("warning"), d.msg[i]);
	diag_free(&d);
	return r;
}

long
cli_chime_ms(const struct cfg *c)
{
	struct audio_measure m;
	char err[512];

	if (c->audio.chime == NULL)
		return 0;
	if (audio_measure(c->audio.chime, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "loaxa: %s: %s (%s)\n", _("warning"), err, _("plans are made without the chime"));
		return 0;
	}
	return m.duration_ms;
}

static void
on_aired(void *arg, const char *id, long long start_s)
{
	struct tm tm;
	time_t t = (time_t)start_s;

	localtime_r(&t, &tm);
	plan_set_last(arg, id, (long long)date_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) *
	    PLAN_DAY_MS + (tm.tm_hour * 3600L + tm.tm_min * 60L + tm.tm_sec) * 1000L);
}

void
cli_load_history(const struct cfg *c, struct planner *p)
{
	struct history_cb h = { .aired = on_aired, .arg = p };

	if (history_read(c->paths.airlog, &h) < 0)
		fprintf(stderr, "loaxa: %s: %s %s\n", _("warning"), c->paths.airlog,
		    _("cannot be read; the plan counts every bulletin as never aired"));
}
