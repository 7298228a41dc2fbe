/* dispatch: a request's way from FastCGI params to a handler and back. */
#ifndef TALLY_DISPATCH_H
#define TALLY_DISPATCH_H

#include "http.h"

/*
 * Validates the path and query, routes, reads and parses the body, checks
 * the credential and the project headers, runs the handler. Always answers.
 */
void dispatch(struct http_req *req);

/* Checks an API key and fills req->auth; on failure the 401/503 is sent and -1 returned. */
int dispatch_auth_key(struct http_req *req, const char *key);

#endif
