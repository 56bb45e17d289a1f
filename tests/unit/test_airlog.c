/*
 * airlog: the airing log's writer, its crash behaviour, and the verifier's
 * power to find and place every kind of tampering. Every log here is written
 * by airlog_append() itself; tampering is done on those bytes.
 *
 * Also a fixture and benchmark helper for the shell tests:
 *   test_airlog --fixture DIR              a 15-record log in DIR/airlog (state in DIR/state,
 *                                          DIR/checkpoint.json); prints "seed HEX" and "pub KEY"
 *   test_airlog --bulk DIR N [--nosync]    N airing records, 400 a day; prints the seed
 *   test_airlog --parse-only DIR           seconds jansson alone takes to parse every line
 *                                          (the floor under `log verify`'s time)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/durable.h"
#include "scheduler/airlog.h"
#include "tests/unit/tap.h"

#define SITE "xa-thu"
#define VN (7 * 3600)

struct fx {
	char		 root[PATH_MAX], dir[PATH_MAX + 8], state[PATH_MAX + 8];
	unsigned char	 seed[32];
	char		 pub[64];
};

static long long mono;

static void
fx_free(struct fx *f)
{
	durable_rmtree(f->root);
}

static int
fx_new(struct fx *f)
{
	char hex[65], err[256];

	memset(f, 0, sizeof(*f));
	snprintf(f->root, sizeof(f->root), "/tmp/loaxa-airlog-XXXXXX");
	if (mkdtemp(f->root) == NULL) {
		tap_fail(__FILE__, __LINE__, "mkdtemp %s: %s", f->root, strerror(errno));
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "%s/airlog", f->root);
	snprintf(f->state, sizeof(f->state), "%s/state", f->root);
	if (airlog_init(f->state, hex, f->pub, sizeof(f->pub), err, sizeof(err)) < 0) {
		tap_fail(__FILE__, __LINE__, "airlog_init: %s", err);
		return -1;
	}
	sodium_hex2bin(f->seed, 32, hex, 64, NULL, NULL, NULL);
	return 0;
}

/* a clock at a Vietnamese local time */
static struct airlog_clock
at(int y, int m, int d, int hh, int mi, int synced)
{
	struct airlog_clock c;

	c.realtime_s = (long long)date_from_civil(y, m, d) * 86400 + hh * 3600 + mi * 60 - VN;
	c.gmtoff = VN;
	c.mono_ms = mono += 1000;
	c.synced = synced;
	c.boot_id = "0b3e2c4a-5d1f-4e7a-9c2b-8f6d1a0e3b57";
	return c;
}

static json_t *
airing(int n, const char *title)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:s, s:i}",
	    "session", "morning", "period", "normal", "scheduled", "2026-01-02T06:00:00+07:00",
	    "start", "2026-01-02T06:00:02+07:00", "end", "2026-01-02T06:03:02+07:00", "duration_ms", 180000,
	    "bulletin", "luat-2026-01", "title", title, "topic", "law", "level", "normal", "source", "province",
	    "sha256", "9f2c1e0b7a6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b", "gain_db", -1.5,
	    "amplifier", "on", "outcome", "complete", "n", n);
}

/* an airing's times as the engine writes them: it ended as its record was written */
static json_t *
fitted(json_t *o, struct airlog_clock c)
{
	char t[DATE_TS_LEN];

	if (json_object_get(o, "start") == NULL)
		return o;
	date_format_ts(c.realtime_s - 182, c.gmtoff, t);
	json_object_set_new(o, "scheduled", json_string(t));
	date_format_ts(c.realtime_s - 180, c.gmtoff, t);
	json_object_set_new(o, "start", json_string(t));
	date_format_ts(c.realtime_s, c.gmtoff, t);
	json_object_set_new(o, "end", json_string(t));
	return o;
}

static int
add(struct airlog *h, const char *type, json_t *fields, struct airlog_clock c)
{
	char err[256];
	long long seq;
	int rc = airlog_append(h, type, fitted(fields, c), &c, &seq, err, sizeof(err));

	json_decref(fields);
	return rc;
}

static struct airlog *
wopen(struct fx *f)
{
	char err[256];
	struct airlog *h = airlog_open(f->dir, f->state, SITE, err, sizeof(err));

	if (h == NULL)
		tap_fail(__FILE__, __LINE__, "airlog_open: %s", err);
	return h;
}

static int
verify(struct fx *f, int with_seed, const char *cp, struct airlog_fault *fault, struct airlog_verify_stats *st)
{
	struct airlog_verify_opts o = { with_seed ? f->seed : NULL, cp, NULL, 0 };
	struct airlog_fault ff;
	struct airlog_verify_stats ss;

	return airlog_verify(f->dir, &o, fault ? fault : &ff, st ? st : &ss);
}

#define EXPECT_INTACT(f, seed) do { struct airlog_fault fl_; struct airlog_verify_stats st_; \
	tap_nchecks++; int rc_ = verify((f), (seed), NULL, &fl_, &st_); \
	if (rc_ != 0) tap_fail(__FILE__, __LINE__, "verify %d: record %lld (%s line %ld): %s", rc_, fl_.seq, \
	    fl_.file, fl_.line, fl_.what); } while (0)

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void
spit(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL) {
		tap_fail(__FILE__, __LINE__, "cannot write %s: %s", path, strerror(errno));
		return;
	}
	fwrite(data, 1, len, fp);
	fclose(fp);
}

static void
path_of(const struct fx *f, const char *day, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.jsonl", f->dir, day);
}

/* the "n" of every record, in order, from the reader; -1 for records without one */
static int
ns(struct fx *f, int *out, int max, int *types_seal)
{
	char err[256];
	struct airlog_iter *it = airlog_iter_open(f->dir, err, sizeof(err));
	json_t *rec;
	const char *line;
	size_t len;
	int n = 0, r;

	if (types_seal)
		*types_seal = 0;
	if (it == NULL)
		return -1;
	while ((r = airlog_iter_next(it, &rec, &line, &len)) != 0) {
		json_t *v;
		if (r != 1)
			continue;
		v = json_object_get(rec, "n");
		if (json_is_integer(v) && n < max)
			out[n++] = (int)json_integer_value(v);
		else if (types_seal && strcmp(json_string_value(json_object_get(rec, "type")), "seal") == 0)
			(*types_seal)++;
	}
	airlog_iter_close(it);
	return n;
}

/* where record `seq` (a good line) is: file path, offset, length without '\n' */
static int
locate(struct fx *f, long long seq, char *path, size_t plen, size_t *off, size_t *len)
{
	int32_t *days;
	int n = airlog_files(f->dir, &days, NULL, 0);

	for (int i = 0; i < n; i++) {
		char name[17], *data;
		size_t flen;
		airlog_file_name(days[i], name);
		snprintf(path, plen, "%s/%s", f->dir, name);
		data = slurp(path, &flen);
		for (char *p = data; p && p < data + flen; ) {
			char *nl = memchr(p, '\n', (size_t)(data + flen - p));
			size_t l = (size_t)((nl ? nl : data + flen) - p);
			json_t *rec = json_loadb(p, l, 0, NULL);
			if (rec && json_integer_value(json_object_get(rec, "seq")) == seq &&
			    json_object_get(rec, "mac") != NULL) {
				*off = (size_t)(p - data);
				*len = l;
				json_decref(rec);
				free(data);
				free(days);
				return 0;
			}
			json_decref(rec);
			p = nl ? nl + 1 : data + flen;
		}
		free(data);
	}
	free(days);
	return -1;
}

/*
 * The fixture (15 records, 3 epoch files): records 1-5 on 2026-01-02, a
 * torn fragment acknowledged by boot record 6, a seal (7) opening
 * 2026-01-03, an on-demand seal (11, whose checkpoint is kept), a backward
 * unsynced clock (12) staying in the epoch, then a seal (13) and 2026-01-04.
 */
static int
make_fixture(struct fx *f, char **checkpoint)
{
	struct airlog *h;
	char path[PATH_MAX + 32], err[256];
	struct airlog_clock c;
	FILE *fp;

	if ((h = wopen(f)) == NULL)
		return -1;
	add(h, "boot", json_pack("{s:s}", "version", "0.1"), at(2026, 1, 2, 5, 58, 1));
	add(h, "config", json_pack("{s:I}", "serial", (json_int_t)2026011501), at(2026, 1, 2, 5, 59, 1));
	add(h, "airing", airing(1, "Quy định mới về xử phạt"), at(2026, 1, 2, 6, 0, 1));
	add(h, "airing", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "session", "morning", "bulletin",
	    "hang-gia-02", "title", "Hàng giả, \"hàng nhái\"", "outcome", "interrupted", "reason", "emergency",
	    "level", "priority", "n", 2), at(2026, 1, 2, 6, 4, 1));
	add(h, "missed", json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "session", "evening", "scheduled",
	    "2026-01-02T17:30:00+07:00", "bulletin", "luat-2026-01", "title", "Quy định mới về xử phạt", "reason",
	    "power off", "n", 3), at(2026, 1, 2, 17, 30, 1));
	airlog_close(h);
	/* a pulled plug in the middle of a line */
	path_of(f, "2026-01-02", path, sizeof(path));
	if ((fp = fopen(path, "ab")) == NULL) {
		tap_fail(__FILE__, __LINE__, "cannot append to %s: %s", path, strerror(errno));
		return -1;
	}
	fputs("{\"seq\":6,\"ts\":\"2026-01-02T18:00:00+07:00\",\"boot\":\"0b3e", fp);
	fclose(fp);
	if ((h = wopen(f)) == NULL)
		return -1;
	add(h, "boot", json_pack("{s:s}", "version", "0.1"), at(2026, 1, 2, 18, 5, 1));
	add(h, "airing", airing(4, "Nhận diện hàng giả"), at(2026, 1, 3, 6, 0, 1));
	add(h, "clock", json_pack("{s:s, s:s}", "from", "unsynced", "to", "synced"), at(2026, 1, 3, 6, 10, 1));
	add(h, "ingest", json_pack("{s:i, s:i}", "taken", 2, "refused", 1), at(2026, 1, 3, 9, 0, 1));
	c = at(2026, 1, 3, 10, 0, 1);
	if (airlog_seal(h, &c, err, sizeof(err)) < 0 || airlog_checkpoint(h, checkpoint) < 0) {
		tap_fail(__FILE__, __LINE__, "seal: %s", err);
		airlog_close(h);
		return -1;
	}
	add(h, "airing", airing(5, "Tin địa phương"), at(2026, 1, 1, 7, 0, 0));	/* clock went back, unsynced */
	add(h, "airing", airing(6, "Gương điển hình"), at(2026, 1, 4, 6, 0, 1));
	add(h, "shutdown", NULL, at(2026, 1, 4, 22, 0, 1));
	airlog_close(h);
	snprintf(path, sizeof(path), "%s/checkpoint.json", f->root);
	spit(path, *checkpoint, strlen(*checkpoint));
	return 0;
}

