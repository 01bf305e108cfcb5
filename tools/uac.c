/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/uac.c: the MS-SIPAE user agent client of tools/uac.h: REGISTER
 * built with Sofia, the NTLM and Kerberos handshakes over 401 or 407
 * ([MS-SIPAE] §3.2.5, notes §1-§2), signed requests and checked rspauth
 * (notes §3-§4), 301 to a home server (notes §9); MESSAGE, INVITE, ACK
 * and BYE to other users on the SA, and the answers to what the server
 * sends the endpoint, signed both ways (notes §8).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

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

static const char *const tp_names[] = {
	[UAC_TP_UDP] = "udp",
	[UAC_TP_TCP] = "tcp",
	[UAC_TP_TLS] = "tls",
};

const char *
uac_error_name(enum uac_error e)
{
	static const char *const names[] = {
		[UAC_OK] = "ok",
		[UAC_E_CONFIG] = "configuration error",
		[UAC_E_AUTH] = "authentication refused",
		[UAC_E_SIGNATURE] = "bad server signature",
		[UAC_E_TIMEOUT] = "no answer",
		[UAC_E_TRANSPORT] = "transport error",
		[UAC_E_STATUS] = "SIP error",
		[UAC_E_INTERNAL] = "internal error",
	};

	if ((unsigned)e >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[e];
}

/* Exported by libsofia-sip-ua, not declared in its public headers. */
extern su_log_t nta_log[];
extern su_log_t tport_log[];

/*
 * Sofia's own log lines (nta, tport, su): written to sofia_out when it is
 * set, else dropped; the last one is kept, since it is often the only
 * account of a transport failure ("Connection refused (111) with ...").
 */
static FILE *sofia_out;
static char sofia_last[256];

static void
sofia_logger(void *stream, char const *fmt, va_list ap)
{
	char buf[1024];
	size_t len;

	(void)stream;
	if (vsnprintf(buf, sizeof(buf), fmt, ap) <= 0)
		return;
	if (sofia_out != NULL)
		fputs(buf, sofia_out);
	len = strcspn(buf, "\r\n");
	if (len > 0 && buf[0] != '\t') {
		if (len >= sizeof(sofia_last))
			len = sizeof(sofia_last) - 1;
		memcpy(sofia_last, buf, len);
		sofia_last[len] = '\0';
	}
}

void
uac_sofia_log(FILE *out)
{
	sofia_out = out;
	su_log_redirect(su_log_default, sofia_logger, NULL);
	su_log_redirect(nta_log, sofia_logger, NULL);
	su_log_redirect(tport_log, sofia_logger, NULL);
}

/* n random bytes as 2n lower-case hex digits and a NUL. */
static int
random_hex(char *out, size_t n)
{
	uint8_t b[32];
	size_t i;

	if (n > sizeof(b) || RAND_bytes(b, (int)n) != 1)
		return -1;
	for (i = 0; i < n; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* ---- the agent ---- */

static int	agent_request(struct uac_agent *a, nta_leg_t *leg,
		    nta_incoming_t *irq, const sip_t *sip);

/*
 * Sofia's TLS reads cafile.pem (and agent.pem, which a client does not
 * need) from a directory once, when the transport is made: give it a
 * private directory with a link to the CA bundle and remove it at once.
 */
static int
add_tls(struct uac_agent *a, const struct uac_agent_params *p, char *err,
    size_t errsz)
{
	char dir[] = "/tmp/sipsa-client.XXXXXX", link[64];
	const char *ca = p->tls_ca_file;
	char *abs = NULL;
	int rc = 0;

	if (ca == NULL)
		ca = X509_get_default_cert_file();
	if (access(ca, R_OK) != 0) {
		(void)snprintf(err, errsz, "TLS: cannot read the CA file %s "
		    "(give --ca-file, or --insecure): %s", ca,
		    strerror(errno));
		return EINVAL;
	}
	if ((abs = realpath(ca, NULL)) == NULL || mkdtemp(dir) == NULL) {
		(void)snprintf(err, errsz, "TLS: %s: %s", ca, strerror(errno));
		free(abs);
		return EIO;
	}
	(void)snprintf(link, sizeof(link), "%s/cafile.pem", dir);
	if (symlink(abs, link) != 0) {
		rc = errno;
		(void)snprintf(err, errsz, "TLS: %s: %s", link, strerror(rc));
	} else if (nta_agent_add_tport(a->nta,
	    URL_STRING_MAKE("sips:*:*;transport=tls"), TPTAG_CERTIFICATE(dir),
	    /* 0: negotiate the best version. */
	    TPTAG_TLS_VERSION(0),
	    /*
	     * Sofia checks the chain; the name is checked on the first
	     * response (check_tls_name), since Sofia 1.12.11 compares it
	     * with DNS names only.
	     */
	    TPTAG_TLS_VERIFY_POLICY(p->tls_insecure ? TPTLS_VERIFY_NONE :
	    TPTLS_VERIFY_OUT), TAG_END()) != 0) {
		rc = EIO;
		(void)snprintf(err, errsz, "TLS: Sofia could not set up a "
		    "TLS transport with CA file %s", ca);
	}
	(void)unlink(link);
	(void)rmdir(dir);
	free(abs);
	return rc;
}

int
uac_agent_create(su_root_t *root, const struct uac_agent_params *p,
    struct uac_agent **out, char *err, size_t errsz)
{
	struct uac_agent *a;
	int rc;

	*out = NULL;
	if (errsz > 0)
		err[0] = '\0';
	if ((a = su_home_new(sizeof(*a))) == NULL)
		return ENOMEM;
	a->root = root;
	/*
	 * EXTRACT_COPY keeps each header's wire text (rspauth is checked
	 * over it); a large UDP MTU keeps a Kerberos REGISTER on UDP, where
	 * nta would move a request over 1300 bytes to TCP.
	 */
	a->nta = nta_agent_create(root, URL_STRING_MAKE("sip:*:*"), NULL,
	    NULL, NTATAG_SIPFLAGS(MSG_FLG_EXTRACT_COPY),
	    /* A cancelled INVITE gets its 487 from us, signed. */
	    NTATAG_CANCEL_487(0),
	    NTATAG_UDP_MTU(65000), NTATAG_CLIENT_RPORT(1),
	    NTATAG_USE_NAPTR(0), NTATAG_USE_SRV(0), TAG_END());
	if (a->nta == NULL) {
		(void)snprintf(err, errsz, "cannot create the SIP agent "
		    "(UDP and TCP on any port): %s", strerror(errno));
		su_home_unref(a->home);
		return EIO;
	}
	/*
	 * The default leg takes every request the server sends to our
	 * endpoints over their connections (each is found by To epid).
	 */
	a->leg = nta_leg_tcreate(a->nta, agent_request, a,
	    NTATAG_NO_DIALOG(1), TAG_END());
	if (a->leg == NULL) {
		(void)snprintf(err, errsz, "cannot create the SIP agent's "
		    "default leg");
		uac_agent_destroy(a);
		return ENOMEM;
	}
	a->tls_insecure = p != NULL && p->tls_insecure;
	if (p != NULL && p->want_tls &&
	    (rc = add_tls(a, p, err, errsz)) != 0) {
		uac_agent_destroy(a);
		return rc;
	}
	*out = a;
	return 0;
}

void
uac_agent_destroy(struct uac_agent *a)
{
	if (a == NULL)
		return;
	if (a->leg != NULL)
		nta_leg_destroy(a->leg);
	if (a->nta != NULL)
		nta_agent_destroy(a->nta);
	su_home_unref(a->home);
}

void
uac_agent_set_trace(struct uac_agent *a, uac_trace_f *fn, void *arg,
    int full)
{
	a->trace = fn;
	a->trace_arg = arg;
	a->trace_full = full;
}

/*
 * Hand msg to the trace callback, gssapi-data values cut short unless
 * full traces were asked for (an NTLM AUTHENTICATE allows an offline
 * guess at the password; it has no place in an everyday log).
 */
static void
trace_msg(struct uac *u, int sent, msg_t *msg)
{
	static const char key[] = "gssapi-data=\"";
	struct uac_agent *a = u->agent;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char *text, *out, *o, *p, *q;
	size_t len = 0;

	if (a->trace == NULL || msg == NULL)
		return;
	if ((text = msg_as_string(home, msg, NULL, 0, &len)) == NULL)
		goto out;
	if (!a->trace_full && (out = su_alloc(home, len + 1)) != NULL) {
		for (p = text, o = out; *p != '\0';) {
			if (strncasecmp(p, key, sizeof(key) - 1) != 0) {
				*o++ = *p++;
				continue;
			}
			memcpy(o, p, sizeof(key) - 1);
			o += sizeof(key) - 1;
			p += sizeof(key) - 1;
			for (q = p; *q != '\0' && *q != '"'; q++)
				;
			if (q - p > 16) {
				memcpy(o, p, 16);
				memcpy(o + 16, "...", 3);
				o += 19;
			} else {
				memcpy(o, p, (size_t)(q - p));
				o += q - p;
			}
			p = q;
		}
		*o = '\0';
		text = out;
		len = (size_t)(o - out);
	}
	a->trace(a->trace_arg, sent, u->where, text, len);
 out:
	su_home_deinit(home);
}

/* ---- the endpoint ---- */

static void	sa_drop(struct uac *u);

int
uac_create(struct uac_agent *a, const struct uac_params *p,
    struct uac **out)
{
	struct uac *u;
	const char *at, *dom;
	size_t i;

	*out = NULL;
	if (a == NULL || p == NULL || p->aor == NULL || p->server == NULL)
		return EINVAL;
	if (strncasecmp(p->aor, "sip:", 4) != 0 ||
	    (at = strchr(p->aor, '@')) == NULL || at == p->aor + 4 ||
	    at[1] == '\0' || strpbrk(p->aor, "<>\"; \t\r\n") != NULL)
		return EINVAL;
	dom = at + 1;
	if ((u = su_home_new(sizeof(*u))) == NULL)
		return ENOMEM;
	u->agent = a;
	u->aor = su_strdup(u->home, p->aor);
	u->domain = su_strdup(u->home, dom);
	u->server = su_strdup(u->home, p->server);
	u->tls_name = su_strdup(u->home, p->tls_name != NULL ? p->tls_name :
	    p->server);
	u->user_agent = su_strdup(u->home, p->user_agent != NULL ?
	    p->user_agent : "sipsa-client/" PACKAGE_VERSION);
	u->port = p->port != 0 ? p->port : p->transport == UAC_TP_TLS ?
	    5061 : 5060;
	u->tp = p->transport;
	u->timeout_ms = p->timeout_ms != 0 ? p->timeout_ms : 10000;
	u->max_redirects = p->max_redirects >= 0 ? p->max_redirects : 5;
	u->mp = p->mech;
	u->mp.user = su_strdup(u->home, p->mech.user);
	u->mp.domain = su_strdup(u->home, p->mech.domain);
	u->mp.ccache = su_strdup(u->home, p->mech.ccache);
	u->mp.client_keytab = su_strdup(u->home, p->mech.client_keytab);
	u->mp.principal = su_strdup(u->home, p->mech.principal);
	u->mp.target_fqdn = NULL;
	if (p->epid != NULL) {
		for (i = 0; p->epid[i] != '\0'; i++)
			if (strchr("0123456789abcdefABCDEF", p->epid[i]) ==
			    NULL)
				break;
		if (p->epid[i] != '\0' || i == 0 || i >= sizeof(u->epid)) {
			su_home_unref(u->home);
			return EINVAL;
		}
		memcpy(u->epid, p->epid, i + 1);
	} else if (random_hex(u->epid, 5) != 0)
		goto nomem;
	if (sipauth_epid_to_uuid(u->epid, u->uuid) != 0 ||
	    random_hex(u->call_id, 16) != 0 ||
	    random_hex(u->from_tag, 5) != 0)
		goto nomem;
	if (u->aor == NULL || u->domain == NULL || u->server == NULL ||
	    u->tls_name == NULL ||
	    u->user_agent == NULL ||
	    (p->mech.user != NULL && u->mp.user == NULL) ||
	    (p->mech.domain != NULL && u->mp.domain == NULL) ||
	    (p->mech.ccache != NULL && u->mp.ccache == NULL) ||
	    (p->mech.client_keytab != NULL && u->mp.client_keytab == NULL) ||
	    (p->mech.principal != NULL && u->mp.principal == NULL))
		goto nomem;
	u->timer = su_timer_create(su_root_task(a->root), 0);
	u->cancel_timer = su_timer_create(su_root_task(a->root), 0);
	u->cancel_after = -1;
	if (u->timer == NULL || u->cancel_timer == NULL)
		goto nomem;
	u->next = a->uacs;
	a->uacs = u;
	*out = u;
	return 0;
 nomem:
	uac_destroy(u);
	return ENOMEM;
}

void
uac_destroy(struct uac *u)
{
	struct uac **pp;

	if (u == NULL)
		return;
	for (pp = &u->agent->uacs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == u) {
			*pp = u->next;
			break;
		}
	if (u->orq != NULL)
		nta_outgoing_destroy(u->orq);
	if (u->timer != NULL)
		su_timer_destroy(u->timer);
	if (u->cancel_timer != NULL)
		su_timer_destroy(u->cancel_timer);
	if (u->ring_irq != NULL)
		nta_incoming_destroy(u->ring_irq);
	sa_drop(u);
	su_home_unref(u->home);
}

const char *
uac_epid(const struct uac *u)
{
	return u->epid;
}

const char *
uac_scheme(const struct uac *u)
{
	return u->sa.ctx != NULL ? sipauth_scheme_name(u->sa.scheme) : NULL;
}

int
uac_version(const struct uac *u)
{
	return u->sa.ctx != NULL ? u->sa.version : 0;
}

int
uac_proxy_family(const struct uac *u)
{
	return u->sa.ctx != NULL && u->sa.fam == SIPAUTH_PROXY;
}

const char *
uac_opaque(const struct uac *u)
{
	return u->sa.opaque[0] != '\0' ? u->sa.opaque : NULL;
}

const char *
uac_server(const struct uac *u)
{
	return u->where;
}

unsigned
uac_redirects(const struct uac *u)
{
	return u->redirects;
}

unsigned
uac_handshakes(const struct uac *u)
{
	return u->handshakes;
}

unsigned
uac_verified(const struct uac *u)
{
	return u->verified;
}

static void
sa_drop(struct uac *u)
{
	mech_ctx_free(u->sa.ctx);
	memset(&u->sa, 0, sizeof(u->sa));
}

/* Copy a slice into a fixed buffer; -1 when it does not fit. */
static int
copy_str(char *dst, size_t dstsz, struct sipauth_str s)
{
	if (s.ptr == NULL) {
		dst[0] = '\0';
		return 0;
	}
	if (s.len >= dstsz)
		return -1;
	memcpy(dst, s.ptr, s.len);
	dst[s.len] = '\0';
	return 0;
}

/* ---- ending an operation ---- */

/* Record the outcome; the caller then returns 1 up to finish(). */
static int
fail(struct uac *u, enum uac_error e, const char *fmt, ...)
{
	va_list ap;

	u->res.error = e;
	va_start(ap, fmt);
	(void)vsnprintf(u->text, sizeof(u->text), fmt, ap);
	va_end(ap);
	return 1;
}

/* Call the done callback; the last thing any path does with u. */
static void
finish(struct uac *u)
{
	uac_done_f *done = u->done;
	void *arg = u->done_arg;
	struct uac_result r;

	su_timer_reset(u->timer);
	u->state = ST_IDLE;
	u->done = NULL;
	r = u->res;
	r.phrase = u->phrase;
	r.text = u->text;
	if (done != NULL)
		done(arg, u, &r);
}

static void
on_timeout(su_root_magic_t *rm, su_timer_t *t, struct uac *u)
{
	(void)rm;
	(void)t;
	if (u->orq != NULL) {
		nta_outgoing_destroy(u->orq);
		u->orq = NULL;
	}
	u->res.status = 0;
	u->phrase[0] = '\0';
	/*
	 * Sofia drops a TLS connection whose certificate does not verify
	 * without telling nta; its log line is all there is.
	 */
	if (u->tp == UAC_TP_TLS && !u->tls_checked && sofia_last[0] != '\0')
		(void)fail(u, UAC_E_TRANSPORT, "TLS with %s failed: %s",
		    u->where, sofia_last + strspn(sofia_last, " \t"));
	else
		(void)fail(u, UAC_E_TIMEOUT, "no answer from %s within %u ms",
		    u->where, u->timeout_ms);
	finish(u);
}

/* ---- sending ---- */

static int	on_response(struct uac *u, nta_outgoing_t *orq,
		    const sip_t *sip);

static msg_t *
build_register(struct uac *u, su_home_t *home)
{
	msg_t *msg;
	sip_t *sip;
	const sip_contact_t *self;
	const char *host = "invalid", *port = NULL;
	char *rq, *from, *to, *cseq, *contact, exp[16];

	if ((msg = nta_msg_create(u->agent->nta, 0)) == NULL)
		return NULL;
	sip = sip_object(msg);
	self = nta_agent_contact(u->agent->nta);
	if (self != NULL && self->m_url->url_host != NULL) {
		host = self->m_url->url_host;
		port = self->m_url->url_port;
	}
	(void)snprintf(exp, sizeof(exp), "%d", u->expires);
	rq = su_sprintf(home, "REGISTER sip:%s SIP/2.0", u->domain);
	from = su_sprintf(home, "<%s>;tag=%s;epid=%s", u->aor, u->from_tag,
	    u->epid);
	to = su_sprintf(home, "<%s>", u->aor);
	cseq = su_sprintf(home, "%u REGISTER", ++u->cseq);
	contact = su_sprintf(home, "<sip:%.*s@%s%s%s;transport=%s>;"
	    "+sip.instance=\"<urn:uuid:%s>\"", (int)strcspn(u->aor + 4, "@"),
	    u->aor + 4, host, port != NULL ? ":" : "", port != NULL ? port : "",
	    tp_names[u->tp], u->uuid);
	if (rq == NULL || from == NULL || to == NULL || cseq == NULL ||
	    contact == NULL || sip_add_tl(msg, sip,
	    SIPTAG_REQUEST_STR(rq),
	    SIPTAG_MAX_FORWARDS_STR("70"),
	    SIPTAG_FROM_STR(from),
	    SIPTAG_TO_STR(to),
	    SIPTAG_CALL_ID_STR(u->call_id),
	    SIPTAG_CSEQ_STR(cseq),
	    SIPTAG_CONTACT_STR(contact),
	    SIPTAG_USER_AGENT_STR(u->user_agent),
	    TAG_IF(u->expires >= 0, SIPTAG_EXPIRES_STR(exp)),
	    TAG_END()) < 0) {
		msg_destroy(msg);
		return NULL;
	}
	return msg;
}

/*
 * Sign the complete message with the SA: crand, cnum and response go into
 * cred.  The string is made from the headers as Sofia will encode them.
 * cnum is one counter for every message the endpoint signs, requests and
 * responses alike.  Returns 0, or -1 with the reason in why.
 */
static int
sign_msg(struct uac *u, su_home_t *home, const sip_t *sip,
    struct sipauth_cred *cred, char crand[9], char cnum[12],
    char hex[2 * MECH_SIG_MAX + 1], const char **why)
{
	struct sipauth_sigparams p;
	struct mech_status st;
	uint8_t mac[MECH_SIG_MAX];
	size_t len, maclen = 0;
	char *str;
	enum mech_reason r;

	*why = "cannot build the signature string";
	if (random_hex(crand, 4) != 0)
		return -1;
	/* The next cnum; it is used up once the string is made. */
	(void)snprintf(cnum, 12, "%u", u->sa.cnum + 1);
	p = (struct sipauth_sigparams){
		.version = u->sa.version, .scheme = u->sa.scheme,
		.rand = sipauth_s(crand), .num = sipauth_s(cnum),
		.realm = sipauth_s(u->sa.realm),
		.targetname = sipauth_s(u->sa.targetname),
	};
	if (sipauth_sigstr_msg(home, sip, &p, &str, &len) != 0)
		return -1;
	u->sa.cnum++;
	r = mech_sign(u->sa.ctx, str, len, mac, &maclen, &st);
	if (r != MECH_OK) {
		*why = mech_reason_text(r);
		return -1;
	}
	sipauth_hex_encode(mac, maclen, hex);
	OPENSSL_cleanse(mac, sizeof(mac));
	cred->crand = sipauth_s(crand);
	cred->cnum = sipauth_s(cnum);
	cred->cnum_val = u->sa.cnum;
	cred->response = sipauth_s(hex);
	return 0;
}

/*
 * Send a REGISTER in state st.  gssapi (base64, "" for the NTLM first leg)
 * makes it a handshake leg; sign asks for crand/cnum/response.  Returns 0,
 * or 1 with the failure recorded.
 */
static int
send_register(struct uac *u, enum uac_state st, const char *gssapi, int sign)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sipauth_cred cred;
	char crand[9], cnum[12], hex[2 * MECH_SIG_MAX + 1], *route, *value;
	const char *why;
	msg_t *msg, *sent;
	sip_t *sip;
	int rc = 0;

	sofia_last[0] = '\0';
	(void)snprintf(u->where, sizeof(u->where), "%s%s%s:%u;transport=%s",
	    strchr(u->server, ':') != NULL ? "[" : "", u->server,
	    strchr(u->server, ':') != NULL ? "]" : "", u->port,
	    tp_names[u->tp]);
	if ((msg = build_register(u, home)) == NULL) {
		su_home_deinit(home);
		return fail(u, UAC_E_INTERNAL, "cannot build a REGISTER");
	}
	sip = sip_object(msg);
	if (st != ST_PLAIN) {
		memset(&cred, 0, sizeof(cred));
		cred.scheme = u->sa.scheme;
		cred.family = u->sa.fam;
		cred.scheme_tok = sipauth_s(sipauth_scheme_name(u->sa.scheme));
		cred.qop = sipauth_s("auth");
		cred.realm = sipauth_s(u->sa.realm);
		cred.targetname = sipauth_s(u->sa.targetname);
		if (u->sa.opaque[0] != '\0')
			cred.opaque = sipauth_s(u->sa.opaque);
		if (gssapi != NULL) {
			cred.gssapi_data = sipauth_s(gssapi);
			cred.version = u->sa.version;
		}
		if (sign && sign_msg(u, home, sip, &cred, crand, cnum, hex,
		    &why) != 0) {
			rc = fail(u, UAC_E_INTERNAL, "cannot sign: %s", why);
			goto fail;
		}
		if (sipauth_format_cred(home, &cred, &value) != 0 ||
		    sipauth_add_raw_header(msg, sip,
		    u->sa.fam == SIPAUTH_PROXY ? "Proxy-Authorization" :
		    "Authorization", value) != 0) {
			rc = fail(u, UAC_E_INTERNAL, "cannot format the "
			    "credential");
			goto fail;
		}
	}
	route = su_sprintf(home, "sip:%s", u->where);
	u->orq = route == NULL ? NULL : nta_outgoing_mcreate(u->agent->nta,
	    on_response, u, URL_STRING_MAKE(route), msg, TAG_END());
	if (u->orq == NULL) {
		rc = fail(u, UAC_E_TRANSPORT, "cannot send to %s", u->where);
		goto out;
	}
	u->state = st;
	if ((sent = nta_outgoing_getrequest(u->orq)) != NULL) {
		trace_msg(u, 1, sent);
		msg_destroy(sent);
	}
	su_timer_set_interval(u->timer, on_timeout, u, u->timeout_ms);
	goto out;
 fail:
	msg_destroy(msg);
 out:
	su_home_deinit(home);
	return rc;
}

/* ---- the handshake ---- */

/* A local mechanism failure: a credential problem or a refusal. */
static int
mech_fail(struct uac *u, const char *what, const struct mech_result *r)
{
	char st[256];

	mech_status_text(&r->status, st, sizeof(st));
	return fail(u, r->reason == MECH_R_NO_CREDENTIALS ||
	    r->reason == MECH_R_INTERNAL ? UAC_E_CONFIG : UAC_E_AUTH,
	    "%s: %s%s%s", what, mech_reason_text(r->reason),
	    st[0] != '\0' ? ": " : "", st);
}

/* Base64 of a token, allocated in home (NULL when out of memory). */
static char *
b64(su_home_t *home, const uint8_t *p, size_t len)
{
	char *s = NULL;

	if (sipauth_b64_encode(home, p, len, &s) != 0)
		return NULL;
	return s;
}

/* Send the final leg: the token, signed first when version >= 4. */
static int
send_final(struct uac *u, const uint8_t *tok, size_t len)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char *s;
	int rc;

	if ((s = b64(home, tok, len)) == NULL)
		rc = fail(u, UAC_E_INTERNAL, "out of memory");
	else
		rc = send_register(u, ST_FINAL, s,
		    u->sa.version >= 4 && u->sa.complete);
	su_home_deinit(home);
	return rc;
}

/* A fresh challenge: start a new SA from it. */
static int
start_handshake(struct uac *u, enum sipauth_family fam,
    const struct sipauth_challenge *ch)
{
	struct mech_result r;
	size_t n;
	int rc;

	sa_drop(u);
	u->sa.scheme = ch->scheme;
	u->sa.fam = fam;
	u->sa.version = ch->version;
	if (copy_str(u->sa.realm, sizeof(u->sa.realm), ch->realm) != 0 ||
	    copy_str(u->sa.targetname, sizeof(u->sa.targetname),
	    ch->targetname) != 0 || u->sa.realm[0] == '\0' ||
	    u->sa.targetname[0] == '\0')
		return fail(u, UAC_E_STATUS, "the %s challenge lacks a usable "
		    "realm or targetname", sipauth_scheme_name(ch->scheme));
	n = ch->scheme == SIPAUTH_KERBEROS &&
	    strncasecmp(u->sa.targetname, "sip/", 4) == 0 ? 4 : 0;
	memcpy(u->sa.fqdn, u->sa.targetname + n,
	    strlen(u->sa.targetname + n) + 1);
	u->mp.target_fqdn = u->sa.fqdn;
	u->handshakes++;
	if (mech_init(&u->mp, &u->sa.ctx, NULL, 0, &r) != 0)
		return fail(u, UAC_E_INTERNAL, "cannot start the handshake");
	if (r.reason != MECH_OK) {
		free(r.out);
		return mech_fail(u, u->mp.kind == MECH_KERBEROS ?
		    "Kerberos" : "NTLM", &r);
	}
	u->sa.complete = r.complete;
	if (u->sa.scheme == SIPAUTH_NTLM) {
		free(r.out);
		return send_register(u, ST_LEG1, "", 0);
	}
	rc = send_final(u, r.out, r.out_len);
	free(r.out);
	return rc;
}

/* The NTLM CHALLENGE came: answer with the AUTHENTICATE. */
static int
ntlm_second(struct uac *u, const struct sipauth_challenge *ch)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct mech_result r;
	uint8_t *tok = NULL;
	size_t len = 0;
	int rc;

	if (!SIPAUTH_PRESENT(ch->gssapi_data) || ch->gssapi_data.len == 0 ||
	    !SIPAUTH_PRESENT(ch->opaque))
		return fail(u, UAC_E_AUTH, "the server refused the NTLM "
		    "first leg (a fresh challenge came back)");
	if (copy_str(u->sa.opaque, sizeof(u->sa.opaque), ch->opaque) != 0 ||
	    sipauth_b64_decode(home, ch->gssapi_data.ptr, ch->gssapi_data.len,
	    &tok, &len) != 0) {
		su_home_deinit(home);
		return fail(u, UAC_E_STATUS, "the NTLM challenge is "
		    "malformed (opaque or gssapi-data)");
	}
	if (mech_init(&u->mp, &u->sa.ctx, tok, len, &r) != 0) {
		su_home_deinit(home);
		return fail(u, UAC_E_INTERNAL, "NTLM step failed");
	}
	su_home_deinit(home);
	if (r.reason != MECH_OK) {
		free(r.out);
		return mech_fail(u, "NTLM CHALLENGE", &r);
	}
	u->sa.complete = r.complete;
	rc = send_final(u, r.out, r.out_len);
	free(r.out);
	return rc;
}

