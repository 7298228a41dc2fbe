/*
 * sq_llm_write: storing LLM spans and votes, and keeping what is derived
 * from them current in the same transaction: trace totals (summed per
 * trace in memory, one upsert each at the job's end), conversations
 * and the llm_rollup rows (hour, day and week, for the project's total and
 * per feature × model × provider; day only per user).
 */
#include "sq.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "llm.h"
#include "log.h"
#include "simhash.h"
#include "util.h"


/* ---- rollup groups of one job, written once at its end ---- */

struct group {
	int dims, grain;
	int64_t bucket;
	const char *feature, *model, *provider, *user;   /* "" when not a key */
	int64_t calls, input, output, cached, cost, errors;
	double latency_sum;
	double *latencies;      /* one per call, for the histograms */
	int64_t *inputs;
	size_t nvalues, cap;
	uint64_t hash;
};

struct sq_rollup {
	struct group *g;
	size_t n, cap;
	size_t *slots;          /* open addressing over g, index + 1; 0 empty */
	size_t nslots;
};

static uint64_t
group_hash(int dims, int grain, int64_t bucket, const char *const key[4])
{
	uint64_t h = (uint64_t)util_hash64((const char *)&bucket, sizeof(bucket));
	h ^= (uint64_t)(dims * 4 + grain) * 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < 4; i++)
		h = h * 31 + (uint64_t)util_hash64(key[i], strlen(key[i]));
	return h;
}

static int
group_equal(const struct group *g, int dims, int grain, int64_t bucket, const char *const key[4])
{
	return g->dims == dims && g->grain == grain && g->bucket == bucket &&
	    strcmp(g->feature, key[0]) == 0 && strcmp(g->model, key[1]) == 0 &&
	    strcmp(g->provider, key[2]) == 0 && strcmp(g->user, key[3]) == 0;
}

static struct group *
rollup_group(struct sq_rollup *r, int dims, int grain, int64_t bucket, const char *const key[4])
{
	uint64_t h = group_hash(dims, grain, bucket, key);
	size_t j;
	struct group *g;

	if (r->n >= r->cap) {
		if ((g = sq_map_grow(r->g, sizeof(*r->g), offsetof(struct group, hash), r->n, &r->cap,
		    &r->slots, &r->nslots, 256)) == NULL)
			return NULL;
		r->g = g;
	}
	for (j = h & (r->nslots - 1); r->slots[j]; j = (j + 1) & (r->nslots - 1)) {
		g = &r->g[r->slots[j] - 1];
		if (g->hash == h && group_equal(g, dims, grain, bucket, key))
			return g;
	}
	g = &r->g[r->n];
	memset(g, 0, sizeof(*g));
	g->dims = dims;
	g->grain = grain;
	g->bucket = bucket;
	g->feature = key[0];
	g->model = key[1];
	g->provider = key[2];
	g->user = key[3];
	g->hash = h;
	r->slots[j] = ++r->n;
	return g;
}

static int
group_add(struct group *g, const struct llm_span *sp, int64_t cost)
{
	if (g->nvalues == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4;
		double *l = realloc(g->latencies, cap * sizeof(*l));
		int64_t *in;
		if (l == NULL)
			return -1;
		g->latencies = l;
		if ((in = realloc(g->inputs, cap * sizeof(*in))) == NULL)
			return -1;
		g->inputs = in;
		g->cap = cap;
	}
	g->latencies[g->nvalues] = sp->latency_ms;
	g->inputs[g->nvalues] = sp->input_tokens;
	g->nvalues++;
	g->calls++;
	g->input = util_add_sat(g->input, sp->input_tokens);
	g->output = util_add_sat(g->output, sp->output_tokens);
	g->cached = util_add_sat(g->cached, sp->cached_tokens);
	g->cost = util_add_sat(g->cost, cost);
	g->errors += sp->status == LLM_ERROR;
	g->latency_sum += sp->latency_ms;
	return 0;
}

