#include "json_strict.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * One pass over the raw bytes for what json-c accepts but RFC 8259 does not.
 * Grammar errors are left to json-c; this only looks at tokens it mis-takes.
 */
static int
prescan(const char *buf, size_t len, char *err, size_t errlen)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '"') {
			for (i++; i < len && buf[i] != '"'; i++) {
				if (buf[i] != '\\')
					continue;
				if (i + 5 < len && buf[i + 1] == 'u' &&
				    memcmp(buf + i + 2, "0000", 4) == 0) {
					snprintf(err, errlen, "invalid JSON at byte %zu: \\u0000 is not allowed in strings", i);
					return -1;
				}
				i++;    /* skip the escaped char */
			}
			i++;
			continue;
		}
		if (c == '\'') {
			snprintf(err, errlen, "invalid JSON at byte %zu: single-quoted strings are not JSON", i);
			return -1;
		}
		if (c == 'N' || c == 'I') {
			snprintf(err, errlen, "invalid JSON at byte %zu: NaN and Infinity are not JSON numbers", i);
			return -1;
		}
		if (c == '-' || (c >= '0' && c <= '9')) {
			size_t s = i;
			int is_int = 1;
			char num[400];
			while (i < len && strchr("+-0123456789.eE", buf[i]) != NULL) {
				if (buf[i] == '.' || buf[i] == 'e' || buf[i] == 'E')
					is_int = 0;
				i++;
			}
			if (i - s >= sizeof(num)) {
				snprintf(err, errlen, "invalid JSON at byte %zu: number too long", s);
				return -1;
			}
			memcpy(num, buf + s, i - s);
			num[i - s] = '\0';
			errno = 0;
			if (is_int)
				(void)strtoll(num, NULL, 10);
			else if (!isfinite(strtod(num, NULL)))
				errno = ERANGE;
			if (errno == ERANGE) {
				snprintf(err, errlen, "invalid JSON at byte %zu: number out of range (%s)",
				    s, is_int ? "integers must fit in 64 bits" : "beyond double");
				return -1;
			}
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
	if (prescan(buf, len, err, errlen) != 0)
		return -1;
	/* json-c counts the depth so that n allows n-1 nested containers */
	if ((tok = json_tokener_new_ex(max_depth + 1)) == NULL) {
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
