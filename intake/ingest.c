/*
 * ingest: see ingest.h. One piece because a stick's defences (paths, sizes,
 * names, the manifest, the measuring child) are one reading of one folder.
 * The stick is read only through descriptors opened
 * below LOAXA/ with openat2; the library is written only through durable (and
 * lib_put, which uses durable). The measuring child shares nothing with the
 * caller but a pipe.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <linux/landlock.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <uninorm.h>
#include <unistr.h>
#include <unistd.h>

#include "audio/avchild.h"
#include "audio/decode.h"
#include "base/date.h"
#include "base/durable.h"
#include "base/translate.h"
#include "config/cfgkey.h"
#include "config/manifest.h"
#include "config/sign.h"
#include "intake/ingest.h"
#include "scheduler/library.h"

#define COPY_BLOCK	(256 * 1024)
#define SLUG_MAX	(BUL_ID_MAX - 4)	/* room for "-NNN" */
#define RESOLVE_FLAGS	(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

void
ingest_limits_default(struct ingest_limits *l)
{
	l->max_file = INGEST_MAX_FILE;
	l->max_total = INGEST_MAX_TOTAL;
	l->reserve = INGEST_RESERVE;
	l->max_files = INGEST_MAX_FILES;
	l->max_depth = INGEST_MAX_DEPTH;
	l->cpu_s = INGEST_CHILD_CPU_S;
	l->mem = INGEST_CHILD_MEM;
}

/* --- the result ------------------------------------------------------------ */

static struct ingest_item *
add_item(struct ingest_result *r, const char *file, enum ingest_status st)
{
	struct ingest_item *it;

	if (r->n == r->cap) {
		int ncap = r->cap ? r->cap * 2 : 16;
		struct ingest_item *ni = realloc(r->items, (size_t)ncap * sizeof(*ni));
		if (ni == NULL)
			abort();	/* a few hundred items at most */
		r->items = ni;
		r->cap = ncap;
	}
	it = &r->items[r->n++];
	memset(it, 0, sizeof(*it));
	it->file = cfgkey_strdup(file);
	it->status = st;
	switch (st) {
	case INGEST_LOADED: r->loaded++; break;
	case INGEST_UPDATED: r->updated++; break;
	case INGEST_DUPLICATE: r->duplicates++; break;
	case INGEST_REFUSED: r->refused++; break;
	}
	return it;
}

static void refuse(struct ingest_result *, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
refuse(struct ingest_result *r, const char *file, const char *fmt, ...)
{
	struct ingest_item *it = add_item(r, file, INGEST_REFUSED);
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&it->reason, fmt, ap) < 0)
		abort();
	va_end(ap);
}

json_t *
ingest_record_fields(const struct ingest_result *r, const char *source)
{
	json_t *o = json_object(), *loaded = json_array(), *refused = json_array(), *dups = json_array();
	json_t *conv = json_object();

	json_object_set_new(o, "source", json_string(source));
	json_object_set_new(o, "manifest", json_string(!r->has_manifest ? "none" : r->manifest_signed ? "signed" :
	    "unsigned"));
	for (int i = 0; i < r->n; i++) {
		const struct ingest_item *it = &r->items[i];
		if (it->status == INGEST_LOADED || it->status == INGEST_UPDATED) {
			json_array_append_new(loaded, json_string(it->b.id));
			if (it->converted[0])	/* id -> what it was: "M4A (AAC)" */
				json_object_set_new(conv, it->b.id, json_string(it->converted));
		} else if (it->status == INGEST_DUPLICATE)
			json_array_append_new(dups, json_pack("{s:s, s:s}", "file", it->file, "bulletin", it->b.id));
		else
			json_array_append_new(refused, json_pack("{s:s, s:s}", "file", it->file, "reason", it->reason));
	}
	if (json_object_size(conv) > 0)
		json_object_set(o, "converted", conv);
	json_decref(conv);
	json_object_set_new(o, "loaded", loaded);
	json_object_set_new(o, "refused", refused);
	json_object_set_new(o, "duplicates", dups);
	json_object_set_new(o, "bytes", json_integer(r->bytes));
	return o;
}

void
ingest_result_free(struct ingest_result *r)
{
	for (int i = 0; i < r->n; i++) {
		free(r->items[i].file);
		free(r->items[i].reason);
		bul_free(&r->items[i].b);
	}
	free(r->items);
	diag_free(&r->manifest);
	memset(r, 0, sizeof(*r));
}

/* --- names ------------------------------------------------------------------ */

char *
ingest_nfc(const char *s)
{
	size_t n = strlen(s), len = 0;
	uint8_t *u;
	char *out;

	if (u8_check((const uint8_t *)s, n) != NULL)
		return NULL;
	if ((u = u8_normalize(UNINORM_NFC, (const uint8_t *)s, n, NULL, &len)) == NULL)
		return NULL;
	out = cfgkey_calloc(len + 1, 1);
	memcpy(out, u, len);
	free(u);
	return out;
}

int
ingest_slug(const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name), len = 0, o = 0, max = outlen - 1 < SLUG_MAX ? outlen - 1 : SLUG_MAX;
	const uint8_t *p, *end;
	uint8_t *d;
	int sep = 0;

	if (outlen < 2 || u8_check((const uint8_t *)name, n) != NULL)
		return -1;
	/* NFD splits every Vietnamese letter into its base and its marks */
	if ((d = u8_normalize(UNINORM_NFD, (const uint8_t *)name, n, NULL, &len)) == NULL)
		return -1;
	for (p = d, end = d + len; p < end && o < max;) {
		ucs4_t u;
		int l = u8_mbtouc(&u, p, (size_t)(end - p));

		p += l > 0 ? l : 1;
		if (u >= 0x300 && u <= 0x36f)
			continue;		/* a combining mark: tone or hat */
		if (u == 0x111 || u == 0x110)
			u = 'd';		/* đ Đ do not decompose */
		if (u < 128 && isalnum((int)u)) {
			if (sep && o > 0 && o + 1 < max)
				out[o++] = '-';
			sep = 0;
			out[o++] = (char)tolower((int)u);
		} else
			sep = 1;
	}
	free(d);
	while (o > 0 && out[o - 1] == '-')
		o--;
	out[o] = '\0';
	if (o == 0)
		snprintf(out, outlen, "bulletin");
	return 0;
}

static const char *
ext_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && dot != name && !strchr(dot, '/') ? dot : name + strlen(name);
}

static const char *
base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* --- the manifest ------------------------------------------------------------ */

static void
topic_list(const struct cfg *c, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < c->ntopics && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", c->topics[i].id);
}

int
ingest_manifest_parse(const char *text, const char *name, const struct cfg *c, struct bulletin **out, int *nout,
    struct diag *d)
{
	static const char *const keys[] = { "bulletins", "signer", "sequence", "expires", "sites", "province", NULL };
	struct cfgkey ld = { .file = name, .d = d };
	const config_setting_t *root, *list;
	struct bulletin *v = NULL;
	config_t lc;
	const char *s;
	int n = 0, len;
	char topics[512];

