/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/tomb.c: tombstones, the opaques of SAs that expired or were replaced,
 * remembered for a while so that a lookup can say so (sa.h, Tombstones).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#define LOG_MODULE "sa"
#include "log/log.h"

#include "sa/sa_priv.h"

/*
 * How tombstones are kept.
 *
 * The set lives on an edge facing hostile networks, so it is bounded in
 * count (max_tombstones) and in time (tombstone_s).  The table clock is
 * monotonic, so tombstones are made in time order, and one ring buffer,
 * oldest first, serves both bounds: the sweep forgets from the head while
 * the head is too old, and a full ring forgets its head to make room.  The
 * ring grows by doubling up to max_tombstones, halves when it is less than
 * a quarter full and is freed when empty, so an idle table gives its
 * memory back.  The tombs index (sa/hash.c) links the ring's entries in
 * place; moving them to a new ring therefore rebuilds the index, which
 * costs one insertion per tombstone and happens once per doubling or
 * halving.
 *
 * A lookup checks a tombstone's age itself, so a sweep that runs late or
 * out of budget never makes a lookup answer wrong, it only holds memory
 * for longer.  The clock is read in whole seconds: a tombstone made at
 * 12.3 s counts from 13 s, so it is kept at least tombstone_s seconds and
 * less than one second more.
 */

#define RING_MIN	64		/* tombstones */

_Static_assert(sizeof(struct sa_tomb) <= 24, "struct sa_tomb grew");

/* Seconds of the table clock since the table was made, rounded down or up. */
static uint64_t
tomb_now_s(const struct sa_table *t, int round_up)
{
	uint64_t now = table_now(t);

	if (now <= t->tomb_epoch_ms)
		return 0;
	now -= t->tomb_epoch_ms;
	return (now + (round_up ? 999 : 0)) / 1000;
}

static int
tomb_due(const struct sa_table *t, const struct sa_tomb *x, uint64_t now_s)
{
	return (uint64_t)x->gone_s + t->lim.tombstone_s <= now_s;
}

int
tomb_init(struct sa_table *t)
{
	t->ring = NULL;
	t->ring_head = t->ring_len = t->ring_cap = 0;
	t->tomb_epoch_ms = table_now(t);
	return htab_init(&t->tombs, RING_MIN);
}

void
tomb_fini(struct sa_table *t)
{
	htab_fini(&t->tombs);
	free(t->ring);
	t->ring = NULL;
	t->ring_head = t->ring_len = t->ring_cap = 0;
}

/*
 * Move the tombstones, oldest first, into a new ring of cap entries
 * (cap >= ring_len) with its own index.  Returns 0 or ENOMEM, when the
 * old ring and index stay as they were.
 */
static int
ring_resize(struct sa_table *t, uint32_t cap)
{
	struct sa_tomb *r = NULL;
	struct htab h;
	uint32_t i;

	if (cap > 0 && (r = calloc(cap, sizeof(*r))) == NULL)
		return ENOMEM;
	if (htab_init(&h, RING_MIN) != 0) {
		free(r);
		return ENOMEM;
	}
	for (i = 0; i < t->ring_len; i++) {
		r[i] = t->ring[(t->ring_head + i) % t->ring_cap];
		htab_insert(&h, &r[i].link);
	}
	htab_fini(&t->tombs);
	free(t->ring);
	t->tombs = h;
	t->ring = r;
	t->ring_cap = cap;
	t->ring_head = 0;
	return 0;
}

static void
drop_oldest(struct sa_table *t)
{
	struct sa_tomb *x = &t->ring[t->ring_head];

	htab_remove(&t->tombs, &x->link);
	t->ring_head = (t->ring_head + 1) % t->ring_cap;
	t->ring_len--;
	t->st.tombstones--;
}

/* Make room in a ring that is full and cannot grow: the oldest goes. */
static void
forget_oldest(struct sa_table *t)
{
	const struct sa_tomb *x;

	if (t->ring_len == 0)
		return;
	x = &t->ring[t->ring_head];
	/* Debug only: every new tombstone would log a line; see the stats. */
	if (!tomb_due(t, x, tomb_now_s(t, 0))) {
		t->st.tombstone_evictions++;
		log_debug("forgot tombstone sa=%08X early: %u kept",
		    (unsigned)x->link.hash, (unsigned)t->ring_len);
	}
	drop_oldest(t);
}

void
tomb_add(struct sa_assoc *sa, enum sa_reason why)
{
	struct sa_table *t = sa->table;
	struct sa_tomb *x;
	uint64_t cap, gone_s;

	if (t == NULL || sa->state != ASSOC_ESTABLISHED)
		return;
	if (t->ring_len == t->ring_cap) {
		cap = t->ring_cap < RING_MIN ? RING_MIN :
		    (uint64_t)t->ring_cap * 2;
		if (cap > t->lim.max_tombstones)
			cap = t->lim.max_tombstones;
		if (cap <= t->ring_cap || ring_resize(t, (uint32_t)cap) != 0)
			forget_oldest(t);
		if (t->ring_len == t->ring_cap)
			return;			/* no memory at all */
	}
	gone_s = tomb_now_s(t, 1);
	x = &t->ring[(t->ring_head + t->ring_len) % t->ring_cap];
	x->link.hash = sa->opaque;
	x->gone_s = gone_s > UINT32_MAX ? UINT32_MAX : (uint32_t)gone_s;
	x->why = (uint8_t)why;
	htab_insert(&t->tombs, &x->link);
	t->ring_len++;
	t->st.tombstones++;
}

enum sa_reason
tomb_find(const struct sa_table *t, uint32_t v, uint32_t *ago_s)
{
	const struct sa_tomb *x;
	struct hlink *l;
	uint64_t now_s = tomb_now_s(t, 0);

	*ago_s = 0;
	/* An old tombstone may share the opaque of a newer one: skip it. */
	for (l = htab_chain(&t->tombs, v); l != NULL; l = l->next) {
		x = HTAB_ENTRY(l, struct sa_tomb, link);
		if (l->hash != v || tomb_due(t, x, now_s))
			continue;
		if (now_s > x->gone_s)
			*ago_s = (uint32_t)(now_s - x->gone_s);
		return (enum sa_reason)x->why;
	}
	return SA_R_UNKNOWN_OPAQUE;
}

unsigned
tomb_expire(struct sa_table *t, unsigned budget)
{
	uint64_t now_s = tomb_now_s(t, 0);
	unsigned work = 0;

	while (work < budget && t->ring_len > 0 &&
	    tomb_due(t, &t->ring[t->ring_head], now_s)) {
		drop_oldest(t);
		work++;
	}
	/* Give memory back, with hysteresis; a failure keeps the ring. */
	if (t->ring_len == 0 && t->ring_cap > 0)
		(void)ring_resize(t, 0);
	else if (t->ring_cap > RING_MIN && t->ring_len < t->ring_cap / 4)
		(void)ring_resize(t, t->ring_cap / 2);
	return work;
}
