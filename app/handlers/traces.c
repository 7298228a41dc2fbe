/*
 * traces: GET /api/v1/traces (filters, keyset pages), /traces/{id} (the span
 * tree with totals) and /sessions/{id} (traces, events and votes in time
 * order). SPEC §5.2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "handler_util.h"
#include "handlers.h"
#include "store.h"
#include "util.h"

#define LIST_DEFAULT 50
#define LIST_MAX 1000
#define CURSOR_MAX 900

static json_object *
trace_json(const struct trace_row *t)
{
	json_object *o = json_object_new_object();
	handler_add_str(o, "traceId", t->trace_id);
	handler_add_str(o, "name", t->name);
	handler_add_str(o, "sessionId", t->session_id);
	handler_add_str(o, "userId", t->user_id);
	handler_add_str(o, "feature", t->feature);
	handler_add_str(o, "model", t->model);
	json_object_object_add(o, "startTime", handler_time(t->start_ms));
	json_object_object_add(o, "endTime", handler_time(t->end_ms));
	json_object_object_add(o, "latencyMs", json_object_new_int64(t->end_ms - t->start_ms));
	json_object_object_add(o, "spanCount", json_object_new_int64(t->spans));
	json_object_object_add(o, "callCount", json_object_new_int64(t->calls));
	json_object_object_add(o, "inputTokens", json_object_new_int64(t->input_tokens));
	json_object_object_add(o, "outputTokens", json_object_new_int64(t->output_tokens));
	json_object_object_add(o, "cachedTokens", json_object_new_int64(t->cached_tokens));
	json_object_object_add(o, "totalTokens", json_object_new_int64(util_add_sat(t->input_tokens, t->output_tokens)));
	json_object_object_add(o, "cost", handler_usd(t->cost_nusd));
	json_object_object_add(o, "costNusd", json_object_new_int64(t->cost_nusd));
	json_object_object_add(o, "errorCount", json_object_new_int64(t->errors));
	json_object_object_add(o, "status", json_object_new_string(t->errors ? "error" : "ok"));
	if (t->metadata)
		json_object_object_add(o, "metadata", handler_json_text(t->metadata));
	return o;
}

/* ---- list ---- */

/* The cursor is "2" + 16 hex digits of the last start + the hex of its trace id. */
static void
cursor_encode(int64_t ts, const char *trace_id, char *out, size_t outsz)
{
	size_t len = strlen(trace_id);
	snprintf(out, outsz, "2%016llx", (unsigned long long)ts);
	if (17 + 2 * len < outsz)
		util_hex_encode(trace_id, len, out + 17);
}

static int
cursor_decode(const char *c, int64_t *ts, char *id, size_t idsz)
{
	size_t len = strlen(c), n;
	unsigned long long t = 0;

	if (len < 19 || len > CURSOR_MAX || c[0] != '2' || (len - 17) % 2 != 0 ||
	    strspn(c + 1, "0123456789abcdef") != len - 1)
		return -1;
	for (int i = 1; i < 17; i++)
		t = t * 16 + (unsigned)util_hexval(c[i]);
	n = (len - 17) / 2;
	if (n >= idsz)
		return -1;
	for (size_t i = 0; i < n; i++)
		id[i] = (char)(util_hexval(c[17 + 2 * i]) * 16 + util_hexval(c[18 + 2 * i]));
	id[n] = '\0';
	if (strlen(id) != n)
		return -1;
	*ts = (int64_t)t;
	return 0;
}

struct list_ctx {
	json_object *data;
	int limit, rows, more;
	int64_t last_ts;
	char last_id[CURSOR_MAX];
};

static int
list_row(void *arg, const struct trace_row *t)
{
	struct list_ctx *x = arg;
	if (x->rows == x->limit) {
		x->more = 1;
		return 1;
	}
	json_object_array_add(x->data, trace_json(t));
	x->rows++;
	x->last_ts = t->start_ms;
	util_strlcpy(x->last_id, t->trace_id, sizeof(x->last_id));
	return 0;
}

