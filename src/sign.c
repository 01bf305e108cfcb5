/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/sign.c: MS-SIPAE signatures on whole SIP messages.  sig_verify()
 * checks the crand/cnum/response of a message from a client against its
 * SA; sig_sign() signs a message sipsad is about to send toward a client
 * and adds the Authentication-Info (or Proxy-Authentication-Info) header.
 * The signature string comes from sipauth/ and the MAC from sa/; this file
 * only joins them to Sofia messages.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <sofia-sip/su.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#include "sa/sa.h"
#include "sipauth/sipauth.h"

#define LOG_MODULE "sign"
#include "log/log.h"
#include "src/metrics.h"
#include "src/proxy.h"

/* NTLM or Kerberos: the scheme of the SA's messages. */
static enum sipauth_scheme
kind_scheme(enum mech_kind kind)
{
	return kind == MECH_KERBEROS ? SIPAUTH_KERBEROS : SIPAUTH_NTLM;
}

static enum sa_reason
verify(su_home_t *home, struct sa_assoc *sa, const sip_t *sip,
    const struct sipauth_cred *cred)
{
	struct sipauth_sigparams p;
	uint8_t mac[MECH_SIG_MAX];
	size_t maclen = 0, len;
	char *str = NULL;
	enum sa_reason r;
	int error;

	if (!SIPAUTH_PRESENT(cred->crand) || !SIPAUTH_PRESENT(cred->cnum) ||
	    !SIPAUTH_PRESENT(cred->response))
		return SA_R_BAD_SIGNATURE;
	/* MS-SIP §3.1.5.1: crand is 8 hex digits (the parser took hex of
	   any length), cnum counts from 1. */
	if (cred->crand.len != 8 || cred->cnum_val == 0) {
		log_info("signature refused sa=%s: %s", sa_opaque(sa),
		    cred->crand.len != 8 ? "crand is not 8 hex digits" :
		    "cnum is 0");
		return SA_R_BAD_SIGNATURE;
	}
	if (sipauth_hex_decode(cred->response.ptr, cred->response.len, mac,
	    sizeof(mac), &maclen) != 0)
		return SA_R_BAD_SIGNATURE;
	/* The realm and targetname as the client wrote them: it signed
	   those, and sipauth_match_cred ignores the case of the host. */
	p = (struct sipauth_sigparams){
		.version = sa_version(sa), .scheme = kind_scheme(sa_kind(sa)),
		.rand = cred->crand, .num = cred->cnum,
		.realm = cred->realm, .targetname = cred->targetname,
	};
	if ((error = sipauth_sigstr_msg(home, sip, &p, &str, &len)) != 0)
		return error == EBADMSG ? SA_R_BAD_TOKEN : SA_R_INTERNAL;
	r = sa_verify(sa, cred->cnum_val, str, len, mac, maclen);
	su_free(home, str);
	return r;
}

/* Every check of an incoming signature, counted (src/metrics.h). */
enum sa_reason
sig_verify(su_home_t *home, struct sa_assoc *sa, const sip_t *sip,
    const struct sipauth_cred *cred)
{
	enum sa_reason r = verify(home, sa, sip, cred);

	metrics_signature((int)r);
	return r;
}

enum sa_reason
sig_sign(su_home_t *home, struct sa_assoc *sa, msg_t *msg, sip_t *sip,
    const char *gssapi_data)
{
	struct sipauth_sigparams p;
	struct sipauth_info info;
	uint8_t mac[MECH_SIG_MAX];
	char srand[SA_OPAQUE_LEN + 1], snumtxt[16];
	char hex[2 * MECH_SIG_MAX + 1];
	char *str = NULL, *value = NULL, *full;
	size_t len, maclen = 0;
	uint32_t snum;
	enum sa_reason r;

	if ((r = sa_next_server_salt(sa, srand, &snum)) != SA_R_OK)
		return r;
	(void)snprintf(snumtxt, sizeof(snumtxt), "%u", snum);
	p = (struct sipauth_sigparams){
		.version = sa_version(sa), .scheme = kind_scheme(sa_kind(sa)),
		.rand = sipauth_s(srand), .num = sipauth_s(snumtxt),
		.realm = sipauth_s(sa_realm(sa)),
		.targetname = sipauth_s(sa_targetname(sa)),
	};
	if (sipauth_sigstr_msg(home, sip, &p, &str, &len) != 0)
		return SA_R_INTERNAL;
	r = sa_sign(sa, str, len, mac, &maclen);
	su_free(home, str);
	if (r != SA_R_OK)
		return r;
	sipauth_hex_encode(mac, maclen, hex);
	OPENSSL_cleanse(mac, sizeof(mac));

	memset(&info, 0, sizeof(info));
	info.scheme = p.scheme;
	info.family = sa_hdr(sa) == SA_HDR_PROXY ? SIPAUTH_PROXY :
	    SIPAUTH_WWW;
	info.rspauth = sipauth_s(hex);
	info.srand = p.rand;
	info.snum = p.num;
	info.snum_val = snum;
	info.opaque = sipauth_s(sa_opaque(sa));
	info.realm = p.realm;
	info.targetname = p.targetname;
	info.version = sa_version(sa) >= 3 ? sa_version(sa) : 0;
	if (sipauth_format_info(home, &info, &value) != 0)
		return SA_R_INTERNAL;
	full = value;
	if (gssapi_data != NULL &&
	    (full = su_sprintf(home, "%s, gssapi-data=\"%s\"", value,
	    gssapi_data)) == NULL)
		return SA_R_INTERNAL;
	if (sipauth_add_raw_header(msg, sip, sa_hdr(sa) == SA_HDR_PROXY ?
	    "Proxy-Authentication-Info" : "Authentication-Info", full) != 0)
		return SA_R_INTERNAL;
	return SA_R_OK;
}