/* Parse one challenge header; its scheme goes into offered. */
static int
try_challenge(su_home_t *home, const sip_header_t *h,
    enum sipauth_family fam, struct sipauth_challenge *c, char *offered,
    size_t offsz)
{
	struct sipauth_str v;

	if (sipauth_hdr_value(home, h, &v) != 0 ||
	    sipauth_parse_challenge(v.ptr, v.len, fam, c) != 0)
		return -1;
	if (strlen(offered) + c->scheme_tok.len + 2 < offsz) {
		if (offered[0] != '\0')
			strcat(offered, " ");
		strncat(offered, c->scheme_tok.ptr, c->scheme_tok.len);
	}
	return 0;
}

/*
 * The first challenge header of family fam whose scheme is want, the
 * schemes of all of them in offered.  Headers Sofia's grammar refused are
 * in its error list.  Returns 0 or ENOENT.
 */
static int
pick_challenge(su_home_t *home, const sip_t *sip, enum sipauth_family fam,
    enum sipauth_scheme want, struct sipauth_challenge *out, char *offered,
    size_t offsz)
{
	const char *name = fam == SIPAUTH_PROXY ? "Proxy-Authenticate" :
	    "WWW-Authenticate";
	const msg_auth_t *a;
	const sip_error_t *e;
	struct sipauth_challenge c;
	int found = 0;

	offered[0] = '\0';
	for (a = fam == SIPAUTH_PROXY ? sip->sip_proxy_authenticate :
	    sip->sip_www_authenticate; a != NULL; a = a->au_next)
		if (try_challenge(home, (const sip_header_t *)a, fam, &c,
		    offered, offsz) == 0 && !found && c.scheme == want) {
			*out = c;
			found = 1;
		}
	for (e = sip->sip_error; e != NULL; e = e->er_next)
		if (e->er_common->h_class == sip_error_class &&
		    e->er_name != NULL && strcasecmp(e->er_name, name) == 0 &&
		    try_challenge(home, (const sip_header_t *)e, fam, &c,
		    offered, offsz) == 0 && !found && c.scheme == want) {
			*out = c;
			found = 1;
		}
	return found ? 0 : ENOENT;
}

