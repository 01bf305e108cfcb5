/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/pipeline/peer.c: the scripted SIP peers of the pipeline harness
 * (tests/pipeline/pipeline.h).  Each peer is an nta agent of its own on
 * the harness's su_root, parsing with MSG_FLG_EXTRACT_COPY so that
 * signatures are checked over the received header text.  A peer plays an
 * MS-SIPAE client ([MS-SIPAE] §3.2) with the fake mechanism: it signs
 * what it sends (Authorization: crand, cnum, response; the MAC over
 * sipauth_sigstr_msg's string) and checks sipsad's Authentication-Info
 * on what it receives, as tools/uac.c does with the real mechanisms.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NTA_LEG_MAGIC_T		struct peer
#define NTA_INCOMING_MAGIC_T	struct peer_in
#define NTA_OUTGOING_MAGIC_T	struct peer_out
#include <sofia-sip/su.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/url.h>

#include "sipauth/sipauth.h"
#include "tests/fake/fake_mech.h"
#include "tests/pipeline/pipeline.h"

/* Makes Call-IDs unique within the run. */
static unsigned call_serial;

static int	peer_request(struct peer *p, nta_leg_t *leg,
		    nta_incoming_t *irq, const sip_t *sip);

struct peer *
peer_create(struct harness *h, const char *user, const char *epid)
{
	const sip_contact_t *self;
	struct peer *p;

	if (h->npeers == HARNESS_MAX_PEERS ||
	    (p = su_home_new(sizeof(*p))) == NULL)
		return NULL;
	h->peers[h->npeers++] = p;	/* harness_stop() frees it */
	p->h = h;
	(void)snprintf(p->user, sizeof(p->user), "%s", user);
	(void)snprintf(p->aor, sizeof(p->aor), "sip:%s@" HARNESS_DOMAIN, user);
	peer_set_domain(p, "EXAMPLE");
	(void)snprintf(p->epid, sizeof(p->epid), "%s", epid);
	(void)snprintf(p->tag, sizeof(p->tag), "%.6s%.6s", user, epid);
	(void)snprintf(p->reg_call_id, sizeof(p->reg_call_id),
	    "reg.%s.%s@pipeline", user, epid);
	p->nta = nta_agent_create(h->root, URL_STRING_MAKE("sip:127.0.0.1:*"),
	    NULL, NULL, NTATAG_SIPFLAGS(MSG_FLG_EXTRACT_COPY),
	    /* A cancelled INVITE gets its 487 from the script, signed. */
	    NTATAG_CANCEL_487(0), NTATAG_USE_NAPTR(0), NTATAG_USE_SRV(0),
	    TAG_END());
	if (p->nta == NULL)
		return NULL;
	/* The default leg: every request sipsad sends this endpoint. */
	p->leg = nta_leg_tcreate(p->nta, peer_request, p, NTATAG_NO_DIALOG(1),
	    TAG_END());
	self = nta_agent_contact(p->nta);
	if (p->leg == NULL || self == NULL || self->m_url->url_port == NULL)
		return NULL;
	(void)snprintf(p->contact, sizeof(p->contact),
	    "<sip:%s@127.0.0.1:%s;transport=tcp>", user,
	    self->m_url->url_port);
	return p;
}

void
peer_destroy(struct peer *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nout; i++) {
		if (p->out[i].orq != NULL)
			nta_outgoing_destroy(p->out[i].orq);
		if (p->out[i].last != NULL)
			msg_destroy(p->out[i].last);
	}
	for (i = 0; i < p->nin; i++) {
		if (p->in[i].irq != NULL)
			nta_incoming_destroy(p->in[i].irq);
		msg_destroy(p->in[i].msg);
	}
	if (p->leg != NULL)
		nta_leg_destroy(p->leg);
	if (p->nta != NULL)
		nta_agent_destroy(p->nta);
	su_home_unref(p->home);
}

/* ---- headers and signatures ---- */

/* A header's name, whether Sofia parsed it, kept it unknown or refused it. */
static const char *
hdr_name(const msg_header_t *h)
{
	if (h->sh_class == sip_unknown_class)
		return h->sh_unknown->un_name;
	if (h->sh_class == sip_error_class)
		return h->sh_error->er_name;
	return h->sh_class->hc_name;
}

