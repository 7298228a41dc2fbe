/*
 * product_analytics: the event side of SPEC §5.3, read from the event
 * rollups: stats, and timeseries and breakdown for the metrics events,
 * users and sessions (llm_analytics.c hands those over). Buckets follow the
 * `tz` time zone (IANA name; default UTC).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler_util.h"
#include "handlers.h"
#include "hll.h"
#include "store.h"
#include "timestamp.h"
#include "trust.h"
#include "tz.h"
#include "util.h"

#define MAX_BUCKETS 5000
#define MINUTE_RANGE_MS (24 * 3600000LL)

enum { PM_EVENTS, PM_USERS, PM_SESSIONS };
static const char *const pm_names[] = { "events", "users", "sessions" };

int
product_metric(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (name && strcmp(name, pm_names[i]) == 0)
			return i;
	return -1;
}

/* The sketch a metric needs (EQ_USERS, EQ_SESSIONS; none for events). */
static int
pm_sketch(int m)
{
	return m == PM_USERS ? EQ_USERS : m == PM_SESSIONS ? EQ_SESSIONS : 0;
}

static int64_t
pm_value(const struct event_agg *a, int m)
{
	return m == PM_EVENTS ? a->events : m == PM_USERS ? a->users : a->sessions;
}

/* The `tz` parameter: NULL for UTC (absent or "UTC"); -1 with the 400 sent. */
static int
parse_tz(struct http_req *req, const struct tz **z)
{
	const char *name = query_get(&req->query, "tz");
	char err[128];

	*z = NULL;
	if (name == NULL || strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)
		return 0;
	if ((*z = tz_get(name, err, sizeof(err))) == NULL) {
		http_send_error(req, 400, "bad_request",
		    "'tz' must be an IANA time zone name such as Europe/Berlin", NULL);
		return -1;
	}
	return 0;
}

/* ---- timeseries ---- */

struct series {
	const struct tz *z;
	int unit;
	struct event_agg *rows;
	size_t n, cap;
	int failed;
};

static int64_t
local_bucket(void *arg, int64_t t)
{
	const struct series *s = arg;
	return tz_bucket_start(s->z, t, s->unit);
}

static int
series_row(void *arg, const struct event_agg *a)
{
	struct series *s = arg;
	struct event_agg *grown = util_grow(s->rows, &s->cap, s->n, sizeof(*s->rows), 64);
	if (grown == NULL) {
		s->failed = 1;
		return 1;
	}
	s->rows = grown;
	s->rows[s->n] = *a;
	s->rows[s->n].key = NULL;           /* borrowed strings end with the callback */
	s->rows[s->n].user_sketch = s->rows[s->n].session_sketch = NULL;
	s->n++;
	return 0;
}

