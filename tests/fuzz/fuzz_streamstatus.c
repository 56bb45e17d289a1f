/*
 * fuzz target: the status lines of the decoding child as the daemon reads
 * them (audio/stream.c). The child decodes a stranger's stream, so what it
 * writes is not trusted: every line, however long or strange, must leave
 * the stats NUL-terminated, within their sizes, with no control character.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
clean(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();	/* not terminated */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audio_stream_stats st;
	char *line = malloc(size + 1);
	size_t start = 0;

	if (line == NULL)
		return 0;
	memset(&st, 0, sizeof(st));
	for (size_t i = 0; i <= size; i++)
		if (i == size || data[i] == '\n') {
			memcpy(line, data + start, i - start);
			line[i - start] = '\0';
			audio_stream_status_line(&st, line);
			start = i + 1;
		}
	clean(st.reason, sizeof(st.reason));
	clean(st.error, sizeof(st.error));
	clean(st.title, sizeof(st.title));
	clean(st.format, sizeof(st.format));
	free(line);
	return 0;
}
