/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/registrar/test_refresh.c: refreshes that only move an expiry stay
 * in memory while the stored expiry keeps the binding alive long enough
 * (refresh_durable); every other change is written.  Store writes are
 * counted through a wrapper around the LMDB backend, and a writer killed
 * with SIGKILL shows what a crash keeps (suites in
 * tests/unit/test_registrar.c).
 */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "registrar/internal.h"
#include "tests/registrar/fixture.h"

static unsigned long writes;	/* puts and dels that reached the store */

static int
counting_put(void *st, const char *aor, const unsigned char *val,
    size_t len)
{
	writes++;
	return reg_store_lmdb.put(st, aor, val, len);
}

static int
counting_del(void *st, const char *aor)
{
	writes++;
	return reg_store_lmdb.del(st, aor);
}

static struct reg_store_ops counting;

/* rt_reg reopened on rt_dir at now, store writes counted. */
static void
open_counting(uint64_t now, unsigned pct)
{
	struct registrar_config cfg = {
		.expires_min = 60, .expires_default = 600,
		.expires_max = 3600, .max_endpoints = 4,
		.refresh_durable = pct, .store_dir = rt_dir,
	};

	counting = reg_store_lmdb;
	counting.put = counting_put;
	counting.del = counting_del;
	registrar_close(rt_reg);
	rt_reg = NULL;
	CU_ASSERT_EQUAL_FATAL(registrar_open(&cfg, &counting, now, &rt_reg),
	    0);
	writes = 0;
}

/* REGISTER rq at now; 200 expected; returns the store writes it made. */
static unsigned long
reg_at(struct reg_req *rq, uint64_t now, uint32_t cseq)
{
	struct reg_resp rs;
	unsigned long before = writes;

	rq->now = now;
	rq->cseq = cseq;
	(void)registrar_handle(rt_reg, rq, &rs);
	CU_ASSERT_EQUAL(rs.status, 200);
	reg_resp_clear(&rs);
	return writes - before;
}

/* The expires_at of aor's binding i as the store holds it, or 0. */
static uint64_t
stored_expiry(const char *aor, size_t i)
{
	struct reg_blist l;
	unsigned char *val = NULL;
	size_t len = 0;
	uint64_t e = 0;

	if (rt_reg->ops->get(rt_reg->st, aor, &val, &len) != 0)
		return 0;
	if (record_decode(val, len, &l) == 0 && i < l.n)
		e = l.b[i].expires_at;
	blist_clear(&l);
	free(val);
	return e;
}

static void
expiry_cb(const struct reg_binding *b, void *arg)
{
	*(uint64_t *)arg = b->expires_at;
}

/* The expires_at lookups see for aor's (only) binding at now, or 0. */
static uint64_t
live_expiry(const char *aor, uint64_t now)
{
	uint64_t e = 0;

	CU_ASSERT_EQUAL(registrar_lookup(rt_reg, aor, now, expiry_cb, &e), 0);
	return e;
}

static int
list_cb(const char *aor, const struct reg_binding *b, void *arg)
{
	(void)aor;
	*(uint64_t *)arg = b->expires_at;
	return 0;
}

/*
 * Within the bound (50 %): the stored expiry T0+600 still gives a binding
 * refreshed at T0+100 for 600 s 500 s of its 600, so nothing is written;
 * lookups, the binding list, the 200 and the sweep use T0+700.  At T0+400
 * the store would keep only 200 of 600 s: written.
 */
