/*
 * loaxa apply [-c CFG] [--timeout S] FILE: puts FILE (with FILE.sig when it
 * exists) in force in place of CFG, as intake/apply.h describes: checked
 * against CFG's keys and serial, validated, swapped atomically, the running
 * loaxad waited for (at most --timeout, default 30 s), rolled back when it
 * does not take it. Exit 0 applied (or already in force), 1 refused or
 * rolled back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/translate.h"
#include "config/sign.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"
#include "intake/apply.h"

#define USAGE "apply [-c CFG] [--timeout SECONDS] FILE"

int
cmd_apply(int argc, char **argv)
{
	const char *path = cli_config_arg(&argc, argv), *file = NULL;
	struct cfgapply_result r;
	struct diag d;
	struct cfg *c;
	char sigpath[4096], *text, *sig = NULL;
	size_t len, siglen = 0;
	int timeout = CFGAPPLY_WAIT_S;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout = atoi(argv[++i]);
		else if (argv[i][0] == '-' || file)
			return cli_usage("apply", USAGE, _("unexpected argument \"%s\""), argv[i]);
		else
			file = argv[i];
	}
	if (file == NULL)
		return cli_usage("apply", USAGE, "%s", _("name the new configuration file"));
	if (timeout < 1)
		return cli_usage("apply", USAGE, "%s", _("--timeout needs a number of seconds"));
	if ((c = cli_load(path)) == NULL)
		return 1;
	cli_set_zone(c);
	if (sign_read_file(file, &text, &len) < 0) {
		fprintf(stderr, "loaxa apply: %s: %s\n", file, strerror(errno));
		cfg_free(c);
		return 1;
	}
	snprintf(sigpath, sizeof(sigpath), "%s.sig", file);
	if (sign_read_file(sigpath, &sig, &siglen) < 0)
		sig = NULL;
	diag_init(&d);
	cfgapply_run(c, text, len, sig, siglen, file, cli_today(), timeout, &d, &r);
	diag_print(&d, stderr);
	printf("%s\n", r.msg);
	diag_free(&d);
	free(text);
	free(sig);
	cfg_free(c);
	return r.outcome == CFGAPPLY_APPLIED || r.outcome == CFGAPPLY_SAME ? 0 : 1;
}
