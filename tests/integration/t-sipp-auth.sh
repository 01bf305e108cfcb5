#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# SIPp against sipsad's authentication step (tests/sipp/register-*.xml).
#   1. The challenge path on a registrar-role listener (401) and the NTLM
#      first leg, over UDP and TCP.
#   2. The hostile REGISTERs (bad gssapi-data, malformed Authorization,
#      missing epid, signed requests no SA backs, oversized headers; the
#      scenario headers say what each expects), over TCP and UDP, plus
#      messages over 64 KiB that SIPp cannot send; each gets a clean
#      answer, and afterwards sipsad is alive, its log shows no crash and
#      a plain REGISTER still gets the 401 challenge.
#   3. The challenge path on a proxy-role listener (407).
#   4. The hostile set over TCP once more with sipsad under valgrind: no
#      invalid read or write, nothing definitely lost (valgrind's exit
#      status, as in t-valgrind.sh).  SIPP_AUTH_VALGRIND=no skips this
#      part outside CI.
. "$top_srcdir/tests/integration/lib.sh"

HOSTILE="register-bad-gssapi.xml register-garbage-auth.xml
	register-missing-epid.xml register-signed-bogus.xml
	register-oversized.xml"

need_tool sipp
# The hostile scenarios fail one handshake after another from one
# address: lockout protection (t-lockout.sh) would block it and answer
# 503 before the checks these scenarios are about.
CONF_EXTRA='guard {
	handshake-rate 0
	source-failures 1000000
}'
setup

# big KIND SIZE: one REGISTER over a new TCP connection with an NTLM
# Authorization (KIND auth) or a From display name (KIND from) of SIZE
# bytes; prints "status <status line>", "closed" or "silence" (no answer
# in 10 s with the connection still open), by bigreq.py.
big() {
	python3 "$top_srcdir/tests/integration/bigreq.py" "$PORT" "$1" "$2"
}

# expect_clean KIND SIZE: a 4xx or 513 answer, or the connection closed.
expect_clean() {
	res=$(big "$1" "$2") || fail "could not send a $2-byte $1 header"
	case $res in
	"status SIP/2.0 4"[0-9][0-9]" "*|"status SIP/2.0 513 "*|closed)
		log "$1 header of $2 bytes: $res" ;;
	*)	fail "$1 header of $2 bytes: $res" ;;
	esac
}

# hostile TRANSPORTS: every hostile scenario over each of TRANSPORTS,
# then the oversized messages; sipsad must still be up and challenging.
hostile() {
	for scen in $HOSTILE; do
		for tp in $1; do
			run_sipp "$scen" "$tp"
			alive "$SIPSAD_PID" ||
			    fail "sipsad died during $scen over $tp"
		done
	done
	expect_clean auth 71680		# 70 KiB gssapi-data
	expect_clean from 71680		# 70 KiB From
	expect_clean from 1048576	# 1 MiB From
	expect_clean auth 4194304	# 4 MiB: beyond Sofia's message limit
	alive "$SIPSAD_PID" || fail "sipsad died on an oversized message"
	run_sipp register-challenge-401.xml t1
	run_sipp register-challenge-401.xml u1
	! log_has 'Assertion|AddressSanitizer|Segmentation|double free' ||
	    fail "sipsad.log reports a crash"
}

# 1 and 2: registrar role.
start_sipsad
for tp in u1 t1; do
	run_sipp register-challenge-401.xml "$tp"
	run_sipp register-ntlm-leg1.xml "$tp"
done
hostile "t1 u1"

# 3: proxy role.
stop_pid "$SIPSAD_PID"
SIPSAD_PID=
conf_template info proxy >"$T/sipsa.conf"
start_sipsad
for tp in u1 t1; do
	run_sipp register-challenge-407.xml "$tp"
done
stop_pid "$SIPSAD_PID"
SIPSAD_PID=

# 4: the hostile set under valgrind.
if [ "${SIPP_AUTH_VALGRIND:-yes}" = no ] && [ "${CI:-}" != true ]; then
	log "ok (valgrind part skipped: SIPP_AUTH_VALGRIND=no)"
	exit 0
fi
need_tool valgrind
conf_template info >"$T/sipsa.conf"
: >"$T/sipsad.log"
SIPSAD_WRAPPER=valgrind
start_sipsad
hostile t1
stop_sipsad
! grep -Eq 'Invalid (read|write)|definitely lost: [1-9]' "$T/sipsad.log" ||
    fail "valgrind: $(grep '^==' "$T/sipsad.log" | tail -n 40)"
log "ok"