/* Counts one LLM call in its hour, day and week, for the total and its dimensions, and in its day for its user. */
static int
rollup_add(struct sq_rollup *r, const struct llm_span *sp, int64_t cost)
{
	const char *none[4] = { "", "", "", "" };
	const char *dims[4] = {
		sp->feature ? sp->feature : "", sp->model ? sp->model : "",
		sp->provider ? sp->provider : "", "",
	};
	const char *user[4] = { "", "", "", sp->user_id };
	int64_t buckets[SQ_GRAINS];

	sq_grain_buckets(sp->start_ms, buckets);
	for (int grain = 0; grain < SQ_GRAINS; grain++) {
		struct group *g;
		if ((g = rollup_group(r, 0, grain, buckets[grain], none)) == NULL || group_add(g, sp, cost) != 0 ||
		    (g = rollup_group(r, 1, grain, buckets[grain], dims)) == NULL || group_add(g, sp, cost) != 0)
			return -1;
		/* per user by day only: an hour row per user is nearly a row per call */
		if (grain == SQ_GRAIN_DAY && sp->user_id != NULL &&
		    ((g = rollup_group(r, 2, grain, buckets[grain], user)) == NULL || group_add(g, sp, cost) != 0))
			return -1;
	}
	return 0;
}

static void
rollup_free(struct sq_rollup *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->g[i].latencies);
		free(r->g[i].inputs);
	}
	free(r->g);
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

static int
rollup_flush(struct sq_conn *c, int64_t project_id, struct sq_rollup *r)
{
	static __thread struct hist lat, in;
	unsigned char lat_blob[HIST_MAX_BYTES], in_blob[HIST_MAX_BYTES];

	for (size_t i = 0; i < r->n; i++) {
		const struct group *g = &r->g[i];
		sqlite3_stmt *s = sq_stmt(c, SQ_ROLLUP_UPSERT);
		size_t lat_len, in_len;

		if (s == NULL)
			return -1;
		memset(&lat, 0, sizeof(lat));
		memset(&in, 0, sizeof(in));
		for (size_t v = 0; v < g->nvalues; v++) {
			hist_add(&lat, g->latencies[v], 1);
			hist_add(&in, (double)g->inputs[v], 1);
		}
		lat_len = hist_encode(&lat, lat_blob);
		in_len = hist_encode(&in, in_blob);
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_int(s, 2, g->dims);
		sqlite3_bind_int(s, 3, g->grain);
		sqlite3_bind_int64(s, 4, g->bucket);
		sq_bind_text(s, 5, g->feature);
		sq_bind_text(s, 6, g->model);
		sq_bind_text(s, 7, g->provider);
		sq_bind_text(s, 8, g->user);
		sqlite3_bind_int64(s, 9, g->calls);
		sqlite3_bind_int64(s, 10, g->input);
		sqlite3_bind_int64(s, 11, g->output);
		sqlite3_bind_int64(s, 12, g->cached);
		sqlite3_bind_int64(s, 13, g->cost);
		sqlite3_bind_int64(s, 14, g->errors);
		sqlite3_bind_double(s, 15, g->latency_sum);
		sqlite3_bind_blob(s, 16, lat_blob, (int)lat_len, SQLITE_STATIC);
		sqlite3_bind_blob(s, 17, in_blob, (int)in_len, SQLITE_STATIC);
		if (sq_exec(c, s) != 0)
			return -1;
	}
	return 0;
}

/* ---- conversations ---- */

