# SPDX-License-Identifier: BSD-2-Clause
# tests/sipe/lib.sh: what only the real-client tests need, on top of the
# harness (tests/lib.sh: scratch directory $T, cleanup by PID, free ports,
# realm, certificate, fail/skip, polls): where the driver is, SIPp
# stand-in servers (with a TLS front end), running sipe-driver against
# them or against the sipsad of tests/integration/lib.sh, and checking
# its result lines, exit code and debug log (sipe_expect_*, which print
# "ok N - ..." lines).  Sourced by the t-sipe-*.sh scripts (POSIX sh),
# after tests/integration/lib.sh in those that sign in to sipsad.
#
# The driver's files go to $SIPE_WORK ($T/sipe): NAME.out (result lines
# and stderr), NAME.log (debug log), NAME.rc (exit code of a background
# run), NAME.msg (SIPp's message trace).  $T is kept after a failure
# (KEEP_TMP=1 by default here); SIPE_KEEP=1 keeps it anyway.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

SIPE_SRC=$top_srcdir/tests/sipe
SIPE_DRIVER=${SIPE_DRIVER:-$top_builddir/tests/sipe/sipe-driver}
SIPE_WORK=$T/sipe
SIPE_SIPP_PID=
SIPE_CHECKS=0
SIPE_RC=0
mkdir -p "$SIPE_WORK"
[ -z "${SIPE_KEEP:-}" ] || KEEP_TMP=always
: "${KEEP_TMP:=1}"

# Our own HOME, so that nothing can read or write the user's ~/.purple.
HOME=$SIPE_WORK/home
mkdir -p "$HOME"
export HOME

