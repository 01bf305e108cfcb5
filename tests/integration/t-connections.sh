#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-connections: what one TCP connection may cost (connections { ... },
# doc/security.md).  With idle-close and message-timeout at 2 s:
#  - a connection unused for 2 s after its last activity is closed;
#  - keep-alive pings (a CRLFCRLF a second) keep it open;
#  - half a message that stops arriving is cut off after 2 s: nta answers
#    400 and the connection closes.
. "$top_srcdir/tests/integration/lib.sh"
CONF_EXTRA='connections {
	idle-close 2s
	message-timeout 2s
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
alive "$SIPSAD_PID" || fail "sipsad died"
