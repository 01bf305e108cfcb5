/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/cancel.c: the CANCEL of an INVITE, as a message to sign.  nta
 * builds a CANCEL itself from the INVITE it cancels (nta_outgoing_tcancel:
 * the Request-URI, the top Via, From, To, Call-ID, Route and Max-Forwards
 * of the INVITE, CSeq with its number and CANCEL) and takes extra headers
 * only as tags, so the signature must be made beforehand, on a message
 * with the same signed fields.
 */
#include "config.h"

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_tag.h>

#include "sipauth/sipauth.h"

msg_t *
sipauth_cancel_of(const sip_t *invite)
{
	msg_t *msg;
	sip_t *sip;
	su_home_t *h;
	sip_request_t *rq;
	sip_cseq_t *cs;

	if (invite == NULL || invite->sip_request == NULL ||
	    invite->sip_from == NULL || invite->sip_to == NULL ||
	    invite->sip_call_id == NULL || invite->sip_cseq == NULL ||
	    (msg = msg_create(sip_default_mclass(), 0)) == NULL)
		return NULL;
	sip = sip_object(msg);
	h = msg_home(msg);
	rq = sip_request_create(h, sip_method_cancel, "CANCEL",
	    (url_string_t const *)invite->sip_request->rq_url, NULL);
	cs = sip_cseq_create(h, invite->sip_cseq->cs_seq, sip_method_cancel,
	    "CANCEL");
	if (rq == NULL || cs == NULL || sip_add_tl(msg, sip,
	    SIPTAG_REQUEST(rq), SIPTAG_FROM(invite->sip_from),
	    SIPTAG_TO(invite->sip_to), SIPTAG_CALL_ID(invite->sip_call_id),
	    SIPTAG_CSEQ(cs), TAG_END()) < 0 || sip->sip_from == NULL ||
	    sip->sip_to == NULL || sip->sip_call_id == NULL) {
		msg_destroy(msg);
		return NULL;
	}
	return msg;
}
