/*
 * llm_analytics: the LLM analytics of SPEC §5.3, read from the rollups:
 * cost-breakdown and flamegraph (the cost profiler's shapes), timeseries and
 * breakdown for the LLM metrics, conversations and realtime.
 * Prompt analysis and trust score live in llm_insight.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler_util.h"
#include "handlers.h"
#include "hist.h"
#include "store.h"
#include "tz.h"
#include "util.h"

#define DAY_MS 86400000LL
#define MAX_BUCKETS 5000

static const char *
name_or_unknown(const char *s)
{
	return s && *s ? s : "unknown";
}

/* ---- metrics ---- */

enum metric { M_CALLS, M_TOKENS, M_COST, M_LATENCY_P50, M_LATENCY_P95, M__COUNT };
static const char *const metric_names[M__COUNT] = {
	"calls", "tokens", "cost", "latency_p50", "latency_p95",
};

static int
parse_metric(struct http_req *req, int *m)
{
	const char *v = query_get(&req->query, "metric");
	*m = M_CALLS;
	if (v == NULL)
		return 0;
	for (int i = 0; i < M__COUNT; i++)
		if (strcmp(v, metric_names[i]) == 0) {
			*m = i;
			return 0;
		}
	http_send_error(req, 400, "bad_request",
	    "'metric' must be one of events, users, sessions, calls, tokens, cost, latency_p50, latency_p95", NULL);
	return -1;
}

/* Totals of one group. The latency histogram (2 KiB) only when the query
 * merged one: a breakdown by user has tens of thousands of groups. */
struct totals {
	int64_t calls, input, output, cached, cost, errors;
	double latency_sum;
	struct hist *latency;           /* NULL: none */
};

/* -1 when out of memory. */
static int
totals_add(struct totals *t, const struct llm_agg *a)
{
	t->calls += a->calls;
	t->input = util_add_sat(t->input, a->input_tokens);
	t->output = util_add_sat(t->output, a->output_tokens);
	t->cached = util_add_sat(t->cached, a->cached_tokens);
	t->cost = util_add_sat(t->cost, a->cost_nusd);
	t->errors += a->errors;
	t->latency_sum += a->latency_sum;
	if (a->latency == NULL || a->latency->total == 0)
		return 0;       /* not asked for: the common case of cost and counts */
	if (t->latency == NULL && (t->latency = calloc(1, sizeof(*t->latency))) == NULL)
		return -1;
	for (int b = 0; b < HIST_BUCKETS; b++)
		t->latency->count[b] += a->latency->count[b];
	t->latency->total += a->latency->total;
	return 0;
}

static double
totals_percentile(const struct totals *t, double q)
{
	return t->latency ? hist_percentile(t->latency, q) : 0.0;
}

static json_object *
metric_value(const struct totals *t, int m)
{
	switch (m) {
	case M_CALLS: return json_object_new_int64(t->calls);
	case M_TOKENS: return json_object_new_int64(util_add_sat(t->input, t->output));
	case M_COST: return handler_usd(t->cost);
	case M_LATENCY_P50: return json_object_new_double(totals_percentile(t, 0.50));
	default: return json_object_new_double(totals_percentile(t, 0.95));
	}
}

/* A sort key: cost in nano-dollars, tokens, calls or latency. */
static double
metric_rank(const struct totals *t, int m)
{
	switch (m) {
	case M_CALLS: return (double)t->calls;
	case M_TOKENS: return (double)util_add_sat(t->input, t->output);
	case M_COST: return (double)t->cost;
	case M_LATENCY_P50: return totals_percentile(t, 0.50);
	default: return totals_percentile(t, 0.95);
	}
}

/* ---- grouped rollup reads ---- */

struct group {
	char *key1, *key2;
	int64_t bucket;
	struct totals t;
	double rank;            /* sort_groups' key */
};

struct groups {
	struct group *g;
	size_t n, cap;
	int failed;
};

static int
collect(void *arg, const struct llm_agg *a)
{
	struct groups *x = arg;
	struct group *g;

	if ((g = util_grow(x->g, &x->cap, x->n, sizeof(*x->g), 64)) == NULL) {
		x->failed = 1;
		return 1;
	}
	x->g = g;
	g = &x->g[x->n];
	memset(g, 0, sizeof(*g));
	g->key1 = strdup(a->key1);
	g->key2 = strdup(a->key2);
	g->bucket = a->bucket_ms;
	if (g->key1 == NULL || g->key2 == NULL) {
		free(g->key1);
		free(g->key2);
		x->failed = 1;
		return 1;
	}
	x->n++;
	if (totals_add(&g->t, a) != 0) {
		x->failed = 1;
		return 1;
	}
	return 0;
}

