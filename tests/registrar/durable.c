/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/registrar/durable.c: the two halves of the kill -9 test.
 * "durable write DIR N" registers N endpoints, one AOR each, and prints
 * "committed I" once registrar_handle() has returned for binding I;
 * "durable check DIR C" reopens the store and checks that bindings 0..C-1
 * are all there, field by field, and that nothing past C+1 exists.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registrar/registrar.h"

/* A fixed clock: the bindings must not expire between the two runs. */
#define NOW	2000000000ull
#define LIFE	3600

static void
names(unsigned long i, char *aor, char *epid, char *uri, char *cid)
{
	(void)snprintf(aor, 64, "sip:user%lu@example.test", i);
	(void)snprintf(epid, 32, "%012lx", i * 2654435761ul);
	(void)snprintf(uri, 64, "sip:10.%lu.%lu.%lu:%lu;transport=tcp",
	    (i >> 16) & 255, (i >> 8) & 255, i & 255, 1024 + i % 60000);
	(void)snprintf(cid, 32, "durable-%lu", i);
}

static int
open_store(const char *dir, struct registrar **reg)
{
	struct registrar_config cfg = {
		.expires_min = 60, .expires_default = LIFE,
		.expires_max = LIFE, .max_endpoints = 8, .store_dir = dir,
	};
	int err = registrar_open(&cfg, &reg_store_lmdb, NOW, reg);

	if (err != 0)
		fprintf(stderr, "durable: open %s: %s\n", dir, strerror(err));
	return err;
}

static int
do_write(struct registrar *reg, unsigned long n)
{
	char aor[64], epid[32], uri[64], cid[32];
	struct reg_contact c = { uri, NULL, -1, 1000 };
	struct reg_req rq = { .aor = aor, .epid = epid, .contacts = &c,
	    .ncontacts = 1, .call_id = cid, .transport = "tcp:127.0.0.1:1",
	    .now = NOW };
	struct reg_resp rs;
	unsigned long i;

	for (i = 0; i < n; i++) {
		names(i, aor, epid, uri, cid);
		rq.cseq = (uint32_t)(i + 1);
		rq.conn_id = i;
		(void)registrar_handle(reg, &rq, &rs);
		if (rs.status != 200) {
			fprintf(stderr, "durable: binding %lu: %u %s\n", i,
			    rs.status, rs.phrase);
			reg_resp_clear(&rs);
			return 1;
		}
		reg_resp_clear(&rs);
		printf("committed %lu\n", i + 1);
		(void)fflush(stdout);
	}
	return 0;
}

struct found {
	unsigned long	 i;
	unsigned	 n;
	int		 bad;
};

static void
check_cb(const struct reg_binding *b, void *arg)
{
	struct found *f = arg;
	char aor[64], epid[32], uri[64], cid[32], inst[REG_INSTANCE_LEN + 1];

	f->n++;
	names(f->i, aor, epid, uri, cid);
	if (registrar_instance_from_epid(epid, inst, sizeof(inst)) != 0 ||
	    strcmp(b->uri, uri) != 0 || strcmp(b->epid, epid) != 0 ||
	    strcmp(b->instance, inst) != 0 || strcmp(b->call_id, cid) != 0 ||
	    strcmp(b->transport, "tcp:127.0.0.1:1") != 0 ||
	    b->cseq != f->i + 1 || b->conn_id != f->i || b->q != 1000 ||
	    b->expires_at != NOW + LIFE || b->registered != NOW) {
		fprintf(stderr, "durable: binding %lu damaged\n", f->i);
		f->bad = 1;
	}
}

static int
do_check(struct registrar *reg, unsigned long committed)
{
	char aor[64], epid[32], uri[64], cid[32];
	struct found f;
	unsigned long i, extra = 0;
	int err;

	for (i = 0; i < committed + 2; i++) {
		names(i, aor, epid, uri, cid);
		memset(&f, 0, sizeof(f));
		f.i = i;
		err = registrar_lookup(reg, aor, NOW, check_cb, &f);
		if (err != 0) {
			fprintf(stderr, "durable: lookup %lu: %s\n", i,
			    strerror(err));
			return 1;
		}
		if (f.bad || f.n > 1)
			return 1;
		if (i < committed && f.n != 1) {
			fprintf(stderr, "durable: committed binding %lu lost\n",
			    i);
			return 1;
		}
		/* The one in flight at the kill may or may not be there. */
		if (i == committed + 1 && f.n != 0) {
			fprintf(stderr, "durable: binding %lu never written "
			    "but present\n", i);
			return 1;
		}
		if (i >= committed)
			extra += f.n;
	}
	printf("durable: %lu committed bindings intact (%lu in flight)\n",
	    committed, extra);
	return 0;
}

int
main(int argc, char **argv)
{
	struct registrar *reg = NULL;
	unsigned long n;
	int rc;

	if (argc != 4 || (strcmp(argv[1], "write") != 0 &&
	    strcmp(argv[1], "check") != 0)) {
		fprintf(stderr, "usage: durable write|check DIR N\n");
		return 2;
	}
	n = strtoul(argv[3], NULL, 10);
	if (open_store(argv[2], &reg) != 0)
		return 1;
	if (strcmp(argv[1], "write") == 0)
		rc = do_write(reg, n);
	else
		rc = do_check(reg, n);
	registrar_close(reg);
	return rc;
}
