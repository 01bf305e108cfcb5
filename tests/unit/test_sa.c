/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_sa.c: the SA table: opaques, handshakes, half-open caps,
 * reason names and parameters, and the list of sa suites.  One SA's
 * operations: test_sa_assoc.c; expiry: test_sa_expire.c; the replay
 * window: test_sa_seqwin.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "tests/unit/test_sa.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_sa_opaque_format_and_uniqueness(void)
{
	struct sa_limits lim = { .max_half_open = 20000,
	    .max_half_open_per_source = 20000 };
	struct sa_table *t = sa_test_table(&lim);
	enum { N = 5000 };
	static char ops[N][SA_OPAQUE_LEN + 1];
	struct sa_assoc *sa, *found;
	char lower[SA_OPAQUE_LEN + 1];
	int i, j, bad = 0;

	for (i = 0; i < N; i++) {
		CU_ASSERT_EQUAL_FATAL(sa_begin(t, "192.0.2.1", MECH_NTLM,
		    SA_HDR_WWW, NULL, &sa), 0);
		strcpy(ops[i], sa_opaque(sa));
		if (strlen(ops[i]) != SA_OPAQUE_LEN ||
		    strspn(ops[i], "0123456789ABCDEF") != SA_OPAQUE_LEN)
			bad++;
		/* Found again by the opaque in lower case. */
		for (j = 0; j <= SA_OPAQUE_LEN; j++)
			lower[j] = (char)(ops[i][j] >= 'A' ? ops[i][j] + 32 :
			    ops[i][j]);
		CU_ASSERT_EQUAL(sa_lookup_opaque(t, lower, SA_OPAQUE_LEN,
		    &found), SA_R_OK);
		CU_ASSERT_PTR_EQUAL(found, sa);
		sa_unref(found);
		sa_unref(sa);
	}
	CU_ASSERT_EQUAL(bad, 0);
	qsort(ops, N, sizeof(ops[0]), cmp_str);
	for (i = 1; i < N; i++)
		if (strcmp(ops[i - 1], ops[i]) == 0)
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	sa_table_free(t);
}

static void
test_sa_lookup_unknown_or_malformed_opaque(void)
{
	struct sa_table *t = sa_test_table(NULL);
	struct sa_assoc *sa = (struct sa_assoc *)&sa;

	sa_test_log_reset();
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, "0123ABCD", 8, &sa),
	    SA_R_UNKNOWN_OPAQUE);
	CU_ASSERT_PTR_NULL(sa);
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, "0123ABC", 7, &sa),
	    SA_R_UNKNOWN_OPAQUE);
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, "0123ABCG", 8, &sa),
	    SA_R_UNKNOWN_OPAQUE);
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, NULL, 8, &sa),
	    SA_R_UNKNOWN_OPAQUE);
	CU_ASSERT_EQUAL(sa_test_log_count("reason=UNKNOWN_OPAQUE"), 4);
	CU_ASSERT_EQUAL(sa_test_log_count("sa=0123ABCD "), 1);
	sa_table_free(t);
}

static void
test_sa_half_open_global_cap_evicts_oldest(void)
{
	struct sa_limits lim = { .max_half_open = 3 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *sa[4], *found;
	struct sa_stats st;
	uint8_t *out;
	size_t out_len;
	char src[16];
	int i;

	for (i = 0; i < 4; i++) {
		(void)snprintf(src, sizeof(src), "10.0.0.%d", i);
		CU_ASSERT_EQUAL_FATAL(sa_begin(t, src, MECH_NTLM, SA_HDR_WWW,
		    NULL, &sa[i]), 0);
	}
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.half_open, 3);
	CU_ASSERT_EQUAL(st.evictions, 1);
	CU_ASSERT_EQUAL(sa_state(sa[0]), ASSOC_DETACHED);
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, sa_opaque(sa[0]), 8, &found),
	    SA_R_UNKNOWN_OPAQUE);
	for (i = 1; i < 4; i++) {
		CU_ASSERT_EQUAL(sa_lookup_opaque(t, sa_opaque(sa[i]), 8,
		    &found), SA_R_OK);
		sa_unref(found);
	}
	/* The caller's reference outlives the eviction. */
	CU_ASSERT_EQUAL(sa_step(sa[0], (const uint8_t *)"user:x", 6, &out,
	    &out_len), SA_R_EXPIRED);
	CU_ASSERT_PTR_NULL(out);
	for (i = 0; i < 4; i++)
		sa_unref(sa[i]);
	sa_table_free(t);
}

