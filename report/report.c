/*
 * report: see report.h for what is counted and the lifecycle. One piece
 * because counting and deriving the plan share the per-site state.
 *
 * Records are counted as they come (one pass, no record kept unless the log
 * book is asked for); the plan is derived at the end, when every config
 * record and every session's records are known. Sessions are matched to
 * the plan by (day, start minute, session id): records carry the session's
 * planned start as `slot`, which is exactly sched_day()'s start.
 *
 * Memory per site: the configs, one small entry per session that has
 * records, the distinct bulletins, the missed airings; the log book's
 * entries only when asked for (strings interned).
 */
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "config/cfg.h"
#include "report/report.h"
#include "scheduler/sched.h"

#define DAY_MS	86400000L

/* --- small containers ---------------------------------------------------- */

/* FNV-1a over at most the first 24 bytes: ids and SHA-256 digests differ early (equal hashes are compared) */
static unsigned
hash_str(const char *s)
{
	unsigned h = 2166136261u;

	for (int i = 0; *s && i < 24; s++, i++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		abort();	/* figures in memory are small; without memory there is no report */
	return q;
}

static char *
xstrdup(const char *s)
{
	size_t n;
	char *p;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	p = xrealloc(NULL, n);
	memcpy(p, s, n);
	return p;
}

/* a set of strings: interning (stable pointers) and distinct counting */
struct strset {
	char		**slot;
	size_t		 cap, n;
};

static const char *
strset_add(struct strset *s, const char *str, int *added)
{
	size_t i;

	if (added)
		*added = 0;
	if (str == NULL)
		return NULL;
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **slot = calloc(cap, sizeof(*slot));
		if (slot == NULL)
			abort();
		for (size_t k = 0; k < s->cap; k++)
			if (s->slot[k]) {
				for (i = hash_str(s->slot[k]) & (cap - 1); slot[i]; i = (i + 1) & (cap - 1))
					;
				slot[i] = s->slot[k];
			}
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	for (i = hash_str(str) & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (strcmp(s->slot[i], str) == 0)
			return s->slot[i];
	s->slot[i] = xstrdup(str);
	s->n++;
	if (added)
		*added = 1;
	return s->slot[i];
}

static void
strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the members, sorted, copied */
static char **
strset_sorted(const struct strset *s, long *n)
{
	char **v = xrealloc(NULL, (s->n ? s->n : 1) * sizeof(*v));
	long k = 0;

	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i])
			v[k++] = xstrdup(s->slot[i]);
	qsort(v, (size_t)k, sizeof(*v), cmp_str);
	*n = k;
	return v;
}

/* sessions seen in records, by (day, start minute, session id) */
struct sess {
	int32_t		 day;
	int		 minute;
	const char	*id;		/* interned */
	unsigned char	 complete, planned;
};

struct sessmap {
	struct sess	*slot;		/* id NULL: empty */
	size_t		 cap, n;
};

static unsigned
sess_hash(int32_t day, int minute, const char *id)
{
	return hash_str(id) ^ ((unsigned)day * 2654435761u) ^ ((unsigned)minute * 40503u);
}

static struct sess *
sess_find(struct sessmap *m, int32_t day, int minute, const char *id, int create)
{
	size_t i;

	if (create && 2 * (m->n + 1) > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct sess *slot = calloc(cap, sizeof(*slot));
		if (slot == NULL)
			abort();
		for (size_t k = 0; k < m->cap; k++)
			if (m->slot[k].id) {
				const struct sess *e = &m->slot[k];
				for (i = sess_hash(e->day, e->minute, e->id) & (cap - 1); slot[i].id; i = (i + 1) & (cap - 1))
					;
				slot[i] = *e;
			}
		free(m->slot);
		m->slot = slot;
		m->cap = cap;
	}
	if (m->cap == 0)
		return NULL;
	for (i = sess_hash(day, minute, id) & (m->cap - 1); m->slot[i].id; i = (i + 1) & (m->cap - 1))
		if (m->slot[i].day == day && m->slot[i].minute == minute && strcmp(m->slot[i].id, id) == 0)
			return &m->slot[i];
	if (!create)
		return NULL;
	m->slot[i].day = day;
	m->slot[i].minute = minute;
	m->slot[i].id = id;
	m->n++;
	return &m->slot[i];
}

/* --- the report --------------------------------------------------------- */

struct tgroup {
	struct rpt_group	 g;
	long long		*weeks;		/* topics: airtime per week */
};

struct groups {
	struct tgroup		*v;
	int			 n;
	int			 last;		/* the last one found: records come in runs */
};

struct conf {
	char			 sha[65];
	struct cfg		*cfg;		/* NULL: it did not load */
	struct sched		*sc;
};

struct seg {
	int32_t			 day;
	long			 ms;
	int			 conf;		/* index into confs */
};

