/*
 * sq_llm_read: reading LLM data: traces, sessions, the rollups behind the
 * analytics, and the few raw-row reads the prompt analysis and realtime
 * need (each bounded by an index range and a limit). Statements are built
 * from fixed fragments only; every value is bound.
 */
#include "sq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "log.h"
#include "util.h"

#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL

/* Runs one statement built for this call: prepare, let bind() bind, step rows to row(). */
typedef int (*row_fn)(sqlite3_stmt *s, void *ctx);

static int
run_sql(struct sq_conn *c, const char *sql, void (*bind)(sqlite3_stmt *, const void *),
    const void *params, row_fn row, void *ctx)
{
	sqlite3_stmt *s;
	int step, rc = 0;

	if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sq_fail(c, sql);
	bind(s, params);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = row(s, ctx)) != 0)
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = sq_fail(c, sql);
	sqlite3_finalize(s);
	return rc < 0 ? -1 : 0;
}

static const char *
col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* ---- traces ---- */

#define TRACE_COLUMNS \
	"trace_id, name, session_id, user_id, feature, model, metadata, start_ts, end_ts, spans, " \
	"calls, input_tokens, output_tokens, cached_tokens, cost_nusd, errors"

static void
read_trace(sqlite3_stmt *s, struct trace_row *t)
{
	t->trace_id = col_text(s, 0);
	t->name = col_text(s, 1);
	t->session_id = col_text(s, 2);
	t->user_id = col_text(s, 3);
	t->feature = col_text(s, 4);
	t->model = col_text(s, 5);
	t->metadata = col_text(s, 6);
	t->start_ms = sqlite3_column_int64(s, 7);
	t->end_ms = sqlite3_column_int64(s, 8);
	t->spans = sqlite3_column_int64(s, 9);
	t->calls = sqlite3_column_int64(s, 10);
	t->input_tokens = sqlite3_column_int64(s, 11);
	t->output_tokens = sqlite3_column_int64(s, 12);
	t->cached_tokens = sqlite3_column_int64(s, 13);
	t->cost_nusd = sqlite3_column_int64(s, 14);
	t->errors = sqlite3_column_int64(s, 15);
}

struct cb_ctx {
	void *cb;
	void *ctx;
	int64_t project_id;
	int rows;
};

static int
trace_row(sqlite3_stmt *s, void *arg)
{
	struct cb_ctx *x = arg;
	struct trace_row t;
	read_trace(s, &t);
	x->rows++;
	return ((store_trace_cb)x->cb)(x->ctx, &t) != 0 ? 1 : 0;
}

struct trace_params {
	int64_t project_id;
	const struct trace_filter *f;
};

static void
bind_traces(sqlite3_stmt *s, const void *arg)
{
	const struct trace_params *p = arg;
	const struct trace_filter *f = p->f;
	sqlite3_bind_int64(s, 1, p->project_id);
	sq_bind_text(s, 2, f->session_id);
	sq_bind_text(s, 3, f->user_id);
	sq_bind_text(s, 4, f->feature);
	sq_bind_text(s, 5, f->model);
	sqlite3_bind_int64(s, 6, f->from_ms);
	sqlite3_bind_int64(s, 7, f->to_ms);
	sqlite3_bind_int64(s, 8, f->cursor_ts);
	sq_bind_text(s, 9, f->cursor_id);
	sqlite3_bind_int(s, 10, f->limit);
}

