/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/sa.h: MS-SIPAE security associations ([MS-SIPAE] §3.3, [MS-SIP]
 * §3.1.5.1): the table of SAs keyed by opaque and by endpoint, their
 * half-open and established states, lifetime and idle expiry, the cnum
 * replay window and the snum/srand counters for signing.
 *
 * Life of an SA.  sa_begin() creates a half-open SA when a client starts a
 * handshake; the daemon returns its opaque in the challenge and finds it
 * again with sa_lookup_opaque().  sa_step() runs each handshake leg through
 * the mechanism; when the mechanism completes, the SA is established with
 * the authenticated user name.  sa_check_identity() and
 * sa_establish_endpoint() then bind it to the endpoint (AOR, epid, realm,
 * targetname), replacing any older SA of that endpoint.  From then on every
 * message from the client goes through sa_verify() and every message to it
 * through sa_next_server_salt() and sa_sign().
 *
 * Ownership.  SAs are reference counted.  Every function that hands out a
 * struct sa_assoc * (sa_begin, sa_lookup_opaque, sa_find_endpoint) gives
 * the caller a new reference, to be dropped with sa_unref().  The table
 * holds one reference of its own while the SA is in it.  Expiry,
 * eviction, replacement and handshake failure remove the SA from the table
 * and wipe its keys at once, but the struct stays valid until the last
 * reference goes; on such a detached SA every operation reports
 * SA_R_EXPIRED.  Strings passed in are copied; strings returned are owned
 * by the SA and live as long as the caller's reference.
 *
 * Tombstones.  When an established SA leaves the table because it expired
 * (lifetime or idle timeout, removed by the sweep or by any call that finds
 * it late) or was replaced (sa_establish_endpoint, sa_retire), its opaque
 * is remembered for a while in a bounded set (tombstone_s, max_tombstones),
 * so that a client coming back with it is told SA_R_EXPIRED or
 * SA_R_REPLACED, not SA_R_UNKNOWN_OPAQUE: an administrator can tell a
 * stale SA from a forged or garbled opaque.  Half-open SAs leave none:
 * anyone can make them without credentials, and theirs would push out the
 * ones that matter.  A new SA never gets an opaque that has a tombstone.
 *
 * Logging.  Every failure is logged here, once, with its reason name
 * (sa_reason_name) and the SA's opaque; callers must not log it again.
 * Neither keys nor tokens are ever logged.
 *
 * Not thread-safe: one table belongs to one event loop.
 */
#ifndef SIPSA_SA_SA_H
#define SIPSA_SA_SA_H

#include <stddef.h>
#include <stdint.h>

#include "sa/mech.h"

/*
 * The outcome of an SA operation.  The first values are enum mech_reason,
 * unchanged, so a mechanism's reason passes through as it is; the SA layer
 * adds its own after them.  (The SA_R_ prefix does not collide with the
 * SA_* flags of <signal.h>.)
 */
enum sa_reason {
	SA_R_OK = MECH_OK,
	SA_R_UNKNOWN_USER = MECH_R_UNKNOWN_USER,
	SA_R_BAD_PASSWORD = MECH_R_BAD_PASSWORD,
	SA_R_CLOCK_SKEW = MECH_R_CLOCK_SKEW,
	SA_R_REPLAYED_TICKET = MECH_R_REPLAYED_TICKET,
	SA_R_BAD_TOKEN = MECH_R_BAD_TOKEN,
	SA_R_BAD_SIGNATURE = MECH_R_BAD_SIGNATURE,
	SA_R_FLAGS = MECH_R_FLAGS,
	SA_R_NO_CREDENTIALS = MECH_R_NO_CREDENTIALS,
	SA_R_ACCOUNT_DISABLED = MECH_R_ACCOUNT_DISABLED,
	SA_R_ACCOUNT_LOCKED = MECH_R_ACCOUNT_LOCKED,
	SA_R_PASSWORD_EXPIRED = MECH_R_PASSWORD_EXPIRED,
	SA_R_ACCOUNT_EXPIRED = MECH_R_ACCOUNT_EXPIRED,
	SA_R_ACCOUNT_RESTRICTED = MECH_R_ACCOUNT_RESTRICTED,
	SA_R_UNAVAILABLE = MECH_R_UNAVAILABLE,
	SA_R_PENDING = MECH_R_PENDING,	/* sa_step_async(): not a failure */
	SA_R_INTERNAL = MECH_R_INTERNAL,
	SA_R_REPLAYED_CNUM = MECH_R_MAX, /* cnum seen, or below the window */
	SA_R_UNKNOWN_OPAQUE,		/* no SA and no tombstone has this
					   opaque */
	SA_R_UNKNOWN_ENDPOINT,		/* no SA bound to this endpoint */
	SA_R_EXPIRED,			/* lifetime, idle or handshake timeout
					   passed; or the SA is detached */
	SA_R_LIMIT,			/* a cap or size limit refused it */
	SA_R_WRONG_STATE,		/* half-open where established is
					   needed, or the reverse */
	SA_R_IDENTITY,			/* From user is not the authenticated
					   user, or a bound SA moves */
	SA_R_REPLACED,			/* a newer SA of its endpoint took
					   its place */
	SA_R_UNTRUSTED_REALM,		/* a Kerberos principal of a realm
					   not trusted (src/auth.c) */
	SA_R_MAX,
};

