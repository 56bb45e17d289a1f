/*
 * truepeak: see truepeak.h. libebur128 (1.2.x, ebur128.c: interp_create,
 * interp_process, ebur128_check_true_peak) finds the true peak by running
 * every sample through a 49-tap polyphase FIR interpolator (4x below
 * 96 kHz, 2x below 192 kHz, none above) and keeping the largest magnitude
 * out. That is 37 multiply-adds per sample per channel, five times the cost
 * of decoding an MP3: most of an ingest's time. Here the same interpolator
 * runs only where its output could exceed the largest magnitude found so
 * far (the running peak), which in speech is a few stretches in a hundred.
 *
 * The bound. Phase f of the filter makes each output from the newest input
 * samples: y_f[n] = sum_t c[f][t] * x[n - k[f][t]], every k <= K (K = 11 at
 * 4x, 23 at 2x). Let G = max over f of sum_t |c[f][t]| (1.864 at 4x, 2.307
 * at 2x) and M = max |x[j]| over n - K <= j <= n. Then, in exact arithmetic,
 * |y_f[n]| <= sum_t |c[f][t]| |x[n - k[f][t]]| <= G * M. libebur128 sums
 * the products in double (relative error at most 24 * 2^-53 < 2^-48 of
 * sum |c x|), rounds the sum to float (2^-24 more) and compares that; our
 * G, summed in double, is at most 2^-48 short of the true one. So every
 * output it computes satisfies |y| < G * M * (1 + 2^-23). gain below is
 * G * (1 + 2^-20), and the double product m * gain, rounded twice (2^-52),
 * is still above G * M * (1 + 2^-23) >= |y|. Hence for a stretch of frames
 * [s, e): with M the largest magnitude over [s - K, e) (the stretch and the
 * K samples of history before it, which the filter still reads), if
 * m * gain <= running peak, no output of the stretch can exceed the running
 * peak, and leaving the stretch out changes the final maximum by nothing:
 * the result equals the unskipped one exactly. The history buffer is kept
 * up to date for every stretch, skipped or not, so the next stretch filters
 * from the right samples. The bound only ever over-estimates (a stretch is
 * oversampled when it need not be), never the reverse.
 *
 * Where a stretch is oversampled, the arithmetic is libebur128's, in its
 * order: acc = 0.0, then acc += (double)x * c for each tap in the order
 * interp_create() stored them, then (float)acc, then its magnitude in
 * double. The loops run tap by tap over the whole stretch (which keeps each
 * output's order of additions and lets the compiler vectorize over
 * outputs). libebur128 also flushes float denormals to zero while
 * filtering; that changes only outputs below FLT_MIN, which can be the peak
 * only of a file that is silent anyway. A compiler that fuses the multiply
 * and the add (FMA, as on arm64) in one build and not in the other can move
 * a result by a float rounding; tests/unit/test_audio_truepeak.c allows that
 * off x86-64 only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/truepeak.h"

#define TAPS		49	/* libebur128's interp_create(49, factor, ...) */
#define MAX_FACTOR	4
#define MAX_DELAY	((TAPS + 2 - 1) / 2)	/* taps per phase at most (2x) */
#define ALMOST_ZERO	0.000001		/* libebur128's, for dropping zero taps */

struct phase {
	unsigned	count;
	unsigned	index[MAX_DELAY];	/* k: how many samples back */
	double		coeff[MAX_DELAY];
};

struct audio_tp {
	unsigned	 ch;
	unsigned	 factor;		/* 4, 2, or 0: the sample peak only */
	unsigned	 hist;			/* K: the deepest tap */
	double		 gain;			/* G * (1 + 2^-20), see above */
	struct phase	 ph[MAX_FACTOR];
	double		*peak;			/* per channel, the running peak */
	float		*x;			/* per channel: hist samples of history, then a span */
	unsigned long long over;
	double		 acc[AUDIO_TP_SPAN];
};

/*
 * interp_create()'s coefficients, computed as it does (the same expressions,
 * the same libm at run time: taps and factor are not constants here, so the
 * compiler cannot fold them into other roundings).
 */
