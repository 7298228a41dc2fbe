/*
 * sq_event_read: product analytics read from the event rollups (sums of
 * counts, unions of HyperLogLog sketches), and per-minute counts read from
 * the raw events for the last hours.
 */
#include "sq.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hll.h"
#include "log.h"
#include "util.h"

#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL

/* ---- output groups: (key, bucket) → sums ---- */

struct agg {
	char *key;
	int64_t bucket, events;
	struct hll *users, *sessions;
	uint64_t hash;
};

struct aggs {
	struct agg *a;
	size_t n, cap, *slots, nslots;
	int sketches;
};

static struct agg *
agg_get(struct aggs *m, const char *key, int64_t bucket)
{
	uint64_t h = (uint64_t)util_hash64(key, strlen(key)) * 31 + (uint64_t)bucket;
	struct agg *a;
	size_t j;

	if (m->n >= m->cap) {
		if ((a = sq_map_grow(m->a, sizeof(*m->a), offsetof(struct agg, hash), m->n, &m->cap,
		    &m->slots, &m->nslots, 64)) == NULL)
			return NULL;
		m->a = a;
	}
	for (j = h & (m->nslots - 1); m->slots[j]; j = (j + 1) & (m->nslots - 1)) {
		a = &m->a[m->slots[j] - 1];
		if (a->hash == h && a->bucket == bucket && strcmp(a->key, key) == 0)
			return a;
	}
	a = &m->a[m->n];
	memset(a, 0, sizeof(*a));
	a->bucket = bucket;
	a->hash = h;
	if ((a->key = strdup(key)) == NULL)
		return NULL;
	if (((m->sketches & EQ_USERS) && (a->users = hll_new()) == NULL) ||
	    ((m->sketches & EQ_SESSIONS) && (a->sessions = hll_new()) == NULL)) {
		hll_free(a->users);
		free(a->key);
		return NULL;
	}
	m->slots[j] = ++m->n;
	return a;
}

static void
aggs_free(struct aggs *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->a[i].key);
		hll_free(m->a[i].users);
		hll_free(m->a[i].sessions);
	}
	free(m->a);
	free(m->slots);
}

static int
by_bucket_key(const void *x, const void *y)
{
	const struct agg *a = x, *b = y;
	if (a->bucket != b->bucket)
		return a->bucket < b->bucket ? -1 : 1;
	return strcmp(a->key, b->key);
}

/* ---- reading the rows of one (dim, event) over [from, to) at a grain ---- */

struct scan {
	struct sq_conn *c;
	const struct event_query *q;
	int64_t project_id;
	const char *dim;
	struct aggs out;
};

/*
 * Adds a row's stored sketch to a group's. A group that already holds one
 * and takes a large one (over 1,024 registers set, or dense) turns dense
 * first: merging into registers is linear in the blob, while a sparse
 * union rewrites the group's whole sorted list each time. Small groups
 * (most urls, property values) stay small. A damaged sketch counts
 * nobody rather than failing the read.
 */
static void
merge_sketch(struct hll *h, sqlite3_stmt *s, int col)
{
	const void *blob = sqlite3_column_blob(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);

	if (n == 0)
		return;
	if (n > 1 + 3 * 1024 && !hll_is_empty(h))
		(void)hll_densify(h);
	(void)hll_merge_blob(h, blob, n);
}

/* The key a row is reported under: its value, or its event for EDIM_EVENT. */
static int
scan_rows(struct scan *sc, int grain, const char *event, int64_t from, int64_t to)
{
	sqlite3_stmt *s;
	int step, rc = 0;

	if (from >= to)
		return 0;
	/* only the sketches asked for: each may be 12 KB of overflow pages */
	static const enum sq_stmt by_sketches[4] = {
		SQ_EROLLUP_READ_COUNTS, SQ_EROLLUP_READ_USERS, SQ_EROLLUP_READ_SESSIONS, SQ_EROLLUP_READ,
	};
	if ((s = sq_stmt(sc->c, by_sketches[sc->q->sketches & (EQ_USERS | EQ_SESSIONS)])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, sc->project_id);
	sqlite3_bind_int(s, 2, grain);
	sqlite3_bind_text(s, 3, sc->dim, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, event, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, from);
	sqlite3_bind_int64(s, 6, to);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t b = sqlite3_column_int64(s, 0);
		const char *value = (const char *)sqlite3_column_text(s, 1);
		const char *key = sc->q->dim == EDIM_EVENT ? event : value ? value : "";
		struct agg *a;

		if (sc->q->bucket_of)
			b = sc->q->bucket_of(sc->q->bucket_ctx, b);
		else
			b = 0;
		if ((a = agg_get(&sc->out, key, b)) == NULL) {
			rc = -1;
			break;
		}
		a->events += sqlite3_column_int64(s, 2);
		if (a->users)
			merge_sketch(a->users, s, 3);
		if (a->sessions)
			merge_sketch(a->sessions, s, 4);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sq_fail(sc->c, "event rollup read");
	sqlite3_reset(s);
	return rc;
}

/*
 * [from, to) in whole hours: hour rows at the edges, day rows inside when
 * the buckets allow, and week rows inside those (a 90-day range reads 13
 * week rows a group, not 90 day rows).
 */
static int
scan_range(struct scan *sc, const char *event)
{
	const struct event_query *q = sc->q;
	int64_t from = q->from_ms - q->from_ms % HOUR_MS;
	int64_t to = q->to_ms % HOUR_MS ? q->to_ms - q->to_ms % HOUR_MS + HOUR_MS : q->to_ms;
	int64_t d0 = from % DAY_MS ? from - from % DAY_MS + DAY_MS : from;
	int64_t d1 = to - to % DAY_MS;
	int64_t w0 = d0, w1 = d0;

	if (!q->whole_days || d0 >= d1)
		return scan_rows(sc, SQ_GRAIN_HOUR, event, from, to);
	if (q->whole_weeks) {
		w0 = sq_week_start(d0);
		if (w0 < d0)
			w0 += 7 * DAY_MS;
		w1 = sq_week_start(d1);
		if (w0 >= w1)
			w0 = w1 = d0;
	}
	return scan_rows(sc, SQ_GRAIN_HOUR, event, from, d0) != 0 ||
	    scan_rows(sc, SQ_GRAIN_DAY, event, d0, w0) != 0 ||
	    scan_rows(sc, SQ_GRAIN_WEEK, event, w0, w1) != 0 ||
	    scan_rows(sc, SQ_GRAIN_DAY, event, w1, d1) != 0 ||
	    scan_rows(sc, SQ_GRAIN_HOUR, event, d1, to) != 0 ? -1 : 0;
}

/* The event names that have rows of a dimension (from the day rows: every note writes both grains). */
static int
events_of_dim(struct sq_conn *c, int64_t project_id, const char *dim, char ***names, size_t *n)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_EROLLUP_EVENTS);
	size_t cap = 0;
	int step, rc = 0;

	*names = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, dim, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		char **grown = util_grow(*names, &cap, *n, sizeof(**names), 16);
		if (grown == NULL || (grown[*n] = strdup((const char *)sqlite3_column_text(s, 0))) == NULL) {
			if (grown)
				*names = grown;
			rc = -1;
			break;
		}
		*names = grown;
		(*n)++;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sq_fail(c, "event rollup names");
	sqlite3_reset(s);
	return rc;
}

