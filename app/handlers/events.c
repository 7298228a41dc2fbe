/* events: POST /api/v1/events (native, atomic) and GET /api/v1/events (keyset pages). */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "handler_util.h"
#include "handlers.h"
#include "store.h"
#include "util.h"

#define LIST_DEFAULT 50
#define LIST_MAX 1000

/* Native batches are atomic (SPEC §4.3): one bad message refuses them all. */
void
handle_events_post(struct http_req *req)
{
	struct ingest_batch b;
	json_object *o;

	if (handler_ingest_parse(req, SHAPE_NATIVE, -1, &b) != 0)
		goto out;
	if (b.total == 0) {
		http_send_error(req, 400, "validation_failed", "the batch holds no messages", NULL);
		goto out;
	}
	if (b.nproblems > 0) {
		char msg[96];
		snprintf(msg, sizeof(msg), "%zu of %zu messages are invalid; nothing was stored",
		    b.nproblems, b.total);
		req->rejected = (int64_t)b.nproblems;
		http_send_error(req, 400, "validation_failed", msg, handler_problems(&b));
		goto out;
	}
	if (handler_ingest_store(req, &b) != 0)
		goto out;
	o = json_object_new_object();
	json_object_object_add(o, "accepted", json_object_new_int64(req->accepted));
	json_object_object_add(o, "duplicates", json_object_new_int64(req->duplicates));
	json_object_object_add(o, "request_id", json_object_new_string(req->request_id));
	http_send_json(req, 202, o);
	json_object_put(o);
out:
	ingest_batch_free(&b);
}

/* ---- listing ---- */

/* The cursor is "1" + 32 hex digits: the last row's (ts, id). Opaque to clients. */
static void
cursor_encode(int64_t ts, int64_t id, char out[34])
{
	snprintf(out, 34, "1%016llx%016llx", (unsigned long long)ts, (unsigned long long)id);
}

static int
cursor_decode(const char *c, int64_t *ts, int64_t *id)
{
	unsigned long long a = 0, b = 0;
	if (strlen(c) != 33 || c[0] != '1' || strspn(c + 1, "0123456789abcdef") != 32)
		return -1;
	for (int i = 1; i < 17; i++)
		a = a * 16 + (unsigned)util_hexval(c[i]);
	for (int i = 17; i < 33; i++)
		b = b * 16 + (unsigned)util_hexval(c[i]);
	*ts = (int64_t)a;
	*id = (int64_t)b;
	return *id > 0 ? 0 : -1;
}

struct list_ctx {
	json_object *data;
	int limit, rows;
	int64_t last_ts, last_id;
	int more;
};

static void
add_obj(json_object *o, const char *key, const char *text)
{
	json_object *v = handler_json_text(text);
	if (v != NULL)
		json_object_object_add(o, key, v);
}

json_object *
handler_event_json(const struct event_row *r)
{
	json_object *o = json_object_new_object();

	handler_add_str(o, "messageId", r->ev.message_id);
	json_object_object_add(o, "type", json_object_new_string(event_type_name(r->ev.type)));
	handler_add_str(o, "event", r->ev.event);
	handler_add_str(o, "userId", r->ev.user_id);
	handler_add_str(o, "anonymousId", r->ev.anonymous_id);
	handler_add_str(o, "sessionId", r->ev.session_id);
	json_object_object_add(o, "timestamp", handler_time(r->ev.ts_ms));
	json_object_object_add(o, "receivedAt", handler_time(r->received_ms));
	add_obj(o, "properties", r->ev.properties);
	add_obj(o, "context", r->ev.context);
	add_obj(o, "traits", r->ev.traits);
	handler_add_str(o, "groupId", r->ev.group_id);
	handler_add_str(o, "previousId", r->ev.previous_id);
	handler_add_str(o, "conversationId", r->ev.conversation_id);
	handler_add_str(o, "turnId", r->ev.turn_id);
	handler_add_str(o, "shopId", r->ev.shop_id);
	handler_add_str(o, "requestId", r->request_id);
	return o;
}

static int
list_row(void *arg, const struct event_row *r)
{
	struct list_ctx *ctx = arg;

	if (ctx->rows == ctx->limit) {      /* the extra row: there is a next page */
		ctx->more = 1;
		return 1;
	}
	json_object_array_add(ctx->data, handler_event_json(r));
	ctx->rows++;
	ctx->last_ts = r->ev.ts_ms;
	ctx->last_id = r->id;
	return 0;
}

static int
bad_query(struct http_req *req, const char *msg)
{
	http_send_error(req, 400, "bad_request", msg, NULL);
	return -1;
}

static int
parse_filter(struct http_req *req, struct event_filter *f)
{
	static const struct { const char *name; size_t off; } exact[] = {
		{ "event", offsetof(struct event_filter, event) },
		{ "userId", offsetof(struct event_filter, user_id) },
		{ "anonymousId", offsetof(struct event_filter, anonymous_id) },
		{ "sessionId", offsetof(struct event_filter, session_id) },
		{ "conversationId", offsetof(struct event_filter, conversation_id) },
		{ "shopId", offsetof(struct event_filter, shop_id) },
	};
	const char *v;
	int64_t n;

	memset(f, 0, sizeof(*f));
	f->type = -1;
	f->limit = LIST_DEFAULT;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		*(const char **)((char *)f + exact[i].off) = query_get(&req->query, exact[i].name);
	if ((v = query_get(&req->query, "type")) != NULL && (f->type = event_type_parse(v)) < 0)
		return bad_query(req, "'type' must be one of track, page, screen, identify, group, alias");
	if ((v = query_get(&req->query, "limit")) != NULL) {
		if (util_parse_i64(v, 1, LIST_MAX, &n) != 0)
			return bad_query(req, "'limit' must be an integer from 1 to 1000");
		f->limit = (int)n;
	}
	if ((v = query_get(&req->query, "cursor")) != NULL) {
		if (cursor_decode(v, &f->cursor_ts, &f->cursor_id) != 0)
			return bad_query(req, "'cursor' is malformed: pass next_cursor back unchanged");
		f->has_cursor = 1;
	}
	if (handler_query_time(req, "from", &f->from_ms) < 0 ||
	    handler_query_time(req, "to", &f->to_ms) < 0)
		return -1;
	return 0;
}

void
handle_events_get(struct http_req *req)
{
	struct event_filter f;
	struct list_ctx ctx;
	json_object *o;
	char cursor[34];

	if (parse_filter(req, &f) != 0)
		return;
	memset(&ctx, 0, sizeof(ctx));
	ctx.limit = f.limit;
	ctx.data = json_object_new_array();
	f.limit++;      /* one more row tells whether a next page exists */
	if (store_events_list(req->store, req->auth.project_id, &f, list_row, &ctx) != 0) {
		json_object_put(ctx.data);
		http_send_error(req, 503, "unavailable", "the database is not available", NULL);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "data", ctx.data);
	if (ctx.more) {
		cursor_encode(ctx.last_ts, ctx.last_id, cursor);
		json_object_object_add(o, "next_cursor", json_object_new_string(cursor));
	} else
		json_object_object_add(o, "next_cursor", NULL);
	http_send_json(req, 200, o);
	json_object_put(o);
}
