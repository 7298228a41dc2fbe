/* test_query: query strings (RFC 3986 §3.4, form encoding) and SPEC §7's %00 rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "tap.h"

/* Parses qs and expects e; on QUERY_OK the caller frees. */
static enum query_err
parse(struct query *q, const char *qs, enum query_err want)
{
	enum query_err e;

	memset(q, 0x5A, sizeof(*q));    /* garbage: query_parse must reset it */
	e = query_parse(q, qs);
	ok(e == want, "parse '%.60s' gives %s", qs ? qs : "(null)", query_strerror(want));
	if (e != want)
		tap_diag("expected '%s' got '%s'", query_strerror(want), query_strerror(e));
	if (e != QUERY_OK)
		ok(q->n == 0 && q->storage == NULL, "after '%.60s' the query is empty", qs ? qs : "(null)");
	return e;
}

static void
decode_is(const char *src, size_t len, int plus, long want_n, const char *want)
{
	char dst[64];
	long n;

	memset(dst, 'Z', sizeof(dst));
	n = query_decode(dst, src, len, plus);
	if (want_n < 0) {
		ok(n == -1, "query_decode '%.*s' (plus=%d) refused", (int)len, src, plus);
		if (n != -1)
			tap_diag("expected -1 got %ld", n);
		return;
	}
	ok(n == want_n && memcmp(dst, want, (size_t)want_n + 1) == 0,
	    "query_decode '%.*s' (plus=%d) = '%s'", (int)len, src, plus, want);
	if (n != want_n)
		tap_diag("expected length %ld got %ld", want_n, n);
}

