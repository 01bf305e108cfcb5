/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_access.c: the sign-in rules (src/access.c), written as
 * sipsa.conf text: the first match decides, a listener's rules before
 * access { }, the default, each kind of rule, case, groups unknown; and
 * the configuration errors.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "conf/conf.h"
#include "src/access.h"
#include "tests/unit/test_conf.h"
#include "tests/unit/unit.h"

static char g_users[] = "Domain Users", g_sip[] = "sipusers",
    g_staff[] = "sipstaff", g_upper[] = "SIPUSERS";
static char *alice_groups[] = { g_users, g_sip, g_staff, NULL };
static char *bob_groups[] = { g_upper, NULL };
static char *none[] = { NULL };

/* The rule that decided, as "allow group" and its line, or "default". */
static char why[64];

static int
decide(const struct sipsa_conf *c, const struct conf_access_rule *listener,
    const char *account, char *const *groups)
{
	const struct conf_access_rule *r = NULL;
	int allow = access_decide(listener, &c->access, account, groups, &r);

	if (r != NULL)
		(void)snprintf(why, sizeof(why), "%s:%d", access_rule_name(r),
		    r->pos.line);
	else
		(void)snprintf(why, sizeof(why), "default");
	return allow;
}

static void
test_default(void)
{
	struct sipsa_conf *c = conf_t_load_ok("");

	if (c == NULL)
		return;
	/* No rules: everyone, as before access { } existed. */
	CU_ASSERT_EQUAL(decide(c, NULL, "EXAMPLE\\user1", NULL), 1);
	CU_ASSERT_STRING_EQUAL(why, "default");
	conf_free(c);
	c = conf_t_load_ok("access {\n\tdefault deny\n}\n");
	if (c == NULL)
		return;
	CU_ASSERT_EQUAL(decide(c, NULL, "EXAMPLE\\user1", none), 0);
	CU_ASSERT_STRING_EQUAL(why, "default");
	conf_free(c);
}

static void
test_first_match(void)
{
	/* BASE has 10 lines: the directory block starts at line 11. */
	struct sipsa_conf *c = conf_t_load_ok(
	    "directory {\n"				/* 11 */
	    "\turi ldap://dc1.example.test\n"
	    "\tbase \"DC=example,DC=test\"\n"
	    "\tprincipal sipsvc@EXAMPLE.TEST\n"
	    "\tkeytab \"/nonexistent\"\n"
	    "}\n"
	    "access {\n"				/* 17 */
	    "\tdeny user \"EXAMPLE\\\\Mallory\"\n"	/* 18 */
	    "\tallow group sipusers\n"			/* 19 */
	    "\tdeny domain OTHER\n"			/* 20 */
	    "\tallow domain example.test\n"		/* 21 */
	    "\tdefault deny\n"
	    "}\n");

	if (c == NULL)
		return;
	/* A user rule, ignoring case, before the group that would allow. */
	CU_ASSERT_EQUAL(decide(c, NULL, "example\\mallory", alice_groups), 0);
	CU_ASSERT_STRING_EQUAL(why, "deny user:18");
	/* A group (any case), nested ones come in the list too. */
	CU_ASSERT_EQUAL(decide(c, NULL, "EXAMPLE\\alice", alice_groups), 1);
	CU_ASSERT_STRING_EQUAL(why, "allow group:19");
	CU_ASSERT_EQUAL(decide(c, NULL, "EXAMPLE\\bob", bob_groups), 1);
	/* Groups unknown (the directory does not have the account): no
	   group rule matches; the domain of DOMAIN\user and of user@REALM. */
	CU_ASSERT_EQUAL(decide(c, NULL, "OTHER\\carol", NULL), 0);
	CU_ASSERT_STRING_EQUAL(why, "deny domain:20");
	CU_ASSERT_EQUAL(decide(c, NULL, "carol@EXAMPLE.TEST", NULL), 1);
	CU_ASSERT_STRING_EQUAL(why, "allow domain:21");
	/* A domain rule is the whole domain, not a prefix or suffix. */
	CU_ASSERT_EQUAL(decide(c, NULL, "carol@SUB.EXAMPLE.TEST", none), 0);
	CU_ASSERT_STRING_EQUAL(why, "default");
	CU_ASSERT_EQUAL(decide(c, NULL, "OTHERS\\dave", none), 0);
	CU_ASSERT_STRING_EQUAL(why, "default");
	conf_free(c);
}

static void
test_listener(void)
{
	struct sipsa_conf *c = conf_t_load_ok(
	    "listen tls 127.0.0.1 5061 {\n"		/* 11 */
	    "\tcertificate \"/nonexistent/c.pem\"\n"
	    "\tkey \"/nonexistent/k.pem\"\n"
	    "\tdeny user \"EXAMPLE\\\\bob\"\n"		/* 14 */
	    "\tallow any\n"				/* 15 */
	    "}\n"
	    "access {\n"
	    "\tallow user \"EXAMPLE\\\\bob\"\n"		/* 18 */
	    "\tdefault deny\n"
	    "}\n");
	const struct conf_listen *tcp, *tls;

	if (c == NULL)
		return;
	tcp = c->listeners;
	tls = tcp->next;
	CU_ASSERT_PTR_NULL(tcp->access);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tls);
	/* The listener's rules first. */
	CU_ASSERT_EQUAL(decide(c, tls->access, "EXAMPLE\\bob", none), 0);
	CU_ASSERT_STRING_EQUAL(why, "deny user:14");
	CU_ASSERT_EQUAL(decide(c, tls->access, "EXAMPLE\\carol", none), 1);
	CU_ASSERT_STRING_EQUAL(why, "allow any:15");
	/* Another listener: the access block only. */
	CU_ASSERT_EQUAL(decide(c, tcp->access, "EXAMPLE\\bob", none), 1);
	CU_ASSERT_STRING_EQUAL(why, "allow user:18");
	CU_ASSERT_EQUAL(decide(c, tcp->access, "EXAMPLE\\carol", none), 0);
	CU_ASSERT_STRING_EQUAL(why, "default");
	conf_free(c);
}

static void
test_errors(void)
{
	conf_t_expect_errs("access {\n\tallow everyone\n}\n",
	    (const char *[]){ "t.conf:12:8: allow: expected any, or user, "
	    "group or domain and a name", NULL });
	conf_t_expect_errs("access {\n\tdeny any x\n}\n",
	    (const char *[]){ "t.conf:12:7: deny: expected any, or user, "
	    "group or domain and a name", NULL });
	conf_t_expect_errs("access {\n\tdeny user bob\n}\n",
	    (const char *[]){ "t.conf:12:12: deny user: \"bob\" is not "
	    "DOMAIN\\user or user@REALM", NULL });
	conf_t_expect_errs("access {\n\tdefault maybe\n}\n",
	    (const char *[]){ "t.conf:12:10: default: expected deny or allow, "
	    "not \"maybe\"", NULL });
	/* Groups need the directory. */
	conf_t_expect_errs("access {\n\tallow group sipusers\n}\n",
	    (const char *[]){ "t.conf:12:2: allow group: groups come from the "
	    "directory; add: directory { uri ... }", NULL });
}

static CU_TestInfo access_tests[] = {
	{ "default", test_default },
	{ "first match wins", test_first_match },
	{ "listener rules first", test_listener },
	{ "configuration errors", test_errors },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo access_suites[] = {
	{ "access", NULL, NULL, NULL, NULL, access_tests },
	CU_SUITE_INFO_NULL,
};
