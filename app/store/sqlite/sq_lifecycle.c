/*
 * sq_lifecycle: the data lifecycle of the SQLite backend (docs/lifecycle.md):
 * a project's retention setting, export pages, pruning and online backup.
 * Statements are fixed text; every value is bound.
 */
#include "sq.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
#define WEEK_MS (7 * DAY_MS)

static void
nap_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

/* ---- retention setting ---- */

int
sq_project_retention(struct store *base, int64_t project_id, int64_t *days)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s = NULL;
	int rc = -1, step;

	*days = 0;
	if (c == NULL)
		return -1;
	if (sqlite3_prepare_v2(c->db, "SELECT retention_days FROM projects WHERE id = ?1", -1, &s,
	    NULL) != SQLITE_OK) {
		sq_fail(c, "project retention");
		goto out;
	}
	sqlite3_bind_int64(s, 1, project_id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*days = sqlite3_column_int64(s, 0);
		rc = 0;
	} else if (step == SQLITE_ROW || step == SQLITE_DONE)
		rc = 1;
	else
		sq_fail(c, "project retention");
out:
	sqlite3_finalize(s);
	sq_read_release(st, c);
	return rc;
}

/* ---- export pages ---- */

int
sq_events_scan(struct store *base, int64_t project_id, const struct event_scan *q,
    store_event_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s;
	int rc = -1;

	if (c == NULL)
		return -1;
	if ((s = sq_stmt(c, SQ_EVENT_SCAN)) != NULL) {
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_int64(s, 2, q->after_ts);
		sqlite3_bind_int64(s, 3, q->after_id);
		sqlite3_bind_int64(s, 4, q->to_ms);
		sqlite3_bind_int(s, 5, q->limit);
		rc = sq_event_rows(c, s, cb, ctx, "event scan");
	}
	sq_read_release(st, c);
	return rc;
}

/* ---- prune ---- */

/*
 * Rows deleted per write transaction, and the pace. Deleting a row dirties
 * about one page (the indexes on message-id hashes and user ids are in
 * random order): a chunk of 1000 events writes ~4.5 MB of WAL and holds
 * the writers' lock ~15 ms. What hurts ingest is not the lock but the
 * disk: measured on 1M events beside 4 concurrent ingest clients, 5000-row
 * chunks back to back cut ingest from ~220 to ~30 requests/s (p99 0.8 s);
 * 1000-row chunks, each followed by a nap as long as it took (lock wait
 * and checkpoint included), left ~200-300 requests/s (p99 0.1-0.2 s).
 * tests/bench/prune.sh (one-event requests from 8 clients) still saw the
 * ingest p99 at 2.8x its idle value with those; 100-row chunks and a nap
 * of four times the chunk's time (the pruner takes at most a fifth of the
 * time) bring it within 2x (docs/performance.md). A daily prune of a month
 * of a busy project then takes minutes (3,400 rows/s here), which its
 * timer allows.
 */
#define PRUNE_CHUNK 100
#define PRUNE_NAP_FACTOR 4
#define PRUNE_NAP_MIN_US 1000

/*
 * Every statement binds the same parameters and uses those it needs:
 *   ?1 project  ?2 cutoff (raw rows: time < ?2)  ?3 chunk size
 *   ?4 grain    ?5 start of the grain's last bucket wholly before the
 *               cutoff (bucket <= ?5)
 *   ?6 start of the last week wholly before the cutoff
 *   ?7 …        keyset position (windowed steps)
 */
enum { P_PROJECT = 1, P_CUTOFF, P_LIMIT, P_GRAIN, P_LAST_BUCKET, P_LAST_WEEK, P_CURSOR };

static const int64_t grain_len[SQ_GRAINS] = { HOUR_MS, DAY_MS, WEEK_MS };

/*
 * A step deletes one kind of row. Ranged steps delete, per chunk, the
 * first rows of an index range (the rows already deleted are gone from
 * it, so no chunk reads them again). Windowed steps are for rows that are
 * not at the front of any index (a bucket is the third key column of
 * event_rollup; an orphan turn is known only by a lookup): each chunk
 * reads the next `window` keys after a keyset position and deletes the old
 * ones among them, so a transaction never reads more than that.
 */