/* --- writer ---------------------------------------------------------------- */

static void
appends_continue_gapless_after_reopen(void)
{
	struct fx f;
	struct airlog *h;
	int got[32], n;

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	for (int i = 1; i <= 5; i++)
		EXPECT_INT(add(h, "airing", airing(i, "A"), at(2026, 3, 2, 6, i, 1)), 0);
	EXPECT_INT(airlog_last_seq(h), 5);
	airlog_close(h);
	h = wopen(&f);
	EXPECT_INT(airlog_last_seq(h), 5);
	EXPECT_INT(airlog_torn(h), 0);
	for (int i = 6; i <= 8; i++)
		EXPECT_INT(add(h, "airing", airing(i, "A"), at(2026, 3, 2, 7, i, 1)), 0);
	EXPECT_INT(airlog_last_seq(h), 8);
	airlog_close(h);
	n = ns(&f, got, 32, NULL);
	EXPECT_INT(n, 8);
	for (int i = 0; i < n; i++)
		EXPECT_INT(got[i], i + 1);
	EXPECT_INTACT(&f, 1);
	fx_free(&f);
}

/* the documented format, recomputed here from the spec, not from airlog.c */
static void
records_follow_the_documented_format_and_key_schedule(void)
{
	struct fx f;
	struct airlog *h;
	char path[PATH_MAX + 32], *d1, *d2, hex[65], *nl;
	unsigned char k[32], t[32], mac[32], prev[32] = { 0 };
	crypto_generichash_state st;
	size_t len;

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	add(h, "boot", NULL, at(2026, 1, 2, 8, 0, 1));
	add(h, "airing", airing(1, "Quy định"), at(2026, 1, 3, 8, 0, 1));	/* a seal, then the new day */
	airlog_close(h);
	path_of(&f, "2026-01-02", path, sizeof(path));
	d1 = slurp(path, &len);
	path_of(&f, "2026-01-03", path, sizeof(path));
	d2 = slurp(path, NULL);
	EXPECT(d1 && d2);
	if (!d1 || !d2)
		goto out;
	EXPECT(strncmp(d1, "{\"seq\":1,\"ts\":\"2026-01-02T08:00:00+07:00\",\"boot\":\"0b3e2c4a-5d1f-4e7a-9c2b-"
	    "8f6d1a0e3b57\",\"mono_ms\":", 96) == 0);
	EXPECT(strstr(d1, "\"clock\":\"synced\",\"type\":\"boot\",\"site\":\"xa-thu\",\"epoch\":\"2026-01-02\","
	    "\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"mac\":\"") != NULL);
	EXPECT(strstr(d1, "\"type\":\"seal\"") != NULL);
	EXPECT(strstr(d2, "\"title\":\"Quy định\"") != NULL);	/* UTF-8, not \u escapes */

	/* k(first) = H("loaxa-epoch-key" || seed), k(next) = H("loaxa-epoch-next" || k) */
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const unsigned char *)"loaxa-epoch-key", 15);
	crypto_generichash_update(&st, f.seed, 32);
	crypto_generichash_final(&st, k, 32);
	for (char *p = d1; *p; p = nl + 1) {
		char *m;
		nl = strchr(p, '\n');
		EXPECT(nl != NULL);
		if (nl == NULL)
			break;
		sodium_bin2hex(hex, sizeof(hex), prev, 32);
		m = strstr(p, ",\"mac\":\"");
		EXPECT(m != NULL && m + 8 + 64 + 2 == nl);
		EXPECT(memmem(p, (size_t)(nl - p), hex, 64) != NULL);	/* prev = H(previous line) */
		crypto_generichash(mac, 32, (unsigned char *)p, (size_t)(m - p), k, 32);
		sodium_bin2hex(hex, sizeof(hex), mac, 32);
		EXPECT(strncmp(m + 8, hex, 64) == 0);
		crypto_generichash(prev, 32, (unsigned char *)p, (size_t)(nl - p), NULL, 0);
	}
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const unsigned char *)"loaxa-epoch-next", 16);
	crypto_generichash_update(&st, k, 32);
	crypto_generichash_final(&st, t, 32);
	nl = strstr(d2, ",\"mac\":\"");
	crypto_generichash(mac, 32, (unsigned char *)d2, (size_t)(nl - d2), t, 32);
	sodium_bin2hex(hex, sizeof(hex), mac, 32);
	EXPECT(nl && strncmp(nl + 8, hex, 64) == 0);
	sodium_bin2hex(hex, sizeof(hex), prev, 32);
	EXPECT(strstr(d2, hex) != NULL);	/* the chain runs across files */
out:
	free(d1);
	free(d2);
	fx_free(&f);
}

static void
epoch_advance_seals_the_old_file_and_erases_its_key(void)
{
	struct fx f;
	struct airlog *h;
	char path[PATH_MAX + 32], *before, *after, *d1, oldkey[65];
	json_t *s1, *s2;

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	add(h, "boot", NULL, at(2026, 2, 16, 6, 0, 1));
	add(h, "airing", airing(1, "A"), at(2026, 2, 16, 7, 0, 1));
	snprintf(path, sizeof(path), "%s/seal.key", f.state);
	before = slurp(path, NULL);
	add(h, "airing", airing(2, "B"), at(2026, 2, 17, 6, 0, 1));	/* Tết 2026 */
	after = slurp(path, NULL);
	airlog_close(h);
	s1 = json_loads(before, 0, NULL);
	s2 = json_loads(after, 0, NULL);
	EXPECT(json_is_null(json_object_get(s1, "epoch")));
	EXPECT_STR(json_string_value(json_object_get(s2, "epoch")), "2026-02-17");
	snprintf(oldkey, sizeof(oldkey), "%s", json_string_value(json_object_get(s1, "key")));
	EXPECT(strstr(after, oldkey) == NULL);
	{
		struct stat st;
		EXPECT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	}
	path_of(&f, "2026-02-16", path, sizeof(path));
	d1 = slurp(path, NULL);
	/* the old file ends with a seal of its 2 records */
	EXPECT(d1 && strstr(d1, "\"seq\":3,") && strstr(strstr(d1, "\"seq\":3,"), "\"type\":\"seal\"") &&
	    strstr(d1, "\"count\":2,"));
	path_of(&f, "2026-02-17", path, sizeof(path));
	EXPECT(access(path, F_OK) == 0);
	EXPECT_INTACT(&f, 1);
	json_decref(s1);
	json_decref(s2);
	free(before);
	free(after);
	free(d1);
	fx_free(&f);
}

/*
 * The commune with root holds today's epoch key (state/seal.key): it appends
 * a record of its own making, chained and MACed as the writer would. seq is
 * the next, ts and clock as given, the fields after the common ones.
 */
static int
forge_with_todays_key(struct fx *f, const char *day, long long seq, const char *ts, json_t *fields)
{
	char path[PATH_MAX + 32], kpath[PATH_MAX + 32], hex[65], *data, *s, *line;
	unsigned char key[32], h[32], mac[32];
	size_t flen, slen;
	json_t *st, *o, *v;
	const char *k;
	FILE *fp;
	char *last, *end;

	snprintf(kpath, sizeof(kpath), "%s/seal.key", f->state);
	st = json_load_file(kpath, 0, NULL);
	if (st == NULL || sodium_hex2bin(key, 32, json_string_value(json_object_get(st, "key")), 64, NULL, NULL,
	    NULL) != 0)
		return -1;
	json_decref(st);
	path_of(f, day, path, sizeof(path));
	if ((data = slurp(path, &flen)) == NULL || flen < 2)
		return -1;
	end = data + flen - 1;		/* the last line's '\n' */
	for (last = end; last > data && last[-1] != '\n'; last--)
		;
	crypto_generichash(h, 32, (unsigned char *)last, (size_t)(end - last), NULL, 0);
	free(data);
	sodium_bin2hex(hex, sizeof(hex), h, 32);
	o = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "seq", seq, "ts", ts, "boot", "b", "mono_ms",
	    (json_int_t)1, "clock", "synced", "type", "airing", "site", SITE, "epoch", day);
	json_object_foreach(fields, k, v)
		json_object_set(o, k, v);
	json_object_set_new(o, "prev", json_string(hex));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	json_decref(fields);
	slen = strlen(s) - 1;		/* without the final '}' */
	crypto_generichash(mac, 32, (unsigned char *)s, slen, key, 32);
	sodium_bin2hex(hex, sizeof(hex), mac, 32);
	line = malloc(slen + 100);
	snprintf(line, slen + 100, "%.*s,\"mac\":\"%s\"}\n", (int)slen, s, hex);
	free(s);
	if ((fp = fopen(path, "a")) == NULL)
		return -1;
	fputs(line, fp);
	fclose(fp);
	free(line);
	return 0;
}