# What a failed check needs to be understood: the driver's result lines.
sipe_diag() {
	for f in "$SIPE_WORK"/*.out; do
		[ -f "$f" ] || continue
		echo "---- $f"
		tail -n 20 "$f"
	done
}
on_fail sipe_diag

sipe_ok() {
	SIPE_CHECKS=$((SIPE_CHECKS + 1))
	echo "ok $SIPE_CHECKS - $*"
}

# sipe_require [TOOL...]: the driver is built (else the test fails), the
# SIPE plugin and the TOOLs are installed (else it skips, tests/lib.sh).
sipe_require() {
	[ -x "$SIPE_DRIVER" ] ||
	    fail "$SIPE_DRIVER not built (make tests/sipe/sipe-driver)"
	[ -f /usr/lib/purple-2/libsipe.so ] ||
	    skip "the SIPE plugin is missing: install the Debian package pidgin-sipe"
	need_tool "$@"
}

# sipe_sipp_start NAME SCENARIO: a SIPp UAS on a free port of 127.0.0.1 over
# TCP playing tests/sipe/SCENARIO, for one client connection (SIPp stops
# serving once its peer has closed the connection); its messages go to
# NAME.msg.  Sets SIPE_PORT and SIPE_SIPP_PID.
sipe_sipp_start() {
	SIPE_PORT=$(free_port) || exit 1
	sipp -sf "$SIPE_SRC/$2" -t t1 -i 127.0.0.1 -p "$SIPE_PORT" -nostdin \
	    -trace_msg -message_file "$SIPE_WORK/$1.msg" \
	    >"$SIPE_WORK/$1.sipp" 2>&1 &
	SIPE_SIPP_PID=$!
	stop_at_exit "$SIPE_SIPP_PID"
	wait_listen "$SIPE_PORT" "$SIPE_SIPP_PID" ||
	    fail "SIPp ($2) does not listen on port $SIPE_PORT: $(tail -n 5 "$SIPE_WORK/$1.sipp")"
}

sipe_sipp_stop() {
	stop_pid "$SIPE_SIPP_PID"
	forget_pid "$SIPE_SIPP_PID"
}

# sipe_sipp_run NAME SCENARIO DRIVER-OPTIONS...: one driver run (sipe_run)
# against a SIPp stand-in playing SCENARIO (sipe_sipp_start), which is
# stopped afterwards.
sipe_sipp_run() {
	sr_name=$1 sr_scenario=$2
	shift 2
	sipe_sipp_start "$sr_name" "$sr_scenario"
	sipe_run "$sr_name" --server "127.0.0.1:$SIPE_PORT" "$@"
	sipe_sipp_stop
}

# sipe_tls_start NAME BACKEND_PORT: a TLS front end (tls-relay.py) with a
# self-signed certificate for 127.0.0.1 (made once, tests/lib.sh
# make_cert), relaying to BACKEND_PORT.  Sets SIPE_TLS_PORT.
sipe_tls_start() {
	[ -f "$T/tls.crt" ] || make_cert
	SIPE_TLS_PORT=$(free_port) || exit 1
	python3 "$SIPE_SRC/tls-relay.py" "$T/tls.crt" "$T/tls.key" \
	    "$SIPE_TLS_PORT" "$2" >"$SIPE_WORK/$1.relay" 2>&1 &
	stop_at_exit $!
	wait_listen "$SIPE_TLS_PORT" $! ||
	    fail "tls-relay does not listen: $(tail -n 5 "$SIPE_WORK/$1.relay")"
}

# sipe_run NAME DRIVER-OPTIONS...: runs the driver; result lines go to
# NAME.out, the debug log to NAME.log, the exit code to $SIPE_RC.
sipe_run() {
	name=$1
	shift
	if "$SIPE_DRIVER" --log "$SIPE_WORK/$name.log" "$@" \
	    >"$SIPE_WORK/$name.out" 2>"$SIPE_WORK/$name.err"; then
		SIPE_RC=0
	else
		SIPE_RC=$?
	fi
	cat "$SIPE_WORK/$name.err" >>"$SIPE_WORK/$name.out"
}

# sipe_run_at NAME AUTH TRANSPORT PORT USER[,LOGIN] DRIVER-OPTIONS...: one
# run against 127.0.0.1:PORT (TLS: the prompt for a self-signed
# certificate accepted), --timeout 30 unless the options give another; the
# exit code also goes to NAME.rc, for runs in the background (sipe_rc
# NAME reads it back).
sipe_run_at() {
	name=$1 auth=$2 tp=$3 port=$4 user=$5
	shift 5
	[ "$tp" != tls ] || set -- "$@" --tls-accept-any
	sipe_run "$name" --user "$user" --server "127.0.0.1:$port" \
	    --transport "$tp" --auth "$auth" --timeout 30 "$@"
	echo "$SIPE_RC" >"$SIPE_WORK/$name.rc"
}

# sipe_run_sipsad NAME AUTH TRANSPORT USER[,LOGIN] DRIVER-OPTIONS...:
# sipe_run_at the sipsad of tests/integration/lib.sh ($PORT or $TLS_PORT).
sipe_run_sipsad() {
	rs_name=$1 rs_auth=$2 rs_tp=$3
	shift 3
	sipe_run_at "$rs_name" "$rs_auth" "$rs_tp" "$(port_of "$rs_tp")" "$@"
}

# sipe_run_user NAME USER AUTH TRANSPORT PORT DRIVER-OPTIONS...: sipe_run_at
# as USER of the realm (sipe_login) with its password, USERpw.
sipe_run_user() {
	ru_name=$1 ru_user=$2 ru_auth=$3 ru_tp=$4 ru_port=$5
	shift 5
	sipe_run_at "$ru_name" "$ru_auth" "$ru_tp" "$ru_port" \
	    "$(sipe_login "$ru_user" "$ru_auth")" --password "${ru_user}pw" "$@"
}

# sipe_login USER AUTH: the SIPE user name of USER of the realm
# (tests/lib.sh realm_up): NTLM logs in as DOMAIN\user, Kerberos with
# the UPN (SIPE then gets its own TGT with the password).
sipe_login() {
	case $2 in
	ntlm) echo "$1@example.test,$SIPSA_NETBIOS\\$1" ;;
	krb5) echo "$1@example.test,$1@$SIPSA_REALM" ;;
	esac
}

# sipe_im_pair TAG DOMAIN CALLER LOGIN PASSWORD AUTH TP CALLEE LOGIN
# PASSWORD AUTH TP: two users of DOMAIN exchange instant messages through
# the sipsad of tests/integration/lib.sh.  The callee signs in first and
# waits; the caller then signs in and sends a message, which the callee
# answers.  Each must receive the other's text, neither may see a bad or
# a missing signature, both sign out cleanly, sipsad lives on.
sipe_im_pair() {
	tag=$1 dom=$2 from=$3 to=$8
	hello="hello from $from" reply="reply from $to"
	callee=$tag-$to caller=$tag-$from
	rm -f "$SIPE_WORK/$callee.rc" "$SIPE_WORK/$caller.rc"
	# The callee answers the first message it gets, then stays 3 s
	# (the caller's BYE and sign-off come in that time).
	sipe_run_at "$callee" "${11}" "${12}" "$(port_of "${12}")" "$9" \
	    --password "${10}" --im-reply "$reply" --im-wait 1 --linger 3 &
	pid_callee=$!
	stop_at_exit "$pid_callee"
	sipe_wait_ready "$callee"
	[ ! -f "$SIPE_WORK/$callee.rc" ] ||
	    fail "$callee: exited before the message came"
	# The caller starts in a later second (sipe_next_second).
	sipe_next_second
	sipe_run_at "$caller" "$6" "$7" "$(port_of "$7")" "$4" \
	    --password "$5" --im-to "sip:$to@$dom" --im-text "$hello" \
	    --im-wait 1 --linger 2 &
	pid_caller=$!
	stop_at_exit "$pid_caller"
	wait "$pid_caller" || true
	wait "$pid_callee" || true
	forget_pid "$pid_caller"
	forget_pid "$pid_callee"

	for name in "$caller" "$callee"; do
		sipe_rc "$name"
		sipe_expect_rc "$name" 0
		sipe_expect_order "$name" SIGNED-ON SIGNED-OFF
		sipe_expect_no_out "$name" ERROR
		sipe_expect_no_out "$name" IM-FAILED
		sipe_expect_no_out "$name" TIMEOUT
		sipe_expect_log "$name" 'signature of incoming message validated'
		sipe_expect_no_log "$name" 'Invalid message signature'
		sipe_expect_no_log "$name" 'message without authentication data'
		# SIPE opens an IM with g_str_has_prefix(content type) on a
		# NULL type: a GLib critical per message sent, harmless.
		sipe_expect_glib_quiet "$name" \
		    "g_str_has_prefix: assertion 'str != NULL' failed"
	done
	# The caller's message went out as an INVITE with the text, then
	# (after the 200 OK and the ACK) as a MESSAGE in that dialog ...
	sipe_expect_out "$caller" "IM-SENT to=sip:$to@$dom text=$hello"
	sipe_expect_log "$caller" "INVITE sip:$to@$dom SIP/2.0"
	sipe_expect_log "$caller" 'ms-text-format: text/plain'
	sipe_expect_log "$caller" "ACK sip:$to@$dom"
	sipe_expect_log "$caller" "MESSAGE sip:$to@$dom"
	# ... and the callee got it, through sipsad, from the caller.
	sipe_expect_out "$callee" "IM-RECEIVED from=sip:$from@$dom text=$hello"
	# The reply came back the other way, a MESSAGE in the same dialog.
	sipe_expect_out "$callee" "IM-SENT to=sip:$from@$dom text=$reply"
	sipe_expect_log "$callee" "MESSAGE sip:$from@$dom"
	sipe_expect_out "$caller" "IM-RECEIVED from=sip:$to@$dom text=$reply"
	sipe_expect_order "$caller" \
	    "IM-SENT to=sip:$to@$dom text=$hello" \
	    "IM-RECEIVED from=sip:$to@$dom text=$reply"
	alive "$SIPSAD_PID" || fail "sipsad died during $tag"
	sipe_ok "$tag: sipsad still running"
}

sipe_rc() {
	SIPE_RC=$(cat "$SIPE_WORK/$1.rc" 2>/dev/null || echo 99)
}

# sipe_ready NAME: the background run NAME printed SIGNED-ON, or ended.
sipe_ready() {
	grep -q '^SIGNED-ON$' "$SIPE_WORK/$1.out" 2>/dev/null ||
	    [ -f "$SIPE_WORK/$1.rc" ]
}

# sipe_wait_ready NAME: sipe_ready NAME within 40 s, or the test fails.
sipe_wait_ready() {
	poll 800 sipe_ready "$1" || fail "$1: no sign-on in 40 s"
}

# sipe_next_second: until the clock shows a later second (2 s at most).
# SIPE seeds its Call-ID and tag generator with the time in seconds: two
# clients that start in the same second send the same Call-ID and From
# tag, so each client of a test starts in a later second than the last.
sipe_new_second() { [ "$(date +%s)" != "$sipe_sec" ]; }
sipe_next_second() {
	sipe_sec=$(date +%s)
	poll 40 sipe_new_second || true
}

sipe_expect_rc() {
	[ "$SIPE_RC" -eq "$2" ] ||
	    fail "$1: exit code $SIPE_RC, expected $2"
	sipe_ok "$1: exit code $2"
}

# sipe_expect_out NAME LINE: the driver printed exactly this result line.
sipe_expect_out() {
	grep -qxF -- "$2" "$SIPE_WORK/$1.out" ||
	    fail "$1: no line \"$2\" in the driver's output"
	sipe_ok "$1: prints \"$2\""
}

sipe_expect_no_out() {
	! grep -qF -- "$2" "$SIPE_WORK/$1.out" ||
	    fail "$1: the driver printed \"$2\""
	sipe_ok "$1: does not print \"$2\""
}

# sipe_expect_log NAME TEXT [COUNT]: the debug log has TEXT (at least COUNT
# lines with it).
sipe_expect_log() {
	n=$(grep -cF -- "$2" "$SIPE_WORK/$1.log" || true)
	[ "$n" -ge "${3:-1}" ] ||
	    fail "$1: \"$2\" found $n times in the client log, expected ${3:-1}"
	sipe_ok "$1: client log has \"$2\" ($n)"
}

sipe_expect_no_log() {
	! grep -qF -- "$2" "$SIPE_WORK/$1.log" ||
	    fail "$1: the client log has \"$2\""
	sipe_ok "$1: client log has no \"$2\""
}

# sipe_expect_glib_quiet NAME [TEXT...]: no GLib warning or critical in the
# log but the one the plugin always gives at sign-off and the TEXTs named
# (known harmless ones, README.md).
sipe_expect_glib_quiet() {
	n=$1
	shift
	for t in "$@"; do
		set -- "$@" -e "$t"
		shift
	done
	bad=$(grep -E '^[0-9.]+ G ' "$SIPE_WORK/$n.log" |
	    grep -vF -e "g_hash_table_destroy: assertion 'hash_table != NULL' failed" "$@" |
	    head -n 3 || true)
	[ -z "$bad" ] || fail "$n: GLib complained: $bad"
	sipe_ok "$n: no unexpected GLib warnings"
}

# sipe_expect_order NAME FIRST SECOND: both result lines, FIRST before SECOND.
sipe_expect_order() {
	a=$(grep -nxF -- "$2" "$SIPE_WORK/$1.out" | head -n 1 | cut -d: -f1)
	b=$(grep -nxF -- "$3" "$SIPE_WORK/$1.out" | head -n 1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] ||
	    fail "$1: expected \"$2\" and then \"$3\""
	sipe_ok "$1: \"$2\" before \"$3\""
}