struct prune_step {
	const char *table;
	size_t count_off;       /* in struct prune_counts */
	int grain;              /* -1: none */
	const char *count;      /* dry run */
	const char *del;        /* ranged: deletes at most ?3 rows */
	const char *window;     /* windowed: column 0 says "old", then the keyset columns */
	const char *window_from;        /* … the same after the position ?7 … */
	const char *del_key;    /* windowed: deletes one row by ?1, ?4 and the keyset columns */
	int nkeys;
};

#define COUNT(f) offsetof(struct prune_counts, f)

static const struct prune_step steps[] = {
	{ "events", COUNT(events), -1,
	  "SELECT count(*) FROM events WHERE project_id = ?1 AND ts < ?2",
	  "DELETE FROM events WHERE id IN (SELECT id FROM events "
	  "WHERE project_id = ?1 AND ts < ?2 LIMIT ?3)", NULL, NULL, NULL, 0 },
	{ "spans", COUNT(spans), -1,
	  "SELECT count(*) FROM spans WHERE project_id = ?1 AND start_ts < ?2",
	  "DELETE FROM spans WHERE id IN (SELECT id FROM spans "
	  "WHERE project_id = ?1 AND start_ts < ?2 LIMIT ?3)", NULL, NULL, NULL, 0 },
	/* a trace goes once its last span is older than the cutoff */
	{ "traces", COUNT(traces), -1,
	  "SELECT count(*) FROM traces WHERE project_id = ?1 AND start_ts < ?2 AND end_ts < ?2",
	  "DELETE FROM traces WHERE project_id = ?1 AND trace_id IN (SELECT trace_id FROM traces "
	  "WHERE project_id = ?1 AND start_ts < ?2 AND end_ts < ?2 LIMIT ?3)", NULL, NULL, NULL, 0 },
	{ "votes", COUNT(votes), -1,
	  "SELECT count(*) FROM votes WHERE project_id = ?1 AND ts < ?2",
	  "DELETE FROM votes WHERE id IN (SELECT id FROM votes "
	  "WHERE project_id = ?1 AND ts < ?2 LIMIT ?3)", NULL, NULL, NULL, 0 },
	{ "conversations", COUNT(conversations), -1,
	  "SELECT count(*) FROM conversations WHERE project_id = ?1 AND last_ts < ?2",
	  "DELETE FROM conversations WHERE project_id = ?1 AND conversation_id IN ("
	  "SELECT conversation_id FROM conversations WHERE project_id = ?1 AND last_ts < ?2 LIMIT ?3)",
	  NULL, NULL, NULL, 0 },
	/* turns have no time: those of the conversations deleted above go (runs only after some did) */
	{ "conversation_turns", COUNT(conversation_turns), -1,
	  "SELECT count(*) FROM conversation_turns t JOIN conversations c "
	  "ON c.project_id = t.project_id AND c.conversation_id = t.conversation_id "
	  "WHERE t.project_id = ?1 AND c.last_ts < ?2",
	  NULL,
	  "SELECT NOT EXISTS (SELECT 1 FROM conversations c WHERE c.project_id = ?1 "
	  "AND c.conversation_id = t.conversation_id), t.turn_id FROM conversation_turns t "
	  "WHERE t.project_id = ?1 ORDER BY t.turn_id LIMIT ?3",
	  "SELECT NOT EXISTS (SELECT 1 FROM conversations c WHERE c.project_id = ?1 "
	  "AND c.conversation_id = t.conversation_id), t.turn_id FROM conversation_turns t "
	  "WHERE t.project_id = ?1 AND t.turn_id > ?7 ORDER BY t.turn_id LIMIT ?3",
	  "DELETE FROM conversation_turns WHERE project_id = ?1 AND turn_id = ?7", 1 },
#define LLM_ROLLUP(g) \
	{ "llm_rollup", COUNT(llm_rollup), g, \
	  "SELECT count(*) FROM llm_rollup WHERE project_id = ?1 AND dims IN (0, 1, 2) " \
	  "AND grain = ?4 AND bucket <= ?5", \
	  "DELETE FROM llm_rollup WHERE project_id = ?1 AND (dims, grain, bucket, feature, model, " \
	  "provider, user_id) IN (SELECT dims, grain, bucket, feature, model, provider, user_id " \
	  "FROM llm_rollup WHERE project_id = ?1 AND dims IN (0, 1, 2) AND grain = ?4 " \
	  "AND bucket <= ?5 LIMIT ?3)", NULL, NULL, NULL, 0 }
	LLM_ROLLUP(SQ_GRAIN_HOUR), LLM_ROLLUP(SQ_GRAIN_DAY), LLM_ROLLUP(SQ_GRAIN_WEEK),
#define EVENT_ROLLUP(g) \
	{ "event_rollup", COUNT(event_rollup), g, \
	  "SELECT count(*) FROM event_rollup WHERE project_id = ?1 AND grain = ?4 AND bucket <= ?5", \
	  NULL, \
	  "SELECT bucket <= ?5, dim, event, bucket, value FROM event_rollup " \
	  "WHERE project_id = ?1 AND grain = ?4 ORDER BY dim, event, bucket, value LIMIT ?3", \
	  "SELECT bucket <= ?5, dim, event, bucket, value FROM event_rollup " \
	  "WHERE project_id = ?1 AND grain = ?4 AND (dim, event, bucket, value) > (?7, ?8, ?9, ?10) " \
	  "ORDER BY dim, event, bucket, value LIMIT ?3", \
	  "DELETE FROM event_rollup WHERE project_id = ?1 AND grain = ?4 AND dim = ?7 " \
	  "AND event = ?8 AND bucket = ?9 AND value = ?10", 4 }
	EVENT_ROLLUP(SQ_GRAIN_HOUR), EVENT_ROLLUP(SQ_GRAIN_DAY), EVENT_ROLLUP(SQ_GRAIN_WEEK),
	{ "user_weeks", COUNT(user_weeks), -1,
	  "SELECT count(*) FROM user_weeks WHERE project_id = ?1 AND week <= ?6",
	  "DELETE FROM user_weeks WHERE project_id = ?1 AND (user_key, week) IN ("
	  "SELECT user_key, week FROM user_weeks WHERE project_id = ?1 AND week <= ?6 LIMIT ?3)",
	  NULL, NULL, NULL, 0 },
	/*
	 * A user first seen before the cutoff keeps that date while active in
	 * a week that stays: deleting it would make a returning user new again
	 * in the retention cohorts. It goes with the user's last kept week.
	 */
	{ "user_first", COUNT(user_first), -1,
	  "SELECT count(*) FROM user_first f WHERE project_id = ?1 AND first_ts < ?2 "
	  "AND NOT EXISTS (SELECT 1 FROM user_weeks w WHERE w.project_id = ?1 "
	  "AND w.user_key = f.user_key AND w.week > ?6)",
	  NULL,
	  "SELECT NOT EXISTS (SELECT 1 FROM user_weeks w WHERE w.project_id = ?1 "
	  "AND w.user_key = f.user_key AND w.week > ?6), first_ts, user_key FROM user_first f "
	  "WHERE project_id = ?1 AND first_ts < ?2 ORDER BY first_ts, user_key LIMIT ?3",
	  "SELECT NOT EXISTS (SELECT 1 FROM user_weeks w WHERE w.project_id = ?1 "
	  "AND w.user_key = f.user_key AND w.week > ?6), first_ts, user_key FROM user_first f "
	  "WHERE project_id = ?1 AND first_ts < ?2 AND (first_ts, user_key) > (?7, ?8) "
	  "ORDER BY first_ts, user_key LIMIT ?3",
	  "DELETE FROM user_first WHERE project_id = ?1 AND user_key = ?8", 2 },
	/* an insight goes when the whole period it describes is before the cutoff */
	{ "insights", COUNT(insights), -1,
	  "SELECT count(*) FROM insights WHERE project_id = ?1 AND period_end <= ?2",
	  "DELETE FROM insights WHERE id IN (SELECT id FROM insights "
	  "WHERE project_id = ?1 AND period_end <= ?2 LIMIT ?3)", NULL, NULL, NULL, 0 },
};

