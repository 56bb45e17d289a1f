/*
 * truepeak: the true peak of a signal (ITU-R BS.1770 annex 2), the same
 * figure libebur128's ebur128_true_peak() gives, bit for bit where the
 * compiler keeps libebur128's rounding (x86-64), only faster: it runs
 * libebur128's own polyphase interpolator (the same coefficients, the same
 * order of arithmetic) but oversamples only the stretches of signal whose
 * sample peak could lift the maximum found so far; the bound that decides
 * this is proved in truepeak.c and pinned by tests/unit/test_audio_truepeak.c.
 *
 * Lifecycle: audio_tp_new() -> audio_tp_add()... -> audio_tp_peak() ->
 * audio_tp_free(). Pure computation: no I/O, no allocation after new.
 */
#ifndef AUDIO_TRUEPEAK_H
#define AUDIO_TRUEPEAK_H

#include <stddef.h>

/* frames taken in at a time; within them, a stretch of AUDIO_TP_SUB frames
 * is oversampled whole or skipped whole */
#define AUDIO_TP_SPAN	256
#define AUDIO_TP_SUB	16

struct audio_tp;

/* NULL when out of memory or channels is 0 */
struct audio_tp *audio_tp_new(unsigned channels, unsigned long rate);
/* n interleaved frames, in order: the filter's history runs across calls */
void	audio_tp_add(struct audio_tp *, const float *frames, size_t n);
/* linear (1.0 = full scale), as ebur128_true_peak(): never below the sample peak */
double	audio_tp_peak(const struct audio_tp *, unsigned channel);
/* how many frames (of one channel, summed over the channels) were oversampled */
unsigned long long audio_tp_oversampled(const struct audio_tp *);
void	audio_tp_free(struct audio_tp *);

#endif
