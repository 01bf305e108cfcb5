/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/ctlproto.h: the words of the control protocol that sipsad's control
 * socket (src/control.c) and sipsactl(8) speak: a request is one line of
 * blank-separated words, the answer one JSON object on one line.  The
 * parsing here is shared, so that sipsactl refuses a bad command before
 * it connects, with the same words sipsad would answer.  Nothing here
 * needs the daemon; tests/unit/test_ctlproto.c tests it alone.
 */
#ifndef SIPSA_CTLPROTO_H
#define SIPSA_CTLPROTO_H

#include <stddef.h>
#include <sys/socket.h>

/* The longest request line, newline included; a longer one is refused. */
#define CTL_LINE_MAX		4096	/* bytes */
/* Arguments after the command's words, at most. */
#define CTL_MAX_ARGS		2

enum ctl_cmd {
	CTL_STATUS,
	CTL_SA_LIST,
	CTL_SA_DROP,
	CTL_BINDING_LIST,
	CTL_BINDING_DROP,
	CTL_KICK,
	CTL_RELOAD,
	CTL_LOG_LEVEL,
	CTL_KEYTAB_CHECK,
	CTL_TRACE,		/* USER [tokens]: a stream, not one answer */
	CTL_TRACE_PEER,		/* ADDR [tokens] */
};

/* A parsed request; the arguments point into the line parsed. */
struct ctl_req {
	enum ctl_cmd	 cmd;
	const char	*arg[CTL_MAX_ARGS];	/* NULL when not given */
	int		 narg;
};

/*
 * Parse one request line (without its newline; blanks are spaces and
 * tabs).  The line is cut into words in place.  0, or -1 with what is
 * wrong in err, e.g. "unknown command \"foo\"" or "usage: sa drop
 * OPAQUE|USER".
 */
int	ctl_parse(char *line, struct ctl_req *req, char *err, size_t errsz);

/* The usage of every command, one a line, each line ending in '\n'. */
const char *ctl_usage(void);

/* Is s an SA's opaque: 8 hexadecimal digits? */
int	ctl_is_opaque(const char *s);

/*
 * Does the administrator's word for a user name this SA (account as
 * sa_user() gives it, "DOMAIN\user" or "user@REALM"; aor "sip:u@d" or
 * NULL)?  Compared ignoring ASCII case: the whole account; its account
 * part (every domain's, when who has neither '\' nor '@'); or, when who
 * begins with "sip:", the AOR.
 */
int	ctl_user_match(const char *who, const char *account, const char *aor);

/*
 * The peer of a binding's transport ("tcp:127.0.0.1:5060",
 * "tls:[::1]:5061"), as a socket address: 0, or -1 for UDP (no
 * connection) and anything unreadable.
 */
int	ctl_transport_addr(const char *transport, struct sockaddr_storage *ss);

#endif /* SIPSA_CTLPROTO_H */
