/* util: small helpers shared by every module. */
#ifndef TALLY_UTIL_H
#define TALLY_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Copies like OpenBSD strlcpy; returns strlen(src) so >= size means truncated. */
size_t util_strlcpy(char *dst, const char *src, size_t size);

/* Whole-string decimal integer in [min, max]; no sign games, no trailing junk. */
int util_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Wall clock in milliseconds / microseconds since the epoch; monotonic µs. */
/* a + b, held at INT64_MAX / INT64_MIN instead of overflowing (sums of tokens and costs). */
static inline int64_t
util_add_sat(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return a > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

int64_t util_now_ms(void);
int64_t util_mono_us(void);

/* Cryptographic randomness (getrandom); aborts only if the kernel cannot give it. */
void util_random(void *buf, size_t len);

/* Value of a hex digit (either case), or -1. */
int util_hexval(int c);

/* len bytes as 2*len lowercase hex chars + NUL into out. */
void util_hex_encode(const void *data, size_t len, char *out);

/* SHA-256 of data as 64 lowercase hex chars + NUL into out[65]. */
void util_sha256_hex(const void *data, size_t len, char out[65]);

/* 64-bit FNV-1a; used as a compact index key, never for security. */
int64_t util_hash64(const char *s, size_t len);

/* A random RFC 4122 version-4 UUID, 36 chars + NUL. */
void util_uuid4(char out[37]);

/*
 * The client address as stored when anonymising: IPv4 keeps its /24
 * (1.2.3.0), IPv6 its /48 (2001:db8:1::). Anything else becomes "".
 */
void util_ip_anonymize(const char *ip, char *out, size_t outlen);

/*
 * Room for one more element in an array of *cap elements of elem bytes, n
 * of them used: items itself while n < *cap, else the array reallocated to
 * twice the size (first elements at the start) with *cap updated. NULL when
 * out of memory, items and *cap then unchanged.
 */
void *util_grow(void *items, size_t *cap, size_t n, size_t elem, size_t first);

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF), or 0. */
size_t util_utf8_seq(const unsigned char *p, size_t left);

/* Appends to a growable buffer; the buffer is always NUL-terminated. */
struct buf {
	char *data;
	size_t len, cap;
};
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
void buf_free(struct buf *b);

/* Strings made while parsing a request, freed together with it. */
struct strpool {
	char **s;
	size_t n, cap;
};
/* Keeps s (malloc'd); returns it, or NULL (s freed) when s is NULL or memory runs out. */
char *strpool_keep(struct strpool *p, char *s);
char *strpool_dup(struct strpool *p, const char *s);
void strpool_free(struct strpool *p);

#endif
