#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The directory (doc/identity.md): sipsad looks every account of the
# domain up in the Samba DC over LDAP, bound with SASL/GSSAPI (sealed) as
# its own account sipsvc, whose keys are in its keytab.
# - Addresses from attributes: alice (NTLM) has proxyAddresses
#   SIP:alice.smith@, carol (Kerberos) mail carol.jones@; each registers
#   that address, and her login name is refused (pidgin-sipe does the
#   same in t-ad-sipe.sh).  bob has none of the attributes: the identity
#   map's line for ADEX\bob decides (robert); as bob@REALM, which no line
#   names, the login rule.
# - Account state: Kerberos service tickets taken before the account
#   was disabled, expired or locked out sign in no more (403 with the
#   reason); the SA of an
#   account disabled while it is signed in, idle, ends within about
#   cache-ttl.
# - The DC stopped: an account in the cache signs in (the entry is stale),
#   one never looked up gets 503 with Retry-After; one warning says so;
#   the DC back, one line says it answers again.
# - The DC found in DNS (srv instead of uri), from dnsmasq.
. "$top_srcdir/tests/ad/lib.sh"
. "$top_srcdir/tests/integration/client.sh"

ad_up
D=$SIPSA_AD_DNS_DOMAIN
R=$SIPSA_AD_REALM
BASE=$(printf 'DC=%s' "$D" | sed 's/\./,DC=/g')
# bob has no address in the directory: the identity map gives him one.
printf 'ADEX\\bob sip:robert@%s\n' "$D" >"$T/identity.map"
CONF_EXTRA=$(ad_directory "	cache-ttl 3s
	negative-ttl 3s
	timeout 2s") AD_AUTH_EXTRA="identity-map \"$T/identity.map\"" \
    ad_sipsad_conf debug
start_sipsad
wait_log "directory ldap://$SIPSA_AD_DC_FQDN, base $BASE, as sipsvc@$R"

PW_FILE=$T/pw
# ntlm USER PASSWORD AOR_USER [ARGS...]: sipsa-client with NTLM over TCP.
ntlm() {
	printf '%s\n' "$2" >"$PW_FILE"
	chmod 600 "$PW_FILE"
	h_u=$1 h_a=$3
	shift 3
	client -u "$h_u" -P "$PW_FILE" -s "127.0.0.1:$PORT" "$@" \
	    "sip:$h_a@$D"
}
# tgt USER PASSWORD: a TGT in $T/USER.cc and a service ticket for sipsad.
tgt() {
	KRB5CCNAME="FILE:$T/$1.cc"
	export KRB5CCNAME
	printf '%s\n' "$2" | kinit "$1@$R" >"$T/kinit.out" 2>&1 ||
	    fail "kinit $1: $(cat "$T/kinit.out")"
	kvno "sip/$SIPSA_AD_FQDN@$R" >"$T/kvno.out" 2>&1 ||
	    fail "kvno for $1: $(cat "$T/kvno.out")"
}
# krb USER AOR_USER [ARGS...]: sipsa-client with Kerberos over TCP, with
# USER's tickets.
krb() {
	KRB5CCNAME="FILE:$T/$1.cc"
	export KRB5CCNAME
	h_a=$2
	shift 2
	client -a kerberos -s "127.0.0.1:$PORT" "$@" "sip:$h_a@$D"
}

# ---- addresses from the directory
ntlm 'ADEX\alice' 'Al1cePassw0rd!' alice.smith
expect_rc 0 "alice as alice.smith (proxyAddresses)"
expect_out 'with NTLM over 401 .*signature verified' "alice.smith"
wait_log 'adex\\alice: found, 1 SIP address\(es\), [0-9]+ group\(s\), usable'
ntlm 'ADEX\alice' 'Al1cePassw0rd!' alice
expect_rc 2 "alice as alice: not her directory address"
expect_out '403' "alice as alice"
wait_log 'identity check failed .*user=ADEX\\alice from=sip:alice@.*not an address the directory holds for the account \(sip:alice.smith@'
tgt carol 'Car0lPassw0rd!'
krb carol carol.jones
expect_rc 0 "carol as carol.jones (mail), Kerberos"
wait_log "established sa=[0-9A-F]+ scheme=Kerberos .*user=carol@$R"
ntlm 'ADEX\bob' 'B0bPassw0rd!x' robert
expect_rc 0 "bob, no address in the directory: the map's"
wait_log 'adex\\bob: found, 0 SIP address\(es\), [0-9]+ group\(s\), usable'
ntlm 'ADEX\bob' 'B0bPassw0rd!x' bob
expect_rc 2 "bob as bob: the map names him, not this address"
wait_log 'identity check failed .*user=ADEX\\bob from=sip:bob@.*no line of the identity map'
log "addresses: alice.smith (proxyAddresses), carol.jones (mail)," \
    "robert for ADEX\\bob (no attribute: the identity map)"

# ---- account state
# A ticket taken before the account is disabled: refused at sign-in.
tgt bjorn 'Pässwörd-€1x'
samba-tool user disable bjorn -s "$SIPSA_AD_DC_CONF" >"$T/st.out" 2>&1 ||
    fail "samba-tool user disable bjorn: $(cat "$T/st.out")"
krb bjorn bjorn
[ "$RC" -ne 0 ] || fail "bjorn signed in with his ticket, disabled"
expect_out '403' "bjorn disabled"
wait_log "sign-in refused sa=[0-9A-F]+ user=bjorn@$R .*account disabled in the directory"
# Expired, and locked out, after their tickets were issued: refused too.
for u in eve mal; do
	samba-tool user create "$u" "${u}Passw0rd!x" -s "$SIPSA_AD_DC_CONF" \
	    >"$T/st.out" 2>&1 || fail "samba-tool user create $u: $(cat "$T/st.out")"
	tgt "$u" "${u}Passw0rd!x"
done
samba-tool user setexpiry eve --days=0 -s "$SIPSA_AD_DC_CONF" \
    >"$T/st.out" 2>&1 || fail "samba-tool user setexpiry eve: $(cat "$T/st.out")"
# Locked out: what the DC writes after too many wrong passwords (as
# scripts/sipsa-ad does for lou), written into its database.
now=$(python3 -c 'import time; print(int(time.time() * 10000000) + 116444736000000000)')
cat >"$T/lock.ldif" <<LDIF
dn: CN=mal,CN=Users,$BASE
changetype: modify
replace: lockoutTime
lockoutTime: $now
-
replace: badPwdCount
badPwdCount: 5
LDIF
ldbmodify -H "$SIPSA_AD_DIR/dc/private/sam.ldb" --controls=relax:0 \
    "$T/lock.ldif" >"$T/st.out" 2>&1 || fail "locking mal: $(cat "$T/st.out")"
sleep 1			# accountExpires "now" is past
krb eve eve
[ "$RC" -ne 0 ] || fail "eve signed in with her ticket, expired"
expect_out '403 .*account expired' "eve expired"
wait_log "sign-in refused sa=[0-9A-F]+ user=eve@$R .*account expired in the directory"
krb mal mal
[ "$RC" -ne 0 ] || fail "mal signed in with his ticket, locked out"
expect_out '403 .*account locked out' "mal locked out"
wait_log "sign-in refused sa=[0-9A-F]+ user=mal@$R .*account locked out in the directory"
log "eve (expired) and mal (locked out) refused with tickets from before"

# carol signs in and stays registered, sending nothing more (-k); she is
# disabled: her SA ends when the periodic lookup of accounts with SAs
# (every cache-ttl / 2) finds her entry older than cache-ttl (3 s) and
# asks the directory again.  Her opaque then answers "account disabled".
KRB5CCNAME="FILE:$T/carol.cc" client -a kerberos -k -s "127.0.0.1:$PORT" \
    "sip:carol.jones@$D"
expect_rc 0 "carol signs in and stays"
sa=$(grep -Eo "established sa=[0-9A-F]+ scheme=Kerberos .*user=carol@$R" \
    "$T/sipsad.log" | tail -n 1 | sed 's/established sa=\([0-9A-F]*\).*/\1/')
[ -n "$sa" ] || fail "no SA of carol"
samba-tool user disable carol -s "$SIPSA_AD_DC_CONF" >"$T/st.out" 2>&1 ||
    fail "samba-tool user disable carol: $(cat "$T/st.out")"
t0=$(date +%s)
wait_log "carol@ad.example.test: account disabled in the directory: [0-9]+ SAs? ended"
wait_log "ended sa=$sa user=carol@$R: ACCOUNT_DISABLED"
log "bjorn (ticket from before) refused; carol's idle SA $sa ended" \
    "$(($(date +%s) - t0)) s after she was disabled (cache-ttl 3 s)"

# ---- the DC stopped
tgt alice 'Al1cePassw0rd!'
krb alice alice.smith
expect_rc 0 "alice with Kerberos, before the DC stops"
tgt bob 'B0bPassw0rd!x'
# ADEX\bob signs in with NTLM and refreshes every second meanwhile: the
# lookups that wait for the stopped DC must not hold his answers.
printf '%s\n' 'B0bPassw0rd!x' >"$T/bobpw"
chmod 600 "$T/bobpw"
"$CLIENT" -u 'ADEX\bob' -P "$T/bobpw" -s "127.0.0.1:$PORT" -c 14 -i 1 \
    "sip:robert@$D" >"$T/bob.out" 2>&1 &
bobc=$!
stop_at_exit "$bobc"
poll 200 log_has 'established sa=[0-9A-F]+ scheme=NTLM .*user=ADEX\\bob' ||
    fail "ADEX\\bob did not sign in"
sleep 4			# alice's entry is now older than cache-ttl
ad_dc_stop
krb alice alice.smith
expect_rc 0 "alice, cached, signs in while the DC is stopped"
wait_log 'no directory server answers .*cached accounts sign in, others get 503'
krb bob bob
[ "$RC" -ne 0 ] || fail "bob, never looked up, signed in with the DC stopped"
expect_out '503' "bob: 503"
wait_log "user=bob@$R: not in the directory's cache and no directory server answers: 503"
[ "$(grep -c 'no directory server answers (' "$T/sipsad.log")" -eq 1 ] ||
    fail "more than one warning for the stopped DC"
ad_dc_cont
poll 200 sh -c "KRB5CCNAME=FILE:$T/bob.cc '$CLIENT' -a kerberos -s 127.0.0.1:$PORT sip:bob@$D >'$T/out' 2>&1" ||
    fail "bob could not sign in once the DC answered again"
wait_log 'the directory answers again'
rc=0
wait "$bobc" || rc=$?
forget_pid "$bobc"
[ "$rc" -eq 0 ] || { cat "$T/bob.out"; fail "bob's refreshes: exit $rc"; }
# The longest time between two of bob's answers while lookups waited
# (reported; the refreshes come every second).
grep "register: REGISTER .*aor=sip:robert@$D .*: 200 OK" "$T/sipsad.log" \
    >"$T/bob.ok"
cid=$(grep -o 'call-id=[^ ]*' "$T/bob.ok" | sort | uniq -c | sort -rn |
    awk 'NR == 1 { print $2 }')
gap=$(grep -F "$cid " "$T/bob.ok" |
    awk '{ split($2, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3];
	if (n++) { d = s - p; if (d > m) m = d } p = s }
	END { printf "%.3f", m }')
log "bob's 14 NTLM refreshes all answered while lookups waited for the" \
    "stopped DC; longest time between two answers: $gap s"
log "DC stopped: alice (cached) signed in, bob got 503; then bob signed in"
stop_sipsad

# ---- the DCs from DNS (directory { srv }): dnsmasq answers the SRV
# query in this network namespace, the member's /etc/resolv.conf names it.
need_tool dnsmasq
dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
    --listen-address=127.0.0.1 --port=53 --user=root \
    --srv-host="_ldap._tcp.dc._msdcs.$D,$SIPSA_AD_DC_FQDN,389,0,100" \
    --log-queries --log-facility="$T/dnsmasq.log" \
    --pid-file="$T/dnsmasq.pid" >"$T/dnsmasq.out" 2>&1 &
stop_at_exit $!
printf 'nameserver 127.0.0.1\n' >"$T/resolv.conf"
nsenter --mount="/proc/$SIPSA_AD_MEMBER_NS_PID/ns/mnt" \
    mount --bind "$T/resolv.conf" /etc/resolv.conf ||
    fail "cannot give the member namespace its resolv.conf"
sed "s|^	uri ldap://.*|	srv $D|" "$T/sipsa.conf" >"$T/sipsa.conf.new"
mv "$T/sipsa.conf.new" "$T/sipsa.conf"
grep -q "^	srv $D" "$T/sipsa.conf" || fail "no srv line in sipsa.conf"
start_sipsad
wait_log "directory DCs of $D, base $BASE"
ntlm 'ADEX\alice' 'Al1cePassw0rd!' alice.smith
expect_rc 0 "alice as alice.smith, the DC found in DNS"
wait_log 'adex\\alice: found, 1 SIP address'
grep -q "_ldap._tcp.dc._msdcs.$D" "$T/dnsmasq.log" ||
    fail "sipsad did not ask DNS: $(cat "$T/dnsmasq.log")"
log "srv $D: the DC came from the SRV record; alice signed in"
stop_sipsad
