/*
 * cli: what the loaxa commands share: the -c option, loading the config
 * with every diagnostic printed, and "today" in the config's time zone
 * (LOAXA_TODAY=YYYY-MM-DD and LOAXA_NOW=EPOCH override the clock for golden
 * tests and demonstrations; the daemon never reads them).
 */
#ifndef CLI_H
#define CLI_H

#include <stdint.h>
#include <time.h>

struct cfg;

/* removes "-c FILE" / "--config FILE" / "-cFILE" from argv; returns the path */
const char	*cli_config_arg(int *argc, char **argv);
/* loads, prints diagnostics to stderr; NULL when invalid */
struct cfg	*cli_load(const char *path);
/* sets TZ to the config's zone for localtime()/mktime() */
void		 cli_set_zone(const struct cfg *);
time_t		 cli_now(void);
int32_t		 cli_today(void);
/* a usage error: prints "loaxa CMD: msg" and the usage line; returns 2 */
int		 cli_usage(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct lib;
/* a duration as M:SS ("12:05"; minutes capped at 99999), "" when buf is too short */
void	cli_fmt_dur(long ms, char *buf, size_t len);
/* local day + ms after midnight -> "YYYY-MM-DDTHH:MM:SS+07:00" (TZ from cli_set_zone) */
void	cli_local_ts(int32_t day, long ms, char buf[26]);
/* loads the library of the config, printing what it skipped; 0 or -1 */
int	cli_load_library(const struct cfg *, struct lib *);
/* the chime's length in ms (0 when there is none or it cannot be read; says so) */
long	cli_chime_ms(const struct cfg *);
struct planner;
/* feeds the planner the last airing of every bulletin from the airing log */
void	cli_load_history(const struct cfg *, struct planner *);

struct airlog_clock;
/* the clock a record written by a command carries (boot id into boot) */
void	cli_clock(const struct cfg *, struct airlog_clock *, char *boot, size_t bootlen);
/* the pid of the running loaxad (paths.run/status.json, pid alive), or 0 */
long	cli_daemon(const struct cfg *);
/* asks the running loaxad for a seal (paths.inbox/seal-request) and waits
 * (at most CLI_SEAL_WAIT_S) for its fresh checkpoint; 0 and *cp (malloc'd), or -1 */
#define CLI_SEAL_WAIT_S 10
int	cli_request_seal(const struct cfg *, char **cp, char *err, size_t errlen);
/* hands the daemon a file in paths.inbox: written under a .tmp name, then
 * renamed to name; 0 or -1 (errno) */
int	cli_inbox_put(const struct cfg *, const char *name, const void *data, size_t len);

#endif
