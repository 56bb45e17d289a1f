/*
 * cfgkey: libconfig with diagnostics. The typed getters that loaxa.cfg,
 * bulletin manifests and library metadata share: each checks the type and
 * range of one key and, when wrong, adds "FILE:LINE: key.path: message"
 * naming what is allowed, then lets the caller go on, so that one run
 * reports every error. No I/O.
 */
#ifndef CFGKEY_H
#define CFGKEY_H

#include <libconfig.h>

#include "config/diag.h"

#define CFGKEY_ID_MAX 32

struct cfgkey {
	const char	*file;	/* named in messages */
	struct diag	*d;
	int		 bad;	/* set by every error */
};

/* parses text into lc, reporting a syntax error; 0 or -1 */
int	 cfgkey_read(struct cfgkey *, config_t *lc, const char *text);
int	 cfgkey_line(const config_setting_t *);
void	 cfgkey_err(struct cfgkey *, const config_setting_t *, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void	 cfgkey_missing(struct cfgkey *, const config_setting_t *g, const char *name, const char *hint);
const char *cfgkey_type_name(int type);
/* every member of g must be one of allowed (NULL-terminated) */
void	 cfgkey_keys(struct cfgkey *, const config_setting_t *g, const char *const *allowed);

/* getters: 1 present and good, 0 absent, -1 present but wrong (reported) */
int	 cfgkey_str(struct cfgkey *, const config_setting_t *g, const char *name, const char **out);
int	 cfgkey_int(struct cfgkey *, const config_setting_t *g, const char *name, long long lo, long long hi,
	    long long *out);
int	 cfgkey_num(struct cfgkey *, const config_setting_t *g, const char *name, double lo, double hi, double *out);
int	 cfgkey_bool(struct cfgkey *, const config_setting_t *g, const char *name, int *out);
/* a member of the given type (CONFIG_TYPE_GROUP, _LIST, _ARRAY) or NULL */
const config_setting_t *cfgkey_group(struct cfgkey *, const config_setting_t *g, const char *name, int type);
/* required "id": [a-z0-9_-]{1,CFGKEY_ID_MAX}; NULL when absent or bad */
const char *cfgkey_id(struct cfgkey *, const config_setting_t *g, const char *what);
int	 cfgkey_valid_id(const char *s);

/* allocation that aborts: configs and manifests are small */
char	*cfgkey_strdup(const char *s);
void	*cfgkey_calloc(size_t n, size_t size);

#endif
