/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registrar/internal.h: what the registrar's files share and nobody else
 * sees: the registrar object, the binding list and its record codec, the
 * expiry rules and the reason table's warning texts.
 */
#ifndef SIPSA_REGISTRAR_INTERNAL_H
#define SIPSA_REGISTRAR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "registrar/registrar.h"

/* Record format version; the first byte of every stored record. */
#define REG_RECORD_V1		1
/* LMDB's default key limit; the AOR is the key. */
#define REG_MAX_AOR		511

/*
 * The refreshes answered but not written (pending.c): a hash table from
 * AOR to the bindings whose expires_at and cseq in memory are ahead of
 * the stored record.
 */
struct pend_aor;
struct pend_table {
	struct pend_aor		**bucket;	/* nbuckets, a power of 2 */
	size_t			 nbuckets;
	size_t			 count;		/* AORs with an entry */
};

struct registrar {
	struct registrar_config	 cfg;		/* store_dir is not kept */
	const struct reg_store_ops *ops;
	void			*st;		/* the backend's handle */
	reg_random_fn		*rnd;
	void			*rnd_arg;
	struct pend_table	 pend;
};

/* The bindings of one AOR: the decoded form of one record. */
struct reg_blist {
	struct reg_binding	*b;		/* owned, n entries */
	size_t			 n;
};

void	binding_clear(struct reg_binding *);
int	binding_copy(struct reg_binding *dst, const struct reg_binding *src);
void	blist_clear(struct reg_blist *);
/* Append a copy of *b; ENOMEM on failure (the list is unchanged). */
int	blist_add(struct reg_blist *, const struct reg_binding *b);
void	blist_remove(struct reg_blist *, size_t i);
/* Drop the bindings expired at now; returns how many were dropped. */
unsigned blist_prune(struct reg_blist *, uint64_t now);
/* Sort by q (highest first), then by most recent registration. */
void	blist_sort(struct reg_blist *);

/* Record codec (format: doc/registrar.md).  EBADMSG on a bad record. */
int	record_encode(const struct reg_blist *, unsigned char **val_out,
	    size_t *len_out);
int	record_decode(const unsigned char *val, size_t len,
	    struct reg_blist *out);

/*
 * The stamps of one binding that an expiry-only refresh moves: where the
 * binding sits in the stored record, its expires_at there, and its
 * expires_at and cseq in memory.
 */
struct reg_stamp {
	uint64_t		 expires_at;	/* in memory */
	uint64_t		 stored;	/* in the store */
	uint32_t		 idx;		/* position in the record */
	uint32_t		 cseq;		/* in memory */
};

/*
 * 1 when the records old (stored) and nw differ at most in the expires_at
 * and cseq of their bindings; st, unless NULL, receives the bindings that
 * differ, *n counts them.  0 for any other difference.
 */
int	record_stamps_only(const unsigned char *old, size_t oldlen,
	    const unsigned char *nw, size_t nwlen, struct reg_stamp *st,
	    uint32_t *n);

/* The unwritten refreshes (pending.c); ENOMEM from pend_init. */
int	pend_init(struct pend_table *);
void	pend_free(struct pend_table *);
/* 1 when aor has refreshes that are not in the store. */
int	pend_any(const struct pend_table *, const char *aor);
/* Lay aor's unwritten refreshes over l, as just decoded from the store. */
void	pend_apply(const struct pend_table *, const char *aor,
	    struct reg_blist *l);
/*
 * Decide whether the new record nw of aor may stay unwritten: *skip is 1
 * when it differs from the stored record old only in expiry and cseq and
 * every moved binding lives, as stored, at least pct percent of its time
 * left in memory.  *out then holds the entry to pend_install() (NULL when
 * the records are the same).  0 or ENOMEM.
 */
int	pend_prepare(const char *aor, const unsigned char *old,
	    size_t oldlen, const unsigned char *nw, size_t nwlen,
	    uint64_t now, unsigned pct, int *skip, struct pend_aor **out);
/* Replace aor's entry with e (NULL: drop it, after a write); no error. */
void	pend_install(struct pend_table *, const char *aor,
	    struct pend_aor *e);
/* A sweep wrote aor: drop its entry once the sweep has committed. */
void	pend_mark(struct pend_table *, const char *aor);
/* After a sweep: drop the marked entries if it committed, else keep. */
void	pend_settle(struct pend_table *, int committed);

/*
 * The expiry a contact asks for (contact param, else Expires header, else
 * the default), checked against min and cut to max.  Sets *expires_out
 * and returns REG_REASON_OK, or REG_REASON_INTERVAL_TOO_BRIEF.
 */
enum reg_reason	expiry_compute(const struct registrar_config *,
	    const struct reg_req *, const struct reg_contact *,
	    unsigned *expires_out);
/* Shorten a granted expiry by up to pct percent, never below min. */
unsigned	expiry_jitter(unsigned expires, unsigned pct, unsigned min,
	    uint32_t random);

/* 1 if uri may be stored as a contact (sip:/sips:, printable). */
int	uri_valid(const char *uri);
/* Strip quotes and <>, lower-case, check URN characters; EINVAL. */
int	instance_normalize(const char *in, char *buf, size_t bufsize);
/* The pub-gruu for (aor, instance); malloc'ed into *gruu_out. */
int	gruu_make(const char *aor, const char *instance, char **gruu_out);
/* Split a GRUU into AOR and instance (not normalised); EINVAL. */
int	gruu_parse(const char *uri, char *aor, size_t aorsize,
	    char *instance, size_t instsize);
/*
 * Format one 200 OK Contact value for b at now; malloc'ed.  The instance
 * and GRUU are left out when b->gruu is empty (the client sent no
 * +sip.instance).
 */
int	contact_format(const struct reg_binding *b, uint64_t now,
	    char **hdr_out);

/* Warning text of a reason (NULL for success). */
const char	*registrar_reason_warning(enum reg_reason);

#endif /* SIPSA_REGISTRAR_INTERNAL_H */
