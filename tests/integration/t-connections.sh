#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-connections: what one TCP connection may cost (connections { ... },
# doc/security.md).  With idle-close and message-timeout at 2 s:
#  - a connection unused for 2 s after its last activity is closed;
#  - keep-alive pings (a CRLFCRLF a second) keep it open;
#  - half a message that stops arriving is cut off after 2 s: nta answers
#    400 and the connection closes.
# With unauth-close at 6 s (keep-alives do not count for it: the pinged
# connection above has not signed in, and lives 5 s), connections on
# which nothing authenticated:
#  - one that never sends a byte is closed after 6 s;
#  - one that sends a message a byte every half second (which restarts
#    message-timeout each time) is closed after 6 s;
#  - a thousand such slow senders at once keep nobody out: a client signs
#    in over TCP while they are held, and sipsad has closed them all
#    within seconds.
. "$top_srcdir/tests/integration/client.sh"
CONF_EXTRA='connections {
	idle-close 2s
	message-timeout 2s
	unauth-close 6s
}'
setup
start_sipsad

idle() { python3 "$top_srcdir/tests/integration/tcpidle.py" "$PORT" "$@"; }

out=$(idle crlf 8)
case $out in
"closed after "[234]" s"*) ;;
*) fail "an idle connection: $out (expected closed after about 2 s)" ;;
esac
log "idle after a keep-alive: $out"

out=$(idle ping 5)
[ "$out" = "open after 5 s" ] || fail "pinged connection: $out"
log "keep-alives every second: $out"

out=$(idle partial 8)
case $out in
"closed after "[234]" s got: b'SIP/2.0 400 "*) ;;
*) fail "a stalled half message: $out (expected 400 and closed)" ;;
esac
log "half a message: $out"

out=$(idle idle 10)
case $out in
"closed after "[678]" s") ;;
*) fail "a connection that sends nothing: $out (expected closed after 6 s)" ;;
esac
log "nothing sent: $out"

out=$(idle trickle 12)
case $out in
"closed after "[678]" s"*) ;;
*) fail "a message sent a byte at a time: $out (expected closed after 6 s)" ;;
esac
log "a byte every half second: $out"

python3 "$top_srcdir/tests/integration/holdconns.py" "$PORT" 1000 12 \
    trickle >"$T/hold.out" &
hold=$!
stop_at_exit "$hold"
poll 300 grep -q '^held ' "$T/hold.out" || fail "holdconns.py did not start"
SIPSA_PASSWORD=user1pw client -a ntlm -u user1 -d "$SIPSA_NETBIOS" -T 20 \
    -s "127.0.0.1:$PORT" -t tcp sip:user1@example.test
expect_rc 0 "NTLM over TCP among 1000 slow senders"
wait "$hold" || fail "holdconns.py failed"
forget_pid "$hold"
held=$(sed -n 's/^held //p' "$T/hold.out")
closed=$(sed -n 's/^closed //p' "$T/hold.out")
[ "$held" -eq 1000 ] || fail "only $held slow connections opened"
[ "$closed" -eq "$held" ] || fail "sipsad closed $closed of $held slow senders"
log "1000 slow senders: a client signed in meanwhile; sipsad closed them all"
alive "$SIPSAD_PID" || fail "sipsad died"
