/*
 * sq_commit: group commit. SQLite commits one transaction at a time and a
 * commit costs far more than an insert (STACK-NOTES: ~30k commits/s vs
 * ~500k rows/s). So writers queue their work; the first of them that finds
 * no commit under way becomes the leader: it takes the whole queue, runs each
 * job in its own savepoint inside one transaction, commits once, then wakes
 * the others of that batch. Jobs queued meanwhile wait for the next leader:
 * the first of them is woken to lead. Nobody is answered before the commit
 * that holds their rows, and no extra thread has to wake for a commit
 * (wake-ups are what a request costs most on a virtual machine).
 */
#include "sq.h"

#include <stdlib.h>

#include "log.h"

/* Runs a list of jobs in one transaction; sets each job's rc. */
static void
run_batch(struct sq_conn *c, struct sq_job *jobs)
{
	int solo = jobs->next == NULL;

	if (sq_exec(c, sq_stmt(c, SQ_BEGIN)) != 0) {
		for (struct sq_job *j = jobs; j; j = j->next)
			j->rc = -1;
		return;
	}
	sq_rollup_discard(c->rollup);
	for (struct sq_job *j = jobs; j; j = j->next) {
		if (solo) {
			j->rc = j->fn(c, j->arg);
			break;
		}
		if (sq_exec(c, sq_stmt(c, SQ_SAVEPOINT)) != 0) {
			j->rc = -1;
			continue;
		}
		j->rc = j->fn(c, j->arg);
		if (sqlite3_get_autocommit(c->db)) {
			/*
			 * SQLite rolled the whole transaction back by itself (disk
			 * full, I/O error): nothing of this batch is stored, and the
			 * jobs left must not run outside a transaction.
			 */
			for (struct sq_job *k = jobs; k; k = k->next)
				k->rc = -1;
			return;
		}
		if (j->rc < 0)
			sq_exec(c, sq_stmt(c, SQ_ROLLBACK_TO));
		sq_exec(c, sq_stmt(c, SQ_RELEASE));
	}
	if (solo && jobs->rc < 0) {
		if (!sqlite3_get_autocommit(c->db))
			sq_exec(c, sq_stmt(c, SQ_ROLLBACK));
		sq_rollup_discard(c->rollup);
		return;
	}
	/* the rollups of every job that stayed, once, then the commit */
	if (sq_rollup_flush(c, c->rollup) != 0 || sq_exec(c, sq_stmt(c, SQ_COMMIT)) != 0) {
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		for (struct sq_job *j = jobs; j; j = j->next)
			j->rc = -1;
	}
}

/* Called with write_mu held; returns with it held. Leads one batch. */
static void
lead_batch(struct sq_store *st)
{
	struct sq_job *batch = st->queue_head;

	st->queue_head = st->queue_tail = NULL;
	st->leader_active = 1;
	pthread_mutex_unlock(&st->write_mu);

	sq_writers_lock(st);
	run_batch(st->writer, batch);
	sq_writers_unlock(st);

	pthread_mutex_lock(&st->write_mu);
	st->leader_active = 0;
	for (struct sq_job *j = batch, *next; j; j = next) {
		next = j->next;     /* a waiter may reuse its job once done */
		if (j->detached) {
			free(j->arg);
			free(j);
		} else {
			j->done = 1;
			pthread_cond_signal(&j->done_cv);
		}
	}
	/* hand the lead to the first waiter that queued during this commit */
	for (struct sq_job *j = st->queue_head; j; j = j->next)
		if (!j->detached) {
			pthread_cond_signal(&j->done_cv);
			return;
		}
}

int
sq_write(struct sq_store *st, sq_write_fn fn, void *arg)
{
	struct sq_job job = { fn, arg, -1, 0, 0, PTHREAD_COND_INITIALIZER, NULL };

	pthread_mutex_lock(&st->write_mu);
	if (st->mode == STORE_CLI) {
		run_batch(st->writer, &job);
		pthread_mutex_unlock(&st->write_mu);
		return job.rc;
	}
	if (st->queue_tail)
		st->queue_tail->next = &job;
	else
		st->queue_head = &job;
	st->queue_tail = &job;
	while (!job.done) {
		if (!st->leader_active)
			lead_batch(st);     /* our job is in it */
		else
			pthread_cond_wait(&job.done_cv, &st->write_mu);
	}
	pthread_mutex_unlock(&st->write_mu);
	pthread_cond_destroy(&job.done_cv);
	return job.rc;
}

