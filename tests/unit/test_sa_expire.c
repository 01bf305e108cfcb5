/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_sa_expire.c: SA expiry on a fake clock: the 8-hour hard
 * lifetime, idle timeout and its refresh, sa_extend, handshake timeout,
 * references outliving expiry, bounded sweep work, and 100k SAs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_sa.h"

#define S	1000ull			/* ms per second */
#define H	(3600 * S)		/* ms per hour */

/* A verified message on sa with the next cnum. */
static enum sa_reason
touch(struct sa_assoc *sa, uint32_t *cnum)
{
	uint8_t sig[8];

	sa_test_client_sign(sa, "REGISTER", sig);
	return sa_verify(sa, ++*cnum, "REGISTER", 8, sig, 8);
}

static void
test_sa_expire_hard_lifetime_exactly_8h(void)
{
	struct sa_table *t;
	struct sa_assoc *sa;
	struct sa_stats st;
	uint32_t cnum = 0;
	uint64_t t0;

	sa_test_now = 1000 * H;
	t = sa_test_table(NULL);
	sa = sa_test_established(t, "a", "D\\u", "sip:u@x", "e");
	t0 = sa_test_now;
	/* Kept busy, it lives exactly 8 hours from establishment. */
	while (sa_test_now + 10 * 60 * S < t0 + 8 * H) {
		sa_test_now += 10 * 60 * S;
		CU_ASSERT_EQUAL_FATAL(touch(sa, &cnum), SA_R_OK);
	}
	CU_ASSERT_EQUAL(sa_extend(sa, 3600), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + 8 * H);
	sa_test_now = t0 + 8 * H - 1;
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_OK);
	sa_test_now = t0 + 8 * H;
	sa_test_log_reset();
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_EXPIRED);
	CU_ASSERT_EQUAL(sa_test_log_count("reason=EXPIRED"), 1);
	CU_ASSERT_EQUAL(sa_state(sa), ASSOC_DETACHED);
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.verify_failures, 1);
	CU_ASSERT_EQUAL(st.expirations, 1);
	CU_ASSERT_EQUAL(st.established, 0);
	sa_unref(sa);
	sa_table_free(t);
}

static void
test_sa_expire_lifetime_lowered_by_config_or_ticket(void)
{
	struct sa_limits lim = { .lifetime_s = 3600, .idle_s = 7200 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *a, *k;
	uint64_t t0 = sa_test_now;

	a = sa_test_established(t, "a", "D\\a", NULL, NULL);
	CU_ASSERT_EQUAL(sa_deadline_ms(a), t0 + 3600 * S);
	fake_mech_lifetime = 600;	/* a ticket valid 10 more minutes */
	CU_ASSERT_EQUAL(sa_begin(t, "a", MECH_KERBEROS, SA_HDR_WWW, NULL, &k),
	    0);
	CU_ASSERT_EQUAL(sa_step(k, (const uint8_t *)"user:k@R", 8,
	    &(uint8_t *){ NULL }, &(size_t){ 0 }), SA_R_OK);
	CU_ASSERT_EQUAL(sa_extend(k, 3600), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(k), t0 + 600 * S);
	sa_unref(a);
	sa_unref(k);
	sa_table_free(t);
}

static void
test_sa_expire_idle_refreshed_by_verified_message_only(void)
{
	struct sa_limits lim = { .idle_s = 900 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *sa, *found;
	uint8_t sig[MECH_SIG_MAX], bad[8] = { 0 };
	size_t siglen;
	uint32_t cnum = 0;
	uint64_t t0 = sa_test_now;

	sa = sa_test_established(t, "a", "D\\u", "sip:u@x", "e");
	/* Lookups and signing do not refresh. */
	sa_test_now = t0 + 800 * S;
	CU_ASSERT_EQUAL(sa_find_endpoint(t, "sip:u@x", "e", "R", "T", &found),
	    SA_R_OK);
	sa_unref(found);
	CU_ASSERT_EQUAL(sa_sign(sa, "x", 1, sig, &siglen), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + 900 * S);
	/* A bad MIC and a replay do not refresh; a good message does. */
	CU_ASSERT_EQUAL(sa_verify(sa, 1, "x", 1, bad, 8), SA_R_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + 900 * S);
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + 1700 * S);
	sa_test_now = t0 + 1600 * S;
	cnum--;
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_REPLAYED_CNUM);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + 1700 * S);
	sa_test_now = t0 + 1700 * S - 1;
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, sa_opaque(sa), 8, &found),
	    SA_R_OK);
	sa_unref(found);
	/* Lazy expiry: found expired before any sweep, then unknown. */
	sa_test_now = t0 + 1700 * S;
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, sa_opaque(sa), 8, &found),
	    SA_R_EXPIRED);
	CU_ASSERT_PTR_NULL(found);
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, sa_opaque(sa), 8, &found),
	    SA_R_UNKNOWN_OPAQUE);
	CU_ASSERT_EQUAL(sa_find_endpoint(t, "sip:u@x", "e", "R", "T", &found),
	    SA_R_UNKNOWN_ENDPOINT);
	sa_unref(sa);
	sa_table_free(t);
}

