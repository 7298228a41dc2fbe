/* test_tz: IANA zones from TZif files: offsets, local day/week/hour buckets, the footer rule, hostile input. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "tz.h"

#define H (3600 * 1000LL)
#define MIN (60 * 1000LL)

/* UTC ms of a UTC calendar time. */
static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi };
	return (int64_t)timegm(&tm) * 1000;
}

static const struct tz *
zone(const char *name)
{
	char err[128];
	const struct tz *z = tz_get(name, err, sizeof(err));

	if (z == NULL)
		tap_diag("%s: %s", name, err);
	return z;
}

/* ---- TZif images made here (RFC 8536) ---- */

struct img {
	unsigned char b[8192];
	size_t n;
};

static void
put(struct img *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
put_be(struct img *m, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		m->b[m->n++] = (unsigned char)(v >> (8 * i));
}

static void
put_hdr(struct img *m, char version, uint32_t timecnt, uint32_t typecnt, uint32_t charcnt)
{
	put(m, "TZif", 4);
	m->b[m->n++] = (unsigned char)version;
	memset(m->b + m->n, 0, 15);
	m->n += 15;
	put_be(m, 0, 4);        /* isutcnt */
	put_be(m, 0, 4);        /* isstdcnt */
	put_be(m, 0, 4);        /* leapcnt */
	put_be(m, timecnt, 4);
	put_be(m, typecnt, 4);
	put_be(m, charcnt, 4);
}

/*
 * A version-2 image: a minimal 32-bit block (no transitions, one type, as
 * zic's slim output), then nt transitions at[] (seconds) to types idx[] of
 * the ntypes offsets utoff[], then the footer. version 0 makes a version-1
 * image with the transitions in 32 bits and no footer.
 */
static void
build(struct img *m, char version, const int64_t *at, const uint8_t *idx, uint32_t nt,
    const int32_t *utoff, uint32_t ntypes, const char *footer)
{
	m->n = 0;
	if (version != 0) {
		put_hdr(m, version, 0, 1, 1);
		put_be(m, 0, 4);
		m->b[m->n++] = 0;
		m->b[m->n++] = 0;
		m->b[m->n++] = 0;
	}
	put_hdr(m, version, nt, ntypes, 4);
	for (uint32_t i = 0; i < nt; i++)
		put_be(m, (uint64_t)at[i], version != 0 ? 8 : 4);
	for (uint32_t i = 0; i < nt; i++)
		m->b[m->n++] = idx[i];
	for (uint32_t i = 0; i < ntypes; i++) {
		put_be(m, (uint32_t)utoff[i], 4);
		m->b[m->n++] = i > 0;   /* isdst */
		m->b[m->n++] = 0;       /* designation index */
	}
	put(m, "ZZZ", 4);
	if (version != 0) {
		m->b[m->n++] = '\n';
		put(m, footer, strlen(footer));
		m->b[m->n++] = '\n';
	}
}

/* A zone from nothing but a footer: what a slim file says after its last transition. */
static struct tz *
footer_only(const char *footer)
{
	static const int32_t off0[] = { 0 };
	struct img m;
	char err[128];
	struct tz *z;

	build(&m, '2', NULL, NULL, 0, off0, 1, footer);
	if ((z = tz_parse(m.b, m.n, err, sizeof(err))) == NULL)
		tap_diag("footer '%s': %s", footer, err);
	return z;
}

static int64_t
day_len(const struct tz *z, int64_t t)
{
	return tz_bucket_next(z, t, TZ_DAY) - tz_bucket_start(z, t, TZ_DAY);
}

static void
names(void)
{
	static const char *const bad[] = {
		"", "../etc/passwd", "/etc/passwd", "Europe/../../etc/passwd", "Europe//Berlin", "Europe/",
		"Europe/Berlin\n", "Europe/Ber lin", "Europe/Berlin.", ".", "..", "Nope/Zone", "Europe",
		"zone.tab", "right/Europe/Berlin", "Europe/Berlin%00", "C:\\zone",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",       /* 65 */
	};
	char err[128];
	struct tz *z;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char shown[TZ_NAME_MAX + 2];
		size_t k;
		for (k = 0; bad[i][k] != '\0' && k < sizeof(shown) - 1; k++)
			shown[k] = bad[i][k] >= ' ' && bad[i][k] < 127 ? bad[i][k] : '?';
		shown[k] = '\0';
		err[0] = '\0';
		z = tz_load(bad[i], err, sizeof(err));
		ok(z == NULL && err[0] != '\0', "refused: \"%s\" (%s)", shown, err);
		tz_free(z);
		ok(tz_get(bad[i], err, sizeof(err)) == NULL, "tz_get refuses it too");
	}
	ok(tz_load(NULL, err, sizeof(err)) == NULL, "a NULL name is refused");
	ok(tz_load("Nope/Zone", NULL, 0) == NULL, "err may be NULL");
	z = tz_load("Europe/Berlin", err, sizeof(err));
	ok(z != NULL, "Europe/Berlin loads");
	tz_free(z);
	tz_free(NULL);
	z = tz_load("Etc/GMT+5", err, sizeof(err));
	ok(z != NULL && tz_offset_at(z, utc(2026, 6, 1, 0, 0)) == -5 * 3600, "Etc/GMT+5 is UTC-5 (a '+' in a name)");
	tz_free(z);
	ok(zone("Europe/Berlin") == zone("Europe/Berlin"), "tz_get shares one zone per name");
	ok(zone("America/Argentina/Buenos_Aires") != NULL, "a three-segment name loads");
}

static void
utc_zone(void)
{
	const struct tz *z = zone("UTC");
	int64_t t = utc(2026, 3, 29, 13, 45) + 1234;

	ok(z != NULL && tz_offset_at(z, t) == 0, "UTC is offset 0");
	is_int(tz_bucket_start(z, t, TZ_DAY), utc(2026, 3, 29, 0, 0), "UTC day start");
	is_int(tz_bucket_next(z, t, TZ_DAY), utc(2026, 3, 30, 0, 0), "UTC next day");
	is_int(tz_bucket_start(z, t, TZ_HOUR), utc(2026, 3, 29, 13, 0), "UTC hour start");
	is_int(tz_bucket_start(z, t, TZ_MINUTE), utc(2026, 3, 29, 13, 45), "UTC minute start");
	is_int(tz_bucket_start(z, t, TZ_WEEK), utc(2026, 3, 23, 0, 0), "UTC week starts Monday 2026-03-23");
	is_int(tz_bucket_next(z, t, TZ_WEEK), utc(2026, 3, 30, 0, 0), "and the next Monday");
	is_int(tz_bucket_start(z, utc(1969, 12, 31, 23, 59), TZ_DAY), utc(1969, 12, 31, 0, 0), "before the epoch too");
	is_int(tz_bucket_start(z, utc(1970, 1, 1, 0, 0), TZ_WEEK), utc(1969, 12, 29, 0, 0), "1970-01-01's week");
	is_int(tz_offset_at(NULL, t), 0, "a NULL zone is UTC");
	is_int(tz_bucket_start(NULL, t, TZ_DAY), utc(2026, 3, 29, 0, 0), "and buckets as UTC");
}

static void
berlin(void)
{
	const struct tz *z = zone("Europe/Berlin");
	int64_t spring = utc(2026, 3, 29, 12, 0), autumn = utc(2026, 10, 25, 12, 0), t;

	is_int(tz_offset_at(z, utc(2026, 1, 15, 12, 0)), 3600, "Berlin winter +1");
	is_int(tz_offset_at(z, utc(2026, 7, 15, 12, 0)), 7200, "Berlin summer +2");
	is_int(tz_offset_at(z, utc(2026, 3, 29, 0, 59) + 59999), 3600, "+1 until 01:00Z on 2026-03-29");
	is_int(tz_offset_at(z, utc(2026, 3, 29, 1, 0)), 7200, "+2 from 01:00Z");
	is_int(tz_offset_at(z, utc(2026, 10, 25, 0, 59)), 7200, "+2 until 01:00Z on 2026-10-25");
	is_int(tz_offset_at(z, utc(2026, 10, 25, 1, 0)), 3600, "+1 from 01:00Z");

	is_int(tz_bucket_start(z, spring, TZ_DAY), utc(2026, 3, 28, 23, 0), "2026-03-29 starts at 23:00Z the day before");
	is_int(tz_bucket_next(z, spring, TZ_DAY), utc(2026, 3, 29, 22, 0), "and ends at 22:00Z");
	is_int(day_len(z, spring), 23 * H, "the spring-forward day is 23 h");
	is_int(day_len(z, autumn), 25 * H, "the fall-back day is 25 h");
	is_int(tz_bucket_start(z, autumn, TZ_DAY), utc(2026, 10, 24, 22, 0), "2026-10-25 starts at 22:00Z");
	is_int(day_len(z, utc(2026, 3, 28, 12, 0)), 24 * H, "the day before is 24 h");
	is_int(tz_bucket_start(z, utc(2026, 3, 28, 23, 0) - 1, TZ_DAY), utc(2026, 3, 27, 23, 0),
	    "the last ms of 2026-03-28 local is in 2026-03-28");

	/* hours around the changes: every bucket one hour, the repeated 02:00 twice */
	t = tz_bucket_start(z, utc(2026, 3, 28, 23, 0), TZ_HOUR);
	{
		int ok_all = 1, n = 0;
		for (; t < utc(2026, 3, 29, 22, 0); t = tz_bucket_next(z, t, TZ_HOUR), n++)
			ok_all &= tz_bucket_next(z, t, TZ_HOUR) - t == H;
		ok(ok_all && n == 23, "2026-03-29 has 23 hour buckets of 1 h (%d)", n);
	}
	t = tz_bucket_start(z, utc(2026, 10, 24, 22, 0), TZ_HOUR);
	{
		int ok_all = 1, n = 0;
		for (; t < utc(2026, 10, 25, 23, 0); t = tz_bucket_next(z, t, TZ_HOUR), n++)
			ok_all &= tz_bucket_next(z, t, TZ_HOUR) - t == H;
		ok(ok_all && n == 25, "2026-10-25 has 25 hour buckets of 1 h (%d)", n);
	}
	is_int(tz_bucket_start(z, utc(2026, 10, 25, 0, 30), TZ_HOUR), utc(2026, 10, 25, 0, 0), "02:30 CEST is the first 02:00 hour");
	is_int(tz_bucket_start(z, utc(2026, 10, 25, 1, 30), TZ_HOUR), utc(2026, 10, 25, 1, 0), "02:30 CET the second");
	is_int(tz_bucket_start(z, utc(2026, 3, 29, 1, 15), TZ_HOUR), utc(2026, 3, 29, 1, 0), "03:15 CEST is in the 03:00 hour");

	/* weeks start Monday 00:00 local */
	is_int(tz_bucket_start(z, utc(2026, 3, 29, 12, 0), TZ_WEEK), utc(2026, 3, 22, 23, 0), "week of Sunday 2026-03-29 starts Monday 23 March local");
	is_int(tz_bucket_next(z, utc(2026, 3, 29, 12, 0), TZ_WEEK), utc(2026, 3, 29, 22, 0), "and lasts 167 h");
	is_int(tz_bucket_start(z, utc(2026, 3, 29, 22, 30), TZ_WEEK), utc(2026, 3, 29, 22, 0), "Monday 00:30 local is in the next week");
	is_int(tz_bucket_start(z, utc(2026, 3, 29, 21, 59), TZ_WEEK), utc(2026, 3, 22, 23, 0), "Sunday 23:59 local is not");
}

static void
new_york(void)
{
	const struct tz *z = zone("America/New_York");

	is_int(tz_offset_at(z, utc(2026, 1, 15, 12, 0)), -5 * 3600, "New York winter -5");
	is_int(tz_offset_at(z, utc(2026, 7, 15, 12, 0)), -4 * 3600, "New York summer -4");
	is_int(tz_bucket_start(z, utc(2026, 3, 8, 12, 0), TZ_DAY), utc(2026, 3, 8, 5, 0), "2026-03-08 starts at 05:00Z");
	is_int(day_len(z, utc(2026, 3, 8, 12, 0)), 23 * H, "and lasts 23 h");
	is_int(tz_bucket_start(z, utc(2026, 11, 1, 12, 0), TZ_DAY), utc(2026, 11, 1, 4, 0), "2026-11-01 starts at 04:00Z");
	is_int(day_len(z, utc(2026, 11, 1, 12, 0)), 25 * H, "and lasts 25 h");
	is_int(tz_bucket_start(z, utc(2026, 11, 2, 4, 59), TZ_DAY), utc(2026, 11, 1, 4, 0), "23:59 local on 2026-11-01 is still that day");
	is_int(tz_bucket_start(z, utc(2026, 11, 2, 5, 0), TZ_DAY), utc(2026, 11, 2, 5, 0), "midnight after it starts the next");
}

static void
odd_offsets(void)
{
	const struct tz *k = zone("Asia/Kolkata"), *lh = zone("Australia/Lord_Howe");
	const struct tz *np = zone("Asia/Kathmandu");
	int64_t t = utc(2026, 5, 1, 10, 10);

	is_int(tz_offset_at(k, t), 5 * 3600 + 1800, "Kolkata +5:30");
	is_int(tz_bucket_start(k, t, TZ_HOUR), utc(2026, 5, 1, 9, 30), "its hours start at :30 UTC");
	is_int(tz_bucket_start(k, t, TZ_DAY), utc(2026, 4, 30, 18, 30), "its days at 18:30Z");
	is_int(tz_offset_at(np, t), 5 * 3600 + 2700, "Kathmandu +5:45");
	is_int(tz_bucket_start(np, t, TZ_HOUR), utc(2026, 5, 1, 9, 15), "its hours start at :15 UTC");

	/* Lord Howe: +10:30 standard, +11 summer; the change is at 02:00 local */
	is_int(tz_offset_at(lh, utc(2026, 7, 1, 0, 0)), 10 * 3600 + 1800, "Lord Howe winter +10:30");
	is_int(tz_offset_at(lh, utc(2026, 1, 1, 0, 0)), 11 * 3600, "Lord Howe summer +11");
	/* 2026-10-04 02:00 +10:30 = 2026-10-03 15:30Z, clocks to 02:30 */
	is_int(tz_offset_at(lh, utc(2026, 10, 3, 15, 29)), 10 * 3600 + 1800, "+10:30 just before 15:30Z");
	is_int(tz_offset_at(lh, utc(2026, 10, 3, 15, 30)), 11 * 3600, "+11 from 15:30Z");
	is_int(tz_bucket_start(lh, utc(2026, 10, 3, 15, 10), TZ_HOUR), utc(2026, 10, 3, 14, 30), "01:40 local: hour from 14:30Z");
	is_int(tz_bucket_next(lh, utc(2026, 10, 3, 15, 10), TZ_HOUR), utc(2026, 10, 3, 15, 30), "cut at the change");
	is_int(tz_bucket_start(lh, utc(2026, 10, 3, 15, 40), TZ_HOUR), utc(2026, 10, 3, 15, 30), "02:40 local: a 30-minute bucket");
	is_int(tz_bucket_next(lh, utc(2026, 10, 3, 15, 40), TZ_HOUR), utc(2026, 10, 3, 16, 0), "to 03:00 local");
	is_int(day_len(lh, utc(2026, 10, 3, 20, 0)), 23 * H + 30 * MIN, "that day is 23.5 h");
}

