/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/sipsa-client.c: sipsa-client(1), a scriptable MS-SIPAE client:
 * options, the register / refresh / de-register sequence and the report,
 * and once registered a MESSAGE, a call (INVITE, ACK, BYE) and a time of
 * listening, when asked.  The protocol itself is libuac (tools/uac.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

struct client;
#define SU_TIMER_ARG_T		struct client

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#include "sa/mech.h"
#include "tools/opts.h"
#include "tools/uac.h"

/* Exit codes, documented in doc/sipsa-client.1. */
enum {
	EX_OK = 0,
	EX_USAGE = 1,
	EX_AUTH = 2,
	EX_SIGNATURE = 3,
	EX_TIMEOUT = 4,
	EX_TRANSPORT = 5,
	EX_STATUS = 6,
	EX_INTERNAL = 7,
};

/* What runs after the first registration, in this order. */
enum action {
	ACT_MESSAGE,
	ACT_CALL,
	ACT_HOLD,		/* the call is up for call_time */
	ACT_BYE,
	ACT_LISTEN,
	ACT_DONE,
};

struct client {
	su_root_t	*root;
	struct uac	*uac;
	su_timer_t	*timer;
	/* actions */
	enum action	 act;
	const char	*message_to;
	const char	*text;
	const char	*call_to;
	long		 call_time;	/* s */
	long		 cancel_after;	/* ms after the 180, -1: never */
	int		 ring;		/* --ring: leave INVITEs ringing */
	long		 listen;	/* s, 0: until a signal; -1: no */
	long		 answer;	/* end listening after so many */
	unsigned long	 answered;	/* MESSAGEs and ended calls */
	unsigned long	 refused;	/* requests with a bad signature */
	int		 listening;
	int		 act_failed;
	const char	*aor;
	int		 expires;	/* asked for; -1: none */
	unsigned long	 count;		/* registrations to make; 0: no end */
	long		 interval;	/* s between them; -1: from expiry */
	int		 keep;
	int		 quiet;
	int		 verbose;
	/* progress */
	unsigned long	 done;		/* successful registrations */
	int		 granted;
	int		 unregistering;
	int		 unregistered;
	int		 stopping;	/* a signal came */
	int		 busy;		/* an operation runs */
	int		 waiting;	/* for the refresh timer */
	int		 finished;
	int		 exit_code;
};

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: sipsa-client [-hkqrVv] [-a ntlm|kerberos] [-c count] [-d domain]\n"
"           [-e expires] [-i interval] [-P password-file] [-p port]\n"
"           [-s server] [-T timeout] [-t udp|tcp|tls] [-u user]\n"
"           [--ccache name] [--keytab file] [--principal name] [--mutual]\n"
"           [--epid hex] [--ca-file file] [--tls-name name] [--insecure]\n"
"           [--message uri [--text text]]\n"
"           [--call uri [--call-time s | --cancel-after ms]]\n"
"           [--listen s [--answer n] [--ring]]\n"
"           sip:user@domain\n"
"The NTLM password comes from -P file (- for standard input) or from the\n"
"environment variable SIPSA_PASSWORD.  See sipsa-client(1).\n");
}

static int
exit_for(enum uac_error e)
{
	switch (e) {
	case UAC_OK:
		return EX_OK;
	case UAC_E_CONFIG:
		return EX_USAGE;
	case UAC_E_AUTH:
		return EX_AUTH;
	case UAC_E_SIGNATURE:
		return EX_SIGNATURE;
	case UAC_E_TIMEOUT:
		return EX_TIMEOUT;
	case UAC_E_TRANSPORT:
		return EX_TRANSPORT;
	case UAC_E_STATUS:
		return EX_STATUS;
	default:
		return EX_INTERNAL;
	}
}

