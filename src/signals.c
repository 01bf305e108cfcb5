/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/signals.c: SIGTERM, SIGINT and SIGHUP delivered through the su_root.
 * The handler only writes the signal number into a pipe (async-signal
 * safe); the event loop reads it and does the work outside the handler.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define SU_ROOT_MAGIC_T		struct proxy
#define SU_WAKEUP_ARG_T		struct signals
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#define LOG_MODULE "signals"
#include "log/log.h"
#include "src/proxy.h"

struct signals {
	su_wait_t	 wait[1];
	int		 index;		/* su_root registration */
	int		 fds[2];	/* [0] read end in the loop */
};

static int sig_write_fd = -1;

static void
sig_handler(int signo)
{
	unsigned char c = (unsigned char)signo;
	int saved = errno;

	/* A full pipe already holds a wake-up: dropping is fine. */
	(void)!write(sig_write_fd, &c, 1);
	errno = saved;
}

static int
sig_wakeup(struct proxy *px, su_wait_t *w, struct signals *sg)
{
	unsigned char c;
	ssize_t n;

	(void)w;
	while ((n = read(sg->fds[0], &c, 1)) == 1) {
		switch (c) {
		case SIGTERM:
		case SIGINT:
			log_notice("%s received: shutting down",
			    c == SIGTERM ? "SIGTERM" : "SIGINT");
			proxy_stop(px);
			break;
		case SIGHUP:
			(void)proxy_reload(px, "signal");
			break;
		default:
			break;
		}
	}
	return 0;
}

static int
set_flags(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return errno;
	return 0;
}

int
signals_init(struct proxy *px)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;
	struct signals *sg;
	size_t i;
	int err;

	if ((sg = su_zalloc(px->home, sizeof(*sg))) == NULL)
		return ENOMEM;
	sg->fds[0] = sg->fds[1] = -1;
	if (pipe(sg->fds) == -1) {
		err = errno;
		log_warn("signal pipe");
		goto fail;
	}
	if ((err = set_flags(sg->fds[0])) != 0 ||
	    (err = set_flags(sg->fds[1])) != 0)
		goto fail;
	if (su_wait_create(sg->wait, sg->fds[0], SU_WAIT_IN) != 0) {
		err = EIO;
		goto fail;
	}
	sg->index = su_root_register(px->root, sg->wait, sig_wakeup, sg, 0);
	if (sg->index <= 0) {
		su_wait_destroy(sg->wait);
		err = EIO;
		goto fail;
	}
	sig_write_fd = sg->fds[1];
	px->signals = sg;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			return errno;
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	return 0;
 fail:
	if (sg->fds[0] != -1)
		(void)close(sg->fds[0]);
	if (sg->fds[1] != -1)
		(void)close(sg->fds[1]);
	su_free(px->home, sg);
	return err;
}

void
signals_fini(struct proxy *px)
{
	struct signals *sg = px->signals;
	struct sigaction sa;

	if (sg == NULL)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sig_write_fd = -1;
	su_root_deregister(px->root, sg->index);
	(void)close(sg->fds[0]);
	(void)close(sg->fds[1]);
	su_free(px->home, sg);
	px->signals = NULL;
}
