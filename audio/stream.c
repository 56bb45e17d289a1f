/*
 * stream: see stream.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audio/avchild.h"
#include "audio/rider.h"
#include "audio/stream.h"

#define FRAME_BYTES	(AUDIO_STREAM_CH * 2)
#define PIPE_BYTES	(1 << 20)
#define REBUFFER_MS	500	/* after running dry, wait until this much is buffered */
#define UP_MS		1000	/* usable audio this recently: up */

struct audio_stream {
	struct audio_stream_conf conf;
	char		*url;
	pid_t		 pid;		/* 0: no child */
	int		 pcm, st;	/* its stdout and stderr */
	char		 line[512];	/* a status line being read */
	size_t		 linelen;
	unsigned char	 carry[FRAME_BYTES + 1];	/* a frame split across reads (and one probing byte) */
	int		 ncarry;
	int		 buffering;	/* waiting for REBUFFER_MS before handing out audio */
	long long	 retry_at;	/* mono ms when a new child may start */
	long		 backoff_ms;
	long long	 good_ms;	/* mono ms of the last usable audio handed out (or the item's start) */
	long long	 quiet_since;	/* dead air: mono ms since peaks were below dead_db; -1: not quiet */
	int		 dead;		/* dead air counted as a dropout now */
	int		 was_up;
	int		 eof;
	int		 begun;		/* an item has read it: down time runs on across items */		/* the child's output ended: dropped after what it gave is counted */
	float		 dead_lin;
	struct audio_rider *rider;
	struct audio_stream_stats s;
	int16_t		 tmp[4096 * AUDIO_STREAM_CH];
};

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
fault(struct audio_stream *a, const char *reason, const char *words)
{
	if (reason) {
		snprintf(a->s.reason, sizeof(a->s.reason), "%s", reason);
		snprintf(a->s.error, sizeof(a->s.error), "%s", words ? words : "");
	}
	if (a->was_up)
		a->s.dropouts++;
	a->was_up = 0;
}

/* copies text into out, each control character a space: the child decodes hostile input, trust none of it */
static void
clean_copy(char *out, size_t outlen, const char *text)
{
	size_t i;

	snprintf(out, outlen, "%s", text);
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
}

void
audio_stream_status_line(struct audio_stream_stats *st, const char *line)
{
	if (strncmp(line, "connected ", 10) == 0)
		clean_copy(st->format, sizeof(st->format), line + 10);
	else if (strncmp(line, "title ", 6) == 0)
		clean_copy(st->title, sizeof(st->title), line + 6);
	else if (strncmp(line, "error ", 6) == 0) {
		char r[32] = "";
		int off = 0;
		if (sscanf(line + 6, "%31s %n", r, &off) >= 1 && off > 0) {
			clean_copy(st->reason, sizeof(st->reason), r);
			clean_copy(st->error, sizeof(st->error), line + 6 + off);
		}
	} else if (strcmp(line, "ended") == 0) {
		snprintf(st->reason, sizeof(st->reason), "ended");
		snprintf(st->error, sizeof(st->error), "the stream ended");
	}
	/* anything else: not a status line, ignored */
}

/* the status lines the child wrote so far */
static void
status(struct audio_stream *a)
{
	char buf[1024];
	ssize_t n;

	while (a->st >= 0 && (n = read(a->st, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (a->linelen + 1 < sizeof(a->line))
					a->line[a->linelen++] = buf[i];
				continue;
			}
			a->line[a->linelen] = '\0';
			a->linelen = 0;
			audio_stream_status_line(&a->s, a->line);
		}
	}
}

static void
stop_child(struct audio_stream *a)
{
	if (a->pid > 0) {
		kill(a->pid, SIGKILL);
		while (waitpid(a->pid, NULL, 0) < 0 && errno == EINTR)
			;
		status(a);
	}
	if (a->pcm >= 0)
		close(a->pcm);
	if (a->st >= 0)
		close(a->st);
	a->pid = 0;
	a->pcm = a->st = -1;
	a->ncarry = 0;
	a->linelen = 0;
	a->buffering = 1;
}

/* the child went away or stalled: kill it, try again after the backoff */
static void
drop(struct audio_stream *a, const char *reason, const char *words)
{
	stop_child(a);
	if (strcmp(a->s.reason, "") == 0 || reason)
		fault(a, reason, words);
	else
		fault(a, NULL, NULL);
	a->retry_at = mono_ms() + a->backoff_ms;
	a->backoff_ms = a->backoff_ms * 2 > AUDIO_STREAM_BACKOFF_MAX_MS ? AUDIO_STREAM_BACKOFF_MAX_MS : a->backoff_ms * 2;
}

