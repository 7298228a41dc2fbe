/*
 * publisher: the pool's process that feeds Nchan (docs/realtime.md).
 *
 * Every 100 ms it reads the shared table (stream.c). For a project whose
 * data changed since its last update, and whose last update is at least a
 * second old (SPEC §9: at most one a second), it computes both payloads
 * from the store and publishes, as event `update`, those whose content
 * differs from what it published last. For a project that subscribers
 * joined, it publishes a `snapshot` of the current totals, which every
 * subscriber of the channel receives, the newcomers included: the
 * subscriber location starts new subscribers at the next message
 * (nchan_subscriber_first_message newest; `-1`, the newest buffered one,
 * crashes nginx workers on Debian's Nchan 1.3.6 when many subscribers
 * join at once: nchan issues #534, #720). The snapshot goes out at least
 * JOIN_SETTLE_MS after the join was marked, time for nginx to take the
 * worker's redirect and register the subscriber, and once more a second
 * later for a subscriber nginx registered late; a burst of joins costs one
 * snapshot per 100 ms at most.
 *
 * The totals are those of the current UTC day, read from the rollups the
 * commit keeps (one small read per project and publish), so ingest never
 * waits on this process and the payload is full totals: a client that
 * missed a message loses nothing but the intermediate values.
 */
#include "stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "handler_util.h"
#include "jwt_keys.h"
#include "log.h"
#include "store.h"
#include "timestamp.h"
#include "util.h"


#define TICK_US 100000
#define UPDATE_GAP_MS 1000          /* SPEC §9: at most one update a second per project */
#define JOIN_SETTLE_MS 50           /* from the worker's redirect to Nchan's subscriber: well under this */
#define JOIN_WAIT_MS 200            /* the longest a join waits for a snapshot while others keep joining */
#define JOIN_AGAIN_MS 1000          /* one more snapshot this long after a join's, for slow registrations */
#define TOP_EVENTS 10

struct target {
	struct sockaddr_in addr;
	char prefix[256];               /* the path the channel id is appended to */
};

/* What was last published on one channel. */
struct sent {
	uint64_t hash;                  /* of the payload without its timestamp; 0: nothing yet */
	int64_t at_ms;
};

struct proj {
	int64_t id;
	int64_t seen_changed, seen_wanted, update_ms;
	int64_t pending_ms;             /* since when a join waits for its snapshot (0: none) */
	int64_t again_ms;               /* when to send the follow-up snapshot (0: none due) */
	struct sent ch[2];
};

/* http://IPv4:port/path/ only: the publisher location is on loopback, never a name to resolve. */
static int
target_parse(const char *url, struct target *t)
{
	char host[64];
	const char *p, *slash, *colon;
	long port = 80;

	memset(t, 0, sizeof(*t));
	if (strncmp(url, "http://", 7) != 0)
		return -1;
	p = url + 7;
	if ((slash = strchr(p, '/')) == NULL)
		return -1;
	colon = memchr(p, ':', (size_t)(slash - p));
	if ((size_t)((colon ? colon : slash) - p) >= sizeof(host))
		return -1;
	memcpy(host, p, (size_t)((colon ? colon : slash) - p));
	host[(colon ? colon : slash) - p] = '\0';
	if (colon != NULL) {
		char *end;
		port = strtol(colon + 1, &end, 10);
		if (end != slash || port < 1 || port > 65535)
			return -1;
	}
	t->addr.sin_family = AF_INET;
	t->addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &t->addr.sin_addr) != 1)
		return -1;
	if (util_strlcpy(t->prefix, slash, sizeof(t->prefix)) >= sizeof(t->prefix))
		return -1;
	return 0;
}

/* POSTs one message; 0 when nginx answered 2xx. One connection per message: loopback, a few per second. */
static int
publish(const struct target *t, const char *channel, const char *event, const char *data)
{
	struct timeval tv = { 1, 0 };
	char head[512], resp[64];
	size_t len = strlen(data);
	ssize_t n;
	int fd, rc = -1, hn;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)&t->addr, sizeof(t->addr)) != 0)
		goto out;
	hn = snprintf(head, sizeof(head),
	    "POST %s%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
	    "X-EventSource-Event: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
	    t->prefix, channel, event, len);
	if (hn < 0 || (size_t)hn >= sizeof(head) ||
	    send(fd, head, (size_t)hn, MSG_NOSIGNAL) != hn ||
	    send(fd, data, len, MSG_NOSIGNAL) != (ssize_t)len)
		goto out;
	if ((n = recv(fd, resp, sizeof(resp) - 1, 0)) < 12)
		goto out;
	resp[n] = '\0';
	if (strncmp(resp, "HTTP/1.1 2", 10) == 0 || strncmp(resp, "HTTP/1.0 2", 10) == 0)
		rc = 0;
