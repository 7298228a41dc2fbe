/* test_hll: HyperLogLog accuracy, merging, both representations and the blob parser. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hll.h"
#include "tap.h"

#define BOUND 0.02      /* include/hll.h: within 2 % */

static uint64_t
id_hash(const char *prefix, long i)
{
	char id[64];
	int len = snprintf(id, sizeof(id), "%s%ld", prefix, i);
	return hll_hash(id, (size_t)len);
}

/* A sketch of the ids prefix+[from, to). */
static struct hll *
sketch(const char *prefix, long from, long to)
{
	struct hll *h = hll_new();

	for (long i = from; i < to && h != NULL; i++)
		if (hll_add(h, id_hash(prefix, i)) == -1) {
			hll_free(h);
			h = NULL;
		}
	return h;
}

static double
rel_err(double got, double want)
{
	return fabs(got - want) / want;
}

/* The blob of h; NULL with *n = 0 for the empty sketch. */
static unsigned char *
blob_of(const struct hll *h, size_t *n)
{
	unsigned char *b;

	if (hll_serialize(h, &b, n) == -1)
		return NULL;
	return b;
}

static void
empty(void)
{
	struct hll *h = hll_new();
	unsigned char *b = (unsigned char *)"x";
	size_t n = 99;

	ok(h != NULL, "hll_new");
	ok(hll_estimate(h) == 0.0, "the empty sketch estimates 0");
	ok(hll_is_empty(h), "and is empty");
	ok(hll_serialize(h, &b, &n) == 0 && b == NULL && n == 0, "and serializes to no bytes");
	ok(hll_merge_blob(h, "", 0) == 0 && hll_is_empty(h), "an empty blob merges as nothing");
	hll_add(h, id_hash("u", 1));
	ok(!hll_is_empty(h), "not empty after an add");
	hll_clear(h);
	ok(hll_is_empty(h) && hll_estimate(h) == 0.0, "hll_clear empties it");
	hll_free(h);
	hll_free(NULL);
}

static void
small_counts(void)
{
	static const long sizes[] = { 1, 2, 3, 10, 100, 1000, 4000 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct hll *h = sketch("user-", 0, sizes[s]);
		double e = hll_estimate(h);
		ok(rel_err(e, (double)sizes[s]) <= 0.01, "%ld distinct ids estimate %.3f (within 1 %%)", sizes[s], e);
		hll_free(h);
	}
}

static void
duplicates(void)
{
	struct hll *h = hll_new(), *once = sketch("dup-", 0, 500);
	unsigned char *b1, *b2;
	size_t n1, n2;

	for (int round = 0; round < 20; round++)
		for (long i = 0; i < 500; i++)
			hll_add(h, id_hash("dup-", i));
	ok(hll_estimate(h) == hll_estimate(once), "adding 500 ids 20 times estimates as adding them once (%.2f)",
	    hll_estimate(h));
	b1 = blob_of(h, &n1);
	b2 = blob_of(once, &n2);
	ok(n1 == n2 && memcmp(b1, b2, n1) == 0, "and serializes the same");
	free(b1);
	free(b2);
	hll_free(h);
	hll_free(once);
}

/* The accuracy the product promises: within 2 % at every size (SPEC). */
static void
accuracy(void)
{
	static const long sizes[] = { 5000, 10000, 20000, 50000, 100000, 300000, 1000000 };
	struct hll *h = hll_new();
	long added = 0;
	double worst = 0;
	clock_t t0 = clock();

	/* one sketch grown through every size: the ids of the smaller sets are a prefix */
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double e, err;
		for (; added < sizes[s]; added++)
			hll_add(h, id_hash("user-", added));
		e = hll_estimate(h);
		err = rel_err(e, (double)sizes[s]);
		if (err > worst)
			worst = err;
		ok(err <= BOUND, "%ld distinct \"user-%%d\" ids estimate %.0f (error %.2f %%, bound 2 %%)",
		    sizes[s], e, 100 * err);
	}
	tap_diag("worst error %.2f %% over the sizes; 1 sigma is 0.81 %%", 100 * worst);
	tap_diag("adding 1,000,000 ids took %.0f ms", 1000.0 * (double)(clock() - t0) / CLOCKS_PER_SEC);
	hll_free(h);

	/* other id shapes: UUID-like strings, and a second prefix, through the bias zone */
	{
		static const long mid[] = { 30000, 40000, 60000, 80000 };
		for (size_t s = 0; s < sizeof(mid) / sizeof(mid[0]); s++) {
			struct hll *g = sketch("6f1c2b7e-4d0a-4c3e-9b1f-", 0, mid[s]);
			double e = hll_estimate(g), err = rel_err(e, (double)mid[s]);
			ok(err <= BOUND, "%ld uuid-like ids estimate %.0f (error %.2f %%)", mid[s], e, 100 * err);
			hll_free(g);
		}
	}
}