/* "2026-03-29T00:00:00+02:00": a bucket's start in the zone's local time. */
static json_object *
local_time(const struct tz *z, int64_t ms)
{
	int off = tz_offset_at(z, ms);
	char iso[40], out[64];
	int a = off < 0 ? -off : off;

	ts_format_iso(ms + (int64_t)off * 1000, iso);
	iso[19] = '\0';                     /* drop ".mmmZ" */
	snprintf(out, sizeof(out), "%s%c%02d:%02d", iso, off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
	return json_object_new_string(out);
}

static int
parse_granularity(struct http_req *req, int64_t from, int64_t to, int *unit)
{
	const char *g = query_get(&req->query, "granularity");
	if (g == NULL)
		*unit = to - from <= 2 * 86400000LL ? TZ_HOUR : TZ_DAY;
	else if (strcmp(g, "minute") == 0)
		*unit = TZ_MINUTE;
	else if (strcmp(g, "hour") == 0)
		*unit = TZ_HOUR;
	else if (strcmp(g, "day") == 0)
		*unit = TZ_DAY;
	else if (strcmp(g, "week") == 0)
		*unit = TZ_WEEK;
	else {
		http_send_error(req, 400, "bad_request", "'granularity' must be minute, hour, day or week", NULL);
		return -1;
	}
	return 0;
}

static const char *
unit_name(int unit)
{
	return unit == TZ_MINUTE ? "minute" : unit == TZ_HOUR ? "hour" : unit == TZ_DAY ? "day" : "week";
}

void
product_timeseries(struct http_req *req, int metric)
{
	const char *event = query_get(&req->query, "event");
	struct series s;
	struct event_query q;
	json_object *data, *o;
	int64_t from, to, nb = 0;
	size_t gi = 0;
	int rc;

	memset(&s, 0, sizeof(s));
	if (handler_range(req, &from, &to) != 0 || parse_tz(req, &s.z) != 0 ||
	    parse_granularity(req, from, to, &s.unit) != 0)
		return;
	if (s.unit == TZ_MINUTE && to - from > MINUTE_RANGE_MS) {
		http_send_error(req, 400, "bad_request", "granularity=minute reads the raw events: "
		    "the range must be 24 hours or less", NULL);
		return;
	}
	for (int64_t b = tz_bucket_start(s.z, from, s.unit); b < to && nb <= MAX_BUCKETS;
	    b = tz_bucket_next(s.z, b, s.unit))
		nb++;
	if (nb > MAX_BUCKETS) {
		http_send_error(req, 400, "bad_request", "the range holds more than 5000 buckets: "
		    "choose a coarser granularity", NULL);
		return;
	}
	if (s.unit == TZ_MINUTE) {
		/* minutes are whole in every zone tally knows */
		rc = store_event_minutes(req->store, req->auth.project_id, event, from, to, series_row, &s);
	} else {
		memset(&q, 0, sizeof(q));
		q.from_ms = from;
		q.to_ms = to;
		q.dim = EDIM_NONE;
		q.event = event;
		q.sketches = pm_sketch(metric);
		q.bucket_of = local_bucket;
		q.bucket_ctx = &s;
		/* UTC days and weeks are made of whole UTC days */
		q.whole_days = s.z == NULL && (s.unit == TZ_DAY || s.unit == TZ_WEEK);
		q.whole_weeks = s.z == NULL && s.unit == TZ_WEEK;
		rc = store_event_aggregate(req->store, req->auth.project_id, &q, series_row, &s);
	}
	if (rc != 0 || s.failed) {
		free(s.rows);
		handler_unavailable(req);
		return;
	}
	data = json_object_new_array();
	/* zero-filled: every bucket of the range, in order (the rows come ordered) */
	for (int64_t b = tz_bucket_start(s.z, from, s.unit); b < to; b = tz_bucket_next(s.z, b, s.unit)) {
		struct event_agg zero = { "", b, 0, 0, 0, NULL, NULL }, *a = &zero;
		while (gi < s.n && s.rows[gi].bucket_ms < b)
			gi++;
		if (gi < s.n && s.rows[gi].bucket_ms == b)
			a = &s.rows[gi];
		o = json_object_new_object();
		json_object_object_add(o, "timestamp", handler_time(b));
		if (s.z)
			json_object_object_add(o, "local", local_time(s.z, b));
		json_object_object_add(o, "value", json_object_new_int64(pm_value(a, metric)));
		json_object_object_add(o, "events", json_object_new_int64(a->events));
		/* the distinct counts read: both per minute, the metric's own from the rollups */
		if (metric == PM_USERS || s.unit == TZ_MINUTE)
			json_object_object_add(o, "users", json_object_new_int64(a->users));
		if (metric == PM_SESSIONS || s.unit == TZ_MINUTE)
			json_object_object_add(o, "sessions", json_object_new_int64(a->sessions));
		json_object_array_add(data, o);
	}
	free(s.rows);
	o = json_object_new_object();
	json_object_object_add(o, "data", data);
	json_object_object_add(o, "metric", json_object_new_string(pm_names[metric]));
	json_object_object_add(o, "granularity", json_object_new_string(unit_name(s.unit)));
	json_object_object_add(o, "tz", json_object_new_string(query_get(&req->query, "tz") && s.z
	    ? query_get(&req->query, "tz") : "UTC"));
	if (event)
		json_object_object_add(o, "event", json_object_new_string(event));
	http_send_json(req, 200, o);
	json_object_put(o);
}

/* ---- breakdown ---- */

struct group {
	char *key;
	int64_t events, users, sessions;
	struct hll *u, *s;          /* kept for the "other" row's union */
	int64_t rank;
};

struct groups {
	struct group *g;
	size_t n, cap;
	int metric, failed;
};

static int
group_row(void *arg, const struct event_agg *a)
{
	struct groups *x = arg;
	struct group *g = util_grow(x->g, &x->cap, x->n, sizeof(*x->g), 64);

	if (g == NULL) {
		x->failed = 1;
		return 1;
	}
	x->g = g;
	g = &x->g[x->n];
	memset(g, 0, sizeof(*g));
	g->events = a->events;
	g->users = a->users;
	g->sessions = a->sessions;
	g->rank = pm_value(a, x->metric);
	x->n++;
	if ((g->key = strdup(a->key)) == NULL) {
		x->failed = 1;
		return 1;
	}
	/* the sketches are the store's until the callback returns: "other" needs copies */
	if ((a->user_sketch && ((g->u = hll_new()) == NULL || hll_merge(g->u, a->user_sketch) != 0)) ||
	    (a->session_sketch && ((g->s = hll_new()) == NULL || hll_merge(g->s, a->session_sketch) != 0))) {
		x->failed = 1;
		return 1;
	}
	return 0;
}

static void
groups_free(struct groups *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->g[i].key);
		hll_free(x->g[i].u);
		hll_free(x->g[i].s);
	}
	free(x->g);
}

