#!/usr/bin/python3
"""
Writes ephem-months.txt: the Vietnamese lunar calendar 1899-2200 reckoned
with PyEphem (Debian package python3-ephem; its own ephemerides, ΔT and
nutation), a second source for tests/unit/test_lunar.c that shares no
astronomy with scheduler/lunar.c. Only needed to regenerate the file:
    /usr/bin/python3 tests/data/lunar/ephem-months.py > tests/data/lunar/ephem-months.txt

The rules are the calendar's, written out again here:
  - a month starts on the local day of a new moon;
  - month 11 holds the December solstice;
  - a sui of 13 months has a leap month, the first after month 11 in which
    no major term (the sun's apparent longitude a multiple of 30 degrees)
    falls; "in" is decided on local days;
  - local days are UTC+8 for the lunar years up to 1967 (the Chinese
    calendar Vietnam then kept), UTC+7 from 1968; the last month of 1967
    ends at the Tết of 1968 reckoned at UTC+7.

Line: YEAR LEAP D1 D2 ... Dn NEXT, the first day of each month of the lunar
year in order (the leap month after the month it follows), then the next
year's Tết; LEAP is the month the leap month follows, 0 when none.
"""
import datetime
import math

import ephem

EPOCH = datetime.date(1970, 1, 1)


def meridian(year):
    return 8 if year <= 1967 else 7


def sun_longitude(when):
    """apparent geocentric ecliptic longitude of the sun, degrees, of date"""
    sun = ephem.Sun()
    sun.compute(when, epoch=when)
    ecl = ephem.Ecliptic(ephem.Equatorial(sun.g_ra, sun.g_dec, epoch=when), epoch=when)
    return math.degrees(float(ecl.lon))


def local_day(when, tz):
    return (ephem.Date(when + tz * ephem.hour).datetime().date() - EPOCH).days


def midnight(day, tz):
    return ephem.Date(ephem.Date('1970/1/1') + day - tz / 24.0)


def moons(year, tz):
    """(first day, sun longitude at its 00:00) of each month, Oct year-1 .. Feb year+2"""
    out = []
    when = ephem.Date('%d/10/10' % (year - 1))
    end = ephem.Date('%d/2/1' % (year + 2))
    while when < end:
        when = ephem.next_new_moon(when)
        day = local_day(when, tz)
        out.append((day, sun_longitude(midnight(day, tz))))
        when = ephem.Date(when + 1)
    return out


def reckon(year, tz):
    m = moons(year, tz)
    m11 = [i for i in range(len(m) - 1) if 180 < m[i][1] < 270 <= m[i + 1][1] < 360][:3]
    label = {}
    for s in range(2):
        a, n = m11[s], m11[s + 1] - m11[s]
        assert n in (12, 13)
        leapoff = 0
        if n == 13:
            leapoff = next(j for j in range(1, 13) if int(m[a + j][1] // 30) == int(m[a + j + 1][1] // 30))
        num, yr = 10, year - 1 + s
        for j in range(n):
            leap = leapoff > 0 and j == leapoff
            if not leap:
                num += 1
                if num > 12:
                    num, yr = 1, yr + 1
            label[a + j] = (num, leap, yr)
    idx = [i for i in range(m11[0], m11[2]) if label[i][2] == year]
    leap = next((label[i][0] for i in idx if label[i][1]), 0)
    return leap, [m[i][0] for i in idx] + [m[idx[-1] + 1][0]]


def main():
    print('# Vietnamese lunar months 1899-2200 reckoned with PyEphem %s; see ephem-months.py.' % ephem.__version__)
    print('# YEAR LEAP first-day-of-each-month... next-Tet')
    for year in range(1899, 2201):
        leap, starts = reckon(year, meridian(year))
        if meridian(year + 1) != meridian(year):
            starts[-1] = reckon(year + 1, meridian(year + 1))[1][0]
        days = [str(EPOCH + datetime.timedelta(days=d)) for d in starts]
        print(year, leap, ' '.join(days))


if __name__ == '__main__':
    main()
