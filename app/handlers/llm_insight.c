/*
 * llm_insight: the LLM analyses that need more than sums (SPEC §5.3):
 * prompt bloat and near-duplicate prompts, the trust score, and the
 * flamegraph by span-name path.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler_util.h"
#include "handlers.h"
#include "hist.h"
#include "simhash.h"
#include "store.h"
#include "trust.h"
#include "util.h"

#define DAY_MS 86400000LL
#define BLOAT_FACTOR 2          /* input above 2× the feature+model median */
#define RATIO_LIMIT 10          /* input/output above 10 */
#define FLAGGED_PER_GROUP 20
#define FLAGGED_MAX 200
#define RULE1_MAX 100          /* rule 1's share of FLAGGED_MAX */
#define MEDIAN_GROUPS_MAX 200
#define CLUSTER_CALLS 2000      /* the newest calls with prompt text */
#define CLUSTERS_MAX 20
#define FLAME_TRACES 1000       /* mode=spans: the newest traces of the range */

/* ---- prompts ---- */

struct median {
	char *feature, *model;
	int64_t median, calls;
	uint64_t above;         /* calls above twice the median, from the histogram */
};

struct medians {
	struct median *m;
	size_t n;
	int failed;
};

static int
collect_median(void *arg, const struct llm_agg *a)
{
	struct medians *x = arg;
	struct median *m;

	if (x->n == MEDIAN_GROUPS_MAX)
		return 1;
	m = &x->m[x->n];
	m->feature = strdup(a->key1);
	m->model = strdup(a->key2);
	m->median = (int64_t)llround(hist_percentile(a->input, 0.5));
	m->calls = a->calls;
	m->above = 0;
	for (int b = 0; b < HIST_BUCKETS; b++)
		if (hist_bucket_value(b) > (double)(BLOAT_FACTOR * m->median))
			m->above += a->input->count[b];
	if (m->feature == NULL || m->model == NULL) {
		free(m->feature);
		free(m->model);
		x->failed = 1;
		return 1;
	}
	x->n++;
	return 0;
}

struct flagged {
	json_object *list;
	const struct median *median;    /* the group being read; NULL for the ratio pass */
	const struct medians *all;
	int count;
};

static const struct median *
median_of(const struct medians *all, const char *feature, const char *model)
{
	for (size_t i = 0; i < all->n; i++)
		if (strcmp(all->m[i].feature, feature ? feature : "") == 0 && strcmp(all->m[i].model, model) == 0)
			return &all->m[i];
	return NULL;
}

static json_object *
find_flagged(json_object *list, const char *trace_id, const char *span_id)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *o = json_object_array_get_idx(list, i), *t, *s;
		if (json_object_object_get_ex(o, "traceId", &t) && json_object_object_get_ex(o, "spanId", &s) &&
		    strcmp(json_object_get_string(t), trace_id) == 0 && strcmp(json_object_get_string(s), span_id) == 0)
			return o;
	}
	return NULL;
}

