/*
 * tallyctl insights generate|list: the SPEC §5.3 insights offline. A systemd
 * timer runs `tallyctl insights generate --all` every hour; each run
 * replaces what the one before stored for the same periods
 * (docs/insights.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "insights.h"
#include "timestamp.h"
#include "util.h"

#define DAY_MS 86400000LL
#define LIST_DEFAULT 50
#define LIST_MAX 100000

#define USAGE \
	"usage: tallyctl insights generate PROJECT|--all [--now TIME]\n" \
	"       tallyctl insights list PROJECT [--kind summary|trend|anomaly] [--limit N]\n" \
	"TIME is ISO 8601 (2026-03-17T10:00:00Z) or epoch milliseconds; default: now\n"

struct opts {
	const char *pos, *now, *kind, *limit;
	int all;
};

/* "--name VALUE" or "--name=VALUE" for the flags in `allowed`, one positional. -1 with the reason printed. */
static int
parse_opts(int argc, char **argv, const char *allowed, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq, **slot;
		size_t n;

		if (strncmp(a, "--", 2) != 0) {
			if (o->pos != NULL) {
				fprintf(stderr, "tallyctl: one project at a time (or --all)\n");
				return -1;
			}
			o->pos = a;
			continue;
		}
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a) : strlen(a);
		if (n == 5 && strncmp(a, "--all", 5) == 0 && eq == NULL && strstr(allowed, "all")) {
			o->all = 1;
			continue;
		}
		if (n == 5 && strncmp(a, "--now", 5) == 0 && strstr(allowed, "now"))
			slot = &o->now;
		else if (n == 6 && strncmp(a, "--kind", 6) == 0 && strstr(allowed, "kind"))
			slot = &o->kind;
		else if (n == 7 && strncmp(a, "--limit", 7) == 0 && strstr(allowed, "limit"))
			slot = &o->limit;
		else {
			fprintf(stderr, "tallyctl: unknown flag %.*s here\n", (int)n, a);
			return -1;
		}
		if (*slot != NULL) {
			fprintf(stderr, "tallyctl: %.*s given twice\n", (int)n, a);
			return -1;
		}
		if (eq)
			*slot = eq + 1;
		else if (i + 1 < argc)
			*slot = argv[++i];
		else {
			fprintf(stderr, "tallyctl: %s needs a value\n", a);
			return -1;
		}
	}
	return 0;
}

/* ---- generate ---- */

/* 0, or 1 when the project's generation failed (the others still run). */
static int
generate_one(struct cli *c, const struct project *p, int64_t now)
{
	struct insights_run run;
	char start[32];

	if (insights_generate(c->store, p->id, now, &run) != 0) {
		fprintf(stderr, "tallyctl: %s: the insights could not be generated\n", p->slug);
		return 1;
	}
	for (size_t i = 0; i < run.n; i++) {
		const struct insight *in = &run.rows[i];
		ts_format_iso(in->period_start_ms, start);
		printf("%-16s %-8s %-28s %-24s %s\n", p->slug, in->kind, in->subject, start, in->title);
	}
	fprintf(stderr, "%s: %zu insight%s\n", p->slug, run.n, run.n == 1 ? "" : "s");
	insights_run_free(&run);
	return 0;
}

static int
insights_gen_cmd(struct cli *c, int argc, char **argv)
{
	struct project *all;
	size_t nall;
	struct project p;
	struct opts o;
	int64_t now = util_now_ms(), real_now = now;
	char iso[32];
	int failed = 0;

	if (parse_opts(argc, argv, "all now", &o) != 0 || (o.pos == NULL) == !o.all)
		return 2;
	if (o.now != NULL) {
		if (util_parse_i64(o.now, 0, INT64_MAX / 2, &now) != 0 && ts_parse_iso(o.now, &now) != 0) {
			fprintf(stderr, "tallyctl: --now '%s' is neither an ISO 8601 time nor epoch milliseconds\n",
			    o.now);
			return 2;
		}
		if (now < TS_MIN_MS || now > real_now + DAY_MS) {
			fprintf(stderr, "tallyctl: --now must lie between 2000-01-01 and a day from now\n");
			return 2;
		}
	}
	ts_format_iso(now, iso);
	fprintf(stderr, "insights for %s\n", iso);
	if (!o.all) {
		if (cli_find_project(c, o.pos, &p) != 0)
			return 1;
		return generate_one(c, &p, now);
	}
	if (cli_project_all(c, &all, &nall) != 0)
		return 1;
	for (size_t i = 0; i < nall; i++)
		failed |= generate_one(c, &all[i], now);
	free(all);
	return failed;
}

/* ---- list ---- */

static int
print_insight(void *arg, const struct insight *in)
{
	char start[32], created[32];

	(void)arg;
	ts_format_iso(in->period_start_ms, start);
	ts_format_iso(in->created_ms, created);
	printf("%-6lld %-8s %-28s %-24s %-24s %s\n", (long long)in->id, in->kind, in->subject, start,
	    created, in->title);
	return 0;
}

static int
insights_list_cmd(struct cli *c, int argc, char **argv)
{
	struct insight_filter f;
	struct project p;
	struct opts o;
	int64_t limit = LIST_DEFAULT;

	if (parse_opts(argc, argv, "kind limit", &o) != 0 || o.pos == NULL)
		return 2;
	if (o.kind != NULL && !insights_kind_valid(o.kind)) {
		fprintf(stderr, "tallyctl: --kind must be summary, trend or anomaly\n");
		return 2;
	}
	if (o.limit != NULL && util_parse_i64(o.limit, 1, LIST_MAX, &limit) != 0) {
		fprintf(stderr, "tallyctl: --limit must be an integer from 1 to %d\n", LIST_MAX);
		return 2;
	}
	if (cli_find_project(c, o.pos, &p) != 0)
		return 1;
	memset(&f, 0, sizeof(f));
	f.kind = o.kind;
	f.limit = (int)limit;
	printf("%-6s %-8s %-28s %-24s %-24s %s\n", "ID", "KIND", "SUBJECT", "PERIOD", "CREATED", "TITLE");
	return store_insights_list(c->store, p.id, &f, print_insight, NULL) == 0 ? 0 : 1;
}

int
cli_insights(struct cli *c, int argc, char **argv)
{
	int rc = 2;

	if (argc >= 1 && strcmp(argv[0], "generate") == 0)
		rc = insights_gen_cmd(c, argc - 1, argv + 1);
	else if (argc >= 1 && strcmp(argv[0], "list") == 0)
		rc = insights_list_cmd(c, argc - 1, argv + 1);
	if (rc == 2)
		fputs(USAGE, stderr);
	return rc;
}
