/*
 * fleetgen: N simulated boards in one process, for tests/bench/fleet-scale.sh.
 * Each board is what loaxad's fleet client is on the wire (firmware/fleet.c):
 * its own MQTT connection (client id loaxa-SITE, clean session, TLS with its
 * own certificate, CN = SITE, a retained "offline" will), the same eight
 * subscriptions, its airing-log records published QoS 1 with at most 64 not
 * yet PUBACKed, from its cursor on; the collector's retained ack moves the
 * cursor, a resend moves next_send back; a retained status (QoS 1) every
 * --status seconds and at once after a config arrives; a config envelope's
 * signature checked against the office key as the board does before it
 * applies it (the config itself is not applied: there is no engine here).
 * The records are real: each board's log is written by the project's own
 * airlog (scheduler/airlog.h) with its own seed and device key, so the
 * collector checks every MAC and seal as it does for a board.
 *
 *   fleetgen prepare DIR N RECORDS CA.crt CA.key
 *       DIR/SITE/{airlog,state}: RECORDS records each (a boot, then airings an
 *       hour apart ending now: seals where the day changes); DIR/seeds and
 *       DIR/pubs for collect --seeds/--keys; DIR/SITE.crt signed by the CA and
 *       DIR/board.key (one key for every board: a bench, not a PKI)
 *   fleetgen run DIR N --host H --port P --ca F --province P --trust KEY
 *       [--first F] [--status S] [--initial K] [--every S] [--seconds T]
 *       boards F+1..F+N (libmosquitto holds three descriptors a client, a
 *       socket and a socketpair: several processes share a large fleet)
 *       K records of each log are "written" at start, then (after SIGUSR1)
 *       one every S seconds per board, staggered, until the log ends or T
 *       seconds.
 *       Prints (stdout, unix times): "connected N T", "config SERIAL N T"
 *       when the Nth board has a config of that serial (its signature good),
 *       "peer N T" when the Nth board has a message on loaxa/P/live that
 *       starts with "peer" (the broker's bare fan-out), and at the end
 *       "lag N P50 P99 MAX" in ms over the records written after SIGUSR1:
 *       from written to the collector's ack for it reaching the board.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <mosquitto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/cfg.h"
#include "config/sign.h"
#include "firmware/fleetmsg.h"
#include "scheduler/airlog.h"

#define WINDOW		64
#define CONNECTING_MAX	100
#define LAGMAX_MS	600000

struct line {
	char	*text;
	int	 len;
};

struct board {
	char		 site[32];
	struct mosquitto *m;
	int		 up, connecting;
	struct line	*lines;
	int		 n;
	double		*written;	/* when record k + 1 was written (0: not yet) */
	int		 released;	/* records 1..released are written */
	double		 next_release;
	long long	 cursor, next_send;
	int		 inflight;
	double		 next_status;
	long long	 serial;
	json_t		*config_push;
	int		 peer;
};

static struct {
	struct board	*b;
	int		 n;
	const char	*province, *host, *ca;
	int		 port, status_s, initial, first;
	double		 every, t0;
	unsigned char	 trust[SIGN_PUB_LEN];
	char		 dir[PATH_MAX];
	int		 nup, npeer;
	long long	 cfg_serial;
	int		 ncfg;
	long		 lag[LAGMAX_MS / 10 + 1];	/* 10 ms buckets */
	long long	 nlag;
	double		 lagmax;
	long long	 published, acked;
	volatile sig_atomic_t stop, go;	/* go: SIGUSR1, the steady airings begin */
	int		 steady;
} g;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "fleetgen: %s\n", what);
	exit(1);
}

/* --- prepare ---------------------------------------------------------------- */

static void
mint(const char *site, long serial, X509 *ca, EVP_PKEY *cakey, EVP_PKEY *key, const char *path)
{
	X509 *x = X509_new();
	X509_NAME *nm;
	FILE *fp;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);
	X509_set_pubkey(x, key);
	nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)site, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(ca));
	if (X509_sign(x, cakey, EVP_sha256()) == 0 || (fp = fopen(path, "w")) == NULL)
		die("cannot make a certificate");
	PEM_write_X509(fp, x);
	fclose(fp);
	X509_free(x);
}

