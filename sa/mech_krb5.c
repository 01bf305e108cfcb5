/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech_krb5.c: Kerberos for sa/mech.h through MIT GSSAPI ([MS-SIPAE]
 * §3.2, §3.3; RFC 4121): a one-round acceptor with an acceptor credential
 * on a memory copy of the configured keytab (sa/mech_krb5_kt.c, made again
 * when the file changes) and the configured replay cache, an initiator
 * from a credential cache or a client keytab, and signatures with
 * gss_get_mic/gss_verify_mic.  An established acceptor with an aes-sha1
 * enctype keeps only its checksum keys and signs with sa/krb5_cfx.c: about
 * 100 bytes per SA instead of the 3.5 KB MIT context.  Failures are mapped
 * to reasons by the krb5 minor code.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>

#include "sa/mech.h"
#include "sa/mech_int.h"

#define LOG_MODULE "sa"
#include "log/log.h"

/* A status with Kerberos minor codes. */
#define KRB5_STATUS(maj, min) \
	((struct mech_status){ .major = (maj), .minor = (min), \
	    .mech_is_krb5 = 1 })

static gss_OID_desc krb5_oid = { 9,
    (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02" };
static gss_OID_set_desc krb5_mechs = { 1, &krb5_oid };
#define KRB5_MECH	(&krb5_oid)

enum mech_reason
mech_krb5_reason(OM_uint32 major, OM_uint32 minor)
{
	switch ((krb5_error_code)minor) {
	case KRB5KRB_AP_ERR_SKEW:
		return MECH_R_CLOCK_SKEW;
	case KRB5KRB_AP_ERR_REPEAT:
		return MECH_R_REPLAYED_TICKET;
	case KRB5KRB_AP_ERR_BAD_INTEGRITY:
	case KRB5KRB_AP_ERR_MODIFIED:
	case KRB5KDC_ERR_PREAUTH_FAILED:
		return MECH_R_BAD_PASSWORD;
	case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
		return MECH_R_UNKNOWN_USER;
	case KRB5_KT_NOTFOUND:
	case KRB5_KT_KVNONOTFOUND:
	case KRB5KRB_AP_WRONG_PRINC:
	case KRB5KRB_AP_ERR_NOT_US:
	case KRB5KRB_AP_ERR_BADKEYVER:
	case KRB5KRB_AP_ERR_NOKEY:
	case KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN:
	case KRB5_FCC_NOFILE:
	case KRB5_CC_NOTFOUND:
		return MECH_R_NO_CREDENTIALS;
	default:
		break;
	}
	switch (GSS_ROUTINE_ERROR(major)) {
	case GSS_S_BAD_SIG:
		return MECH_R_BAD_SIGNATURE;
	case GSS_S_NO_CRED:
		return MECH_R_NO_CREDENTIALS;
	case GSS_S_DUPLICATE_TOKEN:
		return MECH_R_REPLAYED_TICKET;
	case GSS_S_CREDENTIALS_EXPIRED:
		return MECH_R_CLOCK_SKEW;
	case GSS_S_FAILURE:
		return minor == 0 ? MECH_R_INTERNAL : MECH_R_BAD_TOKEN;
	default:
		return MECH_R_BAD_TOKEN;	/* DEFECTIVE_TOKEN, BAD_MECH */
	}
}

/*
 * An acceptor credential for sip/<fqdn> (any principal of the keytab
 * when there is no fqdn) on the MEMORY keytab kt, with the replay cache
 * of s.  On failure err names the service and the keytab file.
 */
static int
acquire(struct mech_server *s, const struct mech_krb5_kt *kt,
    gss_cred_id_t *cred, char *err, size_t errsz)
{
	gss_key_value_element_desc el[2];
	gss_key_value_set_desc store = { 0, el };
	gss_buffer_desc b;
	gss_name_t name = GSS_C_NO_NAME;
	OM_uint32 maj, min;
	char svc[300], text[512];
	struct mech_status st;

	el[store.count++] = (gss_key_value_element_desc){ "keytab",
	    mech_krb5_kt_name(kt) };
	if (s->krb_rcache != NULL)
		el[store.count++] = (gss_key_value_element_desc){ "rcache",
		    s->krb_rcache };
	if (s->fqdn != NULL) {
		/* Accept only for sip/<fqdn>, not any key in the keytab. */
		(void)snprintf(svc, sizeof(svc), "sip@%s", s->fqdn);
		b = (gss_buffer_desc){ strlen(svc), svc };
		maj = gss_import_name(&min, &b, GSS_C_NT_HOSTBASED_SERVICE,
		    &name);
		if (GSS_ERROR(maj))
			goto fail;
	} else
		(void)snprintf(svc, sizeof(svc), "any principal");
	maj = gss_acquire_cred_from(&min, name, GSS_C_INDEFINITE, &krb5_mechs,
	    GSS_C_ACCEPT, &store, cred, NULL, NULL);
	(void)gss_release_name(&min, &name);
	if (!GSS_ERROR(maj))
		return 0;
fail:
	st = KRB5_STATUS(maj, min);
	mech_status_text(&st, text, sizeof(text));
	(void)snprintf(err, errsz, "Kerberos acceptor credential for %s from "
	    "keytab %s: %s", svc, s->keytab, text);
	return EACCES;
}

int
mech_krb5_server_create(struct mech_server *s,
    const struct mech_server_params *p, char *err, size_t errsz)
{
	char rcache[4200];

	if ((s->keytab = strdup(p->keytab)) == NULL)
		return ENOMEM;
	if (p->rcache_dir != NULL) {
		if (strcmp(p->rcache_dir, "none") == 0)
			(void)snprintf(rcache, sizeof(rcache), "none:");
		else
			(void)snprintf(rcache, sizeof(rcache),
			    "file2:%s/sipsa_krb5.rcache2", p->rcache_dir);
		if ((s->krb_rcache = strdup(rcache)) == NULL)
			return ENOMEM;
	}
	if (mech_krb5_kt_open(s->keytab, s->fqdn, &s->krb_kt, err,
	    errsz) != 0)
		return EACCES;
	return acquire(s, s->krb_kt, &s->krb_cred, err, errsz);
}

/*
 * Read the keytab file again when it changed (force: look now, else at
 * most once a second): a new MEMORY copy and credential replace the
 * running ones, which are released (the old copy's keys are wiped).  A
 * file that cannot be read, or lacks the service key, leaves the running
 * ones in place, with a warning.  1 when replaced, else 0.
 */
int
mech_krb5_refresh(struct mech_server *s, int force)
{
	struct mech_krb5_kt *kt = NULL;
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	OM_uint32 min;
	char err[600];
	size_t n;
	unsigned kvno;
	int changed;

	if (s->krb_kt == NULL ||
	    (changed = mech_krb5_kt_changed(s->krb_kt, s->keytab,
	    force)) == 0)
		return 0;
	if (mech_krb5_kt_open(s->keytab, s->fqdn, &kt, err,
	    sizeof(err)) != 0 ||
	    acquire(s, kt, &cred, err, sizeof(err)) != 0) {
		log_warnx("%s: keeping the keys read before", err);
		mech_krb5_kt_free(kt);
		return 0;
	}
	(void)gss_release_cred(&min, &s->krb_cred);
	mech_krb5_kt_free(s->krb_kt);
	s->krb_cred = cred;
	s->krb_kt = kt;
	mech_krb5_kt_counts(kt, &n, &kvno);
	if (changed == 1)
		log_notice("keytab %s changed: read again, %zu key%s, highest "
		    "kvno %u", s->keytab, n, n == 1 ? "" : "s", kvno);
	else
		log_debug("keytab %s read again (changed less than 2 s "
		    "before the last reading)", s->keytab);
	return 1;
}

int
mech_server_keytab_refresh(struct mech_server *server)
{
	return server != NULL ? mech_krb5_refresh(server, 1) : 0;
}

void
mech_krb5_server_free(struct mech_server *s)
{
	OM_uint32 min;

	if (s->krb_cred != GSS_C_NO_CREDENTIAL)
		(void)gss_release_cred(&min, &s->krb_cred);
	mech_krb5_kt_free(s->krb_kt);
	s->krb_kt = NULL;
	mech_krb5_skew_free(s->krb_skew);
	s->krb_skew = NULL;
	free(s->keytab);
	s->keytab = NULL;
	free(s->krb_rcache);
	s->krb_rcache = NULL;
}

static struct mech_ctx *
ctx_new(int initiator)
{
	struct mech_ctx *ctx;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	ctx->kind = MECH_KERBEROS;
	ctx->initiator = initiator ? 1 : 0;
	ctx->u.krb.gctx = GSS_C_NO_CONTEXT;
	ctx->u.krb.gcred = GSS_C_NO_CREDENTIAL;
	return ctx;
}

static void
set_name(gss_name_t n, struct mech_result *res)
{
	gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
	OM_uint32 min;

	if (n != GSS_C_NO_NAME &&
	    !GSS_ERROR(gss_display_name(&min, n, &b, NULL))) {
		mech_copy_buffer(&b, res->user, sizeof(res->user));
		(void)gss_release_buffer(&min, &b);
	}
}

/*
 * At debug level: does the ticket carry a PAC?  MIT shows the PAC's
 * buffers as the client name's attributes "urn:mspac:..." (Active
 * Directory puts one in every user's ticket; sipsad does not read it).
 */
static void
log_pac(gss_name_t n)
{
	gss_buffer_set_t attrs = GSS_C_NO_BUFFER_SET;
	OM_uint32 min;
	size_t i, npac = 0;

	if (log_getlevel() < LOG_LVL_DEBUG || n == GSS_C_NO_NAME ||
	    GSS_ERROR(gss_inquire_name(&min, n, NULL, NULL, &attrs)))
		return;
	for (i = 0; attrs != GSS_C_NO_BUFFER_SET && i < attrs->count; i++)
		if (attrs->elements[i].length > 10 &&
		    memcmp(attrs->elements[i].value, "urn:mspac:", 10) == 0)
			npac++;
	log_debug("Kerberos ticket %s a PAC (%zu buffers)",
	    npac > 0 ? "with" : "without", npac);
	(void)gss_release_buffer_set(&min, &attrs);
}

/* Common end of a step: a failed step frees the context. */
static int
step_end(struct mech_ctx *ctx, struct mech_ctx **ctxp, OM_uint32 maj,
    OM_uint32 min, gss_buffer_t out, struct mech_result *res)
{
	OM_uint32 m2;
	int rc = 0;

	res->status = KRB5_STATUS(maj, min);
	if (GSS_ERROR(maj))
		res->reason = mech_krb5_reason(maj, min);
	else if ((rc = mech_copy_token(out, res)) != 0)
		res->reason = MECH_R_INTERNAL;
	else {
		res->reason = MECH_OK;
		if (maj == GSS_S_COMPLETE) {
			ctx->established = 1;
			res->complete = 1;
		}
	}
	(void)gss_release_buffer(&m2, out);
	if (res->reason != MECH_OK) {
		mech_ctx_free(ctx);
		ctx = NULL;
	}
	*ctxp = ctx;
	return rc;
}

/*
 * gss_krb5_export_lucid_sec_context() is this inquiry followed by deleting
 * the context.  Asking directly lets the enctypes krb5_cfx does not handle
 * (rc4-hmac, aes-sha2, camellia) keep their MIT context.  The OID is MIT's
 * GSS_KRB5_EXPORT_LUCID_SEC_CONTEXT_OID, 1.2.840.113554.1.2.2.5.6, with
 * the lucid version (1) appended.
 */
static gss_OID_desc lucid_v1_oid = { 12,
    (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x05\x06\x01" };

/* Established acceptor: keep the checksum keys, free the MIT context. */
static void
take_keys(struct mech_ctx *ctx)
{
	gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
	gss_krb5_lucid_context_v1_t *lc = NULL;
	const gss_krb5_lucid_key_t *ck, *sk;
	OM_uint32 maj, min;
	int rc = EINVAL;

	maj = gss_inquire_sec_context_by_oid(&min, ctx->u.krb.gctx,
	    &lucid_v1_oid, &set);
	if (GSS_ERROR(maj))
		return;
	if (set != GSS_C_NO_BUFFER_SET && set->count == 1 &&
	    set->elements[0].length == sizeof(lc))
		memcpy(&lc, set->elements[0].value, sizeof(lc));
	(void)gss_release_buffer_set(&min, &set);
	if (lc == NULL)
		return;
	if (lc->version == 1 && lc->protocol == 1 && !lc->initiate) {
		ck = &lc->cfx_kd.ctx_key;
		sk = lc->cfx_kd.have_acceptor_subkey ?
		    &lc->cfx_kd.acceptor_subkey : NULL;
		rc = krb5_cfx_init(&ctx->u.krb.cfx, (int32_t)ck->type,
		    ck->data, ck->length, sk != NULL ? (int32_t)sk->type : 0,
		    sk != NULL ? sk->data : NULL, sk != NULL ? sk->length : 0,
		    lc->send_seq);
	}
	/* Wipes the key copies it holds. */
	(void)gss_krb5_free_lucid_sec_context(&min, lc);
	if (rc == 0)
		(void)gss_delete_sec_context(&min, &ctx->u.krb.gctx,
		    GSS_C_NO_BUFFER);
}

/* A failure that a newer copy of the keytab may cure. */
static int
key_missing(OM_uint32 minor)
{
	switch ((krb5_error_code)minor) {
	case KRB5KRB_AP_ERR_BADKEYVER:
	case KRB5KRB_AP_ERR_NOKEY:
	case KRB5KRB_AP_ERR_NOT_US:
	case KRB5_KT_KVNONOTFOUND:
	case KRB5_KT_NOTFOUND:
		return 1;
	default:
		return 0;
	}
}

int
mech_krb5_accept(struct mech_server *s, struct mech_ctx **ctxp,
    const uint8_t *in, size_t in_len, struct mech_result *res)
{
	gss_buffer_desc tok = { in_len, (void *)in }, out = GSS_C_EMPTY_BUFFER;
	struct mech_ctx *ctx = *ctxp;
	gss_name_t src = GSS_C_NO_NAME;
	OM_uint32 maj, min, m2, tr = 0;

	if (in_len == 0 || (ctx != NULL && (ctx->established ||
	    ctx->initiator))) {
		mech_ctx_free(ctx);
		*ctxp = NULL;
		res->reason = MECH_R_BAD_TOKEN;
		return 0;
	}
	if (ctx == NULL && (ctx = ctx_new(0)) == NULL)
		return ENOMEM;
	(void)mech_krb5_refresh(s, 0);
	maj = gss_accept_sec_context(&min, &ctx->u.krb.gctx, s->krb_cred,
	    &tok, GSS_C_NO_CHANNEL_BINDINGS, &src, NULL, &out, NULL, &tr,
	    NULL);
	/*
	 * A ticket for a key the copy lacks: the keytab may have been
	 * rotated within the last second.  Look now, and if it changed try
	 * once more (a refused AP-REQ left nothing in the replay cache).
	 */
	if (GSS_ERROR(maj) && key_missing(min) && mech_krb5_refresh(s, 1)) {
		(void)gss_delete_sec_context(&m2, &ctx->u.krb.gctx,
		    GSS_C_NO_BUFFER);
		(void)gss_release_buffer(&m2, &out);
		maj = gss_accept_sec_context(&min, &ctx->u.krb.gctx,
		    s->krb_cred, &tok, GSS_C_NO_CHANNEL_BINDINGS, &src, NULL,
		    &out, NULL, &tr, NULL);
	}
	if (maj == GSS_S_COMPLETE) {
		set_name(src, res);
		log_pac(src);
		res->lifetime = tr == GSS_C_INDEFINITE ? 0 : tr;
		take_keys(ctx);
	}
	(void)gss_release_name(&m2, &src);
	if (GSS_ERROR(maj) && (krb5_error_code)min == KRB5KRB_AP_ERR_SKEW)
		mech_krb5_log_skew(s, in, in_len);
	/* With mutual authentication out holds the AP-REP. */
	return step_end(ctx, ctxp, maj, min, &out, res);
}

/* The initiator credential: a ccache, a client keytab, or the default. */
OM_uint32
mech_krb5_init_cred(const struct mech_client_params *p, gss_cred_id_t *cred,
    OM_uint32 *min)
{
	gss_key_value_element_desc el[2];
	gss_key_value_set_desc store = { 0, el };
	gss_buffer_desc b;
	gss_name_t name = GSS_C_NO_NAME;
	char ccname[300];
	OM_uint32 maj, m2;

	if (p->client_keytab != NULL) {
		/* A MEMORY ccache per principal, reused by later calls. */
		(void)snprintf(ccname, sizeof(ccname), "MEMORY:sipsa-%s",
		    p->principal != NULL ? p->principal : "default");
		el[store.count++] = (gss_key_value_element_desc){
		    "client_keytab", p->client_keytab };
		el[store.count++] = (gss_key_value_element_desc){ "ccache",
		    ccname };
	} else if (p->ccache != NULL)
		el[store.count++] = (gss_key_value_element_desc){ "ccache",
		    p->ccache };
	else
		return GSS_S_COMPLETE;	/* GSS_C_NO_CREDENTIAL: default */
	if (p->principal != NULL) {
		b = (gss_buffer_desc){ strlen(p->principal),
		    (void *)p->principal };
		maj = gss_import_name(min, &b,
		    (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME, &name);
		if (GSS_ERROR(maj))
			return maj;
	}
	maj = gss_acquire_cred_from(min, name, GSS_C_INDEFINITE, &krb5_mechs,
	    GSS_C_INITIATE, &store, cred, NULL, NULL);
	(void)gss_release_name(&m2, &name);
	return maj;
}

int
mech_krb5_init(const struct mech_client_params *p, struct mech_ctx **ctxp,
    const uint8_t *in, size_t in_len, struct mech_result *res)
{
	gss_buffer_desc tok = { in_len, (void *)in }, out = GSS_C_EMPTY_BUFFER;
	struct mech_ctx *ctx = *ctxp;
	gss_name_t target = GSS_C_NO_NAME, me = GSS_C_NO_NAME;
	OM_uint32 maj, min, m2, tr = 0;
	gss_buffer_desc b;
	char svc[300];

	if (ctx != NULL && (ctx->established || !ctx->initiator ||
	    in_len == 0)) {
		mech_ctx_free(ctx);
		*ctxp = NULL;
		res->reason = MECH_R_BAD_TOKEN;
		return 0;
	}
	if (ctx == NULL) {
		if ((ctx = ctx_new(1)) == NULL)
			return ENOMEM;
		if (p->cred != NULL && p->cred->kind == MECH_KERBEROS) {
			ctx->u.krb.gcred = p->cred->gcred;
			ctx->cred_borrowed = 1;
		} else if (p->cred != NULL) {
			return step_end(ctx, ctxp, GSS_S_NO_CRED, 0, &out,
			    res);
		} else {
			maj = mech_krb5_init_cred(p, &ctx->u.krb.gcred, &min);
			if (GSS_ERROR(maj))
				return step_end(ctx, ctxp, maj, min, &out,
				    res);
		}
	}
	(void)snprintf(svc, sizeof(svc), "sip@%s", p->target_fqdn != NULL ?
	    p->target_fqdn : "localhost");
	b = (gss_buffer_desc){ strlen(svc), svc };
	maj = gss_import_name(&min, &b, GSS_C_NT_HOSTBASED_SERVICE, &target);
	if (!GSS_ERROR(maj))
		maj = gss_init_sec_context(&min, ctx->u.krb.gcred,
		    &ctx->u.krb.gctx, target, KRB5_MECH, GSS_C_INTEG_FLAG |
		    (p->mutual ? GSS_C_MUTUAL_FLAG : 0), 0,
		    GSS_C_NO_CHANNEL_BINDINGS, in_len != 0 ? &tok :
		    GSS_C_NO_BUFFER, NULL, &out, NULL, &tr);
	(void)gss_release_name(&m2, &target);
	if (maj == GSS_S_COMPLETE) {
		res->lifetime = tr == GSS_C_INDEFINITE ? 0 : tr;
		if (!GSS_ERROR(gss_inquire_context(&m2, ctx->u.krb.gctx, &me,
		    NULL, NULL, NULL, NULL, NULL, NULL))) {
			set_name(me, res);
			(void)gss_release_name(&m2, &me);
		}
	}
	return step_end(ctx, ctxp, maj, min, &out, res);
}

enum mech_reason
mech_krb5_sign(struct mech_ctx *ctx, const void *msg, size_t len,
    uint8_t *sig, size_t *sig_len, struct mech_status *st)
{
	gss_buffer_desc m = { len, (void *)msg }, t = GSS_C_EMPTY_BUFFER;
	OM_uint32 maj, min;
	enum mech_reason r = MECH_OK;

	if (ctx->u.krb.gctx == GSS_C_NO_CONTEXT) {
		if (krb5_cfx_sign(&ctx->u.krb.cfx, msg, len, sig) != 0)
			return MECH_R_INTERNAL;
		*sig_len = KRB5_CFX_MIC_LEN;
		return MECH_OK;
	}
	maj = gss_get_mic(&min, ctx->u.krb.gctx, GSS_C_QOP_DEFAULT, &m, &t);
	if (GSS_ERROR(maj)) {
		if (st != NULL)
			*st = KRB5_STATUS(maj, min);
		return MECH_R_INTERNAL;
	}
	if (t.length > MECH_SIG_MAX)
		r = MECH_R_INTERNAL;
	else {
		memcpy(sig, t.value, t.length);
		*sig_len = t.length;
	}
	(void)gss_release_buffer(&min, &t);
	return r;
}

enum mech_reason
mech_krb5_verify(struct mech_ctx *ctx, const void *msg, size_t len,
    const uint8_t *sig, size_t sig_len, struct mech_status *st)
{
	gss_buffer_desc m = { len, (void *)msg }, t = { sig_len, (void *)sig };
	OM_uint32 maj, min;

	if (ctx->u.krb.gctx == GSS_C_NO_CONTEXT)
		switch (krb5_cfx_verify(&ctx->u.krb.cfx, msg, len, sig,
		    sig_len)) {
		case 0:
			return MECH_OK;
		case EIO:
			return MECH_R_INTERNAL;
		default:
			return MECH_R_BAD_SIGNATURE;
		}
	maj = gss_verify_mic(&min, ctx->u.krb.gctx, &m, &t, NULL);
	/*
	 * Supplementary bits (duplicate, old, unseq, gap) are not failures:
	 * MS-SIPAE orders and de-duplicates with cnum/snum.
	 */
	if (!GSS_ERROR(maj))
		return MECH_OK;
	if (st != NULL)
		*st = KRB5_STATUS(maj, min);
	return MECH_R_BAD_SIGNATURE;
}

void
mech_krb5_ctx_release(struct mech_ctx *ctx)
{
	OM_uint32 min;

	if (ctx->u.krb.gctx != GSS_C_NO_CONTEXT)
		(void)gss_delete_sec_context(&min, &ctx->u.krb.gctx,
		    GSS_C_NO_BUFFER);
	if (ctx->u.krb.gcred != GSS_C_NO_CREDENTIAL && !ctx->cred_borrowed)
		(void)gss_release_cred(&min, &ctx->u.krb.gcred);
}
