/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_idmap.c: the identity map (src/idmap.c): parsing,
 * comments, account patterns, %u, case, several URIs for one account,
 * and errors with their line numbers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "src/idmap.h"
#include "tests/unit/unit.h"

/* The errors of the last parse, one a line. */
static char errs[4096];
static int nerrs;

static void
collect(const char *msg, void *arg)
{
	size_t len = strlen(errs);

	(void)arg;
	nerrs++;
	(void)snprintf(errs + len, sizeof(errs) - len, "%s\n", msg);
}

static struct idmap *
parse(const char *text)
{
	struct idmap *m = NULL;

	errs[0] = '\0';
	nerrs = 0;
	if (idmap_parse_buf("m.map", text, strlen(text), collect, NULL,
	    &m) != 0)
		return NULL;
	return m;
}

/* The result of a parse that must fail: its number of errors. */
static int
bad(const char *text)
{
	struct idmap *m = NULL;
	int n;

	errs[0] = '\0';
	nerrs = 0;
	n = idmap_parse_buf("m.map", text, strlen(text), collect, NULL, &m);
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT_EQUAL(n, nerrs);
	return n;
}

static void
test_parse(void)
{
	struct idmap *m;

	m = parse("# a comment\n\n   \t\n  # indented comment\n"
	    "EXAMPLE\\user1 sip:alice.smith@example.test\n"
	    "*@EXAMPLE.TEST\tsip:%u@Example.Test   # trailing comment\r\n"
	    "ADEX\\* Sip:%u@example.com");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(nerrs, 0);
	CU_ASSERT_EQUAL(idmap_rules(m), 3);
	idmap_free(m);

	m = parse("");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(idmap_rules(m), 0);
	CU_ASSERT_EQUAL(idmap_check(m, "EXAMPLE\\u", "sip:u@x.test", NULL),
	    IDMAP_NO_RULE);
	idmap_free(m);
	idmap_free(NULL);
	CU_ASSERT_EQUAL(idmap_rules(NULL), 0);
	CU_ASSERT_EQUAL(idmap_check(NULL, "EXAMPLE\\u", "sip:u@x.test",
	    NULL), IDMAP_NO_RULE);
}

/* One check: the account, the From AOR, the result and the line. */
struct idmap_case {
	const char		*account;
	const char		*aor;
	enum idmap_result	 want;
	int			 line;		/* of IDMAP_ALLOWED */
};

/* Parse text, then run every case against it. */
static void
cases(const char *text, const struct idmap_case *c, size_t n)
{
	struct idmap *m = parse(text);
	size_t i;
	int line;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	for (i = 0; i < n; i++) {
		line = -1;
		if (idmap_check(m, c[i].account, c[i].aor, &line) !=
		    c[i].want || line != c[i].line) {
			fprintf(stderr, "case %zu: %s as %s\n", i,
			    c[i].account ? c[i].account : "NULL",
			    c[i].aor ? c[i].aor : "NULL");
			CU_FAIL("unexpected idmap_check() result");
		}
	}
	idmap_free(m);
}

#define CASES(text, c)	cases((text), (c), sizeof(c) / sizeof((c)[0]))
#define A	IDMAP_ALLOWED
#define D	IDMAP_DENIED
#define N	IDMAP_NO_RULE

static void
test_exact(void)
{
	static const struct idmap_case c[] = {
		{ "EXAMPLE\\user1", "sip:alice.smith@example.test", A, 1 },
		/* Names and URIs ignore ASCII case. */
		{ "example\\USER1", "sip:Alice.Smith@example.test", A, 1 },
		{ "user3@example.test", "sip:carol@example.test", A, 2 },
		/* The account has lines: only their URIs, not its name. */
		{ "EXAMPLE\\user1", "sip:user1@example.test", D, 0 },
		{ "EXAMPLE\\user1", "sip:alice.smith@example.com", D, 0 },
		{ "EXAMPLE\\user1", "sip:alice.smith@example.test.x", D, 0 },
		{ "EXAMPLE\\user1", "sip:alice.smit@example.test", D, 0 },
		{ "EXAMPLE\\user1", NULL, D, 0 },
		/* Other accounts, domains, the other form: no rule. */
		{ "EXAMPLE\\user2", "sip:alice.smith@example.test", N, 0 },
		{ "OTHER\\user1", "sip:alice.smith@example.test", N, 0 },
		{ "user1@EXAMPLE", "sip:alice.smith@example.test", N, 0 },
		{ "user1", "sip:alice.smith@example.test", N, 0 },
		{ "EXAMPLE\\user3@EXAMPLE.TEST", "sip:carol@example.test", N,
		  0 },
		{ NULL, "sip:carol@example.test", N, 0 },
	};

	CASES("EXAMPLE\\user1 sip:alice.smith@example.test\n"
	    "user3@EXAMPLE.TEST sip:carol@example.test\n", c);
}

