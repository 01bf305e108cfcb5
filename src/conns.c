/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/conns.c: what TCP and TLS connections may cost: a cap in all and
 * per source address, a short life for connections that have not
 * authenticated, and no busy loop when descriptors run out.
 *
 * Sofia-SIP accepts connections inside tport and has no hook for it, nor
 * a way to list its connections.  So sipsad provides accept() and close()
 * itself: the executable's definitions come before the C library's for
 * every caller in the process, Sofia included (symbol interposition; the
 * C library's own functions are called through dlsym(RTLD_NEXT)).  Until
 * conns_init() has run they only pass the call on.
 *
 * - accept(): a connection over `per-source` from its source address is
 *   closed at once; at `total`, the unauthenticated connection that has
 *   been quiet longest is shut down to make room (none: the new one is
 *   closed).  The socket's buffers are bounded (`receive-buffer`).
 *   Refused connections are not reported to Sofia as errors (errno 0),
 *   so that nta does not log each one.  When accept() fails for lack of
 *   descriptors, one kept in reserve is freed to accept the pending
 *   connection and close it at once: the listening socket does not stay
 *   readable, so the loop does not spin, and the line is rate-limited.
 * - close(): forgets the descriptor (on the event loop's thread only:
 *   worker threads close only descriptors of their own).
 * - Each complete message marks its connection active (conns_seen), and
 *   authenticated once it passed authentication; once a second,
 *   conns_tick() shuts down the connections that have not authenticated
 *   and sent no message for `unauth-close` (since they were accepted or
 *   their last message).  Sofia then sees the end of the stream and
 *   closes the transport as if the peer had.  Authenticated connections
 *   are left to Sofia's own idle timer (`idle-close`), which counts
 *   keep-alives too.
 *
 * Connections sipsad opens itself (to a callee) are not counted.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <sofia-sip/tport.h>

#define LOG_MODULE "conns"
#include "log/log.h"
#include "sa/hash.h"
#include "sa/sa.h"
#include "src/proxy.h"

/* Descriptors kept free for everything but connections: the listeners,
   the binding store, keytab and NTLM user reads, a callee connection,
   plus this share of the limit. */
#define CONNS_RESERVE_MIN	32
#define CONNS_RESERVE_SHARE	16	/* 1/16 of RLIMIT_NOFILE */
#define CONNS_LINES		20	/* refusal lines a minute */
#define CONNS_LPORTS		16	/* listener ports counted apart */

/* A source address: IPv4, or the /64 of an IPv6 address. */
struct conn_src {
	struct hlink	 link;
	uint8_t		 key[9];	/* family tag, 8 bytes */
	unsigned	 count;
};

struct conn {
	struct hlink	 link;		/* by peer address and port */
	int		 fd;
	int		 lslot;		/* in C.lports, -1: none */
	int		 authed;
	int		 closing;	/* shut down, not closed yet */
	struct conn_src	*src;
	struct sockaddr_storage peer;
	uint64_t	 last;		/* ms: accepted, or last message */
	/* Not read from since (ms, 0: read) because its output queue is
	   half full; tp is Sofia's transport, valid while fd is open. */
	uint64_t	 stalled;
	int		 doomed;	/* to be closed at the next tick */
	struct tport_s	*tp;
	struct conn	*next_stalled;
	struct conn	*prev, *next;	/* unauthenticated, oldest first */
	char		 name[64];	/* "addr:port" for log lines */
};

static struct conns {
	int		 active;
	pthread_t	 loop;		/* the only thread that accepts */
	struct conn	**byfd;
	size_t		 nfd;
	struct htab	 peers, sources;
	uint32_t	 seed;
	unsigned	 count;		/* open and not closing */
	/* Open connections by local port (the listener's), for the
	   metrics by transport. */
	struct {
		unsigned	 port, count;
	}		 lports[CONNS_LPORTS];
	unsigned	 nlports;
	unsigned	 total, per_source, unauth_ms, rcvbuf;
	struct conn	*oldest, *newest;	/* unauthenticated */
	struct conn	*stalled;		/* not read from */
	unsigned	 stall_ms;
	int		 spare;		/* reserved descriptor */
	struct log_quota lines;
	unsigned long	 shed;		/* connections shed, for the log */
} C = { .spare = -1 };

typedef int accept_fn(int, struct sockaddr *, socklen_t *);
typedef int close_fn(int);

static int
real_close(int fd)
{
	static close_fn *fn;

	if (fn == NULL)
		fn = (close_fn *)dlsym(RTLD_NEXT, "close");
	if (fn == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return fn(fd);
}

static int
real_accept(int s, struct sockaddr *sa, socklen_t *len)
{
	static accept_fn *fn;

	if (fn == NULL)
		fn = (accept_fn *)dlsym(RTLD_NEXT, "accept");
	if (fn == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return fn(s, sa, len);
}

static uint64_t
conns_now(void)
{
	return sa_clock_monotonic(NULL);
}

static void
addr_name(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		(void)inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		(void)inet_ntop(AF_INET6, &in6->sin6_addr, host,
		    sizeof(host));
		port = ntohs(in6->sin6_port);
	}
	(void)snprintf(buf, len, "%s:%u", host, port);
}

/* The source key of ss (9 bytes) and the peer key (addr and port). */
static void
src_key(const struct sockaddr_storage *ss, uint8_t key[9])
{
	memset(key, 0, 9);
	if (ss->ss_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)(const void *)
		    ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		key[0] = 6;
		memcpy(key + 1, &((const struct sockaddr_in6 *)(const void *)
		    ss)->sin6_addr, 8);
	}
}

static uint32_t
peer_hash(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		return hash_bytes(hash_bytes(C.seed, &in->sin_addr, 4),
		    &in->sin_port, 2);
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		return hash_bytes(hash_bytes(C.seed, &in6->sin6_addr, 16),
		    &in6->sin6_port, 2);
	}
	return C.seed;
}

