/*
 * sched: the timetable of a day (DESIGN.md "Configuration", semantics).
 * Pure: dates and a config in, sessions out; no I/O, no clock.
 *
 * A struct sched holds the period windows of a range of days, computed once
 * (lunar windows need the calendar), so that asking for many days is cheap.
 * Lifecycle: sched_new(cfg, lo, hi) -> sched_day()... -> sched_free(). The
 * config must outlive it. Days outside [lo, hi] are computed on demand.
 */
#ifndef SCHED_H
#define SCHED_H

#include <stdint.h>

#include "config/cfg.h"

#define SCHED_MAX_SLOTS 64	/* sessions in one day, more than any timetable has */

struct sched;

struct sched_window {
	int32_t	from, to;	/* day numbers, inclusive */
};

/* one session on one day */
struct sched_slot {
	const struct cfg_session *session;
	const struct cfg_period	*period;	/* the airing's period; NULL: normal */
	int32_t		 day;
	int		 start;		/* minutes after local midnight */
	long		 length_ms;	/* after scale */
	double		 scale;
};

struct sched	*sched_new(const struct cfg *, int32_t lo, int32_t hi);
void		 sched_free(struct sched *);

/* the day's sessions in start order; count (<= max) */
int	sched_day(struct sched *, int32_t day, struct sched_slot *out, int max);
/* is period p active on day? */
int	sched_active(struct sched *, const struct cfg_period *p, int32_t day);
/* the period an airing of a normal session on that day belongs to (NULL: normal) */
const struct cfg_period *sched_first_active(struct sched *, int32_t day);

/* windows of p that intersect [lo, hi], in order; count (<= max) */
int	sched_windows(const struct cfg_period *p, int32_t lo, int32_t hi, struct sched_window *out, int max);

/* does session s air on day (days form, every_weeks), ignoring periods? */
int	sched_session_on(const struct cfg_session *s, int32_t day);

/*
 * The checks that need the calendar: sessions that overlap on some day of
 * [from, from + 3 years] (and on every exception day and one-off period day),
 * sessions that reach into quiet hours, sessions that run past midnight.
 * Reports each problem once, at its first date; returns the count.
 */
int	sched_check(const struct cfg *, int32_t from, struct diag *);

#endif
