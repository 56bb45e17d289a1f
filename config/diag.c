/*
 * diag: see diag.h. Allocation failure drops the message rather than abort:
 * the caller still sees n > 0 when at least one message got through, and a
 * parse that failed sets its own return value regardless.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/diag.h"

void
diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

void
diag_free(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msg[i]);
	free(d->msg);
	memset(d, 0, sizeof(*d));
}

void
diag_add(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	char body[1024], *s;
	va_list ap;
	int len;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (line > 0)
		len = asprintf(&s, "%s:%d: %s", file, line, body);
	else
		len = asprintf(&s, "%s: %s", file, body);
	if (len < 0)
		return;
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 8;
		char **m = realloc(d->msg, ncap * sizeof(*m));
		if (m == NULL) {
			free(s);
			return;
		}
		d->msg = m;
		d->cap = ncap;
	}
	d->msg[d->n++] = s;
}

void
diag_print(const struct diag *d, FILE *fp)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(fp, "%s\n", d->msg[i]);
}

static int
line_number(const char *msg)
{
	/* "FILE:LINE: ..." -> LINE; 0 for "FILE: ..." */
	const char *p = strstr(msg, ": ");
	const char *q;

	for (q = msg; q < p; q++)
		if (*q == ':') {
			int line = atoi(q + 1);
			if (line > 0)
				return line;
		}
	return 0;
}

void
diag_sort(struct diag *d)
{
	/* insertion sort: stable, and diagnostics are few */
	for (size_t i = 1; i < d->n; i++) {
		char *m = d->msg[i];
		int l = line_number(m);
		size_t j = i;
		while (j > 0 && line_number(d->msg[j - 1]) > l) {
			d->msg[j] = d->msg[j - 1];
			j--;
		}
		d->msg[j] = m;
	}
}
