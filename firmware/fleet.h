/*
 * fleet: the board's MQTT client (DESIGN.md "Fleet"; topics and envelopes
 * in fleetmsg.h), driven by loaxad's one poll loop: libmosquitto's socket
 * with mosquitto_loop_read/write/misc (never its thread), a CLOCK_BOOTTIME
 * timerfd for reconnecting, the status and keep-alive, and a pidfd for the
 * child that fetches bulletins. Made only when loaxa.cfg has a `fleet`
 * group: without one loaxad opens no socket and wakes for nothing new.
 *
 * Records: the airing log is the spool. Every record is published (QoS 1,
 * one line per message, the exact bytes the log holds) in seq order from
 * the cursor on; PUBACKs only pace the window. The cursor
 * (state/fleet/cursor, replaced atomically) is the last seq the COLLECTOR
 * says it stored (the retained `ack` topic), not the broker's PUBACK: a
 * broker that acknowledged and then died before delivering, or dropped a
 * full queue, loses nothing, because every (re)connection starts again from
 * the cursor and the collector asks (`resend`) for any gap it sees. The
 * collector keeps each (site, seq) once.
 *
 * Configs (retained, signed) go through the daemon's own apply (the
 * apply_config hook: intake/apply.h's check, swap, reload, roll-back), as a
 * stick's do. Bulletin sets (retained, signed) are fetched and imported by
 * a child process (fetch.h) so that a slow 3G download or an import never
 * holds up the loop that airs; one at a time, the newest waiting. Retained
 * messages come again at every connection: what was handled is remembered
 * by its hash (state/fleet/seen) and not handled twice.
 *
 * Live commands (never retained: a board offline misses them) are checked
 * here: for this board or its province, signed by a key of trust.keys, a
 * sequence higher than the last taken from that key (manifest.h's record,
 * scope "live"; noted before the engine sees it, so a refused one cannot
 * be replayed either); then the live hook. Every command for this board is
 * answered on live-ack: refused and why, or airing from hh:mm:ss, then how
 * it ended.
 *
 * Connecting resolves the broker's name, which may block: it is not tried
 * while a bulletin airs (busy hook). Lifecycle: fleet_new() -> loop {
 * fleet_deadline-free: fleet_pollfds(), poll, fleet_service(), fleet_pump()
 * } -> fleet_free(). Not thread-safe.
 */
#ifndef FLEET_H
#define FLEET_H

#include <jansson.h>
#include <poll.h>
#include <stddef.h>

struct cfg;
struct airlog;

struct fleet_hooks {
	/* applies a signed config (intake/apply.h): 0 applied, 1 already in force, -1 refused (msg says why) */
	int	(*apply_config)(void *arg, const char *name, const char *text, size_t len, const char *sig,
		    size_t siglen, char *msg, size_t msglen);
	/* the daemon's status (what the status file shows), a new object */
	json_t	*(*status)(void *arg);
	/* 1 while a bulletin airs: no connection attempt then */
	int	(*busy)(void *arg);
	/* the config in force now (it changes on reload) */
	const struct cfg *(*cfg)(void *arg);
	void	*arg;
	/*
	 * A live command (fleetmsg.h), its signature and sequence checked and
	 * its sequence noted: cmd the signed text's object, key the signer's
	 * "ed25519:...". 0 taken (the engine tells fleet_live_ack what
	 * follows), -1 refused (why). NULL: every live command is refused.
	 */
	int	(*live)(void *arg, const json_t *cmd, const char *key, char *why, size_t whylen);
};

struct fleet;

struct fleet	*fleet_new(const struct cfg *, struct airlog *, const struct fleet_hooks *, char *err, size_t errlen);
/* its descriptors (the broker's socket, the timer, the fetch child); count */
int		 fleet_pollfds(struct fleet *, struct pollfd *, int max);
void		 fleet_service(struct fleet *, const struct pollfd *, int n);
/* publishes what the log has that was not sent yet (call after records are written) */
void		 fleet_pump(struct fleet *);
/*
 * Tells the office (live-ack, and the status's `live`) what became of a
 * live command: event "airing" (start_ms, wall) or "ended" (outcome, reason).
 */
void		 fleet_live_ack(struct fleet *, const char *id, const char *event, long long start_ms,
		    const char *outcome, const char *reason);
/* the fleet's part of the status file */
void		 fleet_status(const struct fleet *, json_t *o);
/* ends the connection cleanly (status "offline"), waits for no one */
void		 fleet_free(struct fleet *);

#endif
