/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_conf.c: the conf suites, and the tests of defaults, of
 * every value type, of bounds and of durations.  The shared helpers live
 * here too (tests/unit/test_conf.h).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "conf/conf.h"
#include "log/log.h"
#include "tests/unit/test_conf.h"
#include "tests/unit/unit.h"

void
conf_t_sink(const char *msg, void *arg)
{
	struct errs *e = arg;

	if (e->n < CONF_T_MAXLINES)
		(void)snprintf(e->line[e->n], sizeof(e->line[0]), "%s", msg);
	e->n++;
}

void
conf_t_warn_sink(int level, const char *module, const char *line, void *arg)
{
	CU_ASSERT_EQUAL(level, LOG_LVL_WARN);
	conf_t_sink(line, arg);
}

int
conf_t_load(const char *text, struct errs *e, struct sipsa_conf **c)
{
	memset(e, 0, sizeof(*e));
	return conf_parse_buf("t.conf", text, strlen(text), 0, conf_t_sink, e,
	    c);
}

/* Load BASE followed by extra, expecting success. */
struct sipsa_conf *
conf_t_load_ok(const char *extra)
{
	struct sipsa_conf *c = NULL;
	struct errs e;
	char buf[8192];
	int rc;

	(void)snprintf(buf, sizeof(buf), "%s%s", BASE, extra);
	rc = conf_t_load(buf, &e, &c);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "\nunexpected: %s\n", e.line[0]);
	return c;
}

/* Load BASE + extra and expect exactly the error lines given (NULL-ended). */
void
conf_t_expect_errs(const char *extra, const char *const *want)
{
	struct sipsa_conf *c = (struct sipsa_conf *)1;
	struct errs e;
	char buf[8192];
	int i, rc, n = 0;

	while (want[n] != NULL)
		n++;
	(void)snprintf(buf, sizeof(buf), "%s%s", BASE, extra);
	rc = conf_t_load(buf, &e, &c);
	CU_ASSERT_EQUAL(rc, n);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL(e.n, n);
	for (i = 0; i < n && i < e.n; i++) {
		CU_ASSERT_STRING_EQUAL(e.line[i], want[i]);
		if (strcmp(e.line[i], want[i]) != 0)
			fprintf(stderr, "\n got: %s\nwant: %s\n", e.line[i],
			    want[i]);
	}
	for (; i < e.n && i < CONF_T_MAXLINES; i++)
		fprintf(stderr, "\nextra: %s\n", e.line[i]);
}

static void
test_defaults(void)
{
	struct sipsa_conf *c = conf_t_load_ok("");

	if (c == NULL)
		return;
	CU_ASSERT_STRING_EQUAL(c->path, "t.conf");
	CU_ASSERT_STRING_EQUAL(c->fqdn, "proxy.example.test");
	CU_ASSERT_STRING_EQUAL(c->state_dir, LOCALSTATEDIR "/lib/sipsa");
	CU_ASSERT_PTR_NULL(c->pid_file);
	CU_ASSERT_EQUAL(c->listeners->transport, CONF_TP_TCP);
	CU_ASSERT_STRING_EQUAL(c->listeners->address, "127.0.0.1");
	CU_ASSERT_EQUAL(c->listeners->port, 5060);
	CU_ASSERT_EQUAL(c->listeners->role, CONF_ROLE_REGISTRAR);
	CU_ASSERT_PTR_NULL(c->listeners->tls_cert);
	CU_ASSERT_PTR_NULL(c->listeners->next);
	CU_ASSERT_STRING_EQUAL(c->auth.realm, "SIP Communications Service");
	CU_ASSERT_EQUAL(c->auth.version, 4);
	CU_ASSERT_STRING_EQUAL(c->auth.rcache_dir,
	    LOCALSTATEDIR "/lib/sipsa/rcache");
	CU_ASSERT_STRING_EQUAL(c->auth.netbios_domain, "EXAMPLE");
	CU_ASSERT_STRING_EQUAL(c->auth.netbios_computer, "PROXY");
	CU_ASSERT_EQUAL(c->sa.lifetime, 28800);
	CU_ASSERT_EQUAL(c->sa.idle_timeout, 900);
	CU_ASSERT_EQUAL(c->sa.max_half_open, 10000);
	CU_ASSERT_EQUAL(c->sa.max_half_open_per_source, 64);
	CU_ASSERT_EQUAL(c->sa.max_established, 0);
	CU_ASSERT_EQUAL(c->registrar.expires_min, 300);
	CU_ASSERT_EQUAL(c->registrar.expires_default, 3600);
	CU_ASSERT_EQUAL(c->registrar.expires_max, 7200);
	CU_ASSERT_EQUAL(c->registrar.max_endpoints, 8);
	CU_ASSERT_EQUAL(c->registrar.expires_jitter, 10);
	CU_ASSERT_EQUAL(c->registrar.refresh_durable, 50);
	CU_ASSERT_STRING_EQUAL(c->registrar.store,
	    LOCALSTATEDIR "/lib/sipsa/bindings");
	CU_ASSERT_EQUAL(c->registrar.sync, CONF_SYNC_FULL);
	CU_ASSERT_STRING_EQUAL(c->registrar.domains[0], "example.test");
	CU_ASSERT_PTR_NULL(c->registrar.domains[1]);
	CU_ASSERT_PTR_NULL(c->homes);
	CU_ASSERT_PTR_NULL(c->routes);
	CU_ASSERT_EQUAL(c->log.to_syslog, 0);
	CU_ASSERT_EQUAL(c->log.level, 6);
	CU_ASSERT_STRING_EQUAL(c->log.facility, "daemon");
	conf_free(c);

	/* Without a schemes line both are offered, Kerberos first. */
	c = NULL;
	{
		struct errs e;
		const char *t = "server { fqdn \"a.example.test\" }\n"
		    "listen udp ::1 5060\n"
		    "auth { kerberos { keytab \"/k\" }\n"
		    "ntlm { users file \"/u\" } }\n";

		CU_ASSERT_EQUAL(conf_t_load(t, &e, &c), 0);
	}
	if (c == NULL)
		return;
	CU_ASSERT_EQUAL(c->auth.nschemes, 2);
	CU_ASSERT_EQUAL(c->auth.schemes[0], CONF_SCHEME_KERBEROS);
	CU_ASSERT_EQUAL(c->auth.schemes[1], CONF_SCHEME_NTLM);
	CU_ASSERT_EQUAL(c->auth.ntlm_source, CONF_NTLM_USERS_FILE);
	CU_ASSERT_STRING_EQUAL(c->auth.ntlm_user_file, "/u");
	CU_ASSERT_STRING_EQUAL(c->auth.keytab, "/k");
	CU_ASSERT_STRING_EQUAL(c->listeners->address, "::1");
	conf_free(c);
}

