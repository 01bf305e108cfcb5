#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-lockout: lockout protection (src/guard.c, sipsa.conf(5) LOCKOUT
# PROTECTION).  Wrong NTLM passwords for one account are counted; past
# guard { user-failures } the account is refused with 503 before the
# mechanism sees the attempt (the right password too), the block is logged
# once naming the account and the source, and each failed handshake names
# the account; another account from the same source still signs in; the
# account signs in again once its failures have left the window.  An
# AUTHENTICATE whose user name holds a control character is refused as a
# bad token.  (A source that signed an account in before, against an
# attack from elsewhere, needs two source addresses: tests/unit/
# test_guard.c has it.)
. "$top_srcdir/tests/integration/client.sh"
CONF_EXTRA='guard {
	user-failures 3
	source-failures 100
	window 10s
	block-time 4s
	block-max 8s
}'
setup
start_sipsad

ntlm() {
	u=$1
	pw=$2
	shift 2
	SIPSA_PASSWORD=$pw client -a ntlm -u "$u" -d "$SIPSA_NETBIOS" -T 20 \
	    -s "127.0.0.1:$PORT" "$@" "sip:$u@example.test"
}
failed_lines() {
	grep -c "handshake failed .*user=$SIPSA_NETBIOS\\\\$1 reason=BAD_PASSWORD" \
	    "$T/sipsad.log" || true
}

# Three wrong passwords: each fails at the mechanism, naming the account.
for i in 1 2 3; do
	ntlm user1 wrong
	expect_rc 2 "wrong password $i"
done
[ "$(failed_lines user1)" -eq 3 ] ||
    fail "$(failed_lines user1) failed handshakes name user1, expected 3"
wait_log "lockout: account blocked for 4 s after 3 failed sign-ins in 10 s \\(user=$SIPSA_NETBIOS\\\\user1 peer=[0-9.]+\\)"
log "three wrong passwords: the account is blocked, logged with account and source"

# The right password now: 503 before the mechanism sees it (it would
# have signed user1 in).
signed_in() {
	grep -c "established .*user=$SIPSA_NETBIOS\\\\$1\$" "$T/sipsad.log" ||
	    true
}
ntlm user1 user1pw -v
expect_rc 6 "blocked account"
expect_out 'SIP error: 503 ' "503 for a blocked account"
expect_out '^Retry-After: [1-4]$' "Retry-After"
expect_out 'too many failed sign-ins; try again later' "the Warning"
[ "$(signed_in user1)" -eq 0 ] && [ "$(failed_lines user1)" -eq 3 ] ||
    fail "the blocked attempt reached the mechanism"
n=$(grep -c 'lockout: account blocked' "$T/sipsad.log")
[ "$n" -eq 1 ] || fail "the block was logged $n times"
log "blocked: 503 with Retry-After, the mechanism never saw the attempt"

# Another account from the same source signs in.
ntlm user2 user2pw
expect_rc 0 "user2 while user1 is blocked"
log "another account from the same source: signed in"

# The block ends, and the three failures leave the window: user1 signs
# in again (polled, bounded).
user1_ok() { ntlm user1 user1pw; [ "$RC" -eq 0 ]; }
poll 150 user1_ok || fail "user1 still refused: $(tail -n 3 "$T/out")"
[ "$(signed_in user1)" -eq 1 ] || fail "user1 signed in $(signed_in user1) times"
log "after the block and the window: user1 signs in"

# A user name with a control character: a bad token, never an account.
ntlm "$(printf 'user3\001x')" user3pw
expect_rc 2 "a control character in the user name"
wait_log 'NTLM AUTHENTICATE unreadable or with a control character'
! grep -q "established .*user=.*user3" "$T/sipsad.log" ||
    fail "a name with a control character signed in"
log "a control character in the user name: refused"
