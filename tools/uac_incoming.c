/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/uac_incoming.c: the requests the server sends an endpoint over its
 * connection (uac_set_incoming() in tools/uac.h): each must carry the
 * server's signature ([MS-SIP] §3.1.5.1, notes §8), and is answered
 * signed, or refused unsigned with 403.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tools/uac_int.h"

void
uac_set_incoming(struct uac *u, uac_incoming_f *fn, void *arg,
    unsigned flags)
{
	u->in_fn = fn;
	u->in_arg = arg;
	u->in_flags = flags;
}

/*
 * Answer irq with status: signed unless refusing (sign 0), the To tag
 * set first since it is signed.  Returns 0 or -1.
 */
static int
answer(struct uac *u, nta_incoming_t *irq, int status, const char *phrase,
    int sign, tag_type_t tag, tag_value_t value, ...)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	const char *why;
	msg_t *msg, *sent;
	ta_list ta;
	int rc = -1;

	ta_start(ta, tag, value);
	if ((msg = nta_msg_create(u->agent->nta, 0)) == NULL)
		goto out;
	if (sip_add_tl(msg, sip_object(msg), SIPTAG_SERVER_STR(u->user_agent),
	    ta_tags(ta)) < 0 ||
	    (status > 100 && nta_incoming_tag(irq, NULL) == NULL) ||
	    nta_incoming_complete_response(irq, msg, status, phrase,
	    TAG_END()) < 0 ||
	    (sign && uac_add_signature(u, home, msg, sip_object(msg),
	    (u->in_flags & UAC_IN_TAMPER) != 0, &why) != 0)) {
		msg_destroy(msg);
		goto out;
	}
	if (nta_incoming_mreply(irq, msg) < 0)
		goto out;
	if ((sent = nta_incoming_getresponse(irq)) != NULL) {
		uac_trace_msg(u, 1, sent);
		msg_destroy(sent);
	}
	rc = 0;
 out:
	(void)ta_end(ta);
	su_home_deinit(home);
	return rc;
}

/*
 * Is the request signed by the server with our SA?  Returns 0, or -1
 * with the reason in why.
 */
static int
request_verified(struct uac *u, su_home_t *home, const sip_t *sip,
    char *why, size_t whysz)
{
	struct sipauth_info info;
	struct sipauth_str text;

	if (u->sa.ctx == NULL || !u->sa.complete) {
		(void)snprintf(why, whysz, "no security association yet");
		return -1;
	}
	if (uac_find_info(home, u, sip, &info, &text) != 0) {
		(void)snprintf(why, whysz, "not signed (no %s %s)",
		    sipauth_scheme_name(u->sa.scheme),
		    u->sa.fam == SIPAUTH_PROXY ? "Proxy-Authentication-Info" :
		    "Authentication-Info");
		return -1;
	}
	if (SIPAUTH_PRESENT(info.opaque) && (info.opaque.len !=
	    strlen(u->sa.opaque) || strncasecmp(info.opaque.ptr,
	    u->sa.opaque, info.opaque.len) != 0)) {
		(void)snprintf(why, whysz, "signed with another SA (opaque "
		    "%.*s)", (int)info.opaque.len, info.opaque.ptr);
		return -1;
	}
	return uac_server_sig_ok(u, home, sip, &info, why, whysz);
}

/*
 * UAC_IN_RING: the CANCEL of the INVITE left ringing (sip set), or its
 * transaction ended.  A CANCEL with the server's valid signature gets the
 * INVITE answered 487, signed (nta has answered the CANCEL itself); an
 * unsigned or wrongly signed one is discarded, as a client discards any
 * such request from the server.
 */
static int
on_ring_cancel(struct uac *u, nta_incoming_t *irq, const sip_t *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct uac_incoming in;
	char why[768];

	if (sip == NULL || sip->sip_request->rq_method != sip_method_cancel) {
		if (irq == u->ring_irq) {
			u->ring_irq = NULL;
			nta_incoming_destroy(irq);
		}
		return 0;
	}
	memset(&in, 0, sizeof(in));
	in.method = "CANCEL";
	in.from = url_as_string(home, sip->sip_from->a_url);
	in.call_id = sip->sip_call_id->i_id;
	if (request_verified(u, home, sip, why, sizeof(why)) != 0)
		in.problem = why;
	else {
		in.verified = 1;
		if (answer(u, irq, 487, "Request Terminated", 1, TAG_END()) ==
		    0)
			in.status = 487;
		else
			in.problem = "cannot answer";
		u->ring_irq = NULL;
		nta_incoming_destroy(irq);
	}
	if (u->in_fn != NULL)
		u->in_fn(u->in_arg, u, &in);
	su_home_deinit(home);
	return 0;
}

