/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/proxy.c: the Sofia event loop and nta agent of sipsad, the request
 * pipeline every incoming request goes through (proxy_request), and
 * configuration reloads.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#define NTA_AGENT_MAGIC_T	struct proxy
#define SU_ROOT_MAGIC_T		struct proxy
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/msg_addr.h>

#define LOG_MODULE "proxy"
#include "log/log.h"
#include "sa/hash.h"
#include "src/audit.h"
#include "src/control.h"
#include "src/directory.h"
#include "src/idmap.h"
#include "src/mclass.h"
#include "src/metrics.h"
#include "src/notify.h"
#include "src/proxy.h"

/*
 * The pipeline.  Each step returns 0 to pass the request on, or non-zero
 * once the request is finished; the reply went out through proxy_reply()
 * (src/reply.c), the only place that creates responses, and that signs
 * them once the authentication step has given the request its security
 * association.  Order matters: validation first, then the requests that
 * are never challenged (ACK, CANCEL), then authentication (which lets
 * OPTIONS to the server itself through without credentials), then what
 * authenticated requests get.
 */
typedef int ptx_step_fn(struct ptx *);

/* Largest message accepted; a longer one closes its connection. */
#define SIPSA_MAX_MESSAGE	(256 * 1024)	/* bytes */

static ptx_step_fn *const pipeline[] = {
	ptx_validate,		/* 400, 416, 482, 483 */
	ptx_resend,		/* UDP retransmission of a kept answer */
	ptx_ack,		/* ACK: never answered */
	ptx_cancel,		/* CANCEL without transaction: 481 */
	ptx_auth,		/* MS-SIPAE: challenge, handshake, verify */
	ptx_transaction,	/* from here on: a server transaction */
	ptx_options,		/* OPTIONS to this server: 200 */
	ptx_service,		/* SERVICE to the server or oneself: 501 */
	ptx_register,		/* REGISTER: 301 to home, or registrar */
	ptx_route,		/* the rest: forked to the callee(s) */
};

/*
 * Every request that matches no transaction enters here, as a message:
 * sipsad has no default leg, so nta creates no transaction for it.  What
 * is refused before authentication (challenges, handshake legs, 400s) is
 * answered statelessly, so that nta keeps nothing of it: a client that
 * re-sends an INVITE with the same Via and CSeq after a 407 (as SIPE
 * does, without ACK) is then a new request, not a retransmission of the
 * challenged one, and unauthenticated traffic leaves no transaction
 * behind.  The step ptx_transaction gives the requests that pass
 * authentication their server transaction.
 */
static void pipeline_from(struct ptx *, size_t start);
static void pipeline_end(struct ptx *);

static int
proxy_request(struct proxy *px, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
	struct ptx *ptx = NULL;

	(void)agent;
	/* A response that matched no client transaction (a late answer
	   to a branch that has ended, or anyone's stray one). */
	if (sip == NULL || sip->sip_request == NULL) {
		log_debug("a response matching no transaction: dropped");
		msg_destroy(msg);
		return 0;
	}
	if (px->stopping || ptx_create(px, msg, sip, &ptx) != 0) {
		/* Without a ptx there is no reply exit: nta answers. */
		log_warnx("cannot take a request (%s)",
		    px->stopping ? "stopping" : "out of memory");
		if (sip->sip_request->rq_method != sip_method_ack)
			(void)nta_msg_treply(px->agent, msg, px->stopping ?
			    503 : 500, NULL, TAG_END());
		else
			msg_destroy(msg);
		return 0;
	}
	log_debug("%s call-id=%s peer=%s listener=%s", ptx_method(ptx),
	    ptx_call_id(ptx), ptx->peer,
	    ptx->listener ? ptx->listener->ident : "?");
	ptx_trace(ptx, "in", msg, NULL, NULL, NULL);
	if (ptx->stuck) {
		conns_close(&msg_addr(msg)->su_sa, "it does not read its "
		    "answers (output-queue full)");
		ptx_free(ptx);
		return 0;
	}

	pipeline_from(ptx, 0);
	return 0;
}

