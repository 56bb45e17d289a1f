/*
 * apply: see apply.h. Every write goes through durable; the only wait is on an
 * inotify descriptor with a deadline.
 */
#include <errno.h>
#include <libconfig.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "base/durable.h"
#include "base/translate.h"
#include "config/sign.h"
#include "intake/apply.h"
#include "scheduler/sched.h"

static int check_body(const struct cfg *, const char *, size_t, const char *, int32_t, struct cfg **, struct diag *,
    struct cfgapply_result *);

static int
check_sig(const struct cfg *cur, const char *text, size_t len, const char *sig, size_t siglen, const char *name,
    struct cfgapply_result *r)
{
	char err[512];
	int v;

	r->old_serial = cur->serial;
	r->new_serial = 0;
	if (sig != NULL) {
		if (cur->trust.nkeys == 0) {
			if (cur->trust.require_signed_config) {
				snprintf(r->msg, sizeof(r->msg), "%s", _("the configuration in force requires signed configs "
				    "but holds no key (trust.keys): nothing can be applied"));
				return -1;
			}
		} else {
			v = sign_verify_buf(text, len, sig, siglen, (const unsigned char (*)[SIGN_PUB_LEN])cur->trust.keys,
			    cur->trust.nkeys, NULL, err, sizeof(err));
			if (v != 0) {
				snprintf(r->msg, sizeof(r->msg), v < 0 ? _("%s: its .sig file is not a signature (damaged): "
				    "copy both files again from the provincial office") : _("%s does not match its signature: "
				    "it was changed after signing, or signed by a key this board does not trust; not "
				    "applied"), name);
				return -1;
			}
		}
	} else if (cur->trust.require_signed_config) {
		snprintf(r->msg, sizeof(r->msg), _("%s is not signed (no %s.sig) and this board takes only configurations "
		    "signed by the provincial office; not applied"), name, name);
		return -1;
	}
	return 0;
}

int
cfgapply_check(const struct cfg *cur, const char *text, size_t len, const char *sig, size_t siglen,
    const char *name, int32_t today, struct cfg **out, struct diag *d, struct cfgapply_result *r)
{
	*out = NULL;
	if (check_sig(cur, text, len, sig, siglen, name, r) < 0)
		return -1;
	return check_body(cur, text, len, name, today, out, d, r);
}

static int
check_body(const struct cfg *cur, const char *text, size_t len, const char *name, int32_t today, struct cfg **out,
    struct diag *d, struct cfgapply_result *r)
{
	struct cfg *c;

