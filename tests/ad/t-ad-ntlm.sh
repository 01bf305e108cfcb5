#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# NTLM verified by a domain controller: sipsad runs on a domain member
# (scripts/sipsa-ad: a Samba AD DC, the member joined with net ads join,
# its own winbindd), with ntlm { users winbind }.  Each AUTHENTICATE goes
# winbind -> Netlogon -> DC; the NTLMv2 session key comes back from the DC
# and signs the answers (sipsa-client checks every rspauth).
#
# - Sign-ins: DOMAIN\user over TCP and UDP, user@domain (UPN) over TLS,
#   a password with non-ASCII characters.
# - Each refusal reaches the client as its SIP answer, with its reason in
#   the log: wrong password and unknown user (a new challenge), disabled,
#   expired password, expired account, locked out (403).
# - A stopped DC (SIGSTOP) holds only the sign-ins that need it: another
#   user's signed refreshes go on being answered while a sign-in waits for
#   it on a worker thread; a sign-in beyond winbind-queue gets 503 with
#   Retry-After: 5; winbindd gone: 503 with Retry-After: 30.
. "$top_srcdir/tests/ad/lib.sh"
. "$top_srcdir/tests/integration/client.sh"

ad_up
# One check with the DC at a time, one waiting at most: the bound on what
# sign-ins can make sipsad hold for a DC.
AD_NTLM_EXTRA="winbind-threads 1
		winbind-queue 1" ad_sipsad_conf info
start_sipsad
log "sipsad on the member ($SIPSA_AD_FQDN), ntlm users winbind"

AOR_DOMAIN=$SIPSA_AD_DNS_DOMAIN
PW_FILE=$T/pw

# signin USER PASSWORD AOR_USER [ARGS...]: sipsa-client over TCP, UDP
# (TP=udp), or TLS (TP=tls) checking the certificate.
signin() {
	h_u=$1 h_p=$2 h_a=$3
	shift 3
	printf '%s\n' "$h_p" >"$PW_FILE"
	chmod 600 "$PW_FILE"
	case ${TP:-tcp} in
	tls) set -- -t tls --ca-file "$T/tls.crt" \
	    --tls-name "$SIPSA_AD_FQDN" "$@" ;;
	udp) set -- -t udp "$@" ;;
	esac
	client -u "$h_u" -P "$PW_FILE" -s "127.0.0.1:$(port_of "${TP:-tcp}")" \
	    "$@" "sip:$h_a@$AOR_DOMAIN"
}

# ---- sign-ins
signin 'ADEX\alice' 'Al1cePassw0rd!' alice
expect_rc 0 "ADEX\\alice over TCP"
expect_out 'with NTLM over 401 .*signature verified' "alice"
wait_log 'established sa=[0-9A-F]+ scheme=NTLM .*user=ADEX\\alice'

TP=tls signin 'alice@ad.example.test' 'Al1cePassw0rd!' alice
expect_rc 0 "alice@ad.example.test (UPN) over TLS"
expect_out 'transport=tls with NTLM .*signature verified' "UPN over TLS"

TP=udp signin 'ADEX\alice' 'Al1cePassw0rd!' alice -c 2 -i 0
expect_rc 0 "ADEX\\alice over UDP"
expect_out '2 registrations, .*signature verified' "alice over UDP"

# The password is sent as UTF-16 of its UTF-8 form.
signin 'ADEX\bjorn' 'Pässwörd-€1x' bjorn -c 2 -i 0
expect_rc 0 "non-ASCII password"
expect_out '2 registrations, .*signature verified' "bjorn"
log "signed in: ADEX\\alice (TCP, UDP), alice@ad.example.test (TLS), bjorn"

# ---- refusals, each with the DC's reason
# refused USER PASSWORD AOR_USER RC ANSWER REASON NTSTATUS
refused() {
	signin "$1" "$2" "$3"
	expect_rc "$4" "$1: exit code"
	expect_out "$5" "$1: answer"
	wait_log "handshake failed .*user=ADEX\\\\$3 reason=$6 dc=\"winbind: NT_STATUS_$7 "
	log "$1: $6 ($7), the client saw: $(tail -n 1 "$T/out")"
}
refused 'ADEX\carol' 'wrong-Passw0rd' carol 2 'credential refused' \
    BAD_PASSWORD WRONG_PASSWORD
