# tests/failmalloc/: the allocation-failure ladders.  wrap.c stands in for
# the allocator of a program linked with FAILMALLOC_WRAP and fails the
# n-th allocation on request (wrap.h); the registrar's ladder
# (tests/registrar/failmalloc, registrar/local.mk) and the SA table's use
# it.  Included after registrar/local.mk.
FAILMALLOC_WRAP = -Wl,--wrap=malloc,--wrap=calloc \
	-Wl,--wrap=realloc,--wrap=strdup,--wrap=strndup,--wrap=free
tests_registrar_failmalloc_SOURCES += tests/failmalloc/wrap.c \
	tests/failmalloc/wrap.h

# The SA table: handshakes through fake_mech, binding, lookups, expiry and
# tombstones, with every allocation failing in turn (tests/sa/failmalloc.c).
check_PROGRAMS += tests/sa/failmalloc
tests_sa_failmalloc_SOURCES = tests/sa/failmalloc.c tests/failmalloc/wrap.c \
	tests/failmalloc/wrap.h tests/fake/fake_mech.c tests/fake/fake_mech.h
tests_sa_failmalloc_LDADD = libsa.a libsipauth.a liblog.a $(SOFIA_LIBS) \
	$(OPENSSL_LIBS) $(LIBS)
tests_sa_failmalloc_LDFLAGS = $(FAILMALLOC_WRAP)
TESTS += tests/sa/failmalloc
