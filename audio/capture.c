/*
 * capture: see capture.h.
 */
#include <alsa/asoundlib.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/capture.h"
#include "audio/rider.h"
#include "base/translate.h"

#define LATENCY_US	100000
#define KEEP_FRAMES	(AUDIO_CAPTURE_RATE / 4)	/* more than this waiting: the oldest is dropped */

struct audio_capture {
	snd_pcm_t		*pcm;
	int			 ch;	/* the device's: 2, or 1 (copied to both) */
	struct audio_rider	*rider;
	long long		 frames;
	int			 overruns;
	int16_t			 tmp[4096 * 2];
};

struct audio_capture *
audio_capture_open(const char *device, double target, char *err, size_t errlen)
{
	struct audio_capture *c = calloc(1, sizeof(*c));
	int e = 0;

	if (c == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	if ((e = snd_pcm_open(&c->pcm, device, SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK)) < 0)
		goto bad;
	for (c->ch = 2; c->ch >= 1; c->ch--)
		if ((e = snd_pcm_set_params(c->pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, (unsigned)c->ch,
		    AUDIO_CAPTURE_RATE, 1, LATENCY_US)) == 0)
			break;
	if (e < 0 || (e = snd_pcm_start(c->pcm)) < 0)
		goto bad;
	if ((c->rider = audio_rider_new(AUDIO_CAPTURE_RATE, AUDIO_CAPTURE_CH, target, 0)) == NULL) {
		e = -ENOMEM;
		goto bad;
	}
	return c;
bad:
	snprintf(err, errlen, _("microphone \"%s\": %s (check the live.device and that the sound card is plugged in)"),
	    device, snd_strerror(e));
	if (c->pcm)
		snd_pcm_close(c->pcm);
	free(c);
	return NULL;
}

void
audio_capture_read(void *h, float *buf, size_t n)
{
	struct audio_capture *c = h;
	snd_pcm_sframes_t avail = snd_pcm_avail_update(c->pcm);
	size_t got = 0;

	if (avail == -EPIPE || avail == -ESTRPIPE) {
		c->overruns++;
		snd_pcm_recover(c->pcm, (int)avail, 1);
		snd_pcm_start(c->pcm);
	} else if (avail > (snd_pcm_sframes_t)(KEEP_FRAMES + n))
		snd_pcm_forward(c->pcm, (snd_pcm_uframes_t)(avail - KEEP_FRAMES));
	while (got < n) {
		size_t want = n - got, max = sizeof(c->tmp) / sizeof(c->tmp[0]) / 2;
		snd_pcm_sframes_t r;

		if (want > max)
			want = max;
		r = snd_pcm_readi(c->pcm, c->tmp, want);
		if (r == -EAGAIN || r == 0)
			break;
		if (r < 0) {
			c->overruns++;
			if (snd_pcm_recover(c->pcm, (int)r, 1) < 0)
				break;
			snd_pcm_start(c->pcm);
			break;
		}
		for (snd_pcm_sframes_t i = 0; i < r; i++) {
			float l = (float)c->tmp[i * c->ch] / 32768.0f;
			float rr = c->ch == 2 ? (float)c->tmp[i * 2 + 1] / 32768.0f : l;
			buf[(got + (size_t)i) * 2] = l;
			buf[(got + (size_t)i) * 2 + 1] = rr;
		}
		got += (size_t)r;
	}
	if (got > 0)
		audio_rider_run(c->rider, buf, got);
	c->frames += (long long)got;
	if (got < n)
		memset(buf + got * 2, 0, (n - got) * 2 * sizeof(float));
}

long long
audio_capture_heard_ms(const struct audio_capture *c)
{
	return c->frames * 1000 / AUDIO_CAPTURE_RATE;
}

int
audio_capture_overruns(const struct audio_capture *c)
{
	return c->overruns;
}

void
audio_capture_close(struct audio_capture *c)
{
	if (c == NULL)
		return;
	snd_pcm_close(c->pcm);
	audio_rider_free(c->rider);
	free(c);
}
