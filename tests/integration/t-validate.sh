#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The first pipeline steps: ptx_validate (483 Max-Forwards, 482 loop, 400
# CSeq method, 416 URI scheme; its syntax checks are t-rfc4475.sh's),
# ptx_ack (ACK is never answered) and ptx_cancel (481 for a CANCEL that
# matches nothing).  The daemon stays up and keeps answering.
. "$top_srcdir/tests/integration/lib.sh"

setup
start_sipsad

# Max-Forwards 0 on a REGISTER: 483; on OPTIONS to us it is still answered.
out=$(sipreq tcp REGISTER --max-forwards 0) || fail "no answer (483)"
expect_status "$out" 483
out=$(sipreq udp OPTIONS --max-forwards 0) || fail "no answer (OPTIONS MF 0)"
expect_status "$out" 200
# OPTIONS with Max-Forwards 0 to anyone else would be forwarded: 483.
out=$(SIPREQ_URI="sip:user2@example.test" sipreq udp OPTIONS \
    --max-forwards 0) || fail "no answer (OPTIONS MF 0 to a user)"
expect_status "$out" 483

# A Via of our own below the top one: the request came back to us.
out=$(sipreq udp REGISTER \
    --via "SIP/2.0/UDP 127.0.0.1:$PORT;branch=z9hG4bKloop1") ||
    fail "no answer (482)"
expect_status "$out" 482
# The same address over another transport is not us.
out=$(sipreq udp REGISTER \
    --via "SIP/2.0/TLS 127.0.0.1:$PORT;branch=z9hG4bKloop2") ||
    fail "no answer (not a loop)"
expect_status "$out" 401

# nta itself refuses a CSeq method that differs (ptx_validate checks again).
out=$(sipreq tcp REGISTER --cseq-method OPTIONS) || fail "no answer (CSeq)"
expect_status "$out" 400

out=$(SIPREQ_URI="tel:+15551234" sipreq tcp REGISTER) || fail "no answer (416)"
expect_status "$out" 416

out=$(sipreq tcp CANCEL) || fail "no answer (CANCEL)"
expect_status "$out" 481

# ACK: nothing comes back within 2 s; then the daemon still answers.
sipreq udp ACK --expect-none --timeout 2 >"$T/ack.out" ||
    fail "ACK was answered: $(cat "$T/ack.out")"
sipreq tcp ACK --expect-none --timeout 2 >"$T/ack.out" ||
    fail "ACK was answered over TCP: $(cat "$T/ack.out")"

wait_log "reason=TOO_MANY_HOPS"
wait_log "reason=LOOP"
alive "$SIPSAD_PID" || fail "sipsad died"
out=$(sipreq tls OPTIONS) || fail "no answer after the bad requests"
expect_status "$out" 200
log "ok"
