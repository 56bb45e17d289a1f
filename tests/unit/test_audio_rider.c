/* rider: a stream of unknown loudness is held near the target, slowly, and pauses do not pump it. */
#include <ebur128.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "audio/rider.h"
#include "tests/unit/tap.h"

#define RATE	48000
#define CH	2
#define TARGET	(-16.0)

static unsigned int seed = 1507;

static float
rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
}

/* speech-like: noise in syllables (about 4 a second) with a pause every 3 s, at amplitude a */
static void
speech(float *x, size_t n, size_t t0, double a)
{
	for (size_t i = 0; i < n; i++) {
		size_t t = t0 + i;
		double env = 0.5 - 0.5 * cos(2 * M_PI * 4.0 * (double)t / RATE);
		if ((t / (RATE / 2)) % 6 == 5)
			env = 0.0;	/* half a second of pause every three */
		for (int c = 0; c < CH; c++)
			x[i * CH + c] = (float)(a * env * rnd());
	}
}

/* the integrated loudness of n frames (the independent meter) */
static double
lufs(const float *x, size_t n)
{
	ebur128_state *st = ebur128_init(CH, RATE, EBUR128_MODE_I);
	double l = -HUGE_VAL;

	ebur128_add_frames_float(st, x, n);
	ebur128_loudness_global(st, &l);
	ebur128_destroy(&st);
	return l;
}

/* runs `secs` of speech at amplitude a through r in 10 ms chunks; returns the output's loudness over its last `tail` s */
static double
ride(struct audio_rider *r, double a, int secs, int tail, size_t *t, double *max_slew)
{
	size_t n = (size_t)secs * RATE, chunk = RATE / 100;
	float *x = malloc(n * CH * sizeof(float));
	double l, prev = audio_rider_gain_db(r);

	for (size_t off = 0; off < n; off += chunk) {
		speech(x + off * CH, chunk, *t + off, a);
		audio_rider_run(r, x + off * CH, chunk);
		if ((off / chunk) % 100 == 99) {	/* each second */
			double g = audio_rider_gain_db(r);
			if (max_slew && fabs(g - prev) > *max_slew)
				*max_slew = fabs(g - prev);
			prev = g;
		}
	}
	*t += n;
	l = lufs(x + (n - (size_t)tail * RATE) * CH, (size_t)tail * RATE);
	free(x);
	return l;
}

static void
quiet_and_loud_streams_settle_within_2_lu(void)
{
	/* from about -33 to -8 LUFS: each within the rider's +-20 dB of the target */
	const double amps[] = { 0.03, 0.1, 0.3, 0.9 };

	for (size_t i = 0; i < sizeof(amps) / sizeof(amps[0]); i++) {
		struct audio_rider *r = audio_rider_new(RATE, CH, TARGET, 0.0);
		size_t t = 0;
		double l;

		EXPECT(r != NULL);
		if (r == NULL)
			return;
		l = ride(r, amps[i], 40, 15, &t, NULL);
		if (getenv("V"))
			printf("# amplitude %.2f: in %.1f LUFS, out %.1f LUFS\n", amps[i], audio_rider_loudness(r), l);
		if (fabs(l - TARGET) > 2.0)
			tap_fail(__FILE__, __LINE__, "amplitude %.2f: %.1f LUFS after 40 s, want %.1f +- 2", amps[i], l, TARGET);
		audio_rider_free(r);
	}
}

static void
a_step_in_level_is_followed_slowly(void)
{
	struct audio_rider *r = audio_rider_new(RATE, CH, TARGET, 0.0);
	size_t t = 0;
	double slew = 0.0, l;

	EXPECT(r != NULL);
	if (r == NULL)
		return;
	ride(r, 0.02, 40, 10, &t, NULL);
	l = ride(r, 0.6, 40, 15, &t, &slew);	/* +30 dB at once */
	if (fabs(l - TARGET) > 2.0)
		tap_fail(__FILE__, __LINE__, "after a step up: %.1f LUFS, want %.1f +- 2", l, TARGET);
	/* never faster than the attack: the gain moves at most ATTACK dB in a second (plus one reading) */
	if (slew > AUDIO_RIDER_ATTACK_DB_S + 0.31 || slew < 1.0)
		tap_fail(__FILE__, __LINE__, "the gain moved %.2f dB in one second (attack %.1f dB/s)", slew, AUDIO_RIDER_ATTACK_DB_S);
	audio_rider_free(r);
}

static void
silence_holds_the_gain(void)
{
	struct audio_rider *r = audio_rider_new(RATE, CH, TARGET, 0.0);
	size_t t = 0, n = 20 * RATE;
	float *z = calloc(n * CH, sizeof(float));
	double before;

	EXPECT(r != NULL && z != NULL);
	if (r == NULL || z == NULL)
		return;
	ride(r, 0.05, 40, 10, &t, NULL);
	before = audio_rider_gain_db(r);
	EXPECT(before > 3.0);	/* a quiet stream was brought up */
	for (size_t off = 0; off < n; off += RATE / 100)
		audio_rider_run(r, z + off * CH, RATE / 100);
	/* the 400 ms window takes a reading or three to fall: half a dB at most */
	if (fabs(audio_rider_gain_db(r) - before) > 0.5)
		tap_fail(__FILE__, __LINE__, "20 s of silence moved the gain from %.2f to %.2f dB", before, audio_rider_gain_db(r));
	for (size_t i = 0; i < n * CH; i++)
		if (z[i] != 0.0f) {
			tap_fail(__FILE__, __LINE__, "silence came out as sound at sample %zu", i);
			break;
		}
	free(z);
	audio_rider_free(r);
}

static void
the_gain_stays_within_its_bounds(void)
{
	struct audio_rider *r = audio_rider_new(RATE, CH, TARGET, 50.0);
	size_t t = 0;

	EXPECT(r != NULL);
	if (r == NULL)
		return;
	EXPECT(audio_rider_gain_db(r) <= AUDIO_RIDER_MAX_DB);
	ride(r, 0.0005, 60, 10, &t, NULL);	/* -70 dB-ish hiss: below the gate, never blown up */
	EXPECT(audio_rider_gain_db(r) <= AUDIO_RIDER_MAX_DB);
	audio_rider_free(r);
	EXPECT(audio_rider_new(0, CH, TARGET, 0.0) == NULL);
}

int
main(void)
{
	tap_plan(4);
	TEST(quiet_and_loud_streams_settle_within_2_lu);
	TEST(a_step_in_level_is_followed_slowly);
	TEST(silence_holds_the_gain);
	TEST(the_gain_stays_within_its_bounds);
	return tap_done();
}
