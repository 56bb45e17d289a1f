/*
 * console_pages: the console's HTML, made on the server: no script is
 * needed to read a page (console.js only keeps the fleet table current from
 * the events stream, writing text, never markup). Every value from the
 * store or the request goes through html_text. What an operator may see is
 * part of the SQL: "$1 = '' OR site IN (their communes)".
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/csv.h"
#include "base/translate.h"
#include "office/console.h"
#include "office/office.h"
#include "office/store.h"

#define MAX_BOARDS 5000

/* the boards, their last airing in the same query (one round trip for the fleet, not one a board) */
#define BOARD_SQL "SELECT site, seq, fault_seq, fault, macs, status_time, status, (SELECT line FROM records r "	\
	"WHERE r.site = boards.site AND r.type = 'airing' ORDER BY r.seq DESC LIMIT 1) FROM boards WHERE "	\
	"($1 = '' OR site IN (SELECT commune FROM user_communes WHERE name = $1)) AND ($2 = '' OR site = $2) "

/* one board's line of the fleet table, as text, the same for the page and the events stream */
struct cells {
	char	 site[64], district[64], state[160], airing[320], serial[24], version[40], disk[32], alarms[1024];
	char	 live[320];	/* the board's last answer to a live command, "-" when none */
	int	 online, alarm;
};

struct fleet {
	const struct req *r;
	const char	*district;
	struct cells	*c;
	int		 n;
};

static void
when(long long t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || localtime_r(&tt, &tm) == NULL)
		snprintf(out, len, "-");
	else
		strftime(out, len, "%Y-%m-%d %H:%M", &tm);
}

static void
add(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? "; " : "", s);
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* columns: BOARD_SQL's */
static void
fill_cells(const struct req *r, const char *const *v, struct cells *c, json_t **statusp)
{
	json_t *s = v[6] ? json_loads(v[6], 0, NULL) : NULL, *a = v[7] ? json_loads(v[7], 0, NULL) : NULL;
	long long st = v[5] ? atoll(v[5]) : 0, age = r->now - st;
	const char *state = jstr(s, "state");
	char t[32];

	memset(c, 0, sizeof(*c));
	snprintf(c->site, sizeof(c->site), "%s", v[0]);
	snprintf(c->district, sizeof(c->district), "%s", jstr(s, "district"));
	when(st, t, sizeof(t));
	c->online = s && st > 0 && age <= r->silent_s && strcmp(state, "offline") != 0 && strcmp(state, "stopped") != 0;
	if (c->online)
		snprintf(c->state, sizeof(c->state), "%s (%s %lld s)", T(r, N_("online")), T(r, N_("status")), age);
	else if (st > 0)
		snprintf(c->state, sizeof(c->state), "%s %s", T(r, N_("offline since")), t);
	else
		snprintf(c->state, sizeof(c->state), "%s", T(r, N_("never seen")));
	if (a)
		snprintf(c->airing, sizeof(c->airing), "%.25s %.200s (%.40s)", jstr(a, "start")[0] ? jstr(a, "start") :
		    jstr(a, "ts"), jstr(a, "title"), jstr(a, "outcome"));
	else
		snprintf(c->airing, sizeof(c->airing), "-");
	json_decref(a);
	if (json_integer_value(json_object_get(s, "serial")))
		snprintf(c->serial, sizeof(c->serial), "%lld", (long long)json_integer_value(json_object_get(s, "serial")));
	snprintf(c->version, sizeof(c->version), "%s", jstr(s, "version")[0] ? jstr(s, "version") : "-");
	if (json_is_integer(json_object_get(s, "disk_free_mb")))
		snprintf(c->disk, sizeof(c->disk), "%lld MiB", (long long)json_integer_value(json_object_get(s,
		    "disk_free_mb")));
	if (v[3] && v[3][0]) {
		char f[600];
		snprintf(f, sizeof(f), "%s: %.500s", T(r, N_("log fails verification")), v[3]);
		add(c->alarms, sizeof(c->alarms), f);
	}
	if (jstr(s, "last_error")[0])
		add(c->alarms, sizeof(c->alarms), jstr(s, "last_error"));
	if (strcmp(jstr(s, "clock"), "unsynced") == 0)
		add(c->alarms, sizeof(c->alarms), T(r, N_("clock not synchronised")));
	if (json_is_object(json_object_get(s, "live")))
		office_live_ack_text(json_object_get(s, "live"), c->live, sizeof(c->live));
	else
		snprintf(c->live, sizeof(c->live), "-");
	if (strcmp(jstr(json_object_get(s, "config_push"), "outcome"), "refused") == 0)
		add(c->alarms, sizeof(c->alarms), T(r, N_("refused the pushed config")));
	c->alarm = c->alarms[0] != '\0';
	if (statusp)
		*statusp = s;
	else
		json_decref(s);
}

