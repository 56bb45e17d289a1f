/*
 * report_db: `loaxa report --db`, the province's report from what
 * `loaxa collect` stored (office/store.h), read through the same visitor as
 * a board's log (firmware/cli/cmd_report.c), so both give the same figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/translate.h"
#include "firmware/cli/cmd.h"
#include "office/office.h"
#include "office/store.h"
#include "report/render.h"
#include "scheduler/airlog.h"
#include "scheduler/logline.h"

struct dbread {
	struct render_site	*s;
	long long	 fault_seq;	/* 0: the collector found no fault */
	struct logline	 jl;
	int		 rc;
};

static int
db_visit(void *arg, long long seq, const char *line, size_t len)
{
	struct dbread *r = arg;
	struct airlog_read_info in = { seq, r->fault_seq == 0 || seq < r->fault_seq, "db", (long)seq };

	if (logline_parse(&r->jl, line, len) < 0) {
		r->s->st.unreadable++;
		return 0;
	}
	r->s->st.records++;
	if (r->s->st.first_seq == 0)
		r->s->st.first_seq = seq;
	r->s->st.last_seq = seq;
	if (!in.verified)
		r->s->st.unverified++;
	return cmd_report_visit(r->s, &r->jl, &in);
}

/* one board's records from the database, through the very same visitor as a log's */
static void
read_db_site(struct render_site *s, const struct render *rp, struct store *db, const struct store_board *b)
{
	struct dbread r = { .s = s, .fault_seq = rp->verify ? b->fault_seq : 0 };

	if (cmd_report_site_begin(s, rp) < 0) {
		s->rc = -1;
		return;
	}
	logline_init(&r.jl);
	memset(&s->st, 0, sizeof(s->st));
	memset(&s->fault, 0, sizeof(s->fault));
	s->st.macs_checked = rp->verify && b->macs;
	if (store_records(db, b->site, db_visit, &r) < 0) {
		s->rc = -1;
		snprintf(s->fault.what, sizeof(s->fault.what), "%s", store_error(db));
	} else if (rp->verify && b->fault[0]) {
		s->rc = 1;
		s->fault.seq = b->fault_seq;
		snprintf(s->fault.file, sizeof(s->fault.file), "db");
		snprintf(s->fault.what, sizeof(s->fault.what), "%.250s", b->fault);
	}
	logline_free(&r.jl);
	cmd_report_site_end(s);
}

struct dbsites {
	struct store_board *b;
	int		 n;
	const char	*only;		/* --site, comma list, or NULL */
};

static int
db_board(void *arg, const struct store_board *b)
{
	struct dbsites *d = arg;
	struct store_board *n;

	if (d->only) {
		size_t l = strlen(b->site);
		const char *p = d->only;
		int hit = 0;
		while (!hit && (p = strstr(p, b->site)) != NULL) {
			hit = (p == d->only || p[-1] == ',') && (p[l] == ',' || p[l] == '\0');
			p += l;
		}
		if (!hit)
			return 0;
	}
	if (b->seq == 0)
		return 0;	/* a board that only sent its status: no log to report on */
	if ((n = realloc(d->b, (size_t)(d->n + 1) * sizeof(*n))) == NULL)
		return -1;
	d->b = n;
	d->b[d->n] = *b;
	d->b[d->n].status = NULL;
	d->n++;
	return 0;
}

int
office_report_db(struct render *rp, const char *dburl, const char *only)
{
	struct dbsites dbs = { 0 };
	struct store *db;
	char err[512];

	if ((db = store_open(dburl, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loaxa report: %s\n", err);
		return 2;
	}
	dbs.only = only;
	if (store_boards(db, db_board, &dbs) < 0 || dbs.n == 0) {
		fprintf(stderr, "loaxa report: %s\n", dbs.n == 0 ? _("the database holds no board's records") :
		    store_error(db));
		store_close(db);
		free(dbs.b);
		return 2;
	}
	if ((rp->sites = calloc((size_t)dbs.n, sizeof(*rp->sites))) == NULL) {
		store_close(db);
		free(dbs.b);
		return 2;
	}
	rp->nsites = dbs.n;
	for (int i = 0; i < dbs.n; i++) {
		snprintf(rp->sites[i].db_site, sizeof(rp->sites[i].db_site), "%s", dbs.b[i].site);
		rp->sites[i].dir = rp->sites[i].db_site;
		read_db_site(&rp->sites[i], rp, db, &dbs.b[i]);
	}
	store_close(db);
	free(dbs.b);
	return 0;
}
