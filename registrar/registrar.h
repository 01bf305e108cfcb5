/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registrar/registrar.h: the sipsa registrar, REGISTER processing after
 * RFC 3261 §10.3 with MS-SIP endpoint identities (epid, +sip.instance,
 * GRUU) over a durable binding store.
 *
 * The API speaks plain C: the daemon parses the REGISTER with Sofia,
 * authenticates it, fills a struct reg_req and turns the struct reg_resp
 * it gets back into a response.  No Sofia, SA or proxy type crosses this
 * boundary, so the registrar and its tests need neither a parser nor a
 * security association.
 */
#ifndef SIPSA_REGISTRAR_H
#define SIPSA_REGISTRAR_H

#include <stddef.h>
#include <stdint.h>

/* Limits on what one binding may carry (bytes, without the NUL). */
#define REG_MAX_URI		1024	/* contact URI, AOR, transport */
#define REG_MAX_TOKEN		255	/* epid, Call-ID, instance */
#define REG_MAX_CONTACTS	16	/* Contact values in one REGISTER */
#define REG_MAX_ENDPOINTS	1000	/* ceiling for max_endpoints */

/*
 * Why a REGISTER ended as it did.  Each reason maps to one SIP status and
 * phrase through registrar_reason_status() (one designated-initialiser
 * table in reason.c).
 */
enum reg_reason {
	REG_REASON_OK = 0,	/* 200: bindings added or refreshed */
	REG_REASON_REMOVED,	/* 200: bindings removed (Expires 0, *) */
	REG_REASON_QUERY,	/* 200: no Contact, bindings listed */
	REG_REASON_RETRANSMISSION, /* 200: same Call-ID and CSeq again */
	REG_REASON_BAD_REQUEST,	/* 400: AOR or Call-ID missing */
	REG_REASON_BAD_CONTACT,	/* 400: Contact URI not sip:/sips: */
	REG_REASON_BAD_STAR,	/* 400: "*" not alone or Expires != 0 */
	REG_REASON_NO_ENDPOINT,	/* 400: neither epid nor +sip.instance */
	REG_REASON_DUP_ENDPOINT, /* 400: two Contacts, one endpoint */
	REG_REASON_INSTANCE_MISMATCH, /* 403: +sip.instance not epid's */
	REG_REASON_TOO_MANY_ENDPOINTS, /* 403: max_endpoints reached */
	REG_REASON_INTERVAL_TOO_BRIEF, /* 423: with Min-Expires */
	REG_REASON_OUT_OF_ORDER, /* 500: same Call-ID, lower CSeq */
	REG_REASON_STORE_ERROR,	/* 500: the store failed */
	REG_REASON_NO_MEMORY,	/* 500: allocation failed */
	REG_REASON_MAX		/* not a reason: the count */
};

/* Status code and phrase of a reason; phrase is static. */
unsigned	 registrar_reason_status(enum reg_reason, const char **phrase);
/* "OK", "INTERVAL_TOO_BRIEF", ...: for log lines ("reason=%s"). */
const char	*registrar_reason_name(enum reg_reason);

/* One Contact value of the REGISTER, as the daemon parsed it. */
struct reg_contact {
	/* [in] borrowed: the URI inside <>. */
	const char	*uri;
	/* [in] borrowed, NULL if absent: the +sip.instance value, with or
	   without quotes and <>, e.g. "<urn:uuid:b2e1...>". */
	const char	*instance;
	long long	 expires;	/* [in] expires=, -1 if absent */
	unsigned	 q;		/* [in] thousandths, 1000 if none */
};

/*
 * The REGISTER, already authenticated.  Every pointer is borrowed for the
 * duration of registrar_handle() only.  A request with ncontacts == 0 is a
 * query; star != 0 stands for "Contact: *" (and then ncontacts is 0).
 */
struct reg_req {
	const char	*aor;		/* authenticated sip:user@domain */
	const char	*epid;		/* From ;epid=, or NULL */
	const struct reg_contact *contacts;
	size_t		 ncontacts;
	int		 star;
	int		 has_expires_hdr;
	unsigned	 expires_hdr;	/* Expires header value */
	const char	*call_id;
	uint32_t	 cseq;
	/* How the client was reached ("tcp:127.0.0.1:51012") and the
	   daemon's connection id (0 if none, e.g. UDP). */
	const char	*transport;
	uint64_t	 conn_id;
	uint64_t	 now;		/* wall clock, seconds */
};

