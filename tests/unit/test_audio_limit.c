/* limit: nothing above the ceiling, exact gain where nothing is near it, nothing lost or moved. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/limit.h"
#include "tests/unit/tap.h"

#define N 48000

static unsigned int seed = 4080;

static float
rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
}

/* speech-like: quiet noise with sharp bursts and lone spikes */
static void
peaky(float *x, int n, int ch)
{
	for (int i = 0; i < n; i++)
		for (int c = 0; c < ch; c++) {
			float v = 0.05f * rnd();
			if ((i / 2000) % 3 == 0)
				v *= 8.0f;
			if (i % 4409 == 0)
				v = c == 0 ? 0.95f : -0.9f;
			x[i * ch + c] = v;
		}
}

/* runs x through l in chunks of `chunk`; returns frames out */
static size_t
run(struct audio_limit *l, const float *x, size_t n, int ch, size_t chunk, float *y)
{
	size_t got = 0;

	for (size_t off = 0; off < n; off += chunk) {
		size_t k = n - off < chunk ? n - off : chunk;
		got += audio_limit_run(l, x + off * (size_t)ch, k, y + got * (size_t)ch);
	}
	got += audio_limit_flush(l, y + got * (size_t)ch);
	return got;
}

static void
no_sample_exceeds_the_ceiling_at_any_gain(void)
{
	static float x[N * 2], y[N * 2 + 4096];
	const double ceil = pow(10, -1.0 / 20);

	peaky(x, N, 2);
	for (double db = 0; db <= 24; db += 6) {
		struct audio_limit *l = audio_limit_new(44100, 2, ceil);
		float worst = 0;

		audio_limit_set_gain(l, pow(10, db / 20));
		EXPECT_INT(run(l, x, N, 2, 1000, y), N);
		for (int i = 0; i < N * 2; i++)
			worst = fabsf(y[i]) > worst ? fabsf(y[i]) : worst;
		if (worst > ceil + 1e-6)
			tap_fail(__FILE__, __LINE__, "gain %+.0f dB: peak %.6f above the ceiling %.6f", db, worst, ceil);
		if (db >= 12)
			EXPECT(audio_limit_min_gain(l) < 0.5);
		audio_limit_free(l);
	}
}

static void
below_the_ceiling_output_is_exactly_the_gain(void)
{
	static float x[N], y[N + 4096];
	struct audio_limit *l = audio_limit_new(22050, 1, 0.9);
	int bad = 0;

	for (int i = 0; i < N; i++)
		x[i] = 0.1f * rnd();
	audio_limit_set_gain(l, 4.0);
	EXPECT_INT(run(l, x, N, 1, 333, y), N);
	for (int i = 0; i < N; i++)
		bad += y[i] != x[i] * 4.0f;
	EXPECT_INT(bad, 0);
	EXPECT(audio_limit_min_gain(l) == 1.0);
	audio_limit_free(l);
}

static void
chunking_does_not_change_the_output(void)
{
	static float x[N], a[N + 4096], b[N + 4096];
	struct audio_limit *l = audio_limit_new(48000, 1, 0.5);
	size_t sizes[] = { 1, 7, 32, 33, 4096 };

	peaky(x, N, 1);
	audio_limit_set_gain(l, 2.0);
	EXPECT_INT(run(l, x, N, 1, N, a), N);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		audio_limit_reset(l);
		EXPECT_INT(run(l, x, N, 1, sizes[s], b), N);
		if (memcmp(a, b, sizeof(float) * N) != 0)
			tap_fail(__FILE__, __LINE__, "chunks of %zu frames differ", sizes[s]);
	}
	audio_limit_free(l);
}

static void
gain_comes_back_after_a_peak(void)
{
	static float x[N], y[N + 4096];
	struct audio_limit *l = audio_limit_new(48000, 1, 0.5);

	for (int i = 0; i < N; i++)
		x[i] = 0.1f;
	x[1000] = 1.0f;	/* one spike: 6 dB over at gain 1 */
	audio_limit_set_gain(l, 1.0);
	EXPECT_INT(run(l, x, N, 1, 512, y), N);
	EXPECT(fabsf(y[1000]) <= 0.5f + 1e-6f);
	EXPECT(y[1000 - 300] == 0.1f);		/* before the look-ahead: untouched */
	EXPECT(y[1000 + 24000] == 0.1f);	/* half a second later: fully back (40 dB/s) */
	EXPECT(y[1000 + 10] < 0.1f);		/* just after: still held down */
	audio_limit_free(l);
}

