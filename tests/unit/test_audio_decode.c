/* decode: every form bulletins arrive in, found by content; every bad file refused by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/decode.h"
#include "tests/unit/audio_fx.h"
#include "tests/unit/tap.h"

/* decodes the whole file; frames, or -1 with the message in err */
static long long
decode_all(const char *path, long *rate, int *ch, char *err, size_t errlen)
{
	static float buf[4096 * 2];
	struct audio_dec *d;
	long long total = 0;
	long n;

	err[0] = '\0';
	if ((d = audio_dec_open(path, err, errlen)) == NULL)
		return -1;
	*rate = audio_dec_rate(d);
	*ch = audio_dec_channels(d);
	while ((n = audio_dec_read(d, buf, 4096)) > 0) {
		for (long i = 0; i < n * *ch; i++)
			if (buf[i] > 1.5f || buf[i] < -1.5f)
				return -2;
		total += n;
	}
	if (n < 0) {
		snprintf(err, errlen, "%s", audio_dec_error(d));
		total = -1;
	}
	audio_dec_close(d);
	return total;
}

static void
every_bulletin_form_decodes_to_its_full_length(void)
{
	/* the speech is 428272 frames at 22.05 kHz; lame's gapless header keeps it exact */
	static const struct { const char *file; long rate; int ch; long long frames; } t[] = {
		{ "cbr128-44k-stereo.mp3", 44100, 2, 856544 },
		{ "vbr-44k-mono.mp3", 44100, 1, 856544 },
		{ "cbr64-22k-mono.mp3", 22050, 1, 428272 },
		{ "cbr24-8k-mono.mp3", 8000, 1, 155382 },
		{ "cbr160-48k-stereo.mp3", 48000, 2, 932293 },
		{ "id3-44k-stereo.mp3", 44100, 2, 856544 },
		{ "wav-22k-mono.wav", 22050, 1, 428272 },
		{ "wav-44k-mono.wav", 44100, 1, 856544 },
		{ "chime.mp3", 44100, 1, 52920 },
	};
	char err[512];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		long rate = 0;
		int ch = 0;
		long long n = decode_all(fx(t[i].file), &rate, &ch, err, sizeof(err));

		if (n != t[i].frames)
			tap_fail(__FILE__, __LINE__, "%s: %lld frames, expected %lld (%s)", t[i].file, n, t[i].frames, err);
		EXPECT_INT(rate, t[i].rate);
		EXPECT_INT(ch, t[i].ch);
	}
}

/* all the samples of path, read `per` frames at a time, into a malloc'd buffer; their count */
static long long
decode_in(const char *path, size_t per, float **out)
{
	char err[512];
	struct audio_dec *d = audio_dec_open(path, err, sizeof(err));
	size_t cap = 1 << 20, used = 0;
	float *all = malloc(sizeof(float) * cap), *buf = malloc(sizeof(float) * per * 2 + 4);
	long n;

	if (d == NULL)
		return -1;
	/* a float's worth off the allocation's alignment: libmpg123 decodes into it */
	buf = (float *)(void *)((char *)buf + 4);
	while ((n = audio_dec_read(d, buf, per)) > 0) {
		size_t ns = (size_t)n * (size_t)audio_dec_channels(d);
		if (used + ns > cap)
			all = realloc(all, sizeof(float) * (cap *= 2));
		memcpy(all + used, buf, sizeof(float) * ns);
		used += ns;
	}
	free((char *)buf - 4);
	*out = all;
	n = n < 0 ? -1 : (long)(used / (size_t)audio_dec_channels(d));
	audio_dec_close(d);
	return n;
}

/* MP3 frames are decoded in place: a read with room for less than a frame, or not a whole number of them, loses nothing */
static void
reads_of_any_size_give_the_same_samples(void)
{
	static const char *files[] = { "cbr128-44k-stereo.mp3", "cbr24-8k-mono.mp3", "id3-44k-stereo.mp3" };
	static const size_t sizes[] = { 1, 100, 575, 1152, 1153, 2304, 3000 };

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		float *a, *b;
		long long na = decode_in(fx(files[f]), 4096, &a);

		EXPECT(na > 0);
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			long long nb = decode_in(fx(files[f]), sizes[s], &b);
			if (nb != na || memcmp(a, b, sizeof(float) * (size_t)na * (strstr(files[f], "mono") ? 1 : 2)) != 0)
				tap_fail(__FILE__, __LINE__, "%s in reads of %zu frames: %lld frames, not the same as %lld",
				    files[f], sizes[s], nb, na);
			free(b);
		}
		free(a);
	}
}

static void
mp3_without_lame_header_decodes(void)
{
	char err[512];
	long rate;
	int ch;
	long long n = decode_all(fx("cbr128-44k-stereo-notag.mp3"), &rate, &ch, err, sizeof(err));

	/* no gapless information: the encoder's padding stays, a frame or two more */
	EXPECT(n >= 856544 && n <= 856544 + 3 * 1152);
	EXPECT_INT(rate, 44100);
}