/* an airing whose times are given (not fitted to its record) */
static json_t *
airing_at(const char *sched, const char *start, const char *end)
{
	json_t *o = airing(9, "Bù");

	json_object_set_new(o, "scheduled", json_string(sched));
	json_object_set_new(o, "start", json_string(start));
	json_object_set_new(o, "end", json_string(end));
	return o;
}

/* one good day, 2026-05-10: a boot and an airing, synced */
static struct airlog *
good_day(struct fx *f)
{
	struct airlog *h;

	if (fx_new(f) < 0 || (h = wopen(f)) == NULL)
		return NULL;
	add(h, "boot", NULL, at(2026, 5, 10, 5, 0, 1));
	add(h, "airing", airing(1, "A"), at(2026, 5, 10, 6, 3, 1));
	return h;
}

static void
back_dated_records_made_with_todays_key_are_faults(void)
{
	struct fx f;
	struct airlog *h;
	struct airlog_fault fl;
	struct airlog_clock c;
	char err[256];

	/* through the writer: an airing months ago, logged today */
	if ((h = good_day(&f)) == NULL)
		return;
	c = at(2026, 5, 10, 9, 0, 1);
	json_t *o = airing_at("2026-02-03T06:00:00+07:00", "2026-02-03T06:00:02+07:00", "2026-02-03T06:03:02+07:00");
	EXPECT_INT(airlog_append(h, "airing", o, &c, NULL, err, sizeof(err)), 0);
	json_decref(o);
	airlog_close(h);
	EXPECT_INT(verify(&f, 1, NULL, &fl, NULL), 1);
	EXPECT_INT(fl.seq, 3);
	EXPECT(strstr(fl.what, "back-dated") != NULL);
	fx_free(&f);

	/* by hand: a record dated months before its epoch */
	if ((h = good_day(&f)) == NULL)
		return;
	airlog_close(h);
	EXPECT_INT(forge_with_todays_key(&f, "2026-05-10", 3, "2026-02-03T06:03:05+07:00",
	    airing_at("2026-02-03T06:00:00+07:00", "2026-02-03T06:00:02+07:00", "2026-02-03T06:03:02+07:00")), 0);
	EXPECT_INT(verify(&f, 1, NULL, &fl, NULL), 1);
	EXPECT_INT(fl.seq, 3);
	EXPECT(strstr(fl.what, "outside its epoch 2026-05-10") != NULL);
	fx_free(&f);

	/* by hand: today, but before the synced record it follows */
	if ((h = good_day(&f)) == NULL)
		return;
	airlog_close(h);
	EXPECT_INT(forge_with_todays_key(&f, "2026-05-10", 3, "2026-05-10T05:33:05+07:00",
	    airing_at("2026-05-10T05:30:00+07:00", "2026-05-10T05:30:02+07:00", "2026-05-10T05:33:02+07:00")), 0);
	EXPECT_INT(verify(&f, 1, NULL, &fl, NULL), 1);
	EXPECT_INT(fl.seq, 3);
	EXPECT(strstr(fl.what, "time goes backwards") != NULL);
	fx_free(&f);

	/* the same forgery dated correctly verifies: the checks are about time, not the forging */
	if ((h = good_day(&f)) == NULL)
		return;
	airlog_close(h);
	EXPECT_INT(forge_with_todays_key(&f, "2026-05-10", 3, "2026-05-10T07:33:05+07:00",
	    airing_at("2026-05-10T07:30:00+07:00", "2026-05-10T07:30:02+07:00", "2026-05-10T07:33:02+07:00")), 0);
	EXPECT_INTACT(&f, 1);
	fx_free(&f);
}

static void
a_synced_clock_that_steps_back_is_logged_unsynced_and_verifies(void)
{
	struct fx f;
	struct airlog *h;
	char path[PATH_MAX + 32], *data;
	size_t len;

	if ((h = good_day(&f)) == NULL)
		return;
	add(h, "clock", NULL, at(2026, 5, 10, 5, 50, 1));	/* NTP stepped back 13 minutes */
	airlog_close(h);
	h = wopen(&f);						/* and across a restart */
	add(h, "boot", NULL, at(2026, 5, 10, 5, 55, 1));
	add(h, "boot", NULL, at(2026, 5, 10, 6, 10, 1));	/* past the last synced record again */
	airlog_close(h);
	EXPECT_INTACT(&f, 1);
	path_of(&f, "2026-05-10", path, sizeof(path));
	data = slurp(path, &len);
	EXPECT(data && strstr(data, "\"seq\":3,\"ts\":\"2026-05-10T05:50:00+07:00\"") != NULL);
	EXPECT(data && strstr(strstr(data, "\"seq\":3,"), "\"clock\":\"unsynced\"") != NULL);
	EXPECT(data && strstr(strstr(data, "\"seq\":4,"), "\"clock\":\"unsynced\"") != NULL);
	EXPECT(data && strstr(strstr(data, "\"seq\":5,"), "\"clock\":\"synced\"") != NULL);
	free(data);
	fx_free(&f);
}

static void
a_deleted_tail_is_named_by_the_next_record(void)
{
	struct fx f;
	struct airlog *h;
	struct airlog_fault fl;
	char path[PATH_MAX + 32];

	/* today's file deleted, then a restart */
	if (fx_new(&f) < 0 || (h = wopen(&f)) == NULL)
		return;
	add(h, "boot", NULL, at(2026, 6, 1, 6, 0, 1));
	add(h, "airing", airing(1, "A"), at(2026, 6, 1, 7, 0, 1));
	add(h, "airing", airing(2, "B"), at(2026, 6, 2, 7, 0, 1));	/* seal 3, then 4 */
	add(h, "airing", airing(3, "C"), at(2026, 6, 2, 8, 0, 1));
	airlog_close(h);
	EXPECT_INTACT(&f, 1);
	path_of(&f, "2026-06-02", path, sizeof(path));
	EXPECT_INT(unlink(path), 0);
	EXPECT_INTACT(&f, 1);		/* alone, the log cannot tell */
	if ((h = wopen(&f)) == NULL)
		return;
	{
		long long after = 0, known = 0;
		EXPECT_INT(airlog_lost(h, &after, &known), 1);
		EXPECT_INT(after, 3);
		EXPECT_INT(known, 4);
	}
	add(h, "boot", NULL, at(2026, 6, 2, 9, 0, 1));
	airlog_close(h);
	EXPECT_INT(verify(&f, 1, NULL, &fl, NULL), 1);
	EXPECT_INT(fl.seq, 4);
	EXPECT(strstr(fl.what, "had seen record 4, and the log it found at start ended at record 3") != NULL);
	/* said once: a later restart does not say it again */
	if ((h = wopen(&f)) == NULL)
		return;
	add(h, "boot", NULL, at(2026, 6, 2, 10, 0, 1));
	airlog_close(h);
	{
		char *data;
		size_t len;
		int n = 0;
		path_of(&f, "2026-06-02", path, sizeof(path));
		data = slurp(path, &len);
		for (char *p = data; p && (p = strstr(p, "\"lost\":")) != NULL; p++)
			n++;
		EXPECT_INT(n, 1);
		free(data);
	}
	fx_free(&f);

	/* the last two days' files, seals and all */
	if (fx_new(&f) < 0 || (h = wopen(&f)) == NULL)
		return;
	add(h, "boot", NULL, at(2026, 6, 1, 6, 0, 1));
	add(h, "airing", airing(1, "A"), at(2026, 6, 2, 7, 0, 1));	/* seal 2, 3 */
	add(h, "airing", airing(2, "B"), at(2026, 6, 3, 7, 0, 1));	/* seal 4, 5 */
	airlog_close(h);
	path_of(&f, "2026-06-02", path, sizeof(path));
	unlink(path);
	path_of(&f, "2026-06-03", path, sizeof(path));
	unlink(path);
	EXPECT_INTACT(&f, 1);
	if ((h = wopen(&f)) == NULL)
		return;
	add(h, "boot", NULL, at(2026, 6, 3, 9, 0, 1));
	airlog_close(h);
	EXPECT_INT(verify(&f, 1, NULL, &fl, NULL), 1);
	EXPECT_INT(fl.seq, 3);
	EXPECT(strstr(fl.what, "records were removed from the end of the log") != NULL);
	fx_free(&f);
}

