#include "pool.h"

#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define MAX_WORKERS 256
#define DRAIN_SECONDS 30    /* how long a stopping child waits for requests in hand */

struct child {
	const struct pool_hooks *hooks;
	_Atomic int stopping;
	_Atomic int live;           /* serving threads not yet finished */
};

struct serving {
	struct child *ch;
	pthread_t tid;
	_Atomic int finished;
};

/* SIGUSR1 only interrupts a blocked accept() or read(): the handler does nothing. */
static void
on_wake(int sig)
{
	(void)sig;
}

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

/*
 * A serving thread. While idle (in FCGX_Accept_r: in accept(), or reading the
 * next request of a kept-open nginx connection) it takes SIGUSR1, which on
 * shutdown makes that call fail so the thread can leave. While it serves a
 * request SIGUSR1 is blocked, so nothing interrupts the request in hand.
 */
static void *
serve_thread(void *arg)
{
	struct serving *sv = arg;
	struct child *ch = sv->ch;
	FCGX_Request req;
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (FCGX_InitRequest(&req, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_msg(LOG_ERROR, "FCGX_InitRequest failed");
		goto out;
	}
	for (;;) {
		int rc;

		pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
		if (ch->stopping)
			break;
		rc = FCGX_Accept_r(&req);
		pthread_sigmask(SIG_BLOCK, &usr1, NULL);
		if (rc < 0) {
			if (ch->stopping)
				break;
			/* EMFILE and the like: say so, breathe, and keep serving */
			log_msg(LOG_ERROR, "FastCGI accept failed (%d); retrying", rc);
			usleep(100000);
			continue;
		}
		ch->hooks->handle(&req, ch->hooks->ctx);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);     /* closes a kept connection: nginx drops it */
out:
	sv->finished = 1;
	ch->live--;
	return NULL;
}

/*
 * A child: threads serve, the main thread waits for SIGTERM. Then no new
 * request is taken: idle threads are woken (SIGUSR1) to leave, busy ones
 * leave after the request in hand (its rows are committed before it is
 * answered). After DRAIN_SECONDS the child exits regardless.
 */
static void
child_main(int threads, const struct pool_hooks *hooks)
{
	struct child ch = { hooks, 0, 0 };
	struct serving *sv;
	struct sigaction sa;
	sigset_t set;
	int sig;
	pthread_attr_t attr;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);     /* inherited by every thread */
	sigdelset(&set, SIGUSR1);
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake;                    /* no SA_RESTART: accept/read return EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	if (hooks->child_init && hooks->child_init(hooks->ctx) != 0)
		_exit(1);
	if ((sv = calloc((size_t)threads, sizeof(*sv))) == NULL)
		_exit(1);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 512 * 1024);
	for (int i = 0; i < threads; i++) {
		sv[i].ch = &ch;
		ch.live++;
		if (pthread_create(&sv[i].tid, &attr, serve_thread, &sv[i]) != 0) {
			log_msg(LOG_ERROR, "cannot start serving thread %d: %s", i, strerror(errno));
			_exit(1);
		}
	}
	pthread_attr_destroy(&attr);
	while (sigwait(&set, &sig) != 0)
		;
	ch.stopping = 1;
	/* repeated: a thread may have been between its check and accept() */
	for (int tick = 0; ch.live > 0 && tick < DRAIN_SECONDS * 10; tick++) {
		for (int i = 0; i < threads; i++)
			if (!sv[i].finished)
				pthread_kill(sv[i].tid, SIGUSR1);
		usleep(100000);
	}
	_exit(0);
}

static volatile int aux_stop;

static void
on_aux_term(int sig)
{
	(void)sig;
	aux_stop = 1;
}

/* The aux child: no FastCGI; SIGTERM sets the flag its loop watches. */
static pid_t
spawn_aux(const struct pool_hooks *hooks, const sigset_t *parent_mask)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_aux_term;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, parent_mask, NULL);
		close(0);       /* the FastCGI socket is the workers' */
		prctl(PR_SET_NAME, "tally-publisher");  /* how ps and the tests tell it from a worker */
		_exit(hooks->aux_main(hooks->ctx, &aux_stop));
	}
	return pid;
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
	pid_t pids[MAX_WORKERS], aux = 0;
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
	if (hooks->aux_main != NULL) {
		if ((aux = spawn_aux(hooks, &old)) > 0)
			alive++;
		else
			log_msg(LOG_ERROR, "fork: %s", strerror(errno));
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
			if (aux > 0)
				kill(aux, SIGTERM);
			continue;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid == aux) {
				aux = 0;
				alive--;
				if (stopping)
					continue;
				/* the publisher only stops when told: any exit is replaced, a second later */
				log_msg(LOG_WARN, "publisher %d exited (%s %d); starting another", (int)pid,
				    WIFSIGNALED(status) ? "signal" : "status",
				    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
				sleep(1);
				if ((aux = spawn_aux(hooks, &old)) > 0)
					alive++;
				else
					aux = 0;
				continue;
			}
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
