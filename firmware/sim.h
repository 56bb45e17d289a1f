/*
 * sim: a virtual clock and a silent player for the engine, used by
 * `loaxa simulate` and the engine's tests. The clock only moves when the
 * driver moves it; the player's items last exactly their measured duration
 * (bulletins) or length (gaps), so a simulated session takes the time a
 * real one would without decoding a sample.
 *
 * Test knobs: sim_set_synced() (the clock's trust), sim_set_device_ok() (the
 * audio device opens or not), sim_fail_next() (the next file fails).
 */
#ifndef SIM_H
#define SIM_H

#include "firmware/engine.h"

struct sim;

struct sim	*sim_new(long long start_ms);
void		 sim_free(struct sim *);
void		 sim_env(struct sim *, struct engine_env *);	/* fills clock and player */
long long	 sim_now(const struct sim *);
void		 sim_set(struct sim *, long long ms);		/* moves the clock (any direction) */
void		 sim_set_synced(struct sim *, int);
void		 sim_set_device_ok(struct sim *, int);
void		 sim_fail_next(struct sim *, const char *why);
/* runs the engine until `until` (wall ms): every due event, in time order */
void		 sim_run(struct sim *, struct engine *, long long until);
/* relays: the virtual stream is up, except in [from, to) (wall ms) */
void		 sim_stream_down(struct sim *, long long from, long long to);
/* the last relay stream opened ahead while a session aired (its URL, "" none), and when (wall ms) */
const char	*sim_prepared(const struct sim *, long long *at);
/* what was played, for tests: count of files and the last path */
int		 sim_files_played(const struct sim *);

#endif
