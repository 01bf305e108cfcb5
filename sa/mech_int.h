/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech_int.h: internals shared by sa/mech.c, sa/mech_ntlm.c and
 * sa/mech_krb5.c: the server and context structures and the per-mechanism
 * entry points that mech.c dispatches to.
 */
#ifndef SIPSA_SA_MECH_INT_H
#define SIPSA_SA_MECH_INT_H

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>

#include "sa/krb5_cfx.h"
#include "sa/mech.h"
#include "sipauth/ntlm.h"

/* The gss-ntlmssp entry points sipsa calls directly (mech_ntlm.c). */
struct mech_ntlm_plugin;

struct mech_server {
	char			*fqdn;
	/* Kerberos: the acceptor credential, acquired once. */
	gss_cred_id_t		 krb_cred;
	/* NTLM: the plugin and its acceptor credential. */
	int			 ntlm_enabled;
	int			 ntlm_winbind;
	char			*ntlm_user_file;
	struct mech_ntlm_plugin	*ntlm;
	gss_cred_id_t		 ntlm_cred;	/* a plugin credential */
};

struct mech_client_cred {
	enum mech_kind	 kind;
	gss_cred_id_t	 gcred;
};

struct mech_ctx {
	enum mech_kind	 kind;
	unsigned int	 initiator:1;
	unsigned int	 established:1;
	unsigned int	 cred_borrowed:1;	/* gcred from mech_client_cred */
	union {
		/*
		 * NTLM: while the handshake runs, a GSS context (acceptor:
		 * the plugin's own; initiator: through the mechglue) and,
		 * for the initiator, its password credential.  Once
		 * established only the derived keys remain.
		 */
		struct {
			gss_ctx_id_t		 gctx;
			gss_cred_id_t		 gcred;
			struct mech_server	*server; /* acceptor only */
			struct ntlm_keys	 keys;
		} ntlm;
		/*
		 * Kerberos: the MIT context; for an established acceptor
		 * with an aes-sha1 enctype only the derived checksum keys
		 * (cfx) remain and gctx is GSS_C_NO_CONTEXT.
		 */
		struct {
			gss_ctx_id_t		 gctx;
			gss_cred_id_t		 gcred; /* initiator only */
			struct krb5_cfx		 cfx;
		} krb;
	} u;
};

/*
 * Heap a library context holds beyond struct mech_ctx: an NTLM half-open
 * gss-ntlmssp context (67 KB, mostly two iconv handles; gss-and-kdc notes
 * §6) and an established MIT krb5 acceptor context kept for enctypes
 * sa/krb5_cfx.c does not handle (3.3 KB, measured with "bench/mechbench
 * mem kerberos" before krb5_cfx: 3496 bytes per SA with struct mech_ctx).
 */
#define MECH_NTLM_HALF_OPEN_BYTES	(67 * 1024)
#define MECH_KRB5_CTX_BYTES		3300

/* mech_ntlm.c */
int	mech_ntlm_server_create(struct mech_server *s,
	    const struct mech_server_params *p, char *err, size_t errsz);
void	mech_ntlm_server_free(struct mech_server *s);
int	mech_ntlm_accept(struct mech_server *s, struct mech_ctx **ctxp,
	    const uint8_t *in, size_t in_len, struct mech_result *res);
int	mech_ntlm_init(const struct mech_client_params *p,
	    struct mech_ctx **ctxp, const uint8_t *in, size_t in_len,
	    struct mech_result *res);
enum mech_reason mech_ntlm_sign(struct mech_ctx *ctx, const void *msg,
	    size_t len, uint8_t *sig, size_t *sig_len);
enum mech_reason mech_ntlm_verify(struct mech_ctx *ctx, const void *msg,
	    size_t len, const uint8_t *sig, size_t sig_len);
void	mech_ntlm_ctx_release(struct mech_ctx *ctx);
/* mech_ntlm_init.c: the initiator credential for p (user, domain,
   password). */
OM_uint32 mech_ntlm_init_cred(const struct mech_client_params *p,
	    gss_cred_id_t *cred, OM_uint32 *min);
enum mech_reason mech_ntlm_take_keys(
	    __typeof__(&gss_inquire_sec_context_by_oid) inquire,
	    gss_ctx_id_t gctx, uint32_t flags, struct ntlm_keys *keys,
	    struct mech_status *st);
int	mech_ntlm_flags_ok(uint32_t flags);
/* mech_ntlm_user.c: 0 when the user is absent from the user file. */
int	mech_ntlm_user_known(const struct mech_server *s,
	    const struct ntlm_authenticate *a);

/* mech_krb5.c */
int	mech_krb5_server_create(struct mech_server *s,
	    const struct mech_server_params *p, char *err, size_t errsz);
void	mech_krb5_server_free(struct mech_server *s);
int	mech_krb5_accept(struct mech_server *s, struct mech_ctx **ctxp,
	    const uint8_t *in, size_t in_len, struct mech_result *res);
int	mech_krb5_init(const struct mech_client_params *p,
	    struct mech_ctx **ctxp, const uint8_t *in, size_t in_len,
	    struct mech_result *res);
enum mech_reason mech_krb5_sign(struct mech_ctx *ctx, const void *msg,
	    size_t len, uint8_t *sig, size_t *sig_len, struct mech_status *st);
enum mech_reason mech_krb5_verify(struct mech_ctx *ctx, const void *msg,
	    size_t len, const uint8_t *sig, size_t sig_len,
	    struct mech_status *st);
void	mech_krb5_ctx_release(struct mech_ctx *ctx);
/* The initiator credential for p: ccache, client keytab or default. */
OM_uint32 mech_krb5_init_cred(const struct mech_client_params *p,
	    gss_cred_id_t *cred, OM_uint32 *min);
/* Reason for a krb5 GSS failure, from its minor code. */
enum mech_reason mech_krb5_reason(OM_uint32 major, OM_uint32 minor);

/* mech_ntlm.c: copy a token into res->out (malloc'd); 0 or ENOMEM. */
int	mech_copy_token(gss_buffer_t b, struct mech_result *res);

/* mech.c: copy a GSS name's display form into buf (NUL-terminated). */
void	mech_copy_buffer(const gss_buffer_t b, char *buf, size_t bufsz);

#endif /* SIPSA_SA_MECH_INT_H */