/* Stable upper-case name for log lines: "REPLAYED_CNUM". Never NULL. */
const char *sa_reason_name(enum sa_reason reason);

/* Hard lifetime ceiling from establishment, [MS-SIPAE] §3.2.2. */
#define SA_LIFETIME_MAX_S	(8 * 3600)	/* seconds */
/* sa_extend() keeps an SA this much longer than the REGISTER expiry. */
#define SA_EXTEND_MARGIN_S	30		/* seconds */
/* Width of the cnum replay window, as [MS-SIP] §3.1.5.1 has for snum. */
#define SA_REPLAY_WINDOW	256		/* sequence numbers */
/* Length of an opaque: 8 upper-case hex digits. */
#define SA_OPAQUE_LEN		8

/* Which header family the handshake used; responses use the same one. */
enum sa_hdr {
	SA_HDR_WWW,	/* 401, WWW-Authenticate, Authorization */
	SA_HDR_PROXY,	/* 407, Proxy-Authenticate, Proxy-Authorization */
};

enum sa_state {
	ASSOC_HALF_OPEN,	/* handshake in progress */
	ASSOC_ESTABLISHED,	/* mechanism complete, keys in place */
	ASSOC_DETACHED,		/* out of the table: expired, evicted,
				   replaced or failed; keys wiped */
};

/*
 * Table limits.  A zero field takes the default given in brackets, except
 * max_established, where 0 means no limit.  A tombstone (see the top of
 * this file) takes 24 bytes, plus 8 to 16 for its share of the index, on
 * a 64-bit system: at the default max_tombstones, at most about 3.5 MB.
 */
struct sa_limits {
	uint32_t	lifetime_s;	/* hard, from establishment [8 h];
					   more than SA_LIFETIME_MAX_S is
					   refused */
	uint32_t	idle_s;		/* without a verified message [900] */
	uint32_t	handshake_s;	/* half-open lifetime [60] */
	uint32_t	max_half_open;	/* in the whole table [10000] */
	uint32_t	max_half_open_per_source; /* per source address [16] */
	uint32_t	max_established; /* in the whole table [none] */
	uint32_t	tombstone_s;	/* how long the opaque of an expired
					   or replaced SA is remembered
					   [3600] */
	uint32_t	max_tombstones;	/* opaques remembered at most; the
					   oldest goes first [100000] */
};

/*
 * The mechanism operations an SA table calls.  sa_mech_gss forwards to
 * sa/mech.h and is what the daemon and tools use; unit tests of the table
 * logic may pass a test double.  The functions have the contracts of the
 * sa/mech.h functions of the same names.
 */
struct sa_mech_ops {
	int	(*accept)(struct mech_server *server, enum mech_kind kind,
		    struct mech_ctx **ctxp, const uint8_t *in, size_t in_len,
		    struct mech_result *res);
	enum mech_reason (*sign)(struct mech_ctx *ctx, const void *msg,
		    size_t len, uint8_t *sig, size_t *sig_len,
		    struct mech_status *st);
	enum mech_reason (*verify)(struct mech_ctx *ctx, const void *msg,
		    size_t len, const uint8_t *sig, size_t sig_len,
		    struct mech_status *st);
	void	(*ctx_free)(struct mech_ctx *ctx);
	size_t	(*ctx_memory)(const struct mech_ctx *ctx);
	void	(*status_text)(const struct mech_status *st, char *buf,
		    size_t bufsz);
	/* Steps that wait (struct mech_job, sa_step_async()); NULL when
	   accept never answers MECH_R_PENDING.  job_run may run on any
	   thread. */
	int	(*accept_finish)(struct mech_server *server,
		    struct mech_ctx **ctxp, struct mech_job *job,
		    struct mech_result *res);
	void	(*job_run)(struct mech_job *job);
	void	(*job_free)(struct mech_job *job);
};