static void
test_patterns(void)
{
	static const struct idmap_case c[] = {
		{ "ADEX\\jdoe", "sip:jdoe@example.com", A, 1 },
		{ "adex\\JDoe", "sip:jdoe@example.com", A, 1 },
		{ "ADEX\\jdoe", "sip:jdoe2@example.com", D, 0 },
		{ "ADEX\\jdoe", "sip:other@example.com", D, 0 },
		/* %u is the account part: no domain, no realm. */
		{ "user3@EXAMPLE.TEST", "sip:user3@example.test", A, 2 },
		{ "user3@OTHER.TEST", "sip:user3@example.test", N, 0 },
		{ "EXAMPLE\\svc-fax", "sip:svc-fax.service@example.test", A,
		  3 },
		{ "EXAMPLE\\svc-", "sip:svc-.service@example.test", A, 3 },
		{ "EXAMPLE\\svcfax", "sip:svcfax.service@example.test", N,
		  0 },
		{ "EXAMPLE\\axxb", "sip:ab@example.test", A, 4 },
		{ "EXAMPLE\\ab", "sip:ab@example.test", A, 4 },
		{ "EXAMPLE\\abc", "sip:ab@example.test", N, 0 },
		{ "EXAMPLE\\lit", "sip:100%@example.test", A, 5 },
		/* '*' stops at '\' and '@'. */
		{ "ADEX\\jdoe@adex.test", "sip:jdoe@example.com", N, 0 },
		{ "ADEX\\x\\jdoe", "sip:jdoe@example.com", N, 0 },
	};

	CASES("ADEX\\* sip:%u@example.com\n"
	    "*@EXAMPLE.TEST sip:%u@example.test\n"
	    "EXAMPLE\\svc-* sip:%u.service@example.test\n"
	    "EXAMPLE\\a*b sip:ab@example.test\n"
	    "EXAMPLE\\lit sip:100%%@example.test\n", c);
}

static void
test_several(void)
{
	/* Every matching line adds its URI, in file order. */
	static const struct idmap_case c[] = {
		{ "EXAMPLE\\user1", "sip:alice.smith@example.test", A, 1 },
		{ "EXAMPLE\\user1", "sip:user1@example.test", A, 2 },
		{ "EXAMPLE\\user1", "sip:alice@example.com", A, 3 },
		{ "EXAMPLE\\user1", "sip:bob@example.com", D, 0 },
		{ "EXAMPLE\\user2", "sip:alice@example.com", D, 0 },
		{ "EXAMPLE\\user2", "sip:user2@example.test", A, 2 },
	};

	CASES("EXAMPLE\\user1 sip:alice.smith@example.test\n"
	    "EXAMPLE\\* sip:%u@example.test\n"
	    "EXAMPLE\\user1 sip:alice@example.com\n", c);
}