static void
test_types(void)
{
	struct sipsa_conf *c = conf_t_load_ok(
	    "server { state-dir /srv/sipsa\n"
	    " pid-file \"/run/\\\"s\\\" \\\\.pid\" }\n"
	    "listen tls 0.0.0.0 5061 {\n role proxy\n certificate /c.pem\n"
	    " key \"/k.pem\"\n}\n"
	    "auth { realm \"Corp SIP\"\n version 2 }\n"
	    "sa { lifetime 300\n idle-timeout 30s\n half-open-max 7\n"
	    " half-open-per-source 7\n max 4294967295 }\n"
	    "registrar { expires-min 1m\n expires-default 2h\n"
	    " expires-max 1d\n endpoints-per-user 1000\n expires-jitter 0%\n"
	    " refresh-durable 100%\n domain a.test\n domain \"b.test\"\n"
	    " store /st\n sync none }\n"
	    "home { user \"al@a.test\" \"sip:h1\"\n domain b.test sips:h2\n"
	    " pattern \"*@c.test\" \"sip:h3\"\n default \"sip:h4\" }\n"
	    "route \"p.test\" \"sip:gw.p.test;transport=tcp\"\n"
	    "log { target syslog\n level debug\n facility local3 }\n");
	struct conf_home *h;
	const struct conf_realm *tr;
	struct errs warned;

	if (c == NULL)
		return;
	CU_ASSERT_STRING_EQUAL(c->state_dir, "/srv/sipsa");
	CU_ASSERT_STRING_EQUAL(c->pid_file, "/run/\"s\" \\.pid");
	/* Derived defaults follow state-dir. */
	CU_ASSERT_STRING_EQUAL(c->auth.rcache_dir, "/srv/sipsa/rcache");
	CU_ASSERT_STRING_EQUAL(c->registrar.store, "/st");
	CU_ASSERT_EQUAL(c->registrar.sync, CONF_SYNC_NONE);
	CU_ASSERT_EQUAL(c->listeners->next->transport, CONF_TP_TLS);
	CU_ASSERT_EQUAL(c->listeners->next->role, CONF_ROLE_PROXY);
	CU_ASSERT_STRING_EQUAL(c->listeners->next->tls_cert, "/c.pem");
	CU_ASSERT_STRING_EQUAL(c->listeners->next->tls_key, "/k.pem");
	CU_ASSERT_EQUAL(c->listeners->next->pos.line, 13);
	CU_ASSERT_EQUAL(c->listeners->next->pos.col, 1);
	CU_ASSERT_STRING_EQUAL(c->auth.realm, "Corp SIP");
	CU_ASSERT_EQUAL(c->auth.version, 2);
	CU_ASSERT_EQUAL(c->sa.lifetime, 300);
	CU_ASSERT_EQUAL(c->sa.idle_timeout, 30);
	CU_ASSERT_EQUAL(c->sa.max_established, UINT_MAX);
	CU_ASSERT_EQUAL(c->registrar.expires_min, 60);
	CU_ASSERT_EQUAL(c->registrar.expires_default, 7200);
	CU_ASSERT_EQUAL(c->registrar.expires_max, 86400);
	CU_ASSERT_EQUAL(c->registrar.max_endpoints, 1000);
	CU_ASSERT_EQUAL(c->registrar.expires_jitter, 0);
	CU_ASSERT_EQUAL(c->registrar.refresh_durable, 100);
	CU_ASSERT_STRING_EQUAL(c->registrar.domains[0], "a.test");
	CU_ASSERT_STRING_EQUAL(c->registrar.domains[1], "b.test");
	CU_ASSERT_PTR_NULL(c->registrar.domains[2]);
	h = c->homes;
	CU_ASSERT(h != NULL && h->kind == CONF_HOME_USER &&
	    strcmp(h->match, "al@a.test") == 0 &&
	    strcmp(h->target, "sip:h1") == 0);
	h = h ? h->next : NULL;
	CU_ASSERT(h != NULL && h->kind == CONF_HOME_DOMAIN &&
	    strcmp(h->target, "sips:h2") == 0);
	h = h ? h->next : NULL;
	CU_ASSERT(h != NULL && h->kind == CONF_HOME_PATTERN &&
	    strcmp(h->match, "*@c.test") == 0);
	h = h ? h->next : NULL;
	CU_ASSERT(h != NULL && h->kind == CONF_HOME_DEFAULT &&
	    h->match == NULL && strcmp(h->target, "sip:h4") == 0);
	CU_ASSERT(h != NULL && h->next == NULL);
	CU_ASSERT_STRING_EQUAL(c->routes->domain, "p.test");
	CU_ASSERT_STRING_EQUAL(c->routes->next_hop,
	    "sip:gw.p.test;transport=tcp");
	CU_ASSERT_EQUAL(c->log.to_syslog, 1);
	CU_ASSERT_EQUAL(c->log.level, 7);
	CU_ASSERT_STRING_EQUAL(c->log.facility, "local3");
	conf_free(c);

	/* replay-cache none loads, with a warning through the log facade. */
	memset(&warned, 0, sizeof(warned));
	log_set_sink(conf_t_warn_sink, &warned);
	c = conf_t_load_ok("home { default local }\n"
	    "auth { kerberos { replay-cache none } }\n");
	log_set_sink(NULL, NULL);
	CU_ASSERT_EQUAL(warned.n, 1);
	CU_ASSERT_STRING_EQUAL(warned.line[0], "conf: t.conf:12:32: "
	    "replay-cache none: Kerberos authenticators can be replayed; use "
	    "it only for tests");
	if (c == NULL)
		return;
	CU_ASSERT(c->homes->kind == CONF_HOME_DEFAULT &&
	    c->homes->target == NULL);
	CU_ASSERT_PTR_NULL(c->auth.rcache_dir);
	CU_ASSERT_PTR_NULL(c->auth.trusted_realms);
	conf_free(c);

	/* trusted-realm: in file order, the SIP domain optional; a realm
	   in lower case loads, with a warning. */
	memset(&warned, 0, sizeof(warned));
	log_set_sink(conf_t_warn_sink, &warned);
	c = conf_t_load_ok("auth { kerberos { trusted-realm B.TEST b.test\n"
	    " trusted-realm A.TEST\n trusted-realm a.test } }\n");
	log_set_sink(NULL, NULL);
	CU_ASSERT_EQUAL(warned.n, 1);
	CU_ASSERT_STRING_EQUAL(warned.line[0], "conf: t.conf:13:16: "
	    "trusted-realm \"a.test\": realms are compared exactly, and a KDC "
	    "names its realm in upper case as a rule");
	if (c == NULL)
		return;
	tr = c->auth.trusted_realms;
	CU_ASSERT(tr != NULL && strcmp(tr->realm, "B.TEST") == 0 &&
	    strcmp(tr->domain, "b.test") == 0);
	tr = tr != NULL ? tr->next : NULL;
	CU_ASSERT(tr != NULL && strcmp(tr->realm, "A.TEST") == 0 &&
	    tr->domain == NULL);
	tr = tr != NULL ? tr->next : NULL;
	CU_ASSERT(tr != NULL && strcmp(tr->realm, "a.test") == 0 &&
	    tr->next == NULL);
	conf_free(c);
	CU_ASSERT_STRING_EQUAL(conf_transport_name(CONF_TP_UDP), "udp");
	CU_ASSERT_STRING_EQUAL(conf_transport_name(CONF_TP_TLS), "tls");
	CU_ASSERT_STRING_EQUAL(conf_scheme_name(CONF_SCHEME_NTLM), "NTLM");
	CU_ASSERT_STRING_EQUAL(conf_scheme_name(CONF_SCHEME_KERBEROS),
	    "Kerberos");
}