static int
start_child(struct audio_stream *a, char *err, size_t errlen)
{
	if (avchild_stream(a->url, AUDIO_STREAM_RATE, AUDIO_STREAM_CH, AUDIO_STREAM_STALL_MS, &a->pid, &a->pcm, &a->st,
	    err, errlen) < 0)
		return -1;
	fcntl(a->pcm, F_SETPIPE_SZ, PIPE_BYTES);	/* as deep as the system lets an unprivileged pipe be */
	a->s.connects++;
	a->buffering = 1;
	a->s.format[0] = '\0';
	return 0;
}

struct audio_stream *
audio_stream_new(const struct audio_stream_conf *c, char *err, size_t errlen)
{
	struct audio_stream *a = calloc(1, sizeof(*a));

	if (a == NULL || (a->url = strdup(c->url)) == NULL) {
		free(a);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	a->conf = *c;
	a->conf.url = a->url;
	a->pcm = a->st = -1;
	a->backoff_ms = 1000;
	a->quiet_since = -1;
	a->dead_lin = (float)pow(10.0, c->dead_db / 20.0);
	a->good_ms = mono_ms();
	a->rider = audio_rider_new(AUDIO_STREAM_RATE, AUDIO_STREAM_CH, c->target_lufs, 0);
	if (a->rider == NULL || start_child(a, err, errlen) < 0) {
		audio_rider_free(a->rider);
		free(a->url);
		free(a);
		return NULL;
	}
	return a;
}

/* bytes waiting in the pipe */
static long
pending(const struct audio_stream *a)
{
	int n = 0;

	return a->pcm >= 0 && ioctl(a->pcm, FIONREAD, &n) == 0 ? n : 0;
}

/* up to n frames of the child's PCM into buf (floats); frames read */
static size_t
take(struct audio_stream *a, float *buf, size_t n)
{
	size_t got = 0;

	while (got < n && a->pcm >= 0) {
		size_t want = n - got, max = sizeof(a->tmp) / FRAME_BYTES;
		unsigned char *b = (unsigned char *)a->tmp;
		ssize_t r;
		size_t bytes, frames;

		if (want > max)
			want = max;
		memcpy(b, a->carry, (size_t)a->ncarry);
		r = read(a->pcm, b + a->ncarry, want * FRAME_BYTES - (size_t)a->ncarry);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;	/* EAGAIN: nothing more now */
		}
		if (r == 0) {	/* the child ended */
			a->eof = 1;
			break;
		}
		bytes = (size_t)r + (size_t)a->ncarry;
		frames = bytes / FRAME_BYTES;
		a->ncarry = (int)(bytes % FRAME_BYTES);
		memcpy(a->carry, b + frames * FRAME_BYTES, (size_t)a->ncarry);
		for (size_t i = 0; i < frames * AUDIO_STREAM_CH; i++)
			buf[got * AUDIO_STREAM_CH + i] = (float)a->tmp[i] / 32768.0f;
		got += frames;
	}
	return got;
}

