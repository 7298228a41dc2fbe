/* http: one FastCGI request in, one JSON response out. */
#ifndef TALLY_HTTP_H
#define TALLY_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "auth.h"
#include "cfg.h"
#include "jwt_verify.h"
#include "query.h"

struct store;
struct route;
struct jwt_keyring;

#define HTTP_MAX_CAPTURES 4
#define HTTP_MAX_HEADERS 8

struct http_req {
	FCGX_Request *fcgi;
	const struct cfg *cfg;
	struct store *store;
	const struct jwt_keyring *jwt;  /* the token keys (set by the worker; NULL: tokens refused) */

	/* FastCGI params: borrowed until FCGX_Finish_r */
	const char *method;
	const char *path;               /* $uri after nginx rewrites */
	const char *request_id;
	const char *remote_addr;
	const char *content_type;
	const char *content_encoding;
	int64_t content_length;

	struct query query;
	char *captures[HTTP_MAX_CAPTURES];  /* decoded {param} segments, owned */
	const struct route *route;

	char *body;                     /* NUL-terminated, owned */
	size_t body_len;
	json_object *json;              /* parsed body, owned (NULL for a protobuf body) */
	int protobuf;                   /* the body is application/x-protobuf (OTLP routes) */

	struct auth_ctx auth;
	struct jwt_claims jwt_claims;   /* an identity provider's token: its claims */
	int64_t received_ms;
	int64_t start_us;

	/* response state */
	int status;
	char headers[HTTP_MAX_HEADERS][160];
	size_t nheaders;
	int64_t accepted, duplicates, rejected;    /* for the access log */
};

/* Fills req from the FastCGI params. Never fails: missing params are "". */
void http_req_init(struct http_req *req, FCGX_Request *fcgi,
    const struct cfg *cfg, struct store *store);
/* Frees everything the request owns. */
void http_req_free(struct http_req *req);

/* A request header by its CGI name ("HTTP_X_API_KEY"), or NULL. */
const char *http_param(const struct http_req *req, const char *name);

/*
 * Reads the body (CONTENT_LENGTH bytes, refused above `limit` before any
 * allocation) and gunzips it when Content-Encoding says gzip. On failure the
 * error response is already sent and -1 is returned.
 */
int http_read_body(struct http_req *req, size_t limit);

/* Adds "Name: value" to the next response. */
void http_add_header(struct http_req *req, const char *name, const char *value);

/* Sends status + len bytes of data as content_type. */
void http_send(struct http_req *req, int status, const char *content_type, const void *data, size_t len);

/*
 * A streamed response: http_stream_begin sends the status and headers (no
 * Content-Length: nginx relays the body chunked), then http_stream_write
 * sends the body piece by piece as it is made; libfcgi passes each full
 * buffer on at once. http_stream_write returns -1 when the client is gone.
 */
void http_stream_begin(struct http_req *req, int status, const char *content_type);
int http_stream_write(struct http_req *req, const void *data, size_t len);

/* Sends status + body (borrowed). */
void http_send_json(struct http_req *req, int status, json_object *body);

/*
 * Sends the SPEC §8 error body {"error","message","status","request_id",
 * "details"}. details is consumed (may be NULL).
 */
void http_send_error(struct http_req *req, int status, const char *code,
    const char *message, json_object *details);

/* Standard reason text for the status line. */
const char *http_reason(int status);

#endif