/* One binding as the registrar keeps and reports it. */
struct reg_binding {
	char		*uri;		/* contact URI */
	char		*instance;	/* urn:uuid:…, the endpoint key */
	char		*epid;		/* "" if the client sent none */
	char		*gruu;		/* "" unless the client sent
					   +sip.instance */
	char		*call_id;
	char		*transport;
	uint32_t	 cseq;
	unsigned	 q;		/* thousandths */
	uint64_t	 conn_id;
	uint64_t	 registered;	/* first registration, seconds */
	uint64_t	 expires_at;	/* absolute, seconds */
};

/*
 * The outcome.  registrar_handle() fills it and the caller releases it
 * with reg_resp_clear(); every string belongs to the struct, except
 * phrase and warning, which are static.
 */
struct reg_resp {
	enum reg_reason	 reason;
	unsigned	 status;
	const char	*phrase;
	const char	*warning;	/* Warning text on 4xx, or NULL */
	unsigned	 expires;	/* for the Expires header */
	unsigned	 min_expires;	/* Min-Expires on 423, else 0 */
	/* The AOR's live bindings after the request (the 200's
	   Contacts), and one ready Contact value for each:
	   <uri>;expires=N[;+sip.instance="<…>";gruu="…"]. */
	struct reg_binding *bindings;
	char		**contact_hdrs;
	size_t		 nbindings;
};

void	reg_resp_clear(struct reg_resp *);

/*
 * A location store keeps, per AOR, one opaque record (the encoded binding
 * list, see binding.c).  Every put and del is one committed transaction,
 * on disk when the call returns (with REG_SYNC_FULL; see enum reg_sync).
 * Errors are errno values; get returns ENOENT for an unknown AOR.  The
 * registrar must be the store's only writer: it keeps refreshes that
 * moved nothing but the expiry in memory, by their place in the record.
 */
enum reg_sweep_action {
	REG_SWEEP_KEEP,
	REG_SWEEP_DELETE,
	REG_SWEEP_REPLACE,	/* store *val_out (malloc'ed) instead */
};

typedef enum reg_sweep_action reg_sweep_fn(const char *aor,
    const unsigned char *val, size_t len, unsigned char **val_out,
    size_t *len_out, void *arg);

/*
 * How a commit reaches the disk.  Every mode survives the death of the
 * process (kill -9): a committed transaction is in the kernel when the
 * call returns.  They differ when the machine itself fails:
 * REG_SYNC_FULL loses nothing; REG_SYNC_META may lose the last commit
 * (one fsync per commit instead of two); REG_SYNC_NONE may lose or
 * damage anything since the last registrar_sync().  A refresh that only
 * moves an expiry within refresh_durable is no commit in any mode: it
 * lives in memory until the AOR's next write or registrar_close().
 */
enum reg_sync {
	REG_SYNC_FULL = 0,	/* default: fsync data, then meta */
	REG_SYNC_META,		/* MDB_NOMETASYNC */
	REG_SYNC_NONE,		/* MDB_NOSYNC + registrar_sync() */
};

struct reg_store_params {
	size_t		map_size;	/* bytes; 0: 1 GiB */
	enum reg_sync	sync;
};

struct reg_store_ops {
	const char	*name;
	/* Open or create the store in directory path; the directory is
	   created (mode 0700) when missing, its parent must exist. */
	int	(*open)(const char *path, const struct reg_store_params *,
		    void **st_out);
	/* *val_out is malloc'ed, the caller frees it. */
	int	(*get)(void *st, const char *aor, unsigned char **val_out,
		    size_t *len_out);
	int	(*put)(void *st, const char *aor, const unsigned char *val,
		    size_t len);
	int	(*del)(void *st, const char *aor);
	/* Flush committed transactions to disk (REG_SYNC_NONE). */
	int	(*sync)(void *st);
	/* Visit every record in one write transaction. */
	int	(*sweep)(void *st, reg_sweep_fn *fn, void *arg);
	void	(*close)(void *st);
};

/* The LMDB backend (store_lmdb.c). */
extern const struct reg_store_ops reg_store_lmdb;

/* Settings, copied from struct conf_registrar by the daemon. */
struct registrar_config {
	unsigned	expires_min;	/* s; 423 below it (0 excepted) */
	unsigned	expires_default; /* s; neither param nor header */
	unsigned	expires_max;	/* s; longer requests are cut */
	unsigned	max_endpoints;	/* per AOR, 1..1000 */
	unsigned	jitter;		/* percent 0..50, downward */
	/* Percent 1..100 (0: 50) of its time left that a binding must
	   keep in the store when a refresh only moves its expiry; such a
	   refresh is written only when the stored expiry falls short
	   (doc/registrar.md, "Refreshes kept in memory"). */
	unsigned	refresh_durable;
	const char	*store_dir;	/* borrowed by registrar_open */
	struct reg_store_params store;
};

