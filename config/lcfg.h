/*
 * lcfg: libconfig with diagnostics. The typed getters that loaxa.cfg,
 * bulletin manifests and library metadata share: each checks the type and
 * range of one key and, when wrong, adds "FILE:LINE: key.path: message"
 * naming what is allowed, then lets the caller go on, so that one run
 * reports every error. No I/O.
 */
#ifndef LCFG_H
#define LCFG_H

#include <libconfig.h>

#include "config/diag.h"

#define LCFG_ID_MAX 32

struct lcfg {
	const char	*file;	/* named in messages */
	struct diag	*d;
	int		 bad;	/* set by every error */
};

/* parses text into lc, reporting a syntax error; 0 or -1 */
int	 lcfg_read(struct lcfg *, config_t *lc, const char *text);
int	 lcfg_line(const config_setting_t *);
void	 lcfg_err(struct lcfg *, const config_setting_t *, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void	 lcfg_missing(struct lcfg *, const config_setting_t *g, const char *name, const char *hint);
const char *lcfg_type_name(int type);
/* every member of g must be one of allowed (NULL-terminated) */
void	 lcfg_keys(struct lcfg *, const config_setting_t *g, const char *const *allowed);

/* getters: 1 present and good, 0 absent, -1 present but wrong (reported) */
int	 lcfg_str(struct lcfg *, const config_setting_t *g, const char *name, const char **out);
int	 lcfg_int(struct lcfg *, const config_setting_t *g, const char *name, long long lo, long long hi,
	    long long *out);
int	 lcfg_num(struct lcfg *, const config_setting_t *g, const char *name, double lo, double hi, double *out);
int	 lcfg_bool(struct lcfg *, const config_setting_t *g, const char *name, int *out);
/* a member of the given type (CONFIG_TYPE_GROUP, _LIST, _ARRAY) or NULL */
const config_setting_t *lcfg_group(struct lcfg *, const config_setting_t *g, const char *name, int type);
/* required "id": [a-z0-9_-]{1,LCFG_ID_MAX}; NULL when absent or bad */
const char *lcfg_id(struct lcfg *, const config_setting_t *g, const char *what);
int	 lcfg_valid_id(const char *s);

/* allocation that aborts: configs and manifests are small */
char	*lcfg_strdup(const char *s);
void	*lcfg_calloc(size_t n, size_t size);

#endif
