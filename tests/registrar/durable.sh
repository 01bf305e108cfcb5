#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/registrar/durable.sh: bindings survive kill -9.  A writer registers
# endpoints one committed transaction at a time and reports each commit; it
# is killed with SIGKILL mid-run, and a second process reopens the store and
# checks that every reported binding is there and intact.  Done twice on
# the same store, so the second writer also starts from a killed one.
set -u
prog=${top_builddir:-.}/tests/registrar/durable
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sipsa-durable-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
store=$tmp/store
mkdir "$store" || exit 1

for round in 1 2; do
	out=$tmp/writer$round.out
	: > "$out"
	"$prog" write "$store" 100000000 > "$out" &
	pid=$!
	# Let it commit a few hundred bindings (at most 60 s), then kill it.
	want=$((round * 300))
	tries=0
	while :; do
		n=$(grep -c '^committed ' "$out")
		[ "$n" -ge "$want" ] && break
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "durable.sh: writer died early" >&2
			cat "$out" >&2
			exit 1
		fi
		tries=$((tries + 1))
		if [ "$tries" -gt 600 ]; then
			echo "durable.sh: writer too slow ($n commits)" >&2
			kill -KILL "$pid"
			exit 1
		fi
		sleep 0.1
	done
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	# The last complete line names the last reported commit.
	last=$(grep -E '^committed [0-9]+$' "$out" | tail -n 1 | cut -d' ' -f2)
	echo "durable.sh: round $round: writer killed after $last commits"
	"$prog" check "$store" "$last" || exit 1
	# Negative control: the checker must notice bindings that are not
	# there (two past the last report cannot have been written).
	if "$prog" check "$store" $((last + 3)) 2>/dev/null >&2; then
		echo "durable.sh: checker accepted missing bindings" >&2
		exit 1
	fi
done
exit 0
