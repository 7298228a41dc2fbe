/*
 * batch: how each dialect wraps its messages (SPEC §4.2) and the batch-level
 * rules (count limit, Segment's batch context and sentAt).
 */
#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"
#include "util.h"

static const char *const type_names[EV__COUNT] = {
	"track", "page", "screen", "identify", "group", "alias",
};

const char *
event_type_name(int type)
{
	return type >= 0 && type < EV__COUNT ? type_names[type] : "track";
}

int
event_type_parse(const char *name)
{
	for (int i = 0; i < EV__COUNT; i++)
		if (strcmp(name, type_names[i]) == 0)
			return i;
	return -1;
}

static int
fatal(struct ingest_batch *b, const char *field, const char *msg)
{
	util_strlcpy(b->fatal, msg, sizeof(b->fatal));
	util_strlcpy(b->fatal_field, field, sizeof(b->fatal_field));
	return 0;
}

/* The array of messages under key, if root is an object holding one. */
static json_object *
wrapped(json_object *root, const char *key)
{
	json_object *a;
	if (json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, key, &a) && json_object_is_type(a, json_type_array))
		return a;
	return NULL;
}

int
ingest_parse(json_object *root, enum ingest_shape shape, int forced_type,
    const struct ingest_limits *lim, struct ingest_batch *b)
{
	json_object *list = NULL, *batch_ctx = NULL, *x;
	int64_t sent_at = 0;
	size_t count;

	memset(b, 0, sizeof(*b));
	if (json_object_is_type(root, json_type_object)) {
		if (json_object_object_get_ex(root, "writeKey", &x) ||
		    json_object_object_get_ex(root, "write_key", &x))
			b->write_key = json_str(x);
	}
	switch (shape) {
	case SHAPE_NATIVE:
		if (json_object_is_type(root, json_type_array))
			list = root;
		else if ((list = wrapped(root, "events")) == NULL &&
		    (list = wrapped(root, "batch")) == NULL &&
		    !json_object_is_type(root, json_type_object))
			return fatal(b, "", "the body must be a message, an array of messages, "
			    "{\"events\":[…]} or {\"batch\":[…]}");
		break;
	case SHAPE_SEGMENT_BATCH:
		if ((list = wrapped(root, "batch")) == NULL)
			return fatal(b, "batch", "must be an array of messages");
		break;
	case SHAPE_SEGMENT_SINGLE:
		if (!json_object_is_type(root, json_type_object))
			return fatal(b, "", "the body must be one message object");
		break;
	}
	/* a wrapper's context and sentAt apply to each message (Segment batch) */
	if (list != NULL && list != root) {
		if (json_object_object_get_ex(root, "context", &x) && x != NULL) {
			if (!json_object_is_type(x, json_type_object))
				return fatal(b, "context", "must be a JSON object");
			batch_ctx = x;
		}
		if ((json_object_object_get_ex(root, "sentAt", &x) ||
		    json_object_object_get_ex(root, "sent_at", &x)) && x != NULL &&
		    ingest_time(x, &sent_at) != 0)
			return fatal(b, "sentAt", "must be an ISO 8601 time or epoch milliseconds");
	}
	count = list ? json_object_array_length(list) : 1;
	b->total = count;
	if (count > lim->max_batch_events) {
		char m[96];
		snprintf(m, sizeof(m), "a batch holds at most %zu messages, not %zu",
		    lim->max_batch_events, count);
		return fatal(b, "batch", m);
	}
	if (count == 0)
		return 0;
	b->evs = calloc(count, sizeof(*b->evs));
	b->index = calloc(count, sizeof(*b->index));
	b->problems = calloc(count, sizeof(*b->problems));
	if (b->evs == NULL || b->index == NULL || b->problems == NULL)
		return -1;
	for (size_t i = 0; i < count; i++) {
		json_object *msg = list ? json_object_array_get_idx(list, i) : root;
		struct ingest_problem *p = &b->problems[b->nproblems];

		if (ingest_message(msg, forced_type, sent_at, batch_ctx, lim, b, &b->evs[b->n], p) == 0) {
			b->index[b->n++] = i;
		} else {
			p->index = i;
			b->nproblems++;
		}
	}
	return 0;
}

void
ingest_batch_free(struct ingest_batch *b)
{
	strpool_free(&b->pool);
	free(b->evs);
	free(b->index);
	free(b->problems);
	memset(b, 0, sizeof(*b));
}
