/*
 * keyset: a set of string keys (user keys), each given a small index in
 * order of first sight, for the reports that gather events by user
 * (funnels, retention cohorts).
 *
 * Keys are told apart by 96 bits of two hashes, not kept: no copies, and a
 * lookup is one cache line. Two of n distinct keys share both hashes with
 * a chance of about n^2 / 2^97 (10^-19 for 5 million keys), far below any
 * other error of a report. The hashes are not keyed: someone who crafts
 * colliding user ids can only merge two users of their own project.
 */
#ifndef TALLY_KEYSET_H
#define TALLY_KEYSET_H

#include <stddef.h>
#include <stdint.h>

struct keyset_hash {
	uint64_t h1;
	uint32_t h2;
};

struct keyset;

/* An empty set; NULL when out of memory. */
struct keyset *keyset_new(void);
void keyset_free(struct keyset *ks);    /* NULL-safe */

/* The hashes of key (len bytes). */
void keyset_hash(const char *key, size_t len, struct keyset_hash *h);

/* Starts fetching h's place in the table: a batch of hashes, each
 * prefetched, then looked up, overlaps the cache misses. */
void keyset_prefetch(const struct keyset *ks, const struct keyset_hash *h);

/* h's index, the next one when h is new. 0, or -1 out of memory (or 2^32 - 2 keys). */
int keyset_add(struct keyset *ks, const struct keyset_hash *h, uint32_t *index);

/* h's index: 0, or 1 when h is not in the set. */
int keyset_find(const struct keyset *ks, const struct keyset_hash *h, uint32_t *index);

/* How many keys the set holds. */
size_t keyset_count(const struct keyset *ks);

#endif