/* BASE has 10 lines; extra text starts on line 11. */
static void
test_bounds(void)
{
	ERRS("auth { version 1 }\nauth { version 5 }\n",
	    "t.conf:11:16: version 1 is out of range (2..4)",
	    "t.conf:12:8: version already set at t.conf:11:8");
	ERRS("sa { lifetime 28801 }\n",
	    "t.conf:11:15: lifetime 28801 is out of range (1s..8h)");
	ERRS("sa { lifetime 9h }\n",
	    "t.conf:11:15: lifetime 9h is out of range (1s..8h)");
	ERRS("sa { idle-timeout 0 }\n",
	    "t.conf:11:19: idle-timeout 0 is out of range (1s..8h)");
	ERRS("registrar { expires-jitter 51% }\n",
	    "t.conf:11:28: expires-jitter 51% is out of range (0%..50%)");
	ERRS("registrar { refresh-durable 0% }\n",
	    "t.conf:11:29: refresh-durable 0% is out of range (1%..100%)");
	ERRS("registrar { endpoints-per-user 1001 }\n",
	    "t.conf:11:32: endpoints-per-user 1001 is out of range (1..1000)");
	ERRS("sa { max 4294967296 }\n",
	    "t.conf:11:10: max: expected a number, not \"4294967296\"");
	ERRS("sa { half-open-max -1 }\nsa { half-open-per-source 1e3 }\n",
	    "t.conf:11:20: half-open-max: expected a number, not \"-1\"",
	    "t.conf:12:27: half-open-per-source: expected a number, not "
	    "\"1e3\"");
	ERRS("listen udp 127.0.0.1 0\nlisten udp 127.0.0.1 65536\n",
	    "t.conf:11:22: listen: port \"0\" is not a number from 1 to 65535",
	    "t.conf:12:22: listen: port \"65536\" is not a number from 1 to "
	    "65535");
}

