/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/mech/sa_rt.c: real round trips through the SA layer, no mocks:
 * the sipsa initiator (mech_init) against an SA table on sa_mech_gss, for
 * NTLM (gss-ntlmssp, the realm's user file) and Kerberos (the realm's
 * KDC), with signatures both ways, the cnum window and each rejection
 * with its own reason.  Needs scripts/sipsa-realm (tests/mech/sa_run.sh).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "sa/sa.h"
#include "tests/mech/mech_test.h"

struct realm realm;
static struct mech_server *server;
static uint64_t now = 1000000;

static const char sigstr_c[] = "<NTLM><1a2b3c4d><1><SIP Communications "
    "Service><proxy.example.test><callid1><1><REGISTER><sip:user1@example."
    "test><8f3a2b1c0d><sip:user1@example.test><><><><>";
static const char sigstr_s[] = "<NTLM><3D4E5F60><1><SIP Communications "
    "Service><proxy.example.test><callid1><1><REGISTER><sip:user1@example."
    "test><8f3a2b1c0d><sip:user1@example.test><AB12><><><3600><200>";

static uint64_t
clock_fn(void *arg)
{
	return *(const uint64_t *)arg;
}

static struct sa_table *
table(void)
{
	struct sa_table_params p;
	struct sa_table *t = NULL;

	memset(&p, 0, sizeof(p));
	p.now_ms = clock_fn;
	p.clock_arg = &now;
	p.mech = &sa_mech_gss;
	p.limits.idle_s = 900;
	CU_ASSERT_EQUAL_FATAL(sa_table_create(&p, &t), 0);
	return t;
}

/*
 * An NTLM handshake of user/password through sa_step; *cli gets the
 * client context.  Returns the reason of the server's last leg.
 */
static enum sa_reason
ntlm_sa(struct sa_table *t, const char *user, const char *password,
    struct sa_assoc **sa_out, struct mech_ctx **cli)
{
	struct mech_client_params cp;
	struct mech_result cr;
	uint8_t *out = NULL;
	size_t out_len = 0;
	enum sa_reason r;

	memset(&cp, 0, sizeof(cp));
	cp.kind = MECH_NTLM;
	cp.target_fqdn = realm.fqdn;
	cp.user = user;
	cp.domain = realm.netbios;
	cp.password = password;
	*cli = NULL;
	CU_ASSERT_EQUAL_FATAL(sa_begin(t, "127.0.0.1", MECH_NTLM, SA_HDR_WWW,
	    server, sa_out), 0);
	CU_ASSERT_EQUAL_FATAL(mech_init(&cp, cli, NULL, 0, &cr), 0);
	free(cr.out);
	/* Leg 1: the connectionless first leg carries an empty token. */
	r = sa_step(*sa_out, NULL, 0, &out, &out_len);
	CU_ASSERT_EQUAL_FATAL(r, SA_R_OK);
	CU_ASSERT(out_len > 0);
	CU_ASSERT_EQUAL(sa_state(*sa_out), ASSOC_HALF_OPEN);
	CU_ASSERT_EQUAL_FATAL(mech_init(&cp, cli, out, out_len, &cr), 0);
	free(out);
	CU_ASSERT_EQUAL_FATAL(cr.reason, MECH_OK);
	/* Leg 2: AUTHENTICATE. */
	r = sa_step(*sa_out, cr.out, cr.out_len, &out, &out_len);
	free(cr.out);
	free(out);
	return r;
}

