/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/registrar/test_handle.c: registrar_handle() end to end on a real
 * store: SIPE's REGISTER, expiry in the response, jitter, the endpoint
 * cap, removal and query, "*", Call-ID/CSeq ordering, refusals and
 * endpoint identities (suites in tests/unit/test_registrar.c).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "registrar/internal.h"
#include "tests/registrar/fixture.h"

void
rt_test_sipe_register(void)
{
	struct reg_req rq = rt_sipe_req(&rt_sipe_contact, 1, 3);
	struct reg_resp rs;

	rt_expect(&rq, REG_REASON_OK, &rs);
	CU_ASSERT_EQUAL(rs.expires, 600);
	CU_ASSERT_EQUAL_FATAL(rs.nbindings, 1);
	CU_ASSERT_STRING_EQUAL(rs.bindings[0].instance, INST);
	CU_ASSERT_STRING_EQUAL(rs.bindings[0].epid, EPID);
	CU_ASSERT_EQUAL(rs.bindings[0].conn_id, 7);
	CU_ASSERT_STRING_EQUAL(rs.bindings[0].transport, "tcp:127.0.0.1:51012");
	CU_ASSERT_STRING_EQUAL(rs.bindings[0].gruu, "sip:user1@example.test;"
	    "opaque=user:epid:b2e11dcf-e174-5e2b-9651-1dcb046c4b91;gruu");
	CU_ASSERT_STRING_EQUAL(rs.contact_hdrs[0],
	    "<sip:127.0.0.1:51012;transport=tcp;ms-opaque=d3470f2e1d>;"
	    "expires=600;+sip.instance=\"<" INST ">\";gruu=\"sip:user1@"
	    "example.test;opaque=user:epid:b2e11dcf-e174-5e2b-9651-"
	    "1dcb046c4b91;gruu\"");
	reg_resp_clear(&rs);
	CU_ASSERT_EQUAL(rt_live(AOR, T0), 1);
	CU_ASSERT_EQUAL(rt_live(AOR, T0 + 599), 1);
	CU_ASSERT_EQUAL(rt_live(AOR, T0 + 600), 0);
	CU_ASSERT_EQUAL(rt_live("sip:other@example.test", T0), 0);
}

void
rt_test_expires_in_handle(void)
{
	struct reg_contact c = rt_sipe_contact;
	struct reg_req rq = rt_sipe_req(&c, 1, 1);
	struct reg_resp rs;

	/* Below min: 423 with Min-Expires, nothing stored. */
	c.expires = 30;
	rt_expect(&rq, REG_REASON_INTERVAL_TOO_BRIEF, &rs);
	CU_ASSERT_EQUAL(rs.min_expires, 60);
	CU_ASSERT_EQUAL(rs.nbindings, 0);
	CU_ASSERT_PTR_NULL(rs.warning);
	reg_resp_clear(&rs);
	CU_ASSERT_EQUAL(rt_live(AOR, T0), 0);
	/* Above max: cut, with the Contact's expires= telling the truth. */
	c.expires = 7200;
	rq.cseq = 2;
	rt_expect(&rq, REG_REASON_OK, &rs);
	CU_ASSERT_EQUAL(rs.expires, 3600);
	CU_ASSERT_EQUAL(rs.min_expires, 0);
	CU_ASSERT_FATAL(rs.nbindings == 1);
	CU_ASSERT(strstr(rs.contact_hdrs[0], ";expires=3600;") != NULL);
	reg_resp_clear(&rs);
	/* Header only. */
	c.expires = -1;
	rq.has_expires_hdr = 1;
	rq.expires_hdr = 900;
	rq.cseq = 3;
	rt_expect(&rq, REG_REASON_OK, &rs);
	CU_ASSERT_EQUAL(rs.expires, 900);
	reg_resp_clear(&rs);
}

