/*
 * rider: a gain rider for audio nobody measured beforehand (relayed streams,
 * the live microphone). A bulletin's gain comes from its whole-file loudness
 * (measure.h); a stream has no whole, so the rider follows its R128
 * short-term loudness (libebur128, the 3 s window) and moves the gain
 * slowly towards target - loudness: at most ATTACK dB/s down and RELEASE
 * dB/s up, within [AUDIO_RIDER_MIN_DB, AUDIO_RIDER_MAX_DB]. It is feed-
 * forward: the loudness is measured before the gain, so the gain never
 * chases its own output. Below the gate (silence), or while the momentary
 * loudness (400 ms) is far below the short-term (a pause in speech), the
 * gain is held where it is, so a pause does not pump the noise floor up.
 *
 * audio_rider_run() applies the gain in place, ramping linearly within each
 * call from the previous gain to the new one (no zipper steps). Peaks are
 * the limiter's business (limit.h), after the rider. Pure computation: no
 * I/O, no clock; allocation only in new.
 */
#ifndef AUDIO_RIDER_H
#define AUDIO_RIDER_H

#include <stddef.h>

#define AUDIO_RIDER_ATTACK_DB_S	 3.0	/* how fast a loud stream is brought down */
#define AUDIO_RIDER_RELEASE_DB_S 1.5	/* how fast a quiet one is brought up */
#define AUDIO_RIDER_GATE_LUFS	(-50.0)	/* below this the gain holds */
#define AUDIO_RIDER_PAUSE_LU	10.0	/* momentary this far below short-term: a pause, hold */
#define AUDIO_RIDER_MIN_DB	(-20.0)
#define AUDIO_RIDER_MAX_DB	 20.0

struct audio_rider;

/* NULL when libebur128 cannot be set up (out of memory, a bad rate) */
struct audio_rider *audio_rider_new(long rate, int channels, double target_lufs, double start_gain_db);
/* n interleaved frames, gain applied in place */
void	audio_rider_run(struct audio_rider *, float *buf, size_t n);
/* the gain now, dB */
double	audio_rider_gain_db(const struct audio_rider *);
/* the short-term loudness last measured (LUFS; -HUGE_VAL before 3 s or in silence) */
double	audio_rider_loudness(const struct audio_rider *);
void	audio_rider_free(struct audio_rider *);

#endif