int
sq_traces_list(struct store *base, int64_t project_id, const struct trace_filter *f,
    store_trace_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct trace_params p = { project_id, f };
	struct cb_ctx x = { (void *)cb, ctx, project_id, 0 };
	struct sq_conn *c;
	char sql[1024];
	int rc;

	/* the session and user filters have their own indexes; the others filter the range */
	snprintf(sql, sizeof(sql), "SELECT " TRACE_COLUMNS " FROM traces WHERE project_id = ?1%s%s%s%s%s%s%s%s"
	    " ORDER BY start_ts DESC, trace_id DESC LIMIT ?10",
	    f->session_id ? " AND session_id = ?2" : "",
	    f->user_id ? " AND user_id = ?3" : "",
	    f->feature ? " AND feature = ?4" : "",
	    f->model ? " AND model = ?5" : "",
	    f->status == LLM_ERROR ? " AND errors > 0" : f->status == LLM_OK ? " AND errors = 0" : "",
	    f->from_ms ? " AND start_ts >= ?6" : "",
	    f->to_ms ? " AND start_ts < ?7" : "",
	    f->has_cursor ? " AND (start_ts, trace_id) < (?8, ?9)" : "");
	if ((c = sq_read_acquire(st)) == NULL)
		return -1;
	rc = run_sql(c, sql, bind_traces, &p, trace_row, &x);
	sq_read_release(st, c);
	return rc;
}

static void
read_span(sqlite3_stmt *s, struct span_row *r)
{
	struct llm_span *sp = &r->sp;
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	sp->trace_id = col_text(s, 1);
	sp->span_id = col_text(s, 2);
	sp->parent_span_id = col_text(s, 3);
	sp->name = col_text(s, 4);
	sp->session_id = col_text(s, 5);
	sp->user_id = col_text(s, 6);
	sp->feature = col_text(s, 7);
	sp->conversation_id = col_text(s, 8);
	sp->turn_id = col_text(s, 9);
	sp->provider = col_text(s, 10);
	sp->model = col_text(s, 11);
	sp->input_tokens = sqlite3_column_int64(s, 12);
	sp->output_tokens = sqlite3_column_int64(s, 13);
	sp->cached_tokens = sqlite3_column_int64(s, 14);
	sp->start_ms = sqlite3_column_int64(s, 15);
	sp->end_ms = sqlite3_column_int64(s, 16);
	sp->latency_ms = sqlite3_column_double(s, 17);
	r->cost_nusd = sqlite3_column_int64(s, 18);
	sp->has_estimate = sqlite3_column_type(s, 19) != SQLITE_NULL;
	sp->estimated_nusd = sqlite3_column_int64(s, 19);
	r->priced = sqlite3_column_int(s, 20);
	sp->status = sqlite3_column_int(s, 21);
	sp->error = col_text(s, 22);
	sp->input = col_text(s, 23);
	sp->output = col_text(s, 24);
	sp->metadata = col_text(s, 25);
	r->received_ms = sqlite3_column_int64(s, 26);
}

#define SPAN_COLUMNS \
	"id, trace_id, span_id, parent_span_id, name, session_id, user_id, feature, conversation_id, " \
	"turn_id, provider, model, input_tokens, output_tokens, cached_tokens, start_ts, end_ts, " \
	"latency_ms, cost_nusd, estimated_nusd, priced, status, error, input, output, metadata, " \
	"received_at"

static int
span_row(sqlite3_stmt *s, void *arg)
{
	struct cb_ctx *x = arg;
	struct span_row r;
	read_span(s, &r);
	x->rows++;
	return ((store_span_cb)x->cb)(x->ctx, &r) != 0 ? 1 : 0;
}

struct id_params {
	int64_t project_id;
	const char *id;
	int64_t a, b;
	int n;
};

static void
bind_id(sqlite3_stmt *s, const void *arg)
{
	const struct id_params *p = arg;
	sqlite3_bind_int64(s, 1, p->project_id);
	sq_bind_text(s, 2, p->id);
	sqlite3_bind_int64(s, 3, p->a);
	sqlite3_bind_int64(s, 4, p->b);
	sqlite3_bind_int(s, 5, p->n);
}

