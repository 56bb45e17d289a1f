/*
 * rep: the report's presentation: the figures of scheduler/report.c for
 * one site or many, written as text, CSV, JSON, HTML or the log book.
 * `loaxa report` (cmd_report.c) reads the logs and calls rep_write(). The
 * language is gettext's (nls_lang() before); `vi` picks Vietnamese number
 * and date forms (1.234,5; 02/03/2026), else 1,234.5 and 2026-03-02.
 */
#ifndef REP_H
#define REP_H

#include <stdint.h>
#include <stdio.h>

#include "scheduler/airlog.h"
#include "scheduler/report.h"

#define REP_MAX_SITES 4096

enum rep_format { REP_TEXT, REP_CSV, REP_HTML, REP_JSON, REP_LOGBOOK };

struct rep;

/* one log: what cmd_report read */
struct rep_site {
	const struct rep		*rep;
	const char			*dir;
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

struct rep {
	struct rep_site		*sites;
	int			 nsites;
	int32_t			 from, to;
	int			 half, year;	/* --half (1, 2) / --year; 0: --from/--to */
	enum rep_format		 format;
	int			 verify;
	int			 vi;
};

/* 0, or -1 when the output could not be written */
int	rep_write(const struct rep *, FILE *);

#endif
