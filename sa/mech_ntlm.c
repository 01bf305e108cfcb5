/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech_ntlm.c: connectionless NTLM ([MS-SIPAE] §3.3, [MS-NLMP] §3.1.5.2)
 * for sa/mech.h.  The acceptor runs gss-ntlmssp, called directly through
 * the plugin's own entry points (path B of doc/ntlm.md): MIT's mechglue
 * maps the empty first token of a connectionless client to SPNEGO, and a
 * fabricated NEGOTIATE (path A) breaks clients that send a MIC.  Once the
 * handshake completes, only the exported session key is taken from
 * gss-ntlmssp; the GSS context is freed and signatures are made by
 * sipauth/ntlm with the flags the client chose in AUTHENTICATE.  The
 * initiator runs gss-ntlmssp through the mechglue.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_ntlmssp.h>
#include <openssl/crypto.h>

#include "sa/mech.h"
#include "sa/mech_int.h"
#include "sipauth/ntlm.h"

/*
 * gss-ntlmssp's default acceptor flags plus IDENTIFY, which SIPE insists
 * on ([MS-SIPAE] notes §6): the CHALLENGE then carries 0xE2D9B275.
 */
#define NTLM_ACCEPTOR_FLAGS	0xE210B237u

static gss_OID_desc ntlm_oid = { GSS_NTLMSSP_OID_LENGTH,
    (void *)GSS_NTLMSSP_OID_STRING };
static gss_OID_set_desc ntlm_mechs = { 1, &ntlm_oid };

struct mech_ntlm_plugin {
	void	*dl;
	__typeof__(&gss_acquire_cred_from) acquire_cred_from;
	__typeof__(&gss_import_name) import_name;
	__typeof__(&gss_release_name) release_name;
	__typeof__(&gss_release_cred) release_cred;
	__typeof__(&gss_accept_sec_context) accept;
	__typeof__(&gss_delete_sec_context) delete_ctx;
	__typeof__(&gss_display_name) display_name;
	__typeof__(&gss_inquire_sec_context_by_oid) inquire_by_oid;
	OM_uint32 (*set_cred_option)(OM_uint32 *, gss_cred_id_t *,
	    const gss_OID, const gss_buffer_t);
};

static int
plugin_load(struct mech_ntlm_plugin *p, char *err, size_t errsz)
{
	if ((p->dl = dlopen(GSSNTLMSSP_PLUGIN, RTLD_NOW | RTLD_LOCAL)) ==
	    NULL) {
		(void)snprintf(err, errsz, "cannot load %s: %s",
		    GSSNTLMSSP_PLUGIN, dlerror());
		return ENOENT;
	}
#define SYM(f, n) do {							\
	*(void **)&p->f = dlsym(p->dl, n);				\
	if (p->f == NULL) {						\
		(void)snprintf(err, errsz, "%s: no symbol %s",		\
		    GSSNTLMSSP_PLUGIN, n);				\
		return ENOENT;						\
	}								\
} while (0)
	SYM(acquire_cred_from, "gss_acquire_cred_from");
	SYM(import_name, "gss_import_name");
	SYM(release_name, "gss_release_name");
	SYM(release_cred, "gss_release_cred");
	SYM(accept, "gss_accept_sec_context");
	SYM(delete_ctx, "gss_delete_sec_context");
	SYM(display_name, "gss_display_name");
	SYM(inquire_by_oid, "gss_inquire_sec_context_by_oid");
	SYM(set_cred_option, "gssspi_set_cred_option");
#undef SYM
	return 0;
}

/*
 * An acceptor credential for sip@<fqdn> whose user file is keyfile (NULL:
 * none, gss-ntlmssp then asks NTLM_USER_FILE or winbind).
 */
static OM_uint32
acquire_acceptor(struct mech_server *s, const char *keyfile,
    gss_cred_id_t *cred, OM_uint32 *min)
{
	gss_key_value_element_desc el = { GSS_NTLMSSP_CS_KEYFILE, keyfile };
	gss_key_value_set_desc store = { 1, &el };

	return s->ntlm->acquire_cred_from(min, s->ntlm_name, GSS_C_INDEFINITE,
	    &ntlm_mechs, GSS_C_ACCEPT, keyfile != NULL ? &store :
	    GSS_C_NO_CRED_STORE, cred, NULL, NULL);
}