size_t
peer_hdr_values(su_home_t *home, const sip_t *sip, const char *name,
    struct sipauth_str *v, size_t max)
{
	const msg_header_t *h;
	const char *hn;
	size_t n = 0;

	h = sip->sip_request != NULL ? (const msg_header_t *)sip->sip_request :
	    (const msg_header_t *)sip->sip_status;
	for (; h != NULL; h = h->sh_succ) {
		if ((hn = hdr_name(h)) == NULL || strcasecmp(hn, name) != 0)
			continue;
		if (n < max && sipauth_hdr_value(home, (const sip_header_t *)h,
		    &v[n]) != 0)
			continue;
		n++;
	}
	return n;
}

int
peer_verify(struct peer *p, const sip_t *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sipauth_str v[4];
	struct sipauth_info info;
	struct sipauth_sigparams sp;
	uint8_t mac[MECH_SIG_MAX], want[FAKE_MECH_SIG_LEN];
	size_t i, n, maclen, len;
	char *str;
	int rc = -1;

	n = p->opaque[0] != '\0' ? peer_hdr_values(home, sip,
	    "Authentication-Info", v, 4) : 0;
	for (i = 0; i < n && i < 4 && rc != 0; i++) {
		if (sipauth_parse_info(v[i].ptr, v[i].len, SIPAUTH_WWW,
		    &info) != 0 || info.scheme != SIPAUTH_NTLM ||
		    !SIPAUTH_PRESENT(info.rspauth) ||
		    !SIPAUTH_PRESENT(info.srand) ||
		    !SIPAUTH_PRESENT(info.snum) ||
		    info.opaque.len != strlen(p->opaque) ||
		    strncasecmp(info.opaque.ptr, p->opaque,
		    info.opaque.len) != 0)
			continue;
		sp = (struct sipauth_sigparams){
			.version = p->version, .scheme = SIPAUTH_NTLM,
			.rand = info.srand, .num = info.snum,
			.realm = info.realm, .targetname = info.targetname,
		};
		if (sipauth_hex_decode(info.rspauth.ptr, info.rspauth.len, mac,
		    sizeof(mac), &maclen) != 0 ||
		    sipauth_sigstr_msg(home, sip, &sp, &str, &len) != 0)
			continue;
		fake_mech_mac(1, p->name, str, len, want);
		if (maclen == FAKE_MECH_SIG_LEN &&
		    memcmp(mac, want, maclen) == 0)
			rc = 0;
	}
	su_home_deinit(home);
	return rc;
}

/*
 * Add the peer's Authorization to msg, which must be complete (a response
 * has its To tag): a handshake leg when gssapi (base64) is given, signed
 * with the SA (crand, cnum, response) when sign is set; PEER_TAMPER in
 * flags spoils the signature.  0 or -1.
 */