static void
test_errors(void)
{
	CU_ASSERT_EQUAL(bad("# ok\nEXAMPLE\\u1\n"), 1);
	CU_ASSERT_STRING_EQUAL(errs, "m.map:2: expected ACCOUNT SIP-URI\n");
	CU_ASSERT_EQUAL(bad("EXAMPLE\\u1 sip:a@b.test extra\n"), 1);
	CU_ASSERT_STRING_EQUAL(errs, "m.map:1: expected ACCOUNT SIP-URI\n");
	CU_ASSERT_EQUAL(bad("\n\nuser1 sip:a@b.test\n"), 1);
	CU_ASSERT_STRING_EQUAL(errs, "m.map:3: account \"user1\" is not "
	    "DOMAIN\\user or user@REALM\n");
	CU_ASSERT_EQUAL(bad("EX*\\u sip:a@b.test\n"), 1);
	CU_ASSERT_STRING_EQUAL(errs, "m.map:1: account: '*' only in the "
	    "user part, not in \"EX*\"\n");
	CU_ASSERT_EQUAL(bad("u@* sip:a@b.test\n"), 1);
	CU_ASSERT_EQUAL(bad("\\u sip:a@b.test\n"), 1);
	CU_ASSERT_STRING_EQUAL(errs, "m.map:1: account: expected "
	    "DOMAIN\\user or user@REALM\n");
	CU_ASSERT_EQUAL(bad("D\\ sip:a@b.test\n"), 1);
	CU_ASSERT_EQUAL(bad("@R sip:a@b.test\n"), 1);
	CU_ASSERT_EQUAL(bad("D\\u@x sip:a@b.test\n"), 1);
	CU_ASSERT_EQUAL(bad("D\\u tel:+123\n"), 1);
	CU_ASSERT_STRING_EQUAL(errs, "m.map:1: \"tel:+123\" is not a sip: "
	    "URI\n");
	CU_ASSERT_EQUAL(bad("D\\u sips:a@b.test\n"), 1);
	CU_ASSERT_EQUAL(bad("D\\u sip:b.test\n"), 1);
	CU_ASSERT_STRING_EQUAL(errs, "m.map:1: \"sip:b.test\": expected "
	    "sip:user@domain\n");
	CU_ASSERT_EQUAL(bad("D\\u sip:@b.test\n"), 1);
	CU_ASSERT_EQUAL(bad("D\\u sip:a@\n"), 1);
	CU_ASSERT_EQUAL(bad("D\\u sip:a@b.test:5060\n"), 1);
	CU_ASSERT_STRING_EQUAL(errs, "m.map:1: \"sip:a@b.test:5060\": the "
	    "domain must be a host name (no port, no parameters)\n");
	CU_ASSERT_EQUAL(bad("D\\u sip:a@b.test;transport=tcp\n"), 1);
	CU_ASSERT_EQUAL(bad("D\\u sip:a;x@b.test\n"), 1);
	CU_ASSERT_EQUAL(bad("D\\u sip:%d@b.test\n"), 1);
	CU_ASSERT_STRING_EQUAL(errs, "m.map:1: \"sip:%d@b.test\": only %u "
	    "and %% may follow '%'\n");
	CU_ASSERT_EQUAL(bad("D\\u sip:a@%u.test\n"), 1);
	/* Every bad line is reported with its number. */
	CU_ASSERT_EQUAL(bad("D\\u sip:a@b.test\nbad\n# c\nD\\u sip:x\n"
	    "D\\v sip:v@b.test\n"), 2);
	CU_ASSERT_STRING_EQUAL(errs, "m.map:2: expected ACCOUNT SIP-URI\n"
	    "m.map:4: \"sip:x\": expected sip:user@domain\n");
}

static void
test_too_many(void)
{
	char text[2048] = "";
	struct idmap *m = NULL;
	int i;

	for (i = 0; i < IDMAP_MAX_ERRORS + 5; i++)
		strcat(text, "bad\n");
	errs[0] = '\0';
	nerrs = 0;
	CU_ASSERT_EQUAL(idmap_parse_buf("m.map", text, strlen(text), collect,
	    NULL, &m), IDMAP_MAX_ERRORS);
	CU_ASSERT_PTR_NULL(m);
	/* One more line says that reading stopped. */
	CU_ASSERT_EQUAL(nerrs, IDMAP_MAX_ERRORS + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(errs, "m.map:20: expected"));
	CU_ASSERT_PTR_NULL(strstr(errs, "m.map:21:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errs, "m.map: too many errors, "
	    "reading stopped\n"));
}

static void
test_load(void)
{
	char path[] = "/tmp/sipsa-idmap-XXXXXX";
	const char *text = "# test\nEXAMPLE\\user1 sip:a@example.test\n";
	struct idmap *m = NULL;
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	fp = fdopen(fd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs(text, fp);
	CU_ASSERT_EQUAL(fclose(fp), 0);
	CU_ASSERT_EQUAL(idmap_load(path, collect, NULL, &m), 0);
	CU_ASSERT_EQUAL(idmap_rules(m), 1);
	CU_ASSERT_EQUAL(idmap_check(m, "EXAMPLE\\user1",
	    "sip:a@example.test", NULL), IDMAP_ALLOWED);
	idmap_free(m);
	(void)unlink(path);

	errs[0] = '\0';
	nerrs = 0;
	CU_ASSERT_EQUAL(idmap_load(path, collect, NULL, &m), 1);
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT_PTR_NOT_NULL(strstr(errs, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(errs, "No such file"));
}

static CU_TestInfo idmap_tests[] = {
	{ "parse and comments", test_parse },
	{ "exact accounts", test_exact },
	{ "patterns and %u", test_patterns },
	{ "several URIs", test_several },
	{ "errors with line numbers", test_errors },
	{ "too many errors", test_too_many },
	{ "load a file", test_load },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo idmap_suites[] = {
	{ "idmap", NULL, NULL, NULL, NULL, idmap_tests },
	CU_SUITE_INFO_NULL,
};
