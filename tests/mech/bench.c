/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/mech/bench.c: "mech --bench N": median wall-clock cost of the
 * server-side NTLM handshake, the Kerberos accept, and sign and verify for
 * both mechanisms, over N iterations.  A quick figure for development;
 * the benchmark proper lives in bench/.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <time.h>

#include "sa/mech.h"
#include "tests/mech/mech_test.h"

static double
now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

static const char msg[] = "<NTLM><3D4E5F60><3><SIP Communications Service>"
    "<proxy.example.test><0a1b2c3d4e5f60718293a4b5c6d7e8f9><1><SUBSCRIBE>"
    "<sip:user1@example.test><8f3a2b1c0d><sip:user1@example.test>"
    "<AB12CD34EF56><><><36000><200>";

/* Sign (server) and verify (client) costs on an established pair. */
static void
sigs(const char *name, struct mech_ctx *srv, struct mech_ctx *cli, int n,
    double *t)
{
	uint8_t sig[MECH_SIG_MAX];
	size_t len = 0;
	double t0;
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		t0 = now_us();
		bad |= mech_sign(srv, msg, strlen(msg), sig, &len, NULL);
		t[i] = now_us() - t0;
	}
	printf("%-28s %8.2f us\n", name, median(t, n));
	for (i = 0; i < n; i++) {
		t0 = now_us();
		bad |= mech_verify(cli, msg, strlen(msg), sig, len, NULL);
		t[i] = now_us() - t0;
	}
	printf("%-28s %8.2f us%s\n", "  verify (peer)", median(t, n),
	    bad ? "  (FAILURES)" : "");
}

/*
 * Heap bytes per established acceptor context, over n contexts (the
 * initiators are freed as they complete), against mech_ctx_memory().
 */
static void
memory(struct mech_server *s, enum mech_kind kind, int n)
{
	struct mech_ctx **ctx = calloc((size_t)n, sizeof(*ctx));
	struct mech_ctx *cli;
	struct mech_result r;
	size_t before, after;
	int i, ok = 0;

	if (ctx == NULL)
		return;
	before = mallinfo2().uordblks;
	for (i = 0; i < n; i++) {
		if (kind == MECH_NTLM)
			ok += ntlm_handshake(s, "user1", "user1pw", &ctx[i],
			    &cli, NULL, &r) == MECH_OK;
		else
			ok += krb_handshake(s, KRB_KEYTAB, 0, &ctx[i], &cli,
			    &r, NULL, NULL) == MECH_OK;
		mech_ctx_free(cli);
	}
	after = mallinfo2().uordblks;
	printf("%-28s %8.0f B heap (mech_ctx_memory %zu B; %d/%d)\n",
	    kind == MECH_NTLM ? "NTLM established SA" :
	    "Kerberos established SA", ((double)after - (double)before) / n,
	    mech_ctx_memory(ctx[0]), ok, n);
	for (i = 0; i < n; i++)
		mech_ctx_free(ctx[i]);
	free(ctx);
}

/* Initiator cost on a shared credential (the load generator's way). */
static void
shared(struct mech_server *s, const struct mech_client_params *p, int n,
    double *t)
{
	struct mech_client_params cp = *p;
	struct mech_client_cred *c;
	struct mech_ctx *cli, *srv;
	struct mech_result cr, r;
	double t0;
	int i;

	if (mech_client_cred_create(p, &c, NULL) != 0)
		return;
	cp.cred = c;
	for (i = 0; i < n; i++) {
		cli = srv = NULL;
		t0 = now_us();
		(void)mech_init(&cp, &cli, NULL, 0, &cr);
		t[i] = now_us() - t0;
		if (p->kind == MECH_NTLM) {
			(void)mech_accept(s, MECH_NTLM, &srv, NULL, 0, &r);
			t0 = now_us();
			(void)mech_init(&cp, &cli, r.out, r.out_len, &cr);
			t[i] += now_us() - t0;
			free(r.out);
		}
		free(cr.out);
		mech_ctx_free(srv);
		mech_ctx_free(cli);
	}
	printf("%-28s %8.2f us\n", "  on a shared credential",
	    median(t, n));
	mech_client_cred_free(c);
}