static int
by_rank(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* `by` of an event breakdown: the dimension, or -1. */
int
product_dimension(const char *by, const char **property)
{
	*property = NULL;
	if (by == NULL)
		return -1;
	if (strcmp(by, "event") == 0)
		return EDIM_EVENT;
	if (strcmp(by, "url") == 0)
		return EDIM_URL;
	if (strcmp(by, "referrer") == 0)
		return EDIM_REFERRER;
	if (strcmp(by, "shop") == 0)
		return EDIM_SHOP;
	if (strncmp(by, "properties.", 11) == 0 && by[11] != '\0' && strlen(by + 11) <= 64) {
		*property = by + 11;
		return EDIM_PROPERTY;
	}
	return -1;
}

static json_object *
group_json(const char *key, int64_t value, int64_t events, int64_t users, int64_t sessions, int sketches)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "key", json_object_new_string(key));
	json_object_object_add(o, "value", json_object_new_int64(value));
	json_object_object_add(o, "events", json_object_new_int64(events));
	if (sketches & EQ_USERS)
		json_object_object_add(o, "users", json_object_new_int64(users));
	if (sketches & EQ_SESSIONS)
		json_object_object_add(o, "sessions", json_object_new_int64(sessions));
	return o;
}

void
product_breakdown(struct http_req *req, const char *by, int dim, const char *property, int metric)
{
	struct event_query q;
	struct groups x;
	struct hll *ou = NULL, *os = NULL;
	json_object *data, *o;
	int64_t limit, oe = 0;
	size_t others = 0;

	memset(&q, 0, sizeof(q));
	memset(&x, 0, sizeof(x));
	if (handler_range(req, &q.from_ms, &q.to_ms) != 0 ||
	    handler_query_int(req, "limit", 1, 1000, 10, &limit) != 0)
		return;
	q.dim = dim;
	q.property = property;
	q.event = query_get(&req->query, "event");
	q.sketches = pm_sketch(metric);
	q.whole_days = q.whole_weeks = 1;
	x.metric = metric;
	if (store_event_aggregate(req->store, req->auth.project_id, &q, group_row, &x) != 0 || x.failed) {
		groups_free(&x);
		handler_unavailable(req);
		return;
	}
	if (x.n > 0)
		qsort(x.g, x.n, sizeof(*x.g), by_rank);
	if (((q.sketches & EQ_USERS) && (ou = hll_new()) == NULL) ||
	    ((q.sketches & EQ_SESSIONS) && (os = hll_new()) == NULL))
		x.failed = 1;
	data = json_object_new_array();
	for (size_t i = 0; i < x.n; i++) {
		const struct group *g = &x.g[i];
		const char *key = g->key;
		if ((int64_t)i >= limit) {
			/* the tail folds into "other": counts add up, users are a union */
			oe += g->events;
			if ((ou && hll_merge(ou, g->u) != 0) || (os && hll_merge(os, g->s) != 0))
				x.failed = 1;
			others++;
			continue;
		}
		if (dim == EDIM_REFERRER && *key == '\0')
			key = "(direct)";
		json_object_array_add(data, group_json(key, g->rank, g->events, g->users, g->sessions, q.sketches));
	}
	if (others > 0) {
		int64_t u = ou ? (int64_t)(hll_estimate(ou) + 0.5) : 0;
		int64_t s = os ? (int64_t)(hll_estimate(os) + 0.5) : 0;
		o = group_json("other", metric == PM_EVENTS ? oe : metric == PM_USERS ? u : s, oe, u, s,
		    q.sketches);
		json_object_object_add(o, "groups", json_object_new_int64((int64_t)others));
		json_object_array_add(data, o);
	}
	groups_free(&x);
	hll_free(ou);
	hll_free(os);
	if (x.failed) {
		json_object_put(data);
		handler_unavailable(req);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "data", data);
	json_object_object_add(o, "by", json_object_new_string(by));
	json_object_object_add(o, "metric", json_object_new_string(pm_names[metric]));
	http_send_json(req, 200, o);
	json_object_put(o);
}

