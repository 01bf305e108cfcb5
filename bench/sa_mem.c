/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench/sa_mem.c: memory per established SA, for NTLM and for Kerberos,
 * over many SAs made by real handshakes (the sipsa initiator against an SA
 * table on sa_mech_gss) and bound to endpoints, as the daemon holds them.
 * Prints the heap growth per SA (mallinfo2), the RSS growth per SA and
 * what sa_memory() accounts for.  Needs the environment of
 * scripts/sipsa-realm:
 *
 *	eval "$(scripts/sipsa-realm up /tmp/r)"
 *	./bench/sa_mem ntlm 100000; ./bench/sa_mem kerberos 100000
 *	scripts/sipsa-realm down /tmp/r
 */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sa/sa.h"
#include "src/log.h"
#include "tests/mech/mech_test.h"

struct realm realm;

#define WARMUP	1000		/* SAs made before the baseline */

static double
now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
rss_bytes(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		(void)fclose(f);
	}
	return rss * sysconf(_SC_PAGESIZE);
}

/* One handshake through the SA table, then bind; 0 on success. */
static int
one_sa(struct sa_table *t, struct mech_server *srv,
    const struct mech_client_params *cp, unsigned i, size_t *mem)
{
	struct mech_ctx *cli = NULL;
	struct mech_result cr;
	struct sa_assoc *sa = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	char src[32], aor[64], epid[16];
	int ret = -1;

	(void)snprintf(src, sizeof(src), "10.%u.%u.%u", (i >> 16) & 255,
	    (i >> 8) & 255, i & 255);
	(void)snprintf(aor, sizeof(aor), "sip:user%u@example.test", i);
	(void)snprintf(epid, sizeof(epid), "%010x", i);
	memset(&cr, 0, sizeof(cr));
	if (sa_begin(t, src, cp->kind, SA_HDR_WWW, srv, &sa) != 0 ||
	    mech_init(cp, &cli, NULL, 0, &cr) != 0 || cr.reason != MECH_OK)
		goto out;
	if (cp->kind == MECH_NTLM) {
		free(cr.out);
		cr.out = NULL;
		if (sa_step(sa, NULL, 0, &out, &out_len) != SA_R_OK ||
		    mech_init(cp, &cli, out, out_len, &cr) != 0 ||
		    cr.reason != MECH_OK)
			goto out;
		free(out);
		out = NULL;
	}
	if (sa_step(sa, cr.out, cr.out_len, &out, &out_len) != SA_R_OK ||
	    sa_state(sa) != ASSOC_ESTABLISHED ||
	    sa_establish_endpoint(sa, aor, epid, "SIP Communications Service",
	    realm.fqdn) != SA_R_OK)
		goto out;
	*mem += sa_memory(sa);
	ret = 0;
out:
	free(cr.out);
	free(out);
	mech_ctx_free(cli);
	sa_unref(sa);
	return ret;
}

int
main(int argc, char **argv)
{
	struct mech_server_params sp;
	struct mech_client_params cp;
	struct sa_table_params tp;
	struct mech_server *srv = NULL;
	struct sa_table *t = NULL;
	struct mallinfo2 m0, m1;
	struct sa_stats st;
	char err[512], principal[300];
	unsigned n, i;
	size_t mem = 0, mem_warm = 0;
	long rss0, rss1;
	double t0, t1;

	if (argc < 2 || (strcmp(argv[1], "ntlm") != 0 &&
	    strcmp(argv[1], "kerberos") != 0)) {
		fprintf(stderr, "usage: sa_mem ntlm|kerberos [N]\n");
		return 2;
	}
	n = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 100000;
	log_init("sa_mem", 0, LOG_LVL_WARN);
	if (realm_from_env(&realm) != 0)
		return 2;
	realm_server_params(&realm, &sp);
	if (mech_server_create(&sp, &srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "sa_mem: %s\n", err);
		return 1;
	}
	memset(&cp, 0, sizeof(cp));
	cp.target_fqdn = realm.fqdn;
	if (strcmp(argv[1], "ntlm") == 0) {
		cp.kind = MECH_NTLM;
		cp.user = "user1";
		cp.domain = realm.netbios;
		cp.password = "user1pw";
	} else {
		cp.kind = MECH_KERBEROS;
		(void)snprintf(principal, sizeof(principal), "user1@%s",
		    realm.realm);
		cp.principal = principal;
		cp.client_keytab = realm.client_keytab;
	}
	memset(&tp, 0, sizeof(tp));
	tp.mech = &sa_mech_gss;
	tp.limits.idle_s = 3600;
	if (sa_table_create(&tp, &t) != 0)
		return 1;
	for (i = 0; i < WARMUP; i++)
		if (one_sa(t, srv, &cp, n + i, &mem_warm) != 0) {
			fprintf(stderr, "sa_mem: handshake %u failed\n", i);
			return 1;
		}
	m0 = mallinfo2();
	rss0 = rss_bytes();
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (one_sa(t, srv, &cp, i, &mem) != 0) {
			fprintf(stderr, "sa_mem: handshake %u failed\n", i);
			return 1;
		}
	t1 = now_s();
	m1 = mallinfo2();
	rss1 = rss_bytes();
	sa_table_stats(t, &st);
	printf("%s: %u established SAs (%u in table)\n", argv[1], n,
	    (unsigned)st.established);
	printf("  heap in use per SA (mallinfo2): %.0f bytes\n",
	    ((double)m1.uordblks - (double)m0.uordblks) / n);
	printf("  RSS growth per SA:              %.0f bytes\n",
	    (double)(rss1 - rss0) / n);
	printf("  sa_memory() per SA:             %.0f bytes\n",
	    (double)mem / n);
	printf("  handshake + bind, both sides:   %.1f us per SA\n",
	    (t1 - t0) * 1e6 / n);
	sa_table_free(t);
	mech_server_free(srv);
	return 0;
}
