/* sq_events: storing events (dedup, profiles, aliases) and listing them. */
#include "sq.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "util.h"

struct insert_args {
	struct sq_store *st;
	const struct ingest_meta *meta;
	const struct event *evs;
	size_t n;
	unsigned char *dup;
	int64_t accepted, duplicates;
	int64_t dedup_since;            /* received_at before this no longer dedups */
	unsigned char rid[16];          /* request id packed, when it is 32 hex chars */
	int rid_packed;
	struct sq_rollup_notes *notes;  /* the job's part of the rollups */
};

/* nginx's $request_id is 32 hex chars: 16 bytes on disk instead of 32. */
static int
pack_request_id(const char *rid, unsigned char out[16])
{
	if (rid == NULL || strlen(rid) != 32)
		return 0;
	for (int i = 0; i < 16; i++) {
		int h = util_hexval(rid[2 * i]), l = util_hexval(rid[2 * i + 1]);
		if (h < 0 || l < 0)
			return 0;
		out[i] = (unsigned char)(h * 16 + l);
	}
	return 1;
}

int
sq_message_seen(struct sq_conn *c, int stmt, int64_t project_id, int64_t mid_hash,
    const char *message_id, int64_t since)
{
	sqlite3_stmt *s = sq_stmt(c, stmt);
	int found = 0, step;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, mid_hash);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *mid = (const char *)sqlite3_column_text(s, 0);
		if (mid && strcmp(mid, message_id) == 0 && sqlite3_column_int64(s, 1) >= since) {
			found = 1;
			break;
		}
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		found = sq_fail(c, "dedup lookup");
	sqlite3_reset(s);
	return found;
}

static int
link_alias(struct sq_conn *c, int64_t project_id, const char *alias, const char *user_id,
    int64_t now)
{
	sqlite3_stmt *s;
	if (alias == NULL || user_id == NULL || strcmp(alias, user_id) == 0)
		return 0;
	if ((s = sq_stmt(c, SQ_ALIAS_LINK)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project_id);
	sq_bind_text(s, 2, alias);
	sq_bind_text(s, 3, user_id);
	sqlite3_bind_int64(s, 4, now);
	return sq_exec(c, s);
}

static int
merge_profile(struct sq_conn *c, int64_t project_id, const struct event *e, int64_t now)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_PROFILE_MERGE);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project_id);
	sq_bind_text(s, 2, e->user_id);
	sq_bind_text(s, 3, e->traits);
	sqlite3_bind_int64(s, 4, now);
	return sq_exec(c, s);
}

static int
insert_one(struct sq_conn *c, struct insert_args *a, const struct event *e, int64_t h)
{
	const struct ingest_meta *m = a->meta;
	sqlite3_stmt *s = sq_stmt(c, SQ_EVENT_INSERT);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, m->project_id);
	sqlite3_bind_int(s, 2, e->type);
	sq_bind_text(s, 3, e->event);
	sq_bind_text(s, 4, e->user_id);
	sq_bind_text(s, 5, e->anonymous_id);
	sq_bind_text(s, 6, e->session_id);
	sqlite3_bind_int64(s, 7, e->ts_ms);
	sqlite3_bind_int64(s, 8, m->received_ms);
	sq_bind_text(s, 9, e->message_id);
	sqlite3_bind_int64(s, 10, h);
	sq_bind_text(s, 11, e->properties);
	sq_bind_text(s, 12, e->context);
	sq_bind_text(s, 13, e->traits);
	sq_bind_text(s, 14, e->group_id);
	sq_bind_text(s, 15, e->previous_id);
	sq_bind_text(s, 16, e->conversation_id);
	sq_bind_text(s, 17, e->turn_id);
	sq_bind_text(s, 18, e->shop_id);
	if (a->rid_packed)
		sqlite3_bind_blob(s, 19, a->rid, 16, SQLITE_STATIC);
	else
		sq_bind_text(s, 19, m->request_id);
	sq_bind_text(s, 20, m->ip);
	sq_bind_text(s, 21, sq_event_key(e));
	sq_bind_text(s, 22, sq_user_key(e));
	if (sq_exec(c, s) != 0)
		return -1;
	if (e->type == EV_IDENTIFY && e->user_id != NULL) {
		if (merge_profile(c, m->project_id, e, m->received_ms) != 0 ||
		    link_alias(c, m->project_id, e->anonymous_id, e->user_id, m->received_ms) != 0)
			return -1;
	}
	if (e->type == EV_ALIAS &&
	    link_alias(c, m->project_id, e->previous_id, e->user_id, m->received_ms) != 0)
		return -1;
	return 0;
}

