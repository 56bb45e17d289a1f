/*
 * player: see player.h. One device per process, so the state is static.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/decode.h"
#include "audio/measure.h"
#include "audio/out.h"
#include "audio/play.h"
#include "audio/stream.h"
#include "audio/capture.h"
#include "config/cfg.h"
#include "firmware/engine.h"
#include "firmware/player.h"

static struct {
	char			 device[256];
	struct audio_play_conf	 conf;
	struct audio_out	*out;
	struct audio_player	*p;
	struct audio_stream	*stream;
	struct audio_stream	*remote;	/* a remote live's, beside a relay's */
	struct audio_stream	*next;		/* the next relay's, opened ahead while a session airs */
	char			*next_url;
	struct audio_capture	*mic;
} pl;

static int
p_open(void *h, const char *first, char *err, size_t len)
{
	struct audio_dec *d;
	char e[256];

	(void)h;
	if (pl.out == NULL && (pl.out = audio_out_new(pl.device, err, len)) == NULL)
		return -1;
	if (pl.p == NULL && (pl.p = audio_player_new(pl.out, &pl.conf)) == NULL) {
		snprintf(err, len, "%s", "out of memory");
		return -1;
	}
	/* set the device up for the first file now, so the start only writes */
	if (first && (d = audio_dec_open(first, e, sizeof(e))) != NULL) {
		if (audio_out_open(pl.out, audio_dec_rate(d), audio_dec_channels(d), err, len) < 0) {
			audio_dec_close(d);
			return -1;
		}
		audio_dec_close(d);
	}
	return 0;
}

static int
p_file(void *h, const char *path, long dur, double gain, char *err, size_t len)
{
	(void)h;
	(void)dur;
	return audio_player_start_file(pl.p, path, gain, err, len);
}

static int
p_silence(void *h, long ms)
{
	(void)h;
	return audio_player_start_silence(pl.p, ms);
}

static long long
p_deadline(void *h)
{
	(void)h;
	return -1;
}

static int
p_pollfds(void *h, struct pollfd *pfd, int max)
{
	(void)h;
	return pl.p ? audio_player_pollfds(pl.p, pfd, max) : 0;
}

static enum engine_play
p_service(void *h, struct pollfd *pfd, int n, char *err, size_t len)
{
	enum audio_state st;

	(void)h;
	st = audio_player_service(pl.p, pfd, n);
	switch (st) {
	case AUDIO_PLAYING:
		return ENGINE_PLAYING;
	case AUDIO_FAILED:
		snprintf(err, len, "%s", audio_player_error(pl.p));
		return ENGINE_FAILED;
	default:
		return ENGINE_DONE;
	}
}

static void
p_stop(void *h)
{
	(void)h;
	if (pl.p == NULL)
		return;
	audio_player_stop(pl.p);
	/* the fade and what the device holds: at most half a second */
	if (audio_player_state(pl.p) == AUDIO_PLAYING)
		audio_player_run(pl.p);
}

static void
p_close(void *h)
{
	(void)h;
	if (pl.p)
		audio_player_free(pl.p);
	pl.p = NULL;
	if (pl.out)
		audio_out_close(pl.out);
}

static void
next_free(void)
{
	audio_stream_free(pl.next);
	pl.next = NULL;
	free(pl.next_url);
	pl.next_url = NULL;
}

static int
p_stream_open(void *h, const char *url, double target, double dead_db, long dead_ms, char *err, size_t len)
{
	struct audio_stream_conf c = { .url = url, .target_lufs = target, .dead_db = dead_db, .dead_ms = dead_ms };

	(void)h;
	audio_stream_free(pl.stream);
	if (pl.next && strcmp(pl.next_url, url) == 0) {	/* opened ahead: connected and buffered */
		pl.stream = pl.next;
		pl.next = NULL;
		next_free();
		return 0;
	}
	next_free();
	pl.stream = audio_stream_new(&c, err, len);
	return pl.stream ? 0 : -1;
}

static int
p_stream_prepare(void *h, const char *url, double target, double dead_db, long dead_ms, char *err, size_t len)
{
	struct audio_stream_conf c = { .url = url, .target_lufs = target, .dead_db = dead_db, .dead_ms = dead_ms };

	(void)h;
	if (pl.next && strcmp(pl.next_url, url) == 0)
		return 0;
	next_free();
	if ((pl.next_url = strdup(url)) == NULL) {
		snprintf(err, len, "%s", "out of memory");
		return -1;
	}
	if ((pl.next = audio_stream_new(&c, err, len)) == NULL) {
		next_free();
		return -1;
	}
	return 0;
}

