/*
 * out: where the samples go. One handle per output device, behind a small
 * ops table with three backends chosen by the device string:
 *
 *   "null"        a silent sink that takes everything at once (simulation)
 *   "file:PATH"   writes a float WAV to PATH at once (tests); its rate and
 *                 channels are those of the first stream opened on it
 *   "wav:PATH"    the same file, but taken at the stream's pace with a sound
 *                 card's buffer: a machine without a sound card airs in real
 *                 time (the demo)
 *   anything else an ALSA PCM name ("default", "plughw:0", "hw:1,0", a PCM
 *                 from asound.conf), opened non-blocking
 *
 * Lifecycle (after libout123):
 *
 *   audio_out_new(device)        names the device and opens it once, so a
 *                                missing device is found early (-> NULL)
 *   audio_out_open(rate, ch)     (re)configures for a stream; reopens the
 *                                device if an error had closed it
 *   audio_out_pollfds/revents    the caller polls; POLLOUT: room to write
 *   audio_out_write(frames)      non-blocking; takes what fits
 *   audio_out_flush()            hands over the last block written
 *   audio_out_finish()           the stream is complete: pad, start
 *   audio_out_queued()           what is still to be heard; 0 = played out
 *   audio_out_drop()             discards what is queued (after a stream
 *                                played out only silence is left)
 *   audio_out_close()            releases the device (open reopens it)
 *   audio_out_free()
 *
 * Streams are interleaved float frames at the stream's rate and channels.
 * The device's format is negotiated: S16, then S32, then float; the
 * stream's rate if the device takes it (ALSA's plug layer converts),
 * otherwise the nearest, with linear resampling here; the stream's channel
 * count if the device takes it, otherwise stereo is averaged to mono and
 * mono is copied to the first two channels. Samples are clamped at full
 * scale when converted: nothing wraps around.
 *
 * ALSA errors: an underrun (-EPIPE) or a suspend (-ESTRPIPE) is recovered
 * (snd_pcm_recover) and counted; any other error closes the device, leaves
 * ALSA's reason in the caller's buffer and makes the call return -1; the
 * next audio_out_open() opens it again. Nothing here prints or exits.
 * Not thread-safe; never blocks (but snd_pcm_recover() after a system
 * suspend may wait for the device to resume).
 */
#ifndef AUDIO_OUT_H
#define AUDIO_OUT_H

#include <poll.h>
#include <stddef.h>

struct audio_out;

struct audio_out *audio_out_new(const char *device, char *err, size_t errlen);
int	audio_out_open(struct audio_out *, long rate, int channels, char *err, size_t errlen);
int	audio_out_pollfds(struct audio_out *, struct pollfd *, int max);
/* POLLOUT when writing would make progress; 0 when not yet; -1 on error */
int	audio_out_revents(struct audio_out *, struct pollfd *, int n, char *err, size_t errlen);
/* stream frames taken (0: full, try after POLLOUT), -1 on error */
long	audio_out_write(struct audio_out *, const float *frames, size_t n, char *err, size_t errlen);
/* hands over what a write left staged: 0 done, 1 some left (wait for POLLOUT), -1 */
int	audio_out_flush(struct audio_out *, char *err, size_t errlen);
/*
 * The stream's last frame was written: hands over what is staged, pads the
 * end with a period of silence (ALSA's rate plugin holds back a partial
 * period; padding makes sure only silence can be held back or cut) and
 * starts playback if the stream was too short to start by itself.
 * 0 done, 1 wait for POLLOUT and call again, -1 on error.
 */
int	audio_out_finish(struct audio_out *, char *err, size_t errlen);
/* microseconds of the stream still to be heard (0: played out), -1 on error */
long	audio_out_queued(struct audio_out *, char *err, size_t errlen);
void	audio_out_drop(struct audio_out *);
void	audio_out_close(struct audio_out *);
void	audio_out_free(struct audio_out *);

const char *audio_out_device(const struct audio_out *);
/* what was negotiated: rate, channels, sample format name ("S16_LE"...) */
long	audio_out_rate(const struct audio_out *);
int	audio_out_channels(const struct audio_out *);
const char *audio_out_format(const struct audio_out *);
/* underruns and suspends recovered since audio_out_new() */
long	audio_out_xruns(const struct audio_out *);
/* 1 when the device is open (configured or not) */
int	audio_out_is_open(const struct audio_out *);

#endif
