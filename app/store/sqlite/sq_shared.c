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

#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHARED_MAGIC 0x74616c6c79736831ULL     /* "tallysh1" */
#define SHARED_SIZE 4096                        /* one page, as the file has always been */

struct sq_shared {
	uint64_t magic;
	_Atomic uint64_t key_epoch;
	pthread_mutex_t write_lock;
};

void *
sq_shared_map(const struct sq_store *st, const char *suffix, size_t size, uint64_t magic,
    size_t lock_off, const char *without, int *fdp)
{
	char path[1100];
	struct stat db;
	uint64_t *p;
	int fd, alone;

	*fdp = -1;
	assert(size >= lock_off + sizeof(pthread_mutex_t) && lock_off >= sizeof(uint64_t));
	snprintf(path, sizeof(path), "%s%s", st->cfg.database, suffix);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		if (access(path, F_OK) == 0)
			log_msg(LOG_WARN, "%s: %s: %s", path, strerror(errno), without);
		return NULL;
	}
	/* made by root (tallyctl init): give it to the database's owner, as the worker is */
	if (geteuid() == 0 && stat(st->cfg.database, &db) == 0)
		(void)fchown(fd, db.st_uid, db.st_gid);
	alone = flock(fd, LOCK_EX | LOCK_NB) == 0;
	if (!alone && flock(fd, LOCK_SH) != 0) {
		close(fd);
		return NULL;
	}
	if (ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED && (alone || p[0] != magic)) {
		pthread_mutexattr_t a;
		/* a new file is all zeros already; one of another layout is cleared */
		if (p[0] != magic && p[0] != 0)
			memset(p, 0, size);
		pthread_mutexattr_init(&a);
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
		pthread_mutex_init((pthread_mutex_t *)((char *)p + lock_off), &a);
		pthread_mutexattr_destroy(&a);
		p[0] = magic;
	}
	if (alone)
		flock(fd, LOCK_SH);     /* downgrade: others may now join */
	if (p == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	*fdp = fd;                  /* kept open: the shared flock lives with it */
	return p;
}

void
sq_shared_unmap(void *p, size_t size, int fd)
{
	if (p != NULL) {
		munmap(p, size);
		close(fd);
	}
}

void
sq_shared_open(struct sq_store *st)
{
	st->shared = sq_shared_map(st, ".shared", SHARED_SIZE, SHARED_MAGIC,
	    offsetof(struct sq_shared, write_lock),
	    "keys are read from the database on every request "
	    "and revocations reach running workers within a minute", &st->shared_fd);
}

void
sq_shared_close(struct sq_store *st)
{
	sq_shared_unmap(st->shared, SHARED_SIZE, st->shared_fd);
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
