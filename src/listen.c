/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/listen.c: one Sofia transport per configured listener (UDP, TCP,
 * TLS), tagged with the listener's ident so that requests know their
 * listener and role, and the private run directory that holds the TLS
 * key and certificate in the layout Sofia's tport expects.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <openssl/crypto.h>

#include <sofia-sip/su.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/tport_tag.h>

#define LOG_MODULE "listen"
#include "log/log.h"
#include "src/proxy.h"

/* The largest key or certificate file read, in bytes. */
#define PEM_MAX	(1024 * 1024)

/* Append the whole file src to the open descriptor fd; 0 or errno. */
static int
append_file(int fd, const char *src)
{
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int in, err = 0;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) == -1)
		return errno;
	if ((buf = malloc(PEM_MAX)) == NULL) {
		err = ENOMEM;
		goto out;
	}
	while (len < PEM_MAX &&
	    (n = read(in, buf + len, PEM_MAX - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			goto out;
		}
		len += (size_t)n;
	}
	if (len == PEM_MAX) {
		err = EFBIG;
		goto out;
	}
	if (len > 0 && write(fd, buf, len) != (ssize_t)len)
		err = errno ? errno : EIO;
	else if (len > 0 && buf[len - 1] != '\n' && write(fd, "\n", 1) != 1)
		err = errno ? errno : EIO;
 out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	(void)close(in);
	return err;
}

static int
write_pem(const char *dir, const char *name, const char *first,
    const char *second)
{
	char path[4096];
	int fd, err;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return errno;
	err = append_file(fd, first);
	if (err == 0 && second != NULL)
		err = append_file(fd, second);
	if (close(fd) != 0 && err == 0)
		err = errno;
	return err;
}

/*
 * Sofia 1.12 takes a directory: agent.pem (key and certificate) and
 * cafile.pem.  The configuration names the key and certificate files, so
 * a private directory is built per TLS listener under the run directory.
 */
