/*
 * truepeak: see truepeak.h. libebur128 (1.2.x, ebur128.c: interp_create,
 * interp_process, ebur128_check_true_peak) finds the true peak by running
 * every sample through a 49-tap polyphase FIR interpolator (4x below
 * 96 kHz, 2x below 192 kHz, none above) and keeping the largest magnitude
 * out. That is 37 multiply-adds per sample per channel, three times the
 * cost of decoding an MP3: most of an ingest's time. Here the same
 * interpolator runs only where its output could exceed the largest
 * magnitude found so far (the running peak, which starts with the sample
 * peak): in speech, a few frames in a hundred.
 *
 * The bound. Phase f of the filter makes each output from the newest input
 * samples: y_f[n] = sum_t c[f][t] * x[n - k[f][t]], every k <= K (K = 11 at
 * 4x, 23 at 2x). Let G = max over f of sum_t |c[f][t]| (1.864 at 4x, 2.307
 * at 2x) and M >= max |x[j]| over n - K <= j <= n. In exact arithmetic
 * |y_f[n]| <= sum_t |c[f][t]| |x[n - k[f][t]]| <= G * M. libebur128 sums
 * the products in double (an error of at most 24 * 2^-53 < 2^-48 of
 * sum |c x|) and rounds the sum to float (2^-24 more); G summed here in
 * double is at most 2^-48 short of the exact one. So every output it
 * computes has |y| < G * M * (1 + 2^-23). tp->gain is G * (1 + 2^-20),
 * and the double product M * tp->gain, rounded twice (2^-52), is still
 * above G * M * (1 + 2^-23) > |y|.
 *
 * Hence, for a sub-block of frames [s, s + AUDIO_TP_SUB): take M over the
 * sub-block and the whole sub-blocks before it that hold its K samples of
 * history (or the history kept from the previous call): a superset of what
 * its outputs read, so still >= their max |x|. If M * tp->gain <= the
 * running peak, no output of the sub-block can exceed the running peak,
 * which only grows, and leaving the sub-block out changes the final maximum
 * by nothing: the result is the one of oversampling everything, exactly.
 * The history is kept for every span, oversampled or not, so the next one
 * filters from the right samples. The bound can only over-estimate (a
 * sub-block is oversampled when it need not be), never the reverse.
 *
 * Where a sub-block is oversampled, the arithmetic is libebur128's, in its
 * order: acc = 0.0, then acc += (double)x * c for each tap in the order
 * interp_create() stored them, then (float)acc, then its magnitude in
 * double. The loops run tap by tap over the sub-block (which keeps each
 * output's order of additions and lets the compiler vectorize over
 * outputs). libebur128 also flushes float denormals to zero while
 * filtering; that changes only outputs below FLT_MIN, which can be the peak
 * only of a file that is silent anyway. A compiler that fuses the multiply
 * and the add (FMA, as on arm64) in one build and not in the other can move
 * a result by a float rounding; tests/unit/test_audio_truepeak.c allows that
 * off x86-64 only.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio/truepeak.h"

#define TAPS		49	/* libebur128's interp_create(49, factor, ...) */
#define MAX_FACTOR	4
#define MAX_DELAY	((TAPS + 2 - 1) / 2)	/* taps per phase at most (2x) */
#define ALMOST_ZERO	0.000001		/* libebur128's, for dropping zero taps */

_Static_assert(AUDIO_TP_SPAN % AUDIO_TP_SUB == 0, "a span is whole sub-blocks");

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
	double		 acc[AUDIO_TP_SUB];
};

/*
 * interp_create()'s coefficients, computed as it does: the same expressions
 * in the same order, through the same libm at run time (test_audio_truepeak
 * compares the outcome with libebur128's bit for bit, so a compiler that
 * folded them otherwise would be caught).
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

/*
 * |v| as the bits of a float: for magnitudes (sign cleared) the order of
 * the bits as integers is the order of the floats, infinity included; a NaN
 * sorts above all, which can only make a stretch oversampled. A loop of
 * integer maxima vectorizes where one of floats, not knowing about NaNs,
 * does not.
 */
static inline int32_t
mag(float v)
{
	int32_t b;

	memcpy(&b, &v, sizeof(b));
	return b & 0x7fffffff;
}

