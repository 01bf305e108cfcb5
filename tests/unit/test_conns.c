/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_conns.c: the connection bounds of src/conns.c, with
 * real sockets on loopback and the accept() and close() it provides: the
 * cap per source, the cap in all (the quietest unauthenticated
 * connection makes room), unauthenticated connections closed when
 * quiet, and accept() failing for lack of descriptors (the pending
 * connection is closed, nothing spins).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "conf/conf.h"
#include "src/proxy.h"
#include "tests/unit/unit.h"

static struct proxy px;
static struct sipsa_conf *conf;
static int lsock = -1;
static struct sockaddr_in laddr;

static void
setup(const char *conn)
{
	char text[1024];
	socklen_t len = sizeof(laddr);

	(void)snprintf(text, sizeof(text), "server { fqdn p.example.test }\n"
	    "listen tcp 127.0.0.1 5060\nauth { schemes ntlm\n"
	    " ntlm { users winbind } }\nconnections { %s }\n", conn);
	memset(&px, 0, sizeof(px));
	conf = NULL;
	CU_ASSERT_EQUAL_FATAL(conf_parse_buf("c.conf", text, strlen(text),
	    0, NULL, NULL, &conf), 0);
	px.conf = conf;
	CU_ASSERT_EQUAL_FATAL(conns_init(&px), 0);
	lsock = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CU_ASSERT_FATAL(lsock >= 0);
	memset(&laddr, 0, sizeof(laddr));
	laddr.sin_family = AF_INET;
	laddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_EQUAL_FATAL(bind(lsock, (struct sockaddr *)&laddr,
	    sizeof(laddr)), 0);
	CU_ASSERT_EQUAL_FATAL(listen(lsock, 64), 0);
	CU_ASSERT_EQUAL_FATAL(getsockname(lsock, (struct sockaddr *)&laddr,
	    &len), 0);
}

static void
teardown(void)
{
	(void)close(lsock);
	conns_fini(&px);
	conf_free(conf);
}

/* A client connection to the listener (complete once connect returns). */
static int
client(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	CU_ASSERT_FATAL(s >= 0);
	CU_ASSERT_EQUAL_FATAL(connect(s, (struct sockaddr *)&laddr,
	    sizeof(laddr)), 0);
	return s;
}

/* Wait for the listener to have a connection pending. */
static void
pending(void)
{
	struct pollfd p = { .fd = lsock, .events = POLLIN };

	CU_ASSERT_EQUAL(poll(&p, 1, 2000), 1);
}

/* sipsad's side: accept as Sofia does. */
static int
server_accept(struct sockaddr_in *peer)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	pending();
	errno = 12345;
	fd = accept(lsock, (struct sockaddr *)&sin, &len);
	if (fd >= 0 && peer != NULL)
		*peer = sin;
	return fd;
}

/* Nothing from the server within 100 ms: the connection is up. */
static int
quiet(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };

	return poll(&p, 1, 100) == 0;
}

/* Has the server closed (or shut down) the client's connection? */
static int
closed_by_server(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	char c;

	if (poll(&p, 1, 2000) != 1)
		return 0;
	return recv(s, &c, 1, 0) <= 0;
}

static void
test_per_source_cap(void)
{
	int c1, c2, c3, s1, s2;

	setup("per-source 2");
	c1 = client();
	s1 = server_accept(NULL);
	CU_ASSERT(s1 >= 0);
	c2 = client();
	s2 = server_accept(NULL);
	CU_ASSERT(s2 >= 0);
	/* The third from 127.0.0.1 is closed, and Sofia is told nothing
	   went wrong (errno 0), so that nta logs nothing. */
	c3 = client();
	CU_ASSERT_EQUAL(server_accept(NULL), -1);
	CU_ASSERT_EQUAL(errno, 0);
	CU_ASSERT(closed_by_server(c3));
	/* Once one has closed, there is room again. */
	CU_ASSERT_EQUAL(close(s1), 0);
	(void)close(c1);
	(void)close(c3);
	c3 = client();
	s1 = server_accept(NULL);
	CU_ASSERT(s1 >= 0);
	(void)close(s1);
	(void)close(s2);
	(void)close(c2);
	(void)close(c3);
	teardown();
}

