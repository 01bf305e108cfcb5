/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/sa_priv.h: the private side of sa.h, the SA and table structs shared
 * by the files of sa/ (table.c, assoc.c, endpoint.c, expire.c, tomb.c).
 */
#ifndef SIPSA_SA_SA_PRIV_H
#define SIPSA_SA_SA_PRIV_H

#include <sys/queue.h>

#include <stdint.h>

#include "sa/hash.h"
#include "sa/sa.h"
#include "sa/seqwin.h"

/* Longest source address sa_begin accepts (IPv6 text is 45). */
#define SA_SRC_MAX	63		/* bytes, NUL excluded */
/* Longest string the SA stores for user, AOR, epid, realm and target. */
#define SA_STRS_MAX	2048		/* bytes, all NULs included */

/*
 * A source address with half-open SAs, in the by_source index while it has
 * any.  Its list is in creation order, oldest first, so the per-source cap
 * evicts from the head.
 */
struct sa_source {
	struct hlink		 link;
	TAILQ_HEAD(, sa_assoc)	 half_open;
	uint32_t		 nhalf;
	char			 addr[];	/* NUL-terminated */
};

/*
 * One SA.  Half-open and established SAs need different links, so those
 * share a union: a half-open SA sits on the table's and its source's
 * half-open lists and keeps the mech_server for its next leg; an
 * established one sits in the expiry heap.  The strings (user, then once
 * bound aor, epid, realm and targetname) live NUL-separated in one block,
 * strs, found by offset; the user always starts at offset 0.
 */
struct sa_assoc {
	struct hlink		 opaque_link;	/* by_opaque, while in table */
	struct hlink		 ep_link;	/* by_endpoint, while bound */
	struct sa_table		*table;		/* NULL once detached */
	struct mech_ctx		*mech;		/* owned; NULL once detached */
	char			*strs;		/* owned; NULL until complete */
	uint64_t		 deadline_ms;	/* unless refreshed */
	uint64_t		 hard_ms;	/* end of the hard lifetime */
	uint64_t		 born_ms;	/* sa_begin() (sa_foreach) */
	uint64_t		 seen_ms;	/* established, or last message
						   verified (sa_foreach) */
	union {
		struct {
			TAILQ_ENTRY(sa_assoc)	 all;
			TAILQ_ENTRY(sa_assoc)	 by_src;
			struct sa_source	*src;
			struct mech_server	*server; /* borrowed */
		} ho;
		struct {
			uint32_t		 heap_idx;
		} est;
	} u;
	struct seqwin		 win;		/* cnum replay window */
	uint32_t		 refcnt;
	uint32_t		 opaque;
	uint32_t		 snum;		/* last snum handed out */
	uint16_t		 strs_len;
	uint16_t		 aor_off, epid_off, realm_off, target_off;
	uint8_t			 state;		/* enum sa_state */
	uint8_t			 kind;		/* enum mech_kind */
	uint8_t			 hdr;		/* enum sa_hdr */
	uint8_t			 bound;		/* in by_endpoint */
	uint8_t			 version;	/* signature string layout */
	char			 opaque_text[SA_OPAQUE_LEN + 1];
};

/*
 * The opaque of an SA that expired or was replaced (sa.h, Tombstones), in
 * the table's tombstone ring and its tombs index.  link.hash is the opaque
 * itself, as in by_opaque.  Times are whole seconds of the table clock
 * since tomb_epoch_ms, so that the entry stays 24 bytes on a 64-bit system
 * (the remaining bytes are padding).
 */
struct sa_tomb {
	struct hlink		 link;
	uint32_t		 gone_s;	/* when it left, rounded up */
	uint8_t			 why;		/* SA_R_EXPIRED or REPLACED */
};

struct heap_ent {
	uint64_t		 key;		/* <= the SA's deadline_ms */
	struct sa_assoc		*sa;
};

struct sa_table {
	struct sa_limits	 lim;
	uint64_t		(*now_ms)(void *arg);
	void			*clock_arg;
	const struct sa_mech_ops *mech;
	uint32_t		 seed;		/* endpoint hash seed */
	struct htab		 by_opaque;
	struct htab		 by_endpoint;
	struct htab		 by_source;
	TAILQ_HEAD(, sa_assoc)	 half_open;	/* oldest first */
	struct heap_ent		*heap;		/* established SAs, min-heap */
	uint32_t		 heap_len;
	uint32_t		 heap_cap;
	struct htab		 tombs;		/* sa_tomb by opaque */
	struct sa_tomb		*ring;		/* oldest at ring_head */
	uint32_t		 ring_head;
	uint32_t		 ring_len;
	uint32_t		 ring_cap;	/* <= lim.max_tombstones */
	uint64_t		 tomb_epoch_ms;	/* clock at table creation */
	struct sa_stats		 st;
};

static inline uint64_t
table_now(const struct sa_table *t)
{
	return t->now_ms(t->clock_arg);
}

/* table.c */
/* Take sa out of the table, wipe its keys and drop the table's reference. */
void	assoc_detach(struct sa_assoc *sa, const char *why);
/* Move a half-open SA off its half-open lists (on establishment). */
void	assoc_leave_half_open(struct sa_assoc *sa);

/* expire.c */
/* Put an established SA into the expiry heap; 0 or ENOMEM. */
int	heap_add(struct sa_table *t, struct sa_assoc *sa);
void	heap_del(struct sa_table *t, struct sa_assoc *sa);
/*
 * Lazy expiry: if sa's deadline has passed, detach it (counted as an
 * expiration) and return 1.  Also returns 1 for a detached SA.
 */
int	assoc_expired(struct sa_assoc *sa);

/* tomb.c */
/* Set up an empty tombstone set; 0 or ENOMEM. */
int	tomb_init(struct sa_table *t);
void	tomb_fini(struct sa_table *t);
/*
 * Remember the opaque of sa, which is about to be detached for why
 * (SA_R_EXPIRED or SA_R_REPLACED).  Does nothing unless sa is established
 * and in a table.  Never fails: without memory, or at max_tombstones, the
 * oldest tombstone goes.
 */
void	tomb_add(struct sa_assoc *sa, enum sa_reason why);
/*
 * What a tombstone says of opaque v: SA_R_EXPIRED or SA_R_REPLACED with
 * the seconds since in *ago_s, or SA_R_UNKNOWN_OPAQUE (none, or too old).
 */
enum sa_reason tomb_find(const struct sa_table *t, uint32_t v,
	    uint32_t *ago_s);
/* Forget tombstones older than tombstone_s, at most budget of them. */
unsigned tomb_expire(struct sa_table *t, unsigned budget);

/* endpoint.c */
void	endpoint_unbind(struct sa_assoc *sa);

/* reason.c */
/* Copy untrusted text for a log line: printable ASCII, at most 64 bytes. */
const char *sa_logsafe(char *buf, size_t bufsz, const char *s);
/* "NTLM" or "Kerberos". */
const char *sa_kind_name(enum mech_kind kind);

#endif /* SIPSA_SA_SA_PRIV_H */
