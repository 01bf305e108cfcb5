/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_conf_errors.c: conf errors with their exact
 * file:line:col, the cap of CONF_MAX_ERRORS, the cross-reference pass and
 * damaged input (every prefix of a full configuration).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "conf/conf.h"
#include "conf/conf_int.h"
#include "tests/unit/test_conf.h"

static void
test_syntax_errors(void)
{
	ERRS("server {\n\trealmm \"x\"\n}\n",
	    "t.conf:12:2: unknown directive \"realmm\"");
	ERRS("server { fqdn \"other.test\" }\n",
	    "t.conf:11:10: fqdn already set at t.conf:2:2");
	ERRS("auth { keytab \"/k\" }\n",
	    "t.conf:11:8: \"keytab\" is not allowed in the auth block");
	ERRS("sa { lifetime }\nsa { lifetime 1h 2h }\n",
	    "t.conf:11:6: lifetime: wrong number of arguments (use: "
	    "lifetime VALUE)",
	    "t.conf:12:6: lifetime already set at t.conf:11:6");
	ERRS("log { facility \"x\n}\n",
	    "t.conf:11:16: unterminated string");
	ERRS("log {\n level info\n", "t.conf:11:1: block \"log\" is not "
	    "closed (missing \"}\")");
	ERRS("}\n\"word\" x\n{ }\n",
	    "t.conf:11:1: unexpected \"}\"",
	    "t.conf:12:1: expected a directive name, not the string \"word\"",
	    "t.conf:13:1: block without a directive");
	ERRS("sa\nlog x { }\nsa { max 1 { } }\n",
	    "t.conf:11:1: sa needs a block: sa { ... }",
	    "t.conf:12:5: log: no arguments before \"{\"",
	    "t.conf:13:6: max does not take a block");
	ERRS("listen tcp 1.2.3.4\nlisten sctp 1.2.3.4 5060\n"
	    "listen udp host.test 5060\n",
	    "t.conf:11:1: listen: wrong number of arguments (use: listen "
	    "udp|tcp|tls ADDRESS PORT [{ ... }])",
	    "t.conf:12:8: listen: transport must be udp, tcp or tls, not "
	    "\"sctp\"",
	    "t.conf:13:12: listen: \"host.test\" is not an IPv4 or IPv6 "
	    "address");
	ERRS("auth { schemes ntlm ntlm }\n",
	    "t.conf:11:8: schemes already set at t.conf:6:2");
	ERRS("log { level loud\n target file }\n",
	    "t.conf:11:13: level: expected err, warn, notice, info or debug, "
	    "not \"loud\"",
	    "t.conf:12:9: target: expected stderr or syslog, not \"file\"");
	ERRS("log { facility mail }\nserver { pid-file \"\" }\n",
	    "t.conf:11:16: facility: unknown syslog facility \"mail\" (auth, "
	    "authpriv, daemon, user, local0 .. local7)",
	    "t.conf:12:19: pid-file: empty value");
	ERRS("home { user alice \"sip:x\"\n default local\n default local }\n"
	    "registrar { domain a.test\n domain A.TEST }\n",
	    "t.conf:11:13: user: \"alice\" is not user@domain",
	    "t.conf:13:2: default already set at t.conf:12:2",
	    "t.conf:15:9: domain \"A.TEST\" is listed twice");
	ERRS("auth { ntlm { netbios-domain \"TOO-LONG-FOR-NETBIOS\" } }\n",
	    "t.conf:11:30: netbios-domain: \"TOO-LONG-FOR-NETBIOS\" is not a "
	    "NetBIOS name (1 to 15 letters, digits, '-' or '_')");
	ERRS("auth { realm \"a\\\\b\" }\nroute bad_domain sip:x\n",
	    "t.conf:11:14: realm: must not contain quotes, backslashes or "
	    "control characters",
	    "t.conf:12:7: route: \"bad_domain\" is not a host name");
}

static void
test_nul_and_empty(void)
{
	static const char text[] = "server { fqdn \"a.b\" }\nlisten tcp "
	    "127.0.0.1 5060\0\nauth { schemes ntlm\nntlm { users winbind } }\n";
	struct sipsa_conf *c = NULL;
	struct errs e;

	memset(&e, 0, sizeof(e));
	CU_ASSERT_EQUAL(conf_parse_buf("t.conf", text, sizeof(text) - 1, 0,
	    conf_t_sink, &e, &c), 1);
	CU_ASSERT_STRING_EQUAL(e.line[0], "t.conf:2:26: NUL byte in file");
	CU_ASSERT_PTR_NULL(c);

	/* A byte order mark is skipped; columns start after it. */
	CU_ASSERT_EQUAL(conf_t_load("\xef\xbb\xbf" "bogus\n", &e, &c), 1);
	CU_ASSERT_STRING_EQUAL(e.line[0], "t.conf:1:1: unknown directive "
	    "\"bogus\"");

	CU_ASSERT_EQUAL(conf_t_load("", &e, &c), 2);
	CU_ASSERT_STRING_EQUAL(e.line[0], "t.conf:1:1: fqdn is not set; add: "
	    "server { fqdn \"sip.example.org\" }");
	CU_ASSERT_STRING_EQUAL(e.line[1], "t.conf:1:1: no listen directive; "
	    "add one, e.g.: listen tcp 0.0.0.0 5060");
	CU_ASSERT_EQUAL(conf_t_load("# only a comment\n\n  # another\n", &e,
	    &c), 2);
	CU_ASSERT_EQUAL(conf_parse_buf("t.conf", NULL, 0, 0, conf_t_sink, &e,
	    &c), 2);
}

