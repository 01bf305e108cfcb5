#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/run-core.sh: the core benchmark of issue 3 in one run.  Brings up a
# throwaway realm (scripts/sipsa-realm), then with bench/mechbench:
#   1. wall-clock medians of the server handshake, sign and verify for NTLM
#      and Kerberos over N runs each;
#   2. callgrind instruction counts of the same operations (collection on
#      only around the measured calls; totals / NCG per operation);
#   3. heap and RSS per established SA over NSA SAs per mechanism;
# and prints one table.  The realm is torn down by PID on exit.
#
#   bench/run-core.sh [N [NCG [NSA]]]      defaults 5000 200 100000
#   make bench                             the same from a build directory
#
# MECHBENCH names the binary (default: ./bench/mechbench, run from the build
# directory).  KEEP=DIR keeps the raw outputs in DIR.
set -euo pipefail

N=${1:-5000}
NCG=${2:-200}
NSA=${3:-100000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
MECHBENCH=${MECHBENCH:-$PWD/bench/mechbench}
[[ -x $MECHBENCH ]] || {
	echo "run-core.sh: $MECHBENCH not built (make in the build" \
	    "directory, or set MECHBENCH)" >&2
	exit 2
}
command -v valgrind >/dev/null || {
	echo "run-core.sh: valgrind is missing (apt-get install valgrind)" >&2
	exit 2
}

work=$(mktemp -d /tmp/sipsa-bench.XXXXXX)
cleanup() {
	"$top/scripts/sipsa-realm" down "$work/realm" >/dev/null 2>&1 || true
	if [[ -n ${KEEP:-} ]] && mkdir -p "$KEEP"; then
		cp "$work"/*.out "$KEEP"/ 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

eval "$("$top/scripts/sipsa-realm" up "$work/realm")"

echo "machine: $(uname -srm), $(nproc) CPUs," \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "runs:    N=$N timed, NCG=$NCG under callgrind, NSA=$NSA SAs per mechanism"
echo

"$MECHBENCH" time "$N" >"$work/time.out"
# One callgrind run; mechbench dumps once per operation, named
# "<mech>-<op>", and the dump's summary line is the measured calls only.
(cd "$work" && valgrind -q --tool=callgrind --collect-atstart=no \
    --callgrind-out-file="$work/cg.%p" "$MECHBENCH" cg "$NCG" \
    >/dev/null)
for f in "$work"/cg.*.*; do
	awk -v n="$NCG" '
	    /^desc: Trigger: Client Request: / { name = $NF }
	    /^summary: / { printf "cg %s %.0f\n", name, $2 / n }' "$f"
done >"$work/cg.out"
"$MECHBENCH" mem ntlm "$NSA" >"$work/mem.out"
"$MECHBENCH" mem kerberos "$NSA" >>"$work/mem.out"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (after)"
echo

# Field "key=value" of a line.
awk '
function val(line, key,   i, f, n) {
	n = split(line, f, " ")
	for (i = 1; i <= n; i++)
		if (index(f[i], key "=") == 1)
			return substr(f[i], length(key) + 2)
	return ""
}
FILENAME ~ /time.out$/ && $1 == "op" {
	med[$2 "-" $3] = val($0, "median_us"); p90[$2 "-" $3] = val($0, "p90_us")
}
FILENAME ~ /time.out$/ && $1 == "client" {
	cmed[$2 "-" $3] = val($0, "median_us")
}
FILENAME ~ /cg.out$/ { ir[$2] = $3 }
FILENAME ~ /mem.out$/ { mem[$2] = $0 }
END {
	target["ntlm-handshake"] = "<= 150 us"
	target["kerberos-handshake"] = "<= 100 us"
	printf "%-9s %-10s %10s %10s %10s  %s\n", "mech", "operation",
	    "median us", "p90 us", "Ir/op", "target"
	split("ntlm kerberos", m, " ")
	split("handshake sign verify", o, " ")
	for (i = 1; i <= 2; i++)
		for (j = 1; j <= 3; j++) {
			k = m[i] "-" o[j]
			printf "%-9s %-10s %10s %10s %10s  %s\n", m[i], o[j],
			    med[k], p90[k], ir[k], target[k]
		}
	printf "\n%-9s %9s %9s %7s %9s %7s %9s  %s\n", "mech", "heap B/SA",
	    "RSS B/SA", "SA", "mechanism", "bind", "accounted",
	    "target"
	for (i = 1; i <= 2; i++) {
		l = mem[m[i]]
		printf "%-9s %9s %9s %7s %9s %7s %9s  %s\n", m[i],
		    val(l, "heap_per_sa"), val(l, "rss_per_sa"),
		    val(l, "begin"), val(l, "handshake"), val(l, "bind"),
		    val(l, "accounted"), "<= 1024 B"
	}
	printf "(over %s SAs each; SA = sa_begin, mechanism = what the " \
	    "established\n context keeps, bind = endpoint index; " \
	    "accounted = sa_memory())\n", val(mem["ntlm"], "sas")
	printf "\ninitiator, for the load generator (median us): " \
	    "NTLM %s (shared cred %s), Kerberos %s (shared cred %s)\n",
	    cmed["ntlm-init"], cmed["ntlm-init-shared"],
	    cmed["kerberos-init"], cmed["kerberos-init-shared"]
}' "$work/time.out" "$work/cg.out" "$work/mem.out"
