/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/proxy.h: the daemon's objects.  struct proxy holds the event loop,
 * the nta agent, the listeners and the running configuration; struct ptx
 * is one incoming request on its way through the pipeline (see
 * doc/architecture.md).  Sofia types stay behind forward declarations
 * here: only the files at the edge (proxy.c, listen.c, reply.c and the
 * steps) include the nta headers.
 */
#ifndef SIPSA_PROXY_H
#define SIPSA_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/url.h>

#include "conf/conf.h"
#include "sa/sa.h"

struct su_root_s;
struct nta_agent_s;
struct nta_incoming_s;
struct sip_s;
struct msg_s;
struct su_timer_s;
struct signals;
struct mech_server;
struct registrar;
struct sipauth_cred;
struct known;
struct streaks;
struct guard;
struct answers;
struct msg_hclass_s;
struct msg_mclass_s;
struct idmap;

/*
 * One configured socket.  The ident ("l0", "l1", ...) is given to the
 * Sofia transport, so that a request can be traced back to the listener
 * (and so to the role) it arrived on.
 */
struct listener {
	char			 ident[16];
	enum conf_transport	 transport;
	char			*address;	/* owned by proxy home */
	unsigned		 port;
	enum conf_role		 role;
	enum conf_scheme	 schemes[CONF_MAX_SCHEMES]; /* own offer, or */
	int			 nschemes;	/* 0: the auth block's */
	char			*tls_dir;	/* agent.pem, cafile.pem */
};

struct proxy {
	su_home_t		 home[1];	/* first: px is a home */
	struct su_root_s	*root;
	struct nta_agent_s	*agent;
	struct msg_mclass_s	*mclass;	/* the agent's parser, owned
						   (src/mclass.c) */
	struct sipsa_conf	*conf;		/* running, owned */
	char			*conf_path;	/* absolute */
	struct listener		*listeners;	/* array in home */
	size_t			 nlisteners;
	char			*run_dir;	/* 0700 dir or NULL */
	char			**local_addrs;	/* if 0.0.0.0/:: */
	int			 level_fixed;	/* -d: keep level */
	struct signals		*signals;
	int			 stopping;
	/* Authentication and registration (src/auth.c, src/register.c). */
	struct mech_server	*mech;		/* acceptor credentials */
	struct sa_table		*sa;		/* security associations */
	struct registrar	*reg;		/* bindings */
	int			 reg_flush;	/* sync none: registrar_sync()
						   on every tick */
	struct workers		*flusher;	/* ... on its own thread */
	int			 flush_err;	/* its result, for the loop */
	struct su_timer_s	*tick;		/* expiry, once a second */
	unsigned		 ticks;
	char			*krb5_target;	/* "sip/<fqdn>" */
	/* The realms of the keytab's sip/<fqdn> keys, blank-separated (""
	   without Kerberos): trusted when no trusted-realm line is. */
	char			 krb5_realms[256];
	struct known		*known;		/* users registered here */
	struct streaks		*streaks;	/* challenges in a row */
	struct guard		*guard;		/* lockout protection */
	struct answers		*answers;	/* signed UDP answers kept for
						   retransmissions */
	struct idmap		*idmap;		/* auth { identity-map } or
						   NULL (src/idmap.h) */
	struct workers		*workers;	/* blocking checks (winbind),
						   or NULL */
	struct directory	*dir;		/* directory { } or NULL
						   (src/directory.h) */
	struct su_timer_s	*watchdog;	/* systemd's (src/notify.h) */
	struct metrics		*metrics;	/* endpoint or NULL */
	unsigned long		 services;	/* SERVICE requests answered */
	/* Authentication attempts that ended: signed in, or not (counted
	   with their audit line, src/audit.c); the control socket's status
	   shows their rates (src/control.c). */
	unsigned long long	 handshakes_ok;
	unsigned long long	 handshakes_failed;
	struct control		*control;	/* control { } or NULL */
	/* Prefix of the To tags of stateless responses (src/reply.c), so
	   that the ACK of one is recognised and absorbed. */
	char			 stateless_tag[16];
	/* An in-dialog INVITE keeps its To tag in a stateless answer: its
	   ACK is known by Call-ID and CSeq instead (src/reply.c), in a
	   ring of the last few. */
	uint32_t		 stateless_invites[256];
	unsigned		 stateless_next;
	uint32_t		 stateless_seed;
};

