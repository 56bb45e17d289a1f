/* sign: key files, detached signatures, and that they are plain Ed25519 (RFC 8032 vectors). */
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/durable.h"
#include "config/sign.h"
#include "tests/unit/tap.h"

static char root[PATH_MAX];

static void
put(const char *name, const char *text, mode_t mode)
{
	char path[PATH_MAX + 64];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	fp = fopen(path, "wb");
	fputs(text, fp);
	fclose(fp);
	chmod(path, mode);
}

static const char *
at(const char *name)
{
	static char buf[4][PATH_MAX + 64];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", root, name);
	return buf[i];
}

/* a fresh key pair PREFIX.key / PREFIX.pub in root */
static int
keypair(const char *prefix, unsigned char sk[SIGN_SEC_LEN], unsigned char pk[SIGN_PUB_LEN])
{
	char sec[PATH_MAX + 64], pub[PATH_MAX + 64], line[SIGN_PUB_TEXT], err[256];

	snprintf(sec, sizeof(sec), "%s/%s.key", root, prefix);
	snprintf(pub, sizeof(pub), "%s/%s.pub", root, prefix);
	if (sign_keygen(sec, pub, line, err, sizeof(err)) < 0 || sign_load_secret(sec, sk, err, sizeof(err)) < 0 ||
	    sign_load_pub(pub, pk, err, sizeof(err)) < 0) {
		tap_fail(__FILE__, __LINE__, "%s", err);
		return -1;
	}
	return 0;
}

static void
keygen_makes_a_private_secret_and_never_overwrites(void)
{
	unsigned char sk[SIGN_SEC_LEN], pk[SIGN_PUB_LEN], pk2[SIGN_PUB_LEN];
	char line[SIGN_PUB_TEXT], err[256], *text;
	size_t len;
	struct stat st;

	if (keypair("office", sk, pk) < 0)
		return;
	EXPECT(stat(at("office.key"), &st) == 0 && (st.st_mode & 0777) == 0600);
	EXPECT(sign_read_file(at("office.pub"), &text, &len) == 0);
	EXPECT(len == 53 && strncmp(text, "ed25519:", 8) == 0 && text[52] == '\n');
	EXPECT_INT(sign_load_pub(text, pk2, err, sizeof(err)), -1);	/* with its '\n' it is not a literal */
	text[52] = '\0';
	EXPECT_INT(sign_load_pub(text, pk2, err, sizeof(err)), 0);
	EXPECT(memcmp(pk, pk2, 32) == 0);
	EXPECT(memcmp(sk + 32, pk, 32) == 0);
	free(text);
	EXPECT_INT(sign_keygen(at("office.key"), at("other.pub"), line, err, sizeof(err)), -1);
	EXPECT(strstr(err, "already exists") != NULL);
	EXPECT_INT(sign_keygen(at("other.key"), at("office.pub"), line, err, sizeof(err)), -1);
	EXPECT(access(at("other.key"), F_OK) != 0);
}

static void
a_secret_key_others_can_read_or_a_damaged_one_is_refused(void)
{
	unsigned char sk[SIGN_SEC_LEN], pk[SIGN_PUB_LEN];
	char err[256], *text;
	size_t len;

	if (keypair("loose", sk, pk) < 0)
		return;
	chmod(at("loose.key"), 0644);
	EXPECT_INT(sign_load_secret(at("loose.key"), sk, err, sizeof(err)), -1);
	EXPECT(strstr(err, "chmod 600") != NULL);
	chmod(at("loose.key"), 0600);
	EXPECT_INT(sign_load_secret(at("loose.key"), sk, err, sizeof(err)), 0);
	/* the public half no longer matches the seed */
	sign_read_file(at("loose.key"), &text, &len);
	text[len - 3] = text[len - 3] == 'A' ? 'B' : 'A';
	put("loose.key", text, 0600);
	free(text);
	EXPECT_INT(sign_load_secret(at("loose.key"), sk, err, sizeof(err)), -1);
	put("junk.key", "ed25519:AAAA\n", 0600);
	EXPECT_INT(sign_load_secret(at("junk.key"), sk, err, sizeof(err)), -1);
}

static void
a_signed_file_verifies_and_any_flipped_byte_does_not(void)
{
	static const char body[] = "version = 1;\nserial = 2026011501;\nsite = { id = \"cb-hoa-an\"; name = \"Xã Hòa An\"; };\n";
	unsigned char sk[SIGN_SEC_LEN], pk[1][SIGN_PUB_LEN];
	char err[256], *sig, *data;
	size_t siglen, len;

	if (keypair("s1", sk, pk[0]) < 0)
		return;
	put("loaxa.cfg", body, 0644);
	EXPECT_INT(sign_file(at("loaxa.cfg"), sk, err, sizeof(err)), 0);
	EXPECT(sign_read_file(at("loaxa.cfg.sig"), &sig, &siglen) == 0);
	EXPECT(siglen == 97 && strncmp(sig, "ed25519:", 8) == 0 && sig[96] == '\n');
	EXPECT_INT(sign_verify_file(at("loaxa.cfg"), NULL, (const unsigned char (*)[32])pk, 1, err, sizeof(err)), 0);
	sign_read_file(at("loaxa.cfg"), &data, &len);
	for (size_t i = 0; i < len; i++) {
		data[i] ^= 0x01;
		if (sign_verify_buf(data, len, sig, siglen, (const unsigned char (*)[32])pk, 1, NULL, err,
		    sizeof(err)) != 1) {
			tap_fail(__FILE__, __LINE__, "byte %zu flipped still verifies", i);
			break;
		}
		data[i] ^= 0x01;
	}
	EXPECT_INT(sign_verify_buf(data, len - 1, sig, siglen, (const unsigned char (*)[32])pk, 1, NULL, err,
	    sizeof(err)), 1);
	EXPECT_INT(sign_verify_buf(data, len, sig, siglen - 1, (const unsigned char (*)[32])pk, 1, NULL, err,
	    sizeof(err)), 0);	/* the final '\n' is optional */
	free(data);
	free(sig);
}