static void
unsynced_or_backward_clock_keeps_the_epoch(void)
{
	struct fx f;
	struct airlog *h;
	char path[PATH_MAX + 32];
	int32_t *days;
	int n;

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	add(h, "boot", NULL, at(2026, 5, 10, 6, 0, 1));
	add(h, "airing", airing(1, "A"), at(2026, 5, 12, 6, 0, 0));	/* unsynced: a later day, same epoch */
	add(h, "airing", airing(2, "B"), at(2025, 1, 1, 6, 0, 1));	/* synced but backwards */
	add(h, "airing", airing(3, "C"), at(1970, 1, 1, 0, 1, 0));	/* the board's boot-time clock */
	airlog_close(h);
	n = airlog_files(f.dir, &days, NULL, 0);
	EXPECT_INT(n, 1);
	EXPECT_INT(n > 0 ? days[0] : 0, date_from_civil(2026, 5, 10));
	free(days);
	path_of(&f, "2026-05-10", path, sizeof(path));
	EXPECT(access(path, F_OK) == 0);
	EXPECT_INTACT(&f, 1);
	fx_free(&f);
}

static void
skipped_days_step_the_key_once_per_day(void)
{
	struct fx f;
	struct airlog *h;
	struct airlog_verify_stats st;

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	add(h, "boot", NULL, at(2026, 4, 1, 6, 0, 1));
	add(h, "boot", NULL, at(2026, 4, 6, 6, 0, 1));	/* off for five days */
	add(h, "boot", NULL, at(2027, 4, 6, 6, 0, 1));	/* and for a year */
	airlog_close(h);
	EXPECT_INT(verify(&f, 1, NULL, NULL, &st), 0);
	EXPECT_INT(st.records, 5);
	EXPECT_INT(st.seals, 2);
	EXPECT_INT(st.files, 3);
	fx_free(&f);
}

static void
first_record_unsynced_takes_its_day_until_the_clock_syncs(void)
{
	struct fx f;
	struct airlog *h;
	int32_t *days;
	int n;

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	add(h, "boot", NULL, at(1970, 1, 1, 7, 0, 0));		/* no RTC, no NTP yet */
	add(h, "clock", NULL, at(2026, 6, 1, 6, 0, 1));		/* NTP: the epoch jumps */
	airlog_close(h);
	n = airlog_files(f.dir, &days, NULL, 0);
	EXPECT_INT(n, 2);
	EXPECT_INT(n == 2 ? days[0] : 0, 0);
	EXPECT_INT(n == 2 ? days[1] : 0, date_from_civil(2026, 6, 1));
	free(days);
	EXPECT_INTACT(&f, 1);
	fx_free(&f);
}

static void
torn_tail_is_acknowledged_by_the_next_record_and_kept(void)
{
	static const char frag[] = "{\"seq\":3,\"ts\":\"2026-03-02T06:0";
	struct fx f;
	struct airlog *h;
	char path[PATH_MAX + 32], *data, hex[65];
	unsigned char hash[32];
	struct airlog_fault fl;
	struct airlog_verify_stats st;
	FILE *fp;
	json_t *rec;

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	add(h, "boot", NULL, at(2026, 3, 2, 5, 0, 1));
	add(h, "airing", airing(1, "A"), at(2026, 3, 2, 6, 0, 1));
	airlog_close(h);
	path_of(&f, "2026-03-02", path, sizeof(path));
	fp = fopen(path, "ab");
	fputs(frag, fp);
	fclose(fp);

	/* before anyone acknowledges it, the verifier reports it, at the record it would have been */
	EXPECT_INT(verify(&f, 1, NULL, &fl, &st), 1);
	EXPECT_INT(fl.seq, 3);
	EXPECT_INT(fl.line, 3);
	EXPECT(strstr(fl.what, "torn tail") != NULL);

	h = wopen(&f);
	EXPECT_INT(airlog_torn(h), 1);
	EXPECT_INT(add(h, "boot", NULL, at(2026, 3, 2, 9, 0, 1)), 0);
	EXPECT_INT(airlog_torn(h), 0);
	EXPECT_INT(airlog_last_seq(h), 3);
	airlog_close(h);

	data = slurp(path, NULL);
	EXPECT(data && strstr(data, frag) != NULL);			/* not deleted */
	EXPECT(data && strstr(data, "T06:0\n{\"seq\":3,") != NULL);	/* ended with '\n', then the record */
	rec = data && strstr(data, "T06:0\n") ? json_loads(strstr(data, "T06:0\n") + 6, JSON_DISABLE_EOF_CHECK,
	    NULL) : NULL;
	if (rec == NULL && data)
		tap_fail(__FILE__, __LINE__, "%s", data);
	crypto_generichash(hash, 32, (const unsigned char *)frag, strlen(frag), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), hash, 32);
	EXPECT_INT(json_integer_value(json_object_get(json_object_get(rec, "torn"), "line")), 3);
	EXPECT_INT(json_integer_value(json_object_get(json_object_get(rec, "torn"), "bytes")), (long long)strlen(frag));
	EXPECT_STR(json_string_value(json_object_get(json_object_get(rec, "torn"), "hash")), hex);
	json_decref(rec);
	free(data);

	EXPECT_INT(verify(&f, 1, NULL, &fl, &st), 0);
	EXPECT_INT(st.records, 3);
	EXPECT_INT(st.torn, 1);
	EXPECT(strstr(st.torn_note, "line 3") != NULL);
	fx_free(&f);
}

/* a whole record whose '\n' never reached the disk was not confirmed: it is torn, not data */
static void
complete_line_without_newline_is_torn_not_a_record(void)
{
	struct fx f;
	struct airlog *h;
	char path[PATH_MAX + 32];
	size_t len;
	char *data;
	int got[8];

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	add(h, "airing", airing(1, "A"), at(2026, 3, 2, 6, 0, 1));
	add(h, "airing", airing(2, "B"), at(2026, 3, 2, 7, 0, 1));
	airlog_close(h);
	path_of(&f, "2026-03-02", path, sizeof(path));
	data = slurp(path, &len);
	spit(path, data, len - 1);
	free(data);
	h = wopen(&f);
	EXPECT_INT(airlog_torn(h), 1);
	EXPECT_INT(airlog_last_seq(h), 1);
	EXPECT_INT(add(h, "airing", airing(3, "C"), at(2026, 3, 2, 8, 0, 1)), 0);
	EXPECT_INT(airlog_last_seq(h), 2);
	airlog_close(h);
	EXPECT_INTACT(&f, 1);
	EXPECT_INT(ns(&f, got, 8, NULL), 2);
	EXPECT_INT(got[0], 1);
	EXPECT_INT(got[1], 3);
	fx_free(&f);
}

/* a torn tail at the end of a day: the seal that closes the day acknowledges it */
static void
torn_tail_before_midnight_is_acknowledged_by_the_seal(void)
{
	struct fx f;
	struct airlog *h;
	char path[PATH_MAX + 32];
	FILE *fp;
	struct airlog_verify_stats st;

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	add(h, "airing", airing(1, "A"), at(2026, 3, 2, 6, 0, 1));
	airlog_close(h);
	path_of(&f, "2026-03-02", path, sizeof(path));
	fp = fopen(path, "ab");
	fputs("{\"seq\":2,\"ts\":\"2026-03-02T23:59:59+07:00\"\n\0\0\0", fp);	/* with a line break inside */
	fclose(fp);
	h = wopen(&f);
	EXPECT_INT(add(h, "boot", NULL, at(2026, 3, 3, 6, 0, 1)), 0);
	EXPECT_INT(airlog_last_seq(h), 3);
	airlog_close(h);
	EXPECT_INT(verify(&f, 1, NULL, NULL, &st), 0);
	EXPECT_INT(st.torn, 1);
	EXPECT_INT(st.seals, 1);
	fx_free(&f);
}

/* a crash test cannot see a missing fsync (the page cache survives _exit): count them */
static void
append_fsyncs_before_it_returns_and_reports_a_failed_fsync(void)
{
	struct fx f;
	struct airlog *h;
	long before;

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	EXPECT_INT(add(h, "boot", NULL, at(2026, 3, 2, 6, 0, 1)), 0);
	durable_fault_set(DURABLE_ANY, 0, DURABLE_NONE);
	before = durable_count(DURABLE_FSYNC);
	EXPECT_INT(add(h, "airing", airing(1, "A"), at(2026, 3, 2, 7, 0, 1)), 0);
	EXPECT_INT(durable_count(DURABLE_FSYNC) - before, 1);
	durable_fault_set(DURABLE_FSYNC, 1, DURABLE_EIO);
	EXPECT_INT(add(h, "airing", airing(2, "B"), at(2026, 3, 2, 8, 0, 1)), -1);
	durable_fault_set(DURABLE_ANY, 0, DURABLE_NONE);
	EXPECT_INT(airlog_torn(h), 1);	/* the unconfirmed line waits for acknowledgment */
	airlog_set_durable(h, 0);
	before = durable_count(DURABLE_FSYNC);
	EXPECT_INT(add(h, "airing", airing(3, "C"), at(2026, 3, 2, 9, 0, 1)), 0);
	EXPECT_INT(durable_count(DURABLE_FSYNC) - before, 0);
	airlog_close(h);
	EXPECT_INTACT(&f, 1);
	fx_free(&f);
}

static void
a_second_writer_is_refused(void)
{
	struct fx f;
	struct airlog *h, *h2;
	char err[256];

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	errno = 0;
	h2 = airlog_open(f.dir, f.state, SITE, err, sizeof(err));
	EXPECT(h2 == NULL);
	EXPECT_INT(errno, EWOULDBLOCK);
	EXPECT(strstr(err, "loaxad") != NULL);
	airlog_close(h2);
	airlog_close(h);
	h = wopen(&f);
	EXPECT(h != NULL);
	airlog_close(h);
	fx_free(&f);
}

