/*
 * logline: one line of JSON Lines (one object) read into a flat list of
 * fields, by yajl's event parser, without building a tree. The airing log's
 * read path (verify, reports) parses every line of months of logs: jansson
 * builds a tree of allocated nodes per line and reads at ~30 MB/s here,
 * yajl's events into this flat list at ~250 MB/s (tests/bench/report.sh).
 * The JSON is still parsed by the library, never by hand: this only keeps
 * what it reports.
 *
 * Fields are kept in document order, nested values too: each field names
 * its parent (-1: a member of the top-level object), array elements have no
 * key. Every string and key is copied, NUL-terminated, into the logline's own
 * buffer, so they live until the next logline_parse() on the same logline.
 *
 * Accepted: what jansson's json_loadb(JSON_REJECT_DUPLICATES) accepts, the
 * writer's parser: exactly one object, valid UTF-8, no duplicate keys in any
 * object, integers that fit in a long long (a number without a fraction or
 * exponent is an integer, as in jansson), reals that do not overflow,
 * nesting to jansson's depth; and no NUL byte anywhere (jansson would stop
 * reading at one).
 *
 * logline_load() is that same rule for the code that wants jansson's tree.
 *
 * Lifecycle: logline_init() -> logline_parse()... -> logline_free(). Not
 * thread-safe; use one logline per thread.
 */
#ifndef LOGLINE_H
#define LOGLINE_H

#include <stddef.h>

struct json_t;

/* jansson's JSON_PARSER_MAX_DEPTH: values nested deeper are refused by both */
#define LOGLINE_MAX_DEPTH	2048

enum logline_type { LOGLINE_STRING, LOGLINE_INTEGER, LOGLINE_REAL, LOGLINE_TRUE, LOGLINE_FALSE, LOGLINE_NULL, LOGLINE_OBJECT,
	LOGLINE_ARRAY };

struct logline_field {
	const char		*key;		/* NULL for array elements */
	size_t			 klen;		/* its length */
	unsigned		 khash;		/* logline's hash of it (lookups compare this first) */
	const char		*s;		/* LOGLINE_STRING: the value, NUL-terminated */
	size_t			 slen;		/* its length (it may hold a NUL) */
	long long		 i;		/* LOGLINE_INTEGER */
	double			 d;		/* LOGLINE_INTEGER; LOGLINE_REAL: use logline_real() */
	int			 parent;	/* index of the enclosing object/array; -1: top level */
	enum logline_type		 type;
};

struct logline {
	struct logline_field	*f;
	int			 n;		/* fields, in document order */
	/* the parser's own state */
	int			 cap;
	char			*buf;
	size_t			 bufcap, bufused;
	int			 stack[LOGLINE_MAX_DEPTH];	/* open containers */
	int			 depth;
	int			 values;	/* complete top-level values in this line */
	int			 bad;		/* a duplicate key, an overlong integer, a non-object */
	const char		*key;		/* the key waiting for its value */
	size_t			 klen;
	unsigned		 khash;
	void			*h;		/* yajl_handle */
	unsigned char		 slot[256];	/* top-level key table (duplicates), 1 + index */
};

void	logline_init(struct logline *);
void	logline_free(struct logline *);
/* 0: the line is one JSON object (f/n set); -1: it is not */
int	logline_parse(struct logline *, const char *line, size_t len);
/* the same line as jansson's tree (json_decref it), or NULL exactly when logline_parse refuses it */
struct json_t *logline_load(const char *line, size_t len);

/* a member of the top-level object, or NULL */
const struct logline_field *logline_get(const struct logline *, const char *key);
/* a member of the object field `parent` (an index), or NULL */
const struct logline_field *logline_member(const struct logline *, int parent, const char *key);
/* the top-level member's string, or NULL when absent or not a string */
const char *logline_str(const struct logline *, const char *key);
/* 0 and *v when the top-level member is an integer; -1 otherwise */
int	logline_int(const struct logline *, const char *key, long long *v);
/* a number's value (a real is kept as its text, s, until asked for); NAN when not a number */
double	logline_real(const struct logline_field *);

#endif
