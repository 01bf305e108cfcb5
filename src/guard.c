/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/guard.c: lockout protection.  Failed sign-ins are counted per source
 * address and per account (the NTLM AUTHENTICATE's DOMAIN\user, read
 * before any credential is checked) over a sliding window; past the
 * configured threshold the source, or the account from sources that have
 * not signed it in before, is refused for a time that doubles at each
 * new block (up to a ceiling), before the mechanism (and so the domain
 * controller) sees the guess.  So an attacker cannot guess passwords
 * through sipsad faster than the thresholds allow, and cannot lock a
 * domain account out through it: the account threshold is below AD's.
 * A source that signed an account in successfully (recently) keeps
 * signing it in while others are blocked for it.  Handshakes are also
 * rate-limited per source (a token bucket).
 *
 * Memory is fixed at start: three direct-mapped tables of conf
 * guard { entries } slots (sources, accounts, source+account pairs), on
 * a random seed so that nobody can aim names at a slot; a newcomer
 * replaces the slot's old entry.  Log lines about blocks are rate-limited.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sa/hash.h"

#define LOG_MODULE "guard"
#include "log/log.h"
#include "src/proxy.h"

#define GUARD_KEY	96		/* longer keys are hashed whole and
					   compared on their first bytes */
#define GUARD_LINES	20		/* block notices per minute */

struct guard_slot {
	uint32_t	hash;
	uint32_t	used;		/* 0: empty */
	/* sliding window: failures in the current and the previous one */
	uint64_t	win_start;	/* ms */
	unsigned	cur, prev;
	uint64_t	blocked_until;	/* ms */
	unsigned	level;		/* blocks so far: the next lasts
					   block_min << level */
	/* token bucket for handshakes (sources only) */
	double		tokens;
	uint64_t	refilled;	/* ms */
	uint64_t	signed_in;	/* pairs: last success, ms */
	char		key[GUARD_KEY];
};

struct guard_tab {
	struct guard_slot	*slot;
	uint32_t		 mask;
};

struct guard {
	uint32_t		 seed;
	struct guard_tab	 src, user, pair;
	uint64_t		 log_window;
	unsigned		 lines, dropped;
};

static uint64_t
monotonic_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t (*guard_clock)(void) = monotonic_ms;

static uint64_t
now_ms(void)
{
	return guard_clock();
}

static int
tab_init(struct guard_tab *t, unsigned entries)
{
	uint32_t n = 1;

	while (n < entries && n < (UINT32_C(1) << 24))
		n <<= 1;
	if ((t->slot = calloc(n, sizeof(*t->slot))) == NULL)
		return ENOMEM;
	t->mask = n - 1;
	return 0;
}

int
guard_init(struct proxy *px)
{
	struct guard *g;
	unsigned n = px->conf->guard.entries;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return ENOMEM;
	if (tab_init(&g->src, n) != 0 || tab_init(&g->user, n) != 0 ||
	    tab_init(&g->pair, n) != 0) {
		free(g->src.slot);
		free(g->user.slot);
		free(g);
		return ENOMEM;
	}
	g->seed = hash_random_seed();
	px->guard = g;
	return 0;
}

void
guard_fini(struct proxy *px)
{
	struct guard *g = px->guard;

	if (g == NULL)
		return;
	free(g->src.slot);
	free(g->user.slot);
	free(g->pair.slot);
	free(g);
	px->guard = NULL;
}

/*
 * The slot of key; with create, a fresh one replaces whatever held the
 * slot.  NULL when the key has none.
 */
