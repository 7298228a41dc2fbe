/* test_password: account password policy, yescrypt hashing and verification (SPEC §2, §7). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crypt.h>

#include "password.h"
#include "util.h"
#include "tap.h"

#define PW "correct horse battery"

static void
policy_is(const char *pw, size_t len, const char *want, const char *label)
{
	const char *why = "unset";
	int rc = password_check_policy(pw, len, &why);
	ok(want == NULL ? rc == 0 && why == NULL : rc == -1 && why != NULL &&
	    strcmp(why, want) == 0, "policy: %s", label);
	if (want != NULL && (why == NULL || strcmp(why, want) != 0))
		tap_diag("expected '%s' got '%s'", want, why ? why : "(null)");
}

static void
test_policy(void)
{
	char buf[PASSWORD_MAX_BYTES + 2];

	policy_is("abcdefghij", 10, NULL, "exactly 10 ASCII characters");
	policy_is("abcdefghi", 9, "shorter than 10 characters", "9 characters");
	policy_is("", 0, "shorter than 10 characters", "empty");
	policy_is(NULL, 0, "missing", "NULL");
	/* 10 characters, 14 bytes: counted in characters, not bytes. */
	policy_is("p\xc3\xa4ssw\xc3\xb6rter\xc3\xa9\xc3\xa8", 14, NULL,
	    "10 characters of which 4 two-byte");
	/* 5 characters, 15 bytes: long enough in bytes, not in characters. */
	policy_is("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xa7\xe3\x81\x99", 15,
	    "shorter than 10 characters", "5 three-byte characters");

	memset(buf, 'a', sizeof(buf));
	policy_is(buf, PASSWORD_MAX_BYTES, NULL, "exactly 256 bytes");
	policy_is(buf, PASSWORD_MAX_BYTES + 1, "longer than 256 bytes", "257 bytes");
	policy_is(buf, (size_t)1 << 20, "longer than 256 bytes",
	    "a megabyte is refused on its length alone");

	policy_is("abcde\0fghij", 11, "contains a NUL", "embedded NUL");
	policy_is("abcdefghij\0", 11, "contains a NUL", "trailing NUL within len");
	policy_is("abcdefghij\xff", 11, "not valid UTF-8", "0xff byte");
	policy_is("abcdefghij\xc3", 11, "not valid UTF-8", "truncated sequence");
	policy_is("abcdefghij\xc0\xaf", 12, "not valid UTF-8", "overlong '/'");
	policy_is("abcdefghij\xed\xa0\x80", 13, "not valid UTF-8", "UTF-16 surrogate");
	ok(password_check_policy("abcdefghij", 10, NULL) == 0, "policy: why may be NULL");
}

