/*
 * fuzz_otlp: libFuzzer target for the body of POST /api/v1/otlp/v1/traces
 * (SPEC §5.2): as protobuf, otlp_pb_to_json then otlp_map; when it starts
 * with '{', as JSON too, json_parse_strict then otlp_map. Besides ASan/UBSan
 * findings it aborts when a result breaks the contract of otlp.h, and when
 * the tree of a protobuf body, written as JSON text and read back, maps to
 * other spans (both content types share one mapper and must agree).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"
#include "llm.h"
#include "otlp.h"
#include "timestamp.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1718000000000LL
#define MAX_TEXT 256            /* small, so that truncation is reached */

static const struct llm_limits lim = { MAX_TEXT, NOW };

static void
check_hex(const char *s, size_t len, int may_be_null)
{
	if (s == NULL) {
		if (!may_be_null)
			abort();
		return;
	}
	if (strlen(s) != len || strspn(s, "0123456789abcdef") != len || strspn(s, "0") == len)
		abort();
}

static void
check_len(const char *s, size_t max)
{
	if (s != NULL && strlen(s) > max)
		abort();
}

static void
check_object_text(const char *s)
{
	json_object *o;

	if (s == NULL)
		return;
	if (strlen(s) > OTLP_METADATA_MAX_BYTES ||
	    (o = json_tokener_parse(s)) == NULL || !json_object_is_type(o, json_type_object))
		abort();
	json_object_put(o);
}

/* The response of r must fit its buffer and say what r says. */
static void
check_response(const struct otlp_result *r)
{
	unsigned char out[OTLP_RESPONSE_MAX];
	size_t n = otlp_pb_encode_response(r->rejected, r->rejected ? r->error_message : NULL,
	    out, sizeof(out));

	size_t i = 1, inner = 0;

	if (n > sizeof(out) || (r->rejected == 0) != (n == 0))
		abort();
	if (n == 0)
		return;
	/* partial_success (field 1, length-delimited) of exactly the rest, rejected_spans first */
	for (unsigned shift = 0; i < n && shift < 64; shift += 7) {
		inner |= (size_t)(out[i] & 0x7f) << shift;
		if ((out[i++] & 0x80) == 0)
			break;
	}
	if (out[0] != 0x0a || i + inner != n || i >= n || out[i] != 0x08)
		abort();
}

static void
check_result(int rc, const struct otlp_result *r, const char *err)
{
	if (rc != 0) {
		if ((rc != -1 && rc != -2) || r->spans != NULL || r->n != 0 || r->rejected != 0 ||
		    err[0] == '\0')
			abort();
		return;
	}
	if (r->n > OTLP_MAX_SPANS || r->rejected < 0 || r->rejected > OTLP_MAX_SPANS ||
	    (r->rejected > 0) != (r->error_message[0] != '\0'))
		abort();
	for (const char *p = r->error_message; *p; p++)
		if ((unsigned char)*p >= 0x80)
			abort();        /* ASCII: it goes back in a protobuf string */
	for (size_t i = 0; i < r->n; i++) {
		const struct llm_span *s = &r->spans[i];

		check_hex(s->trace_id, 32, 0);
		check_hex(s->span_id, 16, 0);
		check_hex(s->parent_span_id, 16, 1);
		if (s->end_ms < s->start_ms || s->start_ms < TS_MIN_MS ||
		    s->start_ms > NOW + 86400000LL || !(s->latency_ms >= 0))
			abort();
		if (s->input_tokens < 0 || s->output_tokens < 0 || s->cached_tokens < 0)
			abort();
		if ((s->status != LLM_OK && s->status != LLM_ERROR) || (s->status == LLM_ERROR) != (s->error != NULL))
			abort();
		if (s->has_estimate ? s->estimated_nusd < 0 : s->estimated_nusd != 0)
			abort();
		if (s->conversation_id != s->session_id)
			abort();
		/* ids: at most 200 code points of at most 4 bytes */
		check_len(s->provider, 4 * LLM_ID_MAX_CHARS);
		check_len(s->model, 4 * LLM_ID_MAX_CHARS);
		check_len(s->session_id, 4 * LLM_ID_MAX_CHARS);
		check_len(s->user_id, 4 * LLM_ID_MAX_CHARS);
		check_len(s->feature, 4 * LLM_ID_MAX_CHARS);
		check_len(s->name, 1024);
		check_len(s->error, 1024);
		check_len(s->input, MAX_TEXT);
		check_len(s->output, MAX_TEXT);
		check_object_text(s->metadata);
	}
	check_response(r);
}

