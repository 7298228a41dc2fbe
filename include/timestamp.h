/* timestamp: ISO 8601 (RFC 3339 profile) and epoch milliseconds. */
#ifndef TALLY_TIMESTAMP_H
#define TALLY_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

/* 2000-01-01T00:00:00Z: the earliest event time SPEC §4.3 accepts. */
#define TS_MIN_MS 946684800000LL

/*
 * Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM|±HHMM)" (T may be a space,
 * the fraction any number of digits, truncated to ms) or a date alone
 * "YYYY-MM-DD" (midnight UTC). Returns 0 and *ms, or -1.
 */
int ts_parse_iso(const char *s, int64_t *ms);

/* Formats ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out[32]. */
void ts_format_iso(int64_t ms, char out[32]);

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
int64_t ts_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
