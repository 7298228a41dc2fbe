/* json_strict: RFC 8259 parsing of untrusted bodies on top of json-c 0.16. */
#ifndef TALLY_JSON_STRICT_H
#define TALLY_JSON_STRICT_H

#include <stddef.h>

#include <json-c/json.h>

#define JSON_MAX_DEPTH 32

/*
 * Parses buf[0..len) (buf[len] must be NUL) into *out (caller puts it).
 * Refuses what json-c's STRICT mode lets through (STACK-NOTES): single-quoted
 * strings, NaN/Infinity, numbers outside the double range, integers outside
 * int64, "\u0000"; plus invalid UTF-8, nesting deeper than max_depth and
 * trailing bytes. Duplicate keys: the last one wins, as in JavaScript's
 * JSON.parse, which most SDKs use to build the body.
 * Returns 0, or -1 with a message naming the byte offset in err.
 */
int json_parse_strict(const char *buf, size_t len, int max_depth,
    json_object **out, char *err, size_t errlen);

/* Borrowed string of a json string object, or NULL for any other type. */
const char *json_str(json_object *o);

#endif
