/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/registrar/failmalloc.c: the allocation-failure ladder.  Every
 * registrar operation runs again and again, the n-th allocation failing
 * in run n, until it succeeds without a failure.  Each run must end with a
 * clean 500 (NO_MEMORY) or ENOMEM, free everything it allocated, and leave
 * the store as it was.  The allocator wrappers (tests/failmalloc/wrap.h)
 * catch the registrar's own allocations (LMDB and OpenSSL are shared
 * libraries and keep theirs).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log/log.h"
#include "registrar/internal.h"
#include "tests/failmalloc/wrap.h"

static char dir[64];

static struct registrar *
open_plain(void)
{
	struct registrar_config cfg = { .expires_min = 60,
	    .expires_default = 600, .expires_max = 3600, .max_endpoints = 4,
	    .jitter = 10, .store_dir = dir };
	struct registrar *reg = NULL;

	return registrar_open(&cfg, &reg_store_lmdb, 1000, &reg) == 0 ?
	    reg : NULL;
}

static void
count_cb(const struct reg_binding *b, void *arg)
{
	(void)b;
	(*(unsigned *)arg)++;
}

static unsigned
bindings(struct registrar *reg)
{
	unsigned n = 0;

	if (registrar_lookup(reg, "sip:u@example.test", 1000, count_cb,
	    &n) != 0)
		return 999;
	return n;
}

/*
 * One scenario: REGISTER rq; ok_reason is the reason without failures.
 * The run without failures may leave or release one block per AOR: the
 * refresh the registrar keeps in memory instead of writing it (pending.c,
 * one allocation per AOR; the bucket array is allocated at open).
 */
static int
ladder(struct registrar *reg, const char *name, const struct reg_req *rq,
    enum reg_reason ok_reason)
{
	struct reg_resp rs;
	unsigned before = bindings(reg);
	long k, base, held = (long)reg->pend.count;

	for (k = 0;; k++) {
		base = failmalloc_live();
		failmalloc_arm(k);
		(void)registrar_handle(reg, rq, &rs);
		if (!failmalloc_disarm()) {
			if (rs.reason != ok_reason) {
				fprintf(stderr, "%s: %s without failure\n",
				    name, registrar_reason_name(rs.reason));
				return 1;
			}
			reg_resp_clear(&rs);
			printf("failmalloc: %s: %ld allocation points, all "
			    "clean\n", name, k);
			return failmalloc_live() - base ==
			    (long)reg->pend.count - held ? 0 : 1;
		}
		if (rs.reason != REG_REASON_NO_MEMORY) {
			fprintf(stderr, "%s: failure %ld gave %s\n", name, k,
			    registrar_reason_name(rs.reason));
			return 1;
		}
		/* A 500 leaves the store as it was. */
		if (bindings(reg) != before) {
			fprintf(stderr, "%s: failure %ld changed the store\n",
			    name, k);
			return 1;
		}
		reg_resp_clear(&rs);
		if (failmalloc_live() != base) {
			fprintf(stderr, "%s: failure %ld leaked %ld blocks\n",
			    name, k, failmalloc_live() - base);
			return 1;
		}
	}
}

/*
 * The read side: lookup, GRUU lookup and the sweep return 0 or ENOMEM,
 * never anything else, and leak nothing.
 */
static int
reads(struct registrar *reg)
{
	static const char *gruu = "sip:u@example.test;opaque=user:epid:"
	    "b2e11dcf-e174-5e2b-9651-1dcb046c4b91;gruu";
	static const char *names[] = { "lookup", "lookup_gruu", "expire" };
	static const char *gruu_aor = "sip:u@example.test";
	unsigned n;
	long k, base;
	int op, err, injected;

	for (op = 0; op < 3; op++) {
		for (k = 0;; k++) {
			base = failmalloc_live();
			failmalloc_arm(k);
			n = 0;
			if (op == 0)
				err = registrar_lookup(reg, gruu_aor, 1000,
				    count_cb, &n);
			else if (op == 1)
				err = registrar_lookup_gruu(reg, gruu, 1000,
				    count_cb, &n);
			else
				err = registrar_expire(reg, 1000, &n);
			injected = failmalloc_disarm();
			if (failmalloc_live() != base ||
			    (err != 0 && err != ENOMEM) ||
			    (err != 0 && !injected)) {
				fprintf(stderr, "%s: failure %ld: err %d, "
				    "leak %ld\n", names[op], k, err,
				    failmalloc_live() - base);
				return 1;
			}
			if (!injected)
				break;
		}
		printf("failmalloc: %s: %ld allocation points, all clean\n",
		    names[op], k);
	}
	return 0;
}

int
main(void)
{
	struct reg_contact c = { "sip:10.0.0.1:5060;transport=tcp",
	    "<urn:uuid:b2e11dcf-e174-5e2b-9651-1dcb046c4b91>", -1, 1000 };
	struct reg_req rq = { .aor = "sip:u@example.test",
	    .epid = "1259c01b0250", .contacts = &c, .ncontacts = 1,
	    .call_id = "cid", .cseq = 1, .transport = "tcp:x", .now = 1000 };
	struct registrar *reg;
	char path[128];
	long k, base;
	int rc = 0, injected;

	log_setlevel(LOG_LVL_ERR);
	(void)snprintf(dir, sizeof(dir), "/tmp/sipsa-failmalloc-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	/* registrar_open: ENOMEM, nothing left behind. */
	for (k = 0;; k++) {
		base = failmalloc_live();
		failmalloc_arm(k);
		reg = open_plain();
		injected = failmalloc_disarm();
		if (reg != NULL)
			break;
		if (!injected || failmalloc_live() != base) {
			fprintf(stderr, "open: failure %ld: %s\n", k,
			    injected ? "leak" : "failed on its own");
			return 1;
		}
	}
	printf("failmalloc: open: %ld allocation points, all clean\n", k);
	rc |= ladder(reg, "register", &rq, REG_REASON_OK);
	rq.cseq = 2;
	rq.epid = "00000000aa";
	c.instance = NULL;
	rc |= ladder(reg, "second endpoint", &rq, REG_REASON_OK);
	rq.cseq = 3;
	rc |= ladder(reg, "refresh", &rq, REG_REASON_OK);
	rq.ncontacts = 0;
	rc |= ladder(reg, "query", &rq, REG_REASON_QUERY);
	rq.star = 1;
	rq.has_expires_hdr = 1;
	rq.cseq = 4;
	rq.cseq = 5;
	rq.star = 0;
	rq.ncontacts = 1;
	rq.has_expires_hdr = 0;
	rc |= ladder(reg, "register again", &rq, REG_REASON_OK);
	rc |= reads(reg);
	rq.cseq = 6;
	rq.star = 1;
	rq.ncontacts = 0;
	rq.has_expires_hdr = 1;
	rc |= ladder(reg, "star", &rq, REG_REASON_REMOVED);
	registrar_close(reg);
	(void)snprintf(path, sizeof(path), "%s/data.mdb", dir);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	(void)unlink(path);
	(void)rmdir(dir);
	return rc;
}
