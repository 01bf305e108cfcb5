/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/reply.c: the one response exit of sipsad.  Every response the daemon
 * sends is built and sent here, and nowhere else: this is where Server
 * and Date are added and where a response to a request that has a
 * security association is signed (src/sign.c).
 */
#include "config.h"

#include <errno.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/sip_util.h>

#include "sa/sa.h"

#define LOG_MODULE "reply"
#include "log/log.h"
#include "src/control.h"
#include "src/metrics.h"
#include "src/proxy.h"

#define SIPSA_SERVER	PACKAGE_NAME "/" PACKAGE_VERSION

/* A peer that does not take its answers must not fill the log. */
static struct log_quota send_lines = { 20, LOG_MODULE,
    "answers that could not be sent", 0, 0, 0 };

static void
send_failed(struct ptx *ptx, int status)
{
	if (log_quota_take(&send_lines, sa_clock_monotonic(NULL)))
		log_warnx("cannot send %03d to %s peer=%s", status,
		    ptx_method(ptx), ptx->peer);
}

/*
 * Sign (when the request has an SA) and send msg, a complete response to
 * ptx.  Takes msg.  Returns status.
 */
static int
reply_send(struct ptx *ptx, msg_t *msg, int status, const char *phrase)
{
	nta_incoming_t *irq = ptx->irq;
	enum sa_reason r;
	int rc;

	if (ptx->sa != NULL && status > 100) {
		r = sig_sign(ptx->home, ptx->sa, msg, sip_object(msg),
		    ptx->sa_token);
		if (r != SA_R_OK) {
			/* Logged in sa/; an unsigned answer is ignored by the
			   client, so say plainly that this one failed. */
			msg_destroy(msg);
			(void)nta_incoming_treply(irq, 500, "Cannot Sign",
			    SIPTAG_SERVER_STR(SIPSA_SERVER), TAG_END());
			return status;
		}
	}
	ptx_trace(ptx, "out", msg, NULL, NULL, NULL);
	rc = nta_incoming_mreply(irq, msg);	/* takes msg */
	if (rc < 0) {
		send_failed(ptx, status);
		return status;
	}
	log_debug("%03d %s -> %s call-id=%s peer=%s", status, phrase,
	    ptx_method(ptx), ptx_call_id(ptx), ptx->peer);
	return status;
}

/* Record the final status; 0 if a reply may go out, else -1 (logged). */
static int
reply_begin(struct ptx *ptx, int status, const char *phrase)
{
	if (status >= 200 || ptx->status == 0) {
		ptx->status = status;
		ptx->phrase = phrase;
	}
	if (ptx->replied) {
		log_warnx("second reply %03d to %s call-id=%s dropped", status,
		    ptx_method(ptx), ptx_call_id(ptx));
		return -1;
	}
	if (status >= 200) {
		ptx->replied = 1;
		metrics_request(ptx_method(ptx), status, ptx->t0_us);
	}
	return 0;
}

/*
 * Complete msg as a response to ptx: what nta_msg_mreply would add (it
 * adds nothing already there).  0, or -1 when out of memory.
 */
static int
reply_complete(struct ptx *ptx, msg_t *msg, int status, const char *phrase)
{
	su_home_t *mh = msg_home(msg);
	sip_t *sip = sip_object(msg);
	const sip_t *rq = ptx->sip;

	if (sip->sip_status == NULL)
		sip->sip_status = sip_status_create(mh, status, phrase, NULL);
	if (sip->sip_via == NULL)
		sip->sip_via = sip_via_dup(mh, rq->sip_via);
	if (sip->sip_from == NULL)
		sip->sip_from = sip_from_dup(mh, rq->sip_from);
	if (sip->sip_to == NULL)
		sip->sip_to = sip_to_dup(mh, rq->sip_to);
	if (sip->sip_call_id == NULL)
		sip->sip_call_id = sip_call_id_dup(mh, rq->sip_call_id);
	if (sip->sip_cseq == NULL)
		sip->sip_cseq = sip_cseq_dup(mh, rq->sip_cseq);
	if (sip->sip_status == NULL || sip->sip_via == NULL ||
	    sip->sip_from == NULL || sip->sip_to == NULL ||
	    sip->sip_call_id == NULL || sip->sip_cseq == NULL ||
	    sip_complete_message(msg) < 0 ||
	    msg_serialize(msg, (msg_pub_t *)sip) < 0)
		return -1;
	return 0;
}

