/*
 * test_otlp: OTLP/HTTP trace export (SPEC §5.2). Requests are written here
 * byte by byte with a small protobuf encoder (protobuf.dev, "Encoding"), so
 * the decoder is checked against the wire format itself, not against
 * another implementation of it: the tree otlp_pb_to_json gives, the GenAI
 * semantic-convention mapping of otlp_map (SPEC §5.1), the same request as
 * JSON mapping to the same spans, spans refused one by one
 * (partialSuccess), hostile bodies refused whole, and the response bytes.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"
#include "llm.h"
#include "otlp.h"
#include "util.h"
#include "tap.h"

#define NOW 1718000000000LL     /* 2024-06-10T06:13:20Z: the receive time of every test */
#define START_NS 1717999990000000000ULL
#define END_NS 1717999991234567000ULL  /* 1234.567 ms later */

static const struct llm_limits lim = { 8192, NOW };

/* ---- a protobuf encoder: just enough to write requests by hand ---- */

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

/* One message being written; a sub-message is written alone, then embedded. */
struct pb {
	unsigned char *d;
	size_t n, cap;
};

static void
pb_raw(struct pb *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->n + n)
			cap *= 2;
		if ((b->d = realloc(b->d, cap)) == NULL)
			abort();
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void
pb_byte(struct pb *b, unsigned c)
{
	unsigned char x = (unsigned char)c;
	pb_raw(b, &x, 1);
}

