/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registrar/register.c: REGISTER processing, RFC 3261 §10.3 as numbered
 * steps, with bindings keyed by MS-SIP endpoint ([MS-SIPAE] §3.3.5.2).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#define LOG_MODULE "registrar"
#include "log/log.h"
#include "registrar/internal.h"

/* What the registrar decided for one Contact before touching the store. */
struct plan {
	const struct reg_contact *c;
	char		key[REG_MAX_TOKEN + 1];	/* normalised instance */
	int		from_client;		/* the client sent it */
	unsigned	expires;		/* granted, 0 = remove */
};

/* A token (epid, Call-ID): non-empty, bounded, visible ASCII. */
static int
token_valid(const char *s, size_t max)
{
	size_t len, i;

	if (s == NULL || (len = strlen(s)) == 0 || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* Step 1 helper: what must be in any REGISTER that reaches us. */
static enum reg_reason
check_request(const struct reg_req *rq)
{
	if (rq->aor == NULL || strlen(rq->aor) > REG_MAX_AOR ||
	    !uri_valid(rq->aor) || strchr(rq->aor, '@') == NULL)
		return REG_REASON_BAD_REQUEST;
	if (!token_valid(rq->call_id, REG_MAX_TOKEN))
		return REG_REASON_BAD_REQUEST;
	if (rq->epid != NULL && !token_valid(rq->epid, REG_MAX_TOKEN))
		return REG_REASON_BAD_REQUEST;
	if (rq->transport != NULL && strlen(rq->transport) > REG_MAX_URI)
		return REG_REASON_BAD_REQUEST;
	if (rq->ncontacts > REG_MAX_CONTACTS ||
	    (rq->ncontacts > 0 && rq->contacts == NULL))
		return REG_REASON_BAD_CONTACT;
	return REG_REASON_OK;
}

/*
 * Steps 2 to 4 for every Contact: URI, endpoint key, expiry.  The key is
 * the +sip.instance when the Contact has one, else the instance derived
 * from the epid, so both identities of one endpoint meet on one binding;
 * when both are present they must agree.
 */
static enum reg_reason
plan_contacts(struct registrar *reg, const struct reg_req *rq,
    struct plan *plans)
{
	char derived[REG_INSTANCE_LEN + 1];
	struct plan *p;
	enum reg_reason r;
	size_t i, j;
	int have_derived;

	have_derived = rq->epid != NULL &&
	    registrar_instance_from_epid(rq->epid, derived,
	    sizeof(derived)) == 0;
	for (i = 0; i < rq->ncontacts; i++) {
		p = &plans[i];
		p->c = &rq->contacts[i];
		/* Step 2: the URI. */
		if (!uri_valid(p->c->uri) || p->c->q > 1000)
			return REG_REASON_BAD_CONTACT;
		/* Step 3: the endpoint. */
		if (p->c->instance != NULL) {
			if (instance_normalize(p->c->instance, p->key,
			    sizeof(p->key)) != 0)
				return REG_REASON_BAD_CONTACT;
			if (have_derived && strcmp(derived, p->key) != 0)
				return REG_REASON_INSTANCE_MISMATCH;
			p->from_client = 1;
		} else if (have_derived) {
			memcpy(p->key, derived, sizeof(derived));
			p->from_client = 0;
		} else
			return REG_REASON_NO_ENDPOINT;
		for (j = 0; j < i; j++)
			if (strcmp(plans[j].key, p->key) == 0)
				return REG_REASON_DUP_ENDPOINT;
		/* Step 4: the interval, then the jitter on what is granted. */
		r = expiry_compute(&reg->cfg, rq, p->c, &p->expires);
		if (r != REG_REASON_OK)
			return r;
		p->expires = expiry_jitter(p->expires, reg->cfg.jitter,
		    reg->cfg.expires_min, reg->rnd(reg->rnd_arg));
	}
	return REG_REASON_OK;
}

/*
 * Step 6 and 7 ordering, per binding (RFC 3261 §10.3 step 7): another
 * Call-ID always wins; the same Call-ID needs a higher CSeq.  An equal
 * CSeq is a retransmission of the request that made the binding (UDP
 * without transaction state, or a client resending after a lost 200): it
 * changes nothing and is answered like the original.  A lower one is out
 * of order and fails the whole request.
 */
static enum reg_reason
order_check(const struct reg_binding *b, const struct reg_req *rq)
{
	if (strcmp(b->call_id, rq->call_id) != 0 || rq->cseq > b->cseq)
		return REG_REASON_OK;
	if (rq->cseq == b->cseq)
		return REG_REASON_RETRANSMISSION;
	return REG_REASON_OUT_OF_ORDER;
}

static ssize_t
blist_find(const struct reg_blist *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->b[i].instance, key) == 0)
			return (ssize_t)i;
	return -1;
}