	if (memchr(text, '\0', len) != NULL) {
		snprintf(r->msg, sizeof(r->msg), _("%s holds NUL bytes: it is not a configuration"), name);
		return -1;
	}
	if ((c = cfg_load_string(text, name, cur->dir, d)) == NULL) {
		snprintf(r->msg, sizeof(r->msg), _("%s has errors (listed below); not applied"), name);
		return -1;
	}
	r->new_serial = c->serial;
	if (sched_check(c, today, d) != 0) {
		snprintf(r->msg, sizeof(r->msg), _("%s has timetable errors (listed below); not applied"), name);
		cfg_free(c);
		return -1;
	}
	if (strcmp(c->site.id, cur->site.id) != 0) {
		snprintf(r->msg, sizeof(r->msg), _("%s is for site \"%s\", but this board is \"%s\"; not applied"), name,
		    c->site.id, cur->site.id);
		cfg_free(c);
		return -1;
	}
	if (c->serial == cur->serial) {
		int same = cur->textlen == len && memcmp(cur->text, text, len) == 0;
		if (!same)
			snprintf(r->msg, sizeof(r->msg), _("%s has serial %lld, the same as the configuration in force, but "
			    "different content: the office must give every change a greater serial; not applied"), name,
			    c->serial);
		else
			snprintf(r->msg, sizeof(r->msg), _("configuration serial %lld is in force already"), c->serial);
		cfg_free(c);
		return same ? 1 : -1;
	}
	if (c->serial < cur->serial) {
		snprintf(r->msg, sizeof(r->msg), _("%s has serial %lld, older than the one in force (%lld); not applied"),
		    name, c->serial, cur->serial);
		cfg_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

/* 0, -1 (not written) or -2 (written, its folder's fsync failed: see durable_atomic) */
static int
write_path(const char *base, const char *suffix, const char *data, size_t len, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "%s%s", base, suffix);
	if (data == NULL) {
		if (unlink(path) < 0 && errno != ENOENT) {
			snprintf(err, errlen, _("cannot remove %s: %s"), path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if ((r = durable_atomic(path, data, len, 0644)) < 0) {
		snprintf(err, errlen, _("cannot write %s: %s"), path, strerror(errno));
		return r;
	}
	return 0;
}

static char *
read_opt(const char *base, const char *suffix, size_t *len)
{
	char path[PATH_MAX], *data;

	snprintf(path, sizeof(path), "%s%s", base, suffix);
	if (sign_read_file(path, &data, len) < 0)
		return NULL;
	return data;
}

int
cfgapply_swap(const struct cfg *cur, const char *text, size_t len, const char *sig, size_t siglen,
    struct cfgapply_result *r)
{
	size_t oldsiglen = 0;
	char *oldsig = read_opt(cur->file, ".sig", &oldsiglen);
	int rc = -1;

	/* the last good one first: a crash after this leaves the current config in force */
	if (write_path(cur->file, ".last-good", cur->text, cur->textlen, r->msg, sizeof(r->msg)) < 0 ||
	    write_path(cur->file, ".last-good.sig", oldsig, oldsiglen, r->msg, sizeof(r->msg)) < 0 ||
	    write_path(cur->file, ".sig", sig, siglen, r->msg, sizeof(r->msg)) < 0)
		goto out;
	if ((rc = write_path(cur->file, "", text, len, r->msg, sizeof(r->msg))) < 0) {
		/* -2: the new one is in place but not durable: put the old one back, as refused means */
		if (rc == -2 && write_path(cur->file, "", cur->text, cur->textlen, r->msg + strlen(r->msg), 0) == -1) {
			size_t n = strlen(r->msg);
			snprintf(r->msg + n, sizeof(r->msg) - n, _("; the new configuration may be in force: check "
			    "it with loaxa status"));
		}
		write_path(cur->file, ".sig", oldsig, oldsiglen, r->msg + strlen(r->msg), 0);
		rc = -1;
		goto out;
	}
	rc = 0;
out:
	free(oldsig);
	return rc;
}

int
cfgapply_rollback(const char *cfg_path, char *err, size_t errlen)
{
	size_t len, siglen = 0;
	char *text = read_opt(cfg_path, ".last-good", &len), *sig;
	int rc;

	if (text == NULL) {
		snprintf(err, errlen, _("cannot read %s.last-good: %s"), cfg_path, strerror(errno));
		return -1;
	}
	sig = read_opt(cfg_path, ".last-good.sig", &siglen);
	rc = write_path(cfg_path, ".sig", sig, siglen, err, errlen) < 0 ||
	    write_path(cfg_path, "", text, len, err, errlen) < 0 ? -1 : 0;
	free(text);
	free(sig);
	return rc;
}

static int
alive(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* the status file: pid, serial and the serial the daemon refused (0: none) */
static int
read_status(const char *run_dir, long *pid, long long *serial, long long *refused, char *why, size_t whylen)
{
	char path[PATH_MAX];
	json_error_t je;
	json_t *o;

	snprintf(path, sizeof(path), "%s/status.json", run_dir);
	if ((o = json_load_file(path, 0, &je)) == NULL)
		return -1;
	*pid = (long)json_integer_value(json_object_get(o, "pid"));
	*serial = json_integer_value(json_object_get(o, "serial"));
	*refused = json_integer_value(json_object_get(o, "refused_serial"));
	if (why)
		snprintf(why, whylen, "%s", json_string_value(json_object_get(o, "config_error")) ?
		    json_string_value(json_object_get(o, "config_error")) : "");
	json_decref(o);
	return 0;
}

long
cfgapply_daemon(const char *run_dir)
{
	long pid;
	long long serial, refused;

	if (read_status(run_dir, &pid, &serial, &refused, NULL, 0) < 0 || !alive(pid))
		return 0;
	return pid;
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
cfgapply_wait(const char *run_dir, long pid, long long serial, int timeout_s, char *err, size_t errlen)
{
	long long deadline = mono_ms() + timeout_s * 1000LL;
	char why[512];
	int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), rc = -1;

	if (ifd >= 0)
		inotify_add_watch(ifd, run_dir, IN_MOVED_TO | IN_CLOSE_WRITE);
	for (;;) {
		long p;
		long long s, refused, left;
		struct pollfd pfd = { .fd = ifd, .events = POLLIN };
		char buf[4096];

		if (read_status(run_dir, &p, &s, &refused, why, sizeof(why)) == 0) {
			if (p == pid && s == serial && alive(pid)) {
				rc = 0;
				break;
			}
			if (p == pid && refused == serial) {
				snprintf(err, errlen, _("the daemon refused it: %s"), why[0] ? why : _("(no reason given)"));
				break;
			}
		}
		if (!alive(pid)) {
			snprintf(err, errlen, _("the daemon (pid %ld) stopped"), pid);
			break;
		}
		if ((left = deadline - mono_ms()) <= 0) {
			snprintf(err, errlen, _("the daemon did not report serial %lld within %d s"), serial, timeout_s);
			break;
		}
		/* the status file is renamed into place; a dead daemon writes nothing, so look again now and then */
		if (poll(&pfd, ifd >= 0 ? 1 : 0, left < 250 ? (int)left : 250) > 0)
			while (read(ifd, buf, sizeof(buf)) > 0)
				;
	}
	if (ifd >= 0)
		close(ifd);
	return rc;
}

enum cfgapply_outcome
cfgapply_run(const struct cfg *cur, const char *text, size_t len, const char *sig, size_t siglen, const char *name,
    int32_t today, int timeout_s, struct diag *d, struct cfgapply_result *r)
{
	struct cfg *c = NULL;
	char why[512], err[512];
	long pid;
	int v;

	memset(r, 0, sizeof(*r));
	v = cfgapply_check(cur, text, len, sig, siglen, name, today, &c, d, r);
	if (v != 0) {
		r->outcome = v > 0 ? CFGAPPLY_SAME : CFGAPPLY_REFUSED;
		return r->outcome;
	}
	cfg_free(c);
	/* the daemon runs the current config's paths: its status is there */
	pid = cfgapply_daemon(cur->paths.run);
	if (cfgapply_swap(cur, text, len, sig, siglen, r) < 0) {
		r->outcome = CFGAPPLY_REFUSED;
		return r->outcome;
	}
	r->outcome = CFGAPPLY_APPLIED;
	if (pid == 0) {
		snprintf(r->msg, sizeof(r->msg), _("configuration serial %lld applied (it was %lld); no daemon runs: it "
		    "takes effect when loaxad starts"), r->new_serial, r->old_serial);
		return r->outcome;
	}
	r->daemon = 1;
	if (cfgapply_wait(cur->paths.run, pid, r->new_serial, timeout_s, why, sizeof(why)) == 0) {
		snprintf(r->msg, sizeof(r->msg), _("configuration serial %lld applied (it was %lld); the daemon runs it"),
		    r->new_serial, r->old_serial);
		return r->outcome;
	}
	r->outcome = CFGAPPLY_ROLLED_BACK;
	if (cfgapply_rollback(cur->file, err, sizeof(err)) < 0)
		snprintf(r->msg, sizeof(r->msg), _("configuration serial %lld was NOT taken by the daemon (%s), and the "
		    "last good one could not be put back (%s): check the board"), r->new_serial, why, err);
	else
		snprintf(r->msg, sizeof(r->msg), _("configuration serial %lld was not taken by the daemon (%s): rolled "
		    "back to the last good one (serial %lld)"), r->new_serial, why, r->old_serial);
	return r->outcome;
}

/* --- a province's config taken by one board ------------------------------------- */

static const char *const local_groups[] = { "site", "paths", "audio", "fleet", NULL };

static int
is_local(const char *name)
{
	for (int i = 0; local_groups[i]; i++)
		if (strcmp(name, local_groups[i]) == 0)
			return 1;
	return 0;
}

/* a deep copy of from as a new member (named name, or unnamed in a list/array) of parent */
static int
copy_setting(config_setting_t *parent, const config_setting_t *from, const char *name)
{
	int type = config_setting_type(from);
	config_setting_t *to = config_setting_add(parent, name, type);

	if (to == NULL)
		return -1;
	switch (type) {
	case CONFIG_TYPE_INT:
		config_setting_set_int(to, config_setting_get_int(from));
		break;
	case CONFIG_TYPE_INT64:
		config_setting_set_int64(to, config_setting_get_int64(from));
		break;
	case CONFIG_TYPE_FLOAT:
		config_setting_set_float(to, config_setting_get_float(from));
		break;
	case CONFIG_TYPE_BOOL:
		config_setting_set_bool(to, config_setting_get_bool(from));
		break;
	case CONFIG_TYPE_STRING:
		config_setting_set_string(to, config_setting_get_string(from));
		break;
	default:
		for (int i = 0; i < config_setting_length(from); i++) {
			const config_setting_t *m = config_setting_get_elem(from, (unsigned)i);
			if (copy_setting(to, m, type == CONFIG_TYPE_GROUP ? config_setting_name(m) : NULL) < 0)
				return -1;
		}
	}
	config_setting_set_format(to, config_setting_get_format(from));
	return 0;
}

int
cfgapply_localise(const struct cfg *cur, const char *text, size_t len, char **out, size_t *outlen, char *err,
    size_t errlen)
{
	config_t mine, theirs;
	config_setting_t *root, *troot;
	char *buf = NULL;
	size_t size = 0;
	FILE *fp;
	int rc = -1;

	(void)len;
	*out = NULL;
	config_init(&mine);
	config_init(&theirs);
	if (config_read_string(&mine, cur->text) != CONFIG_TRUE || config_read_string(&theirs, text) != CONFIG_TRUE) {
		snprintf(err, errlen, "%s", _("the configuration cannot be read"));
		goto out;
	}
	root = config_root_setting(&mine);
	troot = config_root_setting(&theirs);
	/* theirs, without their local groups, then mine */
	for (int i = config_setting_length(troot) - 1; i >= 0; i--) {
		const config_setting_t *m = config_setting_get_elem(troot, (unsigned)i);
		if (is_local(config_setting_name(m)))
			config_setting_remove_elem(troot, (unsigned)i);
	}
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *m = config_setting_get_elem(root, (unsigned)i);
		if (is_local(config_setting_name(m)) && copy_setting(troot, m, config_setting_name(m)) < 0) {
			snprintf(err, errlen, "%s", _("the board's own settings could not be kept"));
			goto out;
		}
	}
	if ((fp = open_memstream(&buf, &size)) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto out;
	}
	fputs("# The province's configuration with this board's site, paths, audio and fleet settings (loaxad).\n", fp);
	config_write(&theirs, fp);
	if (fclose(fp) != 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(buf);
		goto out;
	}
	*out = buf;
	*outlen = size;
	rc = 0;
out:
	config_destroy(&mine);
	config_destroy(&theirs);
	return rc;
}

int
cfgapply_check_fleet(const struct cfg *cur, const char *text, size_t len, const char *sig, size_t siglen,
    const char *name, int32_t today, char **taken, size_t *takenlen, struct cfg **out, struct diag *d,
    struct cfgapply_result *r)
{
	config_t lc;
	const char *site = NULL;
	char err[512];
	int whole;

	*out = NULL;
	*taken = NULL;
	if (check_sig(cur, text, len, sig, siglen, name, r) < 0)
		return -1;
	config_init(&lc);
	whole = memchr(text, '\0', len) == NULL && config_read_string(&lc, text) == CONFIG_TRUE &&
	    config_lookup_string(&lc, "site.id", &site) == CONFIG_TRUE && strcmp(site, cur->site.id) == 0;
	config_destroy(&lc);
	if (whole || memchr(text, '\0', len) != NULL)
		return check_body(cur, text, len, name, today, out, d, r);
	if (cfgapply_localise(cur, text, len, taken, takenlen, err, sizeof(err)) < 0) {
		/* not libconfig: the full check names the line */
		return check_body(cur, text, len, name, today, out, d, r);
	}
	return check_body(cur, *taken, *takenlen, name, today, out, d, r);
}
