/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/uac_register.c: uac_register() of tools/uac.h: the REGISTER built
 * with Sofia, signed with the SA (notes §3), and the first look at every
 * response the endpoint gets: the server's TLS name, 401/407 to the
 * handshake, rspauth checked (notes §4), 301 to a home server (notes §9),
 * 423 retried with Min-Expires; other methods' answers go on to
 * uac_dialog.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tools/uac_int.h"

/* ---- sending ---- */

static msg_t *
build_register(struct uac *u, su_home_t *home)
{
	msg_t *msg;
	sip_t *sip;
	const sip_contact_t *self;
	const char *host = "invalid", *port = NULL;
	char *rq, *from, *to, *cseq, *contact, exp[16];

	if ((msg = nta_msg_create(u->agent->nta, 0)) == NULL)
		return NULL;
	sip = sip_object(msg);
	self = nta_agent_contact(u->agent->nta);
	if (self != NULL && self->m_url->url_host != NULL) {
		host = self->m_url->url_host;
		port = self->m_url->url_port;
	}
	(void)snprintf(exp, sizeof(exp), "%d", u->expires);
	rq = su_sprintf(home, "REGISTER sip:%s SIP/2.0", u->domain);
	from = su_sprintf(home, "<%s>;tag=%s;epid=%s", u->aor, u->from_tag,
	    u->epid);
	to = su_sprintf(home, "<%s>", u->aor);
	cseq = su_sprintf(home, "%u REGISTER", ++u->cseq);
	contact = su_sprintf(home, "<sip:%.*s@%s%s%s;transport=%s>;"
	    "+sip.instance=\"<urn:uuid:%s>\"", (int)strcspn(u->aor + 4, "@"),
	    u->aor + 4, host, port != NULL ? ":" : "", port != NULL ? port : "",
	    uac_tp_names[u->tp], u->uuid);
	if (rq == NULL || from == NULL || to == NULL || cseq == NULL ||
	    contact == NULL || sip_add_tl(msg, sip,
	    SIPTAG_REQUEST_STR(rq),
	    SIPTAG_MAX_FORWARDS_STR("70"),
	    SIPTAG_FROM_STR(from),
	    SIPTAG_TO_STR(to),
	    SIPTAG_CALL_ID_STR(u->call_id),
	    SIPTAG_CSEQ_STR(cseq),
	    SIPTAG_CONTACT_STR(contact),
	    SIPTAG_USER_AGENT_STR(u->user_agent),
	    TAG_IF(u->expires >= 0, SIPTAG_EXPIRES_STR(exp)),
	    TAG_END()) < 0) {
		msg_destroy(msg);
		return NULL;
	}
	return msg;
}

/*
 * Sign the complete message with the SA: crand, cnum and response go into
 * cred.  The string is made from the headers as Sofia will encode them.
 * cnum is one counter for every message the endpoint signs, requests and
 * responses alike.  Returns 0, or -1 with the reason in why.
 */
int
uac_sign_msg(struct uac *u, su_home_t *home, const sip_t *sip,
    struct sipauth_cred *cred, char crand[9], char cnum[12],
    char hex[2 * MECH_SIG_MAX + 1], const char **why)
{
	struct sipauth_sigparams p;
	struct mech_status st;
	uint8_t mac[MECH_SIG_MAX];
	size_t len, maclen = 0;
	char *str;
	enum mech_reason r;

	*why = "cannot build the signature string";
	if (uac_random_hex(crand, 4) != 0)
		return -1;
	/* The next cnum; it is used up once the string is made. */
	(void)snprintf(cnum, 12, "%u", u->sa.cnum + 1);
	p = (struct sipauth_sigparams){
		.version = u->sa.version, .scheme = u->sa.scheme,
		.rand = sipauth_s(crand), .num = sipauth_s(cnum),
		.realm = sipauth_s(u->sa.realm),
		.targetname = sipauth_s(u->sa.targetname),
	};
	if (sipauth_sigstr_msg(home, sip, &p, &str, &len) != 0)
		return -1;
	u->sa.cnum++;
	r = mech_sign(u->sa.ctx, str, len, mac, &maclen, &st);
	if (r != MECH_OK) {
		*why = mech_reason_text(r);
		return -1;
	}
	sipauth_hex_encode(mac, maclen, hex);
	OPENSSL_cleanse(mac, sizeof(mac));
	cred->crand = sipauth_s(crand);
	cred->cnum = sipauth_s(cnum);
	cred->cnum_val = u->sa.cnum;
	cred->response = sipauth_s(hex);
	return 0;
}

