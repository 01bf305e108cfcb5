#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A keytab rotated on disk while sipsad runs: kadmin ktadd gives
# sip/<fqdn> a new key (a new kvno) and adds it to the keytab sipsad
# reads.  With neither restart nor SIGHUP, a client with a ticket of the
# new kvno signs in at once, and so does one still holding a ticket of the
# old kvno (the file kept that key).  The REGISTER that carried an AP-REQ,
# sent again on a new connection (only its Via branch changed), is refused
# as a replayed ticket, before and after a restart of sipsad: the replay
# cache is a file in the state directory.  A keytab rewritten without the
# service key keeps the keys read before; SIGHUP reads the file at once.
# Last, what the replay cache is for: with replay-cache none the copy
# signs in.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
need_tool kvno klist
setup
start_sipsad
KT=$SIPSA_REALM_DIR/sip.keytab
FQDN=proxy.example.test
SPN="sip/$FQDN@$SIPSA_REALM"
kvno_of() { klist -k "$1" | awk '$2 ~ /^sip\// { k = $1 } END { print k }'; }
# cached_kvno: the kvno of the service ticket in user2's cache.
cached_kvno() { kvno "$SPN" | sed -n 's/.*kvno = \([0-9]*\).*/\1/p'; }
apreq_again() {
	python3 "$top_srcdir/tests/integration/resend.py" "$T/flow.out" \
	    "$PORT" apreq
}

# user2 signs in from its cache, which keeps the ticket (first kvno);
# -vv: the AP-REQ in full.
"$REALM_TOOL" kinit "$SIPSA_REALM_DIR" user2 || fail "kinit user2"
export KRB5_CLIENT_KTNAME="FILE:$T/none.keytab"
k1=$(kvno_of "$KT")
client -vv -a kerberos --ccache "$KRB5CCNAME" -s "127.0.0.1:$PORT" \
    sip:user2@example.test
expect_rc 0 "user2 before the rotation"
cp "$T/out" "$T/flow.out"
[ "$(cached_kvno)" = "$k1" ] || fail "user2's ticket: kvno $(cached_kvno)"

# The rotation: a new key in the KDC, added to the running keytab.
kadmin.local -r "$SIPSA_REALM" -q "ktadd -k $KT sip/$FQDN" \
    >"$T/kadmin.out" 2>&1 || fail "ktadd: $(cat "$T/kadmin.out")"
k2=$(kvno_of "$KT")
[ "$k2" -gt "$k1" ] || fail "kvno $k1 -> $k2"

# user3 from its client keytab gets a ticket of the new kvno.
client -a kerberos --keytab "$SIPSA_REALM_DIR/user3.keytab" \
    -s "127.0.0.1:$PORT" sip:user3@example.test
expect_rc 0 "a ticket of the new kvno right after the rotation"
wait_log "keytab $KT changed: read again, [0-9]+ keys, highest kvno $k2\$"
! log_has "reloading configuration" || fail "a reload happened"

# user2 again, with its ticket of the old kvno.
[ "$(cached_kvno)" = "$k1" ] || fail "user2's ticket: kvno $(cached_kvno)"
client -a kerberos --ccache "$KRB5CCNAME" -s "127.0.0.1:$PORT" \
    sip:user2@example.test
expect_rc 0 "a ticket of the old kvno after the rotation"

# The AP-REQ of user2's first sign-in, again: refused, then after a
# restart too.
out=$(apreq_again) || fail "no answer to the replayed AP-REQ"
expect_status "$out" 401
expect_header "$out" '^Warning: 399 proxy\.example\.test "replayed Kerberos ticket"'
wait_log "reason=REPLAYED_TICKET"
stop_sipsad
start_sipsad
out=$(apreq_again) || fail "no answer to the AP-REQ after the restart"
expect_status "$out" 401
expect_header "$out" '^Warning: 399 proxy\.example\.test "replayed Kerberos ticket"'
[ "$(grep -c "reason=REPLAYED_TICKET" "$T/sipsad.log")" -ge 2 ] ||
    fail "the replay after the restart was not refused as one"

# A keytab rewritten without sip/<fqdn> (user1's keys): the keys read
# before stay, with a warning; a ticket of the new kvno still works.
cp "$KT" "$T/sip.keytab.good"
cp "$SIPSA_REALM_DIR/user1.keytab" "$KT.new"
mv "$KT.new" "$KT"
sleep 1.1	# the accept path looks at the file at most once a second
client -a kerberos --keytab "$SIPSA_REALM_DIR/user3.keytab" \
    -s "127.0.0.1:$PORT" sip:user3@example.test
expect_rc 0 "sign-in after the keytab lost the service key"
wait_log "\[warn\] .*keytab $KT has no key for sip/$FQDN: keeping the keys read before"

# The good keytab back, and SIGHUP: read during the reload, no sign-in
# needed.
cp "$T/sip.keytab.good" "$KT"
kill -HUP "$SIPSAD_PID"
wait_log "configuration reloaded"
awk -v kt="keytab $KT changed: read again, .*highest kvno $k2\$" '
	/reloading configuration/ { start = NR }
	start && $0 ~ kt { seen = 1 }
	END { exit !seen }' "$T/sipsad.log" ||
	fail "SIGHUP did not read the restored keytab"
alive "$SIPSAD_PID" || fail "sipsad died"

# What the replay cache prevents (doc/security.md): with replay-cache
# none the same AP-REQ REGISTER signs in again, from another address,
# and gets a signed 200.
stop_sipsad
sed -i "s|^\(\t\tkeytab .*\)\$|\1\n\t\treplay-cache none|" "$T/sipsa.conf"
start_sipsad
out=$(apreq_again) || fail "no answer to the AP-REQ with replay-cache none"
expect_status "$out" 200
expect_header "$out" '^Authentication-Info: Kerberos rspauth='
wait_log "auth: REGISTER authenticated .* peer=127\.0\.0\.1:.* user=user2@"
stop_sipsad
log "ok"
