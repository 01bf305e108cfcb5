/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registrar/pending.c: expiry-only refreshes that were answered without a
 * store write.  Per AOR, the bindings whose expires_at (and cseq) in
 * memory are ahead of the stored record, by their position in that
 * record.  Every read of a record lays these over it; every write of the
 * AOR's whole live state makes them void and drops them.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "registrar/internal.h"

struct pend_aor {
	struct pend_aor	*next;		/* hash chain */
	uint32_t	 hash;
	uint32_t	 n;
	int		 marked;	/* written by an uncommitted sweep */
	char		*aor;		/* after the items, same allocation */
	struct reg_stamp item[];
};

#define PEND_MIN_BUCKETS	256

/* FNV-1a: the AORs are ours (authenticated), not chosen to collide. */
static uint32_t
aor_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void
pend_free(struct pend_table *t)
{
	struct pend_aor *e, *next;
	size_t i;

	for (i = 0; i < t->nbuckets; i++)
		for (e = t->bucket[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	free(t->bucket);
	memset(t, 0, sizeof(*t));
}

static struct pend_aor **
pend_slot(const struct pend_table *t, const char *aor, uint32_t h)
{
	struct pend_aor **pp;

	if (t->nbuckets == 0)
		return NULL;
	for (pp = &t->bucket[h & (t->nbuckets - 1)]; *pp != NULL;
	    pp = &(*pp)->next)
		if ((*pp)->hash == h && strcmp((*pp)->aor, aor) == 0)
			return pp;
	return pp;
}

/* Double the buckets; on ENOMEM the table stays as it is (slower). */
static void
pend_grow(struct pend_table *t)
{
	struct pend_aor **nb, *e, *next;
	size_t n = t->nbuckets != 0 ? t->nbuckets * 2 : PEND_MIN_BUCKETS;
	size_t i;

	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return;
	for (i = 0; i < t->nbuckets; i++)
		for (e = t->bucket[i]; e != NULL; e = next) {
			next = e->next;
			e->next = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	free(t->bucket);
	t->bucket = nb;
	t->nbuckets = n;
}

int
pend_init(struct pend_table *t)
{
	memset(t, 0, sizeof(*t));
	pend_grow(t);
	return t->nbuckets != 0 ? 0 : ENOMEM;
}

int
pend_any(const struct pend_table *t, const char *aor)
{
	struct pend_aor **pp;

	if (t->count == 0)
		return 0;
	pp = pend_slot(t, aor, aor_hash(aor));
	return pp != NULL && *pp != NULL;
}

void
pend_apply(const struct pend_table *t, const char *aor,
    struct reg_blist *l)
{
	const struct reg_stamp *it;
	struct pend_aor **pp;
	uint32_t i;

	if (t->count == 0 || (pp = pend_slot(t, aor, aor_hash(aor))) == NULL ||
	    *pp == NULL)
		return;
	for (i = 0; i < (*pp)->n; i++) {
		it = &(*pp)->item[i];
		if (it->idx < l->n && l->b[it->idx].expires_at == it->stored) {
			l->b[it->idx].expires_at = it->expires_at;
			l->b[it->idx].cseq = it->cseq;
		}
	}
}

/*
 * The rule of doc/registrar.md: every binding whose stamps moved lives,
 * as stored, at least pct percent of the time it has left in memory, and
 * no longer than that: 100 (s - now) >= pct (m - now), now < s <= m.
 */
static int
pend_within(const struct reg_stamp *st, uint32_t n, uint64_t now,
    unsigned pct)
{
	uint64_t s, m;
	uint32_t i;

	for (i = 0; i < n; i++) {
		s = st[i].stored;
		m = st[i].expires_at;
		if (s <= now || s > m ||
		    (s - now) * 100 < (m - now) * (uint64_t)pct)
			return 0;
	}
	return 1;
}

int
pend_prepare(const char *aor, const unsigned char *old, size_t oldlen,
    const unsigned char *nw, size_t nwlen, uint64_t now, unsigned pct,
    int *skip, struct pend_aor **out)
{
	struct pend_aor *e;
	uint32_t n = 0;
	size_t alen;

	*out = NULL;
	*skip = old != NULL && nw != NULL &&
	    record_stamps_only(old, oldlen, nw, nwlen, NULL, &n);
	if (!*skip || n == 0)
		return 0;
	alen = strlen(aor) + 1;
	e = malloc(sizeof(*e) + n * sizeof(e->item[0]) + alen);
	if (e == NULL)
		return ENOMEM;
	memset(e, 0, sizeof(*e));
	e->aor = (char *)&e->item[n];
	memcpy(e->aor, aor, alen);
	e->hash = aor_hash(aor);
	(void)record_stamps_only(old, oldlen, nw, nwlen, e->item, &e->n);
	if (!pend_within(e->item, e->n, now, pct)) {
		free(e);
		*skip = 0;
		return 0;
	}
	*out = e;
	return 0;
}

void
pend_install(struct pend_table *t, const char *aor, struct pend_aor *e)
{
	struct pend_aor **pp, *old = NULL;

	if (e == NULL && t->count == 0)
		return;
	if (e != NULL && t->count >= t->nbuckets)
		pend_grow(t);
	pp = pend_slot(t, aor, aor_hash(aor));
	if (pp != NULL && *pp != NULL) {
		old = *pp;
		*pp = old->next;
		t->count--;
	}
	free(old);
	if (e == NULL)
		return;
	e->next = t->bucket[e->hash & (t->nbuckets - 1)];
	t->bucket[e->hash & (t->nbuckets - 1)] = e;
	t->count++;
}

void
pend_mark(struct pend_table *t, const char *aor)
{
	struct pend_aor **pp;

	if (t->count == 0 || (pp = pend_slot(t, aor, aor_hash(aor))) == NULL ||
	    *pp == NULL)
		return;
	(*pp)->marked = 1;
}

void
pend_settle(struct pend_table *t, int committed)
{
	struct pend_aor **pp, *e;
	size_t i;

	for (i = 0; i < t->nbuckets && t->count > 0; i++)
		for (pp = &t->bucket[i]; (e = *pp) != NULL;) {
			if (e->marked && committed) {
				*pp = e->next;
				free(e);
				t->count--;
				continue;
			}
			e->marked = 0;
			pp = &e->next;
		}
}
