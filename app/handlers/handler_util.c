#include "handler_util.h"

#include <stdio.h>
#include <string.h>

#include "handlers.h"
#include "json_strict.h"
#include "price.h"
#include "store.h"
#include "timestamp.h"
#include "util.h"

#define STORED_JSON_DEPTH 128      /* json-c counts every object and array */

int
handler_ingest_parse(struct http_req *req, enum ingest_shape shape, int forced_type,
    struct ingest_batch *b)
{
	struct ingest_limits lim = {
		(size_t)req->cfg->max_event_bytes, (size_t)req->cfg->max_batch_events, req->received_ms,
		(size_t)req->cfg->max_text_bytes,
	};

	if (ingest_parse(req->json, shape, forced_type, &lim, b) != 0) {
		http_send_error(req, 503, "unavailable", "out of memory", NULL);
		return -1;
	}
	if (b->fatal[0] != '\0') {
		json_object *d = json_object_new_array(), *one = json_object_new_object();
		json_object_object_add(one, "field", json_object_new_string(b->fatal_field));
		json_object_object_add(one, "problem", json_object_new_string(b->fatal));
		json_object_array_add(d, one);
		http_send_error(req, 400, "validation_failed", b->fatal, d);
		return -1;
	}
	return 0;
}

int
handler_ingest_store(struct http_req *req, struct ingest_batch *b)
{
	struct ingest_meta meta = {
		req->auth.project_id, req->received_ms, req->request_id, req->remote_addr,
	};
	int64_t accepted = 0, duplicates = 0;
	char masked[64];

	if (req->cfg->ip_anonymize || req->auth.ip_anonymize) {
		util_ip_anonymize(req->remote_addr, masked, sizeof(masked));
		meta.ip = masked;
	}

	if (b->n > 0 &&
	    store_events_insert(req->store, &meta, b->evs, b->n, NULL, &accepted, &duplicates) != 0) {
		http_send_error(req, 503, "unavailable", "the events could not be stored; retry", NULL);
		return -1;
	}
	req->accepted = accepted;
	req->duplicates = duplicates;
	req->rejected = (int64_t)b->nproblems;
	if (handler_stats != NULL)
		handler_stats->events_processed += accepted;
	return 0;
}

json_object *
handler_problems(const struct ingest_batch *b)
{
	json_object *d = json_object_new_array();
	for (size_t i = 0; i < b->nproblems; i++) {
		json_object *one = json_object_new_object();
		json_object_object_add(one, "index", json_object_new_int64((int64_t)b->problems[i].index));
		json_object_object_add(one, "field", json_object_new_string(b->problems[i].field));
		json_object_object_add(one, "problem", json_object_new_string(b->problems[i].problem));
		json_object_array_add(d, one);
	}
	return d;
}

int
handler_query_time(struct http_req *req, const char *name, int64_t *ms)
{
	const char *v = query_get(&req->query, name);
	char msg[96];

	if (v == NULL || *v == '\0')
		return 1;
	if (util_parse_i64(v, 0, INT64_MAX / 2, ms) == 0 || ts_parse_iso(v, ms) == 0)
		return 0;
	snprintf(msg, sizeof(msg), "'%s' must be an ISO 8601 time or epoch milliseconds", name);
	http_send_error(req, 400, "bad_request", msg, NULL);
	return -1;
}

json_object *
handler_json_text(const char *text)
{
	/* text tally stored itself: deeper than json-c's default 32 levels
	 * when it came from OTLP attributes (32 AnyValue levels and the object
	 * around them) */
	json_tokener *tok;
	json_object *o;

	if (text == NULL || (tok = json_tokener_new_ex(STORED_JSON_DEPTH)) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, text, -1);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

json_object *
handler_time(int64_t ms)
{
	char iso[32];
	ts_format_iso(ms, iso);
	return json_object_new_string(iso);
}

void
handler_add_str(json_object *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, key, json_object_new_string(v));
}

json_object *
handler_usd(int64_t nusd)
{
	char s[PRICE_USD_LEN];
	price_format_usd(nusd, s, sizeof(s));
	return json_object_new_double_s((double)nusd / 1e9, s);
}

#define WEEK_MS (7 * 86400000LL)

int
handler_range(struct http_req *req, int64_t *from_ms, int64_t *to_ms)
{
	int rf, rt;

	*to_ms = req->received_ms;
	if ((rt = handler_query_time(req, "to", to_ms)) < 0 ||
	    (rf = handler_query_time(req, "from", from_ms)) < 0)
		return -1;
	if (rf == 1)
		*from_ms = *to_ms - WEEK_MS;
	if (*from_ms >= *to_ms) {
		http_send_error(req, 400, "bad_request", "'from' must be before 'to'", NULL);
		return -1;
	}
	return 0;
}

int
handler_query_int(struct http_req *req, const char *name, int64_t min, int64_t max,
    int64_t def, int64_t *out)
{
	const char *v = query_get(&req->query, name);
	char msg[128];

	*out = def;
	if (v == NULL)
		return 0;
	if (util_parse_i64(v, min, max, out) == 0)
		return 0;
	snprintf(msg, sizeof(msg), "'%s' must be an integer from %lld to %lld", name,
	    (long long)min, (long long)max);
	http_send_error(req, 400, "bad_request", msg, NULL);
	return -1;
}

void
handler_unavailable(struct http_req *req)
{
	http_send_error(req, 503, "unavailable", "the database is not available", NULL);
}

void
handler_send_data(struct http_req *req, json_object *data)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "data", data);
	http_send_json(req, 200, o);
	json_object_put(o);
}

int
handler_bad_field(struct http_req *req, const char *field, const char *problem)
{
	json_object *d = json_object_new_array(), *one = json_object_new_object();
	json_object_object_add(one, "field", json_object_new_string(field));
	json_object_object_add(one, "problem", json_object_new_string(problem));
	json_object_array_add(d, one);
	http_send_error(req, 400, "validation_failed", problem, d);
	return -1;
}

int
handler_body_fields(struct http_req *req, const char *const *allowed)
{
	if (!json_object_is_type(req->json, json_type_object))
		return handler_bad_field(req, "", "the body must be a JSON object");
	json_object_object_foreach(req->json, key, val) {
		size_t i;
		(void)val;
		for (i = 0; allowed[i] != NULL && strcmp(allowed[i], key) != 0; i++)
			;
		if (allowed[i] == NULL)
			return handler_bad_field(req, key, "unknown field");
	}
	return 0;
}

int
handler_body_string(struct http_req *req, const char *key, size_t max, int null_ok,
    const char **out)
{
	json_object *v;
	const char *s;
	char msg[96];

	*out = NULL;
	if (!json_object_object_get_ex(req->json, key, &v) || (v == NULL && null_ok))
		return 1;
	snprintf(msg, sizeof(msg), "'%s' must be a string of 1 to %zu bytes", key, max);
	if ((s = json_str(v)) == NULL || *s == '\0' || strlen(s) > max)
		return handler_bad_field(req, key, msg);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return handler_bad_field(req, key, "control characters are not allowed");
	*out = s;
	return 0;
}
