/* event: one validated message (SPEC §4.1), as every wire dialect produces it. */
#ifndef TALLY_EVENT_H
#define TALLY_EVENT_H

#include <stdint.h>

struct llm_span;

enum event_type { EV_TRACK, EV_PAGE, EV_SCREEN, EV_IDENTIFY, EV_GROUP, EV_ALIAS, EV__COUNT };

/* Strings are borrowed (from the parsed body or the request's arena); NULL = absent. */
struct event {
	int type;                       /* enum event_type */
	const char *event;              /* name; required for track */
	const char *user_id, *anonymous_id, *session_id;
	const char *message_id;         /* always set: the client's or a generated UUID */
	int message_id_generated;       /* 1: nothing to deduplicate against */
	const char *group_id, *previous_id;
	const char *conversation_id, *turn_id, *shop_id;
	int64_t ts_ms;                  /* event time after clock-skew correction */
	const char *properties;         /* compact JSON object text, or NULL */
	const char *context;
	const char *traits;
	const struct llm_span *llm;     /* the LLM call it carries (SPEC §4.1), or NULL */
};

/* Name of a type ("track") and back; -1 for an unknown name. */
const char *event_type_name(int type);
int event_type_parse(const char *name);

#endif
