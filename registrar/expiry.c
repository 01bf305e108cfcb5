/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registrar/expiry.c: the expiry a registrar grants to a Contact (RFC 3261
 * §10.2.1.1 and §10.3 step 7, RFC 3261 §21.4.17 for 423) and the
 * optional downward jitter on it.
 */
#include "config.h"

#include "registrar/internal.h"

/*
 * The interval a Contact asks for, in the order RFC 3261 §10.3 gives:
 *
 *  1. the Contact's own expires parameter, when present;
 *  2. else the Expires header of the request, when present;
 *  3. else the configured default.
 *  4. Zero means "remove this binding" and is granted as is.
 *  5. A non-zero interval below expires_min is refused with 423 Interval
 *     Too Brief; the response then carries Min-Expires (the caller reads
 *     it from the configuration).
 *  6. An interval above expires_max is cut to expires_max (the registrar
 *     may shorten, never lengthen, §10.3 step 7).
 *
 * Parameter values beyond 2^32-1 (RFC 3261 §20.19 allows the client to
 * send them) are simply long and end at step 6.
 */
enum reg_reason
expiry_compute(const struct registrar_config *cfg, const struct reg_req *rq,
    const struct reg_contact *c, unsigned *expires_out)
{
	unsigned long long want;

	*expires_out = 0;
	/* Steps 1 to 3. */
	if (c != NULL && c->expires >= 0)
		want = (unsigned long long)c->expires;
	else if (rq->has_expires_hdr)
		want = rq->expires_hdr;
	else
		want = cfg->expires_default;
	/* Step 4. */
	if (want == 0)
		return REG_REASON_OK;
	/* Step 5. */
	if (want < cfg->expires_min)
		return REG_REASON_INTERVAL_TOO_BRIEF;
	/* Step 6. */
	if (want > cfg->expires_max)
		want = cfg->expires_max;
	*expires_out = (unsigned)want;
	return REG_REASON_OK;
}

/*
 * Jitter spreads the refreshes of many clients registered at the same
 * moment (a restart, a network coming back) over time, so that they do not
 * come back as one storm.  The granted interval is shortened, never
 * lengthened, by a uniformly drawn number of seconds in
 * [0, expires * pct / 100], and never below min: a client is not punished
 * with a 423-sized interval it did not ask for.  random is a uniform 32-bit
 * value; the same value always yields the same interval.
 */
unsigned
expiry_jitter(unsigned expires, unsigned pct, unsigned min, uint32_t random)
{
	uint64_t span, cut;

	if (expires == 0 || pct == 0)
		return expires;
	if (pct > 100)
		pct = 100;
	span = (uint64_t)expires * pct / 100;
	if (span == 0)
		return expires;
	/* Multiply-shift instead of modulo: uniform over [0, span]. */
	cut = ((uint64_t)random * (span + 1)) >> 32;
	if (expires - cut < min)
		return expires > min ? min : expires;
	return (unsigned)(expires - cut);
}
