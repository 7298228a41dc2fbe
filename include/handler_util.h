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

#endif
