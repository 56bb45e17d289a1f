/*
 * loaxa-decode: the decoding child. Everything FFmpeg's libraries decode
 * that loaxa's own path (libmpg123, libsndfile) does not: relayed streams
 * (Icecast/SHOUTcast MP3 and AAC with ICY titles, HLS, a file over HTTP)
 * and the recordings staff make on phones (M4A/AAC, ADTS, Opus, Vorbis,
 * AMR, FLAC, WMA, the audio of an MP4 video). It is a program of its own so
 * that loaxad and loaxa never load libav* (a large parser of untrusted
 * input): the daemon spawns it (audio/avchild.h), reads what it writes, and
 * survives whatever happens in it.
 *
 *   loaxa-decode stream [--rate R] [--channels C] [--timeout-ms N] URL
 *	raw PCM, s16le interleaved, R Hz (48000), C channels (2), on stdout,
 *	as it is decoded; status lines on stderr (below); http and https only
 *   loaxa-decode convert [--max-seconds N] IN OUT
 *	IN (a local file, found by content) into OUT, FLAC 16-bit at the
 *	source's rate (mono or stereo: more channels are mixed to stereo);
 *	one line on stdout: `converted FORMAT CODEC RATE CHANNELS SECONDS`
 *
 * stderr, one line each, the first word for machines:
 *   connected FORMAT CODEC RATE CHANNELS    audio has started (stream)
 *   title TEXT                              the stream's title changed
 *   ended                                   a finite stream ended (exit 0)
 *   error REASON text                       before exit 1; REASON is one of
 *       scheme usage connect http-NNN timeout not-audio decode too-long
 *       output limits
 * Exit 0 done, 1 error, 2 usage, 3 limits could not be set (fail closed).
 *
 * Limits, set before any input is touched: address space, CPU seconds
 * (convert), file size (convert: the output's bound; a stream writes only
 * to the descriptors it was given),
 * open files, no core; no new privileges and a seccomp filter that refuses
 * exec, ptrace, mounts and namespaces (and sockets, for convert). Demuxers
 * are limited to the audio containers named below, protocols to http(s)
 * for streams and to the one local file for convert, so a playlist on a
 * stick cannot make it read other files or the network.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <sndfile.h>

#define STREAM_FORMATS	"mp3,aac,hls,mpegts,mov,mp4,m4a,3gp,3g2,mj2,ogg,flac,wav"
#define FILE_FORMATS	"mp3,aac,mov,mp4,m4a,3gp,3g2,mj2,ogg,flac,wav,amr,amrnb,amrwb,asf,matroska,webm,w64"
#define STREAM_PROTOCOLS "http,https,tcp,tls,crypto"
#define MAX_SECONDS_DEFAULT (2 * 3600)
#define AS_LIMIT	(512L << 20)

static int streaming;

#ifdef __SANITIZE_ADDRESS__
/*
 * SANITIZE=1 builds: a one-shot child that exits when done leaves libav's
 * contexts to the kernel, and LeakSanitizer's check at exit would stop the
 * world with ptrace, which the filter refuses. Address errors are still
 * caught; leaks are looked for in loaxa and loaxad, which live long.
 */
const char *__lsan_default_options(void);
const char *
__lsan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static void __attribute__((noreturn))
fail(const char *reason, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "error %s ", reason);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
av_fail(const char *reason, const char *what, int rc)
{
	char buf[AV_ERROR_MAX_STRING_SIZE] = "";

	av_strerror(rc, buf, sizeof(buf));
	fail(reason, "%s: %s", what, buf);
}

/* --- limits ------------------------------------------------------------------ */

/* the address space in use now: the limit is what may be added to it (a sanitizer reserves terabytes) */
static rlim_t
vm_size(void)
{
	FILE *fp = fopen("/proc/self/statm", "re");
	unsigned long long pages = 0;

	if (fp) {
		if (fscanf(fp, "%llu", &pages) != 1)
			pages = 0;
		fclose(fp);
	}
	return (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
}

static int
lim(int res, rlim_t v)
{
	struct rlimit rl = { v, v };

	return setrlimit(res, &rl);
}

static void
limits(rlim_t fsize, rlim_t cpu)
{
	static const int deny[] = {
		SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(ptrace), SCMP_SYS(mount), SCMP_SYS(umount2),
		SCMP_SYS(chroot), SCMP_SYS(pivot_root), SCMP_SYS(unshare), SCMP_SYS(setns),
		SCMP_SYS(process_vm_writev), SCMP_SYS(kexec_load), SCMP_SYS(bpf), SCMP_SYS(init_module),
		SCMP_SYS(finit_module), SCMP_SYS(reboot), SCMP_SYS(swapon), SCMP_SYS(keyctl),
	};
	static const int net[] = { SCMP_SYS(socket), SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen) };
	scmp_filter_ctx ctx;
	size_t i;

	if (lim(RLIMIT_CORE, 0) < 0 || lim(RLIMIT_NOFILE, 32) < 0 || lim(RLIMIT_FSIZE, fsize) < 0 ||
	    (cpu && lim(RLIMIT_CPU, cpu) < 0) || lim(RLIMIT_AS, vm_size() + AS_LIMIT) < 0) {
		fprintf(stderr, "error limits the decoder's limits cannot be set (setrlimit: %s); "
		    "the service must allow setrlimit\n", strerror(errno));
		exit(3);
	}
	if (getenv("LOAXA_DECODE_NO_SECCOMP"))	/* tests under qemu-user, which cannot filter */
		return;
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		goto bad;
	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), deny[i], 0) < 0)
			goto bad;
	for (i = 0; !streaming && i < sizeof(net) / sizeof(net[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), net[i], 0) < 0)
			goto bad;
	if (seccomp_load(ctx) < 0)
		goto bad;
	seccomp_release(ctx);
	return;
