/*
 * loaxa check [-c CFG]: validate a configuration. Every error is printed
 * as FILE:LINE: message; exit 0 when valid, 1 when not. The calendar checks
 * (overlaps, quiet hours) look three years ahead from today.
 */
#include <stdio.h>

#include "base/translate.h"
#include "config/cfg.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"
#include "scheduler/sched.h"

int
cmd_check(int argc, char **argv)
{
	const char *path = cli_config_arg(&argc, argv);
	struct cfg *c;
	struct diag d;

	if (argc > 1)
		return cli_usage("check", "check [-c CFG]", _("unexpected argument \"%s\""), argv[1]);
	if ((c = cli_load(path)) == NULL)
		return 1;
	cli_set_zone(c);
	diag_init(&d);
	if (sched_check(c, cli_today(), &d) != 0) {
		diag_print(&d, stderr);
		diag_free(&d);
		cfg_free(c);
		return 1;
	}
	diag_free(&d);
	printf("%s\n", _("configuration OK"));
	cfg_free(c);
	return 0;
}
