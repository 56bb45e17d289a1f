/*
 * loaxad: the daemon (loaxad(8)). Runs in the foreground, logs to stderr,
 * under systemd as Type=notify with a watchdog.
 *
 * One poll loop, no threads, no sleeps:
 *   timerfd   CLOCK_REALTIME, absolute, TFD_TIMER_CANCEL_ON_SET: the engine's
 *             next event; a clock step cancels it (ECANCELED) and the engine
 *             re-plans
 *   signalfd  SIGTERM/SIGINT end cleanly, SIGHUP reloads the config
 *   inotify   the config file's folder (a new config swapped in), the
 *             library (bulletins added or removed), the inbox (records and
 *             files handed over by other processes), the time-sync flag
 *   timerfd   CLOCK_BOOTTIME, the systemd watchdog's half period
 *   the PCM   while a bulletin airs
 * State the loop acts on changes only here; signal handlers do not exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/timex.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/durable.h"
#include "base/log.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "config/sign.h"
#include "firmware/board.h"
#include "firmware/cli/cli.h"
#include "firmware/engine.h"
#include "firmware/fleet.h"
#include "firmware/player.h"
#include "intake/apply.h"
#include "scheduler/airlog.h"

#define MAX_PFD 32
#define DEFAULT_SYNC_FLAG "/run/systemd/timesync/synchronized"

struct daemon {
	const char	*cfg_path;
	char		 cfg_dir[PATH_MAX], cfg_base[256];
	struct engine	*e;
	struct airlog	*log;
	struct board	*board;
	int		 tfd, sfd, ifd, wfd;
	int		 wd_cfg, wd_lib, wd_inbox, wd_sync;
	char		 sync_flag[PATH_MAX];
	int		 sync_flag_only;	/* LOAXA_SYNC_FLAG: the flag alone decides (tests) */
	long long	 armed;
	char		 boot_id[64];
	char		 status_path[PATH_MAX];
	char		 current_path[PATH_MAX];
	char		*last_status;
	int		 echo;			/* print records as they are written (-e) */
	long long	 refused_serial;	/* the last config serial reload refused (status file) */
	char		 config_error[256];	/* and why */
	struct fleet	*fleet;			/* NULL: no fleet group, no socket */
	struct board_button *button;		/* live.gpio_line, or NULL */
	int		 live;			/* the talk button's state as the engine has it */
	char		 vouched_sha[65];	/* the config text in force, or one loaxad applied itself */
};

/* --- the real clock ------------------------------------------------------ */

static long long
rt_ms(void *h)
{
	struct timespec ts;

	(void)h;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
boot_ms(void *h)
{
	struct timespec ts;

	(void)h;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* trusted: systemd-timesyncd's flag, the kernel's NTP status, or an RTC that set the clock at boot */
static int
synced(void *h)
{
	struct daemon *d = h;
	struct timex tx = { 0 };
	char buf[8] = "";
	int fd;

	if (access(d->sync_flag, F_OK) == 0)
		return 1;
	if (d->sync_flag_only)
		return 0;
	if (adjtimex(&tx) >= 0 && !(tx.status & STA_UNSYNC))
		return 1;
	if ((fd = open("/sys/class/rtc/rtc0/hctosys", O_RDONLY | O_CLOEXEC)) >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0 && buf[0] == '1')
			return 1;
	}
	return 0;
}

/* --- status file --------------------------------------------------------- */

/* what the status file (and the fleet's status message) says */
static json_t *
status_object(struct daemon *d)
{
	struct engine_status st;
	json_t *o;

	engine_status(d->e, &st);
	o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:i}", "state", st.state, "serial",
	    (json_int_t)st.serial, "current", st.current, "next", st.next, "clock", st.clock_synced ? "synced" :
	    "unsynced", "last_error", st.last_error, "airings", (json_int_t)st.airings, "missed",
	    (json_int_t)st.missed, "pid", (int)getpid());
	if (o && d->refused_serial != 0) {	/* lets `loaxa apply` roll back at once instead of timing out */
		json_object_set_new(o, "refused_serial", json_integer(d->refused_serial));
		json_object_set_new(o, "config_error", json_string(d->config_error));
	}
	return o;
}