void
rt_test_refresh_in_memory(void)
{
	struct reg_req rq = rt_sipe_req(&rt_sipe_contact, 1, 1);
	struct reg_resp rs;
	uint64_t listed = 0;
	unsigned removed = 9;

	open_counting(T0, 0);
	CU_ASSERT_EQUAL(reg_at(&rq, T0, 1), 1);
	CU_ASSERT_EQUAL(stored_expiry(AOR, 0), T0 + 600);
	/* Expiry only, within the bound: no write. */
	rq.now = T0 + 100;
	rq.cseq = 2;
	(void)registrar_handle(rt_reg, &rq, &rs);
	CU_ASSERT_EQUAL(rs.reason, REG_REASON_OK);
	CU_ASSERT_EQUAL(rs.expires, 600);
	CU_ASSERT_FATAL(rs.nbindings == 1);
	CU_ASSERT_EQUAL(rs.bindings[0].expires_at, T0 + 700);
	CU_ASSERT(strstr(rs.contact_hdrs[0], ";expires=600;") != NULL);
	reg_resp_clear(&rs);
	CU_ASSERT_EQUAL(writes, 1);
	CU_ASSERT_EQUAL(stored_expiry(AOR, 0), T0 + 600);
	CU_ASSERT_EQUAL(live_expiry(AOR, T0 + 650), T0 + 700);
	CU_ASSERT_EQUAL(registrar_foreach_binding(rt_reg, T0 + 650, list_cb,
	    &listed), 0);
	CU_ASSERT_EQUAL(listed, T0 + 700);
	/* The sweep goes by the expiry in memory. */
	CU_ASSERT_EQUAL(registrar_expire(rt_reg, T0 + 650, &removed), 0);
	CU_ASSERT_EQUAL(removed, 0);
	CU_ASSERT_EQUAL(rt_live(AOR, T0 + 650), 1);
	/* The same CSeq again is a retransmission: no write either. */
	rt_expect(&rq, REG_REASON_RETRANSMISSION, &rs);
	CU_ASSERT_EQUAL(rs.expires, 600);
	reg_resp_clear(&rs);
	/* A lower one is still out of order. */
	rq.cseq = 1;
	rt_expect(&rq, REG_REASON_OUT_OF_ORDER, &rs);
	reg_resp_clear(&rs);
	CU_ASSERT_EQUAL(writes, 1);
	/* Beyond the bound: written, and the store catches up. */
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 400, 3), 1);
	CU_ASSERT_EQUAL(stored_expiry(AOR, 0), T0 + 1000);
	CU_ASSERT_EQUAL(live_expiry(AOR, T0 + 400), T0 + 1000);
	/* The boundary: 300 of 600 s left in the store is enough. */
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 700, 4), 0);
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 701, 5), 1);
	CU_ASSERT_EQUAL(stored_expiry(AOR, 0), T0 + 1301);
	/* Expiry by the sweep, after the time in memory: written. */
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 800, 6), 0);
	CU_ASSERT_EQUAL(registrar_expire(rt_reg, T0 + 1399, &removed), 0);
	CU_ASSERT_EQUAL(removed, 0);
	CU_ASSERT_EQUAL(registrar_expire(rt_reg, T0 + 1400, &removed), 0);
	CU_ASSERT_EQUAL(removed, 1);
	CU_ASSERT_EQUAL(stored_expiry(AOR, 0), 0);
	CU_ASSERT_EQUAL(rt_live(AOR, T0 + 1000), 0);
}

/* Anything but expiry and CSeq is written, within the bound or not. */
void
rt_test_refresh_other_changes(void)
{
	struct reg_contact c[2] = { rt_sipe_contact, rt_sipe_contact };
	struct reg_req rq = rt_sipe_req(c, 1, 1);
	uint32_t cseq = 1;

	open_counting(T0, 0);
	CU_ASSERT_EQUAL(reg_at(&rq, T0, cseq++), 1);
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 1, cseq++), 0);
	/* Another URI. */
	c[0].uri = "sip:127.0.0.1:51013;transport=tcp;ms-opaque=d3470f2e1d";
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 2, cseq++), 1);
	/* Another connection, transport, q, Call-ID. */
	rq.conn_id = 8;
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 3, cseq++), 1);
	rq.transport = "tcp:127.0.0.1:51013";
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 4, cseq++), 1);
	c[0].q = 500;
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 5, cseq++), 1);
	rq.call_id = "another-call-id";
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 6, cseq++), 1);
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 7, cseq++), 0);
	/* A second endpoint: written; both refreshed: not. */
	c[1].instance = "<urn:uuid:00000000-0000-4000-8000-000000000001>";
	c[1].uri = "sip:127.0.0.1:6000;transport=tcp";
	rq.epid = NULL;
	rq.ncontacts = 2;
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 8, cseq++), 1);
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 9, cseq++), 0);
	CU_ASSERT_EQUAL(rt_live(AOR, T0 + 9), 2);
	/* A shorter interval than stored would outlive it: written. */
	c[0].expires = 300;
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 10, cseq++), 1);
	CU_ASSERT_EQUAL(stored_expiry(AOR, 0) + stored_expiry(AOR, 1),
	    2 * T0 + 310 + 610);
	c[0].expires = -1;
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 11, cseq++), 1);
	/* Removal with Expires 0. */
	c[1].expires = 0;
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 12, cseq++), 1);
	CU_ASSERT_EQUAL(rt_live(AOR, T0 + 12), 1);
	/* sipsactl binding drop after a refresh kept in memory. */
	rq.ncontacts = 1;
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 13, cseq++), 0);
	{
		unsigned n = 0;

		CU_ASSERT_EQUAL(registrar_remove(rt_reg, AOR, NULL, T0 + 13,
		    NULL, NULL, &n), 0);
		CU_ASSERT_EQUAL(n, 1);
	}
	CU_ASSERT_EQUAL(stored_expiry(AOR, 0), 0);
	CU_ASSERT_EQUAL(rt_live(AOR, T0 + 13), 0);
	CU_ASSERT_EQUAL(rt_reg->pend.count, 0);
}

