/* dsp: the vector and scalar paths give the same samples: rounding to nearest, clamping, peaks, ramps. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/dsp.h"
#include "tests/unit/tap.h"

#define N 1003	/* not a multiple of 8: the scalar tail runs too */

static float x[N];

static void
fill(void)
{
	unsigned int s = 17;

	for (int i = 0; i < N; i++) {
		s = s * 1103515245u + 12345u;
		x[i] = ((float)((s >> 8) & 0xffff) / 32768.0f - 1.0f) * 1.3f;	/* some past full scale */
	}
	x[3] = 1.0f;
	x[4] = -1.0f;
	x[5] = 0.5f / 32768.0f;		/* a tie: rounds to even (0) */
	x[6] = 1.5f / 32768.0f;		/* a tie: rounds to even (2) */
	x[N - 1] = 2.5f / 32768.0f;	/* a tie in the scalar tail: 2 */
	x[N - 2] = NAN;
}

static void
s16_rounds_to_nearest_even_and_clamps(void)
{
	static int16_t y[N];
	int bad = 0;

	fill();
	audio_dsp_to_s16(y, x, N);
	for (int i = 0; i < N; i++) {
		long want;

		if (isnan(x[i]))
			want = -32768;
		else {
			float v = x[i] * 32768.0f;
			want = v >= 32767.0f ? 32767 : v <= -32768.0f ? -32768 : lrintf(v);
		}
		if (y[i] != want && bad++ < 5)
			tap_fail(__FILE__, __LINE__, "sample %d: %g -> %d, expected %ld", i, (double)x[i], y[i], want);
	}
	EXPECT_INT(y[3], 32767);
	EXPECT_INT(y[4], -32768);
	EXPECT_INT(y[5], 0);
	EXPECT_INT(y[6], 2);
	EXPECT_INT(y[N - 1], 2);
}

static void
scale_peak_returns_the_largest_magnitude(void)
{
	static float y[N];
	float want = 0, got;

	fill();
	x[N - 2] = 0;
	x[500] = -1.9f;
	for (int i = 0; i < N; i++)
		want = fabsf(x[i] * 0.5f) > want ? fabsf(x[i] * 0.5f) : want;
	got = audio_dsp_scale_peak(y, x, N, 0.5f);
	EXPECT(got == want);
	EXPECT(got == 0.95f);
	for (int i = 0; i < N; i++)
		if (y[i] != x[i] * 0.5f) {
			tap_fail(__FILE__, __LINE__, "sample %d", i);
			break;
		}
	/* in place */
	audio_dsp_scale(y, y, N, 2.0f);
	EXPECT(y[500] == -1.9f);
}

static void
ramp_is_g0_plus_step_times_frame(void)
{
	static float y[N];

	fill();
	x[N - 2] = 0;
	for (int ch = 1; ch <= 2; ch++) {
		size_t frames = N / (size_t)ch;
		int bad = 0;

		audio_dsp_ramp(y, x, frames, ch, 1.0f, -0.001f);
		for (size_t i = 0; i < frames; i++)
			for (int c = 0; c < ch; c++)
				bad += y[i * ch + c] != x[i * ch + c] * (1.0f + -0.001f * (float)i);
		CHECK(!bad, "%d channel(s): %d samples differ", ch, bad);
	}
}

static void
float_and_s32_are_clamped(void)
{
	static float f[N];
	static int32_t w[N];

	fill();
	audio_dsp_clamp(f, x, N);
	audio_dsp_to_s32(w, x, N);
	for (int i = 0; i < N; i++) {
		if (isnan(x[i]))
			continue;
		if (f[i] > 1.0f || f[i] < -1.0f || (fabsf(x[i]) <= 1.0f && f[i] != x[i])) {
			tap_fail(__FILE__, __LINE__, "float sample %d", i);
			break;
		}
	}
	EXPECT_INT(w[3], 2147483647);
	EXPECT_INT(w[4], -2147483647 - 1);
	EXPECT_INT(w[5], 32768);
}

int
main(void)
{
	tap_plan(4);
	TEST(s16_rounds_to_nearest_even_and_clamps);
	TEST(scale_peak_returns_the_largest_magnitude);
	TEST(ramp_is_g0_plus_step_times_frame);
	TEST(float_and_s32_are_clamped);
	return tap_done();
}
