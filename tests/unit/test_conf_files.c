/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_conf_files.c: the conf tests that need real files:
 * includes and include loops, secret file checks (files made with chmod
 * in a temporary directory), conf_dump() round trips and the check that
 * doc/sipsa.conf.5 documents every directive of the table.
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
#include "tests/unit/unit.h"

static char tmpdir[64];
static char made[32][256];
static int nmade;

struct errs {
	int	n;
	char	line[32][1024];
};

static void
sink(const char *msg, void *arg)
{
	struct errs *e = arg;

	if (e->n < 32)
		(void)snprintf(e->line[e->n], sizeof(e->line[0]), "%s", msg);
	e->n++;
}

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
	return conf_load(path_of(name), secrets, sink, e, c);
}

static void
test_include(void)
{
	struct sipsa_conf *c = NULL;
	struct errs e;
	char want[512];

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
	(void)snprintf(msg, sizeof(msg), "TLS key \"%s\" does not exist",
	    path_of("key.pem"));
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

static int
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Every value of two snapshots, positions aside. */
static int
conf_equal(const struct sipsa_conf *a, const struct sipsa_conf *b)
{
	const struct conf_listen *la, *lb;
	const struct conf_home *ha, *hb;
	const struct conf_route *ra, *rb;
	int i;

	if (!str_eq(a->fqdn, b->fqdn) || !str_eq(a->state_dir, b->state_dir) ||
	    !str_eq(a->pid_file, b->pid_file) ||
	    memcmp(&a->sa, &b->sa, sizeof(a->sa)) != 0 ||
	    a->auth.nschemes != b->auth.nschemes ||
	    !str_eq(a->auth.realm, b->auth.realm) ||
	    a->auth.version != b->auth.version ||
	    !str_eq(a->auth.keytab, b->auth.keytab) ||
	    !str_eq(a->auth.rcache_dir, b->auth.rcache_dir) ||
	    a->auth.ntlm_source != b->auth.ntlm_source ||
	    !str_eq(a->auth.ntlm_user_file, b->auth.ntlm_user_file) ||
	    !str_eq(a->auth.netbios_domain, b->auth.netbios_domain) ||
	    !str_eq(a->auth.netbios_computer, b->auth.netbios_computer) ||
	    a->registrar.expires_min != b->registrar.expires_min ||
	    a->registrar.expires_default != b->registrar.expires_default ||
	    a->registrar.expires_max != b->registrar.expires_max ||
	    a->registrar.max_endpoints != b->registrar.max_endpoints ||
	    a->registrar.expires_jitter != b->registrar.expires_jitter ||
	    !str_eq(a->registrar.store, b->registrar.store) ||
	    a->log.to_syslog != b->log.to_syslog ||
	    a->log.level != b->log.level ||
	    !str_eq(a->log.facility, b->log.facility))
		return 0;
	for (i = 0; i < a->auth.nschemes; i++)
		if (a->auth.schemes[i] != b->auth.schemes[i])
			return 0;
	for (i = 0; a->registrar.domains[i] != NULL; i++)
		if (!str_eq(a->registrar.domains[i], b->registrar.domains[i]))
			return 0;
	if (b->registrar.domains[i] != NULL)
		return 0;
	for (la = a->listeners, lb = b->listeners; la && lb;
	    la = la->next, lb = lb->next)
		if (la->transport != lb->transport || la->port != lb->port ||
		    la->role != lb->role || !str_eq(la->address, lb->address) ||
		    !str_eq(la->tls_cert, lb->tls_cert) ||
		    !str_eq(la->tls_key, lb->tls_key))
			return 0;
	for (ha = a->homes, hb = b->homes; ha && hb;
	    ha = ha->next, hb = hb->next)
		if (ha->kind != hb->kind || !str_eq(ha->match, hb->match) ||
		    !str_eq(ha->target, hb->target))
			return 0;
	for (ra = a->routes, rb = b->routes; ra && rb;
	    ra = ra->next, rb = rb->next)
		if (!str_eq(ra->domain, rb->domain) ||
		    !str_eq(ra->next_hop, rb->next_hop))
			return 0;
	return la == NULL && lb == NULL && ha == NULL && hb == NULL &&
	    ra == NULL && rb == NULL;
}

static void
round_trip(const char *text)
{
	struct sipsa_conf *a = NULL, *b = NULL;
	struct errs e;
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	memset(&e, 0, sizeof(e));
	CU_ASSERT_EQUAL_FATAL(conf_parse_buf("rt.conf", text, strlen(text), 0,
	    sink, &e, &a), 0);
	fp = open_memstream(&out, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	conf_dump(a, fp);
	(void)fclose(fp);
	CU_ASSERT_EQUAL(conf_parse_buf("dump.conf", out, len, 0, sink, &e, &b),
	    0);
	if (b != NULL) {
		CU_ASSERT(conf_equal(a, b));
		/* Changing one value is seen by the comparison. */
		b->sa.max_established++;
		CU_ASSERT(!conf_equal(a, b));
	}
	/* Only the path of a secret appears, never what the file holds. */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "keytab \"/etc/sipsa/k\""));
	CU_ASSERT_PTR_NULL(strstr(out, "KEYTAB-BYTES"));
	free(out);
	conf_free(a);
	conf_free(b);
}

