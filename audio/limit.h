/*
 * limit: gain plus a look-ahead peak limiter, so that a bulletin brought up
 * to the target loudness never clips however peaky its speech is.
 *
 * The signal is cut into blocks of AUDIO_LIMIT_BLOCK frames. Each block's
 * peak (after the gain) gives the gain it may have at most; the envelope is
 * a straight line from block boundary to block boundary, each boundary no
 * higher than the blocks on both sides of it, falling in a ramp over the
 * look-ahead (about 5 ms) before a peak and rising again at a bounded rate
 * (the release) after it. Every sample therefore stays at or below the
 * ceiling exactly, with no overshoot to clamp; where nothing is near the
 * ceiling a block is copied through at the plain gain.
 *
 * The output lags the input by audio_limit_latency() frames. Lifecycle:
 * audio_limit_new() -> audio_limit_run()... -> audio_limit_flush() ->
 * (audio_limit_reset() for the next stream) -> audio_limit_free(). Pure
 * computation: no I/O, no clock, no allocation after new.
 */
#ifndef AUDIO_LIMIT_H
#define AUDIO_LIMIT_H

#include <stddef.h>

#define AUDIO_LIMIT_BLOCK	32
#define AUDIO_LIMIT_LOOKAHEAD_US 5000L
#define AUDIO_LIMIT_RELEASE_DB_S 40.0	/* how fast the gain comes back */

struct audio_limit;

/* ceiling: linear full-scale fraction (0.891 = -1 dBFS); gain: linear */
struct audio_limit *audio_limit_new(long rate, int channels, double ceiling);
void	audio_limit_set_gain(struct audio_limit *, double gain);
/* frames of delay between input and output */
size_t	audio_limit_latency(const struct audio_limit *);
/*
 * Takes n frames from in, writes the frames now complete to out and
 * returns their count. out must hold n + audio_limit_latency() frames.
 */
size_t	audio_limit_run(struct audio_limit *, const float *in, size_t n, float *out);
/* the frames still held (at most audio_limit_latency()), at the end */
size_t	audio_limit_flush(struct audio_limit *, float *out);
void	audio_limit_reset(struct audio_limit *);
/* the smallest envelope gain applied so far (1.0: never limited) */
double	audio_limit_min_gain(const struct audio_limit *);
void	audio_limit_free(struct audio_limit *);

#endif
