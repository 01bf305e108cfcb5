# SPDX-License-Identifier: BSD-2-Clause
# tests/sipe/lib.sh: what the real-client tests share: where the driver is,
# a scratch directory, free loopback ports, SIPp stand-in servers, running
# sipe-driver and checking its result lines, exit code and debug log.
# Sourced by the t-sipe-*.sh scripts (POSIX sh); make check sets
# top_srcdir and top_builddir, by hand they default to this checkout and
# the current directory.

SIPE_SRC=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$SIPE_SRC/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
SIPE_DRIVER=${SIPE_DRIVER:-$top_builddir/tests/sipe/sipe-driver}
SIPE_NAME=$(basename "$0" .sh)
SIPE_PIDS=
SIPE_SIPP_PID=
SIPE_FAILED=0
SIPE_CHECKS=0
SIPE_RC=0
PATH=$PATH:/usr/sbin:/sbin

sipe_cleanup() {
	for p in $SIPE_PIDS; do
		kill "$p" 2>/dev/null || true
	done
	for p in $SIPE_PIDS; do
		wait "$p" 2>/dev/null || true
	done
	SIPE_PIDS=
	if [ -n "${SIPE_REALM_UP:-}" ]; then
		"$top_srcdir/scripts/sipsa-realm" down "$SIPE_WORK/realm" \
		    >/dev/null 2>&1 || true
	fi
	if [ "$SIPE_FAILED" -ne 0 ] || [ -n "${SIPE_KEEP:-}" ]; then
		echo "$SIPE_NAME: logs kept in $SIPE_WORK" >&2
	else
		rm -rf "$SIPE_WORK"
	fi
}

# Sourced after tests/integration/lib.sh (which owns $T, the realm, sipsad
# and the exit trap), the driver's files go to $T/sipe; alone, this file
# makes its own scratch directory and cleans up on exit.
if [ -n "${T:-}" ]; then
	SIPE_WORK=$T/sipe
	mkdir -p "$SIPE_WORK"
else
	SIPE_WORK=$(mktemp -d "${TMPDIR:-/tmp}/$SIPE_NAME.XXXXXX")
	trap sipe_cleanup EXIT
	trap 'exit 1' INT TERM
fi

# Our own HOME, so that nothing can read or write the user's ~/.purple.
HOME=$SIPE_WORK/home
mkdir -p "$HOME"
export HOME

sipe_die() {
	echo "$SIPE_NAME: $*" >&2
	SIPE_FAILED=1
	exit 1
}

