/* test_gzip: Content-Encoding: gzip bodies (RFC 1952) through gzip_inflate. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "gzip.h"
#include "tap.h"

static const char *const results[] = { "GZIP_OK", "GZIP_INVALID", "GZIP_TOO_LARGE", "GZIP_NOMEM" };

/* Compresses data with zlib in the given window-bits mode (16 + 15: gzip). Caller frees. */
static unsigned char *
deflate_as(const void *data, size_t len, int wbits, size_t *out_len)
{
	z_stream zs;
	size_t cap = len + len / 100 + 1024;
	unsigned char *out = malloc(cap);

	memset(&zs, 0, sizeof(zs));
	if (out == NULL || deflateInit2(&zs, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static unsigned char *
gz(const void *data, size_t len, size_t *out_len)
{
	return deflate_as(data, len, 16 + MAX_WBITS, out_len);
}

/* Inflates and checks the result code; *out is NULL unless GZIP_OK. */
static enum gzip_result
inflate_is(const void *in, size_t in_len, size_t limit, enum gzip_result want, char **out,
    size_t *out_len, const char *label)
{
	enum gzip_result r;
	char *copy = malloc(in_len ? in_len : 1);     /* exact size: ASan sees overreads */

	memcpy(copy, in, in_len);
	*out = (char *)1;
	*out_len = 12345;
	r = gzip_inflate(copy, in_len, limit, out, out_len);
	free(copy);
	ok(r == want && (r == GZIP_OK) == (*out != NULL) && (r == GZIP_OK || *out_len == 0),
	    "%s: %s", label, results[want]);
	if (r != want)
		tap_diag("expected %s got %s", results[want], results[r]);
	return r;
}

int
main(void)
{
	static const char hello[] = "{\"event\":\"signup\",\"userId\":\"u1\"}";
	unsigned char *z;
	size_t zlen, n;
	char *out;

	/* round trips */
	z = gz(hello, strlen(hello), &zlen);
	if (inflate_is(z, zlen, 1 << 20, GZIP_OK, &out, &n, "a small body") == GZIP_OK) {
		ok(n == strlen(hello) && memcmp(out, hello, n) == 0 && out[n] == '\0',
		    "round trip gives the same bytes, NUL-terminated");
		free(out);
	}
	free(z);

	z = gz("", 0, &zlen);
	if (inflate_is(z, zlen, 1 << 20, GZIP_OK, &out, &n, "an empty body") == GZIP_OK) {
		ok(n == 0 && out[0] == '\0', "empty round trip");
		free(out);
	}
	free(z);

	/* highly compressible: the output buffer must grow many times */
	{
		size_t len = 3 << 20;
		char *big = malloc(len);
		for (size_t i = 0; i < len; i++)
			big[i] = "{\"event\":\"page\",\"n\":123},"[i % 25];
		z = gz(big, len, &zlen);
		if (inflate_is(z, zlen, 4 << 20, GZIP_OK, &out, &n, "3 MiB of repetitive JSON under a 4 MiB limit") == GZIP_OK) {
			ok(n == len && memcmp(out, big, len) == 0, "large round trip intact");
			free(out);
		}
		free(z);

		/* binary, incompressible-ish content (NUL bytes survive; the caller checks them) */
		for (size_t i = 0; i < 100000; i++)
			big[i] = (char)((i * 2654435761u) >> 13);
		z = gz(big, 100000, &zlen);
		if (inflate_is(z, zlen, 1 << 20, GZIP_OK, &out, &n, "100 kB of binary") == GZIP_OK) {
			ok(n == 100000 && memcmp(out, big, n) == 0, "binary round trip intact");
			free(out);
		}
		free(z);
		free(big);
	}

	/* the limit is inclusive and exact */
	{
		char body[1000];
		memset(body, 'a', sizeof(body));
		z = gz(body, sizeof(body), &zlen);
		if (inflate_is(z, zlen, 1000, GZIP_OK, &out, &n, "output exactly at the limit") == GZIP_OK)
			free(out);
		inflate_is(z, zlen, 999, GZIP_TOO_LARGE, &out, &n, "output one byte over the limit");
		inflate_is(z, zlen, 0, GZIP_TOO_LARGE, &out, &n, "any output over a zero limit");
		free(z);
	}

	/* a bomb: 10 MB of zeros is ~10 kB compressed; refused at a 1 MiB limit, quickly */
	{
		size_t len = 10 * 1000 * 1000;
		char *zeros = calloc(1, len);
		z = gz(zeros, len, &zlen);
		free(zeros);
		tap_diag("10 MB of zeros compress to %zu bytes", zlen);
		inflate_is(z, zlen, 1 << 20, GZIP_TOO_LARGE, &out, &n, "a 10 MB bomb under a 1 MiB limit");
		if (inflate_is(z, zlen, 16 << 20, GZIP_OK, &out, &n, "the same stream under a 16 MiB limit") == GZIP_OK) {
			ok(n == len, "all 10 MB inflated when allowed");
			free(out);
		}
		free(z);
	}

	/* damaged streams */
	z = gz(hello, strlen(hello), &zlen);
	inflate_is(z, zlen - 1, 1 << 20, GZIP_INVALID, &out, &n, "truncated by one byte (ISIZE)");
	inflate_is(z, zlen - 8, 1 << 20, GZIP_INVALID, &out, &n, "truncated before the trailer");
	inflate_is(z, zlen / 2, 1 << 20, GZIP_INVALID, &out, &n, "truncated in the middle");
	inflate_is(z, 10, 1 << 20, GZIP_INVALID, &out, &n, "the 10-byte header alone");
	inflate_is(z, 2, 1 << 20, GZIP_INVALID, &out, &n, "the magic bytes alone");
	inflate_is(z, 0, 1 << 20, GZIP_INVALID, &out, &n, "no bytes at all");
	{
		unsigned char *bad = malloc(zlen * 2 + 16);
		memcpy(bad, z, zlen);
		memcpy(bad + zlen, "garbage", 7);
		inflate_is(bad, zlen + 7, 1 << 20, GZIP_INVALID, &out, &n, "trailing garbage after the stream");
		bad[zlen] = '\0';
		inflate_is(bad, zlen + 1, 1 << 20, GZIP_INVALID, &out, &n, "one trailing NUL byte");
		memcpy(bad, z, zlen);
		bad[zlen - 6] ^= 0x01;      /* CRC32 */
		inflate_is(bad, zlen, 1 << 20, GZIP_INVALID, &out, &n, "a corrupted CRC32");
		memcpy(bad, z, zlen);
		bad[zlen - 2] ^= 0x01;      /* ISIZE */
		inflate_is(bad, zlen, 1 << 20, GZIP_INVALID, &out, &n, "a corrupted length");
		memcpy(bad, z, zlen);
		bad[0] = 0x1e;
		inflate_is(bad, zlen, 1 << 20, GZIP_INVALID, &out, &n, "a wrong magic byte");
		memcpy(bad, z, zlen);
		memcpy(bad + zlen, z, zlen);
		inflate_is(bad, zlen * 2, 1 << 20, GZIP_INVALID, &out, &n,
		    "two concatenated members (only one is expected)");
		free(bad);
	}
	free(z);

	/* not gzip at all */
	inflate_is(hello, strlen(hello), 1 << 20, GZIP_INVALID, &out, &n, "plain JSON");
	z = deflate_as(hello, strlen(hello), MAX_WBITS, &zlen);
	inflate_is(z, zlen, 1 << 20, GZIP_INVALID, &out, &n, "a zlib (RFC 1950) stream");
	free(z);
	z = deflate_as(hello, strlen(hello), -MAX_WBITS, &zlen);
	inflate_is(z, zlen, 1 << 20, GZIP_INVALID, &out, &n, "a raw deflate (RFC 1951) stream");
	free(z);
	{
		unsigned char junk[4096];
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (unsigned char)(i * 131 + 7);
		junk[0] = 0x1f;
		junk[1] = 0x8b;
		junk[2] = 8;
		junk[3] = 0;
		inflate_is(junk, sizeof(junk), 1 << 20, GZIP_INVALID, &out, &n, "a gzip header over random bytes");
	}
	return tap_done();
}
