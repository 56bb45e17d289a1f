/*
 * manifest: whether a manifest is for this board today (config/manifest.h
 * manifest_check_bound): a signed one must name its sequence, expiry and
 * sites or province (each alone missing is refused), it is good through
 * its expiry day and not a day more, and only for the sites or province it
 * names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "config/cfg.h"
#include "config/diag.h"
#include "config/manifest.h"
#include "tests/unit/tap.h"

#define D(y, m, d) date_from_civil(y, m, d)

static struct cfg *
board(void)
{
	return tap_cfg("version = 1; serial = 5; site = { id = \"xa\"; name = \"Xã\"; province = \"Cao Bằng\"; };\n",
	    "sessions = ( { id = \"m\"; days = \"daily\"; start = \"06:00\"; minutes = 15; } );\n");
}

/* manifest_check_bound on the manifest keys in text */
static int
bound(const struct cfg *c, const char *text, int is_signed, int32_t today, char *why, size_t whylen)
{
	struct manifest_meta m;
	struct diag d;
	int rc;

	diag_init(&d);
	if (manifest_meta_parse(text, "manifest.cfg", &m, &d) < 0 || d.n > 0) {
		tap_fail(__FILE__, __LINE__, "set-up manifest does not parse: %s", d.n ? d.msg[0] : text);
		diag_free(&d);
		return -2;
	}
	diag_free(&d);
	why[0] = '\0';
	rc = manifest_check_bound(&m, is_signed, c, today, why, whylen);
	manifest_meta_free(&m);
	return rc;
}

static void
a_signed_manifest_needs_each_of_sequence_expiry_and_scope(void)
{
	struct cfg *c = board();
	char why[1024];
	int32_t today = D(2026, 1, 5);

	EXPECT(c != NULL);
	if (c == NULL)
		return;
	EXPECT_INT(bound(c, "sequence = 3; expires = \"2026-02-01\"; sites = [ \"xa\" ];", 1, today, why,
	    sizeof(why)), 0);
	EXPECT_INT(bound(c, "expires = \"2026-02-01\"; sites = [ \"xa\" ];", 1, today, why, sizeof(why)), -1);
	EXPECT(strstr(why, "does not say its sequence") != NULL);
	EXPECT_INT(bound(c, "sequence = 3; sites = [ \"xa\" ];", 1, today, why, sizeof(why)), -1);
	EXPECT(strstr(why, "does not say its sequence") != NULL);
	EXPECT_INT(bound(c, "sequence = 3; expires = \"2026-02-01\";", 1, today, why, sizeof(why)), -1);
	EXPECT(strstr(why, "does not say its sequence") != NULL);
	/* unsigned, none is required */
	EXPECT_INT(bound(c, "sites = [ \"xa\" ];", 0, today, why, sizeof(why)), 0);
	cfg_free(c);
}

static void
a_manifest_is_good_through_its_expiry_day(void)
{
	struct cfg *c = board();
	char why[1024];
	const char *m = "sequence = 3; expires = \"2026-01-10\"; sites = [ \"xa\" ];";

	EXPECT(c != NULL);
	if (c == NULL)
		return;
	EXPECT_INT(bound(c, m, 1, D(2026, 1, 9), why, sizeof(why)), 0);
	EXPECT_INT(bound(c, m, 1, D(2026, 1, 10), why, sizeof(why)), 0);
	EXPECT_INT(bound(c, m, 1, D(2026, 1, 11), why, sizeof(why)), -1);
	EXPECT(strstr(why, "expired on 2026-01-10") != NULL);
	cfg_free(c);
}

static void
a_manifest_is_only_for_the_sites_or_province_it_names(void)
{
	struct cfg *c = board();
	char why[1024];
	int32_t today = D(2026, 1, 5);

	EXPECT(c != NULL);
	if (c == NULL)
		return;
	EXPECT_INT(bound(c, "sequence = 3; expires = \"2026-02-01\"; sites = [ \"yb\", \"xa\" ];", 1, today, why,
	    sizeof(why)), 0);
	EXPECT_INT(bound(c, "sequence = 3; expires = \"2026-02-01\"; sites = [ \"yb\", \"xab\" ];", 1, today, why,
	    sizeof(why)), -1);
	EXPECT(strstr(why, "is for other sites") != NULL);
	EXPECT_INT(bound(c, "sequence = 3; expires = \"2026-02-01\"; province = \"Cao Bằng\";", 1, today, why,
	    sizeof(why)), 0);
	EXPECT_INT(bound(c, "sequence = 3; expires = \"2026-02-01\"; province = \"Hà Giang\";", 1, today, why,
	    sizeof(why)), -1);
	EXPECT(strstr(why, "for the province") != NULL);
	cfg_free(c);
}

int
main(void)
{
	tap_plan(3);
	TEST(a_signed_manifest_needs_each_of_sequence_expiry_and_scope);
	TEST(a_manifest_is_good_through_its_expiry_day);
	TEST(a_manifest_is_only_for_the_sites_or_province_it_names);
	return tap_done();
}