/* The real mechanisms (sa/mech.h). */
extern const struct sa_mech_ops sa_mech_gss;

/* Monotonic clock in milliseconds; arg is unused. The default clock. */
uint64_t sa_clock_monotonic(void *arg);

struct sa_table_params {
	struct sa_limits	 limits;
	/* Time source, monotonic milliseconds; NULL: sa_clock_monotonic. */
	uint64_t		(*now_ms)(void *arg);
	void			*clock_arg;	/* [in] borrowed, for now_ms */
	/* [in] borrowed, must outlive the table; required. */
	const struct sa_mech_ops *mech;
};

/* Counters for stats lines and sipsactl. */
struct sa_stats {
	uint32_t	half_open;	/* now in the table */
	uint32_t	established;	/* now in the table */
	uint64_t	created;	/* sa_begin calls that succeeded */
	uint64_t	evictions;	/* half-open SAs pushed out by caps */
	uint64_t	expirations;	/* SAs removed by timeouts */
	uint64_t	replaced;	/* SAs replaced by re-authentication */
	uint64_t	handshake_failures; /* failed sa_step legs */
	uint64_t	verify_failures; /* failed sa_verify calls */
	uint64_t	limit_refusals;	/* max_established reached */
	uint32_t	tombstones;	/* opaques remembered now */
	uint64_t	tombstone_evictions; /* forgotten before tombstone_s
					   because of max_tombstones */
};

struct sa_table;
struct sa_assoc;

/*
 * Create a table.  params is copied.  Returns 0, EINVAL (no mech ops, or
 * a lifetime above SA_LIFETIME_MAX_S) or ENOMEM; *table_out is set on
 * success only.
 */
int	sa_table_create(const struct sa_table_params *params,
	    struct sa_table **table_out);
/*
 * Detach every SA and free the table.  SAs still referenced elsewhere stay
 * valid (detached) until their last sa_unref().  NULL is allowed.
 */
void	sa_table_free(struct sa_table *table);
void	sa_table_stats(const struct sa_table *table, struct sa_stats *st);
/* The mechanism operations the table was made with (to run and free the
   jobs of sa_step_async()). */
const struct sa_mech_ops *sa_table_mech(const struct sa_table *table);

/*
 * Start a handshake: a new half-open SA with a fresh opaque for a client
 * at source address src (text form without port, at most 63 bytes; the
 * per-source cap is counted on it).  server is borrowed and must outlive
 * the SA's handshake.  When a half-open cap is reached (globally or for
 * src), the oldest half-open SA concerned is evicted first.  The opaque is
 * one that no SA in the table and no tombstone has.  Returns 0, EINVAL,
 * ENOMEM or EIO (no randomness); *sa_out gets a reference on success.
 */
int	sa_begin(struct sa_table *table, const char *src, enum mech_kind kind,
	    enum sa_hdr hdr, struct mech_server *server,
	    struct sa_assoc **sa_out);

/*
 * Find an SA by the opaque a client echoed (8 hex digits, either case).
 * Returns SA_R_OK with a reference in *sa_out, or (*sa_out NULL):
 *
 *   SA_R_EXPIRED	the SA is in the table but its time is up (it is
 *			then removed), or an established SA with this opaque
 *			expired less than tombstone_s seconds ago;
 *   SA_R_REPLACED	an established SA with this opaque was replaced
 *			less than tombstone_s seconds ago;
 *   SA_R_UNKNOWN_OPAQUE  anything else: malformed, never issued, a
 *			half-open SA that timed out, was evicted or failed
 *			its handshake, or a tombstone that is older than
 *			tombstone_s or was pushed out by max_tombstones.
 *
 * Failures are logged at notice level with the reason name.
 */
enum sa_reason sa_lookup_opaque(struct sa_table *table, const char *opaque,
	    size_t len, struct sa_assoc **sa_out);

/*
 * Run the next handshake leg of a half-open SA with the client's token
 * (may be empty).  On SA_R_OK, *out and *out_len hold the token to send
 * back (caller frees it with free(); NULL when there is none) and the SA may
 * now be established (sa_state).  On failure the SA leaves the table and
 * the reason is logged; *out is NULL.
 */
