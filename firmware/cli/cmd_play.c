/*
 * loaxa play [-c CFG] [--device PCM] [-v] FILE|ID: play one bulletin as an
 * airing would: amplifier relay on, its warm-up (as silence, so the device
 * is already running), the chime, the gap, the bulletin normalised to
 * audio.loudness_lufs + audio.gain_db, relay off. A loose FILE is measured
 * first; a library bulletin (an ID in paths.library) uses the measurement
 * stored at import. Ctrl-C (SIGINT) or SIGTERM fades the sound out and
 * switches the relay off. Exit 0 when the bulletin played to the end, 1
 * otherwise. -v adds each item's timing (CLOCK_BOOTTIME) for tests.
 *
 * The loop is the daemon's in miniature: poll over the player's descriptors
 * and a signalfd; no sleeps.
 */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/measure.h"
#include "audio/play.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "firmware/board.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"
#include "scheduler/library.h"

#define USAGE "play [-c CFG] [--device PCM] [-v] FILE|ID"

struct run {
	struct audio_player *p;
	int		 sfd;
	int		 verbose;
	int		 stopped;	/* a signal came */
};

static double
ts_sec(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

/* plays the started item to its end, stopping it on SIGINT/SIGTERM */
static enum audio_state
run_item(struct run *r, const char *what)
{
	struct pollfd pfd[AUDIO_POLLFDS_MAX + 1];
	enum audio_state st = audio_player_state(r->p);
	struct timespec t0, t1;

	while (st == AUDIO_PLAYING) {
		int n = audio_player_pollfds(r->p, pfd, AUDIO_POLLFDS_MAX);

		pfd[n].fd = r->sfd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		if (poll(pfd, (nfds_t)n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "loaxa play: poll: %s\n", strerror(errno));
			audio_player_stop(r->p);
		}
		if (pfd[n].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(r->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) && !r->stopped) {
				r->stopped = 1;
				audio_player_stop(r->p);
			}
		}
		st = audio_player_service(r->p, pfd, n);
	}
	if (r->verbose && audio_player_first_sample_time(r->p, &t0) == 0 && audio_player_end_time(r->p, &t1) == 0)
		printf("  %s: first sample %.6f, end %.6f, %llu frames (boot clock)\n", what, ts_sec(&t0), ts_sec(&t1),
		    (unsigned long long)audio_player_frames(r->p));
	return st;
}

static const char *
state_word(enum audio_state st)
{
	switch (st) {
	case AUDIO_DONE:
		return _("complete");
	case AUDIO_STOPPED:
		return _("interrupted");
	default:
		return _("failed");
	}
}

struct airing {
	const char	*chime;		/* NULL: none */
	double		 cgain, ctp;
	const char	*path;
	double		 gain, tp;
};

/* as an airing: relay on, warm-up, [chime, gap,] the file, relay off; how the file ended */
static enum audio_state
air(struct run *r, const struct cfg *c, struct board *b, const struct airing *a)
{
	struct audio_item item;
	enum audio_state res;
	char err[512];

	if (board_amp(b, 1, err, sizeof(err)) < 0)
		fprintf(stderr, "loaxa play: %s\n", err);
	if (board_amp_state(b) == 1 && c->audio.amplifier.warmup_ms > 0) {
		if (audio_player_start_silence(r->p, c->audio.amplifier.warmup_ms) == 0)
			run_item(r, "warmup");
	}
	if (a->chime && !r->stopped) {
		memset(&item, 0, sizeof(item));
		item.path = a->chime;
		item.gain_db = a->cgain;
		item.true_peak_db = a->ctp;
		if (audio_player_start_item(r->p, &item, err, sizeof(err)) < 0)
			fprintf(stderr, "loaxa play: %s\n", err);
		else if (run_item(r, "chime") == AUDIO_FAILED)
			fprintf(stderr, "loaxa play: %s\n", audio_player_error(r->p));
		if (!r->stopped && c->audio.gap_ms > 0 && audio_player_start_silence(r->p, c->audio.gap_ms) == 0)
			run_item(r, "gap");
	}
	if (!r->stopped) {
		memset(&item, 0, sizeof(item));
		item.path = a->path;
		item.gain_db = a->gain;
		item.true_peak_db = a->tp;
		if (audio_player_start_item(r->p, &item, err, sizeof(err)) < 0)
			res = AUDIO_FAILED;
		else
			res = run_item(r, "bulletin");
	} else
		res = AUDIO_STOPPED;
	if (board_amp(b, 0, err, sizeof(err)) < 0)
		fprintf(stderr, "loaxa play: %s\n", err);
	return res;
}

