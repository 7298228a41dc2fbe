/*
 * test_ingest: the field table of SPEC §4.1 (every alias lands in the right
 * struct event member), required fields, limits (§4.3), the three body
 * shapes, Segment's batch context and sentAt skew, and hostile values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ingest.h"
#include "llm.h"
#include "json_strict.h"
#include "timestamp.h"
#include "tap.h"

#define NOW 1718000000000LL     /* 2024-06-10T06:13:20Z: the receive time of every test */

static struct ingest_limits lim = { 32 * 1024, 2500, NOW, 8192 };
static json_object *root;
static struct ingest_batch b;

static void
reset(void)
{
	ingest_batch_free(&b);
	json_object_put(root);
	root = NULL;
}

/* Parses json (test input: must be valid) and runs ingest_parse on it. */
static int
run(const char *json, enum ingest_shape shape, int forced)
{
	char err[200];

	reset();
	if (json_parse_strict(json, strlen(json), JSON_MAX_DEPTH, &root, err, sizeof(err)) != 0) {
		tap_diag("test input does not parse (%s): %.200s", err, json);
		return -2;
	}
	return ingest_parse(root, shape, forced, &lim, &b);
}

static void
show_problems(void)
{
	if (b.fatal[0])
		tap_diag("fatal: %s: %s", b.fatal_field, b.fatal);
	for (size_t i = 0; i < b.nproblems; i++)
		tap_diag("problem [%zu] %s: %s", b.problems[i].index, b.problems[i].field,
		    b.problems[i].problem);
}

/* One message in shape that must be accepted; its event, or NULL. */
static const struct event *
accept_as(const char *json, enum ingest_shape shape, int forced)
{
	if (run(json, shape, forced) != 0 || b.n != 1 || b.nproblems != 0 || b.fatal[0]) {
		tap_diag("expected one accepted message from %.300s", json);
		show_problems();
		return NULL;
	}
	return &b.evs[0];
}

static const struct event *
accept1(const char *json)
{
	return accept_as(json, SHAPE_NATIVE, -1);
}

/* One native message that must be refused: the field its problem names. */
static const char *
refuse1(const char *json)
{
	if (run(json, SHAPE_NATIVE, -1) != 0 || b.fatal[0])
		return "(fatal)";
	if (b.n != 0 || b.nproblems != 1)
		return "(accepted)";
	if (b.problems[0].problem[0] == '\0')
		return "(no problem text)";
	return b.problems[0].field;
}

