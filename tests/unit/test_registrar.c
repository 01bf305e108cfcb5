/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_registrar.c: the registrar's suites: the fixture (a
 * fresh LMDB store in a temporary directory per test), reasons, expiry and
 * jitter, endpoint identities, the record format and the store.  The
 * REGISTER flows are in tests/registrar/test_handle.c.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "registrar/internal.h"

#include "tests/registrar/fixture.h"

char rt_dir[64];
struct registrar *rt_reg;
uint32_t rt_random;

static uint32_t
fixed_random(void *arg)
{
	(void)arg;
	return rt_random;
}

struct registrar *
rt_open_at(uint64_t now, unsigned max_endpoints, unsigned jitter)
{
	struct registrar_config cfg = {
		.expires_min = 60, .expires_default = 600,
		.expires_max = 3600, .max_endpoints = max_endpoints,
		.jitter = jitter, .store_dir = rt_dir,
	};
	struct registrar *r = NULL;

	CU_ASSERT_EQUAL_FATAL(registrar_open(&cfg, &reg_store_lmdb, now, &r),
	    0);
	registrar_set_random(r, fixed_random, NULL);
	return r;
}

static int
rt_fresh_store(void)
{
	(void)snprintf(rt_dir, sizeof(rt_dir), "/tmp/sipsa-reg-XXXXXX");
	if (mkdtemp(rt_dir) == NULL)
		return -1;
	rt_random = 0;
	rt_reg = rt_open_at(T0, 4, 0);
	return 0;
}

static void
rt_drop_store(void)
{
	char path[128];

	registrar_close(rt_reg);
	rt_reg = NULL;
	(void)snprintf(path, sizeof(path), "%s/data.mdb", rt_dir);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/lock.mdb", rt_dir);
	(void)unlink(path);
	(void)rmdir(rt_dir);
}

/* A REGISTER like SIPE's (sipe-client.md §2), varied per test. */
struct reg_req
rt_sipe_req(const struct reg_contact *c, size_t n, uint32_t cseq)
{
	struct reg_req rq = {
		.aor = AOR, .epid = EPID, .contacts = c, .ncontacts = n,
		.call_id = "A6A4gFA6AaD945i124Dm8757t2DF7bBE45xCA11x",
		.cseq = cseq, .transport = "tcp:127.0.0.1:51012",
		.conn_id = 7, .now = T0,
	};
	return rq;
}

const struct reg_contact rt_sipe_contact = {
	"sip:127.0.0.1:51012;transport=tcp;ms-opaque=d3470f2e1d",
	"<" INST ">", -1, 1000,
};

/* Run rq; check the reason and its status; leave the response in *rs. */
void
rt_expect(const struct reg_req *rq, enum reg_reason want,
    struct reg_resp *rs)
{
	const char *phrase;
	unsigned status = registrar_reason_status(want, &phrase);

	(void)registrar_handle(rt_reg, rq, rs);
	CU_ASSERT_EQUAL(rs->reason, want);
	if (rs->reason != want)
		fprintf(stderr, "\n  got %s, want %s\n",
		    registrar_reason_name(rs->reason),
		    registrar_reason_name(want));
	CU_ASSERT_EQUAL(rs->status, status);
	CU_ASSERT_STRING_EQUAL(rs->phrase, phrase);
}

void
rt_count_cb(const struct reg_binding *b, void *arg)
{
	(void)b;
	(*(unsigned *)arg)++;
}

unsigned
rt_live(const char *aor, uint64_t now)
{
	unsigned n = 0;

	CU_ASSERT_EQUAL(registrar_lookup(rt_reg, aor, now, rt_count_cb, &n),
	    0);
	return n;
}

