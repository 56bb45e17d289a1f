/*
 * measure: what import records about a bulletin's audio: its length, its
 * integrated loudness (EBU R128 / ITU-R BS.1770, through libebur128) and its
 * true peak, found by decoding the whole file once.
 *
 * Loudness is measured as the file would sound on two loudspeakers: a mono
 * file counts as dual mono (+3 dB against a one-channel reading), so a mono
 * bulletin and the same speech in stereo measure, and air, alike.
 *
 * audio_measure() blocks for as long as decoding the file takes (a few
 * hundred milliseconds per minute of audio on a board); it never prints.
 */
#ifndef AUDIO_MEASURE_H
#define AUDIO_MEASURE_H

#include <stddef.h>

struct audio_measure {
	long	duration_ms;
	double	loudness_lufs;		/* integrated */
	double	true_peak_db;		/* dBTP, the largest of the channels */
	long	rate;
	int	channels;
};

/*
 * 0 and *m filled, or -1 with a message naming the file: not MP3/WAV,
 * damaged or truncated part way (never measured short), or silent (R128
 * gives -inf for a file with nothing above its -70 LUFS gate).
 */
int	audio_measure(const char *path, struct audio_measure *m, char *err, size_t errlen);

#endif
