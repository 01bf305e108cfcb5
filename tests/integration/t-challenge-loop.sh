#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-challenge-loop: what keeps a client from looping on challenges on a
# proxy-role listener (doc/clients.md).
#  - An NTLM first leg (gssapi-data="") that names an opaque sipsad cannot
#    continue starts a new handshake (407 with a CHALLENGE), as SIPE
#    sends after sign-in; an AUTHENTICATE with that opaque is refused with
#    the reason.
#  - Challenges are answered statelessly: an INVITE without Via branch
#    re-sent as it was after its 407 (SIPE's way) gets a new answer, not a
#    replay of the old one; the ACK of a stateless 407 is absorbed.
#  - An epid challenged again and again is logged once at notice level,
#    with the hint about the first scheme of a proxy listener.
. "$top_srcdir/tests/integration/lib.sh"
setup info proxy
start_sipsad
grep -q 'listener l1 (proxy role) offers Kerberos first' "$T/sipsad.log" ||
    fail "no notice about the first scheme of a proxy listener"

pauth='Proxy-Authorization: NTLM qop="auth", realm="SIP Communications Service", targetname="proxy.example.test", version=4'

# A first leg naming an unknown opaque: a new handshake.
out=$(sipreq tcp REGISTER --epid 0a0a0a0a0a -H \
    "$pauth, opaque=\"0BADF00D\", gssapi-data=\"\"")
expect_status "$out" 407
expect_header "$out" '^Proxy-Authenticate: NTLM opaque="[0-9A-F]{8}", gssapi-data="TlRMTVNTUAACAAAA'
log "first leg with an unknown opaque: new handshake"

# A final leg naming it: refused with the reason, no handshake.
out=$(sipreq tcp REGISTER --epid 0a0a0a0a0a -H \
    "$pauth, opaque=\"0BADF00D\", gssapi-data=\"TlRMTVNTUAADAAAAGAAYAEAAAAA=\"")
expect_status "$out" 407
expect_header "$out" '^Warning: 399 proxy.example.test "unknown security association"'
if printf '%s\n' "$out" | grep -q 'gssapi-data='; then
	fail "an AUTHENTICATE with an unknown opaque got a CHALLENGE"
fi
log "final leg with an unknown opaque: refused"

# The same INVITE without Via branch, twice: two challenges, two tags.
invite() {
	printf 'INVITE sip:user2@example.test SIP/2.0\r\n'
	printf 'Via: SIP/2.0/TCP 127.0.0.1:5999\r\n'
	printf 'Max-Forwards: 70\r\n'
	printf 'From: <sip:user1@example.test>;tag=77f0;epid=0b0b0b0b0b\r\n'
	printf 'To: <sip:user2@example.test>\r\n'
	printf 'Call-ID: loop-invite-%s@test\r\n' "$$"
	printf 'CSeq: 1 INVITE\r\n'
	printf 'Contact: <sip:user1@127.0.0.1:5999;transport=tcp>\r\n'
	printf 'Content-Length: 0\r\n\r\n'
}
invite >"$T/invite.raw"
a=$(python3 "$SIPREQ" --raw "$T/invite.raw" tcp 127.0.0.1 "$PORT" x x)
b=$(python3 "$SIPREQ" --raw "$T/invite.raw" tcp 127.0.0.1 "$PORT" x x)
expect_status "$a" 407
expect_status "$b" 407
ta=$(printf '%s\n' "$a" | sed -n 's/^To: .*;tag=\([^;]*\).*/\1/p')
tb=$(printf '%s\n' "$b" | sed -n 's/^To: .*;tag=\([^;]*\).*/\1/p')
[ -n "$ta" ] && [ -n "$tb" ] && [ "$ta" != "$tb" ] ||
    fail "the re-sent INVITE was answered as a retransmission ($ta, $tb)"
log "re-sent INVITE without branch: answered anew"

# Its ACK is absorbed: no answer, nothing forwarded, sipsad lives on.
sed -e 's/^INVITE /ACK /' -e 's/^CSeq: 1 INVITE/CSeq: 1 ACK/' \
    -e "s/^To: <sip:user2@example.test>/To: <sip:user2@example.test>;tag=$ta/" \
    "$T/invite.raw" >"$T/ack.raw"
python3 "$SIPREQ" --raw "$T/ack.raw" --expect-none --timeout 1 tcp \
    127.0.0.1 "$PORT" x x >/dev/null || fail "the ACK of a 407 was answered"
alive "$SIPSAD_PID" || fail "sipsad died"
log "ACK of a stateless 407: absorbed"

# Eight REGISTERs of one epid, all challenged: one notice, with the hint.
i=0
while [ $i -lt 8 ]; do
	out=$(sipreq udp REGISTER --epid 0c0c0c0c0c)
	expect_status "$out" 407
	i=$((i + 1))
done
wait_log 'epid=0c0c0c0c0c .*6 challenges in a row without signing in'
n=$(grep -c 'epid=0c0c0c0c0c .*challenges in a row' "$T/sipsad.log")
[ "$n" -eq 1 ] || fail "the streak was logged $n times, not once"
grep 'epid=0c0c0c0c0c .*challenges in a row' "$T/sipsad.log" |
    grep -q 'offers Kerberos first, and SIPE answers only the first' ||
    fail "the streak notice has no hint about the first scheme"
grep -q 'sipsad\[notice\] auth: epid=0c0c0c0c0c' "$T/sipsad.log" ||
    fail "the streak is not logged at notice level"
log "eight challenges in a row: logged once at notice level with the hint"