int
main(void)
{
	struct query q;

	/* query_decode directly */
	decode_is("abc", 3, 1, 3, "abc");
	decode_is("a+b", 3, 1, 3, "a b");
	decode_is("a+b", 3, 0, 3, "a+b");
	decode_is("%41%62", 6, 0, 2, "Ab");
	decode_is("%e2%82%AC", 9, 0, 3, "\xe2\x82\xac");
	decode_is("%2B", 3, 1, 1, "+");
	decode_is("%25", 3, 0, 1, "%");
	decode_is("", 0, 0, 0, "");
	decode_is("%", 1, 0, -1, NULL);
	decode_is("%4", 2, 0, -1, NULL);
	decode_is("%zz", 3, 0, -1, NULL);
	decode_is("%4g", 3, 0, -1, NULL);
	decode_is("%g4", 3, 0, -1, NULL);
	decode_is("%00", 3, 0, -1, NULL);
	decode_is("a%00b", 5, 1, -1, NULL);
	/* len is honoured: "%41" cut after the '%' is a bad escape, not "A" */
	decode_is("ab%41", 3, 0, -1, NULL);
	decode_is("ab%41", 2, 0, 2, "ab");
	decode_is("%2541", 5, 0, 3, "%41");    /* decoded once, not twice */

	/* query_parse */
	parse(&q, NULL, QUERY_OK);
	ok(q.n == 0, "NULL query has no params");
	query_free(&q);
	parse(&q, "", QUERY_OK);
	ok(q.n == 0, "empty query has no params");
	query_free(&q);

	if (parse(&q, "a=1&b=two", QUERY_OK) == QUERY_OK) {
		is_int(q.n, 2, "two params");
		is_str(query_get(&q, "a"), "1", "a = 1");
		is_str(query_get(&q, "b"), "two", "b = two");
		ok(query_get(&q, "c") == NULL, "absent key gives NULL");
		ok(query_get(&q, "A") == NULL, "keys are case-sensitive");
		query_free(&q);
	}
	if (parse(&q, "q=hello+world&r=a%20b%2Bc&k%20y=v%3Dw", QUERY_OK) == QUERY_OK) {
		is_str(query_get(&q, "q"), "hello world", "'+' is a space");
		is_str(query_get(&q, "r"), "a b+c", "%%20 and %%2B");
		is_str(query_get(&q, "k y"), "v=w", "keys are decoded too, %%3D is '='");
		query_free(&q);
	}
	if (parse(&q, "event=a&event=b&x=1&event=c", QUERY_OK) == QUERY_OK) {
		is_int(query_count(&q, "event"), 3, "repeated key counted");
		is_str(query_get(&q, "event"), "a", "query_get gives the first value");
		ok(q.n == 4 && strcmp(q.params[1].value, "b") == 0 && strcmp(q.params[3].value, "c") == 0,
		    "repeated keys kept in order");
		is_int(query_count(&q, "nope"), 0, "count of an absent key");
		query_free(&q);
	}
	if (parse(&q, "a=1&&b=2&", QUERY_OK) == QUERY_OK) {
		is_int(q.n, 2, "empty pairs skipped");
		is_str(query_get(&q, "b"), "2", "pair after an empty pair");
		query_free(&q);
	}
	if (parse(&q, "&&&", QUERY_OK) == QUERY_OK) {
		is_int(q.n, 0, "only separators: no params");
		query_free(&q);
	}
	if (parse(&q, "flag&k=&=v&a==b", QUERY_OK) == QUERY_OK) {
		is_str(query_get(&q, "flag"), "", "key without '=' has an empty value");
		is_str(query_get(&q, "k"), "", "key with '=' and nothing after");
		is_str(query_get(&q, ""), "v", "empty key kept");
		is_str(query_get(&q, "a"), "=b", "only the first '=' splits");
		query_free(&q);
	}
	if (parse(&q, "u=%C3%A9t%C3%A9&raw=\xc3\xa9", QUERY_OK) == QUERY_OK) {
		is_str(query_get(&q, "u"), "\xc3\xa9t\xc3\xa9", "escaped UTF-8");
		is_str(query_get(&q, "raw"), "\xc3\xa9", "raw bytes pass through");
		query_free(&q);
	}
	if (parse(&q, "a=1;b=2", QUERY_OK) == QUERY_OK) {
		is_str(query_get(&q, "a"), "1;b=2", "';' is not a separator");
		query_free(&q);
	}

	/* SPEC §7: %00 anywhere is refused, whatever else the string holds */
	parse(&q, "%00", QUERY_NUL);
	parse(&q, "a=%00", QUERY_NUL);
	parse(&q, "a%00=1", QUERY_NUL);
	parse(&q, "a=1&b=x%00y&c=3", QUERY_NUL);
	parse(&q, "userId=abc%00", QUERY_NUL);
	{
		enum query_err e = query_parse(&q, "a=%2500");
		ok(e == QUERY_OK && strcmp(query_get(&q, "a"), "%00") == 0,
		    "%%2500 is the text '%%00', not a NUL");
		if (e == QUERY_OK)
			query_free(&q);
	}

	/* bad escapes */
	parse(&q, "%", QUERY_BAD_ESCAPE);
	parse(&q, "a=%", QUERY_BAD_ESCAPE);
	parse(&q, "a=%4", QUERY_BAD_ESCAPE);
	parse(&q, "a=%4&b=1", QUERY_BAD_ESCAPE);
	parse(&q, "a=%zz", QUERY_BAD_ESCAPE);
	parse(&q, "a=1&b=2&%x1=3", QUERY_BAD_ESCAPE);
	parse(&q, "limit=10%", QUERY_BAD_ESCAPE);

	/* the cap on parameters */
	{
		char qs[64 * 8 + 32];
		size_t o = 0;
		for (int i = 0; i < QUERY_MAX_PARAMS; i++)
			o += (size_t)snprintf(qs + o, sizeof(qs) - o, "%sk%d=%d", i ? "&" : "", i, i);
		if (parse(&q, qs, QUERY_OK) == QUERY_OK) {
			is_int(q.n, QUERY_MAX_PARAMS, "exactly QUERY_MAX_PARAMS params accepted");
			is_str(query_get(&q, "k63"), "63", "the last one is there");
			query_free(&q);
		}
		snprintf(qs + o, sizeof(qs) - o, "&&");
		if (parse(&q, qs, QUERY_OK) == QUERY_OK)
			query_free(&q);
		snprintf(qs + o, sizeof(qs) - o, "&x=1");
		parse(&q, qs, QUERY_TOO_MANY);
	}

	/* a long value: the storage holds it whole */
	{
		size_t n = 100000;
		char *qs = malloc(n + 3);
		memcpy(qs, "v=", 2);
		memset(qs + 2, 'x', n);
		qs[n + 2] = '\0';
		if (parse(&q, qs, QUERY_OK) == QUERY_OK) {
			is_int(strlen(query_get(&q, "v")), n, "a 100 kB value is kept whole");
			query_free(&q);
		}
		/* every byte escaped: the worst case for the decoder */
		for (size_t i = 2; i + 3 <= n + 2; i += 3)
			memcpy(qs + i, "%41", 3);
		qs[2 + (n / 3) * 3] = '\0';
		if (parse(&q, qs, QUERY_OK) == QUERY_OK) {
			is_int(strlen(query_get(&q, "v")), n / 3, "a value of 33333 escapes decodes");
			query_free(&q);
		}
		free(qs);
	}

	/* query_free is safe on an empty or freed query */
	memset(&q, 0, sizeof(q));
	query_free(&q);
	query_free(&q);
	ok(1, "query_free twice on an empty query");

	for (int e = QUERY_OK; e <= QUERY_NOMEM; e++)
		ok(query_strerror((enum query_err)e) != NULL && *query_strerror((enum query_err)e) != '\0',
		    "query_strerror(%d) has a message", e);
	return tap_done();
}