static int insert_events(struct sq_conn *c, struct insert_args *a, struct sq_llm_job *job);

static int
insert_tx(struct sq_conn *c, void *arg)
{
	struct insert_args *a = arg;
	struct sq_llm_job *job = NULL;
	int rc = 0;

	if (c->rollup == NULL && (c->rollup = sq_rollup_notes_new()) == NULL)
		return -1;
	if ((a->notes = sq_rollup_notes_new()) == NULL)
		return -1;
	for (size_t i = 0; i < a->n && job == NULL && rc == 0; i++)
		if (a->evs[i].llm != NULL && (job = sq_llm_job_new()) == NULL)
			rc = -1;
	if (rc == 0)
		rc = insert_events(c, a, job);
	if (rc == 0 && job != NULL)
		rc = sq_llm_job_flush(c, a->meta->project_id, job);
	if (rc == 0)
		sq_rollup_adopt(c->rollup, a->notes);   /* written at the commit */
	sq_llm_job_free(job);
	sq_rollup_notes_free(a->notes);
	a->notes = NULL;
	return rc;
}

static int
insert_events(struct sq_conn *c, struct insert_args *a, struct sq_llm_job *job)
{
	a->accepted = a->duplicates = 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct event *e = &a->evs[i];
		int64_t h = util_hash64(e->message_id, strlen(e->message_id));
		int dup = 0;

		if (!e->message_id_generated && a->dedup_since <= a->meta->received_ms &&
		    (dup = sq_message_seen(c, SQ_EVENT_DEDUP, a->meta->project_id, h, e->message_id,
		    a->dedup_since)) < 0)
			return -1;
		if (a->dup)
			a->dup[i] = (unsigned char)dup;
		if (dup) {
			a->duplicates++;
			continue;
		}
		if (insert_one(c, a, e, h) != 0 ||
		    sq_rollup_note(a->notes, a->meta->project_id, e) != 0 ||
		    (e->llm != NULL && sq_llm_span(a->st, c, a->meta, e->llm, job) < 0) ||
		    sq_event_conversation(c, a->meta->project_id, e) != 0)
			return -1;
		a->accepted++;
	}
	return 0;
}

int
sq_events_insert(struct store *base, const struct ingest_meta *meta, const struct event *evs,
    size_t n, unsigned char *dup, int64_t *accepted, int64_t *duplicates)
{
	struct sq_store *st = (struct sq_store *)base;
	struct insert_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.st = st;
	a.meta = meta;
	a.evs = evs;
	a.n = n;
	a.dup = dup;
	/* a window of 0 days turns dedup off: since lies in the future */
	a.dedup_since = st->cfg.dedup_window_days > 0
	    ? meta->received_ms - st->cfg.dedup_window_days * 86400000LL
	    : meta->received_ms + 1;
	a.rid_packed = pack_request_id(meta->request_id, a.rid);
	rc = sq_write(st, insert_tx, &a);
	*accepted = rc == 0 ? a.accepted : 0;
	*duplicates = rc == 0 ? a.duplicates : 0;
	return rc;
}

/* ---- listing ---- */

static const char *const list_columns =
    "SELECT " SQ_EVENT_COLUMNS " FROM events WHERE project_id = ?1";

/* Each filter bit adds one clause; its parameter number is fixed. */
static const struct {
	int bit;
	const char *clause;
} list_clauses[] = {
	{ SQF_TYPE, " AND type = ?2" },
	{ SQF_EVENT, " AND event = ?3" },
	{ SQF_USER, " AND user_id = ?4" },
	{ SQF_ANON, " AND anonymous_id = ?5" },
	{ SQF_SESSION, " AND session_id = ?6" },
	{ SQF_CONVERSATION, " AND conversation_id = ?7" },
	{ SQF_SHOP, " AND shop_id = ?8" },
	{ SQF_FROM, " AND ts >= ?9" },
	{ SQF_TO, " AND ts < ?10" },
	{ SQF_CURSOR, " AND (ts, id) < (?11, ?12)" },
};

