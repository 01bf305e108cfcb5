#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sipsactl trace (doc/sipsactl.8): a live trace of one user's SIP
# messages, both ways, with direction, transport, peer and time, as
# sipsad receives and sends them; gssapi-data cut unless "tokens" is
# asked; another user's messages not shown; trace peer by address; the
# --json stream parses; a tracer that goes away mid-stream costs nothing
# and two at once work.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
CTL=$top_builddir/tools/sipsactl
[ -x "$CTL" ] || fail "$CTL not built"
setup
start_sipsad
sock=$T/state/control.sock
wait_log "control socket $sock"

# tracer NAME ARGS...: sipsactl trace ARGS in the background, its output
# in $T/NAME.out, its messages in $T/NAME.err; waits until it traces.
tracer() {
	name=$1
	shift
	"$CTL" -s "$sock" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	eval "pid_$name=\$!"
	stop_at_exit $!
	poll 100 grep -qs 'tracing\|"trace"' "$T/$name.err" "$T/$name.out" ||
	    fail "$name: no trace started: $(cat "$T/$name.err")"
}
tracer u1 trace user1
tracer u1json --json trace user1
tracer tok trace 'EXAMPLE\user1' tokens

SIPSA_PASSWORD=user1pw client -u 'EXAMPLE\user1' -s "127.0.0.1:$PORT" \
    sip:user1@example.test
expect_rc 0 "user1 with NTLM"
SIPSA_PASSWORD=user2pw client -u 'EXAMPLE\user2' -s "127.0.0.1:$PORT" \
    sip:user2@example.test
expect_rc 0 "user2 with NTLM"
peer=$(sed -n 's/.*REGISTER .*peer=\([0-9.]*\):.*/\1/p' "$T/sipsad.log" |
    head -n 1)
[ -n "$peer" ] || fail "no client address in the log"

U=$T/u1.out
poll 100 grep -q '^SIP/2.0 200 OK' "$U" || fail "no 200 in the trace: $(cat "$U")"
expect_in "$U" "^--- [0-9T:.-]+Z <<< from $peer:[0-9]+ tcp" "an incoming line"
expect_in "$U" "^--- [0-9T:.-]+Z >>> to $peer:[0-9]+ tcp" "an outgoing line"
expect_in "$U" '^REGISTER sip:example.test SIP/2.0' "the REGISTER"
expect_in "$U" '^SIP/2.0 401 Unauthorized' "the challenge"
expect_in "$U" '^(WWW-Authenticate|Authorization): NTLM .*gssapi-data="[A-Za-z0-9+/=]{12}\.\.\.\[[0-9]+\]"' "gssapi-data cut"
expect_in "$U" 'user=EXAMPLE.user1$' "the account once signed in"
expect_not_in "$U" 'user2' "user2's messages"
n_in=$(grep -c '<<< from' "$U")
n_out=$(grep -c '>>> to' "$U")
log "trace user1: $n_in messages in, $n_out out; e.g. $(grep -m 1 '^---' "$U")"
# The tokens in full for the one who asked, and each line of --json parses.
poll 100 grep -q '^SIP/2.0 200 OK' "$T/tok.out" || fail "no 200 in tok"
expect_in "$T/tok.out" 'gssapi-data="[A-Za-z0-9+/=]{40,}"' "tokens in full"
expect_not_in "$T/tok.out" 'gssapi-data="[^"]*\.\.\.\[' "tokens not cut"
python3 -c 'import json, sys
lines = open(sys.argv[1]).read().splitlines()
first = json.loads(lines[0])
assert first["trace"] == "user" and first["who"] == "user1", first
msgs = [json.loads(l) for l in lines[1:]]
assert msgs and all(m["dir"] in ("in", "out") and m["transport"] == "tcp"
                    and m["message"] for m in msgs), msgs
' "$T/u1json.out" || fail "the --json trace: $(head -c 400 "$T/u1json.out")"
expect_in "$T/tok.err" 'tracing user EXAMPLE.user1; Ctrl-C to stop' "tok"
wait_log "action=trace by=sipsactl/uid:[0-9]+ target=user1 result=user"

# trace peer: every message of that address, user2's too.
tracer p trace peer "$peer"
SIPSA_PASSWORD=user2pw client -u 'EXAMPLE\user2' -s "127.0.0.1:$PORT" \
    sip:user2@example.test
expect_rc 0 "user2 again"
poll 100 grep -q 'user=EXAMPLE.user2' "$T/p.out" ||
    fail "trace peer $peer: no user2 message: $(head -c 400 "$T/p.out")"

# Tracers that go away mid-stream: the rest goes on.
eval "kill -INT \$pid_u1 \$pid_u1json \$pid_tok \$pid_p"
SIPSA_PASSWORD=user1pw client -u 'EXAMPLE\user1' -s "127.0.0.1:$PORT" \
    sip:user1@example.test
expect_rc 0 "user1 after the tracers left"
"$CTL" -s "$sock" status >"$T/status.out" 2>&1 ||
    fail "status after the tracers left: $(cat "$T/status.out")"
# Bad trace requests.
RC=0
"$CTL" -s "$sock" trace >"$T/out" 2>&1 || RC=$?
[ "$RC" -eq 2 ] || fail "trace without a user: exit $RC"
RC=0
"$CTL" -s "$sock" trace user1 everything >"$T/out" 2>&1 || RC=$?
[ "$RC" -eq 2 ] || fail "trace user1 everything: exit $RC"
expect_in "$T/out" 'usage: trace USER \[tokens\]' "usage"
stop_sipsad
