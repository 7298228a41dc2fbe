/*
 * test_rate: the pool-wide rate-limit counters (store_rate_take, SPEC §7,
 * app/store/sqlite/sq_rate.c). Each group opens a database of its own in a
 * temporary directory.
 *
 *   test_rate            the tests
 *   test_rate --bench    also the cost of a take, in one process and in four
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "log.h"
#include "sq.h"
#include "store.h"
#include "util.h"
#include "tap.h"

#define T0 1700000000000LL     /* a second boundary, in ms */

static char dir[256];
static int ndb;

/* A STORE_WORKER (or STORE_CLI) store on a new database `name` in dir. */
static struct store *
open_db(const char *name, enum store_mode mode)
{
	struct cfg c;
	char err[256];
	struct store *st;

	cfg_defaults(&c);
	snprintf(c.database, sizeof(c.database), "%s/%s", dir, name);
	if ((st = store_open(&c, mode, err, sizeof(err))) == NULL)
		tap_diag("store_open %s: %s", name, err);
	return st;
}

static struct store *
open_new(void)
{
	char name[32];
	snprintf(name, sizeof(name), "db%d", ++ndb);
	return open_db(name, STORE_WORKER);
}

/* One request against one scope; returns allowed, or -1 when the take failed. */
static int
take1(struct store *st, uint64_t id, int64_t limit, int64_t now_ms, struct rate_result *r)
{
	struct rate_scope s = { id, limit };
	if (store_rate_take(st, &s, 1, now_ms, r) != 0)
		return -1;
	return r->allowed;
}

static int
take2(struct store *st, uint64_t a, int64_t la, uint64_t b, int64_t lb, int64_t now_ms,
    struct rate_result *r)
{
	struct rate_scope s[2] = { { a, la }, { b, lb } };
	if (store_rate_take(st, s, 2, now_ms, r) != 0)
		return -1;
	return r->allowed;
}

static void
test_exact_limit(void)
{
	struct store *st = open_new();
	struct rate_result r;
	int all = 1;

	for (int i = 0; i < 5; i++) {
		all &= take1(st, 42, 5, T0 + i * 100, &r) == 1;
		all &= r.limit == 5 && r.remaining == 4 - i && r.reset_s == 60;
	}
	ok(all, "exact: 5 of limit 5 accepted, remaining 4..0, reset 60");
	is_int(take1(st, 42, 5, T0 + 900, &r), 0, "exact: the 6th in the same second is refused");
	ok(r.limit == 5 && r.remaining == 0 && r.reset_s == 60, "exact: refused: remaining 0, reset 60");
	is_int(take1(st, 42, 5, T0 + 30500, &r), 0, "exact: refused 30.5 s later");
	is_int(r.reset_s, 30, "exact: one fits again in 30 s (at T0 + 60 s)");
	is_int(take1(st, 42, 5, T0 + 59999, &r), 0, "exact: refused at T0 + 59.999 s");
	is_int(r.reset_s, 1, "exact: reset 1 s before the window moves on");
	is_int(take1(st, 42, 5, T0 + 60000, &r), 1, "exact: accepted once the window moved on");
	is_int(r.remaining, 4, "exact: the whole window is free again");
	all = 1;
	for (int i = 0; i < 4; i++)
		all &= take1(st, 42, 5, T0 + 60001, &r) == 1;
	ok(all && take1(st, 42, 5, T0 + 60002, &r) == 0, "exact: again exactly 5 in the next window");
	store_close(st);
}

static void
test_slide(void)
{
	struct store *st = open_new();
	struct rate_result r;

	ok(take1(st, 7, 3, T0 + 100000, &r) == 1 && r.reset_s == 60, "slide: at 100 s, reset 60");
	ok(take1(st, 7, 3, T0 + 120000, &r) == 1 && r.remaining == 1 && r.reset_s == 40,
	    "slide: at 120 s, remaining 1, reset 40 (the one of 100 s leaves at 160 s)");
	ok(take1(st, 7, 3, T0 + 140000, &r) == 1 && r.remaining == 0 && r.reset_s == 20,
	    "slide: at 140 s, remaining 0, reset 20");
	ok(take1(st, 7, 3, T0 + 150000, &r) == 0 && r.reset_s == 10, "slide: refused at 150 s, retry in 10 s");
	ok(take1(st, 7, 3, T0 + 159999, &r) == 0 && r.reset_s == 1, "slide: refused at 159.999 s, retry in 1 s");
	ok(take1(st, 7, 3, T0 + 160000, &r) == 1 && r.remaining == 0 && r.reset_s == 20,
	    "slide: accepted at 160 s (100 s left), oldest now 120 s: reset 20");
	ok(take1(st, 7, 3, T0 + 170000, &r) == 0 && r.reset_s == 10, "slide: refused at 170 s, retry in 10 s");
	/* more than a window later everything has gone */
	ok(take1(st, 7, 3, T0 + 500000, &r) == 1 && r.remaining == 2, "slide: an idle window is empty");
	store_close(st);
}

