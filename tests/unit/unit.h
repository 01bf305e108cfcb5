/* SPDX-License-Identifier: BSD-2-Clause */
/* tests/unit/unit.h: shared helpers for the CUnit suites. */
#ifndef SIPSA_TESTS_UNIT_H
#define SIPSA_TESTS_UNIT_H

#include <CUnit/CUnit.h>

/* Each test_<module>.c defines one of these, ended by CU_SUITE_INFO_NULL. */
extern CU_SuiteInfo log_suites[];
extern CU_SuiteInfo conf_suites[];
extern CU_SuiteInfo sipauth_suites[];
extern CU_SuiteInfo ntlm_suites[];
extern CU_SuiteInfo sa_suites[];
extern CU_SuiteInfo registrar_suites[];
extern CU_SuiteInfo mclass_suites[];
extern CU_SuiteInfo guard_suites[];
extern CU_SuiteInfo conns_suites[];
extern CU_SuiteInfo idmap_suites[];
extern CU_SuiteInfo access_suites[];
extern CU_SuiteInfo audit_suites[];
extern CU_SuiteInfo ctlproto_suites[];

/* Directory of tests/data (from $top_srcdir, else "tests/data"). */
const char *unit_datadir(void);

#endif