void
sq_write_detached(struct sq_store *st, sq_write_fn fn, void *arg)
{
	struct sq_job *job;

	if (st->mode == STORE_CLI || !st->checkpointer_started ||
	    (job = calloc(1, sizeof(*job))) == NULL) {
		sq_write(st, fn, arg);
		free(arg);
		return;
	}
	job->fn = fn;
	job->arg = arg;
	job->detached = 1;
	pthread_mutex_lock(&st->write_mu);
	if (st->queue_tail)
		st->queue_tail->next = job;
	else
		st->queue_head = job;
	st->queue_tail = job;
	/* the next leader takes it; with none at work, the housekeeping thread does */
	pthread_cond_signal(&st->checkpoint_cv);
	pthread_mutex_unlock(&st->write_mu);
}

/*
 * SQLite's auto-checkpoint runs inside the COMMIT that crosses the WAL
 * threshold, so every caller of that batch would wait for the copy and its
 * fsync. Instead the commit thread only notices the WAL size (wal hook) and
 * this thread checkpoints PASSIVE on its own connection while commits go on.
 */
#define CHECKPOINT_PAGES 1000
/*
 * A PASSIVE checkpoint never catches up while writers keep appending, and
 * the WAL only rewinds once every frame is back in the database: under
 * steady ingest it grew to gigabytes and every read slowed with it. Past
 * this size the checkpointer asks for RESTART, which holds new writers off
 * for the little that PASSIVE left, so the next commit starts the WAL over.
 */
#define CHECKPOINT_RESTART_PAGES 16000     /* 64 MiB: journal_size_limit */

static int
wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct sq_store *st = arg;
	(void)db;
	(void)name;
	if (pages >= CHECKPOINT_PAGES) {
		pthread_mutex_lock(&st->write_mu);
		st->checkpoint_wanted = 1;
		pthread_cond_signal(&st->checkpoint_cv);
		pthread_mutex_unlock(&st->write_mu);
	}
	return SQLITE_OK;
}

/* Queued work with nobody leading: detached writes only (a waiter would lead). */
static int
orphaned_jobs(struct sq_store *st)
{
	return st->queue_head != NULL && !st->leader_active;
}

/*
 * The housekeeping thread: checkpoints, and detached writes (last_used_at)
 * that no request's leader picked up, so no request ever runs them.
 */
static void *
checkpointer_main(void *arg)
{
	struct sq_store *st = arg;

	pthread_mutex_lock(&st->write_mu);
	for (;;) {
		while (!st->checkpoint_wanted && !orphaned_jobs(st) && !st->stopping)
			pthread_cond_wait(&st->checkpoint_cv, &st->write_mu);
		if (st->stopping)
			break;
		if (orphaned_jobs(st)) {
			lead_batch(st);
			continue;
		}
		st->checkpoint_wanted = 0;
		pthread_mutex_unlock(&st->write_mu);
		/* BUSY means another process is checkpointing: nothing to do */
		int frames = 0;
		if (sqlite3_wal_checkpoint_v2(st->checkpointer_conn->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &frames, NULL) == SQLITE_OK &&
		    frames > CHECKPOINT_RESTART_PAGES)
			sqlite3_wal_checkpoint_v2(st->checkpointer_conn->db, NULL,
			    SQLITE_CHECKPOINT_RESTART, NULL, NULL);
		pthread_mutex_lock(&st->write_mu);
	}
	pthread_mutex_unlock(&st->write_mu);
	return NULL;
}

int
sq_checkpointer_start(struct sq_store *st)
{
	char err[512];

	if ((st->checkpointer_conn = sq_conn_open(&st->cfg, err, sizeof(err))) == NULL) {
		log_msg(LOG_ERROR, "%s", err);
		return -1;
	}
	pthread_cond_init(&st->checkpoint_cv, NULL);
	/* RESTART waits for readers while holding writers off: give up soon, retry later */
	sqlite3_busy_timeout(st->checkpointer_conn->db, 20);
	sqlite3_wal_hook(st->writer->db, wal_hook, st);     /* replaces auto-checkpoint */
	if (pthread_create(&st->checkpointer, NULL, checkpointer_main, st) != 0)
		return -1;
	st->checkpointer_started = 1;
	return 0;
}

void
sq_checkpointer_stop(struct sq_store *st)
{
	if (st->checkpointer_started) {
		pthread_mutex_lock(&st->write_mu);
		st->stopping = 1;
		pthread_cond_signal(&st->checkpoint_cv);
		pthread_mutex_unlock(&st->write_mu);
		pthread_join(st->checkpointer, NULL);
		st->checkpointer_started = 0;
		pthread_cond_destroy(&st->checkpoint_cv);
	}
	sq_conn_close(st->checkpointer_conn);
	st->checkpointer_conn = NULL;
}