static void
test_multi_scope(void)
{
	struct store *st = open_new();
	struct rate_result r;
	int all = 1;

	ok(take2(st, 1, 2, 2, 10, T0, &r) == 1 && r.limit == 2 && r.remaining == 1,
	    "scopes: told by the tightest (limit 2, remaining 1)");
	ok(take2(st, 1, 2, 2, 10, T0, &r) == 1 && r.limit == 2 && r.remaining == 0,
	    "scopes: second accepted, remaining 0");
	ok(take2(st, 1, 2, 2, 10, T0, &r) == 0 && r.limit == 2 && r.remaining == 0 && r.reset_s == 60,
	    "scopes: third refused by the full scope");
	/* the refused one counted nowhere: scope 2 has 8 left, not 7 */
	for (int i = 0; i < 8; i++)
		all &= take1(st, 2, 10, T0 + 1000, &r) == 1;
	ok(all && take1(st, 2, 10, T0 + 1000, &r) == 0, "scopes: a refused request counts in no scope");
	/* two full scopes: retry when both have room */
	ok(take1(st, 3, 1, T0 + 5000, &r) == 1 && take1(st, 4, 1, T0 + 20000, &r) == 1,
	    "scopes: two scopes of limit 1 filled at 5 s and 20 s");
	ok(take2(st, 3, 1, 4, 1, T0 + 30000, &r) == 0 && r.reset_s == 50,
	    "scopes: refused by both: retry when the later one frees (50 s)");
	ok(take2(st, 4, 1, 3, 1, T0 + 30000, &r) == 0 && r.reset_s == 50,
	    "scopes: the same whatever their order");
	/* the same id twice is counted once */
	for (int i = 0; i < 3; i++)
		take2(st, 9, 5, 9, 7, T0, &r);
	ok(take1(st, 9, 7, T0, &r) == 1 && r.remaining == 3, "scopes: one id given twice counts once");
	store_close(st);
}

static void
test_unlimited(void)
{
	struct store *st = open_new();
	struct rate_scope none[2] = { { 11, 0 }, { 12, -5 } }, some[2] = { { 11, 0 }, { 13, 3 } };
	struct rate_scope nine[9] = { { 0, 0 } };
	struct rate_result r;

	memset(&r, 0x55, sizeof(r));
	ok(store_rate_take(st, none, 2, T0, &r) == 0 && r.allowed == 1 && r.limit == 0 &&
	    r.remaining == 0 && r.reset_s == 0, "unlimited: limits <= 0 are ignored: allowed, limit 0");
	ok(take1(st, 11, 1, T0, &r) == 1 && take1(st, 12, 1, T0, &r) == 1,
	    "unlimited: and were not counted");
	ok(store_rate_take(st, some, 2, T0, &r) == 0 && r.allowed == 1 && r.limit == 3 &&
	    r.remaining == 2, "unlimited: told by the limited scope");
	ok(store_rate_take(st, NULL, 0, T0, &r) == 0 && r.allowed == 1 && r.limit == 0,
	    "unlimited: no scope at all: allowed");
	ok(store_rate_take(st, some, 2, T0, NULL) == -1, "misuse: no result: -1");
	ok(store_rate_take(st, NULL, 1, T0, &r) == -1, "misuse: no scopes: -1");
	ok(store_rate_take(st, nine, 9, T0, &r) == -1 && r.allowed == 0, "misuse: 9 scopes: -1, result zeroed");
	ok(take1(st, 13, 3, -1, &r) == -1, "misuse: a time before 1970: -1");
	store_close(st);
}