/* A turn, call or event of a conversation; counts the turn once. */
static int
conversation_touch(struct sq_conn *c, int64_t project_id, const char *conv, const char *user,
    int64_t ts, const char *turn_id, const char *model, int calls, int64_t cost)
{
	sqlite3_stmt *s;
	int new_turn = 0;

	if (turn_id != NULL) {
		if ((s = sq_stmt(c, SQ_CONV_TURN)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, project_id);
		sq_bind_text(s, 2, turn_id);
		sq_bind_text(s, 3, conv);
		if (sq_exec(c, s) != 0)
			return -1;
		new_turn = sqlite3_changes(c->db) == 1;
	}
	if ((s = sq_stmt(c, SQ_CONV_UPSERT)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project_id);
	sq_bind_text(s, 2, conv);
	sq_bind_text(s, 3, user);
	sqlite3_bind_int64(s, 4, ts);
	sqlite3_bind_int(s, 5, new_turn);
	sqlite3_bind_int(s, 6, calls);
	sqlite3_bind_int64(s, 7, cost);
	sq_bind_text(s, 8, model);
	return sq_exec(c, s);
}

int
sq_event_conversation(struct sq_conn *c, int64_t project_id, const struct event *e)
{
	if (e->conversation_id == NULL || e->llm != NULL)
		return 0;       /* an LLM call counts through its span */
	return conversation_touch(c, project_id, e->conversation_id, e->user_id, e->ts_ms,
	    e->turn_id, NULL, 0, 0);
}

/* ---- spans ---- */

/* The verified cost when a price matches, else the client's estimate. */
static int
span_cost(struct sq_store *st, struct sq_conn *c, int64_t project_id, const struct llm_span *sp,
    int64_t *cost, int *priced)
{
	struct price p;
	int rc;

	*priced = 0;
	*cost = sp->has_estimate ? sp->estimated_nusd : 0;
	if (sp->model == NULL)
		return 0;
	if ((rc = sq_price_for(st, c, project_id, sp->provider, sp->model, sp->start_ms, &p)) < 0)
		return -1;
	if (rc == 0) {
		*cost = price_cost_nusd(&p, sp->input_tokens, sp->output_tokens, sp->cached_tokens);
		*priced = 1;
	}
	return 0;
}

/* ---- trace totals of one job, written once per trace at its end ---- */

/* What the spans of one trace in this job add to its row (SQ_TRACE_UPSERT). */
struct trace_acc {
	const char *trace_id;
	const char *name;               /* the last naming span's */
	const char *session_id, *user_id, *feature, *model;    /* the first sent */
	const char *metadata;           /* the last sent */
	int names;
	int64_t start, end, spans, calls, input, output, cached, cost, errors;
	uint64_t hash;
};

struct trace_map {
	struct trace_acc *t;
	size_t n, cap;
	size_t *slots;                  /* open addressing over t, index + 1; 0 empty */
	size_t nslots;
};

static struct trace_acc *
trace_map_get(struct trace_map *m, const char *trace_id)
{
	uint64_t h = (uint64_t)util_hash64(trace_id, strlen(trace_id));
	size_t j;
	struct trace_acc *t;

	if (m->n >= m->cap) {
		if ((t = sq_map_grow(m->t, sizeof(*m->t), offsetof(struct trace_acc, hash), m->n, &m->cap,
		    &m->slots, &m->nslots, 64)) == NULL)
			return NULL;
		m->t = t;
	}
	for (j = h & (m->nslots - 1); m->slots[j]; j = (j + 1) & (m->nslots - 1)) {
		t = &m->t[m->slots[j] - 1];
		if (t->hash == h && strcmp(t->trace_id, trace_id) == 0)
			return t;
	}
	t = &m->t[m->n];
	memset(t, 0, sizeof(*t));
	t->trace_id = trace_id;
	t->hash = h;
	t->start = INT64_MAX;
	t->end = INT64_MIN;
	m->slots[j] = ++m->n;
	return t;
}

static void
trace_map_free(struct trace_map *m)
{
	free(m->t);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

#define FIRST(field, v) do { if (t->field == NULL) t->field = (v); } while (0)

/* Adds a stored span to its trace's totals, as SQ_TRACE_UPSERT would one by one. */
static int
trace_add(struct trace_map *m, const struct llm_span *sp, int64_t cost)
{
	struct trace_acc *t = trace_map_get(m, sp->trace_id);
	const char *name = sp->trace_name ? sp->trace_name : sp->parent_span_id == NULL ? sp->name : NULL;

	if (t == NULL)
		return -1;
	if (name != NULL) {
		t->name = name;
		t->names = 1;
	}
	FIRST(session_id, sp->session_id);
	FIRST(user_id, sp->user_id);
	FIRST(feature, sp->feature);
	FIRST(model, sp->model);
	if (sp->trace_metadata != NULL)
		t->metadata = sp->trace_metadata;
	if (sp->start_ms < t->start)
		t->start = sp->start_ms;
	if (sp->end_ms > t->end)
		t->end = sp->end_ms;
	t->spans++;
	t->calls += sp->model != NULL;
	t->input = util_add_sat(t->input, sp->input_tokens);
	t->output = util_add_sat(t->output, sp->output_tokens);
	t->cached = util_add_sat(t->cached, sp->cached_tokens);
	t->cost = util_add_sat(t->cost, cost);
	t->errors += sp->status == LLM_ERROR;
	return 0;
}

#undef FIRST

static int
trace_flush(struct sq_conn *c, int64_t project_id, const struct trace_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct trace_acc *t = &m->t[i];
		sqlite3_stmt *s = sq_stmt(c, SQ_TRACE_UPSERT);

		if (s == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, project_id);
		sq_bind_text(s, 2, t->trace_id);
		sq_bind_text(s, 3, t->name);
		sq_bind_text(s, 4, t->session_id);
		sq_bind_text(s, 5, t->user_id);
		sq_bind_text(s, 6, t->feature);
		sq_bind_text(s, 7, t->model);
		sqlite3_bind_int64(s, 8, t->start);
		sqlite3_bind_int64(s, 9, t->end);
		sqlite3_bind_int64(s, 10, t->calls);
		sqlite3_bind_int64(s, 11, t->input);
		sqlite3_bind_int64(s, 12, t->output);
		sqlite3_bind_int64(s, 13, t->cached);
		sqlite3_bind_int64(s, 14, t->cost);
		sqlite3_bind_int64(s, 15, t->errors);
		sq_bind_text(s, 16, t->metadata);
		sqlite3_bind_int(s, 17, t->names);
		sqlite3_bind_int64(s, 18, t->spans);
		if (sq_exec(c, s) != 0)
			return -1;
	}
	return 0;
}

struct sq_llm_job {
	struct sq_rollup rollup;
	struct trace_map traces;
};

/* Stores one span with everything derived from it. 0 stored, 1 duplicate, -1 failed. */
static int
span_write(struct sq_store *st, struct sq_conn *c, const struct ingest_meta *m,
    const struct llm_span *sp, struct sq_llm_job *job)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_SPAN_INSERT);
	const char *conv = sp->conversation_id ? sp->conversation_id : sp->session_id;
	int64_t cost;
	int priced;

	if (s == NULL || span_cost(st, c, m->project_id, sp, &cost, &priced) != 0)
		return -1;
	sqlite3_bind_int64(s, 1, m->project_id);
	sq_bind_text(s, 2, sp->trace_id);
	sq_bind_text(s, 3, sp->span_id);
	sq_bind_text(s, 4, sp->parent_span_id);
	sq_bind_text(s, 5, sp->name);
	sq_bind_text(s, 6, sp->session_id);
	sq_bind_text(s, 7, sp->user_id);
	sq_bind_text(s, 8, sp->feature);
	sq_bind_text(s, 9, sp->conversation_id);
	sq_bind_text(s, 10, sp->turn_id);
	sq_bind_text(s, 11, sp->provider);
	sq_bind_text(s, 12, sp->model);
	sqlite3_bind_int64(s, 13, sp->input_tokens);
	sqlite3_bind_int64(s, 14, sp->output_tokens);
	sqlite3_bind_int64(s, 15, sp->cached_tokens);
	sqlite3_bind_int64(s, 16, sp->start_ms);
	sqlite3_bind_int64(s, 17, sp->end_ms);
	sqlite3_bind_double(s, 18, sp->latency_ms);
	sqlite3_bind_int64(s, 19, cost);
	if (sp->has_estimate)
		sqlite3_bind_int64(s, 20, sp->estimated_nusd);
	sqlite3_bind_int(s, 21, priced);
	sqlite3_bind_int(s, 22, sp->status);
	sq_bind_text(s, 23, sp->error);
	sq_bind_text(s, 24, sp->input);
	sq_bind_text(s, 25, sp->output);
	sq_bind_text(s, 26, sp->metadata);
	if (sp->input != NULL && sp->model != NULL)
		sqlite3_bind_int64(s, 27, (int64_t)simhash64(sp->input));
	sqlite3_bind_int64(s, 28, m->received_ms);
	if (sq_exec(c, s) != 0)
		return -1;
	if (sqlite3_changes(c->db) == 0)
		return 1;
	if (trace_add(&job->traces, sp, cost) != 0)
		return -1;
	if (sp->model == NULL)
		return 0;
	/* A call without a turnId is a turn of its own trace. */
	if (conv != NULL && conversation_touch(c, m->project_id, conv, sp->user_id, sp->start_ms,
	    sp->turn_id ? sp->turn_id : sp->trace_id, sp->model, 1, cost) != 0)
		return -1;
	return rollup_add(&job->rollup, sp, cost);
}

