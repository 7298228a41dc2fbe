#include "router.h"

#include <string.h>

/* Matches one pattern; captures are copied only into the caller's scratch. */
static int
pattern_match(const char *pat, const char *path, char captures[][256])
{
	int ncap = 0;

	memset(captures, 0, HTTP_MAX_CAPTURES * sizeof(captures[0]));
	while (*pat && *path) {
		if (*pat == '{') {
			const char *pe = strchr(pat, '}');
			size_t n = strcspn(path, "/");
			if (pe == NULL || n == 0 || n >= 256 || ncap == HTTP_MAX_CAPTURES)
				return 0;
			memcpy(captures[ncap], path, n);
			captures[ncap++][n] = '\0';
			pat = pe + 1;
			path += n;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	return *pat == '\0' && *path == '\0';
}

enum route_match
router_match(const struct route *table, size_t n, const char *method,
    const char *path, const struct route **out, char captures[][256],
    char *allow, size_t allowlen)
{
	char scratch[HTTP_MAX_CAPTURES][256];
	int path_known = 0;

	memset(scratch, 0, sizeof(scratch));    /* unused captures read as "" */
	*out = NULL;
	if (allowlen > 0)
		allow[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!pattern_match(table[i].pattern, path, scratch))
			continue;
		if (strcmp(table[i].method, method) == 0) {
			*out = &table[i];
			memcpy(captures, scratch, sizeof(scratch));
			return ROUTE_FOUND;
		}
		/* list each method once: "GET, DELETE" */
		if (allowlen > 0 && strstr(allow, table[i].method) == NULL &&
		    strlen(allow) + strlen(table[i].method) + 3 < allowlen) {
			if (allow[0] != '\0')
				strcat(allow, ", ");
			strcat(allow, table[i].method);
		}
		path_known = 1;
	}
	return path_known ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}
