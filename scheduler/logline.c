/*
 * logline: see logline.h. yajl calls back for every key and value; each
 * becomes a field. One yajl handle is kept per logline and reused across
 * lines (yajl_allow_multiple_values), so a line costs no allocation unless
 * it is not a record (then the handle, left mid-value or in error, is
 * replaced).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <unistr.h>
#include <yajl/yajl_parse.h>

#include "scheduler/logline.h"

_Static_assert(LOGLINE_MAX_DEPTH == JSON_PARSER_MAX_DEPTH, "logline and jansson must refuse the same nesting");
#define NSLOT		256

/* cheap and good enough for field names: length, ends and middle (equal hashes are compared in full) */
static unsigned
key_hash(const char *k, size_t n)
{
	if (n == 0)
		return 0;
	return (unsigned)n * 2654435761u ^ (unsigned char)k[0] * 40503u ^ (unsigned char)k[n - 1] * 9973u ^
	    (unsigned char)k[n / 2] * 131u;
}

/* a string copied into the line's buffer, NUL-terminated (the buffer never moves during a parse) */
static const char *
keep(struct logline *j, const unsigned char *s, size_t n)
{
	char *p = j->buf + j->bufused;

	memcpy(p, s, n);
	p[n] = '\0';
	j->bufused += n + 1;
	return p;
}

static struct logline_field *
add(struct logline *j, enum logline_type t)
{
	struct logline_field *f;
	int parent;

	/* a value outside the top-level object, or deeper than jansson goes (it counts the value itself) */
	if (j->depth == 0 || j->depth >= LOGLINE_MAX_DEPTH) {
		j->bad = 1;
		return NULL;
	}
	if (j->n == j->cap) {
		int cap = j->cap ? j->cap * 2 : 64;
		struct logline_field *nf = realloc(j->f, (size_t)cap * sizeof(*nf));
		if (nf == NULL) {
			j->bad = 1;
			return NULL;
		}
		j->f = nf;
		j->cap = cap;
	}
	parent = j->stack[j->depth - 1];
	f = &j->f[j->n];
	memset(f, 0, sizeof(*f));
	f->type = t;
	f->parent = parent;
	f->key = j->key;
	f->klen = j->klen;
	f->khash = j->khash;
	j->key = NULL;
	j->n++;
	return f;
}

static int
cb_null(void *ctx)
{
	struct logline *j = ctx;

	return add(j, LOGLINE_NULL) != NULL;
}

static int
cb_bool(void *ctx, int b)
{
	struct logline *j = ctx;

	return add(j, b ? LOGLINE_TRUE : LOGLINE_FALSE) != NULL;
}

/* jansson's rule: no fraction and no exponent is an integer, and it must fit */
static int
cb_number(void *ctx, const char *s, size_t n)
{
	struct logline *j = ctx;
	char tmp[64], *end, *t = tmp;
	int integer = memchr(s, '.', n) == NULL && memchr(s, 'e', n) == NULL && memchr(s, 'E', n) == NULL;
	struct logline_field *f;

	if (integer && n <= 18) {	/* the usual case: at most 18 digits fit, no strtoll needed */
		const char *p = s;
		long long v = 0;
		int neg = *p == '-';
		if ((f = add(j, LOGLINE_INTEGER)) == NULL)
			return 0;
		for (p += neg; p < s + n; p++)
			v = v * 10 + (*p - '0');	/* yajl checked the digits */
		f->i = neg ? -v : v;
		f->d = (double)f->i;
		return 1;
	}
	if (!integer && n <= 24 && memchr(s, 'e', n) == NULL && memchr(s, 'E', n) == NULL) {
		/* a short plain decimal cannot overflow: kept as text, converted when asked (logline_real) */
		if ((f = add(j, LOGLINE_REAL)) == NULL)
			return 0;
		f->s = keep(j, (const unsigned char *)s, n);
		f->slen = n;
		f->d = NAN;
		return 1;
	}
	if (n >= sizeof(tmp) && (integer || (t = malloc(n + 1)) == NULL)) {
		j->bad = 1;	/* too big an integer for a long long */
		return 0;
	}
	memcpy(t, s, n);
	t[n] = '\0';
	errno = 0;
	if ((f = add(j, integer ? LOGLINE_INTEGER : LOGLINE_REAL)) != NULL) {
		if (integer) {
			f->i = strtoll(t, &end, 10);
			f->d = (double)f->i;
		} else {
			f->d = strtod(t, &end);
			f->s = keep(j, (const unsigned char *)s, n);
			f->slen = n;
		}
		/* jansson refuses only overflow: an underflow (1e-400, a subnormal) reads as 0 or close to it */
		if ((errno == ERANGE && (integer || isinf(f->d))) || *end != '\0')
			j->bad = 1;
	}
	if (t != tmp)
		free(t);
	return !j->bad;
}