static void
test_sa_half_open_per_source_cap_evicts_oldest_of_source(void)
{
	struct sa_limits lim = { .max_half_open_per_source = 2 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *a1, *a2, *b1, *a3;
	struct sa_stats st;

	CU_ASSERT_EQUAL(sa_begin(t, "2001:db8::1", MECH_NTLM, SA_HDR_WWW,
	    NULL, &a1), 0);
	CU_ASSERT_EQUAL(sa_begin(t, "2001:db8::1", MECH_NTLM, SA_HDR_WWW,
	    NULL, &a2), 0);
	CU_ASSERT_EQUAL(sa_begin(t, "2001:db8::2", MECH_NTLM, SA_HDR_PROXY,
	    NULL, &b1), 0);
	CU_ASSERT_EQUAL(sa_begin(t, "2001:db8::1", MECH_KERBEROS, SA_HDR_WWW,
	    NULL, &a3), 0);
	CU_ASSERT_EQUAL(sa_state(a1), ASSOC_DETACHED);
	CU_ASSERT_EQUAL(sa_state(a2), ASSOC_HALF_OPEN);
	CU_ASSERT_EQUAL(sa_state(b1), ASSOC_HALF_OPEN);
	CU_ASSERT_EQUAL(sa_state(a3), ASSOC_HALF_OPEN);
	CU_ASSERT_EQUAL(sa_hdr(b1), SA_HDR_PROXY);
	CU_ASSERT_EQUAL(sa_kind(a3), MECH_KERBEROS);
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.half_open, 3);
	CU_ASSERT_EQUAL(st.evictions, 1);
	sa_unref(a1);
	sa_unref(a2);
	sa_unref(b1);
	sa_unref(a3);
	sa_table_free(t);
}

static void
test_sa_handshake_establishes_and_failure_logs_once(void)
{
	struct sa_table *t = sa_test_table(NULL);
	struct sa_assoc *sa, *found;
	struct sa_stats st;
	uint8_t *out;
	size_t out_len;
	char line[160];

	CU_ASSERT_EQUAL_FATAL(sa_begin(t, "192.0.2.7", MECH_NTLM, SA_HDR_WWW,
	    NULL, &sa), 0);
	CU_ASSERT_PTR_NULL(sa_user(sa));
	CU_ASSERT_EQUAL(sa_step(sa, (const uint8_t *)"", 0, &out, &out_len),
	    SA_R_OK);
	CU_ASSERT(out_len == 9 && memcmp(out, "CHALLENGE", 9) == 0);
	free(out);
	CU_ASSERT_EQUAL(sa_state(sa), ASSOC_HALF_OPEN);
	/* A verify before completion is refused for the state. */
	CU_ASSERT_EQUAL(sa_verify(sa, 1, "x", 1, (const uint8_t *)"12345678",
	    8), SA_R_WRONG_STATE);
	sa_test_log_reset();
	CU_ASSERT_EQUAL(sa_step(sa, (const uint8_t *)"bad", 3, &out, &out_len),
	    SA_R_BAD_PASSWORD);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(sa_state(sa), ASSOC_DETACHED);
	(void)snprintf(line, sizeof(line), "handshake failed sa=%s scheme=NTLM "
	    "peer=192.0.2.7 user=- reason=BAD_PASSWORD gss=\"fake major "
	    "0xd0000 minor 42\"", sa_opaque(sa));
	CU_ASSERT_EQUAL(sa_test_log_count("failed"), 1);
	CU_ASSERT_EQUAL(sa_test_log_count(line), 1);
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, sa_opaque(sa), 8, &found),
	    SA_R_UNKNOWN_OPAQUE);
	sa_unref(sa);

	sa = sa_test_established(t, "192.0.2.7", "DOM\\alice", NULL, NULL);
	CU_ASSERT_STRING_EQUAL(sa_user(sa), "DOM\\alice");
	CU_ASSERT_PTR_NULL(sa_aor(sa));
	CU_ASSERT_EQUAL(sa_step(sa, (const uint8_t *)"", 0, &out, &out_len),
	    SA_R_WRONG_STATE);
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.half_open, 0);
	CU_ASSERT_EQUAL(st.established, 1);
	CU_ASSERT_EQUAL(st.handshake_failures, 1);
	CU_ASSERT_EQUAL(st.created, 2);
	sa_unref(sa);
	sa_table_free(t);
}

