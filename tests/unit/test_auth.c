/* test_auth: API key format, generation, hashing and where a request carries one (SPEC §2, §3). */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "http.h"
#include "util.h"
#include "tap.h"

static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
#define GOOD "tk_pub_0123456789ABCDEFGHIJKLMNOPQRSTUV"

static int
cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void
kind_is(const char *key, int want, const char *label)
{
	int k = auth_key_kind(key);
	ok(k == want, "auth_key_kind: %s", label);
	if (k != want)
		tap_diag("expected %d got %d for '%s'", want, k, key ? key : "(null)");
}

/* auth_header_key on a request whose FastCGI params are env (NULL-terminated). */
static enum auth_source
header_key(const char **env, char *key, size_t keylen)
{
	FCGX_Request f;
	struct http_req req;

	memset(&f, 0, sizeof(f));
	memset(&req, 0, sizeof(req));
	f.envp = (char **)env;
	req.fcgi = &f;
	memset(key, 'Z', keylen);
	key[keylen - 1] = '\0';
	return auth_header_key(&req, key, keylen);
}

#define HEADER(want, label, ...) do { \
	const char *env_[] = { __VA_ARGS__, NULL }; \
	enum auth_source s_ = header_key(env_, key, sizeof(key)); \
	ok(s_ == (want), "auth_header_key: %s", label); \
	if (s_ != (want)) \
		tap_diag("expected %d got %d", (int)(want), (int)s_); \
} while (0)