/* Step 7 for one Contact with a non-zero expiry: fill nb from the request. */
static int
binding_from_plan(struct reg_binding *nb, const struct reg_req *rq,
    const struct plan *p)
{
	memset(nb, 0, sizeof(*nb));
	nb->uri = (char *)p->c->uri;
	nb->instance = (char *)p->key;
	nb->epid = (char *)(rq->epid != NULL ? rq->epid : "");
	nb->call_id = (char *)rq->call_id;
	nb->transport = (char *)(rq->transport != NULL ? rq->transport : "");
	nb->cseq = rq->cseq;
	nb->q = p->c->q;
	nb->conn_id = rq->conn_id;
	nb->registered = rq->now;
	nb->expires_at = rq->now + p->expires;
	if (!p->from_client)
		return 0;
	return gruu_make(rq->aor, p->key, &nb->gruu);
}

/* Step 7 for one Contact: add, refresh or remove its binding. */
static enum reg_reason
apply_plan(struct reg_blist *l, const struct reg_req *rq,
    const struct plan *p, int *changed, unsigned *added)
{
	struct reg_binding nb, *old;
	ssize_t i = blist_find(l, p->key);
	enum reg_reason r = REG_REASON_OK;
	int err;

	if (i >= 0 && (r = order_check(&l->b[i], rq)) != REG_REASON_OK)
		return r;
	if (p->expires == 0) {
		if (i >= 0) {
			blist_remove(l, (size_t)i);
			*changed = 1;
		}
		return REG_REASON_REMOVED;
	}
	err = binding_from_plan(&nb, rq, p);
	if (err == 0 && i >= 0) {
		old = &l->b[i];
		nb.registered = old->registered;
		binding_clear(old);
		err = binding_copy(old, &nb);
		if (err != 0)
			blist_remove(l, (size_t)i);
	} else if (err == 0) {
		err = blist_add(l, &nb);
		(*added)++;
	}
	free(nb.gruu);
	if (err == ENOSPC)		/* REG_MAX_ENDPOINTS reached */
		return REG_REASON_TOO_MANY_ENDPOINTS;
	if (err != 0)
		return REG_REASON_NO_MEMORY;
	*changed = 1;
	return REG_REASON_OK;
}

/*
 * Step 5: the AOR's bindings that are still alive at now, with the
 * refreshes kept in memory laid over the record.  The record itself stays
 * in *rec (NULL when there is none) for step 9.
 */
static int
load_bindings(struct registrar *reg, const char *aor, uint64_t now,
    struct reg_blist *l, int *changed, unsigned char **rec, size_t *reclen)
{
	int err;

	err = reg->ops->get(reg->st, aor, rec, reclen);
	if (err == ENOENT)
		return 0;
	if (err != 0)
		return err;
	err = record_decode(*rec, *reclen, l);
	if (err != 0) {
		log_warnx("undecodable record aor=%s (%d)", aor, err);
		return err;
	}
	pend_apply(&reg->pend, aor, l);
	if (blist_prune(l, now) > 0)
		*changed = 1;
	return 0;
}

/*
 * Step 9: one committed transaction for the new state of the AOR.  The
 * record is encoded (val != NULL) before the response is built, and
 * written after it, so that a request either fails with nothing written
 * or is written and answered 200: never a 500 after a commit.
 */