int
cmd_play_announce(const struct cfg *c, const char *path, char *err, size_t errlen)
{
	struct audio_measure m;
	struct audio_play_conf pc = { .fade_ms = c->audio.fade_ms, .ceiling_db = 0 };
	struct run r = { .sfd = -1 };
	struct audio_out *out;
	struct board *b;
	struct airing a = { 0 };
	const char *dev = getenv("LOAXA_DEVICE");
	enum audio_state res;

	if (audio_measure(path, &m, err, errlen) < 0)
		return -1;
	if ((out = audio_out_new(dev && *dev ? dev : c->audio.device, err, errlen)) == NULL)
		return -1;
	if ((r.p = audio_player_new(out, &pc)) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		audio_out_free(out);
		return -1;
	}
	b = board_open(c, err, errlen);	/* without a relay it still plays (the amplifier may be wired on) */
	a.path = path;
	a.gain = audio_gain_for(c->audio.loudness_lufs, m.loudness_lufs, c->audio.gain_db, m.true_peak_db, NULL);
	a.tp = m.true_peak_db;
	res = air(&r, c, b, &a);
	if (res != AUDIO_DONE)
		snprintf(err, errlen, "%s", audio_player_error(r.p));
	board_close(b);
	audio_player_free(r.p);
	audio_out_free(out);
	return res == AUDIO_DONE ? 0 : -1;
}

