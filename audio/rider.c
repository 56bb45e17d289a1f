/* rider: follows a stream's short-term loudness with a slow gain (rider.h). */
#include <ebur128.h>
#include <math.h>
#include <stdlib.h>

#include "audio/rider.h"

/* the loudness is read, and the gain target moved, every STEP_MS of audio */
#define STEP_MS 100

struct audio_rider {
	ebur128_state	*st;
	long		 rate;
	int		 channels;
	double		 target;	/* LUFS */
	double		 gain_db;	/* where the gain is heading to by the end of this step */
	double		 applied;	/* linear gain at the last sample written */
	double		 loudness;
	size_t		 step;		/* frames per step */
	size_t		 fill;		/* frames fed since the last reading */
};

struct audio_rider *
audio_rider_new(long rate, int channels, double target_lufs, double start_gain_db)
{
	struct audio_rider *r;

	if (rate <= 0 || channels < 1 || (r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->st = ebur128_init((unsigned)channels, (unsigned long)rate, EBUR128_MODE_S);
	if (r->st == NULL) {
		free(r);
		return NULL;
	}
	if (channels == 1)
		ebur128_set_channel(r->st, 0, EBUR128_DUAL_MONO);
	r->rate = rate;
	r->channels = channels;
	r->target = target_lufs;
	r->gain_db = fmin(fmax(start_gain_db, AUDIO_RIDER_MIN_DB), AUDIO_RIDER_MAX_DB);
	r->applied = pow(10.0, r->gain_db / 20.0);
	r->loudness = -HUGE_VAL;
	r->step = (size_t)(rate * STEP_MS / 1000);
	return r;
}

/* one reading: moves gain_db towards target - loudness, by the step's slew at most */
static void
reading(struct audio_rider *r)
{
	double l, m, want, d;

	if (ebur128_loudness_shortterm(r->st, &l) != EBUR128_SUCCESS || !isfinite(l) || l < AUDIO_RIDER_GATE_LUFS) {
		r->loudness = -HUGE_VAL;
		return;		/* silence or too little yet: hold */
	}
	/*
	 * a pause: the last 400 ms are far below the 3 s window. Hold, or the
	 * window's falling loudness as speech leaves it would raise the gain
	 * for three seconds of silence each time someone stops to breathe.
	 */
	if (ebur128_loudness_momentary(r->st, &m) != EBUR128_SUCCESS || !isfinite(m) ||
	    m < l - AUDIO_RIDER_PAUSE_LU || m < AUDIO_RIDER_GATE_LUFS) {
		r->loudness = l;
		return;
	}
	r->loudness = l;
	want = fmin(fmax(r->target - l, AUDIO_RIDER_MIN_DB), AUDIO_RIDER_MAX_DB);
	d = want - r->gain_db;
	if (d < -AUDIO_RIDER_ATTACK_DB_S * STEP_MS / 1000.0)
		d = -AUDIO_RIDER_ATTACK_DB_S * STEP_MS / 1000.0;
	if (d > AUDIO_RIDER_RELEASE_DB_S * STEP_MS / 1000.0)
		d = AUDIO_RIDER_RELEASE_DB_S * STEP_MS / 1000.0;
	r->gain_db += d;
}

/* applies a ramp from r->applied to the gain of gain_db over n frames */
static void
apply(struct audio_rider *r, float *buf, size_t n)
{
	double to = pow(10.0, r->gain_db / 20.0), g = r->applied, dg;
	size_t ch = (size_t)r->channels;

	if (n == 0)
		return;
	dg = (to - g) / (double)n;
	for (size_t i = 0; i < n; i++) {
		g += dg;
		for (size_t c = 0; c < ch; c++)
			buf[i * ch + c] = (float)(buf[i * ch + c] * g);
	}
	r->applied = to;
}

void
audio_rider_run(struct audio_rider *r, float *buf, size_t n)
{
	size_t ch = (size_t)r->channels;

	while (n > 0) {
		size_t k = r->step - r->fill;

		if (k > n)
			k = n;
		/* measured before the gain: feed-forward */
		ebur128_add_frames_float(r->st, buf, k);
		apply(r, buf, k);
		r->fill += k;
		if (r->fill == r->step) {
			r->fill = 0;
			reading(r);
		}
		buf += k * ch;
		n -= k;
	}
}

double
audio_rider_gain_db(const struct audio_rider *r)
{
	return r->gain_db;
}

double
audio_rider_loudness(const struct audio_rider *r)
{
	return r->loudness;
}

void
audio_rider_free(struct audio_rider *r)
{
	if (r == NULL)
		return;
	ebur128_destroy(&r->st);
	free(r);
}
