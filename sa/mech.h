/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech.h: the two MS-SIPAE authentication mechanisms, NTLM
 * (connectionless, through gss-ntlmssp) and Kerberos (through MIT GSSAPI),
 * behind one narrow interface: acceptor and initiator handshake steps, then
 * sign and verify.  This is the only part of sipsa that sees a GSS handle;
 * everything above it (the SA table, the daemon, the tools) works with
 * struct mech_ctx and reason codes.
 */
#ifndef SIPSA_SA_MECH_H
#define SIPSA_SA_MECH_H

#include <stddef.h>
#include <stdint.h>

enum mech_kind {
	MECH_NTLM,
	MECH_KERBEROS,
};

/*
 * Why an authentication step or a signature check failed.  Every layer
 * above passes these on unchanged; sa_reason_name() (sa.h) prints them.
 */
enum mech_reason {
	MECH_OK = 0,
	MECH_R_UNKNOWN_USER,		/* no such user (file, winbind, KDC) */
	MECH_R_BAD_PASSWORD,		/* NTLM proof or ticket decrypt fails */
	MECH_R_CLOCK_SKEW,		/* Kerberos authenticator time skewed */
	MECH_R_REPLAYED_TICKET,		/* AP-REQ seen before (replay cache) */
	MECH_R_BAD_TOKEN,		/* malformed or unexpected token */
	MECH_R_BAD_SIGNATURE,		/* MIC does not verify */
	MECH_R_FLAGS,			/* NTLM flags sipsa cannot accept */
	MECH_R_NO_CREDENTIALS,		/* no server keytab or service key */
	/* The domain controller refused an account with the right
	   password (NTLM through winbindd): */
	MECH_R_ACCOUNT_DISABLED,	/* the account is disabled */
	MECH_R_ACCOUNT_LOCKED,		/* locked out by the domain */
	MECH_R_PASSWORD_EXPIRED,	/* expired, or must be changed */
	MECH_R_ACCOUNT_EXPIRED,		/* the account's end date passed */
	MECH_R_ACCOUNT_RESTRICTED,	/* logon hours, workstations */
	MECH_R_UNAVAILABLE,		/* winbindd or the DC cannot answer */
	MECH_R_PENDING,			/* not a failure: the step waits for
					   mech_job_run() (struct mech_job) */
	MECH_R_INTERNAL,		/* out of memory, library failure */
	MECH_R_MAX,
};

/*
 * A GSS major/minor pair, or winbindd's answer, kept for the one log line
 * that reports it.
 */
struct mech_status {
	uint32_t	major;
	uint32_t	minor;
	int		mech_is_krb5;	/* which mechanism's minor codes */
	uint32_t	nt_status;	/* winbindd: the DC's NTSTATUS */
	int		wbc_error;	/* winbindd: a wbcErr other than
					   success or an auth error */
};

/* Acceptor configuration, copied from sipsa.conf at start and on reload. */
struct mech_server_params {
	const char	*fqdn;		/* host: Kerberos service sip/<fqdn> */
	const char	*keytab;	/* NULL: Kerberos disabled */
	const char	*rcache_dir;	/* NULL: library default; "none" off */
	int		 ntlm_enabled;
	int		 ntlm_winbind;	/* winbindd: Active Directory users */
	const char	*ntlm_user_file; /* when !ntlm_winbind */
	const char	*netbios_domain;
	const char	*netbios_computer;
};

/* Process-wide acceptor credentials for both mechanisms. */
struct mech_server;

/*
 * Acquire acceptor credentials.  On failure returns an errno value and
 * writes a human-readable reason (naming the file or principal) into err.
 * Kerberos: the credential for sip/<fqdn> (any key in the keytab when fqdn
 * is NULL) is acquired on a memory copy of the keytab, with the replay
 * cache <rcache_dir>/sipsa_krb5.rcache2.  NTLM: gss-ntlmssp takes the NetBIOS
 * names from the environment only, so non-NULL netbios_* values are put
 * there with setenv() (call this before starting threads).  The server
 * must outlive every context made with it.
 */