static inline float
unmag(int32_t b)
{
	float v;

	memcpy(&v, &b, sizeof(v));
	return v;
}

/* the largest magnitude of the outputs for frames x[hist + a .. hist + a + len) */
static double
oversample(struct audio_tp *tp, const float *x, size_t a, size_t len)
{
	double *acc = tp->acc, pk = 0;

	for (unsigned f = 0; f < tp->factor; f++) {
		const struct phase *p = &tp->ph[f];

		/* AUDIO_TP_SUB outputs always (a constant count the compiler
		 * vectorizes); those past len read the zeros that pad the last
		 * sub-block and are left out below */
		for (size_t i = 0; i < AUDIO_TP_SUB; i++)
			acc[i] = 0.0;
		for (unsigned t = 0; t < p->count; t++) {
			const float *s = x + tp->hist + a - p->index[t];
			double c = p->coeff[t];

			for (size_t i = 0; i < AUDIO_TP_SUB; i++)
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

/* one channel's span: x[hist .. hist + len) are new, zeros after them to
 * the end of the last sub-block */
static void
span(struct audio_tp *tp, unsigned c, float *x, size_t len)
{
	int32_t q[AUDIO_TP_SPAN / AUDIO_TP_SUB], h = 0, m = 0;
	size_t back = (tp->hist + AUDIO_TP_SUB - 1) / AUDIO_TP_SUB;

	for (size_t i = 0; i < tp->hist; i++)
		h = mag(x[i]) > h ? mag(x[i]) : h;
	for (size_t s = 0; s * AUDIO_TP_SUB < len; s++) {
		const float *y = x + tp->hist + s * AUDIO_TP_SUB;
		int32_t k = 0;

		for (size_t i = 0; i < AUDIO_TP_SUB; i++)
			k = mag(y[i]) > k ? mag(y[i]) : k;
		q[s] = k;
		m = k > m ? k : m;
	}
	/* the sample peak counts as it is (ebur128_true_peak() gives the
	 * larger of the two): the interpolator's outputs lag the input */
	if (unmag(m) > tp->peak[c])
		tp->peak[c] = unmag(m);
	if (tp->factor == 0)
		return;
	for (size_t s = 0; s * AUDIO_TP_SUB < len; s++) {
		/* M over the sub-block and the sub-blocks (or the history)
		 * that hold the hist samples before it: a superset of what its
		 * outputs read, so still a bound */
		int32_t w = q[s];

		for (size_t b = 1; b <= back; b++)
			w = s < b ? (h > w ? h : w) : (q[s - b] > w ? q[s - b] : w);
		if ((double)unmag(w) * tp->gain > tp->peak[c]) {
			size_t n = len - s * AUDIO_TP_SUB < AUDIO_TP_SUB ? len - s * AUDIO_TP_SUB : AUDIO_TP_SUB;
			double v = oversample(tp, x, s * AUDIO_TP_SUB, n);

			if (v > tp->peak[c])
				tp->peak[c] = v;
			tp->over += n;
		}
	}
}

/* a whole span of stereo into its two channels (a constant count: vectorized) */
static void
split2(float *restrict l, float *restrict r, const float *restrict f)
{
	for (size_t i = 0; i < AUDIO_TP_SPAN; i++) {
		l[i] = f[2 * i];
		r[i] = f[2 * i + 1];
	}
}

void
audio_tp_add(struct audio_tp *tp, const float *frames, size_t n)
{
	size_t stride = tp->hist + AUDIO_TP_SPAN;

	while (n > 0) {
		size_t len = n < AUDIO_TP_SPAN ? n : AUDIO_TP_SPAN;

		if (tp->ch == 2 && len == AUDIO_TP_SPAN)
			split2(tp->x + tp->hist, tp->x + stride + tp->hist, frames);
		else
			for (unsigned c = 0; c < tp->ch; c++) {
				float *x = tp->x + c * stride + tp->hist;

				for (size_t i = 0; i < len; i++)
					x[i] = frames[i * tp->ch + c];
				for (size_t i = len; i % AUDIO_TP_SUB != 0; i++)
					x[i] = 0;
			}
		for (unsigned c = 0; c < tp->ch; c++) {
			float *x = tp->x + c * stride;

			span(tp, c, x, len);
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