# Prints what a failed check needs to be understood, then stops the test.
sipe_fail() {
	echo "FAIL: $*" >&2
	for f in "$SIPE_WORK"/*.out; do
		[ -f "$f" ] || continue
		echo "---- $f" >&2
		tail -n 20 "$f" >&2
	done
	SIPE_FAILED=1
	# With the integration harness, its fail() adds sipsad's log.
	if [ -n "${T:-}" ] && command -v fail >/dev/null 2>&1; then
		fail "$*"
	fi
	exit 1
}

sipe_ok() {
	SIPE_CHECKS=$((SIPE_CHECKS + 1))
	echo "ok $SIPE_CHECKS - $*"
}

sipe_require() {
	[ -x "$SIPE_DRIVER" ] ||
	    sipe_die "$SIPE_DRIVER not built (make tests/sipe/sipe-driver)"
	[ -f /usr/lib/purple-2/libsipe.so ] ||
	    sipe_die "the SIPE plugin is missing: install the Debian package pidgin-sipe"
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 ||
		    sipe_die "$tool not found (scripts/install-deps installs it)"
	done
}

sipe_port_free() {
	! ss -Hltnu "( sport = :$1 )" 2>/dev/null | grep -q .
}

# A free TCP port on the loopback, in 20000..59999.
sipe_pick_port() {
	i=0
	while [ $i -lt 200 ]; do
		p=$(shuf -i 20000-59999 -n 1)
		if sipe_port_free "$p"; then
			echo "$p"
			return 0
		fi
		i=$((i + 1))
	done
	sipe_die "no free port found"
}

# sipe_wait_listen PORT PID: waits (up to 10 s) until PORT listens, while
# the process PID is alive.
sipe_wait_listen() {
	i=0
	while [ $i -lt 100 ]; do
		ss -Hltn "( sport = :$1 )" 2>/dev/null | grep -q . && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# sipe_sipp_start NAME SCENARIO: a SIPp UAS on a free port of 127.0.0.1 over
# TCP playing tests/sipe/SCENARIO, for one client connection (SIPp stops
# serving once its peer has closed the connection); its messages go to
# NAME.msg.  Sets SIPE_PORT and SIPE_SIPP_PID.
sipe_sipp_start() {
	SIPE_PORT=$(sipe_pick_port)
	sipp -sf "$SIPE_SRC/$2" -t t1 -i 127.0.0.1 -p "$SIPE_PORT" -nostdin \
	    -trace_msg -message_file "$SIPE_WORK/$1.msg" \
	    >"$SIPE_WORK/$1.sipp" 2>&1 &
	SIPE_SIPP_PID=$!
	SIPE_PIDS="$SIPE_PIDS $SIPE_SIPP_PID"
	sipe_wait_listen "$SIPE_PORT" "$SIPE_SIPP_PID" ||
	    sipe_fail "SIPp ($2) does not listen on port $SIPE_PORT: $(tail -n 5 "$SIPE_WORK/$1.sipp")"
}

# sipe_tls_start NAME BACKEND_PORT: a TLS front end (tls-relay.py) with a
# fresh self-signed certificate for 127.0.0.1, relaying to BACKEND_PORT.
# Sets SIPE_TLS_PORT.
sipe_tls_start() {
	if [ ! -f "$SIPE_WORK/tls.crt" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		    -subj "/CN=proxy.example.test" \
		    -addext "subjectAltName=DNS:proxy.example.test,IP:127.0.0.1" \
		    -keyout "$SIPE_WORK/tls.key" -out "$SIPE_WORK/tls.crt" \
		    >/dev/null 2>&1 || sipe_fail "openssl could not make a certificate"
	fi
	SIPE_TLS_PORT=$(sipe_pick_port)
	python3 "$SIPE_SRC/tls-relay.py" "$SIPE_WORK/tls.crt" \
	    "$SIPE_WORK/tls.key" "$SIPE_TLS_PORT" "$2" \
	    >"$SIPE_WORK/$1.relay" 2>&1 &
	SIPE_PIDS="$SIPE_PIDS $!"
	sipe_wait_listen "$SIPE_TLS_PORT" $! ||
	    sipe_fail "tls-relay does not listen: $(tail -n 5 "$SIPE_WORK/$1.relay")"
}

# sipe_realm_up: a throwaway realm (scripts/sipsa-realm) in the scratch
# directory, its variables exported (KRB5_CONFIG, KRB5CCNAME with a TGT of
# user1, SIPSA_REALM, SIPSA_NETBIOS, ...); stopped at exit.
sipe_realm_up() {
	SIPE_REALM_UP=1
	eval "$("$top_srcdir/scripts/sipsa-realm" up "$SIPE_WORK/realm" \
	    2>"$SIPE_WORK/realm.err")" ||
	    sipe_fail "sipsa-realm up failed: $(tail -n 5 "$SIPE_WORK/realm.err")"
}

sipe_sipp_stop() {
	kill "$SIPE_SIPP_PID" 2>/dev/null || true
	wait "$SIPE_SIPP_PID" 2>/dev/null || true
	SIPE_PIDS=$(echo "$SIPE_PIDS" | sed "s/ $SIPE_SIPP_PID\b//")
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

# sipe_run_sipsad NAME AUTH TRANSPORT USER[,LOGIN] DRIVER-OPTIONS...: one
# run against the sipsad of tests/integration/lib.sh ($PORT, or $TLS_PORT
# with the prompt for its self-signed certificate accepted), --timeout 30;
# the exit code also goes to NAME.rc, for runs in the background
# (sipe_rc NAME reads it back).
sipe_run_sipsad() {
	name=$1 auth=$2 tp=$3 user=$4
	shift 4
	port=$PORT
	if [ "$tp" = tls ]; then
		port=$TLS_PORT
		set -- "$@" --tls-accept-any
	fi
	sipe_run "$name" --user "$user" --server "127.0.0.1:$port" \
	    --transport "$tp" --auth "$auth" --timeout 30 "$@"
	echo "$SIPE_RC" >"$SIPE_WORK/$name.rc"
}

# sipe_login USER AUTH: the SIPE user name of USER of the realm
# (tests/integration/lib.sh): NTLM logs in as DOMAIN\user, Kerberos with
# the UPN (SIPE then gets its own TGT with the password).
sipe_login() {
	case $2 in
	ntlm) echo "$1@example.test,$SIPSA_NETBIOS\\$1" ;;
	krb5) echo "$1@example.test,$1@$SIPSA_REALM" ;;
	esac
}

sipe_rc() {
	SIPE_RC=$(cat "$SIPE_WORK/$1.rc" 2>/dev/null || echo 99)
}

sipe_expect_rc() {
	[ "$SIPE_RC" -eq "$2" ] ||
	    sipe_fail "$1: exit code $SIPE_RC, expected $2"
	sipe_ok "$1: exit code $2"
}

# sipe_expect_out NAME LINE: the driver printed exactly this result line.
sipe_expect_out() {
	grep -qxF -- "$2" "$SIPE_WORK/$1.out" ||
	    sipe_fail "$1: no line \"$2\" in the driver's output"
	sipe_ok "$1: prints \"$2\""
}

sipe_expect_no_out() {
	! grep -qF -- "$2" "$SIPE_WORK/$1.out" ||
	    sipe_fail "$1: the driver printed \"$2\""
	sipe_ok "$1: does not print \"$2\""
}

# sipe_expect_log NAME TEXT [COUNT]: the debug log has TEXT (at least COUNT
# lines with it).
sipe_expect_log() {
	n=$(grep -cF -- "$2" "$SIPE_WORK/$1.log" || true)
	[ "$n" -ge "${3:-1}" ] ||
	    sipe_fail "$1: \"$2\" found $n times in the client log, expected ${3:-1}"
	sipe_ok "$1: client log has \"$2\" ($n)"
}

sipe_expect_no_log() {
	! grep -qF -- "$2" "$SIPE_WORK/$1.log" ||
	    sipe_fail "$1: the client log has \"$2\""
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
	[ -z "$bad" ] || sipe_fail "$n: GLib complained: $bad"
	sipe_ok "$n: no unexpected GLib warnings"
}

# sipe_expect_order NAME FIRST SECOND: both result lines, FIRST before SECOND.
sipe_expect_order() {
	a=$(grep -nxF -- "$2" "$SIPE_WORK/$1.out" | head -n 1 | cut -d: -f1)
	b=$(grep -nxF -- "$3" "$SIPE_WORK/$1.out" | head -n 1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] ||
	    sipe_fail "$1: expected \"$2\" and then \"$3\""
	sipe_ok "$1: \"$2\" before \"$3\""
}