int
sq_trace_get(struct store *base, int64_t project_id, const char *trace_id,
    store_trace_cb tcb, store_span_cb scb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct id_params p = { project_id, trace_id, 0, 0, 0 };
	struct cb_ctx tx = { (void *)tcb, ctx, project_id, 0 }, sx = { (void *)scb, ctx, project_id, 0 };
	struct sq_conn *c = sq_read_acquire(st);
	int rc;

	if (c == NULL)
		return -1;
	/* one read transaction: the trace and its spans agree */
	sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
	rc = run_sql(c, "SELECT " TRACE_COLUMNS " FROM traces WHERE project_id = ?1 AND trace_id = ?2",
	    bind_id, &p, trace_row, &tx);
	if (rc == 0 && tx.rows == 0)
		rc = 1;
	if (rc == 0)
		rc = run_sql(c, "SELECT " SPAN_COLUMNS " FROM spans INDEXED BY spans_project_trace "
		    "WHERE project_id = ?1 AND trace_id = ?2 "
		    "ORDER BY start_ts, id", bind_id, &p, span_row, &sx);
	sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
	sq_read_release(st, c);
	return rc;
}

/* ---- sessions ---- */

#define VOTE_COLUMNS "id, ts, value, comment, turn_id, trace_id, user_id, conversation_id, message_id"

static int
vote_row(sqlite3_stmt *s, void *arg)
{
	struct cb_ctx *x = arg;
	struct vote_row r;
	memset(&r, 0, sizeof(r));
	r.id = sqlite3_column_int64(s, 0);
	r.v.ts_ms = sqlite3_column_int64(s, 1);
	r.v.value = sqlite3_column_double(s, 2);
	r.v.comment = col_text(s, 3);
	r.v.turn_id = col_text(s, 4);
	r.v.trace_id = col_text(s, 5);
	r.v.user_id = col_text(s, 6);
	r.v.conversation_id = col_text(s, 7);
	r.v.message_id = col_text(s, 8);
	x->rows++;
	return ((store_vote_cb)x->cb)(x->ctx, &r) != 0 ? 1 : 0;
}

static int
event_row(sqlite3_stmt *s, void *arg)
{
	struct cb_ctx *x = arg;
	struct event_row r;
	char rid[33];

	sq_event_row_read(s, &r, rid);
	x->rows++;
	return ((store_event_cb)x->cb)(x->ctx, &r) != 0 ? 1 : 0;
}

#define SESSION_ROWS 1000      /* per kind: a session longer than this is cut, oldest kept */

int
sq_session_get(struct store *base, int64_t project_id, const char *session_id,
    store_trace_cb tcb, store_event_cb ecb, store_vote_cb vcb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct id_params p = { project_id, session_id, 0, 0, SESSION_ROWS };
	struct cb_ctx tx = { (void *)tcb, ctx, project_id, 0 };
	struct cb_ctx ex = { (void *)ecb, ctx, project_id, 0 };
	struct cb_ctx vx = { (void *)vcb, ctx, project_id, 0 };
	struct sq_conn *c = sq_read_acquire(st);
	int rc;

	if (c == NULL)
		return -1;
	sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
	rc = run_sql(c, "SELECT " TRACE_COLUMNS " FROM traces WHERE project_id = ?1 AND session_id = ?2 "
	    "ORDER BY start_ts, trace_id LIMIT ?5", bind_id, &p, trace_row, &tx);
	/* an LLM call sent as an event (named llm_call) shows as its trace */
	if (rc == 0)
		rc = run_sql(c, "SELECT " SQ_EVENT_COLUMNS " FROM events "
		    "WHERE project_id = ?1 AND session_id = ?2 AND session_id IS NOT NULL "
		    "AND event IS NOT 'llm_call' ORDER BY ts, id LIMIT ?5",
		    bind_id, &p, event_row, &ex);
	/* votes reach a session through its traces, its turns or its
	 * conversation: one indexed lookup each (an OR would scan the votes;
	 * the ORDER BY outside, or the planner walks votes by time) */
	if (rc == 0)
		rc = run_sql(c, "SELECT * FROM (SELECT " VOTE_COLUMNS " FROM votes WHERE project_id = ?1 AND "
		    "trace_id IN (SELECT trace_id FROM traces WHERE project_id = ?1 AND session_id = ?2) "
		    "UNION SELECT " VOTE_COLUMNS " FROM votes WHERE project_id = ?1 AND "
		    "turn_id IN (SELECT turn_id FROM events WHERE project_id = ?1 AND session_id = ?2 "
		    "AND turn_id IS NOT NULL UNION SELECT turn_id FROM spans WHERE project_id = ?1 AND "
		    "trace_id IN (SELECT trace_id FROM traces WHERE project_id = ?1 AND session_id = ?2) "
		    "AND turn_id IS NOT NULL) "
		    "UNION SELECT " VOTE_COLUMNS " FROM votes WHERE project_id = ?1 AND conversation_id = ?2) "
		    "ORDER BY ts, id LIMIT ?5",
		    bind_id, &p, vote_row, &vx);
	sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
	sq_read_release(st, c);
	if (rc == 0 && tx.rows == 0 && ex.rows == 0 && vx.rows == 0)
		rc = 1;
	return rc;
}

