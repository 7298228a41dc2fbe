/* gzip: request bodies sent with Content-Encoding: gzip (zlib). */
#ifndef TALLY_GZIP_H
#define TALLY_GZIP_H

#include <stddef.h>

enum gzip_result { GZIP_OK, GZIP_INVALID, GZIP_TOO_LARGE, GZIP_NOMEM };

/*
 * Inflates a gzip stream into a new NUL-terminated buffer (*out, caller
 * frees). Stops with GZIP_TOO_LARGE as soon as the output would pass `limit`,
 * so a small bomb cannot take memory. Trailing bytes after the stream are
 * GZIP_INVALID.
 */
enum gzip_result gzip_inflate(const char *in, size_t in_len, size_t limit,
    char **out, size_t *out_len);

#endif
