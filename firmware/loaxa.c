/*
 * loaxa: the command-line tool. Dispatches to the subcommands in cmd_*.c;
 * see loaxa(1) and the command table in DESIGN.md.
 */
#include <stdio.h>
#include <string.h>

#include "firmware/cmd.h"
#include "firmware/log.h"
#include "firmware/nls.h"

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*usage;
} cmds[] = {
	{ "check", cmd_check, "check [-c CFG]" },
	{ "lunar", cmd_lunar, "lunar FROM [TO]" },
	{ "periods", cmd_periods, "periods [-c CFG] YEAR" },
	{ "plan", cmd_plan, "plan [-c CFG] FROM [TO] [--tsv]" },
	{ "library", cmd_library, "library [-c CFG]" },
	{ "log", cmd_log, "log show|verify|export|init [-c CFG] ...  (loaxa log verify --airlog DIR [--seed HEX] "
	    "[--checkpoint FILE] [--key PUBKEY])" },
	{ "simulate", cmd_simulate, "simulate -c CFG FROM TO" },
	{ "status", cmd_status, "status [-c CFG]" },
	{ "measure", cmd_measure, "measure FILE..." },
	{ "report", cmd_report, "report [-c CFG] [--airlog DIR]... {--half 2026H1 | --year 2026 | --from D --to D} "
	    "[--format text|csv|html|json|logbook] [--lang vi|en] [--seed HEX|-]... [--checkpoint FILE]... [--no-verify]" },
	{ "keygen", cmd_keygen, "keygen [--out PREFIX]" },
	{ "sign", cmd_sign, "sign FILE [--key PREFIX.key]" },
	{ "verify", cmd_verify, "verify FILE [--pubkey ed25519:...|PREFIX.pub] [--sig FILE.sig] [-c CFG]" },
	{ "play", cmd_play, "play [-c CFG] [--device PCM] [-v] FILE|ID" },
	{ "ingest", cmd_ingest, "ingest [-c CFG] [--out DIR] [--no-speak] DIR" },
	{ "apply", cmd_apply, "apply [-c CFG] [--timeout SECONDS] FILE" },
	{ "publish", cmd_publish, "publish [-c CFG] [--sign-key KEY] {config FILE | bulletins MANIFEST --base-url URL | "
	    "clear config|bulletins} {--sites a,b | --province}" },
	{ "collect", cmd_collect, "collect [-c CFG] --db postgresql://...|sqlite:PATH [--seeds FILE] [--keys FILE]" },
	{ "fleet", cmd_fleet, "fleet status [-c CFG] --db URL [--silent-minutes N] [--days N] [--serial N] [--json]" },
};

static int
usage(FILE *fp)
{
	fprintf(fp, "%s: loaxa COMMAND [ARGS]\n", _("usage"));
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(fp, "  loaxa %s\n", cmds[i].usage);
	return 2;
}

int
main(int argc, char **argv)
{
	nls_init();
	log_init("loaxa", 0);
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "loaxa: %s \"%s\"\n", _("unknown command"), argv[1]);
	return usage(stderr);
}