static int
on_challenge(struct uac *u, const sip_t *sip, int status)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	enum sipauth_family fam = status == 407 ? SIPAUTH_PROXY : SIPAUTH_WWW;
	enum sipauth_scheme want = u->mp.kind == MECH_KERBEROS ?
	    SIPAUTH_KERBEROS : SIPAUTH_NTLM;
	struct sipauth_challenge ch;
	char offered[128];
	const char *why = sip->sip_warning != NULL &&
	    sip->sip_warning->w_text != NULL ? sip->sip_warning->w_text : NULL;
	int rc;

	if (pick_challenge(home, sip, fam, want, &ch, offered,
	    sizeof(offered)) != 0) {
		rc = fail(u, offered[0] != '\0' ? UAC_E_AUTH : UAC_E_STATUS,
		    "%d without a %s challenge (offered: %s)", status,
		    sipauth_scheme_name(want),
		    offered[0] != '\0' ? offered : "nothing usable");
		goto out;
	}
	switch (u->state) {
	case ST_LEG1:
		rc = ntlm_second(u, &ch);
		break;
	case ST_FINAL:
		rc = fail(u, UAC_E_AUTH, "%s credential refused%s%s",
		    sipauth_scheme_name(want), why != NULL ? ": " : "",
		    why != NULL ? why : "");
		break;
	case ST_SIGNED:
		/* The SA expired or was dropped: one new handshake. */
		if (u->reauth++ > 0) {
			rc = fail(u, UAC_E_AUTH, "challenged again right "
			    "after a new handshake%s%s", why != NULL ?
			    ": " : "", why != NULL ? why : "");
			break;
		}
		rc = start_handshake(u, fam, &ch);
		break;
	default:
		rc = start_handshake(u, fam, &ch);
		break;
	}
 out:
	su_home_deinit(home);
	return rc;
}