	*out = NULL;
	*nout = 0;
	if (cfgkey_read(&ld, &lc, text) < 0)
		return -1;
	root = config_root_setting(&lc);
	cfgkey_keys(&ld, root, keys);
	if (cfgkey_str(&ld, root, "signer", &s) > 0) {
		unsigned char k[CFG_KEY_LEN];
		if (cfg_parse_key(s, k) < 0)
			cfgkey_err(&ld, config_setting_get_member(root, "signer"),
			    _("must be the signing key as \"ed25519:BASE64\" (the office's .pub file)"));
	}
	list = config_setting_get_member(root, "bulletins");
	if (list == NULL) {
		cfgkey_missing(&ld, root, "bulletins", _("a list of bulletins: bulletins = ( { file = ...; ... } );"));
		config_destroy(&lc);
		return 0;
	}
	if (config_setting_type(list) != CONFIG_TYPE_LIST) {
		cfgkey_err(&ld, list, _("must be a list in ( ), one { ... } group per bulletin"));
		config_destroy(&lc);
		return 0;
	}
	topic_list(c, topics, sizeof(topics));
	len = config_setting_length(list);
	v = cfgkey_calloc((size_t)(len > 0 ? len : 1), sizeof(*v));
	for (int i = 0; i < len; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct bulletin b;
		int bad = 0;
		char *nfc;

		if (bul_parse(&ld, g, BUL_MANIFEST, &b) < 0)
			continue;
		if (cfg_topic(c, b.topic) == NULL) {
			cfgkey_err(&ld, config_setting_get_member(g, "topic"),
			    _("\"%s\" is not a topic of this board (its topics: %s)"), b.topic, topics);
			bad = 1;
		}
		for (int k = 0; k < b.nsessions; k++)
			if (cfg_session(c, b.sessions[k]) == NULL) {
				cfgkey_err(&ld, config_setting_get_member(g, "sessions"),
				    _("\"%s\" is not a session of this board's timetable"), b.sessions[k]);
				bad = 1;
			}
		if ((nfc = ingest_nfc(b.file)) == NULL) {
			cfgkey_err(&ld, config_setting_get_member(g, "file"), "%s", _("is not valid UTF-8 text"));
			bad = 1;
		} else {
			free(b.file);
			b.file = nfc;
		}
		for (int k = 0; k < n && !bad; k++) {
			if (strcmp(v[k].id, b.id) == 0) {
				cfgkey_err(&ld, config_setting_get_member(g, "id"),
				    _("bulletin id \"%s\" is used twice (first on line %d)"), b.id, v[k].line);
				bad = 1;
			} else if (strcmp(v[k].file, b.file) == 0) {
				cfgkey_err(&ld, config_setting_get_member(g, "file"),
				    _("file \"%s\" is listed twice (first on line %d)"), b.file, v[k].line);
				bad = 1;
			}
		}
		if (bad) {
			bul_free(&b);
			continue;
		}
		v[n++] = b;
	}
	config_destroy(&lc);
	diag_sort(d);
	*out = v;
	*nout = n;
	return 0;
}

/* --- measuring in a child ------------------------------------------------------ */

struct wire {
	int			ok;
	struct audio_measure	m;
	char			err[512];
};

static long long
vm_size(void)
{
	FILE *fp = fopen("/proc/self/statm", "re");
	unsigned long long pages = 0;

	if (fp) {
		if (fscanf(fp, "%llu", &pages) != 1)
			pages = 0;
		fclose(fp);
	}
	return (long long)pages * sysconf(_SC_PAGESIZE);
}

/* 0, or -1 (errno): a limit that is not set is not a limit */
static int
child_limit(int res, rlim_t v)
{
	struct rlimit rl = { v, v };

	return setrlimit(res, &rl);
}

/*
 * The measuring child decodes what a stranger put on a stick. It runs as the
 * daemon's user, who may write the config folder: Landlock takes every
 * write, rename, link and removal away from it (it only reads the one file
 * and writes its pipe), so an exploited decoder cannot roll the config back
 * or replace trust.keys. A kernel without Landlock (before 5.13, or not
 * enabled) leaves RLIMIT_FSIZE = 0 (no data written) and NO_NEW_PRIVS.
 */
int
ingest_sandbox(void)
{
	struct landlock_ruleset_attr ra = { 0 };
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	int fd, rc;

	if (abi < 1)
		return 0;
	ra.handled_access_fs = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
	    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
#ifdef LANDLOCK_ACCESS_FS_REFER
	if (abi >= 2)
		ra.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		ra.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
	if ((fd = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0)) < 0)
		return -1;
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	rc = (int)syscall(SYS_landlock_restrict_self, fd, 0);
	close(fd);
	return rc < 0 ? -1 : 1;
}

static void __attribute__((noreturn))
measure_child(const char *path, const struct ingest_limits *lim, int wfd, long long vm)
{
	struct wire w;
	int null;

	memset(&w, 0, sizeof(w));
	/* nothing of the caller's but the pipe: the stick, the library, the log stay out of reach */
	if (wfd != 3) {
		dup2(wfd, 3);
		close(wfd);
	}
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 3)
			close(null);
	}
	syscall(SYS_close_range, 4U, ~0U, 0U);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (ingest_sandbox() < 0) {
		snprintf(w.err, sizeof(w.err), _("%s: not decoded: the decoder's sandbox (Landlock) cannot be set: %s"),
		    path, strerror(errno));
		if (write(3, &w, sizeof(w)) != (ssize_t)sizeof(w))
			_exit(1);
		_exit(0);
	}
	/* fail closed: untrusted audio is decoded under its limits or not at all */
	if (child_limit(RLIMIT_CORE, 0) < 0 || child_limit(RLIMIT_FSIZE, 0) < 0 || child_limit(RLIMIT_NOFILE, 8) < 0 ||
	    child_limit(RLIMIT_CPU, (rlim_t)lim->cpu_s) < 0 ||
	    (lim->mem > 0 && child_limit(RLIMIT_AS, (rlim_t)(vm + lim->mem)) < 0)) {
		snprintf(w.err, sizeof(w.err), _("%s: not decoded: the decoder's limits (memory, CPU time) cannot be set "
		    "(setrlimit: %s); the service must allow setrlimit and prlimit64"), path, strerror(errno));
		w.ok = 0;
		if (write(3, &w, sizeof(w)) != (ssize_t)sizeof(w))
			_exit(1);
		_exit(0);
	}
	w.ok = audio_measure(path, &w.m, w.err, sizeof(w.err)) == 0;
	if (write(3, &w, sizeof(w)) != (ssize_t)sizeof(w))
		_exit(1);
	_exit(0);
}

/* "PATH: rest" -> "SHOWN: rest" */
static void
rename_msg(const char *msg, const char *path, const char *shown, char *err, size_t errlen)
{
	size_t n = strlen(path);

	if (strncmp(msg, path, n) == 0)
		snprintf(err, errlen, "%s%s", shown, msg + n);
	else
		snprintf(err, errlen, "%s", msg);
}

/* a measuring child under way: started by measure_start, reaped by measure_wait */
struct mchild {
	pid_t	pid;
	int	fd;
};

