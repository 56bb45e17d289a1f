/*
 * logline: one JSON object per line, by yajl's events, into a flat list.
 * What it must accept and refuse is what jansson's json_loadb with
 * JSON_REJECT_DUPLICATES does (the writer's library): checked case by case
 * and on thousands of mutations of a real airing record, both parsers side
 * by side.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/logline.h"
#include "tests/unit/tap.h"

static const char record[] = "{\"seq\":17,\"ts\":\"2026-09-01T06:00:04+07:00\",\"boot\":\"b\",\"mono_ms\":5000,"
    "\"clock\":\"synced\",\"type\":\"airing\",\"site\":\"cb-hoa-an\",\"epoch\":\"2026-09-01\",\"session\":\"morning\","
    "\"period\":\"harvest\",\"duration_ms\":93400,\"title\":\"Quy định mới về xử phạt \\\"buôn lậu\\\"\\n\","
    "\"gain_db\":-2.5,\"amplifier\":\"on\",\"torn\":{\"line\":3,\"bytes\":12,\"hash\":\"ab\"},\"list\":[1,\"x\",null,"
    "true,false,{\"k\":1.5e3}],\"prev\":\"00\",\"mac\":\"ff\"}";

static int
parse(struct logline *j, const char *s)
{
	return logline_parse(j, s, strlen(s));
}

static void
a_record_becomes_its_fields_in_order(void)
{
	struct logline j;
	const struct logline_field *f, *t;
	long long v;

	logline_init(&j);
	EXPECT_INT(parse(&j, record), 0);
	EXPECT_STR(j.f[0].key, "seq");
	EXPECT_INT(j.f[0].type, LOGLINE_INTEGER);
	EXPECT_INT(j.f[0].i, 17);
	EXPECT_STR(logline_str(&j, "ts"), "2026-09-01T06:00:04+07:00");
	EXPECT_STR(logline_str(&j, "title"), "Quy định mới về xử phạt \"buôn lậu\"\n");
	EXPECT_INT(logline_int(&j, "duration_ms", &v), 0);
	EXPECT_INT(v, 93400);
	EXPECT(logline_str(&j, "duration_ms") == NULL);
	EXPECT_INT(logline_int(&j, "title", &v), -1);
	f = logline_get(&j, "gain_db");
	EXPECT(f != NULL && f->type == LOGLINE_REAL && logline_real(f) == -2.5);
	t = logline_get(&j, "torn");
	EXPECT(t != NULL && t->type == LOGLINE_OBJECT);
	if (t) {
		f = logline_member(&j, (int)(t - j.f), "bytes");
		EXPECT(f != NULL && f->type == LOGLINE_INTEGER && f->i == 12);
		EXPECT(logline_member(&j, (int)(t - j.f), "seq") == NULL);	/* a member of the record, not of torn */
	}
	f = logline_get(&j, "list");
	EXPECT(f != NULL && f->type == LOGLINE_ARRAY);
	if (f) {
		int a = (int)(f - j.f), n = 0;
		for (int i = a + 1; i < j.n; i++)
			if (j.f[i].parent == a) {
				EXPECT(j.f[i].key == NULL);
				n++;
			}
		EXPECT_INT(n, 6);
	}
	EXPECT(logline_get(&j, "k") == NULL);	/* nested: not a top-level member */
	EXPECT_STR(j.f[j.n - 1].key, "mac");
	EXPECT_INT(j.f[j.n - 1].parent, -1);
	logline_free(&j);
}

