/*
 * sq_funnel: the reads behind funnels and retention (SPEC §5.3).
 *
 * A funnel reads the events of each step name from events_project_name_ts
 * (project_id, name_key, ts, user_key), which holds every column it needs:
 * one range scan of the index per name, never the events table.
 * Retention reads user_first through its (project_id, first_ts) index and
 * each of those users' weeks from user_weeks by primary key (project_id,
 * user_key, week): no event is read. The cohort × week counts are summed
 * here, in a small table, rather than by a GROUP BY that would sort every
 * (user, week) row.
 *
 * The statements are prepared per call, as in sq_llm_read.c; every value
 * is bound.
 */
#include "sq.h"

#include <stdlib.h>

#define WEEK_MS (7 * 86400000LL)
/* Cohort weeks one call may hold: far above what the handler asks for. */
#define MAX_COHORTS 1000

/* Monday 00:00 UTC of the week of x (1970-01-01 was a Thursday), as sq_grain_buckets. */
#define MONDAY(x) "(" x " - " x " % 86400000 - ((" x " / 86400000 + 3) % 7) * 86400000)"

static int64_t
monday(int64_t ms)
{
	int64_t b[SQ_GRAINS];
	sq_grain_buckets(ms, b);
	return b[SQ_GRAIN_WEEK];
}

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

/* ---- retention ---- */

/* The first-seen times of the range, in order (the covering index). */
static const char cohort_sql[] =
    "SELECT first_ts FROM user_first INDEXED BY user_first_project_ts "
    "WHERE project_id = ?1 AND first_ts >= ?2 AND first_ts < ?3";

/*
 * Each user of the range with each week they were active in, from their
 * first week to max_offset weeks later and not after the last week. The
 * CROSS JOIN keeps user_first outside: one primary-key range of user_weeks
 * per user.
 */
static const char weeks_sql[] =
    "SELECT f.first_ts, w.week FROM user_first AS f INDEXED BY user_first_project_ts "
    "CROSS JOIN user_weeks AS w "
    "WHERE f.project_id = ?1 AND f.first_ts >= ?2 AND f.first_ts < ?3 "
    "AND w.project_id = ?1 AND w.user_key = f.user_key "
    "AND w.week >= " MONDAY("f.first_ts") " "
    "AND w.week <= min(" MONDAY("f.first_ts") " + ?4 * 604800000, ?5)";

static int
prepare_range(struct sq_conn *c, const char *sql, int64_t project_id,
    const struct retention_query *q, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v2(c->db, sql, -1, s, NULL) != SQLITE_OK)
		return sq_fail(c, "retention");
	sqlite3_bind_int64(*s, 1, project_id);
	sqlite3_bind_int64(*s, 2, q->from_ms);
	sqlite3_bind_int64(*s, 3, q->to_ms);
	sqlite3_bind_int64(*s, 4, q->max_offset);
	sqlite3_bind_int64(*s, 5, q->last_week_ms);
	return 0;
}

int
sq_retention(struct store *base, int64_t project_id, const struct retention_query *q,
    store_cohort_cb size_cb, store_cohort_week_cb week_cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = NULL;
	sqlite3_stmt *s = NULL;
	int64_t first, ncohorts, noffsets, *size = NULL, *active = NULL;
	int rc = -1, step;

	if (q->from_ms < 0 || q->from_ms >= q->to_ms || q->max_offset < 0)
		return -1;
	first = monday(q->from_ms);
	ncohorts = (monday(q->to_ms - 1) - first) / WEEK_MS + 1;
	noffsets = (int64_t)q->max_offset + 1;
	if (ncohorts > MAX_COHORTS || noffsets > MAX_COHORTS)
		return -1;
	if ((size = calloc((size_t)ncohorts, sizeof(*size))) == NULL ||
	    (active = calloc((size_t)(ncohorts * noffsets), sizeof(*active))) == NULL)
		goto out;
	if ((c = sq_read_acquire(st)) == NULL)
		goto out;
	sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
	if (prepare_range(c, cohort_sql, project_id, q, &s) != 0)
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		size[(monday(sqlite3_column_int64(s, 0)) - first) / WEEK_MS]++;
	if (step != SQLITE_DONE) {
		sq_fail(c, "retention cohorts");
		goto out;
	}
	sqlite3_finalize(s);
	if (prepare_range(c, weeks_sql, project_id, q, &s) != 0)
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t cohort = monday(sqlite3_column_int64(s, 0));
		int64_t off = (sqlite3_column_int64(s, 1) - cohort) / WEEK_MS;
		/* the statement bounds the weeks; a week row not on a Monday would not be */
		if (off >= 0 && off < noffsets)
			active[(cohort - first) / WEEK_MS * noffsets + off]++;
	}
	if (step != SQLITE_DONE) {
		sq_fail(c, "retention weeks");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	if (c != NULL) {
		sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
		sq_read_release(st, c);
	}
	/* the answers once the connection is back: the callbacks may be slow */
	for (int64_t i = 0; rc == 0 && i < ncohorts; i++)
		if (size[i] > 0 && size_cb(ctx, first + i * WEEK_MS, size[i]) != 0)
			goto done;
	for (int64_t i = 0; rc == 0 && i < ncohorts; i++)
		for (int64_t k = 0; k < noffsets; k++)
			if (active[i * noffsets + k] > 0 &&
			    week_cb(ctx, first + i * WEEK_MS, first + (i + k) * WEEK_MS, active[i * noffsets + k]) != 0)
				goto done;
done:
	free(size);
	free(active);
	return rc;
}
