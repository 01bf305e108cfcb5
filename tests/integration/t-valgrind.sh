#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sipsad under valgrind: requests (OPTIONS, a challenged REGISTER) over
# every transport, a bad and a good reload, then SIGTERM.  Any memory error or leak (beyond the suppressed
# Sofia-SIP TLS leak, valgrind.supp) makes sipsad exit non-zero.
SIPSAD_WRAPPER=valgrind
. "$top_srcdir/tests/integration/lib.sh"

need_tool valgrind
setup
start_sipsad

for tp in udp tcp tls; do
	out=$(sipreq "$tp" OPTIONS) || fail "no answer over $tp"
	expect_status "$out" 200
	out=$(sipreq "$tp" REGISTER) || fail "no answer over $tp"
	expect_status "$out" 401
done
out=$(sipreq tcp REGISTER --max-forwards 0) || fail "no answer (483)"
expect_status "$out" 483

cp "$T/sipsa.conf" "$T/good.conf"
echo "frobnicate yes" >>"$T/sipsa.conf"
kill -HUP "$SIPSAD_PID"
wait_log "keeping the running configuration"
AUTH_REALM="valgrind realm" conf_template debug >"$T/sipsa.conf"
kill -HUP "$SIPSAD_PID"
wait_log "configuration reloaded"
out=$(sipreq udp OPTIONS) || fail "no answer after reload"
expect_status "$out" 200

kill -TERM "$SIPSAD_PID"
poll 600 dead "$SIPSAD_PID" || fail "sipsad still running 30 s after SIGTERM"
rc=0
wait "$SIPSAD_PID" || rc=$?
SIPSAD_PID=
[ "$rc" -eq 0 ] || fail "sipsad under valgrind exited $rc:
$(grep '^==' "$T/sipsad.log" | tail -n 40)"
log "ok"
