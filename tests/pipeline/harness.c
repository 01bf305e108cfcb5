/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/pipeline/harness.c: the sipsad under test.  A configuration built
 * in memory (TCP and UDP listeners on 127.0.0.1 and a free port, NTLM and
 * Kerberos offered, a temporary state directory for the binding store),
 * and proxy_create() with fake_mech, the SA table on the harness's clock,
 * no acceptor credentials (the keytab and NTLM user file named in the
 * configuration do not exist and are never opened) and no signal
 * handlers.
 */
#include "config.h"

#include <errno.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <sofia-sip/su_wait.h>
#include <sofia-sip/nta.h>

#include "conf/conf.h"
#include "log/log.h"
#include "tests/fake/fake_mech.h"
#include "tests/pipeline/pipeline.h"

static const char conf_fmt[] =
    "server {\n"
    "	fqdn \"" HARNESS_FQDN "\"\n"
    "	state-dir \"%s\"\n"
    "}\n"
    "listen tcp 127.0.0.1 %u\n"
    "listen udp 127.0.0.1 %u\n"
    "auth {\n"
    "	schemes ntlm kerberos\n"
    "	realm \"" HARNESS_REALM "\"\n"
    "	kerberos { keytab \"%s/unused.keytab\" }\n"
    "	ntlm {\n"
    "		users winbind\n"
    "		winbind-threads 1\n"
    "		winbind-queue 1\n"
    "	}\n"
    "}\n"
    "sa {\n"
    "	lifetime 10m\n"
    "	idle-timeout 10m\n"
    "}\n"
    "registrar {\n"
    "	domain \"" HARNESS_DOMAIN "\"\n"
    "	sync none\n"
    "}\n";

/* Bind a socket of type to 127.0.0.1:port (0: any); its port or 0. */
static unsigned
bind_local(int type, unsigned port, int *fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if ((*fd = socket(AF_INET, type, 0)) == -1)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if (bind(*fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(*fd, (struct sockaddr *)&sin, &len) != 0)
		return 0;
	return ntohs(sin.sin_port);
}

/* A port free for both TCP and UDP on 127.0.0.1, or 0. */
static unsigned
free_port(void)
{
	unsigned port = 0;
	int i, tfd = -1, ufd = -1;

	for (i = 0; i < 20 && port == 0; i++) {
		port = bind_local(SOCK_STREAM, 0, &tfd);
		if (port != 0 && bind_local(SOCK_DGRAM, port, &ufd) != port)
			port = 0;
		if (tfd != -1)
			(void)close(tfd);
		if (ufd != -1)
			(void)close(ufd);
		tfd = ufd = -1;
	}
	return port;
}

/* The log, to stderr as usual, with the warning lines kept. */
static void
log_sink(int level, const char *module, const char *line, void *arg)
{
	struct harness *h = arg;

	(void)module;		/* already in line */
	if (level <= LOG_LVL_WARN)
		(void)snprintf(h->warnings[h->nwarnings++ % HARNESS_WARNINGS],
		    sizeof(h->warnings[0]), "%s", line);
	fprintf(stderr, "sipsad[%s] %s\n", log_level_name(level), line);
}

unsigned
harness_warned(const struct harness *h, const char *needle)
{
	unsigned i, n = 0;

	for (i = 0; i < h->nwarnings && i < HARNESS_WARNINGS; i++)
		if (strstr(h->warnings[i], needle) != NULL)
			n++;
	return n;
}

static void
conf_err(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "pipeline: %s\n", msg);
}

int
harness_start(struct harness *h)
{
	const char *tmp = getenv("TMPDIR"), *lvl = getenv("PIPELINE_LOG");
	struct proxy_params pp;
	struct sipsa_conf *conf = NULL;
	char buf[sizeof(conf_fmt) + 3 * sizeof(h->dir)];
	int n, err, tries;

	memset(h, 0, sizeof(*h));
	/* Without sipsad's signal handlers, a peer closing a connection
	   must not end the test. */
	(void)signal(SIGPIPE, SIG_IGN);
	log_setlevel(lvl != NULL && log_level_parse(lvl) != -1 ?
	    log_level_parse(lvl) : LOG_LVL_WARN);
	log_set_sink(log_sink, h);
	h->now_ms = 1000000;
	(void)snprintf(h->dir, sizeof(h->dir), "%s/sipsa-pipeline.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(h->dir) == NULL) {
		h->dir[0] = '\0';
		return errno;
	}
	memset(&pp, 0, sizeof(pp));
	pp.mech = &fake_mech;
	pp.sa_now_ms = fake_clock_ms;
	pp.sa_clock_arg = &h->now_ms;
	pp.flags = PROXY_F_NO_CREDENTIALS | PROXY_F_NO_SIGNALS |
	    PROXY_F_NO_CONTROL;
	fake_mech_lifetime = 0;
	/* Another process may take the free port before sipsad binds it:
	   a few tries. */
	for (tries = 0, err = EADDRINUSE; tries < 3 && err != 0; tries++) {
		if ((h->port = free_port()) == 0)
			continue;
		n = snprintf(buf, sizeof(buf), conf_fmt, h->dir, h->port,
		    h->port, h->dir);
		if (n < 0 || (size_t)n >= sizeof(buf))
			return ENAMETOOLONG;
		/* The secrets are never read: no check of them. */
		if (conf_parse_buf("pipeline.conf", buf, (size_t)n,
		    CONF_SECRETS_NONE, conf_err, NULL, &conf) != 0)
			return EINVAL;
		err = proxy_create(conf, "pipeline.conf", 1, &pp, &h->px);
	}
	if (err != 0)
		return err;
	h->root = h->px->root;
	(void)snprintf(h->hop, sizeof(h->hop),
	    "sip:127.0.0.1:%u;transport=tcp", h->port);
	return 0;
}

/* rm -r path (the state directory: the binding store under it). */
static void
remove_tree(const char *path)
{
	char sub[512];
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 &&
			    strcmp(e->d_name, "..") != 0 &&
			    snprintf(sub, sizeof(sub), "%s/%s", path,
			    e->d_name) < (int)sizeof(sub))
				remove_tree(sub);
		(void)closedir(d);
	}
	(void)remove(path);
}

void
harness_stop(struct harness *h)
{
	size_t i;

	for (i = 0; i < h->npeers; i++)
		peer_destroy(h->peers[i]);
	h->npeers = 0;
	proxy_destroy(h->px);
	h->px = NULL;
	log_set_sink(NULL, NULL);
	h->root = NULL;
	if (h->dir[0] != '\0')
		remove_tree(h->dir);
	h->dir[0] = '\0';
}

void
harness_step(struct harness *h)
{
	(void)su_root_step(h->root, HARNESS_STEP_MS);
}

size_t
harness_server_transactions(const struct harness *h)
{
	usize_t n = 0;

	(void)nta_agent_get_stats(h->px->agent, NTATAG_S_SERVER_TR_REF(n),
	    TAG_END());
	return n;
}