/* 25 unknown directives: 20 are shown, then one line says why it stops. */
static void
test_error_cap(void)
{
	struct sipsa_conf *c = NULL;
	struct errs e;
	char text[1024] = "", want[128];
	int i;

	for (i = 0; i < 25; i++)
		(void)snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "bogus%d\n", i);
	CU_ASSERT_EQUAL(conf_t_load(text, &e, &c), CONF_MAX_ERRORS);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL(e.n, CONF_MAX_ERRORS + 1);
	for (i = 0; i < CONF_MAX_ERRORS; i++) {
		(void)snprintf(want, sizeof(want), "t.conf:%d:1: unknown "
		    "directive \"bogus%d\"", i + 1, i);
		CU_ASSERT_STRING_EQUAL(e.line[i], want);
	}
	CU_ASSERT_STRING_EQUAL(e.line[CONF_MAX_ERRORS],
	    "t.conf:21:1: too many errors, stopping after 20");

	/* Exactly 20 errors are all shown, with no final line. */
	text[0] = '\0';
	for (i = 0; i < 20; i++)
		(void)snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "bogus%d\n", i);
	CU_ASSERT_EQUAL(conf_t_load(text, &e, &c), 20);
	CU_ASSERT_EQUAL(e.n, 20);
}

/* Kerberos and NTLM without their files, no fqdn, no NetBIOS domain. */
static void
cross_refs_without_base(void)
{
	struct sipsa_conf *c = NULL;
	struct errs e;

	CU_ASSERT_EQUAL(conf_t_load("server { fqdn \"a.b\" }\n"
	    "listen tcp ::1 1\nauth {\n kerberos { }\n ntlm { }\n}\n", &e, &c),
	    2);
	CU_ASSERT_STRING_EQUAL(e.line[0], "t.conf:4:2: Kerberos is enabled but "
	    "no keytab is set; add: auth { kerberos { keytab \"/path\" } }");
	CU_ASSERT_STRING_EQUAL(e.line[1], "t.conf:5:2: NTLM is enabled but its "
	    "users are not set; add: auth { ntlm { users file \"/path\" } } or "
	    "users winbind");
	CU_ASSERT_EQUAL(conf_t_load("listen tcp ::1 1\n", &e, &c), 1);
	CU_ASSERT_STRING_EQUAL(e.line[0], "t.conf:1:1: fqdn is not set; add: "
	    "server { fqdn \"sip.example.org\" }");
	CU_ASSERT_EQUAL(conf_t_load("server { fqdn proxy }\nlisten tcp ::1 1\n"
	    "auth { schemes ntlm\n ntlm { users winbind } }\n", &e, &c), 1);
	CU_ASSERT_STRING_EQUAL(e.line[0], "t.conf:4:2: netbios-domain cannot "
	    "be derived from fqdn \"proxy\" (no domain part); set it");
	CU_ASSERT_PTR_NULL(c);
}

static void
test_cross_refs(void)
{
	ERRS("listen tls 0.0.0.0 5061\n",
	    "t.conf:11:1: listen tls 0.0.0.0 5061: no certificate; add: "
	    "certificate \"/path/cert.pem\"",
	    "t.conf:11:1: listen tls 0.0.0.0 5061: no key; add: key "
	    "\"/path/key.pem\"");
	ERRS("listen udp 0.0.0.0 5060 {\n\tcertificate \"/c\"\n"
	    "\tkey \"/k\"\n}\n",
	    "t.conf:12:2: certificate given for a udp listener; only tls uses "
	    "it",
	    "t.conf:13:2: key given for a udp listener; only tls uses it");
	ERRS("listen tcp 127.0.0.1 5060 { role proxy }\n",
	    "t.conf:11:1: listen tcp 127.0.0.1 5060 is already defined at "
	    "t.conf:4:1");
	ERRS("registrar {\n\texpires-min 600\n\texpires-default 300\n}\n",
	    "t.conf:13:18: expires-default 300 is less than expires-min 600");
	ERRS("registrar {\n\texpires-max 1800\n}\n",
	    "t.conf:12:14: expires-max 1800 is less than expires-default 3600");
	ERRS("sa { lifetime 10m }\n",
	    "t.conf:11:15: idle-timeout 15m is longer than lifetime 10m");
	ERRS("sa { half-open-max 10 }\n",
	    "t.conf:11:20: half-open-per-source 64 is more than half-open-max "
	    "10");
	ERRS("home {\n\tdomain a.test \"http://x\"\n\tdefault hs1.test\n}\n"
	    "route a.test \"a.test:5060\"\nroute A.test \"sip:b\"\n",
	    "t.conf:12:2: home target \"http://x\" is not a sip: or sips: URI",
	    "t.conf:13:2: home target \"hs1.test\" is not a sip: or sips: URI",
	    "t.conf:15:1: route next hop \"a.test:5060\" is not a sip: or "
	    "sips: URI",
	    "t.conf:16:1: route for \"A.test\" already defined at t.conf:15:1");

	/* The checks that BASE itself passes need a config of their own. */
	cross_refs_without_base();
}

