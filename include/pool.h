/*
 * pool: the worker process model. One exec forks N children (spawn-fcgi's
 * -F cannot be combined with -n, which systemd needs: STACK-NOTES); each child
 * serves T FastCGI connections at once with T threads blocked in
 * FCGX_Accept_r on the socket spawn-fcgi hands over as fd 0, so nginx can
 * keep connections open (fastcgi_keep_conn) without starving anyone. The
 * parent replaces children that die and forwards SIGTERM.
 */
#ifndef TALLY_POOL_H
#define TALLY_POOL_H

#include <stdint.h>

#include <fcgiapp.h>

struct pool_hooks {
	/* In each child after fork, before its threads start; non-zero: the child exits. */
	int (*child_init)(void *ctx);
	/* One request, from any of the child's threads. */
	void (*handle)(FCGX_Request *req, void *ctx);
	/*
	 * Optional: the body of one more child beside the workers (the realtime
	 * publisher), forked with them, replaced when it dies, stopped with
	 * them: it returns when *stop turns non-zero (SIGTERM).
	 */
	int (*aux_main)(void *ctx, volatile int *stop);
	void *ctx;
};

/* Counters shared by every process of the pool (they survive a child's death). */
struct pool_stats {
	int64_t started_ms;
	_Atomic int64_t events_processed;
};

/* Maps the shared counters; call before pool_run. */
struct pool_stats *pool_stats_init(void);

/* Runs the pool until SIGTERM/SIGINT; returns the exit status. */
int pool_run(int workers, int threads, const struct pool_hooks *hooks);

#endif
