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
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sa/hash.h"

#define LOG_MODULE "guard"
#include "log/log.h"
#include "src/proxy.h"

#define GUARD_LINES	20		/* block notices per minute */

/*
 * A slot is named by two seeded hashes of its whole key (64 bits, a
 * random seed each run): no key is cut, and no name is kept.
 */
struct guard_slot {
	uint32_t	hash;
	uint32_t	hash2;
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
};

struct guard_tab {
	struct guard_slot	*slot;
	uint32_t		 mask;
};

struct guard {
	uint32_t		 seed, seed2;
	struct guard_tab	 src, user, pair;
	struct log_quota	 lines;		/* block notices */
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
	g->lines.per_minute = GUARD_LINES;
	g->lines.module = LOG_MODULE;
	g->lines.what = "sign-in blocks and refusals";
	g->seed2 = hash_random_seed();
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
 * The key of an account: its user name without domain or realm, in ASCII
 * lower case ("CORP\\Alice", "corp.example.com\\alice" and
 * "alice@CORP.EXAMPLE.COM" are one AD account and one counter).
 */
static void
account_key(const char *user, char *out, size_t outsz)
{
	const char *bs = strrchr(user, '\\'), *at;
	size_t n, i;

	if (bs != NULL)
		user = bs + 1;
	at = strchr(user, '@');
	n = at != NULL ? (size_t)(at - user) : strlen(user);
	if (n >= outsz)
		n = outsz - 1;
	for (i = 0; i < n; i++)
		out[i] = user[i] >= 'A' && user[i] <= 'Z' ?
		    (char)(user[i] - 'A' + 'a') : user[i];
	out[n] = '\0';
}

/*
 * The key of a source: its address, IPv6 cut to its /64 (one host holds
 * a whole /64: counting each address would give it endless fresh ones).
 */
static void
source_key(const char *addr, char *out, size_t outsz)
{
	unsigned char a6[16];

	if (strchr(addr, ':') != NULL && inet_pton(AF_INET6, addr, a6) == 1) {
		memset(a6 + 8, 0, 8);
		if (inet_ntop(AF_INET6, a6, out, (socklen_t)outsz) != NULL)
			return;
	}
	(void)snprintf(out, outsz, "%s", addr);
}

/*
 * The slot of a key made of a and b (b may be NULL).  With create, a
 * fresh one replaces whatever held the slot, unless that one is blocked:
 * names sprayed at the table must not wipe a block.  NULL when the key
 * has no slot (or cannot have one now).
 */
static struct guard_slot *
slot_of(const struct guard *g, const struct guard_tab *t, const char *a,
    const char *b, int create, uint64_t now)
{
	struct guard_slot *s;
	uint32_t h, h2;

	h = hash_bytes(g->seed, a, strlen(a) + 1);
	h2 = hash_bytes(g->seed2, a, strlen(a) + 1);
	if (b != NULL) {
		h = hash_bytes(h, b, strlen(b));
		h2 = hash_bytes(h2, b, strlen(b));
	}
	s = &t->slot[h & t->mask];
	if (s->used && s->hash == h && s->hash2 == h2)
		return s;
	if (!create || (s->used && s->blocked_until > now))
		return NULL;
	memset(s, 0, sizeof(*s));
	s->used = 1;
	s->hash = h;
	s->hash2 = h2;
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

/* Seconds left of s's block, 0 when not blocked. */
static unsigned
blocked(const struct guard_slot *s, uint64_t now)
{
	return s != NULL && s->blocked_until > now ?
	    (unsigned)((s->blocked_until - now + 999) / 1000) : 0;
}

/* The keys of the request's source and of user (NULL: none). */
struct keys {
	char	src[64];
	char	user[256];
};

static const char *
keys_of(struct ptx *ptx, const char *user, struct keys *k)
{
	source_key(ptx->peer_addr, k->src, sizeof(k->src));
	if (user == NULL)
		return NULL;
	account_key(user, k->user, sizeof(k->user));
	return k->user;
}

/*
 * Seconds an account (or a trusted pair) is held back: while blocked,
 * and also while its failures in the window are still at the threshold,
 * so that the directory never sees more than the threshold in a window
 * (once a block ends, the next guess would otherwise reach it).
 */
static unsigned
held(struct guard_slot *s, unsigned threshold, uint64_t window,
    uint64_t now)
{
	unsigned left;

	if (s == NULL)
		return 0;
	if ((left = blocked(s, now)) > 0)
		return left;
	if (failures(s, now, window) < threshold)
		return 0;
	/* Until the oldest counted failures have aged out of the window. */
	return (unsigned)((s->win_start + window - now + 999) / 1000) + 1;
}

unsigned
guard_check(struct ptx *ptx, const char *user)
{
	struct proxy *px = ptx->px;
	struct guard *g = px->guard;
	const struct conf_guard *c = &px->conf->guard;
	struct guard_slot *s, *p;
	uint64_t now = now_ms(), window = (uint64_t)c->window * 1000;
	struct keys k;
	const char *uk;
	unsigned left;

	if (g == NULL)
		return 0;
	uk = keys_of(ptx, user, &k);
	/* A slot of its own only for the rate (its token bucket). */
	s = slot_of(g, &g->src, k.src, NULL, c->handshake_rate > 0, now);
	if ((left = blocked(s, now)) > 0)
		return left;
	/* The handshake rate of the source: a bucket of 2 s worth. */
	if (c->handshake_rate > 0 && s != NULL) {
		s->tokens += (double)(now - s->refilled) * c->handshake_rate /
		    1000.0;
		if (s->tokens > 2.0 * c->handshake_rate || s->refilled == 0)
			s->tokens = 2.0 * c->handshake_rate;
		s->refilled = now;
		if (s->tokens < 1.0) {
			if (log_quota_take(&g->lines, now))
				log_notice("peer=%s: more than %u handshakes a "
				    "second, refused", ptx->peer_addr,
				    c->handshake_rate);
			return 1;
		}
		s->tokens -= 1.0;
	}
	if (uk == NULL)
		return 0;
	/* A source that signed this account in before is held to the
	   account's threshold on its own failures only. */
	p = slot_of(g, &g->pair, uk, k.src, 0, now);
	if (p != NULL && now - p->signed_in < (uint64_t)c->trust_time * 1000)
		return held(p, c->user_failures, window, now);
	return held(slot_of(g, &g->user, uk, NULL, 0, now), c->user_failures,
	    window, now);
}

/* A failure on s (NULL: no slot to be had): count it, block past the
   threshold. */
static void
count(struct ptx *ptx, struct guard_slot *s, unsigned threshold,
    const char *what, const char *user, uint64_t now)
{
	const struct conf_guard *c = &ptx->px->conf->guard;
	uint64_t block;
	unsigned n;

	if (s == NULL)
		return;
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
	if (log_quota_take(&ptx->px->guard->lines, now))
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
	struct keys k;
	const char *uk;

	if (g == NULL)
		return;
	uk = keys_of(ptx, user, &k);
	count(ptx, slot_of(g, &g->src, k.src, NULL, 1, now),
	    c->source_failures, "source", user, now);
	if (uk == NULL)
		return;
	count(ptx, slot_of(g, &g->user, uk, NULL, 1, now), c->user_failures,
	    "account", user, now);
	/* A trusted source's own failures count against the account's
	   threshold too (it is held back on them alone, see guard_check). */
	count(ptx, slot_of(g, &g->pair, uk, k.src, 0, now), c->user_failures,
	    "account from a source that signed it in before", user, now);
}

void
guard_succeeded(struct ptx *ptx, const char *user)
{
	struct guard *g = ptx->px->guard;
	struct guard_slot *s;
	uint64_t now = now_ms();
	struct keys k;
	const char *uk;

	if (g == NULL || (uk = keys_of(ptx, user, &k)) == NULL)
		return;
	/* This source may sign the account in, whatever others do. */
	if ((s = slot_of(g, &g->pair, uk, k.src, 1, now)) != NULL)
		s->signed_in = now;
}
