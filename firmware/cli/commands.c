/*
 * commands: see commands.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/translate.h"
#include "firmware/cli/cmd.h"
#include "firmware/cli/commands.h"

static char **whole_argv;

/*
 * The office's commands (the collector's database, the MQTT broker, the web
 * console) are in loaxa-office, installed beside this program: linked here,
 * libpq, SQLite, libmosquitto and libcurl would load OpenSSL, Kerberos and
 * LDAP into every command a board runs (measured: `loaxa play`'s peak RSS
 * went from 7.9 to 13.9 MB). `loaxa` hands those commands, and
 * `report --db`, over with exec; loaxa-office finds its own first.
 */
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

static const struct cli_cmd cmds[] = {
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
	{ "publish", office, "publish [-c CFG] [--sign-key KEY] {config FILE | bulletins MANIFEST --base-url URL | "
	    "clear config|bulletins} {--sites a,b | --province}" },
	{ "collect", office, "collect [-c CFG] --db postgresql://...|sqlite:PATH [--seeds FILE] [--keys FILE]" },
	{ "fleet", office, "fleet status [-c CFG] --db URL [--silent-minutes N] [--days N] [--serial N] [--json]" },
	{ "serve", office, "serve --db URL --listen ADDR:PORT [--tls-cert FILE --tls-key FILE] [--behind-proxy]" },
	{ "user", office, "user add --db URL NAME --role admin|editor|operator|auditor [--commune ID]... (password on stdin)" },
};

static void
usage(FILE *fp, const struct cli_cmd *extra, size_t nextra)
{
	fprintf(fp, "%s: loaxa COMMAND [ARGS]   (loaxa COMMAND --help: that command's usage)\n", _("usage"));
	for (size_t i = 0; i < nextra; i++)
		fprintf(fp, "  loaxa %s\n", extra[i].usage);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		size_t k = 0;
		while (k < nextra && strcmp(extra[k].name, cmds[i].name) != 0)
			k++;
		if (k == nextra)
			fprintf(fp, "  loaxa %s\n", cmds[i].usage);
	}
}

static int
help_asked(int argc, char **argv)
{
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

static int
run_one(const struct cli_cmd *c, int argc, char **argv)
{
	if (help_asked(argc, argv) && c->fn != office) {
		printf("%s: loaxa %s\n", _("usage"), c->usage);
		return 0;
	}
	return c->fn(argc - 1, argv + 1);
}

int
cli_run(int argc, char **argv, const struct cli_cmd *extra, size_t nextra)
{
	whole_argv = argv;
	if (argc < 2) {
		usage(stderr, extra, nextra);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout, extra, nextra);
		return 0;
	}
	for (size_t i = 0; i < nextra; i++)
		if (strcmp(argv[1], extra[i].name) == 0)
			return run_one(&extra[i], argc, argv);
	if (strcmp(argv[1], "report") == 0 && cli_report_db == NULL && !help_asked(argc, argv))
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "--db") == 0 || strncmp(argv[i], "--db=", 5) == 0)
				return office(argc, argv);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return run_one(&cmds[i], argc, argv);
	fprintf(stderr, "loaxa: %s \"%s\"\n", _("unknown command"), argv[1]);
	usage(stderr, extra, nextra);
	return 2;
}
