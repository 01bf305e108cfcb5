# SPDX-License-Identifier: BSD-2-Clause
# tests/integration/lib.sh: sipsad under test, on top of the harness
# (tests/lib.sh: scratch directory $T, cleanup, ports, realm, fail/skip,
# polls, expectations).  Sourced by every tests/integration/t-*.sh and by
# the tests/sipe scripts that sign in to sipsad.  setup brings up a
# throwaway realm (scripts/sipsa-realm: KDC, keytab, NTLM users), picks
# free loopback ports, makes a certificate and writes a sipsad
# configuration; start_sipsad runs sipsad in the foreground (in the
# background of the test); at exit sipsad is stopped by PID before the
# harness stops the realm and removes the directory, pass or fail.
# sipreq and run_sipp send requests to it.
#
# KEEP_TMP=1 (or always, tests/lib.sh) keeps $T: sipsad.log, the
# configuration, the realm.  client.sh sources this file and route.sh
# sources client.sh, so a test may source the most specific of the three.

[ -z "${SIPSAD_LIB:-}" ] || return 0
SIPSAD_LIB=1
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

SIPSAD=$top_builddir/sipsad
SIPREQ=$top_srcdir/tests/integration/sipreq.py
SIPP_DIR=$top_srcdir/tests/sipp
SIPSAD_PID=

# At exit sipsad goes first, and must end with status 0 on SIGTERM: a
# crash or a sanitizer's abort at shutdown fails the test (under
# valgrind, status 9 means valgrind found errors).
sipsad_exit() {
	[ -n "$SIPSAD_PID" ] || return 0
	stop_pid "$SIPSAD_PID" >/dev/null 2>&1
	[ "$STOP_STATUS" -ne 0 ] || return 0
	if [ "${SIPSAD_WRAPPER:-}" = valgrind ] && [ "$STOP_STATUS" -eq 9 ]
	then
		echo "$TEST_NAME: FAIL: valgrind found errors:" >&2
		grep '^==' "$T/sipsad.log" | tail -n 40 >&2
	else
		echo "$TEST_NAME: FAIL: sipsad exited $STOP_STATUS at" \
		    "SIGTERM:" >&2
		tail -n 20 "$T/sipsad.log" >&2
	fi
	[ $rc -ne 0 ] || rc=1
}
on_exit sipsad_exit

sipsad_diag() {
	if [ -s "$T/sipsad.log" ]; then
		echo "---- last lines of sipsad.log"
		tail -n 30 "$T/sipsad.log"
	fi
}
on_fail sipsad_diag

need_tool ss openssl python3
[ -x "$SIPSAD" ] || fail "$SIPSAD not built"

# pick_ports: PORT (UDP and TCP) and TLS_PORT, free on loopback.
pick_ports() {
	PORT=$(free_port 2) || exit 1
	TLS_PORT=$((PORT + 1))
}

# port_of TRANSPORT: sipsad's port for TRANSPORT ($TLS_PORT for tls).
port_of() {
	if [ "$1" = tls ]; then
		echo "$TLS_PORT"
	else
		echo "$PORT"
	fi
}

# conf_template [LEVEL [ROLE]]: a sipsad configuration on stdout
# (AUTH_REALM sets the realm string; CONF_EXTRA, when set, is appended:
# blocks such as guard { ... } for tests that send from one address more
# than a client would).
conf_template() {
	cat <<CONF
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
${CONF_EXTRA:-}
CONF
}

# setup [LEVEL [ROLE]]: realm (with REALM_ARGS, tests/lib.sh realm_up),
# ports, certificate and $T/sipsa.conf (listeners of ROLE, registrar by
# default).
setup() {
	realm_up
	pick_ports
	make_cert
	mkdir -p "$T/state"
	chmod 700 "$T/state"
	conf_template "${1:-info}" "${2:-registrar}" >"$T/sipsa.conf"
}

listening() {
	tcp_listening "$PORT" &&
	    ss -Hlun "( sport = :$PORT )" | grep -q . &&
	    tcp_listening "$TLS_PORT"
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

# stop_sipsad: SIGTERM; sipsad must end within 30 s, with status 0 (else
# the test fails, with valgrind's report if it ran under valgrind).
stop_sipsad() {
	kill -TERM "$SIPSAD_PID"
	poll 600 dead "$SIPSAD_PID" ||
	    fail "sipsad still running 30 s after SIGTERM"
	STOP_STATUS=0
	wait "$SIPSAD_PID" || STOP_STATUS=$?
	SIPSAD_PID=
	[ "$STOP_STATUS" -eq 0 ] ||
	    fail "sipsad exited with status $STOP_STATUS after SIGTERM:
$(grep '^==' "$T/sipsad.log" | tail -n 40)"
}

# sipreq TRANSPORT METHOD [ARGS...]: one request to sipsad; prints the
# final response.  The Request-URI is the server itself unless SIPREQ_URI
# names another.
sipreq() {
	tp=$1
	method=$2
	shift 2
	port=$(port_of "$tp")
	python3 "$SIPREQ" "$@" "$tp" 127.0.0.1 "$port" "$method" \
	    "${SIPREQ_URI:-sip:127.0.0.1:$port}"
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
