/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/ptx.c: the per-request object: its memory home, the server
 * transaction it owns, the listener the request came in on and the peer
 * address used in log lines; and the small helpers the steps share.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/tport.h>

#include "sa/hash.h"
#include "sa/sa.h"

#define LOG_MODULE "ptx"
#include "log/log.h"
#include "src/control.h"
#include "src/metrics.h"
#include "src/proxy.h"

/* Fill ptx->peer with "addr:port" of the sender and find the listener. */
static void
ptx_origin(struct ptx *ptx)
{
	su_sockaddr_t const *su;
	tport_t *tp;
	char host[46];	/* INET6_ADDRSTRLEN */
	unsigned q;

	(void)snprintf(ptx->peer, sizeof(ptx->peer), "?");
	(void)snprintf(ptx->peer_addr, sizeof(ptx->peer_addr), "?");
	su = msg_addr(ptx->msg);
	if (su != NULL && su_inet_ntop(su->su_family, SU_ADDR(su), host,
	    sizeof(host)) != NULL) {
		(void)snprintf(ptx->peer, sizeof(ptx->peer), "%s:%u", host,
		    ntohs(su->su_port));
		(void)snprintf(ptx->peer_addr, sizeof(ptx->peer_addr), "%s",
		    host);
	}
	tp = nta_incoming_transport(ptx->px->agent, NULL, ptx->msg);
	if (tp != NULL) {
		ptx->listener = listen_by_ident(ptx->px, tport_ident(tp));
		/* A client that does not read what it is sent as fast
		   as it sends: its connection is no longer read from
		   until what waits for it has gone (src/conns.c); with
		   the queue full, it is closed. */
		if (tport_is_stream(tp) && (q = (unsigned)tport_queuelen(
		    tp)) >= ptx->px->conf->conn.output_queue / 2) {
			conns_stall(&msg_addr(ptx->msg)->su_sa, tp);
			ptx->stuck = q + 1 >= ptx->px->conf->conn.output_queue;
		}
		/* nta finds the transport of a request by itself only
		   during its delivery. */
		ptx->tport = tp;
	}
}

int
ptx_create(struct proxy *px, msg_t *msg, sip_t *sip, struct ptx **ptx_out)
{
	struct ptx *ptx;

	*ptx_out = NULL;
	if ((ptx = su_home_new(sizeof(*ptx))) == NULL)
		return ENOMEM;	/* msg stays the caller's */
	ptx->px = px;
	ptx->t0_us = metrics_now_us();
	ptx->msg = msg;
	ptx->sip = sip;
	ptx_origin(ptx);
	*ptx_out = ptx;
	return 0;
}

int
ptx_transaction(struct ptx *ptx)
{
	if (ptx->irq != NULL || ptx->sa == NULL ||
	    ptx->sip->sip_request->rq_method == sip_method_ack)
		return 0;
	/* A REGISTER is always answered here, at once, so it needs no
	   server transaction: over UDP, its answer is kept for
	   retransmissions in a few hundred bytes (src/answers.c), where
	   nta would hold the whole request and response for 32 s; over
	   TCP and TLS nothing is retransmitted (RFC 3261 §17.2.2: timer J
	   is 0), and the transaction would only cost its set-up and
	   teardown (issue 16).  udp-answers 0 restores nta over UDP. */
	if (ptx->sip->sip_request->rq_method == sip_method_register &&
	    ptx->listener != NULL &&
	    (ptx->listener->transport != CONF_TP_UDP ||
	    ptx->px->conf->conn.udp_answers > 0))
		return 0;
	if (ptx->sip->sip_request->rq_method == sip_method_invite &&
	    ptx->sip->sip_to->a_tag != NULL)
		(void)ptx_stateless_invite(ptx, -1);
	/* nta takes a reference of its own; ours stays with the ptx. */
	ptx->irq = nta_incoming_create(ptx->px->agent, NULL,
	    msg_ref_create(ptx->msg), (sip_t *)ptx->sip,
	    TAG_IF(ptx->tport != NULL, NTATAG_TPORT(ptx->tport)), TAG_END());
	if (ptx->irq == NULL) {
		log_warnx("%s call-id=%s peer=%s: cannot create a server "
		    "transaction", ptx_method(ptx), ptx_call_id(ptx),
		    ptx->peer);
		return proxy_reply(ptx, 500, NULL, TAG_END());
	}
	return 0;
}

/*
 * Destroy the transaction (nta keeps what it needs for retransmissions),
 * drop the SA reference, the request and the request's memory.
 */