static int
add_credential(struct peer *p, msg_t *msg, const char *gssapi, int sign,
    unsigned flags)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	sip_t *sip = sip_object(msg);
	struct sipauth_sigparams sp;
	struct sipauth_cred cred;
	uint8_t mac[FAKE_MECH_SIG_LEN];
	char crand[13], cnum[12], hex[2 * FAKE_MECH_SIG_LEN + 1];
	char *str, *value;
	size_t len;
	int rc = -1;

	memset(&cred, 0, sizeof(cred));
	cred.scheme = SIPAUTH_NTLM;
	cred.family = SIPAUTH_WWW;
	cred.scheme_tok = sipauth_s("NTLM");
	cred.qop = sipauth_s("auth");
	cred.realm = sipauth_s(p->realm);
	cred.targetname = sipauth_s(p->targetname);
	if (p->opaque[0] != '\0')
		cred.opaque = sipauth_s(p->opaque);
	if (gssapi != NULL) {
		cred.gssapi_data = sipauth_s(gssapi);
		cred.version = p->version;
	}
	if (sign) {
		p->cnum++;
		(void)snprintf(crand, sizeof(crand), "%08X%s",
		    (unsigned)(p->cnum * UINT32_C(2654435761)),
		    (flags & PEER_LONG_CRAND) ? "ABCD" : "");
		(void)snprintf(cnum, sizeof(cnum), "%u", (flags &
		    PEER_CNUM_ZERO) ? 0u : (unsigned)p->cnum);
		sp = (struct sipauth_sigparams){
			.version = p->version, .scheme = SIPAUTH_NTLM,
			.rand = sipauth_s(crand), .num = sipauth_s(cnum),
			.realm = sipauth_s(p->realm),
			.targetname = sipauth_s(p->targetname),
		};
		if (sipauth_sigstr_msg(home, sip, &sp, &str, &len) != 0)
			goto out;
		fake_mech_mac(0, p->name, str, len, mac);
		if (flags & PEER_TAMPER)
			mac[0] ^= 0x01;
		sipauth_hex_encode(mac, sizeof(mac), hex);
		cred.crand = sipauth_s(crand);
		cred.cnum = sipauth_s(cnum);
		cred.cnum_val = (flags & PEER_CNUM_ZERO) ? 0 : p->cnum;
		cred.response = sipauth_s(hex);
	}
	if (sipauth_format_cred(home, &cred, &value) == 0 &&
	    sipauth_add_raw_header(msg, sip, "Authorization", value) == 0)
		rc = 0;
 out:
	su_home_deinit(home);
	return rc;
}

/* ---- requests the peer sends ---- */

static int
peer_response(struct peer_out *o, nta_outgoing_t *orq, const sip_t *sip)
{
	int status = sip != NULL ? sip->sip_status->st_status :
	    nta_outgoing_status(orq);
	msg_t *msg;

	if (status <= 100)
		return 0;
	if ((msg = nta_outgoing_getresponse(orq)) != NULL) {
		if (o->last != NULL)
			msg_destroy(o->last);
		o->last = msg;
		o->responses++;
		if (peer_verify(o->p, sip_object(msg)) == 0)
			o->verified++;
	}
	if (status < 200)
		o->provisional = status;
	else if (o->status == 0)
		o->status = status;
	return 0;
}

/*
 * A request from the peer: From its AOR with its tag and epid, Contact on
 * REGISTER and INVITE, a text body on MESSAGE.  NULL when out of memory.
 */
static msg_t *
new_request(struct peer *p, const char *method, const char *ruri,
    const char *to, const char *call_id, uint32_t cseq, const char *route)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	int contact = strcmp(method, "REGISTER") == 0 ||
	    strcmp(method, "INVITE") == 0;
	int text = strcmp(method, "MESSAGE") == 0;
	char *rq, *from, *cs, *body;
	msg_t *msg;

	if ((msg = nta_msg_create(p->nta, 0)) == NULL)
		goto out;
	rq = su_sprintf(home, "%s %s SIP/2.0", method, ruri);
	from = su_sprintf(home, "<%s>;tag=%s;epid=%s", p->aor, p->tag,
	    p->epid);
	cs = su_sprintf(home, "%u %s", (unsigned)cseq, method);
	body = su_sprintf(home, "hello from %s", p->user);
	if (rq == NULL || from == NULL || cs == NULL || body == NULL ||
	    sip_add_tl(msg, sip_object(msg),
	    SIPTAG_REQUEST_STR(rq),
	    SIPTAG_MAX_FORWARDS_STR("70"),
	    SIPTAG_FROM_STR(from),
	    SIPTAG_TO_STR(to),
	    SIPTAG_CALL_ID_STR(call_id),
	    SIPTAG_CSEQ_STR(cs),
	    TAG_IF(route != NULL, SIPTAG_ROUTE_STR(route)),
	    TAG_IF(contact, SIPTAG_CONTACT_STR(p->contact)),
	    TAG_IF(text, SIPTAG_CONTENT_TYPE_STR("text/plain")),
	    TAG_IF(text, SIPTAG_PAYLOAD_STR(body)),
	    TAG_END()) < 0) {
		if (msg != NULL)
			msg_destroy(msg);
		msg = NULL;
	}
 out:
	su_home_deinit(home);
	return msg;
}