void
audio_stream_read(struct audio_stream *a, float *buf, size_t n)
{
	long long now = mono_ms();
	size_t got = 0;
	float peak = 0;

	status(a);
	if (a->pid == 0 && now >= a->retry_at) {
		char e[256];
		if (start_child(a, e, sizeof(e)) < 0) {
			fault(a, "decoder", e);
			a->retry_at = now + AUDIO_STREAM_BACKOFF_MAX_MS;
		}
	}
	if (a->pid > 0) {
		long have = pending(a);
		if (a->buffering && have == 0) {
			/* an empty pipe: EOF when the child has gone; a byte that came meanwhile is kept */
			ssize_t r = read(a->pcm, a->carry + a->ncarry, 1);
			if (r == 0)
				a->eof = 1;
			else if (r == 1)
				a->ncarry++;
		}
		if (a->buffering && have >= (long)REBUFFER_MS * AUDIO_STREAM_RATE / 1000 * FRAME_BYTES)
			a->buffering = 0;
		if (a->buffering && have > 0) {
			/*
			 * less than the cushion, from a child that has gone (it timed
			 * out on a stalled server): no more will come, so what it left
			 * is taken and its end seen; waiting for the cushion here kept
			 * the stream from ever being tried again
			 */
			struct pollfd p = { a->pcm, POLLIN, 0 };
			if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP))
				a->buffering = 0;
		}
		if (!a->buffering) {
			got = take(a, buf, n);
			if (got < n && a->pid > 0)
				a->buffering = 1;	/* ran dry: build a cushion again before going on */
		}
		if (a->pid > 0 && got == 0 && now - a->good_ms > AUDIO_STREAM_STALL_MS && pending(a) == 0 && a->was_up)
			drop(a, "timeout", "no data from the stream for 2 s");
	}
	for (size_t i = 0; i < got * AUDIO_STREAM_CH; i++)
		peak = fmaxf(peak, fabsf(buf[i]));
	if (a->eof) {
		a->eof = 0;
		if (got > 0)	/* its last audio counts as heard before the fault */
			a->good_ms = now;
		drop(a, a->s.reason[0] ? NULL : "ended", a->s.reason[0] ? NULL : "the stream ended");
	}
	if (got > 0) {
		audio_rider_run(a->rider, buf, got);
		/* dead air: the connection holds but nothing is said */
		if (a->conf.dead_ms > 0 && peak < a->dead_lin) {
			if (a->quiet_since < 0)
				a->quiet_since = now;
			if (!a->dead && now - a->quiet_since >= a->conf.dead_ms) {
				a->dead = 1;
				fault(a, "dead-air", "the stream is silent");
			}
		} else {
			a->quiet_since = -1;
			a->dead = 0;
		}
		if (!a->dead) {
			a->good_ms = now;
			a->was_up = a->pid > 0;	/* a child that just ended is not up */
			a->backoff_ms = 1000;
			a->s.heard_ms += (long long)got * 1000 / AUDIO_STREAM_RATE;
		} else
			a->s.dropout_ms += (long long)got * 1000 / AUDIO_STREAM_RATE;
	}
	if (got < n) {
		memset(buf + got * AUDIO_STREAM_CH, 0, (n - got) * AUDIO_STREAM_CH * sizeof(float));
		a->s.dropout_ms += (long long)(n - got) * 1000 / AUDIO_STREAM_RATE;
		if (a->was_up && now - a->good_ms > UP_MS)
			fault(a, a->s.reason[0] ? NULL : "timeout", NULL);
	}
}

int
audio_stream_up(struct audio_stream *a)
{
	long long now = mono_ms();

	status(a);
	/* between reads (a fallback bulletin airs): audio waiting in the pipe from a live child */
	if (a->pid > 0 && !a->dead && pending(a) >= (long)REBUFFER_MS * AUDIO_STREAM_RATE / 1000 * FRAME_BYTES)
		return 1;
	return a->pid > 0 && !a->dead && now - a->good_ms <= UP_MS;
}

long long
audio_stream_down_ms(struct audio_stream *a)
{
	long long d = mono_ms() - a->good_ms;

	return audio_stream_up(a) ? 0 : d;
}

/*
 * The relay's start: what the child decoded while the stream was opened
 * ahead is seconds old (the lead, and the server's burst on connecting).
 * Aired, it would put the relay that far behind the station for the whole
 * slot: the end of the programme before at the slot's start, and the news'
 * last seconds cut at its end. Only the newest REBUFFER_MS are kept.
 */
static void
catch_up(struct audio_stream *a)
{
	long keep = (long)REBUFFER_MS * AUDIO_STREAM_RATE / 1000 * FRAME_BYTES;
	long extra = pending(a) - keep;
	unsigned char *b = (unsigned char *)a->tmp;

	if (extra <= 0)
		return;
	/* whole frames: the split one in carry goes with them */
	extra -= (extra + a->ncarry) % FRAME_BYTES;
	a->ncarry = 0;
	while (extra > 0) {
		ssize_t r = read(a->pcm, b, extra < (long)sizeof(a->tmp) ? (size_t)extra : sizeof(a->tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		extra -= r;
	}
}

void
audio_stream_begin(struct audio_stream *a)
{
	if (!a->begun && a->pid > 0)
		catch_up(a);
	if (!a->begun)	/* the relay's start; after a fallback the stream is as down as it was */
		a->good_ms = mono_ms();
	a->begun = 1;
	if (a->pid == 0 && a->retry_at > mono_ms())
		a->retry_at = mono_ms();	/* try at once: the slot has begun */
	if (a->pid > 0 && a->s.reason[0] && strcmp(a->s.reason, "dead-air") != 0) {
		/* a child that has stalled while nobody read: drain what it left, start over */
		long left = pending(a);
		if (left >= PIPE_BYTES - 65536)
			drop(a, NULL, NULL);
	}
}

void
audio_stream_stats(const struct audio_stream *a, struct audio_stream_stats *out)
{
	*out = a->s;
}

double
audio_stream_gain_db(const struct audio_stream *a)
{
	return audio_rider_gain_db(a->rider);
}

void
audio_stream_free(struct audio_stream *a)
{
	if (a == NULL)
		return;
	stop_child(a);
	audio_rider_free(a->rider);
	free(a->url);
	free(a);
}