static void
open_without_init_says_to_run_log_init(void)
{
	char root[] = "/tmp/loaxa-airlog-XXXXXX", dir[64], st[64], err[256];
	struct airlog *h;

	REQUIRE(mkdtemp(root) != NULL);
	snprintf(dir, sizeof(dir), "%s/log", root);
	snprintf(st, sizeof(st), "%s/state", root);
	h = airlog_open(dir, st, SITE, err, sizeof(err));	/* no state folder at all */
	EXPECT(h == NULL);
	EXPECT(strstr(err, "loaxa log init") != NULL);
	EXPECT(errno != EWOULDBLOCK);
	mkdir(st, 0700);
	h = airlog_open(dir, st, SITE, err, sizeof(err));
	EXPECT(h == NULL);
	EXPECT(strstr(err, "loaxa log init") != NULL);
	airlog_close(h);
	{
		struct fx f = { 0 };
		snprintf(f.root, sizeof(f.root), "%s", root);
		fx_free(&f);
	}
}

static void
a_config_for_another_site_is_refused(void)
{
	struct fx f;
	struct airlog *h;
	char err[256];

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	add(h, "boot", NULL, at(2026, 3, 2, 6, 0, 1));
	airlog_close(h);
	h = airlog_open(f.dir, f.state, "xa-khac", err, sizeof(err));
	EXPECT(h == NULL);
	EXPECT(strstr(err, "belongs to site \"xa-thu\"") != NULL);
	airlog_close(h);
	fx_free(&f);
}

static void
init_refuses_to_replace_keys(void)
{
	struct fx f;
	char hex[65], pub[64], err[256];

	if (fx_new(&f) < 0)
		return;
	EXPECT_INT(airlog_init(f.state, hex, pub, sizeof(pub), err, sizeof(err)), -1);
	EXPECT(strstr(err, "already exists") != NULL);
	{
		char path[PATH_MAX + 32];
		struct stat st;
		snprintf(path, sizeof(path), "%s/device.key", f.state);
		EXPECT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	}
	fx_free(&f);
}

static void
a_removed_log_with_an_advanced_key_is_refused(void)
{
	struct fx f;
	struct airlog *h;
	char err[256], path[PATH_MAX + 32];

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	add(h, "boot", NULL, at(2026, 3, 2, 6, 0, 1));
	add(h, "boot", NULL, at(2026, 3, 3, 6, 0, 1));
	airlog_close(h);
	path_of(&f, "2026-03-02", path, sizeof(path));
	unlink(path);
	path_of(&f, "2026-03-03", path, sizeof(path));
	unlink(path);
	h = airlog_open(f.dir, f.state, SITE, err, sizeof(err));
	EXPECT(h == NULL);
	EXPECT(strstr(err, "no records") != NULL);
	airlog_close(h);
	fx_free(&f);
}

static void
reserved_fields_and_unknown_types_are_refused(void)
{
	struct fx f;
	struct airlog *h;
	char err[256];
	struct airlog_clock c = at(2026, 3, 2, 6, 0, 1);
	json_t *o;

	if (fx_new(&f) < 0)
		return;
	h = wopen(&f);
	o = json_pack("{s:s}", "prev", "x");
	EXPECT_INT(airlog_append(h, "airing", o, &c, NULL, err, sizeof(err)), -1);
	json_decref(o);
	o = json_pack("{s:i}", "seq", 7);
	EXPECT_INT(airlog_append(h, "airing", o, &c, NULL, err, sizeof(err)), -1);
	json_decref(o);
	EXPECT_INT(airlog_append(h, "party", NULL, &c, NULL, err, sizeof(err)), -1);
	EXPECT_INT(airlog_append(h, "seal", NULL, &c, NULL, err, sizeof(err)), -1);
	EXPECT_INT(airlog_last_seq(h), 0);
	airlog_close(h);
	fx_free(&f);
}

/* --- crash points ---------------------------------------------------------- */

/*
 * The sequence every crash point is tried on: an epoch change, an on-demand
 * seal, an unsynced clock, a second epoch change. Each append that returns 0
 * is reported (its n) through fd, or into ok[].
 */
static struct airlog *
crash_sequence(struct fx *f, int fd, int *ok, int *nok)
{
	struct airlog *h;
	char err[256];
	struct airlog_clock c;
	static const struct { int n, day, hh, synced; } steps[] = {
		{ 1, 2, 6, 1 }, { 2, 2, 7, 1 }, { 3, 3, 6, 1 }, { 4, 3, 7, 1 }, { 0, 3, 8, 1 },
		{ 5, 4, 6, 0 }, { 6, 4, 7, 1 }, { 7, 4, 8, 1 },
	};

	if ((h = airlog_open(f->dir, f->state, SITE, err, sizeof(err))) == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int rc;
		c = at(2026, 7, steps[i].day, steps[i].hh, 0, steps[i].synced);
		if (steps[i].n == 0) {
			rc = airlog_seal(h, &c, err, sizeof(err));
		} else {
			json_t *o = fitted(airing(steps[i].n, "Tết"), c);
			rc = airlog_append(h, "airing", o, &c, NULL, err, sizeof(err));
			json_decref(o);
		}
		if (rc == 0 && steps[i].n > 0) {
			if (fd >= 0 && write(fd, &steps[i].n, sizeof(int)) != sizeof(int))
				_exit(3);
			if (ok)
				ok[(*nok)++] = steps[i].n;
		}
	}
	return h;
}

static void
every_enospc_and_eio_point_keeps_the_log_verifiable(void)
{
	static const enum durable_action acts[] = { DURABLE_ENOSPC, DURABLE_EIO };
	int points = 0;

	for (size_t a = 0; a < 2; a++)
		for (long n = 1; n < 200; n++) {
			struct fx f;
			struct airlog *h;
			struct airlog_fault fl;
			struct airlog_verify_stats st;
			int ok[16], nok = 0, got[32], ngot, hit;

			if (fx_new(&f) < 0)
				return;
			durable_fault_set(DURABLE_ANY, n, acts[a]);
			h = crash_sequence(&f, -1, ok, &nok);
			hit = durable_count(DURABLE_ANY) >= n;
			durable_fault_set(DURABLE_ANY, 0, DURABLE_NONE);
			if (h == NULL)
				break;
			/* the writer's next append acknowledges whatever a failed write left */
			EXPECT_INT(add(h, "shutdown", json_pack("{s:i}", "n", 99), at(2026, 7, 4, 23, 0, 1)), 0);
			airlog_close(h);
			if (verify(&f, 1, NULL, &fl, &st) != 0) {
				tap_fail(__FILE__, __LINE__, "fault %zu at op %ld: record %lld (%s line %ld): %s", a, n,
				    fl.seq, fl.file, fl.line, fl.what);
				fx_free(&f);
				return;
			}
			EXPECT(st.torn <= 1);
			ngot = ns(&f, got, 32, NULL);
			/* exactly the appends that returned 0, in order: a failed one is not in the log */
			if (ngot != nok + 1 || got[ngot - 1] != 99 || memcmp(got, ok, sizeof(int) * (size_t)nok) != 0) {
				tap_fail(__FILE__, __LINE__, "fault %zu at op %ld: %d records, %d appends returned 0", a,
				    n, ngot, nok);
				fx_free(&f);
				return;
			}
			fx_free(&f);
			points++;
			if (!hit)
				break;
		}
	EXPECT(points > 40);
}

static void
every_crash_point_keeps_the_log_verifiable(void)
{
	int points = 0;

	for (long n = 1; n < 200; n++) {
		struct fx f;
		struct airlog *h;
		struct airlog_fault fl;
		struct airlog_verify_stats st;
		int p[2], ok[16], nok = 0, got[32], ngot, status, v, extra;
		pid_t pid;

		if (fx_new(&f) < 0 || pipe(p) < 0)
			return;
		fflush(stdout);
		if ((pid = fork()) == 0) {
			close(p[0]);
			durable_fault_set(DURABLE_ANY, n, DURABLE_EXIT);
			airlog_close(crash_sequence(&f, p[1], NULL, NULL));
			_exit(0);
		}
		close(p[1]);
		while (read(p[0], &v, sizeof(v)) == sizeof(v))
			ok[nok++] = v;
		close(p[0]);
		waitpid(pid, &status, 0);
		EXPECT(WIFEXITED(status));
		if ((h = wopen(&f)) == NULL)
			break;
		EXPECT_INT(add(h, "boot", json_pack("{s:i}", "n", 99), at(2026, 7, 5, 6, 0, 1)), 0);
		airlog_close(h);
		if (verify(&f, 1, NULL, &fl, &st) != 0) {
			tap_fail(__FILE__, __LINE__, "crash at op %ld: record %lld (%s line %ld): %s", n, fl.seq, fl.file,
			    fl.line, fl.what);
			fx_free(&f);
			return;
		}
		ngot = ns(&f, got, 32, NULL);
		/* every confirmed append is there; at most the one in flight besides */
		extra = ngot - 1 - nok;
		if (extra < 0 || extra > 1 || memcmp(got, ok, sizeof(int) * (size_t)nok) != 0) {
			tap_fail(__FILE__, __LINE__, "crash at op %ld: %d records, %d appends returned 0", n, ngot, nok);
			fx_free(&f);
			return;
		}
		fx_free(&f);
		points++;
		if (WEXITSTATUS(status) == 0)
			break;		/* ran to the end: no crash point left */
		EXPECT_INT(WEXITSTATUS(status), DURABLE_EXIT_STATUS);
	}
	EXPECT(points > 20);
}

