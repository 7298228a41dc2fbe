#include "http.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

void
http_add_header(struct http_req *req, const char *name, const char *value)
{
	if (req->nheaders == HTTP_MAX_HEADERS)
		return;
	snprintf(req->headers[req->nheaders++], sizeof(req->headers[0]), "%s: %s", name, value);
}

void
http_send(struct http_req *req, int status, const char *content_type, const void *data, size_t len)
{
	if (req->status != 0)
		return;     /* one response per request */
	http_stream_begin(req, status, content_type);
	FCGX_PutStr(data, (int)len, req->fcgi->out);
}

void
http_stream_begin(struct http_req *req, int status, const char *content_type)
{
	FCGX_Stream *out = req->fcgi->out;

	if (req->status != 0)
		return;     /* one response per request */
	req->status = status;
	FCGX_FPrintF(out, "Status: %d %s\r\nContent-Type: %s\r\n"
	    "Cache-Control: no-store\r\n", status, http_reason(status), content_type);
	if (*req->request_id)
		FCGX_FPrintF(out, "X-Request-Id: %s\r\n", req->request_id);
	for (size_t i = 0; i < req->nheaders; i++)
		FCGX_FPrintF(out, "%s\r\n", req->headers[i]);
	FCGX_PutStr("\r\n", 2, out);
}

int
http_stream_write(struct http_req *req, const void *data, size_t len)
{
	const char *p = data;

	/* FCGX_PutStr takes an int: a piece of 1 GiB at most per call */
	while (len > 0) {
		int n = len > (1u << 30) ? 1 << 30 : (int)len;
		if (FCGX_PutStr(p, n, req->fcgi->out) != n)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void
http_send_json(struct http_req *req, int status, json_object *body)
{
	size_t len = 0;
	const char *s = body ? json_object_to_json_string_length(body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len) : "";
	http_send(req, status, "application/json", s, len);
}

void
http_send_error(struct http_req *req, int status, const char *code,
    const char *message, json_object *details)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "error", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(message));
	json_object_object_add(o, "status", json_object_new_int(status));
	json_object_object_add(o, "request_id", json_object_new_string(req->request_id));
	json_object_object_add(o, "details", details ? details : json_object_new_array());
	http_send_json(req, status, o);
	json_object_put(o);
}