static int
prepare(const char *dir, int n, int records, const char *cafile, const char *cakeyfile)
{
	FILE *fp, *seeds, *pubs;
	X509 *ca;
	EVP_PKEY *cakey, *key;
	char path[PATH_MAX], state[PATH_MAX + 16], logdir[PATH_MAX + 16], seed[65], pub[64], err[256];
	double t = floor(now() / 3600) * 3600;
	long long mono = 1000;

	if ((fp = fopen(cafile, "r")) == NULL || (ca = PEM_read_X509(fp, NULL, NULL, NULL)) == NULL)
		die("the CA certificate");
	fclose(fp);
	if ((fp = fopen(cakeyfile, "r")) == NULL || (cakey = PEM_read_PrivateKey(fp, NULL, NULL, NULL)) == NULL)
		die("the CA key");
	fclose(fp);
	if ((key = EVP_EC_gen("P-256")) == NULL)
		die("a key");
	snprintf(path, sizeof(path), "%s/board.key", dir);
	if ((fp = fopen(path, "w")) == NULL)
		die(path);
	chmod(path, 0600);
	PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/seeds", dir);
	seeds = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/pubs", dir);
	pubs = fopen(path, "w");
	if (seeds == NULL || pubs == NULL)
		die("seeds, pubs");
	for (int i = 1; i <= n; i++) {
		char site[32];
		struct airlog *h;
		snprintf(site, sizeof(site), "xg-%05d", i);
		snprintf(path, sizeof(path), "%s/%s.crt", dir, site);
		mint(site, 1000 + i, ca, cakey, key, path);
		snprintf(path, sizeof(path), "%s/%s", dir, site);
		mkdir(path, 0755);
		snprintf(state, sizeof(state), "%s/state", path);
		snprintf(logdir, sizeof(logdir), "%s/airlog", path);
		if (airlog_init(state, seed, pub, sizeof(pub), err, sizeof(err)) < 0 ||
		    (h = airlog_open(logdir, state, site, err, sizeof(err))) == NULL)
			die(err);
		airlog_set_durable(h, 0);
		fprintf(seeds, "%s %s\n", site, seed);
		fprintf(pubs, "%s %s\n", site, pub);
		for (int k = 0; k < records; k++) {
			struct airlog_clock c = { (long long)(t - (double)(records - k) * 3600), 7 * 3600, mono += 1000, 1,
			    "0b3e2c4a-5d1f-4e7a-9c2b-8f6d1a0e3b57" };
			json_t *o = NULL;
			if (k > 0) {
				char a[40], b[40], s[40];
				time_t e = (time_t)c.realtime_s + c.gmtoff;
				struct tm tm;
				gmtime_r(&e, &tm);
				strftime(a, sizeof(a), "%Y-%m-%dT%H:%M:%S+07:00", &tm);
				e -= 180;
				gmtime_r(&e, &tm);
				strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S+07:00", &tm);
				e -= 2;
				gmtime_r(&e, &tm);
				strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S+07:00", &tm);
				o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:s}",
				    "session", "sang", "period", "normal", "scheduled", s, "start", b, "end", a,
				    "duration_ms", 180000, "bulletin", "tin-luat", "title", "Quy định mới về xử phạt",
				    "topic", "law", "level", "normal", "source", "province", "sha256",
				    "9f2c1e0b7a6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b", "gain_db", -1.5,
				    "amplifier", "on", "outcome", "complete");
			}
			if (airlog_append(h, k ? "airing" : "boot", o, &c, NULL, err, sizeof(err)) < 0)
				die(err);
			json_decref(o);
		}
		airlog_close(h);
	}
	fclose(seeds);
	fclose(pubs);
	EVP_PKEY_free(key);
	EVP_PKEY_free(cakey);
	X509_free(ca);
	return 0;
}

/* --- run -------------------------------------------------------------------- */

static void
load_lines(struct board *b)
{
	char dir[PATH_MAX + 64], err[256];
	struct airlog_iter *it;
	const char *line;
	size_t len;
	json_t *rec;
	int cap = 0, r;

	snprintf(dir, sizeof(dir), "%s/%s/airlog", g.dir, b->site);
	if ((it = airlog_iter_open(dir, err, sizeof(err))) == NULL)
		die(err);
	while ((r = airlog_iter_next(it, &rec, &line, &len)) == 1) {
		if (b->n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((b->lines = realloc(b->lines, (size_t)cap * sizeof(*b->lines))) == NULL)
				die("memory");
		}
		b->lines[b->n].text = strndup(line, len);
		b->lines[b->n].len = (int)len;
		b->n++;
		json_decref(rec);
	}
	airlog_iter_close(it);
	if ((b->written = calloc((size_t)b->n + 1, sizeof(double))) == NULL)
		die("memory");
}

static void
topic(char *t, const struct board *b, const char *leaf)
{
	fmsg_topic(t, FMSG_TOPIC_MAX, g.province, b->site, leaf);
}

