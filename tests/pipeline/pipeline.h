/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/pipeline/pipeline.h: the pipeline harness.  In one process and on
 * one su_root: the real sipsad agent (proxy_create, src/proxy.h) on
 * loopback with fake_mech (tests/fake/fake_mech.h) instead of GSSAPI, so
 * no KDC, and scripted SIP peers, each an nta agent of its own on the
 * same root, that play MS-SIPAE clients and callees.  Peers sign with the
 * fake mechanism's MAC through the real signature-string code
 * (sipauth_sigstr_msg) and check every signature sipsad sends them, so
 * signatures are really checked on both sides.  The model is Sofia's
 * s2check: send a request, wait for what arrives, respond to it.
 *
 * Nothing sleeps: the loop is stepped (su_root_step, which waits for I/O
 * or a timer at most HARNESS_STEP_MS) until a condition holds or
 * HARNESS_STEPS steps have passed.
 *
 * Ownership: the harness owns its peers; a peer owns the requests it sent
 * (struct peer_out) and the requests it received (struct peer_in); all of
 * them live until harness_stop().
 */
#ifndef SIPSA_TESTS_PIPELINE_H
#define SIPSA_TESTS_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/sip.h>

#include "sipauth/sipauth.h"
#include "src/proxy.h"

/* Sofia's objects, as src/proxy.h has them: nta.h stays in the .c files,
   which give it their own magic types. */
struct nta_leg_s;
struct nta_incoming_s;
struct nta_outgoing_s;

#define HARNESS_STEPS		500	/* steps per wait, at most */
#define HARNESS_STEP_MS		10	/* ms each step may wait */
#define HARNESS_MAX_PEERS	4
#define PEER_MAX_IN		8	/* requests a peer receives */
#define PEER_MAX_OUT		16	/* requests a peer sends */
#define HARNESS_WARNINGS	16	/* warning lines kept */

/* The served domain, sipsad's FQDN and the realm of the configuration. */
#define HARNESS_DOMAIN		"example.test"
#define HARNESS_FQDN		"proxy.example.test"
#define HARNESS_REALM		"SIP Communications Service"

struct peer;

struct harness {
	struct proxy	*px;
	struct su_root_s *root;		/* px's */
	char		 dir[128];	/* state directory, removed at stop */
	unsigned	 port;		/* sipsad's TCP and UDP port */
	char		 hop[64];	/* its TCP listener as a SIP URI */
	uint64_t	 now_ms;	/* SA table clock, moved by tests */
	/* The last lines logged at warning level or worse (by sipsad, or
	   by Sofia for sipsad or the peers). */
	char		 warnings[HARNESS_WARNINGS][256];
	unsigned	 nwarnings;
	struct peer	*peers[HARNESS_MAX_PEERS];
	size_t		 npeers;
};

/* sipsad on a fresh state directory and free ports; 0 or an errno value. */
int	harness_start(struct harness *h);
/* Peers first, then sipsad and the state directory.  Idempotent. */
void	harness_stop(struct harness *h);
void	harness_step(struct harness *h);

/* Step until cond holds, at most HARNESS_STEPS times. */
#define HARNESS_UNTIL(h, cond) \
	for (int hu_ = 0; !(cond) && hu_ < HARNESS_STEPS; hu_++) \
		harness_step(h)

/* How many of the warning lines kept contain needle. */
unsigned harness_warned(const struct harness *h, const char *needle);
/* Server transactions sipsad's nta has created so far. */
size_t	harness_server_transactions(const struct harness *h);

/* A request the peer received from sipsad. */
struct peer_in {
	struct peer	*p;
	struct nta_incoming_s *irq;	/* NULL once answered finally, or
					   ACK */
	msg_t		*msg;		/* a reference */
	const sip_t	*sip;		/* in msg */
	int		 verified;	/* carried sipsad's valid signature */
	int		 cancelled;	/* a CANCEL came for it (INVITE) */
	int		 cancel_verified; /* ... signed by sipsad */
};

/* A request the peer sent, and what came back. */
struct peer_out {
	struct peer	*p;
	struct nta_outgoing_s *orq;
	msg_t		*last;		/* the last response above 100 */
	int		 status;	/* the final status; 0 while none */
	int		 provisional;	/* the last 1xx above 100 */
	unsigned	 responses;	/* responses above 100 */
	unsigned	 verified;	/* ... that carried sipsad's valid
					   signature for this peer's SA */
	char		 call_id[64];
	uint32_t	 cseq;
};

