/*
 * out: see out.h. The shape follows sndio's sio_alsa.c and mpg123's
 * libout123: a handle with backend ops, non-blocking writes driven from the
 * caller's poll loop, xruns recovered where they happen.
 *
 * Between the stream and a backend sits one conversion step, done a block
 * at a time into a staging buffer in the device's format: resample (only
 * when the device refused the stream's rate), map channels, convert and
 * clamp. A block that the device did not take whole stays staged; the next
 * write (or audio_out_flush/finish()) hands the rest over first, so the caller
 * never has to keep track of partial writes in device frames.
 */
#include <alsa/asoundlib.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "audio/dsp.h"
#include "audio/libsndfile.h"
#include "audio/out.h"
#include "base/translate.h"

#define STAGE_FRAMES	4096		/* device frames converted per block */
#define BUFFER_US	500000		/* ALSA buffer: rides out a slow SD card fsync */
#define PERIOD_US	50000

enum fmt { FMT_S16, FMT_S32, FMT_FLOAT };

struct audio_out;

struct out_ops {
	int	(*open)(struct audio_out *, char *, size_t);
	int	(*setup)(struct audio_out *, long rate, int ch, char *, size_t);
	int	(*pollfds)(struct audio_out *, struct pollfd *, int);
	int	(*revents)(struct audio_out *, struct pollfd *, int, char *, size_t);
	long	(*write)(struct audio_out *, const void *, long, char *, size_t);
	int	(*start)(struct audio_out *, char *, size_t);
	long	(*queued)(struct audio_out *, char *, size_t);	/* device frames */
	long	(*tail)(struct audio_out *);	/* silence to pad a stream's end with */
	void	(*drop)(struct audio_out *);
	void	(*close)(struct audio_out *);
};

struct audio_out {
	const struct out_ops *ops;
	char		*device;
	char		*path;		/* file: */
	int		 opened;	/* the device is open */
	int		 configured;	/* and set up for src_rate/src_ch */

	long		 src_rate;
	int		 src_ch;
	long		 dev_rate;
	int		 dev_ch;
	enum fmt	 fmt;
	size_t		 dev_bpf;	/* bytes per device frame */

	double		 step;		/* src_rate / dev_rate; 0: no resampling */
	double		 pos;
	float		 last[2];	/* the source frame before the current block */
	long		 max_take;	/* source frames per block */

	unsigned char	*stage;
	long		 stage_len, stage_off;	/* device frames */
	float		*fbuf;		/* resampled, source channels */
	float		*mbuf;		/* device channels */

	long		 xruns;
	int		 padded;	/* audio_out_finish() wrote the tail */
	long		 tail;		/* device frames of padding at the end */

	snd_pcm_t	*pcm;
	snd_pcm_uframes_t bufsize, period;
	int		 efd;		/* null, file: always ready; wav: a timerfd */
	SNDFILE		*sf;
	struct timespec	 t0;		/* wav: when the frames written so far began to play */
	long long	 written;	/* wav: device frames written since t0 */
};

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* --- ALSA --- */

/*
 * alsa-lib prints its own diagnostics to stderr unless told otherwise. The
 * handler is process-wide: it keeps the last one, which our messages quote.
 */
static char alsa_detail[256];

static void
alsa_quiet(const char *file, int line, const char *func, int e, const char *fmt, ...)
{
	va_list ap;

	(void)file, (void)line, (void)func, (void)e;
	va_start(ap, fmt);
	vsnprintf(alsa_detail, sizeof(alsa_detail), fmt, ap);
	va_end(ap);
}

static const char *
detail(void)
{
	static char buf[sizeof(alsa_detail) + 4];

	if (alsa_detail[0] == '\0')
		return "";
	snprintf(buf, sizeof(buf), " (%s)", alsa_detail);
	alsa_detail[0] = '\0';
	return buf;
}

