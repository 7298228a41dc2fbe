/*
 * llm: LLM calls, spans and votes (SPEC §5) as every wire dialect produces
 * them: the native/cost-profiler events, the Pulse trace batch and OTLP.
 */
#ifndef TALLY_LLM_H
#define TALLY_LLM_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "ingest.h"
#include "util.h"

#define LLM_ID_MAX_CHARS 200
/* Per call; above is a typo or an attack. They keep every sum of a day's
 * calls far from int64 overflow (sums saturate there anyway). */
#define LLM_TOKENS_MAX 1000000000LL     /* a billion tokens */
#define LLM_COST_USD_MAX 100000.0       /* the client's estimate: 100,000 USD */

enum llm_status { LLM_OK = 0, LLM_ERROR = 1 };

/*
 * One span. An LLM call is a span with a model. Strings are borrowed (from
 * the parsed body or the batch that owns them); NULL = absent.
 */
struct llm_span {
	const char *trace_id, *span_id;         /* always set (generated when absent) */
	const char *parent_span_id;
	const char *name;
	const char *session_id, *user_id, *feature;
	const char *conversation_id, *turn_id;
	const char *provider, *model;           /* model NULL: a plain span */
	int64_t input_tokens;                   /* every prompt token, cached ones included */
	int64_t output_tokens, cached_tokens;
	int64_t start_ms, end_ms;               /* end_ms >= start_ms */
	double latency_ms;                      /* >= 0; end - start when not sent */
	int has_estimate;
	int64_t estimated_nusd;                 /* the client's cost, nano-dollars */
	int status;                             /* enum llm_status */
	const char *error;
	const char *input, *output;             /* truncated at max_text_bytes */
	const char *metadata;                   /* JSON object text */
	const char *trace_name;                 /* a trace's own name and metadata (Pulse) */
	const char *trace_metadata;
};

/* One feedback vote (SPEC §5.4). */
struct vote {
	const char *turn_id, *trace_id, *user_id, *conversation_id;
	const char *comment;
	const char *message_id;
	int message_id_generated;
	double value;
	int64_t ts_ms;
};

struct llm_limits {
	size_t max_text_bytes;                  /* input/output kept per call */
	int64_t now_ms;
};

/*
 * Reads the LLM fields of SPEC §5.1 (every alias) from obj, then from
 * props (an event's properties; may be NULL). Returns 1 when obj is not an
 * LLM call and `require` is 0 (nothing filled), 0 when *sp is filled, -1
 * with field/problem set when a field is invalid. Ids, times and identity
 * the caller already knows are passed in *sp beforehand and kept.
 */
int llm_span_from_json(json_object *obj, json_object *props, int require,
    const struct llm_limits *lim, struct strpool *pool, struct llm_span *sp,
    char *field, size_t fieldsz, char *problem, size_t problemsz);

/* Fills the ids still absent: a random 32-hex trace id, 16-hex span id. */
int llm_span_fill_ids(struct llm_span *sp, struct strpool *pool);

/* Cuts text to at most max bytes on a UTF-8 boundary; a copy in the arena when cut. */
const char *llm_truncate(struct strpool *pool, const char *text, size_t max);

/* Spans parsed from one body, and what was wrong with the others. */
struct span_batch {
	struct llm_span *spans;
	size_t n, cap;
	struct ingest_problem *problems;
	size_t nproblems, problems_cap;
	size_t traces;                          /* Pulse: traces in the body */
	char fatal[200];                        /* the body as a whole is wrong: nothing taken */
	struct strpool pool;
};
void span_batch_free(struct span_batch *b);
/* Appends a zeroed span; NULL when out of memory. */
struct llm_span *span_batch_add(struct span_batch *b);
/* Records a problem of message `index`; -1 when out of memory. */
int span_batch_problem(struct span_batch *b, size_t index, const char *field, const char *problem);

/*
 * The Pulse trace batch {"traces":[{id, name, sessionId, userId, startTime,
 * endTime, metadata, spans:[…]}]} (SPEC §5.2). root must outlive out. A
 * problem names the trace's index and the field path ("spans[2].model").
 */
int pulse_parse(json_object *root, const struct llm_limits *lim, size_t max_spans,
    struct span_batch *out);

/* Votes: one object, an array, or {"votes":[…]} (SPEC §5.4). */
struct vote_batch {
	struct vote *votes;
	size_t n;
	struct ingest_problem *problems;
	size_t nproblems;
	size_t total;
	char fatal[200];
	struct strpool pool;
};
int vote_parse(json_object *root, const struct llm_limits *lim, size_t max_votes,
    struct vote_batch *out);
void vote_batch_free(struct vote_batch *b);

#endif
