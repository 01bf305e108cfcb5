/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech_int.h: internals shared by sa/mech.c, sa/mech_ntlm.c and
 * sa/mech_krb5.c: the server and context structures and the per-mechanism
 * entry points that mech.c dispatches to.
 */
#ifndef SIPSA_SA_MECH_INT_H
#define SIPSA_SA_MECH_INT_H

#include <iconv.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <krb5.h>

#include "sa/krb5_cfx.h"
#include "sa/mech.h"
#include "sipauth/ntlm.h"

/* The gss-ntlmssp entry points sipsa calls directly (mech_ntlm.c). */
struct mech_ntlm_plugin;
/* The NTLM user file, indexed by user (mech_ntlm_index.c). */
struct mech_ntlm_index;
/* A krb5 context that measures clock skew (mech_krb5_skew.c). */
struct mech_krb5_skew;
/* The keytab's entries in an MIT MEMORY keytab (mech_krb5_kt.c). */
struct mech_krb5_kt;

struct mech_server {
	char			*fqdn;
	/*
	 * Kerberos: the acceptor credential, on a MEMORY copy of the
	 * keytab file; both replaced when the file changes.
	 */
	gss_cred_id_t		 krb_cred;
	char			*keytab;
	struct mech_krb5_kt	*krb_kt;
	char			*krb_rcache;	/* store "rcache" or NULL */
	struct mech_krb5_skew	*krb_skew;	/* made at the first skew */
	/* NTLM: the plugin and its acceptor credential. */
	int			 ntlm_enabled;
	int			 ntlm_winbind;
	char			*ntlm_user_file;
	struct mech_ntlm_plugin	*ntlm;
	gss_name_t		 ntlm_name;	/* sip@<fqdn>, a plugin name */
	gss_cred_id_t		 ntlm_cred;	/* a plugin credential */
	struct mech_ntlm_index	*ntlm_index;	/* of ntlm_user_file */
	/* The conversions gss-ntlmssp opens in every context, held open
	   for the server's life (mech_ntlm_server_create). */
	iconv_t			 ntlm_conv[2];
	int			 ntlm_nconv;
};

struct mech_client_cred {
	enum mech_kind	 kind;
	gss_cred_id_t	 gcred;
};