static void
test_durations(void)
{
	static const char *const bad[] = { "8x", "h", "5mm", "-5", "1.5h",
	    "4294967296", "99999999999m" };
	struct sipsa_conf *c;
	char text[256], want[256];
	size_t i;

	c = conf_t_load_ok("registrar { expires-min 45\n expires-default 45s\n"
	    " expires-max 3d }\nsa { lifetime 2h\n idle-timeout 90m }\n");
	if (c != NULL) {
		CU_ASSERT_EQUAL(c->registrar.expires_min, 45);
		CU_ASSERT_EQUAL(c->registrar.expires_default, 45);
		CU_ASSERT_EQUAL(c->registrar.expires_max, 259200);
		CU_ASSERT_EQUAL(c->sa.lifetime, 7200);
		CU_ASSERT_EQUAL(c->sa.idle_timeout, 5400);
		conf_free(c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(text, sizeof(text), "sa { lifetime %s }\n",
		    bad[i]);
		(void)snprintf(want, sizeof(want), "t.conf:11:15: lifetime: "
		    "expected a duration (300, 30s, 15m, 8h, 1d), not \"%s\"",
		    bad[i]);
		ERRS(text, want);
	}
	ERRS("registrar { expires-jitter 10 }\n",
	    "t.conf:11:28: expires-jitter: expected a percentage such as "
	    "10%, not \"10\"");
	ERRS("registrar { sync FULL }\n",
	    "t.conf:11:18: sync: expected full, meta or none, not \"FULL\"");
}

static CU_TestInfo conf_parse_tests[] = {
	{ "defaults", test_defaults },
	{ "every_type", test_types },
	{ "bounds", test_bounds },
	{ "durations", test_durations },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo conf_suites[] = {
	{ "conf", NULL, NULL, NULL, NULL, conf_parse_tests },
	{ "conf_errors", NULL, NULL, NULL, NULL, conf_error_tests },
	{ "conf_files", conf_files_setup, conf_files_teardown, NULL, NULL,
	    conf_file_tests },
	{ "conf_dump", NULL, NULL, NULL, NULL, conf_dump_tests },
	CU_SUITE_INFO_NULL,
};
