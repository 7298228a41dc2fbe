/*
 * export: GET /api/v1/export?from&to&format=ndjson|csv (SPEC §4.2). Every
 * event of the key's project in [from, to), oldest first, streamed: a page
 * of rows is read, written out, then the next one is read, so neither the
 * worker nor the database holds the range at once (docs/lifecycle.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "handler_util.h"
#include "handlers.h"
#include "log.h"
#include "store.h"
#include "timestamp.h"
#include "util.h"

struct stream {
	struct http_req *req;
	const char *content_type;
	char disposition[160];
};

/* The 200 and its headers, sent with the first bytes (a 503 before them carries none). */
static void
begin(struct stream *s)
{
	if (s->req->status != 0)
		return;
	http_add_header(s->req, "Content-Disposition", s->disposition);
	http_stream_begin(s->req, 200, s->content_type);
}

static int
stream_write(void *arg, const char *data, size_t len)
{
	struct stream *s = arg;

	begin(s);
	return http_stream_write(s->req, data, len);
}

void
handle_export(struct http_req *req)
{
	struct export_request q;
	struct export_result res;
	struct stream s;
	char stamp[32];
	const char *v;
	int64_t t0 = util_mono_us();
	int rc;

	memset(&q, 0, sizeof(q));
	q.project_id = req->auth.project_id;
	q.request_id = req->request_id;
	q.format = EXPORT_NDJSON;
	if ((v = query_get(&req->query, "format")) != NULL && (q.format = export_format_parse(v)) < 0) {
		http_send_error(req, 400, "bad_request", "'format' must be ndjson or csv", NULL);
		return;
	}
	/* default: everything the project has */
	q.from_ms = 0;
	q.to_ms = INT64_MAX;
	if (handler_query_time(req, "from", &q.from_ms) < 0 ||
	    handler_query_time(req, "to", &q.to_ms) < 0)
		return;
	if (q.from_ms >= q.to_ms) {
		http_send_error(req, 400, "bad_request", "'from' must be before 'to'", NULL);
		return;
	}
	s.req = req;
	s.content_type = export_content_type(q.format);
	/* tally-SLUG-events-20250101T000000Z.ndjson: the slug is [a-z0-9-] */
	ts_format_iso(req->received_ms, stamp);
	snprintf(s.disposition, sizeof(s.disposition),
	    "attachment; filename=\"tally-%s-events-%.4s%.2s%.2sT%.2s%.2s%.2sZ.%s\"",
	    req->auth.project_slug, stamp, stamp + 5, stamp + 8, stamp + 11, stamp + 14, stamp + 17,
	    export_extension(q.format));
	rc = export_events(req->store, &q, stream_write, &s, &res);
	if (rc == -1 && req->status == 0) {
		handler_unavailable(req);
		return;
	}
	begin(&s);                      /* nothing written: an empty NDJSON body */
	if (rc == -1)
		log_msg(LOG_ERROR, "export %s: project %" PRId64 ": the database failed after %" PRId64
		    " rows; the body ends with the export_incomplete marker", req->request_id,
		    q.project_id, res.rows);
	else if (rc == -2)
		log_msg(LOG_WARN, "export %s: project %" PRId64 ": the client left after %" PRId64
		    " rows", req->request_id, q.project_id, res.rows);
	else
		log_msg(LOG_INFO, "export %s: project %" PRId64 ": %" PRId64 " rows, %" PRId64
		    " bytes in %" PRId64 " ms", req->request_id, q.project_id, res.rows, res.written,
		    (util_mono_us() - t0) / 1000);
}
