/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/uac_handshake.c: the client side of the MS-SIPAE handshakes
 * ([MS-SIPAE] §3.2.5, notes §1-§2): the challenge of our scheme picked
 * from a 401 or 407, NTLM in three legs, Kerberos in one, and one fresh
 * handshake when a signed refresh is challenged (the SA expired).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/uac_int.h"

/* A local mechanism failure: a credential problem or a refusal. */
static int
mech_fail(struct uac *u, const char *what, const struct mech_result *r)
{
	char st[256];

	mech_status_text(&r->status, st, sizeof(st));
	return uac_fail(u, r->reason == MECH_R_NO_CREDENTIALS ||
	    r->reason == MECH_R_INTERNAL ? UAC_E_CONFIG : UAC_E_AUTH,
	    "%s: %s%s%s", what, mech_reason_text(r->reason),
	    st[0] != '\0' ? ": " : "", st);
}

/* Base64 of a token, allocated in home (NULL when out of memory). */
static char *
b64(su_home_t *home, const uint8_t *p, size_t len)
{
	char *s = NULL;

	if (sipauth_b64_encode(home, p, len, &s) != 0)
		return NULL;
	return s;
}

/* Send the final leg: the token, signed first when version >= 4. */
static int
send_final(struct uac *u, const uint8_t *tok, size_t len)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char *s;
	int rc;

	if ((s = b64(home, tok, len)) == NULL)
		rc = uac_fail(u, UAC_E_INTERNAL, "out of memory");
	else
		rc = uac_send_register(u, ST_FINAL, s,
		    u->sa.version >= 4 && u->sa.complete);
	su_home_deinit(home);
	return rc;
}

/* A fresh challenge: start a new SA from it. */
static int
start_handshake(struct uac *u, enum sipauth_family fam,
    const struct sipauth_challenge *ch)
{
	struct mech_result r;
	size_t n;
	int rc;

	uac_sa_drop(u);
	u->sa.scheme = ch->scheme;
	u->sa.fam = fam;
	u->sa.version = ch->version;
	if (uac_copy_str(u->sa.realm, sizeof(u->sa.realm), ch->realm) != 0 ||
	    uac_copy_str(u->sa.targetname, sizeof(u->sa.targetname),
	    ch->targetname) != 0 || u->sa.realm[0] == '\0' ||
	    u->sa.targetname[0] == '\0')
		return uac_fail(u, UAC_E_STATUS, "the %s challenge lacks a "
		    "usable realm or targetname",
		    sipauth_scheme_name(ch->scheme));
	n = ch->scheme == SIPAUTH_KERBEROS &&
	    strncasecmp(u->sa.targetname, "sip/", 4) == 0 ? 4 : 0;
	memcpy(u->sa.fqdn, u->sa.targetname + n,
	    strlen(u->sa.targetname + n) + 1);
	u->mp.target_fqdn = u->sa.fqdn;
	u->handshakes++;
	if (mech_init(&u->mp, &u->sa.ctx, NULL, 0, &r) != 0)
		return uac_fail(u, UAC_E_INTERNAL, "cannot start the "
		    "handshake");
	if (r.reason != MECH_OK) {
		free(r.out);
		return mech_fail(u, u->mp.kind == MECH_KERBEROS ?
		    "Kerberos" : "NTLM", &r);
	}
	u->sa.complete = r.complete;
	if (u->sa.scheme == SIPAUTH_NTLM) {
		free(r.out);
		return uac_send_register(u, ST_LEG1, "", 0);
	}
	rc = send_final(u, r.out, r.out_len);
	free(r.out);
	return rc;
}

/* The NTLM CHALLENGE came: answer with the AUTHENTICATE. */
static int
ntlm_second(struct uac *u, const struct sipauth_challenge *ch)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct mech_result r;
	uint8_t *tok = NULL;
	size_t len = 0;
	int rc;

	if (!SIPAUTH_PRESENT(ch->gssapi_data) || ch->gssapi_data.len == 0 ||
	    !SIPAUTH_PRESENT(ch->opaque))
		return uac_fail(u, UAC_E_AUTH, "the server refused the NTLM "
		    "first leg (a fresh challenge came back)");
	if (uac_copy_str(u->sa.opaque, sizeof(u->sa.opaque), ch->opaque) != 0 ||
	    sipauth_b64_decode(home, ch->gssapi_data.ptr, ch->gssapi_data.len,
	    &tok, &len) != 0) {
		su_home_deinit(home);
		return uac_fail(u, UAC_E_STATUS, "the NTLM challenge is "
		    "malformed (opaque or gssapi-data)");
	}
	if (mech_init(&u->mp, &u->sa.ctx, tok, len, &r) != 0) {
		su_home_deinit(home);
		return uac_fail(u, UAC_E_INTERNAL, "NTLM step failed");
	}
	su_home_deinit(home);
	if (r.reason != MECH_OK) {
		free(r.out);
		return mech_fail(u, "NTLM CHALLENGE", &r);
	}
	u->sa.complete = r.complete;
	rc = send_final(u, r.out, r.out_len);
	free(r.out);
	return rc;
}

