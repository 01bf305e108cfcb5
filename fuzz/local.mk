# fuzz/: libFuzzer targets (configure --enable-fuzz, CC=clang).  fuzz/run.sh
# configures a separate clang build, builds these and runs each for a
# bounded time; `make fuzz` calls it (FUZZ_SECONDS, default 600).
if ENABLE_FUZZ
noinst_PROGRAMS += fuzz/fuzz_hdr fuzz/fuzz_sigstr fuzz/fuzz_ntlm
FUZZ_LDADD = libsipauth.a liblog.a $(SOFIA_LIBS) $(OPENSSL_LIBS) $(LIBS)
fuzz_fuzz_hdr_SOURCES = fuzz/fuzz_hdr.c
fuzz_fuzz_hdr_LDFLAGS = -fsanitize=fuzzer
fuzz_fuzz_hdr_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_sigstr_SOURCES = fuzz/fuzz_sigstr.c
fuzz_fuzz_sigstr_LDFLAGS = -fsanitize=fuzzer
fuzz_fuzz_sigstr_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_ntlm_SOURCES = fuzz/fuzz_ntlm.c
fuzz_fuzz_ntlm_LDFLAGS = -fsanitize=fuzzer
fuzz_fuzz_ntlm_LDADD = $(FUZZ_LDADD)
endif
EXTRA_DIST += fuzz/run.sh fuzz/README.md fuzz/corpus

FUZZ_SECONDS = 600
fuzz:
	$(SHELL) $(top_srcdir)/fuzz/run.sh $(FUZZ_SECONDS)
.PHONY: fuzz