#define MAX_KEYS 4

struct prune_args {
	const struct prune_step *step;
	int64_t project_id, cutoff_ms;
	int64_t deleted;                /* by the last chunk */
	int done;
	/* windowed steps: the keyset position, and the keys of one window */
	int has_cursor;
	sqlite3_value *cursor[MAX_KEYS];
	sqlite3_value **keys;           /* PRUNE_CHUNK × nkeys */
	size_t nold;
};

static int64_t
last_bucket(int64_t cutoff, int64_t len)
{
	/* a bucket [b, b + len) is wholly before the cutoff when b + len <= cutoff */
	return cutoff - len;
}

static void
bind_common(sqlite3_stmt *s, const struct prune_args *a)
{
	const struct prune_step *p = a->step;

	sqlite3_bind_int64(s, P_PROJECT, a->project_id);
	sqlite3_bind_int64(s, P_CUTOFF, a->cutoff_ms);
	sqlite3_bind_int(s, P_LIMIT, PRUNE_CHUNK);
	if (p->grain >= 0) {
		sqlite3_bind_int(s, P_GRAIN, p->grain);
		sqlite3_bind_int64(s, P_LAST_BUCKET, last_bucket(a->cutoff_ms, grain_len[p->grain]));
	}
	sqlite3_bind_int64(s, P_LAST_WEEK, last_bucket(a->cutoff_ms, WEEK_MS));
}