static int
measure_start(const char *path, const char *shown, const struct ingest_limits *lim, struct mchild *c, char *err,
    size_t errlen)
{
	int pfd[2];
	long long vm;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, _("%s: cannot measure: %s"), shown, strerror(errno));
		return -1;
	}
	vm = vm_size();
	fflush(NULL);
	if ((c->pid = fork()) < 0) {
		snprintf(err, errlen, _("%s: cannot measure: %s"), shown, strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (c->pid == 0)
		measure_child(path, lim, pfd[1], vm);
	close(pfd[1]);
	c->fd = pfd[0];
	return 0;
}

static int
measure_wait(struct mchild *c, const char *path, const char *shown, const struct ingest_limits *lim,
    struct audio_measure *m, char *err, size_t errlen)
{
	struct wire w;
	size_t got = 0;
	int status = 0, timed_out = 0;

	/* wall-clock bound too: a child blocked on I/O uses no CPU time */
	while (got < sizeof(w)) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int r = poll(&p, 1, (lim->cpu_s * 3 + 10) * 1000);
		ssize_t k;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			timed_out = 1;
			kill(c->pid, SIGKILL);
			break;
		}
		k = read(c->fd, (char *)&w + got, sizeof(w) - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(c->fd);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == sizeof(w) && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		w.err[sizeof(w.err) - 1] = '\0';
		if (w.ok) {
			*m = w.m;
			return 0;
		}
		rename_msg(w.err, path, shown, err, errlen);
		return -1;
	}
	if (timed_out || (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL)))
		snprintf(err, errlen, _("%s: decoding it took too long (more than %d s): the file is damaged or not "
		    "really audio; convert it to MP3 again"), shown, lim->cpu_s);
	else if (WIFSIGNALED(status))
		snprintf(err, errlen, _("%s: the decoder failed on this file (signal %d): it is damaged or not really "
		    "audio; convert it to MP3 again"), shown, WTERMSIG(status));
	else
		snprintf(err, errlen, _("%s: the decoder ran out of memory or failed on this file: it is damaged or "
		    "not really audio; convert it to MP3 again"), shown);
	return -1;
}

int
ingest_measure(const char *path, const char *shown, const struct ingest_limits *lim, struct audio_measure *m,
    char *err, size_t errlen)
{
	struct ingest_limits dl;
	struct mchild c;

	if (lim == NULL) {
		ingest_limits_default(&dl);
		lim = &dl;
	}
	if (measure_start(path, shown, lim, &c, err, errlen) < 0)
		return -1;
	return measure_wait(&c, path, shown, lim, m, err, errlen);
}

/* --- the stick ------------------------------------------------------------------ */

struct entry {
	char		*raw;		/* relative to LOAXA/, the bytes on the stick */
	char		*nfc;		/* the same in NFC */
	char		*top;		/* its first folder below LOAXA/ (NFC), or NULL */
	long long	 size;
	int		 used;		/* a manifest entry names it */
};

struct ctx {
	const struct ingest_opts *o;
	struct ingest_limits	 lim;
	struct ingest_result	*r;
	int			 lx;		/* LOAXA/ */
	struct entry		*e;
	int			 ne, cape;
	int			 seen;
	int			 too_many;
	long long		 total;		/* bytes taken so far */
	struct lib		 lib;
	char			 tmpdir[PATH_MAX];
	int			 seq;
	int			 jobs;		/* measuring children at once */
	int			 retake;	/* the manifest was taken before: nothing on the board changes */
	struct bulletin		*done;		/* what this run stored */
	int			 ndone, capdone;
};

/*
 * Without openat2: the same promise, one component at a time. An absolute
 * name, an empty component or ".." is refused (EXDEV, as RESOLVE_BENEATH
 * answers), and every component is opened with O_NOFOLLOW (a link answers
 * ELOOP; a folder through O_DIRECTORY is opened as what it is, never
 * followed). Magic links live only in /proc, which nothing beneath a stick
 * or an inbox reaches without "..".
 *
 * Why it exists: systemd's RestrictSUIDSGID=yes (both units) cannot look
 * into openat2's struct open_how for a set-uid mode, so it answers ENOSYS for
 * every openat2 call, expecting programs to fall back to openat. Before this
 * fallback every stick was refused with ENOSYS on a board
 * installed from the package (found by make check-image). Kernels before
 * 5.6 and qemu-user before 9.1 lack openat2 too.
 */
static int
open_beneath_walk(int dirfd, const char *path, int flags)
{
	char comp[NAME_MAX + 1];
	const char *p = path, *slash;
	int cur = dirfd, fd;

	if (*p == '/' || *p == '\0') {
		errno = *p == '/' ? EXDEV : ENOENT;
		return -1;
	}
	for (;;) {
		size_t n;

		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || n > NAME_MAX || (n == 2 && p[0] == '.' && p[1] == '.')) {
			if (cur != dirfd)
				close(cur);
			errno = n > NAME_MAX ? ENAMETOOLONG : n == 0 ? ENOENT : EXDEV;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		fd = openat(cur, comp, slash ? O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC :
		    flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		if (fd < 0 && errno == ENOTDIR) {	/* O_DIRECTORY on a link says ENOTDIR; openat2 says ELOOP */
			struct stat st;

			if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				errno = ELOOP;
			else
				errno = ENOTDIR;
		}
		if (cur != dirfd) {
			int e = errno;
			close(cur);
			errno = e;
		}
		if (fd < 0 || slash == NULL)
			return fd;
		cur = fd;
		p = slash + 1;
	}
}

int
ingest_open_beneath(int dirfd, const char *path, int flags)
{
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	how.resolve = RESOLVE_FLAGS;
	fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = open_beneath_walk(dirfd, path, flags);
	return fd;
}

static int
known_root_name(const char *n)
{
	static const char *const names[] = { "manifest.cfg", "manifest.cfg.sig", "loaxa.cfg", "loaxa.cfg.sig",
		"export", NULL };

	for (int i = 0; names[i]; i++)
		if (strcmp(n, names[i]) == 0)
			return 1;
	return strncmp(n, "receipt-", 8) == 0 && strlen(n) > 12 && strcmp(n + strlen(n) - 4, ".txt") == 0;
}

static char *
join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s%s%s", a, *a ? "/" : "", b) < 0)
		abort();
	return s;
}

static void
add_entry(struct ctx *x, const char *raw, const char *nfc, const char *top, long long size)
{
	if (x->ne == x->cape) {
		int ncap = x->cape ? x->cape * 2 : 32;
		struct entry *ne = realloc(x->e, (size_t)ncap * sizeof(*ne));
		if (ne == NULL)
			abort();
		x->e = ne;
		x->cape = ncap;
	}
	x->e[x->ne++] = (struct entry){ cfgkey_strdup(raw), cfgkey_strdup(nfc), top ? cfgkey_strdup(top) : NULL, size, 0 };
}

