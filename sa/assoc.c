/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/assoc.c: what happens to one SA: handshake legs, the identity check,
 * verifying client messages against the MIC and the cnum window, salting
 * and signing server messages, idle refresh and extension ([MS-SIPAE]
 * §3.2.5, §3.3.5; [MS-SIP] §3.1.5.1).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define LOG_MODULE "sa"
#include "log/log.h"

#include "sa/sa_priv.h"
#include "sipauth/ntlm.h"
#include "sipauth/sipauth.h"

/* " gss=\"...\"" with the mechanism's status text, or "" without one. */
static const char *
gss_text(const struct sa_mech_ops *ops, const struct mech_status *st,
    char *buf, size_t bufsz)
{
	char txt[256];

	buf[0] = '\0';
	if (ops == NULL || (st->major == 0 && st->minor == 0 &&
	    st->nt_status == 0 && st->wbc_error == 0))
		return buf;
	txt[0] = '\0';
	ops->status_text(st, txt, sizeof(txt));
	if (txt[0] != '\0')
		(void)snprintf(buf, bufsz, " %s=\"%s\"", st->nt_status != 0 ||
		    st->wbc_error != 0 ? "dc" : "gss", txt);
	return buf;
}

/* Make a half-open SA whose mechanism completed an established one. */
static enum sa_reason
complete(struct sa_assoc *sa, const struct mech_result *res)
{
	struct sa_table *t = sa->table;
	uint64_t now = table_now(t), life = t->lim.lifetime_s;
	size_t ulen = strnlen(res->user, sizeof(res->user));

	if (t->lim.max_established != 0 &&
	    t->st.established >= t->lim.max_established) {
		t->st.limit_refusals++;
		return SA_R_LIMIT;
	}
	if (ulen == 0 || ulen == sizeof(res->user))
		return SA_R_BAD_TOKEN;
	if ((sa->strs = malloc(ulen + 1)) == NULL)
		return SA_R_INTERNAL;
	memcpy(sa->strs, res->user, ulen + 1);
	sa->strs_len = (uint16_t)(ulen + 1);
	/* A Kerberos ticket may end before the configured lifetime. */
	if (res->lifetime != 0 && res->lifetime < life)
		life = res->lifetime;
	assoc_leave_half_open(sa);
	sa->state = ASSOC_ESTABLISHED;
	t->st.established++;
	sa->hard_ms = now + life * 1000;
	sa->seen_ms = now;
	sa->deadline_ms = now + (uint64_t)t->lim.idle_s * 1000;
	if (sa->deadline_ms > sa->hard_ms)
		sa->deadline_ms = sa->hard_ms;
	if (heap_add(t, sa) != 0)
		return SA_R_INTERNAL;
	return SA_R_OK;
}

/*
 * The end of a leg: the SA established or still half-open with the token
 * to send, or, on failure, out of the table with the reason logged (with
 * the account claimed: res->user, or the AUTHENTICATE's names).
 */
static enum sa_reason
step_end(struct sa_assoc *sa, struct mech_result *res, enum sa_reason r,
    const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	struct sa_table *t = sa->table;
	char peer[72], gss[300], who[320], user[340];

	/* Before complete(), which leaves the half-open list. */
	(void)sa_logsafe(peer, sizeof(peer), sa->u.ho.src->addr);
	if (r == SA_R_OK && res->complete)
		r = complete(sa, res);
	if (r != SA_R_OK) {
		free(res->out);
		t->st.handshake_failures++;
		/* The account an NTLM AUTHENTICATE claims, so that an admin
		   sees which one is attacked (Kerberos hides it). */
		if (res->user[0] != '\0')
			(void)snprintf(who, sizeof(who), "%s", res->user);
		else if (sa->kind != MECH_NTLM || in_len == 0 ||
		    sipauth_ntlm_claimed_user(in, in_len, who,
		    sizeof(who)) != 0)
			(void)snprintf(who, sizeof(who), "-");
		log_notice("handshake failed sa=%s scheme=%s peer=%s user=%s "
		    "reason=%s%s", sa->opaque_text, sa_kind_name(sa->kind),
		    peer, sa_logsafe(user, sizeof(user), who),
		    sa_reason_name(r), gss_text(t->mech, &res->status, gss,
		    sizeof(gss)));
		assoc_detach(sa, "handshake failed");
		return r;
	}
	if (sa->state == ASSOC_ESTABLISHED)
		log_info("established sa=%s scheme=%s peer=%s user=%s",
		    sa->opaque_text, sa_kind_name(sa->kind), peer,
		    sa_logsafe(gss, sizeof(gss), sa->strs));
	*out = res->out;
	*out_len = res->out != NULL ? res->out_len : 0;
	return SA_R_OK;
}

