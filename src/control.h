/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/control.h: sipsad's control socket (control { } in sipsa.conf(5)),
 * the server side of sipsactl(8).  A UNIX stream socket on the event
 * loop: each client sends one request line (src/ctlproto.h), gets one
 * JSON object on one line, and is disconnected.  Commands: status, sa
 * list and drop, binding list and drop, kick, reload, log level and
 * keytab check.
 */
#ifndef SIPSA_CONTROL_H
#define SIPSA_CONTROL_H

struct proxy;

/* Clients served at once; one more is told so and closed. */
#define CONTROL_MAX_CLIENTS	16
/* Seconds a client has to send its request and read the answer. */
#define CONTROL_CLIENT_TIMEOUT	10
/* Entries of a list answer at most ("truncated": true beyond). */
#define CONTROL_LIST_MAX	10000

/*
 * Create the socket the running configuration names (none: nothing to
 * do), replacing a stale socket file of a sipsad that died; another
 * sipsad answering there, a group that does not exist, or any other
 * failure is logged and returned (errno value): sipsad does not start.
 */
int	control_init(struct proxy *);
/* Close the clients and the socket, and remove its file.  Safe twice,
   and after a failed control_init(). */
void	control_fini(struct proxy *);
/* Once a second (src/security.c): handshake rates, client timeouts. */
void	control_tick(struct proxy *);

/*
 * sipsactl trace: is a client tracing (cheap; callers ask before they
 * call control_trace)?  control_trace() hands one message as it passes
 * to every tracing client whose user or peer it concerns: dir "in" or
 * "out", the transport's name, the peer "addr:port", the account of its
 * SA (or NULL).  The message is the one nta sends or received, after
 * TLS decryption; gssapi-data is cut unless the client asked for it.
 */
struct msg_s;
int	control_tracing(const struct proxy *);
void	control_trace(struct proxy *, const char *dir, const char *transport,
	    const char *peer, const char *account, struct msg_s *msg);

#endif /* SIPSA_CONTROL_H */
