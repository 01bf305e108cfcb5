/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/table.c: the SA table ([MS-SIP] §3.1.5.1 opaque, [MS-SIPAE] §3.3):
 * creation with limits, the opaque and source-address indexes, half-open
 * SAs with their caps and oldest-first eviction, references and detaching.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#define LOG_MODULE "sa"
#include "log/log.h"

#include "sa/sa_priv.h"

#define DEF_IDLE_S		900	/* seconds */
#define DEF_HANDSHAKE_S		60	/* seconds */
#define DEF_MAX_HALF_OPEN	10000
#define DEF_MAX_HALF_OPEN_SRC	16
/*
 * Tombstones: an hour covers a client that comes back after a suspend or
 * a network outage, or within a usual REGISTER interval; 100000 covers a
 * mass expiry of as many SAs as sipsad is benchmarked with
 * (doc/benchmarks.md), in about 3.5 MB.
 */
#define DEF_TOMBSTONE_S		3600	/* seconds */
#define DEF_MAX_TOMBSTONES	100000

int
sa_table_create(const struct sa_table_params *params,
    struct sa_table **table_out)
{
	struct sa_table *t = NULL;
	int ret;

	*table_out = NULL;
	if (params == NULL || params->mech == NULL ||
	    params->limits.lifetime_s > SA_LIFETIME_MAX_S)
		return EINVAL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return ENOMEM;
	t->lim = params->limits;
	if (t->lim.lifetime_s == 0)
		t->lim.lifetime_s = SA_LIFETIME_MAX_S;
	if (t->lim.idle_s == 0)
		t->lim.idle_s = DEF_IDLE_S;
	if (t->lim.handshake_s == 0)
		t->lim.handshake_s = DEF_HANDSHAKE_S;
	if (t->lim.max_half_open == 0)
		t->lim.max_half_open = DEF_MAX_HALF_OPEN;
	if (t->lim.max_half_open_per_source == 0)
		t->lim.max_half_open_per_source = DEF_MAX_HALF_OPEN_SRC;
	if (t->lim.tombstone_s == 0)
		t->lim.tombstone_s = DEF_TOMBSTONE_S;
	if (t->lim.max_tombstones == 0)
		t->lim.max_tombstones = DEF_MAX_TOMBSTONES;
	t->now_ms = params->now_ms ? params->now_ms : sa_clock_monotonic;
	t->clock_arg = params->clock_arg;
	t->mech = params->mech;
	TAILQ_INIT(&t->half_open);
	if (RAND_bytes((unsigned char *)&t->seed, sizeof(t->seed)) != 1) {
		ret = EIO;
		goto out;
	}
	if ((ret = htab_init(&t->by_opaque, 64)) != 0 ||
	    (ret = htab_init(&t->by_endpoint, 64)) != 0 ||
	    (ret = htab_init(&t->by_source, 64)) != 0 ||
	    (ret = tomb_init(t)) != 0)
		goto out;
	*table_out = t;
	t = NULL;
	ret = 0;
out:
	if (t != NULL) {
		htab_fini(&t->by_opaque);
		htab_fini(&t->by_endpoint);
		htab_fini(&t->by_source);
		tomb_fini(t);
		free(t);
	}
	return ret;
}

void
sa_table_free(struct sa_table *t)
{
	struct hlink *l;
	uint32_t cursor = 0;

	if (t == NULL)
		return;
	htab_hold(&t->by_opaque);
	while ((l = htab_next(&t->by_opaque, &cursor)) != NULL)
		assoc_detach(HTAB_ENTRY(l, struct sa_assoc, opaque_link),
		    "shutdown");
	htab_fini(&t->by_opaque);
	htab_fini(&t->by_endpoint);
	htab_fini(&t->by_source);
	tomb_fini(t);
	free(t->heap);
	free(t);
}

const struct sa_mech_ops *
sa_table_mech(const struct sa_table *t)
{
	return t->mech;
}

void
sa_table_stats(const struct sa_table *t, struct sa_stats *st)
{
	*st = t->st;
}

static struct sa_source *
source_find(struct sa_table *t, const char *addr, uint32_t h)
{
	struct hlink *l;
	struct sa_source *s;

	for (l = htab_chain(&t->by_source, h); l != NULL; l = l->next) {
		s = HTAB_ENTRY(l, struct sa_source, link);
		if (l->hash == h && strcmp(s->addr, addr) == 0)
			return s;
	}
	return NULL;
}

