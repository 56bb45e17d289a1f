/*
 * stream: a relayed radio stream as a source of samples for the player.
 * The decoding child (loaxa-decode stream, audio/avchild.h) connects,
 * decodes and resamples to AUDIO_STREAM_RATE stereo; this side reads its
 * PCM from a pipe (1 MiB deep: seconds of jitter), rides the loudness to
 * the target (rider.h) and never blocks.
 *
 * audio_stream_new() starts the child at once, so that it has connected
 * and buffered by the time the slot begins (the engine opens a relay
 * seconds ahead). audio_stream_read() always returns the frames asked for,
 * up to the item's end: the stream's samples when it has them, silence
 * when it has not (the device must be fed; a gap is a dropout, not an
 * underrun). The output paces the reading, so a relay needs a sink that
 * plays in real time (ALSA, or the wav: device); the null device takes a
 * relay's silence at once.
 *
 * Faults: the child's exit (its last `error REASON` line is kept), or no
 * data for AUDIO_STREAM_STALL_MS, is a dropout: the child is killed and
 * started again after a backoff (1, 2, 4, 8 s). Dead air (peaks below
 * dead_db for dead_ms) is a dropout too, though the connection holds.
 * audio_stream_down_ms() says how long the stream has been without
 * usable audio, for the engine's fallback.
 *
 * Not thread-safe; one stream per relay. Every call is non-blocking.
 */
#ifndef LOAXA_AUDIO_STREAM_H
#define LOAXA_AUDIO_STREAM_H

#include <stddef.h>

#define AUDIO_STREAM_RATE	48000
#define AUDIO_STREAM_CH		2
#define AUDIO_STREAM_STALL_MS	2000	/* no data this long: reconnect */
#define AUDIO_STREAM_BACKOFF_MAX_MS 8000

struct audio_stream_conf {
	const char	*url;
	double		 target_lufs;	/* the rider's target (audio.loudness_lufs) */
	double		 dead_db;	/* dead air: peaks below this, dBFS ... */
	long		 dead_ms;	/* ... for this long (0: not checked) */
};

struct audio_stream_stats {
	long long	 heard_ms;	/* the stream's own audio handed out */
	long long	 dropout_ms;	/* silence handed out in its place, dead air included */
	int		 dropouts;	/* times it went away (stall, exit, dead air) */
	int		 connects;	/* children started */
	char		 reason[32];	/* the last fault's reason: timeout, http-404, not-audio, dead-air, ... */
	char		 error[256];	/* its words */
	char		 title[128];	/* the stream's ICY title, last seen */
	char		 format[64];	/* "mp3 mp3 44100 2", as the child said when it connected */
};

struct audio_stream;

/* starts the child; NULL and err when it cannot be started (no decoder) */
struct audio_stream *audio_stream_new(const struct audio_stream_conf *, char *err, size_t errlen);
/* an item begins to read it now: the first time, down time counts from here; a waiting retry is made at once */
void	audio_stream_begin(struct audio_stream *);
/* exactly n interleaved float frames at AUDIO_STREAM_RATE, AUDIO_STREAM_CH */
void	audio_stream_read(struct audio_stream *, float *buf, size_t n);
/* 1 when the stream's audio is arriving now */
int	audio_stream_up(struct audio_stream *);
/* ms since the stream last had usable audio (0 while up; from the start while it never had) */
long long audio_stream_down_ms(struct audio_stream *);
void	audio_stream_stats(const struct audio_stream *, struct audio_stream_stats *);
/* the rider's gain now (dB) */
double	audio_stream_gain_db(const struct audio_stream *);
/*
 * One status line of the child's ("connected FORMAT...", "title T", "error
 * REASON text", "ended") into st; anything else is ignored. Control
 * characters are stored as spaces: the child is not trusted either.
 */
void	audio_stream_status_line(struct audio_stream_stats *st, const char *line);
/* kills the child and frees */
void	audio_stream_free(struct audio_stream *);

#endif