static void
groups_free(struct groups *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->g[i].key1);
		free(x->g[i].key2);
		free(x->g[i].t.latency);
	}
	free(x->g);
	memset(x, 0, sizeof(*x));
}

/* Runs q into x; -1 with the answer sent. */
static int
aggregate(struct http_req *req, const struct llm_query *q, struct groups *x)
{
	int rc;

	memset(x, 0, sizeof(*x));
	rc = store_llm_aggregate(req->store, req->auth.project_id, q, collect, x);
	if (rc == 2) {
		http_send_error(req, 400, "bad_request",
		    "per-user totals are not kept per feature, model or provider: drop one of the filters", NULL);
	} else if (rc == 3) {
		http_send_error(req, 400, "bad_request",
		    "per-user totals are kept by day: use granularity=day or week with userId", NULL);
	} else if (rc != 0 || x->failed) {
		handler_unavailable(req);
		rc = -1;
	}
	if (rc != 0) {
		groups_free(x);
		return -1;
	}
	return 0;
}

/* The common filters: feature, model, provider, userId, and the range. */
static int
parse_query(struct http_req *req, struct llm_query *q)
{
	memset(q, 0, sizeof(*q));
	q->feature = query_get(&req->query, "feature");
	q->model = query_get(&req->query, "model");
	q->provider = query_get(&req->query, "provider");
	q->user_id = query_get(&req->query, "userId");
	if (q->user_id == NULL)
		q->user_id = query_get(&req->query, "user_id");
	return handler_range(req, &q->from_ms, &q->to_ms);
}

static int
by_rank_desc(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return strcmp(x->key1, y->key1);
}

/* Largest metric m first (each group's key computed once, not per comparison). */
static void
sort_groups(struct groups *x, int m)
{
	for (size_t i = 0; i < x->n; i++)
		x->g[i].rank = metric_rank(&x->g[i].t, m);
	qsort(x->g, x->n, sizeof(*x->g), by_rank_desc);
}

/* ---- cost-breakdown (the cost profiler's shape) ---- */

void
handle_cost_breakdown(struct http_req *req)
{
	const char *g = query_get(&req->query, "groupBy");
	struct llm_query q;
	struct groups x;
	json_object *data;
	int64_t limit;

	/* costliest first; a project's users are too many to list whole */
	if (parse_query(req, &q) != 0 || handler_query_int(req, "limit", 1, 10000, 100, &limit) != 0)
		return;
	if (g == NULL || strcmp(g, "feature") == 0)
		q.by = BY_FEATURE;
	else if (strcmp(g, "model") == 0)
		q.by = BY_MODEL;
	else if (strcmp(g, "user") == 0)
		q.by = BY_USER;
	else if (strcmp(g, "provider") == 0)
		q.by = BY_PROVIDER;
	else {
		http_send_error(req, 400, "bad_request", "'groupBy' must be feature, model, provider or user", NULL);
		return;
	}
	if (aggregate(req, &q, &x) != 0)
		return;
	sort_groups(&x, M_COST);
	data = json_object_new_array();
	for (size_t i = 0; i < x.n && (int64_t)i < limit; i++) {
		const struct totals *t = &x.g[i].t;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(name_or_unknown(x.g[i].key1)));
		json_object_object_add(o, "totalCost", handler_usd(t->cost));
		json_object_object_add(o, "totalCostNusd", json_object_new_int64(t->cost));
		json_object_object_add(o, "totalTokens", json_object_new_int64(util_add_sat(t->input, t->output)));
		json_object_object_add(o, "inputTokens", json_object_new_int64(t->input));
		json_object_object_add(o, "outputTokens", json_object_new_int64(t->output));
		json_object_object_add(o, "cachedTokens", json_object_new_int64(t->cached));
		json_object_object_add(o, "callCount", json_object_new_int64(t->calls));
		json_object_object_add(o, "avgLatency", json_object_new_int64(
		    t->calls ? (int64_t)llround(t->latency_sum / (double)t->calls) : 0));
		json_object_object_add(o, "errorCount", json_object_new_int64(t->errors));
		json_object_array_add(data, o);
	}
	groups_free(&x);
	handler_send_data(req, data);
}

/* ---- flamegraph ---- */

static json_object *
flame_node(const char *name, int64_t cost, int64_t tokens, int64_t calls)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "value", handler_usd(cost));
	json_object_object_add(o, "valueNusd", json_object_new_int64(cost));
	json_object_object_add(o, "tokens", json_object_new_int64(tokens));
	json_object_object_add(o, "calls", json_object_new_int64(calls));
	return o;
}

