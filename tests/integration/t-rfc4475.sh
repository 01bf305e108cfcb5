#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-rfc4475: the 49 torture messages of RFC 4475 (tests/data/rfc4475), each
# sent over UDP and over TCP (a new connection per message) by torture.py,
# which says what each drew: the status of every response, "closed" when
# sipsad ended the connection, or "none".  Every message is asserted over
# both transports against the table below; a valid request must be
# answered (a challenge, or the error the RFC names), an invalid one gets
# 400 (505 for badvers, as the RFC names) or is dropped, a response is
# never answered.  Then sipsad still answers OPTIONS and exits 0 on
# SIGTERM; scripts/check-asan runs this test against an ASan build.
#
# What torture.py changes in a message before sending it (its header says
# more): LF line ends become CRLF (the archive's files have LF; the
# Content-Length values count CRLF), and in the top Via of each request
# the sent-by becomes the sender's own address and the transport the one
# it travels over.  Without these, UDP answers go to the RFC's hosts
# (RFC 3261 §18.2.2: received=127.0.0.1 and the sent-by's port, 5060),
# nta drops a request whose top Via names another transport than the one
# it came over (agent_check_request_via(): checked below with transports
# as it is), and the LF bodies are shorter than their Content-Length (over
# TCP nta waits for the rest, then answers 400 when the client gives up).
#
# Kinds: valid (§3.1.1, §3.2, §3.4: must be answered, unless noted as
# Sofia's), invalid (§3.1.2: 400, 505 for badvers, or dropped: "none" or
# "closed"), semantic (§3.3: syntactically valid, the torture is above the
# parser: answered, with the error the RFC names or a challenge, sipsad
# asking for credentials before anything the RFC's answer would need),
# response (never answered; the valid ones reach sipsad's callback and
# are dropped there as matching no transaction, the invalid ones nta
# refuses).  sipsad answers before authentication only what it refuses on
# syntax (validate.c, nta) and OPTIONS to itself; the rest is challenged
# (401 on the registrar listeners this test uses).
. "$top_srcdir/tests/integration/lib.sh"

DATA=$top_srcdir/tests/data/rfc4475
TORTURE=$top_srcdir/tests/integration/torture.py

# name       section   kind      UDP        TCP
#
# intmeth (valid): its To display name holds an escaped NUL, and Sofia's
#   header scanner (extract_header() in msg_parser.c, span_non_crlf()
#   stops at NUL) takes the NUL for the end of the data: over UDP nta
#   answers "400 Bad To Header" itself; over TCP it waits for more bytes
#   and answers nothing while the connection stays open.  No clean way
#   round it in sipsad (the bytes never reach a decoder of ours); without
#   the NUL the message is challenged (t-methods.sh).
# dblreq: over UDP the INVITE after the REGISTER is noise in the same
#   datagram (§18.3) and is ignored; over TCP the stream holds two
#   requests, both challenged.  (The INVITE follows an extra CRLF, which
#   made Sofia's parser hand mclass_request_d() a damaged request line:
#   repaired there, see src/mclass.c.)
# clerr: Content-Length 9999: a datagram that short is refused (400);
#   over TCP nta waits for the rest of the body (RFC 4475: there is
#   nothing else a stream receiver can do).
# baddn: the archive's file has no empty line after the headers: over
#   UDP the datagram ends them (400 for From); over TCP nta waits.
# lwsruri: "sip:user@example.com; lr" in the request line does not
#   decode (mclass_request_d() as Sofia's sip_request_d(): the version is
#   "lr SIP/2.0"), so nta drops the message as garbage.
# badinv01: its top Via does not parse, so nta has nowhere to answer and
#   drops it (closing a TCP connection).
# lwsstart, trws, escruri, baddate, badaspec: Sofia's parser takes them
#   (extra whitespace in the request line, headers in the Request-URI, a
#   Date in EST left as a parse error nta ignores, spaces inside <>);
#   ptx_validate refuses them with 400.
# inv2543 (RFC 2543 syntax): no Content-Length; over UDP the body is the
#   rest of the datagram (challenged); over TCP a Content-Length is
#   mandatory (RFC 3261 §18.3) and nta answers 400.
# insuf: with CRLF line ends its body is exactly its Content-Length; it
#   has no From, To, Call-ID or Max-Forwards, and nta answers 400, the
#   RFC's answer.  multi01 (two CSeq, Call-ID, To, From) and mcl01 (two
#   Content-Length) get nta's 400 too, mismatch01 and mismatch02 (CSeq
#   method not the request's) as well; badvers nta's 505.
# zeromf: OPTIONS with Max-Forwards 0 to a user, not to sipsad: 483.
# invut (RFC: 415 from a UAS), sdp01 (406 or 400 from a UAS), unksm2,
#   regescrt, cparam01, cparam02 (the registrar's business): challenged
#   first; what the RFC names comes from the UAS or the registrar, after
#   authentication.  bext01 (RFC: 420 for Proxy-Require): challenged too;
#   sipsad does not enforce Proxy-Require (SIPE sends "Proxy-Require:
#   ms-benotify"), so RFC 3261 §16.3's 420 before credentials is not
#   given.
# Over TCP nta ends the connection after the 400s and 505 it sends
#   itself ("closed"); sipsad's own answers leave it open.
table() {
	cat <<'TABLE'
wsinv        3.1.1.1   valid     401        401
intmeth      3.1.1.2   valid!    400        none
esc01        3.1.1.3   valid     401        401
escnull      3.1.1.4   valid     401        401
esc02        3.1.1.5   valid     401        401
lwsdisp      3.1.1.6   valid     401        401
longreq      3.1.1.7   valid     401        401
dblreq       3.1.1.8   valid     401        401_401
semiuri      3.1.1.9   valid     401        401
transports   3.1.1.10  valid     401        401
mpart01      3.1.1.11  valid     401        401
unreason     3.1.1.12  response  none       none
noreason     3.1.1.13  response  none       none
badinv01     3.1.2.1   invalid   none       closed
clerr        3.1.2.2   invalid   400        none
ncl          3.1.2.3   invalid   400        400_closed
scalar02     3.1.2.4   invalid   400        400_closed
scalarlg     3.1.2.5   response  none       none
quotbal      3.1.2.6   invalid   400        400_closed
ltgtruri     3.1.2.7   invalid   400        400_closed
lwsruri      3.1.2.8   invalid   none       none
lwsstart     3.1.2.9   invalid   400        400
trws         3.1.2.10  invalid   400        400
escruri      3.1.2.11  invalid   400        400
baddate      3.1.2.12  invalid   400        400
regbadct     3.1.2.13  invalid   400        400_closed
badaspec     3.1.2.14  invalid   400        400
baddn        3.1.2.15  invalid   400        none
badvers      3.1.2.16  invalid   505        505_closed
mismatch01   3.1.2.17  invalid   400        400_closed
mismatch02   3.1.2.18  invalid   400        400_closed
bigcode      3.1.2.19  response  none       none
badbranch    3.2.1     valid     401        401
insuf        3.3.1     semantic  400        400_closed
unkscm       3.3.2     semantic  416        416
novelsc      3.3.3     semantic  416        416
unksm2       3.3.4     semantic  401        401
bext01       3.3.5     semantic  401        401
invut        3.3.6     semantic  401        401
regaut01     3.3.7     semantic  401        401
multi01      3.3.8     semantic  400        400_closed
mcl01        3.3.9     semantic  400        400_closed
bcast        3.3.10    response  none       none
zeromf       3.3.11    semantic  483        483
cparam01     3.3.12    semantic  401        401
cparam02     3.3.13    semantic  401        401
regescrt     3.3.14    semantic  401        401
sdp01        3.3.15    semantic  401        401
inv2543      3.4.1     valid     401        400_closed
TABLE
}

