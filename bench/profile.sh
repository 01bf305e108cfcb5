#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/profile.sh: instructions per operation of sipsad itself, under
# callgrind, for one sipsa-bench scenario over one transport.
#
#   bench/profile.sh [--scenario refresh|ntlm|kerberos|message]
#       [--transport udp|tcp|tls] [--count N] [--keep DIR]
#
# Run from a configured build directory.  sipsad runs under
# valgrind --tool=callgrind twice, with the same set-up (a throwaway realm,
# USERS users, the scenario's handshakes), once for N and once for 2N
# operations; the difference of the two totals over N is what one more
# operation costs, with start, set-up and exit cancelled out.  The second
# run's profile is kept as DIR/callgrind.out (callgrind_annotate
# --inclusive=yes reads it).  Counts are user space only: system calls are
# one instruction each.  A few minutes; not in `make check`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
scenario=refresh transport=tcp count=2000 keep= users=20

while [[ $# -gt 0 ]]; do
	case $1 in
	--scenario) scenario=$2; shift 2 ;;
	--transport) transport=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	--users) users=$2; shift 2 ;;
	-h|--help) sed -n '3,16p' "$0"; exit 0 ;;
	*) echo "profile.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
for f in ./sipsad ./tools/sipsa-bench; do
	[[ -x $f ]] || { echo "profile.sh: run it from a build directory" \
	    "($f is missing)" >&2; exit 2; }
done
command -v valgrind >/dev/null || {
	echo "profile.sh: valgrind is missing (apt-get install valgrind)" >&2
	exit 2
}

work=$(mktemp -d /tmp/sipsa-profile.XXXXXX)
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	"$top/scripts/sipsa-realm" down "$work/realm" >/dev/null 2>&1 || true
	[[ -n $keep ]] && mkdir -p "$keep" && cp "$work"/*.out* "$keep"/ \
	    2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

eval "$("$top/scripts/sipsa-realm" up "$work/realm" --users "$users")"

port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

tls_conf=
if [[ $transport == tls ]]; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj \
	    /CN=proxy.example.test -addext \
	    subjectAltName=DNS:proxy.example.test \
	    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
	tls_conf="certificate \"$work/cert.pem\"
	key \"$work/key.pem\""
fi

# One run of sipsad under callgrind for N operations: prints its total.
run() {
	local n=$1 out=$2 p
	p=$(port)
	rm -rf "$work/state" && mkdir -m 700 "$work/state"
	cat >"$work/sipsa.conf" <<EOF
server {
	fqdn proxy.example.test
	state-dir "$work/state"
}
listen $transport 127.0.0.1 $p {
	role registrar
	$tls_conf
}
auth {
	schemes kerberos ntlm
	kerberos {
		keytab "$SIPSA_REALM_DIR/sip.keytab"
	}
	ntlm {
		users file "$SIPSA_REALM_DIR/ntlm_users.smbpasswd"
	}
}
registrar {
	sync none
}
guard {
	handshake-rate 0
	source-failures 1000000
}
log {
	target stderr
	level notice
}
EOF
	valgrind -q --tool=callgrind --callgrind-out-file="$out" \
	    ./sipsad -D -f "$work/sipsa.conf" 2>"$work/sipsad.log" &
	pid=$!
	for _ in $(seq 600); do
		grep -q "sipsad .* started" "$work/sipsad.log" 2>/dev/null &&
		    break
		sleep 0.1
	done
	./tools/sipsa-bench --scenario "$scenario" \
	    --server "$transport:127.0.0.1:$p" --realm-dir "$SIPSA_REALM_DIR" \
	    --users "$users" --concurrency 4 --count "$n" --timeout 20000 \
	    --insecure --json -q >"$work/bench-$n.json" || true
	kill -TERM "$pid"
	wait "$pid" || true
	pid=
	# Every operation done, none failed: else the count means nothing.
	if ! python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(d.get("completed") != int(sys.argv[2]) or d.get("failed"))' \
	    "$work/bench-$n.json" "$n" 2>/dev/null; then
		echo "profile.sh: sipsa-bench did not complete $n operations:" \
		    "$(head -c 400 "$work/bench-$n.json")" >&2
		grep -v "audit:" "$work/sipsad.log" | tail -8 >&2
		return 1
	fi
	awk '/^summary:/ { print $2 }' "$out"
}

a=$(run "$count" "$work/one.out") || exit 1
b=$(run $((2 * count)) "$work/callgrind.out") || exit 1
echo "scenario $scenario over $transport: $(( (b - a) / count ))" \
    "instructions per operation in sipsad ($count more operations:" \
    "$a -> $b)"
