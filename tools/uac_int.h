/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/uac_int.h: what the files of the user agent client (tools/uac.h)
 * share and nobody else uses: the agent, endpoint, SA and dialog structs,
 * and the functions one file calls in another.
 *
 * The files, in the order a REGISTER meets them:
 *   uac_agent.c      the nta agent and its transports, Sofia's log, traces
 *   uac.c            the endpoint and how an operation ends
 *   uac_register.c   sending REGISTER, signing, the answers it gets
 *   uac_handshake.c  the NTLM and Kerberos handshakes over 401 or 407
 *   uac_rspauth.c    checking the server's rspauth
 *   uac_dialog.c     MESSAGE, INVITE, ACK, BYE and CANCEL to other users
 *   uac_incoming.c   answering what the server sends the endpoint
 *
 * nta and the timers call back with our own types (the magic types
 * below), which must be set before the first Sofia header: each file
 * includes this one before any other Sofia header.
 */
#ifndef SIPSA_TOOLS_UAC_INT_H
#define SIPSA_TOOLS_UAC_INT_H

#include <stddef.h>
#include <stdint.h>

struct uac;
struct uac_agent;
#define NTA_OUTGOING_MAGIC_T	struct uac
#define NTA_LEG_MAGIC_T		struct uac_agent
#define SU_TIMER_ARG_T		struct uac
#define NTA_INCOMING_MAGIC_T	struct uac

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/su_strlst.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tagarg.h>

#include "sa/mech.h"
#include "sipauth/sipauth.h"
#include "tools/uac.h"

struct uac_agent {
	su_home_t	 home[1];
	su_root_t	*root;
	nta_agent_t	*nta;
	nta_leg_t	*leg;		/* requests the server sends us */
	struct uac	*uacs;		/* every endpoint, for them */
	uac_trace_f	*trace;
	void		*trace_arg;
	int		 trace_full;
	int		 tls_insecure;
};

/* What the request in flight carried; decides what a 401/407 means. */
enum uac_state {
	ST_IDLE,
	ST_PLAIN,	/* no credential */
	ST_LEG1,	/* NTLM, gssapi-data="" */
	ST_FINAL,	/* the last handshake token */
	ST_SIGNED,	/* signed with an established SA */
};

/* Which operation runs (what a final response means). */
enum uac_op {
	OP_REGISTER,
	OP_MESSAGE,
	OP_INVITE,
	OP_BYE,
};

/* The dialog of an INVITE this endpoint sent (caller side). */
struct uac_dialog {
	int		 state;		/* 0: none, 1: inviting, 2: up */
	char		 call_id[33];
	char		 tag[11];	/* ours, in From */
	uint32_t	 cseq;
	char		*uri;		/* To URI, without <> */
	char		*to;		/* remote To, with tag and epid */
	char		*target;	/* remote target (Contact) */
	char		*route;		/* route set, or NULL */
};

/* The security association with the current server, client side. */
struct uac_sa {
	struct mech_ctx		*ctx;
	int			 complete;	/* mechanism done */
	enum sipauth_scheme	 scheme;
	enum sipauth_family	 fam;
	int			 version;	/* from the challenge */
	uint32_t		 cnum;		/* last one sent */
	char			 realm[256];
	char			 targetname[300];
	char			 fqdn[300];	/* targetname without sip/ */
	char			 opaque[64];
};

struct uac {
	su_home_t		 home[1];
	struct uac_agent	*agent;
	struct uac		*next;		/* in agent->uacs */
	/* configuration */
	char			*aor;
	char			*domain;
	char			*server;
	char			*tls_name;	/* the certificate must name */
	int			 tls_checked;
	unsigned		 port;
	enum uac_transport	 tp;
	char			 epid[65];
	char			 uuid[37];
	struct mech_client_params mp;
	unsigned		 timeout_ms;
	int			 max_redirects;
	char			*user_agent;
	/* registration */
	char			 call_id[33];
	char			 from_tag[11];
	uint32_t		 cseq;
	struct uac_sa		 sa;
	/* the operation in progress */
	enum uac_op		 op;
	enum uac_state		 state;
	int			 expires;
	int			 reauth;
	int			 retries_423;
	nta_outgoing_t		*orq;
	su_timer_t		*timer;
	uac_done_f		*done;
	void			*done_arg;
	struct uac_result	 res;
	char			 phrase[64];
	char			 text[512];
	char			 where[300];	/* host:port;transport=tp */
	/* requests to other users */
	struct uac_dialog	 dlg;
	/* requests from the server */
	uac_incoming_f		*in_fn;
	void			*in_arg;
	unsigned		 in_flags;
	nta_incoming_t		*ring_irq;	/* UAC_IN_RING: the INVITE
						   left ringing */
	/* cancelling our INVITEs (uac_set_cancel) */
	long			 cancel_after;	/* ms, < 0: never */
	su_timer_t		*cancel_timer;
	int			 cancelled;	/* this INVITE's CANCEL sent */
	/* totals */
	unsigned		 redirects;
	unsigned		 handshakes;
	unsigned		 verified;
};

