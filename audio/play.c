/*
 * play: see play.h.
 *
 * An item goes through three phases:
 *   WRITE  blocks are made (decode, fades, gain or limiter) into `ob` and
 *          handed to the output whenever its descriptors say there is room;
 *   FLUSH  the source is exhausted: the output's last staged block is
 *          handed over and playback started (a short item never fills the
 *          buffer, so it would not start by itself);
 *   DRAIN  everything is with the device: the timerfd wakes the loop when
 *          the device should have played it out, and the output's queue is
 *          asked until it is empty.
 * The fade-out at the end of a file needs to know where the end is before
 * writing it, so the last fade_ms of decoded frames are always held back
 * (`hb`) until the next read says whether more follow.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "audio/decode.h"
#include "audio/dsp.h"
#include "audio/limit.h"
#include "audio/play.h"
#include "audio/stream.h"
#include "base/translate.h"

#define CHUNK		2048	/* frames decoded per block */
#define CHUNKS_PER_CALL	16	/* bounds one service() call on a sink that takes all at once */
#define SILENCE_RATE	44100

enum phase { PH_IDLE, PH_WRITE, PH_FLUSH, PH_DRAIN, PH_END };

struct audio_player {
	struct audio_out *out;
	int		 fade_ms;
	double		 ceiling;	/* linear */
	int		 tfd;

	enum audio_state state;
	enum phase	 phase;
	enum audio_state outcome;	/* what the item ends as once drained */
	int		 wake;		/* the timerfd is armed to fire at once */

	/* the item */
	struct audio_dec *dec;
	void		*stream;	/* a live source: a relayed stream, a microphone (not owned) */
	void		(*stream_read)(void *, float *, size_t);
	long		 stream_left;	/* its frames still to come */
	long		 rate;
	int		 ch;
	long		 silence_left;	/* frames; silence item when dec == NULL */
	int		 src_done;
	int		 silence;	/* a silence item */
	long		 fade;		/* frames */
	uint64_t	 pos_in;	/* frames decoded before hb[0] */
	float		 gain;
	double		 gain_db;
	int		 use_limiter;
	double		 limited_db;
	long		 stop_left;	/* frames of stop fade still to go; -1: not stopping */
	long		 stop_len;

	float		*hb;		/* held-back + new decoded frames */
	long		 hb_len;
	float		*ob;		/* processed, waiting for the output */
	long		 ob_len, ob_off;
	size_t		 hb_cap, ob_cap;	/* floats */

	struct audio_limit *lim;
	long		 lim_rate;
	int		 lim_ch;

	uint64_t	 frames;
	struct timespec	 t_first, t_end;
	int		 have_first, have_end;
	char		 err[512];
};

static void
seterr(struct audio_player *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
}

/*
 * dB <-> linear with exp2() and no other libm function: libmpg123 has
 * touched exp2's pages already, and every further libm function costs
 * resident pages on a board with 512 MiB (the benchmark counts them).
 */
#define LOG2_10_20 0.16609640474436813	/* log2(10) / 20 */

static double
db2lin(double db)
{
	return exp2(db * LOG2_10_20);
}

/* 20 log10(g) for g > 0, by frexp() and the atanh series (error < 1e-6 dB) */
static double
lin2db(double g)
{
	int e;
	double m = frexp(g, &e), z = (m - 1) / (m + 1), z2 = z * z, t = z, ln = 0;

	for (int k = 1; k <= 15; k += 2, t *= z2)
		ln += t / k;
	ln = 2 * ln + e * 0.6931471805599453;
	return ln * 8.685889638065035;	/* 20 / ln(10) */
}

