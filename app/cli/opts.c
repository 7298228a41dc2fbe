/* opts: the flags and times of tallyctl's data lifecycle commands (export, prune, backup, project set). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "timestamp.h"
#include "util.h"

int
cli_parse_flags(int argc, char **argv, const struct cli_flag *flags, size_t nflags,
    char **pos, int maxpos, int *npos)
{
	int dashdash = 0;

	*npos = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq;
		const struct cli_flag *f = NULL;
		size_t n;

		if (dashdash || strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (!dashdash && strcmp(a, "--") == 0) {
				dashdash = 1;
				continue;
			}
			if (*npos == maxpos) {
				fprintf(stderr, "tallyctl: unexpected argument '%s'\n", a);
				return -1;
			}
			pos[(*npos)++] = argv[i];
			continue;
		}
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (size_t k = 0; k < nflags; k++)
			if (strlen(flags[k].name) == n && strncmp(a + 2, flags[k].name, n) == 0)
				f = &flags[k];
		if (f == NULL) {
			fprintf(stderr, "tallyctl: unknown flag %.*s here\n", (int)(n + 2), a);
			return -1;
		}
		if (f->set != NULL) {
			if (eq != NULL) {
				fprintf(stderr, "tallyctl: --%s takes no value\n", f->name);
				return -1;
			}
			*f->set = 1;
			continue;
		}
		if (*f->value != NULL) {
			fprintf(stderr, "tallyctl: --%s given twice\n", f->name);
			return -1;
		}
		if (eq != NULL)
			*f->value = eq + 1;
		else if (i + 1 < argc)
			*f->value = argv[++i];
		else {
			fprintf(stderr, "tallyctl: --%s needs a value\n", f->name);
			return -1;
		}
	}
	return 0;
}

int
cli_parse_time(const char *flag, const char *v, int64_t *ms)
{
	if (util_parse_i64(v, 0, INT64_MAX / 2, ms) == 0 || ts_parse_iso(v, ms) == 0)
		return 0;
	fprintf(stderr, "tallyctl: %s '%s' is neither an ISO 8601 date or time nor epoch milliseconds\n",
	    flag, v);
	return -1;
}
