/*
 * loaxa collect: the office's side of the fleet. Subscribes (persistent
 * session, QoS 1) to every board's records and status in the province and
 * stores them in the fleet database (store.h), verifying each board's chain
 * as records arrive (scheduler/airlog.h airlog_chain_next: sequence, prev
 * hashes, structure, seals' signatures, and MACs with --seeds).
 *
 * Exactly once per (site, seq): a record is stored only as the next of its
 * board (seq = stored + 1); one already stored is a duplicate (the same
 * bytes: counted and dropped; other bytes: a fault, "a replay or a
 * rewritten log"); one beyond a gap is dropped and the board asked to send
 * again from the gap (`resend`). After each transaction commits, each board
 * that advanced gets its retained `ack` (the last seq stored and its hash):
 * that, not the broker's PUBACK, moves the board's cursor. So a broker that
 * dies with records it acknowledged, a collector that dies before its
 * commit, a board offline for a week: nothing is lost, nothing counted twice.
 *
 * One poll loop: the broker's socket, a signalfd (SIGTERM/SIGINT end after
 * the current transaction), a 1 s tick for keep-alive and reconnection.
 *
 * loaxa fleet status --db URL: one line per board: silent (no status for
 * --silent-minutes, 10 by default, or its will said offline), behind (log
 * records not yet stored), off schedule (compliance over the last 7 days
 * below 90 %, or missed airings), and the first verification fault; then
 * each board's last live acknowledgement (its status carries it).
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <mosquitto.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "base/date.h"
#include "base/log.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "config/sign.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"
#include "firmware/fleetmsg.h"
#include "office/office.h"
#include "office/store.h"
#include "scheduler/airlog.h"
#include "scheduler/logline.h"

#define U_COLLECT "collect [-c CFG] --db postgresql://...|sqlite:PATH {--seeds FILE --keys FILE | --insecure} [--broker URL] " \
	"[--ca F --cert F --key F] [--batch N]"
#define MAX_BATCH 5000

struct board {
	struct store_board	 b;
	struct airlog_chain	 ch;
	unsigned char		 seed[AIRLOG_SEED_LEN];
	int			 have_seed;
	unsigned char		 key[SIGN_PUB_LEN];
	int			 have_key;
	int			 dirty, advanced;
	long long		 nak_from;
	time_t			 nak_time;
};

struct msg {
	char	*topic, *payload;
	size_t	 len;
};

/* a record that came again: its bytes are compared with the stored ones at the end of the batch */
struct dup {
	char		 site[64];
	long long	 seq;
	const char	*line;		/* in the batch's message */
	size_t		 len;
};

struct col {
	struct store		*db;
	struct mosquitto	*m;
	const char		*province;
	struct board		**bs;
	int			 nb, capb;
	json_t			*seeds, *keys;	/* site -> hex seed / "ed25519:..." */
	struct msg		*q;
	int			 nq, capq;
	struct dup		*d;
	int			 nd, capd;
	int			 connected, stop;
	long long		 stored, dups, gaps, commits;
};

/*
 * The boards by site: an array of pointers kept sorted, a new one inserted
 * in place. (A board array sorted again after each new one cost O(n log n)
 * moves of kilobyte records per board: minutes for a fresh province of
 * 10,000.) A board stays where it was allocated.
 */
static struct board *
find(struct col *c, const char *site, int create)
{
	char key[sizeof(((struct store_board *)0)->site)];
	int lo = 0, hi = c->nb;
	struct board *b;

	snprintf(key, sizeof(key), "%s", site);	/* as it is kept */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2, k = strcmp(c->bs[mid]->b.site, key);
		if (k == 0)
			return c->bs[mid];
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!create)
		return NULL;
	if (c->nb == c->capb) {
		int cap = c->capb ? c->capb * 2 : 256;
		struct board **n = realloc(c->bs, (size_t)cap * sizeof(*n));
		if (n == NULL)
			return NULL;
		c->bs = n;
		c->capb = cap;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	snprintf(b->b.site, sizeof(b->b.site), "%s", key);
	snprintf(b->b.province, sizeof(b->b.province), "%s", c->province);
	snprintf(b->ch.site, sizeof(b->ch.site), "%s", key);
	memmove(&c->bs[lo + 1], &c->bs[lo], (size_t)(c->nb - lo) * sizeof(*c->bs));
	c->bs[lo] = b;
	c->nb++;
	return b;
}

