/*
 * lunar: the Vietnamese lunar calendar (âm lịch), computed astronomically
 * for the meridian of UTC+7, as Vietnam has reckoned it since 1968 (the
 * lunar years before 1968 at UTC+8: until then Vietnam kept the Chinese
 * calendar). Not a table. Pure code: no I/O, no clock. Days are
 * scheduler/date.h day numbers.
 *
 * Range: lunar_from_solar() takes the solar days 1900-01-01 .. 2199-12-31;
 * the lunar-side functions take the lunar years LUNAR_YEAR_MIN (1899, which
 * holds January 1900) .. LUNAR_YEAR_MAX (2200, so that a window that wraps
 * into the next lunar year can still be resolved in 2199).
 *
 * Speed: a lunar year is computed once (about 30 new moons and solar
 * longitudes, some 50 µs on a PC) and kept in a cache of four years; later
 * calls on a cached year are look-ups (some 40 ns). The cache is
 * per thread (_Thread_local), so the functions are thread-safe; they are not
 * async-signal-safe.
 */
#ifndef LUNAR_H
#define LUNAR_H

#include <stdint.h>

#define LUNAR_SOLAR_MIN	1900	/* first and last solar years lunar_from_solar() takes */
#define LUNAR_SOLAR_MAX	2199
#define LUNAR_YEAR_MIN	(LUNAR_SOLAR_MIN - 1)
#define LUNAR_YEAR_MAX	(LUNAR_SOLAR_MAX + 1)

struct lunar_date {
	int	day;		/* 1 .. 30 */
	int	month;		/* 1 .. 12 */
	int	year;		/* the lunar year: the solar year in which its Tết falls */
	int	leap;		/* 1 in a leap month (tháng nhuận) */
};

/* day -> lunar date; 0, or -1 when day is outside 1900-01-01 .. 2199-12-31 */
int	lunar_from_solar(int32_t day, struct lunar_date *out);
/* lunar date -> day; DATE_NONE when that date does not exist (the leap
 * month is absent, day 30 of a 29-day month, year out of range) */
int32_t	lunar_to_solar(int year, int month, int day, int leap);
/* 29 or 30; 0 when that month does not exist */
int	lunar_month_length(int year, int month, int leap);
/* the month number that is followed by a leap month, 0 if the year has
 * none; -1 when the year is out of range */
int	lunar_leap_month(int year);
/* the day of Tết Nguyên đán (lunar 1-1) of that lunar year; DATE_NONE out of range */
int32_t	lunar_new_year(int year);

#endif
