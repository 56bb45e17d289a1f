/*
 * cfg: loaxa.cfg (libconfig syntax) loaded into typed structures and
 * validated. See DESIGN.md "Configuration" and loaxa.cfg(5).
 *
 * Lifecycle: cfg_load() -> use -> cfg_free(). cfg_load() either returns a
 * complete, valid struct cfg or nothing: every problem found goes into the
 * caller's diag as "FILE:LINE: message" and the call returns NULL. A caller
 * holding a good config therefore keeps it when a new one is refused.
 *
 * cfg_load() checks what can be checked from the file alone (keys, types,
 * forms, references). The checks that need the calendar (sessions that
 * overlap on some date, sessions inside quiet hours) are sched_check()'s.
 */
#ifndef CFG_H
#define CFG_H

#include <stdint.h>

#include "config/diag.h"

#define CFG_DEFAULT_PATH SYSCONFDIR "/loaxa/loaxa.cfg"
#define CFG_KEY_LEN 32		/* Ed25519 public key */

/*
 * Which days a session airs. weekly: bit d set = every weekday d
 * (0 = Monday .. 6 = Sunday). nth[d]: bit k-1 = the k-th such weekday of
 * the month (k = 1..5), bit 5 (CFG_NTH_LAST) = the last one.
 */
#define CFG_NTH_LAST (1u << 5)
struct cfg_days {
	uint8_t	weekly;
	uint8_t	nth[7];
};

struct cfg_period;

/*
 * A relay ("tiếp sóng"): a session whose content is a radio stream. It is
 * a session in every way the timetable cares about (days, start, minutes,
 * periods' add/replace/scale, overlaps, quiet hours, exceptions by id); its
 * content is the stream, and while the stream is down for fallback_after
 * seconds, the fallback.
 */
enum cfg_fallback { CFG_FALLBACK_BULLETINS, CFG_FALLBACK_SILENCE };
struct cfg_relay {
	char		*name;		/* for people: "VOV1 — Thời sự" */
	char		*url;		/* http:// or https:// */
	enum cfg_fallback fallback;
	int		 fallback_after;	/* seconds the stream may be down before the fallback */
	int		 chime;		/* the chime before it (audio.chime); default no */
	double		 silence_db;	/* dead air: peaks below this (dBFS, default -50) ... */
	int		 silence_seconds;	/* ... this long (default 20; 0: not checked) is a dropout */
};

struct cfg_session {
	char		*id;
	struct cfg_days	 days;
	int		 start;		/* minutes after local midnight */
	int		 minutes;	/* before any period's scale */
	int		 every_weeks;	/* 1: every week */
	int32_t		 anchor;	/* day number in an airing week */
	char		**topics;	/* allowed topics; ntopics == 0: all */
	int		 ntopics;
	const struct cfg_period *period;	/* owner; NULL: the normal timetable */
	struct cfg_relay *relay;	/* a relay (from a `relays` list); NULL: bulletins */
	int		 line;
};

enum cfg_wdate_kind { CFG_WD_ANNUAL, CFG_WD_ONCE, CFG_WD_LUNAR };
struct cfg_wdate {
	enum cfg_wdate_kind kind;
	int		 y, m, d;	/* y only for CFG_WD_ONCE; m, d lunar for LUNAR */
};

struct cfg_period {
	char		*id;
	char		*name;
	struct cfg_wdate from, to;
	double		 scale;		/* >= 1 usually; 1.0 when not given */
	int		 replace;	/* drop the normal sessions while active */
	struct cfg_session *sessions;
	int		 nsessions;
	int		 line;
};

/* A day with its own list of sessions: named ones and/or inline ones. */
struct cfg_exception {
	int32_t		 date;
	const struct cfg_session **named;	/* into sessions / period sessions */
	int		 nnamed;
	struct cfg_session *sessions;		/* inline: id, start, minutes, topics */
	int		 nsessions;
	int		 line;
};

struct cfg_topic {
	char	*id;
	char	*name;
	int	 line;
};

struct cfg {
	char		*file;		/* as given to cfg_load */
	char		*dir;		/* its folder: relative paths resolve here */
	char		*text;		/* the exact text it was parsed from */
	size_t		 textlen;
	int		 version;
	long long	 serial;

