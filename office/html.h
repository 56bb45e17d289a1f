/*
 * html: a growing buffer for the console's pages (office/console*.c). Every
 * piece of text that came from outside (a board's status, a record's title,
 * a user's name, a query's value) goes in through html_text or html_textf,
 * which escape & < > " ' ; html_raw and html_rawf are for the page's own
 * markup only. A buffer that could not grow says so in ->failed and keeps
 * what it has; the caller answers 500.
 */
#ifndef HTML_H
#define HTML_H

#include <stdarg.h>
#include <stddef.h>

struct html {
	char	*buf;
	size_t	 len, cap;
	int	 failed;
};

void	html_init(struct html *);
void	html_free(struct html *);
/* the page's own markup, as is */
void	html_raw(struct html *, const char *);
void	html_rawf(struct html *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* text from outside, escaped (NULL writes nothing) */
void	html_text(struct html *, const char *);
void	html_textf(struct html *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* a value for a URL's query, percent-encoded (then escaped for the attribute by being plain ASCII) */
void	html_url(struct html *, const char *);

#endif
