/*
 * loaxa periods [-c CFG] YEAR      period windows that touch a year
 * loaxa plan [-c CFG] FROM [TO] [--tsv]
 *                                  what would air: the planner over the
 *                                  board's library and airing history
 * loaxa library [-c CFG]           the bulletins on the board
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"
#include "scheduler/library.h"
#include "scheduler/plan.h"
#include "scheduler/sched.h"

#define PLAN_MAX_DAYS (3 * 366)

int
cmd_periods(int argc, char **argv)
{
	const char *path = cli_config_arg(&argc, argv);
	struct sched_window w[16];
	struct cfg *c;
	char *end;
	long y;

	if (argc != 2)
		return cli_usage("periods", "periods [-c CFG] YEAR", "%s", _("give one year, e.g. 2027"));
	y = strtol(argv[1], &end, 10);
	if (*end != '\0' || y < 1901 || y > 2198)
		return cli_usage("periods", "periods [-c CFG] YEAR", _("\"%s\" is not a year from 1901 to 2198"),
		    argv[1]);
	if ((c = cli_load(path)) == NULL)
		return 1;
	for (int i = 0; i < c->nperiods; i++) {
		int n = sched_windows(&c->periods[i], date_from_civil((int)y, 1, 1), date_from_civil((int)y, 12, 31),
		    w, 16);
		for (int j = 0; j < n; j++) {
			char a[11], b[11];
			date_format(w[j].from, a);
			date_format(w[j].to, b);
			printf("%s %s %s\n", c->periods[i].id, a, b);
		}
	}
	cfg_free(c);
	return 0;
}

struct out {
	FILE			*fp;
	const struct cfg	*c;
	struct sched		*s;
	int			 tsv;
	int32_t			 day;		/* last day header printed */
};

static const char *
weekday_name(int wd)
{
	static const char *const names[7] = { N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"),
		N_("Friday"), N_("Saturday"), N_("Sunday") };

	return _(names[wd]);
}

static void
day_header(struct out *o, int32_t day)
{
	char d[11];
	int first = 1;

	if (o->day == day)
		return;
	o->day = day;
	date_format(day, d);
	fprintf(o->fp, "\n%s %s", weekday_name(date_weekday(day)), d);
	for (int i = 0; i < o->c->nperiods; i++)
		if (sched_active(o->s, &o->c->periods[i], day)) {
			fprintf(o->fp, "%s%s", first ? " — " : ", ", o->c->periods[i].name);
			first = 0;
		}
	for (int e = 0; e < o->c->nexceptions; e++)
		if (o->c->exceptions[e].date == day)
			fprintf(o->fp, " — %s", _("exception day"));
	fprintf(o->fp, "\n");
}

static void
on_slot(void *arg, const struct sched_slot *sl, int nitems)
{
	struct out *o = arg;
	long st = sl->start * 60000L, en = st + sl->length_ms;

	if (o->tsv) {
		if (sl->session->relay) {	/* a relay is a line of its own: the stream, for its length */
			char ts[26];
			cli_local_ts(sl->day, st, ts);
			fprintf(o->fp, "%s\t%ld\trelay:%s\trelay\t%s\t%s\n", ts, sl->length_ms / 1000, sl->session->id,
			    sl->period ? sl->period->id : "normal", sl->session->id);
		}
		return;
	}
	day_header(o, sl->day);
	if (sl->session->relay) {
		const struct cfg_relay *r = sl->session->relay;
		fprintf(o->fp, "  %02ld:%02ld-%02ld:%02ld  %s \"%s\"", st / 3600000, st / 60000 % 60, en / 3600000 % 24,
		    en / 60000 % 60, _("relay"), sl->session->id);
		if (r->name)
			fprintf(o->fp, " (%s)", r->name);
		fprintf(o->fp, ": %s\n          ", r->url);
		if (r->fallback == CFG_FALLBACK_BULLETINS)
			fprintf(o->fp, _("when the stream is down for %d s: bulletins, until it is back"), r->fallback_after);
		else
			fprintf(o->fp, _("when the stream is down: silence, until it is back"));
		fprintf(o->fp, "\n");
		return;
	}
	fprintf(o->fp, "  %02ld:%02ld-%02ld:%02ld  %s \"%s\"", st / 3600000, st / 60000 % 60, en / 3600000 % 24,
	    en / 60000 % 60, _("session"), sl->session->id);
	if (nitems == 0)
		fprintf(o->fp, ": %s\n", _("no bulletin is available for it"));
	else
		fprintf(o->fp, ": %d %s\n", nitems, nitems == 1 ? _("bulletin") : _("bulletins"));
}