/*
 * Send msg (taken) to sipsad over TCP.  An INVITE is created as a user
 * agent's (NTATAG_UA for the call, as tools/uac.c does): as a proxy's,
 * nta would end its transaction over TCP once the CANCEL is out, and the
 * 487 would find none.
 */
static struct peer_out *
launch(struct peer *p, msg_t *msg, const char *call_id, uint32_t cseq)
{
	int invite = sip_object(msg)->sip_request->rq_method ==
	    sip_method_invite;
	struct peer_out *o;

	if (p->nout == PEER_MAX_OUT) {
		msg_destroy(msg);
		return NULL;
	}
	o = &p->out[p->nout];
	memset(o, 0, sizeof(*o));
	o->p = p;
	(void)snprintf(o->call_id, sizeof(o->call_id), "%s", call_id);
	o->cseq = cseq;
	if (invite)
		(void)nta_agent_set_params(p->nta, NTATAG_UA(1), TAG_END());
	o->orq = nta_outgoing_mcreate(p->nta, peer_response, o,
	    URL_STRING_MAKE(p->h->hop), msg, TAG_END());
	if (invite)
		(void)nta_agent_set_params(p->nta, NTATAG_UA(0), TAG_END());
	if (o->orq == NULL) {
		msg_destroy(msg);
		return NULL;
	}
	p->nout++;
	return o;
}

/* A REGISTER: a handshake leg with gssapi, else signed unless flags. */
static struct peer_out *
send_register(struct peer *p, const char *gssapi, int sign, unsigned flags)
{
	char to[80];
	msg_t *msg;

	(void)snprintf(to, sizeof(to), "<%s>", p->aor);
	msg = new_request(p, "REGISTER", "sip:" HARNESS_DOMAIN, to,
	    p->reg_call_id, ++p->cseq, NULL);
	if (msg == NULL)
		return NULL;
	if (!(flags & PEER_UNSIGNED) &&
	    add_credential(p, msg, gssapi, sign, flags) != 0) {
		msg_destroy(msg);
		return NULL;
	}
	return launch(p, msg, p->reg_call_id, p->cseq);
}

struct peer_out *
peer_send_register(struct peer *p, unsigned flags)
{
	return send_register(p, NULL, 1, flags);
}

struct peer_out *
peer_send(struct peer *p, const char *method, const char *ruri,
    unsigned flags)
{
	char call_id[64], to[160];
	msg_t *msg;

	(void)snprintf(call_id, sizeof(call_id), "c%u.%s@pipeline",
	    ++call_serial, p->user);
	(void)snprintf(to, sizeof(to), "<%s>", ruri);
	if ((msg = new_request(p, method, ruri, to, call_id, 1, NULL)) == NULL)
		return NULL;
	if (!(flags & PEER_UNSIGNED) &&
	    add_credential(p, msg, NULL, 1, flags) != 0) {
		msg_destroy(msg);
		return NULL;
	}
	return launch(p, msg, call_id, 1);
}

int
peer_wait(struct peer_out *o)
{
	HARNESS_UNTIL(o->p->h, o->status != 0);
	return o->status;
}

int
peer_wait_provisional(struct peer_out *o)
{
	HARNESS_UNTIL(o->p->h, o->provisional != 0 || o->status != 0);
	return o->provisional;
}

/* The NTLM challenge of a 401 (with an opaque when opaque is set). */
static int
ntlm_challenge(su_home_t *home, const struct peer_out *o, int opaque,
    struct sipauth_challenge *c)
{
	struct sipauth_str v[4];
	size_t i, n;

	if (o->last == NULL)
		return -1;
	n = peer_hdr_values(home, sip_object(o->last), "WWW-Authenticate", v,
	    4);
	for (i = 0; i < n && i < 4; i++)
		if (sipauth_parse_challenge(v[i].ptr, v[i].len, SIPAUTH_WWW,
		    c) == 0 && c->scheme == SIPAUTH_NTLM &&
		    SIPAUTH_PRESENT(c->realm) &&
		    SIPAUTH_PRESENT(c->targetname) &&
		    (!opaque || SIPAUTH_PRESENT(c->opaque)))
			return 0;
	return -1;
}

