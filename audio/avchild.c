/*
 * avchild: starting loaxa-decode and reading what it says (avchild.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audio/avchild.h"
#include "base/translate.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR "/usr/libexec"
#endif

extern char **environ;

int
avchild_path(char *out, size_t outlen, char *err, size_t errlen)
{
	const char *env = getenv("LOAXA_DECODE");
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		snprintf(out, outlen, "%s", env);
		if (access(out, X_OK) == 0)
			return 0;
		snprintf(err, errlen, _("the decoder %s (LOAXA_DECODE) cannot be run: %s"), out, strerror(errno));
		return -1;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			if ((size_t)snprintf(out, outlen, "%s/loaxa-decode", self) < outlen && access(out, X_OK) == 0)
				return 0;
		}
	}
	snprintf(out, outlen, "%s/loaxa/loaxa-decode", LIBEXECDIR);
	if (access(out, X_OK) == 0)
		return 0;
	snprintf(err, errlen, "%s", _("this board has no decoder for phone recordings and radio streams "
	    "(loaxa-decode is not installed): convert the file to MP3, or install the full loaxa package"));
	return -1;
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* argv run with stdin on /dev/null, stdout and stderr on two new pipes (read ends returned) */
static int
spawn(const char *const argv[], pid_t *pid, int *out_fd, int *err_fd, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	int o[2] = { -1, -1 }, e[2] = { -1, -1 }, rc;

	if (pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0) {
		snprintf(err, errlen, _("the decoder cannot be started: %s"), strerror(errno));
		goto bad;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, o[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	/* posix_spawn's argv is char *const[] but is not written to */
	rc = posix_spawn(pid, argv[0], &fa, NULL, (char *const *)(uintptr_t)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(err, errlen, _("the decoder %s cannot be started: %s"), argv[0], strerror(rc));
		goto bad;
	}
	close(o[1]);
	close(e[1]);
	*out_fd = o[0];
	*err_fd = e[0];
	return 0;
bad:
	for (int i = 0; i < 2; i++) {
		if (o[i] >= 0)
			close(o[i]);
		if (e[i] >= 0)
			close(e[i]);
	}
	return -1;
}

void
avchild_label(const char *format, const char *codec, char *out, size_t outlen)
{
	static const struct { const char *fmt, *name; } f[] = {
		{ "mov", "M4A" }, { "aac", "AAC" }, { "ogg", "Ogg" }, { "matroska", "WebM" }, { "asf", "WMA" },
		{ "amr", "AMR" }, { "flac", "FLAC" }, { "wav", "WAV" }, { "w64", "WAV" }, { "mp3", "MP3" },
		{ "hls", "HLS" }, { "mpegts", "MPEG-TS" },
	};
	static const struct { const char *codec, *name; } c[] = {
		{ "aac", "AAC" }, { "opus", "Opus" }, { "vorbis", "Vorbis" }, { "amrnb", "AMR" }, { "amrwb", "AMR-WB" },
		{ "wmav1", "WMA" }, { "wmav2", "WMA" }, { "flac", "FLAC" }, { "mp3", "MP3" }, { "mp3float", "MP3" },
	};
	const char *fn = NULL, *cn = NULL;
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strncmp(format, f[i].fmt, strlen(f[i].fmt)) == 0) {
			fn = f[i].name;
			break;
		}
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (strcmp(codec, c[i].codec) == 0) {
			cn = c[i].name;
			break;
		}
	if (fn && cn && strcmp(fn, cn) != 0)
		snprintf(out, outlen, "%s (%s)", fn, cn);
	else
		snprintf(out, outlen, "%s", fn ? fn : cn ? cn : codec);
}

/* appends what fd has to buf (NUL-terminated, at most cap-1 bytes kept); 0 at EOF */
static int
slurp(int fd, char *buf, size_t cap, size_t *len)
{
	char tmp[4096];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (n == 0)
		return 0;
	if (*len + 1 < cap) {
		size_t k = (size_t)n < cap - 1 - *len ? (size_t)n : cap - 1 - *len;
		memcpy(buf + *len, tmp, k);
		*len += k;
		buf[*len] = '\0';
	}
	return 1;
}

int
avchild_convert(const char *in, const char *out, long max_seconds, int timeout_s, struct avconvert *res,
    char *reason, size_t reasonlen, char *err, size_t errlen)
{
	char prog[PATH_MAX], maxs[32], obuf[512] = "", ebuf[2048] = "", *line, *nl;
	const char *argv[] = { prog, "convert", "--max-seconds", maxs, in, out, NULL };
	size_t olen = 0, elen = 0;
	long long deadline = mono_ms() + (long long)timeout_s * 1000;
	int ofd, efd, status, open_o = 1, open_e = 1, killed = 0;
	pid_t pid;

	snprintf(reason, reasonlen, "decoder");
	if (avchild_path(prog, sizeof(prog), err, errlen) < 0)
		return -1;
	snprintf(maxs, sizeof(maxs), "%ld", max_seconds);
	if (spawn(argv, &pid, &ofd, &efd, err, errlen) < 0)
		return -1;
	while (open_o || open_e) {
		struct pollfd p[2] = { { open_o ? ofd : -1, POLLIN, 0 }, { open_e ? efd : -1, POLLIN, 0 } };
		long long left = deadline - mono_ms();

		if (left <= 0) {
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		if (poll(p, 2, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR)
			break;
		if (p[0].revents && !slurp(ofd, obuf, sizeof(obuf), &olen))
			open_o = 0;
		if (p[1].revents && !slurp(efd, ebuf, sizeof(ebuf), &elen))
			open_e = 0;
	}
	close(ofd);
	close(efd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (killed) {
		unlink(out);
		snprintf(reason, reasonlen, "timeout");
		snprintf(err, errlen, _("converting it took longer than %d s: it is damaged or not really audio"),
		    timeout_s);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    sscanf(obuf, "converted %63s %31s %d %d %lf", res->format, res->codec, &res->rate, &res->channels,
	    &res->seconds) == 5) {
		avchild_label(res->format, res->codec, res->label, sizeof(res->label));
		return 0;
	}
	unlink(out);
	/* the child's last "error REASON text" line */
	for (line = ebuf; line && *line; line = nl) {
		char r[32];
		int off = 0;

		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (sscanf(line, "error %31s %n", r, &off) == 1 && off > 0) {
			snprintf(reason, reasonlen, "%s", r);
			snprintf(err, errlen, "%s", line + off);
		}
	}
	if (strcmp(reason, "decoder") == 0) {
		if (WIFSIGNALED(status))
			snprintf(err, errlen, _("the decoder stopped on signal %d: the file is damaged or not really "
			    "audio"), WTERMSIG(status));
		else
			snprintf(err, errlen, _("the decoder failed (exit %d)"), WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	return -1;
}

int
avchild_stream(const char *url, int rate, int channels, int timeout_ms, pid_t *pid, int *pcm_fd, int *status_fd,
    char *err, size_t errlen)
{
	char prog[PATH_MAX], r[16], c[16], t[16];
	const char *argv[] = { prog, "stream", "--rate", r, "--channels", c, "--timeout-ms", t, url, NULL };

	if (avchild_path(prog, sizeof(prog), err, errlen) < 0)
		return -1;
	snprintf(r, sizeof(r), "%d", rate);
	snprintf(c, sizeof(c), "%d", channels);
	snprintf(t, sizeof(t), "%d", timeout_ms);
	if (spawn(argv, pid, pcm_fd, status_fd, err, errlen) < 0)
		return -1;
	fcntl(*pcm_fd, F_SETFL, fcntl(*pcm_fd, F_GETFL) | O_NONBLOCK);
	fcntl(*status_fd, F_SETFL, fcntl(*status_fd, F_GETFL) | O_NONBLOCK);
	return 0;
}
