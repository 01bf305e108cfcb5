#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sipsad under valgrind: requests (OPTIONS, a challenged REGISTER) over
# every transport, NTLM and Kerberos sign-ins with sipsa-client, a bad and
# a good reload, then SIGTERM.  Any memory error or leak (beyond the suppressed
# Sofia-SIP TLS leak, valgrind.supp) makes sipsad exit non-zero.
SIPSAD_WRAPPER=valgrind
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"

need_tool valgrind
setup
start_sipsad

for tp in udp tcp tls; do
	out=$(sipreq "$tp" OPTIONS) || fail "no answer over $tp"
	expect_status "$out" 200
	out=$(sipreq "$tp" REGISTER) || fail "no answer over $tp"
	expect_status "$out" 401
done
out=$(sipreq tcp REGISTER --max-forwards 0) || fail "no answer (483)"
expect_status "$out" 483

# Whole sign-ins through the SA table, the mechanisms and the registrar:
# NTLM with a refresh and a de-registration, a wrong password, Kerberos
# from a client keytab over UDP.
SIPSA_PASSWORD=user1pw client -a ntlm -u user1 -d "$SIPSA_NETBIOS" -c 2 \
    -i 0 -T 60 -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 0 "NTLM under valgrind"
SIPSA_PASSWORD=wrong client -a ntlm -u user1 -d "$SIPSA_NETBIOS" -T 60 \
    -s "127.0.0.1:$PORT" sip:user1@example.test
expect_rc 2 "wrong password under valgrind"
client -a kerberos --keytab "$SIPSA_REALM_DIR/user3.keytab" -t udp -T 60 \
    -s "127.0.0.1:$PORT" sip:user3@example.test
expect_rc 0 "Kerberos under valgrind"

cp "$T/sipsa.conf" "$T/good.conf"
echo "frobnicate yes" >>"$T/sipsa.conf"
kill -HUP "$SIPSAD_PID"
wait_log "keeping the running configuration"
AUTH_REALM="valgrind realm" conf_template debug >"$T/sipsa.conf"
kill -HUP "$SIPSAD_PID"
wait_log "configuration reloaded"
out=$(sipreq udp OPTIONS) || fail "no answer after reload"
expect_status "$out" 200

stop_sipsad
log "ok"
