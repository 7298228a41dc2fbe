/*
 * sq_rate: the rate-limit counters of SPEC §7 (store_rate_take), shared by
 * every worker process of the database through a mapped file beside it,
 * <database>.ratelimit (set up by sq_shared_map, as <database>.shared is).
 *
 * The file holds a fixed table of RATE_SLOTS slots, found by open
 * addressing on the scope id (RATE_PROBE slots from the id's home). A slot
 * counts one scope's requests of the last RATE_WINDOW_S seconds, one
 * counter a second in a ring, plus their running total. A slot whose
 * window has emptied is free for another scope. When every probed slot is
 * live, the least recently used one is taken (of those, the one counting
 * fewest requests, so a busy key outlives a flood of one-request addresses):
 * the scope it counted starts again from zero. That is lenient, never
 * strict: eviction can let requests through, never refuse one.
 *
 * Seconds are the caller's clock (now_ms): a slot never turns back for a
 * clock a few seconds behind; only a clock set back by a window or more
 * restarts it (slot_advance).
 *
 * One robust process-shared mutex guards the whole table, so a request is
 * checked against all its scopes and counted in all or none, exactly,
 * whatever the number of processes and threads. A worker that dies holding
 * the mutex leaves it to the next taker (EOWNERDEAD), which sums every
 * slot's total again from its counters, since the dead one may have left a
 * slot half moved; its own request may then be counted or not. After a
 * host crash the first process to map the file alone makes the mutex
 * afresh and keeps the counters.
 *
 * Only STORE_WORKER stores map the file: tallyctl (STORE_CLI) limits no
 * request, and store_rate_take returns -1 there, as it does when the file
 * cannot be made (say, a read-only directory).
 */
#include "sq.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "log.h"

#define RATE_MAGIC 0x74616c6c79726c31ULL        /* "tallyrl1": bump when the layout changes */
#define RATE_SLOTS_LOG2 14
#define RATE_SLOTS (1u << RATE_SLOTS_LOG2)      /* 16384 scopes live at once; 4.3 MB */
#define RATE_PROBE 8                            /* slots looked at per scope */
#define RATE_MAX_SCOPES 8                       /* per take */
/* the other scopes of a take hold fewer slots than a probe looks at: a new one always finds one */
_Static_assert(RATE_MAX_SCOPES <= RATE_PROBE, "a take's scopes must fit in one probe");

struct rate_slot {
	uint64_t id;
	int64_t last_s;                 /* the second the ring was last moved to (slot_advance) */
	uint64_t total;                 /* the sum of n[] */
	uint32_t n[RATE_WINDOW_S];      /* requests of second s at n[s % RATE_WINDOW_S]; a second
	                                 * of one scope stays far below 2^32 */
};

struct sq_rate {
	uint64_t magic;
	pthread_mutex_t lock;
	struct rate_slot slot[RATE_SLOTS];
};

/* A scope of this take: where it is counted and how full it is. */
struct rate_use {
	size_t slot;
	int fresh;                      /* the slot is another scope's (or none's): cleared before counting */
	int64_t now;                    /* the slot's second: now, or later when the clock went back */
	uint64_t total;                 /* requests in its window before this one */
};

void
sq_rate_open(struct sq_store *st)
{
	if (st->mode != STORE_WORKER)
		return;
	st->rate = sq_shared_map(st, ".ratelimit", sizeof(struct sq_rate), RATE_MAGIC,
	    offsetof(struct sq_rate, lock), "rate limits are not enforced", &st->rate_fd);
}

void
sq_rate_close(struct sq_store *st)
{
	sq_shared_unmap(st->rate, sizeof(struct sq_rate), st->rate_fd);
	st->rate = NULL;
}

size_t
sq_rate_home(uint64_t id)
{
	/* ids are hashes already, but mixing costs nothing and spreads weak ones */
	return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> (64 - RATE_SLOTS_LOG2));
}

/* Second t's counter (t >= 0: no request is counted before 1970). */
#define RING(t) ((size_t)((t) % RATE_WINDOW_S))

