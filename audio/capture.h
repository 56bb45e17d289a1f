/*
 * capture: the commune's microphone (a line-in or a USB sound card) as a
 * source of samples for the player, for live announcements. The ALSA
 * capture PCM is opened non-blocking at 48 kHz (ALSA's plug layer converts;
 * a mono microphone is heard on both channels) only while an announcement
 * is live, and closed after it: the microphone is never open otherwise.
 * The output paces the reading (audio_capture_read() gives what has been
 * captured, silence where nothing has yet); what piles up beyond a quarter
 * of a second is dropped, so the delay stays short. The loudness is ridden
 * to the target as a relay's is (rider.h), the limiter after it.
 */
#ifndef LOAXA_AUDIO_CAPTURE_H
#define LOAXA_AUDIO_CAPTURE_H

#include <stddef.h>

#define AUDIO_CAPTURE_RATE	48000
#define AUDIO_CAPTURE_CH	2

struct audio_capture;

/* NULL and err (ALSA's reason, naming the device) when it cannot be opened */
struct audio_capture *audio_capture_open(const char *device, double target_lufs, char *err, size_t errlen);
/* exactly n interleaved float frames at AUDIO_CAPTURE_RATE, AUDIO_CAPTURE_CH */
void	audio_capture_read(void *capture, float *buf, size_t n);
/* ms of the microphone's samples handed out; overruns recovered */
long long audio_capture_heard_ms(const struct audio_capture *);
int	audio_capture_overruns(const struct audio_capture *);
void	audio_capture_close(struct audio_capture *);

#endif
