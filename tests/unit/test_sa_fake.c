/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_sa_fake.c: the fake clock, fake_mech (a test double of
 * sa/mech.h for the SA table logic) and log capture used by the sa suites.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/log.h"
#include "tests/unit/test_sa.h"

uint64_t sa_test_now;
uint32_t fake_mech_lifetime;

struct fake_ctx {
	int	legs;
	char	user[64];
};

static uint64_t
fake_clock(void *arg)
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
static void
fake_mac(char dir, const char *user, const void *msg, size_t len,
    uint8_t sig[8])
{
	uint32_t a = UINT32_C(2166136261), b = UINT32_C(0x9747b28c);
	int i;

	a = fnv(fnv(fnv(a, &dir, 1), user, strlen(user) + 1), msg, len);
	b = fnv(fnv(fnv(b, msg, len), user, strlen(user) + 1), &dir, 1);
	for (i = 0; i < 4; i++) {
		sig[i] = (uint8_t)(a >> (8 * i));
		sig[4 + i] = (uint8_t)(b >> (8 * i));
	}
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
			return 12;
		*ctxp = (struct mech_ctx *)(void *)c;
	}
	c->legs++;
	if (kind == MECH_NTLM && c->legs == 1 && in_len == 0) {
		res->out = (uint8_t *)strdup("CHALLENGE");
		res->out_len = 9;
		return res->out == NULL ? 12 : 0;
	}
	if (in_len > 5 && in_len - 5 < sizeof(c->user) &&
	    memcmp(in, "user:", 5) == 0) {
		memcpy(c->user, in + 5, in_len - 5);
		c->user[in_len - 5] = '\0';
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
	fake_mac('S', c->user, msg, len, sig);
	*sig_len = 8;
	return MECH_OK;
}

static enum mech_reason
fake_verify(struct mech_ctx *ctx, const void *msg, size_t len,
    const uint8_t *sig, size_t sig_len, struct mech_status *st)
{
	const struct fake_ctx *c = (const struct fake_ctx *)(void *)ctx;
	uint8_t want[8];

	fake_mac('C', c->user, msg, len, want);
	if (sig_len != 8 || memcmp(sig, want, 8) != 0) {
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

const struct sa_mech_ops fake_mech = {
	.accept = fake_accept,
	.sign = fake_sign,
	.verify = fake_verify,
	.ctx_free = fake_free,
	.ctx_memory = fake_memory,
	.status_text = fake_status_text,
};

size_t
sa_test_client_sign(const struct sa_assoc *sa, const char *msg, uint8_t *sig)
{
	fake_mac('C', sa_user(sa), msg, strlen(msg), sig);
	return 8;
}

struct sa_table *
sa_test_table(const struct sa_limits *limits)
{
	struct sa_table_params p;
	struct sa_table *t = NULL;

	memset(&p, 0, sizeof(p));
	if (limits != NULL)
		p.limits = *limits;
	p.now_ms = fake_clock;
	p.clock_arg = &sa_test_now;
	p.mech = &fake_mech;
	fake_mech_lifetime = 0;
	CU_ASSERT_EQUAL_FATAL(sa_table_create(&p, &t), 0);
	return t;
}

struct sa_assoc *
sa_test_established(struct sa_table *t, const char *src, const char *user,
    const char *aor, const char *epid)
{
	struct sa_assoc *sa = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	char tok[80];

	if (sa_begin(t, src, MECH_NTLM, SA_HDR_WWW, NULL, &sa) != 0) {
		CU_FAIL("sa_begin");
		return NULL;
	}
	CU_ASSERT_EQUAL(sa_step(sa, (const uint8_t *)"", 0, &out, &out_len),
	    SA_R_OK);
	free(out);
	(void)snprintf(tok, sizeof(tok), "user:%s", user);
	CU_ASSERT_EQUAL(sa_step(sa, (const uint8_t *)tok, strlen(tok), &out,
	    &out_len), SA_R_OK);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(sa_state(sa), ASSOC_ESTABLISHED);
	if (aor != NULL)
		CU_ASSERT_EQUAL(sa_establish_endpoint(sa, aor, epid, "R", "T"),
		    SA_R_OK);
	return sa;
}

static char log_lines[64][512];
static int log_n;

static void
capture(int level, const char *module, const char *line, void *arg)
{
	(void)level;
	(void)module;
	(void)arg;
	(void)snprintf(log_lines[log_n % 64], sizeof(log_lines[0]), "%s",
	    line);
	log_n++;
}

void
sa_test_log_reset(void)
{
	log_n = 0;
	log_set_sink(capture, NULL);
	log_setlevel(LOG_LVL_INFO);
}

int
sa_test_log_count(const char *needle)
{
	int i, n = 0;

	for (i = 0; i < log_n && i < 64; i++)
		if (strstr(log_lines[i], needle) != NULL)
			n++;
	return n;
}

const char *
sa_test_log_last(void)
{
	return log_n > 0 ? log_lines[(log_n - 1) % 64] : "";
}