static int
copy_str(char *dst, size_t dstsz, struct sipauth_str s)
{
	if (!SIPAUTH_PRESENT(s) || s.len >= dstsz)
		return -1;
	memcpy(dst, s.ptr, s.len);
	dst[s.len] = '\0';
	return 0;
}

struct peer_out *
peer_register_start(struct peer *p)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sipauth_challenge c;
	struct peer_out *o, *last = NULL;
	uint8_t *tok = NULL, authn[256];
	size_t toklen = 0, len;
	char *b64 = NULL;

	p->opaque[0] = '\0';
	p->cnum = 0;
	/* No credentials: one challenge per scheme; NTLM's names the
	   realm, the targetname and the version. */
	if ((o = send_register(p, NULL, 0, PEER_UNSIGNED)) == NULL ||
	    peer_wait(o) != 401 || ntlm_challenge(home, o, 0, &c) != 0 ||
	    copy_str(p->realm, sizeof(p->realm), c.realm) != 0 ||
	    copy_str(p->targetname, sizeof(p->targetname),
	    c.targetname) != 0)
		goto out;
	p->version = c.version >= 4 ? 4 : c.version;
	/* NTLM leg 1: an empty token; the opaque and "CHALLENGE" back. */
	if ((o = send_register(p, "", 0, 0)) == NULL || peer_wait(o) != 401 ||
	    ntlm_challenge(home, o, 1, &c) != 0 ||
	    copy_str(p->opaque, sizeof(p->opaque), c.opaque) != 0 ||
	    sipauth_b64_decode(home, c.gssapi_data.ptr, c.gssapi_data.len,
	    &tok, &toklen) != 0 || toklen != 9 ||
	    memcmp(tok, "CHALLENGE", 9) != 0)
		goto out;
	/* Leg 2: an AUTHENTICATE naming <domain>\<user> (fake_mech checks
	   no proof), signed from version 4 on. */
	if ((len = fake_mech_authenticate(p->domain, p->user, authn,
	    sizeof(authn))) == 0 ||
	    sipauth_b64_encode(home, authn, len, &b64) != 0)
		goto out;
	last = send_register(p, b64, p->version >= 4, 0);
 out:
	su_home_deinit(home);
	return last;
}

int
peer_register(struct peer *p)
{
	struct peer_out *o;
	int status;

	if ((o = peer_register_start(p)) == NULL)
		return -1;
	status = peer_wait(o);
	if (status == 200 && o->verified != o->responses)
		status = -1;
	return status;
}

void
peer_set_domain(struct peer *p, const char *domain)
{
	(void)snprintf(p->domain, sizeof(p->domain), "%s", domain);
	(void)snprintf(p->name, sizeof(p->name), "%s\\%s", domain, p->user);
}

int
peer_cancel(struct peer_out *o)
{
	msg_t *req = NULL, *cancel = NULL;
	nta_outgoing_t *corq = NULL;

	/* nta builds the CANCEL from the INVITE and takes the signature
	   only as a tag: it is made on a message with the same fields. */
	if ((req = nta_outgoing_getrequest(o->orq)) != NULL &&
	    (cancel = sipauth_cancel_of(sip_object(req))) != NULL &&
	    add_credential(o->p, cancel, NULL, 1, 0) == 0)
		corq = nta_outgoing_tcancel(o->orq, NULL, NULL,
		    SIPTAG_HEADER((const sip_header_t *)
		    sip_object(cancel)->sip_unknown), TAG_END());
	if (cancel != NULL)
		msg_destroy(cancel);
	if (req != NULL)
		msg_destroy(req);
	return corq != NULL ? 0 : -1;
}