static void
write_status(struct daemon *d)
{
	json_t *o;
	char *text;

	if (d->status_path[0] == '\0')
		return;
	o = status_object(d);
	if (o && d->fleet)
		fleet_status(d->fleet, o);
	text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (text == NULL)
		return;
	if (d->last_status == NULL || strcmp(text, d->last_status) != 0) {
		size_t n = strlen(text);
		text[n] = '\n';
		if (durable_atomic(d->status_path, text, n + 1, 0644) < 0)
			log_warn("status file %s", d->status_path);
		text[n] = '\0';
		free(d->last_status);
		d->last_status = text;
	} else
		free(text);
}

/* --- events -------------------------------------------------------------- */

static void
arm(struct daemon *d)
{
	long long t = engine_deadline(d->e);
	struct itimerspec its = { 0 };

	if (t == d->armed)
		return;
	d->armed = t;
	if (t != LLONG_MAX) {
		if (t <= 0)
			t = 1;
		its.it_value.tv_sec = t / 1000;
		its.it_value.tv_nsec = (t % 1000) * 1000000;
	}
	if (timerfd_settime(d->tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL) < 0)
		log_warn("timerfd_settime");
}

static int
same_path(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/*
 * The folders the daemon opened at start (the log and its keys, the inbox,
 * the status file, the library's watch) stay what they were until a restart:
 * a config that moves them cannot run in this process. 0 or -1 (returns the reason).
 */
static const char *
needs_restart(const struct cfg *old, const struct cfg *c)
{
	if (!same_path(old->paths.airlog, c->paths.airlog) || !same_path(old->paths.state, c->paths.state))
		return "paths.airlog or paths.state changed: restart loaxad to use them";
	if (!same_path(old->paths.inbox, c->paths.inbox) || !same_path(old->paths.run, c->paths.run) ||
	    !same_path(old->paths.library, c->paths.library))
		return "paths.inbox, paths.run or paths.library changed: restart loaxad to use them";
	if (old->fleet.present != c->fleet.present || !same_path(old->fleet.broker, c->fleet.broker) ||
	    !same_path(old->fleet.province, c->fleet.province) || !same_path(old->fleet.ca, c->fleet.ca) ||
	    !same_path(old->fleet.cert, c->fleet.cert) || !same_path(old->fleet.key, c->fleet.key) ||
	    !same_path(old->fleet.password_file, c->fleet.password_file))
		return "the fleet group's broker, province or credentials changed: restart loaxad to use them";
	return NULL;
}

/* the SHA-256 of a file, hex; "" when it cannot be read */
static void
file_sha(const char *path, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char *text;
	size_t len;

	hex[0] = '\0';
	if (sign_read_file(path, &text, &len) < 0)
		return;
	crypto_hash_sha256(h, (const unsigned char *)text, len);
	sodium_bin2hex(hex, 65, h, sizeof(h));
	free(text);
}

/*
 * A config that changed on disk (inotify, SIGHUP) is used only as `loaxa
 * apply` would take it, when the config in force requires signatures: the
 * text loaxad applied itself (or had at start), or one whose .sig verifies
 * against the keys of the config in force and whose serial is newer. The
 * daemon's user can write the config folder; whoever else gets that far
 * (an exploited decoder child, a careless edit) cannot roll it back or put
 * in keys of its own. NULL good, or why not.
 */
static const char *
unvouched(struct daemon *d, const struct cfg *c)
{
	const struct cfg *cur = engine_cfg(d->e);
	char hex[65], err[256];

	if (!cur->trust.require_signed_config)
		return NULL;
	file_sha(d->cfg_path, hex);
	if (hex[0] && strcmp(hex, d->vouched_sha) == 0)
		return NULL;
	if (sign_verify_file(d->cfg_path, NULL, (const unsigned char (*)[SIGN_PUB_LEN])cur->trust.keys, cur->trust.nkeys,
	    err, sizeof(err)) != 0)
		return _("the configuration file changed on disk but is not signed by a key of the configuration in "
		    "force (trust.keys): apply configurations with `loaxa apply`");
	if (c->serial <= cur->serial)
		return _("the configuration file changed on disk to a serial that is not newer than the one in force "
		    "(an old configuration put back?)");
	return NULL;
}

/* 0 reloaded (or nothing new), -1 refused: the old config stays in force */
static int
reload(struct daemon *d, const char *why)
{
	const char *no;
	struct cfg *c;
	int applied = strcmp(why, "inbox") == 0 || strcmp(why, "fleet") == 0;	/* checked by apply_config */

	log_info("reloading %s (%s)", d->cfg_path, why);
	if ((c = cli_load(d->cfg_path)) == NULL) {
		log_warnx("%s", _("the new configuration is refused; the old one stays in force"));
		snprintf(d->config_error, sizeof(d->config_error), "%s", "the configuration file does not load");
		return -1;
	}
	if (!applied && (no = unvouched(d, c)) != NULL) {
		log_warnx("configuration serial %lld refused: %s", c->serial, no);
		d->refused_serial = c->serial;
		snprintf(d->config_error, sizeof(d->config_error), "%s", no);
		cfg_free(c);
		return -1;
	}
	if (c->serial == engine_cfg(d->e)->serial && strcmp(why, "SIGHUP") != 0) {
		cfg_free(c);
		return 0;
	}
	if ((no = needs_restart(engine_cfg(d->e), c)) != NULL) {
		log_warnx("configuration serial %lld refused: %s", c->serial, no);
		d->refused_serial = c->serial;
		snprintf(d->config_error, sizeof(d->config_error), "%s", no);
		cfg_free(c);
		return -1;
	}
	engine_reload(d->e, c);
	file_sha(d->cfg_path, d->vouched_sha);	/* the text in force now */
	sd_notifyf(0, "STATUS=configuration serial %lld", c->serial);
	return 0;
}

/* a record handed over by another process (ingest while we hold the log) */
static void
inbox_record(struct daemon *d, const char *name)
{
	char path[PATH_MAX];
	json_error_t je;
	json_t *r, *fields;
	const char *type;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", engine_cfg(d->e)->paths.inbox, name) >= sizeof(path))
		return;
	r = json_load_file(path, 0, &je);
	type = r ? json_string_value(json_object_get(r, "type")) : NULL;
	fields = r ? json_object_get(r, "fields") : NULL;
	if (type == NULL || !json_is_object(fields) || (strcmp(type, "ingest") != 0 && strcmp(type, "config") != 0)) {
		log_warnx("inbox %s: not a record loaxa can log; left in place", name);
		json_decref(r);
		return;
	}
	if (engine_record(d->e, type, json_incref(fields)) == 0)
		unlink(path);
	json_decref(r);
}

/* a fresh seal, for an export: the checkpoint goes to paths.run/checkpoint.json */
static void
inbox_seal(struct daemon *d, const char *name)
{
	const struct cfg *c = engine_cfg(d->e);
	struct airlog_clock ck = { 0 };
	char path[PATH_MAX], err[256], *text = NULL;
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	ck.realtime_s = ts.tv_sec;
	localtime_r(&ts.tv_sec, &tm);
	ck.gmtoff = tm.tm_gmtoff;
	ck.mono_ms = boot_ms(NULL);
	ck.synced = synced(d);
	ck.boot_id = d->boot_id;
	if (airlog_seal(d->log, &ck, err, sizeof(err)) < 0 || airlog_checkpoint(d->log, &text) < 0)
		log_warnx("seal for an export: %s", err);
	else {
		snprintf(path, sizeof(path), "%s/checkpoint.json", c->paths.run);
		if (durable_atomic(path, text, strlen(text), 0644) < 0)
			log_warn("%s", path);
	}
	free(text);
	snprintf(path, sizeof(path), "%s/%s", c->paths.inbox, name);
	unlink(path);
}

/* a refused inbox config, in the airing log */
static void
log_refused_config(struct daemon *d, const char *source, const char *name, long long serial, const char *why)
{
	json_t *o = json_object();

	json_object_set_new(o, "source", json_string(source));
	json_object_set_new(o, "file", json_string(name));
	if (serial > 0)
		json_object_set_new(o, "serial", json_integer(serial));
	json_object_set_new(o, "outcome", json_string("refused"));
	json_object_set_new(o, "reason", json_string(why));
	engine_record(d->e, "config", o);
}

/*
 * A signed config from a stick's inbox drop or the fleet: checked against
 * the config in force and swapped in (intake/apply.h), then reloaded here;
 * if this process cannot run it, the last good one goes back. 0 applied,
 * 1 in force already, -1 refused (msg says why; the refusal is logged).
 */
static int
apply_config(struct daemon *d, const char *source, const char *name, const char *text, size_t len, const char *sig,
    size_t siglen, char *msg, size_t msglen)
{
	const struct cfg *cur = engine_cfg(d->e);
	struct cfgapply_result r = { 0 };
	struct cfg *c = NULL;
	char err[512];
	struct diag dg;
	struct tm tm;
	time_t now = time(NULL);
	int v, rc = -1;

	char *taken = NULL;
	size_t takenlen = 0;

	localtime_r(&now, &tm);
	diag_init(&dg);
	if (strcmp(source, "fleet") == 0)
		v = cfgapply_check_fleet(cur, text, len, sig, siglen, name, date_from_civil(tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday), &taken, &takenlen, &c, &dg, &r);
	else
		v = cfgapply_check(cur, text, len, sig, siglen, name, date_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday), &c, &dg, &r);
	cfg_free(c);
	if (taken) {	/* a province's config with this board's own groups: the office signed the timetable */
		text = taken;
		len = takenlen;
		sig = NULL;
		siglen = 0;
	}
	if (v < 0) {
		snprintf(msg, msglen, "%.600s%s%.400s", r.msg, dg.n > 0 ? ": " : "", dg.n > 0 ? dg.msg[0] : "");
		log_warnx("%s %s: %s", source, name, r.msg);
		for (size_t i = 0; i < dg.n; i++)
			log_warnx("%s", dg.msg[i]);
		log_refused_config(d, source, name, r.new_serial, dg.n > 0 ? dg.msg[0] : r.msg);
	} else if (v > 0) {
		snprintf(msg, msglen, "%s", r.msg);
		rc = 1;
	} else if (cfgapply_swap(cur, text, len, sig, siglen, &r) < 0) {
		snprintf(msg, msglen, "%s", r.msg);
		log_warnx("%s %s: %s", source, name, r.msg);
	} else if (reload(d, source) < 0) {
		log_refused_config(d, source, name, r.new_serial, d->config_error);
		if (cfgapply_rollback(d->cfg_path, err, sizeof(err)) < 0)
			log_warnx("%s %s: rolling back: %s", source, name, err);
		else
			log_warnx("%s %s: rolled back to the last good configuration", source, name);
		snprintf(msg, msglen, _("configuration serial %lld was not taken (%s): rolled back to the last good one"),
		    r.new_serial, d->config_error);
	} else {
		snprintf(msg, msglen, _("configuration serial %lld applied (it was %lld)"), r.new_serial, r.old_serial);
		rc = 0;
	}
	diag_free(&dg);
	free(taken);
	return rc;
}