struct registrar;

/* Random source for the jitter: returns a uniform 32-bit value. */
typedef uint32_t reg_random_fn(void *arg);

/*
 * Open the store (ops: &reg_store_lmdb) and drop every binding that has
 * expired at now.  On success *reg_out is set; free it with
 * registrar_close().  EINVAL for inconsistent settings.
 */
int	registrar_open(const struct registrar_config *,
	    const struct reg_store_ops *ops, uint64_t now,
	    struct registrar **reg_out);
/*
 * Write the refreshes kept in memory (one transaction, synced to disk in
 * every mode) and close the store.
 */
void	registrar_close(struct registrar *);
/*
 * Apply new limits (expires, endpoints, jitter) from a reloaded
 * configuration; the store settings of cfg are ignored.  EINVAL leaves
 * the running limits as they were.
 */
int	registrar_reconfigure(struct registrar *,
	    const struct registrar_config *cfg);
/* Replace the jitter's random source (default: OpenSSL RAND_bytes). */
void	registrar_set_random(struct registrar *, reg_random_fn *,
	    void *arg);

/*
 * Process one REGISTER.  Always fills *resp (even on failure: the reason
 * then says 500) and returns 0, or the errno value behind a 500.
 */
int	registrar_handle(struct registrar *, const struct reg_req *,
	    struct reg_resp *resp);

/*
 * Call fn once per live binding of aor at now (in q order, highest
 * first), for routing.  The binding is borrowed for the call only.
 * Returns 0 (also when there is none), or an errno value.
 */
typedef void reg_lookup_fn(const struct reg_binding *, void *arg);
int	registrar_lookup(struct registrar *, const char *aor, uint64_t now,
	    reg_lookup_fn *fn, void *arg);

/*
 * The same for a GRUU this registrar handed out ("sip:user@domain;
 * opaque=user:epid:<uuid>;gruu"): fn is called for that one endpoint's
 * binding, if it is alive.  EINVAL when uri is not such a GRUU.
 */
int	registrar_lookup_gruu(struct registrar *, const char *uri,
	    uint64_t now, reg_lookup_fn *fn, void *arg);

/*
 * Call fn once for the AOR of every record in the store (each has at
 * least one binding, live or not yet swept), e.g. to learn at start which
 * users have registered here.  Returns 0 or an errno value.
 */
typedef void reg_aor_fn(const char *aor, void *arg);
int	registrar_foreach_aor(struct registrar *, reg_aor_fn *fn, void *arg);

/*
 * Call fn once per live binding at now, record by record (sipsactl's
 * "binding list"); fn returns non-zero to see no more.  The AOR and the
 * binding are borrowed for the call only, and fn must not use the
 * registrar (one store transaction is open).  Returns 0 or an errno
 * value.
 */
typedef int reg_binding_fn(const char *aor, const struct reg_binding *,
    void *arg);
int	registrar_foreach_binding(struct registrar *, uint64_t now,
	    reg_binding_fn *fn, void *arg);
/* The live bindings at now and the AORs they are of (one scan). */
int	registrar_count(struct registrar *, uint64_t now,
	    unsigned long *bindings, unsigned long *aors);

/*
 * Remove the bindings of aor now: those of the endpoint epid (compared
 * ignoring ASCII case) or, epid NULL, all of them (sipsactl's "binding
 * drop" and "kick").  fn, unless NULL, sees each binding removed before
 * it goes (for its connection).  *removed_out counts them.  0 (also when
 * there was none) or an errno value.
 */
int	registrar_remove(struct registrar *, const char *aor,
	    const char *epid, uint64_t now, reg_lookup_fn *fn, void *arg,
	    unsigned *removed_out);

/* Flush the store to disk; for a timer when sync is REG_SYNC_NONE. */
int	registrar_sync(struct registrar *);

/* Drop every binding expired at now; *removed_out counts them. */
int	registrar_expire(struct registrar *, uint64_t now,
	    unsigned *removed_out);

/*
 * The +sip.instance an MS-SIP client derives from its epid ([MS-SIPAE]
 * §3.3.5.2): "urn:uuid:" and a name-based UUID (SHA-1) in the epid
 * namespace.  buf must hold REG_INSTANCE_LEN + 1 bytes.
 */
#define REG_INSTANCE_LEN	45
int	registrar_instance_from_epid(const char *epid, char *buf,
	    size_t bufsize);

#endif /* SIPSA_REGISTRAR_H */
