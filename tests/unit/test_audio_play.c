/*
 * play + out: what reaches the sink is the decoded signal times the gain,
 * faded at both ends, limited, downmixed or resampled where the device
 * needs it; stop fades out; bad and damaged files fail; ALSA errors are
 * reported and the next item reopens the device.
 */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio/decode.h"
#include "audio/out.h"
#include "audio/play.h"
#include "tests/unit/audio_fx.h"
#include "tests/unit/tap.h"

static const struct audio_play_conf conf = { .fade_ms = 20 };

/* the whole of a float or PCM file, as float; frames in *n */
static float *
load(const char *path, long *n, int *ch, long *rate)
{
	SF_INFO si;
	SNDFILE *sf;
	float *buf;

	memset(&si, 0, sizeof(si));
	if ((sf = sf_open(path, SFM_READ, &si)) == NULL) {
		*n = -1;
		return NULL;
	}
	buf = malloc(sizeof(float) * (size_t)(si.frames * si.channels + 1));
	*n = (long)sf_readf_float(sf, buf, si.frames);
	*ch = si.channels;
	*rate = si.samplerate;
	sf_close(sf);
	return buf;
}

/* the decoded source, as the player's decoder sees it */
static float *
decode(const char *path, long *n, int *ch)
{
	char err[512];
	struct audio_dec *d = audio_dec_open(path, err, sizeof(err));
	float *buf = NULL;
	long cap = 0, got = 0, r;

	*n = -1;
	if (d == NULL)
		return NULL;
	*ch = audio_dec_channels(d);
	for (;;) {
		if (got + 4096 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, sizeof(float) * (size_t)(cap * *ch));
		}
		if ((r = audio_dec_read(d, buf + got * *ch, 4096)) <= 0)
			break;
		got += r;
	}
	audio_dec_close(d);
	*n = got;
	return buf;
}

static enum audio_state
play(const char *device, const struct audio_item *it, struct audio_player **pp, struct audio_out **op)
{
	char err[512];
	struct audio_out *o = audio_out_new(device, err, sizeof(err));
	struct audio_player *p;
	enum audio_state st;

	if (o == NULL) {
		tap_fail(__FILE__, __LINE__, "%s", err);
		return AUDIO_FAILED;
	}
	p = audio_player_new(o, &conf);
	if (audio_player_start_item(p, it, err, sizeof(err)) < 0)
		st = AUDIO_FAILED;
	else
		st = audio_player_run(p);
	if (pp)
		*pp = p;
	else
		audio_player_free(p);
	if (op)
		*op = o;
	else
		audio_out_free(o);
	return st;
}

static void
file_item_is_the_decoded_signal_times_the_gain_with_fades(void)
{
	char dev[4200], cap[4096];
	struct audio_item it = { .path = NULL, .gain_db = -6.0, .true_peak_db = 0.1 };
	long n, sn, rate, fade = 441;	/* 20 ms at 22050 */
	int ch, sch, bad = 0;
	float *y, *x;
	const float g = (float)pow(10, -6.0 / 20);

	snprintf(cap, sizeof(cap), "%s", scratch("play-gain.wav"));
	snprintf(dev, sizeof(dev), "file:%s", cap);
	unlink(cap);
	it.path = fx("wav-22k-mono.wav");
	EXPECT_INT(play(dev, &it, NULL, NULL), AUDIO_DONE);
	y = load(cap, &n, &ch, &rate);
	x = decode(fx("wav-22k-mono.wav"), &sn, &sch);
	EXPECT_INT(n, 428272);
	EXPECT_INT(sn, 428272);
	EXPECT_INT(rate, 22050);
	if (y == NULL || x == NULL || n != sn)
		return;
	for (long i = fade; i < n - fade; i++)
		bad += fabsf(y[i] - x[i] * g) > 1e-6f;
	EXPECT_INT(bad, 0);
	EXPECT(y[0] == 0.0f);					/* fades in from silence */
	EXPECT(fabsf(y[fade / 2] - 0.5f * x[fade / 2] * g) < 0.01f);
	EXPECT(fabsf(y[n - 1]) < 1e-3f);			/* and out to it */
	free(x);
	free(y);
}

