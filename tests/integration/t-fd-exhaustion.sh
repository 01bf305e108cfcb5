#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-fd-exhaustion: sipsad out of file descriptors (doc/security.md).  With
# a hard limit of 64 descriptors, idle TCP connections use up the rest;
# Sofia's accept() then fails in a loop and nta logs "Too many open
# files" for each try: the log holds a few such lines and one count a
# second, not hundreds of thousands.  Once the connections close, NTLM
# and Kerberos sign-ins work again.
. "$top_srcdir/tests/integration/client.sh"
need_tool prlimit
SIPSAD_WRAPPER="prlimit --nofile=64:64 --"
setup
start_sipsad

python3 "$top_srcdir/tests/integration/holdconns.py" "$PORT" 200 4 \
    >"$T/hold.out" &
hold=$!
stop_at_exit "$hold"
poll 200 grep -q '^held ' "$T/hold.out" || fail "holdconns.py did not start"
wait_log 'Too many open files'
wait "$hold" || fail "holdconns.py could not open a connection"
forget_pid "$hold"
log "$(cat "$T/hold.out") connections, descriptors exhausted"

# The flood is counted, not written line by line.
poll 100 log_has 'the line before repeated [0-9]+ more times' ||
    fail "no count of the repeated line"
n=$(grep -c 'Too many open files' "$T/sipsad.log")
[ "$n" -lt 60 ] || fail "$n lines about 'Too many open files'"
log "$n log lines for the exhausted descriptors"

# Sign-ins work again.
SIPSA_PASSWORD=user1pw client -a ntlm -u user1 -d "$SIPSA_NETBIOS" -T 20 \
    -s "127.0.0.1:$PORT" -t tcp sip:user1@example.test
expect_rc 0 "NTLM after the descriptors came back"
client -a kerberos --keytab "$SIPSA_REALM_DIR/user3.keytab" -t tcp -T 20 \
    -s "127.0.0.1:$PORT" sip:user3@example.test
expect_rc 0 "Kerberos after the descriptors came back"
alive "$SIPSAD_PID" || fail "sipsad died"
log "NTLM and Kerberos sign in afterwards"
