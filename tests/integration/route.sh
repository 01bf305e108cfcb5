# SPDX-License-Identifier: BSD-2-Clause
# tests/integration/route.sh: listening sipsa-client endpoints for the
# t-route-*.sh tests; it sources client.sh (sipsa-client) and so lib.sh.
#
#   listener NAME "OPTS" USER [ARGS...]
#                         start sipsa-client --listen as USER (NTLM with
#                         the password USERpw unless OPTS say otherwise)
#                         in the background, output in $T/NAME.out, and
#                         wait until it is registered and listening;
#                         it ends after one MESSAGE or one ended call
#                         unless ARGS say --answer N
#   listener_end NAME RC  wait for it to end (bounded), expect exit RC
#   expect_lout NAME REGEX WHAT   a line of its output matches REGEX
#   no_lout NAME REGEX WHAT       no line does

. "$top_srcdir/tests/integration/client.sh"

listener() {
	name=$1
	opts=$2
	user=$3
	shift 3
	# shellcheck disable=SC2086
	SIPSA_PASSWORD=${user}pw "$CLIENT" -v -s "127.0.0.1:$PORT" $opts \
	    --listen 60 --answer 1 "$@" "sip:$user@example.test" \
	    >"$T/$name.out" 2>&1 &
	eval "${name}_pid=$!"
	stop_at_exit $!
	poll 400 grep -q '^sipsa-client: listening as ' "$T/$name.out" || {
		cat "$T/$name.out" >&2
		fail "$name: sipsa-client did not register and listen"
	}
}

listener_end() {
	eval "pid=\$${1}_pid"
	poll 1200 dead "$pid" || {
		cat "$T/$1.out" >&2
		fail "$1: sipsa-client did not end"
	}
	forget_pid "$pid"
	lrc=0
	wait "$pid" || lrc=$?
	[ "$lrc" -eq "$2" ] ||
	    { cat "$T/$1.out" >&2; fail "$1: exit $lrc, expected $2"; }
}

expect_lout() { expect_in "$T/$1.out" "$2" "$1: $3"; }
no_lout() { expect_not_in "$T/$1.out" "$2" "$1: $3"; }
