#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handlers.h"
#include "json_strict.h"
#include "log.h"
#include "store.h"
#include "stream.h"
#include "util.h"

/* The media type of a Content-Type (parameters aside) is `type`; "" matches "". */
static int
media_type_is(const char *ct, const char *type)
{
	size_t n = strcspn(ct, ";");
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	return n == strlen(type) && strncasecmp(ct, type, n) == 0;
}

/* application/json, text/plain (beacons avoid a preflight with it), or none. */
static int
json_content_type(const char *ct)
{
	return media_type_is(ct, "") || media_type_is(ct, "application/json") ||
	    media_type_is(ct, "text/plain");
}

/* The project named by X-Project-Id / X-Tenant-Id / ?project= must be the credential's (SPEC §3). */
static int
project_header_ok(struct http_req *req)
{
	static const char *const names[] = { "HTTP_X_PROJECT_ID", "HTTP_X_TENANT_ID" };
	char idtext[24];

	snprintf(idtext, sizeof(idtext), "%lld", (long long)req->auth.project_id);
	for (size_t i = 0; i < 3; i++) {
		const char *v = i < 2 ? http_param(req, names[i]) : query_get(&req->query, "project");
		if (v == NULL || *v == '\0')
			continue;
		if (strcmp(v, req->auth.project_slug) != 0 && strcmp(v, idtext) != 0)
			return 0;
	}
	return 1;
}

/* Route on the raw path when nginx did not rewrite it, so "%2F" stays in its segment. */
static const char *
routing_path(struct http_req *req, char *buf, size_t bufsz, int *raw)
{
	const char *uri = http_param(req, "REQUEST_URI");
	size_t n;

	*raw = 0;
	if (uri == NULL || (n = strcspn(uri, "?")) >= bufsz)
		return req->path;
	memcpy(buf, uri, n);
	buf[n] = '\0';
	{
		char decoded[4096];
		if (n < sizeof(decoded) && query_decode(decoded, buf, n, 0) >= 0 &&
		    strcmp(decoded, req->path) == 0) {
			*raw = 1;
			return buf;
		}
	}
	return req->path;
}

/* The project a JWT caller names for a read: X-Project-Id, else ?project=. */
static const char *
named_project(const struct http_req *req)
{
	const char *v = http_param(req, "HTTP_X_PROJECT_ID");
	return v != NULL && *v != '\0' ? v : query_get(&req->query, "project");
}

/*
 * A browser sends Origin; a project with allowed_origins takes its keys only
 * from those pages. The list holds origins without quotes or backslashes
 * (projects.c), so a quoted search in its JSON text is exact.
 */
static int
origin_ok(const struct http_req *req)
{
	const char *origin = http_param(req, "HTTP_ORIGIN");
	char quoted[260];

	if (origin == NULL || *origin == '\0' || strcmp(req->auth.allowed_origins, "[]") == 0 ||
	    req->auth.allowed_origins[0] == '\0')
		return 1;
	if (strlen(origin) > 250 || strpbrk(origin, "\"\\") != NULL)
		return 0;
	snprintf(quoted, sizeof(quoted), "\"%s\"", origin);
	return strstr(req->auth.allowed_origins, quoted) != NULL;
}

static int
forbidden(struct http_req *req, const char *msg)
{
	http_send_error(req, 403, "forbidden", msg, NULL);
	return -1;
}

/* Whether this credential may use this route, and for a JWT, the project it acts on. */
static int
allowed(struct http_req *req, const struct route *route)
{
	int role = route->role;

	switch (route->auth) {
	case ROUTE_PUBLIC:
	case ROUTE_GUEST:
		return 0;
	case ROUTE_WRITE:
		if (req->auth.jwt)
			return forbidden(req, "sending data needs an API key, not a login token");
		break;
	case ROUTE_READ:
		if (req->auth.jwt) {
			if (dispatch_jwt_project(req, named_project(req), role) != 0)
				return -1;
			break;      /* every other project name must agree with it */
		}
		if (req->auth.kind != KEY_SECRET)
			return forbidden(req, "an ingest key can only write events; reading needs a secret key");
		break;
	case ROUTE_ACCOUNT:
		if (!req->auth.jwt)
			return forbidden(req, "the control plane needs a login token (JWT), not an API key");
		return 0;
	case ROUTE_CONTROL:
		if (!req->auth.jwt)
			return forbidden(req, "the control plane needs a login token (JWT), not an API key");
		if (dispatch_jwt_project(req, req->captures[0], role) != 0)
			return -1;
		break;
	}
	if (!project_header_ok(req))
		return forbidden(req, "X-Project-Id, X-Tenant-Id or ?project= names another project than the credential's");
	if (!req->auth.jwt && !origin_ok(req))
		return forbidden(req, "this project's keys are not accepted from this page's origin (allowed_origins)");
	return 0;
}