static int
flag_call(void *arg, const struct call_row *c)
{
	struct flagged *x = arg;
	const struct median *m = x->median ? x->median : median_of(x->all, c->feature, c->model);
	double io = c->output_tokens > 0 ? (double)c->input_tokens / (double)c->output_tokens
	    : (double)c->input_tokens;
	double bloat = m && m->median > 0 ? (double)c->input_tokens / (double)m->median : 1.0;
	json_object *o = find_flagged(x->list, c->trace_id, c->span_id), *reasons, *sugg;
	char text[200];

	if (o != NULL)
		return 0;       /* flagged by both rules: listed once, with both */
	if (x->count >= FLAGGED_MAX)
		return 1;
	o = json_object_new_object();
	reasons = json_object_new_array();
	sugg = json_object_new_array();
	json_object_object_add(o, "eventId", json_object_new_string(c->span_id));
	json_object_object_add(o, "traceId", json_object_new_string(c->trace_id));
	json_object_object_add(o, "spanId", json_object_new_string(c->span_id));
	json_object_object_add(o, "feature", json_object_new_string(c->feature ? c->feature : "unknown"));
	json_object_object_add(o, "model", json_object_new_string(c->model));
	json_object_object_add(o, "timestamp", handler_time(c->start_ms));
	json_object_object_add(o, "inputTokens", json_object_new_int64(c->input_tokens));
	json_object_object_add(o, "outputTokens", json_object_new_int64(c->output_tokens));
	json_object_object_add(o, "medianInputTokens", json_object_new_int64(m ? m->median : 0));
	json_object_object_add(o, "bloatRatio", json_object_new_double(round(bloat * 100) / 100));
	json_object_object_add(o, "ioRatio", json_object_new_double(round(io * 100) / 100));
	json_object_object_add(o, "redundancyScore", json_object_new_double(
	    fmin(1.0, fmax(0.0, (bloat - 1.0) / 3.0))));
	if (m && m->median > 0 && c->input_tokens > BLOAT_FACTOR * m->median) {
		json_object_array_add(reasons, json_object_new_string("input_above_2x_median"));
		snprintf(text, sizeof(text), "Input is %.1fx the median (%lld tokens) of this feature and model: "
		    "trim repeated context or summarise the history", bloat, (long long)m->median);
		json_object_array_add(sugg, json_object_new_string(text));
	}
	if (c->input_tokens > RATIO_LIMIT * c->output_tokens) {
		json_object_array_add(reasons, json_object_new_string("input_output_ratio_above_10"));
		snprintf(text, sizeof(text), "Input/output ratio is %.1f:1: send fewer retrieved documents, "
		    "or move the fixed instructions into a cached prompt prefix", io);
		json_object_array_add(sugg, json_object_new_string(text));
	}
	json_object_object_add(o, "reasons", reasons);
	json_object_object_add(o, "suggestions", sugg);
	json_object_array_add(x->list, o);
	x->count++;
	return 0;
}

struct text_call {
	uint64_t hash;
	char *trace_id, *span_id, *feature, *preview;
	size_t parent;          /* union-find */
};

struct texts {
	struct text_call *c;
	size_t n;
	int failed;
};

static int
collect_text(void *arg, const struct call_row *c)
{
	struct texts *x = arg;
	struct text_call *t = &x->c[x->n];
	char preview[161];

	util_strlcpy(preview, c->input ? c->input : "", sizeof(preview));
	t->hash = c->simhash;
	t->trace_id = strdup(c->trace_id);
	t->span_id = strdup(c->span_id);
	t->feature = strdup(c->feature ? c->feature : "unknown");
	t->preview = strdup(preview);
	t->parent = x->n;
	if (!t->trace_id || !t->span_id || !t->feature || !t->preview) {
		free(t->trace_id);
		free(t->span_id);
		free(t->feature);
		free(t->preview);
		x->failed = 1;
		return 1;
	}
	x->n++;
	return 0;
}

static size_t
root_of(struct text_call *c, size_t i)
{
	while (c[i].parent != i) {
		c[i].parent = c[c[i].parent].parent;
		i = c[i].parent;
	}
	return i;
}

/* Clusters of near-duplicate prompts: SimHash within SIMHASH_NEAR bits, linked transitively. */
static json_object *
clusters_json(struct texts *x)
{
	json_object *out = json_object_new_array();
	size_t *size = calloc(x->n ? x->n : 1, sizeof(*size));

	if (size == NULL)
		return out;
	for (size_t i = 0; i < x->n; i++)
		for (size_t j = i + 1; j < x->n; j++)
			if (simhash_distance(x->c[i].hash, x->c[j].hash) <= SIMHASH_NEAR) {
				size_t a = root_of(x->c, i), b = root_of(x->c, j);
				if (a != b)
					x->c[b].parent = a;
			}
	for (size_t i = 0; i < x->n; i++)
		size[root_of(x->c, i)]++;
	for (int k = 0; k < CLUSTERS_MAX; k++) {
		size_t best = 0, best_size = 1;
		json_object *cl, *members;
		for (size_t i = 0; i < x->n; i++)
			if (size[i] > best_size) {
				best = i;
				best_size = size[i];
			}
		if (best_size < 2)
			break;
		size[best] = 0;
		cl = json_object_new_object();
		members = json_object_new_array();
		json_object_object_add(cl, "size", json_object_new_int64((int64_t)best_size));
		json_object_object_add(cl, "representative", json_object_new_string(x->c[best].preview));
		json_object_object_add(cl, "feature", json_object_new_string(x->c[best].feature));
		for (size_t i = 0; i < x->n && json_object_array_length(members) < 20; i++)
			if (root_of(x->c, i) == best) {
				json_object *m = json_object_new_object();
				json_object_object_add(m, "traceId", json_object_new_string(x->c[i].trace_id));
				json_object_object_add(m, "spanId", json_object_new_string(x->c[i].span_id));
				json_object_array_add(members, m);
			}
		json_object_object_add(cl, "members", members);
		json_object_object_add(cl, "suggestion", json_object_new_string(
		    "These prompts are near-duplicates: cache the shared part, or reuse the answer"));
		json_object_array_add(out, cl);
	}
	free(size);
	return out;
}

