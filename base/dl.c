/*
 * dl: see dl.h.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "base/dl.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void
load(struct dl_lib *l)
{
	/* RTLD_LOCAL: its symbols stay out of the global scope; RTLD_NOW: a missing one fails here, not mid-call */
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		snprintf(l->failed, sizeof(l->failed), "%s", dlerror());
		l->state = -1;
		return;
	}
	for (size_t i = 0; i < l->nsyms; i++)
		if ((*l->syms[i].fn = dlsym(h, l->syms[i].name)) == NULL) {
			snprintf(l->failed, sizeof(l->failed), "%s", dlerror());
			for (size_t j = 0; j < l->nsyms; j++)
				*l->syms[j].fn = NULL;
			dlclose(h);
			l->state = -1;
			return;
		}
	l->state = 1;
}

int
dl_load(struct dl_lib *l, const char **why)
{
	pthread_mutex_lock(&lock);
	if (l->state == 0)
		load(l);
	pthread_mutex_unlock(&lock);
	if (why != NULL)
		*why = l->state > 0 ? NULL : l->failed;
	return l->state > 0 ? 0 : -1;
}