/* NAME.cfg with NAME.cfg.sig (drop the .sig first); both removed once handled */
static void
inbox_config(struct daemon *d, const char *name)
{
	const struct cfg *cur = engine_cfg(d->e);
	char base[256], path[PATH_MAX], sigpath[PATH_MAX], msg[1024];
	size_t n = strlen(name), len = 0, siglen = 0;
	char *text = NULL, *sig = NULL;

	if (n > 4 && strcmp(name + n - 4, ".sig") == 0)
		n -= 4;
	snprintf(base, sizeof(base), "%.*s", (int)n, name);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", cur->paths.inbox, base) >= sizeof(path) ||
	    (size_t)snprintf(sigpath, sizeof(sigpath), "%s/%s.sig", cur->paths.inbox, base) >= sizeof(sigpath))
		return;
	if (sign_read_file(path, &text, &len) < 0)
		return;		/* the .sig came first: wait for the config */
	if (sign_read_file(sigpath, &sig, &siglen) < 0 && cur->trust.require_signed_config) {
		free(text);
		return;		/* the config came first: wait for its signature */
	}
	apply_config(d, "inbox", base, text, len, sig, siglen, msg, sizeof(msg));
	free(text);
	free(sig);
	unlink(path);
	unlink(sigpath);
}

/* --- the fleet's hooks ---------------------------------------------------- */

