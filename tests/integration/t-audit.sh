#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The audit lines (doc/audit.md): one per authentication attempt and per
# admin action, key=value in a fixed order.  Real sign-ins: NTLM and
# Kerberos successes (result=ok with the SA), wrong NTLM passwords
# (result=fail, reason=BAD_PASSWORD, the claimed account), an identity
# refusal after a right password (result=refused), a reload by SIGHUP
# (event=admin).  Every audit line has the documented shape; the example
# fail2ban filter (doc/fail2ban) matches exactly the failed attempts, with
# the client's address, according to fail2ban-regex.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
need_tool fail2ban-regex
setup
start_sipsad

SIPSA_PASSWORD=user1pw client -u 'EXAMPLE\user1' -s "127.0.0.1:$PORT" \
    sip:user1@example.test
expect_rc 0 "user1 with NTLM"
client -a kerberos --keytab "$SIPSA_REALM_DIR/user3.keytab" \
    --principal user3@EXAMPLE.TEST -t udp -s "127.0.0.1:$PORT" \
    sip:user3@example.test
expect_rc 0 "user3 with Kerberos"
for i in 1 2 3; do
	SIPSA_PASSWORD="wrong$i" client -u 'EXAMPLE\user2' \
	    -s "127.0.0.1:$PORT" sip:user2@example.test
	expect_rc 2 "user2 with a wrong password ($i)"
done
SIPSA_PASSWORD=user1pw client -u 'EXAMPLE\user1' -s "127.0.0.1:$PORT" \
    sip:user2@example.test
expect_rc 2 "user1 as user2"
kill -HUP "$SIPSAD_PID"
wait_log 'event=admin .* action=reload by=signal'

A="$T/audit.lines"
poll 100 sh -c "[ \$(grep -c 'audit: event=auth' '$T/sipsad.log') -ge 6 ]" ||
    fail "fewer than 6 audit lines: $(grep 'audit:' "$T/sipsad.log")"
grep 'audit: event=' "$T/sipsad.log" | sed 's/.*audit: //' >"$A"
# The shape of every line.
auth='^event=auth time=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z result=(ok|fail|blocked|refused|error) peer=[^ ]+ port=[0-9]+ transport=(udp|tcp|tls) scheme=(NTLM|Kerberos) user=[^ ]+ reason=[^ ]+ sa=[^ ]+ call-id=[^ ]+$'
admin='^event=admin time=[^ ]+ action=[^ ]+ by=[^ ]+ target=[^ ]+ result=[^ ]+$'
if grep -Ev "$auth|$admin" "$A" >"$T/bad"; then
	fail "audit lines not of the documented shape: $(cat "$T/bad")"
fi
# The clients' address (tests/integration/lib.sh may give them their own).
peer=$(sed -n 's/.*result=fail peer=\([^ ]*\) .*/\1/p' "$A" | head -n 1)
[ -n "$peer" ] || fail "no failure line"
expect_in "$A" "result=ok peer=$peer port=[0-9]+ transport=tcp scheme=NTLM user=EXAMPLE.user1 reason=- sa=[0-9A-F]{8} " "NTLM ok"
expect_in "$A" "result=ok .* transport=udp scheme=Kerberos user=user3@EXAMPLE.TEST reason=- sa=[0-9A-F]{8} " "Kerberos ok"
[ "$(grep -c 'result=fail .*user=EXAMPLE.user2 reason=BAD_PASSWORD' "$A")" -eq 3 ] ||
    fail "not three BAD_PASSWORD lines: $(cat "$A")"
expect_in "$A" "result=refused .*user=EXAMPLE.user1 reason=IDENTITY" "identity"
expect_in "$A" "event=admin .*action=reload by=signal target=$T/sipsa.conf result=ok" "reload"
log "audit lines: $(grep -c . "$A"), e.g. $(grep 'result=fail' "$A" | head -n 1)"

# The example fail2ban filter: the three failures, from the client.
fail2ban-regex -v "$T/sipsad.log" \
    "$top_srcdir/doc/fail2ban/filter.d/sipsa.conf" >"$T/f2b.out" 2>&1 ||
    { cat "$T/f2b.out"; fail "fail2ban-regex failed"; }
matched=$(sed -n 's/^Failregex: \([0-9]*\) total$/\1/p' "$T/f2b.out")
[ "$matched" = 3 ] || { cat "$T/f2b.out"; fail "the filter matched ${matched:-?} lines, not 3"; }
grep -qF "$peer" "$T/f2b.out" ||
    { cat "$T/f2b.out"; fail "the filter did not take the address $peer"; }
log "fail2ban-regex: $matched failures matched, address $peer"
stop_sipsad