/*
 * gss-ntlmssp converts names between UTF-8 and UTF-16LE with iconv, with
 * handles it opens in every context.  glibc loads that conversion (a
 * gconv module) at its first use and, when the load fails (out of file
 * descriptors at that moment), remembers the failure for the life of
 * the process: iconv_open() then fails with EINVAL for ever, and so would
 * every NTLM handshake, Kerberos unaffected, until a restart.  Both
 * directions are opened here, at start, while descriptors are plenty,
 * and held open so that the module stays loaded.
 */
static int
pin_conversions(struct mech_server *s, char *err, size_t errsz)
{
	static const char *const dir[2][2] = {
		{ "UTF16LE", "UTF-8" }, { "UTF-8", "UTF16LE" },
	};
	int i, rc;

	for (i = 0; i < 2; i++) {
		s->ntlm_conv[i] = iconv_open(dir[i][0], dir[i][1]);
		if (s->ntlm_conv[i] == (iconv_t)-1) {
			rc = errno;
			(void)snprintf(err, errsz, "iconv_open(%s, %s), which "
			    "gss-ntlmssp needs: %s", dir[i][0], dir[i][1],
			    strerror(rc));
			return rc;
		}
		s->ntlm_nconv = i + 1;
	}
	return 0;
}

int
mech_ntlm_server_create(struct mech_server *s,
    const struct mech_server_params *p, char *err, size_t errsz)
{
	static gss_OID_desc flags_oid = { GSS_NTLMSSP_NEG_FLAGS_OID_LENGTH,
	    (void *)GSS_NTLMSSP_NEG_FLAGS_OID_STRING };
	uint32_t flags = NTLM_ACCEPTOR_FLAGS;
	gss_buffer_desc b;
	OM_uint32 maj, min;
	char svc[300];
	int rc;

	/*
	 * gss-ntlmssp reads the NetBIOS names from the environment only;
	 * without them every context asks winbindd (docs: doc/ntlm.md).
	 */
	if ((p->netbios_domain != NULL &&
	    setenv("NETBIOS_DOMAIN_NAME", p->netbios_domain, 1) != 0) ||
	    (p->netbios_computer != NULL &&
	    setenv("NETBIOS_COMPUTER_NAME", p->netbios_computer, 1) != 0))
		return errno;
	s->ntlm_winbind = p->ntlm_winbind;
	if (!p->ntlm_winbind && p->ntlm_user_file != NULL) {
		if (access(p->ntlm_user_file, R_OK) != 0) {
			rc = errno;
			(void)snprintf(err, errsz, "NTLM user file %s: %s",
			    p->ntlm_user_file, strerror(rc));
			return rc;
		}
		if ((s->ntlm_user_file = strdup(p->ntlm_user_file)) == NULL)
			return ENOMEM;
		/* Read now, so that the first AUTHENTICATE does not. */
		if ((s->ntlm_index = mech_ntlm_index_create()) == NULL)
			return ENOMEM;
		(void)mech_ntlm_index_refresh(s->ntlm_index,
		    s->ntlm_user_file);
	}
	if ((s->ntlm = calloc(1, sizeof(*s->ntlm))) == NULL)
		return ENOMEM;
	if ((rc = plugin_load(s->ntlm, err, errsz)) != 0)
		return rc;
	if ((rc = pin_conversions(s, err, errsz)) != 0)
		return rc;
	/* Our own NTLM crypto (signatures) loads OpenSSL's legacy provider:
	   now, while descriptors are plenty, rather than at the first
	   handshake.  It stays loaded, for gss-ntlmssp's MD4 and RC4 too. */
	if (!sipauth_ntlm_crypto_ready()) {
		(void)snprintf(err, errsz, "OpenSSL's MD4, MD5, RC4 or HMAC "
		    "(the legacy provider) is not available");
		return ENOTSUP;
	}
	(void)snprintf(svc, sizeof(svc), "sip@%s",
	    s->fqdn != NULL ? s->fqdn : "localhost");
	b = (gss_buffer_desc){ strlen(svc), svc };
	/* Kept: every AUTHENTICATE acquires a credential for it. */
	maj = s->ntlm->import_name(&min, &b, GSS_C_NT_HOSTBASED_SERVICE,
	    &s->ntlm_name);
	if (GSS_ERROR(maj))
		goto gss_fail;
	maj = acquire_acceptor(s, s->ntlm_user_file, &s->ntlm_cred, &min);
	if (GSS_ERROR(maj))
		goto gss_fail;
	b = (gss_buffer_desc){ sizeof(flags), &flags };
	maj = s->ntlm->set_cred_option(&min, &s->ntlm_cred, &flags_oid, &b);
	if (GSS_ERROR(maj))
		goto gss_fail;
	return 0;
gss_fail:
	(void)snprintf(err, errsz, "gss-ntlmssp acceptor credential for %s: "
	    "GSS major 0x%x minor %u", svc, (unsigned int)maj,
	    (unsigned int)min);
	return EIO;
}

