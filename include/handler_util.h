/* handler_util: what several handlers do the same way. */
#ifndef TALLY_HANDLER_UTIL_H
#define TALLY_HANDLER_UTIL_H

#include "http.h"
#include "ingest.h"

/*
 * Parses req->json as `shape` into *b. A body-level problem (not a list,
 * too many messages) is answered 400 here and -1 returned.
 */
int handler_ingest_parse(struct http_req *req, enum ingest_shape shape, int forced_type,
    struct ingest_batch *b);

/* Stores b's valid events; -1 with the 503 sent when the store fails. */
int handler_ingest_store(struct http_req *req, struct ingest_batch *b);

/* [{index, field, problem}] for the batch's invalid messages. */
json_object *handler_problems(const struct ingest_batch *b);

/* A query parameter as a time (ISO 8601 or epoch ms); 1 absent, 0 ok, -1 bad (400 sent). */
int handler_query_time(struct http_req *req, const char *name, int64_t *ms);

/* JSON text we stored ourselves, parsed back (NULL text or failure: NULL). */
json_object *handler_json_text(const char *text);

/* ISO 8601 string object of ms. */
json_object *handler_time(int64_t ms);

/* Adds key: v when v is not NULL (absent fields stay absent). */
void handler_add_str(json_object *o, const char *key, const char *v);

/* Nano-dollars as a JSON number written in exact decimal USD (185100 → 0.0001851). */
json_object *handler_usd(int64_t nusd);

/*
 * The `from`/`to` query range of the analytics (SPEC §5.3): default the last
 * 7 days up to now. 0, or -1 with the 400 sent (malformed, or from >= to).
 */
int handler_range(struct http_req *req, int64_t *from_ms, int64_t *to_ms);

/* An integer query parameter in [min, max] (absent: def). 0, or -1 with the 400 sent. */
int handler_query_int(struct http_req *req, const char *name, int64_t min, int64_t max,
    int64_t def, int64_t *out);

/* Answers 200 {"data": data}; takes data's reference. */
void handler_send_data(struct http_req *req, json_object *data);

/* 400 validation_failed, details [{field, problem}]; returns -1. */
int handler_bad_field(struct http_req *req, const char *field, const char *problem);

/*
 * The JSON object body of a control request, every member named in
 * `allowed` (NULL-terminated). 0, or -1 with the 400 sent.
 */
int handler_body_fields(struct http_req *req, const char *const *allowed);

/*
 * A string member of the body: 0 with *out set (borrowed), 1 when absent
 * (or null, when null_ok), -1 with the 400 sent (not a string, empty, more
 * than max bytes, control characters).
 */
int handler_body_string(struct http_req *req, const char *key, size_t max, int null_ok,
    const char **out);

/* Sends the 503 of a store failure (what: "the traces"). */
void handler_unavailable(struct http_req *req);

/* An event as GET /api/v1/events and the export return it (camelCase fields; absent ones left out). */
struct event_row;
json_object *handler_event_json(const struct event_row *r);

#endif
