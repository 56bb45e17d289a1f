/*
 * csv: what the CSV writers share (`loaxa log export --csv`, `loaxa report
 * --format csv`): UTF-8 with a byte order mark, so that spreadsheet
 * programs read the Vietnamese text as UTF-8; RFC 4180 quoting; CRLF.
 * A cell that begins with = + - @ TAB or CR (and is not a plain number) is
 * one a spreadsheet would run as a formula (=HYPERLINK(...), =cmd|...): it
 * is written quoted with a leading ' (OWASP, "CSV Injection"), so it shows
 * as the text it is. Every CSV writer goes through csv_field().
 */
#ifndef CSV_H
#define CSV_H

#include <stdio.h>

/* the byte order mark; first thing in the file */
void	csv_bom(FILE *);
/* 1 when a cell would start a formula (see above) */
int	csv_risky(const char *);
/* one field, quoted when it holds a comma, a quote or a line break, neutralised when risky; NULL is empty */
void	csv_field(FILE *, const char *);
/* fields separated by commas, then CRLF; NULL ends the list */
void	csv_row(FILE *, const char *first, ...);
/* ends a row */
void	csv_eol(FILE *);

#endif
