/*
 * lunar: see lunar.h. The rules are those of the Vietnamese calendar
 * (the Chinese rules, reckoned at UTC+7; see Hồ Ngọc Đức, "Thuật toán
 * tính âm lịch"):
 *
 *  - a month runs from the local day of a new moon to the day before the
 *    next new moon;
 *  - month 11 is the month in which the December solstice falls;
 *  - a sui (from one month 11 to the next) of 13 months has a leap month:
 *    the first month of it in which no major solar term (trung khí, the
 *    sun's apparent longitude reaching a multiple of 30°) falls. It takes the
 *    number of the month before it;
 *  - the lunar year begins with month 1 (Tết) and is numbered by the solar
 *    year in which its Tết falls.
 *
 * "Falls in a month" is decided on local days, so a term is in the month
 * that holds the day it happens on. Local days are UTC+7 from the lunar year
 * 1968, UTC+8 before it (see meridian()).
 *
 * The astronomy is from Jean Meeus, "Astronomical Algorithms" (2nd ed.): the
 * new moons of chapter 49 with all their periodic and planetary terms, the
 * sun's apparent longitude of chapter 25, and ΔT (TT - UT) from the
 * polynomials of Espenak & Meeus (NASA, 2006). Against PyEphem over
 * 1900-2200 the new moons agree within 40 s (most of it the two ΔT
 * forecasts after 2020) and the solar terms within 14 minutes. Only a new
 * moon or a term near a midnight that starts a month can move a date; from
 * 1968 no month depends on the sun to within 30 minutes, and the new moons
 * that fall within seconds of midnight are listed in tests/unit/test_lunar.c,
 * which checks every day of 1900-2199 against two independent sources.
 *
 * Instants are kept as days since 1970-01-01 00:00 UT (the day numbers of
 * date.h with a fraction); a local day is floor(t + meridian).
 */
#include <math.h>
#include <stddef.h>

#include "base/date.h"
#include "scheduler/lunar.h"

#define JD_UNIX		2440587.5		/* Julian date of 1970-01-01 00:00 UT */
#define UTC7_FROM	1968			/* first lunar year reckoned at UTC+7 */
#define SYNODIC		29.530588861		/* mean synodic month, days */
#define DEG		(3.14159265358979323846 / 180.0)
#define NMOON		31			/* new moons held while computing a year */
#define NCACHE		4

struct year {
	int	year;		/* 0: empty cache slot */
	int	leap;		/* month number followed by the leap month, 0 none */
	int	nmonths;	/* 12 or 13 */
	int32_t	start[14];	/* first day of each month; start[nmonths] is the next Tết */
};

static _Thread_local struct year cache[NCACHE];
static _Thread_local unsigned cache_next;

/*
 * ΔT = TT - UT in seconds, Espenak & Meeus (2006); y is a decimal year.
 * Past the present it is an extrapolation: the calendar that far out is as
 * good as anyone's guess of the Earth's rotation.
 */
static double
delta_t(double y)
{
	double t, u;

	if (y < 1860) {
		t = y - 1800;
		return 13.72 - 0.332447 * t + 0.0068612 * t * t + 0.0041116 * pow(t, 3)
		    - 0.00037436 * pow(t, 4) + 0.0000121272 * pow(t, 5)
		    - 0.0000001699 * pow(t, 6) + 0.000000000875 * pow(t, 7);
	}
	if (y < 1900) {
		t = y - 1860;
		return 7.62 + 0.5737 * t - 0.251754 * t * t + 0.01680668 * pow(t, 3)
		    - 0.0004473624 * pow(t, 4) + pow(t, 5) / 233174;
	}
	if (y < 1920) {
		t = y - 1900;
		return -2.79 + 1.494119 * t - 0.0598939 * t * t + 0.0061966 * pow(t, 3)
		    - 0.000197 * pow(t, 4);
	}
	if (y < 1941) {
		t = y - 1920;
		return 21.20 + 0.84493 * t - 0.076100 * t * t + 0.0020936 * pow(t, 3);
	}
	if (y < 1961) {
		t = y - 1950;
		return 29.07 + 0.407 * t - t * t / 233 + pow(t, 3) / 2547;
	}
	if (y < 1986) {
		t = y - 1975;
		return 45.45 + 1.067 * t - t * t / 260 - pow(t, 3) / 718;
	}
	if (y < 2005) {
		t = y - 2000;
		return 63.86 + 0.3345 * t - 0.060374 * t * t + 0.0017275 * pow(t, 3)
		    + 0.000651814 * pow(t, 4) + 0.00002373599 * pow(t, 5);
	}
	if (y < 2050) {
		t = y - 2000;
		return 62.92 + 0.32217 * t + 0.005589 * t * t;
	}
	u = (y - 1820) / 100;
	if (y < 2150)
		return -20 + 32 * u * u - 0.5628 * (2150 - y);
	return -20 + 32 * u * u;
}