/* ---- checking rspauth ---- */

/* Whether header h is an info header of our SA's scheme with rspauth. */
static int
try_info(su_home_t *home, const struct uac *u, const sip_header_t *h,
    struct sipauth_info *out, struct sipauth_str *text)
{
	return sipauth_hdr_value(home, h, text) == 0 &&
	    sipauth_parse_info(text->ptr, text->len, u->sa.fam, out) == 0 &&
	    out->scheme == u->sa.scheme && SIPAUTH_PRESENT(out->rspauth);
}

/*
 * The Authentication-Info (Proxy-Authentication-Info for an SA made over
 * 407) of our SA's scheme, and its wire text.  Returns 0 or ENOENT.
 */
static int
find_info(su_home_t *home, const struct uac *u, const sip_t *sip,
    struct sipauth_info *out, struct sipauth_str *text)
{
	const char *name = u->sa.fam == SIPAUTH_PROXY ?
	    "Proxy-Authentication-Info" : "Authentication-Info";
	const msg_auth_info_t *ai = u->sa.fam == SIPAUTH_PROXY ?
	    sip->sip_proxy_authentication_info :
	    sip->sip_authentication_info;
	const sip_error_t *e;

	if (ai != NULL && try_info(home, u, (const sip_header_t *)ai, out,
	    text))
		return 0;
	for (e = sip->sip_error; e != NULL; e = e->er_next)
		if (e->er_common->h_class == sip_error_class &&
		    e->er_name != NULL && strcasecmp(e->er_name, name) == 0 &&
		    try_info(home, u, (const sip_header_t *)e, out, text))
			return 0;
	return ENOENT;
}

/*
 * Kerberos with mutual authentication: the AP-REP comes as gssapi-data in
 * the Authentication-Info of the final response.
 */
static int
mutual_step(struct uac *u, su_home_t *home, struct sipauth_str text)
{
	struct sipauth_challenge c;
	struct mech_result r;
	uint8_t *tok = NULL;
	size_t len = 0;

	if (sipauth_parse_challenge(text.ptr, text.len, u->sa.fam, &c) != 0 ||
	    !SIPAUTH_PRESENT(c.gssapi_data) || c.gssapi_data.len == 0)
		return fail(u, UAC_E_SIGNATURE, "mutual authentication asked "
		    "for, but no AP-REP came back");
	if (sipauth_b64_decode(home, c.gssapi_data.ptr, c.gssapi_data.len,
	    &tok, &len) != 0)
		return fail(u, UAC_E_SIGNATURE, "the AP-REP is not base64");
	if (mech_init(&u->mp, &u->sa.ctx, tok, len, &r) != 0)
		return fail(u, UAC_E_INTERNAL, "Kerberos step failed");
	free(r.out);
	if (r.reason != MECH_OK || !r.complete)
		return fail(u, UAC_E_SIGNATURE, "the server's AP-REP does "
		    "not verify: %s", mech_reason_text(r.reason));
	u->sa.complete = 1;
	return 0;
}

/*
 * Check the server's signature, info as found in sip (a response, or a
 * request the server sent us), with the SA.  Returns 0, or -1 with the
 * reason in why.
 */
