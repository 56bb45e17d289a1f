/*
 * report: the arithmetic of the six-monthly report (DESIGN.md, `loaxa
 * report`). Pure: the airing log's records and the configs they carry go
 * in, figures come out; no I/O, no clock, no time zone (every time is the
 * local time the log wrote, "2026-03-02T06:00:04+07:00", read as written).
 *
 * Lifecycle: rpt_new(from, to) -> rpt_feed() for each record in log order
 * -> rpt_finish() -> rpt_figures() ... -> rpt_free(). One report per log
 * (site); several sites add up with rpt_sum(). Not thread-safe; separate
 * reports may be used in separate threads.
 *
 * What counts (the README's "Reports" section says it for people):
 *   airing      an `airing` record of a timed session (not "emergency"),
 *               outcome complete or interrupted, whose start lies in
 *               [from, to]; its airtime is its duration_ms
 *   missed      a planned bulletin airing that did not air: a `missed`
 *               record naming a bulletin, or an airing that `failed`
 *   planned     planned bulletin airings = airings + missed: every
 *               bulletin a timed session was planned to air
 *   sessions    the plan re-derived: for each day, sched_day() of the
 *               config in force (the latest `config` record before the
 *               session's start), counting only what the log covers (from
 *               its first config record to its last record). A session is
 *               aired when at least one of its bulletins aired complete.
 *               Times written with an untrusted clock are not used: a
 *               config logged then is in force from the next record
 *               written with a trusted clock.
 *   compliance  aired sessions / planned sessions, in percent
 *   emergencies airings of session "emergency": counted apart, in no
 *               other figure
 *   distinct    bulletins told apart by their audio's SHA-256 (copied into
 *               each record), by id when a record has none
 *   unverified  records read after the log's first fault: counted in the
 *               figures and again on their own
 *   relays      `relay` records whose start lies in [from, to], by relay:
 *               relayed airtime (heard_ms, the stream's own audio), the
 *               fallback's time, dropouts; a relay slot is aired (in the
 *               sessions' compliance) when its stream was heard or a
 *               fallback bulletin aired complete; planned relay slots come
 *               from the re-derived plan as sessions do. Relayed airtime is
 *               in no other figure; fallback bulletins are airings.
 *   live        `live` records (announcements from the microphone) whose
 *               start lies in [from, to]: counted apart, by their length
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>

struct cfg;

enum rpt_kind { RPT_OTHER, RPT_AIRING, RPT_MISSED, RPT_CONFIG, RPT_RELAY, RPT_LIVE };

/* one record of the airing log, as the report reads it; strings may be NULL */
struct rpt_rec {
	enum rpt_kind		 kind;
	long long		 seq;
	int			 verified;	/* before the log's first fault */
	int			 unsynced;	/* written with a clock not trusted: its ts means nothing */
	const char		*ts;
	const char		*session, *period, *scheduled, *slot, *start;
	long long		 duration_ms;
	const char		*bulletin, *title, *topic, *sha256, *outcome, *reason;
	long long		 heard_ms, fallback_ms, dropouts;	/* relay */
	const char		*cfg_sha;	/* config: its sha256 */
	struct cfg		*cfg;		/* config: parsed, handed over; NULL when it did not load */
};

struct rpt_count {
	long long		 airings, airtime_ms;
};

struct rpt_group {
	char			*id, *name;	/* name: the config's (NULL for "normal": the caller names it) */
	struct rpt_count	 c;
	long long		 planned, aired;	/* sessions (periods, months) */
};

/* a planned airing (or a session with no content) that did not air */
struct rpt_miss {
	char			*when;		/* scheduled, as the log wrote it */
	char			*session, *period, *bulletin, *title, *topic, *reason;	/* bulletin NULL: no content */
	int			 failed;	/* an airing that failed, not a missed record */
	int			 emergency;
	int			 verified;
	long long		 seq;
};