static int
by_above_desc(const void *a, const void *b)
{
	const struct median *x = *(const struct median *const *)a, *y = *(const struct median *const *)b;
	return x->above < y->above ? 1 : x->above > y->above ? -1 : 0;
}

void
handle_prompts(struct http_req *req)
{
	struct llm_query q;
	struct medians med;
	struct flagged fl;
	struct texts tx;
	struct calls_query cq;
	struct median **order = NULL;
	json_object *d, *medians, *sim;
	int rc = 0;

	memset(&q, 0, sizeof(q));
	memset(&med, 0, sizeof(med));
	memset(&tx, 0, sizeof(tx));
	if (handler_range(req, &q.from_ms, &q.to_ms) != 0)
		return;
	q.by = BY_FEATURE_MODEL;
	q.hists = LLM_HIST_INPUT;
	if ((med.m = calloc(MEDIAN_GROUPS_MAX, sizeof(*med.m))) == NULL ||
	    (tx.c = calloc(CLUSTER_CALLS, sizeof(*tx.c))) == NULL) {
		free(med.m);
		handler_unavailable(req);
		return;
	}
	rc = store_llm_aggregate(req->store, req->auth.project_id, &q, collect_median, &med);
	fl.list = json_object_new_array();
	fl.all = &med;
	fl.count = 0;
	/* rule 1: above twice the feature+model median, largest first; the
	 * pairs with the most such calls first, until RULE1_MAX are found */
	if (rc == 0 && !med.failed && (order = malloc((med.n ? med.n : 1) * sizeof(*order))) == NULL)
		rc = -1;
	for (size_t k = 0; k < med.n && order; k++)
		order[k] = &med.m[k];
	if (order)
		qsort(order, med.n, sizeof(*order), by_above_desc);
	for (size_t k = 0; rc == 0 && !med.failed && k < med.n && fl.count < RULE1_MAX; k++) {
		size_t i = (size_t)(order[k] - med.m);
		if (order[k]->above == 0)
			break;
		memset(&cq, 0, sizeof(cq));
		cq.kind = CALLS_INPUT_ABOVE;
		cq.from_ms = q.from_ms;
		cq.to_ms = q.to_ms;
		cq.feature = med.m[i].feature;
		cq.model = med.m[i].model;
		cq.min_input = BLOAT_FACTOR * med.m[i].median;
		cq.limit = FLAGGED_PER_GROUP;
		fl.median = &med.m[i];
		if (med.m[i].median > 0)
			rc = store_llm_calls(req->store, req->auth.project_id, &cq, flag_call, &fl);
	}
	/* rule 2: input/output ratio above 10, newest first */
	if (rc == 0 && !med.failed) {
		memset(&cq, 0, sizeof(cq));
		cq.kind = CALLS_RATIO;
		cq.from_ms = q.from_ms;
		cq.to_ms = q.to_ms;
		cq.limit = FLAGGED_MAX;
		fl.median = NULL;
		rc = store_llm_calls(req->store, req->auth.project_id, &cq, flag_call, &fl);
	}
	if (rc == 0 && !med.failed) {
		memset(&cq, 0, sizeof(cq));
		cq.kind = CALLS_WITH_TEXT;
		cq.from_ms = q.from_ms;
		cq.to_ms = q.to_ms;
		cq.limit = CLUSTER_CALLS;
		rc = store_llm_calls(req->store, req->auth.project_id, &cq, collect_text, &tx);
	}
	if (rc != 0 || med.failed || tx.failed) {
		json_object_put(fl.list);
		handler_unavailable(req);
		goto out;
	}
	medians = json_object_new_array();
	for (size_t i = 0; i < med.n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "feature", json_object_new_string(med.m[i].feature[0] ? med.m[i].feature : "unknown"));
		json_object_object_add(o, "model", json_object_new_string(med.m[i].model));
		json_object_object_add(o, "medianInputTokens", json_object_new_int64(med.m[i].median));
		json_object_object_add(o, "calls", json_object_new_int64(med.m[i].calls));
		json_object_array_add(medians, o);
	}
	sim = json_object_new_object();
	json_object_object_add(sim, "method", json_object_new_string("simhash64 over word 3-shingles"));
	json_object_object_add(sim, "maxHammingDistance", json_object_new_int(SIMHASH_NEAR));
	json_object_object_add(sim, "callsCompared", json_object_new_int64((int64_t)tx.n));
	d = json_object_new_object();
	json_object_object_add(d, "flagged", fl.list);
	json_object_object_add(d, "medians", medians);
	json_object_object_add(d, "clusters", clusters_json(&tx));
	json_object_object_add(d, "similarity", sim);
	handler_send_data(req, d);
