#include "json_strict.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Length of an RFC 8259 number at p: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?, or 0. */
static size_t
number_len(const char *p, size_t left, int *is_int)
{
	size_t i = 0;
#define DIGIT(k) ((k) < left && p[k] >= '0' && p[k] <= '9')
	*is_int = 1;
	if (i < left && p[i] == '-')
		i++;
	if (!DIGIT(i))
		return 0;
	if (p[i] == '0')
		i++;
	else
		while (DIGIT(i))
			i++;
	if (i < left && p[i] == '.') {
		*is_int = 0;
		if (!DIGIT(i + 1))
			return 0;
		for (i++; DIGIT(i); i++)
			;
	}
	if (i < left && (p[i] == 'e' || p[i] == 'E')) {
		*is_int = 0;
		i++;
		if (i < left && (p[i] == '+' || p[i] == '-'))
			i++;
		if (!DIGIT(i))
			return 0;
		while (DIGIT(i))
			i++;
	}
	if (DIGIT(i))       /* "01", "-00": a leading zero followed by digits */
		return 0;
#undef DIGIT
	return i;
}

/*
 * One pass over the raw bytes for what json-c accepts but RFC 8259 does
 * not: single quotes, NaN/Infinity, number forms and ranges, raw control
 * characters and "\u0000" in strings, invalid UTF-8 (json-c checks only bit
 * patterns), and nesting deeper than max_depth. The grammar itself is left
 * to json-c.
 */
static int
prescan(const char *buf, size_t len, int max_depth, char *err, size_t errlen)
{
	const unsigned char *u = (const unsigned char *)buf;
	size_t i = 0;
	int depth = 0;

	while (i < len) {
		unsigned char c = u[i];
		if (c == '"') {
			for (i++; i < len && u[i] != '"'; ) {
				size_t n;
				if (u[i] < 0x20) {
					snprintf(err, errlen, "invalid JSON at byte %zu: control character in a string must be escaped", i);
					return -1;
				}
				if (u[i] == '\\') {
					if (i + 5 < len && u[i + 1] == 'u' && memcmp(buf + i + 2, "0000", 4) == 0) {
						snprintf(err, errlen, "invalid JSON at byte %zu: \\u0000 is not allowed in strings", i);
						return -1;
					}
					i += 2;     /* the escaped char is ASCII or json-c refuses it */
					continue;
				}
				if ((n = util_utf8_seq(u + i, len - i)) == 0) {
					snprintf(err, errlen, "invalid JSON at byte %zu: invalid UTF-8", i);
					return -1;
				}
				i += n;
			}
			i++;
			continue;
		}
		if (c == '[' || c == '{') {
			if (++depth > max_depth) {
				snprintf(err, errlen, "invalid JSON: nesting deeper than %d", max_depth);
				return -1;
			}
		} else if (c == ']' || c == '}')
			depth--;
		else if (c == '\'') {
			snprintf(err, errlen, "invalid JSON at byte %zu: single-quoted strings are not JSON", i);
			return -1;
		} else if (c == 'N' || c == 'I') {
			snprintf(err, errlen, "invalid JSON at byte %zu: NaN and Infinity are not JSON numbers", i);
			return -1;
		} else if (c >= 0x80) {
			snprintf(err, errlen, "invalid JSON at byte %zu: unexpected byte", i);
			return -1;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			int is_int;
			size_t n = number_len(buf + i, len - i, &is_int);
			char num[400];
			double d;

			if (n == 0) {
				snprintf(err, errlen, "invalid JSON at byte %zu: malformed number", i);
				return -1;
			}
			if (n >= sizeof(num)) {
				snprintf(err, errlen, "invalid JSON at byte %zu: number too long", i);
				return -1;
			}
			memcpy(num, buf + i, n);
			num[n] = '\0';
			errno = 0;
			if (is_int)
				(void)strtoll(num, NULL, 10);
			if (is_int ? errno == ERANGE : (d = strtod(num, NULL), !isfinite(d))) {
				snprintf(err, errlen, "invalid JSON at byte %zu: number out of range (%s)",
				    i, is_int ? "integers must fit in 64 bits" : "beyond double");
				return -1;
			}
			i += n;
			continue;
		}
		i++;
	}
	return 0;
}

int
json_parse_strict(const char *buf, size_t len, int max_depth, json_object **out,
    char *err, size_t errlen)
{
	json_tokener *tok;
	json_object *o;
	enum json_tokener_error e;
	int rc = -1;

	*out = NULL;
	if (prescan(buf, len, max_depth, err, errlen) != 0)
		return -1;
	/* prescan enforced max_depth; json-c's own limit is only a backstop */
	if ((tok = json_tokener_new_ex(max_depth + 2)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len + 1);
	e = json_tokener_get_error(tok);
	if (e != json_tokener_success || o == NULL) {
		if (e == json_tokener_success || e == json_tokener_continue)
			snprintf(err, errlen, "invalid JSON: unexpected end of input");
		else if (e == json_tokener_error_depth)
			snprintf(err, errlen, "invalid JSON: nesting deeper than %d", max_depth);
		else
			snprintf(err, errlen, "invalid JSON at byte %zu: %s",
			    json_tokener_get_parse_end(tok), json_tokener_error_desc(e));
		json_object_put(o);
		goto out;
	}
	if (json_tokener_get_parse_end(tok) != len) {
		snprintf(err, errlen, "invalid JSON at byte %zu: trailing data",
		    json_tokener_get_parse_end(tok));
		json_object_put(o);
		goto out;
	}
	*out = o;
	rc = 0;
out:
	json_tokener_free(tok);
	return rc;
}

const char *
json_str(json_object *o)
{
	return json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}
