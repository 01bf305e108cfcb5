/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/mech/shared.c: handshakes on initiator credentials acquired once
 * (mech_client_cred_create), as the load generator runs them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "sa/mech.h"
#include "tests/mech/mech_test.h"

enum mech_reason
handshake_with_cred(struct mech_server *s, const struct mech_client_cred *c,
    enum mech_kind kind, struct mech_ctx **srv, struct mech_ctx **cli)
{
	struct mech_client_params cp;
	struct mech_result cr, r;
	int legs = kind == MECH_NTLM ? 2 : 1, i;

	memset(&cp, 0, sizeof(cp));
	cp.kind = kind;
	cp.target_fqdn = realm.fqdn;
	cp.cred = c;
	*srv = *cli = NULL;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < legs; i++) {
		if (mech_init(&cp, cli, r.out, r.out_len, &cr) != 0)
			cr.reason = MECH_R_INTERNAL;
		free(r.out);
		if (cr.reason != MECH_OK) {
			mech_ctx_free(*srv);
			*srv = NULL;
			return cr.reason;
		}
		if (mech_accept(s, kind, srv, cr.out, cr.out_len, &r) != 0)
			r.reason = MECH_R_INTERNAL;
		free(cr.out);
		if (r.reason != MECH_OK) {
			free(r.out);
			mech_ctx_free(*cli);
			*cli = NULL;
			return r.reason;
		}
	}
	free(r.out);
	return r.complete && cr.complete ? MECH_OK : MECH_R_INTERNAL;
}

/* Two handshakes and a signature each way on one credential. */
static void
twice(struct mech_server *s, const struct mech_client_cred *c,
    enum mech_kind kind)
{
	struct mech_ctx *srv, *cli;
	uint8_t sig[MECH_SIG_MAX];
	size_t len;
	int i;

	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(handshake_with_cred(s, c, kind, &srv,
		    &cli), MECH_OK);
		CU_ASSERT_EQUAL(mech_sign(cli, "abc", 3, sig, &len, NULL),
		    MECH_OK);
		CU_ASSERT_EQUAL(mech_verify(srv, "abc", 3, sig, len, NULL),
		    MECH_OK);
		CU_ASSERT_EQUAL(mech_sign(srv, "abd", 3, sig, &len, NULL),
		    MECH_OK);
		CU_ASSERT_EQUAL(mech_verify(cli, "abd", 3, sig, len, NULL),
		    MECH_OK);
		mech_ctx_free(srv);
		mech_ctx_free(cli);
	}
}

void
test_shared_creds(struct mech_server *s)
{
	struct mech_client_params cp;
	struct mech_client_cred *c = NULL;
	struct mech_ctx *srv, *cli;
	struct mech_status st;
	char principal[300];

	memset(&cp, 0, sizeof(cp));
	cp.kind = MECH_NTLM;
	cp.user = "user2";
	cp.domain = realm.netbios;
	cp.password = "user2pw";
	CU_ASSERT_EQUAL_FATAL(mech_client_cred_create(&cp, &c, &st), 0);
	twice(s, c, MECH_NTLM);
	/* The wrong kind of credential is refused by the initiator. */
	CU_ASSERT_EQUAL(handshake_with_cred(s, c, MECH_KERBEROS, &srv, &cli),
	    MECH_R_NO_CREDENTIALS);
	mech_client_cred_free(c);
	cp.password = "wrong";
	CU_ASSERT_EQUAL_FATAL(mech_client_cred_create(&cp, &c, &st), 0);
	CU_ASSERT_EQUAL(handshake_with_cred(s, c, MECH_NTLM, &srv, &cli),
	    MECH_R_BAD_PASSWORD);
	mech_client_cred_free(c);

	memset(&cp, 0, sizeof(cp));
	cp.kind = MECH_KERBEROS;
	(void)snprintf(principal, sizeof(principal), "user1@%s", realm.realm);
	cp.principal = principal;
	cp.client_keytab = realm.client_keytab;
	CU_ASSERT_EQUAL_FATAL(mech_client_cred_create(&cp, &c, &st), 0);
	twice(s, c, MECH_KERBEROS);
	mech_client_cred_free(c);
	cp.client_keytab = NULL;	/* the default ccache */
	cp.principal = NULL;
	CU_ASSERT_EQUAL_FATAL(mech_client_cred_create(&cp, &c, &st), 0);
	twice(s, c, MECH_KERBEROS);
	mech_client_cred_free(c);
	/* A principal with no TGT yet and a keytab that does not exist. */
	cp.client_keytab = "/nonexistent/keytab";
	(void)snprintf(principal, sizeof(principal), "user2@%s", realm.realm);
	cp.principal = principal;
	CU_ASSERT_EQUAL(mech_client_cred_create(&cp, &c, &st), EACCES);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_NOT_EQUAL(st.major, 0);
}
