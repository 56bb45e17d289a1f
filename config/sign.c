/*
 * sign: Ed25519 key files and detached signatures. See sign.h for the
 * formats and the contract. Secret keys live in memory only as long as the
 * caller keeps them; buffers this module fills with secrets are wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/durable.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "config/sign.h"

#define SEC_PREFIX "ed25519-secret:"
#define SIG_PREFIX "ed25519:"

static void
parent_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

int
sign_read_file(const char *path, char **data, size_t *len)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0 || (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int saved = r < 0 ? errno : EIO;
			free(buf);
			close(fd);
			errno = saved;
			return -1;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

/* the text of a one-line file, without its final '\n'; NULL when not one line */
static char *
one_line(char *text, size_t len)
{
	if (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	if (len == 0 || memchr(text, '\n', len) != NULL || strlen(text) != len)
		return NULL;
	return text;
}

void
sign_format_pub(const unsigned char pk[SIGN_PUB_LEN], char out[SIGN_PUB_TEXT])
{
	memcpy(out, "ed25519:", 8);
	sodium_bin2base64(out + 8, SIGN_PUB_TEXT - 8, pk, SIGN_PUB_LEN, sodium_base64_VARIANT_ORIGINAL);
}

int
sign_load_pub(const char *arg, unsigned char pk[SIGN_PUB_LEN], char *err, size_t errlen)
{
	char *text, *line;
	size_t len;
	int rc;

	if (strncmp(arg, "ed25519:", 8) == 0) {
		if (cfg_parse_key(arg, pk) == 0)
			return 0;
		snprintf(err, errlen, _("\"%s\" is not an Ed25519 public key (expected the \"ed25519:...\" line "
		    "that `loaxa keygen` prints)"), arg);
		return -1;
	}
	if (sign_read_file(arg, &text, &len) < 0) {
		snprintf(err, errlen, _("cannot read public key %s: %s"), arg, strerror(errno));
		return -1;
	}
	line = one_line(text, len);
	rc = line != NULL && cfg_parse_key(line, pk) == 0 ? 0 : -1;
	if (rc < 0)
		snprintf(err, errlen, _("%s does not hold an Ed25519 public key (one \"ed25519:...\" line)"), arg);
	free(text);
	return rc;
}

int
sign_load_secret(const char *path, unsigned char sk[SIGN_SEC_LEN], char *err, size_t errlen)
{
	unsigned char seed[crypto_sign_SEEDBYTES], pk[SIGN_PUB_LEN], check[SIGN_SEC_LEN];
	struct stat st;
	char *text, *line;
	size_t len, got = 0;
	const char *end = NULL;
	int rc = -1;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "%s", _("libsodium could not start"));
		return -1;
	}
	if (stat(path, &st) < 0 || sign_read_file(path, &text, &len) < 0) {
		snprintf(err, errlen, _("cannot read secret key %s: %s"), path, strerror(errno));
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, _("secret key %s may be read by others (mode %03o): run chmod 600 %s"), path,
		    (unsigned)(st.st_mode & 0777), path);
		goto out;
	}
	line = one_line(text, len);
	if (line == NULL || strncmp(line, SEC_PREFIX, strlen(SEC_PREFIX)) != 0 ||
	    sodium_base642bin(sk, SIGN_SEC_LEN, line + strlen(SEC_PREFIX), strlen(line + strlen(SEC_PREFIX)), NULL,
	    &got, &end, sodium_base64_VARIANT_ORIGINAL) != 0 || got != SIGN_SEC_LEN || *end != '\0') {
		snprintf(err, errlen, _("%s is not an Ed25519 secret key (one \"ed25519-secret:...\" line, as "
		    "`loaxa keygen` writes)"), path);
		goto out;
	}
	/* the stored public half must be the one the seed gives: a damaged file must not sign */
	crypto_sign_ed25519_sk_to_seed(seed, sk);
	crypto_sign_seed_keypair(pk, check, seed);
	if (sodium_memcmp(check, sk, SIGN_SEC_LEN) != 0) {
		snprintf(err, errlen, _("secret key %s is damaged (its two halves do not match)"), path);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(check, sizeof(check));
	sodium_memzero(text, len);
	free(text);
	if (rc < 0)
		sodium_memzero(sk, SIGN_SEC_LEN);
	return rc;
}

/* creates path with O_EXCL and writes data through durable, fsynced with its folder */
static int
write_new(const char *path, const char *data, size_t len, mode_t mode)
{
	char dir[PATH_MAX];
	int fd, saved;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)) < 0)
		return -1;
	if (fchmod(fd, mode) < 0 || durable_write(fd, data, len) < 0 || durable_fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(path);
		errno = saved;
		return -1;
	}
	if (close(fd) < 0)
		return -1;
	parent_of(path, dir, sizeof(dir));
	return durable_fsync_dir(dir);
}