static void
merging(void)
{
	struct hll *a = sketch("m-", 0, 30000), *b = sketch("m-", 30000, 60000);
	struct hll *c = sketch("m-", 20000, 50000), *all = sketch("m-", 0, 60000);
	struct hll *s1 = sketch("s-", 0, 100), *s2 = sketch("s-", 50, 150);
	double e;

	ok(hll_merge(a, b) == 0, "merge two disjoint dense sketches");
	e = hll_estimate(a);
	ok(rel_err(e, 60000) <= BOUND, "the union of 30000 + 30000 disjoint ids estimates %.0f", e);
	ok(hll_estimate(a) == hll_estimate(all), "exactly the sketch of all 60000 ids");
	ok(hll_merge(a, c) == 0 && hll_estimate(a) == hll_estimate(all),
	    "merging an overlapping subset changes nothing");
	ok(hll_merge(a, a) == 0 && hll_estimate(a) == hll_estimate(all), "merging a sketch into itself is harmless");

	ok(hll_merge(s1, s2) == 0, "merge two overlapping sparse sketches");
	e = hll_estimate(s1);
	ok(rel_err(e, 150) <= 0.01, "100 + 100 ids sharing 50 estimate %.2f (150)", e);

	/* sparse into dense and dense into sparse */
	{
		struct hll *sp = sketch("m-", 59000, 61000), *dn = sketch("m-", 0, 60000);
		struct hll *want = sketch("m-", 0, 61000);
		ok(hll_merge(dn, sp) == 0 && hll_estimate(dn) == hll_estimate(want), "sparse into dense");
		hll_free(dn);
		dn = sketch("m-", 0, 60000);
		ok(hll_merge(sp, dn) == 0 && hll_estimate(sp) == hll_estimate(want), "dense into sparse");
		hll_free(sp);
		hll_free(dn);
		hll_free(want);
	}
	/* two sparse sketches whose union no longer fits the sparse form */
	{
		struct hll *x = sketch("t-", 0, 3000), *y = sketch("t-", 3000, 6000), *want = sketch("t-", 0, 6000);
		unsigned char *blob;
		size_t n;
		ok(hll_merge(x, y) == 0 && hll_estimate(x) == hll_estimate(want), "sparse + sparse past the sparse limit");
		blob = blob_of(x, &n);
		ok(blob != NULL && n == HLL_DENSE_BYTES && blob[0] == HLL_BLOB_DENSE, "serializes dense (%zu bytes)", n);
		free(blob);
		hll_free(x);
		hll_free(y);
		hll_free(want);
	}
	hll_free(a);
	hll_free(b);
	hll_free(c);
	hll_free(all);
	hll_free(s1);
	hll_free(s2);
}

/* Adding one id at a time through the sparse limit: the estimate never jumps. */
static void
transition(void)
{
	struct hll *h = hll_new();
	unsigned char *b;
	size_t n, sparse_bytes = 0;
	double before = 0, after;
	long i;

	for (i = 0; ; i++) {
		hll_add(h, id_hash("tr-", i));
		b = blob_of(h, &n);
		if (b[0] == HLL_BLOB_DENSE) {
			free(b);
			break;
		}
		sparse_bytes = n;
		before = hll_estimate(h);
		free(b);
	}
	after = hll_estimate(h);
	ok(sparse_bytes == 1 + 3 * HLL_SPARSE_MAX, "the largest sparse blob is %zu bytes", sparse_bytes);
	ok(n == HLL_DENSE_BYTES, "the first dense one is %zu", n);
	ok(fabs(after - before) < 2.0, "the estimate steps from %.2f to %.2f across the change (%ld ids)",
	    before, after, i + 1);
	ok(rel_err(after, (double)(i + 1)) <= 0.01, "and is within 1 %% of %ld", i + 1);

	/* the same ids added to a sketch forced dense give the same estimate */
	{
		struct hll *d = sketch("tr-", 0, 5000), *s = sketch("tr-", 0, 1000);
		hll_clear(d);
		ok(hll_is_empty(d), "a cleared dense sketch is empty");
		for (long k = 0; k < 1000; k++)
			hll_add(d, id_hash("tr-", k));
		ok(hll_estimate(d) == hll_estimate(s), "sparse and dense estimates agree at 1000 ids (%.3f)",
		    hll_estimate(s));
		hll_free(d);
		hll_free(s);
	}
	hll_free(h);
}

