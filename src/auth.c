/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/auth.c: the authentication step of the pipeline ([MS-SIPAE]
 * §3.3.5).  A request without credentials for this server gets a
 * challenge; a handshake leg runs through its security association (SA);
 * a signed request is verified against the SA named by its opaque.  When
 * the step passes, ptx->sa holds the request's established SA, and the
 * response exit (reply.c) signs every response with it.
 *
 * What each failure gets (doc/architecture.md has the table): REGISTER
 * failures get a fresh challenge, because SIPE answers a 401 to REGISTER
 * with a full new handshake; other requests get 403, because SIPE answers
 * a 401 to them by signing the same request with the same SA again, which
 * would loop.  CANCEL of a transaction nta matched never reaches this
 * step; ACK does, when nta matched it to no transaction (ack_auth: the
 * ACK of a 2xx on its way to the callee; never challenged nor answered).
 *
 * With ntlm { users winbind } the AUTHENTICATE is checked by a domain
 * controller, which may be slow or gone: that check runs on a worker
 * thread (src/workers.c) while the request waits, and the leg ends in
 * waiting_done() on the event loop.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_tag.h>

#include "sa/sa.h"
#include "sipauth/ntlm.h"
#include "sipauth/sipauth.h"

#define LOG_MODULE "auth"
#include "log/log.h"
#include "src/access.h"
#include "src/audit.h"
#include "src/directory.h"
#include "src/idmap.h"
#include "src/metrics.h"
#include "src/proxy.h"

/* Retry-After, in seconds: the domain controller cannot answer; too many
   sign-ins wait for it. */
#define AUTH_DC_RETRY_AFTER	30
#define AUTH_BUSY_RETRY_AFTER	5

/* The challenge family of the listener the request came in on. */
static enum sipauth_family
ptx_family(const struct ptx *ptx)
{
	return ptx->listener != NULL &&
	    ptx->listener->role == CONF_ROLE_PROXY ? SIPAUTH_PROXY :
	    SIPAUTH_WWW;
}

static int
is_register(const struct ptx *ptx)
{
	return ptx->sip->sip_request->rq_method == sip_method_register;
}

/* The version= we offer: none below 3 (clients then use the v2 layout). */
static int
offered_version(const struct ptx *ptx)
{
	int v = ptx->px->conf->auth.version;

	return v >= 3 ? v : 0;
}

/*
 * Text for a Warning header.  Unknown user and wrong password read the
 * same, so that the answer does not tell which accounts exist.
 */
static const char *
reason_text(enum sa_reason r)
{
	switch (r) {
	case SA_R_UNKNOWN_USER:
	case SA_R_BAD_PASSWORD:
		return "authentication failed";
	case SA_R_CLOCK_SKEW:
		return "clock skew too great";
	case SA_R_REPLAYED_TICKET:
		return "replayed Kerberos ticket";
	case SA_R_BAD_TOKEN:
		return "bad authentication token";
	case SA_R_BAD_SIGNATURE:
		return "bad signature";
	case SA_R_FLAGS:
		return "NTLM flags not acceptable";
	case SA_R_REPLAYED_CNUM:
		return "replayed cnum";
	case SA_R_UNKNOWN_OPAQUE:
		return "unknown security association";
	case SA_R_EXPIRED:
		return "security association expired";
	case SA_R_REPLACED:
		return "security association replaced by a newer one";
	case SA_R_LIMIT:
		return "too many security associations";
	case SA_R_WRONG_STATE:
		return "unexpected handshake message";
	case SA_R_IDENTITY:
		return "identity does not match the security association";
	case SA_R_UNTRUSTED_REALM:
		return "realm not trusted";
	case SA_R_ACCOUNT_DISABLED:
		return "account disabled";
	case SA_R_ACCOUNT_LOCKED:
		return "account locked out";
	case SA_R_PASSWORD_EXPIRED:
		return "password expired: change it first";
	case SA_R_ACCOUNT_EXPIRED:
		return "account expired";
	case SA_R_ACCOUNT_RESTRICTED:
		return "account may not sign in now or from here";
	case SA_R_UNAVAILABLE:
		return "domain controller unavailable; try again later";
	default:
		return "authentication error";
	}
}

/*
 * The schemes offered on the request's listener, in order: its own list
 * (listen { schemes ... }) less any the auth block no longer enables
 * after a reload, or else the auth block's.  Returns how many.
 */
static int
offered_schemes(const struct ptx *ptx, enum conf_scheme *out)
{
	const struct conf_auth *auth = &ptx->px->conf->auth;
	const struct listener *l = ptx->listener;
	int i, j, n = 0;

	if (l == NULL || l->nschemes == 0) {
		for (i = 0; i < auth->nschemes && i < CONF_MAX_SCHEMES; i++)
			out[n++] = auth->schemes[i];
		return n;
	}
	for (i = 0; i < l->nschemes && i < CONF_MAX_SCHEMES; i++)
		for (j = 0; j < auth->nschemes && j < CONF_MAX_SCHEMES; j++)
			if (auth->schemes[j] == l->schemes[i])
				out[n++] = l->schemes[i];
	return n;
}

/*
 * What to tell an admin about a client looping on a proxy-role listener
 * that offers two schemes: SIPE answers only the first Proxy-Authenticate
 * header, so a client that cannot use that scheme never signs in there.
 */
static const char *
first_scheme_hint(struct ptx *ptx)
{
	enum conf_scheme s[CONF_MAX_SCHEMES];

	if (ptx_family(ptx) != SIPAUTH_PROXY || offered_schemes(ptx, s) < 2)
		return NULL;
	return su_sprintf(ptx->home, "listener %s offers %s first, and SIPE "
	    "answers only the first Proxy-Authenticate: if this client cannot "
	    "use %s, give the listener its own order (listen ... { schemes "
	    "%s %s })", ptx->listener->ident, conf_scheme_name(s[0]),
	    conf_scheme_name(s[0]), s[1] == CONF_SCHEME_NTLM ? "ntlm" :
	    "kerberos", s[0] == CONF_SCHEME_NTLM ? "ntlm" : "kerberos");
}

