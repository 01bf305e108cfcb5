#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The control socket (control { }) and sipsactl: status, sa list and
# drop, binding list and drop, kick, reload, log level and keytab check
# against a sipsad with users signed in with NTLM and Kerberos; --json
# answers parse; bad commands exit non-zero; the socket serves two clients
# at once, refuses a crowd beyond its bound, shrugs off clients that leave
# without reading and lines that are too long; its mode and group are as
# configured; a stale socket is replaced, a live one stops a second
# sipsad, a group that does not exist stops sipsad.
. "$top_srcdir/tests/integration/client.sh"
CTL=$top_builddir/tools/sipsactl
CTLSOCK=$top_srcdir/tests/integration/ctlsock.py
[ -x "$CTL" ] || fail "$CTL not built"
need_tool stat id

setup
start_sipsad
sock=$T/state/control.sock
wait_log "control socket $sock \(mode 0660\)"

# ctl ARGS...: sipsactl through the configuration; output in $T/out.
ctl() {
	RC=0
	"$CTL" -f "$T/sipsa.conf" "$@" >"$T/out" 2>&1 || RC=$?
}
# json EXPR ARGS...: sipsactl --json ARGS must print one JSON object d
# for which the Python expression EXPR is true.
json() {
	expr=$1
	shift
	RC=0
	"$CTL" -s "$sock" --json "$@" >"$T/out" 2>&1 || RC=$?
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$T/out" "$expr" ||
	    { cat "$T/out" >&2; fail "sipsactl --json $*: not $expr"; }
}
# opaque_of USER: the opaque of USER's established SA.
opaque_of() {
	"$CTL" -s "$sock" --json sa list "$1" | python3 -c 'import json, sys
print(json.load(sys.stdin)["sas"][0]["opaque"])'
}

# 1. The socket: mode 0660, sipsad's group, as nothing else is said.
[ -S "$sock" ] || fail "no socket $sock"
[ "$(stat -c %a "$sock")" = 660 ] || fail "mode $(stat -c %a "$sock")"
[ "$(stat -c %g "$sock")" = "$(id -g)" ] || fail "group of $sock"
ctl status
expect_rc 0 "status before any sign-in"
expect_out '^SAs +established 0 \(NTLM 0, Kerberos 0\)' "no SA yet"
expect_out '^bindings +0 \(0 AORs\)' "no binding yet"
expect_out "^configuration +$T/sipsa.conf\$" "the configuration"
expect_out "^listeners +udp 127.0.0.1:$PORT registrar\$" "a listener"

# 2. user1 with NTLM over TCP, user3 with Kerberos over UDP, both kept.
SIPSA_PASSWORD=user1pw client -k -u 'EXAMPLE\user1' -s "127.0.0.1:$PORT" \
    sip:user1@example.test
expect_rc 0 "NTLM sign-in of user1"
client -k -a kerberos --keytab "$SIPSA_REALM_DIR/user3.keytab" \
    --principal user3@EXAMPLE.TEST -t udp -s "127.0.0.1:$PORT" \
    sip:user3@example.test
expect_rc 0 "Kerberos sign-in of user3"
ctl status
expect_rc 0 "status"
expect_out '^SAs +established 2 \(NTLM 1, Kerberos 1\)' "two SAs"
expect_out '^bindings +2 \(2 AORs\)' "two bindings"
json 'd["sa"]["established"] == {"NTLM": 1, "Kerberos": 1} and
    d["bindings"] == {"aors": 2, "bindings": 2} and
    d["handshakes"]["completed"] >= 2 and d["pid"] > 0 and
    d["version"] != "" and len(d["listeners"]) == 3' status

# 3. sa list and binding list.
ctl sa list
expect_rc 0 "sa list"
expect_out '^[0-9A-F]{8} +established +NTLM +EXAMPLE.user1 +sip:user1@example.test ' \
    "user1's SA"
expect_out '^[0-9A-F]{8} +established +Kerberos +user3@EXAMPLE.TEST +sip:user3@example.test ' \
    "user3's SA"
ctl sa list user3@example.test
no_out 'user1' "sa list of user3 shows user1"
expect_out 'user3@EXAMPLE.TEST' "sa list of user3"
json 'len(d["sas"]) == 1 and d["sas"][0]["user"] == "EXAMPLE\\user1" and
    d["sas"][0]["scheme"] == "NTLM" and d["sas"][0]["version"] == 4 and
    d["sas"][0]["epid"] != ""' sa list user1
ctl binding list
expect_rc 0 "binding list"
expect_out '^sip:user1@example.test +[0-9a-f]+ +tcp:[0-9.]+:' \
    "user1's binding"