static void
publish_status(struct board *b, const char *state)
{
	char t[FMSG_TOPIC_MAX], *text;
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:I}", "state", state, "site", b->site,
	    "province", g.province, "time", (json_int_t)time(NULL), "version", "1", "serial", (json_int_t)b->serial,
	    "log_seq", (json_int_t)b->released, "sent_seq", (json_int_t)(b->next_send - 1), "acked_seq",
	    (json_int_t)b->cursor);

	if (b->config_push)
		json_object_set(o, "config_push", b->config_push);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	topic(t, b, "status");
	if (b->m && text)
		mosquitto_publish(b->m, NULL, t, (int)strlen(text), text, 1, true);
	free(text);
	b->next_status = now() + g.status_s;
}

static void
on_connect(struct mosquitto *m, void *obj, int rc)
{
	static const char *const prov[] = { "config", "bulletins", "live" };
	static const char *const mine[] = { "config", "bulletins", "ack", "resend", "live" };
	struct board *b = obj;
	char t[FMSG_TOPIC_MAX];

	b->connecting = 0;
	if (rc != 0) {
		fprintf(stderr, "fleetgen: %s refused: %s\n", b->site, mosquitto_connack_string(rc));
		return;
	}
	b->up = 1;
	b->next_send = b->cursor + 1;
	for (int i = 0; i < 3; i++) {
		fmsg_topic(t, sizeof(t), g.province, NULL, prov[i]);
		mosquitto_subscribe(m, NULL, t, 1);
	}
	for (int i = 0; i < 5; i++) {
		topic(t, b, mine[i]);
		mosquitto_subscribe(m, NULL, t, 1);
	}
	publish_status(b, "connected");
	if (++g.nup == g.n) {
		printf("connected %d %.3f\n", g.n, now());
		fflush(stdout);
	}
}

static void
on_disconnect(struct mosquitto *m, void *obj, int rc)
{
	struct board *b = obj;

	(void)m;
	if (b->up)
		g.nup--;
	b->up = b->connecting = 0;
	b->inflight = 0;
	if (!g.stop)
		fprintf(stderr, "fleetgen: %s disconnected (%d)\n", b->site, rc);
}

static void
on_publish(struct mosquitto *m, void *obj, int mid)
{
	struct board *b = obj;

	(void)m;
	(void)mid;
	if (b->inflight > 0)	/* as the board counts */
		b->inflight--;
}

static void
acked(struct board *b, long long s)
{
	double t = now();

	for (long long k = b->cursor + 1; k <= s; k++)
		if (k > g.initial && b->written[k - 1] > 0) {
			double ms = (t - b->written[k - 1]) * 1000;
			g.lag[ms >= LAGMAX_MS ? LAGMAX_MS / 10 : (long)(ms / 10)]++;
			g.nlag++;
			if (ms > g.lagmax)
				g.lagmax = ms;
		}
	g.acked += s - b->cursor;
	b->cursor = s;
}

static void
on_config(struct board *b, const char *topic_, const char *payload, int len)
{
	json_t *env = json_loadb(payload, (size_t)len, 0, NULL);
	const char *text = json_string_value(json_object_get(env, "text"));
	const char *sig = json_string_value(json_object_get(env, "sig"));
	long long serial = json_integer_value(json_object_get(env, "serial"));
	char err[256];
	int ok = text && sig && sign_verify_buf(text, strlen(text), sig, strlen(sig),
	    (const unsigned char (*)[SIGN_PUB_LEN])&g.trust, 1, NULL, err, sizeof(err)) == 0;

	json_decref(b->config_push);
	b->config_push = json_pack("{s:s, s:I, s:s, s:s}", "topic", topic_, "serial", (json_int_t)serial, "outcome",
	    ok ? "applied" : "refused", "message", ok ? "" : "bad signature");
	if (ok) {
		b->serial = serial;
		if (serial != g.cfg_serial) {
			g.cfg_serial = serial;
			g.ncfg = 0;
		}
		if (++g.ncfg == g.n) {
			printf("config %lld %d %.3f\n", serial, g.n, now());
			fflush(stdout);
		}
	}
	json_decref(env);
	publish_status(b, "connected");
}