struct rpt {
	struct rpt_figures	 f;
	int			 keep;
	long long		 max_seq;
	int			 have_first, have_last;
	int32_t			 first_day, last_day;	/* of any record */
	long			 first_ms, last_ms;
	struct groups		 topics, periods, relays;
	struct strset		 shas, pool;
	struct sessmap		 sess;
	struct conf		*confs;
	int			 nconfs;
	struct seg		*segs;
	int			 nsegs;
	long			 capentries;
	int			 finished;
	int			 pending;		/* a config logged with an untrusted clock, waiting for a time; -1 */
	int			 trust_clock;		/* the config in force says require_sync = false */
	int			 month0;		/* year * 12 + month of `from` */
};

long
rpt_pct10(long long part, long long whole)
{
	if (whole <= 0)
		return -1;
	return (long)((part * 2000 + whole) / (2 * whole));
}

static int
digits(const char *s, int n, int *v)
{
	int x = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

int
rpt_parse_local(const char *ts, int32_t *day, long *ms)
{
	int y, mo, d, h, mi, se;

	if (ts == NULL || strnlen(ts, 19) < 19 || ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' || ts[13] != ':' ||
	    ts[16] != ':' || digits(ts, 4, &y) || digits(ts + 5, 2, &mo) || digits(ts + 8, 2, &d) ||
	    digits(ts + 11, 2, &h) || digits(ts + 14, 2, &mi) || digits(ts + 17, 2, &se) || !date_valid(y, mo, d) ||
	    h > 23 || mi > 59 || se > 60)
		return -1;
	*day = date_from_civil(y, mo, d);
	if (ms)
		*ms = (h * 3600L + mi * 60L + se) * 1000L;
	return 0;
}

static int
before(int32_t d1, long m1, int32_t d2, long m2)
{
	return d1 < d2 || (d1 == d2 && m1 < m2);
}

struct rpt *
rpt_new(int32_t from, int32_t to)
{
	struct rpt *r = calloc(1, sizeof(*r));
	int y0, m0, y1, m1, d;

	if (r == NULL)
		return NULL;
	r->f.from = from;
	r->f.to = to;
	r->pending = -1;
	r->f.cov_from = r->f.cov_to = DATE_NONE;
	r->f.unverified.first_day = r->f.unverified.last_day = DATE_NONE;
	date_to_civil(from, &y0, &m0, &d);
	date_to_civil(to, &y1, &m1, &d);
	r->month0 = y0 * 12 + m0;
	r->f.nmonths = (y1 * 12 + m1) - (y0 * 12 + m0) + 1;
	r->f.months = calloc((size_t)r->f.nmonths, sizeof(*r->f.months));
	r->f.week0 = from - date_weekday(from);
	r->f.nweeks = (to - r->f.week0) / 7 + 1;
	if (r->f.months == NULL) {
		free(r);
		return NULL;
	}
	for (int i = 0; i < r->f.nmonths; i++) {
		char id[8];
		int ym = y0 * 12 + (m0 - 1) + i;
		id[0] = (char)('0' + ym / 12 / 1000 % 10);
		id[1] = (char)('0' + ym / 12 / 100 % 10);
		id[2] = (char)('0' + ym / 12 / 10 % 10);
		id[3] = (char)('0' + ym / 12 % 10);
		id[4] = '-';
		id[5] = (char)('0' + (ym % 12 + 1) / 10);
		id[6] = (char)('0' + (ym % 12 + 1) % 10);
		id[7] = '\0';
		r->f.months[i].id = xstrdup(id);
	}
	return r;
}

void
rpt_keep_entries(struct rpt *r)
{
	r->keep = 1;
}

static struct tgroup *
group(struct rpt *r, struct groups *gs, const char *id, int weeks)
{
	struct tgroup *g;

	if (gs->n > 0 && strcmp(gs->v[gs->last].g.id, id) == 0)
		return &gs->v[gs->last];
	for (int i = 0; i < gs->n; i++)
		if (strcmp(gs->v[i].g.id, id) == 0) {
			gs->last = i;
			return &gs->v[i];
		}
	gs->v = xrealloc(gs->v, (size_t)(gs->n + 1) * sizeof(*gs->v));
	g = &gs->v[gs->n];
	memset(g, 0, sizeof(*g));
	g->g.id = xstrdup(id);
	if (weeks) {
		g->weeks = calloc((size_t)r->f.nweeks, sizeof(*g->weeks));
		if (g->weeks == NULL)
			abort();
	}
	gs->last = gs->n++;
	return g;
}

static void
name_group(struct tgroup *g, const char *name)
{
	if (g->g.name == NULL && name != NULL)
		g->g.name = xstrdup(name);
}

/* a config's topics become groups in its order, so the report lists them as the config does */
static void
take_config_names(struct rpt *r, const struct cfg *c)
{
	for (int i = 0; i < c->ntopics; i++)
		name_group(group(r, &r->topics, c->topics[i].id, 1), c->topics[i].name);
	for (int i = 0; i < r->periods.n; i++) {
		const struct cfg_period *p = cfg_period(c, r->periods.v[i].g.id);
		if (p)
			name_group(&r->periods.v[i], p->name);
	}
	if (r->f.site == NULL) {
		r->f.site = xstrdup(c->site.id);
		r->f.site_name = xstrdup(c->site.name);
		r->f.province = xstrdup(c->site.province);
	}
}

int
rpt_has_config(const struct rpt *r, const char *sha)
{
	for (int i = 0; i < r->nconfs; i++)
		if (sha && strcmp(r->confs[i].sha, sha) == 0)
			return 1;
	return 0;
}

static void
add_segment(struct rpt *r, int k, int32_t day, long ms)
{
	r->segs = xrealloc(r->segs, (size_t)(r->nsegs + 1) * sizeof(*r->segs));
	r->segs[r->nsegs].day = day;
	r->segs[r->nsegs].ms = ms;
	r->segs[r->nsegs].conf = k;
	r->nsegs++;
}

/* holds the config; it is in force from (day, ms), or, logged with an untrusted clock, from the next trusted time */
static void
feed_config(struct rpt *r, const struct rpt_rec *rec, int32_t day, long ms, int untrusted)
{
	int k = -1;

	for (int i = 0; i < r->nconfs && rec->cfg_sha; i++)
		if (strcmp(r->confs[i].sha, rec->cfg_sha) == 0)
			k = i;
	if (k < 0) {
		r->confs = xrealloc(r->confs, (size_t)(r->nconfs + 1) * sizeof(*r->confs));
		k = r->nconfs++;
		memset(&r->confs[k], 0, sizeof(r->confs[k]));
		snprintf(r->confs[k].sha, sizeof(r->confs[k].sha), "%s", rec->cfg_sha ? rec->cfg_sha : "");
		r->confs[k].cfg = rec->cfg;
	} else if (rec->cfg && rec->cfg != r->confs[k].cfg) {
		cfg_free(rec->cfg);	/* handed over, held already */
	}
	if (r->confs[k].cfg) {
		take_config_names(r, r->confs[k].cfg);
		/* the latest config names the site, as it is now */
		free(r->f.site_name);
		free(r->f.province);
		r->f.site_name = xstrdup(r->confs[k].cfg->site.name);
		r->f.province = xstrdup(r->confs[k].cfg->site.province);
		r->f.plan_known = 1;
		r->trust_clock = !r->confs[k].cfg->time.require_sync;
	}
	if (untrusted) {
		r->pending = k;
		return;
	}
	r->pending = -1;
	add_segment(r, k, day, ms);
}

static void
add_entry(struct rpt *r, const struct rpt_rec *rec, int32_t day, long ms, const char *outcome, int emergency)
{
	struct rpt_entry *e;

	if (r->f.nentries == r->capentries) {
		r->capentries = r->capentries ? r->capentries * 2 : 1024;
		r->f.entries = xrealloc(r->f.entries, (size_t)r->capentries * sizeof(*r->f.entries));
	}
	e = &r->f.entries[r->f.nentries++];
	e->day = day;
	e->ms = ms;
	e->duration_ms = rec->kind == RPT_AIRING ? rec->duration_ms : rec->kind == RPT_RELAY ? rec->heard_ms : 0;
	e->relay = rec->kind == RPT_RELAY;
	e->session = strset_add(&r->pool, rec->session ? rec->session : "", NULL);
	e->title = strset_add(&r->pool, rec->title ? rec->title : "", NULL);
	e->topic = strset_add(&r->pool, rec->topic ? rec->topic : "", NULL);
	e->outcome = strset_add(&r->pool, outcome, NULL);
	e->reason = strset_add(&r->pool, rec->reason ? rec->reason : "", NULL);
	e->emergency = emergency;
	e->verified = rec->verified;
	e->seq = rec->seq;
}

static void
add_miss(struct rpt *r, const struct rpt_rec *rec, int failed, int emergency)
{
	struct rpt_miss *m;

	r->f.misses = xrealloc(r->f.misses, (size_t)(r->f.nmisses + 1) * sizeof(*r->f.misses));
	m = &r->f.misses[r->f.nmisses++];
	m->when = xstrdup(failed ? (rec->start ? rec->start : rec->ts) : rec->scheduled ? rec->scheduled :
	    rec->slot ? rec->slot : rec->ts);
	m->session = xstrdup(rec->session);
	m->period = xstrdup(rec->period);
	m->bulletin = xstrdup(rec->bulletin);
	m->title = xstrdup(rec->title);
	m->topic = xstrdup(rec->topic);
	m->reason = xstrdup(rec->reason);
	m->failed = failed;
	m->emergency = emergency;
	m->verified = rec->verified;
	m->seq = rec->seq;
}

static void
note_unverified(struct rpt *r, const struct rpt_rec *rec, int32_t day)
{
	if (rec->verified)
		return;
	if (r->f.unverified.records++ == 0)
		r->f.unverified.first_seq = rec->seq;
	if (r->f.unverified.first_day == DATE_NONE || day < r->f.unverified.first_day)
		r->f.unverified.first_day = day;
	if (r->f.unverified.last_day == DATE_NONE || day > r->f.unverified.last_day)
		r->f.unverified.last_day = day;
}

static int
month_index(const struct rpt *r, int32_t day)
{
	int y, m, d;

	date_to_civil(day, &y, &m, &d);
	return y * 12 + m - r->month0;
}

/* the session a timed record belongs to: its slot, read as written */
static struct sess *
session_of(struct rpt *r, const struct rpt_rec *rec)
{
	int32_t day;
	long ms;

	if (rec->slot == NULL || rec->session == NULL || rpt_parse_local(rec->slot, &day, &ms) < 0)
		return NULL;
	return sess_find(&r->sess, day, (int)(ms / 60000), strset_add(&r->pool, rec->session, NULL), 1);
}

static void
feed_relay(struct rpt *r, const struct rpt_rec *rec, int32_t day, long ms)
{
	struct tgroup *g = group(r, &r->relays, rec->session ? rec->session : "", 0);
	struct sess *s;

	r->f.records++;
	note_unverified(r, rec, day);
	if (r->keep)
		add_entry(r, rec, day, ms, rec->outcome ? rec->outcome : "", 0);
	r->f.relay_fallback_ms += rec->fallback_ms > 0 ? rec->fallback_ms : 0;
	r->f.relay_dropouts += rec->dropouts > 0 ? rec->dropouts : 0;
	s = session_of(r, rec);	/* the slot has a record, aired or not */
	if (rec->heard_ms > 0) {
		g->g.c.airings++;
		g->g.c.airtime_ms += rec->heard_ms;
		r->f.relayed.airings++;
		r->f.relayed.airtime_ms += rec->heard_ms;
		if (s != NULL)
			s->complete = 1;	/* the relay slot aired */
	} else
		r->f.relay_failed++;
}

static void
feed_airing(struct rpt *r, const struct rpt_rec *rec, int32_t day, long ms)
{
	int emergency = rec->session && strcmp(rec->session, "emergency") == 0;
	const char *outcome = rec->outcome ? rec->outcome : "";
	int aired = strcmp(outcome, "complete") == 0 || strcmp(outcome, "interrupted") == 0;
	long long dur = rec->duration_ms > 0 ? rec->duration_ms : 0;
	struct sess *s;

	r->f.records++;
	note_unverified(r, rec, day);
	if (r->keep)
		add_entry(r, rec, day, ms, outcome, emergency);
	if (emergency) {
		if (aired) {
			r->f.emergency.airings++;
			r->f.emergency.airtime_ms += dur;
		} else {
			r->f.emergency_failed++;
			add_miss(r, rec, 1, 1);
		}
		return;
	}
	if ((s = session_of(r, rec)) != NULL && strcmp(outcome, "complete") == 0)
		s->complete = 1;
	if (!aired) {
		r->f.failed++;
		r->f.missed++;
		if (!rec->verified)
			r->f.unverified.missed++;
		add_miss(r, rec, 1, 0);
		return;
	}
	if (strcmp(outcome, "complete") == 0)
		r->f.complete++;
	else
		r->f.interrupted++;
	r->f.aired.airings++;
	r->f.aired.airtime_ms += dur;
	if (!rec->verified) {
		r->f.unverified.c.airings++;
		r->f.unverified.c.airtime_ms += dur;
	}
	{
		struct tgroup *t = group(r, &r->topics, rec->topic ? rec->topic : "", 1);
		int w = (day - r->f.week0) / 7;
		t->g.c.airings++;
		t->g.c.airtime_ms += dur;
		t->weeks[w] += dur;
	}
	{
		const char *pid = rec->period && *rec->period ? rec->period : "normal";
		struct tgroup *p = group(r, &r->periods, pid, 0);
		struct rpt_count *pn = strcmp(pid, "normal") == 0 ? &r->f.normal : &r->f.peak;
		p->g.c.airings++;
		p->g.c.airtime_ms += dur;
		pn->airings++;
		pn->airtime_ms += dur;
	}
	{
		struct rpt_group *m = &r->f.months[month_index(r, day)];
		m->c.airings++;
		m->c.airtime_ms += dur;
	}
	strset_add(&r->shas, rec->sha256 && *rec->sha256 ? rec->sha256 : rec->bulletin ? rec->bulletin : "", NULL);
}

static void
feed_missed(struct rpt *r, const struct rpt_rec *rec, int32_t day, long ms)
{
	int emergency = rec->session && strcmp(rec->session, "emergency") == 0;

	r->f.records++;
	note_unverified(r, rec, day);
	if (r->keep)
		add_entry(r, rec, day, ms, "missed", emergency);
	if (!emergency)
		session_of(r, rec);
	add_miss(r, rec, 0, emergency);
	if (emergency) {
		r->f.emergency_failed++;
		return;
	}
	if (rec->bulletin == NULL || *rec->bulletin == '\0') {
		r->f.no_content++;
		return;
	}
	r->f.missed_records++;
	r->f.missed++;
	if (!rec->verified)
		r->f.unverified.missed++;
}

void
rpt_feed(struct rpt *r, const struct rpt_rec *rec)
{
	int32_t day = DATE_NONE;
	long ms = 0;
	const char *when;
	int untrusted;

	if (r->finished)
		return;
	if (rec->seq > 0 && rec->seq <= r->max_seq) {
		r->f.duplicates++;	/* only a broken log repeats a record: count it once */
		if (rec->kind == RPT_CONFIG && rec->cfg && !rpt_has_config(r, rec->cfg_sha))
			cfg_free(rec->cfg);
		return;
	}
	if (rec->seq > r->max_seq)
		r->max_seq = rec->seq;
	/*
	 * A time written with a clock that was not synchronised means nothing,
	 * unless the config in force (or the one this record brings) says the
	 * board trusts its clock anyway (require_sync = false): the office chose to.
	 */
	untrusted = rec->unsynced && !(rec->kind == RPT_CONFIG && rec->cfg ? !rec->cfg->time.require_sync :
	    r->trust_clock);
	if (!untrusted && rpt_parse_local(rec->ts, &day, &ms) == 0) {
		if (r->pending >= 0 && rec->kind != RPT_CONFIG) {
			add_segment(r, r->pending, day, ms);	/* the time the config logged untrusted began */
			r->pending = -1;
		}
		if (!r->have_first) {
			r->have_first = 1;
			r->first_day = day;
			r->first_ms = ms;
		}
		if (!r->have_last || before(r->last_day, r->last_ms, day, ms)) {
			r->have_last = 1;
			r->last_day = day;
			r->last_ms = ms;
		}
	}
	switch (rec->kind) {
	case RPT_CONFIG:
		if (rpt_parse_local(rec->ts, &day, &ms) < 0 && !untrusted) {
			if (rec->cfg && !rpt_has_config(r, rec->cfg_sha))
				cfg_free(rec->cfg);
			return;
		}
		feed_config(r, rec, day, ms, untrusted);
		return;
	case RPT_AIRING:
		when = rec->start && *rec->start ? rec->start : rec->ts;
		break;
	case RPT_MISSED:
		when = rec->scheduled ? rec->scheduled : rec->slot ? rec->slot : rec->ts;
		break;
	case RPT_RELAY:
	case RPT_LIVE:
		when = rec->start && *rec->start ? rec->start : rec->slot ? rec->slot : rec->ts;
		break;
	default:
		return;
	}
	if (rpt_parse_local(when, &day, &ms) < 0 || day < r->f.from || day > r->f.to)
		return;
	if (rec->kind == RPT_LIVE) {
		r->f.records++;
		note_unverified(r, rec, day);
		if (rec->duration_ms > 0) {
			r->f.live.airings++;
			r->f.live.airtime_ms += rec->duration_ms;
		}
	} else if (rec->kind == RPT_RELAY)
		feed_relay(r, rec, day, ms);
	else if (rec->kind == RPT_AIRING)
		feed_airing(r, rec, day, ms);
	else
		feed_missed(r, rec, day, ms);
}

/* --- the plan ------------------------------------------------------------ */

static struct sched *
sched_of(struct rpt *r, int k)
{
	struct conf *c = &r->confs[k];

	if (c->cfg == NULL)
		return NULL;
	if (c->sc == NULL)
		c->sc = sched_new(c->cfg, r->f.from, r->f.to);
	return c->sc;
}

/* the segment in force at (day, ms): the last config record not after it; -1 before the first */
static int
seg_at(const struct rpt *r, int32_t day, long ms)
{
	int k = -1;

	for (int i = 0; i < r->nsegs && !before(day, ms, r->segs[i].day, r->segs[i].ms); i++)
		k = i;
	return k;
}

static void
plan_slot(struct rpt *r, const struct sched_slot *sl, int32_t day)
{
	long start = sl->start * 60000L;
	struct sess *s = sess_find(&r->sess, day, sl->start, sl->session->id, 0);
	int inside = !before(day, start, r->segs[0].day, r->segs[0].ms) &&
	    !before(r->last_day, r->last_ms, day, start + sl->length_ms);
	struct tgroup *p;
	struct rpt_group *m;

	if (!inside && s == NULL)
		return;	/* before the log began, or after it ends: not the board's to answer for */
	if (s && s->planned)
		return;
	p = group(r, &r->periods, sl->period ? sl->period->id : "normal", 0);
	if (sl->period)
		name_group(p, sl->period->name);
	m = &r->f.months[month_index(r, day)];
	r->f.planned_sessions++;
	p->g.planned++;
	m->planned++;
	if (sl->session->relay) {
		struct tgroup *g = group(r, &r->relays, sl->session->id, 0);
		name_group(g, sl->session->relay->name);
		g->g.planned++;
		g->g.aired += s && s->complete;
	}
	if (s == NULL) {
		r->f.unaccounted_sessions++;
		return;
	}
	s->planned = 1;
	if (s->complete) {
		r->f.aired_sessions++;
		p->g.aired++;
		m->aired++;
	}
}

static void
derive_plan(struct rpt *r)
{
	struct sched_slot sl[SCHED_MAX_SLOTS];
	int32_t lo, hi;

	if (r->nsegs == 0 || !r->have_last)
		return;
	lo = r->segs[0].day > r->f.from ? r->segs[0].day : r->f.from;
	hi = r->last_day < r->f.to ? r->last_day : r->f.to;
	for (int32_t day = lo; day <= hi; day++) {
		int k = seg_at(r, day, 0);
		long a = 0;

		if (k < 0)	/* the first config comes during this day */
			k = 0, a = r->segs[0].ms;
		for (; k < r->nsegs && r->segs[k].day <= day; k++) {
			long b = k + 1 < r->nsegs && r->segs[k + 1].day == day ? r->segs[k + 1].ms : DAY_MS;
			struct sched *sc = sched_of(r, r->segs[k].conf);
			int n;

			if (r->segs[k].day == day && r->segs[k].ms > a)
				a = r->segs[k].ms;
			if (sc != NULL) {
				n = sched_day(sc, day, sl, SCHED_MAX_SLOTS);
				for (int i = 0; i < n; i++)
					if (sl[i].start * 60000L >= a && sl[i].start * 60000L < b)
						plan_slot(r, &sl[i], day);
			}
			a = b;
		}
	}
	for (size_t i = 0; i < r->sess.cap; i++) {
		const struct sess *s = &r->sess.slot[i];
		if (s->id && !s->planned && s->day >= r->f.from && s->day <= r->f.to)
			r->f.unplanned_sessions++;
	}
}

/* which weeks hold a day of a peak period (the config in force that day, or the nearest one) */
static void
mark_peaks(struct rpt *r)
{
	r->f.week_peak = calloc((size_t)r->f.nweeks, sizeof(*r->f.week_peak));
	if (r->f.week_peak == NULL)
		abort();
	if (r->nsegs == 0)
		return;
	for (int32_t day = r->f.from; day <= r->f.to; day++) {
		int k = seg_at(r, day, DAY_MS / 2);
		struct sched *sc = sched_of(r, r->segs[k < 0 ? 0 : k].conf);
		const struct cfg_period *p;
		struct tgroup *g;
		int w = (day - r->f.week0) / 7;

		if (sc == NULL || (p = sched_first_active(sc, day)) == NULL || r->f.week_peak[w])
			continue;
		g = group(r, &r->periods, p->id, 0);
		name_group(g, p->name);
		r->f.week_peak[w] = (int)(g - r->periods.v) + 1;
	}
}

static struct rpt_group *
flatten(struct groups *gs, int *n)
{
	struct rpt_group *v = xrealloc(NULL, (size_t)(gs->n ? gs->n : 1) * sizeof(*v));

	for (int i = 0; i < gs->n; i++)
		v[i] = gs->v[i].g;
	*n = gs->n;
	return v;
}

void
rpt_finish(struct rpt *r)
{
	if (r->finished)
		return;
	r->finished = 1;
	group(r, &r->periods, "normal", 0);	/* always listed, first unless records came before */
	if (r->have_first) {
		r->f.cov_from = r->first_day > r->f.from ? r->first_day : r->f.from;
		r->f.cov_to = r->last_day < r->f.to ? r->last_day : r->f.to;
		if (r->f.cov_from > r->f.cov_to)
			r->f.cov_from = r->f.cov_to = DATE_NONE;
	}
	derive_plan(r);
	mark_peaks(r);
	/* "normal" first: move it to the front, the rest in the order met */
	for (int i = 0; i < r->periods.n; i++)
		if (strcmp(r->periods.v[i].g.id, "normal") == 0 && i > 0) {
			struct tgroup t = r->periods.v[i];
			memmove(&r->periods.v[1], &r->periods.v[0], (size_t)i * sizeof(t));
			r->periods.v[0] = t;
			for (int w = 0; w < r->f.nweeks; w++)
				if (r->f.week_peak[w] > 0 && r->f.week_peak[w] <= i)
					r->f.week_peak[w]++;
			break;
		}
	r->f.topics = flatten(&r->topics, &r->f.ntopics);
	r->f.periods = flatten(&r->periods, &r->f.nperiods);
	r->f.relays = flatten(&r->relays, &r->f.nrelays);
	r->f.week_topic_ms = calloc((size_t)(r->f.nweeks * (r->f.ntopics ? r->f.ntopics : 1)),
	    sizeof(*r->f.week_topic_ms));
	if (r->f.week_topic_ms == NULL)
		abort();
	for (int t = 0; t < r->f.ntopics; t++)
		for (int w = 0; w < r->f.nweeks; w++)
			r->f.week_topic_ms[w * r->f.ntopics + t] = r->topics.v[t].weeks[w];
	r->f.bulletins = (long long)r->shas.n;
	r->f.planned = r->f.aired.airings + r->f.missed;
	r->f.shas = strset_sorted(&r->shas, &r->f.nshas);
}

const struct rpt_figures *
rpt_figures(const struct rpt *r)
{
	return &r->f;
}

static void
free_misses(struct rpt_miss *m, int n)
{
	for (int i = 0; i < n; i++) {
		free(m[i].when);
		free(m[i].session);
		free(m[i].period);
		free(m[i].bulletin);
		free(m[i].title);
		free(m[i].topic);
		free(m[i].reason);
	}
	free(m);
}

void
rpt_free(struct rpt *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->topics.n; i++) {
		free(r->topics.v[i].g.id);
		free(r->topics.v[i].g.name);
		free(r->topics.v[i].weeks);
	}
	for (int i = 0; i < r->periods.n; i++) {
		free(r->periods.v[i].g.id);
		free(r->periods.v[i].g.name);
	}
	for (int i = 0; i < r->relays.n; i++) {
		free(r->relays.v[i].g.id);
		free(r->relays.v[i].g.name);
	}
	free(r->topics.v);
	free(r->periods.v);
	free(r->relays.v);
	free(r->f.topics);
	free(r->f.periods);
	free(r->f.relays);
	for (int i = 0; i < r->f.nmonths; i++)
		free(r->f.months[i].id);
	free(r->f.months);
	free(r->f.week_topic_ms);
	free(r->f.week_peak);
	free_misses(r->f.misses, r->f.nmisses);
	free(r->f.entries);
	for (long i = 0; i < r->f.nshas; i++)
		free(r->f.shas[i]);
	free(r->f.shas);
	free(r->f.site);
	free(r->f.site_name);
	free(r->f.province);
	for (int i = 0; i < r->nconfs; i++) {
		sched_free(r->confs[i].sc);
		cfg_free(r->confs[i].cfg);
	}
	free(r->confs);
	free(r->segs);
	strset_free(&r->shas);
	strset_free(&r->pool);
	free(r->sess.slot);
	free(r);
}