int
sign_keygen(const char *secpath, const char *pubpath, char pub_out[SIGN_PUB_TEXT], char *err, size_t errlen)
{
	unsigned char pk[SIGN_PUB_LEN], sk[SIGN_SEC_LEN];
	char sline[16 + 89 + 1], pline[SIGN_PUB_TEXT + 1];
	int rc = -1;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "%s", _("libsodium could not start"));
		return -1;
	}
	if (access(secpath, F_OK) == 0 || access(pubpath, F_OK) == 0) {
		snprintf(err, errlen, _("%s already exists: a key is never overwritten (choose another name, or "
		    "move the old key away first)"), access(secpath, F_OK) == 0 ? secpath : pubpath);
		return -1;
	}
	crypto_sign_keypair(pk, sk);
	memcpy(sline, SEC_PREFIX, strlen(SEC_PREFIX));
	sodium_bin2base64(sline + strlen(SEC_PREFIX), sizeof(sline) - strlen(SEC_PREFIX) - 1, sk, SIGN_SEC_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
	strcat(sline, "\n");
	sign_format_pub(pk, pub_out);
	snprintf(pline, sizeof(pline), "%s\n", pub_out);
	if (write_new(secpath, sline, strlen(sline), 0600) < 0) {
		snprintf(err, errlen, _("cannot create %s: %s"), secpath, strerror(errno));
		goto out;
	}
	if (write_new(pubpath, pline, strlen(pline), 0644) < 0) {
		snprintf(err, errlen, _("cannot create %s: %s (%s was made; remove it before trying again)"),
		    pubpath, strerror(errno), secpath);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(sline, sizeof(sline));
	return rc;
}

void
sign_buf(const void *data, size_t len, const unsigned char sk[SIGN_SEC_LEN], char out[SIGN_SIG_TEXT])
{
	unsigned char sig[SIGN_SIG_LEN];

	crypto_sign_detached(sig, NULL, data, len, sk);
	memcpy(out, SIG_PREFIX, 8);
	sodium_bin2base64(out + 8, SIGN_SIG_TEXT - 8, sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
}

int
sign_file(const char *path, const unsigned char sk[SIGN_SEC_LEN], char *err, size_t errlen)
{
	char line[SIGN_SIG_TEXT + 1], sigpath[PATH_MAX];
	char *data;
	size_t len;

	if (sign_read_file(path, &data, &len) < 0) {
		snprintf(err, errlen, _("cannot read %s: %s"), path, strerror(errno));
		return -1;
	}
	sign_buf(data, len, sk, line);
	free(data);
	strcat(line, "\n");
	if ((size_t)snprintf(sigpath, sizeof(sigpath), "%s.sig", path) >= sizeof(sigpath)) {
		snprintf(err, errlen, _("file name too long: %s"), path);
		return -1;
	}
	if (durable_atomic(sigpath, line, strlen(line), 0644) < 0) {
		snprintf(err, errlen, _("cannot write %s: %s"), sigpath, strerror(errno));
		return -1;
	}
	return 0;
}

int
sign_verify_buf(const void *data, size_t len, const char *sig, size_t siglen,
    const unsigned char (*keys)[SIGN_PUB_LEN], int nkeys, int *which, char *err, size_t errlen)
{
	unsigned char bin[SIGN_SIG_LEN];
	char text[SIGN_SIG_TEXT + 2];
	size_t got = 0;
	const char *end = NULL;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "%s", _("libsodium could not start"));
		return -1;
	}
	if (siglen > 0 && sig[siglen - 1] == '\n')
		siglen--;
	if (siglen >= sizeof(text) || siglen <= 8 || memcmp(sig, SIG_PREFIX, 8) != 0) {
		snprintf(err, errlen, "%s", _("not a signature (expected one \"ed25519:BASE64\" line, as `loaxa sign` "
		    "writes)"));
		return -1;
	}
	memcpy(text, sig, siglen);
	text[siglen] = '\0';
	if (sodium_base642bin(bin, sizeof(bin), text + 8, siglen - 8, NULL, &got, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || got != SIGN_SIG_LEN || *end != '\0') {
		snprintf(err, errlen, "%s", _("not a signature (expected one \"ed25519:BASE64\" line, as `loaxa sign` "
		    "writes)"));
		return -1;
	}
	if (nkeys <= 0) {
		snprintf(err, errlen, "%s", _("no public key to check the signature with (give --pubkey, or add the "
		    "signer's key to trust.keys)"));
		return -1;
	}
	for (int i = 0; i < nkeys; i++)
		if (crypto_sign_verify_detached(bin, data, len, keys[i]) == 0) {
			if (which)
				*which = i;
			return 0;
		}
	snprintf(err, errlen, "%s", nkeys == 1 ? _("bad signature: the data was changed after signing, or it was "
	    "signed with another key") : _("bad signature: the data was changed after signing, or none of the "
	    "trusted keys signed it"));
	return 1;
}

int
sign_verify_file_key(const char *path, const char *sigpath, const unsigned char (*keys)[SIGN_PUB_LEN], int nkeys,
    int *which, char *err, size_t errlen)
{
	char defsig[PATH_MAX], *data, *sig;
	size_t len, siglen;
	int rc;

	if (sigpath == NULL) {
		if ((size_t)snprintf(defsig, sizeof(defsig), "%s.sig", path) >= sizeof(defsig)) {
			snprintf(err, errlen, _("file name too long: %s"), path);
			return -1;
		}
		sigpath = defsig;
	}
	if (sign_read_file(sigpath, &sig, &siglen) < 0) {
		snprintf(err, errlen, _("cannot read signature %s: %s"), sigpath, strerror(errno));
		return -1;
	}
	if (sign_read_file(path, &data, &len) < 0) {
		snprintf(err, errlen, _("cannot read %s: %s"), path, strerror(errno));
		free(sig);
		return -1;
	}
	rc = sign_verify_buf(data, len, sig, siglen, keys, nkeys, which, err, errlen);
	if (rc < 0 && siglen > 0) {
		char tmp[256];
		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: %s", sigpath, tmp);
	}
	free(data);
	free(sig);
	return rc;
}

int
sign_verify_file(const char *path, const char *sigpath, const unsigned char (*keys)[SIGN_PUB_LEN], int nkeys,
    char *err, size_t errlen)
{
	return sign_verify_file_key(path, sigpath, keys, nkeys, NULL, err, errlen);
}
