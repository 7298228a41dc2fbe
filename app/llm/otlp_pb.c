/*
 * otlp_pb: the protobuf wire format (protobuf.dev, "Encoding") of
 * ExportTraceServiceRequest, turned into the tree its OTLP/JSON encoding
 * gives so that one mapper (otlp_map.c) serves both content types; and the
 * encoding of ExportTraceServiceResponse.
 *
 * The messages traces need are described by the tables below (field number,
 * what it becomes, its JSON name); every other field is skipped whatever its
 * wire type. The body is hostile: every length is checked against the bytes
 * left, recursion only follows the tables and AnyValue nesting is bounded.
 */
#include "otlp.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

enum wire { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

#define PB_MAX_FIELD 536870911u         /* 2^29 - 1 */

enum pb_kind {
	PK_STRING,      /* string → JSON string (UTF-8, no NUL) */
	PK_HEX,         /* bytes → lowercase hex: trace and span ids (OTLP/JSON) */
	PK_BASE64,      /* bytes → base64, as proto3 JSON writes bytes */
	PK_BOOL,        /* varint → boolean */
	PK_ENUM,        /* varint int32 / enum → integer */
	PK_UINT32,      /* varint uint32 → integer */
	PK_INT64,       /* varint int64 → decimal string (proto3 JSON) */
	PK_FIXED32,     /* fixed32 → integer */
	PK_FIXED64,     /* fixed64 → decimal string */
	PK_DOUBLE,      /* double → number; null when not finite */
	PK_MESSAGE,     /* → object; seen again on the wire: merged, as protobuf does */
	PK_REPEATED,    /* → one more object of an array */
	PK_SKIP,        /* a known length-delimited field left out (span events, links) */
};

struct pb_msg;

struct pb_field {
	uint32_t num;
	enum pb_kind kind;
	const char *json;
	const struct pb_msg *sub;       /* PK_MESSAGE, PK_REPEATED */
};

struct pb_msg {
	const char *name;               /* for error messages */
	const struct pb_field *fields;
	size_t nfields;
	int any;                        /* AnyValue: a oneof, and one level of nesting */
};

#define MSG(name, f, any) { name, f, sizeof(f) / sizeof(f[0]), any }

/* common/v1/common.proto */
static const struct pb_msg m_any_value, m_key_value;

static const struct pb_field f_array_value[] = {
	{ 1, PK_REPEATED, "values", &m_any_value },
};
static const struct pb_msg m_array_value = MSG("ArrayValue", f_array_value, 0);

static const struct pb_field f_kvlist_value[] = {
	{ 1, PK_REPEATED, "values", &m_key_value },
};
static const struct pb_msg m_kvlist_value = MSG("KeyValueList", f_kvlist_value, 0);

static const struct pb_field f_any_value[] = {
	{ 1, PK_STRING, "stringValue", NULL },
	{ 2, PK_BOOL, "boolValue", NULL },
	{ 3, PK_INT64, "intValue", NULL },
	{ 4, PK_DOUBLE, "doubleValue", NULL },
	{ 5, PK_MESSAGE, "arrayValue", &m_array_value },
	{ 6, PK_MESSAGE, "kvlistValue", &m_kvlist_value },
	{ 7, PK_BASE64, "bytesValue", NULL },
};
static const struct pb_msg m_any_value = MSG("AnyValue", f_any_value, 1);

static const struct pb_field f_key_value[] = {
	{ 1, PK_STRING, "key", NULL },
	{ 2, PK_MESSAGE, "value", &m_any_value },
};
static const struct pb_msg m_key_value = MSG("KeyValue", f_key_value, 0);

static const struct pb_field f_scope[] = {
	{ 1, PK_STRING, "name", NULL },
	{ 2, PK_STRING, "version", NULL },
	{ 3, PK_REPEATED, "attributes", &m_key_value },
	{ 4, PK_UINT32, "droppedAttributesCount", NULL },
};
static const struct pb_msg m_scope = MSG("InstrumentationScope", f_scope, 0);

/* resource/v1/resource.proto */
static const struct pb_field f_resource[] = {
	{ 1, PK_REPEATED, "attributes", &m_key_value },
	{ 2, PK_UINT32, "droppedAttributesCount", NULL },
};
static const struct pb_msg m_resource = MSG("Resource", f_resource, 0);

/* trace/v1/trace.proto */
static const struct pb_field f_status[] = {
	{ 2, PK_STRING, "message", NULL },
	{ 3, PK_ENUM, "code", NULL },
};
static const struct pb_msg m_status = MSG("Status", f_status, 0);

static const struct pb_field f_span[] = {
	{ 1, PK_HEX, "traceId", NULL },
	{ 2, PK_HEX, "spanId", NULL },
	{ 3, PK_STRING, "traceState", NULL },
	{ 4, PK_HEX, "parentSpanId", NULL },
	{ 5, PK_STRING, "name", NULL },
	{ 6, PK_ENUM, "kind", NULL },
	{ 7, PK_FIXED64, "startTimeUnixNano", NULL },
	{ 8, PK_FIXED64, "endTimeUnixNano", NULL },
	{ 9, PK_REPEATED, "attributes", &m_key_value },
	{ 10, PK_UINT32, "droppedAttributesCount", NULL },
	{ 11, PK_SKIP, "events", NULL },
	{ 13, PK_SKIP, "links", NULL },
	{ 15, PK_MESSAGE, "status", &m_status },
	{ 16, PK_FIXED32, "flags", NULL },
};
static const struct pb_msg m_span = MSG("Span", f_span, 0);

static const struct pb_field f_scope_spans[] = {
	{ 1, PK_MESSAGE, "scope", &m_scope },
	{ 2, PK_REPEATED, "spans", &m_span },
	{ 3, PK_STRING, "schemaUrl", NULL },
};
static const struct pb_msg m_scope_spans = MSG("ScopeSpans", f_scope_spans, 0);

static const struct pb_field f_resource_spans[] = {
	{ 1, PK_MESSAGE, "resource", &m_resource },
	{ 2, PK_REPEATED, "scopeSpans", &m_scope_spans },
	{ 3, PK_STRING, "schemaUrl", NULL },
};
static const struct pb_msg m_resource_spans = MSG("ResourceSpans", f_resource_spans, 0);

/* collector/trace/v1/trace_service.proto */
static const struct pb_field f_request[] = {
	{ 1, PK_REPEATED, "resourceSpans", &m_resource_spans },
};
static const struct pb_msg m_request = MSG("ExportTraceServiceRequest", f_request, 0);

struct pb_ctx {
	size_t elements;                /* objects made so far (OTLP_MAX_ELEMENTS) */
	int rc;                         /* the failure: -1 invalid, -2 out of memory */
	char *err;
	size_t errlen;
};

/* Bytes not read yet of the message being decoded. */
struct pb_in {
	const unsigned char *p, *end;
};

static int pb_fail(struct pb_ctx *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
pb_fail(struct pb_ctx *c, int rc, const char *fmt, ...)
{
	va_list ap;

	c->rc = rc;
	if (c->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int
pb_oom(struct pb_ctx *c)
{
	return pb_fail(c, -2, "%s", "out of memory");
}

/* Base 128 varint, at most 10 bytes (bits past 64 are dropped, as protobuf does). */
static int
pb_varint(struct pb_ctx *c, struct pb_in *in, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned i = 0; i < 10; i++) {
		unsigned b;
		if (in->p == in->end)
			return pb_fail(c, -1, "%s", "truncated varint");
		b = *in->p++;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0) {
			*v = x;
			return 0;
		}
	}
	return pb_fail(c, -1, "%s", "varint longer than 10 bytes");
}

/* n fixed little-endian bytes (fixed32, fixed64, double). */
static int
pb_fixed(struct pb_ctx *c, struct pb_in *in, unsigned n, uint64_t *v)
{
	uint64_t x = 0;

	if ((size_t)(in->end - in->p) < n)
		return pb_fail(c, -1, "truncated fixed%u", n * 8);
	for (unsigned i = 0; i < n; i++)
		x |= (uint64_t)in->p[i] << (8 * i);
	in->p += n;
	*v = x;
	return 0;
}

/* A length-delimited field: its bytes stay in the input. */
static int
pb_len(struct pb_ctx *c, struct pb_in *in, const unsigned char **p, size_t *len)
{
	uint64_t n;

	if (pb_varint(c, in, &n) != 0)
		return -1;
	if (n > (uint64_t)(in->end - in->p))
		return pb_fail(c, -1, "%s", "length past the end");
	*p = in->p;
	*len = (size_t)n;
	in->p += n;
	return 0;
}

static int
pb_skip(struct pb_ctx *c, struct pb_in *in, unsigned wt)
{
	const unsigned char *p;
	uint64_t v;
	size_t len;

	switch (wt) {
	case WT_VARINT: return pb_varint(c, in, &v);
	case WT_I64: return pb_fixed(c, in, 8, &v);
	case WT_LEN: return pb_len(c, in, &p, &len);
	case WT_I32: return pb_fixed(c, in, 4, &v);
	default: return pb_fail(c, -1, "wire type %u", wt);
	}
}

static unsigned
pb_wire_of(enum pb_kind k)
{
	switch (k) {
	case PK_BOOL: case PK_ENUM: case PK_UINT32: case PK_INT64:
		return WT_VARINT;
	case PK_FIXED64: case PK_DOUBLE:
		return WT_I64;
	case PK_FIXED32:
		return WT_I32;
	default:
		return WT_LEN;
	}
}

/*
 * 1 when p[0..len) is UTF-8 (RFC 3629: no overlongs, no surrogates, nothing
 * past U+10FFFF) without NUL: protobuf requires UTF-8 in string fields, and
 * the JSON path refuses "\u0000", so neither reaches C strings cut short.
 */
static int
pb_utf8_ok(const unsigned char *p, size_t len)
{
	for (size_t i = 0, n; i < len; i += n)
		if (p[i] == 0 || (n = util_utf8_seq(p + i, len - i)) == 0)
			return 0;
	return 1;
}

/* The JSON string for bytes: hex (ids) or base64. NULL when out of memory. */
static json_object *
pb_bytes_string(const unsigned char *p, size_t len, int hex)
{
	json_object *o;
	size_t n = hex ? 2 * len : 4 * ((len + 2) / 3);
	char *s;

	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	if (hex)
		util_hex_encode(p, len, s);
	else
		EVP_EncodeBlock((unsigned char *)s, p, (int)len);
	o = json_object_new_string_len(s, (int)n);
	free(s);
	return o;
}

/* A oneof (AnyValue) holds one member: the last on the wire wins. */
static void
pb_oneof_keep(const struct pb_msg *m, const struct pb_field *f, json_object *obj)
{
	if (m->any)
		for (size_t i = 0; i < m->nfields; i++)
			if (&m->fields[i] != f)
				json_object_object_del(obj, m->fields[i].json);
}

/*
 * A JSON number with the shortest text that reads back as d: json-c alone
 * writes %.17g, so 0.1 would become 0.10000000000000001 in span metadata.
 */
static json_object *
pb_new_double(double d)
{
	char s[32];

	snprintf(s, sizeof(s), "%.15g", d);
	if (strtod(s, NULL) != d)
		snprintf(s, sizeof(s), "%.17g", d);
	return json_object_new_double_s(d, s);
}

/* Sets obj[f->json] = v (v may be NULL: JSON null); takes v's reference. */
static int
pb_put(struct pb_ctx *c, const struct pb_msg *m, const struct pb_field *f,
    json_object *obj, json_object *v)
{
	pb_oneof_keep(m, f, obj);
	if (json_object_object_add(obj, f->json, v) != 0) {
		json_object_put(v);
		return pb_oom(c);
	}
	return 0;
}

/* A new object counted against OTLP_MAX_ELEMENTS. */
static json_object *
pb_new_object(struct pb_ctx *c)
{
	json_object *o;

	if (++c->elements > OTLP_MAX_ELEMENTS) {
		pb_fail(c, -1, "more than %d elements", OTLP_MAX_ELEMENTS);
		return NULL;
	}
	if ((o = json_object_new_object()) == NULL)
		pb_oom(c);
	return o;
}

static int pb_message(struct pb_ctx *c, const struct pb_msg *m,
    const unsigned char *p, size_t len, json_object *obj, int depth);

/* A length-delimited field of a known kind. */
static int
pb_len_field(struct pb_ctx *c, const struct pb_msg *m, const struct pb_field *f,
    const unsigned char *p, size_t len, json_object *obj, int depth)
{
	json_object *v, *arr;

	switch (f->kind) {
	case PK_STRING:
		if (len > INT_MAX || !pb_utf8_ok(p, len))
			return pb_fail(c, -1, "%s.%s: invalid UTF-8", m->name, f->json);
		if ((v = json_object_new_string_len((const char *)p, (int)len)) == NULL)
			return pb_oom(c);
		return pb_put(c, m, f, obj, v);
	case PK_HEX:
	case PK_BASE64:
		if (len > INT_MAX / 2)
			return pb_fail(c, -1, "%s.%s: too long", m->name, f->json);
		if ((v = pb_bytes_string(p, len, f->kind == PK_HEX)) == NULL)
			return pb_oom(c);
		return pb_put(c, m, f, obj, v);
	case PK_MESSAGE:
		if (!json_object_object_get_ex(obj, f->json, &v) ||
		    !json_object_is_type(v, json_type_object)) {
			if ((v = pb_new_object(c)) == NULL || pb_put(c, m, f, obj, v) != 0)
				return c->rc;
		} else
			pb_oneof_keep(m, f, obj);
		return pb_message(c, f->sub, p, len, v, depth);
	case PK_REPEATED:
		if (!json_object_object_get_ex(obj, f->json, &arr) ||
		    !json_object_is_type(arr, json_type_array)) {
			if ((arr = json_object_new_array()) == NULL)
				return pb_oom(c);
			if (pb_put(c, m, f, obj, arr) != 0)
				return c->rc;
		}
		if ((v = pb_new_object(c)) == NULL)
			return c->rc;
		if (json_object_array_add(arr, v) != 0) {
			json_object_put(v);
			return pb_oom(c);
		}
		return pb_message(c, f->sub, p, len, v, depth);
	case PK_SKIP:
		return 0;
	default:
		return pb_fail(c, -1, "%s.%s: wrong wire type", m->name, f->json);
	}
}

/* A fixed-width or varint field of a known kind. */
static int
pb_scalar_field(struct pb_ctx *c, const struct pb_msg *m, const struct pb_field *f,
    uint64_t x, json_object *obj)
{
	json_object *v;
	char num[24];
	double d;

	switch (f->kind) {
	case PK_BOOL:
		v = json_object_new_boolean(x != 0);
		break;
	case PK_ENUM:
		v = json_object_new_int64((int32_t)(uint32_t)x);      /* int32: the low 32 bits */
		break;
	case PK_UINT32:
	case PK_FIXED32:
		v = json_object_new_int64((uint32_t)x);
		break;
	case PK_INT64:
		snprintf(num, sizeof(num), "%" PRId64, (int64_t)x);
		v = json_object_new_string(num);
		break;
	case PK_FIXED64:
		snprintf(num, sizeof(num), "%" PRIu64, x);
		v = json_object_new_string(num);
		break;
	case PK_DOUBLE:
		memcpy(&d, &x, sizeof(d));
		if (!isfinite(d))
			return pb_put(c, m, f, obj, NULL);     /* JSON has no NaN/Infinity */
		v = pb_new_double(d);
		break;
	default:
		return pb_fail(c, -1, "%s.%s: wrong wire type", m->name, f->json);
	}
	if (v == NULL)
		return pb_oom(c);
	return pb_put(c, m, f, obj, v);
}

/* Decodes the fields of one message m from p[0..len) into obj. */
static int
pb_message(struct pb_ctx *c, const struct pb_msg *m, const unsigned char *p,
    size_t len, json_object *obj, int depth)
{
	struct pb_in in = { p, p + len };

	if (m->any && ++depth > OTLP_MAX_DEPTH)
		return pb_fail(c, -1, "AnyValue nested deeper than %d", OTLP_MAX_DEPTH);
	while (in.p < in.end) {
		const struct pb_field *f = NULL;
		const unsigned char *sub;
		uint64_t key, x = 0;
		uint32_t num;
		unsigned wt;
		size_t sublen;

		if (pb_varint(c, &in, &key) != 0)
			return c->rc;
		wt = (unsigned)(key & 7);
		if ((key >> 3) == 0 || (key >> 3) > PB_MAX_FIELD)
			return pb_fail(c, -1, "%s: invalid field number", m->name);
		num = (uint32_t)(key >> 3);
		if (wt != WT_VARINT && wt != WT_I64 && wt != WT_LEN && wt != WT_I32)
			return pb_fail(c, -1, "%s field %" PRIu32 ": %s wire type %u", m->name, num,
			    wt == 3 || wt == 4 ? "group" : "invalid", wt);
		for (size_t i = 0; i < m->nfields; i++)
			if (m->fields[i].num == num)
				f = &m->fields[i];
		if (f == NULL) {
			if (pb_skip(c, &in, wt) != 0)
				return c->rc;
			continue;
		}
		if (wt != pb_wire_of(f->kind))
			return pb_fail(c, -1, "%s.%s: wrong wire type %u", m->name, f->json, wt);
		switch (wt) {
		case WT_LEN:
			if (pb_len(c, &in, &sub, &sublen) != 0 ||
			    pb_len_field(c, m, f, sub, sublen, obj, depth) != 0)
				return c->rc;
			continue;
		case WT_VARINT:
			if (pb_varint(c, &in, &x) != 0)
				return c->rc;
			break;
		default:
			if (pb_fixed(c, &in, wt == WT_I64 ? 8 : 4, &x) != 0)
				return c->rc;
			break;
		}
		if (pb_scalar_field(c, m, f, x, obj) != 0)
			return c->rc;
	}
	return 0;
}

int
otlp_pb_to_json(const void *data, size_t len, json_object **out, char *err, size_t errlen)
{
	struct pb_ctx c = { 0, 0, err, errlen };
	json_object *root;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	if (data == NULL && len > 0)
		return pb_fail(&c, -1, "%s", "no body");
	if ((root = json_object_new_object()) == NULL)
		return pb_oom(&c);
	/* an empty body is an empty request: {} */
	if (len > 0 && pb_message(&c, &m_request, data, len, root, 0) != 0) {
		json_object_put(root);
		return c.rc;
	}
	*out = root;
	return 0;
}

/* Writes v as a varint at b (when b is not NULL); its length. */
static size_t
pb_put_varint(unsigned char *b, uint64_t v)
{
	size_t n = 0;

	do {
		unsigned char byte = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			byte |= 0x80;
		if (b != NULL)
			b[n] = byte;
		n++;
	} while (v != 0);
	return n;
}

size_t
otlp_pb_encode_response(int64_t rejected, const char *message, unsigned char *out,
    size_t outsz)
{
	size_t mlen = message ? strlen(message) : 0, inner = 0, total, n = 0;

	if (rejected != 0)
		inner += 1 + pb_put_varint(NULL, (uint64_t)rejected);
	if (mlen > 0)
		inner += 1 + pb_put_varint(NULL, mlen) + mlen;
	if (inner == 0)
		return 0;       /* every span taken: the empty message */
	total = 1 + pb_put_varint(NULL, inner) + inner;
	if (total > outsz)
		return total;
	out[n++] = 1 << 3 | WT_LEN;                     /* partial_success */
	n += pb_put_varint(out + n, inner);
	if (rejected != 0) {
		out[n++] = 1 << 3 | WT_VARINT;          /* rejected_spans */
		n += pb_put_varint(out + n, (uint64_t)rejected);
	}
	if (mlen > 0) {
		out[n++] = 2 << 3 | WT_LEN;             /* error_message */
		n += pb_put_varint(out + n, mlen);
		memcpy(out + n, message, mlen);
		n += mlen;
	}
	return n;
}
