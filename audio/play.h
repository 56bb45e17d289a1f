/*
 * play: the player the daemon drives. It plays one item at a time on an
 * open output (out.h): a file, decoded a block at a time while it plays,
 * or a stretch of silence that keeps the device fed (gaps, warm-up).
 *
 * Lifecycle:
 *
 *   p = audio_player_new(out, conf)
 *   audio_player_start_file(p, path, gain_db)   or _start_item / _start_silence
 *   loop: n = audio_player_pollfds(p, pfd, max); poll(pfd, n, ...);
 *         st = audio_player_service(p, pfd, n)  until st != AUDIO_PLAYING
 *   ... the next item ...
 *   audio_player_free(p)                       (the output stays the caller's)
 *
 * service() returns AUDIO_PLAYING while the item plays; AUDIO_DONE once
 * every sample was written AND played out by the device; AUDIO_STOPPED when
 * audio_player_stop() cut the item (the daemon logs it as interrupted);
 * AUDIO_FAILED with audio_player_error() naming the ALSA or decode reason.
 * A file that fails part way is faded out, not cut, before FAILED is given.
 * After DONE, STOPPED or FAILED the player is ready for the next item (the
 * output reopens itself after a device error).
 *
 * What is played: the decoded samples times the gain, with a fade (an
 * S-curve, conf.fade_ms) at the start and the end of every file item, then
 * a look-ahead limiter (limit.h) at conf's ceiling, so no sample clips. The
 * limiter is left out when the item's measured true peak shows that the
 * gain cannot reach the ceiling; the samples then go out exactly scaled.
 *
 * audio_player_stop() fades the current file item out over fade_ms from the
 * samples not yet written (what ALSA holds already, up to half a second,
 * still plays), or ends a silence item at once. Safe to call at any time,
 * but not from a signal handler: set a flag there and call it from the loop.
 *
 * Nothing here blocks (apart from reading the file) or prints. The player
 * owns a timerfd, among the descriptors it asks to poll, to wait for the
 * device to play out. One thread.
 */
#ifndef AUDIO_PLAY_H
#define AUDIO_PLAY_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "audio/out.h"

#define AUDIO_FADE_MS		20
#define AUDIO_CEILING_DB	(-1.0)	/* dBFS: the limiter's ceiling */
#define AUDIO_GAIN_MAX_DB	30.0	/* a near-silent file is not blown up further */
#define AUDIO_GAIN_MIN_DB	(-40.0)
#define AUDIO_LIMIT_MAX_DB	12.0	/* never ask the limiter for more reduction than this */
#define AUDIO_POLLFDS_MAX	16	/* enough for any pollfd array given to the player */

enum audio_state { AUDIO_IDLE, AUDIO_PLAYING, AUDIO_DONE, AUDIO_FAILED, AUDIO_STOPPED };

struct audio_play_conf {
	int	fade_ms;	/* fade in and out of file items; 0: none */
	double	ceiling_db;	/* the limiter's ceiling, dBFS; 0 means AUDIO_CEILING_DB */
};

struct audio_item {
	const char *path;	/* NULL: silence of silence_ms */
	long	silence_ms;
	double	gain_db;
	double	true_peak_db;	/* measured dBTP; NAN when not known (the limiter then always runs) */
};

struct audio_player;

struct audio_player *audio_player_new(struct audio_out *, const struct audio_play_conf *);
void	audio_player_free(struct audio_player *);

/* 0, or -1 with the reason in err (and in audio_player_error()); state FAILED */
int	audio_player_start_file(struct audio_player *, const char *path, double gain_db, char *err, size_t errlen);
int	audio_player_start_item(struct audio_player *, const struct audio_item *, char *err, size_t errlen);
int	audio_player_start_silence(struct audio_player *, long ms);
/*
 * A relayed stream (stream.h) for ms: its samples as they come (silence
 * where it has none), faded in and out, through the limiter; the stream's
 * own rider sets the loudness. The stream stays the caller's.
 */
struct audio_stream;
int	audio_player_start_stream(struct audio_player *, struct audio_stream *, long ms, char *err, size_t errlen);
/* the same for any source that always gives the n frames asked for (rate, ch): a microphone */
int	audio_player_start_source(struct audio_player *, void (*read)(void *, float *, size_t n), void *src, long rate,
	    int ch, long ms, char *err, size_t errlen);

int	audio_player_pollfds(struct audio_player *, struct pollfd *, int max);
enum audio_state audio_player_service(struct audio_player *, struct pollfd *, int n);
/* polls and services until the item ends; returns how it ended */
enum audio_state audio_player_run(struct audio_player *);
void	audio_player_stop(struct audio_player *);

enum audio_state audio_player_state(const struct audio_player *);
const char *audio_player_error(const struct audio_player *);
/* CLOCK_BOOTTIME when the item's first sample was handed to the device; -1 if none yet */
int	audio_player_first_sample_time(const struct audio_player *, struct timespec *);
/* CLOCK_BOOTTIME when the item ended (played out, stopped or failed); -1 if it has not */
int	audio_player_end_time(const struct audio_player *, struct timespec *);
/* the item's frames handed to the device so far (at the item's own rate) */
uint64_t audio_player_frames(const struct audio_player *);
/* the gain applied (dB) and the most the limiter took off (dB, >= 0) */
double	audio_player_gain_db(const struct audio_player *);
double	audio_player_limited_db(const struct audio_player *);

/*
 * The gain to air a bulletin at target_lufs: target - measured + adjust
 * (audio.gain_db), kept within AUDIO_GAIN_MIN_DB..AUDIO_GAIN_MAX_DB and so
 * that the limiter never has to take more than AUDIO_LIMIT_MAX_DB off the
 * measured true peak. *capped (may be NULL) is set when a bound applied.
 */
double	audio_gain_for(double target_lufs, double loudness_lufs, double adjust_db, double true_peak_db,
	    int *capped);

#endif
