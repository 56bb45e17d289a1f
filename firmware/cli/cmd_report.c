/*
 * loaxa report: the report auditors read, for one airing log or many (one
 * --airlog per commune), over a half year, a year or any range, as text
 * (Vietnamese by default), CSV, JSON, HTML (one printable A4 page) or the
 * weekly log book.
 *
 * I/O and presentation only: the log is read and verified by airlog_read()
 * (one pass: each record is checked and handed over), the configs the log
 * carries are parsed here, and every figure is report/report.c's. Logs
 * are read by up to one thread per core, one log per thread at a time:
 * logs are independent, and a province report reads a hundred of them.
 * Output is written by the main thread once every log is read.
 *
 * Exit status: 0 every log intact; 1 a log has a fault (the report is
 * still made, marked); 2 a usage error or a log that cannot be read.
 */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"
#include "report/render.h"
#include "report/report.h"
#include "scheduler/airlog.h"
#include "scheduler/logline.h"


#define U_REPORT "report [-c CFG] [--airlog DIR]... {--half YYYYH1|YYYYH2 | --year YYYY | --from YYYY-MM-DD " \
	"--to YYYY-MM-DD} [--format text|csv|html|json|logbook] [--lang vi|en] [--seed HEX|-]... " \
	"[--checkpoint FILE]... [--no-verify] [--db postgresql://...|sqlite:PATH [--site a,b]]"
#define MAX_DAYS	(10 * 366)

/* --- reading one log ------------------------------------------------------ */

static int
type_kind(const char *t)
{
	if (t == NULL)
		return RPT_OTHER;
	if (strcmp(t, "airing") == 0)
		return RPT_AIRING;
	if (strcmp(t, "missed") == 0)
		return RPT_MISSED;
	if (strcmp(t, "config") == 0)
		return RPT_CONFIG;
	if (strcmp(t, "relay") == 0)
		return RPT_RELAY;
	if (strcmp(t, "live") == 0)
		return RPT_LIVE;
	return RPT_OTHER;
}

/* the record's fields in one walk over its members (a lookup per field costs more, a million times) */
static void
take_fields(const struct logline *j, struct rpt_rec *r, const char **type, const char **text, const char **site)
{
#define IS(name) (memcmp(k, name, sizeof(name) - 1) == 0)
	for (int i = 0; i < j->n; i++) {
		const struct logline_field *f = &j->f[i];
		const char *k = f->key, *v = f->s;

		if (f->parent != -1)
			continue;
		if (f->type == LOGLINE_INTEGER) {
			if (f->klen == 3 && IS("seq"))
				r->seq = f->i;
			else if (f->klen == 11 && IS("duration_ms"))
				r->duration_ms = f->i;
			else if (f->klen == 8 && IS("heard_ms"))
				r->heard_ms = f->i;
			else if (f->klen == 11 && IS("fallback_ms"))
				r->fallback_ms = f->i;
			else if (f->klen == 8 && IS("dropouts"))
				r->dropouts = f->i;
			continue;
		}
		if (f->type != LOGLINE_STRING)
			continue;
		switch (f->klen) {
		case 2:
			if (IS("ts"))
				r->ts = v;
			break;
		case 4:
			if (IS("type"))
				*type = v;
			else if (IS("slot"))
				r->slot = v;
			else if (IS("site"))
				*site = v;
			else if (IS("text"))
				*text = v;
			break;
		case 5:
			if (IS("clock"))
				r->unsynced = strcmp(v, "unsynced") == 0;
			else if (IS("title"))
				r->title = v;
			else if (IS("topic"))
				r->topic = v;
			else if (IS("start"))
				r->start = v;
			break;
		case 6:
			if (IS("period"))
				r->period = v;
			else if (IS("sha256"))
				r->sha256 = v;
			else if (IS("reason"))
				r->reason = v;
			break;
		case 7:
			if (IS("session"))
				r->session = v;
			else if (IS("outcome"))
				r->outcome = v;
			break;
		case 8:
			if (IS("bulletin"))
				r->bulletin = v;
			break;
		case 9:
			if (IS("scheduled"))
				r->scheduled = v;
			break;
		default:
			break;
		}
	}
#undef IS
}