static void
test_dump(void)
{
	round_trip("server { fqdn \"a.example.test\" }\nlisten udp ::1 5060\n"
	    "auth { kerberos { keytab /etc/sipsa/k } ntlm { users file "
	    "/etc/sipsa/u } }\n");
	round_trip("server { fqdn \"p.example.test\"\n state-dir /s\n"
	    " pid-file \"/p\\\"q\\\\\" }\n"
	    "listen tls 0.0.0.0 5061 { role proxy\n certificate /c\n key /k }\n"
	    "listen tcp 0.0.0.0 5060\n"
	    "auth { schemes ntlm kerberos\n realm \"R q\"\n"
	    " version 3\n kerberos { keytab /etc/sipsa/k\n replay-cache none }\n"
	    " ntlm { users winbind\n netbios-domain D\n netbios-computer C }\n}\n"
	    "sa { lifetime 90\n idle-timeout 61\n half-open-max 5\n"
	    " half-open-per-source 5\n max 3 }\n"
	    "registrar { domain x.test\n domain y.test\n expires-min 1\n"
	    " expires-default 2\n expires-max 1d\n endpoints-per-user 2\n"
	    " expires-jitter 50%\n store /b }\n"
	    "home { pattern \"*@z.test\" sip:z\n user a@b sip:ab\n"
	    " default sips:d\n domain d.test sip:dd }\n"
	    "route r.test sip:r\nroute q.test sip:q\n"
	    "log { target syslog\n level err\n facility local7 }\n");
}

static const char *
man_path(void)
{
	static char path[4096];
	const char *top = getenv("top_srcdir");

	(void)snprintf(path, sizeof(path), "%s/doc/sipsa.conf.5",
	    top != NULL ? top : ".");
	return path;
}

/* Every directive of the table is documented, and nothing else is. */
static void
test_man_page(void)
{
	char line[512], want[128], *text;
	FILE *fp = fopen(man_path(), "r");
	size_t i, n = 0, cap = 1 << 17;
	int b, found;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	text = calloc(1, cap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	n = fread(text, 1, cap - 1, fp);
	CU_ASSERT(n > 0 && n < cap - 1);
	rewind(fp);
	for (i = 0; i < conf_ndirectives; i++) {
		(void)snprintf(want, sizeof(want), "\n.It Ic %s",
		    conf_directives[i].name);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
		if (strstr(text, want) == NULL)
			fprintf(stderr, "\nundocumented: %s\n", want + 1);
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, ".It Ic ", 7) != 0)
			continue;
		line[7 + strcspn(line + 7, " \n")] = '\0';
		for (b = CONF_B_ANY, found = 0; b <= CONF_B_LOG; b++)
			found |= conf_directive_find(b, line + 7) >= 0;
		CU_ASSERT(found);
		if (!found)
			fprintf(stderr, "\nnot a directive: %s\n", line + 7);
	}
	(void)fclose(fp);
	free(text);
}

CU_TestInfo conf_file_tests[] = {
	{ "include", test_include },
	{ "include_loop", test_include_loop },
	{ "secret_files", test_secrets },
	{ "dump_round_trip", test_dump },
	{ "man_page_lists_every_directive", test_man_page },
	CU_TEST_INFO_NULL,
};

/* The suite needs its temporary directory around all its tests. */
int	conf_files_setup(void);
int	conf_files_teardown(void);

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