static void
free_boards(struct col *c)
{
	for (int i = 0; i < c->nb; i++) {
		free(c->bs[i]->b.status);
		free(c->bs[i]);
	}
	c->nb = 0;
}

static void
board_secrets(struct col *c, struct board *b)
{
	const char *s = json_string_value(json_object_get(c->seeds, b->b.site));
	const char *k = json_string_value(json_object_get(c->keys, b->b.site));
	size_t got = 0;

	if (s && sodium_hex2bin(b->seed, sizeof(b->seed), s, strlen(s), NULL, &got, NULL) == 0 && got == sizeof(b->seed))
		b->have_seed = 1;
	if (k && cfg_parse_key(k, b->key) == 0)
		b->have_key = 1;
}

static int
load_board(void *arg, const struct store_board *fb)
{
	struct col *c = arg;
	struct board *b = find(c, fb->site, 1);

	if (b == NULL)
		return -1;
	b->b = *fb;
	b->b.status = NULL;
	b->ch.seq = fb->seq;
	b->ch.epoch = fb->epoch;
	b->ch.first_epoch = fb->first_epoch;
	b->ch.last_seal = fb->last_seal;
	if (fb->head[0])
		sodium_hex2bin(b->ch.head, sizeof(b->ch.head), fb->head, 64, NULL, NULL, NULL);
	if (fb->seal_key[0] && cfg_parse_key(fb->seal_key, b->ch.sealpk) == 0)
		b->ch.have_sealpk = 1;
	board_secrets(c, b);
	return 0;
}

/* "SITE VALUE" lines: seeds (64 hex) or device keys (ed25519:...) */
static json_t *
read_map(const char *path)
{
	FILE *fp = fopen(path, "re");
	char line[512], site[128], val[256];
	json_t *o;

	if (fp == NULL)
		return NULL;
	o = json_object();
	while (fgets(line, sizeof(line), fp))
		if (line[0] != '#' && sscanf(line, "%127s %255s", site, val) == 2)
			json_object_set_new(o, site, json_string(val));
	fclose(fp);
	explicit_bzero(line, sizeof(line));
	explicit_bzero(val, sizeof(val));
	return o;
}

