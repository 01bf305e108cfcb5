/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/main.c: the CUnit runner.  Registers every module's suites and
 * runs them all, or only the suites named on the command line.  Exits
 * non-zero on any failure, so that make check reports it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "tests/unit/unit.h"

/*
 * Weak references: a module whose test file is not linked in is reported
 * and fails the run instead of breaking the link.
 */
#pragma weak log_suites
#pragma weak conf_suites
#pragma weak sipauth_suites
#pragma weak ntlm_suites
#pragma weak sa_suites
#pragma weak registrar_suites
#pragma weak mclass_suites
#pragma weak guard_suites
#pragma weak conns_suites
#pragma weak idmap_suites
#pragma weak access_suites
#pragma weak audit_suites
#pragma weak ctlproto_suites

static const struct {
	const char	*name;
	CU_SuiteInfo	*suites;
} modules[] = {
	{ "log", log_suites },
	{ "conf", conf_suites },
	{ "sipauth", sipauth_suites },
	{ "ntlm", ntlm_suites },
	{ "sa", sa_suites },
	{ "registrar", registrar_suites },
	{ "mclass", mclass_suites },
	{ "guard", guard_suites },
	{ "conns", conns_suites },
	{ "idmap", idmap_suites },
	{ "access", access_suites },
	{ "audit", audit_suites },
	{ "ctlproto", ctlproto_suites },
};

const char *
unit_datadir(void)
{
	static char path[4096];
	const char *top = getenv("top_srcdir");

	if (top == NULL)
		return "tests/data";
	(void)snprintf(path, sizeof(path), "%s/tests/data", top);
	return path;
}

static int
wanted(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	size_t i;
	int missing = 0, failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		CU_SuiteInfo *s = modules[i].suites;

		if (s == NULL) {
			fprintf(stderr, "unit: no test suites linked for "
			    "module %s\n", modules[i].name);
			missing++;
			continue;
		}
		for (; s->pName != NULL; s++) {
			CU_SuiteInfo one[2] = { *s, CU_SUITE_INFO_NULL };

			if (!wanted(modules[i].name, argc, argv) &&
			    !wanted(s->pName, argc, argv))
				continue;
			if (CU_register_suites(one) != CUE_SUCCESS) {
				fprintf(stderr, "unit: %s\n",
				    CU_get_error_msg());
				CU_cleanup_registry();
				return 1;
			}
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	(void)CU_basic_run_tests();
	failed = CU_get_number_of_failures() +
	    CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return (failed || missing) ? 1 : 0;
}