static int
visit(void *arg, const struct logline *j, const struct airlog_read_info *in)
{
	struct render_site *s = arg;
	struct rpt_rec r;
	const char *type = NULL, *text = NULL, *site = NULL;

	memset(&r, 0, sizeof(r));
	take_fields(j, &r, &type, &text, &site);
	r.kind = type_kind(type);
	/* --no-verify: the whole report says so once; no record is singled out */
	r.verified = s->rep->verify ? in->verified : 1;
	if (site && s->site_id[0] == '\0')
		snprintf(s->site_id, sizeof(s->site_id), "%s", site);
	if (r.kind == RPT_CONFIG) {
		r.cfg_sha = r.sha256;
		r.sha256 = NULL;
		if (text && !rpt_has_config(s->rpt, r.cfg_sha)) {
			struct diag d;
			char name[512];
			snprintf(name, sizeof(name), "%s/%s:%ld", s->dir, in->file, in->line);
			diag_init(&d);
			r.cfg = cfg_load_string(text, name, NULL, &d);
			if (r.cfg == NULL)
				s->bad_configs++;	/* a config this loaxa cannot read: its days have no plan */
			diag_free(&d);
		}
	}
	rpt_feed(s->rpt, &r);
	return 0;
}

static int
new_report(struct render_site *s)
{
	if ((s->rpt = rpt_new(s->rep->from, s->rep->to)) == NULL)
		return -1;
	if (s->rep->format == RENDER_LOGBOOK)
		rpt_keep_entries(s->rpt);
	s->site_id[0] = '\0';
	s->bad_configs = 0;
	return 0;
}

/* the reader reads again (the log has a fault, to be placed exactly): start over */
static void
reset(void *arg)
{
	struct render_site *s = arg;

	rpt_free(s->rpt);
	if (new_report(s) < 0)
		abort();
}

/* fewer logs than cores: each reader has a core to spare for reading ahead (read_all sets it) */
static int spare_core;

static void
read_site(struct render_site *s, const struct render *rp)
{
	struct airlog_verify_opts vo = { 0 };
	struct airlog_read_opts ro = { 0 };

	s->rep = rp;
	if (new_report(s) < 0) {
		s->rc = -1;
		snprintf(s->fault.what, sizeof(s->fault.what), "%s", strerror(ENOMEM));
		return;
	}
	vo.seed = s->have_seed ? s->seed : NULL;
	vo.checkpoint_path = s->checkpoint;
	ro.verify = rp->verify;
	ro.from = rp->from;
	ro.to = rp->to;
	ro.visit = visit;
	ro.reset = reset;
	ro.arg = s;
	ro.read_ahead = spare_core;
	s->rc = airlog_read(s->dir, &vo, &ro, &s->fault, &s->st);
	sodium_memzero(s->seed, sizeof(s->seed));
	rpt_finish(s->rpt);
	s->f = rpt_figures(s->rpt);
}

/* the reading steps that office/report_db.c drives for `report --db` */
int
cmd_report_site_begin(struct render_site *s, const struct render *rp)
{
	s->rep = rp;
	return new_report(s);
}

int
cmd_report_visit(void *site, const struct logline *j, const struct airlog_read_info *in)
{
	return visit(site, j, in);
}

void
cmd_report_site_end(struct render_site *s)
{
	rpt_finish(s->rpt);
	s->f = rpt_figures(s->rpt);
}

int (*cli_report_db)(struct render *, const char *, const char *);

struct pool {
	struct render	*rp;
	int		 next;
	pthread_mutex_t	 mu;
};

static void *
worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		int i;
		pthread_mutex_lock(&p->mu);
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->rp->nsites)
			return NULL;
		read_site(&p->rp->sites[i], p->rp);
	}
}

/* every log, by as many threads as there are cores (LOAXA_THREADS to choose) */
static void
read_all(struct render *rp)
{
	struct pool p = { .rp = rp };
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	const char *env = getenv("LOAXA_THREADS");
	pthread_t th[16];
	int started = 0;

	if (env && *env)
		n = strtol(env, NULL, 10);
	if (n < 1)
		n = 1;
	if (n > 16)
		n = 16;
	if (n > rp->nsites) {
		n = rp->nsites;
		spare_core = 1;
	}
	pthread_mutex_init(&p.mu, NULL);
	for (long i = 1; i < n; i++)
		if (pthread_create(&th[started], NULL, worker, &p) == 0)
			started++;
	worker(&p);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.mu);
}

/* --- arguments ------------------------------------------------------------ */

static const char *
opt_value(int *i, int argc, char **argv, const char *name)
{
	if (strcmp(argv[*i], name) != 0)
		return NULL;
	if (*i + 1 >= argc)
		return "";
	return argv[++*i];
}

static int
read_seed(const char *arg, unsigned char seed[AIRLOG_SEED_LEN])
{
	char line[256];
	size_t got = 0;
	const char *end = NULL;
	int rc;

	if (strcmp(arg, "-") == 0) {	/* from stdin, one line per log: keeps seeds out of ps */
		if (fgets(line, sizeof(line), stdin) == NULL)
			return -1;
		line[strcspn(line, "\r\n")] = '\0';
		arg = line;
	}
	rc = sodium_hex2bin(seed, AIRLOG_SEED_LEN, arg, strlen(arg), NULL, &got, &end) == 0 &&
	    got == AIRLOG_SEED_LEN && *end == '\0' ? 0 : -1;
	sodium_memzero(line, sizeof(line));
	return rc;
}

