/*
 * office: the provincial office's commands, run by loaxa-office
 * (office/main.c) and never built into a board. Each takes the arguments
 * after its name (argv[0] is the command name) and returns the exit status.
 */
#ifndef OFFICE_H
#define OFFICE_H

#include <jansson.h>

int	cmd_publish(int argc, char **argv);	/* publish.c */
int	cmd_collect(int argc, char **argv);	/* collect.c */
int	cmd_fleet(int argc, char **argv);	/* collect.c: fleet status */
int	cmd_serve(int argc, char **argv);	/* console.c: the web console */
int	cmd_user(int argc, char **argv);	/* user_cmd.c: console accounts */

/* a board's live-ack (firmware/fleetmsg.h) as one line for people (publish.c) */
void	office_live_ack_text(const json_t *ack, char *buf, size_t len);

struct render;
/* report --db (report_db.c); see cli_report_db in firmware/cli/cmd.h */
int	office_report_db(struct render *rp, const char *dburl, const char *only_sites);

#endif