static void
incoming(struct uac *u, nta_incoming_t *irq, const sip_t *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	sip_method_t m = sip->sip_request->rq_method;
	struct uac_incoming in;
	char why[768], *contact, *sdp, *text;
	msg_t *req;

	if ((req = nta_incoming_getrequest(irq)) != NULL) {
		uac_trace_msg(u, 0, req);
		msg_destroy(req);
	}
	memset(&in, 0, sizeof(in));
	in.method = sip->sip_request->rq_method_name;
	in.from = url_as_string(home, sip->sip_from->a_url);
	in.call_id = sip->sip_call_id->i_id;
	if (request_verified(u, home, sip, why, sizeof(why)) != 0) {
		/* Refused, unsigned: the server drops it on its way back. */
		in.problem = why;
		if (m != sip_method_ack && answer(u, irq, 403, "Forbidden", 0,
		    SIPTAG_WARNING_STR("399 sipsa-client \"signature missing "
		    "or wrong\""), TAG_END()) == 0)
			in.status = 403;
		goto out;
	}
	in.verified = 1;
	switch (m) {
	case sip_method_ack:
		break;
	case sip_method_message:
		if (sip->sip_payload != NULL && (text = su_strndup(home,
		    sip->sip_payload->pl_data, sip->sip_payload->pl_len)) !=
		    NULL)
			in.text = text;
		else
			in.text = "";
		in.status = 200;
		break;
	case sip_method_invite:
		contact = uac_contact_of(u, home);
		sdp = uac_sdp_body(u, home);
		if (contact == NULL || sdp == NULL) {
			in.status = 500;
			break;
		}
		(void)answer(u, irq, 180, "Ringing", 1,
		    SIPTAG_CONTACT_STR(contact), TAG_END());
		if ((u->in_flags & UAC_IN_RING) && u->ring_irq == NULL) {
			/* Left ringing until the caller cancels. */
			u->ring_irq = irq;
			nta_incoming_bind(irq, on_ring_cancel, u);
			in.status = 180;
			goto out;
		}
		if (answer(u, irq, 200, "OK", 1, SIPTAG_CONTACT_STR(contact),
		    SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		    SIPTAG_PAYLOAD_STR(sdp), TAG_END()) == 0)
			in.status = 200;
		else
			in.problem = "cannot answer";
		goto out;
	case sip_method_bye:
	case sip_method_options:
		in.status = 200;
		break;
	default:
		in.status = 405;
		break;
	}
	if (in.status != 0 && answer(u, irq, in.status, NULL, 1,
	    TAG_IF(in.status == 405, SIPTAG_ALLOW_STR("ACK, BYE, INVITE, "
	    "MESSAGE, OPTIONS")), TAG_END()) != 0)
		in.problem = "cannot answer";
 out:
	if (u->in_fn != NULL)
		u->in_fn(u->in_arg, u, &in);
	su_home_deinit(home);
}

/*
 * Which of our endpoints a request is for: the one whose epid is in To
 * (the server puts it there), else the one whose user is the
 * Request-URI's user.
 */
static struct uac *
endpoint_for(struct uac_agent *a, const sip_t *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sipauth_str v, e;
	const char *user = sip->sip_request->rq_url->url_user;
	struct uac *u, *found = NULL;

	if (sipauth_hdr_value(home, (const sip_header_t *)sip->sip_to,
	    &v) == 0 && sipauth_epid_from_hdr(v.ptr, v.len, &e) == 0) {
		for (u = a->uacs; u != NULL && found == NULL; u = u->next)
			if (strlen(u->epid) == e.len &&
			    strncasecmp(u->epid, e.ptr, e.len) == 0)
				found = u;
	} else if (user != NULL) {
		for (u = a->uacs; u != NULL && found == NULL; u = u->next)
			if (strncmp(u->aor + 4, user, strlen(user)) == 0 &&
			    u->aor[4 + strlen(user)] == '@')
				found = u;
	}
	su_home_deinit(home);
	return found;
}

int
uac_agent_request(struct uac_agent *a, nta_leg_t *leg, nta_incoming_t *irq,
    const sip_t *sip)
{
	struct uac *u;

	(void)leg;
	if ((u = endpoint_for(a, sip)) == NULL) {
		if (sip->sip_request->rq_method == sip_method_ack) {
			nta_incoming_destroy(irq);
			return 0;
		}
		return 404;
	}
	incoming(u, irq, sip);
	if (irq != u->ring_irq)
		nta_incoming_destroy(irq);
	return 0;
}
