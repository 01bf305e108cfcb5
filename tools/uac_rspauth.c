/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/uac_rspauth.c: checking the server's signature (notes §4): the
 * rspauth of (Proxy-)Authentication-Info over the message as it came in,
 * and the AP-REP of Kerberos with mutual authentication.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/uac_int.h"

/* Whether header h is an info header of our SA's scheme with rspauth. */
static int
try_info(su_home_t *home, const struct uac *u, const sip_header_t *h,
    struct sipauth_info *out, struct sipauth_str *text)
{
	return sipauth_hdr_value(home, h, text) == 0 &&
	    sipauth_parse_info(text->ptr, text->len, u->sa.fam, out) == 0 &&
	    out->scheme == u->sa.scheme && SIPAUTH_PRESENT(out->rspauth);
}

/*
 * The Authentication-Info (Proxy-Authentication-Info for an SA made over
 * 407) of our SA's scheme, and its wire text.  Returns 0 or ENOENT.
 */
int
uac_find_info(su_home_t *home, const struct uac *u, const sip_t *sip,
    struct sipauth_info *out, struct sipauth_str *text)
{
	const char *name = u->sa.fam == SIPAUTH_PROXY ?
	    "Proxy-Authentication-Info" : "Authentication-Info";
	const msg_auth_info_t *ai = u->sa.fam == SIPAUTH_PROXY ?
	    sip->sip_proxy_authentication_info :
	    sip->sip_authentication_info;
	const sip_error_t *e;

	if (ai != NULL && try_info(home, u, (const sip_header_t *)ai, out,
	    text))
		return 0;
	for (e = sip->sip_error; e != NULL; e = e->er_next)
		if (e->er_common->h_class == sip_error_class &&
		    e->er_name != NULL && strcasecmp(e->er_name, name) == 0 &&
		    try_info(home, u, (const sip_header_t *)e, out, text))
			return 0;
	return ENOENT;
}

/*
 * Kerberos with mutual authentication: the AP-REP comes as gssapi-data in
 * the Authentication-Info of the final response.
 */
static int
mutual_step(struct uac *u, su_home_t *home, struct sipauth_str text)
{
	struct sipauth_challenge c;
	struct mech_result r;
	uint8_t *tok = NULL;
	size_t len = 0;

	if (sipauth_parse_challenge(text.ptr, text.len, u->sa.fam, &c) != 0 ||
	    !SIPAUTH_PRESENT(c.gssapi_data) || c.gssapi_data.len == 0)
		return uac_fail(u, UAC_E_SIGNATURE, "mutual authentication "
		    "asked for, but no AP-REP came back");
	if (sipauth_b64_decode(home, c.gssapi_data.ptr, c.gssapi_data.len,
	    &tok, &len) != 0)
		return uac_fail(u, UAC_E_SIGNATURE, "the AP-REP is not base64");
	if (mech_init(&u->mp, &u->sa.ctx, tok, len, &r) != 0)
		return uac_fail(u, UAC_E_INTERNAL, "Kerberos step failed");
	free(r.out);
	if (r.reason != MECH_OK || !r.complete)
		return uac_fail(u, UAC_E_SIGNATURE, "the server's AP-REP does "
		    "not verify: %s", mech_reason_text(r.reason));
	u->sa.complete = 1;
	return 0;
}

/*
 * Check the server's signature, info as found in sip (a response, or a
 * request the server sent us), with the SA.  Returns 0, or -1 with the
 * reason in why.
 */
int
uac_server_sig_ok(struct uac *u, su_home_t *home, const sip_t *sip,
    const struct sipauth_info *info, char *why, size_t whysz)
{
	struct sipauth_sigparams p;
	struct mech_status st;
	uint8_t mac[MECH_SIG_MAX];
	size_t maclen = 0, len;
	char *str, what[80];
	enum mech_reason r;
	int error = 0;

	if (sip->sip_status != NULL)
		(void)snprintf(what, sizeof(what), "%d %s",
		    sip->sip_status->st_status, sip->sip_status->st_phrase);
	else
		(void)snprintf(what, sizeof(what), "%s",
		    sip->sip_request->rq_method_name);
	if (!SIPAUTH_PRESENT(info->srand) || !SIPAUTH_PRESENT(info->snum)) {
		(void)snprintf(why, whysz, "the signature of %s has no srand "
		    "or snum", what);
		return -1;
	}
	p = (struct sipauth_sigparams){
		.version = u->sa.version, .scheme = u->sa.scheme,
		.rand = info->srand, .num = info->snum,
		.realm = SIPAUTH_PRESENT(info->realm) ? info->realm :
		    sipauth_s(u->sa.realm),
		.targetname = SIPAUTH_PRESENT(info->targetname) ?
		    info->targetname : sipauth_s(u->sa.targetname),
	};
	if (sipauth_hex_decode(info->rspauth.ptr, info->rspauth.len, mac,
	    sizeof(mac), &maclen) != 0 || (error = sipauth_sigstr_msg(home,
	    sip, &p, &str, &len)) == EBADMSG) {
		(void)snprintf(why, whysz, "the signature of %s is malformed",
		    what);
		return -1;
	}
	if (error != 0) {
		(void)snprintf(why, whysz, "cannot build the signature string "
		    "of %s", what);
		return -1;
	}
	r = mech_verify(u->sa.ctx, str, len, mac, maclen, &st);
	if (r != MECH_OK) {
		(void)snprintf(why, whysz, "the rspauth of %s does not verify "
		    "(%s); signed string %s", what, mech_reason_text(r), str);
		return -1;
	}
	u->verified++;
	return 0;
}

/*
 * Check the rspauth of a final response other than 401/407.  Once the SA
 * exists it must be there, except on an error answer to the final leg (the
 * server refused before it made the SA).  Returns 0 or 1 (recorded).
 */
int
uac_check_rspauth(struct uac *u, const sip_t *sip, int status)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sipauth_info info;
	struct sipauth_str text;
	char why[768];
	int required, rc = 0;

	if (u->sa.ctx == NULL || (u->state != ST_FINAL &&
	    u->state != ST_SIGNED))
		goto out;
	required = u->state == ST_SIGNED || status < 400;
	if (uac_find_info(home, u, sip, &info, &text) != 0) {
		if (required)
			rc = uac_fail(u, UAC_E_SIGNATURE, "%d %s has no %s "
			    "rspauth in %s", status, sip->sip_status->st_phrase,
			    sipauth_scheme_name(u->sa.scheme),
			    u->sa.fam == SIPAUTH_PROXY ?
			    "Proxy-Authentication-Info" :
			    "Authentication-Info");
		goto out;
	}
	if (!u->sa.complete && (rc = mutual_step(u, home, text)) != 0)
		goto out;
	if (u->sa.opaque[0] == '\0' && SIPAUTH_PRESENT(info.opaque))
		(void)uac_copy_str(u->sa.opaque, sizeof(u->sa.opaque),
		    info.opaque);
	if (uac_server_sig_ok(u, home, sip, &info, why, sizeof(why)) != 0) {
		rc = uac_fail(u, UAC_E_SIGNATURE, "%s", why);
		goto out;
	}
	u->res.verified++;
 out:
	su_home_deinit(home);
	return rc;
}
