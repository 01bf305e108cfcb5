# SPDX-License-Identifier: BSD-2-Clause
# tests/integration/lib.sh: the integration harness, sourced by every
# tests/integration/t-*.sh.  It makes a private temporary directory, brings
# up a throwaway realm (scripts/sipsa-realm: KDC, keytab, NTLM users),
# picks free loopback ports, writes a sipsad configuration, starts sipsad
# in the foreground (in the background of the test) and, on exit, stops
# sipsad and the KDC by PID and removes the directory, pass or fail.
#
# A test may skip (exit 77) only when a tool is missing, and never when
# CI=true.  Waits are bounded polls, never fixed sleeps.
#
# Environment from make check: top_srcdir, top_builddir (absolute).
# KEEP_TMP=1 keeps the directory of a failed test, KEEP_TMP=always of
# every test (logs, configuration, realm).

set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
SIPSAD=$top_builddir/sipsad
REALM_TOOL=$top_srcdir/scripts/sipsa-realm
SIPREQ=$top_srcdir/tests/integration/sipreq.py
SIPP_DIR=$top_srcdir/tests/sipp
TEST_NAME=$(basename "$0" .sh)
PATH=$PATH:/usr/sbin:/sbin

SIPSAD_PID=
EXTRA_PIDS=		# more processes to stop at exit (e.g. a second sipsad)
REALM_UP=
T=

log() { echo "$TEST_NAME: $*"; }
fail() {
	echo "$TEST_NAME: FAIL: $*" >&2
	if [ -n "$T" ] && [ -s "$T/sipsad.log" ]; then
		echo "---- last lines of sipsad.log" >&2
		tail -n 30 "$T/sipsad.log" >&2
	fi
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
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
	done
}

cleanup() {
	rc=$?
	set +e
	if [ -n "$SIPSAD_PID" ]; then
		stop_pid "$SIPSAD_PID" >/dev/null 2>&1
		st=$STOP_STATUS
		if [ "${SIPSAD_WRAPPER:-}" = valgrind ] && [ "$st" -eq 9 ]; then
			echo "$TEST_NAME: FAIL: valgrind found errors:" >&2
			grep '^==' "$T/sipsad.log" | tail -n 40 >&2
			[ $rc -eq 0 ] && rc=1
		fi
	fi
	for p in $EXTRA_PIDS; do
		stop_pid "$p" >/dev/null 2>&1
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
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

need_tool ss openssl python3
[ -x "$SIPSAD" ] || fail "$SIPSAD not built"
T=$(mktemp -d "${TMPDIR:-/tmp}/sipsa-$TEST_NAME.XXXXXX")
chmod 700 "$T"

# poll N CMD...: run CMD every 50 ms until it succeeds, at most N times.
poll() {
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		if "$@"; then
			return 0
		fi
		n=$((n - 1))
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
	poll 600 dead "$1" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null || STOP_STATUS=$?
}

port_free() {
	! ss -Hltnu "( sport = :$1 )" 2>/dev/null | grep -q .
}

# pick_ports: PORT (UDP and TCP) and TLS_PORT, free on loopback.
pick_ports() {
	i=0
	while [ $i -lt 200 ]; do
		p=$(( $(od -An -N2 -tu2 /dev/urandom) % 30000 + 20000 ))
		if port_free "$p" && port_free $((p + 1)); then
			PORT=$p
			TLS_PORT=$((p + 1))
			return 0
		fi
		i=$((i + 1))
	done
	fail "no free port pair found"
}

realm_up() {
	need_tool kdb5_util krb5kdc kadmin.local kinit iconv
	REALM_UP=1
	# REALM_ARGS: more options for sipsa-realm up (e.g. --users 6).
	eval "$("$REALM_TOOL" up "$T/realm" ${REALM_ARGS:-})" ||
	    fail "sipsa-realm up failed"
}

make_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	    -subj "/CN=proxy.example.test" \
	    -addext "subjectAltName=DNS:proxy.example.test,IP:127.0.0.1" \
	    -keyout "$T/tls.key" -out "$T/tls.crt" >/dev/null 2>&1 ||
	    fail "openssl could not make a certificate"
	chmod 600 "$T/tls.key" "$T/tls.crt"
}

# conf_template [LEVEL [ROLE]]: a sipsad configuration on stdout
# (AUTH_REALM sets the realm string).
conf_template() {
	cat <<EOF
# sipsad configuration written by tests/integration/lib.sh
server {
	fqdn proxy.example.test
	state-dir "$T/state"
}
listen udp 127.0.0.1 $PORT {
	role ${2:-registrar}
}
listen tcp 127.0.0.1 $PORT {
	role ${2:-registrar}
}
listen tls 127.0.0.1 $TLS_PORT {
	role ${2:-registrar}
	certificate "$T/tls.crt"
	key "$T/tls.key"
}
auth {
	schemes kerberos ntlm
	realm "${AUTH_REALM:-SIP Communications Service}"
	kerberos {
		keytab "$SIPSA_REALM_DIR/sip.keytab"
	}
	ntlm {
		users file "$SIPSA_REALM_DIR/ntlm_users.smbpasswd"
	}
}
log {
	target stderr
	level ${1:-info}
}
EOF
}

