/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/endpoint.c: binding established SAs to their endpoint (AOR, epid,
 * realm, targetname), one SA per endpoint, re-authentication replacing the
 * old one ([MS-SIPAE] §3.3.5.2, [MS-SIP] §3.1.5.1).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MODULE "sa"
#include "log/log.h"

#include "sa/sa_priv.h"

struct ep_key {
	const char	*s[4];		/* aor, epid, realm, targetname */
	size_t		 len[4];
	uint32_t	 hash;
};

static void
key_make(const struct sa_table *t, struct ep_key *k, const char *aor,
    const char *epid, const char *realm, const char *targetname)
{
	int i;

	k->s[0] = aor;
	k->s[1] = epid;
	k->s[2] = realm;
	k->s[3] = targetname;
	k->hash = t->seed;
	for (i = 0; i < 4; i++) {
		k->len[i] = strlen(k->s[i]);
		/* The NUL goes in too, so "ab","c" and "a","bc" differ. */
		k->hash = hash_bytes(k->hash, k->s[i], k->len[i] + 1);
	}
}

static int
key_matches(const struct sa_assoc *sa, const struct ep_key *k)
{
	const uint16_t off[4] = { sa->aor_off, sa->epid_off, sa->realm_off,
	    sa->target_off };
	int i;

	if (!sa->bound || sa->ep_link.hash != k->hash)
		return 0;
	for (i = 0; i < 4; i++)
		if (strcmp(sa->strs + off[i], k->s[i]) != 0)
			return 0;
	return 1;
}

static struct sa_assoc *
key_find(const struct sa_table *t, const struct ep_key *k)
{
	struct hlink *l;
	struct sa_assoc *sa;

	for (l = htab_chain(&t->by_endpoint, k->hash); l != NULL;
	    l = l->next) {
		sa = HTAB_ENTRY(l, struct sa_assoc, ep_link);
		if (key_matches(sa, k))
			return sa;
	}
	return NULL;
}

void
endpoint_unbind(struct sa_assoc *sa)
{
	if (!sa->bound)
		return;
	htab_remove(&sa->table->by_endpoint, &sa->ep_link);
	sa->bound = 0;
}

/* Append the key's strings after the user name in a new strs block. */
static enum sa_reason
strs_extend(struct sa_assoc *sa, const struct ep_key *k)
{
	size_t len = sa->strs_len, need = len;
	uint16_t *off[4] = { &sa->aor_off, &sa->epid_off, &sa->realm_off,
	    &sa->target_off };
	char *p;
	int i;

	for (i = 0; i < 4; i++)
		need += k->len[i] + 1;
	if (need > SA_STRS_MAX)
		return SA_R_LIMIT;
	if ((p = malloc(need)) == NULL)
		return SA_R_INTERNAL;
	memcpy(p, sa->strs, len);
	for (i = 0; i < 4; i++) {
		*off[i] = (uint16_t)len;
		memcpy(p + len, k->s[i], k->len[i] + 1);
		len += k->len[i] + 1;
	}
	free(sa->strs);
	sa->strs = p;
	sa->strs_len = (uint16_t)len;
	return SA_R_OK;
}

enum sa_reason
sa_establish_endpoint(struct sa_assoc *sa, const char *aor, const char *epid,
    const char *realm, const char *targetname)
{
	struct sa_table *t;
	struct sa_assoc *old;
	struct ep_key k;
	enum sa_reason r;
	char b1[72], b2[72];

	if (assoc_expired(sa)) {
		r = SA_R_EXPIRED;
		goto fail;
	}
	t = sa->table;
	if (sa->state != ASSOC_ESTABLISHED) {
		r = SA_R_WRONG_STATE;
		goto fail;
	}
	if (aor == NULL || *aor == '\0' || epid == NULL || *epid == '\0' ||
	    realm == NULL || targetname == NULL) {
		/* [MS-SIP] §3.1.5.1: the epid MUST be present. */
		r = SA_R_IDENTITY;
		goto fail;
	}
	key_make(t, &k, aor, epid, realm, targetname);
	if (sa->bound) {
		if (key_matches(sa, &k))
			return SA_R_OK;
		r = SA_R_IDENTITY;
		goto fail;
	}
	if ((r = strs_extend(sa, &k)) != SA_R_OK)
		goto fail;
	if ((old = key_find(t, &k)) != NULL) {
		t->st.replaced++;
		log_info("replaced sa=%s by sa=%s aor=%s epid=%s",
		    old->opaque_text, sa->opaque_text,
		    sa_logsafe(b1, sizeof(b1), aor),
		    sa_logsafe(b2, sizeof(b2), epid));
		tomb_add(old, SA_R_REPLACED);
		assoc_detach(old, "replaced");
	}
	sa->ep_link.hash = k.hash;
	htab_insert(&t->by_endpoint, &sa->ep_link);
	sa->bound = 1;
	log_debug("bound sa=%s aor=%s epid=%s", sa->opaque_text,
	    sa_logsafe(b1, sizeof(b1), aor), sa_logsafe(b2, sizeof(b2), epid));
	return SA_R_OK;
fail:
	log_notice("bind failed sa=%s reason=%s aor=%s epid=%s",
	    sa->opaque_text, sa_reason_name(r),
	    sa_logsafe(b1, sizeof(b1), aor), sa_logsafe(b2, sizeof(b2), epid));
	return r;
}

