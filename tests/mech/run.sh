#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/mech/run.sh: run the mechanism round-trip program tests/mech/mech
# in a throwaway realm (scripts/sipsa-realm: KDC, keytabs, NTLM user file)
# that the harness (tests/lib.sh) brings up in its scratch directory and
# stops by the KDC's PID, even when the program fails.
#   MECH_WRAPPER="valgrind --leak-check=full --error-exitcode=1" to wrap it.
TEST_NAME=mech
. "$(dirname "$0")/../lib.sh"
realm_up --users 2
# The acceptor gets the user file per credential (cred store), so the
# process-wide variable is not needed; unset, the tests prove it.
unset NTLM_USER_FILE
# MECH_DEBUG=1: gss-ntlmssp's own diagnostics, shown when the run fails.
if [ -n "${MECH_DEBUG:-}" ]; then
	GSSNTLMSSP_DEBUG="$T/gssntlmssp.log"
	export GSSNTLMSSP_DEBUG
fi
rc=0
${MECH_WRAPPER:-} "$top_builddir/tests/mech/mech" "$@" || rc=$?
if [ "$rc" -ne 0 ] && [ -s "$T/gssntlmssp.log" ]; then
	echo "--- gss-ntlmssp debug log (tail)"
	tail -n 20 "$T/gssntlmssp.log"
fi
exit "$rc"