/* ---- rollups ---- */

struct agg_params {
	int64_t project_id;
	int dims;
	int64_t day_from, day_to, left_from, left_to, right_from, right_to;
	int64_t week_from, week_to, day2_from, day2_to;
	const struct llm_query *q;
};

static void
bind_agg(sqlite3_stmt *s, const void *arg)
{
	const struct agg_params *p = arg;
	sqlite3_bind_int64(s, 1, p->project_id);
	sqlite3_bind_int(s, 2, p->dims);
	sqlite3_bind_int64(s, 3, p->day_from);
	sqlite3_bind_int64(s, 4, p->day_to);
	sqlite3_bind_int64(s, 5, p->left_from);
	sqlite3_bind_int64(s, 6, p->left_to);
	sqlite3_bind_int64(s, 7, p->right_from);
	sqlite3_bind_int64(s, 8, p->right_to);
	sq_bind_text(s, 9, p->q->feature);
	sq_bind_text(s, 10, p->q->model);
	sq_bind_text(s, 11, p->q->provider);
	sq_bind_text(s, 12, p->q->user_id);
	sqlite3_bind_int64(s, 13, p->week_from);
	sqlite3_bind_int64(s, 14, p->week_to);
	sqlite3_bind_int64(s, 15, p->day2_from);
	sqlite3_bind_int64(s, 16, p->day2_to);
}

struct agg_ctx {
	store_llm_agg_cb cb;
	void *ctx;
	struct hist latency, input;
};

static int
agg_row(sqlite3_stmt *s, void *arg)
{
	struct agg_ctx *x = arg;
	struct llm_agg a;

	memset(&a, 0, sizeof(a));
	a.key1 = col_text(s, 0);
	a.key2 = col_text(s, 1);
	a.bucket_ms = sqlite3_column_int64(s, 2);
	a.calls = sqlite3_column_int64(s, 3);
	a.input_tokens = sqlite3_column_int64(s, 4);
	a.output_tokens = sqlite3_column_int64(s, 5);
	a.cached_tokens = sqlite3_column_int64(s, 6);
	a.cost_nusd = sqlite3_column_int64(s, 7);
	a.errors = sqlite3_column_int64(s, 8);
	a.latency_sum = sqlite3_column_double(s, 9);
	if (x->latency.total != 0)
		memset(&x->latency, 0, sizeof(x->latency));
	if (x->input.total != 0)
		memset(&x->input, 0, sizeof(x->input));
	if (sqlite3_column_bytes(s, 10) > 0)
		hist_merge_blob(&x->latency, sqlite3_column_blob(s, 10), (size_t)sqlite3_column_bytes(s, 10));
	if (sqlite3_column_bytes(s, 11) > 0)
		hist_merge_blob(&x->input, sqlite3_column_blob(s, 11), (size_t)sqlite3_column_bytes(s, 11));
	a.latency = &x->latency;
	a.input = &x->input;
	if (a.key1 == NULL)
		a.key1 = "";
	if (a.key2 == NULL)
		a.key2 = "";
	return x->cb(x->ctx, &a) != 0 ? 1 : 0;
}

