/*
 * fuzz target: a detached signature file (.sig) and public key lines, as a
 * stick or a pushed config brings them. The input is "SIG\nKEY\nDATA": the
 * signature text is checked over DATA against the key parsed from KEY (when
 * it parses) and a fixed key.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char keys[2][SIGN_PUB_LEN] = { { 0 } };
	const char *p = (const char *)data, *nl1, *nl2;
	char key[256], err[256];
	int which, nkeys = 1;

	memset(keys[0], 7, SIGN_PUB_LEN);
	nl1 = memchr(p, '\n', size);
	if (nl1 == NULL)
		return sign_verify_buf("", 0, p, size, (const unsigned char (*)[SIGN_PUB_LEN])keys, 1, &which,
		    err, sizeof(err)), 0;
	nl2 = memchr(nl1 + 1, '\n', size - (size_t)(nl1 + 1 - p));
	if (nl2 != NULL && (size_t)(nl2 - nl1 - 1) < sizeof(key)) {
		memcpy(key, nl1 + 1, (size_t)(nl2 - nl1 - 1));
		key[nl2 - nl1 - 1] = '\0';
		/* only key lines: a path would read files */
		if (strncmp(key, "ed25519:", 8) == 0 && sign_load_pub(key, keys[1], err, sizeof(err)) == 0)
			nkeys = 2;
	}
	if (nl2 == NULL)
		nl2 = nl1;
	sign_verify_buf(nl2 + 1, size - (size_t)(nl2 + 1 - p), p, (size_t)(nl1 - p),
	    (const unsigned char (*)[SIGN_PUB_LEN])keys, nkeys, &which, err, sizeof(err));
	return 0;
}
