/*
 * decode: see decode.h.
 *
 * The sniffer reads the start of the file itself (it decides which library
 * gets the file and what the refusal says) and nothing else is parsed by
 * hand: MPEG frames are decoded by libmpg123, WAV by libsndfile.
 *
 * MP3: libmpg123 is told to be quiet (a library never prints), to skip ID3v2
 * tags instead of parsing them into memory (a crafted tag cannot make it
 * allocate), not to resync after a damaged frame (damage is an error, not a
 * skip), and to refuse "Frankenstein" streams that change format part way.
 * Its own format negotiation is given every rate and mono/stereo, float
 * output only, so it never converts behind our back. A LAME/Xing header
 * gives the exact length; decoding that ends short of it is a truncated file.
 *
 * WAV: libsndfile reads it as float; a data chunk that claims more than the
 * file holds is a truncated file, found before the first read.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <mpg123.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/decode.h"
#include "audio/libsndfile.h"
#include "base/translate.h"

#define SNIFF_LEN	(16 * 1024)	/* start of the audio looked at: junk, a frame, the next */
#define JUNK_MAX	4096		/* bytes tolerated before the first MPEG frame */

struct audio_dec {
	enum audio_dec_kind kind;
	char		*path;
	int		 fd;
	long		 rate;
	int		 channels;
	int64_t		 length;	/* frames the header promises, -1 unknown */
	int64_t		 done;		/* frames returned so far */
	int64_t		 max_frames;
	int		 ended;
	int		 check_finite;	/* float WAV: NaN and infinity are possible */
	mpg123_handle	*mh;
	size_t		 outblock;	/* the most bytes one MP3 frame decodes to */
	int		 mp3_next;	/* what ended the last read, for the next (MPG123_OK: nothing) */
	unsigned char	*spill;		/* a frame for a read with less room than one */
	size_t		 spill_off, spill_len;
	SNDFILE		*sf;
	char		 err[256];
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

/* --- the sniffer --- */

struct mpa {
	int	ver;		/* 1, 2, 25 */
	int	layer;		/* 1..3 */
	long	rate;
	int	len;		/* bytes, header included */
};

static const short mpa_kbps[2][3][15] = {
	{	/* MPEG-1 */
		{ 0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448 },
		{ 0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384 },
		{ 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320 },
	},
	{	/* MPEG-2 and 2.5 */
		{ 0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256 },
		{ 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160 },
		{ 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160 },
	},
};
static const long mpa_rates[3] = { 44100, 48000, 32000 };

/* 1 when h holds a usable MPEG audio frame header (free format is not usable) */
static int
mpa_header(const unsigned char *h, struct mpa *m)
{
	int v, l, bi, si, pad;
	long kbps;

	if (h[0] != 0xff || (h[1] & 0xe0) != 0xe0)
		return 0;
	v = (h[1] >> 3) & 3;
	l = (h[1] >> 1) & 3;
	bi = h[2] >> 4;
	si = (h[2] >> 2) & 3;
	pad = (h[2] >> 1) & 1;
	if (v == 1 || l == 0 || bi == 0 || bi == 15 || si == 3 || (h[3] & 3) == 2)
		return 0;
	m->ver = v == 3 ? 1 : v == 2 ? 2 : 25;
	m->layer = 4 - l;
	m->rate = mpa_rates[si] / (m->ver == 1 ? 1 : m->ver == 2 ? 2 : 4);
	kbps = mpa_kbps[m->ver == 1 ? 0 : 1][m->layer - 1][bi];
	if (m->layer == 1)
		m->len = (int)((12 * kbps * 1000 / m->rate + pad) * 4);
	else if (m->layer == 3 && m->ver != 1)
		m->len = (int)(72 * kbps * 1000 / m->rate + pad);
	else
		m->len = (int)(144 * kbps * 1000 / m->rate + pad);
	return m->len >= 4;
}

/* a free-format stream: a header with bitrate index 0, repeated further on */
static int
free_format(const unsigned char *b, ssize_t n)
{
	for (ssize_t p = 0; p + 4 <= n && p <= JUNK_MAX; p++) {
		if (b[p] != 0xff || (b[p + 1] & 0xe0) != 0xe0 || ((b[p + 1] >> 1) & 3) == 0 ||
		    ((b[p + 1] >> 3) & 3) == 1 || (b[p + 2] >> 4) != 0 || ((b[p + 2] >> 2) & 3) == 3)
			continue;
		for (ssize_t q = p + 4; q + 3 <= n && q <= p + 8192; q++)
			if (b[q] == b[p] && b[q + 1] == b[p + 1] && (b[q + 2] & 0xfd) == (b[p + 2] & 0xfd))
				return 1;
	}
	return 0;
}

static int
is_text(const unsigned char *b, size_t n)
{
	size_t i, bad = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (b[i] < 0x09 || (b[i] > 0x0d && b[i] < 0x20) || b[i] == 0x7f)
			bad++;
	return bad == 0;
}

/* ADTS AAC: a 12-bit sync, layer 0, and the next header where the frame length says */
static int
adts(const unsigned char *b, ssize_t n)
{
	for (ssize_t p = 0; p + 7 <= n && p <= JUNK_MAX; p++) {
		ssize_t len;

		if (b[p] != 0xff || (b[p + 1] & 0xf6) != 0xf0)
			continue;
		len = ((b[p + 3] & 3) << 11) | (b[p + 4] << 3) | (b[p + 5] >> 5);
		if (len < 7)
			continue;
		if (p + len == n || (p + len + 2 <= n && b[p + len] == 0xff && (b[p + len + 1] & 0xf6) == 0xf0))
			return 1;
	}
	return 0;
}

/* a container only the decoding child reads: 1 */
static int
foreign(const unsigned char *b, size_t n)
{
	return (n >= 12 && memcmp(b + 4, "ftyp", 4) == 0) || (n >= 4 && memcmp(b, "ADIF", 4) == 0) ||
	    (n >= 4 && memcmp(b, "OggS", 4) == 0) || (n >= 5 && memcmp(b, "#!AMR", 5) == 0) ||
	    (n >= 4 && memcmp(b, "\x30\x26\xb2\x75", 4) == 0) || (n >= 4 && memcmp(b, "\x1a\x45\xdf\xa3", 4) == 0);
}

/* what a refused file most likely is, for the message: " (AAC?)" or "" */
static const char *
guess(const unsigned char *b, size_t n)
{
	if (n >= 12 && memcmp(b + 4, "ftyp", 4) == 0)
		return " (AAC/MP4?)";
	if (n >= 2 && b[0] == 0xff && (b[1] & 0xf6) == 0xf0)
		return " (AAC?)";
	if (n >= 4 && memcmp(b, "ADIF", 4) == 0)
		return " (AAC?)";
	if (n >= 4 && memcmp(b, "OggS", 4) == 0)
		return " (Ogg?)";
	if (n >= 4 && memcmp(b, "fLaC", 4) == 0)
		return " (FLAC?)";
	if (n >= 5 && memcmp(b, "#!AMR", 5) == 0)
		return " (AMR?)";
	if (n >= 4 && memcmp(b, "\x30\x26\xb2\x75", 4) == 0)
		return " (WMA?)";
	if (n >= 4 && memcmp(b, "FORM", 4) == 0)
		return " (AIFF?)";
	if (n >= 4 && memcmp(b, "\x1a\x45\xdf\xa3", 4) == 0)
		return " (WebM/Matroska?)";
	if (n >= 4 && memcmp(b, "RIFF", 4) == 0)
		return " (RIFF but not WAVE?)";
	if (is_text(b, n < 512 ? n : 512))
		return " (text?)";
	return "";
}

static ssize_t
pread_full(int fd, unsigned char *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = pread(fd, buf + got, len - got, off + (off_t)got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int
audio_dec_sniff(int fd, const char *path, enum audio_dec_kind *kind, char *err, size_t errlen)
{
	unsigned char buf[SNIFF_LEN], head[64];
	struct stat st;
	int64_t off = 0;
	ssize_t n, hn;
	struct mpa m, m2;

	if (fstat(fd, &st) < 0) {
		seterr(err, errlen, _("%s: cannot read: %s"), path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errlen, _("%s: not a regular file"), path);
		return -1;
	}
	if (st.st_size == 0) {
		seterr(err, errlen, _("%s: the file is empty (0 bytes); copy it again"), path);
		return -1;
	}
	if (st.st_size > AUDIO_DEC_MAX_BYTES) {
		seterr(err, errlen, _("%s: the file is too large (%lld MiB, at most %lld); split it or convert it to MP3"),
		    path, (long long)st.st_size >> 20, AUDIO_DEC_MAX_BYTES >> 20);
		return -1;
	}
	if ((hn = pread_full(fd, head, sizeof(head), 0)) < 0) {
		seterr(err, errlen, _("%s: cannot read: %s"), path, strerror(errno));
		return -1;
	}
	if (hn >= 12 && (memcmp(head, "RIFF", 4) == 0 || memcmp(head, "RIFX", 4) == 0 ||
	    memcmp(head, "RF64", 4) == 0) && memcmp(head + 8, "WAVE", 4) == 0) {
		*kind = AUDIO_DEC_WAV;
		return 0;
	}
	if (hn >= 4 && memcmp(head, "fLaC", 4) == 0) {
		*kind = AUDIO_DEC_FLAC;
		return 0;
	}
	if (foreign(head, (size_t)hn)) {
		*kind = AUDIO_DEC_FOREIGN;
		return 0;
	}
	/* ID3v2 tags (there may be more than one) before the MPEG frames */
	for (;;) {
		unsigned char t[10];
		int64_t size;

		if (pread_full(fd, t, 10, (off_t)off) != 10 || memcmp(t, "ID3", 3) != 0)
			break;
		if (t[3] == 0xff || t[4] == 0xff || ((t[6] | t[7] | t[8] | t[9]) & 0x80)) {
			seterr(err, errlen, _("%s: damaged ID3 tag; convert it to MP3 again"), path);
			return -1;
		}
		size = ((int64_t)t[6] << 21) | (t[7] << 14) | (t[8] << 7) | t[9];
		size += 10 + ((t[5] & 0x10) ? 10 : 0);
		if (off + size >= st.st_size) {
			seterr(err, errlen, _("%s: the ID3 tag claims %lld bytes but the file holds only %lld: "
			    "truncated or damaged; copy it again or convert it to MP3"), path,
			    (long long)size, (long long)(st.st_size - off));
			return -1;
		}
		off += size;
	}
	if ((n = pread_full(fd, buf, sizeof(buf), (off_t)off)) < 0) {
		seterr(err, errlen, _("%s: cannot read: %s"), path, strerror(errno));
		return -1;
	}
	/* tag padding some writers put after the declared size */
	int64_t p = 0, p0;
	while (p < n && buf[p] == 0)
		p++;
	p0 = p;
	for (int64_t start = p; p + 4 <= n && p <= start + JUNK_MAX; p++) {
		if (!mpa_header(buf + p, &m))
			continue;
		int64_t next = p + m.len;
		if (off + next == st.st_size || (next + 3 <= n && memcmp(buf + next, "TAG", 3) == 0 &&
		    off + next + 128 == st.st_size)) {
			*kind = AUDIO_DEC_MP3;	/* a one-frame file */
			return 0;
		}
		if (next + 4 <= n && mpa_header(buf + next, &m2) && m2.ver == m.ver &&
		    m2.layer == m.layer && m2.rate == m.rate) {
			*kind = AUDIO_DEC_MP3;
			return 0;
		}
	}
	/* ADTS AAC (phones' .aac) looks like MPEG audio to a careless eye: before free format */
	if (adts(buf + p0, n - p0) || (off > 0 && foreign(buf + p0, (size_t)(n - p0)))) {
		*kind = AUDIO_DEC_FOREIGN;
		return 0;
	}
	if (free_format(buf, n)) {
		seterr(err, errlen, _("%s: a free-format MP3 (not supported); convert it to an MP3 with a fixed or "
		    "variable bit rate"), path);
		return -1;
	}
	if (off > 0 && n > 0 && *guess(buf, (size_t)n))
		seterr(err, errlen, _("%s: not an MP3 or WAV file%s; convert it to MP3"), path, guess(buf, (size_t)n));
	else if (off > 0)
		seterr(err, errlen, _("%s: an ID3 tag but no MP3 audio after it (damaged, or another format); "
		    "convert it to MP3"), path);
	else
		seterr(err, errlen, _("%s: not an MP3 or WAV file%s; convert it to MP3"), path, guess(head, (size_t)hn));
	return -1;
}

/* --- MP3 --- */

static int
mp3_open(struct audio_dec *d, char *err, size_t errlen)
{
	const long *rates;
	size_t nrates;
	long rate;
	int e, ch, enc;
	off_t len;

	mpg123_init();	/* a no-op since 1.27, needed before */
	if ((d->mh = mpg123_new(NULL, &e)) == NULL) {
		seterr(err, errlen, _("%s: cannot start the MP3 decoder: %s"), d->path, mpg123_plain_strerror(e));
		return -1;
	}
	mpg123_param(d->mh, MPG123_FLAGS, MPG123_QUIET | MPG123_GAPLESS | MPG123_SKIP_ID3V2 |
	    MPG123_NO_RESYNC | MPG123_NO_FRANKENSTEIN, 0);
	mpg123_param(d->mh, MPG123_RESYNC_LIMIT, JUNK_MAX, 0);
	mpg123_format_none(d->mh);
	mpg123_rates(&rates, &nrates);
	for (size_t i = 0; i < nrates; i++)
		mpg123_format(d->mh, rates[i], MPG123_MONO | MPG123_STEREO, MPG123_ENC_FLOAT_32);
	if (mpg123_open_fd(d->mh, d->fd) != MPG123_OK ||
	    mpg123_getformat(d->mh, &rate, &ch, &enc) != MPG123_OK) {
		seterr(err, errlen, _("%s: not a playable MP3 (%s); convert it to MP3 again"), d->path,
		    mpg123_strerror(d->mh));
		return -1;
	}
	if (enc != MPG123_ENC_FLOAT_32 || ch < 1 || ch > 2) {
		seterr(err, errlen, _("%s: the MP3 decoder cannot give float samples; convert it to MP3 again"), d->path);
		return -1;
	}
	/* the format is fixed now: anything else later is an error */
	mpg123_format_none(d->mh);
	mpg123_format(d->mh, rate, ch, enc);
	d->rate = rate;
	d->channels = ch;
	len = mpg123_length(d->mh);
	d->length = len > 0 ? (int64_t)len : -1;
	d->outblock = mpg123_outblock(d->mh);
	d->mp3_next = MPG123_OK;
	return 0;
}

/* 1 when the stream's length is known exactly (a LAME/Xing header) */
static int
mp3_exact_length(struct audio_dec *d)
{
	struct mpg123_frameinfo2 fi;
	long val;
	double dval;

	if (mpg123_info2(d->mh, &fi) != MPG123_OK)
		return 0;
	if (mpg123_getstate(d->mh, MPG123_ENC_DELAY, &val, &dval) == MPG123_OK && val >= 0)
		return 1;
	return 0;
}

/*
 * One MP3 frame decoded straight into dst (room bytes, at least
 * d->outblock): libmpg123 writes its samples where the player wants them,
 * as the mpg123 program has them in place, where mpg123_read() would
 * decode into a buffer of its own and copy (12.7 M of the 387 M
 * instructions of a minute's airing, bench audio.sh).
 */
static int
mp3_frame(struct audio_dec *d, unsigned char *dst, size_t room, size_t *got)
{
	unsigned char *audio = NULL;
	off_t num;
	int r;

	*got = 0;
	if ((r = mpg123_replace_buffer(d->mh, dst, room)) != MPG123_OK)
		return r;
	r = mpg123_decode_frame(d->mh, &num, &audio, got);
	if (r == MPG123_OK && *got > 0 && audio != dst)
		memmove(dst, audio, *got);	/* libmpg123 cuts the gapless start in place: not seen */
	return r;
}

static long
mp3_read(struct audio_dec *d, float *buf, size_t frames)
{
	size_t fb = (size_t)d->channels * sizeof(float), room = frames * fb, out = 0, got;
	unsigned char *dst = (unsigned char *)buf;
	int r = d->mp3_next;

	if (d->spill_len > 0) {		/* what a read with little room left */
		out = d->spill_len < room ? d->spill_len : room;
		memcpy(dst, d->spill + d->spill_off, out);
		d->spill_off += out;
		d->spill_len -= out;
		return (long)(out / fb);
	}
	d->mp3_next = MPG123_OK;
	while (r == MPG123_OK && (out == 0 || room - out >= d->outblock)) {
		if (room - out >= d->outblock)
			r = mp3_frame(d, dst + out, room - out, &got);
		else {
			if (d->spill == NULL && (d->spill = malloc(d->outblock)) == NULL) {
				snprintf(d->err, sizeof(d->err), "%s: %s", d->path, strerror(ENOMEM));
				return -1;
			}
			r = mp3_frame(d, d->spill, d->outblock, &got);
			if (r == MPG123_OK && got > room) {
				d->spill_off = room;
				d->spill_len = got - room;
				got = room;
			}
			memcpy(dst, d->spill, got);
		}
		if (r == MPG123_NEW_FORMAT) {
			long rate;
			int ch, enc;

			mpg123_getformat(d->mh, &rate, &ch, &enc);
			if (rate != d->rate || ch != d->channels) {
				snprintf(d->err, sizeof(d->err), _("%s: the MP3 changes format part way (%ld Hz %d ch, then "
				    "%ld Hz %d ch); convert it to MP3 again"), d->path, d->rate, d->channels, rate, ch);
				return -1;
			}
			r = MPG123_OK;
		} else if (r == MPG123_OK)
			out += got;
	}
	if (out > 0) {
		d->mp3_next = r;	/* an end or an error after these frames: the next read says so */
		return (long)(out / fb);
	}
	if (r == MPG123_DONE) {
		d->mp3_next = MPG123_DONE;
		if (d->length > 0 && d->done < d->length && mp3_exact_length(d)) {
			snprintf(d->err, sizeof(d->err), _("%s: the MP3 ends early (%.1f s of %.1f s): truncated; "
			    "copy it again"), d->path, (double)d->done / (double)d->rate,
			    (double)d->length / (double)d->rate);
			return -1;
		}
		return 0;
	}
	snprintf(d->err, sizeof(d->err), _("%s: damaged MP3 data after %.1f s (%s); copy it again or "
	    "convert it to MP3"), d->path, (double)d->done / (double)d->rate, mpg123_strerror(d->mh));
	return -1;
}

/* --- WAV --- */

static int
wav_truncated(const char *log)
{
	const char *l = strstr(log, "\ndata : ");
	unsigned long long claimed, found;

	if (l == NULL || sscanf(l, "\ndata : %llu (should be %llu)", &claimed, &found) != 2)
		return 0;
	return claimed > found && claimed != 0xffffffffULL && claimed != 0x7fffffffULL;
}

static int
wav_open(struct audio_dec *d, char *err, size_t errlen)
{
	const struct libsndfile *sf = libsndfile_load(err, errlen);
	SF_INFO si;
	char log[2048];
	int sub;

	if (sf == NULL)
		return -1;
	memset(&si, 0, sizeof(si));
	if ((d->sf = sf->open_fd(d->fd, SFM_READ, &si, 0)) == NULL) {
		seterr(err, errlen, _("%s: not a readable WAV file (%s); convert it to MP3"), d->path, sf->strerror(NULL));
		return -1;
	}
	if (d->kind == AUDIO_DEC_FLAC ? (si.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_FLAC :
	    (si.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_WAV && (si.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_WAVEX &&
	    (si.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_RF64) {
		seterr(err, errlen, _("%s: not a WAV file; convert it to MP3"), d->path);
		return -1;
	}
	if (si.channels < 1 || si.channels > AUDIO_DEC_MAX_CHANNELS) {
		seterr(err, errlen, _("%s: %d channels (at most %d); convert it to a mono or stereo MP3"), d->path,
		    si.channels, AUDIO_DEC_MAX_CHANNELS);
		return -1;
	}
	if (si.samplerate < AUDIO_DEC_MIN_RATE || si.samplerate > AUDIO_DEC_MAX_RATE) {
		seterr(err, errlen, _("%s: sample rate %d Hz (allowed %d to %d); convert it to MP3"), d->path,
		    si.samplerate, AUDIO_DEC_MIN_RATE, AUDIO_DEC_MAX_RATE);
		return -1;
	}
	/*
	 * libsndfile trims a data chunk that claims more than the file holds and
	 * says so in its log ("data : CLAIMED (should be FOUND)"): a truncated
	 * copy. Recorders that stream write 0 or 0xFFFFFFFF there; those are fine.
	 */
	log[0] = '\0';
	sf->command(d->sf, SFC_GET_LOG_INFO, log, sizeof(log));
	if (wav_truncated(log)) {
		seterr(err, errlen, _("%s: the WAV data is shorter than its header says: truncated; copy it again"),
		    d->path);
		return -1;
	}
	d->rate = si.samplerate;
	d->channels = si.channels;
	d->length = si.frames > 0 ? (int64_t)si.frames : -1;
	sub = si.format & SF_FORMAT_SUBMASK;
	d->check_finite = sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE;
	if (d->length == 0) {
		seterr(err, errlen, _("%s: the WAV file holds no audio; record it again"), d->path);
		return -1;
	}
	sf->command(d->sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
	return 0;
}

static long
wav_read(struct audio_dec *d, float *buf, size_t frames)
{
	const struct libsndfile *sf = libsndfile_load(NULL, 0);	/* loaded: wav_open succeeded */
	sf_count_t n = sf->readf_float(d->sf, buf, (sf_count_t)frames);

	if (n > 0)
		return (long)n;
	if (sf->error(d->sf) != SF_ERR_NO_ERROR) {
		snprintf(d->err, sizeof(d->err), _("%s: damaged WAV data after %.1f s (%s); copy it again"), d->path,
		    (double)d->done / (double)d->rate, sf->strerror(d->sf));
		return -1;
	}
	if (d->length > 0 && d->done < d->length) {
		snprintf(d->err, sizeof(d->err), _("%s: the WAV ends early (%.1f s of %.1f s): truncated; copy it again"),
		    d->path, (double)d->done / (double)d->rate, (double)d->length / (double)d->rate);
		return -1;
	}
	return 0;
}

/* --- the handle --- */

struct audio_dec *
audio_dec_open(const char *path, char *err, size_t errlen)
{
	struct audio_dec *d;
	int r;

	if ((d = calloc(1, sizeof(*d))) == NULL || (d->path = strdup(path)) == NULL) {
		free(d);
		seterr(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return NULL;
	}
	d->length = -1;
	if ((d->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		seterr(err, errlen, _("%s: cannot open: %s"), path, strerror(errno));
		free(d->path);
		free(d);
		return NULL;
	}
	if (audio_dec_sniff(d->fd, path, &d->kind, err, errlen) < 0) {
		audio_dec_close(d);
		return NULL;
	}
	if (d->kind == AUDIO_DEC_FOREIGN) {
		seterr(err, errlen, _("%s: a phone or web recording (AAC, M4A, Opus, Ogg, AMR, WMA or WebM): it airs "
		    "once it is converted; load it from a USB stick, which converts it"), path);
		audio_dec_close(d);
		return NULL;
	}
	if (lseek(d->fd, 0, SEEK_SET) < 0) {
		seterr(err, errlen, _("%s: cannot read: %s"), path, strerror(errno));
		audio_dec_close(d);
		return NULL;
	}
	r = d->kind == AUDIO_DEC_MP3 ? mp3_open(d, err, errlen) : wav_open(d, err, errlen);
	if (r == 0 && (d->rate < AUDIO_DEC_MIN_RATE || d->rate > AUDIO_DEC_MAX_RATE)) {
		seterr(err, errlen, _("%s: sample rate %ld Hz (allowed %d to %d); convert it to MP3"), path, d->rate,
		    AUDIO_DEC_MIN_RATE, AUDIO_DEC_MAX_RATE);
		r = -1;
	}
	d->max_frames = (int64_t)d->rate * AUDIO_DEC_MAX_SECONDS;
	if (r == 0 && d->length > d->max_frames) {
		seterr(err, errlen, _("%s: %.0f minutes long (at most %d); split it into shorter bulletins"), path,
		    (double)d->length / (double)d->rate / 60.0, AUDIO_DEC_MAX_SECONDS / 60);
		r = -1;
	}
	if (r < 0) {
		audio_dec_close(d);
		return NULL;
	}
	return d;
}

long
audio_dec_rate(const struct audio_dec *d)
{
	return d->rate;
}

int
audio_dec_channels(const struct audio_dec *d)
{
	return d->channels;
}

enum audio_dec_kind
audio_dec_kind(const struct audio_dec *d)
{
	return d->kind;
}

int64_t
audio_dec_length(const struct audio_dec *d)
{
	return d->length;
}

const char *
audio_dec_error(const struct audio_dec *d)
{
	return d->err;
}

long
audio_dec_read(struct audio_dec *d, float *buf, size_t frames)
{
	long n;

	if (d->ended)
		return d->err[0] ? -1 : 0;
	if (frames == 0)
		return 0;
	n = d->kind == AUDIO_DEC_MP3 ? mp3_read(d, buf, frames) : wav_read(d, buf, frames);
	if (n > 0) {
		size_t ns = (size_t)n * (size_t)d->channels;

		/* NaN or infinity from a crafted float WAV would poison every later stage */
		if (d->check_finite)
			for (size_t i = 0; i < ns; i++)
				if (!isfinite(buf[i]))
					buf[i] = 0.0f;
		d->done += n;
		if (d->done > d->max_frames) {
			snprintf(d->err, sizeof(d->err), _("%s: longer than %d minutes; split it into shorter bulletins"),
			    d->path, AUDIO_DEC_MAX_SECONDS / 60);
			d->ended = 1;
			return -1;
		}
		return n;
	}
	d->ended = 1;
	if (n < 0 && d->err[0] == '\0')
		snprintf(d->err, sizeof(d->err), _("%s: cannot decode"), d->path);
	return n;
}

void
audio_dec_close(struct audio_dec *d)
{
	if (d == NULL)
		return;
	if (d->mh) {
		mpg123_close(d->mh);
		mpg123_delete(d->mh);
	}
	free(d->spill);
	if (d->sf)
		libsndfile_load(NULL, 0)->close(d->sf);
	if (d->fd >= 0)
		close(d->fd);
	free(d->path);
	free(d);
}
