/*
 * fleet: see fleet.h. One piece because it is one connection's state
 * (subscriptions, spool, status, fetch child). Everything runs in loaxad's
 * loop; the only blocking
 * call is the name lookup inside mosquitto_connect_async (not while airing).
 * mosquitto's callbacks only queue what arrived; it is handled after the
 * read, outside libmosquitto (a config applied there may reload the daemon).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mosquitto.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/durable.h"
#include "base/log.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "config/cfgkey.h"
#include "config/diag.h"
#include "config/manifest.h"
#include "config/sign.h"
#include "firmware/fetch.h"
#include "firmware/fleet.h"
#include "firmware/fleetmsg.h"
#include "firmware/netlib.h"
#include "scheduler/airlog.h"

#define WINDOW		64		/* records published and not yet PUBACKed */
#define BACKOFF_MIN_MS	1000
#define BACKOFF_MAX_MS	(5 * 60 * 1000)
#define MAX_QUEUE	64
#define RETRY_MAX_MS	(60 * 60 * 1000)

enum state { F_OFFLINE, F_CONNECTING, F_UP };
static const char *const state_names[] = { "offline", "connecting", "connected" };

struct inmsg {
	char	*topic;
	char	*payload;
	size_t	 len;
};

/* a bulletin set to fetch: its envelope, and the topic and hash it is remembered by once handled */
struct job {
	char	*payload;		/* NULL: none */
	size_t	 len;
	char	 topic[FMSG_TOPIC_MAX];
	char	 sha[65];
	int	 rank;			/* 2 holds an emergency, 1 a priority bulletin, 0 routine */
	int	 nfiles;
	long long queued;		/* order among sets of one rank */
};

#define MAX_PENDING	8		/* sets waiting for the fetch child, one per topic */

struct fleet {
	struct fleet_hooks	 h;
	struct airlog		*log;
	char			*site, *province, *host;
	int			 port;
	char			*logdir;
	struct fmsg_tls		 tls;
	char			*tls_ca, *tls_cert, *tls_key, *tls_pw;
	int			 keepalive, status_s;

	struct mosquitto	*m;
	enum state		 st;
	int			 tfd;
	long long		 armed;
	long long		 next_connect, next_status, next_misc;
	int			 backoff_ms;
	char			 error[512];
	long long		 connects;

	/* the spool: the log from cursor + 1 on */
	long long		 cursor;		/* stored by the collector (its ack), on disk */
	long long		 next_send;		/* next seq to publish on this connection */
	int			 inflight;
	long long		 published;		/* records published (this run) */
	struct {
		int32_t		 day;		/* the file being read; 0: find it */
		off_t		 off;
	} rd;
	char			 cursor_path[PATH_MAX], seen_path[PATH_MAX], work[PATH_MAX];
	json_t			*seen;			/* topic -> sha256 of the retained message handled */

	struct inmsg		 q[MAX_QUEUE];
	int			 nq;

