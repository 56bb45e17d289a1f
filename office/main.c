/*
 * loaxa-office: the provincial office's program. The office's own commands
 * (publish, collect, fleet status, report --db, serve, user) in front of every command of
 * the board's `loaxa` (firmware/cli/commands.c), which hands the office's
 * commands over to this program. It links the database and broker
 * libraries a board never loads.
 */
#include <stddef.h>

#include "base/log.h"
#include "base/term.h"
#include "base/translate.h"
#include "firmware/cli/cmd.h"
#include "firmware/cli/commands.h"
#include "office/office.h"

static const struct cli_cmd office_cmds[] = {
	{ "publish", cmd_publish, "publish [-c CFG] [--sign-key KEY] {config FILE | bulletins MANIFEST --base-url URL | "
	    "clear config|bulletins | live now URL --level emergency|priority | live end ID} [--wait S] "
	    "{--sites a,b | --province}" },
	{ "collect", cmd_collect, "collect [-c CFG] --db postgresql://...|sqlite:PATH {--seeds FILE --keys FILE | --insecure}" },
	{ "fleet", cmd_fleet, "fleet status [-c CFG] --db URL [--silent-minutes N] [--days N] [--serial N] [--json]" },
	{ "serve", cmd_serve, "serve --db URL --listen ADDR:PORT [--tls-cert FILE --tls-key FILE] [--behind-proxy]" },
	{ "user", cmd_user, "user add --db URL NAME --role admin|editor|operator|auditor [--commune ID]... (password on stdin)" },
};

int
main(int argc, char **argv)
{
	term_guard();	/* titles, names and messages from outside are shown, their controls not obeyed */
	translate_init();
	log_init("loaxa", 0);
	cli_report_db = office_report_db;
	return cli_run(argc, argv, office_cmds, sizeof(office_cmds) / sizeof(office_cmds[0]));
}