static void
test_sa_reason_names_are_stable(void)
{
	int i, j;

	CU_ASSERT_STRING_EQUAL(sa_reason_name(SA_R_REPLAYED_CNUM),
	    "REPLAYED_CNUM");
	CU_ASSERT_STRING_EQUAL(sa_reason_name(SA_R_UNKNOWN_OPAQUE),
	    "UNKNOWN_OPAQUE");
	CU_ASSERT_STRING_EQUAL(sa_reason_name(SA_R_EXPIRED), "EXPIRED");
	CU_ASSERT_STRING_EQUAL(sa_reason_name(SA_R_REPLACED), "REPLACED");
	CU_ASSERT_STRING_EQUAL(sa_reason_name((enum sa_reason)
	    MECH_R_REPLAYED_TICKET), "REPLAYED_TICKET");
	CU_ASSERT_STRING_EQUAL(sa_reason_name(SA_R_MAX), "UNKNOWN_REASON");
	for (i = 0; i < SA_R_MAX; i++) {
		CU_ASSERT_STRING_NOT_EQUAL(sa_reason_name(i),
		    "UNKNOWN_REASON");
		for (j = 0; j < i; j++)
			CU_ASSERT_STRING_NOT_EQUAL(sa_reason_name(i),
			    sa_reason_name(j));
	}
}

static void
test_sa_table_create_checks_params(void)
{
	struct sa_table_params p;
	struct sa_table *t = (struct sa_table *)&p;

	memset(&p, 0, sizeof(p));
	CU_ASSERT_EQUAL(sa_table_create(&p, &t), EINVAL);
	CU_ASSERT_PTR_NULL(t);
	p.mech = &fake_mech;
	p.limits.lifetime_s = SA_LIFETIME_MAX_S + 1;
	CU_ASSERT_EQUAL(sa_table_create(&p, &t), EINVAL);
	p.limits.lifetime_s = SA_LIFETIME_MAX_S;
	CU_ASSERT_EQUAL(sa_table_create(&p, &t), 0);
	CU_ASSERT_PTR_NOT_NULL(t);
	sa_table_free(t);
	sa_table_free(NULL);
	sa_unref(NULL);
}

static void
test_sa_begin_checks_arguments(void)
{
	struct sa_table *t = sa_test_table(NULL);
	struct sa_assoc *sa = (struct sa_assoc *)&t;
	char longsrc[80];

	memset(longsrc, '1', sizeof(longsrc) - 1);
	longsrc[sizeof(longsrc) - 1] = '\0';
	CU_ASSERT_EQUAL(sa_begin(t, "", MECH_NTLM, SA_HDR_WWW, NULL, &sa),
	    EINVAL);
	CU_ASSERT_PTR_NULL(sa);
	CU_ASSERT_EQUAL(sa_begin(t, longsrc, MECH_NTLM, SA_HDR_WWW, NULL,
	    &sa), EINVAL);
	CU_ASSERT_EQUAL(sa_begin(t, NULL, MECH_NTLM, SA_HDR_WWW, NULL, &sa),
	    EINVAL);
	CU_ASSERT_EQUAL(sa_begin(t, "h", (enum mech_kind)7, SA_HDR_WWW, NULL,
	    &sa), EINVAL);
	CU_ASSERT_EQUAL(sa_begin(t, "h", MECH_NTLM, (enum sa_hdr)7, NULL,
	    &sa), EINVAL);
	longsrc[63] = '\0';		/* 63 bytes: accepted */
	CU_ASSERT_EQUAL(sa_begin(t, longsrc, MECH_NTLM, SA_HDR_WWW, NULL,
	    &sa), 0);
	sa_unref(sa);
	sa_table_free(t);
}

static int
suite_init(void)
{
	sa_test_log_reset();
	return 0;
}

static int
suite_clean(void)
{
	log_set_sink(NULL, NULL);
	return 0;
}

static CU_TestInfo sa_tests[] = {
	{ "opaque_format_and_uniqueness",
	    test_sa_opaque_format_and_uniqueness },
	{ "lookup_unknown_or_malformed_opaque",
	    test_sa_lookup_unknown_or_malformed_opaque },
	{ "half_open_global_cap_evicts_oldest",
	    test_sa_half_open_global_cap_evicts_oldest },
	{ "half_open_per_source_cap_evicts_oldest_of_source",
	    test_sa_half_open_per_source_cap_evicts_oldest_of_source },
	{ "handshake_establishes_and_failure_logs_once",
	    test_sa_handshake_establishes_and_failure_logs_once },
	{ "reason_names_are_stable", test_sa_reason_names_are_stable },
	{ "table_create_checks_params", test_sa_table_create_checks_params },
	{ "begin_checks_arguments", test_sa_begin_checks_arguments },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo sa_suites[] = {
	{ "sa", suite_init, suite_clean, NULL, NULL, sa_tests },
	{ "sa_assoc", suite_init, suite_clean, NULL, NULL, sa_assoc_tests },
	{ "sa_seqwin", NULL, NULL, NULL, NULL, sa_seqwin_tests },
	{ "sa_expire", suite_init, suite_clean, NULL, NULL, sa_expire_tests },
	{ "sa_cfx", NULL, NULL, NULL, NULL, sa_cfx_tests },
	CU_SUITE_INFO_NULL,
};
