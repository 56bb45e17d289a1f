/*
 * measure: see measure.h. One pass: decode (decode.c) into libebur128 for
 * the integrated loudness, and into truepeak.c for the true peak (the same
 * figure as libebur128's EBUR128_MODE_TRUE_PEAK, without oversampling the
 * stretches that cannot hold the peak: most of a file).
 */
#include <ebur128.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "audio/decode.h"
#include "audio/measure.h"
#include "audio/truepeak.h"
#include "base/translate.h"

#define BLOCK 4096	/* frames per read */

int
audio_measure(const char *path, struct audio_measure *m, char *err, size_t errlen)
{
	struct audio_dec *d;
	ebur128_state *st = NULL;
	struct audio_tp *tp = NULL;
	float *buf = NULL;
	double lufs, peak = 0, p;
	long long frames = 0;
	long n;
	int ch, r = -1;

	if ((d = audio_dec_open(path, err, errlen)) == NULL)
		return -1;
	ch = audio_dec_channels(d);
	if ((buf = malloc(sizeof(float) * BLOCK * (size_t)ch)) == NULL ||
	    (st = ebur128_init((unsigned)ch, (unsigned long)audio_dec_rate(d),
	    EBUR128_MODE_I)) == NULL ||
	    (tp = audio_tp_new((unsigned)ch, (unsigned long)audio_dec_rate(d))) == NULL) {
		snprintf(err, errlen, _("%s: out of memory measuring loudness"), path);
		goto out;
	}
	if (ch == 1)
		ebur128_set_channel(st, 0, EBUR128_DUAL_MONO);
	while ((n = audio_dec_read(d, buf, BLOCK)) > 0) {
		if (ebur128_add_frames_float(st, buf, (size_t)n) != EBUR128_SUCCESS) {
			snprintf(err, errlen, _("%s: loudness measurement failed"), path);
			goto out;
		}
		audio_tp_add(tp, buf, (size_t)n);
		frames += n;
	}
	if (n < 0) {
		snprintf(err, errlen, "%s", audio_dec_error(d));
		goto out;
	}
	if (frames == 0) {
		snprintf(err, errlen, _("%s: holds no audio; record it again"), path);
		goto out;
	}
	if (ebur128_loudness_global(st, &lufs) != EBUR128_SUCCESS || !isfinite(lufs)) {
		snprintf(err, errlen, _("%s: is silent (no sound above -70 LUFS); record it again"), path);
		goto out;
	}
	for (int c = 0; c < ch; c++)
		if ((p = audio_tp_peak(tp, (unsigned)c)) > peak)
			peak = p;
	m->duration_ms = (long)((frames * 1000 + audio_dec_rate(d) / 2) / audio_dec_rate(d));
	m->loudness_lufs = lufs;
	m->true_peak_db = peak > 0 ? 20 * log10(peak) : -HUGE_VAL;
	m->rate = audio_dec_rate(d);
	m->channels = ch;
	r = 0;
out:
	if (st)
		ebur128_destroy(&st);
	audio_tp_free(tp);
	free(buf);
	audio_dec_close(d);
	return r;
}
