/*
 * insights: GET /api/v1/insights (the stored insights, newest first) and
 * POST /api/v1/insights/generate (one generation for the key's project,
 * SPEC §5.3). Both need the secret key: generating writes, but it is the
 * project owner's act, not a tracker's.
 */
#include <stdio.h>
#include <string.h>

#include "handler_util.h"
#include "handlers.h"
#include "insights.h"
#include "store.h"
#include "timestamp.h"
#include "util.h"

#define LIST_DEFAULT 50
#define LIST_MAX 1000
#define DAY_MS 86400000LL

static json_object *
insight_json(const struct insight *in)
{
	json_object *o = json_object_new_object(), *data = handler_json_text(in->data);

	json_object_object_add(o, "id", json_object_new_int64(in->id));
	json_object_object_add(o, "kind", json_object_new_string(in->kind));
	json_object_object_add(o, "subject", json_object_new_string(in->subject));
	json_object_object_add(o, "title", json_object_new_string(in->title));
	json_object_object_add(o, "periodStart", handler_time(in->period_start_ms));
	json_object_object_add(o, "periodEnd", handler_time(in->period_end_ms));
	json_object_object_add(o, "createdAt", handler_time(in->created_ms));
	json_object_object_add(o, "data", data ? data : json_object_new_object());
	return o;
}

/* ---- list ---- */

/* The cursor is "CREATED_ID" (decimal): the last row's (created_at, id). Opaque to clients. */
static int
cursor_decode(const char *c, int64_t *created, int64_t *id)
{
	const char *sep = strchr(c, '_');
	char head[24];

	if (sep == NULL || (size_t)(sep - c) >= sizeof(head))
		return -1;
	memcpy(head, c, (size_t)(sep - c));
	head[sep - c] = '\0';
	return util_parse_i64(head, 0, INT64_MAX, created) == 0 &&
	    util_parse_i64(sep + 1, 1, INT64_MAX, id) == 0 ? 0 : -1;
}

struct list_ctx {
	json_object *data;
	int limit, rows, more;
	int64_t last_created, last_id;
};

static int
list_row(void *arg, const struct insight *in)
{
	struct list_ctx *ctx = arg;

	if (ctx->rows == ctx->limit) {      /* the extra row: there is a next page */
		ctx->more = 1;
		return 1;
	}
	json_object_array_add(ctx->data, insight_json(in));
	ctx->rows++;
	ctx->last_created = in->created_ms;
	ctx->last_id = in->id;
	return 0;
}

void
handle_insights_list(struct http_req *req)
{
	struct insight_filter f;
	struct list_ctx ctx;
	const char *v;
	json_object *o;
	int64_t limit;
	char cursor[48];

	memset(&f, 0, sizeof(f));
	f.kind = query_get(&req->query, "kind");
	if (f.kind != NULL && !insights_kind_valid(f.kind)) {
		http_send_error(req, 400, "bad_request", "'kind' must be summary, trend or anomaly", NULL);
		return;
	}
	if (handler_query_int(req, "limit", 1, LIST_MAX, LIST_DEFAULT, &limit) != 0 ||
	    handler_query_time(req, "from", &f.from_ms) < 0 || handler_query_time(req, "to", &f.to_ms) < 0)
		return;
	if ((v = query_get(&req->query, "cursor")) != NULL) {
		if (cursor_decode(v, &f.cursor_created, &f.cursor_id) != 0) {
			http_send_error(req, 400, "bad_request",
			    "'cursor' is malformed: pass next_cursor back unchanged", NULL);
			return;
		}
		f.has_cursor = 1;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.limit = (int)limit;
	ctx.data = json_object_new_array();
	f.limit = ctx.limit + 1;    /* one more row tells whether a next page exists */
	if (store_insights_list(req->store, req->auth.project_id, &f, list_row, &ctx) != 0) {
		json_object_put(ctx.data);
		handler_unavailable(req);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "data", ctx.data);
	if (ctx.more) {
		snprintf(cursor, sizeof(cursor), "%lld_%lld", (long long)ctx.last_created,
		    (long long)ctx.last_id);
		json_object_object_add(o, "next_cursor", json_object_new_string(cursor));
	} else
		json_object_object_add(o, "next_cursor", NULL);
	http_send_json(req, 200, o);
	json_object_put(o);
}

/* ---- generate ---- */

/*
 * The body: {} or {"now": ISO 8601 | epoch ms}, the clock to generate for
 * (reproducible runs, back-filling). Between 2000-01-01 and a day past the
 * receive time, the window event times may have.
 */
static int
parse_now(struct http_req *req, int64_t *now)
{
	json_object *v = NULL;

	*now = req->received_ms;
	if (!json_object_is_type(req->json, json_type_object))
		return handler_bad_field(req, "", "the body must be a JSON object: {} or {\"now\": time}");
	json_object_object_foreach(req->json, key, val) {
		if (strcmp(key, "now") != 0)
			return handler_bad_field(req, key, "unknown field: the body takes only 'now'");
		v = val;
	}
	if (v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		*now = json_object_get_int64(v);
		if (*now < TS_MIN_MS || *now > req->received_ms + DAY_MS)
			return handler_bad_field(req, "now", "'now' must lie between 2000-01-01 and a day from now");
		return 0;
	}
	if (!json_object_is_type(v, json_type_string) || ts_parse_iso(json_object_get_string(v), now) != 0)
		return handler_bad_field(req, "now", "'now' must be an ISO 8601 time or epoch milliseconds");
	if (*now < TS_MIN_MS || *now > req->received_ms + DAY_MS)
		return handler_bad_field(req, "now", "'now' must lie between 2000-01-01 and a day from now");
	return 0;
}

void
handle_insights_generate(struct http_req *req)
{
	struct insights_run run;
	json_object *o, *data;
	int64_t now;

	if (parse_now(req, &now) != 0)
		return;
	if (insights_generate(req->store, req->auth.project_id, now, &run) != 0) {
		handler_unavailable(req);
		return;
	}
	data = json_object_new_array();
	for (size_t i = 0; i < run.n; i++)
		json_object_array_add(data, insight_json(&run.rows[i]));
	o = json_object_new_object();
	json_object_object_add(o, "data", data);
	json_object_object_add(o, "generated", json_object_new_int64((int64_t)run.n));
	json_object_object_add(o, "now", handler_time(now));
	insights_run_free(&run);
	http_send_json(req, 200, o);
	json_object_put(o);
}
