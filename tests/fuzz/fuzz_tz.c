/*
 * fuzz_tz: libFuzzer target for tz_parse, the TZif reader behind the tz
 * parameter (include/tz.h). Besides ASan/UBSan findings it aborts when an
 * accepted zone answers an offset beyond +-26 h, or its buckets break the
 * contract: start <= t < next, and next > start.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DAY_MS 86400000LL

static const int64_t instants[] = {
	INT64_MIN, -62135596800000LL, -2208988800000LL, -1, 0, 1,
	1774746000000LL,        /* 2026-03-29T01:00:00Z, Berlin's spring change */
	1792890000000LL,        /* 2026-10-25T01:00:00Z */
	2147483647000LL, 2208988800000LL, 4102444800000LL, 253402300799999LL, INT64_MAX,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	struct tz *z = tz_parse(data, size, err, sizeof(err));

	if (z == NULL) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		int64_t t = instants[i];
		int off = tz_offset_at(z, t);
		if (off < -26 * 3600 || off > 26 * 3600)
			abort();
		if (t < TZ_MIN_MS || t > TZ_MAX_MS)
			continue;       /* clamped: the bucket of the range's end */
		for (int u = TZ_MINUTE; u <= TZ_WEEK; u++) {
			int64_t s = tz_bucket_start(z, t, u), n = tz_bucket_next(z, t, u);
			if (s > t || n <= t || n - s > 10 * DAY_MS || tz_bucket_next(z, s, u) != n)
				abort();
		}
	}
	tz_free(z);
	return 0;
}
