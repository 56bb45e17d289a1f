/*
 * loaxa status [-c CFG]: what the daemon is doing, from the status file it
 * rewrites atomically (paths.run/status.json): state, the config serial it
 * runs, what airs now, the next session, the clock, the last error. Exit 0
 * when loaxad runs, 1 when it does not (the last status it left is shown).
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/translate.h"
#include "config/cfg.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"

static const char *
s(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

static const char *
state_name(const char *st)
{
	if (strcmp(st, "idle") == 0)
		return _("waiting for the next session");
	if (strcmp(st, "airing") == 0)
		return _("airing");
	if (strcmp(st, "waiting-for-clock") == 0)
		return _("waiting for the clock to be set (timed sessions do not air until then)");
	if (strcmp(st, "stopped") == 0)
		return _("stopped");
	return st;
}

int
cmd_status(int argc, char **argv)
{
	const char *path = cli_config_arg(&argc, argv);
	char file[PATH_MAX];
	json_error_t je;
	struct cfg *c;
	json_t *o;
	int pid, alive;

	if (argc > 1)
		return cli_usage("status", "status [-c CFG]", _("unexpected argument \"%s\""), argv[1]);
	if ((c = cli_load(path)) == NULL)
		return 1;
	snprintf(file, sizeof(file), "%s/status.json", c->paths.run);
	cfg_free(c);
	if ((o = json_load_file(file, 0, &je)) == NULL) {
		printf("%s\n", _("loaxad is not running (it has left no status): start it with systemctl start loaxad"));
		return 1;
	}
	pid = (int)json_integer_value(json_object_get(o, "pid"));
	alive = pid > 0 && (kill(pid, 0) == 0 || errno == EPERM) && strcmp(s(o, "state"), "stopped") != 0;
	if (alive)
		printf(_("loaxad: %s (pid %d)\n"), state_name(s(o, "state")), pid);
	else
		printf("%s\n", _("loaxad is not running; this is the last status it left:"));
	printf(_("configuration serial: %lld\n"), (long long)json_integer_value(json_object_get(o, "serial")));
	if (*s(o, "current"))
		printf(_("on air now: %s\n"), s(o, "current"));
	if (*s(o, "next"))
		printf(_("next session: %s\n"), s(o, "next"));
	printf(_("clock: %s\n"), strcmp(s(o, "clock"), "synced") == 0 ? _("synchronised") :
	    _("NOT synchronised (check the network or the RTC)"));
	printf(_("since start: %lld airings, %lld missed\n"), (long long)json_integer_value(json_object_get(o, "airings")),
	    (long long)json_integer_value(json_object_get(o, "missed")));
	printf(_("last error: %s\n"), *s(o, "last_error") ? s(o, "last_error") : _("none"));
	json_decref(o);
	return alive ? 0 : 1;
}