static int
fleet_apply(void *arg, const char *name, const char *text, size_t len, const char *sig, size_t siglen, char *msg,
    size_t msglen)
{
	return apply_config(arg, "fleet", name, text, len, sig, siglen, msg, msglen);
}

static json_t *
fleet_status_hook(void *arg)
{
	struct daemon *d = arg;
	json_t *o = status_object(d);

	if (o)
		json_object_set_new(o, "gain_db", json_real(engine_cfg(d->e)->audio.gain_db));
	return o;
}

static int
fleet_busy(void *arg)
{
	struct daemon *d = arg;
	struct engine_status st;

	engine_status(d->e, &st);
	return strcmp(st.state, "airing") == 0;
}

static const struct cfg *
fleet_cfg(void *arg)
{
	struct daemon *d = arg;

	return engine_cfg(d->e);
}

static long long
jint(const json_t *o, const char *key, long long dflt)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : dflt;
}

/* a live command the fleet client checked (firmware/fleetmsg.h): to the engine */
static int
fleet_live(void *arg, const json_t *cmd, const char *key, char *why, size_t whylen)
{
	struct daemon *d = arg;
	const char *what = json_string_value(json_object_get(cmd, "command"));
	const char *level = json_string_value(json_object_get(cmd, "level"));
	const char *url = json_string_value(json_object_get(cmd, "url"));
	struct engine_remote rq = { 0 };

	rq.id = json_string_value(json_object_get(cmd, "id"));
	if (what && strcmp(what, "end") == 0)
		return engine_remote_end(d->e, rq.id, why, whylen);
	if (what == NULL || strcmp(what, "now") != 0) {
		snprintf(why, whylen, _("unknown live command \"%s\" (now or end)"), what ? what : "");
		return -1;
	}
	if (level == NULL || (strcmp(level, "emergency") != 0 && strcmp(level, "priority") != 0)) {
		snprintf(why, whylen, _("unknown level \"%s\" (emergency or priority)"), level ? level : "");
		return -1;
	}
	rq.url = url ? url : "";
	rq.emergency = strcmp(level, "emergency") == 0;
	rq.by = json_string_value(json_object_get(cmd, "by"));
	rq.key = key;
	/* bounded as live.max_minutes is (1 to 240): a signed typo must not hold the air for days */
	rq.issued_ms = jint(cmd, "issued", 0) * 1000;
	rq.valid_ms = (long)(jint(cmd, "valid_seconds", 300) > 86400 ? 86400 : jint(cmd, "valid_seconds", 300)) * 1000;
	rq.max_ms = (long)(jint(cmd, "max_minutes", 30) > 240 ? 240 : jint(cmd, "max_minutes", 30)) * 60000;
	rq.gone_ms = (long)(jint(cmd, "gone_seconds", 10) < 3 ? 3 : jint(cmd, "gone_seconds", 10) > 600 ? 600 :
	    jint(cmd, "gone_seconds", 10)) * 1000;
	return engine_remote_live(d->e, &rq, why, whylen);
}

