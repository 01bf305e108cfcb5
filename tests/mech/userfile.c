/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/mech/userfile.c: the user-file lookup that tells an unknown NTLM
 * user from a wrong password (sa/mech_ntlm_user.c), on a file with both
 * line formats gss-ntlmssp reads, by reading the file and through its
 * index (sa/mech_ntlm_index.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "sa/mech_int.h"
#include "tests/mech/mech_test.h"

/* Look up domain\user (ASCII, sent as UTF-16LE as in AUTHENTICATE). */
static int
known(struct mech_server *s, const char *domain, const char *user)
{
	uint8_t d[128], u[128];
	struct ntlm_authenticate a;
	size_t i;

	memset(&a, 0, sizeof(a));
	memset(d, 0, sizeof(d));
	memset(u, 0, sizeof(u));
	for (i = 0; domain[i] != '\0'; i++)
		d[2 * i] = (uint8_t)domain[i];
	for (i = 0; user[i] != '\0'; i++)
		u[2 * i] = (uint8_t)user[i];
	a.domain = (struct ntlm_field){ d, 2 * strlen(domain) };
	a.user = (struct ntlm_field){ u, 2 * strlen(user) };
	return mech_ntlm_user_known(s, &a);
}

/* The same answers with and without the index of the file. */
static void
check_known(struct mech_server *s)
{
	CU_ASSERT_EQUAL(known(s, "EXAMPLE", "alice"), 1);
	CU_ASSERT_EQUAL(known(s, "example", "ALICE"), 1);
	CU_ASSERT_EQUAL(known(s, "", "alice"), 1);
	CU_ASSERT_EQUAL(known(s, "ELSEWHERE", "alice"), 0);
	CU_ASSERT_EQUAL(known(s, "ANY", "bob"), 1);	/* no domain: any */
	CU_ASSERT_EQUAL(known(s, "OTHER", "carol"), 1);
	CU_ASSERT_EQUAL(known(s, "EXAMPLE", "carol"), 0);
	CU_ASSERT_EQUAL(known(s, "EXAMPLE", "alic"), 0);
	CU_ASSERT_EQUAL(known(s, "EXAMPLE", "alicee"), 0);
	CU_ASSERT_EQUAL(known(s, "EXAMPLE", "secret"), 0);
	CU_ASSERT_EQUAL(known(s, "EXAMPLE", ""), 0);
	/*
	 * Five fields make an smbpasswd line for gss-ntlmssp, whose user is
	 * the first field: dave is unknown there, and so here.
	 */
	CU_ASSERT_EQUAL(known(s, "EXAMPLE", "dave"), 0);
	CU_ASSERT_EQUAL(known(s, "EXAMPLE", "MORE"), 1);
}

void
test_ntlm_user_file(void)
{
	struct mech_server s;
	char path[4200];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/users-test.txt", realm.dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("# comment\n"
	    "EXAMPLE\\alice:1001:AAD3B435B51404EEAAD3B435B51404EE:"
	    "F41426E29A8FDC2CEA0A81F065CD648A:[U          ]:LCT-00000000\n"
	    "bob:1002:AAD3B435B51404EEAAD3B435B51404EE:"
	    "F41426E29A8FDC2CEA0A81F065CD648A:[U          ]:LCT-00000000\n"
	    "OTHER:carol:secret\n"
	    "MORE:dave:secret:with:colons\n", f);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);

	memset(&s, 0, sizeof(s));
	s.ntlm_user_file = path;
	check_known(&s);
	s.ntlm_index = mech_ntlm_index_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.ntlm_index);
	CU_ASSERT_EQUAL(mech_ntlm_index_refresh(s.ntlm_index, path), 1);
	check_known(&s);
	mech_ntlm_index_free(s.ntlm_index);
	s.ntlm_index = NULL;
	(void)unlink(path);
	/* Winbind or an unreadable file: cannot tell (-1). */
	s.ntlm_winbind = 1;
	CU_ASSERT_EQUAL(known(&s, "EXAMPLE", "alice"), -1);
	s.ntlm_winbind = 0;
	(void)snprintf(path, sizeof(path), "/nonexistent/users");
	CU_ASSERT_EQUAL(known(&s, "EXAMPLE", "alice"), -1);
}
