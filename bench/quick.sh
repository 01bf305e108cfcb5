#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/quick.sh: the short regression guard of issue 16 (make
# bench-quick).  Runs bench/run-core.sh with small counts (about 15 s on
# 2 cores), then bench/profile.sh for sipsad's refresh and handshakes over
# TCP (about 40 s), and prints, for each operation, the instructions per
# operation (callgrind: stable from run to run) and the median time next to
# the figures recorded in bench/quick-baseline.txt, with their ratio; "!!"
# marks a cost that grew by half or more.  Reported, never asserted: make
# check does not run it.
#
#   bench/quick.sh            compare with bench/quick-baseline.txt
#   bench/quick.sh --record   write this run's figures as the baseline
#
# MECHBENCH names bench/mechbench (default ./bench/mechbench, run from the
# build directory); the sipsad rows need ./sipsad and ./tools/sipsa-bench
# there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
base=$here/quick-baseline.txt
out=$(mktemp /tmp/sipsa-quick.XXXXXX)
trap 'rm -f "$out"' EXIT
"$here/run-core.sh" 1000 100 10000 >"$out"

# The whole daemon per operation over TCP (bench/profile.sh: sipsad
# under callgrind, so instructions only): "sipsad scenario - ir_per_op".
daemon=
if [[ -x ./sipsad && -x ./tools/sipsa-bench ]]; then
	for sc in refresh:400 ntlm:100 kerberos:100; do
		ir=$("$here/profile.sh" --scenario "${sc%:*}" --count \
		    "${sc#*:}" | sed -n 's/.*: \([0-9]*\) instructions.*/\1/p')
		daemon+="sipsad ${sc%:*}-tcp - ${ir:-?}"$'\n'
	done
fi

# "mech op median_us ir_per_op" lines, then "mech sa heap_B_per_SA".
now=$(awk '
	$1 ~ /^(ntlm|kerberos)$/ && $2 ~ /^(handshake|sign|verify)$/ {
		print $1, $2, $3, $5
	}
	$1 ~ /^(ntlm|kerberos)$/ && $2 ~ /^[0-9]+$/ && NF >= 7 {
		print $1, "heap/SA", "-", $2
	}' "$out")
now+=$'\n'"${daemon%$'\n'}"
[[ -n $now ]] || { cat "$out" >&2; echo "quick.sh: no figures" >&2; exit 2; }

if [[ ${1:-} == --record ]]; then
	{
		echo "# bench/quick.sh --record, $(date -u '+%Y-%m-%d'):" \
		    "$(sed -n 's/^machine: //p' "$out")"
		echo "# mech operation median_us instructions_per_op" \
		    "(heap/SA: bytes)"
		echo "$now"
	} >"$base"
	echo "quick.sh: recorded in $base:"
	cat "$base"
	exit 0
fi

echo "$(sed -n 's/^machine: //p' "$out")"
echo "baseline: $(sed -n '1s/^# //p' "$base" 2>/dev/null || echo none)"
printf '%-9s %-10s %12s %12s %6s %10s %10s %6s\n' mech operation \
    'Ir/op now' recorded ratio 'us now' recorded ratio
echo "$now" | while read -r mech op us ir; do
	rec=$(awk -v m="$mech" -v o="$op" '$1 == m && $2 == o { print $3, $4 }' \
	    "$base" 2>/dev/null || true)
	rus=${rec% *} rir=${rec#* }
	awk -v m="$mech" -v o="$op" -v ir="$ir" -v rir="${rir:-}" \
	    -v us="$us" -v rus="${rus:-}" 'BEGIN {
		r1 = (rir + 0 > 0) ? ir / rir : 0
		r2 = (us != "-" && rus + 0 > 0) ? us / rus : 0
		a = (rir == "") ? "-" : rir
		b = (r1 > 0) ? sprintf("%.2f", r1) : "-"
		c = (rus == "") ? "-" : rus
		d = (r2 > 0) ? sprintf("%.2f", r2) : "-"
		e = (r1 >= 1.5 || r2 >= 1.5) ? "  !!" : ""
		printf "%-9s %-10s %12s %12s %6s %10s %10s %6s%s\n", m, o,
		    ir, a, b, us, c, d, e
	}'
done
