/* tally-worker: the FastCGI worker pool (run by spawn-fcgi; fd 0 is the socket). */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "cli_args.h"
#include "dispatch.h"
#include "handlers.h"
#include "jwt_keys.h"
#include "log.h"
#include "pool.h"
#include "store.h"
#include "stream.h"

struct worker {
	struct cfg cfg;
	struct store *store;
	struct jwt_keyring jwt;
};

static int
child_init(void *arg)
{
	struct worker *w = arg;
	char err[512];

	/* SQLite connections must not cross fork(): each child opens its own */
	if ((w->store = store_open(&w->cfg, STORE_WORKER, err, sizeof(err))) == NULL) {
		log_msg(LOG_ERROR, "%s", err);
		return -1;
	}
	return 0;
}

static void
handle(FCGX_Request *r, void *arg)
{
	struct worker *w = arg;
	struct http_req req;

	http_req_init(&req, r, &w->cfg, w->store);
	req.jwt = &w->jwt;
	dispatch(&req);
	http_req_free(&req);
}

/* The realtime publisher (docs/realtime.md): a child of the pool, beside the workers. */
static int
publisher_main(void *arg, volatile int *stop)
{
	struct worker *w = arg;
	return stream_publisher_run(&w->cfg, &w->jwt, stop);
}

/* The schema must be current before any child serves (auto_migrate applies it). */
static int
check_schema(const struct cfg *cfg)
{
	char err[512];
	struct store *st = store_open(cfg, STORE_CLI, err, sizeof(err));
	int current = 0, latest = 0, applied, rc = -1;

	if (st == NULL) {
		log_msg(LOG_ERROR, "%s", err);
		return -1;
	}
	if (cfg->auto_migrate && store_migrate(st, &applied, err, sizeof(err)) != 0)
		log_msg(LOG_ERROR, "%s", err);
	else if (store_schema_version(st, &current, &latest) != 0)
		log_msg(LOG_ERROR, "cannot read the schema version of %s", cfg->database);
	else if (current != latest)
		log_msg(LOG_ERROR, "database %s is at schema version %d, this build needs %d: "
		    "run 'tallyctl migrate' (or set auto_migrate = on)", cfg->database, current, latest);
	else
		rc = 0;
	store_close(st);
	return rc;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: tally-worker [--config FILE] [--workers N] [--threads N] [--KEY VALUE ...]\n"
	    "Serves FastCGI on the socket passed as fd 0 (spawn-fcgi -n -s SOCKET -- tally-worker).\n"
	    "Every key of tally.conf is also a flag: --database PATH, --log-level debug, ...\n");
}

int
main(int argc, char **argv)
{
	static struct worker w;
	struct pool_hooks hooks = { child_init, handle, publisher_main, &w };
	char err[512];
	int next;
	long ncpu;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage();
		return 0;
	}
	if (cli_load_config(&w.cfg, argc, argv, &next, err, sizeof(err)) != 0) {
		fprintf(stderr, "tally-worker: %s\n", err);
		return 2;
	}
	if (next != argc) {
		usage();
		return 2;
	}
	log_set_level(w.cfg.log_level);
	/*
	 * glibc gives each of the 64 serving threads an arena of its own; they
	 * keep what a batch's JSON tree took and the pool's memory doubles
	 * (measured: 147 MiB against 80 MiB under 100-event batches) for no
	 * gain in speed. Two arenas per process are enough.
	 */
	mallopt(M_ARENA_MAX, 2);
	if (FCGX_IsCGI()) {
		fprintf(stderr, "tally-worker: fd 0 is not a FastCGI socket; start it with spawn-fcgi\n");
		return 2;
	}
	if (check_schema(&w.cfg) != 0)
		return 1;
	/* a worker without its token keys would refuse every login: refuse to start instead */
	if (jwt_keyring_load(&w.jwt, &w.cfg, err, sizeof(err)) != 0) {
		log_msg(LOG_ERROR, "%s", err);
		return 1;
	}
	if (w.jwt.public_pem != NULL && w.jwt.audience == NULL)
		log_msg(LOG_WARN, "jwt_public_key_file is set without jwt_audience: every token of that "
		    "identity provider is accepted, whatever application it was issued for");
	if ((handler_stats = pool_stats_init()) == NULL) {
		log_msg(LOG_ERROR, "cannot map the shared counters");
		return 1;
	}
	if (stream_table_init() == NULL) {
		log_msg(LOG_ERROR, "cannot map the realtime stream table");
		return 1;
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (w.cfg.workers == 0)
		w.cfg.workers = ncpu > 0 ? ncpu : 1;
	if (FCGX_Init() != 0) {
		log_msg(LOG_ERROR, "FCGX_Init failed");
		return 1;
	}
	return pool_run((int)w.cfg.workers, (int)w.cfg.threads, &hooks);
}