/* one line of the log book */
struct rpt_entry {
	int32_t			 day;
	long			 ms;		/* start (airings) or scheduled (missed), ms after local midnight */
	long long		 duration_ms;
	const char		*session, *title, *topic, *outcome, *reason;	/* outcome "missed" for missed */
	int			 emergency, verified;
	int			 relay;		/* a relay slot: duration_ms is what was heard of the stream */
	long long		 seq;
};

struct rpt_figures {
	char			*site, *site_name, *province;
	int32_t			 from, to;
	int32_t			 cov_from, cov_to;	/* days of the range the log covers; DATE_NONE: none */
	long long		 records;		/* records read in the range */

	struct rpt_count	 aired;			/* airings (complete + interrupted) */
	long long		 complete, interrupted, failed, missed_records, no_content;
	long long		 bulletins;		/* distinct */
	long long		 planned, missed;	/* planned = aired.airings + missed */
	struct rpt_count	 peak, normal;
	struct rpt_count	 emergency;
	long long		 emergency_failed;

	int			 plan_known;		/* a config record could be read */
	long long		 planned_sessions, aired_sessions;
	long long		 unaccounted_sessions;	/* planned, inside the covered time, no record at all */
	long long		 unplanned_sessions;	/* records of sessions the configs do not plan */

	struct rpt_group	*topics, *periods, *months;
	int			 ntopics, nperiods, nmonths;
	/* relays by id: c.airings = relay slots heard, c.airtime_ms = heard; planned/aired slots */
	struct rpt_group	*relays;
	int			 nrelays;
	struct rpt_count	 relayed;		/* all relays: slots heard, heard_ms */
	long long		 relay_fallback_ms, relay_dropouts, relay_failed;	/* failed: nothing heard */
	struct rpt_count	 live;			/* live announcements: count, their length */

	int32_t			 week0;			/* the Monday of the first week */
	int			 nweeks;
	long long		*week_topic_ms;		/* nweeks x ntopics, airtime */
	int			*week_peak;		/* per week: 1 + index in periods of a peak period, or 0 */

	struct rpt_miss		*misses;
	int			 nmisses;
	struct rpt_entry	*entries;		/* only when asked for (rpt_keep_entries) */
	long			 nentries;

	struct {
		long long	 first_seq, records, missed;
		struct rpt_count c;
		int32_t		 first_day, last_day;	/* DATE_NONE when none is in the range */
	} unverified;
	long long		 duplicates;		/* records skipped: a seq seen before (after a fault) */

	char			**shas;			/* the distinct bulletins, sorted */
	long			 nshas;
};

struct rpt;

struct rpt	*rpt_new(int32_t from, int32_t to);
void		 rpt_free(struct rpt *);
/* keep every airing and missed airing for the log book (memory: one entry each) */
void		 rpt_keep_entries(struct rpt *);
/* is this config (by sha256) already held? then feed it with cfg NULL */
int		 rpt_has_config(const struct rpt *, const char *sha256);
void		 rpt_feed(struct rpt *, const struct rpt_rec *);
/* derives the plan and closes the figures; once, after the last record */
void		 rpt_finish(struct rpt *);
/* valid until rpt_free */
const struct rpt_figures *rpt_figures(const struct rpt *);

/* site totals: total starts zeroed (rpt_sum_init) and takes each site's figures */
void	rpt_sum_init(struct rpt_figures *total, int32_t from, int32_t to);
void	rpt_sum(struct rpt_figures *total, const struct rpt_figures *site);
void	rpt_sum_free(struct rpt_figures *total);

/* a percentage in tenths, rounded half up (953 = 95.3 %); -1 when the whole is 0 */
long	rpt_pct10(long long part, long long whole);

/* "YYYY-MM-DDTHH:MM:SS..." -> local day and ms after midnight, as written; -1 if not that form */
int	rpt_parse_local(const char *ts, int32_t *day, long *ms);

#endif
