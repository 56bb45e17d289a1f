/*
 * engine: the daemon's scheduling, airing and logging, independent of how
 * time passes and how sound comes out. loaxad drives it from a poll loop
 * over a timerfd, a signalfd and the PCM; `loaxa simulate` drives the very
 * same code from a virtual clock with a silent player whose items last their
 * measured duration. Tests swap the backends, not the logic.
 *
 * A session runs as a list of steps: relay on, wait for the start, chime,
 * gap, bulletin, gap, bulletin, ..., relay off. (The amplifier relay; a
 * radio relay, "tiếp sóng", is a session whose one step is the stream:
 * opened seconds ahead, aired to the slot's end with a fade; while it is
 * down for fallback_after, bulletins planned on the spot (or silence) air
 * until it is back, switching back at a bulletin's end; an emergency cuts
 * in and the stream resumes; a `relay` record says what was heard.) Every bulletin's airing is
 * logged (fsynced) when it ends, before the next step. An emergency cuts
 * the current step (the bulletin is logged as interrupted), airs, and the
 * session goes on with what still fits.
 *
 * Time. Timed sessions air only while the clock is trusted. Every session
 * is handled once: its start is remembered (the airing log's `slot` field),
 * so a backward jump never airs it again. After downtime, a session whose
 * start is within time.grace_minutes airs late; the others are logged as
 * missed with the reason (power off, clock not trusted, no audio device,
 * no content).
 *
 * Lifecycle: engine_new() -> engine_start() -> loop { engine_deadline(),
 * engine_pollfds(), wait, engine_service(), engine_run() } -> engine_stop()
 * -> engine_free(). Single-threaded; nothing here is signal-safe.
 */
#ifndef ENGINE_H
#define ENGINE_H

#include <jansson.h>
#include <poll.h>
#include <stdint.h>

struct audio_stream_stats;
struct cfg;
struct board;
struct airlog;

/* the clock: wall time (what the timetable says) and boot time (intervals) */
struct engine_clock {
	long long	(*realtime_ms)(void *);
	long long	(*boottime_ms)(void *);
	int		(*synced)(void *);	/* 1 when NTP-synchronised or from an RTC */
	void		*h;
};

enum engine_play { ENGINE_PLAYING, ENGINE_DONE, ENGINE_FAILED };

/* the sound: one item at a time */
struct engine_player {
	/* ahead of a session: opens the device, set up for the first file's format,
	 * so that at the start only samples are written */
	int	(*open)(void *, const char *first, char *err, size_t);
	int	(*start_file)(void *, const char *path, long duration_ms, double gain_db, char *err, size_t);
	int	(*start_silence)(void *, long ms);
	/* when the current item will end by itself (virtual players), or -1: use the fds */
	long long (*deadline_ms)(void *);
	int	(*pollfds)(void *, struct pollfd *, int max);
	enum engine_play (*service)(void *, struct pollfd *, int n, char *err, size_t);
	void	(*stop)(void *);			/* cut now, with a short fade */
	void	(*close)(void *);
	void	*h;
	/*
	 * Relays (NULL in a player without streams: relays are then missed).
	 * stream_open starts the stream seconds ahead (it connects and
	 * buffers); start_stream airs it for up to ms as the current item;
	 * stream_down_ms says how long it has been without usable audio (0:
	 * up), also while a fallback bulletin airs; stream_close ends it.
	 */
	int	(*stream_open)(void *, const char *url, double target_lufs, double dead_db, long dead_ms, char *err,
		    size_t);
	int	(*start_stream)(void *, long ms, char *err, size_t);
	long long (*stream_down_ms)(void *);
	void	(*stream_stats)(void *, struct audio_stream_stats *);
	void	(*stream_close)(void *);
	/* live announcements: the microphone opened only while live, aired as the current item for up to ms */
	int	(*live_open)(void *, const char *device, double target_lufs, char *err, size_t);
	int	(*start_live)(void *, long ms, char *err, size_t);
	long long (*live_heard_ms)(void *);
	void	(*live_close)(void *);
	/*
	 * Remote live (NULL: refused): a stream the office names in a signed
	 * "live now" command, a second stream beside a relay's (which resumes
	 * after it); the same contract as stream_open .. stream_close.
	 */
	int	(*remote_open)(void *, const char *url, double target_lufs, char *err, size_t);
	int	(*start_remote)(void *, long ms, char *err, size_t);
	long long (*remote_down_ms)(void *);
	void	(*remote_stats)(void *, struct audio_stream_stats *);
	void	(*remote_close)(void *);
	/*
	 * The next relay's stream opened ahead while the session before it still
	 * airs (NULL: it is opened when that session has ended, late if it ends
	 * on the relay's minute); the next stream_open of that URL takes it.
	 */
	int	(*stream_prepare)(void *, const char *url, double target_lufs, double dead_db, long dead_ms, char *err,
		    size_t);
};

