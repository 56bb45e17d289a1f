/*
 * engine: see engine.h for the contract. One piece because it is one state
 * machine: every transition (session, step, emergency, clock jump, reload)
 * must see the same state and write the same records.
 *
 * State. At any moment the engine either runs a session (a list of steps,
 * `cur` the one in progress) or is idle until the next event: the next
 * session's relay-on time, the next emergency, or midnight (a new day: new
 * epoch in the log). The clock is read through the env's ops only, so the
 * same code runs in real time and in simulation.
 *
 * What the log must show. Every planned bulletin of every session ends up
 * in exactly one record: airing (complete, interrupted or failed) or missed
 * (with the reason). A session without content gives one missed record with
 * no bulletin. Records carry `slot`, the session's planned start, from
 * which a restart learns which sessions were already handled.
 */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio/play.h"
#include "audio/stream.h"
#include "base/date.h"
#include "base/durable.h"
#include "base/log.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "firmware/board.h"
#include "firmware/engine.h"
#include "scheduler/airlog.h"
#include "scheduler/history.h"
#include "scheduler/library.h"
#include "scheduler/plan.h"
#include "scheduler/sched.h"

#define MAX_ITEMS	256
#define MAX_STEPS	(2 * MAX_ITEMS + 16)
#define MAX_EMERG	64
#define CATCHUP_DAYS	366
#define LOAXA_VERSION	"0.1"

enum step_kind { ST_OPEN, ST_AMP_ON, ST_WAIT, ST_CHIME, ST_GAP, ST_ITEM, ST_ANNOUNCE, ST_RELAY, ST_LIVE, ST_AMP_OFF,
	ST_RLIVE };	/* ST_RLIVE: a remote live's stream (engine_remote_live) */

/* the device is opened and set up this long before a session at least */
#define PREPARE_MS	1000
/* a relay's stream is opened this long before its start: to connect and buffer */
#define RELAY_PREPARE_MS 5000
/* a fallback that found no bulletin is tried again after this */
#define RELAY_NOFILL_MS	60000

struct step {
	enum step_kind	 k;
	long long	 t;	/* ST_WAIT: until, wall ms */
	long		 ms;	/* ST_GAP */
	int		 item;	/* ST_ITEM: index into items */
};

struct session {
	int			 active;
	struct cfg		*cfg;		/* planned with this config (kept alive) */
	int			 timed;		/* 0: an emergency outside any session */
	struct sched_slot	 slot;
	long long		 slot_ms;	/* planned start, wall ms */
	long long		 end_ms;	/* no bulletin may end after this */
	struct plan_item	 items[MAX_ITEMS];
	int			 nitems;
	int			 logged[MAX_ITEMS];	/* a record exists for this item */
	struct step		 steps[MAX_STEPS];
	int			 nsteps, cur;
	int			 started;	/* steps[cur] handed to the player */
	int			 opened;	/* device open */
	int			 amp;		/* relay on */
	long long		 item_start_ms;
	double			 item_gain;
	char			 announce[512];	/* ST_ANNOUNCE: the file, deleted once played */
	/* a relay session (slot.session->relay) */
	int			 relay;
	int			 stream_open;
	int			 relay_logged;
	long long		 relay_start_ms;	/* the stream first aired; 0: not yet */
	long long		 fb_start_ms;		/* a fallback began; 0: none running */
	long long		 fallback_ms;
	long long		 nofill_until;		/* no bulletin for the fallback: not before this */
	int			 fallback_items, emergencies;
	unsigned char		 fallback[MAX_ITEMS];	/* items[i] airs as the relay's fallback (2: has aired) */
	struct cfg_session	 fb_session;		/* the relay as a session of bulletins (all topics) */
	const char		*relay_reason;		/* engine_stop's reason, for the record */
	char			 said[32];		/* the stream's fault last put in last_error */
};

/* the last airing of each bulletin: read from the log once, then kept here */
struct hist {
	char		 id[BUL_ID_MAX + 1];
	long long	 last_ms;	/* wall ms */
};

struct emerg {
	char		 id[BUL_ID_MAX + 1];
	long long	 next_ms;	/* LLONG_MAX: done */
};

struct engine {
	struct cfg		*cfg;
	struct engine_env	 env;
	struct lib		 lib;
	int			 lib_loaded;
	struct planner		*plan;
	long			 chime_ms;
	double			 chime_lufs;
	struct session		 s;
	struct emerg		 em[MAX_EMERG];
	int			 nem;
	long long		 hw;		/* latest slot handled, wall ms */
	long long		*ahead;		/* after the clock came back: slots past hw that aired already */
	int			 nahead;
	int			 synced;
	long long		 start_mono;	/* boot-time ms when the engine started */
	long long		 unsynced_mono;	/* boot-time ms since when the clock is not trusted; -1: it is */
	int32_t			 day;		/* the local day last seen */
	int			 stopped;
	char			 last_error[256];
	long long		 airings, missed;
	struct cfg		*retired[8];	/* old configs a session may still point into */
	int			 nretired;
	struct cfg		*pending;	/* a reload that waits for the session to end */
	/* the next relay, while a session airs: its stream is opened ahead at prep_at */
	long long		 prep_hw;	/* the hw these were worked out for; -1: not yet */
	long long		 prep_at;	/* wall ms; LLONG_MAX: the next slot is no relay */
	long long		 prep_slot, prep_done;	/* its slot; the slot whose stream was opened */
	struct sched_slot	 prep_sl;
	struct lib		 old_lib[4];	/* libraries a session still points into */
	int			 nold_lib;
	int			 lib_dirty;	/* changed while no reload was possible */
	const char		*jump_reason;	/* why the next catch-up's sessions were missed */
	char			 cfg_sha[65];	/* of the config last logged as applied */
	struct hist		*hist;		/* sorted by id */
	int			 nhist, caphist;
	char			 announce[8][512];	/* spoken messages waiting for a quiet moment */
	int			 nannounce;
	/* live announcements */
	int			 live_on;		/* asked for: the button held, the latch on */
	char			 live_by[32];
	long long		 live_start_ms;		/* the microphone on air since; 0: not */
	int			 live_mic;		/* the microphone is open */
	char			 live_during[64];	/* the session it cut in, or "" */
	/* a remote live (engine_remote_live): one at a time */
	struct {
		int		 on;			/* taken, its record not yet written */
		int		 open;			/* its stream started */
		int		 emergency;
		char		 id[64], by[128], key[64], url[1024], during[64];
		long		 max_ms, gone_ms;
		long long	 start_ms;		/* on air since (wall ms); 0: not yet */
	} rl;
};

static void log_live(struct engine *, const char *outcome, const char *reason);
static void log_remote(struct engine *, const char *outcome, const char *reason);

/* --- time --------------------------------------------------------------- */

static long long
now_ms(struct engine *e)
{
	return e->env.clock.realtime_ms(e->env.clock.h);
}

static void
local_of(long long ms, int32_t *day, long *msday, long *gmtoff)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	if (day)
		*day = date_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	if (msday)
		*msday = (tm.tm_hour * 3600L + tm.tm_min * 60L + tm.tm_sec) * 1000L + (long)(ms - (long long)t * 1000);
	if (gmtoff)
		*gmtoff = tm.tm_gmtoff;
}

static long long
wall_of(int32_t day, long msday)
{
	struct tm tm = { 0 };
	int y, m, d;
	time_t t;

	date_to_civil(day, &y, &m, &d);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = (int)(msday / 3600000);
	tm.tm_min = (int)(msday / 60000 % 60);
	tm.tm_sec = (int)(msday / 1000 % 60);
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return (long long)t * 1000 + msday % 1000;
}

static void
ts_of(long long ms, char buf[DATE_TS_LEN])
{
	long off;

	local_of(ms, NULL, NULL, &off);
	date_format_ts(ms >= 0 ? ms / 1000 : (ms - 999) / 1000, off, buf);
}

static long long
mono_ms(struct engine *e)
{
	return e->env.clock.boottime_ms(e->env.clock.h);
}

/* the wall time of a boot-time instant, by the clock as it is now (trusted or not) */
static long long
wall_of_mono(struct engine *e, long long mono)
{
	return now_ms(e) - (mono_ms(e) - mono);
}

static int
clock_ok(const struct engine *e)
{
	return e->synced || !e->cfg->time.require_sync;
}

/* --- the log ------------------------------------------------------------ */

static void
set_error(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_error(struct engine *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->last_error, sizeof(e->last_error), fmt, ap);
	va_end(ap);
	log_warnx("%s", e->last_error);
}

/* appends a record; takes fields. Failure to log is reported, never fatal:
 * the board keeps airing (the airlog says which records it could not keep). */
static int
record(struct engine *e, const char *type, json_t *fields)
{
	struct airlog_clock ck = {
		.realtime_s = now_ms(e) / 1000,
		.mono_ms = mono_ms(e),
		.synced = e->synced,
		.boot_id = e->env.boot_id,
	};
	char err[256];
	long long seq;
	long off;

	local_of(now_ms(e), NULL, NULL, &off);
	ck.gmtoff = off;
	if (airlog_append(e->env.log, type, fields, &ck, &seq, err, sizeof(err)) < 0) {
		set_error(e, "airing log: %s", err);
		json_decref(fields);
		return -1;
	}
	if (e->env.on_record) {
		char *line = json_dumps(fields, JSON_COMPACT | JSON_PRESERVE_ORDER);
		e->env.on_record(e->env.on_record_arg, type, line ? line : "");
		free(line);
	}
	json_decref(fields);
	return 0;
}

static void
put_ts(json_t *o, const char *key, long long ms)
{
	char ts[DATE_TS_LEN];

	ts_of(ms, ts);
	json_object_set_new(o, key, json_string(ts));
}

static void
put_bulletin(json_t *o, const struct bulletin *b)
{
	json_object_set_new(o, "bulletin", json_string(b->id));
	json_object_set_new(o, "title", json_string(b->title));
	json_object_set_new(o, "topic", json_string(b->topic));
	json_object_set_new(o, "level", json_string(bul_level_name(b->level)));
	json_object_set_new(o, "source", json_string(bul_source_name(b->source)));
	json_object_set_new(o, "sha256", json_string(b->sha256));
}

static long long
item_wall(const struct plan_item *it)
{
	return wall_of(it->day, it->start_ms);
}

