/*
 * bulletin: one bulletin's metadata (DESIGN.md "Bulletins"), parsed from a
 * libconfig group with full diagnostics and written back as one.
 *
 * Two forms share the keys:
 *   BUL_MANIFEST  an entry of a USB stick's manifest.cfg: `file` names the
 *                 audio on the stick; measured fields are not allowed.
 *   BUL_LIBRARY   a library metadata file: `file` names the audio inside the
 *                 library, and the fields measured at import are required.
 * Topics are not checked against a config here (a library outlives configs);
 * ingest checks them.
 */
#ifndef BULLETIN_H
#define BULLETIN_H

#include <libconfig.h>
#include <stdint.h>

#include "config/cfgkey.h"

#define BUL_ID_MAX 64

enum bul_level { BUL_NORMAL, BUL_PRIORITY, BUL_EMERGENCY };
enum bul_source { BUL_COMMUNE, BUL_PROVINCE };
enum bul_mode { BUL_MANIFEST, BUL_LIBRARY };

struct bulletin {
	char		*id;
	char		*title;
	char		*topic;
	enum bul_level	 level;
	int32_t		 valid_from, valid_to;	/* day numbers, inclusive */
	char		**sessions;		/* may air only in these; nsessions 0: any */
	int		 nsessions;
	int		 repeat_minutes;	/* emergency only; 0: once */
	enum bul_source	 source;
	char		*author;
	char		*summary;
	char		*file;			/* see above */
	char		 sha256[65];		/* lower-case hex, "" when not given */
	long		 duration_ms;		/* measured at import */
	double		 loudness_lufs;		/* integrated, EBU R128 */
	double		 true_peak_db;		/* dBTP */
	long long	 imported;		/* epoch seconds; emergencies air from here */
	long		 imported_off;		/* its UTC offset, seconds */
	int		 line;
};

/* 0 when *b is complete, -1 otherwise (errors reported, *b freed) */
int	bul_parse(struct cfgkey *, const config_setting_t *g, enum bul_mode, struct bulletin *b);
/* adds b's keys to an empty group */
void	bul_write(const struct bulletin *b, config_setting_t *g);
void	bul_free(struct bulletin *);
/* a deep copy; 0 or -1 */
int	bul_copy(struct bulletin *dst, const struct bulletin *src);
int	bul_valid_id(const char *);
int	bul_valid_on(const struct bulletin *, int32_t day);
int	bul_allows_session(const struct bulletin *, const char *session);

const char *bul_level_name(enum bul_level);
const char *bul_source_name(enum bul_source);

#endif
