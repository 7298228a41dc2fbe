/* simhash: near-duplicate detection for prompts (see include/simhash.h). */
#include "simhash.h"

#include <ctype.h>
#include <string.h>

#define SHINGLE 3
#define MAX_WORDS 4096          /* a prompt's first words say enough */

struct word {
	const char *s;
	size_t len;
};

/* FNV-1a over lowercased words joined by one space, then a mixer for spread. */
static uint64_t
shingle_hash(const struct word *w, int n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (int i = 0; i < n; i++) {
		for (size_t j = 0; j < w[i].len; j++) {
			h ^= (unsigned char)tolower((unsigned char)w[i].s[j]);
			h *= 0x100000001b3ULL;
		}
		h ^= ' ';
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

uint64_t
simhash64(const char *text)
{
	static __thread struct word words[MAX_WORDS];
	int weight[64] = { 0 };
	int nwords = 0, shingle;
	uint64_t out = 0;

	for (const char *p = text; *p && nwords < MAX_WORDS;) {
		while (*p && !isalnum((unsigned char)*p) && !((unsigned char)*p & 0x80))
			p++;
		if (*p == '\0')
			break;
		words[nwords].s = p;
		while (*p && (isalnum((unsigned char)*p) || ((unsigned char)*p & 0x80)))
			p++;
		words[nwords].len = (size_t)(p - words[nwords].s);
		nwords++;
	}
	if (nwords == 0)
		return 0;
	shingle = nwords < SHINGLE ? 1 : SHINGLE;
	for (int i = 0; i + shingle <= nwords; i++) {
		uint64_t h = shingle_hash(&words[i], shingle);
		for (int b = 0; b < 64; b++)
			weight[b] += (h >> b) & 1 ? 1 : -1;
	}
	for (int b = 0; b < 64; b++)
		if (weight[b] > 0)
			out |= 1ULL << b;
	return out;
}

int
simhash_distance(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}
