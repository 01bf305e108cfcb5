#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-flood: what floods make sipsad hold (doc/security.md).  RSS is read
# from /proc before and after each; the bounds asserted are memory, not
# time.
# - 100,000 REGISTERs without credentials over UDP (half of them NTLM
#   first legs), as fast as one sender goes: answered statelessly, no
#   transaction kept; sipsad stays under 100 MiB and grows by < 30 MiB.
# - Signed refreshes over UDP at 1,000/s for 15 s: no nta transaction;
#   their answers are kept for retransmissions, at most udp-answers
#   (10,000 here, about 1 KiB each; the oldest go first): growth
#   < 24 MiB; none fails.
# - One TCP connection sending REGISTERs back to back and never reading:
#   once half its output queue waits, sipsad stops reading it, and
#   closes it when the queue is full or after message-timeout (3 s
#   here); growth < 20 MiB.
# - One TCP connection pipelining 20,000 REGISTERs (200 in flight) and
#   reading the answers: every one is answered, one by one, and the
#   connection stays open.
# Under AddressSanitizer (scripts/check-asan) RSS says nothing about
# sipsad's own memory (ASan keeps up to 256 MiB of freed memory in
# quarantine, and its shadow on top): there the floods run and every
# other check holds, the RSS bounds are asserted by the main pass only.
REALM_ARGS="--users 50 --passwords 3"
. "$top_srcdir/tests/integration/lib.sh"
FLOOD=$top_srcdir/tests/integration/flood.py
BENCH=$top_builddir/tools/sipsa-bench
BENCHCHECK=$top_srcdir/tests/integration/benchcheck.py
[ -x "$BENCH" ] || fail "$BENCH not built"
CONF_EXTRA='guard {
	handshake-rate 0
	source-failures 1000000
}
connections {
	udp-answers 10000
	message-timeout 3s
}'
setup notice
start_sipsad

# rss: sipsad's resident memory in KiB.
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$SIPSAD_PID/status"; }
# grown FROM TO MIB WHAT: fail when TO - FROM (KiB) is MIB MiB or more.
asan=0
! ldd "$SIPSAD" 2>/dev/null | grep -q libasan || asan=1
grown() {
	if [ "$asan" -eq 1 ]; then
		log "$4: RSS $1 -> $2 KiB (ASan build: bound not asserted)"
		return 0
	fi
	[ $(($2 - $1)) -lt $(($3 * 1024)) ] ||
	    fail "$4: RSS grew from $1 to $2 KiB (bound $3 MiB)"
	log "$4: RSS $1 -> $2 KiB (bound: +$3 MiB)"
}
# value FILE KEY: KEY=value from a flood.py report.
value() { sed -n "s/^$2=//p" "$1"; }

r0=$(rss)
python3 "$FLOOD" udp "$PORT" 100000 >"$T/udp.out"
r1=$(rss)
[ "$(value "$T/udp.out" answers)" -gt 0 ] || fail "no answer to the flood"
grown "$r0" "$r1" 30 "100000 unauthenticated UDP requests"
[ "$asan" -eq 1 ] || [ "$r1" -lt $((100 * 1024)) ] ||
    fail "RSS $r1 KiB over 100 MiB"

"$BENCH" --realm-dir "$T/realm" --json -q --scenario refresh \
    --server "udp:127.0.0.1:$PORT" --rate 1000 --duration 15 --users 50 \
    >"$T/refresh.json" 2>"$T/refresh.err" ||
	{ cat "$T/refresh.err" "$T/refresh.json" >&2
	  fail "sipsa-bench failed"; }
python3 "$BENCHCHECK" "$T/refresh.json" --count 15000 ||
    fail "refresh: $(cat "$T/refresh.json")"
r2=$(rss)
grown "$r1" "$r2" 24 "15000 signed UDP refreshes"

python3 "$FLOOD" tcp-noread "$PORT" 10 >"$T/noread.out"
r3=$(rss)
wait_log 'closed: it (does not read its answers|has not read what it was sent)'
grown "$r2" "$r3" 20 "a TCP connection that does not read"

python3 "$FLOOD" tcp-pipeline "$PORT" 20000 >"$T/pipe.out"
[ "$(value "$T/pipe.out" answers)" = 20000 ] &&
    [ "$(value "$T/pipe.out" closed)" = 0 ] ||
	fail "pipelining: $(tr '\n' ' ' <"$T/pipe.out")"
log "20000 pipelined requests answered on one connection"
alive "$SIPSAD_PID" || fail "sipsad died"