int
mech_bench(int n)
{
	struct mech_server_params sp;
	struct mech_server *s;
	struct mech_client_params cp;
	struct mech_ctx *srv, *cli;
	struct mech_result r, cr;
	double *t, *t2, *t3, t0;
	char err[512], principal[300];
	int i;

	if (n < 1 || realm_from_env(&realm) != 0)
		return 2;
	realm_server_params(&realm, &sp);
	if (mech_server_create(&sp, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t = calloc((size_t)n, sizeof(*t));
	t2 = calloc((size_t)n, sizeof(*t2));
	t3 = calloc((size_t)n, sizeof(*t3));
	if (t == NULL || t2 == NULL || t3 == NULL)
		return 1;
	memset(&cp, 0, sizeof(cp));
	cp.kind = MECH_NTLM;
	cp.target_fqdn = realm.fqdn;
	cp.user = "user1";
	cp.domain = realm.netbios;
	cp.password = "user1pw";
	for (i = 0; i < n; i++) {
		srv = cli = NULL;
		t0 = now_us();
		(void)mech_init(&cp, &cli, NULL, 0, &cr);
		t3[i] = now_us() - t0;
		t0 = now_us();
		(void)mech_accept(s, MECH_NTLM, &srv, NULL, 0, &r);
		t[i] = now_us() - t0;
		t0 = now_us();
		(void)mech_init(&cp, &cli, r.out, r.out_len, &cr);
		t3[i] += now_us() - t0;
		free(r.out);
		t0 = now_us();
		(void)mech_accept(s, MECH_NTLM, &srv, cr.out, cr.out_len, &r);
		t[i] += now_us() - t0;
		t2[i] = r.complete;
		free(cr.out);
		if (i + 1 < n) {
			mech_ctx_free(srv);
			mech_ctx_free(cli);
		}
	}
	for (i = 0, t0 = 0; i < n; i++)
		t0 += t2[i];
	printf("%-28s %8.2f us  (%d/%d complete)\n", "NTLM server handshake",
	    median(t, n), (int)t0, n);
	printf("%-28s %8.2f us\n", "NTLM client handshake", median(t3, n));
	shared(s, &cp, n, t3);
	sigs("NTLM sign (server)", srv, cli, n, t);
	mech_ctx_free(srv);
	mech_ctx_free(cli);

	memset(&cp, 0, sizeof(cp));
	cp.kind = MECH_KERBEROS;
	cp.target_fqdn = realm.fqdn;
	(void)snprintf(principal, sizeof(principal), "user1@%s", realm.realm);
	cp.principal = principal;
	cp.client_keytab = realm.client_keytab;
	for (i = 0; i < n; i++) {
		srv = cli = NULL;
		t0 = now_us();
		(void)mech_init(&cp, &cli, NULL, 0, &cr);
		t3[i] = now_us() - t0;
		t0 = now_us();
		(void)mech_accept(s, MECH_KERBEROS, &srv, cr.out, cr.out_len,
		    &r);
		t[i] = now_us() - t0;
		free(cr.out);
		free(r.out);
		if (i + 1 < n) {
			mech_ctx_free(srv);
			mech_ctx_free(cli);
		}
	}
	printf("%-28s %8.2f us\n", "Kerberos accept", median(t, n));
	printf("%-28s %8.2f us\n", "Kerberos init (keytab, warm)",
	    median(t3, n));
	shared(s, &cp, n, t3);
	sigs("Kerberos sign (server)", srv, cli, n, t);
	mech_ctx_free(srv);
	mech_ctx_free(cli);
	memory(s, MECH_NTLM, n);
	memory(s, MECH_KERBEROS, n);
	free(t);
	free(t2);
	free(t3);
	mech_server_free(s);
	return 0;
}
