/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/expire.c: SA expiry without scanning the table: a creation-ordered
 * list for half-open SAs and a lazy min-heap for established ones.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#define LOG_MODULE "sa"
#include "log/log.h"

#include "sa/sa_priv.h"

/*
 * How SAs expire.
 *
 * Every SA has one deadline_ms, the moment it stops being usable.  For a
 * half-open SA it is its creation time plus the handshake timeout; for an
 * established SA it is the end of its idle period, never later than the
 * hard lifetime (8 hours at most from establishment, [MS-SIPAE] §3.2.2).
 * Expiry is enforced in two ways, as Redis does for keys:
 *
 * 1. Lazily.  Every operation that finds or uses an SA first compares the
 *    deadline with the clock (assoc_expired) and, when it has passed,
 *    removes the SA and answers SA_R_EXPIRED.  So an SA is never used a
 *    millisecond late, however rarely the sweep below runs.
 *
 * 2. Actively, by sa_expire_run(), called from a periodic timer so that SAs
 *    nobody asks for again do not hold memory forever.  It must not walk
 *    the whole table: at 100k SAs and a tick per second that would be most
 *    of the work the daemon does.  Instead it only looks at the SAs whose
 *    deadlines come first, and it stops after a budget of SAs examined, so
 *    one call costs a bounded, small amount of time even after a mass
 *    expiry; the rest waits for the next call.
 *
 * Half-open SAs all get the same timeout, so their creation order is also
 * their deadline order: the table's half_open list (which the global cap
 * evicts from, oldest first) is already sorted, and the sweep pops its
 * head while the head has expired.
 *
 * Established SAs have deadlines that move: every verified message pushes
 * the idle deadline forward, and sa_extend() pushes it past the REGISTER
 * expiry.  They sit in a binary min-heap of (key, SA) pairs, and the key
 * is allowed to be stale: it is a lower bound of the SA's deadline, never
 * above it, because deadlines only ever move later.  Refreshing an SA is
 * then a store into the SA, with no heap work on the message path.  When
 * the sweep finds a heap top whose key has passed, it looks at the SA: if
 * the real deadline has passed too, the SA goes; if not, the key is raised
 * to the real deadline and sifted down, which costs O(log n) and one unit
 * of budget.  An SA that is refreshed all the time is thus visited about
 * once per idle period, not once per message.
 *
 * An established SA that expires, either way, leaves a tombstone
 * (tomb.c), so that its opaque is answered SA_R_EXPIRED for a while after
 * the SA has gone.  The sweep spends what is left of its budget on
 * forgetting tombstones that are old enough.
 */

static int
key_less(const struct heap_ent *a, const struct heap_ent *b)
{
	return a->key < b->key;
}

static void
heap_set(struct sa_table *t, uint32_t i, struct heap_ent e)
{
	t->heap[i] = e;
	e.sa->u.est.heap_idx = i;
}

static void
sift_up(struct sa_table *t, uint32_t i)
{
	struct heap_ent e = t->heap[i];
	uint32_t parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (!key_less(&e, &t->heap[parent]))
			break;
		heap_set(t, i, t->heap[parent]);
		i = parent;
	}
	heap_set(t, i, e);
}

static void
sift_down(struct sa_table *t, uint32_t i)
{
	struct heap_ent e = t->heap[i];
	uint32_t child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= t->heap_len)
			break;
		if (child + 1 < t->heap_len &&
		    key_less(&t->heap[child + 1], &t->heap[child]))
			child++;
		if (!key_less(&t->heap[child], &e))
			break;
		heap_set(t, i, t->heap[child]);
		i = child;
	}
	heap_set(t, i, e);
}

int
heap_add(struct sa_table *t, struct sa_assoc *sa)
{
	struct heap_ent *h, e;
	uint32_t cap;

	if (t->heap_len == t->heap_cap) {
		cap = t->heap_cap ? t->heap_cap * 2 : 64;
		h = realloc(t->heap, (size_t)cap * sizeof(*h));
		if (h == NULL)
			return ENOMEM;
		t->heap = h;
		t->heap_cap = cap;
	}
	e.key = sa->deadline_ms;
	e.sa = sa;
	t->heap[t->heap_len] = e;
	sift_up(t, t->heap_len++);
	return 0;
}

void
heap_del(struct sa_table *t, struct sa_assoc *sa)
{
	uint32_t i = sa->u.est.heap_idx;
	struct heap_ent *h;
	struct sa_assoc *moved;

	if (i >= t->heap_len || t->heap[i].sa != sa)
		return;
	t->heap_len--;
	if (i != t->heap_len) {
		moved = t->heap[t->heap_len].sa;
		heap_set(t, i, t->heap[t->heap_len]);
		sift_down(t, i);
		sift_up(t, moved->u.est.heap_idx);
	}
	/* Give memory back after a mass expiry, with hysteresis. */
	if (t->heap_cap > 64 && t->heap_len < t->heap_cap / 4) {
		h = realloc(t->heap, (size_t)(t->heap_cap / 2) * sizeof(*h));
		if (h != NULL) {
			t->heap = h;
			t->heap_cap /= 2;
		}
	}
}

static void
expire_one(struct sa_assoc *sa)
{
	struct sa_table *t = sa->table;

	t->st.expirations++;
	tomb_add(sa, SA_R_EXPIRED);
	assoc_detach(sa, sa->state == ASSOC_HALF_OPEN ? "handshake timeout" :
	    sa->deadline_ms >= sa->hard_ms ? "lifetime" : "idle");
}

int
assoc_expired(struct sa_assoc *sa)
{
	if (sa->table == NULL)
		return 1;
	if (table_now(sa->table) < sa->deadline_ms)
		return 0;
	expire_one(sa);
	return 1;
}

unsigned
sa_expire_run(struct sa_table *t, unsigned budget)
{
	struct sa_assoc *sa;
	uint64_t now = table_now(t);
	unsigned work = 0, expired = 0;

	while (work < budget && (sa = TAILQ_FIRST(&t->half_open)) != NULL &&
	    sa->deadline_ms <= now) {
		work++;
		expired++;
		expire_one(sa);
	}
	while (work < budget && t->heap_len > 0 && t->heap[0].key <= now) {
		work++;
		sa = t->heap[0].sa;
		if (sa->deadline_ms <= now) {
			expired++;
			expire_one(sa);
		} else {
			t->heap[0].key = sa->deadline_ms;
			sift_down(t, 0);
		}
	}
	if (work < budget)
		(void)tomb_expire(t, budget - work);
	return expired;
}

uint64_t
sa_next_deadline_ms(const struct sa_table *t)
{
	uint64_t next = UINT64_MAX;
	struct sa_assoc *sa = TAILQ_FIRST(&t->half_open);

	if (sa != NULL)
		next = sa->deadline_ms;
	if (t->heap_len > 0 && t->heap[0].key < next)
		next = t->heap[0].key;
	return next;
}
