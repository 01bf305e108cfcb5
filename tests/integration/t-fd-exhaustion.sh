#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-fd-exhaustion: connections against a small descriptor limit
# (doc/security.md).  With a hard limit of 64 descriptors, sipsad keeps
# its connections under the limit less a reserve (32 and a sixteenth) and
# says so; 200 idle connections opened at once cannot exhaust the
# descriptors: each new one past the cap makes room by closing the
# unauthenticated connection that has been quiet longest.  NTLM and
# Kerberos sign in while the 200 are held and after; the log holds a
# bounded number of lines about it (20 a minute and one count), and
# nothing about running out of descriptors.  The path where accept()
# itself fails for lack of descriptors is tested with real sockets in
# tests/unit/test_conns.c.
. "$top_srcdir/tests/integration/client.sh"
need_tool prlimit
SIPSAD_WRAPPER="prlimit --nofile=64:64 --"
setup
start_sipsad
log_has 'connections: at most 28 \(of 50000 configured\)' ||
    fail "no line about the connection cap"

python3 "$top_srcdir/tests/integration/holdconns.py" "$PORT" 200 30 \
    >"$T/hold.out" &
hold=$!
stop_at_exit "$hold"
poll 200 grep -q '^held ' "$T/hold.out" || fail "holdconns.py did not start"
log "$(cat "$T/hold.out") connections opened"
wait_log 'closed to make room'

# Sign-ins work while the connections are held, and after.
signin() {
	SIPSA_PASSWORD=user1pw client -a ntlm -u user1 -d "$SIPSA_NETBIOS" \
	    -T 20 -s "127.0.0.1:$PORT" -t tcp sip:user1@example.test
	expect_rc 0 "NTLM $1"
	client -a kerberos --keytab "$SIPSA_REALM_DIR/user3.keytab" -t tcp \
	    -T 20 -s "127.0.0.1:$PORT" sip:user3@example.test
	expect_rc 0 "Kerberos $1"
}
signin "while 200 connections are held"
kill "$hold" 2>/dev/null
wait "$hold" 2>/dev/null || :
forget_pid "$hold"
signin "after the connections closed"
alive "$SIPSAD_PID" || fail "sipsad died"

# Bounded log: at most 20 lines a minute about refused connections.
n=$(grep -c 'closed to make room\|refused' "$T/sipsad.log")
[ "$n" -le 21 ] || fail "$n log lines about refused connections"
! log_has 'Too many open files|out of file descriptors' ||
    fail "sipsad ran out of descriptors"
log "NTLM and Kerberos sign in during and after; $n log lines"
