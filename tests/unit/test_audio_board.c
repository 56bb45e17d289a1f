/* board: the relay stand-in records off at open, on/off as switched, off at close; no amplifier, no-op. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg.h"
#include "firmware/board.h"
#include "tests/unit/audio_fx.h"
#include "tests/unit/tap.h"

static struct cfg *
config(int amplifier)
{
	static const char head[] = "version = 1; serial = 1; site = { id = \"xa\"; name = \"Xã\"; };\n"
	    "sessions = ( { id = \"m\"; days = \"daily\"; start = \"06:00\"; minutes = 5; } );\n";
	char text[1024];
	struct diag d;
	struct cfg *c;

	snprintf(text, sizeof(text), "%saudio = { %s };\n", head, amplifier ?
	    "amplifier = { gpio_chip = \"gpiochip9\"; gpio_line = 17; active_low = true; warmup_ms = 1500; };" : "");
	diag_init(&d);
	c = cfg_load_string(text, "t.cfg", "/etc/loaxa", &d);
	diag_print(&d, stderr);
	diag_free(&d);
	return c;
}

static int
lines(const char *path, char out[][64], int max)
{
	FILE *fp = fopen(path, "r");
	char buf[60];
	int n = 0;

	if (fp == NULL)
		return -1;
	while (n < max && fgets(buf, sizeof(buf), fp)) {
		char *sp = strchr(buf, ' ');
		snprintf(out[n++], 64, "%s", sp ? sp + 1 : buf);
		out[n - 1][strcspn(out[n - 1], "\n")] = '\0';
	}
	fclose(fp);
	return n;
}

static void
stand_in_records_off_at_open_then_each_switch(void)
{
	char path[4096], env[4200], err[256], got[8][64];
	struct cfg *c = config(1);
	struct board *b;

	snprintf(path, sizeof(path), "%s", scratch("relay.txt"));
	unlink(path);
	snprintf(env, sizeof(env), "file:%s", path);
	setenv("LOAXA_BOARD", env, 1);
	b = board_open(c, err, sizeof(err));
	EXPECT(b != NULL);
	EXPECT_STR(board_backend(b), "file");
	EXPECT_INT(board_amp_state(b), 0);
	EXPECT_INT(board_amp(b, 1, err, sizeof(err)), 0);
	EXPECT_INT(board_amp_state(b), 1);
	EXPECT_INT(board_amp(b, 0, err, sizeof(err)), 0);
	EXPECT_INT(board_amp(b, 1, err, sizeof(err)), 0);
	board_close(b);	/* left on: close switches it off */
	EXPECT_INT(lines(path, got, 8), 5);
	EXPECT_STR(got[0], "off");
	EXPECT_STR(got[1], "on");
	EXPECT_STR(got[2], "off");
	EXPECT_STR(got[3], "on");
	EXPECT_STR(got[4], "off");
	unsetenv("LOAXA_BOARD");
	cfg_free(c);
}

static void
no_amplifier_in_the_config_is_a_no_op(void)
{
	char path[4096], env[4200], err[256];
	struct cfg *c = config(0);
	struct board *b;

	snprintf(path, sizeof(path), "%s", scratch("relay-none.txt"));
	unlink(path);
	snprintf(env, sizeof(env), "file:%s", path);
	setenv("LOAXA_BOARD", env, 1);
	b = board_open(c, err, sizeof(err));
	EXPECT(b != NULL);
	EXPECT_INT(board_amp_state(b), -1);
	EXPECT_INT(board_amp(b, 1, err, sizeof(err)), 0);
	board_close(b);
	EXPECT(access(path, F_OK) != 0);
	EXPECT_INT(board_amp(NULL, 1, err, sizeof(err)), 0);
	unsetenv("LOAXA_BOARD");
	cfg_free(c);
}

static void
missing_gpio_chip_is_reported_not_fatal(void)
{
	char err[256] = "";
	struct cfg *c = config(1);

	unsetenv("LOAXA_BOARD");
	EXPECT(board_open(c, err, sizeof(err)) == NULL);
	EXPECT(strstr(err, "gpiochip9") != NULL);
	EXPECT(strstr(err, "audio.amplifier.gpio_chip") != NULL);
	cfg_free(c);
}

int
main(void)
{
	tap_plan(3);
	TEST(stand_in_records_off_at_open_then_each_switch);
	TEST(no_amplifier_in_the_config_is_a_no_op);
	TEST(missing_gpio_chip_is_reported_not_fatal);
	return tap_done();
}