/* Parse one challenge header; its scheme goes into offered. */
static int
try_challenge(su_home_t *home, const sip_header_t *h,
    enum sipauth_family fam, struct sipauth_challenge *c, char *offered,
    size_t offsz)
{
	struct sipauth_str v;

	if (sipauth_hdr_value(home, h, &v) != 0 ||
	    sipauth_parse_challenge(v.ptr, v.len, fam, c) != 0)
		return -1;
	if (strlen(offered) + c->scheme_tok.len + 2 < offsz) {
		if (offered[0] != '\0')
			strcat(offered, " ");
		strncat(offered, c->scheme_tok.ptr, c->scheme_tok.len);
	}
	return 0;
}

/*
 * The first challenge header of family fam whose scheme is want, the
 * schemes of all of them in offered.  Headers Sofia's grammar refused are
 * in its error list.  Returns 0 or ENOENT.
 */
static int
pick_challenge(su_home_t *home, const sip_t *sip, enum sipauth_family fam,
    enum sipauth_scheme want, struct sipauth_challenge *out, char *offered,
    size_t offsz)
{
	const char *name = fam == SIPAUTH_PROXY ? "Proxy-Authenticate" :
	    "WWW-Authenticate";
	const msg_auth_t *a;
	const sip_error_t *e;
	struct sipauth_challenge c;
	int found = 0;

	offered[0] = '\0';
	for (a = fam == SIPAUTH_PROXY ? sip->sip_proxy_authenticate :
	    sip->sip_www_authenticate; a != NULL; a = a->au_next)
		if (try_challenge(home, (const sip_header_t *)a, fam, &c,
		    offered, offsz) == 0 && !found && c.scheme == want) {
			*out = c;
			found = 1;
		}
	for (e = sip->sip_error; e != NULL; e = e->er_next)
		if (e->er_common->h_class == sip_error_class &&
		    e->er_name != NULL && strcasecmp(e->er_name, name) == 0 &&
		    try_challenge(home, (const sip_header_t *)e, fam, &c,
		    offered, offsz) == 0 && !found && c.scheme == want) {
			*out = c;
			found = 1;
		}
	return found ? 0 : ENOENT;
}

int
uac_on_challenge(struct uac *u, const sip_t *sip, int status)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	enum sipauth_family fam = status == 407 ? SIPAUTH_PROXY : SIPAUTH_WWW;
	enum sipauth_scheme want = u->mp.kind == MECH_KERBEROS ?
	    SIPAUTH_KERBEROS : SIPAUTH_NTLM;
	struct sipauth_challenge ch;
	char offered[128];
	const char *why = sip->sip_warning != NULL &&
	    sip->sip_warning->w_text != NULL ? sip->sip_warning->w_text : NULL;
	int rc;

	if (pick_challenge(home, sip, fam, want, &ch, offered,
	    sizeof(offered)) != 0) {
		rc = uac_fail(u, offered[0] != '\0' ? UAC_E_AUTH : UAC_E_STATUS,
		    "%d without a %s challenge (offered: %s)", status,
		    sipauth_scheme_name(want),
		    offered[0] != '\0' ? offered : "nothing usable");
		goto out;
	}
	switch (u->state) {
	case ST_LEG1:
		rc = ntlm_second(u, &ch);
		break;
	case ST_FINAL:
		rc = uac_fail(u, UAC_E_AUTH, "%s credential refused%s%s",
		    sipauth_scheme_name(want), why != NULL ? ": " : "",
		    why != NULL ? why : "");
		break;
	case ST_SIGNED:
		/* The SA expired or was dropped: one new handshake. */
		if (u->reauth++ > 0) {
			rc = uac_fail(u, UAC_E_AUTH, "challenged again right "
			    "after a new handshake%s%s", why != NULL ?
			    ": " : "", why != NULL ? why : "");
			break;
		}
		rc = start_handshake(u, fam, &ch);
		break;
	default:
		rc = start_handshake(u, fam, &ch);
		break;
	}
 out:
	su_home_deinit(home);
	return rc;
}
