/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_audit.c: how the audit lines write a value
 * (src/audit.c, doc/audit.md): as it is, or quoted with escapes, never
 * with a blank, a quote or a control byte that would break a key=value
 * parser, and cut to the buffer.
 */
#include "config.h"

#include <string.h>

#include <CUnit/CUnit.h>

#include "src/audit.h"
#include "tests/unit/unit.h"

static void
test_values(void)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ NULL, "-" },
		{ "", "-" },
		{ "EXAMPLE\\user1", "EXAMPLE\\user1" },
		{ "user3@EXAMPLE.TEST", "user3@EXAMPLE.TEST" },
		{ "a1b2@host-1:5060", "a1b2@host-1:5060" },
		/* A blank, =, a quote, a backslash among them, control and
		   non-ASCII bytes. */
		{ "John Doe", "\"John Doe\"" },
		{ "x=1 y", "\"x=1 y\"" },
		{ "a \"b\" \\c", "\"a \\\"b\\\" \\\\c\"" },
		{ "bad\nline", "\"bad\\x0aline\"" },
		{ "P\xc3\xa4r", "\"P\\xc3\\xa4r\"" },
	};
	char b[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)audit_value(b, sizeof(b), cases[i].in);
		CU_ASSERT_STRING_EQUAL(b, cases[i].out);
	}
}

static void
test_cut(void)
{
	char b[8], big[300];

	/* Plain, cut: still terminated. */
	CU_ASSERT_STRING_EQUAL(audit_value(b, sizeof(b), "abcdefghijkl"),
	    "abcdefg");
	/* Quoted, cut: no escape split in half, closing quote kept. */
	(void)audit_value(b, sizeof(b), "a b c d e f");
	CU_ASSERT_EQUAL(b[0], '"');
	CU_ASSERT(strlen(b) < sizeof(b));
	CU_ASSERT_EQUAL(b[strlen(b) - 1], '"');
	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	(void)audit_value(b, sizeof(b), big);
	CU_ASSERT(strlen(b) < sizeof(b));
	CU_ASSERT(strchr(b, '\n') == NULL);
}

static CU_TestInfo audit_tests[] = {
	{ "values", test_values },
	{ "cut to the buffer", test_cut },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo audit_suites[] = {
	{ "audit", NULL, NULL, NULL, NULL, audit_tests },
	CU_SUITE_INFO_NULL,
};
