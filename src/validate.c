/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/validate.c: the first pipeline step: checks every request before
 * anything else looks at it (RFC 3261 §8.2 and §16.3): required headers,
 * the syntax Sofia's parser lets through, CSeq method, URI scheme,
 * Max-Forwards and loops.  nta has already refused what does not parse
 * in the headers it deems essential (400) and wrong SIP versions (505).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_status.h>

#define LOG_MODULE "validate"
#include "log/log.h"
#include "src/proxy.h"

enum validate_reason {
	VALIDATE_OK,
	VALIDATE_MISSING_HEADER,
	VALIDATE_REQUEST_LINE,
	VALIDATE_URI_HEADERS,
	VALIDATE_NAME_ADDR,
	VALIDATE_DATE,
	VALIDATE_CSEQ_MISMATCH,
	VALIDATE_URI_SCHEME,
	VALIDATE_TOO_MANY_HOPS,
	VALIDATE_LOOP,
};

static const struct {
	int		 status;
	const char	*phrase;
	const char	*name;
} validate_replies[] = {
	[VALIDATE_OK] = { 0, NULL, "OK" },
	[VALIDATE_MISSING_HEADER] = { 400, "Missing Required Header",
	    "MISSING_HEADER" },
	[VALIDATE_REQUEST_LINE] = { 400, "Bad Request-Line",
	    "REQUEST_LINE" },
	[VALIDATE_URI_HEADERS] = { 400, "Bad Request-URI", "URI_HEADERS" },
	[VALIDATE_NAME_ADDR] = { 400, "Bad Name-Addr", "NAME_ADDR" },
	[VALIDATE_DATE] = { 400, "Bad Date Header", "DATE" },
	[VALIDATE_CSEQ_MISMATCH] = { 400, "CSeq Method Mismatch",
	    "CSEQ_MISMATCH" },
	[VALIDATE_URI_SCHEME] = { 416, "Unsupported URI Scheme",
	    "URI_SCHEME" },
	[VALIDATE_TOO_MANY_HOPS] = { 483, "Too Many Hops", "TOO_MANY_HOPS" },
	[VALIDATE_LOOP] = { 482, "Loop Detected", "LOOP" },
};

static const char *
transport_of_via(const sip_via_t *v)
{
	const char *p = v->v_protocol ? strrchr(v->v_protocol, '/') : NULL;

	return p != NULL ? p + 1 : "";
}

/*
 * sipsad puts its Via on every request it forwards and never forwards to
 * itself (a Route naming us is removed; bindings are clients' addresses),
 * so a request that arrives with one of our Vias below the top has come
 * back to us: a loop.  RFC 3261 §16.3 would let a spiral through (the
 * same request with other routing fields); sipsad has no use for one.
 */
static int
via_is_ours(const struct proxy *px, const sip_via_t *v)
{
	const struct listener *l;
	unsigned long port;
	size_t i;

	if (v->v_host == NULL || v->v_port == NULL ||
	    !listen_is_self(px, v->v_host))
		return 0;
	port = strtoul(v->v_port, NULL, 10);
	for (i = 0; i < px->nlisteners; i++) {
		l = &px->listeners[i];
		if (l->port == port && strcasecmp(transport_of_via(v),
		    conf_transport_name(l->transport)) == 0)
			return 1;
	}
	return 0;
}

/*
 * The checks below read the request as received: the agent parses with
 * MSG_FLG_EXTRACT_COPY (src/proxy.c), so every header keeps its wire text
 * in h_data (h_len bytes, the line end included).  Without it (no text)
 * they pass.
 */

/*
 * RFC 3261 §25.1: Request-Line = Method SP Request-URI SP SIP-Version
 * CRLF: one SP between the three, none before or after (RFC 4475
 * §3.1.2.9 lwsstart, §3.1.2.10 trws).  Sofia's msg_firstline_d() takes
 * any run of whitespace, and so does mclass_request_d().  CRLFs before
 * the line may come and are skipped (§7.5), as Sofia skips them.
 */
static int
request_line_ok(const sip_request_t *rq)
{
	const char *s = rq->rq_common->h_data;
	size_t n = rq->rq_common->h_len, i, sp = 0;

	if (s == NULL)
		return 1;
	for (i = 0; i < n && (s[i] == '\r' || s[i] == '\n'); i++)
		continue;
	if (i < n && s[i] == ' ')
		return 0;
	for (; i < n && s[i] != '\r' && s[i] != '\n'; i++) {
		if (s[i] == '\t')
			return 0;
		if (s[i] == ' ' && (++sp > 2 || i + 1 == n || s[i + 1] == ' ' ||
		    s[i + 1] == '\r' || s[i + 1] == '\n'))
			return 0;
	}
	return sp == 2;
}

