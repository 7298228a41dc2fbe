/*
 * tallyctl export PROJECT [--from T] [--to T] [--format ndjson|csv] [--output FILE]:
 * the same rows in the same bytes as GET /api/v1/export (include/export.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "export.h"

#define USAGE "usage: tallyctl export PROJECT [--from T] [--to T] [--format ndjson|csv] [--output FILE]\n" \
	"T is ISO 8601 or epoch milliseconds; default: every event; output: stdout\n"

static int
file_write(void *arg, const char *data, size_t len)
{
	return fwrite(data, 1, len, (FILE *)arg) == len ? 0 : -1;
}

int
cli_export(struct cli *c, int argc, char **argv)
{
	const char *from = NULL, *to = NULL, *format = NULL, *output = NULL;
	const struct cli_flag flags[] = {
		{ "from", &from, NULL }, { "to", &to, NULL },
		{ "format", &format, NULL }, { "output", &output, NULL },
	};
	struct export_request q;
	struct export_result res;
	struct project p;
	char *pos[1];
	FILE *f = stdout;
	int npos, rc;

	memset(&q, 0, sizeof(q));
	q.to_ms = INT64_MAX;
	if (cli_parse_flags(argc, argv, flags, sizeof(flags) / sizeof(flags[0]), pos, 1, &npos) != 0 ||
	    npos != 1) {
		fprintf(stderr, USAGE);
		return 2;
	}
	if ((from && cli_parse_time("--from", from, &q.from_ms) != 0) ||
	    (to && cli_parse_time("--to", to, &q.to_ms) != 0))
		return 2;
	if (q.from_ms >= q.to_ms) {
		fprintf(stderr, "tallyctl: --from must be before --to\n");
		return 2;
	}
	if (format && (q.format = export_format_parse(format)) < 0) {
		fprintf(stderr, "tallyctl: --format must be ndjson or csv\n");
		return 2;
	}
	if (cli_find_project(c, pos[0], &p) != 0)
		return 1;
	q.project_id = p.id;
	if (output && (f = fopen(output, "w")) == NULL) {
		fprintf(stderr, "tallyctl: %s: %s\n", output, strerror(errno));
		return 1;
	}
	rc = export_events(c->store, &q, file_write, f, &res);
	if (fflush(f) != 0 || ferror(f))
		rc = -2;
	if (output && fclose(f) != 0)
		rc = -2;
	if (rc == -1)
		fprintf(stderr, "tallyctl: the database failed after %" PRId64 " rows: the export is "
		    "incomplete%s\n", res.rows, res.written ? " and ends with the export_incomplete marker" : "");
	else if (rc == -2)
		fprintf(stderr, "tallyctl: %s: %s\n", output ? output : "stdout", strerror(errno));
	else
		fprintf(stderr, "exported %" PRId64 " events of %s (%" PRId64 " bytes)%s%s\n", res.rows,
		    p.slug, res.written, output ? " to " : "", output ? output : "");
	return rc == 0 ? 0 : 1;
}