struct sq_llm_job *
sq_llm_job_new(void)
{
	return calloc(1, sizeof(struct sq_llm_job));
}

int
sq_llm_span(struct sq_store *st, struct sq_conn *c, const struct ingest_meta *m,
    const struct llm_span *sp, struct sq_llm_job *job)
{
	return span_write(st, c, m, sp, job);
}

int
sq_llm_job_flush(struct sq_conn *c, int64_t project_id, struct sq_llm_job *job)
{
	int rc = trace_flush(c, project_id, &job->traces);
	if (rc == 0)
		rc = rollup_flush(c, project_id, &job->rollup);
	rollup_free(&job->rollup);
	trace_map_free(&job->traces);
	return rc;
}

void
sq_llm_job_free(struct sq_llm_job *job)
{
	if (job != NULL) {
		rollup_free(&job->rollup);
		trace_map_free(&job->traces);
	}
	free(job);
}

struct spans_args {
	struct sq_store *st;
	const struct ingest_meta *meta;
	const struct llm_span *spans;
	size_t n;
	unsigned char *dup;
	int64_t accepted, duplicates;
};

static int
spans_tx(struct sq_conn *c, void *arg)
{
	struct spans_args *a = arg;
	struct sq_llm_job job;
	int rc = 0;

	memset(&job, 0, sizeof(job));
	a->accepted = a->duplicates = 0;
	for (size_t i = 0; i < a->n && rc == 0; i++) {
		int r = sq_llm_span(a->st, c, a->meta, &a->spans[i], &job);
		if (r < 0)
			rc = -1;
		else if (a->dup)
			a->dup[i] = (unsigned char)r;
		a->accepted += r == 0;
		a->duplicates += r == 1;
	}
	if (rc == 0)
		rc = sq_llm_job_flush(c, a->meta->project_id, &job);
	rollup_free(&job.rollup);
	trace_map_free(&job.traces);
	return rc;
}

