/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_ctlproto.c: the control protocol's commands
 * (src/ctlproto.c): request lines and their errors, opaques, the user
 * names kick and sa drop match, and the peers of binding transports.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <CUnit/CUnit.h>

#include "src/ctlproto.h"
#include "tests/unit/unit.h"

static struct ctl_req rq;
static char err[256];

/* Parse text (copied: the parser cuts it up); 0 or -1. */
static int
parse(const char *text)
{
	static char line[CTL_LINE_MAX + 16];

	(void)snprintf(line, sizeof(line), "%s", text);
	err[0] = '\0';
	return ctl_parse(line, &rq, err, sizeof(err));
}

static void
test_commands(void)
{
	CU_ASSERT_EQUAL(parse("status"), 0);
	CU_ASSERT_EQUAL(rq.cmd, CTL_STATUS);
	CU_ASSERT_EQUAL(rq.narg, 0);
	CU_ASSERT_EQUAL(parse("  sa\tlist  "), 0);
	CU_ASSERT_EQUAL(rq.cmd, CTL_SA_LIST);
	CU_ASSERT_EQUAL(rq.narg, 0);
	CU_ASSERT_EQUAL(parse("sa list EXAMPLE\\user1"), 0);
	CU_ASSERT_EQUAL(rq.narg, 1);
	CU_ASSERT_STRING_EQUAL(rq.arg[0], "EXAMPLE\\user1");
	CU_ASSERT_EQUAL(parse("sa drop 4E074A7D"), 0);
	CU_ASSERT_EQUAL(rq.cmd, CTL_SA_DROP);
	CU_ASSERT_EQUAL(parse("binding list"), 0);
	CU_ASSERT_EQUAL(rq.cmd, CTL_BINDING_LIST);
	CU_ASSERT_EQUAL(parse("binding drop sip:a@b.test 5d54e60d0a"), 0);
	CU_ASSERT_EQUAL(rq.cmd, CTL_BINDING_DROP);
	CU_ASSERT_EQUAL(rq.narg, 2);
	CU_ASSERT_STRING_EQUAL(rq.arg[0], "sip:a@b.test");
	CU_ASSERT_STRING_EQUAL(rq.arg[1], "5d54e60d0a");
	CU_ASSERT_EQUAL(parse("kick user1@EXAMPLE.TEST"), 0);
	CU_ASSERT_EQUAL(rq.cmd, CTL_KICK);
	CU_ASSERT_EQUAL(parse("reload"), 0);
	CU_ASSERT_EQUAL(rq.cmd, CTL_RELOAD);
	CU_ASSERT_EQUAL(parse("log level debug"), 0);
	CU_ASSERT_EQUAL(rq.cmd, CTL_LOG_LEVEL);
	CU_ASSERT_STRING_EQUAL(rq.arg[0], "debug");
	CU_ASSERT_EQUAL(parse("keytab check"), 0);
	CU_ASSERT_EQUAL(rq.cmd, CTL_KEYTAB_CHECK);
}