static void
test_clock_back(void)
{
	struct store *st = open_new();
	struct rate_result r;

	take1(st, 5, 3, T0 + 100000, &r);
	take1(st, 5, 3, T0 + 100000, &r);
	ok(take1(st, 5, 3, T0 + 90000, &r) == 1 && r.remaining == 0,
	    "clock back: accepted 10 s in the past, counted in the window");
	ok(take1(st, 5, 3, T0 + 100000, &r) == 0, "clock back: then the scope is full");
	/* counted at 100 s (the slot's last second), not 90 s: still there at 155 s */
	ok(take1(st, 5, 3, T0 + 155000, &r) == 0 && r.reset_s == 5, "clock back: still counted at 155 s");
	ok(take1(st, 5, 3, T0 + 160000, &r) == 1, "clock back: gone at 160 s");
	ok(take1(st, 5, 3, T0 + 101000, &r) == 1 && r.remaining == 1,
	    "clock back by 59 s: accepted");
	ok(take1(st, 5, 3, T0 + 219000, &r) == 1 && r.remaining == 0 && r.reset_s == 1,
	    "clock back by 59 s: it was counted at 160 s, the slot's second, not at 101 s");
	ok(take1(st, 5, 3, T0 + 100000, &r) == 1 && r.remaining == 2 && r.reset_s == 60,
	    "clock back by a whole window: the scope starts again, not refused until the clock catches up");
	ok(take1(st, 5, 3, T0 + 101000, &r) == 1 && take1(st, 5, 3, T0 + 102000, &r) == 1 &&
	    take1(st, 5, 3, T0 + 102000, &r) == 0, "clock back: then counts from there");
	store_close(st);
}

/* ids sharing one home slot: they compete for the same RATE_PROBE + 1 slots */
static void
same_home(uint64_t *ids, size_t n)
{
	size_t home = sq_rate_home(1000);
	size_t k = 0;

	for (uint64_t id = 1000; k < n; id++)
		if (sq_rate_home(id) == home)
			ids[k++] = id;
}

static void
test_eviction(void)
{
	struct store *st = open_new();
	struct rate_result r;
	uint64_t ids[9];
	int all = 1;

	same_home(ids, 9);
	for (int k = 0; k < 8; k++)
		all &= take1(st, ids[k], 1, T0 + k * 1000, &r) == 1;
	ok(all, "eviction: 8 ids of one probe, one a second, all counted");
	ok(take1(st, ids[8], 1, T0 + 8000, &r) == 1, "eviction: a 9th takes the least recently used slot");
	all = 1;
	for (int k = 1; k < 9; k++)
		all &= take1(st, ids[k], 1, T0 + 8000, &r) == 0;
	ok(all, "eviction: the 8 others are still counted");
	ok(take1(st, ids[0], 1, T0 + 8000, &r) == 1, "eviction: the evicted one starts again (lenient)");
	store_close(st);

	/* all in the same second: the one counting fewest goes, a busy key stays */
	st = open_new();
	for (int i = 0; i < 5; i++)
		take1(st, ids[0], 100, T0, &r);
	for (int k = 1; k < 9; k++)
		take1(st, ids[k], 100, T0, &r);
	ok(take1(st, ids[0], 100, T0, &r) == 1 && r.remaining == 94,
	    "eviction: a busy scope outlives one-request scopes of the same second");
	store_close(st);

	/* the whole table full of live scopes: every take still answers */
	st = open_new();
	all = 1;
	for (uint64_t id = 1; id <= 3 * 16384; id++)
		all &= take1(st, id * 7919, 1, T0, &r) == 1;
	ok(all, "eviction: 3 x 16384 live scopes in one second: all answered (the table is 16384)");
	ok(take1(st, 3 * 16384 * 7919ULL, 1, T0, &r) == 0, "eviction: the latest is still counted");
	store_close(st);

}

static void
test_no_counters(void)
{
	struct store *st;
	struct rate_result r;
	char path[300];

	st = open_db("cli", STORE_CLI);
	ok(st != NULL && take1(st, 1, 10, T0, &r) == -1, "no counters: a STORE_CLI store: -1");
	ok(store_rate_take(st, NULL, 0, T0, &r) == 0 && r.allowed == 1,
	    "no counters: nothing limited is still answered");
	store_close(st);
	/* the file cannot be made: here a directory stands in its place */
	snprintf(path, sizeof(path), "%s/blocked.ratelimit", dir);
	mkdir(path, 0700);
	st = open_db("blocked", STORE_WORKER);
	ok(st != NULL && take1(st, 1, 10, T0, &r) == -1, "no counters: unmappable file: -1");
	store_close(st);
	rmdir(path);
}

