/*
 * insights_gen: one generation of a project's insights for a clock `now`.
 * Reads the event and LLM rollups through the store (hourly series for the
 * anomalies, two days for the summary, two weeks for the trends), applies
 * the rules of insights.c and stores the result in one transaction. The
 * same rollups and the same clock give the same rows, byte for byte.
 */
#include "insights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "log.h"
#include "price.h"
#include "store.h"
#include "timestamp.h"

#define H INSIGHTS_HOUR_MS
#define D INSIGHTS_DAY_MS
/* the hourly series: the 24 hours checked and the 14 days before the first of them */
#define SERIES_HOURS ((INSIGHTS_HISTORY_DAYS + 1) * 24)

struct gen {
	struct store *st;
	int64_t project_id, now, day0, hour0;
	struct insights_run *run;
};

/* ---- rows ---- */

static json_object *
json_iso(int64_t ms)
{
	char iso[32];
	ts_format_iso(ms, iso);
	return json_object_new_string(iso);
}

/* USD as an exact decimal number (185100 nano-dollars → 0.0001851). */
static json_object *
json_usd(int64_t nusd)
{
	char s[PRICE_USD_LEN];
	price_format_usd(nusd, s, sizeof(s));
	return json_object_new_double_s((double)nusd / 1e9, s);
}

/* A number with at most `decimals` decimals, written without trailing zeros. */
static json_object *
json_num(double v, int decimals)
{
	char s[64];
	size_t n;

	snprintf(s, sizeof(s), "%.*f", decimals, v);
	n = strlen(s);
	if (strchr(s, '.') != NULL) {
		while (s[n - 1] == '0')
			s[--n] = '\0';
		if (s[n - 1] == '.')
			s[--n] = '\0';
	}
	if (strcmp(s, "-0") == 0)
		strcpy(s, "0");
	return json_object_new_double_s(v, s);
}

/* changePct: the percent change to one decimal, null when there was nothing before. */
static json_object *
json_change(int64_t prev, int64_t cur)
{
	double pct;
	if (insights_change_pct(prev, cur, &pct) != 0)
		return NULL;
	return json_num(round(pct * 10) / 10, 1);
}

/* {value, previous, changePct} of a count. */
static json_object *
json_pair(int64_t prev, int64_t cur)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "value", json_object_new_int64(cur));
	json_object_object_add(o, "previous", json_object_new_int64(prev));
	json_object_object_add(o, "changePct", json_change(prev, cur));
	return o;
}

/* {value, previous, changePct, valueNusd, previousNusd} of a cost: USD and nano-dollars. */
static json_object *
json_cost_pair(int64_t prev, int64_t cur)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "value", json_usd(cur));
	json_object_object_add(o, "previous", json_usd(prev));
	json_object_object_add(o, "changePct", json_change(prev, cur));
	json_object_object_add(o, "valueNusd", json_object_new_int64(cur));
	json_object_object_add(o, "previousNusd", json_object_new_int64(prev));
	return o;
}

/* Appends a row; data is consumed. -1 when out of memory. */
static int
add_row(struct gen *g, const char *kind, const char *subject, int64_t start, int64_t end,
    const char *title, json_object *data)
{
	struct insights_run *r = g->run;
	struct insight *rows;
	const char *text;
	int rc = -1;

	if (data == NULL)
		return -1;
	text = json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL || (rows = util_grow(r->rows, &r->cap, r->n, sizeof(*r->rows), 32)) == NULL)
		goto out;
	r->rows = rows;
	rows = &r->rows[r->n];
	memset(rows, 0, sizeof(*rows));
	rows->kind = kind;
	rows->period_start_ms = start;
	rows->period_end_ms = end;
	rows->created_ms = g->now;
	if ((rows->subject = strpool_dup(&r->pool, subject)) == NULL ||
	    (rows->title = strpool_dup(&r->pool, title)) == NULL ||
	    (rows->data = strpool_dup(&r->pool, text)) == NULL)
		goto out;
	r->n++;
	rc = 0;
out:
	json_object_put(data);
	return rc;
}

/* ---- rollup reads ---- */

static int64_t
same_hour(void *ctx, int64_t utc_ms)
{
	(void)ctx;
	return utc_ms;
}

static int64_t
day_of(void *ctx, int64_t utc_ms)
{
	(void)ctx;
	return utc_ms - utc_ms % D;
}

/* The start of the trend week a day falls in (ctx: the last week's start). */
static int64_t
week_of(void *ctx, int64_t utc_ms)
{
	int64_t last = *(const int64_t *)ctx;
	return utc_ms < last ? last - 7 * D : last;
}