static int
tls_dir_build(struct proxy *px, struct listener *l,
    const struct conf_listen *cl)
{
	const char *tmp;
	int err;

	if (cl->tls_cert == NULL || cl->tls_key == NULL) {
		log_warnx("listener %s:%u: TLS needs a certificate and a key",
		    cl->address, cl->port);
		return EINVAL;
	}
	if (px->run_dir == NULL) {
		tmp = getenv("TMPDIR");
		px->run_dir = su_sprintf(px->home, "%s/sipsad.XXXXXX",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
		if (px->run_dir == NULL)
			return ENOMEM;
		if (mkdtemp(px->run_dir) == NULL) {
			err = errno;
			log_warn("cannot create a private directory %s",
			    px->run_dir);
			px->run_dir = NULL;
			return err;
		}
	}
	l->tls_dir = su_sprintf(px->home, "%s/%s", px->run_dir, l->ident);
	if (l->tls_dir == NULL)
		return ENOMEM;
	if (mkdir(l->tls_dir, 0700) == -1)
		return errno;
	if ((err = write_pem(l->tls_dir, "agent.pem", cl->tls_key,
	    cl->tls_cert)) != 0) {
		log_warnx("listener %s:%u: cannot read TLS key %s or "
		    "certificate %s: %s", cl->address, cl->port, cl->tls_key,
		    cl->tls_cert, strerror(err));
		return err;
	}
	if ((err = write_pem(l->tls_dir, "cafile.pem", cl->tls_cert,
	    NULL)) != 0)
		return err;
	return 0;
}

/*
 * SIPE answers only the first Proxy-Authenticate header of a 407: say so
 * for a proxy-role listener that offers two schemes (doc/clients.md).
 */
static void
first_scheme_notice(const struct proxy *px, const struct listener *l,
    const struct conf_listen *cl)
{
	const enum conf_scheme *s = cl->nschemes > 0 ? cl->schemes :
	    px->conf->auth.schemes;
	int n = cl->nschemes > 0 ? cl->nschemes : px->conf->auth.nschemes;

	if (cl->role != CONF_ROLE_PROXY || n < 2)
		return;
	log_notice("listener %s (proxy role) offers %s first: SIPE answers "
	    "only the first Proxy-Authenticate, so SIPE accounts set to %s "
	    "cannot sign in there", l->ident, conf_scheme_name(s[0]),
	    conf_scheme_name(s[1]));
}

static int
listen_open(struct proxy *px, struct listener *l,
    const struct conf_listen *cl)
{
	const char *tpname = conf_transport_name(cl->transport);
	const char *host = cl->address;
	/* A connection unused this long is closed (a CRLF keep-alive uses
	   it); a message that stops arriving half-way is cut off; what
	   a connection does not read waits in a queue of output-queue
	   messages (src/ptx.c closes the connection when it is full). */
	unsigned idle = px->conf->conn.idle_timeout * 1000;
	unsigned stall = px->conf->conn.message_timeout * 1000;
	char *url;
	int rc, err;

	if (cl->transport == CONF_TP_TLS &&
	    (err = tls_dir_build(px, l, cl)) != 0)
		return err;
	/* An IPv6 address goes in brackets in a SIP URI. */
	/* nta binds TLS only for a sips: URI. */
	url = su_sprintf(px->home, "%s:%s%s%s:%u;transport=%s",
	    cl->transport == CONF_TP_TLS ? "sips" : "sip",
	    strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
	    cl->port, tpname);
	if (url == NULL)
		return ENOMEM;
	if (cl->transport == CONF_TP_TLS)
		rc = nta_agent_add_tport(px->agent, URL_STRING_MAKE(url),
		    TPTAG_IDENT(l->ident), TPTAG_SERVER(1),
		    TPTAG_PONG2PING(1), TPTAG_IDLE(idle), TPTAG_TIMEOUT(stall),
		    TPTAG_QUEUESIZE(px->conf->conn.output_queue),
		    TPTAG_CERTIFICATE(l->tls_dir),
		    /* 0: negotiate the best version, not TLS 1.0 only. */
		    TPTAG_TLS_VERSION(0), TAG_END());
	else
		/* PONG2PING: a CRLF pong to each double-CRLF keep-alive
		   ping on a connection (RFC 5626 §3.5.1).  IDLE and TIMEOUT
		   apply to connections only. */
		rc = nta_agent_add_tport(px->agent, URL_STRING_MAKE(url),
		    TPTAG_IDENT(l->ident), TPTAG_SERVER(1),
		    TPTAG_PONG2PING(1), TPTAG_IDLE(idle), TPTAG_TIMEOUT(stall),
		    TPTAG_QUEUESIZE(px->conf->conn.output_queue),
		    TAG_END());
	su_free(px->home, url);
	if (rc != 0) {
		err = errno ? errno : EIO;
		log_warnx("%s:%d:%d: cannot listen on %s %s:%u: %s",
		    cl->pos.file ? cl->pos.file : "?", cl->pos.line,
		    cl->pos.col, tpname, host, cl->port, strerror(err));
		return err;
	}
	log_info("listening on %s %s:%u (%s, %s%s%s%s%s)", tpname, host,
	    cl->port, l->ident, cl->role == CONF_ROLE_PROXY ? "proxy" :
	    "registrar", cl->nschemes > 0 ? ", schemes " : "",
	    cl->nschemes > 0 ? conf_scheme_name(cl->schemes[0]) : "",
	    cl->nschemes > 1 ? " " : "",
	    cl->nschemes > 1 ? conf_scheme_name(cl->schemes[1]) : "");
	first_scheme_notice(px, l, cl);
	return 0;
}

static int
is_wildcard(const char *address)
{
	return strcmp(address, "0.0.0.0") == 0 || strcmp(address, "::") == 0;
}

/*
 * A listener on 0.0.0.0 or :: answers for every local address: remember
 * them, so that a request to one of them is known to be for this server.
 */
static int
collect_local_addresses(struct proxy *px)
{
	struct ifaddrs *ifa0 = NULL, *ifa;
	char buf[INET6_ADDRSTRLEN];
	const void *a;
	size_t n = 0;
	int err = 0;

	if (getifaddrs(&ifa0) == -1)
		return errno;
	for (ifa = ifa0; ifa != NULL; ifa = ifa->ifa_next)
		n++;
	px->local_addrs = su_zalloc(px->home, (n + 1) * sizeof(char *));
	if (px->local_addrs == NULL) {
		err = ENOMEM;
		goto out;
	}
	for (n = 0, ifa = ifa0; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL)
			continue;
		if (ifa->ifa_addr->sa_family == AF_INET)
			a = &((struct sockaddr_in *)(void *)ifa->ifa_addr)->
			    sin_addr;
		else if (ifa->ifa_addr->sa_family == AF_INET6)
			a = &((struct sockaddr_in6 *)(void *)ifa->ifa_addr)->
			    sin6_addr;
		else
			continue;
		if (inet_ntop(ifa->ifa_addr->sa_family, a, buf,
		    sizeof(buf)) == NULL)
			continue;
		if ((px->local_addrs[n] = su_strdup(px->home, buf)) == NULL) {
			err = ENOMEM;
			goto out;
		}
		n++;
	}
 out:
	freeifaddrs(ifa0);
	return err;
}

int
listen_is_self(const struct proxy *px, const char *host)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t i, len;

	if (host == NULL)
		return 0;
	/* An IPv6 reference comes in brackets. */
	len = strlen(host);
	if (host[0] == '[' && len > 2 && len < sizeof(buf)) {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		host = buf;
	}
	if (px->conf->fqdn != NULL && strcasecmp(host, px->conf->fqdn) == 0)
		return 1;
	for (i = 0; i < px->nlisteners; i++)
		if (strcasecmp(host, px->listeners[i].address) == 0)
			return 1;
	for (i = 0; px->local_addrs != NULL && px->local_addrs[i]; i++)
		if (strcasecmp(host, px->local_addrs[i]) == 0)
			return 1;
	return 0;
}

