# tools/: sipsa-client, sipsa-bench, sipsactl.

# The MS-SIPAE user agent client (uac.h) the tools share; uac_int.h says
# which file does what.  opts.h: the table-driven option parsing of both.
noinst_LIBRARIES += libuac.a
libuac_a_SOURCES = tools/uac.h tools/uac_int.h tools/uac.c \
	tools/uac_agent.c tools/uac_register.c tools/uac_handshake.c \
	tools/uac_rspauth.c tools/uac_dialog.c tools/uac_incoming.c \
	tools/opts.h tools/opts.c

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

# sipsactl: the client of sipsad's control socket (src/control.h, issue
# 15); it checks commands with the daemon's own parser (src/ctlproto.c)
# and finds the socket in sipsa.conf through conf/.
sbin_PROGRAMS += tools/sipsactl
tools_sipsactl_SOURCES = tools/sipsactl.c src/ctlproto.c src/ctlproto.h
tools_sipsactl_LDADD = libconf.a liblog.a $(JANSSON_LIBS) $(LIBS)
dist_man_MANS += doc/sipsactl.8