static int
parse_range(struct render *rp, const char *half, const char *year, const char *from, const char *to)
{
	int y;
	char *end;

	if ((half != NULL) + (year != NULL) + (from != NULL || to != NULL) != 1)
		return cli_usage("report", U_REPORT, "%s", _("give one period: --half 2026H1, --year 2026, or --from "
		    "and --to"));
	if (half) {
		y = (int)strtol(half, &end, 10);
		if (end != half + 4 || y < 1900 || y > 2199 || (strcmp(end, "H1") != 0 && strcmp(end, "H2") != 0 &&
		    strcmp(end, "h1") != 0 && strcmp(end, "h2") != 0))
			return cli_usage("report", U_REPORT, _("--half \"%s\" is not a half year like 2026H1 or 2026H2"),
			    half);
		rp->half = end[1] - '0';
		rp->year = y;
		rp->from = date_from_civil(y, rp->half == 1 ? 1 : 7, 1);
		rp->to = date_from_civil(y, rp->half == 1 ? 6 : 12, rp->half == 1 ? 30 : 31);
		return 0;
	}
	if (year) {
		y = (int)strtol(year, &end, 10);
		if (end != year + 4 || *end != '\0' || y < 1900 || y > 2199)
			return cli_usage("report", U_REPORT, _("--year \"%s\" is not a year like 2026"), year);
		rp->year = y;
		rp->from = date_from_civil(y, 1, 1);
		rp->to = date_from_civil(y, 12, 31);
		return 0;
	}
	if (from == NULL || to == NULL)
		return cli_usage("report", U_REPORT, "%s", _("--from and --to go together"));
	if (date_parse(from, &rp->from) < 0)
		return cli_usage("report", U_REPORT, _("--from \"%s\" is not a date (YYYY-MM-DD)"), from);
	if (date_parse(to, &rp->to) < 0)
		return cli_usage("report", U_REPORT, _("--to \"%s\" is not a date (YYYY-MM-DD)"), to);
	if (rp->to < rp->from)
		return cli_usage("report", U_REPORT, "%s", _("--to is before --from"));
	if (rp->to - rp->from >= MAX_DAYS)
		return cli_usage("report", U_REPORT, _("at most %d days in one report"), MAX_DAYS);
	return 0;
}

static int
parse_format(struct render *rp, const char *f)
{
	static const struct { const char *name; enum render_format f; } formats[] = {
		{ "text", RENDER_TEXT }, { "csv", RENDER_CSV }, { "html", RENDER_HTML }, { "json", RENDER_JSON },
		{ "logbook", RENDER_LOGBOOK },
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(f, formats[i].name) == 0) {
			rp->format = formats[i].f;
			return 0;
		}
	return cli_usage("report", U_REPORT, _("unknown format \"%s\" (text, csv, html, json or logbook)"), f);
}

/* the language first: every message after it is in that language */
static const char *
lang_arg(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--lang") == 0)
			return argv[i + 1];
	return "vi";
}

