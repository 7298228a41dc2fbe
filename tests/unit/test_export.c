/*
 * test_export: CSV quoting (RFC 4180) and the export page loop against a
 * store backend made here: pages and their order, the CSV header, a store
 * failure before anything was written and after, a reader that goes away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../app/store/store_backend.h"
#include "export.h"
#include "tap.h"

/* ---- CSV fields ---- */

static void
csv_is(const char *in, const char *want, const char *name)
{
	struct buf b = { 0 };
	int rc = export_csv_field(&b, in);
	is_int(rc, 0, "%s: ok", name);
	is_str(b.data ? b.data : "", want, "%s", name);
	buf_free(&b);
}

static void
test_csv_fields(void)
{
	csv_is("plain", "plain", "a plain field is written as is");
	csv_is("a,b", "\"a,b\"", "a comma quotes the field");
	csv_is("say \"hi\"", "\"say \"\"hi\"\"\"", "inner quotes are doubled");
	csv_is("\"", "\"\"\"\"", "a lone quote");
	csv_is("line1\nline2", "\"line1\nline2\"", "LF quotes the field and stays");
	csv_is("a\r\nb", "\"a\r\nb\"", "CRLF quotes the field and stays");
	csv_is("#x", "\"#x\"", "a leading # is quoted (the incomplete marker starts with #)");
	csv_is("a#b", "a#b", "a # inside is not");
	csv_is("", "\"\"", "an empty string is \"\"");
	csv_is(NULL, "", "NULL is an empty field");
	csv_is("é,ü", "\"é,ü\"", "UTF-8 passes through");
	csv_is(" sp ", " sp ", "spaces are data, not quoted");
	csv_is("{\"a\":[1,2]}", "\"{\"\"a\"\":[1,2]}\"", "JSON text with commas and quotes");
}

/* ---- a backend holding NROWS events ---- */

#define NROWS 2500

static struct fake {
	int calls;
	int fail_at;            /* 1-based call that fails; 0 never */
	char mid[NROWS][16];
} fake;

static int
fake_scan(struct store *st, int64_t project_id, const struct event_scan *q, store_event_cb cb,
    void *ctx)
{
	int n = 0;
	(void)st;
	(void)project_id;
	if (++fake.calls == fake.fail_at)
		return -1;
	/* row i: id i + 1, ts 1000 + i / 2 (pairs share a time: the keyset needs the id) */
	for (int i = 0; i < NROWS && n < q->limit; i++) {
		int64_t id = i + 1, ts = 1000 + i / 2;
		struct event_row r;

		if (ts < q->after_ts || (ts == q->after_ts && id <= q->after_id) || ts >= q->to_ms)
			continue;
		memset(&r, 0, sizeof(r));
		r.id = id;
		r.received_ms = ts;
		r.request_id = "rid";
		snprintf(fake.mid[i], sizeof(fake.mid[i]), "m%d", i);
		r.ev.message_id = fake.mid[i];
		r.ev.type = 0;
		r.ev.event = i == 0 ? "a,\"b\"" : "e";
		r.ev.ts_ms = ts;
		r.ev.properties = "{\"k\":1}";
		n++;
		if (cb(ctx, &r) != 0)
			break;
	}
	return 0;
}

static const struct store_backend fake_backend = { .name = "fake", .events_scan = fake_scan };
static struct store fake_store = { &fake_backend };

struct sink {
	struct buf out;
	int calls;
	int refuse_at;          /* 1-based write that fails; 0 never */
};

static int
sink_write(void *arg, const char *data, size_t len)
{
	struct sink *s = arg;
	if (++s->calls == s->refuse_at)
		return -1;
	return buf_append(&s->out, data, len);
}