expect_out '^sip:user3@example.test +[0-9a-f]+ +udp:[0-9.]+:' \
    "user3's binding"
json 'len(d["bindings"]) == 1 and
    d["bindings"][0]["aor"] == "sip:user3@example.test"' \
    binding list sip:user3@example.test

# 4. sa drop by opaque: gone from the list; once more, an error.
op=$(opaque_of user3)
ctl sa drop "$op"
expect_rc 0 "sa drop $op"
expect_out "^1 SA ended: $op\$" "sa drop"
wait_log "audit: event=admin time=[^ ]+ action=\"sa drop\" by=sipsactl/uid:[0-9]+ target=$op result=\"user user3@EXAMPLE.TEST\""
json 'd["sas"] == []' sa list user3
ctl sa drop "$op"
expect_rc 1 "sa drop of an SA already ended"
expect_out "^sipsactl: no SA has opaque $op\$" "sa drop again"

# 5. binding drop: user3's binding goes; once more, an error.
ctl binding drop sip:user3@example.test
expect_rc 0 "binding drop"
expect_out '^1 binding of sip:user3@example.test removed$' "binding drop"
wait_log 'audit: event=admin .*action="binding drop" by=sipsactl/uid:[0-9]+ target=sip:user3@example.test result="1 binding removed"'
json 'd["bindings"] == []' binding list sip:user3@example.test
ctl binding drop sip:user3@example.test
expect_rc 1 "binding drop of no binding"

# 6. kick: user2 signs in over TCP and stays (refreshing every 2 s); the
# kick ends its SA, removes its binding and closes its connection; its
# next REGISTER names the ended opaque, is challenged, and signs in anew.
SIPSA_PASSWORD=user2pw "$CLIENT" -r -i 2 -u 'EXAMPLE\user2' \
    -s "127.0.0.1:$PORT" sip:user2@example.test >"$T/user2.out" 2>&1 &
user2=$!
stop_at_exit "$user2"
poll 200 sh -c "\"$CTL\" -s \"$sock\" sa list user2 | grep -q established" ||
    fail "user2 did not sign in"
op=$(opaque_of user2)
ctl kick user2
expect_rc 0 "kick user2"
expect_out "^user2: 1 SA ended \($op\), 1 binding removed \(sip:user2@example.test\), 1 connection closed\$" \
    "kick"
wait_log "audit: event=admin .*action=kick by=sipsactl/uid:[0-9]+ target=user2 result=\"1 SA ended, 1 binding removed, 1 connection closed\""
wait_log "ended sa=$op user=EXAMPLE.user2: EXPIRED"
json 'all(s["opaque"] != "'"$op"'" for s in d["sas"])' sa list user2
wait_log "lookup failed sa=$op reason=EXPIRED"
poll 200 sh -c "\"$CTL\" -s \"$sock\" sa list user2 | grep -q established" ||
    fail "user2 did not sign in again after the kick"
stop_pid "$user2"
forget_pid "$user2"
ctl kick nobody
expect_rc 1 "kick of a user without SA or binding"
expect_out '^sipsactl: user nobody has no SA and no binding$' "kick nobody"

# 7. reload, good and broken.
ctl reload
expect_rc 0 "reload"
expect_out "^configuration $T/sipsa.conf reloaded\$" "reload"
wait_log "audit: event=admin .*action=reload by=sipsactl/uid:[0-9]+ target=[^ ]+ result=ok"
wait_log "configuration reloaded"
cp "$T/sipsa.conf" "$T/good.conf"
echo "frobnicate yes" >>"$T/sipsa.conf"
ctl reload
expect_rc 3 "sipsactl -f with a broken configuration"
RC=0
"$CTL" -s "$sock" reload >"$T/out" 2>&1 || RC=$?
expect_rc 1 "reload of a broken configuration"
expect_out 'is not valid: the running configuration stays' "bad reload"
cp "$T/good.conf" "$T/sipsa.conf"

# 8. log level debug, then info again.
ctl log level debug
expect_rc 0 "log level debug"
expect_out '^log level info -> debug$' "log level debug"
wait_log 'audit: event=admin .*action="log level" by=sipsactl/uid:[0-9]+ target=debug result="was info"'
out=$(sipreq tcp OPTIONS) || fail "no answer to OPTIONS"
expect_status "$out" 200
wait_log '\[debug\] proxy: OPTIONS call-id='
ctl log level info
expect_rc 0 "log level info"
json 'd["log_level"] == "info"' status

# 9. keytab check: the keytab's sip/<fqdn> key.
ctl keytab check
expect_rc 0 "keytab check"
expect_out "^keytab $SIPSA_REALM_DIR/sip.keytab: sip/proxy.example.test@EXAMPLE.TEST" \
    "keytab check"
