/*
 * loaxa: the command-line tool. Dispatches to the subcommands in cmd_*.c
 * (the table is in commands.c); see loaxa(1) and the command table in
 * DESIGN.md.
 */
#include "base/log.h"
#include "base/term.h"
#include "base/translate.h"
#include "firmware/cli/commands.h"

int
main(int argc, char **argv)
{
	term_guard();	/* titles, names and messages from outside are shown, their controls not obeyed */
	translate_init();
	log_init("loaxa", 0);
	return cli_run(argc, argv, NULL, 0);
}
