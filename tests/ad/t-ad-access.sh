#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Who may sign in (access { } and a listener's rules, sipsa.conf(5)), with
# groups from the Samba DC (tokenGroups, so nested groups count):
#   access { deny user ADEX\bob; allow group sipusers; default deny }
#   TLS listener: deny group sipstaff; UDP listener: allow domain ADEX
# sipusers holds alice, bob and the group sipstaff, which holds carol;
# bjorn is in neither.  So: alice signs in (direct member); carol over TCP
# (nested), with NTLM and with Kerberos, but not over TLS (the listener's
# rule first); bob never (the user rule before the group); bjorn not over
# TCP (default deny) but over UDP (the listener's domain rule).  Each
# refusal is a 403 after the handshake, the rule named in the log only.
# Then the rules change and are reloaded: bob signs in.
. "$top_srcdir/tests/ad/lib.sh"
. "$top_srcdir/tests/integration/client.sh"

ad_up
D=$SIPSA_AD_DNS_DOMAIN
R=$SIPSA_AD_REALM
ACCESS='access {
	deny user "ADEX\\bob"
	allow group sipusers
	default deny
}'
CONF_EXTRA="$(ad_directory)
$ACCESS" AD_TLS_EXTRA='deny group sipstaff' AD_UDP_EXTRA='allow domain ADEX' \
    ad_sipsad_conf debug
start_sipsad

PW_FILE=$T/pw
# signin TP USER PASSWORD AOR_USER: sipsa-client with NTLM over TP.
signin() {
	printf '%s\n' "$3" >"$PW_FILE"
	chmod 600 "$PW_FILE"
	case $1 in
	tls) set -- "$2" "$4" -t tls --ca-file "$T/tls.crt" \
	    --tls-name "$SIPSA_AD_FQDN" ;;
	*) set -- "$2" "$4" -t "$1" ;;
	esac
	h_u=$1 h_a=$2
	shift 2
	client -u "$h_u" -P "$PW_FILE" -s "127.0.0.1:$(port_of "${TP:-tcp}")" \
	    "$@" "sip:$h_a@$D"
}
# line TEXT: the line of sipsa.conf that holds TEXT.
line() { grep -n -F -- "$1" "$T/sipsa.conf" | head -n 1 | cut -d: -f1; }
# refused WHY: a 403 to the client, and the log line with WHY.
refused() {
	[ "$RC" -ne 0 ] || fail "$1: signed in"
	expect_out '403 .*sign-in not allowed' "$1"
	wait_log "sign-in refused sa=[0-9A-F]+ user=$2 peer=[^ ]+: $3"
	log "$1: refused: $(grep -E "sign-in refused sa=[0-9A-F]+ user=$2 " \
	    "$T/sipsad.log" | tail -n 1 | sed 's/.* peer=[^ ]*: //')"
}

signin tcp 'ADEX\alice' 'Al1cePassw0rd!' alice.smith
expect_rc 0 "alice, member of sipusers"
TP=tls signin tls 'ADEX\alice' 'Al1cePassw0rd!' alice.smith
expect_rc 0 "alice over TLS"
signin tcp 'ADEX\carol' 'Car0lPassw0rd!' carol.jones
expect_rc 0 "carol, member of sipstaff inside sipusers"
wait_log 'adex\\carol: found, 1 SIP address\(es\), [0-9]+ group\(s\)'
# Kerberos: the same groups.
KRB5CCNAME="FILE:$T/carol.cc"
export KRB5CCNAME
printf '%s\n' 'Car0lPassw0rd!' | kinit "carol@$R" >"$T/kinit.out" 2>&1 ||
    fail "kinit carol: $(cat "$T/kinit.out")"
client -a kerberos -s "127.0.0.1:$PORT" "sip:carol.jones@$D"
expect_rc 0 "carol with Kerberos, nested group"
TP=tls signin tls 'ADEX\carol' 'Car0lPassw0rd!' carol.jones
refused "carol over TLS" 'ADEX\\carol' \
    "rule \"deny group sipstaff\" at $T/sipsa.conf:$(line 'deny group sipstaff')"
signin tcp 'ADEX\bob' 'B0bPassw0rd!x' bob
refused "bob" 'ADEX\\bob' \
    "rule \"deny user ADEX.bob\" at $T/sipsa.conf:$(line 'deny user')"
signin tcp 'ADEX\bjorn' 'Pässwörd-€1x' bjorn
refused "bjorn over TCP" 'ADEX\\bjorn' \
    'no rule allows it \(access \{ default deny \}\)'
TP=udp signin udp 'ADEX\bjorn' 'Pässwörd-€1x' bjorn
expect_rc 0 "bjorn over UDP: allow domain ADEX"
# The refusals came after the password was checked: no lockout counted.
! log_has 'lockout' || fail "a refusal counted toward a lockout"

# The rules change: bob's line goes; a reload applies it.
grep -v -F 'deny user "ADEX\\bob"' "$T/sipsa.conf" >"$T/sipsa.conf.new"
mv "$T/sipsa.conf.new" "$T/sipsa.conf"
kill -HUP "$SIPSAD_PID"
wait_log 'configuration reloaded'
signin tcp 'ADEX\bob' 'B0bPassw0rd!x' bob
expect_rc 0 "bob after the reload"
log "reloaded without bob's rule: bob signs in"
stop_sipsad