static int
ranged_chunk_tx(struct sq_conn *c, void *arg)
{
	struct prune_args *a = arg;
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(c->db, a->step->del, -1, &s, NULL) != SQLITE_OK)
		return sq_fail(c, a->step->table);
	bind_common(s, a);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : sq_fail(c, a->step->table);
	sqlite3_finalize(s);
	if (rc == 0) {
		a->deleted = sqlite3_changes(c->db);
		a->done = a->deleted < PRUNE_CHUNK;
	}
	return rc;
}

/* Frees the keys of a window (those of a row cut short by a failure too). */
static void
free_keys(struct prune_args *a)
{
	size_t n = (a->nold + 1) * (size_t)a->step->nkeys;
	for (size_t i = 0; i < n && i < (size_t)PRUNE_CHUNK * (size_t)a->step->nkeys; i++) {
		sqlite3_value_free(a->keys[i]);
		a->keys[i] = NULL;
	}
}

/* Reads the next window of keys; keeps those of old rows, moves the position. */
static int
read_window(struct sq_conn *c, struct prune_args *a, size_t *rows)
{
	const struct prune_step *p = a->step;
	sqlite3_stmt *s;
	int step, rc = 0;

	*rows = 0;
	a->nold = 0;
	if (sqlite3_prepare_v2(c->db, a->has_cursor ? p->window_from : p->window, -1, &s, NULL)
	    != SQLITE_OK)
		return sq_fail(c, p->table);
	bind_common(s, a);
	for (int k = 0; a->has_cursor && k < p->nkeys; k++)
		sqlite3_bind_value(s, P_CURSOR + k, a->cursor[k]);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int old = sqlite3_column_int(s, 0);
		(*rows)++;
		for (int k = 0; k < p->nkeys; k++) {
			sqlite3_value *v = sqlite3_value_dup(sqlite3_column_value(s, 1 + k));
			if (v == NULL) {
				rc = -1;
				break;
			}
			sqlite3_value_free(a->cursor[k]);
			a->cursor[k] = v;
			if (old && (a->keys[a->nold * p->nkeys + k] = sqlite3_value_dup(v)) == NULL)
				rc = -1;
		}
		if (rc != 0)
			break;
		if (old)
			a->nold++;
		a->has_cursor = 1;
	}
	if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sq_fail(c, p->table);
	sqlite3_finalize(s);
	if (rc != 0)
		log_msg(LOG_ERROR, "prune %s: cannot read a window of keys", p->table);
	return rc;
}

static int
windowed_chunk_tx(struct sq_conn *c, void *arg)
{
	struct prune_args *a = arg;
	const struct prune_step *p = a->step;
	sqlite3_stmt *s = NULL;
	size_t rows;
	int rc;

	a->deleted = 0;
	if ((rc = read_window(c, a, &rows)) != 0)
		goto out;
	a->done = rows < PRUNE_CHUNK;
	if (a->nold == 0)
		goto out;
	if (sqlite3_prepare_v2(c->db, p->del_key, -1, &s, NULL) != SQLITE_OK) {
		rc = sq_fail(c, p->table);
		goto out;
	}
	for (size_t i = 0; i < a->nold; i++) {
		sqlite3_reset(s);
		bind_common(s, a);
		for (int k = 0; k < p->nkeys; k++)
			sqlite3_bind_value(s, P_CURSOR + k, a->keys[i * p->nkeys + k]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			rc = sq_fail(c, p->table);
			goto out;
		}
		a->deleted += sqlite3_changes(c->db);
	}
out:
	sqlite3_finalize(s);
	free_keys(a);
	return rc;
}

