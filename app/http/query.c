#include "query.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

long
query_decode(char *dst, const char *src, size_t len, int plus_is_space)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)src[i];
		if (c == '%') {
			int h, l;
			if (i + 2 >= len)
				return -1;
			h = util_hexval((unsigned char)src[i + 1]);
			l = util_hexval((unsigned char)src[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h * 16 + l;
			i += 2;
		} else if (c == '+' && plus_is_space)
			c = ' ';
		if (c == 0)
			return -1;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return (long)o;
}

enum query_err
query_parse(struct query *q, const char *qs)
{
	size_t len;
	char *out;
	const char *p, *end;

	memset(q, 0, sizeof(*q));
	if (qs == NULL || *qs == '\0')
		return QUERY_OK;
	len = strlen(qs);
	/* decoded text never grows; +2 per pair for the two NULs */
	if ((q->storage = malloc(len + 2 * (len + 1))) == NULL)
		return QUERY_NOMEM;
	out = q->storage;
	p = qs;
	end = qs + len;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pe - p));
		const char *ke = eq ? eq : pe;
		long n;

		if (pe == p) {          /* empty pair: "a=1&&b=2" */
			p = pe + 1;
			continue;
		}
		if (q->n == QUERY_MAX_PARAMS) {
			query_free(q);
			return QUERY_TOO_MANY;
		}
		q->params[q->n].key = out;
		if ((n = query_decode(out, p, (size_t)(ke - p), 1)) < 0)
			goto bad;
		out += n + 1;
		q->params[q->n].value = out;
		if (eq) {
			if ((n = query_decode(out, eq + 1, (size_t)(pe - eq - 1), 1)) < 0)
				goto bad;
		} else {
			*out = '\0';
			n = 0;
		}
		out += n + 1;
		q->n++;
		p = pe + 1;
	}
	return QUERY_OK;
bad:
	{
		/* tell a NUL from a malformed escape for the error message */
		enum query_err e = strstr(qs, "%00") ? QUERY_NUL : QUERY_BAD_ESCAPE;
		query_free(q);
		return e;
	}
}

void
query_free(struct query *q)
{
	free(q->storage);
	memset(q, 0, sizeof(*q));
}

const char *
query_get(const struct query *q, const char *key)
{
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->params[i].key, key) == 0)
			return q->params[i].value;
	return NULL;
}

size_t
query_count(const struct query *q, const char *key)
{
	size_t c = 0;
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->params[i].key, key) == 0)
			c++;
	return c;
}

const char *
query_strerror(enum query_err e)
{
	switch (e) {
	case QUERY_OK: return "ok";
	case QUERY_BAD_ESCAPE: return "malformed percent-escape in the query string";
	case QUERY_NUL: return "%00 is not allowed in the query string";
	case QUERY_TOO_MANY: return "too many query parameters";
	case QUERY_NOMEM: return "out of memory";
	}
	return "unknown";
}