enum sa_reason
sa_find_endpoint(struct sa_table *t, const char *aor, const char *epid,
    const char *realm, const char *targetname, struct sa_assoc **sa_out)
{
	struct sa_assoc *sa;
	struct ep_key k;
	char b1[72], b2[72];

	*sa_out = NULL;
	if (aor == NULL || epid == NULL || realm == NULL || targetname == NULL)
		return SA_R_UNKNOWN_ENDPOINT;
	key_make(t, &k, aor, epid, realm, targetname);
	if ((sa = key_find(t, &k)) == NULL) {
		log_debug("no sa for aor=%s epid=%s",
		    sa_logsafe(b1, sizeof(b1), aor),
		    sa_logsafe(b2, sizeof(b2), epid));
		return SA_R_UNKNOWN_ENDPOINT;
	}
	if (assoc_expired(sa)) {
		log_debug("sa for aor=%s epid=%s expired",
		    sa_logsafe(b1, sizeof(b1), aor),
		    sa_logsafe(b2, sizeof(b2), epid));
		return SA_R_EXPIRED;
	}
	*sa_out = sa_ref(sa);
	return SA_R_OK;
}

void
sa_end(struct sa_assoc *sa, enum sa_reason why)
{
	if (sa == NULL || sa->table == NULL)
		return;
	log_info("ended sa=%s user=%s: %s", sa->opaque_text,
	    sa->strs != NULL ? sa->strs : "-", sa_reason_name(why));
	tomb_add(sa, why);
	assoc_detach(sa, sa_reason_name(why));
}

unsigned
sa_end_account(struct sa_table *t, const char *user, enum sa_reason why)
{
	struct htab *h = &t->by_opaque;
	struct hlink *l, *next;
	struct sa_assoc *sa;
	uint32_t b, keep = h->min_buckets;
	unsigned n = 0;

	/* No shrinking while SAs are taken out under the walk. */
	htab_hold(h);
	for (b = 0; b <= h->mask; b++)
		for (l = h->buckets[b]; l != NULL; l = next) {
			next = l->next;
			sa = HTAB_ENTRY(l, struct sa_assoc, opaque_link);
			if (sa->state != ASSOC_ESTABLISHED ||
			    sa->strs == NULL || strcasecmp(sa->strs, user) != 0)
				continue;
			sa_end(sa, why);
			n++;
		}
	h->min_buckets = keep;
	return n;
}

unsigned
sa_foreach(const struct sa_table *t, sa_visit_fn *fn, void *arg)
{
	const struct htab *h = &t->by_opaque;
	const struct hlink *l;
	const struct sa_assoc *sa;
	struct sa_info in;
	uint64_t now = table_now(t);
	uint32_t b;
	unsigned n = 0;

	for (b = 0; b <= h->mask; b++)
		for (l = h->buckets[b]; l != NULL; l = l->next) {
			sa = HTAB_ENTRY(l, const struct sa_assoc, opaque_link);
			/* Expired, not swept yet: gone for the caller. */
			if (sa->deadline_ms <= now)
				continue;
			memset(&in, 0, sizeof(in));
			in.opaque = sa->opaque_text;
			in.state = (enum sa_state)sa->state;
			in.kind = (enum mech_kind)sa->kind;
			in.version = sa->version;
			in.user = sa->strs;
			if (sa->bound) {
				in.aor = sa->strs + sa->aor_off;
				in.epid = sa->strs + sa->epid_off;
			}
			if (sa->state == ASSOC_HALF_OPEN)
				in.peer = sa->u.ho.src->addr;
			else
				in.idle_ms = now - sa->seen_ms;
			in.age_ms = now - sa->born_ms;
			in.expires_ms = sa->deadline_ms - now;
			n++;
			if (fn(&in, arg) != 0)
				return n;
		}
	return n;
}

void
sa_retire(struct sa_assoc *sa)
{
	if (sa == NULL || sa->table == NULL)
		return;
	sa->table->st.replaced++;
	log_info("replaced sa=%s (the endpoint re-authenticated)",
	    sa->opaque_text);
	tomb_add(sa, SA_R_REPLACED);
	assoc_detach(sa, "replaced");
}
