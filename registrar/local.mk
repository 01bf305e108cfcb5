# registrar/: REGISTER processing and the durable binding store
# (doc/registrar.md).
noinst_LIBRARIES += libregistrar.a
libregistrar_a_SOURCES = registrar/registrar.h registrar/internal.h \
	registrar/reason.c registrar/binding.c registrar/expiry.c \
	registrar/endpoint.c registrar/register.c registrar/registrar.c \
	registrar/pending.c registrar/store_lmdb.c

tests_unit_unit_SOURCES += tests/unit/test_registrar.c \
	tests/registrar/test_handle.c tests/registrar/test_refresh.c \
	tests/registrar/fixture.h

# The registrar's suites run in tests/unit/unit with a real LMDB store in
# a temporary directory; the durability test kills a writer with SIGKILL.
REGISTRAR_TEST_LDADD = libregistrar.a liblog.a $(OPENSSL_LIBS) \
	$(LMDB_LIBS) $(LIBS)
check_PROGRAMS += tests/registrar/durable tests/registrar/putbench \
	tests/registrar/failmalloc
tests_registrar_durable_SOURCES = tests/registrar/durable.c
tests_registrar_durable_LDADD = $(REGISTRAR_TEST_LDADD)
tests_registrar_putbench_SOURCES = tests/registrar/putbench.c
tests_registrar_putbench_LDADD = $(REGISTRAR_TEST_LDADD)
# The allocation-failure ladder wraps the allocator of the statically
# linked registrar code only.
tests_registrar_failmalloc_SOURCES = tests/registrar/failmalloc.c
tests_registrar_failmalloc_LDADD = $(REGISTRAR_TEST_LDADD)
tests_registrar_failmalloc_LDFLAGS = -Wl,--wrap=malloc,--wrap=calloc \
	-Wl,--wrap=realloc,--wrap=strdup,--wrap=strndup,--wrap=free
TESTS += tests/registrar/durable.sh tests/registrar/failmalloc
EXTRA_DIST += tests/registrar/durable.sh doc/registrar.md