static void
log_missed(struct engine *e, const struct sched_slot *sl, long long slot_ms, const struct plan_item *it,
    const char *reason)
{
	json_t *o = json_object();

	json_object_set_new(o, "session", json_string(sl->session->id));
	json_object_set_new(o, "period", json_string(sl->period ? sl->period->id : "normal"));
	put_ts(o, "scheduled", it ? item_wall(it) : slot_ms);
	put_ts(o, "slot", slot_ms);
	if (it)
		put_bulletin(o, it->b);
	json_object_set_new(o, "reason", json_string(reason));
	record(e, "missed", o);
	e->missed++;
}

/* --- library, planner, history ---------------------------------------- */

static void
measure_chime(struct engine *e)
{
	e->chime_ms = 0;
	e->chime_lufs = e->cfg->audio.loudness_lufs;
	if (e->cfg->audio.chime == NULL || e->env.measure == NULL)
		return;
	if (e->env.measure(e->cfg->audio.chime, &e->chime_ms, &e->chime_lufs) < 0) {
		set_error(e, _("chime %s cannot be played; sessions start without it"), e->cfg->audio.chime);
		e->chime_ms = 0;
	}
}

static long long
ordinal_of(long long ms)
{
	int32_t day;
	long msday;

	local_of(ms, &day, &msday, NULL);
	return (long long)day * PLAN_DAY_MS + msday;
}

static int
hist_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hist *)a)->id, ((const struct hist *)b)->id);
}

static void
hist_set(struct engine *e, const char *id, long long ms)
{
	struct hist key, *h;

	snprintf(key.id, sizeof(key.id), "%s", id);
	h = e->nhist ? bsearch(&key, e->hist, (size_t)e->nhist, sizeof(*h), hist_cmp) : NULL;
	if (h != NULL) {
		if (ms > h->last_ms)
			h->last_ms = ms;
		return;
	}
	if (e->nhist == e->caphist) {
		int ncap = e->caphist ? e->caphist * 2 : 64;
		struct hist *nh = realloc(e->hist, (size_t)ncap * sizeof(*nh));
		if (nh == NULL)
			return;
		e->hist = nh;
		e->caphist = ncap;
	}
	key.last_ms = ms;
	e->hist[e->nhist++] = key;
	qsort(e->hist, (size_t)e->nhist, sizeof(*e->hist), hist_cmp);
}

static void
on_aired(void *arg, const char *id, long long start_s)
{
	hist_set(arg, id, start_s * 1000);
}

/* reads the log once, at start */
static void
read_history(struct engine *e)
{
	struct history_cb h = { .aired = on_aired, .arg = e };

	if (history_read(e->cfg->paths.airlog, &h) < 0) {
		set_error(e, _("cannot read the airing log %s for the history"), e->cfg->paths.airlog);
		return;
	}
	if (h.last_slot_s * 1000 > e->hw)
		e->hw = h.last_slot_s * 1000;
	memcpy(e->cfg_sha, h.config_sha, sizeof(e->cfg_sha));
}

/* the planner's and the emergencies' view of the history */
static void
apply_history(struct engine *e)
{
	for (int i = 0; i < e->nhist; i++) {
		const struct bulletin *b = lib_find(&e->lib, e->hist[i].id);
		if (b == NULL)
			continue;
		plan_set_last(e->plan, b->id, ordinal_of(e->hist[i].last_ms));
		for (int k = 0; k < e->nem; k++)
			if (strcmp(e->em[k].id, b->id) == 0 && e->hist[i].last_ms >= e->em[k].next_ms - 1000)
				e->em[k].next_ms = b->repeat_minutes > 0 ?
				    e->hist[i].last_ms + (long long)b->repeat_minutes * 60000 : LLONG_MAX;
	}
}

static void
setup_emergencies(struct engine *e)
{
	char inhand[MAX_EMERG][sizeof(e->em[0].id)];
	int ninhand = 0;

	/* one on air stays in hand: a library reload (a stick, a push) must not restart it */
	for (int k = 0; k < e->nem; k++)
		if (e->em[k].next_ms == LLONG_MAX - 1)
			memcpy(inhand[ninhand++], e->em[k].id, sizeof(inhand[0]));
	e->nem = 0;
	for (int i = 0; i < e->lib.n && e->nem < MAX_EMERG; i++) {
		const struct bulletin *b = &e->lib.b[i];
		long long first, end;

		if (b->level != BUL_EMERGENCY)
			continue;
		first = wall_of(b->valid_from, 0);
		if (b->imported && b->imported * 1000 > first)
			first = b->imported * 1000;
		end = wall_of(b->valid_to + 1, 0);
		if (first >= end)
			continue;
		snprintf(e->em[e->nem].id, sizeof(e->em[e->nem].id), "%s", b->id);
		e->em[e->nem].next_ms = first;
		for (int k = 0; k < ninhand; k++)
			if (strcmp(inhand[k], b->id) == 0)
				e->em[e->nem].next_ms = LLONG_MAX - 1;
		e->nem++;
	}
}

static int
load_library(struct engine *e)
{
	struct diag d;

	if (e->lib_loaded) {
		if (e->s.active) {
			if (e->nold_lib == 4) {
				e->lib_dirty = 1;	/* reload when the session ends */
				return 0;
			}
			e->old_lib[e->nold_lib++] = e->lib;
		} else
			lib_free(&e->lib);
	}
	e->lib_dirty = 0;
	diag_init(&d);
	if (lib_load(&e->lib, e->cfg->paths.library, &d) < 0) {
		memset(&e->lib, 0, sizeof(e->lib));
		e->lib.dir = strdup(e->cfg->paths.library);
	}
	for (size_t i = 0; i < d.n; i++)
		log_warnx("%s", d.msg[i]);
	diag_free(&d);
	e->lib_loaded = 1;
	plan_free(e->plan);
	e->plan = plan_new(e->cfg, &e->lib, e->chime_ms);
	setup_emergencies(e);
	if (e->plan)
		apply_history(e);
	return e->plan ? 0 : -1;
}

/*
 * The config in force, logged whole when it differs from the last one the
 * log has: reports re-derive the timetable from it, so an exported log
 * holds everything an auditor needs.
 */
static void
log_config(struct engine *e, const char *why)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[65];
	json_t *o;

	crypto_hash_sha256(h, (const unsigned char *)e->cfg->text, e->cfg->textlen);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if (strcmp(hex, e->cfg_sha) == 0)
		return;
	o = json_object();
	json_object_set_new(o, "serial", json_integer(e->cfg->serial));
	json_object_set_new(o, "sha256", json_string(hex));
	json_object_set_new(o, "why", json_string(why));
	json_object_set_new(o, "text", json_stringn(e->cfg->text, e->cfg->textlen));
	if (record(e, "config", o) == 0)
		memcpy(e->cfg_sha, hex, sizeof(hex));
}

/* --- sessions ------------------------------------------------------------ */

static void
add_step(struct session *s, enum step_kind k, long long t, long ms, int item)
{
	if (s->nsteps < MAX_STEPS)
		s->steps[s->nsteps++] = (struct step){ k, t, ms, item };
}

static void
insert_steps(struct session *s, int at, const struct step *st, int n)
{
	if (s->nsteps + n > MAX_STEPS)
		return;
	memmove(&s->steps[at + n], &s->steps[at], (size_t)(s->nsteps - at) * sizeof(*st));
	memcpy(&s->steps[at], st, (size_t)n * sizeof(*st));
	s->nsteps += n;
}

/* the audio engine's rule: the target, bounded, and no more limiting than it allows */
static double
gain_for(const struct engine *e, double lufs, double peak)
{
	return audio_gain_for(e->cfg->audio.loudness_lufs, lufs, e->cfg->audio.gain_db, peak, NULL);
}

/* builds steps for the planned items of a slot starting at start_ms */
static void
begin_session(struct engine *e, const struct sched_slot *sl, long long slot_ms, long long start_ms,
    struct plan_item *items, int n)
{
	struct session *s = &e->s;
	long gap = e->cfg->audio.gap_ms;
	long long warm = e->cfg->audio.amplifier.present ? e->cfg->audio.amplifier.warmup_ms : 0;

	memset(s, 0, sizeof(*s));
	s->active = 1;
	s->cfg = e->cfg;
	s->timed = 1;
	s->slot = *sl;
	s->slot_ms = slot_ms;
	s->end_ms = start_ms + sl->length_ms;
	s->nitems = n < MAX_ITEMS ? n : MAX_ITEMS;
	memcpy(s->items, items, (size_t)s->nitems * sizeof(*items));
	/* device first (setting it up takes time), relay warm-up before the start */
	if (start_ms - warm < now_ms(e))
		start_ms = now_ms(e) + warm;	/* late: the warm-up still comes first */
	add_step(s, ST_OPEN, 0, 0, 0);
	add_step(s, ST_WAIT, start_ms - warm, 0, 0);
	add_step(s, ST_AMP_ON, 0, 0, 0);
	add_step(s, ST_WAIT, start_ms, 0, 0);
	if (e->chime_ms > 0)
		add_step(s, ST_CHIME, 0, 0, 0);
	for (int i = 0; i < s->nitems; i++) {
		if (e->chime_ms > 0 || i > 0)
			add_step(s, ST_GAP, 0, gap, 0);
		add_step(s, ST_ITEM, 0, 0, i);
	}
	add_step(s, ST_AMP_OFF, 0, 0, 0);
	if (slot_ms > e->hw)
		e->hw = slot_ms;
}

/* a relay: the stream opened ahead, the amplifier, the start, (the chime), the stream to the end */
static void
begin_relay(struct engine *e, const struct sched_slot *sl, long long slot_ms, long long start_ms)
{
	struct session *s = &e->s;
	long long warm = e->cfg->audio.amplifier.present ? e->cfg->audio.amplifier.warmup_ms : 0;

	memset(s, 0, sizeof(*s));
	s->active = 1;
	s->cfg = e->cfg;
	s->timed = 1;
	s->relay = 1;
	s->slot = *sl;
	s->slot_ms = slot_ms;
	s->end_ms = start_ms + sl->length_ms;
	s->fb_session = *sl->session;
	s->fb_session.relay = NULL;
	s->fb_session.topics = NULL;
	s->fb_session.ntopics = 0;
	if (start_ms - warm < now_ms(e))
		start_ms = now_ms(e) + warm;
	add_step(s, ST_OPEN, 0, 0, 0);
	add_step(s, ST_WAIT, start_ms - warm, 0, 0);
	add_step(s, ST_AMP_ON, 0, 0, 0);
	add_step(s, ST_WAIT, start_ms, 0, 0);
	if (e->chime_ms > 0 && sl->session->relay->chime)
		add_step(s, ST_CHIME, 0, 0, 0);
	add_step(s, ST_RELAY, 0, 0, 0);
	add_step(s, ST_AMP_OFF, 0, 0, 0);
	if (slot_ms > e->hw)
		e->hw = slot_ms;
}

