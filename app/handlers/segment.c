/*
 * segment: the Segment HTTP API routes. Segment SDKs never retry a 400 and
 * drop the whole batch, so valid messages are stored and the invalid ones
 * are listed in a 200 (SPEC §4.3).
 */
#include "event.h"
#include "handler_util.h"
#include "handlers.h"

static void
segment(struct http_req *req, enum ingest_shape shape, int type)
{
	struct ingest_batch b;
	json_object *o;

	if (handler_ingest_parse(req, shape, type, &b) != 0)
		goto out;
	if (handler_ingest_store(req, &b) != 0)
		goto out;
	o = json_object_new_object();
	json_object_object_add(o, "success", json_object_new_boolean(1));
	if (b.nproblems > 0)
		json_object_object_add(o, "rejected", handler_problems(&b));
	http_send_json(req, 200, o);
	json_object_put(o);
out:
	ingest_batch_free(&b);
}

void handle_segment_batch(struct http_req *req) { segment(req, SHAPE_SEGMENT_BATCH, -1); }
void handle_segment_track(struct http_req *req) { segment(req, SHAPE_SEGMENT_SINGLE, EV_TRACK); }
void handle_segment_identify(struct http_req *req) { segment(req, SHAPE_SEGMENT_SINGLE, EV_IDENTIFY); }
void handle_segment_page(struct http_req *req) { segment(req, SHAPE_SEGMENT_SINGLE, EV_PAGE); }
void handle_segment_screen(struct http_req *req) { segment(req, SHAPE_SEGMENT_SINGLE, EV_SCREEN); }
void handle_segment_group(struct http_req *req) { segment(req, SHAPE_SEGMENT_SINGLE, EV_GROUP); }
void handle_segment_alias(struct http_req *req) { segment(req, SHAPE_SEGMENT_SINGLE, EV_ALIAS); }