static void
limiter_keeps_every_sample_under_the_ceiling(void)
{
	char dev[4200], cap[4096];
	struct audio_item it = { .gain_db = 12.0, .true_peak_db = NAN };
	struct audio_player *p;
	long n, rate;
	int ch;
	float *y, peak = 0;

	snprintf(cap, sizeof(cap), "%s", scratch("play-limit.wav"));
	snprintf(dev, sizeof(dev), "file:%s", cap);
	unlink(cap);
	it.path = fx("cbr64-22k-mono.mp3");
	EXPECT_INT(play(dev, &it, &p, NULL), AUDIO_DONE);
	EXPECT(audio_player_limited_db(p) > 6.0);
	EXPECT(fabs(audio_player_gain_db(p) - 12.0) < 1e-3);
	audio_player_free(p);
	y = load(cap, &n, &ch, &rate);
	EXPECT_INT(n, 428272);
	for (long i = 0; i < n; i++)
		peak = fabsf(y[i]) > peak ? fabsf(y[i]) : peak;
	EXPECT(peak <= (float)pow(10, -1.0 / 20) + 1e-6f);
	EXPECT(peak > 0.8f);
	free(y);
}

static void
stereo_is_averaged_for_a_mono_device(void)
{
	char dev[4200], cap[4096], err[512];
	struct audio_out *o;
	struct audio_player *p;
	long n, sn, rate;
	int ch, sch, bad = 0;
	float *y, *x;

	snprintf(cap, sizeof(cap), "%s", scratch("play-downmix.wav"));
	snprintf(dev, sizeof(dev), "file:%s", cap);
	unlink(cap);
	o = audio_out_new(dev, err, sizeof(err));
	p = audio_player_new(o, &conf);
	/* the file sink keeps the format of its first stream: 44.1 kHz mono */
	EXPECT_INT(audio_out_open(o, 44100, 1, err, sizeof(err)), 0);
	EXPECT_INT(audio_player_start_silence(p, 10), 0);
	EXPECT_INT(audio_player_run(p), AUDIO_DONE);
	EXPECT_INT(audio_player_start_file(p, fx("cbr128-44k-stereo.mp3"), 0.0, err, sizeof(err)), 0);
	EXPECT_INT(audio_player_run(p), AUDIO_DONE);
	EXPECT_INT(audio_out_channels(o), 1);
	audio_player_free(p);
	audio_out_free(o);
	y = load(cap, &n, &ch, &rate);
	x = decode(fx("cbr128-44k-stereo.mp3"), &sn, &sch);
	EXPECT_INT(ch, 1);
	EXPECT_INT(sch, 2);
	EXPECT_INT(n, 441 + sn);
	if (y && x && n == 441 + sn)
		for (long i = 1000; i < sn - 1000; i++)
			bad += fabsf(y[441 + i] - 0.5f * (x[2 * i] + x[2 * i + 1])) > 1e-6f;
	EXPECT_INT(bad, 0);
	free(x);
	free(y);
}

static void
device_rate_it_does_not_take_is_resampled(void)
{
	char dev[4200], cap[4096], err[512];
	struct audio_out *o;
	struct audio_player *p;
	long n, sn, rate;
	int ch, sch, bad = 0;
	float *y, *x;
	const float g = (float)pow(10, -6.0 / 20);

	snprintf(cap, sizeof(cap), "%s", scratch("play-resample.wav"));
	snprintf(dev, sizeof(dev), "file:%s", cap);
	unlink(cap);
	o = audio_out_new(dev, err, sizeof(err));
	p = audio_player_new(o, &conf);
	EXPECT_INT(audio_out_open(o, 44100, 1, err, sizeof(err)), 0);
	/* -6 dB: well under the ceiling, so the limiter has nothing to do */
	EXPECT_INT(audio_player_start_file(p, fx("wav-22k-mono.wav"), -6.0, err, sizeof(err)), 0);
	EXPECT_INT(audio_player_run(p), AUDIO_DONE);
	audio_player_free(p);
	audio_out_free(o);
	y = load(cap, &n, &ch, &rate);
	x = decode(fx("wav-22k-mono.wav"), &sn, &sch);
	EXPECT_INT(rate, 44100);
	EXPECT(n >= 2 * sn - 2 && n <= 2 * sn + 2);
	/* linear interpolation at twice the rate: every other frame is a source frame (one frame late) */
	if (y && x)
		for (long k = 1000; k < sn - 1000; k++)
			bad += fabsf(y[2 * k] - g * x[k - 1]) > 1e-6f ||
			    fabsf(y[2 * k + 1] - g * 0.5f * (x[k - 1] + x[k])) > 1e-6f;
	EXPECT_INT(bad, 0);
	free(x);
	free(y);
}