static int
p_start_stream(void *h, long ms, char *err, size_t len)
{
	(void)h;
	if (pl.stream == NULL) {
		snprintf(err, len, "%s", "no stream open");
		return -1;
	}
	return audio_player_start_stream(pl.p, pl.stream, ms, err, len);
}

static long long
p_stream_down_ms(void *h)
{
	(void)h;
	return pl.stream ? audio_stream_down_ms(pl.stream) : LLONG_MAX;
}

static void
p_stream_stats(void *h, struct audio_stream_stats *st)
{
	(void)h;
	if (pl.stream)
		audio_stream_stats(pl.stream, st);
	else
		memset(st, 0, sizeof(*st));
}

static void
p_stream_close(void *h)
{
	(void)h;
	audio_stream_free(pl.stream);
	pl.stream = NULL;
}

static int
p_live_open(void *h, const char *device, double target, char *err, size_t len)
{
	(void)h;
	audio_capture_close(pl.mic);
	pl.mic = audio_capture_open(device, target, err, len);
	return pl.mic ? 0 : -1;
}

static int
p_start_live(void *h, long ms, char *err, size_t len)
{
	(void)h;
	if (pl.mic == NULL) {
		snprintf(err, len, "%s", "no microphone open");
		return -1;
	}
	return audio_player_start_source(pl.p, audio_capture_read, pl.mic, AUDIO_CAPTURE_RATE, AUDIO_CAPTURE_CH, ms,
	    err, len);
}

static long long
p_live_heard_ms(void *h)
{
	(void)h;
	return pl.mic ? audio_capture_heard_ms(pl.mic) : 0;
}

static void
p_live_close(void *h)
{
	(void)h;
	audio_capture_close(pl.mic);
	pl.mic = NULL;
}

static int
p_remote_open(void *h, const char *url, double target, char *err, size_t len)
{
	/* no dead-air check: an announcer's pauses are not a fault; the engine ends it when the stream goes */
	struct audio_stream_conf c = { .url = url, .target_lufs = target, .dead_db = -90, .dead_ms = 0 };

	(void)h;
	audio_stream_free(pl.remote);
	pl.remote = audio_stream_new(&c, err, len);
	return pl.remote ? 0 : -1;
}

static int
p_start_remote(void *h, long ms, char *err, size_t len)
{
	(void)h;
	if (pl.remote == NULL) {
		snprintf(err, len, "%s", "no stream open");
		return -1;
	}
	return audio_player_start_stream(pl.p, pl.remote, ms, err, len);
}

static long long
p_remote_down_ms(void *h)
{
	(void)h;
	return pl.remote ? audio_stream_down_ms(pl.remote) : LLONG_MAX;
}

static void
p_remote_stats(void *h, struct audio_stream_stats *st)
{
	(void)h;
	if (pl.remote)
		audio_stream_stats(pl.remote, st);
	else
		memset(st, 0, sizeof(*st));
}

static void
p_remote_close(void *h)
{
	(void)h;
	audio_stream_free(pl.remote);
	pl.remote = NULL;
}

int
player_alsa_env(struct engine_player *ops, const struct cfg *c, char *err, size_t len)
{
	const char *dev = getenv("LOAXA_DEVICE");

	(void)err;
	(void)len;
	snprintf(pl.device, sizeof(pl.device), "%s", dev && *dev ? dev : c->audio.device);
	pl.conf.fade_ms = c->audio.fade_ms;
	pl.conf.ceiling_db = AUDIO_CEILING_DB;
	*ops = (struct engine_player){ p_open, p_file, p_silence, p_deadline, p_pollfds, p_service, p_stop,
		p_close, NULL, p_stream_open, p_start_stream, p_stream_down_ms, p_stream_stats, p_stream_close,
		p_live_open, p_start_live, p_live_heard_ms, p_live_close, p_remote_open, p_start_remote, p_remote_down_ms,
		p_remote_stats, p_remote_close, p_stream_prepare };
	return 0;
}

void
player_alsa_free(void)
{
	p_stream_close(NULL);
	next_free();
	p_remote_close(NULL);
	p_live_close(NULL);
	p_close(NULL);
	if (pl.out)
		audio_out_free(pl.out);
	pl.out = NULL;
}

int
player_measure(const char *path, long *ms, double *lufs)
{
	struct audio_measure m;
	char err[256];

	if (audio_measure(path, &m, err, sizeof(err)) < 0)
		return -1;
	*ms = m.duration_ms;
	*lufs = m.loudness_lufs;
	return 0;
}