static void
test_reason_table(void)
{
	static const unsigned want[REG_REASON_MAX] = {
		[REG_REASON_OK] = 200, [REG_REASON_REMOVED] = 200,
		[REG_REASON_QUERY] = 200, [REG_REASON_RETRANSMISSION] = 200,
		[REG_REASON_BAD_REQUEST] = 400, [REG_REASON_BAD_CONTACT] = 400,
		[REG_REASON_BAD_STAR] = 400, [REG_REASON_NO_ENDPOINT] = 400,
		[REG_REASON_DUP_ENDPOINT] = 400,
		[REG_REASON_INSTANCE_MISMATCH] = 403,
		[REG_REASON_TOO_MANY_ENDPOINTS] = 403,
		[REG_REASON_INTERVAL_TOO_BRIEF] = 423,
		[REG_REASON_OUT_OF_ORDER] = 500,
		[REG_REASON_STORE_ERROR] = 500, [REG_REASON_NO_MEMORY] = 500,
	};
	const char *phrase = NULL;
	int r;

	for (r = 0; r < REG_REASON_MAX; r++) {
		CU_ASSERT_EQUAL(registrar_reason_status(r, &phrase), want[r]);
		CU_ASSERT_PTR_NOT_NULL(phrase);
		CU_ASSERT(phrase != NULL && phrase[0] != '\0');
		CU_ASSERT_STRING_NOT_EQUAL(registrar_reason_name(r),
		    "UNKNOWN");
		/* Every refusal tells the client why, except 423 and 5xx
		   that have their own header or nothing to say. */
		if (want[r] == 400 || want[r] == 403)
			CU_ASSERT_PTR_NOT_NULL(registrar_reason_warning(r));
	}
	(void)registrar_reason_status(REG_REASON_INTERVAL_TOO_BRIEF, &phrase);
	CU_ASSERT_STRING_EQUAL(phrase, "Interval Too Brief");
	CU_ASSERT_EQUAL(registrar_reason_status(REG_REASON_MAX, &phrase), 500);
	CU_ASSERT_STRING_EQUAL(registrar_reason_name(REG_REASON_MAX),
	    "UNKNOWN");
}

static void
test_expiry_table(void)
{
	static const struct {
		long long	param;
		int		has_hdr;
		unsigned	hdr;
		enum reg_reason	reason;
		unsigned	granted;
	} rows[] = {
		{ -1, 0, 0, REG_REASON_OK, 600 },	/* default */
		{ -1, 1, 900, REG_REASON_OK, 900 },	/* header */
		{ 120, 1, 900, REG_REASON_OK, 120 },	/* param wins */
		{ 0, 1, 900, REG_REASON_OK, 0 },	/* param 0 removes */
		{ -1, 1, 0, REG_REASON_OK, 0 },		/* header 0 removes */
		{ 900, 1, 0, REG_REASON_OK, 900 },	/* param beats 0 hdr */
		{ 59, 0, 0, REG_REASON_INTERVAL_TOO_BRIEF, 0 },
		{ -1, 1, 1, REG_REASON_INTERVAL_TOO_BRIEF, 0 },
		{ 60, 0, 0, REG_REASON_OK, 60 },	/* min itself */
		{ 3600, 0, 0, REG_REASON_OK, 3600 },	/* max itself */
		{ 3601, 0, 0, REG_REASON_OK, 3600 },	/* cut to max */
		{ -1, 1, 4294967295u, REG_REASON_OK, 3600 },
		{ 99999999999ll, 0, 0, REG_REASON_OK, 3600 },
	};
	struct registrar_config cfg = { .expires_min = 60,
	    .expires_default = 600, .expires_max = 3600 };
	struct reg_contact c = { "sip:a@b", NULL, -1, 1000 };
	struct reg_req rq = { .aor = AOR };
	unsigned got, i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		c.expires = rows[i].param;
		rq.has_expires_hdr = rows[i].has_hdr;
		rq.expires_hdr = rows[i].hdr;
		CU_ASSERT_EQUAL(expiry_compute(&cfg, &rq, &c, &got),
		    rows[i].reason);
		CU_ASSERT_EQUAL(got, rows[i].granted);
	}
}