static void
scan(struct ctx *x, int dfd, const char *raw_prefix, const char *nfc_prefix, const char *top, int depth)
{
	struct dirent *de;
	DIR *dp;
	int fd = dup(dfd);

	if (fd < 0 || (dp = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		refuse(x->r, nfc_prefix, _("this folder cannot be read: %s"), strerror(errno));
		return;
	}
	while ((de = readdir(dp)) != NULL && !x->too_many) {
		const char *n = de->d_name;
		struct stat st;
		char *raw, *nfc, *name;

		if (n[0] == '.' || strcmp(n, "System Volume Information") == 0)
			continue;	/* ., .., macOS ._ files and .Trashes, Windows' own folder */
		if (depth == 0 && known_root_name(n))
			continue;
		if (++x->seen > x->lim.max_files) {
			x->too_many = 1;
			break;
		}
		raw = join(raw_prefix, n);
		if ((name = ingest_nfc(n)) == NULL) {
			refuse(x->r, raw, "%s", _("the name is not valid UTF-8 text: rename it on a computer and copy it "
			    "again"));
			free(raw);
			continue;
		}
		nfc = join(nfc_prefix, name);
		if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			refuse(x->r, nfc, _("cannot be read from the stick: %s"), strerror(errno));
		else if (S_ISLNK(st.st_mode)) {
			char target[256];
			ssize_t k = readlinkat(dfd, n, target, sizeof(target) - 1);
			target[k > 0 ? k : 0] = '\0';
			refuse(x->r, nfc, _("is a link (to \"%s\"), not a file: loaxa never follows links; copy the file "
			    "itself onto the stick"), target);
		} else if (S_ISDIR(st.st_mode)) {
			int sub;
			if (depth + 1 > x->lim.max_depth)
				refuse(x->r, nfc, _("folder nested too deep (more than %d levels below LOAXA): move its "
				    "files up"), x->lim.max_depth);
			else if ((sub = ingest_open_beneath(dfd, n, O_RDONLY | O_DIRECTORY)) < 0)
				refuse(x->r, nfc, _("this folder cannot be opened: %s"), strerror(errno));
			else {
				scan(x, sub, raw, nfc, top ? top : name, depth + 1);
				close(sub);
			}
		} else if (S_ISREG(st.st_mode))
			add_entry(x, raw, nfc, top, (long long)st.st_size);
		else if (S_ISFIFO(st.st_mode))
			refuse(x->r, nfc, "%s", _("is a pipe (FIFO), not a file: nothing was read from it"));
		else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
			refuse(x->r, nfc, "%s", _("is a device node, not a file: nothing was read from it"));
		else
			refuse(x->r, nfc, "%s", _("is not a regular file: nothing was read from it"));
		free(raw);
		free(nfc);
		free(name);
	}
	closedir(dp);
}

static int
by_nfc(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->nfc, ((const struct entry *)b)->nfc);
}

/* --- one file --------------------------------------------------------------------- */

static const struct bulletin *
done_find(const struct ctx *x, const char *id, const char *sha)
{
	for (int i = 0; i < x->ndone; i++)
		if ((id && strcmp(x->done[i].id, id) == 0) || (sha && strcmp(x->done[i].sha256, sha) == 0))
			return &x->done[i];
	return NULL;
}

static void
remember(struct ctx *x, const struct bulletin *b)
{
	if (x->ndone == x->capdone) {
		int ncap = x->capdone ? x->capdone * 2 : 16;
		struct bulletin *nb = realloc(x->done, (size_t)ncap * sizeof(*nb));
		if (nb == NULL)
			abort();
		x->done = nb;
		x->capdone = ncap;
	}
	bul_copy(&x->done[x->ndone++], b);
}

static const char *
storage_words(int e)
{
	return e == ENOSPC || e == EDQUOT ? _("the board's storage is full") : strerror(e);
}

/* copies in -> out while hashing; 0, or -1 with a message */
static int
copy_hash(int in, int out, long long size, char sha[65], long long *copied, const char *shown, char *err,
    size_t errlen)
{
	crypto_hash_sha256_state st;
	unsigned char h[32], *buf = malloc(COPY_BLOCK);
	long long total = 0;
	ssize_t n;

	if (buf == NULL) {
		snprintf(err, errlen, "%s: %s", shown, strerror(ENOMEM));
		return -1;
	}
	posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
	crypto_hash_sha256_init(&st);
	while ((n = read(in, buf, COPY_BLOCK)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, _("cannot be read from the stick (%s): the stick may be damaged; copy the "
			    "file again"), strerror(errno));
			free(buf);
			return -1;
		}
		total += n;
		if (total > size)
			break;
		crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
		if (durable_write(out, buf, (size_t)n) < 0) {
			snprintf(err, errlen, _("could not be stored on the board: %s"), storage_words(errno));
			free(buf);
			return -1;
		}
	}
	free(buf);
	*copied = total;
	if (total != size) {
		snprintf(err, errlen, "%s", _("changed while it was being read: take the stick out, copy the file "
		    "again and plug it in again"));
		return -1;
	}
	if (durable_fsync(out) < 0) {
		snprintf(err, errlen, _("could not be stored on the board: %s"), storage_words(errno));
		return -1;
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(sha, 65, h, sizeof(h));
	return 0;
}

/* the free bytes of the library's file system */
static long long
free_bytes(const char *dir)
{
	struct statvfs sv;

	if (statvfs(dir, &sv) < 0)
		return -1;
	return (long long)sv.f_bavail * (long long)sv.f_frsize;
}

/* the metadata text of b without its import time: equal means nothing changed */
static int
same_metadata(const struct bulletin *a, const struct bulletin *b)
{
	struct bulletin x = *a, y = *b;
	char *ta, *tb;
	int same;

	x.imported = y.imported = 0;
	x.imported_off = y.imported_off = 0;
	ta = lib_format(&x);
	tb = lib_format(&y);
	same = ta && tb && strcmp(ta, tb) == 0;
	free(ta);
	free(tb);
	return same;
}

/* an id for a loose file: its slug, or slug-2, slug-3 ... when taken */
static void
loose_id(struct ctx *x, const char *nfc, char *id, size_t len)
{
	char slug[BUL_ID_MAX + 1], *stem = cfgkey_strdup(base_of(nfc));
	int k = 2;

	stem[ext_of(stem) - stem] = '\0';
	if (ingest_slug(stem, slug, sizeof(slug)) < 0)
		snprintf(slug, sizeof(slug), "bulletin");
	free(stem);
	snprintf(id, len, "%s", slug);
	while (lib_find(&x->lib, id) || done_find(x, id, NULL))
		if ((size_t)snprintf(id, len, "%.*s-%d", SLUG_MAX, slug, k++) >= len)
			break;	/* cannot happen: the slug leaves room for the number */
}

static const char *
loose_topic(const struct ctx *x, const struct entry *e)
{
	const struct cfg *c = x->o->c;
	char a[BUL_ID_MAX + 1], b[BUL_ID_MAX + 1];

	if (e->top == NULL)
		return "local";
	if (cfg_topic(c, e->top))
		return cfg_topic(c, e->top)->id;
	if (ingest_slug(e->top, a, sizeof(a)) < 0)
		return "local";
	for (int i = 0; i < c->ntopics; i++) {
		if (strcmp(c->topics[i].id, a) == 0)
			return c->topics[i].id;
		if (c->topics[i].name && ingest_slug(c->topics[i].name, b, sizeof(b)) == 0 && strcmp(a, b) == 0)
			return c->topics[i].id;
	}
	return "local";
}

