# SPDX-License-Identifier: BSD-2-Clause
# tests/integration/client.sh: sipsa-client helpers for the t-client-*.sh
# tests and others; it sources lib.sh (sipsad).
#
#   client ARGS...        run sipsa-client; output in $T/out, status in $RC
#   expect_rc N WHAT      the last run exited N
#   expect_out REGEX WHAT some line of its output matches REGEX
#   no_out REGEX WHAT     no line does

. "$top_srcdir/tests/integration/lib.sh"
CLIENT=$top_builddir/tools/sipsa-client
[ -x "$CLIENT" ] || fail "$CLIENT not built"

client() {
	RC=0
	"$CLIENT" "$@" >"$T/out" 2>&1 || RC=$?
}
expect_rc() {
	[ "$RC" -eq "$1" ] ||
	    { cat "$T/out" >&2; fail "exit $RC, expected $1 ($2)"; }
}
expect_out() { expect_in "$T/out" "$1" "$2"; }
no_out() { expect_not_in "$T/out" "$1" "$2"; }
