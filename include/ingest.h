/*
 * ingest: wire messages (native, Segment, the seeds' dialects) → validated
 * struct event. One field table (app/ingest/fields.c) names every field and
 * alias of SPEC §4.1; each dialect only decides how messages are wrapped.
 */
#ifndef TALLY_INGEST_H
#define TALLY_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "event.h"
#include "util.h"

struct ingest_limits {
	size_t max_event_bytes;
	size_t max_batch_events;
	int64_t now_ms;                 /* receive time: default timestamp, skew base */
	size_t max_text_bytes;          /* an LLM call's input/output kept */
};

struct ingest_problem {
	size_t index;
	char field[48];
	char problem[160];
};

struct ingest_batch {
	struct event *evs;              /* the valid messages, in order */
	size_t *index;                  /* their position in the body */
	size_t n;
	struct ingest_problem *problems;
	size_t nproblems;
	size_t total;                   /* messages in the body */
	const char *write_key;          /* writeKey found in the body, borrowed */
	/* a body-level problem (not a list, too many messages): no messages taken */
	char fatal[200];
	char fatal_field[48];
	/* strings made while parsing (generated ids) live as long as the batch */
	struct strpool pool;
};

/* How the body wraps its messages. */
enum ingest_shape {
	SHAPE_NATIVE,           /* one message, [..], {"events":[..]}, {"batch":[..]} */
	SHAPE_SEGMENT_BATCH,    /* {"batch":[..], "context":{..}, "sentAt":..} */
	SHAPE_SEGMENT_SINGLE,   /* one message whose type is set by the route */
};

/*
 * Parses root (modified in place: it owns the strings the events point to,
 * so keep it alive as long as the batch). Each message is validated whole;
 * problems are listed with the message's index, invalid messages are left
 * out of evs. forced_type is the route's type for SHAPE_SEGMENT_SINGLE, else
 * -1. Returns 0, or -1 when out of memory.
 */
int ingest_parse(json_object *root, enum ingest_shape shape, int forced_type,
    const struct ingest_limits *lim, struct ingest_batch *out);
void ingest_batch_free(struct ingest_batch *b);

/* Validates one message object into *ev; 0, or -1 with problem filled. */
int ingest_message(json_object *msg, int forced_type, int64_t sent_at_ms,
    json_object *batch_context, const struct ingest_limits *lim,
    struct ingest_batch *owner, struct event *ev, struct ingest_problem *problem);

/* Reads a timestamp field: ISO 8601 string or epoch-milliseconds number. */
int ingest_time(json_object *v, int64_t *ms);

#endif