/* the relay's record: what was heard, what replaced it, why */
static void
log_relay(struct engine *e)
{
	struct session *s = &e->s;
	const struct cfg_relay *r = s->slot.session->relay;
	struct audio_stream_stats st;
	json_t *o;
	const char *outcome;

	if (!s->relay || s->relay_logged)
		return;
	s->relay_logged = 1;
	memset(&st, 0, sizeof(st));
	if (s->stream_open && e->env.player.stream_stats)
		e->env.player.stream_stats(e->env.player.h, &st);
	if (s->fb_start_ms) {
		s->fallback_ms += now_ms(e) - s->fb_start_ms;
		s->fb_start_ms = 0;
	}
	outcome = s->relay_reason ? "interrupted" : st.heard_ms == 0 ? "failed" :
	    st.dropouts > 0 || s->fallback_ms > 0 || st.dropout_ms > 2000 ? "partial" : "complete";
	o = json_object();
	json_object_set_new(o, "session", json_string(s->slot.session->id));
	json_object_set_new(o, "period", json_string(s->slot.period ? s->slot.period->id : "normal"));
	put_ts(o, "scheduled", s->slot_ms);
	put_ts(o, "slot", s->slot_ms);
	if (s->relay_start_ms)
		put_ts(o, "start", s->relay_start_ms);
	put_ts(o, "end", now_ms(e));
	json_object_set_new(o, "url", json_string(r->url));
	if (r->name)
		json_object_set_new(o, "name", json_string(r->name));
	json_object_set_new(o, "heard_ms", json_integer(st.heard_ms));
	json_object_set_new(o, "dropouts", json_integer(st.dropouts));
	json_object_set_new(o, "dropout_ms", json_integer(st.dropout_ms));
	json_object_set_new(o, "fallback", json_string(r->fallback == CFG_FALLBACK_BULLETINS ? "bulletins" : "silence"));
	json_object_set_new(o, "fallback_ms", json_integer(s->fallback_ms));
	json_object_set_new(o, "fallback_bulletins", json_integer(s->fallback_items));
	json_object_set_new(o, "connects", json_integer(st.connects));
	json_object_set_new(o, "emergencies", json_integer(s->emergencies));
	if (st.format[0])
		json_object_set_new(o, "format", json_string(st.format));
	json_object_set_new(o, "amplifier", json_string(!e->cfg->audio.amplifier.present ? "absent" :
	    s->amp ? "on" : "off"));
	json_object_set_new(o, "outcome", json_string(outcome));
	if (s->relay_reason)
		json_object_set_new(o, "reason", json_string(s->relay_reason));
	if (st.reason[0]) {	/* the stream's last fault, whatever the outcome: for the office */
		json_object_set_new(o, "stream_reason", json_string(st.reason));
		json_object_set_new(o, "stream_error", json_string(st.error));
	}
	record(e, "relay", o);
}

static void
log_airing(struct engine *e, int i, long long end_ms, const char *outcome, const char *reason)
{
	struct session *s = &e->s;
	const struct plan_item *it = &s->items[i];
	json_t *o = json_object();

	json_object_set_new(o, "session", json_string(it->emergency ? "emergency" : it->session));
	json_object_set_new(o, "period", json_string(it->period ? it->period : "normal"));
	put_ts(o, "scheduled", it->emergency ? s->item_start_ms : item_wall(it));
	if (s->timed)
		put_ts(o, "slot", s->slot_ms);
	put_ts(o, "start", s->item_start_ms);
	put_ts(o, "end", end_ms);
	json_object_set_new(o, "duration_ms", json_integer(end_ms - s->item_start_ms));
	put_bulletin(o, it->b);
	json_object_set_new(o, "gain_db", json_real(round(s->item_gain * 10) / 10));
	json_object_set_new(o, "amplifier", json_string(!e->cfg->audio.amplifier.present ? "absent" :
	    s->amp ? "on" : "off"));
	json_object_set_new(o, "outcome", json_string(outcome));
	if (reason)
		json_object_set_new(o, "reason", json_string(reason));
	if (s->relay && s->fallback[i]) {
		json_object_set_new(o, "fallback", json_true());	/* in place of the relay's stream */
		s->fallback[i] = 2;	/* aired: not again in this relay */
	}
	s->logged[i] = 1;
	record(e, "airing", o);
	e->airings++;
	if (strcmp(outcome, "failed") != 0) {
		plan_set_last(e->plan, it->b->id, ordinal_of(s->item_start_ms));
		hist_set(e, it->b->id, s->item_start_ms);
	}
	if (it->emergency)
		for (int k = 0; k < e->nem; k++)
			if (strcmp(e->em[k].id, it->b->id) == 0)
				e->em[k].next_ms = it->b->repeat_minutes > 0 ?
				    s->item_start_ms + (long long)it->b->repeat_minutes * 60000 : LLONG_MAX;
}

static void
forget_current(struct engine *e)
{
	if (e->env.current_path)
		unlink(e->env.current_path);
}

/* every item of the session not yet logged is missed for reason */
static void
miss_rest(struct engine *e, const char *reason)
{
	struct session *s = &e->s;

	for (int i = 0; i < s->nitems; i++)
		if (!s->logged[i]) {
			if (s->items[i].emergency) {
				s->logged[i] = 1;	/* it will air at the next chance */
				continue;
			}
			log_missed(e, &s->slot, s->slot_ms, &s->items[i], reason);
			s->logged[i] = 1;
		}
}

static void
end_session(struct engine *e)
{
	struct session *s = &e->s;
	char err[256];

	if (s->amp && e->env.board) {
		if (board_amp(e->env.board, 0, err, sizeof(err)) < 0)
			set_error(e, _("amplifier relay: %s"), err);
	}
	if (e->rl.on)	/* taken, never aired: the session ended first (no device) */
		log_remote(e, "failed", "the session ended before it aired");
	if (s->relay) {
		log_relay(e);
		if (s->stream_open && e->env.player.stream_close)
			e->env.player.stream_close(e->env.player.h);
		s->stream_open = 0;
	}
	s->amp = 0;
	if (s->opened)
		e->env.player.close(e->env.player.h);
	s->opened = 0;
	s->active = 0;
	forget_current(e);
	while (e->nretired > 0)
		cfg_free(e->retired[--e->nretired]);
	while (e->nold_lib > 0)
		lib_free(&e->old_lib[--e->nold_lib]);
	if (e->pending) {
		struct cfg *c = e->pending;
		e->pending = NULL;
		engine_reload(e, c);
	} else if (e->lib_dirty)
		load_library(e);
}

/* a spoken message (ingest's confirmation): relay, warm-up, the message, relay off; no record */
static void
begin_announcement(struct engine *e)
{
	struct session *s = &e->s;
	long long warm = e->cfg->audio.amplifier.present ? e->cfg->audio.amplifier.warmup_ms : 0;

	memset(s, 0, sizeof(*s));
	s->active = 1;
	s->cfg = e->cfg;
	snprintf(s->announce, sizeof(s->announce), "%s", e->announce[0]);
	memmove(e->announce[0], e->announce[1], (size_t)(--e->nannounce) * sizeof(e->announce[0]));
	add_step(s, ST_OPEN, 0, 0, 0);
	add_step(s, ST_AMP_ON, 0, 0, 0);
	add_step(s, ST_WAIT, now_ms(e) + warm, 0, 0);
	add_step(s, ST_ANNOUNCE, 0, 0, 0);
	add_step(s, ST_AMP_OFF, 0, 0, 0);
}

/* a slot: plan it, then air it (late if need be) or log it missed */
static void
handle_slot(struct engine *e, const struct sched_slot *sl, long long slot_ms, long long start_ms,
    const char *missed_reason)
{
	struct plan_item *items = malloc(MAX_ITEMS * sizeof(*items));
	int n;

	if (items == NULL)
		return;
	if (sl->session->relay) {
		free(items);
		if (missed_reason == NULL && e->env.player.stream_open == NULL)
			missed_reason = "this player cannot relay streams";
		if (missed_reason != NULL) {
			log_missed(e, sl, slot_ms, NULL, missed_reason);
			if (slot_ms > e->hw)
				e->hw = slot_ms;
			return;
		}
		begin_relay(e, sl, slot_ms, start_ms);
		return;
	}
	n = e->plan ? plan_slot(e->plan, sl, items, MAX_ITEMS, 0) : 0;
	/* emergencies are the engine's own business, not the session's */
	for (int i = 0; i < n; i++)
		if (items[i].emergency)
			memmove(&items[i], &items[i + 1], (size_t)(--n - i) * sizeof(*items)), i--;
	if (missed_reason != NULL || n == 0) {
		if (n == 0)
			log_missed(e, sl, slot_ms, NULL, missed_reason ? missed_reason : "no content");
		for (int i = 0; i < n; i++)
			log_missed(e, sl, slot_ms, &items[i], missed_reason);
		if (slot_ms > e->hw)
			e->hw = slot_ms;
		free(items);
		return;
	}
	begin_session(e, sl, slot_ms, start_ms, items, n);
	free(items);
}

/* slots of day in wall ms; count */
static int
slots_of(struct engine *e, int32_t day, struct sched_slot *sl, long long *ms)
{
	struct sched *sc;
	int n;

	if (e->plan == NULL || (sc = plan_sched(e->plan)) == NULL) {
		/* the planner makes its sched lazily; use our own for one day */
		sc = sched_new(e->cfg, day, day);
		if (sc == NULL)
			return 0;
		n = sched_day(sc, day, sl, SCHED_MAX_SLOTS);
		sched_free(sc);
	} else
		n = sched_day(sc, day, sl, SCHED_MAX_SLOTS);
	for (int i = 0; i < n; i++)
		ms[i] = wall_of(day, sl[i].start * 60000L);
	return n;
}

static const char *jstr(const json_t *, const char *);

/* a slot that aired while the clock ran ahead: never aired twice */
static int
aired_ahead(const struct engine *e, long long slot_ms)
{
	for (int i = 0; i < e->nahead; i++)
		if (e->ahead[i] == slot_ms)
			return 1;
	return 0;
}