# setup [LEVEL [ROLE]]: realm, ports, certificate and $T/sipsa.conf
# (listeners of ROLE, registrar by default).
setup() {
	realm_up
	pick_ports
	make_cert
	mkdir -p "$T/state"
	chmod 700 "$T/state"
	conf_template "${1:-info}" "${2:-registrar}" >"$T/sipsa.conf"
}

listening() {
	ss -Hltn "( sport = :$PORT )" | grep -q . &&
	    ss -Hlun "( sport = :$PORT )" | grep -q . &&
	    ss -Hltn "( sport = :$TLS_PORT )" | grep -q .
}

# start_sipsad: run sipsad in the foreground of a background job and wait
# (up to 60 s) until all its sockets listen.  SIPSAD_WRAPPER runs it under
# a tool, e.g. SIPSAD_WRAPPER=valgrind: its exit status then says whether
# valgrind found errors (t-start-stop checks it).
start_sipsad() {
	# TMPDIR: where sipsad makes its private TLS directory.
	mkdir -p "$T/run"
	case ${SIPSAD_WRAPPER:-} in
	"") set -- ;;
	valgrind) set -- valgrind -q --leak-check=full --error-exitcode=9 \
	    --suppressions="$top_srcdir/tests/integration/valgrind.supp" ;;
	*) set -- $SIPSAD_WRAPPER ;;
	esac
	tries=0
	while :; do
		lines=0
		[ -f "$T/sipsad.log" ] && lines=$(wc -l <"$T/sipsad.log")
		TMPDIR=$T/run "$@" "$SIPSAD" -D -f "$T/sipsa.conf" \
		    >>"$T/sipsad.log" 2>&1 &
		SIPSAD_PID=$!
		i=0
		while [ $i -lt 1200 ]; do
			alive "$SIPSAD_PID" || break
			if listening && tail -n +"$((lines + 1))" \
			    "$T/sipsad.log" | grep -q "started"; then
				return 0
			fi
			i=$((i + 1))
			sleep 0.05
		done
		alive "$SIPSAD_PID" && fail "sipsad did not listen within 60 s"
		# Tests run in parallel: another process may have taken a port
		# between pick_ports and the bind.  Move to new ones.
		tries=$((tries + 1))
		if [ $tries -lt 3 ] && tail -n +"$((lines + 1))" \
		    "$T/sipsad.log" | grep -q "Address already in use"; then
			old=$PORT
			oldtls=$TLS_PORT
			pick_ports
			sed -i -e "s/ $old {\$/ $PORT {/" \
			    -e "s/ $oldtls {\$/ $TLS_PORT {/" "$T/sipsa.conf"
			continue
		fi
		fail "sipsad exited at start"
	done
}

# sipreq TRANSPORT METHOD [ARGS...]: one request to sipsad; prints the
# final response.  The Request-URI is the server itself unless SIPREQ_URI
# names another.
sipreq() {
	tp=$1
	method=$2
	shift 2
	port=$PORT
	[ "$tp" = tls ] && port=$TLS_PORT
	python3 "$SIPREQ" "$@" "$tp" 127.0.0.1 "$port" "$method" \
	    "${SIPREQ_URI:-sip:127.0.0.1:$port}"
}

# expect_status TEXT CODE: TEXT's status line carries CODE.
expect_status() {
	printf '%s\n' "$1" | head -n 1 | grep -q "^SIP/2.0 $2 " ||
	    fail "expected $2, got: $(printf '%s\n' "$1" | head -n 1)"
}

# expect_header TEXT REGEX: some header line of TEXT matches REGEX.
expect_header() {
	printf '%s\n' "$1" | grep -Eq "$2" ||
	    fail "no header matching /$2/ in: $1"
}

# wait_log REGEX: until sipsad.log has a line matching REGEX (10 s).
log_has() { grep -Eq "$1" "$T/sipsad.log"; }
wait_log() {
	poll 200 log_has "$1" || fail "sipsad.log has no line matching /$1/"
}

# run_sipp SCENARIO TRANSPORT(u1|t1) [ARGS...]: one call, bounded.
run_sipp() {
	scen=$1
	tmode=$2
	shift 2
	(cd "$T" && sipp -sf "$SIPP_DIR/$scen" -t "$tmode" -m 1 \
	    -timeout 15s -timeout_error -recv_timeout 10000 -i 127.0.0.1 \
	    -nostdin "$@" "127.0.0.1:$PORT" </dev/null >"$T/sipp.out" 2>&1) ||
	    { cat "$T/sipp.out" "$T"/*_errors.log 2>/dev/null | tail -n 40 >&2
	      fail "sipp $scen over $tmode failed"; }
}
