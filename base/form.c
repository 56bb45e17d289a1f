/* form.c: a value of an application/x-www-form-urlencoded body (form.h) */
#include <string.h>

#include "base/form.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
form_value(const char *body, size_t len, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key);
	const char *p = body, *end = body ? body + len : NULL;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	while (p && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *e = amp ? amp : end;

		if ((size_t)(e - p) > kl && memcmp(p, key, kl) == 0 && p[kl] == '=') {
			size_t n = 0;

			for (const char *q = p + kl + 1; q < e && n + 1 < outlen; q++) {
				if (*q == '+') {
					out[n++] = ' ';
				} else if (*q == '%') {
					int hi = e - q > 2 ? hexval(q[1]) : -1, lo = e - q > 2 ? hexval(q[2]) : -1;

					if (hi < 0 || lo < 0 || (hi | lo) == 0) {
						out[0] = '\0';
						return 0;
					}
					out[n++] = (char)(hi << 4 | lo);
					q += 2;
				} else if (*q == '\0') {
					out[0] = '\0';
					return 0;
				} else {
					out[n++] = *q;
				}
			}
			out[n] = '\0';
			return 1;
		}
		p = amp ? amp + 1 : end;
	}
	return 0;
}
