/*
 * fuzz target: the WAV path, a file from a stick as the decoder sees it:
 * content sniffing, libsndfile's header parse, and every frame read
 * (audio/decode.c, which caps length, channels and rate).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "audio/decode.h"
#include "tests/fuzz/fuzz_audio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, "wav");
	struct audio_dec *d;
	float buf[4096 * 2];
	char err[512];

	if (path == NULL || (d = audio_dec_open(path, err, sizeof(err))) == NULL)
		return 0;
	while (audio_dec_read(d, buf, 4096) > 0)
		;
	audio_dec_close(d);
	return 0;
}
