# tools/: sipsa-client, sipsa-bench.

# The MS-SIPAE user agent client (uac.h) the tools share.
noinst_LIBRARIES += libuac.a
libuac_a_SOURCES = tools/uac.c tools/uac.h

# sipsa-client: register by NTLM or Kerberos, verify, refresh, de-register.
bin_PROGRAMS += tools/sipsa-client
tools_sipsa_client_SOURCES = tools/sipsa-client.c
tools_sipsa_client_LDADD = libuac.a $(SIPSA_LDADD)
dist_man_MANS += doc/sipsa-client.1