int
sq_llm_aggregate(struct store *base, int64_t project_id, const struct llm_query *q,
    store_llm_agg_cb cb, void *ctx)
{
	static const char *const keys[][2] = {
		[BY_NONE] = { "''", "''" }, [BY_FEATURE] = { "feature", "''" },
		[BY_MODEL] = { "model", "''" }, [BY_PROVIDER] = { "provider", "''" },
		[BY_USER] = { "user_id", "''" }, [BY_FEATURE_MODEL] = { "feature", "model" },
	};
	static const char *const buckets[] = {
		[BUCKET_NONE] = "0", [BUCKET_HOUR] = "bucket",
		[BUCKET_DAY] = "bucket - bucket % 86400000",
		/* 1970-01-01 was a Thursday: Monday is 3 days before */
		[BUCKET_WEEK] = "bucket - bucket % 86400000 - ((bucket / 86400000 + 3) % 7) * 86400000",
	};
	struct sq_store *st = (struct sq_store *)base;
	struct agg_params p;
	struct agg_ctx *x;
	struct sq_conn *c;
	char filters[256], cols[256], sql[4096];
	int64_t from, to;
	int rc;

	if (q->by < BY_NONE || q->by > BY_FEATURE_MODEL || q->bucket < BUCKET_NONE || q->bucket > BUCKET_WEEK)
		return -1;
	memset(&p, 0, sizeof(p));
	p.project_id = project_id;
	p.q = q;
	if (q->by == BY_USER || q->user_id) {
		if (q->feature || q->model || q->provider || q->by == BY_FEATURE_MODEL)
			return 2;
		p.dims = 2;
	} else if (q->by != BY_NONE || q->feature || q->model || q->provider)
		p.dims = 1;
	/* whole hours; whole UTC days from the day rows unless hours are asked for */
	from = q->from_ms - q->from_ms % HOUR_MS;
	to = q->to_ms % HOUR_MS ? q->to_ms - q->to_ms % HOUR_MS + HOUR_MS : q->to_ms;
	p.day_from = from % DAY_MS ? from - from % DAY_MS + DAY_MS : from;
	p.day_to = to - to % DAY_MS;
	if (p.dims == 2) {
		/* per-user rows are daily: the range widens to whole UTC days */
		if (q->bucket == BUCKET_HOUR)
			return 3;
		p.day_from = from - from % DAY_MS;
		p.day_to = to % DAY_MS ? to - to % DAY_MS + DAY_MS : to;
	} else if (q->bucket == BUCKET_HOUR || p.day_from >= p.day_to) {
		p.day_from = p.day_to = 0;
		p.left_from = from;
		p.left_to = to;
	} else {
		p.left_from = from;
		p.left_to = p.day_from;
		p.right_from = p.day_to;
		p.right_to = to;
		/* whole weeks inside the days from the week rows, when no day
		 * buckets are asked for: a 90-day range reads 13 rows a group, not 90 */
		if (q->bucket == BUCKET_NONE || q->bucket == BUCKET_WEEK) {
			int64_t a[SQ_GRAINS], b[SQ_GRAINS];
			sq_grain_buckets(p.day_from, a);
			sq_grain_buckets(p.day_to, b);
			if (a[SQ_GRAIN_WEEK] < p.day_from)
				a[SQ_GRAIN_WEEK] += 7 * DAY_MS;
			if (a[SQ_GRAIN_WEEK] < b[SQ_GRAIN_WEEK]) {
				p.week_from = a[SQ_GRAIN_WEEK];
				p.week_to = b[SQ_GRAIN_WEEK];
				p.day2_from = p.week_to;
				p.day2_to = p.day_to;
				p.day_to = p.week_from;
			}
		}
	}
	snprintf(filters, sizeof(filters), "%s%s%s%s",
	    q->feature ? " AND feature = ?9" : "", q->model ? " AND model = ?10" : "",
	    q->provider ? " AND provider = ?11" : "", q->user_id ? " AND user_id = ?12" : "");
	/* only the columns the sums read: the histograms when asked for */
	snprintf(cols, sizeof(cols), "feature, model, provider, user_id, bucket, calls, input_tokens, "
	    "output_tokens, cached_tokens, cost_nusd, errors, latency_sum, %s AS latency_hist, %s AS input_hist",
	    q->hists & LLM_HIST_LATENCY ? "latency_hist" : "NULL", q->hists & LLM_HIST_INPUT ? "input_hist" : "NULL");
#define ARM(grain, a, b) "SELECT %s FROM llm_rollup WHERE project_id = ?1 AND dims = ?2 AND grain = " \
	grain " AND bucket >= " a " AND bucket < " b "%s"
	snprintf(sql, sizeof(sql),
	    "SELECT %s, %s, %s, sum(calls), sum(input_tokens), sum(output_tokens), sum(cached_tokens), "
	    "sum(cost_nusd), sum(errors), sum(latency_sum), %s, %s FROM (" ARM("1", "?3", "?4") " UNION ALL "
	    ARM("0", "?5", "?6") " UNION ALL " ARM("0", "?7", "?8") " UNION ALL "
	    ARM("2", "?13", "?14") " UNION ALL " ARM("1", "?15", "?16") ") GROUP BY 1, 2, 3 ORDER BY 3, 1, 2",
	    keys[q->by][0], keys[q->by][1], buckets[q->bucket],
	    q->hists & LLM_HIST_LATENCY ? "tally_hist_merge(latency_hist)" : "NULL",
	    q->hists & LLM_HIST_INPUT ? "tally_hist_merge(input_hist)" : "NULL",
	    cols, filters, cols, filters, cols, filters, cols, filters, cols, filters);
#undef ARM
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	x->cb = cb;
	x->ctx = ctx;
	if ((c = sq_read_acquire(st)) == NULL) {
		free(x);
		return -1;
	}
	rc = run_sql(c, sql, bind_agg, &p, agg_row, x);
	sq_read_release(st, c);
	free(x);
	return rc;
}

