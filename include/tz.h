/*
 * tz: IANA time zones for the analytics API's tz parameter (SPEC: "timezone
 * parameter tz with IANA names"), so days, weeks and hours are bucketed in
 * local time. Zones come from the compiled TZif files of Debian's tzdata
 * under TZ_DIR (RFC 8536, versions 1 to 4; the 64-bit data of version 2+),
 * never from TZ and localtime(), which are process-wide: a loaded zone is
 * immutable and threads share it freely.
 *
 * After the last transition of the file, the footer's POSIX TZ string
 * (e.g. "CET-1CEST,M3.5.0,M10.5.0/3") gives the offset, with rules in the
 * Mm.w.d, Jn and n forms and the RFC 8536 extensions (rule times from -167
 * to 167 hours, DST all year), so "slim" files (transitions only up to the
 * last rule change) and "fat" ones (up to 2037) give the same answers.
 * Leap-second zones ("right/...") are refused: we count POSIX time.
 *
 * Times are UTC milliseconds since the epoch. Instants outside years 0001 to
 * 9999 are treated as the nearest end of that range. A NULL zone is UTC.
 */
#ifndef TALLY_TZ_H
#define TALLY_TZ_H

#include <stddef.h>
#include <stdint.h>

#define TZ_DIR "/usr/share/zoneinfo"
#define TZ_NAME_MAX 64
#define TZ_FILE_MAX (1024 * 1024)       /* the largest tzdata file is under 5 KB */
/* Zones tz_get keeps: more than tzdata has names outside right/ (about 600),
 * so a client trying every name cannot crowd out the others. */
#define TZ_CACHE_MAX 1024
#define TZ_MIN_MS (-62135596800000LL + 2 * 86400000LL)     /* 0001-01-03T00:00:00Z */
#define TZ_MAX_MS (253402300800000LL - 2 * 86400000LL)     /* 9999-12-30T00:00:00Z */

enum tz_unit {
	TZ_MINUTE,
	TZ_HOUR,
	TZ_DAY,
	TZ_WEEK                 /* starts Monday 00:00 local (ISO 8601) */
};

struct tz;                      /* opaque, immutable once loaded */

/*
 * Loads TZ_DIR/name. NULL with a message in err[errlen] when the name is
 * invalid (empty, longer than TZ_NAME_MAX, a leading '/', an empty or ".."
 * segment, a character outside [A-Za-z0-9_+-/]), unknown, or the file is
 * malformed. Caller frees with tz_free.
 */
struct tz *tz_load(const char *name, char *err, size_t errlen);

/* Parses a TZif image (RFC 8536); NULL with err set when it is malformed. */
struct tz *tz_parse(const unsigned char *data, size_t n, char *err, size_t errlen);

void tz_free(struct tz *z);     /* NULL-safe */

/*
 * The zone by name from a process-wide cache (mutex; the first use of a name
 * reads its file). The zone is shared and lives until exit: never free it.
 * NULL with err set as tz_load, or when TZ_CACHE_MAX zones are already held
 * (nothing is evicted, since callers keep the pointers).
 */
const struct tz *tz_get(const char *name, char *err, size_t errlen);

/* Offset from UTC in seconds in force at utc_ms (+3600 for Berlin in winter). */
int tz_offset_at(const struct tz *z, int64_t utc_ms);

/*
 * Start (UTC ms) of the local bucket of the given unit that holds utc_ms.
 *   TZ_DAY, TZ_WEEK: from the first instant of the local day (of the Monday)
 *   to the first of the next one, so a day across a DST change lasts 23 or
 *   25 hours; when local midnight does not exist (a jump at 00:00) the day
 *   starts at the jump, when it occurs twice at the first. Where clocks go
 *   back across midnight (Chile: Saturday 24:00 -> 23:00) the time shown
 *   twice stays in the earlier day, and the later day starts at its second
 *   midnight.
 *   TZ_HOUR, TZ_MINUTE: the local hour (minute) under the offset in force,
 *   cut where the offset changes: the hour repeated when clocks go back is
 *   two buckets, and with a 30-minute shift (Australia/Lord_Howe) or a
 *   5:30 zone across a change, a bucket may last 30 minutes.
 * Any other unit counts as TZ_DAY. Consecutive buckets tile time: tz_bucket_start(z, t) <= t <
 * tz_bucket_next(z, t), and tz_bucket_next of any instant is the start of the
 * following bucket.
 */
int64_t tz_bucket_start(const struct tz *z, int64_t utc_ms, enum tz_unit unit);
int64_t tz_bucket_next(const struct tz *z, int64_t utc_ms, enum tz_unit unit);

#endif
