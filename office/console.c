/*
 * console: `loaxa-office serve`, the province's web console over the fleet
 * database (office/store.h) on libmicrohttpd.
 *
 * Threads: libmicrohttpd runs a thread per connection (its own listening
 * thread hands them out; the main thread only waits for SIGTERM/SIGINT). A
 * console has a few dozen users, but a login waits on Argon2id and its
 * slow-down, and each open fleet page holds an events stream: with one
 * thread per connection neither holds up another, and each request opens
 * its own store connection, so nothing is shared but the read-only
 * settings (struct srv) and the stop flag.
 *
 * Every request but the style sheet, the script and the login form needs a
 * session (a random token in an HttpOnly, SameSite=Strict cookie; the
 * store keeps its hash and its expiry); without one it goes to /login.
 * Every POST carries the session's CSRF token (the login form a token
 * bound to a pre-login cookie) or is refused with 403. Failed logins, per
 * name and per address, slow the next ones. Each action is written to the
 * audit trail (office/users.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <semaphore.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/form.h"
#include "base/translate.h"
#include "firmware/cli/cli.h"
#include "office/console.h"
#include "office/office.h"
#include "office/store.h"

#define U_SERVE "serve --db postgresql://...|sqlite:PATH --listen ADDR:PORT [--tls-cert FILE --tls-key FILE] " \
	"[--behind-proxy] [--session-hours N] [--silent-minutes N] [-c OFFICE.cfg --sign-key FILE]"
#define MAX_BODY	16384
#define MAX_REPORT	(64u << 20)
#define FAIL_WINDOW	900	/* failed logins counted over the last 15 minutes */
#define EVENT_MS	1000	/* the events stream looks at the store this often: a status reaches the page
				 * within about a second of the collector storing it (make bench: console) */
#define MAX_DAYS	3660	/* a report's longest range (report's own limit) */
#define MAX_HASHING	4	/* Argon2id checks at once: 64 MiB each */
#define MAX_STREAMS	128	/* open events streams (a thread each) */

static struct srv {
	const char	*dburl;
	const char	*office_cfg, *signkey;	/* for "air now": the broker (as publish) and the province's key */
	char		 self[PATH_MAX];
	long		 ttl, silent_s;
	int		 secure, proxy;
	atomic_int	 stop, streams;
	sem_t		 hashing;
} srv;

struct conn {
	char	*body;
	size_t	 len;
	int	 too_big;
};

/* what a response adds besides its body */
struct out {
	char	 cookies[3][256];
	int	 ncookies;
	const char *location;
	const char *ctype;
	const char *disposition;
};

const char *
console_tr(const struct req *r, const char *msgid)
{
	return r->en ? msgid : _(msgid);
}

static const char *
arg(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
	return v ? v : "";
}

static void
cookie(struct out *o, const char *name, const char *value, long max_age)
{
	if (o->ncookies < 3)
		snprintf(o->cookies[o->ncookies++], sizeof(o->cookies[0]), "%s=%s; Path=/; Max-Age=%ld; HttpOnly; "
		    "SameSite=Strict%s", name, value, max_age, srv.secure ? "; Secure" : "");
}

