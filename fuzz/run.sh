#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# fuzz/run.sh: build the libFuzzer targets with clang in a separate build
# directory and run each for a bounded time.  Exits non-zero when a target
# does not build or finds a crash (the reproducer is kept in the build
# directory's artifacts/ folder).
#
# usage: fuzz/run.sh [SECONDS] [TARGET...]
#   SECONDS  run time per target (default 600; CI uses e.g. 20)
#   TARGET   fuzz_hdr fuzz_sigstr fuzz_ntlm (default: all)
# env: FUZZ_BUILDDIR (default ${TMPDIR:-/tmp}/sipsa-fuzz-$USER),
#      FUZZ_JOBS (make -j, default 2), FUZZ_NICE (default 10)
set -u

secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-fuzz_hdr fuzz_sigstr fuzz_ntlm}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILDDIR:-${TMPDIR:-/tmp}/sipsa-fuzz-$(id -un)}
jobs=${FUZZ_JOBS:-2}
nicelevel=${FUZZ_NICE:-10}
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

command -v clang >/dev/null 2>&1 || {
	echo "fuzz/run.sh: clang not found (Debian package clang)" >&2
	exit 1
}
mkdir -p "$build" || exit 1
if [ ! -f "$build/Makefile" ]; then
	(cd "$build" && "$top/configure" -q --enable-fuzz CC=clang \
	    CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $san" \
	    LDFLAGS="$san") || {
		echo "fuzz/run.sh: configure failed in $build" >&2
		exit 1
	}
fi

status=0
for t in $targets; do
	if ! make -C "$build" -j"$jobs" "fuzz/$t" >"$build/$t.build.log" 2>&1
	then
		echo "fuzz/run.sh: $t: build failed, see $build/$t.build.log" >&2
		tail -20 "$build/$t.build.log" >&2
		status=1
		continue
	fi
	# New inputs go to the work corpus; the committed seeds stay as they are.
	mkdir -p "$build/corpus/$t" "$build/artifacts"
	echo "fuzz/run.sh: $t for ${secs}s"
	nice -n "$nicelevel" "$build/fuzz/$t" -max_total_time="$secs" \
	    -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$build/artifacts/$t-" \
	    "$build/corpus/$t" "$top/fuzz/corpus/$t" >"$build/$t.log" 2>&1
	rc=$?
	grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss)' \
	    "$build/$t.log"
	tail -n 3 "$build/$t.log" | grep -E 'cov:' | tail -1
	if [ $rc -ne 0 ]; then
		echo "fuzz/run.sh: $t FAILED (exit $rc), log $build/$t.log" >&2
		grep -E 'ERROR|SUMMARY|artifact' "$build/$t.log" >&2
		status=1
	fi
done
exit $status
