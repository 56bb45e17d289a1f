/*
 * cli: see cli.h.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "audio/measure.h"
#include "base/date.h"
#include "base/durable.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "config/sign.h"
#include "firmware/cli/cli.h"
#include "intake/apply.h"
#include "scheduler/airlog.h"
#include "scheduler/history.h"
#include "scheduler/library.h"
#include "scheduler/plan.h"

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
cli_fmt_dur(long ms, char *buf, size_t len)
{
	long s = (ms + 500) / 1000;

	if ((size_t)snprintf(buf, len, "%ld:%02ld", s / 60 % 100000, s % 60) >= len)
		buf[0] = '\0';
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

static int
ntp_synced(void)
{
	struct timex tx;
	int st;

	memset(&tx, 0, sizeof(tx));
	st = adjtimex(&tx);
	return st != -1 && st != TIME_ERROR && !(tx.status & STA_UNSYNC);
}

void
cli_clock(const struct cfg *c, struct airlog_clock *clk, char *boot, size_t bootlen)
{
	time_t t = cli_now();
	struct tm tm;
	struct timespec mono;
	FILE *fp;

	localtime_r(&t, &tm);
	clock_gettime(CLOCK_BOOTTIME, &mono);
	snprintf(boot, bootlen, "unknown");
	if ((fp = fopen("/proc/sys/kernel/random/boot_id", "re")) != NULL) {
		if (fgets(boot, (int)bootlen, fp) != NULL)
			boot[strcspn(boot, "\n")] = '\0';
		fclose(fp);
	}
	clk->realtime_s = (long long)t;
	clk->gmtoff = tm.tm_gmtoff;
	clk->mono_ms = (long long)mono.tv_sec * 1000 + mono.tv_nsec / 1000000;
	clk->synced = !c->time.require_sync || ntp_synced();
	clk->boot_id = boot;
}

long
cli_daemon(const struct cfg *c)
{
	return cfgapply_daemon(c->paths.run);
}

int
cli_inbox_put(const struct cfg *c, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", c->paths.inbox, name) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* durable_atomic's temp name holds ".tmp": the daemon looks only at the renamed file */
	return durable_atomic(path, data, len, 0640);
}

int
cli_request_seal(const struct cfg *c, char **cp, char *err, size_t errlen)
{
	char path[PATH_MAX], buf[4096], *old = NULL, *now = NULL;
	size_t oldlen = 0, nowlen;
	struct timespec t0, t1;
	int ifd, rc = -1;

	*cp = NULL;
	if (cli_daemon(c) == 0) {
		snprintf(err, errlen, "%s", _("loaxad is not running"));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/checkpoint.json", c->paths.run);
	sign_read_file(path, &old, &oldlen);
	if ((ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
	    inotify_add_watch(ifd, c->paths.run, IN_MOVED_TO | IN_CLOSE_WRITE) < 0 ||
	    cli_inbox_put(c, "seal-request", "", 0) < 0) {
		snprintf(err, errlen, _("cannot ask loaxad for a seal: %s"), strerror(errno));
		goto out;
	}
	clock_gettime(CLOCK_BOOTTIME, &t0);
	for (;;) {
		struct pollfd p = { .fd = ifd, .events = POLLIN };
		long left;

		if (sign_read_file(path, &now, &nowlen) == 0) {
			if (old == NULL || nowlen != oldlen || memcmp(now, old, nowlen) != 0) {
				*cp = now;
				rc = 0;
				break;
			}
			free(now);
		}
		clock_gettime(CLOCK_BOOTTIME, &t1);
		left = CLI_SEAL_WAIT_S * 1000L - ((t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0) {
			snprintf(err, errlen, _("loaxad did not write a fresh checkpoint within %d s"), CLI_SEAL_WAIT_S);
			break;
		}
		if (poll(&p, 1, left < 500 ? (int)left : 500) > 0)
			while (read(ifd, buf, sizeof(buf)) > 0)
				;
	}
out:
	if (ifd >= 0)
		close(ifd);
	free(old);
	return rc;
}
