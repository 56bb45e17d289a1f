/*
 * term: what the command-line programs print goes to a person's terminal,
 * and much of it comes from outside (a bulletin's title from a stick, a file
 * name, a board's status message, a reason a server gave). A terminal acts
 * on control characters: ESC starts sequences that move the cursor, rewrite
 * lines, set the window title, or on some terminals answer back; a bare CR
 * or BS hides what was printed before it. term shows them instead:
 *
 *   C0 controls other than TAB and LF, a CR not followed by LF, DEL   \xHH
 *   C1 controls (U+0080..U+009F, as UTF-8)                            \uHHHH
 *
 * Everything else (UTF-8 text, CRLF line ends of a CSV) passes unchanged.
 * term_escape() does it to a string; term_guard() puts a filter in front of
 * stdout and stderr so that every printf of the program passes through it:
 * the CLI programs call it first thing, so no command can forget.
 */
#ifndef TERM_H
#define TERM_H

#include <stddef.h>

/* s with its controls shown; malloc'd (NULL: out of memory) */
char	*term_escape(const char *s);
/* 1 when s holds nothing term_escape() would change */
int	 term_clean(const char *s);
/* stdout and stderr from now on escape controls; 0 or -1 (left as they were) */
int	 term_guard(void);

#endif