int
cmd_report(int argc, char **argv)
{
	const char *cfgpath = cli_config_arg(&argc, argv);
	const char *half = NULL, *year = NULL, *from = NULL, *to = NULL, *v, *lang = lang_arg(argc, argv);
	const char *dburl = NULL, *only = NULL;
	const char *dirs[RENDER_MAX_SITES], *seeds[RENDER_MAX_SITES], *cps[RENDER_MAX_SITES];
	int ndirs = 0, nseeds = 0, ncps = 0, rc = 0, r;
	struct render rp;
	struct cfg *c = NULL;

	memset(&rp, 0, sizeof(rp));
	rp.verify = 1;
	rp.format = RENDER_TEXT;
	if (strcmp(lang, "vi") != 0 && strcmp(lang, "en") != 0)
		return cli_usage("report", U_REPORT, "--lang \"%s\": vi | en", lang);
	translate_lang(lang);
	rp.vi = strcmp(lang, "vi") == 0;
	for (int i = 1; i < argc; i++) {
		if ((v = opt_value(&i, argc, argv, "--airlog")) != NULL) {
			if (ndirs == RENDER_MAX_SITES)
				return cli_usage("report", U_REPORT, _("at most %d logs in one report"), RENDER_MAX_SITES);
			dirs[ndirs++] = v;
		} else if ((v = opt_value(&i, argc, argv, "--seed")) != NULL) {
			if (nseeds == RENDER_MAX_SITES)
				return cli_usage("report", U_REPORT, _("at most %d logs in one report"), RENDER_MAX_SITES);
			seeds[nseeds++] = v;
		} else if ((v = opt_value(&i, argc, argv, "--checkpoint")) != NULL) {
			if (ncps == RENDER_MAX_SITES)
				return cli_usage("report", U_REPORT, _("at most %d logs in one report"), RENDER_MAX_SITES);
			cps[ncps++] = v;
		} else if ((v = opt_value(&i, argc, argv, "--half")) != NULL)
			half = v;
		else if ((v = opt_value(&i, argc, argv, "--db")) != NULL)
			dburl = v;
		else if ((v = opt_value(&i, argc, argv, "--site")) != NULL)
			only = v;
		else if ((v = opt_value(&i, argc, argv, "--year")) != NULL)
			year = v;
		else if ((v = opt_value(&i, argc, argv, "--from")) != NULL)
			from = v;
		else if ((v = opt_value(&i, argc, argv, "--to")) != NULL)
			to = v;
		else if ((v = opt_value(&i, argc, argv, "--format")) != NULL) {
			if ((r = parse_format(&rp, v)) != 0)
				return r;
		} else if ((v = opt_value(&i, argc, argv, "--lang")) != NULL)
			;
		else if (strcmp(argv[i], "--no-verify") == 0)
			rp.verify = 0;
		else
			return cli_usage("report", U_REPORT, _("unexpected argument \"%s\""), argv[i]);
		if (v != NULL && *v == '\0')
			return cli_usage("report", U_REPORT, _("%s needs a value"), argv[i]);
	}
	if ((r = parse_range(&rp, half, year, from, to)) != 0)
		return r;
	if (dburl) {
		if (ndirs || nseeds || ncps)
			return cli_usage("report", U_REPORT, "%s", _("--db reports on what the collector stored: no --airlog, "
			    "--seed or --checkpoint with it (give seeds to loaxa collect)"));
		if (cli_report_db == NULL) {
			fprintf(stderr, "loaxa report: %s\n", _("--db is run by loaxa-office: call it as loaxa report"));
			return 2;
		}
		if ((r = cli_report_db(&rp, dburl, only)) != 0)
			return r;
		goto write;
	}
	if (ndirs == 0) {
		if ((c = cli_load(cfgpath)) == NULL)
			return 2;
		dirs[ndirs++] = c->paths.airlog;
	}
	if (nseeds > 1 && nseeds != ndirs)
		return cli_usage("report", U_REPORT, "%s", _("give one --seed per --airlog, in the same order"));
	if (ncps > 1 && ncps != ndirs)
		return cli_usage("report", U_REPORT, "%s", _("give one --checkpoint per --airlog, in the same order"));
	if ((nseeds || ncps) && ndirs > 1 && (nseeds == 1 || ncps == 1))
		return cli_usage("report", U_REPORT, "%s", _("with several logs, give one --seed (and --checkpoint) per "
		    "--airlog, in the same order"));
	if (!rp.verify && (nseeds || ncps))
		return cli_usage("report", U_REPORT, "%s", _("--no-verify with --seed or --checkpoint: choose"));
	if ((rp.sites = calloc((size_t)ndirs, sizeof(*rp.sites))) == NULL) {
		cfg_free(c);
		return 2;
	}
	rp.nsites = ndirs;
	for (int i = 0; i < ndirs; i++) {
		struct render_site *s = &rp.sites[i];
		s->dir = dirs[i];
		s->checkpoint = ncps ? cps[i] : NULL;
		if (nseeds) {
			if (read_seed(seeds[i], s->seed) < 0) {
				rc = cli_usage("report", U_REPORT, "%s", _("the seed is 64 hex digits, as `loaxa log init` "
				    "showed it"));
				goto out;
			}
			s->have_seed = 1;
		}
	}
	read_all(&rp);
write:
	if (rp.nsites == 1 && rp.sites[0].rc < 0) {	/* nothing to report on */
		fprintf(stderr, "loaxa report: %s\n", rp.sites[0].fault.what);
		rc = 2;
		goto out;
	}
	rc = render_write(&rp, stdout) < 0 ? 2 : 0;
	for (int i = 0; i < rp.nsites; i++) {
		const struct render_site *s = &rp.sites[i];
		if (s->rc < 0) {
			fprintf(stderr, "loaxa report: %s: %s\n", s->dir, s->fault.what);
			rc = 2;
		} else if (s->rc > 0 && rc == 0) {
			rc = 1;
		}
	}
out:
	for (int i = 0; i < rp.nsites; i++) {
		sodium_memzero(rp.sites[i].seed, sizeof(rp.sites[i].seed));
		rpt_free(rp.sites[i].rpt);
	}
	free(rp.sites);
	cfg_free(c);
	return rc;
}