refused 'ADEX\nobody' 'Whatever1!' nobody 2 'credential refused' \
    UNKNOWN_USER NO_SUCH_USER
refused 'ADEX\dave' 'Dav3Passw0rd!x' dave 2 '403 .*account disabled' \
    ACCOUNT_DISABLED ACCOUNT_DISABLED
refused 'ADEX\erin' 'Er1nPassw0rd!x' erin 2 '403 .*password expired' \
    PASSWORD_EXPIRED PASSWORD_EXPIRED
refused 'ADEX\frank' 'Fr4nkPassw0rd!x' frank 2 '403 .*account expired' \
    ACCOUNT_EXPIRED ACCOUNT_EXPIRED
refused 'ADEX\lou' 'L0uPassw0rd!xx' lou 2 '403 .*account locked out' \
    ACCOUNT_LOCKED ACCOUNT_LOCKED_OUT

# ---- the DC stopped
# bob signs in, then refreshes (signed) every second for 12 s.
printf '%s\n' 'B0bPassw0rd!x' >"$T/bobpw"
chmod 600 "$T/bobpw"
"$CLIENT" -u 'ADEX\bob' -P "$T/bobpw" -s "127.0.0.1:$PORT" -c 13 -i 1 \
    "sip:bob@$AOR_DOMAIN" >"$T/bob.out" 2>&1 &
bob=$!
stop_at_exit "$bob"
poll 200 log_has 'established sa=[0-9A-F]+ scheme=NTLM .*user=ADEX\\bob' ||
    fail "bob did not sign in"
sleep 1
ad_dc_stop
log "DC stopped (SIGSTOP) at $(date +%T)"
# alice signs in now: her AUTHENTICATE waits for winbindd, which waits
# for the DC.  Meanwhile bob's refreshes are answered.
start=$(date +%s)
printf '%s\n' 'Al1cePassw0rd!' >"$T/alicepw"
chmod 600 "$T/alicepw"
"$CLIENT" -u 'ADEX\alice' -P "$T/alicepw" -s "127.0.0.1:$PORT" -T 40 \
    "sip:alice@$AOR_DOMAIN" >"$T/alice.out" 2>&1 &
alice=$!
stop_at_exit "$alice"
# carol meanwhile: the queue (winbind-queue 1) is full.
sleep 1
TP=tcp signin 'ADEX\carol' 'Car0lPassw0rd!' carol -v
expect_rc 6 "queue full"
expect_out '^SIP/2.0 503 ' "503 when the queue is full"
expect_out '^Retry-After: 5' "Retry-After when the queue is full"
log "a second sign-in while one waits (winbind-queue 1): 503, Retry-After: 5"
bob_rc=0
wait "$bob" || bob_rc=$?
forget_pid "$bob"
bob_end=$(date +%s)
alive "$alice" && alice_waiting=yes || alice_waiting=no
cat "$T/bob.out"
[ "$bob_rc" -eq 0 ] || fail "bob's refreshes failed while the DC was stopped"
expect_in "$T/bob.out" '13 registrations, .*signature verified' \
    "bob's 13 registrations"
log "while the DC was stopped: bob's 12 signed refreshes answered" \
    "($((bob_end - start)) s after alice's sign-in began; alice still" \
    "waiting: $alice_waiting)"
[ "$alice_waiting" = yes ] ||
    fail "alice's sign-in did not wait for the stopped DC: $(cat "$T/alice.out")"
ad_dc_cont
alice_rc=0
wait "$alice" || alice_rc=$?
forget_pid "$alice"
[ "$alice_rc" -eq 0 ] ||
    fail "alice's sign-in failed once the DC answered: $(cat "$T/alice.out")"
log "DC continued: alice's sign-in ended with exit $alice_rc after" \
    "$(($(date +%s) - start)) s: $(tail -n 1 "$T/alice.out")"

# ---- winbindd gone: 503, Retry-After
ad_member_winbind_stop
signin 'ADEX\alice' 'Al1cePassw0rd!' alice -v
expect_rc 6 "winbindd gone"
expect_out '^SIP/2.0 503 ' "503"
expect_out '^Retry-After: 30' "Retry-After"
wait_log 'handshake failed .*user=ADEX\\alice reason=DC_UNAVAILABLE dc="winbind: '
log "winbindd stopped: 503 with Retry-After: 30, reason DC_UNAVAILABLE"

stop_sipsad