/*
 * Moves s's ring to second now: the seconds that left the window are
 * dropped. A clock a little behind the slot's second (a thread that read
 * it before another counted, a step back) counts in that second: the ring
 * never turns back. A clock set back by a whole window or more would
 * otherwise keep the slot's window from moving until it caught up (an
 * hour's correction, an hour of refusals), so the slot starts again at
 * now, forgetting one window at the most.
 */
static void
slot_advance(struct rate_slot *s, int64_t now)
{
	if (now <= s->last_s && s->last_s - now < RATE_WINDOW_S)
		return;
	if (now - s->last_s >= RATE_WINDOW_S || now < s->last_s) {
		memset(s->n, 0, sizeof(s->n));
		s->total = 0;
	} else {
		for (int64_t t = s->last_s + 1; t <= now; t++) {
			s->total -= s->n[RING(t)];
			s->n[RING(t)] = 0;
		}
	}
	s->last_s = now;
}

/*
 * Seconds from now until `need` of the requests counted in s's window have
 * left it: 1..RATE_WINDOW_S. The requests of second t leave at t + window.
 */
static int64_t
slot_reset(const struct rate_slot *s, int64_t now, uint64_t need)
{
	uint64_t gone = 0;

	for (int64_t t = now >= RATE_WINDOW_S ? now - RATE_WINDOW_S + 1 : 0; t <= now; t++) {
		gone += s->n[RING(t)];
		if (gone >= need)
			return t + RATE_WINDOW_S - now;
	}
	return RATE_WINDOW_S;   /* a total left off by a crash: say the whole window */
}

static int
slot_in(const struct rate_use *u, size_t nu, size_t slot)
{
	for (size_t i = 0; i < nu; i++)
		if (u[i].slot == slot)
			return 1;
	return 0;
}

/*
 * A slot for id, which holds it nowhere: the first free one of its probe,
 * else the least recently used, fewest requests first. Slots other scopes
 * of this take use (u[0..nu)) are passed over; there are fewer of them than
 * RATE_PROBE, so one is always left.
 */
static size_t
slot_claim(const struct sq_rate *r, uint64_t id, int64_t now, const struct rate_use *u, size_t nu)
{
	size_t home = sq_rate_home(id), best = RATE_SLOTS;

	for (size_t k = 0; k < RATE_PROBE; k++) {
		size_t i = (home + k) & (RATE_SLOTS - 1);
		const struct rate_slot *s = &r->slot[i];

		if (slot_in(u, nu, i))
			continue;
		if (s->total == 0 || now - s->last_s >= RATE_WINDOW_S)
			return i;
		if (best == RATE_SLOTS || s->last_s < r->slot[best].last_s ||
		    (s->last_s == r->slot[best].last_s && s->total < r->slot[best].total))
			best = i;
	}
	assert(best != RATE_SLOTS);
	return best;
}

/* The slot holding id in its probe, or RATE_SLOTS. */
static size_t
slot_find(const struct sq_rate *r, uint64_t id)
{
	size_t home = sq_rate_home(id);

	for (size_t k = 0; k < RATE_PROBE; k++) {
		size_t i = (home + k) & (RATE_SLOTS - 1);
		if (r->slot[i].id == id)
			return i;
	}
	return RATE_SLOTS;
}

/* After a holder died: its slot may be half moved, so every total is summed again. */
static void
rate_repair(struct sq_rate *r)
{
	for (size_t i = 0; i < RATE_SLOTS; i++) {
		uint64_t sum = 0;
		for (size_t t = 0; t < RATE_WINDOW_S; t++)
			sum += r->slot[i].n[t];
		r->slot[i].total = sum;
	}
}

static int
rate_lock(struct sq_rate *r)
{
	int rc = pthread_mutex_lock(&r->lock);

	if (rc == EOWNERDEAD) {
		log_msg(LOG_WARN, "%s: a worker died while counting a request; counters repaired", __func__);
		rate_repair(r);
		pthread_mutex_consistent(&r->lock);
		rc = 0;
	}
	if (rc != 0)
		log_msg(LOG_ERROR, "%s: %s", __func__, strerror(rc));
	return rc == 0 ? 0 : -1;
}

