/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_conf_dump.c: conf_dump() output parses back to an equal
 * configuration, and doc/sipsa.conf.5 documents every directive of the
 * table (and no other).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "conf/conf.h"
#include "conf/conf_int.h"
#include "log/log.h"
#include "tests/unit/test_conf.h"

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
	const struct conf_realm *ta, *tb;
	int i;

	if (!str_eq(a->fqdn, b->fqdn) || !str_eq(a->state_dir, b->state_dir) ||
	    !str_eq(a->pid_file, b->pid_file) ||
	    memcmp(&a->sa, &b->sa, sizeof(a->sa)) != 0 ||
	    memcmp(&a->guard, &b->guard, sizeof(a->guard)) != 0 ||
	    memcmp(&a->conn, &b->conn, sizeof(a->conn)) != 0 ||
	    a->auth.nschemes != b->auth.nschemes ||
	    !str_eq(a->auth.realm, b->auth.realm) ||
	    a->auth.version != b->auth.version ||
	    !str_eq(a->auth.identity_map, b->auth.identity_map) ||
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
	    a->registrar.refresh_durable != b->registrar.refresh_durable ||
	    !str_eq(a->registrar.store, b->registrar.store) ||
	    a->registrar.sync != b->registrar.sync ||
	    !str_eq(a->control.socket, b->control.socket) ||
	    a->control.mode != b->control.mode ||
	    !str_eq(a->control.group, b->control.group) ||
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
	for (ta = a->auth.trusted_realms, tb = b->auth.trusted_realms;
	    ta && tb; ta = ta->next, tb = tb->next)
		if (!str_eq(ta->realm, tb->realm) ||
		    !str_eq(ta->domain, tb->domain))
			return 0;
	if (ta != NULL || tb != NULL)
		return 0;
	for (la = a->listeners, lb = b->listeners; la && lb;
	    la = la->next, lb = lb->next)
		if (la->transport != lb->transport || la->port != lb->port ||
		    la->role != lb->role || !str_eq(la->address, lb->address) ||
		    !str_eq(la->tls_cert, lb->tls_cert) ||
		    !str_eq(la->tls_key, lb->tls_key) ||
		    la->nschemes != lb->nschemes ||
		    memcmp(la->schemes, lb->schemes, sizeof(la->schemes)) != 0)
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
	    conf_t_sink, &e, &a), 0);
	fp = open_memstream(&out, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	conf_dump(a, fp);
	(void)fclose(fp);
	CU_ASSERT_EQUAL(conf_parse_buf("dump.conf", out, len, 0, conf_t_sink,
	    &e, &b), 0);
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
	    "listen tls 0.0.0.0 5061 { role proxy\n certificate /c\n key /k\n"
	    " schemes ntlm kerberos }\n"
	    "listen tcp 0.0.0.0 5060 { schemes ntlm }\n"
	    "auth { schemes ntlm kerberos\n realm \"R q\"\n"
	    " version 3\n identity-map /etc/sipsa/idmap\n"
	    " kerberos { keytab /etc/sipsa/k\n"
	    " replay-cache none\n trusted-realm P.TEST\n"
	    " trusted-realm \"Q.TEST\" q.test }\n"
	    " ntlm { users winbind\n netbios-domain D\n"
	    " netbios-computer C }\n}\n"
	    "sa { lifetime 90\n idle-timeout 61\n half-open-max 5\n"
	    " half-open-per-source 5\n max 3\n tombstone-time 2m\n"
	    " tombstone-max 9 }\n"
	    "connections { idle-close 5m\n message-timeout 7s\n"
	    " udp-answers 0\n total 9\n per-source 3\n unauth-close 4s\n"
	    " output-queue 8\n socket-buffer 8192 }\n"
	    "guard { user-failures 3\n source-failures 9\n window 2m\n"
	    " block-time 5s\n block-max 2h\n handshake-rate 0\n"
	    " trust-time 1d\n entries 64 }\n"
	    "registrar { domain x.test\n domain y.test\n expires-min 1\n"
	    " expires-default 2\n expires-max 1d\n endpoints-per-user 2\n"
	    " expires-jitter 50%\n refresh-durable 100%\n store /b\n"
	    " sync meta }\n"
	    "home { pattern \"*@z.test\" sip:z\n user a@b sip:ab\n"
	    " default sips:d\n domain d.test sip:dd }\n"
	    "route r.test sip:r\nroute q.test sip:q\n"
	    "control { socket /run/c.sock\n mode 640\n group adm }\n"
	    "log { target syslog\n level err\n facility local7 }\n");
	round_trip("server { fqdn \"a.example.test\" }\nlisten udp ::1 5060\n"
	    "auth { kerberos { keytab /etc/sipsa/k } ntlm { users file "
	    "/etc/sipsa/u } }\ncontrol { socket none }\n");
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

/*
 * Every directive of the table is documented with its default, and nothing
 * else is.
 */
static void
test_man_page(void)
{
	char line[512], want[128], *text, *entry, *end;
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
		const struct conf_directive *d = &conf_directives[i];

		(void)snprintf(want, sizeof(want), "\n.It Ic %s ", d->name);
		entry = strstr(text, want);
		CU_ASSERT_PTR_NOT_NULL(entry);
		if (entry == NULL) {
			fprintf(stderr, "\nundocumented: %s\n", want + 1);
			continue;
		}
		/*
		 * The default, as the table writes it, appears in the entry
		 * (paths under LOCALSTATEDIR are spelt symbolically); of a
		 * name two blocks use (default), in one of its entries.
		 */
		if (d->def == NULL || d->def[0] == '/')
			continue;
		for (found = 0; entry != NULL && !found;
		    entry = strstr(entry + 1, want)) {
			end = strstr(entry + 1, "\n.It ");
			if (end != NULL)
				*end = '\0';
			found = strstr(entry, d->def) != NULL;
			if (end != NULL)
				*end = '\n';
		}
		CU_ASSERT(found);
		if (!found)
			fprintf(stderr, "\n%s: default %s not documented\n",
			    d->name, d->def);
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

CU_TestInfo conf_dump_tests[] = {
	{ "dump_round_trip", test_dump },
	{ "man_page_lists_every_directive", test_man_page },
	CU_TEST_INFO_NULL,
};