int	mech_server_create(const struct mech_server_params *params,
	    struct mech_server **server_out, char *err, size_t errsz);
void	mech_server_free(struct mech_server *server);
/*
 * Kerberos keeps a copy of the keytab in memory.  Kerberos accepts look
 * at the file (stat) at most once a second, and at once when a ticket
 * names a key the copy lacks; this looks now (reload).  When the file
 * changed it is read again and the new keys replace the old, which are
 * wiped; a file without the service key keeps the old ones (logged).
 * 1 when the keys were replaced, else 0.  Not thread-safe with
 * mech_accept() on the same server.
 */
int	mech_server_keytab_refresh(struct mech_server *server);

/* Outcomes of the keytab checks below. */
#define MECH_KT_OK		0
#define MECH_KT_ERROR		1	/* the keytab is wrong, or unreadable */
#define MECH_KT_UNTESTED	2	/* probe: no credentials, KDC error */
#define MECH_KT_WEAK		3	/* check: only RC4 or DES keys */

/*
 * The keys of sip/<fqdn> (any realm, as the acceptor matches) in keytab,
 * read with the krb5 keytab API (key contents untouched, entries wiped).
 * MECH_KT_OK or MECH_KT_WEAK: line says "keytab PATH: PRINCIPAL kvno N
 * ENCTYPE ..." (and warn, for MECH_KT_WEAK, why RC4 needs replacing), and
 * realms (unless NULL) gets the realms of those keys, blank-separated
 * (normally one: the server's own); MECH_KT_ERROR: line says what is
 * missing and how to export the key, realms is empty.
 */
int	mech_keytab_check(const char *keytab, const char *fqdn, char *line,
	    size_t linesz, char *warn, size_t warnsz, char *realms,
	    size_t realmssz);
/*
 * Does keytab decrypt the ticket the KDC issues today?  A ticket for
 * sip/<fqdn> from the default credentials cache (KRB5CCNAME), accepted by
 * the acceptor sipsad runs (no replay cache).  MECH_KT_OK, MECH_KT_ERROR
 * (stale or mismatched keytab) or MECH_KT_UNTESTED (no credentials, no
 * ticket); out gets the verdict in one line.
 */
int	mech_keytab_probe(const char *keytab, const char *fqdn, char *out,
	    size_t outsz);

/* One handshake in progress, or an established security context. */
struct mech_ctx;

/* What a handshake step produced. */
struct mech_result {
	enum mech_reason	reason;
	struct mech_status	status;
	int			complete;	/* context established */
	uint8_t			*out;		/* token to send; free() it */
	size_t			 out_len;
	char			 user[256];	/* authenticated name, once
						   complete: "DOMAIN\user"
						   (NTLM) or "user@REALM"
						   (Kerberos) */
	uint32_t		 lifetime;	/* seconds the context stays
						   valid, 0 = unlimited
						   (NTLM) */
	struct mech_job		*job;		/* MECH_R_PENDING: the
						   caller's (below) */
};

/*
 * The part of a step that blocks: an NTLM AUTHENTICATE checked by a domain
 * controller through winbindd (users winbind), which may take as long as
 * winbindd's timeouts when the DC is slow or gone.  mech_accept() then
 * answers MECH_R_PENDING with res->job, and keeps the context half-open.
 * The caller runs mech_job_run(job) on a thread of its own (the job holds
 * copies of what it needs and touches nothing else: any thread, at any
 * time), then hands the job back to mech_accept_finish() on the thread
 * that owns the context, which completes the step as mech_accept() would
 * have (res, *ctxp).  The job stays the caller's: mech_job_free() it
 * afterwards, or when its context went away meanwhile.
 */
struct mech_job;
void	mech_job_run(struct mech_job *job);
void	mech_job_free(struct mech_job *job);

/*
 * Acceptor step.  *ctxp is NULL on the first leg (it is then created); in
 * may be empty (NTLM connectionless first leg).  Returns 0 when the step
 * ran (res->reason says whether it succeeded) or an errno value for
 * resource failures.  On a failed step the context is freed and *ctxp set
 * to NULL.
 */
