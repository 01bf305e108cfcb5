# tests/pipeline/: the pipeline harness.  The real sipsad agent
# (libsipsad.a) on loopback with the fake mechanism (tests/fake) and
# scripted SIP peers in one process: no KDC, no NTLM user file.
check_PROGRAMS += tests/pipeline/pipeline
tests_pipeline_pipeline_SOURCES = tests/pipeline/pipeline.c \
	tests/pipeline/harness.c tests/pipeline/peer.c \
	tests/pipeline/pipeline.h tests/fake/fake_mech.c tests/fake/fake_mech.h
tests_pipeline_pipeline_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_pipeline_pipeline_LDADD = libsipsad.a $(SIPSA_LDADD) $(JANSSON_LIBS) \
	$(CUNIT_LIBS)
TESTS += tests/pipeline/pipeline
