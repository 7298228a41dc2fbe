/* test_hist: the percentile histogram's error bound, merging and its encoding. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "tap.h"

#define BOUND 0.0443    /* docs/architecture.md: within 4.43 % */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The exact nearest-rank percentile of sorted v[n]. */
static double
exact(const double *v, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);
	return v[rank ? rank - 1 : 0];
}

static void
error_bound(void)
{
	double worst = 0;
	/* every bucket's edges and middle: the reported value stays within the bound */
	for (double v = 1.0; v < 1e9; v *= 1.013) {
		double got = hist_bucket_value(hist_bucket(v));
		double err = fabs(got - v) / v;
		if (err > worst)
			worst = err;
	}
	ok(worst <= BOUND, "every value from 1 to 1e9 within 4.43 %% of its bucket's value (worst %.4f)", worst);
	ok(worst > 0.04, "and the bound is tight (worst %.4f)", worst);
	is_int(hist_bucket(0.0), 0, "0 is bucket 0");
	is_int(hist_bucket(0.5), 0, "0.5 is bucket 0");
	is_int(hist_bucket(1.0), 1, "1 is bucket 1");
	is_int(hist_bucket(1e300), HIST_BUCKETS - 1, "huge values land in the last bucket");
	is_int(hist_bucket(-5.0), 0, "negative values count as 0");
	is_int(hist_bucket(NAN), 0, "NaN counts as 0");
}

static void
percentiles(void)
{
	enum { N = 20000 };
	static double v[N];
	struct hist h;
	uint64_t s = 88172645463325252ULL;

	memset(&h, 0, sizeof(h));
	for (size_t i = 0; i < N; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		v[i] = 20.0 + (double)(s % 500000) / 100.0;     /* 20 .. 5020 ms */
		hist_add(&h, v[i], 1);
	}
	qsort(v, N, sizeof(v[0]), cmp_double);
	for (double q = 0.05; q < 1.0; q += 0.15) {
		double want = exact(v, N, q), got = hist_percentile(&h, q);
		ok(fabs(got - want) / want <= BOUND, "p%.0f %.2f within 4.43 %% of %.2f", q * 100, got, want);
	}
	ok(fabs(hist_percentile(&h, 1.0) - v[N - 1]) / v[N - 1] <= BOUND, "p100 is the maximum's bucket");
	is_int((int64_t)h.total, N, "total counts every value");

	memset(&h, 0, sizeof(h));
	ok(hist_percentile(&h, 0.5) == 0.0, "an empty histogram answers 0");
	hist_add(&h, 100, 3);
	hist_add(&h, 400, 1);
	/* nearest rank: p50 of {100,100,100,400} is 100, p95 is 400 */
	ok(fabs(hist_percentile(&h, 0.5) - 100) <= 100 * BOUND, "weighted p50");
	ok(fabs(hist_percentile(&h, 0.95) - 400) <= 400 * BOUND, "weighted p95");
}

static void
encoding(void)
{
	struct hist a, b, back;
	unsigned char buf[HIST_MAX_BYTES];
	size_t n;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&back, 0, sizeof(back));
	is_int((int64_t)hist_encode(&a, buf), 0, "an empty histogram encodes to no bytes");
	ok(hist_merge_blob(&back, buf, 0) == 0 && back.total == 0, "and merges as nothing");

	for (int i = 0; i < HIST_BUCKETS; i++)
		a.count[i] = (uint64_t)i * 1000003u + (i == 7 ? UINT64_C(1) << 62 : 0);
	for (int i = 0; i < HIST_BUCKETS; i++)
		a.total += a.count[i];
	n = hist_encode(&a, buf);
	ok(n > 0 && n <= HIST_MAX_BYTES, "a full histogram fits HIST_MAX_BYTES (%zu)", n);
	ok(hist_merge_blob(&back, buf, n) == 0, "it decodes");
	ok(memcmp(back.count, a.count, sizeof(a.count)) == 0 && back.total == a.total, "to the same counts");

	/* merging adds counts bucket by bucket */
	hist_add(&b, 10, 2);
	hist_add(&b, 1000, 5);
	n = hist_encode(&b, buf);
	ok(hist_merge_blob(&back, buf, n) == 0, "merge a second histogram");
	is_int((int64_t)(back.count[hist_bucket(10)] - a.count[hist_bucket(10)]), 2, "bucket of 10 grew by 2");
	is_int((int64_t)(back.total - a.total), 7, "total grew by 7");

	/* malformed blobs are refused */
	memset(&back, 0, sizeof(back));
	{
		const unsigned char trunc[] = { 5, 0x80 };              /* varint cut short */
		const unsigned char order[] = { 9, 1, 3, 1 };           /* buckets not increasing */
		const unsigned char longv[] = { 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1 };
		const unsigned char lone[] = { 4 };                     /* bucket without a count */
		ok(hist_merge_blob(&back, trunc, sizeof(trunc)) == -1, "a truncated count is refused");
		ok(hist_merge_blob(&back, order, sizeof(order)) == -1, "buckets out of order are refused");
		ok(hist_merge_blob(&back, longv, sizeof(longv)) == -1, "an over-long count is refused");
		ok(hist_merge_blob(&back, lone, sizeof(lone)) == -1, "a bucket without a count is refused");
	}
}

int
main(void)
{
	error_bound();
	percentiles();
	encoding();
	return tap_done();
}