/* Run the steps from the one at start on; then the request is done. */
static void
pipeline_from(struct ptx *ptx, size_t start)
{
	size_t i;

	for (i = start; i < sizeof(pipeline) / sizeof(pipeline[0]); i++)
		if (pipeline[i](ptx) != 0)
			break;
	if (i == sizeof(pipeline) / sizeof(pipeline[0]))
		(void)proxy_reply(ptx, 500, "No step answered", TAG_END());
	pipeline_end(ptx);
}

static void
pipeline_end(struct ptx *ptx)
{
	/* Its connection was active, and authenticated if it had an SA;
	   unless it waits (ptx_auth: a check on a worker thread). */
	if (!ptx->waiting)
		conns_seen(&msg_addr(ptx->msg)->su_sa, ptx->sa != NULL);
	if (!ptx->kept)
		ptx_free(ptx);
}

void
proxy_resume(struct ptx *ptx, int finished)
{
	size_t i;

	ptx->kept = ptx->waiting = 0;
	if (finished) {
		pipeline_end(ptx);
		return;
	}
	for (i = 0; pipeline[i] != ptx_auth; i++)
		;
	pipeline_from(ptx, i + 1);
}

/* A random prefix, new at each start, for stateless To tags. */
static void
stateless_tag_init(struct proxy *px)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[4];
	size_t i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		memset(r, 0x5a, sizeof(r));
	for (i = 0; i < sizeof(r); i++) {
		px->stateless_tag[2 * i] = hex[r[i] >> 4];
		px->stateless_tag[2 * i + 1] = hex[r[i] & 15];
	}
	(void)memcpy(px->stateless_tag + 2 * sizeof(r), "sl",
	    sizeof("sl"));
}

int
proxy_create(struct sipsa_conf *conf, const char *conf_path,
    int level_fixed, const struct proxy_params *params,
    struct proxy **px_out)
{
	static const struct proxy_params defaults;
	struct proxy *px;
	int err = 0;

	if (params == NULL)
		params = &defaults;

	*px_out = NULL;
	if (su_init() != 0) {
		conf_free(conf);
		log_warnx("su_init failed");
		return EIO;
	}
	sofialog_init();
	sofialog_setlevel(log_getlevel());

	if ((px = su_home_new(sizeof(*px))) == NULL) {
		conf_free(conf);
		su_deinit();
		return ENOMEM;
	}
	px->conf = conf;
	px->level_fixed = level_fixed;
	if ((px->conf_path = su_strdup(px->home, conf_path)) == NULL) {
		err = ENOMEM;
		goto out;
	}
	if ((px->root = su_root_create(px)) == NULL) {
		log_warnx("cannot create the event loop");
		err = EIO;
		goto out;
	}
	/* Sofia's own parser refuses SERVICE, PING, MSG and the like
	   (src/mclass.h); tport parses what it receives with this class. */
	if ((err = mclass_create(&px->mclass)) != 0) {
		log_warnx("cannot create the SIP message class: %s",
		    strerror(err));
		goto out;
	}
	/* (url_string_t *)-1: no transport yet; listen.c adds them. */
	px->agent = nta_agent_create(px->root, (url_string_t *)-1,
	    proxy_request, px,
	    NTATAG_MCLASS(px->mclass), NTATAG_SERVER_RPORT(1), NTATAG_UA(0),
	    /* A cancelled INVITE's 487 comes from the callee, through the
	       response exit (src/route.c); nta answers only the CANCEL. */
	    NTATAG_CANCEL_487(0),
	    /* Sofia's default is 2 MiB a message; the largest thing a
	       client needs is a Kerberos ticket, gssapi-data at most 64 KiB
	       (sipauth's own bound). */
	    NTATAG_MAXSIZE(SIPSA_MAX_MESSAGE),
	    /* Keep header wire text: signatures cover it byte for byte. */
	    NTATAG_SIPFLAGS(MSG_FLG_EXTRACT_COPY), TAG_END());
	if (px->agent == NULL) {
		log_warn("cannot create the SIP agent");
		err = EIO;
		goto out;
	}
	if ((err = listen_open_all(px)) != 0)
		goto out;
	/* After the TLS listeners: OpenSSL's random generator used before
	   Sofia sets up its TLS contexts leaves one of them unfreed at exit
	   (seen with valgrind). */
	stateless_tag_init(px);
	px->stateless_seed = hash_random_seed();
	listen_wipe_tls(px);
	if ((err = security_init(px, params)) != 0 ||
	    (err = conns_init(px)) != 0 ||
	    (err = metrics_start(px)) != 0)
		goto out;
	if (!(params->flags & PROXY_F_NO_SIGNALS) &&
	    (err = signals_init(px)) != 0)
		goto out;
	if (!(params->flags & PROXY_F_NO_CONTROL) &&
	    (err = control_init(px)) != 0)
		goto out;
 out:
	if (err != 0)
		proxy_destroy(px);
	else
		*px_out = px;
	return err;
}

