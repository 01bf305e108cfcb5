/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/register.c: REGISTER after authentication.  The To AOR must be the
 * authenticated endpoint's own, in a domain this server serves; a user
 * homed elsewhere gets a signed 301 naming the home server ([MS-SIP]
 * §4.1); everyone else reaches the registrar (registrar/), whose outcome
 * becomes the response.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sofia-sip/su.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/url.h>

#include "registrar/registrar.h"
#include "sa/sa.h"

#define LOG_MODULE "register"
#include "log/log.h"
#include "src/metrics.h"
#include "src/proxy.h"

/*
 * The home-server target of user@domain, NULL for this node: an entry for
 * the exact user wins over one for the domain, which wins over patterns
 * (in file order, matched against lower-case user@domain); then the
 * default.
 */
static const char *
home_of(const struct sipsa_conf *conf, const char *user, const char *domain)
{
	const struct conf_home *h;
	char ud[512], *p;
	int pass;

	if (snprintf(ud, sizeof(ud), "%s@%s", user, domain) >=
	    (int)sizeof(ud))
		return NULL;
	/* Patterns are matched against the lower-case form. */
	for (p = ud; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (pass = CONF_HOME_USER; pass <= CONF_HOME_DEFAULT; pass++)
		for (h = conf->homes; h != NULL; h = h->next) {
			if (h->kind != (enum conf_home_kind)pass)
				continue;
			if ((pass == CONF_HOME_USER &&
			    strcasecmp(h->match, ud) == 0) ||
			    (pass == CONF_HOME_DOMAIN &&
			    strcasecmp(h->match, domain) == 0) ||
			    (pass == CONF_HOME_PATTERN &&
			    fnmatch(h->match, ud, 0) == 0) ||
			    pass == CONF_HOME_DEFAULT)
				return h->target;
		}
	return NULL;
}

/* Does target (a sip:/sips: URI) name one of our own listeners? */
static int
target_is_self(struct ptx *ptx, const char *target)
{
	return listen_uri_is_self(ptx->px, url_hdup(ptx->home,
	    (url_t *)target));
}

/* Thousandths from a q value ("0.5"); 1000 when absent or bad. */
static unsigned
q_value(const char *q)
{
	double d;
	char *end;

	if (q == NULL)
		return 1000;
	d = strtod(q, &end);
	if (end == q || d < 0 || d > 1)
		return 1000;
	return (unsigned)(d * 1000 + 0.5);
}

static long long
expires_param(const char *s)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v > 0xffffffffULL)
		return -1;
	return (long long)v;
}

/* Fill the registrar's contact list from the Contact headers. */
static int
contacts(struct ptx *ptx, struct reg_contact *out, size_t *n, int *star)
{
	const sip_contact_t *m;
	size_t i = 0;

	*n = 0;
	*star = 0;
	for (m = ptx->sip->sip_contact; m != NULL; m = m->m_next) {
		if (m->m_url->url_type == url_any) {
			*star = 1;
			continue;
		}
		if (i == REG_MAX_CONTACTS)
			return E2BIG;
		out[i].uri = url_as_string(ptx->home, m->m_url);
		if (out[i].uri == NULL)
			return ENOMEM;
		out[i].instance = msg_params_find(m->m_params,
		    "+sip.instance=");
		out[i].expires = expires_param(m->m_expires);
		out[i].q = q_value(m->m_q);
		i++;
	}
	if (*star && i > 0)
		return EINVAL;	/* the registrar's own check words it */
	*n = i;
	return 0;
}

static int
redirect(struct ptx *ptx, const char *target)
{
	const char *contact = su_sprintf(ptx->home, "<%s>", target);

	log_info("REGISTER call-id=%s peer=%s aor=%s: homed on %s, 301",
	    ptx_call_id(ptx), ptx->peer, sa_aor(ptx->sa), target);
	if (contact == NULL)
		return proxy_reply(ptx, 500, NULL, TAG_END());
	return proxy_reply(ptx, 301, NULL, SIPTAG_CONTACT_STR(contact),
	    TAG_END());
}

/* Join the ready Contact values of the response. */
static char *
contact_list(struct ptx *ptx, const struct reg_resp *resp)
{
	char *s = NULL;
	size_t i;

	for (i = 0; i < resp->nbindings; i++) {
		s = i == 0 ? su_strdup(ptx->home, resp->contact_hdrs[i]) :
		    su_sprintf(ptx->home, "%s, %s", s, resp->contact_hdrs[i]);
		if (s == NULL)
			return NULL;
	}
	return s;
}

/*
 * What an MS-SIP client learns from the 200 OK besides its bindings, in
 * the form OCS 2007 sends it (SIPE 1.25 compares the whole Supported
 * value with "msrtc-event-categories" and splits Allow-Events on "," without
 * trimming): the self-subscriptions it may make, OCS 2007 mode (with it
 * SIPE makes three SUBSCRIBEs and uses the 2007 IM form; without, the 2005
 * ones), and how often to send keep-alives.  Sofia would join a list
 * header's items with ", ", so these go out verbatim (unknown class).
 */
static const char *const reg_ok_headers[] = {
	"Allow-Events: vnd-microsoft-roaming-contacts,"
	    "vnd-microsoft-provisioning-v2,vnd-microsoft-roaming-self",
	"Supported: msrtc-event-categories",
	"Supported: gruu",
	"ms-keep-alive: UAS; tcp=no; hop-hop=yes; end-meet=no; timeout=300",
};
#define REG_OK_HEADERS \
	(sizeof(reg_ok_headers) / sizeof(reg_ok_headers[0]))