static void
on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct board *b = obj;
	char *site = NULL;
	const char *leaf;
	json_t *o;

	(void)m;
	if (fmsg_parse_topic(msg->topic, g.province, &site, &leaf) < 0 || (site && strcmp(site, b->site) != 0) ||
	    msg->payloadlen == 0) {
		free(site);
		return;
	}
	free(site);
	if (strcmp(leaf, "ack") == 0) {
		long long s;
		o = json_loadb(msg->payload, (size_t)msg->payloadlen, 0, NULL);
		s = json_integer_value(json_object_get(o, "seq"));
		json_decref(o);
		if (s > b->cursor && s <= b->released) {
			acked(b, s);
			if (b->next_send <= s)
				b->next_send = s + 1;
		}
	} else if (strcmp(leaf, "resend") == 0) {
		long long from;
		o = json_loadb(msg->payload, (size_t)msg->payloadlen, 0, NULL);
		from = json_integer_value(json_object_get(o, "from"));
		json_decref(o);
		if (from >= 1 && from <= b->released + 1) {
			if (from <= b->cursor)
				b->cursor = from - 1;
			b->next_send = from;
		}
	} else if (strcmp(leaf, "config") == 0)
		on_config(b, msg->topic, msg->payload, msg->payloadlen);
	else if (strcmp(leaf, "live") == 0 && msg->payloadlen >= 4 && memcmp(msg->payload, "peer", 4) == 0 && !b->peer) {
		b->peer = 1;
		if (++g.npeer == g.n) {
			printf("peer %d %.3f\n", g.n, now());
			fflush(stdout);
		}
	}
}

static void
start(struct board *b)
{
	char id[64], cert[PATH_MAX + 64], key[PATH_MAX + 64], err[512], t[FMSG_TOPIC_MAX], will[256];
	struct fmsg_tls tls;
	int n;

	snprintf(cert, sizeof(cert), "%s/%s.crt", g.dir, b->site);
	snprintf(key, sizeof(key), "%s/board.key", g.dir);
	tls = (struct fmsg_tls){ g.ca, cert, key, NULL };
	if (b->m == NULL) {
		snprintf(id, sizeof(id), "loaxa-%s", b->site);
		if ((b->m = fmsg_client(id, 1, &tls, b, err, sizeof(err))) == NULL)
			die(err);
		mosquitto_connect_callback_set(b->m, on_connect);
		mosquitto_disconnect_callback_set(b->m, on_disconnect);
		mosquitto_publish_callback_set(b->m, on_publish);
		mosquitto_message_callback_set(b->m, on_message);
		mosquitto_int_option(b->m, MOSQ_OPT_SEND_MAXIMUM, WINDOW);
		topic(t, b, "status");
		n = snprintf(will, sizeof(will), "{\"state\":\"offline\",\"site\":\"%s\",\"province\":\"%s\"}", b->site,
		    g.province);
		mosquitto_will_set(b->m, t, n, will, 1, true);
	}
	if (mosquitto_connect_async(b->m, g.host, g.port, 60) == MOSQ_ERR_SUCCESS)
		b->connecting = 1;
}

static void
pump(struct board *b, double t)
{
	char tp[FMSG_TOPIC_MAX];

	while (b->released < b->n && (b->released < g.initial || (g.steady && g.every > 0 && t >= b->next_release))) {
		b->written[b->released++] = t;
		if (b->released > g.initial)
			b->next_release += g.every;
	}
	if (!b->up)
		return;
	if (t >= b->next_status)
		publish_status(b, "connected");
	topic(tp, b, "records");
	while (b->inflight < WINDOW && b->next_send <= b->released) {
		const struct line *l = &b->lines[b->next_send - 1];
		if (mosquitto_publish(b->m, NULL, tp, l->len, l->text, 1, false) != MOSQ_ERR_SUCCESS)
			break;
		b->inflight++;
		b->next_send++;
		g.published++;
	}
}

static void
on_signal(int s)
{
	if (s == SIGUSR1)
		g.go = 1;
	else
		g.stop = 1;
}

static long
pct(double p)
{
	long long want = (long long)(p * (double)g.nlag), seen = 0;

	for (long i = 0; i <= LAGMAX_MS / 10; i++)
		if ((seen += g.lag[i]) > want)
			return (i + 1) * 10;
	return LAGMAX_MS;
}