/*
 * sa_step() for a caller that can wait: a leg whose check blocks (an NTLM
 * AUTHENTICATE that winbindd checks with a domain controller) returns
 * SA_R_PENDING with the job in *job, for the caller to run with the
 * table's job_run off its thread and to hand back to sa_step_finish();
 * the SA stays half-open meanwhile.  SA_R_PENDING with *job NULL: the SA
 * waits for a job already (the same leg again); nothing changed.
 * sa_step() is sa_step_async() that cannot wait (a pending leg fails).
 */
enum sa_reason sa_step_async(struct sa_assoc *sa, const uint8_t *in,
	    size_t in_len, uint8_t **out, size_t *out_len,
	    struct mech_job **job);
/* The end of a pending leg, as sa_step() ends (an SA that left the table
   meanwhile: SA_R_EXPIRED).  The job stays the caller's, to free with the
   table's job_free. */
enum sa_reason sa_step_finish(struct sa_assoc *sa, struct mech_job *job,
	    uint8_t **out, size_t *out_len);
enum sa_reason sa_step(struct sa_assoc *sa, const uint8_t *in, size_t in_len,
	    uint8_t **out, size_t *out_len);

/*
 * Check that user (the user part of the From URI, or whatever name the
 * daemon maps it to) is the authenticated user: compared, ignoring ASCII
 * case, with the account part of "DOMAIN\user" or "user@REALM".  Returns
 * SA_R_OK, SA_R_IDENTITY or SA_R_WRONG_STATE; failures are logged and the
 * SA is left as it was.
 */
enum sa_reason sa_check_identity(struct sa_assoc *sa, const char *user);

/*
 * Bind an established SA to its endpoint.  Strings are copied and compared
 * byte for byte later, so the caller normalises them first.  An older SA
 * bound to the same endpoint leaves the table (replaced).  Binding again to
 * the same endpoint is a no-op; to another endpoint, SA_R_IDENTITY.
 * Returns SA_R_OK, SA_R_WRONG_STATE, SA_R_EXPIRED, SA_R_IDENTITY,
 * SA_R_LIMIT (strings too long) or SA_R_INTERNAL.
 */
enum sa_reason sa_establish_endpoint(struct sa_assoc *sa, const char *aor,
	    const char *epid, const char *realm, const char *targetname);

/*
 * Take an SA out of the table now, as a replacement would (counted as
 * replaced): for an endpoint that re-authenticated with the other
 * mechanism, whose SA sits under another targetname.  NULL and a detached
 * SA are fine.  The caller's reference stays valid.
 */
void	sa_retire(struct sa_assoc *sa);

/*
 * End an SA now for why (logged; its opaque answers why from then on, as
 * an expired one does).  sa_end_account() ends every established SA of
 * the account user (as sa_user() gives it, ignoring ASCII case) and says
 * how many.  The callers' references stay valid.
 */
void	sa_end(struct sa_assoc *sa, enum sa_reason why);
unsigned sa_end_account(struct sa_table *table, const char *user,
	    enum sa_reason why);

/*
 * What sa_foreach() shows of one SA (sipsactl's "sa list").  The strings
 * are the SA's, valid during the call only, NULL when not known: user
 * until the handshake completes, aor and epid until the SA is bound,
 * peer (the source address) once it is established (the table keeps it
 * for the half-open cap per source only).  Times are milliseconds of the
 * table clock.
 */
struct sa_info {
	const char	*opaque;
	enum sa_state	 state;
	enum mech_kind	 kind;
	int		 version;	/* 0 until the handshake starts */
	const char	*user;
	const char	*aor;
	const char	*epid;
	const char	*peer;
	uint64_t	 age_ms;	/* since sa_begin() */
	uint64_t	 idle_ms;	/* since established or the last
					   verified message; 0 half-open */
	uint64_t	 expires_ms;	/* until it expires, unless a
					   message or sa_extend() refreshes
					   it */
};
typedef int sa_visit_fn(const struct sa_info *info, void *arg);
/*
 * Call fn for every SA of the table whose time has not passed, in no
 * particular order, until fn returns non-zero.  Read-only: fn must not
 * change the table (to end SAs, collect their opaques and end them
 * after).  Returns how many SAs fn was called for.
 */
unsigned sa_foreach(const struct sa_table *table, sa_visit_fn *fn,
	    void *arg);

/*
 * The SA bound to an endpoint, for signing requests sent toward it.
 * Returns SA_R_OK with a reference in *sa_out, SA_R_UNKNOWN_ENDPOINT or
 * SA_R_EXPIRED.  Logged at debug level only (not an authentication
 * failure).
 */