/* Client signs, SA verifies (with cnum); SA signs, client verifies. */
static void
signatures_both_ways(struct sa_assoc *sa, struct mech_ctx *cli)
{
	uint8_t sig[MECH_SIG_MAX], bad[MECH_SIG_MAX];
	size_t siglen;
	struct mech_status st;
	char srand[9];
	uint32_t snum;

	CU_ASSERT_EQUAL_FATAL(mech_sign(cli, sigstr_c, strlen(sigstr_c), sig,
	    &siglen, &st), MECH_OK);
	CU_ASSERT_EQUAL(sa_verify(sa, 1, sigstr_c, strlen(sigstr_c), sig,
	    siglen), SA_R_OK);
	CU_ASSERT_EQUAL(sa_verify(sa, 1, sigstr_c, strlen(sigstr_c), sig,
	    siglen), SA_R_REPLAYED_CNUM);
	memcpy(bad, sig, siglen);
	bad[siglen - 1] ^= 0x01;
	CU_ASSERT_EQUAL(sa_verify(sa, 2, sigstr_c, strlen(sigstr_c), bad,
	    siglen), SA_R_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(sa_verify(sa, 2, sigstr_s, strlen(sigstr_s), sig,
	    siglen), SA_R_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(sa_verify(sa, 2, sigstr_c, strlen(sigstr_c), sig,
	    siglen), SA_R_OK);

	CU_ASSERT_EQUAL(sa_next_server_salt(sa, srand, &snum), SA_R_OK);
	CU_ASSERT_EQUAL(snum, 1);
	CU_ASSERT_EQUAL(sa_sign(sa, sigstr_s, strlen(sigstr_s), sig, &siglen),
	    SA_R_OK);
	CU_ASSERT_EQUAL(mech_verify(cli, sigstr_s, strlen(sigstr_s), sig,
	    siglen, &st), MECH_OK);
	/* The server's own signature is not a valid client signature. */
	CU_ASSERT_EQUAL(sa_verify(sa, 3, sigstr_s, strlen(sigstr_s), sig,
	    siglen), SA_R_BAD_SIGNATURE);
}

static void
test_sa_rt_ntlm(void)
{
	struct sa_table *t = table();
	struct sa_assoc *sa, *found;
	struct mech_ctx *cli;
	char want[300];

	CU_ASSERT_EQUAL_FATAL(ntlm_sa(t, "user1", "user1pw", &sa, &cli),
	    SA_R_OK);
	CU_ASSERT_EQUAL(sa_state(sa), ASSOC_ESTABLISHED);
	(void)snprintf(want, sizeof(want), "%s\\user1", realm.netbios);
	CU_ASSERT_STRING_EQUAL(sa_user(sa), want);
	CU_ASSERT_EQUAL(sa_check_identity(sa, "user1"), SA_R_OK);
	CU_ASSERT_EQUAL(sa_check_identity(sa, "user2"), SA_R_IDENTITY);
	CU_ASSERT_EQUAL(sa_establish_endpoint(sa, "sip:user1@example.test",
	    "8f3a2b1c0d", "SIP Communications Service", "proxy.example.test"),
	    SA_R_OK);
	CU_ASSERT_EQUAL(sa_find_endpoint(t, "sip:user1@example.test",
	    "8f3a2b1c0d", "SIP Communications Service", "proxy.example.test",
	    &found), SA_R_OK);
	CU_ASSERT_PTR_EQUAL(found, sa);
	sa_unref(found);
	signatures_both_ways(sa, cli);
	printf("\n    NTLM established SA: %zu bytes (sa_memory) ",
	    sa_memory(sa));
	CU_ASSERT(sa_memory(sa) < 1024);
	/* Idle expiry on the table clock, then the SA is refused. */
	now += 900 * 1000;
	CU_ASSERT_EQUAL(sa_verify(sa, 9, sigstr_c, strlen(sigstr_c),
	    (const uint8_t *)"x", 1), SA_R_EXPIRED);
	/* Its opaque is remembered as expired, not unknown. */
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, sa_opaque(sa), SA_OPAQUE_LEN,
	    &found), SA_R_EXPIRED);
	mech_ctx_free(cli);
	sa_unref(sa);
	sa_table_free(t);
}

