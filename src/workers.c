/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/workers.c: a few threads for the work that blocks and must not hold
 * the event loop: an NTLM AUTHENTICATE checked by a domain controller
 * through winbindd (sa/mech.h, struct mech_job), which takes as long as
 * winbindd's timeouts when the DC is slow or stopped; directory lookups;
 * the once-a-second flush of a sync none binding store.  A job's run
 * function goes on a worker thread and touches only the job; its done
 * function comes back on the event loop (an eventfd registered with the
 * su_root), where everything else lives.  The number of jobs waiting or
 * running is bounded (workers_full()); the caller answers 503 beyond it.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#define SU_ROOT_MAGIC_T		struct proxy
#define SU_WAKEUP_ARG_T		struct workers
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#define LOG_MODULE "workers"
#include "log/log.h"
#include "src/proxy.h"

struct work {
	TAILQ_ENTRY(work)	 link;
	void			(*run)(void *);
	void			(*done)(void *, int cancelled);
	void			*arg;
};
TAILQ_HEAD(workq, work);

struct workers {
	struct proxy		*px;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;		/* todo or stop */
	pthread_cond_t		 gone;		/* a thread ended */
	struct workq		 todo;		/* to run */
	struct workq		 done;		/* ran, for the loop */
	unsigned		 count;		/* submitted, not yet done */
	unsigned		 max;
	unsigned		 nthreads;	/* started */
	unsigned		 alive;		/* not yet ended */
	int			 stop;
	pthread_t		*threads;
	int			 efd;
	su_wait_t		 wait[1];
	int			 index;		/* su_root registration */
};

static void *
worker_main(void *arg)
{
	struct workers *wk = arg;
	struct work *w;
	uint64_t one = 1;

	(void)pthread_mutex_lock(&wk->lock);
	for (;;) {
		while (!wk->stop && TAILQ_EMPTY(&wk->todo))
			(void)pthread_cond_wait(&wk->cond, &wk->lock);
		if (wk->stop)
			break;
		w = TAILQ_FIRST(&wk->todo);
		TAILQ_REMOVE(&wk->todo, w, link);
		(void)pthread_mutex_unlock(&wk->lock);
		w->run(w->arg);
		(void)pthread_mutex_lock(&wk->lock);
		TAILQ_INSERT_TAIL(&wk->done, w, link);
		/* A full counter (never, at 2^64 - 2) already wakes. */
		(void)!write(wk->efd, &one, sizeof(one));
	}
	wk->alive--;
	(void)pthread_cond_signal(&wk->gone);
	(void)pthread_mutex_unlock(&wk->lock);
	return NULL;
}

/* The loop: hand what ran to its done function. */
static int
workers_wakeup(struct proxy *px, su_wait_t *sw, struct workers *wk)
{
	struct workq ready;
	struct work *w;
	uint64_t n;

	(void)px;
	(void)sw;
	(void)!read(wk->efd, &n, sizeof(n));
	TAILQ_INIT(&ready);
	(void)pthread_mutex_lock(&wk->lock);
	TAILQ_CONCAT(&ready, &wk->done, link);
	(void)pthread_mutex_unlock(&wk->lock);
	while ((w = TAILQ_FIRST(&ready)) != NULL) {
		TAILQ_REMOVE(&ready, w, link);
		wk->count--;
		w->done(w->arg, 0);
		free(w);
	}
	return 0;
}

int
workers_create(struct proxy *px, unsigned nthreads, unsigned max,
    struct workers **out)
{
	struct workers *wk;
	sigset_t all, old;
	int err = 0;

	*out = NULL;
	if ((wk = calloc(1, sizeof(*wk))) == NULL)
		return ENOMEM;
	wk->px = px;
	wk->max = max;
	wk->efd = -1;
	TAILQ_INIT(&wk->todo);
	TAILQ_INIT(&wk->done);
	(void)pthread_mutex_init(&wk->lock, NULL);
	(void)pthread_cond_init(&wk->cond, NULL);
	(void)pthread_cond_init(&wk->gone, NULL);
	if ((wk->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    su_wait_create(wk->wait, wk->efd, SU_WAIT_IN) != 0) {
		err = errno != 0 ? errno : EIO;
		goto fail;
	}
	wk->index = su_root_register(px->root, wk->wait, workers_wakeup, wk,
	    0);
	if (wk->index <= 0) {
		su_wait_destroy(wk->wait);
		err = EIO;
		goto fail;
	}
	if ((wk->threads = calloc(nthreads, sizeof(*wk->threads))) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	/* Signals are the loop's (src/signals.c), never a worker's. */
	(void)sigfillset(&all);
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	for (; wk->nthreads < nthreads; wk->nthreads++) {
		if ((err = pthread_create(&wk->threads[wk->nthreads], NULL,
		    worker_main, wk)) != 0)
			break;
		wk->alive++;
	}
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0)
		goto fail;
	*out = wk;
	return 0;
 fail:
	log_warnx("cannot start the worker threads: %s", strerror(err));
	(void)workers_destroy(wk);
	return err;
}

int
workers_full(const struct workers *wk)
{
	return wk->count >= wk->max;
}

int
workers_submit(struct workers *wk, void (*run)(void *),
    void (*done)(void *, int), void *arg)
{
	struct work *w;

	if (workers_full(wk))
		return EAGAIN;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return ENOMEM;
	w->run = run;
	w->done = done;
	w->arg = arg;
	(void)pthread_mutex_lock(&wk->lock);
	TAILQ_INSERT_TAIL(&wk->todo, w, link);
	(void)pthread_cond_signal(&wk->cond);
	(void)pthread_mutex_unlock(&wk->lock);
	wk->count++;
	return 0;
}

/*
 * Stop: what waits to run and what ran but is not yet handed over ends
 * with done(arg, 1); threads still in a job get a few seconds (a stopped
 * DC holds winbindd's caller until its timeout).  A thread that does not
 * end in time is left to the process's exit, with the pool (it still
 * reads it): logged, never a hang at shutdown.
 */
int
workers_destroy(struct workers *wk)
{
	struct work *w;
	struct timespec until;
	unsigned i;
	int late = 0;

	if (wk == NULL)
		return 0;
	(void)pthread_mutex_lock(&wk->lock);
	wk->stop = 1;
	(void)pthread_cond_broadcast(&wk->cond);
	(void)clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	while (wk->alive > 0 && !late)
		late = pthread_cond_timedwait(&wk->gone, &wk->lock,
		    &until) == ETIMEDOUT;
	TAILQ_CONCAT(&wk->done, &wk->todo, link);
	(void)pthread_mutex_unlock(&wk->lock);
	while ((w = TAILQ_FIRST(&wk->done)) != NULL) {
		TAILQ_REMOVE(&wk->done, w, link);
		wk->count--;
		w->done(w->arg, 1);
		free(w);
	}
	if (wk->index > 0) {
		su_root_deregister(wk->px->root, wk->index);
		wk->index = 0;
	}
	if (late) {
		log_warnx("%u blocking job%s still running at exit (a domain "
		    "controller that does not answer, or a disk that does "
		    "not sync)", wk->alive, wk->alive == 1 ? "" : "s");
		return 1;
	}
	for (i = 0; i < wk->nthreads; i++)
		(void)pthread_join(wk->threads[i], NULL);
	if (wk->efd != -1)
		(void)close(wk->efd);
	(void)pthread_cond_destroy(&wk->cond);
	(void)pthread_cond_destroy(&wk->gone);
	(void)pthread_mutex_destroy(&wk->lock);
	free(wk->threads);
	free(wk);
	return 0;
}
