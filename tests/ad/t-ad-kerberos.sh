#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Kerberos with an Active Directory keytab: sipsad accepts tickets the
# Samba DC issues for sip/<fqdn>, whose account has AES keys only
# (msDS-SupportedEncryptionTypes 24), over TCP and TLS; the tickets carry
# the DC's PAC.  Then the RC4-only case: an account with RC4 keys only
# (sip/rc4.ad.example.test), where sipsad warns at start that RC4 is
# deprecated and still accepts the RC4 ticket.  The keytab checks against
# the directory: sipsad --check-keytab says OK for the exported keytab and
# STALE once the account's password has changed (the kvno moved on), and
# a keytab without sip/<fqdn> stops sipsad -n with the fix named.
. "$top_srcdir/tests/ad/lib.sh"
. "$top_srcdir/tests/integration/client.sh"

ad_up --no-member
ad_sipsad_conf debug
start_sipsad
wait_log "keytab .*sip/$SIPSA_AD_FQDN@$SIPSA_AD_REALM .*aes256-cts"

# A TGT for alice, from the DC.
export KRB5CCNAME="FILE:$T/alice.cc"
printf '%s\n' 'Al1cePassw0rd!' | kinit "alice@$SIPSA_AD_REALM" \
    >"$T/kinit.out" 2>&1 || fail "kinit alice: $(cat "$T/kinit.out")"

client -a kerberos -s "127.0.0.1:$PORT" "sip:alice@$SIPSA_AD_DNS_DOMAIN"
expect_rc 0 "Kerberos over TCP"
expect_out 'with Kerberos over 401 .*signature verified' "TCP"
wait_log "established sa=[0-9A-F]+ scheme=Kerberos .*user=alice@$SIPSA_AD_REALM"
client -a kerberos -t tls --ca-file "$T/tls.crt" \
    --tls-name "$SIPSA_AD_FQDN" -s "127.0.0.1:$TLS_PORT" \
    "sip:alice@$SIPSA_AD_DNS_DOMAIN"
expect_rc 0 "Kerberos over TLS"
# The service ticket the client used: AES, from the AD account's keys.
klist -e >"$T/klist.out" 2>&1
expect_in "$T/klist.out" "sip/$SIPSA_AD_FQDN@$SIPSA_AD_REALM" "ticket"
grep -A 2 "sip/$SIPSA_AD_FQDN@" "$T/klist.out" |
    grep -q 'aes256-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96' ||
    fail "the service ticket is not AES: $(cat "$T/klist.out")"
# Samba puts a PAC in every user's service ticket (AD-IF-RELEVANT,
# AD-WIN2K-PAC); sipsad accepted it above, and says so at debug level.
wait_log 'Kerberos ticket with a PAC \([1-9][0-9]* buffers\)'
log "AES ticket with the DC's PAC accepted over TCP and TLS:" \
    "$(grep -o 'Kerberos ticket with a PAC.*' "$T/sipsad.log" | head -n 1)"
stop_sipsad

# ---- the keytab against the directory
# check_keytab RC REGEX: sipsad --check-keytab exits RC, saying REGEX.
check_keytab() {
	RC=0
	"$SIPSAD" --check-keytab -f "$T/sipsa.conf" >"$T/check.out" 2>&1 ||
	    RC=$?
	cat "$T/check.out"
	[ "$RC" -eq "$1" ] || fail "--check-keytab: exit $RC, not $1"
	expect_in "$T/check.out" "$2" "check-keytab"
}
check_keytab 0 "^keytab OK: ticket for sip/$SIPSA_AD_FQDN@$SIPSA_AD_REALM kvno [0-9]+ enctype aes256-cts-hmac-sha1-96"
# The service account's password changes (as ktpass -pass does): the
# keytab exported before is stale.
samba-tool user setpassword sipsvc --newpassword='N3wSvcPassw0rd!x' \
    -s "$SIPSA_AD_DC_CONF" >"$T/setpw.out" 2>&1 ||
    fail "samba-tool user setpassword: $(cat "$T/setpw.out")"
check_keytab 1 "^keytab STALE: .* has kvno [0-9]+ .* holds kvno [0-9]+"
# What a client with a new ticket meets meanwhile.
start_sipsad
export KRB5CCNAME="FILE:$T/alice2.cc"
printf '%s\n' 'Al1cePassw0rd!' | kinit "alice@$SIPSA_AD_REALM" \
    >"$T/kinit.out" 2>&1 || fail "kinit alice: $(cat "$T/kinit.out")"
client -a kerberos -s "127.0.0.1:$PORT" "sip:alice@$SIPSA_AD_DNS_DOMAIN"
expect_rc 2 "Kerberos with a stale keytab"
wait_log 'handshake failed .*scheme=Kerberos .*reason='
log "stale keytab: $(grep 'handshake failed .*scheme=Kerberos' \
    "$T/sipsad.log" | tail -n 1 | sed 's/.*reason=/reason=/')"
stop_sipsad
# A keytab without sip/<fqdn> (the RC4 account's is for another name).
AD_KEYTAB=$SIPSA_AD_KEYTAB_RC4 ad_sipsad_conf info
RC=0
"$SIPSAD" -n -f "$T/sipsa.conf" >"$T/n.out" 2>&1 || RC=$?
[ "$RC" -ne 0 ] || fail "sipsad -n accepted a keytab without the principal"
expect_in "$T/n.out" "keytab .*sip-rc4.keytab has no key for sip/$SIPSA_AD_FQDN .*samba-tool domain exportkeytab" \
    "missing principal"
log "missing principal: $(grep -o 'has no key for [^ ]*' "$T/n.out")"
export KRB5CCNAME="FILE:$T/alice.cc"

# ---- RC4 only
AD_FQDN=$SIPSA_AD_FQDN_RC4 AD_KEYTAB=$SIPSA_AD_KEYTAB_RC4 \
    ad_sipsad_conf info
start_sipsad
wait_log "keytab .*sip/$SIPSA_AD_FQDN_RC4@$SIPSA_AD_REALM .*arcfour-hmac"
wait_log "RC4"
client -a kerberos -s "127.0.0.1:$PORT" "sip:alice@$SIPSA_AD_DNS_DOMAIN"
expect_rc 0 "Kerberos with RC4"
klist -e >"$T/klist.out" 2>&1
grep -A 2 "sip/$SIPSA_AD_FQDN_RC4@" "$T/klist.out" | grep -q 'arcfour-hmac' ||
    fail "the RC4 service ticket is not RC4: $(cat "$T/klist.out")"
log "RC4-only keytab: warned at start, RC4 ticket accepted"
stop_sipsad