/* The string at a dotted path of a compact JSON text (ev->properties …); static storage. */
static const char *
jpath(const char *text, const char *path)
{
	static char out[512];
	json_object *o, *cur;
	char key[64];
	const char *p = path;

	if (text == NULL || (o = json_tokener_parse(text)) == NULL)
		return NULL;
	cur = o;
	while (*p) {
		size_t n = strcspn(p, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		if (!json_object_object_get_ex(cur, key, &cur)) {
			json_object_put(o);
			return NULL;
		}
		p += n + (p[n] == '.');
	}
	snprintf(out, sizeof(out), "%s", json_object_is_type(cur, json_type_string) ?
	    json_object_get_string(cur) : json_object_to_json_string_ext(cur, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return out;
}

#define MEMBER_IS(json, member, want) do { \
	const struct event *e_ = accept1(json); \
	is_str(e_ ? e_->member : "(refused)", want, "%s -> " #member, json); \
} while (0)

/* json cut to at most 80 bytes on a UTF-8 boundary, for test names. */
static const char *
shorten(const char *json)
{
	static char out[96];
	size_t n = strlen(json);

	if (n <= 80)
		return json;
	n = 77;
	while (n > 0 && ((unsigned char)json[n] & 0xC0) == 0x80)
		n--;
	snprintf(out, sizeof(out), "%.*s...", (int)n, json);
	return out;
}

#define REFUSED(json, field) is_str(refuse1(json), field, "refused, field '%s': %s", field, shorten(json))

static char *
repeat(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *s = malloc(u * n + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[u * n] = '\0';
	return s;
}

/* A message with a string field of n copies of unit. */
static char *
with_field(const char *prefix, const char *unit, size_t n, const char *suffix)
{
	char *r = repeat(unit, n), *s = malloc(strlen(prefix) + strlen(r) + strlen(suffix) + 1);
	sprintf(s, "%s%s%s", prefix, r, suffix);
	free(r);
	return s;
}

/*
 * Runs fn in a child so a sanitizer abort is a failed test, not a dead
 * suite; what the child writes on stderr (the sanitizer's report) comes
 * back as TAP diagnostics.
 */
static int
in_child(int (*fn)(void))
{
	pid_t pid;
	int st, fd[2];
	FILE *f;
	char line[512];

	fflush(stdout);
	if (pipe(fd) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		int r;
		close(fd[0]);
		dup2(fd[1], 2);
		r = fn();
		fflush(stdout);
		_exit(r);
	}
	close(fd[1]);
	if (pid < 0) {
		close(fd[0]);
		return -1;
	}
	if ((f = fdopen(fd[0], "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (line[0] != '\n')
				tap_diag("child: %.*s", (int)strcspn(line, "\n"), line);
		fclose(f);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st))
		tap_diag("child killed by signal %d", WTERMSIG(st));
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
skew_overflow_case(void)
{
	/* timestamp near INT64_MAX, sentAt near INT64_MIN: the skew sum overflows int64 */
	const char *r = refuse1("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":9223372036854775807,"
	    "\"sentAt\":-9223372036854775807}");
	if (strcmp(r, "timestamp") == 0)
		return 0;
	tap_diag("expected a problem on 'timestamp', got '%s'%s", r,
	    b.n == 1 ? " (accepted)" : "");
	if (b.n == 1)
		tap_diag("accepted with ts_ms %lld (now is %lld)", (long long)b.evs[0].ts_ms, NOW);
	return 1;
}

int
main(void)
{
	const struct event *e;
	char buf[1024], iso[32], iso2[32];

	/* ---- event types ---- */
	for (int t = 0; t < EV__COUNT; t++) {
		snprintf(buf, sizeof(buf), "{\"type\":\"%s\",\"event\":\"e\",\"userId\":\"u\","
		    "\"groupId\":\"g\",\"previousId\":\"p\"}", event_type_name(t));
		e = accept1(buf);
		is_int(e ? e->type : -1, t, "type '%s'", event_type_name(t));
		is_int(event_type_parse(event_type_name(t)), t, "event_type_parse(event_type_name(%d))", t);
	}
	is_int(event_type_parse("Track"), -1, "event_type_parse is case-sensitive");
	is_int(event_type_parse(""), -1, "event_type_parse of \"\"");
	is_str(event_type_name(99), "track", "event_type_name of an unknown type");
	e = accept1("{\"event\":\"e\",\"userId\":\"u\"}");
	is_int(e ? e->type : -1, EV_TRACK, "type defaults to track");
	REFUSED("{\"type\":\"bogus\",\"event\":\"e\",\"userId\":\"u\"}", "type");
	REFUSED("{\"type\":\"Track\",\"event\":\"e\",\"userId\":\"u\"}", "type");
	REFUSED("{\"type\":5,\"event\":\"e\",\"userId\":\"u\"}", "type");

	/* Bilan's event_type: a Segment type sets the type, anything else is the name */
	e = accept1("{\"event_type\":\"identify\",\"userId\":\"u\"}");
	ok(e && e->type == EV_IDENTIFY && e->event == NULL, "Bilan event_type 'identify' is the type");
	e = accept1("{\"event_type\":\"page\",\"anonymousId\":\"a\"}");
	ok(e && e->type == EV_PAGE, "Bilan event_type 'page' is the type");
	e = accept1("{\"event_type\":\"vote_cast\",\"userId\":\"u\"}");
	ok(e && e->type == EV_TRACK && e->event && strcmp(e->event, "vote_cast") == 0,
	    "Bilan event_type 'vote_cast' is a track event's name");
	e = accept1("{\"event_type\":\"page\",\"eventType\":\"product_view\",\"sessionId\":\"s\"}");
	ok(e && e->type == EV_PAGE && e->event && strcmp(e->event, "product_view") == 0,
	    "event_type as type, eventType as name");
	e = accept1("{\"type\":\"track\",\"event_type\":\"identify\",\"userId\":\"u\"}");
	ok(e && e->type == EV_TRACK && e->event && strcmp(e->event, "identify") == 0,
	    "an explicit type wins; event_type is then the name");
	REFUSED("{\"event_type\":\"track\",\"userId\":\"u\"}", "event");

	/* ---- every alias of SPEC §4.1 ---- */
	MEMBER_IS("{\"event\":\"signup\",\"userId\":\"u\"}", event, "signup");
	MEMBER_IS("{\"name\":\"signup\",\"userId\":\"u\"}", event, "signup");
	MEMBER_IS("{\"eventName\":\"signup\",\"userId\":\"u\"}", event, "signup");
	MEMBER_IS("{\"event_type\":\"signup\",\"userId\":\"u\"}", event, "signup");
	MEMBER_IS("{\"eventType\":\"signup\",\"userId\":\"u\"}", event, "signup");
	MEMBER_IS("{\"event\":\"e\",\"userId\":\"u1\"}", user_id, "u1");
	MEMBER_IS("{\"event\":\"e\",\"user_id\":\"u1\"}", user_id, "u1");
	MEMBER_IS("{\"event\":\"e\",\"anonymousId\":\"a1\"}", anonymous_id, "a1");
	MEMBER_IS("{\"event\":\"e\",\"anonymous_id\":\"a1\"}", anonymous_id, "a1");
	MEMBER_IS("{\"event\":\"e\",\"sessionId\":\"s1\"}", session_id, "s1");
	MEMBER_IS("{\"event\":\"e\",\"session_id\":\"s1\"}", session_id, "s1");
	MEMBER_IS("{\"event\":\"e\",\"properties\":{\"sessionId\":\"s1\"}}", session_id, "s1");
	MEMBER_IS("{\"event\":\"e\",\"sessionId\":\"top\",\"properties\":{\"sessionId\":\"p\"}}", session_id, "top");
	MEMBER_IS("{\"event\":\"e\",\"userId\":\"u\",\"messageId\":\"m1\"}", message_id, "m1");
	MEMBER_IS("{\"event\":\"e\",\"userId\":\"u\",\"message_id\":\"m1\"}", message_id, "m1");
	MEMBER_IS("{\"event\":\"e\",\"userId\":\"u\",\"id\":\"m1\"}", message_id, "m1");
	MEMBER_IS("{\"type\":\"alias\",\"userId\":\"u\",\"previousId\":\"p1\"}", previous_id, "p1");
	MEMBER_IS("{\"type\":\"alias\",\"userId\":\"u\",\"previous_id\":\"p1\"}", previous_id, "p1");
	MEMBER_IS("{\"type\":\"group\",\"userId\":\"u\",\"groupId\":\"g1\"}", group_id, "g1");
	MEMBER_IS("{\"type\":\"group\",\"userId\":\"u\",\"group_id\":\"g1\"}", group_id, "g1");
	MEMBER_IS("{\"event\":\"e\",\"userId\":\"u\",\"conversationId\":\"c1\"}", conversation_id, "c1");
	MEMBER_IS("{\"event\":\"e\",\"userId\":\"u\",\"conversation_id\":\"c1\"}", conversation_id, "c1");
	MEMBER_IS("{\"event\":\"e\",\"userId\":\"u\",\"turnId\":\"t1\"}", turn_id, "t1");
	MEMBER_IS("{\"event\":\"e\",\"userId\":\"u\",\"turn_id\":\"t1\"}", turn_id, "t1");
	MEMBER_IS("{\"event\":\"e\",\"sessionId\":\"s\",\"shopId\":\"shop1\"}", shop_id, "shop1");
	MEMBER_IS("{\"event\":\"e\",\"sessionId\":\"s\",\"shop_id\":\"shop1\"}", shop_id, "shop1");
	MEMBER_IS("{\"event\":\"e\",\"sessionId\":\"s\",\"properties\":{\"shopId\":\"shop2\"}}", shop_id, "shop2");
	MEMBER_IS("{\"event\":\"e\",\"userId\":\"camel\",\"user_id\":\"snake\"}", user_id, "camel");

	e = accept1("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":\"2024-06-01T00:00:00Z\"}");
	is_int(e ? e->ts_ms : 0, 1717200000000LL, "timestamp (ISO) -> ts_ms");
	e = accept1("{\"event\":\"e\",\"userId\":\"u\",\"ts\":1717200000123}");
	is_int(e ? e->ts_ms : 0, 1717200000123LL, "ts (epoch ms) -> ts_ms");
	e = accept1("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":1717200000123.9}");
	is_int(e ? e->ts_ms : 0, 1717200000123LL, "timestamp as a double: whole milliseconds");
	e = accept1("{\"event\":\"e\",\"userId\":\"u\"}");
	is_int(e ? e->ts_ms : 0, NOW, "no timestamp: the receive time");

	e = accept1("{\"event\":\"e\",\"userId\":\"u\",\"properties\":{\"plan\":\"pro\",\"n\":2}}");
	is_str(e ? jpath(e->properties, "plan") : NULL, "pro", "properties -> properties");
	e = accept1("{\"event\":\"e\",\"userId\":\"u\",\"props\":{\"plan\":\"pro\"}}");
	is_str(e ? jpath(e->properties, "plan") : NULL, "pro", "props -> properties");
	e = accept1("{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"email\":\"a@b.c\"}}");
	is_str(e ? jpath(e->traits, "email") : NULL, "a@b.c", "traits -> traits");
	e = accept1("{\"event\":\"e\",\"userId\":\"u\",\"context\":{\"ip\":\"1.2.3.4\",\"page\":{\"url\":\"https://x/\"}}}");
	is_str(e ? jpath(e->context, "page.url") : NULL, "https://x/", "context -> context");
	e = accept1("{\"event\":\"e\",\"userId\":\"u\"}");
	ok(e && e->properties == NULL && e->context == NULL && e->traits == NULL,
	    "absent objects are NULL");
	e = accept1("{\"event\":\"e\",\"userId\":\"u\",\"properties\":null,\"context\":null,\"anonymousId\":null}");
	ok(e && e->properties == NULL && e->context == NULL && e->anonymous_id == NULL,
	    "null values count as absent");
	e = accept1("{\"event\":\"e\",\"userId\":\"u\",\"whatever\":{\"deep\":[1,2,{\"x\":null}]},\"n\":1e300}");
	ok(e != NULL, "unknown fields are ignored");

	/* messageId: the client's, or a generated UUID */
	e = accept1("{\"event\":\"e\",\"userId\":\"u\",\"messageId\":\"m1\"}");
	ok(e && e->message_id_generated == 0, "a client messageId is not marked generated");
	if (run("[{\"event\":\"e\",\"userId\":\"u\"},{\"event\":\"e\",\"userId\":\"u\"}]", SHAPE_NATIVE, -1) == 0 && b.n == 2) {
		ok(b.evs[0].message_id && strlen(b.evs[0].message_id) == 36 && b.evs[0].message_id[14] == '4' &&
		    b.evs[0].message_id_generated == 1, "an absent messageId is a generated UUID v4");
		ok(strcmp(b.evs[0].message_id, b.evs[1].message_id) != 0, "each generated messageId differs");
	} else
		ok(0, "two messages without messageId");

	/* Flowtel: url and userAgent into context, shopId into properties */
	e = accept1("{\"eventType\":\"add_to_cart\",\"sessionId\":\"s1\",\"shopId\":\"shop9\","
	    "\"url\":\"https://shop.example/p/1\",\"userAgent\":\"UA/1\",\"properties\":{\"sku\":\"A1\"}}");
	ok(e && e->event && strcmp(e->event, "add_to_cart") == 0 && e->session_id &&
	    strcmp(e->session_id, "s1") == 0, "Flowtel: eventType and sessionId");
	is_str(e ? jpath(e->context, "page.url") : NULL, "https://shop.example/p/1", "Flowtel url -> context.page.url");
	is_str(e ? jpath(e->context, "userAgent") : NULL, "UA/1", "Flowtel userAgent -> context.userAgent");
	is_str(e ? jpath(e->properties, "shopId") : NULL, "shop9", "Flowtel shopId -> properties.shopId");
	is_str(e ? jpath(e->properties, "sku") : NULL, "A1", "Flowtel: the other properties stay");
	e = accept1("{\"event\":\"e\",\"sessionId\":\"s\",\"user_agent\":\"UA/2\"}");
	is_str(e ? jpath(e->context, "userAgent") : NULL, "UA/2", "user_agent -> context.userAgent");
	e = accept1("{\"event\":\"e\",\"sessionId\":\"s\",\"shopId\":\"x\"}");
	is_str(e ? jpath(e->properties, "shopId") : NULL, "x", "shopId without properties creates them");
	e = accept1("{\"event\":\"e\",\"sessionId\":\"s\",\"shopId\":\"x\",\"properties\":null}");
	is_str(e ? jpath(e->properties, "shopId") : NULL, "x", "shopId with properties: null");
	e = accept1("{\"event\":\"e\",\"sessionId\":\"s\",\"shopId\":17}");
	ok(e && e->shop_id && strcmp(e->shop_id, "17") == 0 && jpath(e->properties, "shopId") &&
	    strcmp(jpath(e->properties, "shopId"), "17") == 0, "an integer shopId is \"17\" in both places");
	e = accept1("{\"event\":\"e\",\"sessionId\":\"s\",\"url\":\"https://new/\","
	    "\"context\":{\"page\":{\"url\":\"https://own/\"},\"userAgent\":\"mine\"},\"userAgent\":\"other\"}");
	ok(e && jpath(e->context, "page.url") && strcmp(jpath(e->context, "page.url"), "https://own/") == 0 &&
	    strcmp(jpath(e->context, "userAgent"), "mine") == 0, "the message's own context wins over url/userAgent");

	/* ids given as integers */
	MEMBER_IS("{\"event\":\"e\",\"userId\":42}", user_id, "42");
	MEMBER_IS("{\"event\":\"e\",\"userId\":0}", user_id, "0");
	MEMBER_IS("{\"event\":\"e\",\"anonymousId\":-7}", anonymous_id, "-7");
	MEMBER_IS("{\"event\":\"e\",\"userId\":\"u\",\"messageId\":9223372036854775807}", message_id, "9223372036854775807");
	MEMBER_IS("{\"event\":\"e\",\"sessionId\":-9223372036854775808}", session_id, "-9223372036854775808");

	/* wrong types, named by the alias the client used */
	REFUSED("{\"event\":\"e\",\"userId\":1.5}", "userId");
	REFUSED("{\"event\":\"e\",\"user_id\":true}", "user_id");
	REFUSED("{\"event\":\"e\",\"userId\":{}}", "userId");
	REFUSED("{\"event\":\"e\",\"userId\":[\"u\"]}", "userId");
	REFUSED("{\"event\":\"e\",\"userId\":\"\"}", "userId");
	REFUSED("{\"event\":42,\"userId\":\"u\"}", "event");
	REFUSED("{\"name\":\"\",\"userId\":\"u\"}", "name");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"properties\":[1]}", "properties");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"props\":\"x\"}", "props");
	REFUSED("{\"type\":\"identify\",\"userId\":\"u\",\"traits\":1}", "traits");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"context\":\"x\"}", "context");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"url\":5}", "url");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"userAgent\":{}}", "userAgent");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"messageId\":\"\"}", "messageId");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"id\":true}", "id");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":\"yesterday\"}", "timestamp");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":true}", "timestamp");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":{}}", "timestamp");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"ts\":\"2024-06-01T00:00:00\"}", "ts");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"sentAt\":[]}", "sentAt");

	/* ---- required fields per type (Segment spec) ---- */
	REFUSED("{\"userId\":\"u\"}", "event");
	REFUSED("{\"event\":\"e\"}", "userId");
	REFUSED("{\"event\":\"e\",\"userId\":null}", "userId");
	ok(accept1("{\"event\":\"e\",\"sessionId\":\"s\"}") != NULL, "track with only sessionId (shop tracker)");
	ok(accept1("{\"event\":\"e\",\"anonymousId\":\"a\"}") != NULL, "track with only anonymousId");
	ok(accept1("{\"type\":\"page\",\"anonymousId\":\"a\"}") != NULL, "page needs no name");
	ok(accept1("{\"type\":\"screen\",\"userId\":\"u\"}") != NULL, "screen needs no name");
	REFUSED("{\"type\":\"page\"}", "userId");
	REFUSED("{\"type\":\"identify\",\"traits\":{}}", "userId");
	ok(accept1("{\"type\":\"identify\",\"anonymousId\":\"a\",\"traits\":{}}") != NULL, "identify with anonymousId");
	REFUSED("{\"type\":\"group\",\"userId\":\"u\"}", "groupId");
	REFUSED("{\"type\":\"group\",\"groupId\":\"g\"}", "userId");
	ok(accept1("{\"type\":\"alias\",\"previousId\":\"anon\",\"userId\":\"u\"}") != NULL, "alias with previousId and userId");
	REFUSED("{\"type\":\"alias\",\"userId\":\"u\"}", "previousId");
	REFUSED("{\"type\":\"alias\",\"previousId\":\"p\",\"anonymousId\":\"a\"}", "userId");
	/* SPEC §4.1: a message carrying model is an LLM call, which needs no identity or name */
	ok(run("{\"events\":[{\"traceId\":\"t1\",\"spanId\":\"s1\",\"feature\":\"chat\",\"provider\":\"openai\","
	    "\"model\":\"gpt-4o\",\"inputTokens\":120,\"outputTokens\":40,\"latencyMs\":830}]}", SHAPE_NATIVE, -1) == 0 &&
	    b.n == 1, "a cost-profiler LLM call without userId or event is accepted");
	show_problems();
	if (b.n == 1 && b.evs[0].llm != NULL) {
		const struct llm_span *sp = b.evs[0].llm;
		ok(strcmp(sp->trace_id, "t1") == 0 && strcmp(sp->span_id, "s1") == 0, "the call keeps its trace and span ids");
		ok(strcmp(sp->model, "gpt-4o") == 0 && strcmp(sp->provider, "openai") == 0 &&
		    strcmp(sp->feature, "chat") == 0, "model, provider and feature are read");
		ok(sp->input_tokens == 120 && sp->output_tokens == 40 && sp->latency_ms == 830.0,
		    "tokens and latency are read");
		ok(sp->end_ms - sp->start_ms == 830, "the call ends latencyMs after it starts");
		ok(strcmp(b.evs[0].event, "llm_call") == 0, "an unnamed call is stored as the event llm_call");
	} else
		ok(0, "the accepted call carries its span");
	/* Bilan: the call's fields sit in properties, snake_case */
	ok(run("{\"event_type\":\"turn_completed\",\"user_id\":\"u\",\"turn_id\":\"t\",\"properties\":"
	    "{\"model\":\"gpt-4\",\"provider\":\"openai\",\"latency\":1200,\"input_tokens\":50,"
	    "\"output_tokens\":100}}", SHAPE_NATIVE, -1) == 0 && b.n == 1 && b.evs[0].llm != NULL &&
	    b.evs[0].llm->input_tokens == 50 && b.evs[0].llm->output_tokens == 100 &&
	    b.evs[0].llm->latency_ms == 1200.0 && strcmp(b.evs[0].event, "turn_completed") == 0,
	    "a Bilan turn with model and tokens in properties is an LLM call");
	ok(run("{\"event\":\"e\",\"userId\":\"u\",\"properties\":{\"model\":\"m\"}}", SHAPE_NATIVE, -1) == 0 &&
	    b.n == 1 && b.evs[0].llm == NULL, "a model without token counts is an ordinary property");
	REFUSED("{\"model\":\"m\",\"inputTokens\":-1}", "inputTokens");
	REFUSED("{\"model\":\"m\",\"inputTokens\":1.5}", "inputTokens");
	REFUSED("{\"model\":\"m\",\"inputTokens\":1,\"latencyMs\":-3}", "latencyMs");
	REFUSED("{\"model\":\"m\",\"inputTokens\":1,\"estimatedCostUsd\":\"1\"}", "estimatedCostUsd");
	REFUSED("{\"model\":\"m\",\"inputTokens\":1,\"status\":\"weird\"}", "status");
	REFUSED("{\"model\":\"m\",\"input_tokens\":1,\"metadata\":[]}", "metadata");

	/* ---- limits ---- */
	{
		char *s;
		s = with_field("{\"userId\":\"u\",\"event\":\"", "x", 200, "\"}");
		ok(accept1(s) != NULL, "a 200-character event name");
		free(s);
		s = with_field("{\"userId\":\"u\",\"event\":\"", "x", 201, "\"}");
		REFUSED(s, "event");
		free(s);
		s = with_field("{\"userId\":\"u\",\"name\":\"", "x", 201, "\"}");
		REFUSED(s, "name");
		free(s);
		s = with_field("{\"userId\":\"u\",\"event\":\"", "\xc3\xa9", 200, "\"}");
		ok(accept1(s) != NULL, "200 'é' (400 bytes): names count code points");
		free(s);
		s = with_field("{\"userId\":\"u\",\"event\":\"", "\xf0\x9f\x98\x80", 200, "\"}");
		ok(accept1(s) != NULL, "200 emoji (800 bytes)");
		free(s);
		s = with_field("{\"userId\":\"u\",\"event\":\"", "\xc3\xa9", 201, "\"}");
		REFUSED(s, "event");
		free(s);
		s = with_field("{\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"", "m", 100, "\"}");
		ok(accept1(s) != NULL, "a 100-character messageId");
		free(s);
		s = with_field("{\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"", "m", 101, "\"}");
		REFUSED(s, "messageId");
		free(s);
		s = with_field("{\"userId\":\"u\",\"event\":\"e\",\"id\":\"", "\xe2\x82\xac", 101, "\"}");
		REFUSED(s, "id");
		free(s);
		s = with_field("{\"event\":\"e\",\"userId\":\"", "u", 200, "\"}");
		ok(accept1(s) != NULL, "a 200-character userId");
		free(s);
		s = with_field("{\"event\":\"e\",\"userId\":\"", "u", 201, "\"}");
		REFUSED(s, "userId");
		free(s);

		/* the ids the seeds put in properties obey the same 200-character cap */
		tap_todo = "properties.sessionId / properties.shopId are taken without the 200-character check";
		s = with_field("{\"event\":\"e\",\"userId\":\"u\",\"properties\":{\"sessionId\":\"", "s", 5000, "\"}}");
		e = run(s, SHAPE_NATIVE, -1) == 0 && b.n == 1 ? &b.evs[0] : NULL;
		ok(e == NULL || e->session_id == NULL || strlen(e->session_id) <= 200,
		    "a 5000-character properties.sessionId is not taken as the session id");
		if (e && e->session_id)
			tap_diag("session_id has %zu characters", strlen(e->session_id));
		free(s);
		s = with_field("{\"event\":\"e\",\"sessionId\":\"s\",\"properties\":{\"shopId\":\"", "x", 5000, "\"}}");
		e = run(s, SHAPE_NATIVE, -1) == 0 && b.n == 1 ? &b.evs[0] : NULL;
		ok(e == NULL || e->shop_id == NULL || strlen(e->shop_id) <= 200,
		    "a 5000-character properties.shopId is not taken as the shop id");
		if (e && e->shop_id)
			tap_diag("shop_id has %zu characters", strlen(e->shop_id));
		free(s);
		tap_todo = NULL;

		/* message size: max_event_bytes (32 KiB by default) */
		s = with_field("{\"event\":\"e\",\"userId\":\"u\",\"properties\":{\"p\":\"", "x", 30000, "\"}}");
		ok(accept1(s) != NULL, "a 30 kB message under a 32 KiB limit");
		free(s);
		s = with_field("{\"event\":\"e\",\"userId\":\"u\",\"properties\":{\"p\":\"", "x", 40000, "\"}}");
		REFUSED(s, "");
		ok(b.nproblems == 1 && strstr(b.problems[0].problem, "32768") != NULL,
		    "the size problem names the limit");
		free(s);
		s = with_field("{\"event\":\"e\",\"userId\":\"u\",\"context\":{\"a\":[", "1,", 20000, "1]}}");
		REFUSED(s, "");
		free(s);
		s = with_field("{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"t\":\"", "\xe2\x82\xac", 12000, "\"}}");
		REFUSED(s, "");
		free(s);
		/* a batch context counts in each message it is merged into */
		{
			char *ctx = with_field("{\"batch\":[{\"event\":\"e\",\"userId\":\"u\"}],\"context\":{\"c\":\"", "x", 40000, "\"}}");
			ok(run(ctx, SHAPE_SEGMENT_BATCH, -1) == 0 && b.n == 0 && b.nproblems == 1,
			    "a 40 kB batch context makes each message too large");
			free(ctx);
		}
	}

	/* batch size: max_batch_events */
	lim.max_batch_events = 3;
	ok(run("[{\"event\":\"e\",\"userId\":\"u\"},{\"event\":\"e\",\"userId\":\"u\"},{\"event\":\"e\",\"userId\":\"u\"}]",
	    SHAPE_NATIVE, -1) == 0 && b.n == 3 && !b.fatal[0], "a batch at max_batch_events is taken");
	ok(run("[{\"event\":\"e\",\"userId\":\"u\"},{},{},{}]", SHAPE_NATIVE, -1) == 0 && b.n == 0 &&
	    b.nproblems == 0 && b.total == 4 && strcmp(b.fatal_field, "batch") == 0,
	    "one message over max_batch_events: fatal, nothing taken");
	ok(run("{\"events\":[{},{},{},{}]}", SHAPE_NATIVE, -1) == 0 && b.fatal[0] && b.n == 0,
	    "the limit applies to {\"events\":[…]}");
	ok(run("{\"batch\":[{},{},{},{}]}", SHAPE_SEGMENT_BATCH, -1) == 0 && b.fatal[0] && b.n == 0,
	    "the limit applies to a Segment batch");
	lim.max_batch_events = 2500;

	/* ---- shapes ---- */
	ok(run("{\"event\":\"e\",\"userId\":\"u\"}", SHAPE_NATIVE, -1) == 0 && b.n == 1 && b.total == 1 &&
	    b.index[0] == 0, "native: one message");
	ok(run("[{\"event\":\"a\",\"userId\":\"u\"},{\"userId\":\"u\"},{\"event\":\"c\",\"userId\":\"u\"}]",
	    SHAPE_NATIVE, -1) == 0 && b.n == 2 && b.total == 3 && b.index[0] == 0 && b.index[1] == 2 &&
	    b.nproblems == 1 && b.problems[0].index == 1 && strcmp(b.problems[0].field, "event") == 0 &&
	    strcmp(b.evs[1].event, "c") == 0,
	    "native array: the bad message is listed with its index, the others kept in order");
	ok(run("{\"events\":[{\"event\":\"a\",\"userId\":\"u\"},{\"event\":\"b\",\"userId\":\"u\"}]}",
	    SHAPE_NATIVE, -1) == 0 && b.n == 2, "native {\"events\":[…]}");
	ok(run("{\"batch\":[{\"event\":\"a\",\"userId\":\"u\"},{\"event\":\"b\",\"userId\":\"u\"}]}",
	    SHAPE_NATIVE, -1) == 0 && b.n == 2, "native {\"batch\":[…]}");
	ok(run("[]", SHAPE_NATIVE, -1) == 0 && b.n == 0 && b.nproblems == 0 && !b.fatal[0] && b.total == 0,
	    "native: an empty array is no messages");
	ok(run("42", SHAPE_NATIVE, -1) == 0 && b.fatal[0] && b.n == 0, "native: a number is fatal");
	ok(run("\"track\"", SHAPE_NATIVE, -1) == 0 && b.fatal[0], "native: a string is fatal");
	ok(run("[1,\"x\",null,[],true]", SHAPE_NATIVE, -1) == 0 && b.n == 0 && b.nproblems == 5 &&
	    b.problems[4].index == 4 && strstr(b.problems[0].problem, "object") != NULL,
	    "native: non-object messages are each listed");
	ok(run("{\"writeKey\":\"tk_pub_abc\",\"batch\":[{\"event\":\"e\",\"userId\":\"u\"}]}", SHAPE_NATIVE, -1) == 0 &&
	    b.write_key && strcmp(b.write_key, "tk_pub_abc") == 0, "writeKey found in the body");
	ok(run("{\"write_key\":\"tk_pub_abc\",\"event\":\"e\",\"userId\":\"u\"}", SHAPE_NATIVE, -1) == 0 &&
	    b.write_key && strcmp(b.write_key, "tk_pub_abc") == 0 && b.n == 1, "write_key in a single message");
	ok(run("{\"writeKey\":7,\"event\":\"e\",\"userId\":\"u\"}", SHAPE_NATIVE, -1) == 0 && b.write_key == NULL,
	    "a non-string writeKey is ignored");

	/* Segment batch: context merged, message's own keys win */
	ok(run("{\"batch\":[{\"type\":\"track\",\"event\":\"a\",\"userId\":\"u\"},"
	    "{\"type\":\"track\",\"event\":\"b\",\"userId\":\"u\",\"context\":{\"ip\":\"1.2.3.4\",\"library\":{\"name\":\"mine\"}}}],"
	    "\"context\":{\"library\":{\"name\":\"analytics-node\",\"version\":\"1\"},\"locale\":\"fr\"}}",
	    SHAPE_SEGMENT_BATCH, -1) == 0 && b.n == 2, "Segment batch with a context");
	if (b.n == 2) {
		is_str(jpath(b.evs[0].context, "library.name"), "analytics-node", "batch context merged into message 0");
		is_str(jpath(b.evs[0].context, "locale"), "fr", "batch context key 'locale' in message 0");
		is_str(jpath(b.evs[1].context, "library.name"), "mine", "the message's own context key wins");
		is_str(jpath(b.evs[1].context, "ip"), "1.2.3.4", "the message's other context keys stay");
		is_str(jpath(b.evs[1].context, "locale"), "fr", "batch context key 'locale' in message 1");
	}
	ok(run("{\"event\":\"e\",\"userId\":\"u\"}", SHAPE_SEGMENT_BATCH, -1) == 0 &&
	    strcmp(b.fatal_field, "batch") == 0, "Segment batch without batch: fatal");
	ok(run("{\"batch\":{}}", SHAPE_SEGMENT_BATCH, -1) == 0 && strcmp(b.fatal_field, "batch") == 0,
	    "Segment batch: batch not an array is fatal");
	ok(run("[{\"event\":\"e\",\"userId\":\"u\"}]", SHAPE_SEGMENT_BATCH, -1) == 0 && b.fatal[0],
	    "Segment batch: a bare array is fatal");
	ok(run("{\"batch\":[],\"context\":\"x\"}", SHAPE_SEGMENT_BATCH, -1) == 0 &&
	    strcmp(b.fatal_field, "context") == 0, "Segment batch: a non-object context is fatal");
	ok(run("{\"batch\":[],\"sentAt\":\"soon\"}", SHAPE_SEGMENT_BATCH, -1) == 0 &&
	    strcmp(b.fatal_field, "sentAt") == 0, "Segment batch: a bad sentAt is fatal");
	ok(run("{\"batch\":[{\"event\":\"a\",\"userId\":\"u\"},{\"event\":\"b\"}]}", SHAPE_SEGMENT_BATCH, -1) == 0 &&
	    b.n == 1 && b.nproblems == 1 && b.problems[0].index == 1,
	    "Segment batch: the valid message kept, the invalid one listed");

	/* the batch context is shared: one message's url must not leak into the next */
	ok(run("{\"batch\":[{\"type\":\"page\",\"userId\":\"u\",\"url\":\"https://a.example/\"},"
	    "{\"type\":\"page\",\"userId\":\"u\"},{\"type\":\"page\",\"userId\":\"u\",\"url\":\"https://c.example/\"}],"
	    "\"context\":{\"page\":{\"title\":\"T\"}}}", SHAPE_SEGMENT_BATCH, -1) == 0 && b.n == 3,
	    "Segment batch with a context.page and Flowtel urls");
	if (b.n == 3) {
		is_str(jpath(b.evs[0].context, "page.url"), "https://a.example/", "message 0 has its url");
		is_str(jpath(b.evs[0].context, "page.title"), "T", "message 0 has the batch page title");
		tap_todo = "ingest_message adds url to the batch context's shared page object";
		is_str(jpath(b.evs[1].context, "page.url"), NULL, "message 1 (no url) gets no url from message 0");
		is_str(jpath(b.evs[2].context, "page.url"), "https://c.example/", "message 2 has its own url");
		{
			json_object *ctx, *page;
			ok(json_object_object_get_ex(root, "context", &ctx) &&
			    json_object_object_get_ex(ctx, "page", &page) &&
			    !json_object_object_get_ex(page, "url", NULL),
			    "the batch context itself is left as sent");
		}
		tap_todo = NULL;
	}

	/* sentAt: timestamp corrected by receivedAt - sentAt (Segment's clock-skew rule) */
	ts_format_iso(NOW - 10000, iso);
	ts_format_iso(NOW - 5000, iso2);
	snprintf(buf, sizeof(buf), "{\"batch\":[{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":\"%s\"},"
	    "{\"event\":\"e\",\"userId\":\"u\"},{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":\"%s\",\"sentAt\":%lld}],"
	    "\"sentAt\":\"%s\"}", iso, iso, NOW - 8000, iso2);
	if (run(buf, SHAPE_SEGMENT_BATCH, -1) == 0 && b.n == 3) {
		is_int(b.evs[0].ts_ms, NOW - 5000, "client clock 5 s behind: timestamp moved 5 s forward");
		is_int(b.evs[1].ts_ms, NOW, "no timestamp: the receive time, no correction");
		is_int(b.evs[2].ts_ms, NOW - 2000, "a message's own sentAt overrides the batch's");
	} else {
		ok(0, "Segment batch with sentAt");
		show_problems();
	}
	/* client clock 1 minute ahead: timestamps from its future are brought back */
	snprintf(buf, sizeof(buf), "{\"batch\":[{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":%lld}],\"sentAt\":%lld}",
	    NOW + 50000 + 86400000LL, NOW + 60000 + 86400000LL);
	e = accept_as(buf, SHAPE_SEGMENT_BATCH, -1);
	is_int(e ? e->ts_ms : 0, NOW - 10000, "client clock a day ahead: corrected before the range check");
	snprintf(buf, sizeof(buf), "{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":%lld,\"sentAt\":%lld}",
	    NOW - 3000, NOW - 1000);
	e = accept1(buf);
	is_int(e ? e->ts_ms : 0, NOW - 2000, "sentAt on a single native message");

	/* Segment single: the route's type */
	e = accept_as("{\"userId\":\"u\",\"traits\":{\"plan\":\"pro\"}}", SHAPE_SEGMENT_SINGLE, EV_IDENTIFY);
	ok(e && e->type == EV_IDENTIFY && jpath(e->traits, "plan"), "/identify: type from the route");
	e = accept_as("{\"type\":\"track\",\"userId\":\"u\"}", SHAPE_SEGMENT_SINGLE, EV_PAGE);
	ok(e && e->type == EV_PAGE, "/page: the route's type wins over the body's");
	ok(run("[{\"userId\":\"u\"}]", SHAPE_SEGMENT_SINGLE, EV_PAGE) == 0 && b.fatal[0] && b.n == 0,
	    "Segment single: an array is fatal");
	ok(run("{\"userId\":\"u\"}", SHAPE_SEGMENT_SINGLE, EV_TRACK) == 0 && b.n == 0 && b.nproblems == 1 &&
	    strcmp(b.problems[0].field, "event") == 0, "/track without event: listed");
	ok(run("{\"event\":\"e\",\"userId\":\"u\",\"batch\":[1]}", SHAPE_SEGMENT_SINGLE, EV_TRACK) == 0 &&
	    b.n == 1, "Segment single: a 'batch' member is just an unknown field");

	/* ---- timestamps out of range (2000-01-01 .. now + 1 day) ---- */
	ok(accept1("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":\"2000-01-01T00:00:00Z\"}") != NULL,
	    "2000-01-01T00:00:00Z is the first accepted instant");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":\"1999-12-31T23:59:59.999Z\"}", "timestamp");
	snprintf(buf, sizeof(buf), "{\"event\":\"e\",\"userId\":\"u\",\"ts\":%lld}", TS_MIN_MS - 1);
	REFUSED(buf, "ts");
	snprintf(buf, sizeof(buf), "{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":%lld}", NOW + 86400000LL);
	ok(accept1(buf) != NULL, "now + 1 day accepted");
	snprintf(buf, sizeof(buf), "{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":%lld}", NOW + 86400001LL);
	REFUSED(buf, "timestamp");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":0}", "timestamp");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":-1}", "timestamp");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":9223372036854775807}", "timestamp");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":-9223372036854775808}", "timestamp");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":1e300}", "timestamp");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":\"9999-12-31T23:59:59Z\"}", "timestamp");
	REFUSED("{\"event\":\"e\",\"userId\":\"u\",\"timestamp\":\"2024-02-30T00:00:00Z\"}", "timestamp");
	tap_todo = "ingest_message computes ts + (now - sentAt) in int64 without an overflow check";
	ok(in_child(skew_overflow_case) == 0,
	    "extreme timestamp and sentAt: refused without signed overflow (matters under UBSan)");
	tap_todo = NULL;

	/* ingest_time directly */
	{
		json_object *o = json_tokener_parse("[\"2024-06-01T00:00:00Z\",1717200000000,1717200000000.5,true,1e19,\"x\",null]");
		int64_t ms = 0;
		ok(ingest_time(json_object_array_get_idx(o, 0), &ms) == 0 && ms == 1717200000000LL, "ingest_time: ISO string");
		ok(ingest_time(json_object_array_get_idx(o, 1), &ms) == 0 && ms == 1717200000000LL, "ingest_time: integer ms");
		ok(ingest_time(json_object_array_get_idx(o, 2), &ms) == 0 && ms == 1717200000000LL, "ingest_time: double ms");
		ok(ingest_time(json_object_array_get_idx(o, 3), &ms) == -1, "ingest_time: a boolean is refused");
		ok(ingest_time(json_object_array_get_idx(o, 4), &ms) == -1, "ingest_time: 1e19 is refused");
		ok(ingest_time(json_object_array_get_idx(o, 5), &ms) == -1, "ingest_time: a bad string is refused");
		ok(ingest_time(json_object_array_get_idx(o, 6), &ms) == -1, "ingest_time: null is refused");
		json_object_put(o);
	}

	/* ingest_message directly: not an object */
	{
		struct ingest_batch owner;
		struct ingest_problem p;
		struct event ev;
		json_object *o = json_object_new_int(1);
		memset(&owner, 0, sizeof(owner));
		memset(&p, 0, sizeof(p));
		ok(ingest_message(o, -1, 0, NULL, &lim, &owner, &ev, &p) == -1 && p.problem[0] != '\0',
		    "ingest_message refuses a non-object with a problem");
		json_object_put(o);
		ingest_batch_free(&owner);
	}

	/* a full batch at the default limit: 2500 messages, fast */
	{
		struct buf_ { char *s; size_t n; } big = { malloc(2500 * 80 + 16), 0 };
		big.s[big.n++] = '[';
		for (int i = 0; i < 2500; i++)
			big.n += (size_t)sprintf(big.s + big.n, "%s{\"event\":\"e%d\",\"userId\":\"u%d\",\"properties\":{\"i\":%d}}",
			    i ? "," : "", i, i % 17, i);
		big.s[big.n++] = ']';
		big.s[big.n] = '\0';
		ok(run(big.s, SHAPE_NATIVE, -1) == 0 && b.n == 2500 && b.index[2499] == 2499 &&
		    strcmp(b.evs[2499].event, "e2499") == 0, "2500 messages at the default limit");
		free(big.s);
	}

	reset();
	ingest_batch_free(&b);
	ok(1, "ingest_batch_free twice is harmless");
	return tap_done();
}
