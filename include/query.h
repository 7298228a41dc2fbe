/* query: application/x-www-form-urlencoded query strings (RFC 3986 §3.4). */
#ifndef TALLY_QUERY_H
#define TALLY_QUERY_H

#include <stddef.h>

#define QUERY_MAX_PARAMS 64

struct query_param {
	char *key, *value;      /* decoded, NUL-terminated, never contain NUL */
};

struct query {
	struct query_param params[QUERY_MAX_PARAMS];
	size_t n;
	char *storage;          /* one allocation holds every decoded string */
};

enum query_err { QUERY_OK = 0, QUERY_BAD_ESCAPE, QUERY_NUL, QUERY_TOO_MANY, QUERY_NOMEM };

/*
 * Parses `qs` (may be NULL or empty). Repeated keys are kept in order; `+` is a
 * space; a bad %-escape or an escaped NUL fails the whole string, as SPEC §7
 * refuses %00 anywhere. On error *q is empty and needs no query_free.
 */
enum query_err query_parse(struct query *q, const char *qs);
void query_free(struct query *q);

/* First value of key, or NULL. Borrowed until query_free. */
const char *query_get(const struct query *q, const char *key);
/* How many times key appears. */
size_t query_count(const struct query *q, const char *key);

/*
 * Percent-decodes src[0..len) into dst (room for len + 1). Returns the decoded
 * length, or -1 on a bad escape or a decoded NUL. `plus_is_space` for queries.
 */
long query_decode(char *dst, const char *src, size_t len, int plus_is_space);

const char *query_strerror(enum query_err e);

#endif
