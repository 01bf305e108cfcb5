#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Extension methods reach the pipeline (src/mclass.c).  Sofia's own parser
# drops a request whose method is shorter than a known method of the same
# first letter (SERVICE, as Lync and OCS clients send it, PING, MSG) and
# one with "+" or "`" in its method (RFC 4475 intmeth); sipsad parses with
# its own message class, so such requests are challenged like any other,
# over UDP, TCP and TLS, and logged at debug level.
. "$top_srcdir/tests/integration/lib.sh"

INTMETH="!interesting-Method0123456789_*+\`.%indeed'~"

setup debug
start_sipsad

for tp in udp tcp tls; do
	out=$(sipreq $tp SERVICE) || fail "no answer (SERVICE over $tp)"
	expect_status "$out" 401
	expect_header "$out" '^CSeq: 1 SERVICE$'
done
for m in SERV S PING MSG RE SERVICEXYZ; do
	out=$(sipreq udp $m) || fail "no answer ($m)"
	expect_status "$out" 401
	expect_header "$out" "^CSeq: 1 $m\$"
done
wait_log "proxy: SERVICE call-id=.* listener=l0"
wait_log "proxy: SERVICE call-id=.* listener=l1"
wait_log "proxy: PING call-id="

# RFC 4475 §3.1.1.2 with its one NUL byte (escaped in To's display name)
# left out: the method and CSeq of every token character reach the
# pipeline.  Its Via says TCP.
tr -d '\000' <"$top_srcdir/tests/data/rfc4475/intmeth.dat" >"$T/intmeth.dat"
out=$(sipreq tcp X --raw "$T/intmeth.dat") || fail "no answer (intmeth)"
expect_status "$out" 401
printf '%s\n' "$out" | grep -Fqx "CSeq: 139122385 $INTMETH" ||
    fail "intmeth: no CSeq with its method in: $out"

# Byte for byte, the NUL stops Sofia's header scanner (a limit of Sofia
# outside the method decoders): over TCP it waits for more bytes until the
# client ends its side, then nta itself answers 400 for To.  The request
# line and CSeq are no longer what it refuses.
out=$(sipreq tcp X --shut-wr \
    --raw "$top_srcdir/tests/data/rfc4475/intmeth.dat") ||
    fail "no answer (intmeth as in RFC 4475)"
printf '%s\n' "$out" | head -n 1 |
    grep -Eq '^SIP/2\.0 (401 |400 Bad To Header)' ||
    fail "intmeth as in RFC 4475: $(printf '%s\n' "$out" | head -n 1)"

if log_has "received garbage"; then
	fail "nta dropped a request as garbage"
fi
alive "$SIPSAD_PID" || fail "sipsad died"
log "ok"
