#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Against a proxy-role listener (407, Proxy-Authenticate) sipsa-client
# answers in the Proxy-Authorization family and verifies the rspauth in
# Proxy-Authentication-Info, for NTLM and for Kerberos.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
setup info proxy
start_sipsad

SIPSA_PASSWORD=user1pw client -v -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 0 "NTLM over 407"
expect_out '^SIP/2.0 407 ' "NTLM"
expect_out '^Proxy-Authorization: NTLM .*gssapi-data="TlRMTVNTUAADAAAA' "NTLM"
expect_out '^Proxy-Authentication-Info: NTLM rspauth=' "NTLM"
expect_out 'with NTLM over 407 \(version 4, .*signature verified \(2 rspauth checked\), de-registered$' "NTLM"
if grep -q '^Authorization:' "$T/out"; then
	fail "an Authorization header went to a 407 listener"
fi

client -v -a kerberos -t udp -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 0 "Kerberos over 407"
expect_out '^Proxy-Authorization: Kerberos .*gssapi-data="YII' "Kerberos"
expect_out 'with Kerberos over 407 \(version 4, .*signature verified \(2 rspauth checked\), de-registered$' "Kerberos"

SIPSA_PASSWORD=bad client -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 2 "wrong password over 407"

alive "$SIPSAD_PID" || fail "sipsad died"
log "ok"