bad:
	fprintf(stderr, "error limits the decoder's system-call filter cannot be loaded\n");
	exit(3);
}

/* --- input ------------------------------------------------------------------- */

struct in {
	AVFormatContext	*fmt;
	AVCodecContext	*dec;
	int		 stream;
	long long	 deadline;	/* CLOCK_MONOTONIC ms: an open or read that takes longer is abandoned */
	long		 timeout_ms;
};

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
interrupted(void *arg)
{
	struct in *in = arg;

	return in->deadline && mono_ms() > in->deadline;
}

/* the reason for an open that failed: what the server said, or the network */
static const char *
open_reason(int rc, struct in *in)
{
	if (interrupted(in) || rc == AVERROR(ETIMEDOUT))
		return "timeout";
	if (rc == AVERROR_HTTP_NOT_FOUND)
		return "http-404";
	if (rc == AVERROR_HTTP_FORBIDDEN)
		return "http-403";
	if (rc == AVERROR_HTTP_UNAUTHORIZED)
		return "http-401";
	if (rc == AVERROR_HTTP_BAD_REQUEST)
		return "http-400";
	if (rc == AVERROR_HTTP_SERVER_ERROR)
		return "http-5xx";
	if (rc == AVERROR_HTTP_OTHER_4XX)
		return "http-4xx";
	if (rc == AVERROR_INVALIDDATA || rc == AVERROR_DEMUXER_NOT_FOUND)
		return "not-audio";
	return "connect";
}