static void
round_trip(void)
{
	static const long sizes[] = { 1, 7, 4096, 5000, 200000 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct hll *h = sketch("rt-", 0, sizes[s]), *back = hll_new();
		unsigned char *b, *b2;
		size_t n, n2;

		b = blob_of(h, &n);
		ok(b != NULL && hll_merge_blob(back, b, n) == 0, "%ld ids: a %s blob of %zu bytes merges back",
		    sizes[s], b && b[0] == HLL_BLOB_SPARSE ? "sparse" : "dense", n);
		ok(hll_estimate(back) == hll_estimate(h), "with the same estimate %.2f", hll_estimate(back));
		b2 = blob_of(back, &n2);
		ok(n2 == n && memcmp(b, b2, n) == 0, "and serializes to the same bytes");
		/* into a sketch that already holds it: idempotent */
		ok(hll_merge_blob(back, b, n) == 0 && hll_estimate(back) == hll_estimate(h), "merging it twice changes nothing");
		free(b);
		free(b2);
		hll_free(h);
		hll_free(back);
	}
	/* union through blobs equals the union of sketches, both shapes mixed */
	{
		struct hll *sp = sketch("u-", 0, 300), *dn = sketch("u-", 200, 20000), *want = sketch("u-", 0, 20000);
		struct hll *acc = hll_new();
		unsigned char *b1, *b2;
		size_t n1, n2;
		b1 = blob_of(sp, &n1);
		b2 = blob_of(dn, &n2);
		ok(hll_merge_blob(acc, b1, n1) == 0 && hll_merge_blob(acc, b2, n2) == 0 &&
		    hll_estimate(acc) == hll_estimate(want), "sparse blob then dense blob");
		hll_clear(acc);
		ok(hll_merge_blob(acc, b2, n2) == 0 && hll_merge_blob(acc, b1, n1) == 0 &&
		    hll_estimate(acc) == hll_estimate(want), "dense blob then sparse blob");
		free(b1);
		free(b2);
		hll_free(sp);
		hll_free(dn);
		hll_free(want);
		hll_free(acc);
	}
	/* register values at the limits survive the 6-bit packing */
	{
		struct hll *h = sketch("lim-", 0, 10000), *back = hll_new();
		unsigned char *b, *b2;
		size_t n, n2;
		hll_add(h, 0);                          /* index 0, rank 51 */
		hll_add(h, UINT64_MAX);                 /* index 16383, rank 1 */
		hll_add(h, (uint64_t)1 << 49);          /* index 0 ... rank 1 does not lower it */
		b = blob_of(h, &n);
		ok(b != NULL && b[1] >> 2 == HLL_MAX_RANK, "register 0 holds rank 51 in the blob");
		ok(hll_merge_blob(back, b, n) == 0 && hll_estimate(back) == hll_estimate(h), "and comes back");
		b2 = blob_of(back, &n2);
		ok(n2 == n && memcmp(b, b2, n) == 0, "byte for byte");
		free(b);
		free(b2);
		hll_free(h);
		hll_free(back);
	}
}

