/*
 * hll: HyperLogLog sketches for the distinct users and sessions of the event
 * rollups (one per project x hour x dimension), stored as BLOBs and merged
 * across buckets when a range is read.
 *
 * Precision p = 14: m = 16384 registers, standard error 1.04/sqrt(m) =
 * 0.81 %; an estimate is within 2 % of the true count (2.5 sigma) at every
 * cardinality, small ones included. The estimator is Otmar Ertl's improved
 * raw estimator ("New cardinality estimation algorithms for HyperLogLog
 * sketches", 2017, algorithm 6: the register histogram through the sigma and
 * tau series), so there are no bias-correction tables and no switch to linear
 * counting. A hash sets register (hash >> 50) to the rank of its low 50 bits
 * (leading zeros + 1, 51 when they are all zero).
 *
 * In memory a sketch is sparse (the non-zero registers as sorted (index,
 * rank) entries) until it has more than HLL_SPARSE_MAX of them, then dense
 * (one byte per register). Both give the same estimate.
 *
 * Blob format (version 1; p is implied by the version):
 *   empty sketch   0 bytes
 *   sparse         0x01, then 1..16384 entries of 3 bytes, big-endian
 *                  (index << 6 | rank): 4 zero bits, 14-bit index, 6-bit
 *                  rank in 1..51, indexes strictly increasing.
 *                  1 + 3k bytes: 4 bytes for one user, 301 for a hundred.
 *   dense          0x02, then the 16384 registers packed 6 bits each,
 *                  big-endian bit order (register 0 in the top 6 bits of the
 *                  first byte), every value <= 51: HLL_DENSE_BYTES = 12289.
 * hll_serialize writes the sparse form while at most HLL_SPARSE_MAX (4096)
 * registers are set, where it is the smaller one, and the dense form above.
 * hll_merge_blob accepts either form at any size.
 *
 * A sketch is not locked: share one between threads only for reading
 * (hll_estimate, hll_serialize, hll_is_empty, as the src of hll_merge).
 */
#ifndef TALLY_HLL_H
#define TALLY_HLL_H

#include <stddef.h>
#include <stdint.h>

#define HLL_P 14
#define HLL_M (1 << HLL_P)
#define HLL_MAX_RANK (64 - HLL_P + 1)           /* 51 */
#define HLL_SPARSE_MAX 4096                     /* 3 * 4096 bytes: the dense size */
#define HLL_BLOB_SPARSE 0x01
#define HLL_BLOB_DENSE 0x02
#define HLL_DENSE_BYTES (1 + HLL_M * 6 / 8)     /* 12289, the largest blob */
#define HLL_ESTIMATE_MAX 9007199254740992.0     /* 2^53 */

struct hll;

/* An empty sketch (sparse); NULL when out of memory. Free with hll_free. */
struct hll *hll_new(void);
void hll_free(struct hll *h);                   /* NULL-safe */
/* Back to empty; keeps the sparse buffer, drops the dense registers. */
void hll_clear(struct hll *h);

/* The hash to add for an id of n bytes (FNV-1a 64 finished by murmur3's fmix64). */
uint64_t hll_hash(const void *id, size_t n);

/* Adds a hash: 0, or -1 when out of memory (h unchanged). O(log n) search in
 * the sparse form plus a move of at most 16 KB when a register is new. */
int hll_add(struct hll *h, uint64_t hash);

/* dst = dst union src: 0, or -1 when out of memory (dst unchanged). */
int hll_merge(struct hll *dst, const struct hll *src);

/*
 * dst = dst union the sketch stored in blob[n] (any byte string: it is a
 * parser). 0; -1 when the blob is malformed or memory runs out, dst then
 * unchanged. A dense blob into a dense sketch costs two passes over 16 KB
 * and no allocation.
 */
int hll_merge_blob(struct hll *dst, const void *blob, size_t n);

/*
 * 1 when the union of the stored blob and the added one is the stored one
 * (every register the added sketch sets is already as high there): the
 * stored sketch needs no rewrite. 0 otherwise, and whenever either blob is
 * malformed. O(registers of the added sketch).
 */
int hll_blob_covers(const void *stored, size_t n, const void *add, size_t m);

/*
 * Makes h dense now (0, or -1 out of memory, h unchanged): a sketch about
 * to take many large merges spends less in them dense than re-merging its
 * sorted sparse entries each time.
 */
int hll_densify(struct hll *h);

/* The blob of h in *out (malloc'd, caller frees) and *n; 0, or -1 when out of
 * memory. The empty sketch is *out = NULL, *n = 0. */
int hll_serialize(const struct hll *h, unsigned char **out, size_t *n);

/* The estimated number of distinct hashes added: 0 for the empty sketch,
 * finite and at most HLL_ESTIMATE_MAX. */
double hll_estimate(const struct hll *h);

int hll_is_empty(const struct hll *h);

#endif
