/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/fake/fake_mech.c: fake_mech, the test double of the mechanism
 * operations, and the hand-moved clock (tests/fake/fake_mech.h).
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sipauth/ntlm.h"
#include "tests/fake/fake_mech.h"

uint32_t fake_mech_lifetime;
atomic_int fake_mech_hold;
atomic_uint fake_mech_jobs_run;
atomic_uint fake_mech_jobs_started;

struct fake_ctx {
	int	legs;
	int	pending;
	char	user[64];
};

/* The job of a leg that waits: the name it completes as. */
struct mech_job {
	char	user[64];
	int	ran;
};

uint64_t
fake_clock_ms(void *arg)
{
	return *(const uint64_t *)arg;
}

static uint32_t
fnv(uint32_t h, const void *p, size_t len)
{
	const unsigned char *s = p;

	while (len-- > 0) {
		h ^= *s++;
		h *= UINT32_C(16777619);
	}
	return h;
}

/* 8 bytes over direction, name and message. */
void
fake_mech_mac(int from_server, const char *user, const void *msg, size_t len,
    uint8_t sig[FAKE_MECH_SIG_LEN])
{
	uint32_t a = UINT32_C(2166136261), b = UINT32_C(0x9747b28c);
	char dir = from_server ? 'S' : 'C';
	int i;

	a = fnv(fnv(fnv(a, &dir, 1), user, strlen(user) + 1), msg, len);
	b = fnv(fnv(fnv(b, msg, len), user, strlen(user) + 1), &dir, 1);
	for (i = 0; i < 4; i++) {
		sig[i] = (uint8_t)(a >> (8 * i));
		sig[4 + i] = (uint8_t)(b >> (8 * i));
	}
}

/* "DOMAIN\\user" of an AUTHENTICATE_MESSAGE with Unicode names; 0 or -1. */
static int
authenticate_user(const uint8_t *in, size_t in_len, char *out, size_t outsz)
{
	struct ntlm_authenticate a;
	char dom[64], user[64];

	if (sipauth_ntlm_decode_authenticate(in, in_len, &a) != 0 ||
	    !(a.flags & NTLM_NEG_UNICODE) ||
	    sipauth_ntlm_utf16_to_utf8(&a.domain, dom, sizeof(dom)) != 0 ||
	    sipauth_ntlm_utf16_to_utf8(&a.user, user, sizeof(user)) != 0 ||
	    user[0] == '\0')
		return -1;
	return snprintf(out, outsz, "%s%s%s", dom, dom[0] != '\0' ? "\\" :
	    "", user) < (int)outsz ? 0 : -1;
}

/* The name a completing token gives: "user:<name>", or AUTHENTICATE. */
static int
token_user(enum mech_kind kind, const uint8_t *in, size_t in_len, char *out,
    size_t outsz)
{
	if (in_len > 5 && in_len - 5 < outsz && memcmp(in, "user:", 5) == 0) {
		memcpy(out, in + 5, in_len - 5);
		out[in_len - 5] = '\0';
		return 0;
	}
	return kind == MECH_NTLM ? authenticate_user(in, in_len, out, outsz) :
	    -1;
}

/* Little-endian security buffer (length, allocated, offset) at p. */
static void
put_field(uint8_t *p, size_t len, size_t off)
{
	p[0] = p[2] = (uint8_t)len;
	p[1] = p[3] = (uint8_t)(len >> 8);
	p[4] = (uint8_t)off;
	p[5] = (uint8_t)(off >> 8);
	p[6] = p[7] = 0;
}

size_t
fake_mech_authenticate(const char *domain, const char *user, uint8_t *out,
    size_t outsz)
{
	static const uint8_t head[12] = "NTLMSSP\0\3\0\0";
	size_t dl = 2 * strlen(domain), ul = 2 * strlen(user), i;

	if (outsz < 64 || outsz - 64 < dl + ul)
		return 0;
	memset(out, 0, 64 + dl + ul);
	memcpy(out, head, sizeof(head));
	put_field(out + 12, 0, 64);		/* LmChallengeResponse */
	put_field(out + 20, 0, 64);		/* NtChallengeResponse */
	put_field(out + 28, dl, 64);		/* DomainName */
	put_field(out + 36, ul, 64 + dl);	/* UserName */
	put_field(out + 44, 0, 64 + dl + ul);	/* Workstation */
	put_field(out + 52, 0, 64 + dl + ul);	/* EncryptedRandomSessionKey */
	out[60] = (uint8_t)NTLM_NEG_UNICODE;	/* NegotiateFlags */
	for (i = 0; domain[i] != '\0'; i++)
		out[64 + 2 * i] = (uint8_t)domain[i];
	for (i = 0; user[i] != '\0'; i++)
		out[64 + dl + 2 * i] = (uint8_t)user[i];
	return 64 + dl + ul;
}