static void
hostile(void)
{
	struct hll *h = sketch("h-", 0, 50), *d = sketch("h-", 0, 9000);
	double eh = hll_estimate(h), ed = hll_estimate(d);
	unsigned char dense[HLL_DENSE_BYTES], *big;
	const struct {
		const char *name;
		const unsigned char *b;
		size_t n;
	} bad[] = {
		{ "version 0", (const unsigned char *)"\x00\x00\x00\x41", 4 },
		{ "version 3", (const unsigned char *)"\x03\x00\x00\x41", 4 },
		{ "version 0xff", (const unsigned char *)"\xff", 1 },
		{ "a sparse blob with no entries", (const unsigned char *)"\x01", 1 },
		{ "a truncated sparse entry", (const unsigned char *)"\x01\x00\x00\x41\x00\x01", 6 },
		{ "rank 0", (const unsigned char *)"\x01\x00\x00\x40", 4 },
		{ "rank 52", (const unsigned char *)"\x01\x00\x00\x74", 4 },
		{ "rank 63", (const unsigned char *)"\x01\x00\x00\x7f", 4 },
		{ "an index past 16383", (const unsigned char *)"\x01\x10\x00\x01", 4 },
		{ "a duplicate index", (const unsigned char *)"\x01\x00\x00\x41\x00\x00\x42", 7 },
		{ "indexes out of order", (const unsigned char *)"\x01\x00\x00\x81\x00\x00\x42", 7 },
		{ "a dense blob of 1 byte", (const unsigned char *)"\x02", 1 },
		{ "a dense blob of 4 bytes", (const unsigned char *)"\x02\x00\x00\x00", 4 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(hll_merge_blob(h, bad[i].b, bad[i].n) == -1 && hll_estimate(h) == eh,
		    "refused into a sparse sketch: %s", bad[i].name);
		ok(hll_merge_blob(d, bad[i].b, bad[i].n) == -1 && hll_estimate(d) == ed,
		    "refused into a dense sketch: %s", bad[i].name);
	}
	ok(hll_merge_blob(h, "\x01\x00\x00\x73", 4) == 0, "rank 51 is accepted");
	eh = hll_estimate(h);

	memset(dense, 0, sizeof(dense));
	dense[0] = HLL_BLOB_DENSE;
	ok(hll_merge_blob(h, dense, HLL_DENSE_BYTES - 1) == -1, "a dense blob one byte short is refused");
	dense[HLL_DENSE_BYTES - 1] = 52;        /* the last register */
	ok(hll_merge_blob(h, dense, HLL_DENSE_BYTES) == -1 && hll_estimate(h) == eh,
	    "a dense register of 52 is refused, the sketch unchanged");
	ok(hll_merge_blob(d, dense, HLL_DENSE_BYTES) == -1 && hll_estimate(d) == ed, "also into a dense sketch");
	dense[HLL_DENSE_BYTES - 1] = 51;
	dense[1] = 0xfc;                        /* register 0 = 63 */
	ok(hll_merge_blob(d, dense, HLL_DENSE_BYTES) == -1, "a first register of 63 is refused");
	dense[1] = 51 << 2;
	ok(hll_merge_blob(d, dense, HLL_DENSE_BYTES) == 0, "registers of 51 are accepted");
	{
		unsigned char *b = calloc(HLL_DENSE_BYTES + 1, 1);
		b[0] = HLL_BLOB_DENSE;
		ok(hll_merge_blob(d, b, HLL_DENSE_BYTES + 1) == -1, "a dense blob one byte too long is refused");
		free(b);
	}

	/* a sparse blob with every index (valid, 16384 entries) and one entry more */
	big = malloc(1 + 3 * (HLL_M + 1));
	big[0] = HLL_BLOB_SPARSE;
	for (int i = 0; i <= HLL_M; i++) {
		uint32_t v = (uint32_t)(i < HLL_M ? i : HLL_M - 1) << 6 | 1;
		big[1 + 3 * i] = (unsigned char)(v >> 16);
		big[2 + 3 * i] = (unsigned char)(v >> 8);
		big[3 + 3 * i] = (unsigned char)v;
	}
	{
		struct hll *x = hll_new();
		ok(hll_merge_blob(x, big, 1 + 3 * (size_t)(HLL_M + 1)) == -1, "16385 sparse entries are refused");
		ok(hll_merge_blob(x, big, 1 + 3 * (size_t)HLL_M) == 0, "16384 sparse entries (every register) are accepted");
		ok(isfinite(hll_estimate(x)) && hll_estimate(x) > HLL_M, "and estimate %.0f", hll_estimate(x));
		hll_free(x);
	}
	free(big);

	/* every register at 51: the estimate stays finite */
	{
		struct hll *x = hll_new();
		memset(dense + 1, 0xff, sizeof(dense) - 1);
		for (size_t i = 1; i < sizeof(dense); i += 3) {
			dense[i] = 51 << 2 | 51 >> 4;
			dense[i + 1] = (unsigned char)((51 & 15) << 4 | 51 >> 2);
			dense[i + 2] = (unsigned char)((51 & 3) << 6 | 51);
		}
		double e;
		ok(hll_merge_blob(x, dense, HLL_DENSE_BYTES) == 0, "a sketch with every register at 51 merges");
		e = hll_estimate(x);
		ok(isfinite(e) && e == HLL_ESTIMATE_MAX, "and estimates a finite %.3g", e);
		hll_free(x);
	}

	/* random garbage of every length up to a few hundred bytes never crashes */
	{
		uint64_t s = 0x9e3779b97f4a7c15ULL;
		unsigned char buf[400];
		int accepted = 0;
		for (int round = 0; round < 2000; round++) {
			size_t n = (size_t)(round % 400);
			for (size_t i = 0; i < n; i++) {
				s ^= s << 13, s ^= s >> 7, s ^= s << 17;
				buf[i] = (unsigned char)s;
			}
			if (n > 0)
				buf[0] = (unsigned char)(round & 3);
			accepted += hll_merge_blob(h, buf, n) == 0;
		}
		ok(1, "2000 random blobs parsed without a crash (%d accepted)", accepted);
	}
	hll_free(h);
	hll_free(d);
}

/* The read path: merging dense blobs (a 90-day range merges ~2000). */
static void
merge_cost(void)
{
	struct hll *h = sketch("cost-", 0, 100000), *acc = hll_new();
	unsigned char *b;
	size_t n;
	clock_t t0;
	double ms;
	int fails = 0;

	b = blob_of(h, &n);
	t0 = clock();
	for (int i = 0; i < 2000; i++)
		fails += hll_merge_blob(acc, b, n) != 0;
	ms = 1000.0 * (double)(clock() - t0) / CLOCKS_PER_SEC;
	ok(fails == 0 && hll_estimate(acc) == hll_estimate(h), "2000 dense blobs merged");
	tap_diag("2000 dense blob merges: %.1f ms (%.1f us each)", ms, ms);
	free(b);
	hll_free(h);
	hll_free(acc);
}

/* Whether a stored sketch needs rewriting: every form against every form. */
static void
covers(void)
{
	/* small (sparse) and large (dense) sketches, and a superset of each */
	struct hll *sa = sketch("cov-", 0, 50), *sb = sketch("cov-", 0, 100);
	struct hll *da = sketch("cov-", 0, 20000), *db = sketch("cov-", 0, 40000);
	struct hll *other = sketch("other-", 0, 50);
	unsigned char *a, *b, *c, *d, *o, bad[4] = { 0x01, 0x00, 0x00, 0x00 };
	size_t na, nb, nc, nd, no;

	a = blob_of(sa, &na);
	b = blob_of(sb, &nb);
	c = blob_of(da, &nc);
	d = blob_of(db, &nd);
	o = blob_of(other, &no);
	ok(a[0] == HLL_BLOB_SPARSE && c[0] == HLL_BLOB_DENSE, "sparse and dense blobs to compare");
	ok(hll_blob_covers(b, nb, a, na) == 1, "sparse covers a sparse subset");
	ok(hll_blob_covers(a, na, b, nb) == 0, "sparse does not cover a sparse superset");
	ok(hll_blob_covers(c, nc, a, na) == 1, "dense covers a sparse subset");
	ok(hll_blob_covers(d, nd, c, nc) == 1, "dense covers a dense subset");
	ok(hll_blob_covers(c, nc, d, nd) == 0, "dense does not cover a dense superset");
	ok(hll_blob_covers(a, na, c, nc) == 0, "sparse does not cover a dense superset");
	ok(hll_blob_covers(a, na, o, no) == 0, "disjoint ids are not covered");
	ok(hll_blob_covers(a, na, a, na) == 1 && hll_blob_covers(c, nc, c, nc) == 1, "a blob covers itself");
	ok(hll_blob_covers(a, na, NULL, 0) == 1, "the empty sketch is covered");
	ok(hll_blob_covers(NULL, 0, a, na) == 0, "the empty sketch covers nothing");
	ok(hll_blob_covers(bad, sizeof(bad), a, na) == 0 && hll_blob_covers(a, na, bad, sizeof(bad)) == 0,
	    "a malformed blob (rank 0) is never covered or covering");
	ok(hll_blob_covers(c, nc - 1, a, na) == 0, "a truncated dense blob covers nothing");
	/* every register of the last index position: the packing's last byte */
	{
		struct hll *all = sketch("edge-", 0, 200000);
		unsigned char *e;
		size_t ne;
		e = blob_of(all, &ne);
		ok(hll_blob_covers(e, ne, e, ne) == 1, "a full dense blob covers itself to its last register");
		free(e);
		hll_free(all);
	}
	free(a);
	free(b);
	free(c);
	free(d);
	free(o);
	hll_free(sa);
	hll_free(sb);
	hll_free(da);
	hll_free(db);
	hll_free(other);
}

int
main(void)
{
	empty();
	small_counts();
	duplicates();
	accuracy();
	merging();
	transition();
	round_trip();
	hostile();
	merge_cost();
	covers();
	return tap_done();
}
