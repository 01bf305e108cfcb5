#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The Active Directory of the tests (scripts/sipsa-ad) is what the other
# tests/ad tests take it for: the DC answers, the member is joined and
# its winbindd (reached in the member's mount namespace) verifies NTLM
# through Netlogon: alice and bjorn (non-ASCII password) pass; a wrong
# password, an unknown user, a disabled, a password-expired, a
# locked-out and an account-expired user fail, each with its own NT
# status; carol is in sipusers through sipstaff; kinit works; the AES
# keytab holds AES keys only, the RC4 one arcfour only; kvno gets an
# aes256 ticket for sip/proxy; and a second AD in a second pair of
# namespaces comes up at the same time without collision (the host's
# /run/samba is checked by lib.sh after the test).
. "$top_srcdir/tests/ad/lib.sh"

# The second AD (DC only), in its own namespaces, while ours comes up.
mkdir -p "$T/second"
unshare --mount --net --fork --propagation private --kill-child=TERM -- \
    /bin/sh -c '
	trap "\"\$1\" down \"\$2/ad\" >>\"\$2/err\" 2>&1" EXIT
	trap "exit 143" INT TERM HUP
	ip link set lo up || exit 1
	"$1" up "$2/ad" --no-member >"$2/env" 2>"$2/err" || exit 1
	. "$2/env"
	printf "%s\n" "Al1cePassw0rd!" |
	    kinit "alice@$SIPSA_AD_REALM" >"$2/kinit" 2>&1' \
    sh "$AD_TOOL" "$T/second" &
second=$!
stop_at_exit "$second"

ad_up
[ -n "$SIPSA_AD_MEMBER_NS_PID" ] || fail "no domain member"
alive "$SIPSA_AD_DC_PID" || fail "the DC is not running"

# The member's trust and its connection to the DC.
in_member wbinfo -t >"$T/out" 2>&1 || { cat "$T/out"; fail "wbinfo -t"; }
in_member wbinfo --ping-dc >"$T/out" 2>&1 ||
    { cat "$T/out"; fail "wbinfo --ping-dc"; }
expect_in "$T/out" 'dc1\.ad\.example\.test' "the member's DC"
# The member's winbindd, not the DC's: it knows itself as PROXY.
in_member wbinfo --all-domains >"$T/out" 2>&1 ||
    { cat "$T/out"; fail "wbinfo --all-domains"; }
expect_in "$T/out" '^PROXY$' "the member's own domain"
pipe=/run/samba/winbindd/pipe
[ "$(in_member stat -c %d:%i $pipe)" = \
    "$(stat -c %d:%i "$SIPSA_AD_DIR/member/run/winbindd/pipe")" ] ||
    fail "the member's namespace does not see the member's winbindd"
[ "$(stat -c %d:%i $pipe)" = \
    "$(stat -c %d:%i "$SIPSA_AD_DIR/dc/run/winbindd/pipe")" ] ||
    fail "the test's namespace does not see the DC's winbindd"

# pass USER PASSWORD: wbinfo -a succeeds (plaintext, challenge/response).
pass() {
	in_member wbinfo -a "ADEX\\$1%$2" >"$T/out" 2>&1 ||
	    { cat "$T/out"; fail "wbinfo -a for $1 failed"; }
	expect_in "$T/out" \
	    '^challenge/response password authentication succeeded' "$1"
	log "$1: $(grep challenge/response "$T/out")"
}
# refused USER PASSWORD STATUS WHAT: wbinfo -a fails with STATUS.
refused() {
	if in_member wbinfo -a "ADEX\\$1%$2" >"$T/out" 2>&1; then
		cat "$T/out"
		fail "$4: $1 authenticated"
	fi
	st=$(ad_status "$(cat "$T/out")")
	log "$4 ($1): $st"
	[ "$st" = "$3" ] || { cat "$T/out"; fail "$4: $st, not $3"; }
	expect_in "$T/out" \
	    '^challenge/response password authentication failed' "$4"
}

pass alice 'Al1cePassw0rd!'
pass bjorn 'Pässwörd-€1x'
# One wrong password costs two bad-password counts (wbinfo -a tries
# plaintext, then challenge/response); the lockout threshold is 5.
refused alice 'Al1cePassw0rd?' NT_STATUS_WRONG_PASSWORD "wrong password"
refused nobody 'Al1cePassw0rd!' NT_STATUS_NO_SUCH_USER "unknown user"
refused dave 'Dav3Passw0rd!x' NT_STATUS_ACCOUNT_DISABLED "disabled"
refused erin 'Er1nPassw0rd!x' NT_STATUS_PASSWORD_EXPIRED "password expired"
refused lou 'L0uPassw0rd!xx' NT_STATUS_ACCOUNT_LOCKED_OUT "locked out"
refused frank 'Fr4nkPassw0rd!x' NT_STATUS_ACCOUNT_EXPIRED "account expired"
# alice's good password still works after one wrong one.
pass alice 'Al1cePassw0rd!'