static struct guard_slot *
slot_of(const struct guard *g, const struct guard_tab *t, const char *a,
    const char *b, int create)
{
	struct guard_slot *s;
	uint32_t h;
	char key[GUARD_KEY];

	char *p;

	/* Accounts compare without regard to ASCII case, as AD's do. */
	(void)snprintf(key, sizeof(key), "%s%s%s", a, b != NULL ? "\n" : "",
	    b != NULL ? b : "");
	for (p = key; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	h = hash_bytes(g->seed, key, strlen(key));
	s = &t->slot[h & t->mask];
	if (s->used && s->hash == h && strcmp(s->key, key) == 0)
		return s;
	if (!create)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->used = 1;
	s->hash = h;
	memcpy(s->key, key, sizeof(key));
	return s;
}

/* Failures in the last window (the previous one weighted by overlap). */
static unsigned
failures(struct guard_slot *s, uint64_t now, uint64_t window)
{
	uint64_t age;

	if (now - s->win_start >= 2 * window) {
		s->prev = s->cur = 0;
		s->win_start = now;
		/* Two quiet windows after the last block: its escalation
		   is forgotten too. */
		if (s->blocked_until <= now &&
		    now - s->blocked_until >= 2 * window)
			s->level = 0;
	} else if (now - s->win_start >= window) {
		s->prev = s->cur;
		s->cur = 0;
		s->win_start += window;
	}
	age = now - s->win_start;
	return s->cur + (unsigned)((uint64_t)s->prev * (window - age) /
	    window);
}

static int
may_log(struct guard *g, uint64_t now)
{
	if (now - g->log_window >= 60000) {
		if (g->dropped > 0)
			log_notice("%u more sign-in blocks in the last minute "
			    "(not logged one by one)", g->dropped);
		g->log_window = now;
		g->lines = g->dropped = 0;
	}
	if (g->lines >= GUARD_LINES) {
		g->dropped++;
		return 0;
	}
	g->lines++;
	return 1;
}

/* Seconds left of s's block, 0 when not blocked. */
static unsigned
blocked(const struct guard_slot *s, uint64_t now)
{
	return s != NULL && s->blocked_until > now ?
	    (unsigned)((s->blocked_until - now + 999) / 1000) : 0;
}

unsigned
guard_check(struct ptx *ptx, const char *user)
{
	struct proxy *px = ptx->px;
	struct guard *g = px->guard;
	const struct conf_guard *c = &px->conf->guard;
	struct guard_slot *s, *u, *p;
	uint64_t now = now_ms();
	unsigned left;

	if (g == NULL)
		return 0;
	s = slot_of(g, &g->src, ptx->peer_addr, NULL, 1);
	if ((left = blocked(s, now)) > 0)
		return left;
	/* The handshake rate of the source: a bucket of 2 s worth. */
	if (c->handshake_rate > 0) {
		s->tokens += (double)(now - s->refilled) * c->handshake_rate /
		    1000.0;
		if (s->tokens > 2.0 * c->handshake_rate || s->refilled == 0)
			s->tokens = 2.0 * c->handshake_rate;
		s->refilled = now;
		if (s->tokens < 1.0) {
			if (may_log(g, now))
				log_notice("peer=%s: more than %u handshakes a "
				    "second, refused", ptx->peer_addr,
				    c->handshake_rate);
			return 1;
		}
		s->tokens -= 1.0;
	}
	if (user == NULL)
		return 0;
	u = slot_of(g, &g->user, user, NULL, 0);
	if ((left = blocked(u, now)) == 0)
		return 0;
	/* A source that has signed this account in before goes on. */
	p = slot_of(g, &g->pair, user, ptx->peer_addr, 0);
	if (p != NULL && now - p->signed_in < (uint64_t)c->trust_time * 1000)
		return 0;
	return left;
}

/* A failure on s: count it, and block past the threshold. */
static void
count(struct ptx *ptx, struct guard_slot *s, unsigned threshold,
    const char *what, const char *user, uint64_t now)
{
	const struct conf_guard *c = &ptx->px->conf->guard;
	uint64_t block;
	unsigned n;

	n = failures(s, now, (uint64_t)c->window * 1000);
	s->cur++;
	if (n + 1 < threshold || blocked(s, now) > 0)
		return;
	block = (uint64_t)c->block_min * 1000 << (s->level < 16 ? s->level :
	    16);
	if (block > (uint64_t)c->block_max * 1000)
		block = (uint64_t)c->block_max * 1000;
	else
		s->level++;
	s->blocked_until = now + block;
	if (may_log(ptx->px->guard, now))
		log_notice("lockout: %s blocked for %llu s after %u failed "
		    "sign-ins in %u s (user=%s peer=%s)", what,
		    (unsigned long long)(block / 1000), n + 1, c->window,
		    user != NULL ? user : "-", ptx->peer_addr);
}

void
guard_failed(struct ptx *ptx, const char *user)
{
	struct guard *g = ptx->px->guard;
	const struct conf_guard *c = &ptx->px->conf->guard;
	uint64_t now = now_ms();

	if (g == NULL)
		return;
	count(ptx, slot_of(g, &g->src, ptx->peer_addr, NULL, 1),
	    c->source_failures, "source", user, now);
	if (user != NULL)
		count(ptx, slot_of(g, &g->user, user, NULL, 1),
		    c->user_failures, "account", user, now);
}

void
guard_succeeded(struct ptx *ptx, const char *user)
{
	struct guard *g = ptx->px->guard;
	struct guard_slot *s;
	uint64_t now = now_ms();

	if (g == NULL || user == NULL)
		return;
	/* This source may sign the account in, whatever others do. */
	if ((s = slot_of(g, &g->pair, user, ptx->peer_addr, 1)) != NULL)
		s->signed_in = now;
}
