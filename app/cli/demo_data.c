/*
 * tallyctl demo-data PROJECT: generated data for a project, written through
 * the same store calls as ingest (events with their profiles and rollups,
 * spans with traces, conversations and verified cost, votes), in large
 * transactions. Deterministic for a given --seed and --end.
 *
 *   (no volume flag)   a realistic week for a demo dashboard (demo_week.c)
 *   --calls N ...      N LLM calls, the analytics benchmark's (demo_llm.c)
 *   --events N ...     N events from U users, the events benchmark's (demo_volume.c)
 *
 * docs/demo-data.md describes what each writes.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "demo_gen.h"
#include "timestamp.h"
#include "util.h"

#define USAGE "usage: tallyctl demo-data PROJECT [--days D] [--seed S] [--end TIME]\n" \
	"           [--calls N] [--features F] [--models M]\n" \
	"           [--events N] [--users U] [--event-names K]\n"

enum { ANY, CALLS, EVENTS };

/* Every numeric flag, its range and the generator it belongs to. */
static const struct {
	const char *name;
	int64_t min, max;
	int mode;
} flags[] = {
	{ "--days", 1, 3650, ANY },
	{ "--seed", 0, INT64_MAX, ANY },
	{ "--calls", 1, 1000000000, CALLS },
	{ "--features", 1, 500, CALLS },
	{ "--models", 1, 20, CALLS },
	{ "--events", 1, 10000000000LL, EVENTS },
	{ "--users", 1, 10000000, EVENTS },
	{ "--event-names", 1, 1000, EVENTS },
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

/* Defaults, in the order of flags[]. */
static const int64_t defaults[NFLAGS] = { 7, 1, 100000, 50, 20, 1000000, 100000, 50 };

static int
parse_opts(int argc, char **argv, struct demo_opts *o)
{
	int64_t v[NFLAGS];
	int given[3] = { 0, 0, 0 };
	int64_t now = util_now_ms();

	memcpy(v, defaults, sizeof(v));
	memset(o, 0, sizeof(*o));
	o->end_ms = now;
	for (int i = 1; i < argc; i += 2) {
		size_t f;
		if (i + 1 >= argc) {
			fprintf(stderr, "tallyctl: demo-data: %s needs a value\n", argv[i]);
			return -1;
		}
		if (strcmp(argv[i], "--end") == 0) {
			if (ts_parse_iso(argv[i + 1], &o->end_ms) != 0) {
				fprintf(stderr, "tallyctl: demo-data: --end '%s' is not an ISO 8601 time\n",
				    argv[i + 1]);
				return -1;
			}
			continue;
		}
		for (f = 0; f < NFLAGS && strcmp(argv[i], flags[f].name) != 0; f++)
			;
		if (f == NFLAGS) {
			fprintf(stderr, "tallyctl: demo-data: unknown option '%s'\n", argv[i]);
			return -1;
		}
		if (util_parse_i64(argv[i + 1], flags[f].min, flags[f].max, &v[f]) != 0) {
			fprintf(stderr, "tallyctl: demo-data: %s must be an integer from %lld to %lld\n",
			    flags[f].name, (long long)flags[f].min, (long long)flags[f].max);
			return -1;
		}
		given[flags[f].mode] = 1;
	}
	o->days = (int)v[0];
	o->seed = (uint64_t)v[1];
	o->calls = given[CALLS] ? v[2] : 0;
	o->features = (int)v[3];
	o->models = (int)v[4];
	o->events = given[EVENTS] ? v[5] : 0;
	o->users = v[6];
	o->names = (int)v[7];
	o->week = !given[CALLS] && !given[EVENTS];
	/* events must be ones ingest would take: not in the future, not before 2000 */
	if (o->end_ms > now) {
		fprintf(stderr, "tallyctl: demo-data: --end lies in the future\n");
		return -1;
	}
	o->start_ms = o->end_ms - (int64_t)o->days * DEMO_DAY_MS;
	if (o->start_ms < TS_MIN_MS) {
		fprintf(stderr, "tallyctl: demo-data: --end minus --days lies before 2000-01-01\n");
		return -1;
	}
	return 0;
}

int
cli_demo_data(struct cli *c, int argc, char **argv)
{
	struct demo_opts o;
	struct project p;

	if (argc < 1 || argv[0][0] == '-') {
		fprintf(stderr, USAGE);
		return 2;
	}
	if (parse_opts(argc, argv, &o) != 0) {
		fprintf(stderr, USAGE);
		return 2;
	}
	if (cli_find_project(c, argv[0], &p) != 0)
		return 1;
	if (o.week)
		return demo_week_run(c->store, &p, &o);
	if (o.events > 0 && demo_volume_run(c->store, &p, &o) != 0)
		return 1;
	if (o.calls > 0 && demo_llm_run(c->store, &p, &o) != 0)
		return 1;
	return 0;
}
