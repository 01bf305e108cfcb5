#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The Kerberos keytab checks: sipsad -n, start and SIGHUP say which keys
# of sip/<fqdn> the keytab holds (principal, kvno, enctypes); a keytab
# without that key fails -n, start and reload, naming keytab, principal
# and the export commands; an RC4-only keytab draws a warning and still
# signs a client in.  sipsad --check-keytab asks the KDC for a ticket with
# the caller's credentials and says whether the keytab decrypts it (OK),
# is stale (both kvnos) or cannot be tested (no kinit).  A client whose
# clock is 15 minutes ahead (faketime) is refused and the log says by how
# much.
. "$top_srcdir/tests/integration/client.sh"
need_tool faketime kvno
setup
KT=$SIPSA_REALM_DIR/sip.keytab
FQDN=proxy.example.test
SPN="sip/$FQDN@$SIPSA_REALM"
AES="aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96"

kadm() {
	kadmin.local -r "$SIPSA_REALM" -q "$1" >"$T/kadmin.out" 2>&1 ||
	    fail "kadmin.local $1: $(cat "$T/kadmin.out")"
}
# conf_with KEYTAB FILE: the test's configuration on another keytab.
cp "$T/sipsa.conf" "$T/base.conf"
conf_with() { sed "s|\"$KT\"|\"$1\"|" "$T/base.conf" >"$2"; }
# run_sipsad ARGS...: sipsad in the foreground; $T/out, $T/err, $RC.
run_sipsad() {
	RC=0
	"$SIPSAD" "$@" >"$T/out" 2>"$T/err" || RC=$?
}
expect_err() { expect_in "$T/err" "$1" "$2"; }
kvno_of() { klist -k "$1" | awk '$2 ~ /^sip\// { k = $1 } END { print k }'; }

