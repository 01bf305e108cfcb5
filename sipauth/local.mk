# sipauth/: the MS-SIPAE protocol (headers, signature strings, NTLM
# signing); pure functions, no sockets, no GSSAPI.
noinst_LIBRARIES += libsipauth.a
libsipauth_a_SOURCES = sipauth/ntlm.h
