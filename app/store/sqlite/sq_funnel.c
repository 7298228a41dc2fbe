/*
 * sq_funnel: the reads behind funnels and retention (SPEC §5.3).
 *
 * A funnel reads the events of each step name from events_project_name_ts
 * (project_id, name_key, ts, user_key), which holds every column it needs:
 * one range scan of the index per name, never the events table.
 * Retention reads user_first through its (project_id, first_ts) index and
 * user_weeks through its (project_id, week) one, and joins them here by
 * user key (read_cohorts says why): no event is read. The cohort × week
 * counts are summed in a small table.
 *
 * A funnel's breakdown then reads, for each user counted, the one event
 * their path starts from: a seek in that index, then the row.
 *
 * The statements are prepared per call, as in sq_llm_read.c; every value
 * is bound.
 */
#include "sq.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "keyset.h"
#include "util.h"

#define WEEK_MS (7 * 86400000LL)
/* Cohort weeks one call may hold: far above what the handler asks for (and < 2^16). */
#define MAX_COHORTS 1000

/* ---- funnels ---- */

static const char funnel_sql[] =
    "SELECT ts, user_key FROM events INDEXED BY events_project_name_ts "
    "WHERE project_id = ?1 AND name_key = ?2 AND ts >= ?3 AND ts < ?4 AND user_key IS NOT NULL "
    "ORDER BY ts";

int
sq_funnel_events(struct store *base, int64_t project_id, const char *const *names, size_t n,
    int64_t from_ms, int64_t to_ms, store_funnel_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c;
	sqlite3_stmt *s = NULL;
	int rc = -1, step;

	if ((c = sq_read_acquire(st)) == NULL)
		return -1;
	/* one read transaction: every name is read from the same snapshot */
	sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(c->db, funnel_sql, -1, &s, NULL) != SQLITE_OK) {
		sq_fail(c, "funnel events");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_text(s, 2, names[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, from_ms);
		sqlite3_bind_int64(s, 4, to_ms);
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			/* the text before its length (sqlite3_column_bytes after _text) */
			const char *key = (const char *)sqlite3_column_text(s, 1);
			size_t len = (size_t)sqlite3_column_bytes(s, 1);
			if (key == NULL)
				continue;
			if (cb(ctx, i, sqlite3_column_int64(s, 0), key, len) != 0) {
				rc = 0;
				goto out;
			}
		}
		if (step != SQLITE_DONE) {
			sq_fail(c, "funnel events");
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
	sq_read_release(st, c);
	return rc;
}

/* ---- funnel breakdowns ---- */

/*
 * One entry event: equality on every column of the index, whose entries
 * for one (project, name, ts, user) are in id order, so LIMIT 1 is the
 * lowest id without a sort. The property is picked in C (entry_property):
 * a JSON path cannot name every key in SQLite 3.40 (a key holding '"'),
 * and json-c reads the properties as the rollups do.
 */
static const char entry_props_sql[] =
    "SELECT properties FROM events INDEXED BY events_project_name_ts "
    "WHERE project_id = ?1 AND name_key = ?2 AND ts = ?3 AND user_key = ?4 "
    "ORDER BY id LIMIT 1";
static const char entry_shop_sql[] =
    "SELECT shop_id FROM events INDEXED BY events_project_name_ts "
    "WHERE project_id = ?1 AND name_key = ?2 AND ts = ?3 AND user_key = ?4 "
    "ORDER BY id LIMIT 1";

/* The stored JSON is tally's own: deeper than json-c's default 32 levels
 * when it came from OTLP attributes (handler_util.c says the same). */
#define STORED_JSON_DEPTH 128
/* A property value longer than this is no value (the rollups' cap, sq_rollup.c). */
#define PROP_VALUE_MAX 100

/*
 * The value of the top-level property key in props (len bytes of JSON),
 * by the rule of the rollups' property dimension (sq_rollup.c
 * draft_props): a string, a number as written, "true" or "false", at most
 * PROP_VALUE_MAX bytes; anything else is none. Calls cb with it or NULL.
 */
static int
entry_property(json_tokener *tok, const char *props, size_t len, const char *key, size_t i,
    store_funnel_value_cb cb, void *ctx)
{
	json_object *o, *v;
	const char *val = NULL;
	size_t vl = 0;
	int rc;

	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, props, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	if (o != NULL && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, key, &v) && v != NULL) {
		switch (json_object_get_type(v)) {
		case json_type_string:
			val = json_object_get_string(v);
			vl = (size_t)json_object_get_string_len(v);
			break;
		case json_type_boolean:
			val = json_object_get_boolean(v) ? "true" : "false";
			vl = strlen(val);
			break;
		case json_type_int:
		case json_type_double:
			/* the number as the client wrote it (json-c keeps the text) */
			val = json_object_to_json_string_length(v, JSON_C_TO_STRING_PLAIN, &vl);
			break;
		default:
			break;
		}
		if (vl > PROP_VALUE_MAX)
			val = NULL;
	}
	rc = cb(ctx, i, val, val ? vl : 0);
	json_object_put(o);
	return rc;
}

