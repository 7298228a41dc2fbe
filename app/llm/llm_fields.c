/*
 * llm_fields: the LLM call fields of SPEC §5.1 and every alias, read from
 * a native event, a cost-profiler event or a Pulse span. Adding an alias is
 * one word in the table.
 */
#include "llm.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "json_strict.h"
#include "timestamp.h"
#include "util.h"

enum lslot {
	L_TRACE, L_SPAN, L_PARENT, L_NAME, L_SESSION, L_USER, L_FEATURE, L_CONVERSATION, L_TURN,
	L_PROVIDER, L_MODEL, L_IN, L_OUT, L_CACHED, L_LATENCY, L_COST, L_INPUT, L_OUTPUT,
	L_STATUS, L_ERROR, L_METADATA, L_START, L_END, L__COUNT
};

enum lkind { LK_ID, LK_TOKENS, LK_MS, LK_USD, LK_TEXT, LK_OBJECT, LK_TIME, LK_STATUS };

static const struct {
	enum lslot slot;
	enum lkind kind;
	const char *names[7];   /* names[0] is the one error messages use */
} lfields[] = {
	{ L_TRACE, LK_ID, { "traceId", "trace_id" } },
	{ L_SPAN, LK_ID, { "spanId", "span_id" } },
	{ L_PARENT, LK_ID, { "parentSpanId", "parent_span_id", "parentId", "parent_id" } },
	{ L_NAME, LK_ID, { "spanName", "span_name" } },
	{ L_SESSION, LK_ID, { "sessionId", "session_id", "gen_ai.conversation.id" } },
	{ L_USER, LK_ID, { "userId", "user_id" } },
	{ L_FEATURE, LK_ID, { "feature" } },
	{ L_CONVERSATION, LK_ID, { "conversationId", "conversation_id" } },
	{ L_TURN, LK_ID, { "turnId", "turn_id" } },
	{ L_PROVIDER, LK_ID, { "provider", "gen_ai.provider.name", "gen_ai.system" } },
	{ L_MODEL, LK_ID, { "model", "gen_ai.request.model", "gen_ai.response.model" } },
	{ L_IN, LK_TOKENS, { "inputTokens", "input_tokens", "gen_ai.usage.input_tokens",
	    "promptTokens", "prompt_tokens", "gen_ai.usage.prompt_tokens" } },
	{ L_OUT, LK_TOKENS, { "outputTokens", "output_tokens", "gen_ai.usage.output_tokens",
	    "completionTokens", "completion_tokens", "gen_ai.usage.completion_tokens" } },
	{ L_CACHED, LK_TOKENS, { "cachedTokens", "cached_tokens",
	    "gen_ai.usage.cache_read.input_tokens", "cacheReadInputTokens",
	    "cache_read_input_tokens" } },
	{ L_LATENCY, LK_MS, { "latencyMs", "latency", "latency_ms", "durationMs", "duration_ms" } },
	{ L_COST, LK_USD, { "estimatedCostUsd", "estimated_cost_usd", "costUsd", "cost_usd" } },
	{ L_INPUT, LK_TEXT, { "input", "prompt" } },
	{ L_OUTPUT, LK_TEXT, { "output", "completion" } },
	{ L_STATUS, LK_STATUS, { "status" } },
	{ L_ERROR, LK_TEXT, { "error" } },
	{ L_METADATA, LK_OBJECT, { "metadata" } },
	{ L_START, LK_TIME, { "startTime", "start_time" } },
	{ L_END, LK_TIME, { "endTime", "end_time" } },
};

#define NFIELDS (sizeof(lfields) / sizeof(lfields[0]))

static int
bad(char *field, size_t fieldsz, char *problem, size_t problemsz, const char *name,
    const char *fmt, ...)
{
	va_list ap;
	snprintf(field, fieldsz, "%s", name);
	va_start(ap, fmt);
	vsnprintf(problem, problemsz, fmt, ap);
	va_end(ap);
	return -1;
}