/* The request's epid, or NULL when From has none (or out of memory). */
static const char *
request_epid(struct ptx *ptx)
{
	const char *aor, *epid;

	return auth_endpoint(ptx, &aor, &epid) == 0 ? epid : NULL;
}

/* One challenge header made with Sofia's unknown class: sent verbatim. */
static msg_header_t *
challenge_header(struct ptx *ptx, const struct sipauth_challenge *c)
{
	char *value = NULL, *line;

	if (sipauth_format_challenge(ptx->home, c, &value) != 0)
		return NULL;
	line = su_sprintf(ptx->home, "%s: %s", c->family == SIPAUTH_PROXY ?
	    "Proxy-Authenticate" : "WWW-Authenticate", value);
	if (line == NULL)
		return NULL;
	return msg_header_make(ptx->home, sip_unknown_class, line);
}

static void
challenge_init(struct ptx *ptx, enum conf_scheme scheme,
    struct sipauth_challenge *c)
{
	const struct sipsa_conf *conf = ptx->px->conf;

	memset(c, 0, sizeof(*c));
	c->family = ptx_family(ptx);
	c->version = offered_version(ptx);
	c->realm = sipauth_s(conf->auth.realm);
	if (scheme == CONF_SCHEME_KERBEROS) {
		c->scheme = SIPAUTH_KERBEROS;
		c->targetname = sipauth_s(ptx->px->krb5_target);
	} else {
		c->scheme = SIPAUTH_NTLM;
		c->targetname = sipauth_s(conf->fqdn);
	}
	c->scheme_tok = sipauth_s(sipauth_scheme_name(c->scheme));
}

/*
 * Answer with 401 or 407 and one challenge per configured scheme, in the
 * configured order; why, when given, goes into a Warning.
 */
static int
challenge(struct ptx *ptx, const char *why)
{
	enum conf_scheme schemes[CONF_MAX_SCHEMES];
	struct sipauth_challenge c;
	msg_header_t *h[CONF_MAX_SCHEMES] = { NULL };
	int i, n = offered_schemes(ptx, schemes);

	for (i = 0; i < n; i++) {
		challenge_init(ptx, schemes[i], &c);
		if ((h[i] = challenge_header(ptx, &c)) == NULL)
			return proxy_reply(ptx, 500, NULL, TAG_END());
	}
	log_debug("%s call-id=%s peer=%s: challenge%s%s", ptx_method(ptx),
	    ptx_call_id(ptx), ptx->peer, why != NULL ? ": " : "",
	    why != NULL ? why : "");
	streak_challenged(ptx, request_epid(ptx), why, first_scheme_hint(ptx));
	return proxy_reply(ptx, ptx_family(ptx) == SIPAUTH_PROXY ? 407 : 401,
	    NULL, TAG_IF(h[0] != NULL, SIPTAG_HEADER((sip_header_t *)h[0])),
	    TAG_IF(h[1] != NULL, SIPTAG_HEADER((sip_header_t *)h[1])),
	    TAG_IF(why != NULL, SIPTAG_WARNING_STR(why != NULL ?
	    ptx_warning(ptx, why) : NULL)), TAG_END());
}

/*
 * A failure after the SA layer logged it: REGISTER gets a fresh challenge,
 * anything else a 403.
 */
static int
failed(struct ptx *ptx, enum sa_reason r)
{
	if (is_register(ptx))
		return challenge(ptx, reason_text(r));
	return proxy_reply(ptx, 403, NULL,
	    SIPTAG_WARNING_STR(ptx_warning(ptx, reason_text(r))), TAG_END());
}

/* Is s offered on the request's listener? */
static int
scheme_enabled(const struct ptx *ptx, enum sipauth_scheme s)
{
	enum conf_scheme schemes[CONF_MAX_SCHEMES];
	int i, n = offered_schemes(ptx, schemes);

	for (i = 0; i < n; i++)
		if ((schemes[i] == CONF_SCHEME_NTLM && s == SIPAUTH_NTLM) ||
		    (schemes[i] == CONF_SCHEME_KERBEROS &&
		    s == SIPAUTH_KERBEROS))
			return 1;
	return 0;
}

/*
 * The endpoint of the request: From's AOR (sip:user@host, host in lower
 * case) and its epid.  Returns 0, ENOENT (no epid) or EBADMSG.
 */
int
auth_endpoint(struct ptx *ptx, const char **aor, const char **epid)
{
	const sip_from_t *from = ptx->sip->sip_from;
	struct sipauth_str v, e;
	int err;

	*aor = *epid = NULL;
	if (from == NULL || from->a_url->url_user == NULL ||
	    from->a_url->url_host == NULL)
		return EBADMSG;
	if (sipauth_hdr_value(ptx->home, (const sip_header_t *)from, &v) != 0)
		return EBADMSG;
	if ((err = sipauth_epid_from_hdr(v.ptr, v.len, &e)) != 0)
		return err;
	*aor = ptx_aor(ptx, from->a_url->url_user, from->a_url->url_host);
	*epid = su_strndup(ptx->home, e.ptr, e.len);
	if (*aor == NULL || *epid == NULL)
		return ENOMEM;
	return 0;
}

/* The protocol version of the SA: what the client echoed, at most ours. */
static int
settle_version(const struct ptx *ptx, const struct sipauth_cred *cred)
{
	int ours = offered_version(ptx);

	if (ours == 0 || cred->version < 3)
		return 2;
	return cred->version < ours ? cred->version : ours;
}

