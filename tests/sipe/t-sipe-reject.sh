#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-sipe-reject: the real pidgin-sipe client, driven by sipe-driver over
# TCP, against a registrar that refuses REGISTER with 403 + Warning (SIPp
# plays it: uas-403.xml).  The client must report INVALID_SETTINGS with the
# Warning text ("You have been rejected by the server: ..."), the driver
# must map that to its "rejected" exit code 6, and the debug log must hold
# the SIP flow.  Proves the driver end to end with the real plugin.
. "$(dirname "$0")/lib.sh"
sipe_require sipp ss

warning='sipsa-test: registration refused by policy'
for auth in ntlm krb5 auto; do
	run=reject-$auth
	sipe_sipp_run "$run" uas-403.xml \
	    --user user1@example.test,user1@EXAMPLE.TEST --password user1pw \
	    --transport tcp --auth "$auth" --timeout 20
	sipe_expect_rc "$run" 6
	sipe_expect_out "$run" \
	    "ERROR INVALID_SETTINGS: You have been rejected by the server: $warning"
	sipe_expect_no_out "$run" SIGNED-ON
	# The flow as the client logged it: its REGISTER went out over TCP,
	# the 403 with the Warning header came back and was processed.
	sipe_expect_log "$run" 'MESSAGE START >>>>>>>>>> SIP'
	sipe_expect_log "$run" 'REGISTER sip:example.test SIP/2.0'
	sipe_expect_log "$run" 'Via: SIP/2.0/tcp 127.0.0.1:'
	sipe_expect_log "$run" 'SIP/2.0 403 Forbidden'
	sipe_expect_log "$run" "Warning: 399 127.0.0.1 \"$warning\""
	sipe_expect_log "$run" 'msg->response(403),msg->method(REGISTER)'
	# The stand-in got exactly that one REGISTER and answered it.
	grep -q '^REGISTER sip:example.test SIP/2.0' "$SIPE_WORK/$run.msg" &&
	    grep -q '^SIP/2.0 403 Forbidden' "$SIPE_WORK/$run.msg" ||
	    fail "$run: SIPp did not see the REGISTER/403 exchange"
	sipe_ok "$run: SIPp received the REGISTER and sent the 403"
done
echo "1..$SIPE_CHECKS"