# Groups: alice and bob are in sipusers; carol is in sipstaff, and
# through it in sipusers.
sid_of() { in_member wbinfo -n "$1" | cut -d ' ' -f 1; }
sipusers=$(sid_of 'ADEX\sipusers')
sipstaff=$(sid_of 'ADEX\sipstaff')
[ -n "$sipusers" ] && [ -n "$sipstaff" ] || fail "no SIDs for the groups"
for u in alice bob carol; do
	sid=$(sid_of "ADEX\\$u")
	[ -n "$sid" ] || fail "no SID for $u"
	in_member wbinfo --user-sids="$sid" >"$T/sids.$u" 2>&1 ||
	    { cat "$T/sids.$u"; fail "wbinfo --user-sids for $u"; }
	expect_in "$T/sids.$u" "^$sipusers\$" "$u in sipusers"
done
expect_in "$T/sids.carol" "^$sipstaff\$" "carol in sipstaff"
expect_not_in "$T/sids.alice" "^$sipstaff\$" "alice not in sipstaff"

# Kerberos: kinit with the password on stdin, the keytabs, a ticket for
# each service.
printf '%s\n' 'Al1cePassw0rd!' | kinit "alice@$SIPSA_AD_REALM" \
    >"$T/out" 2>&1 || { cat "$T/out"; fail "kinit alice"; }
klist -e >"$T/out" 2>&1
expect_in "$T/out" "krbtgt/$SIPSA_AD_REALM@$SIPSA_AD_REALM" "TGT"
klist -ke "$SIPSA_AD_KEYTAB" >"$T/kt" 2>&1
expect_in "$T/kt" "sip/$SIPSA_AD_FQDN@.*aes256-cts" "aes256 key"
expect_in "$T/kt" "sip/$SIPSA_AD_FQDN@.*aes128-cts" "aes128 key"
expect_not_in "$T/kt" 'arcfour|des-' "AES keytab"
klist -ke "$SIPSA_AD_KEYTAB_RC4" >"$T/kt" 2>&1
expect_in "$T/kt" "sip/$SIPSA_AD_FQDN_RC4@.*arcfour-hmac" "RC4 key"
expect_not_in "$T/kt" 'aes|des-' "RC4-only keytab"
kvno "sip/$SIPSA_AD_FQDN" >"$T/out" 2>&1 ||
    { cat "$T/out"; fail "kvno sip/$SIPSA_AD_FQDN"; }
kvno "sip/$SIPSA_AD_FQDN_RC4" >>"$T/out" 2>&1 ||
    { cat "$T/out"; fail "kvno sip/$SIPSA_AD_FQDN_RC4"; }
klist -e >"$T/out" 2>&1
grep -A 1 "sip/$SIPSA_AD_FQDN@" "$T/out" >"$T/tkt"
aes=aes256-cts-hmac-sha1-96
expect_in "$T/tkt" "Etype \\(skey, tkt\\): $aes, $aes" \
    "aes256 ticket for sip/$SIPSA_AD_FQDN"
grep -A 1 "sip/$SIPSA_AD_FQDN_RC4@" "$T/out" >"$T/tkt"
expect_in "$T/tkt" 'Etype \(skey, tkt\): .*, (DEPRECATED:)?arcfour-hmac' \
    "RC4 ticket for sip/$SIPSA_AD_FQDN_RC4"
log "$(grep -A 1 "sip/$SIPSA_AD_FQDN@" "$T/out" | tail -n 1)"

# The second AD, at the same time, in its own namespaces.
rc2=0
wait "$second" || rc2=$?
forget_pid "$second"
[ $rc2 -eq 0 ] || { cat "$T/second/err" "$T/second/kinit"; \
    fail "the second AD failed ($rc2)"; }
sed -n "s/^sipsa-ad: /$TEST_NAME: second AD: /p" "$T/second/err"

# down stops everything: no process of the DC or the member is left.
"$AD_TOOL" down "$T/ad" >>"$T/ad.err" 2>&1 || fail "sipsa-ad down"
AD_UP=
for p in $SIPSA_AD_DC_PID $SIPSA_AD_MEMBER_NS_PID \
    $SIPSA_AD_MEMBER_WINBINDD_PID; do
	dead "$p" || fail "process $p still running after down"
done
left=$(for p in /proc/[0-9]*; do
	[ "$(readlink "$p/ns/net" 2>/dev/null)" = \
	    "$(readlink /proc/self/ns/net)" ] && cat "$p/comm" 2>/dev/null
done | grep -E 'samba|smbd|winbindd|rpcd|tfork|ldap|kdc' || true)
[ -z "$left" ] || fail "left after down: $left"
"$AD_TOOL" down "$T/ad" >>"$T/ad.err" 2>&1 || fail "second down"
log "ok"
