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

#include "sa/sa.h"

#define LOG_MODULE "ptx"
#include "src/log.h"
#include "src/proxy.h"

/* Fill ptx->peer with "addr:port" of the sender and find the listener. */
static void
ptx_origin(struct ptx *ptx)
{
	nta_incoming_t *irq = ptx->irq;
	msg_t *msg;
	tport_t *tp;
	su_sockaddr_t const *su;
	char host[46];	/* INET6_ADDRSTRLEN */

	(void)snprintf(ptx->peer, sizeof(ptx->peer), "?");
	(void)snprintf(ptx->peer_addr, sizeof(ptx->peer_addr), "?");
	if ((msg = nta_incoming_getrequest(irq)) != NULL) {
		su = msg_addr(msg);
		if (su != NULL && su_inet_ntop(su->su_family, SU_ADDR(su),
		    host, sizeof(host)) != NULL) {
			(void)snprintf(ptx->peer, sizeof(ptx->peer), "%s:%u",
			    host, ntohs(su->su_port));
			(void)snprintf(ptx->peer_addr, sizeof(ptx->peer_addr),
			    "%s", host);
		}
		tp = nta_incoming_transport(ptx->px->agent, irq, msg);
		if (tp != NULL) {
			ptx->listener = listen_by_ident(ptx->px,
			    tport_ident(tp));
			tport_decref(&tp);
		}
		msg_destroy(msg);
	}
}

int
ptx_create(struct proxy *px, nta_incoming_t *irq, sip_t const *sip,
    struct ptx **ptx_out)
{
	struct ptx *ptx;

	*ptx_out = NULL;
	if ((ptx = su_home_new(sizeof(*ptx))) == NULL)
		return ENOMEM;
	ptx->px = px;
	ptx->irq = irq;
	ptx->sip = sip;
	ptx_origin(ptx);
	*ptx_out = ptx;
	return 0;
}

/*
 * Destroy the transaction (nta keeps what it needs for retransmissions),
 * drop the SA reference and the request's memory.
 */
void
ptx_free(struct ptx *ptx)
{
	if (ptx == NULL)
		return;
	if (ptx->irq != NULL)
		nta_incoming_destroy(ptx->irq);
	sa_unref(ptx->sa);
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
msg_remove_all(msg_t *msg, sip_t *sip, msg_hclass_t *c)
{
	msg_header_t **hh = msg_hclass_offset(msg_mclass(msg),
	    (msg_pub_t *)sip, c);

	while (hh != NULL && *hh != NULL)
		(void)msg_header_remove(msg, (msg_pub_t *)sip, *hh);
}