/* An IPv4-mapped IPv6 address as IPv4, as Sofia names the peer. */
static void
canonize(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 in6;
	struct sockaddr_in *in = (struct sockaddr_in *)(void *)ss;

	if (ss->ss_family != AF_INET6)
		return;
	memcpy(&in6, ss, sizeof(in6));
	if (!IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr))
		return;
	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = in6.sin6_port;
	memcpy(&in->sin_addr, &in6.sin6_addr.s6_addr[12], 4);
}

static int
peer_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a,
		    *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a,
		    *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
	return 0;
}

static struct conn_src *
src_find(const uint8_t key[9], uint32_t h)
{
	struct hlink *l;
	struct conn_src *s;

	for (l = htab_chain(&C.sources, h); l != NULL; l = l->next) {
		s = HTAB_ENTRY(l, struct conn_src, link);
		if (l->hash == h && memcmp(s->key, key, 9) == 0)
			return s;
	}
	return NULL;
}

static void
unauth_unlink(struct conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else if (C.oldest == c)
		C.oldest = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else if (C.newest == c)
		C.newest = c->prev;
	c->prev = c->next = NULL;
}

static void
unauth_append(struct conn *c)
{
	c->prev = C.newest;
	c->next = NULL;
	if (C.newest != NULL)
		C.newest->next = c;
	else
		C.oldest = c;
	C.newest = c;
}

/* Stop counting c and shut its socket down: Sofia closes it. */
static void
conn_shut(struct conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	if (!c->authed)
		unauth_unlink(c);
	C.count--;
	if (c->lslot >= 0)
		C.lports[c->lslot].count--;
	(void)shutdown(c->fd, SHUT_RDWR);
}

static void
stalled_unlink(struct conn *c)
{
	struct conn **pp;

	for (pp = &C.stalled; *pp != NULL; pp = &(*pp)->next_stalled)
		if (*pp == c) {
			*pp = c->next_stalled;
			break;
		}
	c->stalled = 0;
	c->tp = NULL;
}

