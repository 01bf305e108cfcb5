# sa/: see doc/architecture.md.
noinst_LIBRARIES += libsa.a
# Security associations: table, expiry, tombstones, replay window (sa.h).
libsa_a_SOURCES = sa/sa.h sa/sa_priv.h sa/table.c sa/assoc.c \
	sa/endpoint.c sa/expire.c sa/seqwin.c sa/seqwin.h sa/hash.c \
	sa/hash.h sa/reason.c sa/clock.c sa/backend.c sa/tomb.c
tests_unit_unit_SOURCES += tests/unit/test_sa.c tests/unit/test_sa.h \
	tests/unit/test_sa_fake.c tests/unit/test_sa_assoc.c \
	tests/unit/test_sa_seqwin.c tests/unit/test_sa_expire.c \
	tests/unit/test_sa_cfx.c
# fake_mech, the test double of the mechanism; tests/pipeline links it too.
tests_unit_unit_SOURCES += tests/fake/fake_mech.c tests/fake/fake_mech.h
# Real NTLM and Kerberos round trips through the SA table (sa_mech_gss).
if HAVE_CUNIT
check_PROGRAMS += tests/mech/sa_rt
endif
tests_mech_sa_rt_SOURCES = tests/mech/sa_rt.c tests/mech/helpers.c \
	tests/mech/mech_test.h
tests_mech_sa_rt_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_mech_sa_rt_LDADD = $(SIPSA_LDADD) $(CUNIT_LIBS)
if HAVE_CUNIT
TESTS += tests/mech/sa_run.sh
endif
EXTRA_DIST += tests/mech/sa_run.sh
# The mechanisms (mech.h): NTLM via gss-ntlmssp, Kerberos via MIT GSSAPI.
libsa_a_SOURCES += sa/mech.c sa/mech_ntlm.c sa/mech_krb5.c sa/mech.h \
	sa/mech_int.h sa/mech_ntlm_init.c sa/mech_ntlm_user.c \
	sa/mech_ntlm_index.c sa/mech_ntlm_wb.c sa/krb5_cfx.c sa/krb5_cfx.h \
	sa/mech_keytab.c sa/mech_krb5_skew.c sa/mech_krb5_kt.c
# Real round trips through mech.h against a throwaway realm
# (tests/mech/run.sh starts scripts/sipsa-realm; no mocks).
if HAVE_CUNIT
check_PROGRAMS += tests/mech/mech
endif
tests_mech_mech_SOURCES = tests/mech/mech.c tests/mech/helpers.c \
	tests/mech/userfile.c tests/mech/userindex.c tests/mech/shared.c \
	tests/mech/mech_test.h
tests_mech_mech_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_mech_mech_LDADD = $(SIPSA_LDADD) $(CUNIT_LIBS)
if HAVE_CUNIT
TESTS += tests/mech/run.sh
endif
EXTRA_DIST += tests/mech/run.sh tests/mech/valgrind.supp scripts/sipsa-realm \
	doc/ntlm.md