/* the slots after `after` that the log says aired (complete or cut), into e->ahead */
static void
collect_aired_after(struct engine *e, long long after)
{
	struct airlog_iter *it;
	const char *line;
	size_t len;
	json_t *r;
	char err[256];
	int rc, cap = 0;

	free(e->ahead);
	e->ahead = NULL;
	e->nahead = 0;
	if ((it = airlog_iter_open(e->cfg->paths.airlog, err, sizeof(err))) == NULL)
		return;
	while ((rc = airlog_iter_next(it, &r, &line, &len)) != 0) {
		const char *t, *out;
		long long slot;
		if (rc != 1 || strcmp((t = jstr(r, "type")), "airing") != 0)
			continue;
		out = jstr(r, "outcome");
		if (strcmp(out, "complete") != 0 && strcmp(out, "interrupted") != 0)
			continue;
		if (date_parse_ts(jstr(r, "slot"), &slot, NULL) < 0 || slot * 1000 <= after || aired_ahead(e, slot * 1000))
			continue;
		if (e->nahead == cap) {
			long long *n = realloc(e->ahead, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*n));
			if (n == NULL)
				break;
			e->ahead = n;
		}
		e->ahead[e->nahead++] = slot * 1000;
	}
	airlog_iter_close(it);
}

/*
 * The clock reads before the latest slot handled: it ran ahead once (a
 * spoofed NTP answer, a bad RTC, date -s) and is back, or runs behind now.
 * Either way the board airs on the clock it has: the high-water mark comes
 * back to now, the jump is logged, and only the slots that really aired in
 * between are kept from airing twice; the ones the jump passed over (logged
 * missed then) air when their time comes.
 */
static void
clock_behind_log(struct engine *e, long long now)
{
	long long warm = e->cfg->audio.amplifier.present ? e->cfg->audio.amplifier.warmup_ms : 0;
	long long lead = (warm > PREPARE_MS ? warm : PREPARE_MS) + 1000;
	json_t *o;

	if (e->hw <= now + lead)
		return;
	collect_aired_after(e, now);
	o = json_object();
	json_object_set_new(o, "state", json_string("behind_log"));
	put_ts(o, "log_slot", e->hw);
	json_object_set_new(o, "aired_ahead", json_integer(e->nahead));
	json_object_set_new(o, "note", json_string("the clock reads before the latest session the log handled: it "
	    "ran ahead once; sessions air on the clock as it reads now, none twice"));
	record(e, "clock", o);
	e->hw = now - 1;
}

/* after downtime or a forward jump: what was missed, what still airs late */
static void
catch_up(struct engine *e)
{
	long long now = now_ms(e), grace = e->cfg->time.grace_minutes * 60000LL;
	struct sched_slot sl[SCHED_MAX_SLOTS];
	long long ms[SCHED_MAX_SLOTS];
	int32_t today, from;

	if (!clock_ok(e) || e->s.active)
		return;
	clock_behind_log(e, now);
	local_of(now, &today, NULL, NULL);
	if (e->hw == 0)	/* a new board: nothing before it started was planned for it */
		e->hw = wall_of_mono(e, e->start_mono) - 1;
	local_of(e->hw, &from, NULL, NULL);
	if (from < today - CATCHUP_DAYS)
		from = today - CATCHUP_DAYS;
	for (int32_t day = from; day <= today; day++) {
		int n = slots_of(e, day, sl, ms);
		for (int i = 0; i < n; i++) {
			if (ms[i] <= e->hw || ms[i] > now || aired_ahead(e, ms[i]))
				continue;
			if (now <= ms[i] + grace) {
				handle_slot(e, &sl[i], ms[i], now, NULL);	/* airs late, now */
				return;
			}
			handle_slot(e, &sl[i], ms[i], 0, e->unsynced_mono >= 0 &&
			    ms[i] >= wall_of_mono(e, e->unsynced_mono) ? "clock not trusted" :
			    e->jump_reason ? e->jump_reason : "power off");
		}
	}
}

/* the next slot after hw: its relay-on time; LLONG_MAX when none in 2 days */
static long long
next_slot(struct engine *e, struct sched_slot *out, long long *slot_ms)
{
	struct sched_slot sl[SCHED_MAX_SLOTS];
	long long ms[SCHED_MAX_SLOTS], now = now_ms(e);
	long long warm = e->cfg->audio.amplifier.present ? e->cfg->audio.amplifier.warmup_ms : 0;
	long long lead = warm > PREPARE_MS ? warm : PREPARE_MS;
	int32_t today;

	local_of(now > e->hw ? now : e->hw, &today, NULL, NULL);
	for (int32_t day = today; day <= today + 2; day++) {
		int n = slots_of(e, day, sl, ms);
		for (int i = 0; i < n; i++)
			if (ms[i] > e->hw && ms[i] >= now - 1000 && !aired_ahead(e, ms[i])) {
				if (out)
					*out = sl[i];
				if (slot_ms)
					*slot_ms = ms[i];
				return ms[i] - (sl[i].session->relay && lead < RELAY_PREPARE_MS ? RELAY_PREPARE_MS : lead);
			}
	}
	return LLONG_MAX;
}

static long long
next_emergency(struct engine *e)
{
	long long t = LLONG_MAX;

	for (int i = 0; i < e->nem; i++)
		if (e->em[i].next_ms < t)
			t = e->em[i].next_ms;
	return t;
}

static long long
next_midnight(struct engine *e)
{
	int32_t day;

	local_of(now_ms(e), &day, NULL, NULL);
	return wall_of(day + 1, 0);
}

/* --- the player ---------------------------------------------------------- */

/*
 * What is on air, noted (fsynced) before it starts: the session's planned
 * items and which one airs. A restart that finds it logs that one as
 * interrupted and the ones after it as missed: a kill -9 or a power cut
 * never makes an airing vanish from the log.
 */
static void
note_current(struct engine *e, int item)
{
	struct session *s = &e->s;
	json_t *o, *a;
	char *text;

	if (e->env.current_path == NULL)
		return;
	o = json_object();
	json_object_set_new(o, "item", json_integer(item));
	put_ts(o, "start", s->item_start_ms);
	json_object_set_new(o, "timed", json_boolean(s->timed));
	put_ts(o, "slot", s->slot_ms);
	json_object_set_new(o, "gain_db", json_real(s->item_gain));
	a = json_array();
	for (int i = 0; i < s->nitems; i++) {
		json_t *it = json_object();
		const struct plan_item *pi = &s->items[i];
		json_object_set_new(it, "session", json_string(pi->emergency ? "emergency" : pi->session));
		json_object_set_new(it, "period", json_string(pi->period ? pi->period : "normal"));
		put_ts(it, "scheduled", pi->emergency ? s->item_start_ms : item_wall(pi));
		put_bulletin(it, pi->b);
		json_object_set_new(it, "logged", json_boolean(s->logged[i]));
		json_array_append_new(a, it);
	}
	json_object_set_new(o, "items", a);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text == NULL || durable_atomic(e->env.current_path, text, strlen(text), 0600) < 0)
		set_error(e, _("cannot note the airing in %s"), e->env.current_path);
	free(text);
}

/* a string member, "" when it is missing or not a string */
static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/*
 * A session cut by a crash or a power cut whose time is not over: its slot,
 * found again in today's plan (same start, same session), or -1. The rest of
 * it then airs now (the cut bulletin again, whole) instead of being missed.
 */
static int
resumable(struct engine *e, const char *slot, const char *session, struct sched_slot *out, long long *slot_ms)
{
	struct sched_slot sl[SCHED_MAX_SLOTS];
	long long ms[SCHED_MAX_SLOTS], t, now = now_ms(e);
	int32_t day;
	int n;

	if (slot == NULL || !clock_ok(e) || date_parse_ts(slot, &t, NULL) < 0)
		return -1;
	t *= 1000;
	local_of(t, &day, NULL, NULL);
	n = slots_of(e, day, sl, ms);
	for (int i = 0; i < n; i++)
		if (ms[i] == t && strcmp(sl[i].session->id, session) == 0 && now + 1000 < t + sl[i].length_ms) {
			*out = sl[i];
			*slot_ms = t;
			return 0;
		}
	return -1;
}

/* at start: a bulletin that was on air when the daemon died */
static void
recover_current(struct engine *e)
{
	json_error_t je;
	json_t *o, *items, *it;
	const char *start, *slot;
	struct plan_item *rest = NULL;
	struct sched_slot rsl;
	long long rslot_ms = 0;
	int nrest = 0, resume = 0;
	size_t i;
	long long idx;

	if (e->env.current_path == NULL || (o = json_load_file(e->env.current_path, 0, &je)) == NULL)
		return;
	items = json_object_get(o, "items");
	idx = json_integer_value(json_object_get(o, "item"));
	start = json_string_value(json_object_get(o, "start"));
	slot = json_string_value(json_object_get(o, "slot"));
	if (json_is_true(json_object_get(o, "timed")) && idx >= 0 && (size_t)idx < json_array_size(items) &&
	    resumable(e, slot, jstr(json_array_get(items, (size_t)idx), "session"), &rsl, &rslot_ms) == 0 && (rest = calloc(MAX_ITEMS, sizeof(*rest))) != NULL)
		resume = 1;
	json_array_foreach(items, i, it) {
		static const char *const bul[] = { "bulletin", "title", "topic", "level", "source", "sha256" };
		int cut = (long long)i == idx;
		const struct bulletin *b;
		json_t *r;

		if ((long long)i < idx || json_is_true(json_object_get(it, "logged")))
			continue;
		/* the session goes on: the cut one again and the ones after it, if still in the library */
		if (resume && nrest < MAX_ITEMS && strcmp(jstr(it, "session"), "emergency") != 0 &&
		    (b = lib_find(&e->lib, jstr(it, "bulletin"))) != NULL && strcmp(b->sha256, jstr(it, "sha256")) == 0) {
			struct plan_item *pi = &rest[nrest++];
			long long sched = 0;
			date_parse_ts(jstr(it, "scheduled"), &sched, NULL);
			local_of(sched * 1000, &pi->day, &pi->start_ms, NULL);
			pi->dur_ms = b->duration_ms;
			pi->b = b;
			pi->session = rsl.session->id;
			pi->period = rsl.period ? rsl.period->id : "normal";
			pi->slot = rsl;
			if (!cut)
				continue;
		}
		/* the same fields, in the same order, as a live airing or missed record */
		r = json_object();
		json_object_set(r, "session", json_object_get(it, "session"));
		json_object_set(r, "period", json_object_get(it, "period"));
		json_object_set(r, "scheduled", json_object_get(it, "scheduled"));
		if (json_is_true(json_object_get(o, "timed")) && slot)
			json_object_set_new(r, "slot", json_string(slot));
		if (cut) {
			/* when it stopped is not known: no airtime is claimed for it */
			json_object_set_new(r, "start", json_string(start ? start : ""));
			json_object_set_new(r, "end", json_string(start ? start : ""));
			json_object_set_new(r, "duration_ms", json_integer(0));
		}
		for (size_t k = 0; k < sizeof(bul) / sizeof(bul[0]); k++)
			json_object_set(r, bul[k], json_object_get(it, bul[k]));
		if (cut) {
			json_object_set(r, "gain_db", json_object_get(o, "gain_db"));
			json_object_set_new(r, "amplifier", json_string(e->cfg->audio.amplifier.present ? "on" : "absent"));
			json_object_set_new(r, "outcome", json_string("interrupted"));
			json_object_set_new(r, "reason", json_string("loaxad stopped while it aired (power cut or crash); "
			    "how much aired is not known"));
			record(e, "airing", r);
			e->airings++;
		} else {
			json_object_set_new(r, "reason", json_string("power off"));
			record(e, "missed", r);
			e->missed++;
		}
	}
	if (slot && json_is_true(json_object_get(o, "timed"))) {
		long long t;
		if (date_parse_ts(slot, &t, NULL) == 0 && t * 1000 > e->hw)
			e->hw = t * 1000;	/* that session was handled: never air it again from the start */
	}
	json_decref(o);
	forget_current(e);
	if (nrest > 0) {
		/* late, as a session trusted late airs: what no longer fits is logged "no time left" */
		begin_session(e, &rsl, rslot_ms, now_ms(e), rest, nrest);
		e->s.end_ms = rslot_ms + rsl.length_ms;
	}
	free(rest);
}