json 'd["keytab"].endswith("sip.keytab") and "EXAMPLE.TEST" in d["realms"]' \
    keytab check

# 10. Bad commands and arguments: sipsactl refuses them itself (2); what
# reaches the socket anyway gets {"error": ...}.
ctl frobnicate
expect_rc 2 "an unknown command"
expect_out '^sipsactl: unknown command "frobnicate"$' "unknown command"
expect_out '^usage: sipsactl' "usage after an unknown command"
ctl sa drop
expect_rc 2 "sa drop without argument"
expect_out '^sipsactl: usage: sa drop OPAQUE\|USER$' "sa drop usage"
ctl log level loud
expect_rc 2 "log level loud"
ctl
expect_rc 2 "no command"
RC=0
"$CTL" -s "$T/nothing.sock" status >"$T/out" 2>&1 || RC=$?
expect_rc 3 "a socket that is not there"
expect_out 'is sipsad running' "no socket"
python3 "$CTLSOCK" "$sock" raw "frobnicate now" >"$T/out" ||
    fail "raw request"
expect_out '^\{"error": "unknown command \\"frobnicate\\""\}$' "raw error"
python3 "$CTLSOCK" "$sock" long >"$T/out" || fail "long request"
expect_out '^\{"error": "request longer than 4095 bytes"\}$' "long line"

# 11. Two clients at once; clients that leave early; a crowd.
python3 "$CTLSOCK" "$sock" two >"$T/out" || fail "two clients"
expect_out '"version"' "the first of two clients"
expect_out '^\{"sas": ' "the second of two clients"
python3 "$CTLSOCK" "$sock" hangup >"$T/out" || fail "hang-ups"
expect_out '^done$' "hang-ups"
python3 "$CTLSOCK" "$sock" crowd 16 >"$T/out" || fail "a crowd"
expect_out 'too many control clients' "the 17th client"
ctl status
expect_rc 0 "status after the crowd"
alive "$SIPSAD_PID" || fail "sipsad died"
stop_sipsad
[ ! -e "$sock" ] || fail "$sock left after the stop"

# 12. Mode and group as configured: a group of ours other than the first
# when we have one (else our own), mode 0640.
grp=$(id -G | tr ' ' '\n' | sed -n '2p')
[ -n "$grp" ] || grp=$(id -g)
gname=$(getent group "$grp" | cut -d: -f1)
[ -n "$gname" ] || gname=$(id -gn)
grp=$(getent group "$gname" | cut -d: -f3)
CONF_EXTRA="control {
	mode 0640
	group \"$gname\"
}" conf_template >"$T/sipsa.conf"
start_sipsad
wait_log "control socket $sock \(mode 0640, group $gname\)"
[ "$(stat -c %a "$sock")" = 640 ] || fail "mode $(stat -c %a "$sock")"
[ "$(stat -c %g "$sock")" = "$grp" ] || fail "group of $sock: not $gname"

# 13. A second sipsad on the same socket does not start; kill -9 leaves
# a stale socket, which the next start replaces.
sed -e "s/ $PORT {\$/ $((PORT + 10)) {/" \
    -e "s/ $TLS_PORT {\$/ $((TLS_PORT + 10)) {/" "$T/sipsa.conf" \
    >"$T/second.conf"
RC=0
TMPDIR=$T/run "$SIPSAD" -D -f "$T/second.conf" >"$T/out" 2>&1 || RC=$?
[ "$RC" -ne 0 ] || fail "a second sipsad started on the same socket"
expect_out "control socket $sock: another sipsad answers there; not starting" \
    "the second sipsad"
[ -S "$sock" ] || fail "the second sipsad removed the first one's socket"
kill -KILL "$SIPSAD_PID"
poll 200 dead "$SIPSAD_PID" || fail "sipsad survived SIGKILL"
wait "$SIPSAD_PID" 2>/dev/null || :
SIPSAD_PID=
[ -S "$sock" ] || fail "no stale socket after SIGKILL"
start_sipsad
wait_log "control socket $sock: stale, replaced"
ctl status
expect_rc 0 "status after a stale socket"
stop_sipsad

# 14. A group that does not exist: sipsad does not start.
CONF_EXTRA="control {
	group \"sipsa-no-such-group\"
}" conf_template >"$T/sipsa.conf"
RC=0
TMPDIR=$T/run "$SIPSAD" -D -f "$T/sipsa.conf" >"$T/out" 2>&1 || RC=$?
[ "$RC" -ne 0 ] || fail "sipsad started with a group that does not exist"
expect_out 'group sipsa-no-such-group does not exist' "no such group"
expect_out 'not starting' "no such group"
[ ! -e "$sock" ] || fail "$sock made for a sipsad that did not start"
