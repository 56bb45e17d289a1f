/*
 * commands: the loaxa command table and its dispatcher, shared by `loaxa`
 * (firmware/cli/loaxa.c) and `loaxa-office` (office/main.c), which puts the
 * office's own commands in front of the board's.
 */
#ifndef COMMANDS_H
#define COMMANDS_H

#include <stddef.h>

struct cli_cmd {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*usage;		/* after "loaxa " */
};

/*
 * Runs argv[1] with the arguments after it: first from extra (nextra
 * entries, may be NULL), then from the board's table. `loaxa CMD --help`
 * (or -h) prints CMD's usage and exits 0. In `loaxa`, the office's commands
 * (and `report --db`) are handed to loaxa-office beside it with exec.
 * Returns the process exit status.
 */
int	cli_run(int argc, char **argv, const struct cli_cmd *extra, size_t nextra);

#endif