static void
open_input(struct in *in, const char *src)
{
	AVDictionary *o = NULL;
	const AVCodec *codec = NULL;
	char tmo[32];
	int rc;

	in->fmt = avformat_alloc_context();
	in->fmt->interrupt_callback = (AVIOInterruptCB){ interrupted, in };
	if (streaming) {
		snprintf(tmo, sizeof(tmo), "%ld", in->timeout_ms * 1000);
		av_dict_set(&o, "protocol_whitelist", STREAM_PROTOCOLS, 0);
		av_dict_set(&o, "format_whitelist", STREAM_FORMATS, 0);
		av_dict_set(&o, "rw_timeout", tmo, 0);
		av_dict_set(&o, "icy", "1", 0);
		av_dict_set(&o, "reconnect", "0", 0);	/* the daemon decides when to try again */
		/* the playlist's segments: the same protocols, and no file: or data: */
		av_dict_set(&o, "allowed_extensions", "aac,m4a,mp3,ts,mp4,m4s,ogg,flac,wav", 0);
		/* a live stream comes in real time: look at half a second of it, not FFmpeg's five */
		av_dict_set(&o, "probesize", "65536", 0);
		av_dict_set(&o, "formatprobesize", "16384", 0);
		av_dict_set(&o, "analyzeduration", "500000", 0);
		in->fmt->probesize = 65536;
		in->fmt->max_analyze_duration = 500000;
		/* connecting and finding the format: twice a read's time (a playlist and its first segment) */
		in->deadline = mono_ms() + 2 * in->timeout_ms;
	} else {
		av_dict_set(&o, "protocol_whitelist", "file", 0);
		av_dict_set(&o, "format_whitelist", FILE_FORMATS, 0);
	}
	rc = avformat_open_input(&in->fmt, src, NULL, &o);
	av_dict_free(&o);
	/* our own deadline passed (AVERROR_EXIT): FFmpeg says only "Immediate exit requested" */
	if (rc < 0 && streaming && (interrupted(in) || rc == AVERROR_EXIT))
		fail("timeout", "%s: no answer from the server in %ld s", src, 2 * in->timeout_ms / 1000);
	if (rc < 0)
		av_fail(open_reason(rc, in), src, rc);
	if ((rc = avformat_find_stream_info(in->fmt, NULL)) < 0)
		av_fail(streaming ? open_reason(rc, in) : "not-audio", src, rc);
	in->stream = av_find_best_stream(in->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
	if (in->stream < 0 || codec == NULL)
		fail("not-audio", "%s: holds no audio that can be decoded (%s)", src, in->fmt->iformat->name);
	in->dec = avcodec_alloc_context3(codec);
	avcodec_parameters_to_context(in->dec, in->fmt->streams[in->stream]->codecpar);
	if ((rc = avcodec_open2(in->dec, codec, NULL)) < 0)
		av_fail("decode", src, rc);
	in->deadline = 0;
}

/* the stream title, when the server sends ICY metadata: "StreamTitle='...';" */
static void
icy_title(struct in *in)
{
	static char last[256];
	uint8_t *meta = NULL;
	char t[256], *p, *q;
	size_t i;

	if (in->fmt->pb == NULL || av_opt_get(in->fmt->pb, "icy_metadata_packet", AV_OPT_SEARCH_CHILDREN, &meta) < 0 ||
	    meta == NULL)
		return;
	if ((p = strstr((char *)meta, "StreamTitle='")) != NULL) {
		p += 13;
		q = strstr(p, "';");
		snprintf(t, sizeof(t), "%.*s", q ? (int)(q - p) : (int)strlen(p), p);
		for (i = 0; t[i]; i++)	/* a control in a stranger's title is not passed on */
			if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
				t[i] = ' ';
		if (strcmp(t, last) != 0) {
			snprintf(last, sizeof(last), "%s", t);
			say("title %s", t);
		}
	}
	av_free(meta);
}

/* --- output ------------------------------------------------------------------ */

struct out {
	SwrContext	*swr;
	AVChannelLayout	 layout;
	int		 rate;
	int		 have_in;	/* the input's last format, to notice a change */
	AVChannelLayout	 in_layout;
	int		 in_rate, in_fmt;
	int16_t		*buf;
	int		 cap;
	SNDFILE		*sf;		/* convert */
	long long	 frames, max_frames;
};

static void
write_all(const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t k = write(1, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			exit(0);	/* the reader went away: nothing more to do */
		c += k;
		n -= (size_t)k;
	}
}

/* (re)configures the resampler when the input's format changes mid-way */
static void
configure(struct out *o, AVFrame *f)
{
	if (o->have_in && f->sample_rate == o->in_rate && f->format == o->in_fmt &&
	    av_channel_layout_compare(&f->ch_layout, &o->in_layout) == 0)
		return;
	swr_free(&o->swr);
	if (swr_alloc_set_opts2(&o->swr, &o->layout, AV_SAMPLE_FMT_S16, o->rate, &f->ch_layout, f->format,
	    f->sample_rate, 0, NULL) < 0 || swr_init(o->swr) < 0)
		fail("decode", "cannot convert %d Hz, %d channels", f->sample_rate, f->ch_layout.nb_channels);
	av_channel_layout_uninit(&o->in_layout);
	av_channel_layout_copy(&o->in_layout, &f->ch_layout);
	o->in_rate = f->sample_rate;
	o->in_fmt = f->format;
	o->have_in = 1;
}

static void
emit(struct out *o, AVFrame *f)
{
	int n, ch = o->layout.nb_channels;

	configure(o, f);
	n = swr_get_out_samples(o->swr, f->nb_samples);
	if (n > o->cap) {
		free(o->buf);
		o->cap = n;
		if ((o->buf = malloc((size_t)n * (size_t)ch * sizeof(int16_t))) == NULL)
			fail("decode", "out of memory");
	}
	n = swr_convert(o->swr, (uint8_t **)&o->buf, o->cap, (const uint8_t **)(void *)f->extended_data, f->nb_samples);
	if (n <= 0)
		return;
	o->frames += n;
	if (o->max_frames && o->frames > o->max_frames)
		fail("too-long", "longer than %lld seconds: split it", o->max_frames / o->rate);
	if (o->sf) {
		if (sf_writef_short(o->sf, o->buf, n) != n)
			fail("output", "cannot write: %s", sf_strerror(o->sf));
	} else {
		write_all(o->buf, (size_t)n * (size_t)ch * sizeof(int16_t));
	}
}

/* decodes until the input ends (0) */
static void
pump(struct in *in, struct out *o)
{
	AVPacket *pkt = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	int rc, bad = 0, late;

	for (;;) {
		if (streaming)
			in->deadline = mono_ms() + in->timeout_ms;
		rc = av_read_frame(in->fmt, pkt);
		/*
		 * Our deadline passed: looked at before it is cleared, and
		 * AVERROR_EXIT too (only our callback makes it), which FFmpeg
		 * may keep and return on the next read, deadline or not.
		 */
		late = interrupted(in) || rc == AVERROR_EXIT;
		in->deadline = 0;
		if (rc == AVERROR_EOF)
			break;
		if (rc < 0) {
			if (streaming && (late || rc == AVERROR(ETIMEDOUT)))
				fail("timeout", "the stream: no data for %ld s (the server stalled)", in->timeout_ms / 1000);
			if (streaming)
				av_fail("connect", "the stream", rc);
			av_fail("decode", "reading", rc);
		}
		if (streaming)
			icy_title(in);
		if (pkt->stream_index == in->stream) {
			if (avcodec_send_packet(in->dec, pkt) < 0 && ++bad > 50)
				fail("decode", "too many broken frames");
			while (avcodec_receive_frame(in->dec, f) == 0) {
				bad = 0;
				emit(o, f);
			}
		}
		av_packet_unref(pkt);
	}
	avcodec_send_packet(in->dec, NULL);
	while (avcodec_receive_frame(in->dec, f) == 0)
		emit(o, f);
	av_frame_free(&f);
	av_packet_free(&pkt);
}

static int
usage(void)
{
	fprintf(stderr, "usage: loaxa-decode stream [--rate R] [--channels C] [--timeout-ms N] URL\n"
	    "       loaxa-decode convert [--max-seconds N] IN OUT.flac\n");
	return 2;
}

static int
stream_main(int argc, char **argv)
{
	struct in in = { .timeout_ms = 10000 };
	struct out o = { .rate = 48000 };
	int ch = 2, i;
	const char *url = NULL;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc)
			o.rate = atoi(argv[++i]);
		else if (strcmp(argv[i], "--channels") == 0 && i + 1 < argc)
			ch = atoi(argv[++i]);
		else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc)
			in.timeout_ms = atol(argv[++i]);
		else if (argv[i][0] != '-' && url == NULL)
			url = argv[i];
		else
			return usage();
	}
	if (url == NULL || o.rate < 8000 || o.rate > 192000 || ch < 1 || ch > 2 || in.timeout_ms < 100)
		return usage();
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		fail("scheme", "%s: only http:// and https:// streams are relayed", url);
	streaming = 1;
	signal(SIGPIPE, SIG_IGN);
	/* no file-size bound: what it writes goes to its pipes (or, run by hand, wherever its caller said) */
	limits(RLIM_INFINITY, 0);
	av_channel_layout_default(&o.layout, ch);
	open_input(&in, url);
	say("connected %s %s %d %d", in.fmt->iformat->name, in.dec->codec->name, in.dec->sample_rate,
	    in.dec->ch_layout.nb_channels);
	pump(&in, &o);
	say("ended");
	return 0;
}

