/*
 * pulse: the Pulse trace service's batch (SPEC §5.2): traces with nested
 * spans. A span takes what it does not say from its trace (session, user,
 * feature, start); a trace without spans is stored as one span of its own.
 */
#include "llm.h"

#include <stdio.h>
#include <string.h>

#include "json_strict.h"
#include "timestamp.h"

static json_object *
member(json_object *o, const char *a, const char *b, const char *c)
{
	json_object *v;
	const char *names[3] = { a, b, c };
	for (int i = 0; i < 3; i++)
		if (names[i] && json_object_object_get_ex(o, names[i], &v) && v != NULL)
			return v;
	return NULL;
}

/* A trace-level string field, or a problem. */
static int
trace_str(json_object *t, const char *a, const char *b, json_object *meta, const char **out,
    char *problem, size_t problemsz)
{
	json_object *v = member(t, a, b, NULL);
	if (v == NULL && meta != NULL)
		v = member(meta, a, b, NULL);
	if (v == NULL)
		return 0;
	if (json_str(v) == NULL || *json_str(v) == '\0' || strlen(json_str(v)) > LLM_ID_MAX_CHARS * 4) {
		snprintf(problem, problemsz, "must be a non-empty string of at most %d characters",
		    LLM_ID_MAX_CHARS);
		return -1;
	}
	*out = json_str(v);
	return 0;
}

struct trace_defaults {
	const char *trace_id, *name, *session_id, *user_id, *feature, *metadata;
	int64_t start_ms, end_ms;
};

static int
read_trace(json_object *t, const struct llm_limits *lim, struct span_batch *b,
    struct trace_defaults *d, char *field, size_t fieldsz, char *problem, size_t problemsz)
{
	json_object *meta = member(t, "metadata", NULL, NULL), *v;
	const char *names[][2] = {
		{ "id", "traceId" }, { "name", NULL }, { "sessionId", "session_id" },
		{ "userId", "user_id" }, { "feature", NULL },
	};
	const char **outs[] = { &d->trace_id, &d->name, &d->session_id, &d->user_id, &d->feature };

	memset(d, 0, sizeof(*d));
	if (!json_object_is_type(t, json_type_object)) {
		snprintf(field, fieldsz, "%s", "");
		snprintf(problem, problemsz, "%s", "a trace must be a JSON object");
		return -1;
	}
	if (meta != NULL && !json_object_is_type(meta, json_type_object)) {
		snprintf(field, fieldsz, "%s", "metadata");
		snprintf(problem, problemsz, "%s", "must be a JSON object");
		return -1;
	}
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		/* the Pulse SDK puts userId and feature in metadata */
		json_object *fallback = i >= 3 ? meta : NULL;
		if (trace_str(t, names[i][0], names[i][1], fallback, outs[i], problem, problemsz) != 0) {
			snprintf(field, fieldsz, "%s", names[i][0]);
			return -1;
		}
	}
	if (d->trace_id == NULL && (v = member(t, "trace_id", NULL, NULL)) != NULL && json_str(v))
		d->trace_id = json_str(v);
	d->metadata = meta ? json_object_to_json_string_ext(meta,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	d->start_ms = lim->now_ms;
	if ((v = member(t, "startTime", "start_time", NULL)) != NULL &&
	    (ingest_time(v, &d->start_ms) != 0 || d->start_ms < TS_MIN_MS ||
	     d->start_ms > lim->now_ms + 86400000LL)) {
		snprintf(field, fieldsz, "%s", "startTime");
		snprintf(problem, problemsz, "%s", "must be an ISO 8601 time or epoch milliseconds from 2000 to now");
		return -1;
	}
	d->end_ms = d->start_ms;
	if ((v = member(t, "endTime", "end_time", NULL)) != NULL &&
	    (ingest_time(v, &d->end_ms) != 0 || d->end_ms < d->start_ms ||
	     d->end_ms > lim->now_ms + 86400000LL)) {
		snprintf(field, fieldsz, "%s", "endTime");
		snprintf(problem, problemsz, "%s", "must be a time not before startTime");
		return -1;
	}
	if (d->trace_id == NULL) {
		struct llm_span tmp = { 0 };
		if (llm_span_fill_ids(&tmp, &b->pool) != 0)
			return -1;
		d->trace_id = tmp.trace_id;
	}
	return 0;
}

