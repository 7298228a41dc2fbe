/*
 * fields: the message field table of SPEC §4.1 and the validation of one
 * message against it. Adding a field or an alias is one line here.
 */
#include "ingest.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"
#include "llm.h"
#include "timestamp.h"
#include "util.h"

enum kind {
	K_ID,       /* string (or integer, written as decimal) */
	K_TEXT,     /* string only */
	K_OBJECT,   /* JSON object */
	K_TIME,     /* ISO 8601 string or epoch ms */
};

enum slot {
	S_TYPE, S_EVENT, S_USER, S_ANON, S_SESSION, S_MESSAGE, S_TIMESTAMP, S_SENT_AT,
	S_PROPERTIES, S_TRAITS, S_CONTEXT, S_PREVIOUS, S_GROUP, S_CONVERSATION, S_TURN,
	S_URL, S_USER_AGENT, S_SHOP, S__COUNT
};

struct field {
	enum slot slot;
	enum kind kind;
	size_t max_chars;
	const char *names[6];   /* names[0] is the one error messages use */
};

#define NAME_MAX_CHARS 200
#define ID_MAX_CHARS 200
#define MESSAGE_ID_MAX_CHARS 100    /* SPEC §4.3 */
#define URL_MAX_CHARS 2048
#define UA_MAX_CHARS 1024

static const struct field fields[] = {
	{ S_TYPE, K_TEXT, 16, { "type" } },
	/* event_type is Bilan's event name, unless it names a Segment type */
	{ S_EVENT, K_TEXT, NAME_MAX_CHARS, { "event", "name", "eventName", "event_type", "eventType" } },
	{ S_USER, K_ID, ID_MAX_CHARS, { "userId", "user_id" } },
	{ S_ANON, K_ID, ID_MAX_CHARS, { "anonymousId", "anonymous_id" } },
	{ S_SESSION, K_ID, ID_MAX_CHARS, { "sessionId", "session_id" } },
	{ S_MESSAGE, K_ID, MESSAGE_ID_MAX_CHARS, { "messageId", "message_id", "id", "event_id" } },
	{ S_TIMESTAMP, K_TIME, 0, { "timestamp", "ts" } },
	{ S_SENT_AT, K_TIME, 0, { "sentAt", "sent_at" } },
	{ S_PROPERTIES, K_OBJECT, 0, { "properties", "props" } },
	{ S_TRAITS, K_OBJECT, 0, { "traits" } },
	{ S_CONTEXT, K_OBJECT, 0, { "context" } },
	{ S_PREVIOUS, K_ID, ID_MAX_CHARS, { "previousId", "previous_id" } },
	{ S_GROUP, K_ID, ID_MAX_CHARS, { "groupId", "group_id" } },
	{ S_CONVERSATION, K_ID, ID_MAX_CHARS, { "conversationId", "conversation_id" } },
	{ S_TURN, K_ID, ID_MAX_CHARS, { "turnId", "turn_id" } },
	{ S_URL, K_TEXT, URL_MAX_CHARS, { "url" } },
	{ S_USER_AGENT, K_TEXT, UA_MAX_CHARS, { "userAgent", "user_agent" } },
	{ S_SHOP, K_ID, ID_MAX_CHARS, { "shopId", "shop_id" } },
};

static int set_problem(struct ingest_problem *p, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
set_problem(struct ingest_problem *p, const char *field, const char *fmt, ...)
{
	va_list ap;
	util_strlcpy(p->field, field, sizeof(p->field));
	va_start(ap, fmt);
	vsnprintf(p->problem, sizeof(p->problem), fmt, ap);
	va_end(ap);
	return -1;
}

/* Code points of valid UTF-8 (json-c has already checked the encoding). */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

int
ingest_time(json_object *v, int64_t *ms)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		return ts_parse_iso(json_object_get_string(v), ms);
	case json_type_int:
		*ms = json_object_get_int64(v);
		return 0;
	case json_type_double: {
		double d = json_object_get_double(v);
		if (!(d > -9.2e18 && d < 9.2e18))
			return -1;
		*ms = (int64_t)d;
		return 0;
	}
	default:
		return -1;
	}
}