/* ---- many processes ---- */

#define PROCS 4
#define THREADS 4
#define TRIES 2000              /* per thread */
#define KEY_LIMIT 5000          /* < PROCS * THREADS * TRIES */
#define IP_LIMIT 1500           /* per process; PROCS * IP_LIMIT > KEY_LIMIT */

struct hammer {
	struct store *st;
	uint64_t ip;
	_Atomic int64_t accepted;
};

static void *
hammer_thread(void *arg)
{
	struct hammer *h = arg;
	struct rate_result r;

	for (int i = 0; i < TRIES; i++)
		if (take2(h->st, 77, KEY_LIMIT, h->ip, IP_LIMIT, T0 + 500, &r) == 1)
			atomic_fetch_add(&h->accepted, 1);
	return NULL;
}

static void
test_processes(void)
{
	_Atomic int64_t *acc = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid[PROCS];
	int64_t sum = 0, each = 1;
	struct rate_result r;
	struct store *st;
	int clean = 1;

	/* the database exists before the children race to map its counters */
	store_close(open_db("pool", STORE_CLI));
	for (int p = 0; p < PROCS; p++) {
		if ((pid[p] = fork()) == 0) {
			struct hammer h = { NULL, 1000 + (uint64_t)p, 0 };
			pthread_t t[THREADS];
			if ((h.st = open_db("pool", STORE_WORKER)) == NULL)
				_exit(2);
			for (int i = 0; i < THREADS; i++)
				pthread_create(&t[i], NULL, hammer_thread, &h);
			for (int i = 0; i < THREADS; i++)
				pthread_join(t[i], NULL);
			acc[p] = h.accepted;
			store_close(h.st);
			_exit(0);
		}
	}
	for (int p = 0; p < PROCS; p++) {
		int status;
		waitpid(pid[p], &status, 0);
		clean &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
		sum += acc[p];
		each &= acc[p] <= IP_LIMIT;
	}
	ok(clean, "processes: %d processes x %d threads ran", PROCS, THREADS);
	is_int(sum, KEY_LIMIT, "processes: exactly the key's limit accepted across the pool");
	ok(each, "processes: no process beyond its own scope's limit");
	st = open_db("pool", STORE_WORKER);
	ok(take1(st, 77, KEY_LIMIT, T0 + 900, &r) == 0 && r.remaining == 0, "processes: the key is full");
	/* each process's scope counted exactly its accepted requests, none of the refused */
	clean = 1;
	for (int p = 0; p < PROCS; p++)
		if (acc[p] < IP_LIMIT)
			clean &= take1(st, 1000 + (uint64_t)p, IP_LIMIT, T0 + 900, &r) == 1 &&
			    r.remaining == IP_LIMIT - acc[p] - 1;
	ok(clean, "processes: each process's scope counted only what was accepted");
	store_close(st);
	munmap(acc, 4096);
}

/* A child that maps db, counts 3 requests against id 99, takes the lock and
 * waits to be killed; returns its pid once it holds the lock. */
/* A take that waits on a lock nobody will give back ends the run, said plainly. */
static void
on_alarm(int sig)
{
	static const char msg[] = "Bail out! a take waited 20 s for the counters' lock\n";
	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

static pid_t
holder(const char *db)
{
	int fds[2];
	char c;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		struct store *st = open_db(db, STORE_WORKER);
		struct rate_result r;
		close(fds[0]);
		for (int i = 0; i < 3; i++)
			take1(st, 99, 5, T0, &r);
		if (sq_rate_hold(st) != 0)
			_exit(2);
		(void)!write(fds[1], "x", 1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1)
		pid = -1;
	close(fds[0]);
	return pid;
}

static void
test_dead_holder(void)
{
	struct store *st;
	struct rate_result r;
	pid_t pid;

	store_close(open_db("crash", STORE_CLI));
	pid = holder("crash");
	ok(pid > 0, "crash: a worker holds the counters' lock");
	st = open_db("crash", STORE_WORKER);  /* joins the dead one's file: no new mutex */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	alarm(20);
	ok(take1(st, 99, 5, T0, &r) == 1 && r.remaining == 1,
	    "crash: the next take recovers the lock, counts kept (3 + 1 of 5)");
	ok(take1(st, 99, 5, T0, &r) == 1 && take1(st, 99, 5, T0, &r) == 0, "crash: and the limit holds");
	alarm(0);
	store_close(st);
}

static int
copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600), rc = -1;

	if (in >= 0 && out >= 0) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				break;
		rc = n == 0 ? 0 : -1;
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* After a host crash the file can hold the lock word of a thread that no
 * longer exists: a copy taken while a worker held the lock stands for it. */
