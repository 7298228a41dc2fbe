/*
 * tallyctl prune PROJECT|--all [--dry-run] [--before T]: retention (SPEC
 * §11). Each project keeps its data for its own retention_days, or the
 * server's `retention_days` when it has none set; 0 keeps it forever.
 * The systemd timer runs `prune --all` daily (docs/lifecycle.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "login_guard.h"
#include "timestamp.h"
#include "util.h"

#define DAY_MS 86400000LL

#define USAGE "usage: tallyctl prune PROJECT|--all [--dry-run] [--before T]\n" \
	"deletes what is older than each project's retention (tallyctl project set PROJECT\n" \
	"--retention-days N; else the retention_days setting; 0 keeps everything);\n" \
	"--before T deletes what is older than T instead (ISO 8601 or epoch milliseconds)\n"

struct prune_opts {
	int dry_run;
	int64_t before;         /* 0: from the retention */
	int64_t now;
	int failed;
};

static const struct {
	const char *name;
	size_t off;
} tables[] = {
#define T(f) { #f, offsetof(struct prune_counts, f) }
	T(events), T(spans), T(traces), T(votes), T(conversations), T(conversation_turns),
	T(llm_rollup), T(event_rollup), T(user_weeks), T(user_first), T(insights),
#undef T
};

/* Prunes one project; 0, or 1 (reason printed). */
static int
prune_one(struct cli *c, const struct project *p, struct prune_opts *o)
{
	struct prune_counts n;
	char cutoff_iso[32], why[64];
	int64_t days, cutoff, total = 0, t0;
	int rc;

	if (o->before != 0) {
		cutoff = o->before;
		snprintf(why, sizeof(why), "--before");
	} else {
		if ((rc = store_project_retention(c->store, p->id, &days)) < 0)
			return 1;
		if (rc == 1)
			days = c->cfg.retention_days;
		snprintf(why, sizeof(why), "retention %" PRId64 " days%s", days,
		    rc == 1 ? " (server setting)" : "");
		if (days == 0) {
			printf("%s: %s: kept forever\n", p->slug, why);
			return 0;
		}
		cutoff = o->now - days * DAY_MS;
	}
	ts_format_iso(cutoff, cutoff_iso);
	printf("%s: %s: %s what is older than %s\n", p->slug, why,
	    o->dry_run ? "would delete" : "deleting", cutoff_iso);
	fflush(stdout);
	t0 = util_mono_us();
	rc = store_prune(c->store, p->id, cutoff, o->dry_run, &n);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		int64_t v = *(const int64_t *)((const char *)&n + tables[i].off);
		total += v;
		printf("  %-20s %" PRId64 "\n", tables[i].name, v);
	}
	if (rc != 0) {
		fprintf(stderr, "tallyctl: prune %s failed (see the log above); the counts are what was "
		    "deleted before it did\n", p->slug);
		return 1;
	}
	if (!o->dry_run) {
		double s = (double)(util_mono_us() - t0) / 1e6;
		printf("  %-20s %" PRId64 " rows in %.2f s (%.0f rows/s)\n", "total", total, s,
		    s > 0 ? (double)total / s : 0.0);
	} else
		printf("  %-20s %" PRId64 " rows\n", "total", total);
	return 0;
}

int
cli_prune(struct cli *c, int argc, char **argv)
{
	const char *before = NULL;
	int all = 0;
	struct prune_opts o;
	const struct cli_flag flags[] = {
		{ "all", NULL, &all }, { "dry-run", NULL, &o.dry_run }, { "before", &before, NULL },
	};
	struct project p;
	char *pos[1];
	int npos;

	memset(&o, 0, sizeof(o));
	o.now = util_now_ms();
	if (cli_parse_flags(argc, argv, flags, sizeof(flags) / sizeof(flags[0]), pos, 1, &npos) != 0 ||
	    npos + all != 1) {
		fprintf(stderr, USAGE);
		return 2;
	}
	if (before != NULL) {
		if (cli_parse_time("--before", before, &o.before) != 0)
			return 2;
		if (o.before > o.now) {
			fprintf(stderr, "tallyctl: --before %s is in the future\n", before);
			return 2;
		}
		if (o.before == 0)
			o.before = 1;   /* epoch 0: nothing is older; 0 means "not given" */
	}
	if (!all) {
		if (cli_find_project(c, pos[0], &p) != 0)
			return 1;
		return prune_one(c, &p, &o);
	}
	struct project *list;
	size_t n;
	if (cli_project_all(c, &list, &n) != 0)
		return 1;
	/* one project's failure does not keep the others from their retention */
	for (size_t i = 0; i < n; i++)
		if (prune_one(c, &list[i], &o) != 0)
			o.failed = 1;
	free(list);
	if (!o.dry_run) {
		/* failed logins whose run is over count for nothing any more (docs/auth.md) */
		int64_t gone;
		if (store_login_failures_expire(c->store, util_now_ms() - LOGIN_RUN_MS, &gone) != 0)
			o.failed = 1;
		else
			printf("login failures: %lld finished runs forgotten\n", (long long)gone);
	}
	return o.failed ? 1 : 0;
}