/*
 * One endpoint: an AOR (sip:<user>@example.test), an epid, and at most
 * one SA with sipsad, made with the fake handshake as the authenticated
 * name EXAMPLE\<user> (peer_set_domain).  Its requests go to sipsad over
 * TCP.
 */
struct peer {
	su_home_t	 home[1];
	struct harness	*h;		/* borrowed */
	struct nta_agent_s *nta;
	struct nta_leg_s *leg;		/* takes what sipsad sends */
	char		 user[32];
	char		 aor[64];
	char		 domain[16];	/* of its AUTHENTICATE */
	char		 name[64];	/* the name the SA authenticates */
	char		 epid[16];
	char		 tag[16];	/* From tag */
	char		 contact[128];
	char		 reg_call_id[96];
	uint32_t	 cseq;
	/* The SA, once a handshake has given it an opaque. */
	char		 opaque[16];
	char		 realm[64];
	char		 targetname[64];
	int		 version;
	uint32_t	 cnum;		/* the last one used */
	struct peer_in	 in[PEER_MAX_IN];
	size_t		 nin;
	size_t		 taken;		/* in[] handed out by peer_next */
	struct peer_out	 out[PEER_MAX_OUT];
	size_t		 nout;
};

/* Flags of peer_send(), peer_send_register() and peer_respond(). */
#define PEER_UNSIGNED	0x01	/* no Authorization at all */
#define PEER_TAMPER	0x02	/* sign, then spoil the signature */
#define PEER_LONG_CRAND	0x04	/* a 12-digit crand, rightly signed */
#define PEER_CNUM_ZERO	0x08	/* cnum 0, rightly signed */

/* A peer of h (harness_stop destroys it); NULL on failure. */
struct peer *peer_create(struct harness *h, const char *user,
	    const char *epid);
void	peer_destroy(struct peer *p);

/*
 * The whole fake handshake over REGISTER: unsigned, NTLM leg 1 (empty
 * token, answered with opaque and "CHALLENGE"), leg 2 ("user:<name>",
 * signed, version 4).  Returns the status of the last REGISTER (200 once
 * registered, its signature checked), or -1 when the handshake went
 * wrong before that.
 */
int	peer_register(struct peer *p);
/* The same handshake up to sending the last leg, without waiting for its
   answer; that request, or NULL. */
struct peer_out *peer_register_start(struct peer *p);
/* The NTLM domain of the peer's AUTHENTICATE (default EXAMPLE); the SA
   then authenticates <domain>\<user>. */
void	peer_set_domain(struct peer *p, const char *domain);

/*
 * Send a request to ruri (To is ruri) through sipsad, signed with the
 * peer's SA unless flags say otherwise.  MESSAGE gets a text body,
 * INVITE a Contact.  NULL on failure.
 */
struct peer_out *peer_send(struct peer *p, const char *method,
	    const char *ruri, unsigned flags);
/* A REGISTER of the peer's binding, signed as flags say. */
struct peer_out *peer_send_register(struct peer *p, unsigned flags);
/* Step until o has its final response; returns it (0: none came). */
int	peer_wait(struct peer_out *o);
/* Step until o has a provisional response above 100; returns it. */
int	peer_wait_provisional(struct peer_out *o);
/* CANCEL o (an INVITE), signed, as nta builds it. */
int	peer_cancel(struct peer_out *o);
/* ACK the 2xx of o (an INVITE) along its dialog, signed. */
int	peer_ack(struct peer_out *o);

/* Step until the next request from sipsad arrives; NULL if none came. */
struct peer_in *peer_next(struct peer *p);
/*
 * Answer in with status (To tag set, Contact on INVITE), signed with the
 * peer's SA as flags say.  0 or -1.
 */
int	peer_respond(struct peer_in *in, int status, unsigned flags);

/*
 * Does sip (a response, or a request from sipsad) carry sipsad's valid
 * signature for p's SA (Authentication-Info, its rspauth checked with
 * the fake mechanism's server MAC)?  0 or -1.
 */
int	peer_verify(struct peer *p, const sip_t *sip);

/*
 * The values of every header called name in sip, parsed or not, in wire
 * order, into v (at most max, borrowed from the message or home).
 * Returns how many there are.
 */
size_t	peer_hdr_values(su_home_t *home, const sip_t *sip, const char *name,
	    struct sipauth_str *v, size_t max);

#endif /* SIPSA_TESTS_PIPELINE_H */