/* --- several sites ------------------------------------------------------- */

void
rpt_sum_init(struct rpt_figures *t, int32_t from, int32_t to)
{
	struct rpt *r = rpt_new(from, to);

	memset(t, 0, sizeof(*t));
	if (r == NULL)
		abort();
	/* the same months and weeks as every site's */
	t->from = from;
	t->to = to;
	t->cov_from = t->cov_to = DATE_NONE;
	t->unverified.first_day = t->unverified.last_day = DATE_NONE;
	t->nmonths = r->f.nmonths;
	t->months = r->f.months;
	r->f.months = NULL;
	r->f.nmonths = 0;
	t->week0 = r->f.week0;
	t->nweeks = r->f.nweeks;
	t->week_peak = calloc((size_t)t->nweeks, sizeof(*t->week_peak));
	if (t->week_peak == NULL)
		abort();
	rpt_free(r);
	t->plan_known = 1;
}

static void
add_count(struct rpt_count *a, const struct rpt_count *b)
{
	a->airings += b->airings;
	a->airtime_ms += b->airtime_ms;
}

static int
sum_group(struct rpt_group **v, int *n, const struct rpt_group *g)
{
	int i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].id, g->id) == 0)
			break;
	if (i == *n) {
		*v = xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
		memset(&(*v)[i], 0, sizeof(**v));
		(*v)[i].id = xstrdup(g->id);
		(*n)++;
	}
	if ((*v)[i].name == NULL)
		(*v)[i].name = xstrdup(g->name);
	add_count(&(*v)[i].c, &g->c);
	(*v)[i].planned += g->planned;
	(*v)[i].aired += g->aired;
	return i;
}

