# tools/: sipsa-client, sipsa-bench.

# The MS-SIPAE user agent client (uac.h) the tools share.
noinst_LIBRARIES += libuac.a
libuac_a_SOURCES = tools/uac.c tools/uac.h

# sipsa-client: register by NTLM or Kerberos, verify, refresh, de-register.
bin_PROGRAMS += tools/sipsa-client
tools_sipsa_client_SOURCES = tools/sipsa-client.c
tools_sipsa_client_LDADD = libuac.a $(SIPSA_LDADD)
dist_man_MANS += doc/sipsa-client.1

# sipsa-bench: the MS-SIPAE load generator (bench/README.md, issue 6).
bin_PROGRAMS += tools/sipsa-bench
tools_sipsa_bench_SOURCES = tools/sipsa-bench.c
tools_sipsa_bench_LDADD = libuac.a $(SIPSA_LDADD) -lm
dist_man_MANS += doc/sipsa-bench.1
