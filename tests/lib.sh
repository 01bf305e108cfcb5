# SPDX-License-Identifier: BSD-2-Clause
# tests/lib.sh: the shell test harness, sourced by every script test:
# through tests/integration/lib.sh (sipsad) and tests/sipe/lib.sh (the
# SIPE client), or directly (tests/mech, tests/registrar, tests/conf).
# On sourcing it sets -eu, makes a private scratch directory $T (mode
# 700) and an exit trap that stops the test's processes by PID, stops its
# realm and removes $T, pass or fail.  It offers:
#
#   log, fail, skip, need_tool   messages, failure reporting and the skip
#                           rule: a missing tool skips (exit 77), but
#                           fails when CI=true
#   on_fail, on_exit        hooks of the libraries built on this one
#   poll, dead, alive       bounded polls, never fixed sleeps
#   stop_pid, stop_at_exit, forget_pid   processes, by PID only
#   free_port, port_free, tcp_listening, wait_listen   loopback ports
#   realm_up, make_cert     a throwaway realm (scripts/sipsa-realm) and a
#                           self-signed certificate, both in $T
#   expect_status, expect_header, expect_in, expect_not_in   expectations
#
# Environment from make check: top_srcdir, top_builddir (absolute); by
# hand they default to this checkout and the current directory.
# KEEP_TMP=1 keeps the directory of a failed test, KEEP_TMP=always of
# every test.  TEST_NAME (default: the script's name without .sh) names
# the test in messages and in the directory's name.
#
# Names of the form h_* are the harness's own variables.

[ -z "${SIPSA_HARNESS:-}" ] || return 0
SIPSA_HARNESS=1

set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
: "${TEST_NAME:=$(basename "$0" .sh)}"
REALM_TOOL=$top_srcdir/scripts/sipsa-realm
PATH=$PATH:/usr/sbin:/sbin

T=
REALM_UP=
EXTRA_PIDS=		# processes to stop at exit (stop_at_exit adds to it)
h_fail_hooks=
h_exit_hooks=

log() { printf '%s\n' "$TEST_NAME: $*"; }

# on_fail FUNCTION: when the test fails, FUNCTION prints (on stderr) what
# the failure needs to be understood: a daemon's log, a client's output.
on_fail() { h_fail_hooks="$h_fail_hooks $1"; }

# on_exit FUNCTION: FUNCTION runs first at exit, pass or fail, before the
# processes of stop_at_exit are stopped; it may set rc, the exit status.
on_exit() { h_exit_hooks="$h_exit_hooks $1"; }

fail() {
	echo "$TEST_NAME: FAIL: $*" >&2
	for h_f in $h_fail_hooks; do
		"$h_f" >&2 || true
	done
	exit 1
}

# A missing tool skips the test, except in CI where nothing may be skipped.
skip() {
	if [ "${CI:-}" = true ]; then
		fail "$* (CI=true: skipping is not allowed)"
	fi
	echo "$TEST_NAME: SKIP: $*"
	exit 77
}

need_tool() {
	for h_t in "$@"; do
		command -v "$h_t" >/dev/null 2>&1 || skip "$h_t is not installed"
	done
}

# poll N CMD...: run CMD every 50 ms until it succeeds, at most N times.
poll() {
	h_n=$1
	shift
	while [ "$h_n" -gt 0 ]; do
		if "$@"; then
			return 0
		fi
		h_n=$((h_n - 1))
		sleep 0.05
	done
	return 1
}

# A child that has exited but is not reaped yet (zombie) counts as dead.
dead() {
	! kill -0 "$1" 2>/dev/null ||
	    grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}
alive() { ! dead "$1"; }

# stop_pid PID: SIGTERM, wait up to 30 s, then SIGKILL; the exit status
# of PID (a child of this shell) goes to STOP_STATUS.
STOP_STATUS=0
stop_pid() {
	STOP_STATUS=0
	kill -TERM "$1" 2>/dev/null || true
	poll 600 dead "$1" || kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || STOP_STATUS=$?
}

# stop_at_exit PID...: stop these background processes at exit (those
# still running).  forget_pid PID: not PID any more (the test stopped it
# itself: its number may be reused).
stop_at_exit() { EXTRA_PIDS="$EXTRA_PIDS $*"; }
forget_pid() {
	h_rest=
	for h_p in $EXTRA_PIDS; do
		[ "$h_p" = "$1" ] || h_rest="$h_rest $h_p"
	done
	EXTRA_PIDS=$h_rest
}

h_exit() {
	rc=$?
	set +e
	for h_f in $h_exit_hooks; do
		"$h_f"
	done
	for h_p in $EXTRA_PIDS; do
		kill -TERM "$h_p" 2>/dev/null
	done
	for h_p in $EXTRA_PIDS; do
		stop_pid "$h_p" >/dev/null 2>&1
	done
	if [ -n "$REALM_UP" ]; then
		"$REALM_TOOL" down "$T/realm" >/dev/null 2>&1
	fi
	if [ -n "$T" ]; then
		if { [ $rc -ne 0 ] && [ $rc -ne 77 ] &&
		    [ -n "${KEEP_TMP:-}" ]; } || [ "${KEEP_TMP:-}" = always ]; then
			echo "$TEST_NAME: kept $T" >&2
		else
			rm -rf "$T"
		fi
	fi
	exit $rc
}
trap h_exit EXIT
trap 'exit 130' INT TERM HUP

