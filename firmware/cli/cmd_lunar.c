/*
 * loaxa lunar FROM [TO]: the Vietnamese lunar date of every day from FROM
 * to TO (default FROM), one line a day: "YYYY-MM-DD D M YYYY LEAP". Needs
 * no config; -c is accepted and ignored so every command takes it.
 * Exit 0, or 2 for a usage error, 1 when the output cannot be written.
 */
#include <stdio.h>

#include "base/date.h"
#include "base/translate.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"
#include "scheduler/lunar.h"

#define USAGE		"lunar FROM [TO]   (dates YYYY-MM-DD)"
#define MAX_YEARS	100
#define MAX_DAYS	(MAX_YEARS * 36525L / 100)

static int
parse_day(const char *name, const char *arg, int32_t *day)
{
	int32_t first = date_from_civil(LUNAR_SOLAR_MIN, 1, 1), last = date_from_civil(LUNAR_SOLAR_MAX, 12, 31);

	if (date_parse(arg, day) == -1)
		return cli_usage("lunar", USAGE, _("%s \"%s\" is not a valid date (YYYY-MM-DD, e.g. 2026-02-17)"), name, arg);
	if (*day < first || *day > last)
		return cli_usage("lunar", USAGE, _("%s %s is outside the supported dates %d-01-01 to %d-12-31"),
		    name, arg, LUNAR_SOLAR_MIN, LUNAR_SOLAR_MAX);
	return 0;
}

int
cmd_lunar(int argc, char **argv)
{
	int32_t from, to;
	char buf[11];
	int rc;

	(void)cli_config_arg(&argc, argv);
	if (argc < 2)
		return cli_usage("lunar", USAGE, "%s", _("missing FROM date"));
	if (argc > 3)
		return cli_usage("lunar", USAGE, _("unexpected argument \"%s\""), argv[3]);
	if ((rc = parse_day("FROM", argv[1], &from)) != 0)
		return rc;
	to = from;
	if (argc == 3 && (rc = parse_day("TO", argv[2], &to)) != 0)
		return rc;
	if (to < from)
		return cli_usage("lunar", USAGE, _("TO %s is before FROM %s"), argv[2], argv[1]);
	if ((long)to - from + 1 > MAX_DAYS)
		return cli_usage("lunar", USAGE,
		    _("%s to %s is %ld days; at most %ld (%d years) at a time, split the range"),
		    argv[1], argv[2], (long)to - from + 1, MAX_DAYS, MAX_YEARS);

	for (int32_t d = from; d <= to; d++) {
		struct lunar_date ld;

		if (lunar_from_solar(d, &ld) == -1) {
			date_format(d, buf);
			fprintf(stderr, "loaxa lunar: %s: %s\n", buf, _("cannot compute the lunar date"));
			return 1;
		}
		date_format(d, buf);
		printf("%s %d %d %d %d\n", buf, ld.day, ld.month, ld.year, ld.leap);
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("loaxa lunar: stdout");
		return 1;
	}
	return 0;
}