static void
make_filter(struct audio_tp *tp, unsigned taps, unsigned factor)
{
	tp->factor = factor;
	for (unsigned j = 0; j < taps; j++) {
		double m = (double)j - (double)(taps - 1) / 2.0;
		double c = 1.0;

		if (fabs(m) > ALMOST_ZERO)
			c = sin(m * M_PI / factor) / (m * M_PI / factor);
		c *= 0.5 * (1 - cos(2 * M_PI * j / (taps - 1)));
		if (fabs(c) > ALMOST_ZERO) {
			struct phase *p = &tp->ph[j % factor];

			p->coeff[p->count] = c;
			p->index[p->count++] = j / factor;
			if (j / factor > tp->hist)
				tp->hist = j / factor;
		}
	}
	for (unsigned f = 0; f < factor; f++) {
		double g = 0;

		for (unsigned t = 0; t < tp->ph[f].count; t++)
			g += fabs(tp->ph[f].coeff[t]);
		if (g > tp->gain)
			tp->gain = g;
	}
	tp->gain *= 1 + 0x1p-20;
}

struct audio_tp *
audio_tp_new(unsigned channels, unsigned long rate)
{
	struct audio_tp *tp;

	if (channels == 0 || (tp = calloc(1, sizeof(*tp))) == NULL)
		return NULL;
	tp->ch = channels;
	/* libebur128's ebur128_init_resampler() */
	if (rate < 96000)
		make_filter(tp, TAPS, 4);
	else if (rate < 192000)
		make_filter(tp, TAPS, 2);
	if ((tp->peak = calloc(channels, sizeof(double))) == NULL ||
	    (tp->x = calloc((size_t)channels * (tp->hist + AUDIO_TP_SPAN), sizeof(float))) == NULL) {
		audio_tp_free(tp);
		return NULL;
	}
	return tp;
}

/* the largest magnitude out of the oversampled x[hist .. hist + len) */
static double
oversample(struct audio_tp *tp, const float *x, size_t len)
{
	double *acc = tp->acc, pk = 0;

	for (unsigned f = 0; f < tp->factor; f++) {
		const struct phase *p = &tp->ph[f];

		/* all AUDIO_TP_SPAN outputs (a constant count the compiler
		 * vectorizes); those past len are read from stale samples and
		 * left out below */
		for (size_t i = 0; i < AUDIO_TP_SPAN; i++)
			acc[i] = 0.0;
		for (unsigned t = 0; t < p->count; t++) {
			const float *s = x + tp->hist - p->index[t];
			double c = p->coeff[t];

			for (size_t i = 0; i < AUDIO_TP_SPAN; i++)
				acc[i] += (double)s[i] * c;
		}
		for (size_t i = 0; i < len; i++) {
			double v = fabs((double)(float)acc[i]);

			if (v > pk)
				pk = v;
		}
	}
	return pk;
}

void
audio_tp_add(struct audio_tp *tp, const float *frames, size_t n)
{
	size_t stride = tp->hist + AUDIO_TP_SPAN;

	while (n > 0) {
		size_t len = n < AUDIO_TP_SPAN ? n : AUDIO_TP_SPAN;

		for (unsigned c = 0; c < tp->ch; c++) {
			float *x = tp->x + c * stride, m = 0, h = 0;

			for (size_t i = 0; i < len; i++) {
				float a = frames[i * tp->ch + c];

				x[tp->hist + i] = a;
				a = fabsf(a);
				m = a > m ? a : m;
			}
			/* the sample peak counts as it is (ebur128_true_peak() is
			 * the larger of the two): the interpolator's outputs lag */
			if (m > tp->peak[c])
				tp->peak[c] = m;
			/* M: the stretch and the history its outputs read */
			for (size_t i = 0; i < tp->hist; i++) {
				float a = fabsf(x[i]);

				h = a > h ? a : h;
			}
			m = h > m ? h : m;
			if (tp->factor > 0 && (double)m * tp->gain > tp->peak[c]) {
				double v = oversample(tp, x, len);

				if (v > tp->peak[c])
					tp->peak[c] = v;
				tp->over += len;
			}
			memmove(x, x + len, tp->hist * sizeof(float));
		}
		frames += len * tp->ch;
		n -= len;
	}
}

double
audio_tp_peak(const struct audio_tp *tp, unsigned channel)
{
	return channel < tp->ch ? tp->peak[channel] : 0;
}

unsigned long long
audio_tp_oversampled(const struct audio_tp *tp)
{
	return tp->over;
}

void
audio_tp_free(struct audio_tp *tp)
{
	if (tp == NULL)
		return;
	free(tp->peak);
	free(tp->x);
	free(tp);
}
