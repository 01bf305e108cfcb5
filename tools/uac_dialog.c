/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/uac_dialog.c: requests to other users on the SA of a finished
 * registration (tools/uac.h): MESSAGE, INVITE with its signed ACK, BYE,
 * and the CANCEL of uac_set_cancel(), each signed as SIPE signs them and
 * every answer's rspauth checked.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tools/uac_int.h"

/* Our Contact: the agent's address, the transport of the connection. */
char *
uac_contact_of(struct uac *u, su_home_t *home)
{
	const sip_contact_t *self = nta_agent_contact(u->agent->nta);
	const char *host = "invalid", *port = NULL;

	if (self != NULL && self->m_url->url_host != NULL) {
		host = self->m_url->url_host;
		port = self->m_url->url_port;
	}
	return su_sprintf(home, "<sip:%.*s@%s%s%s;transport=%s>",
	    (int)strcspn(u->aor + 4, "@"), u->aor + 4, host,
	    port != NULL ? ":" : "", port != NULL ? port : "",
	    uac_tp_names[u->tp]);
}

/*
 * Sign msg (a request we send, or our answer to one) with the SA and add
 * the Authorization (Proxy-Authorization for an SA made over 407) header:
 * opaque, realm, targetname, crand, cnum, response, as SIPE sends them.
 * tamper spoils the signature (a test hook).  Returns 0, or -1 with the
 * reason in why.
 */
int
uac_add_signature(struct uac *u, su_home_t *home, msg_t *msg, sip_t *sip,
    int tamper, const char **why)
{
	struct sipauth_cred cred;
	char crand[9], cnum[12], hex[2 * MECH_SIG_MAX + 1], *value;
	size_t n;

	memset(&cred, 0, sizeof(cred));
	cred.scheme = u->sa.scheme;
	cred.family = u->sa.fam;
	cred.scheme_tok = sipauth_s(sipauth_scheme_name(u->sa.scheme));
	cred.qop = sipauth_s("auth");
	cred.realm = sipauth_s(u->sa.realm);
	cred.targetname = sipauth_s(u->sa.targetname);
	cred.opaque = sipauth_s(u->sa.opaque);
	if (uac_sign_msg(u, home, sip, &cred, crand, cnum, hex, why) != 0)
		return -1;
	if (tamper) {
		/* A checksum digit: inside the NTLM checksum (bytes 4-11),
		   the last one of a Kerberos MIC token. */
		n = strlen(hex);
		n = n == 32 ? 12 : n - 1;
		hex[n] = hex[n] == '0' ? '1' : '0';
	}
	*why = "cannot format the credential";
	if (sipauth_format_cred(home, &cred, &value) != 0 ||
	    sipauth_add_raw_header(msg, sip, u->sa.fam == SIPAUTH_PROXY ?
	    "Proxy-Authorization" : "Authorization", value) != 0)
		return -1;
	return 0;
}

/*
 * Build, sign and send a request outside REGISTER: method to ruri with
 * the given To, Call-ID, From tag and CSeq, route set and body.  ACK goes
 * without a transaction.  Returns 0, or 1 with the failure recorded.
 */
