/*
 * simhash: a 64-bit SimHash of a text over its lowercased word 3-shingles
 * (single words for texts under three words), for near-duplicate prompts.
 * Texts whose hashes differ in at most SIMHASH_NEAR bits are clustered:
 * about a cosine similarity of 0.88 between their shingle sets (a bit
 * differs with probability angle/pi). A one-word change in a 35-word
 * prompt moves 4 to 13 bits; unrelated texts differ in 32 +- 4, so two of
 * them fall within 10 bits with probability 1e-8 (2000 calls compared: 2e6
 * pairs, 0.02 false links expected).
 */
#ifndef TALLY_SIMHASH_H
#define TALLY_SIMHASH_H

#include <stdint.h>

#define SIMHASH_NEAR 10

/* 0 for a text with no words. */
uint64_t simhash64(const char *text);
int simhash_distance(uint64_t a, uint64_t b);

#endif