void
rt_test_jitter_in_handle(void)
{
	struct reg_req rq = rt_sipe_req(&rt_sipe_contact, 1, 1);
	struct reg_resp rs;

	registrar_close(rt_reg);
	rt_reg = rt_open_at(T0, 4, 20);
	rt_random = 0xffffffffu;
	rt_expect(&rq, REG_REASON_OK, &rs);
	CU_ASSERT_EQUAL(rs.expires, 480);
	CU_ASSERT_FATAL(rs.nbindings == 1);
	CU_ASSERT_EQUAL(rs.bindings[0].expires_at, T0 + 480);
	reg_resp_clear(&rs);
	rt_random = 0x80000000u;
	rq.cseq = 2;
	rt_expect(&rq, REG_REASON_OK, &rs);
	CU_ASSERT(rs.expires > 480 && rs.expires < 600);
	reg_resp_clear(&rs);
}


void
rt_test_endpoint_cap(void)
{
	static const char *epids[] = { "0000000001", "0000000002",
	    "0000000003" };
	struct reg_contact c = { "sip:10.0.0.1:5060;transport=tcp", NULL,
	    -1, 1000 };
	struct reg_req rq = rt_sipe_req(&c, 1, 1);
	struct reg_resp rs;
	size_t i;

	registrar_close(rt_reg);
	rt_reg = rt_open_at(T0, 2, 0);
	for (i = 0; i < 3; i++) {
		rq.epid = epids[i];
		rt_expect(&rq, i < 2 ? REG_REASON_OK :
		    REG_REASON_TOO_MANY_ENDPOINTS, &rs);
		reg_resp_clear(&rs);
	}
	CU_ASSERT_STRING_EQUAL(registrar_reason_warning(
	    REG_REASON_TOO_MANY_ENDPOINTS),
	    "Too many endpoints registered for this user");
	CU_ASSERT_EQUAL(rt_live(AOR, T0), 2);
	/* Known endpoints still refresh at the cap. */
	rq.epid = epids[0];
	rq.cseq = 2;
	rt_expect(&rq, REG_REASON_OK, &rs);
	CU_ASSERT_EQUAL(rs.nbindings, 2);
	reg_resp_clear(&rs);
	/* One leaves, the third gets in. */
	c.expires = 0;
	rq.cseq = 3;
	rt_expect(&rq, REG_REASON_REMOVED, &rs);
	reg_resp_clear(&rs);
	c.expires = -1;
	rq.epid = epids[2];
	rq.cseq = 4;
	rt_expect(&rq, REG_REASON_OK, &rs);
	CU_ASSERT_EQUAL(rs.nbindings, 2);
	reg_resp_clear(&rs);
	/* Once the others expire, a new one fits again. */
	rq.epid = epids[0];
	rq.now = T0 + 601;
	rq.cseq = 5;
	rt_expect(&rq, REG_REASON_OK, &rs);
	reg_resp_clear(&rs);
}

void
rt_test_remove_and_query(void)
{
	struct reg_contact c = rt_sipe_contact;
	struct reg_req rq = rt_sipe_req(&c, 1, 3);
	struct reg_req q = rt_sipe_req(NULL, 0, 10);
	struct reg_resp rs;

	rt_expect(&rq, REG_REASON_OK, &rs);
	reg_resp_clear(&rs);
	/* Query 100 s later: bindings listed, Expires is the time left. */
	q.now = T0 + 100;
	rt_expect(&q, REG_REASON_QUERY, &rs);
	CU_ASSERT_EQUAL(rs.expires, 500);
	CU_ASSERT_FATAL(rs.nbindings == 1);
	CU_ASSERT(strstr(rs.contact_hdrs[0], ";expires=500;") != NULL);
	reg_resp_clear(&rs);
	/* SIPE signs off: Expires: 0 header, same Contact, CSeq 4. */
	rq.has_expires_hdr = 1;
	rq.expires_hdr = 0;
	rq.cseq = 4;
	rt_expect(&rq, REG_REASON_REMOVED, &rs);
	CU_ASSERT_EQUAL(rs.expires, 0);
	CU_ASSERT_EQUAL(rs.nbindings, 0);
	reg_resp_clear(&rs);
	CU_ASSERT_EQUAL(rt_live(AOR, T0), 0);
	/* Removing what is not there is fine. */
	rq.cseq = 5;
	rt_expect(&rq, REG_REASON_REMOVED, &rs);
	reg_resp_clear(&rs);
	/* An empty query. */
	rt_expect(&q, REG_REASON_QUERY, &rs);
	CU_ASSERT_EQUAL(rs.expires, 0);
	CU_ASSERT_EQUAL(rs.nbindings, 0);
	reg_resp_clear(&rs);
}

