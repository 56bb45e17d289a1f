/*
 * apply: the rules a new config must pass before it is put in force
 * (intake/apply.h cfgapply_check): only a greater serial is taken, the same
 * serial only as the very same text, and a signature must be good and by a
 * key of the config in force. Each boundary is pinned at one step.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "config/cfg.h"
#include "config/diag.h"
#include "config/sign.h"
#include "intake/apply.h"
#include "tests/unit/tap.h"

static const char body[] = "version = 1; serial = %d; site = { id = \"xa\"; name = \"Xã\"; };\n"
    "%s"
    "sessions = ( { id = \"m\"; days = \"daily\"; start = \"%s\"; minutes = 15; } );\n";

static char *
text_of(int serial, const char *trust, const char *start)
{
	char *t;

	if (asprintf(&t, body, serial, trust, start) < 0)
		abort();
	return t;
}

static struct cfg *
load(const char *text)
{
	struct diag d;
	struct cfg *c;

	diag_init(&d);
	c = cfg_load_string(text, "cur.cfg", "/tmp", &d);
	for (size_t i = 0; c == NULL && i < d.n; i++)
		tap_fail(__FILE__, __LINE__, "set-up config: %s", d.msg[i]);
	diag_free(&d);
	return c;
}

/* cfgapply_check's answer for text (signed with sig when not NULL) against cur */
static int
check(const struct cfg *cur, const char *text, const char *sig, struct cfgapply_result *r)
{
	struct diag d;
	struct cfg *out = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	diag_init(&d);
	rc = cfgapply_check(cur, text, strlen(text), sig, sig ? strlen(sig) : 0, "new.cfg",
	    date_from_civil(2026, 1, 1), &out, &d, r);
	if ((rc == 0) != (out != NULL))
		tap_fail(__FILE__, __LINE__, "cfgapply_check returned %d with%s a config", rc, out ? "" : "out");
	cfg_free(out);
	diag_free(&d);
	return rc;
}

static void
only_a_greater_serial_is_taken(void)
{
	char *cur_text = text_of(5, "", "06:00"), *t;
	struct cfg *cur = load(cur_text);
	struct cfgapply_result r;

	if (cur == NULL) {
		free(cur_text);
		return;
	}
	t = text_of(4, "", "07:00");	/* one below: refused */
	EXPECT_INT(check(cur, t, NULL, &r), -1);
	EXPECT(strstr(r.msg, "older than the one in force") != NULL);
	free(t);
	t = text_of(6, "", "07:00");	/* one above: taken */
	EXPECT_INT(check(cur, t, NULL, &r), 0);
	EXPECT_INT(r.new_serial, 6);
	free(t);
	t = text_of(5, "", "07:00");	/* the same serial, other content: refused */
	EXPECT_INT(check(cur, t, NULL, &r), -1);
	EXPECT(strstr(r.msg, "different content") != NULL);
	free(t);
	EXPECT_INT(check(cur, cur_text, NULL, &r), 1);	/* the very same text: in force already */
	cfg_free(cur);
	free(cur_text);
}

static void
a_signature_must_be_good_and_trusted(void)
{
	unsigned char pk[SIGN_PUB_LEN], sk[SIGN_SEC_LEN], pk2[SIGN_PUB_LEN], sk2[SIGN_SEC_LEN];
	char pub[SIGN_PUB_TEXT], trust[SIGN_PUB_TEXT + 96], sig[SIGN_SIG_TEXT], *cur_text, *t;
	struct cfg *cur;
	struct cfgapply_result r;

	if (sodium_init() < 0) {
		tap_fail(__FILE__, __LINE__, "sodium_init");
		return;
	}
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(pk2, sk2);
	sign_format_pub(pk, pub);
	snprintf(trust, sizeof(trust), "trust = { keys = [ \"%s\" ]; require_signed_config = true; };\n", pub);
	cur_text = text_of(5, trust, "06:00");
	if ((cur = load(cur_text)) == NULL) {
		free(cur_text);
		return;
	}
	t = text_of(6, trust, "07:00");
	sign_buf(t, strlen(t), sk, sig);
	EXPECT_INT(check(cur, t, sig, &r), 0);		/* signed by the trusted key: taken */
	sign_buf(t, strlen(t), sk2, sig);
	EXPECT_INT(check(cur, t, sig, &r), -1);		/* by another key: refused */
	EXPECT(strstr(r.msg, "does not match its signature") != NULL);
	sign_buf(t, strlen(t), sk, sig);
	t[strlen(t) - 3] ^= 1;				/* changed after signing: refused */
	EXPECT_INT(check(cur, t, sig, &r), -1);
	EXPECT(strstr(r.msg, "does not match its signature") != NULL);
	free(t);
	t = text_of(6, trust, "07:00");
	EXPECT_INT(check(cur, t, NULL, &r), -1);	/* unsigned, and signatures are required */
	EXPECT(strstr(r.msg, "is not signed") != NULL);
	free(t);
	cfg_free(cur);
	free(cur_text);
}

int
main(void)
{
	tap_plan(2);
	TEST(only_a_greater_serial_is_taken);
	TEST(a_signature_must_be_good_and_trusted);
	return tap_done();
}
