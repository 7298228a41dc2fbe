/*
 * fuzz_query: libFuzzer target for the request line: the first byte picks
 * the method, the rest is "path?query". Runs query_parse, query_decode and
 * router_match over a table shaped like the worker's, and aborts when a
 * result breaks the contract of query.h / router.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct route table[] = {
	{ "GET", "/api/health", NULL, ROUTE_PUBLIC },
	{ "POST", "/api/v1/events", NULL, ROUTE_WRITE },
	{ "GET", "/api/v1/events", NULL, ROUTE_READ },
	{ "POST", "/api/v1/batch", NULL, ROUTE_WRITE },
	{ "GET", "/api/v1/users/{id}", NULL, ROUTE_READ },
	{ "DELETE", "/api/v1/users/{id}", NULL, ROUTE_READ },
	{ "GET", "/api/v1/projects/{slug}/keys/{id}", NULL, ROUTE_READ },
	{ "DELETE", "/api/v1/projects/{slug}/keys/{id}", NULL, ROUTE_READ },
	{ "PATCH", "/api/v1/projects/{slug}", NULL, ROUTE_READ },
};

static void
check_query(const char *qs)
{
	struct query q;
	enum query_err e = query_parse(&q, qs);

	if (e != QUERY_OK) {
		if (q.n != 0 || q.storage != NULL)
			abort();
		if (e == QUERY_NUL && strstr(qs, "%00") == NULL)
			abort();
		return;
	}
	if (q.n > QUERY_MAX_PARAMS)
		abort();
	for (size_t i = 0; i < q.n; i++) {
		if (strlen(q.params[i].key) > strlen(qs) || strlen(q.params[i].value) > strlen(qs))
			abort();
		if (query_get(&q, q.params[i].key) == NULL || query_count(&q, q.params[i].key) == 0)
			abort();
	}
	query_free(&q);
}

/* Whether allow ("GET, DELETE") lists method as a whole item. */
static int
allows(const char *allow, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = allow; *p; ) {
		size_t k = strcspn(p, ",");
		if (k == n && strncmp(p, method, n) == 0)
			return 1;
		p += k;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

static void
check_route(const char *method, const char *path)
{
	const struct route *r;
	char caps[HTTP_MAX_CAPTURES][256], allow[128];
	enum route_match m = router_match(table, sizeof(table) / sizeof(table[0]), method, path,
	    &r, caps, allow, sizeof(allow));

	switch (m) {
	case ROUTE_FOUND: {
		size_t ncap = 0;
		if (r == NULL || strcmp(r->method, method) != 0)
			abort();
		for (const char *p = r->pattern; *p; p++)
			ncap += *p == '{';
		for (size_t k = 0; k < ncap; k++)
			if (memchr(caps[k], '\0', 256) == NULL || caps[k][0] == '\0' ||
			    strchr(caps[k], '/') != NULL)
				abort();
		break;
	}
	case ROUTE_BAD_METHOD:
		/* every method fits in 128 bytes here, so the list is complete */
		if (r != NULL || allow[0] == '\0' || allow[0] == ',' || allows(allow, method))
			abort();
		break;
	case ROUTE_NOT_FOUND:
		if (r != NULL || allow[0] != '\0')
			abort();
		break;
	default:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "DELETE", "PATCH", "PUT", "" };
	const char *method;
	char *buf, *qs, *dec;
	long n;

	if (size == 0 || size > 65536)
		return 0;
	method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';       /* the params are C strings: stop at a NUL */

	/* the decoder on the raw bytes, both modes */
	if ((dec = malloc(size)) != NULL) {
		for (int plus = 0; plus <= 1; plus++) {
			n = query_decode(dec, (const char *)data + 1, size - 1, plus);
			if (n > (long)(size - 1) || (n >= 0 && (dec[n] != '\0' || strlen(dec) != (size_t)n)))
				abort();
		}
		free(dec);
	}

	if ((qs = strchr(buf, '?')) != NULL)
		*qs++ = '\0';
	check_route(method, buf);
	check_query(qs ? qs : "");
	free(buf);
	return 0;
}
