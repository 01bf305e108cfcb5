/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/registrar/fixture.h: what the registrar's test files share: a
 * fresh store per test (rt_reg, in rt_dir), a SIPE-like REGISTER, and
 * assertion helpers.
 */
#ifndef SIPSA_TESTS_REGISTRAR_FIXTURE_H
#define SIPSA_TESTS_REGISTRAR_FIXTURE_H

#include <CUnit/CUnit.h>
#include <stdint.h>

#include "registrar/registrar.h"

extern CU_SuiteInfo registrar_suites[];

#define AOR	"sip:user1@example.test"
#define EPID	"1259c01b0250"
#define INST	"urn:uuid:b2e11dcf-e174-5e2b-9651-1dcb046c4b91"
#define T0	1000000ull

extern char			rt_dir[64];
extern struct registrar		*rt_reg;	/* open for every store test */
extern uint32_t			rt_random;	/* what the jitter draws */
extern const struct reg_contact	rt_sipe_contact;

/* Reopen-style helper: a registrar on rt_dir at now. */
struct registrar *rt_open_at(uint64_t now, unsigned max_endpoints,
	    unsigned jitter);
/* SIPE's REGISTER (sipe-client.md §2) with contacts c[0..n-1]. */
struct reg_req	rt_sipe_req(const struct reg_contact *c, size_t n,
	    uint32_t cseq);
/* Run rq on rt_reg, assert its reason, status and phrase. */
void		rt_expect(const struct reg_req *rq, enum reg_reason want,
	    struct reg_resp *rs);
void		rt_count_cb(const struct reg_binding *b, void *arg);
/* Live bindings of aor at now. */
unsigned	rt_live(const char *aor, uint64_t now);

/* tests/registrar/test_handle.c */
void	rt_test_sipe_register(void);
void	rt_test_expires_in_handle(void);
void	rt_test_jitter_in_handle(void);
void	rt_test_endpoint_cap(void);
void	rt_test_remove_and_query(void);
void	rt_test_star(void);
void	rt_test_cseq_order(void);
void	rt_test_bad_requests(void);
void	rt_test_identities(void);
void	rt_test_lookup_q_order(void);
void	rt_test_lookup_gruu(void);

/* tests/registrar/test_refresh.c */
void	rt_test_refresh_in_memory(void);
void	rt_test_refresh_other_changes(void);
void	rt_test_refresh_bound_setting(void);
void	rt_test_refresh_after_kill(void);

#endif