/*
 * One file's import, in two halves so that several files are decoded and
 * measured at once (one child per core): prepare() copies, hashes and
 * decides, starting the measuring child when one is needed; finish(), called
 * in file order, waits for it, stores the bulletin and adds the result's
 * item. The result is thus the same whatever the number of cores.
 */
enum job_kind { J_REFUSE, J_DUP, J_DUP_PENDING, J_STORE, J_MEASURE };

struct job {
	const struct entry	*e;
	const struct bulletin	*mb;	/* the manifest's entry, or NULL for a loose file */
	enum job_kind		 kind;
	char			*reason;	/* J_REFUSE */
	struct bulletin		 dup;		/* J_DUP: the bulletin that holds the audio */
	struct bulletin		 bul;		/* J_STORE, J_MEASURE: what it becomes */
	int			 old;		/* it replaces a bulletin of the same id */
	char			 tmp[PATH_MAX];	/* the copy in the library's tmp/ */
	struct mchild		 child;		/* J_MEASURE */
	char			 converted[48];	/* what it was, when converted ("M4A (AAC)") */
};

#define MAX_JOBS 64

/* the files in order, up to x->jobs measured at once */
struct queue {
	struct job	 j[MAX_JOBS];
	int		 head, n, running;
};

static void jrefuse(struct job *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* a bulletin a manifest taken before would change: a later manifest has changed it since */
static const char *
retaken_msg(void)
{
	return _("this manifest was taken before, and the bulletin has changed since (a later manifest): not "
	    "changed back");
}

static void
jrefuse(struct job *j, const char *fmt, ...)
{
	va_list ap;

	j->kind = J_REFUSE;
	va_start(ap, fmt);
	if (vasprintf(&j->reason, fmt, ap) < 0)
		abort();
	va_end(ap);
}

/* the message without the file name it starts with (the receipt names the file) */
static const char *
unnamed(const char *err, const char *name)
{
	size_t n = strlen(name);

	return strncmp(err, name, n) == 0 && err[n] == ':' ? err + n + 2 : err;
}

/*
 * A phone's recording, copied to j->tmp: converted there to FLAC by the
 * decoding child (its own limits; nothing of libav* in this process). The
 * hash stays the original's: it is what the stick or the manifest gave.
 */
static int
convert(struct ctx *x, struct job *j, char *err, size_t errlen)
{
	char flac[PATH_MAX + 8], reason[32], why[512];
	struct avconvert cv;

	(void)x;
	snprintf(flac, sizeof(flac), "%s.flac", j->tmp);
	if (avchild_convert(j->tmp, flac, AUDIO_DEC_MAX_SECONDS, INGEST_CONVERT_S, &cv, reason, sizeof(reason), why,
	    sizeof(why)) < 0) {
		if (strcmp(reason, "too-long") == 0)
			snprintf(err, errlen, _("is longer than %d minutes: split it into shorter bulletins"),
			    AUDIO_DEC_MAX_SECONDS / 60);
		else if (strcmp(reason, "not-audio") == 0)
			snprintf(err, errlen, "%s", _("looks like a phone recording but holds no audio that can be "
			    "played (damaged, or only video): record it again or convert it to MP3"));
		else if (strcmp(reason, "decode") == 0 || strcmp(reason, "timeout") == 0)
			snprintf(err, errlen, _("is a damaged recording (%s): copy it again from the phone, or convert "
			    "it to MP3"), why);
		else if (strcmp(reason, "output") == 0)
			snprintf(err, errlen, _("could not be stored on the board: %s"), why);
		else
			snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (rename(flac, j->tmp) < 0) {
		unlink(flac);
		snprintf(err, errlen, _("could not be stored on the board: %s"), storage_words(errno));
		return -1;
	}
	snprintf(j->converted, sizeof(j->converted), "%s", cv.label);
	return 0;
}

static void
prepare(struct ctx *x, struct job *j, const struct queue *q)
{
	const struct cfg *c = x->o->c;
	const struct entry *e = j->e;
	const struct bulletin *mb = j->mb, *old = NULL, *dup;
	const char *lib = c->paths.library;
	char *tmp = j->tmp, sha[65], err[768];
	enum audio_dec_kind kind;
	struct bulletin *bp = &j->bul;
	struct stat st;
	long long copied = 0, avail;
	int in = -1, out = -1;

#define b (*bp)
	if (e->size > x->lim.max_file) {
		jrefuse(j, _("is too large (%lld MiB; at most %lld MiB a file): split it into shorter "
		    "bulletins"), e->size >> 20, x->lim.max_file >> 20);
		goto out;
	}
	if (x->total + e->size > x->lim.max_total) {
		jrefuse(j, _("not loaded: the stick holds more than %lld MiB of audio; load the rest from "
		    "another stick"), x->lim.max_total >> 20);
		goto out;
	}
	if ((in = ingest_open_beneath(x->lx, e->raw, O_RDONLY | O_NONBLOCK)) < 0) {
		if (errno == ELOOP || errno == EXDEV)
			jrefuse(j, "%s", _("is reached through a link: loaxa never follows links; copy the file "
			    "itself onto the stick"));
		else
			jrefuse(j, _("cannot be opened on the stick: %s"), strerror(errno));
		goto out;
	}
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		jrefuse(j, "%s", _("is not a regular file: nothing was read from it"));
		goto out;
	}
	if (st.st_size != e->size) {
		jrefuse(j, "%s", _("changed while it was being read: take the stick out, copy the file again "
		    "and plug it in again"));
		goto out;
	}
	if (audio_dec_sniff(in, e->nfc, &kind, err, sizeof(err)) < 0) {
		jrefuse(j, "%s", unnamed(err, e->nfc));
		goto out;
	}
	avail = free_bytes(lib);
	if (avail >= 0 && avail - e->size < x->lim.reserve) {
		jrefuse(j, _("not loaded: not enough space on the board (%lld MiB free, %lld MiB needed, %lld "
		    "MiB kept for the airing log); remove old bulletins first"), avail >> 20, (e->size >> 20) + 1,
		    x->lim.reserve >> 20);
		goto out;
	}
	if ((size_t)snprintf(tmp, sizeof(j->tmp), "%s/ingest-%ld-%d.part", x->tmpdir, (long)getpid(), ++x->seq) >=
	    sizeof(j->tmp)) {
		tmp[0] = '\0';
		jrefuse(j, _("could not be stored on the board: %s"), strerror(ENAMETOOLONG));
		goto out;
	}
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0) {
		jrefuse(j, _("could not be stored on the board: %s"), storage_words(errno));
		goto out;
	}
	if (copy_hash(in, out, e->size, sha, &copied, e->nfc, err, sizeof(err)) < 0) {
		jrefuse(j, "%s", err);
		goto out;
	}
	x->r->bytes += copied;
	x->total += copied;
	close(out);
	out = -1;
	close(in);
	in = -1;
	if (mb && mb->sha256[0] && strcmp(mb->sha256, sha) != 0) {
		jrefuse(j, _("its content does not match the sha256 in manifest.cfg (line %d): the file was "
		    "changed or damaged after the manifest was made; copy it again from the original"), mb->line);
		goto out;
	}

	if (kind == AUDIO_DEC_FOREIGN && convert(x, j, err, sizeof(err)) < 0) {
		jrefuse(j, "%s", err);
		goto out;
	}

	/* what it becomes */
	if (mb) {
		bul_copy(&b, mb);
		if (b.source == BUL_PROVINCE && !x->r->manifest_signed) {
			jrefuse(j, "%s", _("says it comes from the province, but manifest.cfg is not signed: ask "
			    "the province for the signed manifest (manifest.cfg.sig)"));
			goto out;
		}
		if (b.level == BUL_EMERGENCY && !x->r->manifest_signed && !x->o->c->trust.allow_unsigned_emergency) {
			jrefuse(j, "%s", _("is an emergency, but manifest.cfg is not signed: an emergency airs at once, "
			    "through quiet hours, and only the province may send one (or the board's configuration "
			    "allows unsigned ones: trust.allow_unsigned_emergency = true)"));
			goto out;
		}
		old = lib_find(&x->lib, b.id);
		if (old && old->source == BUL_PROVINCE && !x->r->manifest_signed) {
			jrefuse(j, _("would replace the province's bulletin \"%s\" (%s), but manifest.cfg is not "
			    "signed: give this bulletin another id"), old->title, old->id);
			goto out;
		}
	} else {
		char *title = cfgkey_strdup(base_of(e->nfc));
		title[ext_of(title) - title] = '\0';
		b.title = title;
		b.topic = cfgkey_strdup(loose_topic(x, e));
		if (cfg_topic(c, b.topic) == NULL) {
			jrefuse(j, "%s", _("this board has no topic \"local\" for files without a manifest: put "
			    "the file in a folder named after one of its topics"));
			goto out;
		}
		b.level = BUL_NORMAL;
		b.source = BUL_COMMUNE;
		b.valid_from = x->o->today;
		b.valid_to = x->o->today + INGEST_VALID_DAYS - 1;
	}
	j->old = old != NULL;
	memcpy(b.sha256, sha, sizeof(sha));
	free(b.file);
	if (asprintf(&b.file, "audio/%s.%s", sha, kind == AUDIO_DEC_WAV ? "wav" : kind == AUDIO_DEC_MP3 ? "mp3" :
	    "flac") < 0)
		abort();
	b.imported = x->o->now;
	b.imported_off = x->o->now_off;

	/* the same audio already on the board, or on its way there from this stick */
	dup = old && strcmp(old->sha256, sha) == 0 ? old : lib_find_sha(&x->lib, sha);
	if (dup == NULL)
		dup = done_find(x, NULL, sha);
	if (dup && !(mb && strcmp(dup->id, b.id) == 0)) {
		j->kind = J_DUP;
		bul_copy(&j->dup, dup);
		goto out;
	}
	if (dup) {	/* the manifest's bulletin again: new metadata, maybe */
		b.duration_ms = dup->duration_ms;
		b.loudness_lufs = dup->loudness_lufs;
		b.true_peak_db = dup->true_peak_db;
		if (same_metadata(&b, dup)) {
			j->kind = J_DUP;
			bul_copy(&j->dup, dup);
		} else if (x->retake)
			jrefuse(j, "%s", retaken_msg());
		else
			j->kind = J_STORE;
		goto out;
	}
	if (x->retake && old) {
		jrefuse(j, "%s", retaken_msg());
		goto out;
	}
	for (int i = 0; i < q->n; i++) {
		const struct job *p = &q->j[(q->head + i) % MAX_JOBS];
		if (p != j && (p->kind == J_MEASURE || p->kind == J_STORE) && strcmp(p->bul.sha256, sha) == 0) {
			j->kind = J_DUP_PENDING;
			goto out;
		}
	}
	if (measure_start(tmp, e->nfc, &x->lim, &j->child, err, sizeof(err)) < 0) {
		jrefuse(j, "%s", unnamed(err, e->nfc));
		goto out;
	}
	j->kind = J_MEASURE;
	(void)lib;
out:
#undef b
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (j->kind != J_MEASURE && tmp[0]) {
		unlink(tmp);
		tmp[0] = '\0';
	}
}

