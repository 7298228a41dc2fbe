/* hist: the rollups' log-scale histograms (see include/hist.h). */
#include "hist.h"

#include <math.h>
#include <string.h>

#define STEPS_PER_OCTAVE 8

int
hist_bucket(double v)
{
	double b;

	if (!(v >= 1.0))        /* also NaN */
		return 0;
	b = 1.0 + floor(STEPS_PER_OCTAVE * log2(v));
	return b >= HIST_BUCKETS - 1 ? HIST_BUCKETS - 1 : (int)b;
}

double
hist_bucket_value(int b)
{
	if (b <= 0)
		return 0.0;
	return exp2((b - 0.5) / STEPS_PER_OCTAVE);
}

void
hist_add(struct hist *h, double v, uint64_t n)
{
	h->count[hist_bucket(v)] += n;
	h->total += n;
}

int
hist_merge_blob(struct hist *h, const unsigned char *p, size_t len)
{
	size_t i = 0;
	int last = -1;

	while (i < len) {
		int b = p[i++];
		uint64_t n = 0;
		int shift = 0;

		if (b <= last)
			return -1;
		for (;;) {
			if (i == len || shift > 63)
				return -1;
			n |= (uint64_t)(p[i] & 0x7f) << shift;
			shift += 7;
			if ((p[i++] & 0x80) == 0)
				break;
		}
		h->count[b] += n;
		h->total += n;
		last = b;
	}
	return 0;
}

size_t
hist_encode(const struct hist *h, unsigned char *out)
{
	size_t len = 0;

	for (int b = 0; b < HIST_BUCKETS; b++) {
		uint64_t n = h->count[b];
		if (n == 0)
			continue;
		out[len++] = (unsigned char)b;
		do {
			unsigned char byte = n & 0x7f;
			n >>= 7;
			out[len++] = byte | (n ? 0x80 : 0);
		} while (n);
	}
	return len;
}

double
hist_percentile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (h->total == 0)
		return 0.0;
	rank = (uint64_t)ceil(q * (double)h->total);
	if (rank < 1)
		rank = 1;
	for (int b = 0; b < HIST_BUCKETS; b++) {
		seen += h->count[b];
		if (seen >= rank)
			return hist_bucket_value(b);
	}
	return hist_bucket_value(HIST_BUCKETS - 1);
}
