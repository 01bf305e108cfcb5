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

struct registrar {
	struct registrar_config	 cfg;		/* store_dir is not kept */
	const struct reg_store_ops *ops;
	void			*st;		/* the backend's handle */
	reg_random_fn		*rnd;
	void			*rnd_arg;
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
