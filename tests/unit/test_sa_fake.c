/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_sa_fake.c: the SA tables of the sa suites, on the fake
 * clock and fake_mech (tests/fake/fake_mech.c), and log capture.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "tests/unit/test_sa.h"

uint64_t sa_test_now;

size_t
sa_test_client_sign(const struct sa_assoc *sa, const char *msg, uint8_t *sig)
{
	fake_mech_mac(0, sa_user(sa), msg, strlen(msg), sig);
	return FAKE_MECH_SIG_LEN;
}

struct sa_table *
sa_test_table(const struct sa_limits *limits)
{
	struct sa_table_params p;
	struct sa_table *t = NULL;

	memset(&p, 0, sizeof(p));
	if (limits != NULL)
		p.limits = *limits;
	p.now_ms = fake_clock_ms;
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
