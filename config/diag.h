/*
 * diag: a list of "FILE:LINE: message" diagnostics, so that a parser can
 * report every error of a file in one run (as OpenBSD's parse.y does).
 * Library code fills a diag; only the command prints it.
 */
#ifndef DIAG_H
#define DIAG_H

#include <stddef.h>
#include <stdio.h>

struct diag {
	char	**msg;
	size_t	  n, cap;
};

void diag_init(struct diag *);
void diag_free(struct diag *);
/* line 0: no line number (a whole-file problem) */
void diag_add(struct diag *, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* orders by line (stable), whole-file messages first: the order of the file */
void diag_sort(struct diag *);
void diag_print(const struct diag *, FILE *);

#endif