int
proxy_run(struct proxy *px)
{
	su_root_run(px->root);
	return 0;
}

void
proxy_stop(struct proxy *px)
{
	px->stopping = 1;
	notify_stopping();
	su_root_break(px->root);
}

void
proxy_destroy(struct proxy *px)
{
	if (px == NULL)
		return;
	control_fini(px);
	signals_fini(px);
	notify_fini(px);
	metrics_stop(px);
	/* Requests waiting for a worker end before their agent. */
	(void)workers_destroy(px->workers);
	px->workers = NULL;
	directory_destroy(px->dir);
	px->dir = NULL;
	if (px->agent != NULL)
		nta_agent_destroy(px->agent);
	conns_fini(px);
	sofialog_flush();
	security_fini(px);
	listen_close_all(px);
	if (px->root != NULL)
		su_root_destroy(px->root);
	/* Last: every message of the class went with the agent. */
	mclass_free(px->mclass);
	conf_free(px->conf);
	su_home_unref(px->home);
	su_deinit();
}

/* Reload errors are logged, one line each, in file:line:col form. */
static void
conf_err_log(const char *msg, void *arg)
{
	(void)arg;
	log_err("%s", msg);
}

static int
str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

static int
schemes_differ(const struct conf_auth *a, const struct conf_auth *b)
{
	int i;

	if (a->nschemes != b->nschemes)
		return 1;
	for (i = 0; i < a->nschemes; i++)
		if (a->schemes[i] != b->schemes[i])
			return 1;
	return 0;
}

/* Say which of the values read at request time a reload changes. */
static void
log_applied(const struct sipsa_conf *old, const struct sipsa_conf *next)
{
	const struct conf_registrar *o = &old->registrar, *n = &next->registrar;

	if (str_differs(old->auth.realm, next->auth.realm))
		log_notice("auth realm: \"%s\"", next->auth.realm ?
		    next->auth.realm : "");
	if (old->auth.version != next->auth.version)
		log_notice("auth version: %d -> %d", old->auth.version,
		    next->auth.version);
	if (schemes_differ(&old->auth, &next->auth))
		log_notice("auth schemes: %s%s%s", next->auth.nschemes > 0 ?
		    conf_scheme_name(next->auth.schemes[0]) : "none",
		    next->auth.nschemes > 1 ? " " : "",
		    next->auth.nschemes > 1 ?
		    conf_scheme_name(next->auth.schemes[1]) : "");
	if (o->expires_min != n->expires_min ||
	    o->expires_default != n->expires_default ||
	    o->expires_max != n->expires_max ||
	    o->max_endpoints != n->max_endpoints ||
	    o->expires_jitter != n->expires_jitter)
		log_notice("registrar: expires %u/%u/%u s, %u endpoints per "
		    "user, jitter %u%%", n->expires_min, n->expires_default,
		    n->expires_max, n->max_endpoints, n->expires_jitter);
	if (str_differs(old->fqdn, next->fqdn))
		log_notice("fqdn: %s", next->fqdn ? next->fqdn : "");
}

static int
strv_differs(char *const *a, char *const *b)
{
	size_t i;

	for (i = 0; a != NULL && b != NULL && a[i] != NULL && b[i] != NULL;
	    i++)
		if (strcmp(a[i], b[i]) != 0)
			return 1;
	return (a == NULL || a[i] == NULL) != (b == NULL || b[i] == NULL);
}