/* uac.c */
/* "udp", "tcp", "tls", by enum uac_transport. */
extern const char *const uac_tp_names[];
/* n random bytes as 2n lower-case hex digits and a NUL; 0 or -1. */
int	uac_random_hex(char *out, size_t n);
/* Forget the SA (the context and its keys). */
void	uac_sa_drop(struct uac *u);
/* Copy a slice into a fixed buffer; -1 when it does not fit. */
int	uac_copy_str(char *dst, size_t dstsz, struct sipauth_str s);
/* Record the outcome of the operation; returns 1. */
int	uac_fail(struct uac *u, enum uac_error e, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* End the operation: call the done callback (the last use of u). */
void	uac_finish(struct uac *u);
/* The timer of the request in flight (u->timer) went off. */
void	uac_on_timeout(su_root_magic_t *rm, su_timer_t *t, struct uac *u);

/* uac_agent.c */
/* The last line Sofia logged (often the only account of a failure). */
extern char uac_sofia_last[256];
/* Hand a message to the agent's trace callback, if any. */
void	uac_trace_msg(struct uac *u, int sent, msg_t *msg);

/* uac_register.c */
/* Sign a complete message with the SA into cred; 0, or -1 and why. */
int	uac_sign_msg(struct uac *u, su_home_t *home, const sip_t *sip,
	    struct sipauth_cred *cred, char crand[9], char cnum[12],
	    char hex[2 * MECH_SIG_MAX + 1], const char **why);
/* Send a REGISTER in state st; 0, or 1 with the failure recorded. */
int	uac_send_register(struct uac *u, enum uac_state st,
	    const char *gssapi, int sign);
/* The nta callback of every request the endpoint sends but ACK. */
int	uac_on_response(struct uac *u, nta_outgoing_t *orq,
	    const sip_t *sip);

/* uac_handshake.c */
/* A 401 or 407 to a REGISTER; 0, or 1 with the failure recorded. */
int	uac_on_challenge(struct uac *u, const sip_t *sip, int status);

/* uac_rspauth.c */
/* The (Proxy-)Authentication-Info of the SA's scheme; 0 or ENOENT. */
int	uac_find_info(su_home_t *home, const struct uac *u, const sip_t *sip,
	    struct sipauth_info *out, struct sipauth_str *text);
/* Check the server's signature with the SA; 0, or -1 and why. */
int	uac_server_sig_ok(struct uac *u, su_home_t *home, const sip_t *sip,
	    const struct sipauth_info *info, char *why, size_t whysz);
/* Check the rspauth of a final response; 0 or 1 (recorded). */
int	uac_check_rspauth(struct uac *u, const sip_t *sip, int status);

/* uac_dialog.c */
/* Our Contact: the agent's address, the transport of the connection. */
char	*uac_contact_of(struct uac *u, su_home_t *home);
/* Sign msg with the SA and add its (Proxy-)Authorization; 0 or -1. */
int	uac_add_signature(struct uac *u, su_home_t *home, msg_t *msg,
	    sip_t *sip, int tamper, const char **why);
/* A minimal SDP: one audio stream on the discard port, inactive. */
char	*uac_sdp_body(struct uac *u, su_home_t *home);
/* The final answer to MESSAGE, INVITE or BYE; 0 or 1 (recorded). */
int	uac_handle_other(struct uac *u, const sip_t *sip, int status);
/* A provisional answer to MESSAGE, INVITE or BYE. */
void	uac_provisional(struct uac *u, const sip_t *sip);

/* uac_incoming.c */
/* The agent's default leg: a request the server sent an endpoint. */
int	uac_agent_request(struct uac_agent *a, nta_leg_t *leg,
	    nta_incoming_t *irq, const sip_t *sip);

#endif /* SIPSA_TOOLS_UAC_INT_H */