/* the engine says what became of a remote live: the fleet acknowledges it */
static void
remote_event(void *arg, const char *id, const char *event, long long start_ms, const char *outcome, const char *reason)
{
	struct daemon *d = arg;

	if (d->fleet)
		fleet_live_ack(d->fleet, id, event, start_ms, outcome, reason);
}

/*
 * What other processes hand the daemon, as files in paths.inbox (written to
 * a .tmp name, then renamed):
 *   record-*.json    a record for the airing log {"type": ..., "fields": {...}}
 *   announce-*.wav   a spoken message to play when no session airs
 *   seal-request     a seal now, its checkpoint in paths.run/checkpoint.json
 *   NAME.cfg(.sig)   a configuration to apply (inbox_config)
 */
static void
inbox_file(struct daemon *d, const char *name)
{
	char path[PATH_MAX];
	size_t n = strlen(name);

	if ((n > 4 && strcmp(name + n - 4, ".cfg") == 0) || (n > 8 && strcmp(name + n - 8, ".cfg.sig") == 0)) {
		inbox_config(d, name);
		return;
	}

	if (strncmp(name, "record-", 7) == 0 && strstr(name, ".json"))
		inbox_record(d, name);
	else if (strncmp(name, "announce-", 9) == 0) {
		snprintf(path, sizeof(path), "%s/%s", engine_cfg(d->e)->paths.inbox, name);
		engine_announce(d->e, path);
	} else if (strcmp(name, "seal-request") == 0)
		inbox_seal(d, name);
}