static void
silence_item_is_exactly_its_length(void)
{
	char dev[4200], cap[4096], err[512];
	struct audio_out *o;
	struct audio_player *p;
	long n, rate;
	int ch, nonzero = 0;
	float *y;

	snprintf(cap, sizeof(cap), "%s", scratch("play-silence.wav"));
	snprintf(dev, sizeof(dev), "file:%s", cap);
	unlink(cap);
	o = audio_out_new(dev, err, sizeof(err));
	p = audio_player_new(o, &conf);
	EXPECT_INT(audio_player_start_silence(p, 1500), 0);
	EXPECT_INT(audio_player_run(p), AUDIO_DONE);
	EXPECT_INT(audio_player_frames(p), 66150);	/* 1.5 s at 44.1 kHz */
	audio_player_free(p);
	audio_out_free(o);
	y = load(cap, &n, &ch, &rate);
	EXPECT_INT(n, 66150);
	for (long i = 0; i < n; i++)
		nonzero += y[i] != 0.0f;
	EXPECT_INT(nonzero, 0);
	free(y);
}

static void
stop_fades_out_and_ends_as_stopped(void)
{
	char dev[4200], cap[4096], err[512];
	struct pollfd pfd[AUDIO_POLLFDS_MAX];
	struct audio_out *o;
	struct audio_player *p;
	long n, rate;
	int ch, k;
	float *y, mid = 0;

	snprintf(cap, sizeof(cap), "%s", scratch("play-stop.wav"));
	snprintf(dev, sizeof(dev), "file:%s", cap);
	unlink(cap);
	o = audio_out_new(dev, err, sizeof(err));
	p = audio_player_new(o, &conf);
	EXPECT_INT(audio_player_start_file(p, fx("wav-44k-mono.wav"), 0.0, err, sizeof(err)), 0);
	for (int i = 0; i < 4; i++) {
		k = audio_player_pollfds(p, pfd, AUDIO_POLLFDS_MAX);
		EXPECT(poll(pfd, (nfds_t)k, 1000) >= 1);
		EXPECT_INT(audio_player_service(p, pfd, k), AUDIO_PLAYING);
	}
	audio_player_stop(p);
	EXPECT_INT(audio_player_run(p), AUDIO_STOPPED);
	EXPECT(audio_player_frames(p) < 856544 / 2);
	audio_player_free(p);
	audio_out_free(o);
	y = load(cap, &n, &ch, &rate);
	EXPECT(n > 10000 && n < 856544 / 2);
	if (y == NULL || n < 2000)
		return;
	for (long i = n - 2000; i < n - 882; i++)
		mid = fabsf(y[i]) > mid ? fabsf(y[i]) : mid;
	EXPECT(mid > 0.01f);			/* there was sound before the stop */
	EXPECT(fabsf(y[n - 1]) < 1e-3f);	/* and it ends in silence: no click */
	EXPECT(fabsf(y[n - 441]) < 0.6f * mid + 1e-6f);
	free(y);
}

static void
stop_ends_a_silence_item_at_once(void)
{
	char err[512];
	struct audio_out *o = audio_out_new("null", err, sizeof(err));
	struct audio_player *p = audio_player_new(o, &conf);
	struct pollfd pfd[AUDIO_POLLFDS_MAX];
	int k;

	EXPECT_INT(audio_player_start_silence(p, 60000), 0);
	audio_player_stop(p);
	/* a loop that polls first still hears of it */
	k = audio_player_pollfds(p, pfd, AUDIO_POLLFDS_MAX);
	EXPECT_INT(k, 1);
	EXPECT_INT(poll(pfd, (nfds_t)k, 1000), 1);
	EXPECT_INT(audio_player_service(p, pfd, k), AUDIO_STOPPED);
	audio_player_free(p);
	audio_out_free(o);
}