/*
 * Close c with a (rate-limited) line saying why.  A stalled connection
 * (its peer still sending, maybe) is closed by Sofia at the next tick;
 * any other is shut down, and Sofia closes it when it reads the end.
 */
static void
conn_close(struct conn *c, const char *why)
{
	if (log_quota_take(&C.lines, conns_now()))
		log_notice("connection from %s closed: %s", c->name, why);
	if (c->stalled != 0)
		c->doomed = 1;
	else
		conn_shut(c);
}

static void
conn_forget(int fd)
{
	struct conn *c;

	if (fd < 0 || (size_t)fd >= C.nfd || (c = C.byfd[fd]) == NULL)
		return;
	C.byfd[fd] = NULL;
	if (c->stalled != 0)
		stalled_unlink(c);
	if (!c->closing) {
		if (!c->authed)
			unauth_unlink(c);
		C.count--;
		if (c->lslot >= 0)
			C.lports[c->lslot].count--;
	}
	htab_remove(&C.peers, &c->link);
	if (--c->src->count == 0) {
		htab_remove(&C.sources, &c->src->link);
		free(c->src);
	}
	free(c);
}

static int
byfd_grow(int fd)
{
	size_t n = C.nfd > 0 ? C.nfd : 256;
	struct conn **p;

	while (n <= (size_t)fd)
		n *= 2;
	if ((p = realloc(C.byfd, n * sizeof(*p))) == NULL)
		return -1;
	memset(p + C.nfd, 0, (n - C.nfd) * sizeof(*p));
	C.byfd = p;
	C.nfd = n;
	return 0;
}

static void
refusal(const char *peer, const char *why)
{
	if (log_quota_take(&C.lines, conns_now()))
		log_notice("connection from %s refused: %s", peer, why);
}

/* Admit fd, accepted from ss: 1, or 0 when it must be closed. */
/* The slot of the local port of fd (a listener's), -1 past the table. */
static int
lport_slot(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	unsigned port, i;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	port = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	for (i = 0; i < C.nlports; i++)
		if (C.lports[i].port == port)
			return (int)i;
	if (C.nlports == CONNS_LPORTS)
		return -1;
	C.lports[C.nlports].port = port;
	C.lports[C.nlports].count = 0;
	return (int)C.nlports++;
}

static int
conn_admit(int fd, struct sockaddr_storage *ss)
{
	struct conn_src *s;
	struct conn *c;
	uint8_t key[9];
	uint32_t h;
	char name[64];

	canonize(ss);
	addr_name(ss, name, sizeof(name));
	src_key(ss, key);
	h = hash_bytes(C.seed, key, sizeof(key));
	s = src_find(key, h);
	if (s != NULL && s->count >= C.per_source) {
		refusal(name, "too many connections from this address");
		return 0;
	}
	if (C.count >= C.total) {
		if (C.oldest == NULL) {
			refusal(name, "too many connections");
			return 0;
		}
		if (log_quota_take(&C.lines, conns_now()))
			log_notice("connection from %s closed to make room: "
			    "not signed in, quiet for %llu s", C.oldest->name,
			    (unsigned long long)(conns_now() -
			    C.oldest->last) / 1000);
		conn_shut(C.oldest);
	}
	if (((size_t)fd >= C.nfd && byfd_grow(fd) != 0) ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		refusal(name, "out of memory");
		return 0;
	}
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			free(c);
			refusal(name, "out of memory");
			return 0;
		}
		memcpy(s->key, key, sizeof(key));
		s->link.hash = h;
		htab_insert(&C.sources, &s->link);
	}
	s->count++;
	c->fd = fd;
	c->src = s;
	c->peer = *ss;
	c->last = conns_now();
	memcpy(c->name, name, sizeof(name));
	c->link.hash = peer_hash(ss);
	htab_insert(&C.peers, &c->link);
	unauth_append(c);
	C.byfd[fd] = c;
	C.count++;
	c->lslot = lport_slot(fd);
	if (c->lslot >= 0)
		C.lports[c->lslot].count++;
	if (C.rcvbuf > 0) {
		int b = (int)C.rcvbuf;

		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &b, sizeof(b));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &b, sizeof(b));
	}
	return 1;
}

