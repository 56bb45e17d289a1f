/*
 * libsndfile: libsndfile, loaded when a WAV is first read or written, not at
 * start. libsndfile brings FLAC, Vorbis, Opus and LAME with it: about
 * 1.2 MB of resident memory in every process that links it, for a format
 * most bulletins do not use (they are MP3). The functions are the library's
 * own, looked up once (dlopen of its soname).
 */
#ifndef LOAXA_AUDIO_SFDL_H
#define LOAXA_AUDIO_SFDL_H

#include <stddef.h>
#include <sndfile.h>

struct libsndfile {
	SNDFILE		*(*open_fd)(int, int, SF_INFO *, int);
	SNDFILE		*(*open)(const char *, int, SF_INFO *);
	const char	*(*strerror)(SNDFILE *);
	int		 (*command)(SNDFILE *, int, void *, int);
	int		 (*error)(SNDFILE *);
	sf_count_t	 (*readf_float)(SNDFILE *, float *, sf_count_t);
	sf_count_t	 (*writef_float)(SNDFILE *, const float *, sf_count_t);
	int		 (*close)(SNDFILE *);
};

/* the library's functions; NULL with err set (it is not installed: what to do) */
const struct libsndfile *libsndfile_load(char *err, size_t errlen);

#endif
