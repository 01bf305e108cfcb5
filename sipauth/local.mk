# sipauth/: the MS-SIPAE protocol (headers, signature strings, NTLM
# signing); pure functions, no sockets, no GSSAPI.
noinst_LIBRARIES += libsipauth.a
libsipauth_a_SOURCES = sipauth/ntlm.h
# NTLM (decoders, key derivation, connectionless signatures)
libsipauth_a_SOURCES += sipauth/ntlm.c sipauth/ntlm_crypto.c \
	sipauth/ntlm_crypto.h
tests_unit_unit_SOURCES += tests/unit/test_ntlm.c \
	tests/unit/test_ntlm_decode.c tests/unit/test_ntlm.h
EXTRA_DIST += tests/data/ntlm/vectors.txt
# MS-SIPAE headers, signature strings, epid (sipauth.h)
libsipauth_a_SOURCES += sipauth/sipauth.h sipauth/internal.h \
	sipauth/codec.c sipauth/strbuf.c sipauth/hdr_parse.c \
	sipauth/hdr_format.c sipauth/sigstr.c sipauth/sigmsg.c sipauth/epid.c \
	sipauth/cancel.c sipauth/nonce.c
tests_unit_unit_SOURCES += tests/unit/test_sipauth.c
EXTRA_DIST += tests/data/sipauth/sigstr.txt tests/data/sipauth/headers.txt