void
mech_ntlm_server_free(struct mech_server *s)
{
	OM_uint32 min;

	if (s->ntlm != NULL) {
		if (s->ntlm_cred != GSS_C_NO_CREDENTIAL)
			(void)s->ntlm->release_cred(&min, &s->ntlm_cred);
		if (s->ntlm_name != GSS_C_NO_NAME)
			(void)s->ntlm->release_name(&min, &s->ntlm_name);
		if (s->ntlm->dl != NULL)
			(void)dlclose(s->ntlm->dl);
		free(s->ntlm);
		s->ntlm = NULL;
	}
	while (s->ntlm_nconv > 0)
		(void)iconv_close(s->ntlm_conv[--s->ntlm_nconv]);
	mech_ntlm_index_free(s->ntlm_index);
	s->ntlm_index = NULL;
	free(s->ntlm_user_file);
	s->ntlm_user_file = NULL;
}

int
mech_copy_token(gss_buffer_t b, struct mech_result *res)
{
	if (b->length == 0)
		return 0;
	if ((res->out = malloc(b->length)) == NULL)
		return ENOMEM;
	memcpy(res->out, b->value, b->length);
	res->out_len = b->length;
	return 0;
}

/*
 * Take the exported session key of a completed GSS context (plugin or
 * mechglue inquire function) and derive sipsa's own signing keys with
 * the flags of the AUTHENTICATE message.  The key is wiped at once.
 */
enum mech_reason
mech_ntlm_take_keys(__typeof__(&gss_inquire_sec_context_by_oid) inquire,
    gss_ctx_id_t gctx, uint32_t flags, struct ntlm_keys *keys,
    struct mech_status *st)
{
	gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
	enum mech_reason r = MECH_R_INTERNAL;
	OM_uint32 maj, min;

	maj = inquire(&min, gctx, GSS_C_INQ_SSPI_SESSION_KEY, &set);
	st->major = maj;
	st->minor = min;
	if (GSS_ERROR(maj) || set == GSS_C_NO_BUFFER_SET)
		return MECH_R_INTERNAL;
	if (set->count >= 1 && set->elements[0].length == NTLM_KEY_LEN) {
		sipauth_ntlm_derive_keys(set->elements[0].value, flags, keys);
		if (keys->flags != 0)
			r = MECH_OK;
	}
	for (size_t i = 0; i < set->count; i++)
		OPENSSL_cleanse(set->elements[i].value,
		    set->elements[i].length);
	(void)gss_release_buffer_set(&min, &set);
	return r;
}

/* The AUTHENTICATE flags sipsa can sign with (connectionless, KEY_EXCH). */
int
mech_ntlm_flags_ok(uint32_t f)
{
	return (f & NTLM_NEG_DATAGRAM) && (f & NTLM_NEG_KEY_EXCH) &&
	    (f & (NTLM_NEG_SIGN | NTLM_NEG_ALWAYS_SIGN));
}

/* A copy of len bytes into *dst (malloc'd); 0 or ENOMEM. */
static int
keep_copy(const void *src, size_t len, uint8_t **dst, uint16_t *dst_len)
{
	if (len > UINT16_MAX || (*dst = malloc(len)) == NULL)
		return ENOMEM;
	memcpy(*dst, src, len);
	*dst_len = (uint16_t)len;
	return 0;
}

static void
accept_first(struct mech_server *s, struct mech_ctx *ctx,
    struct mech_result *res)
{
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	struct ntlm_challenge c;
	OM_uint32 maj, min;

