/*
 * log: the daemon's and the tool's one logging API. Everything goes to
 * stderr (journald picks it up under systemd, with <N> priority prefixes
 * when $JOURNAL_STREAM says stderr is the journal). log_warn() appends the
 * errno text. fatal()/fatalx() log and exit(1): only main's paths call them.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

void log_init(const char *progname, int verbose);
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