static int
count_lines(const char *s, const char *prefix)
{
	int n = 0;
	for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static const char *
last_line(const char *s)
{
	size_t n = strlen(s);
	if (n < 2)
		return s;
	for (size_t i = n - 2; i > 0; i--)
		if (s[i] == '\n')
			return s + i + 1;
	return s;
}

static int
run(int format, int64_t from, int64_t to, int fail_at, int refuse_at, struct sink *s,
    struct export_result *res)
{
	struct export_request q = { 1, from, to, format, "req1" };
	memset(&fake, 0, sizeof(fake));
	fake.fail_at = fail_at;
	memset(s, 0, sizeof(*s));
	s->refuse_at = refuse_at;
	return export_events(&fake_store, &q, sink_write, s, res);
}

static void
test_pages(void)
{
	struct export_result res;
	struct sink s;
	int rc;

	rc = run(EXPORT_NDJSON, 0, INT64_MAX, 0, 0, &s, &res);
	is_int(rc, 0, "ndjson: complete");
	is_int(res.rows, NROWS, "ndjson: every row");
	is_int(fake.calls, 3, "ndjson: 2500 rows read in 3 pages of 1000");
	is_int(s.calls, 3, "ndjson: written page by page");
	is_int(count_lines(s.out.data, "{\"messageId\":\"m"), NROWS, "ndjson: one line per event");
	ok(strncmp(s.out.data, "{\"messageId\":\"m0\",\"type\":\"track\",\"event\":\"a,\\\"b\\\"\"", 48) == 0,
	    "ndjson: oldest first, fields as GET /api/v1/events");
	ok(strstr(s.out.data, "\"m999\"") < strstr(s.out.data, "\"m1000\"") &&
	    strstr(s.out.data, "\"m1000\"") < strstr(s.out.data, "\"m2499\""),
	    "ndjson: pages follow each other in order across rows of equal time");
	is_int(res.written, (int64_t)s.out.len, "ndjson: bytes counted");
	buf_free(&s.out);

	rc = run(EXPORT_CSV, 1010, 1020, 0, 0, &s, &res);
	is_int(rc, 0, "csv range: complete");
	is_int(res.rows, 20, "csv range: [from, to) on the event time");
	ok(s.out.data && strncmp(s.out.data, "messageId,type,event,userId,anonymousId,sessionId,"
	    "timestamp,receivedAt,properties,context,traits,groupId,previousId,conversationId,"
	    "turnId,shopId,requestId\r\n", 153) == 0, "csv: the header row first");
	is_int(count_lines(s.out.data, "m") - count_lines(s.out.data, "messageId,"), 20,
	    "csv: one record per event");
	ok(strstr(s.out.data, "\r\nm20,track,e,,,,1970-01-01T00:00:01.010Z,1970-01-01T00:00:01.010Z,"
	    "\"{\"\"k\"\":1}\",,,,,,,,rid\r\n") != NULL, "csv: a record, JSON text quoted");
	buf_free(&s.out);

	rc = run(EXPORT_CSV, 0, INT64_MAX, 0, 0, &s, &res);
	ok(strstr(s.out.data, "\r\nm0,track,\"a,\"\"b\"\"\",") != NULL, "csv: an event name with , and \" quoted");
	buf_free(&s.out);

	rc = run(EXPORT_NDJSON, 5000, 6000, 0, 0, &s, &res);
	is_int(rc, 0, "empty range: complete");
	is_int(s.calls, 0, "empty range: nothing to write");
	buf_free(&s.out);
}

static void
test_failures(void)
{
	struct export_result res;
	struct sink s;
	int rc;

	rc = run(EXPORT_CSV, 0, INT64_MAX, 1, 0, &s, &res);
	is_int(rc, -1, "store fails at once: -1");
	is_int(s.calls, 0, "store fails at once: nothing written (the status can still say so)");
	is_int(res.rows, 0, "store fails at once: no rows");
	buf_free(&s.out);

	rc = run(EXPORT_NDJSON, 0, INT64_MAX, 2, 0, &s, &res);
	is_int(rc, -1, "store fails on page 2: -1");
	is_int(res.rows, 1000, "store fails on page 2: the first page went out");
	is_str(last_line(s.out.data), "{\"error\":\"export_incomplete\",\"message\":\"the database failed "
	    "after 1000 rows; the export is incomplete\",\"rows\":1000,\"request_id\":\"req1\"}\n",
	    "ndjson: the last line says the export is incomplete");
	buf_free(&s.out);

	rc = run(EXPORT_CSV, 0, INT64_MAX, 3, 0, &s, &res);
	is_int(rc, -1, "csv: store fails on page 3: -1");
	is_str(last_line(s.out.data), "#export_incomplete,2000,req1\r\n",
	    "csv: the last record is the incomplete marker");
	is_int(count_lines(s.out.data, "#"), 1, "csv: no data record starts with #");
	buf_free(&s.out);

	rc = run(EXPORT_NDJSON, 0, INT64_MAX, 0, 2, &s, &res);
	is_int(rc, -2, "reader gone: -2");
	is_int(fake.calls, 2, "reader gone: no page read after the refused write");
	buf_free(&s.out);
}

int
main(void)
{
	test_csv_fields();
	test_pages();
	test_failures();
	return tap_done();
}
