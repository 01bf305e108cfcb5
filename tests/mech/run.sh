#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/mech/run.sh: bring up a throwaway realm (scripts/sipsa-realm: KDC,
# keytabs, NTLM user file) in a temporary directory, run the mechanism
# round-trip program tests/mech/mech in its environment, and stop the KDC
# by its PID even when the program fails.
#   MECH_WRAPPER="valgrind --leak-check=full --error-exitcode=1" to wrap it.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
realm_tool="$top_srcdir/scripts/sipsa-realm"
prog="$top_builddir/tests/mech/mech"

dir=$(mktemp -d "${TMPDIR:-/tmp}/sipsa-mech.XXXXXX")
cleanup() {
	bash "$realm_tool" down "$dir" || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

eval "$(bash "$realm_tool" up "$dir" --users 2)"
# The acceptor gets the user file per credential (cred store), so the
# process-wide variable is not needed; unset, the tests prove it.
unset NTLM_USER_FILE
# MECH_DEBUG=1: gss-ntlmssp's own diagnostics, shown when the run fails.
if [ -n "${MECH_DEBUG:-}" ]; then
	GSSNTLMSSP_DEBUG="$dir/gssntlmssp.log"
	export GSSNTLMSSP_DEBUG
fi
rc=0
${MECH_WRAPPER:-} "$prog" "$@" || rc=$?
if [ "$rc" -ne 0 ] && [ -s "$dir/gssntlmssp.log" ]; then
	echo "--- gss-ntlmssp debug log (tail)"
	tail -n 20 "$dir/gssntlmssp.log"
fi
exit "$rc"