static void
test_total_makes_room(void)
{
	struct sockaddr_in p1;
	int c1, c2, c3, c4, s1, s2, s3;

	setup("total 2");
	/* On loopback the limit of descriptors leaves room for 2. */
	c1 = client();
	s1 = server_accept(&p1);
	CU_ASSERT(s1 >= 0);
	c2 = client();
	s2 = server_accept(NULL);
	CU_ASSERT(s2 >= 0);
	/* c1 signs in; at the cap, c3 takes the place of c2, the only
	   unauthenticated one. */
	conns_seen((struct sockaddr *)&p1, 1);
	c3 = client();
	s3 = server_accept(NULL);
	CU_ASSERT(s3 >= 0);
	CU_ASSERT(closed_by_server(c2));
	(void)close(s2);	/* Sofia closes c2's socket */
	/* c3 signs in too: nothing left to close, the next is refused. */
	{
		struct sockaddr_in p3;
		socklen_t len = sizeof(p3);

		CU_ASSERT_EQUAL(getpeername(s3, (struct sockaddr *)&p3,
		    &len), 0);
		conns_seen((struct sockaddr *)&p3, 1);
	}
	c4 = client();
	CU_ASSERT_EQUAL(server_accept(NULL), -1);
	CU_ASSERT_EQUAL(errno, 0);
	CU_ASSERT(closed_by_server(c4));
	CU_ASSERT(quiet(c1));
	(void)close(s1);
	(void)close(s3);
	(void)close(c1);
	(void)close(c2);
	(void)close(c3);
	(void)close(c4);
	teardown();
}

static void
test_unauthenticated_closed_when_quiet(void)
{
	struct sockaddr_in p2;
	int c1, c2, s1, s2;

	setup("unauth-close 1s");
	c1 = client();
	s1 = server_accept(NULL);
	c2 = client();
	s2 = server_accept(&p2);
	CU_ASSERT(s1 >= 0 && s2 >= 0);
	conns_seen((struct sockaddr *)&p2, 1);
	conns_tick(&px);
	CU_ASSERT(quiet(c1));
	(void)usleep(1100 * 1000);
	conns_tick(&px);
	/* c1 never signed in: shut down; c2 did: left to idle-close. */
	CU_ASSERT(closed_by_server(c1));
	CU_ASSERT(quiet(c2));
	(void)close(s1);
	(void)close(s2);
	(void)close(c1);
	(void)close(c2);
	teardown();
}

static void
test_out_of_descriptors(void)
{
	struct rlimit was, rl;
	int fill[64], n = 0, c1, c2, s;

	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_NOFILE, &was), 0);
	setup("per-source 100");
	c1 = client();
	c2 = -1;
	/* Every descriptor in use: the limit is what is open now. */
	rl = was;
	rl.rlim_cur = (rlim_t)dup(0);
	(void)close((int)rl.rlim_cur);
	rl.rlim_cur += 8;
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while (n < 64 && (fill[n] = open("/dev/null", O_RDONLY)) >= 0)
		n++;
	CU_ASSERT(n > 0 && n < 64);
	/* accept() fails with EMFILE inside: the reserved descriptor takes
	   the connection and closes it; Sofia sees no error. */
	CU_ASSERT_EQUAL(server_accept(NULL), -1);
	CU_ASSERT_EQUAL(errno, 0);
	CU_ASSERT(closed_by_server(c1));
	/* Nothing left pending: the listener is not readable any more,
	   so the event loop does not spin on it. */
	CU_ASSERT(quiet(lsock));
	/* Descriptors back: connections are accepted again. */
	while (n > 0)
		(void)close(fill[--n]);
	CU_ASSERT_EQUAL(setrlimit(RLIMIT_NOFILE, &was), 0);
	c2 = client();
	s = server_accept(NULL);
	CU_ASSERT(s >= 0);
	(void)close(s);
	(void)close(c1);
	(void)close(c2);
	teardown();
}

static CU_TestInfo conns_tests[] = {
	{ "per_source_cap", test_per_source_cap },
	{ "total_makes_room", test_total_makes_room },
	{ "unauthenticated_closed_when_quiet",
	  test_unauthenticated_closed_when_quiet },
	{ "out_of_descriptors", test_out_of_descriptors },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo conns_suites[] = {
	{ "conns", NULL, NULL, NULL, NULL, conns_tests },
	CU_SUITE_INFO_NULL,
};