static json_object *
find(json_object *obj, json_object *props, size_t f, const char **used)
{
	json_object *src[2] = { obj, props };
	for (int s = 0; s < 2; s++) {
		if (src[s] == NULL)
			continue;
		for (int i = 0; i < 7 && lfields[f].names[i]; i++) {
			json_object *v;
			if (json_object_object_get_ex(src[s], lfields[f].names[i], &v) && v != NULL) {
				*used = lfields[f].names[i];
				return v;
			}
		}
	}
	return NULL;
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

const char *
llm_truncate(struct strpool *pool, const char *text, size_t max)
{
	size_t len, cut;
	char *copy;

	if (text == NULL || (len = strlen(text)) <= max)
		return text;
	cut = max;
	while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
		cut--;      /* never split a UTF-8 sequence */
	if ((copy = malloc(cut + 1)) == NULL)
		return NULL;
	memcpy(copy, text, cut);
	copy[cut] = '\0';
	return strpool_keep(pool, copy);
}

int
llm_span_fill_ids(struct llm_span *sp, struct strpool *pool)
{
	unsigned char r[16];
	char hex[33];

	if (sp->trace_id == NULL) {
		util_random(r, 16);
		util_hex_encode(r, 16, hex);
		if ((sp->trace_id = strpool_dup(pool, hex)) == NULL)
			return -1;
	}
	if (sp->span_id == NULL) {
		util_random(r, 8);
		util_hex_encode(r, 8, hex);
		if ((sp->span_id = strpool_dup(pool, hex)) == NULL)
			return -1;
	}
	return 0;
}

/* Text of a string, or the JSON text of a list/object of messages. */
static const char *
text_value(json_object *v)
{
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	if (json_object_is_type(v, json_type_array) || json_object_is_type(v, json_type_object))
		return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	return NULL;
}

int
llm_span_from_json(json_object *obj, json_object *props, int require,
    const struct llm_limits *lim, struct strpool *pool, struct llm_span *sp,
    char *field, size_t fieldsz, char *problem, size_t problemsz)
{
	json_object *v[L__COUNT] = { 0 };
	const char *used[L__COUNT] = { 0 };
	int has_latency = 0, has_start = 0, has_end = 0;

	if (!json_object_is_type(obj, json_type_object))
		return bad(field, fieldsz, problem, problemsz, "", "a span must be a JSON object");
	if (props != NULL && !json_object_is_type(props, json_type_object))
		props = NULL;
	for (size_t f = 0; f < NFIELDS; f++)
		v[lfields[f].slot] = find(obj, props, f, &used[lfields[f].slot]);
	/* an event is an LLM call when it names a model and counts tokens */
	if (!require && (v[L_MODEL] == NULL ||
	    (v[L_IN] == NULL && v[L_OUT] == NULL && v[L_CACHED] == NULL)))
		return 1;

	for (size_t f = 0; f < NFIELDS; f++) {
		enum lslot slot = lfields[f].slot;
		json_object *x = v[slot];
		const char *name = used[slot], *s = NULL;
		int64_t n = 0, ms = 0;
		double d = 0;

		if (x == NULL)
			continue;
		switch (lfields[f].kind) {
		case LK_ID:
			if (json_object_is_type(x, json_type_int)) {
				char num[24];
				snprintf(num, sizeof(num), "%lld", (long long)json_object_get_int64(x));
				s = strpool_dup(pool, num);
			} else if ((s = json_str(x)) == NULL || *s == '\0')
				return bad(field, fieldsz, problem, problemsz, name, "must be a non-empty string");
			if (s == NULL)
				return bad(field, fieldsz, problem, problemsz, name, "out of memory");
			if (utf8_chars(s) > LLM_ID_MAX_CHARS)
				return bad(field, fieldsz, problem, problemsz, name,
				    "longer than %d characters", LLM_ID_MAX_CHARS);
			break;
		case LK_TOKENS:
			if (!json_object_is_type(x, json_type_int) || (n = json_object_get_int64(x)) < 0 ||
			    n > LLM_TOKENS_MAX)
				return bad(field, fieldsz, problem, problemsz, name,
				    "must be an integer from 0 to 1000000000");
			break;
		case LK_MS:
		case LK_USD:
			if (!json_object_is_type(x, json_type_int) && !json_object_is_type(x, json_type_double))
				return bad(field, fieldsz, problem, problemsz, name, "must be a number");
			d = json_object_get_double(x);
			if (!isfinite(d) || d < 0 || (lfields[f].kind == LK_USD && d > LLM_COST_USD_MAX) ||
			    (lfields[f].kind == LK_MS && d > 86400000.0 * 365))
				return bad(field, fieldsz, problem, problemsz, name, "must be a number >= 0 in range");
			break;
		case LK_TEXT:
			if ((s = text_value(x)) == NULL)
				return bad(field, fieldsz, problem, problemsz, name, "must be a string");
			if ((s = llm_truncate(pool, s, lim->max_text_bytes)) == NULL)
				return bad(field, fieldsz, problem, problemsz, name, "out of memory");
			break;
		case LK_OBJECT:
			if (!json_object_is_type(x, json_type_object))
				return bad(field, fieldsz, problem, problemsz, name, "must be a JSON object");
			s = json_object_to_json_string_ext(x, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
			break;
		case LK_TIME:
			if (ingest_time(x, &ms) != 0 || ms < TS_MIN_MS || ms > lim->now_ms + 86400000LL)
				return bad(field, fieldsz, problem, problemsz, name,
				    "must be an ISO 8601 time or epoch milliseconds from 2000 to now");
			break;
		case LK_STATUS:
			if ((s = json_str(x)) == NULL ||
			    (strcmp(s, "ok") != 0 && strcmp(s, "error") != 0 &&
			     strcmp(s, "success") != 0 && strcmp(s, "unset") != 0))
				return bad(field, fieldsz, problem, problemsz, name, "must be \"ok\" or \"error\"");
			break;
		}
		switch (slot) {
		case L_TRACE: sp->trace_id = s; break;
		case L_SPAN: sp->span_id = s; break;
		case L_PARENT: sp->parent_span_id = s; break;
		case L_NAME: sp->name = s; break;
		case L_SESSION: sp->session_id = s; break;
		case L_USER: sp->user_id = s; break;
		case L_FEATURE: sp->feature = s; break;
		case L_CONVERSATION: sp->conversation_id = s; break;
		case L_TURN: sp->turn_id = s; break;
		case L_PROVIDER: sp->provider = s; break;
		case L_MODEL: sp->model = s; break;
		case L_IN: sp->input_tokens = n; break;
		case L_OUT: sp->output_tokens = n; break;
		case L_CACHED: sp->cached_tokens = n; break;
		case L_LATENCY: sp->latency_ms = d; has_latency = 1; break;
		case L_COST: sp->estimated_nusd = llround(d * 1e9); sp->has_estimate = 1; break;
		case L_INPUT: sp->input = s; break;
		case L_OUTPUT: sp->output = s; break;
		case L_STATUS: if (strcmp(s, "error") == 0) sp->status = LLM_ERROR; break;
		case L_ERROR: sp->error = s; sp->status = LLM_ERROR; break;
		case L_METADATA: sp->metadata = s; break;
		case L_START: sp->start_ms = ms; has_start = 1; break;
		case L_END: sp->end_ms = ms; has_end = 1; break;
		default: break;
		}
	}
	if (v[L_STATUS] != NULL && strcmp(json_str(v[L_STATUS]), "error") != 0 && v[L_ERROR] == NULL)
		sp->status = LLM_OK;

	/* time: start (the caller's default), end, latency; each fills the others */
	(void)has_start;
	if (has_end && sp->end_ms < sp->start_ms)
		return bad(field, fieldsz, problem, problemsz, used[L_END], "must not be before the start");
	if (has_end && !has_latency)
		sp->latency_ms = (double)(sp->end_ms - sp->start_ms);
	else if (!has_end)
		sp->end_ms = sp->start_ms + (int64_t)ceil(sp->latency_ms);
	return 0;
}