/* NTLM's second leg: 401/407 with opaque and the CHALLENGE message. */
static int
ntlm_challenge(struct ptx *ptx, struct sa_assoc *sa, const uint8_t *tok,
    size_t toklen)
{
	struct sipauth_challenge c;
	msg_header_t *h;
	char *b64 = NULL;

	if (sipauth_b64_encode(ptx->home, tok, toklen, &b64) != 0)
		return proxy_reply(ptx, 500, NULL, TAG_END());
	challenge_init(ptx, CONF_SCHEME_NTLM, &c);
	c.opaque = sipauth_s(sa_opaque(sa));
	c.gssapi_data = sipauth_s(b64);
	if ((h = challenge_header(ptx, &c)) == NULL)
		return proxy_reply(ptx, 500, NULL, TAG_END());
	return proxy_reply(ptx, c.family == SIPAUTH_PROXY ? 407 : 401, NULL,
	    SIPTAG_HEADER((sip_header_t *)h), TAG_END());
}

/* The realm of a Kerberos SA: what follows the last '@' of its user. */
static const char *
sa_krb5_realm(struct sa_assoc *sa)
{
	const char *user = sa_user(sa), *at;

	if (sa_kind(sa) != MECH_KERBEROS || user == NULL ||
	    (at = strrchr(user, '@')) == NULL)
		return NULL;
	return at + 1;
}

/* The trusted-realm line of realm (compared exactly), or NULL. */
static const struct conf_realm *
trusted_line(const struct ptx *ptx, const char *realm)
{
	const struct conf_realm *tr;

	for (tr = ptx->px->conf->auth.trusted_realms; tr != NULL;
	    tr = tr->next)
		if (realm != NULL && strcmp(tr->realm, realm) == 0)
			return tr;
	return NULL;
}

