/*
 * export: a project's events as NDJSON or CSV (SPEC §4.2, docs/lifecycle.md),
 * read from the store a page at a time and handed to a writer page by page.
 * GET /api/v1/export and `tallyctl export` both write through here, so the
 * two give the same bytes.
 */
#ifndef TALLY_EXPORT_H
#define TALLY_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct store;

enum export_format { EXPORT_NDJSON, EXPORT_CSV };

/* "ndjson" / "csv" to enum export_format; -1 for anything else. */
int export_format_parse(const char *name);
/* The media type and the file extension of a format. */
const char *export_content_type(int format);
const char *export_extension(int format);

/* Rows read per store call, and so written per writer call (about 0.5 MB). */
#define EXPORT_PAGE_ROWS 1000

/* Takes len bytes of the export; 0, or -1 when the reader is gone (the export stops). */
typedef int (*export_write_fn)(void *ctx, const char *data, size_t len);

struct export_request {
	int64_t project_id;
	int64_t from_ms, to_ms;         /* [from, to) on the event time */
	int format;                     /* enum export_format */
	const char *request_id;         /* named in the incomplete marker; NULL: none */
};

struct export_result {
	int64_t rows;
	int64_t written;                /* bytes the writer took */
};

/*
 * Writes every event of the range oldest first: the CSV header, then page
 * after page. Returns 0 when complete; -2 when the writer refused; -1 when
 * the store failed: if nothing was written yet nothing is (the caller can
 * still answer with an error), else the rows so far are followed by the
 * incomplete marker (an NDJSON line {"error":"export_incomplete",…}, a CSV
 * record starting with "#export_incomplete").
 */
int export_events(struct store *st, const struct export_request *q, export_write_fn w, void *ctx,
    struct export_result *out);

/*
 * Appends one CSV field (RFC 4180): as is, or in double quotes with inner
 * quotes doubled when it holds a comma, a quote, CR or LF, or starts with
 * '#' (so that no data record looks like the incomplete marker). NULL is
 * an empty field; "" is written "" so the two stay apart. -1 out of memory.
 */
int export_csv_field(struct buf *b, const char *s);

#endif