/* Out of descriptors: accept the pending connection on the reserved one
   and close it.  0 when done, -1 when there was no reserve. */
static int
shed(int s)
{
	int fd;

	if (C.spare < 0)
		return -1;
	(void)real_close(C.spare);
	C.spare = -1;
	fd = real_accept(s, NULL, NULL);
	if (fd >= 0)
		(void)real_close(fd);
	C.spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	C.shed++;
	if (log_quota_take(&C.lines, conns_now()))
		log_warnx("out of file descriptors: a new connection was "
		    "closed at once (%lu so far)", C.shed);
	return 0;
}

int
accept(int s, struct sockaddr *sa, socklen_t *len)
{
	struct sockaddr_storage ss, peer;
	socklen_t sl;
	int fd, refused = 0, e;

	if (!C.active)
		return real_accept(s, sa, len);
	for (;;) {
		sl = sizeof(ss);
		fd = real_accept(s, (struct sockaddr *)&ss, &sl);
		peer = ss;
		if (fd < 0) {
			e = errno;
			if ((e == EMFILE || e == ENFILE) && shed(s) == 0)
				refused = 1;
			/* Nothing for Sofia to report: errno 0. */
			if (refused && (e == EAGAIN || e == EWOULDBLOCK ||
			    e == EMFILE || e == ENFILE)) {
				errno = 0;
				return -1;
			}
			errno = e;
			return -1;
		}
		if (conn_admit(fd, &peer))
			break;
		(void)real_close(fd);
		refused = 1;
		/* A blocking listener would wait here for the next one. */
		if (!(fcntl(s, F_GETFL) & O_NONBLOCK)) {
			errno = 0;
			return -1;
		}
	}
	if (sa != NULL && len != NULL) {
		memcpy(sa, &ss, *len < sl ? *len : sl);
		*len = sl;
	}
	return fd;
}

int
close(int fd)
{
	/* Other threads (src/workers.c) close only their own descriptors,
	   never a connection, and must not touch the table. */
	if (C.active && pthread_equal(pthread_self(), C.loop))
		conn_forget(fd);
	return real_close(fd);
}

int
conns_init(struct proxy *px)
{
	const struct conf_conn *cc = &px->conf->conn;
	struct rlimit rl;
	unsigned limit = cc->total;
	rlim_t reserve;

	if (htab_init(&C.peers, 256) != 0 || htab_init(&C.sources, 256) != 0)
		return ENOMEM;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY) {
		reserve = CONNS_RESERVE_MIN + rl.rlim_cur / CONNS_RESERVE_SHARE;
		if (rl.rlim_cur <= reserve)
			limit = 1;
		else if (rl.rlim_cur - reserve < limit)
			limit = (unsigned)(rl.rlim_cur - reserve);
	}
	if (limit < cc->total)
		log_notice("connections: at most %u (of %u configured): the "
		    "rest of the %llu file descriptors stays free for "
		    "everything else", limit, cc->total,
		    (unsigned long long)rl.rlim_cur);
	C.total = limit;
	C.per_source = cc->per_source;
	C.unauth_ms = cc->unauth_close * 1000;
	C.stall_ms = cc->message_timeout * 1000;
	C.rcvbuf = cc->socket_buffer;
	C.seed = hash_random_seed();
	C.lines.per_minute = CONNS_LINES;
	C.lines.module = LOG_MODULE;
	C.lines.what = "refused or closed connections";
	C.spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	C.loop = pthread_self();
	C.active = 1;
	return 0;
}