/*
 * What sipsad's main leaves at zero (or passes as NULL) and a test
 * harness sets (tests/pipeline): the mechanism operations the SA table
 * calls, its clock, and the parts of the process the proxy should leave
 * alone.  The mechanisms themselves stay in sa/; the daemon only gets
 * their operations.
 */
struct proxy_params {
	/* [in] borrowed, must outlive the proxy; NULL: sa_mech_gss. */
	const struct sa_mech_ops *mech;
	/* The SA table's clock in ms and its argument ([in] borrowed);
	   NULL: sa_clock_monotonic (sa/sa.h). */
	uint64_t		(*sa_now_ms)(void *arg);
	void			*sa_clock_arg;
	unsigned		 flags;		/* PROXY_F_* */
};
/* Open no control socket (control { }). */
#define PROXY_F_NO_CONTROL	0x04
/* Acquire no acceptor credentials (keytab, replay cache, NTLM users):
   the mechanism operations need none and get a NULL struct mech_server. */
#define PROXY_F_NO_CREDENTIALS	0x01
/* Install no signal handlers: the caller owns the process's signals. */
#define PROXY_F_NO_SIGNALS	0x02

/*
 * Create the proxy from a loaded configuration: the su_root, the agent,
 * one transport per listener.  Takes ownership of conf
 * (also on failure).  level_fixed != 0 means the command line set the log
 * level.  params may be NULL (sipsad: GSS mechanisms, credentials from
 * the configuration, signal handlers).  Returns 0 or an errno value;
 * failures are logged.
 */
int	proxy_create(struct sipsa_conf *conf, const char *conf_path,
	    int level_fixed, const struct proxy_params *params,
	    struct proxy **px_out);
/* Run the event loop until proxy_stop(); returns 0. */
int	proxy_run(struct proxy *);
/* Ask the loop to end (from the loop itself, e.g. a signal callback). */
void	proxy_stop(struct proxy *);
/* Re-read the configuration file and apply what can be applied: 0, or
   -1 when it was not valid (the running one stays; the log says why). */
int	proxy_reload(struct proxy *, const char *by);
/* Close transports, remove files, free everything.  NULL is fine. */
void	proxy_destroy(struct proxy *);

/* src/listen.c: listeners and their transports. */
int	listen_open_all(struct proxy *);
void	listen_close_all(struct proxy *);
/* Remove the private TLS files (Sofia has read them). */
void	listen_wipe_tls(struct proxy *);
const struct listener *listen_by_ident(const struct proxy *,
	    const char *ident);
/* The listener's block in the running configuration, or NULL. */
const struct conf_listen *listen_conf(const struct proxy *,
	    const struct listener *);
/* Is host (a URI host) this server: its FQDN or one of its addresses? */
int	listen_is_self(const struct proxy *, const char *host);
/* Does a URI name one of our listeners (host and port, 5060/5061 when
   absent)? */
int	listen_uri_is_self(const struct proxy *, const url_t *u);
/* Log every listener difference between the running and a new conf. */
int	listen_diff(const struct proxy *, const struct sipsa_conf *next);

/*
 * src/conns.c: the cost of TCP and TLS connections (caps in all and per
 * source, unauthenticated ones closed when quiet, no spin when out of
 * descriptors); it provides accept() and close() to the process.
 * conns_seen() marks the connection of a message from sa active (and
 * authenticated); conns_tick() closes the quiet unauthenticated ones
 * and resumes or closes the stalled ones (each second).
 */
struct sockaddr;
int	conns_init(struct proxy *);
void	conns_fini(struct proxy *);
void	conns_tick(struct proxy *);
void	conns_seen(const struct sockaddr *sa, int authed);
/* Shut the connection from sa down (why: for the log line); 1 when
   there was one, else 0. */