/*
 * Can the SA take a handshake leg (finish: the end of a pending one, which
 * needs its context)?  SA_R_OK, or why not (logged).
 */
static enum sa_reason
step_allowed(struct sa_assoc *sa, int finish)
{
	enum sa_reason r;

	if (sa->table == NULL || assoc_expired(sa))
		r = SA_R_EXPIRED;
	else if (sa->state != ASSOC_HALF_OPEN ||
	    (finish && sa->mech == NULL))
		r = SA_R_WRONG_STATE;
	else
		return SA_R_OK;
	log_notice("handshake failed sa=%s scheme=%s reason=%s",
	    sa->opaque_text, sa_kind_name(sa->kind), sa_reason_name(r));
	return r;
}

enum sa_reason
sa_step_async(struct sa_assoc *sa, const uint8_t *in, size_t in_len,
    uint8_t **out, size_t *out_len, struct mech_job **job)
{
	struct mech_result res;
	struct sa_table *t;
	enum sa_reason r;

	*out = NULL;
	*out_len = 0;
	if (job != NULL)
		*job = NULL;
	memset(&res, 0, sizeof(res));
	if ((r = step_allowed(sa, 0)) != SA_R_OK)
		return r;
	t = sa->table;
	if (t->mech->accept(sa->u.ho.server, sa->kind, &sa->mech, in, in_len,
	    &res) != 0)
		r = SA_R_INTERNAL;
	else
		r = (enum sa_reason)res.reason;
	if (r == SA_R_PENDING) {
		if (job != NULL) {
			*job = res.job;
			return SA_R_PENDING;
		}
		/* A caller that cannot wait. */
		if (res.job != NULL && t->mech->job_free != NULL)
			t->mech->job_free(res.job);
		r = SA_R_INTERNAL;
	}
	return step_end(sa, &res, r, in, in_len, out, out_len);
}

enum sa_reason
sa_step(struct sa_assoc *sa, const uint8_t *in, size_t in_len,
    uint8_t **out, size_t *out_len)
{
	return sa_step_async(sa, in, in_len, out, out_len, NULL);
}

enum sa_reason
sa_step_finish(struct sa_assoc *sa, struct mech_job *job, uint8_t **out,
    size_t *out_len)
{
	struct mech_result res;
	enum sa_reason r;

	*out = NULL;
	*out_len = 0;
	memset(&res, 0, sizeof(res));
	if ((r = step_allowed(sa, 1)) != SA_R_OK)
		return r;
	if (sa->table->mech->accept_finish == NULL ||
	    sa->table->mech->accept_finish(sa->u.ho.server, &sa->mech, job,
	    &res) != 0)
		r = SA_R_INTERNAL;
	else
		r = (enum sa_reason)res.reason;
	return step_end(sa, &res, r, NULL, 0, out, out_len);
}

/* The account part of "DOMAIN\user" or "user@REALM". */
static void
account_part(const char *name, const char **p, size_t *len)
{
	const char *bs = strrchr(name, '\\'), *at;

	if (bs != NULL)
		name = bs + 1;
	at = strchr(name, '@');
	*p = name;
	*len = at != NULL ? (size_t)(at - name) : strlen(name);
}

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