int
listen_uri_is_self(const struct proxy *px, const url_t *u)
{
	unsigned port;
	size_t i;

	if (u == NULL || u->url_host == NULL || !listen_is_self(px,
	    u->url_host))
		return 0;
	port = u->url_port != NULL ? (unsigned)strtoul(u->url_port, NULL,
	    10) : u->url_type == url_sips ? 5061 : 5060;
	for (i = 0; i < px->nlisteners; i++)
		if (px->listeners[i].port == port)
			return 1;
	return 0;
}

int
listen_open_all(struct proxy *px)
{
	const struct conf_listen *cl;
	struct listener *l;
	size_t n = 0;
	int err;

	for (cl = px->conf->listeners; cl != NULL; cl = cl->next)
		n++;
	if (n == 0) {
		log_warnx("no listener configured");
		return EINVAL;
	}
	if ((px->listeners = su_zalloc(px->home, n * sizeof(*l))) == NULL)
		return ENOMEM;
	for (cl = px->conf->listeners; cl != NULL; cl = cl->next) {
		l = &px->listeners[px->nlisteners];
		(void)snprintf(l->ident, sizeof(l->ident), "l%zu",
		    px->nlisteners);
		l->transport = cl->transport;
		l->port = cl->port;
		l->role = cl->role;
		memcpy(l->schemes, cl->schemes, sizeof(l->schemes));
		l->nschemes = cl->nschemes;
		if ((l->address = su_strdup(px->home, cl->address)) == NULL)
			return ENOMEM;
		px->nlisteners++;
		if ((err = listen_open(px, l, cl)) != 0)
			return err;
		if (is_wildcard(cl->address) && px->local_addrs == NULL &&
		    (err = collect_local_addresses(px)) != 0)
			return err;
	}
	return 0;
}

static void
remove_pem_dir(const char *dir)
{
	char path[4096];

	(void)snprintf(path, sizeof(path), "%s/agent.pem", dir);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/cafile.pem", dir);
	(void)unlink(path);
	(void)rmdir(dir);
}

/*
 * Sofia reads agent.pem and cafile.pem once, when the TLS transport is
 * created; the private copies of the key go as soon as every listener is
 * open, and at exit (after a failed start) whatever is left.
 */
void
listen_wipe_tls(struct proxy *px)
{
	size_t i;

	for (i = 0; i < px->nlisteners; i++)
		if (px->listeners[i].tls_dir != NULL) {
			remove_pem_dir(px->listeners[i].tls_dir);
			px->listeners[i].tls_dir = NULL;
		}
	if (px->run_dir != NULL && rmdir(px->run_dir) == -1)
		log_warn("cannot remove %s", px->run_dir);
	px->run_dir = NULL;
}

/* The transports close with the agent; here the files go. */
void
listen_close_all(struct proxy *px)
{
	listen_wipe_tls(px);
}

const struct listener *
listen_by_ident(const struct proxy *px, const char *ident)
{
	size_t i;

	if (ident == NULL)
		return NULL;
	for (i = 0; i < px->nlisteners; i++)
		if (strcmp(px->listeners[i].ident, ident) == 0)
			return &px->listeners[i];
	return NULL;
}

static int
listen_equal(const struct listener *l, const struct conf_listen *cl)
{
	return l->transport == cl->transport && l->port == cl->port &&
	    l->role == cl->role && strcmp(l->address, cl->address) == 0 &&
	    l->nschemes == cl->nschemes && memcmp(l->schemes, cl->schemes,
	    (size_t)cl->nschemes * sizeof(cl->schemes[0])) == 0;
}

/*
 * The listener's block in the running configuration, whose rules
 * (allow, deny) change on reload; NULL when the block changed (the
 * listener then waits for a restart).
 */
const struct conf_listen *
listen_conf(const struct proxy *px, const struct listener *l)
{
	const struct conf_listen *cl;

	for (cl = px->conf->listeners; cl != NULL; cl = cl->next)
		if (listen_equal(l, cl))
			return cl;
	return NULL;
}

/* Listeners are fixed at start: report each difference as needing one. */
int
listen_diff(const struct proxy *px, const struct sipsa_conf *next)
{
	const struct conf_listen *cl;
	size_t i;
	int n = 0, found;

	for (cl = next->listeners; cl != NULL; cl = cl->next) {
		for (i = 0, found = 0; i < px->nlisteners && !found; i++)
			found = listen_equal(&px->listeners[i], cl);
		if (!found && ++n)
			log_warnx("%s:%d:%d: new listener %s %s:%u: needs a "
			    "restart", cl->pos.file ? cl->pos.file : "?",
			    cl->pos.line, cl->pos.col,
			    conf_transport_name(cl->transport), cl->address,
			    cl->port);
	}
	for (i = 0; i < px->nlisteners; i++) {
		for (cl = next->listeners, found = 0; cl && !found;
		    cl = cl->next)
			found = listen_equal(&px->listeners[i], cl);
		if (!found && ++n)
			log_warnx("listener %s %s:%u removed or changed: "
			    "needs a restart",
			    conf_transport_name(px->listeners[i].transport),
			    px->listeners[i].address, px->listeners[i].port);
	}
	return n;
}
