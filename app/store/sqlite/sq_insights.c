/*
 * sq_insights: the insights table (schema 4). A generation is stored in one
 * transaction: upserts on (project, kind, subject, period_start), then the
 * rows of the generation's periods it did not write are deleted, so readers
 * see the old set or the new one, never half of each.
 */
#include "sq.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "util.h"

struct put_args {
	int64_t project_id;
	struct insight *rows;
	size_t n;
	const struct insight_scope *scopes;
	size_t nscopes;
};

static int
upsert(struct sq_conn *c, int64_t project_id, struct insight *r)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_INSIGHT_UPSERT);
	int step;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project_id);
	sq_bind_text(s, 2, r->kind);
	sq_bind_text(s, 3, r->subject);
	sqlite3_bind_int64(s, 4, r->period_start_ms);
	sqlite3_bind_int64(s, 5, r->period_end_ms);
	sqlite3_bind_int64(s, 6, r->created_ms);
	sq_bind_text(s, 7, r->title);
	sq_bind_text(s, 8, r->data);
	if ((step = sqlite3_step(s)) == SQLITE_ROW) {
		r->id = sqlite3_column_int64(s, 0);
		step = sqlite3_step(s);     /* RETURNING: run the statement to its end */
	}
	sqlite3_reset(s);
	return step == SQLITE_DONE && r->id > 0 ? 0 : sq_fail(c, "insight upsert");
}

static int
put_tx(struct sq_conn *c, void *arg)
{
	struct put_args *a = arg;
	struct buf ids = { 0 };
	char num[24];
	int rc = -1;

	if (buf_puts(&ids, "[") != 0)
		goto out;
	for (size_t i = 0; i < a->n; i++) {
		a->rows[i].id = 0;
		if (upsert(c, a->project_id, &a->rows[i]) != 0)
			goto out;
		snprintf(num, sizeof(num), "%s%lld", i ? "," : "", (long long)a->rows[i].id);
		if (buf_puts(&ids, num) != 0)
			goto out;
	}
	if (buf_puts(&ids, "]") != 0)
		goto out;
	for (size_t i = 0; i < a->nscopes; i++) {
		sqlite3_stmt *s = sq_stmt(c, SQ_INSIGHT_PRUNE);
		if (s == NULL)
			goto out;
		sqlite3_bind_int64(s, 1, a->project_id);
		sq_bind_text(s, 2, a->scopes[i].kind);
		sqlite3_bind_int64(s, 3, a->scopes[i].from_ms);
		sqlite3_bind_int64(s, 4, a->scopes[i].to_ms);
		sqlite3_bind_text(s, 5, ids.data, (int)ids.len, SQLITE_STATIC);
		if (sq_exec(c, s) != 0)
			goto out;
	}
	rc = 0;
out:
	buf_free(&ids);
	return rc;
}

int
sq_insights_put(struct store *base, int64_t project_id, struct insight *rows, size_t n,
    const struct insight_scope *scopes, size_t nscopes)
{
	struct sq_store *st = (struct sq_store *)base;
	struct put_args a = { project_id, rows, n, scopes, nscopes };

	/* the table's NOT NULL columns: misuse, not input */
	for (size_t i = 0; i < n; i++)
		if (rows[i].kind == NULL || rows[i].subject == NULL || rows[i].title == NULL ||
		    rows[i].data == NULL) {
			log_msg(LOG_ERROR, "%s: insight %zu lacks a kind, subject, title or data", __func__, i);
			return -1;
		}
	for (size_t i = 0; i < nscopes; i++)
		if (scopes[i].kind == NULL)
			return -1;
	return sq_write(st, put_tx, &a);
}

int
sq_insights_list(struct store *base, int64_t project_id, const struct insight_filter *f,
    store_insight_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c;
	sqlite3_stmt *s;
	int step, rc = 0;

	if (f->limit < 1)
		return -1;
	if ((c = sq_read_acquire(st)) == NULL)
		return -1;
	if ((s = sq_stmt(c, SQ_INSIGHT_LIST)) == NULL) {
		sq_read_release(st, c);
		return -1;
	}
	sqlite3_bind_int64(s, 1, project_id);
	sq_bind_text(s, 2, f->kind);
	if (f->from_ms)
		sqlite3_bind_int64(s, 3, f->from_ms);
	if (f->to_ms)
		sqlite3_bind_int64(s, 4, f->to_ms);
	if (f->has_cursor) {
		sqlite3_bind_int64(s, 5, f->cursor_created);
		sqlite3_bind_int64(s, 6, f->cursor_id);
	}
	sqlite3_bind_int(s, 7, f->limit);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct insight in = {
			.id = sqlite3_column_int64(s, 0),
			.kind = (const char *)sqlite3_column_text(s, 1),
			.subject = (const char *)sqlite3_column_text(s, 2),
			.period_start_ms = sqlite3_column_int64(s, 3),
			.period_end_ms = sqlite3_column_int64(s, 4),
			.created_ms = sqlite3_column_int64(s, 5),
			.title = (const char *)sqlite3_column_text(s, 6),
			.data = (const char *)sqlite3_column_text(s, 7),
		};
		if (cb(ctx, &in) != 0)
			break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sq_fail(c, "insight list");
	sqlite3_reset(s);
	sq_read_release(st, c);
	return rc;
}
