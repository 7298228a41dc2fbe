/* sq_store: opening, closing, migrating and pinging the SQLite database. */
#include "sq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "migrations.h"
#include "util.h"

static void sq_close(struct store *base);

static int
latest_version(void)
{
	int v = 0;
	for (const struct migration *m = sqlite_migrations; m->version; m++)
		v = m->version;
	return v;
}

/* -1 when the version table cannot be read; 0 when it does not exist yet. */
static int
current_version(struct sq_conn *c)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(c->db,
	    "SELECT coalesce(max(version), 0) FROM schema_migrations", -1, &s, NULL) != SQLITE_OK) {
		if (strstr(sqlite3_errmsg(c->db), "no such table") != NULL)
			return 0;
		return sq_fail(c, "schema version");
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int
sq_schema_version(struct store *base, int *current, int *latest)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	if (c == NULL)
		return -1;
	*current = current_version(c);
	*latest = latest_version();
	sq_read_release(st, c);
	return *current < 0 ? -1 : 0;
}

/* Each migration commits on its own, with its version row. */
static int
sq_migrate(struct store *base, int *applied, char *err, size_t errlen)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = st->writer;
	int rc = -1;

	*applied = 0;
	pthread_mutex_lock(&st->write_mu);
	if (sqlite3_exec(c->db,
	    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
	    "name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "schema_migrations: %s", sqlite3_errmsg(c->db));
		goto out;
	}
	for (const struct migration *m = sqlite_migrations; m->version; m++) {
		char *msg = NULL;
		sqlite3_stmt *record;
		int have;

		if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
			goto fail;
		/* read inside the write lock: two migrators cannot both apply m */
		if ((have = current_version(c)) < 0)
			goto fail_rollback;
		if (have >= m->version) {
			sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
			continue;
		}
		if (sqlite3_exec(c->db, m->sql, NULL, NULL, &msg) != SQLITE_OK)
			goto fail_rollback;
		if (sqlite3_prepare_v2(c->db, "INSERT INTO schema_migrations VALUES (?1, ?2, ?3)",
		    -1, &record, NULL) != SQLITE_OK)
			goto fail_rollback;
		sqlite3_bind_int(record, 1, m->version);
		sqlite3_bind_text(record, 2, m->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(record, 3, util_now_ms());
		have = sqlite3_step(record);
		sqlite3_finalize(record);
		if (have != SQLITE_DONE ||
		    sqlite3_exec(c->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
			goto fail_rollback;
		(*applied)++;
		continue;
fail_rollback:
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
fail:
		snprintf(err, errlen, "migration %s: %s", m->name, msg ? msg : sqlite3_errmsg(c->db));
		sqlite3_free(msg);
		goto out;
	}
	rc = 0;
out:
	pthread_mutex_unlock(&st->write_mu);
	return rc;
}

static int
sq_ping(struct store *base)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s;
	int rc = -1;

	if (c == NULL)
		return -1;
	if ((s = sq_stmt(c, SQ_PING)) != NULL) {
		rc = sqlite3_step(s) == SQLITE_ROW ? 0 : sq_fail(c, "ping");
		sqlite3_reset(s);
	}
	sq_read_release(st, c);
	return rc;
}

static const struct store_backend sqlite_backend = {
	.name = "sqlite",
	.close = sq_close,
	.migrate = sq_migrate,
	.schema_version = sq_schema_version,
	.ping = sq_ping,
	.project_create = sq_project_create,
	.project_get = sq_project_get,
	.project_list = sq_project_list,
	.key_create = sq_key_create,
	.key_list = sq_key_list,
	.key_revoke = sq_key_revoke,
	.key_auth = sq_key_auth,
	.project_update = sq_project_update,
	.account_create = sq_account_create,
	.account_by_email = sq_account_by_email,
	.account_get = sq_account_get,
	.signup = sq_signup,
	.project_create_owned = sq_project_create_owned,
	.member_role = sq_member_role,
	.members_list = sq_members_list,
	.member_set = sq_member_set,
	.member_remove = sq_member_remove,
	.account_projects = sq_account_projects,
	.login_failures = sq_login_failures,
	.login_failure_add = sq_login_failure_add,
	.login_failures_clear = sq_login_failures_clear,
	.login_failure_undo = sq_login_failure_undo,
	.login_failures_expire = sq_login_failures_expire,
	.events_insert = sq_events_insert,
	.events_list = sq_events_list,
	.user_get = sq_user_get,
	.user_delete = sq_user_delete,
	.spans_insert = sq_spans_insert,
	.votes_insert = sq_votes_insert,
	.prices_list = sq_prices_list,
	.price_set = sq_price_set,
	.price_delete = sq_price_delete,
	.reprice = sq_reprice,
	.traces_list = sq_traces_list,
	.trace_get = sq_trace_get,
	.session_get = sq_session_get,
	.llm_aggregate = sq_llm_aggregate,
	.llm_calls = sq_llm_calls,
	.spans_of_recent_traces = sq_spans_of_recent_traces,
	.votes_list = sq_votes_list,
	.conversations_list = sq_conversations_list,
	.realtime = sq_realtime,
	.event_aggregate = sq_event_aggregate,
	.event_minutes = sq_event_minutes,
	.rollups_rebuild = sq_rollups_rebuild,
	/* ---- insights ---- */
	.insights_put = sq_insights_put,
	.insights_list = sq_insights_list,
	.project_retention = sq_project_retention,
	.events_scan = sq_events_scan,
	.prune = sq_prune,
	.backup = sq_backup,
	.funnel_events = sq_funnel_events,
	.funnel_values = sq_funnel_values,
	.retention = sq_retention,
	.rate_take = sq_rate_take,
};

struct store *
sqlite_store_open(const struct cfg *cfg, enum store_mode mode, char *err, size_t errlen)
{
	struct sq_store *st = calloc(1, sizeof(*st));

	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	st->base.be = &sqlite_backend;
	st->cfg = *cfg;
	st->mode = mode;
	pthread_mutex_init(&st->pool_mu, NULL);
	pthread_mutex_init(&st->write_mu, NULL);
	pthread_mutex_init(&st->key_cache_mu, NULL);
	if ((st->writer = sq_conn_open(&st->cfg, err, errlen)) == NULL)
		goto fail;
	/* A big transaction dirties pages of every index it touches: the writer
	 * keeps them (up to 64 MiB) instead of spilling and reading them back
	 * from the WAL. Readers keep the small cache and read through mmap. */
	sqlite3_exec(st->writer->db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	if (mode == STORE_CLI)
		sq_cli_checkpoints(st);
	if (mode == STORE_WORKER && sq_checkpointer_start(st) != 0) {
		snprintf(err, errlen, "cannot start the checkpoint thread");
		goto fail;
	}
	sq_shared_open(st);
	sq_rate_open(st);
	sq_key_cache_init(st);
	return &st->base;
fail:
	sq_close(&st->base);
	return NULL;
}

static void
sq_close(struct store *base)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c;

	sq_checkpointer_stop(st);
	sq_shared_close(st);
	sq_rate_close(st);
	free(st->key_cache);
	free(st->prices);
	sq_conn_close(st->writer);
	while ((c = st->free_conns) != NULL) {
		st->free_conns = c->next;
		sq_conn_close(c);
	}
	pthread_mutex_destroy(&st->pool_mu);
	pthread_mutex_destroy(&st->write_mu);
	pthread_mutex_destroy(&st->key_cache_mu);
	free(st);
}
