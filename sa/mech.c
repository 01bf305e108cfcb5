/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech.c: the mechanism-independent part of sa/mech.h: server set-up
 * and release, dispatch of handshake steps, signatures and context release
 * to mech_ntlm.c and mech_krb5.c, and the reason and status texts.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <gssapi/gssapi_ntlmssp.h>
#include <openssl/crypto.h>

#include "sa/mech.h"
#include "sa/mech_int.h"

int
mech_server_create(const struct mech_server_params *params,
    struct mech_server **server_out, char *err, size_t errsz)
{
	struct mech_server *s;
	int rc;

	*server_out = NULL;
	if (errsz > 0)
		err[0] = '\0';
	if (params == NULL)
		return EINVAL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ENOMEM;
	s->krb_cred = GSS_C_NO_CREDENTIAL;
	s->ntlm_cred = GSS_C_NO_CREDENTIAL;
	if (params->fqdn != NULL && (s->fqdn = strdup(params->fqdn)) == NULL) {
		rc = ENOMEM;
		goto fail;
	}
	if (params->keytab != NULL &&
	    (rc = mech_krb5_server_create(s, params, err, errsz)) != 0)
		goto fail;
	if (params->ntlm_enabled &&
	    (rc = mech_ntlm_server_create(s, params, err, errsz)) != 0)
		goto fail;
	*server_out = s;
	return 0;
fail:
	mech_server_free(s);
	return rc;
}

void
mech_server_free(struct mech_server *server)
{
	if (server == NULL)
		return;
	mech_krb5_server_free(server);
	mech_ntlm_server_free(server);
	free(server->fqdn);
	free(server);
}

static void
result_reset(struct mech_result *res)
{
	memset(res, 0, sizeof(*res));
	res->reason = MECH_R_INTERNAL;
}

int
mech_accept(struct mech_server *server, enum mech_kind kind,
    struct mech_ctx **ctxp, const uint8_t *in, size_t in_len,
    struct mech_result *res)
{
	result_reset(res);
	if (server == NULL || ctxp == NULL || (in == NULL && in_len != 0))
		return EINVAL;
	if (*ctxp != NULL && (*ctxp)->kind != kind) {
		mech_ctx_free(*ctxp);
		*ctxp = NULL;
		res->reason = MECH_R_BAD_TOKEN;
		return 0;
	}
	switch (kind) {
	case MECH_NTLM:
		if (server->ntlm == NULL)
			break;
		return mech_ntlm_accept(server, ctxp, in, in_len, res);
	case MECH_KERBEROS:
		if (server->krb_cred == GSS_C_NO_CREDENTIAL)
			break;
		return mech_krb5_accept(server, ctxp, in, in_len, res);
	}
	/* The mechanism is not configured on this server. */
	mech_ctx_free(*ctxp);
	*ctxp = NULL;
	res->reason = MECH_R_NO_CREDENTIALS;
	return 0;
}

int
mech_accept_finish(struct mech_server *server, struct mech_ctx **ctxp,
    struct mech_job *job, struct mech_result *res)
{
	result_reset(res);
	if (server == NULL || ctxp == NULL || job == NULL)
		return EINVAL;
	return mech_ntlm_accept_finish(server, ctxp, job, res);
}

int
mech_init(const struct mech_client_params *params, struct mech_ctx **ctxp,
    const uint8_t *in, size_t in_len, struct mech_result *res)
{
	result_reset(res);
	if (params == NULL || ctxp == NULL || (in == NULL && in_len != 0))
		return EINVAL;
	if (*ctxp != NULL && (*ctxp)->kind != params->kind)
		return EINVAL;
	switch (params->kind) {
	case MECH_NTLM:
		return mech_ntlm_init(params, ctxp, in, in_len, res);
	case MECH_KERBEROS:
		return mech_krb5_init(params, ctxp, in, in_len, res);
	}
	return EINVAL;
}

int
mech_client_cred_create(const struct mech_client_params *params,
    struct mech_client_cred **cred_out, struct mech_status *st)
{
	struct mech_client_cred *c;
	OM_uint32 maj, min = 0;

	*cred_out = NULL;
	if (st != NULL)
		memset(st, 0, sizeof(*st));
	if (params == NULL || params->cred != NULL)
		return EINVAL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ENOMEM;
	c->kind = params->kind;
	c->gcred = GSS_C_NO_CREDENTIAL;
	if (params->kind == MECH_NTLM)
		maj = mech_ntlm_init_cred(params, &c->gcred, &min);
	else
		maj = mech_krb5_init_cred(params, &c->gcred, &min);
	if (!GSS_ERROR(maj) && c->gcred == GSS_C_NO_CREDENTIAL)
		maj = gss_acquire_cred(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE,
		    (gss_OID_set)gss_mech_set_krb5, GSS_C_INITIATE, &c->gcred,
		    NULL, NULL);
	if (GSS_ERROR(maj)) {
		if (st != NULL)
			*st = (struct mech_status){ .major = maj,
			    .minor = min,
			    .mech_is_krb5 = params->kind == MECH_KERBEROS };
		free(c);
		return EACCES;
	}
	*cred_out = c;
	return 0;
}

void
mech_client_cred_free(struct mech_client_cred *cred)
{
	OM_uint32 min;

	if (cred == NULL)
		return;
	if (cred->gcred != GSS_C_NO_CREDENTIAL)
		(void)gss_release_cred(&min, &cred->gcred);
	free(cred);
}