/* ΔT in days for an instant t (days since the epoch, either time scale) */
static double
delta_t_days(double t)
{
	return delta_t(1970.0 + t / 365.2425) / 86400.0;
}

/* sum of c * E^e * sin(a*M + b*M' + f*F + o*Ω) over the new-moon terms */
static const struct { double c; signed char e, m, mp, f, om; } nm_terms[] = {
	{ -0.40720, 0, 0, 1, 0, 0 }, { 0.17241, 1, 1, 0, 0, 0 },
	{ 0.01608, 0, 0, 2, 0, 0 }, { 0.01039, 0, 0, 0, 2, 0 },
	{ 0.00739, 1, -1, 1, 0, 0 }, { -0.00514, 1, 1, 1, 0, 0 },
	{ 0.00208, 2, 2, 0, 0, 0 }, { -0.00111, 0, 0, 1, -2, 0 },
	{ -0.00057, 0, 0, 1, 2, 0 }, { 0.00056, 1, 1, 2, 0, 0 },
	{ -0.00042, 0, 0, 3, 0, 0 }, { 0.00042, 1, 1, 0, 2, 0 },
	{ 0.00038, 1, 1, 0, -2, 0 }, { -0.00024, 1, -1, 2, 0, 0 },
	{ -0.00017, 0, 0, 0, 0, 1 }, { -0.00007, 0, 2, 1, 0, 0 },
	{ 0.00004, 0, 0, 2, -2, 0 }, { 0.00004, 0, 3, 0, 0, 0 },
	{ 0.00003, 0, 1, 1, -2, 0 }, { 0.00003, 0, 0, 2, 2, 0 },
	{ -0.00003, 0, 1, 1, 2, 0 }, { 0.00003, 0, -1, 1, 2, 0 },
	{ -0.00002, 0, -1, 1, -2, 0 }, { -0.00002, 0, 1, 3, 0, 0 },
	{ 0.00002, 0, 0, 4, 0, 0 },
};

/* planetary arguments A2..A14: c * sin(a + b*k) */
static const struct { double c, a, b; } nm_planets[] = {
	{ 0.000165, 251.88, 0.016321 }, { 0.000164, 251.83, 26.651886 },
	{ 0.000126, 349.42, 36.412478 }, { 0.000110, 84.66, 18.206239 },
	{ 0.000062, 141.74, 53.303771 }, { 0.000060, 207.14, 2.453732 },
	{ 0.000056, 154.84, 7.306860 }, { 0.000047, 34.52, 27.261239 },
	{ 0.000042, 207.19, 0.121824 }, { 0.000040, 291.34, 1.844379 },
	{ 0.000037, 161.72, 24.198154 }, { 0.000035, 239.56, 25.513099 },
	{ 0.000023, 331.55, 3.592518 },
};