/* The value of the first name present and not null. */
static json_object *
lookup(json_object *msg, const struct field *f, const char **used)
{
	for (int i = 0; i < 6 && f->names[i]; i++) {
		json_object *v;
		if (json_object_object_get_ex(msg, f->names[i], &v) && v != NULL) {
			*used = f->names[i];
			return v;
		}
	}
	return NULL;
}

/* A string-valued field: checks type and length; ids may be integers. */
static int
string_field(json_object *v, const struct field *f, const char *name,
    struct ingest_batch *owner, const char **out, struct ingest_problem *p)
{
	const char *s;

	if (json_object_is_type(v, json_type_int) && f->kind == K_ID) {
		char num[24];
		snprintf(num, sizeof(num), "%lld", (long long)json_object_get_int64(v));
		if ((s = strpool_keep(&owner->pool, strdup(num))) == NULL)
			return set_problem(p, name, "%s", "out of memory");
		*out = s;
		return 0;
	}
	if ((s = json_str(v)) == NULL)
		return set_problem(p, name, "must be a string%s", f->kind == K_ID ? " or an integer" : "");
	if (*s == '\0')
		return set_problem(p, name, "%s", "must not be empty");
	if (utf8_chars(s) > f->max_chars) {
		char lim[64];
		snprintf(lim, sizeof(lim), "%zu", f->max_chars);
		return set_problem(p, name, "longer than %s characters", lim);
	}
	*out = s;
	return 0;
}

/* Adds key=value under obj (creating obj inside parent when absent). */
static json_object *
ensure_object(json_object *parent, const char *key)
{
	json_object *o;
	if (json_object_object_get_ex(parent, key, &o) && json_object_is_type(o, json_type_object))
		return o;
	o = json_object_new_object();
	json_object_object_add(parent, key, o);
	return o;
}

static const char *
object_text(json_object *o, size_t *total)
{
	size_t len;
	const char *s;
	if (o == NULL)
		return NULL;
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	*total += len;
	return s;
}

/* Reads the LLM call an event carries into a span the batch owns (ev->llm). */
static int
ingest_llm_call(json_object *msg, json_object *props, const struct ingest_limits *lim,
    struct ingest_batch *owner, struct event *ev, struct ingest_problem *p)
{
	struct llm_limits ll = { lim->max_text_bytes, lim->now_ms };
	struct llm_span tmp, *sp;
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	tmp.start_ms = ev->ts_ms;
	rc = llm_span_from_json(msg, props, 0, &ll, &owner->pool, &tmp,
	    p->field, sizeof(p->field), p->problem, sizeof(p->problem));
	if (rc != 0)
		return rc;
	if ((sp = malloc(sizeof(*sp))) == NULL || strpool_keep(&owner->pool, (char *)sp) == NULL)
		return set_problem(p, "", "%s", "out of memory");
	*sp = tmp;
	if (llm_span_fill_ids(sp, &owner->pool) != 0)
		return set_problem(p, "", "%s", "out of memory");
	if (sp->name == NULL)
		sp->name = ev->event ? ev->event : sp->feature;
	ev->llm = sp;
	if (ev->event == NULL)
		ev->event = "llm_call";
	return 0;
}

int
ingest_message(json_object *msg, int forced_type, int64_t sent_at_ms,
    json_object *batch_context, const struct ingest_limits *lim,
    struct ingest_batch *owner, struct event *ev, struct ingest_problem *p)
{
	json_object *v[S__COUNT] = { 0 };
	const char *used[S__COUNT] = { 0 };
	const char *url = NULL, *ua = NULL;
	json_object *props, *ctx;
	int64_t ts, sent;
	size_t total = 0;

