#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# pidgin-sipe against Active Directory: sipsad on the domain member
# (tests/ad/lib.sh), NTLM checked by the DC through the member's winbindd,
# Kerberos with tickets SIPE gets from the Samba DC with the user's
# password, SIP addresses from the directory (alice's proxyAddresses
# alice.smith, carol's mail carol.jones; bob has none and keeps his login
# name).  Two pairs exchange instant messages (sipe_im_pair):
#   ntlm   alice.smith (NTLM as ADEX\alice, TCP) -> carol.jones (Kerberos
#          as carol, TLS)
#   upn    bob (NTLM as bob@ad.example.test, TLS) -> alice.smith (NTLM, TCP)
# so that a message crosses from one mechanism and transport to the other,
# and both NTLM login forms sign in.
. "$top_srcdir/tests/ad/lib.sh"
. "$top_srcdir/tests/sipe/lib.sh"
sipe_require

ad_up
CONF_EXTRA=$(ad_directory) ad_sipsad_conf info
start_sipsad

D=$SIPSA_AD_DNS_DOMAIN
sipe_im_pair ntlm "$D" \
    alice.smith "alice.smith@$D,ADEX\\alice" 'Al1cePassw0rd!' ntlm tcp \
    carol.jones "carol.jones@$D,carol@$SIPSA_AD_REALM" 'Car0lPassw0rd!' \
    krb5 tls
sipe_im_pair upn "$D" \
    bob "bob@$D,bob@$D" 'B0bPassw0rd!x' ntlm tls \
    alice.smith "alice.smith@$D,ADEX\\alice" 'Al1cePassw0rd!' ntlm tcp
grep -q 'established sa=[0-9A-F]* scheme=Kerberos .*user=carol@' \
    "$T/sipsad.log" || fail "carol did not sign in with Kerberos"
grep -q 'established sa=[0-9A-F]* scheme=NTLM .*user=ADEX\\bob' \
    "$T/sipsad.log" || fail "bob did not sign in with his UPN"
sipe_ok "Kerberos from the DC (carol) and NTLM through the member (alice, bob)"
stop_sipsad
echo "1..$SIPE_CHECKS"