/* -v: every message, CRLF printed as a newline. */
static void
trace(void *arg, int sent, const char *peer, const char *text, size_t len)
{
	size_t i;

	(void)arg;
	printf("%s %s %s\n", sent ? ">>>" : "<<<", sent ? "sent to" :
	    "received from", peer);
	for (i = 0; i < len; i++)
		if (text[i] != '\r')
			putchar(text[i]);
	/* A body need not end with a line break. */
	if (len > 0 && text[len - 1] != '\n')
		putchar('\n');
	fflush(stdout);
}

static void	send_next(struct client *c, int expires);
static void	step(struct client *c);
static void	act_next(struct client *c);

static void
on_refresh_timer(su_root_magic_t *rm, su_timer_t *t, struct client *c)
{
	(void)rm;
	(void)t;
	c->waiting = 0;
	send_next(c, c->expires);
}

static void
report(struct client *c)
{
	struct uac *u = c->uac;
	unsigned verified = uac_verified(u);

	if (c->quiet)
		return;
	printf("sipsa-client: registered %s at %s with %s over %s "
	    "(version %d, epid %s), %lu registration%s, expires %d, "
	    "%s", c->aor, uac_server(u),
	    uac_scheme(u) != NULL ? uac_scheme(u) : "no authentication",
	    uac_proxy_family(u) ? "407" : "401",
	    /* No version= in the challenge: version 2. */
	    uac_version(u) != 0 ? uac_version(u) : 2, uac_epid(u),
	    c->done, c->done == 1 ? "" : "s", c->granted,
	    verified > 0 ? "signature verified" : "NOT SIGNED");
	if (verified > 0)
		printf(" (%u rspauth checked)", verified);
	if (uac_redirects(u) > 0)
		printf(", %u redirect%s followed", uac_redirects(u),
		    uac_redirects(u) == 1 ? "" : "s");
	if (uac_handshakes(u) > 1)
		printf(", %u handshakes", uac_handshakes(u));
	printf(", %s\n", c->unregistered ? "de-registered" :
	    "left registered");
	fflush(stdout);
}

static void
on_done(void *arg, struct uac *u, const struct uac_result *r)
{
	struct client *c = arg;

	(void)u;
	c->busy = 0;
	if (r->error != UAC_OK) {
		fprintf(stderr, "sipsa-client: %s%s: %s\n",
		    uac_error_name(r->error), c->unregistering ?
		    " while de-registering" : "", r->text);
		c->exit_code = exit_for(r->error);
		c->finished = 1;
		return;
	}
	if (c->unregistering) {
		c->unregistered = 1;
		if (c->verbose)
			printf("sipsa-client: de-registered (%d %s)\n",
			    r->status, r->phrase);
		report(c);
		c->finished = 1;
		return;
	}
	c->done++;
	c->granted = r->expires;
	if (c->verbose)
		printf("sipsa-client: registration %lu: %d %s, expires %d, "
		    "%u rspauth verified\n", c->done, r->status, r->phrase,
		    r->expires, r->verified);
	step(c);
}

static void
send_next(struct client *c, int expires)
{
	int rc;

	if ((rc = uac_register(c->uac, expires, on_done, c)) != 0) {
		fprintf(stderr, "sipsa-client: cannot send: %s\n",
		    strerror(rc));
		c->exit_code = EX_TRANSPORT;
		c->finished = 1;
		return;
	}
	c->busy = 1;
}

/*
 * Decide what comes after a registration, or a signal: the next
 * registration (now or after the interval), the de-registration, or the
 * end.
 */