void
ptx_free(struct ptx *ptx)
{
	if (ptx == NULL)
		return;
	if (ptx->irq != NULL)
		nta_incoming_destroy(ptx->irq);
	sa_unref(ptx->sa);
	if (ptx->tport != NULL)
		tport_decref(&ptx->tport);
	msg_destroy(ptx->msg);
	su_home_unref(ptx->home);
}

const char *
ptx_method(const struct ptx *ptx)
{
	const sip_t *sip = ptx->sip;

	if (sip == NULL || sip->sip_request == NULL ||
	    sip->sip_request->rq_method_name == NULL)
		return "?";
	return sip->sip_request->rq_method_name;
}

const char *
ptx_call_id(const struct ptx *ptx)
{
	const sip_t *sip = ptx->sip;

	if (sip == NULL || sip->sip_call_id == NULL ||
	    sip->sip_call_id->i_id == NULL)
		return "-";
	return sip->sip_call_id->i_id;
}

const char *
ptx_warning(struct ptx *ptx, const char *text)
{
	const char *fqdn = ptx->px->conf->fqdn;
	const char *w;

	w = su_sprintf(ptx->home, "399 %s \"%s\"", fqdn != NULL ? fqdn :
	    "sipsa", text);
	return w != NULL ? w : "399 sipsa \"error\"";
}

int
ptx_refuse(struct ptx *ptx, int status, const char *text)
{
	log_info("%s refused %03d call-id=%s peer=%s: %s", ptx_method(ptx),
	    status, ptx_call_id(ptx), ptx->peer, text);
	return proxy_reply(ptx, status, NULL,
	    SIPTAG_WARNING_STR(ptx_warning(ptx, text)), TAG_END());
}

const char *
ptx_aor(struct ptx *ptx, const char *user, const char *host)
{
	char *a = su_sprintf(ptx->home, "sip:%s@%s", user, host), *p;

	if (a == NULL)
		return NULL;
	for (p = strchr(a, '@'); *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return a;
}

int
ptx_to_own_aor(struct ptx *ptx)
{
	const sip_t *sip = ptx->sip;
	const url_t *u = sip->sip_request->rq_url;
	const char *self, *aor;

	if (sip->sip_to->a_tag != NULL || ptx->sa == NULL ||
	    (self = sa_aor(ptx->sa)) == NULL || u->url_user == NULL ||
	    u->url_host == NULL)
		return 0;
	aor = ptx_aor(ptx, u->url_user, u->url_host);
	return aor != NULL && strcmp(self, aor) == 0;
}

int
ptx_stateless_invite(struct ptx *ptx, int record)
{
	struct proxy *px = ptx->px;
	const sip_t *sip = ptx->sip;
	uint32_t h;
	size_t i, n = sizeof(px->stateless_invites) /
	    sizeof(px->stateless_invites[0]);

	h = hash_bytes(px->stateless_seed, sip->sip_call_id->i_id,
	    strlen(sip->sip_call_id->i_id));
	h = hash_bytes(h, &sip->sip_cseq->cs_seq,
	    sizeof(sip->sip_cseq->cs_seq));
	if (h == 0)
		h = 1;
	if (record > 0) {
		px->stateless_invites[px->stateless_next++ % n] = h;
		return 1;
	}
	for (i = 0; i < n; i++)
		if (px->stateless_invites[i] == h) {
			if (record < 0)
				px->stateless_invites[i] = 0;
			return 1;
		}
	return 0;
}

int
proxy_serves_domain(const struct proxy *px, const char *host)
{
	char **d;

	if (host == NULL)
		return 0;
	for (d = px->conf->registrar.domains; d != NULL && *d != NULL; d++)
		if (strcasecmp(*d, host) == 0)
			return 1;
	return 0;
}

void
ptx_remove_headers(msg_t *msg, sip_t *sip, msg_hclass_t *c)
{
	msg_header_t **hh = msg_hclass_offset(msg_mclass(msg),
	    (msg_pub_t *)sip, c);

	while (hh != NULL && *hh != NULL)
		(void)msg_header_remove(msg, (msg_pub_t *)sip, *hh);
}

void
ptx_trace(struct ptx *ptx, const char *dir, msg_t *msg, const char *peer,
    const char *transport, const char *account)
{
	if (!control_tracing(ptx->px))
		return;
	if (transport == NULL)
		transport = ptx->listener != NULL ?
		    conf_transport_name(ptx->listener->transport) : "?";
	if (peer == NULL)
		peer = ptx->peer;
	if (account == NULL && ptx->sa != NULL)
		account = sa_user(ptx->sa);
	control_trace(ptx->px, dir, transport, peer, account, msg);
}
