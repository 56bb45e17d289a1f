/* shared by the WAV and MP3 fuzz targets: the input as a file the decoder opens by path */
#include <stdio.h>
#include <unistd.h>

static const char *
fuzz_file(const uint8_t *data, size_t size, const char *ext)
{
	static char path[96];
	FILE *fp;

	snprintf(path, sizeof(path), "/tmp/loaxa-fuzz-%d.%s", (int)getpid(), ext);
	if ((fp = fopen(path, "w")) == NULL)
		return NULL;
	fwrite(data, 1, size, fp);
	fclose(fp);
	return path;
}