	struct {
		char	*id, *name, *province;
	} site;
	struct {
		char	*library, *airlog, *inbox, *state, *run;	/* absolute */
	} paths;
	struct {
		char	*device;
		double	 gain_db;
		double	 loudness_lufs;
		char	*chime;		/* absolute path, or NULL: no chime */
		int	 gap_ms;
		int	 fade_ms;
		struct {
			int	 present;
			char	*gpio_chip;
			int	 gpio_line;
			int	 active_low;
			int	 warmup_ms;
		} amplifier;
	} audio;
	/*
	 * live: announcements from the commune's microphone (a capture PCM),
	 * switched through while the talk button (a GPIO input line) is held,
	 * or, mode "latch", from one press to the next. present = 0: none.
	 */
	struct {
		int	 present;
		char	*device;	/* ALSA capture PCM, e.g. "plughw:1,0" */
		char	*gpio_chip;
		int	 gpio_line;
		int	 active_low;	/* default true: a button pulls the line to ground */
		int	 latch;		/* mode = "latch" */
		int	 max_minutes;	/* a latch left on ends after this (default 30) */
	} live;
	struct {
		int	 present;
		int	 from, to;	/* minutes after midnight; may wrap */
	} quiet;
	struct {
		char	*zone;
		int	 require_sync;
		int	 grace_minutes;
	} time;

	struct cfg_topic	*topics;
	int			 ntopics;
	struct cfg_session	*sessions;
	int			 nsessions;
	struct cfg_period	*periods;
	int			 nperiods;
	struct cfg_exception	*exceptions;
	int			 nexceptions;

	/*
	 * fleet: the MQTT client in loaxad (firmware/fleet.h). present = 0 (no
	 * group): no socket, no timer, the daemon as before. TLS always; the
	 * board's own client certificate; a password only from a file.
	 */
	struct {
		int	 present;
		char	*broker;		/* as written, "mqtts://host:8883" */
		char	*host;
		int	 port;
		char	*province;		/* topic id, e.g. "cao-bang" */
		char	*ca, *cert, *key;	/* absolute paths */
		char	*password_file;		/* absolute, or NULL: "USER:PASSWORD" on one line */
		int	 status_seconds;
		int	 keepalive_seconds;
		long long download_max_mb;	/* one bulletin's audio fetched by URL */
		int	 retry_seconds;		/* first wait before a set not all fetched is tried again (doubles to 1 h) */
		int	 download_timeout_s;	/* one file's whole download; the fetch child is killed past its sum */
	} fleet;

	struct {
		unsigned char	(*keys)[CFG_KEY_LEN];
		int		 nkeys;
		int		 require_signed_config;
		int		 require_signed_bulletins;
		int		 allow_unsigned_emergency;	/* default 0: emergencies come signed */
	} trust;
};

struct cfg	*cfg_load(const char *file, struct diag *);
/* the same from memory (fuzzing, signed bundles); name is used in messages */
struct cfg	*cfg_load_string(const char *text, const char *name, const char *dir, struct diag *);
void		 cfg_free(struct cfg *);

const struct cfg_topic	 *cfg_topic(const struct cfg *, const char *id);
const struct cfg_period	 *cfg_period(const struct cfg *, const char *id);
/* any session: normal or of a period */
const struct cfg_session *cfg_session(const struct cfg *, const char *id);
int	cfg_session_allows_topic(const struct cfg_session *, const char *topic);
/* minutes m in quiet hours? */
int	cfg_in_quiet(const struct cfg *, int m);

/* "mon-fri", "sat,sun", "1st mon", "last fri", "daily" -> days; -1 if bad */
int	cfg_parse_days(const char *s, struct cfg_days *);
/* "MM-DD", "YYYY-MM-DD", "lunar MM-DD" -> wdate; -1 if bad */
int	cfg_parse_wdate(const char *s, struct cfg_wdate *);
/* "ed25519:BASE64" -> 32-byte key; -1 if bad */
int	cfg_parse_key(const char *s, unsigned char key[CFG_KEY_LEN]);

#endif