static void
inotify_events(struct daemon *d)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(d->ifd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)(void *)p;
			const char *name = ev->len ? ev->name : "";

			if (ev->wd == d->wd_cfg && strcmp(name, d->cfg_base) == 0)
				reload(d, "config file changed");
			else if (ev->wd == d->wd_lib)
				engine_library_changed(d->e);
			else if (ev->wd == d->wd_inbox && !strstr(name, ".tmp"))
				inbox_file(d, name);
			else if (ev->wd == d->wd_sync)
				engine_clock_changed(d->e);
			p += sizeof(*ev) + ev->len;
		}
	}
}

static int
watch(struct daemon *d, const char *dir, uint32_t mask)
{
	int wd;

	if (dir == NULL || (wd = inotify_add_watch(d->ifd, dir, mask)) < 0) {
		if (dir)
			log_warn("cannot watch %s", dir);
		return -1;
	}
	return wd;
}

/* -e: one readable line per record as it is written (the log has them all) */
static void
on_record(void *arg, const char *type, const char *line)
{
	json_t *r = json_loads(line, 0, NULL);
	const char *start, *title, *outcome, *reason, *session;
	char hms[9] = "";

	(void)arg;
	if (r == NULL)
		return;
	start = json_string_value(json_object_get(r, strcmp(type, "missed") != 0 ? "start" : "scheduled"));
	title = json_string_value(json_object_get(r, "title"));
	outcome = json_string_value(json_object_get(r, "outcome"));
	reason = json_string_value(json_object_get(r, "reason"));
	session = json_string_value(json_object_get(r, "session"));
	if (start && strlen(start) >= 19)
		snprintf(hms, sizeof(hms), "%.8s", start + 11);
	if (strcmp(type, "airing") == 0)
		printf("%s  %s  %-10s %s, %.1f s: %s%s%s\n", hms, _("aired"), session ? session : "",
		    title ? title : "", (double)json_integer_value(json_object_get(r, "duration_ms")) / 1000,
		    outcome ? outcome : "", reason ? " — " : "", reason ? reason : "");
	else if (strcmp(type, "missed") == 0)
		printf("%s  %s  %-10s %s: %s\n", hms, _("missed"), session ? session : "", title ? title : "-",
		    reason ? reason : "");
	else if (strcmp(type, "relay") == 0) {
		const char *name = json_string_value(json_object_get(r, "name"));
		const char *why = json_string_value(json_object_get(r, "stream_error"));
		printf("%s  %s  %-10s %s, %.1f s heard, %lld dropouts: %s%s%s\n", hms, _("relayed"), session ? session : "",
		    name ? name : json_string_value(json_object_get(r, "url")),
		    (double)json_integer_value(json_object_get(r, "heard_ms")) / 1000,
		    (long long)json_integer_value(json_object_get(r, "dropouts")), outcome ? outcome : "",
		    reason || why ? " — " : "", reason ? reason : why ? why : "");
	}
	else
		printf("%s\n", type);
	fflush(stdout);
	json_decref(r);
}

static void
read_boot_id(char *buf, size_t len)
{
	FILE *fp = fopen("/proc/sys/kernel/random/boot_id", "re");

	snprintf(buf, len, "unknown");
	if (fp && fgets(buf, (int)len, fp))
		buf[strcspn(buf, "\n")] = '\0';
	if (fp)
		fclose(fp);
}

static void
usage(void)
{
	fprintf(stderr, "%s: loaxad [-c CFG] [-e] [-v]\n", _("usage"));
	exit(2);
}