	maj = s->ntlm->accept(&min, &ctx->u.ntlm.gctx, s->ntlm_cred, &in,
	    GSS_C_NO_CHANNEL_BINDINGS, NULL, NULL, &out, NULL, NULL, NULL);
	res->status.major = maj;
	res->status.minor = min;
	if (maj != GSS_S_CONTINUE_NEEDED) {
		res->reason = MECH_R_INTERNAL;
	} else if (sipauth_ntlm_decode_challenge(out.value, out.length,
	    &c) != 0 || (c.flags & NTLM_SIPE_REQUIRED_FLAGS) !=
	    NTLM_SIPE_REQUIRED_FLAGS) {
		/* A CHALLENGE that SIPE would refuse: a set-up problem. */
		res->reason = MECH_R_FLAGS;
	} else
		res->reason = mech_copy_token(&out, res) == 0 ? MECH_OK :
		    MECH_R_INTERNAL;
	/* With winbind the DC checks the AUTHENTICATE: the CHALLENGE is
	   all that is kept of the gss-ntlmssp context (67 KB). */
	if (res->reason == MECH_OK && s->ntlm_winbind) {
		if (keep_copy(out.value, out.length, &ctx->u.ntlm.challenge,
		    &ctx->u.ntlm.challenge_len) != 0)
			res->reason = MECH_R_INTERNAL;
		(void)s->ntlm->delete_ctx(&min, &ctx->u.ntlm.gctx,
		    GSS_C_NO_BUFFER);
	}
	(void)gss_release_buffer(&min, &out);
}

/*
 * The acceptor credential for one AUTHENTICATE.  gss-ntlmssp reads the
 * credential of each accept call (of the second leg: its type, its name
 * and its user file), so the second leg may use another one than the
 * first: one made for this handshake whose user file is a memfd holding
 * only the lines of the AUTHENTICATE's user (mech_ntlm_index.c), none for
 * a user the index does not hold.  When the index cannot answer or
 * anything fails, the server's own credential and the whole file, as
 * gss-ntlmssp alone would read it.  The caller releases a credential other
 * than s->ntlm_cred, then closes sub.
 */
static gss_cred_id_t
user_cred(struct mech_server *s, const struct ntlm_authenticate *a,
    struct mech_ntlm_subset *sub)
{
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	char user[256], domain[256];
	OM_uint32 min;

	sub->fd = -1;
	if (s->ntlm_index == NULL || !(a->flags & NTLM_NEG_UNICODE) ||
	    sipauth_ntlm_utf16_to_utf8(&a->user, user, sizeof(user)) != 0 ||
	    sipauth_ntlm_utf16_to_utf8(&a->domain, domain,
	    sizeof(domain)) != 0 ||
	    mech_ntlm_index_subset(s->ntlm_index, s->ntlm_user_file, domain,
	    user, sub) != 0)
		return s->ntlm_cred;
	/* The acceptor flags matter to the first leg only. */
	if (GSS_ERROR(acquire_acceptor(s, sub->path, &cred, &min))) {
		mech_ntlm_subset_close(sub);
		return s->ntlm_cred;
	}
	return cred;
}

/* users winbind: a job for the DC (mech_ntlm_wb.c); the step waits. */
static void
wb_second(struct mech_ctx *ctx, const uint8_t *token, size_t len,
    const struct ntlm_authenticate *a, struct mech_result *res)
{
	struct ntlm_challenge c;
	int rc;

	if (sipauth_ntlm_decode_challenge(ctx->u.ntlm.challenge,
	    ctx->u.ntlm.challenge_len, &c) != 0) {
		res->reason = MECH_R_INTERNAL;
		return;
	}
	rc = mech_ntlm_wb_job(a, c.server_challenge, &res->job);
	if (rc == 0)
		rc = keep_copy(token, len, &ctx->u.ntlm.auth,
		    &ctx->u.ntlm.auth_len);
	if (rc != 0) {
		mech_job_free(res->job);
		res->job = NULL;
		res->reason = rc == EBADMSG ? MECH_R_BAD_TOKEN :
		    MECH_R_INTERNAL;
		return;
	}
	ctx->u.ntlm.pending = 1;
	res->reason = MECH_R_PENDING;
}