/* ---- raw calls for the prompt analysis ---- */

struct calls_params {
	int64_t project_id;
	const struct calls_query *q;
};

static void
bind_calls(sqlite3_stmt *s, const void *arg)
{
	const struct calls_params *p = arg;
	sqlite3_bind_int64(s, 1, p->project_id);
	sqlite3_bind_int64(s, 2, p->q->from_ms);
	sqlite3_bind_int64(s, 3, p->q->to_ms);
	sq_bind_text(s, 4, p->q->feature);
	sq_bind_text(s, 5, p->q->model);
	sqlite3_bind_int64(s, 6, p->q->min_input);
	sqlite3_bind_int(s, 7, p->q->limit);
}

static int
call_row(sqlite3_stmt *s, void *arg)
{
	struct cb_ctx *x = arg;
	struct call_row r;
	r.trace_id = col_text(s, 0);
	r.span_id = col_text(s, 1);
	r.feature = col_text(s, 2);
	r.model = col_text(s, 3);
	r.input = col_text(s, 4);
	r.input_tokens = sqlite3_column_int64(s, 5);
	r.output_tokens = sqlite3_column_int64(s, 6);
	r.start_ms = sqlite3_column_int64(s, 7);
	r.simhash = (uint64_t)sqlite3_column_int64(s, 8);
	return ((store_call_cb)x->cb)(x->ctx, &r) != 0 ? 1 : 0;
}