static sqlite3_stmt *
list_stmt(struct sq_conn *c, int mask)
{
	char sql[1024];
	size_t len;

	if (c->list[mask] != NULL) {
		sqlite3_reset(c->list[mask]);
		sqlite3_clear_bindings(c->list[mask]);
		return c->list[mask];
	}
	len = util_strlcpy(sql, list_columns, sizeof(sql));
	for (size_t i = 0; i < sizeof(list_clauses) / sizeof(list_clauses[0]); i++)
		if (mask & list_clauses[i].bit)
			len += util_strlcpy(sql + len, list_clauses[i].clause, sizeof(sql) - len);
	util_strlcpy(sql + len, " ORDER BY ts DESC, id DESC LIMIT ?13", sizeof(sql) - len);
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->list[mask], NULL)
	    != SQLITE_OK) {
		sq_fail(c, "event list");
		return NULL;
	}
	return c->list[mask];
}

static const char *
col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

void
sq_event_row_read(sqlite3_stmt *s, struct event_row *r, char rid[33])
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->ev.type = sqlite3_column_int(s, 1);
	r->ev.event = col_text(s, 2);
	r->ev.user_id = col_text(s, 3);
	r->ev.anonymous_id = col_text(s, 4);
	r->ev.session_id = col_text(s, 5);
	r->ev.ts_ms = sqlite3_column_int64(s, 6);
	r->received_ms = sqlite3_column_int64(s, 7);
	r->ev.message_id = col_text(s, 8);
	r->ev.properties = col_text(s, 9);
	r->ev.context = col_text(s, 10);
	r->ev.traits = col_text(s, 11);
	r->ev.group_id = col_text(s, 12);
	r->ev.previous_id = col_text(s, 13);
	r->ev.conversation_id = col_text(s, 14);
	r->ev.turn_id = col_text(s, 15);
	r->ev.shop_id = col_text(s, 16);
	/* a request id is stored as 16 bytes when it is 32 hex digits */
	if (sqlite3_column_type(s, 17) == SQLITE_BLOB && sqlite3_column_bytes(s, 17) == 16) {
		util_hex_encode(sqlite3_column_blob(s, 17), 16, rid);
		r->request_id = rid;
	} else
		r->request_id = col_text(s, 17);
}

int
sq_event_rows(struct sq_conn *c, sqlite3_stmt *s, store_event_cb cb, void *ctx, const char *what)
{
	int step, rc;

	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct event_row r;
		char rid[33];

		sq_event_row_read(s, &r, rid);
		if (cb(ctx, &r) != 0)
			break;
	}
	rc = (step == SQLITE_ROW || step == SQLITE_DONE) ? 0 : sq_fail(c, what);
	sqlite3_reset(s);
	return rc;
}

int
sq_events_list(struct store *base, int64_t project_id, const struct event_filter *f,
    store_event_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s;
	int mask = 0, rc = -1;

	if (c == NULL)
		return -1;
	if (f->type >= 0) mask |= SQF_TYPE;
	if (f->event) mask |= SQF_EVENT;
	if (f->user_id) mask |= SQF_USER;
	if (f->anonymous_id) mask |= SQF_ANON;
	if (f->session_id) mask |= SQF_SESSION;
	if (f->conversation_id) mask |= SQF_CONVERSATION;
	if (f->shop_id) mask |= SQF_SHOP;
	if (f->from_ms) mask |= SQF_FROM;
	if (f->to_ms) mask |= SQF_TO;
	if (f->has_cursor) mask |= SQF_CURSOR;
	if ((s = list_stmt(c, mask)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, project_id);
	if (mask & SQF_TYPE) sqlite3_bind_int(s, 2, f->type);
	if (mask & SQF_EVENT) sq_bind_text(s, 3, f->event);
	if (mask & SQF_USER) sq_bind_text(s, 4, f->user_id);
	if (mask & SQF_ANON) sq_bind_text(s, 5, f->anonymous_id);
	if (mask & SQF_SESSION) sq_bind_text(s, 6, f->session_id);
	if (mask & SQF_CONVERSATION) sq_bind_text(s, 7, f->conversation_id);
	if (mask & SQF_SHOP) sq_bind_text(s, 8, f->shop_id);
	if (mask & SQF_FROM) sqlite3_bind_int64(s, 9, f->from_ms);
	if (mask & SQF_TO) sqlite3_bind_int64(s, 10, f->to_ms);
	if (mask & SQF_CURSOR) {
		sqlite3_bind_int64(s, 11, f->cursor_ts);
		sqlite3_bind_int64(s, 12, f->cursor_id);
	}
	sqlite3_bind_int(s, 13, f->limit);
	rc = sq_event_rows(c, s, cb, ctx, "event list");
out:
	sq_read_release(st, c);
	return rc;
}
