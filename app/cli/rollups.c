/*
 * tallyctl rollups rebuild PROJECT: the project's event rollups and
 * retention tables made again from its raw events (events stored before
 * schema 4 are not in them). Ingest may go on meanwhile; the analytics
 * count partially until it ends. docs/product-analytics.md.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

#define USAGE "usage: tallyctl rollups rebuild PROJECT\n"

int
cli_rollups(struct cli *c, int argc, char **argv)
{
	struct project p;
	int64_t events, t0;

	if (argc != 2 || strcmp(argv[0], "rebuild") != 0) {
		fprintf(stderr, USAGE);
		return 2;
	}
	if (cli_find_project(c, argv[1], &p) != 0)
		return 1;
	t0 = util_mono_us();
	if (store_rollups_rebuild(c->store, p.id, &events) != 0) {
		fprintf(stderr, "tallyctl: the rebuild of %s stopped (see the log above); run it again\n", p.slug);
		return 1;
	}
	printf("%s: rollups rebuilt from %" PRId64 " events in %.1f s\n", p.slug, events,
	    (double)(util_mono_us() - t0) / 1e6);
	return 0;
}
