/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/answers.c: signed answers to UDP requests, kept for their
 * retransmissions.
 *
 * A REGISTER that arrives over UDP with an SA is answered without an nta
 * server transaction (ptx_transaction): nta would hold the request and
 * the response, about 10 KB, for 32 s (timer J) after each refresh.
 * Instead the answer, as sent (signed, a few hundred bytes), is kept
 * here for the same 32 s, found by what RFC 3261 §17.2.3 matches a
 * retransmission on (the top Via's branch and sent-by, the CSeq method,
 * and Call-ID and CSeq number besides), and sent again byte for byte
 * when the request comes again.  Without it, a retransmitted refresh
 * would be verified again and refused as a replay.
 *
 * The records are a FIFO (every one lives the same 32 s) under a
 * configured count (`connections { udp-answers }`); when it is full, the
 * oldest goes first, and a retransmission of that request is then
 * processed as a new request (a replay: the client gets a fresh
 * challenge or 403 and signs in again).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/su.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>

#define LOG_MODULE "answers"
#include "log/log.h"
#include "sa/hash.h"
#include "sa/sa.h"
#include "src/proxy.h"

/* RFC 3261 timer J for UDP: 64 * T1. */
#define ANSWER_KEEP_MS	(64 * 500)

struct answer {
	struct hlink	 link;		/* by the first hash */
	uint32_t	 check;		/* second hash of the same key */
	struct answer	*newer;		/* FIFO */
	uint64_t	 expires;	/* ms, monotonic */
	size_t		 len;
	char		 bytes[];
};

struct answers {
	struct htab	 index;
	struct answer	*oldest, *newest;
	uint32_t	 count, max;
	uint32_t	 seed[2];
	uint64_t	 evicted;	/* dropped before expiry (full) */
};

static uint64_t
answers_now(void)
{
	return sa_clock_monotonic(NULL);
}

static uint32_t
hash_str(uint32_t h, const char *s)
{
	static const char sep = '\0';

	if (s != NULL)
		h = hash_bytes(h, s, strlen(s));
	return hash_bytes(h, &sep, 1);
}

/* The key of sip's transaction under seed. */
static uint32_t
answer_hash(uint32_t seed, const sip_t *sip)
{
	const sip_via_t *v = sip->sip_via;
	uint32_t h = seed;

	h = hash_str(h, v->v_branch);
	h = hash_str(h, v->v_host);
	h = hash_str(h, v->v_port);
	h = hash_str(h, sip->sip_call_id->i_id);
	h = hash_bytes(h, &sip->sip_cseq->cs_seq,
	    sizeof(sip->sip_cseq->cs_seq));
	return hash_str(h, sip->sip_cseq->cs_method_name);
}

int
answers_init(struct proxy *px)
{
	struct answers *a;
	int err;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return ENOMEM;
	if ((err = htab_init(&a->index, 64)) != 0) {
		free(a);
		return err;
	}
	a->max = px->conf->conn.udp_answers;
	a->seed[0] = hash_random_seed();
	a->seed[1] = hash_random_seed() ^ 0x9e3779b9u;
	px->answers = a;
	return 0;
}

static void
answer_drop_oldest(struct answers *a)
{
	struct answer *r = a->oldest;

	a->oldest = r->newer;
	if (a->oldest == NULL)
		a->newest = NULL;
	htab_remove(&a->index, &r->link);
	a->count--;
	free(r);
}

void
answers_fini(struct proxy *px)
{
	struct answers *a = px->answers;

	if (a == NULL)
		return;
	while (a->oldest != NULL)
		answer_drop_oldest(a);
	htab_fini(&a->index);
	free(a);
	px->answers = NULL;
}

void
answers_expire(struct proxy *px)
{
	struct answers *a = px->answers;
	uint64_t now = answers_now();

	while (a != NULL && a->oldest != NULL && a->oldest->expires <= now)
		answer_drop_oldest(a);
}

void
answers_add(struct ptx *ptx, const char *bytes, size_t len)
{
	struct answers *a = ptx->px->answers;
	const sip_t *sip = ptx->sip;
	struct answer *r;

	if (a == NULL || a->max == 0)
		return;
	answers_expire(ptx->px);
	while (a->count >= a->max) {
		answer_drop_oldest(a);
		if (++a->evicted % 10000 == 1)
			log_notice("udp-answers full (%u): the oldest answers "
			    "go before their 32 s (%llu so far)", a->max,
			    (unsigned long long)a->evicted);
	}
	if ((r = malloc(sizeof(*r) + len)) == NULL) {
		log_warnx("%s call-id=%s: no memory to keep the answer for "
		    "retransmissions", ptx_method(ptx), ptx_call_id(ptx));
		return;
	}
	r->link.hash = answer_hash(a->seed[0], sip);
	r->check = answer_hash(a->seed[1], sip);
	r->newer = NULL;
	r->expires = answers_now() + ANSWER_KEEP_MS;
	r->len = len;
	memcpy(r->bytes, bytes, len);
	htab_insert(&a->index, &r->link);
	if (a->newest != NULL)
		a->newest->newer = r;
	else
		a->oldest = r;
	a->newest = r;
	a->count++;
}

/*
 * The pipeline step: a UDP request whose answer is kept here is a
 * retransmission; it gets the same answer again.
 */
int
ptx_resend(struct ptx *ptx)
{
	struct answers *a = ptx->px->answers;
	const sip_t *sip = ptx->sip;
	struct hlink *l;
	struct answer *r;
	uint32_t h, check;
	uint64_t now;

	if (a == NULL || a->count == 0 || ptx->listener == NULL ||
	    ptx->listener->transport != CONF_TP_UDP ||
	    sip->sip_request->rq_method == sip_method_ack)
		return 0;
	h = answer_hash(a->seed[0], sip);
	check = answer_hash(a->seed[1], sip);
	now = answers_now();
	for (l = htab_chain(&a->index, h); l != NULL; l = l->next) {
		r = HTAB_ENTRY(l, struct answer, link);
		if (l->hash != h || r->check != check || r->expires <= now)
			continue;
		log_debug("%s call-id=%s peer=%s: a retransmission, answered "
		    "again", ptx_method(ptx), ptx_call_id(ptx), ptx->peer);
		return proxy_reply_again(ptx, r->bytes, r->len);
	}
	return 0;
}