static int
start_step(struct engine *e)
{
	struct session *s = &e->s;
	struct step *st = &s->steps[s->cur];
	char err[256], *path;
	const struct bulletin *b;
	int r = 0;

	switch (st->k) {
	case ST_CHIME:
		r = e->env.player.start_file(e->env.player.h, e->cfg->audio.chime, e->chime_ms,
		    gain_for(e, e->chime_lufs, NAN), err, sizeof(err));
		if (r < 0) {
			set_error(e, _("chime: %s"), err);
			return 1;	/* skip it; the bulletins matter more */
		}
		break;
	case ST_GAP:
		r = e->env.player.start_silence(e->env.player.h, st->ms);
		break;
	case ST_ANNOUNCE: {
		long ms = 0;
		double lufs = e->cfg->audio.loudness_lufs;
		if (e->env.measure && e->env.measure(s->announce, &ms, &lufs) < 0) {
			set_error(e, _("announcement %s cannot be played"), s->announce);
			unlink(s->announce);
			return 1;
		}
		r = e->env.player.start_file(e->env.player.h, s->announce, ms, gain_for(e, lufs, NAN), err,
		    sizeof(err));
		if (r < 0) {
			set_error(e, _("announcement: %s"), err);
			unlink(s->announce);
			return 1;
		}
		break;
	}
	case ST_LIVE:
		if (!e->live_on || e->env.player.live_open == NULL)
			return 1;	/* released before it began */
		if (!e->live_mic) {
			if (e->env.player.live_open(e->env.player.h, e->cfg->live.device, e->cfg->audio.loudness_lufs, err,
			    sizeof(err)) < 0) {
				set_error(e, _("live announcement: %s"), err);
				log_live(e, "failed", err);
				e->live_on = 0;
				return 1;
			}
			e->live_mic = 1;
		}
		if (!e->live_start_ms)
			e->live_start_ms = now_ms(e);
		r = e->env.player.start_live(e->env.player.h, e->cfg->live.max_minutes * 60000L -
		    (long)(now_ms(e) - e->live_start_ms), err, sizeof(err));
		if (r < 0) {
			set_error(e, _("live announcement: %s"), err);
			log_live(e, "failed", err);
			e->live_on = 0;
			return 1;
		}
		break;
	case ST_RLIVE: {
		long left;
		if (!e->rl.on)
			return 1;	/* ended before it began */
		if (!e->rl.start_ms) {
			e->rl.start_ms = now_ms(e);
			if (e->env.on_remote)
				e->env.on_remote(e->env.on_remote_arg, e->rl.id, "airing", e->rl.start_ms, NULL, NULL);
		}
		left = e->rl.max_ms - (long)(now_ms(e) - e->rl.start_ms);
		if (left < 500) {
			log_remote(e, "complete", "the longest this live may last (max_minutes of the command)");
			return 1;
		}
		r = e->env.player.start_remote(e->env.player.h, left, err, sizeof(err));
		if (r < 0) {
			set_error(e, _("remote live %s: %s"), e->rl.id, err);
			log_remote(e, "failed", err);
			return 1;
		}
		break;
	}
	case ST_RELAY: {
		long ms = (long)(s->end_ms - now_ms(e));
		if (ms < 500)
			return 1;	/* the slot is over (a long emergency, a long fallback) */
		if (s->fb_start_ms) {
			s->fallback_ms += now_ms(e) - s->fb_start_ms;
			s->fb_start_ms = 0;
		}
		if (!s->relay_start_ms)
			s->relay_start_ms = now_ms(e);
		r = e->env.player.start_stream(e->env.player.h, ms, err, sizeof(err));
		if (r < 0) {
			set_error(e, _("relay %s: %s"), s->slot.session->id, err);
			return 1;
		}
		break;
	}
	case ST_ITEM:
		b = s->items[st->item].b;
		/* a fallback bulletin: when the stream is back, back to the stream */
		if (s->relay && s->fallback[st->item] && e->env.player.stream_down_ms(e->env.player.h) == 0) {
			for (int j = s->cur; j < s->nsteps; j++) {
				if (s->steps[j].k == ST_ITEM)
					s->logged[s->steps[j].item] = 1;	/* a candidate, never due: no record */
				if (s->steps[j].k == ST_RELAY) {
					s->cur = j - 1;
					break;
				}
			}
			return 1;
		}
		/* it must still fit: a late start or an emergency may have used the time */
		if (s->timed && !s->items[st->item].emergency && now_ms(e) + b->duration_ms > s->end_ms + 1000) {
			log_missed(e, &s->slot, s->slot_ms, &s->items[st->item], "no time left");
			s->logged[st->item] = 1;
			return 1;
		}
		path = lib_audio_path(&e->lib, b);
		s->item_start_ms = now_ms(e);
		note_current(e, st->item);
		s->item_gain = gain_for(e, b->loudness_lufs, b->true_peak_db);
		r = path ? e->env.player.start_file(e->env.player.h, path, b->duration_ms, s->item_gain, err,
		    sizeof(err)) : -1;
		free(path);
		if (r < 0) {
			log_airing(e, st->item, now_ms(e), "failed", err);
			set_error(e, _("bulletin %s failed: %s"), b->id, err);
			return 1;
		}
		break;
	default:
		return 1;
	}
	if (r < 0)
		return 1;
	s->started = 1;
	return 0;
}

/* the current step ended (or was skipped): move on */
static void
step_done(struct engine *e, enum engine_play how, const char *err)
{
	struct session *s = &e->s;
	struct step *st = &s->steps[s->cur];

	if (s->started && st->k == ST_ANNOUNCE)
		unlink(s->announce);
	if (s->started && st->k == ST_LIVE && e->live_start_ms) {
		log_live(e, how == ENGINE_DONE ? "complete" : "failed", how == ENGINE_DONE ?
		    "the longest a live announcement may last (live.max_minutes)" : err);
		e->live_on = 0;
	}
	if (s->started && st->k == ST_RLIVE && e->rl.on)
		log_remote(e, how == ENGINE_DONE ? "complete" : "failed", how == ENGINE_DONE ?
		    "the longest this live may last (max_minutes of the command)" : err);
	if (s->started && st->k == ST_ITEM) {
		if (how == ENGINE_DONE)
			log_airing(e, st->item, now_ms(e), "complete", NULL);
		else
			log_airing(e, st->item, now_ms(e), "failed", err);
	}
	if (how == ENGINE_FAILED) {
		set_error(e, _("audio device failed: %s"), err ? err : "?");
		/* the device is gone: close it; what is left of the session is missed */
		if (s->opened)
			e->env.player.close(e->env.player.h);
		s->opened = 0;
		miss_rest(e, "no audio device");
		s->cur = s->nsteps - 1;	/* relay off */
		s->started = 0;
		return;
	}
	s->started = 0;
	s->cur++;
}

/* the first file the session plays: the chime, or the first bulletin (malloc'd or NULL) */
static char *
first_file(struct engine *e)
{
	struct session *s = &e->s;

	for (int i = s->cur; i < s->nsteps; i++) {
		switch (s->steps[i].k) {
		case ST_CHIME:
			return strdup(e->cfg->audio.chime);
		case ST_ANNOUNCE:
			return strdup(s->announce);
		case ST_ITEM:
			return lib_audio_path(&e->lib, s->items[s->steps[i].item].b);
		default:
			break;
		}
	}
	return NULL;
}

/* advances the session as far as it goes without waiting */
static void
run_session(struct engine *e)
{
	struct session *s = &e->s;
	char err[256];

	while (s->active && !s->started && s->cur < s->nsteps) {
		struct step *st = &s->steps[s->cur];

		switch (st->k) {
		case ST_OPEN:
			if (!s->opened) {
				char *first = first_file(e);
				int r = e->env.player.open(e->env.player.h, first, err, sizeof(err));
				free(first);
				if (r < 0) {
					char reason[300];
					snprintf(reason, sizeof(reason), "no audio device: %s", err);
					set_error(e, _("audio device: %s"), err);
					miss_rest(e, reason);
					if (s->relay) {
						log_missed(e, &s->slot, s->slot_ms, NULL, reason);
						s->relay_logged = 1;
					}
					end_session(e);
					return;
				}
				s->opened = 1;
			}
			if (s->relay && !s->stream_open) {
				const struct cfg_relay *rl = s->slot.session->relay;
				if (e->env.player.stream_open(e->env.player.h, rl->url, e->cfg->audio.loudness_lufs, rl->silence_db,
				    rl->silence_seconds * 1000L, err, sizeof(err)) < 0) {
					char reason[300];
					snprintf(reason, sizeof(reason), "relay: %s", err);
					set_error(e, _("relay %s: %s"), s->slot.session->id, err);
					log_missed(e, &s->slot, s->slot_ms, NULL, reason);
					s->relay_logged = 1;
					end_session(e);
					return;
				}
				s->stream_open = 1;
			}
			s->cur++;
			break;
		case ST_AMP_ON:
			if (e->env.board && board_amp(e->env.board, 1, err, sizeof(err)) < 0)
				set_error(e, _("amplifier relay: %s"), err);
			else
				s->amp = e->env.board != NULL || e->env.virtual_relay;
			s->cur++;
			break;
		case ST_WAIT:
			if (now_ms(e) < st->t)
				return;
			s->cur++;
			break;
		case ST_AMP_OFF:
			end_session(e);
			return;
		default:
			if (start_step(e) != 0)
				s->cur++;
			break;
		}
	}
	if (s->active && s->cur >= s->nsteps)
		end_session(e);
}

