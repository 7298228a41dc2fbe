/*
 * sq_shared: state every process using the database shares through a small
 * mapped file beside it (<database>.shared):
 * - the key epoch, bumped whenever a key changes, so each process's key
 *   cache is dropped at its next lookup (sq_keys.c);
 * - the writers' lock. SQLite lets one writer in at a time, but a writer
 *   that finds the lock taken can only nap and retry (busy handler). Batch
 *   leaders of different processes take this robust process-shared mutex
 *   first, so they queue and wake in turn instead. A process that dies
 *   holding it leaves it to the next (EOWNERDEAD); SQLite itself rolls back
 *   what the dead process left.
 * Without the file (say, a read-only directory) every key is read from the
 * database and writers fall back to the busy handler: slower, still correct.
 *
 * A robust mutex recovers from a dead owner only while the kernel saw it
 * die; after a host crash the file can hold a lock word of a thread that
 * never existed here. So every process keeps a shared flock on the file for
 * its life, and the first one to open it alone (exclusive flock granted)
 * initialises the mutex afresh.
 */
#include "sq.h"

#include "log.h"

#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHARED_MAGIC 0x74616c6c79736831ULL     /* "tallysh1" */

struct sq_shared {
	uint64_t magic;
	_Atomic uint64_t key_epoch;
	pthread_mutex_t write_lock;
};

void
sq_shared_open(struct sq_store *st)
{
	char path[1100];
	struct sq_shared *sh;
	int fd;

	struct stat db;
	int alone;

	snprintf(path, sizeof(path), "%s.shared", st->cfg.database);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		if (access(path, F_OK) == 0)
			log_msg(LOG_WARN, "%s: %s: keys are read from the database on every request "
			    "and revocations reach running workers within a minute", path, strerror(errno));
		return;
	}
	/* made by root (tallyctl init): give it to the database's owner, as the worker is */
	if (geteuid() == 0 && stat(st->cfg.database, &db) == 0)
		(void)fchown(fd, db.st_uid, db.st_gid);
	alone = flock(fd, LOCK_EX | LOCK_NB) == 0;
	if (!alone && flock(fd, LOCK_SH) != 0) {
		close(fd);
		return;
	}
	if (ftruncate(fd, 4096) != 0) {
		close(fd);
		return;
	}
	sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (sh != MAP_FAILED && (alone || sh->magic != SHARED_MAGIC)) {
		pthread_mutexattr_t a;
		pthread_mutexattr_init(&a);
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
		pthread_mutex_init(&sh->write_lock, &a);
		pthread_mutexattr_destroy(&a);
		sh->magic = SHARED_MAGIC;
	}
	if (alone)
		flock(fd, LOCK_SH);     /* downgrade: others may now join */
	if (sh == MAP_FAILED) {
		close(fd);
		return;
	}
	st->shared = sh;
	st->shared_fd = fd;         /* kept open: the shared flock lives with it */
}

void
sq_shared_close(struct sq_store *st)
{
	if (st->shared != NULL) {
		munmap(st->shared, 4096);
		close(st->shared_fd);
	}
	st->shared = NULL;
}

uint64_t
sq_key_epoch(struct sq_store *st)
{
	return st->shared ? atomic_load(&st->shared->key_epoch) : 0;
}

void
sq_key_epoch_bump(struct sq_store *st)
{
	if (st->shared)
		atomic_fetch_add(&st->shared->key_epoch, 1);
}

void
sq_writers_lock(struct sq_store *st)
{
	int rc;
	if (st->shared == NULL)
		return;
	rc = pthread_mutex_lock(&st->shared->write_lock);
	if (rc == EOWNERDEAD)
		pthread_mutex_consistent(&st->shared->write_lock);
	else if (rc != 0)
		log_msg(LOG_ERROR, "writers' lock: %s; relying on SQLite's lock alone", strerror(rc));
	st->shared_locked = rc == 0 || rc == EOWNERDEAD;
}

void
sq_writers_unlock(struct sq_store *st)
{
	if (st->shared && st->shared_locked)
		pthread_mutex_unlock(&st->shared->write_lock);
	st->shared_locked = 0;
}