/*
 * The envelope straight from the formula in limit.c (every term of every
 * boundary, with the whole signal known), in the same float operations:
 * the limiter's output must be the same to the bit. Guards its short cuts.
 */
static void
reference(const float *x, size_t n, int ch, long rate, float ceiling, float g, float *y)
{
	enum { B = AUDIO_LIMIT_BLOCK };
	size_t nblk = (n + B - 1) / B;
	int A = (int)((rate * AUDIO_LIMIT_LOOKAHEAD_US / 1000000 + B - 1) / B);
	float release = (float)exp2(AUDIO_LIMIT_RELEASE_DB_S * 0.16609640474436813 * B / (double)rate);
	float *q = malloc(sizeof(float) * nblk), *b = malloc(sizeof(float) * (nblk + 1));

	A = A < 1 ? 1 : A;
	for (size_t k = 0; k < nblk; k++) {
		float pk = 0;
		for (size_t i = k * B * (size_t)ch; i < (k + 1) * B * (size_t)ch && i < n * (size_t)ch; i++)
			pk = fabsf(x[i] * g) > pk ? fabsf(x[i] * g) : pk;
		q[k] = pk > ceiling ? ceiling / pk : 1.0f;
	}
#define Q(k) ((k) < 0 || (k) >= (long)nblk ? 1.0f : q[k])
	for (long i = 0; i <= (long)nblk; i++) {
		float c = Q(i - 1) < Q(i) ? Q(i - 1) : Q(i);
		for (int j = 1; j <= A; j++)
			if (Q(i + j) < 1.0f && Q(i + j) + (1.0f - Q(i + j)) * (float)j / (float)(A + 1) < c)
				c = Q(i + j) + (1.0f - Q(i + j)) * (float)j / (float)(A + 1);
		if (i > 0 && b[i - 1] * release < c)
			c = b[i - 1] * release;
		b[i] = c > 1.0f ? 1.0f : c;
	}
#undef Q
	for (size_t k = 0; k < nblk; k++) {
		size_t len = n - k * B < B ? n - k * B : B;
		float step = (b[k + 1] - b[k]) / (float)len;
		for (size_t i = 0; i < len; i++)
			for (int c = 0; c < ch; c++) {
				size_t s = (k * B + i) * (size_t)ch + (size_t)c;
				y[s] = b[k] == 1.0f && b[k + 1] == 1.0f ? x[s] * g : x[s] * g * (b[k] + step * (float)i);
			}
	}
	free(q);
	free(b);
}

static void
output_is_the_formula_to_the_bit(void)
{
	static float x[N * 2], y[N * 2 + 4096], r[N * 2];

	for (int ch = 1; ch <= 2; ch++)
		for (double db = 0; db <= 18; db += 9) {
			struct audio_limit *l = audio_limit_new(44100, ch, 0.891);
			size_t n = N - 5;	/* a short last block */

			peaky(x, N, ch);
			audio_limit_set_gain(l, pow(10, db / 20));
			EXPECT_INT(run(l, x, n, ch, 1000, y), n);
			reference(x, n, ch, 44100, 0.891f, (float)pow(10, db / 20), r);
			if (memcmp(y, r, sizeof(float) * n * (size_t)ch) != 0)
				tap_fail(__FILE__, __LINE__, "%d ch, gain %+.0f dB: not the formula's output", ch, db);
			audio_limit_free(l);
		}
}

static void
channels_are_limited_together(void)
{
	static float x[4000 * 2], y[4000 * 2 + 4096];
	struct audio_limit *l = audio_limit_new(44100, 2, 0.5);

	for (int i = 0; i < 4000; i++) {
		x[2 * i] = 0.2f;
		x[2 * i + 1] = 0.2f;
	}
	x[2 * 2000] = 1.0f;	/* a peak on the left only */
	audio_limit_set_gain(l, 1.0);
	EXPECT_INT(run(l, x, 4000, 2, 100, y), 4000);
	EXPECT(y[2 * 2000] <= 0.5f + 1e-6f);
	EXPECT(y[2 * 2000 + 1] < 0.2f);	/* the right dips with it: no image shift */
	audio_limit_free(l);
}

int
main(void)
{
	tap_plan(6);
	TEST(no_sample_exceeds_the_ceiling_at_any_gain);
	TEST(below_the_ceiling_output_is_exactly_the_gain);
	TEST(chunking_does_not_change_the_output);
	TEST(gain_comes_back_after_a_peak);
	TEST(channels_are_limited_together);
	TEST(output_is_the_formula_to_the_bit);
	return tap_done();
}
