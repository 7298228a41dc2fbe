#include "gzip.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

enum gzip_result
gzip_inflate(const char *in, size_t in_len, size_t limit, char **out, size_t *out_len)
{
	z_stream zs;
	char *buf = NULL;
	size_t cap = in_len * 4 + 1024;
	enum gzip_result res = GZIP_INVALID;
	int zr;

	*out = NULL;
	*out_len = 0;
	if (cap > limit + 1)
		cap = limit + 1;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)    /* 16: gzip wrapper only */
		return GZIP_NOMEM;
	if ((buf = malloc(cap + 1)) == NULL) {
		res = GZIP_NOMEM;
		goto out;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)in_len;
	for (;;) {
		zs.next_out = (Bytef *)buf + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			break;
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			goto out;
		if (zs.avail_out == 0) {
			char *p;
			if (zs.total_out > limit) {
				res = GZIP_TOO_LARGE;
				goto out;
			}
			cap = cap * 2 > limit + 1 ? limit + 1 : cap * 2;
			if ((p = realloc(buf, cap + 1)) == NULL) {
				res = GZIP_NOMEM;
				goto out;
			}
			buf = p;
		} else if (zs.avail_in == 0)
			goto out;       /* truncated stream */
	}
	if (zs.total_out > limit) {
		res = GZIP_TOO_LARGE;
		goto out;
	}
	if (zs.avail_in != 0)
		goto out;           /* trailing garbage */
	buf[zs.total_out] = '\0';
	*out = buf;
	*out_len = zs.total_out;
	buf = NULL;
	res = GZIP_OK;
out:
	free(buf);
	inflateEnd(&zs);
	return res;
}
