/*
 * otlp_map: an OTLP/JSON ExportTraceServiceRequest tree (a JSON body, or a
 * protobuf one through otlp_pb.c) → struct llm_span, reading the fields of
 * SPEC §5.1 from the OpenTelemetry GenAI semantic conventions (gen_ai.*).
 *
 * Which attribute feeds which field is one table (attrs[] below). A problem
 * in one span refuses that span only, as OTLP's partialSuccess allows; a
 * body whose structure above the spans is wrong is refused whole.
 */
#include "otlp.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"
#include "timestamp.h"

#define NS_PER_MS 1000000
#define DAY_MS 86400000LL
#define NAME_MAX_BYTES 1024             /* span name and status message kept */

enum slot {
	A_PROVIDER, A_MODEL, A_INPUT_TOKENS, A_OUTPUT_TOKENS, A_CACHED_TOKENS,
	A_SESSION, A_USER, A_FEATURE, A_COST, A_INPUT, A_OUTPUT, A__COUNT
};

enum { W_SPAN = 1, W_RESOURCE = 2, W_BOTH = 3 };

/*
 * The attributes read. For one slot a span attribute wins over a resource
 * one, then the lower rank wins. Keys are the GenAI conventions (current and
 * deprecated names), the OTel general ones (session.id, user.id, enduser.id,
 * service.name) and the OpenInference input.value/output.value.
 */
static const struct attr {
	const char *key;
	enum slot slot;
	int rank;
	int where;
} attrs[] = {
	{ "gen_ai.provider.name", A_PROVIDER, 0, W_BOTH },
	{ "gen_ai.system", A_PROVIDER, 1, W_BOTH },             /* deprecated */
	{ "gen_ai.request.model", A_MODEL, 0, W_SPAN },
	{ "gen_ai.response.model", A_MODEL, 1, W_SPAN },
	{ "gen_ai.usage.input_tokens", A_INPUT_TOKENS, 0, W_SPAN },
	{ "gen_ai.usage.prompt_tokens", A_INPUT_TOKENS, 1, W_SPAN },       /* legacy */
	{ "gen_ai.usage.output_tokens", A_OUTPUT_TOKENS, 0, W_SPAN },
	{ "gen_ai.usage.completion_tokens", A_OUTPUT_TOKENS, 1, W_SPAN },  /* legacy */
	{ "gen_ai.usage.cache_read.input_tokens", A_CACHED_TOKENS, 0, W_SPAN },
	{ "gen_ai.usage.cache_read_input_tokens", A_CACHED_TOKENS, 1, W_SPAN },
	{ "gen_ai.conversation.id", A_SESSION, 0, W_BOTH },
	{ "session.id", A_SESSION, 1, W_BOTH },
	{ "user.id", A_USER, 0, W_BOTH },
	{ "enduser.id", A_USER, 1, W_BOTH },
	{ "tally.feature", A_FEATURE, 0, W_BOTH },
	{ "feature", A_FEATURE, 1, W_BOTH },
	{ "service.name", A_FEATURE, 2, W_RESOURCE },
	{ "tally.estimated_cost_usd", A_COST, 0, W_SPAN },
	{ "gen_ai.usage.cost", A_COST, 1, W_SPAN },
	{ "gen_ai.prompt", A_INPUT, 0, W_SPAN },
	{ "gen_ai.input.messages", A_INPUT, 1, W_SPAN },
	{ "input.value", A_INPUT, 2, W_SPAN },
	{ "gen_ai.completion", A_OUTPUT, 0, W_SPAN },
	{ "gen_ai.output.messages", A_OUTPUT, 1, W_SPAN },
	{ "output.value", A_OUTPUT, 2, W_SPAN },
};

/* The attribute chosen for a slot so far. */
struct found {
	json_object *value;             /* the AnyValue; NULL: none */
	const char *key;
	int rank;
	int own;                        /* a span attribute (else the resource's) */
};

/* AnyValue members, in the order of common.proto. */
enum av { AV_NONE, AV_STRING, AV_BOOL, AV_INT, AV_DOUBLE, AV_ARRAY, AV_KVLIST, AV_BYTES };
static const char *const av_names[] = {
	NULL, "stringValue", "boolValue", "intValue", "doubleValue", "arrayValue",
	"kvlistValue", "bytesValue",
};