/* the k-th new moon after that of 2000-01-06, in UT days since the epoch */
static double
new_moon(int k)
{
	double T = k / 1236.85, T2 = T * T, T3 = T2 * T, T4 = T3 * T;
	double jde, E, M, Mp, F, Om, corr = 0;

	jde = 2451550.09766 + SYNODIC * k + 0.00015437 * T2 - 0.000000150 * T3
	    + 0.00000000073 * T4;
	E = 1 - 0.002516 * T - 0.0000074 * T2;
	M = (2.5534 + 29.10535670 * k - 0.0000014 * T2 - 0.00000011 * T3) * DEG;
	Mp = (201.5643 + 385.81693528 * k + 0.0107582 * T2 + 0.00001238 * T3
	    - 0.000000058 * T4) * DEG;
	F = (160.7108 + 390.67050284 * k - 0.0016118 * T2 - 0.00000227 * T3
	    + 0.000000011 * T4) * DEG;
	Om = (124.7746 - 1.56375588 * k + 0.0020672 * T2 + 0.00000215 * T3) * DEG;

	for (size_t i = 0; i < sizeof(nm_terms) / sizeof(nm_terms[0]); i++) {
		double c = nm_terms[i].c;
		for (int e = 0; e < nm_terms[i].e; e++)
			c *= E;
		corr += c * sin(nm_terms[i].m * M + nm_terms[i].mp * Mp + nm_terms[i].f * F
		    + nm_terms[i].om * Om);
	}
	corr += 0.000325 * sin((299.77 + 0.107408 * k - 0.009173 * T2) * DEG);
	for (size_t i = 0; i < sizeof(nm_planets) / sizeof(nm_planets[0]); i++)
		corr += nm_planets[i].c * sin((nm_planets[i].a + nm_planets[i].b * k) * DEG);

	jde += corr - JD_UNIX;
	return jde - delta_t_days(jde);
}

/* the sun's apparent longitude in degrees [0, 360) at instant t (UT) */
static double
sun_longitude(double t)
{
	double T = (t + delta_t_days(t) + JD_UNIX - 2451545.0) / 36525.0, T2 = T * T;
	double L0, M, C, Om, lon;

	L0 = 280.46646 + 36000.76983 * T + 0.0003032 * T2;
	M = (357.52911 + 35999.05029 * T - 0.0001537 * T2) * DEG;
	C = (1.914602 - 0.004817 * T - 0.000014 * T2) * sin(M)
	    + (0.019993 - 0.000101 * T) * sin(2 * M) + 0.000289 * sin(3 * M);
	Om = (125.04 - 1934.136 * T) * DEG;
	lon = fmod(L0 + C - 0.00569 - 0.00478 * sin(Om), 360.0);
	return lon < 0 ? lon + 360.0 : lon;
}

struct moon {
	int32_t	day;		/* local day of the new moon: a month's first day */
	double	lon;		/* the sun's longitude at 00:00 local of that day */
};

/* the month starting at m[i] holds the December solstice */
static int
holds_solstice(const struct moon *m, int i)
{
	/* a month spans at most 31° of longitude: no wrap at 360° near 270° */
	return m[i].lon > 180.0 && m[i].lon < 270.0 && m[i + 1].lon >= 270.0;
}

/* no major term falls in the month starting at m[i] */
static int
no_major_term(const struct moon *m, int i)
{
	return (int)(m[i].lon / 30.0) == (int)(m[i + 1].lon / 30.0);
}

/*
 * Lunar year y runs from month 1 of the sui [m11(y-1), m11(y)) to month 1
 * of the sui [m11(y), m11(y+1)): find the three months 11, number the
 * months of both suis, keep those of year y. tz is the meridian in days.
 */
static int
reckon_year(int y, double tz, struct year *out)
{
	struct moon m[NMOON];
	int k0, i11[3], n11 = 0, mon[NMOON], yr[NMOON], lp[NMOON];

	k0 = (int)floor((date_from_civil(y - 1, 10, 10) + JD_UNIX - 2451550.09766) / SYNODIC);
	for (int i = 0; i < NMOON; i++) {
		m[i].day = (int32_t)floor(new_moon(k0 + i) + tz);
		m[i].lon = sun_longitude(m[i].day - tz);
	}
	for (int i = 0; i + 1 < NMOON && n11 < 3; i++)
		if (holds_solstice(m, i))
			i11[n11++] = i;
	if (n11 < 3)
		return -1;

	for (int s = 0; s < 2; s++) {
		int a = i11[s], n = i11[s + 1] - a, leapoff = 0, num = 10, year = y - 1 + s;

		if (n != 12 && n != 13)
			return -1;
		if (n == 13) {
			for (int j = 1; j < 13 && !leapoff; j++)
				if (no_major_term(m, a + j))
					leapoff = j;
			if (!leapoff)
				return -1;
		}
		/* a sui opens with month 11 of the lunar year before its Tết */
		for (int j = 0; j < n; j++) {
			lp[a + j] = (j == leapoff && leapoff);
			if (!lp[a + j] && ++num > 12) {
				num = 1;
				year++;
			}
			mon[a + j] = num;
			yr[a + j] = year;
		}
	}

	out->year = y;
	out->leap = 0;
	out->nmonths = 0;
	for (int i = i11[0]; i < i11[2]; i++) {
		if (yr[i] != y)
			continue;
		if (out->nmonths >= 13)
			return -1;
		if (lp[i])
			out->leap = mon[i];
		out->start[out->nmonths++] = m[i].day;
		out->start[out->nmonths] = m[i + 1].day;
	}
	if (out->nmonths != 12 + (out->leap != 0))
		return -1;
	return 0;
}

