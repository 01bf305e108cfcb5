# sipauth/: the MS-SIPAE protocol (headers, signature strings, NTLM
# signing); pure functions, no sockets, no GSSAPI.
noinst_LIBRARIES += libsipauth.a
libsipauth_a_SOURCES = sipauth/ntlm.h
# NTLM (decoders, key derivation, connectionless signatures)
libsipauth_a_SOURCES += sipauth/ntlm.c sipauth/ntlm_crypto.c \
	sipauth/ntlm_crypto.h
tests_unit_unit_SOURCES += tests/unit/test_ntlm.c
EXTRA_DIST += tests/data/ntlm/vectors.txt