static int
fleet_cb(void *arg, int n, const char *const *v)
{
	struct fleet *f = arg;
	struct cells c, *m;

	if (n < 8 || v[0] == NULL || f->n >= MAX_BOARDS)
		return 0;
	fill_cells(f->r, v, &c, NULL);
	if (f->district && f->district[0] && strcmp(c.district, f->district) != 0)
		return 0;
	if ((m = realloc(f->c, (size_t)(f->n + 1) * sizeof(*m))) == NULL)
		return -1;
	f->c = m;
	f->c[f->n++] = c;
	return 0;
}



/* the boards r->u may see, filtered; count or -1 */
static int
fleet_read(const struct req *r, struct fleet *f, const char *district, const char *commune)
{
	const char *v[2] = { r->u.role == ROLE_OPERATOR ? r->u.name : "", commune ? commune : "" };

	memset(f, 0, sizeof(*f));
	f->r = r;
	f->district = district;
	return store_query(r->db, BOARD_SQL "ORDER BY site", 2, v, fleet_cb, f) < 0 ? -1 : f->n;
}

char *
page_fleet_json(const struct req *r, const char *district, const char *commune)
{
	struct fleet f;
	json_t *a;
	char *s;

	if (fleet_read(r, &f, district, commune) < 0 || (a = json_array()) == NULL) {
		free(f.c);
		return NULL;
	}
	for (int i = 0; i < f.n; i++) {
		struct cells *c = &f.c[i];
		json_array_append_new(a, json_pack("{s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "site", c->site, "online",
		    c->online, "state", c->state, "airing", c->airing, "serial", c->serial, "version", c->version, "disk",
		    c->disk, "alarms", c->alarms, "live", c->live));
	}
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	free(f.c);
	return s;
}

int
page_fleet_csv(const struct req *r, FILE *fp, const char *district, const char *commune)
{
	struct fleet f;

	if (fleet_read(r, &f, district, commune) < 0)
		return -1;
	csv_bom(fp);
	csv_row(fp, T(r, N_("Commune")), T(r, N_("District")), T(r, N_("State")), T(r, N_("Last airing")),
	    T(r, N_("Config serial")), T(r, N_("Version")), T(r, N_("Disk free")), T(r, N_("Alarms")), NULL);
	for (int i = 0; i < f.n; i++) {
		struct cells *c = &f.c[i];
		csv_row(fp, c->site, c->district, c->state, c->airing, c->serial, c->version, c->disk, c->alarms, NULL);
	}
	free(f.c);
	return 0;
}

static void
head(const struct req *r, struct html *h, const char *title)
{
	html_rawf(h, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<link rel=\"stylesheet\" href=\"/console.css\"><title>", r->en ? "en" : "vi");
	html_text(h, title);
	html_raw(h, " — loaxa</title></head><body>");
	if (r->authed) {
		html_raw(h, "<nav><a href=\"/\">");
		html_text(h, T(r, N_("Fleet")));
		html_raw(h, "</a> <a href=\"/reports\">");
		html_text(h, T(r, N_("Reports")));
		html_raw(h, "</a> ");
		if (r->u.role != ROLE_AUDITOR) {
			html_raw(h, "<a href=\"/air\">");
			html_text(h, T(r, N_("Air now")));
			html_raw(h, "</a> ");
		}
		if (r->u.role == ROLE_ADMIN || r->u.role == ROLE_AUDITOR) {
			html_raw(h, "<a href=\"/audit\">");
			html_text(h, T(r, N_("Audit trail")));
			html_raw(h, "</a> ");
		}
		html_raw(h, "<span class=\"who\">");
		html_text(h, r->u.name);
		html_raw(h, " (");
		html_text(h, users_role_name(r->u.role));
		html_raw(h, ")</span> ");
		html_raw(h, r->en ? "<a href=\"?lang=vi\">Tiếng Việt</a> " : "<a href=\"?lang=en\">English</a> ");
		html_raw(h, "<form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" "
		    "value=\"");
		html_text(h, r->u.csrf);
		html_raw(h, "\"><button type=\"submit\">");
		html_text(h, T(r, N_("Log out")));
		html_raw(h, "</button></form></nav>");
	}
	html_raw(h, "<main><h1>");
	html_text(h, title);
	html_raw(h, "</h1>");
}

