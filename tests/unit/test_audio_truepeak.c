/*
 * truepeak: the same true peak as libebur128's own (EBUR128_MODE_TRUE_PEAK)
 * on the fixtures and on worst cases built against the skipping bound:
 * inter-sample peaks at 0.5 fs, full-scale alternation, clipped squares,
 * impulses, and for each phase of the interpolator the sample pattern that
 * drives it to its largest gain, put after a louder sample (so that only
 * the bound can oversample it: one short by a thousandth misses it) and across every stretch boundary (so that
 * the history the filter reads must count). Bit for bit on x86-64; within a
 * float rounding elsewhere (a build of libebur128 may fuse multiply-adds).
 */
#include <ebur128.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/decode.h"
#include "audio/truepeak.h"
#include "tests/unit/audio_fx.h"
#include "tests/unit/tap.h"

/* the largest true peak over the channels, libebur128's own */
static double
ref_peak(const float *x, size_t n, unsigned ch, unsigned long rate)
{
	ebur128_state *st = ebur128_init(ch, rate, EBUR128_MODE_TRUE_PEAK);
	double pk = 0, p;

	ebur128_add_frames_float(st, x, n);
	for (unsigned c = 0; c < ch; c++)
		if (ebur128_true_peak(st, c, &p) == EBUR128_SUCCESS && p > pk)
			pk = p;
	ebur128_destroy(&st);
	return pk;
}

/* ours, fed in pieces of chunk frames; *over: frames oversampled */
static double
our_peak(const float *x, size_t n, unsigned ch, unsigned long rate, size_t chunk, unsigned long long *over)
{
	struct audio_tp *tp = audio_tp_new(ch, rate);
	double pk = 0;

	for (size_t i = 0; i < n; i += chunk)
		audio_tp_add(tp, x + i * ch, n - i < chunk ? n - i : chunk);
	for (unsigned c = 0; c < ch; c++)
		if (audio_tp_peak(tp, c) > pk)
			pk = audio_tp_peak(tp, c);
	if (over)
		*over = audio_tp_oversampled(tp);
	audio_tp_free(tp);
	return pk;
}

static int
same(double ours, double ref)
{
#if defined(__x86_64__)
	return ours == ref;
#else
	return fabs(ours - ref) <= ref * 0x1p-22;
#endif
}

static int mismatches;

/* ours against libebur128's, in several chunkings; prints the first few misses */
static void
check(const char *what, const float *x, size_t n, unsigned ch, unsigned long rate)
{
	static const size_t chunks[] = { 4096, 7, AUDIO_TP_SPAN, AUDIO_TP_SPAN + 5 };
	double ref = ref_peak(x, n, ch, rate);

	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		double ours = our_peak(x, n, ch, rate, chunks[k], NULL);

		if (!same(ours, ref)) {
			if (mismatches++ < 5)
				tap_fail(__FILE__, __LINE__, "%s (%u ch, %lu Hz, chunks of %zu): %.9g, libebur128 %.9g",
				    what, ch, rate, chunks[k], ours, ref);
			return;
		}
	}
}

static void
fixtures_measure_as_libebur128_does(void)
{
	static const char *names[] = { "speech.wav", "wav-44k-mono.wav", "tone.wav", "chime.mp3",
		"cbr128-44k-stereo.mp3", "vbr-44k-mono.mp3", "cbr64-22k-mono.mp3", "cbr24-8k-mono.mp3",
		"cbr160-48k-stereo.mp3", "id3-44k-stereo.mp3" };
	char err[512];

	mismatches = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct audio_dec *d = audio_dec_open(fx(names[i]), err, sizeof(err));
		size_t cap = 1 << 16, n = 0;
		float *x;
		int ch;
		long r;

		EXPECT(d != NULL);
		if (d == NULL)
			continue;
		ch = audio_dec_channels(d);
		x = malloc(sizeof(float) * cap * (size_t)ch);
		for (;;) {
			if (n + 4096 > cap)
				x = realloc(x, sizeof(float) * (cap *= 2) * (size_t)ch);
			if ((r = audio_dec_read(d, x + n * (size_t)ch, 4096)) <= 0)
				break;
			n += (size_t)r;
		}
		EXPECT(r == 0 && n > 10000);
		check(names[i], x, n, (unsigned)ch, (unsigned long)audio_dec_rate(d));
		/* and at the other rates the interpolator changes at (2x, none) */
		check(names[i], x, n, (unsigned)ch, 96000);
		check(names[i], x, n, (unsigned)ch, 192000);
		audio_dec_close(d);
		free(x);
	}
}