static void
headers(struct MHD_Response *rsp, const struct out *o)
{
	MHD_add_response_header(rsp, "Content-Type", o && o->ctype ? o->ctype : "text/html; charset=utf-8");
	MHD_add_response_header(rsp, "Content-Security-Policy", "default-src 'self'; script-src 'self'; "
	    "style-src 'self'; img-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
	MHD_add_response_header(rsp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(rsp, "X-Frame-Options", "DENY");
	MHD_add_response_header(rsp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(rsp, "Cache-Control", "no-store");
	if (srv.secure)
		MHD_add_response_header(rsp, "Strict-Transport-Security", "max-age=31536000");
	if (o == NULL)
		return;
	for (int i = 0; i < o->ncookies; i++)
		MHD_add_response_header(rsp, "Set-Cookie", o->cookies[i]);
	if (o->location)
		MHD_add_response_header(rsp, "Location", o->location);
	if (o->disposition)
		MHD_add_response_header(rsp, "Content-Disposition", o->disposition);
}

static enum MHD_Result
send_buf(struct MHD_Connection *c, unsigned status, const struct out *o, const char *buf, size_t len)
{
	struct MHD_Response *rsp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)buf, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (rsp == NULL)
		return MHD_NO;
	headers(rsp, o);
	rc = MHD_queue_response(c, status, rsp);
	MHD_destroy_response(rsp);
	return rc;
}

static enum MHD_Result
send_html(struct MHD_Connection *c, unsigned status, const struct out *o, struct html *h)
{
	enum MHD_Result rc;

	if (h->failed)
		rc = send_buf(c, 500, NULL, "out of memory", 13);
	else
		rc = send_buf(c, status, o, h->buf ? h->buf : "", h->len);
	html_free(h);
	return rc;
}

static enum MHD_Result
redirect(struct MHD_Connection *c, struct out *o, const char *where)
{
	o->location = where;
	return send_buf(c, 303, o, "", 0);
}

/* a value of the posted form, decoded (base/form.h); 1 found, 0 not */
static int
form(const struct conn *k, const char *key, char *out, size_t len)
{
	return form_value(k->body, k->len, key, out, len);
}

static int
same_token(const char *a, const char *b)
{
	return a && b && strlen(a) == USERS_TOKEN_LEN && strlen(b) == USERS_TOKEN_LEN &&
	    sodium_memcmp(a, b, USERS_TOKEN_LEN) == 0;
}

static void
client_addr(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	const char *fwd;

	snprintf(out, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)len);
	/* behind a reverse proxy on this machine: the address it was asked from, the last it added */
	if (srv.proxy && (strcmp(out, "127.0.0.1") == 0 || strcmp(out, "::1") == 0) &&
	    (fwd = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For")) != NULL) {
		const char *last = strrchr(fwd, ',');
		last = last ? last + 1 : fwd;
		while (*last == ' ')
			last++;
		snprintf(out, len, "%.*s", (int)strcspn(last, " "), last);
	}
}

static void
audit(const struct req *r, const char *who, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
audit(const struct req *r, const char *who, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (users_audit(r->db, r->now, who, what, r->addr) < 0)
		fprintf(stderr, "loaxa serve: the audit trail: %s\n", store_error(r->db));
}

/* --- login ------------------------------------------------------------------- */

static enum MHD_Result
login_form(struct MHD_Connection *c, struct req *r, struct out *o, unsigned status, const char *message)
{
	const char *had = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "loaxa_pre");
	char pre[USERS_TOKEN_LEN + 1];
	struct html h;

	/* the browser's own token again, if it has one: another tab's form (or its favicon's trip here) stays good */
	if (same_token(had, had) && strspn(had, "0123456789abcdef") == USERS_TOKEN_LEN)
		snprintf(pre, sizeof(pre), "%s", had);
	else
		users_token(pre);
	cookie(o, "loaxa_pre", pre, 3600);
	html_init(&h);
	page_login(r, &h, pre, message);
	return send_html(c, status, o, &h);
}

static void
wait_ms(long ms)
{
	for (; ms > 0 && !atomic_load(&srv.stop); ms -= 50)
		nanosleep(&(struct timespec){ 0, (ms < 50 ? ms : 50) * 1000000L }, NULL);
}

static enum MHD_Result
do_login(struct MHD_Connection *c, struct req *r, const struct conn *k, struct out *o)
{
	const char *pre = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "loaxa_pre");
	char csrf[USERS_TOKEN_LEN + 2], name[128], pw[512], token[USERS_TOKEN_LEN + 1];
	int n, rc;

	form(k, "csrf", csrf, sizeof(csrf));
	if (!same_token(pre, csrf)) {
		audit(r, "-", "login refused: the form had no valid CSRF token");
		return login_form(c, r, o, 403, T(r, N_("The login form had expired or did not come from this console. "
		    "Log in again.")));
	}
	form(k, "name", name, sizeof(name));
	form(k, "password", pw, sizeof(pw));
	name[63] = '\0';
	if ((n = users_failures(r->db, name, r->addr, r->now, FAIL_WINDOW)) < 0)
		return login_form(c, r, o, 503, store_error(r->db));
	/* after three failures, each try waits twice as long as the last: 0.5 s, 1 s, 2 s ... up to 8 s */
	if (n >= 3)
		wait_ms(n >= 7 ? 8000 : 250L << (n - 2));
	/* a flood of logins queues here rather than taking 64 MiB of memory each */
	while (sem_wait(&srv.hashing) < 0)
		;
	rc = users_login(r->db, name, pw, &r->u);
	sem_post(&srv.hashing);
	r->now = time(NULL);
	if (rc < 0) {
		sodium_memzero(pw, sizeof(pw));
		return login_form(c, r, o, 503, store_error(r->db));
	}
	sodium_memzero(pw, sizeof(pw));
	if (rc == 0) {
		users_failed(r->db, name, r->addr, r->now);
		audit(r, name, "login failed (%d before in 15 min)", n);
		return login_form(c, r, o, 401, T(r, N_("Wrong name or password.")));
	}
	users_succeeded(r->db, name);
	if (users_session_new(r->db, &r->u, r->now, srv.ttl, r->addr, token) < 0)
		return login_form(c, r, o, 503, store_error(r->db));
	audit(r, r->u.name, "logged in as %s", users_role_name(r->u.role));
	cookie(o, "loaxa_session", token, srv.ttl);
	cookie(o, "loaxa_pre", "", 0);
	return redirect(c, o, "/");
}

/* --- the events stream ---------------------------------------------------------- */

struct sse {
	struct req	 r;
	char		 token[USERS_TOKEN_LEN + 1], district[64], commune[64];
	char		*last, *pending;
	size_t		 plen, poff;
	int		 started;
};

static ssize_t
sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse *s = cls;
	char *j, err[512];

	(void)pos;
	if (s->poff == s->plen) {
		free(s->pending);
		s->pending = NULL;
		s->plen = s->poff = 0;
		if (s->started)
			wait_ms(EVENT_MS);
		s->started = 1;
		if (atomic_load(&srv.stop))
			return MHD_CONTENT_READER_END_OF_STREAM;
		s->r.now = time(NULL);
		/* a store connection for each look, not one held per open page (PostgreSQL's are few) */
		if ((s->r.db = store_open(srv.dburl, err, sizeof(err))) == NULL) {
			s->pending = strdup(": the store did not answer\n\n");
			s->plen = s->pending ? strlen(s->pending) : 0;
			goto copy;
		}
		/* a session that ended or expired ends its stream */
		if (users_session_get(s->r.db, s->token, s->r.now, &s->r.u) != 1) {
			store_close(s->r.db);
			s->r.db = NULL;
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		j = page_fleet_json(&s->r, s->district, s->commune);
		store_close(s->r.db);
		s->r.db = NULL;
		if (j == NULL)
			s->pending = strdup(": the store did not answer\n\n");
		else if (s->last && strcmp(s->last, j) == 0) {
			s->pending = strdup(": nothing new\n\n");
			free(j);
		} else {
			if (asprintf(&s->pending, "event: fleet\ndata: %s\n\n", j) < 0)
				s->pending = NULL;
			free(s->last);
			s->last = j;
		}
		if (s->pending == NULL)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		s->plen = strlen(s->pending);
	}
copy:
	if (s->pending == NULL)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (max > s->plen - s->poff)
		max = s->plen - s->poff;
	memcpy(buf, s->pending + s->poff, max);
	s->poff += max;
	return (ssize_t)max;
}

static void
sse_free(void *cls)
{
	struct sse *s = cls;

	atomic_fetch_sub(&srv.streams, 1);
	store_close(s->r.db);
	free(s->last);
	free(s->pending);
	free(s);
}

static enum MHD_Result
events(struct MHD_Connection *c, struct req *r, const char *token)
{
	struct sse *s;
	struct MHD_Response *rsp;
	struct out o = { .ctype = "text/event-stream" };
	enum MHD_Result rc;

	if (atomic_fetch_add(&srv.streams, 1) >= MAX_STREAMS) {
		/* the page still works; it is only not kept current (EventSource tries again later) */
		atomic_fetch_sub(&srv.streams, 1);
		return send_buf(c, 503, NULL, "", 0);
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		atomic_fetch_sub(&srv.streams, 1);
		return MHD_NO;
	}
	s->r = *r;
	s->r.db = NULL;
	snprintf(s->token, sizeof(s->token), "%s", token);
	snprintf(s->district, sizeof(s->district), "%s", arg(c, "district"));
	snprintf(s->commune, sizeof(s->commune), "%s", arg(c, "commune"));
	if ((rsp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, sse_read, s, sse_free)) == NULL) {
		sse_free(s);
		return MHD_NO;
	}
	headers(rsp, &o);
	rc = MHD_queue_response(c, 200, rsp);
	MHD_destroy_response(rsp);
	return rc;
}

