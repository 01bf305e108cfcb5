# tests/sipe/: the real-client tests.  sipe-driver signs the pidgin-sipe
# client in through libpurple, headless; the scripts run it against SIPp
# stand-ins and against sipsad (issue 4, item 8; tests/sipe/README.md).
check_PROGRAMS += tests/sipe/sipe-driver
tests_sipe_sipe_driver_SOURCES = tests/sipe/sipe-driver.c
tests_sipe_sipe_driver_CFLAGS = $(AM_CFLAGS) $(PURPLE_CFLAGS)
tests_sipe_sipe_driver_LDADD = $(PURPLE_LIBS) -ldl
# The driver's purple_circ_buffer_mark_read() replaces libpurple's for the
# plugin (tests/sipe/sipe-driver.c says why).
tests_sipe_sipe_driver_LDFLAGS = \
	-Wl,--export-dynamic-symbol=purple_circ_buffer_mark_read

TESTS += tests/sipe/t-sipe-reject.sh tests/sipe/t-sipe-driver.sh \
	tests/sipe/t-sipe-challenge.sh tests/sipe/t-sipe-signin.sh \
	tests/sipe/t-sipe-im.sh tests/sipe/t-sipe-proxy.sh \
	tests/sipe/t-sipe-kick.sh
EXTRA_DIST += tests/sipe/README.md tests/sipe/lib.sh \
	tests/sipe/t-sipe-reject.sh tests/sipe/t-sipe-driver.sh \
	tests/sipe/t-sipe-challenge.sh tests/sipe/t-sipe-signin.sh \
	tests/sipe/t-sipe-im.sh tests/sipe/t-sipe-proxy.sh tests/sipe/t-sipe-kick.sh \
	tests/sipe/tls-relay.py tests/sipe/ntlm-fields.py \
	tests/sipe/uas-403.xml tests/sipe/uas-200.xml tests/sipe/uas-silent.xml \
	tests/sipe/uas-ntlm.xml tests/sipe/uas-krb5.xml