static int
commit_bindings(struct registrar *reg, const char *aor,
    const unsigned char *val, size_t len)
{
	int err;

	if (val != NULL)
		return reg->ops->put(reg->st, aor, val, len);
	err = reg->ops->del(reg->st, aor);
	return err == ENOENT ? 0 : err;
}

/* The smallest time left among the bindings whose key is in plans. */
static unsigned
time_left(const struct reg_blist *l, const struct plan *plans, size_t n,
    uint64_t now)
{
	uint64_t best = 0, left;
	size_t i;
	ssize_t k;

	for (i = 0; i < (n > 0 ? n : l->n); i++) {
		k = n > 0 ? blist_find(l, plans[i].key) : (ssize_t)i;
		if (k < 0)
			continue;
		left = l->b[k].expires_at - now;
		if (best == 0 || left < best)
			best = left;
	}
	return best > 0xffffffffu ? 0xffffffffu : (unsigned)best;
}

/* Step 10: the response, with the bindings handed to resp. */
static int
fill_response(struct reg_resp *rs, struct reg_blist *l, uint64_t now)
{
	size_t i;
	int err;

	blist_sort(l);
	if (l->n == 0)
		return 0;
	if ((rs->contact_hdrs = calloc(l->n, sizeof(char *))) == NULL)
		return ENOMEM;
	rs->bindings = l->b;
	rs->nbindings = l->n;
	l->b = NULL;
	l->n = 0;
	for (i = 0; i < rs->nbindings; i++)
		if ((err = contact_format(&rs->bindings[i], now,
		    &rs->contact_hdrs[i])) != 0)
			return err;
	return 0;
}

/*
 * RFC 3261 §10.3, in the order of the steps there.  The daemon has done
 * steps 1 to 4 of the RFC (Request-URI domain, Require, authentication,
 * authorisation of the AOR) before calling; the steps here are:
 *
 *  1. the request carries an AOR, a Call-ID and sane identities;
 *  2. every Contact is a sip/sips URI; "*" stands alone with Expires: 0;
 *  3. every Contact names one endpoint (+sip.instance, else epid);
 *  4. every Contact gets its interval (expiry.c), 423 if too brief;
 *  5. the AOR's live bindings are read from the store;
 *  6. "*" removes every binding (ordering checked per binding);
 *  7. each Contact adds, refreshes or removes its endpoint's binding,
 *     after the Call-ID/CSeq ordering check;
 *  8. the endpoint cap: a new endpoint over max_endpoints is refused
 *     (403), existing endpoints are never evicted;
 *  9. the new state is committed in one durable transaction, unless only
 *     expiry and CSeq moved and the stored record still keeps every
 *     binding alive long enough (refresh_durable): then it stays in
 *     memory (pending.c);
 * 10. the 200 lists every live binding of the AOR (built before the
 *     commit, so that no allocation can fail after it).
 *
 * Nothing is written unless every step succeeds.
 */
int
registrar_handle(struct registrar *reg, const struct reg_req *rq,
    struct reg_resp *rs)
{
	struct plan plans[REG_MAX_CONTACTS];
	struct reg_blist l = { NULL, 0 };
	struct pend_aor *pe = NULL;
	unsigned char *val = NULL, *rec = NULL;
	size_t len = 0, reclen = 0;
	enum reg_reason r, one;
	unsigned added = 0, granted = 0;
	size_t i;
	int err = 0, changed = 0, registered = 0, retrans = 0, skip = 0;

