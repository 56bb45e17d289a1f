/*
 * sim: see sim.h.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/stream.h"
#include "firmware/sim.h"

struct sim {
	long long	 now, boot0;
	int		 synced;
	int		 device_ok;
	int		 playing;
	long long	 end;
	char		 fail[256];
	int		 files;
	int		 stream_open, streaming;	/* a relay: open, airing */
	long long	 stream_t0;		/* when the airing began */
	char		 prepared[256];		/* the last stream opened ahead, and when; "" none */
	long long	 prepared_at;
	long long	 down_from, down_to;	/* the stream is down in [from, to) */
	struct audio_stream_stats st;
	long long	 live_t0, live_ms;	/* the microphone's item began; heard before it */
	int		 remoting;		/* a remote live's stream airs (its own stats, the same down window) */
	long long	 remote_t0;
	struct audio_stream_stats rst;
};

static long long
c_real(void *h)
{
	return ((struct sim *)h)->now;
}

static long long
c_boot(void *h)
{
	struct sim *s = h;

	return s->now - s->boot0 + 5000;	/* boot time runs with the virtual clock */
}

static int
c_synced(void *h)
{
	return ((struct sim *)h)->synced;
}

static int
p_open(void *h, const char *first, char *err, size_t len)
{
	struct sim *s = h;

	(void)first;
	if (!s->device_ok) {
		snprintf(err, len, "%s", "cannot open audio device \"default\": No such file or directory");
		return -1;
	}
	return 0;
}

static int
p_file(void *h, const char *path, long dur, double gain, char *err, size_t len)
{
	struct sim *s = h;

	(void)path;
	(void)gain;
	if (s->fail[0]) {
		snprintf(err, len, "%s", s->fail);
		s->fail[0] = '\0';
		return -1;
	}
	s->files++;
	s->playing = 1;
	s->end = s->now + (dur > 0 ? dur : 1);
	return 0;
}

static int
p_silence(void *h, long ms)
{
	struct sim *s = h;

	s->playing = 1;
	s->end = s->now + (ms > 0 ? ms : 0);
	return 0;
}

static long long
p_deadline(void *h)
{
	struct sim *s = h;

	return s->playing ? s->end : -1;
}

static int
p_pollfds(void *h, struct pollfd *pfd, int max)
{
	(void)h;
	(void)pfd;
	(void)max;
	return 0;
}

static void stream_account(struct sim *);
static void remote_account(struct sim *);

static enum engine_play
p_service(void *h, struct pollfd *pfd, int n, char *err, size_t len)
{
	struct sim *s = h;

	(void)pfd;
	(void)n;
	(void)err;
	(void)len;
	if (s->playing && s->now >= s->end) {
		if (s->streaming || s->remoting) {
			long long now = s->now;
			s->now = s->end;
			stream_account(s);
			remote_account(s);
			s->now = now;
		}
		if (s->live_t0 >= 0) {
			s->live_ms += s->end - s->live_t0;
			s->live_t0 = -1;
		}
		s->playing = 0;
		return ENGINE_DONE;
	}
	return s->playing ? ENGINE_PLAYING : ENGINE_DONE;
}

/* what a stream item heard and missed from t0 to now, into st */
static void
account(struct sim *s, long long t0, struct audio_stream_stats *st)
{
	long long a = t0, b = s->now, d0, d1, down = 0;

	d0 = s->down_from > a ? s->down_from : a;
	d1 = s->down_to < b ? s->down_to : b;
	if (d1 > d0)
		down = d1 - d0;
	st->heard_ms += b - a - down;
	st->dropout_ms += down;
	if (down > 0) {
		st->dropouts++;
		snprintf(st->reason, sizeof(st->reason), "timeout");
	}
}

static void
remote_account(struct sim *s)
{
	if (!s->remoting)
		return;
	account(s, s->remote_t0, &s->rst);
	s->remoting = 0;
}

/* what the stream item heard and missed since it began, into st */
static void
stream_account(struct sim *s)
{
	long long a = s->stream_t0, b = s->now, d0, d1, down = 0;

	if (!s->streaming)
		return;
	d0 = s->down_from > a ? s->down_from : a;
	d1 = s->down_to < b ? s->down_to : b;
	if (d1 > d0)
		down = d1 - d0;
	s->st.heard_ms += b - a - down;
	s->st.dropout_ms += down;
	if (down > 0) {
		s->st.dropouts++;
		snprintf(s->st.reason, sizeof(s->st.reason), "timeout");
	}
	s->streaming = 0;
}

static void
p_stop(void *h)
{
	struct sim *s = h;

	stream_account(s);
	remote_account(s);
	if (s->playing && s->live_t0 >= 0) {
		s->live_ms += s->now - s->live_t0;
		s->live_t0 = -1;
	}
	s->playing = 0;
}

static int
p_stream_open(void *h, const char *url, double target, double dead_db, long dead_ms, char *err, size_t len)
{
	struct sim *s = h;

	(void)url;
	(void)target;
	(void)dead_db;
	(void)dead_ms;
	(void)err;
	(void)len;
	memset(&s->st, 0, sizeof(s->st));
	s->st.connects = 1;
	s->stream_open = 1;
	return 0;
}