void
rt_test_star(void)
{
	struct reg_contact c = { "sip:10.0.0.1:5060", NULL, -1, 1000 };
	struct reg_req rq = rt_sipe_req(&c, 1, 1);
	struct reg_req star = rt_sipe_req(NULL, 0, 2);
	struct reg_resp rs;

	rt_expect(&rq, REG_REASON_OK, &rs);
	reg_resp_clear(&rs);
	rq.epid = "0000000009";
	rq.call_id = "other-call-id";
	rt_expect(&rq, REG_REASON_OK, &rs);
	CU_ASSERT_EQUAL(rs.nbindings, 2);
	reg_resp_clear(&rs);
	/* "*" needs Expires: 0 ... */
	star.star = 1;
	rt_expect(&star, REG_REASON_BAD_STAR, &rs);
	reg_resp_clear(&rs);
	star.has_expires_hdr = 1;
	star.expires_hdr = 600;
	rt_expect(&star, REG_REASON_BAD_STAR, &rs);
	reg_resp_clear(&rs);
	/* ... and no other Contact. */
	star.expires_hdr = 0;
	star.contacts = &c;
	star.ncontacts = 1;
	rt_expect(&star, REG_REASON_BAD_STAR, &rs);
	reg_resp_clear(&rs);
	CU_ASSERT_EQUAL(rt_live(AOR, T0), 2);
	/* Lower CSeq than a binding of the same Call-ID: refused. */
	star.contacts = NULL;
	star.ncontacts = 0;
	star.call_id = "other-call-id";
	star.cseq = 0;
	rt_expect(&star, REG_REASON_OUT_OF_ORDER, &rs);
	reg_resp_clear(&rs);
	CU_ASSERT_EQUAL(rt_live(AOR, T0), 2);
	star.cseq = 2;
	rt_expect(&star, REG_REASON_REMOVED, &rs);
	CU_ASSERT_EQUAL(rs.nbindings, 0);
	reg_resp_clear(&rs);
	CU_ASSERT_EQUAL(rt_live(AOR, T0), 0);
}

void
rt_test_cseq_order(void)
{
	struct reg_contact c = rt_sipe_contact;
	struct reg_req rq = rt_sipe_req(&c, 1, 5);
	struct reg_resp rs;

	rt_expect(&rq, REG_REASON_OK, &rs);
	reg_resp_clear(&rs);
	/* Same Call-ID, same CSeq: a retransmission, answered alike. */
	rq.now = T0 + 10;
	c.uri = "sip:changed@10.9.9.9";
	rt_expect(&rq, REG_REASON_RETRANSMISSION, &rs);
	CU_ASSERT_EQUAL(rs.expires, 590);
	CU_ASSERT_FATAL(rs.nbindings == 1);
	CU_ASSERT_STRING_EQUAL(rs.bindings[0].uri, rt_sipe_contact.uri);
	reg_resp_clear(&rs);
	/* Lower CSeq: out of order, binding untouched. */
	rq.cseq = 4;
	rt_expect(&rq, REG_REASON_OUT_OF_ORDER, &rs);
	CU_ASSERT_EQUAL(rs.nbindings, 0);
	CU_ASSERT_PTR_NOT_NULL(rs.warning);
	reg_resp_clear(&rs);
	/* A new Call-ID (client restarted) may start low. */
	rq.call_id = "new-call-id";
	rq.cseq = 1;
	rt_expect(&rq, REG_REASON_OK, &rs);
	CU_ASSERT_FATAL(rs.nbindings == 1);
	CU_ASSERT_STRING_EQUAL(rs.bindings[0].uri, "sip:changed@10.9.9.9");
	CU_ASSERT_EQUAL(rs.bindings[0].registered, T0);
	CU_ASSERT_EQUAL(rs.bindings[0].expires_at, T0 + 610);
	reg_resp_clear(&rs);
}