static void
step(struct client *c)
{
	long wait;

	if (c->busy || c->finished || c->waiting)
		return;
	if (c->done > 0 && c->act != ACT_DONE) {
		act_next(c);
		if (c->busy || c->waiting || c->listening)
			return;
	}
	if (c->stopping || (c->count != 0 && c->done >= c->count)) {
		if (c->keep || c->done == 0) {
			if (c->done > 0)
				report(c);
			c->finished = 1;
			return;
		}
		c->unregistering = 1;
		send_next(c, 0);
		return;
	}
	if (c->done == 0) {
		send_next(c, c->expires);
		return;
	}
	wait = c->interval >= 0 ? c->interval : c->granted > 60 ?
	    c->granted - 30 : c->granted > 1 ? c->granted / 2 : 1;
	if (wait == 0) {
		send_next(c, c->expires);
		return;
	}
	c->waiting = 1;
	su_timer_set_interval(c->timer, on_refresh_timer, c,
	    (su_duration_t)(wait * 1000));
}

/* ---- after the first registration: MESSAGE, call, listening ---- */

/* An action failed: the first failure gives the exit code. */
static void
act_failed(struct client *c, const char *what, const struct uac_result *r)
{
	fprintf(stderr, "sipsa-client: %s: %s: %s\n", what,
	    uac_error_name(r->error), r->text);
	if (c->exit_code == EX_OK)
		c->exit_code = exit_for(r->error);
	c->act_failed = 1;
}

static const char *
verified_text(const struct uac_result *r)
{
	return r->verified > 0 ? "signature verified" : "NOT SIGNED";
}

static void
on_act_done(void *arg, struct uac *u, const struct uac_result *r)
{
	struct client *c = arg;

	(void)u;
	c->busy = 0;
	switch (c->act) {
	case ACT_CALL:		/* the MESSAGE ended */
		if (r->error != UAC_OK) {
			act_failed(c, "MESSAGE", r);
			break;
		}
		if (!c->quiet)
			printf("sipsa-client: MESSAGE to %s: %d %s, %s\n",
			    c->message_to, r->status, r->phrase,
			    verified_text(r));
		break;
	case ACT_HOLD:		/* the INVITE ended */
		if (r->error != UAC_OK) {
			act_failed(c, "call", r);
			break;
		}
		if (!c->quiet)
			printf("sipsa-client: call to %s: %d %s, %s (%u "
			    "response%s verified%s), %s\n", c->call_to,
			    r->status, r->phrase, verified_text(r),
			    r->verified, r->verified == 1 ? "" : "s",
			    r->discarded > 0 ? ", provisional ones dropped" :
			    "", r->status == 487 ? "cancelled" : "ACK sent");
		break;
	case ACT_LISTEN:	/* the BYE ended */
		if (r->error != UAC_OK) {
			act_failed(c, "BYE", r);
			break;
		}
		if (!c->quiet)
			printf("sipsa-client: call ended: BYE %d %s, %s\n",
			    r->status, r->phrase, verified_text(r));
		break;
	default:
		break;
	}
	fflush(stdout);
	step(c);
}

static void
on_act_timer(su_root_magic_t *rm, su_timer_t *t, struct client *c)
{
	(void)rm;
	(void)t;
	c->waiting = 0;
	if (c->listening) {
		c->listening = 0;
		if (c->answer > 0 && c->answered < (unsigned long)c->answer) {
			fprintf(stderr, "sipsa-client: listened %ld s, %lu of "
			    "%ld expected requests came\n", c->listen,
			    c->answered, c->answer);
			if (c->exit_code == EX_OK)
				c->exit_code = EX_TIMEOUT;
		}
	}
	step(c);
}

