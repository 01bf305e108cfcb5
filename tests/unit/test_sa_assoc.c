/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_sa_assoc.c: one SA's operations: the identity check,
 * endpoint binding and replacement by re-authentication, verify and sign,
 * the cnum window through sa_verify, the one-log-line-per-failure rule and
 * the cap on established SAs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_sa.h"

static void
test_sa_identity_matches_account_part(void)
{
	struct sa_table *t = sa_test_table(NULL);
	struct sa_assoc *n = sa_test_established(t, "h", "CORP\\Alice", NULL,
	    NULL);
	struct sa_assoc *k;

	fake_mech_lifetime = 0;
	CU_ASSERT_EQUAL(sa_begin(t, "h", MECH_KERBEROS, SA_HDR_WWW, NULL, &k),
	    0);
	CU_ASSERT_EQUAL(sa_step(k, (const uint8_t *)"user:bob@EXAMPLE.COM",
	    20, &(uint8_t *){ NULL }, &(size_t){ 0 }), SA_R_OK);
	sa_test_log_reset();
	CU_ASSERT_EQUAL(sa_check_identity(n, "alice"), SA_R_OK);
	CU_ASSERT_EQUAL(sa_check_identity(n, "ALICE"), SA_R_OK);
	CU_ASSERT_EQUAL(sa_check_identity(k, "bob"), SA_R_OK);
	CU_ASSERT_EQUAL(sa_test_log_count("failed"), 0);
	CU_ASSERT_EQUAL(sa_check_identity(n, "alic"), SA_R_IDENTITY);
	CU_ASSERT_EQUAL(sa_check_identity(n, "bob"), SA_R_IDENTITY);
	CU_ASSERT_EQUAL(sa_check_identity(k, "bob@EXAMPLE.COM"),
	    SA_R_IDENTITY);
	CU_ASSERT_EQUAL(sa_check_identity(n, NULL), SA_R_IDENTITY);
	CU_ASSERT_EQUAL(sa_test_log_count("reason=IDENTITY"), 4);
	sa_unref(n);
	sa_unref(k);
	sa_table_free(t);
}

static void
test_sa_reauth_replaces_sa_of_same_endpoint(void)
{
	struct sa_table *t = sa_test_table(NULL);
	struct sa_assoc *old, *new, *other, *found;
	struct sa_stats st;
	uint8_t sig[8];

	old = sa_test_established(t, "a", "D\\u1", "sip:u1@x", "01010101");
	other = sa_test_established(t, "a", "D\\u1", "sip:u1@x", "02020202");
	CU_ASSERT_EQUAL(sa_find_endpoint(t, "sip:u1@x", "01010101", "R", "T",
	    &found), SA_R_OK);
	CU_ASSERT_PTR_EQUAL(found, old);
	sa_unref(found);
	new = sa_test_established(t, "b", "D\\u1", "sip:u1@x", "01010101");
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.replaced, 1);
	CU_ASSERT_EQUAL(st.established, 2);
	CU_ASSERT_EQUAL(sa_state(old), ASSOC_DETACHED);
	CU_ASSERT_EQUAL(sa_find_endpoint(t, "sip:u1@x", "01010101", "R", "T",
	    &found), SA_R_OK);
	CU_ASSERT_PTR_EQUAL(found, new);
	sa_unref(found);
	/* Another epid of the same user is another endpoint. */
	CU_ASSERT_EQUAL(sa_state(other), ASSOC_ESTABLISHED);
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, sa_opaque(old), 8, &found),
	    SA_R_REPLACED);
	CU_ASSERT_EQUAL(sa_verify(old, 1, "m", 1, sig,
	    sa_test_client_sign(old, "m", sig)), SA_R_EXPIRED);
	/* Realm and targetname are part of the key. */
	CU_ASSERT_EQUAL(sa_find_endpoint(t, "sip:u1@x", "01010101", "R2", "T",
	    &found), SA_R_UNKNOWN_ENDPOINT);
	CU_ASSERT_PTR_NULL(found);
	/* Rebinding to the same endpoint is a no-op, to another refused. */
	CU_ASSERT_EQUAL(sa_establish_endpoint(new, "sip:u1@x", "01010101",
	    "R", "T"), SA_R_OK);
	CU_ASSERT_EQUAL(sa_establish_endpoint(new, "sip:u1@x", "03030303",
	    "R", "T"), SA_R_IDENTITY);
	CU_ASSERT_STRING_EQUAL(sa_aor(new), "sip:u1@x");
	CU_ASSERT_STRING_EQUAL(sa_epid(new), "01010101");
	CU_ASSERT_STRING_EQUAL(sa_user(new), "D\\u1");
	CU_ASSERT_EQUAL(sa_establish_endpoint(other, "sip:u1@x", "", "R",
	    "T"), SA_R_IDENTITY);
	sa_unref(old);
	sa_unref(new);
	sa_unref(other);
	sa_table_free(t);
}

