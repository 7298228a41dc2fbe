/*
 * rate_limit: the SPEC §7 limits of a request, counted in the store's
 * shared counters (docs/rate-limits.md). An API key is limited per key, an
 * ingest key also per key and client address, and every caller of a project
 * together per project; a login token per account (or external subject);
 * signup and login per client address. A project's own settings win over
 * tally.conf; 0 is no limit.
 */
#include "dispatch.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "router.h"
#include "store.h"
#include "util.h"

/* The scope id: a 64-bit hash of its parts, NUL-separated so no two spellings meet. */
static uint64_t
scope_id(const char *what, int64_t id, const char *text)
{
	char buf[400];
	int n = snprintf(buf, sizeof(buf), "%s%c%" PRId64 "%c%s", what, 0, id, 0, text ? text : "");
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	return (uint64_t)util_hash64(buf, (size_t)n);
}

static int64_t
setting(int64_t project_value, int64_t server_value)
{
	return project_value >= 0 ? project_value : server_value;
}

/* The scopes of this request into s[]; how many. */
static size_t
request_scopes(const struct http_req *req, struct rate_scope *s)
{
	const struct auth_ctx *a = &req->auth;
	const struct cfg *cfg = req->cfg;
	size_t n = 0;

	if (req->route->auth == ROUTE_PUBLIC)
		return 0;
	if (req->route->auth == ROUTE_GUEST) {
		s[n++] = (struct rate_scope){ scope_id("ip", 0, req->remote_addr),
		    cfg->rate_limit_per_ip_per_min };
		return n;
	}
	if (a->jwt) {
		/* per login and project: each project's limit counts its own requests */
		char who[300];
		snprintf(who, sizeof(who), "%" PRId64 ":%s", a->project_id, a->subject);
		s[n++] = (struct rate_scope){ scope_id("account", a->account_id, who),
		    setting(a->project_id ? a->rate_key : -1, cfg->rate_limit_per_min) };
	}
	else {
		s[n++] = (struct rate_scope){ scope_id("key", a->key_id, NULL),
		    setting(a->rate_key, cfg->rate_limit_per_min) };
		if (a->kind == KEY_INGEST)
			s[n++] = (struct rate_scope){ scope_id("key+ip", a->key_id, req->remote_addr),
			    setting(a->rate_ip, cfg->rate_limit_per_ip_per_min) };
	}
	if (a->project_id != 0)
		s[n++] = (struct rate_scope){ scope_id("project", a->project_id, NULL),
		    setting(a->rate_project, cfg->rate_limit_project_per_min) };
	return n;
}

static void
add_number(struct http_req *req, const char *name, int64_t v)
{
	char text[24];
	snprintf(text, sizeof(text), "%" PRId64, v);
	http_add_header(req, name, text);
}

int
dispatch_rate_limit(struct http_req *req)
{
	struct rate_scope scopes[3];
	struct rate_result r;
	size_t n = request_scopes(req, scopes), limited = 0;

	for (size_t i = 0; i < n; i++)
		limited += scopes[i].limit > 0;
	if (limited == 0)
		return 0;
	if (store_rate_take(req->store, scopes, n, req->received_ms, &r) != 0) {
		/* the counters are a guard, not the data: a request is not lost for them */
		static _Atomic int warned;
		if (!atomic_exchange(&warned, 1))
			log_msg(LOG_WARN, "rate limit counters unavailable: requests go through unlimited "
			    "(docs/rate-limits.md)");
		return 0;
	}
	add_number(req, "X-RateLimit-Limit", r.limit);
	add_number(req, "X-RateLimit-Remaining", r.remaining);
	add_number(req, "X-RateLimit-Reset", r.reset_s);
	if (r.allowed)
		return 0;
	add_number(req, "Retry-After", r.reset_s);
	{
		char msg[160];
		json_object *details = json_object_new_array();
		json_object *d = json_object_new_object();
		snprintf(msg, sizeof(msg), "rate limit of %" PRId64 " requests per minute reached; "
		    "retry in %" PRId64 " s", r.limit, r.reset_s);
		json_object_object_add(d, "limit", json_object_new_int64(r.limit));
		json_object_object_add(d, "retry_after_s", json_object_new_int64(r.reset_s));
		json_object_array_add(details, d);
		http_send_error(req, 429, "rate_limited", msg, details);
	}
	return -1;
}
