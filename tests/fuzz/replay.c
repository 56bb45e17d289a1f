/*
 * replay: runs a fuzz target over files without libFuzzer, so that `make
 * check` (and `make SANITIZE=1 check`) replays the whole corpus with gcc.
 * Prints one "ok - replay TARGET (N inputs)" line; a crash fails the run,
 * and so does an input that cannot be read or a corpus with no input (an
 * empty corpus replays nothing: it must not pass).
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

		if (fp == NULL) {
			printf("not ok - replay %s: cannot read %s\n", argv[1], argv[i]);
			return 1;
		}
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
	if (n == 0) {
		printf("not ok - replay %s: the corpus has no input (tests/fuzz/corpus/%s)\n", argv[1], argv[1]);
		return 1;
	}
	printf("ok - replay %s corpus (%d inputs)\n", argv[1], n);
	return 0;
}
