/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/uac.h: an MS-SIPAE user agent client ([MS-SIPAE] §3.2, notes
 * §1-§4, §9) on Sofia's nta, shared by sipsa-client and sipsa-bench.
 *
 * Two objects.  A struct uac_agent owns the nta agent and its transports
 * (UDP, TCP and, when asked for, TLS) on the caller's su_root; many
 * endpoints share one.  A struct uac is one endpoint: an address of record,
 * an epid, one credential and at most one security association (SA) with
 * the server it currently talks to.  uac_register() runs a whole REGISTER
 * operation asynchronously: the challenge, the NTLM (three legs) or
 * Kerberos (one leg) handshake in whichever header family the server
 * challenged with (401: Authorization, 407: Proxy-Authorization), the
 * signed REGISTER and the check of every rspauth, a 301 to another server
 * (started over there), a 423 (retried with Min-Expires), and a fresh
 * challenge to a signed refresh (the SA expired: one new handshake).  When
 * it ends, the done callback gets a struct uac_result.
 *
 * Once registered, an endpoint sends signed requests on its SA
 * (uac_message(), uac_invite() with the ACK of its 2xx, uac_bye()), every
 * response's rspauth checked, and answers the requests the server sends
 * it over the same connection (uac_set_incoming()): each must carry the
 * server's signature in (Proxy-)Authentication-Info ([MS-SIP] §3.1.5.1,
 * notes §8), and the answers are signed by the endpoint (an Authorization
 * header with crand/cnum/response, as SIPE signs its responses).
 *
 * Signing: each request is built complete with Sofia, its signature string
 * is made from the header text Sofia will put on the wire (sipauth), signed
 * (sa/mech.h), and only then is the Authorization header added, as raw text.
 * Received messages keep their wire text (the agent parses with
 * MSG_FLG_EXTRACT_COPY), so rspauth is checked over exactly what came in.
 *
 * Threads: none; everything runs from the su_root the agent was made on.
 * Ownership: parameters are copied at creation; results are valid during
 * the callback only.
 */
#ifndef SIPSA_TOOLS_UAC_H
#define SIPSA_TOOLS_UAC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sofia-sip/su_wait.h>

#include "sa/mech.h"

enum uac_transport {
	UAC_TP_UDP,
	UAC_TP_TCP,
	UAC_TP_TLS,
};

/* How an operation ended; sipsa-client turns these into its exit codes. */
enum uac_error {
	UAC_OK = 0,
	UAC_E_CONFIG,		/* local: bad parameters, no credential */
	UAC_E_AUTH,		/* the server refused the credential */
	UAC_E_SIGNATURE,	/* an rspauth was bad, or missing */
	UAC_E_TIMEOUT,		/* no final answer in time */
	UAC_E_TRANSPORT,	/* connection refused or lost, TLS failure */
	UAC_E_STATUS,		/* another SIP error status */
	UAC_E_INTERNAL,		/* out of memory, library failure */
};

/* "ok", "authentication refused", ... (static storage). */
const char	*uac_error_name(enum uac_error e);

struct uac_agent_params {
	/*
	 * TLS: the CA bundle the server certificate must chain to (NULL: the
	 * OpenSSL default bundle) and whether its names are checked; with
	 * tls_insecure nothing about the certificate is checked.  TLS is
	 * set up only when want_tls is set.
	 */
	int		 want_tls;
	const char	*tls_ca_file;
	int		 tls_insecure;
	/*
	 * The address the agent's transports bind (NULL: every address,
	 * IPv4 and IPv6).  One address takes fewer descriptors, which counts
	 * with thousands of agents in one process (sipsa-bench).
	 */
	const char	*bind_host;
};

/*
 * Every message sent (sent = 1) and received, as text, for -v.  Values of
 * gssapi-data are cut to their first 16 characters unless the agent was
 * told full traces (uac_agent_set_trace).
 */
typedef void uac_trace_f(void *arg, int sent, const char *peer,
    const char *text, size_t len);

struct uac_agent;

/*
 * Sofia's own log lines (nta, tport, su) go to out, or nowhere when out
 * is NULL.  Process-wide; call once before uac_agent_create().
 */
void	uac_sofia_log(FILE *out);

/*
 * Make the agent on root (UDP and TCP on any local port; TLS as asked).
 * On failure returns an errno value and a sentence in err.
 */
int	uac_agent_create(su_root_t *root, const struct uac_agent_params *p,
	    struct uac_agent **out, char *err, size_t errsz);
/* After every uac made on it.  NULL is allowed. */
void	uac_agent_destroy(struct uac_agent *a);
void	uac_agent_set_trace(struct uac_agent *a, uac_trace_f *fn, void *arg,
	    int full);

struct uac_params {
	const char	*aor;		/* sip:user@domain (From, To) */
	const char	*server;	/* host name or address */
	const char	*tls_name;	/* TLS: the name the server's
					   certificate must carry (NULL:
					   server) */
	unsigned	 port;		/* 0: 5060, or 5061 for TLS */
	enum uac_transport transport;
	const char	*epid;		/* NULL: 10 random hex digits */
	/*
	 * The mechanism and its credential.  target_fqdn is ignored: it is
	 * taken from the challenge's targetname.  The password, if any, is
	 * used at each handshake and not copied: it must outlive the uac
	 * (or set mech.cred to a shared credential instead).
	 */
	struct mech_client_params mech;
	unsigned	 timeout_ms;	/* per request; 0: 10 s */
	int		 max_redirects;	/* 301s followed; < 0: 5 */
	const char	*user_agent;	/* NULL: "sipsa-client/VERSION" */
};