int
sq_spans_insert(struct store *base, const struct ingest_meta *meta, const struct llm_span *spans,
    size_t n, unsigned char *dup, int64_t *accepted, int64_t *duplicates)
{
	struct spans_args a = { (struct sq_store *)base, meta, spans, n, dup, 0, 0 };
	int rc = sq_write(a.st, spans_tx, &a);
	*accepted = rc == 0 ? a.accepted : 0;
	*duplicates = rc == 0 ? a.duplicates : 0;
	return rc;
}

/* ---- votes ---- */

struct votes_args {
	const struct ingest_meta *meta;
	const struct vote *votes;
	size_t n;
	int64_t dedup_since;
	int64_t accepted, duplicates;
};

/* The conversation a vote lands in: its own, its turn's, or its trace's session. */
static int
vote_conversation(struct sq_conn *c, int64_t project_id, const struct vote *v, char *out, size_t outsz)
{
	sqlite3_stmt *s;
	int step;

	out[0] = '\0';
	if (v->conversation_id != NULL) {
		util_strlcpy(out, v->conversation_id, outsz);
		return 0;
	}
	if (v->turn_id != NULL)
		s = sq_stmt(c, SQ_CONV_OF_TURN);
	else if (v->trace_id != NULL)
		s = sq_stmt(c, SQ_CONV_OF_TRACE);
	else
		return 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project_id);
	sq_bind_text(s, 2, v->turn_id ? v->turn_id : v->trace_id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		sq_column_copy(s, 0, out, outsz);
	sqlite3_reset(s);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : sq_fail(c, "vote conversation");
}