/* Clocks jumping at midnight: the day starts at the jump, or at the second midnight. */
static void
midnights(void)
{
	const struct tz *havana = zone("America/Havana"), *apia = zone("Pacific/Apia");
	struct tz *chile = footer_only("<-04>4<-03>,M9.1.6/24,M4.1.6/24");

	/* Cuba: 2026-03-08 00:00 CST (05:00Z) jumps to 01:00 CDT */
	is_int(tz_bucket_start(havana, utc(2026, 3, 8, 12, 0), TZ_DAY), utc(2026, 3, 8, 5, 0), "Havana 2026-03-08 starts at the jump (05:00Z)");
	is_int(tz_bucket_next(havana, utc(2026, 3, 7, 12, 0), TZ_DAY), utc(2026, 3, 8, 5, 0), "where 2026-03-07 ends");
	is_int(day_len(havana, utc(2026, 3, 8, 12, 0)), 23 * H, "a 23 h day");

	/* Samoa skipped 2011-12-30: Dec 29 24:00 -10 became Dec 31 00:00 +14 */
	is_int(tz_bucket_next(apia, utc(2011, 12, 29, 12, 0), TZ_DAY), utc(2011, 12, 30, 10, 0), "Apia: after 2011-12-29 comes 2011-12-31");
	is_int(tz_bucket_start(apia, utc(2011, 12, 30, 10, 0), TZ_DAY), utc(2011, 12, 30, 10, 0), "which starts at the jump");
	is_int(day_len(apia, utc(2011, 12, 30, 12, 0)), 24 * H, "and is a normal day");

	/* Chile's rule: Saturday 24:00 -03 becomes Saturday 23:00 -04, so the
	 * Saturday is 25 h and Sunday starts at its second midnight */
	/* a whole day back (Alaska's 1867 change of side of the date line): still a tiling */
	{
		static const int64_t at[] = { 1780272000 };     /* 2026-06-01T00:00:00Z */
		static const uint8_t idx[] = { 1 };
		static const int32_t offs[] = { 14 * 3600, -10 * 3600 };
		struct img m;
		struct tz *back;
		int good = 1, n = 0;
		build(&m, '2', at, idx, 1, offs, 2, "");
		back = tz_parse(m.b, m.n, NULL, 0);
		for (int64_t b = tz_bucket_start(back, utc(2026, 5, 28, 0, 0), TZ_DAY); b < utc(2026, 6, 5, 0, 0) && good; n++) {
			int64_t nx = tz_bucket_next(back, b, TZ_DAY);
			good = nx > b;
			for (int64_t p = b; p < nx && good; p += 15 * MIN)
				good = tz_bucket_start(back, p, TZ_DAY) == b && tz_bucket_next(back, p, TZ_DAY) == nx;
			b = nx;
		}
		ok(good, "a zone going back 24 h keeps days that tile (%d days)", n);
		/* local 2026-06-01 13:00 (+14) comes before 05-31 14:00 to 24:00 (-10): it counts in 05-31 */
		is_int(tz_bucket_start(back, utc(2026, 5, 31, 23, 0), TZ_DAY), utc(2026, 5, 30, 10, 0),
		    "the first 06-01 is in 05-31, which starts at its first midnight");
		is_int(tz_bucket_next(back, utc(2026, 5, 31, 23, 0), TZ_DAY), utc(2026, 6, 1, 10, 0),
		    "and ends when 06-01 comes for good: 48 h");
		tz_free(back);
	}

	ok(chile != NULL, "a footer with a 24:00 rule time parses");
	is_int(tz_offset_at(chile, utc(2026, 4, 5, 2, 59)), -3 * 3600, "-3 until 03:00Z on 2026-04-05");
	is_int(tz_offset_at(chile, utc(2026, 4, 5, 3, 0)), -4 * 3600, "-4 from then");
	is_int(tz_bucket_start(chile, utc(2026, 4, 4, 12, 0), TZ_DAY), utc(2026, 4, 4, 3, 0), "Saturday 2026-04-04 starts 03:00Z");
	is_int(tz_bucket_next(chile, utc(2026, 4, 4, 12, 0), TZ_DAY), utc(2026, 4, 5, 4, 0), "and ends at Sunday's 00:00 -04");
	is_int(tz_bucket_start(chile, utc(2026, 4, 5, 3, 30), TZ_DAY), utc(2026, 4, 4, 3, 0), "23:30 the second time is still Saturday");
	is_int(tz_bucket_start(chile, utc(2026, 4, 5, 12, 0), TZ_DAY), utc(2026, 4, 5, 4, 0), "Sunday from 04:00Z");
	/* and spring: first Saturday of September 24:00 -04 -> Sunday 01:00 -03 */
	is_int(tz_bucket_start(chile, utc(2026, 9, 6, 12, 0), TZ_DAY), utc(2026, 9, 6, 4, 0), "Sunday 2026-09-06 starts at the jump");
	is_int(day_len(chile, utc(2026, 9, 6, 12, 0)), 23 * H, "and is 23 h");
	tz_free(chile);
}

/* After the last transition the footer rule decides: far future, slim files. */
static void
footer_rule(void)
{
	const struct tz *berlin = zone("Europe/Berlin"), *ny = zone("America/New_York");
	struct tz *slim = footer_only("CET-1CEST,M3.5.0,M10.5.0/3");
	struct tz *dublin = footer_only("IST-1GMT0,M10.5.0,M3.5.0/1");
	struct tz *perm = footer_only("EST5EDT,0/0,J365/25");
	struct tz *jn = footer_only("XXX-2YYY,J60/0,300/-1:30");
	int same = 1, checked = 0;

	/* fat Debian files stop in 2037 */
	is_int(tz_offset_at(berlin, utc(2045, 7, 1, 0, 0)), 7200, "Berlin 2045 summer from the footer");
	is_int(tz_offset_at(berlin, utc(2045, 12, 1, 0, 0)), 3600, "Berlin 2045 winter");
	is_int(day_len(berlin, utc(2045, 3, 26, 12, 0)), 23 * H, "2045-03-26 (last Sunday of March) is 23 h");
	is_int(day_len(berlin, utc(2045, 10, 29, 12, 0)), 25 * H, "2045-10-29 is 25 h");
	is_int(tz_offset_at(ny, utc(2100, 3, 14, 6, 59)), -5 * 3600, "New York 2100-03-14 06:59Z still EST");
	is_int(tz_offset_at(ny, utc(2100, 3, 14, 7, 0)), -4 * 3600, "EDT from 07:00Z (second Sunday of March)");
	is_int(tz_offset_at(berlin, utc(9999, 7, 1, 0, 0)), 7200, "year 9999");
	is_int(tz_offset_at(berlin, INT64_MAX), 3600, "INT64_MAX counts as the end of 9999 (winter)");
	is_int(tz_offset_at(berlin, INT64_MIN), tz_offset_at(berlin, TZ_MIN_MS), "INT64_MIN as year 1");

	/* a file with no transitions at all agrees with the fat one from 1996 to 2037 */
	ok(slim != NULL, "a footer-only (slim) Berlin parses");
	for (int64_t t = utc(1996, 1, 1, 0, 0); t < utc(2037, 12, 31, 0, 0); t += 7 * H + 13 * MIN) {
		same &= tz_offset_at(slim, t) == tz_offset_at(berlin, t);
		checked++;
	}
	ok(same, "its offsets equal the file's at %d instants 1996-2037", checked);
	is_int(tz_bucket_start(slim, utc(2035, 3, 25, 12, 0), TZ_DAY), tz_bucket_start(berlin, utc(2035, 3, 25, 12, 0), TZ_DAY),
	    "and so do its 2035 days");

	/* negative DST: Irish standard time is summer, GMT the "DST" of winter */
	is_int(tz_offset_at(dublin, utc(2030, 1, 10, 0, 0)), 0, "Dublin-style footer: winter GMT");
	is_int(tz_offset_at(dublin, utc(2030, 7, 10, 0, 0)), 3600, "summer +1");
	is_int(tz_offset_at(dublin, utc(2030, 3, 31, 0, 59)), 0, "change at 01:00Z on 2030-03-31");
	is_int(tz_offset_at(dublin, utc(2030, 3, 31, 1, 0)), 3600, "IST from 01:00Z");

	/* RFC 8536 3.3.1: DST all year */
	is_int(tz_offset_at(perm, utc(2030, 1, 1, 4, 0)), -4 * 3600, "DST all year (0/0,J365/25): January");
	is_int(tz_offset_at(perm, utc(2030, 12, 31, 23, 0)), -4 * 3600, "New Year's Eve");
	is_int(day_len(perm, utc(2030, 1, 1, 12, 0)), 24 * H, "days are 24 h");

	/* Jn skips Feb 29, n counts it: J60 is 1 March, 300 is day 300 from 0 */
	is_int(tz_offset_at(jn, utc(2028, 2, 29, 21, 59)), 2 * 3600, "J60 in a leap year is 1 March (not yet)");
	is_int(tz_offset_at(jn, utc(2028, 2, 29, 22, 0)), 3 * 3600, "from 1 March 00:00 local");
	/* day 300 of 2028 (leap) is 27 October; at -1:30 local, i.e. 26 Oct 22:30 +3 = 19:30Z */
	is_int(tz_offset_at(jn, utc(2028, 10, 26, 19, 29)), 3 * 3600, "300/-1:30 (not yet)");
	is_int(tz_offset_at(jn, utc(2028, 10, 26, 19, 30)), 2 * 3600, "300/-1:30");
	tz_free(slim);
	tz_free(dublin);
	tz_free(perm);
	tz_free(jn);
}

/* Buckets tile time: each starts where the last ended, and every instant in between maps to it. */
static void
tiling(void)
{
	static const char *const zones[] = { "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
		"Asia/Kolkata", "America/Havana", "Pacific/Chatham", "America/Sao_Paulo", "Pacific/Apia" };
	static const enum tz_unit units[] = { TZ_MINUTE, TZ_HOUR, TZ_DAY, TZ_WEEK };
	static const char *const unit_names[] = { "minute", "hour", "day", "week" };

	for (size_t zi = 0; zi < sizeof(zones) / sizeof(zones[0]); zi++) {
		const struct tz *z = zone(zones[zi]);
		for (size_t ui = 0; ui < 4; ui++) {
			enum tz_unit u = units[ui];
			int64_t from = u == TZ_MINUTE ? utc(2026, 3, 28, 0, 0) : utc(2010, 1, 1, 0, 0);
			int64_t to = u == TZ_MINUTE ? utc(2026, 4, 6, 0, 0) : u == TZ_HOUR ? utc(2013, 1, 1, 0, 0) : utc(2031, 1, 1, 0, 0);
			int64_t b = tz_bucket_start(z, from, u), prev = b;
			int good = 1, n = 0;
			uint64_t s = 88172645463325252ULL;
			while (b < to && good) {
				int64_t nx = tz_bucket_next(z, b, u), probe;
				s ^= s << 13, s ^= s >> 7, s ^= s << 17;
				probe = b + (int64_t)(s % (uint64_t)(nx - b));
				good = nx > b && tz_bucket_start(z, b, u) == b && tz_bucket_start(z, nx - 1, u) == b &&
				    tz_bucket_start(z, probe, u) == b && tz_bucket_next(z, probe, u) == nx && b >= prev;
				if (!good)
					tap_diag("%s %s bucket at %lld: next %lld, start(next-1) %lld", zones[zi], unit_names[ui],
					    (long long)b, (long long)nx, (long long)tz_bucket_start(z, nx - 1, u));
				if (u == TZ_DAY)
					good &= nx - b >= 22 * H && nx - b <= 26 * H;
				prev = b;
				b = nx;
				n++;
			}
			ok(good, "%s: %d %s buckets tile time", zones[zi], n, unit_names[ui]);
		}
	}
}

/*
 * Expected values: generated once by this python3 script from zoneinfo,
 * which reads the same /usr/share/zoneinfo (Debian tzdata 2025b). Rows
 * after 2025 are for zones whose rules are settled; a tzdata release that
 * changes one of them means running the script again.
 *
 * # Expected offsets and bucket starts for test_tz.c, from python3's zoneinfo
 * # reading the same /usr/share/zoneinfo. Bucket starts by their definition in
 * # include/tz.h, over the exact offset changes found by bisection.
 * import random, zoneinfo
 * from datetime import datetime, timezone
 * random.seed(2025)
 * ZONES = [  # name, rows after 2025 (their rules are settled)
 *     ("UTC", 1), ("Europe/Berlin", 1), ("America/New_York", 1), ("Australia/Lord_Howe", 1),
 *     ("Asia/Kolkata", 1), ("Pacific/Chatham", 1), ("Europe/Dublin", 1), ("America/St_Johns", 1),
 *     ("Antarctica/Troll", 1), ("Asia/Kathmandu", 1), ("Pacific/Kiritimati", 1), ("America/Havana", 1),
 *     ("America/Sao_Paulo", 0), ("America/Santiago", 0), ("Pacific/Apia", 0), ("Africa/Casablanca", 0),
 *     ("Asia/Tehran", 0),
 * ]
 * Y = lambda y: int(datetime(y, 1, 1, tzinfo=timezone.utc).timestamp())
 * def off(z, t):
 *     return int(datetime.fromtimestamp(t, timezone.utc).astimezone(z).utcoffset().total_seconds())
 * def changes(z, a, b):
 *     """Instants in (a, b] where the offset changes (to the second)."""
 *     out, step, x = [], 1800, a
 *     while x < b:
 *         y = min(x + step, b)
 *         if off(z, x) != off(z, y):
 *             lo, hi = x, y
 *             while hi - lo > 1:
 *                 m = (lo + hi) // 2
 *                 if off(z, m) == off(z, lo): lo = m
 *                 else: hi = m
 *             out.append(hi)
 *         x = y
 *     return out
 * def span_lo(z, t):
 *     c = [x for x in changes(z, t - 9 * 86400, t) if x <= t]
 *     return c[-1] if c else None
 * def day_start(z, t, week=False):
 *     L = t + off(z, t)
 *     d = L // 86400
 *     if week: d -= (d + 3) % 7
 *     lm = d * 86400
 *     cs = [x for x in changes(z, t - 10 * 86400, t) if x <= t]
 *     x, o = t, off(z, t)
 *     while True:
 *         lo = cs.pop() if cs else None
 *         if lo is None or lm - o > lo: return lm - o
 *         prev = off(z, lo - 1)
 *         if lm - prev >= lo: return lo
 *         o = prev
 * def hour_start(z, t):
 *     o = off(z, t)
 *     s = t - (t + o) % 3600
 *     lo = span_lo(z, t)
 *     return max(s, lo) if lo is not None else s
 * rows = []
 * for zi, (name, future) in enumerate(ZONES):
 *     z = zoneinfo.ZoneInfo(name)
 *     ts = [random.randrange(Y(1901), Y(2025)) for _ in range(30)]
 *     hi = Y(2041) if future else Y(2025)
 *     ts += [random.randrange(Y(2025), hi) for _ in range(25 if future else 0)]
 *     for c in changes(z, Y(2019), hi):
 *         ts += [c - 1, c, c + 1800 + random.randrange(0, 5400)]
 *     ts = sorted(set(ts))
 *     if len(ts) > 80:
 *         ts = sorted(random.sample(ts, 80))
 *     for t in ts:
 *         rows.append((zi, t, off(z, t), t - day_start(z, t), t - day_start(z, t, True), t - hour_start(z, t)))
 * print("static const char *const sweep_zones[] = {")
 * for n, _ in ZONES: print('\t"%s",' % n)
 * print("};")
 * print("static const struct sweep { int zone; int64_t t; int32_t off, since_day, since_week, since_hour; } sweep[] = {")
 * for r in rows: print("\t{ %d, %d, %d, %d, %d, %d }," % r)
 * print("};")
 */