static void
test_jitter_bounds(void)
{
	static const uint32_t draws[] = { 0, 1, 0x12345678, 0x80000000u,
	    0xfffffffeu, 0xffffffffu };
	unsigned i, pct, g, prev;

	/* Off, zero, and the two ends of the range. */
	CU_ASSERT_EQUAL(expiry_jitter(600, 0, 60, 0xffffffffu), 600);
	CU_ASSERT_EQUAL(expiry_jitter(0, 20, 60, 0xffffffffu), 0);
	CU_ASSERT_EQUAL(expiry_jitter(600, 20, 60, 0), 600);
	CU_ASSERT_EQUAL(expiry_jitter(600, 20, 60, 0xffffffffu), 480);
	CU_ASSERT_EQUAL(expiry_jitter(600, 10, 60, 0xffffffffu), 540);
	/* Never below min, even with 50 % off a short interval. */
	CU_ASSERT_EQUAL(expiry_jitter(100, 50, 90, 0xffffffffu), 90);
	for (pct = 1; pct <= 50; pct += 7) {
		prev = 600;
		for (i = 0; i < sizeof(draws) / sizeof(draws[0]); i++) {
			g = expiry_jitter(600, pct, 60, draws[i]);
			CU_ASSERT(g <= 600 && g >= 600 - 600 * pct / 100);
			CU_ASSERT(g <= prev);	/* monotone in the draw */
			CU_ASSERT_EQUAL(g, expiry_jitter(600, pct, 60,
			    draws[i]));
			prev = g;
		}
	}
}

static void
test_instance_from_epid(void)
{
	/* [MS-SIPAE] §4.1, an OC R2 capture, SIPE 1.25 (sipe-client.md). */
	static const char *vec[][2] = {
		{ "01010101", "urn:uuid:4b1682a8-f968-5701-83fc-7c6741dc6697" },
		{ "8248ca9ebb",
		    "urn:uuid:4233fd41-093b-5fd6-b5d2-651ed55969e6" },
		{ "c8ca638a15",
		    "urn:uuid:34d859db-6585-5f91-a3b4-de853c15347d" },
		{ EPID, INST },
	};
	char buf[REG_INSTANCE_LEN + 1];
	size_t i;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		CU_ASSERT_EQUAL(registrar_instance_from_epid(vec[i][0], buf,
		    sizeof(buf)), 0);
		CU_ASSERT_STRING_EQUAL(buf, vec[i][1]);
	}
	CU_ASSERT_EQUAL(registrar_instance_from_epid("", buf, sizeof(buf)),
	    EINVAL);
	CU_ASSERT_EQUAL(registrar_instance_from_epid(EPID, buf, 10), EINVAL);
}

static void
test_expired_dropped_at_open(void)
{
	struct reg_contact c = rt_sipe_contact;
	struct reg_req rq = rt_sipe_req(&c, 1, 1);
	struct reg_resp rs;
	unsigned removed = 9;

	c.expires = 60;
	rt_expect(&rq, REG_REASON_OK, &rs);
	reg_resp_clear(&rs);
	c.expires = 3600;
	c.instance = NULL;
	rq.epid = "00000000aa";
	rt_expect(&rq, REG_REASON_OK, &rs);
	reg_resp_clear(&rs);
	rq.aor = "sip:user2@example.test";
	c.expires = 120;
	rt_expect(&rq, REG_REASON_OK, &rs);
	reg_resp_clear(&rs);
	/* Reopen 200 s later: the 60 s and 120 s bindings are gone from
	   the store itself, so even a lookup at the old time misses them. */
	registrar_close(rt_reg);
	rt_reg = rt_open_at(T0 + 200, 4, 0);
	CU_ASSERT_EQUAL(rt_live(AOR, T0), 1);
	CU_ASSERT_EQUAL(rt_live("sip:user2@example.test", T0), 0);
	CU_ASSERT_EQUAL(registrar_expire(rt_reg, T0 + 200, &removed), 0);
	CU_ASSERT_EQUAL(removed, 0);
	CU_ASSERT_EQUAL(registrar_expire(rt_reg, T0 + 3600, &removed), 0);
	CU_ASSERT_EQUAL(removed, 1);
	CU_ASSERT_EQUAL(rt_live(AOR, T0), 0);
}

