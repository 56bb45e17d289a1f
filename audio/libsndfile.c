/*
 * libsndfile: libsndfile loaded on first use (see libsndfile.h).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "audio/libsndfile.h"
#include "base/translate.h"

static struct libsndfile lib;
static char failed[256];	/* dlerror()'s text when the load failed */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load(void)
{
	void *h = dlopen("libsndfile.so.1", RTLD_NOW | RTLD_LOCAL);
	struct { void **fn; const char *name; } syms[] = {
		{ (void **)&lib.open_fd, "sf_open_fd" }, { (void **)&lib.open, "sf_open" },
		{ (void **)&lib.strerror, "sf_strerror" }, { (void **)&lib.command, "sf_command" },
		{ (void **)&lib.error, "sf_error" }, { (void **)&lib.readf_float, "sf_readf_float" },
		{ (void **)&lib.writef_float, "sf_writef_float" }, { (void **)&lib.close, "sf_close" },
	};

	if (h == NULL) {
		snprintf(failed, sizeof(failed), "%s", dlerror());
		return;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if ((*syms[i].fn = dlsym(h, syms[i].name)) == NULL) {
			snprintf(failed, sizeof(failed), "%s", dlerror());
			lib.close = NULL;
			return;
		}
}

const struct libsndfile *
libsndfile_load(char *err, size_t errlen)
{
	pthread_once(&once, load);
	if (lib.close != NULL)
		return &lib;
	if (err != NULL)
		snprintf(err, errlen, _("WAV files cannot be read: libsndfile is missing (%s); install the "
		    "libsndfile1 package"), failed);
	return NULL;
}