static int
flame_cmp(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b, *vx, *vy;
	int64_t cx, cy;
	json_object_object_get_ex(x, "valueNusd", &vx);
	json_object_object_get_ex(y, "valueNusd", &vy);
	cx = json_object_get_int64(vx);
	cy = json_object_get_int64(vy);
	return cx > cy ? -1 : cx < cy;
}

static int
by_feature_then_cost(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c = strcmp(x->key1, y->key1);
	if (c != 0)
		return c;
	if (x->t.cost != y->t.cost)
		return x->t.cost > y->t.cost ? -1 : 1;
	return strcmp(x->key2, y->key2);
}

void
handle_flamegraph(struct http_req *req)
{
	const char *mode = query_get(&req->query, "mode");
	struct llm_query q;
	struct groups x;
	json_object *root, *children, *feature = NULL, *models = NULL;
	int64_t total = 0, total_tokens = 0, total_calls = 0;
	int64_t f_cost = 0, f_tokens = 0, f_calls = 0;

	if (parse_query(req, &q) != 0)
		return;
	if (mode != NULL && strcmp(mode, "spans") == 0) {
		flamegraph_spans(req, q.from_ms, q.to_ms);
		return;
	}
	if (mode != NULL && strcmp(mode, "cost") != 0) {
		http_send_error(req, 400, "bad_request", "'mode' must be cost (feature → model) or spans", NULL);
		return;
	}
	q.by = BY_FEATURE_MODEL;
	if (aggregate(req, &q, &x) != 0)
		return;
	qsort(x.g, x.n, sizeof(*x.g), by_feature_then_cost);
	children = json_object_new_array();
	for (size_t i = 0; i <= x.n; i++) {
		/* a feature's node closes when the next feature starts */
		if (feature != NULL && (i == x.n || strcmp(x.g[i].key1, x.g[i - 1].key1) != 0)) {
			json_object_object_add(feature, "value", handler_usd(f_cost));
			json_object_object_add(feature, "valueNusd", json_object_new_int64(f_cost));
			json_object_object_add(feature, "tokens", json_object_new_int64(f_tokens));
			json_object_object_add(feature, "calls", json_object_new_int64(f_calls));
			json_object_object_add(feature, "children", models);
			json_object_array_add(children, feature);
			feature = NULL;
		}
		if (i == x.n)
			break;
		if (feature == NULL) {
			feature = json_object_new_object();
			json_object_object_add(feature, "name", json_object_new_string(name_or_unknown(x.g[i].key1)));
			models = json_object_new_array();
			f_cost = f_tokens = f_calls = 0;
		}
		{
			const struct totals *t = &x.g[i].t;
			json_object_array_add(models, flame_node(name_or_unknown(x.g[i].key2), t->cost,
			    util_add_sat(t->input, t->output), t->calls));
			f_cost = util_add_sat(f_cost, t->cost);
			f_tokens = util_add_sat(f_tokens, util_add_sat(t->input, t->output));
			f_calls += t->calls;
			total = util_add_sat(total, t->cost);
			total_tokens = util_add_sat(total_tokens, util_add_sat(t->input, t->output));
			total_calls += t->calls;
		}
	}
	/* features by cost, largest first, as a flame graph draws them */
	json_object_array_sort(children, flame_cmp);
	root = flame_node("Project", total, total_tokens, total_calls);
	json_object_object_add(root, "children", children);
	groups_free(&x);
	handler_send_data(req, root);
}

/* ---- timeseries ---- */

/* The UTC calendar unit (tz.h) of a rollup bucket: the same buckets the store sums into. */
static enum tz_unit
bucket_unit(int bucket)
{
	return bucket == BUCKET_HOUR ? TZ_HOUR : bucket == BUCKET_DAY ? TZ_DAY : TZ_WEEK;
}

