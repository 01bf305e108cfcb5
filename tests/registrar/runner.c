/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/registrar/runner.c: a stand-alone CUnit runner for the registrar's
 * suites (tests/unit/test_registrar.c), so they run without the other
 * modules' suites.  Exits non-zero on any failure.
 */
#include "config.h"

#include <stdlib.h>

#include <CUnit/Basic.h>

#include "src/log.h"

extern CU_SuiteInfo registrar_suites[];

int
main(void)
{
	unsigned failed;

	/* Refusals are logged at notice; show them only when asked. */
	if (getenv("REGISTRAR_TEST_VERBOSE") == NULL)
		log_setlevel(LOG_LVL_WARN);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (CU_register_suites(registrar_suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	(void)CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed != 0 ? 1 : 0;
}