/* What one span's mapping needs; problem names what refused it. */
struct span_ctx {
	const struct llm_limits *lim;
	struct strpool *pool;
	char problem[160];
};

static int sc_reject(struct span_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Refuses the span: -1 with c->problem set. */
static int
sc_reject(struct span_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->problem, sizeof(c->problem), fmt, ap);
	va_end(ap);
	return -1;
}

/* The member set in an AnyValue object and its value (NULL: JSON null). */
static enum av
av_get(json_object *any, json_object **v)
{
	*v = NULL;
	if (!json_object_is_type(any, json_type_object))
		return AV_NONE;
	for (int i = AV_STRING; i <= AV_BYTES; i++)
		if (json_object_object_get_ex(any, av_names[i], v))
			return (enum av)i;
	return AV_NONE;
}

/*
 * A 64-bit integer as OTLP/JSON writes one: a number, or a decimal string
 * (proto3 JSON writes int64 and fixed64 so); a double only when integral.
 */
static int
json_i64(json_object *v, int64_t *out)
{
	double d;

	switch (json_object_get_type(v)) {
	case json_type_int:
		*out = json_object_get_int64(v);
		return 0;
	case json_type_string:
		return util_parse_i64(json_object_get_string(v), INT64_MIN, INT64_MAX, out);
	case json_type_double:
		d = json_object_get_double(v);
		if (!(d >= -9.2e18 && d <= 9.2e18) || d != (double)(int64_t)d)
			return -1;
		*out = (int64_t)d;
		return 0;
	default:
		return -1;
	}
}

/* A double as proto3 JSON writes one: a number or a decimal string. */
static int
json_double(json_object *v, double *out)
{
	const char *s;
	char *end;

	switch (json_object_get_type(v)) {
	case json_type_int:
	case json_type_double:
		*out = json_object_get_double(v);
		return 0;
	case json_type_string:
		s = json_object_get_string(v);
		if (*s == '\0' || isspace((unsigned char)*s))
			return -1;
		*out = strtod(s, &end);
		return *end == '\0' ? 0 : -1;
	default:
		return -1;
	}
}

/* Code points of s (UTF-8: both decoders have checked it). */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/*
 * Records the attributes of list (KeyValue[]) that attrs[] names for where.
 * Duplicate keys: the last wins, as in JSON objects. Returns 0, or -1 with
 * c->problem when list is not a KeyValue array.
 */
static int
collect(struct span_ctx *c, json_object *list, int where, struct found f[A__COUNT])
{
	size_t n;

	for (int s = 0; s < A__COUNT; s++)
		f[s] = (struct found){ NULL, NULL, INT_MAX, 0 };
	if (list == NULL)
		return 0;
	if (!json_object_is_type(list, json_type_array))
		return sc_reject(c, "%s", "attributes must be an array");
	n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		json_object *kv = json_object_array_get_idx(list, i), *k, *v, *member;
		const char *key, *str;

		if (!json_object_object_get_ex(kv, "key", &k) || (key = json_str(k)) == NULL)
			return sc_reject(c, "attributes[%zu]: key must be a string", i);
		/* an empty AnyValue or string is no value: the next alias may have one */
		if (!json_object_object_get_ex(kv, "value", &v) || av_get(v, &member) == AV_NONE ||
		    ((str = json_str(member)) != NULL && *str == '\0'))
			continue;
		for (size_t a = 0; a < sizeof(attrs) / sizeof(attrs[0]); a++) {
			struct found *slot = &f[attrs[a].slot];
			if ((attrs[a].where & where) && strcmp(attrs[a].key, key) == 0 &&
			    attrs[a].rank <= slot->rank)
				*slot = (struct found){ v, attrs[a].key, attrs[a].rank, where == W_SPAN };
		}
	}
	return 0;
}

/*
 * An AnyValue as plain JSON (metadata, message arrays): strings, numbers
 * (intValue sent as a string becomes a number), booleans, arrays, objects
 * from kvlists; a missing value is null. Scalars are shared with the request
 * tree (reference counted). 0, -1 nested too deep, -2 out of memory.
 */