/*
 * yajl lets overlong UTF-8 (C0 9C) and NUL (\u0000) through; jansson, which
 * writes and verifies the log, does not: a line both readers must agree on.
 * Bytes past ASCII can only stand in strings (yajl refuses them anywhere
 * else), so the whole line is checked once, before yajl reads it, instead
 * of each string and key after it (the callbacks were a sixth of a parse);
 * a \u0000 is refused by jansson, which reads every line with a \u escape.
 */
static int
text_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run;
		/* most of a line is ASCII (times, types, hashes, ids): 8 bytes at a time */
		for (uint64_t w; i + 8 <= n; i += 8) {
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
		}
		while (i < n && s[i] < 0x80)
			i++;
		/* a run of bytes past ASCII holds whole characters (none has an ASCII byte): each run checked alone */
		for (run = i; run < n && s[run] >= 0x80; run++)
			;
		if (run > i && u8_check(s + i, run - i) != NULL)
			return 0;
		i = run;
	}
	return 1;
}

static int
cb_string(void *ctx, const unsigned char *s, size_t n)
{
	struct logline *j = ctx;
	struct logline_field *f;

	if ((f = add(j, LOGLINE_STRING)) == NULL)
		return 0;
	f->s = keep(j, s, n);
	f->slen = n;
	return 1;
}

static int
cb_start_map(void *ctx)
{
	struct logline *j = ctx;

	if (j->depth == 0) {
		if (j->values > 0) {	/* a second value on the line */
			j->bad = 1;
			return 0;
		}
		j->stack[j->depth++] = -1;
		return 1;
	}
	if (add(j, LOGLINE_OBJECT) == NULL) {
		j->bad = 1;
		return 0;
	}
	j->stack[j->depth++] = j->n - 1;
	return 1;
}

static int
same_key(const struct logline_field *f, const char *k, size_t n, unsigned h)
{
	return f->khash == h && f->klen == n && memcmp(f->key, k, n) == 0;
}

static int
dup_top(struct logline *j, const char *k, size_t n, unsigned h)
{
	if (j->n >= 255) {	/* past what the table indexes: look the slow way */
		for (int i = 0; i < j->n; i++)
			if (j->f[i].parent == -1 && same_key(&j->f[i], k, n, h))
				return 1;
		return 0;
	}
	for (unsigned i = 0; i < NSLOT; i++) {
		unsigned s = (h + i) % NSLOT;
		if (j->slot[s] == 0) {
			j->slot[s] = (unsigned char)(j->n + 1);	/* the index its value will take */
			return 0;
		}
		if (same_key(&j->f[j->slot[s] - 1], k, n, h))
			return 1;
	}
	return 0;
}

static int
cb_key(void *ctx, const unsigned char *s, size_t n)
{
	struct logline *j = ctx;
	int parent = j->stack[j->depth - 1];
	const char *k;
	unsigned h;

	k = keep(j, s, n);
	h = key_hash(k, n);
	if (parent == -1) {
		if (dup_top(j, k, n, h)) {
			j->bad = 1;
			return 0;
		}
	} else {
		for (int i = parent + 1; i < j->n; i++)
			if (j->f[i].parent == parent && same_key(&j->f[i], k, n, h)) {
				j->bad = 1;
				return 0;
			}
	}
	j->key = k;
	j->klen = n;
	j->khash = h;
	return 1;
}

static int
cb_end(void *ctx)
{
	struct logline *j = ctx;

	if (--j->depth == 0)
		j->values++;
	return 1;
}

static int
cb_start_array(void *ctx)
{
	struct logline *j = ctx;

	if (j->depth == 0 || add(j, LOGLINE_ARRAY) == NULL) {
		j->bad = 1;
		return 0;
	}
	j->stack[j->depth++] = j->n - 1;
	return 1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string, cb_start_map, cb_key, cb_end, cb_start_array, cb_end,
};

/*
 * yajl lets a lone UTF-16 surrogate (\ud800) and \u0000 through, jansson
 * does not; the writer never writes either (it writes UTF-8, escaping only
 * control characters). A line with a \u escape, rare, is also put to
 * jansson, so that both libraries accept the same lines.
 */
static int
jansson_accepts(const char *line, size_t len)
{
	json_t *o = logline_load(line, len);

	json_decref(o);
	return o != NULL;
}

