/*
 * decode: one audio file (MP3 through libmpg123, WAV through libsndfile) as
 * a stream of interleaved float frames (and FLAC, through libsndfile), read a block at a time so a whole
 * bulletin is never held in memory.
 *
 * Lifecycle: audio_dec_open() -> audio_dec_rate()/audio_dec_channels() ->
 * audio_dec_read() until it returns 0 (end) or -1 (error) -> audio_dec_close().
 *
 * The format is found from the content, never from the file name. Anything
 * that is not MPEG audio (layer I-III) or a WAV that libsndfile reads is
 * refused with a message that names the file and says to convert it to MP3.
 * Hostile files are bounded: at most AUDIO_DEC_MAX_BYTES on disk, at most
 * AUDIO_DEC_MAX_SECONDS of audio, 1..AUDIO_DEC_MAX_CHANNELS channels,
 * AUDIO_DEC_MIN_RATE..AUDIO_DEC_MAX_RATE Hz, and no free-format MP3 frames
 * (whose size the decoder would have to guess). A stream that breaks part way
 * (a corrupt frame, a file shorter than its own header says) is an error from
 * audio_dec_read(), never a silent early end.
 *
 * Every call may block on the file (a local disk or SD card); none prints.
 * Messages go to the caller's buffer (open) or audio_dec_error() (read).
 */
#ifndef AUDIO_DECODE_H
#define AUDIO_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define AUDIO_DEC_MAX_SECONDS	(2 * 3600)
#define AUDIO_DEC_MAX_BYTES	(1024LL * 1024 * 1024)
#define AUDIO_DEC_MAX_CHANNELS	2
#define AUDIO_DEC_MIN_RATE	8000
#define AUDIO_DEC_MAX_RATE	192000

/*
 * AUDIO_DEC_FLAC: read through libsndfile, as WAV (what a phone recording
 * becomes on intake). AUDIO_DEC_FOREIGN: a format only the decoding child
 * reads (M4A/AAC, ADTS AAC, Ogg Opus/Vorbis, AMR, WMA, WebM/Matroska): the
 * sniffer says so, audio_dec_open() refuses it, the intake converts it
 * (audio/avchild.h).
 */
enum audio_dec_kind { AUDIO_DEC_MP3, AUDIO_DEC_WAV, AUDIO_DEC_FLAC, AUDIO_DEC_FOREIGN };

struct audio_dec;

struct audio_dec *audio_dec_open(const char *path, char *err, size_t errlen);
long		 audio_dec_rate(const struct audio_dec *);
int		 audio_dec_channels(const struct audio_dec *);
enum audio_dec_kind audio_dec_kind(const struct audio_dec *);
/* frames the file should hold (from its header); -1 when not known up front */
int64_t		 audio_dec_length(const struct audio_dec *);
/* up to `frames` interleaved frames into buf; count, 0 at the end, -1 on error */
long		 audio_dec_read(struct audio_dec *, float *buf, size_t frames);
/* what went wrong in the last failed read (names the file) */
const char	*audio_dec_error(const struct audio_dec *);
void		 audio_dec_close(struct audio_dec *);

/*
 * The content sniffer on its own (for ingest and tests): 0 and *kind when
 * the file open on fd (named path in messages) looks like MP3, WAV, FLAC or
 * a foreign format; -1 and a message otherwise. Reads with pread(): the
 * file offset is not moved.
 */
int	audio_dec_sniff(int fd, const char *path, enum audio_dec_kind *kind, char *err, size_t errlen);

#endif