/* Deletes one step's rows chunk by chunk; *deleted counts what committed. */
static int
prune_step_run(struct sq_store *st, struct prune_args *a, int64_t *deleted)
{
	sq_write_fn fn = a->step->del ? ranged_chunk_tx : windowed_chunk_tx;
	int rc = 0;

	a->done = 0;
	a->has_cursor = 0;
	if (!a->step->del && (a->keys = calloc((size_t)PRUNE_CHUNK * (size_t)a->step->nkeys,
	    sizeof(*a->keys))) == NULL)
		return -1;
	while (!a->done) {
		int64_t t0 = util_mono_us(), took;
		if (sq_write(st, fn, a) != 0) {
			rc = -1;        /* that chunk deleted nothing; the ones before stay deleted */
			break;
		}
		*deleted += a->deleted;
		took = util_mono_us() - t0;
		if (!a->done)
			nap_us(took * PRUNE_NAP_FACTOR > PRUNE_NAP_MIN_US ? (long)(took * PRUNE_NAP_FACTOR)
			    : PRUNE_NAP_MIN_US);
	}
	for (int k = 0; k < MAX_KEYS; k++) {
		sqlite3_value_free(a->cursor[k]);
		a->cursor[k] = NULL;
	}
	free(a->keys);
	a->keys = NULL;
	return rc;
}

static int
prune_count(struct sq_store *st, struct prune_args *a, int64_t *count)
{
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (c == NULL)
		return -1;
	if (sqlite3_prepare_v2(c->db, a->step->count, -1, &s, NULL) != SQLITE_OK) {
		sq_fail(c, a->step->table);
		goto out;
	}
	bind_common(s, a);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*count += sqlite3_column_int64(s, 0);
		rc = 0;
	} else
		sq_fail(c, a->step->table);
out:
	sqlite3_finalize(s);
	sq_read_release(st, c);
	return rc;
}

int
sq_prune(struct store *base, int64_t project_id, int64_t cutoff_ms, int dry_run,
    struct prune_counts *out)
{
	struct sq_store *st = (struct sq_store *)base;
	struct prune_args a;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	a.project_id = project_id;
	a.cutoff_ms = cutoff_ms;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int64_t *n = (int64_t *)((char *)out + steps[i].count_off);

		a.step = &steps[i];
		if (dry_run) {
			if (prune_count(st, &a, n) != 0)
				return -1;
			continue;
		}
		/* the turn sweep reads every turn of the project: only when it can find some */
		if (steps[i].count_off == COUNT(conversation_turns) && out->conversations == 0)
			continue;
		if (prune_step_run(st, &a, n) != 0) {
			log_msg(LOG_ERROR, "prune: project %lld: %s failed; what was deleted before stays deleted",
			    (long long)project_id, steps[i].table);
			return -1;
		}
	}
	return 0;
}

/* ---- backup ---- */

/*
 * Pages copied per backup step (4 MiB at tally's 4 KiB pages), with a nap
 * between steps for the disk's other users.
 */
#define BACKUP_STEP_PAGES 1000
#define BACKUP_NAP_US 1000

/* path, path-journal, path-wal and path-shm, when they exist. */
static void
remove_db_files(const char *path)
{
	static const char *const suffix[] = { "", "-journal", "-wal", "-shm" };
	char p[1200];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		(void)unlink(p);
	}
}

