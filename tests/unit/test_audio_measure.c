/* measure: loudness and true peak against the standard's own reference signal; refusals. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/measure.h"
#include "tests/unit/audio_fx.h"
#include "tests/unit/tap.h"

/* a 997 Hz sine at dbfs, seconds long, in a float WAV */
static const char *
sine(const char *name, double dbfs, int rate, int ch, double seconds)
{
	static char path[4096];
	SF_INFO si = { .samplerate = rate, .channels = ch, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
	SNDFILE *sf;
	long n = (long)(rate * seconds);
	float *buf = malloc(sizeof(float) * (size_t)(n * ch));
	double a = pow(10.0, dbfs / 20.0);

	snprintf(path, sizeof(path), "%s", scratch(name));
	for (long i = 0; i < n; i++)
		for (int c = 0; c < ch; c++)
			buf[i * ch + c] = (float)(a * sin(2 * M_PI * 997.0 * (double)i / rate));
	sf = sf_open(path, SFM_WRITE, &si);
	sf_writef_float(sf, buf, n);
	sf_close(sf);
	free(buf);
	return path;
}

static void
reference_sine_measures_as_the_standard_says(void)
{
	struct audio_measure m;
	char err[512];

	/* BS.1770: 0 dBFS at 1 kHz in both channels reads 0 LUFS; mono counts as both */
	EXPECT_INT(audio_measure(sine("sine-mono.wav", -20, 48000, 1, 5), &m, err, sizeof(err)), 0);
	EXPECT(fabs(m.loudness_lufs - -20.0) < 0.1);
	EXPECT(fabs(m.true_peak_db - -20.0) < 0.1);
	EXPECT_INT(m.duration_ms, 5000);
	EXPECT_INT(m.rate, 48000);
	EXPECT_INT(m.channels, 1);
	EXPECT_INT(audio_measure(sine("sine-stereo.wav", -20, 44100, 2, 5), &m, err, sizeof(err)), 0);
	EXPECT(fabs(m.loudness_lufs - -20.0) < 0.1);
	EXPECT_INT(audio_measure(sine("sine-quiet.wav", -40, 22050, 1, 3), &m, err, sizeof(err)), 0);
	EXPECT(fabs(m.loudness_lufs - -40.0) < 0.1);
}

static void
mp3_and_its_source_wav_measure_alike(void)
{
	struct audio_measure w, m;
	char err[512];

	EXPECT_INT(audio_measure(fx("speech.wav"), &w, err, sizeof(err)), 0);
	EXPECT_INT(audio_measure(fx("cbr64-22k-mono.mp3"), &m, err, sizeof(err)), 0);
	/* lame's low-pass takes away highs that K-weighting counts: a few tenths */
	EXPECT(fabs(w.loudness_lufs - m.loudness_lufs) < 0.7);
	EXPECT_INT(w.duration_ms, 19423);	/* 428272 frames at 22050 Hz */
	EXPECT_INT(m.duration_ms, 19423);
	/* the stereo copy at a quarter of the level: 12 dB lower, the same length */
	EXPECT_INT(audio_measure(fx("cbr128-44k-stereo.mp3"), &m, err, sizeof(err)), 0);
	EXPECT(fabs(w.loudness_lufs - 12.04 - m.loudness_lufs) < 0.7);
	EXPECT_INT(m.duration_ms, 19423);
}

static void
silent_file_is_an_error(void)
{
	struct audio_measure m;
	char err[512];

	EXPECT_INT(audio_measure(fx("silence.wav"), &m, err, sizeof(err)), -1);
	EXPECT(strstr(err, "silence.wav: is silent") != NULL);
	EXPECT_INT(audio_measure(fx("silence.mp3"), &m, err, sizeof(err)), -1);
	EXPECT(strstr(err, "is silent") != NULL);
}

static void
damaged_or_truncated_file_is_refused_not_measured_short(void)
{
	struct audio_measure m;
	char err[512];

	EXPECT_INT(audio_measure(fx("truncated.mp3"), &m, err, sizeof(err)), -1);
	EXPECT(strstr(err, "truncated") != NULL);
	EXPECT_INT(audio_measure(fx("corrupt.mp3"), &m, err, sizeof(err)), -1);
	EXPECT(strstr(err, "damaged") != NULL);
	EXPECT_INT(audio_measure(fx("phone.m4a"), &m, err, sizeof(err)), -1);
	EXPECT(strstr(err, "phone.m4a: a phone or web recording") != NULL);
}

int
main(void)
{
	tap_plan(4);
	TEST(reference_sine_measures_as_the_standard_says);
	TEST(mp3_and_its_source_wav_measure_alike);
	TEST(silent_file_is_an_error);
	TEST(damaged_or_truncated_file_is_refused_not_measured_short);
	return tap_done();
}