int	conns_close(const struct sockaddr *sa, const char *why);
/* Connections open now (accepted here and not closing); of those, the
   ones accepted on a local port (a listener's). */
unsigned conns_open(void);
unsigned conns_open_port(unsigned port);
/* Stop reading the connection from sa (its tport tp) until its queue
   is empty again; closed when that takes longer than message-timeout. */
struct tport_s;
void	conns_stall(const struct sockaddr *sa, struct tport_s *tp);

/* src/signals.c: signals delivered through the su_root. */
int	signals_init(struct proxy *);
void	signals_fini(struct proxy *);

/*
 * src/workers.c: threads for checks that block (struct mech_job).  run(arg)
 * goes on a worker thread, then done(arg, 0) on the event loop; at
 * workers_destroy() what has not run ends with done(arg, 1).  At most max
 * submitted and not yet done: workers_submit() then says EAGAIN.
 */
struct workers;
int	workers_create(struct proxy *, unsigned nthreads, unsigned max,
	    struct workers **out);
/* Returns 1 when threads still ran after 5 s (left running, their jobs
   and what those use must stay). */
int	workers_destroy(struct workers *);
int	workers_full(const struct workers *);
int	workers_submit(struct workers *, void (*run)(void *),
	    void (*done)(void *, int cancelled), void *arg);

/* src/sofialog.c: Sofia's own logs into the facade. */
void	sofialog_init(void);
void	sofialog_setlevel(int level);
/* Write the counts of Sofia lines held back (each second, at exit). */
void	sofialog_flush(void);

/*
 * One incoming request.  The ptx owns its home (every temporary string of
 * the request lives there), a reference to the request message, and,
 * once ptx_transaction made one, the server transaction until the reply
 * has been sent.  sip (in msg) and listener are borrowed.
 */
struct ptx {
	su_home_t		 home[1];	/* first: ptx is a home */
	struct proxy		*px;		/* borrowed */
	struct msg_s		*msg;		/* the request (a ref) */
	uint64_t		 t0_us;		/* when it came (metrics) */
	struct nta_incoming_s	*irq;		/* owned; NULL: stateless */
	const struct sip_s	*sip;		/* borrowed */
	const struct listener	*listener;	/* borrowed, or NULL */
	struct tport_s		*tport;		/* a reference: what delivered
						   the request, for answers
						   sent after its callback
						   (a waiting ptx), or NULL */
	char			 peer[64];	/* "addr:port" */
	char			 peer_addr[48];	/* "addr" */
	int			 stuck;		/* on a connection whose output
						   queue is full */
	int			 status;	/* 0 until replied */
	const char		*phrase;
	int			 replied;
	/* The request's established SA (a reference), once ptx_auth has
	   passed it; NULL for the few requests let through without one.
	   Every response is then signed with it. */
	struct sa_assoc		*sa;
	/* The AP-REP for the final response, base64, in home. */
	char			*sa_token;
	int			 kept;		/* a forwarding transaction owns
						   the ptx now (src/route.c),
						   or it waits (waiting) */
	int			 waiting;	/* for a worker (src/auth.c) */
};

/* src/ptx.c.  ptx_create() takes msg when it succeeds. */
int	ptx_create(struct proxy *, struct msg_s *msg, struct sip_s *sip,
	    struct ptx **ptx_out);
void	ptx_free(struct ptx *);
const char *ptx_method(const struct ptx *);
const char *ptx_call_id(const struct ptx *);
/*
 * sipsactl trace (src/control.h): msg passes to or from the request's
 * client (peer, transport and account NULL: the ptx's), or to or from
 * another hop (a callee: its address and transport, its SA's account).
 * Costs a test when no one traces.
 */
void	ptx_trace(struct ptx *, const char *dir, struct msg_s *msg,
	    const char *peer, const char *transport, const char *account);