static struct sa_source *
source_get(struct sa_table *t, const char *addr)
{
	struct sa_source *s;
	uint32_t h = hash_bytes(t->seed, addr, strlen(addr));
	size_t len = strlen(addr);

	if ((s = source_find(t, addr, h)) != NULL)
		return s;
	s = calloc(1, sizeof(*s) + len + 1);
	if (s == NULL)
		return NULL;
	memcpy(s->addr, addr, len + 1);
	TAILQ_INIT(&s->half_open);
	s->link.hash = h;
	htab_insert(&t->by_source, &s->link);
	return s;
}

void
assoc_leave_half_open(struct sa_assoc *sa)
{
	struct sa_table *t = sa->table;
	struct sa_source *s = sa->u.ho.src;

	TAILQ_REMOVE(&t->half_open, sa, u.ho.all);
	TAILQ_REMOVE(&s->half_open, sa, u.ho.by_src);
	if (--s->nhalf == 0) {
		htab_remove(&t->by_source, &s->link);
		free(s);
	}
	memset(&sa->u, 0, sizeof(sa->u));
	t->st.half_open--;
}

void
assoc_detach(struct sa_assoc *sa, const char *why)
{
	struct sa_table *t = sa->table;

	if (t == NULL)
		return;
	log_debug("removed sa=%s scheme=%s state=%s why=%s", sa->opaque_text,
	    sa_kind_name(sa->kind),
	    sa->state == ASSOC_HALF_OPEN ? "half-open" : "established", why);
	htab_remove(&t->by_opaque, &sa->opaque_link);
	if (sa->state == ASSOC_HALF_OPEN) {
		assoc_leave_half_open(sa);
	} else if (sa->state == ASSOC_ESTABLISHED) {
		endpoint_unbind(sa);
		heap_del(t, sa);
		t->st.established--;
	}
	if (sa->mech != NULL)
		t->mech->ctx_free(sa->mech);
	sa->mech = NULL;
	OPENSSL_cleanse(&sa->win, sizeof(sa->win));
	sa->state = ASSOC_DETACHED;
	sa->table = NULL;
	sa_unref(sa);
}

struct sa_assoc *
sa_ref(struct sa_assoc *sa)
{
	if (sa != NULL)
		sa->refcnt++;
	return sa;
}

void
sa_unref(struct sa_assoc *sa)
{
	if (sa == NULL || --sa->refcnt > 0)
		return;
	free(sa->strs);
	free(sa);
}

static struct sa_assoc *
opaque_find(const struct sa_table *t, uint32_t v)
{
	struct hlink *l;
	struct sa_assoc *sa;

	for (l = htab_chain(&t->by_opaque, v); l != NULL; l = l->next) {
		sa = HTAB_ENTRY(l, struct sa_assoc, opaque_link);
		if (sa->opaque == v)
			return sa;
	}
	return NULL;
}

/*
 * Draw an opaque that no SA in the table and no tombstone has, so that a
 * tombstone always speaks of one SA.  The value is 32 bits from the
 * OpenSSL DRBG, which is what makes it unguessable; it doubles as its own
 * hash.  A collision needs another draw, which with 100k SAs and 100k
 * tombstones happens once in about 21000 calls.
 */
static int
opaque_new(const struct sa_table *t, uint32_t *v_out)
{
	uint32_t v, ago_s;
	int tries;

	for (tries = 0; tries < 16; tries++) {
		if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
			return EIO;
		if (opaque_find(t, v) == NULL &&
		    tomb_find(t, v, &ago_s) == SA_R_UNKNOWN_OPAQUE) {
			*v_out = v;
			return 0;
		}
	}
	return EIO;
}

static void
evict(struct sa_assoc *victim, const char *which)
{
	struct sa_table *t = victim->table;

	/* Debug only: a flood would log a line per packet; see the stats. */
	t->st.evictions++;
	log_debug("evicted half-open sa=%s peer=%s cap=%s", victim->opaque_text,
	    victim->u.ho.src->addr, which);
	assoc_detach(victim, "evicted");
}

int
sa_begin(struct sa_table *t, const char *src, enum mech_kind kind,
    enum sa_hdr hdr, struct mech_server *server, struct sa_assoc **sa_out)
{
	struct sa_assoc *sa = NULL;
	struct sa_source *s;
	uint32_t v;
	int ret;

