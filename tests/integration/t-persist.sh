#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Bindings survive sipsad: a binding made before a kill -9, and again
# before a clean restart, is listed in the 200 OK another endpoint of the
# same user gets afterwards; a binding that expired while sipsad was down
# is dropped at start.  Once with registrar { sync full } (an fsync per
# change) and once with sync none (no fsync, flushed once a second): a
# committed change is in the kernel either way, so kill -9 loses nothing.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
setup
cp "$T/sipsa.conf" "$T/base.conf"

# reg USER EPID OUT ARGS...: one NTLM registration that stays (-k).
reg() {
	u=$1 e=$2 out=$3
	shift 3
	SIPSA_PASSWORD=${u}pw "$CLIENT" -v -k -a ntlm -u "$u" \
	    -d "$SIPSA_NETBIOS" -s 127.0.0.1 -p "$PORT" -t tcp --epid "$e" \
	    "$@" "sip:$u@example.test" >"$T/$out" 2>&1 || {
		tail -n 30 "$T/$out" >&2; fail "$u ($e) did not register"; }
}
# The +sip.instance UUID registrar/ derives from an epid, as the 200 OK
# lists it.
uuid_of() {
	sed -n 's/.*+sip.instance="<urn:uuid:\([0-9a-f-]*\)>".*/\1/p' \
	    "$T/$1" | head -n 1
}
# listed OUT UUID: the last 200 OK in OUT has a Contact with UUID.
listed() {
	awk '/^SIP\/2.0 200/ { last = "" } { last = last "\n" $0 }
	    END { print last }' "$T/$1" | grep -q "^Contact:.*$2"
}
restart() {
	alive "$SIPSAD_PID" || fail "sipsad died"
	kill "-$1" "$SIPSAD_PID"
	poll 600 dead "$SIPSAD_PID" || fail "sipsad did not die on SIG$1"
	wait "$SIPSAD_PID" 2>/dev/null || true
	SIPSAD_PID=
	start_sipsad
}

# persist MODE: the scenario over a fresh store committed with sync MODE.
persist() {
	mode=$1
	# Each mode has its own store and its own log (wait_log reads the
	# whole file).
	[ -f "$T/sipsad.log" ] &&
	    mv "$T/sipsad.log" "$T/sipsad-before-$mode.log"
	{
		cat "$T/base.conf"
		cat <<CONF
registrar {
	domain example.test
	expires-min 1
	expires-jitter 0%
	store "$T/state/bindings-$mode"
	sync $mode
}
CONF
	} >"$T/sipsa.conf"
	start_sipsad
	if [ "$mode" = none ]; then
		wait_log "binding store sync none: flushed once a second"
	else
		log_has "binding store sync" &&
		    fail "sync $mode logged as another mode"
	fi

	reg user1 a1a1a1a1a1 a.out
	A=$(uuid_of a.out)
	[ -n "$A" ] || fail "sync $mode: no +sip.instance in the first 200 OK"
	# user3's only binding expires while sipsad is down (nothing else
	# writes its record, so only the sweep at start can drop it).
	reg user3 d4d4d4d4d4 d.out -e 2
	restart KILL
	reg user1 b2b2b2b2b2 b.out
	listed b.out "$A" || fail "sync $mode: binding lost by kill -9: \
$(grep '^Contact' "$T/b.out")"
	sleep 3		# wall-clock time for user3's binding to expire
	restart TERM
	wait_log "open \\(lmdb\\), 1 expired bindings dropped"
	reg user1 c3c3c3c3c3 c.out
	listed c.out "$A" || fail "sync $mode: binding lost by a restart"
	reg user3 e5e5e5e5e5 e.out
	D=$(uuid_of d.out)
	listed e.out "$D" &&
	    fail "sync $mode: the expired binding is still listed"
	stop_sipsad
	log "sync $mode: ok"
}

persist full
persist none
log "ok"
