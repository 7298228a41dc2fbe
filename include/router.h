/* router: a table of (method, path pattern, handler, credential needed). */
#ifndef TALLY_ROUTER_H
#define TALLY_ROUTER_H

#include <stddef.h>

#include "http.h"

enum route_auth {
	ROUTE_PUBLIC,   /* no credential, no limit (health) */
	ROUTE_GUEST,    /* no credential, limited per client address (signup, login) */
	ROUTE_WRITE,    /* ingest or secret key; the key may be writeKey in the body */
	ROUTE_READ,     /* secret key, or a JWT with `role` in the project it names
	                 * (X-Project-Id or ?project=) */
	ROUTE_ACCOUNT,  /* a JWT, no project (me, the project list) */
	ROUTE_CONTROL,  /* a JWT with `role` in the project of the path's {slug} */
};

typedef void (*route_handler)(struct http_req *req);

enum route_body {
	BODY_JSON,      /* application/json or text/plain, max_body_bytes */
	BODY_OTLP,      /* application/json or application/x-protobuf, max_otlp_bytes */
};

struct route {
	const char *method;     /* "GET", "POST", "DELETE" … */
	const char *pattern;    /* "/api/v1/users/{id}": {x} takes one segment */
	route_handler handler;
	enum route_auth auth;
	enum route_body body;
	int role;               /* JWT callers: the least enum role needed (READ and CONTROL routes) */
	int token_in_query;     /* ?token= is a credential too (EventSource routes: no headers) */
};

enum route_match { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/*
 * Finds the route for method + path. On ROUTE_FOUND *out is set and the raw
 * (still percent-encoded) {param} segments are copied, NUL-terminated, into
 * captures (HTTP_MAX_CAPTURES of capture_size bytes). On ROUTE_BAD_METHOD the
 * methods that the path does take are written to allow ("GET, DELETE").
 */
enum route_match router_match(const struct route *table, size_t n,
    const char *method, const char *path, const struct route **out,
    char captures[][256], char *allow, size_t allowlen);

#endif