void
rt_test_bad_requests(void)
{
	struct reg_contact c = rt_sipe_contact;
	struct reg_contact two[2] = { rt_sipe_contact, rt_sipe_contact };
	struct reg_req rq = rt_sipe_req(&c, 1, 1);
	struct reg_resp rs;
	static const char *bad_uris[] = { "http://x", "sip:", "sips:",
	    "sip:a b", "sip:<x>", "sip:@host", "tel:+1555", "" };
	size_t i;

	rq.aor = NULL;
	rt_expect(&rq, REG_REASON_BAD_REQUEST, &rs);
	reg_resp_clear(&rs);
	rq.aor = "sip:nouser";
	rt_expect(&rq, REG_REASON_BAD_REQUEST, &rs);
	reg_resp_clear(&rs);
	rq.aor = AOR;
	rq.call_id = "";
	rt_expect(&rq, REG_REASON_BAD_REQUEST, &rs);
	reg_resp_clear(&rs);
	rq.call_id = "c";
	rq.epid = "bad epid";
	rt_expect(&rq, REG_REASON_BAD_REQUEST, &rs);
	reg_resp_clear(&rs);
	rq.epid = EPID;
	for (i = 0; i < sizeof(bad_uris) / sizeof(bad_uris[0]); i++) {
		c.uri = bad_uris[i];
		rt_expect(&rq, REG_REASON_BAD_CONTACT, &rs);
		reg_resp_clear(&rs);
	}
	c.uri = rt_sipe_contact.uri;
	c.q = 1001;
	rt_expect(&rq, REG_REASON_BAD_CONTACT, &rs);
	reg_resp_clear(&rs);
	c.q = 1000;
	c.instance = "<urn:uuid:bad\"char>";
	rt_expect(&rq, REG_REASON_BAD_CONTACT, &rs);
	reg_resp_clear(&rs);
	/* An instance that is not the epid's. */
	c.instance = "<urn:uuid:4b1682a8-f968-5701-83fc-7c6741dc6697>";
	rt_expect(&rq, REG_REASON_INSTANCE_MISMATCH, &rs);
	reg_resp_clear(&rs);
	/* Neither identity. */
	c.instance = NULL;
	rq.epid = NULL;
	rt_expect(&rq, REG_REASON_NO_ENDPOINT, &rs);
	reg_resp_clear(&rs);
	/* Two Contacts, one endpoint. */
	rq.epid = EPID;
	rq.contacts = two;
	rq.ncontacts = 2;
	rt_expect(&rq, REG_REASON_DUP_ENDPOINT, &rs);
	reg_resp_clear(&rs);
	rq.ncontacts = REG_MAX_CONTACTS + 1;
	rt_expect(&rq, REG_REASON_BAD_CONTACT, &rs);
	reg_resp_clear(&rs);
	CU_ASSERT_EQUAL(rt_live(AOR, T0), 0);
}

void
rt_test_identities(void)
{
	struct reg_contact c = rt_sipe_contact;
	struct reg_req rq = rt_sipe_req(&c, 1, 1);
	struct reg_resp rs;

	/* +sip.instance alone (a non-MS client): key and GRUU from it. */
	rq.epid = NULL;
	c.instance = "\"<URN:UUID:B2E11DCF-E174-5E2B-9651-1DCB046C4B91>\"";
	rt_expect(&rq, REG_REASON_OK, &rs);
	CU_ASSERT_FATAL(rs.nbindings == 1);
	CU_ASSERT_STRING_EQUAL(rs.bindings[0].instance, INST);
	CU_ASSERT_STRING_EQUAL(rs.bindings[0].epid, "");
	CU_ASSERT(strstr(rs.contact_hdrs[0], ";gruu=\"") != NULL);
	reg_resp_clear(&rs);
	/* epid alone: same endpoint (derived instance), no GRUU offered. */
	rq.epid = EPID;
	c.instance = NULL;
	rq.cseq = 2;
	rt_expect(&rq, REG_REASON_OK, &rs);
	CU_ASSERT_FATAL(rs.nbindings == 1);
	CU_ASSERT_STRING_EQUAL(rs.bindings[0].instance, INST);
	CU_ASSERT_STRING_EQUAL(rs.bindings[0].gruu, "");
	CU_ASSERT_STRING_EQUAL(rs.contact_hdrs[0], "<sip:127.0.0.1:51012;"
	    "transport=tcp;ms-opaque=d3470f2e1d>;expires=600");
	reg_resp_clear(&rs);
}