static void
what_jansson_refuses_is_refused(void)
{
	static const char *const bad[] = {
		"", " ", "[]", "17", "\"x\"", "null", "{", "{\"a\":1", "{\"a\":1,}", "{\"a\":1}{\"b\":2}", "{\"a\":1} 5",
		"{\"a\":1} x", "{\"a\":1,\"a\":2}", "{\"t\":{\"x\":1,\"x\":2}}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":NaN}",
		"{\"a\":99999999999999999999}", "{\"a\":-99999999999999999999}", "{\"a\":1e999}", "{\"a\":\"\xff\"}",
		"{\"a\":\"\xc3\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{/* c */\"a\":1}", "{'a':1}", "{a:1}",
		"{\"a\":\"tab\there\"}", "{\"a\":tru}", "{\"a\":\"\\u0000\"}", "{\"a\":\"x\\udc00\"}",
		/* overlong and surrogate UTF-8, which yajl lets through (found by fuzz_airlog) */
		"{\"a\":\"\xc0\x9c\"}", "{\"a\":\"\xe0\x80\xaf\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"\xc0\x9c\":1}",
		/* form feed and vertical tab, white space to yajl only (found by fuzz_airlog) */
		"{\"a\":1}\f", "\v{\"a\":1}", "{\"a\":\f1}", NULL,
	};
	/* jansson ends its input at a NUL after a value and takes the rest for nothing (found by fuzz_airlog):
	 * logline_load refuses a NUL anywhere, as logline does */
#define NUL_LINE(s) { s, sizeof(s) - 1 }
	static const struct { const char *s; size_t n; } nul[] = {
		NUL_LINE("{\"a\":1\0}"), NUL_LINE("{\"a\":1.5\0,\"b\":2}"), NUL_LINE("{\"a\":true\0}"),
		NUL_LINE("{\"a\":1}\0"),
	};
	static const char *const good[] = {
		"{}", " {\"a\" : 1 } ", "{\"a\":\"\\u0041\\u00e9\\ud83d\\ude00\"}", "{\"a\":-0,\"b\":1.25e-3,\"c\":[]}",
		"{\"a\":9223372036854775807}", "{\"a\":{\"a\":{\"a\":1}}}", "{\"\":1}", "{\"a\":\"\\u0001\\n\"}",
		/* underflow is not an error to jansson, only overflow (found by fuzz_airlog) */
		"{\"a\":1e-400}", "{\"a\":-2.5e-310}", NULL,
	};
	struct logline j;

	logline_init(&j);
	for (int i = 0; bad[i]; i++) {
		json_t *o = json_loadb(bad[i], strlen(bad[i]), JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(o) && parse(&j, bad[i]) == 0)
			tap_fail(__FILE__, __LINE__, "accepted: %s", bad[i]);
		json_decref(o);
	}
	for (size_t i = 0; i < sizeof(nul) / sizeof(nul[0]); i++) {
		json_t *o = logline_load(nul[i].s, nul[i].n);
		if (o != NULL || logline_parse(&j, nul[i].s, nul[i].n) == 0)
			tap_fail(__FILE__, __LINE__, "accepted a NUL byte: %s", nul[i].s);
		json_decref(o);
	}
	for (int i = 0; good[i]; i++) {
		json_t *o = json_loadb(good[i], strlen(good[i]), JSON_REJECT_DUPLICATES, NULL);
		EXPECT(json_is_object(o));
		if (parse(&j, good[i]) != 0)
			tap_fail(__FILE__, __LINE__, "refused: %s", good[i]);
		json_decref(o);
	}
	/* a line refused leaves nothing behind: the next one parses */
	EXPECT_INT(parse(&j, "{\"a\":"), -1);
	EXPECT_INT(parse(&j, "{\"b\":2}"), 0);
	EXPECT_INT(j.n, 1);
	EXPECT_STR(j.f[0].key, "b");
	logline_free(&j);
}

