#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define MAX_WORKERS 256
#define DRAIN_SECONDS 30    /* how long a stopping child waits for requests in hand */

struct child {
	const struct pool_hooks *hooks;
	pthread_mutex_t mu;
	pthread_cond_t idle_cv;
	int in_flight;
};

struct pool_stats *
pool_stats_init(void)
{
	struct pool_stats *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->started_ms = util_now_ms();
	return s;
}

static void *
serve_thread(void *arg)
{
	struct child *ch = arg;
	FCGX_Request req;

	if (FCGX_InitRequest(&req, 0, 0) != 0)
		return NULL;
	for (;;) {
		if (FCGX_Accept_r(&req) < 0)
			break;
		pthread_mutex_lock(&ch->mu);
		ch->in_flight++;
		pthread_mutex_unlock(&ch->mu);

		ch->hooks->handle(&req, ch->hooks->ctx);
		FCGX_Finish_r(&req);

		pthread_mutex_lock(&ch->mu);
		if (--ch->in_flight == 0)
			pthread_cond_signal(&ch->idle_cv);
		pthread_mutex_unlock(&ch->mu);
	}
	FCGX_Free(&req, 1);
	return NULL;
}

/*
 * A child: threads serve, the main thread waits for SIGTERM, then for the
 * requests in hand (their rows are committed before they answer), then exits.
 */
static void
child_main(int threads, const struct pool_hooks *hooks)
{
	struct child ch = { hooks, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
	sigset_t set;
	int sig;
	pthread_attr_t attr;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);     /* inherited by every thread */
	signal(SIGPIPE, SIG_IGN);

	if (hooks->child_init && hooks->child_init(hooks->ctx) != 0)
		_exit(1);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 512 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < threads; i++) {
		pthread_t t;
		if (pthread_create(&t, &attr, serve_thread, &ch) != 0) {
			log_msg(LOG_ERROR, "cannot start serving thread %d: %s", i, strerror(errno));
			_exit(1);
		}
	}
	pthread_attr_destroy(&attr);
	while (sigwait(&set, &sig) != 0)
		;
	FCGX_ShutdownPending();
	{
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += DRAIN_SECONDS;
		pthread_mutex_lock(&ch.mu);
		while (ch.in_flight > 0 &&
		    pthread_cond_timedwait(&ch.idle_cv, &ch.mu, &until) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&ch.mu);
	}
	_exit(0);
}

static pid_t
spawn(int threads, const struct pool_hooks *hooks, const sigset_t *parent_mask)
{
	pid_t pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, parent_mask, NULL);
		child_main(threads, hooks);
	}
	return pid;
}

/*
 * The parent only waits: signals are taken synchronously with sigwaitinfo,
 * so a SIGTERM can never slip in between a check and a blocking wait.
 * A child that exits 0 was told to stop and is not replaced; one that
 * crashed or failed is.
 */
int
pool_run(int workers, int threads, const struct pool_hooks *hooks)
{
	pid_t pids[MAX_WORKERS];
	sigset_t set, old;
	int alive = 0, stopping = 0, restarts_in_window = 0;
	time_t window_start = time(NULL);

	if (workers < 1 || workers > MAX_WORKERS)
		workers = 1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGPIPE, SIG_IGN);

	for (int i = 0; i < workers; i++) {
		if ((pids[i] = spawn(threads, hooks, &old)) < 0) {
			log_msg(LOG_ERROR, "fork: %s", strerror(errno));
			pids[i] = 0;
			continue;
		}
		alive++;
	}
	log_msg(LOG_INFO, "worker pool started: %d processes x %d connections", workers, threads);

	while (alive > 0) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si), status;
		pid_t pid;

		if (sig < 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT) {
			if (!stopping)
				log_msg(LOG_INFO, "stopping: finishing requests in hand");
			stopping = 1;
			for (int i = 0; i < workers; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGTERM);
			continue;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (int i = 0; i < workers; i++) {
				int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
				if (pids[i] != pid)
					continue;
				pids[i] = 0;
				alive--;
				if (stopping || clean)
					break;
				log_msg(LOG_WARN, "worker %d exited (%s %d); starting another", (int)pid,
				    WIFSIGNALED(status) ? "signal" : "status",
				    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
				/* a child that cannot start must not turn into a fork storm */
				if (time(NULL) - window_start > 10) {
					window_start = time(NULL);
					restarts_in_window = 0;
				}
				if (++restarts_in_window > 10)
					sleep(1);
				if ((pids[i] = spawn(threads, hooks, &old)) > 0)
					alive++;
				else
					pids[i] = 0;
				break;
			}
		}
	}
	log_msg(LOG_INFO, "worker pool stopped");
	return 0;
}
