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

# pair TAG CALLER CALLER_AUTH CALLER_TP CALLEE CALLEE_AUTH CALLEE_TP:
# users of the realm, with their passwords (userNpw).
pair() {
	sipe_im_pair "$1" example.test \
	    "$2" "$(sipe_login "$2" "$3")" "${2}pw" "$3" "$4" \
	    "$5" "$(sipe_login "$5" "$6")" "${5}pw" "$6" "$7"
}

pair ntlm user1 ntlm tcp user2 ntlm tcp
pair mixed user3 krb5 tls user1 ntlm tcp
echo "1..$SIPE_CHECKS"