/*
 * Until 1967 Vietnam kept the Chinese calendar, reckoned at UTC+8; the
 * government of the DRV moved it to UTC+7 from the lunar year 1968 (Tết
 * Mậu Thân fell on 29 January 1968 in the North, on the 30th in the South,
 * which kept the old reckoning until 1975). So the lunar years before 1968
 * are reckoned at UTC+8, and the last month of 1967 ends at the Tết of
 * 1968 reckoned at UTC+7.
 */
static double
meridian(int y)
{
	return (y < UTC7_FROM ? 8.0 : 7.0) / 24.0;
}

static int
compute_year(int y, struct year *out)
{
	struct year next;
	int32_t len;

	if (reckon_year(y, meridian(y), out) == -1)
		return -1;
	if (meridian(y + 1) != meridian(y)) {
		if (reckon_year(y + 1, meridian(y + 1), &next) == -1)
			return -1;
		len = next.start[0] - out->start[out->nmonths - 1];
		if (len < 29 || len > 30)
			return -1;
		out->start[out->nmonths] = next.start[0];
	}
	return 0;
}

static const struct year *
get_year(int y)
{
	struct year *slot;

	if (y < LUNAR_YEAR_MIN || y > LUNAR_YEAR_MAX)
		return NULL;
	for (int i = 0; i < NCACHE; i++)
		if (cache[i].year == y)
			return &cache[i];
	slot = &cache[cache_next++ % NCACHE];
	if (compute_year(y, slot) == -1) {
		slot->year = 0;
		return NULL;
	}
	return slot;
}

/* index of month (month, leap) in the year, -1 when it does not exist */
static int
month_index(const struct year *ly, int month, int leap)
{
	if (month < 1 || month > 12 || (leap != 0 && leap != 1))
		return -1;
	if (leap)
		return ly->leap == month ? month : -1;
	return ly->leap && month > ly->leap ? month : month - 1;
}

int
lunar_from_solar(int32_t day, struct lunar_date *out)
{
	const struct year *ly;
	int y, mo, d, i;

	if (day < date_from_civil(LUNAR_SOLAR_MIN, 1, 1) ||
	    day > date_from_civil(LUNAR_SOLAR_MAX, 12, 31))
		return -1;
	date_to_civil(day, &y, &mo, &d);
	if ((ly = get_year(y)) == NULL)
		return -1;
	if (day < ly->start[0] && (ly = get_year(y - 1)) == NULL)
		return -1;
	for (i = ly->nmonths - 1; i > 0 && day < ly->start[i]; i--)
		;
	out->day = (int)(day - ly->start[i]) + 1;
	out->year = ly->year;
	out->leap = ly->leap && i == ly->leap;
	out->month = ly->leap && i >= ly->leap ? i : i + 1;
	return 0;
}

int32_t
lunar_to_solar(int year, int month, int day, int leap)
{
	const struct year *ly;
	int i;

	if ((ly = get_year(year)) == NULL || (i = month_index(ly, month, leap)) == -1)
		return DATE_NONE;
	if (day < 1 || day > ly->start[i + 1] - ly->start[i])
		return DATE_NONE;
	return ly->start[i] + day - 1;
}

int
lunar_month_length(int year, int month, int leap)
{
	const struct year *ly;
	int i;

	if ((ly = get_year(year)) == NULL || (i = month_index(ly, month, leap)) == -1)
		return 0;
	return (int)(ly->start[i + 1] - ly->start[i]);
}

int
lunar_leap_month(int year)
{
	const struct year *ly = get_year(year);

	return ly ? ly->leap : -1;
}

int32_t
lunar_new_year(int year)
{
	const struct year *ly = get_year(year);

	return ly ? ly->start[0] : DATE_NONE;
}