int
main(int argc, char **argv)
{
	struct daemon d = { .tfd = -1, .armed = LLONG_MIN };
	struct engine_env env = { 0 };
	struct pollfd pfd[MAX_PFD];
	char err[512];
	struct cfg *c;
	sigset_t mask;
	uint64_t wd_usec = 0;
	const char *flag;
	int ch, verbose = 0, running = 1;

	translate_init();
	/* keep freed buffers (the 1 MiB config read) from pinning memory for good */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	d.cfg_path = cli_config_arg(&argc, argv);
	while ((ch = getopt(argc, argv, "ev")) != -1) {
		switch (ch) {
		case 'e':
			d.echo = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	log_init("loaxad", verbose);
	if ((c = cli_load(d.cfg_path)) == NULL)
		fatalx("%s: %s", d.cfg_path, _("invalid configuration; fix it (loaxa check) and restart"));
	file_sha(d.cfg_path, d.vouched_sha);
	{
		const char *slash = strrchr(d.cfg_path, '/');
		snprintf(d.cfg_dir, sizeof(d.cfg_dir), "%.*s", slash ? (int)(slash - d.cfg_path) : 1,
		    slash ? d.cfg_path : ".");
		snprintf(d.cfg_base, sizeof(d.cfg_base), "%s", slash ? slash + 1 : d.cfg_path);
	}
	flag = getenv("LOAXA_SYNC_FLAG");
	d.sync_flag_only = flag && *flag;
	snprintf(d.sync_flag, sizeof(d.sync_flag), "%s", d.sync_flag_only ? flag : DEFAULT_SYNC_FLAG);
	read_boot_id(d.boot_id, sizeof(d.boot_id));

	if (durable_mkdirs(c->paths.airlog, 0750) < 0 || durable_mkdirs(c->paths.inbox, 0770) < 0)
		fatal("%s", c->paths.airlog);
	if ((d.log = airlog_open(c->paths.airlog, c->paths.state, c->site.id, err, sizeof(err))) == NULL)
		fatalx("%s: %s", c->paths.airlog, err);
	if (airlog_torn(d.log))
		log_warnx("%s", _("the airing log ends with a torn record (power cut while writing); it is kept and "
		    "acknowledged in the next record"));
	{
		long long after, known;
		if (airlog_lost(d.log, &after, &known))
			log_warnx(_("the airing log ends at record %lld, but its sealing key saw record %lld: records were "
			    "removed; the next record says so, and log verify names it"), after, known);
	}
	/* relay off before anything else: never left on after a crash */
	if ((d.board = board_open(c, err, sizeof(err))) == NULL)
		log_warnx("amplifier relay: %s", err);
	if (durable_mkdirs(c->paths.run, 0755) == 0)
		snprintf(d.status_path, sizeof(d.status_path), "%s/status.json", c->paths.run);

	env.clock = (struct engine_clock){ rt_ms, boot_ms, synced, &d };
	if (player_alsa_env(&env.player, c, err, sizeof(err)) < 0)
		fatalx("audio: %s", err);
	env.measure = player_measure;
	env.board = d.board;
	env.log = d.log;
	env.boot_id = d.boot_id;
	snprintf(d.current_path, sizeof(d.current_path), "%s/current.json", c->paths.state);
	env.current_path = d.current_path;
	if (d.echo) {
		env.on_record = on_record;
		setvbuf(stdout, NULL, _IOLBF, 0);
	}
	env.on_remote = remote_event;
	env.on_remote_arg = &d;
	if ((d.e = engine_new(c, &env, err, sizeof(err))) == NULL)
		fatalx("%s", err);

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		fatal("sigprocmask");
	if ((d.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		fatal("signalfd");
	if ((d.tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
		fatal("timerfd_create");
	if ((d.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		fatal("inotify_init1");
	d.wd_cfg = watch(&d, d.cfg_dir, IN_CLOSE_WRITE | IN_MOVED_TO);
	{
		char lib[PATH_MAX];
		snprintf(lib, sizeof(lib), "%s/bulletins", c->paths.library);
		durable_mkdirs(lib, 0755);
		d.wd_lib = watch(&d, lib, IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM);
	}
	d.wd_inbox = watch(&d, c->paths.inbox, IN_CLOSE_WRITE | IN_MOVED_TO);
	{
		char sdir[PATH_MAX], *slash;
		snprintf(sdir, sizeof(sdir), "%s", d.sync_flag);
		if ((slash = strrchr(sdir, '/')) != NULL)
			*slash = '\0';
		d.wd_sync = access(sdir, F_OK) == 0 ? watch(&d, sdir, IN_CREATE | IN_ATTRIB | IN_MOVED_TO | IN_DELETE) : -1;
	}
	d.wfd = -1;
	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0) {
		struct itimerspec its = { 0 };
		uint64_t half = wd_usec / 2;
		its.it_interval.tv_sec = (time_t)(half / 1000000);
		its.it_interval.tv_nsec = (long)(half % 1000000) * 1000;
		its.it_value = its.it_interval;
		if ((d.wfd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC)) >= 0)
			timerfd_settime(d.wfd, 0, &its, NULL);
	}

	if (c->fleet.present) {
		struct fleet_hooks fh = { fleet_apply, fleet_status_hook, fleet_busy, fleet_cfg, &d, fleet_live };
		if ((d.fleet = fleet_new(engine_cfg(d.e), d.log, &fh, err, sizeof(err))) == NULL)
			log_warnx("fleet: %s; running without it", err);
	}

	if (c->live.present && (d.button = board_button_open(c, err, sizeof(err))) == NULL)
		log_warnx("%s; live announcements cannot be started from the button", err);
	engine_start(d.e);
	write_status(&d);
	sd_notifyf(0, "READY=1\nSTATUS=configuration serial %lld", engine_cfg(d.e)->serial);
	log_info("started: site %s, configuration serial %lld", engine_cfg(d.e)->site.id, engine_cfg(d.e)->serial);

	while (running) {
		int n = 0, base, np, nf = 0;

		arm(&d);
		pfd[n++] = (struct pollfd){ .fd = d.tfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d.sfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d.ifd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d.wfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = board_button_fd(d.button), .events = POLLIN };
		base = n;
		np = engine_pollfds(d.e, pfd + base, MAX_PFD - base);
		if (d.fleet)
			nf = fleet_pollfds(d.fleet, pfd + base + np, MAX_PFD - base - np);
		if (poll(pfd, (nfds_t)(base + np + nf), -1) < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents & POLLIN) {
			uint64_t x;
			if (read(d.tfd, &x, sizeof(x)) < 0 && errno == ECANCELED) {
				log_info("%s", "the system clock was set; re-planning");
				engine_clock_changed(d.e);
			}
			d.armed = LLONG_MIN;	/* re-arm whatever happened */
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(d.sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP)
					reload(&d, "SIGHUP");
				else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
					sd_notify(0, "STOPPING=1");
					engine_stop(d.e, si.ssi_signo == SIGTERM ? "shutdown (SIGTERM)" : "shutdown (SIGINT)");
					running = 0;
				}
			}
		}
		if (pfd[2].revents & POLLIN)
			inotify_events(&d);
		if (d.wfd >= 0 && (pfd[3].revents & POLLIN)) {
			uint64_t x;
			if (read(d.wfd, &x, sizeof(x)) > 0)
				sd_notify(0, "WATCHDOG=1");
		}
		if (pfd[4].revents & POLLIN) {
			int ev;
			while ((ev = board_button_event(d.button)) >= 0) {
				/* hold: live while pressed; latch: each press turns it over */
				int want = engine_cfg(d.e)->live.latch ? (ev == 1 ? !engine_live_state(d.e) : engine_live_state(d.e)) : ev;
				if (want != engine_live_state(d.e))
					engine_live(d.e, want, engine_cfg(d.e)->live.latch ? "latch" : "talk button");
			}
		}
		if (np > 0)
			engine_service(d.e, pfd + base, np);
		if (running)
			engine_run(d.e);
		if (d.fleet && running) {
			fleet_service(d.fleet, pfd + base + np, nf);
			fleet_pump(d.fleet);
		}
		write_status(&d);
	}
	fleet_free(d.fleet);
	board_button_close(d.button);
	if (d.board) {
		board_amp(d.board, 0, err, sizeof(err));
		board_close(d.board);
	}
	engine_free(d.e);
	airlog_close(d.log);
	player_alsa_free();
	free(d.last_status);
	log_info("%s", "stopped");
	return 0;
}