int	mech_accept(struct mech_server *server, enum mech_kind kind,
	    struct mech_ctx **ctxp, const uint8_t *in, size_t in_len,
	    struct mech_result *res);

/* See struct mech_job.  Returns as mech_accept(). */
int	mech_accept_finish(struct mech_server *server, struct mech_ctx **ctxp,
	    struct mech_job *job, struct mech_result *res);

/* Initiator (client) parameters. */
struct mech_client_params {
	enum mech_kind	 kind;
	/*
	 * The server's host name: Kerberos targets sip@<fqdn>; gss-ntlmssp
	 * also checks it against the host name in the NTLM CHALLENGE and
	 * refuses to answer when they differ.
	 */
	const char	*target_fqdn;
	/* NTLM */
	const char	*user;
	const char	*domain;
	const char	*password;	/* a secret; not kept after init */
	/* Kerberos: a credential cache, or a client keytab (no kinit) */
	const char	*ccache;	/* NULL: default ccache */
	const char	*client_keytab;
	const char	*principal;	/* with client_keytab */
	int		 mutual;	/* ask for mutual authentication */
	/*
	 * Optional: a credential from mech_client_cred_create(), shared by
	 * many handshakes (borrowed; the fields above that describe the
	 * credential are then not used).
	 */
	const struct mech_client_cred *cred;
};

/*
 * An initiator credential acquired once (NTLM: DOMAIN\user and the NT
 * hash of the password; Kerberos: the ccache or client-keytab TGT), for
 * callers that run many handshakes, such as the load generator: it saves
 * the credential set-up on each mech_init() (Kerberos from a client
 * keytab: about half the initiator cost).  May be shared between threads.
 * Returns 0, or EACCES with st set when the credential cannot be had.
 */
struct mech_client_cred;
int	mech_client_cred_create(const struct mech_client_params *params,
	    struct mech_client_cred **cred_out, struct mech_status *st);
/* Free after every context using it.  NULL is allowed. */
void	mech_client_cred_free(struct mech_client_cred *cred);

/*
 * Initiator step.  First call with *ctxp == NULL and no input; NTLM then
 * returns an empty token and wants the CHALLENGE in the second call;
 * Kerberos returns the AP-REQ and is complete (or, with mutual, wants the
 * AP-REP).  Same return conventions as mech_accept().
 */
int	mech_init(const struct mech_client_params *params,
	    struct mech_ctx **ctxp, const uint8_t *in, size_t in_len,
	    struct mech_result *res);

/* Longest signature any mechanism produces (Kerberos MIC tokens vary). */
#define MECH_SIG_MAX	128

/*
 * Sign msg as this side (acceptor: server-to-client; initiator:
 * client-to-server).  Writes at most MECH_SIG_MAX bytes into sig and the
 * length into *sig_len.  Returns MECH_OK or a reason.
 */
enum mech_reason mech_sign(struct mech_ctx *ctx, const void *msg, size_t len,
	    uint8_t *sig, size_t *sig_len, struct mech_status *st);
/* Verify a signature made by the peer.  Constant-time for NTLM. */
enum mech_reason mech_verify(struct mech_ctx *ctx, const void *msg,
	    size_t len, const uint8_t *sig, size_t sig_len,
	    struct mech_status *st);

enum mech_kind mech_ctx_kind(const struct mech_ctx *ctx);
/* Bytes held by the context (for the memory benchmark). */
size_t	mech_ctx_memory(const struct mech_ctx *ctx);
/* Release the context and wipe its keys.  NULL is allowed. */
void	mech_ctx_free(struct mech_ctx *ctx);

/* "unknown user", "bad signature", ... */
const char *mech_reason_text(enum mech_reason reason);
/* GSS display text of both codes into buf ("" when there are none). */
void	mech_status_text(const struct mech_status *st, char *buf,
	    size_t bufsz);

#endif /* SIPSA_SA_MECH_H */