/* interp_create()'s coefficients, as the test's own copy: phase f, tap k back */
static double
coeff(unsigned factor, unsigned f, unsigned k)
{
	unsigned j = k * factor + f;
	double m = (double)j - 24.0, c = 1.0;

	if (j > 48)
		return 0;
	if (fabs(m) > 0.000001)
		c = sin(m * M_PI / factor) / (m * M_PI / factor);
	return c * 0.5 * (1 - cos(2 * M_PI * j / 48));
}

static void
synthetic_worst_cases_measure_as_libebur128_does(void)
{
	static const unsigned long rates[] = { 44100, 48000, 96000, 192000 };
	size_t n = 20000;
	float *x = malloc(sizeof(float) * n * 6);
	char what[128];

	mismatches = 0;
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		unsigned long rate = rates[r];

		/* a sine at 0.5 fs, every phase: samples at a*cos(phi), the peak between */
		for (int ph = 0; ph < 16; ph++) {
			double phi = ph * M_PI / 32;

			for (size_t i = 0; i < n; i++)
				x[i] = (float)(0.9 * cos(M_PI * (double)i + phi));
			snprintf(what, sizeof(what), "0.5 fs sine, phase %d/32 pi", ph);
			check(what, x, n, 1, rate);
			/* the same after a quiet second: the first loud stretch decides */
			for (size_t i = 0; i < n / 2; i++)
				x[i] = (float)(0.01 * sin(0.1 * (double)i));
			check(what, x, n, 1, rate);
		}
		/* a sine just under 0.5 fs (beats), and at 0.25 fs with phase offsets */
		for (int ph = 0; ph < 8; ph++) {
			for (size_t i = 0; i < n; i++)
				x[i] = (float)(0.7 * sin(M_PI * 0.999 * (double)i + ph * 0.4));
			check("sine just under 0.5 fs", x, n, 1, rate);
			for (size_t i = 0; i < n; i++)
				x[i] = (float)(0.7 * sin(M_PI * 0.5 * (double)i + ph * M_PI / 16));
			check("sine at 0.25 fs", x, n, 1, rate);
		}
		/* full-scale alternation, and full scale alternating in pairs */
		for (size_t i = 0; i < n; i++)
			x[i] = i % 2 ? 1.0f : -1.0f;
		check("alternating +-1", x, n, 1, rate);
		for (size_t i = 0; i < n; i++)
			x[i] = (i / 2) % 2 ? 1.0f : -1.0f;
		check("alternating in pairs", x, n, 1, rate);
		/* clipped squares of several periods, some odd */
		for (size_t p = 3; p < 40; p += 5) {
			for (size_t i = 0; i < n; i++)
				x[i] = fmodf((float)i, (float)p) < (float)p / 2 ? 0.95f : -0.95f;
			check("clipped square", x, n, 1, rate);
		}
		/* impulses: one alone, then one after a louder one */
		memset(x, 0, sizeof(float) * n);
		x[5000] = 0.5f;
		check("one impulse", x, n, 1, rate);
		x[100] = 0.6f;
		check("an impulse after a louder one", x, n, 1, rate);
		/* a one-sample step at full scale and at the very end of the signal */
		memset(x, 0, sizeof(float) * n);
		x[n - 1] = -0.8f;
		check("an impulse at the very end", x, n, 1, rate);
		/* noise, six channels of it, of different levels */
		srand(7);
		for (size_t i = 0; i < n * 6; i++)
			x[i] = (float)((rand() / (double)RAND_MAX * 2 - 1) * (0.2 + 0.15 * (double)(i % 6)));
		check("noise, six channels", x, n, 6, rate);
	}
	EXPECT(mismatches == 0);
	free(x);
}

