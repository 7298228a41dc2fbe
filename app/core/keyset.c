/*
 * keyset: string keys to small indexes through an open-addressing table of
 * their hashes (keyset.h says why hashes stand for the keys). Linear
 * probing, load at most 1/2, 16 bytes a slot.
 */
#include "keyset.h"

#include <stdlib.h>
#include <string.h>

struct slot {
	uint64_t h1;
	uint32_t h2;
	uint32_t index;         /* index + 1; 0: an empty slot */
};

struct keyset {
	struct slot *slots;
	size_t nslots;          /* a power of two */
	size_t n;
};

#define FIRST_SLOTS 1024

struct keyset *
keyset_new(void)
{
	struct keyset *ks = calloc(1, sizeof(*ks));

	if (ks == NULL || (ks->slots = calloc(FIRST_SLOTS, sizeof(*ks->slots))) == NULL) {
		free(ks);
		return NULL;
	}
	ks->nslots = FIRST_SLOTS;
	return ks;
}

void
keyset_free(struct keyset *ks)
{
	if (ks == NULL)
		return;
	free(ks->slots);
	free(ks);
}

/* murmur3's 64-bit finaliser: every input bit moves every output bit. */
static uint64_t
fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

void
keyset_hash(const char *key, size_t len, struct keyset_hash *h)
{
	/* two unrelated xor-multiply chains over 8-byte words, each finalised */
	uint64_t a = 0x6a09e667f3bcc908ULL ^ len, b = 0xbb67ae8584caa73bULL + len, w;
	const unsigned char *p = (const unsigned char *)key;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		a = (a ^ w) * 0x9e3779b97f4a7c15ULL;
		a ^= a >> 29;
		b = (b ^ w) * 0xbf58476d1ce4e5b9ULL;
		b ^= b >> 31;
	}
	w = 0;
	memcpy(&w, p, len);
	a = (a ^ w) * 0x9e3779b97f4a7c15ULL;
	b = (b ^ w) * 0xbf58476d1ce4e5b9ULL;
	h->h1 = fmix64(a);
	h->h2 = (uint32_t)(fmix64(b ^ (b >> 31)) >> 32);
}

void
keyset_prefetch(const struct keyset *ks, const struct keyset_hash *h)
{
	__builtin_prefetch(&ks->slots[h->h1 & (ks->nslots - 1)]);
}

/* The slot of h, or the empty slot where it would go. */
static size_t
probe(const struct keyset *ks, const struct keyset_hash *h)
{
	size_t mask = ks->nslots - 1, i;

	for (i = h->h1 & mask; ks->slots[i].index != 0; i = (i + 1) & mask)
		if (ks->slots[i].h1 == h->h1 && ks->slots[i].h2 == h->h2)
			break;
	return i;
}

/* Doubles the table. -1 out of memory. */
static int
grow(struct keyset *ks)
{
	size_t n = ks->nslots * 2, mask = n - 1;
	struct slot *s;

	if (n > SIZE_MAX / sizeof(*s) || (s = calloc(n, sizeof(*s))) == NULL)
		return -1;
	for (size_t i = 0; i < ks->nslots; i++) {
		size_t j;
		if (ks->slots[i].index == 0)
			continue;
		for (j = ks->slots[i].h1 & mask; s[j].index != 0; j = (j + 1) & mask)
			;
		s[j] = ks->slots[i];
	}
	free(ks->slots);
	ks->slots = s;
	ks->nslots = n;
	return 0;
}

int
keyset_add(struct keyset *ks, const struct keyset_hash *h, uint32_t *index)
{
	size_t i = probe(ks, h);

	if (ks->slots[i].index != 0) {
		*index = ks->slots[i].index - 1;
		return 0;
	}
	if (ks->n >= UINT32_MAX - 1)
		return -1;
	if ((ks->n + 1) * 2 > ks->nslots) {
		if (grow(ks) != 0)
			return -1;
		i = probe(ks, h);
	}
	ks->slots[i] = (struct slot){ h->h1, h->h2, (uint32_t)(ks->n + 1) };
	*index = (uint32_t)ks->n++;
	return 0;
}

int
keyset_find(const struct keyset *ks, const struct keyset_hash *h, uint32_t *index)
{
	size_t i = probe(ks, h);

	if (ks->slots[i].index == 0)
		return 1;
	*index = ks->slots[i].index - 1;
	return 0;
}

size_t
keyset_count(const struct keyset *ks)
{
	return ks->n;
}
