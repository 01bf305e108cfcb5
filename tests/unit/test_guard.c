/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_guard.c: lockout protection (src/guard.c) on a test
 * clock: account and source thresholds, the sliding window, blocks that
 * double up to the ceiling, sources that signed an account in, the
 * handshake rate.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "conf/conf.h"
#include "src/proxy.h"
#include "tests/unit/unit.h"

static uint64_t test_now;

static uint64_t
test_clock(void)
{
	return test_now;
}

static struct proxy px;
static struct sipsa_conf *conf;

/* A proxy with only a configuration and a guard, on the test clock. */
static void
setup(const char *guard)
{
	char text[1024];

	(void)snprintf(text, sizeof(text), "server { fqdn p.example.test }\n"
	    "listen udp 127.0.0.1 5060\nauth { schemes ntlm\n"
	    " ntlm { users winbind } }\nguard { %s }\n", guard);
	memset(&px, 0, sizeof(px));
	conf = NULL;
	CU_ASSERT_EQUAL_FATAL(conf_parse_buf("g.conf", text, strlen(text),
	    0, NULL, NULL, &conf), 0);
	px.conf = conf;
	guard_clock = test_clock;
	test_now = 1000000;
	CU_ASSERT_EQUAL_FATAL(guard_init(&px), 0);
}

static void
teardown(void)
{
	guard_fini(&px);
	conf_free(conf);
}

static struct ptx *
from(const char *addr)
{
	static struct ptx ptx;

	memset(&ptx, 0, sizeof(ptx));
	ptx.px = &px;
	(void)snprintf(ptx.peer_addr, sizeof(ptx.peer_addr), "%s", addr);
	(void)snprintf(ptx.peer, sizeof(ptx.peer), "%s:5060", addr);
	return &ptx;
}

static void
test_account_blocks_and_doubles(void)
{
	int i;

	setup("user-failures 3\nsource-failures 1000\nwindow 60s\n"
	    "block-time 10s\nblock-max 25s\nhandshake-rate 0");
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(guard_check(from("192.0.2.1"), "DOM\\alice"),
		    0);
		guard_failed(from("192.0.2.1"), "DOM\\alice");
	}
	/* Blocked for anyone (domain and case do not matter), before any
	   check. */
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.1"), "DOM\\alice"), 10);
	CU_ASSERT_EQUAL(guard_check(from("198.51.100.9"),
	    "dom.example.test\\ALICE"), 10);
	CU_ASSERT_EQUAL(guard_check(from("198.51.100.9"),
	    "alice@DOM.EXAMPLE.TEST"), 10);
	/* Another account, the same source: free. */
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.1"), "DOM\\bob"), 0);
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.1"), NULL), 0);
	/* The block is over, but its three failures are still in the
	   window: held back until they age out, so that the directory
	   never sees a fourth within a window. */
	test_now += 10000;
	i = (int)guard_check(from("192.0.2.1"), "DOM\\alice");
	CU_ASSERT(i > 40 && i <= 51);
	test_now += 51000;
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.1"), "DOM\\alice"), 0);
	/* The next failure blocks again, twice as long; then the ceiling. */
	guard_failed(from("192.0.2.1"), "DOM\\alice");
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.1"), "DOM\\alice"), 20);
	test_now += 20000;
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.1"), "DOM\\alice"), 0);
	guard_failed(from("192.0.2.1"), "DOM\\alice");
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.1"), "DOM\\alice"), 25);
	/* Two quiet windows after the block: back to the start. */
	test_now += 25000 + 2 * 60 * 1000;
	for (i = 0; i < 3; i++)
		guard_failed(from("192.0.2.1"), "DOM\\alice");
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.1"), "DOM\\alice"), 10);
	teardown();
}