double
audio_gain_for(double target, double loudness, double adjust, double tp, int *capped)
{
	double g = target - loudness + adjust, c = 0;

	if (isfinite(tp) && g > AUDIO_CEILING_DB + AUDIO_LIMIT_MAX_DB - tp) {
		g = AUDIO_CEILING_DB + AUDIO_LIMIT_MAX_DB - tp;
		c = 1;
	}
	if (g > AUDIO_GAIN_MAX_DB) {
		g = AUDIO_GAIN_MAX_DB;
		c = 1;
	}
	if (g < AUDIO_GAIN_MIN_DB) {
		g = AUDIO_GAIN_MIN_DB;
		c = 1;
	}
	if (capped)
		*capped = (int)c;
	return g;
}

struct audio_player *
audio_player_new(struct audio_out *out, const struct audio_play_conf *conf)
{
	struct audio_player *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->out = out;
	p->fade_ms = conf && conf->fade_ms > 0 ? conf->fade_ms : 0;
	if (p->fade_ms > 1000)
		p->fade_ms = 1000;
	p->ceiling = db2lin(conf && conf->ceiling_db < 0 ? conf->ceiling_db : AUDIO_CEILING_DB);
	p->state = AUDIO_IDLE;
	p->phase = PH_IDLE;
	if ((p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

void
audio_player_free(struct audio_player *p)
{
	if (p == NULL)
		return;
	audio_dec_close(p->dec);
	audio_limit_free(p->lim);
	free(p->hb);
	free(p->ob);
	close(p->tfd);
	free(p);
}

static void
arm(struct audio_player *p, long us)
{
	struct itimerspec it;

	memset(&it, 0, sizeof(it));
	if (us < 1)
		us = 1;
	it.it_value.tv_sec = us / 1000000;
	it.it_value.tv_nsec = (us % 1000000) * 1000;
	timerfd_settime(p->tfd, 0, &it, NULL);
}

static void
disarm(struct audio_player *p)
{
	struct itimerspec it;
	uint64_t x;

	memset(&it, 0, sizeof(it));
	timerfd_settime(p->tfd, 0, &it, NULL);
	while (read(p->tfd, &x, sizeof(x)) > 0)
		;
	p->wake = 0;
}

/* hb holds a block and the held-back fade; ob that plus what the limiter holds */
static int
buffers(struct audio_player *p, int ch, long latency)
{
	size_t hb = (size_t)(CHUNK + p->fade) * (size_t)ch, ob = hb + (size_t)latency * (size_t)ch;
	float *n;

	if (hb > p->hb_cap) {
		if ((n = realloc(p->hb, sizeof(float) * hb)) == NULL)
			return -1;
		p->hb = n;
		p->hb_cap = hb;
	}
	if (ob > p->ob_cap) {
		if ((n = realloc(p->ob, sizeof(float) * ob)) == NULL)
			return -1;
		p->ob = n;
		p->ob_cap = ob;
	}
	return 0;
}

/* the end of the item, whatever it was: results kept for the caller */
static void
finish(struct audio_player *p, enum audio_state st)
{
	audio_dec_close(p->dec);
	p->dec = NULL;
	p->stream = NULL;
	p->phase = PH_END;
	p->state = st;
	clock_gettime(CLOCK_BOOTTIME, &p->t_end);
	p->have_end = 1;
	disarm(p);
}

static int
begin(struct audio_player *p, long rate, int ch)
{
	char e[384];

	if (p->phase == PH_WRITE || p->phase == PH_FLUSH || p->phase == PH_DRAIN) {
		seterr(p, "%s", _("the player is busy with another item (stop it first)"));
		return -1;
	}
	disarm(p);
	if (audio_out_open(p->out, rate, ch, e, sizeof(e)) < 0) {
		seterr(p, "%s", e);
		return -1;
	}
	p->rate = rate;
	p->ch = ch;
	p->src_done = 0;
	p->silence = 0;
	p->pos_in = 0;
	p->hb_len = 0;
	p->ob_len = p->ob_off = 0;
	p->stop_left = -1;
	p->frames = 0;
	p->have_first = p->have_end = 0;
	p->limited_db = 0;
	p->outcome = AUDIO_DONE;
	p->err[0] = '\0';
	p->fade = (long)((double)rate * p->fade_ms / 1000.0);
	if (buffers(p, ch, 0) < 0) {
		seterr(p, "%s", strerror(ENOMEM));
		return -1;
	}
	p->phase = PH_WRITE;
	p->state = AUDIO_PLAYING;
	return 0;
}

static int
fail_start(struct audio_player *p, char *err, size_t errlen)
{
	audio_dec_close(p->dec);
	p->dec = NULL;
	p->phase = PH_END;
	p->state = AUDIO_FAILED;
	clock_gettime(CLOCK_BOOTTIME, &p->t_end);
	p->have_end = 1;
	if (err && errlen)
		snprintf(err, errlen, "%s", p->err);
	return -1;
}

/* the limiter for the item's rate and channels, at its gain, reset; -1 (out of memory) */
static int
limiter(struct audio_player *p)
{
	if (p->lim == NULL || p->lim_rate != p->rate || p->lim_ch != p->ch) {
		audio_limit_free(p->lim);
		if ((p->lim = audio_limit_new(p->rate, p->ch, p->ceiling)) == NULL) {
			seterr(p, "%s", strerror(ENOMEM));
			return -1;
		}
		p->lim_rate = p->rate;
		p->lim_ch = p->ch;
	}
	audio_limit_reset(p->lim);
	audio_limit_set_gain(p->lim, p->gain);
	if (buffers(p, p->ch, (long)audio_limit_latency(p->lim)) < 0) {
		seterr(p, "%s", strerror(ENOMEM));
		return -1;
	}
	return 0;
}

int
audio_player_start_item(struct audio_player *p, const struct audio_item *it, char *err, size_t errlen)
{
	struct audio_dec *d;
	char e[384];
	double g;

	if (it->path == NULL) {
		if (audio_player_start_silence(p, it->silence_ms) < 0)
			return fail_start(p, err, errlen);
		return 0;
	}
	if (p->phase == PH_WRITE || p->phase == PH_FLUSH || p->phase == PH_DRAIN) {
		seterr(p, "%s", _("the player is busy with another item (stop it first)"));
		if (err && errlen)
			snprintf(err, errlen, "%s", p->err);
		return -1;
	}
	if ((d = audio_dec_open(it->path, e, sizeof(e))) == NULL) {
		seterr(p, "%s", e);
		return fail_start(p, err, errlen);
	}
	if (begin(p, audio_dec_rate(d), audio_dec_channels(d)) < 0) {
		audio_dec_close(d);
		return fail_start(p, err, errlen);
	}
	p->dec = d;
	g = it->gain_db;
	if (g > AUDIO_GAIN_MAX_DB)
		g = AUDIO_GAIN_MAX_DB;
	if (g < AUDIO_GAIN_MIN_DB)
		g = AUDIO_GAIN_MIN_DB;
	p->gain = (float)db2lin(g);
	p->gain_db = g;
	/* the measured true peak bounds every sample: no limiter needed below the ceiling */
	p->use_limiter = !(isfinite(it->true_peak_db) && db2lin(it->true_peak_db + g) <= p->ceiling);
	if (p->use_limiter && limiter(p) < 0)
		return fail_start(p, err, errlen);
	return 0;
}

int
audio_player_start_file(struct audio_player *p, const char *path, double gain_db, char *err, size_t errlen)
{
	struct audio_item it = { .path = path, .gain_db = gain_db, .true_peak_db = NAN };

	return audio_player_start_item(p, &it, err, errlen);
}

int
audio_player_start_silence(struct audio_player *p, long ms)
{
	long rate = p->rate > 0 ? p->rate : SILENCE_RATE;
	int ch = p->ch > 0 ? p->ch : 1;

	if (ms < 0)
		ms = 0;
	if (begin(p, rate, ch) < 0) {
		p->phase = PH_END;
		p->state = AUDIO_FAILED;
		return -1;
	}
	p->dec = NULL;
	p->silence = 1;
	p->silence_left = (long)((double)rate * (double)ms / 1000.0);
	if (p->silence_left == 0)
		p->src_done = 1;
	p->use_limiter = 0;
	p->gain = 1.0f;
	p->gain_db = 0;
	return 0;
}

static void
stream_read(void *st, float *buf, size_t n)
{
	audio_stream_read(st, buf, n);
}

int
audio_player_start_stream(struct audio_player *p, struct audio_stream *st, long ms, char *err, size_t errlen)
{
	if (audio_player_start_source(p, stream_read, st, AUDIO_STREAM_RATE, AUDIO_STREAM_CH, ms, err, errlen) < 0)
		return -1;
	audio_stream_begin(st);
	return 0;
}

int
audio_player_start_source(struct audio_player *p, void (*rd)(void *, float *, size_t), void *src, long rate, int ch,
    long ms, char *err, size_t errlen)
{
	if (begin(p, rate, ch) < 0)
		return fail_start(p, err, errlen);
	p->stream = src;
	p->stream_read = rd;
	p->stream_left = (long)((long long)rate * (ms > 0 ? ms : 0) / 1000);
	p->gain = 1.0f;
	p->gain_db = 0;
	p->use_limiter = 1;
	return limiter(p) < 0 ? fail_start(p, err, errlen) : 0;
}

/* smoothstep: 0 at x = 0, 1 at x = 1, flat at both ends (no click); no libm */
static float
ramp(double x)
{
	return (float)(x * x * (3.0 - 2.0 * x));
}

static void
stop_ramp(struct audio_player *p, float *f, long n)
{
	long i;

	for (i = 0; i < n && p->stop_left > 0; i++, p->stop_left--) {
		float g = ramp((double)p->stop_left / (double)p->stop_len);
		for (int c = 0; c < p->ch; c++)
			f[i * p->ch + c] *= g;
	}
	if (p->stop_left == 0)
		p->ob_len = (long)(f - p->ob) / p->ch + i;	/* the rest is never heard */
}

/* makes the next block in ob; its length (may be 0 while the source goes on) */
static long
produce(struct audio_player *p)
{
	int ch = p->ch;
	long n, emit, total, keep;
	int eof = 0;

	p->ob_len = p->ob_off = 0;
	if (p->src_done)
		return 0;
	if (p->dec == NULL && p->stream == NULL) {
		n = p->silence_left < CHUNK ? p->silence_left : CHUNK;
		memset(p->ob, 0, sizeof(float) * (size_t)(n * ch));
		p->silence_left -= n;
		if (p->silence_left == 0)
			p->src_done = 1;
		p->ob_len = n;
		return n;
	}
	if (p->stream) {
		n = p->stream_left < CHUNK ? p->stream_left : CHUNK;
		if (n > 0)
			p->stream_read(p->stream, p->hb + p->hb_len * ch, (size_t)n);
		p->stream_left -= n;
	} else
		n = audio_dec_read(p->dec, p->hb + p->hb_len * ch, CHUNK);
	if (n < 0) {
		/* a damaged file: what was decoded fades out, then the item fails */
		seterr(p, "%s", audio_dec_error(p->dec));
		p->outcome = AUDIO_FAILED;
		eof = 1;
		n = 0;
	} else if (n == 0)
		eof = 1;
	total = p->hb_len + n;
	keep = eof ? 0 : (total > p->fade ? p->fade : total);
	emit = total - keep;
	/* fade in over the first frames of the file */
	for (long i = 0; i < emit && p->pos_in + (uint64_t)i < (uint64_t)p->fade; i++) {
		float g = ramp((double)(p->pos_in + (uint64_t)i) / (double)p->fade);
		for (int c = 0; c < ch; c++)
			p->hb[i * ch + c] *= g;
	}
	/* fade out over the last ones */
	if (eof && p->fade > 0) {
		long f = total < p->fade ? total : p->fade;
		for (long i = 0; i < f; i++) {
			float g = ramp((double)(f - i) / (double)(f + 1));
			for (int c = 0; c < ch; c++)
				p->hb[(total - f + i) * ch + c] *= g;
		}
	}
	if (p->use_limiter) {
		p->ob_len = (long)audio_limit_run(p->lim, p->hb, (size_t)emit, p->ob);
		if (eof) {
			p->ob_len += (long)audio_limit_flush(p->lim, p->ob + p->ob_len * ch);
			double m = audio_limit_min_gain(p->lim);
			p->limited_db = m < 1.0 ? -lin2db(m) : 0.0;
		}
	} else {
		if (p->gain == 1.0f)
			memcpy(p->ob, p->hb, sizeof(float) * (size_t)(emit * ch));
		else
			audio_dsp_scale(p->ob, p->hb, (size_t)(emit * ch), p->gain);
		p->ob_len = emit;
	}
	if (keep > 0)
		memmove(p->hb, p->hb + emit * ch, sizeof(float) * (size_t)(keep * ch));
	p->hb_len = keep;
	p->pos_in += (uint64_t)emit;
	if (eof) {
		p->src_done = 1;
		audio_dec_close(p->dec);
		p->dec = NULL;
		p->stream = NULL;
	}
	if (p->stop_left >= 0)
		stop_ramp(p, p->ob, p->ob_len);
	if (p->stop_left == 0) {
		p->src_done = 1;
		audio_dec_close(p->dec);
		p->dec = NULL;
		p->stream = NULL;
	}
	return p->ob_len;
}

static enum audio_state
out_failed(struct audio_player *p, const char *e)
{
	seterr(p, "%s", e);
	finish(p, AUDIO_FAILED);
	return p->state;
}

static enum audio_state
do_write(struct audio_player *p)
{
	char e[384];

	for (int i = 0; i < CHUNKS_PER_CALL; i++) {
		long w;

		if (p->ob_off == p->ob_len) {
			if (p->src_done) {
				p->phase = PH_FLUSH;
				return AUDIO_PLAYING;
			}
			produce(p);
			continue;
		}
		w = audio_out_write(p->out, p->ob + p->ob_off * p->ch, (size_t)(p->ob_len - p->ob_off), e, sizeof(e));
		if (w < 0)
			return out_failed(p, e);
		if (w == 0)
			return AUDIO_PLAYING;
		if (!p->have_first) {
			clock_gettime(CLOCK_BOOTTIME, &p->t_first);
			p->have_first = 1;
		}
		p->ob_off += w;
		p->frames += (uint64_t)w;
	}
	return AUDIO_PLAYING;
}

static enum audio_state
do_flush(struct audio_player *p)
{
	char e[384];
	int r = audio_out_finish(p->out, e, sizeof(e));

	if (r < 0)
		return out_failed(p, e);
	if (r > 0)
		return AUDIO_PLAYING;
	p->phase = PH_DRAIN;
	arm(p, 0);
	p->wake = 1;
	return AUDIO_PLAYING;
}

static enum audio_state
do_drain(struct audio_player *p)
{
	char e[384];
	long us = audio_out_queued(p->out, e, sizeof(e));

	if (us < 0)
		return out_failed(p, e);
	if (us == 0) {
		audio_out_drop(p->out);	/* only the padding is left */
		finish(p, p->outcome);
		return p->state;
	}
	arm(p, us + 1000);
	return AUDIO_PLAYING;
}

int
audio_player_pollfds(struct audio_player *p, struct pollfd *pfd, int max)
{
	if (max < 1)
		return 0;
	if (p->wake || p->phase == PH_DRAIN) {
		pfd->fd = p->tfd;
		pfd->events = POLLIN;
		pfd->revents = 0;
		return 1;
	}
	if (p->phase == PH_WRITE || p->phase == PH_FLUSH)
		return audio_out_pollfds(p->out, pfd, max);
	return 0;
}

enum audio_state
audio_player_service(struct audio_player *p, struct pollfd *pfd, int n)
{
	struct pollfd ofd[AUDIO_POLLFDS_MAX];
	int no = 0, timer = 0, rev;
	char e[384];

	for (int i = 0; i < n; i++) {
		if (pfd[i].fd == p->tfd) {
			if (pfd[i].revents & POLLIN)
				timer = 1;
		} else if (no < AUDIO_POLLFDS_MAX)
			ofd[no++] = pfd[i];
	}
	if (timer) {
		uint64_t x;

		while (read(p->tfd, &x, sizeof(x)) > 0)
			;
		p->wake = 0;
	}
	switch (p->phase) {
	case PH_WRITE:
	case PH_FLUSH:
		if (no > 0) {
			if ((rev = audio_out_revents(p->out, ofd, no, e, sizeof(e))) < 0)
				return out_failed(p, e);
			if (!(rev & POLLOUT) && !timer)
				return AUDIO_PLAYING;
		}
		if (p->phase == PH_WRITE && do_write(p) != AUDIO_PLAYING)
			return p->state;
		if (p->phase == PH_FLUSH)
			return do_flush(p);
		return AUDIO_PLAYING;
	case PH_DRAIN:
		if (!timer)
			return AUDIO_PLAYING;
		return do_drain(p);
	default:
		return p->state;
	}
}

enum audio_state
audio_player_run(struct audio_player *p)
{
	struct pollfd pfd[AUDIO_POLLFDS_MAX];
	enum audio_state st = p->state;

	while (st == AUDIO_PLAYING) {
		int n = audio_player_pollfds(p, pfd, AUDIO_POLLFDS_MAX);

		if (n > 0 && poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			seterr(p, "poll: %s", strerror(errno));
			finish(p, AUDIO_FAILED);
			return p->state;
		}
		st = audio_player_service(p, pfd, n);
	}
	return st;
}

void
audio_player_stop(struct audio_player *p)
{
	if (p->phase != PH_WRITE || p->stop_left >= 0)
		return;	/* nothing playing, or all of it is with the device already */
	p->outcome = AUDIO_STOPPED;
	if (p->silence) {
		/* dropping silence cannot click: end it now */
		audio_out_drop(p->out);
		finish(p, AUDIO_STOPPED);
		arm(p, 0);	/* so a loop that polls first still hears of it */
		p->wake = 1;
		return;
	}
	p->stop_len = p->fade > 0 ? p->fade : 1;
	p->stop_left = p->stop_len;
	stop_ramp(p, p->ob + p->ob_off * p->ch, p->ob_len - p->ob_off);
	if (p->stop_left == 0) {
		p->src_done = 1;
		audio_dec_close(p->dec);
		p->dec = NULL;
		p->stream = NULL;
	}
}

enum audio_state
audio_player_state(const struct audio_player *p)
{
	return p->state;
}

const char *
audio_player_error(const struct audio_player *p)
{
	return p->err;
}

int
audio_player_first_sample_time(const struct audio_player *p, struct timespec *ts)
{
	if (!p->have_first)
		return -1;
	*ts = p->t_first;
	return 0;
}

int
audio_player_end_time(const struct audio_player *p, struct timespec *ts)
{
	if (!p->have_end)
		return -1;
	*ts = p->t_end;
	return 0;
}

uint64_t
audio_player_frames(const struct audio_player *p)
{
	return p->frames;
}

double
audio_player_gain_db(const struct audio_player *p)
{
	return p->gain_db;
}

double
audio_player_limited_db(const struct audio_player *p)
{
	return p->limited_db;
}