static int
streq(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/*
 * Two mappings of one request, by protobuf and by JSON. The texts made from
 * non-string values (input, output, metadata) may differ in one way only: a
 * double -0 is written "-0" from protobuf and read back as the integer 0,
 * so they are compared for presence.
 */
static void
check_same(const struct otlp_result *a, const struct otlp_result *b)
{
	if (a->n != b->n || a->rejected != b->rejected || strcmp(a->error_message, b->error_message) != 0)
		abort();
	for (size_t i = 0; i < a->n; i++) {
		const struct llm_span *x = &a->spans[i], *y = &b->spans[i];

		if (!streq(x->trace_id, y->trace_id) || !streq(x->span_id, y->span_id) ||
		    !streq(x->parent_span_id, y->parent_span_id) || !streq(x->name, y->name) ||
		    !streq(x->session_id, y->session_id) || !streq(x->user_id, y->user_id) ||
		    !streq(x->feature, y->feature) || !streq(x->provider, y->provider) ||
		    !streq(x->model, y->model) || !streq(x->error, y->error) ||
		    (x->input == NULL) != (y->input == NULL) || (x->output == NULL) != (y->output == NULL) ||
		    (x->metadata == NULL) != (y->metadata == NULL))
			abort();
		if (x->input_tokens != y->input_tokens || x->output_tokens != y->output_tokens ||
		    x->cached_tokens != y->cached_tokens || x->start_ms != y->start_ms ||
		    x->end_ms != y->end_ms || x->latency_ms != y->latency_ms ||
		    x->has_estimate != y->has_estimate || x->estimated_nusd != y->estimated_nusd ||
		    x->status != y->status)
			abort();
	}
}

/* otlp_map on tree; checks the result; *r is the caller's to free. */
static int
map(json_object *tree, struct strpool *pool, struct otlp_result *r)
{
	char err[200];
	int rc = otlp_map(tree, &lim, pool, r, err, sizeof(err));

	check_result(rc, r, err);
	return rc;
}

static void
run_pb(const uint8_t *data, size_t size)
{
	json_object *tree, *back;
	struct strpool pool = { 0 }, pool2 = { 0 };
	struct otlp_result r, r2;
	char err[200];
	const char *text;
	size_t len;
	int rc = otlp_pb_to_json(data, size, &tree, err, sizeof(err));

	if (rc != 0) {
		if ((rc != -1 && rc != -2) || tree != NULL || err[0] == '\0')
			abort();
		return;
	}
	if (!json_object_is_type(tree, json_type_object))
		abort();
	rc = map(tree, &pool, &r);

	/* the same request as OTLP/JSON: the tree's text, read back */
	text = json_object_to_json_string_length(tree, JSON_C_TO_STRING_PLAIN, &len);
	if (text != NULL && json_parse_strict(text, len, JSON_MAX_DEPTH, &back, err, sizeof(err)) == 0) {
		if (map(back, &pool2, &r2) != rc)
			abort();
		if (rc == 0)
			check_same(&r, &r2);
		otlp_result_free(&r2);
		json_object_put(back);
	}
	otlp_result_free(&r);
	strpool_free(&pool);
	strpool_free(&pool2);
	json_object_put(tree);
}

static void
run_json(const uint8_t *data, size_t size)
{
	json_object *tree;
	struct strpool pool = { 0 };
	struct otlp_result r;
	char err[200], *buf;

	if ((buf = malloc(size + 1)) == NULL)
		return;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (json_parse_strict(buf, size, JSON_MAX_DEPTH, &tree, err, sizeof(err)) == 0) {
		map(tree, &pool, &r);
		otlp_result_free(&r);
		strpool_free(&pool);
		json_object_put(tree);
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1 << 20))           /* the default body limit */
		return 0;
	run_pb(data, size);
	if (size > 0 && data[0] == '{')
		run_json(data, size);
	return 0;
}
