/*
 * apply: a new loaxa.cfg put in force safely, from a USB stick (ingest), the
 * inbox folder (loaxad, where any transport drops `NAME.cfg` + `NAME.cfg.sig`)
 * or `loaxa apply FILE`.
 *
 *   1. check   the signature against the CURRENT config's trust.keys
 *              (required when trust.require_signed_config; a signature that
 *              is there is always checked); the serial must be greater than
 *              the current one (the same serial with other content is refused
 *              too; with the same content it is "already in force"); the site
 *              must be this board's; then validated fully: cfg_load's checks
 *              and the calendar's (sched_check), every error reported as
 *              NAME:LINE: message. Relative paths resolve in the current
 *              config's folder, where the file will live.
 *   2. swap    the current text is kept as CFG.last-good (and CFG.sig as
 *              CFG.last-good.sig), the new signature written to CFG.sig, then
 *              the new text replaces CFG; each write atomic (durable: temp, fsync,
 *              rename, fsync the folder). loaxad watches the folder and reloads
 *              on the rename.
 *   3. wait    when a daemon runs (paths.run/status.json names a live pid),
 *              until its status shows the new serial, at most a timeout; the
 *              daemon may also say at once that it refused it
 *              ("refused_serial"). Without a daemon the swap is enough.
 *   4. rollback when it did not come back ready: CFG.last-good goes back in
 *              (atomically), and the result says so.
 *
 * No printing, no exiting; messages (translated) in the result and the diag.
 * Blocks for the wait only (inotify on paths.run, bounded).
 */
#ifndef CFGAPPLY_H
#define CFGAPPLY_H

#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"
#include "config/diag.h"

#define CFGAPPLY_WAIT_S 30

enum cfgapply_outcome {
	CFGAPPLY_APPLIED,	/* in force (and the daemon runs it, if one runs) */
	CFGAPPLY_SAME,		/* this very config is in force already */
	CFGAPPLY_REFUSED,	/* not swapped in */
	CFGAPPLY_ROLLED_BACK	/* swapped in, the daemon did not take it, the last good one is back */
};

struct cfgapply_result {
	enum cfgapply_outcome outcome;
	long long	 old_serial, new_serial;
	int		 daemon;		/* a daemon ran and was waited for */
	char		 msg[1024];		/* one line for people, what happened and what to do */
};

/*
 * Step 1. text (NUL-terminated, len bytes) named `name` in messages, sig
 * (may be NULL) its .sig text. 0: good (*out the loaded config, caller frees),
 * 1: the same config is in force, -1: refused (r->msg, and d for the file's
 * own errors).
 */
int	cfgapply_check(const struct cfg *cur, const char *text, size_t len, const char *sig, size_t siglen,
	    const char *name, int32_t today, struct cfg **out, struct diag *d, struct cfgapply_result *r);
/*
 * A config that came over the fleet (firmware/fleet.h): its signature is
 * checked on the text as the office signed it. One whose site.id is this
 * board's is taken whole, as a stick's. Any other (a province's, for every
 * board) is taken for everything but this board's own groups: `site`,
 * `paths`, `audio` and `fleet` stay as the config in force has them, and
 * *taken (malloc'd) is the text to swap in, which step 1 checked. Returns as
 * cfgapply_check; *taken is NULL when the text is taken as it is.
 */
int	cfgapply_check_fleet(const struct cfg *cur, const char *text, size_t len, const char *sig, size_t siglen,
	    const char *name, int32_t today, char **taken, size_t *takenlen, struct cfg **out, struct diag *d,
	    struct cfgapply_result *r);
/* the text of a config with cur's own groups put in; 0 or -1 */
int	cfgapply_localise(const struct cfg *cur, const char *text, size_t len, char **out, size_t *outlen, char *err,
	    size_t errlen);
/* step 2; 0 or -1 (r->msg; the current config is then untouched) */
int	cfgapply_swap(const struct cfg *cur, const char *text, size_t len, const char *sig, size_t siglen,
	    struct cfgapply_result *r);
/* step 4: puts CFG.last-good back; 0 or -1 */
int	cfgapply_rollback(const char *cfg_path, char *err, size_t errlen);
/* the pid of the daemon whose status file is in run_dir, if it is alive; 0 when none runs */
long	cfgapply_daemon(const char *run_dir);
/* step 3: 0 ready with serial, -1 not (why in err) */
int	cfgapply_wait(const char *run_dir, long pid, long long serial, int timeout_s, char *err, size_t errlen);

/* all four steps for a caller other than the daemon; returns r->outcome */
enum cfgapply_outcome cfgapply_run(const struct cfg *cur, const char *text, size_t len, const char *sig,
	    size_t siglen, const char *name, int32_t today, int timeout_s, struct diag *d, struct cfgapply_result *r);

#endif
