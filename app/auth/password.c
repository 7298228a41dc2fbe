/*
 * password: policy, hashing and verification of account passwords with
 * libxcrypt (SPEC §2, §7). See include/password.h for the contracts.
 */
#include "password.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "util.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Longest stored hash we look at; a yescrypt one is ~75 chars, bcrypt 60. */
#define STORED_MAX 128

int
password_check_policy(const char *pw, size_t len, const char **why)
{
	const char *reason;
	size_t i, n, chars = 0;

	if (pw == NULL) {
		reason = "missing";
		goto fail;
	}
	if (len > PASSWORD_MAX_BYTES) {
		reason = "longer than " STR(PASSWORD_MAX_BYTES) " bytes";
		goto fail;
	}
	if (memchr(pw, '\0', len) != NULL) {
		reason = "contains a NUL";
		goto fail;
	}
	for (i = 0; i < len; i += n, chars++)
		if ((n = util_utf8_seq((const unsigned char *)pw + i, len - i)) == 0) {
			reason = "not valid UTF-8";
			goto fail;
		}
	if (chars < PASSWORD_MIN_CHARS) {
		reason = "shorter than " STR(PASSWORD_MIN_CHARS) " characters";
		goto fail;
	}
	if (why != NULL)
		*why = NULL;
	return 0;
fail:
	if (why != NULL)
		*why = reason;
	return -1;
}

/*
 * pw as the NUL-terminated string crypt(3) wants, in buf (PASSWORD_MAX_BYTES
 * + 1); -1 when it cannot be one (NULL, too long, embedded NUL).
 */
static int
terminated(const char *pw, size_t len, char *buf)
{
	if (pw == NULL || len > PASSWORD_MAX_BYTES || memchr(pw, '\0', len) != NULL)
		return -1;
	memcpy(buf, pw, len);
	buf[len] = '\0';
	return 0;
}

/*
 * crypt_rn of pw with setting into out (outsz); 0 or -1. struct crypt_data
 * is 32 KiB, so it lives on the heap, one per call: that is what makes
 * concurrent calls safe. It holds copies of the password, wiped after.
 */
static int
hash_with(const char *pw, const char *setting, char *out, size_t outsz)
{
	struct crypt_data *cd;
	const char *r;
	int rc = -1;

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	r = crypt_rn(pw, setting, cd, sizeof(*cd));
	/* libxcrypt failure tokens start with '*'; crypt_rn returns NULL instead,
	 * but a '*' result is never a hash either. */
	if (r != NULL && r[0] != '*' && util_strlcpy(out, r, outsz) < outsz)
		rc = 0;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

int
password_hash(const char *pw, size_t len, char *out, size_t outsz)
{
	char buf[PASSWORD_MAX_BYTES + 1];
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	unsigned char salt[16];
	int rc = -1;

	if (out == NULL || outsz == 0)
		return -1;
	out[0] = '\0';
	if (password_check_policy(pw, len, NULL) != 0 || terminated(pw, len, buf) != 0)
		return -1;
	util_random(salt, sizeof(salt));
	if (crypt_gensalt_rn("$y$", PASSWORD_YESCRYPT_COST, (const char *)salt,
	    (int)sizeof(salt), setting, (int)sizeof(setting)) == NULL)
		goto out;
	if (hash_with(buf, setting, out, outsz) != 0) {
		out[0] = '\0';
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

/*
 * The only formats we verify: yescrypt, and bcrypt as SPEC §2 allows it.
 * Everything after the prefix must be crypt's alphabet ("./0-9A-Za-z") or
 * '$'; libcrypt itself checks the structure.
 */
static int
stored_ok(const char *stored)
{
	size_t n;

	if (strncmp(stored, "$y$", 3) != 0 && strncmp(stored, "$2b$", 4) != 0)
		return 0;
	n = strnlen(stored, STORED_MAX + 1);
	if (n > STORED_MAX)
		return 0;
	return strspn(stored, "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz$") == n;
}

/*
 * Stands in for an account's hash: same algorithm and cost as password_hash,
 * a fixed salt. Only the time spent matters; the result is thrown away.
 */
static void
dummy_hash(const char *pw)
{
	static const char salt[16] = "tally-no-account";
	char setting[CRYPT_GENSALT_OUTPUT_SIZE], out[CRYPT_OUTPUT_SIZE];

	if (crypt_gensalt_rn("$y$", PASSWORD_YESCRYPT_COST, salt, (int)sizeof(salt),
	    setting, (int)sizeof(setting)) != NULL)
		(void)hash_with(pw, setting, out, sizeof(out));
}

int
password_verify(const char *pw, size_t len, const char *stored)
{
	char buf[PASSWORD_MAX_BYTES + 1], out[CRYPT_OUTPUT_SIZE];
	size_t n;
	int rc = -1;

	if (terminated(pw, len, buf) != 0)
		return 0;
	if (stored == NULL || !stored_ok(stored)) {
		dummy_hash(buf);
		rc = stored == NULL ? 0 : -1;
		goto out;
	}
	if (hash_with(buf, stored, out, sizeof(out)) != 0)
		goto out;
	/* Hashing with a well-formed hash as the setting always gives a result
	 * of its length; any other length means stored was not one. */
	n = strlen(stored);
	if (strlen(out) != n)
		goto out;
	rc = CRYPTO_memcmp(out, stored, n) == 0;
out:
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(out, sizeof(out));
	return rc;
}
