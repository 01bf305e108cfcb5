/* SPDX-License-Identifier: BSD-2-Clause */
/* sa/hash.c: intrusive chained hash table with power-of-two buckets. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/rand.h>

#include "sa/hash.h"

uint32_t
hash_random_seed(void)
{
	uint32_t seed;

	if (RAND_bytes((unsigned char *)&seed, sizeof(seed)) != 1)
		seed = (uint32_t)time(NULL);
	return seed;
}

static uint32_t
round_pow2(uint32_t n)
{
	uint32_t p = 1;

	while (p < n && p < UINT32_C(0x80000000))
		p <<= 1;
	return p;
}

int
htab_init(struct htab *t, uint32_t nbuckets)
{
	nbuckets = round_pow2(nbuckets < 4 ? 4 : nbuckets);
	t->buckets = calloc(nbuckets, sizeof(*t->buckets));
	if (t->buckets == NULL)
		return ENOMEM;
	t->mask = nbuckets - 1;
	t->count = 0;
	t->min_buckets = nbuckets;
	return 0;
}

void
htab_fini(struct htab *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->mask = 0;
	t->count = 0;
}

/* Move every entry into a new bucket array of nbuckets heads. */
static void
resize(struct htab *t, uint32_t nbuckets)
{
	struct hlink **nb, *l, *next;
	uint32_t i, nmask = nbuckets - 1;

	nb = calloc(nbuckets, sizeof(*nb));
	if (nb == NULL)
		return;
	for (i = 0; i <= t->mask; i++) {
		for (l = t->buckets[i]; l != NULL; l = next) {
			next = l->next;
			l->next = nb[l->hash & nmask];
			nb[l->hash & nmask] = l;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->mask = nmask;
}

void
htab_insert(struct htab *t, struct hlink *l)
{
	struct hlink **head = &t->buckets[l->hash & t->mask];

	l->next = *head;
	*head = l;
	t->count++;
	if (t->count > t->mask + 1 && t->mask < UINT32_C(0x3fffffff))
		resize(t, (t->mask + 1) * 2);
}

void
htab_remove(struct htab *t, struct hlink *l)
{
	struct hlink **pp = &t->buckets[l->hash & t->mask];

	while (*pp != NULL && *pp != l)
		pp = &(*pp)->next;
	if (*pp == NULL)
		return;
	*pp = l->next;
	l->next = NULL;
	t->count--;
	if (t->mask + 1 > t->min_buckets && t->count < (t->mask + 1) / 8)
		resize(t, (t->mask + 1) / 2);
}

struct hlink *
htab_chain(const struct htab *t, uint32_t hash)
{
	return t->buckets[hash & t->mask];
}

void
htab_hold(struct htab *t)
{
	t->min_buckets = t->mask + 1;
}

struct hlink *
htab_next(const struct htab *t, uint32_t *cursor)
{
	for (; *cursor <= t->mask; (*cursor)++)
		if (t->buckets[*cursor] != NULL)
			return t->buckets[*cursor];
	return NULL;
}

size_t
htab_memory(const struct htab *t)
{
	return ((size_t)t->mask + 1) * sizeof(*t->buckets);
}

uint32_t
hash_bytes(uint32_t h, const void *p, size_t len)
{
	const unsigned char *s = p;

	while (len-- > 0) {
		h ^= *s++;
		h *= UINT32_C(16777619);
	}
	return h;
}
