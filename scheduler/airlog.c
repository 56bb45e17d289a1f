/*
 * airlog: the airing log's writer, reader and verifier. airlog.h gives the
 * format, the key schedule and the writer's lifecycle. One piece (about 2,000
 * lines) because the three share the record's form, the chain and the epoch
 * keys: a change to what is written must change what is read and verified in
 * the same breath, and the fuzz target holds them to one definition.
 *
 * Contract: every write goes through durable, and a record is fsynced before
 * airlog_append() returns 0; -1 means the record is not in the log. Files
 * are never truncated or rewritten: what a failed write leaves is a torn
 * region that the next record acknowledges. Nothing here prints or exits.
 * The writer holds an exclusive flock on state_dir/airlog.lock while open;
 * readers and the verifier take no lock (the log is append-only) and read
 * each day's file whole into memory.
 *
 * The writer serialises a record with jansson (compact, insertion order),
 * cuts the final '}', and appends ,"mac":"<hex>"}: the MAC is over the bytes
 * as written, and the verifier checks it on the raw bytes, never on a
 * re-serialisation.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/durable.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "config/sign.h"
#include "scheduler/airlog.h"
#include "scheduler/logline.h"

#define HASH_LEN	32
#define HEX_LEN		64
#define MAC_TAIL	",\"mac\":\""
#define MAC_TAIL_LEN	8
#define MAC_SUFFIX_LEN	(MAC_TAIL_LEN + HEX_LEN + 2)	/* ,"mac":"<64 hex>"} */
#define TORN_MARK	"\"torn\":{"
#define SEAL_MARK	"\"type\":\"seal\""
#define KEY_LABEL	"loaxa-epoch-key"
#define STEP_LABEL	"loaxa-epoch-next"
#define STATE_FORMAT	"loaxa-seal-key-1"
#define DUMP_FLAGS	(JSON_COMPACT | JSON_PRESERVE_ORDER)

static const char *const types[] = { "boot", "shutdown", "config", "ingest", "airing", "missed", "relay", "live", "clock", "seal",
	NULL };
/* the common fields, in their order; then torn (optional), the type's, prev, mac */
static const char *const common[] = { "seq", "ts", "boot", "mono_ms", "clock", "type", "site", "epoch", NULL };

/* --- small helpers ------------------------------------------------------ */

/* a string member, or NULL */
static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
is_type(json_t *rec, const char *type)
{
	const char *t = str(rec, "type");

	return t != NULL && strcmp(t, type) == 0;
}

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
one_of(const char *s, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static void
to_hex(const unsigned char *b, char out[HEX_LEN + 1])
{
	sodium_bin2hex(out, HEX_LEN + 1, b, HASH_LEN);
}

/* 64 lower-case hex digits -> 32 bytes */
static int
from_hex(const char *s, unsigned char out[HASH_LEN])
{
	/* every record has two of these: a table, not sodium_hex2bin (this runs for each line a report reads) */
	static const unsigned char v[256] = {	/* digit value + 1; 0: not a lower-case hex digit */
		['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9,
		['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	};

	if (s == NULL)
		return -1;
	for (int i = 0; i < HASH_LEN; i++) {
		int hi = v[(unsigned char)s[2 * i]], lo;
		if (hi == 0 || (lo = v[(unsigned char)s[2 * i + 1]]) == 0)
			return -1;
		out[i] = (unsigned char)((hi - 1) << 4 | (lo - 1));
	}
	return s[HEX_LEN] == '\0' ? 0 : -1;
}

static void
line_hash(const char *line, size_t len, unsigned char out[HASH_LEN])
{
	crypto_generichash(out, HASH_LEN, (const unsigned char *)line, len, NULL, 0);
}

/* H(label || in), unkeyed BLAKE2b-256: the key schedule's one primitive */
static void
labelled_hash(unsigned char out[HASH_LEN], const char *label, const unsigned char *in, size_t inlen)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, HASH_LEN);
	crypto_generichash_update(&st, (const unsigned char *)label, strlen(label));
	crypto_generichash_update(&st, in, inlen);
	crypto_generichash_final(&st, out, HASH_LEN);
	sodium_memzero(&st, sizeof(st));
}

static void
key_first(const unsigned char seed[AIRLOG_SEED_LEN], unsigned char k[AIRLOG_KEY_LEN])
{
	labelled_hash(k, KEY_LABEL, seed, AIRLOG_SEED_LEN);
}

/* k <- the key n epochs (days) later */
static void
key_step(unsigned char k[AIRLOG_KEY_LEN], long long n)
{
	unsigned char t[AIRLOG_KEY_LEN];

	for (; n > 0; n--) {
		labelled_hash(t, STEP_LABEL, k, AIRLOG_KEY_LEN);
		memcpy(k, t, AIRLOG_KEY_LEN);
	}
	sodium_memzero(t, sizeof(t));
}

static void
record_mac(const unsigned char key[AIRLOG_KEY_LEN], const char *prefix, size_t len, unsigned char out[HASH_LEN])
{
	crypto_generichash(out, HASH_LEN, (const unsigned char *)prefix, len, key, AIRLOG_KEY_LEN);
}

size_t
airlog_seal_message(const char *site, long long count, const char *head_hex, char *buf, size_t len)
{
	int n = snprintf(buf, len, "loaxa-seal\n%s\n%lld\n%s\n", site, count, head_hex);

	return n < 0 ? 0 : (size_t)n;
}

void
airlog_file_name(int32_t day, char buf[17])
{
	char d[11];

	date_format(day, d);
	snprintf(buf, 17, "%.10s.jsonl", d);
}

static int
file_day(const char *name, int32_t *day)
{
	char d[11];

	if (strlen(name) != 16 || strcmp(name + 10, ".jsonl") != 0)
		return -1;
	memcpy(d, name, 10);
	d[10] = '\0';
	return date_parse(d, day);
}

static int
cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

int
airlog_files(const char *dir, int32_t **days, char *err, size_t errlen)
{
	DIR *d;
	struct dirent *e;
	int32_t *v = NULL, day;
	int n = 0, cap = 0;

	*days = NULL;
	if ((d = opendir(dir)) == NULL) {
		seterr(err, errlen, _("cannot read the airing log folder %s: %s"), dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (file_day(e->d_name, &day) < 0)
			continue;
		if (n == cap) {
			int32_t *nv;
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, (size_t)cap * sizeof(*v))) == NULL) {
				free(v);
				closedir(d);
				seterr(err, errlen, "%s", strerror(ENOMEM));
				return -1;
			}
			v = nv;
		}
		v[n++] = day;
	}
	closedir(d);
	if (n > 1)
		qsort(v, (size_t)n, sizeof(*v), cmp_day);
	*days = v;
	return n;
}

/* --- one file, split into lines, with its torn acknowledgments ------------ */

struct lref {
	size_t	 off, len;	/* len without the '\n' */
	int	 term;		/* ends with '\n' */
};

struct lfile {
	int32_t		 day;
	char		 name[17];
	char		*data;
	size_t		 len;
	struct lref	*l;
	long		 n;
	long		*ack;	/* per line: the line that acknowledges it as torn, or -1 */
	unsigned char	*hash;	/* per line: line_hash() of it, by the reader ahead (read_ahead); NULL: not made */
};

static void
lfile_free(struct lfile *lf)
{
	free(lf->data);
	free(lf->l);
	free(lf->ack);
	free(lf->hash);
	memset(lf, 0, sizeof(*lf));
}

/* is "torn":{ anywhere? Found by its '{' (memchr is many times faster than memmem, and readers ask for every file) */
static int
has_torn_mark(const char *data, size_t len)
{
	const size_t k = strlen(TORN_MARK);

	for (const char *p = data, *e = data + len; (p = memchr(p, '{', (size_t)(e - p))) != NULL; p++)
		if ((size_t)(p - data) >= k - 1 && memcmp(p - (k - 1), TORN_MARK, k) == 0)
			return 1;
	return 0;
}

/*
 * Marks acknowledged torn regions. A record with torn = {"line": L, ...} on
 * line i claims lines L..i-1. Claims are taken from the last line back: a
 * claim inside a later claim's region is itself part of that region (an
 * acknowledgment whose own write failed), not a claim.
 */
static void
mark_acks(struct lfile *lf)
{
	long lowest = lf->n;

	for (long i = 0; i < lf->n; i++)
		lf->ack[i] = -1;
	if (!has_torn_mark(lf->data, lf->len))
		return;	/* the usual file: no acknowledgment anywhere */
	for (long i = lf->n - 1; i > 0; i--) {
		const struct lref *r = &lf->l[i];
		json_t *rec, *t, *ln;
		long long first;

		if (!r->term || i >= lowest || memmem(lf->data + r->off, r->len, TORN_MARK, strlen(TORN_MARK)) == NULL)
			continue;
		if ((rec = logline_load(lf->data + r->off, r->len)) == NULL)
			continue;
		t = json_object_get(rec, "torn");
		ln = json_object_get(t, "line");
		first = json_is_integer(ln) ? json_integer_value(ln) : 0;
		json_decref(rec);
		if (first < 1 || first > i)
			continue;
		for (long j = (long)first - 1; j < i; j++)
			lf->ack[j] = i;
		lowest = (long)first - 1;
	}
}

static int
lfile_load(const char *dir, int32_t day, struct lfile *lf, char *err, size_t errlen)
{
	char path[PATH_MAX];
	long n = 0;

	memset(lf, 0, sizeof(*lf));
	lf->day = day;
	airlog_file_name(day, lf->name);
	snprintf(path, sizeof(path), "%s/%s", dir, lf->name);
	if (sign_read_file(path, &lf->data, &lf->len) < 0) {
		if (errno == ENOENT) {
			lf->data = NULL;
			lf->len = 0;
			return 0;
		}
		seterr(err, errlen, _("cannot read %s: %s"), path, strerror(errno));
		return -1;
	}
	for (const char *p = lf->data, *e = lf->data + lf->len; p < e; ) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		n++;
		p = nl ? nl + 1 : e;
	}
	lf->l = calloc((size_t)n + 1, sizeof(*lf->l));
	lf->ack = calloc((size_t)n + 1, sizeof(*lf->ack));
	if (lf->l == NULL || lf->ack == NULL) {
		lfile_free(lf);
		seterr(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	n = 0;
	for (const char *p = lf->data, *e = lf->data + lf->len; p < e; ) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		lf->l[n].off = (size_t)(p - lf->data);
		lf->l[n].len = (size_t)((nl ? nl : e) - p);
		lf->l[n].term = nl != NULL;
		n++;
		p = nl ? nl + 1 : e;
	}
	lf->n = n;
	mark_acks(lf);
	return 0;
}

