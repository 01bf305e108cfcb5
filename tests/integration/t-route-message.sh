#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Two sipsa-client users exchange MESSAGE through sipsad, both ways: the
# callee listens (registered, answering), the caller sends.  Every leg is
# signed: the server signs the request it forwards with the callee's SA,
# the callee signs its 200, the server signs the 200 it relays with the
# caller's SA, and each side verifies.  Kerberos on one side.  Requests
# that reach a listener without the server's valid signature are refused.
. "$top_srcdir/tests/integration/route.sh"
setup debug
start_sipsad

# user2 (NTLM) listens; user1 (NTLM) sends.
listener l2 "" user2 --epid 2222222222
SIPSA_PASSWORD=user1pw client -v -s "127.0.0.1:$PORT" \
    --message sip:user2@example.test --text "hi from user1" \
    sip:user1@example.test
expect_rc 0 "MESSAGE user1 -> user2"
expect_out '^sipsa-client: MESSAGE to sip:user2@example.test: 200 OK, signature verified$' "user1 sent"
expect_out '^Authorization: NTLM qop="auth", opaque="[0-9A-F]+", realm=.*crand="[0-9a-f]{8}", cnum="[0-9]+", response="[0-9A-F]{32}"$' "signed MESSAGE"
listener_end l2 0
expect_lout l2 '^MESSAGE from sip:user1@example.test: hi from user1$' "user2 got it"
# The forwarded MESSAGE: callee's epid in To, server's signature.
expect_lout l2 '^To: <sip:user2@example.test>;epid=2222222222$' "epid in To"
expect_lout l2 '^Authentication-Info: NTLM rspauth=' "signed by the server"

# The reverse, and Kerberos for user2: user1 listens, user2 sends.
"$REALM_TOOL" kinit "$SIPSA_REALM_DIR" user2 || fail "kinit user2"
listener l1 "" user1
client -v -a kerberos --ccache "FILE:$SIPSA_REALM_DIR/ccache" \
    -s "127.0.0.1:$PORT" --message sip:user1@example.test \
    --text "hi from user2" sip:user2@example.test
expect_rc 0 "MESSAGE user2 (Kerberos) -> user1"
expect_out '^sipsa-client: MESSAGE to sip:user1@example.test: 200 OK, signature verified$' "user2 sent"
expect_out '^Authorization: Kerberos qop="auth", opaque=.*response="[0-9A-F]+"$' "Kerberos-signed MESSAGE"
listener_end l1 0
expect_lout l1 '^MESSAGE from sip:user2@example.test: hi from user2$' "user1 got it"

# Kerberos listening, over TLS, NTLM sending over UDP.  The endpoint is
# the one that used NTLM above (same epid): its Kerberos SA replaces the
# NTLM one, and the MESSAGE toward it is signed with the Kerberos SA.
listener l2k "-a kerberos --ccache FILE:$SIPSA_REALM_DIR/ccache -t tls --ca-file $T/tls.crt --tls-name proxy.example.test -s 127.0.0.1:$TLS_PORT" user2 \
    --epid 2222222222
SIPSA_PASSWORD=user1pw client -t udp -s "127.0.0.1:$PORT" \
    --message sip:user2@example.test --text "over TLS" \
    sip:user1@example.test
expect_rc 0 "MESSAGE user1 (UDP) -> user2 (Kerberos, TLS)"
listener_end l2k 0
expect_lout l2k '^MESSAGE from sip:user1@example.test: over TLS$' "user2 over TLS"

# Requests that do not come signed by the server (straight to the
# listener's own port, unsigned, then with a made-up signature) are
# refused with 403 and reported; the listener then exits 3.
listener l2f "" user2
lport=$(sed -n 's/^Contact: <sip:user2@[^:]*:\([0-9]*\);.*/\1/p' \
    "$T/l2f.out" | head -n 1)
[ -n "$lport" ] || fail "no Contact port in the listener's REGISTER"
r=$(python3 "$SIPREQ" -H 'Content-Type: text/plain' udp 127.0.0.1 "$lport" \
    MESSAGE "sip:user2@127.0.0.1:$lport") || fail "no answer from $lport"
expect_status "$r" 403
r=$(python3 "$SIPREQ" -H 'Authentication-Info: NTLM rspauth="01000000000000000000000064000000", srand="01020304", snum="9", qop="auth", targetname="proxy.example.test", realm="SIP Communications Service"' \
    udp 127.0.0.1 "$lport" MESSAGE "sip:user2@127.0.0.1:$lport") ||
    fail "no answer from $lport"
expect_status "$r" 403
SIPSA_PASSWORD=user1pw client -s "127.0.0.1:$PORT" \
    --message sip:user2@example.test --text "signed" sip:user1@example.test
expect_rc 0 "a signed MESSAGE after the forged ones"
listener_end l2f 3
expect_lout l2f '^sipsa-client: refused MESSAGE from sip:probe@example.test: not signed' "unsigned"
expect_lout l2f '^sipsa-client: refused MESSAGE from sip:probe@example.test: the rspauth of MESSAGE does not verify' "forged signature"
expect_lout l2f '^MESSAGE from sip:user1@example.test: signed$' "the signed one"

alive "$SIPSAD_PID" || fail "sipsad died"
log "ok"
