#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Without -d or -D sipsad detaches: the command returns at once with 0, the
# daemon writes the configured pid file, serves, and on SIGTERM removes the
# pid file and its private TLS directory.
. "$top_srcdir/tests/integration/lib.sh"

setup
pidfile=$T/sipsad.pid
sed "s|^server {|server {\n\tpid-file \"$pidfile\"|" "$T/sipsa.conf" >"$T/d.conf"
mv "$T/d.conf" "$T/sipsa.conf"
mkdir -p "$T/run"

rc=0
TMPDIR=$T/run "$SIPSAD" -f "$T/sipsa.conf" >"$T/sipsad.log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "sipsad returned $rc"
has_pidfile() { [ -s "$pidfile" ]; }
poll 400 has_pidfile || fail "no pid file $pidfile"
SIPSAD_PID=$(cat "$pidfile")
case $SIPSAD_PID in *[!0-9]*|"") fail "pid file holds '$SIPSAD_PID'" ;; esac
poll 400 listening || fail "the daemon does not listen"
ss -Hltpn "( sport = :$PORT )" | grep -q "pid=$SIPSAD_PID," ||
    fail "port $PORT is not the daemon's ($SIPSAD_PID)"
[ "$(cut -d' ' -f1 "/proc/$SIPSAD_PID/stat")" = "$SIPSAD_PID" ] ||
    fail "no process $SIPSAD_PID"
# Detached: a session of its own, parent init (or a subreaper).
sid=$(awk '{ print $6 }' "/proc/$SIPSAD_PID/stat")
[ "$sid" != "$(awk '{ print $6 }' /proc/$$/stat)" ] ||
    fail "the daemon shares the test's session"

out=$(sipreq tls OPTIONS) || fail "no answer over TLS"
expect_status "$out" 200

kill -TERM "$SIPSAD_PID"
poll 600 dead "$SIPSAD_PID" || fail "daemon still running 30 s after SIGTERM"
SIPSAD_PID=
no_pidfile() { [ ! -e "$pidfile" ]; }
poll 100 no_pidfile || fail "pid file left behind"
[ -z "$(ls -A "$T/run")" ] || fail "private TLS files left behind"
log "ok"
