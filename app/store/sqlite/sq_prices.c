/*
 * sq_prices: the model price table, its in-process copy, and repricing.
 * The copy is read again when the shared epoch moves (tallyctl prices set
 * bumps it) or, without the shared file, once a minute.
 */
#include "sq.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define PRICES_TTL_MS 60000

static void
read_row(sqlite3_stmt *s, struct price *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(s, 0);
	p->project_id = sqlite3_column_int64(s, 1);
	sq_column_copy(s, 2, p->provider, sizeof(p->provider));
	sq_column_copy(s, 3, p->pattern, sizeof(p->pattern));
	p->input_nusd = sqlite3_column_int64(s, 4);
	p->output_nusd = sqlite3_column_int64(s, 5);
	p->cached_nusd = sqlite3_column_int64(s, 6);
	p->effective_ms = sqlite3_column_int64(s, 7);
	sq_column_copy(s, 8, p->source_date, sizeof(p->source_date));
}

static int
load_prices(struct sq_store *st, struct sq_conn *c, uint64_t epoch, int64_t now)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_PRICE_LIST_ALL);
	struct price *list = NULL;
	size_t n = 0, cap = 0;
	int step;

	if (s == NULL)
		return -1;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			struct price *p = realloc(list, (cap = cap ? cap * 2 : 128) * sizeof(*p));
			if (p == NULL) {
				step = SQLITE_NOMEM;
				break;
			}
			list = p;
		}
		read_row(s, &list[n++]);
	}
	sqlite3_reset(s);
	if (step != SQLITE_DONE) {
		free(list);
		return sq_fail(c, "price table");
	}
	free(st->prices);
	st->prices = list;
	st->nprices = n;
	st->prices_epoch = epoch;
	st->prices_loaded_ms = now;
	return 0;
}

int
sq_price_for(struct sq_store *st, struct sq_conn *c, int64_t project_id,
    const char *provider, const char *model, int64_t ts_ms, struct price *out)
{
	uint64_t epoch = sq_key_epoch(st);
	int64_t now = util_now_ms();
	const struct price *p;

	if (st->prices_loaded_ms == 0 || epoch != st->prices_epoch ||
	    (st->shared == NULL && now - st->prices_loaded_ms >= PRICES_TTL_MS)) {
		if (load_prices(st, c, epoch, now) != 0)
			return -1;
	}
	if (model == NULL || (p = price_match(st->prices, st->nprices, project_id, provider, model,
	    ts_ms)) == NULL)
		return 1;
	*out = *p;
	return 0;
}

int
sq_prices_list(struct store *base, int64_t project_id, store_price_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s;
	int rc = 0, step;

	if (c == NULL || (s = sq_stmt(c, project_id < 0 ? SQ_PRICE_LIST_ALL : SQ_PRICE_LIST)) == NULL) {
		sq_read_release(st, c);
		return -1;
	}
	if (project_id >= 0)
		sqlite3_bind_int64(s, 1, project_id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct price p;
		read_row(s, &p);
		if (cb(ctx, &p) != 0)
			break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sq_fail(c, "price list");
	sqlite3_reset(s);
	sq_read_release(st, c);
	return rc;
}

static int
price_set_tx(struct sq_conn *c, void *arg)
{
	const struct price *p = arg;
	sqlite3_stmt *s = sq_stmt(c, SQ_PRICE_UPSERT);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, p->project_id);
	sq_bind_text(s, 2, p->provider);
	sq_bind_text(s, 3, p->pattern);
	sqlite3_bind_int64(s, 4, p->input_nusd);
	sqlite3_bind_int64(s, 5, p->output_nusd);
	sqlite3_bind_int64(s, 6, p->cached_nusd);
	sqlite3_bind_int64(s, 7, p->effective_ms);
	sq_bind_text(s, 8, p->source_date);
	return sq_exec(c, s);
}

int
sq_price_set(struct store *base, const struct price *p)
{
	struct sq_store *st = (struct sq_store *)base;
	int rc = sq_write(st, price_set_tx, (void *)p);
	if (rc == 0)
		sq_key_epoch_bump(st);     /* every process reads the table again */
	return rc;
}

static int
price_delete_tx(struct sq_conn *c, void *arg)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_PRICE_DELETE);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, *(int64_t *)arg);
	if (sq_exec(c, s) != 0)
		return -1;
	return sqlite3_changes(c->db) == 1 ? 0 : 1;
}

int
sq_price_delete(struct store *base, int64_t price_id)
{
	struct sq_store *st = (struct sq_store *)base;
	int rc = sq_write(st, price_delete_tx, &price_id);
	if (rc == 0)
		sq_key_epoch_bump(st);
	return rc;
}

/* ---- repricing ---- */

#define REPRICE_CHUNK 5000

struct reprice_args {
	struct sq_store *st;
	int64_t project_id, from_ms, to_ms;
	int64_t after_id;       /* resume point: the last span id seen */
	int64_t changed;
	int done;
};

static int
move_rollup(struct sq_conn *c, int64_t project, int dims, int grain, int64_t bucket,
    const char *feature, const char *model, const char *provider, const char *user, int64_t delta)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_ROLLUP_ADD_COST);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project);
	sqlite3_bind_int(s, 2, dims);
	sqlite3_bind_int(s, 3, grain);
	sqlite3_bind_int64(s, 4, bucket);
	sq_bind_text(s, 5, feature);
	sq_bind_text(s, 6, model);
	sq_bind_text(s, 7, provider);
	sq_bind_text(s, 8, user);
	sqlite3_bind_int64(s, 9, delta);
	return sq_exec(c, s);
}