out:
	for (size_t i = 0; i < med.n; i++) {
		free(med.m[i].feature);
		free(med.m[i].model);
	}
	for (size_t i = 0; i < tx.n; i++) {
		free(tx.c[i].trace_id);
		free(tx.c[i].span_id);
		free(tx.c[i].feature);
		free(tx.c[i].preview);
	}
	free(med.m);
	free(tx.c);
	free(order);
}

/* ---- trust score ---- */

struct user_trust {
	char *user_id;
	struct trust_acc now, week_ago;
};

struct trust_ctx {
	int64_t as_of, week_ago;
	struct trust_acc now, prev;
	struct user_trust *users;
	size_t n, cap;
	int per_user, failed;
};

static struct user_trust *
user_slot(struct trust_ctx *x, const char *user)
{
	/* votes come by time, users in any order: a linear probe over a sorted-later list */
	for (size_t i = x->n; i-- > 0;)
		if (strcmp(x->users[i].user_id, user) == 0)
			return &x->users[i];
	struct user_trust *grown = util_grow(x->users, &x->cap, x->n, sizeof(*x->users), 64);

	if (grown == NULL)
		return NULL;
	x->users = grown;
	memset(&x->users[x->n], 0, sizeof(x->users[0]));
	if ((x->users[x->n].user_id = strdup(user)) == NULL)
		return NULL;
	return &x->users[x->n++];
}

static int
trust_vote(void *arg, const struct vote_row *r)
{
	struct trust_ctx *x = arg;
	struct user_trust *u = NULL;

	if (x->per_user && r->v.user_id && (u = user_slot(x, r->v.user_id)) == NULL) {
		x->failed = 1;
		return 1;
	}
	trust_add(&x->now, r->v.value, r->v.ts_ms, x->as_of);
	if (u)
		trust_add(&u->now, r->v.value, r->v.ts_ms, x->as_of);
	if (r->v.ts_ms <= x->week_ago) {
		trust_add(&x->prev, r->v.value, r->v.ts_ms, x->week_ago);
		if (u)
			trust_add(&u->week_ago, r->v.value, r->v.ts_ms, x->week_ago);
	}
	return 0;
}

