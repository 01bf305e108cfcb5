/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech_ntlm_init.c: the connectionless NTLM initiator of sa/mech.h
 * ([MS-SIPAE] §3.2, [MS-NLMP] §3.1.5.2): gss-ntlmssp through the MIT
 * mechglue with GSS_C_DATAGRAM_FLAG | GSS_C_INTEG_FLAG and a credential for
 * "DOMAIN\user" built from the NT hash of the password.  Leg one sends an
 * empty token; leg two turns the CHALLENGE into the AUTHENTICATE.  Then,
 * as on the acceptor, only the exported session key is kept, as
 * sipauth/ntlm keys.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_ntlmssp.h>
#include <openssl/crypto.h>

#include "sa/mech.h"
#include "sa/mech_int.h"
#include "sipauth/ntlm.h"

static gss_OID_desc ntlm_oid = { GSS_NTLMSSP_OID_LENGTH,
    (void *)GSS_NTLMSSP_OID_STRING };
static gss_OID_set_desc ntlm_mechs = { 1, &ntlm_oid };

static gss_name_t
import(const char *s, gss_OID type, OM_uint32 *maj, OM_uint32 *min)
{
	gss_buffer_desc b = { strlen(s), (void *)s };
	gss_name_t n = GSS_C_NO_NAME;

	*maj = gss_import_name(min, &b, type, &n);
	return GSS_ERROR(*maj) ? GSS_C_NO_NAME : n;
}

/*
 * The credential for DOMAIN\user.  gss-ntlmssp gets the NT hash, not the
 * password: its own MD4 loads an OpenSSL provider per credential and
 * leaks about 6 KB each time.
 */
OM_uint32
mech_ntlm_init_cred(const struct mech_client_params *p, gss_cred_id_t *cred,
    OM_uint32 *min)
{
	gss_name_t user;
	OM_uint32 maj, m2;
	uint8_t nth[16];
	char name[300], hex[33];
	gss_key_value_element_desc el = { GSS_NTLMSSP_CS_NTHASH, hex };
	gss_key_value_set_desc store = { 1, &el };
	int i;

	*min = 0;
	if (p->user == NULL || p->password == NULL)
		return GSS_S_NO_CRED;
	(void)snprintf(name, sizeof(name), "%s%s%s",
	    p->domain != NULL ? p->domain : "",
	    p->domain != NULL ? "\\" : "", p->user);
	if ((user = import(name, GSS_C_NT_USER_NAME, &maj, min)) ==
	    GSS_C_NO_NAME)
		return maj;
	if (sipauth_ntlm_nt_hash(p->password, nth) != 0) {
		(void)gss_release_name(&m2, &user);
		return GSS_S_FAILURE;
	}
	for (i = 0; i < 16; i++) {
		hex[2 * i] = "0123456789ABCDEF"[nth[i] >> 4];
		hex[2 * i + 1] = "0123456789ABCDEF"[nth[i] & 0xF];
	}
	hex[32] = '\0';
	maj = gss_acquire_cred_from(min, user, GSS_C_INDEFINITE, &ntlm_mechs,
	    GSS_C_INITIATE, &store, cred, NULL, NULL);
	OPENSSL_cleanse(nth, sizeof(nth));
	OPENSSL_cleanse(hex, sizeof(hex));
	(void)gss_release_name(&m2, &user);
	return maj;
}

/* Leg one: the credential and the (empty) first token. */
static void
init_first(const struct mech_client_params *p, struct mech_ctx *ctx,
    struct mech_result *res)
{
	gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
	gss_name_t target;
	OM_uint32 maj, min;
	char name[300];

	if (p->cred != NULL) {
		if (p->cred->kind != MECH_NTLM) {
			res->reason = MECH_R_NO_CREDENTIALS;
			return;
		}
		ctx->u.ntlm.gcred = p->cred->gcred;
		ctx->cred_borrowed = 1;
	} else {
		maj = mech_ntlm_init_cred(p, &ctx->u.ntlm.gcred, &min);
		if (maj == GSS_S_NO_CRED) {
			res->reason = MECH_R_NO_CREDENTIALS;
			return;
		}
		if (GSS_ERROR(maj))
			goto fail;
	}
	(void)snprintf(name, sizeof(name), "sip@%s", p->target_fqdn != NULL ?
	    p->target_fqdn : "localhost");
	if ((target = import(name, GSS_C_NT_HOSTBASED_SERVICE, &maj,
	    &min)) == GSS_C_NO_NAME)
		goto fail;
	maj = gss_init_sec_context(&min, ctx->u.ntlm.gcred, &ctx->u.ntlm.gctx,
	    target, &ntlm_oid, GSS_C_INTEG_FLAG | GSS_C_DATAGRAM_FLAG, 0,
	    GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, NULL, &out, NULL,
	    NULL);
	(void)gss_release_name(&min, &target);
	/* Connectionless: no NEGOTIATE, the first token is empty. */
	if (maj != GSS_S_CONTINUE_NEEDED || out.length != 0) {
		(void)gss_release_buffer(&min, &out);
		goto fail;
	}
	res->reason = MECH_OK;
	return;
fail:
	res->status.major = maj;
	res->status.minor = min;
	res->reason = MECH_R_INTERNAL;
}

