/*
 * export_format: the NDJSON and CSV writers of an export and the page loop
 * that feeds them (include/export.h). One NDJSON line is exactly what GET
 * /api/v1/events returns for that event (handler_event_json); CSV has the
 * same fields as fixed columns.
 */
#include "export.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "handler_util.h"
#include "store.h"
#include "timestamp.h"

int
export_format_parse(const char *name)
{
	if (strcmp(name, "ndjson") == 0)
		return EXPORT_NDJSON;
	if (strcmp(name, "csv") == 0)
		return EXPORT_CSV;
	return -1;
}

const char *
export_content_type(int format)
{
	return format == EXPORT_CSV ? "text/csv; charset=utf-8; header=present" : "application/x-ndjson";
}

const char *
export_extension(int format)
{
	return format == EXPORT_CSV ? "csv" : "ndjson";
}

int
export_csv_field(struct buf *b, const char *s)
{
	const char *p, *q;

	if (s == NULL)
		return 0;
	if (*s != '\0' && *s != '#' && strpbrk(s, ",\"\r\n") == NULL)
		return buf_puts(b, s);
	if (buf_append(b, "\"", 1) != 0)
		return -1;
	for (p = s; (q = strchr(p, '"')) != NULL; p = q + 1)
		if (buf_append(b, p, (size_t)(q - p) + 1) != 0 || buf_append(b, "\"", 1) != 0)
			return -1;
	return buf_puts(b, p) != 0 || buf_append(b, "\"", 1) != 0 ? -1 : 0;
}

/* The CSV columns: GET /api/v1/events' field names, in its order. */
static const char csv_header[] =
    "messageId,type,event,userId,anonymousId,sessionId,timestamp,receivedAt,properties,"
    "context,traits,groupId,previousId,conversationId,turnId,shopId,requestId\r\n";

static int
csv_row(struct buf *b, const struct event_row *r)
{
	char ts[32], received[32];
	const char *const cols[] = {
		r->ev.message_id, event_type_name(r->ev.type), r->ev.event, r->ev.user_id,
		r->ev.anonymous_id, r->ev.session_id, ts, received,
		/* JSON text as stored: tally wrote it compact at ingest */
		r->ev.properties, r->ev.context, r->ev.traits,
		r->ev.group_id, r->ev.previous_id, r->ev.conversation_id, r->ev.turn_id,
		r->ev.shop_id, r->request_id,
	};

	ts_format_iso(r->ev.ts_ms, ts);
	ts_format_iso(r->received_ms, received);
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if ((i > 0 && buf_append(b, ",", 1) != 0) || export_csv_field(b, cols[i]) != 0)
			return -1;
	return buf_append(b, "\r\n", 2);
}

static int
ndjson_row(struct buf *b, const struct event_row *r)
{
	json_object *o = handler_event_json(r);
	size_t len = 0;
	/* the flags http_send_json uses: a line is byte for byte an element of GET /api/v1/events */
	const char *s = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	int rc = s == NULL || buf_append(b, s, len) != 0 || buf_append(b, "\n", 1) != 0 ? -1 : 0;

	json_object_put(o);
	return rc;
}

struct page {
	struct buf out;
	int format;
	int rows, failed;
	int64_t last_ts, last_id;
};

static int
page_row(void *arg, const struct event_row *r)
{
	struct page *p = arg;

	if ((p->format == EXPORT_CSV ? csv_row(&p->out, r) : ndjson_row(&p->out, r)) != 0) {
		p->failed = 1;
		return 1;
	}
	p->rows++;
	p->last_ts = r->ev.ts_ms;
	p->last_id = r->id;
	return 0;
}

/* The last thing an export says when the store failed halfway. */
static int
incomplete_marker(struct buf *b, int format, int64_t rows, const char *request_id)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "the database failed after %lld rows; the export is incomplete",
	    (long long)rows);
	if (format == EXPORT_CSV) {
		char line[256];
		snprintf(line, sizeof(line), "#export_incomplete,%lld,%s\r\n", (long long)rows,
		    request_id ? request_id : "");
		return buf_puts(b, line);
	}
	json_object *o = json_object_new_object();
	json_object_object_add(o, "error", json_object_new_string("export_incomplete"));
	json_object_object_add(o, "message", json_object_new_string(msg));
	json_object_object_add(o, "rows", json_object_new_int64(rows));
	if (request_id != NULL)
		json_object_object_add(o, "request_id", json_object_new_string(request_id));
	int rc = buf_puts(b, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) != 0 ||
	    buf_append(b, "\n", 1) != 0 ? -1 : 0;
	json_object_put(o);
	return rc;
}

static int
flush(struct page *p, export_write_fn w, void *ctx, struct export_result *out)
{
	if (p->out.len == 0)
		return 0;
	if (w(ctx, p->out.data, p->out.len) != 0)
		return -1;
	out->written += (int64_t)p->out.len;
	p->out.len = 0;
	return 0;
}

int
export_events(struct store *st, const struct export_request *q, export_write_fn w, void *ctx,
    struct export_result *out)
{
	struct event_scan scan = { q->from_ms, 0, q->to_ms, EXPORT_PAGE_ROWS };
	struct page p;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.format = q->format;
	if (q->format == EXPORT_CSV && buf_puts(&p.out, csv_header) != 0)
		goto store_failed;
	for (;;) {
		p.rows = 0;
		/* the page is formatted inside the read; written once the read is over */
		if (store_events_scan(st, q->project_id, &scan, page_row, &p) != 0 || p.failed) {
			out->rows += p.rows;
			goto store_failed;
		}
		out->rows += p.rows;
		if (flush(&p, w, ctx, out) != 0) {
			rc = -2;
			goto done;
		}
		if (p.rows < scan.limit)
			break;
		scan.after_ts = p.last_ts;
		scan.after_id = p.last_id;
	}
	rc = 0;
	goto done;
store_failed:
	/* before the first write the caller can still say so with a status */
	if (out->written == 0) {
		out->rows = 0;
		goto done;
	}
	if (incomplete_marker(&p.out, q->format, out->rows, q->request_id) != 0 ||
	    flush(&p, w, ctx, out) != 0) {
		rc = -2;
		goto done;
	}
done:
	buf_free(&p.out);
	return rc;
}
