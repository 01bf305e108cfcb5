#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sipsad under systemd (doc/systemd.md):
# - dist/sipsad.service, as built, passes systemd-analyze verify (with its
#   paths pointed at this build), and a broken copy does not;
# - the notify protocol through libsystemd, received on a NOTIFY_SOCKET of
#   our own: READY=1 once it serves, WATCHDOG=1 at half of WATCHDOG_USEC
#   from the event loop, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on
#   SIGTERM;
# - with standard error the journal (JOURNAL_STREAM names it), each line
#   starts with its syslog priority and has no time stamp of its own.
. "$top_srcdir/tests/integration/lib.sh"
need_tool systemd-analyze python3
setup

# ---- the unit
unit=$top_builddir/dist/sipsad.service
[ -f "$unit" ] || fail "$unit not built"
sbin=$(sed -n 's|^ExecStart=\(.*\)/sipsad .*|\1|p' "$unit")
etc=$(sed -n 's|^ExecStart=.* -f \(.*\)/sipsa/sipsa.conf$|\1|p' "$unit")
[ -n "$sbin" ] && [ -n "$etc" ] || fail "no ExecStart in $unit"
sed -e "s|$sbin/sipsad|$SIPSAD|g" -e "s|$etc/sipsa/|$T/|g" "$unit" \
    >"$T/sipsad.service"
out=$(systemd-analyze verify --man=no "$T/sipsad.service" 2>&1) ||
    fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify says: $out"
grep -q '^Type=notify$' "$T/sipsad.service" || fail "not Type=notify"
log "dist/sipsad.service: systemd-analyze verify passes"
# The check can fail: a copy with a mistyped directive.
sed 's/^Type=notify$/Typ=notify/' "$T/sipsad.service" >"$T/bad.service"
out=$(systemd-analyze verify --man=no "$T/bad.service" 2>&1) || :
printf '%s\n' "$out" | grep -q 'Unknown key' ||
    fail "systemd-analyze verify did not see a mistyped key: $out"

# ---- the notify protocol
N=$T/notify.log
python3 "$top_srcdir/tests/integration/notify-listen.py" \
    "$T/notify.sock" "$N" &
stop_at_exit $!
poll 100 test -S "$T/notify.sock" || fail "notify-listen did not start"
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=400000
export NOTIFY_SOCKET WATCHDOG_USEC
start_sipsad
unset NOTIFY_SOCKET WATCHDOG_USEC
poll 100 grep -q '^READY=1 STATUS=serving: ' "$N" ||
    fail "no READY=1: $(cat "$N")"
wait_log 'systemd watchdog: a ping every 200 ms'
sleep 1
pings=$(grep -c '^WATCHDOG=1$' "$N")
[ "$pings" -ge 3 ] || fail "only $pings watchdog pings in a second"
kill -HUP "$SIPSAD_PID"
wait_log 'configuration reloaded'
poll 100 sh -c "grep -n . '$N' | grep -A 100 ':RELOADING=1\$' |
    grep -q ':READY=1 STATUS=serving'" ||
    fail "no RELOADING=1 then READY=1: $(cat "$N")"
stop_sipsad
grep -q '^STOPPING=1$' "$N" || fail "no STOPPING=1: $(cat "$N")"
log "notify: READY=1, $pings watchdog pings in 1 s (WATCHDOG_USEC 400 ms)," \
    "RELOADING=1 and READY=1 on SIGHUP, STOPPING=1"

# ---- journal priorities
: >"$T/journal.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal.log")
export JOURNAL_STREAM
"$SIPSAD" -D -f "$T/sipsa.conf" 2>"$T/journal.log" &
jpid=$!
stop_at_exit "$jpid"
poll 200 grep -q 'started' "$T/journal.log" || fail "sipsad did not start"
kill -TERM "$jpid"
wait "$jpid" || :
forget_pid "$jpid"
unset JOURNAL_STREAM
expect_in "$T/journal.log" '^<5>main: sipsad .* started' "notice priority"
expect_in "$T/journal.log" '^<6>listen: listening on' "info priority"
grep -v '^<[0-7]>' "$T/journal.log" >"$T/other" &&
    fail "lines without a priority: $(head -n 3 "$T/other")"
log "journal: every line starts with <N>, e.g. $(head -n 1 "$T/journal.log")"
