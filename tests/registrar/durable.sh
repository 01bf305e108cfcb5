#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/registrar/durable.sh: bindings survive kill -9.  A writer registers
# endpoints one committed transaction at a time and reports each commit; it
# is killed with SIGKILL mid-run, and a second process reopens the store and
# checks that every reported binding is there and intact.  Done twice on
# the same store, so the second writer also starts from a killed one.
# The store lives in the harness's scratch directory (tests/lib.sh).
. "$(dirname "$0")/../lib.sh"
prog=$top_builddir/tests/registrar/durable
store=$T/store
mkdir "$store"

commits() { grep -c '^committed ' "$1" || true; }
# enough FILE WANT PID: WANT commits reported in FILE, or PID has ended.
enough() { [ "$(commits "$1")" -ge "$2" ] || dead "$3"; }

for round in 1 2; do
	out=$T/writer$round.out
	: >"$out"
	"$prog" write "$store" 100000000 >"$out" &
	pid=$!
	stop_at_exit "$pid"
	# Let it commit a few hundred bindings (at most 60 s), then kill it.
	want=$((round * 300))
	poll 1200 enough "$out" "$want" "$pid" ||
	    fail "writer too slow ($(commits "$out") commits)"
	[ "$(commits "$out")" -ge "$want" ] ||
	    { cat "$out" >&2; fail "writer died early"; }
	kill -KILL "$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
	forget_pid "$pid"
	# The last complete line names the last reported commit.
	last=$(grep -E '^committed [0-9]+$' "$out" | tail -n 1 | cut -d' ' -f2)
	log "round $round: writer killed after $last commits"
	"$prog" check "$store" "$last" ||
	    fail "round $round: not every one of $last bindings is intact"
	# Negative control: the checker must notice bindings that are not
	# there (two past the last report cannot have been written).
	if "$prog" check "$store" $((last + 3)) 2>/dev/null >&2; then
		fail "checker accepted missing bindings"
	fi
done
