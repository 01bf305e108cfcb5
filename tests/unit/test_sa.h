/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_sa.h: helpers shared by the sa suites: tables on a fake
 * clock and fake_mech, the test double of the mechanism for the table
 * logic (tests/fake/fake_mech.h; real NTLM and Kerberos round trips are
 * tested with the mechanisms).
 */
#ifndef SIPSA_TESTS_UNIT_TEST_SA_H
#define SIPSA_TESTS_UNIT_TEST_SA_H

#include <stdint.h>

#include "sa/sa.h"
#include "tests/fake/fake_mech.h"
#include "tests/unit/unit.h"

/* The time every test table reads, in ms; tests move it forward. */
extern uint64_t sa_test_now;

/* A table on the fake clock and fake_mech; limits may be NULL. */
struct sa_table *sa_test_table(const struct sa_limits *limits);
/*
 * An established SA for user (e.g. "DOM\\alice") from src, bound to
 * aor/epid in realm "R", target "T" when aor is not NULL.  The caller gets
 * a reference.  Asserts through CUnit; returns NULL on failure.
 */
struct sa_assoc *sa_test_established(struct sa_table *t, const char *src,
	    const char *user, const char *aor, const char *epid);
/* Sign msg as the client of sa would (what fake_mech verifies). */
size_t	sa_test_client_sign(const struct sa_assoc *sa, const char *msg,
	    uint8_t *sig);

/* Log capture: lines containing needle since sa_test_log_reset(). */
void	sa_test_log_reset(void);
int	sa_test_log_count(const char *needle);
const char *sa_test_log_last(void);

extern CU_TestInfo sa_assoc_tests[];
extern CU_TestInfo sa_seqwin_tests[];
extern CU_TestInfo sa_expire_tests[];
extern CU_TestInfo sa_cfx_tests[];

#endif