static int
plain_value(json_object *any, int depth, json_object **out)
{
	json_object *v, *list, *o, *pv = NULL;
	enum av t = av_get(any, &v);
	int64_t i;
	size_t n;
	int rc;

	*out = NULL;
	if (depth > OTLP_MAX_DEPTH)
		return -1;
	switch (t) {
	case AV_STRING: case AV_BOOL: case AV_BYTES:
		*out = json_object_get(v);
		return 0;
	case AV_INT:
		if (json_object_is_type(v, json_type_string) && json_i64(v, &i) == 0)
			return (*out = json_object_new_int64(i)) ? 0 : -2;
		*out = json_object_get(v);
		return 0;
	case AV_DOUBLE:
		if (json_object_is_type(v, json_type_double) && !isfinite(json_object_get_double(v)))
			return 0;
		*out = json_object_get(v);
		return 0;
	case AV_ARRAY:
	case AV_KVLIST:
		break;
	default:
		return 0;
	}
	if ((o = t == AV_ARRAY ? json_object_new_array() : json_object_new_object()) == NULL)
		return -2;
	if (!json_object_object_get_ex(v, "values", &list) || !json_object_is_type(list, json_type_array)) {
		*out = o;
		return 0;
	}
	n = json_object_array_length(list);
	for (size_t k = 0; k < n; k++) {
		json_object *e = json_object_array_get_idx(list, k), *key, *val = NULL;

		if (t == AV_ARRAY) {
			if ((rc = plain_value(e, depth + 1, &pv)) != 0)
				goto fail;
			if (json_object_array_add(o, pv) != 0)
				goto oom;
			continue;
		}
		if (!json_object_object_get_ex(e, "key", &key) || json_str(key) == NULL)
			continue;
		json_object_object_get_ex(e, "value", &val);
		if ((rc = plain_value(val, depth + 1, &pv)) != 0)
			goto fail;
		if (json_object_object_add(o, json_str(key), pv) != 0)
			goto oom;
	}
	*out = o;
	return 0;
oom:
	json_object_put(pv);
	rc = -2;
fail:
	json_object_put(o);
	return rc;
}

/* A string attribute (ids, names): stringValue, or intValue as its decimal text. */
static int
attr_string(struct span_ctx *c, const struct found *f, const char **out)
{
	json_object *v;
	enum av t = av_get(f->value, &v);
	const char *s;

	*out = NULL;
	if (f->value == NULL)
		return 0;
	if (t == AV_INT && json_object_is_type(v, json_type_int)) {
		char num[24];
		snprintf(num, sizeof(num), "%lld", (long long)json_object_get_int64(v));
		return (*out = strpool_dup(c->pool, num)) ? 0 : -2;
	}
	if ((t != AV_STRING && t != AV_INT) || (s = json_str(v)) == NULL)
		return sc_reject(c, "%s must be a string", f->key);
	if (utf8_chars(s) > LLM_ID_MAX_CHARS)
		return sc_reject(c, "%s longer than %d characters", f->key, LLM_ID_MAX_CHARS);
	*out = s;
	return 0;
}

/* A token count: intValue, integral doubleValue, or a stringValue of digits; >= 0. */
static int
attr_tokens(struct span_ctx *c, const struct found *f, int64_t *out)
{
	json_object *v;
	enum av t = av_get(f->value, &v);

	*out = 0;
	if (f->value == NULL)
		return 0;
	if ((t != AV_INT && t != AV_DOUBLE && t != AV_STRING) || json_i64(v, out) != 0)
		return sc_reject(c, "%s must be an integer", f->key);
	if (*out < 0)
		return sc_reject(c, "%s: negative tokens", f->key);
	if (*out > LLM_TOKENS_MAX)
		return sc_reject(c, "%s: more than 1000000000 tokens", f->key);
	return 0;
}

/* The client's cost in USD (a number) as nano-dollars. */
static int
attr_cost(struct span_ctx *c, const struct found *f, struct llm_span *sp)
{
	json_object *v;
	enum av t = av_get(f->value, &v);
	double usd, nusd;

	if (f->value == NULL)
		return 0;
	if ((t != AV_DOUBLE && t != AV_INT) || json_double(v, &usd) != 0 || !isfinite(usd))
		return sc_reject(c, "%s must be a finite number", f->key);
	if (usd < 0)
		return sc_reject(c, "%s: negative cost", f->key);
	if (usd > LLM_COST_USD_MAX)
		return sc_reject(c, "%s: cost above 100000 USD", f->key);
	/* llround(), without libm: halves away from zero (usd >= 0 here) */
	nusd = usd * 1e9;
	sp->has_estimate = 1;
	sp->estimated_nusd = (int64_t)nusd;
	if (nusd - (double)sp->estimated_nusd >= 0.5)
		sp->estimated_nusd++;
	return 0;
}