/*
 * Send a REGISTER in state st.  gssapi (base64, "" for the NTLM first leg)
 * makes it a handshake leg; sign asks for crand/cnum/response.  Returns 0,
 * or 1 with the failure recorded.
 */
int
uac_send_register(struct uac *u, enum uac_state st, const char *gssapi,
    int sign)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sipauth_cred cred;
	char crand[9], cnum[12], hex[2 * MECH_SIG_MAX + 1], *route, *value;
	const char *why;
	msg_t *msg, *sent;
	sip_t *sip;
	int rc = 0;

	uac_sofia_last[0] = '\0';
	(void)snprintf(u->where, sizeof(u->where), "%s%s%s:%u;transport=%s",
	    strchr(u->server, ':') != NULL ? "[" : "", u->server,
	    strchr(u->server, ':') != NULL ? "]" : "", u->port,
	    uac_tp_names[u->tp]);
	if ((msg = build_register(u, home)) == NULL) {
		su_home_deinit(home);
		return uac_fail(u, UAC_E_INTERNAL, "cannot build a REGISTER");
	}
	sip = sip_object(msg);
	if (st != ST_PLAIN) {
		memset(&cred, 0, sizeof(cred));
		cred.scheme = u->sa.scheme;
		cred.family = u->sa.fam;
		cred.scheme_tok = sipauth_s(sipauth_scheme_name(u->sa.scheme));
		cred.qop = sipauth_s("auth");
		cred.realm = sipauth_s(u->sa.realm);
		cred.targetname = sipauth_s(u->sa.targetname);
		if (u->sa.opaque[0] != '\0')
			cred.opaque = sipauth_s(u->sa.opaque);
		if (gssapi != NULL) {
			cred.gssapi_data = sipauth_s(gssapi);
			cred.version = u->sa.version;
		}
		if (sign && uac_sign_msg(u, home, sip, &cred, crand, cnum, hex,
		    &why) != 0) {
			rc = uac_fail(u, UAC_E_INTERNAL, "cannot sign: %s",
			    why);
			goto fail;
		}
		if (sipauth_format_cred(home, &cred, &value) != 0 ||
		    sipauth_add_raw_header(msg, sip,
		    u->sa.fam == SIPAUTH_PROXY ? "Proxy-Authorization" :
		    "Authorization", value) != 0) {
			rc = uac_fail(u, UAC_E_INTERNAL, "cannot format the "
			    "credential");
			goto fail;
		}
	}
	route = su_sprintf(home, "sip:%s", u->where);
	u->orq = route == NULL ? NULL : nta_outgoing_mcreate(u->agent->nta,
	    uac_on_response, u, URL_STRING_MAKE(route), msg, TAG_END());
	if (u->orq == NULL) {
		rc = uac_fail(u, UAC_E_TRANSPORT, "cannot send to %s",
		    u->where);
		goto out;
	}
	u->state = st;
	if ((sent = nta_outgoing_getrequest(u->orq)) != NULL) {
		uac_trace_msg(u, 1, sent);
		msg_destroy(sent);
	}
	su_timer_set_interval(u->timer, uac_on_timeout, u, u->timeout_ms);
	goto out;
 fail:
	msg_destroy(msg);
 out:
	su_home_deinit(home);
	return rc;
}

