/*
 * libsndfile: libsndfile loaded on first use (see libsndfile.h).
 */
#include <stdio.h>

#include "audio/libsndfile.h"
#include "base/dl.h"
#include "base/translate.h"

static struct libsndfile lib;
static const struct dl_sym syms[] = {
	{ (void **)&lib.open_fd, "sf_open_fd" }, { (void **)&lib.open, "sf_open" },
	{ (void **)&lib.strerror, "sf_strerror" }, { (void **)&lib.command, "sf_command" },
	{ (void **)&lib.error, "sf_error" }, { (void **)&lib.readf_float, "sf_readf_float" },
	{ (void **)&lib.writef_float, "sf_writef_float" }, { (void **)&lib.close, "sf_close" },
};
static struct dl_lib dl = { "libsndfile.so.1", syms, sizeof(syms) / sizeof(syms[0]), 0, "" };

const struct libsndfile *
libsndfile_load(char *err, size_t errlen)
{
	const char *why;

	if (dl_load(&dl, &why) == 0)
		return &lib;
	if (err != NULL)
		snprintf(err, errlen, _("WAV files cannot be read: libsndfile is missing (%s); install the "
		    "libsndfile1 package"), why);
	return NULL;
}
