/*
 * Crash points of the config swap (intake/apply.h): every write, fsync and
 * rename of one swap is in turn the place where the process dies (a pulled
 * plug: _exit in a forked child) or fails (ENOSPC, EIO). After each, the
 * config in place is whole and is the old one or the new one, and when it
 * is the new one the old one is kept as last-good.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/durable.h"
#include "config/cfg.h"
#include "intake/apply.h"
#include "tests/unit/tap.h"

static char dir[128], path[200];

static const char base[] = "version = 1; serial = %d; site = { id = \"xa\"; name = \"Xã\"; };\n"
    "sessions = ( { id = \"m\"; days = \"daily\"; start = \"%s\"; minutes = 15; } );\n";

static void
write_old(void)
{
	char text[512];
	FILE *fp;

	if (durable_rmtree(dir) < 0 || durable_mkdirs(dir, 0755) < 0)
		abort();
	snprintf(text, sizeof(text), base, 1, "06:00");
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fputs(text, fp);
	fclose(fp);
}

static long long
serial_of(const char *p)
{
	struct diag d;
	struct cfg *c;
	long long s;

	diag_init(&d);
	c = cfg_load(p, &d);
	diag_free(&d);
	if (c == NULL)
		return -1;
	s = c->serial;
	cfg_free(c);
	return s;
}

/* one swap of serial 1 -> 2; returns what cfgapply_swap returned */
static int
swap(void)
{
	struct cfgapply_result r;
	struct diag d;
	struct cfg *cur;
	char text[512];
	int rc;

	diag_init(&d);
	cur = cfg_load(path, &d);
	diag_free(&d);
	if (cur == NULL)
		return -2;
	snprintf(text, sizeof(text), base, 2, "07:00");
	rc = cfgapply_swap(cur, text, strlen(text), NULL, 0, &r);
	cfg_free(cur);
	return rc;
}

static long
points(void)
{
	write_old();
	durable_fault_set(DURABLE_ANY, 0, DURABLE_NONE);
	if (swap() != 0)
		return -1;
	return durable_count(DURABLE_ANY);
}

static int
state_ok(const char *what, long n)
{
	char lg[260];
	long long now = serial_of(path), kept;

	tap_nchecks++;
	snprintf(lg, sizeof(lg), "%s.last-good", path);
	kept = access(lg, F_OK) == 0 ? serial_of(lg) : 0;
	if (now != 1 && now != 2) {
		tap_fail(__FILE__, __LINE__, "%s at point %ld: the config in place is neither (serial %lld)", what, n, now);
		return 0;
	}
	if (now == 2 && kept != 1) {
		tap_fail(__FILE__, __LINE__, "%s at point %ld: new config in place, last-good is %lld", what, n, kept);
		return 0;
	}
	return 1;
}

static void
every_crash_point_leaves_the_old_or_the_new_config(void)
{
	long n = points();

	EXPECT(n >= 4);		/* at least: last-good, the config, their fsyncs and renames */
	for (long i = 1; i <= n; i++) {
		pid_t pid;
		int st;

		write_old();
		if ((pid = fork()) == 0) {
			durable_fault_set(DURABLE_ANY, i, DURABLE_EXIT);
			_exit(swap() == 0 ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == DURABLE_EXIT_STATUS);
		if (!state_ok("crash", i))
			return;
	}
}

static void
every_failed_write_leaves_the_old_config_or_completes(void)
{
	long n = points();
	enum durable_action acts[2] = { DURABLE_ENOSPC, DURABLE_EIO };

	for (int a = 0; a < 2; a++)
		for (long i = 1; i <= n; i++) {
			int rc;

			write_old();
			durable_fault_set(DURABLE_ANY, i, acts[a]);
			rc = swap();
			durable_fault_set(DURABLE_ANY, 0, DURABLE_NONE);
			if (!state_ok(a ? "EIO" : "ENOSPC", i))
				return;
			/* a swap that says it failed has not put the new config in place */
			if (rc != 0 && serial_of(path) != 1) {
				tap_fail(__FILE__, __LINE__, "point %ld: swap failed but serial %lld is in place", i,
				    serial_of(path));
				return;
			}
		}
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/loaxa-apply-crash-%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/loaxa.cfg", dir);
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tap_plan(2);
	TEST(every_crash_point_leaves_the_old_or_the_new_config);
	TEST(every_failed_write_leaves_the_old_config_or_completes);
	if (durable_rmtree(dir) < 0)
		return 1;
	return tap_done();
}