/* Prompt or completion text: a string as is, anything else as its JSON text; truncated. */
static int
attr_text(struct span_ctx *c, const struct found *f, const char **out)
{
	json_object *v, *pv;
	const char *s, *t;
	int rc;

	*out = NULL;
	if (f->value == NULL)
		return 0;
	if (av_get(f->value, &v) == AV_STRING && (s = json_str(v)) != NULL) {
		*out = llm_truncate(c->pool, s, c->lim->max_text_bytes);
		return *out ? 0 : -2;
	}
	if ((rc = plain_value(f->value, 1, &pv)) != 0)
		return rc == -1 ? sc_reject(c, "%s nested too deep", f->key) : rc;
	s = json_object_to_json_string_ext(pv, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	/* s belongs to pv: keep a copy, cut or whole */
	if ((t = llm_truncate(c->pool, s, c->lim->max_text_bytes)) == s)
		t = strpool_dup(c->pool, s);
	json_object_put(pv);
	*out = t;
	return t ? 0 : -2;
}

/*
 * The attributes no field took, as a JSON object text of at most
 * OTLP_METADATA_MAX_BYTES (larger: dropped whole, never cut into broken
 * JSON). NULL when none are left.
 */
static int
metadata(struct span_ctx *c, json_object *list, const struct found f[A__COUNT], const char **out)
{
	json_object *meta = NULL;
	size_t n, len;
	const char *s;
	int rc = -2;

	*out = NULL;
	if (list == NULL)
		return 0;
	n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		json_object *kv = json_object_array_get_idx(list, i), *k, *v = NULL, *pv;
		const char *key;
		int used = 0;

		json_object_object_get_ex(kv, "key", &k);
		key = json_str(k);      /* collect() has checked it */
		for (int sl = 0; sl < A__COUNT && !used; sl++)
			used = f[sl].own && strcmp(f[sl].key, key) == 0;
		if (used)
			continue;
		json_object_object_get_ex(kv, "value", &v);
		if ((rc = plain_value(v, 1, &pv)) != 0) {
			if (rc == -1)
				rc = sc_reject(c, "attribute %zu nested too deep", i);
			goto out;
		}
		rc = -2;
		if (meta == NULL && (meta = json_object_new_object()) == NULL) {
			json_object_put(pv);
			goto out;
		}
		if (json_object_object_add(meta, key, pv) != 0) {
			json_object_put(pv);
			goto out;
		}
	}
	rc = 0;
	if (meta == NULL)
		goto out;
	s = json_object_to_json_string_length(meta,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL)
		rc = -2;
	else if (len <= OTLP_METADATA_MAX_BYTES && (*out = strpool_dup(c->pool, s)) == NULL)
		rc = -2;
out:
	json_object_put(meta);
	return rc;
}

/*
 * A hex id of exactly len digits, not all zeros (W3C Trace Context: an
 * invalid id), lowercase: borrowed when it already is, else a pool copy.
 * 0, -1 invalid, -2 out of memory.
 */
static int
hex_id(struct strpool *pool, json_object *v, size_t len, const char **out)
{
	const char *s = json_str(v);
	int zero = 1, upper = 0;
	char *low;

	if (s == NULL || strlen(s) != len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int h = util_hexval((unsigned char)s[i]);
		if (h < 0)
			return -1;
		zero &= h == 0;
		upper |= s[i] >= 'A' && s[i] <= 'F';
	}
	if (zero)
		return -1;
	if (!upper) {
		*out = s;
		return 0;
	}
	if ((low = strpool_dup(pool, s)) == NULL)
		return -2;
	for (size_t i = 0; i < len; i++)
		if (low[i] >= 'A' && low[i] <= 'F')
			low[i] = (char)(low[i] - 'A' + 'a');
	*out = low;
	return 0;
}

