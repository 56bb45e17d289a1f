/*
 * term and csv: outside text is shown, not obeyed, on a terminal (control
 * characters escaped) and in a spreadsheet (formula cells neutralised, as
 * OWASP's "CSV Injection" says).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/term.h"
#include "tests/unit/tap.h"

static void
esc(const char *in, const char *want)
{
	char *got = term_escape(in);

	EXPECT_STR(got, want);
	free(got);
}

static void
controls_are_shown_escaped_and_text_passes(void)
{
	esc("Tin địa phương", "Tin địa phương");
	esc("a\tb\nc", "a\tb\nc");
	esc("\x1b]0;owned\x07 title", "\\x1b]0;owned\\x07 title");
	esc("\x1b[2J\x1b[1;1H", "\\x1b[2J\\x1b[1;1H");
	esc("ok\rfake", "ok\\x0dfake");
	esc("line\r\n", "line\r\n");
	esc("bs\b\x7f", "bs\\x08\\x7f");
	esc("c1 \xc2\x9b" "31m", "c1 \\u009b31m");	/* CSI as a C1 control */
	esc("\xc2\xa0nbsp", "\xc2\xa0nbsp");		/* U+00A0 is text */
	esc("end\r", "end\\x0d");
	EXPECT(term_clean("Cảnh báo lũ"));
	EXPECT(!term_clean("\x1b[31mred"));
}

static char *
field(const char *s)
{
	static char buf[256];
	FILE *fp;

	memset(buf, 0, sizeof(buf));
	fp = fmemopen(buf, sizeof(buf), "w");

	csv_field(fp, s);
	fclose(fp);
	return buf;
}

static void
csv_cells_that_would_run_as_formulas_are_neutralised(void)
{
	EXPECT_STR(field("=HYPERLINK(\"http://x\",\"click\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\"");
	EXPECT_STR(field("+cmd|' /C calc'!A0"), "\"'+cmd|' /C calc'!A0\"");
	EXPECT_STR(field("-2+3"), "\"'-2+3\"");
	EXPECT_STR(field("@SUM(A1)"), "\"'@SUM(A1)\"");
	EXPECT_STR(field("\t=1"), "\"'\t=1\"");
	EXPECT_STR(field("\r=1"), "\"'\r=1\"");
	/* numbers stay numbers, text stays as it was */
	EXPECT_STR(field("-1.5"), "-1.5");
	EXPECT_STR(field("-16"), "-16");
	EXPECT_STR(field("+3"), "+3");
	EXPECT_STR(field("Quy định, mới"), "\"Quy định, mới\"");
	EXPECT_STR(field("a=b"), "a=b");
	EXPECT_STR(field(""), "");
}

int
main(void)
{
	tap_plan(2);
	TEST(controls_are_shown_escaped_and_text_passes);
	TEST(csv_cells_that_would_run_as_formulas_are_neutralised);
	return tap_done();
}
