/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_conf_files.c: the conf tests that need real files:
 * includes and include loops, and secret file checks (files made with
 * chmod in a temporary directory).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "conf/conf.h"
#include "conf/conf_int.h"
#include "tests/unit/test_conf.h"

static char tmpdir[64];
static char made[32][256];
static int nmade;

static const char *
path_of(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	(void)snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/* Create tmpdir/name (a directory when text is NULL) with mode. */
static void
make(const char *name, const char *text, mode_t mode)
{
	const char *p = path_of(name);
	FILE *fp;

	if (text == NULL) {
		CU_ASSERT_EQUAL_FATAL(mkdir(p, mode), 0);
	} else {
		fp = fopen(p, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
		(void)fputs(text, fp);
		(void)fclose(fp);
		CU_ASSERT_EQUAL_FATAL(chmod(p, mode), 0);
	}
	if (nmade < 32)
		(void)snprintf(made[nmade++], sizeof(made[0]), "%s", p);
}

static int
setup(void)
{
	(void)snprintf(tmpdir, sizeof(tmpdir), "/tmp/sipsa-conf-XXXXXX");
	nmade = 0;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void)
{
	while (nmade > 0)
		(void)remove(made[--nmade]);
	return rmdir(tmpdir);
}

static int
load_file(const char *name, int secrets, struct errs *e,
    struct sipsa_conf **c)
{
	memset(e, 0, sizeof(*e));
	return conf_load(path_of(name), secrets, conf_t_sink, e, c);
}

static void
test_include(void)
{
	struct sipsa_conf *c = NULL;
	struct errs e;
	char want[512];
	long budget;
	int rc;

	make("sub", NULL, 0700);
	make("main.conf", "include \"sub/a.conf\"\nlisten tcp 127.0.0.1 5060\n"
	    "auth {\n\tschemes ntlm\n\tinclude \"sub/ntlm.conf\"\n}\n", 0600);
	make("sub/a.conf", "server { fqdn \"inc.example.test\" }\n"
	    "include \"b.conf\"\n", 0600);
	make("sub/b.conf", "# routes\n  route \"x.test\" \"sip:y\"\n", 0600);
	make("sub/ntlm.conf", "ntlm { users winbind }\n", 0600);
	CU_ASSERT_EQUAL(load_file("main.conf", 0, &e, &c), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->fqdn, "inc.example.test");
	CU_ASSERT_EQUAL(c->auth.ntlm_source, CONF_NTLM_USERS_WINBIND);
	CU_ASSERT_STRING_EQUAL(c->routes->pos.file, path_of("sub/b.conf"));
	CU_ASSERT_EQUAL(c->routes->pos.line, 2);
	CU_ASSERT_EQUAL(c->routes->pos.col, 3);
	CU_ASSERT_STRING_EQUAL(c->listeners->pos.file, path_of("main.conf"));
	conf_free(c);

	/* Allocation failures while files are open leave nothing behind. */
	for (budget = 0, rc = -1; budget < 1000 && rc != 0; budget++) {
		conf_alloc_budget = budget;
		rc = load_file("main.conf", 0, &e, &c);
		conf_alloc_budget = -1;
		CU_ASSERT((rc == 0) == (c != NULL));
		CU_ASSERT(rc == 0 || (rc == 1 && e.n == 1 &&
		    strstr(e.line[0], "out of memory") != NULL));
		conf_free(c);
	}
	CU_ASSERT_EQUAL(rc, 0);

	/* An error inside an included file points into that file. */
	make("sub/bad.conf", "sa {\n  bogus 1\n}\n", 0600);
	make("badinc.conf", "include \"sub/bad.conf\"\ninclude \"nope.conf\"\n",
	    0600);
	CU_ASSERT(load_file("badinc.conf", 0, &e, &c) > 0);
	CU_ASSERT_PTR_NULL(c);
	(void)snprintf(want, sizeof(want), "%s:2:3: unknown directive "
	    "\"bogus\"", path_of("sub/bad.conf"));
	CU_ASSERT_STRING_EQUAL(e.line[0], want);
	(void)snprintf(want, sizeof(want), "%s:2:9: cannot open \"%s\": %s",
	    path_of("badinc.conf"), path_of("nope.conf"), strerror(ENOENT));
	CU_ASSERT_STRING_EQUAL(e.line[1], want);

	CU_ASSERT_EQUAL(load_file("missing.conf", 0, &e, &c), 1);
	(void)snprintf(want, sizeof(want), "%s: cannot open \"%s\": %s",
	    path_of("missing.conf"), path_of("missing.conf"),
	    strerror(ENOENT));
	CU_ASSERT_STRING_EQUAL(e.line[0], want);
	/* A FIFO is refused without blocking on it. */
	CU_ASSERT_EQUAL(mkfifo(path_of("fifo"), 0600), 0);
	if (nmade < 32)
		(void)snprintf(made[nmade++], sizeof(made[0]), "%s",
		    path_of("fifo"));
	make("fifo.conf", "include \"fifo\"\n", 0600);
	CU_ASSERT_EQUAL(load_file("fifo.conf", 0, &e, &c), 1);
	(void)snprintf(want, sizeof(want), "%s:1:9: \"%s\" is not a regular "
	    "file", path_of("fifo.conf"), path_of("fifo"));
	CU_ASSERT_STRING_EQUAL(e.line[0], want);
	CU_ASSERT_EQUAL(load_file("sub", 0, &e, &c), 1);
	(void)snprintf(want, sizeof(want), "%s: \"%s\" is not a regular file",
	    path_of("sub"), path_of("sub"));
	CU_ASSERT_STRING_EQUAL(e.line[0], want);
}

static void
test_include_loop(void)
{
	struct sipsa_conf *c = NULL;
	struct errs e;
	char want[512];

	make("loop1.conf", "include \"loop2.conf\"\n", 0600);
	make("loop2.conf", "\n  include \"loop1.conf\"\n", 0600);
	make("self.conf", "include \"self.conf\"\n", 0600);
	CU_ASSERT(load_file("loop1.conf", 0, &e, &c) > 0);
	CU_ASSERT_PTR_NULL(c);
	(void)snprintf(want, sizeof(want), "%s:2:11: include loop: \"%s\" is "
	    "already being read", path_of("loop2.conf"),
	    path_of("loop1.conf"));
	CU_ASSERT_STRING_EQUAL(e.line[0], want);
	CU_ASSERT(load_file("self.conf", 0, &e, &c) > 0);
	(void)snprintf(want, sizeof(want), "%s:1:9: include loop: \"%s\" is "
	    "already being read", path_of("self.conf"), path_of("self.conf"));
	CU_ASSERT_STRING_EQUAL(e.line[0], want);
}

/* A configuration whose three secret files live in tmpdir. */
static void
make_secret_conf(void)
{
	char text[2048];

	(void)snprintf(text, sizeof(text),
	    "server { fqdn \"proxy.example.test\" }\n"
	    "listen tls 127.0.0.1 5061 {\n"
	    "\tcertificate \"%s\"\n"
	    "\tkey \"%s\"\n"
	    "}\n"
	    "auth {\n"
	    "\tkerberos {\n"
	    "\t\tkeytab \"%s\"\n"
	    "\t}\n"
	    "\tntlm { users file \"%s\" }\n"
	    "}\n", path_of("cert.pem"), path_of("key.pem"), path_of("kt"),
	    path_of("users"));
	make("s.conf", text, 0644);
}

static void
expect_one(int mode, const char *msg, int line, int col)
{
	struct sipsa_conf *c = NULL;
	struct errs e;
	char want[1024];

	CU_ASSERT_EQUAL(load_file("s.conf", mode, &e, &c), 1);
	CU_ASSERT_PTR_NULL(c);
	(void)snprintf(want, sizeof(want), "%s:%d:%d: %s", path_of("s.conf"),
	    line, col, msg);
	CU_ASSERT_STRING_EQUAL(e.line[0], want);
	if (strcmp(e.line[0], want) != 0)
		fprintf(stderr, "\n got: %s\nwant: %s\n", e.line[0], want);
}

static void
test_secrets(void)
{
	struct sipsa_conf *c = NULL;
	struct errs e;
	char msg[512], want[512];

	make_secret_conf();
	make("kt", "KEYTAB-BYTES", 0600);
	make("users", "EXAMPLE:alice:password\n", 0600);
	make("key.pem", "PRIVATE KEY", 0600);
	CU_ASSERT_EQUAL(load_file("s.conf", CONF_SECRETS_REQUIRE, &e, &c), 0);
	conf_free(c);

	CU_ASSERT_EQUAL(chmod(path_of("kt"), 0640), 0);
	(void)snprintf(msg, sizeof(msg), "keytab \"%s\" is readable by group "
	    "or others; run: chmod 600 %s", path_of("kt"), path_of("kt"));
	expect_one(CONF_SECRETS_CHECK_IF_PRESENT, msg, 8, 10);
	/* Mode 0 of check_secrets checks nothing. */
	CU_ASSERT_EQUAL(load_file("s.conf", CONF_SECRETS_NONE, &e, &c), 0);
	conf_free(c);
	CU_ASSERT_EQUAL(chmod(path_of("kt"), 0604), 0);
	expect_one(CONF_SECRETS_REQUIRE, msg, 8, 10);
	CU_ASSERT_EQUAL(chmod(path_of("kt"), 0600), 0);

	CU_ASSERT_EQUAL(chmod(path_of("users"), 0620), 0);
	(void)snprintf(msg, sizeof(msg), "NTLM users file \"%s\" is writable "
	    "by group or others; run: chmod 600 %s", path_of("users"),
	    path_of("users"));
	expect_one(CONF_SECRETS_REQUIRE, msg, 10, 20);
	CU_ASSERT_EQUAL(chmod(path_of("users"), 0600), 0);

	/* A missing secret passes -n and fails a real start. */
	CU_ASSERT_EQUAL(remove(path_of("key.pem")), 0);
	CU_ASSERT_EQUAL(load_file("s.conf", CONF_SECRETS_CHECK_IF_PRESENT, &e,
	    &c), 0);
	conf_free(c);
	(void)snprintf(msg, sizeof(msg), "TLS key \"%s\" does not exist; "
	    "create it (mode 600) or correct the path", path_of("key.pem"));
	expect_one(CONF_SECRETS_REQUIRE, msg, 4, 6);
	make("key.pem", NULL, 0700);
	(void)snprintf(msg, sizeof(msg), "TLS key \"%s\" is not a regular "
	    "file; give the path of the file itself", path_of("key.pem"));
	expect_one(CONF_SECRETS_CHECK_IF_PRESENT, msg, 4, 6);

	/* The owner check, for a user other than the file's owner. */
	CU_ASSERT_EQUAL(conf_secret_check("keytab", path_of("kt"),
	    geteuid() + 1, msg, sizeof(msg)), EACCES);
	(void)snprintf(want, sizeof(want), "keytab \"%s\" is owned by uid %lu, "
	    "not by uid %lu that sipsad runs as; run: chown %lu %s",
	    path_of("kt"), (unsigned long)geteuid(),
	    (unsigned long)geteuid() + 1, (unsigned long)geteuid() + 1,
	    path_of("kt"));
	CU_ASSERT_STRING_EQUAL(msg, want);
	CU_ASSERT_EQUAL(conf_secret_check("keytab", path_of("kt"), geteuid(),
	    msg, sizeof(msg)), 0);
}

CU_TestInfo conf_file_tests[] = {
	{ "include", test_include },
	{ "include_loop", test_include_loop },
	{ "secret_files", test_secrets },
	CU_TEST_INFO_NULL,
};

/* The suite needs its temporary directory around all its tests. */
int
conf_files_setup(void)
{
	return setup();
}

int
conf_files_teardown(void)
{
	return teardown();
}