static const char *const sweep_zones[] = {
	"UTC",
	"Europe/Berlin",
	"America/New_York",
	"Australia/Lord_Howe",
	"Asia/Kolkata",
	"Pacific/Chatham",
	"Europe/Dublin",
	"America/St_Johns",
	"Antarctica/Troll",
	"Asia/Kathmandu",
	"Pacific/Kiritimati",
	"America/Havana",
	"America/Sao_Paulo",
	"America/Santiago",
	"Pacific/Apia",
	"Africa/Casablanca",
	"Asia/Tehran",
};
static const struct sweep { int zone; int64_t t; int32_t off, since_day, since_week, since_hour; } sweep[] = {
	{ 0, -2175531223, 0, 20777, 193577, 2777 },
	{ 0, -2057754002, 0, 34798, 34798, 2398 },
	{ 0, -1991259940, 0, 860, 860, 860 },
	{ 0, -1966011306, 0, 20694, 452694, 2694 },
	{ 0, -1894905542, 0, 19258, 192058, 1258 },
	{ 0, -1890458331, 0, 60069, 405669, 2469 },
	{ 0, -1822249599, 0, 12801, 272001, 2001 },
	{ 0, -1757866803, 0, 27597, 545997, 2397 },
	{ 0, -1750755255, 0, 54345, 399945, 345 },
	{ 0, -1667695353, 0, 83847, 602247, 1047 },
	{ 0, -1433200618, 0, 2582, 434582, 2582 },
	{ 0, -1268839042, 0, 31358, 290558, 2558 },
	{ 0, -1180990039, 0, 11561, 443561, 761 },
	{ 0, -582901912, 0, 38888, 384488, 2888 },
	{ 0, -564552663, 0, 71337, 589737, 2937 },
	{ 0, -564037797, 0, 67803, 499803, 3003 },
	{ 0, -533793181, 0, 72419, 504419, 419 },
	{ 0, -455717121, 0, 42879, 561279, 3279 },
	{ 0, -410494913, 0, 77887, 423487, 2287 },
	{ 0, -126149746, 0, 80654, 512654, 1454 },
	{ 0, 13923309, 0, 12909, 272109, 2109 },
	{ 0, 95825074, 0, 7474, 525874, 274 },
	{ 0, 200945047, 0, 65047, 410647, 247 },
	{ 0, 218074556, 0, 956, 956, 956 },
	{ 0, 269427896, 0, 32696, 551096, 296 },
	{ 0, 452900418, 0, 78018, 164418, 2418 },
	{ 0, 596429954, 0, 10754, 356354, 3554 },
	{ 0, 1117943337, 0, 13737, 532137, 2937 },
	{ 0, 1167803262, 0, 20862, 193662, 2862 },
	{ 0, 1419721891, 0, 83491, 515491, 691 },
	{ 0, 1749982945, 0, 37345, 555745, 1345 },
	{ 0, 1752133885, 0, 28285, 287485, 3085 },
	{ 0, 1795166329, 0, 33529, 379129, 1129 },
	{ 0, 1801174899, 0, 80499, 339699, 1299 },
	{ 0, 1837344107, 0, 48107, 220907, 1307 },
	{ 0, 1839983993, 0, 9593, 441593, 2393 },
	{ 0, 1842045326, 0, 83726, 83726, 926 },
	{ 0, 1847454016, 0, 49216, 49216, 2416 },
	{ 0, 1858059692, 0, 27692, 373292, 2492 },
	{ 0, 1866391876, 0, 65476, 238276, 676 },
	{ 0, 1925994636, 0, 52236, 570636, 1836 },
	{ 0, 1949149040, 0, 51440, 137840, 1040 },
	{ 0, 1982807875, 0, 14275, 532675, 3475 },
	{ 0, 2014718878, 0, 43678, 389278, 478 },
	{ 0, 2028892504, 0, 47704, 47704, 904 },
	{ 0, 2055488272, 0, 32272, 32272, 3472 },
	{ 0, 2078588987, 0, 64187, 150587, 2987 },
	{ 0, 2115917621, 0, 68021, 586421, 3221 },
	{ 0, 2148905868, 0, 51468, 310668, 1068 },
	{ 0, 2155414530, 0, 80130, 166530, 930 },
	{ 0, 2157710711, 0, 43511, 43511, 311 },
	{ 0, 2219126032, 0, 28432, 374032, 3232 },
	{ 0, 2225410984, 0, 6184, 6184, 2584 },
	{ 0, 2230298368, 0, 55168, 55168, 1168 },
	{ 0, 2240511786, 0, 73386, 591786, 1386 },
	{ 1, -2038355089, 3600, 83711, 83711, 911 },
	{ 1, -1805529481, 3600, 61319, 61319, 119 },
	{ 1, -785398790, 3600, 67210, 499210, 2410 },
	{ 1, 105725397, 3600, 61797, 148197, 597 },
	{ 1, 302242499, 3600, 18899, 105299, 899 },
	{ 1, 340598885, 3600, 13685, 359285, 2885 },
	{ 1, 424472102, 7200, 82502, 168902, 3302 },
	{ 1, 1245868842, 7200, 74442, 247242, 2442 },
	{ 1, 1312867249, 7200, 26449, 112849, 1249 },
	{ 1, 1354668920, 3600, 6920, 179720, 3320 },
	{ 1, 1553993999, 3600, 7199, 525599, 3599 },
	{ 1, 1572138000, 3600, 10800, 529200, 0 },
	{ 1, 1585443599, 3600, 7199, 525599, 3599 },
	{ 1, 1585443600, 7200, 7200, 525600, 0 },
	{ 1, 1585447658, 7200, 11258, 529658, 458 },
	{ 1, 1603587599, 7200, 10799, 529199, 3599 },
	{ 1, 1616893200, 7200, 7200, 525600, 0 },
	{ 1, 1616897248, 7200, 11248, 529648, 448 },
	{ 1, 1635642000, 3600, 10800, 529200, 0 },
	{ 1, 1635648420, 3600, 17220, 535620, 2820 },
	{ 1, 1648349830, 7200, 14230, 532630, 3430 },
	{ 1, 1698541200, 3600, 10800, 529200, 0 },
	{ 1, 1698545875, 3600, 15475, 533875, 1075 },
	{ 1, 1711846800, 7200, 7200, 525600, 0 },
	{ 1, 1729990799, 7200, 10799, 529199, 3599 },
	{ 1, 1729997088, 3600, 17088, 535488, 2688 },
	{ 1, 1743296399, 3600, 7199, 525599, 3599 },
	{ 1, 1743296400, 7200, 7200, 525600, 0 },
	{ 1, 1774746000, 7200, 7200, 525600, 0 },
	{ 1, 1774752339, 7200, 13539, 531939, 2739 },
	{ 1, 1776225518, 7200, 21518, 194318, 3518 },
	{ 1, 1792890000, 3600, 10800, 529200, 0 },
	{ 1, 1806195599, 3600, 7199, 525599, 3599 },
	{ 1, 1806195600, 7200, 7200, 525600, 0 },
	{ 1, 1822084367, 7200, 1967, 88367, 1967 },
	{ 1, 1824944399, 7200, 10799, 529199, 3599 },
	{ 1, 1824944400, 3600, 10800, 529200, 0 },
	{ 1, 1824950314, 3600, 16714, 535114, 2314 },
	{ 1, 1837645199, 3600, 7199, 525599, 3599 },
	{ 1, 1856393999, 7200, 10799, 529199, 3599 },
	{ 1, 1856394000, 3600, 10800, 529200, 0 },
	{ 1, 1857491878, 3600, 68278, 413878, 3478 },
	{ 1, 1867046519, 3600, 32519, 291719, 119 },
	{ 1, 1869094800, 7200, 7200, 525600, 0 },
	{ 1, 1887847418, 3600, 14618, 533018, 218 },
	{ 1, 1901149199, 3600, 7199, 525599, 3599 },
	{ 1, 1901153514, 7200, 11514, 529914, 714 },
	{ 1, 1903224617, 7200, 12617, 185417, 1817 },
	{ 1, 1913491804, 7200, 84604, 171004, 1804 },
	{ 1, 1919293199, 7200, 10799, 529199, 3599 },
	{ 1, 1932598800, 7200, 7200, 525600, 0 },
	{ 1, 1932600800, 7200, 9200, 527600, 2000 },
	{ 1, 1950742800, 3600, 10800, 529200, 0 },
	{ 1, 1964048400, 7200, 7200, 525600, 0 },
	{ 1, 1982802340, 3600, 15940, 534340, 1540 },
	{ 1, 1995500071, 7200, 9271, 527671, 2071 },
	{ 1, 2014246799, 7200, 10799, 529199, 3599 },
	{ 1, 2014246800, 3600, 10800, 529200, 0 },
	{ 1, 2014250285, 3600, 14285, 532685, 3485 },
	{ 1, 2051037291, 3600, 77691, 423291, 2091 },
	{ 1, 2057631145, 3600, 18745, 364345, 745 },
	{ 1, 2058397200, 7200, 7200, 525600, 0 },
	{ 1, 2077145999, 7200, 10799, 529199, 3599 },
	{ 1, 2077146000, 3600, 10800, 529200, 0 },
	{ 1, 2077148974, 3600, 13774, 532174, 2974 },
	{ 1, 2090458577, 7200, 14177, 532577, 3377 },
	{ 1, 2108601032, 3600, 16232, 534632, 1832 },
	{ 1, 2121907692, 7200, 13692, 532092, 2892 },
	{ 1, 2142590190, 3600, 46590, 46590, 3390 },
	{ 1, 2153350800, 7200, 7200, 525600, 0 },
	{ 1, 2184800399, 3600, 7199, 525599, 3599 },
	{ 1, 2184800400, 7200, 7200, 525600, 0 },
	{ 1, 2184802293, 7200, 9093, 527493, 1893 },
	{ 1, 2186569807, 7200, 52207, 484207, 1807 },
	{ 1, 2203551774, 3600, 13374, 531774, 2574 },
	{ 1, 2215637231, 3600, 85631, 517631, 2831 },
	{ 1, 2216249999, 3600, 7199, 525599, 3599 },
	{ 1, 2216250000, 7200, 7200, 525600, 0 },
	{ 1, 2216256569, 7200, 13769, 532169, 2969 },
	{ 1, 2234998799, 7200, 10799, 529199, 3599 },
	{ 2, -1944001539, -18000, 66861, 66861, 2061 },
	{ 2, -1943353097, -18000, 24103, 110503, 2503 },
	{ 2, -1349804839, -18000, 4361, 349961, 761 },
	{ 2, -1053197417, -14400, 4183, 4183, 583 },
	{ 2, -1035337134, -18000, 62466, 321666, 1266 },
	{ 2, -1021895273, -14400, 29527, 461527, 727 },
	{ 2, -988213281, -14400, 15519, 274719, 1119 },
	{ 2, -641692421, -14400, 72379, 245179, 379 },
	{ 2, -463630691, -18000, 60109, 492109, 2509 },
	{ 2, -317600521, -18000, 74279, 160679, 2279 },
	{ 2, -206301431, -14400, 7369, 180169, 169 },
	{ 2, 235273189, -14400, 77989, 250789, 2389 },
	{ 2, 431127063, -14400, 63063, 149463, 1863 },
	{ 2, 507435892, -18000, 77092, 249892, 1492 },
	{ 2, 1060628644, -14400, 54244, 54244, 244 },
	{ 2, 1149229179, -14400, 8379, 353979, 1179 },
	{ 2, 1552205358, -14400, 11358, 529758, 558 },
	{ 2, 1572760799, -14400, 7199, 525599, 3599 },
	{ 2, 1572760800, -18000, 7200, 525600, 0 },
	{ 2, 1583650799, -18000, 7199, 525599, 3599 },
	{ 2, 1583650800, -14400, 7200, 525600, 0 },
	{ 2, 1604210399, -14400, 7199, 525599, 3599 },
	{ 2, 1604210400, -18000, 7200, 525600, 0 },
	{ 2, 1604216499, -18000, 13299, 531699, 2499 },
	{ 2, 1615705199, -18000, 7199, 525599, 3599 },
	{ 2, 1615705200, -14400, 7200, 525600, 0 },
	{ 2, 1647154799, -18000, 7199, 525599, 3599 },
	{ 2, 1647154800, -14400, 7200, 525600, 0 },
	{ 2, 1667719230, -18000, 12030, 530430, 1230 },
	{ 2, 1678604399, -18000, 7199, 525599, 3599 },
	{ 2, 1678604400, -14400, 7200, 525600, 0 },
	{ 2, 1678606948, -14400, 9748, 528148, 2548 },
	{ 2, 1695651946, -14400, 37546, 37546, 1546 },
	{ 2, 1710053999, -18000, 7199, 525599, 3599 },
	{ 2, 1710054000, -14400, 7200, 525600, 0 },
	{ 2, 1741503600, -14400, 7200, 525600, 0 },
	{ 2, 1741508403, -14400, 12003, 530403, 1203 },
	{ 2, 1761976660, -14400, 7060, 439060, 3460 },
	{ 2, 1762063199, -14400, 7199, 525599, 3599 },
	{ 2, 1762063200, -18000, 7200, 525600, 0 },
	{ 2, 1772953199, -18000, 7199, 525599, 3599 },
	{ 2, 1772953200, -14400, 7200, 525600, 0 },
	{ 2, 1783339972, -14400, 29572, 29572, 772 },
	{ 2, 1805007599, -18000, 7199, 525599, 3599 },
	{ 2, 1805007600, -14400, 7200, 525600, 0 },
	{ 2, 1815824323, -14400, 27523, 459523, 2323 },
	{ 2, 1825567200, -18000, 7200, 525600, 0 },
	{ 2, 1836461517, -14400, 11517, 529917, 717 },
	{ 2, 1857016799, -14400, 7199, 525599, 3599 },
	{ 2, 1867911422, -14400, 11822, 530222, 1022 },
	{ 2, 1888470310, -18000, 11110, 529510, 310 },
	{ 2, 1899356399, -18000, 7199, 525599, 3599 },
	{ 2, 1923485436, -18000, 30636, 462636, 1836 },
	{ 2, 1930805999, -18000, 7199, 525599, 3599 },
	{ 2, 1983420000, -18000, 7200, 525600, 0 },
	{ 2, 1983424393, -18000, 11593, 529993, 793 },
	{ 2, 1994309999, -18000, 7199, 525599, 3599 },
	{ 2, 1994310000, -14400, 7200, 525600, 0 },
	{ 2, 1994314234, -14400, 11434, 529834, 634 },
	{ 2, 2014869600, -18000, 7200, 525600, 0 },
	{ 2, 2025759600, -14400, 7200, 525600, 0 },
	{ 2, 2032663761, -14400, 2961, 175761, 2961 },
	{ 2, 2046319200, -18000, 7200, 525600, 0 },
	{ 2, 2049156721, -18000, 76321, 335521, 721 },
	{ 2, 2073800107, -14400, 12907, 185707, 2107 },
	{ 2, 2120108400, -14400, 7200, 525600, 0 },
	{ 2, 2120115577, -14400, 14377, 532777, 3577 },
	{ 2, 2140673365, -18000, 12565, 530965, 1765 },
	{ 2, 2152164905, -14400, 9305, 527705, 2105 },
	{ 2, 2154473039, -14400, 74639, 420239, 2639 },
	{ 2, 2172722399, -14400, 7199, 525599, 3599 },
	{ 2, 2172722400, -18000, 7200, 525600, 0 },
	{ 2, 2172725598, -18000, 10398, 528798, 3198 },
	{ 2, 2178867416, -18000, 14216, 14216, 3416 },
	{ 2, 2210416872, -18000, 27672, 114072, 2472 },
	{ 2, 2215061999, -18000, 7199, 525599, 3599 },
	{ 2, 2215062000, -14400, 7200, 525600, 0 },
	{ 2, 2215066510, -14400, 11710, 530110, 910 },
	{ 2, 2235621599, -14400, 7199, 525599, 3599 },
	{ 2, 2235628322, -18000, 13922, 532322, 3122 },
	{ 3, -1460074369, 36000, 35231, 208031, 2831 },
	{ 3, -1418538323, 36000, 12877, 12877, 2077 },
	{ 3, -1235935260, 36000, 52740, 571140, 2340 },
	{ 3, -1119775049, 36000, 4951, 4951, 1351 },
	{ 3, -862123522, 36000, 11678, 11678, 878 },
	{ 3, -829678658, 36000, 56542, 402142, 2542 },
	{ 3, -768566005, 36000, 84395, 429995, 1595 },
	{ 3, -597982364, 36000, 28036, 460036, 2836 },
	{ 3, -307421446, 36000, 25754, 112154, 554 },
	{ 3, 480841197, 37800, 62997, 322197, 1797 },
	{ 3, 554846224, 37800, 23224, 541624, 1624 },
	{ 3, 687878408, 37800, 85808, 517808, 3008 },
	{ 3, 1554562799, 39600, 7199, 525599, 3599 },
	{ 3, 1554562800, 37800, 7200, 525600, 0 },
	{ 3, 1570289399, 37800, 7199, 525599, 3599 },
	{ 3, 1570289400, 39600, 7200, 525600, 0 },
	{ 3, 1570294064, 39600, 11864, 530264, 2864 },
	{ 3, 1586012399, 39600, 7199, 525599, 3599 },
	{ 3, 1586015616, 37800, 10416, 528816, 1416 },
	{ 3, 1601738999, 37800, 7199, 525599, 3599 },
	{ 3, 1601739000, 39600, 7200, 525600, 0 },
	{ 3, 1601741728, 39600, 9928, 528328, 928 },
	{ 3, 1617461999, 39600, 7199, 525599, 3599 },
	{ 3, 1633188600, 39600, 7200, 525600, 0 },
	{ 3, 1648911599, 39600, 7199, 525599, 3599 },
	{ 3, 1648911600, 37800, 7200, 525600, 0 },
	{ 3, 1664638199, 37800, 7199, 525599, 3599 },
	{ 3, 1664642773, 39600, 11773, 530173, 2773 },
	{ 3, 1680361199, 39600, 7199, 525599, 3599 },
	{ 3, 1696094446, 39600, 13846, 532246, 1246 },
	{ 3, 1712417553, 37800, 9153, 527553, 153 },
	{ 3, 1728142199, 37800, 7199, 525599, 3599 },
	{ 3, 1743867074, 37800, 9074, 527474, 74 },
	{ 3, 1759595736, 39600, 11136, 529536, 2136 },
	{ 3, 1761336761, 39600, 25961, 457961, 761 },
	{ 3, 1775314799, 39600, 7199, 525599, 3599 },
	{ 3, 1775317251, 37800, 9651, 528051, 651 },
	{ 3, 1791045749, 39600, 11549, 529949, 2549 },
	{ 3, 1798122320, 39600, 5120, 350720, 1520 },
	{ 3, 1804520094, 39600, 9294, 95694, 2094 },
	{ 3, 1806764399, 39600, 7199, 525599, 3599 },
	{ 3, 1806764400, 37800, 7200, 525600, 0 },
	{ 3, 1845405345, 37800, 25545, 457545, 345 },
	{ 3, 1869663599, 39600, 7199, 525599, 3599 },
	{ 3, 1886001029, 39600, 13229, 531629, 629 },
	{ 3, 1898044046, 39600, 48446, 480446, 1646 },
	{ 3, 1901717999, 39600, 7199, 525599, 3599 },
	{ 3, 1901720382, 37800, 9582, 527982, 582 },
	{ 3, 1917444599, 37800, 7199, 525599, 3599 },
	{ 3, 1917451021, 39600, 13621, 532021, 1021 },
	{ 3, 1933167599, 39600, 7199, 525599, 3599 },
	{ 3, 1933167600, 37800, 7200, 525600, 0 },
	{ 3, 1933171128, 37800, 10728, 529128, 1728 },
	{ 3, 1948527113, 37800, 72113, 158513, 113 },
	{ 3, 1948900897, 39600, 13897, 532297, 1297 },
	{ 3, 1964617199, 39600, 7199, 525599, 3599 },
	{ 3, 1977679966, 37800, 21766, 280966, 166 },
	{ 3, 1980348372, 39600, 11772, 530172, 2772 },
	{ 3, 1986120876, 39600, 83676, 256476, 876 },
	{ 3, 1991206152, 39600, 71352, 503352, 2952 },
	{ 3, 1996066800, 37800, 7200, 525600, 0 },
	{ 3, 2011793399, 37800, 7199, 525599, 3599 },
	{ 3, 2011796290, 39600, 10090, 528490, 1090 },
	{ 3, 2027516399, 39600, 7199, 525599, 3599 },
	{ 3, 2027522559, 37800, 13359, 531759, 759 },
	{ 3, 2075297399, 37800, 7199, 525599, 3599 },
	{ 3, 2075966046, 39600, 72846, 591246, 846 },
	{ 3, 2086552079, 39600, 31679, 290879, 2879 },
	{ 3, 2091020399, 39600, 7199, 525599, 3599 },
	{ 3, 2091020400, 37800, 7200, 525600, 0 },
	{ 3, 2122470000, 37800, 7200, 525600, 0 },
	{ 3, 2138200464, 39600, 11064, 529464, 2064 },
	{ 3, 2139219458, 39600, 81458, 340658, 2258 },
	{ 3, 2185369199, 39600, 7199, 525599, 3599 },
	{ 3, 2185371982, 37800, 9982, 528382, 982 },
	{ 3, 2201098605, 39600, 10005, 528405, 1005 },
	{ 3, 2216818799, 39600, 7199, 525599, 3599 },
	{ 3, 2216818800, 37800, 7200, 525600, 0 },
	{ 3, 2220545911, 37800, 17311, 17311, 2911 },
	{ 3, 2233153523, 39600, 10523, 528923, 1523 },
	{ 4, -1793462189, 19800, 48811, 48811, 2011 },
	{ 4, -1706966593, 19800, 58007, 58007, 407 },
	{ 4, -1690387005, 19800, 48795, 307995, 1995 },
	{ 4, -1639520143, 19800, 26057, 371657, 857 },
	{ 4, -1499527414, 19800, 50786, 50786, 386 },
	{ 4, -925508174, 19800, 28426, 114826, 3226 },
	{ 4, -790537541, 23400, 45859, 218659, 2659 },
	{ 4, -745550810, 19800, 14590, 446590, 190 },
	{ 4, -657797214, 19800, 72186, 504186, 186 },
	{ 4, -632297103, 19800, 84297, 602697, 1497 },
	{ 4, -605022401, 19800, 56599, 56599, 2599 },
	{ 4, -412206232, 19800, 27968, 546368, 2768 },
	{ 4, -354586710, 19800, 18690, 105090, 690 },
	{ 4, -352275450, 19800, 83550, 601950, 750 },
	{ 4, -257315789, 19800, 3211, 3211, 3211 },
	{ 4, -101597816, 19800, 28384, 287584, 3184 },
	{ 4, -50494911, 19800, 68889, 587289, 489 },
	{ 4, 41293038, 19800, 13638, 445638, 2838 },
	{ 4, 51704817, 19800, 57417, 575817, 3417 },
	{ 4, 103394731, 19800, 80131, 252931, 931 },
	{ 4, 224572437, 19800, 38637, 470637, 2637 },
	{ 4, 255641720, 19800, 3920, 90320, 320 },
	{ 4, 308113375, 19800, 30775, 549175, 1975 },
	{ 4, 354917621, 19800, 6221, 179021, 2621 },
	{ 4, 607804984, 19800, 784, 259984, 784 },
	{ 4, 724197804, 19800, 12804, 531204, 2004 },
	{ 4, 725353109, 19800, 44909, 476909, 1709 },
	{ 4, 1131394055, 19800, 5855, 92255, 2255 },
	{ 4, 1315815838, 19800, 50038, 50038, 3238 },
	{ 4, 1352916029, 19800, 84629, 257429, 1829 },
	{ 4, 1740162046, 19800, 85846, 431446, 3046 },
	{ 4, 1760910162, 19800, 11562, 11562, 762 },
	{ 4, 1788030029, 19800, 1829, 520229, 1829 },
	{ 4, 1813087786, 19800, 3586, 176386, 3586 },
	{ 4, 1835092478, 19800, 62678, 408278, 1478 },
	{ 4, 1856255596, 19800, 57796, 403396, 196 },
	{ 4, 1910399247, 19800, 28647, 115047, 3447 },
	{ 4, 1923059487, 19800, 74487, 74487, 2487 },
	{ 4, 1929652725, 19800, 14925, 14925, 525 },
	{ 4, 1946058108, 19800, 4308, 90708, 708 },
	{ 4, 1947880929, 19800, 12729, 99129, 1929 },
	{ 4, 1958717470, 19800, 49270, 49270, 2470 },
	{ 4, 1979574645, 19800, 84045, 343245, 1245 },
	{ 4, 2012462724, 19800, 53724, 572124, 3324 },
	{ 4, 2049583631, 19800, 22631, 195431, 1031 },
	{ 4, 2064475085, 19800, 53285, 571685, 2885 },
	{ 4, 2099231856, 19800, 77256, 250056, 1656 },
	{ 4, 2103219911, 19800, 4511, 4511, 911 },
	{ 4, 2113855843, 19800, 13243, 358843, 2443 },
	{ 4, 2153531189, 19800, 30989, 117389, 2189 },
	{ 4, 2166491638, 19800, 31438, 377038, 2638 },
	{ 4, 2188664214, 19800, 85614, 172014, 2814 },
	{ 4, 2191049766, 19800, 51966, 138366, 1566 },
	{ 4, 2221899043, 19800, 56443, 142843, 2443 },
	{ 4, 2236075403, 19800, 63203, 408803, 2003 },
	{ 5, -2142524947, 44100, 66353, 584753, 1553 },
	{ 5, -2009352716, 44100, 9784, 96184, 2584 },
	{ 5, -1990448036, 44100, 79264, 252064, 64 },
	{ 5, -1956470135, 44100, 15565, 361165, 1165 },
	{ 5, -1277472518, 44100, 81982, 168382, 2782 },
	{ 5, -305501297, 45900, 55003, 227803, 1003 },
	{ 5, -286913651, 45900, 66649, 66649, 1849 },
	{ 5, 25106797, 45900, 10297, 10297, 3097 },
	{ 5, 121847898, 45900, 69798, 588198, 1398 },
	{ 5, 176435750, 45900, 52850, 139250, 2450 },
	{ 5, 1436500059, 45900, 59559, 405159, 1959 },
	{ 5, 1495136750, 45900, 30650, 376250, 1850 },
	{ 5, 1554559199, 49500, 13499, 531899, 2699 },
	{ 5, 1554559200, 45900, 13500, 531900, 0 },
	{ 5, 1554564249, 45900, 18549, 536949, 549 },
	{ 5, 1569679200, 49500, 9900, 528300, 0 },
	{ 5, 1586008800, 45900, 13500, 531900, 0 },
	{ 5, 1617458400, 45900, 13500, 531900, 0 },
	{ 5, 1617464950, 45900, 20050, 538450, 2050 },
	{ 5, 1623237643, 45900, 343, 259543, 343 },
	{ 5, 1632578400, 49500, 9900, 528300, 0 },
	{ 5, 1632584243, 49500, 15743, 534143, 1343 },
	{ 5, 1664027999, 45900, 9899, 528299, 2699 },
	{ 5, 1664031968, 49500, 13868, 532268, 3068 },
	{ 5, 1680357599, 49500, 13499, 531899, 2699 },
	{ 5, 1680357600, 45900, 13500, 531900, 0 },
	{ 5, 1695477600, 49500, 9900, 528300, 0 },
	{ 5, 1712412000, 45900, 13500, 531900, 0 },
	{ 5, 1712415738, 45900, 17238, 535638, 2838 },
	{ 5, 1743861599, 49500, 13499, 531899, 2699 },
	{ 5, 1758981600, 49500, 9900, 528300, 0 },
	{ 5, 1775311199, 49500, 13499, 531899, 2699 },
	{ 5, 1775311200, 45900, 13500, 531900, 0 },
	{ 5, 1784580905, 45900, 34805, 121205, 2405 },
	{ 5, 1790431199, 45900, 9899, 528299, 2699 },
	{ 5, 1790431200, 49500, 9900, 528300, 0 },
	{ 5, 1806760800, 45900, 13500, 531900, 0 },
	{ 5, 1806765871, 45900, 18571, 536971, 571 },
	{ 5, 1821880799, 45900, 9899, 528299, 2699 },
	{ 5, 1821880800, 49500, 9900, 528300, 0 },
	{ 5, 1821884224, 49500, 13324, 531724, 2524 },
	{ 5, 1838210400, 45900, 13500, 531900, 0 },
	{ 5, 1838215658, 45900, 18758, 537158, 758 },
	{ 5, 1838705597, 45900, 73097, 418697, 1097 },
	{ 5, 1869660000, 45900, 13500, 531900, 0 },
	{ 5, 1869666196, 45900, 19696, 538096, 1696 },
	{ 5, 1885391985, 49500, 17085, 535485, 2685 },
	{ 5, 1901714399, 49500, 13499, 531899, 2699 },
	{ 5, 1901714400, 45900, 13500, 531900, 0 },
	{ 5, 1916834399, 45900, 9899, 528299, 2699 },
	{ 5, 1924049881, 49500, 57781, 489781, 181 },
	{ 5, 1933163999, 49500, 13499, 531899, 2699 },
	{ 5, 1933167327, 45900, 16827, 535227, 2427 },
	{ 5, 1951929784, 49500, 30484, 548884, 1684 },
	{ 5, 1952276756, 49500, 31856, 291056, 3056 },
	{ 5, 1964613599, 49500, 13499, 531899, 2699 },
	{ 5, 1964613600, 45900, 13500, 531900, 0 },
	{ 5, 1986906772, 49500, 15472, 447472, 1072 },
	{ 5, 1990332042, 49500, 71142, 243942, 2742 },
	{ 5, 1996063199, 49500, 13499, 531899, 2699 },
	{ 5, 2011183199, 45900, 9899, 528299, 2699 },
	{ 5, 2011183200, 49500, 9900, 528300, 0 },
	{ 5, 2011188133, 49500, 14833, 533233, 433 },
	{ 5, 2027512799, 49500, 13499, 531899, 2699 },
	{ 5, 2042632800, 49500, 9900, 528300, 0 },
	{ 5, 2058962399, 49500, 13499, 531899, 2699 },
	{ 5, 2074687199, 45900, 9899, 528299, 2699 },
	{ 5, 2091023055, 45900, 19755, 538155, 1755 },
	{ 5, 2106136799, 45900, 9899, 528299, 2699 },
	{ 5, 2106143064, 49500, 16164, 534564, 1764 },
	{ 5, 2137586400, 49500, 9900, 528300, 0 },
	{ 5, 2153916000, 45900, 13500, 531900, 0 },
	{ 5, 2153920429, 45900, 17929, 536329, 3529 },
	{ 5, 2160326263, 45900, 26563, 285763, 1363 },
	{ 5, 2169040362, 49500, 14262, 532662, 3462 },
	{ 5, 2185365599, 49500, 13499, 531899, 2699 },
	{ 5, 2200485599, 45900, 9899, 528299, 2699 },
	{ 5, 2200488842, 49500, 13142, 531542, 2342 },
	{ 5, 2216815199, 49500, 13499, 531899, 2699 },
	{ 5, 2232540000, 49500, 9900, 528300, 0 },
	{ 6, -1940406084, -1521, 49995, 49995, 3195 },
	{ 6, -1652368584, 3600, 35016, 207816, 2616 },
	{ 6, -1018796768, 3600, 35632, 554032, 3232 },
	{ 6, -824651937, 3600, 39663, 558063, 63 },
	{ 6, -730216056, 0, 36744, 36744, 744 },
	{ 6, -578881675, 3600, 1925, 174725, 1925 },
	{ 6, -469965123, 0, 50877, 223677, 477 },
	{ 6, -365782866, 3600, 38334, 383934, 2334 },
	{ 6, -292506287, 3600, 47713, 479713, 913 },
	{ 6, 379235261, 0, 25661, 284861, 461 },
	{ 6, 419723159, 3600, 81959, 254759, 2759 },
	{ 6, 1263028490, 0, 33290, 465290, 890 },
	{ 6, 1491350493, 3600, 3693, 176493, 93 },
	{ 6, 1494980335, 3600, 4735, 177535, 1135 },
	{ 6, 1553993999, 0, 3599, 521999, 3599 },
	{ 6, 1572142246, 0, 11446, 529846, 646 },
	{ 6, 1585443600, 3600, 3600, 522000, 0 },
	{ 6, 1585446874, 3600, 6874, 525274, 3274 },
	{ 6, 1616893199, 0, 3599, 521999, 3599 },
	{ 6, 1616893200, 3600, 3600, 522000, 0 },
	{ 6, 1635642000, 0, 7200, 525600, 0 },
	{ 6, 1648342799, 0, 3599, 521999, 3599 },
	{ 6, 1649737208, 3600, 19208, 105608, 1208 },
	{ 6, 1667093987, 0, 9587, 527987, 2387 },
	{ 6, 1679792399, 0, 3599, 521999, 3599 },
	{ 6, 1679792400, 3600, 3600, 522000, 0 },
	{ 6, 1698541200, 0, 7200, 525600, 0 },
	{ 6, 1698547542, 0, 13542, 531942, 2742 },
	{ 6, 1729990799, 3600, 7199, 525599, 3599 },
	{ 6, 1729990800, 0, 7200, 525600, 0 },
	{ 6, 1754792430, 3600, 12030, 530430, 1230 },
	{ 6, 1761440399, 3600, 7199, 525599, 3599 },
	{ 6, 1769799067, 0, 67867, 413467, 3067 },
	{ 6, 1774745999, 0, 3599, 521999, 3599 },
	{ 6, 1774748472, 3600, 6072, 524472, 2472 },
	{ 6, 1806195600, 3600, 3600, 522000, 0 },
	{ 6, 1806201377, 3600, 9377, 527777, 2177 },
	{ 6, 1837645199, 0, 3599, 521999, 3599 },
	{ 6, 1856393999, 3600, 7199, 525599, 3599 },
	{ 6, 1856400930, 0, 14130, 532530, 3330 },
	{ 6, 1887843599, 3600, 7199, 525599, 3599 },
	{ 6, 1901149199, 0, 3599, 521999, 3599 },
	{ 6, 1901149200, 3600, 3600, 522000, 0 },
	{ 6, 1919293199, 3600, 7199, 525599, 3599 },
	{ 6, 1932598799, 0, 3599, 521999, 3599 },
	{ 6, 1932598800, 3600, 3600, 522000, 0 },
	{ 6, 1950194819, 3600, 64019, 582419, 2819 },
	{ 6, 1950742799, 3600, 7199, 525599, 3599 },
	{ 6, 1964048400, 3600, 3600, 522000, 0 },
	{ 6, 1965932480, 3600, 76880, 595280, 1280 },
	{ 6, 1982797199, 3600, 7199, 525599, 3599 },
	{ 6, 1982797200, 0, 7200, 525600, 0 },
	{ 6, 1982800900, 0, 10900, 529300, 100 },
	{ 6, 1987421664, 0, 48864, 308064, 2064 },
	{ 6, 1995498000, 3600, 3600, 522000, 0 },
	{ 6, 2014246799, 3600, 7199, 525599, 3599 },
	{ 6, 2014246800, 0, 7200, 525600, 0 },
	{ 6, 2014251588, 0, 11988, 530388, 1188 },
	{ 6, 2026184259, 0, 17859, 363459, 3459 },
	{ 6, 2026947599, 0, 3599, 521999, 3599 },
	{ 6, 2026947600, 3600, 3600, 522000, 0 },
	{ 6, 2032214112, 3600, 3312, 348912, 3312 },
	{ 6, 2052571078, 0, 52678, 139078, 2278 },
	{ 6, 2058397199, 0, 3599, 521999, 3599 },
	{ 6, 2077146000, 0, 7200, 525600, 0 },
	{ 6, 2090457353, 3600, 9353, 527753, 2153 },
	{ 6, 2091961099, 3600, 47899, 220699, 1099 },
	{ 6, 2106400460, 3600, 58460, 144860, 860 },
	{ 6, 2108595600, 0, 7200, 525600, 0 },
	{ 6, 2108601776, 0, 13376, 531776, 2576 },
	{ 6, 2130294702, 3600, 19902, 451902, 1902 },
	{ 6, 2133505484, 3600, 33884, 33884, 1484 },
	{ 6, 2151384004, 0, 24004, 369604, 2404 },
	{ 6, 2172099599, 3600, 7199, 525599, 3599 },
	{ 6, 2181530975, 0, 17375, 276575, 2975 },
	{ 6, 2184800399, 0, 3599, 521999, 3599 },
	{ 6, 2184802900, 3600, 6100, 524500, 2500 },
	{ 6, 2203555651, 0, 13651, 532051, 2851 },
	{ 6, 2234998799, 3600, 7199, 525599, 3599 },
	{ 6, 2234998800, 0, 7200, 525600, 0 },
	{ 7, -2176100704, -12652, 43444, 216244, 244 },
	{ 7, -2108349068, -12652, 57480, 230280, 3480 },
	{ 7, -1871505632, -12652, 78516, 596916, 2916 },
	{ 7, -1537915775, -12652, 77973, 337173, 2373 },
	{ 7, -1490097747, -9052, 34001, 379601, 1601 },
	{ 7, -1481359683, -12652, 42065, 42065, 2465 },
	{ 7, -1293203250, -12652, 19298, 105698, 1298 },
	{ 7, -1132659942, -12652, 31406, 377006, 2606 },
	{ 7, 411200063, -12600, 9863, 182663, 2663 },
	{ 7, 476994380, -12600, 53780, 53780, 3380 },
	{ 7, 794001968, -12600, 59768, 146168, 2168 },
	{ 7, 911843308, -12600, 51508, 51508, 1108 },
	{ 7, 947789968, -12600, 55768, 314968, 1768 },
	{ 7, 1500548125, -9000, 30325, 289525, 1525 },
	{ 7, 1527830877, -9000, 10677, 356277, 3477 },
	{ 7, 1552195799, -12600, 7199, 525599, 3599 },
	{ 7, 1572755399, -9000, 7199, 525599, 3599 },
	{ 7, 1572755400, -12600, 7200, 525600, 0 },
	{ 7, 1572762181, -12600, 13981, 532381, 3181 },
	{ 7, 1583645399, -12600, 7199, 525599, 3599 },
	{ 7, 1604208206, -12600, 10406, 528806, 3206 },
	{ 7, 1615699799, -12600, 7199, 525599, 3599 },
	{ 7, 1636259399, -9000, 7199, 525599, 3599 },
	{ 7, 1647149399, -12600, 7199, 525599, 3599 },
	{ 7, 1667708999, -9000, 7199, 525599, 3599 },
	{ 7, 1667715013, -12600, 13213, 531613, 2413 },
	{ 7, 1678599000, -9000, 7200, 525600, 0 },
	{ 7, 1699164739, -12600, 13339, 531739, 2539 },
	{ 7, 1710052127, -9000, 10727, 529127, 3527 },
	{ 7, 1730608199, -9000, 7199, 525599, 3599 },
	{ 7, 1730608200, -12600, 7200, 525600, 0 },
	{ 7, 1741498199, -12600, 7199, 525599, 3599 },
	{ 7, 1741498200, -9000, 7200, 525600, 0 },
	{ 7, 1756799005, -9000, 18805, 105205, 805 },
	{ 7, 1759321166, -9000, 35366, 208166, 2966 },
	{ 7, 1762057799, -9000, 7199, 525599, 3599 },
	{ 7, 1762061542, -12600, 10942, 529342, 142 },
	{ 7, 1772947799, -12600, 7199, 525599, 3599 },
	{ 7, 1772947800, -9000, 7200, 525600, 0 },
	{ 7, 1793512194, -12600, 11994, 530394, 1194 },
	{ 7, 1801011534, -12600, 77334, 163734, 1734 },
	{ 7, 1805002200, -9000, 7200, 525600, 0 },
	{ 7, 1805005328, -9000, 10328, 528728, 3128 },
	{ 7, 1825565197, -12600, 10597, 528997, 3397 },
	{ 7, 1828115196, -12600, 51396, 51396, 996 },
	{ 7, 1836454547, -9000, 9947, 528347, 2747 },
	{ 7, 1857015334, -12600, 11134, 529534, 334 },
	{ 7, 1867901399, -12600, 7199, 525599, 3599 },
	{ 7, 1867901400, -9000, 7200, 525600, 0 },
	{ 7, 1867907191, -9000, 12991, 531391, 2191 },
	{ 7, 1888464546, -12600, 10746, 529146, 3546 },
	{ 7, 1899351000, -9000, 7200, 525600, 0 },
	{ 7, 1899353022, -9000, 9222, 527622, 2022 },
	{ 7, 1919910600, -12600, 7200, 525600, 0 },
	{ 7, 1930804654, -9000, 11254, 529654, 454 },
	{ 7, 1947817199, -9000, 6599, 6599, 2999 },
	{ 7, 1962854999, -12600, 7199, 525599, 3599 },
	{ 7, 1983420925, -12600, 13525, 531925, 2725 },
	{ 7, 1983612726, -12600, 28926, 115326, 126 },
	{ 7, 1994304600, -9000, 7200, 525600, 0 },
	{ 7, 1994309800, -9000, 12400, 530800, 1600 },
	{ 7, 2014866235, -12600, 9235, 527635, 2035 },
	{ 7, 2040147760, -9000, 61960, 407560, 760 },
	{ 7, 2046313800, -12600, 7200, 525600, 0 },
	{ 7, 2046320566, -12600, 13966, 532366, 3166 },
	{ 7, 2072152304, -9000, 12104, 357704, 1304 },
	{ 7, 2077763400, -12600, 7200, 525600, 0 },
	{ 7, 2088653399, -12600, 7199, 525599, 3599 },
	{ 7, 2109217916, -12600, 12116, 530516, 1316 },
	{ 7, 2120109241, -9000, 13441, 531841, 2641 },
	{ 7, 2140662600, -12600, 7200, 525600, 0 },
	{ 7, 2152157399, -12600, 7199, 525599, 3599 },
	{ 7, 2152157400, -9000, 7200, 525600, 0 },
	{ 7, 2172719858, -12600, 10058, 528458, 2858 },
	{ 7, 2183610057, -9000, 10257, 528657, 3057 },
	{ 7, 2204166599, -9000, 7199, 525599, 3599 },
	{ 7, 2204172043, -12600, 12643, 531043, 1843 },
	{ 7, 2215056599, -12600, 7199, 525599, 3599 },
	{ 7, 2215056600, -9000, 7200, 525600, 0 },
	{ 7, 2215059123, -9000, 9723, 528123, 2523 },
	{ 8, -1666393309, 0, 3491, 89891, 3491 },
	{ 8, -1493343411, 0, 80589, 166989, 1389 },
	{ 8, -1329609694, 0, 86306, 604706, 3506 },
	{ 8, -997072002, 0, 70398, 502398, 1998 },
	{ 8, -802647433, 0, 8567, 181367, 1367 },
	{ 8, -258705904, 0, 62096, 407696, 896 },
	{ 8, 242694211, 0, 83011, 428611, 211 },
	{ 8, 1124320311, 7200, 4311, 263511, 711 },
	{ 8, 1318353276, 7200, 69276, 155676, 876 },
	{ 8, 1553994000, 7200, 3600, 522000, 0 },
	{ 8, 1572138000, 0, 10800, 529200, 0 },
	{ 8, 1585443599, 0, 3599, 521999, 3599 },
	{ 8, 1603587600, 0, 10800, 529200, 0 },
	{ 8, 1616893199, 0, 3599, 521999, 3599 },
	{ 8, 1648342800, 7200, 3600, 522000, 0 },
	{ 8, 1667091599, 7200, 10799, 529199, 3599 },
	{ 8, 1667097050, 0, 16250, 534650, 1850 },
	{ 8, 1679792399, 0, 3599, 521999, 3599 },
	{ 8, 1698541199, 7200, 10799, 529199, 3599 },
	{ 8, 1698541200, 0, 10800, 529200, 0 },
	{ 8, 1711849550, 7200, 6350, 524750, 2750 },
	{ 8, 1729990800, 0, 10800, 529200, 0 },
	{ 8, 1743296400, 7200, 3600, 522000, 0 },
	{ 8, 1761440399, 7200, 10799, 529199, 3599 },
	{ 8, 1761440400, 0, 10800, 529200, 0 },
	{ 8, 1765701048, 0, 30648, 549048, 1848 },
	{ 8, 1774746000, 7200, 3600, 522000, 0 },
	{ 8, 1774751374, 7200, 8974, 527374, 1774 },
	{ 8, 1779362470, 7200, 48070, 307270, 1270 },
	{ 8, 1792890000, 0, 10800, 529200, 0 },
	{ 8, 1792896640, 0, 17440, 535840, 3040 },
	{ 8, 1806195599, 0, 3599, 521999, 3599 },
	{ 8, 1824948608, 0, 15008, 533408, 608 },
	{ 8, 1837645199, 0, 3599, 521999, 3599 },
	{ 8, 1837645200, 7200, 3600, 522000, 0 },
	{ 8, 1837652041, 7200, 10441, 528841, 3241 },
	{ 8, 1838909823, 7200, 65823, 584223, 1023 },
	{ 8, 1856394000, 0, 10800, 529200, 0 },
	{ 8, 1869094799, 0, 3599, 521999, 3599 },
	{ 8, 1869099502, 7200, 8302, 526702, 1102 },
	{ 8, 1887843600, 0, 10800, 529200, 0 },
	{ 8, 1887847274, 0, 14474, 532874, 74 },
	{ 8, 1888210324, 0, 24724, 283924, 3124 },
	{ 8, 1901149199, 0, 3599, 521999, 3599 },
	{ 8, 1919299483, 0, 17083, 535483, 2683 },
	{ 8, 1927159782, 0, 7782, 526182, 582 },
	{ 8, 1932598799, 0, 3599, 521999, 3599 },
	{ 8, 1932604703, 7200, 9503, 527903, 2303 },
	{ 8, 1950742800, 0, 10800, 529200, 0 },
	{ 8, 1964048400, 7200, 3600, 522000, 0 },
	{ 8, 1982797199, 7200, 10799, 529199, 3599 },
	{ 8, 1995497999, 0, 3599, 521999, 3599 },
	{ 8, 1995498000, 7200, 3600, 522000, 0 },
	{ 8, 1995500402, 7200, 6002, 524402, 2402 },
	{ 8, 2026947599, 0, 3599, 521999, 3599 },
	{ 8, 2026949893, 7200, 5893, 524293, 2293 },
	{ 8, 2045696399, 7200, 10799, 529199, 3599 },
	{ 8, 2054566648, 0, 61048, 320248, 3448 },
	{ 8, 2058397199, 0, 3599, 521999, 3599 },
	{ 8, 2058397200, 7200, 3600, 522000, 0 },
	{ 8, 2059606754, 7200, 10754, 529154, 3554 },
	{ 8, 2090454176, 7200, 6176, 524576, 2576 },
	{ 8, 2108595599, 7200, 10799, 529199, 3599 },
	{ 8, 2121904284, 7200, 6684, 525084, 3084 },
	{ 8, 2125961508, 7200, 10308, 355908, 3108 },
	{ 8, 2140045199, 7200, 10799, 529199, 3599 },
	{ 8, 2140045200, 0, 10800, 529200, 0 },
	{ 8, 2140051824, 0, 17424, 535824, 3024 },
	{ 8, 2153350799, 0, 3599, 521999, 3599 },
	{ 8, 2153350800, 7200, 3600, 522000, 0 },
	{ 8, 2161273105, 7200, 70705, 589105, 2305 },
	{ 8, 2171023003, 7200, 57403, 57403, 3403 },
	{ 8, 2172099599, 7200, 10799, 529199, 3599 },
	{ 8, 2172104716, 0, 15916, 534316, 1516 },
	{ 8, 2184800400, 7200, 3600, 522000, 0 },
	{ 8, 2203549200, 0, 10800, 529200, 0 },
	{ 8, 2216249999, 0, 3599, 521999, 3599 },
	{ 8, 2216254258, 7200, 7858, 526258, 658 },
	{ 8, 2234998799, 7200, 10799, 529199, 3599 },
	{ 8, 2235000635, 0, 12635, 531035, 1835 },
	{ 9, -2135431570, 20476, 51306, 396906, 906 },
	{ 9, -2059460115, 20476, 77161, 163561, 1561 },
	{ 9, -2016800016, 20476, 55660, 487660, 1660 },
	{ 9, -1856773252, 20476, 69624, 242424, 1224 },
	{ 9, -1754653246, 20476, 64830, 151230, 30 },
	{ 9, -879624228, 19800, 33972, 33972, 1572 },
	{ 9, -765419228, 19800, 18172, 536572, 172 },
	{ 9, -716675258, 19800, 32542, 291742, 142 },
	{ 9, -669552664, 19800, 67136, 239936, 2336 },
	{ 9, -577252377, 19800, 5823, 5823, 2223 },
	{ 9, -486986960, 19800, 69640, 156040, 1240 },
	{ 9, -287408539, 19800, 64061, 150461, 2861 },
	{ 9, -285880359, 19800, 37041, 469041, 1041 },
	{ 9, -126634184, 19800, 48016, 48016, 1216 },
	{ 9, -95102592, 19800, 43608, 130008, 408 },
	{ 9, -62031386, 19800, 23614, 542014, 2014 },
	{ 9, 42071476, 19800, 14476, 14476, 76 },
	{ 9, 50525625, 19800, 1425, 1425, 1425 },
	{ 9, 54436173, 19800, 23973, 283173, 2373 },
	{ 9, 89734401, 19800, 71001, 503001, 2601 },
	{ 9, 358750553, 19800, 37553, 383153, 1553 },
	{ 9, 386960682, 19800, 81282, 167682, 2082 },
	{ 9, 434193815, 19800, 53615, 226415, 3215 },
	{ 9, 447732546, 19800, 27546, 459546, 2346 },
	{ 9, 466643717, 19800, 17117, 17117, 2717 },
	{ 9, 470027001, 19800, 30801, 376401, 2001 },
	{ 9, 518260501, 20700, 54001, 226801, 1 },
	{ 9, 963878494, 20700, 20794, 107194, 2794 },
	{ 9, 1063012321, 20700, 53821, 53821, 3421 },
	{ 9, 1316970443, 20700, 82343, 600743, 3143 },
	{ 9, 1746384518, 20700, 2018, 2018, 2018 },
	{ 9, 1749870605, 20700, 32105, 464105, 3305 },
	{ 9, 1752515166, 20700, 84666, 84666, 1866 },
	{ 9, 1766407769, 20700, 66869, 66869, 2069 },
	{ 9, 1776519759, 20700, 70059, 502059, 1659 },
	{ 9, 1779893212, 20700, 73912, 246712, 1912 },
	{ 9, 1781167471, 20700, 52171, 311371, 1771 },
	{ 9, 1782011298, 20700, 31998, 550398, 3198 },
	{ 9, 1860376533, 20700, 32433, 291633, 33 },
	{ 9, 1869055833, 20700, 71733, 503733, 3333 },
	{ 9, 1886434585, 20700, 84085, 343285, 1285 },
	{ 9, 1940417204, 20700, 66704, 498704, 1904 },
	{ 9, 1944565423, 20700, 67723, 413323, 2923 },
	{ 9, 1954753152, 20700, 60252, 319452, 2652 },
	{ 9, 1982135280, 20700, 53580, 485580, 3180 },
	{ 9, 2018961592, 20700, 73492, 419092, 1492 },
	{ 9, 2038869525, 20700, 23025, 368625, 1425 },
	{ 9, 2052809569, 20700, 52669, 398269, 2269 },
	{ 9, 2061841162, 20700, 12262, 357862, 1462 },
	{ 9, 2072893525, 20700, 5425, 523825, 1825 },
	{ 9, 2086386177, 20700, 19677, 106077, 1677 },
	{ 9, 2099065125, 20700, 84225, 84225, 1425 },
	{ 9, 2111447981, 20700, 25481, 371081, 281 },
	{ 9, 2112976537, 20700, 85237, 85237, 2437 },
	{ 9, 2118383760, 20700, 49260, 49260, 2460 },
	{ 10, -2083645277, -38400, 25123, 111523, 3523 },
	{ 10, -2065958016, -38400, 384, 259584, 384 },
	{ 10, -1912139470, -38400, 26930, 458930, 1730 },
	{ 10, -1809096281, -38400, 81319, 81319, 2119 },
	{ 10, -1690663472, -38400, 59728, 578128, 2128 },
	{ 10, -1668368346, -38400, 63654, 495654, 2454 },
	{ 10, -1655267493, -38400, 31707, 290907, 2907 },
	{ 10, -1439794066, -38400, 23534, 455534, 1934 },
	{ 10, -1383701861, -38400, 42139, 301339, 2539 },
	{ 10, -1271076665, -38400, 1735, 433735, 1735 },
	{ 10, -1237392913, -38400, 75887, 248687, 287 },
	{ 10, -1202744544, -38400, 77856, 423456, 2256 },
	{ 10, -977063486, -38400, 82114, 514114, 2914 },
	{ 10, -974432866, -38400, 34334, 120734, 1934 },
	{ 10, -831612210, -38400, 35790, 208590, 3390 },
	{ 10, -812057722, -38400, 63878, 409478, 2678 },
	{ 10, -631802371, -38400, 2429, 434429, 2429 },
	{ 10, -560310038, -38400, 41962, 560362, 2362 },
	{ 10, -240428397, -38400, 70803, 502803, 2403 },
	{ 10, 370786826, -36000, 8426, 267626, 1226 },
	{ 10, 429152479, -36000, 54079, 572479, 79 },
	{ 10, 433437656, -36000, 19256, 19256, 1256 },
	{ 10, 456886889, -36000, 54089, 486089, 89 },
	{ 10, 789971040, 50400, 66240, 411840, 1440 },
	{ 10, 894405859, 50400, 43459, 216259, 259 },
	{ 10, 945256579, 50400, 4579, 263779, 979 },
	{ 10, 1456163285, 50400, 28085, 114485, 2885 },
	{ 10, 1528700222, 50400, 75422, 75422, 3422 },
	{ 10, 1585882961, 50400, 61361, 406961, 161 },
	{ 10, 1712676608, 50400, 19808, 192608, 1808 },
	{ 10, 1787633843, 50400, 68243, 154643, 3443 },
	{ 10, 1844845259, 50400, 82859, 514859, 59 },
	{ 10, 1868365914, 50400, 16314, 448314, 1914 },
	{ 10, 1895933613, 50400, 22413, 195213, 813 },
	{ 10, 1915978528, 50400, 22528, 281728, 928 },
	{ 10, 1935542377, 50400, 59977, 491977, 2377 },
	{ 10, 1941090410, 50400, 78410, 596810, 2810 },
	{ 10, 1964014376, 50400, 19976, 538376, 1976 },
	{ 10, 1966124800, 50400, 56800, 229600, 2800 },
	{ 10, 2000553694, 50400, 12094, 184894, 1294 },
	{ 10, 2031736226, 50400, 4226, 522626, 626 },
	{ 10, 2041301568, 50400, 65568, 411168, 768 },
	{ 10, 2052593311, 50400, 38911, 211711, 2911 },
	{ 10, 2056437184, 50400, 81184, 426784, 1984 },
	{ 10, 2061510482, 50400, 56882, 56882, 2882 },
	{ 10, 2067051766, 50400, 68566, 154966, 166 },
	{ 10, 2073768213, 50400, 45813, 218613, 2613 },
	{ 10, 2101975460, 50400, 260, 260, 260 },
	{ 10, 2119315437, 50400, 60237, 405837, 2637 },
	{ 10, 2174832219, 50400, 21819, 281019, 219 },
	{ 10, 2209449246, 50400, 78846, 424446, 3246 },
	{ 10, 2226340196, 50400, 35396, 380996, 2996 },
	{ 10, 2232155755, 50400, 62155, 148555, 955 },
	{ 10, 2235601488, 50400, 51888, 570288, 1488 },
	{ 10, 2236303535, 50400, 62735, 62735, 1535 },
	{ 11, -1868711120, -19776, 14704, 360304, 304 },
	{ 11, -738718444, -14400, 73556, 591956, 1556 },
	{ 11, -200958884, -18000, 75916, 75916, 316 },
	{ 11, 809380290, -14400, 57090, 402690, 3090 },
	{ 11, 832012220, -14400, 52220, 52220, 1820 },
	{ 11, 882774847, -18000, 8047, 8047, 847 },
	{ 11, 892085271, -14400, 77271, 250071, 1671 },
	{ 11, 1173101414, -18000, 30614, 30614, 1814 },
	{ 11, 1503575100, -14400, 27900, 287100, 2700 },
	{ 11, 1552193999, -18000, 86399, 518399, 3599 },
	{ 11, 1572757200, -18000, 3600, 522000, 0 },
	{ 11, 1583643599, -18000, 86399, 518399, 3599 },
	{ 11, 1583643600, -14400, 0, 518400, 0 },
	{ 11, 1604206799, -14400, 3599, 521999, 3599 },
	{ 11, 1604212384, -18000, 9184, 527584, 1984 },
	{ 11, 1615697999, -18000, 86399, 518399, 3599 },
	{ 11, 1615704961, -14400, 6961, 525361, 3361 },
	{ 11, 1636261200, -18000, 3600, 522000, 0 },
	{ 11, 1647147599, -18000, 86399, 518399, 3599 },
	{ 11, 1647152122, -14400, 4522, 522922, 922 },
	{ 11, 1667710799, -14400, 3599, 521999, 3599 },
	{ 11, 1667715249, -18000, 8049, 526449, 849 },
	{ 11, 1678597200, -14400, 0, 518400, 0 },
	{ 11, 1699160400, -18000, 3600, 522000, 0 },
	{ 11, 1710046800, -14400, 0, 518400, 0 },
	{ 11, 1730609999, -14400, 3599, 521999, 3599 },
	{ 11, 1730611922, -18000, 5522, 523922, 1922 },
	{ 11, 1741136007, -18000, 71607, 158007, 3207 },
	{ 11, 1741499135, -14400, 2735, 521135, 2735 },
	{ 11, 1752928541, -14400, 30941, 462941, 2141 },
	{ 11, 1762065970, -18000, 9970, 528370, 2770 },
	{ 11, 1772945999, -18000, 86399, 518399, 3599 },
	{ 11, 1772949119, -14400, 3119, 521519, 3119 },
	{ 11, 1780016890, -14400, 76090, 335290, 490 },
	{ 11, 1805000400, -14400, 0, 518400, 0 },
	{ 11, 1810546560, -14400, 20160, 20160, 2160 },
	{ 11, 1836450000, -14400, 0, 518400, 0 },
	{ 11, 1853876910, -14400, 64110, 409710, 2910 },
	{ 11, 1857018833, -18000, 9233, 527633, 2033 },
	{ 11, 1867899600, -14400, 0, 518400, 0 },
	{ 11, 1867904653, -14400, 5053, 523453, 1453 },
	{ 11, 1884615207, -14400, 44007, 303207, 807 },
	{ 11, 1899349199, -18000, 86399, 518399, 3599 },
	{ 11, 1899349200, -14400, 0, 518400, 0 },
	{ 11, 1899351249, -14400, 2049, 520449, 2049 },
	{ 11, 1905086511, -14400, 38511, 211311, 2511 },
	{ 11, 1917523735, -14400, 34135, 552535, 1735 },
	{ 11, 1917838745, -14400, 3545, 262745, 3545 },
	{ 11, 1919912399, -14400, 3599, 521999, 3599 },
	{ 11, 1919912400, -18000, 3600, 522000, 0 },
	{ 11, 1930798799, -18000, 86399, 518399, 3599 },
	{ 11, 1930798800, -14400, 0, 518400, 0 },
	{ 11, 1930800606, -14400, 1806, 520206, 1806 },
	{ 11, 1951368698, -18000, 10298, 528698, 3098 },
	{ 11, 1983416399, -14400, 3599, 521999, 3599 },
	{ 11, 1994302799, -18000, 86399, 518399, 3599 },
	{ 11, 1994302800, -14400, 0, 518400, 0 },
	{ 11, 2014868731, -18000, 6331, 524731, 2731 },
	{ 11, 2025752399, -18000, 86399, 518399, 3599 },
	{ 11, 2025756221, -14400, 3821, 522221, 221 },
	{ 11, 2033099522, -14400, 6722, 6722, 3122 },
	{ 11, 2046321946, -18000, 9946, 528346, 2746 },
	{ 11, 2060892923, -14400, 65723, 584123, 923 },
	{ 11, 2064794351, -14400, 79151, 251951, 3551 },
	{ 11, 2077765200, -18000, 3600, 522000, 0 },
	{ 11, 2088651599, -18000, 86399, 518399, 3599 },
	{ 11, 2088656942, -14400, 5342, 523742, 1742 },
	{ 11, 2109214799, -14400, 3599, 521999, 3599 },
	{ 11, 2109216680, -18000, 5480, 523880, 1880 },
	{ 11, 2120101200, -14400, 0, 518400, 0 },
	{ 11, 2152155600, -14400, 0, 518400, 0 },
	{ 11, 2171834941, -14400, 70141, 242941, 1741 },
	{ 11, 2172723845, -18000, 8645, 527045, 1445 },
	{ 11, 2183605200, -14400, 0, 518400, 0 },
	{ 11, 2189094548, -14400, 49748, 568148, 2948 },
	{ 11, 2204173829, -18000, 9029, 527429, 1829 },
	{ 11, 2215054799, -18000, 86399, 518399, 3599 },
	{ 11, 2215054800, -14400, 0, 518400, 0 },
	{ 11, 2235617999, -14400, 3599, 521999, 3599 },
	{ 11, 2235621854, -18000, 7454, 525854, 254 },
	{ 12, -2133975372, -11188, 7040, 7040, 3440 },
	{ 12, -2099688191, -11188, 79821, 425421, 621 },
	{ 12, -1699280691, -10800, 23709, 455709, 2109 },
	{ 12, -1588374692, -10800, 78508, 78508, 2908 },
	{ 12, -1560777845, -10800, 27355, 459355, 2155 },
	{ 12, -1494219916, -10800, 57284, 489284, 3284 },
	{ 12, -1387895042, -10800, 23758, 369358, 2158 },
	{ 12, -1167149410, -7200, 20990, 366590, 2990 },
	{ 12, -1160478898, -7200, 38702, 384302, 2702 },
	{ 12, -1027457824, -10800, 176, 345776, 176 },
	{ 12, -904892264, -10800, 50536, 136936, 136 },
	{ 12, -888407640, -10800, 32760, 291960, 360 },
	{ 12, -459809699, -10800, 301, 86701, 301 },
	{ 12, -232923174, -10800, 426, 173226, 426 },
	{ 12, -212278816, -10800, 81584, 254384, 2384 },
	{ 12, -39229671, -10800, 71529, 330729, 3129 },
	{ 12, 55222264, -10800, 1864, 433864, 1864 },
	{ 12, 143515983, -10800, 81183, 426783, 1983 },
	{ 12, 217812727, -10800, 73927, 333127, 1927 },
	{ 12, 354275781, -10800, 24981, 111381, 3381 },
	{ 12, 371078971, -10800, 66571, 584971, 1771 },
	{ 12, 450631892, -10800, 45092, 304292, 1892 },
	{ 12, 522785079, -10800, 54279, 486279, 279 },
	{ 12, 699226952, -10800, 67352, 326552, 2552 },
	{ 12, 797361110, -10800, 51110, 483110, 710 },
	{ 12, 956557055, -10800, 11855, 11855, 1055 },
	{ 12, 1004716344, -7200, 49944, 395544, 3144 },
	{ 12, 1307316904, -10800, 74104, 592504, 2104 },
	{ 12, 1447457631, -7200, 77631, 423231, 2031 },
	{ 12, 1550368799, -7200, 86399, 518399, 3599 },
	{ 12, 1550368800, -10800, 86400, 518400, 0 },
	{ 12, 1550373414, -10800, 1014, 523014, 1014 },
	{ 12, 1654390487, -10800, 78887, 510887, 3287 },
	{ 13, -1988577545, -16965, 74290, 247090, 2290 },
	{ 13, -1890225519, -18000, 15681, 15681, 1281 },
	{ 13, -1866595376, -18000, 58624, 58624, 1024 },
	{ 13, -1616710166, -14400, 78634, 165034, 3034 },
	{ 13, -1451087753, -16965, 69682, 69682, 1282 },
	{ 13, -1405947989, -16965, 22246, 454246, 646 },
	{ 13, -1337720828, -16965, 79807, 339007, 607 },
	{ 13, -1193666718, -14400, 21282, 453282, 3282 },
	{ 13, -1070795792, -14400, 31408, 549808, 2608 },
	{ 13, -1025235381, -14400, 59019, 145419, 1419 },
	{ 13, -924528314, -14400, 23686, 455686, 2086 },
	{ 13, -864274384, -14400, 56816, 229616, 2816 },
	{ 13, -477654735, -14400, 36465, 382065, 465 },
	{ 13, -387841012, -14400, 80588, 80588, 1388 },
	{ 13, -301867160, -14400, 40, 172840, 40 },
	{ 13, -202516726, -14400, 76874, 336074, 1274 },
	{ 13, -187921190, -14400, 70810, 416410, 2410 },
	{ 13, -88113919, -14400, 86081, 431681, 3281 },
	{ 13, -50650833, -14400, 51567, 397167, 1167 },
	{ 13, -30935113, -10800, 71687, 158087, 3287 },
	{ 13, 155049047, -10800, 36647, 468647, 647 },
	{ 13, 227545761, -14400, 40161, 385761, 561 },
	{ 13, 264404203, -14400, 5803, 351403, 2203 },
	{ 13, 273709742, -14400, 66542, 584942, 1742 },
	{ 13, 1020041526, -14400, 75126, 593526, 3126 },
	{ 13, 1171350949, -10800, 15349, 101749, 949 },
	{ 13, 1405569257, -14400, 86057, 258857, 3257 },
	{ 13, 1405868024, -14400, 39224, 557624, 3224 },
	{ 13, 1554605999, -10800, 86399, 518399, 3599 },
	{ 13, 1554606000, -14400, 86400, 518400, 0 },
	{ 13, 1554609684, -14400, 84, 522084, 84 },
	{ 13, 1567915199, -14400, 86399, 518399, 3599 },
	{ 13, 1567915200, -10800, 0, 518400, 0 },
	{ 13, 1567918970, -10800, 3770, 522170, 170 },
	{ 13, 1577171436, -10800, 15036, 101436, 636 },
	{ 13, 1586055599, -10800, 86399, 518399, 3599 },
	{ 13, 1586055600, -14400, 86400, 518400, 0 },
	{ 13, 1586061395, -14400, 2195, 524195, 2195 },
	{ 13, 1599364799, -14400, 86399, 518399, 3599 },
	{ 13, 1599364800, -10800, 0, 518400, 0 },
	{ 13, 1599367248, -10800, 2448, 520848, 2448 },
	{ 13, 1617505199, -10800, 86399, 518399, 3599 },
	{ 13, 1617505200, -14400, 86400, 518400, 0 },
	{ 13, 1617508688, -14400, 89888, 521888, 3488 },
	{ 13, 1630814399, -14400, 86399, 518399, 3599 },
	{ 13, 1630814400, -10800, 0, 518400, 0 },
	{ 13, 1630820731, -10800, 6331, 524731, 2731 },
	{ 13, 1648954799, -10800, 86399, 518399, 3599 },
	{ 13, 1648954800, -14400, 86400, 518400, 0 },
	{ 13, 1648960073, -14400, 1673, 523673, 1673 },
	{ 13, 1662868799, -14400, 86399, 518399, 3599 },
	{ 13, 1662868800, -10800, 0, 518400, 0 },
	{ 13, 1662873530, -10800, 4730, 523130, 1130 },
	{ 13, 1680404399, -10800, 86399, 518399, 3599 },
	{ 13, 1680404400, -14400, 86400, 518400, 0 },
	{ 13, 1680406853, -14400, 88853, 520853, 2453 },
	{ 13, 1681833722, -14400, 43322, 129722, 122 },
	{ 13, 1693713599, -14400, 86399, 518399, 3599 },
	{ 13, 1693713600, -10800, 0, 518400, 0 },
	{ 13, 1693717714, -10800, 4114, 522514, 514 },
	{ 13, 1712458799, -10800, 86399, 518399, 3599 },
	{ 13, 1712458800, -14400, 86400, 518400, 0 },
	{ 13, 1712464295, -14400, 1895, 523895, 1895 },
	{ 13, 1725767999, -14400, 86399, 518399, 3599 },
	{ 13, 1725768000, -10800, 0, 518400, 0 },
	{ 13, 1725773602, -10800, 5602, 524002, 2002 },
	{ 14, -2147792872, -41216, 69912, 69912, 1512 },
	{ 14, -2051584696, -41216, 28488, 114888, 3288 },
	{ 14, -1856008280, -41400, 81520, 340720, 2320 },
	{ 14, -1673635572, -41400, 63828, 63828, 2628 },
	{ 14, -1461301965, -41400, 26235, 112635, 1035 },
	{ 14, -1458550213, -41400, 13187, 445187, 2387 },
	{ 14, -1217902853, -41400, 36547, 382147, 547 },
	{ 14, -1203890059, -41400, 52541, 484541, 2141 },
	{ 14, -1131898959, -41400, 72441, 504441, 441 },
	{ 14, -1108134145, -41400, 77255, 77255, 1655 },
	{ 14, -669968144, -41400, 22456, 368056, 856 },
	{ 14, -492316232, -39600, 37768, 210568, 1768 },
	{ 14, -487370290, -39600, 58910, 318110, 1310 },
	{ 14, -374726338, -39600, 37262, 469262, 1262 },
	{ 14, -272605750, -39600, 33050, 378650, 650 },
	{ 14, -92617577, -39600, 50023, 136423, 3223 },
	{ 14, -35334310, -39600, 50090, 568490, 3290 },
	{ 14, 49799207, -39600, 79607, 425207, 407 },
	{ 14, 71060680, -39600, 280, 518680, 280 },
	{ 14, 207377499, -39600, 64299, 150699, 3099 },
	{ 14, 302902145, -39600, 30545, 116945, 1745 },
	{ 14, 336167376, -39600, 31776, 118176, 2976 },
	{ 14, 436592031, -39600, 59631, 146031, 2031 },
	{ 14, 648706200, -39600, 61800, 580200, 600 },
	{ 14, 1130154653, -39600, 3053, 3053, 3053 },
	{ 14, 1144599611, -39600, 19211, 537611, 1211 },
	{ 14, 1328620385, 50400, 11585, 184385, 785 },
	{ 14, 1544073083, 50400, 69083, 328283, 683 },
	{ 14, 1554559199, 50400, 14399, 532799, 3599 },
	{ 14, 1554559200, 46800, 14400, 532800, 0 },
	{ 14, 1554561609, 46800, 16809, 535209, 2409 },
	{ 14, 1569679199, 46800, 10799, 529199, 3599 },
	{ 14, 1569679200, 50400, 10800, 529200, 0 },
	{ 14, 1569681632, 50400, 13232, 531632, 2432 },
	{ 14, 1586008799, 50400, 14399, 532799, 3599 },
	{ 14, 1586008800, 46800, 14400, 532800, 0 },
	{ 14, 1586013967, 46800, 19567, 537967, 1567 },
	{ 14, 1601128799, 46800, 10799, 529199, 3599 },
	{ 14, 1601128800, 50400, 10800, 529200, 0 },
	{ 14, 1601134064, 50400, 16064, 534464, 1664 },
	{ 14, 1617458399, 50400, 14399, 532799, 3599 },
	{ 14, 1617458400, 46800, 14400, 532800, 0 },
	{ 14, 1617463591, 46800, 19591, 537991, 1591 },
	{ 14, 1631843216, 46800, 53216, 398816, 2816 },
	{ 14, 1684384397, 46800, 63197, 322397, 1997 },
	{ 15, -2139812474, -1820, 54506, 227306, 506 },
	{ 15, -1985902793, -1820, 85787, 517787, 2987 },
	{ 15, -1404528770, 0, 76030, 76030, 430 },
	{ 15, -1370630716, 0, 18884, 105284, 884 },
	{ 15, -1243989998, 0, 83602, 342802, 802 },
	{ 15, -1101354796, 0, 72404, 245204, 404 },
	{ 15, -998341836, 0, 10164, 442164, 2964 },
	{ 15, -931910806, 3600, 3194, 348794, 3194 },
	{ 15, -870371905, 3600, 25295, 198095, 95 },
	{ 15, -615647747, 3600, 42253, 301453, 2653 },
	{ 15, -561471337, 0, 42263, 42263, 2663 },
	{ 15, -553051527, 0, 81273, 599673, 2073 },
	{ 15, -537041578, 0, 20822, 280022, 2822 },
	{ 15, -178938202, 0, 82598, 341798, 3398 },
	{ 15, -130485626, 0, 64774, 410374, 3574 },
	{ 15, -88768983, 0, 50217, 395817, 3417 },
	{ 15, 15930782, 0, 33182, 465182, 782 },
	{ 15, 66978520, 0, 18520, 104920, 520 },
	{ 15, 402250148, 0, 58148, 317348, 548 },
	{ 15, 443712844, 0, 48844, 48844, 2044 },
	{ 15, 596323458, 0, 77058, 249858, 1458 },
	{ 15, 647963530, 0, 49930, 481930, 3130 },
	{ 15, 737643792, 0, 46992, 46992, 192 },
	{ 15, 947782762, 0, 61162, 320362, 3562 },
	{ 15, 993063167, 0, 67967, 240767, 3167 },
	{ 15, 1228263819, 0, 1419, 174219, 1419 },
	{ 15, 1260423208, 0, 20008, 279208, 2008 },
	{ 15, 1400516070, 3600, 62070, 62070, 870 },
	{ 15, 1544020512, 3600, 56112, 228912, 2112 },
	{ 15, 1557021599, 3600, 10799, 529199, 3599 },
	{ 15, 1557021600, 0, 10800, 529200, 0 },
	{ 15, 1557027157, 0, 16357, 534757, 1957 },
	{ 15, 1560045599, 0, 7199, 525599, 3599 },
	{ 15, 1560045600, 3600, 7200, 525600, 0 },
	{ 15, 1560052445, 3600, 14045, 532445, 3245 },
	{ 15, 1587261599, 3600, 10799, 529199, 3599 },
	{ 15, 1587261600, 0, 10800, 529200, 0 },
	{ 15, 1587265317, 0, 14517, 532917, 117 },
	{ 15, 1590890399, 0, 7199, 525599, 3599 },
	{ 15, 1590890400, 3600, 7200, 525600, 0 },
	{ 15, 1590896196, 3600, 12996, 531396, 2196 },
	{ 15, 1618106399, 3600, 10799, 529199, 3599 },
	{ 15, 1618106400, 0, 10800, 529200, 0 },
	{ 15, 1618113361, 0, 17761, 536161, 3361 },
	{ 15, 1621130399, 0, 7199, 525599, 3599 },
	{ 15, 1621130400, 3600, 7200, 525600, 0 },
	{ 15, 1621134697, 3600, 11497, 529897, 697 },
	{ 15, 1646290090, 3600, 28090, 287290, 2890 },
	{ 15, 1648346399, 3600, 10799, 529199, 3599 },
	{ 15, 1648346400, 0, 10800, 529200, 0 },
	{ 15, 1648351521, 0, 15921, 534321, 1521 },
	{ 15, 1651975199, 0, 7199, 525599, 3599 },
	{ 15, 1651975200, 3600, 7200, 525600, 0 },
	{ 15, 1651977282, 3600, 9282, 527682, 2082 },
	{ 15, 1679191199, 3600, 10799, 529199, 3599 },
	{ 15, 1679191200, 0, 10800, 529200, 0 },
	{ 15, 1679194549, 0, 14149, 532549, 3349 },
	{ 15, 1682215199, 0, 7199, 525599, 3599 },
	{ 15, 1682215200, 3600, 7200, 525600, 0 },
	{ 15, 1682222048, 3600, 14048, 532448, 3248 },
	{ 15, 1710035999, 3600, 10799, 529199, 3599 },
	{ 15, 1710036000, 0, 10800, 529200, 0 },
	{ 15, 1710039378, 0, 14178, 532578, 3378 },
	{ 15, 1713059999, 0, 7199, 525599, 3599 },
	{ 15, 1713060000, 3600, 7200, 525600, 0 },
	{ 15, 1713061981, 3600, 9181, 527581, 1981 },
	{ 16, -1965931273, 12344, 26671, 545071, 1471 },
	{ 16, -1953519823, 12344, 82921, 255721, 121 },
	{ 16, -1643167176, 12344, 368, 345968, 368 },
	{ 16, -1601404035, 12344, 32309, 377909, 3509 },
	{ 16, -1394407885, 12344, 14059, 532459, 3259 },
	{ 16, -1284447346, 12344, 73798, 419398, 1798 },
	{ 16, -839833526, 12600, 73474, 505474, 1474 },
	{ 16, -835579212, 12600, 7788, 526188, 588 },
	{ 16, -765630123, 12600, 59277, 318477, 1677 },
	{ 16, -392791439, 12600, 81961, 600361, 2761 },
	{ 16, -380689218, 12600, 1782, 1782, 1782 },
	{ 16, -373643801, 12600, 48799, 394399, 1999 },
	{ 16, -331081694, 12600, 15706, 15706, 1306 },
	{ 16, -293699656, 12600, 72944, 504944, 944 },
	{ 16, -272583563, 12600, 21037, 453037, 3037 },
	{ 16, -261321822, 12600, 50778, 223578, 378 },
	{ 16, -219074249, 12600, 48751, 135151, 1951 },
	{ 16, -147507628, 12600, 76172, 335372, 572 },
	{ 16, -137839958, 12600, 67042, 326242, 2242 },
	{ 16, -22765704, 12600, 56496, 488496, 2496 },
	{ 16, 132039076, 12600, 32476, 464476, 76 },
	{ 16, 301015567, 16200, 14167, 100567, 3367 },
	{ 16, 301659300, 16200, 53100, 139500, 2700 },
	{ 16, 313342906, 12600, 69106, 328306, 706 },
	{ 16, 573360482, 12600, 22682, 281882, 1082 },
	{ 16, 805490177, 16200, 85577, 171977, 2777 },
	{ 16, 1011788643, 12600, 57243, 230043, 3243 },
	{ 16, 1225530210, 12600, 45210, 477210, 2010 },
	{ 16, 1523697506, 16200, 49706, 481706, 2906 },
	{ 16, 1553200199, 12600, 86399, 345599, 3599 },
	{ 16, 1553200200, 16200, 0, 345600, 0 },
	{ 16, 1553202536, 16200, 2336, 347936, 2336 },
	{ 16, 1569094199, 16200, 86399, 518399, 3599 },
	{ 16, 1569094200, 12600, 86400, 518400, 0 },
	{ 16, 1569097876, 12600, 76, 522076, 76 },
	{ 16, 1584736199, 12600, 86399, 431999, 3599 },
	{ 16, 1584736200, 16200, 0, 432000, 0 },
	{ 16, 1584742070, 16200, 5870, 437870, 2270 },
	{ 16, 1600630199, 16200, 86399, 604799, 3599 },
	{ 16, 1600630200, 12600, 86400, 604800, 0 },
	{ 16, 1600633715, 12600, 89915, 608315, 3515 },
	{ 16, 1616358599, 12600, 86399, 604799, 3599 },
	{ 16, 1616358600, 16200, 0, 0, 0 },
	{ 16, 1616361592, 16200, 2992, 2992, 2992 },
	{ 16, 1632252599, 16200, 86399, 172799, 3599 },
	{ 16, 1632252600, 12600, 86400, 172800, 0 },
	{ 16, 1632254498, 12600, 88298, 174698, 1898 },
	{ 16, 1647894599, 12600, 86399, 86399, 3599 },
	{ 16, 1647894600, 16200, 0, 86400, 0 },
	{ 16, 1647900076, 16200, 5476, 91876, 1876 },
	{ 16, 1663788599, 16200, 86399, 259199, 3599 },
	{ 16, 1663788600, 12600, 86400, 259200, 0 },
	{ 16, 1663790655, 12600, 88455, 261255, 2055 },
	{ 16, 1733805215, 12600, 29015, 115415, 215 },
};

