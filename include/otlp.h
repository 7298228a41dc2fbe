/*
 * otlp: OTLP/HTTP trace export (SPEC §5.2, POST /api/v1/otlp/v1/traces).
 *
 * Two steps, one mapper for both encodings:
 *   application/x-protobuf  otlp_pb_to_json()  → the json-c tree the OTLP/JSON
 *                                                 encoding of the same request gives
 *   application/json        json_parse_strict() → the same kind of tree
 *   either tree             otlp_map()          → struct llm_span[]
 * and the answer, in the request's content type: otlp_pb_encode_response()
 * for protobuf ({} or {"partialSuccess":{...}} for JSON is the caller's).
 *
 * Protocol: opentelemetry-proto, collector/trace/v1/trace_service.proto,
 * trace/v1/trace.proto, common/v1/common.proto; JSON per the OTLP
 * specification (hex ids, 64-bit integers as decimal strings or numbers,
 * enums as integers, camelCase names, unknown fields ignored).
 */
#ifndef TALLY_OTLP_H
#define TALLY_OTLP_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "llm.h"
#include "util.h"

#define OTLP_MAX_SPANS 10000            /* spans in one request; beyond: the whole body is refused */
#define OTLP_MAX_DEPTH 32               /* AnyValue nesting (arrays, kvlists) */
#define OTLP_MAX_ELEMENTS 200000        /* messages the protobuf decoder turns into objects */
#define OTLP_METADATA_MAX_BYTES 8192    /* span metadata text; larger is dropped, not cut */
#define OTLP_RESPONSE_MAX 256           /* otlp_pb_encode_response output for a message < 200 bytes */

/*
 * Decodes an ExportTraceServiceRequest (protobuf wire format, data[0..len))
 * into *out (caller puts it): resourceSpans[{resource{attributes},
 * scopeSpans[{scope{name,version,attributes}, spans[…]}]}] with each span's
 * traceId/spanId/parentSpanId as lowercase hex, start/endTimeUnixNano as
 * decimal strings, kind/flags/droppedAttributesCount as integers,
 * status{code,message}, attributes[{key,value:{stringValue|boolValue|
 * intValue (decimal string)|doubleValue (null when not finite)|
 * arrayValue{values}|kvlistValue{values}|bytesValue (base64)}}]. Span events
 * and links are skipped, as is every field it does not know.
 * Refuses truncated or over-long (> 10 bytes) varints, lengths past the end,
 * a known field with the wrong wire type, groups and wire types 6/7, field
 * number 0, strings that are not UTF-8 or hold NUL (as json_parse_strict
 * refuses "\u0000"), AnyValue nesting deeper than OTLP_MAX_DEPTH and more
 * than OTLP_MAX_ELEMENTS messages.
 * Returns 0; -1 when the body is invalid (400), -2 when out of memory (500);
 * on failure *out is NULL and err holds a short message.
 */
int otlp_pb_to_json(const void *data, size_t len, json_object **out,
    char *err, size_t errlen);

/* The spans of one request. spans is malloc'd: free with otlp_result_free. */
struct otlp_result {
	struct llm_span *spans;
	size_t n;
	int64_t rejected;               /* spans refused one by one (partialSuccess) */
	char error_message[200];        /* the first refusal, "span 3: invalid traceId"; ASCII */
};

/*
 * Maps an OTLP/JSON ExportTraceServiceRequest tree (from otlp_pb_to_json or
 * json_parse_strict) to spans, using the GenAI semantic conventions for the
 * §5.1 fields (span attributes first; resource attributes as fallback for
 * provider, user, session/conversation and feature; resource service.name
 * as the last feature). A span with a problem (bad id, bad time, negative
 * tokens, …) is left out and counted in out->rejected; the first problem is
 * kept in out->error_message.
 *
 * Lifetimes: the spans borrow strings from request AND from pool (lowercased
 * ids, truncated text, metadata): keep both alive until the spans are no
 * longer used; the tree is not modified. *out is zeroed on entry.
 * Returns 0; -1 when the body itself is invalid (not an object, resourceSpans
 * / scopeSpans / spans not arrays, more than OTLP_MAX_SPANS spans: answer
 * 400 with err); -2 when out of memory (500). On failure out holds no spans.
 */
int otlp_map(json_object *request, const struct llm_limits *lim,
    struct strpool *pool, struct otlp_result *out, char *err, size_t errlen);

/* Frees out->spans; accepts NULL and a zeroed result. */
void otlp_result_free(struct otlp_result *r);

/*
 * Encodes ExportTraceServiceResponse{partial_success{rejected_spans,
 * error_message}} into out: no bytes at all when rejected is 0 and message
 * is NULL or empty. Returns the encoded length; when that is more than outsz
 * nothing is written (as snprintf: check the result). OTLP_RESPONSE_MAX
 * bytes always suffice for otlp_result.error_message.
 */
size_t otlp_pb_encode_response(int64_t rejected, const char *message,
    unsigned char *out, size_t outsz);

#endif
