/* test_keyset: user keys to indexes in order of first sight, through growth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyset.h"
#include "tap.h"

static int
add(struct keyset *ks, const char *key, uint32_t *index)
{
	struct keyset_hash h;
	keyset_hash(key, strlen(key), &h);
	return keyset_add(ks, &h, index);
}

static int
find(const struct keyset *ks, const char *key, uint32_t *index)
{
	struct keyset_hash h;
	keyset_hash(key, strlen(key), &h);
	return keyset_find(ks, &h, index);
}

int
main(void)
{
	struct keyset *ks = keyset_new();
	struct keyset_hash a, b;
	uint32_t i = 99;
	char key[64], long_key[300];
	int bad = 0;

	ok(ks != NULL && keyset_count(ks) == 0, "an empty set");
	ok(find(ks, "alice", &i) == 1 && i == 99, "absent: 1, index untouched");
	ok(add(ks, "alice", &i) == 0 && i == 0, "the first key is 0");
	ok(add(ks, "bob", &i) == 0 && i == 1, "the second is 1");
	ok(add(ks, "alice", &i) == 0 && i == 0, "a key seen before keeps its index");
	ok(find(ks, "bob", &i) == 0 && i == 1, "found");
	ok(add(ks, "", &i) == 0 && i == 2, "the empty key is a key");
	ok(find(ks, "", &i) == 0 && i == 2, "and is found");
	is_int(keyset_count(ks), 3, "three keys");

	/* prefixes, lengths around the 8-byte words, one byte apart */
	keyset_hash("user-1234", 9, &a);
	keyset_hash("user-1235", 9, &b);
	ok(a.h1 != b.h1 && a.h2 != b.h2, "keys one byte apart hash apart in both halves");
	keyset_hash("abcdefgh", 8, &a);
	keyset_hash("abcdefgh\0", 9, &b);
	ok(a.h1 != b.h1, "the length is hashed: a trailing zero byte is another key");
	ok(add(ks, "abcdefg", &i) == 0 && add(ks, "abcdefgh", &i) == 0 && add(ks, "abcdefghi", &i) == 0 &&
	    i == 5, "7, 8 and 9 bytes: three keys");
	memset(long_key, 'k', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	ok(add(ks, long_key, &i) == 0 && i == 6, "a 299-byte key");
	long_key[298] = 'j';
	ok(find(ks, long_key, &i) == 1, "its last byte changed: absent");

	/* growth: 200,000 keys keep their indexes through every doubling */
	for (uint32_t k = 0; k < 200000; k++) {
		snprintf(key, sizeof(key), "user-%u", k);
		if (add(ks, key, &i) != 0 || i != k + 7)
			bad++;
	}
	is_int(bad, 0, "200,000 keys added in order");
	is_int(keyset_count(ks), 200007, "counted");
	for (uint32_t k = 0; k < 200000; k++) {
		snprintf(key, sizeof(key), "user-%u", k);
		if (find(ks, key, &i) != 0 || i != k + 7)
			bad++;
	}
	is_int(bad, 0, "each found at its index after growing");
	ok(find(ks, "user-200000", &i) == 1, "one more is absent");
	ok(find(ks, "alice", &i) == 0 && i == 0, "the first key survived the growth");
	keyset_prefetch(ks, &a);
	ok(1, "prefetch of any hash is harmless");
	keyset_free(ks);
	keyset_free(NULL);
	return tap_done();
}
