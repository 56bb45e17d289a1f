/*
 * cmd: the loaxa subcommands. Each takes the arguments after its name
 * (argv[0] is the command name) and returns the process exit status.
 */
#ifndef CMD_H
#define CMD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int cmd_check(int argc, char **argv);
int cmd_lunar(int argc, char **argv);
int cmd_periods(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_library(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_play(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_apply(int argc, char **argv);

struct cfg;
/* what `loaxa log export [--csv] --out DIR` writes (messages on stdout/stderr); exit status */
int cmd_log_export(const struct cfg *, const char *out, int csv);
/* the text of `loaxa plan FROM TO` for c and its library, into fp; 0 or -1 */
int cmd_plan_text(FILE *fp, const struct cfg *c, int32_t from, int32_t to);
/* plays a spoken message as the daemon's announcements air: relay on,
 * warm-up, the file, relay off; 0 played to the end, -1 (err) */
int cmd_play_announce(const struct cfg *, const char *path, char *err, size_t errlen);
int cmd_report(int argc, char **argv);

/*
 * `report --db`: the office's store read into rp->sites (rp->sites and
 * rp->nsites set; every message printed); 0, or an exit status. Set by
 * loaxa-office (office/report_db.c); NULL in loaxa, which hands --db over.
 * The reading goes through the same visitor as a log's: begin, visit each
 * record, end.
 */
struct render;
struct render_site;
struct logline;
struct airlog_read_info;
extern int (*cli_report_db)(struct render *rp, const char *dburl, const char *only_sites);
int	cmd_report_site_begin(struct render_site *, const struct render *);	/* 0 or -1 (ENOMEM) */
int	cmd_report_visit(void *site, const struct logline *, const struct airlog_read_info *);
void	cmd_report_site_end(struct render_site *);

#endif
