/* sq_conn: connections, their pragmas, prepared statements and the read pool. */
#include "sq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

struct busy_state {
	int timeout_ms;
};

/*
 * SQLite's default busy handler sleeps 1, 2, 5, 10 … 100 ms between tries:
 * far longer than a group commit holds the lock. Short, growing naps keep
 * the other processes' writers close behind the current one.
 */
static int
busy_wait(void *arg, int tries)
{
	const struct cfg *cfg = arg;
	/* naps of 50 µs × (tries + 1), capped at 2 ms; elapsed is their sum */
	long nap_us = tries < 40 ? 50L * (tries + 1) : 2000L;
	long elapsed_us = tries < 40 ? 25L * tries * (tries + 1) : 41000L + (tries - 40) * 2000L;
	struct timespec ts;

	if (elapsed_us >= cfg->busy_timeout_ms * 1000L)
		return 0;
	ts.tv_sec = 0;
	ts.tv_nsec = nap_us * 1000;
	nanosleep(&ts, NULL);
	return 1;
}

struct sq_conn *
sq_conn_open(const struct cfg *cfg, char *err, size_t errlen)
{
	static const char *const sync_pragma[] = {
		"PRAGMA synchronous = OFF", "PRAGMA synchronous = NORMAL", "PRAGMA synchronous = FULL",
	};
	const char *const setup[] = {
		"PRAGMA journal_mode = WAL",
		sync_pragma[cfg->synchronous],
		"PRAGMA foreign_keys = ON",
		"PRAGMA temp_store = MEMORY",
		"PRAGMA cache_size = -2048",        /* KiB: the OS page cache holds the rest, */
		/* read through a shared mapping, not pread: as much of the file as
		 * Debian's SQLite maps (its SQLITE_MAX_MMAP_SIZE, 2 GB) */
		"PRAGMA mmap_size = 2147418112",
		"PRAGMA journal_size_limit = 67108864",  /* a rewound WAL is cut back to 64 MiB */
	};
	struct sq_conn *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = sqlite3_open_v2(cfg->database, &c->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "database %s: %s", cfg->database,
		    c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_handler(c->db, busy_wait, (void *)cfg);
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
		if (sqlite3_exec(c->db, setup[i], NULL, NULL, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "database %s: %s: %s", cfg->database, setup[i],
			    sqlite3_errmsg(c->db));
			goto fail;
		}
	}
	if (sq_funcs_register(c->db) != 0) {
		snprintf(err, errlen, "database %s: cannot register functions: %s", cfg->database,
		    sqlite3_errmsg(c->db));
		goto fail;
	}
	return c;
fail:
	sq_conn_close(c);
	return NULL;
}

void
sq_conn_close(struct sq_conn *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < SQ__COUNT; i++)
		sqlite3_finalize(c->stmt[i]);
	for (int i = 0; i < SQF__VARIANTS; i++)
		sqlite3_finalize(c->list[i]);
	sq_rollup_notes_free(c->rollup);
	sqlite3_close(c->db);
	free(c);
}

int
sq_fail(struct sq_conn *c, const char *what)
{
	log_msg(LOG_ERROR, "sqlite: %s: %s (%d)", what, sqlite3_errmsg(c->db),
	    sqlite3_extended_errcode(c->db));
	return -1;
}

sqlite3_stmt *
sq_stmt(struct sq_conn *c, enum sq_stmt id)
{
	sqlite3_stmt *s = c->stmt[id];
	if (s == NULL) {
		if (sqlite3_prepare_v3(c->db, sq_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
		    &c->stmt[id], NULL) != SQLITE_OK) {
			sq_fail(c, sq_sql[id]);
			return NULL;
		}
		return c->stmt[id];
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

int
sq_exec(struct sq_conn *c, sqlite3_stmt *s)
{
	int rc;
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_fail(c, sqlite3_sql(s));
	return 0;
}

int
sq_one_row(struct sq_conn *c, sqlite3_stmt *s, void (*fill)(sqlite3_stmt *, void *), void *out,
    const char *what)
{
	int step = sqlite3_step(s), rc = -1;

	if (step == SQLITE_ROW) {
		fill(s, out);
		rc = 0;
	} else if (step == SQLITE_DONE)
		rc = 1;
	else
		sq_fail(c, what);
	sqlite3_reset(s);
	return rc;
}

void
sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

void
sq_column_copy(sqlite3_stmt *s, int i, char *buf, size_t bufsz)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(buf, bufsz, "%s", t ? (const char *)t : "");
}

struct sq_conn *
sq_read_acquire(struct sq_store *st)
{
	struct sq_conn *c;
	char err[512];

	pthread_mutex_lock(&st->pool_mu);
	c = st->free_conns;
	if (c != NULL)
		st->free_conns = c->next;
	pthread_mutex_unlock(&st->pool_mu);
	if (c != NULL)
		return c;
	if ((c = sq_conn_open(&st->cfg, err, sizeof(err))) == NULL)
		log_msg(LOG_ERROR, "%s", err);
	return c;
}

void
sq_read_release(struct sq_store *st, struct sq_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&st->pool_mu);
	c->next = st->free_conns;
	st->free_conns = c;
	pthread_mutex_unlock(&st->pool_mu);
}