int
cmd_play(int argc, char **argv)
{
	const char *path = cli_config_arg(&argc, argv), *device = NULL, *arg = NULL;
	struct audio_measure bm, cm;
	struct audio_play_conf pc;
	struct run r = { .sfd = -1 };
	struct board *b = NULL;
	struct audio_out *out = NULL;
	struct lib lib;
	struct cfg *c;
	struct stat st;
	char err[512], *audio = NULL;
	const char *chime = NULL;
	double gain, cgain = 0;
	int capped, have_lib = 0, rc = 1;
	enum audio_state res = AUDIO_FAILED;
	sigset_t ss;

	/*
	 * A fixed mmap threshold: glibc raises it after the first large free
	 * (the config's read buffer), and every later transient buffer would then
	 * stay resident on the heap for the whole airing.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--device") == 0 || strcmp(argv[i], "-d") == 0) {
			if (++i == argc)
				return cli_usage("play", USAGE, "%s", _("--device needs a PCM name"));
			device = argv[i];
		} else if (strncmp(argv[i], "--device=", 9) == 0)
			device = argv[i] + 9;
		else if (strcmp(argv[i], "-v") == 0)
			r.verbose = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage("play", USAGE, _("unknown option \"%s\""), argv[i]);
		else if (arg == NULL)
			arg = argv[i];
		else
			return cli_usage("play", USAGE, _("unexpected argument \"%s\""), argv[i]);
	}
	if (arg == NULL)
		return cli_usage("play", USAGE, "%s", _("name a FILE or a bulletin ID"));
	if ((c = cli_load(path)) == NULL)
		return 1;
	if (device == NULL)
		device = c->audio.device;

	/* what to play, and its measurement */
	if (stat(arg, &st) == 0 && S_ISREG(st.st_mode)) {
		if (audio_measure(arg, &bm, err, sizeof(err)) < 0) {
			fprintf(stderr, "loaxa play: %s\n", err);
			goto out;
		}
		if ((audio = strdup(arg)) == NULL)
			goto out;
	} else {
		struct diag d;
		const struct bulletin *bu;

		diag_init(&d);
		if (lib_load(&lib, c->paths.library, &d) < 0) {
			diag_print(&d, stderr);
			diag_free(&d);
			goto out;
		}
		have_lib = 1;
		diag_print(&d, stderr);
		diag_free(&d);
		if ((bu = lib_find(&lib, arg)) == NULL) {
			fprintf(stderr, _("loaxa play: \"%s\" is neither a file nor a bulletin in the library %s; "
			    "give a path to an audio file, or an ID that loaxa library lists\n"), arg, c->paths.library);
			goto out;
		}
		if ((audio = lib_audio_path(&lib, bu)) == NULL)
			goto out;
		memset(&bm, 0, sizeof(bm));
		bm.duration_ms = bu->duration_ms;
		bm.loudness_lufs = bu->loudness_lufs;
		bm.true_peak_db = bu->true_peak_db;
		printf(_("bulletin %s: %s\n"), bu->id, bu->title);
	}
	gain = audio_gain_for(c->audio.loudness_lufs, bm.loudness_lufs, c->audio.gain_db, bm.true_peak_db, &capped);
	printf(_("playing %s: %.1f s, measured %.1f LUFS, true peak %.1f dBTP; gain %+.1f dB to %.1f LUFS%s\n"),
	    audio, (double)bm.duration_ms / 1000.0, bm.loudness_lufs, bm.true_peak_db, gain,
	    c->audio.loudness_lufs + c->audio.gain_db, capped ? _(" (gain capped)") : "");
	if (c->audio.chime) {
		if (audio_measure(c->audio.chime, &cm, err, sizeof(err)) < 0)
			fprintf(stderr, _("loaxa play: the chime is left out: %s\n"), err);
		else {
			chime = c->audio.chime;
			cgain = audio_gain_for(c->audio.loudness_lufs, cm.loudness_lufs, c->audio.gain_db,
			    cm.true_peak_db, NULL);
			printf(_("chime %s: %.1f s, measured %.1f LUFS; gain %+.1f dB\n"), chime,
			    (double)cm.duration_ms / 1000.0, cm.loudness_lufs, cgain);
		}
	}
	fflush(stdout);

	if ((out = audio_out_new(device, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loaxa play: %s\n", err);
		goto out;
	}
	pc.fade_ms = c->audio.fade_ms;
	pc.ceiling_db = 0;
	if ((r.p = audio_player_new(out, &pc)) == NULL) {
		fprintf(stderr, "loaxa play: %s\n", strerror(errno));
		goto out;
	}
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	if ((r.sfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		fprintf(stderr, "loaxa play: signalfd: %s\n", strerror(errno));
		goto out;
	}
	if ((b = board_open(c, err, sizeof(err))) == NULL)
		fprintf(stderr, _("loaxa play: %s; playing without switching the amplifier\n"), err);

	{
		struct airing a = { chime, cgain, chime ? cm.true_peak_db : 0, audio, gain, bm.true_peak_db };
		res = air(&r, c, b, &a);
	}
	if (res == AUDIO_FAILED)
		fprintf(stderr, "loaxa play: %s\n", audio_player_error(r.p));
	printf(_("%s: %s"), audio, state_word(res));
	if (res == AUDIO_DONE && audio_player_limited_db(r.p) > 0.05)
		printf(_(" (limiter took up to %.1f dB off the peaks)"), audio_player_limited_db(r.p));
	if (audio_out_xruns(out) > 0)
		printf(_(" (%ld underruns)"), audio_out_xruns(out));
	printf("\n");
	rc = res == AUDIO_DONE ? 0 : 1;
out:
	board_close(b);
	audio_player_free(r.p);
	audio_out_free(out);
	if (r.sfd >= 0)
		close(r.sfd);
	if (have_lib)
		lib_free(&lib);
	free(audio);
	cfg_free(c);
	return rc;
}
