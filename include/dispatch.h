/* dispatch: a request's way from FastCGI params to a handler and back. */
#ifndef TALLY_DISPATCH_H
#define TALLY_DISPATCH_H

#include "http.h"

/*
 * Validates the path and query, routes, reads and parses the body, checks
 * the credential and the project headers, runs the handler. Always answers.
 */
void dispatch(struct http_req *req);

/* ---- credentials.c: on failure each sends the 4xx/503 and returns -1 ---- */

/* Checks an API key and fills req->auth. */
int dispatch_auth_key(struct http_req *req, const char *key);
/* Checks a JWT (SPEC §3) and fills the caller part of req->auth (no project yet). */
int dispatch_auth_jwt(struct http_req *req, const char *token);
/*
 * A JWT caller's project: the one of that slug, where its role (membership,
 * or an external token's claims) must be at least min_role. Fills req->auth.
 */
int dispatch_jwt_project(struct http_req *req, const char *slug, int min_role);

/* ---- rate_limit.c ---- */

/* Counts the request against its limits and adds the X-RateLimit-* headers; -1 when the 429 is sent. */
int dispatch_rate_limit(struct http_req *req);

#endif
