/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/streak.c: challenges in a row per client endpoint.  A client that
 * answers every challenge with something sipsad cannot use (a scheme it
 * does not offer, a handshake leg it cannot continue, no credentials at
 * all) would otherwise loop silently at the default log level; here each
 * challenge sent to an epid is counted until that endpoint authenticates,
 * and the STREAK_NOTICE-th one in a row for the same reason is logged once
 * at notice level, with the reason and, where it applies, a hint about
 * the listener.  The same reason, because a client on a 407 listener
 * legitimately gets a challenge for each of its unsigned requests, several
 * at once after sign-in (SIPE signs nothing there), and those succeed.
 *
 * What an unauthenticated peer can make this cost is fixed: a
 * direct-mapped array of STREAK_SLOTS slots (a newcomer that hashes to a
 * taken slot replaces it, which at worst costs a log line), and at most
 * STREAK_LINES notices a minute in all, the rest counted and reported in
 * one line.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sa/hash.h"

#define LOG_MODULE "auth"
#include "log/log.h"
#include "src/proxy.h"

#define STREAK_SLOTS	4096		/* power of two */
#define STREAK_EPID	48		/* longer epids are cut (they hash
					   whole) */
#define STREAK_NOTICE	6		/* challenges in a row to log */
#define STREAK_LINES	10		/* notices a minute */

struct streak_slot {
	uint32_t	hash;
	uint32_t	why;		/* hash of the reason */
	unsigned	count;
	char		epid[STREAK_EPID];
};

struct streaks {
	uint32_t		seed;
	struct log_quota	lines;		/* notices */
	struct streak_slot	slot[STREAK_SLOTS];
};

int
streak_init(struct proxy *px)
{
	struct streaks *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ENOMEM;
	/* Seeded, so that a peer cannot aim its epids at another's slot. */
	s->seed = hash_random_seed();
	s->lines.per_minute = STREAK_LINES;
	s->lines.module = LOG_MODULE;
	s->lines.what = "clients looping on challenges";
	px->streaks = s;
	return 0;
}

void
streak_fini(struct proxy *px)
{
	free(px->streaks);
	px->streaks = NULL;
}

static struct streak_slot *
slot_of(struct streaks *s, const char *epid, uint32_t *hash)
{
	*hash = hash_bytes(s->seed, epid, strlen(epid));
	return &s->slot[*hash & (STREAK_SLOTS - 1)];
}

static int
same(const struct streak_slot *sl, uint32_t hash, const char *epid)
{
	return sl->count > 0 && sl->hash == hash &&
	    strncmp(sl->epid, epid, sizeof(sl->epid) - 1) == 0;
}

void
streak_challenged(struct ptx *ptx, const char *epid, const char *why,
    const char *hint)
{
	struct streaks *s = ptx->px->streaks;
	struct streak_slot *sl;
	uint32_t hash, whyh;

	if (s == NULL || epid == NULL || *epid == '\0')
		return;
	if (why == NULL)
		why = "no credentials";
	whyh = hash_bytes(s->seed, why, strlen(why));
	sl = slot_of(s, epid, &hash);
	if (!same(sl, hash, epid) || sl->why != whyh) {
		sl->hash = hash;
		sl->why = whyh;
		sl->count = 0;
		(void)strncpy(sl->epid, epid, sizeof(sl->epid) - 1);
		sl->epid[sizeof(sl->epid) - 1] = '\0';
	}
	if (++sl->count != STREAK_NOTICE || !log_quota_take(&s->lines,
	    (uint64_t)time(NULL) * 1000))
		return;
	log_notice("epid=%s peer=%s listener=%s: %u challenges in a row "
	    "without signing in (last: %s, reason: %s)%s%s", epid, ptx->peer,
	    ptx->listener != NULL ? ptx->listener->ident : "?", sl->count,
	    ptx_method(ptx), why,
	    hint != NULL ? "; " : "", hint != NULL ? hint : "");
}

void
streak_reset(struct ptx *ptx, const char *epid)
{
	struct streaks *s = ptx->px->streaks;
	struct streak_slot *sl;
	uint32_t hash;

	if (s == NULL || epid == NULL)
		return;
	sl = slot_of(s, epid, &hash);
	if (same(sl, hash, epid))
		sl->count = 0;
}