/* a line the writer may continue from: complete, not torn, parsing as a record */
static json_t *
good_record(const struct lfile *lf, long i)
{
	const struct lref *r = &lf->l[i];
	json_t *rec;

	if (!r->term || lf->ack[i] >= 0)
		return NULL;
	if ((rec = logline_load(lf->data + r->off, r->len)) == NULL)
		return NULL;
	if (!json_is_object(rec) || !json_is_integer(json_object_get(rec, "seq")) ||
	    !json_is_string(json_object_get(rec, "epoch")) || !json_is_string(json_object_get(rec, "mac"))) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* the last good record before line `before` (of type `type` when not NULL) */
static long
find_last(const struct lfile *lf, long before, const char *type, json_t **out)
{
	for (long i = before - 1; i >= 0; i--) {
		const struct lref *r = &lf->l[i];
		json_t *rec;

		if (type && memmem(lf->data + r->off, r->len, SEAL_MARK, strlen(SEAL_MARK)) == NULL)
			continue;
		if ((rec = good_record(lf, i)) == NULL)
			continue;
		if (type && !is_type(rec, type)) {
			json_decref(rec);
			continue;
		}
		*out = rec;
		return i;
	}
	return -1;
}

/* a checkpoint object from a seal record; NULL when the seal lacks a field */
static json_t *
checkpoint_of(json_t *seal)
{
	json_t *cp;

	if (!json_is_string(json_object_get(seal, "site")) || !json_is_integer(json_object_get(seal, "count")) ||
	    !json_is_string(json_object_get(seal, "head")) || !json_is_string(json_object_get(seal, "ts")) ||
	    !json_is_string(json_object_get(seal, "key")) || !json_is_string(json_object_get(seal, "sig")))
		return NULL;
	cp = json_object();
	json_object_set(cp, "site", json_object_get(seal, "site"));
	json_object_set(cp, "seq", json_object_get(seal, "count"));
	json_object_set(cp, "head", json_object_get(seal, "head"));
	json_object_set(cp, "ts", json_object_get(seal, "ts"));
	json_object_set(cp, "key", json_object_get(seal, "key"));
	json_object_set(cp, "sig", json_object_get(seal, "sig"));
	return cp;
}

static int
checkpoint_text(json_t *cp, char **out)
{
	char *s = json_dumps(cp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size_t n;

	if (s == NULL)
		return -1;
	n = strlen(s);
	if ((*out = malloc(n + 2)) == NULL) {
		free(s);
		return -1;
	}
	memcpy(*out, s, n);
	memcpy(*out + n, "\n", 2);
	free(s);
	return 0;
}

/* scans back from the last file for the latest seal */
static int
latest_seal(const char *dir, const int32_t *days, int ndays, json_t **cp, char *err, size_t errlen)
{
	*cp = NULL;
	for (int i = ndays - 1; i >= 0 && *cp == NULL; i--) {
		struct lfile lf;
		json_t *rec;

		if (lfile_load(dir, days[i], &lf, err, errlen) < 0)
			return -1;
		if (find_last(&lf, lf.n, "seal", &rec) >= 0) {
			*cp = checkpoint_of(rec);
			json_decref(rec);
		}
		lfile_free(&lf);
	}
	return 0;
}

int
airlog_latest_checkpoint(const char *dir, char **json_out, char *err, size_t errlen)
{
	int32_t *days;
	int n, rc;
	json_t *cp;

	if ((n = airlog_files(dir, &days, err, errlen)) < 0)
		return -1;
	rc = latest_seal(dir, days, n, &cp, err, errlen);
	free(days);
	if (rc < 0)
		return -1;
	if (cp == NULL) {
		seterr(err, errlen, _("the airing log in %s has no seal yet"), dir);
		return -1;
	}
	rc = checkpoint_text(cp, json_out);
	json_decref(cp);
	return rc;
}

/* --- the writer ----------------------------------------------------------- */

/*
 * Beside the key, seal.key remembers the seal that closed the last epoch
 * (count, head) and the first record of the current one: a log whose tail
 * was deleted (today's file, or the last days' files with their seals) no
 * longer reaches them, which the writer then says in its next record.
 */
struct seal_memo {
	long long	 seal_count;		/* 0: nothing remembered */
	char		 seal_head[HEX_LEN + 1];
	long long	 epoch_first;		/* 0: not yet */
};

struct airlog {
	char		*dir, *state, *site;
	int		 lockfd;
	int		 durable;

	int		 fd;		/* the current epoch's file, or -1 */
	int32_t		 fday;
	off_t		 size;		/* end of its last good line */
	long		 nlines;	/* lines up to there */
	int		 torn;		/* bytes after `size` wait to be acknowledged */

	long long	 seq;		/* the last good record */
	unsigned char	 head[HASH_LEN];	/* its line's hash */
	int		 last_seal;

	char		 tail_site[64];	/* the last record's site */
	int32_t		 epoch;		/* DATE_NONE before the first record */
	unsigned char	 key[AIRLOG_KEY_LEN];
	unsigned char	 sk[SIGN_SEC_LEN];
	char		 pub[SIGN_PUB_TEXT];
	json_t		*cp;		/* the latest seal as a checkpoint */
	long long	 last_ts;	/* the latest synced record's ts in the tail file; 0: none */
	struct seal_memo memo;		/* what seal.key remembers of the log */
	int		 memo_pending;	/* the key moved on: note the epoch's first record */
	long long	 lost_after, lost_known;	/* records after lost_after were removed (seal.key saw lost_known) */
};

static void
state_path(const char *state, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", state, name);
}

static int
write_key_state(const char *state, int32_t epoch, const unsigned char key[AIRLOG_KEY_LEN],
    const struct seal_memo *memo, char *err, size_t errlen)
{
	char path[PATH_MAX], hex[HEX_LEN + 1], d[11];
	json_t *o = json_object();
	char *s;
	int rc;

	to_hex(key, hex);
	json_object_set_new(o, "format", json_string(STATE_FORMAT));
	if (epoch == DATE_NONE) {
		json_object_set_new(o, "epoch", json_null());
	} else {
		date_format(epoch, d);
		json_object_set_new(o, "epoch", json_string(d));
	}
	json_object_set_new(o, "key", json_string(hex));
	if (memo && memo->seal_count > 0) {
		json_object_set_new(o, "seal_count", json_integer(memo->seal_count));
		json_object_set_new(o, "seal_head", json_string(memo->seal_head));
		if (memo->epoch_first > 0)
			json_object_set_new(o, "epoch_first", json_integer(memo->epoch_first));
	}
	s = json_dumps(o, DUMP_FLAGS);
	json_decref(o);
	sodium_memzero(hex, sizeof(hex));
	if (s == NULL) {
		seterr(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	state_path(state, "seal.key", path, sizeof(path));
	{
		size_t n = strlen(s);
		char *t = malloc(n + 2);
		if (t == NULL) {
			sodium_memzero(s, n);
			free(s);
			seterr(err, errlen, "%s", strerror(ENOMEM));
			return -1;
		}
		memcpy(t, s, n);
		t[n] = '\n';
		rc = durable_atomic(path, t, n + 1, 0600);
		if (rc < 0)
			seterr(err, errlen, _("cannot write the sealing key %s: %s"), path, strerror(errno));
		sodium_memzero(t, n + 1);
		free(t);
		sodium_memzero(s, n);
		free(s);
	}
	return rc;
}

static int
read_key_state(const char *state, int32_t *epoch, unsigned char key[AIRLOG_KEY_LEN], struct seal_memo *memo,
    char *err, size_t errlen)
{
	char path[PATH_MAX], *text;
	size_t len;
	json_t *o, *e;
	int rc = -1;

	state_path(state, "seal.key", path, sizeof(path));
	if (sign_read_file(path, &text, &len) < 0) {
		if (errno == ENOENT)
			seterr(err, errlen, _("no sealing key (%s): the airing log was never set up on this board; "
			    "run `loaxa log init` once"), path);
		else
			seterr(err, errlen, _("cannot read the sealing key %s: %s"), path, strerror(errno));
		return -1;
	}
	o = json_loadb(text, len, 0, NULL);
	sodium_memzero(text, len);
	free(text);
	e = json_object_get(o, "epoch");
	if (o == NULL || !json_is_string(json_object_get(o, "format")) ||
	    strcmp(json_string_value(json_object_get(o, "format")), STATE_FORMAT) != 0 ||
	    from_hex(json_string_value(json_object_get(o, "key")), key) < 0 ||
	    !(json_is_null(e) || (json_is_string(e) && date_parse(json_string_value(e), epoch) == 0))) {
		seterr(err, errlen, _("the sealing key %s is damaged"), path);
		goto out;
	}
	if (json_is_null(e))
		*epoch = DATE_NONE;
	if (memo) {
		const char *head = json_string_value(json_object_get(o, "seal_head"));
		memset(memo, 0, sizeof(*memo));
		if (json_integer_value(json_object_get(o, "seal_count")) > 0 && head && strlen(head) == HEX_LEN) {
			memo->seal_count = json_integer_value(json_object_get(o, "seal_count"));
			memcpy(memo->seal_head, head, HEX_LEN + 1);
			memo->epoch_first = json_integer_value(json_object_get(o, "epoch_first"));
		}
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

int
airlog_init(const char *state_dir, char seed_hex_out[65], char *pub_out, size_t publen, char *err, size_t errlen)
{
	static const char *const names[] = { "seal.key", "device.key", "device.pub", NULL };
	unsigned char seed[AIRLOG_SEED_LEN], k0[AIRLOG_KEY_LEN];
	char path[PATH_MAX], sec[PATH_MAX], pub[SIGN_PUB_TEXT];
	int rc;

	if (sodium_init() < 0) {
		seterr(err, errlen, "%s", _("libsodium could not start"));
		return -1;
	}
	if (durable_mkdirs(state_dir, 0700) < 0) {
		seterr(err, errlen, _("cannot create %s: %s"), state_dir, strerror(errno));
		return -1;
	}
	for (int i = 0; names[i]; i++) {
		state_path(state_dir, names[i], path, sizeof(path));
		if (access(path, F_OK) == 0) {
			seterr(err, errlen, _("%s already exists: the airing log is already set up on this board, and "
			    "its keys are never replaced (a new seed would make the old log unverifiable)"), path);
			return -1;
		}
	}
	state_path(state_dir, "device.key", sec, sizeof(sec));
	state_path(state_dir, "device.pub", path, sizeof(path));
	if (sign_keygen(sec, path, pub, err, errlen) < 0)
		return -1;
	randombytes_buf(seed, sizeof(seed));
	key_first(seed, k0);
	rc = write_key_state(state_dir, DATE_NONE, k0, NULL, err, errlen);
	if (rc == 0) {
		sodium_bin2hex(seed_hex_out, 65, seed, sizeof(seed));
		snprintf(pub_out, publen, "%s", pub);
	}
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(k0, sizeof(k0));
	return rc;
}

/* the ts of the last good synced record before line `before`; 0 when none */
static long long
last_synced_ts(const struct lfile *lf, long before)
{
	static const char mark[] = "\"clock\":\"synced\"";

	for (long i = before - 1; i >= 0; i--) {
		const struct lref *r = &lf->l[i];
		json_t *rec;
		long long t = 0;

		if (memmem(lf->data + r->off, r->len, mark, sizeof(mark) - 1) == NULL ||
		    (rec = good_record(lf, i)) == NULL)
			continue;
		if (strcmp(str(rec, "clock") ? str(rec, "clock") : "", "synced") != 0 ||
		    date_parse_ts(str(rec, "ts"), &t, NULL) < 0)
			t = -1;
		json_decref(rec);
		if (t >= 0)
			return t;
	}
	return 0;
}

/* where the writer continues in a file: the end of its last good line */
static int
tail_of(const char *dir, int32_t day, off_t *size, long *nlines, off_t *flen, char *err, size_t errlen)
{
	struct lfile lf;
	json_t *rec;
	long g;

	if (lfile_load(dir, day, &lf, err, errlen) < 0)
		return -1;
	g = find_last(&lf, lf.n, NULL, &rec);
	if (g >= 0)
		json_decref(rec);
	*size = g >= 0 ? (off_t)(lf.l[g].off + lf.l[g].len + 1) : 0;
	*nlines = g + 1;
	*flen = (off_t)lf.len;
	lfile_free(&lf);
	return 0;
}

static void
take_tail(struct airlog *h, const struct lfile *lf, long g, json_t *rec)
{
	const char *ep = json_string_value(json_object_get(rec, "epoch"));
	int32_t e;

	h->seq = json_integer_value(json_object_get(rec, "seq"));
	snprintf(h->tail_site, sizeof(h->tail_site), "%s", str(rec, "site") ? str(rec, "site") : "");
	line_hash(lf->data + lf->l[g].off, lf->l[g].len, h->head);
	h->epoch = date_parse(ep, &e) == 0 ? e : DATE_NONE;
	h->last_seal = is_type(rec, "seal");
}

/* reads the tail of the log: the last good record, the latest seal, the first and last files */
static int
scan_log(struct airlog *h, int32_t *first_day, int32_t *tail_day, char *err, size_t errlen)
{
	int32_t *days;
	int n, found = 0;
	char path[PATH_MAX];
	struct stat st;

	*first_day = *tail_day = DATE_NONE;
	if ((n = airlog_files(h->dir, &days, err, errlen)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char name[17];
		airlog_file_name(days[i], name);
		snprintf(path, sizeof(path), "%s/%s", h->dir, name);
		if (stat(path, &st) == 0 && st.st_size > 0) {
			*first_day = days[i];
			break;
		}
	}
	for (int i = n - 1; i >= 0; i--) {
		struct lfile lf;
		json_t *rec;
		long g, from;

		if (lfile_load(h->dir, days[i], &lf, err, errlen) < 0) {
			free(days);
			return -1;
		}
		if (lf.len == 0) {
			lfile_free(&lf);
			continue;
		}
		if (*tail_day == DATE_NONE)
			*tail_day = days[i];
		from = lf.n;
		if (!found && (g = find_last(&lf, lf.n, NULL, &rec)) >= 0) {
			found = 1;
			take_tail(h, &lf, g, rec);
			h->last_ts = last_synced_ts(&lf, g + 1);
			if (h->last_seal)
				h->cp = checkpoint_of(rec);
			json_decref(rec);
			from = g;
		}
		if (found && h->cp == NULL && find_last(&lf, from, "seal", &rec) >= 0) {
			h->cp = checkpoint_of(rec);
			json_decref(rec);
		}
		lfile_free(&lf);
		if (found && h->cp != NULL)
			break;
	}
	free(days);
	if (!found)
		h->epoch = DATE_NONE;
	return 0;
}

static int
lock_log(struct airlog *h, char *err, size_t errlen)
{
	char path[PATH_MAX];

	state_path(h->state, "airlog.lock", path, sizeof(path));
	if ((h->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		seterr(err, errlen, _("cannot open %s: %s"), path, strerror(errno));
		return -1;
	}
	if (flock(h->lockfd, LOCK_EX | LOCK_NB) < 0) {
		int saved = errno;
		seterr(err, errlen, saved == EWOULDBLOCK ? _("the airing log is held by another process (is loaxad "
		    "running?): %s is locked") : _("cannot lock %s: %s"), path, strerror(saved));
		errno = saved;
		return -1;
	}
	return 0;
}

/* does the log still reach what seal.key remembers? If not, the next record says what was lost */
static void
check_memo(struct airlog *h)
{
	long long known = 0;

	if (h->memo.seal_count <= 0)
		return;		/* a state file from before the memo, or no epoch closed yet */
	if (h->seq < h->memo.seal_count + 1)
		known = h->memo.seal_count + 1;	/* the seal itself is gone */
	if (h->memo.epoch_first > 0 && h->seq < h->memo.epoch_first && h->memo.epoch_first > known)
		known = h->memo.epoch_first;	/* the current epoch's records are gone */
	if (known > 0) {
		h->lost_after = h->seq;
		h->lost_known = known;
	}
}

struct airlog *
airlog_open(const char *dir, const char *state_dir, const char *site, char *err, size_t errlen)
{
	struct airlog *h;
	char path[PATH_MAX], d1[11], d2[11];
	int32_t key_epoch, first_day, tail_day, log_epoch;
	int saved = 0;

	if (sodium_init() < 0) {
		seterr(err, errlen, "%s", _("libsodium could not start"));
		return NULL;
	}
	if (site == NULL || *site == '\0') {
		seterr(err, errlen, "%s", _("no site id for the airing log"));
		errno = EINVAL;
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->fd = h->lockfd = -1;
	h->durable = 1;
	h->fday = h->epoch = DATE_NONE;
	h->dir = strdup(dir);
	h->state = strdup(state_dir);
	h->site = strdup(site);
	if (h->dir == NULL || h->state == NULL || h->site == NULL)
		goto fail;
	if (durable_mkdirs(dir, 0755) < 0) {
		saved = errno;
		seterr(err, errlen, _("cannot create the airing log folder %s: %s"), dir, strerror(errno));
		goto fail;
	}
	state_path(state_dir, "seal.key", path, sizeof(path));
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		seterr(err, errlen, _("no sealing key (%s): the airing log was never set up on this board; "
		    "run `loaxa log init` once"), path);
		goto fail;
	}
	if (lock_log(h, err, errlen) < 0) {
		saved = errno;
		goto fail;
	}
	if (read_key_state(state_dir, &key_epoch, h->key, &h->memo, err, errlen) < 0)
		goto fail;
	state_path(state_dir, "device.key", path, sizeof(path));
	if (sign_load_secret(path, h->sk, err, errlen) < 0)
		goto fail;
	sign_format_pub(h->sk + 32, h->pub);
	if (scan_log(h, &first_day, &tail_day, err, errlen) < 0)
		goto fail;
	log_epoch = h->epoch;
	if (log_epoch != DATE_NONE && strcmp(h->tail_site, site) != 0) {
		seterr(err, errlen, _("the airing log in %s belongs to site \"%s\", not \"%s\": check site.id and "
		    "paths.airlog in the configuration"), dir, h->tail_site, site);
		goto fail;
	}

	/* the key state and the log must agree; see airlog.h for why each case can (not) happen */
	if (key_epoch == DATE_NONE) {
		if (log_epoch != DATE_NONE && first_day != log_epoch) {
			seterr(err, errlen, _("the sealing key in %s is the install key, but the log in %s runs over "
			    "several days: seal.key was replaced by an old copy; restore the board's own seal.key"),
			    state_dir, dir);
			goto fail;
		}
	} else if (log_epoch == DATE_NONE) {
		date_format(key_epoch, d1);
		seterr(err, errlen, _("the sealing key has reached %s but the airing log in %s has no records: the "
		    "log was removed or moved; put it back"), d1, dir);
		goto fail;
	} else if (key_epoch < log_epoch) {
		key_step(h->key, (long long)log_epoch - key_epoch);	/* an older seal.key still derives it */
	} else {
		h->epoch = key_epoch;
		check_memo(h);
	}
	if (tail_day != DATE_NONE) {
		off_t size, flen;
		long nlines;

		if (tail_of(dir, tail_day, &size, &nlines, &flen, err, errlen) < 0)
			goto fail;
		if (flen > size) {
			if (h->epoch == DATE_NONE)
				h->epoch = tail_day;
			if (tail_day != h->epoch) {
				airlog_file_name(tail_day, path);
				date_format(h->epoch, d2);
				seterr(err, errlen, _("%s/%s ends in an unfinished write, but the log's epoch is already "
				    "%s, whose key cannot acknowledge it; the log was changed by hand"), dir, path, d2);
				goto fail;
			}
			h->torn = 1;
		}
	}
	return h;
fail:
	airlog_close(h);
	/* EWOULDBLOCK tells the caller another writer holds the log: only then */
	errno = saved ? saved : EPROTO;
	return NULL;
}

int
airlog_lost(const struct airlog *h, long long *after, long long *known)
{
	if (h->lost_known <= 0)
		return 0;
	*after = h->lost_after;
	*known = h->lost_known;
	return 1;
}

int
airlog_torn(const struct airlog *h)
{
	return h->torn;
}

long long
airlog_last_seq(const struct airlog *h)
{
	return h->seq;
}

void
airlog_set_durable(struct airlog *h, int durable)
{
	h->durable = durable;
}

int
airlog_checkpoint(const struct airlog *h, char **json_out)
{
	if (h->cp == NULL)
		return -1;
	return checkpoint_text(h->cp, json_out);
}

void
airlog_close(struct airlog *h)
{
	if (h == NULL)
		return;
	if (h->fd >= 0)
		close(h->fd);
	if (h->lockfd >= 0)
		close(h->lockfd);
	sodium_memzero(h->key, sizeof(h->key));
	sodium_memzero(h->sk, sizeof(h->sk));
	json_decref(h->cp);
	free(h->dir);
	free(h->state);
	free(h->site);
	free(h);
}

/* opens the file of epoch `day` for appending, and finds where its good lines end */
static int
use_file(struct airlog *h, int32_t day, char *err, size_t errlen)
{
	char name[17], path[PATH_MAX];
	off_t size, flen;
	long nlines;
	struct stat st;

	if (h->fd >= 0 && h->fday == day)
		return 0;
	if (h->fd >= 0 && h->torn) {
		/* cannot happen: a seal in this file acknowledges the region before the epoch moves on */
		seterr(err, errlen, "%s", _("internal error: a torn write would be left behind in a closed epoch"));
		return -1;
	}
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	airlog_file_name(day, name);
	snprintf(path, sizeof(path), "%s/%s", h->dir, name);
	if ((h->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		seterr(err, errlen, _("cannot open %s: %s"), path, strerror(errno));
		return -1;
	}
	/* a new file's name must be on disk before a record in it counts as written */
	if (fstat(h->fd, &st) < 0 || (st.st_size == 0 && durable_fsync_dir(h->dir) < 0)) {
		seterr(err, errlen, _("cannot open %s: %s"), path, strerror(errno));
		close(h->fd);
		h->fd = -1;
		return -1;
	}
	if (tail_of(h->dir, day, &size, &nlines, &flen, err, errlen) < 0) {
		close(h->fd);
		h->fd = -1;
		return -1;
	}
	h->fday = day;
	h->size = size;
	h->nlines = nlines;
	h->torn = flen > size;
	return 0;
}

/* the torn region [h->size, end): its byte count without a final '\n', hash, line count, final byte */
static int
torn_region(struct airlog *h, off_t end, long long *bytes, unsigned char hash[HASH_LEN], long *lines, int *ends_nl)
{
	crypto_generichash_state st;
	char buf[65536];
	off_t off = h->size;
	long nl = 0;
	char last = '\n';

	crypto_generichash_init(&st, NULL, 0, HASH_LEN);
	while (off < end) {
		size_t want = (size_t)(end - off) < sizeof(buf) ? (size_t)(end - off) : sizeof(buf);
		ssize_t r = pread(h->fd, buf, want, off);
		size_t use;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		for (ssize_t i = 0; i < r; i++)
			nl += buf[i] == '\n';
		last = buf[r - 1];
		use = (size_t)r;
		if (off + r == end && last == '\n')
			use--;	/* the region's own terminator is not part of it */
		crypto_generichash_update(&st, (unsigned char *)buf, use);
		off += r;
	}
	crypto_generichash_final(&st, hash, HASH_LEN);
	*ends_nl = last == '\n';
	*bytes = (long long)(end - h->size) - (*ends_nl ? 1 : 0);
	*lines = nl + (*ends_nl ? 0 : 1);
	return 0;
}

static json_t *
seal_fields(struct airlog *h)
{
	char head[HEX_LEN + 1], msg[512], b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	unsigned char sig[SIGN_SIG_LEN];
	size_t n;
	json_t *o = json_object();

	to_hex(h->head, head);
	n = airlog_seal_message(h->site, h->seq, head, msg, sizeof(msg));
	crypto_sign_detached(sig, NULL, (unsigned char *)msg, n, h->sk);
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	json_object_set_new(o, "count", json_integer(h->seq));
	json_object_set_new(o, "head", json_string(head));
	json_object_set_new(o, "sig", json_string(b64));
	json_object_set_new(o, "key", json_string(h->pub));
	return o;
}

/* builds, writes and fsyncs one record in epoch `epoch`'s file */
static int
write_record(struct airlog *h, const char *type, json_t *fields, const struct airlog_clock *clk, int32_t epoch,
    long long *seq_out, char *err, size_t errlen)
{
	char ts[DATE_TS_LEN], ep[11], hex[HEX_LEN + 1], name[17];
	unsigned char mac[HASH_LEN], hash[HASH_LEN];
	json_t *o, *own = NULL;
	char *s = NULL, *buf = NULL;
	size_t slen, blen = 0;
	struct stat st;
	long long tbytes = 0;
	long tlines = 0;
	int ends_nl = 1, torn, rc = -1, ok;
	const char *k;
	json_t *v;

	if (use_file(h, epoch, err, errlen) < 0)
		return -1;
	airlog_file_name(epoch, name);
	if (fstat(h->fd, &st) < 0) {
		seterr(err, errlen, _("cannot read %s/%s: %s"), h->dir, name, strerror(errno));
		return -1;
	}
	if (st.st_size < h->size) {
		seterr(err, errlen, _("%s/%s is shorter than what was written to it (%lld bytes, was %lld): the log "
		    "was cut while it was open; not writing to it"), h->dir, name, (long long)st.st_size,
		    (long long)h->size);
		return -1;
	}
	torn = st.st_size > h->size;
	if (torn && torn_region(h, st.st_size, &tbytes, hash, &tlines, &ends_nl) < 0) {
		seterr(err, errlen, _("cannot read %s/%s: %s"), h->dir, name, strerror(errno));
		return -1;
	}
	if (strcmp(type, "seal") == 0)
		fields = own = seal_fields(h);

	o = json_object();
	date_format_ts(clk->realtime_s, clk->gmtoff, ts);
	date_format(epoch, ep);
	ok = json_object_set_new(o, "seq", json_integer(h->seq + 1)) == 0 &&
	    json_object_set_new(o, "ts", json_string(ts)) == 0 &&
	    json_object_set_new(o, "boot", json_string(clk->boot_id ? clk->boot_id : "")) == 0 &&
	    json_object_set_new(o, "mono_ms", json_integer(clk->mono_ms)) == 0 &&
	    json_object_set_new(o, "clock", json_string(clk->synced ? "synced" : "unsynced")) == 0 &&
	    json_object_set_new(o, "type", json_string(type)) == 0 &&
	    json_object_set_new(o, "site", json_string(h->site)) == 0 &&
	    json_object_set_new(o, "epoch", json_string(ep)) == 0;
	if (ok && torn) {
		json_t *t = json_object();
		to_hex(hash, hex);
		json_object_set_new(t, "line", json_integer(h->nlines + 1));
		json_object_set_new(t, "bytes", json_integer(tbytes));
		json_object_set_new(t, "hash", json_string(hex));
		ok = json_object_set_new(o, "torn", t) == 0;
	}
	if (ok && h->lost_known > 0 && strcmp(type, "seal") != 0)
		ok = json_object_set_new(o, "lost", json_pack("{s:I, s:I}", "after", (json_int_t)h->lost_after,
		    "known", (json_int_t)h->lost_known)) == 0;
	if (ok && fields)
		json_object_foreach(fields, k, v)
			if (json_object_set(o, k, v) < 0)
				ok = 0;
	to_hex(h->head, hex);
	if (ok)
		ok = json_object_set_new(o, "prev", json_string(hex)) == 0;
	if (ok)
		s = json_dumps(o, DUMP_FLAGS);
	json_decref(o);
	json_decref(own);
	if (s == NULL) {
		seterr(err, errlen, "%s", _("cannot build the record (a value is not valid UTF-8?)"));
		return -1;
	}
	slen = strlen(s);
	if ((buf = malloc(slen + MAC_SUFFIX_LEN + 3)) == NULL) {
		free(s);
		seterr(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	if (!ends_nl)
		buf[blen++] = '\n';	/* ends the torn fragment; the fragment stays */
	memcpy(buf + blen, s, slen - 1);	/* without the final '}' */
	blen += slen - 1;
	record_mac(h->key, s, slen - 1, mac);
	to_hex(mac, hex);
	memcpy(buf + blen, MAC_TAIL, MAC_TAIL_LEN);
	blen += MAC_TAIL_LEN;
	memcpy(buf + blen, hex, HEX_LEN);
	blen += HEX_LEN;
	memcpy(buf + blen, "\"}\n", 3);
	blen += 3;

	if (durable_write(h->fd, buf, blen) < 0 || (h->durable && durable_fsync(h->fd) < 0)) {
		int saved = errno;
		struct stat after;
		/* whatever reached the file is now a torn region for the next record to acknowledge */
		if (fstat(h->fd, &after) == 0 && after.st_size > h->size)
			h->torn = 1;
		seterr(err, errlen, _("cannot write the airing log %s/%s: %s"), h->dir, name, strerror(saved));
		errno = saved;
		goto out;
	}
	line_hash(buf + (ends_nl ? 0 : 1), blen - (ends_nl ? 1 : 2), h->head);
	h->seq++;
	h->nlines += (torn ? tlines : 0) + 1;
	h->size = st.st_size + (off_t)blen;
	h->torn = 0;
	h->last_seal = own != NULL;
	if (clk->synced)
		h->last_ts = clk->realtime_s;
	if (!own && h->lost_known > 0) {	/* said once, in this record: remember the log as it is now */
		h->lost_known = 0;
		memset(&h->memo, 0, sizeof(h->memo));
		if (h->cp) {
			h->memo.seal_count = json_integer_value(json_object_get(h->cp, "seq"));
			snprintf(h->memo.seal_head, sizeof(h->memo.seal_head), "%s", str(h->cp, "head") ? str(h->cp, "head") : "");
			h->memo.epoch_first = h->seq;
		}
		h->memo_pending = 0;
		write_key_state(h->state, h->epoch, h->key, &h->memo, NULL, 0);
	}
	if (!own && h->memo_pending) {	/* the epoch's first record: seal.key remembers it (best effort) */
		h->memo.epoch_first = h->seq;
		h->memo_pending = 0;
		write_key_state(h->state, h->epoch, h->key, &h->memo, NULL, 0);
	}
	if (own) {
		json_t *rec = json_loadb(buf + (ends_nl ? 0 : 1), blen - (ends_nl ? 1 : 2), 0, NULL);
		json_t *cp = checkpoint_of(rec);
		if (cp) {
			json_decref(h->cp);
			h->cp = cp;
		}
		json_decref(rec);
	}
	if (seq_out)
		*seq_out = h->seq;
	rc = 0;
out:
	free(s);
	free(buf);
	return rc;
}

/* the key of epoch `to`, stored before it is used; the old one is gone from the state file */
static int
advance_key(struct airlog *h, int32_t to, char *err, size_t errlen)
{
	unsigned char k[AIRLOG_KEY_LEN];

	memcpy(k, h->key, sizeof(k));
	key_step(k, (long long)to - h->epoch);
	if (h->cp) {	/* the seal that closes the epoch: the log must keep reaching it */
		h->memo.seal_count = json_integer_value(json_object_get(h->cp, "seq"));
		snprintf(h->memo.seal_head, sizeof(h->memo.seal_head), "%s", str(h->cp, "head") ? str(h->cp, "head") : "");
		h->memo.epoch_first = 0;
		h->memo_pending = 1;
	}
	if (write_key_state(h->state, to, k, &h->memo, err, errlen) < 0) {
		int32_t on_disk;
		unsigned char dk[AIRLOG_KEY_LEN];
		/*
		 * The rename may have happened before the failure (the folder's
		 * fsync failed): then the file holds the new key, and the writer
		 * must follow it, or a restart would find records of the old epoch
		 * written after the key moved on.
		 */
		if (read_key_state(h->state, &on_disk, dk, NULL, NULL, 0) == 0 && on_disk == to &&
		    sodium_memcmp(dk, k, sizeof(k)) == 0) {
			memcpy(h->key, k, sizeof(k));
			h->epoch = to;
		}
		sodium_memzero(dk, sizeof(dk));
		sodium_memzero(k, sizeof(k));
		return -1;
	}
	memcpy(h->key, k, sizeof(k));
	sodium_memzero(k, sizeof(k));
	h->epoch = to;
	return 0;
}

static int
append(struct airlog *h, const char *type, json_t *fields, const struct airlog_clock *given, long long *seq_out,
    char *err, size_t errlen)
{
	int32_t day = date_local_day(given->realtime_s, given->gmtoff);
	struct airlog_clock c = *given, *clk = &c;

	/*
	 * Sealed time moves forward: a clock that reads before the epoch's day
	 * or before the last synced record is wrong one way or the other, and
	 * what it dates is written as unsynced (the verifier holds synced
	 * records to their epoch and to order).
	 */
	if (c.synced && h->epoch != DATE_NONE && (day < h->epoch || c.realtime_s < h->last_ts))
		c.synced = 0;

	if (h->epoch == DATE_NONE)
		h->epoch = day;		/* the first record's day, synced or not: k(first) is its key */
	if (clk->synced && day > h->epoch) {
		if (h->seq == 0 && !h->torn) {
			h->epoch = day;	/* nothing written under the first key yet */
		} else {
			/* a seal closes the old epoch (unless one already does), then the key moves on */
			if ((!h->last_seal || h->torn) &&
			    write_record(h, "seal", NULL, clk, h->epoch, NULL, err, errlen) < 0)
				return -1;
			if (advance_key(h, day, err, errlen) < 0)
				return -1;
		}
	}
	return write_record(h, type, fields, clk, h->epoch, seq_out, err, errlen);
}

int
airlog_append(struct airlog *h, const char *type, json_t *fields, const struct airlog_clock *clk,
    long long *seq_out, char *err, size_t errlen)
{
	const char *k;
	json_t *v;

	if (type == NULL || !one_of(type, types)) {
		seterr(err, errlen, _("unknown airing log record type \"%s\""), type ? type : "");
		return -1;
	}
	if (strcmp(type, "seal") == 0) {
		seterr(err, errlen, "%s", _("seal records are made by airlog_seal()"));
		return -1;
	}
	if (fields && !json_is_object(fields)) {
		seterr(err, errlen, "%s", _("a record's fields must be a JSON object"));
		return -1;
	}
	if (fields)
		json_object_foreach(fields, k, v) {
			if (one_of(k, common) || strcmp(k, "torn") == 0 || strcmp(k, "lost") == 0 || strcmp(k, "prev") == 0 ||
			    strcmp(k, "mac") == 0) {
				seterr(err, errlen, _("field \"%s\" of a %s record is one the log sets itself"), k, type);
				return -1;
			}
		}
	return append(h, type, fields, clk, seq_out, err, errlen);
}

int
airlog_seal(struct airlog *h, const struct airlog_clock *clk, char *err, size_t errlen)
{
	return append(h, "seal", NULL, clk, NULL, err, errlen);
}

/* --- reading -------------------------------------------------------------- */

struct airlog_iter {
	char		*dir;
	int32_t		*days;
	int		 ndays, next;
	struct lfile	 lf;
	int		 loaded;
	long		 li;
	json_t		*rec;
	int		 torn;
};

struct airlog_iter *
airlog_iter_open(const char *dir, char *err, size_t errlen)
{
	struct airlog_iter *it = calloc(1, sizeof(*it));

	if (it == NULL || (it->dir = strdup(dir)) == NULL) {
		free(it);
		seterr(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	if ((it->ndays = airlog_files(dir, &it->days, err, errlen)) < 0) {
		free(it->dir);
		free(it);
		return NULL;
	}
	return it;
}

int
airlog_iter_next(struct airlog_iter *it, json_t **rec, const char **line, size_t *len)
{
	const struct lref *r;
	long i;

	json_decref(it->rec);
	it->rec = NULL;
	*rec = NULL;
	while (!it->loaded || it->li >= it->lf.n) {
		if (it->loaded)
			lfile_free(&it->lf);
		it->loaded = 0;
		if (it->next >= it->ndays)
			return 0;
		if (lfile_load(it->dir, it->days[it->next++], &it->lf, NULL, 0) < 0)
			return -2;
		it->loaded = 1;
		it->li = 0;
	}
	i = it->li++;
	r = &it->lf.l[i];
	*line = it->lf.data + r->off;
	*len = r->len;
	it->torn = it->lf.ack[i] >= 0;
	if (it->torn || !r->term)
		return -1;
	it->rec = logline_load(*line, *len);
	if (it->rec == NULL || !json_is_object(it->rec)) {
		json_decref(it->rec);
		it->rec = NULL;
		return -1;
	}
	*rec = it->rec;
	return 1;
}

int
airlog_iter_torn(const struct airlog_iter *it)
{
	return it->torn;
}

void
airlog_iter_where(const struct airlog_iter *it, const char **file, long *line)
{
	*file = it->loaded ? it->lf.name : "";
	*line = it->loaded ? it->li : 0;
}

void
airlog_iter_close(struct airlog_iter *it)
{
	if (it == NULL)
		return;
	json_decref(it->rec);
	if (it->loaded)
		lfile_free(&it->lf);
	free(it->days);
	free(it->dir);
	free(it);
}

/* --- verification and reading ------------------------------------------- */

/*
 * One pass over every line: parse (logline, yajl's events: no tree), check
 * (when verifying), hand the record to the caller's visitor. The checks
 * stop at the first fault; reading goes on, and what is read after it is
 * handed over marked unverified.
 */
struct vstate {
	const struct airlog_verify_opts *o;
	struct airlog_fault	*f;
	struct airlog_verify_stats *s;
	const struct lfile	*lf;
	long			 line;		/* 1-based, in lf */
	const struct logline	*rec;		/* the record being checked */

	long long		 seq;		/* the last good record; 0 before the first */
	unsigned char		 head[HASH_LEN];
	int32_t			 epoch;
	int			 last_seal;
	unsigned char		 key[AIRLOG_KEY_LEN];
	int			 have_key;
	unsigned char		 sealpk[SIGN_PUB_LEN];
	int			 have_sealpk;
	long long		 last_ts;	/* the latest synced record's ts (s since 1970); 0: none yet */

	/*
	 * The latest seal, its signature checked before the pass: it signs the
	 * chain's head, so while the chain holds up to it every seal before it
	 * is vouched for and their signatures need no check of their own
	 * (Ed25519 verification is a quarter of the reading otherwise). A
	 * fault, or a pass that never meets it, makes airlog_read read again
	 * checking every signature, so the first fault is placed exactly.
	 */
	int			 prev_suspect;	/* the fault is a broken chain: the record before may be the edited one */
	int			 vouched, vouch_met;
	long long		 vouch_count;
	char			 vouch_head[HEX_LEN + 1];
	char			 vouch_sig[128];

	int			 have_cp, cp_found;
	long long		 cp_seq;
	unsigned char		 cp_head[HASH_LEN];
	unsigned char		 cp_pk[SIGN_PUB_LEN];
	char			 cp_site[64], cp_ts[32];
};

__attribute__((format(printf, 2, 3)))
static int
fault(struct vstate *v, const char *fmt, ...)
{
	va_list ap;

	v->f->seq = v->seq + 1;
	snprintf(v->f->file, sizeof(v->f->file), "%s", v->lf ? v->lf->name : "");
	v->f->line = v->line;
	va_start(ap, fmt);
	vsnprintf(v->f->what, sizeof(v->f->what), fmt, ap);
	va_end(ap);
	return 1;
}

static int
trusted(const struct vstate *v, const unsigned char pk[SIGN_PUB_LEN])
{
	for (int i = 0; i < v->o->ntrusted; i++)
		if (sodium_memcmp(v->o->trusted_keys[i], pk, SIGN_PUB_LEN) == 0)
			return 1;
	return 0;
}

static int
sig_ok(const char *site, long long count, const char *head, const char *b64, const unsigned char pk[SIGN_PUB_LEN])
{
	unsigned char sig[SIGN_SIG_LEN];
	char msg[512];
	size_t got = 0, n;
	const char *end = NULL;

	if (b64 == NULL || sodium_base642bin(sig, sizeof(sig), b64, strlen(b64), NULL, &got, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || got != sizeof(sig) || *end != '\0')
		return 0;
	n = airlog_seal_message(site, count, head, msg, sizeof(msg));
	return n < sizeof(msg) && crypto_sign_verify_detached(sig, (unsigned char *)msg, n, pk) == 0;
}

static int
is_int(const struct logline_field *f)
{
	return f != NULL && f->type == LOGLINE_INTEGER;
}

/* a string field's value, or NULL */
static const char *
fstr(const struct logline_field *f)
{
	return f && f->type == LOGLINE_STRING ? f->s : NULL;
}

/* the common fields, found once per record (by position: their order is checked) */
struct common_fields {
	const char	*ts, *boot, *clock, *type, *site, *epoch, *prev, *mac;
	const struct logline_field *seq, *mono;
	long long	 t;		/* ts, parsed once */
	long		 off;		/* its UTC offset */
	int32_t		 day;		/* epoch, parsed once */
};

/* the common fields' presence, order and forms */
static int
check_form(struct vstate *v, const struct logline *rec, const char *line, size_t len, unsigned char prev[HASH_LEN],
    struct common_fields *cf)
{
	const struct logline_field *top[9] = { 0 }, *last2[2] = { 0 };
	unsigned char b[HASH_LEN];
	int n = 0;

	for (int i = 0; i < rec->n; i++) {
		if (rec->f[i].parent != -1)
			continue;
		if (n < 9)
			top[n] = &rec->f[i];
		last2[0] = last2[1];
		last2[1] = &rec->f[i];
		n++;
	}
	for (int i = 0; common[i]; i++)
		if (n <= i + 2 || strcmp(top[i]->key, common[i]) != 0)
			return fault(v, _("malformed record: field %d is \"%s\" where \"%s\" belongs"), i + 1,
			    n > i ? top[i]->key : "", common[i]);
	if (strcmp(last2[0]->key, "prev") != 0 || strcmp(last2[1]->key, "mac") != 0)
		return fault(v, "%s", _("malformed record: \"prev\" and \"mac\" must be its last two fields"));
	cf->seq = top[0];
	cf->ts = fstr(top[1]);
	cf->boot = fstr(top[2]);
	cf->mono = top[3];
	cf->clock = fstr(top[4]);
	cf->type = fstr(top[5]);
	cf->site = fstr(top[6]);
	cf->epoch = fstr(top[7]);
	cf->prev = fstr(last2[0]);
	cf->mac = fstr(last2[1]);
	{
		const char *ts = cf->ts, *ep = cf->epoch, *ck = cf->clock, *ty = cf->type, *site = cf->site, *mac = cf->mac;
		const struct logline_field *seq = cf->seq, *mono = cf->mono;
	if (!is_int(seq) || seq->i < 1)
		return fault(v, "%s", _("malformed record: seq is not a positive whole number"));
	if (ts == NULL || date_parse_ts(ts, &cf->t, &cf->off) < 0)
		return fault(v, "%s", _("malformed record: ts is not a time like 2026-01-02T08:00:05+07:00"));
	if (cf->boot == NULL)
		return fault(v, "%s", _("malformed record: boot is not a string"));
	if (!is_int(mono) || mono->i < 0)
		return fault(v, "%s", _("malformed record: mono_ms is not a whole number"));
	if (ck == NULL || (strcmp(ck, "synced") != 0 && strcmp(ck, "unsynced") != 0))
		return fault(v, "%s", _("malformed record: clock is neither \"synced\" nor \"unsynced\""));
	if (ty == NULL || !one_of(ty, types))
		return fault(v, "%s", _("malformed record: unknown type"));
	if (site == NULL || *site == '\0')
		return fault(v, "%s", _("malformed record: no site"));
	if (ep == NULL || date_parse(ep, &cf->day) < 0)
		return fault(v, "%s", _("malformed record: epoch is not a date"));
	if (from_hex(cf->prev, prev) < 0 || from_hex(mac, b) < 0)
		return fault(v, "%s", _("malformed record: prev or mac is not 64 hex digits"));
	if (len < MAC_SUFFIX_LEN || memcmp(line + len - MAC_SUFFIX_LEN, MAC_TAIL, MAC_TAIL_LEN) != 0 ||
	    memcmp(line + len - HEX_LEN - 2, mac, HEX_LEN) != 0 || memcmp(line + len - 2, "\"}", 2) != 0)
		return fault(v, "%s", _("malformed record: the line does not end with its mac"));
	}
	return 0;
}

static int
check_seal(struct vstate *v, const struct logline *rec, long long seq)
{
	const struct logline_field *count = logline_get(rec, "count");
	const char *head = logline_str(rec, "head"), *key = logline_str(rec, "key");
	unsigned char pk[SIGN_PUB_LEN];

	if (!is_int(count) || count->i != seq - 1 || head == NULL || strcmp(head, logline_str(rec, "prev")) != 0)
		return fault(v, "%s", _("seal does not describe the records before it (count or head is wrong)"));
	if (key == NULL || cfg_parse_key(key, pk) < 0)
		return fault(v, "%s", _("seal has no valid device key"));
	if (v->vouched && !v->vouch_met && seq - 1 == v->vouch_count && strcmp(head, v->vouch_head) == 0 &&
	    logline_str(rec, "sig") && strcmp(logline_str(rec, "sig"), v->vouch_sig) == 0)
		v->vouch_met = 1;	/* the latest seal, checked before the pass */
	else if ((!v->vouched || v->vouch_met) &&
	    !sig_ok(logline_str(rec, "site"), seq - 1, head, logline_str(rec, "sig"), pk))
		return fault(v, "%s", _("seal signature is not valid: the seal was changed, or forged without the "
		    "device key"));
	if (v->o->ntrusted > 0 && !trusted(v, pk))
		return fault(v, _("seal was made by %s, which is not the board's device key given to verify"), key);
	if (v->o->ntrusted == 0 && v->have_sealpk && sodium_memcmp(pk, v->sealpk, SIGN_PUB_LEN) != 0)
		return fault(v, _("seal was made by another device key (%s) than the earlier seals: the log was "
		    "re-signed (if the board's key was replaced, give both keys with --key)"), key);
	memcpy(v->sealpk, pk, SIGN_PUB_LEN);
	v->have_sealpk = 1;
	v->s->seals++;
	snprintf(v->s->seal_key, sizeof(v->s->seal_key), "%s", key);
	return 0;
}

/* a record acknowledging a torn region: it must name exactly the lines before it */
static int
check_torn(struct vstate *v, const struct logline *rec, const struct logline_field *t, long i)
{
	const struct lfile *lf = v->lf;
	int ti = (int)(t - rec->f);
	const struct logline_field *ln = logline_member(rec, ti, "line"), *by = logline_member(rec, ti, "bytes");
	const struct logline_field *hash = logline_member(rec, ti, "hash");
	unsigned char want[HASH_LEN], got[HASH_LEN];
	long long first;
	size_t start, end;

	if (t->type != LOGLINE_OBJECT || !is_int(ln) || !is_int(by) || hash == NULL || hash->type != LOGLINE_STRING ||
	    from_hex(hash->s, want) < 0)
		return fault(v, "%s", _("malformed record: torn is not {\"line\":N,\"bytes\":B,\"hash\":H}"));
	first = ln->i;
	if (first < 1 || first > i || lf->ack[first - 1] != i)
		return fault(v, _("record claims line %lld was a torn write, but that line is not just before it"),
		    first);
	start = lf->l[first - 1].off;
	end = lf->l[i - 1].off + lf->l[i - 1].len;
	line_hash(lf->data + start, end - start, got);
	if ((long long)(end - start) != by->i || sodium_memcmp(got, want, HASH_LEN) != 0)
		return fault(v, _("the torn write this record acknowledges (line %lld) is not the one it names: "
		    "the unfinished bytes were changed"), first);
	if (v->s->torn++ == 0)
		snprintf(v->s->torn_note, sizeof(v->s->torn_note), _("%s line %lld: %lld bytes of an unfinished write "
		    "(power cut or write error), acknowledged by record %lld"), lf->name, first, by->i, v->seq + 1);
	return 0;
}

/*
 * Sealed time moves forward (journald FSS, RFC 5848): a record written with a
 * synced clock is dated on its epoch's day (a seal may be dated later: it
 * closes the epoch when the next day has begun) and not before the synced
 * record before it, and an airing that claims airtime began and ended
 * within a write's reach of its record. Whoever holds today's key can then
 * add records for today only, not fill in days gone by. The writer gives a
 * clock that reads before what is sealed the "unsynced" mark, so an honest
 * log never trips these checks.
 */
static int
parse_time(const char *s, long long *t)
{
	return s == NULL ? -1 : date_parse_ts(s, t, NULL);
}

static int
check_times(struct vstate *v, const struct logline *rec, const struct common_fields *cf, int32_t epoch)
{
	long long ts, start, end, sched;
	long off;
	int32_t day;
	char d[11];
	const struct logline_field *dur;

	if (strcmp(cf->clock, "synced") != 0)
		return 0;	/* an unsynced time vouches for nothing; the report treats it so */
	ts = cf->t;	/* check_form parsed it */
	off = cf->off;
	day = date_local_day(ts, off);
	if (day < epoch || (day > epoch && strcmp(cf->type, "seal") != 0)) {
		date_format(epoch, d);
		return fault(v, _("record dated %s lies outside its epoch %s: it was back-dated (or forward-dated) "
		    "with a later key"), cf->ts, d);
	}
	if (v->last_ts > 0 && ts < v->last_ts)
		return fault(v, _("record dated %s is earlier than the synced record before it: time goes backwards "
		    "in the log"), cf->ts);
	if (strcmp(cf->type, "airing") != 0 || !is_int(dur = logline_get(rec, "duration_ms")) || dur->i <= 0)
		return 0;	/* claims no airtime (a restart names what it cut, not when it stopped) */
	if (parse_time(logline_str(rec, "start"), &start) < 0 || parse_time(logline_str(rec, "end"), &end) < 0 ||
	    parse_time(logline_str(rec, "scheduled"), &sched) < 0)
		return fault(v, "%s", _("malformed record: an airing with airtime needs start, end and scheduled times"));
	if (start > end || end > ts || ts - end > AIRLOG_WRITE_SLACK_S ||
	    llabs((end - start) - dur->i / 1000) > 2 || llabs(sched - start) > 86400)
		return fault(v, _("airing started %s but its record was written %s: its times do not fit its duration "
		    "and the moment it was logged (back-dated?)"), logline_str(rec, "start"), cf->ts);
	return 0;
}

static int check_line(struct vstate *, const struct logline *, const char *, size_t, long);

static int
check_record(struct vstate *v, const struct logline *rec, long i)
{
	const struct lref *r = &v->lf->l[i];

	return check_line(v, rec, v->lf->data + r->off, r->len, i);
}

/* one record's checks; v->lf NULL: a line that came alone (the collector), not from a file */
static int
check_line(struct vstate *v, const struct logline *rec, const char *line, size_t len, long i)
{
	struct { size_t len; } rr = { len }, *r = &rr;
	const char *site, *ep, *ty;
	long long seq, want = v->seq + 1;
	unsigned char mac[HASH_LEN], expect[HASH_LEN], prev[HASH_LEN];
	char d[11];
	int32_t epoch;
	const struct logline_field *t;
	struct common_fields cf = { 0 };

	if (check_form(v, rec, line, r->len, prev, &cf))
		return 1;
	seq = cf.seq->i;
	site = cf.site;
	ep = cf.epoch;
	ty = cf.type;
	epoch = cf.day;
	if (seq != want) {
		if (v->seq == 0)
			return fault(v, _("the log starts at record %lld, not 1: the first records were removed"), seq);
		if (seq > want)
			return fault(v, _("sequence gap: found record %lld where %lld belongs; records were removed or "
			    "reordered"), seq, want);
		return fault(v, _("found record %lld again where %lld belongs: a record was inserted, or records "
		    "were reordered"), seq, want);
	}
	if (memcmp(prev, v->head, HASH_LEN) != 0) {
		if (v->seq == 0)
			return fault(v, "%s", _("chain broken: the first record's prev is not 64 zeros"));
		v->prev_suspect = 1;
		return fault(v, _("chain broken: prev does not match record %lld before it; the log was edited, or a "
		    "record removed or inserted"), v->seq);
	}
	if (v->s->site[0] == '\0')
		snprintf(v->s->site, sizeof(v->s->site), "%s", site);
	else if (strcmp(site, v->s->site) != 0)
		return fault(v, _("site \"%s\" differs from the log's site \"%s\": records from another board"),
		    site, v->s->site);
	if (v->lf && epoch != v->lf->day)
		return fault(v, _("record of epoch %s is in %s: it was moved between files"), ep, v->lf->name);
	if (v->seq > 0 && epoch < v->epoch)
		return fault(v, "%s", _("epoch goes back"));
	if (v->seq > 0 && epoch > v->epoch && !v->last_seal) {
		date_format(v->epoch, d);
		return fault(v, _("epoch %s begins but epoch %s has no closing seal: its last records were "
		    "removed"), ep, d);
	}
	if (v->o->seed) {
		if (!v->have_key) {
			key_first(v->o->seed, v->key);
			v->have_key = 1;
		} else if (epoch > v->epoch) {
			key_step(v->key, (long long)epoch - v->epoch);
		}
		record_mac(v->key, line, r->len - MAC_SUFFIX_LEN, mac);
		from_hex(cf.mac, expect);
		if (sodium_memcmp(mac, expect, HASH_LEN) != 0)
			return fault(v, "%s", _("wrong MAC: the record was changed after it was written, or it was "
			    "not sealed with this board's seed"));
	}
	if (check_times(v, rec, &cf, epoch))
		return 1;
	if ((t = logline_get(rec, "lost")) != NULL) {
		const struct logline_field *known = logline_member(rec, (int)(t - rec->f), "known");
		return fault(v, _("records were removed from the end of the log: the board's sealing key had seen "
		    "record %lld, and the log it found at start ended at record %lld (a deleted day's file?)"),
		    is_int(known) ? known->i : 0, seq - 1);
	}
	if (strcmp(ty, "seal") == 0 && check_seal(v, rec, seq))
		return 1;
	/* alone, the torn bytes are not there to check: the chain still runs over them */
	if (v->lf && (t = logline_get(rec, "torn")) != NULL && check_torn(v, rec, t, i))
		return 1;

	if (v->lf && v->lf->hash)	/* hashed by the reader ahead, from the same bytes */
		memcpy(v->head, v->lf->hash + (size_t)i * HASH_LEN, HASH_LEN);
	else
		line_hash(line, r->len, v->head);
	if (v->have_cp && seq == v->cp_seq) {
		if (sodium_memcmp(v->head, v->cp_head, HASH_LEN) != 0)
			return fault(v, _("record does not match the checkpoint of %s: the log was rewritten after the "
			    "checkpoint"), v->cp_ts);
		v->cp_found = 1;
	}
	v->seq = seq;
	v->epoch = epoch;
	v->last_seal = strcmp(ty, "seal") == 0;
	if (strcmp(cf.clock, "synced") == 0)
		v->last_ts = cf.t;
	return 0;
}

static int
load_checkpoint(struct vstate *v, const char *path)
{
	char *text;
	size_t len;
	json_t *cp;
	const char *site, *head, *ts, *key;
	int rc = -1;

	snprintf(v->f->file, sizeof(v->f->file), "%s", path);
	if (sign_read_file(path, &text, &len) < 0) {
		snprintf(v->f->what, sizeof(v->f->what), _("cannot read the checkpoint %s: %s"), path, strerror(errno));
		return -1;
	}
	cp = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	site = str(cp, "site");
	head = str(cp, "head");
	ts = str(cp, "ts");
	key = str(cp, "key");
	if (!json_is_object(cp) || site == NULL || ts == NULL || !json_is_integer(json_object_get(cp, "seq")) ||
	    head == NULL || from_hex(head, v->cp_head) < 0 || key == NULL || cfg_parse_key(key, v->cp_pk) < 0) {
		snprintf(v->f->what, sizeof(v->f->what), _("%s is not a checkpoint (a JSON object with site, seq, "
		    "head, ts, key and sig, as `loaxa log export` writes)"), path);
		goto out;
	}
	v->cp_seq = json_integer_value(json_object_get(cp, "seq"));
	if (v->cp_seq < 0 || (v->cp_seq == 0 && sodium_is_zero(v->cp_head, HASH_LEN) == 0)) {
		snprintf(v->f->what, sizeof(v->f->what), _("%s is not a checkpoint (a JSON object with site, seq, "
		    "head, ts, key and sig, as `loaxa log export` writes)"), path);
		goto out;
	}
	v->cp_found = v->cp_seq == 0;	/* the seal of an empty log: every log contains it */
	if (!sig_ok(site, v->cp_seq, head, str(cp, "sig"), v->cp_pk)) {
		snprintf(v->f->what, sizeof(v->f->what), _("the checkpoint %s has no valid signature: it cannot be "
		    "used"), path);
		goto out;
	}
	if (v->o->ntrusted > 0 && !trusted(v, v->cp_pk)) {
		snprintf(v->f->what, sizeof(v->f->what), _("the checkpoint %s was signed by %s, not by the device "
		    "key given to verify"), path, key);
		goto out;
	}
	snprintf(v->cp_site, sizeof(v->cp_site), "%s", site);
	snprintf(v->cp_ts, sizeof(v->cp_ts), "%s", ts);
	v->have_cp = 1;
	rc = 0;
out:
	json_decref(cp);
	return rc;
}

static int
check_end(struct vstate *v)
{
	if (!v->have_cp)
		return 0;
	v->line = 0;
	if (v->s->site[0] && strcmp(v->cp_site, v->s->site) != 0)
		return fault(v, _("the checkpoint is for site \"%s\", the log for \"%s\""), v->cp_site, v->s->site);
	if (v->o->ntrusted == 0 && v->have_sealpk && sodium_memcmp(v->sealpk, v->cp_pk, SIGN_PUB_LEN) != 0)
		return fault(v, "%s", _("the log's seals are made by another key than the checkpoint's: the log was "
		    "re-signed"));
	if (!v->cp_found)
		return fault(v, _("truncated: the checkpoint of %s covers record %lld, but the log ends at record "
		    "%lld; records were cut from the end"), v->cp_ts, v->cp_seq, v->seq);
	v->s->checkpoint_ok = 1;
	v->s->checkpoint_seq = v->cp_seq;
	snprintf(v->s->checkpoint_ts, sizeof(v->s->checkpoint_ts), "%s", v->cp_ts);
	return 0;
}

/* what every record read adds to the stats */
static void
count_record(struct airlog_verify_stats *s, const struct logline *rec, long long seq, int verified)
{
	const char *ts = logline_str(rec, "ts");
	size_t n;

	if (ts == NULL)
		ts = "";
	n = strnlen(ts, sizeof(s->last_ts) - 1);

	s->records++;
	if (!verified)
		s->unverified++;
	if (s->first_seq == 0) {
		s->first_seq = seq;
		memcpy(s->first_ts, ts, n);
		s->first_ts[n] = '\0';
	}
	s->last_seq = seq;
	memcpy(s->last_ts, ts, n);	/* once per record: no snprintf */
	s->last_ts[n] = '\0';
}

/* counts a record and gives it to the visitor */
static int
hand_over(struct airlog_verify_stats *s, const struct airlog_read_opts *ro, const struct logline *rec,
    const struct airlog_read_info *info)
{
	count_record(s, rec, info->seq, info->verified);
	return ro && ro->visit ? ro->visit(ro->arg, rec, info) : 0;
}

/* "type":"config" as the writer writes it: files outside the range are searched for it before parsing */
#define CONFIG_MARK "\"type\":\"config\""

/* the latest seal of the log, its signature good: the pass can trust the chain up to it */
static void
vouch_latest(struct vstate *v, const char *dir, const int32_t *days, int n)
{
	json_t *cp;
	const char *site, *head, *sig, *key;
	unsigned char pk[SIGN_PUB_LEN];

	if (latest_seal(dir, days, n, &cp, NULL, 0) < 0 || cp == NULL)
		return;
	site = str(cp, "site");
	head = str(cp, "head");
	sig = str(cp, "sig");
	key = str(cp, "key");
	if (site && head && sig && key && strlen(head) == HEX_LEN && strlen(sig) < sizeof(v->vouch_sig) &&
	    cfg_parse_key(key, pk) == 0 && sig_ok(site, json_integer_value(json_object_get(cp, "seq")), head, sig, pk)) {
		v->vouched = 1;
		v->vouch_count = json_integer_value(json_object_get(cp, "seq"));
		memcpy(v->vouch_head, head, HEX_LEN + 1);
		memcpy(v->vouch_sig, sig, strlen(sig) + 1);
	}
	json_decref(cp);
}

/*
 * The reader ahead: a second thread loads the next file and hashes each of
 * its lines (the chain's BLAKE2b, a third of verifying on one core) while
 * this one parses and checks the file before it. Files are handed over in
 * order through two slots; the checks themselves stay on one thread, in
 * order, exactly as without it (a line's hash is the same bytes' hash).
 */
struct ahead {
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	const char	*dir;
	const int32_t	*days;
	int		 n, taken, stop;
	struct {
		struct lfile	 lf;
		int		 fi, rc;	/* fi: the file in the slot, -1 none */
		char		 err[256];
	} slot[2];
};

static void *
ahead_run(void *arg)
{
	struct ahead *a = arg;

	for (int fi = 0; fi < a->n; fi++) {
		struct lfile lf;
		char err[256] = "";
		int rc, k = fi % 2, stop;

		pthread_mutex_lock(&a->mu);
		while (!a->stop && a->slot[k].fi >= 0)
			pthread_cond_wait(&a->cv, &a->mu);
		stop = a->stop;
		pthread_mutex_unlock(&a->mu);
		if (stop)
			break;
		if ((rc = lfile_load(a->dir, a->days[fi], &lf, err, sizeof(err))) == 0 && lf.n > 0 &&
		    (lf.hash = malloc((size_t)lf.n * HASH_LEN)) != NULL)
			for (long i = 0; i < lf.n; i++)
				line_hash(lf.data + lf.l[i].off, lf.l[i].len, lf.hash + (size_t)i * HASH_LEN);
		pthread_mutex_lock(&a->mu);
		a->slot[k].lf = lf;
		a->slot[k].rc = rc;
		memcpy(a->slot[k].err, err, sizeof(err));
		a->slot[k].fi = fi;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (rc < 0)
			break;
	}
	return NULL;
}

/* started, or (one core, one file, a thread refused) a->n is 0 and ahead_take reads each file itself */
static void
ahead_start(struct ahead *a, const char *dir, const int32_t *days, int n)
{
	const char *env = getenv("LOAXA_THREADS");	/* 1: everything on this thread (the benches' one-core figure) */

	memset(a, 0, sizeof(*a));
	a->slot[0].fi = a->slot[1].fi = -1;
	if (n < 2 || sysconf(_SC_NPROCESSORS_ONLN) < 2 || (env && strtol(env, NULL, 10) == 1))
		return;
	a->dir = dir;
	a->days = days;
	a->n = n;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	if (pthread_create(&a->th, NULL, ahead_run, a) != 0) {
		pthread_mutex_destroy(&a->mu);
		pthread_cond_destroy(&a->cv);
		a->n = 0;
	}
}

/* file fi, loaded (and hashed) by the reader ahead when there is one */
static int
ahead_take(struct ahead *a, const char *dir, int32_t day, int fi, struct lfile *lf, char *err, size_t errlen)
{
	int k = fi % 2, rc;

	if (a->n == 0)
		return lfile_load(dir, day, lf, err, errlen);
	pthread_mutex_lock(&a->mu);
	while (a->slot[k].fi != fi)
		pthread_cond_wait(&a->cv, &a->mu);
	*lf = a->slot[k].lf;
	rc = a->slot[k].rc;
	if (rc < 0)
		snprintf(err, errlen, "%s", a->slot[k].err);
	a->slot[k].fi = -1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return rc;
}

static void
ahead_stop(struct ahead *a)
{
	if (a->n == 0)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->th, NULL);
	for (int k = 0; k < 2; k++)
		if (a->slot[k].fi >= 0 && a->slot[k].rc == 0)
			lfile_free(&a->slot[k].lf);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
}

static int read_pass(const char *, const struct airlog_verify_opts *, const struct airlog_read_opts *,
    struct airlog_fault *, struct airlog_verify_stats *, int, int *);

int
airlog_read(const char *dir, const struct airlog_verify_opts *opts, const struct airlog_read_opts *ro,
    struct airlog_fault *f, struct airlog_verify_stats *s)
{
	int rc, exact = 1, verify = ro == NULL || ro->verify;

	/* the fast pass first, when a second pass is possible: it may need to be redone */
	if (verify && (ro == NULL || ro->visit == NULL || ro->reset != NULL)) {
		rc = read_pass(dir, opts, ro, f, s, 1, &exact);
		if (exact)
			return rc;
		if (ro && ro->reset)
			ro->reset(ro->arg);
	}
	return read_pass(dir, opts, ro, f, s, 0, &exact);
}

/* one pass; fast: trust the latest seal's signature for the seals before it (*exact = 0 when that is not enough) */
static int
read_pass(const char *dir, const struct airlog_verify_opts *opts, const struct airlog_read_opts *ro,
    struct airlog_fault *f, struct airlog_verify_stats *s, int fast, int *exact)
{
	static const struct airlog_verify_opts none;
	struct vstate v;
	struct logline jl[2];		/* this record and the one waiting to be handed over */
	struct {
		int			 have;
		struct airlog_read_info	 info;
		char			 file[17];
	} pd = { 0 };
	int32_t *days;
	int n, rc = 0, failed = 0, was, cur = 0, verify = ro == NULL || ro->verify;
	struct ahead ah;

	memset(&v, 0, sizeof(v));
	memset(f, 0, sizeof(*f));
	memset(s, 0, sizeof(*s));
	v.o = opts ? opts : &none;
	v.f = f;
	v.s = s;
	v.epoch = DATE_NONE;
	if (sodium_init() < 0) {
		snprintf(f->what, sizeof(f->what), "%s", _("libsodium could not start"));
		return -1;
	}
	if (verify && v.o->checkpoint_path && load_checkpoint(&v, v.o->checkpoint_path) < 0)
		return -1;
	if ((n = airlog_files(dir, &days, f->what, sizeof(f->what))) < 0) {
		snprintf(f->file, sizeof(f->file), "%s", dir);
		return -1;
	}
	if (fast)
		vouch_latest(&v, dir, days, n);
	logline_init(&jl[0]);
	logline_init(&jl[1]);
	/* reading without checks skips most files' lines: nothing to hash ahead */
	ahead_start(&ah, dir, days, verify && ro && ro->read_ahead ? n : 0);
	for (int fi = 0; fi < n && rc >= 0; fi++) {
		struct lfile lf;
		long tail = -1;		/* lines after this one are the log's torn tail */
		/* reading without checks: outside the range only the configs are wanted (and the last record) */
		int only_configs = !verify && ro && ro->from != DATE_NONE && (days[fi] < ro->from - 1 ||
		    days[fi] > ro->to + 1);

		if (ahead_take(&ah, dir, days[fi], fi, &lf, f->what, sizeof(f->what)) < 0) {
			airlog_file_name(days[fi], f->file);
			rc = -1;
			break;
		}
		v.lf = &lf;
		s->files++;
		s->bytes += (long long)lf.len;
		if (verify && !failed && fi == n - 1) {
			json_t *last;
			if ((tail = find_last(&lf, lf.n, NULL, &last)) >= 0)
				json_decref(last);
		}
		for (long i = 0; i < lf.n && rc >= 0; i++) {
			const struct lref *r = &lf.l[i];
			const char *line = lf.data + r->off;
			int ok, checked;
			long long seq = 0;

			v.line = i + 1;
			if (lf.ack[i] >= 0)
				continue;
			if (only_configs && !(fi == n - 1 && i == lf.n - 1) &&
			    memmem(line, r->len, CONFIG_MARK, strlen(CONFIG_MARK)) == NULL)
				continue;
			ok = r->term && logline_parse(&jl[cur], line, r->len) == 0;
			checked = 0;
			was = failed;
			if (verify && !failed) {
				checked = 1;
				if (!ok && fi == n - 1 && i > tail)
					failed = fault(&v, _("torn tail: the log ends in %zu bytes that are not a record (a "
					    "write cut by a power loss or a full disk) and nothing acknowledges them yet; "
					    "loaxad does when it next writes"), (size_t)(lf.len - r->off));
				else if (!r->term)
					failed = fault(&v, _("the line is incomplete (%zu bytes) but the log goes on in a "
					    "later file"), r->len);
				else if (!ok)
					failed = fault(&v, "%s", _("the line is not a record (it does not parse) and no "
					    "record acknowledges it as a torn write: the log was edited"));
				else
					failed = check_record(&v, &jl[cur], i);
			}
			if (!ok) {
				s->unreadable++;
				continue;
			}
			if (logline_int(&jl[cur], "seq", &seq) < 0)
				seq = 0;
			/*
			 * Each record is handed over once the next one is checked: a
			 * broken chain at this one puts the one before it in doubt
			 * (either may have been edited; only a MAC could tell).
			 */
			if (pd.have) {
				if (!was && failed && v.prev_suspect)
					pd.info.verified = 0;
				if (hand_over(s, ro, &jl[1 - cur], &pd.info) < 0)
					rc = -1;
			}
			pd.have = 1;
			pd.info.seq = seq;
			pd.info.verified = checked && !failed;
			memcpy(pd.file, lf.name, sizeof(pd.file));	/* "YYYY-MM-DD.jsonl" and its NUL */
			pd.info.file = pd.file;
			pd.info.line = i + 1;
			cur = 1 - cur;
		}
		if (verify && !failed && rc >= 0 && fi == n - 1)
			failed = check_end(&v);
		v.lf = NULL;
		lfile_free(&lf);
	}
	ahead_stop(&ah);
	if (verify && !failed && rc >= 0 && n == 0)
		failed = check_end(&v);
	if (pd.have && rc >= 0 && hand_over(s, ro, &jl[1 - cur], &pd.info) < 0)
		rc = -1;
	if (rc < 0 && ro && ro->visit && f->what[0] == '\0')
		snprintf(f->what, sizeof(f->what), "%s", _("reading stopped by the caller"));
	logline_free(&jl[0]);
	logline_free(&jl[1]);
	free(days);
	s->macs_checked = verify && v.o->seed != NULL;
	s->key_pinned = verify && v.o->ntrusted > 0 && s->seals > 0;
	/* a fault, or seals whose signatures were taken on trust without meeting the one that vouches */
	*exact = !fast || rc < 0 || !v.vouched || (!failed && v.vouch_met);
	if (rc < 0)
		return -1;
	return failed ? 1 : 0;
}

int
airlog_verify(const char *dir, const struct airlog_verify_opts *opts, struct airlog_fault *f,
    struct airlog_verify_stats *s)
{
	struct airlog_read_opts ro = { .verify = 1, .from = DATE_NONE, .to = DATE_NONE, .read_ahead = 1 };

	return airlog_read(dir, opts, &ro, f, s);
}

/* --- one record at a time (the collector) ---------------------------------- */

int
airlog_chain_next(struct airlog_chain *ch, const char *line, size_t len, const unsigned char *seed,
    const unsigned char (*trusted)[32], int ntrusted, char *what, size_t whatlen)
{
	struct airlog_verify_opts o = { .seed = seed, .trusted_keys = trusted, .ntrusted = ntrusted };
	struct airlog_verify_stats st;
	struct airlog_fault f;
	struct vstate v;
	struct logline jl;
	int rc;

	memset(&v, 0, sizeof(v));
	memset(&st, 0, sizeof(st));
	memset(&f, 0, sizeof(f));
	v.o = &o;
	v.f = &f;
	v.s = &st;
	v.seq = ch->seq;
	v.epoch = ch->seq > 0 ? ch->epoch : DATE_NONE;
	v.last_seal = ch->last_seal;
	v.last_ts = ch->last_ts;
	memcpy(v.head, ch->head, HASH_LEN);
	if (ch->have_sealpk) {
		memcpy(v.sealpk, ch->sealpk, SIGN_PUB_LEN);
		v.have_sealpk = 1;
	}
	snprintf(st.site, sizeof(st.site), "%s", ch->site);
	if (seed && ch->seq > 0) {	/* the key of the epoch reached, stepped from the seed */
		if (!ch->have_key) {
			key_first(seed, ch->key);
			key_step(ch->key, (long long)ch->epoch - ch->first_epoch);
			ch->have_key = 1;
		}
		memcpy(v.key, ch->key, AIRLOG_KEY_LEN);
		v.have_key = 1;
	}
	if (sodium_init() < 0) {
		snprintf(what, whatlen, "libsodium cannot start");
		return -1;
	}
	logline_init(&jl);
	if (logline_parse(&jl, line, len) < 0) {
		logline_free(&jl);
		snprintf(what, whatlen, "%s", _("the line is not a record (it does not parse)"));
		return -1;
	}
	rc = check_line(&v, &jl, line, len, 0);
	logline_free(&jl);
	if (rc) {
		snprintf(what, whatlen, "%s", f.what);
		return 1;
	}
	if (ch->seq == 0)
		ch->first_epoch = v.epoch;
	ch->seq = v.seq;
	ch->epoch = v.epoch;
	ch->last_seal = v.last_seal;
	ch->last_ts = v.last_ts;
	memcpy(ch->head, v.head, HASH_LEN);
	if (v.have_sealpk) {
		memcpy(ch->sealpk, v.sealpk, SIGN_PUB_LEN);
		ch->have_sealpk = 1;
	}
	snprintf(ch->site, sizeof(ch->site), "%s", st.site);
	if (v.have_key) {
		memcpy(ch->key, v.key, AIRLOG_KEY_LEN);
		ch->have_key = 1;
	}
	return 0;
}

void
airlog_line_hash(const char *line, size_t len, char hex[65])
{
	unsigned char h[HASH_LEN];

	line_hash(line, len, h);
	to_hex(h, hex);
}