/* A request the server sent us, as uac answered it. */
static void
on_incoming(void *arg, struct uac *u, const struct uac_incoming *in)
{
	struct client *c = arg;

	(void)u;
	if (in->problem != NULL && !in->verified) {
		c->refused++;
		fprintf(stderr, "sipsa-client: refused %s from %s: %s\n",
		    in->method, in->from != NULL ? in->from : "?",
		    in->problem);
		return;
	}
	if (strcmp(in->method, "MESSAGE") == 0) {
		printf("MESSAGE from %s: %s\n", in->from, in->text);
		c->answered++;
	} else if (strcmp(in->method, "INVITE") == 0 && !c->quiet)
		printf("sipsa-client: INVITE from %s: answered %d%s\n",
		    in->from, in->status, in->problem != NULL ?
		    " (failed)" : "");
	else if (strcmp(in->method, "CANCEL") == 0) {
		if (!c->quiet)
			printf("sipsa-client: CANCEL from %s: INVITE answered "
			    "%d\n", in->from, in->status);
		c->answered++;
	} else if (strcmp(in->method, "BYE") == 0) {
		if (!c->quiet)
			printf("sipsa-client: BYE from %s: call ended\n",
			    in->from);
		c->answered++;
	} else if (c->verbose)
		printf("sipsa-client: %s from %s: answered %d\n", in->method,
		    in->from, in->status);
	fflush(stdout);
	if (c->listening && c->answer > 0 &&
	    c->answered >= (unsigned long)c->answer) {
		c->listening = 0;
		su_timer_reset(c->timer);
		c->waiting = 0;
		step(c);
	}
}

/* Start the next action, or set act to ACT_DONE. */
static void
act_next(struct client *c)
{
	int rc = 0;

	/* A failure or a signal ends the actions; a call up gets its BYE. */
	if ((c->stopping || c->act_failed) && c->act != ACT_DONE)
		c->act = uac_in_call(c->uac) ? ACT_BYE : ACT_DONE;
	switch (c->act) {
	case ACT_MESSAGE:
		c->act = ACT_CALL;
		if (c->message_to != NULL) {
			rc = uac_message(c->uac, c->message_to, c->text,
			    on_act_done, c);
			break;
		}
		/* FALLTHROUGH */
	case ACT_CALL:
		c->act = ACT_HOLD;
		if (c->call_to != NULL) {
			rc = uac_invite(c->uac, c->call_to, on_act_done, c);
			break;
		}
		c->act = ACT_LISTEN;
		act_next(c);
		return;
	case ACT_HOLD:
		c->act = ACT_BYE;
		if (c->call_time > 0 && !c->stopping) {
			c->waiting = 1;
			su_timer_set_interval(c->timer, on_act_timer, c,
			    (su_duration_t)(c->call_time * 1000));
			return;
		}
		/* FALLTHROUGH */
	case ACT_BYE:
		c->act = ACT_LISTEN;
		if (uac_in_call(c->uac)) {
			rc = uac_bye(c->uac, on_act_done, c);
			break;
		}
		/* FALLTHROUGH */
	case ACT_LISTEN:
		c->act = ACT_DONE;
		if (c->listen >= 0 && !c->stopping) {
			c->listening = 1;
			if (!c->quiet)
				printf("sipsa-client: listening as %s (epid "
				    "%s)%s\n", c->aor, uac_epid(c->uac),
				    c->listen > 0 ? "" : " until a signal");
			fflush(stdout);
			if (c->listen > 0) {
				c->waiting = 1;
				su_timer_set_interval(c->timer, on_act_timer,
				    c, (su_duration_t)(c->listen * 1000));
			}
		}
		return;
	case ACT_DONE:
		return;
	}
	if (rc != 0) {
		fprintf(stderr, "sipsa-client: cannot send: %s\n",
		    strerror(rc));
		if (c->exit_code == EX_OK)
			c->exit_code = rc == EINVAL ? EX_USAGE : EX_INTERNAL;
		c->act_failed = 1;
		c->act = ACT_DONE;
		return;
	}
	c->busy = 1;
}

/* Read the first line of path ("-": standard input) into buf. */
static int
read_password(const char *path, char *buf, size_t bufsz)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "sipsa-client: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (fgets(buf, (int)bufsz, f) == NULL)
		buf[0] = '\0';
	if (f != stdin)
		fclose(f);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	if (n == 0) {
		fprintf(stderr, "sipsa-client: %s: no password in it\n",
		    path);
		return -1;
	}
	return 0;
}