void
handle_traces_list(struct http_req *req)
{
	struct trace_filter f;
	struct list_ctx *x;
	json_object *o;
	const char *v;
	int64_t n;
	char *cid;

	memset(&f, 0, sizeof(f));
	f.status = -1;
	f.session_id = query_get(&req->query, "sessionId");
	f.user_id = query_get(&req->query, "userId");
	f.feature = query_get(&req->query, "feature");
	f.model = query_get(&req->query, "model");
	if ((v = query_get(&req->query, "status")) != NULL) {
		if (strcmp(v, "ok") == 0)
			f.status = LLM_OK;
		else if (strcmp(v, "error") == 0)
			f.status = LLM_ERROR;
		else {
			http_send_error(req, 400, "bad_request", "'status' must be ok or error", NULL);
			return;
		}
	}
	if (handler_query_int(req, "limit", 1, LIST_MAX, LIST_DEFAULT, &n) != 0 ||
	    handler_query_time(req, "from", &f.from_ms) < 0 || handler_query_time(req, "to", &f.to_ms) < 0)
		return;
	f.limit = (int)n + 1;   /* one more row tells whether a next page exists */
	if ((x = calloc(1, sizeof(*x))) == NULL || (cid = malloc(CURSOR_MAX)) == NULL) {
		free(x);
		handler_unavailable(req);
		return;
	}
	if ((v = query_get(&req->query, "cursor")) != NULL) {
		if (cursor_decode(v, &f.cursor_ts, cid, CURSOR_MAX) != 0) {
			http_send_error(req, 400, "bad_request", "'cursor' is malformed: pass next_cursor back unchanged", NULL);
			goto out;
		}
		f.has_cursor = 1;
		f.cursor_id = cid;
	}
	x->limit = (int)n;
	x->data = json_object_new_array();
	if (store_traces_list(req->store, req->auth.project_id, &f, list_row, x) != 0) {
		json_object_put(x->data);
		handler_unavailable(req);
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "data", x->data);
	if (x->more) {
		char cursor[CURSOR_MAX * 2 + 20];
		cursor_encode(x->last_ts, x->last_id, cursor, sizeof(cursor));
		json_object_object_add(o, "next_cursor", json_object_new_string(cursor));
	} else
		json_object_object_add(o, "next_cursor", NULL);
	http_send_json(req, 200, o);
	json_object_put(o);
out:
	free(cid);
	free(x);
}

/* ---- one trace as a tree ---- */

struct node {
	char *span_id, *parent_id;
	json_object *obj;
	size_t parent;          /* index + 1; 0: a root */
};

struct tree_ctx {
	json_object *trace;
	struct node *nodes;
	size_t n, cap;
	int failed;
};

static json_object *
span_json(const struct span_row *r)
{
	const struct llm_span *sp = &r->sp;
	json_object *o = json_object_new_object();

	handler_add_str(o, "spanId", sp->span_id);
	handler_add_str(o, "parentSpanId", sp->parent_span_id);
	handler_add_str(o, "name", sp->name);
	handler_add_str(o, "feature", sp->feature);
	handler_add_str(o, "provider", sp->provider);
	handler_add_str(o, "model", sp->model);
	handler_add_str(o, "userId", sp->user_id);
	handler_add_str(o, "sessionId", sp->session_id);
	handler_add_str(o, "conversationId", sp->conversation_id);
	handler_add_str(o, "turnId", sp->turn_id);
	json_object_object_add(o, "startTime", handler_time(sp->start_ms));
	json_object_object_add(o, "endTime", handler_time(sp->end_ms));
	json_object_object_add(o, "latencyMs", json_object_new_double(sp->latency_ms));
	json_object_object_add(o, "inputTokens", json_object_new_int64(sp->input_tokens));
	json_object_object_add(o, "outputTokens", json_object_new_int64(sp->output_tokens));
	json_object_object_add(o, "cachedTokens", json_object_new_int64(sp->cached_tokens));
	json_object_object_add(o, "cost", handler_usd(r->cost_nusd));
	json_object_object_add(o, "costNusd", json_object_new_int64(r->cost_nusd));
	json_object_object_add(o, "priced", json_object_new_boolean(r->priced));
	if (sp->has_estimate)
		json_object_object_add(o, "estimatedCost", handler_usd(sp->estimated_nusd));
	json_object_object_add(o, "status", json_object_new_string(sp->status == LLM_ERROR ? "error" : "ok"));
	handler_add_str(o, "error", sp->error);
	handler_add_str(o, "input", sp->input);
	handler_add_str(o, "output", sp->output);
	if (sp->metadata)
		json_object_object_add(o, "metadata", handler_json_text(sp->metadata));
	return o;
}

