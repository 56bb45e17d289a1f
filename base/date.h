/*
 * date: civil (proleptic Gregorian) dates as day numbers, days since
 * 1970-01-01. Pure arithmetic: no clock, no time zone. A day number is what
 * every other module passes around; local time of day is kept separately
 * (minutes or milliseconds after local midnight).
 */
#ifndef DATE_H
#define DATE_H

#include <stdint.h>

#define DATE_NONE INT32_MIN

int32_t date_from_civil(int y, int m, int d);
void    date_to_civil(int32_t day, int *y, int *m, int *d);
int     date_weekday(int32_t day);		/* 0 = Monday .. 6 = Sunday */
int     date_days_in_month(int y, int m);
int     date_is_leap(int y);
int     date_valid(int y, int m, int d);
/* "YYYY-MM-DD" -> day number; -1 when not a valid date of that form */
int     date_parse(const char *s, int32_t *day);
/* "HH:MM" -> minutes after midnight; -1 when not of that form */
int     date_parse_hhmm(const char *s, int *min);
/* writes "YYYY-MM-DD" (11 bytes with NUL) */
void    date_format(int32_t day, char buf[11]);

/*
 * Timestamps with an explicit offset, the form of the airing log and the
 * library: "2026-01-02T08:00:05+07:00" (26 bytes with NUL). The offset is the
 * caller's (from localtime_r's tm_gmtoff): nothing here reads a time zone.
 */
#define DATE_TS_LEN 26
void    date_format_ts(long long epoch, long gmtoff, char buf[DATE_TS_LEN]);
int     date_parse_ts(const char *s, long long *epoch, long *gmtoff);
/* the local day number and seconds after local midnight of an instant */
int32_t date_local_day(long long epoch, long gmtoff);

#endif