static int
send_request(struct uac *u, const char *method, const char *ruri,
    const char *to, const char *call_id, const char *tag, uint32_t cseq,
    const char *route, const char *ctype, const char *body)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	int ack = strcmp(method, "ACK") == 0, rc = 0;
	int dialog = strcmp(method, "INVITE") == 0;
	char *rq, *from, *cs, *hop, *contact = NULL;
	const char *why;
	nta_outgoing_t *orq;
	msg_t *msg, *sent;
	sip_t *sip;

	uac_sofia_last[0] = '\0';
	if ((msg = nta_msg_create(u->agent->nta, 0)) == NULL) {
		su_home_deinit(home);
		return uac_fail(u, UAC_E_INTERNAL, "out of memory");
	}
	sip = sip_object(msg);
	rq = su_sprintf(home, "%s %s SIP/2.0", method, ruri);
	from = su_sprintf(home, "<%s>;tag=%s;epid=%s", u->aor, tag, u->epid);
	cs = su_sprintf(home, "%u %s", cseq, method);
	hop = su_sprintf(home, "sip:%s", u->where);
	if (dialog)
		contact = uac_contact_of(u, home);
	if (rq == NULL || from == NULL || cs == NULL || hop == NULL ||
	    (dialog && contact == NULL) || sip_add_tl(msg, sip,
	    SIPTAG_REQUEST_STR(rq),
	    SIPTAG_MAX_FORWARDS_STR("70"),
	    SIPTAG_FROM_STR(from),
	    SIPTAG_TO_STR(to),
	    SIPTAG_CALL_ID_STR(call_id),
	    SIPTAG_CSEQ_STR(cs),
	    TAG_IF(route != NULL, SIPTAG_ROUTE_STR(route)),
	    TAG_IF(contact != NULL, SIPTAG_CONTACT_STR(contact)),
	    SIPTAG_USER_AGENT_STR(u->user_agent),
	    TAG_IF(ctype != NULL, SIPTAG_CONTENT_TYPE_STR(ctype)),
	    TAG_IF(body != NULL, SIPTAG_PAYLOAD_STR(body)),
	    TAG_END()) < 0) {
		rc = uac_fail(u, UAC_E_INTERNAL, "cannot build the %s", method);
		goto fail;
	}
	if (uac_add_signature(u, home, msg, sip, 0, &why) != 0) {
		rc = uac_fail(u, UAC_E_INTERNAL, "cannot sign the %s: %s",
		    method, why);
		goto fail;
	}
	/*
	 * Always to the server, over the connection we registered on.  An
	 * INVITE as a user agent's (NTATAG_UA for the time of the call):
	 * otherwise nta ends its transaction over TCP or TLS once the
	 * CANCEL is sent, and the 487 finds none.
	 */
	if (dialog)
		(void)nta_agent_set_params(u->agent->nta, NTATAG_UA(1),
		    TAG_END());
	orq = nta_outgoing_mcreate(u->agent->nta, ack ? NULL : uac_on_response,
	    ack ? NULL : u, URL_STRING_MAKE(hop), msg, TAG_END());
	if (dialog)
		(void)nta_agent_set_params(u->agent->nta, NTATAG_UA(0),
		    TAG_END());
	if (orq == NULL) {
		rc = uac_fail(u, UAC_E_TRANSPORT, "cannot send the %s to %s",
		    method, u->where);
		goto fail;
	}
	if ((sent = nta_outgoing_getrequest(orq)) != NULL) {
		uac_trace_msg(u, 1, sent);
		msg_destroy(sent);
	}
	if (ack)
		nta_outgoing_destroy(orq);
	else {
		u->orq = orq;
		u->state = ST_SIGNED;
		su_timer_set_interval(u->timer, uac_on_timeout, u,
		    u->timeout_ms);
	}
	goto out;
 fail:
	msg_destroy(msg);
 out:
	su_home_deinit(home);
	return rc;
}

/* Start an operation other than REGISTER: the common checks. */
static int
begin_op(struct uac *u, enum uac_op op, uac_done_f *done, void *arg)
{
	if (u->state != ST_IDLE)
		return EBUSY;
	if (u->sa.ctx == NULL || !u->sa.complete || u->sa.opaque[0] == '\0')
		return EAGAIN;
	u->op = op;
	memset(&u->res, 0, sizeof(u->res));
	u->res.expires = -1;
	u->phrase[0] = u->text[0] = '\0';
	u->done = done;
	u->done_arg = arg;
	return 0;
}

/* The request did not go out: no callback will come. */
static int
abort_op(struct uac *u)
{
	u->done = NULL;
	u->state = ST_IDLE;
	return u->res.error == UAC_E_INTERNAL ? ENOMEM : EIO;
}

/* A sip: URI a person typed, as the To of a new request. */
static int
check_uri(const char *to)
{
	return strncasecmp(to, "sip:", 4) == 0 && strchr(to, '@') != NULL &&
	    strpbrk(to, "<>\"; \t\r\n") == NULL ? 0 : EINVAL;
}

int
uac_message(struct uac *u, const char *to, const char *text,
    uac_done_f *done, void *arg)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char call_id[33], tag[11], *tohdr;
	int rc;

	if (check_uri(to) != 0 || text == NULL)
		return EINVAL;
	if ((rc = begin_op(u, OP_MESSAGE, done, arg)) != 0)
		return rc;
	if (uac_random_hex(call_id, 16) != 0 || uac_random_hex(tag, 5) != 0 ||
	    (tohdr = su_sprintf(home, "<%s>", to)) == NULL) {
		su_home_deinit(home);
		u->done = NULL;
		return ENOMEM;
	}
	rc = send_request(u, "MESSAGE", to, tohdr, call_id, tag, 1, NULL,
	    "text/plain; charset=UTF-8", text);
	su_home_deinit(home);
	return rc != 0 ? abort_op(u) : 0;
}

