#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sipsa-bench against the real sipsad: a few hundred full NTLM handshakes
# (UDP), Kerberos handshakes (TCP), signed refreshes on established SAs
# (TLS) and signed MESSAGEs between registered users (TCP), over 20 users,
# with no failure and every operation's rspauth verified.  No timing is
# asserted; the numbers belong to bench/.

# A realm of 20 users (setup brings it up with REALM_ARGS).
REALM_ARGS="--users 20 --passwords 3"
. "$top_srcdir/tests/integration/lib.sh"
BENCH=$top_builddir/tools/sipsa-bench
BENCHCHECK=$top_srcdir/tests/integration/benchcheck.py
[ -x "$BENCH" ] || fail "$BENCH not built"
# Every generated endpoint comes from one address (doc/security.md).
CONF_EXTRA='guard {
	handshake-rate 0
	source-failures 1000000
}'
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
	python3 "$BENCHCHECK" "$T/$1.json" --count "$2" ||
	    fail "$1: $(cat "$T/$1.json")"
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
python3 "$BENCHCHECK" "$T/refresh.json" --eq setup_sas=20 ||
    fail "refresh: not 20 SAs"

# Signed MESSAGEs between 20 registered endpoints (10 pairs), through
# sipsad's routing: the callee endpoint checks the server's signature on
# the forwarded MESSAGE and answers a signed 200, the caller checks the
# server's signature on the relayed 200.  NTLM SAs (the endpoints hold
# Kerberos SAs from the run above as well), over TCP.
bench message --scenario message --server "tcp:127.0.0.1:$PORT" \
    --concurrency 8 --count 300
check message 300
python3 "$BENCHCHECK" "$T/message.json" --eq setup_sas=20 \
    --eq callee_verified=300 --eq callee_refused=0 \
    --min rspauth_verified=600 || fail "message: $(cat "$T/message.json")"

# The progress file: one "EPOCH COMPLETED" line per second and at the end.
bench progress --scenario refresh --mech kerberos \
    --server "udp:127.0.0.1:$PORT" --concurrency 4 --duration 1.5 \
    --progress "$T/progress.txt"
[ "$(wc -l <"$T/progress.txt")" -ge 2 ] || fail "progress: too few lines"
tail -n 1 "$T/progress.txt" | grep -Eq '^[0-9]+\.[0-9]+ [1-9][0-9]*$' ||
    fail "progress: $(cat "$T/progress.txt")"
python3 "$BENCHCHECK" "$T/progress.json" --eq failed=0 --min completed=1 ||
    fail "progress: $(cat "$T/progress.json")"

# Bad usage is refused before anything is sent.
if "$BENCH" --scenario ntlm --server "udp:127.0.0.1:$PORT" \
    --realm-dir "$T/realm" --users 21 >"$T/out" 2>&1; then
	fail "--users beyond the realm was accepted"
fi
grep -q 'the realm has user1..user20' "$T/out" || fail "$(cat "$T/out")"
log "ok"