/* --- tampering ------------------------------------------------------------- */

static void
flip(const char *path, size_t off)
{
	int fd = open(path, O_RDWR);
	unsigned char b;

	if (fd < 0)
		return;
	if (pread(fd, &b, 1, (off_t)off) == 1) {
		b ^= 0x01;
		if (pwrite(fd, &b, 1, (off_t)off) != 1)
			tap_fail(__FILE__, __LINE__, "pwrite");
	}
	close(fd);
}

static void
flipping_any_byte_is_found_at_that_record(void)
{
	/* first record, the torn acknowledgment, an airing in Vietnamese, the on-demand seal, the last */
	static const long long targets[] = { 1, 6, 8, 11, 15 };
	struct fx f;
	char *cp = NULL;

	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0)
		return;
	EXPECT_INTACT(&f, 1);
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		char path[PATH_MAX + 32];
		size_t off, len;

		if (locate(&f, targets[t], path, sizeof(path), &off, &len) < 0) {
			tap_fail(__FILE__, __LINE__, "record %lld not found", targets[t]);
			continue;
		}
		for (size_t p = off; p <= off + len; p++) {	/* every byte and the '\n' */
			struct airlog_fault fl;
			struct airlog_verify_stats st;
			int rc;

			flip(path, p);
			rc = verify(&f, 1, NULL, &fl, &st);
			flip(path, p);
			if (rc != 1 || fl.seq != targets[t]) {
				tap_fail(__FILE__, __LINE__, "record %lld byte %zu: verify %d, fault at record %lld: %s",
				    targets[t], p - off, rc, fl.seq, fl.what);
				break;
			}
		}
	}
	EXPECT_INTACT(&f, 1);
	free(cp);
	fx_free(&f);
}

/* without the seed the chain still shows it, at the record or the next one */
static void
flipping_any_byte_breaks_the_chain_without_the_seed(void)
{
	static const long long targets[] = { 2, 8, 13 };
	struct fx f;
	char *cp = NULL;
	long flips = 0;

	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0)
		return;
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		char path[PATH_MAX + 32];
		size_t off, len;

		if (locate(&f, targets[t], path, sizeof(path), &off, &len) < 0) {
			tap_fail(__FILE__, __LINE__, "record %lld not found", targets[t]);
			continue;
		}
		for (size_t p = off; p <= off + len; p++, flips++) {
			struct airlog_fault fl;
			int rc;

			flip(path, p);
			rc = verify(&f, 0, NULL, &fl, NULL);
			flip(path, p);
			if (rc != 1 || (fl.seq != targets[t] && fl.seq != targets[t] + 1)) {
				tap_fail(__FILE__, __LINE__, "record %lld byte %zu: verify %d, fault at %lld: %s", targets[t],
				    p - off, rc, fl.seq, fl.what);
				break;
			}
		}
	}
	EXPECT(flips > 300);	/* three whole records, every byte */
	free(cp);
	fx_free(&f);
}

/* rewrites the file holding `seq` with lines reordered: op 'd' delete, 'i' repeat, 's' swap with the next */
static int
edit_line(struct fx *f, long long seq, int op)
{
	char path[PATH_MAX + 32], *data, *out;
	size_t off, len, flen, n = 0;

	if (locate(f, seq, path, sizeof(path), &off, &len) < 0 || (data = slurp(path, &flen)) == NULL)
		return -1;
	out = malloc(flen * 2 + 2);
	memcpy(out, data, off);
	n = off;
	if (op == 'i') {
		memcpy(out + n, data + off, len + 1);
		n += len + 1;
		memcpy(out + n, data + off, flen - off);
		n += flen - off;
	} else if (op == 'd') {
		memcpy(out + n, data + off + len + 1, flen - off - len - 1);
		n += flen - off - len - 1;
	} else {
		char *next = data + off + len + 1, *nl = memchr(next, '\n', (size_t)(data + flen - next));
		size_t nlen = (size_t)(nl - next) + 1;
		memcpy(out + n, next, nlen);
		n += nlen;
		memcpy(out + n, data + off, len + 1);
		n += len + 1;
		memcpy(out + n, next + nlen, (size_t)(data + flen - next) - nlen);
		n += (size_t)(data + flen - next) - nlen;
	}
	spit(path, out, n);
	free(out);
	free(data);
	return 0;
}

static void
deleted_repeated_and_swapped_records_are_found_where_they_were(void)
{
	static const struct { long long seq; int op; const char *what; } cases[] = {
		{ 3, 'd', "sequence gap" }, { 10, 'd', "sequence gap" }, { 7, 'd', "sequence gap" },
		{ 3, 'i', "again" }, { 9, 'i', "again" }, { 3, 's', "record 4 where 3" }, { 8, 's', "record 9" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx f;
		struct airlog_fault fl;
		char *cp = NULL;
		long long at_ = cases[i].op == 'i' ? cases[i].seq + 1 : cases[i].seq;

		if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0)
			return;
		EXPECT_INT(edit_line(&f, cases[i].seq, cases[i].op), 0);
		EXPECT_INT(verify(&f, 0, NULL, &fl, NULL), 1);
		if (fl.seq != at_ || strstr(fl.what, cases[i].what) == NULL)
			tap_fail(__FILE__, __LINE__, "%c %lld: record %lld: %s", cases[i].op, cases[i].seq, fl.seq,
			    fl.what);
		free(cp);
		fx_free(&f);
	}
}

static void
a_record_moved_between_files_is_found(void)
{
	struct fx f;
	struct airlog_fault fl;
	char *cp = NULL, path[PATH_MAX + 32], *d2, *d3, *nl;
	size_t l2, l3;

	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0)
		return;
	/* the seal that closes 2026-01-03 (record 13) moved to the top of 2026-01-04: order unchanged */
	path_of(&f, "2026-01-03", path, sizeof(path));
	d2 = slurp(path, &l2);
	path_of(&f, "2026-01-04", path, sizeof(path));
	d3 = slurp(path, &l3);
	d2[l2 - 1] = '\0';
	nl = strrchr(d2, '\n') + 1;
	{
		char *joined = malloc(l3 + (size_t)(d2 + l2 - nl) + 1);
		size_t sl = (size_t)(d2 + l2 - nl);
		memcpy(joined, nl, sl - 1);
		joined[sl - 1] = '\n';
		memcpy(joined + sl, d3, l3);
		spit(path, joined, l3 + sl);
		free(joined);
	}
	path_of(&f, "2026-01-03", path, sizeof(path));
	spit(path, d2, (size_t)(nl - d2));
	EXPECT_INT(verify(&f, 0, NULL, &fl, NULL), 1);
	EXPECT_INT(fl.seq, 13);
	EXPECT(strstr(fl.what, "moved between files") != NULL);
	free(d2);
	free(d3);
	free(cp);
	fx_free(&f);
}

static void
a_log_cut_short_is_found_with_a_checkpoint_only(void)
{
	struct fx f;
	struct airlog_fault fl;
	struct airlog_verify_stats st;
	char *cp = NULL, path[PATH_MAX + 32], cpath[PATH_MAX + 32];

	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0)
		return;
	snprintf(cpath, sizeof(cpath), "%s/checkpoint.json", f.root);
	EXPECT_INT(verify(&f, 1, cpath, &fl, &st), 0);
	EXPECT_INT(st.checkpoint_ok, 1);
	EXPECT_INT(st.checkpoint_seq, 10);
	/* cut everything after 2026-01-03's record 9: the chain alone cannot tell */
	path_of(&f, "2026-01-04", path, sizeof(path));
	unlink(path);
	for (long long s = 13; s >= 10; s--)
		edit_line(&f, s, 'd');
	EXPECT_INT(verify(&f, 1, NULL, &fl, &st), 0);
	EXPECT_INT(st.last_seq, 9);
	EXPECT_INT(verify(&f, 1, cpath, &fl, &st), 1);
	EXPECT(strstr(fl.what, "truncated") != NULL);
	EXPECT(strstr(fl.what, "record 10") != NULL);
	EXPECT_INT(fl.seq, 10);
	free(cp);
	fx_free(&f);
}

static void
a_rewritten_log_fails_an_older_checkpoint(void)
{
	struct fx f, g;
	struct airlog_fault fl;
	char *cp = NULL, *cp2 = NULL, cpath[PATH_MAX + 32];
	struct airlog_verify_opts o = { 0 };
	struct airlog_verify_stats st;

	/* g is the same history written again on another board's keys: internally flawless */
	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0 || fx_new(&g) < 0 || make_fixture(&g, &cp2) < 0)
		return;
	snprintf(cpath, sizeof(cpath), "%s/checkpoint.json", f.root);
	o.checkpoint_path = cpath;
	EXPECT_INT(airlog_verify(g.dir, NULL, &fl, &st), 0);
	EXPECT_INT(airlog_verify(g.dir, &o, &fl, &st), 1);
	EXPECT_INT(fl.seq, 10);
	EXPECT(strstr(fl.what, "checkpoint") != NULL);
	free(cp);
	free(cp2);
	fx_free(&f);
	fx_free(&g);
}