/* python3 zoneinfo's answers (table above) for 17 zones, 1901 to 2040. */
static void
python_sweep(void)
{
	size_t bad_off = 0, bad_day = 0, bad_week = 0, bad_hour = 0, n = sizeof(sweep) / sizeof(sweep[0]);

	for (size_t i = 0; i < n; i++) {
		const struct sweep *w = &sweep[i];
		const struct tz *z = zone(sweep_zones[w->zone]);
		int64_t t = w->t * 1000;
		if (tz_offset_at(z, t) != w->off && bad_off++ < 5)
			tap_diag("%s at %lld: offset %d, python %d", sweep_zones[w->zone], (long long)w->t,
			    tz_offset_at(z, t), w->off);
		if (tz_bucket_start(z, t, TZ_DAY) != t - w->since_day * 1000LL && bad_day++ < 5)
			tap_diag("%s at %lld: day start %lld, python %lld", sweep_zones[w->zone], (long long)w->t,
			    (long long)tz_bucket_start(z, t, TZ_DAY) / 1000, (long long)(w->t - w->since_day));
		bad_week += tz_bucket_start(z, t, TZ_WEEK) != t - w->since_week * 1000LL;
		bad_hour += tz_bucket_start(z, t, TZ_HOUR) != t - w->since_hour * 1000LL;
	}
	ok(bad_off == 0, "offsets agree with python's zoneinfo at %zu instants (%zu differ)", n, bad_off);
	ok(bad_day == 0, "day starts agree (%zu differ)", bad_day);
	ok(bad_week == 0, "week starts agree (%zu differ)", bad_week);
	ok(bad_hour == 0, "hour starts agree (%zu differ)", bad_hour);
}

