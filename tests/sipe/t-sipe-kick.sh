#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-sipe-kick: sipsactl kick on a pidgin-sipe user (issue 15).  SIPE signs
# in with NTLM over TCP and stays; the administrator kicks the user: the
# SA ends, the binding goes and the connection is closed.  SIPE sees the
# server go away, connects again by itself (--reconnect 1: what Pidgin
# does after a network error), is challenged, signs in with a new SA and
# signs off cleanly later; sipsad's log shows the second handshake and
# the kick in the audit lines.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib.sh"
sipe_require
CTL=$top_builddir/tools/sipsactl
[ -x "$CTL" ] || fail "$CTL not built"

setup info
start_sipsad
sock=$T/state/control.sock

sipe_run_sipsad kick ntlm tcp "$(sipe_login user1 ntlm)" \
    --password user1pw --linger 12 --reconnect 1 &
drv=$!
stop_at_exit "$drv"
sipe_wait_ready kick
poll 200 log_has 'established sa=[0-9A-F]+ scheme=NTLM .*user=EXAMPLE\\user1' ||
    fail "user1 did not sign in"
first=$(grep -Eo 'established sa=[0-9A-F]+ scheme=NTLM .*user=EXAMPLE\\user1' \
    "$T/sipsad.log" | head -n 1 | sed 's/established sa=\([0-9A-F]*\).*/\1/')
"$CTL" -s "$sock" kick user1 >"$T/kick.out" 2>&1 ||
    fail "sipsactl kick user1: $(cat "$T/kick.out")"
log "kicked: $(cat "$T/kick.out")"
wait_log 'action=kick by=sipsactl/uid:[0-9]+ target=user1 result="1 SA ended, 1 binding removed, 1 connection closed"'
# SIPE comes back by itself: a new handshake, a new SA.
poll 400 sh -c "grep -Ec 'established sa=[0-9A-F]+ scheme=NTLM .*user=EXAMPLE.user1' '$T/sipsad.log' | grep -qx 2" ||
    fail "SIPE did not sign in again after the kick"
second=$(grep -Eo 'established sa=[0-9A-F]+ scheme=NTLM .*user=EXAMPLE\\user1' \
    "$T/sipsad.log" | tail -n 1 | sed 's/established sa=\([0-9A-F]*\).*/\1/')
[ "$first" != "$second" ] || fail "the same SA $first after the kick"
wait "$drv" || true
forget_pid "$drv"
sipe_rc kick
sipe_expect_rc kick 0
sipe_expect_order kick SIGNED-ON RECONNECTING
sipe_expect_order kick RECONNECTING SIGNED-OFF
[ "$(grep -cx SIGNED-ON "$SIPE_WORK/kick.out")" -eq 2 ] ||
    fail "kick: not two sign-ons: $(cat "$SIPE_WORK/kick.out")"
sipe_ok "kick: SIPE signed on twice, SA $first then $second"
sipe_expect_log kick 'signature of incoming message validated'
sipe_expect_no_log kick 'Invalid message signature'
stop_sipsad
echo "1..$SIPE_CHECKS"
