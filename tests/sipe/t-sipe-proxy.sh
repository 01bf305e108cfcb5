#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-sipe-proxy: the real pidgin-sipe client behind proxy-role listeners
# (407, Proxy-Authenticate; doc/clients.md).  SIPE signs nothing there: it
# signs in over 407, then sends every request unsigned and answers each
# 407 with a new handshake on one shared context, still naming the opaque
# of its last SA.  Each must end in an authenticated request, never in a
# challenge loop.
#
# sipsad has registrar listeners (TCP, TLS, UDP) for the callees and four
# proxy-role listeners: TCP and TLS offering NTLM first (listen { schemes
# ntlm kerberos }), TCP and TLS with the default order (Kerberos first),
# because SIPE answers only the first Proxy-Authenticate header.  Four
# clients stay signed in at once for SIPE_LINGER seconds (default 150):
#
#   p-ntlm-tcp  user1 NTLM over TCP      IM to user5 (registrar, NTLM)
#   p-ntlm-tls  user2 NTLM over TLS       Get Info (SERVICE) of user1
#   p-krb5-tcp  user3 Kerberos over TCP
#   p-krb5-tls  user4 Kerberos over TLS  IM to user6 (registrar, NTLM)
#
# For each: exit 0, signed on and off, no error, no "too many proxy
# authentication retries", OCS 2007 mode (the three self-subscriptions of
# OCS 2007, none of the OCS 2005 ones), at least three SUBSCRIBEs answered
# by something other than a challenge (one per self-subscription).  For the IMs: the text reached the
# callee, the reply came back, the INVITE used the OCS 2007 form
# (m=message, not m=x-ms-message).  sipsad logged no challenge streak and
# is still running.
REALM_ARGS="--users 6"
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib.sh"
sipe_require
linger=${SIPE_LINGER:-150}

setup debug
P_NTLM=$(free_port)
P_NTLM_TLS=$(free_port)
P_KRB5=$(free_port)
P_KRB5_TLS=$(free_port)
cat >>"$T/sipsa.conf" <<EOF
listen tcp 127.0.0.1 $P_NTLM {
	role proxy
	schemes ntlm kerberos
}
listen tls 127.0.0.1 $P_NTLM_TLS {
	role proxy
	schemes ntlm kerberos
	certificate "$T/tls.crt"
	key "$T/tls.key"
}
listen tcp 127.0.0.1 $P_KRB5 {
	role proxy
}
listen tls 127.0.0.1 $P_KRB5_TLS {
	role proxy
	certificate "$T/tls.crt"
	key "$T/tls.key"
}
EOF
start_sipsad
# sipsad says "started" once every listener is open.
for p in $P_NTLM $P_NTLM_TLS $P_KRB5 $P_KRB5_TLS; do
	tcp_listening "$p" || fail "sipsad does not listen on $p"
done
grep -q "offers Kerberos first: SIPE answers only the first" \
    "$T/sipsad.log" || fail "no notice about the first scheme at start"
sipe_ok "sipsad says which proxy listeners offer Kerberos first"

# run NAME USER AUTH TRANSPORT PORT DRIVER-OPTIONS...: one client in the
# background against PORT, --timeout 60; its exit code goes to NAME.rc.
# Each client starts in a later second than the one before
# (sipe_next_second).
run() { sipe_run_user "$@" --timeout 60; }

# The callees sign in on the registrar listener first and answer the
# first message they get.
run c-user5 user5 ntlm tcp "$PORT" --im-reply "reply from user5" \
    --im-wait 1 --linger 3 &
w_c5=$!
sipe_wait_ready c-user5
sipe_next_second
run c-user6 user6 ntlm tcp "$PORT" --im-reply "reply from user6" \
    --im-wait 1 --linger 3 &
w_c6=$!
sipe_wait_ready c-user6
sipe_next_second
run p-ntlm-tcp user1 ntlm tcp "$P_NTLM" --im-to sip:user5@example.test \
    --im-text "hello from user1" --im-wait 1 --linger "$linger" &
w1=$!
sipe_next_second
run p-ntlm-tls user2 ntlm tls "$P_NTLM_TLS" --get-info sip:user1@example.test \
    --linger "$linger" &
w2=$!
sipe_next_second
run p-krb5-tcp user3 krb5 tcp "$P_KRB5" --linger "$linger" &
w3=$!
sipe_next_second
run p-krb5-tls user4 krb5 tls "$P_KRB5_TLS" --im-to sip:user6@example.test \
    --im-text "hello from user4" --im-wait 1 --linger "$linger" &