T=$(mktemp -d "${TMPDIR:-/tmp}/sipsa-$TEST_NAME.XXXXXX")
chmod 700 "$T"

# Ports (ss, from iproute2: a test that picks ports needs need_tool ss).
# port_free counts every socket on the port, not only listeners: a
# connection's local port blocks a later bind() as well.
port_free() {
	! ss -Hatnu "( sport = :$1 )" 2>/dev/null | grep -q .
}
tcp_listening() {
	ss -Hltn "( sport = :$1 )" 2>/dev/null | grep -q .
}

# free_port [N]: prints a port P such that the N ports from P (1 by
# default) are free on the loopback, for TCP and UDP.  P is drawn outside
# the kernel's ephemeral range (net.ipv4.ip_local_port_range), where the
# outgoing connections of tests running at the same time take their
# local ports: below it when at least 5000 ports are there, else above.
free_port() {
	read -r h_lo h_hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null ||
	    { h_lo=32768; h_hi=60999; }
	if [ "$h_lo" -ge 15000 ]; then
		h_base=10000 h_span=$((h_lo - 10000 - ${1:-1}))
	else
		h_base=$((h_hi + 1)) h_span=$((65535 - h_hi - ${1:-1}))
	fi
	[ "$h_span" -gt 100 ] || h_base=20000 h_span=30000
	h_i=0
	while [ $h_i -lt 200 ]; do
		h_p=$(( $(od -An -N2 -tu2 /dev/urandom) % h_span + h_base ))
		h_k=0
		while [ $h_k -lt "${1:-1}" ] && port_free $((h_p + h_k)); do
			h_k=$((h_k + 1))
		done
		if [ $h_k -eq "${1:-1}" ]; then
			echo "$h_p"
			return 0
		fi
		h_i=$((h_i + 1))
	done
	fail "no ${1:-1} free ports found"
}

# wait_listen PORT PID: until something listens on TCP PORT (10 s at
# most), while the process PID is alive.
h_listen_or_gone() { tcp_listening "$1" || dead "$2"; }
wait_listen() {
	poll 200 h_listen_or_gone "$1" "$2" || :
	tcp_listening "$1"
}

# realm_up [ARGS...]: a throwaway realm in $T/realm (scripts/sipsa-realm
# up $T/realm ARGS; without ARGS the words of REALM_ARGS, e.g. --users 6),
# its variables exported (KRB5_CONFIG, KRB5CCNAME with a TGT of user1,
# SIPSA_REALM, SIPSA_REALM_DIR, SIPSA_NETBIOS, ...); stopped at exit.
realm_up() {
	need_tool kdb5_util krb5kdc kadmin.local kinit iconv
	[ $# -gt 0 ] || set -- ${REALM_ARGS:-}
	REALM_UP=1
	h_env=$("$REALM_TOOL" up "$T/realm" "$@" 2>"$T/realm.err") ||
	    fail "sipsa-realm up failed: $(tail -n 5 "$T/realm.err")"
	eval "$h_env"
}

# make_cert: a self-signed certificate for proxy.example.test and
# 127.0.0.1 in $T/tls.crt, its key in $T/tls.key (both mode 600).
make_cert() {
	need_tool openssl
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	    -subj "/CN=proxy.example.test" \
	    -addext "subjectAltName=DNS:proxy.example.test,IP:127.0.0.1" \
	    -keyout "$T/tls.key" -out "$T/tls.crt" >/dev/null 2>&1 ||
	    fail "openssl could not make a certificate"
	chmod 600 "$T/tls.key" "$T/tls.crt"
}

# expect_status TEXT CODE: TEXT's status line carries CODE.
expect_status() {
	printf '%s\n' "$1" | head -n 1 | grep -q "^SIP/2.0 $2 " ||
	    fail "expected $2, got: $(printf '%s\n' "$1" | head -n 1)"
}

# expect_header TEXT REGEX: some header line of TEXT matches REGEX.
expect_header() {
	printf '%s\n' "$1" | grep -Eq -- "$2" ||
	    fail "no header matching /$2/ in: $1"
}

# expect_in FILE REGEX WHAT: some line of FILE matches the extended
# REGEX; else the test fails, showing FILE.  expect_not_in: no line does.
expect_in() {
	grep -Eq -- "$2" "$1" 2>/dev/null ||
	    { cat "$1" >&2 || true; fail "no /$2/ in $1 ($3)"; }
}
expect_not_in() {
	if grep -Eq -- "$2" "$1" 2>/dev/null; then
		cat "$1" >&2
		fail "unexpected /$2/ in $1 ($3)"
	fi
}