/* ---- stats ---- */

struct stats {
	int64_t events, users, sessions, pageviews;
	json_object *top;
	struct groups names;
	struct trust_acc trust;
	int64_t as_of;
};

static int
stats_total(void *arg, const struct event_agg *a)
{
	struct stats *s = arg;
	s->events = a->events;
	s->users = a->users;
	s->sessions = a->sessions;
	return 0;
}

static int
stats_vote(void *arg, const struct vote_row *v)
{
	struct stats *s = arg;
	trust_add(&s->trust, v->v.value, v->v.ts_ms, s->as_of);
	return 0;
}

struct llm_totals {
	int64_t calls, tokens, cost;
};

static int
stats_llm(void *arg, const struct llm_agg *a)
{
	struct llm_totals *t = arg;
	t->calls += a->calls;
	t->tokens = util_add_sat(t->tokens, util_add_sat(a->input_tokens, a->output_tokens));
	t->cost = util_add_sat(t->cost, a->cost_nusd);
	return 0;
}

void
handle_stats(struct http_req *req)
{
	struct stats s;
	struct event_query q;
	struct llm_query lq;
	struct llm_totals lt;
	json_object *d, *top;
	int64_t from, to;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(&lt, 0, sizeof(lt));
	if (handler_range(req, &from, &to) != 0)
		return;
	memset(&q, 0, sizeof(q));
	q.from_ms = from;
	q.to_ms = to;
	q.whole_days = q.whole_weeks = 1;
	q.sketches = EQ_USERS | EQ_SESSIONS;
	rc = store_event_aggregate(req->store, req->auth.project_id, &q, stats_total, &s);
	q.sketches = 0;
	q.dim = EDIM_EVENT;
	s.names.metric = PM_EVENTS;
	if (rc == 0)
		rc = store_event_aggregate(req->store, req->auth.project_id, &q, group_row, &s.names);
	memset(&lq, 0, sizeof(lq));
	lq.from_ms = from;
	lq.to_ms = to;
	if (rc == 0)
		rc = store_llm_aggregate(req->store, req->auth.project_id, &lq, stats_llm, &lt);
	s.as_of = to;
	if (rc == 0)
		rc = store_votes_list(req->store, req->auth.project_id, from, to, NULL, stats_vote, &s);
	if (rc != 0 || s.names.failed) {
		groups_free(&s.names);
		handler_unavailable(req);
		return;
	}
	if (s.names.n > 0)
		qsort(s.names.g, s.names.n, sizeof(*s.names.g), by_rank);
	top = json_object_new_array();
	for (size_t i = 0; i < s.names.n; i++) {
		if (strcmp(s.names.g[i].key, "$pageview") == 0)
			s.pageviews = s.names.g[i].events;
		if (i < 10) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "event", json_object_new_string(s.names.g[i].key));
			json_object_object_add(o, "count", json_object_new_int64(s.names.g[i].events));
			json_object_array_add(top, o);
		}
	}
	groups_free(&s.names);
	d = json_object_new_object();
	json_object_object_add(d, "from", handler_time(from));
	json_object_object_add(d, "to", handler_time(to));
	json_object_object_add(d, "events", json_object_new_int64(s.events));
	json_object_object_add(d, "users", json_object_new_int64(s.users));
	json_object_object_add(d, "sessions", json_object_new_int64(s.sessions));
	json_object_object_add(d, "pageviews", json_object_new_int64(s.pageviews));
	json_object_object_add(d, "llmCalls", json_object_new_int64(lt.calls));
	json_object_object_add(d, "tokens", json_object_new_int64(lt.tokens));
	json_object_object_add(d, "cost", handler_usd(lt.cost));
	json_object_object_add(d, "costNusd", json_object_new_int64(lt.cost));
	json_object_object_add(d, "votes", json_object_new_int64(s.trust.votes));
	json_object_object_add(d, "votesUp", json_object_new_int64(s.trust.up));
	json_object_object_add(d, "votesDown", json_object_new_int64(s.trust.down));
	json_object_object_add(d, "trustScore", json_object_new_double(trust_score(&s.trust)));
	json_object_object_add(d, "topEvents", top);
	handler_send_data(req, d);
}