int
peer_ack(struct peer_out *o)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct peer *p = o->p;
	const sip_t *r = o->last != NULL ? sip_object(o->last) : NULL;
	const sip_record_route_t *rr;
	struct sipauth_str to;
	char *ruri, *route = NULL, *one, *tostr;
	nta_outgoing_t *orq;
	msg_t *msg = NULL;
	int rc = -1;

	if (r == NULL || o->status < 200 || o->status >= 300 ||
	    r->sip_contact == NULL ||
	    peer_hdr_values(home, r, "To", &to, 1) != 1)
		goto out;
	/* The dialog: the remote target, the route set (Record-Route
	   reversed) and the To of the 2xx (its tag and the callee's epid). */
	ruri = url_as_string(home, r->sip_contact->m_url);
	tostr = su_strndup(home, to.ptr, to.len);
	for (rr = r->sip_record_route; rr != NULL; rr = rr->r_next) {
		if ((one = sip_header_as_string(home,
		    (const sip_header_t *)rr)) == NULL)
			goto out;
		route = route == NULL ? one : su_sprintf(home, "%s, %s", one,
		    route);
	}
	if (ruri == NULL || tostr == NULL ||
	    (msg = new_request(p, "ACK", ruri, tostr, o->call_id, o->cseq,
	    route)) == NULL || add_credential(p, msg, NULL, 1, 0) != 0)
		goto out;
	orq = nta_outgoing_mcreate(p->nta, NULL, NULL,
	    URL_STRING_MAKE(p->h->hop), msg, TAG_END());
	if (orq != NULL) {
		msg = NULL;
		nta_outgoing_destroy(orq);
		rc = 0;
	}
 out:
	if (msg != NULL)
		msg_destroy(msg);
	su_home_deinit(home);
	return rc;
}

/* ---- requests sipsad sends the peer ---- */

/* The CANCEL of an INVITE the peer left pending (or its ACK). */
static int
peer_cancelled(struct peer_in *in, nta_incoming_t *irq, const sip_t *sip)
{
	(void)irq;
	if (sip != NULL && sip->sip_request != NULL &&
	    sip->sip_request->rq_method == sip_method_cancel) {
		in->cancelled = 1;
		in->cancel_verified = peer_verify(in->p, sip) == 0;
	}
	return 0;
}

static int
peer_request(struct peer *p, nta_leg_t *leg, nta_incoming_t *irq,
    const sip_t *sip)
{
	sip_method_t m = sip->sip_request->rq_method;
	struct peer_in *in;

	(void)leg;
	if (p->nin == PEER_MAX_IN)
		return 500;
	in = &p->in[p->nin];
	memset(in, 0, sizeof(*in));
	in->p = p;
	if ((in->msg = nta_incoming_getrequest(irq)) == NULL)
		return 500;
	p->nin++;
	in->sip = sip_object(in->msg);
	in->verified = peer_verify(p, in->sip) == 0;
	if (m == sip_method_ack) {
		nta_incoming_destroy(irq);
		return 0;
	}
	in->irq = irq;
	if (m == sip_method_invite)
		nta_incoming_bind(irq, peer_cancelled, in);
	return 0;
}

struct peer_in *
peer_next(struct peer *p)
{
	HARNESS_UNTIL(p->h, p->nin > p->taken);
	return p->nin > p->taken ? &p->in[p->taken++] : NULL;
}

int
peer_respond(struct peer_in *in, int status, unsigned flags)
{
	struct peer *p = in->p;
	int invite = in->sip->sip_request->rq_method == sip_method_invite;
	msg_t *msg;

	if (in->irq == NULL || (msg = nta_msg_create(p->nta, 0)) == NULL)
		return -1;
	/* The To tag first: it is signed. */
	if ((invite && sip_add_tl(msg, sip_object(msg),
	    SIPTAG_CONTACT_STR(p->contact), TAG_END()) < 0) ||
	    (status > 100 && nta_incoming_tag(in->irq, NULL) == NULL) ||
	    nta_incoming_complete_response(in->irq, msg, status,
	    sip_status_phrase(status), TAG_END()) < 0 ||
	    (!(flags & PEER_UNSIGNED) &&
	    add_credential(p, msg, NULL, 1, flags) != 0)) {
		msg_destroy(msg);
		return -1;
	}
	if (nta_incoming_mreply(in->irq, msg) < 0)
		return -1;
	if (status >= 200) {
		nta_incoming_destroy(in->irq);
		in->irq = NULL;
	}
	return 0;
}