	memset(rs, 0, sizeof(*rs));
	/* Step 1. */
	if ((r = check_request(rq)) != REG_REASON_OK)
		goto reply;
	/* Step 2 for "*". */
	if (rq->star && (rq->ncontacts > 0 || !rq->has_expires_hdr ||
	    rq->expires_hdr != 0)) {
		r = REG_REASON_BAD_STAR;
		goto reply;
	}
	/* Steps 2 to 4. */
	if ((r = plan_contacts(reg, rq, plans)) != REG_REASON_OK)
		goto reply;
	/* Step 5. */
	if ((err = load_bindings(reg, rq->aor, rq->now, &l, &changed, &rec,
	    &reclen)) != 0)
		goto reply;
	/* Step 6. */
	if (rq->star) {
		for (i = 0; i < l.n; i++) {
			r = order_check(&l.b[i], rq);
			if (r == REG_REASON_OUT_OF_ORDER)
				goto reply;
		}
		changed |= l.n > 0;
		blist_clear(&l);
		r = REG_REASON_REMOVED;
	} else if (rq->ncontacts == 0)
		r = REG_REASON_QUERY;
	/* Step 7. */
	for (i = 0; i < rq->ncontacts; i++) {
		one = apply_plan(&l, rq, &plans[i], &changed, &added);
		if (one == REG_REASON_OK) {
			registered = 1;
			if (granted == 0 || plans[i].expires < granted)
				granted = plans[i].expires;
		} else if (one == REG_REASON_RETRANSMISSION)
			retrans = 1;
		else if (one != REG_REASON_REMOVED) {
			r = one;
			goto reply;
		}
	}
	if (rq->ncontacts > 0)
		r = registered ? REG_REASON_OK : retrans ?
		    REG_REASON_RETRANSMISSION : REG_REASON_REMOVED;
	/* Step 8. */
	if (added > 0 && l.n > reg->cfg.max_endpoints) {
		r = REG_REASON_TOO_MANY_ENDPOINTS;
		goto reply;
	}
	/* Step 9, first half: the record, while the list is still ours. */
	if (changed && l.n > 0 &&
	    (err = record_encode(&l, &val, &len)) != 0)
		goto reply;
	if (changed && (err = pend_prepare(rq->aor, rec, reclen, val, len,
	    rq->now, reg->cfg.refresh_durable, &skip, &pe)) != 0)
		goto reply;
	/* Step 10: the Expires header, then the Contacts. */
	if (r == REG_REASON_OK)
		rs->expires = granted;
	else if (r == REG_REASON_RETRANSMISSION)
		rs->expires = time_left(&l, plans, rq->ncontacts, rq->now);
	else if (r == REG_REASON_QUERY)
		rs->expires = time_left(&l, NULL, 0, rq->now);
	if ((err = fill_response(rs, &l, rq->now)) != 0)
		goto reply;
	/* Step 9, second half: the commit, in memory or in the store. */
	if (changed && skip) {
		pend_install(&reg->pend, rq->aor, pe);
		pe = NULL;
	} else if (changed &&
	    (err = commit_bindings(reg, rq->aor, val, len)) == 0)
		pend_install(&reg->pend, rq->aor, NULL);
reply:
	if (err != 0) {
		r = err == ENOMEM ? REG_REASON_NO_MEMORY :
		    REG_REASON_STORE_ERROR;
		reg_resp_clear(rs);
		rs->expires = 0;
	} else if (r == REG_REASON_INTERVAL_TOO_BRIEF)
		rs->min_expires = reg->cfg.expires_min;
	blist_clear(&l);
	free(val);
	free(rec);
	free(pe);
	rs->reason = r;
	rs->status = registrar_reason_status(r, &rs->phrase);
	rs->warning = registrar_reason_warning(r);
	/* The outcome is the caller's to log (once, with its peer); only
	   what the caller cannot see is logged here. */
	if (err != 0)
		log_warnx("REGISTER aor=%.128s call-id=%.64s cseq=%u: binding "
		    "store error: %s", rq->aor != NULL ? rq->aor : "-",
		    rq->call_id != NULL ? rq->call_id : "-", rq->cseq,
		    strerror(err));
	else
		log_debug("REGISTER aor=%s call-id=%s cseq=%u reason=%s "
		    "expires=%u bindings=%zu", rq->aor, rq->call_id, rq->cseq,
		    registrar_reason_name(r), rs->expires, rs->nbindings);
	return err;
}