/* Leg two: CHALLENGE in, AUTHENTICATE out, keys derived. */
static void
init_second(const struct mech_client_params *p, struct mech_ctx *ctx,
    const uint8_t *in, size_t in_len, struct mech_result *res)
{
	gss_buffer_desc tok = { in_len, (void *)in }, out = GSS_C_EMPTY_BUFFER;
	struct ntlm_challenge c;
	struct ntlm_authenticate a;
	gss_name_t target;
	OM_uint32 maj, min;
	char name[300];

	if (sipauth_ntlm_decode_challenge(in, in_len, &c) != 0) {
		res->reason = MECH_R_BAD_TOKEN;
		return;
	}
	if ((c.flags & NTLM_SIPE_REQUIRED_FLAGS) != NTLM_SIPE_REQUIRED_FLAGS) {
		res->reason = MECH_R_FLAGS;
		return;
	}
	(void)snprintf(name, sizeof(name), "sip@%s", p->target_fqdn != NULL ?
	    p->target_fqdn : "localhost");
	if ((target = import(name, GSS_C_NT_HOSTBASED_SERVICE, &maj,
	    &min)) == GSS_C_NO_NAME) {
		res->reason = MECH_R_INTERNAL;
		goto out;
	}
	maj = gss_init_sec_context(&min, ctx->u.ntlm.gcred, &ctx->u.ntlm.gctx,
	    target, &ntlm_oid, GSS_C_INTEG_FLAG | GSS_C_DATAGRAM_FLAG, 0,
	    GSS_C_NO_CHANNEL_BINDINGS, &tok, NULL, &out, NULL, NULL);
	(void)gss_release_name(&min, &target);
	res->status.major = maj;
	res->status.minor = min;
	if (maj != GSS_S_COMPLETE) {
		res->reason = maj == GSS_S_DEFECTIVE_TOKEN ||
		    !GSS_ERROR(maj) ? MECH_R_BAD_TOKEN : MECH_R_INTERNAL;
		goto out;
	}
	if (sipauth_ntlm_decode_authenticate(out.value, out.length, &a) != 0 ||
	    !mech_ntlm_flags_ok(a.flags)) {
		res->reason = MECH_R_FLAGS;
		goto out;
	}
	res->reason = mech_ntlm_take_keys(gss_inquire_sec_context_by_oid,
	    ctx->u.ntlm.gctx, a.flags, &ctx->u.ntlm.keys, &res->status);
	if (res->reason == MECH_OK &&
	    mech_copy_token(&out, res) != 0)
		res->reason = MECH_R_INTERNAL;
	if (res->reason == MECH_OK) {
		ctx->established = 1;
		res->complete = 1;
	}
out:
	(void)gss_release_buffer(&min, &out);
	/* Nothing of the GSS state is needed any more. */
	(void)gss_delete_sec_context(&min, &ctx->u.ntlm.gctx, GSS_C_NO_BUFFER);
	if (!ctx->cred_borrowed)
		(void)gss_release_cred(&min, &ctx->u.ntlm.gcred);
	ctx->u.ntlm.gcred = GSS_C_NO_CREDENTIAL;
}

int
mech_ntlm_init(const struct mech_client_params *p, struct mech_ctx **ctxp,
    const uint8_t *in, size_t in_len, struct mech_result *res)
{
	struct mech_ctx *ctx = *ctxp;

	if (ctx == NULL) {
		if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
			return ENOMEM;
		ctx->kind = MECH_NTLM;
		ctx->initiator = 1;
		ctx->u.ntlm.gctx = GSS_C_NO_CONTEXT;
		ctx->u.ntlm.gcred = GSS_C_NO_CREDENTIAL;
		init_first(p, ctx, res);
	} else if (!ctx->initiator || ctx->established ||
	    ctx->u.ntlm.gctx == GSS_C_NO_CONTEXT || in_len == 0) {
		res->reason = MECH_R_BAD_TOKEN;
	} else
		init_second(p, ctx, in, in_len, res);
	if (res->reason != MECH_OK) {
		free(res->out);
		res->out = NULL;
		res->out_len = 0;
		mech_ctx_free(ctx);
		ctx = NULL;
	} else if (ctx->established && p->user != NULL)
		(void)snprintf(res->user, sizeof(res->user), "%s%s%s",
		    p->domain != NULL ? p->domain : "",
		    p->domain != NULL ? "\\" : "", p->user);
	*ctxp = ctx;
	return 0;
}