/* An entry in the order of reading: its time, and where the caller has it. */
struct entry_at {
	int64_t ts_ms;
	size_t i;
};

static int
by_time(const void *a, const void *b)
{
	const struct entry_at *x = a, *y = b;
	if (x->ts_ms != y->ts_ms)
		return x->ts_ms < y->ts_ms ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int
sq_funnel_values(struct store *base, int64_t project_id, const char *name, const char *property,
    const struct store_funnel_entry *entries, size_t n, store_funnel_value_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = NULL;
	sqlite3_stmt *s = NULL;
	json_tokener *tok = NULL;
	struct entry_at *order = NULL;
	int rc = -1, step;

	if (n == 0)
		return 0;
	if ((order = malloc(n * sizeof(*order))) == NULL ||
	    (property != NULL && (tok = json_tokener_new_ex(STORED_JSON_DEPTH)) == NULL))
		goto out;
	/* in time order: the index entries, and mostly the rows, come in that order */
	for (size_t i = 0; i < n; i++)
		order[i] = (struct entry_at){ entries[i].ts_ms, i };
	qsort(order, n, sizeof(*order), by_time);

	if ((c = sq_read_acquire(st)) == NULL)
		goto out;
	sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(c->db, property ? entry_props_sql : entry_shop_sql, -1, &s, NULL) !=
	    SQLITE_OK) {
		sq_fail(c, "funnel values");
		goto out;
	}
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	for (size_t j = 0; j < n; j++) {
		const struct store_funnel_entry *e = &entries[order[j].i];
		const char *text = NULL;
		size_t len = 0;
		int stop;

		sqlite3_reset(s);
		sqlite3_bind_int64(s, 3, e->ts_ms);
		sqlite3_bind_text(s, 4, e->user_key, (int)e->keylen, SQLITE_STATIC);
		if ((step = sqlite3_step(s)) == SQLITE_ROW) {
			/* the text before its length (sqlite3_column_bytes after _text) */
			text = (const char *)sqlite3_column_text(s, 0);
			len = (size_t)sqlite3_column_bytes(s, 0);
		} else if (step != SQLITE_DONE) {
			sq_fail(c, "funnel values");
			goto out;
		}
		if (property == NULL || text == NULL)
			stop = cb(ctx, order[j].i, text, len);
		else
			stop = entry_property(tok, text, len, property, order[j].i, cb, ctx);
		if (stop) {
			rc = 0;
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	if (c != NULL) {
		sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
		sq_read_release(st, c);
	}
	if (tok != NULL)
		json_tokener_free(tok);         /* not NULL-safe */
	free(order);
	return rc;
}

/* ---- retention ---- */

/* The users first seen in the range, with when. */
static const char cohort_sql[] =
    "SELECT user_key, first_ts FROM user_first INDEXED BY user_first_project_ts "
    "WHERE project_id = ?1 AND first_ts >= ?2 AND first_ts < ?3";

/* Who was active in each week that some cohort's counts need. */
static const char weeks_sql[] =
    "SELECT user_key, week FROM user_weeks INDEXED BY user_weeks_project_week "
    "WHERE project_id = ?1 AND week >= ?2 AND week <= ?3";

/* Rows looked up together: the keyset's cache misses overlap. */
#define LOOKUP_BATCH 32

struct batch {
	struct keyset_hash h[LOOKUP_BATCH];
	int64_t v[LOOKUP_BATCH];        /* the user's cohort, or the week they were active in */
	int n;
};

struct cohort_counts {
	struct keyset *users;
	uint16_t *cohort;               /* by user index */
	size_t ncap;
	int64_t first, ncohorts, noffsets;
	int64_t *size, *active;         /* [cohort], [cohort × noffsets + offset] */
};

/* Adds a batch of cohort users. -1 out of memory. */
static int
add_users(struct cohort_counts *x, struct batch *b)
{
	for (int i = 0; i < b->n; i++) {
		uint32_t u;
		uint16_t *p;
		if (keyset_add(x->users, &b->h[i], &u) != 0 ||
		    (p = util_grow(x->cohort, &x->ncap, u, sizeof(*p), 4096)) == NULL)
			return -1;
		x->cohort = p;
		x->cohort[u] = (uint16_t)b->v[i];
		x->size[b->v[i]]++;
	}
	b->n = 0;
	return 0;
}

/* Counts a batch of (user, week) rows. */
static void
count_weeks(struct cohort_counts *x, struct batch *b)
{
	for (int i = 0; i < b->n; i++) {
		uint32_t u;
		int64_t cohort, off;
		if (keyset_find(x->users, &b->h[i], &u) != 0)
			continue;       /* active, but first seen outside the range */
		cohort = x->cohort[u];
		off = (b->v[i] - (x->first + cohort * WEEK_MS)) / WEEK_MS;
		if (off >= 0 && off < x->noffsets)
			x->active[cohort * x->noffsets + off]++;
	}
	b->n = 0;
}

/*
 * Two range scans and no seek: the cohorts' users into a keyset (with
 * their cohort), then the weeks from the first cohort's to the last one
 * read, through user_weeks' (project_id, week) index, each looked up in
 * the set. Users first seen before the range are read in the second scan
 * and skipped: cheaper, a row each, than one primary-key seek per cohort
 * user (the plan before, three times slower on 100,000 users).
 */
static int
read_cohorts(struct sq_conn *c, int64_t project_id, const struct retention_query *q,
    struct cohort_counts *x)
{
	struct batch b;
	sqlite3_stmt *s = NULL;
	int64_t last;
	int step, rc = -1;

	if (sqlite3_prepare_v2(c->db, cohort_sql, -1, &s, NULL) != SQLITE_OK)
		return sq_fail(c, "retention cohorts");
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, q->from_ms);
	sqlite3_bind_int64(s, 3, q->to_ms);
	b.n = 0;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(s, 0);
		size_t len = (size_t)sqlite3_column_bytes(s, 0);
		int64_t cohort = (sq_week_start(sqlite3_column_int64(s, 1)) - x->first) / WEEK_MS;

		if (key == NULL || cohort < 0 || cohort >= x->ncohorts)
			continue;
		keyset_hash(key, len, &b.h[b.n]);
		keyset_prefetch(x->users, &b.h[b.n]);
		b.v[b.n++] = cohort;
		if (b.n == LOOKUP_BATCH && add_users(x, &b) != 0)
			goto out;
	}
	if (add_users(x, &b) != 0)
		goto out;
	if (step != SQLITE_DONE) {
		sq_fail(c, "retention cohorts");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (keyset_count(x->users) == 0) {
		rc = 0;
		goto out;
	}

	/* the last week read: the last cohort's offset max_offset, at most last_week */
	last = x->first + (x->ncohorts - 1 + x->noffsets - 1) * WEEK_MS;
	if (last > q->last_week_ms)
		last = q->last_week_ms;
	if (sqlite3_prepare_v2(c->db, weeks_sql, -1, &s, NULL) != SQLITE_OK) {
		sq_fail(c, "retention weeks");
		goto out;
	}
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, x->first);
	sqlite3_bind_int64(s, 3, last);
	b.n = 0;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(s, 0);
		size_t len = (size_t)sqlite3_column_bytes(s, 0);
		if (key == NULL)
			continue;
		keyset_hash(key, len, &b.h[b.n]);
		keyset_prefetch(x->users, &b.h[b.n]);
		b.v[b.n++] = sqlite3_column_int64(s, 1);
		if (b.n == LOOKUP_BATCH)
			count_weeks(x, &b);
	}
	count_weeks(x, &b);
	if (step != SQLITE_DONE) {
		sq_fail(c, "retention weeks");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int
sq_retention(struct store *base, int64_t project_id, const struct retention_query *q,
    store_cohort_cb size_cb, store_cohort_week_cb week_cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct cohort_counts x;
	struct sq_conn *c;
	int rc = -1;

	if (q->from_ms < 0 || q->from_ms >= q->to_ms || q->max_offset < 0)
		return -1;
	memset(&x, 0, sizeof(x));
	x.first = sq_week_start(q->from_ms);
	x.ncohorts = (sq_week_start(q->to_ms - 1) - x.first) / WEEK_MS + 1;
	x.noffsets = (int64_t)q->max_offset + 1;
	if (x.ncohorts > MAX_COHORTS || x.noffsets > MAX_COHORTS)
		return -1;
	if ((x.users = keyset_new()) == NULL ||
	    (x.size = calloc((size_t)x.ncohorts, sizeof(*x.size))) == NULL ||
	    (x.active = calloc((size_t)(x.ncohorts * x.noffsets), sizeof(*x.active))) == NULL)
		goto out;
	if ((c = sq_read_acquire(st)) == NULL)
		goto out;
	/* one read transaction: the weeks agree with the cohorts */
	sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
	rc = read_cohorts(c, project_id, q, &x);
	sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
	sq_read_release(st, c);
	/* the answers once the connection is back: the callbacks may be slow */
	for (int64_t i = 0; rc == 0 && i < x.ncohorts; i++)
		if (x.size[i] > 0 && size_cb(ctx, x.first + i * WEEK_MS, x.size[i]) != 0)
			goto out;
	for (int64_t i = 0; rc == 0 && i < x.ncohorts; i++)
		for (int64_t k = 0; k < x.noffsets; k++)
			if (x.active[i * x.noffsets + k] > 0 && week_cb(ctx, x.first + i * WEEK_MS,
			    x.first + (i + k) * WEEK_MS, x.active[i * x.noffsets + k]) != 0)
				goto out;
out:
	keyset_free(x.users);
	free(x.cohort);
	free(x.size);
	free(x.active);
	return rc;
}