static int
server_sig_ok(struct uac *u, su_home_t *home, const sip_t *sip,
    const struct sipauth_info *info, char *why, size_t whysz)
{
	struct sipauth_sigparams p;
	struct mech_status st;
	uint8_t mac[MECH_SIG_MAX];
	size_t maclen = 0, len;
	char *str, what[80];
	enum mech_reason r;
	int error = 0;

	if (sip->sip_status != NULL)
		(void)snprintf(what, sizeof(what), "%d %s",
		    sip->sip_status->st_status, sip->sip_status->st_phrase);
	else
		(void)snprintf(what, sizeof(what), "%s",
		    sip->sip_request->rq_method_name);
	if (!SIPAUTH_PRESENT(info->srand) || !SIPAUTH_PRESENT(info->snum)) {
		(void)snprintf(why, whysz, "the signature of %s has no srand "
		    "or snum", what);
		return -1;
	}
	p = (struct sipauth_sigparams){
		.version = u->sa.version, .scheme = u->sa.scheme,
		.rand = info->srand, .num = info->snum,
		.realm = SIPAUTH_PRESENT(info->realm) ? info->realm :
		    sipauth_s(u->sa.realm),
		.targetname = SIPAUTH_PRESENT(info->targetname) ?
		    info->targetname : sipauth_s(u->sa.targetname),
	};
	if (sipauth_hex_decode(info->rspauth.ptr, info->rspauth.len, mac,
	    sizeof(mac), &maclen) != 0 || (error = sipauth_sigstr_msg(home,
	    sip, &p, &str, &len)) == EBADMSG) {
		(void)snprintf(why, whysz, "the signature of %s is malformed",
		    what);
		return -1;
	}
	if (error != 0) {
		(void)snprintf(why, whysz, "cannot build the signature string "
		    "of %s", what);
		return -1;
	}
	r = mech_verify(u->sa.ctx, str, len, mac, maclen, &st);
	if (r != MECH_OK) {
		(void)snprintf(why, whysz, "the rspauth of %s does not verify "
		    "(%s); signed string %s", what, mech_reason_text(r), str);
		return -1;
	}
	u->verified++;
	return 0;
}

/*
 * Check the rspauth of a final response other than 401/407.  Once the SA
 * exists it must be there, except on an error answer to the final leg (the
 * server refused before it made the SA).  Returns 0 or 1 (recorded).
 */
static int
check_rspauth(struct uac *u, const sip_t *sip, int status)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sipauth_info info;
	struct sipauth_str text;
	char why[768];
	int required, rc = 0;

	if (u->sa.ctx == NULL || (u->state != ST_FINAL &&
	    u->state != ST_SIGNED))
		goto out;
	required = u->state == ST_SIGNED || status < 400;
	if (find_info(home, u, sip, &info, &text) != 0) {
		if (required)
			rc = fail(u, UAC_E_SIGNATURE, "%d %s has no %s rspauth "
			    "in %s", status, sip->sip_status->st_phrase,
			    sipauth_scheme_name(u->sa.scheme),
			    u->sa.fam == SIPAUTH_PROXY ?
			    "Proxy-Authentication-Info" :
			    "Authentication-Info");
		goto out;
	}
	if (!u->sa.complete && (rc = mutual_step(u, home, text)) != 0)
		goto out;
	if (u->sa.opaque[0] == '\0' && SIPAUTH_PRESENT(info.opaque))
		(void)copy_str(u->sa.opaque, sizeof(u->sa.opaque),
		    info.opaque);
	if (server_sig_ok(u, home, sip, &info, why, sizeof(why)) != 0) {
		rc = fail(u, UAC_E_SIGNATURE, "%s", why);
		goto out;
	}
	u->res.verified++;
 out:
	su_home_deinit(home);
	return rc;
}

/* ---- responses ---- */

static int	handle_other(struct uac *u, const sip_t *sip, int status);
static void	provisional(struct uac *u, const sip_t *sip);

/* Start over at the server a 301 names (notes §9). */
static int
redirect(struct uac *u, const sip_t *sip)
{
	const url_t *url;
	char tp[16];
	unsigned long port;

	if (sip->sip_contact == NULL || (url = sip->sip_contact->m_url) ==
	    NULL || url->url_host == NULL)
		return fail(u, UAC_E_STATUS, "%d without a Contact",
		    sip->sip_status->st_status);
	if ((int)u->redirects >= u->max_redirects)
		return fail(u, UAC_E_STATUS, "more than %d redirects",
		    u->max_redirects);
	if (url->url_params != NULL &&
	    url_param(url->url_params, "transport", tp, sizeof(tp)) > 0) {
		if (strcasecmp(tp, "tls") == 0)
			u->tp = UAC_TP_TLS;
		else if (strcasecmp(tp, "tcp") == 0)
			u->tp = UAC_TP_TCP;
		else if (strcasecmp(tp, "udp") == 0)
			u->tp = UAC_TP_UDP;
		else
			return fail(u, UAC_E_STATUS, "redirected to an "
			    "unknown transport %s", tp);
	} else if (url->url_type == url_sips)
		u->tp = UAC_TP_TLS;
	port = url->url_port != NULL ? strtoul(url->url_port, NULL, 10) :
	    u->tp == UAC_TP_TLS ? 5061 : 5060;
	if (port == 0 || port > 65535)
		return fail(u, UAC_E_STATUS, "redirected to a bad port");
	if ((u->server = su_strdup(u->home, url->url_host)) == NULL ||
	    (u->tls_name = su_strdup(u->home, u->server)) == NULL)
		return fail(u, UAC_E_INTERNAL, "out of memory");
	u->tls_checked = 0;
	/* IPv6 references come with brackets; where adds its own. */
	if (u->server[0] == '[') {
		u->server++;
		u->server[strcspn(u->server, "]")] = '\0';
	}
	u->port = (unsigned)port;
	u->redirects++;
	sa_drop(u);
	u->cseq = 0;
	if (random_hex(u->call_id, 16) != 0)
		return fail(u, UAC_E_INTERNAL, "no randomness");
	return send_register(u, ST_PLAIN, NULL, 0);
}

static int
handle(struct uac *u, const sip_t *sip, int status, int internal)
{
	const char *why;

	u->res.status = status;
	if (internal) {
		/* nta's own answer: nothing came from the network. */
		u->res.status = 0;
		if (status == 408)
			return fail(u, UAC_E_TIMEOUT, "no answer from %s",
			    u->where);
		return fail(u, UAC_E_TRANSPORT, "cannot reach %s: %s",
		    u->where, sofia_last[0] != '\0' ? sofia_last :
		    "transport error");
	}
	(void)snprintf(u->phrase, sizeof(u->phrase), "%s",
	    sip->sip_status->st_phrase);
	if (u->op != OP_REGISTER)
		return handle_other(u, sip, status);
	why = sip->sip_warning != NULL && sip->sip_warning->w_text != NULL ?
	    sip->sip_warning->w_text : NULL;
	if (status == 401 || status == 407)
		return on_challenge(u, sip, status);
	if (check_rspauth(u, sip, status) != 0)
		return 1;
	if (status >= 200 && status < 300) {
		u->res.expires = sip->sip_expires != NULL ?
		    (int)sip->sip_expires->ex_delta : -1;
		if (u->res.expires < 0 && sip->sip_contact != NULL &&
		    sip->sip_contact->m_expires != NULL)
			u->res.expires = atoi(sip->sip_contact->m_expires);
		if (u->expires == 0)
			u->res.expires = 0;
		u->res.error = UAC_OK;
		return 1;
	}
	if (status == 301 || status == 302)
		return redirect(u, sip);
	if (status == 423 && sip->sip_min_expires != NULL &&
	    u->retries_423++ == 0) {
		u->expires = (int)sip->sip_min_expires->me_delta;
		return send_register(u, u->sa.complete ? ST_SIGNED : ST_PLAIN,
		    NULL, u->sa.complete);
	}
	if (status == 403 && u->state == ST_FINAL)
		return fail(u, UAC_E_AUTH, "%d %s after the handshake%s%s",
		    status, u->phrase, why != NULL ? ": " : "",
		    why != NULL ? why : "");
	return fail(u, UAC_E_STATUS, "%d %s%s%s", status, u->phrase,
	    why != NULL ? ": " : "", why != NULL ? why : "");
}

/*
 * The first response over a TLS connection: the certificate chain was
 * verified by Sofia; it must also name the server.  Returns 0 or 1.
 */
static int
check_tls_name(struct uac *u, nta_outgoing_t *orq, msg_t *msg)
{
	tport_t *tp;
	su_strlst_t const *names;
	int ok;

	if (u->tp != UAC_TP_TLS || u->agent->tls_insecure || u->tls_checked)
		return 0;
	if ((tp = nta_outgoing_transport(orq)) == NULL)
		return fail(u, UAC_E_TRANSPORT, "TLS: no transport");
	names = tport_delivered_from_subjects(tp, msg);
	ok = tport_is_verified(tp) && names != NULL &&
	    tport_subject_search(u->tls_name, names);
	tport_unref(tp);
	if (!ok)
		return fail(u, UAC_E_TRANSPORT, "TLS: the certificate of %s "
		    "is not for %s (see --tls-name)", u->where, u->tls_name);
	u->tls_checked = 1;
	return 0;
}