static unsigned char *
read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	long len;

	*n = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)len)) != NULL && fread(b, 1, (size_t)len, f) == (size_t)len)
		*n = (size_t)len;
	fclose(f);
	return b;
}

/* Any result must be usable: no crash, no sanitizer report. */
static void
exercise(const struct tz *z)
{
	for (int64_t t = utc(1900, 1, 1, 0, 0); t < utc(2100, 1, 1, 0, 0); t += 997 * 24 * H)
		for (int u = TZ_MINUTE; u <= TZ_WEEK; u++)
			(void)(tz_offset_at(z, t) + tz_bucket_next(z, tz_bucket_start(z, t, u), u));
}

static void
hostile(void)
{
	static const int32_t offs[] = { 3600, 7200 };
	static const int64_t at[] = { 1000, 2000, 3000 };
	static const uint8_t idx[] = { 1, 0, 1 };
	size_t n, refused = 0, parsed = 0;
	unsigned char *file = read_file(TZ_DIR "/Europe/Berlin", &n);
	char err[128];
	struct img m;
	struct tz *z;

	ok(file != NULL && n > 100, "read Europe/Berlin (%zu bytes)", n);
	z = tz_parse(file, n, err, sizeof(err));
	ok(z != NULL, "the whole file parses");
	tz_free(z);
	/* every truncation is refused: the footer's newline is the last byte */
	for (size_t len = 0; len < n; len++) {
		z = tz_parse(file, len, err, sizeof(err));
		refused += z == NULL;
		tz_free(z);
	}
	ok(refused == n, "all %zu truncations are refused", n);
	/* byte flips anywhere: parsed or refused, never a crash */
	{
		uint64_t s = 0x2545f4914f6cdd1dULL;
		unsigned char *copy = malloc(n);
		for (int round = 0; round < 3000; round++) {
			memcpy(copy, file, n);
			for (int k = 0; k < 1 + round % 4; k++) {
				s ^= s << 13, s ^= s >> 7, s ^= s << 17;
				copy[s % n] ^= (unsigned char)(1u << (s >> 32) % 8);
			}
			if ((z = tz_parse(copy, n, err, sizeof(err))) != NULL) {
				parsed++;
				if (round % 50 == 0)
					exercise(z);
			}
			tz_free(z);
		}
		ok(1, "3000 images with flipped bits: %zu still parse", parsed);
		free(copy);
	}
	free(file);

	build(&m, '2', at, idx, 3, offs, 2, "");
	z = tz_parse(m.b, m.n, err, sizeof(err));
	ok(z != NULL, "a made-up image parses");
	ok(z && tz_offset_at(z, 999999) == 3600 && tz_offset_at(z, 1000000) == 7200 &&
	    tz_offset_at(z, 2500000) == 3600 && tz_offset_at(z, 1LL << 50) == 7200,
	    "type 0 before the first transition, the last type after it (empty footer)");
	tz_free(z);
	build(&m, 0, at, idx, 3, offs, 2, NULL);
	z = tz_parse(m.b, m.n, err, sizeof(err));
	ok(z != NULL && tz_offset_at(z, 2500000) == 3600 && tz_offset_at(z, 3000000) == 7200, "a version-1 image parses");
	tz_free(z);

#define REFUSED(what) do { \
	err[0] = '\0'; \
	z = tz_parse(m.b, m.n, err, sizeof(err)); \
	ok(z == NULL && err[0] != '\0', "refused: %s (%s)", what, err); \
	tz_free(z); \
} while (0)
	build(&m, '2', at, idx, 3, offs, 2, "");
	m.b[0] = 'X';
	REFUSED("wrong magic");
	build(&m, '2', at, idx, 3, offs, 2, "");
	m.b[4] = '1';
	REFUSED("version '1'");
	build(&m, '2', at, idx, 3, offs, 2, "");
	m.b[44 + 5 + 4 + 32] = 0xff;            /* the 64-bit header's timecnt */
	REFUSED("a huge transition count");
	build(&m, '2', at, idx, 3, offs, 2, "");
	memset(m.b + 44 + 5 + 4 + 36, 0, 4);    /* typecnt 0 */
	REFUSED("no time types");
	build(&m, '2', at, idx, 3, offs, 2, "");
	m.b[44 + 5 + 4 + 28 + 3] = 1;           /* leapcnt 1 */
	REFUSED("a leap-second record");
	{
		static const uint8_t bad_idx[] = { 1, 2, 1 };
		build(&m, '2', at, bad_idx, 3, offs, 2, "");
		REFUSED("a transition to a type that does not exist");
	}
	{
		static const int64_t back[] = { 1000, 3000, 2000 };
		static const int64_t same[] = { 1000, 1000, 2000 };
		build(&m, '2', back, idx, 3, offs, 2, "");
		REFUSED("transitions out of order");
		build(&m, '2', same, idx, 3, offs, 2, "");
		REFUSED("two transitions at one instant");
	}
	{
		static const int32_t far[] = { 3600, 100 * 3600 };
		build(&m, '2', at, idx, 3, far, 2, "");
		REFUSED("an offset of 100 hours");
	}
	build(&m, '2', at, idx, 3, offs, 2, "");
	m.n--;                                  /* the footer's closing newline */
	REFUSED("a footer without its end");
	{
		static const char *const footers[] = {
			"CET", "CET-1CEST", "CET-1CEST,M3.5.0", "CET-1CEST,M3.5.0,M10.5.0/3x", "CE-1",
			"<C>-1", "<CET-1", "CET-25", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
			"CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J365", "CET-1CEST,J1,366", "CET-1CEST,M3.5.0/168,M10.5.0",
			"CET-1CEST,M3.5.0/1:60,M10.5.0", "CET-1:2:3:4", "CET-0001", "CET+-1", "CET-1CEST,,M10.5.0",
		};
		for (size_t i = 0; i < sizeof(footers) / sizeof(footers[0]); i++) {
			build(&m, '2', at, idx, 3, offs, 2, footers[i]);
			REFUSED(footers[i]);
		}
	}
	{
		static const char *const good[] = {
			"UTC0", "<+0530>-5:30", "<-03>3", "EST5EDT,M3.2.0,M11.1.0", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
			"AAA3BBB,M3.5.0/-167,M10.5.0/167", "AAA-24:59:59", "XXX+12YYY+11:30,J1,J365/0:0:1",
		};
		for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
			build(&m, '2', at, idx, 3, offs, 2, good[i]);
			z = tz_parse(m.b, m.n, err, sizeof(err));
			ok(z != NULL, "footer accepted: %s%s%s", good[i], z ? "" : " - ", z ? "" : err);
			if (z != NULL)
				exercise(z);
			tz_free(z);
		}
	}
	ok(tz_parse(NULL, 0, err, sizeof(err)) == NULL, "zero bytes are refused");