/* ---- responses ---- */

/* Start over at the server a 301 names (notes §9). */
static int
redirect(struct uac *u, const sip_t *sip)
{
	const url_t *url;
	char tp[16];
	unsigned long port;

	if (sip->sip_contact == NULL || (url = sip->sip_contact->m_url) ==
	    NULL || url->url_host == NULL)
		return uac_fail(u, UAC_E_STATUS, "%d without a Contact",
		    sip->sip_status->st_status);
	if ((int)u->redirects >= u->max_redirects)
		return uac_fail(u, UAC_E_STATUS, "more than %d redirects",
		    u->max_redirects);
	if (url->url_params != NULL &&
	    url_param(url->url_params, "transport", tp, sizeof(tp)) > 0) {
		if (strcasecmp(tp, "tls") == 0)
			u->tp = UAC_TP_TLS;
		else if (strcasecmp(tp, "tcp") == 0)
			u->tp = UAC_TP_TCP;
		else if (strcasecmp(tp, "udp") == 0)
			u->tp = UAC_TP_UDP;
		else
			return uac_fail(u, UAC_E_STATUS, "redirected to an "
			    "unknown transport %s", tp);
	} else if (url->url_type == url_sips)
		u->tp = UAC_TP_TLS;
	port = url->url_port != NULL ? strtoul(url->url_port, NULL, 10) :
	    u->tp == UAC_TP_TLS ? 5061 : 5060;
	if (port == 0 || port > 65535)
		return uac_fail(u, UAC_E_STATUS, "redirected to a bad port");
	if ((u->server = su_strdup(u->home, url->url_host)) == NULL ||
	    (u->tls_name = su_strdup(u->home, u->server)) == NULL)
		return uac_fail(u, UAC_E_INTERNAL, "out of memory");
	u->tls_checked = 0;
	/* IPv6 references come with brackets; where adds its own. */
	if (u->server[0] == '[') {
		u->server++;
		u->server[strcspn(u->server, "]")] = '\0';
	}
	u->port = (unsigned)port;
	u->redirects++;
	uac_sa_drop(u);
	u->cseq = 0;
	if (uac_random_hex(u->call_id, 16) != 0)
		return uac_fail(u, UAC_E_INTERNAL, "no randomness");
	return uac_send_register(u, ST_PLAIN, NULL, 0);
}

static int
handle(struct uac *u, const sip_t *sip, int status, int internal)
{
	const char *why;

	u->res.status = status;
	if (internal) {
		/* nta's own answer: nothing came from the network. */
		u->res.status = 0;
		if (status == 408)
			return uac_fail(u, UAC_E_TIMEOUT, "no answer from %s",
			    u->where);
		return uac_fail(u, UAC_E_TRANSPORT, "cannot reach %s: %s",
		    u->where, uac_sofia_last[0] != '\0' ? uac_sofia_last :
		    "transport error");
	}
	(void)snprintf(u->phrase, sizeof(u->phrase), "%s",
	    sip->sip_status->st_phrase);
	if (u->op != OP_REGISTER)
		return uac_handle_other(u, sip, status);
	why = sip->sip_warning != NULL && sip->sip_warning->w_text != NULL ?
	    sip->sip_warning->w_text : NULL;
	if (status == 401 || status == 407)
		return uac_on_challenge(u, sip, status);
	if (uac_check_rspauth(u, sip, status) != 0)
		return 1;
	if (status >= 200 && status < 300) {
		u->res.expires = sip->sip_expires != NULL ?
		    (int)sip->sip_expires->ex_delta : -1;
		if (u->res.expires < 0 && sip->sip_contact != NULL &&
		    sip->sip_contact->m_expires != NULL)
			u->res.expires = atoi(sip->sip_contact->m_expires);
		if (u->expires == 0)
			u->res.expires = 0;
		u->res.error = UAC_OK;
		return 1;
	}
	if (status == 301 || status == 302)
		return redirect(u, sip);
	if (status == 423 && sip->sip_min_expires != NULL &&
	    u->retries_423++ == 0) {
		u->expires = (int)sip->sip_min_expires->me_delta;
		return uac_send_register(u, u->sa.complete ? ST_SIGNED :
		    ST_PLAIN, NULL, u->sa.complete);
	}
	if (status == 403 && u->state == ST_FINAL)
		return uac_fail(u, UAC_E_AUTH, "%d %s after the handshake%s%s",
		    status, u->phrase, why != NULL ? ": " : "",
		    why != NULL ? why : "");
	return uac_fail(u, UAC_E_STATUS, "%d %s%s%s", status, u->phrase,
	    why != NULL ? ": " : "", why != NULL ? why : "");
}