static void
test_sa_rt_ntlm_rejections(void)
{
	struct sa_table *t = table();
	struct sa_assoc *sa, *found;
	struct mech_ctx *cli;

	CU_ASSERT_EQUAL(ntlm_sa(t, "user1", "wrongpw", &sa, &cli),
	    SA_R_BAD_PASSWORD);
	CU_ASSERT_EQUAL(sa_state(sa), ASSOC_DETACHED);
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, sa_opaque(sa), SA_OPAQUE_LEN,
	    &found), SA_R_UNKNOWN_OPAQUE);
	mech_ctx_free(cli);
	sa_unref(sa);
	CU_ASSERT_EQUAL(ntlm_sa(t, "nosuchuser", "x", &sa, &cli),
	    SA_R_UNKNOWN_USER);
	mech_ctx_free(cli);
	sa_unref(sa);
	sa_table_free(t);
}

static void
test_sa_rt_kerberos(void)
{
	struct sa_table *t = table();
	struct mech_client_params cp;
	struct mech_result cr;
	struct sa_assoc *sa, *again;
	struct mech_ctx *cli = NULL;
	uint8_t *out = NULL, *apreq;
	size_t out_len = 0, apreq_len;
	char principal[300];

	memset(&cp, 0, sizeof(cp));
	cp.kind = MECH_KERBEROS;
	cp.target_fqdn = realm.fqdn;
	(void)snprintf(principal, sizeof(principal), "user1@%s", realm.realm);
	cp.principal = principal;
	cp.client_keytab = realm.client_keytab;
	CU_ASSERT_EQUAL_FATAL(mech_init(&cp, &cli, NULL, 0, &cr), 0);
	CU_ASSERT_EQUAL_FATAL(cr.reason, MECH_OK);
	apreq = cr.out;
	apreq_len = cr.out_len;
	CU_ASSERT_EQUAL_FATAL(sa_begin(t, "127.0.0.1", MECH_KERBEROS,
	    SA_HDR_WWW, server, &sa), 0);
	CU_ASSERT_EQUAL_FATAL(sa_step(sa, apreq, apreq_len, &out, &out_len),
	    SA_R_OK);
	free(out);
	CU_ASSERT_EQUAL(sa_state(sa), ASSOC_ESTABLISHED);
	CU_ASSERT_STRING_EQUAL(sa_user(sa), principal);
	CU_ASSERT_EQUAL(sa_check_identity(sa, "user1"), SA_R_OK);
	signatures_both_ways(sa, cli);
	/* Only the checksum keys are kept (sa/krb5_cfx.c). */
	printf("\n    Kerberos established SA: %zu bytes (sa_memory) ",
	    sa_memory(sa));
	CU_ASSERT(sa_memory(sa) < 1024);
	/* The same AP-REQ again is caught by the replay cache. */
	CU_ASSERT_EQUAL_FATAL(sa_begin(t, "127.0.0.1", MECH_KERBEROS,
	    SA_HDR_WWW, server, &again), 0);
	CU_ASSERT_EQUAL(sa_step(again, apreq, apreq_len, &out, &out_len),
	    SA_R_REPLAYED_TICKET);
	CU_ASSERT_EQUAL(sa_state(again), ASSOC_DETACHED);
	free(apreq);
	mech_ctx_free(cli);
	sa_unref(again);
	sa_unref(sa);
	sa_table_free(t);
}

static int
suite_init(void)
{
	struct mech_server_params sp;
	char err[512];

	if (realm_from_env(&realm) != 0)
		return -1;
	realm_server_params(&realm, &sp);
	if (mech_server_create(&sp, &server, err, sizeof(err)) != 0) {
		fprintf(stderr, "mech_server_create: %s\n", err);
		return -1;
	}
	return 0;
}

static int
suite_fini(void)
{
	mech_server_free(server);
	server = NULL;
	return 0;
}

static CU_TestInfo tests[] = {
	{ "ntlm", test_sa_rt_ntlm },
	{ "ntlm_rejections", test_sa_rt_ntlm_rejections },
	{ "kerberos", test_sa_rt_kerberos },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "sa_rt", suite_init, suite_fini, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	int failed;

	if (CU_initialize_registry() != CUE_SUCCESS ||
	    CU_register_suites(suites) != CUE_SUCCESS)
		return 1;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	(void)CU_basic_run_tests();
	failed = CU_get_number_of_failures() +
	    CU_get_number_of_tests_failed() +
	    CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