struct series {
	int64_t base;
	int64_t v[SERIES_HOURS];
};

static int
series_events(void *arg, const struct event_agg *row)
{
	struct series *s = arg;
	int64_t i = (row->bucket_ms - s->base) / H;
	if (row->bucket_ms >= s->base && i < SERIES_HOURS)
		s->v[i] = util_add_sat(s->v[i], row->events);
	return 0;
}

static int
series_cost(void *arg, const struct llm_agg *row)
{
	struct series *s = arg;
	int64_t i = (row->bucket_ms - s->base) / H;
	if (row->bucket_ms >= s->base && i < SERIES_HOURS)
		s->v[i] = util_add_sat(s->v[i], row->cost_nusd);
	return 0;
}

/* ---- anomaly ---- */

static int
anomalies_of(struct gen *g, const struct series *s, int metric)
{
	const char *subject = metric == METRIC_COST ? "cost" : "events";
	double min_abs = metric == METRIC_COST ? INSIGHTS_ANOMALY_MIN_COST_NUSD : INSIGHTS_ANOMALY_MIN_EVENTS;

	for (size_t at = SERIES_HOURS - INSIGHTS_ANOMALY_HOURS; at < SERIES_HOURS; at++) {
		double hist[INSIGHTS_HISTORY_DAYS];
		struct insights_band b;
		int64_t hour = s->base + (int64_t)at * H;
		json_object *o, *arr;
		char title[512];
		int dir;

		if (!insights_history_active(s->v, at, INSIGHTS_HISTORY_DAYS))
			continue;
		/* oldest first: 14 days before, …, the day before */
		for (int k = INSIGHTS_HISTORY_DAYS; k >= 1; k--)
			hist[INSIGHTS_HISTORY_DAYS - k] = (double)s->v[at - (size_t)k * 24];
		if ((dir = insights_band_check(hist, INSIGHTS_HISTORY_DAYS, (double)s->v[at], min_abs, &b)) == 0)
			continue;
		insights_anomaly_title(metric, hour, (double)s->v[at], &b, dir, title, sizeof(title));
		o = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(o, "metric", json_object_new_string(subject));
		json_object_object_add(o, "unit", json_object_new_string(metric == METRIC_COST ? "usd" : "events"));
		json_object_object_add(o, "hour", json_iso(hour));
		json_object_object_add(o, "direction", json_object_new_string(dir > 0 ? "above" : "below"));
		if (metric == METRIC_COST) {
			json_object_object_add(o, "value", json_usd(s->v[at]));
			json_object_object_add(o, "median", json_usd(llround(b.median)));
			json_object_object_add(o, "mad", json_usd(llround(b.mad)));
			json_object_object_add(o, "lower", json_usd(llround(b.lower)));
			json_object_object_add(o, "upper", json_usd(llround(b.upper)));
			json_object_object_add(o, "minDeviation", json_usd(llround(b.min_dev)));
			json_object_object_add(o, "valueNusd", json_object_new_int64(s->v[at]));
			for (int k = 0; k < INSIGHTS_HISTORY_DAYS; k++)
				json_object_array_add(arr, json_usd((int64_t)hist[k]));
		} else {
			json_object_object_add(o, "value", json_object_new_int64(s->v[at]));
			json_object_object_add(o, "median", json_num(b.median, 2));
			json_object_object_add(o, "mad", json_num(b.mad, 2));
			json_object_object_add(o, "lower", json_num(b.lower, 2));
			json_object_object_add(o, "upper", json_num(b.upper, 2));
			json_object_object_add(o, "minDeviation", json_num(b.min_dev, 2));
			for (int k = 0; k < INSIGHTS_HISTORY_DAYS; k++)
				json_object_array_add(arr, json_object_new_int64((int64_t)hist[k]));
		}
		json_object_object_add(o, "history", arr);
		if (add_row(g, "anomaly", subject, hour, hour + H, title, o) != 0)
			return -1;
	}
	return 0;
}

static int
anomalies(struct gen *g)
{
	struct series *ev = calloc(1, sizeof(*ev)), *cost = calloc(1, sizeof(*cost));
	struct event_query eq;
	struct llm_query lq;
	int rc = -1;

	if (ev == NULL || cost == NULL)
		goto out;
	ev->base = cost->base = g->hour0 - SERIES_HOURS * H;
	memset(&eq, 0, sizeof(eq));
	eq.from_ms = ev->base;
	eq.to_ms = g->hour0;
	eq.dim = EDIM_NONE;
	eq.bucket_of = same_hour;
	memset(&lq, 0, sizeof(lq));
	lq.from_ms = cost->base;
	lq.to_ms = g->hour0;
	lq.by = BY_NONE;
	lq.bucket = BUCKET_HOUR;
	if (store_event_aggregate(g->st, g->project_id, &eq, series_events, ev) != 0 ||
	    store_llm_aggregate(g->st, g->project_id, &lq, series_cost, cost) != 0)
		goto out;
	/* hour by hour, the events before the cost: the rows' order is the order found */
	rc = anomalies_of(g, ev, METRIC_EVENTS) != 0 || anomalies_of(g, cost, METRIC_COST) != 0 ? -1 : 0;
out:
	free(ev);
	free(cost);
	return rc;
}

