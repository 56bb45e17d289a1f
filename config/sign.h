/*
 * sign: Ed25519 key files and detached signatures (libsodium), shared by
 * `loaxa keygen|sign|verify`, signed config and manifest apply, and the
 * board's device key that signs the airing log's seals.
 *
 * Text formats, one line each, '\n'-terminated; BASE64 is the standard
 * alphabet with '=' padding:
 *
 *   public key   ed25519:BASE64(32-byte key)           PREFIX.pub, device.pub, trust.keys
 *   secret key   ed25519-secret:BASE64(64 bytes)       PREFIX.key, device.key (mode 0600);
 *                                                      libsodium's layout: seed || public key
 *   signature    ed25519:BASE64(64-byte signature)     FILE.sig
 *
 * A signature is plain Ed25519 (RFC 8032) over the signed file's exact
 * bytes: no hashing first, no context string, so any Ed25519
 * implementation can check one. Files are read whole into memory (configs
 * and manifests are small; audio is bound by the manifest's sha256).
 *
 * No printing, no exiting; functions return 0 / -1 (verification 0 good,
 * 1 bad, -1 could not check) with a message in the caller's buffer. Writes
 * go through durable.
 */
#ifndef SIGN_H
#define SIGN_H

#include <stddef.h>

#define SIGN_PUB_LEN	32
#define SIGN_SEC_LEN	64
#define SIGN_SIG_LEN	64
#define SIGN_PUB_TEXT	53	/* "ed25519:" + 44 + NUL */
#define SIGN_SIG_TEXT	97	/* "ed25519:" + 88 + NUL */

/* "ed25519:BASE64" of a public key */
void	sign_format_pub(const unsigned char pk[SIGN_PUB_LEN], char out[SIGN_PUB_TEXT]);
/* arg is either an "ed25519:..." line or the path of a file holding one */
int	sign_load_pub(const char *arg, unsigned char pk[SIGN_PUB_LEN], char *err, size_t errlen);
/* reads a secret key file; refuses one that others may read (as ssh does) */
int	sign_load_secret(const char *path, unsigned char sk[SIGN_SEC_LEN], char *err, size_t errlen);
/*
 * Makes a key pair: secpath created with O_EXCL and mode 0600, pubpath with
 * O_EXCL; neither is ever overwritten. pub_out gets the public key line.
 */
int	sign_keygen(const char *secpath, const char *pubpath, char pub_out[SIGN_PUB_TEXT],
	    char *err, size_t errlen);

/* the signature line (without '\n') of data */
void	sign_buf(const void *data, size_t len, const unsigned char sk[SIGN_SEC_LEN], char out[SIGN_SIG_TEXT]);
/* writes path.sig (atomically) holding the signature line of path's bytes */
int	sign_file(const char *path, const unsigned char sk[SIGN_SEC_LEN], char *err, size_t errlen);

/*
 * Checks a signature text (the .sig file's content: one signature line, the
 * final '\n' optional) over data against each of keys. 0: good (*which, if
 * not NULL, is the index of the key that made it); 1: bad (no key made it);
 * -1: the signature text is not one.
 */
int	sign_verify_buf(const void *data, size_t len, const char *sig, size_t siglen,
	    const unsigned char (*keys)[SIGN_PUB_LEN], int nkeys, int *which, char *err, size_t errlen);
/* the same for files; sigpath NULL means path + ".sig"; -1 also when a file cannot be read */
int	sign_verify_file(const char *path, const char *sigpath, const unsigned char (*keys)[SIGN_PUB_LEN],
	    int nkeys, char *err, size_t errlen);
int	sign_verify_file_key(const char *path, const char *sigpath, const unsigned char (*keys)[SIGN_PUB_LEN],
	    int nkeys, int *which, char *err, size_t errlen);

/* reads a whole file (NUL-terminated for convenience; len excludes it); 0 or -1 with errno */
int	sign_read_file(const char *path, char **data, size_t *len);

#endif
