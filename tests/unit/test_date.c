/* date: civil day numbers, weekdays and the parsers the config relies on. */
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "tests/unit/tap.h"

static void
day_numbers_match_timegm_over_four_centuries(void)
{
	/* an independent reference: the C library's own timegm, over the years
	 * its time_t holds (1902-2037 where time_t is 32 bits: armhf boards) */
	int lo = sizeof(time_t) >= 8 ? 1900 : 1902, hi = sizeof(time_t) >= 8 ? 2300 : 2037;
	long months = 0;

	for (int y = lo; y <= hi; y += 1)
		for (int m = 1; m <= 12; m++) {
			struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = 1 };
			long ref = (long)(timegm(&tm) / 86400);
			if (date_from_civil(y, m, 1) != ref) {
				EXPECT_INT(date_from_civil(y, m, 1), ref);
				return;
			}
			months++;
		}
	EXPECT_INT(months, (hi - lo + 1) * 12);
}

static void
civil_round_trip_every_day(void)
{
	long days = 0;

	for (int32_t d = date_from_civil(1899, 1, 1); d < date_from_civil(2201, 1, 1); d++) {
		int y, m, dd;
		date_to_civil(d, &y, &m, &dd);
		if (!date_valid(y, m, dd) || date_from_civil(y, m, dd) != d) {
			EXPECT_INT(date_from_civil(y, m, dd), d);
			return;
		}
		days++;
	}
	EXPECT_INT(days, 110303);	/* 1899-01-01 to 2200-12-31: 302 years, 73 of them leap (1900, 2100 and 2200 are not) */
}

static void
weekdays_are_monday_based(void)
{
	EXPECT_INT(date_weekday(date_from_civil(2026, 1, 5)), 0);	/* a Monday */
	EXPECT_INT(date_weekday(date_from_civil(2026, 2, 17)), 1);	/* Tết 2026, a Tuesday */
	EXPECT_INT(date_weekday(date_from_civil(1970, 1, 1)), 3);
	EXPECT_INT(date_weekday(date_from_civil(1969, 12, 28)), 6);	/* before the epoch */
}

static void
date_parser_refuses_impossible_dates(void)
{
	int32_t d;
	char buf[11];

	EXPECT_INT(date_parse("2024-02-29", &d), 0);
	date_format(d, buf);
	EXPECT_STR(buf, "2024-02-29");
	EXPECT_INT(date_parse("2026-02-29", &d), -1);
	EXPECT_INT(date_parse("2026-2-01", &d), -1);
	EXPECT_INT(date_parse("2026-04-31", &d), -1);
	EXPECT_INT(date_parse("2026-04-30x", &d), -1);
	EXPECT_INT(date_parse("", &d), -1);
}

static void
hhmm_parser_takes_only_24_hour_forms(void)
{
	int m;

	EXPECT_INT(date_parse_hhmm("00:00", &m), 0);
	EXPECT_INT(m, 0);
	EXPECT_INT(date_parse_hhmm("23:59", &m), 0);
	EXPECT_INT(m, 1439);
	EXPECT_INT(date_parse_hhmm("24:00", &m), -1);
	EXPECT_INT(date_parse_hhmm("6:00", &m), -1);
	EXPECT_INT(date_parse_hhmm("06:60", &m), -1);
	EXPECT_INT(date_parse_hhmm("06.00", &m), -1);
}

int
main(void)
{
	tap_plan(5);
	TEST(day_numbers_match_timegm_over_four_centuries);
	TEST(civil_round_trip_every_day);
	TEST(weekdays_are_monday_based);
	TEST(date_parser_refuses_impossible_dates);
	TEST(hhmm_parser_takes_only_24_hour_forms);
	return tap_done();
}
