/*
 * fuzz target: the MP3 import path: what the measuring child runs on a
 * stick's file (audio_measure: libmpg123 with the decoder's frame, size and
 * length caps, then R128 loudness and true peak).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "audio/measure.h"
#include "tests/fuzz/fuzz_audio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, "mp3");
	struct audio_measure m;
	char err[512];

	if (path != NULL)
		audio_measure(path, &m, err, sizeof(err));
	return 0;
}