/*
 * Complete msg as a response to ptx (reply_complete), sign it and keep a
 * copy for retransmissions over UDP.  0, or -1 when
 * msg could not be (msg is then gone, a 500 sent).
 */
static int
reply_sign_stateless(struct ptx *ptx, msg_t *msg, int status,
    const char *phrase)
{
	sip_t *sip = sip_object(msg);
	char *bytes;
	size_t len = 0;

	if (reply_complete(ptx, msg, status, phrase) != 0) {
		log_warnx("cannot build %03d for %s call-id=%s: out of memory",
		    status, ptx_method(ptx), ptx_call_id(ptx));
		goto fail;
	}
	if (sig_sign(ptx->home, ptx->sa, msg, sip, ptx->sa_token) != SA_R_OK)
		goto fail;	/* logged in sa/ */
	if (ptx->listener != NULL &&
	    ptx->listener->transport == CONF_TP_UDP &&
	    (bytes = msg_as_string(ptx->home, msg, (msg_pub_t *)sip, 0,
	    &len)) != NULL)
		answers_add(ptx, bytes, len);
	return 0;
 fail:
	msg_destroy(msg);
	(void)nta_msg_treply(ptx->px->agent, msg_ref_create(ptx->msg), 500,
	    "Cannot Sign", SIPTAG_SERVER_STR(SIPSA_SERVER),
	    TAG_IF(ptx->tport != NULL, NTATAG_TPORT(ptx->tport)), TAG_END());
	return -1;
}

/*
 * A request without a server transaction (refused before it had an SA:
 * challenges, handshake legs, 400s): answered statelessly, unsigned, so
 * that nta keeps nothing of it.  Our To tag carries the prefix that lets
 * ptx_ack absorb the ACK of such a response.  Takes msg.
 */
static int
reply_stateless(struct ptx *ptx, msg_t *msg, int status, const char *phrase)
{
	struct proxy *px = ptx->px;
	su_home_t *mh = msg_home(msg);
	sip_to_t *to = NULL;
	const char *tag;

	if (status > 100 && ptx->sip->sip_to->a_tag == NULL) {
		tag = nta_agent_newtag(mh, NULL, px->agent);
		if (tag == NULL || (to = sip_to_dup(mh, ptx->sip->sip_to)) ==
		    NULL || sip_to_tag(mh, to, su_sprintf(mh, "%s%s",
		    px->stateless_tag, tag)) < 0 ||
		    msg_header_insert(msg, (msg_pub_t *)sip_object(msg),
		    (msg_header_t *)to) < 0) {
			msg_destroy(msg);
			log_warnx("cannot build %03d for %s call-id=%s: out of "
			    "memory", status, ptx_method(ptx),
			    ptx_call_id(ptx));
			return status;
		}
	}
	/* A request with an SA here is a REGISTER (ptx_transaction):
	   signed, and over UDP kept for its retransmissions
	   (src/answers.c). */
	if (ptx->sa != NULL && status > 100 && reply_sign_stateless(ptx, msg,
	    status, phrase) != 0)
		return status;
	/* An in-dialog INVITE keeps its tag: its ACK is known otherwise. */
	if (status >= 300 && ptx->sip->sip_to->a_tag != NULL &&
	    ptx->sip->sip_request->rq_method == sip_method_invite)
		(void)ptx_stateless_invite(ptx, 1);
	/* Traced whole, as nta_msg_mreply would send it. */
	if (control_tracing(px) && (ptx->sa != NULL ||
	    reply_complete(ptx, msg, status, phrase) == 0))
		ptx_trace(ptx, "out", msg, NULL, NULL, NULL);
	/* nta_msg_mreply takes both messages: it gets a reference. */
	if (nta_msg_mreply(px->agent, msg, sip_object(msg), status, phrase,
	    msg_ref_create(ptx->msg),
	    TAG_IF(ptx->tport != NULL, NTATAG_TPORT(ptx->tport)),
	    TAG_END()) < 0) {
		send_failed(ptx, status);
		return status;
	}
	log_debug("%03d %s -> %s call-id=%s peer=%s (stateless)", status,
	    phrase, ptx_method(ptx), ptx_call_id(ptx), ptx->peer);
	return status;
}

