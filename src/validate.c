/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/validate.c: the first pipeline step: checks every request before
 * anything else looks at it (RFC 3261 §8.2 and §16.3): required headers,
 * CSeq method, URI scheme, Max-Forwards and loops.  nta has already
 * refused what does not parse (400) and wrong SIP versions (505).
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
	if (sip->sip_cseq->cs_method != sip->sip_request->rq_method ||
	    (sip->sip_cseq->cs_method == sip_method_unknown &&
	    strcmp(sip->sip_cseq->cs_method_name,
	    sip->sip_request->rq_method_name) != 0))
		return VALIDATE_CSEQ_MISMATCH;
	uri = sip->sip_request->rq_url;
	if (uri->url_type != url_sip && uri->url_type != url_sips)
		return VALIDATE_URI_SCHEME;
	/* OPTIONS with Max-Forwards 0 may be answered (§16.3 step 2). */
	if (sip->sip_max_forwards != NULL &&
	    sip->sip_max_forwards->mf_count == 0 &&
	    sip->sip_request->rq_method != sip_method_options)
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