struct engine_env {
	struct engine_clock	 clock;
	struct engine_player	 player;
	/* measures a file: its length and loudness (the chime); 0 or -1 */
	int			(*measure)(const char *path, long *ms, double *lufs);
	struct board		*board;		/* NULL: no relay */
	int			 virtual_relay;	/* simulation: log the relay as a real board would */
	/* where the bulletin on air is noted before it starts (state/current.json),
	 * so a restart after kill -9 or a power cut logs it as interrupted; NULL: not kept */
	const char		*current_path;
	struct airlog		*log;
	const char		*boot_id;
	void			(*on_record)(void *arg, const char *type, const char *line);	/* echo, or NULL */
	void			*on_record_arg;
	/*
	 * A remote live began to air (event "airing", start_ms its wall time)
	 * or ended, its record written (event "ended", outcome and reason as
	 * the record says, start_ms 0 when it never aired): the fleet
	 * acknowledges it. NULL: nobody is told.
	 */
	void			(*on_remote)(void *arg, const char *id, const char *event, long long start_ms,
				    const char *outcome, const char *reason);
	void			*on_remote_arg;
};

struct engine;

/* takes ownership of cfg */
struct engine	*engine_new(struct cfg *, const struct engine_env *, char *err, size_t);
/* logs boot, loads the library and history, works out what was missed */
int		 engine_start(struct engine *);
/* wall-clock ms of the next timed event; LLONG_MAX when there is none */
long long	 engine_deadline(struct engine *);
/* the player's fds while airing; count */
int		 engine_pollfds(struct engine *, struct pollfd *, int max);
void		 engine_service(struct engine *, struct pollfd *, int n);
/* handles everything that is due now */
void		 engine_run(struct engine *);
/* a new config (taken over; the old one is freed when no session uses it) */
void		 engine_reload(struct engine *, struct cfg *);
void		 engine_library_changed(struct engine *);
void		 engine_clock_changed(struct engine *);
/*
 * A live announcement from the microphone (live.device) begins (on = 1) or
 * ends (0); by says who asked ("talk button", "latch"). What airs pauses:
 * a bulletin cut is logged interrupted and airs again after it if its
 * session still has time; a relay resumes. Outside a session it is a
 * session of its own (amplifier, warm-up). Each leaves a `live` record.
 */
void		 engine_live(struct engine *, int on, const char *by);
int		 engine_live_state(const struct engine *);
/*
 * A live relay the office commanded (a signed "live now", checked by the
 * fleet client): the stream airs at once, cutting in as the microphone does
 * (a cut bulletin airs again after it, a relay resumes), until a "live
 * end", the stream gone for gone_ms, or max_ms. An emergency airs in quiet
 * hours, a priority does not. 0 taken (it airs now, or after the
 * amplifier's warm-up), -1 refused with why (translated). Each taken one
 * leaves a `live` record: source the URL, by and key who asked.
 */
struct engine_remote {
	const char	*id;		/* the command's id, for the acknowledgement */
	const char	*url;		/* http:// or https:// */
	int		 emergency;	/* 1 emergency, 0 priority */
	const char	*by;		/* the sender the command names */
	const char	*key;		/* the key that signed it, "ed25519:..." */
	long long	 issued_ms;	/* wall ms it was made; 0: not said */
	long		 valid_ms;	/* refused once the trusted clock is past issued_ms + valid_ms */
	long		 max_ms;	/* the longest it airs */
	long		 gone_ms;	/* the stream without audio this long: the live ends */
};
int		 engine_remote_live(struct engine *, const struct engine_remote *, char *why, size_t whylen);
/* a "live end": 0, or -1 (why) when no live of that id airs; id NULL or "": whichever airs */
int		 engine_remote_end(struct engine *, const char *id, char *why, size_t whylen);
/* plays a spoken message (a file it then deletes) when no session airs; not logged */
void		 engine_announce(struct engine *, const char *path);
/* logs a record handed over by another process (ingest, config apply); takes fields */
int		 engine_record(struct engine *, const char *type, json_t *fields);
/* cuts what airs, logs it and a shutdown record, relay off */
void		 engine_stop(struct engine *, const char *reason);
void		 engine_free(struct engine *);

/* what the status file shows */
struct engine_status {
	const char	*state;		/* idle, airing, waiting-for-clock, stopped */
	char		 current[128];	/* bulletin id airing now, or "" */
	char		 next[64];	/* "2026-11-23T06:00:00+07:00 morning", or "" */
	int		 clock_synced;
	char		 last_error[256];
	long long	 airings, missed;
	long long	 serial;	/* of the config in force */
};
void		 engine_status(const struct engine *, struct engine_status *);
const struct cfg *engine_cfg(const struct engine *);

#endif
