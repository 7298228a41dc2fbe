/* vote: Bilan feedback (SPEC §5.4): one vote, an array, or {"votes":[…]}. */
#include "llm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"
#include "timestamp.h"

#define COMMENT_MAX_BYTES 4096

static int
problem(struct ingest_problem *p, size_t index, const char *field, const char *msg)
{
	p->index = index;
	util_strlcpy(p->field, field, sizeof(p->field));
	util_strlcpy(p->problem, msg, sizeof(p->problem));
	return -1;
}

static json_object *
member(json_object *o, const char *a, const char *b)
{
	json_object *v;
	if (json_object_object_get_ex(o, a, &v) && v != NULL)
		return v;
	if (b && json_object_object_get_ex(o, b, &v) && v != NULL)
		return v;
	return NULL;
}

static int
read_vote(json_object *o, size_t index, const struct llm_limits *lim, struct vote_batch *b,
    struct vote *v, struct ingest_problem *p)
{
	static const struct { const char *a, *b; size_t off; size_t max; } ids[] = {
		{ "turnId", "turn_id", offsetof(struct vote, turn_id), LLM_ID_MAX_CHARS },
		{ "traceId", "trace_id", offsetof(struct vote, trace_id), LLM_ID_MAX_CHARS },
		{ "userId", "user_id", offsetof(struct vote, user_id), LLM_ID_MAX_CHARS },
		{ "conversationId", "conversation_id", offsetof(struct vote, conversation_id), LLM_ID_MAX_CHARS },
		{ "messageId", "message_id", offsetof(struct vote, message_id), 100 },
		{ "comment", NULL, offsetof(struct vote, comment), COMMENT_MAX_BYTES },
	};
	json_object *x;
	double value;

	memset(v, 0, sizeof(*v));
	if (!json_object_is_type(o, json_type_object))
		return problem(p, index, "", "a vote must be a JSON object");
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const char *s;
		if ((x = member(o, ids[i].a, ids[i].b)) == NULL)
			continue;
		if ((s = json_str(x)) == NULL || (*s == '\0' && ids[i].b != NULL))
			return problem(p, index, ids[i].a, "must be a non-empty string");
		if (strlen(s) > ids[i].max * (ids[i].b ? 4 : 1))
			return problem(p, index, ids[i].a, "is too long");
		*(const char **)((char *)v + ids[i].off) = s;
	}
	if (v->turn_id == NULL && v->trace_id == NULL)
		return problem(p, index, "turnId", "one of turnId or traceId is required");
	if ((x = member(o, "value", "score")) == NULL)
		return problem(p, index, "value", "is required");
	if (!json_object_is_type(x, json_type_int) && !json_object_is_type(x, json_type_double))
		return problem(p, index, "value", "must be a number (-1 or 1, or a score)");
	value = json_object_get_double(x);
	if (!isfinite(value) || fabs(value) > 1e9)
		return problem(p, index, "value", "must be a finite number");
	v->value = value;
	v->ts_ms = lim->now_ms;
	if ((x = member(o, "timestamp", "ts")) != NULL &&
	    (ingest_time(x, &v->ts_ms) != 0 || v->ts_ms < TS_MIN_MS || v->ts_ms > lim->now_ms + 86400000LL))
		return problem(p, index, "timestamp", "must be an ISO 8601 time or epoch milliseconds from 2000 to now");
	if (v->message_id == NULL) {
		char *id = malloc(37);
		if (id == NULL)
			return problem(p, index, "", "out of memory");
		util_uuid4(id);
		if ((v->message_id = strpool_keep(&b->pool, id)) == NULL)
			return problem(p, index, "", "out of memory");
		v->message_id_generated = 1;
	}
	return 0;
}

int
vote_parse(json_object *root, const struct llm_limits *lim, size_t max_votes, struct vote_batch *b)
{
	json_object *list = NULL;
	size_t count;

	memset(b, 0, sizeof(*b));
	if (json_object_is_type(root, json_type_array))
		list = root;
	else if (json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "votes", &list) && json_object_is_type(list, json_type_array))
		;
	else if (json_object_is_type(root, json_type_object))
		list = NULL;
	else {
		snprintf(b->fatal, sizeof(b->fatal), "%s", "the body must be a vote, an array of votes or {\"votes\":[…]}");
		return 0;
	}
	count = list ? json_object_array_length(list) : 1;
	b->total = count;
	if (count == 0) {
		snprintf(b->fatal, sizeof(b->fatal), "%s", "the body holds no votes");
		return 0;
	}
	if (count > max_votes) {
		snprintf(b->fatal, sizeof(b->fatal), "a batch holds at most %zu votes", max_votes);
		return 0;
	}
	b->votes = calloc(count, sizeof(*b->votes));
	b->problems = calloc(count, sizeof(*b->problems));
	if (b->votes == NULL || b->problems == NULL)
		return -1;
	for (size_t i = 0; i < count; i++) {
		json_object *o = list ? json_object_array_get_idx(list, i) : root;
		if (read_vote(o, i, lim, b, &b->votes[b->n], &b->problems[b->nproblems]) == 0)
			b->n++;
		else
			b->nproblems++;
	}
	return 0;
}

void
vote_batch_free(struct vote_batch *b)
{
	free(b->votes);
	free(b->problems);
	strpool_free(&b->pool);
	memset(b, 0, sizeof(*b));
}
