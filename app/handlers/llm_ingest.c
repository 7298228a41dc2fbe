/*
 * llm_ingest: the LLM write routes (SPEC §5.2, §5.4): the Pulse trace batch
 * (atomic, like native events), OTLP/HTTP traces (valid spans stored, the
 * others reported in partialSuccess) and Bilan votes (atomic).
 */
#include <stdio.h>
#include <string.h>

#include "handler_util.h"
#include "handlers.h"
#include "llm.h"
#include "otlp.h"
#include "store.h"
#include "util.h"

#define MAX_BATCH_SPANS 10000

static struct llm_limits
limits(const struct http_req *req)
{
	struct llm_limits lim = { (size_t)req->cfg->max_text_bytes, req->received_ms };
	return lim;
}

static struct ingest_meta
meta_of(const struct http_req *req)
{
	struct ingest_meta m = { req->auth.project_id, req->received_ms, req->request_id, req->remote_addr };
	return m;
}

static json_object *
problems_json(const struct ingest_problem *p, size_t n)
{
	json_object *d = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *one = json_object_new_object();
		json_object_object_add(one, "index", json_object_new_int64((int64_t)p[i].index));
		json_object_object_add(one, "field", json_object_new_string(p[i].field));
		json_object_object_add(one, "problem", json_object_new_string(p[i].problem));
		json_object_array_add(d, one);
	}
	return d;
}

static void
send_accepted(struct http_req *req)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "accepted", json_object_new_int64(req->accepted));
	json_object_object_add(o, "duplicates", json_object_new_int64(req->duplicates));
	json_object_object_add(o, "request_id", json_object_new_string(req->request_id));
	http_send_json(req, 202, o);
	json_object_put(o);
}

static int
store_spans(struct http_req *req, const struct llm_span *spans, size_t n)
{
	struct ingest_meta m = meta_of(req);
	int64_t accepted = 0, duplicates = 0;

	if (n > 0 && store_spans_insert(req->store, &m, spans, n, NULL, &accepted, &duplicates) != 0) {
		http_send_error(req, 503, "unavailable", "the spans could not be stored; retry", NULL);
		return -1;
	}
	req->accepted = accepted;
	req->duplicates = duplicates;
	return 0;
}

/* An atomic batch with a problem: 400 naming every bad item, nothing stored. 1 when sent. */
static int
refused(struct http_req *req, const char *fatal, const struct ingest_problem *problems,
    size_t nproblems, size_t total, const char *items)
{
	char msg[96];

	if (fatal[0] != '\0') {
		http_send_error(req, 400, "validation_failed", fatal, NULL);
		return 1;
	}
	if (nproblems == 0)
		return 0;
	snprintf(msg, sizeof(msg), "%zu of %zu %s are invalid; nothing was stored", nproblems, total, items);
	req->rejected = (int64_t)nproblems;
	http_send_error(req, 400, "validation_failed", msg, problems_json(problems, nproblems));
	return 1;
}

void
handle_traces_batch(struct http_req *req)
{
	struct llm_limits lim = limits(req);
	struct span_batch b;

	if (pulse_parse(req->json, &lim, MAX_BATCH_SPANS, &b) != 0) {
		http_send_error(req, 503, "unavailable", "out of memory", NULL);
		goto out;
	}
	if (refused(req, b.fatal, b.problems, b.nproblems, b.traces, "traces"))
		goto out;
	if (b.n == 0) {
		http_send_error(req, 400, "validation_failed", "the batch holds no traces", NULL);
		goto out;
	}
	if (store_spans(req, b.spans, b.n) == 0)
		send_accepted(req);
out:
	span_batch_free(&b);
}

/* OTLP answers in the request's encoding: {} or {"partialSuccess":{…}}. */
static void
otlp_answer(struct http_req *req, const struct otlp_result *r)
{
	if (req->protobuf) {
		unsigned char buf[OTLP_RESPONSE_MAX];
		size_t len = otlp_pb_encode_response(r->rejected, r->rejected ? r->error_message : NULL,
		    buf, sizeof(buf));
		http_send(req, 200, "application/x-protobuf", buf, len);
		return;
	}
	json_object *o = json_object_new_object();
	if (r->rejected > 0) {
		json_object *ps = json_object_new_object();
		/* int64 fields are strings in OTLP/JSON */
		char n[24];
		snprintf(n, sizeof(n), "%lld", (long long)r->rejected);
		json_object_object_add(ps, "rejectedSpans", json_object_new_string(n));
		json_object_object_add(ps, "errorMessage", json_object_new_string(r->error_message));
		json_object_object_add(o, "partialSuccess", ps);
	}
	http_send_json(req, 200, o);
	json_object_put(o);
}

void
handle_otlp_traces(struct http_req *req)
{
	struct llm_limits lim = limits(req);
	struct otlp_result r;
	struct strpool pool = { 0 };
	json_object *tree = req->json;
	char err[200];
	int rc;

	memset(&r, 0, sizeof(r));
	if (req->protobuf) {
		rc = otlp_pb_to_json(req->body, req->body_len, &tree, err, sizeof(err));
		if (rc != 0) {
			http_send_error(req, rc == -1 ? 400 : 503, rc == -1 ? "invalid_protobuf" : "unavailable",
			    err, NULL);
			return;
		}
	}
	rc = otlp_map(tree, &lim, &pool, &r, err, sizeof(err));
	if (rc == -1)
		http_send_error(req, 400, "validation_failed", err, NULL);
	else if (rc != 0)
		http_send_error(req, 503, "unavailable", "out of memory", NULL);
	else if (store_spans(req, r.spans, r.n) == 0) {
		req->rejected = r.rejected;
		otlp_answer(req, &r);
	}
	otlp_result_free(&r);
	strpool_free(&pool);
	if (tree != req->json)
		json_object_put(tree);
}

void
handle_vote(struct http_req *req)
{
	struct llm_limits lim = limits(req);
	struct vote_batch b;
	struct ingest_meta m = meta_of(req);
	int64_t accepted = 0, duplicates = 0;

	if (vote_parse(req->json, &lim, (size_t)req->cfg->max_batch_events, &b) != 0) {
		http_send_error(req, 503, "unavailable", "out of memory", NULL);
		goto out;
	}
	if (refused(req, b.fatal, b.problems, b.nproblems, b.total, "votes"))
		goto out;
	if (store_votes_insert(req->store, &m, b.votes, b.n, &accepted, &duplicates) != 0) {
		http_send_error(req, 503, "unavailable", "the votes could not be stored; retry", NULL);
		goto out;
	}
	req->accepted = accepted;
	req->duplicates = duplicates;
	send_accepted(req);
out:
	vote_batch_free(&b);
}
