/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/steps.c: the pipeline steps after validation: ACK (never answered;
 * a 2xx's ACK is passed on to be forwarded),
 * CANCEL without a transaction and OPTIONS addressed to the server
 * itself (answered after authentication, so signed when it came signed).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_tag.h>

#define LOG_MODULE "steps"
#include "log/log.h"
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
	const char *tag = ptx->sip->sip_to->a_tag;

	if (!method_is(ptx, sip_method_ack))
		return 0;
	/* The ACK of a non-2xx response sipsad sent statelessly (by our
	   tag, or, in a dialog, by Call-ID and CSeq). */
	if (tag != NULL && (strncmp(tag, ptx->px->stateless_tag,
	    strlen(ptx->px->stateless_tag)) == 0 ||
	    ptx_stateless_invite(ptx, 0))) {
		log_debug("ACK call-id=%s peer=%s: of a stateless response, "
		    "absorbed", ptx_call_id(ptx), ptx->peer);
		return 1;
	}
	if (tag != NULL && (ptx->sip->sip_route != NULL ||
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

/*
 * SERVICE to this server (its host or a domain it serves, as SIPE's
 * directory search and contact management send it) or to the sender's
 * own AOR (OCS 2005 presence): sipsad provides none of these services.
 * A signed 501 keeps SIPE going (it shows what it knows of a user and
 * carries on); counted, and logged at debug level.
 */
int
ptx_service(struct ptx *ptx)
{
	const url_t *u = ptx->sip->sip_request->rq_url;

	if (strcmp(ptx_method(ptx), "SERVICE") != 0 ||
	    ptx->sip->sip_to->a_tag != NULL)
		return 0;
	if (!(u->url_user == NULL && (listen_is_self(ptx->px, u->url_host) ||
	    proxy_serves_domain(ptx->px, u->url_host))) &&
	    !ptx_to_own_aor(ptx))
		return 0;
	ptx->px->services++;
	log_debug("SERVICE call-id=%s peer=%s to %s%s%s: 501 (SERVICE "
	    "requests so far: %lu)", ptx_call_id(ptx), ptx->peer,
	    u->url_user != NULL ? u->url_user : "",
	    u->url_user != NULL ? "@" : "", u->url_host != NULL ?
	    u->url_host : "", ptx->px->services);
	return proxy_reply(ptx, 501, NULL, SIPTAG_WARNING_STR(
	    ptx_warning(ptx, "this server provides no such service")),
	    TAG_END());
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
