/*
 * console: what the web console's server (console.c: HTTP, sessions, CSRF,
 * the events stream, report downloads) shares with its pages
 * (console_pages.c: the HTML, every outside value escaped through html.h).
 * A page function fills h and returns the HTTP status; it reads only what
 * r->u may see: an operator's communes are part of every query's SQL.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stdio.h>

#include "office/html.h"
#include "office/users.h"

struct store;

struct req {
	struct store	*db;		/* this request's own connection */
	struct user	 u;		/* valid when authed */
	int		 authed;
	int		 en;		/* English asked for (?lang=en or the cookie); else Vietnamese */
	char		 addr[64];	/* the client's address, for the audit trail */
	long long	 now;
	long		 silent_s;	/* no status for this long: offline */
};

/* msgid in the request's language: call as T(r, N_("text")) so that xgettext finds it */
const char	*console_tr(const struct req *, const char *msgid);
#define T(r, s) console_tr((r), (s))

/* the pages (console_pages.c) */
void	page_login(const struct req *, struct html *, const char *pre_token, const char *message);
int	page_fleet(const struct req *, struct html *, const char *district, const char *commune);
int	page_board(const struct req *, struct html *, const char *site);
int	page_reports(const struct req *, struct html *, const char *message);
int	page_audit(const struct req *, struct html *);
/* air now: the form (message above it, when given; sent_id: the live just sent, with its end button) */
int	page_air(const struct req *, struct html *, const char *message, const char *sent_id);
/* the sites r->u may air on (malloc'd, page_air_sites_free); count or -1 */
int	page_air_sites(const struct req *, char ***sites);
void	page_air_sites_free(char **sites, int n);
void	page_error(const struct req *, struct html *, const char *title, const char *message);
/* the fleet table as CSV (base/csv.h: formula cells neutralised); 0 or -1 */
int	page_fleet_csv(const struct req *, FILE *, const char *district, const char *commune);
/* the fleet as the events stream sends it: a JSON array (malloc'd), or NULL */
char	*page_fleet_json(const struct req *, const char *district, const char *commune);

extern const char console_css[], console_js[];

#endif