static int
run(int argc, char **argv)
{
	struct pollfd *p;
	int *who, seconds = 0, connecting = 0;
	double last_misc = 0, last_report = 0, end;
	const char *trust = NULL;

	g.status_s = 30;
	for (int i = 4; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];
		if (strcmp(a, "--host") == 0) g.host = v;
		else if (strcmp(a, "--port") == 0) g.port = atoi(v);
		else if (strcmp(a, "--ca") == 0) g.ca = v;
		else if (strcmp(a, "--province") == 0) g.province = v;
		else if (strcmp(a, "--trust") == 0) trust = v;
		else if (strcmp(a, "--status") == 0) g.status_s = atoi(v);
		else if (strcmp(a, "--initial") == 0) g.initial = atoi(v);
		else if (strcmp(a, "--every") == 0) g.every = atof(v);
		else if (strcmp(a, "--seconds") == 0) seconds = atoi(v);
		else if (strcmp(a, "--first") == 0) g.first = atoi(v);
		else die("unknown option");
	}
	if (!g.host || !g.port || !g.ca || !g.province || !trust || cfg_parse_key(trust, g.trust) < 0)
		die("run needs --host --port --ca --province --trust");
	if ((g.b = calloc((size_t)g.n, sizeof(*g.b))) == NULL || (p = calloc((size_t)g.n, sizeof(*p))) == NULL ||
	    (who = calloc((size_t)g.n, sizeof(*who))) == NULL)
		die("memory");
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
	signal(SIGPIPE, SIG_IGN);
	mosquitto_lib_init();
	g.t0 = now();
	for (int i = 0; i < g.n; i++) {
		struct board *b = &g.b[i];
		snprintf(b->site, sizeof(b->site), "xg-%05d", g.first + i + 1);
		load_lines(b);
		b->serial = 1;
	}
	fprintf(stderr, "fleetgen: %d boards loaded in %.1f s\n", g.n, now() - g.t0);
	g.t0 = now();
	end = seconds ? g.t0 + seconds : 0;
	while (!g.stop && (end == 0 || now() < end)) {
		double t = now();
		int np = 0;
		if (g.go && !g.steady) {
			/* the boards' airings spread over the interval, not all at one instant */
			for (int i = 0; i < g.n; i++)
				g.b[i].next_release = t + g.every * (double)i / g.n;
			g.steady = 1;
			fprintf(stderr, "fleetgen: steady airings begin\n");
		}
		for (int i = 0; i < g.n; i++) {
			struct board *b = &g.b[i];
			int s;
			if (!b->up && !b->connecting && connecting < CONNECTING_MAX) {
				start(b);
				connecting += b->connecting;
			}
			pump(b, t);
			if ((s = mosquitto_socket(b->m)) < 0)
				continue;
			p[np] = (struct pollfd){ .fd = s, .events = (short)(POLLIN | (mosquitto_want_write(b->m) ? POLLOUT : 0)) };
			who[np++] = i;
		}
		if (poll(p, (nfds_t)np, 20) < 0 && errno != EINTR)
			die(strerror(errno));
		for (int k = 0; k < np; k++) {
			struct board *b = &g.b[who[k]];
			int was = b->connecting;
			if (p[k].revents & (POLLIN | POLLHUP | POLLERR))
				mosquitto_loop_read(b->m, 64);
			if ((p[k].revents & POLLOUT) || mosquitto_want_write(b->m))
				mosquitto_loop_write(b->m, 64);
			if (was && !b->connecting)
				connecting--;
		}
		if (t - last_misc >= 1) {
			last_misc = t;
			connecting = 0;
			for (int i = 0; i < g.n; i++) {
				mosquitto_loop_misc(g.b[i].m);
				connecting += g.b[i].connecting;
			}
		}
		if (t - last_report >= 10) {
			last_report = t;
			fprintf(stderr, "fleetgen: %.0f s: %d up, %lld published, %lld acked, lag p99 %ld ms\n", t - g.t0,
			    g.nup, g.published, g.acked, g.nlag ? pct(0.99) : 0L);
		}
	}
	/* a percentile is its 10 ms bucket's upper end, never above the largest lag seen */
	printf("lag %lld %.0f %.0f %.0f\n", g.nlag, g.nlag ? fmin((double)pct(0.5), g.lagmax) : 0, g.nlag ?
	    fmin((double)pct(0.99), g.lagmax) : 0, g.lagmax);
	printf("records %lld published %lld acked\n", g.published, g.acked);
	fflush(stdout);
	for (int i = 0; i < g.n; i++)
		if (g.b[i].m) {
			mosquitto_disconnect(g.b[i].m);
			mosquitto_loop_write(g.b[i].m, 8);
		}
	return 0;
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0)
		die("libsodium");
	if (argc >= 7 && strcmp(argv[1], "prepare") == 0)
		return prepare(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5], argv[6]);
	if (argc >= 4 && strcmp(argv[1], "run") == 0) {
		snprintf(g.dir, sizeof(g.dir), "%s", argv[2]);
		if ((g.n = atoi(argv[3])) < 1)
			die("N boards");
		return run(argc, argv);
	}
	fprintf(stderr, "usage: fleetgen prepare DIR N RECORDS CA.crt CA.key | fleetgen run DIR N --host H --port P "
	    "--ca F --province P --trust KEY [--first F] [--status S] [--initial K] [--every S] [--seconds T]\n");
	return 2;
}