/* Is realm one of the keytab's, the blank-separated list of px? */
static int
own_realm(const struct ptx *ptx, const char *realm)
{
	const char *w;
	size_t n, len = strlen(realm);

	for (w = ptx->px->krb5_realms; *w != '\0'; w += n + (w[n] == ' ')) {
		n = strcspn(w, " ");
		if (n == len && len > 0 && memcmp(w, realm, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * May a Kerberos principal sign in from its realm?  Those of the
 * trusted-realm lines may; without any line, those of the realms of the
 * keytab's sip/<fqdn> keys (the server's own).  A cross-realm ticket
 * is valid for sip/<fqdn> whatever realm the user comes from, so this is
 * what keeps users of every realm that trusts ours out.  NTLM SAs pass.
 * SA_R_OK, or SA_R_UNTRUSTED_REALM (logged, with the fix).
 */
static enum sa_reason
check_realm(struct ptx *ptx, struct sa_assoc *sa)
{
	const struct proxy *px = ptx->px;
	const char *realm = sa_krb5_realm(sa);

	if (sa_kind(sa) != MECH_KERBEROS)
		return SA_R_OK;
	if (realm == NULL)
		realm = "";
	if (px->conf->auth.trusted_realms != NULL) {
		if (trusted_line(ptx, realm) != NULL)
			return SA_R_OK;
		log_notice("sign-in refused sa=%s user=%s peer=%s: realm %s "
		    "is not trusted (auth { kerberos { trusted-realm } })",
		    sa_opaque(sa), sa_user(sa), ptx->peer, realm);
	} else {
		if (own_realm(ptx, realm))
			return SA_R_OK;
		log_notice("sign-in refused sa=%s user=%s peer=%s: realm %s "
		    "is not trusted (auth { kerberos { trusted-realm } }; "
		    "without it only the keytab's realm is: %s)",
		    sa_opaque(sa), sa_user(sa), ptx->peer, realm,
		    px->krb5_realms[0] != '\0' ? px->krb5_realms : "none");
	}
	return SA_R_UNTRUSTED_REALM;
}

/*
 * May the authenticated account use From's AOR?  The SIP addresses the
 * directory holds for it decide when there are some; else the identity
 * map's lines for the account when there are some; else the From user
 * must be the account part (sa_check_identity) and, for a principal of a
 * trusted realm with a SIP domain, the From host that domain.
 */
static enum sa_reason
check_identity(struct ptx *ptx, struct sa_assoc *sa, const char *aor,
    const struct dir_account *acct)
{
	const url_t *from = ptx->sip->sip_from->a_url;
	const char *user = sa_user(sa);
	const struct conf_realm *tr;
	size_t i;

	if (acct != NULL && acct->found && acct->uris != NULL &&
	    acct->uris[0] != NULL) {
		for (i = 0; acct->uris[i] != NULL; i++)
			if (strcasecmp(acct->uris[i], aor) == 0)
				return SA_R_OK;
		log_notice("identity check failed sa=%s user=%s from=%s: not "
		    "an address the directory holds for the account (%s%s)",
		    sa_opaque(sa), user, aor, acct->uris[0],
		    acct->uris[1] != NULL ? ", ..." : "");
		return SA_R_IDENTITY;
	}
	switch (idmap_check(ptx->px->idmap, user, aor, NULL)) {
	case IDMAP_ALLOWED:
		return SA_R_OK;
	case IDMAP_DENIED:
		log_notice("identity check failed sa=%s user=%s from=%s: no "
		    "line of the identity map %s allows it", sa_opaque(sa),
		    user, aor, ptx->px->conf->auth.identity_map);
		return SA_R_IDENTITY;
	case IDMAP_NO_RULE:
	default:
		tr = trusted_line(ptx, sa_krb5_realm(sa));
		if (tr != NULL && tr->domain != NULL &&
		    (from->url_host == NULL ||
		    strcasecmp(from->url_host, tr->domain) != 0)) {
			log_notice("identity check failed sa=%s user=%s "
			    "from=%s: realm %s maps to SIP domain %s "
			    "(trusted-realm)", sa_opaque(sa), user, aor,
			    tr->realm, tr->domain);
			return SA_R_IDENTITY;
		}
		return sa_check_identity(sa, from->url_user);
	}
}

static int busy(struct ptx *ptx);

static const char *
scheme_name(const struct sa_assoc *sa)
{
	return sa_kind(sa) == MECH_KERBEROS ? "Kerberos" : "NTLM";
}

/*
 * May the account sign in at all, by the rules of its listener and of
 * access { } (src/access.h)?  The rule that refuses is named in the log
 * only.
 */
static int
allowed(struct ptx *ptx, struct sa_assoc *sa, const struct dir_account *acct)
{
	const struct conf_listen *cl = ptx->listener != NULL ?
	    listen_conf(ptx->px, ptx->listener) : NULL;
	const struct conf_access_rule *rule;

	if (access_decide(cl != NULL ? cl->access : NULL,
	    &ptx->px->conf->access, sa_user(sa), acct != NULL && acct->found ?
	    acct->groups : NULL, &rule))
		return 1;
	if (rule != NULL)
		log_notice("sign-in refused sa=%s user=%s peer=%s: rule "
		    "\"%s%s%s\" at %s:%d", sa_opaque(sa), sa_user(sa),
		    ptx->peer, access_rule_name(rule), rule->name != NULL ?
		    " " : "", rule->name != NULL ? rule->name : "",
		    rule->pos.file != NULL ? rule->pos.file : "?",
		    rule->pos.line);
	else
		log_notice("sign-in refused sa=%s user=%s peer=%s: no rule "
		    "allows it (access { default deny })", sa_opaque(sa),
		    sa_user(sa), ptx->peer);
	return 0;
}

/*
 * The handshake is complete: the account may sign in (the directory, when
 * it has it: acct) and the From AOR must be one it may use
 * (check_identity); with version 4 the final leg carries the client's
 * first signature (on the 401 family it must, unless the client asked
 * for mutual authentication); only then is the SA bound to its endpoint,
 * replacing an older SA of the same endpoint.
 */
static int
complete_with(struct ptx *ptx, struct sa_assoc *sa,
    const struct sipauth_cred *cred, const char *aor, const char *epid,
    const char *claimed, const struct dir_account *acct)
{
	struct sa_assoc *old = NULL;
	enum sa_reason r;

	if (acct != NULL && acct->found && acct->state != 0) {
		log_notice("sign-in refused sa=%s user=%s peer=%s: %s in the "
		    "directory%s", sa_opaque(sa), sa_user(sa), ptx->peer,
		    directory_state_name(acct->state), acct->stale ?
		    " (cached: no directory server answers)" : "");
		r = directory_state_reason(acct->state);
		audit_auth(ptx, AUDIT_REFUSED, scheme_name(sa), sa_user(sa),
		    sa_reason_name(r), sa_opaque(sa));
		return ptx_refuse(ptx, 403, reason_text(r));
	}
	if (!allowed(ptx, sa, acct)) {
		audit_auth(ptx, AUDIT_REFUSED, scheme_name(sa), sa_user(sa),
		    "ACCESS_RULE", sa_opaque(sa));
		return ptx_refuse(ptx, 403, "sign-in not allowed");
	}
	r = check_identity(ptx, sa, aor, acct);
	if (r != SA_R_OK) {
		audit_auth(ptx, AUDIT_REFUSED, scheme_name(sa), sa_user(sa),
		    sa_reason_name(r), sa_opaque(sa));
		return ptx_refuse(ptx, 403, reason_text(r));
	}
	/* A client that asked for mutual authentication (an AP-REP goes
	   back) has no context to sign with yet. */
	if (sa_version(sa) >= 4 && (SIPAUTH_PRESENT(cred->response) ||
	    (cred->family == SIPAUTH_WWW && ptx->sa_token == NULL))) {
		r = sig_verify(ptx->home, sa, ptx->sip, cred);
		if (r != SA_R_OK) {
			audit_auth(ptx, AUDIT_FAIL, scheme_name(sa),
			    sa_user(sa), sa_reason_name(r), sa_opaque(sa));
			return challenge(ptx, reason_text(r));
		}
	}
	r = sa_establish_endpoint(sa, aor, epid, ptx->px->conf->auth.realm,
	    sa_kind(sa) == MECH_KERBEROS ? ptx->px->krb5_target :
	    ptx->px->conf->fqdn);
	if (r != SA_R_OK) {
		audit_auth(ptx, AUDIT_ERROR, scheme_name(sa), sa_user(sa),
		    sa_reason_name(r), sa_opaque(sa));
		return failed(ptx, r);
	}
	/* An SA of the endpoint made with the other mechanism (another
	   targetname, so not replaced above) is replaced too: requests
	   toward the endpoint must be signed with the SA it uses now. */
	if (sa_find_endpoint(ptx->px->sa, aor, epid, ptx->px->conf->auth.realm,
	    sa_kind(sa) == MECH_KERBEROS ? ptx->px->conf->fqdn :
	    ptx->px->krb5_target, &old) == SA_R_OK) {
		sa_retire(old);
		sa_unref(old);
	}
	log_info("%s authenticated call-id=%s peer=%s user=%s scheme=%s "
	    "opaque=%s epid=%s", ptx_method(ptx), ptx_call_id(ptx), ptx->peer,
	    sa_user(sa), sa_kind(sa) == MECH_KERBEROS ? "Kerberos" : "NTLM",
	    sa_opaque(sa), epid);
	audit_auth(ptx, AUDIT_OK, scheme_name(sa), sa_user(sa), NULL,
	    sa_opaque(sa));
	metrics_handshake(sa_kind(sa) == MECH_KERBEROS, sa_age_ms(sa));
	ptx->sa = sa_ref(sa);
	/* The directory looks the account up again while the SA lives. */
	if (acct != NULL)
		directory_note_sa(ptx->px->dir, sa_user(sa));
	streak_reset(ptx, epid);
	/* Under the name guard_check() is asked with: the one NTLM's
	   AUTHENTICATE claims (Kerberos accounts are not checked). */
	guard_succeeded(ptx, claimed);
	return 0;
}

/* No directory server answers and the account is not cached. */
static int
dir_unavailable(struct ptx *ptx, struct sa_assoc *sa)
{
	char ra[16];

	log_info("%s call-id=%s peer=%s user=%s: not in the directory's cache "
	    "and no directory server answers: 503", ptx_method(ptx),
	    ptx_call_id(ptx), ptx->peer, sa_user(sa));
	audit_auth(ptx, AUDIT_ERROR, scheme_name(sa), sa_user(sa),
	    "DIRECTORY_UNAVAILABLE", sa_opaque(sa));
	(void)snprintf(ra, sizeof(ra), "%u", AUTH_DC_RETRY_AFTER);
	return proxy_reply(ptx, 503, NULL, SIPTAG_RETRY_AFTER_STR(ra),
	    SIPTAG_WARNING_STR(ptx_warning(ptx, "directory unavailable")),
	    TAG_END());
}

/* A completed handshake that waits for the directory (complete()). */
struct waiting_dir {
	struct ptx		*ptx;
	struct sa_assoc		*sa;		/* a reference */
	struct sipauth_cred	 cred;		/* borrows from the ptx */
	const char		*aor, *epid, *claimed;
};

static void
dir_done(void *arg, enum dir_result r, const struct dir_account *acct)
{
	struct waiting_dir *w = arg;
	struct ptx *ptx = w->ptx;
	int rc;

	ptx->kept = ptx->waiting = 0;
	if (r == DIR_OK)
		rc = complete_with(ptx, w->sa, &w->cred, w->aor, w->epid,
		    w->claimed, acct);
	else
		rc = dir_unavailable(ptx, w->sa);
	sa_unref(w->sa);
	proxy_resume(ptx, rc != 0);
}

/*
 * complete_with(), once a Kerberos principal's realm is found trusted
 * (check_realm), with the directory's answer for an account it has:
 * from its cache at once, or later (the request waits, kept, and goes
 * on in dir_done()).
 */
static int
complete(struct ptx *ptx, struct sa_assoc *sa,
    const struct sipauth_cred *cred, const char *aor, const char *epid,
    const char *claimed)
{
	const struct dir_account *acct = NULL;
	struct directory *dir = ptx->px->dir;
	struct waiting_dir *w;

	/* A principal of a realm not trusted: refused before the
	   directory is asked about it. */
	if (check_realm(ptx, sa) != SA_R_OK) {
		audit_auth(ptx, AUDIT_REFUSED, scheme_name(sa), sa_user(sa),
		    sa_reason_name(SA_R_UNTRUSTED_REALM), sa_opaque(sa));
		return ptx_refuse(ptx, 403,
		    reason_text(SA_R_UNTRUSTED_REALM));
	}
	if (dir == NULL || !directory_covers(dir, sa_user(sa)))
		return complete_with(ptx, sa, cred, aor, epid, claimed, NULL);
	if ((w = su_zalloc(ptx->home, sizeof(*w))) == NULL ||
	    (claimed != NULL &&
	    (w->claimed = su_strdup(ptx->home, claimed)) == NULL))
		return proxy_reply(ptx, 500, NULL, TAG_END());
	w->ptx = ptx;
	w->cred = *cred;
	w->aor = aor;
	w->epid = epid;
	switch (directory_lookup(dir, sa_user(sa), dir_done, w, &acct)) {
	case DIR_OK:
		return complete_with(ptx, sa, cred, aor, epid, claimed, acct);
	case DIR_PENDING:
		w->sa = sa_ref(sa);
		ptx->kept = ptx->waiting = 1;
		return 1;
	case DIR_BUSY:
		audit_auth(ptx, AUDIT_ERROR, scheme_name(sa), sa_user(sa),
		    "DIRECTORY_BUSY", sa_opaque(sa));
		return busy(ptx);
	case DIR_UNAVAILABLE:
	default:
		return dir_unavailable(ptx, sa);
	}
}

/*
 * The half-open NTLM SA an NTLM leg with an opaque continues: SA_R_OK
 * with a reference in *sa, or why it cannot be continued (the opaque is
 * unknown or expired, its SA is established or of the other scheme).
 */
static enum sa_reason
continuable(struct ptx *ptx, const struct sipauth_cred *cred, size_t toklen,
    struct sa_assoc **sa)
{
	enum sa_reason r;

	*sa = NULL;
	r = sa_lookup_opaque(ptx->px->sa, cred->opaque.ptr, cred->opaque.len,
	    sa);
	if (r != SA_R_OK)
		return r;
	/* An empty token on a half-open SA is a client starting over. */
	if (sa_state(*sa) == ASSOC_HALF_OPEN && sa_kind(*sa) == MECH_NTLM &&
	    toklen > 0)
		return SA_R_OK;
	sa_unref(*sa);
	*sa = NULL;
	return SA_R_WRONG_STATE;
}

/*
 * Lockout protection (src/guard.c) refused the leg before any credential
 * was checked: 503 with Retry-After, the same whatever the password.
 */
static int
locked_out(struct ptx *ptx, const char *user, unsigned seconds)
{
	char ra[16];

	(void)snprintf(ra, sizeof(ra), "%u", seconds);
	log_debug("%s call-id=%s peer=%s user=%s: sign-in blocked for %u s",
	    ptx_method(ptx), ptx_call_id(ptx), ptx->peer,
	    user != NULL ? user : "-", seconds);
	return proxy_reply(ptx, 503, NULL, SIPTAG_RETRY_AFTER_STR(ra),
	    SIPTAG_WARNING_STR(ptx_warning(ptx, "too many failed sign-ins; "
	    "try again later")), TAG_END());
}

/* Too many checks wait for the domain controller: try again soon. */
static int
busy(struct ptx *ptx)
{
	char ra[16];

	log_debug("%s call-id=%s peer=%s: sign-in checks queue full",
	    ptx_method(ptx), ptx_call_id(ptx), ptx->peer);
	(void)snprintf(ra, sizeof(ra), "%u", AUTH_BUSY_RETRY_AFTER);
	return proxy_reply(ptx, 503, NULL, SIPTAG_RETRY_AFTER_STR(ra),
	    SIPTAG_WARNING_STR(ptx_warning(ptx, "too many sign-ins being "
	    "checked; try again later")), TAG_END());
}

static int is_account_state(enum sa_reason r);

/* Failures that count as a wrong guess (not a protocol slip). */
static int
is_guess(enum sa_reason r)
{
	return r == SA_R_BAD_PASSWORD || r == SA_R_UNKNOWN_USER ||
	    r == SA_R_BAD_TOKEN || r == SA_R_REPLAYED_TICKET ||
	    r == SA_R_CLOCK_SKEW || is_account_state(r);
}

/* What the domain said of an account whose password may be right. */
static int
is_account_state(enum sa_reason r)
{
	return r == SA_R_ACCOUNT_DISABLED || r == SA_R_ACCOUNT_LOCKED ||
	    r == SA_R_PASSWORD_EXPIRED || r == SA_R_ACCOUNT_EXPIRED ||
	    r == SA_R_ACCOUNT_RESTRICTED;
}

/*
 * A handshake leg failed.  The account's state in the domain is final
 * for now: 403, since a new challenge would only loop; a domain
 * controller that cannot answer: 503, try later; the rest: a new
 * challenge.
 */
static int
leg_refused(struct ptx *ptx, enum sa_reason r)
{
	char ra[16];

	if (is_account_state(r))
		return ptx_refuse(ptx, 403, reason_text(r));
	if (r == SA_R_UNAVAILABLE) {
		(void)snprintf(ra, sizeof(ra), "%u", AUTH_DC_RETRY_AFTER);
		return proxy_reply(ptx, 503, NULL, SIPTAG_RETRY_AFTER_STR(ra),
		    SIPTAG_WARNING_STR(ptx_warning(ptx, reason_text(r))),
		    TAG_END());
	}
	return challenge(ptx, reason_text(r));
}

/*
 * The rest of a leg, once the mechanism stepped (at once, or after a
 * worker ran its check): the CHALLENGE, or the SA complete, or the
 * refusal.  user: the account an NTLM AUTHENTICATE claims, or NULL.
 */
static int
leg_end(struct ptx *ptx, struct sa_assoc *sa, const struct sipauth_cred *cred,
    const char *aor, const char *epid, const char *user, enum sa_reason r,
    uint8_t *out, size_t outlen)
{
	if (r != SA_R_OK && is_guess(r))
		guard_failed(ptx, user);
	if (r != SA_R_OK) {
		audit_auth(ptx, is_account_state(r) ? AUDIT_REFUSED :
		    r == SA_R_UNAVAILABLE ? AUDIT_ERROR : AUDIT_FAIL,
		    scheme_name(sa), user, sa_reason_name(r), sa_opaque(sa));
		return leg_refused(ptx, r);
	}
	if (sa_state(sa) == ASSOC_HALF_OPEN)
		return ntlm_challenge(ptx, sa, out, outlen);
	/* Kerberos with mutual authentication: the AP-REP. */
	if (out != NULL && outlen > 0 && sipauth_b64_encode(ptx->home, out,
	    outlen, &ptx->sa_token) != 0)
		return proxy_reply(ptx, 500, NULL, TAG_END());
	return complete(ptx, sa, cred, aor, epid, user);
}

/* A leg that waits for a worker: what its end needs, in the ptx home. */
struct waiting_leg {
	struct ptx		*ptx;
	struct sa_assoc		*sa;		/* a reference */
	const struct sa_mech_ops *ops;		/* runs and frees job */
	struct mech_job		*job;
	struct sipauth_cred	 cred;		/* borrows from the ptx */
	const char		*aor, *epid, *user;
};

static void
waiting_run(void *arg)
{
	struct waiting_leg *w = arg;

	w->ops->job_run(w->job);
}

static void
waiting_done(void *arg, int cancelled)
{
	struct waiting_leg *w = arg;
	struct ptx *ptx = w->ptx;
	uint8_t *out = NULL;
	size_t outlen = 0;
	enum sa_reason r;
	int rc;

	if (cancelled) {		/* stopping */
		w->ops->job_free(w->job);
		sa_unref(w->sa);
		(void)proxy_reply(ptx, 503, NULL, TAG_END());
		proxy_resume(ptx, 1);
		return;
	}
	r = sa_step_finish(w->sa, w->job, &out, &outlen);
	w->ops->job_free(w->job);
	/* The end of the leg may wait again (for the directory). */
	ptx->kept = ptx->waiting = 0;
	rc = leg_end(ptx, w->sa, &w->cred, w->aor, w->epid, w->user, r, out,
	    outlen);
	free(out);
	sa_unref(w->sa);
	if (!ptx->waiting)
		proxy_resume(ptx, rc != 0);
}

/*
 * Hand the leg's check to a worker; the request waits (kept) and goes on
 * in waiting_done().  Returns non-zero: the pipeline stops here for now.
 */
static int
leg_wait(struct ptx *ptx, struct sa_assoc *sa, const struct sipauth_cred *cred,
    const char *aor, const char *epid, const char *user, struct mech_job *job)
{
	struct waiting_leg *w;

	const struct sa_mech_ops *ops = sa_table_mech(ptx->px->sa);

	if ((w = su_zalloc(ptx->home, sizeof(*w))) == NULL ||
	    (user != NULL && (w->user = su_strdup(ptx->home, user)) == NULL)) {
		ops->job_free(job);
		return proxy_reply(ptx, 500, NULL, TAG_END());
	}
	w->ptx = ptx;
	w->ops = ops;
	w->sa = sa_ref(sa);
	w->job = job;
	w->cred = *cred;
	w->aor = aor;
	w->epid = epid;
	ptx->kept = ptx->waiting = 1;
	if (workers_submit(ptx->px->workers, waiting_run, waiting_done,
	    w) != 0) {
		/* Out of memory: the check on this thread, once. */
		waiting_run(w);
		ptx->kept = ptx->waiting = 0;
		waiting_done(w, 0);
		return 1;
	}
	return 1;
}

/* A leg carrying gssapi-data: NTLM legs 1 and 2, or Kerberos. */
static int
handshake(struct ptx *ptx, const struct sipauth_cred *cred)
{
	struct proxy *px = ptx->px;
	enum mech_kind kind = cred->scheme == SIPAUTH_KERBEROS ?
	    MECH_KERBEROS : MECH_NTLM;
	const char *aor, *epid;
	struct sa_assoc *sa = NULL;
	struct mech_job *job = NULL;
	uint8_t *tok = NULL, *out = NULL;
	size_t toklen = 0, outlen = 0;
	enum sa_reason r;
	char claimed[320];
	const char *user = NULL;
	unsigned blocked;
	int err, rc;

	if (!scheme_enabled(ptx, cred->scheme))
		return challenge(ptx, "scheme not offered");
	if ((err = auth_endpoint(ptx, &aor, &epid)) != 0)
		return ptx_refuse(ptx, 400, err == ENOENT ?
		    "missing epid in From" : "bad From header");
	if (sipauth_b64_decode(ptx->home, cred->gssapi_data.ptr,
	    cred->gssapi_data.len, &tok, &toklen) != 0)
		return ptx_refuse(ptx, 400, "gssapi-data is not base64");
	if (kind == MECH_NTLM && SIPAUTH_PRESENT(cred->opaque) &&
	    (r = continuable(ptx, cred, toklen, &sa)) != SA_R_OK) {
		if (toklen > 0) {
			rc = challenge(ptx, reason_text(r));
			goto done;
		}
		/* A first leg naming an SA that cannot go on: start anew
		   (SIPE keeps the opaque of its last SA; refusing would
		   loop). */
		log_debug("%s call-id=%s peer=%s: NTLM first leg names "
		    "opaque=%.*s (%s): new handshake", ptx_method(ptx),
		    ptx_call_id(ptx), ptx->peer, (int)cred->opaque.len,
		    cred->opaque.ptr, sa_reason_name(r));
	}
	/* The account an NTLM AUTHENTICATE claims, before anything checks
	   it: a name with a NUL or control character is no account. */
	if (kind == MECH_NTLM && toklen > 0) {
		if (sipauth_ntlm_claimed_user(tok, toklen, claimed,
		    sizeof(claimed)) != 0) {
			log_info("%s call-id=%s peer=%s: NTLM AUTHENTICATE "
			    "unreadable or with a control character in its "
			    "names", ptx_method(ptx), ptx_call_id(ptx),
			    ptx->peer);
			guard_failed(ptx, NULL);
			audit_auth(ptx, AUDIT_FAIL, "NTLM", NULL,
			    sa_reason_name(SA_R_BAD_TOKEN), NULL);
			rc = challenge(ptx, reason_text(SA_R_BAD_TOKEN));
			goto done;
		}
		user = claimed;
	}
	/* Lockout protection, before the mechanism sees anything. */
	if ((blocked = guard_check(ptx, user)) > 0) {
		audit_auth(ptx, AUDIT_BLOCKED, kind == MECH_KERBEROS ?
		    "Kerberos" : "NTLM", user, "LOCKOUT", NULL);
		rc = locked_out(ptx, user, blocked);
		goto done;
	}
	if (sa == NULL) {
		err = sa_begin(px->sa, ptx->peer_addr, kind,
		    ptx_family(ptx) == SIPAUTH_PROXY ? SA_HDR_PROXY :
		    SA_HDR_WWW, px->mech, &sa);
		if (err != 0) {
			log_warnx("cannot start a handshake for peer=%s: %s",
			    ptx->peer, strerror(err));
			rc = proxy_reply(ptx, 500, NULL, TAG_END());
			goto done;
		}
	}
	sa_set_version(sa, settle_version(ptx, cred));

	/* A check that blocks (an NTLM AUTHENTICATE, with workers) goes
	   to a worker when there is room for one more; a full queue is an
	   overload: 503. */
	if (px->workers != NULL && kind == MECH_NTLM && toklen > 0 &&
	    workers_full(px->workers)) {
		audit_auth(ptx, AUDIT_ERROR, "NTLM", user, "BUSY", NULL);
		rc = busy(ptx);
		goto done;
	}
	r = sa_step_async(sa, tok, toklen, &out, &outlen,
	    px->workers != NULL ? &job : NULL);
	if (r == SA_R_PENDING && job != NULL)
		rc = leg_wait(ptx, sa, cred, aor, epid, user, job);
	else if (r == SA_R_PENDING) {
		/* The same AUTHENTICATE again (a UDP retransmission)
		   while the DC checks it: the answer to the first will
		   do. */
		log_debug("%s call-id=%s peer=%s: handshake leg already "
		    "being checked: dropped", ptx_method(ptx),
		    ptx_call_id(ptx), ptx->peer);
		rc = 1;
	} else
		rc = leg_end(ptx, sa, cred, aor, epid, user, r, out, outlen);
 done:
	/* The token (an NTLMv2 response, an AP-REQ) on every way out. */
	if (tok != NULL) {
		OPENSSL_cleanse(tok, toklen);
		su_free(ptx->home, tok);
	}
	free(out);
	sa_unref(sa);
	return rc;
}

/* A request signed with an established SA (no gssapi-data). */
static int
signed_request(struct ptx *ptx, const struct sipauth_cred *cred)
{
	const char *aor, *epid;
	struct sa_assoc *sa = NULL;
	enum sa_reason r;
	unsigned st;
	int err;

	if (!SIPAUTH_PRESENT(cred->opaque))
		return challenge(ptx, NULL);
	if ((err = auth_endpoint(ptx, &aor, &epid)) != 0)
		return ptx_refuse(ptx, 400, err == ENOENT ?
		    "missing epid in From" : "bad From header");
	r = sa_lookup_opaque(ptx->px->sa, cred->opaque.ptr, cred->opaque.len,
	    &sa);
	if (r != SA_R_OK)
		return failed(ptx, r);
	if (sa_state(sa) != ASSOC_ESTABLISHED || sa_aor(sa) == NULL) {
		sa_unref(sa);
		return failed(ptx, SA_R_WRONG_STATE);
	}
	if (strcmp(sa_aor(sa), aor) != 0 || strcmp(sa_epid(sa), epid) != 0) {
		log_info("%s call-id=%s peer=%s: opaque=%s belongs to another "
		    "endpoint", ptx_method(ptx), ptx_call_id(ptx), ptx->peer,
		    sa_opaque(sa));
		sa_unref(sa);
		return failed(ptx, SA_R_IDENTITY);
	}
	r = sig_verify(ptx->home, sa, ptx->sip, cred);
	if (r != SA_R_OK) {
		sa_unref(sa);
		return failed(ptx, r);
	}
	/* The directory learnt since the handshake that the account may
	   no longer sign in: the SA ends. */
	if (ptx->px->dir != NULL &&
	    (st = directory_state(ptx->px->dir, sa_user(sa))) != 0) {
		log_notice("SA ended sa=%s user=%s: %s in the directory",
		    sa_opaque(sa), sa_user(sa), directory_state_name(st));
		/* The 403 is signed with the SA, which then ends. */
		ptx->sa = sa;
		err = ptx_refuse(ptx, 403,
		    reason_text(directory_state_reason(st)));
		sa_end(sa, directory_state_reason(st));
		return err;
	}
	ptx->sa = sa;		/* our reference goes to the ptx */
	streak_reset(ptx, epid);
	return 0;
}

/*
 * ACK is never challenged nor answered.  A signed one must verify (else
 * it is absorbed, logged); an unsigned one goes on without an SA.
 */
static int
ack_auth(struct ptx *ptx, int err, const struct sipauth_cred *cred)
{
	const char *aor, *epid;
	struct sa_assoc *sa = NULL;

	if (err == ENOENT || (err == 0 && !SIPAUTH_PRESENT(cred->opaque)))
		return 0;
	if (err != 0 || SIPAUTH_PRESENT(cred->gssapi_data) ||
	    auth_endpoint(ptx, &aor, &epid) != 0 ||
	    sa_lookup_opaque(ptx->px->sa, cred->opaque.ptr, cred->opaque.len,
	    &sa) != SA_R_OK)
		goto drop;
	if (sa_aor(sa) == NULL || strcmp(sa_aor(sa), aor) != 0 ||
	    strcmp(sa_epid(sa), epid) != 0 ||
	    sig_verify(ptx->home, sa, ptx->sip, cred) != SA_R_OK)
		goto drop;
	ptx->sa = sa;
	return 0;
 drop:
	sa_unref(sa);
	log_info("ACK call-id=%s peer=%s: bad credentials, absorbed",
	    ptx_call_id(ptx), ptx->peer);
	return 1;
}

/* OPTIONS to the server itself may come without credentials. */
static int
options_to_self(const struct ptx *ptx)
{
	const url_t *u = ptx->sip->sip_request->rq_url;

	return ptx->sip->sip_request->rq_method == sip_method_options &&
	    u->url_user == NULL && listen_is_self(ptx->px, u->url_host);
}

int
ptx_auth(struct ptx *ptx)
{
	const struct sipsa_conf *conf = ptx->px->conf;
	struct sipauth_cred cred;
	int err;

	err = sipauth_pick_cred(ptx->home, ptx->sip, conf->auth.realm,
	    conf->fqdn, &cred);
	if (ptx->sip->sip_request->rq_method == sip_method_ack)
		return ack_auth(ptx, err, &cred);
	switch (err) {
	case 0:
		break;
	case ENOENT:
		if (options_to_self(ptx))
			return 0;
		return challenge(ptx, NULL);
	case ENOTSUP:
		return challenge(ptx, "scheme not offered");
	case EBADMSG:
		return ptx_refuse(ptx, 400, "malformed authorization header");
	default:
		return proxy_reply(ptx, 500, NULL, TAG_END());
	}
	if (cred.scheme != SIPAUTH_NTLM && cred.scheme != SIPAUTH_KERBEROS)
		return challenge(ptx, "scheme not offered");
	if (SIPAUTH_PRESENT(cred.gssapi_data))
		return handshake(ptx, &cred);
	return signed_request(ptx, &cred);
}