static void
test_sa_verify_sign_and_salt(void)
{
	struct sa_table *t = sa_test_table(NULL);
	struct sa_assoc *sa = sa_test_established(t, "a", "D\\bob", "sip:b@x",
	    "e1");
	struct sa_assoc *eve = sa_test_established(t, "a", "D\\eve", NULL,
	    NULL);
	uint8_t sig[MECH_SIG_MAX];
	size_t siglen;
	char srand1[9], srand2[9], line[160];
	uint32_t snum;

	CU_ASSERT_EQUAL(sa_verify(sa, 1, "msg1", 4, sig,
	    sa_test_client_sign(sa, "msg1", sig)), SA_R_OK);
	/* Another user's signature, and a tampered message, fail. */
	sa_test_log_reset();
	CU_ASSERT_EQUAL(sa_verify(sa, 2, "msg2", 4, sig,
	    sa_test_client_sign(eve, "msg2", sig)), SA_R_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(sa_verify(sa, 2, "msg3", 4, sig, 8),
	    SA_R_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(sa_verify(sa, 2, "msg2", 4, NULL, 0),
	    SA_R_BAD_SIGNATURE);
	(void)snprintf(line, sizeof(line), "verify failed sa=%s "
	    "reason=BAD_SIGNATURE cnum=2 gss=", sa_opaque(sa));
	CU_ASSERT_EQUAL(sa_test_log_count(line), 2);
	CU_ASSERT_EQUAL(sa_test_log_count("failed"), 3);
	/* Server signatures do not verify as client ones (reflection). */
	CU_ASSERT_EQUAL(sa_sign(sa, "msg4", 4, sig, &siglen), SA_R_OK);
	CU_ASSERT_EQUAL(siglen, 8);
	CU_ASSERT_EQUAL(sa_verify(sa, 3, "msg4", 4, sig, siglen),
	    SA_R_BAD_SIGNATURE);
	/* snum counts from 1; srand is fresh, 8 upper-case hex digits. */
	CU_ASSERT_EQUAL(sa_next_server_salt(sa, srand1, &snum), SA_R_OK);
	CU_ASSERT_EQUAL(snum, 1);
	CU_ASSERT_EQUAL(sa_next_server_salt(sa, srand2, &snum), SA_R_OK);
	CU_ASSERT_EQUAL(snum, 2);
	CU_ASSERT_EQUAL(strlen(srand1), 8);
	CU_ASSERT_EQUAL(strspn(srand1, "0123456789ABCDEF"), 8);
	CU_ASSERT_STRING_NOT_EQUAL(srand1, srand2);
	CU_ASSERT_EQUAL(sa_next_server_salt(eve, srand1, &snum), SA_R_OK);
	CU_ASSERT_EQUAL(snum, 1);
	sa_unref(sa);
	sa_unref(eve);
	sa_table_free(t);
}

static void
test_sa_verify_replay_through_sa_and_bad_mic_keeps_window(void)
{
	struct sa_table *t = sa_test_table(NULL);
	struct sa_assoc *sa = sa_test_established(t, "a", "D\\c", NULL, NULL);
	uint8_t good[8], bad[8] = { 0 };
	char line[160];

	sa_test_client_sign(sa, "m", good);
	CU_ASSERT_EQUAL(sa_verify(sa, 1, "m", 1, good, 8), SA_R_OK);
	sa_test_log_reset();
	CU_ASSERT_EQUAL(sa_verify(sa, 1, "m", 1, good, 8), SA_R_REPLAYED_CNUM);
	(void)snprintf(line, sizeof(line), "verify failed sa=%s "
	    "reason=REPLAYED_CNUM cnum=1", sa_opaque(sa));
	CU_ASSERT_EQUAL(sa_test_log_count(line), 1);
	CU_ASSERT_EQUAL(sa_test_log_count("verify failed"), 1);
	/* A forged message with a far cnum must not move the window... */
	CU_ASSERT_EQUAL(sa_verify(sa, 100000, "m", 1, bad, 8),
	    SA_R_BAD_SIGNATURE);
	/* ...nor mark its cnum as seen. */
	CU_ASSERT_EQUAL(sa_verify(sa, 2, "m", 1, bad, 8), SA_R_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(sa_verify(sa, 2, "m", 1, good, 8), SA_R_OK);
	CU_ASSERT_EQUAL(sa_verify(sa, 3, "m", 1, good, 8), SA_R_OK);
	CU_ASSERT_EQUAL(sa_verify(sa, 300, "m", 1, good, 8), SA_R_OK);
	CU_ASSERT_EQUAL(sa_verify(sa, 44, "m", 1, good, 8), SA_R_REPLAYED_CNUM);
	CU_ASSERT_EQUAL(sa_test_log_count("window=below"), 1);
	sa_unref(sa);
	sa_table_free(t);
}

static void
test_sa_max_established_refuses(void)
{
	struct sa_limits lim = { .max_established = 1 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *a = sa_test_established(t, "a", "D\\a", NULL, NULL);
	struct sa_assoc *b;
	struct sa_stats st;

	CU_ASSERT_EQUAL(sa_begin(t, "b", MECH_KERBEROS, SA_HDR_WWW, NULL, &b),
	    0);
	CU_ASSERT_EQUAL(sa_step(b, (const uint8_t *)"user:b@R", 8,
	    &(uint8_t *){ NULL }, &(size_t){ 0 }), SA_R_LIMIT);
	CU_ASSERT_EQUAL(sa_state(b), ASSOC_DETACHED);
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.established, 1);
	CU_ASSERT_EQUAL(st.limit_refusals, 1);
	sa_unref(a);
	sa_unref(b);
	sa_table_free(t);
}

CU_TestInfo sa_assoc_tests[] = {
	{ "identity_matches_account_part",
	    test_sa_identity_matches_account_part },
	{ "reauth_replaces_sa_of_same_endpoint",
	    test_sa_reauth_replaces_sa_of_same_endpoint },
	{ "verify_sign_and_salt", test_sa_verify_sign_and_salt },
	{ "verify_replay_through_sa_and_bad_mic_keeps_window",
	    test_sa_verify_replay_through_sa_and_bad_mic_keeps_window },
	{ "max_established_refuses", test_sa_max_established_refuses },
	CU_TEST_INFO_NULL,
};
