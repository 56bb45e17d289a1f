/*
 * loaxa: the command-line tool. Dispatches to the subcommands in cmd_*.c;
 * see loaxa(1) and the command table in DESIGN.md.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "firmware/cmd.h"
#include "firmware/log.h"
#include "firmware/nls.h"

/*
 * The office's commands (the collector's database, the MQTT broker) are in
 * loaxa-office, the same source built with LOAXA_OFFICE, installed beside
 * this program: linked here, libpq, SQLite, libmosquitto and libcurl would
 * load OpenSSL, Kerberos and LDAP into every command a board runs (measured:
 * `loaxa play`'s peak RSS went from 7.9 to 13.9 MB). This one hands those
 * commands, and `report --db`, over with exec.
 */
#ifdef LOAXA_OFFICE
#define OFFICE(fn)	fn
#else
static char **whole_argv;

static int
office(int argc, char **argv)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 32);

	(void)argc;
	(void)argv;
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			strcpy(slash + 1, "loaxa-office");
			execv(self, whole_argv);
		}
	}
#ifdef LOAXA_BOARD_ONLY
	if (errno == ENOENT) {	/* a board's build (OFFICE=0): no loaxa-office beside it, by design */
		fprintf(stderr, "loaxa %s: %s\n", whole_argv[1],
		    _("the office's commands (publish, collect, fleet, report --db) are not in a board's build; "
		    "run them on the provincial office's computer"));
		return 2;
	}
#endif
	fprintf(stderr, "loaxa: %s: %s; %s\n", n > 0 ? self : "loaxa-office", strerror(errno),
	    _("it comes with loaxa: install it again"));
	return 2;
}
#define OFFICE(fn)	office
#endif

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
	{ "publish", OFFICE(cmd_publish), "publish [-c CFG] [--sign-key KEY] {config FILE | bulletins MANIFEST --base-url URL | "
	    "clear config|bulletins} {--sites a,b | --province}" },
	{ "collect", OFFICE(cmd_collect), "collect [-c CFG] --db postgresql://...|sqlite:PATH [--seeds FILE] [--keys FILE]" },
	{ "fleet", OFFICE(cmd_fleet), "fleet status [-c CFG] --db URL [--silent-minutes N] [--days N] [--serial N] [--json]" },
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
#ifndef LOAXA_OFFICE
	whole_argv = argv;
	if (strcmp(argv[1], "report") == 0)
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "--db") == 0 || strncmp(argv[i], "--db=", 5) == 0)
				return office(argc, argv);
#endif
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "loaxa: %s \"%s\"\n", _("unknown command"), argv[1]);
	return usage(stderr);
}