static int
on_response(struct uac *u, nta_outgoing_t *orq, const sip_t *sip)
{
	msg_t *msg = NULL;
	int status = sip != NULL ? sip->sip_status->st_status :
	    nta_outgoing_status(orq);
	int internal = 1;

	/* nta answers by itself (408, 503) when nothing comes back. */
	if (sip != NULL && (msg = nta_outgoing_getresponse(orq)) != NULL &&
	    !nta_is_internal_msg(msg))
		internal = 0;
	if (!internal)
		trace_msg(u, 0, msg);
	if (status < 200) {
		if (!internal && status > 100 && u->op != OP_REGISTER)
			provisional(u, sip);
		msg_destroy(msg);
		return 0;
	}
	su_timer_reset(u->timer);
	u->orq = NULL;
	if ((!internal && check_tls_name(u, orq, msg) != 0) ||
	    handle(u, sip, status, internal) != 0) {
		msg_destroy(msg);
		nta_outgoing_destroy(orq);
		finish(u);
		return 0;
	}
	msg_destroy(msg);
	nta_outgoing_destroy(orq);
	return 0;
}

int
uac_register(struct uac *u, int expires, uac_done_f *done, void *arg)
{
	int signed_ = u->sa.ctx != NULL && u->sa.complete &&
	    u->sa.opaque[0] != '\0';

	if (u->state != ST_IDLE)
		return EBUSY;
	u->op = OP_REGISTER;
	memset(&u->res, 0, sizeof(u->res));
	u->res.expires = -1;
	u->phrase[0] = u->text[0] = '\0';
	u->expires = expires;
	u->reauth = 0;
	u->retries_423 = 0;
	u->done = done;
	u->done_arg = arg;
	if (send_register(u, signed_ ? ST_SIGNED : ST_PLAIN, NULL,
	    signed_) != 0) {
		u->done = NULL;
		u->state = ST_IDLE;
		return u->res.error == UAC_E_INTERNAL ? ENOMEM : EIO;
	}
	return 0;
}

/* ---- requests to other users ---- */

/* Our Contact: the agent's address, the transport of the connection. */
static char *
contact_of(struct uac *u, su_home_t *home)
{
	const sip_contact_t *self = nta_agent_contact(u->agent->nta);
	const char *host = "invalid", *port = NULL;

	if (self != NULL && self->m_url->url_host != NULL) {
		host = self->m_url->url_host;
		port = self->m_url->url_port;
	}
	return su_sprintf(home, "<sip:%.*s@%s%s%s;transport=%s>",
	    (int)strcspn(u->aor + 4, "@"), u->aor + 4, host,
	    port != NULL ? ":" : "", port != NULL ? port : "",
	    tp_names[u->tp]);
}

/*
 * Sign msg (a request we send, or our answer to one) with the SA and add
 * the Authorization (Proxy-Authorization for an SA made over 407) header:
 * opaque, realm, targetname, crand, cnum, response, as SIPE sends them.
 * tamper spoils the signature (a test hook).  Returns 0, or -1 with the
 * reason in why.
 */
static int
add_signature(struct uac *u, su_home_t *home, msg_t *msg, sip_t *sip,
    int tamper, const char **why)
{
	struct sipauth_cred cred;
	char crand[9], cnum[12], hex[2 * MECH_SIG_MAX + 1], *value;
	size_t n;

	memset(&cred, 0, sizeof(cred));
	cred.scheme = u->sa.scheme;
	cred.family = u->sa.fam;
	cred.scheme_tok = sipauth_s(sipauth_scheme_name(u->sa.scheme));
	cred.qop = sipauth_s("auth");
	cred.realm = sipauth_s(u->sa.realm);
	cred.targetname = sipauth_s(u->sa.targetname);
	cred.opaque = sipauth_s(u->sa.opaque);
	if (sign_msg(u, home, sip, &cred, crand, cnum, hex, why) != 0)
		return -1;
	if (tamper) {
		/* A checksum digit: inside the NTLM checksum (bytes 4-11),
		   the last one of a Kerberos MIC token. */
		n = strlen(hex);
		n = n == 32 ? 12 : n - 1;
		hex[n] = hex[n] == '0' ? '1' : '0';
	}
	*why = "cannot format the credential";
	if (sipauth_format_cred(home, &cred, &value) != 0 ||
	    sipauth_add_raw_header(msg, sip, u->sa.fam == SIPAUTH_PROXY ?
	    "Proxy-Authorization" : "Authorization", value) != 0)
		return -1;
	return 0;
}

/*
 * Build, sign and send a request outside REGISTER: method to ruri with
 * the given To, Call-ID, From tag and CSeq, route set and body.  ACK goes
 * without a transaction.  Returns 0, or 1 with the failure recorded.
 */
static int
send_request(struct uac *u, const char *method, const char *ruri,
    const char *to, const char *call_id, const char *tag, uint32_t cseq,
    const char *route, const char *ctype, const char *body)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	int ack = strcmp(method, "ACK") == 0, rc = 0;
	int dialog = strcmp(method, "INVITE") == 0;
	char *rq, *from, *cs, *hop, *contact = NULL;
	const char *why;
	nta_outgoing_t *orq;
	msg_t *msg, *sent;
	sip_t *sip;

	sofia_last[0] = '\0';
	if ((msg = nta_msg_create(u->agent->nta, 0)) == NULL) {
		su_home_deinit(home);
		return fail(u, UAC_E_INTERNAL, "out of memory");
	}
	sip = sip_object(msg);
	rq = su_sprintf(home, "%s %s SIP/2.0", method, ruri);
	from = su_sprintf(home, "<%s>;tag=%s;epid=%s", u->aor, tag, u->epid);
	cs = su_sprintf(home, "%u %s", cseq, method);
	hop = su_sprintf(home, "sip:%s", u->where);
	if (dialog)
		contact = contact_of(u, home);
	if (rq == NULL || from == NULL || cs == NULL || hop == NULL ||
	    (dialog && contact == NULL) || sip_add_tl(msg, sip,
	    SIPTAG_REQUEST_STR(rq),
	    SIPTAG_MAX_FORWARDS_STR("70"),
	    SIPTAG_FROM_STR(from),
	    SIPTAG_TO_STR(to),
	    SIPTAG_CALL_ID_STR(call_id),
	    SIPTAG_CSEQ_STR(cs),
	    TAG_IF(route != NULL, SIPTAG_ROUTE_STR(route)),
	    TAG_IF(contact != NULL, SIPTAG_CONTACT_STR(contact)),
	    SIPTAG_USER_AGENT_STR(u->user_agent),
	    TAG_IF(ctype != NULL, SIPTAG_CONTENT_TYPE_STR(ctype)),
	    TAG_IF(body != NULL, SIPTAG_PAYLOAD_STR(body)),
	    TAG_END()) < 0) {
		rc = fail(u, UAC_E_INTERNAL, "cannot build the %s", method);
		goto fail;
	}
	if (add_signature(u, home, msg, sip, 0, &why) != 0) {
		rc = fail(u, UAC_E_INTERNAL, "cannot sign the %s: %s", method,
		    why);
		goto fail;
	}
	/*
	 * Always to the server, over the connection we registered on.  An
	 * INVITE as a user agent's (NTATAG_UA for the time of the call):
	 * otherwise nta ends its transaction over TCP or TLS once the
	 * CANCEL is sent, and the 487 finds none.
	 */
	if (dialog)
		(void)nta_agent_set_params(u->agent->nta, NTATAG_UA(1),
		    TAG_END());
	orq = nta_outgoing_mcreate(u->agent->nta, ack ? NULL : on_response,
	    ack ? NULL : u, URL_STRING_MAKE(hop), msg, TAG_END());
	if (dialog)
		(void)nta_agent_set_params(u->agent->nta, NTATAG_UA(0),
		    TAG_END());
	if (orq == NULL) {
		rc = fail(u, UAC_E_TRANSPORT, "cannot send the %s to %s",
		    method, u->where);
		goto fail;
	}
	if ((sent = nta_outgoing_getrequest(orq)) != NULL) {
		trace_msg(u, 1, sent);
		msg_destroy(sent);
	}
	if (ack)
		nta_outgoing_destroy(orq);
	else {
		u->orq = orq;
		u->state = ST_SIGNED;
		su_timer_set_interval(u->timer, on_timeout, u,
		    u->timeout_ms);
	}
	goto out;
 fail:
	msg_destroy(msg);
 out:
	su_home_deinit(home);
	return rc;
}

/* Start an operation other than REGISTER: the common checks. */
static int
begin_op(struct uac *u, enum uac_op op, uac_done_f *done, void *arg)
{
	if (u->state != ST_IDLE)
		return EBUSY;
	if (u->sa.ctx == NULL || !u->sa.complete || u->sa.opaque[0] == '\0')
		return EAGAIN;
	u->op = op;
	memset(&u->res, 0, sizeof(u->res));
	u->res.expires = -1;
	u->phrase[0] = u->text[0] = '\0';
	u->done = done;
	u->done_arg = arg;
	return 0;
}

/* The request did not go out: no callback will come. */
static int
abort_op(struct uac *u)
{
	u->done = NULL;
	u->state = ST_IDLE;
	return u->res.error == UAC_E_INTERNAL ? ENOMEM : EIO;
}

/* A sip: URI a person typed, as the To of a new request. */
static int
check_uri(const char *to)
{
	return strncasecmp(to, "sip:", 4) == 0 && strchr(to, '@') != NULL &&
	    strpbrk(to, "<>\"; \t\r\n") == NULL ? 0 : EINVAL;
}