static int
tree_trace(void *arg, const struct trace_row *t)
{
	struct tree_ctx *x = arg;
	x->trace = trace_json(t);
	return 0;
}

static int
tree_span(void *arg, const struct span_row *r)
{
	struct tree_ctx *x = arg;
	struct node *nd;

	if ((nd = util_grow(x->nodes, &x->cap, x->n, sizeof(*x->nodes), 32)) == NULL) {
		x->failed = 1;
		return 1;
	}
	x->nodes = nd;
	nd = &x->nodes[x->n];
	nd->span_id = strdup(r->sp.span_id);
	nd->parent_id = r->sp.parent_span_id ? strdup(r->sp.parent_span_id) : NULL;
	nd->obj = span_json(r);
	nd->parent = 0;
	if (nd->span_id == NULL || (r->sp.parent_span_id && nd->parent_id == NULL)) {
		json_object_put(nd->obj);
		free(nd->span_id);
		free(nd->parent_id);
		x->failed = 1;
		return 1;
	}
	x->n++;
	return 0;
}

static int
by_span_id(const void *a, const void *b)
{
	const struct node *const *x = a, *const *y = b;
	return strcmp((*x)->span_id, (*y)->span_id);
}

/*
 * Links each span under its parent. A span whose parent is not in the trace
 * (not arrived yet) is a root; so is one whose parents loop back to it.
 */
static json_object *
build_tree(struct tree_ctx *x)
{
	json_object *roots = json_object_new_array();
	struct node **sorted = malloc((x->n ? x->n : 1) * sizeof(*sorted));

	if (sorted == NULL) {
		x->failed = 1;
		return roots;
	}
	for (size_t i = 0; i < x->n; i++)
		sorted[i] = &x->nodes[i];
	qsort(sorted, x->n, sizeof(*sorted), by_span_id);
	for (size_t i = 0; i < x->n; i++) {
		struct node key, *kp = &key, **hit;
		if (x->nodes[i].parent_id == NULL)
			continue;
		key.span_id = x->nodes[i].parent_id;
		hit = bsearch(&kp, sorted, x->n, sizeof(*sorted), by_span_id);
		if (hit != NULL && *hit != &x->nodes[i])
			x->nodes[i].parent = (size_t)(*hit - x->nodes) + 1;
	}
	for (size_t i = 0; i < x->n; i++) {
		/* a loop: walking up never reaches a root within n steps */
		size_t p = x->nodes[i].parent, steps = 0;
		while (p != 0 && steps <= x->n) {
			p = x->nodes[p - 1].parent;
			steps++;
		}
		if (p != 0)
			x->nodes[i].parent = 0;
	}
	for (size_t i = 0; i < x->n; i++) {
		struct node *nd = &x->nodes[i];
		if (nd->parent == 0) {
			json_object_array_add(roots, nd->obj);
		} else {
			json_object *parent = x->nodes[nd->parent - 1].obj, *children;
			if (!json_object_object_get_ex(parent, "children", &children)) {
				children = json_object_new_array();
				json_object_object_add(parent, "children", children);
			}
			json_object_array_add(children, nd->obj);
		}
	}
	free(sorted);
	return roots;
}

void
handle_trace_get(struct http_req *req)
{
	struct tree_ctx x;
	json_object *o;
	int rc;

	memset(&x, 0, sizeof(x));
	rc = store_trace_get(req->store, req->auth.project_id, req->captures[0], tree_trace, tree_span, &x);
	if (rc == 1)
		http_send_error(req, 404, "not_found", "no such trace in this project", NULL);
	else if (rc != 0 || x.failed)
		handler_unavailable(req);
	else {
		json_object_object_add(x.trace, "spans", build_tree(&x));
		o = json_object_new_object();
		json_object_object_add(o, "data", x.trace);
		x.trace = NULL;
		http_send_json(req, 200, o);
		json_object_put(o);
	}
	if (rc != 0 || x.failed)
		for (size_t i = 0; i < x.n; i++)
			json_object_put(x.nodes[i].obj);
	for (size_t i = 0; i < x.n; i++) {
		free(x.nodes[i].span_id);
		free(x.nodes[i].parent_id);
	}
	free(x.nodes);
	json_object_put(x.trace);
}

/* ---- sessions ---- */

struct item {
	int64_t ts;
	int kind;
	size_t seq;
	json_object *obj;
};