/* directory { } is fixed at start. */
static int
dir_differs(const struct conf_directory *a, const struct conf_directory *b)
{
	return strv_differs(a->uris, b->uris) || str_differs(a->srv, b->srv) ||
	    str_differs(a->base,
	    b->base) || str_differs(a->principal, b->principal) ||
	    str_differs(a->keytab, b->keytab) || str_differs(a->ntlm_domain,
	    b->ntlm_domain) || str_differs(a->krb5_realm, b->krb5_realm) ||
	    strv_differs(a->attributes, b->attributes) ||
	    a->cache_ttl != b->cache_ttl || a->negative_ttl !=
	    b->negative_ttl || a->timeout != b->timeout || a->queue !=
	    b->queue || a->cache_entries != b->cache_entries;
}

/*
 * SIGHUP: load the file again.  An invalid file changes nothing.  A valid
 * one replaces the running snapshot; what the snapshot feeds at request
 * time (log level, auth realm, version and schemes, registrar limits)
 * takes effect at once.  Listeners, the pid file and the state directory
 * are fixed at start: a change there is logged and waits for a restart.
 */
static int
reload(struct proxy *px, const char *by)
{
	struct sipsa_conf *next = NULL;
	struct idmap *map = NULL;
	int n;

	log_notice("reloading configuration %s", px->conf_path);
	n = conf_load(px->conf_path, CONF_SECRETS_REQUIRE, conf_err_log, NULL,
	    &next);
	if (n != 0) {
		log_err("configuration %s has %d error%s: keeping the running "
		    "configuration", px->conf_path, n, n == 1 ? "" : "s");
		audit_admin("reload", by, px->conf_path,
		    "configuration errors");
		return -1;
	}
	if (security_keytab_check(next, NULL, NULL, NULL, 0) != 0) {
		log_err("configuration %s: the keytab has no usable key: "
		    "keeping the running configuration", px->conf_path);
		audit_admin("reload", by, px->conf_path,
		    "keytab unusable");
		conf_free(next);
		return -1;
	}
	if ((n = security_idmap_load(next, NULL, &map)) != 0) {
		log_err("configuration %s: the identity map has %d error%s: "
		    "keeping the running configuration", px->conf_path, n,
		    n == 1 ? "" : "s");
		audit_admin("reload", by, px->conf_path,
		    "identity map errors");
		conf_free(next);
		return -1;
	}
	(void)listen_diff(px, next);
	if (str_differs(px->conf->pid_file, next->pid_file))
		log_warnx("pid file changed: needs a restart");
	if (str_differs(px->conf->state_dir, next->state_dir))
		log_warnx("state directory changed: needs a restart");
	if (str_differs(px->conf->control.socket, next->control.socket) ||
	    str_differs(px->conf->control.group, next->control.group) ||
	    px->conf->control.mode != next->control.mode)
		log_warnx("control socket changed: needs a restart");
	if (str_differs(px->conf->metrics.address, next->metrics.address) ||
	    px->conf->metrics.port != next->metrics.port)
		log_warnx("metrics endpoint changed: needs a restart");
	if (!px->level_fixed && next->log.level != px->conf->log.level) {
		log_notice("log level %s -> %s",
		    log_level_name(px->conf->log.level),
		    log_level_name(next->log.level));
		log_setlevel(next->log.level);
		sofialog_setlevel(next->log.level);
	}
	if (next->log.to_syslog != px->conf->log.to_syslog)
		log_warnx("log target changed: needs a restart");
	if (dir_differs(&px->conf->dir, &next->dir))
		log_warnx("directory changed: needs a restart");
	log_applied(px->conf, next);
	security_reload(px, next);
	idmap_free(px->idmap);
	px->idmap = map;
	conf_free(px->conf);
	px->conf = next;
	log_notice("configuration reloaded");
	audit_admin("reload", by, px->conf_path, "ok");
	return 0;
}

/* SIGHUP or sipsactl; systemd hears of it (src/notify.h) whatever the
   outcome.  0, or -1 when the running configuration stays. */
int
proxy_reload(struct proxy *px, const char *by)
{
	int rc;

	notify_reloading();
	rc = reload(px, by);
	notify_reloaded(px);
	return rc;
}