/* ---- summary ---- */

struct two_days {
	int64_t day;                    /* the later day's start */
	struct insights_day d[2];       /* [0] the day before, [1] the day */
};

static int
day_events(void *arg, const struct event_agg *row)
{
	struct two_days *t = arg;
	int i = row->bucket_ms == t->day ? 1 : row->bucket_ms == t->day - D ? 0 : -1;
	if (i >= 0) {
		t->d[i].events += row->events;
		t->d[i].users += row->users;
	}
	return 0;
}

static int
day_calls(void *arg, const struct llm_agg *row)
{
	struct two_days *t = arg;
	int i = row->bucket_ms == t->day ? 1 : row->bucket_ms == t->day - D ? 0 : -1;
	if (i >= 0) {
		t->d[i].calls += row->calls;
		t->d[i].cost_nusd = util_add_sat(t->d[i].cost_nusd, row->cost_nusd);
	}
	return 0;
}

static int
summary(struct gen *g)
{
	struct two_days t;
	struct event_query eq;
	struct llm_query lq;
	json_object *o;
	char title[512], date[32];
	const struct insights_day *a, *b;

	memset(&t, 0, sizeof(t));
	t.day = g->day0 - D;
	memset(&eq, 0, sizeof(eq));
	eq.from_ms = g->day0 - 2 * D;
	eq.to_ms = g->day0;
	eq.dim = EDIM_NONE;
	eq.sketches = 1;        /* distinct users of each day from the HyperLogLog sketches */
	eq.bucket_of = day_of;
	eq.whole_days = 1;
	memset(&lq, 0, sizeof(lq));
	lq.from_ms = g->day0 - 2 * D;
	lq.to_ms = g->day0;
	lq.by = BY_NONE;
	lq.bucket = BUCKET_DAY;
	if (store_event_aggregate(g->st, g->project_id, &eq, day_events, &t) != 0 ||
	    store_llm_aggregate(g->st, g->project_id, &lq, day_calls, &t) != 0)
		return -1;
	a = &t.d[1];
	b = &t.d[0];
	if (a->events == 0 && b->events == 0 && a->calls == 0 && b->calls == 0)
		return 0;       /* an idle project gets no daily line */
	insights_summary_title(t.day, a, b, title, sizeof(title));
	o = json_object_new_object();
	ts_format_iso(t.day, date);
	date[10] = '\0';
	json_object_object_add(o, "day", json_object_new_string(date));
	ts_format_iso(t.day - D, date);
	date[10] = '\0';
	json_object_object_add(o, "previousDay", json_object_new_string(date));
	json_object_object_add(o, "events", json_pair(b->events, a->events));
	json_object_object_add(o, "users", json_pair(b->users, a->users));
	json_object_object_add(o, "calls", json_pair(b->calls, a->calls));
	json_object_object_add(o, "cost", json_cost_pair(b->cost_nusd, a->cost_nusd));
	return add_row(g, "summary", "daily", t.day, g->day0, title, o);
}

/* ---- trend ---- */

struct item {
	char *name;
	int64_t prev, cur;              /* events or calls */
	int64_t prev_cost, cur_cost;    /* LLM items */
};

struct items {
	struct item *it;
	size_t n, cap;
	int64_t last_week;              /* the last week's start */
	int failed;
};

static int
items_add(struct items *x, const char *name, int later, int64_t count, int64_t cost)
{
	struct item *it = util_grow(x->it, &x->cap, x->n, sizeof(*x->it), 64);

	if (it == NULL) {
		x->failed = 1;
		return 1;
	}
	x->it = it;
	it = &x->it[x->n];
	memset(it, 0, sizeof(*it));
	if ((it->name = strdup(name ? name : "")) == NULL) {
		x->failed = 1;
		return 1;
	}
	x->n++;
	*(later ? &it->cur : &it->prev) = count;
	*(later ? &it->cur_cost : &it->prev_cost) = cost;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->name, ((const struct item *)b)->name);
}