enum sa_reason
sa_check_identity(struct sa_assoc *sa, const char *user)
{
	const char *acct;
	size_t alen, i;
	enum sa_reason r = SA_R_OK;
	char b1[72], b2[72];

	if (sa->state != ASSOC_ESTABLISHED) {
		r = sa->state == ASSOC_DETACHED ? SA_R_EXPIRED :
		    SA_R_WRONG_STATE;
		goto out;
	}
	account_part(sa->strs, &acct, &alen);
	if (user == NULL || strlen(user) != alen) {
		r = SA_R_IDENTITY;
		goto out;
	}
	for (i = 0; i < alen; i++)
		if (ascii_lower((unsigned char)acct[i]) !=
		    ascii_lower((unsigned char)user[i]))
			r = SA_R_IDENTITY;
out:
	if (r != SA_R_OK)
		log_notice("identity check failed sa=%s reason=%s user=%s "
		    "from=%s", sa->opaque_text, sa_reason_name(r),
		    sa_logsafe(b1, sizeof(b1), sa->strs),
		    sa_logsafe(b2, sizeof(b2), user));
	return r;
}

/* SA_R_OK when sa is in the table, established and not expired. */
static enum sa_reason
usable(struct sa_assoc *sa)
{
	if (assoc_expired(sa))
		return SA_R_EXPIRED;
	if (sa->state != ASSOC_ESTABLISHED || sa->mech == NULL)
		return SA_R_WRONG_STATE;
	return SA_R_OK;
}

enum sa_reason
sa_verify(struct sa_assoc *sa, uint32_t cnum, const void *sigstr, size_t len,
    const uint8_t *sig, size_t siglen)
{
	struct mech_status st;
	struct sa_table *t = sa->table;	/* kept if expiry detaches sa */
	enum seqwin_result w = SEQWIN_OK;
	enum sa_reason r;
	uint64_t idle;
	char gss[300];

	memset(&st, 0, sizeof(st));
	if ((r = usable(sa)) != SA_R_OK)
		goto out;
	if (sigstr == NULL || sig == NULL || siglen == 0) {
		r = SA_R_BAD_SIGNATURE;
		goto out;
	}
	/* 1. The MIC, so that forged messages never touch the window. */
	r = (enum sa_reason)t->mech->verify(sa->mech, sigstr, len, sig, siglen,
	    &st);
	if (r != SA_R_OK)
		goto out;
	/* 2. The replay window, which records cnum only when it passes. */
	if ((w = seqwin_update(&sa->win, cnum)) != SEQWIN_OK) {
		r = SA_R_REPLAYED_CNUM;
		goto out;
	}
	/* 3. A verified message keeps the SA alive one more idle period. */
	sa->seen_ms = table_now(t);
	idle = sa->seen_ms + (uint64_t)t->lim.idle_s * 1000;
	if (idle > sa->hard_ms)
		idle = sa->hard_ms;
	if (idle > sa->deadline_ms)
		sa->deadline_ms = idle;
out:
	if (r != SA_R_OK) {
		if (t != NULL)
			t->st.verify_failures++;
		log_notice("verify failed sa=%s reason=%s cnum=%u%s%s",
		    sa->opaque_text, sa_reason_name(r), (unsigned)cnum,
		    w == SEQWIN_OLD ? " window=below" : "",
		    gss_text(t != NULL ? t->mech : NULL, &st, gss,
		    sizeof(gss)));
	}
	return r;
}

enum sa_reason
sa_next_server_salt(struct sa_assoc *sa, char srand[SA_OPAQUE_LEN + 1],
    uint32_t *snum)
{
	uint32_t v;
	enum sa_reason r;

	srand[0] = '\0';
	*snum = 0;
	if ((r = usable(sa)) == SA_R_OK &&
	    sipauth_nonce(&v, sizeof(v)) != 0)
		r = SA_R_INTERNAL;
	if (r != SA_R_OK) {
		log_notice("salt failed sa=%s reason=%s", sa->opaque_text,
		    sa_reason_name(r));
		return r;
	}
	(void)snprintf(srand, SA_OPAQUE_LEN + 1, "%08X", (unsigned)v);
	/* snum counts from 1 ([MS-SIPAE] §3.3.5.2); 0 is never sent. */
	if (++sa->snum == 0)
		sa->snum = 1;
	*snum = sa->snum;
	return SA_R_OK;
}