static void
a_wrong_seed_or_device_key_is_found(void)
{
	struct fx f, g;
	struct airlog_fault fl;
	struct airlog_verify_stats st;
	char *cp = NULL;
	unsigned char k[1][32];
	struct airlog_verify_opts o = { 0 };

	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0 || fx_new(&g) < 0)
		return;
	o.seed = g.seed;
	EXPECT_INT(airlog_verify(f.dir, &o, &fl, &st), 1);
	EXPECT_INT(fl.seq, 1);
	EXPECT(strstr(fl.what, "MAC") != NULL);
	memset(&o, 0, sizeof(o));
	sodium_base642bin(k[0], 32, g.pub + 8, strlen(g.pub + 8), NULL, NULL, NULL, sodium_base64_VARIANT_ORIGINAL);
	o.trusted_keys = (const unsigned char (*)[32])k;
	o.ntrusted = 1;
	EXPECT_INT(airlog_verify(f.dir, &o, &fl, &st), 1);
	EXPECT_INT(fl.seq, 7);	/* the first seal */
	EXPECT(strstr(fl.what, "not the board's device key") != NULL);
	sodium_base642bin(k[0], 32, f.pub + 8, strlen(f.pub + 8), NULL, NULL, NULL, sodium_base64_VARIANT_ORIGINAL);
	EXPECT_INT(airlog_verify(f.dir, &o, &fl, &st), 0);
	EXPECT_INT(st.key_pinned, 1);
	EXPECT_INT(st.seals, 3);
	free(cp);
	fx_free(&f);
	fx_free(&g);
}

/*
 * A forger without the seed: deletes record `del` and renumbers and
 * re-chains every later record (seq, prev), leaving the MACs stale. Torn
 * regions are kept as they are.
 */
static void
forge_rechain(struct fx *f, long long del)
{
	int32_t *days;
	int n = airlog_files(f->dir, &days, NULL, 0);
	unsigned char prev[32] = { 0 };
	long long seq = 0;

	for (int i = 0; i < n; i++) {
		char name[17], path[PATH_MAX + 32], *data, *out;
		size_t flen, on = 0;

		airlog_file_name(days[i], name);
		snprintf(path, sizeof(path), "%s/%s", f->dir, name);
		data = slurp(path, &flen);
		out = malloc(flen * 2 + 64);
		for (char *p = data; p < data + flen; ) {
			char *nl = memchr(p, '\n', (size_t)(data + flen - p)), hex[65], *s;
			size_t l = (size_t)(nl - p);
			json_t *rec = json_loadb(p, l, 0, NULL);
			if (rec && json_integer_value(json_object_get(rec, "seq")) == del) {
				json_decref(rec);
				p = nl + 1;
				continue;
			}
			if (rec == NULL || json_object_get(rec, "torn") || (json_object_get(rec, "mac") &&
			    json_integer_value(json_object_get(rec, "seq")) <= seq)) {
				/* torn fragments and their acknowledgment stay as written */
				memcpy(out + on, p, l + 1);
				on += l + 1;
				if (rec && json_object_get(rec, "torn")) {
					seq = json_integer_value(json_object_get(rec, "seq"));
					crypto_generichash(prev, 32, (unsigned char *)p, l, NULL, 0);
				}
				json_decref(rec);
				p = nl + 1;
				continue;
			}
			sodium_bin2hex(hex, sizeof(hex), prev, 32);
			json_object_set_new(rec, "seq", json_integer(++seq));
			json_object_set_new(rec, "prev", json_string(hex));
			s = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
			crypto_generichash(prev, 32, (unsigned char *)s, strlen(s), NULL, 0);
			memcpy(out + on, s, strlen(s));
			on += strlen(s);
			out[on++] = '\n';
			free(s);
			json_decref(rec);
			p = nl + 1;
		}
		spit(path, out, on);
		free(out);
		free(data);
	}
	free(days);
}

static void
a_rechained_forgery_is_caught_by_the_mac_or_the_seals(void)
{
	struct fx f;
	struct airlog_fault fl;
	struct airlog_verify_stats st;
	char *cp = NULL;

	/* the seal closing 2026-01-03 removed: the next epoch opens unsealed */
	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0)
		return;
	forge_rechain(&f, 13);
	EXPECT_INT(verify(&f, 0, NULL, &fl, NULL), 1);
	EXPECT_INT(fl.seq, 13);
	EXPECT(strstr(fl.what, "no closing seal") != NULL);
	EXPECT_INT(verify(&f, 1, NULL, &fl, NULL), 1);
	EXPECT_INT(fl.seq, 13);
	free(cp);
	fx_free(&f);

	/* an airing before a seal removed: the seal no longer describes what precedes it */
	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0)
		return;
	forge_rechain(&f, 9);
	EXPECT_INT(verify(&f, 0, NULL, &fl, NULL), 1);
	EXPECT_INT(fl.seq, 10);		/* the seal, renumbered */
	EXPECT(strstr(fl.what, "seal") != NULL);
	free(cp);
	fx_free(&f);

	/* after the last seal only the MACs (the seed) can tell */
	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0)
		return;
	forge_rechain(&f, 14);
	EXPECT_INT(verify(&f, 0, NULL, &fl, &st), 0);
	EXPECT_INT(st.records, 14);
	EXPECT_INT(verify(&f, 1, NULL, &fl, NULL), 1);
	EXPECT_INT(fl.seq, 14);
	EXPECT(strstr(fl.what, "MAC") != NULL);
	free(cp);
	fx_free(&f);
}

/*
 * A forger without the seed or the device key: edits record `target`'s title
 * and recomputes what needs no key the way the writer does: every later
 * record's prev and (heads) every later seal's head (its count is unchanged), each
 * line re-serialised as the writer serialises it. MACs and signatures stay
 * as they were. Records before `target`, torn fragments and their
 * acknowledgments keep their bytes. 0 when the record was found and edited.
 */
static int
forge_edit_and_reseal(struct fx *f, long long target, int heads)
{
	int32_t *days;
	int n = airlog_files(f->dir, &days, NULL, 0), edited = 0;
	unsigned char head[32] = { 0 };

	for (int i = 0; i < n; i++) {
		char name[17], path[PATH_MAX + 32], *data, *out;
		size_t flen, on = 0;

		airlog_file_name(days[i], name);
		snprintf(path, sizeof(path), "%s/%s", f->dir, name);
		if ((data = slurp(path, &flen)) == NULL || (out = malloc(flen * 2 + 64)) == NULL) {
			free(data);
			free(days);
			return -1;
		}
		for (char *p = data; p < data + flen; ) {
			char *nl = memchr(p, '\n', (size_t)(data + flen - p)), hex[65], *s;
			size_t l = (size_t)((nl ? nl : data + flen) - p);
			json_t *rec = json_loadb(p, l, 0, NULL);
			long long seq = json_integer_value(json_object_get(rec, "seq"));

			if (rec == NULL || json_object_get(rec, "mac") == NULL || seq < target) {
				/* kept as written; a record's line still moves the chain's head */
				memcpy(out + on, p, l);
				on += l;
				out[on++] = '\n';
				if (rec && json_object_get(rec, "mac"))
					crypto_generichash(head, 32, (unsigned char *)p, l, NULL, 0);
				json_decref(rec);
				p = nl ? nl + 1 : data + flen;
				continue;
			}
			sodium_bin2hex(hex, sizeof(hex), head, 32);
			if (seq == target) {
				const char *t = json_string_value(json_object_get(rec, "title"));
				char forged[256];
				snprintf(forged, sizeof(forged), "%s (forged)", t ? t : "");
				json_object_set_new(rec, "title", json_string(forged));
				edited = 1;
			} else {
				json_object_set_new(rec, "prev", json_string(hex));
			}
			if (heads && json_object_get(rec, "head"))	/* a seal: the head it signs is the prev it follows */
				json_object_set_new(rec, "head", json_string(hex));
			s = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
			crypto_generichash(head, 32, (unsigned char *)s, strlen(s), NULL, 0);
			memcpy(out + on, s, strlen(s));
			on += strlen(s);
			out[on++] = '\n';
			free(s);
			json_decref(rec);
			p = nl ? nl + 1 : data + flen;
		}
		spit(path, out, on);
		free(out);
		free(data);
	}
	free(days);
	return edited ? 0 : -1;
}

/*
 * Only the seals' Ed25519 signatures stand between this forgery and an
 * intact log when no seed is given: the chain and the heads are consistent.
 */
static void
an_edit_with_chain_and_seal_heads_recomputed_fails_the_seal_signature(void)
{
	struct fx f;
	struct airlog_fault fl;
	struct airlog_verify_stats st;
	char *cp = NULL;

	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0) {
		tap_fail(__FILE__, __LINE__, "the fixture could not be made");
		return;
	}
	EXPECT_INT(forge_edit_and_reseal(&f, 8, 1), 0);
	memset(&fl, 0, sizeof(fl));
	EXPECT_INT(verify(&f, 0, NULL, &fl, &st), 1);
	/* the first seal after the edit (11, on demand) signs the old head */
	EXPECT_INT(fl.seq, 11);
	EXPECT(strstr(fl.what, "seal signature is not valid") != NULL);
	/* with the seed the edited record itself is found */
	EXPECT_INT(verify(&f, 1, NULL, &fl, NULL), 1);
	EXPECT_INT(fl.seq, 8);
	EXPECT(strstr(fl.what, "MAC") != NULL);
	free(cp);
	fx_free(&f);
}

