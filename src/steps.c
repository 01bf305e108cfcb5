/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/steps.c: the pipeline steps after validation: ACK (never answered;
 * a 2xx's ACK is passed on to be forwarded),
 * CANCEL without a transaction and OPTIONS addressed to the server
 * itself (answered after authentication, so signed when it came signed).
 */
#include "config.h"

#include <stdio.h>
#include <strings.h>

#include <sofia-sip/su.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_tag.h>

#define LOG_MODULE "steps"
#include "src/log.h"
#include "src/proxy.h"

#define SIPSA_ALLOW	"REGISTER, OPTIONS, ACK, CANCEL, BYE, SUBSCRIBE, " \
			"NOTIFY, MESSAGE, INFO, INVITE, SERVICE, BENOTIFY"
#define SIPSA_ACCEPT	"application/sdp"
#define SIPSA_SUPPORTED	"gruu"

static int
method_is(const struct ptx *ptx, sip_method_t m)
{
	return ptx->sip->sip_request->rq_method == m;
}

/*
 * ACK: an ACK nta did not match to a transaction.  One in a dialog
 * (To tag) that is not addressed to the server itself is the ACK of a
 * 2xx on its way to the callee: it goes on to be checked and forwarded.
 * Any other is absorbed.  An ACK is never answered.
 */
int
ptx_ack(struct ptx *ptx)
{
	const url_t *u = ptx->sip->sip_request->rq_url;

	if (!method_is(ptx, sip_method_ack))
		return 0;
	if (ptx->sip->sip_to->a_tag != NULL && (ptx->sip->sip_route != NULL ||
	    u->url_user != NULL || !listen_is_self(ptx->px, u->url_host)))
		return 0;
	log_debug("ACK call-id=%s peer=%s: absorbed", ptx_call_id(ptx),
	    ptx->peer);
	return 1;
}

/* nta matches CANCEL to its transaction; one that reaches us matches none. */
int
ptx_cancel(struct ptx *ptx)
{
	if (!method_is(ptx, sip_method_cancel))
		return 0;
	return proxy_reply(ptx, 481, "Call/Transaction Does Not Exist",
	    TAG_END());
}

/* Is the Request-URI this server (no user part, one of our hosts)? */
static int
uri_is_self(const struct ptx *ptx)
{
	const url_t *u = ptx->sip->sip_request->rq_url;

	return u->url_user == NULL && listen_is_self(ptx->px, u->url_host);
}

int
ptx_options(struct ptx *ptx)
{
	if (!method_is(ptx, sip_method_options) || !uri_is_self(ptx))
		return 0;
	return proxy_reply(ptx, 200, NULL, SIPTAG_ALLOW_STR(SIPSA_ALLOW),
	    SIPTAG_ACCEPT_STR(SIPSA_ACCEPT),
	    SIPTAG_SUPPORTED_STR(SIPSA_SUPPORTED), TAG_END());
}