void
conns_fini(struct proxy *px)
{
	size_t i;

	(void)px;
	if (!C.active)
		return;
	for (i = 0; i < C.nfd; i++)
		conn_forget((int)i);
	C.active = 0;
	free(C.byfd);
	htab_fini(&C.peers);
	htab_fini(&C.sources);
	if (C.spare >= 0)
		(void)real_close(C.spare);
	memset(&C, 0, sizeof(C));
	C.spare = -1;
}

void
conns_tick(struct proxy *px)
{
	uint64_t now = conns_now();
	struct conn *c, *next;
	struct tport_s *tp;

	(void)px;
	for (c = C.stalled; C.active && c != NULL; c = next) {
		next = c->next_stalled;
		if (!c->doomed && tport_queuelen(c->tp) == 0) {
			(void)tport_continue(c->tp);
			stalled_unlink(c);
			continue;
		}
		if (!c->doomed && now - c->stalled < C.stall_ms)
			continue;
		if (!c->doomed && log_quota_take(&C.lines, now))
			log_notice("connection from %s closed: it has not "
			    "read what it was sent for %u s", c->name,
			    C.stall_ms / 1000);
		/* Sofia closes it (and close() forgets c). */
		tp = c->tp;
		stalled_unlink(c);
		conn_shut(c);
		(void)tport_shutdown(tp, 2);
	}
	while (C.active && C.oldest != NULL &&
	    now - C.oldest->last >= C.unauth_ms) {
		if (log_quota_take(&C.lines, now))
			log_info("connection from %s closed: not signed in, "
			    "quiet for %llu s", C.oldest->name,
			    (unsigned long long)(now - C.oldest->last) / 1000);
		conn_shut(C.oldest);
	}
}

/* The connection from sa (NULL: not one accepted here). */
static struct conn *
conn_by_peer(const struct sockaddr *sa)
{
	struct sockaddr_storage ss;
	struct hlink *l;
	struct conn *c;
	uint32_t h;

	if (!C.active || sa == NULL || (sa->sa_family != AF_INET &&
	    sa->sa_family != AF_INET6))
		return NULL;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, sa, sa->sa_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	canonize(&ss);
	h = peer_hash(&ss);
	for (l = htab_chain(&C.peers, h); l != NULL; l = l->next) {
		c = HTAB_ENTRY(l, struct conn, link);
		if (l->hash == h && peer_equal(&c->peer, &ss))
			return c;
	}
	return NULL;
}

void
conns_seen(const struct sockaddr *sa, int authed)
{
	struct conn *c = conn_by_peer(sa);

	if (c == NULL || c->closing)
		return;
	c->last = conns_now();
	if (c->authed)
		return;
	unauth_unlink(c);
	if (authed)
		c->authed = 1;
	else
		unauth_append(c);
}

int
conns_close(const struct sockaddr *sa, const char *why)
{
	struct conn *c = conn_by_peer(sa);

	if (c == NULL || c->closing || c->doomed)
		return 0;
	conn_close(c, why);
	return 1;
}

unsigned
conns_open(void)
{
	return C.active ? C.count : 0;
}

unsigned
conns_open_port(unsigned port)
{
	unsigned i;

	for (i = 0; C.active && i < C.nlports; i++)
		if (C.lports[i].port == port)
			return C.lports[i].count;
	return 0;
}

void
conns_stall(const struct sockaddr *sa, struct tport_s *tp)
{
	struct conn *c = conn_by_peer(sa);

	if (c == NULL || c->closing || c->stalled != 0)
		return;
	if (tport_stall(tp) != 0)
		return;
	c->tp = tp;
	c->stalled = conns_now();
	c->next_stalled = C.stalled;
	C.stalled = c;
	log_debug("connection from %s: %d messages wait for it to read, not "
	    "read from until they have gone", c->name,
	    (int)tport_queuelen(tp));
}