/*
 * jansson reads a NUL byte after a value as the end of its input and takes
 * {"a":1<NUL>,"b":2} for {"a":1} (found by fuzz_airlog); yajl refuses the
 * byte, and the writer never writes one.
 */
json_t *
logline_load(const char *line, size_t len)
{
	json_t *o;

	if (memchr(line, '\0', len) != NULL)
		return NULL;
	if ((o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL)) != NULL && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* a \u escape anywhere? (memchr for the backslash: memmem was 15% of reading a log) */
static int
has_u_escape(const char *line, size_t len)
{
	for (const char *p = line, *e = line + len; p < e && (p = memchr(p, '\\', (size_t)(e - p))) != NULL; p += 2)
		if (p + 1 < e && p[1] == 'u')
			return 1;
	return 0;
}

void
logline_init(struct logline *j)
{
	memset(j, 0, sizeof(*j));
}

void
logline_free(struct logline *j)
{
	if (j->h)
		yajl_free(j->h);
	free(j->f);
	free(j->buf);
	memset(j, 0, sizeof(*j));
}

int
logline_parse(struct logline *j, const char *line, size_t len)
{
	yajl_status st;

	j->n = 0;
	j->bufused = 0;
	j->depth = 0;
	j->values = 0;
	j->bad = 0;
	j->key = NULL;
	memset(j->slot, 0, sizeof(j->slot));
	/* yajl takes \f and \v for white space; JSON (and jansson) do not, and in a string they must be escaped */
	if (memchr(line, '\f', len) != NULL || memchr(line, '\v', len) != NULL || memchr(line, '\0', len) != NULL ||
	    !text_ok((const unsigned char *)line, len))
		return -1;
	/* unescaped strings are never longer than their JSON text, quotes included: no move during a parse */
	if (j->bufcap < len + 16) {
		char *nb = realloc(j->buf, len + 16);
		if (nb == NULL)
			return -1;
		j->buf = nb;
		j->bufcap = len + 16;
	}
	if (j->h == NULL) {
		if ((j->h = yajl_alloc(&callbacks, NULL, j)) == NULL)
			return -1;
		yajl_config(j->h, yajl_allow_multiple_values, 1);
		yajl_config(j->h, yajl_dont_validate_strings, 1);	/* text_ok did, for the whole line */
	}
	st = yajl_parse(j->h, (const unsigned char *)line, len);
	if (st == yajl_status_ok)	/* ends a number left open at the end of the line */
		st = yajl_parse(j->h, (const unsigned char *)"\n", 1);
	if (st != yajl_status_ok || j->bad || j->depth != 0 || j->values != 1) {
		yajl_free(j->h);	/* in error, or in the middle of a value */
		j->h = NULL;
		j->n = 0;
		return -1;
	}
	if (has_u_escape(line, len) && !jansson_accepts(line, len)) {
		j->n = 0;
		return -1;
	}
	return 0;
}

const struct logline_field *
logline_get(const struct logline *j, const char *key)
{
	size_t n = strlen(key);
	unsigned h = key_hash(key, n);

	for (unsigned i = 0; i < NSLOT; i++) {
		unsigned s = (h + i) % NSLOT;
		if (j->slot[s] == 0)
			break;
		if (same_key(&j->f[j->slot[s] - 1], key, n, h))
			return &j->f[j->slot[s] - 1];
	}
	if (j->n >= 255)
		for (int i = 0; i < j->n; i++)
			if (j->f[i].parent == -1 && same_key(&j->f[i], key, n, h))
				return &j->f[i];
	return NULL;
}

const struct logline_field *
logline_member(const struct logline *j, int parent, const char *key)
{
	size_t n = strlen(key);
	unsigned h = key_hash(key, n);

	if (parent < 0)
		return logline_get(j, key);
	for (int i = parent + 1; i < j->n; i++)
		if (j->f[i].parent == parent && j->f[i].key && same_key(&j->f[i], key, n, h))
			return &j->f[i];
	return NULL;
}

const char *
logline_str(const struct logline *j, const char *key)
{
	const struct logline_field *f = logline_get(j, key);

	return f && f->type == LOGLINE_STRING ? f->s : NULL;
}

int
logline_int(const struct logline *j, const char *key, long long *v)
{
	const struct logline_field *f = logline_get(j, key);

	if (f == NULL || f->type != LOGLINE_INTEGER)
		return -1;
	*v = f->i;
	return 0;
}

double
logline_real(const struct logline_field *f)
{
	if (f->type == LOGLINE_INTEGER)
		return (double)f->i;
	if (f->type != LOGLINE_REAL)
		return NAN;
	return f->s ? strtod(f->s, NULL) : f->d;
}