static void
test_sa_expire_extend_bounded_and_never_shortens(void)
{
	struct sa_limits lim = { .idle_s = 900 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *sa, *ho;
	uint32_t cnum = 0;
	uint64_t t0 = sa_test_now;

	sa = sa_test_established(t, "a", "D\\u", NULL, NULL);
	CU_ASSERT_EQUAL(sa_extend(sa, 3600), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + (3600 + 30) * S);
	CU_ASSERT_EQUAL(sa_extend(sa, 10), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + (3600 + 30) * S);
	/* A verified message inside the extension keeps the extension. */
	sa_test_now = t0 + 60 * S;
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + (3600 + 30) * S);
	sa_test_now = t0 + 7 * H;
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_EXPIRED);
	sa_unref(sa);

	sa = sa_test_established(t, "a", "D\\v", NULL, NULL);
	t0 = sa_test_now;
	sa_test_now += 7 * H + 50 * 60 * S;
	CU_ASSERT_EQUAL(sa_extend(sa, 3600), SA_R_EXPIRED);
	sa_unref(sa);
	sa = sa_test_established(t, "a", "D\\w", NULL, NULL);
	t0 = sa_test_now;
	for (sa_test_now = t0; sa_test_now < t0 + 7 * H; sa_test_now += 600 * S)
		CU_ASSERT_EQUAL_FATAL(touch(sa, &cnum), SA_R_OK);
	CU_ASSERT_EQUAL(sa_extend(sa, 7200), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + 8 * H);
	CU_ASSERT_EQUAL(sa_begin(t, "a", MECH_NTLM, SA_HDR_WWW, NULL, &ho), 0);
	CU_ASSERT_EQUAL(sa_extend(ho, 60), SA_R_WRONG_STATE);
	sa_unref(ho);
	sa_unref(sa);
	sa_table_free(t);
}

static void
test_sa_expire_reference_keeps_expired_sa_alive(void)
{
	struct sa_limits lim = { .idle_s = 60, .handshake_s = 30 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *sa, *ho;
	struct sa_stats st;
	char opaque[SA_OPAQUE_LEN + 1], srand[9];
	uint32_t snum, cnum = 0;
	uint8_t sig[MECH_SIG_MAX];
	size_t siglen;

	sa = sa_test_established(t, "a", "D\\u", "sip:u@x", "e");
	CU_ASSERT_EQUAL(sa_begin(t, "b", MECH_NTLM, SA_HDR_WWW, NULL, &ho), 0);
	strcpy(opaque, sa_opaque(sa));
	CU_ASSERT_EQUAL(sa_next_deadline_ms(t), sa_test_now + 30 * S);
	sa_test_now += 30 * S;
	CU_ASSERT_EQUAL(sa_expire_run(t, 100), 1);
	CU_ASSERT_EQUAL(sa_state(ho), ASSOC_DETACHED);
	CU_ASSERT_EQUAL(sa_state(sa), ASSOC_ESTABLISHED);
	sa_test_now += 30 * S;
	CU_ASSERT_EQUAL(sa_expire_run(t, 100), 1);
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.established, 0);
	CU_ASSERT_EQUAL(st.half_open, 0);
	CU_ASSERT_EQUAL(st.expirations, 2);
	CU_ASSERT_EQUAL(sa_next_deadline_ms(t), UINT64_MAX);
	/* Still readable through the reference; every operation refuses. */
	CU_ASSERT_STRING_EQUAL(sa_opaque(sa), opaque);
	CU_ASSERT_STRING_EQUAL(sa_aor(sa), "sip:u@x");
	CU_ASSERT_EQUAL(sa_state(sa), ASSOC_DETACHED);
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_EXPIRED);
	CU_ASSERT_EQUAL(sa_sign(sa, "x", 1, sig, &siglen), SA_R_EXPIRED);
	CU_ASSERT_EQUAL(sa_next_server_salt(sa, srand, &snum), SA_R_EXPIRED);
	CU_ASSERT_EQUAL(sa_check_identity(sa, "u"), SA_R_EXPIRED);
	/* The table can go first; the SA is freed by the last unref. */
	sa_table_free(t);
	CU_ASSERT_STRING_EQUAL(sa_user(sa), "D\\u");
	sa_unref(sa);
	sa_unref(ho);
}

