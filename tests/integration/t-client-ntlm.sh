#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sipsa-client registers with NTLM over 401 (protocol version 4) over TCP,
# UDP and TLS, refreshes with the SA, de-registers, and verifies every
# rspauth; a wrong password and a login that is not the From user are
# refused with exit code 2.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
setup
start_sipsad

# The password from a file (mode 600), as documented.
printf 'user1pw\n' >"$T/pw"
chmod 600 "$T/pw"

client -P "$T/pw" -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 0 "NTLM over TCP"
expect_out 'with NTLM over 401 \(version 4, .*signature verified \(2 rspauth checked\), de-registered$' "TCP"
wait_log 'REGISTER .*user1@example.test'

# Three registrations (one handshake, two signed refreshes), then the
# signed de-registration, the flow printed with -v.
SIPSA_PASSWORD=user1pw client -v -t udp -c 3 -i 0 --epid 0a1b2c3d4e \
    -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 0 "NTLM over UDP"
expect_out '3 registrations, .*signature verified \(4 rspauth checked\), de-registered$' "UDP"
expect_out '^Via: SIP/2.0/UDP ' "UDP"
expect_out '^From: <sip:user1@example.test>;tag=[0-9a-f]+;epid=0a1b2c3d4e$' "epid"
# +sip.instance of epid 0a1b2c3d4e (sipauth_epid_to_uuid).
expect_out '\+sip.instance="<urn:uuid:[0-9a-f-]{36}>"' "instance"
expect_out '^Authorization: NTLM .*gssapi-data="TlRMTVNTUAADAAAA.*version=4, crand="[0-9a-f]{8}", cnum="1", response="[0-9A-F]{32}"$' "v4 final leg signed"
expect_out '^Expires: 0$' "de-registration"
[ "$(grep -c '^Authentication-Info: NTLM rspauth=' "$T/out")" -eq 4 ] ||
    fail "expected 4 signed answers"
# gssapi-data is cut short in -v output, full with -vv.
expect_out 'gssapi-data="TlRMTVNTUAACAAAA\.\.\."' "-v cuts tokens"

SIPSA_PASSWORD=user1pw client -t tls --ca-file "$T/tls.crt" \
    --tls-name proxy.example.test -s "127.0.0.1:$TLS_PORT" \
    sip:user1@example.test
expect_rc 0 "NTLM over TLS"
expect_out 'transport=tls with NTLM .*signature verified' "TLS"

# The certificate must name the server, and chain to the CA given.
SIPSA_PASSWORD=user1pw client -t tls --ca-file "$T/tls.crt" \
    -s "127.0.0.1:$TLS_PORT" sip:user1@example.test
expect_rc 5 "TLS name mismatch"
SIPSA_PASSWORD=user1pw client -t tls --insecure -s "127.0.0.1:$TLS_PORT" \
    sip:user1@example.test
expect_rc 0 "TLS --insecure"

# --refresh until SIGTERM, then the de-registration.
registered2() {
	[ "$(grep -c 'aor=sip:user2@example.test .*: 200 OK' "$T/sipsad.log")" \
	    -ge 2 ]
}
SIPSA_PASSWORD=user2pw "$CLIENT" -r -i 1 -s "127.0.0.1:$PORT" \
    sip:user2@example.test >"$T/out" 2>&1 &
cpid=$!
poll 400 registered2 || { kill "$cpid"; fail "no refresh within 20 s"; }
kill -TERM "$cpid"
RC=0
wait "$cpid" || RC=$?
expect_rc 0 "--refresh ended by SIGTERM"
expect_out 'registrations, .*signature verified .*de-registered$' "--refresh"
wait_log 'aor=sip:user2@example.test .*: 200 REMOVED'

# Refusals: wrong password, unknown user, login other than the From user.
SIPSA_PASSWORD=wrong client -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 2 "wrong password"
expect_out 'authentication refused: NTLM credential refused' "wrong password"
SIPSA_PASSWORD=user1pw client -s "127.0.0.1:$PORT" sip:nobody@example.test
expect_rc 2 "unknown user"
SIPSA_PASSWORD=user2pw client -u 'EXAMPLE\user2' -s "127.0.0.1:$PORT" \
    sip:user1@example.test
expect_rc 2 "From user differs from the login"
expect_out '403 Forbidden' "From user differs from the login"

# Usage: no password anywhere, bad transport.
client -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 1 "no password"
SIPSA_PASSWORD=x client -t sctp sip:user1@example.test
expect_rc 1 "bad transport"

# Nobody listening: a transport error (TCP), no answer (UDP).
SIPSA_PASSWORD=user1pw client -T 2 -s 127.0.0.1:1 sip:user1@example.test
expect_rc 5 "connection refused"

alive "$SIPSAD_PID" || fail "sipsad died"
log "ok"
