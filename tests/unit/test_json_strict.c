/* test_json_strict: RFC 8259 on top of json-c 0.16 (SPEC §4.3, STACK-NOTES json-c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"
#include "tap.h"

static char err[256];

/* Parses buf[0..len) from a NUL-terminated heap copy, so ASan sees any overread. */
static json_object *
parse_n(const char *buf, size_t len, int *rc)
{
	json_object *o = (json_object *)&err;   /* garbage: must be reset */
	char *copy = malloc(len + 1);

	memcpy(copy, buf, len);
	copy[len] = '\0';
	err[0] = '\0';
	*rc = json_parse_strict(copy, len, JSON_MAX_DEPTH, &o, err, sizeof(err));
	free(copy);
	return o;
}

/* A body that must parse; returns it (caller puts) or NULL. */
static json_object *
accept_n(const char *label, const char *buf, size_t len)
{
	int rc;
	json_object *o = parse_n(buf, len, &rc);
	ok(rc == 0 && o != NULL, "accepted: %s", label);
	if (rc != 0)
		tap_diag("refused with '%s'", err);
	return o;
}

/* s with bytes outside printable ASCII as \xNN, for diagnostics. */
static const char *
printable(const char *s)
{
	static char out[512];
	size_t o = 0;
	for (; *s && o + 5 < sizeof(out); s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

static void
refuse_n(const char *label, const char *buf, size_t len)
{
	int rc;
	json_object *o = parse_n(buf, len, &rc);
	ok(rc == -1 && o == NULL && err[0] != '\0', "refused: %s", label);
	if (rc != -1)
		tap_diag("accepted as %s", o ? printable(json_object_to_json_string(o)) : "NULL");
	json_object_put(rc == 0 ? o : NULL);
}

#define ACCEPT(label, lit) accept_n(label, lit, sizeof(lit) - 1)
#define REFUSE(label, lit) refuse_n(label, lit, sizeof(lit) - 1)
#define ACCEPT_PUT(label, lit) json_object_put(ACCEPT(label, lit))

/* depth nested containers: "[[…]]" or {"a":{"a":…}}, with inner at the bottom. */
static char *
nest(int depth, int object, const char *inner)
{
	size_t cap = (size_t)depth * 6 + strlen(inner) + 1, o = 0;
	char *s = malloc(cap);
	for (int i = 0; i < depth; i++)
		o += (size_t)snprintf(s + o, cap - o, "%s", object ? "{\"a\":" : "[");
	o += (size_t)snprintf(s + o, cap - o, "%s", inner);
	for (int i = 0; i < depth; i++)
		s[o++] = object ? '}' : ']';
	s[o] = '\0';
	return s;
}

static void
depth_case(int depth, int object, const char *inner, int want_ok)
{
	char label[96], *s = nest(depth, object, inner);
	snprintf(label, sizeof(label), "%d nested %s around '%s'", depth, object ? "objects" : "arrays", inner);
	if (want_ok)
		json_object_put(accept_n(label, s, strlen(s)));
	else
		refuse_n(label, s, strlen(s));
	free(s);
}

int
main(void)
{
	json_object *o, *v;

	/* the basics */
	o = ACCEPT("a small object", "{\"event\":\"signup\",\"n\":1,\"ok\":true,\"x\":null,\"a\":[1,2.5,\"s\"]}");
	ok(o && json_object_is_type(o, json_type_object) && json_object_object_length(o) == 5,
	    "object with 5 members");
	json_object_put(o);
	ACCEPT_PUT("whitespace around the value (RFC 8259 §2)", " \t\r\n{\"a\":1} \n\r\t");
	ACCEPT_PUT("an array", "[1,2,3]");
	ACCEPT_PUT("a top-level string", "\"s\"");
	ACCEPT_PUT("a top-level number", "42");
	ACCEPT_PUT("'it''s' inside a double-quoted string", "{\"a\":\"it's\"}");
	REFUSE("empty input", "");
	REFUSE("only whitespace", "  \n ");
	REFUSE("truncated object", "{\"a\":1");
	REFUSE("truncated string", "{\"a\":\"xy");

	/* depth: JSON_MAX_DEPTH (32) levels accepted, 33 refused, whatever is innermost */
	depth_case(32, 0, "1", 1);
	depth_case(32, 0, "", 1);
	depth_case(32, 1, "1", 1);
	depth_case(31, 1, "{}", 1);
	depth_case(33, 0, "1", 0);
	depth_case(33, 1, "1", 0);
	depth_case(32, 0, "{\"a\":1}", 0);
	tap_todo = "json_parse_strict accepts 33 levels when the innermost container is empty";
	depth_case(33, 0, "", 0);
	depth_case(32, 1, "{}", 0);
	depth_case(32, 1, "[]", 0);
	tap_todo = NULL;
	depth_case(34, 0, "", 0);
	depth_case(100000, 0, "", 0);
	{
		char msg[64];
		char *s = nest(40, 1, "1");
		int rc;
		o = parse_n(s, strlen(s), &rc);
		snprintf(msg, sizeof(msg), "%d", JSON_MAX_DEPTH);
		ok(rc == -1 && strstr(err, "nesting") && strstr(err, msg), "depth error names the limit");
		tap_diag("message: %s", err);
		free(s);
	}

	/* what json-c's STRICT mode lets through (STACK-NOTES) */
	REFUSE("single-quoted value", "{\"a\":'x'}");
	REFUSE("single-quoted key", "{'a':1}");
	REFUSE("NaN", "[NaN]");
	REFUSE("Infinity", "[Infinity]");
	REFUSE("-Infinity", "{\"a\":-Infinity}");
	REFUSE("nan lowercase", "[nan]");
	REFUSE("infinity lowercase", "[infinity]");
	REFUSE("-infinity lowercase", "[-infinity]");
	REFUSE("1e400", "[1e400]");
	REFUSE("-1e400", "[-1e400]");
	REFUSE("1E+400", "[1E+400]");
	REFUSE("an exponent of 20 digits", "[1e99999999999999999999]");
	REFUSE("INT64_MAX + 1", "[9223372036854775808]");
	REFUSE("INT64_MIN - 1", "[-9223372036854775809]");
	REFUSE("2^64", "{\"n\":18446744073709551616}");
	REFUSE("a 30-digit negative integer", "[-123456789012345678901234567890]");
	o = ACCEPT("INT64_MAX and INT64_MIN", "[9223372036854775807,-9223372036854775808]");
	if (o) {
		ok(json_object_is_type(json_object_array_get_idx(o, 0), json_type_int) &&
		    json_object_get_int64(json_object_array_get_idx(o, 0)) == INT64_MAX &&
		    json_object_get_int64(json_object_array_get_idx(o, 1)) == INT64_MIN,
		    "INT64_MAX and INT64_MIN read back exactly");
		json_object_put(o);
	}
	ACCEPT_PUT("1.7976931348623157e308 (DBL_MAX)", "[1.7976931348623157e308]");
	ACCEPT_PUT("2.2250738585072014e-308 (DBL_MIN)", "[2.2250738585072014e-308]");
	ACCEPT_PUT("-0, 0.5, 1e5, 1E-5, 1.5e+3", "[-0,0.5,1e5,1E-5,1.5e+3]");
	tap_todo = "json_parse_strict refuses numbers that underflow (strtod ERANGE) as 'beyond double'";
	ACCEPT_PUT("1e-400 (underflows to 0, still a JSON number)", "[1e-400]");
	ACCEPT_PUT("5e-324 (the smallest subnormal double)", "[5e-324]");
	tap_todo = NULL;

	/* number grammar of RFC 8259 §6 */
	REFUSE("leading zero 01", "[01]");
	REFUSE("+1", "[+1]");
	REFUSE(".5", "[.5]");
	REFUSE("1e", "[1e]");
	REFUSE("hex 0x10", "[0x10]");
	REFUSE("--1", "[--1]");
	tap_todo = "json-c accepts these number forms; json_parse_strict does not refuse them";
	REFUSE("1. (no digit after the point)", "[1.]");
	REFUSE("1.e5", "[1.e5]");
	REFUSE("-.5", "[-.5]");
	REFUSE("leading zero -01", "[-01]");
	REFUSE("leading zero 00", "[00]");
	tap_todo = NULL;

	/* \u0000 is refused anywhere; every other escape is fine */
	REFUSE("\\u0000 in a value", "{\"a\":\"x\\u0000y\"}");
	REFUSE("\\u0000 in a key", "{\"a\\u0000\":1}");
	REFUSE("\\u0000 alone in a top-level string", "\"\\u0000\"");
	o = ACCEPT("escaped backslash then u0000 (text, not NUL)", "[\"\\\\u0000\"]");
	if (o) {
		is_str(json_object_get_string(json_object_array_get_idx(o, 0)), "\\u0000",
		    "'\\\\u0000' decodes to the 6 characters \\u0000");
		json_object_put(o);
	}
	o = ACCEPT("every other escape", "[\"\\n\\t\\\"\\\\\\/\\b\\f\\r\\u00e9\\u20AC\\ud83d\\ude00\\u0001\"]");
	if (o) {
		v = json_object_array_get_idx(o, 0);
		ok(json_object_get_string_len(v) == 18 &&
		    memcmp(json_object_get_string(v),
		    "\n\t\"\\/\b\f\r\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x01", 19) == 0,
		    "escapes decode to the right bytes (incl. a surrogate pair)");
		json_object_put(o);
	}
	REFUSE("unknown escape \\x", "[\"\\x41\"]");
	REFUSE("short \\u escape", "[\"\\u12\"]");
	REFUSE("raw NUL byte inside a string", "[\"a\0b\"]");

	/* UTF-8 (RFC 3629): valid sequences pass, everything else is refused */
	ACCEPT_PUT("2-, 3- and 4-byte UTF-8", "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"]");
	REFUSE("lone continuation byte", "[\"\x80\"]");
	REFUSE("0xFF", "[\"\xff\"]");
	REFUSE("5-byte form", "[\"\xf8\x88\x80\x80\x80\"]");
	REFUSE("truncated 2-byte sequence", "[\"\xc3\"]");
	REFUSE("truncated 3-byte sequence", "[\"\xe2\x82\"]");
	REFUSE("truncated at the end of input", "\"\xe2\x82");
	REFUSE("a UTF-8 BOM before the value", "\xef\xbb\xbf{}");
	tap_todo = "json-c's VALIDATE_UTF8 checks only lead/continuation bit patterns";
	REFUSE("overlong 2-byte NUL C0 80", "[\"\xc0\x80\"]");
	REFUSE("overlong 2-byte '/' C1 AF", "[\"\xc1\xaf\"]");
	REFUSE("overlong 3-byte E0 80 AF", "[\"\xe0\x80\xaf\"]");
	REFUSE("overlong 4-byte F0 80 80 AF", "[\"\xf0\x80\x80\xaf\"]");
	REFUSE("UTF-16 surrogate ED A0 80 (U+D800)", "[\"\xed\xa0\x80\"]");
	REFUSE("UTF-16 surrogate ED BF BF (U+DFFF)", "[\"\xed\xbf\xbf\"]");
	REFUSE("beyond U+10FFFF: F4 90 80 80", "[\"\xf4\x90\x80\x80\"]");
	REFUSE("F5 lead byte", "[\"\xf5\x80\x80\x80\"]");
	tap_todo = NULL;

	/* raw control characters must be escaped (RFC 8259 §7) */
	tap_todo = "json-c accepts raw U+0000..U+001F inside strings";
	REFUSE("raw 0x01 in a string", "[\"a\x01z\"]");
	REFUSE("raw tab in a string", "[\"a\tb\"]");
	REFUSE("raw newline in a string", "{\"a\":\"line1\nline2\"}");
	tap_todo = NULL;
	ACCEPT_PUT("DEL (0x7f) is not a control character for JSON", "[\"a\x7f\"]");

	/* trailing data, trailing commas, comments */
	REFUSE("trailing garbage", "{\"a\":1} x");
	REFUSE("two documents", "{}{}");
	REFUSE("two numbers", "1 2");
	REFUSE("a NUL then more bytes", "{}\0{}");
	REFUSE("trailing comma in an array", "[1,2,]");
	REFUSE("trailing comma in an object", "{\"a\":1,}");
	REFUSE("a block comment", "/* c */ {}");
	REFUSE("a line comment", "{} // c");
	REFUSE("missing colon", "{\"a\" 1}");
	REFUSE("bare word", "[undefined]");
	REFUSE("True capitalised", "[True]");

	/* duplicate keys: the last one wins, as JSON.parse does */
	o = ACCEPT("duplicate keys", "{\"a\":1,\"b\":0,\"a\":2}");
	if (o) {
		ok(json_object_object_get_ex(o, "a", &v) && json_object_get_int(v) == 2 &&
		    json_object_object_length(o) == 2, "the last duplicate wins, one member kept");
		json_object_put(o);
	}

	/* the error names the byte offset */
	{
		int rc;
		o = parse_n("{\"a\":'x'}", 9, &rc);
		ok(rc == -1 && strstr(err, "byte 5") != NULL, "error names the byte offset");
		tap_diag("message: %s", err);
	}

	/* a large, flat document: no depth or size trouble */
	{
		size_t n = 200000, len = 0;
		char *s = malloc(n * 2 + 3);
		s[len++] = '[';
		for (size_t i = 0; i < n; i++) {
			s[len++] = '1';
			s[len++] = ',';
		}
		s[len - 1] = ']';
		s[len] = '\0';
		o = accept_n("an array of 200000 numbers", s, len);
		ok(o && json_object_array_length(o) == n, "all 200000 elements there");
		json_object_put(o);
		free(s);
	}

	/* json_str */
	o = ACCEPT("mixed values for json_str", "[\"s\",1,null,{}]");
	if (o) {
		is_str(json_str(json_object_array_get_idx(o, 0)), "s", "json_str of a string");
		ok(json_str(json_object_array_get_idx(o, 1)) == NULL, "json_str of a number is NULL");
		ok(json_str(json_object_array_get_idx(o, 2)) == NULL, "json_str of null is NULL");
		ok(json_str(json_object_array_get_idx(o, 3)) == NULL, "json_str of an object is NULL");
		ok(json_str(NULL) == NULL, "json_str(NULL) is NULL");
		json_object_put(o);
	}
	return tap_done();
}