static const char *
dim_name(const struct event_query *q, char *buf, size_t bufsz)
{
	switch (q->dim) {
	case EDIM_URL: return "url";
	case EDIM_REFERRER: return "referrer";
	case EDIM_SHOP: return "shop";
	case EDIM_PROPERTY:
		snprintf(buf, bufsz, "p.%s", q->property ? q->property : "");
		return buf;
	default: return "";
	}
}

int
sq_event_aggregate(struct store *base, int64_t project_id, const struct event_query *q,
    store_event_agg_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct scan sc;
	char dimbuf[80];
	char **names = NULL;
	size_t nnames = 0;
	int rc = 0;

	if (q->dim < EDIM_NONE || q->dim > EDIM_PROPERTY || q->from_ms >= q->to_ms ||
	    (q->dim == EDIM_PROPERTY && (q->property == NULL || strlen(q->property) > 64)))
		return -1;
	memset(&sc, 0, sizeof(sc));
	sc.q = q;
	sc.project_id = project_id;
	sc.dim = dim_name(q, dimbuf, sizeof(dimbuf));
	sc.out.sketches = q->sketches;
	if ((sc.c = sq_read_acquire(st)) == NULL)
		return -1;
	sqlite3_exec(sc.c->db, "BEGIN", NULL, NULL, NULL);     /* one snapshot for every scan */
	/*
	 * Grouped by event, or a property without an event filter: one scan per
	 * event name (the rows are ordered by event before bucket). The others
	 * read the event's rows, or the all-events copy ('').
	 */
	if (q->event == NULL && (q->dim == EDIM_EVENT || q->dim == EDIM_PROPERTY)) {
		rc = events_of_dim(sc.c, project_id, sc.dim, &names, &nnames);
		for (size_t i = 0; i < nnames && rc == 0; i++)
			rc = scan_range(&sc, names[i]);
	} else
		rc = scan_range(&sc, q->event ? q->event : "");
	sqlite3_exec(sc.c->db, "COMMIT", NULL, NULL, NULL);
	sq_read_release(st, sc.c);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	if (rc == 0 && sc.out.n > 0) {
		qsort(sc.out.a, sc.out.n, sizeof(*sc.out.a), by_bucket_key);
		for (size_t i = 0; i < sc.out.n; i++) {
			const struct agg *a = &sc.out.a[i];
			struct event_agg row = { a->key, a->bucket, a->events, 0, 0, a->users, a->sessions };
			if (a->users)
				row.users = (int64_t)(hll_estimate(a->users) + 0.5);
			if (a->sessions)
				row.sessions = (int64_t)(hll_estimate(a->sessions) + 0.5);
			if (cb(ctx, &row) != 0)
				break;
		}
	} else if (rc != 0)
		log_msg(LOG_ERROR, "%s", "event aggregate failed");
	aggs_free(&sc.out);
	return rc;
}

int
sq_event_minutes(struct store *base, int64_t project_id, const char *event, int64_t from_ms,
    int64_t to_ms, store_event_agg_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s;
	int step, rc = 0;

	if (c == NULL)
		return -1;
	if ((s = sq_stmt(c, event ? SQ_EVENT_MINUTES_OF : SQ_EVENT_MINUTES)) == NULL) {
		sq_read_release(st, c);
		return -1;
	}
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, from_ms);
	sqlite3_bind_int64(s, 3, to_ms);
	if (event)
		sqlite3_bind_text(s, 4, event, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		/* exact distinct counts: the minute groups are small */
		struct event_agg row = { "", sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
		    sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3), NULL, NULL };
		if (cb(ctx, &row) != 0)
			break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sq_fail(c, "event minutes");
	sqlite3_reset(s);
	sq_read_release(st, c);
	return rc;
}
