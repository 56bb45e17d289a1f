/*
 * replay: runs a fuzz target over files without libFuzzer, so that `make
 * check` (and `make SANITIZE=1 check`) replays the whole corpus with gcc.
 * Prints one "ok - replay TARGET (N inputs)" line; a crash fails the run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int n = 0;

	for (int i = 2; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		uint8_t *buf;
		long len;

		if (fp == NULL)
			continue;
		fseek(fp, 0, SEEK_END);
		len = ftell(fp);
		rewind(fp);
		buf = malloc((size_t)len + 1);
		if (buf && fread(buf, 1, (size_t)len, fp) == (size_t)len) {
			LLVMFuzzerTestOneInput(buf, (size_t)len);
			n++;
		}
		free(buf);
		fclose(fp);
	}
	printf("ok - replay %s corpus (%d inputs)\n", argv[1], n);
	return 0;
}