/* the same forgery with the seals left whole (head and signature agree): the head must be the chain's */
static void
an_edit_under_a_seal_left_whole_fails_the_seal_head(void)
{
	struct fx f;
	struct airlog_fault fl;
	struct airlog_verify_stats st;
	char *cp = NULL;

	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0) {
		tap_fail(__FILE__, __LINE__, "the fixture could not be made");
		return;
	}
	EXPECT_INT(forge_edit_and_reseal(&f, 8, 0), 0);
	memset(&fl, 0, sizeof(fl));
	EXPECT_INT(verify(&f, 0, NULL, &fl, &st), 1);
	EXPECT_INT(fl.seq, 11);
	EXPECT(strstr(fl.what, "seal does not describe the records before it") != NULL);
	free(cp);
	fx_free(&f);
}

/* a checkpoint moved to another record of the same log, its signature left: refused */
static void
a_checkpoint_repointed_without_the_key_is_refused(void)
{
	struct fx f;
	struct airlog_fault fl;
	struct airlog_verify_stats st;
	struct airlog_verify_opts o = { 0 };
	char *cp = NULL, cpath[PATH_MAX + 32], path[PATH_MAX + 32], hex[65], *data, *s;
	size_t off, len, flen;
	unsigned char h[32];
	json_t *j;

	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0) {
		tap_fail(__FILE__, __LINE__, "the fixture could not be made");
		return;
	}
	snprintf(cpath, sizeof(cpath), "%s/checkpoint.json", f.root);
	o.checkpoint_path = cpath;
	/* the genuine checkpoint (record 10) is accepted: the test can tell the two apart */
	EXPECT_INT(airlog_verify(f.dir, &o, &fl, &st), 0);
	EXPECT_INT(st.checkpoint_ok, 1);
	/* record 9's seq and true head: consistent with the log, but not what was signed */
	j = json_loads(cp, 0, NULL);
	EXPECT(j != NULL && locate(&f, 9, path, sizeof(path), &off, &len) == 0);
	if (j == NULL || (data = slurp(path, &flen)) == NULL) {
		json_decref(j);
		free(cp);
		fx_free(&f);
		return;
	}
	crypto_generichash(h, 32, (unsigned char *)data + off, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, 32);
	json_object_set_new(j, "seq", json_integer(9));
	json_object_set_new(j, "head", json_string(hex));
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	spit(cpath, s, strlen(s));
	memset(&st, 0, sizeof(st));
	EXPECT(airlog_verify(f.dir, &o, &fl, &st) != 0);
	EXPECT_INT(st.checkpoint_ok, 0);
	EXPECT(strstr(fl.what, "no valid signature") != NULL);
	free(s);
	free(data);
	json_decref(j);
	free(cp);
	fx_free(&f);
}

static void
an_unparseable_line_not_acknowledged_is_a_fault(void)
{
	struct fx f;
	struct airlog_fault fl;
	char *cp = NULL, path[PATH_MAX + 32];
	size_t off, len;
	char *data, *out;
	size_t flen;

	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0)
		return;
	/* junk inserted before record 9 */
	locate(&f, 9, path, sizeof(path), &off, &len);
	data = slurp(path, &flen);
	out = malloc(flen + 8);
	memcpy(out, data, off);
	memcpy(out + off, "junk\n", 5);
	memcpy(out + off + 5, data + off, flen - off);
	spit(path, out, flen + 5);
	EXPECT_INT(verify(&f, 0, NULL, &fl, NULL), 1);
	EXPECT_INT(fl.seq, 9);
	EXPECT(strstr(fl.what, "not a record") != NULL);
	free(out);
	free(data);
	free(cp);
	fx_free(&f);
}

static void
the_reader_skips_acknowledged_torn_writes(void)
{
	struct fx f;
	char *cp = NULL, err[256];
	struct airlog_iter *it;
	json_t *rec;
	const char *line, *file;
	size_t len;
	long lineno;
	int r, records = 0, torn = 0;

	if (fx_new(&f) < 0 || make_fixture(&f, &cp) < 0)
		return;
	it = airlog_iter_open(f.dir, err, sizeof(err));
	while ((r = airlog_iter_next(it, &rec, &line, &len)) != 0) {
		if (r == 1) {
			EXPECT_INT(json_integer_value(json_object_get(rec, "seq")), ++records);
		} else {
			EXPECT_INT(airlog_iter_torn(it), 1);
			airlog_iter_where(it, &file, &lineno);
			EXPECT_STR(file, "2026-01-02.jsonl");
			EXPECT_INT(lineno, 6);
			torn++;
		}
	}
	airlog_iter_close(it);
	EXPECT_INT(records, 15);
	EXPECT_INT(torn, 1);
	free(cp);
	fx_free(&f);
}

/* --- helpers for the shell tests and the benchmark -------------------------- */

static int
fixture_main(const char *root)
{
	struct fx f;
	char hex[65], err[256], *cp = NULL;

	memset(&f, 0, sizeof(f));
	snprintf(f.root, sizeof(f.root), "%s", root);
	snprintf(f.dir, sizeof(f.dir), "%s/airlog", root);
	snprintf(f.state, sizeof(f.state), "%s/state", root);
	if (airlog_init(f.state, hex, f.pub, sizeof(f.pub), err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	sodium_hex2bin(f.seed, 32, hex, 64, NULL, NULL, NULL);
	if (make_fixture(&f, &cp) < 0)
		return 1;
	printf("seed %s\npub %s\n", hex, f.pub);
	free(cp);
	return 0;
}

static int
bulk_main(const char *root, long n, int durable)
{
	struct fx f;
	char hex[65], err[256];
	struct airlog *h;

	memset(&f, 0, sizeof(f));
	snprintf(f.dir, sizeof(f.dir), "%s/airlog", root);
	snprintf(f.state, sizeof(f.state), "%s/state", root);
	if (airlog_init(f.state, hex, f.pub, sizeof(f.pub), err, sizeof(err)) < 0 ||
	    (h = airlog_open(f.dir, f.state, SITE, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	airlog_set_durable(h, durable);
	for (long i = 0; i < n; i++) {
		struct airlog_clock c = at(2026, 1, 1, 5, 0, 1);
		json_t *o = airing((int)i, "Quy định mới về xử phạt vi phạm hành chính");
		c.realtime_s += (i / 400) * 86400 + (i % 400) * 60;
		fitted(o, c);
		if (airlog_append(h, "airing", o, &c, NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		json_decref(o);
	}
	airlog_close(h);
	printf("%s\n", hex);
	return 0;
}

static int
parse_main(const char *dir)
{
	int32_t *days;
	int n = airlog_files(dir, &days, NULL, 0);
	struct timespec t0, t1;
	double secs = 0;

	for (int i = 0; i < n; i++) {
		char name[17], path[PATH_MAX];
		size_t len;
		char *data;

		airlog_file_name(days[i], name);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if ((data = slurp(path, &len)) == NULL)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (char *p = data, *nl; p < data + len; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(data + len - p));
			json_decref(json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, NULL));
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		free(data);
	}
	free(days);
	printf("%.3f\n", secs);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--parse-only") == 0)
		return parse_main(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--fixture") == 0)
		return fixture_main(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "--bulk") == 0)
		return bulk_main(argv[2], atol(argv[3]), !(argc > 4 && strcmp(argv[4], "--nosync") == 0));
	tap_plan(34);
	TEST(appends_continue_gapless_after_reopen);
	TEST(records_follow_the_documented_format_and_key_schedule);
	TEST(epoch_advance_seals_the_old_file_and_erases_its_key);
	TEST(unsynced_or_backward_clock_keeps_the_epoch);
	TEST(back_dated_records_made_with_todays_key_are_faults);
	TEST(a_deleted_tail_is_named_by_the_next_record);
	TEST(a_synced_clock_that_steps_back_is_logged_unsynced_and_verifies);
	TEST(skipped_days_step_the_key_once_per_day);
	TEST(first_record_unsynced_takes_its_day_until_the_clock_syncs);
	TEST(torn_tail_is_acknowledged_by_the_next_record_and_kept);
	TEST(complete_line_without_newline_is_torn_not_a_record);
	TEST(torn_tail_before_midnight_is_acknowledged_by_the_seal);
	TEST(append_fsyncs_before_it_returns_and_reports_a_failed_fsync);
	TEST(a_second_writer_is_refused);
	TEST(open_without_init_says_to_run_log_init);
	TEST(a_config_for_another_site_is_refused);
	TEST(init_refuses_to_replace_keys);
	TEST(a_removed_log_with_an_advanced_key_is_refused);
	TEST(reserved_fields_and_unknown_types_are_refused);
	TEST(every_enospc_and_eio_point_keeps_the_log_verifiable);
	TEST(every_crash_point_keeps_the_log_verifiable);
	TEST(flipping_any_byte_is_found_at_that_record);
	TEST(flipping_any_byte_breaks_the_chain_without_the_seed);
	TEST(deleted_repeated_and_swapped_records_are_found_where_they_were);
	TEST(a_record_moved_between_files_is_found);
	TEST(a_log_cut_short_is_found_with_a_checkpoint_only);
	TEST(a_rewritten_log_fails_an_older_checkpoint);
	TEST(a_wrong_seed_or_device_key_is_found);
	TEST(a_rechained_forgery_is_caught_by_the_mac_or_the_seals);
	TEST(an_edit_with_chain_and_seal_heads_recomputed_fails_the_seal_signature);
	TEST(an_edit_under_a_seal_left_whole_fails_the_seal_head);
	TEST(a_checkpoint_repointed_without_the_key_is_refused);
	TEST(an_unparseable_line_not_acknowledged_is_a_fault);
	TEST(the_reader_skips_acknowledged_torn_writes);
	return tap_done();
}
