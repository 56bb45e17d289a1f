/*
 * csv: see csv.h.
 */
#include <stdarg.h>
#include <string.h>

#include "base/csv.h"

void
csv_bom(FILE *fp)
{
	fputs("\xef\xbb\xbf", fp);
}

void
csv_field(FILE *fp, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

void
csv_row(FILE *fp, const char *first, ...)
{
	va_list ap;
	const char *s;

	csv_field(fp, first);
	va_start(ap, first);
	while ((s = va_arg(ap, const char *)) != NULL) {
		fputc(',', fp);
		csv_field(fp, s);
	}
	va_end(ap);
	csv_eol(fp);
}

void
csv_eol(FILE *fp)
{
	fputs("\r\n", fp);
}