	*sa_out = NULL;
	if (t == NULL || src == NULL || *src == '\0' ||
	    strlen(src) > SA_SRC_MAX || (kind != MECH_NTLM &&
	    kind != MECH_KERBEROS) || (hdr != SA_HDR_WWW &&
	    hdr != SA_HDR_PROXY))
		return EINVAL;
	/* Make room first, so that the new SA is never the one evicted. */
	s = source_find(t, src, hash_bytes(t->seed, src, strlen(src)));
	if (s != NULL && s->nhalf >= t->lim.max_half_open_per_source)
		evict(TAILQ_FIRST(&s->half_open), "source");
	if (t->st.half_open >= t->lim.max_half_open)
		evict(TAILQ_FIRST(&t->half_open), "global");
	if ((ret = opaque_new(t, &v)) != 0)
		return ret;
	sa = calloc(1, sizeof(*sa));
	if (sa == NULL)
		return ENOMEM;
	if ((s = source_get(t, src)) == NULL) {
		free(sa);
		return ENOMEM;
	}
	sa->refcnt = 2;			/* the table's and the caller's */
	sa->table = t;
	sa->opaque = v;
	(void)snprintf(sa->opaque_text, sizeof(sa->opaque_text), "%08X",
	    (unsigned)v);
	sa->state = ASSOC_HALF_OPEN;
	sa->kind = (uint8_t)kind;
	sa->hdr = (uint8_t)hdr;
	sa->born_ms = table_now(t);
	sa->deadline_ms = sa->born_ms + (uint64_t)t->lim.handshake_s * 1000;
	sa->u.ho.src = s;
	sa->u.ho.server = server;
	TAILQ_INSERT_TAIL(&t->half_open, sa, u.ho.all);
	TAILQ_INSERT_TAIL(&s->half_open, sa, u.ho.by_src);
	s->nhalf++;
	sa->opaque_link.hash = v;
	htab_insert(&t->by_opaque, &sa->opaque_link);
	t->st.half_open++;
	t->st.created++;
	log_debug("begin sa=%s scheme=%s peer=%s", sa->opaque_text,
	    sa_kind_name(kind), s->addr);
	*sa_out = sa;
	return 0;
}

/* Parse exactly SA_OPAQUE_LEN hex digits, either case. */
static int
opaque_parse(const char *s, size_t len, uint32_t *v_out)
{
	uint32_t v = 0;
	size_t i;
	int c;

	if (s == NULL || len != SA_OPAQUE_LEN)
		return EINVAL;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return EINVAL;
		v = v << 4 | (uint32_t)c;
	}
	*v_out = v;
	return 0;
}

enum sa_reason
sa_lookup_opaque(struct sa_table *t, const char *opaque, size_t len,
    struct sa_assoc **sa_out)
{
	struct sa_assoc *sa;
	enum sa_reason r;
	char buf[SA_OPAQUE_LEN + 1];
	uint32_t v, ago_s;

	*sa_out = NULL;
	if (opaque_parse(opaque, len, &v) != 0) {
		log_notice("lookup failed sa=(malformed, %zu bytes) "
		    "reason=%s", opaque == NULL ? 0 : len,
		    sa_reason_name(SA_R_UNKNOWN_OPAQUE));
		return SA_R_UNKNOWN_OPAQUE;
	}
	memcpy(buf, opaque, SA_OPAQUE_LEN);
	buf[SA_OPAQUE_LEN] = '\0';
	if ((sa = opaque_find(t, v)) == NULL) {
		if ((r = tomb_find(t, v, &ago_s)) != SA_R_UNKNOWN_OPAQUE) {
			log_notice("lookup failed sa=%s reason=%s gone=%us",
			    buf, sa_reason_name(r), (unsigned)ago_s);
			return r;
		}
		log_notice("lookup failed sa=%s reason=%s", buf,
		    sa_reason_name(SA_R_UNKNOWN_OPAQUE));
		return SA_R_UNKNOWN_OPAQUE;
	}
	if (assoc_expired(sa)) {
		log_notice("lookup failed sa=%s reason=%s", buf,
		    sa_reason_name(SA_R_EXPIRED));
		return SA_R_EXPIRED;
	}
	*sa_out = sa_ref(sa);
	return SA_R_OK;
}