void
rpt_sum(struct rpt_figures *t, const struct rpt_figures *s)
{
	int *tmap;

	t->records += s->records;
	add_count(&t->aired, &s->aired);
	t->complete += s->complete;
	t->interrupted += s->interrupted;
	t->failed += s->failed;
	t->missed_records += s->missed_records;
	t->no_content += s->no_content;
	t->planned += s->planned;
	t->missed += s->missed;
	add_count(&t->peak, &s->peak);
	add_count(&t->normal, &s->normal);
	add_count(&t->emergency, &s->emergency);
	t->emergency_failed += s->emergency_failed;
	t->plan_known &= s->plan_known;
	t->planned_sessions += s->planned_sessions;
	t->aired_sessions += s->aired_sessions;
	t->unaccounted_sessions += s->unaccounted_sessions;
	t->unplanned_sessions += s->unplanned_sessions;
	t->duplicates += s->duplicates;
	if (s->cov_from != DATE_NONE && (t->cov_from == DATE_NONE || s->cov_from < t->cov_from))
		t->cov_from = s->cov_from;
	if (s->cov_to != DATE_NONE && (t->cov_to == DATE_NONE || s->cov_to > t->cov_to))
		t->cov_to = s->cov_to;
	t->unverified.records += s->unverified.records;
	t->unverified.missed += s->unverified.missed;
	add_count(&t->unverified.c, &s->unverified.c);
	if (s->unverified.first_day != DATE_NONE && (t->unverified.first_day == DATE_NONE ||
	    s->unverified.first_day < t->unverified.first_day))
		t->unverified.first_day = s->unverified.first_day;
	if (s->unverified.last_day != DATE_NONE && (t->unverified.last_day == DATE_NONE ||
	    s->unverified.last_day > t->unverified.last_day))
		t->unverified.last_day = s->unverified.last_day;

	for (int i = 0; i < s->nmonths && i < t->nmonths; i++) {
		add_count(&t->months[i].c, &s->months[i].c);
		t->months[i].planned += s->months[i].planned;
		t->months[i].aired += s->months[i].aired;
	}
	{
		int before_n = t->ntopics;
		tmap = xrealloc(NULL, (size_t)(s->ntopics ? s->ntopics : 1) * sizeof(*tmap));
		for (int i = 0; i < s->ntopics; i++)
			tmap[i] = sum_group(&t->topics, &t->ntopics, &s->topics[i]);
		if (t->ntopics != before_n) {	/* widen the week x topic table */
			long long *w = calloc((size_t)(t->nweeks * t->ntopics), sizeof(*w));
			if (w == NULL)
				abort();
			for (int k = 0; k < t->nweeks; k++)
				for (int j = 0; j < before_n; j++)
					w[k * t->ntopics + j] = t->week_topic_ms[k * before_n + j];
			free(t->week_topic_ms);
			t->week_topic_ms = w;
		}
		for (int k = 0; k < t->nweeks && k < s->nweeks; k++)
			for (int i = 0; i < s->ntopics; i++)
				t->week_topic_ms[k * t->ntopics + tmap[i]] += s->week_topic_ms[k * s->ntopics + i];
		free(tmap);
	}
	for (int i = 0; i < s->nrelays; i++)
		sum_group(&t->relays, &t->nrelays, &s->relays[i]);
	add_count(&t->relayed, &s->relayed);
	add_count(&t->live, &s->live);
	t->relay_fallback_ms += s->relay_fallback_ms;
	t->relay_dropouts += s->relay_dropouts;
	t->relay_failed += s->relay_failed;
	tmap = xrealloc(NULL, (size_t)(s->nperiods ? s->nperiods : 1) * sizeof(*tmap));
	for (int i = 0; i < s->nperiods; i++)
		tmap[i] = sum_group(&t->periods, &t->nperiods, &s->periods[i]);
	for (int k = 0; k < t->nweeks && k < s->nweeks; k++)
		if (t->week_peak[k] == 0 && s->week_peak[k] > 0)
			t->week_peak[k] = tmap[s->week_peak[k] - 1] + 1;
	free(tmap);
	{
		/* distinct bulletins across sites: the union of the sorted lists */
		char **v = xrealloc(NULL, (size_t)(t->nshas + s->nshas + 1) * sizeof(*v));
		long i = 0, j = 0, n = 0;
		while (i < t->nshas || j < s->nshas) {
			int c = i == t->nshas ? 1 : j == s->nshas ? -1 : strcmp(t->shas[i], s->shas[j]);
			if (c <= 0) {
				v[n++] = t->shas[i++];
				if (c == 0)
					j++;
			} else {
				v[n++] = xstrdup(s->shas[j++]);
			}
		}
		free(t->shas);
		t->shas = v;
		t->nshas = n;
		t->bulletins = n;
	}
}

void
rpt_sum_free(struct rpt_figures *t)
{
	for (int i = 0; i < t->ntopics; i++) {
		free(t->topics[i].id);
		free(t->topics[i].name);
	}
	for (int i = 0; i < t->nperiods; i++) {
		free(t->periods[i].id);
		free(t->periods[i].name);
	}
	for (int i = 0; i < t->nrelays; i++) {
		free(t->relays[i].id);
		free(t->relays[i].name);
	}
	free(t->relays);
	for (int i = 0; i < t->nmonths; i++)
		free(t->months[i].id);
	free(t->topics);
	free(t->periods);
	free(t->months);
	free(t->week_topic_ms);
	free(t->week_peak);
	for (long i = 0; i < t->nshas; i++)
		free(t->shas[i]);
	free(t->shas);
	memset(t, 0, sizeof(*t));
}