/* A Warning value `399 <fqdn> "text"`, in the ptx home. */
const char *ptx_warning(struct ptx *, const char *text);
/* Log the refusal and answer status with that Warning; returns status. */
int	ptx_refuse(struct ptx *, int status, const char *text);
/* "sip:user@host" with the host in lower case, in the ptx home; NULL
   when out of memory. */
const char *ptx_aor(struct ptx *, const char *user, const char *host);
/* Is the request, outside a dialog, addressed to the sender's own AOR
   (the AOR its SA is bound to)? */
int	ptx_to_own_aor(struct ptx *);
/* Was the INVITE this ACK belongs to (an in-dialog one) answered
   statelessly with a non-2xx?  record > 0: remember the request (reply.c);
   0: ask (steps.c); < 0: forget it, as the same INVITE, sent again with
   credentials, is now handled with a transaction (SIPE keeps its CSeq),
   so that the ACK of its 2xx goes on. */
int	ptx_stateless_invite(struct ptx *, int record);
/* Is host one of the domains the registrar serves? */
int	proxy_serves_domain(const struct proxy *, const char *host);
/* Remove every header of class c from a message. */
void	ptx_remove_headers(struct msg_s *msg, struct sip_s *sip,
	    const struct msg_hclass_s *c);

/*
 * The pipeline steps (src/validate.c, src/steps.c).  Each returns 0 to let
 * the request continue, or non-zero once the request is finished (a reply
 * went out through proxy_reply(), or, for ACK, nothing is to be sent).
 */
int	ptx_validate(struct ptx *);
int	ptx_resend(struct ptx *);
int	ptx_ack(struct ptx *);
int	ptx_cancel(struct ptx *);
int	ptx_options(struct ptx *);
int	ptx_service(struct ptx *);
int	ptx_auth(struct ptx *);
/* A request with an SA (other than ACK) gets its server transaction:
   retransmissions are absorbed, CANCEL finds it, responses are signed. */
int	ptx_transaction(struct ptx *);
int	ptx_register(struct ptx *);
int	ptx_route(struct ptx *);
/*
 * A request whose step waited (ptx->kept set, the step returned non-zero)
 * goes on: finished non-zero when the step answered it, else the steps
 * after ptx_auth run; then the ptx is freed unless kept again.
 */
void	proxy_resume(struct ptx *, int finished);

/*
 * src/security.c.  security_init() creates the acceptor credentials
 * (unless params says PROXY_F_NO_CREDENTIALS), the SA table on the
 * params' mechanism operations and clock, and the registrar from the
 * running configuration, and starts the expiry timer; security_fini()
 * undoes it (NULL members are fine).  security_reload() applies what a
 * new configuration changes at request time.
 */
int	security_init(struct proxy *, const struct proxy_params *params);
void	security_fini(struct proxy *);
void	security_reload(struct proxy *, const struct sipsa_conf *next);
/*
 * The Kerberos keytab of a configuration with Kerberos enabled: its keys
 * of sip/<fqdn> in one line (sa/mech.h mech_keytab_check), a warning for
 * an RC4-only keytab, and one for each realm of those keys that
 * trusted-realm lines leave out.  out NULL: all are logged (start,
 * reload); else the line goes to out after prefix and the warnings to
 * stderr ("sipsad -n"), and a keytab that does not exist passes unread as
 * -n's secret checks let it.  realms (unless NULL) gets the realms of the
 * keys, blank-separated, or "".  0, or -1 after the error (missing key,
 * unreadable keytab) was reported.
 */
int	security_keytab_check(const struct sipsa_conf *c, FILE *out,
	    const char *prefix, char *realms, size_t realmssz);
/*
 * The identity map a configuration names, in *out (NULL when it names
 * none).  out_errors NULL: errors ("file:line: text") are logged (start,
 * reload); else they go to out_errors and a map file that does not
 * exist passes unread ("sipsad -n").  0, or the number of errors.
 */
int	security_idmap_load(const struct sipsa_conf *c, FILE *out_errors,
	    struct idmap **out);
/* From's AOR ("sip:user@host", host in lower case) and epid, in home;
   0, ENOENT (no epid), EBADMSG or ENOMEM. */