/* --- reports ------------------------------------------------------------------ */


/* srv.self (this program) with argv in a child, its standard output (and error, with err) into h, at most
 * max bytes; its exit status or -1 */
static int
run_child(char *const argv[], int err, size_t max, struct html *h)
{
	int p[2], st;
	pid_t pid;
	char buf[65536];
	ssize_t got;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {		/* only async-signal-safe calls between fork and exec: other threads hold locks */
		dup2(p[1], 1);
		if (err)
			dup2(p[1], 2);
		execv(srv.self, argv);
		_exit(127);
	}
	close(p[1]);
	while ((got = read(p[0], buf, sizeof(buf))) > 0 || (got < 0 && errno == EINTR))
		if (got > 0 && h->len + (size_t)got <= max) {
			char *z = strndup(buf, (size_t)got);	/* html_raw takes a string; the output holds no NUL */
			if (z)
				html_raw(h, z);
			free(z);
		}
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* `loaxa-office report --db ...` in a child (the same program), its standard output into h; exit status or -1 */
static int
run_report(const struct req *r, const char *from, const char *to, const char *fmt, const char *sites, struct html *h)
{
	char *argv[16];
	int n = 0;

	argv[n++] = srv.self;
	argv[n++] = (char *)(uintptr_t)"report";
	argv[n++] = (char *)(uintptr_t)"--db";
	argv[n++] = (char *)(uintptr_t)srv.dburl;
	argv[n++] = (char *)(uintptr_t)"--from";
	argv[n++] = (char *)(uintptr_t)from;
	argv[n++] = (char *)(uintptr_t)"--to";
	argv[n++] = (char *)(uintptr_t)to;
	argv[n++] = (char *)(uintptr_t)"--format";
	argv[n++] = (char *)(uintptr_t)fmt;
	argv[n++] = (char *)(uintptr_t)"--lang";
	argv[n++] = (char *)(uintptr_t)(r->en ? "en" : "vi");
	if (sites) {
		argv[n++] = (char *)(uintptr_t)"--site";
		argv[n++] = (char *)(uintptr_t)sites;
	}
	argv[n] = NULL;
	return run_child(argv, 0, MAX_REPORT, h);
}

/* --- air now: a live stream on chosen boards ---------------------------------------- */

static int
may_air(const struct req *r)
{
	return r->u.role == ROLE_ADMIN || r->u.role == ROLE_EDITOR || r->u.role == ROLE_OPERATOR;
}

/* POST /air (a live now) or /air/end (live end ID): `loaxa-office publish live` in a child, signed with the
 * province's key, which stays here. Only boards the user may see are sent to: the page lists them, and a
 * site field for any other board is not read at all. */
static enum MHD_Result
air(struct MHD_Connection *c, struct req *r, const struct conn *k, struct out *o, int end)
{
	char url[1024], level[16], minutes[8], id[64], sites[8192] = "", by[160], msg[1024];
	char *argv[24];
	struct html h, out;
	int n = 0, nsites = 0, st;
	char **vis = NULL;
	int nvis;

	html_init(&h);
	if (!may_air(r)) {
		audit(r, r->u.name, "refused: air now is not for the %s role", users_role_name(r->u.role));
		page_error(r, &h, T(r, N_("Refused")), T(r, N_("Your role cannot air anything: an auditor reads only.")));
		return send_html(c, 403, o, &h);
	}
	if (srv.office_cfg == NULL || srv.signkey == NULL) {
		page_air(r, &h, T(r, N_("Air now needs the console started with the office's config and the "
		    "province's signing key: loaxa-office serve ... -c OFFICE.cfg --sign-key FILE.")), NULL);
		return send_html(c, 503, o, &h);
	}
	if ((nvis = page_air_sites(r, &vis)) < 0) {
		page_error(r, &h, T(r, N_("Air now")), store_error(r->db));
		return send_html(c, 500, o, &h);
	}
	for (int i = 0; i < nvis; i++) {
		char key[96], v[8];
		snprintf(key, sizeof(key), "site.%s", vis[i]);
		if (form(k, key, v, sizeof(v)) && strcmp(v, "1") == 0 && strlen(sites) + strlen(vis[i]) + 2 < sizeof(sites)) {
			if (nsites++)
				strcat(sites, ",");
			strcat(sites, vis[i]);
		}
	}
	page_air_sites_free(vis, nvis);
	url[0] = level[0] = minutes[0] = id[0] = '\0';
	form(k, "url", url, sizeof(url));
	form(k, "level", level, sizeof(level));
	form(k, "minutes", minutes, sizeof(minutes));
	form(k, "id", id, sizeof(id));
	msg[0] = '\0';
	if (nsites == 0)
		snprintf(msg, sizeof(msg), "%s", T(r, N_("Choose at least one board.")));
	else if (end && (id[0] == '\0' || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
	    strlen(id)))
		snprintf(msg, sizeof(msg), "%s", T(r, N_("Which live announcement? Its id is letters, digits, - and _.")));
	else if (!end && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		snprintf(msg, sizeof(msg), "%s", T(r, N_("The stream's address must begin with http:// or https://.")));
	else if (!end && strpbrk(url, " \t\r\n\"<>") != NULL)
		snprintf(msg, sizeof(msg), "%s", T(r, N_("The stream's address has a space or a character an address "
		    "cannot hold.")));
	else if (!end && strcmp(level, "priority") != 0 && strcmp(level, "emergency") != 0)
		snprintf(msg, sizeof(msg), "%s", T(r, N_("Choose the level: priority, or emergency (airs even in quiet "
		    "hours).")));
	else if (!end && (atoi(minutes) < 1 || atoi(minutes) > 240 || strspn(minutes, "0123456789") != strlen(minutes)))
		snprintf(msg, sizeof(msg), "%s", T(r, N_("The longest it may air: 1 to 240 minutes.")));
	if (msg[0]) {
		page_air(r, &h, msg, NULL);
		return send_html(c, 400, o, &h);
	}
	if (!end)
		snprintf(id, sizeof(id), "W%lld%04u", r->now, (unsigned)randombytes_uniform(10000));
	snprintf(by, sizeof(by), "%s (console)", r->u.name);
	argv[n++] = srv.self;
	argv[n++] = (char *)(uintptr_t)"publish";
	argv[n++] = (char *)(uintptr_t)"-c";
	argv[n++] = (char *)(uintptr_t)srv.office_cfg;
	argv[n++] = (char *)(uintptr_t)"--sign-key";
	argv[n++] = (char *)(uintptr_t)srv.signkey;
	argv[n++] = (char *)(uintptr_t)"live";
	if (end) {
		argv[n++] = (char *)(uintptr_t)"end";
		argv[n++] = id;
	} else {
		argv[n++] = (char *)(uintptr_t)"now";
		argv[n++] = url;
		argv[n++] = (char *)(uintptr_t)"--level";
		argv[n++] = level;
		argv[n++] = (char *)(uintptr_t)"--id";
		argv[n++] = id;
		argv[n++] = (char *)(uintptr_t)"--by";
		argv[n++] = by;
		argv[n++] = (char *)(uintptr_t)"--max-minutes";
		argv[n++] = minutes;
	}
	argv[n++] = (char *)(uintptr_t)"--sites";
	argv[n++] = sites;
	argv[n] = NULL;
	html_init(&out);
	st = run_child(argv, 1, 8192, &out);
	if (st != 0) {
		audit(r, r->u.name, "air now: live %s %.100s to %.300s failed (exit %d)", end ? "end" : "now", id, sites, st);
		snprintf(msg, sizeof(msg), "%s %.600s", T(r, N_("Not sent:")), out.buf ? out.buf : "");
		html_free(&out);
		page_air(r, &h, msg, NULL);
		return send_html(c, 502, o, &h);
	}
	html_free(&out);
	if (end)
		audit(r, r->u.name, "air now: live end %s on %.300s", id, sites);
	else
		audit(r, r->u.name, "air now: live %s, %s, %.300s on %.300s, at most %s minutes", id, level, url, sites, minutes);
	snprintf(msg, sizeof(msg), end ? T(r, N_("Sent: end of live %s. The boards' answers appear below.")) :
	    T(r, N_("Sent: live %s. The boards' answers appear below as they arrive.")), id);
	page_air(r, &h, msg, end ? NULL : id);
	return send_html(c, 200, o, &h);
}

static enum MHD_Result
report(struct MHD_Connection *c, struct req *r, struct out *o)
{
	const char *from = arg(c, "from"), *to = arg(c, "to"), *fmt = arg(c, "format");
	char sites[4096], disp[128];
	struct html h;
	int32_t d0, d1;
	int st;

	html_init(&h);
	if (date_parse(from, &d0) < 0 || date_parse(to, &d1) < 0 || d0 > d1 || d1 - d0 >= MAX_DAYS ||
	    (strcmp(fmt, "text") != 0 && strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0)) {
		page_reports(r, &h, T(r, N_("Give two dates, YYYY-MM-DD, the first not after the second and at most ten "
		    "years apart, and a format: text, CSV or JSON.")));
		return send_html(c, 400, o, &h);
	}
	if (users_communes(r->db, &r->u, sites, sizeof(sites)) < 0 || (r->u.role == ROLE_OPERATOR && sites[0] == '\0')) {
		page_reports(r, &h, T(r, N_("Your account has no commune: ask the office's administrator to add yours.")));
		return send_html(c, 403, o, &h);
	}
	audit(r, r->u.name, "report %s to %s as %s%s%s", from, to, fmt, sites[0] ? " for " : "", sites);
	st = run_report(r, from, to, fmt, sites[0] ? sites : NULL, &h);
	if (st != 0 && st != 1) {
		html_free(&h);
		page_reports(r, &h, T(r, N_("The report could not be made (no board's records in those communes, or the "
		    "store did not answer); the server's log says which.")));
		return send_html(c, 500, o, &h);
	}
	o->ctype = strcmp(fmt, "csv") == 0 ? "text/csv; charset=utf-8" : strcmp(fmt, "json") == 0 ?
	    "application/json" : "text/plain; charset=utf-8";
	snprintf(disp, sizeof(disp), "attachment; filename=\"loaxa-report-%s-%s.%s\"", from, to, strcmp(fmt, "text") == 0
	    ? "txt" : fmt);
	o->disposition = disp;
	return send_html(c, 200, o, &h);
}

static enum MHD_Result
fleet_csv(struct MHD_Connection *c, struct req *r, struct out *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	enum MHD_Result rc;
	int st;

	if (fp == NULL)
		return MHD_NO;
	st = page_fleet_csv(r, fp, arg(c, "district"), arg(c, "commune"));
	fclose(fp);
	if (st < 0) {
		free(buf);
		return send_buf(c, 500, NULL, "", 0);
	}
	audit(r, r->u.name, "fleet as CSV");
	o->ctype = "text/csv; charset=utf-8";
	o->disposition = "attachment; filename=\"loaxa-fleet.csv\"";
	rc = send_buf(c, 200, o, buf, len);
	free(buf);
	return rc;
}

/* --- routing -------------------------------------------------------------------- */

static enum MHD_Result
route(struct MHD_Connection *c, const char *url, const char *method, const struct conn *k)
{
	struct req r = { .now = time(NULL), .silent_s = srv.silent_s };
	struct out o = { 0 };
	const char *lang = arg(c, "lang"), *lc, *token;
	int post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	char err[512], csrf[USERS_TOKEN_LEN + 2];
	struct html h;
	enum MHD_Result rc;
	int st;

	if (get && strcmp(url, "/console.css") == 0) {
		o.ctype = "text/css; charset=utf-8";
		return send_buf(c, 200, &o, console_css, strlen(console_css));
	}
	if (get && strcmp(url, "/console.js") == 0) {
		o.ctype = "text/javascript; charset=utf-8";
		return send_buf(c, 200, &o, console_js, strlen(console_js));
	}
	if (!get && !post)
		return send_buf(c, 405, NULL, "", 0);
	if (k->too_big)
		return send_buf(c, 413, NULL, "", 0);
	client_addr(c, r.addr, sizeof(r.addr));
	if (strcmp(lang, "en") == 0 || strcmp(lang, "vi") == 0) {
		r.en = lang[0] == 'e';
		cookie(&o, "loaxa_lang", lang, 365L * 86400);
	} else {
		r.en = (lc = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "loaxa_lang")) != NULL && strcmp(lc, "en") == 0;
	}
	if ((r.db = store_open(srv.dburl, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loaxa serve: %s\n", err);
		html_init(&h);
		page_error(&r, &h, T(&r, N_("The fleet database does not answer")), T(&r, N_("Try again in a minute; if it "
		    "lasts, the office's administrator should look at the database server.")));
		return send_html(c, 503, &o, &h);
	}
	token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "loaxa_session");
	r.authed = token && users_session_get(r.db, token, r.now, &r.u) == 1;
	html_init(&h);
	if (strcmp(url, "/login") == 0) {
		if (post)
			rc = do_login(c, &r, k, &o);
		else if (r.authed)
			rc = redirect(c, &o, "/");
		else
			rc = login_form(c, &r, &o, 200, NULL);
		goto done;
	}
	if (!r.authed) {
		rc = redirect(c, &o, "/login");
		goto done;
	}
	if (post) {
		form(k, "csrf", csrf, sizeof(csrf));
		if (!same_token(csrf, r.u.csrf)) {
			audit(&r, r.u.name, "refused a form to %.200s without its CSRF token", url);
			page_error(&r, &h, T(&r, N_("Refused")), T(&r, N_("This form did not come from your session of the "
			    "console. Reload the page and send it again.")));
			rc = send_html(c, 403, &o, &h);
			goto done;
		}
		if (strcmp(url, "/logout") == 0) {
			users_session_end(r.db, token);
			audit(&r, r.u.name, "logged out");
			cookie(&o, "loaxa_session", "", 0);
			rc = redirect(c, &o, "/login");
		} else if (strcmp(url, "/air") == 0 || strcmp(url, "/air/end") == 0) {
			rc = air(c, &r, k, &o, url[4] == '/');
		} else {
			rc = send_buf(c, 404, &o, "", 0);
		}
		goto done;
	}
	if (strcmp(url, "/") == 0) {
		st = page_fleet(&r, &h, arg(c, "district"), arg(c, "commune"));
		rc = send_html(c, (unsigned)st, &o, &h);
	} else if (strcmp(url, "/fleet.csv") == 0) {
		rc = fleet_csv(c, &r, &o);
	} else if (strcmp(url, "/board") == 0) {
		st = page_board(&r, &h, arg(c, "site"));
		if (st == 404)
			audit(&r, r.u.name, "asked for board \"%.100s\": not among the communes it may see", arg(c, "site"));
		else if (st == 200)
			audit(&r, r.u.name, "read board %.100s", arg(c, "site"));
		rc = send_html(c, (unsigned)st, &o, &h);
	} else if (strcmp(url, "/events") == 0) {
		rc = events(c, &r, token);
	} else if (strcmp(url, "/reports") == 0) {
		st = page_reports(&r, &h, NULL);
		rc = send_html(c, (unsigned)st, &o, &h);
	} else if (strcmp(url, "/reports/download") == 0) {
		rc = report(c, &r, &o);
	} else if (strcmp(url, "/air") == 0) {
		if (!may_air(&r)) {
			page_error(&r, &h, T(&r, N_("Refused")), T(&r, N_("Your role cannot air anything: an auditor reads only.")));
			rc = send_html(c, 403, &o, &h);
		} else {
			st = page_air(&r, &h, srv.office_cfg && srv.signkey ? NULL : T(&r, N_("Air now needs the console "
			    "started with the office's config and the province's signing key: loaxa-office serve ... -c "
			    "OFFICE.cfg --sign-key FILE.")), NULL);
			rc = send_html(c, (unsigned)st, &o, &h);
		}
	} else if (strcmp(url, "/audit") == 0) {
		st = page_audit(&r, &h);
		rc = send_html(c, (unsigned)st, &o, &h);
	} else {
		page_error(&r, &h, T(&r, N_("Not found")), T(&r, N_("The console has no such page.")));
		rc = send_html(c, 404, &o, &h);
	}
done:
	html_free(&h);
	store_close(r.db);
	return rc;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
    const char *upload, size_t *upsize, void **con_cls)
{
	struct conn *k = *con_cls;

	(void)cls;
	(void)version;
	if (k == NULL) {
		if ((k = calloc(1, sizeof(*k))) == NULL)
			return MHD_NO;
		*con_cls = k;
		return MHD_YES;
	}
	if (*upsize > 0) {
		if (k->len + *upsize > MAX_BODY) {
			k->too_big = 1;
		} else {
			char *n = realloc(k->body, k->len + *upsize + 1);
			if (n == NULL)
				return MHD_NO;
			k->body = n;
			memcpy(k->body + k->len, upload, *upsize);
			k->len += *upsize;
			k->body[k->len] = '\0';
		}
		*upsize = 0;
		return MHD_YES;
	}
	return route(c, url, method, k);
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why)
{
	struct conn *k = *con_cls;

	(void)cls;
	(void)c;
	(void)why;
	if (k) {
		free(k->body);
		free(k);
		*con_cls = NULL;
	}
}

static char *
slurp(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t cap = 0, n = 0, got;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		char *m;
		if ((m = realloc(s, cap + 4097)) == NULL)
			break;
		s = m;
		cap += 4096;
		n += got = fread(s + n, 1, cap - n, f);
	} while (got > 0 && n < (1u << 20));
	fclose(f);
	if (s)
		s[n] = '\0';
	return s;
}

int
cmd_serve(int argc, char **argv)
{
	const char *listen = NULL, *cert = NULL, *key = NULL, *v;
	char err[512], host[256], *certpem = NULL, *keypem = NULL, *colon;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV }, *ai = NULL;
	struct MHD_Daemon *d;
	struct store *db;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;
	sigset_t set;
	ssize_t sn;
	int sig;

	srv.ttl = 8 * 3600;
	sem_init(&srv.hashing, 0, MAX_HASHING);
	srv.silent_s = 10 * 60;
	for (int i = 1; i < argc; i++) {
		v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--behind-proxy") == 0) {
			srv.proxy = srv.secure = 1;
			continue;
		}
		if (v == NULL)
			return cli_usage("serve", U_SERVE, _("unexpected argument \"%s\""), argv[i]);
		if (strcmp(argv[i], "--db") == 0)
			srv.dburl = v;
		else if (strcmp(argv[i], "--listen") == 0)
			listen = v;
		else if (strcmp(argv[i], "--tls-cert") == 0)
			cert = v;
		else if (strcmp(argv[i], "--tls-key") == 0)
			key = v;
		else if (strcmp(argv[i], "--session-hours") == 0 && (srv.ttl = strtol(v, NULL, 10) * 3600) > 0)
			;
		else if (strcmp(argv[i], "--silent-minutes") == 0 && (srv.silent_s = strtol(v, NULL, 10) * 60) > 0)
			;
		else if (strcmp(argv[i], "-c") == 0)
			srv.office_cfg = v;
		else if (strcmp(argv[i], "--sign-key") == 0)
			srv.signkey = v;
		else
			return cli_usage("serve", U_SERVE, _("unexpected argument \"%s\""), argv[i]);
		i++;
	}
	if (srv.dburl == NULL || listen == NULL)
		return cli_usage("serve", U_SERVE, "%s", _("--db and --listen are needed"));
	if ((cert == NULL) != (key == NULL))
		return cli_usage("serve", U_SERVE, "%s", _("--tls-cert and --tls-key go together"));
	if ((srv.office_cfg == NULL) != (srv.signkey == NULL))
		return cli_usage("serve", U_SERVE, "%s", _("-c and --sign-key go together (air now sends signed commands)"));
	if (srv.signkey) {	/* the province's key: this user's alone, never sent anywhere */
		struct stat ks;
		if (stat(srv.signkey, &ks) < 0 || access(srv.signkey, R_OK) < 0) {
			fprintf(stderr, "loaxa serve: %s: %s\n", srv.signkey, strerror(errno));
			return 2;
		}
		if (ks.st_mode & 077) {
			fprintf(stderr, _("loaxa serve: the signing key %s can be read by other users (mode %03o): make it "
			    "the console's user's alone (chmod 600 %s)\n"), srv.signkey, (unsigned)(ks.st_mode & 0777),
			    srv.signkey);
			return 2;
		}
	}
	translate_lang("vi");	/* the pages' Vietnamese; an English page shows the msgids (console_tr) */
	sn = readlink("/proc/self/exe", srv.self, sizeof(srv.self) - 1);
	if (sn <= 0) {
		fprintf(stderr, "loaxa serve: /proc/self/exe: %s\n", strerror(errno));
		return 2;
	}
	srv.self[sn] = '\0';
	if ((colon = strrchr(listen, ':')) == NULL || colon == listen || colon[1] == '\0') {
		fprintf(stderr, "loaxa serve: --listen \"%s\": %s\n", listen, _("give an address and a port, "
		    "127.0.0.1:8080 or [::1]:8080"));
		return 2;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if ((sig = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		fprintf(stderr, "loaxa serve: --listen \"%s\": %s\n", listen, gai_strerror(sig));
		return 2;
	}
	if ((db = store_open(srv.dburl, err, sizeof(err))) == NULL || users_schema(db, err, sizeof(err)) < 0) {
		fprintf(stderr, "loaxa serve: %s\n", err);
		store_close(db);
		freeaddrinfo(ai);
		return 2;
	}
	store_close(db);
	if (cert) {
		if ((certpem = slurp(cert, err, sizeof(err))) == NULL || (keypem = slurp(key, err, sizeof(err))) == NULL) {
			fprintf(stderr, "loaxa serve: %s\n", err);
			free(certpem);
			freeaddrinfo(ai);
			return 2;
		}
		flags |= MHD_USE_TLS;
		srv.secure = 1;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* the threads libmicrohttpd starts inherit this mask: the signals come to sigwait below */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL,
	    MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)64,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
	    cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, certpem,
	    MHD_OPTION_HTTPS_MEM_KEY, keypem,
	    MHD_OPTION_END);
	freeaddrinfo(ai);
	if (d == NULL) {
		fprintf(stderr, "loaxa serve: %s %s: %s\n", _("cannot listen on"), listen, errno ? strerror(errno) :
		    _("libmicrohttpd refused (a TLS certificate and key that do not match?)"));
		free(certpem);
		free(keypem);
		return 2;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "loaxa serve: %s %s:%u\n", _("listening on"), host, di ? (unsigned)di->port : 0u);
	while (sigwait(&set, &sig) == 0 && sig != SIGTERM && sig != SIGINT)
		;
	atomic_store(&srv.stop, 1);
	MHD_stop_daemon(d);
	free(certpem);
	free(keypem);
	return 0;
}