void
handle_timeseries(struct http_req *req)
{
	const char *gran = query_get(&req->query, "granularity");
	const char *metric = query_get(&req->query, "metric");
	struct llm_query q;
	struct groups x;
	json_object *data, *o;
	int m;
	int64_t first;
	size_t gi = 0;

	if (metric == NULL || product_metric(metric) >= 0) {
		product_timeseries(req, metric ? product_metric(metric) : 0);
		return;
	}
	if (parse_query(req, &q) != 0 || parse_metric(req, &m) != 0)
		return;
	if (gran == NULL)
		q.bucket = q.to_ms - q.from_ms <= 2 * DAY_MS ? BUCKET_HOUR : BUCKET_DAY;
	else if (strcmp(gran, "hour") == 0)
		q.bucket = BUCKET_HOUR;
	else if (strcmp(gran, "day") == 0)
		q.bucket = BUCKET_DAY;
	else if (strcmp(gran, "week") == 0)
		q.bucket = BUCKET_WEEK;
	else {
		http_send_error(req, 400, "bad_request", strcmp(gran, "minute") == 0
		    ? "LLM metrics are kept per hour: use granularity hour, day or week "
		      "(GET /api/v1/analytics/realtime has the last minutes)"
		    : "'granularity' must be hour, day or week", NULL);
		return;
	}
	first = tz_bucket_start(NULL, q.from_ms, bucket_unit(q.bucket));
	/* UTC buckets have one length: the first one's */
	if ((q.to_ms - first) / (tz_bucket_next(NULL, first, bucket_unit(q.bucket)) - first) > MAX_BUCKETS) {
		http_send_error(req, 400, "bad_request", "the range holds more than 5000 buckets: "
		    "choose a coarser granularity", NULL);
		return;
	}
	q.by = BY_NONE;
	q.hists = m == M_LATENCY_P50 || m == M_LATENCY_P95 ? LLM_HIST_LATENCY : 0;
	if (aggregate(req, &q, &x) != 0)
		return;
	data = json_object_new_array();
	/* zero-filled: every bucket of the range, in order (the rows come ordered) */
	for (int64_t b = first; b < q.to_ms; b = tz_bucket_next(NULL, b, bucket_unit(q.bucket))) {
		struct totals zero, *t = &zero;
		memset(&zero, 0, sizeof(zero));
		while (gi < x.n && x.g[gi].bucket < b)
			gi++;
		if (gi < x.n && x.g[gi].bucket == b)
			t = &x.g[gi].t;
		o = json_object_new_object();
		json_object_object_add(o, "timestamp", handler_time(b));
		json_object_object_add(o, "value", metric_value(t, m));
		json_object_object_add(o, "cost", handler_usd(t->cost));
		json_object_object_add(o, "tokens", json_object_new_int64(util_add_sat(t->input, t->output)));
		json_object_object_add(o, "callCount", json_object_new_int64(t->calls));
		json_object_array_add(data, o);
	}
	groups_free(&x);
	o = json_object_new_object();
	json_object_object_add(o, "data", data);
	json_object_object_add(o, "metric", json_object_new_string(metric_names[m]));
	json_object_object_add(o, "granularity", json_object_new_string(
	    q.bucket == BUCKET_HOUR ? "hour" : q.bucket == BUCKET_DAY ? "day" : "week"));
	http_send_json(req, 200, o);
	json_object_put(o);
}

/* ---- breakdown ---- */

void
handle_breakdown(struct http_req *req)
{
	const char *by = query_get(&req->query, "by");
	const char *metric = query_get(&req->query, "metric"), *property;
	struct llm_query q;
	struct groups x;
	struct totals other;
	json_object *data, *o;
	int64_t limit;
	int m, others = 0, failed = 0, dim = product_dimension(by, &property);

	if (dim >= 0) {
		if (metric != NULL && product_metric(metric) < 0) {
			http_send_error(req, 400, "bad_request", "a breakdown by event, url, referrer, shop "
			    "or a property counts events, users or sessions", NULL);
			return;
		}
		product_breakdown(req, by, dim, property, metric ? product_metric(metric) : 0);
		return;
	}
	if (by == NULL || (strcmp(by, "feature") != 0 && strcmp(by, "model") != 0 &&
	    strcmp(by, "provider") != 0 && strcmp(by, "user") != 0)) {
		http_send_error(req, 400, "bad_request", "'by' must be event, url, referrer, shop, "
		    "properties.KEY, feature, model, provider or user", NULL);
		return;
	}
	if (metric != NULL && product_metric(metric) >= 0) {
		http_send_error(req, 400, "bad_request", "a breakdown by feature, model, provider or user "
		    "counts LLM calls: metric calls, tokens, cost, latency_p50 or latency_p95", NULL);
		return;
	}
	if (parse_query(req, &q) != 0 || parse_metric(req, &m) != 0 ||
	    handler_query_int(req, "limit", 1, 1000, 10, &limit) != 0)
		return;
	q.by = strcmp(by, "feature") == 0 ? BY_FEATURE : strcmp(by, "model") == 0 ? BY_MODEL
	    : strcmp(by, "provider") == 0 ? BY_PROVIDER : BY_USER;
	q.hists = m == M_LATENCY_P50 || m == M_LATENCY_P95 ? LLM_HIST_LATENCY : 0;
	if (aggregate(req, &q, &x) != 0)
		return;
	sort_groups(&x, m);
	memset(&other, 0, sizeof(other));
	data = json_object_new_array();
	for (size_t i = 0; i < x.n; i++) {
		const struct totals *t = &x.g[i].t;
		if ((int64_t)i >= limit) {
			/* the tail folds into "other", histograms merged */
			struct llm_agg a = { "", "", 0, t->calls, t->input, t->output, t->cached, t->cost,
			    t->errors, t->latency_sum, t->latency, NULL };
			if (totals_add(&other, &a) != 0)
				failed = 1;
			others++;
			continue;
		}
		o = json_object_new_object();
		json_object_object_add(o, "key", json_object_new_string(name_or_unknown(x.g[i].key1)));
		json_object_object_add(o, "value", metric_value(t, m));
		json_object_object_add(o, "calls", json_object_new_int64(t->calls));
		json_object_array_add(data, o);
	}
	groups_free(&x);
	if (failed) {
		free(other.latency);
		json_object_put(data);
		handler_unavailable(req);
		return;
	}
	if (others > 0) {
		o = json_object_new_object();
		json_object_object_add(o, "key", json_object_new_string("other"));
		json_object_object_add(o, "value", metric_value(&other, m));
		json_object_object_add(o, "calls", json_object_new_int64(other.calls));
		json_object_object_add(o, "groups", json_object_new_int(others));
		json_object_array_add(data, o);
	}
	free(other.latency);
	o = json_object_new_object();
	json_object_object_add(o, "data", data);
	json_object_object_add(o, "by", json_object_new_string(by));
	json_object_object_add(o, "metric", json_object_new_string(metric_names[m]));
	http_send_json(req, 200, o);
	json_object_put(o);
}