/* an emergency is due: cut in, or start a session of its own */
static void
emergency(struct engine *e, int k)
{
	const struct bulletin *b = lib_find(&e->lib, e->em[k].id);
	struct session *s = &e->s;
	struct plan_item it;
	struct step st[3];
	int32_t day;
	long msday;

	if (b == NULL || s->nitems >= MAX_ITEMS) {
		e->em[k].next_ms = LLONG_MAX;
		return;
	}
	e->em[k].next_ms = LLONG_MAX - 1;	/* in hand; log_airing sets the repeat */
	local_of(now_ms(e), &day, &msday, NULL);
	memset(&it, 0, sizeof(it));
	it.day = day;
	it.start_ms = msday;
	it.dur_ms = b->duration_ms;
	it.b = b;
	it.session = "emergency";
	it.emergency = 1;
	it.period = NULL;
	{
		struct sched *sc = plan_sched(e->plan);
		const struct cfg_period *p = sc ? sched_first_active(sc, day) : NULL;
		it.period = p ? p->id : "normal";
	}
	if (!s->active) {
		struct sched_slot none;
		memset(&none, 0, sizeof(none));
		begin_session(e, &none, 0, now_ms(e), &it, 1);
		s->timed = 0;
		return;
	}
	/* cut what airs now */
	if (s->started) {
		struct step *cur = &s->steps[s->cur];
		e->env.player.stop(e->env.player.h);
		if (cur->k == ST_ITEM) {
			char why[128];
			snprintf(why, sizeof(why), "emergency %s", b->id);
			log_airing(e, cur->item, now_ms(e), "interrupted", why);
		}
		s->started = 0;
		if (cur->k == ST_RELAY)
			s->emergencies++;	/* the stream resumes after it: the step stays */
		else if (cur->k == ST_RLIVE)
			;			/* so does a remote live's */
		else if (cur->k == ST_LIVE) {
			char why[128];
			snprintf(why, sizeof(why), "emergency %s", b->id);
			log_live(e, "interrupted", why);	/* the microphone again after it, if still held */
		} else
			s->cur++;
	}
	s->items[s->nitems] = it;
	st[0] = (struct step){ ST_GAP, 0, e->cfg->audio.gap_ms, 0 };
	st[1] = (struct step){ ST_ITEM, 0, 0, s->nitems };
	st[2] = (struct step){ ST_GAP, 0, e->cfg->audio.gap_ms, 0 };
	s->nitems++;
	/* before the relay is on and the device open, the emergency goes after them */
	{
		int at = s->cur;
		while (at < s->nsteps && (s->steps[at].k == ST_OPEN || s->steps[at].k == ST_AMP_ON ||
		    s->steps[at].k == ST_WAIT))
			at++;
		/* no waiting for the session's start: the relay's warm-up only */
		for (int i = s->cur; i < at; i++)
			if (s->steps[i].k == ST_WAIT)
				s->steps[i].t = s->steps[i].t > now_ms(e) ? now_ms(e) : s->steps[i].t;
		if (!s->amp && e->cfg->audio.amplifier.present) {
			struct step w = { ST_WAIT, now_ms(e) + e->cfg->audio.amplifier.warmup_ms, 0, 0 };
			insert_steps(s, at, &w, 1);
			at++;
		}
		insert_steps(s, at, st, 3);
	}
}

/* the live announcement's record; the microphone closed */
static void
log_live(struct engine *e, const char *outcome, const char *reason)
{
	json_t *o = json_object();
	long long now = now_ms(e), heard = 0;

	if (e->live_mic && e->env.player.live_heard_ms)
		heard = e->env.player.live_heard_ms(e->env.player.h);
	json_object_set_new(o, "source", json_string("local"));
	json_object_set_new(o, "by", json_string(e->live_by));
	put_ts(o, "start", e->live_start_ms ? e->live_start_ms : now);
	put_ts(o, "end", now);
	json_object_set_new(o, "duration_ms", json_integer(e->live_start_ms ? now - e->live_start_ms : 0));
	json_object_set_new(o, "heard_ms", json_integer(heard));
	json_object_set_new(o, "device", json_string(e->cfg->live.device ? e->cfg->live.device : ""));
	if (e->live_during[0])
		json_object_set_new(o, "during", json_string(e->live_during));
	json_object_set_new(o, "amplifier", json_string(!e->cfg->audio.amplifier.present ? "absent" :
	    e->s.amp ? "on" : "off"));
	json_object_set_new(o, "outcome", json_string(outcome));
	if (reason)
		json_object_set_new(o, "reason", json_string(reason));
	record(e, "live", o);
	if (e->live_mic && e->env.player.live_close)
		e->env.player.live_close(e->env.player.h);
	e->live_mic = 0;
	e->live_start_ms = 0;
	e->live_during[0] = '\0';
}

/* a live announcement outside any session: amplifier, warm-up, the microphone, amplifier off */
static void
begin_live(struct engine *e, enum step_kind k)
{
	struct session *s = &e->s;
	long long warm = e->cfg->audio.amplifier.present ? e->cfg->audio.amplifier.warmup_ms : 0;

	memset(s, 0, sizeof(*s));
	s->active = 1;
	s->cfg = e->cfg;
	add_step(s, ST_OPEN, 0, 0, 0);
	add_step(s, ST_AMP_ON, 0, 0, 0);
	add_step(s, ST_WAIT, now_ms(e) + warm, 0, 0);
	add_step(s, k, 0, 0, 0);
	add_step(s, ST_AMP_OFF, 0, 0, 0);
}

/*
 * A relay whose stream has been down for fallback_after: bulletins planned
 * for the time left, as a session of all topics by the relay's id would
 * have them (least recently aired first), then the stream again. Each is
 * skipped once the stream is back (start_step), so the relay returns at
 * a bulletin's end. Nothing fits, or no bulletin: the stream's silence
 * goes on, and the planner is asked again a minute later.
 */
static void
relay_check(struct engine *e)
{
	struct session *s = &e->s;
	const struct cfg_relay *r;
	struct plan_item *items;
	struct sched_slot sl;
	struct step st[2 * 32];
	long long now = now_ms(e);
	int32_t day;
	long msday;
	int n, ns = 0;

	if (!s->active || !s->relay || !s->started || s->steps[s->cur].k != ST_RELAY)
		return;
	r = s->slot.session->relay;
	/* a stream down for 2 s: the status says why, once per reason */
	if (e->env.player.stream_stats && e->env.player.stream_down_ms(e->env.player.h) >= 2000) {
		struct audio_stream_stats ss;
		e->env.player.stream_stats(e->env.player.h, &ss);
		if (ss.reason[0] && strcmp(ss.reason, s->said) != 0) {
			snprintf(s->said, sizeof(s->said), "%s", ss.reason);
			set_error(e, _("relay %s: %s (%s)"), s->slot.session->id, ss.error[0] ? ss.error : ss.reason, ss.reason);
		}
	}
	if (r->fallback != CFG_FALLBACK_BULLETINS || now < s->nofill_until || e->plan == NULL ||
	    e->env.player.stream_down_ms(e->env.player.h) < r->fallback_after * 1000LL)
		return;
	if ((items = malloc(32 * sizeof(*items))) == NULL)
		return;
	local_of(now, &day, &msday, NULL);
	sl = s->slot;
	sl.session = &s->fb_session;
	sl.day = day;
	sl.start = (int)(msday / 60000);
	sl.length_ms = (long)(s->end_ms - now) + msday % 60000;
	n = plan_slot(e->plan, &sl, items, 32, 0);
	for (int i = 0; i < n && s->nitems < MAX_ITEMS; i++) {
		int again = 0;
		if (items[i].emergency)
			continue;
		for (int k = 0; k < s->nitems; k++)	/* once per relay, as once per session */
			if (s->fallback[k] == 2 && s->items[k].b == items[i].b)
				again = 1;
		if (again)
			continue;
		s->items[s->nitems] = items[i];
		s->fallback[s->nitems] = 1;
		st[ns++] = (struct step){ ST_GAP, 0, e->cfg->audio.gap_ms, 0 };
		st[ns++] = (struct step){ ST_ITEM, 0, 0, s->nitems };
		s->nitems++;
		s->fallback_items++;
	}
	free(items);
	if (ns == 0) {
		s->nofill_until = now + RELAY_NOFILL_MS;
		return;
	}
	e->env.player.stop(e->env.player.h);
	s->started = 0;
	insert_steps(s, s->cur, st, ns);	/* before the stream's step, which comes back after them */
	s->fb_start_ms = now;
}

/*
 * The remote live's record: the stream's URL as its source, who asked (the
 * sender the command names, the key that signed it), what was heard; the
 * stream closed, the fleet told.
 */