/* the second half, in file order: the item added says what happened */
static void
finish(struct ctx *x, struct job *j)
{
	const char *lib = x->o->c->paths.library, *nfc = j->e ? j->e->nfc : "";
	char dst[PATH_MAX], err[768], id[BUL_ID_MAX + 16];
	const struct bulletin *d;
	struct audio_measure m;
	struct ingest_item *it;

	switch (j->kind) {
	case J_REFUSE:
		refuse(x->r, nfc, "%s", j->reason);
		break;
	case J_DUP:
		it = add_item(x->r, nfc, INGEST_DUPLICATE);
		bul_copy(&it->b, &j->dup);
		break;
	case J_DUP_PENDING:
		if ((d = done_find(x, NULL, j->bul.sha256)) != NULL) {
			it = add_item(x->r, nfc, INGEST_DUPLICATE);
			bul_copy(&it->b, d);
		} else
			refuse(x->r, nfc, "%s", _("has the same audio as another file on this stick, which was refused "
			    "(see above)"));
		break;
	case J_MEASURE:
		if (measure_wait(&j->child, j->tmp, nfc, &x->lim, &m, err, sizeof(err)) < 0) {
			refuse(x->r, nfc, "%s", unnamed(err, nfc));
			break;
		}
		j->bul.duration_ms = m.duration_ms;
		j->bul.loudness_lufs = m.loudness_lufs;
		j->bul.true_peak_db = m.true_peak_db > -200 ? m.true_peak_db : -200;
		snprintf(dst, sizeof(dst), "%s/%s", lib, j->bul.file);
		if (durable_rename(j->tmp, dst) < 0) {
			refuse(x->r, nfc, _("could not be stored on the board: %s"), storage_words(errno));
			break;
		}
		j->tmp[0] = '\0';
		/* FALLTHROUGH */
	case J_STORE:
		if (!j->mb) {
			loose_id(x, nfc, id, sizeof(id));
			free(j->bul.id);
			j->bul.id = cfgkey_strdup(id);
		}
		if (lib_put(lib, &j->bul) < 0) {
			refuse(x->r, nfc, _("could not be stored on the board: %s"), storage_words(errno));
			break;
		}
		it = add_item(x->r, nfc, j->old ? INGEST_UPDATED : INGEST_LOADED);
		bul_copy(&it->b, &j->bul);
		snprintf(it->converted, sizeof(it->converted), "%s", j->converted);
		remember(x, &j->bul);
		break;
	}
	if (j->tmp[0])
		unlink(j->tmp);
	free(j->reason);
	bul_free(&j->dup);
	bul_free(&j->bul);
	memset(j, 0, sizeof(*j));
}