static void
foot(struct html *h)
{
	html_raw(h, "</main><script src=\"/console.js\"></script></body></html>\n");
}

void
page_error(const struct req *r, struct html *h, const char *title, const char *message)
{
	head(r, h, title);
	html_raw(h, "<p class=\"error\">");
	html_text(h, message);
	html_raw(h, "</p>");
	foot(h);
}

void
page_login(const struct req *r, struct html *h, const char *pre, const char *message)
{
	head(r, h, T(r, N_("Log in to the loaxa console")));
	if (message) {
		html_raw(h, "<p class=\"error\">");
		html_text(h, message);
		html_raw(h, "</p>");
	}
	html_raw(h, "<form method=\"post\" action=\"/login\" class=\"login\"><input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(h, pre);
	html_raw(h, "\"><label>");
	html_text(h, T(r, N_("Name")));
	html_raw(h, " <input name=\"name\" autocomplete=\"username\" required></label><label>");
	html_text(h, T(r, N_("Password")));
	html_raw(h, " <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>"
	    "<button type=\"submit\">");
	html_text(h, T(r, N_("Log in")));
	html_raw(h, "</button></form><p>");
	html_raw(h, r->en ? "<a href=\"/login?lang=vi\">Tiếng Việt</a>" : "<a href=\"/login?lang=en\">English</a>");
	html_raw(h, "</p>");
	foot(h);
}

static void
th(const struct req *r, struct html *h, const char *msgid)
{
	html_raw(h, "<th>");
	html_text(h, T(r, msgid));
	html_raw(h, "</th>");
}

/* a cell the events stream rewrites (data-col), labelled for a phone's narrow screen (data-label) */
static void
td(const struct req *r, struct html *h, const char *col, const char *label, const char *text)
{
	html_rawf(h, "<td data-col=\"%s\" data-label=\"", col);
	html_text(h, T(r, label));
	html_raw(h, "\">");
	html_text(h, text);
	html_raw(h, "</td>");
}

int
page_fleet(const struct req *r, struct html *h, const char *district, const char *commune)
{
	struct fleet f;

	if (fleet_read(r, &f, district, commune) < 0) {
		page_error(r, h, T(r, N_("Fleet")), store_error(r->db));
		return 500;
	}
	head(r, h, T(r, N_("Fleet")));
	html_raw(h, "<form method=\"get\" action=\"/\" class=\"filter\"><label>");
	html_text(h, T(r, N_("District")));
	html_raw(h, " <input name=\"district\" value=\"");
	html_text(h, district);
	html_raw(h, "\"></label> <label>");
	html_text(h, T(r, N_("Commune")));
	html_raw(h, " <input name=\"commune\" value=\"");
	html_text(h, commune);
	html_raw(h, "\"></label> <button type=\"submit\">");
	html_text(h, T(r, N_("Filter")));
	html_raw(h, "</button></form>");
	html_rawf(h, "<p><span id=\"count\">%d</span> ", f.n);
	html_text(h, T(r, N_("boards")));
	html_raw(h, " · <a href=\"/fleet.csv?district=");
	html_url(h, district);
	html_raw(h, "&amp;commune=");
	html_url(h, commune);
	html_raw(h, "\">CSV</a> · <span id=\"live\"></span></p>");
	html_raw(h, "<table id=\"fleet\" data-events=\"/events?");
	html_raw(h, "district=");
	html_url(h, district);
	html_raw(h, "&amp;commune=");
	html_url(h, commune);
	html_raw(h, "\"><thead><tr>");
	th(r, h, N_("Commune"));
	th(r, h, N_("State"));
	th(r, h, N_("Last airing"));
	th(r, h, N_("Config serial"));
	th(r, h, N_("Version"));
	th(r, h, N_("Disk free"));
	th(r, h, N_("Alarms"));
	html_raw(h, "</tr></thead><tbody>");
	for (int i = 0; i < f.n; i++) {
		struct cells *c = &f.c[i];
		html_raw(h, "<tr data-site=\"");
		html_text(h, c->site);
		html_rawf(h, "\" class=\"%s%s\"><td><a href=\"/board?site=", c->online ? "on" : "off", c->alarm ? " alarm" : "");
		html_url(h, c->site);
		html_raw(h, "\">");
		html_text(h, c->site);
		html_raw(h, "</a></td>");
		td(r, h, "state", N_("State"), c->state);
		td(r, h, "airing", N_("Last airing"), c->airing);
		td(r, h, "serial", N_("Config serial"), c->serial);
		td(r, h, "version", N_("Version"), c->version);
		td(r, h, "disk", N_("Disk free"), c->disk);
		td(r, h, "alarms", N_("Alarms"), c->alarms);
		html_raw(h, "</tr>");
	}
	html_raw(h, "</tbody></table>");
	if (f.n == 0) {
		html_raw(h, "<p class=\"empty\">");
		html_text(h, T(r, N_("No board matches (or none has reported to the collector yet).")));
		html_raw(h, "</p>");
	}
	foot(h);
	free(f.c);
	return 200;
}

int
page_air_sites(const struct req *r, char ***sites)
{
	struct fleet f;
	char **v;

	*sites = NULL;
	if (fleet_read(r, &f, NULL, NULL) < 0) {
		free(f.c);
		return -1;
	}
	if ((v = calloc((size_t)f.n + 1, sizeof(*v))) == NULL) {
		free(f.c);
		return -1;
	}
	for (int i = 0; i < f.n; i++)
		v[i] = strdup(f.c[i].site);
	free(f.c);
	*sites = v;
	return f.n;
}

void
page_air_sites_free(char **sites, int n)
{
	for (int i = 0; i < n; i++)
		free(sites[i]);
	free(sites);
}

int
page_air(const struct req *r, struct html *h, const char *message, const char *sent_id)
{
	struct fleet f;

	if (fleet_read(r, &f, NULL, NULL) < 0) {
		free(f.c);
		page_error(r, h, T(r, N_("Air now")), store_error(r->db));
		return 500;
	}
	head(r, h, T(r, N_("Air now")));
	html_raw(h, "<h1>");
	html_text(h, T(r, N_("Air now: a live stream on chosen boards")));
	html_raw(h, "</h1>");
	if (message) {
		html_raw(h, "<p class=\"message\" id=\"message\">");
		html_text(h, message);
		html_raw(h, "</p>");
	}
	html_raw(h, "<form method=\"post\" action=\"/air\" class=\"air\"><input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(h, r->u.csrf);
	html_raw(h, "\"><label>");
	html_text(h, T(r, N_("Stream address (http:// or https://)")));
	html_raw(h, " <input name=\"url\" type=\"url\" required maxlength=\"1000\"></label><label>");
	html_text(h, T(r, N_("Level")));
	html_raw(h, " <select name=\"level\"><option value=\"priority\">");
	html_text(h, T(r, N_("priority")));
	html_raw(h, "</option><option value=\"emergency\">");
	html_text(h, T(r, N_("emergency (airs even in quiet hours)")));
	html_raw(h, "</option></select></label><label>");
	html_text(h, T(r, N_("At most (minutes)")));
	html_raw(h, " <input name=\"minutes\" type=\"number\" min=\"1\" max=\"240\" value=\"30\"></label>");
	html_raw(h, "<table id=\"fleet\" data-events=\"/events?district=&amp;commune=\"><thead><tr><th></th>");
	th(r, h, N_("Commune"));
	th(r, h, N_("State"));
	th(r, h, N_("Answer to the last live command"));
	html_raw(h, "</tr></thead><tbody>");
	for (int i = 0; i < f.n; i++) {
		struct cells *c = &f.c[i];
		html_raw(h, "<tr data-site=\"");
		html_text(h, c->site);
		html_rawf(h, "\" class=\"%s\"><td><input type=\"checkbox\" value=\"1\" name=\"site.", c->online ? "on" : "off");
		html_text(h, c->site);
		html_raw(h, "\"></td><td>");
		html_text(h, c->site);
		html_raw(h, "</td>");
		td(r, h, "state", N_("State"), c->state);
		td(r, h, "live", N_("Answer to the last live command"), c->live);
		html_raw(h, "</tr>");
	}
	html_raw(h, "</tbody></table><button type=\"submit\" name=\"go\" value=\"1\">");
	html_text(h, T(r, N_("Air now")));
	html_raw(h, "</button></form>");
	if (sent_id) {	/* the end of what was just sent, to the same boards */
		html_raw(h, "<form method=\"post\" action=\"/air/end\" class=\"air-end\"><input type=\"hidden\" name=\"csrf\" "
		    "value=\"");
		html_text(h, r->u.csrf);
		html_raw(h, "\"><input type=\"hidden\" name=\"id\" value=\"");
		html_text(h, sent_id);
		html_raw(h, "\"><p>");
		for (int i = 0; i < f.n; i++) {
			html_raw(h, "<label><input type=\"checkbox\" checked value=\"1\" name=\"site.");
			html_text(h, f.c[i].site);
			html_raw(h, "\"> ");
			html_text(h, f.c[i].site);
			html_raw(h, "</label> ");
		}
		html_raw(h, "</p><button type=\"submit\">");
		html_textf(h, "%s %s", T(r, N_("End live")), sent_id);
		html_raw(h, "</button></form>");
	}
	html_raw(h, "<p><span id=\"live\"></span></p>");
	foot(h);
	free(f.c);
	return 200;
}

struct airings {
	const struct req *r;
	struct html	*h;
};

static int
airing_row(void *arg, int n, const char *const *v)
{
	struct airings *a = arg;
	json_t *j = n > 1 && v[1] ? json_loads(v[1], 0, NULL) : NULL;
	const char *type = jstr(j, "type");

	if (j == NULL)
		return 0;
	html_raw(a->h, "<tr><td>");
	html_text(a->h, v[0]);
	html_raw(a->h, "</td><td>");
	html_text(a->h, jstr(j, "start")[0] ? jstr(j, "start") : jstr(j, "ts"));
	html_raw(a->h, "</td><td>");
	html_text(a->h, jstr(j, "session"));
	html_raw(a->h, "</td><td>");
	html_text(a->h, jstr(j, "title")[0] ? jstr(j, "title") : jstr(j, "bulletin"));
	html_raw(a->h, "</td><td>");
	html_text(a->h, jstr(j, "topic"));
	html_raw(a->h, "</td><td>");
	html_text(a->h, strcmp(type, "missed") == 0 ? T(a->r, N_("missed")) : jstr(j, "outcome"));
	if (jstr(j, "reason")[0]) {
		html_raw(a->h, ": ");
		html_text(a->h, jstr(j, "reason"));
	}
	html_raw(a->h, "</td></tr>");
	json_decref(j);
	return 0;
}

static void
dl(const struct req *r, struct html *h, const char *msgid, const char *value)
{
	html_raw(h, "<dt>");
	html_text(h, T(r, msgid));
	html_raw(h, "</dt><dd>");
	html_text(h, value && value[0] ? value : "-");
	html_raw(h, "</dd>");
}

struct one {
	const struct req *r;
	struct cells	 c;
	json_t		*s;
	long long	 seq, fault_seq;
	int		 macs, n;
};

static int
one_cb(void *arg, int n, const char *const *v)
{
	struct one *o = arg;

	if (n < 8 || v[0] == NULL)
		return 0;
	fill_cells(o->r, v, &o->c, &o->s);
	o->seq = v[1] ? atoll(v[1]) : 0;
	o->fault_seq = v[2] ? atoll(v[2]) : 0;
	o->macs = v[4] ? atoi(v[4]) : 0;
	o->n = 1;
	return 1;
}

int
page_board(const struct req *r, struct html *h, const char *site)
{
	const char *v[2] = { r->u.role == ROLE_OPERATOR ? r->u.name : "", site };
	struct one o = { .r = r };
	struct airings a = { r, h };
	char buf[320];
	long long upto;

	/* read with the user's communes in the SQL: another commune's board is not found */
	if (store_query(r->db, BOARD_SQL, 2, v, one_cb, &o) < 0) {
		page_error(r, h, site, store_error(r->db));
		return 500;
	}
	if (o.n == 0 || site[0] == '\0') {
		page_error(r, h, T(r, N_("No such board")), T(r, N_("There is no board of that name among the communes you "
		    "may see. Go back to the fleet and choose one there.")));
		return 404;
	}
	head(r, h, site);
	html_raw(h, "<dl>");
	dl(r, h, N_("State"), o.c.state);
	dl(r, h, N_("District"), o.c.district);
	dl(r, h, N_("Now airing"), jstr(o.s, "current"));
	dl(r, h, N_("Next airing"), jstr(o.s, "next"));
	dl(r, h, N_("Clock"), jstr(o.s, "clock"));
	dl(r, h, N_("Config serial"), o.c.serial);
	dl(r, h, N_("Version"), o.c.version);
	dl(r, h, N_("Disk free"), o.c.disk);
	dl(r, h, N_("Alarms"), o.c.alarms);
	upto = o.fault_seq ? o.fault_seq - 1 : o.seq;
	snprintf(buf, sizeof(buf), T(r, N_("verified up to record %lld of %lld stored (%s)")), upto, o.seq, o.macs ?
	    T(r, N_("chain, seals and MACs")) : T(r, N_("chain and seals; no seed, MACs not checked")));
	dl(r, h, N_("Integrity"), buf);
	html_raw(h, "</dl><h2>");
	html_text(h, T(r, N_("Last airings")));
	html_raw(h, "</h2><table><thead><tr>");
	th(r, h, N_("Record"));
	th(r, h, N_("Time"));
	th(r, h, N_("Session"));
	th(r, h, N_("Title"));
	th(r, h, N_("Topic"));
	th(r, h, N_("Outcome"));
	html_raw(h, "</tr></thead><tbody>");
	store_query(r->db, "SELECT seq, line FROM records WHERE site = $1 AND type IN ('airing', 'missed') "
	    "ORDER BY seq DESC LIMIT 30", 1, &v[1], airing_row, &a);
	html_raw(h, "</tbody></table>");
	foot(h);
	json_decref(o.s);
	return 200;
}

int
page_reports(const struct req *r, struct html *h, const char *message)
{
	char today[32], first[32];
	time_t t = (time_t)r->now;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	snprintf(first, sizeof(first), "%d-%02d-01", tm.tm_year + 1900, tm.tm_mon < 6 ? 1 : 7);
	head(r, h, T(r, N_("Reports")));
	if (message) {
		html_raw(h, "<p class=\"error\">");
		html_text(h, message);
		html_raw(h, "</p>");
	}
	html_raw(h, "<p>");
	html_text(h, r->u.role == ROLE_OPERATOR ? T(r, N_("The report of your communes, from the records the collector "
	    "stored.")) : T(r, N_("The province's report, from the records the collector stored.")));
	html_raw(h, "</p><form method=\"get\" action=\"/reports/download\" class=\"report\"><label>");
	html_text(h, T(r, N_("From")));
	html_rawf(h, " <input type=\"date\" name=\"from\" value=\"%s\" required></label><label>", first);
	html_text(h, T(r, N_("To")));
	html_rawf(h, " <input type=\"date\" name=\"to\" value=\"%s\" required></label><label>", today);
	html_text(h, T(r, N_("Format")));
	html_raw(h, " <select name=\"format\"><option value=\"text\">text</option><option value=\"csv\">CSV</option>"
	    "<option value=\"json\">JSON</option></select></label><button type=\"submit\">");
	html_text(h, T(r, N_("Download")));
	html_raw(h, "</button></form>");
	foot(h);
	return 200;
}

static int
audit_row(void *arg, int n, const char *const *v)
{
	struct html *h = arg;
	char t[32];

	if (n < 4)
		return 0;
	when(v[0] ? atoll(v[0]) : 0, t, sizeof(t));
	html_raw(h, "<tr><td>");
	html_text(h, t);
	for (int i = 1; i < 4; i++) {
		html_raw(h, "</td><td>");
		html_text(h, v[i]);
	}
	html_raw(h, "</td></tr>");
	return 0;
}

int
page_audit(const struct req *r, struct html *h)
{
	if (r->u.role != ROLE_ADMIN && r->u.role != ROLE_AUDITOR) {
		page_error(r, h, T(r, N_("Audit trail")), T(r, N_("Only administrators and auditors read the audit trail.")));
		return 403;
	}
	head(r, h, T(r, N_("Audit trail")));
	html_raw(h, "<table><thead><tr>");
	th(r, h, N_("Time"));
	th(r, h, N_("Who"));
	th(r, h, N_("What"));
	th(r, h, N_("From"));
	html_raw(h, "</tr></thead><tbody>");
	store_query(r->db, "SELECT t, who, what, addr FROM audit ORDER BY id DESC LIMIT 300", 0, NULL, audit_row, h);
	html_raw(h, "</tbody></table>");
	foot(h);
	return 200;
}