enum sa_reason
sa_sign(struct sa_assoc *sa, const void *sigstr, size_t len, uint8_t *sig,
    size_t *siglen)
{
	struct mech_status st;
	enum sa_reason r;
	char gss[300];

	*siglen = 0;
	memset(&st, 0, sizeof(st));
	if ((r = usable(sa)) == SA_R_OK)
		r = (enum sa_reason)sa->table->mech->sign(sa->mech, sigstr,
		    len, sig, siglen, &st);
	if (r != SA_R_OK) {
		*siglen = 0;
		log_notice("sign failed sa=%s reason=%s%s", sa->opaque_text,
		    sa_reason_name(r), gss_text(sa->table != NULL ?
		    sa->table->mech : NULL, &st, gss, sizeof(gss)));
	}
	return r;
}

enum sa_reason
sa_extend(struct sa_assoc *sa, uint32_t seconds)
{
	uint64_t until;
	enum sa_reason r;

	if ((r = usable(sa)) != SA_R_OK) {
		log_notice("extend failed sa=%s reason=%s", sa->opaque_text,
		    sa_reason_name(r));
		return r;
	}
	until = table_now(sa->table) +
	    ((uint64_t)seconds + SA_EXTEND_MARGIN_S) * 1000;
	if (until > sa->hard_ms)
		until = sa->hard_ms;
	if (until > sa->deadline_ms)
		sa->deadline_ms = until;
	return SA_R_OK;
}

const char *
sa_opaque(const struct sa_assoc *sa)
{
	return sa->opaque_text;
}

enum sa_state
sa_state(const struct sa_assoc *sa)
{
	return (enum sa_state)sa->state;
}

enum mech_kind
sa_kind(const struct sa_assoc *sa)
{
	return (enum mech_kind)sa->kind;
}

enum sa_hdr
sa_hdr(const struct sa_assoc *sa)
{
	return (enum sa_hdr)sa->hdr;
}

uint64_t
sa_age_ms(const struct sa_assoc *sa)
{
	if (sa->table == NULL)
		return 0;
	return table_now(sa->table) - sa->born_ms;
}

const char *
sa_user(const struct sa_assoc *sa)
{
	return sa->strs;
}

const char *
sa_aor(const struct sa_assoc *sa)
{
	return sa->aor_off != 0 ? sa->strs + sa->aor_off : NULL;
}

const char *
sa_epid(const struct sa_assoc *sa)
{
	return sa->epid_off != 0 ? sa->strs + sa->epid_off : NULL;
}

const char *
sa_realm(const struct sa_assoc *sa)
{
	return sa->realm_off != 0 ? sa->strs + sa->realm_off : NULL;
}

const char *
sa_targetname(const struct sa_assoc *sa)
{
	return sa->target_off != 0 ? sa->strs + sa->target_off : NULL;
}

void
sa_set_version(struct sa_assoc *sa, int version)
{
	sa->version = version < 0 ? 0 : version > 255 ? 255 : (uint8_t)version;
}

int
sa_version(const struct sa_assoc *sa)
{
	return sa->version;
}

uint64_t
sa_deadline_ms(const struct sa_assoc *sa)
{
	return sa->deadline_ms;
}

size_t
sa_memory(const struct sa_assoc *sa)
{
	size_t n = sizeof(*sa) + sa->strs_len;

	if (sa->table != NULL) {
		if (sa->mech != NULL && sa->table->mech->ctx_memory != NULL)
			n += sa->table->mech->ctx_memory(sa->mech);
		/* Its heap entry and its share of two bucket arrays. */
		n += sizeof(struct heap_ent) + 2 * sizeof(struct hlink *);
	}
	return n;
}