int
uac_message(struct uac *u, const char *to, const char *text,
    uac_done_f *done, void *arg)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char call_id[33], tag[11], *tohdr;
	int rc;

	if (check_uri(to) != 0 || text == NULL)
		return EINVAL;
	if ((rc = begin_op(u, OP_MESSAGE, done, arg)) != 0)
		return rc;
	if (random_hex(call_id, 16) != 0 || random_hex(tag, 5) != 0 ||
	    (tohdr = su_sprintf(home, "<%s>", to)) == NULL) {
		su_home_deinit(home);
		u->done = NULL;
		return ENOMEM;
	}
	rc = send_request(u, "MESSAGE", to, tohdr, call_id, tag, 1, NULL,
	    "text/plain; charset=UTF-8", text);
	su_home_deinit(home);
	return rc != 0 ? abort_op(u) : 0;
}

/* A minimal SDP: one audio stream on the discard port, inactive. */
static char *
sdp_body(struct uac *u, su_home_t *home)
{
	const sip_contact_t *self = nta_agent_contact(u->agent->nta);
	const char *host = self != NULL && self->m_url->url_host != NULL ?
	    self->m_url->url_host : "127.0.0.1";
	const char *af = strchr(host, ':') != NULL ? "IP6" : "IP4";
	char h[64];

	(void)snprintf(h, sizeof(h), "%.*s", (int)strcspn(host + (*host ==
	    '['), "]"), host + (*host == '['));
	return su_sprintf(home,
	    "v=0\r\n"
	    "o=- %u 1 IN %s %s\r\n"
	    "s=sipsa-client\r\n"
	    "c=IN %s %s\r\n"
	    "t=0 0\r\n"
	    "m=audio 9 RTP/AVP 0\r\n"
	    "a=rtpmap:0 PCMU/8000\r\n"
	    "a=inactive\r\n", u->sa.cnum, af, h, af, h);
}

int
uac_invite(struct uac *u, const char *to, uac_done_f *done, void *arg)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct uac_dialog *d = &u->dlg;
	char *tohdr, *sdp;
	int rc;

	if (check_uri(to) != 0)
		return EINVAL;
	if (d->state != 0)
		return EBUSY;
	if ((rc = begin_op(u, OP_INVITE, done, arg)) != 0)
		return rc;
	su_free(u->home, d->uri);
	su_free(u->home, d->to);
	su_free(u->home, d->target);
	su_free(u->home, d->route);
	memset(d, 0, sizeof(*d));
	if (random_hex(d->call_id, 16) != 0 || random_hex(d->tag, 5) != 0 ||
	    (d->uri = su_strdup(u->home, to)) == NULL ||
	    (tohdr = su_sprintf(home, "<%s>", to)) == NULL ||
	    (sdp = sdp_body(u, home)) == NULL) {
		su_home_deinit(home);
		u->done = NULL;
		return ENOMEM;
	}
	d->cseq = 1;
	d->state = 1;
	u->cancelled = 0;
	rc = send_request(u, "INVITE", to, tohdr, d->call_id, d->tag,
	    d->cseq, NULL, "application/sdp", sdp);
	su_home_deinit(home);
	if (rc != 0) {
		d->state = 0;
		return abort_op(u);
	}
	return 0;
}

int
uac_bye(struct uac *u, uac_done_f *done, void *arg)
{
	struct uac_dialog *d = &u->dlg;
	int rc;

	if (d->state != 2)
		return EAGAIN;
	if ((rc = begin_op(u, OP_BYE, done, arg)) != 0)
		return rc;
	if (send_request(u, "BYE", d->target, d->to, d->call_id, d->tag,
	    ++d->cseq, d->route, NULL, NULL) != 0)
		return abort_op(u);
	return 0;
}

int
uac_in_call(const struct uac *u)
{
	return u->dlg.state == 2;
}

/*
 * The 2xx to our INVITE: the dialog's remote To (tag and the callee's
 * epid), remote target and route set (Record-Route, reversed), then the
 * signed ACK.  Returns 0, or 1 with the failure recorded.
 */
static int
dialog_up(struct uac *u, const sip_t *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct uac_dialog *d = &u->dlg;
	const sip_record_route_t *rr;
	char *to, *target, *route = NULL, *one;
	int rc;

	if (sip->sip_contact == NULL || sip->sip_to->a_tag == NULL) {
		su_home_deinit(home);
		return fail(u, UAC_E_STATUS, "%d %s without Contact or To "
		    "tag", sip->sip_status->st_status, u->phrase);
	}
	to = sip_header_as_string(home, (const sip_header_t *)sip->sip_to);
	target = url_as_string(home, sip->sip_contact->m_url);
	for (rr = sip->sip_record_route; rr != NULL; rr = rr->r_next) {
		one = sip_header_as_string(home, (const sip_header_t *)rr);
		if (one == NULL)
			break;
		route = route == NULL ? one : su_sprintf(home, "%s, %s", one,
		    route);
	}
	if (to == NULL || target == NULL ||
	    (d->to = su_strdup(u->home, to)) == NULL ||
	    (d->target = su_strdup(u->home, target)) == NULL ||
	    (route != NULL && (d->route = su_strdup(u->home, route)) ==
	    NULL)) {
		su_home_deinit(home);
		return fail(u, UAC_E_INTERNAL, "out of memory");
	}
	su_home_deinit(home);
	d->state = 2;
	rc = send_request(u, "ACK", d->target, d->to, d->call_id, d->tag,
	    d->cseq, d->route, NULL, NULL);
	return rc;
}

/* The final answer to MESSAGE, INVITE or BYE. */
static int
handle_other(struct uac *u, const sip_t *sip, int status)
{
	const char *why = sip->sip_warning != NULL &&
	    sip->sip_warning->w_text != NULL ? sip->sip_warning->w_text : NULL;
	int rc;

	if (u->op == OP_BYE)
		u->dlg.state = 0;	/* over, whatever the answer */
	else if (u->op == OP_INVITE && status >= 300)
		u->dlg.state = 0;
	if (status == 401 || status == 407)
		return fail(u, UAC_E_AUTH, "%d %s: the server wants a new "
		    "handshake (register again)%s%s", status, u->phrase,
		    why != NULL ? ": " : "", why != NULL ? why : "");
	if (check_rspauth(u, sip, status) != 0) {
		if (u->op == OP_INVITE)
			u->dlg.state = 0;
		return 1;
	}
	/* The 487 to an INVITE we cancelled is what we asked for. */
	if (u->op == OP_INVITE && u->cancelled && status == 487) {
		u->res.error = UAC_OK;
		return 1;
	}
	if (status >= 300)
		return fail(u, UAC_E_STATUS, "%d %s%s%s", status, u->phrase,
		    why != NULL ? ": " : "", why != NULL ? why : "");
	if (u->op == OP_INVITE && (rc = dialog_up(u, sip)) != 0) {
		u->dlg.state = 0;
		return rc;
	}
	u->res.error = UAC_OK;
	return 1;
}

void
uac_set_cancel(struct uac *u, long after_ms)
{
	u->cancel_after = after_ms;
}

/*
 * Send the CANCEL of our INVITE, signed like any request: nta builds it
 * from the INVITE, so the signature is made beforehand on a message with
 * the same signed fields (sipauth_cancel_of) and given to nta as a tag.
 */
static void
on_cancel_timer(su_root_magic_t *rm, su_timer_t *t, struct uac *u)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	msg_t *req = NULL, *cancel = NULL, *sent;
	const sip_header_t *auth = NULL;
	nta_outgoing_t *corq = NULL;
	const char *why;

	(void)rm;
	(void)t;
	if (u->op != OP_INVITE || u->orq == NULL) {
		su_home_deinit(home);
		return;
	}
	if ((req = nta_outgoing_getrequest(u->orq)) != NULL &&
	    (cancel = sipauth_cancel_of(sip_object(req))) != NULL &&
	    add_signature(u, home, cancel, sip_object(cancel), 0, &why) == 0)
		auth = (const sip_header_t *)sip_object(cancel)->sip_unknown;
	if (auth == NULL)
		(void)fail(u, UAC_E_INTERNAL, "cannot sign the CANCEL");
	else if ((corq = nta_outgoing_tcancel(u->orq, NULL, NULL,
	    SIPTAG_HEADER(auth), TAG_END())) == NULL)
		(void)fail(u, UAC_E_INTERNAL, "cannot send the CANCEL");
	else if ((sent = nta_outgoing_getrequest(corq)) != NULL) {
		/* nta's default callback ends the CANCEL's transaction. */
		trace_msg(u, 1, sent);
		msg_destroy(sent);
	}
	msg_destroy(cancel);
	msg_destroy(req);
	su_home_deinit(home);
}

/* 180 and the like: checked; one without a valid rspauth is dropped. */
static void
provisional(struct uac *u, const sip_t *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sipauth_info info;
	struct sipauth_str text;
	char why[768];

	if (find_info(home, u, sip, &info, &text) == 0 &&
	    server_sig_ok(u, home, sip, &info, why, sizeof(why)) == 0) {
		u->res.verified++;
		if (u->op == OP_INVITE && u->cancel_after >= 0 &&
		    !u->cancelled && u->orq != NULL) {
			u->cancelled = 1;
			(void)su_timer_set_interval(u->cancel_timer,
			    on_cancel_timer, u,
			    (su_duration_t)u->cancel_after);
		}
	} else
		u->res.discarded++;
	su_home_deinit(home);
}