static void
format_is_found_by_content_not_by_name(void)
{
	char mp3_as_wav[4096], wav_as_mp3[4096], cmd[9000], err[512];
	struct audio_dec *d;

	snprintf(mp3_as_wav, sizeof(mp3_as_wav), "%s", scratch("really-an-mp3.wav"));
	snprintf(wav_as_mp3, sizeof(wav_as_mp3), "%s", scratch("really-a-wav.mp3"));
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", fx("vbr-44k-mono.mp3"), mp3_as_wav);
	EXPECT_INT(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", fx("wav-22k-mono.wav"), wav_as_mp3);
	EXPECT_INT(system(cmd), 0);
	d = audio_dec_open(mp3_as_wav, err, sizeof(err));
	EXPECT(d != NULL);
	if (d) {
		EXPECT_INT(audio_dec_kind(d), AUDIO_DEC_MP3);
		audio_dec_close(d);
	}
	d = audio_dec_open(wav_as_mp3, err, sizeof(err));
	EXPECT(d != NULL);
	if (d) {
		EXPECT_INT(audio_dec_kind(d), AUDIO_DEC_WAV);
		EXPECT_INT(audio_dec_rate(d), 22050);
		audio_dec_close(d);
	}
	unlink(mp3_as_wav);
	unlink(wav_as_mp3);
}

static void
bad_files_are_refused_naming_the_file_and_what_to_do(void)
{
	static const struct { const char *file, *says, *todo; } t[] = {
		{ "empty.mp3", "empty", "copy it again" },
		{ "text.mp3", "not an MP3 or WAV file (text?)", "convert it to MP3" },
		{ "phone.m4a", "a phone or web recording", "load it from a USB stick" },
		{ "adts.aac", "a phone or web recording", "load it from a USB stick" },
		{ "adts-renamed.mp3", "a phone or web recording", "load it from a USB stick" },
		{ "huge-id3.mp3", "ID3 tag claims", "convert it to MP3" },
		{ "freeformat.mp3", "free-format", "convert it to an MP3" },
		{ "huge-header.wav", "WAV", "convert it to MP3" },
		{ "garbage.wav", "WAV", "convert it to MP3" },
		{ "truncated.wav", "truncated", "copy it again" },
		{ "endless.mp3", "minutes long", "split it" },
	};
	char err[512];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *path = fx(t[i].file);
		struct audio_dec *d = audio_dec_open(path, err, sizeof(err));

		if (d != NULL) {
			tap_fail(__FILE__, __LINE__, "%s: opened", t[i].file);
			audio_dec_close(d);
			continue;
		}
		if (strncmp(err, path, strlen(path)) != 0 || strstr(err, t[i].says) == NULL ||
		    strstr(err, t[i].todo) == NULL)
			tap_fail(__FILE__, __LINE__, "%s: message \"%s\"", t[i].file, err);
	}
	EXPECT(audio_dec_open("/nonexistent/bulletin.mp3", err, sizeof(err)) == NULL);
	EXPECT(strstr(err, "/nonexistent/bulletin.mp3: cannot open") != NULL);
}

static void
truncated_mp3_is_an_error_not_an_early_end(void)
{
	char err[512];
	long rate;
	int ch;

	EXPECT_INT(decode_all(fx("truncated.mp3"), &rate, &ch, err, sizeof(err)), -1);
	EXPECT(strstr(err, "truncated.mp3: the MP3 ends early") != NULL);
	EXPECT(strstr(err, "copy it again") != NULL);
}

static void
damaged_frames_part_way_are_an_error(void)
{
	char err[512];
	long rate;
	int ch;

	EXPECT_INT(decode_all(fx("corrupt.mp3"), &rate, &ch, err, sizeof(err)), -1);
	EXPECT(strstr(err, "corrupt.mp3: damaged MP3 data after") != NULL);
}

static void
sniffer_leaves_the_file_offset_alone(void)
{
	enum audio_dec_kind k;
	char err[512];
	FILE *fp = fopen(fx("wav-22k-mono.wav"), "rb");

	EXPECT(fp != NULL);
	if (fp == NULL)
		return;
	EXPECT_INT(audio_dec_sniff(fileno(fp), "x.wav", &k, err, sizeof(err)), 0);
	EXPECT_INT(k, AUDIO_DEC_WAV);
	EXPECT_INT(ftell(fp), 0);
	fclose(fp);
}

int
main(void)
{
	tap_plan(8);
	TEST(every_bulletin_form_decodes_to_its_full_length);
	TEST(mp3_without_lame_header_decodes);
	TEST(format_is_found_by_content_not_by_name);
	TEST(bad_files_are_refused_naming_the_file_and_what_to_do);
	TEST(reads_of_any_size_give_the_same_samples);
	TEST(truncated_mp3_is_an_error_not_an_early_end);
	TEST(damaged_frames_part_way_are_an_error);
	TEST(sniffer_leaves_the_file_offset_alone);
	return tap_done();
}
