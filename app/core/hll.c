/* hll: HyperLogLog sketches for distinct counts (see include/hll.h). */
#include "hll.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define Q (64 - HLL_P)                  /* hash bits left for the rank */
#define ENTRY(idx, rank) ((uint32_t)(idx) << 6 | (uint32_t)(rank))
#define ENTRY_IDX(e) ((e) >> 6)
#define ENTRY_RANK(e) ((uint8_t)((e) & 63))

/*
 * Sparse while reg is NULL: sp[0..n) are the non-zero registers as entries,
 * sorted by index, one per index. Dense once reg holds HLL_M registers; sp
 * is then empty.
 */
struct hll {
	uint8_t *reg;
	uint32_t *sp;
	size_t n, cap;
};

struct hll *
hll_new(void)
{
	return calloc(1, sizeof(struct hll));
}

void
hll_free(struct hll *h)
{
	if (h == NULL)
		return;
	free(h->reg);
	free(h->sp);
	free(h);
}

void
hll_clear(struct hll *h)
{
	free(h->reg);
	h->reg = NULL;
	h->n = 0;
}

/*
 * util_hash64 (FNV-1a) is a fine 64-bit identity of the bytes but mixes too
 * little for HyperLogLog: its last multiply carries a change in the final
 * characters into the top bits only as (difference x prime), so ids like
 * "user-%d" pile into a few register indexes and rank patterns (used raw it
 * estimates 1,000,000 of them as about 110,000). murmur3's fmix64 on top is a
 * bijection with full avalanche: the spread is fixed and no collision added.
 */