static void
publish_json(struct col *c, const char *site, const char *leaf, int retain, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
publish_json(struct col *c, const char *site, const char *leaf, int retain, const char *fmt, ...)
{
	char topic[FMSG_TOPIC_MAX], buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (fmsg_topic(topic, sizeof(topic), c->province, site, leaf) == 0 && n > 0)
		mosquitto_publish(c->m, NULL, topic, n, buf, 1, retain);
}

static void
nak(struct col *c, struct board *b, long long from)
{
	time_t now = time(NULL);

	if (b->nak_from == from && now - b->nak_time < 10)
		return;
	b->nak_from = from;
	b->nak_time = now;
	c->gaps++;
	publish_json(c, b->b.site, "resend", 0, "{\"from\":%lld}", from);
}

static void
set_fault(struct board *b, long long seq, const char *what)
{
	if (b->b.fault[0])
		return;
	b->b.fault_seq = seq;
	snprintf(b->b.fault, sizeof(b->b.fault), "record %lld: %.400s", seq, what);
	log_warnx("%s: %s", b->b.site, b->b.fault);
}

#define DIFFERENT "arrived again with other content: a replay, or a log rewritten on the board"

static int
remember_dup(struct col *c, const struct board *b, long long seq, const char *line, size_t len)
{
	if (c->nd == c->capd) {
		int cap = c->capd ? c->capd * 2 : 256;
		struct dup *n = realloc(c->d, (size_t)cap * sizeof(*n));
		if (n == NULL)
			return -1;
		c->d = n;
		c->capd = cap;
	}
	snprintf(c->d[c->nd].site, sizeof(c->d[c->nd].site), "%s", b->b.site);
	c->d[c->nd].seq = seq;
	c->d[c->nd].line = line;
	c->d[c->nd].len = len;
	c->nd++;
	return 0;
}

static int
by_site_seq(const void *a, const void *b)
{
	const struct dup *x = a, *y = b;
	int k = strcmp(x->site, y->site);

	return k ? k : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
stored_line(void *arg, const char *site, long long seq, const char *line, size_t len)
{
	struct col *c = arg;
	struct dup key, *d;

	snprintf(key.site, sizeof(key.site), "%s", site);
	key.seq = seq;
	if ((d = bsearch(&key, c->d, (size_t)c->nd, sizeof(*c->d), by_site_seq)) == NULL)
		return 0;
	while (d > c->d && by_site_seq(d - 1, &key) == 0)
		d--;
	for (; d < c->d + c->nd && by_site_seq(d, &key) == 0; d++)
		if (d->len != len || memcmp(d->line, line, len) != 0) {
			struct board *b = find(c, site, 0);
			if (b)
				set_fault(b, seq, DIFFERENT);
		}
	return 0;
}

/* the batch's repeats against the stored records, in one query (a round trip each was the cost of a resend) */
static int
check_dups(struct col *c)
{
	const char **sites;
	long long *seqs;
	int rc = -1;

	if (c->nd == 0)
		return 0;
	qsort(c->d, (size_t)c->nd, sizeof(*c->d), by_site_seq);
	sites = malloc((size_t)c->nd * sizeof(*sites));
	seqs = malloc((size_t)c->nd * sizeof(*seqs));
	if (sites && seqs) {
		for (int i = 0; i < c->nd; i++) {
			sites[i] = c->d[i].site;
			seqs[i] = c->d[i].seq;
		}
		rc = store_lines(c->db, c->nd, sites, seqs, stored_line, c);
	}
	free(sites);
	free(seqs);
	return rc;
}

static int
on_record(struct col *c, struct board *b, const char *line, size_t len)
{
	/* yajl's event parser (scheduler/logline.h), not a jansson tree: that was a fifth of the collector's CPU */
	struct logline r;
	const char *type = NULL, *ts = NULL;
	long long seq = 0;
	char what[512], hex[65];
	int rc = 0, verified = 0;

	logline_init(&r);
	if (memchr(line, '\0', len) == NULL && logline_parse(&r, line, len) == 0) {
		type = logline_str(&r, "type");
		ts = logline_str(&r, "ts");
		if (logline_int(&r, "seq", &seq) < 0)
			seq = 0;
	}
	if (seq < 1 || type == NULL || ts == NULL) {
		log_warnx("%s: a message on the records topic is not a record: ignored", b->b.site);
		logline_free(&r);
		return 0;
	}
	if (seq <= b->b.seq) {		/* sent again: the same bytes, or not */
		c->dups++;
		b->b.duplicates++;
		b->dirty = 1;
		if (seq == b->b.seq) {	/* the head: its hash is here */
			airlog_line_hash(line, len, hex);
			if (strcmp(hex, b->b.head) != 0)
				set_fault(b, seq, DIFFERENT);
		} else if (remember_dup(c, b, seq, line, len) < 0)
			rc = -1;
		logline_free(&r);
		return rc;
	}
	if (seq > b->b.seq + 1) {	/* a gap: ask for it; this one comes again after it */
		nak(c, b, b->b.seq + 1);
		logline_free(&r);
		return 0;
	}
	if (b->b.fault[0] == '\0') {
		int v = airlog_chain_next(&b->ch, line, len, b->have_seed ? b->seed : NULL, b->have_key ?
		    (const unsigned char (*)[32])&b->key : NULL, b->have_key, what, sizeof(what));
		if (v != 0)
			set_fault(b, seq, what);
		else if (seq == 1)
			b->b.macs = b->have_seed;
		verified = v == 0;
	}
	if (store_add_record(c->db, b->b.site, seq, type, ts, line, len, (long long)time(NULL)) < 0)
		rc = -1;
	if (verified)	/* the chain has just hashed it */
		sodium_bin2hex(b->b.head, sizeof(b->b.head), b->ch.head, sizeof(b->ch.head));
	else
		airlog_line_hash(line, len, b->b.head);
	b->b.seq = seq;
	b->b.epoch = b->ch.epoch;
	b->b.first_epoch = b->ch.first_epoch;
	b->b.last_seal = b->ch.last_seal;
	if (b->ch.have_sealpk)
		sign_format_pub(b->ch.sealpk, b->b.seal_key);
	b->b.last_record = (long long)time(NULL);
	b->dirty = b->advanced = 1;
	c->stored++;
	logline_free(&r);
	return rc;
}

static int
on_status(struct col *c, struct board *b, const char *payload, size_t len)
{
	json_t *s = json_loadb(payload, len, 0, NULL);
	long long sent = json_integer_value(json_object_get(s, "sent_seq"));
	int rc;

	if (!json_is_object(s)) {
		json_decref(s);
		return 0;
	}
	/* records are delivered before the status published after them: what is missing was lost */
	if (sent > b->b.seq && strcmp(json_string_value(json_object_get(s, "state")) ?
	    json_string_value(json_object_get(s, "state")) : "", "offline") != 0)
		nak(c, b, b->b.seq + 1);
	/* the latest status of the batch goes with the board's row, at the end of the transaction */
	free(b->b.status);
	if ((b->b.status = strndup(payload, len)) == NULL)
		rc = -1;
	else {
		b->b.status_time = (long long)time(NULL);
		b->dirty = 1;
		rc = 0;
	}
	json_decref(s);
	return rc;
}

static void
on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct col *c = obj;
	struct msg *q;

	(void)m;
	if (c->nq == c->capq) {
		int cap = c->capq ? c->capq * 2 : 1024;
		if ((q = realloc(c->q, (size_t)cap * sizeof(*q))) == NULL)
			return;
		c->q = q;
		c->capq = cap;
	}
	q = &c->q[c->nq];
	q->topic = strdup(msg->topic);
	q->len = (size_t)msg->payloadlen;
	q->payload = malloc(q->len + 1);
	if (q->topic == NULL || q->payload == NULL)
		return;
	if (q->len > 0)		/* an empty message's payload is NULL */
		memcpy(q->payload, msg->payload, q->len);
	q->payload[q->len] = '\0';
	c->nq++;
}

static void
on_connect(struct mosquitto *m, void *obj, int rc)
{
	struct col *c = obj;
	char t[FMSG_TOPIC_MAX];

	if (rc != 0) {
		log_warnx("the broker refused the collector: %s", mosquitto_connack_string(rc));
		return;
	}
	c->connected = 1;
	log_info("connected; collecting province %s", c->province);
	fmsg_topic(t, sizeof(t), c->province, "+", "records");
	mosquitto_subscribe(m, NULL, t, 1);
	fmsg_topic(t, sizeof(t), c->province, "+", "status");
	mosquitto_subscribe(m, NULL, t, 1);
}

/* what arrived, in one transaction; then the acks */
static int
flush(struct col *c)
{
	int rc = 0;

	if (c->nq == 0)
		return 0;
	if (store_begin(c->db) < 0)
		rc = -1;
	for (int i = 0; i < c->nq && rc == 0; i++) {
		struct msg *q = &c->q[i];
		char *site = NULL;
		const char *leaf;
		struct board *b;
		if (fmsg_parse_topic(q->topic, c->province, &site, &leaf) < 0 || site == NULL ||
		    (b = find(c, site, 1)) == NULL) {
			free(site);
			continue;
		}
		if (b->b.seq == 0 && !b->have_seed && !b->have_key)
			board_secrets(c, b);
		if (strcmp(leaf, "records") == 0)
			rc = on_record(c, b, q->payload, q->len);
		else if (strcmp(leaf, "status") == 0)
			rc = on_status(c, b, q->payload, q->len);
		free(site);
	}
	if (rc == 0)
		rc = check_dups(c);
	c->nd = 0;
	if (rc == 0) {	/* every board the batch moved, in one statement (a round trip each was the cost) */
		const struct store_board **dirty = malloc((size_t)c->nb * sizeof(*dirty) + 1);
		int nd = 0;
		for (int i = 0; dirty && i < c->nb; i++)
			if (c->bs[i]->dirty)
				dirty[nd++] = &c->bs[i]->b;
		rc = dirty ? store_put_boards(c->db, dirty, nd) : -1;
		free(dirty);
	}
	for (int i = 0; i < c->nb; i++) {	/* stored or not, a status is not kept: the next one comes */
		free(c->bs[i]->b.status);
		c->bs[i]->b.status = NULL;
	}
	if (rc == 0 && store_commit(c->db) == 0) {
		c->commits++;
		for (int i = 0; i < c->nb; i++) {
			struct board *b = c->bs[i];
			if (b->advanced)
				publish_json(c, b->b.site, "ack", 1, "{\"seq\":%lld,\"head\":\"%s\"}", b->b.seq, b->b.head);
			b->dirty = b->advanced = 0;
		}
	} else {
		/* nothing of it is stored: forget the state the batch moved, and get it again from the boards */
		log_warnx("database: %s; the batch is asked for again", store_error(c->db));
		store_rollback(c->db);
		rc = -1;
	}
	for (int i = 0; i < c->nq; i++) {
		free(c->q[i].topic);
		free(c->q[i].payload);
	}
	c->nq = 0;
	return rc;
}

/* up to ms for a signal on sfd: SIGTERM and SIGINT stop the collector */
static void
wait_signal(struct col *c, int sfd, int ms)
{
	struct pollfd p = { .fd = sfd, .events = POLLIN };
	struct signalfd_siginfo si;

	if (poll(&p, 1, ms) == 1)
		while (read(sfd, &si, sizeof(si)) == sizeof(si))
			if (si.ssi_signo != SIGPIPE)
				c->stop = 1;
}

static int
reload_boards(struct col *c)
{
	free_boards(c);
	return store_boards(c->db, load_board, c) < 0 ? -1 : 0;
}

int
cmd_collect(int argc, char **argv)
{
	const char *cfgpath = cli_config_arg(&argc, argv);
	const char *dburl = NULL, *seeds = NULL, *keys = NULL, *broker = NULL, *ca = NULL, *cert = NULL, *key = NULL;
	char err[512], *host = NULL, id[128];
	struct col c = { 0 };
	struct cfg *cf;
	struct fmsg_tls tls;
	sigset_t mask;
	int port, sfd, rc = 1;
	long long last_log = 0;
	int insecure = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--insecure") == 0) {
			insecure = 1;
			continue;
		}
#define OPT(name, var) if (strcmp(a, name) == 0) { if (v == NULL) return cli_usage("collect", U_COLLECT, \
	_("%s needs a value"), a); var = v; i++; continue; }
		OPT("--db", dburl) OPT("--seeds", seeds) OPT("--keys", keys) OPT("--broker", broker) OPT("--ca", ca)
		OPT("--cert", cert) OPT("--key", key)