struct session_ctx {
	struct item *items;
	size_t n, cap;
	int64_t traces, events, votes, cost_nusd, tokens;
	int failed;
};

static int
add_item(struct session_ctx *x, int64_t ts, int kind, json_object *obj)
{
	struct item *grown = util_grow(x->items, &x->cap, x->n, sizeof(*x->items), 32);

	if (grown == NULL) {
		json_object_put(obj);
		x->failed = 1;
		return 1;
	}
	x->items = grown;
	json_object_object_add(obj, "kind", json_object_new_string(kind == 0 ? "trace" : kind == 1 ? "event" : "vote"));
	x->items[x->n++] = (struct item){ ts, kind, x->n, obj };
	return 0;
}

static int
session_trace(void *arg, const struct trace_row *t)
{
	struct session_ctx *x = arg;
	x->traces++;
	x->cost_nusd += t->cost_nusd;
	x->tokens = util_add_sat(x->tokens, util_add_sat(t->input_tokens, t->output_tokens));
	return add_item(x, t->start_ms, 0, trace_json(t));
}

static int
session_event(void *arg, const struct event_row *r)
{
	struct session_ctx *x = arg;
	json_object *o = json_object_new_object();
	x->events++;
	handler_add_str(o, "messageId", r->ev.message_id);
	json_object_object_add(o, "type", json_object_new_string(event_type_name(r->ev.type)));
	handler_add_str(o, "event", r->ev.event);
	handler_add_str(o, "userId", r->ev.user_id);
	handler_add_str(o, "anonymousId", r->ev.anonymous_id);
	handler_add_str(o, "conversationId", r->ev.conversation_id);
	handler_add_str(o, "turnId", r->ev.turn_id);
	json_object_object_add(o, "timestamp", handler_time(r->ev.ts_ms));
	if (r->ev.properties)
		json_object_object_add(o, "properties", handler_json_text(r->ev.properties));
	return add_item(x, r->ev.ts_ms, 1, o);
}

static json_object *
vote_json(const struct vote *v)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "value", json_object_new_double(v->value));
	handler_add_str(o, "comment", v->comment);
	handler_add_str(o, "turnId", v->turn_id);
	handler_add_str(o, "traceId", v->trace_id);
	handler_add_str(o, "userId", v->user_id);
	handler_add_str(o, "conversationId", v->conversation_id);
	json_object_object_add(o, "timestamp", handler_time(v->ts_ms));
	return o;
}

static int
session_vote(void *arg, const struct vote_row *r)
{
	struct session_ctx *x = arg;
	x->votes++;
	return add_item(x, r->v.ts_ms, 2, vote_json(&r->v));
}

static int
by_time(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
handle_session_get(struct http_req *req)
{
	struct session_ctx x;
	json_object *o, *d, *items;
	int rc;

	memset(&x, 0, sizeof(x));
	rc = store_session_get(req->store, req->auth.project_id, req->captures[0],
	    session_trace, session_event, session_vote, &x);
	if (rc == 1)
		http_send_error(req, 404, "not_found", "nothing in this project carries that session id", NULL);
	else if (rc != 0 || x.failed)
		handler_unavailable(req);
	else {
		qsort(x.items, x.n, sizeof(*x.items), by_time);
		items = json_object_new_array();
		for (size_t i = 0; i < x.n; i++)
			json_object_array_add(items, x.items[i].obj);
		x.n = 0;
		d = json_object_new_object();
		json_object_object_add(d, "sessionId", json_object_new_string(req->captures[0]));
		json_object_object_add(d, "traceCount", json_object_new_int64(x.traces));
		json_object_object_add(d, "eventCount", json_object_new_int64(x.events));
		json_object_object_add(d, "voteCount", json_object_new_int64(x.votes));
		json_object_object_add(d, "totalTokens", json_object_new_int64(x.tokens));
		json_object_object_add(d, "cost", handler_usd(x.cost_nusd));
		json_object_object_add(d, "costNusd", json_object_new_int64(x.cost_nusd));
		json_object_object_add(d, "items", items);
		o = json_object_new_object();
		json_object_object_add(o, "data", d);
		http_send_json(req, 200, o);
		json_object_put(o);
	}
	for (size_t i = 0; i < x.n; i++)
		json_object_put(x.items[i].obj);
	free(x.items);
}
