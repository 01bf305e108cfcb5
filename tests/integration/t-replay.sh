#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Replay: a signed REGISTER refresh, captured from sipsa-client's flow and
# sent again byte for byte (only the Via branch changed, which no
# signature covers) on a new connection, is refused with a fresh challenge
# naming the replayed cnum; the same request with one byte of the signed
# Call-ID changed is refused as a bad signature.  Over UDP, a
# retransmission of a signed REGISTER gets the same answer again.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
setup
start_sipsad

SIPSA_PASSWORD=user1pw "$CLIENT" -v -k -a ntlm -u user1 \
    -d "$SIPSA_NETBIOS" -s 127.0.0.1 -p "$PORT" -t tcp -c 2 -i 1 \
    --epid 0123456789 sip:user1@example.test >"$T/flow.out" 2>&1 || {
	tail -n 30 "$T/flow.out" >&2; fail "the client failed"; }

# resend MODE: the last signed REGISTER without gssapi-data, sent again
# (resend.py).
resend() {
	python3 "$top_srcdir/tests/integration/resend.py" "$T/flow.out" \
	    "$PORT" "$1"
}

out=$(resend same) || fail "no answer to the replayed REGISTER"
expect_status "$out" 401
expect_header "$out" '^Warning: 399 proxy\.example\.test "replayed cnum"'
expect_header "$out" '^WWW-Authenticate: NTLM realm='
wait_log "REPLAYED_CNUM"

out=$(resend tamper) || fail "no answer to the tampered REGISTER"
expect_status "$out" 401
expect_header "$out" '^Warning: 399 proxy\.example\.test "bad signature"'
wait_log "BAD_SIGNATURE"

# Over UDP a signed REGISTER has no nta transaction: its answer is kept
# (src/answers.c), and a retransmission (the same request, branch
# included, from the client's port) gets that answer again, not a
# replay refusal.
SIPSA_PASSWORD=user2pw "$CLIENT" -v -k -a ntlm -u user2 \
    -d "$SIPSA_NETBIOS" -s 127.0.0.1 -p "$PORT" -t udp -c 2 -i 1 \
    --epid 0123456788 sip:user2@example.test >"$T/flow-udp.out" 2>&1 || {
	tail -n 30 "$T/flow-udp.out" >&2; fail "the UDP client failed"; }
out=$(python3 "$top_srcdir/tests/integration/resend.py" \
    "$T/flow-udp.out" "$PORT" retransmit) ||
	{ echo "$out" >&2; fail "the retransmission got another answer"; }
expect_status "$out" 200
! log_has "REPLAYED_CNUM.*user2|user2.*REPLAYED_CNUM" ||
    fail "the retransmission was taken for a replay"

# sipsad still registers the user afterwards.
SIPSA_PASSWORD=user1pw "$CLIENT" -a ntlm -u user1 -d "$SIPSA_NETBIOS" \
    -s 127.0.0.1 -p "$PORT" -t tcp sip:user1@example.test >"$T/again.out" \
    2>&1 || fail "registering again failed"
alive "$SIPSAD_PID" || fail "sipsad died"
log "ok"