int
proxy_reply(struct ptx *ptx, int status, const char *phrase,
    tag_type_t tag, tag_value_t value, ...)
{
	nta_incoming_t *irq = ptx->irq;
	msg_t *msg = NULL;
	sip_t *sip;
	sip_date_t *date;
	ta_list ta;

	if (phrase == NULL)
		phrase = sip_status_phrase(status);
	if (phrase == NULL)
		phrase = "";
	if (reply_begin(ptx, status, phrase) != 0)
		return status;

	ta_start(ta, tag, value);
	if ((msg = nta_msg_create(ptx->px->agent, 0)) == NULL)
		goto fail;
	sip = sip_object(msg);
	date = sip_date_create(msg_home(msg), sip_now());
	if (date == NULL || sip_add_tl(msg, sip,
	    SIPTAG_SERVER_STR(SIPSA_SERVER), SIPTAG_DATE(date),
	    ta_tags(ta)) < 0)
		goto fail;
	(void)ta_end(ta);
	if (irq == NULL)
		return reply_stateless(ptx, msg, status, phrase);
	/* The To tag is part of the signed string: set it first. */
	if (status > 100 && nta_incoming_tag(irq, NULL) == NULL)
		goto fail_msg;
	if (nta_incoming_complete_response(irq, msg, status, phrase,
	    TAG_END()) < 0)
		goto fail_msg;
	return reply_send(ptx, msg, status, phrase);
 fail:
	(void)ta_end(ta);
 fail_msg:
	if (msg != NULL)
		msg_destroy(msg);
	log_warnx("cannot build %03d for %s call-id=%s: out of memory",
	    status, ptx_method(ptx), ptx_call_id(ptx));
	/* Last resort so that the client is not left waiting. */
	if (irq != NULL)
		(void)nta_incoming_treply(irq, SIP_500_INTERNAL_SERVER_ERROR,
		    TAG_END());
	return status;
}

int
proxy_reply_again(struct ptx *ptx, const char *bytes, size_t len)
{
	msg_t *msg;
	sip_t *sip;
	int status;

	msg = msg_make(ptx->px->mclass, 0, bytes, (ssize_t)len);
	if (msg == NULL || (sip = sip_object(msg)) == NULL ||
	    sip->sip_status == NULL) {
		msg_destroy(msg);
		log_warnx("%s call-id=%s: cannot send the kept answer again",
		    ptx_method(ptx), ptx_call_id(ptx));
		return 500;
	}
	status = sip->sip_status->st_status;
	if (reply_begin(ptx, status, sip->sip_status->st_phrase) != 0) {
		msg_destroy(msg);
		return status;
	}
	/* Complete already: nta adds nothing and routes it by its Via. */
	if (nta_msg_mreply(ptx->px->agent, msg, sip, status,
	    sip->sip_status->st_phrase, msg_ref_create(ptx->msg),
	    TAG_IF(ptx->tport != NULL, NTATAG_TPORT(ptx->tport)),
	    TAG_END()) < 0)
		send_failed(ptx, status);
	return status;
}

int
proxy_relay(struct ptx *ptx, msg_t *msg)
{
	sip_t *sip = sip_object(msg);
	int status = sip->sip_status->st_status;
	const char *phrase = sip->sip_status->st_phrase;

	if (reply_begin(ptx, status, phrase) != 0) {
		msg_destroy(msg);
		return status;
	}
	/* Our Via, and the signatures between the callee and us. */
	(void)sip_via_remove(msg, sip);
	ptx_remove_headers(msg, sip, sip_authorization_class);
	ptx_remove_headers(msg, sip, sip_proxy_authorization_class);
	ptx_remove_headers(msg, sip, sip_authentication_info_class);
	ptx_remove_headers(msg, sip, sip_proxy_authentication_info_class);
	return reply_send(ptx, msg, status, phrase);
}