static void
a_duplicate_among_many_keys_is_found(void)
{
	char buf[16384];
	size_t n = 0;
	struct logline j;

	logline_init(&j);
	/* 300 keys: past the 255 the key table indexes */
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "{");
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\"k%d\":%d", i ? "," : "", i, i);
	EXPECT_INT(logline_parse(&j, buf, n) == 0 && n < sizeof(buf) - 32, 0);	/* no closing brace yet */
	memcpy(buf + n, "}", 2);
	EXPECT_INT(logline_parse(&j, buf, n + 1), 0);
	EXPECT(logline_get(&j, "k299") != NULL && logline_get(&j, "k299")->i == 299);
	EXPECT(logline_get(&j, "k7") != NULL && logline_get(&j, "k7")->i == 7);
	memcpy(buf + n, ",\"k3\":1}", 9);
	EXPECT_INT(logline_parse(&j, buf, n + 8), -1);
	memcpy(buf + n, ",\"k280\":1}", 11);
	EXPECT_INT(logline_parse(&j, buf, n + 10), -1);
	logline_free(&j);
}

/* jansson and logline agree on every mutation of a record: a byte flipped, dropped, or doubled */
static void
both_parsers_agree_on_mutated_records(void)
{
	size_t len = strlen(record);
	char *b = malloc(len + 2);
	struct logline j;
	long disagree = 0, tried = 0;
	static const char subst[] = "\"{}[]:,\\0a-.e \xc3\xff";

	logline_init(&j);
	for (size_t i = 0; i < len && b; i++)
		for (int op = 0; op < (int)sizeof(subst) + 2; op++) {	/* the last: subst's own NUL */
			size_t n = len;
			json_t *o;
			int jl, ja;
			memcpy(b, record, len);
			if (op == 0) {			/* dropped */
				memmove(b + i, b + i + 1, len - i - 1);
				n--;
			} else if (op == 1) {		/* doubled */
				memmove(b + i + 1, b + i, len - i);
				n++;
			} else {
				b[i] = subst[op - 2];
			}
			o = logline_load(b, n);
			ja = o != NULL;
			jl = logline_parse(&j, b, n) == 0;
			json_decref(o);
			tried++;
			if (ja != jl && disagree++ < 5)
				tap_fail(__FILE__, __LINE__, "jansson %s, logline %s: %.*s", ja ? "accepts" : "refuses",
				    jl ? "accepts" : "refuses", (int)n, b);
		}
	printf("# %ld mutations, %ld disagreements\n", tried, disagree);
	EXPECT_INT(disagree, 0);
	free(b);
	logline_free(&j);
}

/* jansson counts every value's depth, the innermost scalar too, up to 2048; logline refuses the same */
static void
nesting_is_refused_where_jansson_refuses_it(void)
{
	static const struct { int arrays; int scalar; int ok; } c[] = {
		{ 63, 1, 1 }, { 64, 1, 1 }, { 2046, 1, 1 }, { 2047, 1, 0 }, { 2047, 0, 1 }, { 2048, 0, 0 },
	};
	char *b = malloc(2 * 2048 + 64);
	struct logline j;

	logline_init(&j);
	for (size_t i = 0; b && i < sizeof(c) / sizeof(c[0]); i++) {
		size_t n = 0;
		json_t *o;
		n += (size_t)sprintf(b, "{\"a\":");
		memset(b + n, '[', (size_t)c[i].arrays);
		n += (size_t)c[i].arrays;
		if (c[i].scalar)
			b[n++] = '1';
		memset(b + n, ']', (size_t)c[i].arrays);
		n += (size_t)c[i].arrays;
		b[n++] = '}';
		o = logline_load(b, n);
		EXPECT_INT(o != NULL, c[i].ok);
		if ((logline_parse(&j, b, n) == 0) != c[i].ok)
			tap_fail(__FILE__, __LINE__, "logline %s %d nested arrays%s", c[i].ok ? "refused" : "accepted",
			    c[i].arrays, c[i].scalar ? " around a number" : "");
		json_decref(o);
	}
	free(b);
	logline_free(&j);
}

int
main(void)
{
	tap_plan(5);
	TEST(a_record_becomes_its_fields_in_order);
	TEST(what_jansson_refuses_is_refused);
	TEST(a_duplicate_among_many_keys_is_found);
	TEST(both_parsers_agree_on_mutated_records);
	TEST(nesting_is_refused_where_jansson_refuses_it);
	return tap_done();
}