enum mech_reason
mech_sign(struct mech_ctx *ctx, const void *msg, size_t len, uint8_t *sig,
    size_t *sig_len, struct mech_status *st)
{
	if (st != NULL)
		memset(st, 0, sizeof(*st));
	*sig_len = 0;
	if (ctx == NULL || !ctx->established || (msg == NULL && len != 0))
		return MECH_R_INTERNAL;
	if (ctx->kind == MECH_NTLM)
		return mech_ntlm_sign(ctx, msg, len, sig, sig_len);
	return mech_krb5_sign(ctx, msg, len, sig, sig_len, st);
}

enum mech_reason
mech_verify(struct mech_ctx *ctx, const void *msg, size_t len,
    const uint8_t *sig, size_t sig_len, struct mech_status *st)
{
	if (st != NULL)
		memset(st, 0, sizeof(*st));
	if (ctx == NULL || !ctx->established || (msg == NULL && len != 0))
		return MECH_R_INTERNAL;
	if (sig == NULL || sig_len == 0 || sig_len > MECH_SIG_MAX)
		return MECH_R_BAD_SIGNATURE;
	if (ctx->kind == MECH_NTLM)
		return mech_ntlm_verify(ctx, msg, len, sig, sig_len);
	return mech_krb5_verify(ctx, msg, len, sig, sig_len, st);
}

enum mech_kind
mech_ctx_kind(const struct mech_ctx *ctx)
{
	return ctx->kind;
}

size_t
mech_ctx_memory(const struct mech_ctx *ctx)
{
	size_t n;

	if (ctx == NULL)
		return 0;
	n = sizeof(*ctx);
	if (ctx->kind == MECH_KERBEROS && ctx->u.krb.gctx != GSS_C_NO_CONTEXT)
		n += MECH_KRB5_CTX_BYTES;
	else if (ctx->kind == MECH_NTLM &&
	    ctx->u.ntlm.gctx != GSS_C_NO_CONTEXT)
		n += MECH_NTLM_HALF_OPEN_BYTES;
	else if (ctx->kind == MECH_NTLM)
		n += ctx->u.ntlm.challenge_len + ctx->u.ntlm.auth_len;
	return n;
}

void
mech_ctx_free(struct mech_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->kind == MECH_NTLM)
		mech_ntlm_ctx_release(ctx);
	else
		mech_krb5_ctx_release(ctx);
	OPENSSL_cleanse(ctx, sizeof(*ctx));
	free(ctx);
}

const char *
mech_reason_text(enum mech_reason reason)
{
	static const char *const text[MECH_R_MAX] = {
		[MECH_OK] = "ok",
		[MECH_R_UNKNOWN_USER] = "unknown user",
		[MECH_R_BAD_PASSWORD] = "wrong password",
		[MECH_R_CLOCK_SKEW] = "clock skew",
		[MECH_R_REPLAYED_TICKET] = "replayed ticket",
		[MECH_R_BAD_TOKEN] = "bad token",
		[MECH_R_BAD_SIGNATURE] = "bad signature",
		[MECH_R_FLAGS] = "unacceptable NTLM flags",
		[MECH_R_NO_CREDENTIALS] = "no server credentials",
		[MECH_R_ACCOUNT_DISABLED] = "account disabled",
		[MECH_R_ACCOUNT_LOCKED] = "account locked out",
		[MECH_R_PASSWORD_EXPIRED] = "password expired",
		[MECH_R_ACCOUNT_EXPIRED] = "account expired",
		[MECH_R_ACCOUNT_RESTRICTED] = "account restricted",
		[MECH_R_UNAVAILABLE] = "domain controller unavailable",
		[MECH_R_PENDING] = "waiting for the domain controller",
		[MECH_R_INTERNAL] = "internal error",
	};

	if ((unsigned int)reason >= MECH_R_MAX || text[reason] == NULL)
		return "unknown reason";
	return text[reason];
}

void
mech_copy_buffer(const gss_buffer_t b, char *buf, size_t bufsz)
{
	size_t n;

	if (bufsz == 0)
		return;
	n = b->length < bufsz - 1 ? b->length : bufsz - 1;
	if (n > 0)
		memcpy(buf, b->value, n);
	buf[n] = '\0';
}

/* Append every message of one status code to buf. */
static void
status_append(OM_uint32 code, int type, gss_OID mech, char *buf,
    size_t bufsz, size_t *pos)
{
	OM_uint32 maj, min, msgctx = 0;
	gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
	int n;

	do {
		maj = gss_display_status(&min, code, type, mech, &msgctx, &msg);
		if (GSS_ERROR(maj))
			return;
		if (*pos < bufsz) {
			n = snprintf(buf + *pos, bufsz - *pos, "%s%.*s",
			    *pos > 0 ? "; " : "", (int)msg.length,
			    (const char *)msg.value);
			if (n > 0)
				*pos += (size_t)n;
		}
		(void)gss_release_buffer(&min, &msg);
	} while (msgctx != 0);
}

void
mech_status_text(const struct mech_status *st, char *buf, size_t bufsz)
{
	static gss_OID_desc ntlm_oid = { GSS_NTLMSSP_OID_LENGTH,
	    (void *)GSS_NTLMSSP_OID_STRING };
	size_t pos = 0;

	if (bufsz == 0)
		return;
	buf[0] = '\0';
	if (st == NULL)
		return;
	if (st->nt_status != 0 || st->wbc_error != 0) {
		mech_ntlm_wb_status_text(st, buf, bufsz);
		return;
	}
	if (st->major == 0 && st->minor == 0)
		return;
	if (st->major != 0)
		status_append(st->major, GSS_C_GSS_CODE, GSS_C_NO_OID, buf,
		    bufsz, &pos);
	if (st->minor != 0)
		status_append(st->minor, GSS_C_MECH_CODE, st->mech_is_krb5 ?
		    (gss_OID)gss_mech_krb5 : &ntlm_oid, buf, bufsz, &pos);
}
