/*
 * sq_rebuild: the event rollups and retention tables of a project made
 * again from its raw events: for events stored before schema 4 (which the
 * migration could not sketch), or after a restore of part of the data.
 *
 * One transaction empties the project's rollups and takes the highest event
 * id; events above it are noted by their own inserts from then on. The
 * events up to it are then read in pages (id order) and each page is noted
 * and flushed through the group commit like an ingest job, so ingest goes
 * on between pages and every event is counted exactly once. Analytics show
 * partial counts until the last page.
 */
#include "sq.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#define REBUILD_PAGE 5000

struct rebuild_args {
	int64_t project_id;
	int64_t last_id;                /* the highest id the rebuild counts */
	struct sq_rollup_notes *notes;  /* one page's */
};

static int
clear_tx(struct sq_conn *c, void *arg)
{
	static const enum sq_stmt clears[] = {
		SQ_REBUILD_CLEAR_ROLLUP, SQ_REBUILD_CLEAR_FIRST, SQ_REBUILD_CLEAR_WEEKS, SQ_REBUILD_CLEAR_NAMES,
	};
	struct rebuild_args *a = arg;
	sqlite3_stmt *s;

	for (size_t i = 0; i < sizeof(clears) / sizeof(clears[0]); i++) {
		if ((s = sq_stmt(c, clears[i])) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, a->project_id);
		if (sq_exec(c, s) != 0)
			return -1;
	}
	if ((s = sq_stmt(c, SQ_REBUILD_LAST_ID)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->project_id);
	a->last_id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return a->last_id < 0 ? sq_fail(c, "rebuild: last event id") : 0;
}

/* The page's notes join the transaction's: the leader writes them before COMMIT. */
static int
page_tx(struct sq_conn *c, void *arg)
{
	struct rebuild_args *a = arg;

	if (c->rollup == NULL && (c->rollup = sq_rollup_notes_new()) == NULL)
		return -1;
	sq_rollup_adopt(c->rollup, a->notes);
	return 0;
}

/* Notes the events of ids (after, last_id], at most a page; *last_read is the highest read (after when none). */
static int
note_page(struct sq_store *st, struct rebuild_args *a, int64_t after, int64_t *last_read, int64_t *n)
{
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s;
	int step, rc = 0;

	*last_read = after;
	*n = 0;
	if (c == NULL)
		return -1;
	if ((s = sq_stmt(c, SQ_REBUILD_PAGE)) == NULL) {
		sq_read_release(st, c);
		return -1;
	}
	sqlite3_bind_int64(s, 1, a->project_id);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int64(s, 3, a->last_id);
	sqlite3_bind_int(s, 4, REBUILD_PAGE);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct event_row r;
		char rid[33];
		sq_event_row_read(s, &r, rid);
		if (sq_rollup_note(a->notes, a->project_id, &r.ev) != 0) {
			rc = -1;
			break;
		}
		*last_read = r.id;
		(*n)++;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sq_fail(c, "rebuild: event page");
	sqlite3_reset(s);
	sq_read_release(st, c);
	return rc;
}

int
sq_rollups_rebuild(struct store *base, int64_t project_id, int64_t *events)
{
	struct sq_store *st = (struct sq_store *)base;
	struct rebuild_args a = { project_id, 0, NULL };
	int64_t after = 0, last, n;
	int rc;

	*events = 0;
	if ((rc = sq_write(st, clear_tx, &a)) != 0)
		return -1;
	if ((a.notes = sq_rollup_notes_new()) == NULL)
		return -1;
	for (;;) {
		if ((rc = note_page(st, &a, after, &last, &n)) != 0 || n == 0)
			break;
		if ((rc = sq_write(st, page_tx, &a)) != 0)
			break;
		*events += n;
		after = last;
	}
	sq_rollup_notes_free(a.notes);
	if (rc != 0)
		log_msg(LOG_ERROR, "rollup rebuild of project %lld stopped after %lld events: run it again",
		    (long long)project_id, (long long)*events);
	return rc == 0 ? 0 : -1;
}