int
sq_rate_take(struct store *base, const struct rate_scope *scopes, size_t n, int64_t now_ms,
    struct rate_result *out)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_rate *r = st->rate;
	struct rate_use u[RATE_MAX_SCOPES];
	size_t lim[RATE_MAX_SCOPES];    /* u[i] counts scopes[lim[i]] */
	size_t nu = 0, pick = 0;
	int64_t now;
	int allowed = 1;

	if (out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if ((scopes == NULL && n > 0) || n > RATE_MAX_SCOPES || now_ms < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (scopes[i].limit > 0)
			lim[nu++] = i;
	if (nu == 0) {
		out->allowed = 1;       /* nothing limited: nothing to count */
		return 0;
	}
	if (r == NULL || rate_lock(r) != 0)
		return -1;
	now = now_ms / 1000;

	/* where each scope is counted: the slots already holding their ids first,
	 * so that claiming one for a new id never takes another scope's */
	for (size_t i = 0; i < nu; i++) {
		u[i].slot = slot_find(r, scopes[lim[i]].id);
		u[i].fresh = 0;
	}
	for (size_t i = 0; i < nu; i++) {
		size_t same = i;
		for (size_t j = 0; j < i; j++)
			if (scopes[lim[j]].id == scopes[lim[i]].id) {
				same = j;       /* one id twice: one slot, counted once */
				break;
			}
		if (same != i)
			u[i] = u[same];
		else if (u[i].slot == RATE_SLOTS) {
			u[i].slot = slot_claim(r, scopes[lim[i]].id, now, u, nu);
			u[i].fresh = 1;
		}
	}
	for (size_t i = 0; i < nu; i++) {
		struct rate_slot *s = &r->slot[u[i].slot];
		if (u[i].fresh) {
			u[i].now = now;
			u[i].total = 0;
		} else {
			slot_advance(s, now);
			u[i].now = s->last_s;
			u[i].total = s->total;
		}
		if (u[i].total >= (uint64_t)scopes[lim[i]].limit)
			allowed = 0;
	}

	if (!allowed) {
		/* told by the refusing scope that frees up last: before then nothing fits */
		int64_t wait = 0;
		for (size_t i = 0; i < nu; i++) {
			uint64_t limit = (uint64_t)scopes[lim[i]].limit;
			int64_t w;
			if (u[i].total < limit)
				continue;
			w = slot_reset(&r->slot[u[i].slot], u[i].now, u[i].total - limit + 1);
			if (w > wait) {
				wait = w;
				pick = i;
			}
		}
		out->reset_s = wait;
		out->remaining = 0;
	} else {
		for (size_t i = 0; i < nu; i++) {
			struct rate_slot *s = &r->slot[u[i].slot];
			if (slot_in(u, i, u[i].slot))
				continue;       /* the same slot as an earlier scope's */
			if (u[i].fresh) {
				memset(s, 0, sizeof(*s));
				s->id = scopes[lim[i]].id;
				s->last_s = now;
			}
			s->n[RING(u[i].now)]++;
			s->total++;
		}
		for (size_t i = 1; i < nu; i++)
			if (scopes[lim[i]].limit - (int64_t)u[i].total <
			    scopes[lim[pick]].limit - (int64_t)u[pick].total)
				pick = i;
		out->remaining = scopes[lim[pick]].limit - (int64_t)u[pick].total - 1;
		out->reset_s = slot_reset(&r->slot[u[pick].slot], u[pick].now, 1);
	}
	pthread_mutex_unlock(&r->lock);
	out->allowed = allowed;
	out->limit = scopes[lim[pick]].limit;
	return 0;
}

int
sq_rate_hold(struct store *base)
{
	struct sq_store *st = (struct sq_store *)base;
	return st->rate == NULL ? -1 : rate_lock(st->rate);
}
