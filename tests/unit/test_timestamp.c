/* test_timestamp: ISO 8601 / RFC 3339 parsing, formatting and the civil calendar. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "timestamp.h"
#include "tap.h"

#define BASE 1705314600000LL    /* 2024-01-15T10:30:00Z */

static void
parses(const char *s, int64_t want)
{
	int64_t ms = 0x7777;
	int rc = ts_parse_iso(s, &ms);
	ok(rc == 0 && ms == want, "'%s' = %lld", s, (long long)want);
	if (rc != 0)
		tap_diag("refused");
	else if (ms != want)
		tap_diag("expected %lld got %lld (off by %lld ms)", (long long)want, (long long)ms,
		    (long long)(ms - want));
}

static void
refused(const char *s)
{
	int64_t ms = 0x7777;
	int rc = ts_parse_iso(s, &ms);
	ok(rc == -1, "'%s' refused", s ? s : "(null)");
	if (rc != -1)
		tap_diag("accepted as %lld", (long long)ms);
}

static void
formats(int64_t ms, const char *want)
{
	char out[32];
	memset(out, 'Z', sizeof(out));
	ts_format_iso(ms, out);
	is_str(out, want, "format %lld", (long long)ms);
}

int
main(void)
{
	/* the civil calendar */
	is_int(ts_days_from_civil(1970, 1, 1), 0, "1970-01-01 is day 0");
	is_int(ts_days_from_civil(2000, 1, 1), 10957, "2000-01-01 is day 10957");
	is_int(ts_days_from_civil(1969, 12, 31), -1, "1969-12-31 is day -1");
	is_int(ts_days_from_civil(2000, 3, 1), 11017, "2000-03-01 (after a 400-year leap day)");
	is_int(ts_days_from_civil(1, 1, 1), -719162, "0001-01-01");

	/* Z, fractions of any length, separators */
	parses("2024-01-15T10:30:00Z", BASE);
	parses("2024-01-15t10:30:00z", BASE);
	parses("2024-01-15 10:30:00Z", BASE);
	parses("2024-01-15T10:30:00.1Z", BASE + 100);
	parses("2024-01-15T10:30:00.12Z", BASE + 120);
	parses("2024-01-15T10:30:00.123Z", BASE + 123);
	parses("2024-01-15T10:30:00.1239Z", BASE + 123);
	parses("2024-01-15T10:30:00.123456789Z", BASE + 123);
	parses("2024-01-15T10:30:00.999999999999999999999999999999Z", BASE + 999);
	parses("2024-01-15T10:30:00.000Z", BASE);
	parses("2024-01-15T10:30:00,5Z", BASE + 500);
	refused("2024-01-15T10:30:00.Z");
	refused("2024-01-15T10:30:00.x1Z");

	/* offsets ±HH:MM and ±HHMM */
	parses("2024-01-15T12:30:00+02:00", BASE);
	parses("2024-01-15T12:30:00+0200", BASE);
	parses("2024-01-15T05:00:00-05:30", BASE);
	parses("2024-01-15T05:00:00-0530", BASE);
	parses("2024-01-15T10:30:00+00:00", BASE);
	parses("2024-01-15T10:30:00-00:00", BASE);
	parses("2024-01-15T10:30:00.250+01:00", BASE - 3600000 + 250);
	parses("2024-01-16T00:30:00+14:00", BASE);
	parses("2024-01-15T00:00:00-12:00", BASE + 90 * 60000LL);
	refused("2024-01-15T10:30:00+02");
	refused("2024-01-15T10:30:00+2:00");
	refused("2024-01-15T10:30:00+02:0");
	refused("2024-01-15T10:30:00+24:00");
	refused("2024-01-15T10:30:00+02:60");
	refused("2024-01-15T10:30:00+02:00Z");
	refused("2024-01-15T10:30:00 +02:00");

	/* a time without a zone is ambiguous: refused */
	refused("2024-01-15T10:30:00");
	refused("2024-01-15T10:30:00.123");
	refused("2024-01-15T10:30Z");
	refused("2024-01-15T10Z");
	refused("2024-01-15T");

	/* date only: midnight UTC */
	parses("2024-01-15", BASE - (10 * 3600000LL + 30 * 60000LL));
	parses("2000-01-01", TS_MIN_MS);
	refused("2024-01-15Z");
	refused("2024-01-15 ");
	refused("2024-1-15");
	refused("24-01-15");
	refused("20240115");
	refused("2024/01/15");

	/* leap years: every 4, not every 100, every 400 */
	parses("2024-02-29", 1709164800000LL);
	parses("2000-02-29T00:00:00Z", 951782400000LL);
	refused("2023-02-29");
	refused("1900-02-29");
	refused("2100-02-29");
	parses("2023-02-28", 1677542400000LL);

	/* invalid dates and times */
	refused("2024-02-30");
	refused("2024-04-31");
	refused("2024-13-01");
	refused("2024-00-10");
	refused("2024-01-00");
	refused("2024-01-32");
	refused("2024-01-15T24:00:00Z");
	refused("2024-01-15T23:60:00Z");
	refused("2024-01-15T23:59:61Z");
	refused("2024-01-15T1:30:00Z");
	refused("2024-01-15T10:30:00Zjunk");
	refused("2024-01-15T10:30:00Z ");
	refused("");
	refused(NULL);
	refused("yesterday");
	refused("1705314600000");       /* epoch ms are numbers, not strings */
	/* a leap second is folded into the next second */
	parses("2016-12-31T23:59:60Z", 1483228800000LL);

	/* negative times (before 1970) */
	parses("1969-12-31T23:59:59.999Z", -1);
	parses("1969-12-31T23:59:59Z", -1000);
	parses("1960-01-01T00:00:00Z", -315619200000LL);
	parses("0001-01-01T00:00:00Z", -62135596800000LL);
	parses("9999-12-31T23:59:59.999Z", 253402300799999LL);

	/* formatting */
	formats(0, "1970-01-01T00:00:00.000Z");
	formats(BASE + 7, "2024-01-15T10:30:00.007Z");
	formats(-1, "1969-12-31T23:59:59.999Z");
	formats(-1000, "1969-12-31T23:59:59.000Z");
	formats(-86400000LL, "1969-12-31T00:00:00.000Z");
	formats(-86400001LL, "1969-12-30T23:59:59.999Z");
	formats(951782400000LL, "2000-02-29T00:00:00.000Z");
	formats(-62135596800000LL, "0001-01-01T00:00:00.000Z");
	formats(253402300799999LL, "9999-12-31T23:59:59.999Z");

	/* round trip: format then parse gives the same millisecond */
	{
		static const int64_t v[] = { 0, 1, -1, 999, -999, 1000, -1001, TS_MIN_MS, TS_MIN_MS - 1,
			BASE, BASE + 123, 951782400000LL, 4102444800000LL, -315619200000LL,
			-62135596800000LL, 253402300799999LL, 1483228799999LL };
		int all = 1;
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			char s[32];
			int64_t back = 0;
			ts_format_iso(v[i], s);
			if (ts_parse_iso(s, &back) != 0 || back != v[i]) {
				tap_diag("%lld -> %s -> %lld", (long long)v[i], s, (long long)back);
				all = 0;
			}
		}
		ok(all, "format/parse round trip of %zu chosen instants", sizeof(v) / sizeof(v[0]));
	}
	/* every day from 1900 to 2100, at a moving time of day */
	{
		int all = 1;
		int64_t first = ts_days_from_civil(1900, 1, 1), last = ts_days_from_civil(2100, 12, 31);
		for (int64_t d = first; d <= last && all; d++) {
			int64_t ms = d * 86400000LL + (d * 7919 % 86400000 + 86400000) % 86400000, back;
			char s[32], date[11];
			ts_format_iso(ms, s);
			if (ts_parse_iso(s, &back) != 0 || back != ms) {
				tap_diag("%lld -> %s -> %lld", (long long)ms, s, (long long)back);
				all = 0;
			}
			memcpy(date, s, 10);
			date[10] = '\0';
			if (ts_parse_iso(date, &back) != 0 || back != d * 86400000LL) {
				tap_diag("date %s -> %lld, expected day %lld", date, (long long)back, (long long)d);
				all = 0;
			}
		}
		ok(all, "round trip of every day 1900-2100 (and its date alone)");
	}
	return tap_done();
}
