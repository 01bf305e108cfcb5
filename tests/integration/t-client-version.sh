#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sipsa-client follows the protocol version the server offers: with 3 the
# final handshake leg is not signed and later requests are; with 2 (no
# version= in the challenge) no version is echoed and the old signature
# string layout is used.  NTLM and Kerberos each, signatures verified.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
setup

# serve VERSION: (re)start sipsad offering that protocol version.
serve() {
	if [ -n "$SIPSAD_PID" ]; then
		stop_pid "$SIPSAD_PID"
		SIPSAD_PID=
	fi
	conf_template info | sed "s/^	realm \"/	version $1\\
	realm \"/" >"$T/sipsa.conf"
	grep -q "^	version $1\$" "$T/sipsa.conf" || fail "no version in conf"
	start_sipsad
}

serve 3
SIPSA_PASSWORD=user1pw client -v -c 2 -i 0 -s "127.0.0.1:$PORT" \
    sip:user1@example.test
expect_rc 0 "NTLM v3"
expect_out '^WWW-Authenticate: NTLM realm=.*, version=3$' "NTLM v3"
expect_out '^Authorization: NTLM .*gssapi-data="TlRMTVNTUAADAAAA[^"]*", version=3$' "NTLM v3 final leg unsigned"
expect_out '^Authorization: NTLM qop="auth", opaque="[0-9A-F]+", .*, crand="[0-9a-f]{8}", cnum="1", response=' "NTLM v3 refresh signed"
expect_out 'with NTLM over 401 \(version 3, .*signature verified \(3 rspauth checked\)' "NTLM v3"

client -v -a kerberos -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 0 "Kerberos v3"
expect_out '^Authorization: Kerberos .*gssapi-data="YII[^"]*", version=3$' "Kerberos v3 final leg unsigned"
expect_out 'with Kerberos over 401 \(version 3, .*signature verified' "Kerberos v3"

# Mutual authentication: the AP-REP comes back in Authentication-Info.
client -a kerberos --mutual -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 0 "Kerberos v3 mutual"

serve 2
SIPSA_PASSWORD=user1pw client -v -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 0 "NTLM v2"
no_out '^(WWW-Authenticate|Authorization): .*version=' "NTLM v2"
expect_out 'with NTLM over 401 \(version 2, .*signature verified \(2 rspauth checked\)' "NTLM v2"

client -a kerberos -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 0 "Kerberos v2"
expect_out 'signature verified' "Kerberos v2"

alive "$SIPSAD_PID" || fail "sipsad died"
log "ok"
