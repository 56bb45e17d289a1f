/*
 * avchild: the decoding child, loaxa-decode (audio/loaxa-decode.c), seen
 * from the programs that start it. loaxa and loaxad never link FFmpeg's
 * libraries: what only they decode (phone recordings, relayed streams) is
 * decoded in that program, under its own limits, and read back as a FLAC
 * file or as raw PCM on a pipe.
 *
 * The program is $LOAXA_DECODE when set, else loaxa-decode beside the
 * running program (a build tree), else LIBEXECDIR/loaxa/loaxa-decode (an
 * install). A board built without FFmpeg has none: avchild_path() says so,
 * and the caller refuses what it would have decoded, with that message.
 */
#ifndef LOAXA_AUDIO_AVCHILD_H
#define LOAXA_AUDIO_AVCHILD_H

#include <stddef.h>
#include <sys/types.h>

/* the program's path into out; -1 and err when it is not installed */
int	avchild_path(char *out, size_t outlen, char *err, size_t errlen);

struct avconvert {
	char	format[64];	/* the container, as libavformat names it ("mov,mp4,m4a,3gp,3g2,mj2") */
	char	codec[32];	/* "aac", "opus", ... */
	int	rate, channels;
	double	seconds;
	char	label[48];	/* for people: "M4A (AAC)", "Ogg (Opus)" */
};

/*
 * Converts the local file in (a copy the caller made) into out, FLAC
 * 16-bit, in the child, which is killed after timeout_s of wall-clock time.
 * 0 and *res; -1 and err: the child's reason ("not-audio", "too-long",
 * "decode", "timeout", ...) into reason (at least 16 bytes) and its words
 * into err. out is removed on failure.
 */
int	avchild_convert(const char *in, const char *out, long max_seconds, int timeout_s, struct avconvert *res,
	    char *reason, size_t reasonlen, char *err, size_t errlen);

/*
 * A stream: the child started on url with PCM (s16le, rate, channels) on
 * *pcm_fd and its status lines on *status_fd, both non-blocking and
 * close-on-exec. 0 and the child's pid in *pid; -1 and err.
 */
int	avchild_stream(const char *url, int rate, int channels, int timeout_ms, pid_t *pid, int *pcm_fd,
	    int *status_fd, char *err, size_t errlen);

/* a human label for a container and codec as the child names them */
void	avchild_label(const char *format, const char *codec, char *out, size_t outlen);

#endif