/* The headers above, made in the ptx home; 0 or -1 (out of memory). */
static int
ok_headers(struct ptx *ptx, msg_header_t **h)
{
	size_t i;

	for (i = 0; i < REG_OK_HEADERS; i++)
		if ((h[i] = msg_header_make(ptx->home, sip_unknown_class,
		    reg_ok_headers[i])) == NULL)
			return -1;
	return 0;
}

static int
reply_registrar(struct ptx *ptx, const struct reg_resp *resp)
{
	char *contact = NULL, expires[16], minexp[16];
	msg_header_t *h[REG_OK_HEADERS] = { NULL };
	int ok = resp->status == 200;

	if ((resp->nbindings > 0 &&
	    (contact = contact_list(ptx, resp)) == NULL) ||
	    (ok && ok_headers(ptx, h) != 0))
		return proxy_reply(ptx, 500, NULL, TAG_END());
	(void)snprintf(expires, sizeof(expires), "%u", resp->expires);
	(void)snprintf(minexp, sizeof(minexp), "%u", resp->min_expires);
	return proxy_reply(ptx, (int)resp->status, resp->phrase,
	    TAG_IF(contact != NULL, SIPTAG_CONTACT_STR(contact)),
	    TAG_IF(ok, SIPTAG_EXPIRES_STR(expires)),
	    TAG_IF(ok, SIPTAG_HEADER((sip_header_t *)h[0])),
	    TAG_IF(ok, SIPTAG_HEADER((sip_header_t *)h[1])),
	    TAG_IF(ok, SIPTAG_HEADER((sip_header_t *)h[2])),
	    TAG_IF(ok, SIPTAG_HEADER((sip_header_t *)h[3])),
	    TAG_IF(resp->min_expires != 0, SIPTAG_MIN_EXPIRES_STR(minexp)),
	    TAG_IF(resp->warning != NULL, SIPTAG_WARNING_STR(resp->warning ?
	    ptx_warning(ptx, resp->warning) : NULL)), TAG_END());
}

int
ptx_register(struct ptx *ptx)
{
	const sip_t *sip = ptx->sip;
	const struct sipsa_conf *conf = ptx->px->conf;
	const url_t *to;
	struct reg_contact cs[REG_MAX_CONTACTS];
	struct reg_req rq;
	struct reg_resp resp;
	uint64_t t0;
	const char *aor, *epid, *home, *transport;
	int err, rc;

	if (sip->sip_request->rq_method != sip_method_register)
		return 0;
	if (ptx->sa == NULL || (err = auth_endpoint(ptx, &aor, &epid)) != 0)
		return ptx_refuse(ptx, 403, "not authenticated");
	to = sip->sip_to->a_url;
	if (to->url_user == NULL || to->url_host == NULL ||
	    strcmp(to->url_user, sip->sip_from->a_url->url_user) != 0 ||
	    strcasecmp(to->url_host, sip->sip_from->a_url->url_host) != 0)
		return ptx_refuse(ptx, 403, "To must be the registering user");
	if (!proxy_serves_domain(ptx->px, to->url_host))
		return ptx_refuse(ptx, 403, "domain not served here");
	home = home_of(conf, to->url_user, to->url_host);
	if (home != NULL && !target_is_self(ptx, home))
		return redirect(ptx, home);

	memset(&rq, 0, sizeof(rq));
	err = contacts(ptx, cs, &rq.ncontacts, &rq.star);
	if (err == E2BIG)
		return ptx_refuse(ptx, 400, "too many Contact values");
	if (err == ENOMEM)
		return proxy_reply(ptx, 500, NULL, TAG_END());
	if (err == EINVAL)
		rq.ncontacts = 1;	/* "*" with others: refused below */
	transport = su_sprintf(ptx->home, "%s:%s", ptx->listener != NULL ?
	    conf_transport_name(ptx->listener->transport) : "udp", ptx->peer);
	rq.aor = aor;
	rq.epid = epid;
	rq.contacts = cs;
	rq.has_expires_hdr = sip->sip_expires != NULL;
	rq.expires_hdr = sip->sip_expires != NULL ?
	    (unsigned)sip->sip_expires->ex_delta : 0;
	rq.call_id = ptx_call_id(ptx);
	rq.cseq = sip->sip_cseq->cs_seq;
	rq.transport = transport != NULL ? transport : "udp";
	rq.now = (uint64_t)time(NULL);

	t0 = metrics_now_us();
	(void)registrar_handle(ptx->px->reg, &rq, &resp);
	if (resp.reason == REG_REASON_OK || resp.reason == REG_REASON_REMOVED)
		metrics_store_write(metrics_now_us() - t0);
	/* The one line for the registrar's answer; a refusal is a notice. */
	log_emit(resp.status >= 300 ? LOG_LVL_NOTICE : LOG_LVL_INFO,
	    LOG_MODULE, 0, "REGISTER call-id=%s peer=%s aor=%s epid=%s: %u "
	    "%s expires=%u bindings=%zu", ptx_call_id(ptx), ptx->peer, aor,
	    epid, resp.status, registrar_reason_name(resp.reason),
	    resp.expires, resp.nbindings);
	if (resp.status == 200 && resp.expires > 0) {
		(void)sa_extend(ptx->sa, resp.expires);
		if (known_add(ptx->px, aor) != 0)
			log_warnx("out of memory recording user %s", aor);
	}
	rc = reply_registrar(ptx, &resp);
	reg_resp_clear(&resp);
	return rc;
}