static void
test_sliding_window(void)
{
	int i;

	setup("user-failures 3\nwindow 60s\nhandshake-rate 0");
	/* Two failures a minute never reach three in any minute... */
	for (i = 0; i < 10; i++) {
		guard_failed(from("192.0.2.1"), "DOM\\carol");
		test_now += 45000;
		CU_ASSERT_EQUAL(guard_check(from("192.0.2.1"), "DOM\\carol"),
		    0);
	}
	/* ...three within one do. */
	guard_failed(from("192.0.2.1"), "DOM\\carol");
	guard_failed(from("192.0.2.1"), "DOM\\carol");
	guard_failed(from("192.0.2.1"), "DOM\\carol");
	CU_ASSERT(guard_check(from("192.0.2.1"), "DOM\\carol") > 0);
	teardown();
}

static void
test_trusted_source(void)
{
	int i;

	setup("user-failures 2\nsource-failures 1000\nhandshake-rate 0\n"
	    "trust-time 1h");
	guard_succeeded(from("192.0.2.1"), "DOM\\dave");
	for (i = 0; i < 2; i++)
		guard_failed(from("203.0.113.5"), "DOM\\dave");
	/* The attacker's source is refused for the account, the source
	   that signed it in before is not. */
	CU_ASSERT(guard_check(from("203.0.113.5"), "DOM\\dave") > 0);
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.1"), "DOM\\dave"), 0);
	/* Its own failures count against the threshold all the same. */
	guard_failed(from("192.0.2.1"), "DOM\\dave");
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.1"), "DOM\\dave"), 0);
	guard_failed(from("192.0.2.1"), "DOM\\dave");
	CU_ASSERT(guard_check(from("192.0.2.1"), "DOM\\dave") > 0);
	/* Trust ends. */
	test_now += 3600 * 1000;
	for (i = 0; i < 2; i++)
		guard_failed(from("203.0.113.5"), "DOM\\dave");
	CU_ASSERT(guard_check(from("192.0.2.1"), "DOM\\dave") > 0);
	teardown();
}

static void
test_source_blocks(void)
{
	int i;

	setup("user-failures 1000\nsource-failures 5\nblock-time 30s\n"
	    "handshake-rate 0");
	for (i = 0; i < 5; i++)
		guard_failed(from("192.0.2.66"), NULL);
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.66"), NULL), 30);
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.66"), "DOM\\erin"), 30);
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.67"), NULL), 0);
	/* IPv6: one /64 is one source, whatever its addresses. */
	for (i = 0; i < 5; i++) {
		char a[40];

		(void)snprintf(a, sizeof(a), "2001:db8:0:1::%x", i + 1);
		guard_failed(from(a), NULL);
	}
	CU_ASSERT_EQUAL(guard_check(from("2001:db8:0:1:ffff::9"), NULL), 30);
	CU_ASSERT_EQUAL(guard_check(from("2001:db8:0:2::1"), NULL), 0);
	teardown();
}

static void
test_handshake_rate(void)
{
	int i, ok = 0;

	setup("handshake-rate 5");
	/* A burst of two seconds' worth, then one a fifth of a second. */
	for (i = 0; i < 20; i++)
		ok += guard_check(from("192.0.2.1"), NULL) == 0;
	CU_ASSERT_EQUAL(ok, 10);
	test_now += 1000;
	for (i = 0, ok = 0; i < 20; i++)
		ok += guard_check(from("192.0.2.1"), NULL) == 0;
	CU_ASSERT_EQUAL(ok, 5);
	/* Another source has its own bucket. */
	CU_ASSERT_EQUAL(guard_check(from("192.0.2.2"), NULL), 0);
	teardown();
}

static CU_TestInfo guard_tests[] = {
	{ "account_blocks_and_doubles", test_account_blocks_and_doubles },
	{ "sliding_window", test_sliding_window },
	{ "trusted_source", test_trusted_source },
	{ "source_blocks", test_source_blocks },
	{ "handshake_rate", test_handshake_rate },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo guard_suites[] = {
	{ "guard", NULL, NULL, NULL, NULL, guard_tests },
	CU_SUITE_INFO_NULL,
};