#undef OPT
		return cli_usage("collect", U_COLLECT, _("unexpected argument \"%s\""), a);
	}
	if (dburl == NULL)
		return cli_usage("collect", U_COLLECT, "%s", _("--db is needed"));
	if ((seeds == NULL || keys == NULL) && !insecure)
		return cli_usage("collect", U_COLLECT, "%s", _("give --keys FILE (each board's device key) and --seeds "
		    "FILE (each board's seed): without them the first seal key a site shows is trusted and no MAC is "
		    "checked, so a forged log would be stored as genuine; --insecure runs so anyway, in so many words"));
	log_init("loaxa collect", 0);
	if (insecure && (seeds == NULL || keys == NULL))
		log_warnx("%s", _("--insecure: running without the boards' keys or seeds; a site's first seal key is "
		    "trusted and MACs are not checked"));
	if ((cf = cli_load(cfgpath)) == NULL)
		return 2;
	if (!cf->fleet.present) {
		fprintf(stderr, _("loaxa collect: %s has no fleet group (broker, province, ca, cert, key)\n"), cfgpath);
		cfg_free(cf);
		return 2;
	}
	c.province = cf->fleet.province;
	if (fmsg_broker(broker ? broker : cf->fleet.broker, &host, &port) < 0) {
		fprintf(stderr, "loaxa collect: bad broker address\n");
		goto out;
	}
	if (seeds && (c.seeds = read_map(seeds)) == NULL) {
		fprintf(stderr, "loaxa collect: %s: %s\n", seeds, strerror(errno));
		goto out;
	}
	if (keys && (c.keys = read_map(keys)) == NULL) {
		fprintf(stderr, "loaxa collect: %s: %s\n", keys, strerror(errno));
		goto out;
	}
	if (sodium_init() < 0 || (c.db = store_open(dburl, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loaxa collect: %s\n", err);
		goto out;
	}
	if (reload_boards(&c) < 0) {
		fprintf(stderr, "loaxa collect: %s\n", store_error(c.db));
		goto out;
	}
	tls = (struct fmsg_tls){ ca ? ca : cf->fleet.ca, cert ? cert : cf->fleet.cert, key ? key : cf->fleet.key,
	    cf->fleet.password_file };
	/* a persistent session: the broker keeps what comes while the collector is down */
	snprintf(id, sizeof(id), "loaxa-collect-%s", c.province);
	if ((c.m = fmsg_client(id, 0, &tls, &c, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loaxa collect: %s\n", err);
		goto out;
	}
	mosquitto_int_option(c.m, MOSQ_OPT_RECEIVE_MAXIMUM, 1000);
	mosquitto_message_callback_set(c.m, on_message);
	mosquitto_connect_callback_set(c.m, on_connect);

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGPIPE);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	log_info("collecting into %s (%d boards known)", strncmp(dburl, "sqlite:", 7) == 0 ? dburl : "PostgreSQL", c.nb);
	printf("ready\n");
	fflush(stdout);
	while (!c.stop) {
		struct pollfd p[2];
		int n = 0, sock;

		if (!c.connected && mosquitto_socket(c.m) < 0) {
			int r = mosquitto_connect(c.m, host, port, 30);
			if (r != MOSQ_ERR_SUCCESS) {
				log_warnx("cannot connect to %s:%d: %s", host, port, r == MOSQ_ERR_ERRNO ? strerror(errno) :
				    mosquitto_strerror(r));
				wait_signal(&c, sfd, 1000);	/* a SIGTERM still ends it while the broker is away */
				continue;
			}
		}
		sock = mosquitto_socket(c.m);
		p[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (sock >= 0)
			p[n++] = (struct pollfd){ .fd = sock, .events = (short)(POLLIN | (mosquitto_want_write(c.m) ?
			    POLLOUT : 0)) };
		if (poll(p, (nfds_t)n, 1000) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			wait_signal(&c, sfd, 0);
		if (n > 1 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			/*
			 * everything the socket has now (libmosquitto reads what
			 * one TLS record holds per call: keep reading while more
			 * is waiting), then one transaction and one fsync for all
			 */
			int r = mosquitto_loop_read(c.m, MAX_BATCH);
			struct pollfd more = { .fd = sock, .events = POLLIN };
			while (r == MOSQ_ERR_SUCCESS && c.nq < MAX_BATCH && poll(&more, 1, 0) == 1 && (more.revents & POLLIN))
				r = mosquitto_loop_read(c.m, MAX_BATCH);
			if (r != MOSQ_ERR_SUCCESS) {
				log_warnx("connection lost: %s", mosquitto_strerror(r));
				c.connected = 0;
				flush(&c);
				mosquitto_disconnect(c.m);
				wait_signal(&c, sfd, 500);
				continue;
			}
		}
		if (flush(&c) < 0) {
			/* the database failed: drop the connection so that nothing is acknowledged as stored */
			reload_boards(&c);
			mosquitto_disconnect(c.m);
			c.connected = 0;
		}
		if (n > 1 && mosquitto_want_write(c.m))
			mosquitto_loop_write(c.m, 64);
		mosquitto_loop_misc(c.m);
		if (time(NULL) - last_log >= 60 && c.stored) {
			last_log = time(NULL);
			log_info("%lld records stored, %lld duplicates dropped, %lld gaps asked for", c.stored, c.dups, c.gaps);
		}
	}
	flush(&c);
	mosquitto_disconnect(c.m);
	log_info("stopped: %lld records stored in %lld transactions, %lld duplicates dropped, %lld gaps asked for",
	    c.stored, c.commits, c.dups, c.gaps);
	rc = 0;
out:
	if (c.m)
		mosquitto_destroy(c.m);
	store_close(c.db);
	json_decref(c.seeds);
	json_decref(c.keys);
	free_boards(&c);
	free(c.bs);
	free(c.q);
	free(c.d);
	free(host);
	cfg_free(cf);
	return rc;
}

/* --- loaxa fleet status ---------------------------------------------------- */

#define U_FLEET "fleet status [-c CFG] --db postgresql://...|sqlite:PATH [--silent-minutes N] [--days N] " \
	"[--serial N] [--json]"

struct week {
	long long	 airings, missed, failed;
};

static int
week_visit(void *arg, long long seq, const char *line, size_t len)
{
	struct week *w = arg;
	json_t *r = logline_load(line, len);
	const char *type = json_string_value(json_object_get(r, "type"));
	const char *outcome = json_string_value(json_object_get(r, "outcome"));

	(void)seq;
	if (type && strcmp(type, "airing") == 0) {
		w->airings++;
		if (outcome && strcmp(outcome, "failed") == 0)
			w->failed++;
	} else if (type && strcmp(type, "missed") == 0)
		w->missed++;
	json_decref(r);
	return 0;
}

struct fleetlist {
	struct store_board	*b;
	int			 n;
};

static int
keep_board(void *arg, const struct store_board *b)
{
	struct fleetlist *l = arg;
	struct store_board *n;

	if ((n = realloc(l->b, (size_t)(l->n + 1) * sizeof(*n))) == NULL)
		return -1;
	l->b = n;
	l->b[l->n] = *b;
	l->b[l->n].status = b->status ? strdup(b->status) : NULL;
	l->n++;
	return 0;
}

static void
add_problem(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
add_problem(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used && used + 2 < len) {
		memcpy(buf + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* s left-aligned in width columns, by display width (Vietnamese headers are multi-byte) */
static void
col(const char *s, int width)
{
	wchar_t w[256];
	size_t n = mbstowcs(w, s, 255);
	int dw = n == (size_t)-1 ? (int)strlen(s) : wcswidth(w, n);

	fputs(s, stdout);
	for (int i = dw < 0 ? (int)strlen(s) : dw; i <= width; i++)
		putchar(' ');
}

/*
 * One line per board the collector knows: SITE STATE SERIAL SEEN STORED/LOG
 * AIRINGS MISSED then what is wrong. STATE is a fixed word for scripts:
 * ok, silent, fault, off-schedule, behind (the worst first). Exit 0 when
 * every board is ok, 1 when some need attention, 2 on error.
 */
int
cmd_fleet(int argc, char **argv)
{
	const char *cfgpath = cli_config_arg(&argc, argv);
	const char *dburl = NULL, *v;
	long silent_min = 10, days = 7, want_serial = 0;
	int json = 0, bad = 0, rc = 0;
	struct fleetlist l = { 0 };
	struct store *db;
	char err[512], since[11];
	json_t *lives = json_object();	/* site -> its last live-ack, shown after the table */
	time_t now = cli_now();
	json_t *out = NULL;

	(void)cfgpath;	/* the database says it all; -c is taken for the same command line as collect */
	if (argc < 2 || strcmp(argv[1], "status") != 0)
		return cli_usage("fleet", U_FLEET, "%s", _("the only subcommand is status"));
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) {
			json = 1;
			continue;
		}
		if (v == NULL)
			return cli_usage("fleet", U_FLEET, _("unexpected argument \"%s\""), a);
		if (strcmp(a, "--db") == 0)
			dburl = v;
		else if (strcmp(a, "--silent-minutes") == 0 && (silent_min = strtol(v, NULL, 10)) > 0)
			;
		else if (strcmp(a, "--days") == 0 && (days = strtol(v, NULL, 10)) > 0)
			;
		else if (strcmp(a, "--serial") == 0 && (want_serial = strtol(v, NULL, 10)) > 0)
			;
		else
			return cli_usage("fleet", U_FLEET, _("unexpected argument \"%s\""), a);
		i++;
	}
	if (dburl == NULL)
		return cli_usage("fleet", U_FLEET, "%s", _("--db is needed"));
	if ((db = store_open(dburl, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loaxa fleet: %s\n", err);
		return 2;
	}
	if (store_boards(db, keep_board, &l) < 0) {
		fprintf(stderr, "loaxa fleet: %s\n", store_error(db));
		store_close(db);
		return 2;
	}
	date_format(cli_today() - (int32_t)days + 1, since);
	if (json)
		out = json_array();
	else
	{
		col(_("SITE"), 24);
		col(_("STATE"), 12);
		col(_("SERIAL"), 11);
		col(_("SEEN"), 12);
		col(_("STORED/LOG"), 14);
		col(_("AIRINGS"), 9);
		col(_("MISSED"), 7);
		printf("%s\n", _("PROBLEMS"));
	}
	for (int i = 0; i < l.n; i++) {
		struct store_board *b = &l.b[i];
		json_t *s = b->status ? json_loads(b->status, 0, NULL) : NULL;
		const char *st = json_string_value(json_object_get(s, "state"));
		const char *state = "ok";
		long long serial = json_integer_value(json_object_get(s, "serial"));
		long long logseq = json_integer_value(json_object_get(s, "log_seq"));
		long long age = b->status_time ? (long long)now - b->status_time : -1;
		json_t *push = json_object_get(s, "config_push");
		struct week w = { 0 };
		char problems[1024] = "", seen[32], stored[48], ser[24];
		int silent = 0, offsched = 0, behind = 0, fault = 0;

		if (store_records_since(db, b->site, since, week_visit, &w) < 0) {
			fprintf(stderr, "loaxa fleet: %s\n", store_error(db));
			rc = 2;
		}
		if (age < 0) {
			silent = 1;
			add_problem(problems, sizeof(problems), "%s", _("never sent a status"));
		} else if (age > silent_min * 60) {
			silent = 1;
			add_problem(problems, sizeof(problems), _("silent for %lld min"), age / 60);
		} else if (st && (strcmp(st, "offline") == 0 || strcmp(st, "stopped") == 0)) {
			silent = 1;
			add_problem(problems, sizeof(problems), strcmp(st, "offline") == 0 ?
			    _("lost its connection (the broker said so)") : _("its daemon stopped"));
		}
		if (b->fault[0]) {
			fault = 1;
			add_problem(problems, sizeof(problems), _("log fails verification: %s"), b->fault);
		}
		if (st && strcmp(st, "waiting-for-clock") == 0 && !silent) {
			offsched = 1;
			add_problem(problems, sizeof(problems), "%s", _("clock not synchronised: airs nothing timed"));
		}
		if (want_serial && serial && serial < want_serial) {
			offsched = 1;
			add_problem(problems, sizeof(problems), _("runs config %lld, not %ld"), serial, want_serial);
		}
		if (push && strcmp(json_string_value(json_object_get(push, "outcome")) ?
		    json_string_value(json_object_get(push, "outcome")) : "", "refused") == 0) {
			offsched = 1;
			add_problem(problems, sizeof(problems), _("refused the pushed config: %s"),
			    json_string_value(json_object_get(push, "message")) ? json_string_value(json_object_get(push,
			    "message")) : "");
		}
		if (w.missed || w.failed) {
			offsched = 1;
			add_problem(problems, sizeof(problems), _("%lld missed and %lld failed airings in %ld days"), w.missed,
			    w.failed, days);
		}
		if (logseq > b->seq) {
			behind = 1;
			add_problem(problems, sizeof(problems), _("%lld records not yet stored"), logseq - b->seq);
		}
		state = silent ? "silent" : fault ? "fault" : offsched ? "off-schedule" : behind ? "behind" : "ok";
		if (silent || fault || offsched)
			bad = 1;
		if (json) {
			json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "site", b->site, "state", state,
			    "serial", (json_int_t)serial, "status_age_s", (json_int_t)age, "stored_seq", (json_int_t)b->seq,
			    "log_seq", (json_int_t)logseq, "airings", (json_int_t)w.airings, "missed", (json_int_t)w.missed,
			    "problems", problems);
			if (o && b->fault[0])
				json_object_set_new(o, "fault", json_string(b->fault));
			if (o && json_is_object(json_object_get(s, "live")))
				json_object_set(o, "live", json_object_get(s, "live"));
			json_array_append_new(out, o);
		} else {
			if (age < 0)
				snprintf(seen, sizeof(seen), "-");
			else if (age < 120)
				snprintf(seen, sizeof(seen), _("%llds ago"), age);
			else if (age < 2 * 3600)
				snprintf(seen, sizeof(seen), _("%lldm ago"), age / 60);
			else
				snprintf(seen, sizeof(seen), _("%lldh ago"), age / 3600);
			snprintf(stored, sizeof(stored), "%lld/%lld", b->seq, logseq > b->seq ? logseq : b->seq);
			snprintf(ser, sizeof(ser), "%lld", serial);
			char na[24], nm[24];
			snprintf(na, sizeof(na), "%lld", w.airings);
			snprintf(nm, sizeof(nm), "%lld", w.missed);
			col(b->site, 24);
			col(state, 12);
			col(serial ? ser : "-", 11);
			col(seen, 12);
			col(stored, 14);
			col(na, 9);
			col(nm, 7);
			printf("%s\n", problems);
			if (json_is_object(json_object_get(s, "live")))
				json_object_set(lives, b->site, json_object_get(s, "live"));
		}
		json_decref(s);
		free(b->status);
	}
	if (!json && json_object_size(lives) > 0) {
		const char *site;
		json_t *a;
		char line[1200];
		printf("\n%s\n", _("Live commands, each board's last answer:"));
		json_object_foreach(lives, site, a) {
			office_live_ack_text(a, line, sizeof(line));
			printf("  %s %s\n", site, line);
		}
	}
	json_decref(lives);
	if (json) {
		char *text = json_dumps(out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(out);
	}
	free(l.b);
	store_close(db);
	return rc ? rc : bad ? 1 : 0;
}
