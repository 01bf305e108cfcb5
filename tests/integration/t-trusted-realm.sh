#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# auth { kerberos { trusted-realm } } against two MIT KDCs: sipsad's realm
# EXAMPLE.TEST trusts OTHER.TEST one way (scripts/sipsa-realm trust), so
# user1@OTHER.TEST gets a valid cross-realm ticket for
# sip/proxy.example.test@EXAMPLE.TEST.  Without trusted-realm lines only
# the keytab's realm is trusted: that ticket is refused (403, the log names
# the realm and the fix).  After a SIGHUP with trusted-realm EXAMPLE.TEST
# and trusted-realm OTHER.TEST other.test, user1@OTHER.TEST signs in as
# sip:user1@other.test but not as sip:user1@example.test (its realm maps
# to other.test), and EXAMPLE.TEST users still sign in, in either served
# domain (no SIP domain on their line).  With OTHER.TEST alone,
# EXAMPLE.TEST principals are refused (sipsad -n and the reload warn),
# NTLM accounts are not.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
need_tool klist
CONF_EXTRA=$(printf 'registrar {\n\tdomain %s\n\tdomain %s\n}' \
    example.test other.test)
setup
cp "$T/sipsa.conf" "$T/base.conf"

# The second realm, stopped (by the PID in its directory) at exit, pass
# or fail.
OTHER=$T/realm-other
stop_other() { "$REALM_TOOL" down "$OTHER" >/dev/null 2>&1 || :; }
on_exit stop_other
"$REALM_TOOL" up "$OTHER" --realm OTHER.TEST --fqdn proxy.other.test \
    --netbios OTHER --users 1 >/dev/null 2>"$T/realm-other.err" ||
    fail "second realm: $(tail -n 5 "$T/realm-other.err")"
"$REALM_TOOL" trust "$T/realm" "$OTHER" >/dev/null 2>"$T/trust.err" ||
    fail "trust: $(cat "$T/trust.err")"
BOTH=$OTHER/krb5-both.conf
CC=FILE:$T/other.ccache
echo user1pw | KRB5_CONFIG=$BOTH KRB5CCNAME=$CC kinit user1@OTHER.TEST \
    >/dev/null 2>"$T/kinit.err" ||
    fail "kinit user1@OTHER.TEST: $(cat "$T/kinit.err")"

# other AOR: user1@OTHER.TEST, from its credential cache, registers AOR.
other() {
	RC=0
	KRB5_CONFIG=$BOTH "$CLIENT" -a kerberos --ccache "$CC" -t udp \
	    -s "127.0.0.1:$PORT" "$1" >"$T/out" 2>&1 || RC=$?
}
# krb USER AOR: USER@EXAMPLE.TEST from its keytab registers AOR.
krb() {
	client -a kerberos --keytab "$SIPSA_REALM_DIR/$1.keytab" \
	    --principal "$1@EXAMPLE.TEST" -t udp -s "127.0.0.1:$PORT" "$2"
}
# refused WHAT: the last run got a 403 (client exit 2, doc/sipsa-client.1).
refused() {
	expect_rc 2 "$1"
	expect_out '403 Forbidden' "$1"
}
# refused_line USER REALM: the log line of a principal of a realm not
# trusted, up to the hint.
refused_line() {
	printf '%s' "auth: sign-in refused sa=[0-9A-F]+ user=$1 peer=[^ ]+: " \
	    "realm $2 is not trusted \\(auth \\{ kerberos \\{ " \
	    "trusted-realm \\} \\}"
}
# reload_with LINE...: the configuration with these lines in its kerberos
# block, then SIGHUP; returns once sipsad says it reloaded.
reloads() { grep -c 'configuration reloaded' "$T/sipsad.log" || :; }
reloaded() { [ "$(reloads)" -gt "$1" ]; }
reload_with() {
	n=$(reloads)
	printf '\t\t%s\n' "$@" >"$T/trusted"
	sed "/^		keytab /r $T/trusted" "$T/base.conf" >"$T/sipsa.conf"
	kill -HUP "$SIPSAD_PID"
	poll 200 reloaded "$n" || fail "no reload after SIGHUP"
}

start_sipsad

# 1. No trusted-realm line: the keytab's realm only.
krb user2 sip:user2@example.test
expect_rc 0 "user2@EXAMPLE.TEST, the keytab's realm"
other sip:user1@example.test
refused "user1@OTHER.TEST, no trusted-realm line"
wait_log "$(refused_line 'user1@OTHER\.TEST' 'OTHER\.TEST'); without it only \
the keytab's realm is: EXAMPLE\.TEST\)$"
wait_log 'refused 403 .*: realm not trusted$'
# The ticket was good: cross-realm, from OTHER.TEST's KDC.
KRB5_CONFIG=$BOTH klist -c "$CC" >"$T/klist" 2>&1 || fail "klist failed"
expect_in "$T/klist" 'krbtgt/EXAMPLE\.TEST@OTHER\.TEST$' "cross-realm TGT"
expect_in "$T/klist" 'sip/proxy\.example\.test@EXAMPLE\.TEST$' \
    "service ticket"
expect_in "$T/klist" 'Default principal: user1@OTHER\.TEST$' "client"

# 2. Both realms, OTHER.TEST's users in other.test.
reload_with "trusted-realm EXAMPLE.TEST" \
    "trusted-realm OTHER.TEST other.test"
other sip:user1@other.test
expect_rc 0 "user1@OTHER.TEST as sip:user1@other.test"
wait_log 'aor=sip:user1@other\.test .*: 200 OK'
other sip:user1@example.test
refused "user1@OTHER.TEST outside other.test"
wait_log "identity check failed sa=[0-9A-F]+ user=user1@OTHER\.TEST \
from=sip:user1@example\.test: realm OTHER\.TEST maps to SIP domain \
other\.test \(trusted-realm\)$"
other sip:user2@other.test
refused "user1@OTHER.TEST as another user of other.test"
krb user2 sip:user2@example.test
expect_rc 0 "user2@EXAMPLE.TEST with trusted-realm lines"
# No SIP domain on EXAMPLE.TEST's line: any served domain.
krb user3 sip:user3@other.test
expect_rc 0 "user3@EXAMPLE.TEST in other.test"

# 3. OTHER.TEST alone: EXAMPLE.TEST principals are refused, and said so
# when the configuration is read.  NTLM is not concerned.
reload_with "trusted-realm OTHER.TEST other.test"
wait_log "no trusted-realm line lists EXAMPLE\.TEST, the realm of the \
keytab's sip/proxy\.example\.test key"
krb user2 sip:user2@example.test
refused "user2@EXAMPLE.TEST, its realm not listed"
wait_log "$(refused_line 'user2@EXAMPLE\.TEST' 'EXAMPLE\.TEST')\)$"
other sip:user1@other.test
expect_rc 0 "user1@OTHER.TEST, listed alone"
SIPSA_PASSWORD=user2pw client -u 'EXAMPLE\user2' -s "127.0.0.1:$PORT" \
    sip:user2@example.test
expect_rc 0 "NTLM EXAMPLE\\user2"
RC=0
"$SIPSAD" -n -f "$T/sipsa.conf" >"$T/out" 2>&1 || RC=$?
expect_rc 0 "sipsad -n, own realm not listed"
expect_out '^warning: no trusted-realm line lists EXAMPLE\.TEST' "sipsad -n"
alive "$SIPSAD_PID" || fail "sipsad died"
stop_sipsad
log "ok"