static int
votes_tx(struct sq_conn *c, void *arg)
{
	struct votes_args *a = arg;
	const struct ingest_meta *m = a->meta;

	a->accepted = a->duplicates = 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct vote *v = &a->votes[i];
		int64_t h = util_hash64(v->message_id, strlen(v->message_id));
		char conv[LLM_ID_MAX_CHARS * 4 + 1];
		sqlite3_stmt *s;
		int dup = 0;

		if (!v->message_id_generated && (dup = sq_message_seen(c, SQ_VOTE_DEDUP, a->meta->project_id, h,
		    v->message_id, a->dedup_since)) < 0)
			return -1;
		if (dup) {
			a->duplicates++;
			continue;
		}
		if (vote_conversation(c, m->project_id, v, conv, sizeof(conv)) != 0 ||
		    (s = sq_stmt(c, SQ_VOTE_INSERT)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, m->project_id);
		sqlite3_bind_int64(s, 2, v->ts_ms);
		sqlite3_bind_int64(s, 3, m->received_ms);
		sqlite3_bind_double(s, 4, v->value);
		sq_bind_text(s, 5, v->comment);
		sq_bind_text(s, 6, v->turn_id);
		sq_bind_text(s, 7, v->trace_id);
		sq_bind_text(s, 8, v->user_id);
		sq_bind_text(s, 9, conv[0] ? conv : NULL);
		sq_bind_text(s, 10, v->message_id);
		sqlite3_bind_int64(s, 11, h);
		if (sq_exec(c, s) != 0)
			return -1;
		if (conv[0]) {
			if ((s = sq_stmt(c, SQ_CONV_VOTE)) == NULL)
				return -1;
			sqlite3_bind_int64(s, 1, m->project_id);
			sq_bind_text(s, 2, conv);
			sqlite3_bind_int(s, 3, v->value > 0);
			sqlite3_bind_int(s, 4, v->value < 0);
			if (sq_exec(c, s) != 0)
				return -1;
		}
		a->accepted++;
	}
	return 0;
}

int
sq_votes_insert(struct store *base, const struct ingest_meta *meta, const struct vote *votes,
    size_t n, int64_t *accepted, int64_t *duplicates)
{
	struct sq_store *st = (struct sq_store *)base;
	struct votes_args a = { meta, votes, n, 0, 0, 0 };
	int rc;

	a.dedup_since = st->cfg.dedup_window_days > 0
	    ? meta->received_ms - st->cfg.dedup_window_days * 86400000LL
	    : meta->received_ms + 1;
	rc = sq_write(st, votes_tx, &a);
	*accepted = rc == 0 ? a.accepted : 0;
	*duplicates = rc == 0 ? a.duplicates : 0;
	return rc;
}
