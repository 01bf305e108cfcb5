/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"
#include "tests/unit/unit.h"
CU_SuiteInfo sipauth_suites[] = { CU_SUITE_INFO_NULL };