/* ---- conversations ---- */

static int
conversation_json(void *arg, const struct conversation_row *c)
{
	json_object *data = arg, *o = json_object_new_object();
	handler_add_str(o, "conversationId", c->conversation_id);
	handler_add_str(o, "userId", c->user_id);
	json_object_object_add(o, "firstTime", handler_time(c->first_ms));
	json_object_object_add(o, "lastTime", handler_time(c->last_ms));
	json_object_object_add(o, "turns", json_object_new_int64(c->turns));
	json_object_object_add(o, "calls", json_object_new_int64(c->calls));
	json_object_object_add(o, "votesUp", json_object_new_int64(c->votes_up));
	json_object_object_add(o, "votesDown", json_object_new_int64(c->votes_down));
	json_object_object_add(o, "models", handler_json_text(c->models));
	json_object_object_add(o, "cost", handler_usd(c->cost_nusd));
	json_object_object_add(o, "costNusd", json_object_new_int64(c->cost_nusd));
	json_object_array_add(data, o);
	return 0;
}

void
handle_conversations(struct http_req *req)
{
	const char *user = query_get(&req->query, "userId");
	int64_t from, to, limit;
	json_object *data;

	if (user == NULL)
		user = query_get(&req->query, "user_id");
	if (handler_range(req, &from, &to) != 0 || handler_query_int(req, "limit", 1, 1000, 50, &limit) != 0)
		return;
	data = json_object_new_array();
	if (store_conversations_list(req->store, req->auth.project_id, user, from, to, (int)limit,
	    conversation_json, data) != 0) {
		json_object_put(data);
		handler_unavailable(req);
		return;
	}
	handler_send_data(req, data);
}

/* ---- realtime ---- */

void
handle_realtime(struct http_req *req)
{
	struct realtime_totals r;
	int64_t now = req->received_ms, since = now - 5 * 60000;
	json_object *d, *per;

	if (store_realtime(req->store, req->auth.project_id, since, now + 1, &r) != 0) {
		handler_unavailable(req);
		return;
	}
	d = json_object_new_object();
	per = json_object_new_array();
	for (int i = 0; i < 5; i++)
		json_object_array_add(per, json_object_new_int64(r.events_by_minute[i]));
	json_object_object_add(d, "windowMinutes", json_object_new_int(5));
	json_object_object_add(d, "since", handler_time(since));
	json_object_object_add(d, "events", json_object_new_int64(r.events));
	json_object_object_add(d, "eventsPerMinute", json_object_new_double((double)r.events / 5.0));
	json_object_object_add(d, "eventsByMinute", per);
	json_object_object_add(d, "calls", json_object_new_int64(r.calls));
	json_object_object_add(d, "tokens", json_object_new_int64(r.tokens));
	json_object_object_add(d, "cost", handler_usd(r.cost_nusd));
	json_object_object_add(d, "costNusd", json_object_new_int64(r.cost_nusd));
	json_object_object_add(d, "activeUsers", json_object_new_int64(r.active_users));
	handler_send_data(req, d);
}