static void
apply_defaults(struct llm_span *sp, const struct trace_defaults *d)
{
	sp->trace_id = d->trace_id;
	sp->trace_name = d->name;
	sp->trace_metadata = d->metadata;
	if (sp->session_id == NULL)
		sp->session_id = d->session_id;
	if (sp->user_id == NULL)
		sp->user_id = d->user_id;
	if (sp->feature == NULL)
		sp->feature = d->feature;
}

int
pulse_parse(json_object *root, const struct llm_limits *lim, size_t max_spans,
    struct span_batch *b)
{
	json_object *traces;
	size_t ntraces;

	memset(b, 0, sizeof(*b));
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "traces", &traces) ||
	    !json_object_is_type(traces, json_type_array)) {
		snprintf(b->fatal, sizeof(b->fatal), "%s", "the body must be {\"traces\":[…]}");
		return 0;
	}
	ntraces = json_object_array_length(traces);
	b->traces = ntraces;
	for (size_t i = 0; i < ntraces; i++) {
		json_object *t = json_object_array_get_idx(traces, i), *spans = NULL;
		struct trace_defaults d;
		char field[48] = "", problem[160] = "";
		size_t first = b->n, nspans;

		if (read_trace(t, lim, b, &d, field, sizeof(field), problem, sizeof(problem)) != 0) {
			if (problem[0] == '\0' || span_batch_problem(b, i, field, problem) != 0)
				return -1;
			continue;
		}
		if (json_object_object_get_ex(t, "spans", &spans) && spans != NULL &&
		    !json_object_is_type(spans, json_type_array)) {
			if (span_batch_problem(b, i, "spans", "must be an array") != 0)
				return -1;
			continue;
		}
		nspans = spans ? json_object_array_length(spans) : 0;
		if (b->n + (nspans ? nspans : 1) > max_spans) {
			snprintf(b->fatal, sizeof(b->fatal), "a batch holds at most %zu spans", max_spans);
			return 0;
		}
		if (nspans == 0) {
			/* the trace alone: one span standing for it */
			struct llm_span *sp = span_batch_add(b);
			if (sp == NULL || llm_span_fill_ids(sp, &b->pool) != 0)
				return -1;
			sp->name = d.name;
			sp->start_ms = d.start_ms;
			sp->end_ms = d.end_ms;
			sp->latency_ms = (double)(d.end_ms - d.start_ms);
			apply_defaults(sp, &d);
			continue;
		}
		for (size_t j = 0; j < nspans; j++) {
			json_object *o = json_object_array_get_idx(spans, j), *v;
			struct llm_span *sp = span_batch_add(b);
			char f[40] = "";

			if (sp == NULL)
				return -1;
			sp->start_ms = d.start_ms;
			if (llm_span_from_json(o, NULL, 1, lim, &b->pool, sp, f, sizeof(f),
			    problem, sizeof(problem)) != 0) {
				snprintf(field, sizeof(field), "spans[%zu].%s", j, f);
				if (span_batch_problem(b, i, field, problem) != 0)
					return -1;
				b->n = first;   /* a trace is taken whole or not at all */
				goto next_trace;
			}
			/* Pulse names a span's own id "id" and its parent "parentId" */
			if (sp->span_id == NULL && (v = member(o, "id", NULL, NULL)) != NULL && json_str(v) &&
			    *json_str(v) && strlen(json_str(v)) <= LLM_ID_MAX_CHARS)
				sp->span_id = json_str(v);
			if (sp->name == NULL && (v = member(o, "name", NULL, NULL)) != NULL && json_str(v))
				sp->name = json_str(v);
			if (llm_span_fill_ids(sp, &b->pool) != 0)
				return -1;
			apply_defaults(sp, &d);
		}
next_trace:;
	}
	return 0;
}
