#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# auth { identity-map }: an NTLM account registers the SIP address its
# map line gives (and no other, not even its own name); an account
# without a line keeps the rule without a map (From user = account part);
# a Kerberos account is mapped through a user@REALM pattern with %u.  A
# SIGHUP with a changed map takes effect; one with a broken map keeps the
# old map and logs file:line; a broken map at start stops sipsad, and
# sipsad -n reports it.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
setup
map=$T/identity.map
cat >"$map" <<'EOF'
# The identity map of t-identity-map.sh.
EXAMPLE\user1   sip:alice.smith@example.test

*@EXAMPLE.TEST  sip:%u@example.test      # every Kerberos user
*@EXAMPLE.TEST  sip:%u.krb@example.test
EOF
sed -i "s|^\(\trealm .*\)\$|\1\n\tidentity-map \"$map\"|" "$T/sipsa.conf"
grep -q "identity-map \"$map\"" "$T/sipsa.conf" || fail "no identity-map"

out=$("$SIPSAD" -n -f "$T/sipsa.conf" 2>&1) || fail "sipsad -n: $out"
start_sipsad
wait_log "identity map $map: 3 rules"

# reg USER PASSWORD AOR: NTLM registration as DOMAIN\user over TCP.
reg() {
	SIPSA_PASSWORD=$2 client -u "$1" -s "127.0.0.1:$PORT" "$3"
}
# krb AOR: Kerberos registration of user3 from its keytab over UDP.
krb() {
	client -a kerberos --keytab "$SIPSA_REALM_DIR/user3.keytab" \
	    --principal user3@EXAMPLE.TEST -t udp \
	    -s "127.0.0.1:$PORT" "$1"
}
# user1 AOR RC WHAT: EXAMPLE\user1 registers AOR, the client exits RC.
user1() {
	reg 'EXAMPLE\user1' user1pw "$1"
	expect_rc "$2" "$3"
}
# new_map REGEX: the map from stdin, then SIGHUP and a log line.
new_map() {
	cat >"$map"
	kill -HUP "$SIPSAD_PID"
	wait_log "$1"
}
# refused WHAT ACCOUNT AOR: the last run got a 403 and the log says why.
refused() {
	expect_rc 2 "$1"
	expect_out '403 Forbidden' "$1"
	no_out 'identity map' "$1: the answer names the map"
	wait_log "identity check failed .* user=$2 from=$3: no line of the identity map $map allows it"
}

# 1. The mapped NTLM account: its address, not another, not its own name.
user1 sip:alice.smith@example.test 0 "EXAMPLE\\user1 as alice.smith"
expect_out 'signature verified .*de-registered$' "alice.smith"
wait_log 'aor=sip:alice.smith@example.test .*: 200 OK'
reg 'EXAMPLE\user1' user1pw sip:user2@example.test
refused "EXAMPLE\\user1 as user2" 'EXAMPLE\\user1' sip:user2@example.test
reg 'EXAMPLE\user1' user1pw sip:user1@example.test
refused "EXAMPLE\\user1 as user1" 'EXAMPLE\\user1' sip:user1@example.test
# The address ignores ASCII case (the account too: tests/unit).
user1 sip:Alice.Smith@Example.Test 0 "case of the address"

# 2. No line for EXAMPLE\user2: the rule without a map.
reg 'EXAMPLE\user2' user2pw sip:user2@example.test
expect_rc 0 "unmapped account, its own name"
reg 'EXAMPLE\user2' user2pw sip:alice.smith@example.test
expect_rc 2 "unmapped account, another name"
wait_log 'sa: identity check failed sa=[0-9A-F]+ reason=IDENTITY user=EXAMPLE.user2 from=alice.smith$'

# 3. Kerberos user3 through the pattern: both of its addresses.
krb sip:user3@example.test
expect_rc 0 "Kerberos user3 through *@EXAMPLE.TEST"
krb sip:user3.krb@example.test
expect_rc 0 "Kerberos user3, its second address"
wait_log 'aor=sip:user3.krb@example.test .*: 200 OK'
krb sip:user1@example.test
refused "Kerberos user3 as user1" user3@EXAMPLE.TEST sip:user1@example.test

# 4. SIGHUP with a changed map: user1 is asmith now.
new_map "identity map $map: 1 rule$" <<'EOF'
EXAMPLE\user1 sip:asmith@example.test
EOF
wait_log "configuration reloaded"
user1 sip:asmith@example.test 0 "the new map"
reg 'EXAMPLE\user1' user1pw sip:alice.smith@example.test
refused "the old line is gone" 'EXAMPLE\\user1' \
    sip:alice.smith@example.test
# No line for Kerberos users any more: the rule without a map.
krb sip:user3.krb@example.test
expect_rc 2 "user3.krb without its line"
krb sip:user3@example.test
expect_rc 0 "user3 without a line"

# 5. SIGHUP with a broken map: logged with file:line, the old map stays.
new_map "identity map $map:3: expected ACCOUNT SIP-URI" <<'EOF'
# broken on line 3
EXAMPLE\user1 sip:alice.smith@example.test
EXAMPLE\user1
EOF
wait_log "the identity map has 1 error: keeping the running configuration"
user1 sip:asmith@example.test 0 "the old map after a broken reload"
user1 sip:alice.smith@example.test 2 "the broken map was not applied"
alive "$SIPSAD_PID" || fail "sipsad died"
stop_sipsad

# 6. A broken map at start: sipsad -n and sipsad itself say file:line.
RC=0
"$SIPSAD" -n -f "$T/sipsa.conf" >"$T/out" 2>&1 || RC=$?
expect_rc 1 "sipsad -n with a broken map"
expect_out "^identity map $map:3: expected ACCOUNT SIP-URI$" "sipsad -n"
RC=0
TMPDIR=$T/run "$SIPSAD" -D -f "$T/sipsa.conf" >"$T/out" 2>&1 || RC=$?
[ "$RC" -ne 0 ] || fail "sipsad started with a broken map"
expect_out "identity map $map:3: expected ACCOUNT SIP-URI" "start"
expect_out "not starting" "start"
log "ok"