# The table covers every file, each once, and the kinds' rules hold for
# what it expects (a "!" kind is Sofia's documented exception).
table | awk '{ print $1 }' | sort >"$T/names.table"
(cd "$DATA" && ls *.dat | sed 's/\.dat$//' | sort) >"$T/names.data"
[ "$(wc -l <"$T/names.data")" -eq 49 ] ||
    fail "$DATA has $(wc -l <"$T/names.data") messages, not 49"
cmp -s "$T/names.table" "$T/names.data" ||
    fail "the table and $DATA differ: $(diff "$T/names.table" \
    "$T/names.data" | tr '\n' ' ')"
table | while read -r name section kind udp tcp; do
	for o in "$udp" "$tcp"; do
		case $kind:$o in
		valid:[1-6]*|semantic:[1-6]*) ;;
		invalid:400*|invalid:505*|invalid:none|invalid:closed) ;;
		response:none|valid!:*) ;;
		*) fail "table: $name ($kind) expects $o" ;;
		esac
	done
done

setup debug
start_sipsad

# outcome TRANSPORT: every message over TRANSPORT, one line each.
outcome() {
	python3 "$TORTURE" "$1" 127.0.0.1 "$PORT" "$DATA"/*.dat \
	    >"$T/$1.out" 2>"$T/$1.err" ||
	    { cat "$T/$1.out" "$T/$1.err" >&2
	      fail "torture.py over $1 failed"; }
}

# check TRANSPORT COLUMN: each message drew what the table says.
check() {
	table | while read -r name section kind udp tcp; do
		want=$(eval echo "\$$2" | tr _ ' ')
		got=$(sed -n "s/^$name //p" "$T/$1.out")
		[ "$got" = "$want" ] ||
		    fail "$name (RFC 4475 §$section, $kind) over $1:" \
		    "got '$got', expected '$want'"
	done || exit 1
	log "$1: $(wc -l <"$T/$1.out") messages as expected"
}

outcome udp
check udp udp
outcome tcp
check tcp tcp

# The responses: the three valid ones (unreason, noreason, bcast) reached
# sipsad and were dropped there, over each transport; bigcode and
# scalarlg nta refused as it parsed them.
n=$(grep -c 'a response matching no transaction: dropped' "$T/sipsad.log")
[ "$n" -eq 6 ] || fail "$n responses reached the pipeline, not 6"

# Sent as it is over TCP, transports (top Via: UDP t1.example.com) is
# dropped by nta without an answer: agent_check_request_via() refuses a
# top Via whose transport is not the connection's ("Via check: invalid
# transport").  This is why torture.py sets the transport.
python3 "$TORTURE" --as-is tcp 127.0.0.1 "$PORT" "$DATA/transports.dat" \
    >"$T/asis.out" || fail "torture.py --as-is failed"
[ "$(cat "$T/asis.out")" = "transports none" ] ||
    fail "transports as it is over TCP: $(cat "$T/asis.out")"

# sipsad is still there, answers, and ends cleanly.
for tp in udp tcp; do
	out=$(sipreq $tp OPTIONS) || fail "no answer to OPTIONS over $tp"
	expect_status "$out" 200
done
alive "$SIPSAD_PID" || fail "sipsad died"
stop_sipsad
log "ok"