static void
on_item(void *arg, const struct plan_item *it)
{
	struct out *o = arg;
	char ts[26], dur[16];

	if (o->tsv) {
		cli_local_ts(it->day, it->start_ms, ts);
		fprintf(o->fp, "%s\t%ld\t%s\t%s\t%s\t%s\n", ts, (it->dur_ms + 500) / 1000, it->b->id, it->b->topic,
		    it->period, it->session);
		return;
	}
	day_header(o, it->day);
	cli_fmt_dur(it->dur_ms, dur, sizeof(dur));
	if (it->emergency)
		fprintf(o->fp, "  %02ld:%02ld:%02ld  %s  %s  \"%s\" (%s, %s)\n", it->start_ms / 3600000, it->start_ms / 60000 % 60,
		    it->start_ms / 1000 % 60, _("EMERGENCY"), dur, it->b->title, it->b->topic, it->b->id);
	else
		fprintf(o->fp, "      %02ld:%02ld:%02ld  %6s  %s%s (%s, %s)\n", it->start_ms / 3600000, it->start_ms / 60000 % 60,
		    it->start_ms / 1000 % 60, dur, it->b->level == BUL_PRIORITY ? _("[priority] ") : "", it->b->title,
		    it->b->topic, it->b->id);
}

/* the plan of [from, to] over c's library and history, as text (or TSV) into fp */
static int
plan_out(FILE *fp, const struct cfg *c, int32_t from, int32_t to, int tsv)
{
	struct out o = { .fp = fp, .c = c, .tsv = tsv, .day = INT32_MIN };
	struct planner *p;
	struct lib l;

	if (cli_load_library(c, &l) < 0)
		return -1;
	if ((p = plan_new(c, &l, cli_chime_ms(c))) == NULL) {
		lib_free(&l);
		return -1;
	}
	cli_load_history(c, p);
	o.s = sched_new(c, from, to);
	if (!o.tsv) {
		char f[11], t[11];
		date_format(from, f);
		date_format(to, t);
		fprintf(fp, _("Broadcast plan of %s (%s), %s to %s"), c->site.name, c->site.id, f, t);
		fprintf(fp, "\n");
	}
	plan_days(p, from, to, on_item, on_slot, &o);
	sched_free(o.s);
	plan_free(p);
	lib_free(&l);
	return 0;
}

int
cmd_plan_text(FILE *fp, const struct cfg *c, int32_t from, int32_t to)
{
	return plan_out(fp, c, from, to, 0);
}

int
cmd_plan(int argc, char **argv)
{
	static const char usage[] = "plan [-c CFG] FROM [TO] [--tsv]";
	const char *path = cli_config_arg(&argc, argv);
	const char *a[2] = { NULL, NULL };
	int32_t from, to;
	struct cfg *c;
	int na = 0, tsv = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--tsv") == 0)
			tsv = 1;
		else if (argv[i][0] == '-' || na == 2)
			return cli_usage("plan", usage, _("unexpected argument \"%s\""), argv[i]);
		else
			a[na++] = argv[i];
	}
	if (na == 0)
		return cli_usage("plan", usage, "%s", _("give the first day, YYYY-MM-DD"));
	if (date_parse(a[0], &from) < 0)
		return cli_usage("plan", usage, _("FROM \"%s\" is not a date (YYYY-MM-DD)"), a[0]);
	to = from;
	if (a[1] && date_parse(a[1], &to) < 0)
		return cli_usage("plan", usage, _("TO \"%s\" is not a date (YYYY-MM-DD)"), a[1]);
	if (to < from)
		return cli_usage("plan", usage, "%s", _("TO is before FROM"));
	if (to - from >= PLAN_MAX_DAYS)
		return cli_usage("plan", usage, _("at most %d days at a time"), PLAN_MAX_DAYS);
	{
		int y, m, d;
		date_to_civil(from, &y, &m, &d);
		if (y < 1901) return cli_usage("plan", usage, "%s", _("FROM must be in 1901 or later"));
		date_to_civil(to, &y, &m, &d);
		if (y > 2198) return cli_usage("plan", usage, "%s", _("TO must be in 2198 or earlier"));
	}
	if ((c = cli_load(path)) == NULL)
		return 1;
	cli_set_zone(c);
	rc = plan_out(stdout, c, from, to, tsv) < 0 ? 1 : 0;
	cfg_free(c);
	return rc;
}

int
cmd_library(int argc, char **argv)
{
	const char *path = cli_config_arg(&argc, argv);
	struct lib l;
	struct cfg *c;

	if (argc > 1)
		return cli_usage("library", "library [-c CFG]", _("unexpected argument \"%s\""), argv[1]);
	if ((c = cli_load(path)) == NULL)
		return 1;
	if (cli_load_library(c, &l) < 0) {
		cfg_free(c);
		return 1;
	}
	for (int i = 0; i < l.n; i++) {
		const struct bulletin *b = &l.b[i];
		char f[11], t[11], dur[16];
		date_format(b->valid_from, f);
		date_format(b->valid_to, t);
		cli_fmt_dur(b->duration_ms, dur, sizeof(dur));
		printf("%s\t%s\t%s\t%s..%s\t%s\t%.1f LUFS\t%s\n", b->id, b->topic, bul_level_name(b->level), f, t, dur,
		    b->loudness_lufs, b->title);
	}
	if (l.n == 0)
		fprintf(stderr, "%s\n", _("the library is empty: load bulletins from a USB stick"));
	lib_free(&l);
	cfg_free(c);
	return 0;
}
