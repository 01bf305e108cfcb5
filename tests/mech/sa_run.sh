#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/mech/sa_run.sh: run tests/mech/sa_rt (real round trips through the
# SA layer) inside a throwaway realm from scripts/sipsa-realm, and stop the
# KDC by its PID even when the program fails.
#   SA_RT_WRAPPER="valgrind --leak-check=full --error-exitcode=1
#   --suppressions=$top_srcdir/tests/mech/valgrind.supp" to wrap it (the
#   suppressions cover leaks inside MIT krb5 itself).
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
realm_tool="$top_srcdir/scripts/sipsa-realm"

dir=$(mktemp -d "${TMPDIR:-/tmp}/sipsa-sa.XXXXXX")
cleanup() {
	bash "$realm_tool" down "$dir" || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

eval "$(bash "$realm_tool" up "$dir" --users 2)"
${SA_RT_WRAPPER:-} "$top_builddir/tests/mech/sa_rt" "$@"