int
sq_llm_calls(struct store *base, int64_t project_id, const struct calls_query *q,
    store_call_cb cb, void *ctx)
{
	static const char *const where[] = {
		/* the feature+model index, from the largest input down */
		[CALLS_INPUT_ABOVE] = "model IS NOT NULL AND feature IS ?4 AND model = ?5 "
		    "AND input_tokens > ?6 "
		    "ORDER BY input_tokens DESC, start_ts DESC",
		[CALLS_RATIO] = "model IS NOT NULL AND input_tokens > 10 * output_tokens "
		    "ORDER BY start_ts DESC",
		[CALLS_WITH_TEXT] = "model IS NOT NULL AND simhash IS NOT NULL ORDER BY start_ts DESC",
	};
	struct sq_store *st = (struct sq_store *)base;
	struct calls_params p = { project_id, q };
	struct cb_ctx x = { (void *)cb, ctx, project_id, 0 };
	struct calls_query copy = *q;
	struct sq_conn *c;
	char sql[768];
	int rc;

	if (q->kind < CALLS_INPUT_ABOVE || q->kind > CALLS_WITH_TEXT)
		return -1;
	/* a call without a feature is stored with NULL; "" asks for those */
	if (q->kind == CALLS_INPUT_ABOVE && q->feature != NULL && *q->feature == '\0') {
		copy.feature = NULL;
		p.q = &copy;
	}
	snprintf(sql, sizeof(sql), "SELECT trace_id, span_id, feature, model, input, input_tokens, "
	    "output_tokens, start_ts, simhash FROM spans WHERE project_id = ?1 AND start_ts >= ?2 "
	    "AND start_ts < ?3 AND %s LIMIT ?7", where[q->kind]);
	if ((c = sq_read_acquire(st)) == NULL)
		return -1;
	rc = run_sql(c, sql, bind_calls, &p, call_row, &x);
	sq_read_release(st, c);
	return rc;
}

int
sq_spans_of_recent_traces(struct store *base, int64_t project_id, int64_t from_ms, int64_t to_ms,
    int max_traces, store_span_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct id_params p = { project_id, NULL, from_ms, to_ms, max_traces };
	struct cb_ctx x = { (void *)cb, ctx, project_id, 0 };
	struct sq_conn *c = sq_read_acquire(st);
	int rc;

	if (c == NULL)
		return -1;
	rc = run_sql(c, "SELECT " SPAN_COLUMNS " FROM spans WHERE project_id = ?1 AND trace_id IN ("
	    "SELECT trace_id FROM traces WHERE project_id = ?1 AND start_ts >= ?3 AND start_ts < ?4 "
	    "ORDER BY start_ts DESC LIMIT ?5) ORDER BY trace_id, start_ts, id", bind_id, &p, span_row, &x);
	sq_read_release(st, c);
	return rc;
}

/* ---- votes, conversations, realtime ---- */

int
sq_votes_list(struct store *base, int64_t project_id, int64_t from_ms, int64_t to_ms,
    const char *user_id, store_vote_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct id_params p = { project_id, user_id, from_ms, to_ms, 0 };
	struct cb_ctx x = { (void *)cb, ctx, project_id, 0 };
	struct sq_conn *c = sq_read_acquire(st);
	int rc;

	if (c == NULL)
		return -1;
	rc = run_sql(c, user_id
	    ? "SELECT " VOTE_COLUMNS " FROM votes WHERE project_id = ?1 AND user_id = ?2 AND ts >= ?3 "
	      "AND ts < ?4 ORDER BY ts, id"
	    : "SELECT " VOTE_COLUMNS " FROM votes WHERE project_id = ?1 AND ts >= ?3 AND ts < ?4 "
	      "ORDER BY ts, id", bind_id, &p, vote_row, &x);
	sq_read_release(st, c);
	return rc;
}

static int
conversation_row(sqlite3_stmt *s, void *arg)
{
	struct cb_ctx *x = arg;
	struct conversation_row r;
	r.conversation_id = col_text(s, 0);
	r.user_id = col_text(s, 1);
	r.first_ms = sqlite3_column_int64(s, 2);
	r.last_ms = sqlite3_column_int64(s, 3);
	r.turns = sqlite3_column_int64(s, 4);
	r.calls = sqlite3_column_int64(s, 5);
	r.cost_nusd = sqlite3_column_int64(s, 6);
	r.votes_up = sqlite3_column_int64(s, 7);
	r.votes_down = sqlite3_column_int64(s, 8);
	r.models = col_text(s, 9);
	return ((store_conversation_cb)x->cb)(x->ctx, &r) != 0 ? 1 : 0;
}

