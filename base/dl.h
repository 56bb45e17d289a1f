/*
 * dl: a shared library loaded on first use, not at start. A program that
 * links a library maps it, relocates it and runs its constructors before
 * main(), whether or not that run uses it: the board's programs load
 * libcurl (and its TLS, HTTP/2, SSH, LDAP and Kerberos libraries),
 * libmosquitto and libsndfile only when a fetch, the fleet or a WAV needs
 * them. Each caller keeps a table of the functions it uses, typed from the
 * library's own header; dl_load() fills it once (dlopen of the soname,
 * dlsym of each name), thread-safe.
 *
 * The Debian package then declares these libraries in Depends: itself
 * (dpkg-shlibdeps only sees what is linked).
 */
#ifndef LOAXA_BASE_DL_H
#define LOAXA_BASE_DL_H

#include <stddef.h>

struct dl_sym {
	void		**fn;
	const char	 *name;
};

struct dl_lib {
	const char		*soname;	/* "libcurl.so.4" */
	const struct dl_sym	*syms;
	size_t			 nsyms;
	int			 state;		/* 0 not tried, 1 loaded, -1 failed */
	char			 failed[256];	/* dlerror()'s text when it failed */
};

/* 0 when every function is there; -1 and the reason (dlerror's text) otherwise, every later call the same */
int	dl_load(struct dl_lib *, const char **why);

#endif