static int
convert_main(int argc, char **argv)
{
	struct in in = { 0 };
	struct out o = { 0 };
	SF_INFO info = { 0 };
	long max_s = MAX_SECONDS_DEFAULT;
	const char *src = NULL, *dst = NULL;
	int i, ch;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--max-seconds") == 0 && i + 1 < argc)
			max_s = atol(argv[++i]);
		else if (argv[i][0] != '-' && src == NULL)
			src = argv[i];
		else if (argv[i][0] != '-' && dst == NULL)
			dst = argv[i];
		else
			return usage();
	}
	if (src == NULL || dst == NULL || max_s < 1)
		return usage();
	/* the output's bound: max_s of 16-bit stereo at 96 kHz, uncompressed */
	limits((rlim_t)max_s * 96000 * 4 + (1 << 20), (rlim_t)(max_s / 4 + 60));
	open_input(&in, src);
	ch = in.dec->ch_layout.nb_channels >= 2 ? 2 : 1;
	o.rate = in.dec->sample_rate;
	if (o.rate < 8000 || o.rate > 96000)
		fail("not-audio", "%s: a sample rate of %d Hz", src, o.rate);
	av_channel_layout_default(&o.layout, ch);
	o.max_frames = (long long)max_s * o.rate;
	info.samplerate = o.rate;
	info.channels = ch;
	info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
	if ((o.sf = sf_open(dst, SFM_WRITE, &info)) == NULL)
		fail("output", "%s: %s", dst, sf_strerror(NULL));
	pump(&in, &o);
	if (o.frames == 0)
		fail("not-audio", "%s: no audio in it", src);
	if (sf_close(o.sf) != 0)
		fail("output", "%s: cannot be written", dst);
	printf("converted %s %s %d %d %.3f\n", in.fmt->iformat->name, in.dec->codec->name, o.rate, ch,
	    (double)o.frames / o.rate);
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	av_log_set_level(getenv("LOAXA_DECODE_DEBUG") ? AV_LOG_DEBUG : AV_LOG_QUIET);
	if (argc >= 2 && strcmp(argv[1], "stream") == 0)
		return stream_main(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "convert") == 0)
		return convert_main(argc - 2, argv + 2);
	return usage();
}
