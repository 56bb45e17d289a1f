/*
 * date: see date.h. The civil <-> day-number conversions are Howard
 * Hinnant's well-known algorithms ("chrono-compatible low-level date
 * algorithms"), valid for the whole int32 range used here.
 */
#include <stdio.h>
#include <string.h>

#include "base/date.h"

int32_t
date_from_civil(int y, int m, int d)
{
	long yy = y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + doe - 719468);
}

void
date_to_civil(int32_t day, int *y, int *m, int *d)
{
	long z = (long)day + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int
date_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0) */
	long w = ((long)day + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

int
date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
date_days_in_month(int y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	return len[m - 1] + (m == 2 && date_is_leap(y));
}

int
date_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= date_days_in_month(y, m);
}

static int
digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
date_parse(const char *s, int32_t *day)
{
	int y, m, d;

	/* the day last parsed on this thread: a log's records come a day at a time */
	static _Thread_local char last[10];
	static _Thread_local int32_t last_day = DATE_NONE;

	if (strlen(s) != 10)
		return -1;
	if (last_day != DATE_NONE && memcmp(s, last, 10) == 0) {
		*day = last_day;
		return 0;
	}
	if (s[4] != '-' || s[7] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d) ||
	    !date_valid(y, m, d))
		return -1;
	*day = date_from_civil(y, m, d);
	memcpy(last, s, 10);
	last_day = *day;
	return 0;
}

int
date_parse_hhmm(const char *s, int *min)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || digits(s, 2, &h) || digits(s + 3, 2, &m) ||
	    h > 23 || m > 59)
		return -1;
	*min = h * 60 + m;
	return 0;
}

void
date_format(int32_t day, char buf[11])
{
	int y, m, d;

	date_to_civil(day, &y, &m, &d);
	y %= 10000;
	if (y < 0)
		y = 0;
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}

static long long
floordiv(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int32_t
date_local_day(long long epoch, long gmtoff)
{
	return (int32_t)floordiv(epoch + gmtoff, 86400);
}

void
date_format_ts(long long epoch, long gmtoff, char buf[DATE_TS_LEN])
{
	long long local = epoch + gmtoff;
	int32_t day = (int32_t)floordiv(local, 86400);
	unsigned sec = (unsigned)(local - (long long)day * 86400) % 86400;
	unsigned off = (unsigned)(gmtoff < 0 ? -gmtoff : gmtoff) % 86400;
	char d[11];

	date_format(day, d);
	snprintf(buf, DATE_TS_LEN, "%.10sT%02u:%02u:%02u%c%02u:%02u", d, sec / 3600 % 24, sec / 60 % 60, sec % 60,
	    gmtoff < 0 ? '-' : '+', off / 3600 % 24, off / 60 % 60);
}

int
date_parse_ts(const char *s, long long *epoch, long *gmtoff)
{
	int32_t day;
	char d[11];
	int h, mi, se, oh, om;
	long off;

	if (strlen(s) != 25 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || (s[19] != '+' && s[19] != '-') ||
	    s[22] != ':')
		return -1;
	memcpy(d, s, 10);
	d[10] = '\0';
	if (date_parse(d, &day) < 0 || digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se) ||
	    digits(s + 20, 2, &oh) || digits(s + 23, 2, &om) || h > 23 || mi > 59 || se > 60 || oh > 14 || om > 59)
		return -1;
	off = (oh * 3600L + om * 60L) * (s[19] == '-' ? -1 : 1);
	*epoch = (long long)day * 86400 + h * 3600 + mi * 60 + se - off;
	if (gmtoff)
		*gmtoff = off;
	return 0;
}
