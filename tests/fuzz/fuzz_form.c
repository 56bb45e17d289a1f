/*
 * fuzz target: a posted form's body as the console reads it (base/form.c).
 * The first byte picks the key; whatever the body, the value must come back
 * NUL-terminated within its buffer, with no NUL decoded into it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "csrf", "name", "password", "" };
	char out[33];
	const char *key;
	int r;

	if (size == 0)
		return 0;
	key = keys[data[0] % 4];
	memset(out, 'x', sizeof(out));
	r = form_value((const char *)data + 1, size - 1, key, out, sizeof(out));
	if (strnlen(out, sizeof(out)) == sizeof(out))
		abort();	/* not terminated */
	if (r == 0 && out[0] != '\0')
		abort();	/* refused or absent, yet a value left behind */
	return 0;
}
