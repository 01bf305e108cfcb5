#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Home servers: a director sipsad whose home map sends user2 to a second
# sipsad answers user2's REGISTER, once authenticated, with a signed
# 301 Moved Permanently naming the home server; sipsa-client verifies it,
# follows it and registers there with a new security association.  A user
# homed on the director itself (user1) registers at the director.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
setup
# The home server: the same realm, its own ports and state.
PORT_A=$PORT
TLS_A=$TLS_PORT
pick_ports
PORT_B=$PORT
TLS_B=$TLS_PORT
mkdir -p "$T/home/state" && chmod 700 "$T/home" "$T/home/state"
conf_template | sed -e "s|$T/state|$T/home/state|" >"$T/home.conf"
"$SIPSAD" -D -f "$T/home.conf" >>"$T/home.log" 2>&1 &
home_pid=$!
stop_at_exit "$home_pid"
poll 1200 grep -q started "$T/home.log" || fail "home sipsad did not start"

# The director: user2 lives on the home server.
PORT=$PORT_A
TLS_PORT=$TLS_A
conf_template >"$T/sipsa.conf"
cat >>"$T/sipsa.conf" <<CONF
home {
	user user2@example.test "sip:127.0.0.1:$PORT_B;transport=tcp"
	default local
}
CONF
start_sipsad

# client USER ARGS...: NTLM registration through the director (TCP).
client() {
	u=$1
	shift
	SIPSA_PASSWORD=${u}pw "$CLIENT" -v -a ntlm -u "$u" -d "$SIPSA_NETBIOS" \
	    -s 127.0.0.1 -p "$PORT_A" -t tcp "$@" "sip:$u@example.test"
}

client user2 >"$T/user2.out" 2>&1 || {
	tail -n 30 "$T/user2.out" >&2
	fail "user2 did not register through the redirect"
}
grep -q '^SIP/2.0 301 Moved Permanently' "$T/user2.out" ||
    fail "no 301 in the client's flow"
# The 301 is signed and names the home server.
sed -n '/^SIP\/2.0 301/,/^$/p' "$T/user2.out" >"$T/301.txt"
grep -Eq '^Authentication-Info: NTLM rspauth="[0-9A-F]+", srand="[0-9A-F]{8}", snum="[0-9]+"' \
    "$T/301.txt" || fail "the 301 is not signed: $(cat "$T/301.txt")"
grep -q "^Contact: <sip:127.0.0.1:$PORT_B;transport=tcp>" "$T/301.txt" ||
    fail "the 301 does not name the home server: $(cat "$T/301.txt")"
wait_log "aor=sip:user2@example.test: homed on sip:127.0.0.1:$PORT_B"
grep -Eq "REGISTER .*aor=sip:user2@example.test .*: 200 OK" "$T/home.log" ||
    fail "user2 did not register at the home server"
log_has "aor=sip:user2@example.test .*: 200 OK" &&
    fail "the director registered user2 itself"

# user1 has no entry: homed here.
client user1 >"$T/user1.out" 2>&1 || fail "user1 did not register"
grep -q '^SIP/2.0 301' "$T/user1.out" && fail "user1 was redirected"
wait_log "aor=sip:user1@example.test .*: 200 OK"
alive "$SIPSAD_PID" || fail "the director died"
alive "$home_pid" || fail "the home server died"
log "ok"
