/*
 * fuzz_hll: libFuzzer target for hll_merge_blob, the parser of the sketches
 * stored in the event rollups (include/hll.h). Besides ASan/UBSan findings it
 * aborts when a refused blob changed the sketch, when the same blob is
 * accepted into a sparse sketch and refused by a dense one (or the reverse),
 * and when an accepted sketch does not survive hll_serialize and a second
 * hll_merge_blob with the same estimate and the same bytes.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hll.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char *
serialize(const struct hll *h, size_t *n)
{
	unsigned char *b;

	if (hll_serialize(h, &b, n) == -1)
		abort();        /* the sizes here never run out of memory */
	return b;
}

static void
check_estimate(const struct hll *h)
{
	double e = hll_estimate(h);

	if (!isfinite(e) || e < 0 || e > HLL_ESTIMATE_MAX || (e == 0) != (hll_is_empty(h) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hll *base;
	struct hll *h = hll_new(), *dense = hll_new(), *back = hll_new();
	unsigned char *b1 = NULL, *b2 = NULL, *d0 = NULL, *d1 = NULL;
	size_t n1, n2, nd0, nd1;
	double before;
	int rc;

	if (base == NULL) {
		/* a dense sketch to merge into as well: 5000 ids, made once */
		if ((base = hll_new()) == NULL)
			abort();
		for (uint64_t i = 0; i < 5000; i++)
			if (hll_add(base, hll_hash(&i, sizeof(i))) == -1)
				abort();
	}
	if (h == NULL || dense == NULL || back == NULL || hll_merge(dense, base) == -1)
		abort();
	before = hll_estimate(dense);
	d0 = serialize(dense, &nd0);

	rc = hll_merge_blob(h, data, size);
	if (hll_merge_blob(dense, data, size) != rc)
		abort();
	check_estimate(h);
	check_estimate(dense);
	if (rc == -1) {
		d1 = serialize(dense, &nd1);
		if (!hll_is_empty(h) || hll_estimate(dense) != before || nd1 != nd0 || memcmp(d0, d1, nd0) != 0)
			abort();
		goto out;
	}
	if (size == 0 && !hll_is_empty(h))
		abort();

	b1 = serialize(h, &n1);
	if (n1 > HLL_DENSE_BYTES || hll_merge_blob(back, b1, n1) != 0)
		abort();
	b2 = serialize(back, &n2);
	if (hll_estimate(back) != hll_estimate(h) || n2 != n1 || (n1 > 0 && memcmp(b1, b2, n1) != 0))
		abort();
	/* merging the canonical form into the dense sketch again changes nothing */
	d1 = serialize(dense, &nd1);
	if (hll_merge_blob(dense, b1, n1) != 0)
		abort();
	free(b2);
	b2 = serialize(dense, &n2);
	if (n2 != nd1 || memcmp(b2, d1, n2) != 0)
		abort();
out:
	free(b1);
	free(b2);
	free(d0);
	free(d1);
	hll_free(h);
	hll_free(dense);
	hll_free(back);
	return 0;
}