	/* the bulletin fetch child */
	pid_t			 child;
	int			 pidfd;
	char			 result_path[PATH_MAX];
	struct job		 running;		/* the child's */
	struct job		 pend[MAX_PENDING];	/* waiting for the child, the newest per topic; by rank */
	long long		 nqueued;
	int			 preempted;		/* the child was stopped for a set of higher rank */
	long long		 child_deadline;	/* boot ms past which the child is killed */
	int			 overdue;		/* and it was */
	struct job		 retry;			/* one that failed for a reason that may pass */
	long long		 retry_at;
	int			 retry_ms, retry_min_ms;
	json_t			*bulletins;		/* the last result */
	json_t			*config;		/* the last config outcome */
	json_t			*live;			/* the last live-ack */
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
seterror(struct fleet *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
seterror(struct fleet *f, const char *fmt, ...)
{
	va_list ap;
	char buf[sizeof(f->error)];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (strcmp(buf, f->error) != 0)
		log_warnx("fleet: %s", buf);
	memcpy(f->error, buf, sizeof(buf));
}

static char *
sha_hex(const void *p, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, p, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
	return out;
}

/* --- state on disk -------------------------------------------------------- */

static void
save_cursor(struct fleet *f)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld\n", f->cursor);

	if (durable_atomic(f->cursor_path, buf, (size_t)n, 0644) < 0)
		log_warn("fleet: %s", f->cursor_path);
}

static void
load_state(struct fleet *f)
{
	char *text;
	size_t len;

	if (sign_read_file(f->cursor_path, &text, &len) == 0) {
		f->cursor = strtoll(text, NULL, 10);
		free(text);
	}
	if (f->cursor < 0 || f->cursor > airlog_last_seq(f->log))
		f->cursor = 0;	/* a log replaced under us: send it all again, the collector keeps each once */
	f->seen = json_load_file(f->seen_path, 0, NULL);
	if (!json_is_object(f->seen)) {
		json_decref(f->seen);
		f->seen = json_object();
	}
}

static int
seen(struct fleet *f, const char *topic, const char *sha)
{
	const char *s = json_string_value(json_object_get(f->seen, topic));

	return s && strcmp(s, sha) == 0;
}

static void
mark_seen(struct fleet *f, const char *topic, const char *sha)
{
	char *text;

	json_object_set_new(f->seen, topic, json_string(sha));
	if ((text = json_dumps(f->seen, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return;
	if (durable_atomic(f->seen_path, text, strlen(text), 0644) < 0)
		log_warn("fleet: %s", f->seen_path);
	free(text);
}

/* --- the spool: lines of the log from next_send on ------------------------ */

static long long
line_seq(const char *line, size_t len)
{
	json_t *r = json_loadb(line, len, 0, NULL);
	long long seq = json_is_integer(json_object_get(r, "seq")) ? json_integer_value(json_object_get(r, "seq")) : -1;

	json_decref(r);
	return seq;
}

/* the first record's seq of a file, or -1 */
static long long
first_seq(const char *dir, int32_t day)
{
	char name[17], path[PATH_MAX], buf[4096];
	ssize_t n;
	int fd;
	char *nl;

	airlog_file_name(day, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || (nl = memchr(buf, '\n', (size_t)n)) == NULL)
		return -1;
	return line_seq(buf, (size_t)(nl - buf));
}

/* positions the reader at the file holding next_send (or the first after it) */
static void
spool_seek(struct fleet *f)
{
	int32_t *days;
	int n = airlog_files(f->logdir, &days, NULL, 0);

	f->rd.day = 0;
	f->rd.off = 0;
	if (n <= 0)
		return;
	f->rd.day = days[0];
	for (int i = n - 1; i >= 0; i--) {
		long long s = first_seq(f->logdir, days[i]);
		if (s > 0 && s <= f->next_send) {
			f->rd.day = days[i];
			break;
		}
	}
	free(days);
}

/* the next day's file after rd.day, or 0 */
static int32_t
next_file(struct fleet *f)
{
	int32_t *days, next = 0;
	int n = airlog_files(f->logdir, &days, NULL, 0);

	for (int i = 0; i < n && next == 0; i++)
		if (days[i] > f->rd.day)
			next = days[i];
	if (n > 0)
		free(days);
	return next;
}

/*
 * The next record to publish: 1 and *line (malloc'd), 0 none yet. Lines
 * that are not records (an acknowledged torn write) are passed over.
 */
static int
spool_next(struct fleet *f, char **line, size_t *len, long long *seq)
{
	char name[17], path[PATH_MAX];

	if (f->rd.day == 0)
		spool_seek(f);
	while (f->rd.day != 0) {
		struct stat st;
		int fd;
		char *buf, *p, *end;
		ssize_t got;
		size_t want;

		airlog_file_name(f->rd.day, name);
		snprintf(path, sizeof(path), "%s/%s", f->logdir, name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
			if (fd >= 0)
				close(fd);
			return 0;
		}
		if (st.st_size <= f->rd.off) {
			int32_t nd;
			close(fd);
			if ((nd = next_file(f)) == 0)
				return 0;
			f->rd.day = nd;
			f->rd.off = 0;
			continue;
		}
		want = (size_t)(st.st_size - f->rd.off);
		if (want > (1u << 20))
			want = 1u << 20;
		if ((buf = malloc(want)) == NULL || (got = pread(fd, buf, want, f->rd.off)) <= 0) {
			free(buf);
			close(fd);
			return 0;
		}
		close(fd);
		for (p = buf, end = buf + got; p < end;) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			long long s;
			if (nl == NULL)
				break;		/* not finished yet (or a torn tail the next record will end) */
			f->rd.off += nl - p + 1;
			s = line_seq(p, (size_t)(nl - p));
			if (s >= f->next_send) {
				*len = (size_t)(nl - p);
				*line = malloc(*len + 1);
				if (*line == NULL)
					break;
				memcpy(*line, p, *len);
				(*line)[*len] = '\0';
				*seq = s;
				free(buf);
				return 1;
			}
			p = nl + 1;
		}
		if (p == buf) {		/* a line longer than the buffer, or unfinished */
			free(buf);
			return 0;
		}
		free(buf);
	}
	return 0;
}

/* --- connection ------------------------------------------------------------ */

static void
arm(struct fleet *f)
{
	long long t = LLONG_MAX;
	struct itimerspec its = { 0 };

	if (f->st == F_OFFLINE)
		t = f->next_connect;
	else {
		t = f->next_misc;
		if (f->st == F_UP && f->next_status < t)
			t = f->next_status;
	}
	if (f->retry.payload && f->child == 0 && f->retry_at < t)
		t = f->retry_at;
	if (f->child > 0 && !f->overdue && f->child_deadline < t)
		t = f->child_deadline;
	if (t == f->armed)
		return;
	f->armed = t;
	if (t != LLONG_MAX) {
		if (t <= 0)
			t = 1;
		its.it_value.tv_sec = t / 1000;
		its.it_value.tv_nsec = (t % 1000) * 1000000;
	}
	timerfd_settime(f->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void
drop(struct fleet *f, const char *why)
{
	if (f->m) {
		mosquitto_destroy(f->m);	/* its queue goes too: the spool resends from the cursor */
		f->m = NULL;
	}
	if (why)
		seterror(f, "%s", why);
	if (f->st == F_UP)
		log_info("fleet: disconnected from %s:%d", f->host, f->port);
	f->st = F_OFFLINE;
	f->inflight = 0;
	f->next_connect = now_ms() + f->backoff_ms + (long long)randombytes_uniform((uint32_t)f->backoff_ms / 4 + 1);
	f->backoff_ms = f->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : f->backoff_ms * 2;
}

static void
on_log(struct mosquitto *m, void *obj, int level, const char *str)
{
	struct fleet *f = obj;

	(void)m;
	/* TLS failures are only told here ("certificate verify failed") */
	if (level == MOSQ_LOG_ERR || (level == MOSQ_LOG_WARNING && strstr(str, "SSL")))
		snprintf(f->error, sizeof(f->error), "%s", str);
}

static void
subscribe(struct fleet *f)
{
	static const char *const prov[] = { "config", "bulletins", "live" };
	static const char *const mine[] = { "config", "bulletins", "ack", "resend", "live" };
	char t[FMSG_TOPIC_MAX];

	for (size_t i = 0; i < 3; i++)
		if (fmsg_topic(t, sizeof(t), f->province, NULL, prov[i]) == 0)
			mosquitto_subscribe(f->m, NULL, t, 1);
	for (size_t i = 0; i < 5; i++)
		if (fmsg_topic(t, sizeof(t), f->province, f->site, mine[i]) == 0)
			mosquitto_subscribe(f->m, NULL, t, 1);
}

static void publish_status(struct fleet *);

static void
on_connect(struct mosquitto *m, void *obj, int rc)
{
	struct fleet *f = obj;

	(void)m;
	if (rc != 0) {
		seterror(f, _("the broker %s:%d refused the connection: %s"), f->host, f->port, mosquitto_connack_string(rc));
		f->st = F_CONNECTING;	/* dropped after the read */
		return;
	}
	f->st = F_UP;
	f->connects++;
	f->backoff_ms = BACKOFF_MIN_MS;
	f->error[0] = '\0';
	f->next_send = f->cursor + 1;
	f->rd.day = 0;
	log_info("fleet: connected to %s:%d; records from %lld on", f->host, f->port, f->next_send);
	subscribe(f);
	f->next_status = 0;	/* now */
}

static void
on_publish(struct mosquitto *m, void *obj, int mid)
{
	struct fleet *f = obj;

	(void)m;
	(void)mid;
	if (f->inflight > 0)
		f->inflight--;
}

static void
on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct fleet *f = obj;
	struct inmsg *q;

	(void)m;
	if (f->nq == MAX_QUEUE || msg->payloadlen < 0 || msg->payloadlen > FMSG_MAX_PAYLOAD)
		return;
	q = &f->q[f->nq];
	q->topic = strdup(msg->topic);
	q->len = (size_t)msg->payloadlen;
	q->payload = malloc(q->len + 1);
	if (q->topic == NULL || q->payload == NULL) {
		free(q->topic);
		free(q->payload);
		return;
	}
	if (q->len > 0)		/* an empty (retained-clear) message's payload is NULL */
		memcpy(q->payload, msg->payload, q->len);
	q->payload[q->len] = '\0';
	f->nq++;
}

/* the status the broker keeps when the board goes: what it ran, with state offline or stopped */
static char *
last_words(struct fleet *f, const char *state)
{
	json_t *o = f->h.status(f->h.arg);
	char *text;

	if (o == NULL)
		o = json_object();
	json_object_set_new(o, "state", json_string(state));
	json_object_set_new(o, "site", json_string(f->site));
	json_object_set_new(o, "province", json_string(f->province));
	json_object_set_new(o, "time", json_integer((json_int_t)time(NULL)));
	json_object_set_new(o, "log_seq", json_integer(airlog_last_seq(f->log)));
	json_object_set_new(o, "acked_seq", json_integer(f->cursor));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

static void
connect_now(struct fleet *f)
{
	char id[128], t[FMSG_TOPIC_MAX], err[512], *will;
	int rc;

	snprintf(id, sizeof(id), "loaxa-%s", f->site);
	if ((f->m = fmsg_client(id, 1, &f->tls, f, err, sizeof(err))) == NULL) {
		drop(f, err);
		return;
	}
	mosquitto_connect_callback_set(f->m, on_connect);
	mosquitto_publish_callback_set(f->m, on_publish);
	mosquitto_message_callback_set(f->m, on_message);
	mosquitto_log_callback_set(f->m, on_log);
	mosquitto_int_option(f->m, MOSQ_OPT_SEND_MAXIMUM, WINDOW);
	fmsg_topic(t, sizeof(t), f->province, f->site, "status");
	if ((will = last_words(f, "offline")) != NULL) {
		mosquitto_will_set(f->m, t, (int)strlen(will), will, 1, true);
		free(will);
	}
	f->error[0] = '\0';
	rc = mosquitto_connect_async(f->m, f->host, f->port, f->keepalive);
	if (rc != MOSQ_ERR_SUCCESS) {
		char why[512];
		snprintf(why, sizeof(why), _("cannot connect to the broker %s:%d: %s"), f->host, f->port,
		    rc == MOSQ_ERR_ERRNO ? strerror(errno) : f->error[0] ? f->error : mosquitto_strerror(rc));
		drop(f, why);
		return;
	}
	f->st = F_CONNECTING;
	f->next_misc = now_ms() + 1000;
}

/* --- what arrives ------------------------------------------------------------ */

static void
publish_status(struct fleet *f)
{
	char t[FMSG_TOPIC_MAX], *text;
	json_t *o = f->h.status(f->h.arg);
	struct statvfs vfs;

	if (o == NULL)
		return;
	json_object_set_new(o, "site", json_string(f->site));
	json_object_set_new(o, "province", json_string(f->province));
	json_object_set_new(o, "time", json_integer((json_int_t)time(NULL)));
	json_object_set_new(o, "version", json_string("1"));
	if (statvfs(f->logdir, &vfs) == 0)
		json_object_set_new(o, "disk_free_mb", json_integer((json_int_t)((unsigned long long)vfs.f_bavail *
		    vfs.f_frsize >> 20)));
	json_object_set_new(o, "log_seq", json_integer(airlog_last_seq(f->log)));
	json_object_set_new(o, "sent_seq", json_integer(f->next_send - 1));
	json_object_set_new(o, "acked_seq", json_integer(f->cursor));
	{
		char *cp = NULL;
		if (airlog_checkpoint(f->log, &cp) == 0) {	/* the latest seal: a cut tail shows against it */
			json_t *j = json_loads(cp, 0, NULL);
			if (j)
				json_object_set_new(o, "checkpoint", j);
		}
		free(cp);
	}
	if (f->config)
		json_object_set(o, "config_push", f->config);
	if (f->bulletins)
		json_object_set(o, "bulletins", f->bulletins);
	if (f->live)
		json_object_set(o, "live", f->live);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text && fmsg_topic(t, sizeof(t), f->province, f->site, "status") == 0)
		mosquitto_publish(f->m, NULL, t, (int)strlen(text), text, 1, true);
	free(text);
	f->next_status = now_ms() + f->status_s * 1000LL;
}

/* site.id as a config's text says it; "" when it says none or does not parse */
static void
text_site(const char *text, char *out, size_t len)
{
	struct diag d;
	struct cfgkey ld = { .file = "config", .d = &d };
	config_t lc;
	const char *s;

	out[0] = '\0';
	diag_init(&d);
	if (cfgkey_read(&ld, &lc, text) == 0) {
		if (config_lookup_string(&lc, "site.id", &s) == CONFIG_TRUE)
			snprintf(out, len, "%s", s);
		config_destroy(&lc);
	}
	diag_free(&d);
}

static void
handle_config(struct fleet *f, const char *topic, const char *payload, size_t len)
{
	json_t *env = json_loadb(payload, len, 0, NULL);
	const char *text = json_string_value(json_object_get(env, "text"));
	const char *sig = json_string_value(json_object_get(env, "sig"));
	const char *name = json_string_value(json_object_get(env, "name"));
	char msg[1024], label[FMSG_TOPIC_MAX + 64], other[128];
	int rc;

	snprintf(label, sizeof(label), "%s", topic);
	if (text != NULL)
		text_site(text, other, sizeof(other));
	if (text == NULL) {
		snprintf(msg, sizeof(msg), _("%s: not a configuration message (a JSON object with text and sig): ignored"),
		    topic);
		rc = -1;
	} else if (strcmp(other, f->site) != 0 && strcmp(other, f->province) != 0) {
		/*
		 * A config says whom it is for by its site.id: this board, or the
		 * province (every board, each keeping its own site group). Another
		 * board's config is signed too, but not for this one.
		 */
		snprintf(msg, sizeof(msg), _("%s: the configuration is for site \"%s\", neither this board (%s) nor the "
		    "province (%s): refused"), topic, other, f->site, f->province);
		rc = -1;
	} else {
		(void)name;
		rc = f->h.apply_config(f->h.arg, label, text, strlen(text), sig, sig ? strlen(sig) : 0, msg, sizeof(msg));
	}
	if (rc < 0)
		log_warnx("fleet: %s", msg);
	else
		log_info("fleet: %s", msg);
	json_decref(f->config);
	f->config = json_pack("{s:s, s:I, s:s, s:s}", "topic", topic, "serial",
	    (json_int_t)json_integer_value(json_object_get(env, "serial")), "outcome", rc < 0 ? "refused" : rc == 0 ?
	    "applied" : "in force", "message", msg);
	json_decref(env);
	f->next_status = 0;
}

static void
job_free(struct job *j)
{
	free(j->payload);
	j->payload = NULL;
}

/* a set's rank and size, from its manifest's entries (see struct job) */
static int
set_rank(const char *payload, size_t len, int *nfiles)
{
	json_t *env = json_loadb(payload, len, 0, NULL);
	const char *man = json_string_value(json_object_get(env, "manifest"));
	const config_setting_t *list;
	struct diag d;
	struct cfgkey ld = { .file = "manifest", .d = &d };
	config_t lc;
	int rank = 0;

	*nfiles = 1;
	diag_init(&d);
	if (man && cfgkey_read(&ld, &lc, man) == 0) {
		if ((list = config_lookup(&lc, "bulletins")) != NULL && config_setting_is_list(list)) {
			*nfiles = config_setting_length(list) > 0 ? config_setting_length(list) : 1;
			for (int i = 0; i < config_setting_length(list); i++) {
				const char *lv = NULL;
				config_setting_lookup_string(config_setting_get_elem(list, (unsigned)i), "level", &lv);
				if (lv && strcmp(lv, "emergency") == 0)
					rank = 2;
				else if (lv && strcmp(lv, "priority") == 0 && rank < 1)
					rank = 1;
			}
		}
		config_destroy(&lc);
	}
	diag_free(&d);
	json_decref(env);
	return rank;
}

static int
job_set(struct job *j, const char *topic, const char *sha, const char *payload, size_t len)
{
	char *p = malloc(len + 1);

	if (p == NULL)
		return -1;
	if (len > 0)
		memcpy(p, payload, len);
	p[len] = '\0';
	free(j->payload);
	j->payload = p;
	j->len = len;
	snprintf(j->topic, sizeof(j->topic), "%s", topic);
	snprintf(j->sha, sizeof(j->sha), "%s", sha);
	j->rank = set_rank(p, len, &j->nfiles);
	return 0;
}

static int
job_is(const struct job *j, const char *topic, const char *sha)
{
	return j->payload && strcmp(j->topic, topic) == 0 && strcmp(j->sha, sha) == 0;
}

/* the set waiting on topic, or NULL */
static struct job *
pending_on(struct fleet *f, const char *topic)
{
	for (int i = 0; i < MAX_PENDING; i++)
		if (f->pend[i].payload && strcmp(f->pend[i].topic, topic) == 0)
			return &f->pend[i];
	return NULL;
}

/*
 * Sets wait one per topic (a newer retained message on a topic replaces the
 * older); sets of other topics are all kept, so an emergency set is never
 * dropped for a routine one that came after it. Full: the lowest rank,
 * oldest, gives way (its retained message comes again on reconnect).
 */
static void
queue_job(struct fleet *f, const char *topic, const char *sha, const char *payload, size_t len)
{
	struct job *j = pending_on(f, topic), n = { 0 };

	if (j == NULL)
		for (int i = 0; i < MAX_PENDING && j == NULL; i++)
			if (f->pend[i].payload == NULL)
				j = &f->pend[i];
	if (j == NULL) {
		if (job_set(&n, topic, sha, payload, len) < 0)
			return;
		for (int i = 0; i < MAX_PENDING; i++)
			if (j == NULL || f->pend[i].rank < j->rank || (f->pend[i].rank == j->rank &&
			    f->pend[i].queued < j->queued))
				j = &f->pend[i];
		if (j->rank > n.rank) {
			log_warnx("fleet: %s: %d bulletin sets wait already; this one waits for its next delivery", topic,
			    MAX_PENDING);
			job_free(&n);
			return;
		}
		log_warnx("fleet: %s: set dropped for %s (it comes again on the next delivery)", j->topic, topic);
		job_free(j);
		*j = n;
	} else if (job_set(j, topic, sha, payload, len) < 0)
		return;
	j->queued = ++f->nqueued;
}

/* the next set to fetch: the highest rank, the first queued among equals; it leaves the queue */
static int
next_job(struct fleet *f, struct job *out)
{
	struct job *j = NULL;

	for (int i = 0; i < MAX_PENDING; i++)
		if (f->pend[i].payload && (j == NULL || f->pend[i].rank > j->rank || (f->pend[i].rank == j->rank &&
		    f->pend[i].queued < j->queued)))
			j = &f->pend[i];
	if (j == NULL)
		return 0;
	*out = *j;
	j->payload = NULL;
	return 1;
}

static long long
c_timeout(struct fleet *f)
{
	const struct cfg *c = f->h.cfg(f->h.arg);

	return c ? c->fleet.download_timeout_s : 1800;
}

static void
start_fetch(struct fleet *f, const char *topic, const char *sha, const char *payload, size_t len)
{
	pid_t pid;
	sigset_t none;

	if (f->child > 0) {	/* one at a time: the others wait, by rank */
		queue_job(f, topic, sha, payload, len);
		if (pending_on(f, topic) && pending_on(f, topic)->rank > f->running.rank && !f->preempted &&
		    !f->overdue) {
			log_info("fleet: %s: a set of higher rank came; the fetch of %s stops and waits", topic,
			    f->running.topic);
			f->preempted = 1;
			kill(f->child, SIGTERM);
		}
		return;
	}
	if (job_set(&f->running, topic, sha, payload, len) < 0) {
		log_warn("fleet: %s", topic);
		return;
	}
	if (f->retry.payload && strcmp(f->retry.topic, topic) == 0)
		job_free(&f->retry);	/* this one is newer, or is it */
	log_info("fleet: %s: fetching a bulletin set", topic);
	if ((pid = fork()) < 0) {
		log_warn("fleet: fork");
		job_set(&f->retry, topic, sha, payload, len);
		f->retry_at = now_ms() + f->retry_min_ms;
		return;
	}
	if (pid == 0) {
		const struct cfg *c = f->h.cfg(f->h.arg);
		json_t *r;
		char *text;
		/* nothing of the daemon's: its log, PCM, socket and signals stay its own */
		syscall(SYS_close_range, 3U, ~0U, 0U);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		r = fetch_bulletins(c, payload, len, f->work);
		json_object_set_new(r, "topic", json_string(topic));
		text = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text)
			durable_atomic(f->result_path, text, strlen(text), 0644);
		_exit(strcmp(json_string_value(json_object_get(r, "outcome")), "imported") == 0 ? 0 : 1);
	}
	f->child = pid;
	f->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	f->child_deadline = now_ms() + ((long long)f->running.nfiles * c_timeout(f) + 600) * 1000;
}

static void
start_next(struct fleet *f)
{
	struct job p;

	if (f->child == 0 && next_job(f, &p)) {
		start_fetch(f, p.topic, p.sha, p.payload, p.len);
		free(p.payload);
	}
}

static void
child_done(struct fleet *f)
{
	int status;
	json_t *r;

	if (waitpid(f->child, &status, WNOHANG) != f->child)
		return;
	close(f->pidfd);
	f->pidfd = -1;
	f->child = 0;
	r = json_load_file(f->result_path, 0, NULL);
	unlink(f->result_path);
	if (f->preempted) {	/* stopped for a set of higher rank: it waits again, unless a newer one of its topic does */
		f->preempted = 0;
		json_decref(r);
		if (f->running.payload && pending_on(f, f->running.topic) == NULL)
			queue_job(f, f->running.topic, f->running.sha, f->running.payload, f->running.len);
		job_free(&f->running);
		start_next(f);
		return;
	}
	if (r == NULL)
		r = json_pack("{s:s, s:s, s:b}", "outcome", "failed", "error", f->overdue ?
		    _("the fetch took longer than the sum of its files' download_timeout_seconds and was stopped") :
		    WIFSIGNALED(status) ? _("the fetch stopped on a signal") : _("the fetch left no result"), "retry", 1);
	f->overdue = 0;
	{
		const char *err = json_string_value(json_object_get(r, "error"));
		size_t i;
		json_t *x;
		log_info("fleet: bulletin set %.12s: %s, %lld loaded", json_string_value(json_object_get(r, "manifest")) ?
		    json_string_value(json_object_get(r, "manifest")) : "", json_string_value(json_object_get(r,
		    "outcome")), (long long)json_integer_value(json_object_get(r, "loaded")));
		if (err)
			log_warnx("fleet: bulletins: %s", err);
		json_array_foreach(json_object_get(r, "refused"), i, x)
			log_warnx("fleet: bulletins: %s %s", json_string_value(json_object_get(x, "file")),
			    json_string_value(json_object_get(x, "reason")));
	}
	/*
	 * Remembered as handled only now: a set whose files did not all come
	 * (network, server) is fetched again later, with a growing delay, and
	 * one interrupted by a restart is fetched again when its retained
	 * message comes back.
	 */
	if (json_is_true(json_object_get(r, "retry")) && f->running.payload && pending_on(f, f->running.topic) == NULL) {
		if (!job_is(&f->retry, f->running.topic, f->running.sha))
			f->retry_ms = f->retry_min_ms;
		else
			f->retry_ms = f->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : f->retry_ms * 2;
		job_set(&f->retry, f->running.topic, f->running.sha, f->running.payload, f->running.len);
		f->retry_at = now_ms() + f->retry_ms;
		log_info("fleet: %s: tried again in %d s", f->running.topic, f->retry_ms / 1000);
	} else if (f->running.payload) {
		mark_seen(f, f->running.topic, f->running.sha);
		if (job_is(&f->retry, f->running.topic, f->running.sha))
			job_free(&f->retry);
	}
	job_free(&f->running);
	json_decref(f->bulletins);
	f->bulletins = r;
	f->next_status = 0;
	start_next(f);
}

static void handle_live(struct fleet *, const char *payload, size_t len);

static void
handle(struct fleet *f, struct inmsg *q)
{
	char *site = NULL, sha[65];
	const char *leaf;
	json_t *o;

	if (fmsg_parse_topic(q->topic, f->province, &site, &leaf) < 0 || (site && strcmp(site, f->site) != 0)) {
		free(site);
		return;
	}
	free(site);
	if (strcmp(leaf, "ack") == 0) {
		long long s;
		o = json_loadb(q->payload, q->len, 0, NULL);
		s = json_integer_value(json_object_get(o, "seq"));
		json_decref(o);
		if (s > f->cursor && s <= airlog_last_seq(f->log)) {
			f->cursor = s;
			save_cursor(f);
			if (f->next_send <= s) {
				f->next_send = s + 1;
				f->rd.day = 0;
			}
		}
		return;
	}
	if (strcmp(leaf, "resend") == 0) {
		long long from;
		o = json_loadb(q->payload, q->len, 0, NULL);
		from = json_integer_value(json_object_get(o, "from"));
		json_decref(o);
		if (from >= 1 && from <= airlog_last_seq(f->log) + 1) {
			log_info("fleet: the collector asks for records from %lld on", from);
			if (from <= f->cursor) {	/* it lost what it had acknowledged (a restored database) */
				f->cursor = from - 1;
				save_cursor(f);
			}
			f->next_send = from;
			f->rd.day = 0;
		}
		return;
	}
	if (strcmp(leaf, "live") == 0) {
		if (q->len > 0)
			handle_live(f, q->payload, q->len);
		return;
	}
	if (strcmp(leaf, "config") != 0 && strcmp(leaf, "bulletins") != 0)
		return;
	if (q->len == 0)	/* a retained message cleared */
		return;
	sha_hex(q->payload, q->len, sha);
	if (seen(f, q->topic, sha))
		return;
	if (strcmp(leaf, "config") == 0) {
		handle_config(f, q->topic, q->payload, q->len);
		mark_seen(f, q->topic, sha);	/* after: a restart in between applies it when it comes again */
	} else if (!job_is(&f->running, q->topic, sha) && !(pending_on(f, q->topic) &&
	    job_is(pending_on(f, q->topic), q->topic, sha)) &&
	    !job_is(&f->retry, q->topic, sha))
		start_fetch(f, q->topic, sha, q->payload, q->len);
}

/* --- live commands ------------------------------------------------------------ */

static void
live_publish(struct fleet *f, json_t *a)
{
	char t[FMSG_TOPIC_MAX], *text;

	json_decref(f->live);
	f->live = a;
	f->next_status = 0;	/* the status carries it too: the collector stores that */
	if (f->st != F_UP || f->m == NULL || (text = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		return;
	if (fmsg_topic(t, sizeof(t), f->province, f->site, "live-ack") == 0)
		mosquitto_publish(f->m, NULL, t, (int)strlen(text), text, 1, false);
	free(text);
}

static void
hms_of(long long ms, char out[9])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 9, "%H:%M:%S", &tm);
}

void
fleet_live_ack(struct fleet *f, const char *id, const char *event, long long start_ms, const char *outcome,
    const char *reason)
{
	json_t *a = json_pack("{s:s, s:s}", "site", f->site, "id", id ? id : "");
	char hms[9];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (strcmp(event, "airing") == 0) {
		json_object_set_new(a, "outcome", json_string("airing"));
		hms_of(start_ms, hms);
		json_object_set_new(a, "from", json_string(hms));
		log_info("fleet: live %s: airing from %s", id, hms);
	} else {
		json_object_set_new(a, "outcome", json_string(outcome ? outcome : "complete"));
		if (start_ms > 0) {
			hms_of(start_ms, hms);
			json_object_set_new(a, "from", json_string(hms));
		}
		hms_of((long long)ts.tv_sec * 1000, hms);
		json_object_set_new(a, "to", json_string(hms));
		if (reason)
			json_object_set_new(a, "reason", json_string(reason));
		log_info("fleet: live %s: %s%s%s", id, outcome ? outcome : "complete", reason ? ": " : "", reason ? reason : "");
	}
	json_object_set_new(a, "time", json_integer((json_int_t)ts.tv_sec));
	live_publish(f, a);
}

static void
live_refused(struct fleet *f, const char *id, const char *command, const char *why)
{
	json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "site", f->site, "id", id, "command", command,
	    "outcome", "refused", "reason", why, "time", (json_int_t)time(NULL));

	log_warnx("fleet: live %s (%s): refused: %s", id, command, why);
	live_publish(f, a);
}

/* is the command for this board: its sites name it, or its province is this board's */
static int
live_for_me(const struct fleet *f, const json_t *cmd)
{
	const json_t *sites = json_object_get(cmd, "sites"), *x;
	const char *prov = json_string_value(json_object_get(cmd, "province"));
	size_t i;

	if (prov)
		return strcmp(prov, f->province) == 0;
	json_array_foreach(sites, i, x)
		if (json_is_string(x) && strcmp(json_string_value(x), f->site) == 0)
			return 1;
	return 0;
}

static void
handle_live(struct fleet *f, const char *payload, size_t len)
{
	const struct cfg *c = f->h.cfg(f->h.arg);
	json_t *env = json_loadb(payload, len, 0, NULL), *cmd = NULL;
	const char *text = json_string_value(json_object_get(env, "text"));
	const char *sig = json_string_value(json_object_get(env, "sig"));
	const char *id = "", *command = "";
	char why[1024] = "", err[512], sha[65], key[SIGN_PUB_TEXT] = "";
	long long seq;
	int which = -1, r;

	if (text)
		cmd = json_loads(text, 0, NULL);
	if (text == NULL || !json_is_object(cmd)) {
		live_refused(f, "", "", _("not a live command (a JSON object with text and sig)"));
		goto out;
	}
	id = json_string_value(json_object_get(cmd, "id")) ? json_string_value(json_object_get(cmd, "id")) : "";
	command = json_string_value(json_object_get(cmd, "command")) ? json_string_value(json_object_get(cmd,
	    "command")) : "";
	if (!live_for_me(f, cmd))
		goto out;	/* another board's */
	if (sig == NULL || *sig == '\0') {
		live_refused(f, id, command, _("unsigned: a live command must be signed by a key of trust.keys"));
		goto out;
	}
	if ((r = sign_verify_buf(text, strlen(text), sig, strlen(sig), (const unsigned char (*)[SIGN_PUB_LEN])
	    c->trust.keys, c->trust.nkeys, &which, err, sizeof(err))) != 0) {
		snprintf(why, sizeof(why), _("bad signature: %s"), r < 0 ? err : _("signed by no key of trust.keys"));
		live_refused(f, id, command, why);
		goto out;
	}
	sign_format_pub(c->trust.keys[which], key);
	seq = json_integer_value(json_object_get(cmd, "sequence"));
	if (seq < 1 || seq > MANIFEST_SEQ_MAX) {
		live_refused(f, id, command, _("the command has no sequence (1 .. 2^53): it cannot be told from a replay"));
		goto out;
	}
	sha_hex(text, strlen(text), sha);
	if (manifest_seq_check(c->paths.state, c->trust.keys[which], "live", seq, sha, err, sizeof(err)) != 0) {
		snprintf(why, sizeof(why), _("replayed: this board took sequence %lld or a later one from the same key "
		    "already"), seq);
		live_refused(f, id, command, why);
		goto out;
	}
	if (manifest_seq_note(c->paths.state, c->trust.keys[which], "live", seq, sha, err, sizeof(err)) < 0) {
		live_refused(f, id, command, err);	/* taken without its note, it could be replayed */
		goto out;
	}
	if (f->h.live == NULL)
		live_refused(f, id, command, _("this board takes no live commands"));
	else if (f->h.live(f->h.arg, cmd, key, why, sizeof(why)) < 0)
		live_refused(f, id, command, why);
out:
	json_decref(cmd);
	json_decref(env);
}

static void
drain_queue(struct fleet *f)
{
	for (int i = 0; i < f->nq; i++) {
		handle(f, &f->q[i]);
		free(f->q[i].topic);
		free(f->q[i].payload);
	}
	f->nq = 0;
}

/* --- the loop's side ----------------------------------------------------------- */

struct fleet *
fleet_new(const struct cfg *c, struct airlog *log, const struct fleet_hooks *h, char *err, size_t errlen)
{
	struct fleet *f;
	char dir[PATH_MAX - 32];

	if (netlib_mosquitto(err, errlen) < 0)	/* first: fleet_free() needs it */
		return NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	f->h = *h;
	f->log = log;
	f->site = strdup(c->site.id);
	f->province = strdup(c->fleet.province);
	f->host = strdup(c->fleet.host);
	f->port = c->fleet.port;
	f->logdir = strdup(c->paths.airlog);
	f->tls_ca = strdup(c->fleet.ca);
	f->tls_cert = strdup(c->fleet.cert);
	f->tls_key = strdup(c->fleet.key);
	f->tls_pw = c->fleet.password_file ? strdup(c->fleet.password_file) : NULL;
	f->tls = (struct fmsg_tls){ f->tls_ca, f->tls_cert, f->tls_key, f->tls_pw };
	f->keepalive = c->fleet.keepalive_seconds;
	f->status_s = c->fleet.status_seconds;
	f->retry_min_ms = c->fleet.retry_seconds * 1000;
	f->backoff_ms = BACKOFF_MIN_MS;
	f->armed = LLONG_MIN;
	f->pidfd = -1;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/fleet", c->paths.state) >= sizeof(dir)) {
		snprintf(err, errlen, "%s: %s", c->paths.state, strerror(ENAMETOOLONG));
		free(f);
		return NULL;
	}
	snprintf(f->cursor_path, sizeof(f->cursor_path), "%s/cursor", dir);
	snprintf(f->seen_path, sizeof(f->seen_path), "%s/seen.json", dir);
	snprintf(f->work, sizeof(f->work), "%s/fetch", dir);
	snprintf(f->result_path, sizeof(f->result_path), "%s/fetch-result.json", dir);
	if (durable_mkdirs(dir, 0700) < 0 || (f->tfd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		fleet_free(f);
		return NULL;
	}
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium cannot start");
		fleet_free(f);
		return NULL;
	}
	load_state(f);
	f->next_send = f->cursor + 1;
	f->next_connect = 0;	/* at once */
	log_info("fleet: broker %s:%d, province %s; %lld records not yet stored by the collector", f->host, f->port,
	    f->province, airlog_last_seq(log) - f->cursor);
	return f;
}

int
fleet_pollfds(struct fleet *f, struct pollfd *p, int max)
{
	int n = 0;

	arm(f);
	if (max < 3)
		return 0;
	p[n++] = (struct pollfd){ .fd = f->tfd, .events = POLLIN };
	if (f->m && mosquitto_socket(f->m) >= 0)
		p[n++] = (struct pollfd){ .fd = mosquitto_socket(f->m), .events = (short)(POLLIN |
		    (mosquitto_want_write(f->m) ? POLLOUT : 0)) };
	if (f->pidfd >= 0)
		p[n++] = (struct pollfd){ .fd = f->pidfd, .events = POLLIN };
	return n;
}

static void
io_error(struct fleet *f, int rc)
{
	char why[600];

	if (f->error[0] && rc != MOSQ_ERR_CONN_LOST)
		snprintf(why, sizeof(why), _("connection to the broker %s:%d lost: %s"), f->host, f->port, f->error);
	else if (f->st == F_CONNECTING && f->error[0])
		snprintf(why, sizeof(why), "%s", f->error);
	else if (f->st == F_CONNECTING)
		snprintf(why, sizeof(why), _("cannot connect to the broker %s:%d: %s"), f->host, f->port,
		    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
	else
		snprintf(why, sizeof(why), _("connection to the broker %s:%d lost: %s"), f->host, f->port,
		    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
	drop(f, why);
}

void
fleet_service(struct fleet *f, const struct pollfd *p, int n)
{
	long long now;
	int rc;

	for (int i = 0; i < n; i++) {
		if (p[i].fd == f->tfd && (p[i].revents & POLLIN)) {
			uint64_t x;
			while (read(f->tfd, &x, sizeof(x)) > 0)
				;
			f->armed = LLONG_MIN;
		} else if (f->pidfd >= 0 && p[i].fd == f->pidfd && p[i].revents) {
			child_done(f);
		} else if (f->m && p[i].fd == mosquitto_socket(f->m) && p[i].revents) {
			if (p[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				rc = mosquitto_loop_read(f->m, 64);
				if (rc != MOSQ_ERR_SUCCESS) {
					io_error(f, rc);
					drain_queue(f);
					continue;
				}
			}
			if (f->m && (p[i].revents & POLLOUT) && (rc = mosquitto_loop_write(f->m, 64)) != MOSQ_ERR_SUCCESS)
				io_error(f, rc);
			/*
			 * A hang-up that libmosquitto did not take as one (a TLS
			 * handshake to a broker that is gone returns success and
			 * tries again): the socket stays readable for ever, and the
			 * loop would spin at full CPU without reconnecting.
			 */
			if (f->m && (p[i].revents & (POLLHUP | POLLERR))) {
				int e = 0;
				socklen_t el = sizeof(e);
				if (getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0 || e == 0)
					e = ECONNRESET;
				errno = e;
				io_error(f, MOSQ_ERR_ERRNO);
			}
		}
	}
	drain_queue(f);
	now = now_ms();
	if (f->child > 0 && !f->overdue && now >= f->child_deadline) {
		log_warnx("fleet: %s: the fetch is past its deadline; stopped", f->running.topic);
		f->overdue = 1;
		kill(f->child, SIGKILL);
	}
	if (f->retry.payload && f->child == 0 && now >= f->retry_at) {
		struct job r = f->retry;
		f->retry.payload = NULL;
		start_fetch(f, r.topic, r.sha, r.payload, r.len);
		/* start_fetch keeps it as running; child_done decides again */
		job_set(&f->retry, r.topic, r.sha, r.payload, r.len);
		f->retry_at = LLONG_MAX;
		free(r.payload);
	}
	if (f->st == F_OFFLINE && now >= f->next_connect) {
		if (f->h.busy(f->h.arg))	/* the name lookup may block: not while airing */
			f->next_connect = now + 5000;
		else
			connect_now(f);
	}
	if (f->m && now >= f->next_misc) {
		if ((rc = mosquitto_loop_misc(f->m)) != MOSQ_ERR_SUCCESS)
			io_error(f, rc);
		f->next_misc = now + (f->keepalive * 1000LL) / 4;
		if (f->st == F_CONNECTING && f->next_misc > now + 2000)
			f->next_misc = now + 2000;
	}
}

void
fleet_pump(struct fleet *f)
{
	char t[FMSG_TOPIC_MAX], *line;
	size_t len;
	long long seq, last;

	if (f->st != F_UP || f->m == NULL)
		return;
	if (now_ms() >= f->next_status)
		publish_status(f);
	last = airlog_last_seq(f->log);
	fmsg_topic(t, sizeof(t), f->province, f->site, "records");
	while (f->inflight < WINDOW && f->next_send <= last && spool_next(f, &line, &len, &seq) == 1) {
		int rc = mosquitto_publish(f->m, NULL, t, (int)len, line, 1, false);
		free(line);
		if (rc != MOSQ_ERR_SUCCESS) {
			io_error(f, rc);
			return;
		}
		f->inflight++;
		f->published++;
		f->next_send = seq + 1;
	}
	if (f->m && mosquitto_want_write(f->m) && (mosquitto_loop_write(f->m, 64)) != MOSQ_ERR_SUCCESS)
		io_error(f, MOSQ_ERR_CONN_LOST);
}

void
fleet_status(const struct fleet *f, json_t *o)
{
	json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I}", "state", state_names[f->st], "error", f->error, "log_seq",
	    (json_int_t)airlog_last_seq(f->log), "sent_seq", (json_int_t)(f->next_send - 1), "acked_seq",
	    (json_int_t)f->cursor);

	if (j && f->config)
		json_object_set(j, "config_push", f->config);
	if (j && f->bulletins)
		json_object_set(j, "bulletins", f->bulletins);
	if (j && f->live)
		json_object_set(j, "live", f->live);
	if (j)
		json_object_set_new(o, "fleet", j);
}

void
fleet_free(struct fleet *f)
{
	if (f == NULL)
		return;
	if (f->m) {
		if (f->st == F_UP) {	/* say so now rather than let the will say it after keepalive */
			char t[FMSG_TOPIC_MAX], *s = NULL;
			fmsg_topic(t, sizeof(t), f->province, f->site, "status");
			if ((s = last_words(f, "stopped")) != NULL) {
				mosquitto_publish(f->m, NULL, t, (int)strlen(s), s, 1, true);
				mosquitto_loop_write(f->m, 8);
				free(s);
			}
			mosquitto_disconnect(f->m);
			mosquitto_loop_write(f->m, 8);
		}
		mosquitto_destroy(f->m);
	}
	if (f->child > 0) {
		kill(f->child, SIGTERM);
		waitpid(f->child, NULL, 0);
	}
	if (f->pidfd >= 0)
		close(f->pidfd);
	if (f->tfd > 0)
		close(f->tfd);
	for (int i = 0; i < f->nq; i++) {
		free(f->q[i].topic);
		free(f->q[i].payload);
	}
	json_decref(f->seen);
	json_decref(f->bulletins);
	json_decref(f->config);
	json_decref(f->live);
	job_free(&f->running);
	for (int i = 0; i < MAX_PENDING; i++)
		job_free(&f->pend[i]);
	job_free(&f->retry);
	free(f->site);
	free(f->province);
	free(f->host);
	free(f->logdir);
	free(f->tls_ca);
	free(f->tls_cert);
	free(f->tls_key);
	free(f->tls_pw);
	free(f);
	mosquitto_lib_cleanup();
}
