/*
 * csv: what the CSV writers share (`loaxa log export --csv`, `loaxa report
 * --format csv`): UTF-8 with a byte order mark, so that spreadsheet
 * programs read the Vietnamese text as UTF-8; RFC 4180 quoting; CRLF.
 */
#ifndef CSV_H
#define CSV_H

#include <stdio.h>

/* the byte order mark; first thing in the file */
void	csv_bom(FILE *);
/* one field, quoted when it holds a comma, a quote or a line break; NULL is empty */
void	csv_field(FILE *, const char *);
/* fields separated by commas, then CRLF; NULL ends the list */
void	csv_row(FILE *, const char *first, ...);
/* ends a row */
void	csv_eol(FILE *);

#endif