static void
bad_file_fails_at_start_naming_it(void)
{
	char err[512];
	struct audio_out *o = audio_out_new("null", err, sizeof(err));
	struct audio_player *p = audio_player_new(o, &conf);

	EXPECT_INT(audio_player_start_file(p, fx("text.mp3"), 0.0, err, sizeof(err)), -1);
	EXPECT_INT(audio_player_state(p), AUDIO_FAILED);
	EXPECT(strstr(err, "text.mp3: not an MP3 or WAV file") != NULL);
	EXPECT(strstr(audio_player_error(p), "text.mp3") != NULL);
	/* and the player takes the next item */
	EXPECT_INT(audio_player_start_file(p, fx("chime.mp3"), 0.0, err, sizeof(err)), 0);
	EXPECT_INT(audio_player_run(p), AUDIO_DONE);
	audio_player_free(p);
	audio_out_free(o);
}

static void
damaged_file_fails_after_fading_out(void)
{
	char dev[4200], cap[4096];
	struct audio_item it = { .gain_db = 0, .true_peak_db = NAN };
	struct audio_player *p;
	long n, rate;
	int ch;
	float *y;

	snprintf(cap, sizeof(cap), "%s", scratch("play-corrupt.wav"));
	snprintf(dev, sizeof(dev), "file:%s", cap);
	unlink(cap);
	it.path = fx("corrupt.mp3");
	EXPECT_INT(play(dev, &it, &p, NULL), AUDIO_FAILED);
	EXPECT(strstr(audio_player_error(p), "corrupt.mp3: damaged MP3 data") != NULL);
	EXPECT(audio_player_frames(p) > 400000);	/* it played up to the damage */
	audio_player_free(p);
	y = load(cap, &n, &ch, &rate);
	EXPECT(n > 400000 && n < 856544);
	if (y && n > 0)
		EXPECT(fabsf(y[2 * (n - 1)]) < 1e-3f && fabsf(y[2 * (n - 1) + 1]) < 1e-3f);
	free(y);
}

static void
busy_player_refuses_a_second_item(void)
{
	char err[512];
	struct audio_out *o = audio_out_new("null", err, sizeof(err));
	struct audio_player *p = audio_player_new(o, &conf);
	struct timespec t0, t1;

	EXPECT_INT(audio_player_start_file(p, fx("chime.mp3"), 0.0, err, sizeof(err)), 0);
	EXPECT_INT(audio_player_start_file(p, fx("chime.mp3"), 0.0, err, sizeof(err)), -1);
	EXPECT(strstr(err, "busy") != NULL);
	EXPECT_INT(audio_player_state(p), AUDIO_PLAYING);
	EXPECT_INT(audio_player_first_sample_time(p, &t0), -1);
	EXPECT_INT(audio_player_run(p), AUDIO_DONE);
	EXPECT_INT(audio_player_frames(p), 52920);
	EXPECT_INT(audio_player_first_sample_time(p, &t0), 0);
	EXPECT_INT(audio_player_end_time(p, &t1), 0);
	EXPECT(t1.tv_sec > t0.tv_sec || (t1.tv_sec == t0.tv_sec && t1.tv_nsec >= t0.tv_nsec));
	audio_player_free(p);
	audio_out_free(o);
}

static void
missing_alsa_device_is_an_error_not_a_crash(void)
{
	char err[512];
	struct audio_out *o;

	EXPECT(audio_out_new("nosuchpcm", err, sizeof(err)) == NULL);
	EXPECT(strstr(err, "audio device \"nosuchpcm\": cannot open it") != NULL);
	EXPECT(audio_out_new("hw:99", err, sizeof(err)) == NULL);
	EXPECT(strstr(err, "hw:99") != NULL);
	EXPECT(audio_out_new("", err, sizeof(err)) == NULL);
	o = audio_out_new("null", err, sizeof(err));
	EXPECT(o != NULL);
	audio_out_free(o);
}

