#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-sipe-signin: the real pidgin-sipe client signs in to sipsad (issue 4,
# item 8): NTLM and Kerberos, each over TCP and over TLS, stays signed in
# for --linger seconds (default 60) while its SUBSCRIBEs are answered, and
# signs out cleanly.  For every run: exit code 0, SIGNED-ON then
# SIGNED-OFF, the client verified sipsad's signatures ("signature of
# incoming message validated") and never saw a bad one ("Invalid message
# signature") or an unsigned message it had to ignore.
#
# The realm (scripts/sipsa-realm) and sipsad come from
# tests/integration/lib.sh (setup, start_sipsad); the driver helpers from
# tests/sipe/lib.sh.
#
#   SIPE_LINGER=N    seconds to stay signed in (default 60)
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib.sh"
sipe_require
linger=${SIPE_LINGER:-60}

setup info
start_sipsad

# run NAME AUTH TRANSPORT USER[,LOGIN] DRIVER-OPTIONS...: one sign-in, run
# in the background (the runs of a wave overlap, each with its own user).
run() { sipe_run_sipsad "$@" --linger "$linger"; }

check() {
	name=$1
	sipe_rc "$name"
	sipe_expect_rc "$name" 0
	sipe_expect_order "$name" SIGNED-ON SIGNED-OFF
	sipe_expect_no_out "$name" ERROR
	sipe_expect_log "$name" 'signature of incoming message validated'
	sipe_expect_no_log "$name" 'Invalid message signature'
	sipe_expect_no_log "$name" 'message without authentication data'
	sipe_expect_glib_quiet "$name"
	# It subscribed, and signed out with a de-REGISTER.
	sipe_expect_log "$name" 'SUBSCRIBE sip:'
	sed -n '/driver: signing off/,$p' "$SIPE_WORK/$name.log" |
	    grep -q '^Expires: 0' ||
	    fail "$name: no de-REGISTER after the linger"
	sipe_ok "$name: de-REGISTER sent at sign-off"
	alive "$SIPSAD_PID" || fail "sipsad died during $name"
	sipe_ok "$name: sipsad still running"
}

# SIPE seeds its Call-ID and tag generator with the time in seconds
# (sipe_next_second).  So that each run of a wave is a distinct dialog, a
# run starts only after the previous one has sent its first REGISTER, in
# a later second.
started() { grep -q 'MESSAGE START >>>>>>>>>>' "$SIPE_WORK/$1.log" 2>/dev/null; }
stagger() {
	poll 200 started "$1" || fail "$1: no REGISTER sent within 10 s"
	sipe_next_second
}

# NTLM logs in as DOMAIN\user (user file entries are EXAMPLE\userN);
# Kerberos with the UPN, so that SIPE asks the test KDC for the TGT itself
# (sso=false: AS-REQ with the password, then TGS-REQ for sip/<fqdn>).

# Wave 1: three users at once.
run ntlm-tcp ntlm tcp "$(sipe_login user1 ntlm)" --password user1pw \
    --get-info sip:user3@example.test &
w1=$!
stagger ntlm-tcp
run ntlm-tls ntlm tls "$(sipe_login user2 ntlm)" --password user2pw &
w2=$!
stagger ntlm-tls
run krb5-tcp krb5 tcp "$(sipe_login user3 krb5)" --password user3pw &
w3=$!
wait $w1 $w2 $w3 || true
# Wave 2: Kerberos over TLS with a password, and Kerberos from the
# credential cache (--sso, no password: the TGT comes from kinit).
"$REALM_TOOL" kinit "$SIPSA_REALM_DIR" user2 || fail "kinit user2 failed"
run krb5-tls krb5 tls "$(sipe_login user1 krb5)" --password user1pw &
w1=$!
stagger krb5-tls
run krb5-sso krb5 tcp "$(sipe_login user2 krb5)" --sso &
w2=$!
wait $w1 $w2 || true

for name in ntlm-tcp ntlm-tls krb5-tcp krb5-tls krb5-sso; do
	check "$name"
done
# SIPE's "Get Info" is a signed SERVICE to the domain; the signed 501
# keeps it going (the checks above: no bad or missing signature).
sipe_expect_log ntlm-tcp 'SERVICE sip:example.test SIP/2.0'
sipe_expect_log ntlm-tcp 'process_get_info_response: SERVICE response is 501'
sipe_expect_out ntlm-tcp 'INFO-SHOWN who=sip:user3@example.test'
echo "1..$SIPE_CHECKS"