/* One text value of a one-row PRAGMA into buf. */
static int
pragma_text(sqlite3 *db, const char *sql, char *buf, size_t bufsz)
{
	sqlite3_stmt *s;
	int rc = -1;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		snprintf(buf, bufsz, "%s", t ? (const char *)t : "");
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Makes a rename durable: fsync of the directory holding path. */
static void
sync_dir_of(const char *path)
{
	char dir[1100];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/*
 * Consistency while ingest goes on: sqlite3_backup_step restarts from page
 * 1 whenever another connection has written the source since the previous
 * step, so under steady ingest a stepped backup never ends (measured: 387
 * restarts in a 2.5k-page copy beside one writer). Every step here runs
 * inside one read transaction opened on the source first: in WAL mode that
 * is a snapshot that writers do not disturb and that does not hold them
 * back, so the copy is the database as of that instant and never restarts.
 * The cost is the WAL: while the snapshot is open, checkpoints cannot
 * rewind it, so it grows by what is ingested during the backup.
 */
int
sq_backup(struct store *base, const char *path, int force, struct backup_result *out,
    char *err, size_t errlen)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *src = NULL;
	sqlite3 *dst = NULL;
	sqlite3_backup *b = NULL;
	char tmp[1100], text[256];
	struct stat sb;
	mode_t mode;
	int rc = -1, step, reading = 0, fd;

	memset(out, 0, sizeof(*out));
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if (!force && lstat(path, &sb) == 0)
		return 1;
	remove_db_files(tmp);           /* what an interrupted backup left */
	/* the copy holds what the database holds: no wider permissions than its own */
	mode = stat(st->cfg.database, &sb) == 0 ? sb.st_mode & 0660 : 0600;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	(void)fchmod(fd, mode);         /* the umask aside */
	close(fd);
	if ((src = sq_conn_open(&st->cfg, err, errlen)) == NULL)
		goto out;
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", tmp, dst ? sqlite3_errmsg(dst) : "cannot open");
		goto out;
	}
	/* the snapshot: a read transaction is opened by the first read inside BEGIN */
	if (sqlite3_exec(src->db, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL)
	    != SQLITE_OK) {
		snprintf(err, errlen, "cannot start reading the database: %s", sqlite3_errmsg(src->db));
		goto out;
	}
	reading = 1;
	if ((b = sqlite3_backup_init(dst, "main", src->db, "main")) == NULL) {
		snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
		goto out;
	}
	while ((step = sqlite3_backup_step(b, BACKUP_STEP_PAGES)) != SQLITE_DONE) {
		if (step != SQLITE_OK && step != SQLITE_BUSY && step != SQLITE_LOCKED) {
			snprintf(err, errlen, "backup: %s", sqlite3_errstr(step));
			goto out;
		}
		nap_us(step == SQLITE_OK ? BACKUP_NAP_US : 10 * BACKUP_NAP_US);
	}
	out->pages = sqlite3_backup_pagecount(b);
	step = sqlite3_backup_finish(b);
	b = NULL;
	if (step != SQLITE_OK) {
		snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_exec(src->db, "COMMIT", NULL, NULL, NULL);
	reading = 0;
	/* the copy says WAL like its source; one file is what a backup should be */
	if (pragma_text(dst, "PRAGMA journal_mode = DELETE", text, sizeof(text)) != 0 ||
	    strcmp(text, "delete") != 0) {
		snprintf(err, errlen, "%s: cannot leave WAL mode: %s", tmp, sqlite3_errmsg(dst));
		goto out;
	}
	if (pragma_text(dst, "PRAGMA quick_check", text, sizeof(text)) != 0 || strcmp(text, "ok") != 0) {
		snprintf(err, errlen, "%s: the copy fails quick_check: %s", tmp,
		    text[0] ? text : sqlite3_errmsg(dst));
		goto out;
	}
	if (pragma_text(dst, "PRAGMA page_size", text, sizeof(text)) != 0 ||
	    util_parse_i64(text, 512, 65536, &out->page_size) != 0) {
		snprintf(err, errlen, "%s: cannot read its page size", tmp);
		goto out;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", tmp, sqlite3_errmsg(dst));
		goto out;
	}
	dst = NULL;
	/* a -wal left beside an older file at path would be replayed into the new one */
	if (force) {
		char p[1200];
		snprintf(p, sizeof(p), "%s-wal", path);
		(void)unlink(p);
		snprintf(p, sizeof(p), "%s-shm", path);
		(void)unlink(p);
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "rename %s to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	sync_dir_of(path);
	rc = 0;
out:
	if (b != NULL)
		sqlite3_backup_finish(b);
	if (reading)
		sqlite3_exec(src->db, "ROLLBACK", NULL, NULL, NULL);
	if (dst != NULL)
		sqlite3_close(dst);
	if (rc != 0)
		remove_db_files(tmp);
	sq_conn_close(src);
	return rc;
}