static void
test_host_crash(void)
{
	char from[300], to[300];
	struct store *st;
	struct rate_result r;
	pid_t pid;

	store_close(open_db("host", STORE_CLI));
	store_close(open_db("reboot", STORE_CLI));
	pid = holder("host");
	snprintf(from, sizeof(from), "%s/host.ratelimit", dir);
	snprintf(to, sizeof(to), "%s/reboot.ratelimit", dir);
	ok(pid > 0 && copy_file(from, to) == 0, "host crash: the file copied while its lock is held");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	st = open_db("reboot", STORE_WORKER);  /* alone: makes the mutex afresh */
	alarm(20);                              /* a stale lock would hang here */
	ok(take1(st, 99, 5, T0, &r) == 1 && r.remaining == 1,
	    "host crash: the first process alone takes the lock, counters kept");
	alarm(0);
	store_close(st);
}

/* ---- cost ---- */

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* n takes as dispatch makes them: a key and a key+address scope out of 1000,
 * time moving at 40k requests a second; limits high enough never to refuse. */
static void
bench_loop(struct store *st, long n, int64_t salt)
{
	struct rate_result r;

	for (long i = 0; i < n; i++)
		take2(st, 500 + (uint64_t)(i & 3), 1000000000, 1000000 + (uint64_t)((i * 7 + salt) % 1000),
		    1000000000, T0 + i / 40, &r);
}

static void
bench(void)
{
	const long n = 2000000;
	struct store *st;
	struct bench_share { _Atomic int ready; double loop_s[PROCS]; } *sh;
	double t, slowest = 0;
	pid_t pid[PROCS];

	store_close(open_db("bench", STORE_CLI));
	st = open_db("bench", STORE_WORKER);
	bench_loop(st, 10000, 0);
	t = now_s();
	bench_loop(st, n, 0);
	t = now_s() - t;
	tap_diag("bench: 1 process: %ld takes of 2 scopes in %.3f s: %.0f ns per take",
	    n, t, t * 1e9 / (double)n);
	store_close(st);

	/* each child opens its store, waits for the others, then times its share */
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	sh->ready = 0;
	for (int p = 0; p < PROCS; p++)
		if ((pid[p] = fork()) == 0) {
			double c;
			st = open_db("bench", STORE_WORKER);
			atomic_fetch_add(&sh->ready, 1);
			while (atomic_load(&sh->ready) < PROCS)
				;
			c = now_s();
			bench_loop(st, n / PROCS, p);
			sh->loop_s[p] = now_s() - c;
			store_close(st);
			_exit(0);
		}
	for (int p = 0; p < PROCS; p++) {
		waitpid(pid[p], NULL, 0);
		if (sh->loop_s[p] > slowest)
			slowest = sh->loop_s[p];
	}
	tap_diag("bench: %d processes at once on %ld cores: %ld takes of 2 scopes in %.3f s: "
	    "%.0f ns per take (pool throughput), %.0f ns per take within a process",
	    PROCS, sysconf(_SC_NPROCESSORS_ONLN), n, slowest, slowest * 1e9 / (double)n,
	    slowest * 1e9 / (double)(n / PROCS));
	munmap(sh, sizeof(*sh));
}

static void
cleanup(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
}

int
main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");

	log_set_level(LOG_ERROR);
	signal(SIGALRM, on_alarm);
	snprintf(dir, sizeof(dir), "%s/tally-rate.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_exact_limit();
	test_slide();
	test_multi_scope();
	test_unlimited();
	test_clock_back();
	test_eviction();
	test_no_counters();
	test_processes();
	test_dead_holder();
	test_host_crash();
	if (argc > 1 && strcmp(argv[1], "--bench") == 0)
		bench();
	cleanup();
	return tap_done();
}