static int
p_start_stream(void *h, long ms, char *err, size_t len)
{
	struct sim *s = h;

	(void)err;
	(void)len;
	s->playing = 1;
	s->streaming = 1;
	s->stream_t0 = s->now;
	s->end = s->now + (ms > 0 ? ms : 0);
	return 0;
}

static long long
p_stream_down_ms(void *h)
{
	struct sim *s = h;

	return s->now >= s->down_from && s->now < s->down_to ? s->now - s->down_from : 0;
}

static void
p_stream_stats(void *h, struct audio_stream_stats *st)
{
	*st = ((struct sim *)h)->st;
}

static int
p_stream_prepare(void *h, const char *url, double target, double dead_db, long dead_ms, char *err, size_t len)
{
	struct sim *s = h;

	(void)target;
	(void)dead_db;
	(void)dead_ms;
	(void)err;
	(void)len;
	snprintf(s->prepared, sizeof(s->prepared), "%s", url);
	s->prepared_at = s->now;
	return 0;
}

const char *
sim_prepared(const struct sim *s, long long *at)
{
	if (at)
		*at = s->prepared_at;
	return s->prepared;
}

static void
p_stream_close(void *h)
{
	((struct sim *)h)->stream_open = 0;
}

/* live: a microphone that is always there; its item lasts until stopped or ms */
static int
p_live_open(void *h, const char *device, double target, char *err, size_t len)
{
	struct sim *s = h;

	(void)target;
	if (!s->device_ok) {
		snprintf(err, len, "microphone \"%s\": No such device", device);
		return -1;
	}
	s->live_t0 = -1;
	s->live_ms = 0;
	return 0;
}

static int
p_start_live(void *h, long ms, char *err, size_t len)
{
	struct sim *s = h;

	(void)err;
	(void)len;
	s->playing = 1;
	s->live_t0 = s->now;
	s->end = s->now + (ms > 0 ? ms : 0);
	return 0;
}

static long long
p_live_heard_ms(void *h)
{
	struct sim *s = h;

	return s->live_ms + (s->playing && s->live_t0 >= 0 ? s->now - s->live_t0 : 0);
}

static void
p_live_close(void *h)
{
	(void)h;
}

/* a remote live: the virtual stream again, with stats of its own */
static int
p_remote_open(void *h, const char *url, double target, char *err, size_t len)
{
	struct sim *s = h;

	(void)url;
	(void)target;
	(void)err;
	(void)len;
	memset(&s->rst, 0, sizeof(s->rst));
	s->rst.connects = 1;
	return 0;
}

static int
p_start_remote(void *h, long ms, char *err, size_t len)
{
	struct sim *s = h;

	(void)err;
	(void)len;
	s->playing = 1;
	s->remoting = 1;
	s->remote_t0 = s->now;
	s->end = s->now + (ms > 0 ? ms : 0);
	return 0;
}

static void
p_remote_stats(void *h, struct audio_stream_stats *st)
{
	struct sim *s = h;

	*st = s->rst;
	if (s->remoting) {	/* the item airing now counts too */
		struct sim tmp = *s;
		account(&tmp, s->remote_t0, st);
	}
}

static void
p_remote_close(void *h)
{
	(void)h;
}

static void
p_close(void *h)
{
	((struct sim *)h)->playing = 0;
}

struct sim *
sim_new(long long start_ms)
{
	struct sim *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->now = s->boot0 = start_ms;
	s->live_t0 = -1;
	s->synced = 1;
	s->device_ok = 1;
	return s;
}

void
sim_free(struct sim *s)
{
	free(s);
}

void
sim_env(struct sim *s, struct engine_env *env)
{
	env->clock = (struct engine_clock){ c_real, c_boot, c_synced, s };
	env->player = (struct engine_player){ p_open, p_file, p_silence, p_deadline, p_pollfds, p_service, p_stop,
		p_close, s, p_stream_open, p_start_stream, p_stream_down_ms, p_stream_stats, p_stream_close,
		p_live_open, p_start_live, p_live_heard_ms, p_live_close,
		p_remote_open, p_start_remote, p_stream_down_ms, p_remote_stats, p_remote_close, p_stream_prepare };
}

long long
sim_now(const struct sim *s)
{
	return s->now;
}

void
sim_set(struct sim *s, long long ms)
{
	s->now = ms;
	if (s->playing && s->end < ms)
		s->end = ms;	/* a jump does not make an item end early or late */
}

void
sim_set_synced(struct sim *s, int on)
{
	s->synced = on;
}

void
sim_set_device_ok(struct sim *s, int ok)
{
	s->device_ok = ok;
}

void
sim_fail_next(struct sim *s, const char *why)
{
	snprintf(s->fail, sizeof(s->fail), "%s", why);
}

void
sim_stream_down(struct sim *s, long long from, long long to)
{
	s->down_from = from;
	s->down_to = to;
}

int
sim_files_played(const struct sim *s)
{
	return s->files;
}

void
sim_run(struct sim *s, struct engine *e, long long until)
{
	long long last = LLONG_MIN;
	int same = 0;

	engine_run(e);
	for (;;) {
		long long t = engine_deadline(e);
		if (t > until)
			break;
		if (t < s->now)
			t = s->now;
		/* a deadline that does not move would spin: step past it */
		if (t == last && ++same > 4)
			t = last + 1;
		else if (t != last)
			same = 0;
		last = t;
		s->now = t;
		engine_run(e);
	}
	s->now = until;
	engine_run(e);
}