static void
test_record_codec(void)
{
	struct reg_binding b = { (char *)"sip:a@b", (char *)INST,
	    (char *)EPID, (char *)"g", (char *)"cid", (char *)"udp:x",
	    42, 500, 9, T0, T0 + 60 };
	struct reg_blist l = { &b, 1 }, d;
	unsigned char *val, *copy;
	size_t len, i;

	CU_ASSERT_EQUAL_FATAL(record_encode(&l, &val, &len), 0);
	CU_ASSERT_EQUAL(val[0], REG_RECORD_V1);
	CU_ASSERT_EQUAL_FATAL(record_decode(val, len, &d), 0);
	CU_ASSERT_FATAL(d.n == 1);
	CU_ASSERT_STRING_EQUAL(d.b[0].uri, "sip:a@b");
	CU_ASSERT_STRING_EQUAL(d.b[0].transport, "udp:x");
	CU_ASSERT_EQUAL(d.b[0].cseq, 42);
	CU_ASSERT_EQUAL(d.b[0].q, 500);
	CU_ASSERT_EQUAL(d.b[0].conn_id, 9);
	CU_ASSERT_EQUAL(d.b[0].expires_at, T0 + 60);
	blist_clear(&d);
	/* Every truncation, a trailing byte and another version fail. */
	for (i = 0; i < len; i++)
		CU_ASSERT_EQUAL(record_decode(val, i, &d), EBADMSG);
	copy = malloc(len + 1);
	CU_ASSERT_FATAL(copy != NULL);
	memcpy(copy, val, len);
	copy[len] = 0;
	CU_ASSERT_EQUAL(record_decode(copy, len + 1, &d), EBADMSG);
	copy[0] = 2;
	CU_ASSERT_EQUAL(record_decode(copy, len, &d), EBADMSG);
	/* A count over the limit, or more than the bytes can hold. */
	copy[0] = REG_RECORD_V1;
	copy[1] = 0x03;
	copy[2] = 0xe9;			/* 1001 */
	CU_ASSERT_EQUAL(record_decode(copy, len, &d), EBADMSG);
	copy[1] = 0;
	copy[2] = 2;
	CU_ASSERT_EQUAL(record_decode(copy, len, &d), EBADMSG);
	free(copy);
	free(val);
}

static void
test_bad_record_in_store(void)
{
	struct registrar *r = rt_reg;
	struct reg_req rq = rt_sipe_req(&rt_sipe_contact, 1, 1);
	struct reg_resp rs;
	unsigned char junk[] = { 9, 1, 2, 3 };
	unsigned removed;

	CU_ASSERT_EQUAL(r->ops->put(r->st, AOR, junk, sizeof(junk)), 0);
	rt_expect(&rq, REG_REASON_STORE_ERROR, &rs);
	CU_ASSERT_EQUAL(rs.nbindings, 0);
	reg_resp_clear(&rs);
	CU_ASSERT_EQUAL(registrar_lookup(rt_reg, AOR, T0, rt_count_cb,
	    &removed), EBADMSG);
	/* The sweep keeps what it cannot read. */
	CU_ASSERT_EQUAL(registrar_expire(rt_reg, T0 + 99999, &removed), 0);
	CU_ASSERT_EQUAL(removed, 0);
	CU_ASSERT_EQUAL(r->ops->del(r->st, AOR), 0);
	CU_ASSERT_EQUAL(r->ops->del(r->st, AOR), ENOENT);
}

/* The lighter sync modes keep what they committed across a reopen. */
static void
test_sync_modes(void)
{
	struct registrar_config cfg = {
		.expires_min = 60, .expires_default = 600,
		.expires_max = 3600, .max_endpoints = 4, .store_dir = rt_dir,
	};
	struct reg_req rq = rt_sipe_req(&rt_sipe_contact, 1, 1);
	struct reg_resp rs;
	enum reg_sync modes[] = { REG_SYNC_META, REG_SYNC_NONE };
	size_t i;

	for (i = 0; i < 2; i++) {
		registrar_close(rt_reg);
		rt_reg = NULL;
		cfg.store.sync = modes[i];
		CU_ASSERT_EQUAL_FATAL(registrar_open(&cfg, &reg_store_lmdb, T0,
		    &rt_reg), 0);
		rq.cseq = (uint32_t)(i + 1);
		rq.now = T0 + i;
		rt_expect(&rq, REG_REASON_OK, &rs);
		reg_resp_clear(&rs);
		CU_ASSERT_EQUAL(registrar_sync(rt_reg), 0);
		registrar_close(rt_reg);
		rt_reg = rt_open_at(T0, 4, 0);
		CU_ASSERT_EQUAL(rt_live(AOR, T0 + i), 1);
	}
}