out:
	close(fd);
	return rc;
}

static int64_t
day_start(int64_t now_ms)
{
	return now_ms - now_ms % 86400000;
}

/* Today's LLM totals: calls and cost, and the cost per feature (int64 nano-dollar objects). */
struct costs {
	json_object *features;
	int64_t calls, cost_nusd;
};

static int
feature_row(void *ctx, const struct llm_agg *r)
{
	struct costs *c = ctx;
	const char *key = r->key1 && *r->key1 ? r->key1 : "(none)";
	json_object *prev;
	int64_t cost = r->cost_nusd;

	if (json_object_object_get_ex(c->features, key, &prev))
		cost = util_add_sat(cost, json_object_get_int64(prev));
	json_object_object_add(c->features, key, json_object_new_int64(cost));
	c->calls += r->calls;
	c->cost_nusd = util_add_sat(c->cost_nusd, r->cost_nusd);
	return 0;
}

/* {count, totalCost, features, since}: today's LLM calls, their cost (USD) and its split by feature. */
static json_object *
costs_payload(struct store *st, int64_t project_id, int64_t now_ms)
{
	struct llm_query q;
	struct costs c = { json_object_new_object(), 0, 0 };
	json_object *o = NULL, *features;

	memset(&q, 0, sizeof(q));
	q.from_ms = day_start(now_ms);
	q.to_ms = now_ms + 1;
	q.by = BY_FEATURE;
	if (store_llm_aggregate(st, project_id, &q, feature_row, &c) == 0) {
		features = json_object_new_object();
		json_object_object_foreach(c.features, k, v)
			json_object_object_add(features, k, handler_usd(json_object_get_int64(v)));
		o = json_object_new_object();
		json_object_object_add(o, "count", json_object_new_int64(c.calls));
		json_object_object_add(o, "totalCost", handler_usd(c.cost_nusd));
		json_object_object_add(o, "features", features);
		json_object_object_add(o, "since", handler_time(q.from_ms));
	}
	json_object_put(c.features);
	return o;
}

struct top {
	char name[TOP_EVENTS][128];
	int64_t count[TOP_EVENTS];
	int n;
	int64_t events, users;
};

static int
total_row(void *ctx, const struct event_agg *r)
{
	struct top *t = ctx;
	t->events += r->events;
	t->users += r->users;
	return 0;
}

/* Keeps the TOP_EVENTS largest counts, largest first (ties: the first seen). */
static int
name_row(void *ctx, const struct event_agg *r)
{
	struct top *t = ctx;
	int i = t->n < TOP_EVENTS ? t->n++ : TOP_EVENTS - 1;

	if (i == TOP_EVENTS - 1 && t->n == TOP_EVENTS && t->count[i] >= r->events &&
	    t->name[i][0] != '\0')
		return 0;
	for (; i > 0 && t->count[i - 1] < r->events; i--) {
		t->count[i] = t->count[i - 1];
		memcpy(t->name[i], t->name[i - 1], sizeof(t->name[i]));
	}
	t->count[i] = r->events;
	util_strlcpy(t->name[i], r->key ? r->key : "", sizeof(t->name[i]));
	return 0;
}

/* {count, users, topEvents, since}: today's events, distinct users, and the most frequent names. */
static json_object *
events_payload(struct store *st, int64_t project_id, int64_t now_ms)
{
	struct event_query q;
	struct top t;
	json_object *o, *top;

	memset(&q, 0, sizeof(q));
	memset(&t, 0, sizeof(t));
	q.from_ms = day_start(now_ms);
	q.to_ms = now_ms + 1;
	q.dim = EDIM_NONE;
	q.sketches = EQ_USERS;
	if (store_event_aggregate(st, project_id, &q, total_row, &t) != 0)
		return NULL;
	q.dim = EDIM_EVENT;
	q.sketches = 0;
	if (store_event_aggregate(st, project_id, &q, name_row, &t) != 0)
		return NULL;
	top = json_object_new_array();
	for (int i = 0; i < t.n; i++) {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "event", json_object_new_string(t.name[i]));
		json_object_object_add(e, "count", json_object_new_int64(t.count[i]));
		json_object_array_add(top, e);
	}
	o = json_object_new_object();
	json_object_object_add(o, "count", json_object_new_int64(t.events));
	json_object_object_add(o, "users", json_object_new_int64(t.users));
	json_object_object_add(o, "topEvents", top);
	json_object_object_add(o, "since", handler_time(q.from_ms));
	return o;
}

/*
 * Publishes channel `kind` of p: as a snapshot (snapshot != 0) always, as
 * an update only when its content differs from the last message. -1 when
 * the totals could not be read or nginx did not take the message.
 */