/*
 * The pattern that drives phase f to its gain sum |c|: each sample at the
 * sign of the tap that reads it. After a louder lone sample L (so that the
 * pattern's own samples never lift the sample peak: a bound of gain 1 would
 * skip it, and so would one short of the gain by a thousandth), ending at
 * every offset across a few stretch boundaries. Without its newest sample
 * (from = 1), the pattern's peak falls on the first frame of a stretch
 * whose own samples are all zero: only the history the filter reads can
 * tell that stretch from silence. Each must give libebur128's figure,
 * above L.
 */
static size_t	hits, tries;

static void
pattern(unsigned factor, unsigned f, unsigned from, double lv, size_t end, float *x, size_t n)
{
	unsigned long rate = factor == 4 ? 48000 : 96000;
	unsigned taps = factor == 4 ? 12 : 24;
	double ref, ours;

	memset(x, 0, sizeof(float) * n);
	x[0] = (float)lv;
	/* the peak output at frame end: x[end - k] = 0.5 * sign(c[f][k]) */
	for (unsigned k = from; k < taps; k++)
		x[end - k] = coeff(factor, f, k) < 0 ? -0.5f : 0.5f;
	ref = ref_peak(x, n, 1, rate);
	ours = our_peak(x, n, 1, rate, 4096, NULL);
	tries++;
	hits += ref > (float)lv;
	if (!same(ours, ref) && mismatches++ < 5)
		tap_fail(__FILE__, __LINE__, "%ux phase %u from tap %u, L %.4f, ending at %zu: %.9g, libebur128 %.9g",
		    factor, f, from, lv, end, ours, ref);
}

static void
worst_patterns_after_a_louder_sample_are_found(void)
{
	size_t n = 4 * AUDIO_TP_SPAN + 64;
	float *x = malloc(sizeof(float) * n);

	mismatches = 0;
	hits = tries = 0;
	for (unsigned factor = 4; factor >= 2; factor -= 2)
		for (unsigned f = 1; f < factor; f++)
			for (unsigned from = 0; from < 2; from++) {
				double g = 0;

				for (unsigned k = from; k < (factor == 4 ? 12u : 24u); k++)
					g += fabs(coeff(factor, f, k));
				/* L well under the pattern's peak 0.5 g, and just under it */
				for (size_t end = AUDIO_TP_SPAN - 16; end < 3 * AUDIO_TP_SPAN + 16; end++) {
					pattern(factor, f, from, 0.6, end, x, n);
					pattern(factor, f, from, 0.5 * g * 0.999, end, x, n);
				}
			}
	/* the patterns do rise above L (else this test proves nothing) */
	EXPECT(hits == tries);
	EXPECT(mismatches == 0);
	free(x);
}

/* the point of it all: speech after its loudest moment is mostly skipped */
static void
most_of_a_file_is_not_oversampled(void)
{
	char err[512];
	struct audio_dec *d = audio_dec_open(fx("cbr128-44k-stereo.mp3"), err, sizeof(err));
	struct audio_tp *tp;
	float buf[4096 * 2];
	unsigned long long frames = 0;
	long r;

	EXPECT(d != NULL);
	if (d == NULL)
		return;
	tp = audio_tp_new(2, 44100);
	while ((r = audio_dec_read(d, buf, 4096)) > 0) {
		audio_tp_add(tp, buf, (size_t)r);
		frames += 2 * (unsigned long long)r;
	}
	audio_dec_close(d);
	printf("# oversampled %llu of %llu frames\n", audio_tp_oversampled(tp), frames);
	EXPECT(audio_tp_oversampled(tp) > 0);
	EXPECT(audio_tp_oversampled(tp) * 4 < frames);
	audio_tp_free(tp);
}

int
main(void)
{
	tap_plan(4);
	TEST(fixtures_measure_as_libebur128_does);
	TEST(synthetic_worst_cases_measure_as_libebur128_does);
	TEST(worst_patterns_after_a_louder_sample_are_found);
	TEST(most_of_a_file_is_not_oversampled);
	return tap_done();
}