static void
alsa_error_fails_the_item_and_the_next_one_reopens(void)
{
	char link[4096], good[4096], dev[8300], err[512];
	struct audio_out *o;
	struct audio_player *p;
	FILE *fp;
	long size = 0;

	snprintf(link, sizeof(link), "%s", scratch("alsa-sink"));
	snprintf(good, sizeof(good), "%s", scratch("alsa-capture.raw"));
	unlink(link);
	unlink(good);
	EXPECT_INT(symlink("/dev/full", link), 0);
	snprintf(dev, sizeof(dev), "loaxacap:FILE=%s,RATE=44100,CHANNELS=1", link);
	o = audio_out_new(dev, err, sizeof(err));
	EXPECT(o != NULL);
	if (o == NULL)
		return;
	p = audio_player_new(o, &conf);
	EXPECT_INT(audio_player_start_file(p, fx("chime.mp3"), 0.0, err, sizeof(err)), 0);
	EXPECT_INT(audio_player_run(p), AUDIO_FAILED);
	EXPECT(strstr(audio_player_error(p), "write failed") != NULL);
	EXPECT(strstr(audio_player_error(p), dev) != NULL);
	EXPECT_INT(audio_out_is_open(o), 0);	/* closed after the error */
	/* the sink comes back: the next item opens the device again and plays */
	unlink(link);
	EXPECT_INT(symlink(good, link), 0);
	EXPECT_INT(audio_player_start_file(p, fx("chime.mp3"), 0.0, err, sizeof(err)), 0);
	EXPECT_INT(audio_player_run(p), AUDIO_DONE);
	EXPECT_INT(audio_out_xruns(o), 0);
	audio_player_free(p);
	audio_out_free(o);
	if ((fp = fopen(good, "rb")) != NULL) {
		fseek(fp, 0, SEEK_END);
		size = ftell(fp);
		fclose(fp);
	}
	EXPECT(size >= 52920 * 2);	/* all of the chime, S16 mono */
	unlink(link);
}

static void
gain_is_target_minus_measured_within_bounds(void)
{
	int capped;

	EXPECT(fabs(audio_gain_for(-16, -28.2, 0, -12.3, &capped) - 12.2) < 1e-9);
	EXPECT_INT(capped, 0);
	EXPECT(fabs(audio_gain_for(-16, -20, -2.5, -3, &capped) - 1.5) < 1e-9);
	/* the limiter is asked for at most AUDIO_LIMIT_MAX_DB below the measured peak */
	EXPECT(fabs(audio_gain_for(-16, -40, 0, 0, &capped) - (AUDIO_CEILING_DB + AUDIO_LIMIT_MAX_DB)) < 1e-9);
	EXPECT_INT(capped, 1);
	EXPECT(fabs(audio_gain_for(-16, -80, 0, NAN, &capped) - AUDIO_GAIN_MAX_DB) < 1e-9);
	EXPECT_INT(capped, 1);
	EXPECT(fabs(audio_gain_for(-16, 40, 0, 0, &capped) - AUDIO_GAIN_MIN_DB) < 1e-9);
}

int
main(void)
{
	setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:" TOP "/tests/asound.conf", 1);
	tap_plan(13);
	TEST(file_item_is_the_decoded_signal_times_the_gain_with_fades);
	TEST(limiter_keeps_every_sample_under_the_ceiling);
	TEST(stereo_is_averaged_for_a_mono_device);
	TEST(device_rate_it_does_not_take_is_resampled);
	TEST(silence_item_is_exactly_its_length);
	TEST(stop_fades_out_and_ends_as_stopped);
	TEST(stop_ends_a_silence_item_at_once);
	TEST(bad_file_fails_at_start_naming_it);
	TEST(damaged_file_fails_after_fading_out);
	TEST(busy_player_refuses_a_second_item);
	TEST(missing_alsa_device_is_an_error_not_a_crash);
	TEST(alsa_error_fails_the_item_and_the_next_one_reopens);
	TEST(gain_is_target_minus_measured_within_bounds);
	return tap_done();
}