# 1. -n: the keytab line before the verdict.
k1=$(kvno_of "$KT")
run_sipsad -n -f "$T/sipsa.conf"
[ "$RC" -eq 0 ] || fail "-n: exit $RC: $(cat "$T/err")"
[ "$(cat "$T/out")" = "keytab $KT: $SPN kvno $k1 $AES
configuration OK" ] || fail "-n printed: $(cat "$T/out")"

# 2. A keytab without sip/<fqdn> (user1's): -n and start fail, naming
# keytab, principal and how to export the key.
conf_with "$SIPSA_REALM_DIR/user1.keytab" "$T/nokey.conf"
run_sipsad -n -f "$T/nokey.conf"
[ "$RC" -eq 1 ] || fail "-n on a keytab without the key: exit $RC"
[ ! -s "$T/out" ] || fail "-n printed: $(cat "$T/out")"
expect_err "keytab $SIPSA_REALM_DIR/user1.keytab has no key for sip/$FQDN" \
    "the error names keytab and principal"
for fix in ktpass msktutil "samba-tool domain exportkeytab" "kadmin ktadd"
do
	expect_err "$fix" "the error says how to fix it ($fix)"
done
RC=0
timeout 30 "$SIPSAD" -D -f "$T/nokey.conf" >"$T/out" 2>"$T/err" || RC=$?
[ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] || fail "start without the key: $RC"
expect_err "\[err\] .*user1.keytab has no key for sip/$FQDN" "start error"
expect_err "not starting" "start refused"

# 3. Start: the line in the log.  --check-keytab: OK with a ticket for
# user2; without credentials it says to kinit.
start_sipsad
wait_log "keytab $KT: $SPN kvno $k1 $AES\$"
"$REALM_TOOL" kinit "$SIPSA_REALM_DIR" user2 || fail "kinit user2"
run_sipsad --check-keytab -f "$T/sipsa.conf"
[ "$RC" -eq 0 ] || fail "--check-keytab: exit $RC: $(cat "$T/err")"
expect_in "$T/out" "^keytab OK: ticket for $SPN kvno $k1 enctype aes256-cts-hmac-sha1-96 decrypted with $KT\$" \
    "--check-keytab OK"
KRB5CCNAME=FILE:$T/none.ccache run_sipsad --check-keytab -f "$T/sipsa.conf"
[ "$RC" -eq 2 ] || fail "--check-keytab without a ccache: exit $RC"
expect_err "no Kerberos credentials in .*none.ccache.*run kinit first" \
    "--check-keytab without a ccache"

# 4. Clock skew: user2's service ticket is fetched with the right time;
# the client then signs in 15 minutes ahead.
kvno -q "$SPN" >/dev/null || fail "kvno $SPN"
export KRB5_CLIENT_KTNAME="FILE:$T/none.keytab"
RC=0
# libfaketime comes before the sanitizer's runtime in an ASan build.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f +15m "$CLIENT" -a kerberos \
    --ccache "$KRB5CCNAME" -s "127.0.0.1:$PORT" sip:user2@example.test \
    >"$T/out" 2>&1 || RC=$?
[ "$RC" -eq 2 ] ||
    fail "a client 15 minutes ahead: exit $RC, not 2: $(cat "$T/out")"
wait_log "clock skew: the client's clock is [0-9]+ s ahead of ours \(allowed 300 s\); sync both with the domain controller's NTP"
skew=$(sed -n "s/.*clock skew: the client's clock is \([0-9]*\) s ahead.*/\1/p" \
    "$T/sipsad.log" | tail -n 1)
[ "$skew" -ge 850 ] && [ "$skew" -le 950 ] ||
    fail "measured skew $skew s, not about 900"
log_has "handshake failed .*reason=CLOCK_SKEW" || fail "no CLOCK_SKEW"

# 5. A stale keytab: the KDC's key moves on to a new kvno (kept in
# new.keytab); the running keytab is then from an older password.
kadm "ktadd -k $T/new.keytab sip/$FQDN"
k2=$(kvno_of "$T/new.keytab")
[ "$k2" -gt "$k1" ] || fail "kvno $k1 -> $k2"
run_sipsad --check-keytab -f "$T/sipsa.conf"
[ "$RC" -eq 1 ] || fail "--check-keytab on a stale keytab: exit $RC"
expect_err "keytab STALE: the KDC's ticket for $SPN has kvno $k2 .*keytab $KT holds kvno $k1: it is from an older password" \
    "stale keytab, both kvnos"
conf_with "$T/new.keytab" "$T/new.conf"
run_sipsad --check-keytab -f "$T/new.conf"
[ "$RC" -eq 0 ] || fail "--check-keytab on the new keytab: $(cat "$T/err")"
expect_in "$T/out" "^keytab OK: .* kvno $k2 " "new keytab OK"

# 6. SIGHUP onto a keytab without the key: refused, the old one kept.
cp "$T/nokey.conf" "$T/sipsa.conf"
kill -HUP "$SIPSAD_PID"
wait_log "the keytab has no usable key: keeping the running configuration"
log_has "\[err\] .*user1.keytab has no key for sip/$FQDN" ||
    fail "reload error does not name the keytab"

# 7. RC4 only: the KDC's key becomes arcfour-hmac alone; sipsad warns,
# still signs user2 in; SIGHUP logs the line again.
kadm "ktadd -k $T/rc4.keytab -e arcfour-hmac:normal sip/$FQDN"
k3=$(kvno_of "$T/rc4.keytab")
conf_with "$T/rc4.keytab" "$T/rc4.conf"
cp "$T/rc4.conf" "$T/sipsa.conf"
stop_sipsad
start_sipsad
wait_log "keytab $T/rc4.keytab: $SPN kvno $k3 arcfour-hmac\$"
wait_log "\[warn\] .*keytab $T/rc4.keytab: sip/$FQDN has only RC4 .*RC4 is deprecated.*msDS-SupportedEncryptionTypes"
"$REALM_TOOL" kinit "$SIPSA_REALM_DIR" user2 || fail "kinit user2"
client -a kerberos --ccache "$KRB5CCNAME" -s "127.0.0.1:$PORT" \
    sip:user2@example.test
expect_rc 0 "Kerberos sign-in with an RC4-only keytab"
expect_out 'with Kerberos .*signature verified' "RC4 sign-in"
n=$(grep -c "keytab $T/rc4.keytab: $SPN kvno $k3" "$T/sipsad.log")
kill -HUP "$SIPSAD_PID"
wait_log "configuration reloaded"
[ "$(grep -c "keytab $T/rc4.keytab: $SPN kvno $k3" "$T/sipsad.log")" -eq \
    $((n + 1)) ] || fail "SIGHUP did not log the keytab line again"
alive "$SIPSAD_PID" || fail "sipsad died"
log "ok"
