/*
 * plan: what airs when (DESIGN.md "Filling a session"). Pure and
 * deterministic: the same config, library, chime length and history give the
 * same plan, so an auditor can re-derive it.
 *
 * Filling a session: candidates are the library's non-emergency bulletins
 * valid on the day, whose topic the session allows and which allow the
 * session. Order: level (priority before normal), then least recently aired
 * (never aired first), then id. The chime opens the session; every bulletin
 * is preceded by the gap (the first one only when there is a chime). A
 * bulletin that does not fit in the time left is passed over and the next
 * one in order is tried (first fit), so one long bulletin does not leave a
 * session empty. Each bulletin airs at most once per session. Planning a day
 * counts its airings as aired for the days after it.
 *
 * Emergency bulletins air at their arrival (import time, or valid_from's
 * midnight if later) and again every repeat_minutes until the end of
 * valid_to, in quiet hours too. A session bulletin that would overlap an
 * emergency airing moves to just after it (plus the gap) if it still fits.
 *
 * Times are local civil time: a day number and milliseconds after midnight.
 * "when" values order airings: day * 86400000 + ms.
 *
 * Lifecycle: plan_new() -> plan_set_last()... -> plan_days()/plan_slot() ->
 * plan_free(). Config and library must outlive the planner.
 */
#ifndef PLAN_H
#define PLAN_H

#include <stdint.h>

#include "config/bulletin.h"
#include "config/cfg.h"
#include "scheduler/library.h"
#include "scheduler/sched.h"

#define PLAN_DAY_MS 86400000LL

struct plan_item {
	int32_t			 day;
	long			 start_ms;	/* after local midnight */
	long			 dur_ms;
	const struct bulletin	*b;
	const char		*session;	/* session id, or "emergency" */
	const char		*period;	/* period id, or "normal" */
	int			 emergency;	/* not part of a session */
	struct sched_slot	 slot;		/* the session it fills (zero for emergencies) */
};

struct planner;

struct planner	*plan_new(const struct cfg *, const struct lib *, long chime_ms);
void		 plan_free(struct planner *);
/* history: bulletin id last aired at `when` (see above); unknown ids ignored */
void		 plan_set_last(struct planner *, const char *id, long long when);
long long	 plan_get_last(const struct planner *, const char *id);	/* LLONG_MIN: never */

typedef void (*plan_fn)(void *arg, const struct plan_item *);
/* plans every day of [from, to] in time order, calling fn for each airing
 * and, with slot_fn non-NULL, for each session before its airings */
int	plan_days(struct planner *, int32_t from, int32_t to, plan_fn fn,
	    void (*slot_fn)(void *arg, const struct sched_slot *, int nitems), void *arg);
/* fills one slot (the daemon, at session start): items in order, count.
 * commit 1 counts them as aired (as plan_days does); the daemon passes 0 and
 * calls plan_set_last() for what really aired. */
int	plan_slot(struct planner *, const struct sched_slot *, struct plan_item *out, int max, int commit);
/* the emergency airings that start within day: count */
int	plan_emergencies(struct planner *, int32_t day, struct plan_item *out, int max);
struct sched *plan_sched(struct planner *);

#endif
