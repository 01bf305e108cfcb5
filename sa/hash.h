/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/hash.h: the intrusive chained hash table behind the SA table's
 * indexes (opaque, endpoint, source address).
 */
#ifndef SIPSA_SA_HASH_H
#define SIPSA_SA_HASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Embedded in each indexed object: the chain link and the object's full
 * hash, kept so that resizing never rehashes keys and chain walks compare
 * keys only when the hashes match.
 */
struct hlink {
	struct hlink	*next;
	uint32_t	 hash;
};

/*
 * A power-of-two array of chain heads.  The table doubles when it holds
 * more entries than buckets and halves when it is under one eighth full, so
 * chains stay short and an empty table shrinks back.  A failed resize is
 * not an error: the table keeps working with longer chains, so inserting
 * never fails.
 */
struct htab {
	struct hlink	**buckets;
	uint32_t	  mask;		/* buckets - 1 */
	uint32_t	  count;
	uint32_t	  min_buckets;
};

/* Returns 0 or ENOMEM.  nbuckets is rounded up to a power of two. */
int	htab_init(struct htab *t, uint32_t nbuckets);
void	htab_fini(struct htab *t);
/* Insert l, whose hash field is set; duplicates are the caller's business. */
void	htab_insert(struct htab *t, struct hlink *l);
/* Remove l, which must be in t. */
void	htab_remove(struct htab *t, struct hlink *l);
/* First link of the chain that holds hash; walk on with ->next. */
struct hlink *htab_chain(const struct htab *t, uint32_t hash);
/*
 * For draining a table: htab_hold() stops the table from shrinking, then
 * htab_next() returns an entry in bucket *cursor or later (advancing the
 * cursor, which starts at 0), or NULL when none is left.  Removing the
 * returned entry before the next call keeps the walk linear.
 */
void	htab_hold(struct htab *t);
struct hlink *htab_next(const struct htab *t, uint32_t *cursor);
/* Bytes of bucket array (for the memory accounting). */
size_t	htab_memory(const struct htab *t);

/*
 * A random seed for hash_bytes(), so that nobody can aim keys at one chain
 * or slot (from OpenSSL's generator; the time if that fails).
 */
uint32_t hash_random_seed(void);

/* Seeded FNV-1a over len bytes, continuing from h. */
uint32_t hash_bytes(uint32_t h, const void *p, size_t len);

#define HTAB_ENTRY(link, type, member) \
	((type *)(void *)((char *)(link) - offsetof(type, member)))

#endif /* SIPSA_SA_HASH_H */