/* ---- requests from the server ---- */

void
uac_set_incoming(struct uac *u, uac_incoming_f *fn, void *arg,
    unsigned flags)
{
	u->in_fn = fn;
	u->in_arg = arg;
	u->in_flags = flags;
}

/*
 * Answer irq with status: signed unless refusing (sign 0), the To tag
 * set first since it is signed.  Returns 0 or -1.
 */
static int
answer(struct uac *u, nta_incoming_t *irq, int status, const char *phrase,
    int sign, tag_type_t tag, tag_value_t value, ...)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	const char *why;
	msg_t *msg, *sent;
	ta_list ta;
	int rc = -1;

	ta_start(ta, tag, value);
	if ((msg = nta_msg_create(u->agent->nta, 0)) == NULL)
		goto out;
	if (sip_add_tl(msg, sip_object(msg), SIPTAG_SERVER_STR(u->user_agent),
	    ta_tags(ta)) < 0 ||
	    (status > 100 && nta_incoming_tag(irq, NULL) == NULL) ||
	    nta_incoming_complete_response(irq, msg, status, phrase,
	    TAG_END()) < 0 ||
	    (sign && add_signature(u, home, msg, sip_object(msg),
	    (u->in_flags & UAC_IN_TAMPER) != 0, &why) != 0)) {
		msg_destroy(msg);
		goto out;
	}
	if (nta_incoming_mreply(irq, msg) < 0)
		goto out;
	if ((sent = nta_incoming_getresponse(irq)) != NULL) {
		trace_msg(u, 1, sent);
		msg_destroy(sent);
	}
	rc = 0;
 out:
	(void)ta_end(ta);
	su_home_deinit(home);
	return rc;
}

/*
 * Is the request signed by the server with our SA?  Returns 0, or -1
 * with the reason in why.
 */
static int
request_verified(struct uac *u, su_home_t *home, const sip_t *sip,
    char *why, size_t whysz)
{
	struct sipauth_info info;
	struct sipauth_str text;

	if (u->sa.ctx == NULL || !u->sa.complete) {
		(void)snprintf(why, whysz, "no security association yet");
		return -1;
	}
	if (find_info(home, u, sip, &info, &text) != 0) {
		(void)snprintf(why, whysz, "not signed (no %s %s)",
		    sipauth_scheme_name(u->sa.scheme),
		    u->sa.fam == SIPAUTH_PROXY ? "Proxy-Authentication-Info" :
		    "Authentication-Info");
		return -1;
	}
	if (SIPAUTH_PRESENT(info.opaque) && (info.opaque.len !=
	    strlen(u->sa.opaque) || strncasecmp(info.opaque.ptr,
	    u->sa.opaque, info.opaque.len) != 0)) {
		(void)snprintf(why, whysz, "signed with another SA (opaque "
		    "%.*s)", (int)info.opaque.len, info.opaque.ptr);
		return -1;
	}
	return server_sig_ok(u, home, sip, &info, why, whysz);
}

/*
 * UAC_IN_RING: the CANCEL of the INVITE left ringing (sip set), or its
 * transaction ended.  A CANCEL with the server's valid signature gets the
 * INVITE answered 487, signed (nta has answered the CANCEL itself); an
 * unsigned or wrongly signed one is discarded, as a client discards any
 * such request from the server.
 */
static int
on_ring_cancel(struct uac *u, nta_incoming_t *irq, const sip_t *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct uac_incoming in;
	char why[768];

	if (sip == NULL || sip->sip_request->rq_method != sip_method_cancel) {
		if (irq == u->ring_irq) {
			u->ring_irq = NULL;
			nta_incoming_destroy(irq);
		}
		return 0;
	}
	memset(&in, 0, sizeof(in));
	in.method = "CANCEL";
	in.from = url_as_string(home, sip->sip_from->a_url);
	in.call_id = sip->sip_call_id->i_id;
	if (request_verified(u, home, sip, why, sizeof(why)) != 0)
		in.problem = why;
	else {
		in.verified = 1;
		if (answer(u, irq, 487, "Request Terminated", 1, TAG_END()) ==
		    0)
			in.status = 487;
		else
			in.problem = "cannot answer";
		u->ring_irq = NULL;
		nta_incoming_destroy(irq);
	}
	if (u->in_fn != NULL)
		u->in_fn(u->in_arg, u, &in);
	su_home_deinit(home);
	return 0;
}

static void
incoming(struct uac *u, nta_incoming_t *irq, const sip_t *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	sip_method_t m = sip->sip_request->rq_method;
	struct uac_incoming in;
	char why[768], *contact, *sdp, *text;
	msg_t *req;

	if ((req = nta_incoming_getrequest(irq)) != NULL) {
		trace_msg(u, 0, req);
		msg_destroy(req);
	}
	memset(&in, 0, sizeof(in));
	in.method = sip->sip_request->rq_method_name;
	in.from = url_as_string(home, sip->sip_from->a_url);
	in.call_id = sip->sip_call_id->i_id;
	if (request_verified(u, home, sip, why, sizeof(why)) != 0) {
		/* Refused, unsigned: the server drops it on its way back. */
		in.problem = why;
		if (m != sip_method_ack && answer(u, irq, 403, "Forbidden", 0,
		    SIPTAG_WARNING_STR("399 sipsa-client \"signature missing "
		    "or wrong\""), TAG_END()) == 0)
			in.status = 403;
		goto out;
	}
	in.verified = 1;
	switch (m) {
	case sip_method_ack:
		break;
	case sip_method_message:
		if (sip->sip_payload != NULL && (text = su_strndup(home,
		    sip->sip_payload->pl_data, sip->sip_payload->pl_len)) !=
		    NULL)
			in.text = text;
		else
			in.text = "";
		in.status = 200;
		break;
	case sip_method_invite:
		contact = contact_of(u, home);
		sdp = sdp_body(u, home);
		if (contact == NULL || sdp == NULL) {
			in.status = 500;
			break;
		}
		(void)answer(u, irq, 180, "Ringing", 1,
		    SIPTAG_CONTACT_STR(contact), TAG_END());
		if ((u->in_flags & UAC_IN_RING) && u->ring_irq == NULL) {
			/* Left ringing until the caller cancels. */
			u->ring_irq = irq;
			nta_incoming_bind(irq, on_ring_cancel, u);
			in.status = 180;
			goto out;
		}
		if (answer(u, irq, 200, "OK", 1, SIPTAG_CONTACT_STR(contact),
		    SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		    SIPTAG_PAYLOAD_STR(sdp), TAG_END()) == 0)
			in.status = 200;
		else
			in.problem = "cannot answer";
		goto out;
	case sip_method_bye:
	case sip_method_options:
		in.status = 200;
		break;
	default:
		in.status = 405;
		break;
	}
	if (in.status != 0 && answer(u, irq, in.status, NULL, 1,
	    TAG_IF(in.status == 405, SIPTAG_ALLOW_STR("ACK, BYE, INVITE, "
	    "MESSAGE, OPTIONS")), TAG_END()) != 0)
		in.problem = "cannot answer";
 out:
	if (u->in_fn != NULL)
		u->in_fn(u->in_arg, u, &in);
	su_home_deinit(home);
}

/*
 * Which of our endpoints a request is for: the one whose epid is in To
 * (the server puts it there), else the one whose user is the
 * Request-URI's user.
 */
static struct uac *
endpoint_for(struct uac_agent *a, const sip_t *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sipauth_str v, e;
	const char *user = sip->sip_request->rq_url->url_user;
	struct uac *u, *found = NULL;

	if (sipauth_hdr_value(home, (const sip_header_t *)sip->sip_to,
	    &v) == 0 && sipauth_epid_from_hdr(v.ptr, v.len, &e) == 0) {
		for (u = a->uacs; u != NULL && found == NULL; u = u->next)
			if (strlen(u->epid) == e.len &&
			    strncasecmp(u->epid, e.ptr, e.len) == 0)
				found = u;
	} else if (user != NULL) {
		for (u = a->uacs; u != NULL && found == NULL; u = u->next)
			if (strncmp(u->aor + 4, user, strlen(user)) == 0 &&
			    u->aor[4 + strlen(user)] == '@')
				found = u;
	}
	su_home_deinit(home);
	return found;
}

static int
agent_request(struct uac_agent *a, nta_leg_t *leg, nta_incoming_t *irq,
    const sip_t *sip)
{
	struct uac *u;

	(void)leg;
	if ((u = endpoint_for(a, sip)) == NULL) {
		if (sip->sip_request->rq_method == sip_method_ack) {
			nta_incoming_destroy(irq);
			return 0;
		}
		return 404;
	}
	incoming(u, irq, sip);
	if (irq != u->ring_irq)
		nta_incoming_destroy(irq);
	return 0;
}