static json_object *
member(json_object *o, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

/* One span into *sp: 0, -1 refused (c->problem), -2 out of memory. */
static int
map_span(struct span_ctx *c, json_object *span, const struct found res[A__COUNT],
    struct llm_span *sp)
{
	struct found f[A__COUNT];
	json_object *v, *attributes, *status;
	int64_t start_ns, end_ns, code = 0;
	const char *s;
	int rc;

	memset(sp, 0, sizeof(*sp));
	if (!json_object_is_type(span, json_type_object))
		return sc_reject(c, "%s", "a span must be an object");
	if ((rc = hex_id(c->pool, member(span, "traceId"), 32, &sp->trace_id)) != 0)
		return rc == -1 ? sc_reject(c, "%s", "invalid traceId") : rc;
	if ((rc = hex_id(c->pool, member(span, "spanId"), 16, &sp->span_id)) != 0)
		return rc == -1 ? sc_reject(c, "%s", "invalid spanId") : rc;
	/* empty or absent: a root span; all zeros is W3C's "no parent" as well */
	v = member(span, "parentSpanId");
	s = json_str(v);
	if (v != NULL && !(s != NULL && (*s == '\0' || (strlen(s) == 16 && strspn(s, "0") == 16))) &&
	    (rc = hex_id(c->pool, v, 16, &sp->parent_span_id)) != 0)
		return rc == -1 ? sc_reject(c, "%s", "invalid parentSpanId") : rc;

	if ((v = member(span, "name")) != NULL) {
		if ((s = json_str(v)) == NULL)
			return sc_reject(c, "%s", "name must be a string");
		if ((sp->name = llm_truncate(c->pool, s, NAME_MAX_BYTES)) == NULL)
			return -2;
	}

	/* times: ns since the epoch; kept in ms, the duration to the µs */
	if (json_i64(member(span, "startTimeUnixNano"), &start_ns) != 0 || start_ns < 0)
		return sc_reject(c, "%s", "invalid startTimeUnixNano");
	if (json_i64(member(span, "endTimeUnixNano"), &end_ns) != 0 || end_ns < 0)
		return sc_reject(c, "%s", "invalid endTimeUnixNano");
	if (end_ns < start_ns)
		return sc_reject(c, "%s", "endTimeUnixNano before startTimeUnixNano");
	sp->start_ms = start_ns / NS_PER_MS;
	sp->end_ms = end_ns / NS_PER_MS;
	if (sp->start_ms < TS_MIN_MS || sp->start_ms > c->lim->now_ms + DAY_MS)
		return sc_reject(c, "%s", "startTimeUnixNano out of range");
	sp->latency_ms = (double)(end_ns - start_ns) / NS_PER_MS;

	/* Status.code: 0 unset, 1 ok, 2 error (trace.proto) */
	if ((status = member(span, "status")) != NULL) {
		if (!json_object_is_type(status, json_type_object))
			return sc_reject(c, "%s", "status must be an object");
		if ((v = member(status, "code")) != NULL && json_i64(v, &code) != 0)
			return sc_reject(c, "%s", "status.code must be an integer");
		if (code == 2) {
			sp->status = LLM_ERROR;
			s = json_str(member(status, "message"));
			if ((sp->error = llm_truncate(c->pool, s && *s ? s : "error", NAME_MAX_BYTES)) == NULL)
				return -2;
		}
	}

	attributes = member(span, "attributes");
	if (collect(c, attributes, W_SPAN, f) != 0)
		return -1;
	for (int sl = 0; sl < A__COUNT; sl++)
		if (f[sl].value == NULL)
			f[sl] = res[sl];
	if ((rc = attr_string(c, &f[A_PROVIDER], &sp->provider)) != 0 ||
	    (rc = attr_string(c, &f[A_MODEL], &sp->model)) != 0 ||
	    (rc = attr_string(c, &f[A_SESSION], &sp->session_id)) != 0 ||
	    (rc = attr_string(c, &f[A_USER], &sp->user_id)) != 0 ||
	    (rc = attr_string(c, &f[A_FEATURE], &sp->feature)) != 0 ||
	    (rc = attr_tokens(c, &f[A_INPUT_TOKENS], &sp->input_tokens)) != 0 ||
	    (rc = attr_tokens(c, &f[A_OUTPUT_TOKENS], &sp->output_tokens)) != 0 ||
	    (rc = attr_tokens(c, &f[A_CACHED_TOKENS], &sp->cached_tokens)) != 0 ||
	    (rc = attr_cost(c, &f[A_COST], sp)) != 0 ||
	    (rc = attr_text(c, &f[A_INPUT], &sp->input)) != 0 ||
	    (rc = attr_text(c, &f[A_OUTPUT], &sp->output)) != 0)
		return rc;
	sp->conversation_id = sp->session_id;
	return metadata(c, attributes, f, &sp->metadata);
}

/* The array under key, or NULL when absent or null; -1 when something else. */
static int
array_member(json_object *o, const char *key, json_object **arr)
{
	*arr = member(o, key);
	return *arr == NULL || json_object_is_type(*arr, json_type_array) ? 0 : -1;
}

static int map_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
map_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * The body's structure above the spans, and the number of spans, before
 * anything is allocated for them.
 */
static int
count_spans(json_object *request, size_t *total, char *err, size_t errlen)
{
	json_object *rss, *sss, *spans;
	size_t n = 0;

	*total = 0;
	if (!json_object_is_type(request, json_type_object))
		return map_fail(err, errlen, "%s", "the body must be a JSON object");
	if (array_member(request, "resourceSpans", &rss) != 0)
		return map_fail(err, errlen, "%s", "resourceSpans must be an array");
	for (size_t i = 0; rss != NULL && i < json_object_array_length(rss); i++) {
		json_object *rs = json_object_array_get_idx(rss, i), *res;

		if (!json_object_is_type(rs, json_type_object))
			return map_fail(err, errlen, "resourceSpans[%zu] must be an object", i);
		res = member(rs, "resource");
		if (res != NULL && !json_object_is_type(res, json_type_object))
			return map_fail(err, errlen, "resourceSpans[%zu].resource must be an object", i);
		if (array_member(rs, "scopeSpans", &sss) != 0)
			return map_fail(err, errlen, "resourceSpans[%zu].scopeSpans must be an array", i);
		for (size_t k = 0; sss != NULL && k < json_object_array_length(sss); k++) {
			json_object *ss = json_object_array_get_idx(sss, k);

			if (!json_object_is_type(ss, json_type_object))
				return map_fail(err, errlen, "resourceSpans[%zu].scopeSpans[%zu] must be an object", i, k);
			if (array_member(ss, "spans", &spans) != 0)
				return map_fail(err, errlen, "resourceSpans[%zu].scopeSpans[%zu].spans must be an array", i, k);
			if (spans != NULL && (n += json_object_array_length(spans)) > OTLP_MAX_SPANS)
				return map_fail(err, errlen, "more than %d spans", OTLP_MAX_SPANS);
		}
	}
	*total = n;
	return 0;
}

int
otlp_map(json_object *request, const struct llm_limits *lim, struct strpool *pool,
    struct otlp_result *out, char *err, size_t errlen)
{
	struct span_ctx c = { lim, pool, "" };
	json_object *rss, *sss, *spans;
	size_t total, index = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (errlen > 0)
		err[0] = '\0';
	if (count_spans(request, &total, err, errlen) != 0)
		return -1;
	if (total > 0 && (out->spans = calloc(total, sizeof(*out->spans))) == NULL) {
		map_fail(err, errlen, "%s", "out of memory");
		rc = -2;
		goto out;
	}
	array_member(request, "resourceSpans", &rss);
	for (size_t i = 0; rss != NULL && i < json_object_array_length(rss); i++) {
		json_object *rs = json_object_array_get_idx(rss, i);
		struct found res[A__COUNT];

		if (collect(&c, member(member(rs, "resource"), "attributes"), W_RESOURCE, res) != 0) {
			map_fail(err, errlen, "resourceSpans[%zu].resource: %s", i, c.problem);
			goto out;
		}
		array_member(rs, "scopeSpans", &sss);
		for (size_t k = 0; sss != NULL && k < json_object_array_length(sss); k++) {
			array_member(json_object_array_get_idx(sss, k), "spans", &spans);
			for (size_t s = 0; spans != NULL && s < json_object_array_length(spans); s++, index++) {
				int r = map_span(&c, json_object_array_get_idx(spans, s), res,
				    &out->spans[out->n]);

				if (r == -2) {
					map_fail(err, errlen, "%s", "out of memory");
					rc = -2;
					goto out;
				}
				if (r == 0) {
					out->n++;
					continue;
				}
				if (out->rejected++ == 0)
					snprintf(out->error_message, sizeof(out->error_message),
					    "span %zu: %s", index, c.problem);
			}
		}
	}
	rc = 0;
out:
	if (rc != 0)
		otlp_result_free(out);
	return rc;
}

void
otlp_result_free(struct otlp_result *r)
{
	if (r == NULL)
		return;
	free(r->spans);
	memset(r, 0, sizeof(*r));
}