static json_object *
trust_json(const struct trust_acc *now, const struct trust_acc *prev)
{
	json_object *o = json_object_new_object(), *trend = json_object_new_object();
	double s = trust_score(now), p = trust_score(prev);

	json_object_object_add(o, "trustScore", json_object_new_double(s));
	json_object_object_add(o, "votes", json_object_new_int64(now->votes));
	json_object_object_add(o, "up", json_object_new_int64(now->up));
	json_object_object_add(o, "down", json_object_new_int64(now->down));
	json_object_object_add(trend, "previous", json_object_new_double(p));
	json_object_object_add(trend, "change", json_object_new_double(s - p));
	json_object_object_add(trend, "direction", json_object_new_string(
	    s - p > 1e-12 ? "up" : p - s > 1e-12 ? "down" : "flat"));
	json_object_object_add(o, "trend7d", trend);
	return o;
}

static int
by_votes_desc(const void *a, const void *b)
{
	const struct user_trust *x = a, *y = b;
	if (x->now.votes != y->now.votes)
		return x->now.votes > y->now.votes ? -1 : 1;
	return strcmp(x->user_id, y->user_id);
}

void
handle_trust_score(struct http_req *req)
{
	const char *user = query_get(&req->query, "userId");
	struct trust_ctx x;
	int64_t from, to;
	json_object *d, *users;

	if (user == NULL)
		user = query_get(&req->query, "user_id");
	if (handler_range(req, &from, &to) != 0)
		return;
	memset(&x, 0, sizeof(x));
	x.as_of = to;
	x.week_ago = to - 7 * DAY_MS;
	x.per_user = user == NULL;
	/* [from, to] inclusive, as the formula reads */
	if (store_votes_list(req->store, req->auth.project_id, from, to + 1, user, trust_vote, &x) != 0 ||
	    x.failed) {
		handler_unavailable(req);
		goto out;
	}
	d = trust_json(&x.now, &x.prev);
	json_object_object_add(d, "asOf", handler_time(to));
	json_object_object_add(d, "halfLifeDays", json_object_new_int(14));
	if (user != NULL)
		json_object_object_add(d, "userId", json_object_new_string(user));
	else {
		qsort(x.users, x.n, sizeof(*x.users), by_votes_desc);
		users = json_object_new_array();
		for (size_t i = 0; i < x.n && i < 100; i++) {
			json_object *u = trust_json(&x.users[i].now, &x.users[i].week_ago);
			json_object_object_add(u, "userId", json_object_new_string(x.users[i].user_id));
			json_object_array_add(users, u);
		}
		json_object_object_add(d, "users", users);
	}
	handler_send_data(req, d);
out:
	for (size_t i = 0; i < x.n; i++)
		free(x.users[i].user_id);
	free(x.users);
}

/* ---- flamegraph by span-name path ---- */

struct fspan {
	char *trace_id, *span_id, *parent_id, *name;
	int64_t cost, tokens;
	double latency;
	size_t parent;          /* index + 1 in the same trace; 0 root */
};

struct fnode {
	char *name;
	int64_t cost, tokens, count;
	double latency;
	struct fnode *child, *next;
};

struct fctx {
	struct fspan *s;
	size_t n, cap;
	int failed;
};

static int
collect_span(void *arg, const struct span_row *r)
{
	struct fctx *x = arg;
	struct fspan *f;

	if ((f = util_grow(x->s, &x->cap, x->n, sizeof(*x->s), 256)) == NULL) {
		x->failed = 1;
		return 1;
	}
	x->s = f;
	f = &x->s[x->n];
	memset(f, 0, sizeof(*f));
	f->trace_id = strdup(r->sp.trace_id);
	f->span_id = strdup(r->sp.span_id);
	f->parent_id = r->sp.parent_span_id ? strdup(r->sp.parent_span_id) : NULL;
	f->name = strdup(r->sp.name ? r->sp.name : r->sp.model ? r->sp.model : "span");
	f->cost = r->cost_nusd;
	f->tokens = util_add_sat(r->sp.input_tokens, r->sp.output_tokens);
	f->latency = r->sp.latency_ms;
	x->n++;
	if (!f->trace_id || !f->span_id || !f->name || (r->sp.parent_span_id && !f->parent_id)) {
		x->failed = 1;
		return 1;
	}
	return 0;
}