static void
accept_second(struct mech_server *s, struct mech_ctx *ctx,
    const uint8_t *token, size_t len, struct mech_result *res)
{
	gss_buffer_desc in = { len, (void *)token };
	gss_buffer_desc out = GSS_C_EMPTY_BUFFER, nb = GSS_C_EMPTY_BUFFER;
	gss_name_t src = GSS_C_NO_NAME;
	struct ntlm_authenticate a;
	struct mech_ntlm_subset sub;
	gss_cred_id_t cred;
	OM_uint32 maj, min, ret_flags = 0;

	if (sipauth_ntlm_decode_authenticate(token, len, &a) != 0) {
		res->reason = MECH_R_BAD_TOKEN;
		return;
	}
	/*
	 * No anonymous logon (gss-ntlmssp would complete it, with a null
	 * session key) and no NTLMv1 (24-byte response): an NTLMv2 response
	 * is NTProofStr plus a blob of at least 28 bytes.
	 */
	if (a.user.len == 0) {
		res->reason = MECH_R_UNKNOWN_USER;
		return;
	}
	if (!mech_ntlm_flags_ok(a.flags) || a.nt_response.len < 16 + 28 ||
	    a.enc_session_key.len != NTLM_KEY_LEN) {
		res->reason = MECH_R_FLAGS;
		return;
	}
	if (s->ntlm_winbind) {
		wb_second(ctx, token, len, &a, res);
		return;
	}
	cred = user_cred(s, &a, &sub);
	maj = s->ntlm->accept(&min, &ctx->u.ntlm.gctx, cred, &in,
	    GSS_C_NO_CHANNEL_BINDINGS, &src, NULL, &out, &ret_flags, NULL,
	    NULL);
	res->status.major = maj;
	res->status.minor = min;
	if (cred != s->ntlm_cred)
		(void)s->ntlm->release_cred(&min, &cred);
	mech_ntlm_subset_close(&sub);
	(void)gss_release_buffer(&min, &out);
	if (maj == GSS_S_COMPLETE && (ret_flags & GSS_C_ANON_FLAG)) {
		res->reason = MECH_R_UNKNOWN_USER;
		goto out;
	}
	if (maj != GSS_S_COMPLETE) {
		/*
		 * gss-ntlmssp says GSS_S_FAILURE, minor 0, both for an
		 * unknown user and a wrong password; the user file tells
		 * them apart (doc/ntlm.md).
		 */
		if (maj == GSS_S_DEFECTIVE_TOKEN || !GSS_ERROR(maj))
			res->reason = MECH_R_BAD_TOKEN;
		else
			res->reason = mech_ntlm_user_known(s, &a) == 0 ?
			    MECH_R_UNKNOWN_USER : MECH_R_BAD_PASSWORD;
		goto out;
	}
	if (!GSS_ERROR(s->ntlm->display_name(&min, src, &nb, NULL))) {
		mech_copy_buffer(&nb, res->user, sizeof(res->user));
		(void)gss_release_buffer(&min, &nb);
	}
	res->reason = mech_ntlm_take_keys(s->ntlm->inquire_by_oid,
	    ctx->u.ntlm.gctx, a.flags, &ctx->u.ntlm.keys, &res->status);
	if (res->reason == MECH_OK) {
		ctx->established = 1;
		res->complete = 1;
		res->lifetime = 0;
	}
out:
	if (src != GSS_C_NO_NAME)
		(void)s->ntlm->release_name(&min, &src);
	if (ctx->u.ntlm.gctx != GSS_C_NO_CONTEXT)
		(void)s->ntlm->delete_ctx(&min, &ctx->u.ntlm.gctx,
		    GSS_C_NO_BUFFER);
}

int
mech_ntlm_accept(struct mech_server *s, struct mech_ctx **ctxp,
    const uint8_t *in, size_t in_len, struct mech_result *res)
{
	struct mech_ctx *ctx = *ctxp;

	if (ctx == NULL) {
		if (in_len != 0) {
			/* Not connectionless (a NEGOTIATE) or garbage. */
			res->reason = MECH_R_BAD_TOKEN;
			return 0;
		}
		if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
			return ENOMEM;
		ctx->kind = MECH_NTLM;
		ctx->u.ntlm.gctx = GSS_C_NO_CONTEXT;
		ctx->u.ntlm.gcred = GSS_C_NO_CREDENTIAL;
		ctx->u.ntlm.server = s;
		accept_first(s, ctx, res);
	} else if (ctx->u.ntlm.pending) {
		/* The same AUTHENTICATE again while the DC checks it. */
		res->reason = MECH_R_PENDING;
		return 0;
	} else if (ctx->established || ctx->initiator || in_len == 0 ||
	    (ctx->u.ntlm.gctx == GSS_C_NO_CONTEXT &&
	    ctx->u.ntlm.challenge == NULL)) {
		res->reason = MECH_R_BAD_TOKEN;
	} else
		accept_second(s, ctx, in, in_len, res);
	if (res->reason != MECH_OK && res->reason != MECH_R_PENDING) {
		free(res->out);
		res->out = NULL;
		res->out_len = 0;
		mech_ctx_free(ctx);
		ctx = NULL;
	}
	*ctxp = ctx;
	return 0;
}

