#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sipsa-client registers with Kerberos over 401 (version 4): from a
# credential cache (kinit in the throwaway realm) over TCP and TLS, from a
# client keytab over UDP; the AP-REQ leg is signed, every rspauth is
# verified, the binding is removed at the end (or kept with -k).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
setup
start_sipsad

# A TGT for user2 in its own cache; no client keytab to fall back on.
"$REALM_TOOL" kinit "$SIPSA_REALM_DIR" user2 || fail "kinit user2"
export KRB5_CLIENT_KTNAME="FILE:$T/none.keytab"

client -v -a kerberos --ccache "FILE:$SIPSA_REALM_DIR/ccache" \
    -s "127.0.0.1:$PORT" sip:user2@example.test
expect_rc 0 "Kerberos from a ccache over TCP"
expect_out 'with Kerberos over 401 \(version 4, .*signature verified \(2 rspauth checked\), de-registered$' "ccache"
expect_out '^Authorization: Kerberos qop="auth", realm="[^"]*", targetname="sip/proxy.example.test", gssapi-data="YII.*", version=4, crand="[0-9a-f]{8}", cnum="1", response="[0-9A-F]+"$' "signed AP-REQ"
expect_out '^Authentication-Info: Kerberos rspauth=' "signed 200"

KRB5CCNAME="FILE:$SIPSA_REALM_DIR/ccache" client -a kerberos -t tls \
    --ca-file "$T/tls.crt" --tls-name proxy.example.test \
    -s "127.0.0.1:$TLS_PORT" sip:user2@example.test
expect_rc 0 "Kerberos over TLS"
expect_out 'transport=tls with Kerberos .*signature verified' "TLS"

# Mutual authentication with version 4: the AP-REP comes back in the
# 200 OK's Authentication-Info; the final leg cannot be signed then, and
# sipsad does not ask for it.
client -v -a kerberos --mutual --ccache "FILE:$SIPSA_REALM_DIR/ccache" \
    -s "127.0.0.1:$PORT" sip:user2@example.test
expect_rc 0 "Kerberos v4 mutual"
expect_out '^Authentication-Info: Kerberos rspauth=.*, gssapi-data="' "AP-REP"

# A client keytab, no kinit: user3 over UDP, left registered, then
# removed by a second run.
client -a kerberos --keytab "$SIPSA_REALM_DIR/user3.keytab" -t udp -k \
    -c 2 -i 0 -s "127.0.0.1:$PORT" sip:user3@example.test
expect_rc 0 "Kerberos from a keytab over UDP"
expect_out '2 registrations, .*signature verified \(2 rspauth checked\), left registered$' "keytab"
client -a kerberos --keytab "$SIPSA_REALM_DIR/user3.keytab" -t udp \
    -s "127.0.0.1:$PORT" sip:user3@example.test
expect_rc 0 "Kerberos from a keytab, de-registered"
expect_out 'de-registered$' "keytab"

# The ticket's user must be the From user.
KRB5CCNAME="FILE:$SIPSA_REALM_DIR/ccache" client -a kerberos \
    -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 2 "From user differs from the ticket"

# No credential at all: a local configuration error.
KRB5CCNAME="FILE:$T/none.ccache" client -a kerberos \
    -s "127.0.0.1:$PORT" sip:user2@example.test
[ "$RC" -eq 1 ] || [ "$RC" -eq 2 ] ||
    { cat "$T/out" >&2; fail "exit $RC without a credential"; }

alive "$SIPSAD_PID" || fail "sipsad died"
log "ok"
