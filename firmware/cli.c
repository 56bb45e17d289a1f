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