/* "host", "host:port", "[v6]" or "[v6]:port" into host and *port. */
static int
split_server(char *s, const char **host, unsigned *port)
{
	char *colon;
	long v;

	if (s[0] == '[') {
		if ((colon = strchr(s, ']')) == NULL)
			return -1;
		*colon++ = '\0';
		*host = s + 1;
		if (*colon == '\0')
			return 0;
		if (*colon != ':')
			return -1;
	} else {
		*host = s;
		if ((colon = strchr(s, ':')) == NULL ||
		    strchr(colon + 1, ':') != NULL)
			return 0;	/* no port, or a bare IPv6 address */
		*colon = '\0';
	}
	if (opts_long(colon + 1, 1, 65535, &v) != 0)
		return -1;
	*port = (unsigned)v;
	return 0;
}

#define USAGE_ERR(...) do {						\
	fprintf(stderr, "sipsa-client: " __VA_ARGS__);			\
	fputc('\n', stderr);						\
	return EX_USAGE;						\
} while (0)

struct options {
	struct uac_params	 up;
	struct uac_agent_params	 ap;
	char			*server;
	const char		*password_file;
	char			 aor[512];
	char			 user[256];
	char			 domain[64];
	char			 principal[256];
	char			 message_to[512];
	char			 call_to[512];
	int			 refresh;
};

/* An address typed with or without sip:, into buf: sip:user@domain. */
static int
target_uri(const char *arg, char *buf, size_t bufsz)
{
	const char *at;

	(void)snprintf(buf, bufsz, "%s%s", strncasecmp(arg, "sip:", 4) == 0 ?
	    "" : "sip:", arg);
	if ((at = strchr(buf, '@')) == NULL || at == buf + 4 ||
	    at[1] == '\0' || strpbrk(buf, "<>\"; \t") != NULL)
		return -1;
	return 0;
}

/* --message, --call: the address, as target_uri() makes it, into to. */
static int
uri_arg(void *to, size_t size, char *arg)
{
	return target_uri(arg, to, size);
}

static int
version(void *to, size_t size, char *arg)
{
	(void)to;
	(void)size;
	(void)arg;
	printf("sipsa-client %s\n", PACKAGE_VERSION);
	exit(EX_OK);
}

