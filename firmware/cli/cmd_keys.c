/*
 * loaxa keygen|sign|verify: the office's Ed25519 keys and detached
 * signatures for configs and manifests. Formats in config/sign.h.
 *
 *   keygen [--out PREFIX]          PREFIX.key (0600, never overwritten) and PREFIX.pub;
 *                                  prints the public key line for trust.keys
 *   sign FILE [--key K]            FILE.sig
 *   verify FILE [--pubkey P] [--sig S]
 *                                  exit 0 good, 1 bad, 2 could not check; without
 *                                  --pubkey, against the config's trust.keys
 */
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/translate.h"
#include "config/cfg.h"
#include "config/sign.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"

#define U_KEYGEN	"keygen [--out PREFIX]"
#define U_SIGN		"sign FILE [--key PREFIX.key]"
#define U_VERIFY	"verify FILE [--pubkey ed25519:...|PREFIX.pub] [--sig FILE.sig] [-c CFG]"
#define DEF_PREFIX	"loaxa"

static const char *
opt_value(int *i, int argc, char **argv, const char *name)
{
	if (strcmp(argv[*i], name) != 0)
		return NULL;
	if (*i + 1 >= argc || argv[*i + 1][0] == '\0')
		return "";
	return argv[++*i];
}

int
cmd_keygen(int argc, char **argv)
{
	const char *prefix = DEF_PREFIX, *v;
	char sec[PATH_MAX], pub[PATH_MAX], line[SIGN_PUB_TEXT], err[512];

	cli_config_arg(&argc, argv);	/* accepted like everywhere; keygen needs no config */
	for (int i = 1; i < argc; i++) {
		if ((v = opt_value(&i, argc, argv, "--out")) != NULL && *v)
			prefix = v;
		else
			return cli_usage("keygen", U_KEYGEN, _("unexpected argument \"%s\""), argv[i]);
	}
	snprintf(sec, sizeof(sec), "%s.key", prefix);
	snprintf(pub, sizeof(pub), "%s.pub", prefix);
	if (sign_keygen(sec, pub, line, err, sizeof(err)) < 0) {
		fprintf(stderr, "loaxa keygen: %s\n", err);
		return 1;
	}
	printf("%s\n", line);
	fprintf(stderr, _("loaxa keygen: secret key in %s (keep it off the boards and away from others), public key "
	    "in %s; put the line above into trust.keys of the boards that must accept what this key signs\n"),
	    sec, pub);
	return 0;
}

int
cmd_sign(int argc, char **argv)
{
	const char *file = NULL, *key = DEF_PREFIX ".key", *v;
	unsigned char sk[SIGN_SEC_LEN];
	char err[512];
	int rc;

	cli_config_arg(&argc, argv);
	for (int i = 1; i < argc; i++) {
		if ((v = opt_value(&i, argc, argv, "--key")) != NULL && *v)
			key = v;
		else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			return cli_usage("sign", U_SIGN, _("unexpected argument \"%s\""), argv[i]);
	}
	if (file == NULL)
		return cli_usage("sign", U_SIGN, "%s", _("which file?"));
	if (sign_load_secret(key, sk, err, sizeof(err)) < 0) {
		fprintf(stderr, "loaxa sign: %s\n", err);
		return 1;
	}
	rc = sign_file(file, sk, err, sizeof(err));
	sodium_memzero(sk, sizeof(sk));
	if (rc < 0) {
		fprintf(stderr, "loaxa sign: %s\n", err);
		return 1;
	}
	printf(_("%s.sig written\n"), file);
	return 0;
}

int
cmd_verify(int argc, char **argv)
{
	const char *cfgpath = cli_config_arg(&argc, argv);
	const char *file = NULL, *pubarg = NULL, *sig = NULL, *v;
	unsigned char one[1][SIGN_PUB_LEN];
	const unsigned char (*keys)[SIGN_PUB_LEN] = NULL;
	int nkeys = 0, which = -1, rc;
	char err[512], text[SIGN_PUB_TEXT];
	struct cfg *c = NULL;

	for (int i = 1; i < argc; i++) {
		if ((v = opt_value(&i, argc, argv, "--pubkey")) != NULL && *v)
			pubarg = v;
		else if ((v = opt_value(&i, argc, argv, "--sig")) != NULL && *v)
			sig = v;
		else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			return cli_usage("verify", U_VERIFY, _("unexpected argument \"%s\""), argv[i]);
	}
	if (file == NULL)
		return cli_usage("verify", U_VERIFY, "%s", _("which file?"));
	if (pubarg) {
		if (sign_load_pub(pubarg, one[0], err, sizeof(err)) < 0) {
			fprintf(stderr, "loaxa verify: %s\n", err);
			return 2;
		}
		keys = (const unsigned char (*)[SIGN_PUB_LEN])one;
		nkeys = 1;
	} else {
		if ((c = cli_load(cfgpath)) == NULL)
			return 2;
		keys = (const unsigned char (*)[SIGN_PUB_LEN])c->trust.keys;
		nkeys = c->trust.nkeys;
	}
	rc = sign_verify_file_key(file, sig, keys, nkeys, &which, err, sizeof(err));
	if (rc == 0) {
		sign_format_pub(keys[which], text);
		printf(_("%s: good signature by %s\n"), file, text);
	} else if (rc == 1) {
		printf("%s: %s\n", file, err);
	} else {
		fprintf(stderr, "loaxa verify: %s\n", err);
		rc = 2;
	}
	cfg_free(c);
	return rc;
}
