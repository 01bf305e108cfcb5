#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sipsa-bench against the real sipsad: a few hundred full NTLM handshakes
# (UDP), Kerberos handshakes (TCP), signed refreshes on established SAs
# (TLS) and signed MESSAGEs between registered users (TCP), over 20 users,
# with no failure and every operation's rspauth verified.  No timing is
# asserted; the numbers belong to bench/.
. "$top_srcdir/tests/integration/lib.sh"
BENCH=$top_builddir/tools/sipsa-bench
[ -x "$BENCH" ] || fail "$BENCH not built"

# A realm of 20 users first (lib.sh's setup then finds it and keeps it).
REALM_UP=1
need_tool kdb5_util krb5kdc kadmin.local
"$REALM_TOOL" up "$T/realm" --users 20 --passwords 3 >/dev/null ||
    fail "sipsa-realm up --users 20 failed"
setup notice
start_sipsad

# bench NAME ARGS...: run it; the JSON result in $T/NAME.json.
bench() {
	name=$1
	shift
	brc=0
	"$BENCH" --realm-dir "$T/realm" --json -q "$@" >"$T/$name.json" \
	    2>"$T/$name.err" || brc=$?
	[ "$brc" -eq 0 ] ||
	    { cat "$T/$name.json" "$T/$name.err" >&2
	      fail "sipsa-bench $name exited $brc"; }
}

# check NAME COUNT: COUNT operations completed, none failed, each verified.
check() {
	python3 - "$T/$1.json" "$2" <<'EOF' || fail "$1: $(cat "$T/$1.json")"
import json, sys
r = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
ok = (r["completed"] == n and r["failed"] == 0 and not r["failures"]
      and r["setup_failed"] == 0 and r["rspauth_verified"] >= n
      and r["latency_ms"]["max"] > 0)
sys.exit(0 if ok else 1)
EOF
	log "$1: $2 operations, no failure"
}

bench ntlm --scenario ntlm --server "udp:127.0.0.1:$PORT" --count 300 \
    --concurrency 8
check ntlm 300

bench kerberos --scenario kerberos --server "tcp:127.0.0.1:$PORT" \
    --count 300 --concurrency 8
check kerberos 300

# Open loop (--rate) this time, refreshing the SAs of 20 endpoints made
# first, over TLS with the server's name checked.
bench refresh --scenario refresh --server "tls:127.0.0.1:$TLS_PORT" \
    --ca-file "$T/tls.crt" --tls-name proxy.example.test \
    --rate 200 --count 300
check refresh 300
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))
    ["setup_sas"] != 20)' "$T/refresh.json" || fail "refresh: not 20 SAs"

# Signed MESSAGEs between 20 registered endpoints (10 pairs), through
# sipsad's routing: the callee endpoint checks the server's signature on
# the forwarded MESSAGE and answers a signed 200, the caller checks the
# server's signature on the relayed 200.  NTLM SAs (the endpoints hold
# Kerberos SAs from the run above as well), over TCP.
bench message --scenario message --server "tcp:127.0.0.1:$PORT" \
    --concurrency 8 --count 300
check message 300
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]));
sys.exit(r["setup_sas"] != 20 or r["callee_verified"] != 300 or
    r["callee_refused"] != 0 or r["rspauth_verified"] < 600)' \
    "$T/message.json" || fail "message: $(cat "$T/message.json")"

# The progress file: one "EPOCH COMPLETED" line per second and at the end.
bench progress --scenario refresh --mech kerberos \
    --server "udp:127.0.0.1:$PORT" --concurrency 4 --duration 1.5 \
    --progress "$T/progress.txt"
[ "$(wc -l <"$T/progress.txt")" -ge 2 ] || fail "progress: too few lines"
tail -n 1 "$T/progress.txt" | grep -Eq '^[0-9]+\.[0-9]+ [1-9][0-9]*$' ||
    fail "progress: $(cat "$T/progress.txt")"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]));
sys.exit(r["failed"] != 0 or r["completed"] < 1)' "$T/progress.json" ||
    fail "progress: $(cat "$T/progress.json")"

# Bad usage is refused before anything is sent.
if "$BENCH" --scenario ntlm --server "udp:127.0.0.1:$PORT" \
    --realm-dir "$T/realm" --users 21 >"$T/out" 2>&1; then
	fail "--users beyond the realm was accepted"
fi
grep -q 'the realm has user1..user20' "$T/out" || fail "$(cat "$T/out")"
log "ok"
