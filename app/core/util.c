#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <openssl/sha.h>

size_t
util_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

int
util_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int64_t
util_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
util_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
util_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			abort();    /* no entropy: nothing safe to do */
		}
		p += n;
		len -= (size_t)n;
	}
}

int
util_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
util_hex_encode(const void *data, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * len] = '\0';
}

void
util_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	util_hex_encode(md, sizeof(md), out);
}

int64_t
util_hash64(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;     /* FNV-1a 64 offset basis */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return (int64_t)h;
}

void
util_uuid4(char out[37])
{
	unsigned char b[16];
	util_random(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
}

void
util_ip_anonymize(const char *ip, char *out, size_t outlen)
{
	unsigned char a[16];
	char tmp[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET, ip, a) == 1) {
		a[3] = 0;
		inet_ntop(AF_INET, a, tmp, sizeof(tmp));
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		memset(a + 6, 0, 10);
		inet_ntop(AF_INET6, a, tmp, sizeof(tmp));
	} else
		tmp[0] = '\0';
	util_strlcpy(out, tmp, outlen);
}

int
buf_append(struct buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;
		while (cap < b->len + len + 1)
			cap *= 2;
		if ((p = realloc(b->data, cap)) == NULL)
			return -1;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
strpool_keep(struct strpool *p, char *s)
{
	char **a;

	if (s == NULL)
		return NULL;
	if ((a = util_grow(p->s, &p->cap, p->n, sizeof(*p->s), 16)) == NULL) {
		free(s);
		return NULL;
	}
	p->s = a;
	p->s[p->n++] = s;
	return s;
}

char *
strpool_dup(struct strpool *p, const char *s)
{
	return s ? strpool_keep(p, strdup(s)) : NULL;
}

void
strpool_free(struct strpool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->s[i]);
	free(p->s);
	p->s = NULL;
	p->n = p->cap = 0;
}

void *
util_grow(void *items, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t want;
	void *p;

	if (n < *cap)
		return items;
	want = *cap ? *cap * 2 : first;
	if (want < *cap || want > SIZE_MAX / elem || (p = realloc(items, want * elem)) == NULL)
		return NULL;
	*cap = want;
	return p;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF), or 0. */
size_t
util_utf8_seq(const unsigned char *p, size_t left)
{
	unsigned c = p[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0) lo = 0xA0;           /* overlong */
		if (c == 0xED) hi = 0x9F;           /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0) lo = 0x90;           /* overlong */
		if (c == 0xF4) hi = 0x8F;           /* past U+10FFFF */
	} else
		return 0;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}