int	auth_endpoint(struct ptx *, const char **aor, const char **epid);

/*
 * src/known.c: the users known here (they have registered here; sipsad
 * has no user directory).  known_load() learns them from the binding
 * store at start.  0 or an errno value.
 */
int	known_load(struct proxy *);
int	known_add(struct proxy *, const char *aor);
int	known_has(const struct proxy *, const char *aor);
void	known_free(struct proxy *);

/*
 * src/streak.c: challenges in a row per epid, logged once at notice level
 * when a client keeps being challenged without signing in.
 * streak_challenged() counts a challenge sent to epid (NULL: not counted)
 * with its reason (NULL: no credentials) and an optional hint for the
 * admin; streak_reset() ends the streak once the endpoint authenticated.
 */
int	streak_init(struct proxy *);
void	streak_fini(struct proxy *);
void	streak_challenged(struct ptx *, const char *epid, const char *why,
	    const char *hint);
void	streak_reset(struct ptx *, const char *epid);

/*
 * src/guard.c: lockout protection.  guard_check() is asked before a
 * handshake leg runs, with the account the leg claims (NTLM's
 * AUTHENTICATE) or NULL: 0 to go on, else the seconds the source or the
 * account is blocked (or 1 when the source is over its handshake rate).
 * guard_failed() counts a failed sign-in against the source and the
 * account (NULL: unknown, as with Kerberos); guard_succeeded() records
 * that this source signed the account in.
 */
int	guard_init(struct proxy *);
void	guard_fini(struct proxy *);
unsigned guard_check(struct ptx *, const char *user);
void	guard_failed(struct ptx *, const char *user);
void	guard_succeeded(struct ptx *, const char *user);
/* The clock of the guard, in ms (a test sets its own). */
extern uint64_t (*guard_clock)(void);

/*
 * src/sign.c: signatures on whole messages.  sig_verify() checks the
 * crand/cnum/response of cred on sip against sa;
 * sig_sign() signs a message about to be sent toward the SA's client and
 * adds (Proxy-)Authentication-Info, with gssapi-data when not NULL.  The
 * message must be final (To tag set) before it is signed.
 */
enum sa_reason sig_verify(su_home_t *home, struct sa_assoc *sa,
	    const struct sip_s *sip, const struct sipauth_cred *cred);
enum sa_reason sig_sign(su_home_t *home, struct sa_assoc *sa,
	    struct msg_s *msg, struct sip_s *sip, const char *gssapi_data);

/*
 * src/reply.c: the one response exit.  Sends status/phrase (phrase NULL:
 * the standard one) with the extra headers given as Sofia SIPTAG_* items,
 * adds Server and Date, signs the response when the request has an SA
 * (ptx->sa), records status on the ptx.  Returns the status
 * (non-zero) so steps can "return proxy_reply(...)".
 */
int	proxy_reply(struct ptx *, int status, const char *phrase,
	    tag_type_t tag, tag_value_t value, ...);
/*
 * The same exit for a response received from a callee (msg, taken): our
 * Via and the callee's signature headers are removed, and it is signed
 * with the caller's SA like any response.  Returns its status.
 */
int	proxy_relay(struct ptx *, struct msg_s *msg);
/* The same exit for an answer kept for retransmissions (src/answers.c):
   bytes, a complete signed response, sent again as they are. */
int	proxy_reply_again(struct ptx *, const char *bytes, size_t len);

/*
 * src/answers.c: signed answers to UDP requests handled without a
 * server transaction (REGISTER), kept 32 s for retransmissions.
 * answers_add() keeps bytes, the answer to ptx; the pipeline step
 * ptx_resend() answers a retransmission with them; answers_expire()
 * drops what is older than 32 s (each tick).
 */
int	answers_init(struct proxy *);
void	answers_fini(struct proxy *);
void	answers_add(struct ptx *, const char *bytes, size_t len);
void	answers_expire(struct proxy *);

#endif /* SIPSA_PROXY_H */