static int
parse_options(int argc, char **argv, struct options *o, struct client *c)
{
	const char *auth = "ntlm", *tp = "tcp", *user = NULL, *domain = NULL;
	const char *arg, *at, *bs, *host = NULL;
	unsigned port = 0, timeout = 0;
	size_t i;
	const struct opts_spec spec[] = {
		{ OPT_STR("auth", 'a', &auth) },
		{ OPT_WHOLE("count", 'c', ULONG, &c->count, 1, LONG_MAX,
		    "-c wants a count of 1 or more") },
		{ OPT_STR("domain", 'd', &domain) },
		{ OPT_WHOLE("expires", 'e', INT, &c->expires, 0, INT_MAX,
		    "-e wants seconds") },
		{ OPT_HELP("help", 'h') },
		{ OPT_WHOLE("interval", 'i', LONG, &c->interval, 0, INT_MAX,
		    "-i wants seconds") },
		{ OPT_FLAG("keep", 'k', &c->keep) },
		{ OPT_STR("password-file", 'P', &o->password_file) },
		{ OPT_WHOLE("port", 'p', UINT, &port, 1, 65535,
		    "-p wants a port number") },
		{ OPT_FLAG("quiet", 'q', &c->quiet) },
		{ OPT_FLAG("refresh", 'r', &o->refresh) },
		{ OPT_ARG("server", 's', &o->server) },
		{ OPT_WHOLE("timeout", 'T', UINT, &timeout, 1, 3600,
		    "-T wants 1 to 3600 seconds") },
		{ OPT_STR("transport", 't', &tp) },
		{ OPT_STR("user", 'u', &user) },
		{ OPT_MORE("verbose", 'v', &c->verbose) },
		{ OPT_DO("version", 'V', version) },
		{ OPT_STR("ccache", 0, &o->up.mech.ccache) },
		{ OPT_STR("keytab", 0, &o->up.mech.client_keytab) },
		{ OPT_STR("principal", 0, &o->up.mech.principal) },
		{ OPT_FLAG("mutual", 0, &o->up.mech.mutual) },
		{ OPT_STR("epid", 0, &o->up.epid) },
		{ OPT_STR("ca-file", 0, &o->ap.tls_ca_file) },
		{ OPT_FLAG("insecure", 0, &o->ap.tls_insecure) },
		{ OPT_STR("tls-name", 0, &o->up.tls_name) },
		{ OPT_FN("message", 0, uri_arg, o->message_to,
		    sizeof(o->message_to), "--message wants sip:user@domain") },
		{ OPT_STR("text", 0, &c->text) },
		{ OPT_FN("call", 0, uri_arg, o->call_to, sizeof(o->call_to),
		    "--call wants sip:user@domain") },
		{ OPT_WHOLE("call-time", 0, LONG, &c->call_time, 0, 86400,
		    "--call-time wants seconds") },
		{ OPT_WHOLE("listen", 0, LONG, &c->listen, 0, INT_MAX / 1000,
		    "--listen wants seconds (0: until a signal)") },
		{ OPT_WHOLE("answer", 0, LONG, &c->answer, 1, LONG_MAX,
		    "--answer wants a count of 1 or more") },
		{ OPT_WHOLE("cancel-after", 0, LONG, &c->cancel_after, 0,
		    3600000, "--cancel-after wants milliseconds") },
		{ OPT_FLAG("ring", 0, &c->ring) },
	};

	if (opts_parse("sipsa-client", usage, spec,
	    sizeof(spec) / sizeof(spec[0]), argc, argv) != 0)
		return EX_USAGE;
	o->up.timeout_ms = timeout * 1000;
	if (o->message_to[0] != '\0')
		c->message_to = o->message_to;
	if (o->call_to[0] != '\0')
		c->call_to = o->call_to;
	if (argc - optind != 1) {
		usage(stderr);
		return EX_USAGE;
	}
	arg = argv[optind];
	if (target_uri(arg, o->aor, sizeof(o->aor)) != 0)
		USAGE_ERR("%s is not an address of record (sip:user@domain)",
		    arg);
	at = strchr(o->aor, '@');
	o->up.aor = o->aor;
	c->aor = o->aor;

	if (strcasecmp(tp, "udp") == 0)
		o->up.transport = UAC_TP_UDP;
	else if (strcasecmp(tp, "tcp") == 0)
		o->up.transport = UAC_TP_TCP;
	else if (strcasecmp(tp, "tls") == 0)
		o->up.transport = UAC_TP_TLS;
	else
		USAGE_ERR("-t wants udp, tcp or tls, not %s", tp);

	if (o->server != NULL) {
		if (split_server(o->server, &host, &o->up.port) != 0)
			USAGE_ERR("-s wants host, host:port or [address]:port");
	} else
		host = at + 1;
	if (port != 0)
		o->up.port = port;
	o->up.server = host;

	/* NTLM names: DOMAIN\user, else the AOR's user and first label. */
	if (user == NULL) {
		(void)snprintf(o->user, sizeof(o->user), "%.*s",
		    (int)(at - o->aor - 4), o->aor + 4);
	} else if ((bs = strchr(user, '\\')) != NULL) {
		if (domain == NULL) {
			(void)snprintf(o->domain, sizeof(o->domain), "%.*s",
			    (int)(bs - user), user);
			domain = o->domain;
		}
		(void)snprintf(o->user, sizeof(o->user), "%s", bs + 1);
	} else {
		(void)snprintf(o->user, sizeof(o->user), "%s", user);
		/* A user principal name (user@domain) goes with an empty
		   NTLM domain, as Windows and SIPE send it. */
		if (strchr(user, '@') != NULL && domain == NULL) {
			o->domain[0] = '\0';
			domain = o->domain;
		}
	}
	if (domain == NULL) {
		(void)snprintf(o->domain, sizeof(o->domain), "%.*s",
		    (int)strcspn(at + 1, "."), at + 1);
		for (i = 0; o->domain[i] != '\0'; i++)
			o->domain[i] = (char)toupper((unsigned char)
			    o->domain[i]);
	} else if (domain != o->domain)
		(void)snprintf(o->domain, sizeof(o->domain), "%s", domain);

	if (strcasecmp(auth, "ntlm") == 0) {
		o->up.mech.kind = MECH_NTLM;
		o->up.mech.user = o->user;
		o->up.mech.domain = o->domain;
		if (o->up.mech.client_keytab != NULL ||
		    o->up.mech.ccache != NULL || o->up.mech.mutual)
			USAGE_ERR("--ccache, --keytab and --mutual go with "
			    "-a kerberos");
	} else if (strcasecmp(auth, "kerberos") == 0 ||
	    strcasecmp(auth, "krb5") == 0) {
		o->up.mech.kind = MECH_KERBEROS;
		if (o->password_file != NULL)
			USAGE_ERR("-P goes with -a ntlm (Kerberos uses a "
			    "credential cache or --keytab)");
		if (o->up.mech.client_keytab != NULL &&
		    o->up.mech.principal == NULL) {
			(void)snprintf(o->principal, sizeof(o->principal),
			    "%s", o->user);
			o->up.mech.principal = o->principal;
		}
		if (o->up.mech.principal != NULL &&
		    o->up.mech.client_keytab == NULL)
			USAGE_ERR("--principal goes with --keytab");
	} else
		USAGE_ERR("-a wants ntlm or kerberos, not %s", auth);

	if (o->refresh)
		c->count = 0;
	if (c->text != NULL && c->message_to == NULL)
		USAGE_ERR("--text goes with --message");
	if (c->text == NULL)
		c->text = "hello from sipsa-client";
	if (c->answer > 0 && c->listen < 0)
		USAGE_ERR("--answer goes with --listen");
	/*
	 * TLS is set up when asked for, or when a CA bundle is at hand (a
	 * 301 may name a TLS server).
	 */
	o->ap.want_tls = o->up.transport == UAC_TP_TLS ||
	    o->ap.tls_ca_file != NULL || o->ap.tls_insecure ||
	    access(X509_get_default_cert_file(), R_OK) == 0;
	return EX_OK;
}

