#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# SA lifetime: with the hard lifetime cut to 2 s in the configuration, a
# signed REGISTER refresh sent after it is answered with a fresh challenge
# (the SA has expired), and the client makes a new SA with a new opaque
# and registers again.  Both mechanisms.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
setup
cat >>"$T/sipsa.conf" <<CONF
sa {
	lifetime 2s
	idle-timeout 2s
}
CONF
start_sipsad

"$REALM_TOOL" kinit "$SIPSA_REALM_DIR" user2 >/dev/null ||
    fail "kinit user2 failed"

# Two registrations 4 s apart: the second finds its SA gone.
SIPSA_PASSWORD=user1pw "$CLIENT" -v -a ntlm -u user1 -d "$SIPSA_NETBIOS" \
    -s 127.0.0.1 -p "$PORT" -t tcp -c 2 -i 4 sip:user1@example.test \
    >"$T/ntlm.out" 2>&1 || { tail -n 30 "$T/ntlm.out" >&2
	fail "NTLM client failed"; }
"$CLIENT" -v -a kerberos -s 127.0.0.1 -p "$PORT" -t tcp -c 2 -i 4 \
    sip:user2@example.test >"$T/krb5.out" 2>&1 || {
	tail -n 30 "$T/krb5.out" >&2; fail "Kerberos client failed"; }

for who in user1:NTLM user2:Kerberos; do
	u=${who%%:*}
	n=$(grep -c "sa: established .*scheme=${who#*:} .*user=.*$u" \
	    "$T/sipsad.log" || true)
	[ "$n" -ge 2 ] || fail "$u: $n SAs established, expected a second one"
	grep -Eq "REGISTER .*aor=sip:$u@example.test .*: 200 OK" \
	    "$T/sipsad.log" || fail "$u never registered"
done
# The refresh met the expired SA, and was challenged for it as expired
# (its opaque is remembered), not as an unknown one.
wait_log "reason=EXPIRED"
grep -q 'security association expired' "$T/ntlm.out" ||
    fail "the client was not told its SA expired"
! grep -q 'reason=UNKNOWN_OPAQUE' "$T/sipsad.log" ||
    fail "an expired SA was reported as unknown"
o1=$(grep -o 'opaque="[0-9A-F]*"' "$T/ntlm.out" | sort -u | wc -l)
[ "$o1" -ge 2 ] || fail "the NTLM client used one opaque only"
alive "$SIPSAD_PID" || fail "sipsad died"
log "ok"