static void
finish_head(struct ctx *x, struct queue *q)
{
	struct job *j = &q->j[q->head];

	if (j->kind == J_MEASURE)
		q->running--;
	finish(x, j);
	q->head = (q->head + 1) % MAX_JOBS;
	q->n--;
}

static void
import_one(struct ctx *x, struct queue *q, const struct entry *e, const struct bulletin *mb)
{
	struct job *j;

	while (q->n == MAX_JOBS || q->running >= x->jobs)
		finish_head(x, q);
	j = &q->j[(q->head + q->n) % MAX_JOBS];
	memset(j, 0, sizeof(*j));
	j->e = e;
	j->mb = mb;
	prepare(x, j, q);
	q->n++;
	if (j->kind == J_MEASURE)
		q->running++;
}

static void
drain(struct ctx *x, struct queue *q)
{
	while (q->n > 0)
		finish_head(x, q);
}

/* --- the manifest on the stick ----------------------------------------------------- */

/* reads LOAXA/name (a regular file, at most max bytes); 1 read, 0 absent, -1 refused (err) */
static int
read_small(int lx, const char *name, size_t max, char **data, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd;

	*data = NULL;
	*len = 0;
	if (fstatat(lx, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s", name, strerror(errno)), -1);
	if (!S_ISREG(st.st_mode) || (fd = ingest_open_beneath(lx, name, O_RDONLY | O_NONBLOCK)) < 0) {
		snprintf(err, errlen, _("%s is not a regular file: loaxa reads only plain files from a stick"), name);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)max) {
		snprintf(err, errlen, _("%s is larger than %zu bytes: it is not a loaxa file"), name, max);
		close(fd);
		return -1;
	}
	buf = cfgkey_calloc((size_t)st.st_size + 1, 1);
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (memchr(buf, '\0', got)) {
		snprintf(err, errlen, _("%s holds NUL bytes: it is not a text file"), name);
		free(buf);
		return -1;
	}
	*data = buf;
	*len = got;
	return 1;
}

int
ingest_read_small(const char *root, const char *name, size_t max, char **data, size_t *len, char *err, size_t errlen)
{
	int rootfd, lx, r;

	*data = NULL;
	*len = 0;
	if ((rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, _("%s cannot be opened: %s"), root, strerror(errno));
		return -1;
	}
	lx = ingest_open_beneath(rootfd, INGEST_DIR, O_RDONLY | O_DIRECTORY);
	close(rootfd);
	if (lx < 0)
		return 0;	/* no usable LOAXA folder: ingest_run says so */
	r = read_small(lx, name, max, data, len, err, errlen);
	close(lx);
	return r;
}

int
ingest_has_dir(const char *root, const char *name)
{
	int rootfd, lx, fd;

	if ((rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	lx = ingest_open_beneath(rootfd, INGEST_DIR, O_RDONLY | O_DIRECTORY);
	close(rootfd);
	if (lx < 0)
		return 0;
	fd = ingest_open_beneath(lx, name, O_RDONLY | O_DIRECTORY);
	close(lx);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* the manifest's `signer`, when it names one that trust.keys does not hold */
static int
untrusted_signer(const char *text, const struct cfg *c, char *out, size_t outlen)
{
	struct diag d;
	struct cfgkey ld = { .file = "manifest", .d = &d };
	config_t lc;
	const char *s;
	unsigned char k[CFG_KEY_LEN];
	int r = 0;

	diag_init(&d);
	if (cfgkey_read(&ld, &lc, text) == 0) {
		if (config_lookup_string(&lc, "signer", &s) == CONFIG_TRUE && cfg_parse_key(s, k) == 0) {
			r = 1;
			for (int i = 0; i < c->trust.nkeys; i++)
				if (sodium_memcmp(k, c->trust.keys[i], CFG_KEY_LEN) == 0)
					r = 0;
			snprintf(out, outlen, "%s", s);
		}
		config_destroy(&lc);
	}
	diag_free(&d);
	return r;
}

/*
 * Is the manifest for this board, now, and newer than what its signer sent
 * before (config/manifest.h)? A signed one's sequence is noted before
 * anything from it is loaded. 0 yes, -1 refused (why).
 */
static int
bind_manifest(struct ctx *x, const char *text, size_t len, int which, char *why, size_t whylen)
{
	const struct cfg *c = x->o->c;
	struct manifest_meta m;
	size_t before = x->r->manifest.n;
	unsigned char h[32];
	char hex[65], scope[512];
	int rc = -1;

	if (manifest_meta_parse(text, INGEST_DIR "/manifest.cfg", &m, &x->r->manifest) < 0 ||
	    x->r->manifest.n > before) {
		diag_sort(&x->r->manifest);
		snprintf(why, whylen, "%s", _("manifest.cfg cannot be read (see the errors below): nothing from it was "
		    "loaded"));
		goto out;
	}
	if (manifest_check_bound(&m, x->r->manifest_signed, c, x->o->today, why, whylen) < 0)
		goto out;
	if (x->r->manifest_signed && which >= 0 && which < c->trust.nkeys) {
		crypto_hash_sha256(h, (const unsigned char *)text, len);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		manifest_scope(&m, scope, sizeof(scope));
		if ((x->retake = manifest_seq_check(c->paths.state, c->trust.keys[which], scope, m.sequence, hex, why,
		    whylen)) < 0)
			goto out;
		if (!x->retake &&
		    manifest_seq_note(c->paths.state, c->trust.keys[which], scope, m.sequence, hex, why, whylen) < 0)
			goto out;
	}
	rc = 0;
out:
	manifest_meta_free(&m);
	return rc;
}

/* 0 manifest usable (or absent), -1 refused as a whole: every file then refused with the reason */
static int
load_manifest(struct ctx *x, struct bulletin **mb, int *nmb, char *why, size_t whylen)
{
	const struct cfg *c = x->o->c;
	char *text = NULL, *sig = NULL, err[512], signer[128];
	size_t len, siglen;
	int r, s, which = -1;

	*mb = NULL;
	*nmb = 0;
	why[0] = '\0';
	r = read_small(x->lx, "manifest.cfg", INGEST_MANIFEST_MAX, &text, &len, err, sizeof(err));
	if (r < 0) {
		snprintf(why, whylen, "%s", err);
		return -1;
	}
	s = read_small(x->lx, "manifest.cfg.sig", 4096, &sig, &siglen, err, sizeof(err));
	if (r == 0) {
		free(sig);
		if (s != 0) {
			snprintf(why, whylen, "%s", _("manifest.cfg.sig is on the stick but manifest.cfg is not: copy both "
			    "files from the province"));
			return -1;
		}
		if (c->trust.require_signed_bulletins) {
			snprintf(why, whylen, "%s", _("this board takes only bulletins signed by the province (a "
			    "manifest.cfg with its manifest.cfg.sig), and this stick has no manifest"));
			return -1;
		}
		return 0;
	}
	x->r->has_manifest = 1;
	if (s < 0) {
		snprintf(why, whylen, "%s", err);
		goto refused;
	}
	if (s > 0) {
		int v;
		x->r->manifest_sig = 1;
		v = sign_verify_buf(text, len, sig, siglen, (const unsigned char (*)[SIGN_PUB_LEN])c->trust.keys,
		    c->trust.nkeys, &which, err, sizeof(err));
		if (v == 0)
			x->r->manifest_signed = 1;
		else if (c->trust.nkeys == 0) {
			snprintf(why, whylen, "%s", _("manifest.cfg is signed, but this board holds no key to check it "
			    "with (trust.keys is empty): ask the provincial office"));
			goto refused;
		} else if (v < 0) {
			snprintf(why, whylen, "%s", _("manifest.cfg.sig is not a signature (damaged): copy both files "
			    "again from the province"));
			goto refused;
		} else if (untrusted_signer(text, c, signer, sizeof(signer))) {
			snprintf(why, whylen, _("manifest.cfg is signed by a key this board does not trust (%.20s…): "
			    "nothing from it was loaded; ask the provincial office"), signer);
			goto refused;
		} else {
			snprintf(why, whylen, "%s", _("manifest.cfg does not match its signature: it was changed after "
			    "the province signed it (or signed by a key this board does not trust); nothing from it was "
			    "loaded: copy both files again from the province"));
			goto refused;
		}
	} else if (c->trust.require_signed_bulletins) {
		snprintf(why, whylen, "%s", _("manifest.cfg is not signed (no manifest.cfg.sig) and this board takes only "
		    "bulletins signed by the province: ask the province for the signed files"));
		goto refused;
	}
	if (ingest_manifest_parse(text, INGEST_DIR "/manifest.cfg", c, mb, nmb, &x->r->manifest) < 0) {
		snprintf(why, whylen, "%s", _("manifest.cfg cannot be read (see the errors below): nothing from it was "
		    "loaded"));
		goto refused;
	}
	if (bind_manifest(x, text, len, which, why, whylen) < 0) {
		for (int i = 0; i < *nmb; i++)
			bul_free(&(*mb)[i]);
		free(*mb);
		*mb = NULL;
		*nmb = 0;
		goto refused;
	}
	free(text);
	free(sig);
	return 0;
refused:
	free(text);
	free(sig);
	return -1;
}

/* --- the run ----------------------------------------------------------------------- */

int
ingest_run(const char *root, const struct ingest_opts *o, struct ingest_result *r, char *err, size_t errlen)
{
	struct ctx x;
	struct bulletin *mb = NULL;
	struct diag ld;
	char why[768];
	int nmb = 0, rootfd, rc = -1, whole = 0, lockfd = -1;
	struct queue *q = NULL;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(r, 0, sizeof(*r));
	diag_init(&r->manifest);
	memset(&x, 0, sizeof(x));
	x.o = o;
	x.r = r;
	x.lx = -1;
	x.lim = o->lim;
	x.jobs = ncpu < 1 ? 1 : ncpu > 4 ? 4 : (int)ncpu;	/* the boards have 4 cores */
	if (x.lim.max_file == 0)
		ingest_limits_default(&x.lim);
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium cannot start");
		return -1;
	}
	if ((rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, _("%s cannot be opened: %s"), root, strerror(errno));
		return -1;
	}
	x.lx = ingest_open_beneath(rootfd, INGEST_DIR, O_RDONLY | O_DIRECTORY);
	close(rootfd);
	if (x.lx < 0) {
		snprintf(err, errlen, errno == ENOENT ? _("%s holds no LOAXA folder: put the bulletins in a folder named "
		    "LOAXA on the stick") : _("%s/LOAXA cannot be opened (%s): it must be a plain folder, not a link"),
		    root, strerror(errno));
		return -1;
	}
	q = cfgkey_calloc(1, sizeof(*q));
	if (lib_init(o->c->paths.library) < 0) {
		snprintf(err, errlen, _("the library %s cannot be written: %s"), o->c->paths.library, strerror(errno));
		goto out;
	}
	/* two sticks at once take turns: ids and duplicates are decided against the library as it is */
	snprintf(x.tmpdir, sizeof(x.tmpdir), "%s/.ingest.lock", o->c->paths.library);
	if ((lockfd = open(x.tmpdir, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) >= 0)
		while (flock(lockfd, LOCK_EX) < 0 && errno == EINTR)
			;
	snprintf(x.tmpdir, sizeof(x.tmpdir), "%s/tmp", o->c->paths.library);
	diag_init(&ld);
	lib_load(&x.lib, o->c->paths.library, &ld);	/* a bad metadata file is the library's problem, not ours */
	diag_free(&ld);

	scan(&x, x.lx, "", "", NULL, 0);
	if (x.too_many) {
		refuse(r, "", _("the LOAXA folder holds more than %d files and folders: nothing was loaded; put at most "
		    "%d on one stick"), x.lim.max_files, x.lim.max_files);
		rc = 0;
		goto out;
	}
	if (x.ne > 1)
		qsort(x.e, (size_t)x.ne, sizeof(*x.e), by_nfc);

	if (load_manifest(&x, &mb, &nmb, why, sizeof(why)) < 0)
		whole = 1;
	if (whole) {
		if (x.ne == 0)
			refuse(r, "", "%s", why);
		for (int i = 0; i < x.ne; i++)
			refuse(r, x.e[i].nfc, "%s", why);
	} else if (r->has_manifest) {
		for (int k = 0; k < nmb; k++) {
			struct entry *e = NULL;
			for (int i = 0; i < x.ne && e == NULL; i++)
				if (!x.e[i].used && strcmp(x.e[i].nfc, mb[k].file) == 0)
					e = &x.e[i];
			if (e == NULL) {
				const char *miss = o->src && o->src->missing ? o->src->missing(o->src->arg, mb[k].file) : NULL;
				if (miss)
					refuse(r, mb[k].file, "%s", miss);
				else
					refuse(r, mb[k].file, _("is listed in manifest.cfg (line %d) but is not on the stick: "
					    "copy it onto the stick"), mb[k].line);
				continue;
			}
			e->used = 1;
			import_one(&x, q, e, &mb[k]);
		}
		drain(&x, q);
		for (int i = 0; i < x.ne; i++)
			if (!x.e[i].used)
				refuse(r, x.e[i].nfc, "%s", _("is not listed in manifest.cfg: not loaded (with a manifest, "
				    "only the files it lists are taken)"));
		if (r->manifest.n > 0 && nmb == 0 && x.ne == 0)
			refuse(r, "manifest.cfg", "%s", _("has errors (see below): nothing was loaded"));
	} else {
		for (int i = 0; i < x.ne; i++)
			import_one(&x, q, &x.e[i], NULL);
		drain(&x, q);
	}
	rc = 0;
out:
	for (int i = 0; i < nmb; i++)
		bul_free(&mb[i]);
	free(mb);
	for (int i = 0; i < x.ne; i++) {
		free(x.e[i].raw);
		free(x.e[i].nfc);
		free(x.e[i].top);
	}
	free(x.e);
	for (int i = 0; i < x.ndone; i++)
		bul_free(&x.done[i]);
	free(x.done);
	if (x.lib.dir)
		lib_free(&x.lib);
	if (x.lx >= 0)
		close(x.lx);
	if (lockfd >= 0)
		close(lockfd);
	free(q);
	return rc;
}
