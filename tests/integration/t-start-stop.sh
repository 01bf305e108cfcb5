#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sipsad starts on UDP, TCP and TLS, each socket answers, and SIGTERM ends
# it with status 0, leaving no process and no private files behind.  It
# takes the hard limit of file descriptors, and says how many it has.
. "$top_srcdir/tests/integration/lib.sh"

setup
start_sipsad
log "sipsad $SIPSAD_PID listening on udp+tcp $PORT, tls $TLS_PORT"

hard=$(ulimit -Hn)
soft=$(awk '/^Max open files/ { print $4 }' "/proc/$SIPSAD_PID/limits")
[ "$soft" = "$hard" ] ||
    fail "sipsad's descriptor limit is $soft, the hard limit $hard"
log_has "file descriptors: $hard" ||
    fail "no 'file descriptors: $hard' line in the log"

# Every socket belongs to this sipsad.
for spec in "t $PORT" "u $PORT" "t $TLS_PORT"; do
	set -- $spec
	ss -Hlpn"$1" "( sport = :$2 )" | grep -q "pid=$SIPSAD_PID," ||
	    fail "port $2 ($1) is not sipsad's"
done

# UDP: a request gets an answer.  TCP: a connection is accepted.  TLS: the
# handshake completes with the configured certificate.
out=$(sipreq udp OPTIONS) || fail "no answer over UDP"
expect_status "$out" 200
python3 "$top_srcdir/tests/integration/tcpconnect.py" "$PORT" ||
    fail "TCP connect refused"
subject=$(openssl s_client -connect "127.0.0.1:$TLS_PORT" </dev/null 2>/dev/null |
    openssl x509 -noout -subject 2>/dev/null) || fail "TLS handshake failed"
printf '%s\n' "$subject" | grep -q "proxy.example.test" ||
    fail "TLS certificate subject: $subject"

# The private copy of the TLS key is gone once the listeners are open.
[ -z "$(ls -A "$T/run")" ] ||
    fail "private TLS files still there: $(ls -AR "$T/run")"

pid=$SIPSAD_PID
stop_sipsad
[ ! -d "/proc/$pid" ] || fail "process $pid is still there"
wait_log "SIGTERM received"
log_has "sipsad stopped" || fail "no 'sipsad stopped' line"
listening && fail "sockets still open after exit"
log "ok"