struct mech_ctx {
	enum mech_kind	 kind;
	unsigned int	 initiator:1;
	unsigned int	 established:1;
	unsigned int	 cred_borrowed:1;	/* gcred: mech_client_cred's */
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
			/* users winbind (mech_ntlm_wb.c), while the
			   handshake runs: the CHALLENGE sent, then the
			   AUTHENTICATE the DC is checking (the MIC covers
			   both); pending from the job's making to its
			   finish. */
			uint8_t			*challenge;
			uint8_t			*auth;
			uint16_t		 challenge_len;
			uint16_t		 auth_len;
			uint8_t			 pending;
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
/*
 * mech_ntlm_user.c: 1 when the user is in the user file, 0 when absent,
 * -1 when it cannot tell (winbind, no file).
 */
int	mech_ntlm_user_known(struct mech_server *s,
	    const struct ntlm_authenticate *a);

/*
 * mech_ntlm_index.c.  One line of the user file as gss-ntlmssp reads it
 * (Heimdal "DOM:USER:PASSWORD" or smbpasswd "[DOM\]USER:UID:LM:NT:...");
 * the pointers borrow from the line.
 */
struct mech_ntlm_line {
	const char	*user;
	size_t		 user_len;
	const char	*dom;		/* the line's start */
	size_t		 dom_len;	/* 0: no domain, or an empty one */
};
/* Parse one line (without its newline): 1, or 0 for a line gss-ntlmssp
   skips (comment, too few fields). */
int	mech_ntlm_parse_line(const char *line, size_t len,
	    struct mech_ntlm_line *out);
/*
 * Does a line's domain (dom, dom_len) answer for domain?  Case-insensitive;
 * an empty domain on either side matches any (the unknown-user question).
 */
int	mech_ntlm_domain_matches(const char *dom, size_t dom_len,
	    const char *domain);
/* An empty index (NULL without memory); it reads the file when asked. */
struct mech_ntlm_index *mech_ntlm_index_create(void);
/*
 * Bring the index up to date with the file at path: one stat() when the
 * file has not changed, else it is read again.  1 when the index can
 * answer for the file, 0 when not (see mech_ntlm_index.c).
 */
int	mech_ntlm_index_refresh(struct mech_ntlm_index *ix, const char *path);
/* Wipes the copy of the file, then frees. */
void	mech_ntlm_index_free(struct mech_ntlm_index *ix);
/*
 * Is DOMAIN\USER (UTF-8, from the AUTHENTICATE) in the user file at path?
 * 1 or 0, as mech_ntlm_user_known; -1 when the index cannot answer (the
 * caller reads the file itself).  Re-reads the file when it changed.
 */
int	mech_ntlm_index_known(struct mech_ntlm_index *ix, const char *path,
	    const char *domain, const char *user);
/* The lines of one user in a memfd, for gss-ntlmssp to read by path. */
struct mech_ntlm_subset {
	int	 fd;		/* -1: none */
	size_t	 len;		/* bytes written */
	char	 path[32];	/* "/proc/self/fd/N" */
};
/*
 * Write every line of user (ASCII case-insensitive, file order) into a new
 * memfd (none when the user is absent: an empty file).  0 on success; an
 * errno value when the index cannot answer (a name or file it does not handle,
 * a system failure).  On any non-zero return sub->fd is -1.
 */
int	mech_ntlm_index_subset(struct mech_ntlm_index *ix, const char *path,
	    const char *domain, const char *user,
	    struct mech_ntlm_subset *sub);
/* Overwrite the memfd with zeros and close it (no-op when fd is -1). */
void	mech_ntlm_subset_close(struct mech_ntlm_subset *sub);

/*
 * mech_ntlm_wb.c.  A job for the AUTHENTICATE a (its fields copied) and the
 * server challenge: 0, ENOMEM, or EBADMSG for names that are not UTF-16.
 */
int	mech_ntlm_wb_job(const struct ntlm_authenticate *a,
	    const uint8_t challenge[8], struct mech_job **job_out);
/* The step's outcome once the job ran: keys and res->user on success. */
enum mech_reason mech_ntlm_wb_finish(struct mech_ctx *ctx,
	    struct mech_job *job, struct mech_result *res);
/* The text of a status with nt_status or wbc_error set. */
void	mech_ntlm_wb_status_text(const struct mech_status *st, char *buf,
	    size_t bufsz);
int	mech_ntlm_accept_finish(struct mech_server *s,
	    struct mech_ctx **ctxp, struct mech_job *job,
	    struct mech_result *res);

/* mech_krb5.c */
int	mech_krb5_server_create(struct mech_server *s,
	    const struct mech_server_params *p, char *err, size_t errsz);
void	mech_krb5_server_free(struct mech_server *s);
int	mech_krb5_accept(struct mech_server *s, struct mech_ctx **ctxp,
	    const uint8_t *in, size_t in_len, struct mech_result *res);
/* Re-read the keytab if its file changed; 1 when the keys were replaced. */
int	mech_krb5_refresh(struct mech_server *s, int force);
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
/*
 * mech_krb5_skew.c: log how far the clock of the client that sent the
 * token in (refused with KRB5KRB_AP_ERR_SKEW) is off; free the context.
 */
void	mech_krb5_log_skew(struct mech_server *s, const uint8_t *in,
	    size_t len);
void	mech_krb5_skew_free(struct mech_krb5_skew *k);
/*
 * mech_keytab.c: the principal the acceptor matches, sip/<fqdn> in any
 * realm (for krb5_sname_match).
 */
krb5_error_code mech_keytab_service_princ(krb5_context kc, const char *fqdn,
	    krb5_principal *p);
/*
 * mech_krb5_kt.c.  A MEMORY keytab holding a copy of every entry of the
 * FILE keytab at path, which must hold a key of sip/<fqdn> (any key
 * when fqdn is NULL): 0, or a krb5 error or errno value with a line
 * naming path in err.
 */
krb5_error_code mech_krb5_kt_open(const char *path, const char *fqdn,
	    struct mech_krb5_kt **kt, char *err, size_t errsz);
/* Its name for a cred store ("MEMORY:..."). */
const char *mech_krb5_kt_name(const struct mech_krb5_kt *kt);
/* How many entries were copied, and their highest kvno. */
void	mech_krb5_kt_counts(const struct mech_krb5_kt *kt, size_t *entries,
	    unsigned *max_kvno);
/*
 * Has the file at path changed since kt was made (or since the last call
 * that said so)?  One stat(), at most once a second unless force.  1: it
 * changed; 2: it looks the same but changed too recently to tell (read
 * it again); 0: no.
 */
int	mech_krb5_kt_changed(struct mech_krb5_kt *kt, const char *path,
	    int force);
/* Close our handle: the keys are wiped once the credential lets go too. */
void	mech_krb5_kt_free(struct mech_krb5_kt *kt);
/* Reason for a krb5 GSS failure, from its minor code. */
enum mech_reason mech_krb5_reason(OM_uint32 major, OM_uint32 minor);

/* mech_ntlm.c: copy a token into res->out (malloc'd); 0 or ENOMEM. */
int	mech_copy_token(gss_buffer_t b, struct mech_result *res);

/* mech.c: copy a GSS name's display form into buf (NUL-terminated). */
void	mech_copy_buffer(const gss_buffer_t b, char *buf, size_t bufsz);

#endif /* SIPSA_SA_MECH_INT_H */