static void
log_remote(struct engine *e, const char *outcome, const char *reason)
{
	struct audio_stream_stats ss;
	json_t *o;
	long long now = now_ms(e), start;
	char id[sizeof(e->rl.id)], why[512];

	if (!e->rl.on)
		return;
	memset(&ss, 0, sizeof(ss));
	if (e->rl.open && e->env.player.remote_stats)
		e->env.player.remote_stats(e->env.player.h, &ss);
	if (strcmp(outcome, "complete") == 0 && ss.heard_ms == 0) {
		/* ended, but nothing of the stream was heard */
		snprintf(why, sizeof(why), "%s; nothing of the stream was heard%s%s", reason ? reason : "",
		    ss.error[0] ? ": " : "", ss.error);
		outcome = "failed";
		reason = why;
	}
	o = json_object();
	json_object_set_new(o, "source", json_string(e->rl.url));
	json_object_set_new(o, "by", json_string(e->rl.by));
	json_object_set_new(o, "key", json_string(e->rl.key));
	json_object_set_new(o, "command", json_string(e->rl.id));
	json_object_set_new(o, "level", json_string(e->rl.emergency ? "emergency" : "priority"));
	put_ts(o, "start", e->rl.start_ms ? e->rl.start_ms : now);
	put_ts(o, "end", now);
	json_object_set_new(o, "duration_ms", json_integer(e->rl.start_ms ? now - e->rl.start_ms : 0));
	json_object_set_new(o, "heard_ms", json_integer(ss.heard_ms));
	json_object_set_new(o, "dropouts", json_integer(ss.dropouts));
	json_object_set_new(o, "connects", json_integer(ss.connects));
	if (ss.reason[0])
		json_object_set_new(o, "stream_reason", json_string(ss.reason));
	if (e->rl.during[0])
		json_object_set_new(o, "during", json_string(e->rl.during));
	json_object_set_new(o, "amplifier", json_string(!e->cfg->audio.amplifier.present ? "absent" :
	    e->s.amp ? "on" : "off"));
	json_object_set_new(o, "outcome", json_string(outcome));
	if (reason)
		json_object_set_new(o, "reason", json_string(reason));
	record(e, "live", o);
	if (e->rl.open && e->env.player.remote_close)
		e->env.player.remote_close(e->env.player.h);
	memcpy(id, e->rl.id, sizeof(id));
	start = e->rl.start_ms;
	memset(&e->rl, 0, sizeof(e->rl));
	if (e->env.on_remote)
		e->env.on_remote(e->env.on_remote_arg, id, "ended", start, outcome, reason);
}

/* a remote live whose stream has been without audio for gone_ms: it ended */
static void
remote_check(struct engine *e)
{
	struct session *s = &e->s;
	struct audio_stream_stats ss;
	char why[512];

	if (!e->rl.on || !s->active || !s->started || s->steps[s->cur].k != ST_RLIVE ||
	    e->env.player.remote_down_ms(e->env.player.h) < e->rl.gone_ms)
		return;
	memset(&ss, 0, sizeof(ss));
	e->env.player.remote_stats(e->env.player.h, &ss);
	snprintf(why, sizeof(why), "the stream ended or was lost for %ld s%s%s", e->rl.gone_ms / 1000,
	    ss.error[0] ? ": " : "", ss.error);
	e->env.player.stop(e->env.player.h);
	s->started = 0;
	s->cur++;
	log_remote(e, "complete", why);
}

/* --- the API ------------------------------------------------------------- */

struct engine *
engine_new(struct cfg *c, const struct engine_env *env, char *err, size_t errlen)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (e == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	e->cfg = c;
	e->prep_hw = -1;
	e->env = *env;
	setenv("TZ", c->time.zone, 1);
	tzset();
	return e;
}

const struct cfg *
engine_cfg(const struct engine *e)
{
	return e->cfg;
}

int
engine_start(struct engine *e)
{
	json_t *o;

	e->synced = e->env.clock.synced(e->env.clock.h);
	e->start_mono = mono_ms(e);
	e->unsynced_mono = clock_ok(e) ? -1 : e->start_mono;
	measure_chime(e);
	read_history(e);
	load_library(e);
	local_of(now_ms(e), &e->day, NULL, NULL);
	o = json_object();
	json_object_set_new(o, "version", json_string(LOAXA_VERSION));
	json_object_set_new(o, "config_serial", json_integer(e->cfg->serial));
	json_object_set_new(o, "bulletins", json_integer(e->lib.n));
	record(e, "boot", o);
	log_config(e, "in force at start");
	recover_current(e);
	if (!clock_ok(e)) {
		o = json_object();
		json_object_set_new(o, "state", json_string("unsynced"));
		json_object_set_new(o, "note", json_string("timed sessions wait until the clock is trusted"));
		record(e, "clock", o);
	}
	catch_up(e);
	run_session(e);
	return 0;
}

/* while a session airs: when the next slot's relay stream is to be opened (LLONG_MAX: not now, or done) */
static long long
prepare_at(struct engine *e)
{
	if (!e->s.active || !e->env.player.stream_prepare || !clock_ok(e))
		return LLONG_MAX;
	if (e->prep_hw != e->hw) {
		long long t = next_slot(e, &e->prep_sl, &e->prep_slot);
		e->prep_at = t != LLONG_MAX && e->prep_sl.session->relay ? t : LLONG_MAX;
		e->prep_hw = e->hw;
	}
	return e->prep_slot == e->prep_done ? LLONG_MAX : e->prep_at;
}

/*
 * Two relays back to back (the national news, then the province's station
 * on the minute it ends): the second's stream is opened RELAY_PREPARE_MS
 * ahead as if the first were not on air, so that it starts on time too.
 * A failure here is no fault yet: the relay's own opening tries again.
 */
static void
prepare_next(struct engine *e)
{
	const struct cfg_relay *r;
	char err[256];

	if (prepare_at(e) > now_ms(e))
		return;
	r = e->prep_sl.session->relay;
	e->prep_done = e->prep_slot;
	if (e->env.player.stream_prepare(e->env.player.h, r->url, e->cfg->audio.loudness_lufs, r->silence_db,
	    r->silence_seconds * 1000L, err, sizeof(err)) < 0)
		set_error(e, _("relay %s: %s"), e->prep_sl.session->id, err);
}

long long
engine_deadline(struct engine *e)
{
	long long t = LLONG_MAX, x;

	if (e->stopped)
		return LLONG_MAX;
	if (e->s.active) {
		struct step *st = &e->s.steps[e->s.cur];
		if (e->s.started) {
			x = e->env.player.deadline_ms ? e->env.player.deadline_ms(e->env.player.h) : -1;
			if (x >= 0)
				t = x;
			/* a relay with a fallback: its stream is looked at every second */
			if (e->s.relay && st->k == ST_RELAY && e->s.slot.session->relay->fallback == CFG_FALLBACK_BULLETINS &&
			    now_ms(e) + 1000 < t)
				t = now_ms(e) + 1000;
			/* a remote live: its stream is looked at every second (gone: it ends) */
			if (st->k == ST_RLIVE && now_ms(e) + 1000 < t)
				t = now_ms(e) + 1000;
		} else if (e->s.cur < e->s.nsteps && st->k == ST_WAIT)
			t = st->t;
	} else {
		if (clock_ok(e))
			t = next_slot(e, NULL, NULL);
		if (e->nannounce > 0)
			t = now_ms(e);
	}
	if ((x = next_emergency(e)) < t)
		t = x;
	if ((x = next_midnight(e)) < t)
		t = x;
	if ((x = prepare_at(e)) < t)
		t = x;
	return t;
}

int
engine_pollfds(struct engine *e, struct pollfd *pfd, int max)
{
	if (!e->s.active || !e->s.started)
		return 0;
	return e->env.player.pollfds(e->env.player.h, pfd, max);
}

void
engine_service(struct engine *e, struct pollfd *pfd, int n)
{
	char err[256] = "";
	enum engine_play r;

	if (!e->s.active || !e->s.started)
		return;
	r = e->env.player.service(e->env.player.h, pfd, n, err, sizeof(err));
	if (r == ENGINE_PLAYING) {
		relay_check(e);
		remote_check(e);
		run_session(e);
		return;
	}
	step_done(e, r, err);
	run_session(e);
}

static void
check_clock(struct engine *e)
{
	int synced = e->env.clock.synced(e->env.clock.h);
	json_t *o;

	if (synced == e->synced)
		return;
	e->synced = synced;
	o = json_object();
	json_object_set_new(o, "state", json_string(synced ? "synced" : "unsynced"));
	record(e, "clock", o);
	if (!clock_ok(e)) {
		if (e->unsynced_mono < 0)
			e->unsynced_mono = mono_ms(e);
	} else {
		catch_up(e);
		e->unsynced_mono = -1;
	}
}

void
engine_run(struct engine *e)
{
	long long now;
	int32_t day;

	if (e->stopped)
		return;
	check_clock(e);
	now = now_ms(e);
	local_of(now, &day, NULL, NULL);
	if (day > e->day) {
		e->day = day;
		if (!e->s.active)
			load_library(e);	/* bulletins expire and start by the day */
	}
	/* a virtual player's item may have ended */
	if (e->s.active && e->s.started && e->env.player.deadline_ms &&
	    e->env.player.deadline_ms(e->env.player.h) >= 0 && e->env.player.deadline_ms(e->env.player.h) <= now) {
		char err[256] = "";
		enum engine_play r = e->env.player.service(e->env.player.h, NULL, 0, err, sizeof(err));
		if (r != ENGINE_PLAYING)
			step_done(e, r, err);
	}
	relay_check(e);
	remote_check(e);
	for (int k = 0; k < e->nem; k++)
		if (e->em[k].next_ms <= now) {
			const struct bulletin *b = lib_find(&e->lib, e->em[k].id);
			if (b && now >= wall_of(b->valid_to + 1, 0)) {
				e->em[k].next_ms = LLONG_MAX;
				continue;
			}
			emergency(e, k);
		}
	if (!e->s.active && clock_ok(e)) {
		struct sched_slot sl;
		long long slot_ms;
		if (next_slot(e, &sl, &slot_ms) <= now)
			handle_slot(e, &sl, slot_ms, slot_ms, NULL);
	}
	if (!e->s.active && e->nannounce > 0)
		begin_announcement(e);
	run_session(e);
	prepare_next(e);
}

int
engine_live_state(const struct engine *e)
{
	return e->live_on;
}

/*
 * A live step (k: ST_LIVE the microphone, ST_RLIVE a remote live) airs now:
 * outside a session, a session of its own; in one, what airs pauses (a cut
 * bulletin is logged interrupted for why and airs again after it if its
 * session has time; a relay or another live resumes); before a session
 * began, first after the amplifier's warm-up. during: the session cut.
 */