int
sq_conversations_list(struct store *base, int64_t project_id, const char *user_id,
    int64_t from_ms, int64_t to_ms, int limit, store_conversation_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct id_params p = { project_id, user_id, from_ms, to_ms, limit };
	struct cb_ctx x = { (void *)cb, ctx, project_id, 0 };
	struct sq_conn *c = sq_read_acquire(st);
	int rc;

	if (c == NULL)
		return -1;
	rc = run_sql(c, user_id
	    ? "SELECT conversation_id, user_id, first_ts, last_ts, turns, calls, cost_nusd, votes_up, "
	      "votes_down, models FROM conversations WHERE project_id = ?1 AND user_id = ?2 "
	      "AND last_ts >= ?3 AND first_ts < ?4 ORDER BY last_ts DESC, conversation_id LIMIT ?5"
	    : "SELECT conversation_id, user_id, first_ts, last_ts, turns, calls, cost_nusd, votes_up, "
	      "votes_down, models FROM conversations WHERE project_id = ?1 "
	      "AND last_ts >= ?3 AND first_ts < ?4 ORDER BY last_ts DESC, conversation_id LIMIT ?5",
	    bind_id, &p, conversation_row, &x);
	sq_read_release(st, c);
	return rc;
}

struct realtime_ctx {
	struct realtime_totals *out;
	int64_t since;
	int which;
};

static int
realtime_row(sqlite3_stmt *s, void *arg)
{
	struct realtime_ctx *x = arg;
	struct realtime_totals *o = x->out;

	switch (x->which) {
	case 0: {
		int64_t minute = sqlite3_column_int64(s, 0);
		if (minute >= 0 && minute < 5)
			o->events_by_minute[minute] = sqlite3_column_int64(s, 1);
		o->events += sqlite3_column_int64(s, 1);
		break;
	}
	case 1:
		o->calls = sqlite3_column_int64(s, 0);
		o->cost_nusd = sqlite3_column_int64(s, 1);
		o->tokens = sqlite3_column_int64(s, 2);
		break;
	case 2:
		o->active_users = sqlite3_column_int64(s, 0);
		break;
	}
	return 0;
}

int
sq_realtime(struct store *base, int64_t project_id, int64_t since_ms, int64_t now_ms,
    struct realtime_totals *out)
{
	static const char *const sql[] = {
		"SELECT (ts - ?3) / 60000, count(*) FROM events WHERE project_id = ?1 AND ts >= ?3 "
		"AND ts < ?4 GROUP BY 1",
		"SELECT count(*), coalesce(sum(cost_nusd), 0), coalesce(sum(input_tokens + output_tokens), 0) "
		"FROM spans WHERE project_id = ?1 AND start_ts >= ?3 AND start_ts < ?4 AND model IS NOT NULL",
		"SELECT count(*) FROM (SELECT coalesce(user_id, anonymous_id) AS who FROM events "
		"WHERE project_id = ?1 AND ts >= ?3 AND ts < ?4 AND who IS NOT NULL UNION "
		"SELECT user_id FROM spans WHERE project_id = ?1 AND start_ts >= ?3 AND start_ts < ?4 "
		"AND user_id IS NOT NULL)",
	};
	struct sq_store *st = (struct sq_store *)base;
	struct id_params p = { project_id, NULL, since_ms, now_ms, 0 };
	struct realtime_ctx x = { out, since_ms, 0 };
	struct sq_conn *c = sq_read_acquire(st);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return -1;
	for (x.which = 0; x.which < 3 && rc == 0; x.which++)
		rc = run_sql(c, sql[x.which], bind_id, &p, realtime_row, &x);
	sq_read_release(st, c);
	return rc;
}
