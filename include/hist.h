/*
 * hist: log-scale histograms for percentiles kept in rollups (latency in ms,
 * input tokens). Bucket 0 holds [0, 1); bucket b >= 1 holds
 * [2^((b-1)/8), 2^(b/8)), so a bucket is 9.05 % wide and its geometric
 * middle, which a percentile reports, is within 4.43 % of any value in it.
 * The last bucket (255) also holds everything above 2^(254/8) (about 3.8e9).
 * On disk a histogram is sparse: (bucket byte, count as unsigned LEB128)
 * pairs in increasing bucket order; an empty one is zero bytes.
 */
#ifndef TALLY_HIST_H
#define TALLY_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_BUCKETS 256
#define HIST_MAX_BYTES (HIST_BUCKETS * 11)

struct hist {
	uint64_t count[HIST_BUCKETS];
	uint64_t total;
};

int hist_bucket(double v);
/* The value a percentile falling in bucket b reports. */
double hist_bucket_value(int b);
void hist_add(struct hist *h, double v, uint64_t n);
/* Adds an encoded histogram; -1 (h unchanged past the error) when malformed. */
int hist_merge_blob(struct hist *h, const unsigned char *blob, size_t len);
/* Encodes into out[HIST_MAX_BYTES]; returns the length. */
size_t hist_encode(const struct hist *h, unsigned char *out);
/* Nearest-rank percentile (q in (0, 1]); 0 when empty. */
double hist_percentile(const struct hist *h, double q);

#endif