static void
test_sa_expire_work_is_bounded_per_call(void)
{
	struct sa_limits lim = { .idle_s = 100, .handshake_s = 10,
	    .max_half_open = 5000, .max_half_open_per_source = 5000 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *sa;
	struct sa_stats st;
	uint32_t cnum;
	int i, calls;

	for (i = 0; i < 1000; i++) {
		CU_ASSERT_EQUAL_FATAL(sa_begin(t, "s", MECH_NTLM, SA_HDR_WWW,
		    NULL, &sa), 0);
		sa_unref(sa);
	}
	sa_test_now += 10 * S;
	for (i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(sa_expire_run(t, 100), 100);
	CU_ASSERT_EQUAL(sa_expire_run(t, 100), 0);

	/* 500 established SAs, half of them refreshed before the sweep. */
	for (i = 0; i < 500; i++) {
		sa = sa_test_established(t, "s", "D\\u", NULL, NULL);
		cnum = 0;
		if (i % 2 == 0) {
			sa_test_now += 1;
			CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_OK);
			sa_test_now -= 1;
		}
		sa_unref(sa);
	}
	sa_test_now += 100 * S;
	/* 500 heap tops are due: each call handles at most 50 of them. */
	for (calls = 0; calls < 10; calls++)
		CU_ASSERT(sa_expire_run(t, 50) <= 50);
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.established, 250);
	CU_ASSERT_EQUAL(sa_expire_run(t, 50), 0);
	sa_test_now += 1;
	CU_ASSERT_EQUAL(sa_expire_run(t, 1000), 250);
	sa_table_free(t);
}

/*
 * Random deadlines through sa_extend: after every step of the clock, the
 * SAs that left the table are exactly those whose deadline has passed.
 */
static void
test_sa_expire_heap_order_with_random_deadlines(void)
{
	enum { N = 2000 };
	struct sa_table *t = sa_test_table(NULL);
	static struct sa_assoc *sas[N];
	struct sa_stats st;
	uint64_t t0 = sa_test_now;
	uint32_t live;
	int i, wrong = 0, step;

	srand(7);
	for (i = 0; i < N; i++) {
		sas[i] = sa_test_established(t, "s", "D\\u", NULL, NULL);
		CU_ASSERT_EQUAL_FATAL(sa_extend(sas[i],
		    (uint32_t)(rand() % 7200)), SA_R_OK);
	}
	for (step = 1; step <= 100; step++) {
		sa_test_now = t0 + (uint64_t)step * 80 * S;
		(void)sa_expire_run(t, N * 2);
		live = 0;
		for (i = 0; i < N; i++) {
			int gone = sa_state(sas[i]) == ASSOC_DETACHED;

			live += !gone;
			if (gone != (sa_deadline_ms(sas[i]) <= sa_test_now))
				wrong++;
		}
		sa_table_stats(t, &st);
		CU_ASSERT_EQUAL(st.established, live);
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(st.established, 0);
	for (i = 0; i < N; i++)
		sa_unref(sas[i]);
	sa_table_free(t);
}

/* SA_TEST_N SAs (default 100000) inserted, bound, then all expired. */
static void
test_sa_expire_many_sas(void)
{
	struct sa_table *t = sa_test_table(NULL);
	struct sa_assoc *sa;
	struct sa_stats st;
	const char *env = getenv("SA_TEST_N");
	unsigned n = env != NULL ? (unsigned)atoi(env) : 100000, i, total = 0;
	char aor[32], epid[16];

	for (i = 0; i < n; i++) {
		(void)snprintf(aor, sizeof(aor), "sip:user%u@example.com", i);
		(void)snprintf(epid, sizeof(epid), "%08x", i);
		sa = sa_test_established(t, "198.51.100.1", "D\\user", aor,
		    epid);
		if (sa == NULL)
			break;
		sa_unref(sa);
	}
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.established, n);
	CU_ASSERT_EQUAL(sa_find_endpoint(t, "sip:user7@example.com",
	    "00000007", "R", "T", &sa),
	    n > 7 ? SA_R_OK : SA_R_UNKNOWN_ENDPOINT);
	sa_unref(sa);
	sa_test_now += 900 * S;
	while ((i = sa_expire_run(t, 1000)) > 0) {
		CU_ASSERT(i <= 1000);
		total += i;
	}
	CU_ASSERT_EQUAL(total, n);
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.established, 0);
	sa_table_free(t);
}

CU_TestInfo sa_expire_tests[] = {
	{ "hard_lifetime_exactly_8h",
	    test_sa_expire_hard_lifetime_exactly_8h },
	{ "lifetime_lowered_by_config_or_ticket",
	    test_sa_expire_lifetime_lowered_by_config_or_ticket },
	{ "idle_refreshed_by_verified_message_only",
	    test_sa_expire_idle_refreshed_by_verified_message_only },
	{ "extend_bounded_and_never_shortens",
	    test_sa_expire_extend_bounded_and_never_shortens },
	{ "reference_keeps_expired_sa_alive",
	    test_sa_expire_reference_keeps_expired_sa_alive },
	{ "work_is_bounded_per_call", test_sa_expire_work_is_bounded_per_call },
	{ "heap_order_with_random_deadlines",
	    test_sa_expire_heap_order_with_random_deadlines },
	{ "many_sas", test_sa_expire_many_sas },
	CU_TEST_INFO_NULL,
};