static const char *
col_or_empty(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	return t ? t : "";
}

/* Moves every total that holds this call's cost by delta. */
static int
move_totals(struct sq_conn *c, sqlite3_stmt *row, int64_t delta)
{
	int64_t project = sqlite3_column_int64(row, 1), ts = sqlite3_column_int64(row, 11);
	const char *feature = col_or_empty(row, 4), *model = col_or_empty(row, 5);
	const char *provider = col_or_empty(row, 6), *user = col_or_empty(row, 3);
	const char *conv = (const char *)sqlite3_column_text(row, 7);
	int64_t buckets[SQ_GRAINS];
	sqlite3_stmt *s;

	sq_grain_buckets(ts, buckets);
	for (int grain = 0; grain < SQ_GRAINS; grain++) {
		if (move_rollup(c, project, 0, grain, buckets[grain], "", "", "", "", delta) != 0 ||
		    move_rollup(c, project, 1, grain, buckets[grain], feature, model, provider, "", delta) != 0)
			return -1;
	}
	if (*user && move_rollup(c, project, 2, SQ_GRAIN_DAY, buckets[SQ_GRAIN_DAY], "", "", "", user, delta) != 0)
		return -1;
	if ((s = sq_stmt(c, SQ_TRACE_ADD_COST)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project);
	sqlite3_bind_text(s, 2, (const char *)sqlite3_column_text(row, 2), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, delta);
	if (sq_exec(c, s) != 0)
		return -1;
	if (conv == NULL)
		return 0;
	if ((s = sq_stmt(c, SQ_CONV_ADD_COST)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project);
	sqlite3_bind_text(s, 2, conv, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, delta);
	return sq_exec(c, s);
}

/* The cost a call has under today's table (the client's estimate when unpriced). */
static int
cost_now(struct sq_store *st, struct sq_conn *c, sqlite3_stmt *row, int64_t *cost, int *priced)
{
	struct price p;
	int rc = sq_price_for(st, c, sqlite3_column_int64(row, 1),
	    (const char *)sqlite3_column_text(row, 6), (const char *)sqlite3_column_text(row, 5),
	    sqlite3_column_int64(row, 11), &p);
	if (rc < 0)
		return -1;
	*priced = rc == 0;
	*cost = rc == 0 ? price_cost_nusd(&p, sqlite3_column_int64(row, 8),
	    sqlite3_column_int64(row, 9), sqlite3_column_int64(row, 10))
	    : sqlite3_column_int64(row, 13);    /* NULL estimate reads 0 */
	return 0;
}

static int
reprice_tx(struct sq_conn *c, void *arg)
{
	struct reprice_args *a = arg;
	sqlite3_stmt *scan = NULL, *upd;
	int step, rows = 0, rc = 0;
	char *sql;

	/* the scan runs beside updates of the same table: its own statement */
	sql = sqlite3_mprintf("%s", sq_sql[a->project_id ? SQ_REPRICE_SCAN : SQ_REPRICE_SCAN_ALL]);
	if (sql == NULL || sqlite3_prepare_v2(c->db, sql, -1, &scan, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return sq_fail(c, "reprice scan");
	}
	sqlite3_free(sql);
	sqlite3_bind_int64(scan, 1, a->project_id);
	sqlite3_bind_int64(scan, 2, a->from_ms);
	sqlite3_bind_int64(scan, 3, a->to_ms);
	sqlite3_bind_int64(scan, 4, a->after_id);
	sqlite3_bind_int(scan, 5, REPRICE_CHUNK);
	while ((step = sqlite3_step(scan)) == SQLITE_ROW) {
		int64_t old = sqlite3_column_int64(scan, 12), cost;
		int priced;

		rows++;
		a->after_id = sqlite3_column_int64(scan, 0);
		if (cost_now(a->st, c, scan, &cost, &priced) != 0) {
			rc = -1;
			break;
		}
		if (cost == old && priced == sqlite3_column_int(scan, 14))
			continue;
		if ((upd = sq_stmt(c, SQ_SPAN_SET_COST)) == NULL) {
			rc = -1;
			break;
		}
		sqlite3_bind_int64(upd, 1, a->after_id);
		sqlite3_bind_int64(upd, 2, cost);
		sqlite3_bind_int(upd, 3, priced);
		if (sq_exec(c, upd) != 0 || (cost != old && move_totals(c, scan, cost - old) != 0)) {
			rc = -1;
			break;
		}
		a->changed++;
	}
	if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sq_fail(c, "reprice scan");
	sqlite3_finalize(scan);
	if (rc == 0 && rows < REPRICE_CHUNK)
		a->done = 1;
	return rc;
}

int
sq_reprice(struct store *base, int64_t project_id, int64_t from_ms, int64_t to_ms,
    int64_t *changed)
{
	struct sq_store *st = (struct sq_store *)base;
	struct reprice_args a;

	memset(&a, 0, sizeof(a));
	a.st = st;
	a.project_id = project_id;
	a.from_ms = from_ms;
	a.to_ms = to_ms;
	/* one transaction per chunk: ingest goes on between them */
	while (!a.done) {
		int64_t before = a.changed, after = a.after_id;
		if (sq_write(st, reprice_tx, &a) != 0) {
			a.changed = before;
			a.after_id = after;
			*changed = a.changed;
			return -1;
		}
	}
	*changed = a.changed;
	return 0;
}