static void
a_changed_signature_or_an_unknown_key_is_bad(void)
{
	static const char body[] = "bulletins = ( );\n";
	unsigned char ska[SIGN_SEC_LEN], sk[SIGN_SEC_LEN], other[SIGN_SEC_LEN], keys[3][SIGN_PUB_LEN], raw[64];
	char err[256], line[SIGN_SIG_TEXT];
	int which = -1;

	/* keys: a's, a stranger's, b's; b signs */
	if (keypair("a", ska, keys[0]) < 0 || keypair("b", sk, keys[2]) < 0)
		return;
	crypto_sign_keypair(keys[1], other);
	sign_buf(body, strlen(body), sk, line);
	/* signed by b: unknown to a list holding only a */
	EXPECT_INT(sign_verify_buf(body, strlen(body), line, strlen(line), (const unsigned char (*)[32])keys, 1, NULL,
	    err, sizeof(err)), 1);
	EXPECT(strstr(err, "bad signature") != NULL);
	EXPECT_INT(sign_verify_buf(body, strlen(body), line, strlen(line), (const unsigned char (*)[32])keys, 3, &which,
	    err, sizeof(err)), 0);
	EXPECT_INT(which, 2);
	/* one bit of the signature itself */
	sodium_base642bin(raw, 64, line + 8, strlen(line + 8), NULL, NULL, NULL, sodium_base64_VARIANT_ORIGINAL);
	raw[10] ^= 0x01;
	sodium_bin2base64(line + 8, sizeof(line) - 8, raw, 64, sodium_base64_VARIANT_ORIGINAL);
	EXPECT_INT(sign_verify_buf(body, strlen(body), line, strlen(line), (const unsigned char (*)[32])keys, 3, NULL,
	    err, sizeof(err)), 1);
	/* not a signature at all, and no signature file */
	EXPECT_INT(sign_verify_buf(body, strlen(body), "ed25519:abc", 11, (const unsigned char (*)[32])keys, 3, NULL,
	    err, sizeof(err)), -1);
	EXPECT_INT(sign_verify_buf(body, strlen(body), "", 0, (const unsigned char (*)[32])keys, 3, NULL, err,
	    sizeof(err)), -1);
	put("m.cfg", body, 0644);
	EXPECT_INT(sign_verify_file(at("m.cfg"), NULL, (const unsigned char (*)[32])keys, 3, err, sizeof(err)), -1);
	EXPECT(strstr(err, "m.cfg.sig") != NULL);
	EXPECT_INT(sign_verify_buf(body, strlen(body), line, strlen(line), NULL, 0, NULL, err, sizeof(err)), -1);
}

/* RFC 8032 section 7.1, tests 1 and 2: the .sig format is plain Ed25519 any tool can check */
static void
rfc8032_vectors_verify_in_the_sig_format(void)
{
	static const struct { const char *sk, *pk, *msg, *sig; } v[] = {
		{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
		  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
		{ "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
		  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
		  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	};

	for (size_t i = 0; i < 2; i++) {
		unsigned char seed[32], pk[1][32], sk[64], pk2[32], msg[1], sig[64];
		char text[SIGN_SIG_TEXT], mine[SIGN_SIG_TEXT], err[256];
		size_t mlen = 0;

		sodium_hex2bin(seed, 32, v[i].sk, 64, NULL, NULL, NULL);
		sodium_hex2bin(pk[0], 32, v[i].pk, 64, NULL, NULL, NULL);
		sodium_hex2bin(msg, 1, v[i].msg, strlen(v[i].msg), NULL, &mlen, NULL);
		sodium_hex2bin(sig, 64, v[i].sig, 128, NULL, NULL, NULL);
		memcpy(text, "ed25519:", 8);
		sodium_bin2base64(text + 8, sizeof(text) - 8, sig, 64, sodium_base64_VARIANT_ORIGINAL);
		EXPECT_INT(sign_verify_buf(msg, mlen, text, strlen(text), (const unsigned char (*)[32])pk, 1, NULL, err,
		    sizeof(err)), 0);
		crypto_sign_seed_keypair(pk2, sk, seed);
		sign_buf(msg, mlen, sk, mine);
		EXPECT_STR(mine, text);	/* Ed25519 is deterministic: the same bytes as the RFC */
	}
}

int
main(void)
{
	snprintf(root, sizeof(root), "/tmp/loaxa-sign-XXXXXX");
	if (mkdtemp(root) == NULL || sodium_init() < 0)
		return 1;
	tap_plan(5);
	TEST(keygen_makes_a_private_secret_and_never_overwrites);
	TEST(a_secret_key_others_can_read_or_a_damaged_one_is_refused);
	TEST(a_signed_file_verifies_and_any_flipped_byte_does_not);
	TEST(a_changed_signature_or_an_unknown_key_is_bad);
	TEST(rfc8032_vectors_verify_in_the_sig_format);
	durable_rmtree(root);
	return tap_done();
}