/* A minimal SDP: one audio stream on the discard port, inactive. */
char *
uac_sdp_body(struct uac *u, su_home_t *home)
{
	const sip_contact_t *self = nta_agent_contact(u->agent->nta);
	const char *host = self != NULL && self->m_url->url_host != NULL ?
	    self->m_url->url_host : "127.0.0.1";
	const char *af = strchr(host, ':') != NULL ? "IP6" : "IP4";
	char h[64];

	(void)snprintf(h, sizeof(h), "%.*s", (int)strcspn(host + (*host ==
	    '['), "]"), host + (*host == '['));
	return su_sprintf(home,
	    "v=0\r\n"
	    "o=- %u 1 IN %s %s\r\n"
	    "s=sipsa-client\r\n"
	    "c=IN %s %s\r\n"
	    "t=0 0\r\n"
	    "m=audio 9 RTP/AVP 0\r\n"
	    "a=rtpmap:0 PCMU/8000\r\n"
	    "a=inactive\r\n", u->sa.cnum, af, h, af, h);
}

int
uac_invite(struct uac *u, const char *to, uac_done_f *done, void *arg)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct uac_dialog *d = &u->dlg;
	char *tohdr, *sdp;
	int rc;

	if (check_uri(to) != 0)
		return EINVAL;
	if (d->state != 0)
		return EBUSY;
	if ((rc = begin_op(u, OP_INVITE, done, arg)) != 0)
		return rc;
	su_free(u->home, d->uri);
	su_free(u->home, d->to);
	su_free(u->home, d->target);
	su_free(u->home, d->route);
	memset(d, 0, sizeof(*d));
	if (uac_random_hex(d->call_id, 16) != 0 ||
	    uac_random_hex(d->tag, 5) != 0 ||
	    (d->uri = su_strdup(u->home, to)) == NULL ||
	    (tohdr = su_sprintf(home, "<%s>", to)) == NULL ||
	    (sdp = uac_sdp_body(u, home)) == NULL) {
		su_home_deinit(home);
		u->done = NULL;
		return ENOMEM;
	}
	d->cseq = 1;
	d->state = 1;
	u->cancelled = 0;
	rc = send_request(u, "INVITE", to, tohdr, d->call_id, d->tag,
	    d->cseq, NULL, "application/sdp", sdp);
	su_home_deinit(home);
	if (rc != 0) {
		d->state = 0;
		return abort_op(u);
	}
	return 0;
}

int
uac_bye(struct uac *u, uac_done_f *done, void *arg)
{
	struct uac_dialog *d = &u->dlg;
	int rc;

	if (d->state != 2)
		return EAGAIN;
	if ((rc = begin_op(u, OP_BYE, done, arg)) != 0)
		return rc;
	if (send_request(u, "BYE", d->target, d->to, d->call_id, d->tag,
	    ++d->cseq, d->route, NULL, NULL) != 0)
		return abort_op(u);
	return 0;
}

int
uac_in_call(const struct uac *u)
{
	return u->dlg.state == 2;
}

/*
 * The 2xx to our INVITE: the dialog's remote To (tag and the callee's
 * epid), remote target and route set (Record-Route, reversed), then the
 * signed ACK.  Returns 0, or 1 with the failure recorded.
 */
static int
dialog_up(struct uac *u, const sip_t *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct uac_dialog *d = &u->dlg;
	const sip_record_route_t *rr;
	char *to, *target, *route = NULL, *one;
	int rc;

	if (sip->sip_contact == NULL || sip->sip_to->a_tag == NULL) {
		su_home_deinit(home);
		return uac_fail(u, UAC_E_STATUS, "%d %s without Contact or To "
		    "tag", sip->sip_status->st_status, u->phrase);
	}
	to = sip_header_as_string(home, (const sip_header_t *)sip->sip_to);
	target = url_as_string(home, sip->sip_contact->m_url);
	for (rr = sip->sip_record_route; rr != NULL; rr = rr->r_next) {
		one = sip_header_as_string(home, (const sip_header_t *)rr);
		if (one == NULL)
			break;
		route = route == NULL ? one : su_sprintf(home, "%s, %s", one,
		    route);
	}
	if (to == NULL || target == NULL ||
	    (d->to = su_strdup(u->home, to)) == NULL ||
	    (d->target = su_strdup(u->home, target)) == NULL ||
	    (route != NULL && (d->route = su_strdup(u->home, route)) ==
	    NULL)) {
		su_home_deinit(home);
		return uac_fail(u, UAC_E_INTERNAL, "out of memory");
	}
	su_home_deinit(home);
	d->state = 2;
	rc = send_request(u, "ACK", d->target, d->to, d->call_id, d->tag,
	    d->cseq, d->route, NULL, NULL);
	return rc;
}

