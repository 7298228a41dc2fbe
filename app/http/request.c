#include "http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gzip.h"
#include "router.h"
#include "util.h"

static const char *
param_or_empty(FCGX_Request *f, const char *name)
{
	const char *v = FCGX_GetParam(name, f->envp);
	return v ? v : "";
}

void
http_req_init(struct http_req *req, FCGX_Request *fcgi, const struct cfg *cfg,
    struct store *store)
{
	const char *cl;
	int64_t n;

	memset(req, 0, sizeof(*req));
	req->fcgi = fcgi;
	req->cfg = cfg;
	req->store = store;
	req->start_us = util_mono_us();
	req->received_ms = util_now_ms();
	req->method = param_or_empty(fcgi, "REQUEST_METHOD");
	req->path = param_or_empty(fcgi, "DOCUMENT_URI");
	req->request_id = param_or_empty(fcgi, "REQUEST_ID");
	req->remote_addr = param_or_empty(fcgi, "REMOTE_ADDR");
	req->content_type = param_or_empty(fcgi, "CONTENT_TYPE");
	req->content_encoding = param_or_empty(fcgi, "HTTP_CONTENT_ENCODING");
	cl = FCGX_GetParam("CONTENT_LENGTH", fcgi->envp);
	req->content_length = (cl && util_parse_i64(cl, 0, INT64_MAX, &n) == 0) ? n : 0;
	req->status = 0;
}

void
http_req_free(struct http_req *req)
{
	query_free(&req->query);
	for (int i = 0; i < HTTP_MAX_CAPTURES; i++)
		free(req->captures[i]);
	/* signup and login bodies hold a password: gone before the memory is reused */
	if (req->body != NULL && req->route != NULL && req->route->auth == ROUTE_GUEST)
		explicit_bzero(req->body, req->body_len);
	free(req->body);
	json_object_put(req->json);
	req->body = NULL;
	req->json = NULL;
}

const char *
http_param(const struct http_req *req, const char *name)
{
	return FCGX_GetParam(name, req->fcgi->envp);
}

int
http_read_body(struct http_req *req, size_t limit)
{
	size_t want = (size_t)req->content_length, got = 0;
	char *raw;

	if (req->content_length > (int64_t)limit) {
		http_send_error(req, 413, "payload_too_large",
		    "request body exceeds the configured limit", NULL);
		return -1;
	}
	if ((raw = malloc(want + 1)) == NULL) {
		http_send_error(req, 503, "unavailable", "out of memory", NULL);
		return -1;
	}
	while (got < want) {
		int n = FCGX_GetStr(raw + got, (int)(want - got), req->fcgi->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	raw[got] = '\0';
	if (got != want) {
		free(raw);
		http_send_error(req, 400, "bad_request", "request body shorter than Content-Length", NULL);
		return -1;
	}
	if (strcasecmp(req->content_encoding, "gzip") == 0) {
		char *plain = NULL;
		size_t plain_len = 0;
		enum gzip_result g = gzip_inflate(raw, got, limit, &plain, &plain_len);
		free(raw);
		if (g == GZIP_TOO_LARGE) {
			http_send_error(req, 413, "payload_too_large",
			    "decompressed body exceeds the configured limit", NULL);
			return -1;
		}
		if (g != GZIP_OK) {
			http_send_error(req, 400, "invalid_body",
			    "Content-Encoding is gzip but the body is not valid gzip", NULL);
			return -1;
		}
		raw = plain;
		got = plain_len;
	} else if (*req->content_encoding != '\0' &&
	    strcasecmp(req->content_encoding, "identity") != 0) {
		free(raw);
		http_send_error(req, 415, "unsupported_encoding",
		    "only gzip and identity content encodings are accepted", NULL);
		return -1;
	}
	req->body = raw;
	req->body_len = got;
	return 0;
}