/* Sorts by name and folds the rows of one name into one item. */
static void
items_merge(struct items *x)
{
	size_t j = 0;

	if (x->n == 0)
		return;
	qsort(x->it, x->n, sizeof(*x->it), by_name);
	for (size_t i = 1; i < x->n; i++) {
		struct item *a = &x->it[j], *b = &x->it[i];
		if (strcmp(a->name, b->name) == 0) {
			a->prev = util_add_sat(a->prev, b->prev);
			a->cur = util_add_sat(a->cur, b->cur);
			a->prev_cost = util_add_sat(a->prev_cost, b->prev_cost);
			a->cur_cost = util_add_sat(a->cur_cost, b->cur_cost);
			free(b->name);
		} else
			x->it[++j] = *b;
	}
	x->n = j + 1;
}

static void
items_free(struct items *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->it[i].name);
	free(x->it);
	memset(x, 0, sizeof(*x));
}

static int
week_events(void *arg, const struct event_agg *row)
{
	struct items *x = arg;
	return items_add(x, row->key, row->bucket_ms == x->last_week, row->events, 0);
}

struct llm_week {
	struct items *x;
	int later;
};

static int
week_calls(void *arg, const struct llm_agg *row)
{
	struct llm_week *w = arg;
	return items_add(w->x, row->key1, w->later, row->calls, row->cost_nusd);
}

/* The LLM items of one dimension over the two weeks. */
static int
llm_items(struct gen *g, int by, struct items *x)
{
	for (int later = 0; later < 2; later++) {
		struct llm_week w = { x, later };
		struct llm_query q;

		memset(&q, 0, sizeof(q));
		q.from_ms = later ? x->last_week : x->last_week - 7 * D;
		q.to_ms = later ? g->day0 : x->last_week;
		q.by = by;
		q.bucket = BUCKET_NONE;
		if (store_llm_aggregate(g->st, g->project_id, &q, week_calls, &w) != 0 || x->failed)
			return -1;
	}
	items_merge(x);
	return 0;
}

