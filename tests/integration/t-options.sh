#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A SIP OPTIONS to sipsad itself gets 200 OK over UDP and TCP (SIPp
# scenario tests/sipp/options.xml) and over TLS (sipreq.py, since Debian's
# SIPp has no TLS), with Allow, Accept, Supported, Server and Date.  A
# double-CRLF keep-alive ping on a TCP connection gets a CRLF pong (RFC
# 5626 §3.5.1); Sofia 1.12's TLS transport answers none (doc/architecture.md).
. "$top_srcdir/tests/integration/lib.sh"

need_tool sipp
setup
start_sipsad

run_sipp options.xml u1
run_sipp options.xml t1
for tp in udp tcp tls; do
	out=$(sipreq "$tp" OPTIONS) || fail "no answer over $tp"
	expect_status "$out" 200
	expect_header "$out" '^Allow: .*REGISTER'
	expect_header "$out" '^Accept: application/sdp'
	expect_header "$out" '^Supported: '
	expect_header "$out" '^Server: sipsa/'
	expect_header "$out" '^Date: .* GMT$'
	expect_header "$out" "^Via: SIP/2.0/$(echo "$tp" | tr a-z A-Z) "
done
out=$(sipreq tcp x --ping --timeout 5) || fail "no pong over tcp: $out"
[ "$out" = pong ] || fail "over tcp: $out"
log "ok"