/* 100 % writes every moved expiry; the bound applies on reload too. */
void
rt_test_refresh_bound_setting(void)
{
	struct registrar_config cfg = {
		.expires_min = 60, .expires_default = 600,
		.expires_max = 3600, .max_endpoints = 4,
	};
	struct reg_req rq = rt_sipe_req(&rt_sipe_contact, 1, 1);

	open_counting(T0, 100);
	CU_ASSERT_EQUAL(reg_at(&rq, T0, 1), 1);
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 1, 2), 1);
	/* Same second, same expiry: only the CSeq moved. */
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 1, 3), 0);
	cfg.refresh_durable = 101;
	CU_ASSERT_EQUAL(registrar_reconfigure(rt_reg, &cfg), EINVAL);
	cfg.refresh_durable = 10;
	CU_ASSERT_EQUAL(registrar_reconfigure(rt_reg, &cfg), 0);
	/* 10 %: 60 of 600 s left in the store is enough. */
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 541, 4), 0);
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 542, 5), 1);
}

/*
 * What a crash keeps: a writer registers at T0, refreshes at T0+100
 * (kept in memory) and is killed with SIGKILL.  Reopened, the store has
 * the binding until T0+600: at least half of the 600 s granted at T0+100.
 * A clean close writes the refresh.
 */
void
rt_test_refresh_after_kill(void)
{
	struct reg_req rq = rt_sipe_req(&rt_sipe_contact, 1, 1);
	int fds[2], status;
	char ok = 0;
	pid_t pid;

	registrar_close(rt_reg);
	rt_reg = NULL;
	CU_ASSERT_FATAL(pipe(fds) == 0);
	if ((pid = fork()) == 0) {
		(void)close(fds[0]);
		open_counting(T0, 50);
		/* Anything else than a reported refresh in memory ends the
		   child, and the parent reads end of file. */
		if (reg_at(&rq, T0, 1) != 1 ||
		    reg_at(&rq, T0 + 100, 2) != 0 || write(fds[1], "y", 1) != 1)
			_exit(1);
		for (;;)
			(void)pause();
	}
	CU_ASSERT_FATAL(pid > 0);
	(void)close(fds[1]);
	CU_ASSERT(read(fds[0], &ok, 1) == 1 && ok == 'y');
	(void)close(fds[0]);
	(void)kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	open_counting(T0 + 100, 50);
	CU_ASSERT_EQUAL(live_expiry(AOR, T0 + 100), T0 + 600);
	CU_ASSERT(live_expiry(AOR, T0 + 100) >= T0 + 100 + 600 / 2);
	/* The same refresh, then a clean close: written at close. */
	CU_ASSERT_EQUAL(reg_at(&rq, T0 + 100, 2), 0);
	CU_ASSERT_EQUAL(stored_expiry(AOR, 0), T0 + 600);
	open_counting(T0 + 100, 50);
	CU_ASSERT_EQUAL(stored_expiry(AOR, 0), T0 + 700);
	CU_ASSERT_EQUAL(live_expiry(AOR, T0 + 100), T0 + 700);
}