static void
pb_varint(struct pb *b, uint64_t v)
{
	do {
		pb_byte(b, (unsigned)(v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v != 0);
}

static void
pb_tag(struct pb *b, uint32_t field, unsigned wt)
{
	pb_varint(b, (uint64_t)field << 3 | wt);
}

static void
pb_uint(struct pb *b, uint32_t field, uint64_t v)
{
	pb_tag(b, field, WT_VARINT);
	pb_varint(b, v);
}

static void
pb_fixed(struct pb *b, uint32_t field, uint64_t v, unsigned bytes)
{
	pb_tag(b, field, bytes == 8 ? WT_I64 : WT_I32);
	for (unsigned i = 0; i < bytes; i++)
		pb_byte(b, (unsigned)(v >> (8 * i)) & 0xff);
}

static void
pb_double(struct pb *b, uint32_t field, double d)
{
	uint64_t v;
	memcpy(&v, &d, sizeof(v));
	pb_fixed(b, field, v, 8);
}

static void
pb_bytes(struct pb *b, uint32_t field, const void *p, size_t n)
{
	pb_tag(b, field, WT_LEN);
	pb_varint(b, n);
	pb_raw(b, p, n);
}

static void
pb_str(struct pb *b, uint32_t field, const char *s)
{
	pb_bytes(b, field, s, strlen(s));
}

/* Embeds sub as field; sub is freed. */
static void
pb_msg(struct pb *b, uint32_t field, struct pb sub)
{
	pb_bytes(b, field, sub.d, sub.n);
	free(sub.d);
}

/* AnyValue{string_value=1, bool=2, int=3, double=4, array=5, kvlist=6, bytes=7} */
static struct pb
av_str(const char *s)
{
	struct pb v = { 0 };
	pb_str(&v, 1, s);
	return v;
}

static struct pb
av_bool(int x)
{
	struct pb v = { 0 };
	pb_uint(&v, 2, (uint64_t)x);
	return v;
}

static struct pb
av_int(int64_t x)
{
	struct pb v = { 0 };
	pb_uint(&v, 3, (uint64_t)x);
	return v;
}

static struct pb
av_double(double x)
{
	struct pb v = { 0 };
	pb_double(&v, 4, x);
	return v;
}

static struct pb
av_bytes(const void *p, size_t n)
{
	struct pb v = { 0 };
	pb_bytes(&v, 7, p, n);
	return v;
}

/* ArrayValue{values=1} or KeyValueList{values=1} around a list already written. */
static struct pb
av_list(uint32_t field, struct pb values)
{
	struct pb v = { 0 }, l = { 0 };
	pb_raw(&l, values.d, values.n);
	free(values.d);
	pb_msg(&v, field, l);
	return v;
}

/* KeyValue{key=1, value=2} */
static struct pb
kv(const char *key, struct pb value)
{
	struct pb k = { 0 };
	pb_str(&k, 1, key);
	pb_msg(&k, 2, value);
	return k;
}

/* Appends an attribute (field of Resource, Span: attributes) to b. */
static void
attr(struct pb *b, uint32_t field, const char *key, struct pb value)
{
	pb_msg(b, field, kv(key, value));
}

static const unsigned char TRACE_ID[16] = {
	0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
	0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36,
};
static const unsigned char SPAN_ID[8] = { 0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7 };
static const unsigned char PARENT_ID[8] = { 0x53, 0x99, 0x5c, 0x3f, 0x42, 0xcd, 0x8a, 0xd8 };
static const unsigned char CHILD_ID[8] = { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11 };

/* A span with ids, times and a name only; tests append what they need. */
static struct pb
span_min(const unsigned char span_id[8])
{
	struct pb s = { 0 };
	pb_bytes(&s, 1, TRACE_ID, 16);
	pb_bytes(&s, 2, span_id, 8);
	pb_str(&s, 5, "span");
	pb_fixed(&s, 7, START_NS, 8);
	pb_fixed(&s, 8, END_NS, 8);
	return s;
}

/*
 * ExportTraceServiceRequest{resource_spans=1{resource=1, scope_spans=2{
 * scope=1, spans=2 …}}}: resource is a Resource body (may be empty), spans
 * the ScopeSpans fields after the scope (one "2: Span" per span).
 */
static struct pb
request(struct pb resource, struct pb spans)
{
	struct pb req = { 0 }, rs = { 0 }, ss = { 0 }, scope = { 0 };

	pb_str(&scope, 1, "openllmetry");
	pb_str(&scope, 2, "0.30");
	pb_msg(&ss, 1, scope);
	pb_raw(&ss, spans.d, spans.n);
	free(spans.d);
	pb_msg(&rs, 1, resource);
	pb_msg(&rs, 2, ss);
	pb_msg(&req, 1, rs);
	return req;
}

/* A request of one span, without resource attributes. */
static struct pb
request1(struct pb span)
{
	struct pb spans = { 0 };
	pb_msg(&spans, 2, span);
	return request((struct pb){ 0 }, spans);
}

/* ---- running the decoder and the mapper ---- */

/* What one request gave: the tree, the arena the spans borrow from, the spans. */
struct run {
	json_object *tree;
	struct strpool pool;
	struct otlp_result res;
	char err[200];
	int decode_rc, map_rc;
};

static void
run_free(struct run *r)
{
	otlp_result_free(&r->res);
	strpool_free(&r->pool);
	json_object_put(r->tree);
	memset(r, 0, sizeof(*r));
}

/* Decodes d[0..n) then maps it; 0 when both steps return 0. */
static int
run_pb(struct run *r, const void *d, size_t n)
{
	run_free(r);
	r->decode_rc = otlp_pb_to_json(d, n, &r->tree, r->err, sizeof(r->err));
	if (r->decode_rc != 0)
		return r->decode_rc;
	r->map_rc = otlp_map(r->tree, &lim, &r->pool, &r->res, r->err, sizeof(r->err));
	return r->map_rc;
}

/* Parses json as the JSON content type does, then maps it. */
static int
run_json(struct run *r, const char *json)
{
	run_free(r);
	r->decode_rc = json_parse_strict(json, strlen(json), JSON_MAX_DEPTH, &r->tree,
	    r->err, sizeof(r->err));
	if (r->decode_rc != 0)
		return r->decode_rc;
	r->map_rc = otlp_map(r->tree, &lim, &r->pool, &r->res, r->err, sizeof(r->err));
	return r->map_rc;
}

/* The one span a request must give, or NULL (with diagnostics). */
static const struct llm_span *
one_span(struct run *r, int rc)
{
	if (rc != 0 || r->res.n != 1 || r->res.rejected != 0) {
		tap_diag("expected one span: rc %d, %zu spans, %lld rejected, err '%s', first '%s'",
		    rc, r->res.n, (long long)r->res.rejected, r->err, r->res.error_message);
		return NULL;
	}
	return &r->res.spans[0];
}

/* The one span of a request holding span, or NULL. */
static struct run R;

static const struct llm_span *
pb_span(struct pb span)
{
	struct pb req = request1(span);
	int rc = run_pb(&R, req.d, req.n);
	free(req.d);
	return one_span(&R, rc);
}

/* The problem a request of one span gives that span, or a marker. */
static const char *
pb_reject(struct pb span)
{
	struct pb req = request1(span);
	int rc = run_pb(&R, req.d, req.n);

	free(req.d);
	if (rc != 0)
		return R.err[0] ? R.err : "(refused whole)";
	if (R.res.n != 0 || R.res.rejected != 1)
		return "(accepted)";
	return R.res.error_message;
}

/*
 * A body otlp_pb_to_json must refuse: -1, no tree, an error naming the
 * problem (want is a part of it).
 */
static void
pb_refused(const void *d, size_t n, const char *want, const char *name)
{
	json_object *tree = (json_object *)&tree;       /* must be reset to NULL */
	char err[200] = "";
	int rc = otlp_pb_to_json(d, n, &tree, err, sizeof(err));

	if (!ok(rc == -1 && tree == NULL && strstr(err, want) != NULL, "refused: %s", name))
		tap_diag("rc %d, tree %s, err '%s' (want '%s')", rc, tree ? "set" : "NULL", err, want);
	if (rc == 0)
		json_object_put(tree);
}

/* A request of one span whose bytes end with extra (hostile) bytes. */
static void
span_refused(const void *extra, size_t n, const char *want, const char *name)
{
	struct pb span = span_min(SPAN_ID), req;

	pb_raw(&span, extra, n);
	req = request1(span);
	pb_refused(req.d, req.n, want, name);
	free(req.d);
}

static int
streq(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* Every member of two spans equal; the first difference as a diagnostic. */
static int
same_span(const struct llm_span *a, const struct llm_span *b)
{
#define S(m) if (!streq(a->m, b->m)) { \
		tap_diag(#m ": '%s' vs '%s'", a->m ? a->m : "(null)", b->m ? b->m : "(null)"); return 0; }
#define I(m) if (a->m != b->m) { \
		tap_diag(#m ": %lld vs %lld", (long long)a->m, (long long)b->m); return 0; }
	S(trace_id) S(span_id) S(parent_span_id) S(name) S(session_id) S(user_id) S(feature)
	S(conversation_id) S(turn_id) S(provider) S(model) S(error) S(input) S(output)
	S(metadata) S(trace_name) S(trace_metadata)
	I(input_tokens) I(output_tokens) I(cached_tokens) I(start_ms) I(end_ms)
	I(has_estimate) I(estimated_nusd) I(status)
#undef S
#undef I
	if (a->latency_ms != b->latency_ms) {
		tap_diag("latency_ms: %.17g vs %.17g", a->latency_ms, b->latency_ms);
		return 0;
	}
	return 1;
}

/* The tree of a body as compact JSON text; static storage. */
static const char *
tree_text(const void *d, size_t n)
{
	static char out[4096];
	json_object *tree;
	char err[200];

	if (otlp_pb_to_json(d, n, &tree, err, sizeof(err)) != 0) {
		snprintf(out, sizeof(out), "(refused: %s)", err);
		return out;
	}
	snprintf(out, sizeof(out), "%s", json_object_to_json_string_ext(tree,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(tree);
	return out;
}

static json_object *
get(json_object *o, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

/* The attributes of the first span of a tree (borrowed), or NULL. */
static json_object *
first_span_attrs(json_object *tree)
{
	json_object *o = json_object_array_get_idx(get(tree, "resourceSpans"), 0);
	o = json_object_array_get_idx(get(o, "scopeSpans"), 0);
	return get(json_object_array_get_idx(get(o, "spans"), 0), "attributes");
}

/* The attributes of the first span of a request, as compact JSON text. */
static const char *
span_attrs_text(const struct pb *req)
{
	static char out[4096];
	json_object *tree;
	char err[200];

	if (otlp_pb_to_json(req->d, req->n, &tree, err, sizeof(err)) != 0) {
		snprintf(out, sizeof(out), "(refused: %s)", err);
		return out;
	}
	snprintf(out, sizeof(out), "%s", json_object_to_json_string_ext(first_span_attrs(tree),
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(tree);
	return out;
}

/* ---- the GenAI request of the happy path, in both encodings ---- */

/*
 * Resource {service.name}; a chat span with every GenAI attribute the
 * mapping reads (current and deprecated names both present), an error
 * status and a parent; a child tool span without a model.
 */
static struct pb
genai_request(void)
{
	struct pb res = { 0 }, spans = { 0 }, chat = { 0 }, tool = { 0 }, status = { 0 }, list = { 0 };

	attr(&res, 1, "service.name", av_str("checkout-bot"));
	attr(&res, 1, "deployment.environment", av_str("prod"));

	pb_bytes(&chat, 1, TRACE_ID, 16);
	pb_bytes(&chat, 2, SPAN_ID, 8);
	pb_bytes(&chat, 4, PARENT_ID, 8);
	pb_str(&chat, 5, "chat gpt-4o");
	pb_uint(&chat, 6, 3);                   /* SPAN_KIND_CLIENT */
	pb_fixed(&chat, 7, START_NS, 8);
	pb_fixed(&chat, 8, END_NS, 8);
	attr(&chat, 9, "gen_ai.system", av_str("azure.openai"));
	attr(&chat, 9, "gen_ai.provider.name", av_str("openai"));
	attr(&chat, 9, "gen_ai.response.model", av_str("gpt-4o-2024-08-06"));
	attr(&chat, 9, "gen_ai.request.model", av_str("gpt-4o"));
	attr(&chat, 9, "gen_ai.usage.input_tokens", av_int(1200));
	attr(&chat, 9, "gen_ai.usage.output_tokens", av_int(300));
	attr(&chat, 9, "gen_ai.usage.cache_read.input_tokens", av_int(1000));
	attr(&chat, 9, "gen_ai.conversation.id", av_str("conv-7"));
	attr(&chat, 9, "user.id", av_str("u-42"));
	attr(&chat, 9, "gen_ai.operation.name", av_str("chat"));
	attr(&chat, 9, "gen_ai.request.temperature", av_double(0.5));
	attr(&chat, 9, "gen_ai.request.max_tokens", av_int(512));
	pb_msg(&list, 1, av_str("stop"));
	attr(&chat, 9, "gen_ai.response.finish_reasons", av_list(5, list));
	pb_str(&status, 2, "rate limited");
	pb_uint(&status, 3, 2);                 /* STATUS_CODE_ERROR */
	pb_msg(&chat, 15, status);
	pb_fixed(&chat, 16, 0x100, 4);

	pb_bytes(&tool, 1, TRACE_ID, 16);
	pb_bytes(&tool, 2, CHILD_ID, 8);
	pb_bytes(&tool, 4, SPAN_ID, 8);
	pb_str(&tool, 5, "tool search");
	pb_uint(&tool, 6, 1);
	pb_fixed(&tool, 7, START_NS + 1000000, 8);
	pb_fixed(&tool, 8, START_NS + 3000000, 8);
	attr(&tool, 9, "tool.name", av_str("search"));
	status = (struct pb){ 0 };
	pb_uint(&status, 3, 1);                 /* STATUS_CODE_OK */
	pb_msg(&tool, 15, status);

	pb_msg(&spans, 2, chat);
	pb_msg(&spans, 2, tool);
	return request(res, spans);
}

/*
 * The same request in OTLP/JSON: ids in upper case (hex is case-blind),
 * 64-bit integers as strings here and numbers there, as exporters write
 * either.
 */
static const char GENAI_JSON[] =
	"{\"resourceSpans\":[{\"resource\":{\"attributes\":["
	"{\"key\":\"service.name\",\"value\":{\"stringValue\":\"checkout-bot\"}},"
	"{\"key\":\"deployment.environment\",\"value\":{\"stringValue\":\"prod\"}}]},"
	"\"scopeSpans\":[{\"scope\":{\"name\":\"openllmetry\",\"version\":\"0.30\"},\"spans\":["
	"{\"traceId\":\"4BF92F3577B34DA6A3CE929D0E0E4736\",\"spanId\":\"00F067AA0BA902B7\","
	"\"parentSpanId\":\"53995c3f42cd8ad8\",\"name\":\"chat gpt-4o\",\"kind\":3,"
	"\"startTimeUnixNano\":\"1717999990000000000\",\"endTimeUnixNano\":1717999991234567000,"
	"\"attributes\":["
	"{\"key\":\"gen_ai.system\",\"value\":{\"stringValue\":\"azure.openai\"}},"
	"{\"key\":\"gen_ai.provider.name\",\"value\":{\"stringValue\":\"openai\"}},"
	"{\"key\":\"gen_ai.response.model\",\"value\":{\"stringValue\":\"gpt-4o-2024-08-06\"}},"
	"{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"gpt-4o\"}},"
	"{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"1200\"}},"
	"{\"key\":\"gen_ai.usage.output_tokens\",\"value\":{\"intValue\":300}},"
	"{\"key\":\"gen_ai.usage.cache_read.input_tokens\",\"value\":{\"intValue\":\"1000\"}},"
	"{\"key\":\"gen_ai.conversation.id\",\"value\":{\"stringValue\":\"conv-7\"}},"
	"{\"key\":\"user.id\",\"value\":{\"stringValue\":\"u-42\"}},"
	"{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}},"
	"{\"key\":\"gen_ai.request.temperature\",\"value\":{\"doubleValue\":0.5}},"
	"{\"key\":\"gen_ai.request.max_tokens\",\"value\":{\"intValue\":\"512\"}},"
	"{\"key\":\"gen_ai.response.finish_reasons\",\"value\":{\"arrayValue\":{\"values\":["
	"{\"stringValue\":\"stop\"}]}}}],"
	"\"status\":{\"message\":\"rate limited\",\"code\":2},\"flags\":256},"
	"{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"1111111111111111\","
	"\"parentSpanId\":\"00f067aa0ba902b7\",\"name\":\"tool search\",\"kind\":1,"
	"\"startTimeUnixNano\":1717999990001000000,\"endTimeUnixNano\":\"1717999990003000000\","
	"\"attributes\":[{\"key\":\"tool.name\",\"value\":{\"stringValue\":\"search\"}}],"
	"\"status\":{\"code\":1}}]}]}]}";

/* ---- groups of tests ---- */

static void
test_genai_span(void)
{
	struct pb req = genai_request();
	const struct llm_span *s;
	int rc = run_pb(&R, req.d, req.n);

	free(req.d);
	ok(rc == 0 && R.res.n == 2 && R.res.rejected == 0, "GenAI request: two spans taken");
	if (R.res.n != 2) {
		tap_diag("rc %d err '%s' rejected %lld '%s'", rc, R.err, (long long)R.res.rejected,
		    R.res.error_message);
		return;
	}
	s = &R.res.spans[0];
	is_str(s->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736", "traceId as lowercase hex");
	is_str(s->span_id, "00f067aa0ba902b7", "spanId as lowercase hex");
	is_str(s->parent_span_id, "53995c3f42cd8ad8", "parentSpanId");
	is_str(s->name, "chat gpt-4o", "name");
	is_str(s->provider, "openai", "gen_ai.provider.name wins over the deprecated gen_ai.system");
	is_str(s->model, "gpt-4o", "gen_ai.request.model wins over gen_ai.response.model");
	is_int(s->input_tokens, 1200, "gen_ai.usage.input_tokens");
	is_int(s->output_tokens, 300, "gen_ai.usage.output_tokens");
	is_int(s->cached_tokens, 1000, "gen_ai.usage.cache_read.input_tokens");
	is_str(s->session_id, "conv-7", "gen_ai.conversation.id is the session");
	is_str(s->conversation_id, "conv-7", "... and the conversation");
	is_str(s->user_id, "u-42", "user.id");
	is_str(s->feature, "checkout-bot", "resource service.name is the last feature");
	is_int(s->start_ms, 1717999990000LL, "start_ms from startTimeUnixNano");
	is_int(s->end_ms, 1717999991234LL, "end_ms from endTimeUnixNano");
	ok(fabs(s->latency_ms - 1234.567) < 1e-9, "latency is the span duration to the µs (%.6f)",
	    s->latency_ms);
	is_int(s->status, LLM_ERROR, "status code 2 is an error");
	is_str(s->error, "rate limited", "status message is the error");
	is_int(s->has_estimate, 0, "no client cost");
	ok(s->input == NULL && s->output == NULL, "no prompt or completion text");
	is_str(s->metadata, "{\"gen_ai.system\":\"azure.openai\","
	    "\"gen_ai.response.model\":\"gpt-4o-2024-08-06\",\"gen_ai.operation.name\":\"chat\","
	    "\"gen_ai.request.temperature\":0.5,\"gen_ai.request.max_tokens\":512,"
	    "\"gen_ai.response.finish_reasons\":[\"stop\"]}",
	    "attributes no field took are the metadata (intValue as a number)");

	s = &R.res.spans[1];
	is_str(s->span_id, "1111111111111111", "child span id");
	is_str(s->parent_span_id, "00f067aa0ba902b7", "child's parent is the chat span");
	ok(s->model == NULL && s->provider == NULL, "a span without gen_ai attributes is a plain span");
	is_str(s->feature, "checkout-bot", "plain span gets the resource feature too");
	is_int(s->status, LLM_OK, "status code 1 is ok");
	ok(s->error == NULL, "no error on an ok span");
	ok(fabs(s->latency_ms - 2.0) < 1e-9, "child latency 2 ms");
	is_str(s->metadata, "{\"tool.name\":\"search\"}", "child metadata");
}

static void
test_json_same(void)
{
	struct pb req = genai_request();
	struct run j = { 0 };
	int rc_pb = run_pb(&R, req.d, req.n), rc_json = run_json(&j, GENAI_JSON);

	free(req.d);
	ok(rc_pb == 0 && rc_json == 0 && R.res.n == 2 && j.res.n == 2,
	    "the GenAI request maps in both encodings (json err '%s')", j.err);
	for (size_t i = 0; i < 2 && i < R.res.n && i < j.res.n; i++)
		ok(same_span(&R.res.spans[i], &j.res.spans[i]),
		    "span %zu: protobuf and JSON give the same span", i);
	run_free(&j);
}

static void
test_tree(void)
{
	static const unsigned char tid[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	static const unsigned char sid[8] = { 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB };
	static const unsigned char raw[3] = { 0x00, 0xff, 0x10 };
	struct pb span = { 0 }, status = { 0 }, a = { 0 }, k = { 0 }, req;

	pb_bytes(&span, 1, tid, 16);
	pb_bytes(&span, 2, sid, 8);
	pb_str(&span, 3, "vendor=x");
	pb_str(&span, 5, "n");
	pb_uint(&span, 6, (uint64_t)-1);        /* int32 -1: ten bytes on the wire */
	pb_fixed(&span, 7, 1, 8);
	pb_fixed(&span, 8, UINT64_MAX, 8);
	attr(&span, 9, "s", av_str("\xc3\xa9"));
	attr(&span, 9, "b", av_bool(1));
	attr(&span, 9, "i", av_int(-7));
	attr(&span, 9, "d", av_double(0.1));
	pb_msg(&a, 1, av_int(1));
	pb_msg(&a, 1, av_str("x"));
	attr(&span, 9, "a", av_list(5, a));
	pb_msg(&k, 1, kv("n", av_bool(0)));
	attr(&span, 9, "k", av_list(6, k));
	attr(&span, 9, "y", av_bytes(raw, 3));
	pb_uint(&span, 10, 3);
	pb_uint(&status, 3, 1);
	pb_msg(&span, 15, status);
	pb_fixed(&span, 16, 0x301, 4);
	req = request1(span);
	is_str(tree_text(req.d, req.n),
	    "{\"resourceSpans\":[{\"resource\":{},\"scopeSpans\":[{\"scope\":{\"name\":\"openllmetry\","
	    "\"version\":\"0.30\"},\"spans\":[{\"traceId\":\"000102030405060708090a0b0c0d0e0f\","
	    "\"spanId\":\"abababababababab\",\"traceState\":\"vendor=x\",\"name\":\"n\",\"kind\":-1,"
	    "\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"18446744073709551615\","
	    "\"attributes\":[{\"key\":\"s\",\"value\":{\"stringValue\":\"\xc3\xa9\"}},"
	    "{\"key\":\"b\",\"value\":{\"boolValue\":true}},"
	    "{\"key\":\"i\",\"value\":{\"intValue\":\"-7\"}},"
	    "{\"key\":\"d\",\"value\":{\"doubleValue\":0.1}},"
	    "{\"key\":\"a\",\"value\":{\"arrayValue\":{\"values\":[{\"intValue\":\"1\"},{\"stringValue\":\"x\"}]}}},"
	    "{\"key\":\"k\",\"value\":{\"kvlistValue\":{\"values\":[{\"key\":\"n\",\"value\":{\"boolValue\":false}}]}}},"
	    "{\"key\":\"y\",\"value\":{\"bytesValue\":\"AP8Q\"}}],"
	    "\"droppedAttributesCount\":3,\"status\":{\"code\":1},\"flags\":769}]}]}]}",
	    "the tree of a span with every field kind is its OTLP/JSON encoding");
	free(req.d);

	is_str(tree_text("", 0), "{}", "an empty body is an empty request");
	ok(run_pb(&R, "", 0) == 0 && R.res.n == 0 && R.res.rejected == 0, "... with no spans");
	{
		json_object *t = (json_object *)&t;
		char err[64];
		ok(otlp_pb_to_json(NULL, 5, &t, err, sizeof(err)) == -1 && t == NULL && err[0],
		    "NULL data with a length is refused");
		ok(otlp_pb_to_json(NULL, 0, &t, err, sizeof(err)) == 0 && t != NULL,
		    "NULL data of length 0 is an empty request");
		json_object_put(t);
		t = (json_object *)&t;
		ok(otlp_pb_to_json("\x80", 1, &t, NULL, 0) == -1 && t == NULL,
		    "a zero-length err buffer is not written");
	}

	/* AnyValue is a oneof: the last member on the wire is the one kept */
	span = span_min(SPAN_ID);
	{
		struct pb v = av_str("first");
		pb_uint(&v, 3, 5);
		attr(&span, 9, "o", v);
	}
	req = request1(span);
	is_str(span_attrs_text(&req), "[{\"key\":\"o\",\"value\":{\"intValue\":\"5\"}}]",
	    "AnyValue oneof: the last member wins");
	free(req.d);

	/* a message seen twice is merged, as protobuf does */
	span = span_min(SPAN_ID);
	status = (struct pb){ 0 };
	pb_uint(&status, 3, 2);
	pb_msg(&span, 15, status);
	status = (struct pb){ 0 };
	pb_str(&status, 2, "late");
	pb_msg(&span, 15, status);
	{
		const struct llm_span *s = pb_span(span);
		ok(s && s->status == LLM_ERROR && streq(s->error, "late"),
		    "Status sent in two parts is merged (code of one, message of the other)");
	}

	/* doubles: shortest text; not finite becomes null */
	span = span_min(SPAN_ID);
	attr(&span, 9, "nan", av_double(NAN));
	attr(&span, 9, "inf", av_double(-INFINITY));
	attr(&span, 9, "third", av_double(1.0 / 3));
	req = request1(span);
	is_str(span_attrs_text(&req), "[{\"key\":\"nan\",\"value\":{\"doubleValue\":null}},"
	    "{\"key\":\"inf\",\"value\":{\"doubleValue\":null}},"
	    "{\"key\":\"third\",\"value\":{\"doubleValue\":0.33333333333333331}}]",
	    "NaN and Infinity as null, other doubles read back exactly");
	free(req.d);
}

static void
test_mapping(void)
{
	const struct llm_span *s;
	struct pb span, res, spans, req;

	/* legacy token names, alone and beside the current ones (either order) */
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.request.model", av_str("m"));
	attr(&span, 9, "gen_ai.usage.prompt_tokens", av_int(11));
	attr(&span, 9, "gen_ai.usage.completion_tokens", av_int(22));
	attr(&span, 9, "gen_ai.usage.cache_read_input_tokens", av_int(3));
	s = pb_span(span);
	ok(s && s->input_tokens == 11 && s->output_tokens == 22 && s->cached_tokens == 3,
	    "legacy prompt_tokens / completion_tokens / cache_read_input_tokens");
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.request.model", av_str("m"));
	attr(&span, 9, "gen_ai.usage.input_tokens", av_int(5));
	attr(&span, 9, "gen_ai.usage.prompt_tokens", av_int(11));
	attr(&span, 9, "gen_ai.usage.completion_tokens", av_int(22));
	attr(&span, 9, "gen_ai.usage.output_tokens", av_int(6));
	attr(&span, 9, "gen_ai.usage.cache_read_input_tokens", av_int(3));
	attr(&span, 9, "gen_ai.usage.cache_read.input_tokens", av_int(4));
	s = pb_span(span);
	ok(s && s->input_tokens == 5 && s->output_tokens == 6 && s->cached_tokens == 4,
	    "current token names win over legacy ones, before or after them");

	/* the deprecated gen_ai.system alone; gen_ai.response.model alone */
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.system", av_str("anthropic"));
	attr(&span, 9, "gen_ai.response.model", av_str("claude-3-5-sonnet-20241022"));
	s = pb_span(span);
	ok(s && streq(s->provider, "anthropic") && streq(s->model, "claude-3-5-sonnet-20241022"),
	    "gen_ai.system and gen_ai.response.model when alone");

	/* the current names win whatever the order (the GenAI request has them second) */
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.provider.name", av_str("openai"));
	attr(&span, 9, "gen_ai.system", av_str("azure.openai"));
	attr(&span, 9, "gen_ai.request.model", av_str("gpt-4o"));
	attr(&span, 9, "gen_ai.response.model", av_str("gpt-4o-2024-08-06"));
	s = pb_span(span);
	ok(s && streq(s->provider, "openai") && streq(s->model, "gpt-4o"),
	    "gen_ai.provider.name and gen_ai.request.model win when sent first too");

	/* an empty string is no value: the next alias is read */
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.request.model", av_str(""));
	attr(&span, 9, "gen_ai.response.model", av_str("r"));
	s = pb_span(span);
	is_str(s ? s->model : "(refused)", "r", "an empty gen_ai.request.model falls to the response model");

	/* token counts: integral doubles and digit strings too */
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.usage.input_tokens", av_double(12.0));
	attr(&span, 9, "gen_ai.usage.output_tokens", av_str("15"));
	s = pb_span(span);
	ok(s && s->input_tokens == 12 && s->output_tokens == 15,
	    "tokens as an integral doubleValue and as a stringValue of digits");

	/* ids from intValue (user ids are numbers in many apps) */
	span = span_min(SPAN_ID);
	attr(&span, 9, "user.id", av_int(42));
	attr(&span, 9, "session.id", av_int(-3));
	s = pb_span(span);
	ok(s && streq(s->user_id, "42") && streq(s->session_id, "-3"), "user.id and session.id as intValue");

	/* other identity attributes */
	span = span_min(SPAN_ID);
	attr(&span, 9, "enduser.id", av_str("e"));
	attr(&span, 9, "session.id", av_str("sess"));
	attr(&span, 9, "feature", av_str("f"));
	s = pb_span(span);
	ok(s && streq(s->user_id, "e") && streq(s->session_id, "sess") && streq(s->feature, "f") &&
	    streq(s->conversation_id, "sess"), "enduser.id, session.id, feature");
	span = span_min(SPAN_ID);
	attr(&span, 9, "enduser.id", av_str("e"));
	attr(&span, 9, "user.id", av_str("u"));
	attr(&span, 9, "session.id", av_str("sess"));
	attr(&span, 9, "gen_ai.conversation.id", av_str("conv"));
	attr(&span, 9, "feature", av_str("f"));
	attr(&span, 9, "tally.feature", av_str("tf"));
	s = pb_span(span);
	ok(s && streq(s->user_id, "u") && streq(s->session_id, "conv") && streq(s->feature, "tf"),
	    "user.id over enduser.id, gen_ai.conversation.id over session.id, tally.feature over feature");
	span = span_min(SPAN_ID);
	attr(&span, 9, "user.id", av_str("u"));
	attr(&span, 9, "enduser.id", av_str("e"));
	attr(&span, 9, "gen_ai.conversation.id", av_str("conv"));
	attr(&span, 9, "session.id", av_str("sess"));
	attr(&span, 9, "tally.feature", av_str("tf"));
	attr(&span, 9, "feature", av_str("f"));
	s = pb_span(span);
	ok(s && streq(s->user_id, "u") && streq(s->session_id, "conv") && streq(s->feature, "tf"),
	    "... in the other order too");
	span = span_min(SPAN_ID);
	attr(&span, 9, "service.name", av_str("svc"));
	s = pb_span(span);
	ok(s && s->feature == NULL && streq(s->metadata, "{\"service.name\":\"svc\"}"),
	    "service.name on a span is metadata, not the feature (resource only)");

	/* the client's cost and the texts */
	span = span_min(SPAN_ID);
	attr(&span, 9, "tally.estimated_cost_usd", av_double(0.0125));
	attr(&span, 9, "gen_ai.prompt", av_str("hello"));
	{
		struct pb msgs = { 0 }, m = { 0 };
		pb_msg(&m, 1, kv("role", av_str("assistant")));
		pb_msg(&msgs, 1, av_list(6, m));
		attr(&span, 9, "gen_ai.output.messages", av_list(5, msgs));
	}
	s = pb_span(span);
	ok(s && s->has_estimate && s->estimated_nusd == 12500000, "tally.estimated_cost_usd in nano-dollars");
	is_str(s ? s->input : NULL, "hello", "gen_ai.prompt is the input");
	is_str(s ? s->output : NULL, "[{\"role\":\"assistant\"}]", "gen_ai.output.messages as JSON text");
	ok(s && s->metadata == NULL, "no metadata when every attribute was taken");

	/* resource fallbacks: provider, user, session, feature; never the model */
	res = (struct pb){ 0 };
	attr(&res, 1, "gen_ai.provider.name", av_str("anthropic"));
	attr(&res, 1, "user.id", av_str("ru"));
	attr(&res, 1, "session.id", av_str("rs"));
	attr(&res, 1, "tally.feature", av_str("rf"));
	attr(&res, 1, "service.name", av_str("svc"));
	attr(&res, 1, "gen_ai.request.model", av_str("resource-model"));
	spans = (struct pb){ 0 };
	pb_msg(&spans, 2, span_min(SPAN_ID));
	span = span_min(CHILD_ID);
	attr(&span, 9, "gen_ai.system", av_str("openai"));
	attr(&span, 9, "enduser.id", av_str("su"));
	attr(&span, 9, "gen_ai.conversation.id", av_str("sc"));
	attr(&span, 9, "feature", av_str("sf"));
	pb_msg(&spans, 2, span);
	req = request(res, spans);
	if (ok(run_pb(&R, req.d, req.n) == 0 && R.res.n == 2, "resource fallbacks: two spans")) {
		s = &R.res.spans[0];
		ok(streq(s->provider, "anthropic") && streq(s->user_id, "ru") &&
		    streq(s->session_id, "rs") && streq(s->feature, "rf"),
		    "a span without them takes provider, user, session and feature from the resource");
		ok(s->model == NULL, "the model is never taken from the resource");
		ok(s->metadata == NULL, "resource attributes are not span metadata");
		s = &R.res.spans[1];
		ok(streq(s->provider, "openai") && streq(s->user_id, "su") &&
		    streq(s->session_id, "sc") && streq(s->feature, "sf"),
		    "span attributes, even deprecated or lower-ranked names, win over the resource");
	}
	free(req.d);
	res = (struct pb){ 0 };
	attr(&res, 1, "service.name", av_str("svc"));
	attr(&res, 1, "feature", av_str("rf"));
	spans = (struct pb){ 0 };
	pb_msg(&spans, 2, span_min(SPAN_ID));
	req = request(res, spans);
	ok(run_pb(&R, req.d, req.n) == 0 && R.res.n == 1 && streq(R.res.spans[0].feature, "rf"),
	    "resource feature wins over service.name");
	free(req.d);

	/* the all-zero parent is W3C's "no parent"; so is an empty one */
	span = span_min(SPAN_ID);
	pb_bytes(&span, 4, "\0\0\0\0\0\0\0\0", 8);
	s = pb_span(span);
	ok(s && s->parent_span_id == NULL, "all-zero parentSpanId is a root span");
	span = span_min(SPAN_ID);
	pb_bytes(&span, 4, "", 0);
	s = pb_span(span);
	ok(s && s->parent_span_id == NULL, "empty parentSpanId is a root span");

	/* status 2 without a message */
	span = span_min(SPAN_ID);
	{
		struct pb st = { 0 };
		pb_uint(&st, 3, 2);
		pb_msg(&span, 15, st);
	}
	s = pb_span(span);
	ok(s && s->status == LLM_ERROR && streq(s->error, "error"), "error status without a message");

	/* span events and links are skipped without being read */
	span = span_min(SPAN_ID);
	pb_bytes(&span, 11, "\xff\xff\xff", 3);
	pb_bytes(&span, 13, "\x0b\x0c", 2);
	s = pb_span(span);
	ok(s != NULL, "span events and links are skipped, even malformed");
}

/* Unknown fields of every wire type, at every level. */
static void
unknown_fields(struct pb *b)
{
	pb_uint(b, 1000, 123456789);
	pb_fixed(b, 1001, 0x0102030405060708ULL, 8);
	pb_str(b, 1002, "\xff not even UTF-8");
	pb_fixed(b, 1003, 0x01020304, 4);
	pb_uint(b, 536870911, 1);              /* the largest field number */
}

static void
test_unknown_fields(void)
{
	struct pb req = { 0 }, rs = { 0 }, ss = { 0 }, scope = { 0 }, span, res = { 0 },
	    any, st = { 0 }, keyv = { 0 }, base = genai_request();
	struct run plain = { 0 };
	const struct llm_span *s;

	unknown_fields(&res);
	attr(&res, 1, "service.name", av_str("checkout-bot"));
	unknown_fields(&scope);
	pb_str(&scope, 1, "openllmetry");
	span = span_min(SPAN_ID);
	unknown_fields(&span);
	any = av_str("gpt-4o");
	unknown_fields(&any);
	pb_str(&keyv, 1, "gen_ai.request.model");
	unknown_fields(&keyv);
	pb_msg(&keyv, 2, any);
	pb_msg(&span, 9, keyv);
	pb_uint(&st, 3, 2);
	unknown_fields(&st);
	pb_msg(&span, 15, st);
	pb_uint(&span, 12, 5);                  /* dropped_events_count, not read */
	pb_uint(&span, 14, 5);                  /* dropped_links_count */
	pb_msg(&ss, 1, scope);
	unknown_fields(&ss);
	pb_msg(&ss, 2, span);
	pb_str(&ss, 3, "https://opentelemetry.io/schemas/1.26.0");
	pb_msg(&rs, 1, res);
	unknown_fields(&rs);
	pb_msg(&rs, 2, ss);
	pb_str(&rs, 3, "https://opentelemetry.io/schemas/1.26.0");
	unknown_fields(&req);
	pb_msg(&req, 1, rs);
	unknown_fields(&req);
	ok(run_pb(&R, req.d, req.n) == 0 && R.res.n == 1,
	    "unknown fields of every wire type at every level are skipped (err '%s')", R.err);
	s = R.res.n == 1 ? &R.res.spans[0] : NULL;
	ok(s && streq(s->model, "gpt-4o") && s->status == LLM_ERROR && streq(s->feature, "checkout-bot"),
	    "... and the known fields around them are read");
	free(req.d);

	/* the GenAI request with unknown fields appended to the request: same spans */
	req = genai_request();
	unknown_fields(&req);
	ok(run_pb(&plain, base.d, base.n) == 0 && run_pb(&R, req.d, req.n) == 0 &&
	    R.res.n == 2 && plain.res.n == 2 && same_span(&R.res.spans[0], &plain.res.spans[0]) &&
	    same_span(&R.res.spans[1], &plain.res.spans[1]),
	    "unknown trailing fields change nothing");
	free(req.d);
	free(base.d);
	run_free(&plain);

	/* JSON: unknown members ignored */
	ok(run_json(&R, "{\"resourceSpans\":[{\"x\":1,\"resource\":{\"y\":[]},\"scopeSpans\":[{\"z\":{},"
	    "\"spans\":[{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"00f067aa0ba902b7\","
	    "\"startTimeUnixNano\":\"1717999990000000000\",\"endTimeUnixNano\":\"1717999990000000000\","
	    "\"events\":[{\"name\":\"e\"}],\"w\":null}]}]}],\"extra\":true}") == 0 && R.res.n == 1,
	    "JSON: unknown members are ignored");
}

static void
test_partial(void)
{
	struct pb spans = { 0 }, span, req;
	static const unsigned char id15[15] = { 1 };

	/* good, bad ids, bad times, bad tokens: the good ones are kept */
	pb_msg(&spans, 2, span_min(SPAN_ID));
	span = span_min(SPAN_ID);
	pb_bytes(&span, 1, id15, 15);
	pb_msg(&spans, 2, span);
	span = span_min(SPAN_ID);
	pb_fixed(&span, 8, START_NS - 1, 8);
	pb_msg(&spans, 2, span);
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.usage.input_tokens", av_int(-5));
	pb_msg(&spans, 2, span);
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.usage.output_tokens", av_double(NAN));
	pb_msg(&spans, 2, span);
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.usage.cache_read.input_tokens", av_double(INFINITY));
	pb_msg(&spans, 2, span);
	pb_msg(&spans, 2, span_min(CHILD_ID));
	req = request((struct pb){ 0 }, spans);
	ok(run_pb(&R, req.d, req.n) == 0, "a request with bad spans is not refused whole");
	is_int(R.res.n, 2, "the two good spans are kept");
	is_int(R.res.rejected, 5, "the five bad ones are counted in rejected");
	is_str(R.res.error_message, "span 1: invalid traceId", "error_message names the first refusal");
	ok(R.res.n == 2 && streq(R.res.spans[1].span_id, "1111111111111111"),
	    "the spans after a refusal are still read");
	free(req.d);

	/* each problem alone, with its message */
#define REJECT(span, want, name) do { \
	const char *m_ = pb_reject(span); \
	if (!ok(strstr(m_, want) != NULL, "rejected: %s", name)) \
		tap_diag("got '%s', want '%s'", m_, want); \
} while (0)
	span = span_min(SPAN_ID);
	pb_bytes(&span, 1, id15, 15);
	REJECT(span, "span 0: invalid traceId", "traceId of 15 bytes");
	span = span_min(SPAN_ID);
	pb_bytes(&span, 1, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 17);
	REJECT(span, "invalid traceId", "traceId of 17 bytes");
	span = span_min(SPAN_ID);
	pb_bytes(&span, 1, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	REJECT(span, "invalid traceId", "all-zero traceId");
	span = span_min(SPAN_ID);
	pb_bytes(&span, 1, "", 0);
	REJECT(span, "invalid traceId", "empty traceId");
	span = (struct pb){ 0 };
	pb_bytes(&span, 2, SPAN_ID, 8);
	pb_fixed(&span, 7, START_NS, 8);
	pb_fixed(&span, 8, END_NS, 8);
	REJECT(span, "invalid traceId", "no traceId");
	span = span_min(SPAN_ID);
	pb_bytes(&span, 2, SPAN_ID, 7);
	REJECT(span, "invalid spanId", "spanId of 7 bytes");
	span = span_min(SPAN_ID);
	pb_bytes(&span, 2, "\0\0\0\0\0\0\0\0", 8);
	REJECT(span, "invalid spanId", "all-zero spanId");
	span = span_min(SPAN_ID);
	pb_bytes(&span, 4, PARENT_ID, 4);
	REJECT(span, "invalid parentSpanId", "parentSpanId of 4 bytes");
	span = span_min(SPAN_ID);
	pb_fixed(&span, 8, START_NS - 1, 8);
	REJECT(span, "endTimeUnixNano before startTimeUnixNano", "end 1 ns before start");
	span = span_min(SPAN_ID);
	pb_fixed(&span, 7, (uint64_t)INT64_MAX + 1, 8);
	REJECT(span, "invalid startTimeUnixNano", "start past int64");
	span = span_min(SPAN_ID);
	pb_fixed(&span, 7, 631152000000000000ULL, 8);    /* 1990 */
	REJECT(span, "startTimeUnixNano out of range", "start before 2000");
	span = span_min(SPAN_ID);
	pb_fixed(&span, 7, (uint64_t)(NOW + 2 * 86400000LL) * 1000000, 8);
	pb_fixed(&span, 8, (uint64_t)(NOW + 2 * 86400000LL) * 1000000, 8);
	REJECT(span, "startTimeUnixNano out of range", "start two days ahead");
	span = (struct pb){ 0 };
	pb_bytes(&span, 1, TRACE_ID, 16);
	pb_bytes(&span, 2, SPAN_ID, 8);
	pb_fixed(&span, 8, END_NS, 8);
	REJECT(span, "invalid startTimeUnixNano", "no start time");
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.usage.input_tokens", av_int(-1));
	REJECT(span, "gen_ai.usage.input_tokens: negative tokens", "negative input tokens");
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.usage.output_tokens", av_double(NAN));
	REJECT(span, "gen_ai.usage.output_tokens must be an integer", "NaN output tokens");
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.usage.input_tokens", av_double(-INFINITY));
	REJECT(span, "gen_ai.usage.input_tokens must be an integer", "-Infinity input tokens");
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.usage.input_tokens", av_double(2.5));
	REJECT(span, "must be an integer", "fractional tokens");
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.usage.input_tokens", av_double(1e19));
	REJECT(span, "must be an integer", "tokens past int64 as a double");
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.usage.input_tokens", av_bool(1));
	REJECT(span, "must be an integer", "tokens as a boolean");
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.request.model", av_bool(1));
	REJECT(span, "gen_ai.request.model must be a string", "model as a boolean");
	span = span_min(SPAN_ID);
	{
		char id[LLM_ID_MAX_CHARS + 2];
		memset(id, 'u', sizeof(id) - 1);
		id[sizeof(id) - 1] = '\0';
		attr(&span, 9, "user.id", av_str(id));
	}
	REJECT(span, "user.id longer than", "user.id of 201 characters");
	span = span_min(SPAN_ID);
	attr(&span, 9, "tally.estimated_cost_usd", av_double(-1));
	REJECT(span, "negative cost", "negative cost");
	span = span_min(SPAN_ID);
	attr(&span, 9, "gen_ai.usage.cost", av_double(NAN));
	REJECT(span, "must be a finite number", "NaN cost");
#undef REJECT

	/* the limits of what is kept */
	{
		const struct llm_span *s;
		char name[1100], id[LLM_ID_MAX_CHARS * 2 + 1];

		memset(name, 'n', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		for (int i = 0; i < LLM_ID_MAX_CHARS; i++)
			memcpy(id + 2 * i, "\xc3\xa9", 2);     /* 200 code points, 400 bytes */
		id[sizeof(id) - 1] = '\0';
		span = span_min(SPAN_ID);
		pb_str(&span, 5, name);
		attr(&span, 9, "user.id", av_str(id));
		s = pb_span(span);
		ok(s && s->name && strlen(s->name) == 1024, "a long span name is cut at 1024 bytes");
		ok(s && s->user_id && strlen(s->user_id) == 400, "an id of 200 code points is kept");
	}
}

static void
test_hostile_pb(void)
{
	static const unsigned char long_varint[] = {
		0xa8, 0x3e,     /* field 997 (unknown), varint */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	};
	static const unsigned char ten_varint[] = {
		0xa8, 0x3e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	};
	struct pb b, span;

	pb_refused("\x80", 1, "truncated varint", "truncated key varint");
	pb_refused("\x0a", 1, "truncated varint", "key without a length");
	pb_refused("\x0a\x80", 2, "truncated varint", "truncated length varint");
	pb_refused("\xa8\x3e\xff", 3, "truncated varint", "truncated value varint");
	pb_refused(long_varint, sizeof(long_varint), "varint longer than 10 bytes", "11-byte varint");
	{
		json_object *t;
		char err[200];
		ok(otlp_pb_to_json(ten_varint, sizeof(ten_varint), &t, err, sizeof(err)) == 0,
		    "a 10-byte varint is taken");
		json_object_put(t);
	}
	pb_refused("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11, "varint longer than 10 bytes",
	    "11-byte key");
	pb_refused("\x0a\x05\x00", 3, "length past the end", "length past the end");
	pb_refused("\x0a\x01", 2, "length past the end", "length one byte past the end");
	pb_refused("\x0a\x02\x1a\x01\x61", 5, "length past the end",
	    "inner length one byte past its message");
	pb_refused("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10, "length past the end",
	    "a length near 2^63");
	pb_refused("\x0a\x02\x12\x05\x00\x00", 6, "length past the end",
	    "an inner length past its message (though not past the body)");
	pb_refused("\xa9\x3e\x01\x02\x03", 5, "truncated fixed64", "truncated fixed64");
	pb_refused("\xad\x3e\x01\x02\x03", 5, "truncated fixed32", "truncated fixed32");
	pb_refused("\x08\x01", 2, "wrong wire type", "resourceSpans as a varint");
	pb_refused("\x0d\x01\x02\x03\x04", 5, "wrong wire type", "resourceSpans as fixed32");
	pb_refused("\x0b", 1, "group", "start group (wire type 3) on a known field");
	pb_refused("\x0c", 1, "group", "end group (wire type 4) on a known field");
	pb_refused("\xab\x3e\xac\x3e", 4, "group", "a group on an unknown field");
	pb_refused("\x0e\x00", 2, "invalid wire type 6", "wire type 6");
	pb_refused("\x0f\x00", 2, "invalid wire type 7", "wire type 7");
	pb_refused("\x02\x00", 2, "invalid field number", "field number 0");
	pb_refused("\x00", 1, "invalid field number", "a zero byte");
	pb_refused("\x80\x80\x80\x80\x80\x01\x00", 7, "invalid field number", "field number past 2^29 - 1");
	pb_refused("\x80\x80\x80\x80\x10\x00", 6, "invalid field number", "field number 2^29");

	/* the same problems one message down: each message is bounded by its own length */
	span_refused("\xa8\x3e", 2, "truncated varint", "truncated varint at the end of a span");
	span_refused("\xa8\x3e\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 13,
	    "varint longer than 10 bytes", "11-byte varint in a span");
	span_refused("\x2a\x09" "abc", 5, "length past the end", "span name longer than the span");
	span_refused("\x28\x01", 2, "Span.name: wrong wire type", "span name as a varint");
	span_refused("\x0d\x00\x00\x00\x00", 5, "Span.traceId: wrong wire type", "traceId as fixed32");
	span_refused("\x39\x00\x00", 3, "truncated fixed64", "startTime truncated");
	span_refused("\x38\x01", 2, "Span.startTimeUnixNano: wrong wire type", "startTime as a varint");
	span_refused("\x32\x00", 2, "Span.kind: wrong wire type", "kind as bytes");
	span_refused("\x80\x01\x00", 3, "Span.flags: wrong wire type", "flags as a varint");
	span_refused("\x4a\x02\x08\x01", 4, "KeyValue.key: wrong wire type", "attribute key as a varint");
	span_refused("\x4a\x02\x10\x01", 4, "KeyValue.value: wrong wire type", "attribute value as a varint");
	span_refused("\x7a\x02\x1a\x00", 4, "Status.code: wrong wire type", "status code as bytes");
	span_refused("\x7a\x02\x10\x01", 4, "Status.message: wrong wire type", "status message as a varint");
	span_refused("\x53", 1, "group", "start group in a span");
	span_refused("\x5f", 1, "invalid wire type 7", "wire type 7 in a span");
	span_refused("\x58\x01", 2, "Span.events: wrong wire type", "span events as a varint");
	span_refused("\x06\x00", 2, "invalid field number", "field 0 with wire type 6 in a span");

	/* strings: UTF-8 without NUL (the JSON path refuses \u0000 likewise) */
	{
		static const struct { const char *s; size_t n; const char *name; } bad[] = {
			{ "\xff", 1, "0xff" },
			{ "a\xc0\x80", 3, "overlong NUL" },
			{ "\xe0\x80\xaf", 3, "overlong /" },
			{ "\xed\xa0\x80", 3, "UTF-16 surrogate" },
			{ "\xf4\x90\x80\x80", 4, "past U+10FFFF" },
			{ "\xe2\x82", 2, "cut sequence" },
			{ "\x80", 1, "lone continuation byte" },
			{ "a\0b", 3, "NUL" },
			{ "\0", 1, "NUL alone" },
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char name[80];

			b = (struct pb){ 0 };
			pb_bytes(&b, 5, bad[i].s, bad[i].n);
			snprintf(name, sizeof(name), "span name: %s", bad[i].name);
			span_refused(b.d, b.n, "Span.name: invalid UTF-8", name);
			free(b.d);

			span = span_min(SPAN_ID);
			{
				struct pb k = { 0 };
				pb_bytes(&k, 1, bad[i].s, bad[i].n);
				pb_msg(&span, 9, k);
			}
			b = request1(span);
			snprintf(name, sizeof(name), "attribute key: %s", bad[i].name);
			pb_refused(b.d, b.n, "KeyValue.key: invalid UTF-8", name);
			free(b.d);

			span = span_min(SPAN_ID);
			{
				struct pb v = { 0 };
				pb_bytes(&v, 1, bad[i].s, bad[i].n);
				attr(&span, 9, "k", v);
			}
			b = request1(span);
			snprintf(name, sizeof(name), "stringValue: %s", bad[i].name);
			pb_refused(b.d, b.n, "AnyValue.stringValue: invalid UTF-8", name);
			free(b.d);
		}
		span = span_min(SPAN_ID);
		pb_str(&span, 5, "\xf0\x9f\x98\x80 \xe2\x82\xac \xc3\xa9 \xf4\x8f\xbf\xbf \xed\x9f\xbf");
		ok(pb_span(span) != NULL, "valid UTF-8 of every length is taken");
		/* bytes fields are not text */
		span = span_min(SPAN_ID);
		attr(&span, 9, "raw", av_bytes("\0\xff", 2));
		ok(pb_span(span) != NULL && streq(R.res.spans[0].metadata, "{\"raw\":\"AP8=\"}"),
		    "bytesValue with NUL and 0xff is base64");
	}
}

/* An AnyValue nesting levels AnyValues (1: a plain string), through arrays or kvlists. */
static struct pb
av_nested(int levels, int kvlist)
{
	struct pb v = av_str("x");

	for (int i = 1; i < levels; i++) {
		struct pb l = { 0 };
		if (kvlist)
			pb_msg(&l, 1, kv("k", v));
		else
			pb_msg(&l, 1, v);
		v = av_list(kvlist ? 6 : 5, l);
	}
	return v;
}

static void
test_limits(void)
{
	struct pb span, req, spans, res;

	for (int kvl = 0; kvl <= 1; kvl++) {
		const char *how = kvl ? "kvlistValue" : "arrayValue";
		const struct llm_span *s;

		span = span_min(SPAN_ID);
		attr(&span, 9, "deep", av_nested(OTLP_MAX_DEPTH, kvl));
		s = pb_span(span);
		ok(s && s->metadata && strlen(s->metadata) > 2 * OTLP_MAX_DEPTH,
		    "AnyValue %s nested %d deep is taken, into the metadata", how, OTLP_MAX_DEPTH);
		span = span_min(SPAN_ID);
		attr(&span, 9, "deep", av_nested(OTLP_MAX_DEPTH + 1, kvl));
		req = request1(span);
		pb_refused(req.d, req.n, "AnyValue nested deeper than", kvl ?
		    "AnyValue kvlistValue nested 33 deep" : "AnyValue arrayValue nested 33 deep");
		free(req.d);
		span = span_min(SPAN_ID);
		attr(&span, 9, "deep", av_nested(5000, kvl));
		req = request1(span);
		pb_refused(req.d, req.n, "AnyValue nested deeper than", kvl ?
		    "AnyValue kvlistValue nested 5000 deep" : "AnyValue arrayValue nested 5000 deep");
		free(req.d);
	}

	/* spans: OTLP_MAX_SPANS taken, one more refuses the body */
	spans = (struct pb){ 0 };
	for (int i = 0; i < OTLP_MAX_SPANS; i++)
		pb_msg(&spans, 2, span_min(SPAN_ID));
	req = request((struct pb){ 0 }, spans);
	ok(run_pb(&R, req.d, req.n) == 0 && R.res.n == OTLP_MAX_SPANS,
	    "%d spans are taken (err '%s')", OTLP_MAX_SPANS, R.err);
	free(req.d);
	spans = (struct pb){ 0 };
	for (int i = 0; i <= OTLP_MAX_SPANS; i++)
		pb_msg(&spans, 2, span_min(SPAN_ID));
	req = request((struct pb){ 0 }, spans);
	ok(run_pb(&R, req.d, req.n) == -1 && R.decode_rc == 0 && R.res.n == 0 && R.res.spans == NULL &&
	    strstr(R.err, "more than 10000 spans") != NULL, "%d spans refuse the body ('%s')",
	    OTLP_MAX_SPANS + 1, R.err);
	free(req.d);
	/* … also spread over several scopeSpans and resourceSpans */
	{
		struct pb big = { 0 };
		for (int r = 0; r < 2; r++) {
			struct pb rs = { 0 };
			for (int k = 0; k < 2; k++) {
				struct pb ss = { 0 };
				for (int i = 0; i < OTLP_MAX_SPANS / 4 + (r == 1 && k == 1); i++)
					pb_msg(&ss, 2, span_min(SPAN_ID));
				pb_msg(&rs, 2, ss);
			}
			pb_msg(&big, 1, rs);
		}
		ok(run_pb(&R, big.d, big.n) == -1 && strstr(R.err, "more than") != NULL,
		    "the span count is over the whole request");
		free(big.d);
	}

	/* elements: the objects the decoder makes (resourceSpans[0] and resource count) */
	for (int extra = 0; extra <= 1; extra++) {
		struct pb r = { 0 };
		json_object *t;
		char err[200];
		int rc;

		res = (struct pb){ 0 };
		for (int i = 0; i < OTLP_MAX_ELEMENTS - 2 + extra; i++)
			pb_bytes(&res, 1, "", 0);
		pb_msg(&r, 1, res);
		res = (struct pb){ 0 };
		pb_msg(&res, 1, r);
		rc = otlp_pb_to_json(res.d, res.n, &t, err, sizeof(err));
		if (extra)
			ok(rc == -1 && t == NULL && strstr(err, "elements") != NULL,
			    "one object past OTLP_MAX_ELEMENTS refuses the body ('%s')", err);
		else
			ok(rc == 0 && t != NULL, "OTLP_MAX_ELEMENTS objects are taken");
		json_object_put(t);
		free(res.d);
	}
}

static void
test_json_hostile(void)
{
	static const struct { const char *json, *want; } bad[] = {
		{ "[]", "the body must be a JSON object" },
		{ "\"x\"", "the body must be a JSON object" },
		{ "{\"resourceSpans\":{}}", "resourceSpans must be an array" },
		{ "{\"resourceSpans\":\"x\"}", "resourceSpans must be an array" },
		{ "{\"resourceSpans\":[1]}", "resourceSpans[0] must be an object" },
		{ "{\"resourceSpans\":[{\"resource\":[]}]}", "resourceSpans[0].resource must be an object" },
		{ "{\"resourceSpans\":[{\"resource\":{\"attributes\":{}}}]}", "attributes must be an array" },
		{ "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":1}]}}]}", "key must be a string" },
		{ "{\"resourceSpans\":[{\"scopeSpans\":{}}]}", "resourceSpans[0].scopeSpans must be an array" },
		{ "{\"resourceSpans\":[{\"scopeSpans\":[null]}]}", "resourceSpans[0].scopeSpans[0] must be an object" },
		{ "{\"resourceSpans\":[{},{\"scopeSpans\":[{},{\"spans\":{}}]}]}",
		    "resourceSpans[1].scopeSpans[1].spans must be an array" },
		{ "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":7}]}]}", "spans must be an array" },
	};
	struct run j = { 0 };
	char *deep;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = run_json(&j, bad[i].json);
		if (!ok(rc == -1 && j.decode_rc == 0 && j.res.n == 0 && strstr(j.err, bad[i].want) != NULL,
		    "JSON refused: %s", bad[i].json))
			tap_diag("rc %d err '%s'", rc, j.err);
	}
	ok(otlp_map(NULL, &lim, &j.pool, &j.res, j.err, sizeof(j.err)) == -1 && j.err[0],
	    "a NULL tree (the JSON null) is refused");
	ok(run_json(&j, "{}") == 0 && j.res.n == 0, "{} has no spans");
	ok(run_json(&j, "{\"resourceSpans\":null}") == 0 && j.res.n == 0, "null resourceSpans: no spans");
	ok(run_json(&j, "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[]}]}]}") == 0 && j.res.n == 0,
	    "empty spans");

	/* spans that are not spans: each refused alone */
	ok(run_json(&j, "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[1,\"x\",null,[],{}]}]}]}") == 0 &&
	    j.res.n == 0 && j.res.rejected == 5 && strcmp(j.res.error_message, "span 0: a span must be an object") == 0,
	    "non-object spans are refused one by one ('%s')", j.res.error_message);
#define SPAN_JSON(extra) "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{" \
	"\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"00f067aa0ba902b7\"," \
	"\"startTimeUnixNano\":\"1717999990000000000\",\"endTimeUnixNano\":\"1717999991000000000\"" \
	extra "}]}]}]}"
	{
		static const struct { const char *json, *want; } rej[] = {
			{ SPAN_JSON(",\"attributes\":{}"), "attributes must be an array" },
			{ SPAN_JSON(",\"attributes\":[1]"), "key must be a string" },
			{ SPAN_JSON(",\"status\":[]"), "status must be an object" },
			{ SPAN_JSON(",\"status\":{\"code\":\"two\"}"), "status.code must be an integer" },
			{ SPAN_JSON(",\"name\":5"), "name must be a string" },
			{ SPAN_JSON(",\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e473g\""), "invalid traceId" },
			{ SPAN_JSON(",\"spanId\":12"), "invalid spanId" },
			{ SPAN_JSON(",\"parentSpanId\":\"xyz\""), "invalid parentSpanId" },
			{ SPAN_JSON(",\"startTimeUnixNano\":\"17e17\""), "invalid startTimeUnixNano" },
			{ SPAN_JSON(",\"startTimeUnixNano\":\" 1717999990000000000\""), "invalid startTimeUnixNano" },
			{ SPAN_JSON(",\"endTimeUnixNano\":1.5"), "invalid endTimeUnixNano" },
			{ SPAN_JSON(",\"endTimeUnixNano\":-1"), "invalid endTimeUnixNano" },
			{ SPAN_JSON(",\"attributes\":[{\"key\":\"gen_ai.usage.input_tokens\",\"value\":"
			    "{\"doubleValue\":\"NaN\"}}]"), "must be an integer" },
			{ SPAN_JSON(",\"attributes\":[{\"key\":\"gen_ai.usage.input_tokens\",\"value\":"
			    "{\"intValue\":\"-3\"}}]"), "negative tokens" },
			{ SPAN_JSON(",\"attributes\":[{\"key\":\"gen_ai.usage.input_tokens\",\"value\":"
			    "{\"intValue\":\"9223372036854775808\"}}]"), "must be an integer" },
			{ SPAN_JSON(",\"attributes\":[{\"key\":\"gen_ai.usage.output_tokens\",\"value\":"
			    "{\"intValue\":\"1000000001\"}}]"), "more than 1000000000 tokens" },
			{ SPAN_JSON(",\"attributes\":[{\"key\":\"gen_ai.usage.cost\",\"value\":"
			    "{\"doubleValue\":100000.01}}]"), "cost above 100000 USD" },
			{ SPAN_JSON(",\"attributes\":[{\"key\":\"gen_ai.usage.cost\",\"value\":"
			    "{\"doubleValue\":\"Infinity\"}}]"), "must be a finite number" },
			{ SPAN_JSON(",\"attributes\":[{\"key\":\"gen_ai.usage.cost\",\"value\":"
			    "{\"doubleValue\":1e300}}]"), "cost above 100000 USD" },
		};
		for (size_t i = 0; i < sizeof(rej) / sizeof(rej[0]); i++) {
			int rc = run_json(&j, rej[i].json);
			if (!ok(rc == 0 && j.res.n == 0 && j.res.rejected == 1 &&
			    strstr(j.res.error_message, rej[i].want) != NULL,
			    "JSON span rejected: %s", rej[i].want))
				tap_diag("rc %d err '%s' n %zu msg '%s'", rc, j.err, j.res.n, j.res.error_message);
		}
		ok(run_json(&j, SPAN_JSON(",\"attributes\":[{\"key\":\"gen_ai.usage.input_tokens\","
		    "\"value\":{\"intValue\":7}},{\"key\":\"gen_ai.usage.output_tokens\","
		    "\"value\":{\"intValue\":\"8\"}},{\"key\":\"x\"},{\"key\":\"y\",\"value\":{}}],"
		    "\"status\":{\"code\":\"2\"},\"kind\":\"3\",\"flags\":\"x\"")) == 0 && j.res.n == 1 &&
		    j.res.spans[0].input_tokens == 7 && j.res.spans[0].output_tokens == 8 &&
		    j.res.spans[0].status == LLM_ERROR,
		    "JSON: intValue as a number and as a string; status.code as a string");
	}

	/* nesting: the JSON parser stops it, and a tree made otherwise is bounded too */
	deep = malloc(100001);
	memset(deep, '[', 100000);
	deep[100000] = '\0';
	ok(run_json(&j, deep) == -1 && j.tree == NULL && strstr(j.err, "nesting") != NULL,
	    "100000 nested arrays are refused by the parser ('%s')", j.err);
	free(deep);
	{
		/* an AnyValue 1000 deep built with json-c itself (no parser limit) */
		json_object *root = json_tokener_parse(SPAN_JSON(",\"attributes\":[]")), *v, *list, *o;
		json_object *attrs = first_span_attrs(root);
		json_object *kvo = json_object_new_object();

		v = json_object_new_object();
		json_object_object_add(v, "stringValue", json_object_new_string("x"));
		for (int i = 0; i < 1000; i++) {
			list = json_object_new_array();
			json_object_array_add(list, v);
			o = json_object_new_object();
			json_object_object_add(o, "values", list);
			v = json_object_new_object();
			json_object_object_add(v, "arrayValue", o);
		}
		json_object_object_add(kvo, "key", json_object_new_string("gen_ai.prompt"));
		json_object_object_add(kvo, "value", v);
		json_object_array_add(attrs, kvo);
		run_free(&j);
		ok(otlp_map(root, &lim, &j.pool, &j.res, j.err, sizeof(j.err)) == 0 && j.res.n == 0 &&
		    j.res.rejected == 1 && strstr(j.res.error_message, "nested too deep") != NULL,
		    "an AnyValue 1000 deep in a tree is refused with its span ('%s')", j.res.error_message);
		otlp_result_free(&j.res);
		json_object_object_add(kvo, "key", json_object_new_string("some.other"));
		ok(otlp_map(root, &lim, &j.pool, &j.res, j.err, sizeof(j.err)) == 0 && j.res.n == 0 &&
		    j.res.rejected == 1 && strstr(j.res.error_message, "nested too deep") != NULL,
		    "... as metadata too ('%s')", j.res.error_message);
		json_object_put(root);
	}
#undef SPAN_JSON
	run_free(&j);
}

static void
test_response(void)
{
	unsigned char out[OTLP_RESPONSE_MAX], *p;
	const char *msg = "span 1: invalid traceId";
	size_t n, mlen = strlen(msg);
	char big[200];

	memset(out, 0xee, sizeof(out));
	is_int(otlp_pb_encode_response(0, NULL, out, sizeof(out)), 0, "rejected 0, no message: no bytes");
	is_int(otlp_pb_encode_response(0, "", out, sizeof(out)), 0, "rejected 0, empty message: no bytes");
	is_int(out[0], 0xee, "... and nothing written");

	n = otlp_pb_encode_response(3, msg, out, sizeof(out));
	/* ExportTraceServiceResponse{partial_success=1{rejected_spans=1 varint, error_message=2}} */
	p = out;
	is_int(n, 2 + 2 + 2 + mlen, "rejected 3 with a message: %zu bytes", 2 + 2 + 2 + mlen);
	is_int(p[0], 1 << 3 | WT_LEN, "field 1 (partial_success), length-delimited");
	is_int(p[1], 2 + 2 + mlen, "partial_success length");
	is_int(p[2], 1 << 3 | WT_VARINT, "field 1 (rejected_spans), varint");
	is_int(p[3], 3, "rejected_spans = 3");
	is_int(p[4], 2 << 3 | WT_LEN, "field 2 (error_message), length-delimited");
	is_int(p[5], mlen, "error_message length");
	ok(n >= 6 + mlen && memcmp(p + 6, msg, mlen) == 0, "error_message bytes");

	memset(out, 0xee, sizeof(out));
	is_int(otlp_pb_encode_response(3, msg, out, 10), n, "too small: the length needed");
	is_int(out[0], 0xee, "... and nothing written");
	is_int(otlp_pb_encode_response(3, msg, out, n), n, "exactly the length needed is enough");

	n = otlp_pb_encode_response(300, NULL, out, sizeof(out));
	ok(n == 5 && out[0] == 0x0a && out[1] == 3 && out[2] == 0x08 && out[3] == 0xac && out[4] == 0x02,
	    "rejected 300 without a message: a two-byte varint");
	n = otlp_pb_encode_response(0, "m", out, sizeof(out));
	ok(n == 5 && out[0] == 0x0a && out[1] == 3 && out[2] == 0x12 && out[3] == 1 && out[4] == 'm',
	    "a message without a count");

	/* the largest: every rejected count, a message of 199 bytes */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	n = otlp_pb_encode_response(INT64_MAX, big, out, sizeof(out));
	ok(n <= OTLP_RESPONSE_MAX && n == 1 + 2 + 1 + 9 + 1 + 2 + 199,
	    "INT64_MAX and 199 bytes fit OTLP_RESPONSE_MAX (%zu)", n);
	n = otlp_pb_encode_response(-1, big, out, sizeof(out));
	ok(n <= OTLP_RESPONSE_MAX, "even a negative count (10-byte varint) fits (%zu)", n);

	/* the rejected count of a real result, decoded back */
	{
		struct pb spans = { 0 }, span, req;
		uint64_t v = 0;
		size_t i = 3;

		for (int k = 0; k < 130; k++) {
			span = span_min(SPAN_ID);
			pb_fixed(&span, 8, START_NS - 1, 8);
			pb_msg(&spans, 2, span);
		}
		req = request((struct pb){ 0 }, spans);
		ok(run_pb(&R, req.d, req.n) == 0 && R.res.rejected == 130, "130 spans rejected");
		free(req.d);
		n = otlp_pb_encode_response(R.res.rejected, R.res.error_message, out, sizeof(out));
		for (int shift = 0; i < n; shift += 7) {
			v |= (uint64_t)(out[i] & 0x7f) << shift;
			if ((out[i++] & 0x80) == 0)
				break;
		}
		ok(out[2] == 0x08 && v == 130 && out[i] == 0x12 && out[i + 1] == strlen(R.res.error_message) &&
		    memcmp(out + i + 2, R.res.error_message, out[i + 1]) == 0 && i + 2 + out[i + 1] == n,
		    "the response of that result decodes back to 130 and its message");
	}
}

int
main(void)
{
	test_genai_span();
	test_json_same();
	test_tree();
	test_mapping();
	test_unknown_fields();
	test_partial();
	test_hostile_pb();
	test_limits();
	test_json_hostile();
	test_response();
	run_free(&R);
	otlp_result_free(NULL);
	ok(1, "otlp_result_free(NULL) is harmless");
	return tap_done();
}