w4=$!
wait $w_c5 $w_c6 $w1 $w2 $w3 $w4 || true

# The first line and the CSeq method of each message in NAME's log, one
# message a line: "SIP/2.0 501 Not Implemented|SUBSCRIBE".
messages() {
	awk '/MESSAGE START/ { m = 1; first = ""; next }
	    /MESSAGE END/ { if (first != "") print first "|" cseq; m = 0;
	        next }
	    m && first == "" && NF { first = $0; next }
	    m && /^CSeq:/ { cseq = $3 }' "$SIPE_WORK/$1.log"
}

# OCS 2007 mode, by what SIPE does after sign-on.
ocs2007() {
	name=$1
	for ev in vnd-microsoft-roaming-contacts \
	    vnd-microsoft-provisioning-v2 vnd-microsoft-roaming-self; do
		sipe_expect_log "$name" "Event: $ev"
	done
	sipe_expect_no_log "$name" 'Event: presence.wpending'
	sipe_expect_no_log "$name" 'Event: vnd-microsoft-roaming-ACL'
	sipe_expect_log "$name" 'Supported: msrtc-event-categories (indicates OCS2007+)'
}

for name in p-ntlm-tcp p-ntlm-tls p-krb5-tcp p-krb5-tls; do
	sipe_rc "$name"
	sipe_expect_rc "$name" 0
	sipe_expect_order "$name" SIGNED-ON SIGNED-OFF
	sipe_expect_no_out "$name" ERROR
	sipe_expect_no_out "$name" TIMEOUT
	sipe_expect_no_out "$name" IM-FAILED
	sipe_expect_no_log "$name" 'too many proxy authentication retries'
	sipe_expect_no_log "$name" "can't generate proxy authentication"
	sipe_expect_glib_quiet "$name" \
	    "g_str_has_prefix: assertion 'str != NULL' failed"
	ocs2007 "$name"
	# Every SUBSCRIBE was answered, and not only with challenges.
	ok=$(messages "$name" | grep '^SIP/2.0 .*|SUBSCRIBE$' |
	    grep -vc '^SIP/2.0 407 ' || true)
	[ "$ok" -ge 3 ] ||
	    fail "$name: $ok SUBSCRIBEs answered other than by 407"
	sipe_ok "$name: $ok SUBSCRIBEs answered (not by a challenge)"
	# The sign-in went over 407 with Proxy-Authorization.
	sipe_expect_log "$name" 'Proxy-Authorization: '
done
ocs2007 c-user5
ocs2007 c-user6

# The IMs, both ways, in the OCS 2007 form.
im() {
	caller=$1 from=$2 callee=$3 to=$4
	sipe_rc "$callee"
	sipe_expect_rc "$callee" 0
	sipe_expect_out "$caller" "IM-SENT to=sip:$to@example.test text=hello from $from"
	sipe_expect_log "$caller" "INVITE sip:$to@example.test SIP/2.0"
	sipe_expect_log "$caller" 'm=message '
	sipe_expect_no_log "$caller" 'm=x-ms-message'
	sipe_expect_out "$callee" "IM-RECEIVED from=sip:$from@example.test text=hello from $from"
	sipe_expect_out "$caller" "IM-RECEIVED from=sip:$to@example.test text=reply from $to"
}
im p-ntlm-tcp user1 c-user5 user5
im p-krb5-tls user4 c-user6 user6

# SIPE's directory search ("Get Info") is a SERVICE to the domain: a 501
# (signed, after its handshake) that SIPE takes in its stride, counted in
# sipsad's debug log.
sipe_expect_log p-ntlm-tls 'SERVICE sip:example.test SIP/2.0'
sipe_expect_log p-ntlm-tls 'process_get_info_response: SERVICE response is 501'
sipe_expect_out p-ntlm-tls 'INFO-SHOWN who=sip:user1@example.test'
grep -q 'SERVICE call-id=.*: 501 (SERVICE requests so far: 1)' \
    "$T/sipsad.log" || fail "sipsad did not count the SERVICE request"
sipe_ok "sipsad counted the SERVICE request at debug level"

! grep -q 'challenges in a row' "$T/sipsad.log" ||
    fail "sipsad logged a challenge streak: $(grep 'challenges in a row' "$T/sipsad.log" | head -n 1)"
sipe_ok "sipsad logged no challenge streak"
alive "$SIPSAD_PID" || fail "sipsad died"
sipe_ok "sipsad still running"
echo "1..$SIPE_CHECKS"