int
main(void)
{
	char key[KEY_LEN + 1], prefix[KEY_PREFIX_LEN + 1];

	/* generation: tk_pub_ / tk_sec_ + 32 base62 */
	memset(key, 'Z', sizeof(key));
	auth_key_generate(KEY_INGEST, key, prefix);
	ok(strlen(key) == KEY_LEN && strncmp(key, "tk_pub_", 7) == 0 &&
	    strspn(key + 7, base62) == KEY_RANDOM_CHARS, "ingest key is tk_pub_ + 32 base62");
	tap_diag("sample: %.12s…", key);
	is_int(auth_key_kind(key), KEY_INGEST, "a generated ingest key is KEY_INGEST");
	ok(strlen(prefix) == KEY_PREFIX_LEN && strncmp(prefix, key, KEY_PREFIX_LEN) == 0,
	    "prefix is the first 12 characters");
	auth_key_generate(KEY_SECRET, key, prefix);
	ok(strlen(key) == KEY_LEN && strncmp(key, "tk_sec_", 7) == 0 &&
	    strspn(key + 7, base62) == KEY_RANDOM_CHARS, "secret key is tk_sec_ + 32 base62");
	is_int(auth_key_kind(key), KEY_SECRET, "a generated secret key is KEY_SECRET");
	ok(strncmp(prefix, "tk_sec_", 7) == 0, "secret prefix starts tk_sec_");

	/* uniqueness and spread: 2000 keys, no duplicate, every base62 character used */
	{
		enum { N = 2000 };
		static char keys[N][KEY_LEN + 1];
		int seen[256] = { 0 }, dup = 0, all = 1, valid = 1;
		for (int i = 0; i < N; i++) {
			auth_key_generate(i % 2 ? KEY_SECRET : KEY_INGEST, keys[i], prefix);
			valid &= auth_key_kind(keys[i]) == (i % 2 ? KEY_SECRET : KEY_INGEST);
			for (int j = 7; j < KEY_LEN; j++)
				seen[(unsigned char)keys[i][j]]++;
		}
		qsort(keys, N, sizeof(keys[0]), cmp);
		for (int i = 1; i < N; i++)
			dup |= strcmp(keys[i - 1], keys[i]) == 0;
		ok(valid, "2000 generated keys are all well formed");
		ok(!dup, "2000 generated keys are all different");
		/* 64000 draws over 62 symbols: each expected ~1032 times */
		for (size_t c = 0; c < 62; c++)
			if (seen[(unsigned char)base62[c]] < 700 || seen[(unsigned char)base62[c]] > 1400) {
				tap_diag("'%c' drawn %d times", base62[c], seen[(unsigned char)base62[c]]);
				all = 0;
			}
		ok(all, "every base62 character is drawn about equally");
	}

	/* malformed keys */
	kind_is(GOOD, KEY_INGEST, "a well-formed ingest key");
	kind_is("tk_sec_0123456789ABCDEFGHIJKLMNOPQRSTUV", KEY_SECRET, "a well-formed secret key");
	kind_is(NULL, 0, "NULL");
	kind_is("", 0, "empty");
	kind_is("tk_pub_", 0, "the prefix alone");
	kind_is("tk_pub_0123456789ABCDEFGHIJKLMNOPQRSTU", 0, "31 random characters");
	kind_is("tk_pub_0123456789ABCDEFGHIJKLMNOPQRSTUVW", 0, "33 random characters");
	kind_is("tk_pux_0123456789ABCDEFGHIJKLMNOPQRSTUV", 0, "wrong prefix");
	kind_is("TK_PUB_0123456789ABCDEFGHIJKLMNOPQRSTUV", 0, "prefix in capitals");
	kind_is("tk-pub-0123456789ABCDEFGHIJKLMNOPQRSTUV", 0, "dashes in the prefix");
	kind_is("xtk_pub_0123456789ABCDEFGHIJKLMNOPQRSTU", 0, "prefix not at the start");
	kind_is("tk_pub_0123456789ABCDEFGHIJKLMNOPQRST-", 0, "a '-' in the random part");
	kind_is("tk_pub_0123456789ABCDEFGHIJKLMNOPQRST_", 0, "a '_' in the random part");
	kind_is("tk_pub_0123456789ABCDEFGHIJ LMNOPQRSTUV", 0, "a space in the random part");
	kind_is("tk_pub_0123456789ABCDEFGHIJKLMNOPQRST\x80", 0, "a non-ASCII byte");
	kind_is("tk_pub_0123456789ABCDEFGHIJKLMNOPQRST=", 0, "an '='");
	kind_is("tk_pub_0123456789ABCDEFGHIJKLMNOPQRSTUV\n", 0, "a trailing newline");
	kind_is(" tk_pub_0123456789ABCDEFGHIJKLMNOPQRSTU", 0, "a leading space");
	{
		/* a NUL inside cannot pass: the key is a C string, so it is simply short */
		char k[KEY_LEN + 1];
		memcpy(k, GOOD, sizeof(k));
		k[20] = '\0';
		kind_is(k, 0, "a NUL in the middle (length 20)");
	}

	/* the stored form: SHA-256 hex of the whole key */
	{
		char h[65], h2[65];
		memset(h, 'Z', sizeof(h));
		auth_key_hash(GOOD, h);
		is_str(h, "535232ecb0f960043a4612155fcf7bc5e732f68eafea91c1cfcc4d31689623bb",
		    "auth_key_hash is the SHA-256 hex of the key");
		util_sha256_hex(GOOD, strlen(GOOD), h2);
		is_str(h, h2, "auth_key_hash equals util_sha256_hex");
		auth_key_hash("tk_sec_0123456789ABCDEFGHIJKLMNOPQRSTUV", h2);
		ok(strcmp(h, h2) != 0, "the kind is part of what is hashed");
	}

	/* where a request carries its key (SPEC §3) */
	HEADER(AUTH_NONE, "no header", "REQUEST_METHOD=POST");
	ok(1, "(key untouched when none)");
	HEADER(AUTH_FOUND, "Bearer", "HTTP_AUTHORIZATION=Bearer " GOOD);
	is_str(key, GOOD, "Bearer key copied");
	HEADER(AUTH_FOUND, "bearer in lower case, two spaces", "HTTP_AUTHORIZATION=bearer  " GOOD);
	is_str(key, GOOD, "lower-case bearer key copied");
	HEADER(AUTH_FOUND, "X-API-Key", "HTTP_X_API_KEY=" GOOD);
	is_str(key, GOOD, "X-API-Key copied");
	/* base64("tk_pub_0123456789ABCDEFGHIJKLMNOPQRSTUV:") */
	HEADER(AUTH_FOUND, "Basic with the key as user and an empty password",
	    "HTTP_AUTHORIZATION=Basic dGtfcHViXzAxMjM0NTY3ODlBQkNERUZHSElKS0xNTk9QUVJTVFVWOg==");
	is_str(key, GOOD, "Basic key copied");
	HEADER(AUTH_MALFORMED, "Basic with a password",
	    "HTTP_AUTHORIZATION=Basic dGtfcHViXzAxMjM0NTY3ODlBQkNERUZHSElKS0xNTk9QUVJTVFVWOnB3");
	HEADER(AUTH_MALFORMED, "Basic without a colon", "HTTP_AUTHORIZATION=Basic dGtfcHVi");
	HEADER(AUTH_MALFORMED, "Basic that is not base64", "HTTP_AUTHORIZATION=Basic !!!!");
	HEADER(AUTH_MALFORMED, "Basic with nothing", "HTTP_AUTHORIZATION=Basic ");
	/* base64("a\0b:") */
	HEADER(AUTH_MALFORMED, "Basic hiding a NUL", "HTTP_AUTHORIZATION=Basic YQBiOg==");
	HEADER(AUTH_MALFORMED, "Bearer with nothing", "HTTP_AUTHORIZATION=Bearer ");
	HEADER(AUTH_MALFORMED, "an unknown scheme", "HTTP_AUTHORIZATION=Token abc");
	HEADER(AUTH_FOUND, "Authorization wins over X-API-Key",
	    "HTTP_X_API_KEY=tk_pub_other", "HTTP_AUTHORIZATION=Bearer " GOOD);
	is_str(key, GOOD, "the Authorization key is the one copied");
	HEADER(AUTH_NONE, "empty headers are absent", "HTTP_AUTHORIZATION=", "HTTP_X_API_KEY=");
	{
		static char big[600] = "HTTP_AUTHORIZATION=Bearer ";
		memset(big + strlen(big), 'k', 500);
		HEADER(AUTH_MALFORMED, "a Bearer longer than the key buffer", big);
	}
	{
		static char big[2000] = "HTTP_AUTHORIZATION=Basic ";
		memset(big + strlen(big), 'Q', 1200);
		HEADER(AUTH_MALFORMED, "a Basic longer than its decode buffer", big);
	}
	return tap_done();
}
