/*
 * html: see html.h. Escaping is by character, on bytes: UTF-8's
 * multi-byte sequences never hold the five characters escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "office/html.h"

void
html_init(struct html *h)
{
	memset(h, 0, sizeof(*h));
}

void
html_free(struct html *h)
{
	free(h->buf);
	html_init(h);
}

static int
grow(struct html *h, size_t more)
{
	size_t cap;
	char *n;

	if (h->failed)
		return -1;
	if (h->len + more + 1 <= h->cap)
		return 0;
	for (cap = h->cap ? h->cap : 4096; cap < h->len + more + 1; cap *= 2)
		;
	if ((n = realloc(h->buf, cap)) == NULL) {
		h->failed = 1;
		return -1;
	}
	h->buf = n;
	h->cap = cap;
	return 0;
}

static void
put(struct html *h, const char *s, size_t n)
{
	if (grow(h, n) < 0)
		return;
	memcpy(h->buf + h->len, s, n);
	h->len += n;
	h->buf[h->len] = '\0';
}

void
html_raw(struct html *h, const char *s)
{
	put(h, s, strlen(s));
}

static char *
vformat(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

/* formats, then hands the text to EMIT (as it is, or escaped) */
static void
emitf(struct html *h, void (*emit)(struct html *, const char *), const char *fmt, va_list ap)
{
	char *s = vformat(fmt, ap);

	if (s == NULL) {
		h->failed = 1;
		return;
	}
	emit(h, s);
	free(s);
}

void
html_rawf(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emitf(h, html_raw, fmt, ap);
	va_end(ap);
}

void
html_text(struct html *h, const char *s)
{
	if (s == NULL)
		return;
	for (; *s; s++) {
		switch (*s) {
		case '&': html_raw(h, "&amp;"); break;
		case '<': html_raw(h, "&lt;"); break;
		case '>': html_raw(h, "&gt;"); break;
		case '"': html_raw(h, "&quot;"); break;
		case '\'': html_raw(h, "&#39;"); break;
		default: put(h, s, 1);
		}
	}
}

void
html_textf(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emitf(h, html_text, fmt, ap);
	va_end(ap);
}

void
html_url(struct html *h, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			put(h, s, 1);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			put(h, e, 3);
		}
	}
}