static int
is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * RFC 3261 §25.1: name-addr = [ display-name ] LAQUOT addr-spec RAQUOT,
 * no whitespace inside the brackets (RFC 4475 §3.1.2.14 badaspec: To:
 * "Watson, Thomas" < sip:t.watson@example.org >).  Sofia's
 * sip_name_addr_d() skips it.  Brackets inside a quoted string (a display
 * name) do not count.
 */
static int
name_addr_ok(const sip_common_t *h)
{
	const char *start = h->h_data, *s, *end;
	int quoted = 0;

	if (start == NULL)
		return 1;
	for (s = start, end = start + h->h_len; s < end; s++) {
		if (quoted) {
			if (*s == '\\' && s + 1 < end)
				s++;
			else if (*s == '"')
				quoted = 0;
		} else if (*s == '"') {
			quoted = 1;
		} else if ((*s == '<' && s + 1 < end && is_lws(s[1])) ||
		    (*s == '>' && s > start && is_lws(s[-1]))) {
			return 0;
		}
	}
	return 1;
}

static int
addresses_ok(const sip_t *sip)
{
	const sip_contact_t *m;

	if (!name_addr_ok(sip->sip_from->a_common) ||
	    !name_addr_ok(sip->sip_to->a_common))
		return 0;
	for (m = sip->sip_contact; m != NULL; m = m->m_next)
		if (!name_addr_ok(m->m_common))
			return 0;
	return 1;
}

/*
 * A Date Sofia could not parse (msg_date_d(): an RFC 1123 date in GMT,
 * RFC 3261 §20.17; RFC 4475 §3.1.2.12 baddate has EST) is left in
 * sip_error, and nta answers only errors in the headers of its bad
 * request mask, Date not among them.
 */
static int
date_ok(const sip_t *sip)
{
	const sip_error_t *e;

	for (e = sip->sip_error; e != NULL; e = e->er_next)
		if (e->er_name != NULL && strcasecmp(e->er_name, "Date") == 0)
			return 0;
	return 1;
}

static enum validate_reason
validate(const struct ptx *ptx)
{
	const sip_t *sip = ptx->sip;
	const sip_via_t *v;
	const url_t *uri;

	if (sip->sip_request == NULL || sip->sip_from == NULL ||
	    sip->sip_to == NULL || sip->sip_call_id == NULL ||
	    sip->sip_cseq == NULL || sip->sip_via == NULL)
		return VALIDATE_MISSING_HEADER;
	if (!request_line_ok(sip->sip_request))
		return VALIDATE_REQUEST_LINE;
	/* §19.1.1: headers are not allowed in a Request-URI (RFC 4475
	   §3.1.2.11 escruri). */
	if (sip->sip_request->rq_url->url_headers != NULL)
		return VALIDATE_URI_HEADERS;
	if (!addresses_ok(sip))
		return VALIDATE_NAME_ADDR;
	if (!date_ok(sip))
		return VALIDATE_DATE;
	if (sip->sip_cseq->cs_method != sip->sip_request->rq_method ||
	    (sip->sip_cseq->cs_method == sip_method_unknown &&
	    strcmp(sip->sip_cseq->cs_method_name,
	    sip->sip_request->rq_method_name) != 0))
		return VALIDATE_CSEQ_MISMATCH;
	uri = sip->sip_request->rq_url;
	if (uri->url_type != url_sip && uri->url_type != url_sips)
		return VALIDATE_URI_SCHEME;
	/* An OPTIONS with Max-Forwards 0 may be answered by the proxy
	   itself (§16.3 step 2): sipsad answers those addressed to it; any
	   other would be forwarded (RFC 4475 §3.3.11 zeromf). */
	if (sip->sip_max_forwards != NULL &&
	    sip->sip_max_forwards->mf_count == 0 &&
	    (sip->sip_request->rq_method != sip_method_options ||
	    uri->url_user != NULL || !listen_is_self(ptx->px, uri->url_host)))
		return VALIDATE_TOO_MANY_HOPS;
	for (v = sip->sip_via->v_next; v != NULL; v = v->v_next)
		if (via_is_ours(ptx->px, v))
			return VALIDATE_LOOP;
	return VALIDATE_OK;
}

int
ptx_validate(struct ptx *ptx)
{
	enum validate_reason r = validate(ptx);

	if (r == VALIDATE_OK)
		return 0;
	log_info("%s refused call-id=%s peer=%s reason=%s", ptx_method(ptx),
	    ptx_call_id(ptx), ptx->peer, validate_replies[r].name);
	/* An ACK is never answered, not even a bad one. */
	if (ptx->sip->sip_request != NULL &&
	    ptx->sip->sip_request->rq_method == sip_method_ack)
		return 1;
	return proxy_reply(ptx, validate_replies[r].status,
	    validate_replies[r].phrase, TAG_END());
}
