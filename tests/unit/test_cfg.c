/* cfg: the loader's typed result and its form parsers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "config/cfg.h"
#include "tests/unit/tap.h"

static struct cfg *
load(const char *text, struct diag *d)
{
	diag_init(d);
	return cfg_load_string(text, "t.cfg", "/etc/loaxa", d);
}

static const char head[] = "version = 1; serial = 5; site = { id = \"xa\"; name = \"Xã\"; };\n";

static void
days_forms_parse_to_masks(void)
{
	struct cfg_days d;

	EXPECT_INT(cfg_parse_days("mon-sun", &d), 0);
	EXPECT_INT(d.weekly, 0x7f);
	EXPECT_INT(cfg_parse_days("daily", &d), 0);
	EXPECT_INT(d.weekly, 0x7f);
	EXPECT_INT(cfg_parse_days("mon-fri", &d), 0);
	EXPECT_INT(d.weekly, 0x1f);
	EXPECT_INT(cfg_parse_days("sat,sun", &d), 0);
	EXPECT_INT(d.weekly, 0x60);
	EXPECT_INT(cfg_parse_days("fri-mon", &d), 0);	/* wraps over the weekend */
	EXPECT_INT(d.weekly, 0x71);
	EXPECT_INT(cfg_parse_days("Mon, WED", &d), 0);
	EXPECT_INT(d.weekly, 0x05);
	EXPECT_INT(cfg_parse_days("1st mon", &d), 0);
	EXPECT_INT(d.weekly, 0);
	EXPECT_INT(d.nth[0], 0x01);
	EXPECT_INT(cfg_parse_days("last fri, 2nd fri", &d), 0);
	EXPECT_INT(d.nth[4], CFG_NTH_LAST | 0x02);
	EXPECT_INT(cfg_parse_days("", &d), -1);
	EXPECT_INT(cfg_parse_days("mon,", &d), -1);
	EXPECT_INT(cfg_parse_days("monday", &d), -1);
	EXPECT_INT(cfg_parse_days("6th mon", &d), -1);
	EXPECT_INT(cfg_parse_days("last", &d), -1);
}

static void
window_dates_parse_in_three_forms(void)
{
	struct cfg_wdate w;

	EXPECT_INT(cfg_parse_wdate("09-01", &w), 0);
	EXPECT_INT(w.kind, CFG_WD_ANNUAL);
	EXPECT_INT(w.m * 100 + w.d, 901);
	EXPECT_INT(cfg_parse_wdate("2026-11-15", &w), 0);
	EXPECT_INT(w.kind, CFG_WD_ONCE);
	EXPECT_INT(w.y, 2026);
	EXPECT_INT(cfg_parse_wdate("lunar 12-15", &w), 0);
	EXPECT_INT(w.kind, CFG_WD_LUNAR);
	EXPECT_INT(w.m * 100 + w.d, 1215);
	EXPECT_INT(cfg_parse_wdate("lunar 12-31", &w), -1);
	EXPECT_INT(cfg_parse_wdate("lunar 00-01", &w), -1);
	EXPECT_INT(cfg_parse_wdate("13-01", &w), -1);
	EXPECT_INT(cfg_parse_wdate("04-31", &w), -1);
	EXPECT_INT(cfg_parse_wdate("lunar12-15", &w), -1);
}

static void
example_config_loads_with_typed_values(void)
{
	struct diag d;
	struct cfg *c;
	const struct cfg_period *p;
	const struct cfg_session *s;

	diag_init(&d);
	c = cfg_load(TOP "/config/examples/cao-bang-hoa-an.cfg", &d);
	EXPECT(c != NULL);
	EXPECT_INT(d.n, 0);
	if (c == NULL) {
		diag_print(&d, stdout);	/* the EXPECT above has failed the test */
		diag_free(&d);
		return;
	}
	EXPECT_INT(c->serial, 2026011501LL);
	EXPECT_STR(c->site.id, "cb-hoa-an");
	EXPECT_STR(c->site.province, "Cao Bằng");
	EXPECT_INT(c->ntopics, 6);
	EXPECT_INT(c->audio.gap_ms, 1500);
	EXPECT(c->audio.loudness_lufs == -16.0);
	EXPECT_INT(c->audio.amplifier.present, 1);
	EXPECT_INT(c->audio.amplifier.gpio_line, 17);
	EXPECT_STR(c->audio.chime, TOP "/config/examples/chime.mp3");
	EXPECT_INT(c->quiet.from, 21 * 60 + 30);
	EXPECT_INT(c->quiet.to, 5 * 60);
	EXPECT(cfg_in_quiet(c, 23 * 60));
	EXPECT(cfg_in_quiet(c, 4 * 60 + 59));
	EXPECT(!cfg_in_quiet(c, 5 * 60));
	p = cfg_period(c, "tet");
	EXPECT(p != NULL);
	if (p) {
		EXPECT_INT(p->from.kind, CFG_WD_LUNAR);
		EXPECT(p->scale == 2.0);
		EXPECT_INT(p->nsessions, 1);
	}
	p = cfg_period(c, "export");
	EXPECT(p && p->replace == 1);
	s = cfg_session(c, "evening");
	EXPECT(s != NULL);
	if (s) {
		EXPECT_INT(s->start, 17 * 60 + 30);
		EXPECT_INT(s->days.weekly, 0x3f);
		EXPECT(cfg_session_allows_topic(s, "law"));
		EXPECT(!cfg_session_allows_topic(s, "results"));
		EXPECT(s->period == NULL);
	}
	s = cfg_session(c, "noon");
	EXPECT(s && s->period == cfg_period(c, "tet"));
	s = cfg_session(c, "review");
	EXPECT(s && s->every_weeks == 2 && s->anchor == date_from_civil(2026, 1, 9));
	EXPECT_INT(c->nexceptions, 2);
	EXPECT_INT(c->exceptions[0].nnamed + c->exceptions[0].nsessions, 0);
	EXPECT_INT(c->exceptions[1].nsessions, 1);
	EXPECT_INT(c->trust.nkeys, 1);
	EXPECT_INT(c->trust.keys[0][0], 1);
	EXPECT_INT(c->trust.keys[0][31], 32);
	EXPECT_INT(c->trust.require_signed_config, 1);
	cfg_free(c);
	diag_free(&d);
}

