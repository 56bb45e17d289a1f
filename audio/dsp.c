/*
 * dsp: see dsp.h. Each function is a vector loop over groups of 8 samples
 * (two SSE registers) and a scalar loop for the rest; the scalar loop is
 * the whole function where SSE2 is missing. Loads and stores are unaligned:
 * callers pass any float pointer. Rounding is to nearest, ties to even, in
 * both paths: cvtps2dq, and the 1.5 * 2^23 trick (adding it pushes the
 * fraction out of the mantissa) where lrintf() would fault in more libm.
 * The trick needs arithmetic in the type's own precision (FLT_EVAL_METHOD
 * 0: x86-64, ARM), and no -ffast-math, which would fold it away.
 */
#include <float.h>
#if FLT_EVAL_METHOD != 0
#error "dsp.c rounds with the 1.5 * 2^23 trick, which needs FLT_EVAL_METHOD 0"
#endif
#include <math.h>
#include <string.h>


#include "audio/dsp.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define HAVE_SSE2 1
#else
#define HAVE_SSE2 0
#endif

float
audio_dsp_scale_peak(float *dst, const float *src, size_t n, float g)
{
	size_t i = 0;
	float peak = 0.0f;

#if HAVE_SSE2
	const __m128 k = _mm_set1_ps(g), absmask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
	__m128 pa = _mm_setzero_ps(), pb = _mm_setzero_ps();
	float lanes[4];

	for (; i + 8 <= n; i += 8) {
		__m128 a = _mm_mul_ps(_mm_loadu_ps(src + i), k);
		__m128 b = _mm_mul_ps(_mm_loadu_ps(src + i + 4), k);
		_mm_storeu_ps(dst + i, a);
		_mm_storeu_ps(dst + i + 4, b);
		pa = _mm_max_ps(pa, _mm_and_ps(a, absmask));
		pb = _mm_max_ps(pb, _mm_and_ps(b, absmask));
	}
	_mm_storeu_ps(lanes, _mm_max_ps(pa, pb));
	for (int j = 0; j < 4; j++)
		peak = lanes[j] > peak ? lanes[j] : peak;
#endif
	for (; i < n; i++) {
		float v = src[i] * g, a = fabsf(v);
		dst[i] = v;
		peak = a > peak ? a : peak;
	}
	return peak;
}

void
audio_dsp_scale(float *dst, const float *src, size_t n, float g)
{
	size_t i = 0;

#if HAVE_SSE2
	const __m128 k = _mm_set1_ps(g);

	for (; i + 8 <= n; i += 8) {
		_mm_storeu_ps(dst + i, _mm_mul_ps(_mm_loadu_ps(src + i), k));
		_mm_storeu_ps(dst + i + 4, _mm_mul_ps(_mm_loadu_ps(src + i + 4), k));
	}
#endif
	for (; i < n; i++)
		dst[i] = src[i] * g;
}

void
audio_dsp_ramp(float *dst, const float *src, size_t frames, int ch, float g0, float step)
{
	size_t i = 0;

#if HAVE_SSE2
	/* the gain of frame i is g0 + step * i, computed as the scalar loop does */
	const __m128 k0 = _mm_set1_ps(g0), ks = _mm_set1_ps(step);

	if (ch == 1) {
		const __m128 off = _mm_setr_ps(0.0f, 1.0f, 2.0f, 3.0f);

		for (; i + 4 <= frames; i += 4) {
			__m128 g = _mm_add_ps(k0, _mm_mul_ps(ks, _mm_add_ps(_mm_set1_ps((float)i), off)));
			_mm_storeu_ps(dst + i, _mm_mul_ps(_mm_loadu_ps(src + i), g));
		}
	} else if (ch == 2) {
		const __m128 off = _mm_setr_ps(0.0f, 0.0f, 1.0f, 1.0f);

		for (; i + 2 <= frames; i += 2) {
			__m128 g = _mm_add_ps(k0, _mm_mul_ps(ks, _mm_add_ps(_mm_set1_ps((float)i), off)));
			_mm_storeu_ps(dst + 2 * i, _mm_mul_ps(_mm_loadu_ps(src + 2 * i), g));
		}
	}
#endif
	for (; i < frames; i++) {
		float g = g0 + step * (float)i;
		for (int c = 0; c < ch; c++)
			dst[i * (size_t)ch + (size_t)c] = src[i * (size_t)ch + (size_t)c] * g;
	}
}

void
audio_dsp_to_s16(int16_t *dst, const float *src, size_t n)
{
	size_t i = 0;

#if HAVE_SSE2
	const __m128 k = _mm_set1_ps(32768.0f), lo = _mm_set1_ps(-32768.0f), hi = _mm_set1_ps(32767.0f);

	for (; i + 8 <= n; i += 8) {
		__m128 a = _mm_mul_ps(_mm_loadu_ps(src + i), k);
		__m128 b = _mm_mul_ps(_mm_loadu_ps(src + i + 4), k);
		/* max first: a NaN becomes -32768 rather than undefined */
		a = _mm_min_ps(_mm_max_ps(a, lo), hi);
		b = _mm_min_ps(_mm_max_ps(b, lo), hi);
		_mm_storeu_si128((__m128i *)(void *)(dst + i),
		    _mm_packs_epi32(_mm_cvtps_epi32(a), _mm_cvtps_epi32(b)));
	}
#endif
	for (; i < n; i++) {
		float v = src[i] * 32768.0f;
		v = v > -32768.0f ? v : -32768.0f;
		v = v < 32767.0f ? v : 32767.0f;
		dst[i] = (int16_t)((v + 12582912.0f) - 12582912.0f);
	}
}

void
audio_dsp_to_s32(int32_t *dst, const float *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double v = (double)src[i] * 2147483648.0;
		v = v > -2147483648.0 ? v : -2147483648.0;
		v = v < 2147483647.0 ? v : 2147483647.0;
		dst[i] = (int32_t)((v + 6755399441055744.0) - 6755399441055744.0);
	}
}

void
audio_dsp_clamp(float *dst, const float *src, size_t n)
{
	size_t i = 0;

#if HAVE_SSE2
	const __m128 lo = _mm_set1_ps(-1.0f), hi = _mm_set1_ps(1.0f);

	for (; i + 4 <= n; i += 4)
		_mm_storeu_ps(dst + i, _mm_min_ps(_mm_max_ps(_mm_loadu_ps(src + i), lo), hi));
#endif
	for (; i < n; i++) {
		float v = src[i] > -1.0f ? src[i] : -1.0f;
		dst[i] = v < 1.0f ? v : 1.0f;
	}
}
