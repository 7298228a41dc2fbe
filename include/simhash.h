/*
 * simhash: a 64-bit SimHash of a text over its lowercased word 3-shingles
 * (single words for texts under three words), for near-duplicate prompts.
 * Texts whose hashes differ in at most SIMHASH_NEAR bits are clustered.
 */
#ifndef TALLY_SIMHASH_H
#define TALLY_SIMHASH_H

#include <stdint.h>

#define SIMHASH_NEAR 3

/* 0 for a text with no words. */
uint64_t simhash64(const char *text);
int simhash_distance(uint64_t a, uint64_t b);

#endif