/* The final answer to MESSAGE, INVITE or BYE. */
int
uac_handle_other(struct uac *u, const sip_t *sip, int status)
{
	const char *why = sip->sip_warning != NULL &&
	    sip->sip_warning->w_text != NULL ? sip->sip_warning->w_text : NULL;
	int rc;

	if (u->op == OP_BYE)
		u->dlg.state = 0;	/* over, whatever the answer */
	else if (u->op == OP_INVITE && status >= 300)
		u->dlg.state = 0;
	if (status == 401 || status == 407)
		return uac_fail(u, UAC_E_AUTH, "%d %s: the server wants a new "
		    "handshake (register again)%s%s", status, u->phrase,
		    why != NULL ? ": " : "", why != NULL ? why : "");
	if (uac_check_rspauth(u, sip, status) != 0) {
		if (u->op == OP_INVITE)
			u->dlg.state = 0;
		return 1;
	}
	/* The 487 to an INVITE we cancelled is what we asked for. */
	if (u->op == OP_INVITE && u->cancelled && status == 487) {
		u->res.error = UAC_OK;
		return 1;
	}
	if (status >= 300)
		return uac_fail(u, UAC_E_STATUS, "%d %s%s%s", status, u->phrase,
		    why != NULL ? ": " : "", why != NULL ? why : "");
	if (u->op == OP_INVITE && (rc = dialog_up(u, sip)) != 0) {
		u->dlg.state = 0;
		return rc;
	}
	u->res.error = UAC_OK;
	return 1;
}

void
uac_set_cancel(struct uac *u, long after_ms)
{
	u->cancel_after = after_ms;
}

/*
 * Send the CANCEL of our INVITE, signed like any request: nta builds it
 * from the INVITE, so the signature is made beforehand on a message with
 * the same signed fields (sipauth_cancel_of) and given to nta as a tag.
 */
static void
on_cancel_timer(su_root_magic_t *rm, su_timer_t *t, struct uac *u)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	msg_t *req = NULL, *cancel = NULL, *sent;
	const sip_header_t *auth = NULL;
	nta_outgoing_t *corq = NULL;
	const char *why;

	(void)rm;
	(void)t;
	if (u->op != OP_INVITE || u->orq == NULL) {
		su_home_deinit(home);
		return;
	}
	if ((req = nta_outgoing_getrequest(u->orq)) != NULL &&
	    (cancel = sipauth_cancel_of(sip_object(req))) != NULL &&
	    uac_add_signature(u, home, cancel, sip_object(cancel), 0,
	    &why) == 0)
		auth = (const sip_header_t *)sip_object(cancel)->sip_unknown;
	if (auth == NULL)
		(void)uac_fail(u, UAC_E_INTERNAL, "cannot sign the CANCEL");
	else if ((corq = nta_outgoing_tcancel(u->orq, NULL, NULL,
	    SIPTAG_HEADER(auth), TAG_END())) == NULL)
		(void)uac_fail(u, UAC_E_INTERNAL, "cannot send the CANCEL");
	else if ((sent = nta_outgoing_getrequest(corq)) != NULL) {
		/* nta's default callback ends the CANCEL's transaction. */
		uac_trace_msg(u, 1, sent);
		msg_destroy(sent);
	}
	msg_destroy(cancel);
	msg_destroy(req);
	su_home_deinit(home);
}

/* 180 and the like: checked; one without a valid rspauth is dropped. */
void
uac_provisional(struct uac *u, const sip_t *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sipauth_info info;
	struct sipauth_str text;
	char why[768];

	if (uac_find_info(home, u, sip, &info, &text) == 0 &&
	    uac_server_sig_ok(u, home, sip, &info, why, sizeof(why)) == 0) {
		u->res.verified++;
		if (u->op == OP_INVITE && u->cancel_after >= 0 &&
		    !u->cancelled && u->orq != NULL) {
			u->cancelled = 1;
			(void)su_timer_set_interval(u->cancel_timer,
			    on_cancel_timer, u,
			    (su_duration_t)u->cancel_after);
		}
	} else
		u->res.discarded++;
	su_home_deinit(home);
}
