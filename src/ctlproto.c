/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/ctlproto.c: the commands of the control protocol (src/ctlproto.h):
 * one table of their words and arguments, the parser of a request line,
 * and the matching of a user name that sa list, sa drop and kick share.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "log/log.h"
#include "src/ctlproto.h"

#define CTL_MAX_WORDS	(2 + CTL_MAX_ARGS)

/* A command: one or two words, then min to max arguments. */
static const struct ctl_def {
	const char	*w1, *w2;	/* w2 NULL: a one-word command */
	enum ctl_cmd	 cmd;
	int		 min, max;
	const char	*usage;
} cmds[] = {
	{ "status", NULL, CTL_STATUS, 0, 0, "status" },
	{ "sa", "list", CTL_SA_LIST, 0, 1, "sa list [USER]" },
	{ "sa", "drop", CTL_SA_DROP, 1, 1, "sa drop OPAQUE|USER" },
	{ "binding", "list", CTL_BINDING_LIST, 0, 1, "binding list [AOR]" },
	{ "binding", "drop", CTL_BINDING_DROP, 1, 2,
	    "binding drop AOR [EPID]" },
	{ "kick", NULL, CTL_KICK, 1, 1, "kick USER" },
	{ "reload", NULL, CTL_RELOAD, 0, 0, "reload" },
	{ "log", "level", CTL_LOG_LEVEL, 1, 1,
	    "log level err|warn|notice|info|debug" },
	{ "keytab", "check", CTL_KEYTAB_CHECK, 0, 0, "keytab check" },
	/* Before "trace": its second word is not a user's. */
	{ "trace", "peer", CTL_TRACE_PEER, 1, 2, "trace peer ADDR [tokens]" },
	{ "trace", NULL, CTL_TRACE, 1, 2, "trace USER [tokens]" },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

const char *
ctl_usage(void)
{
	static char buf[512];
	size_t i, n = 0;

	if (buf[0] != '\0')
		return buf;
	for (i = 0; i < NCMDS && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n",
		    cmds[i].usage);
	return buf;
}

/* Printable ASCII and blanks only: nothing for a log line to trip on. */
static int
line_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((*s < 0x20 || *s > 0x7e) && *s != '\t')
			return 0;
	return 1;
}

int
ctl_parse(char *line, struct ctl_req *req, char *err, size_t errsz)
{
	char *w[CTL_MAX_WORDS + 1], *p = line;
	const struct ctl_def *d = NULL;
	size_t i;
	int n = 0, first, k;

	memset(req, 0, sizeof(*req));
	if (!line_ok(line)) {
		(void)snprintf(err, errsz, "a request is printable text");
		return -1;
	}
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		if (n == CTL_MAX_WORDS + 1) {
			n++;
			break;
		}
		w[n++] = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
	}
	if (n == 0) {
		(void)snprintf(err, errsz, "empty request");
		return -1;
	}
	for (i = 0; i < NCMDS && d == NULL; i++)
		if (strcmp(cmds[i].w1, w[0]) == 0 && (cmds[i].w2 == NULL ||
		    (n > 1 && strcmp(cmds[i].w2, w[1]) == 0)))
			d = &cmds[i];
	if (d == NULL) {
		for (i = 0; i < NCMDS; i++)
			if (strcmp(cmds[i].w1, w[0]) == 0)
				break;
		if (i < NCMDS)
			(void)snprintf(err, errsz, "unknown command \"%s%s%s\"",
			    w[0], n > 1 ? " " : "", n > 1 ? w[1] : "");
		else
			(void)snprintf(err, errsz, "unknown command \"%s\"",
			    w[0]);
		return -1;
	}
	first = d->w2 != NULL ? 2 : 1;
	if (n - first < d->min || n - first > d->max) {
		(void)snprintf(err, errsz, "usage: %s", d->usage);
		return -1;
	}
	req->cmd = d->cmd;
	for (k = first; k < n; k++)
		req->arg[req->narg++] = w[k];
	if ((req->cmd == CTL_TRACE || req->cmd == CTL_TRACE_PEER) &&
	    req->narg == 2 && strcmp(req->arg[1], "tokens") != 0) {
		(void)snprintf(err, errsz, "usage: %s", d->usage);
		return -1;
	}
	if (req->cmd == CTL_LOG_LEVEL && log_level_parse(req->arg[0]) < 0) {
		(void)snprintf(err, errsz, "unknown log level \"%s\" (usage: "
		    "%s)", req->arg[0], d->usage);
		return -1;
	}
	if (req->cmd == CTL_BINDING_DROP &&
	    strncasecmp(req->arg[0], "sip:", 4) != 0 &&
	    strncasecmp(req->arg[0], "sips:", 5) != 0) {
		(void)snprintf(err, errsz, "binding drop: \"%s\" is not an "
		    "AOR (sip:user@domain)", req->arg[0]);
		return -1;
	}
	return 0;
}

int
ctl_is_opaque(const char *s)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[8] == '\0';
}

/* The account part of "DOMAIN\user" or "user@REALM", length in *len. */
static const char *
account_part(const char *account, size_t *len)
{
	const char *bs = strrchr(account, '\\'), *at;

	if (bs != NULL) {
		*len = strlen(bs + 1);
		return bs + 1;
	}
	at = strrchr(account, '@');
	*len = at != NULL ? (size_t)(at - account) : strlen(account);
	return account;
}

int
ctl_user_match(const char *who, const char *account, const char *aor)
{
	const char *part;
	size_t len;

	if (who == NULL || *who == '\0')
		return 0;
	if (strncasecmp(who, "sip:", 4) == 0)
		return aor != NULL && strcasecmp(who, aor) == 0;
	if (account == NULL)
		return 0;
	if (strcasecmp(who, account) == 0)
		return 1;
	if (strchr(who, '\\') != NULL || strchr(who, '@') != NULL)
		return 0;
	part = account_part(account, &len);
	return strlen(who) == len && strncasecmp(who, part, len) == 0;
}

int
ctl_transport_addr(const char *transport, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)ss;
	char host[64], *end;
	const char *colon;
	unsigned long port;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (strncasecmp(transport, "tcp:", 4) != 0 &&
	    strncasecmp(transport, "tls:", 4) != 0)
		return -1;
	transport += 4;
	if ((colon = strrchr(transport, ':')) == NULL)
		return -1;
	n = (size_t)(colon - transport);
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, transport, n);
	host[n] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port == 0 || port > 65535)
		return -1;
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)port);
		return 0;
	}
	return -1;
}