/* A full configuration, cut and damaged below. */
static const char full[] =
    "server {\n\tfqdn \"proxy.example.test\"\n\tpid-file /run/s.pid\n}\n"
    "listen tls 0.0.0.0 5061 {\n\trole proxy\n\tcertificate \"/c.pem\"\n"
    "\tkey \"/k.pem\"\n}\nlisten udp ::1 5060\n"
    "auth {\n\tschemes kerberos ntlm\n\tversion 3\n"
    "\tkerberos { keytab \"/kt\" }\n\tntlm {\n\t\tusers file \"/u\"\n"
    "\t\tnetbios-domain EX\n\t}\n}\n"
    "sa { lifetime 8h\n idle-timeout 15m }\n"
    "registrar {\n\tdomain example.test\n\texpires-jitter 10%\n}\n"
    "home { user \"a@example.test\" \"sip:h\"\n default local }\n"
    "route \"p.test\" \"sip:gw.p.test\"\nlog { level debug }\n";

static int
one(const char *text, size_t len)
{
	struct sipsa_conf *c = NULL;
	struct errs e;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = conf_parse_buf("t.conf", text, len, 0, conf_t_sink, &e, &c);
	/* Success gives a snapshot; failure gives as many lines as errors. */
	CU_ASSERT((rc == 0) == (c != NULL));
	CU_ASSERT(rc >= 0 && rc <= CONF_MAX_ERRORS);
	CU_ASSERT(e.n == rc || (rc == CONF_MAX_ERRORS && e.n == rc + 1));
	conf_free(c);
	return rc;
}

/*
 * Every prefix of a full configuration, and the configuration with each
 * byte replaced by each character that matters to the lexer, load or fail
 * cleanly (valgrind checks the memory side).
 */
static void
test_damaged_input(void)
{
	static const char subst[] = { '{', '}', '"', '\0', '#', '\n', 'x' };
	char buf[sizeof(full)];
	size_t i, k, len = sizeof(full) - 1;
	int ok = 0;

	CU_ASSERT_EQUAL(one(full, len), 0);
	for (i = 0; i < len; i++)
		ok += one(full, i) == 0;
	/* Cuts at the ends of lines after the last needed statement load. */
	CU_ASSERT(ok > 0);
	for (i = 0; i < len; i++)
		for (k = 0; k < sizeof(subst); k++) {
			memcpy(buf, full, sizeof(full));
			buf[i] = subst[k];
			(void)one(buf, len);
		}
}

/*
 * Allocation failures: with 0, 1, 2, ... allocations allowed, loading
 * fails cleanly ("out of memory", no snapshot) until it succeeds.
 */
static void
test_out_of_memory(void)
{
	struct sipsa_conf *c;
	struct errs e;
	long budget;
	int rc = -1;

	for (budget = 0; budget < 1000 && rc != 0; budget++) {
		c = NULL;
		memset(&e, 0, sizeof(e));
		conf_alloc_budget = budget;
		rc = conf_parse_buf("t.conf", full, sizeof(full) - 1, 0,
		    conf_t_sink, &e, &c);
		conf_alloc_budget = -1;
		CU_ASSERT((rc == 0) == (c != NULL));
		if (rc != 0) {
			CU_ASSERT_EQUAL(rc, 1);
			CU_ASSERT(e.n == 1 && strstr(e.line[0],
			    "out of memory") != NULL);
		}
		conf_free(c);
	}
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(budget > 1);
}

CU_TestInfo conf_error_tests[] = {
	{ "syntax_errors_exact_positions", test_syntax_errors },
	{ "nul_and_empty", test_nul_and_empty },
	{ "error_cap_20", test_error_cap },
	{ "cross_references", test_cross_refs },
	{ "damaged_input", test_damaged_input },
	{ "out_of_memory", test_out_of_memory },
	CU_TEST_INFO_NULL,
};