static int
fake_accept(struct mech_server *server, enum mech_kind kind,
    struct mech_ctx **ctxp, const uint8_t *in, size_t in_len,
    struct mech_result *res)
{
	struct fake_ctx *c = (struct fake_ctx *)(void *)*ctxp;

	(void)server;
	memset(res, 0, sizeof(*res));
	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return ENOMEM;
		*ctxp = (struct mech_ctx *)(void *)c;
	}
	c->legs++;
	if (kind == MECH_NTLM && c->legs == 1 && in_len == 0) {
		res->out = (uint8_t *)strdup("CHALLENGE");
		res->out_len = 9;
		return res->out == NULL ? ENOMEM : 0;
	}
	if (c->pending) {			/* the same leg again */
		res->reason = MECH_R_PENDING;
		return 0;
	}
	if (token_user(kind, in, in_len, c->user, sizeof(c->user)) == 0) {
		if (strncmp(c->user, "WAIT\\", 5) == 0) {
			if ((res->job = calloc(1, sizeof(*res->job))) == NULL)
				return ENOMEM;
			(void)snprintf(res->job->user, sizeof(res->job->user),
			    "%s", c->user);
			c->pending = 1;
			res->reason = MECH_R_PENDING;
			return 0;
		}
		res->complete = 1;
		(void)snprintf(res->user, sizeof(res->user), "%s", c->user);
		res->lifetime = fake_mech_lifetime;
		return 0;
	}
	res->reason = in_len == 3 && memcmp(in, "bad", 3) == 0 ?
	    MECH_R_BAD_PASSWORD : MECH_R_BAD_TOKEN;
	res->status.major = 0x000d0000;
	res->status.minor = 42;
	free(c);
	*ctxp = NULL;
	return 0;
}

static enum mech_reason
fake_sign(struct mech_ctx *ctx, const void *msg, size_t len, uint8_t *sig,
    size_t *sig_len, struct mech_status *st)
{
	const struct fake_ctx *c = (const struct fake_ctx *)(void *)ctx;

	(void)st;
	fake_mech_mac(1, c->user, msg, len, sig);
	*sig_len = FAKE_MECH_SIG_LEN;
	return MECH_OK;
}

static enum mech_reason
fake_verify(struct mech_ctx *ctx, const void *msg, size_t len,
    const uint8_t *sig, size_t sig_len, struct mech_status *st)
{
	const struct fake_ctx *c = (const struct fake_ctx *)(void *)ctx;
	uint8_t want[FAKE_MECH_SIG_LEN];

	fake_mech_mac(0, c->user, msg, len, want);
	if (sig_len != FAKE_MECH_SIG_LEN ||
	    memcmp(sig, want, FAKE_MECH_SIG_LEN) != 0) {
		st->major = 0x00060000;		/* GSS_S_BAD_SIG */
		return MECH_R_BAD_SIGNATURE;
	}
	return MECH_OK;
}

static void
fake_free(struct mech_ctx *ctx)
{
	free(ctx);
}

static size_t
fake_memory(const struct mech_ctx *ctx)
{
	return ctx != NULL ? sizeof(struct fake_ctx) : 0;
}

static void
fake_status_text(const struct mech_status *st, char *buf, size_t bufsz)
{
	(void)snprintf(buf, bufsz, "fake major 0x%x minor %u",
	    (unsigned)st->major, (unsigned)st->minor);
}

/* On a worker thread: wait while fake_mech_hold is set. */
static void
fake_job_run(struct mech_job *job)
{
	atomic_fetch_add(&fake_mech_jobs_started, 1);
	while (atomic_load(&fake_mech_hold))
		(void)usleep(1000);
	job->ran = 1;
	atomic_fetch_add(&fake_mech_jobs_run, 1);
}

static void
fake_job_free(struct mech_job *job)
{
	free(job);
}

static int
fake_accept_finish(struct mech_server *server, struct mech_ctx **ctxp,
    struct mech_job *job, struct mech_result *res)
{
	struct fake_ctx *c = (struct fake_ctx *)(void *)*ctxp;

	(void)server;
	memset(res, 0, sizeof(*res));
	if (c == NULL || !c->pending || !job->ran) {
		res->reason = MECH_R_INTERNAL;
		return 0;
	}
	c->pending = 0;
	res->complete = 1;
	(void)snprintf(res->user, sizeof(res->user), "%s", job->user);
	res->lifetime = fake_mech_lifetime;
	return 0;
}

const struct sa_mech_ops fake_mech = {
	.accept = fake_accept,
	.sign = fake_sign,
	.verify = fake_verify,
	.ctx_free = fake_free,
	.ctx_memory = fake_memory,
	.status_text = fake_status_text,
	.accept_finish = fake_accept_finish,
	.job_run = fake_job_run,
	.job_free = fake_job_free,
};