enum sa_reason sa_find_endpoint(struct sa_table *table, const char *aor,
	    const char *epid, const char *realm, const char *targetname,
	    struct sa_assoc **sa_out);

/*
 * Verify a message from the client: sigstr/len is the signature input
 * string ([MS-SIPAE] §3.2.5.2), sig/siglen the decoded response value,
 * cnum the client's sequence number.  In this order: the SA must be
 * established and unexpired, the MIC must verify, then cnum must pass the
 * replay window; only when all passed is cnum recorded and the idle timer
 * refreshed.  Returns SA_R_OK or the reason (logged once).
 */
enum sa_reason sa_verify(struct sa_assoc *sa, uint32_t cnum,
	    const void *sigstr, size_t len, const uint8_t *sig, size_t siglen);

/*
 * Salt for the next message signed toward the client: a fresh random srand
 * (8 upper-case hex digits and a NUL) and the next snum (1 for the first).
 * Returns SA_R_OK, SA_R_WRONG_STATE, SA_R_EXPIRED or SA_R_INTERNAL.
 */
enum sa_reason sa_next_server_salt(struct sa_assoc *sa,
	    char srand[SA_OPAQUE_LEN + 1], uint32_t *snum);

/*
 * Sign sigstr/len (built with the srand/snum above).  Writes at most
 * MECH_SIG_MAX bytes into sig and the length into *siglen.  Does not
 * refresh the idle timer.  Returns SA_R_OK or the reason (logged).
 */
enum sa_reason sa_sign(struct sa_assoc *sa, const void *sigstr, size_t len,
	    uint8_t *sig, size_t *siglen);

/*
 * Keep an established SA alive at least seconds + SA_EXTEND_MARGIN_S from
 * now (the granted REGISTER expiry), but never past its hard lifetime.
 * Never shortens.  Returns SA_R_OK, SA_R_WRONG_STATE or SA_R_EXPIRED.
 */
enum sa_reason sa_extend(struct sa_assoc *sa, uint32_t seconds);

/*
 * Expire SAs whose time has passed, then forget tombstones older than
 * tombstone_s, doing at most budget units of work (one unit per SA
 * examined or tombstone forgotten).  Returns how many SAs left the table.
 * Call it from a periodic timer; sa_next_deadline_ms() says when SA work
 * is due, and is still at or before now when a call ran out of budget.
 */
unsigned sa_expire_run(struct sa_table *table, unsigned budget);
/*
 * Earliest time (now_ms clock) at which an SA may expire; UINT64_MAX:
 * none.  Tombstones do not count: a lookup checks their age itself, so
 * forgetting one late only holds its memory a little longer.
 */
uint64_t sa_next_deadline_ms(const struct sa_table *table);

/* Take or drop a reference.  sa_unref(NULL) does nothing. */
struct sa_assoc *sa_ref(struct sa_assoc *sa);
void	sa_unref(struct sa_assoc *sa);

/* Accessors.  Strings are owned by the SA. */
const char *sa_opaque(const struct sa_assoc *sa);	/* "4E074A7D" */
enum sa_state sa_state(const struct sa_assoc *sa);
enum mech_kind sa_kind(const struct sa_assoc *sa);
enum sa_hdr sa_hdr(const struct sa_assoc *sa);
const char *sa_user(const struct sa_assoc *sa);	/* NULL: not yet */
const char *sa_aor(const struct sa_assoc *sa);		/* NULL: unbound */
const char *sa_epid(const struct sa_assoc *sa);	/* NULL: unbound */
const char *sa_realm(const struct sa_assoc *sa);	/* NULL: unbound */
const char *sa_targetname(const struct sa_assoc *sa); /* NULL: unbound */
/*
 * The MS-SIPAE protocol version the handshake settled on (2, 3 or 4); it
 * picks the signature string layout for the SA's whole life.  Set by the
 * caller once the handshake starts; 0 until then.
 */
void	sa_set_version(struct sa_assoc *sa, int version);
int	sa_version(const struct sa_assoc *sa);
/* Milliseconds (table clock) at which the SA expires unless refreshed. */
uint64_t sa_deadline_ms(const struct sa_assoc *sa);
/* Milliseconds since sa_begin() (the handshake's first leg). */
uint64_t sa_age_ms(const struct sa_assoc *sa);
/* Bytes the SA holds, its table entries and mechanism context included. */
size_t	sa_memory(const struct sa_assoc *sa);

#endif /* SIPSA_SA_SA_H */
