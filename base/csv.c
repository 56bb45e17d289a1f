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

/* a whole number or decimal ("-1.5", "+3", "-16.0"): a spreadsheet reads it as a number, never a formula */
static int
is_number(const char *s)
{
	int digits = 0, dot = 0;

	if (*s == '-' || *s == '+')
		s++;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s == '.' && !dot)
			dot = 1;
		else
			return 0;
	}
	return digits > 0;
}

int
csv_risky(const char *s)
{
	return s != NULL && *s != '\0' && strchr("=+-@\t\r", *s) != NULL && !is_number(s);
}

void
csv_field(FILE *fp, const char *s)
{
	int risky = csv_risky(s);

	if (s == NULL)
		return;
	if (!risky && strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	if (risky)
		fputc('\'', fp);	/* OWASP CSV injection: a leading quote makes the cell text */
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