/* Forget the winbind handshake's copies (the AUTHENTICATE is a secret:
   an offline password guess needs only it and the CHALLENGE). */
static void
wb_forget(struct mech_ctx *ctx)
{
	if (ctx->u.ntlm.auth != NULL)
		OPENSSL_cleanse(ctx->u.ntlm.auth, ctx->u.ntlm.auth_len);
	free(ctx->u.ntlm.auth);
	free(ctx->u.ntlm.challenge);
	ctx->u.ntlm.auth = ctx->u.ntlm.challenge = NULL;
	ctx->u.ntlm.auth_len = ctx->u.ntlm.challenge_len = 0;
}

int
mech_ntlm_accept_finish(struct mech_server *s, struct mech_ctx **ctxp,
    struct mech_job *job, struct mech_result *res)
{
	struct mech_ctx *ctx = *ctxp;

	(void)s;
	if (ctx == NULL || ctx->kind != MECH_NTLM || !ctx->u.ntlm.pending) {
		res->reason = MECH_R_BAD_TOKEN;
		return 0;
	}
	ctx->u.ntlm.pending = 0;
	res->reason = mech_ntlm_wb_finish(ctx, job, res);
	wb_forget(ctx);
	if (res->reason == MECH_OK) {
		ctx->established = 1;
		res->complete = 1;
		res->lifetime = 0;
	} else {
		mech_ctx_free(ctx);
		*ctxp = NULL;
	}
	return 0;
}

enum mech_reason
mech_ntlm_sign(struct mech_ctx *ctx, const void *msg, size_t len,
    uint8_t *sig, size_t *sig_len)
{
	enum ntlm_dir dir = ctx->initiator ? NTLM_CLIENT_TO_SERVER :
	    NTLM_SERVER_TO_CLIENT;

	if (sipauth_ntlm_sign(&ctx->u.ntlm.keys, dir, NTLM_SIPAE_SEQ, msg,
	    len, sig) != 0)
		return MECH_R_INTERNAL;
	*sig_len = NTLM_SIG_LEN;
	return MECH_OK;
}

enum mech_reason
mech_ntlm_verify(struct mech_ctx *ctx, const void *msg, size_t len,
    const uint8_t *sig, size_t sig_len)
{
	enum ntlm_dir dir = ctx->initiator ? NTLM_SERVER_TO_CLIENT :
	    NTLM_CLIENT_TO_SERVER;

	if (sipauth_ntlm_verify(&ctx->u.ntlm.keys, dir, NTLM_SIPAE_SEQ, msg,
	    len, sig, sig_len) != 0)
		return MECH_R_BAD_SIGNATURE;
	return MECH_OK;
}

void
mech_ntlm_ctx_release(struct mech_ctx *ctx)
{
	OM_uint32 min;

	if (ctx->u.ntlm.gctx != GSS_C_NO_CONTEXT) {
		if (ctx->initiator)
			(void)gss_delete_sec_context(&min, &ctx->u.ntlm.gctx,
			    GSS_C_NO_BUFFER);
		else
			(void)ctx->u.ntlm.server->ntlm->delete_ctx(&min,
			    &ctx->u.ntlm.gctx, GSS_C_NO_BUFFER);
	}
	if (ctx->u.ntlm.gcred != GSS_C_NO_CREDENTIAL && !ctx->cred_borrowed)
		(void)gss_release_cred(&min, &ctx->u.ntlm.gcred);
	wb_forget(ctx);
	sipauth_ntlm_keys_wipe(&ctx->u.ntlm.keys);
}