static struct fnode *
child_named(struct fnode *parent, const char *name)
{
	struct fnode *c;
	for (c = parent->child; c; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->name = strdup(name)) == NULL) {
		free(c);
		return NULL;
	}
	c->next = parent->child;
	parent->child = c;
	return c;
}

/* Own values only; inclusive totals are summed when the JSON is made. */
static json_object *
fnode_json(const struct fnode *n, int64_t *cost, int64_t *tokens)
{
	json_object *o = json_object_new_object(), *kids = json_object_new_array();
	int64_t c = n->cost, t = n->tokens;

	for (const struct fnode *k = n->child; k; k = k->next) {
		int64_t kc, kt;
		json_object_array_add(kids, fnode_json(k, &kc, &kt));
		c = util_add_sat(c, kc);
		t = util_add_sat(t, kt);
	}
	json_object_object_add(o, "name", json_object_new_string(n->name));
	json_object_object_add(o, "value", handler_usd(c));
	json_object_object_add(o, "valueNusd", json_object_new_int64(c));
	json_object_object_add(o, "tokens", json_object_new_int64(t));
	json_object_object_add(o, "count", json_object_new_int64(n->count));
	json_object_object_add(o, "latencyMs", json_object_new_double(n->latency));
	if (json_object_array_length(kids) > 0)
		json_object_object_add(o, "children", kids);
	else
		json_object_put(kids);
	*cost = c;
	*tokens = t;
	return o;
}

static void
fnode_free(struct fnode *n)
{
	while (n) {
		struct fnode *next = n->next;
		fnode_free(n->child);
		free(n->name);
		free(n);
		n = next;
	}
}

#define PATH_DEPTH_MAX 64

void
flamegraph_spans(struct http_req *req, int64_t from_ms, int64_t to_ms)
{
	struct fctx x;
	struct fnode root;
	json_object *o;
	int64_t c, t;

	memset(&x, 0, sizeof(x));
	memset(&root, 0, sizeof(root));
	root.name = (char *)"Project";
	if (store_spans_of_recent_traces(req->store, req->auth.project_id, from_ms, to_ms, FLAME_TRACES,
	    collect_span, &x) != 0 || x.failed) {
		handler_unavailable(req);
		goto out;
	}
	/* spans come trace by trace: link parents within each trace */
	for (size_t lo = 0, hi; lo < x.n; lo = hi) {
		for (hi = lo; hi < x.n && strcmp(x.s[hi].trace_id, x.s[lo].trace_id) == 0; hi++)
			;
		for (size_t i = lo; i < hi; i++)
			for (size_t j = lo; x.s[i].parent_id && j < hi; j++)
				if (j != i && strcmp(x.s[j].span_id, x.s[i].parent_id) == 0) {
					x.s[i].parent = j + 1;
					break;
				}
		for (size_t i = lo; i < hi; i++) {
			size_t path[PATH_DEPTH_MAX], depth = 0, p = i + 1;
			struct fnode *n = &root;
			/* the path from the root down; a loop or a deep chain is cut */
			while (p != 0 && depth < PATH_DEPTH_MAX) {
				path[depth++] = p - 1;
				p = x.s[p - 1].parent;
			}
			while (depth > 0 && n != NULL)
				n = child_named(n, x.s[path[--depth]].name);
			if (n == NULL) {
				handler_unavailable(req);
				goto out;
			}
			n->cost = util_add_sat(n->cost, x.s[i].cost);
			n->tokens = util_add_sat(n->tokens, x.s[i].tokens);
			n->latency += x.s[i].latency;
			n->count++;
		}
	}
	o = fnode_json(&root, &c, &t);
	json_object_object_add(o, "mode", json_object_new_string("spans"));
	json_object_object_add(o, "maxTraces", json_object_new_int(FLAME_TRACES));
	handler_send_data(req, o);
out:
	fnode_free(root.child);
	for (size_t i = 0; i < x.n; i++) {
		free(x.s[i].trace_id);
		free(x.s[i].span_id);
		free(x.s[i].parent_id);
		free(x.s[i].name);
	}
	free(x.s);
}
