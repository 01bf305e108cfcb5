#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Calls and forking through sipsad between sipsa-client users: INVITE /
# 180 / 200 / ACK / BYE with every message signed on each leg (NTLM to
# NTLM, then Kerberos to NTLM); a user with two endpoints gets a MESSAGE
# on both; a callee whose answers carry a spoiled signature is not
# relayed (502, and sipsad logs the drop); 480 for a known user without a
# binding, 404 for an unknown user and for a foreign domain without a
# route.
. "$top_srcdir/tests/integration/route.sh"
setup debug
start_sipsad

# (b) user1 calls user2: the call is up, held for a second, hung up.
listener l2 "" user2 --epid 2222222222
SIPSA_PASSWORD=user1pw client -v -s "127.0.0.1:$PORT" \
    --call sip:user2@example.test --call-time 1 sip:user1@example.test
expect_rc 0 "call user1 -> user2"
expect_out '^sipsa-client: call to sip:user2@example.test: 200 OK, signature verified \(2 responses verified\), ACK sent$' "200 and 180 verified"
expect_out '^sipsa-client: call ended: BYE 200 OK, signature verified$' "BYE"
expect_out '^Record-Route: <sip:127.0.0.1:[0-9]+;transport=tcp;lr>$' "Record-Route"
expect_out '^ACK sip:user2@.* SIP/2.0$' "ACK to the remote target"
expect_out '^Route: <sip:127.0.0.1:[0-9]+;transport=tcp;lr>$' "ACK and BYE by the route set"
expect_out '^To: <sip:user2@example.test>;epid=2222222222;tag=' "callee's epid and tag in To"
listener_end l2 0
expect_lout l2 '^sipsa-client: INVITE from sip:user1@example.test: answered 200$' "user2 answered"
expect_lout l2 '^sipsa-client: BYE from sip:user1@example.test: call ended$' "user2 got the BYE"
expect_lout l2 '^ACK sip:user2@' "user2 got the ACK"
no_lout l2 'refused' "every request verified"
wait_log 'ACK call-id=|forked to 1 of 1 endpoint'

# (b2) user1 calls user2, which rings; user1 cancels after the 180.
# The caller's CANCEL is signed and verified by sipsad (nta answers it
# 200); sipsad's CANCEL to the branch is signed and verified by user2,
# whose signed 487 sipsad verifies and relays, signed, to user1.
listener l2c "" user2 --epid 2222222223 --ring
SIPSA_PASSWORD=user1pw client -v -s "127.0.0.1:$PORT" \
    --call sip:user2@example.test --cancel-after 200 sip:user1@example.test
expect_rc 0 "call user1 -> user2, cancelled"
expect_out '^sipsa-client: call to sip:user2@example.test: 487 Request Terminated, signature verified \(2 responses verified\), cancelled$' "180 and 487 verified"
expect_out '^CANCEL sip:user2@example.test SIP/2.0$' "the caller's CANCEL"
expect_out '^Authorization: NTLM .*response=' "the CANCEL is signed"
listener_end l2c 0
expect_lout l2c '^sipsa-client: INVITE from sip:user1@example.test: answered 180$' "user2 rang"
expect_lout l2c '^sipsa-client: CANCEL from sip:user1@example.test: INVITE answered 487$' "user2 verified the CANCEL and answered 487"
no_lout l2c 'refused' "every request verified"
! grep -q 'cannot send\|second reply' "$T/sipsad.log" ||
    fail "a response did not leave through the exit"
! grep -q 'dropped: signature missing or wrong' "$T/sipsad.log" ||
    fail "sipsad refused the callee's 487"

# Kerberos calls NTLM over TLS.
"$REALM_TOOL" kinit "$SIPSA_REALM_DIR" user2 || fail "kinit user2"
listener l1 "-t udp" user1
client -a kerberos --ccache "FILE:$SIPSA_REALM_DIR/ccache" -t tls \
    --ca-file "$T/tls.crt" --tls-name proxy.example.test \
    -s "127.0.0.1:$TLS_PORT" --call sip:user1@example.test \
    sip:user2@example.test
expect_rc 0 "call user2 (Kerberos, TLS) -> user1 (NTLM, UDP)"
expect_out 'call ended: BYE 200 OK, signature verified' "BYE"
listener_end l1 0
expect_lout l1 'BYE from sip:user2@example.test: call ended' "user1"

# (c) Forking: user3 twice (two epids); one MESSAGE reaches both.
"$REALM_TOOL" kinit "$SIPSA_REALM_DIR" user3 || fail "kinit user3"
listener l3a "-a kerberos --ccache FILE:$SIPSA_REALM_DIR/ccache" user3 \
    --epid 3333333331 --answer 1
listener l3b "" user3 --epid 3333333332 --answer 1
SIPSA_PASSWORD=user1pw client -s "127.0.0.1:$PORT" \
    --message sip:user3@example.test --text "to both" sip:user1@example.test
expect_rc 0 "MESSAGE to a user with two endpoints"
expect_out 'MESSAGE to sip:user3@example.test: 200 OK, signature verified' "forked"
listener_end l3a 0
listener_end l3b 0
expect_lout l3a '^MESSAGE from sip:user1@example.test: to both$' "endpoint 1"
expect_lout l3b '^MESSAGE from sip:user1@example.test: to both$' "endpoint 2"
wait_log 'MESSAGE call-id=.*forked to 2 of 2 endpoints'

# (d) A callee that spoils its signatures: nothing it says is relayed.
SIPSA_CLIENT_TAMPER=1 listener l2t "" user2 --answer 1
SIPSA_PASSWORD=user1pw client -s "127.0.0.1:$PORT" \
    --message sip:user2@example.test --text "tampered" sip:user1@example.test
expect_rc 6 "tampered 200 not relayed"
expect_out 'MESSAGE: SIP error: 502 Bad Gateway' "502"
no_out 'MESSAGE to sip:user2@example.test: 200' "no 200"
wait_log 'MESSAGE call-id=.*: 200 from the callee dropped: signature missing or wrong'
listener_end l2t 0
SIPSA_CLIENT_TAMPER=1 listener l2t "" user2 --answer 1
SIPSA_PASSWORD=user1pw client -s "127.0.0.1:$PORT" \
    --call sip:user2@example.test sip:user1@example.test
expect_rc 6 "tampered INVITE answers not relayed"
expect_out 'call: SIP error: 502 Bad Gateway' "502 to the INVITE"
wait_log 'INVITE call-id=.*: 200 from the callee dropped'
kill -TERM "$l2t_pid"
listener_end l2t 0

# (e) A user who has registered here but has no binding now (480), one
# who never has (404), and a domain we do not serve (404).
SIPSA_PASSWORD=user1pw client -s "127.0.0.1:$PORT" \
    --message sip:user2@example.test sip:user1@example.test
expect_rc 6 "no binding"
expect_out 'MESSAGE: SIP error: 480 ' "480"
SIPSA_PASSWORD=user1pw client -s "127.0.0.1:$PORT" \
    --message sip:user4@example.test sip:user1@example.test
expect_rc 6 "unknown user"
expect_out 'MESSAGE: SIP error: 404 ' "404"
SIPSA_PASSWORD=user1pw client -s "127.0.0.1:$PORT" \
    --call sip:someone@elsewhere.test sip:user1@example.test
expect_rc 6 "foreign domain"
expect_out 'call: SIP error: 404 ' "404"
expect_out 'de-registered$' "de-registered after a failed call"

alive "$SIPSAD_PID" || fail "sipsad died"
log "ok"
