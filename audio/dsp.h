/*
 * dsp: the loops that touch every sample of a bulletin on its way out
 * (gain with peak, gain ramp, conversion to the device's sample format).
 * They decide what airing costs in CPU beside the MP3 decoder itself, so
 * they have an SSE2 body on x86-64 (where every CPU has SSE2) and a plain C
 * body elsewhere; both give the same samples (round to nearest, clamp at
 * full scale). Pure functions: no state, no allocation, no I/O.
 */
#ifndef AUDIO_DSP_H
#define AUDIO_DSP_H

#include <stddef.h>
#include <stdint.h>

/* dst[i] = src[i] * g for n samples (dst may be src); returns max |dst[i]| */
float	audio_dsp_scale_peak(float *dst, const float *src, size_t n, float g);
/* dst[i] = src[i] * g (dst may be src) */
void	audio_dsp_scale(float *dst, const float *src, size_t n, float g);
/* frames of ch interleaved channels: frame i times g0 + step * i (dst may be src) */
void	audio_dsp_ramp(float *dst, const float *src, size_t frames, int ch, float g0, float step);
/* to signed 16-bit: round to nearest, clamp to -32768..32767 */
void	audio_dsp_to_s16(int16_t *dst, const float *src, size_t n);
/* to signed 32-bit: the same at 32 bits */
void	audio_dsp_to_s32(int32_t *dst, const float *src, size_t n);
/* float kept, clamped to -1..1 */
void	audio_dsp_clamp(float *dst, const float *src, size_t n);

#endif