int
main(int argc, char **argv)
{
	struct client c;
	struct options o;
	struct uac_agent *agent = NULL;
	struct mech_client_cred *cred = NULL;
	struct mech_status st;
	struct sigaction sa;
	char password[1024], err[512], sttext[256];
	const char *env;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	c.expires = -1;
	c.count = 1;
	c.interval = -1;
	c.listen = -1;
	c.cancel_after = -1;
	o.up.max_redirects = -1;
	if ((rc = parse_options(argc, argv, &o, &c)) != EX_OK)
		return rc;

	/*
	 * gss-ntlmssp takes the NetBIOS names of this host from the
	 * environment, else asks winbindd, which waits for a domain
	 * controller that does not answer: a client needs none of that.
	 */
	if (setenv("NETBIOS_COMPUTER_NAME", "SIPSA-CLIENT", 0) != 0 ||
	    setenv("NETBIOS_DOMAIN_NAME", o.domain[0] != '\0' ? o.domain :
	    "WORKGROUP", 0) != 0)
		return EX_INTERNAL;

	/* The password: a file or the environment, never the command line. */
	password[0] = '\0';
	if (o.up.mech.kind == MECH_NTLM) {
		if (o.password_file != NULL) {
			if (read_password(o.password_file, password,
			    sizeof(password)) != 0)
				return EX_USAGE;
		} else if ((env = getenv("SIPSA_PASSWORD")) != NULL &&
		    env[0] != '\0')
			(void)snprintf(password, sizeof(password), "%s", env);
		else {
			fprintf(stderr, "sipsa-client: NTLM needs a password: "
			    "-P file, or SIPSA_PASSWORD in the environment\n");
			return EX_USAGE;
		}
		o.up.mech.password = password;
	}
	/* Acquire the credential once: a missing ccache shows up here. */
	rc = mech_client_cred_create(&o.up.mech, &cred, &st);
	OPENSSL_cleanse(password, sizeof(password));
	o.up.mech.password = NULL;
	if (rc != 0) {
		mech_status_text(&st, sttext, sizeof(sttext));
		fprintf(stderr, "sipsa-client: cannot get the %s credential: "
		    "%s\n", o.up.mech.kind == MECH_KERBEROS ? "Kerberos" :
		    "NTLM", sttext[0] != '\0' ? sttext : strerror(rc));
		return EX_USAGE;
	}
	o.up.mech.cred = cred;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)signal(SIGPIPE, SIG_IGN);

	rc = EX_INTERNAL;
	if (su_init() != 0) {
		fprintf(stderr, "sipsa-client: su_init failed\n");
		goto out_cred;
	}
	if ((c.root = su_root_create(NULL)) == NULL) {
		fprintf(stderr, "sipsa-client: cannot create the event "
		    "loop\n");
		goto out_su;
	}
	/* -vvv: Sofia's own log lines too. */
	uac_sofia_log(c.verbose >= 3 ? stderr : NULL);
	if ((rc = uac_agent_create(c.root, &o.ap, &agent, err,
	    sizeof(err))) != 0) {
		fprintf(stderr, "sipsa-client: %s\n", err);
		rc = rc == EINVAL ? EX_USAGE : EX_TRANSPORT;
		goto out_root;
	}
	if (c.verbose)
		uac_agent_set_trace(agent, trace, &c, c.verbose > 1);
	if ((rc = uac_create(agent, &o.up, &c.uac)) != 0) {
		fprintf(stderr, "sipsa-client: %s\n", rc == EINVAL ?
		    "bad address of record or epid (hex digits)" :
		    strerror(rc));
		rc = rc == EINVAL ? EX_USAGE : EX_INTERNAL;
		goto out_agent;
	}
	/*
	 * SIPSA_CLIENT_TAMPER=1 is a test hook: every answer to the server
	 * carries a spoiled signature, which the server must not relay.
	 */
	env = getenv("SIPSA_CLIENT_TAMPER");
	uac_set_incoming(c.uac, on_incoming, &c, (env != NULL &&
	    strcmp(env, "1") == 0 ? UAC_IN_TAMPER : 0) |
	    (c.ring ? UAC_IN_RING : 0));
	uac_set_cancel(c.uac, c.cancel_after);
	if ((c.timer = su_timer_create(su_root_task(c.root), 0)) == NULL) {
		rc = EX_INTERNAL;
		goto out_uac;
	}

	step(&c);
	while (!c.finished) {
		(void)su_root_step(c.root, 200);
		if (got_signal && !c.stopping) {
			c.stopping = 1;
			c.listening = 0;
			if (c.waiting) {
				su_timer_reset(c.timer);
				c.waiting = 0;
			}
			step(&c);
		}
	}
	rc = c.exit_code;
	/* A request from the server without its valid signature. */
	if (rc == EX_OK && c.refused > 0)
		rc = EX_SIGNATURE;

	su_timer_destroy(c.timer);
 out_uac:
	uac_destroy(c.uac);
 out_agent:
	uac_agent_destroy(agent);
 out_root:
	su_root_destroy(c.root);
 out_su:
	su_deinit();
 out_cred:
	mech_client_cred_free(cred);
	return rc;
}