static void
cut_in(struct engine *e, enum step_kind k, const char *why, char *during, size_t duringlen)
{
	struct session *s = &e->s;
	struct step st[3];
	int n = 0;

	if (!s->active) {
		during[0] = '\0';
		begin_live(e, k);
		run_session(e);
		return;
	}
	snprintf(during, duringlen, "%s", s->slot.session ? s->slot.session->id : s->timed ? "" : "emergency");
	st[n++] = (struct step){ k, 0, 0, 0 };
	if (s->started) {
		struct step *cur = &s->steps[s->cur];
		e->env.player.stop(e->env.player.h);
		s->started = 0;
		if (cur->k == ST_ITEM) {
			/* cut: logged so, and again after the live if the session has time for it */
			int i = cur->item;
			log_airing(e, i, now_ms(e), "interrupted", why);
			if (s->nitems < MAX_ITEMS) {
				s->items[s->nitems] = s->items[i];
				s->fallback[s->nitems] = s->fallback[i] ? 1 : 0;
				st[n++] = (struct step){ ST_GAP, 0, e->cfg->audio.gap_ms, 0 };
				st[n++] = (struct step){ ST_ITEM, 0, 0, s->nitems++ };
			}
			s->cur++;
		} else if (cur->k != ST_RELAY && cur->k != ST_LIVE && cur->k != ST_RLIVE)
			s->cur++;	/* a chime, a gap, a spoken message: not again */
		insert_steps(s, s->cur, st, n);
	} else {
		/* before the session began: the live first, after the amplifier's warm-up */
		int at = s->cur;
		while (at < s->nsteps && (s->steps[at].k == ST_OPEN || s->steps[at].k == ST_AMP_ON ||
		    s->steps[at].k == ST_WAIT))
			at++;
		for (int i = s->cur; i < at; i++)
			if (s->steps[i].k == ST_WAIT && s->steps[i].t > now_ms(e))
				s->steps[i].t = now_ms(e) + (s->amp || !e->cfg->audio.amplifier.present ? 0 :
				    e->cfg->audio.amplifier.warmup_ms);
		insert_steps(s, at, st, 1);
	}
	run_session(e);
}

void
engine_live(struct engine *e, int on, const char *by)
{
	struct session *s = &e->s;

	if (e->stopped || !e->cfg->live.present || on == e->live_on)
		return;
	e->live_on = on;
	if (!on) {
		/* the end: the microphone fades out; what was airing goes on */
		if (s->active && s->started && s->steps[s->cur].k == ST_LIVE) {
			e->env.player.stop(e->env.player.h);
			log_live(e, "complete", NULL);
			s->started = 0;
			s->cur++;
		}
		run_session(e);
		return;
	}
	snprintf(e->live_by, sizeof(e->live_by), "%s", by ? by : "");
	cut_in(e, ST_LIVE, "live announcement", e->live_during, sizeof(e->live_during));
}

int
engine_remote_live(struct engine *e, const struct engine_remote *rq, char *why, size_t whylen)
{
	struct session *s = &e->s;
	long long now = now_ms(e);
	long msday;
	char err[256];

	if (e->stopped) {
		snprintf(why, whylen, "%s", _("the daemon is stopping"));
		return -1;
	}
	if (e->env.player.remote_open == NULL) {
		snprintf(why, whylen, "%s", _("this board's player cannot relay streams"));
		return -1;
	}
	if (strncmp(rq->url, "http://", 7) != 0 && strncmp(rq->url, "https://", 8) != 0) {
		snprintf(why, whylen, _("unknown stream scheme in \"%.200s\": only http:// and https:// streams are "
		    "relayed"), rq->url);
		return -1;
	}
	if (rq->issued_ms > 0 && rq->valid_ms > 0 && clock_ok(e) && now > rq->issued_ms + rq->valid_ms) {
		snprintf(why, whylen, _("expired: issued %lld s ago, valid for %ld s (a late delivery); send it again"),
		    (now - rq->issued_ms) / 1000, rq->valid_ms / 1000);
		return -1;
	}
	local_of(now, NULL, &msday, NULL);
	if (!rq->emergency && e->cfg->quiet.present && cfg_in_quiet(e->cfg, (int)(msday / 60000))) {
		snprintf(why, whylen, _("quiet hours (%02d:%02d-%02d:%02d): only an emergency live airs in them"),
		    e->cfg->quiet.from / 60, e->cfg->quiet.from % 60, e->cfg->quiet.to / 60, e->cfg->quiet.to % 60);
		return -1;
	}
	if (e->rl.on) {
		snprintf(why, whylen, _("busy: live %s is on air; end it first (live end)"), e->rl.id);
		return -1;
	}
	if (e->live_on) {
		snprintf(why, whylen, "%s", _("busy: the commune's microphone is live"));
		return -1;
	}
	if (!rq->emergency && s->active && s->started && s->steps[s->cur].k == ST_ITEM &&
	    s->items[s->steps[s->cur].item].emergency) {
		snprintf(why, whylen, _("busy with emergency bulletin %s: send the live again after it, or as an "
		    "emergency"), s->items[s->steps[s->cur].item].b->id);
		return -1;
	}
	/* connecting and buffering start now, while the amplifier warms up */
	if (e->env.player.remote_open(e->env.player.h, rq->url, e->cfg->audio.loudness_lufs, err, sizeof(err)) < 0) {
		snprintf(why, whylen, _("the stream cannot be started: %s"), err);
		return -1;
	}
	memset(&e->rl, 0, sizeof(e->rl));
	e->rl.on = 1;
	e->rl.open = 1;
	e->rl.emergency = rq->emergency;
	snprintf(e->rl.id, sizeof(e->rl.id), "%s", rq->id ? rq->id : "");
	snprintf(e->rl.by, sizeof(e->rl.by), "%s", rq->by ? rq->by : "");
	snprintf(e->rl.key, sizeof(e->rl.key), "%s", rq->key ? rq->key : "");
	snprintf(e->rl.url, sizeof(e->rl.url), "%s", rq->url);
	e->rl.max_ms = rq->max_ms > 0 ? rq->max_ms : 30 * 60000L;
	e->rl.gone_ms = rq->gone_ms > 0 ? rq->gone_ms : 10000;
	{
		char cut[128];
		snprintf(cut, sizeof(cut), "live %s", e->rl.id);
		cut_in(e, ST_RLIVE, cut, e->rl.during, sizeof(e->rl.during));
	}
	return 0;
}

int
engine_remote_end(struct engine *e, const char *id, char *why, size_t whylen)
{
	struct session *s = &e->s;

	if (!e->rl.on || (id && *id && strcmp(id, e->rl.id) != 0)) {
		snprintf(why, whylen, _("no live %s on air"), id && *id ? id : "");
		return -1;
	}
	if (s->active && s->started && s->steps[s->cur].k == ST_RLIVE) {
		e->env.player.stop(e->env.player.h);
		s->started = 0;
		s->cur++;
	}
	log_remote(e, "complete", "live end");	/* one still waiting for its start: its step is passed over */
	run_session(e);
	return 0;
}

void
engine_announce(struct engine *e, const char *path)
{
	if (e->nannounce == (int)(sizeof(e->announce) / sizeof(e->announce[0]))) {
		set_error(e, _("too many announcements waiting; %s dropped"), path);
		unlink(path);
		return;
	}
	snprintf(e->announce[e->nannounce++], sizeof(e->announce[0]), "%s", path);
}

void
engine_reload(struct engine *e, struct cfg *c)
{
	if (e->s.active) {
		/* the session (and emergencies cut into it) point into the old ones */
		if (e->nretired == (int)(sizeof(e->retired) / sizeof(e->retired[0]))) {
			cfg_free(e->pending);
			e->pending = c;	/* taken when the session ends */
			return;
		}
		e->retired[e->nretired++] = e->cfg;
	} else
		cfg_free(e->cfg);
	e->cfg = c;
	e->prep_hw = -1;	/* the next relay is worked out again from the new slots */
	setenv("TZ", c->time.zone, 1);
	tzset();
	measure_chime(e);
	load_library(e);
	log_config(e, "reloaded");
}

void
engine_library_changed(struct engine *e)
{
	/* a session keeps the library it started with; an emergency must not wait */
	load_library(e);
}

void
engine_clock_changed(struct engine *e)
{
	check_clock(e);
	e->jump_reason = "clock jumped";
	catch_up(e);
	e->jump_reason = NULL;
}

int
engine_record(struct engine *e, const char *type, json_t *fields)
{
	return record(e, type, fields);
}

void
engine_stop(struct engine *e, const char *reason)
{
	struct session *s = &e->s;
	json_t *o;

	if (e->stopped)
		return;
	if (s->active) {
		if (s->started) {
			struct step *st = &s->steps[s->cur];
			e->env.player.stop(e->env.player.h);
			if (st->k == ST_ITEM)
				log_airing(e, st->item, now_ms(e), "interrupted", reason);
			if (st->k == ST_LIVE && e->live_start_ms)
				log_live(e, "interrupted", reason);
			s->started = 0;
		}
		if (e->rl.on)
			log_remote(e, "interrupted", reason);
		if (s->relay && s->relay_start_ms)
			s->relay_reason = reason;
		miss_rest(e, reason);
		end_session(e);
	}
	o = json_object();
	json_object_set_new(o, "reason", json_string(reason));
	record(e, "shutdown", o);
	e->stopped = 1;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	plan_free(e->plan);
	if (e->lib_loaded)
		lib_free(&e->lib);
	while (e->nold_lib > 0)
		lib_free(&e->old_lib[--e->nold_lib]);
	while (e->nretired > 0)
		cfg_free(e->retired[--e->nretired]);
	cfg_free(e->pending);
	cfg_free(e->cfg);
	free(e->hist);
	free(e->ahead);
	free(e);
}

void
engine_status(const struct engine *e, struct engine_status *st)
{
	memset(st, 0, sizeof(*st));
	st->state = e->stopped ? "stopped" : e->s.active ? "airing" : clock_ok(e) ? "idle" : "waiting-for-clock";
	if (e->s.active && e->s.started && e->s.steps[e->s.cur].k == ST_ITEM)
		snprintf(st->current, sizeof(st->current), "%s", e->s.items[e->s.steps[e->s.cur].item].b->id);
	else if (e->s.active && e->s.started && e->s.steps[e->s.cur].k == ST_LIVE)
		snprintf(st->current, sizeof(st->current), "live:%s", e->live_by);
	else if (e->s.active && e->s.started && e->s.steps[e->s.cur].k == ST_RLIVE)
		snprintf(st->current, sizeof(st->current), "live:%s", e->rl.id);
	else if (e->s.active && e->s.started && e->s.steps[e->s.cur].k == ST_RELAY)
		snprintf(st->current, sizeof(st->current), "relay:%s", e->s.slot.session->id);
	st->clock_synced = e->synced;
	st->serial = e->cfg->serial;
	snprintf(st->last_error, sizeof(st->last_error), "%s", e->last_error);
	st->airings = e->airings;
	st->missed = e->missed;
	{
		struct sched_slot sl;
		long long ms;
		if (!e->s.active && next_slot((struct engine *)(uintptr_t)e, &sl, &ms) != LLONG_MAX) {
			char ts[DATE_TS_LEN];
			ts_of(ms, ts);
			snprintf(st->next, sizeof(st->next), "%s %s", ts, sl.session->id);
		}
	}
}
