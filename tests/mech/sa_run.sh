#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/mech/sa_run.sh: run tests/mech/sa_rt (real round trips through the
# SA layer) in a throwaway realm from scripts/sipsa-realm that the harness
# (tests/lib.sh) brings up and stops by the KDC's PID, even when the
# program fails.
#   SA_RT_WRAPPER="valgrind --leak-check=full --error-exitcode=1
#   --suppressions=$top_srcdir/tests/mech/valgrind.supp" to wrap it (the
#   suppressions cover leaks inside MIT krb5 itself).
TEST_NAME=sa_rt
. "$(dirname "$0")/../lib.sh"
realm_up --users 2
${SA_RT_WRAPPER:-} "$top_builddir/tests/mech/sa_rt" "$@"
