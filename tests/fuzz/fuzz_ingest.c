/*
 * fuzz_ingest: libFuzzer target for the ingest path of a request body:
 * json_parse_strict, then ingest_parse in each of the three shapes, with the
 * default limits. Besides ASan/UBSan findings it aborts when a result breaks
 * the contract of ingest.h (every message accounted for, every event valid).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "json_strict.h"
#include "timestamp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1718000000000LL

static void
check_json_text(const char *s)
{
	json_object *o;

	if (s == NULL)
		return;
	if ((o = json_tokener_parse(s)) == NULL || !json_object_is_type(o, json_type_object))
		abort();        /* properties / context / traits must be JSON objects */
	json_object_put(o);
}

static void
check_batch(const struct ingest_batch *b, const struct ingest_limits *lim)
{
	if (b->fatal[0] != '\0') {
		if (b->n != 0)
			abort();
		return;
	}
	if (b->n + b->nproblems != b->total || b->total > lim->max_batch_events)
		abort();
	for (size_t i = 0; i < b->n; i++) {
		const struct event *e = &b->evs[i];
		const char *const strs[] = { e->event, e->user_id, e->anonymous_id, e->session_id,
			e->message_id, e->group_id, e->previous_id, e->conversation_id, e->turn_id,
			e->shop_id };

		if (i > 0 && b->index[i] <= b->index[i - 1])
			abort();
		if (e->type < 0 || e->type >= EV__COUNT || e->message_id == NULL)
			abort();
		if (e->type == EV_TRACK && e->event == NULL)
			abort();
		if (e->ts_ms < TS_MIN_MS || e->ts_ms > lim->now_ms + 86400000LL)
			abort();
		for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
			if (strs[k] != NULL && strlen(strs[k]) > 4 * 200)   /* 200 code points max */
				abort();
		check_json_text(e->properties);
		check_json_text(e->context);
		check_json_text(e->traits);
	}
	for (size_t i = 0; i < b->nproblems; i++)
		if (b->problems[i].index >= b->total || b->problems[i].problem[0] == '\0')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ingest_shape shapes[] = {
		SHAPE_NATIVE, SHAPE_SEGMENT_BATCH, SHAPE_SEGMENT_SINGLE,
	};
	const struct ingest_limits lim = { 32 * 1024, 2500, NOW, 8192 };
	char err[256], *buf;

	if (size > (1 << 20))           /* the default body limit */
		return 0;
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		json_object *root;
		struct ingest_batch b;
		int forced = shapes[s] == SHAPE_SEGMENT_SINGLE ? (int)(size % EV__COUNT) : -1;

		/* a fresh tree per shape: ingest_parse edits the one it is given */
		if (json_parse_strict(buf, size, JSON_MAX_DEPTH, &root, err, sizeof(err)) != 0) {
			if (root != NULL || err[0] == '\0')
				abort();
			break;
		}
		if (ingest_parse(root, shapes[s], forced, &lim, &b) == 0)
			check_batch(&b, &lim);
		ingest_batch_free(&b);
		json_object_put(root);
	}
	free(buf);
	return 0;
}
