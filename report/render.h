/*
 * render: the report's presentation: the figures of report/report.c for
 * one site or many, written as text, CSV, JSON, HTML or the log book.
 * `loaxa report` (cmd_report.c) reads the logs and calls render_write(). The
 * language is gettext's (translate_lang() before); `vi` picks Vietnamese number
 * and date forms (1.234,5; 02/03/2026), else 1,234.5 and 2026-03-02.
 */
#ifndef RENDER_H
#define RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "report/report.h"
#include "scheduler/airlog.h"

#define RENDER_MAX_SITES 4096

enum render_format { RENDER_TEXT, RENDER_CSV, RENDER_HTML, RENDER_JSON, RENDER_LOGBOOK };

struct render;

/* one log: what cmd_report read */
struct render_site {
	const struct render		*rep;
	const char			*dir;		/* the log's folder, or db_site */
	char				 db_site[64];	/* report --db: the store's site id */
	const char			*checkpoint;
	unsigned char			 seed[AIRLOG_SEED_LEN];
	int				 have_seed;
	char				 site_id[64];	/* from the records, when no config names it */
	struct rpt			*rpt;
	const struct rpt_figures	*f;
	int				 rc;		/* airlog_read(): 0 intact, 1 fault, -1 unreadable */
	struct airlog_fault		 fault;
	struct airlog_verify_stats	 st;
	int				 bad_configs;	/* config records this loaxa could not load */
};

struct render {
	struct render_site		*sites;
	int			 nsites;
	int32_t			 from, to;
	int			 half, year;	/* --half (1, 2) / --year; 0: --from/--to */
	enum render_format		 format;
	int			 verify;
	int			 vi;
};

/* 0, or -1 when the output could not be written */
int	render_write(const struct render *, FILE *);

#endif