/*
 * The first response over a TLS connection: the certificate chain was
 * verified by Sofia; it must also name the server.  Returns 0 or 1.
 */
static int
check_tls_name(struct uac *u, nta_outgoing_t *orq, msg_t *msg)
{
	tport_t *tp;
	su_strlst_t const *names;
	int ok;

	if (u->tp != UAC_TP_TLS || u->agent->tls_insecure || u->tls_checked)
		return 0;
	if ((tp = nta_outgoing_transport(orq)) == NULL)
		return uac_fail(u, UAC_E_TRANSPORT, "TLS: no transport");
	names = tport_delivered_from_subjects(tp, msg);
	ok = tport_is_verified(tp) && names != NULL &&
	    tport_subject_search(u->tls_name, names);
	tport_unref(tp);
	if (!ok)
		return uac_fail(u, UAC_E_TRANSPORT, "TLS: the certificate of "
		    "%s is not for %s (see --tls-name)", u->where,
		    u->tls_name);
	u->tls_checked = 1;
	return 0;
}

int
uac_on_response(struct uac *u, nta_outgoing_t *orq, const sip_t *sip)
{
	msg_t *msg = NULL;
	int status = sip != NULL ? sip->sip_status->st_status :
	    nta_outgoing_status(orq);
	int internal = 1;

	/* nta answers by itself (408, 503) when nothing comes back. */
	if (sip != NULL && (msg = nta_outgoing_getresponse(orq)) != NULL &&
	    !nta_is_internal_msg(msg))
		internal = 0;
	if (!internal)
		uac_trace_msg(u, 0, msg);
	if (status < 200) {
		if (!internal && status > 100 && u->op != OP_REGISTER)
			uac_provisional(u, sip);
		msg_destroy(msg);
		return 0;
	}
	su_timer_reset(u->timer);
	u->orq = NULL;
	if ((!internal && check_tls_name(u, orq, msg) != 0) ||
	    handle(u, sip, status, internal) != 0) {
		msg_destroy(msg);
		nta_outgoing_destroy(orq);
		uac_finish(u);
		return 0;
	}
	msg_destroy(msg);
	nta_outgoing_destroy(orq);
	return 0;
}

int
uac_register(struct uac *u, int expires, uac_done_f *done, void *arg)
{
	int signed_ = u->sa.ctx != NULL && u->sa.complete &&
	    u->sa.opaque[0] != '\0';

	if (u->state != ST_IDLE)
		return EBUSY;
	u->op = OP_REGISTER;
	memset(&u->res, 0, sizeof(u->res));
	u->res.expires = -1;
	u->phrase[0] = u->text[0] = '\0';
	u->expires = expires;
	u->reauth = 0;
	u->retries_423 = 0;
	u->done = done;
	u->done_arg = arg;
	if (uac_send_register(u, signed_ ? ST_SIGNED : ST_PLAIN, NULL,
	    signed_) != 0) {
		u->done = NULL;
		u->state = ST_IDLE;
		return u->res.error == UAC_E_INTERNAL ? ENOMEM : EIO;
	}
	return 0;
}
