/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/route.c: requests between users.  An authenticated request for a
 * user of a served domain is forked to every live binding of the user (or
 * to the one endpoint a GRUU or an in-dialog To epid names), each branch
 * over the connection the endpoint registered on and signed with that
 * endpoint's SA ([MS-SIPAE] §3.3.5.2; its epid goes into To).  Responses
 * are verified with the callee's SA, the best one goes back through
 * proxy_relay(), which signs it with the caller's SA.  A response that
 * fails verification is not relayed.  Record-Route keeps sipsad on the
 * path of in-dialog requests; ACK for a 2xx is forwarded statelessly.
 *
 * struct fwd is one proxied transaction: it owns the ptx (and so the
 * server transaction and the caller's SA reference) from the moment the
 * request is forked until the last branch has ended.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct fwd;
struct branch;
#define NTA_OUTGOING_MAGIC_T	struct branch
#define NTA_INCOMING_MAGIC_T	struct fwd
#include <sofia-sip/su.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/sip_util.h>
#include <sofia-sip/url.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/tport.h>

#include "registrar/registrar.h"
#include "sa/sa.h"
#include "sipauth/sipauth.h"

#define LOG_MODULE "route"
#include "log/log.h"
#include "src/mclass.h"
#include "src/control.h"
#include "src/proxy.h"

/* Most branches one request forks into. */
#define FWD_MAX_BRANCHES	16

/* One endpoint a request goes to. */
struct target {
	char		*uri;		/* new Request-URI, NULL: keep */
	char		*next_hop;	/* sip:addr:port;transport=x */
	char		*aor;		/* for the SA, NULL: foreign hop */
	char		*epid;
	const char	*transport;	/* binding's "tcp:addr:port" */
};

struct branch {
	struct fwd		*fwd;
	nta_outgoing_t		*orq;
	struct sa_assoc		*sa;		/* callee's, or NULL */
	int			 status;	/* final, 0 while pending */
};

struct fwd {
	su_home_t		 home[1];
	struct ptx		*ptx;		/* owned */
	struct branch		 br[FWD_MAX_BRANCHES];
	size_t			 nbr;
	size_t			 pending;
	msg_t			*best;		/* best final non-2xx */
	int			 best_status;
	int			 answered;	/* final relayed */
	int			 tampered;	/* a response failed checks */
};

struct targets {
	struct ptx		*ptx;
	struct target		 t[FWD_MAX_BRANCHES];
	size_t			 n;
	const char		*only_epid;	/* filter, or NULL */
};

/* "tcp:127.0.0.1:5060" -> "sip:127.0.0.1:5060;transport=tcp". */
static char *
hop_of_transport(su_home_t *home, const char *transport)
{
	const char *colon = strchr(transport, ':');

	if (colon == NULL || colon[1] == '\0')
		return NULL;
	return su_sprintf(home, "sip:%s;transport=%.*s", colon + 1,
	    (int)(colon - transport), transport);
}

/*
 * The open connection a binding registered over ("tcp:addr:port"), on
 * whichever listener accepted it, or NULL (UDP, or it is gone).  nta
 * would otherwise look for it under the first listener of that
 * transport only and, with several (a registrar and a proxy-role TCP
 * listener, say), try to connect to the client's own port instead.
 */
static tport_t *
binding_connection(const struct proxy *px, const char *transport)
{
	char proto[8], host[64];
	const char *colon = transport != NULL ? strchr(transport, ':') : NULL;
	const char *port;
	tp_name_t tpn;
	tport_t *tp, *sub;

	if (colon == NULL || (size_t)(colon - transport) >= sizeof(proto) ||
	    (port = strrchr(colon + 1, ':')) == NULL ||
	    (size_t)(port - colon - 1) >= sizeof(host))
		return NULL;
	(void)snprintf(proto, sizeof(proto), "%.*s", (int)(colon - transport),
	    transport);
	(void)snprintf(host, sizeof(host), "%.*s", (int)(port - colon - 1),
	    colon + 1);
	if (strcmp(proto, "udp") == 0)
		return NULL;
	memset(&tpn, 0, sizeof(tpn));
	tpn.tpn_proto = proto;
	tpn.tpn_canon = tpn.tpn_host = host;
	tpn.tpn_port = port + 1;
	for (tp = tport_primaries(nta_agent_tports(px->agent)); tp != NULL;
	    tp = tport_next(tp)) {
		if (strcasecmp(tport_name(tp)->tpn_proto, proto) != 0)
			continue;
		sub = tport_by_name(tp, &tpn);
		if (sub != NULL && tport_is_secondary(sub))
			return sub;
	}
	return NULL;
}

static void
collect(const struct reg_binding *b, void *arg)
{
	struct targets *ts = arg;
	su_home_t *home = ts->ptx->home;
	struct target *t;

	if (ts->n == FWD_MAX_BRANCHES)
		return;
	if (ts->only_epid != NULL && strcmp(b->epid, ts->only_epid) != 0)
		return;
	t = &ts->t[ts->n];
	t->uri = su_strdup(home, b->uri);
	t->next_hop = hop_of_transport(home, b->transport);
	t->transport = su_strdup(home, b->transport);
	t->epid = su_strdup(home, b->epid);
	if (t->uri != NULL && t->next_hop != NULL && t->epid != NULL)
		ts->n++;
}

static const char *
next_hop_for(const struct sipsa_conf *conf, const char *domain)
{
	const struct conf_route *r;

	for (r = conf->routes; r != NULL; r = r->next)
		if (strcasecmp(r->domain, domain) == 0)
			return r->next_hop;
	return NULL;
}

/* The epid parameter of To, or NULL. */
static const char *
to_epid(struct ptx *ptx)
{
	struct sipauth_str v, e;

	if (sipauth_hdr_value(ptx->home,
	    (const sip_header_t *)ptx->sip->sip_to, &v) != 0 ||
	    sipauth_epid_from_hdr(v.ptr, v.len, &e) != 0)
		return NULL;
	return su_strndup(ptx->home, e.ptr, e.len);
}

/*
 * Where the request goes.  Returns 0 with ts filled (n may be 0: nobody
 * there), or a SIP status to answer with.
 */
static int
resolve(struct ptx *ptx, struct targets *ts, const char **why)
{
	const sip_t *sip = ptx->sip;
	const url_t *ru = sip->sip_request->rq_url;
	const struct sipsa_conf *conf = ptx->px->conf;
	const char *aor, *hop;
	const sip_route_t *r;
	uint64_t now = (uint64_t)time(NULL);
	char *ruri;

	memset(ts, 0, sizeof(*ts));
	ts->ptx = ptx;
	/* Loose routing: the first Route that is not ours is the next hop. */
	for (r = sip->sip_route; r != NULL; r = r->r_next)
		if (!listen_uri_is_self(ptx->px, r->r_url)) {
			ts->t[0].next_hop = url_as_string(ptx->home, r->r_url);
			if (ts->t[0].next_hop == NULL)
				return 500;
			ts->n = 1;
			return 0;
		}
	/* In dialog, toward an endpoint we know: To names it by epid. */
	if (sip->sip_to->a_tag != NULL &&
	    sip->sip_to->a_url->url_user != NULL &&
	    proxy_serves_domain(ptx->px, sip->sip_to->a_url->url_host) &&
	    (ts->only_epid = to_epid(ptx)) != NULL) {
		aor = ptx_aor(ptx, sip->sip_to->a_url->url_user,
		    sip->sip_to->a_url->url_host);
		if (aor == NULL ||
		    registrar_lookup(ptx->px->reg, aor, now, collect, ts) != 0)
			return 500;
		if (ts->n == 1) {
			ts->t[0].uri = NULL;	/* the remote target stays */
			ts->t[0].aor = (char *)aor;
		}
		*why = "no live binding for the dialog's endpoint";
		return 0;
	}
	if (ru->url_user == NULL || ru->url_host == NULL) {
		*why = "no user in the Request-URI";
		return 404;
	}
	if ((ruri = url_as_string(ptx->home, ru)) == NULL)
		return 500;
	if (url_has_param(ru, "gruu")) {
		if (registrar_lookup_gruu(ptx->px->reg, ruri, now, collect,
		    ts) != 0) {
			*why = "not a GRUU of this server";
			return 404;
		}
	} else if (proxy_serves_domain(ptx->px, ru->url_host)) {
		aor = ptx_aor(ptx, ru->url_user, ru->url_host);
		if (aor == NULL ||
		    registrar_lookup(ptx->px->reg, aor, now, collect, ts) != 0)
			return 500;
		if (ts->n == 0 && !known_has(ptx->px, aor)) {
			*why = "no such user here";
			return 404;
		}
	} else if ((hop = next_hop_for(conf, ru->url_host)) != NULL) {
		ts->t[0].next_hop = su_strdup(ptx->home, hop);
		ts->n = 1;
		return 0;
	} else {
		*why = "domain not served and no route to it";
		return 404;
	}
	if (ts->n > 0 && (aor = ptx_aor(ptx, ru->url_user,
	    ru->url_host)) != NULL) {
		size_t i;

		for (i = 0; i < ts->n; i++)
			ts->t[i].aor = (char *)aor;
	}
	*why = "no live binding";
	return 0;
}

/* The SA of a registered endpoint, NTLM or Kerberos; NULL if none. */
static struct sa_assoc *
endpoint_sa(struct proxy *px, const char *aor, const char *epid)
{
	struct sa_assoc *sa = NULL;
	const char *realm = px->conf->auth.realm;

	if (aor == NULL || epid == NULL || *epid == '\0')
		return NULL;
	if (sa_find_endpoint(px->sa, aor, epid, realm, px->conf->fqdn, &sa) ==
	    SA_R_OK ||
	    sa_find_endpoint(px->sa, aor, epid, realm, px->krb5_target, &sa) ==
	    SA_R_OK)
		return sa;
	return NULL;
}

/* Our Record-Route: the listener the request came in on, loose. */
static char *
record_route(struct ptx *ptx)
{
	const struct listener *l = ptx->listener;
	const char *host;

	if (l == NULL)
		return NULL;
	host = strcmp(l->address, "0.0.0.0") == 0 ||
	    strcmp(l->address, "::") == 0 ? ptx->px->conf->fqdn : l->address;
	return su_sprintf(ptx->home, "<sip:%s:%u;transport=%s;lr>", host,
	    l->port, conf_transport_name(l->transport));
}

static int
creates_dialog(sip_method_t m)
{
	return m == sip_method_invite || m == sip_method_subscribe ||
	    m == sip_method_refer;
}

/*
 * The request as it goes to one target: new Request-URI, one less
 * Max-Forwards, no credentials meant for us, our Record-Route, the
 * callee's epid in To, and the callee's signature.
 */
static msg_t *
branch_request(struct ptx *ptx, const struct target *t, struct sa_assoc *sa)
{
	msg_t *msg;
	sip_t *sip;
	su_home_t *mh;
	sip_request_t *rq;
	char *rr, mf[16];

	/* A deep copy: each branch edits its own. */
	if ((msg = msg_dup(ptx->msg)) == NULL)
		return NULL;
	sip = sip_object(msg);
	mh = msg_home(msg);
	while (sip->sip_route != NULL && listen_uri_is_self(ptx->px,
	    sip->sip_route->r_url))
		(void)sip_route_remove(msg, sip);
	if (t->uri != NULL) {
		/* Not sip_request_create(): it loses SERVICE (mclass.h). */
		rq = mclass_request_create(mh, sip->sip_request->rq_method,
		    sip->sip_request->rq_method_name,
		    (url_string_t const *)t->uri);
		if (rq == NULL || msg_header_replace(msg, (msg_pub_t *)sip,
		    (msg_header_t *)sip->sip_request, (msg_header_t *)rq) < 0)
			goto fail;
	}
	(void)snprintf(mf, sizeof(mf), "%lu", sip->sip_max_forwards != NULL ?
	    sip->sip_max_forwards->mf_count - 1 : 69);
	ptx_remove_headers(msg, sip, sip_max_forwards_class);
	ptx_remove_headers(msg, sip, sip_authorization_class);
	ptx_remove_headers(msg, sip, sip_proxy_authorization_class);
	if (sip_add_tl(msg, sip, SIPTAG_MAX_FORWARDS_STR(mf), TAG_END()) < 0)
		goto fail;
	if (creates_dialog(sip->sip_request->rq_method) &&
	    sip->sip_to->a_tag == NULL && (rr = record_route(ptx)) != NULL &&
	    sip_add_tl(msg, sip, SIPTAG_RECORD_ROUTE_STR(rr), TAG_END()) < 0)
		goto fail;
	if (t->epid != NULL && *t->epid != '\0' && to_epid(ptx) == NULL) {
		char *p = su_sprintf(mh, "epid=%s", t->epid);

		if (p == NULL || msg_header_add_param(mh,
		    (msg_common_t *)sip->sip_to, p) < 0)
			goto fail;
		msg_fragment_clear(sip->sip_to->a_common);
	}
	/* A duplicate has no fragment chain yet; msg_prepare needs one. */
	if (msg_serialize(msg, (msg_pub_t *)sip) < 0 || msg_prepare(msg) < 0)
		goto fail;
	if (sa != NULL && sig_sign(ptx->home, sa, msg, sip, NULL) != SA_R_OK)
		goto fail;
	return msg;
 fail:
	msg_destroy(msg);
	return NULL;
}

static void
fwd_free(struct fwd *f)
{
	size_t i;

	for (i = 0; i < f->nbr; i++) {
		if (f->br[i].orq != NULL)
			nta_outgoing_destroy(f->br[i].orq);
		sa_unref(f->br[i].sa);
	}
	if (f->best != NULL)
		msg_destroy(f->best);
	ptx_free(f->ptx);
	su_home_unref(f->home);
}

/* Send the final answer once every branch has ended without a 2xx. */
static void
fwd_finish(struct fwd *f)
{
	struct ptx *ptx = f->ptx;

	if (!f->answered) {
		if (f->best != NULL) {
			(void)proxy_relay(ptx, f->best);
			f->best = NULL;
		} else if (f->tampered)
			(void)proxy_reply(ptx, 502, "Bad Gateway",
			    SIPTAG_WARNING_STR("399 sipsa \"the callee's "
			    "response failed signature verification\""),
			    TAG_END());
		else
			(void)proxy_reply(ptx, 480, NULL, TAG_END());
		f->answered = 1;
	}
	fwd_free(f);
}

/* RFC 3261 §16.7: 6xx first, then the lowest class. */
static int
better(int a, int b)
{
	if (b == 0)
		return 1;
	if (a >= 600 || b >= 600)
		return a >= 600 && b < 600;
	return a / 100 < b / 100;
}

/*
 * Does a response from the callee carry its valid signature?  A callee
 * that signed in on a proxy-role listener (407) may answer unsigned:
 * SIPE signs nothing there, so demanding it would fail every request
 * toward it (doc/clients.md); the response is matched to our request by
 * its random branch and, over TCP and TLS, comes back on the callee's
 * own connection.  A response that carries credentials must verify.
 */
static int
response_verified(struct branch *b, const sip_t *sip)
{
	struct ptx *ptx = b->fwd->ptx;
	struct sipauth_cred cred;
	const struct sipsa_conf *conf = ptx->px->conf;
	int err;

	if (b->sa == NULL)
		return 1;
	err = sipauth_pick_cred(ptx->home, sip, conf->auth.realm, conf->fqdn,
	    &cred);
	if (err == ENOENT && sa_hdr(b->sa) == SA_HDR_PROXY)
		return 1;
	if (err != 0 || !SIPAUTH_PRESENT(cred.opaque) ||
	    cred.opaque.len != strlen(sa_opaque(b->sa)) ||
	    strncasecmp(cred.opaque.ptr, sa_opaque(b->sa), cred.opaque.len)
	    != 0)
		return 0;
	return sig_verify(ptx->home, b->sa, sip, &cred) == SA_R_OK;
}

/*
 * CANCEL a branch still pending, signed for its callee (a SIPE callee
 * ignores an unsigned request from the server): the signature is made on
 * a message with the signed fields of the CANCEL nta is about to build
 * from the branch's INVITE, and handed to nta with it.
 */
static void
cancel_branch(struct branch *b)
{
	struct ptx *ptx = b->fwd->ptx;
	msg_t *req = NULL, *cancel = NULL;
	sip_t *sip;
	const sip_header_t *auth = NULL;

	/* Only an INVITE is cancelled (RFC 3261 §9.1): another request's
	   branch runs to its end, and its late 2xx is absorbed. */
	if (b->status != 0 || b->orq == NULL ||
	    nta_outgoing_method(b->orq) != sip_method_invite)
		return;
	if (b->sa != NULL && (req = nta_outgoing_getrequest(b->orq)) != NULL &&
	    (cancel = sipauth_cancel_of(sip_object(req))) != NULL) {
		sip = sip_object(cancel);
		if (sig_sign(ptx->home, b->sa, cancel, sip, NULL) == SA_R_OK)
			auth = (const sip_header_t *)sip->sip_unknown;
		else
			log_warnx("%s call-id=%s: cannot sign the CANCEL of a "
			    "branch; sent unsigned", ptx_method(ptx),
			    ptx_call_id(ptx));
	}
	(void)nta_outgoing_tcancel(b->orq, NULL, NULL,
	    TAG_IF(auth != NULL, SIPTAG_HEADER(auth)), TAG_END());
	msg_destroy(cancel);
	msg_destroy(req);
}

/*
 * sipsactl trace of a message to or from a callee: toward a target (its
 * binding's "tcp:addr:port", or its next hop), or from where msg came.
 */
static void
trace_hop(struct ptx *ptx, const char *dir, msg_t *msg,
    const struct target *t, struct sa_assoc *sa)
{
	char peer[96], tpname[8];
	const su_sockaddr_t *su;
	const char *colon;
	char host[64];

	if (!control_tracing(ptx->px))
		return;
	(void)snprintf(tpname, sizeof(tpname), "?");
	if (t != NULL && t->transport != NULL &&
	    (colon = strchr(t->transport, ':')) != NULL) {
		(void)snprintf(tpname, sizeof(tpname), "%.*s",
		    (int)(colon - t->transport), t->transport);
		(void)snprintf(peer, sizeof(peer), "%s", colon + 1);
	} else if (t != NULL)
		(void)snprintf(peer, sizeof(peer), "%s", t->next_hop);
	else if ((su = msg_addr(msg)) != NULL && su_inet_ntop(su->su_family,
	    SU_ADDR(su), host, sizeof(host)) != NULL)
		(void)snprintf(peer, sizeof(peer), "%s:%u", host,
		    ntohs(su->su_port));
	else
		(void)snprintf(peer, sizeof(peer), "?");
	ptx_trace(ptx, dir, msg, peer, tpname, sa != NULL ? sa_user(sa) :
	    NULL);
}

static int
branch_response(struct branch *b, nta_outgoing_t *orq, sip_t const *sip)
{
	struct fwd *f = b->fwd;
	msg_t *msg;
	int status;
	size_t i;

	status = sip != NULL ? sip->sip_status->st_status :
	    nta_outgoing_status(orq);
	if (status == 100)
		return 0;
	msg = nta_outgoing_getresponse(orq);
	if (msg != NULL && !nta_is_internal_msg(msg))
		trace_hop(f->ptx, "in", msg, NULL, b->sa);
	/* Whatever the callee sent is checked, 5xx and 6xx too; only the
	   answers our own nta makes up (408, 503) carry no signature. */
	if (msg != NULL && !nta_is_internal_msg(msg) &&
	    !response_verified(b, sip)) {
		log_notice("%s call-id=%s: %03d from the callee dropped: "
		    "signature missing or wrong", ptx_method(f->ptx),
		    ptx_call_id(f->ptx), status);
		msg_destroy(msg);
		msg = NULL;
		if (status < 200)
			return 0;
		f->tampered = 1;
		status = 502;
	}
	if (status < 200) {
		if (!f->answered && msg != NULL)
			(void)proxy_relay(f->ptx, msg);
		else if (msg != NULL)
			msg_destroy(msg);
		return 0;
	}
	if (b->status != 0) {		/* a 2xx retransmission */
		if (msg != NULL)
			msg_destroy(msg);
		return 0;
	}
	b->status = status;
	f->pending--;
	if (status < 300 && msg != NULL) {
		if (!f->answered) {
			f->answered = 1;
			(void)proxy_relay(f->ptx, msg);
		} else
			msg_destroy(msg);
		for (i = 0; i < f->nbr; i++)
			cancel_branch(&f->br[i]);
	} else if (msg != NULL && better(status, f->best_status)) {
		if (f->best != NULL)
			msg_destroy(f->best);
		f->best = msg;
		f->best_status = status;
	} else if (msg != NULL)
		msg_destroy(msg);
	if (f->pending == 0)
		fwd_finish(f);
	return 0;
}

/*
 * A CANCEL from the caller: nta has answered it 200 (sipsad's agent does
 * not answer the INVITE 487 by itself: NTATAG_CANCEL_487(0)); the pending
 * branches are cancelled and their 487s come back through the response
 * exit, signed.  Is the CANCEL's signature, when it carries one, the
 * caller's?  Only logged: nta has answered the CANCEL before sipsad sees
 * it and passes no second one, and an unsigned CANCEL is taken anyway
 * (SIPE on a proxy listener signs nothing; a CANCEL must match the
 * INVITE's branch, Call-ID and tags).
 */
static int
cancel_verified(struct ptx *ptx, const sip_t *sip)
{
	const struct sipsa_conf *conf = ptx->px->conf;
	struct sipauth_cred cred;
	int err;

	if (ptx->sa == NULL)
		return 1;
	err = sipauth_pick_cred(ptx->home, sip, conf->auth.realm, conf->fqdn,
	    &cred);
	if (err == ENOENT)
		return 1;
	return err == 0 && SIPAUTH_PRESENT(cred.opaque) &&
	    cred.opaque.len == strlen(sa_opaque(ptx->sa)) &&
	    strncasecmp(cred.opaque.ptr, sa_opaque(ptx->sa),
	    cred.opaque.len) == 0 &&
	    sig_verify(ptx->home, ptx->sa, sip, &cred) == SA_R_OK;
}

/* CANCEL from the caller (sip set), or the server transaction ended. */
static int
fwd_cancel(struct fwd *f, nta_incoming_t *irq, sip_t const *sip)
{
	size_t i;

	(void)irq;
	if (sip == NULL)
		return 0;
	if (sip->sip_request->rq_method != sip_method_cancel)
		return 500;
	/* nta has answered this CANCEL 200 and will pass no other for the
	   INVITE: ignoring it would leave the callee ringing while the
	   caller believes the call cancelled.  A bad signature is logged;
	   the branches are cancelled either way. */
	if (!cancel_verified(f->ptx, sip))
		log_notice("CANCEL call-id=%s peer=%s: bad signature (the "
		    "INVITE is cancelled all the same: nta has answered it)",
		    ptx_call_id(f->ptx), f->ptx->peer);
	log_debug("CANCEL call-id=%s: cancelling %zu branch%s",
	    ptx_call_id(f->ptx), f->pending, f->pending == 1 ? "" : "es");
	for (i = 0; i < f->nbr; i++)
		cancel_branch(&f->br[i]);
	return 0;
}

/* ACK for a 2xx: forwarded statelessly to the dialog's endpoint. */
static int
forward_ack(struct ptx *ptx, const struct targets *ts)
{
	struct sa_assoc *sa;
	nta_outgoing_t *orq;
	msg_t *msg;
	tport_t *tp;

	if (ts->n != 1) {
		log_debug("ACK call-id=%s: no endpoint, absorbed",
		    ptx_call_id(ptx));
		return 1;
	}
	tp = binding_connection(ptx->px, ts->t[0].transport);
	sa = endpoint_sa(ptx->px, ts->t[0].aor, ts->t[0].epid);
	msg = branch_request(ptx, &ts->t[0], sa);
	sa_unref(sa);
	if (msg == NULL)
		return 1;
	orq = nta_outgoing_mcreate(ptx->px->agent, NULL, NULL,
	    (url_string_t const *)ts->t[0].next_hop, msg,
	    TAG_IF(tp != NULL, NTATAG_TPORT(tp)), TAG_END());
	if (orq == NULL) {
		msg_destroy(msg);
		log_warnx("ACK call-id=%s: cannot forward", ptx_call_id(ptx));
	} else
		nta_outgoing_destroy(orq);
	return 1;
}

/*
 * The client transaction of a branch.  An INVITE is created as a user
 * agent's would be (NTATAG_UA for the time of the call): as a proxy's,
 * nta ends an INVITE client transaction over TCP or TLS as soon as it
 * sends its CANCEL, so the callee's 487 would find no transaction and the
 * branch would never end (RFC 3261 §16.10 wants the proxy to wait for
 * that 487, and sipsad relays it, checked and signed).
 */
static nta_outgoing_t *
branch_create(struct proxy *px, struct branch *b, const struct target *t,
    msg_t *msg, tport_t *tp)
{
	/* Only toward an endpoint of ours: as a user agent's, nta would
	   also ACK and BYE a 2xx with another To tag itself, which a next
	   hop that forks further may send, instead of passing it up. */
	int invite = t->aor != NULL &&
	    sip_object(msg)->sip_request->rq_method == sip_method_invite;
	nta_outgoing_t *orq;

	if (invite)
		(void)nta_agent_set_params(px->agent, NTATAG_UA(1), TAG_END());
	orq = nta_outgoing_mcreate(px->agent, branch_response, b,
	    (url_string_t const *)t->next_hop, msg,
	    TAG_IF(tp != NULL, NTATAG_TPORT(tp)), TAG_END());
	if (invite)
		(void)nta_agent_set_params(px->agent, NTATAG_UA(0), TAG_END());
	return orq;
}

int
ptx_route(struct ptx *ptx)
{
	const sip_t *sip = ptx->sip;
	sip_method_t m = sip->sip_request->rq_method;
	struct targets ts;
	struct fwd *f;
	const char *why = NULL;
	tport_t *tp;
	size_t i;
	int status;

	/* Events the server itself would serve are not forked back to the
	   subscriber's own endpoints (SERVICE: ptx_service). */
	if ((m == sip_method_subscribe || m == sip_method_publish) &&
	    ptx_to_own_aor(ptx))
		return proxy_reply(ptx, 501, NULL, SIPTAG_WARNING_STR(
		    ptx_warning(ptx, "this server provides no such service")),
		    TAG_END());

	if ((status = resolve(ptx, &ts, &why)) != 0) {
		if (m == sip_method_ack)
			return 1;
		log_info("%s call-id=%s peer=%s: %03d: %s", ptx_method(ptx),
		    ptx_call_id(ptx), ptx->peer, status, why ? why : "");
		return proxy_reply(ptx, status, NULL, TAG_END());
	}
	if (m == sip_method_ack)
		return forward_ack(ptx, &ts);
	if (ts.n == 0) {
		log_info("%s call-id=%s peer=%s: 480: %s", ptx_method(ptx),
		    ptx_call_id(ptx), ptx->peer, why ? why : "");
		return proxy_reply(ptx, 480, NULL, TAG_END());
	}

	if ((f = su_home_new(sizeof(*f))) == NULL)
		return proxy_reply(ptx, 500, NULL, TAG_END());
	f->ptx = ptx;
	ptx->kept = 1;
	nta_incoming_bind(ptx->irq, fwd_cancel, f);
	for (i = 0; i < ts.n; i++) {
		struct branch *b = &f->br[f->nbr];
		msg_t *msg;

		b->fwd = f;
		b->sa = endpoint_sa(ptx->px, ts.t[i].aor, ts.t[i].epid);
		if ((msg = branch_request(ptx, &ts.t[i], b->sa)) == NULL) {
			sa_unref(b->sa);
			b->sa = NULL;
			continue;
		}
		tp = binding_connection(ptx->px, ts.t[i].transport);
		trace_hop(ptx, "out", msg, &ts.t[i], b->sa);
		b->orq = branch_create(ptx->px, b, &ts.t[i], msg, tp);
		if (b->orq == NULL) {
			msg_destroy(msg);
			sa_unref(b->sa);
			b->sa = NULL;
			continue;
		}
		f->nbr++;
		f->pending++;
	}
	log_debug("%s call-id=%s peer=%s: forked to %zu of %zu endpoint%s",
	    ptx_method(ptx), ptx_call_id(ptx), ptx->peer, f->nbr, ts.n,
	    ts.n == 1 ? "" : "s");
	if (f->nbr == 0) {
		(void)proxy_reply(ptx, 500, "Cannot Forward", TAG_END());
		fwd_free(f);
	}
	return 1;
}