static int
alsa_fail(struct audio_out *o, int e, const char *what, char *err, size_t errlen)
{
	seterr(err, errlen, _("audio device \"%s\": %s: %s%s"), o->device, what, snd_strerror(e), detail());
	if (o->pcm) {
		snd_pcm_close(o->pcm);
		o->pcm = NULL;
	}
	o->opened = o->configured = 0;
	return -1;
}

static int
alsa_open(struct audio_out *o, char *err, size_t errlen)
{
	int e;

	snd_lib_error_set_handler(alsa_quiet);
	alsa_detail[0] = '\0';
	if ((e = snd_pcm_open(&o->pcm, o->device, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK)) < 0) {
		o->pcm = NULL;
		seterr(err, errlen, _("audio device \"%s\": cannot open it: %s%s; check audio.device and "
		    "that the sound card is connected (aplay -L lists the devices)"), o->device, snd_strerror(e),
		    detail());
		return -1;
	}
	return 0;
}

static int
alsa_setup(struct audio_out *o, long rate, int ch, char *err, size_t errlen)
{
	static const struct { snd_pcm_format_t f; enum fmt m; size_t bytes; } fmts[] = {
		{ SND_PCM_FORMAT_S16, FMT_S16, 2 },
		{ SND_PCM_FORMAT_S32, FMT_S32, 4 },
		{ SND_PCM_FORMAT_FLOAT, FMT_FLOAT, 4 },
	};
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	unsigned int r = (unsigned int)rate, c = (unsigned int)ch, t;
	size_t i;
	int e;

	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	snd_pcm_drop(o->pcm);
	if ((e = snd_pcm_hw_params_any(o->pcm, hw)) < 0)
		return alsa_fail(o, e, _("no usable configuration"), err, errlen);
	if ((e = snd_pcm_hw_params_set_access(o->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0)
		return alsa_fail(o, e, _("no interleaved access"), err, errlen);
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (snd_pcm_hw_params_test_format(o->pcm, hw, fmts[i].f) == 0)
			break;
	if (i == sizeof(fmts) / sizeof(fmts[0]))
		return alsa_fail(o, -EINVAL, _("takes none of S16, S32, FLOAT (use a plughw: or plug: device)"),
		    err, errlen);
	if ((e = snd_pcm_hw_params_set_format(o->pcm, hw, fmts[i].f)) < 0)
		return alsa_fail(o, e, _("cannot set the sample format"), err, errlen);
	o->fmt = fmts[i].m;
	if (snd_pcm_hw_params_test_channels(o->pcm, hw, c) == 0)
		e = snd_pcm_hw_params_set_channels(o->pcm, hw, c);
	else
		e = snd_pcm_hw_params_set_channels_near(o->pcm, hw, &c);
	if (e < 0)
		return alsa_fail(o, e, _("cannot set the channels"), err, errlen);
	snd_pcm_hw_params_set_rate_resample(o->pcm, hw, 1);
	if ((e = snd_pcm_hw_params_set_rate_near(o->pcm, hw, &r, NULL)) < 0)
		return alsa_fail(o, e, _("cannot set the sample rate"), err, errlen);
	t = BUFFER_US;
	snd_pcm_hw_params_set_buffer_time_near(o->pcm, hw, &t, NULL);
	t = PERIOD_US;
	snd_pcm_hw_params_set_period_time_near(o->pcm, hw, &t, NULL);
	if ((e = snd_pcm_hw_params(o->pcm, hw)) < 0)
		return alsa_fail(o, e, _("cannot apply the hardware parameters"), err, errlen);
	snd_pcm_hw_params_get_buffer_size(hw, &o->bufsize);
	snd_pcm_hw_params_get_period_size(hw, &o->period, NULL);
	snd_pcm_hw_params_get_channels(hw, &c);
	snd_pcm_hw_params_get_rate(hw, &r, NULL);
	/* start when the buffer is full (or at audio_out_finish); wake a period at a time */
	if ((e = snd_pcm_sw_params_current(o->pcm, sw)) < 0 ||
	    (e = snd_pcm_sw_params_set_start_threshold(o->pcm, sw, o->bufsize)) < 0 ||
	    (e = snd_pcm_sw_params_set_avail_min(o->pcm, sw, o->period)) < 0 ||
	    (e = snd_pcm_sw_params(o->pcm, sw)) < 0)
		return alsa_fail(o, e, _("cannot apply the software parameters"), err, errlen);
	if ((e = snd_pcm_prepare(o->pcm)) < 0)
		return alsa_fail(o, e, _("cannot prepare"), err, errlen);
	o->dev_rate = (long)r;
	o->dev_ch = (int)c;
	o->dev_bpf = fmts[i].bytes * c;
	return 0;
}

static int
alsa_pollfds(struct audio_out *o, struct pollfd *pfd, int max)
{
	int n = snd_pcm_poll_descriptors(o->pcm, pfd, (unsigned int)max);

	return n < 0 ? 0 : n;
}

/* an xrun or suspend found by the caller's poll or a write: recover, count */
static int
alsa_recover(struct audio_out *o, int e, char *err, size_t errlen)
{
	int r;

	o->xruns++;
	if ((r = snd_pcm_recover(o->pcm, e, 1)) < 0)
		return alsa_fail(o, r, _("cannot recover from an underrun"), err, errlen);
	return 0;
}

static int
alsa_revents(struct audio_out *o, struct pollfd *pfd, int n, char *err, size_t errlen)
{
	unsigned short rev = 0;
	int e;

	if ((e = snd_pcm_poll_descriptors_revents(o->pcm, pfd, (unsigned int)n, &rev)) < 0)
		return alsa_fail(o, e, _("poll failed"), err, errlen);
	switch (snd_pcm_state(o->pcm)) {
	case SND_PCM_STATE_XRUN:
		if (alsa_recover(o, -EPIPE, err, errlen) < 0)
			return -1;
		return POLLOUT;
	case SND_PCM_STATE_SUSPENDED:
		if (alsa_recover(o, -ESTRPIPE, err, errlen) < 0)
			return -1;
		return POLLOUT;
	case SND_PCM_STATE_DISCONNECTED:
		return alsa_fail(o, -ENODEV, _("disconnected"), err, errlen);
	default:
		break;
	}
	if (rev & POLLNVAL)
		return alsa_fail(o, -EBADF, _("poll reported an invalid descriptor"), err, errlen);
	/* an error with the stream still running: a write will say what it is */
	if (rev & (POLLERR | POLLHUP))
		return POLLOUT;
	return rev & POLLOUT;
}

static long
alsa_write(struct audio_out *o, const void *buf, long frames, char *err, size_t errlen)
{
	snd_pcm_sframes_t n;

	for (int tries = 0; tries < 2; tries++) {
		n = snd_pcm_writei(o->pcm, buf, (snd_pcm_uframes_t)frames);
		if (n >= 0)
			return (long)n;
		if (n == -EAGAIN)
			return 0;
		if (n == -EINTR)
			continue;
		if (n == -EPIPE || n == -ESTRPIPE) {
			if (alsa_recover(o, (int)n, err, errlen) < 0)
				return -1;
			continue;
		}
		return alsa_fail(o, (int)n, _("write failed"), err, errlen);
	}
	return 0;
}

static int
alsa_start(struct audio_out *o, char *err, size_t errlen)
{
	int e;

	if (snd_pcm_state(o->pcm) != SND_PCM_STATE_PREPARED)
		return 0;
	if (snd_pcm_avail(o->pcm) >= (snd_pcm_sframes_t)o->bufsize)
		return 0;	/* nothing written: nothing to start */
	if ((e = snd_pcm_start(o->pcm)) < 0)
		return alsa_fail(o, e, _("cannot start"), err, errlen);
	return 0;
}

/* device frames not yet heard; 0 once the stream ran dry or stopped */
static long
alsa_queued(struct audio_out *o, char *err, size_t errlen)
{
	snd_pcm_sframes_t d;
	int e;

	switch (snd_pcm_state(o->pcm)) {
	case SND_PCM_STATE_XRUN:
	case SND_PCM_STATE_SETUP:
		/* ran dry after the last frame: the item's end, not a fault */
		if ((e = snd_pcm_prepare(o->pcm)) < 0)
			return alsa_fail(o, e, _("cannot prepare"), err, errlen);
		return 0;
	case SND_PCM_STATE_SUSPENDED:
		if (alsa_recover(o, -ESTRPIPE, err, errlen) < 0)
			return -1;
		return 0;
	case SND_PCM_STATE_DISCONNECTED:
		return alsa_fail(o, -ENODEV, _("disconnected"), err, errlen);
	case SND_PCM_STATE_RUNNING:
	case SND_PCM_STATE_DRAINING:
		break;
	default:
		return 0;
	}
	if ((e = snd_pcm_delay(o->pcm, &d)) < 0) {
		if (e == -EPIPE || e == -ESTRPIPE)
			return alsa_queued(o, err, errlen);
		return alsa_fail(o, e, _("cannot read the delay"), err, errlen);
	}
	return d > 0 ? (long)d : 0;
}

/* silence written after a stream's last frame, in device frames */
static long
alsa_tail(struct audio_out *o)
{
	return (long)o->period;
}

static void
alsa_drop(struct audio_out *o)
{
	snd_pcm_drop(o->pcm);
	snd_pcm_prepare(o->pcm);
}

static void
alsa_close(struct audio_out *o)
{
	if (o->pcm) {
		snd_pcm_drop(o->pcm);
		snd_pcm_close(o->pcm);
		o->pcm = NULL;
	}
}

static const struct out_ops alsa_ops = {
	alsa_open, alsa_setup, alsa_pollfds, alsa_revents, alsa_write, alsa_start, alsa_queued, alsa_tail,
	alsa_drop, alsa_close,
};

/* --- null and file: sinks that take everything at once --- */

static int
null_open(struct audio_out *o, char *err, size_t errlen)
{
	/* an eventfd is always writable: the caller's poll returns at once */
	if ((o->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		seterr(err, errlen, "%s: eventfd: %s", o->device, strerror(errno));
		return -1;
	}
	return 0;
}

static int
null_setup(struct audio_out *o, long rate, int ch, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	o->dev_rate = rate;
	o->dev_ch = ch;
	o->fmt = FMT_FLOAT;
	o->dev_bpf = sizeof(float) * (size_t)ch;
	return 0;
}

static int
null_pollfds(struct audio_out *o, struct pollfd *pfd, int max)
{
	if (max < 1)
		return 0;
	pfd->fd = o->efd;
	pfd->events = POLLOUT;
	pfd->revents = 0;
	return 1;
}

static int
null_revents(struct audio_out *o, struct pollfd *pfd, int n, char *err, size_t errlen)
{
	(void)o, (void)pfd, (void)n, (void)err, (void)errlen;
	return POLLOUT;
}

static long
null_write(struct audio_out *o, const void *buf, long frames, char *err, size_t errlen)
{
	(void)o, (void)buf, (void)err, (void)errlen;
	return frames;
}

static int
null_start(struct audio_out *o, char *err, size_t errlen)
{
	(void)o, (void)err, (void)errlen;
	return 0;
}

static long
null_queued(struct audio_out *o, char *err, size_t errlen)
{
	(void)o, (void)err, (void)errlen;
	return 0;
}

static long
null_tail(struct audio_out *o)
{
	(void)o;
	return 0;
}

static void
null_drop(struct audio_out *o)
{
	(void)o;
}

static void
null_close(struct audio_out *o)
{
	if (o->efd >= 0)
		close(o->efd);
	o->efd = -1;
}

static const struct out_ops null_ops = {
	null_open, null_setup, null_pollfds, null_revents, null_write, null_start, null_queued, null_tail, null_drop,
	null_close,
};

static int
file_setup(struct audio_out *o, long rate, int ch, char *err, size_t errlen)
{
	const struct libsndfile *sf;
	SF_INFO si;

	if (o->sf != NULL)
		return 0;	/* the file keeps the format of its first stream */
	if ((sf = libsndfile_load(err, errlen)) == NULL)
		return -1;
	memset(&si, 0, sizeof(si));
	si.samplerate = (int)rate;
	si.channels = ch;
	si.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
	if ((o->sf = sf->open(o->path, SFM_WRITE, &si)) == NULL) {
		seterr(err, errlen, _("%s: cannot write: %s"), o->path, sf->strerror(NULL));
		return -1;
	}
	sf->command(o->sf, SFC_SET_UPDATE_HEADER_AUTO, NULL, SF_TRUE);
	return null_setup(o, rate, ch, err, errlen);
}

static long
file_write(struct audio_out *o, const void *buf, long frames, char *err, size_t errlen)
{
	const struct libsndfile *sf = libsndfile_load(NULL, 0);	/* loaded: file_setup succeeded */

	if (sf->writef_float(o->sf, buf, frames) != frames) {
		seterr(err, errlen, _("%s: cannot write: %s"), o->path, sf->strerror(o->sf));
		return -1;
	}
	return frames;
}

static void
file_close(struct audio_out *o)
{
	/* the file stays open across audio_out_close(): one capture per handle */
	(void)o;
}

static const struct out_ops file_ops = {
	null_open, file_setup, null_pollfds, null_revents, file_write, null_start, null_queued, null_tail, null_drop,
	file_close,
};

/*
 * --- wav:PATH: a WAV file that plays like a sound card ---
 * For a machine without a sound card (the demo): frames are taken at the
 * stream's rate with a BUFFER_US buffer, so an airing takes its real time
 * and the daemon's timing is that of a board. What is written goes to
 * PATH as with file:, every stream of the handle one after another.
 */

static double
since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* frames still to be heard */
static long long
wav_pending(struct audio_out *o)
{
	long long played = (long long)(since(&o->t0) * (double)o->dev_rate);

	return o->written > played ? o->written - played : 0;
}

static int
wav_open(struct audio_out *o, char *err, size_t errlen)
{
	if ((o->efd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)) < 0) {
		seterr(err, errlen, "%s: timerfd: %s", o->device, strerror(errno));
		return -1;
	}
	return 0;
}

static long
wav_room(struct audio_out *o)
{
	long long cap = (long long)o->dev_rate * BUFFER_US / 1000000;

	return (long)(cap - wav_pending(o));
}

static int
wav_pollfds(struct audio_out *o, struct pollfd *pfd, int max)
{
	struct itimerspec its = { { 0, 0 }, { 0, 1 } };	/* at once */
	long room = wav_room(o), period = (long)(o->dev_rate * PERIOD_US / 1000000);

	if (max < 1)
		return 0;
	if (room < period && o->dev_rate > 0) {
		long long wait_ns = (long long)(period - room) * 1000000000LL / o->dev_rate;
		its.it_value.tv_sec = (time_t)(wait_ns / 1000000000LL);
		its.it_value.tv_nsec = (long)(wait_ns % 1000000000LL);
	}
	timerfd_settime(o->efd, 0, &its, NULL);
	pfd->fd = o->efd;
	pfd->events = POLLIN;
	pfd->revents = 0;
	return 1;
}

static int
wav_revents(struct audio_out *o, struct pollfd *pfd, int n, char *err, size_t errlen)
{
	uint64_t x;

	(void)err, (void)errlen;
	if (n > 0 && (pfd->revents & POLLIN) && read(o->efd, &x, sizeof(x)) < 0 && errno != EAGAIN)
		return 0;
	return wav_room(o) > 0 ? POLLOUT : 0;
}

static long
wav_write(struct audio_out *o, const void *buf, long frames, char *err, size_t errlen)
{
	long room;

	if (wav_pending(o) == 0) {	/* idle: the clock starts again with this stream */
		clock_gettime(CLOCK_MONOTONIC, &o->t0);
		o->written = 0;
	}
	room = wav_room(o);
	if (frames > room)
		frames = room > 0 ? room : 0;
	if (frames == 0)
		return 0;
	if (file_write(o, buf, frames, err, errlen) < 0)
		return -1;
	o->written += frames;
	return frames;
}

static long
wav_queued(struct audio_out *o, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return (long)wav_pending(o);
}

static void
wav_drop(struct audio_out *o)
{
	clock_gettime(CLOCK_MONOTONIC, &o->t0);
	o->written = 0;
}

static const struct out_ops wav_ops = {
	wav_open, file_setup, wav_pollfds, wav_revents, wav_write, null_start, wav_queued, null_tail, wav_drop,
	file_close,
};

/* --- conversion --- */

static long
resample(struct audio_out *o, const float *in, long n, float *out, long cap)
{
	int ch = o->src_ch;
	double p = o->pos;
	long m = 0;

	/* w[0] = last, w[1..n] = in[0..n-1]; output while w[floor(p) + 1] exists */
	while (p < (double)n && m < cap) {
		long i = (long)p;
		float f = (float)(p - (double)i);

		for (int c = 0; c < ch; c++) {
			float a = i == 0 ? o->last[c] : in[(i - 1) * ch + c];
			float b = in[i * ch + c];
			out[m * ch + c] = a + (b - a) * f;
		}
		m++;
		p += o->step;
	}
	o->pos = p - (double)n;
	for (int c = 0; c < ch; c++)
		o->last[c] = in[(n - 1) * ch + c];
	return m;
}

static void
convert(struct audio_out *o, const float *in, long n)
{
	long ns = n * o->dev_ch;

	switch (o->fmt) {
	case FMT_S16:
		audio_dsp_to_s16((int16_t *)(void *)o->stage, in, (size_t)ns);
		break;
	case FMT_S32:
		audio_dsp_to_s32((int32_t *)(void *)o->stage, in, (size_t)ns);
		break;
	case FMT_FLOAT:
		audio_dsp_clamp((float *)(void *)o->stage, in, (size_t)ns);
		break;
	}
}

static const float *
map_channels(struct audio_out *o, const float *in, long n)
{
	int sc = o->src_ch, dc = o->dev_ch;
	float *d = o->mbuf;

	if (sc == dc)
		return in;
	if (sc == 2 && dc == 1) {
		for (long i = 0; i < n; i++)
			d[i] = (in[2 * i] + in[2 * i + 1]) * 0.5f;
		return d;
	}
	for (long i = 0; i < n; i++) {
		for (int c = 0; c < dc; c++)
			d[i * dc + c] = 0.0f;
		if (sc == 1) {
			d[i * dc] = in[i];
			if (dc > 1)
				d[i * dc + 1] = in[i];
		} else {
			for (int c = 0; c < sc && c < dc; c++)
				d[i * dc + c] = in[i * sc + c];
		}
	}
	return d;
}

/* 0: all staged frames handed over; 1: some left (wait for POLLOUT); -1 */
static int
flush(struct audio_out *o, char *err, size_t errlen)
{
	while (o->stage_off < o->stage_len) {
		long w = o->ops->write(o, o->stage + (size_t)o->stage_off * o->dev_bpf, o->stage_len - o->stage_off,
		    err, errlen);
		if (w < 0) {
			o->stage_off = o->stage_len = 0;
			return -1;
		}
		if (w == 0)
			return 1;
		o->stage_off += w;
	}
	o->stage_off = o->stage_len = 0;
	return 0;
}

/* --- the handle --- */

struct audio_out *
audio_out_new(const char *device, char *err, size_t errlen)
{
	struct audio_out *o;

	if (device == NULL || *device == '\0') {
		seterr(err, errlen, "%s", _("no audio device named (audio.device)"));
		return NULL;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL || (o->device = strdup(device)) == NULL) {
		free(o);
		seterr(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	o->efd = -1;
	if (strcmp(device, "null") == 0)
		o->ops = &null_ops;
	else if (strncmp(device, "file:", 5) == 0 && device[5] != '\0') {
		o->ops = &file_ops;
		o->path = o->device + 5;
	} else if (strncmp(device, "wav:", 4) == 0 && device[4] != '\0') {
		o->ops = &wav_ops;
		o->path = o->device + 4;
	} else
		o->ops = &alsa_ops;
	o->stage = malloc(STAGE_FRAMES * 8 * sizeof(int32_t));
	o->fbuf = malloc(STAGE_FRAMES * 2 * sizeof(float));
	o->mbuf = malloc(STAGE_FRAMES * 8 * sizeof(float));
	if (o->stage == NULL || o->fbuf == NULL || o->mbuf == NULL) {
		seterr(err, errlen, "%s", strerror(ENOMEM));
		audio_out_free(o);
		return NULL;
	}
	if (o->ops->open(o, err, errlen) < 0) {
		audio_out_free(o);
		return NULL;
	}
	o->opened = 1;
	return o;
}

int
audio_out_open(struct audio_out *o, long rate, int channels, char *err, size_t errlen)
{
	if (rate <= 0 || channels < 1 || channels > 2) {
		seterr(err, errlen, _("audio device \"%s\": cannot play %ld Hz with %d channels"), o->device, rate,
		    channels);
		return -1;
	}
	if (o->configured && rate == o->src_rate && channels == o->src_ch)
		return 0;
	if (!o->opened) {
		if (o->ops->open(o, err, errlen) < 0)
			return -1;
		o->opened = 1;
	}
	o->configured = 0;
	o->stage_len = o->stage_off = 0;
	o->padded = 0;
	o->tail = 0;
	if (o->ops->setup(o, rate, channels, err, errlen) < 0)
		return -1;
	if (o->dev_ch < 1 || o->dev_ch > 8 || o->dev_rate <= 0) {
		seterr(err, errlen, _("audio device \"%s\": unusable configuration (%ld Hz, %d channels)"), o->device,
		    o->dev_rate, o->dev_ch);
		audio_out_close(o);
		return -1;
	}
	o->src_rate = rate;
	o->src_ch = channels;
	o->step = o->dev_rate == rate ? 0 : (double)rate / (double)o->dev_rate;
	o->pos = 0;
	o->last[0] = o->last[1] = 0;
	o->max_take = STAGE_FRAMES;
	if (o->step > 0) {
		o->max_take = (long)((double)(STAGE_FRAMES - 2) * o->step);
		if (o->max_take < 1)
			o->max_take = 1;
		if (o->max_take > STAGE_FRAMES)
			o->max_take = STAGE_FRAMES;
	}
	o->configured = 1;
	return 0;
}

int
audio_out_pollfds(struct audio_out *o, struct pollfd *pfd, int max)
{
	if (!o->configured)
		return 0;
	return o->ops->pollfds(o, pfd, max);
}

int
audio_out_revents(struct audio_out *o, struct pollfd *pfd, int n, char *err, size_t errlen)
{
	if (!o->configured) {
		seterr(err, errlen, _("audio device \"%s\": not open"), o->device);
		return -1;
	}
	return o->ops->revents(o, pfd, n, err, errlen);
}

int
audio_out_flush(struct audio_out *o, char *err, size_t errlen)
{
	if (!o->configured) {
		seterr(err, errlen, _("audio device \"%s\": not open"), o->device);
		return -1;
	}
	return flush(o, err, errlen);
}

long
audio_out_write(struct audio_out *o, const float *frames, size_t n, char *err, size_t errlen)
{
	long take, m;
	const float *p;
	int r;

	if (!o->configured) {
		seterr(err, errlen, _("audio device \"%s\": not open"), o->device);
		return -1;
	}
	if ((r = flush(o, err, errlen)) != 0)
		return r < 0 ? -1 : 0;
	if (n == 0)
		return 0;
	if (o->padded) {
		/* a new stream after a finished one */
		o->padded = 0;
		o->tail = 0;
	}
	take = (long)n < o->max_take ? (long)n : o->max_take;
	p = frames;
	m = take;
	if (o->step > 0) {
		m = resample(o, frames, take, o->fbuf, STAGE_FRAMES);
		p = o->fbuf;
	}
	p = map_channels(o, p, m);
	convert(o, p, m);
	o->stage_off = 0;
	o->stage_len = m;
	if (flush(o, err, errlen) < 0)
		return -1;
	return take;
}

int
audio_out_finish(struct audio_out *o, char *err, size_t errlen)
{
	int r;

	if (!o->configured)
		return 0;
	if ((r = flush(o, err, errlen)) != 0)
		return r;
	if (!o->padded) {
		long tail = o->ops->tail(o);

		o->padded = 1;
		o->tail = 0;
		if (tail > STAGE_FRAMES)
			tail = STAGE_FRAMES;
		if (tail > 0) {
			/* zero is silence in every format we negotiate */
			memset(o->stage, 0, (size_t)tail * o->dev_bpf);
			o->stage_off = 0;
			o->stage_len = tail;
			o->tail = tail;
			if ((r = flush(o, err, errlen)) != 0)
				return r;
		}
	}
	return o->ops->start(o, err, errlen);
}

long
audio_out_queued(struct audio_out *o, char *err, size_t errlen)
{
	long f;

	if (!o->configured)
		return 0;
	if ((f = o->ops->queued(o, err, errlen)) < 0)
		return -1;
	f += o->stage_len - o->stage_off;
	f -= o->tail;	/* the padding need not be heard */
	if (f <= 0)
		return 0;
	return (long)((double)f * 1e6 / (double)o->dev_rate);
}

void
audio_out_drop(struct audio_out *o)
{
	o->stage_len = o->stage_off = 0;
	o->padded = 0;
	o->tail = 0;
	if (o->configured)
		o->ops->drop(o);
}

void
audio_out_close(struct audio_out *o)
{
	if (o->opened)
		o->ops->close(o);
	o->opened = o->ops == &file_ops ? o->opened : 0;
	o->configured = 0;
	o->stage_len = o->stage_off = 0;
}

void
audio_out_free(struct audio_out *o)
{
	if (o == NULL)
		return;
	if (o->ops)
		audio_out_close(o);
	if (o->sf)
		libsndfile_load(NULL, 0)->close(o->sf);
	if (o->efd >= 0)
		close(o->efd);
	free(o->stage);
	free(o->fbuf);
	free(o->mbuf);
	free(o->device);
	free(o);
}

const char *
audio_out_device(const struct audio_out *o)
{
	return o->device;
}

long
audio_out_rate(const struct audio_out *o)
{
	return o->dev_rate;
}

int
audio_out_channels(const struct audio_out *o)
{
	return o->dev_ch;
}

const char *
audio_out_format(const struct audio_out *o)
{
	switch (o->fmt) {
	case FMT_S16:
		return "S16";
	case FMT_S32:
		return "S32";
	default:
		return "FLOAT";
	}
}

long
audio_out_xruns(const struct audio_out *o)
{
	return o->xruns;
}

int
audio_out_is_open(const struct audio_out *o)
{
	return o->opened;
}
