/*
 * noop-worker: the benchmark's reference FastCGI responder (tests/bench/ingest.sh,
 * case a). It runs in tally's own process model -- pool_run(): N processes x
 * T threads, each thread blocked in FCGX_Accept_r on the socket spawn-fcgi
 * passes as fd 0 -- and takes the same flags as tally-worker (--config FILE,
 * --workers N, --threads N), so scripts/stack.sh starts it unchanged. Each
 * request's body is read with FCGX_GetStr and discarded; the answer is 204.
 * What tally does on top of this is what the benchmark measures.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "cli_args.h"
#include "log.h"
#include "pool.h"

static void
handle(FCGX_Request *r, void *ctx)
{
	char buf[16384];

	(void)ctx;
	while (FCGX_GetStr(buf, (int)sizeof(buf), r->in) > 0)
		;
	FCGX_PutS("Status: 204 No Content\r\n\r\n", r->out);
}

int
main(int argc, char **argv)
{
	struct pool_hooks hooks = { NULL, handle, NULL, NULL };
	struct cfg cfg;
	char err[512];
	int next;
	long ncpu;

	if (cli_load_config(&cfg, argc, argv, &next, err, sizeof(err)) != 0) {
		fprintf(stderr, "noop-worker: %s\n", err);
		return 2;
	}
	if (next != argc) {
		fprintf(stderr, "usage: noop-worker [--config FILE] [--workers N] [--threads N]\n");
		return 2;
	}
	log_set_level(cfg.log_level);
	if (FCGX_IsCGI()) {
		fprintf(stderr, "noop-worker: fd 0 is not a FastCGI socket; start it with spawn-fcgi\n");
		return 2;
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (cfg.workers == 0)           /* tally-worker's default: one process per CPU */
		cfg.workers = ncpu > 0 ? ncpu : 1;
	if (FCGX_Init() != 0) {
		fprintf(stderr, "noop-worker: FCGX_Init failed\n");
		return 1;
	}
	return pool_run((int)cfg.workers, (int)cfg.threads, &hooks);
}
