#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-sipe-im: two pidgin-sipe users exchange instant messages through sipsad
# (issue 5, item 6).  The callee signs in first and waits; the caller then
# signs in and sends a message.  SIPE opens the session with an INVITE
# that carries the text (ms-text-format); a SIPE callee does not take the
# text from there (its 200 OK does not list ms-text-format as supported),
# so after the ACK the caller sends it again in a MESSAGE, which the
# callee shows and answers with a MESSAGE inside that dialog.  Each must
# receive the other's text, neither may see a bad or a missing signature,
# both sign out cleanly, sipsad lives on.
#
# Two pairs, one after the other:
#   ntlm   user1 (NTLM, TCP)         -> user2 (NTLM, TCP)
#   mixed  user3 (Kerberos, TLS)     -> user1 (NTLM, TCP)
# so that a message also crosses from one mechanism and transport to the
# other.
#
# The realm (scripts/sipsa-realm) and sipsad come from
# tests/integration/lib.sh (setup, start_sipsad); the driver helpers from
# tests/sipe/lib.sh.  KEEP_TMP=always keeps sipsad.log and the driver logs
# (in sipe/).
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib.sh"
sipe_require

setup info
start_sipsad

# pair TAG CALLER CALLER_AUTH CALLER_TP CALLEE CALLEE_AUTH CALLEE_TP
pair() {
	tag=$1 from=$2 to=$5
	hello="hello from $from" reply="reply from $to"
	callee=$tag-$to caller=$tag-$from
	rm -f "$SIPE_WORK/$callee.rc" "$SIPE_WORK/$caller.rc"
	# The callee answers the first message it gets, then stays 3 s
	# (the caller's BYE and sign-off come in that time).
	sipe_run_user "$callee" "$to" "$6" "$7" "$(port_of "$7")" \
	    --im-reply "$reply" --im-wait 1 --linger 3 &
	pid_callee=$!
	sipe_wait_ready "$callee"
	[ ! -f "$SIPE_WORK/$callee.rc" ] ||
	    fail "$callee: exited before the message came"
	# The caller starts in a later second (sipe_next_second).
	sipe_next_second
	sipe_run_user "$caller" "$from" "$3" "$4" "$(port_of "$4")" \
	    --im-to "sip:$to@example.test" --im-text "$hello" --im-wait 1 \
	    --linger 2 &
	pid_caller=$!
	wait "$pid_caller" || true
	wait "$pid_callee" || true

	for name in "$caller" "$callee"; do
		sipe_rc "$name"
		sipe_expect_rc "$name" 0
		sipe_expect_order "$name" SIGNED-ON SIGNED-OFF
		sipe_expect_no_out "$name" ERROR
		sipe_expect_no_out "$name" IM-FAILED
		sipe_expect_no_out "$name" TIMEOUT
		sipe_expect_log "$name" 'signature of incoming message validated'
		sipe_expect_no_log "$name" 'Invalid message signature'
		sipe_expect_no_log "$name" 'message without authentication data'
		# SIPE opens an IM with g_str_has_prefix(content type) on a
		# NULL type: a GLib critical per message sent, harmless.
		sipe_expect_glib_quiet "$name" \
		    "g_str_has_prefix: assertion 'str != NULL' failed"
	done
	# The caller's message went out as an INVITE with the text, then
	# (after the 200 OK and the ACK) as a MESSAGE in that dialog ...
	sipe_expect_out "$caller" "IM-SENT to=sip:$to@example.test text=$hello"
	sipe_expect_log "$caller" "INVITE sip:$to@example.test SIP/2.0"
	sipe_expect_log "$caller" 'ms-text-format: text/plain'
	sipe_expect_log "$caller" "ACK sip:$to@example.test"
	sipe_expect_log "$caller" "MESSAGE sip:$to@example.test"
	# ... and the callee got it, through sipsad, from the caller.
	sipe_expect_out "$callee" "IM-RECEIVED from=sip:$from@example.test text=$hello"
	# The reply came back the other way, a MESSAGE in the same dialog.
	sipe_expect_out "$callee" "IM-SENT to=sip:$from@example.test text=$reply"
	sipe_expect_log "$callee" "MESSAGE sip:$from@example.test"
	sipe_expect_out "$caller" "IM-RECEIVED from=sip:$to@example.test text=$reply"
	sipe_expect_order "$caller" \
	    "IM-SENT to=sip:$to@example.test text=$hello" \
	    "IM-RECEIVED from=sip:$to@example.test text=$reply"
	alive "$SIPSAD_PID" || fail "sipsad died during $tag"
	sipe_ok "$tag: sipsad still running"
}

pair ntlm user1 ntlm tcp user2 ntlm tcp
pair mixed user3 krb5 tls user1 ntlm tcp
echo "1..$SIPE_CHECKS"