/* What an operation ended with (valid during the done callback). */
struct uac_result {
	enum uac_error	 error;
	int		 status;	/* last final status, 0 for none */
	const char	*phrase;	/* its reason phrase, "" for none */
	const char	*text;		/* why it failed, or "" */
	int		 expires;	/* granted (Expires), -1 unknown */
	unsigned	 verified;	/* rspauth checked in this operation */
	unsigned	 discarded;	/* provisional responses dropped: their
					   rspauth was missing or wrong */
};

struct uac;

typedef void uac_done_f(void *arg, struct uac *u, const struct uac_result *r);

/* Make an endpoint.  Returns 0, EINVAL (bad aor, epid...), ENOMEM. */
int	uac_create(struct uac_agent *a, const struct uac_params *p,
	    struct uac **out);
/* Cancel what runs (no callback), drop the SA.  NULL is allowed. */
void	uac_destroy(struct uac *u);

/*
 * Register with Expires: expires (< 0: no Expires header, the server's
 * default; 0: remove the binding).  Uses the SA when there is one.  done
 * is called exactly once, from the event loop, unless uac_destroy() comes
 * first; it may start the next operation or destroy u.  Returns 0, EBUSY
 * (an operation runs), ENOMEM.
 */
int	uac_register(struct uac *u, int expires, uac_done_f *done,
	    void *arg);

/* About the endpoint and its SA (NULL / 0 before there is one). */
const char	*uac_epid(const struct uac *u);
const char	*uac_scheme(const struct uac *u);	/* "NTLM", "Kerberos" */
int		 uac_version(const struct uac *u);
int		 uac_proxy_family(const struct uac *u);	/* 407 family */
const char	*uac_opaque(const struct uac *u);
const char	*uac_server(const struct uac *u);	/* host:port;tp */
unsigned	 uac_redirects(const struct uac *u);	/* 301s followed */
unsigned	 uac_handshakes(const struct uac *u);	/* SAs made */
unsigned	 uac_verified(const struct uac *u);	/* rspauth, total */

/*
 * Requests to another user, on the SA of a finished registration (EAGAIN
 * without one).  Each runs as one operation, like uac_register(): done is
 * called once with the final status; an error status is UAC_E_STATUS, a
 * missing or wrong rspauth on the final response UAC_E_SIGNATURE.  to is
 * a sip: URI.  Returns 0, EBUSY, EAGAIN, EINVAL, ENOMEM.
 *
 * uac_message(): MESSAGE with text/plain body text.
 * uac_invite(): INVITE with a minimal SDP offer (no media is sent); the
 * 2xx is answered with a signed ACK before done is called, and the
 * dialog is kept for uac_bye().  One call at a time per endpoint.
 * uac_bye(): BYE in the dialog of the last successful uac_invite()
 * (EAGAIN if there is none); the dialog ends whatever the answer.
 */
int	uac_message(struct uac *u, const char *to, const char *text,
	    uac_done_f *done, void *arg);
int	uac_invite(struct uac *u, const char *to, uac_done_f *done,
	    void *arg);
int	uac_bye(struct uac *u, uac_done_f *done, void *arg);
/* Whether the dialog of uac_invite() is up. */
int	uac_in_call(const struct uac *u);

/* A request the server sent to the endpoint, as it was handled. */
struct uac_incoming {
	const char	*method;	/* "MESSAGE", "INVITE", "ACK", ... */
	const char	*from;		/* From URI */
	const char	*call_id;
	const char	*text;		/* MESSAGE body (NUL-terminated), or
					   NULL */
	int		 verified;	/* the server's signature checked */
	const char	*problem;	/* why it was refused, or NULL */
	int		 status;	/* final answer, 0 for none (ACK) */
};

typedef void uac_incoming_f(void *arg, struct uac *u,
    const struct uac_incoming *in);

/* Test hook: sign the answers, then spoil the signature (one hex digit). */
#define UAC_IN_TAMPER	0x01
/* Answer an INVITE with 180 only and leave it ringing until the caller
   cancels: the server's signed CANCEL then gets a signed 487 (reported
   as a request of method CANCEL with status 487). */
#define UAC_IN_RING	0x02

/*
 * Answer what the server sends the endpoint: MESSAGE, OPTIONS, BYE with
 * 200, INVITE with 180 then 200 and an SDP answer; ACK is taken; any
 * other method gets 405.  Every answer is signed with the SA.  A request
 * without the server's valid signature (or before there is an SA) gets an
 * unsigned 403 and nothing else ([MS-SIP] §3.1.5.2: a client discards
 * it; nta cannot drop a request silently).  fn (may be NULL) hears of
 * each request, refused ones included.  Without this call requests are
 * answered the same way and reported to nobody.
 */
void	uac_set_incoming(struct uac *u, uac_incoming_f *fn, void *arg,
	    unsigned flags);

/*
 * Cancel every INVITE this endpoint sends after_ms milliseconds after its
 * first provisional response with a valid signature (< 0: never, the
 * default).  The CANCEL is signed; the INVITE's 487 (signature checked)
 * ends uac_invite() with UAC_OK and status 487.
 */
void	uac_set_cancel(struct uac *u, long after_ms);

#endif /* SIPSA_TOOLS_UAC_H */
