/*
 * limit: see limit.h.
 *
 * Blocks k = 0, 1, ... each get q[k] = min(1, ceiling / peak[k]). The
 * envelope's value b[i] at the boundary before block i is the smallest of
 *   q[i-1] and q[i]                 (both neighbours: the straight line
 *                                    across block i then never exceeds q[i]),
 *   q[i+j] + (1 - q[i+j]) j/(A+1)   for j = 1..A (the attack ramp),
 *   b[i-1] * release                (the gain comes back slowly),
 *   1.
 * So block k is written out once q[k+1+A] is known; the ring holds A+3
 * blocks (A+2 waiting and the one being filled).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/dsp.h"
#include "audio/limit.h"

#define B AUDIO_LIMIT_BLOCK

struct audio_limit {
	int		 ch;
	int		 A;		/* look-ahead, blocks */
	int		 nb;		/* ring blocks: A + 3 */
	float		 ceiling;
	float		 gain;
	float		 release;	/* per block */
	float		*ring;		/* nb blocks of B frames */
	float		*q;		/* per ring slot */
	int		*len;		/* frames in the block (B but the last) */
	long long	 nin;		/* blocks complete */
	long long	 nout;		/* blocks written out */
	long long	 last_low;	/* the last complete block with q < 1; -1 none */
	int		 wpos;		/* frames in block nin */
	float		 wpeak;		/* its peak so far */
	float		 b;		/* envelope at the start of block nout */
	int		 have_b;
	double		 min_gain;
};

struct audio_limit *
audio_limit_new(long rate, int channels, double ceiling)
{
	struct audio_limit *l;

	if (rate <= 0 || channels < 1 || ceiling <= 0 || (l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->ch = channels;
	l->A = (int)((rate * AUDIO_LIMIT_LOOKAHEAD_US / 1000000 + B - 1) / B);	/* rounded up */
	if (l->A < 1)
		l->A = 1;
	l->nb = l->A + 3;
	l->ceiling = (float)ceiling;
	l->gain = 1.0f;
	/* 10^(dB/20) by exp2(): libmpg123 has touched its pages already (see play.c) */
	l->release = (float)exp2(AUDIO_LIMIT_RELEASE_DB_S * 0.16609640474436813 * B / (double)rate);
	l->ring = malloc(sizeof(float) * (size_t)(l->nb * B * channels));
	l->q = malloc(sizeof(float) * (size_t)l->nb);
	l->len = malloc(sizeof(int) * (size_t)l->nb);
	if (l->ring == NULL || l->q == NULL || l->len == NULL) {
		audio_limit_free(l);
		return NULL;
	}
	audio_limit_reset(l);
	return l;
}

void
audio_limit_set_gain(struct audio_limit *l, double gain)
{
	l->gain = (float)gain;
}

size_t
audio_limit_latency(const struct audio_limit *l)
{
	return (size_t)(l->nb * B);
}

void
audio_limit_reset(struct audio_limit *l)
{
	l->nin = l->nout = 0;
	l->last_low = -1;
	l->wpos = 0;
	l->wpeak = 0;
	l->have_b = 0;
	l->b = 1.0f;
	l->min_gain = 1.0;
}

double
audio_limit_min_gain(const struct audio_limit *l)
{
	return l->min_gain;
}

static float
qat(const struct audio_limit *l, long long k)
{
	if (k < 0 || k >= l->nin)
		return 1.0f;	/* before the start, or past the end when flushing */
	return l->q[k % l->nb];
}

/* the envelope at the boundary before block i */
static float
boundary(struct audio_limit *l, long long i, float prev, int have_prev)
{
	float c, q;

	/*
	 * No block from i - 1 on needs limiting (the common case, where the
	 * speech stays under the ceiling): every term but the release is 1.
	 * The same value the loop below gives, without its A + 2 look-ups.
	 */
	if (l->last_low < i - 1)
		return have_prev && prev * l->release < 1.0f ? prev * l->release : 1.0f;
	c = qat(l, i - 1);
	q = qat(l, i);
	if (q < c)
		c = q;
	for (int j = 1; j <= l->A; j++) {
		float qj = qat(l, i + j);
		if (qj < 1.0f) {
			float r = qj + (1.0f - qj) * (float)j / (float)(l->A + 1);
			if (r < c)
				c = r;
		}
	}
	if (have_prev && prev * l->release < c)
		c = prev * l->release;
	return c > 1.0f ? 1.0f : c;
}

static size_t
emit(struct audio_limit *l, float *out)
{
	long long k = l->nout;
	int slot = (int)(k % l->nb), n = l->len[slot], ch = l->ch;
	const float *src = l->ring + (size_t)slot * B * (size_t)ch;
	float b0, b1;

	if (!l->have_b) {
		l->b = boundary(l, k, 1.0f, 0);
		l->have_b = 1;
	}
	b0 = l->b;
	b1 = boundary(l, k + 1, b0, 1);
	if (b0 == 1.0f && b1 == 1.0f)
		memcpy(out, src, sizeof(float) * (size_t)(n * ch));
	else {
		audio_dsp_ramp(out, src, (size_t)n, ch, b0, (b1 - b0) / (float)n);
		if (b0 < l->min_gain)
			l->min_gain = b0;
		if (b1 < l->min_gain)
			l->min_gain = b1;
	}
	l->b = b1;
	l->nout++;
	return (size_t)n;
}

static void
close_block(struct audio_limit *l, int n)
{
	int slot = (int)(l->nin % l->nb);

	l->q[slot] = l->wpeak > l->ceiling ? l->ceiling / l->wpeak : 1.0f;
	if (l->q[slot] < 1.0f)
		l->last_low = l->nin;
	l->len[slot] = n;
	l->nin++;
	l->wpos = 0;
	l->wpeak = 0;
}

size_t
audio_limit_run(struct audio_limit *l, const float *in, size_t n, float *out)
{
	size_t done = 0, got = 0;
	int ch = l->ch;
	float g = l->gain;

	while (done < n) {
		int slot = (int)(l->nin % l->nb), take = B - l->wpos;
		float *dst = l->ring + ((size_t)slot * B + (size_t)l->wpos) * (size_t)ch;

		float pk;

		if ((size_t)take > n - done)
			take = (int)(n - done);
		pk = audio_dsp_scale_peak(dst, in + done * (size_t)ch, (size_t)(take * ch), g);
		if (pk > l->wpeak)
			l->wpeak = pk;
		l->wpos += take;
		done += (size_t)take;
		if (l->wpos == B) {
			close_block(l, B);
			while (l->nin >= l->nout + 2 + l->A)
				got += emit(l, out + got * (size_t)ch);
		}
	}
	return got;
}

size_t
audio_limit_flush(struct audio_limit *l, float *out)
{
	size_t got = 0;

	if (l->wpos > 0)
		close_block(l, l->wpos);
	while (l->nout < l->nin)
		got += emit(l, out + got * (size_t)l->ch);
	l->nin = l->nout = 0;
	l->last_low = -1;
	l->have_b = 0;
	return got;
}

void
audio_limit_free(struct audio_limit *l)
{
	if (l == NULL)
		return;
	free(l->ring);
	free(l->q);
	free(l->len);
	free(l);
}
