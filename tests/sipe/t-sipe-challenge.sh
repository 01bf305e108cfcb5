#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-sipe-challenge: what the real pidgin-sipe client answers to MS-SIPAE
# challenges, with SIPp playing the registrar's side without verifying
# anything (uas-ntlm.xml, uas-krb5.xml) and a throwaway realm
# (scripts/sipsa-realm) for Kerberos.  It checks the parts t-sipe-signin.sh
# relies on before sipsad can sign anyone in: the login formats, the NTLM
# AUTHENTICATE they produce, the service ticket SIPE asks the test KDC for,
# the ccache (--sso) path, and the driver's authentication error class.
. "$(dirname "$0")/lib.sh"
sipe_require sipp ss python3
realm_up
kdclog=$SIPSA_REALM_DIR/kdc.log
sip_spn="sip/$SIPSA_FQDN@$SIPSA_REALM"

# kdc_count TEXT: lines of the KDC log with TEXT.
kdc_count() {
	grep -cF -- "$1" "$kdclog" || true
}

# ntlm_fields FILE: user, domain and flags of the last NTLM AUTHENTICATE
# (type 3) sent in a SIPp message trace, as "user=U domain=D flags=0xF".
ntlm_fields() {
	python3 "$SIPE_SRC/ntlm-fields.py" "$1"
}

# 1. NTLM with a DOMAIN\user login: empty first token echoing version=4,
# then an AUTHENTICATE for user1 in EXAMPLE, signed (version 4).
sipe_sipp_run ntlm uas-ntlm.xml \
    --user "user1@example.test,$SIPSA_NETBIOS\\user1" --password user1pw \
    --transport tcp --auth ntlm --linger 1
sipe_expect_rc ntlm 0
sipe_expect_order ntlm SIGNED-ON SIGNED-OFF
sipe_expect_log ntlm \
    'Authorization: NTLM qop="auth", realm="SIP Communications Service", targetname="proxy.example.test", gssapi-data="", version=4'
sipe_expect_log ntlm \
    'Authorization: NTLM qop="auth", opaque="7A1FFDC6", realm="SIP Communications Service", targetname="proxy.example.test", gssapi-data="TlRMTVNTUAAD'
got=$(ntlm_fields "$SIPE_WORK/ntlm.msg") || fail "ntlm: $got"
case $got in
"user=user1 domain=$SIPSA_NETBIOS flags="*) ;;
*) fail "ntlm: AUTHENTICATE carries $got" ;;
esac
sipe_ok "ntlm: AUTHENTICATE for user1 in $SIPSA_NETBIOS ($got)"
grep 'gssapi-data="TlRMTVNTUAAD' "$SIPE_WORK/ntlm.msg" |
    grep -q 'version=4, crand="[0-9a-f]\{8\}", cnum="1", response="01000000[0-9A-F]\{16\}64000000"' ||
    fail "ntlm: the AUTHENTICATE REGISTER is not signed (seq 100)"
sipe_ok "ntlm: AUTHENTICATE REGISTER signed (version 4, seq 100)"

# 2. Kerberos with a password and a UPN login: SIPE gets a TGT (AS-REQ)
# and a ticket for sip/<fqdn> (TGS-REQ) from the test KDC, and sends a
# signed AP-REQ.
as1=$(kdc_count "AS_REQ")
sipe_sipp_run krb5 uas-krb5.xml \
    --user "user1@example.test,user1@$SIPSA_REALM" --password user1pw \
    --transport tcp --auth krb5 --linger 1
sipe_expect_rc krb5 0
sipe_expect_order krb5 SIGNED-ON SIGNED-OFF
sipe_expect_log krb5 "username 'user1@$SIPSA_REALM'"
grep 'Authorization: Kerberos qop="auth", realm="SIP Communications Service", targetname="sip/proxy.example.test", gssapi-data="YII' \
    "$SIPE_WORK/krb5.msg" |
    grep -q 'version=4, crand="[0-9a-f]\{8\}", cnum="1", response="040400FFFFFFFFFF[0-9A-F]*"' ||
    fail "krb5: no signed AP-REQ REGISTER"
sipe_ok "krb5: AP-REQ REGISTER signed with a GSS MIC (version 4)"
[ "$(kdc_count "AS_REQ")" -gt "$as1" ] &&
    grep -F "TGS_REQ" "$kdclog" | grep -qF "user1@$SIPSA_REALM for $sip_spn" ||
    fail "krb5: the KDC issued no TGT and ticket for $sip_spn"
sipe_ok "krb5: KDC issued a TGT and a ticket for $sip_spn"

# 3. Kerberos from the ccache (--sso, no password): only a TGS-REQ.
"$REALM_TOOL" kinit "$SIPSA_REALM_DIR" user2 ||
    fail "kinit user2 failed"
as2=$(kdc_count "user2@$SIPSA_REALM for krbtgt/")
sipe_sipp_run sso uas-krb5.xml \
    --user "user2@example.test,user2@$SIPSA_REALM" --sso \
    --transport tcp --auth krb5 --linger 1
sipe_expect_rc sso 0
sipe_expect_order sso SIGNED-ON SIGNED-OFF
grep -F "TGS_REQ" "$kdclog" | grep -qF "user2@$SIPSA_REALM for $sip_spn" &&
    [ "$(kdc_count "user2@$SIPSA_REALM for krbtgt/")" -eq "$as2" ] ||
    fail "sso: expected a TGS-REQ from the ccache's TGT and no AS-REQ"
sipe_ok "sso: ticket from the ccache's TGT, no new AS-REQ"

# 4. Kerberos with a wrong password: the driver's authentication class.
sipe_sipp_run badpw uas-krb5.xml \
    --user "user3@example.test,user3@$SIPSA_REALM" --password wrong \
    --transport tcp --auth krb5
sipe_expect_rc badpw 2
grep -q '^ERROR AUTHENTICATION_FAILED: ' "$SIPE_WORK/badpw.out" ||
    fail "badpw: no ERROR AUTHENTICATION_FAILED line"
sipe_ok "badpw: prints ERROR AUTHENTICATION_FAILED"
sipe_expect_no_out badpw SIGNED-ON
echo "1..$SIPE_CHECKS"