static void
test_hash_verify(void)
{
	char h1[CRYPT_OUTPUT_SIZE], h2[CRYPT_OUTPUT_SIZE + 8], small[20];
	char bcrypt[CRYPT_OUTPUT_SIZE], setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	char md5[CRYPT_OUTPUT_SIZE];

	ok(password_hash(PW, strlen(PW), h1, sizeof(h1)) == 0, "hash: ok");
	ok(strncmp(h1, "$y$", 3) == 0, "hash: yescrypt prefix");
	tap_diag("hash: %s", h1);
	ok(password_hash(PW, strlen(PW), h2, sizeof(h2)) == 0, "hash: second ok");
	ok(strcmp(h1, h2) != 0, "hash: two hashes of one password differ (salt)");

	ok(password_hash("short", 5, h2, sizeof(h2)) == -1 && h2[0] == '\0',
	    "hash: refuses a password the policy refuses");
	ok(password_hash("abcde\0fghij", 11, h2, sizeof(h2)) == -1, "hash: refuses embedded NUL");
	ok(password_hash(PW, strlen(PW), small, sizeof(small)) == -1 && small[0] == '\0',
	    "hash: too small out refused, left empty");
	ok(password_hash(PW, strlen(PW), NULL, 0) == -1, "hash: NULL out refused");

	is_int(password_verify(PW, strlen(PW), h1), 1, "verify: right password");
	is_int(password_verify("correct horse batterY", strlen(PW), h1), 0, "verify: wrong password");
	is_int(password_verify("CORRECT HORSE BATTERY", strlen(PW), h1), 0, "verify: wrong case");
	is_int(password_verify("", 0, h1), 0, "verify: empty password");
	is_int(password_verify(PW, strlen(PW) - 1, h1), 0, "verify: prefix of the password");
	is_int(password_verify(PW "\0x", strlen(PW) + 2, h1), 0,
	    "verify: password plus NUL and more (no truncation at NUL)");
	is_int(password_verify(NULL, 0, h1), 0, "verify: NULL password");

	/* Malformed stored hashes are errors, not mismatches. */
	is_int(password_verify(PW, strlen(PW), ""), -1, "verify: empty stored");
	is_int(password_verify(PW, strlen(PW), "$y$"), -1, "verify: bare $y$");
	h2[0] = '\0';
	snprintf(h2, sizeof(h2), "%.*s", (int)strlen(h1) - 5, h1);
	is_int(password_verify(PW, strlen(PW), h2), -1, "verify: truncated stored");
	snprintf(h2, sizeof(h2), "%s'--", h1);
	is_int(password_verify(PW, strlen(PW), h2), -1, "verify: stored with junk");
	is_int(password_verify(PW, strlen(PW), "*0"), -1, "verify: failure token");
	is_int(password_verify(PW, strlen(PW), "!$y$j7T$abc$def"), -1, "verify: locked entry");

	/* A real MD5-crypt hash of PW: correct, but a refused algorithm. */
	cd = calloc(1, sizeof(*cd));
	snprintf(md5, sizeof(md5), "%s", crypt_rn(PW, "$1$saltsalt", cd, sizeof(*cd)));
	ok(strncmp(md5, "$1$", 3) == 0, "md5-crypt hash made");
	is_int(password_verify(PW, strlen(PW), md5), -1, "verify: $1$ md5 refused");
	snprintf(md5, sizeof(md5), "%s", crypt_rn(PW, "$6$saltsalt", cd, sizeof(*cd)));
	is_int(password_verify(PW, strlen(PW), md5), -1, "verify: $6$ sha512 refused");
	snprintf(md5, sizeof(md5), "%s", crypt_rn(PW, "ab", cd, sizeof(*cd)));
	is_int(password_verify(PW, strlen(PW), md5), -1, "verify: DES refused");

	/* bcrypt, which SPEC §2 allows, is accepted. */
	ok(crypt_gensalt_rn("$2b$", 4, "0123456789abcdef", 16, setting, sizeof(setting)) != NULL,
	    "bcrypt setting");
	snprintf(bcrypt, sizeof(bcrypt), "%s", crypt_rn(PW, setting, cd, sizeof(*cd)));
	free(cd);
	is_int(password_verify(PW, strlen(PW), bcrypt), 1, "verify: bcrypt right");
	is_int(password_verify("wrong password", 14, bcrypt), 0, "verify: bcrypt wrong");

	is_int(password_verify(PW, strlen(PW), NULL), 0, "verify: stored NULL is 0");
	is_int(password_verify("", 0, NULL), 0, "verify: stored NULL, empty password is 0");
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

#define ROUNDS 20

static int64_t
median(int64_t *t)
{
	qsort(t, ROUNDS, sizeof(t[0]), cmp_i64);
	return (t[ROUNDS / 2 - 1] + t[ROUNDS / 2]) / 2;
}

static void
test_timing(void)
{
	char h[CRYPT_OUTPUT_SIZE];
	int64_t tk[ROUNDS], tu[ROUNDS], known, unknown, hi, lo, t0;

	ok(password_hash(PW, strlen(PW), h, sizeof(h)) == 0, "timing: hash");
	/* Alternate the two so a noisy neighbour slows both sides alike. */
	for (int i = 0; i < ROUNDS; i++) {
		t0 = util_mono_us();
		(void)password_verify("wrong password!", 15, NULL);
		tu[i] = util_mono_us() - t0;
		t0 = util_mono_us();
		(void)password_verify("wrong password!", 15, h);
		tk[i] = util_mono_us() - t0;
	}
	unknown = median(tu);
	known = median(tk);
	tap_diag("median of %d verifies: unknown account %lld us, wrong password %lld us",
	    ROUNDS, (long long)unknown, (long long)known);
	hi = known > unknown ? known : unknown;
	lo = known > unknown ? unknown : known;
	ok(hi * 100 <= lo * 125, "timing: unknown account and wrong password within 25%%");
	ok(known >= 5000 && known <= 200000, "timing: one verify takes 5-200 ms");
}

struct job {
	int id;
	int fails;
};

static void *
worker(void *arg)
{
	struct job *j = arg;
	char pw[64], other[64], h[CRYPT_OUTPUT_SIZE];

	for (int i = 0; i < 3; i++) {
		snprintf(pw, sizeof(pw), "thread %d password %d", j->id, i);
		snprintf(other, sizeof(other), "thread %d password %d", j->id, i + 1);
		if (password_hash(pw, strlen(pw), h, sizeof(h)) != 0 ||
		    password_verify(pw, strlen(pw), h) != 1 ||
		    password_verify(other, strlen(other), h) != 0 ||
		    password_verify(pw, strlen(pw), NULL) != 0)
			j->fails++;
	}
	return NULL;
}

static void
test_threads(void)
{
	pthread_t t[4];
	struct job jobs[4];
	int fails = 0;

	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct job){ .id = i };
		ok(pthread_create(&t[i], NULL, worker, &jobs[i]) == 0, "threads: start %d", i);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		fails += jobs[i].fails;
	}
	is_int(fails, 0, "threads: 4 threads hashing and verifying concurrently agree");
}

int
main(void)
{
	test_policy();
	test_hash_verify();
	test_timing();
	test_threads();
	return tap_done();
}
