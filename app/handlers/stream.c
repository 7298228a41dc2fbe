/*
 * stream: GET /api/v1/stream/costs and /api/v1/stream/events (SPEC §9,
 * docs/realtime.md). dispatch has checked the credential (a secret key, or
 * a token with a role in the project; ?token= too, as EventSource cannot
 * send headers); this hands the connection to nginx's Nchan with
 * X-Accel-Redirect to the project's channel, so a subscriber never holds a
 * worker thread. The token stays behind: an internal redirect takes only
 * the arguments of its target.
 */
#include "handlers.h"

#include <stdio.h>
#include <string.h>

#include "jwt_keys.h"
#include "stream.h"
#include "util.h"

/* Nchan's message ids are "<time>:<n>" (multiplexed: with [ ] and ,); anything else is dropped. */
static int
event_id_ok(const char *v)
{
	size_t n = strlen(v);
	return n > 0 && n <= 40 && strspn(v, "0123456789:,[]") == n;
}

static void
stream_redirect(struct http_req *req, int kind)
{
	const char *last = query_get(&req->query, "last_event_id");
	char channel[65], target[160];

	if (req->jwt == NULL || req->jwt->secret_len == 0) {
		http_send_error(req, 503, "unavailable", "the stream keys are not loaded", NULL);
		return;
	}
	stream_channel(req->jwt->secret, req->jwt->secret_len, kind, req->auth.project_id, channel);
	/* EventSource polyfills send the resume point as ?last_event_id=; browsers as Last-Event-ID */
	if (last != NULL && event_id_ok(last))
		snprintf(target, sizeof(target), "/_stream/sub/%s?last_event_id=%s", channel, last);
	else
		snprintf(target, sizeof(target), "/_stream/sub/%s", channel);
	stream_mark_wanted(req->auth.project_id, util_now_ms());
	http_add_header(req, "X-Accel-Redirect", target);
	http_add_header(req, "X-Accel-Buffering", "no");
	http_send(req, 200, "text/plain", "", 0);
}

void
handle_stream_costs(struct http_req *req)
{
	stream_redirect(req, STREAM_COSTS);
}

void
handle_stream_events(struct http_req *req)
{
	stream_redirect(req, STREAM_EVENTS);
}