	memset(ev, 0, sizeof(*ev));
	if (!json_object_is_type(msg, json_type_object))
		return set_problem(p, "", "%s", "a message must be a JSON object");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		v[fields[i].slot] = lookup(msg, &fields[i], &used[fields[i].slot]);

	/* type: the route's, else "type", else Bilan's event_type when it is a Segment type */
	ev->type = EV_TRACK;
	if (forced_type >= 0)
		ev->type = forced_type;
	else if (v[S_TYPE] != NULL) {
		const char *t = json_str(v[S_TYPE]);
		if (t == NULL || (ev->type = event_type_parse(t)) < 0)
			return set_problem(p, "type", "%s", "must be one of track, page, screen, identify, group, alias");
	} else if (v[S_EVENT] != NULL && strcmp(used[S_EVENT], "event_type") == 0 &&
	    json_str(v[S_EVENT]) && event_type_parse(json_str(v[S_EVENT])) >= 0) {
		ev->type = event_type_parse(json_str(v[S_EVENT]));
		v[S_EVENT] = NULL;
		json_object *name;
		if (json_object_object_get_ex(msg, "eventType", &name) && name != NULL) {
			v[S_EVENT] = name;
			used[S_EVENT] = "eventType";
		}
	}

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];
		json_object *val = v[f->slot];
		const char *s = NULL;

		if (val == NULL || f->slot == S_TYPE)
			continue;
		switch (f->kind) {
		case K_ID:
		case K_TEXT:
			if (string_field(val, f, used[f->slot], owner, &s, p) != 0)
				return -1;
			total += strlen(s);
			break;
		case K_OBJECT:
			if (!json_object_is_type(val, json_type_object))
				return set_problem(p, used[f->slot], "%s", "must be a JSON object");
			continue;
		case K_TIME:
			continue;
		}
		switch (f->slot) {
		case S_EVENT: ev->event = s; break;
		case S_USER: ev->user_id = s; break;
		case S_ANON: ev->anonymous_id = s; break;
		case S_SESSION: ev->session_id = s; break;
		case S_MESSAGE: ev->message_id = s; break;
		case S_PREVIOUS: ev->previous_id = s; break;
		case S_GROUP: ev->group_id = s; break;
		case S_CONVERSATION: ev->conversation_id = s; break;
		case S_TURN: ev->turn_id = s; break;
		case S_URL: url = s; break;
		case S_USER_AGENT: ua = s; break;
		case S_SHOP: ev->shop_id = s; break;
		default: break;
		}
	}

	/* time: timestamp (default: receive time), corrected by the client's clock skew */
	ts = lim->now_ms;
	if (v[S_TIMESTAMP] != NULL && ingest_time(v[S_TIMESTAMP], &ts) != 0)
		return set_problem(p, used[S_TIMESTAMP], "%s", "must be an ISO 8601 time or epoch milliseconds");
	if (v[S_SENT_AT] != NULL) {
		if (ingest_time(v[S_SENT_AT], &sent) != 0)
			return set_problem(p, used[S_SENT_AT], "%s", "must be an ISO 8601 time or epoch milliseconds");
		sent_at_ms = sent;
	}
	if (sent_at_ms != 0 && v[S_TIMESTAMP] != NULL) {
		int64_t skew;
		if (__builtin_sub_overflow(lim->now_ms, sent_at_ms, &skew) ||
		    __builtin_add_overflow(ts, skew, &ts))
			ts = INT64_MIN;     /* refused just below */
	}
	if (ts < TS_MIN_MS || ts > lim->now_ms + 86400000LL)
		return set_problem(p, v[S_TIMESTAMP] ? used[S_TIMESTAMP] : "timestamp", "%s",
		    "must be between 2000-01-01 and one day from now");
	ev->ts_ms = ts;

	/* the seeds' extras: sessionId and shopId may sit in properties */
	props = v[S_PROPERTIES];
	if (props != NULL) {
		json_object *x;
		if (ev->session_id == NULL && json_object_object_get_ex(props, "sessionId", &x) &&
		    json_str(x) && *json_str(x)) {
			if (utf8_chars(json_str(x)) > ID_MAX_CHARS)
				return set_problem(p, "properties.sessionId", "longer than %d characters", ID_MAX_CHARS);
			ev->session_id = json_str(x);
		}
		if (ev->shop_id == NULL && json_object_object_get_ex(props, "shopId", &x) &&
		    json_str(x) && *json_str(x)) {
			if (utf8_chars(json_str(x)) > ID_MAX_CHARS)
				return set_problem(p, "properties.shopId", "longer than %d characters", ID_MAX_CHARS);
			ev->shop_id = json_str(x);
		}
	}
	if (ev->shop_id != NULL && (props == NULL || !json_object_object_get_ex(props, "shopId", NULL))) {
		if (props == NULL)
			props = ensure_object(msg, used[S_PROPERTIES] ? used[S_PROPERTIES] : "properties");
		json_object_object_add(props, "shopId", json_object_new_string(ev->shop_id));
	}

	/* context: the message's over the batch's, plus Flowtel's url and userAgent */
	ctx = v[S_CONTEXT];
	if (batch_context != NULL || url != NULL || ua != NULL) {
		if (ctx == NULL)
			ctx = ensure_object(msg, "context");
		if (batch_context != NULL) {
			/* copies: the url below must not land in the batch's shared page */
			json_object_object_foreach(batch_context, k, bv) {
				json_object *copy = NULL;
				if (json_object_object_get_ex(ctx, k, NULL))
					continue;
				if (json_object_deep_copy(bv, &copy, NULL) != 0)
					return set_problem(p, "", "%s", "out of memory");
				json_object_object_add(ctx, k, copy);
			}
		}
		if (url != NULL) {
			json_object *page = ensure_object(ctx, "page");
			if (!json_object_object_get_ex(page, "url", NULL))
				json_object_object_add(page, "url", json_object_new_string(url));
		}
		if (ua != NULL && !json_object_object_get_ex(ctx, "userAgent", NULL))
			json_object_object_add(ctx, "userAgent", json_object_new_string(ua));
	}
	ev->properties = object_text(props, &total);
	ev->context = object_text(ctx, &total);
	ev->traits = object_text(v[S_TRAITS], &total);
	if (total > lim->max_event_bytes) {
		char lim_s[32];
		snprintf(lim_s, sizeof(lim_s), "%zu", lim->max_event_bytes);
		return set_problem(p, "", "message larger than %s bytes", lim_s);
	}

	/* a message naming a model and counting tokens is also an LLM call (SPEC §4.1) */
	if (ingest_llm_call(msg, props, lim, owner, ev, p) < 0)
		return -1;

	/* what each type requires (Segment spec) */
	if (ev->type == EV_TRACK && ev->event == NULL)
		return set_problem(p, "event", "%s", "is required for track");
	if (ev->type == EV_ALIAS) {
		if (ev->previous_id == NULL)
			return set_problem(p, "previousId", "%s", "is required for alias");
		if (ev->user_id == NULL)
			return set_problem(p, "userId", "%s", "is required for alias");
	} else if (ev->user_id == NULL && ev->anonymous_id == NULL && ev->session_id == NULL &&
	    ev->llm == NULL)
		return set_problem(p, "userId", "%s", "one of userId, anonymousId or sessionId is required");
	if (ev->type == EV_GROUP && ev->group_id == NULL)
		return set_problem(p, "groupId", "%s", "is required for group");

	if (ev->message_id == NULL) {
		char *id = malloc(37);
		if (id == NULL)
			return set_problem(p, "", "%s", "out of memory");
		util_uuid4(id);
		if ((ev->message_id = strpool_keep(&owner->pool, id)) == NULL)
			return set_problem(p, "", "%s", "out of memory");
		ev->message_id_generated = 1;
	}
	return 0;
}