static int
publish_kind(struct store *st, const struct target *t, const struct jwt_keyring *jwt,
    struct proj *p, int kind, int snapshot, int64_t now_ms)
{
	json_object *o = kind == STREAM_COSTS ? costs_payload(st, p->id, now_ms)
	    : events_payload(st, p->id, now_ms);
	struct sent *s = &p->ch[kind];
	char channel[65];
	const char *text;
	uint64_t h;
	int rc = -1;

	if (o == NULL) {
		log_msg(LOG_WARN, "%s: cannot read the totals of project %lld", __func__, (long long)p->id);
		return -1;
	}
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	h = (uint64_t)util_hash64(text, strlen(text)) | 1;
	if (!snapshot && s->hash == h) {
		json_object_put(o);
		return 0;
	}
	/* the publish time, for the client (and the delivery latency in tests/bench/stream.sh) */
	json_object_object_add(o, "timestamp", handler_time(now_ms));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	stream_channel(jwt->secret, jwt->secret_len, kind, p->id, channel);
	if (publish(t, channel, snapshot ? "snapshot" : "update", text) == 0) {
		s->hash = h;
		s->at_ms = now_ms;
		rc = 0;
	} else {
		log_msg(LOG_WARN, "%s: nginx did not take the message for project %lld "
		    "(stream_publish_url: is the nchan_publisher location there?)", __func__,
		    (long long)p->id);
	}
	json_object_put(o);
	return rc;
}

/* Both channels of p; -1 when either failed. */
static int
publish_both(struct store *st, const struct target *t, const struct jwt_keyring *jwt,
    struct proj *p, int snapshot, int64_t now_ms)
{
	int a = publish_kind(st, t, jwt, p, STREAM_COSTS, snapshot, now_ms);
	int b = publish_kind(st, t, jwt, p, STREAM_EVENTS, snapshot, now_ms);
	return a == 0 && b == 0 ? 0 : -1;
}

int
stream_publisher_run(const struct cfg *cfg, const struct jwt_keyring *jwt, volatile int *stop)
{
	struct target t;
	struct proj *projs;
	struct store *st;
	char err[512];

	if (target_parse(cfg->stream_publish_url, &t) != 0) {
		log_msg(LOG_ERROR, "stream_publish_url must be http://<IPv4>:<port>/<path>/, not %s",
		    cfg->stream_publish_url);
		return 1;
	}
	/* SQLite connections must not cross fork(): opened here, in the publisher */
	if ((st = store_open(cfg, STORE_CLI, err, sizeof(err))) == NULL) {
		log_msg(LOG_ERROR, "%s", err);
		return 1;
	}
	if ((projs = calloc(STREAM_SLOTS, sizeof(*projs))) == NULL) {
		store_close(st);
		return 1;
	}
	while (!*stop) {
		int64_t now = util_now_ms();

		for (size_t i = 0; i < STREAM_SLOTS; i++) {
			struct proj *p = &projs[i];
			int64_t changed, wanted, id = stream_slot_read(i, &changed, &wanted);

			if (id == 0)
				continue;
			p->id = id;
			if (changed > p->seen_changed && now - p->update_ms >= UPDATE_GAP_MS) {
				/* marks read before the read of the store: a commit meanwhile is seen next tick */
				p->seen_changed = changed;
				p->update_ms = now;
				if (publish_both(st, &t, jwt, p, 0, now) != 0)
					p->seen_changed = 0;    /* tried again after the gap */
			}
			if (wanted > p->seen_wanted && p->pending_ms == 0)
				p->pending_ms = now;
			/*
			 * When the latest join has settled, one snapshot serves every
			 * join so far; under a steady stream of joins, one every
			 * JOIN_WAIT_MS serves those that have settled, and the rest
			 * stay pending.
			 */
			if (wanted > p->seen_wanted &&
			    (wanted <= now - JOIN_SETTLE_MS || now - p->pending_ms >= JOIN_WAIT_MS)) {
				p->seen_wanted = wanted <= now - JOIN_SETTLE_MS ? wanted : now - JOIN_SETTLE_MS;
				p->pending_ms = 0;
				p->again_ms = now + JOIN_AGAIN_MS;
				publish_both(st, &t, jwt, p, 1, now);
			} else if (p->again_ms != 0 && now >= p->again_ms) {
				/* a subscriber nginx registered late (a loaded machine) still gets one */
				p->again_ms = publish_both(st, &t, jwt, p, 1, now) == 0 ? 0 : now + JOIN_AGAIN_MS;
			}
		}
		usleep(TICK_US);
	}
	free(projs);
	store_close(st);
	return 0;
}