/* The store directory is created when missing (not its parents). */
static void
test_creates_directory(void)
{
	struct registrar_config cfg = {
		.expires_min = 60, .expires_default = 600,
		.expires_max = 3600, .max_endpoints = 1000,
	};
	struct registrar *r = NULL;
	char sub[128], path[160];
	struct stat st;

	(void)snprintf(sub, sizeof(sub), "%s/bindings", rt_dir);
	cfg.store_dir = sub;
	CU_ASSERT_EQUAL_FATAL(registrar_open(&cfg, &reg_store_lmdb, T0, &r),
	    0);
	CU_ASSERT(stat(sub, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 077) == 0);
	registrar_close(r);
	(void)snprintf(path, sizeof(path), "%s/data.mdb", sub);
	CU_ASSERT_EQUAL(unlink(path), 0);
	(void)snprintf(path, sizeof(path), "%s/lock.mdb", sub);
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(rmdir(sub), 0);
}

static void
test_bad_config(void)
{
	struct registrar_config cfg = {
		.expires_min = 600, .expires_default = 60,
		.expires_max = 3600, .max_endpoints = 4, .store_dir = rt_dir,
	};
	struct registrar *r = (struct registrar *)1;

	CU_ASSERT_EQUAL(registrar_open(&cfg, &reg_store_lmdb, T0, &r), EINVAL);
	CU_ASSERT_PTR_NULL(r);
	cfg.expires_default = 600;
	cfg.max_endpoints = 0;
	CU_ASSERT_EQUAL(registrar_open(&cfg, &reg_store_lmdb, T0, &r), EINVAL);
	cfg.max_endpoints = 4;
	cfg.store.sync = (enum reg_sync)7;
	CU_ASSERT_EQUAL(registrar_open(&cfg, &reg_store_lmdb, T0, &r), EINVAL);
	cfg.store.sync = REG_SYNC_FULL;
	cfg.store_dir = "/nonexistent/sipsa-registrar";
	CU_ASSERT_NOT_EQUAL(registrar_open(&cfg, &reg_store_lmdb, T0, &r), 0);
	CU_ASSERT_PTR_NULL(r);
}

static int
suite_init(void)
{
	return 0;
}

static int
suite_clean(void)
{
	return 0;
}

static void
setup(void)
{
	if (rt_fresh_store() != 0)
		CU_FAIL_FATAL("mkdtemp");
}

static void
teardown(void)
{
	rt_drop_store();
}

static CU_TestInfo pure_tests[] = {
	{ "reason_table", test_reason_table },
	{ "expiry_table", test_expiry_table },
	{ "jitter_bounds", test_jitter_bounds },
	{ "instance_from_epid", test_instance_from_epid },
	{ "record_codec", test_record_codec },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo store_tests[] = {
	{ "sipe_register", rt_test_sipe_register },
	{ "expires_in_handle", rt_test_expires_in_handle },
	{ "jitter_in_handle", rt_test_jitter_in_handle },
	{ "endpoint_cap", rt_test_endpoint_cap },
	{ "remove_and_query", rt_test_remove_and_query },
	{ "star", rt_test_star },
	{ "cseq_order", rt_test_cseq_order },
	{ "bad_requests", rt_test_bad_requests },
	{ "identities", rt_test_identities },
	{ "lookup_q_order", rt_test_lookup_q_order },
	{ "lookup_gruu", rt_test_lookup_gruu },
	{ "refresh_in_memory", rt_test_refresh_in_memory },
	{ "refresh_other_changes", rt_test_refresh_other_changes },
	{ "refresh_bound_setting", rt_test_refresh_bound_setting },
	{ "refresh_after_kill", rt_test_refresh_after_kill },
	{ "expired_dropped_at_open", test_expired_dropped_at_open },
	{ "bad_record_in_store", test_bad_record_in_store },
	{ "sync_modes", test_sync_modes },
	{ "creates_directory", test_creates_directory },
	{ "bad_config", test_bad_config },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo registrar_suites[] = {
	{ "registrar", suite_init, suite_clean, NULL, NULL, pure_tests },
	{ "registrar_store", suite_init, suite_clean, setup, teardown,
	    store_tests },
	CU_SUITE_INFO_NULL,
};
