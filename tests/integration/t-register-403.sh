#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Until MS-SIPAE authentication lands, a REGISTER is refused with a clear
# 403 and a Warning (never 503: SIPE gives up on 503).  The registrar
# issue replaces EXPECT below with the 401/407 challenge.
. "$top_srcdir/tests/integration/lib.sh"

EXPECT=403
WARNING='^Warning: 399 proxy\.example\.test "authentication not yet available"$'

need_tool sipp
setup
start_sipsad

run_sipp register-403.xml t1
run_sipp register-403.xml u1
for tp in udp tcp tls; do
	out=$(sipreq "$tp" REGISTER) || fail "no answer over $tp"
	expect_status "$out" "$EXPECT"
	expect_header "$out" "$WARNING"
	expect_header "$out" '^To: .*;tag='
done
wait_log "REGISTER refused .*reason=NO_AUTH"
alive "$SIPSAD_PID" || fail "sipsad died"
log "ok"
