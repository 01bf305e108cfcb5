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

#endif /* SIPSA_CONTROL_H */