static void
test_errors(void)
{
	CU_ASSERT_EQUAL(parse(""), -1);
	CU_ASSERT_STRING_EQUAL(err, "empty request");
	CU_ASSERT_EQUAL(parse(" \t "), -1);
	CU_ASSERT_STRING_EQUAL(err, "empty request");
	CU_ASSERT_EQUAL(parse("frobnicate"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown command \"frobnicate\"");
	CU_ASSERT_EQUAL(parse("sa frob"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown command \"sa frob\"");
	CU_ASSERT_EQUAL(parse("sa"), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown command \"sa\"");
	CU_ASSERT_EQUAL(parse("status now"), -1);
	CU_ASSERT_STRING_EQUAL(err, "usage: status");
	CU_ASSERT_EQUAL(parse("sa drop"), -1);
	CU_ASSERT_STRING_EQUAL(err, "usage: sa drop OPAQUE|USER");
	CU_ASSERT_EQUAL(parse("sa list a b"), -1);
	CU_ASSERT_STRING_EQUAL(err, "usage: sa list [USER]");
	CU_ASSERT_EQUAL(parse("binding drop sip:a@b c d"), -1);
	CU_ASSERT_STRING_EQUAL(err, "usage: binding drop AOR [EPID]");
	CU_ASSERT_EQUAL(parse("binding drop alice"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "is not an AOR"));
	CU_ASSERT_EQUAL(parse("kick"), -1);
	CU_ASSERT_STRING_EQUAL(err, "usage: kick USER");
	CU_ASSERT_EQUAL(parse("log level loud"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown log level \"loud\""));
	CU_ASSERT_EQUAL(parse("log"), -1);
	/* Many words: refused, whatever the command. */
	CU_ASSERT_EQUAL(parse("kick a b c d e f g h"), -1);
	CU_ASSERT_STRING_EQUAL(err, "usage: kick USER");
	/* Control characters never reach a command (or a log line). */
	CU_ASSERT_EQUAL(parse("kick a\033[2J"), -1);
	CU_ASSERT_STRING_EQUAL(err, "a request is printable text");
	CU_ASSERT_EQUAL(parse("kick caf\xc3\xa9"), -1);
	/* The usage lists every command. */
	CU_ASSERT_PTR_NOT_NULL(strstr(ctl_usage(), "binding drop AOR "
	    "[EPID]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(ctl_usage(), "keytab check\n"));
}

static void
test_opaque(void)
{
	CU_ASSERT(ctl_is_opaque("4E074A7D"));
	CU_ASSERT(ctl_is_opaque("4e074a7d"));
	CU_ASSERT(!ctl_is_opaque("4E074A7"));
	CU_ASSERT(!ctl_is_opaque("4E074A7D0"));
	CU_ASSERT(!ctl_is_opaque("4E074A7G"));
	CU_ASSERT(!ctl_is_opaque("user1"));
	CU_ASSERT(!ctl_is_opaque(""));
}

static void
test_user_match(void)
{
	const char *ntlm = "EXAMPLE\\user1", *krb = "user3@EXAMPLE.TEST";
	const char *aor = "sip:user1@example.test";

	/* The whole account, any case. */
	CU_ASSERT(ctl_user_match("EXAMPLE\\user1", ntlm, aor));
	CU_ASSERT(ctl_user_match("example\\USER1", ntlm, aor));
	CU_ASSERT(ctl_user_match("user3@example.test", krb, NULL));
	/* The account part alone: in every domain. */
	CU_ASSERT(ctl_user_match("user1", ntlm, aor));
	CU_ASSERT(ctl_user_match("USER3", krb, NULL));
	CU_ASSERT(!ctl_user_match("user", ntlm, aor));
	CU_ASSERT(!ctl_user_match("user11", ntlm, aor));
	CU_ASSERT(!ctl_user_match("EXAMPLE", ntlm, aor));
	CU_ASSERT(!ctl_user_match("EXAMPLE.TEST", krb, NULL));
	/* A qualified name must match whole. */
	CU_ASSERT(!ctl_user_match("OTHER\\user1", ntlm, aor));
	CU_ASSERT(!ctl_user_match("user1@EXAMPLE.TEST", ntlm, aor));
	/* An AOR matches the SA's AOR only. */
	CU_ASSERT(ctl_user_match("sip:USER1@example.test", ntlm, aor));
	CU_ASSERT(!ctl_user_match("sip:user2@example.test", ntlm, aor));
	CU_ASSERT(!ctl_user_match("sip:user1@example.test", ntlm, NULL));
	/* A half-open SA has no account yet. */
	CU_ASSERT(!ctl_user_match("user1", NULL, NULL));
	CU_ASSERT(!ctl_user_match("", ntlm, aor));
}

static void
test_transport(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)(void *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&ss;
	char host[64];

	CU_ASSERT_EQUAL(ctl_transport_addr("tcp:127.0.0.1:51012", &ss), 0);
	CU_ASSERT_EQUAL(ss.ss_family, AF_INET);
	CU_ASSERT_EQUAL(ntohs(in->sin_port), 51012);
	CU_ASSERT_STRING_EQUAL(inet_ntop(AF_INET, &in->sin_addr, host,
	    sizeof(host)), "127.0.0.1");
	/* Sofia writes IPv6 peers without brackets. */
	CU_ASSERT_EQUAL(ctl_transport_addr("tls:::1:5061", &ss), 0);
	CU_ASSERT_EQUAL(ss.ss_family, AF_INET6);
	CU_ASSERT_EQUAL(ntohs(in6->sin6_port), 5061);
	CU_ASSERT_EQUAL(ctl_transport_addr("udp:127.0.0.1:5060", &ss), -1);
	CU_ASSERT_EQUAL(ctl_transport_addr("tcp:127.0.0.1", &ss), -1);
	CU_ASSERT_EQUAL(ctl_transport_addr("tcp:127.0.0.1:0", &ss), -1);
	CU_ASSERT_EQUAL(ctl_transport_addr("tcp:127.0.0.1:65536", &ss), -1);
	CU_ASSERT_EQUAL(ctl_transport_addr("tcp:host.test:5060", &ss), -1);
	CU_ASSERT_EQUAL(ctl_transport_addr("tcp::5060", &ss), -1);
}

static CU_TestInfo ctlproto_tests[] = {
	{ "commands", test_commands },
	{ "errors", test_errors },
	{ "opaque", test_opaque },
	{ "user_match", test_user_match },
	{ "transport_addr", test_transport },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo ctlproto_suites[] = {
	{ "ctlproto", NULL, NULL, NULL, NULL, ctlproto_tests },
	CU_SUITE_INFO_NULL,
};