/* The largest absolute change first, then by name. */
static int
by_change(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	__int128 dx = (__int128)x->cur - x->prev, dy = (__int128)y->cur - y->prev;

	if (dx < 0)
		dx = -dx;
	if (dy < 0)
		dy = -dy;
	if (dx != dy)
		return dx > dy ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
trend_row(struct gen *g, int type, const struct item *it)
{
	static const char *const prefix[TREND__TYPES] = { "cost", "feature:", "model:", "event:" };
	static const char *const metric[TREND__TYPES] = { "cost", "calls", "calls", "events" };
	int64_t start = g->day0 - 7 * D;
	const char *name = type == TREND_COST ? "" : it->name;
	size_t len = strlen(prefix[type]) + strlen(name) + 1;
	char title[512], *subject;
	json_object *o;
	int rc;

	/* names are up to 200 characters, 800 bytes: the subject is never cut */
	if ((subject = malloc(len)) == NULL)
		return -1;
	snprintf(subject, len, "%s%s", prefix[type], name);
	o = json_object_new_object();
	json_object_object_add(o, "metric", json_object_new_string(metric[type]));
	if (type != TREND_COST)
		json_object_object_add(o, "name", json_object_new_string(it->name));
	json_object_object_add(o, "from", json_iso(start));
	json_object_object_add(o, "to", json_iso(g->day0));
	json_object_object_add(o, "previousFrom", json_iso(start - 7 * D));
	if (type == TREND_COST) {
		json_object_object_add(o, "value", json_usd(it->cur_cost));
		json_object_object_add(o, "previous", json_usd(it->prev_cost));
		json_object_object_add(o, "changePct", json_change(it->prev_cost, it->cur_cost));
		json_object_object_add(o, "valueNusd", json_object_new_int64(it->cur_cost));
		json_object_object_add(o, "previousNusd", json_object_new_int64(it->prev_cost));
		insights_trend_title(type, NULL, it->prev_cost, it->cur_cost, title, sizeof(title));
	} else {
		json_object_object_add(o, "value", json_object_new_int64(it->cur));
		json_object_object_add(o, "previous", json_object_new_int64(it->prev));
		json_object_object_add(o, "changePct", json_change(it->prev, it->cur));
		if (type != TREND_EVENT)
			json_object_object_add(o, "cost", json_cost_pair(it->prev_cost, it->cur_cost));
		insights_trend_title(type, it->name, it->prev, it->cur, title, sizeof(title));
	}
	rc = add_row(g, "trend", subject, start, g->day0, title, o);
	free(subject);
	return rc;
}

/*
 * The flagged items of one type: the INSIGHTS_TREND_MAX_PER_TYPE with the
 * largest absolute change, written in name order. Unnamed features and
 * models ("") are left to the total cost.
 */
static int
trend_rows(struct gen *g, int type, const struct items *x)
{
	struct item *pick = malloc((x->n ? x->n : 1) * sizeof(*pick));    /* names borrowed */
	size_t k = 0;
	int rc = 0;

	if (pick == NULL)
		return -1;
	for (size_t i = 0; i < x->n; i++)
		if (x->it[i].name[0] != '\0' && insights_trend_flag(x->it[i].prev, x->it[i].cur,
		    INSIGHTS_TREND_MIN_EACH, INSIGHTS_TREND_MIN_LARGER))
			pick[k++] = x->it[i];
	if (k > INSIGHTS_TREND_MAX_PER_TYPE) {
		qsort(pick, k, sizeof(*pick), by_change);
		k = INSIGHTS_TREND_MAX_PER_TYPE;
		qsort(pick, k, sizeof(*pick), by_name);
	}
	for (size_t i = 0; i < k && rc == 0; i++)
		rc = trend_row(g, type, &pick[i]);
	free(pick);
	return rc;
}

static int
trends(struct gen *g)
{
	struct items ev, feat, model;
	struct item total;
	struct event_query eq;
	int rc = -1;

	memset(&ev, 0, sizeof(ev));
	memset(&feat, 0, sizeof(feat));
	memset(&model, 0, sizeof(model));
	ev.last_week = feat.last_week = model.last_week = g->day0 - 7 * D;
	memset(&eq, 0, sizeof(eq));
	eq.from_ms = g->day0 - 14 * D;
	eq.to_ms = g->day0;
	eq.dim = EDIM_EVENT;
	eq.bucket_of = week_of;
	eq.bucket_ctx = &ev.last_week;
	eq.whole_days = 1;
	if (store_event_aggregate(g->st, g->project_id, &eq, week_events, &ev) != 0 || ev.failed)
		goto out;
	items_merge(&ev);
	if (llm_items(g, BY_FEATURE, &feat) != 0 || llm_items(g, BY_MODEL, &model) != 0)
		goto out;
	/* every call has one feature value ("" included): the features add up to the total */
	memset(&total, 0, sizeof(total));
	total.name = (char *)"";
	for (size_t i = 0; i < feat.n; i++) {
		total.prev_cost = util_add_sat(total.prev_cost, feat.it[i].prev_cost);
		total.cur_cost = util_add_sat(total.cur_cost, feat.it[i].cur_cost);
	}
	if (insights_trend_flag(total.prev_cost, total.cur_cost, INSIGHTS_TREND_COST_MIN_EACH,
	    INSIGHTS_TREND_COST_MIN_LARGER) && trend_row(g, TREND_COST, &total) != 0)
		goto out;
	if (trend_rows(g, TREND_FEATURE, &feat) != 0 || trend_rows(g, TREND_MODEL, &model) != 0 ||
	    trend_rows(g, TREND_EVENT, &ev) != 0)
		goto out;
	rc = 0;
out:
	items_free(&ev);
	items_free(&feat);
	items_free(&model);
	return rc;
}

/* ---- one generation ---- */

int
insights_generate(struct store *st, int64_t project_id, int64_t now_ms, struct insights_run *out)
{
	struct gen g;
	struct insight_scope scopes[3];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&g, 0, sizeof(g));
	g.st = st;
	g.project_id = project_id;
	g.now = now_ms;
	g.day0 = now_ms - now_ms % D;
	g.hour0 = now_ms - now_ms % H;
	g.run = out;
	/* summary, trends, anomalies: the order the rows are stored (and numbered) in */
	if (summary(&g) != 0 || trends(&g) != 0 || anomalies(&g) != 0)
		goto out;
	/* what this generation covers: an earlier row there that is not found again goes */
	scopes[0] = (struct insight_scope){ "summary", g.day0 - D, g.day0 - D + 1 };
	scopes[1] = (struct insight_scope){ "trend", g.day0 - 7 * D, g.day0 - 7 * D + 1 };
	scopes[2] = (struct insight_scope){ "anomaly", g.hour0 - INSIGHTS_ANOMALY_HOURS * H, g.hour0 };
	if (store_insights_put(st, project_id, out->rows, out->n, scopes, 3) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		log_msg(LOG_ERROR, "%s: project %lld: the insights could not be generated", __func__,
		    (long long)project_id);
		insights_run_free(out);
	}
	return rc;
}

void
insights_run_free(struct insights_run *r)
{
	if (r == NULL)
		return;
	free(r->rows);
	strpool_free(&r->pool);
	memset(r, 0, sizeof(*r));
}