#undef REFUSED
}

static void *
lookup_thread(void *arg)
{
	static const char *const names[] = { "Europe/Berlin", "Asia/Tokyo", "America/Chicago", "Europe/Paris" };
	const struct tz **seen = arg;

	for (int i = 0; i < 2000; i++) {
		const struct tz *z = tz_get(names[i % 4], NULL, 0);
		if (z == NULL || (seen[i % 4] != NULL && seen[i % 4] != z))
			return (void *)1;
		seen[i % 4] = z;
		(void)tz_bucket_start(z, utc(2026, 1, 1, 0, 0) + i * H, TZ_DAY);
	}
	return NULL;
}

static void
threads(void)
{
	pthread_t th[4];
	const struct tz *seen[4][4];
	int fails = 0;

	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, lookup_thread, seen[i]);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(th[i], &r);
		fails += r != NULL;
	}
	for (int i = 1; i < 4; i++)
		fails += memcmp(seen[0], seen[i], sizeof(seen[0])) != 0;
	ok(fails == 0, "4 threads looking up zones get the same shared ones");
}

int
main(void)
{
	names();
	utc_zone();
	berlin();
	new_york();
	odd_offsets();
	midnights();
	footer_rule();
	tiling();
	python_sweep();
	hostile();
	threads();
	return tap_done();
}