static void
run(struct http_req *req)
{
	const char *uri = http_param(req, "REQUEST_URI");
	char path_buf[4096], captures[HTTP_MAX_CAPTURES][256], allow[64], key[JWT_MAX_TOKEN + 1];
	const char *path;
	const struct route *route;
	enum query_err qe;
	int raw;

	if (uri && strstr(uri, "%00") != NULL) {
		http_send_error(req, 400, "bad_request", "%00 is not allowed in the path or query", NULL);
		return;
	}
	if ((qe = query_parse(&req->query, http_param(req, "QUERY_STRING"))) != QUERY_OK) {
		http_send_error(req, 400, "bad_request", query_strerror(qe), NULL);
		return;
	}
	path = routing_path(req, path_buf, sizeof(path_buf), &raw);
	switch (router_match(routes, routes_count, req->method, path, &route, captures,
	    allow, sizeof(allow))) {
	case ROUTE_NOT_FOUND:
		http_send_error(req, 404, "not_found", "no such endpoint", NULL);
		return;
	case ROUTE_BAD_METHOD:
		http_add_header(req, "Allow", allow);
		http_send_error(req, 405, "method_not_allowed", "method not allowed on this endpoint", NULL);
		return;
	case ROUTE_FOUND:
		break;
	}
	req->route = route;
	for (int i = 0; i < HTTP_MAX_CAPTURES && strchr(route->pattern, '{'); i++) {
		size_t n = strlen(captures[i]);
		if (n == 0)
			break;
		if ((req->captures[i] = malloc(n + 1)) == NULL ||
		    (raw ? query_decode(req->captures[i], captures[i], n, 0)
		         : (long)util_strlcpy(req->captures[i], captures[i], n + 1)) < 0) {
			http_send_error(req, 400, "bad_request", "malformed percent-escape in the path", NULL);
			return;
		}
	}

	if (route->auth != ROUTE_PUBLIC && route->auth != ROUTE_GUEST) {
		enum auth_source src = auth_header_key(req, key, sizeof(key));
		const char *qt;

		/* EventSource sends no headers: a stream route takes ?token= (never logged) */
		if (src == AUTH_NONE && route->token_in_query &&
		    (qt = query_get(&req->query, "token")) != NULL && *qt != '\0')
			src = util_strlcpy(key, qt, sizeof(key)) < sizeof(key) ? AUTH_FOUND : AUTH_MALFORMED;
		switch (src) {
		case AUTH_MALFORMED:
			http_add_header(req, "WWW-Authenticate", "Bearer realm=\"tally\"");
			http_send_error(req, 401, "invalid_credentials", "the credential is malformed or too long", NULL);
			return;
		case AUTH_FOUND:
			/* an API key has no dot; a JWT is three dotted segments */
			if ((strchr(key, '.') == NULL ? dispatch_auth_key(req, key)
			    : dispatch_auth_jwt(req, key)) != 0)
				return;
			break;
		case AUTH_NONE:
			break;
		}
	}

	if (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0 ||
	    strcmp(req->method, "PATCH") == 0) {
		char err[256];
		int otlp = route->body == BODY_OTLP;
		req->protobuf = otlp && media_type_is(req->content_type, "application/x-protobuf");
		if (!json_content_type(req->content_type) && !req->protobuf) {
			http_send_error(req, 415, "unsupported_media_type", otlp
			    ? "send the body as application/json or application/x-protobuf"
			    : "send the body as application/json (or text/plain holding JSON)", NULL);
			return;
		}
		if (http_read_body(req, (size_t)(otlp ? req->cfg->max_otlp_bytes : req->cfg->max_body_bytes)) != 0)
			return;
		if (!req->protobuf && json_parse_strict(req->body, req->body_len, JSON_MAX_DEPTH, &req->json,
		    err, sizeof(err)) != 0) {
			http_send_error(req, 400, "invalid_json", err, NULL);
			return;
		}
	}

	if (route->auth != ROUTE_PUBLIC && route->auth != ROUTE_GUEST &&
	    req->auth.project_id == 0 && !req->auth.jwt) {
		/* Segment browser beacons carry the key as writeKey in the body */
		json_object *wk;
		const char *body_key = NULL;
		if (route->auth == ROUTE_WRITE && json_object_is_type(req->json, json_type_object) &&
		    (json_object_object_get_ex(req->json, "writeKey", &wk) ||
		     json_object_object_get_ex(req->json, "write_key", &wk)))
			body_key = json_str(wk);
		if (body_key == NULL) {
			http_add_header(req, "WWW-Authenticate", "Bearer realm=\"tally\"");
			http_send_error(req, 401, "missing_credentials", route->auth == ROUTE_WRITE
			    ? "send an API key: Authorization: Bearer <key>, X-API-Key, Basic, or writeKey"
			    : route->auth == ROUTE_READ
			    ? "send a secret key (Authorization: Bearer <key>) or a login token"
			    : "send a login token: Authorization: Bearer <JWT> (POST /api/v1/auth/login)", NULL);
			return;
		}
		if (dispatch_auth_key(req, body_key) != 0)
			return;
	}
	if (allowed(req, route) != 0)
		return;
	if (dispatch_rate_limit(req) != 0)
		return;
	explicit_bzero(key, sizeof(key));
	route->handler(req);
	/* committed data: the realtime publisher sends the project's update (docs/realtime.md) */
	if (route->auth == ROUTE_WRITE && req->accepted > 0 && req->status < 300)
		stream_mark_changed(req->auth.project_id, util_now_ms());
}

void
dispatch(struct http_req *req)
{
	struct log_request lr;

	run(req);
	if (req->status == 0)
		http_send_error(req, 500, "internal", "the handler sent no response", NULL);
	memset(&lr, 0, sizeof(lr));
	lr.request_id = req->request_id;
	lr.method = req->method;
	lr.route = req->route ? req->route->pattern : req->path;
	lr.project_id = req->auth.project_id;
	lr.status = req->status;
	lr.duration_us = util_mono_us() - req->start_us;
	lr.accepted = req->accepted;
	lr.duplicates = req->duplicates;
	lr.rejected = req->rejected;
	log_request_line(&lr);
}
