/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/registrar/putbench.c: what a binding write costs.  Times N store
 * puts of a SIPE-sized record and N whole REGISTER refreshes through
 * registrar_handle(), with the default fsync per commit, "nometasync" or
 * "nosync", and prints median, p90 and p99 in microseconds.  Each AOR is
 * registered once first (not timed); the refreshes then come one second
 * later per round over the AORs, so they only move the expiry, which
 * PCT (refresh_durable, default 50) keeps in memory or writes.  Not a
 * test: run it by hand (doc/registrar.md); under callgrind, collect
 * refresh_one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registrar/internal.h"

#define NAORS	1000

static double
now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One timed refresh, a function of its own for callgrind. */
static __attribute__((noinline)) int
refresh_one(struct registrar *reg, const struct reg_req *rq)
{
	struct reg_resp rs;
	unsigned status;

	(void)registrar_handle(reg, rq, &rs);
	status = rs.status;
	reg_resp_clear(&rs);
	return status == 200 ? 0 : -1;
}

static void
report(const char *what, double *t, size_t n)
{
	qsort(t, n, sizeof(*t), cmp_double);
	printf("%-28s n=%zu median=%.1f us p90=%.1f us p99=%.1f us\n", what,
	    n, t[n / 2], t[n * 9 / 10], t[n * 99 / 100]);
}

int
main(int argc, char **argv)
{
	struct registrar_config cfg = {
		.expires_min = 60, .expires_default = 600,
		.expires_max = 3600, .max_endpoints = 8,
	};
	struct reg_contact c = {
		"sip:127.0.0.1:51012;transport=tcp;ms-opaque=d3470f2e1d",
		"<urn:uuid:b2e11dcf-e174-5e2b-9651-1dcb046c4b91>", -1, 1000 };
	struct reg_req rq = { .epid = "1259c01b0250", .contacts = &c,
	    .ncontacts = 1, .call_id = "A6A4gFA6AaD945i124Dm8757t2DF7bBE45",
	    .transport = "tcp:127.0.0.1:51012", .conn_id = 1,
	    .now = 1000000 };
	struct registrar *reg = NULL;
	struct reg_resp rs;
	struct reg_binding b = { (char *)c.uri,
	    (char *)"urn:uuid:b2e11dcf-e174-5e2b-9651-1dcb046c4b91",
	    (char *)"1259c01b0250", (char *)"sip:user1@example.test;"
	    "opaque=user:epid:b2e11dcf-e174-5e2b-9651-1dcb046c4b91;gruu",
	    (char *)rq.call_id, (char *)rq.transport, 1, 1000, 1, 1000000,
	    1000600 };
	struct reg_blist l = { &b, 1 };
	unsigned char *val;
	char aor[64];
	double *t, t0;
	size_t n, i, len;

	if (argc < 3) {
		fprintf(stderr, "usage: putbench DIR N "
		    "[fsync|nometasync|nosync [PCT]]\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	cfg.store_dir = argv[1];
	if (argc > 3 && strcmp(argv[3], "nosync") == 0)
		cfg.store.sync = REG_SYNC_NONE;
	else if (argc > 3 && strcmp(argv[3], "nometasync") == 0)
		cfg.store.sync = REG_SYNC_META;
	if (argc > 4)
		cfg.refresh_durable = (unsigned)strtoul(argv[4], NULL, 10);
	if (n < 10 || (t = calloc(n, sizeof(*t))) == NULL ||
	    registrar_open(&cfg, &reg_store_lmdb, rq.now, &reg) != 0 ||
	    record_encode(&l, &val, &len) != 0)
		return 1;
	for (i = 0; i < n; i++) {
		(void)snprintf(aor, sizeof(aor), "sip:user%zu@example.test",
		    i % NAORS);
		t0 = now_us();
		if (reg->ops->put(reg->st, aor, val, len) != 0)
			return 1;
		t[i] = now_us() - t0;
	}
	printf("record %zu bytes, %s\n", len,
	    cfg.store.sync == REG_SYNC_NONE ? "MDB_NOSYNC" :
	    cfg.store.sync == REG_SYNC_META ? "MDB_NOMETASYNC" :
	    "fsync per commit (data + meta)");
	report("store put", t, n);
	rq.aor = aor;
	for (i = 0; i < NAORS; i++) {
		(void)snprintf(aor, sizeof(aor), "sip:user%zu@example.test", i);
		rq.cseq = 2;
		(void)registrar_handle(reg, &rq, &rs);
		reg_resp_clear(&rs);
	}
	for (i = 0; i < n; i++) {
		(void)snprintf(aor, sizeof(aor), "sip:user%zu@example.test",
		    i % NAORS);
		rq.cseq = (uint32_t)(i + 3);
		rq.now = 1000001 + i / NAORS;
		t0 = now_us();
		if (refresh_one(reg, &rq) != 0)
			return 1;
		t[i] = now_us() - t0;
	}
	report("registrar_handle refresh", t, n);
	t0 = now_us();
	if (registrar_sync(reg) != 0)
		return 1;
	printf("registrar_sync after the run: %.1f us\n", now_us() - t0);
	free(val);
	free(t);
	registrar_close(reg);
	return 0;
}
