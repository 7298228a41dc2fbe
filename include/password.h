/*
 * password: account passwords (SPEC §2 "Account", §7 "Secrets").
 *
 * Passwords are stored only as yescrypt hashes made by libxcrypt ("$y$…",
 * the Debian default for /etc/shadow). Verification also accepts bcrypt
 * ("$2b$…"), the other algorithm SPEC §2 allows; every other crypt(3)
 * format (DES, "$1$" MD5, "$5$"/"$6$" SHA-crypt, locked "!"/"*" entries)
 * is refused: a weak legacy hash is never trusted, the account has to get
 * a new password instead.
 */
#ifndef TALLY_PASSWORD_H
#define TALLY_PASSWORD_H

#include <stddef.h>

/*
 * Shortest accepted password, counted in UTF-8 characters (code points),
 * not bytes: "pässwörter" is 10 characters although it is 12 bytes, and a
 * user typing 10 characters of any script meets the rule.
 */
#define PASSWORD_MIN_CHARS 10
/*
 * Longest accepted password in bytes. Longer input is refused before any
 * hashing, so nobody can make the server hash megabytes per request.
 */
#define PASSWORD_MAX_BYTES 256
/*
 * yescrypt cost given to crypt_gensalt (1..11, libxcrypt's own default is
 * 5, about 130 ms here). 3 takes about 20 ms and a few MiB per hash on
 * the reference machine: a login costs one of them, and the unit tests stay
 * fast.
 */
#define PASSWORD_YESCRYPT_COST 3

/*
 * Whether pw (len bytes, need not be NUL-terminated) is acceptable as a new
 * password: 0 when it is; else -1 and *why (when why is not NULL) points to
 * a short static reason fit to show the user, e.g. "shorter than 10
 * characters". Checked in this order: NULL, longer than PASSWORD_MAX_BYTES,
 * embedded NUL, invalid UTF-8 (RFC 3629), fewer than PASSWORD_MIN_CHARS
 * characters.
 */
int password_check_policy(const char *pw, size_t len, const char **why);

/*
 * Hashes pw (len bytes) with yescrypt at PASSWORD_YESCRYPT_COST and a fresh
 * random 128-bit salt into out (outsz bytes; CRYPT_OUTPUT_SIZE is always
 * enough, the result is about 75 chars). pw must pass
 * password_check_policy: a password that is not acceptable is never
 * stored. Returns 0, or -1 (out is then "") on a policy failure, a too
 * small out or an error from libcrypt. Thread-safe.
 */
int password_hash(const char *pw, size_t len, char *out, size_t outsz);

/*
 * Whether pw (len bytes) matches stored, a hash from password_hash (or a
 * bcrypt "$2b$" hash). 1 when it matches, 0 when it does not, -1 when
 * stored is malformed or of a refused algorithm, or on an error.
 *
 * stored NULL means "no such account": pw is then hashed against a fixed
 * dummy setting of the same algorithm and cost and 0 is returned, so a
 * wrong email and a wrong password take the same time. A refused stored
 * hash costs the same dummy hash before -1. A pw that could never have
 * been hashed (NULL, longer than PASSWORD_MAX_BYTES, embedded NUL) returns
 * 0 at once: that timing depends only on the input, not on the account.
 * The policy minimum is not checked here, so a policy change never locks
 * out an existing account. Thread-safe.
 */
int password_verify(const char *pw, size_t len, const char *stored);

#endif