uint64_t
hll_hash(const void *id, size_t n)
{
	uint64_t h = (uint64_t)util_hash64(id, n);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* Moves the sparse entries into registers; -1 when out of memory (h unchanged). */
static int
to_dense(struct hll *h)
{
	uint8_t *reg;

	if (h->reg != NULL)
		return 0;
	if ((reg = calloc(HLL_M, 1)) == NULL)
		return -1;
	for (size_t i = 0; i < h->n; i++)
		reg[ENTRY_IDX(h->sp[i])] = ENTRY_RANK(h->sp[i]);
	free(h->sp);
	h->sp = NULL;
	h->n = h->cap = 0;
	h->reg = reg;
	return 0;
}

int
hll_densify(struct hll *h)
{
	return to_dense(h);
}

/* First position in sp whose index is >= idx. */
static size_t
sparse_find(const struct hll *h, uint32_t idx)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ENTRY_IDX(h->sp[mid]) < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
add_entry(struct hll *h, uint32_t idx, uint8_t rank)
{
	size_t at;

	if (h->reg == NULL) {
		at = sparse_find(h, idx);
		if (at < h->n && ENTRY_IDX(h->sp[at]) == idx) {
			if (ENTRY_RANK(h->sp[at]) < rank)
				h->sp[at] = ENTRY(idx, rank);
			return 0;
		}
		if (h->n < HLL_SPARSE_MAX) {
			if (h->n == h->cap) {
				void *p = util_grow(h->sp, &h->cap, h->n, sizeof(h->sp[0]), 16);
				if (p == NULL)
					return -1;
				h->sp = p;
			}
			memmove(h->sp + at + 1, h->sp + at, (h->n - at) * sizeof(h->sp[0]));
			h->sp[at] = ENTRY(idx, rank);
			h->n++;
			return 0;
		}
		if (to_dense(h) == -1)
			return -1;
	}
	if (h->reg[idx] < rank)
		h->reg[idx] = rank;
	return 0;
}

int
hll_add(struct hll *h, uint64_t hash)
{
	uint64_t w = hash << HLL_P;
	uint8_t rank = w == 0 ? HLL_MAX_RANK : (uint8_t)(__builtin_clzll(w) + 1);

	return add_entry(h, (uint32_t)(hash >> Q), rank);
}

/*
 * The union of h's sparse entries and e[k] (sorted, one per index): sparse
 * again while it has at most HLL_SPARSE_MAX entries, else dense. -1 when out
 * of memory, h unchanged.
 */
static int
sparse_union(struct hll *h, const uint32_t *e, size_t k)
{
	uint32_t *u;
	size_t i = 0, j = 0, n = 0;

	assert(h->reg == NULL);
	if (k == 0)
		return 0;
	if ((u = malloc((h->n + k) * sizeof(*u))) == NULL)
		return -1;
	while (i < h->n || j < k) {
		if (j == k || (i < h->n && ENTRY_IDX(h->sp[i]) < ENTRY_IDX(e[j])))
			u[n++] = h->sp[i++];
		else if (i == h->n || ENTRY_IDX(e[j]) < ENTRY_IDX(h->sp[i]))
			u[n++] = e[j++];
		else {
			u[n++] = h->sp[i] > e[j] ? h->sp[i] : e[j];     /* same index: higher rank */
			i++, j++;
		}
	}
	if (n > HLL_SPARSE_MAX) {
		uint8_t *reg = calloc(HLL_M, 1);
		if (reg == NULL) {
			free(u);
			return -1;
		}
		for (i = 0; i < n; i++)
			reg[ENTRY_IDX(u[i])] = ENTRY_RANK(u[i]);
		free(u);
		u = NULL;
		n = 0;
		h->reg = reg;
	}
	free(h->sp);
	h->sp = u;
	h->n = h->cap = n;
	return 0;
}

static void
dense_max(uint8_t *restrict dst, const uint8_t *restrict src)
{
	for (size_t i = 0; i < HLL_M; i++)
		dst[i] = dst[i] > src[i] ? dst[i] : src[i];
}

int
hll_merge(struct hll *dst, const struct hll *src)
{
	if (dst == src)
		return 0;
	if (src->reg != NULL) {
		if (to_dense(dst) == -1)
			return -1;
		dense_max(dst->reg, src->reg);
		return 0;
	}
	if (dst->reg != NULL) {
		for (size_t i = 0; i < src->n; i++) {
			uint32_t idx = ENTRY_IDX(src->sp[i]);
			if (dst->reg[idx] < ENTRY_RANK(src->sp[i]))
				dst->reg[idx] = ENTRY_RANK(src->sp[i]);
		}
		return 0;
	}
	return sparse_union(dst, src->sp, src->n);
}

/* Unpacks the 6-bit registers of a dense blob's body; returns the largest. */
static uint8_t
dense_unpack(const unsigned char *restrict p, uint8_t *restrict reg)
{
	uint8_t top = 0;

	for (size_t i = 0; i < HLL_M; i += 4, p += 3) {
		reg[i] = p[0] >> 2;
		reg[i + 1] = (uint8_t)((p[0] & 3) << 4 | p[1] >> 4);
		reg[i + 2] = (uint8_t)((p[1] & 15) << 2 | p[2] >> 6);
		reg[i + 3] = p[2] & 63;
	}
	for (size_t i = 0; i < HLL_M; i++)
		top = reg[i] > top ? reg[i] : top;
	return top;
}

static int
merge_dense_blob(struct hll *dst, const unsigned char *body)
{
	uint8_t reg[HLL_M];

	if (dense_unpack(body, reg) > HLL_MAX_RANK)
		return -1;
	if (to_dense(dst) == -1)
		return -1;
	dense_max(dst->reg, reg);
	return 0;
}

/* Checks a sparse blob's k entries; decodes them into e when it is not NULL. */
static int
sparse_check(const unsigned char *p, size_t k, uint32_t *e)
{
	long prev = -1;

	for (size_t i = 0; i < k; i++, p += 3) {
		uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
		uint32_t rank = ENTRY_RANK(v);
		if (v >> 20 != 0 || rank == 0 || rank > HLL_MAX_RANK || (long)ENTRY_IDX(v) <= prev)
			return -1;
		prev = (long)ENTRY_IDX(v);
		if (e != NULL)
			e[i] = v;
	}
	return 0;
}

static int
merge_sparse_blob(struct hll *dst, const unsigned char *p, size_t k)
{
	uint32_t *e;
	int rc;

	if (k == 0 || k > HLL_M)        /* past HLL_M entries an index repeats */
		return -1;
	if (dst->reg != NULL) {
		if (sparse_check(p, k, NULL) == -1)
			return -1;
		for (size_t i = 0; i < k; i++, p += 3) {
			uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
			if (dst->reg[ENTRY_IDX(v)] < ENTRY_RANK(v))
				dst->reg[ENTRY_IDX(v)] = ENTRY_RANK(v);
		}
		return 0;
	}
	if ((e = malloc(k * sizeof(*e))) == NULL)
		return -1;
	rc = sparse_check(p, k, e) == -1 ? -1 : sparse_union(dst, e, k);
	free(e);
	return rc;
}

int
hll_merge_blob(struct hll *dst, const void *blob, size_t n)
{
	const unsigned char *p = blob;

	if (n == 0)
		return 0;
	switch (p[0]) {
	case HLL_BLOB_SPARSE:
		if ((n - 1) % 3 != 0)
			return -1;
		return merge_sparse_blob(dst, p + 1, (n - 1) / 3);
	case HLL_BLOB_DENSE:
		if (n != HLL_DENSE_BYTES)
			return -1;
		return merge_dense_blob(dst, p + 1);
	default:
		return -1;
	}
}

/* Register idx of a stored blob already known well-formed in its header (0 when unset). */
static uint8_t
blob_register(const unsigned char *p, size_t n, uint32_t idx)
{
	if (p[0] == HLL_BLOB_DENSE) {
		size_t bit = (size_t)idx * 6;
		const unsigned char *b = p + 1 + bit / 8;
		unsigned w = (unsigned)b[0] << 8 | (bit / 8 + 1 < HLL_DENSE_BYTES - 1 ? b[1] : 0);
		return (uint8_t)((w >> (10 - bit % 8)) & 63);
	}
	/* sparse: entries sorted by index */
	size_t lo = 0, hi = (n - 1) / 3;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const unsigned char *e = p + 1 + mid * 3;
		uint32_t v = (uint32_t)e[0] << 16 | (uint32_t)e[1] << 8 | e[2];
		if (ENTRY_IDX(v) == idx)
			return (uint8_t)ENTRY_RANK(v);
		if (ENTRY_IDX(v) < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int
hll_blob_covers(const void *stored, size_t n, const void *add, size_t m)
{
	const unsigned char *p = stored, *q = add;

	if (m == 0)
		return 1;
	if (n == 0 || !((p[0] == HLL_BLOB_SPARSE && (n - 1) % 3 == 0 && n > 1 &&
	    sparse_check(p + 1, (n - 1) / 3, NULL) == 0) ||
	    (p[0] == HLL_BLOB_DENSE && n == HLL_DENSE_BYTES)))
		return 0;
	if (q[0] == HLL_BLOB_SPARSE && (m - 1) % 3 == 0 && m > 1) {
		if (sparse_check(q + 1, (m - 1) / 3, NULL) != 0)
			return 0;
		for (size_t i = 0; i < (m - 1) / 3; i++) {
			const unsigned char *e = q + 1 + i * 3;
			uint32_t v = (uint32_t)e[0] << 16 | (uint32_t)e[1] << 8 | e[2];
			if (blob_register(p, n, ENTRY_IDX(v)) < ENTRY_RANK(v))
				return 0;
		}
		return 1;
	}
	if (q[0] == HLL_BLOB_DENSE && m == HLL_DENSE_BYTES) {
		uint8_t reg[HLL_M];
		if (dense_unpack(q + 1, reg) > HLL_MAX_RANK)
			return 0;
		for (uint32_t i = 0; i < HLL_M; i++)
			if (reg[i] != 0 && blob_register(p, n, i) < reg[i])
				return 0;
		return 1;
	}
	return 0;
}

static size_t
nonzero(const struct hll *h)
{
	size_t k = 0;

	if (h->reg == NULL)
		return h->n;
	for (size_t i = 0; i < HLL_M; i++)
		k += h->reg[i] != 0;
	return k;
}

static unsigned char *
put_entry(unsigned char *q, uint32_t idx, uint8_t rank)
{
	uint32_t v = ENTRY(idx, rank);

	q[0] = (unsigned char)(v >> 16);
	q[1] = (unsigned char)(v >> 8);
	q[2] = (unsigned char)v;
	return q + 3;
}

int
hll_serialize(const struct hll *h, unsigned char **out, size_t *n)
{
	size_t k = nonzero(h);
	unsigned char *b, *q;

	*out = NULL;
	*n = 0;
	if (k == 0)
		return 0;
	if (k <= HLL_SPARSE_MAX) {
		if ((b = malloc(1 + 3 * k)) == NULL)
			return -1;
		b[0] = HLL_BLOB_SPARSE;
		q = b + 1;
		if (h->reg == NULL)
			for (size_t i = 0; i < h->n; i++)
				q = put_entry(q, ENTRY_IDX(h->sp[i]), ENTRY_RANK(h->sp[i]));
		else
			for (uint32_t i = 0; i < HLL_M; i++)
				if (h->reg[i] != 0)
					q = put_entry(q, i, h->reg[i]);
		*n = 1 + 3 * k;
	} else {
		const uint8_t *r = h->reg;
		if ((b = malloc(HLL_DENSE_BYTES)) == NULL)
			return -1;
		b[0] = HLL_BLOB_DENSE;
		q = b + 1;
		for (size_t i = 0; i < HLL_M; i += 4, q += 3) {
			q[0] = (unsigned char)(r[i] << 2 | r[i + 1] >> 4);
			q[1] = (unsigned char)((r[i + 1] & 15) << 4 | r[i + 2] >> 2);
			q[2] = (unsigned char)((r[i + 2] & 3) << 6 | r[i + 3]);
		}
		*n = HLL_DENSE_BYTES;
	}
	*out = b;
	return 0;
}

/* Ertl 2017, algorithm 6. sigma(x) = x + sum_k x^(2^k) 2^(k-1). */
static double
sigma(double x)
{
	double y = 1.0, z = x, prev;

	if (x == 1.0)
		return INFINITY;
	do {
		x *= x;
		prev = z;
		z += x * y;
		y += y;
	} while (z != prev);
	return z;
}

/* tau(x) = (1 - x - sum_k (1 - x^(2^-k))^2 2^-k) / 3. */
static double
tau(double x)
{
	double y = 1.0, z = 1.0 - x, prev;

	if (x == 0.0 || x == 1.0)
		return 0.0;
	do {
		x = sqrt(x);
		prev = z;
		y *= 0.5;
		z -= (1.0 - x) * (1.0 - x) * y;
	} while (z != prev);
	return z / 3.0;
}

double
hll_estimate(const struct hll *h)
{
	uint32_t c[HLL_MAX_RANK + 1] = { 0 };
	double m = HLL_M, z, e;

	if (h->reg == NULL) {
		c[0] = (uint32_t)(HLL_M - h->n);
		for (size_t i = 0; i < h->n; i++)
			c[ENTRY_RANK(h->sp[i])]++;
	} else
		for (size_t i = 0; i < HLL_M; i++)
			c[h->reg[i]]++;
	if (c[0] == HLL_M)
		return 0.0;
	z = m * tau(1.0 - c[HLL_MAX_RANK] / m);
	for (int k = HLL_MAX_RANK - 1; k >= 1; k--)
		z = 0.5 * (z + c[k]);
	z += m * sigma(c[0] / m);
	e = m * m / (2.0 * M_LN2 * z);          /* alpha_inf = 1 / (2 ln 2) */
	return e < HLL_ESTIMATE_MAX ? e : HLL_ESTIMATE_MAX;
}

int
hll_is_empty(const struct hll *h)
{
	return nonzero(h) == 0;
}