static void
q_order_cb(const struct reg_binding *b, void *arg)
{
	unsigned *last = arg;

	CU_ASSERT(b->q <= *last);
	*last = b->q;
}

void
rt_test_lookup_q_order(void)
{
	static const unsigned qs[] = { 100, 900, 500 };
	static const char *epids[] = { "0a", "0b", "0c" };
	struct reg_contact c = { "sip:10.0.0.1", NULL, -1, 0 };
	struct reg_req rq = rt_sipe_req(&c, 1, 1);
	struct reg_resp rs;
	unsigned last = 1000;
	size_t i;

	for (i = 0; i < 3; i++) {
		c.q = qs[i];
		rq.epid = epids[i];
		rt_expect(&rq, REG_REASON_OK, &rs);
		reg_resp_clear(&rs);
	}
	CU_ASSERT_EQUAL(registrar_lookup(rt_reg, AOR, T0, q_order_cb, &last),
	    0);
	CU_ASSERT_EQUAL(last, 100);
	CU_ASSERT_EQUAL(registrar_lookup(rt_reg, NULL, T0, q_order_cb, &last),
	    EINVAL);
}

/* A GRUU from a 200 leads back to its one binding, and only to it. */
void
rt_test_lookup_gruu(void)
{
	struct reg_contact c = rt_sipe_contact;
	struct reg_req rq = rt_sipe_req(&c, 1, 1);
	struct reg_resp rs;
	char gruu[256];
	unsigned n = 0;

	rt_expect(&rq, REG_REASON_OK, &rs);
	CU_ASSERT_FATAL(rs.nbindings == 1);
	(void)snprintf(gruu, sizeof(gruu), "%s", rs.bindings[0].gruu);
	reg_resp_clear(&rs);
	/* A second endpoint of the same user, without +sip.instance. */
	c.instance = NULL;
	rq.epid = "01010101";
	rt_expect(&rq, REG_REASON_OK, &rs);
	reg_resp_clear(&rs);
	CU_ASSERT_EQUAL(rt_live(AOR, T0), 2);
	CU_ASSERT_EQUAL(registrar_lookup_gruu(rt_reg, gruu, T0, rt_count_cb,
	    &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	/* Case and parameter order do not matter. */
	n = 0;
	CU_ASSERT_EQUAL(registrar_lookup_gruu(rt_reg, "sip:user1@example.test"
	    ";gruu;OPAQUE=user:epid:B2E11DCF-E174-5E2B-9651-1DCB046C4B91",
	    T0, rt_count_cb, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	/* The endpoint without a GRUU has none to be found by. */
	n = 0;
	CU_ASSERT_EQUAL(registrar_lookup_gruu(rt_reg, "sip:user1@example.test"
	    ";opaque=user:epid:4b1682a8-f968-5701-83fc-7c6741dc6697;gruu",
	    T0, rt_count_cb, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	/* Expired, another user, not a GRUU. */
	CU_ASSERT_EQUAL(registrar_lookup_gruu(rt_reg, gruu, T0 + 600,
	    rt_count_cb, &n), 0);
	CU_ASSERT_EQUAL(registrar_lookup_gruu(rt_reg, "sip:u2@example.test;"
	    "opaque=user:epid:b2e11dcf-e174-5e2b-9651-1dcb046c4b91;gruu", T0,
	    rt_count_cb, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(registrar_lookup_gruu(rt_reg, AOR, T0, rt_count_cb,
	    &n), EINVAL);
	CU_ASSERT_EQUAL(registrar_lookup_gruu(rt_reg, AOR ";opaque=user:epid:"
	    "b2e11dcf-e174-5e2b-9651-1dcb046c4b91", T0, rt_count_cb, &n),
	    EINVAL);
	CU_ASSERT_EQUAL(registrar_lookup_gruu(rt_reg, AOR ";opaque=user:epid:"
	    ";gruu", T0, rt_count_cb, &n), EINVAL);
	CU_ASSERT_EQUAL(registrar_lookup_gruu(rt_reg, NULL, T0, rt_count_cb,
	    &n), EINVAL);
}
