/*
 * library: the bulletins on the board, as the planner and the daemon see
 * them. On disk (paths.library):
 *
 *   bulletins/<id>.cfg       one bulletin's metadata (libconfig: bulletin = { ... };)
 *   audio/<sha256>.<ext>     its audio, named by content: the same audio is stored once
 *   tmp/                     imports in progress (never read as library content)
 *
 * A bulletin exists when its metadata file exists: import writes the audio
 * first (temp file, fsync, rename), then the metadata atomically, so a pulled
 * plug leaves either the old library or the new one, at worst with an
 * unreferenced audio file that lib_gc() removes. There is no index to get out
 * of step: loading reads the metadata files, in id order.
 *
 * Lifecycle: lib_load() -> use -> lib_free(). A metadata file that does not
 * parse, or whose audio is missing, is reported in the diag and skipped; the
 * rest of the library stays usable.
 */
#ifndef LIBRARY_H
#define LIBRARY_H

#include "config/bulletin.h"
#include "config/diag.h"

struct lib {
	char		*dir;
	struct bulletin	*b;	/* sorted by id */
	int		 n;
};

int	lib_load(struct lib *, const char *dir, struct diag *);
void	lib_free(struct lib *);
const struct bulletin *lib_find(const struct lib *, const char *id);
const struct bulletin *lib_find_sha(const struct lib *, const char *sha256);
/* the audio's absolute path (malloc'd) */
char	*lib_audio_path(const struct lib *, const struct bulletin *);

/* creates the folders; 0 or -1 with errno */
int	lib_init(const char *dir);
/* writes (or replaces) bulletins/<id>.cfg atomically; 0 or -1 with errno */
int	lib_put(const char *dir, const struct bulletin *);
/* removes a bulletin's metadata (its audio goes at the next lib_gc) */
int	lib_remove(const char *dir, const char *id);
/* removes audio no bulletin refers to, stale tmp files and the temp files of
 * metadata writes cut short (bulletins/ID.cfg.tmp.PID); count or -1 */
int	lib_gc(const struct lib *);
/* the metadata text of one bulletin, as lib_put writes it (malloc'd) */
char	*lib_format(const struct bulletin *);
/* parses one metadata text; 0 or -1 (diag) */
int	lib_parse(const char *text, const char *name, struct bulletin *, struct diag *);

#endif