static void
defaults_fill_what_the_minimal_config_leaves_out(void)
{
	struct diag d;
	char text[512];
	struct cfg *c;

	snprintf(text, sizeof(text), "%s%s", head,
	    "sessions = ( { id = \"m\"; days = \"daily\"; start = \"06:00\"; minutes = 15; } );");
	c = load(text, &d);
	EXPECT(c != NULL);
	if (c) {
		EXPECT_STR(c->paths.library, "/var/lib/loaxa/library");
		EXPECT_STR(c->paths.airlog, "/var/lib/loaxa/airlog");
		EXPECT_STR(c->time.zone, "Asia/Ho_Chi_Minh");
		EXPECT_INT(c->time.require_sync, 1);
		EXPECT_INT(c->time.grace_minutes, 20);
		EXPECT_STR(c->audio.device, "default");
		EXPECT(c->audio.chime == NULL);
		EXPECT_INT(c->ntopics, 6);
		EXPECT(cfg_topic(c, "counterfeit") != NULL);
		EXPECT_INT(c->trust.require_signed_config, 0);
		EXPECT_INT(c->quiet.present, 0);
	}
	cfg_free(c);
	diag_free(&d);
}

static void
relative_paths_resolve_beside_the_config(void)
{
	struct diag d;
	char text[512];
	struct cfg *c;

	snprintf(text, sizeof(text), "%s%s", head, "paths = { library = \"lib\"; airlog = \"/srv/air\"; };");
	c = load(text, &d);
	EXPECT(c != NULL);
	if (c) {
		EXPECT_STR(c->paths.library, "/etc/loaxa/lib");
		EXPECT_STR(c->paths.airlog, "/srv/air");
	}
	cfg_free(c);
	diag_free(&d);
}

static void
refused_config_returns_nothing_and_reports_all(void)
{
	struct diag d;
	char text[512];
	struct cfg *good, *bad;

	snprintf(text, sizeof(text), "%s%s", head,
	    "sessions = ( { id = \"m\"; days = \"daily\"; start = \"06:00\"; minutes = 15; } );");
	good = load(text, &d);
	diag_free(&d);
	snprintf(text, sizeof(text), "%s%s", head,
	    "sessions = ( { id = \"m\"; days = \"dayly\"; start = \"6:00\"; minutes = 15; } );");
	bad = load(text, &d);
	EXPECT(bad == NULL);
	EXPECT_INT(d.n, 2);
	/* the good one is untouched and still usable */
	EXPECT(good != NULL && good->nsessions == 1 && good->sessions[0].start == 360);
	cfg_free(good);
	diag_free(&d);
}

static void
serial_accepts_64_bit_values(void)
{
	struct diag d;
	struct cfg *c = load("version = 1; serial = 202601150199L; site = { id = \"x\"; name = \"X\"; };", &d);

	EXPECT(c != NULL);
	if (c)
		EXPECT_INT(c->serial, 202601150199LL);
	cfg_free(c);
	diag_free(&d);
}

int
main(void)
{
	tap_plan(7);
	TEST(days_forms_parse_to_masks);
	TEST(window_dates_parse_in_three_forms);
	TEST(example_config_loads_with_typed_values);
	TEST(defaults_fill_what_the_minimal_config_leaves_out);
	TEST(relative_paths_resolve_beside_the_config);
	TEST(refused_config_returns_nothing_and_reports_all);
	TEST(serial_accepts_64_bit_values);
	return tap_done();
}
