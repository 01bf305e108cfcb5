# src/: the daemon sipsad.

# sipsad: the request pipeline (proxy.c), its steps (validate.c, steps.c,
# auth.c, register.c), signatures (sign.c), SAs, credentials and the
# registrar (security.c), the one response exit (reply.c), listeners,
# signals, Sofia's logs and the message class nta parses with (mclass.c).
# All but main.c form libsipsad.a, which the pipeline harness
# (tests/pipeline) links too.
noinst_LIBRARIES += libsipsad.a
libsipsad_a_SOURCES = src/proxy.c src/proxy.h src/listen.c \
	src/ptx.c src/validate.c src/steps.c src/auth.c src/sign.c \
	src/register.c src/route.c src/known.c src/streak.c src/guard.c \
	src/security.c src/answers.c src/conns.c src/workers.c \
	src/reply.c src/signals.c src/sofialog.c src/mclass.c src/mclass.h \
	src/idmap.c src/idmap.h src/directory.c src/directory.h \
	src/access.c src/access.h src/audit.c src/audit.h \
	src/audit_value.c src/notify.c src/notify.h src/metrics.c \
	src/metrics.h src/control.c src/control.h src/ctlproto.c src/ctlproto.h
sbin_PROGRAMS += sipsad
sipsad_SOURCES = src/main.c
sipsad_LDADD = libsipsad.a $(SIPSA_LDADD) $(JANSSON_LIBS)

# The message class with our method decoders (src/mclass.h): the unit
# binary compiles it too, to feed the decoders directly.
tests_unit_unit_SOURCES += src/mclass.c src/mclass.h tests/unit/test_mclass.c
# Lockout protection on its own, with a test clock.
tests_unit_unit_SOURCES += src/guard.c tests/unit/test_guard.c
# Connection bounds, with real sockets and the accept() and close() that
# src/conns.c provides.
tests_unit_unit_SOURCES += src/conns.c tests/unit/test_conns.c
# The identity map's parser and matching (auth { identity-map }).
tests_unit_unit_SOURCES += src/idmap.c tests/unit/test_idmap.c
# The sign-in rules (access { } and a listener's allow and deny).
tests_unit_unit_SOURCES += src/access.c tests/unit/test_access.c
# How the audit lines write values (the rest of src/audit.c needs the
# daemon: tests/integration/t-audit.sh).
tests_unit_unit_SOURCES += src/audit_value.c tests/unit/test_audit.c
# The control protocol's commands and user matching (src/ctlproto.h).
tests_unit_unit_SOURCES += src/ctlproto.c tests/unit/test_ctlproto.c

dist_man_MANS += doc/sipsad.8
EXTRA_DIST += README.md doc/architecture.md doc/message-flows.md \
	doc/clients.md doc/security.md doc/active-directory.md \
	doc/identity.md doc/audit.md doc/fail2ban/filter.d/sipsa.conf \
	doc/fail2ban/jail.d/sipsa.conf \
	scripts/capture-flows

# The systemd unit (doc/systemd.md), with this build's paths.
systemdsystemunit_DATA = dist/sipsad.service
dist/sipsad.service: $(top_srcdir)/dist/sipsad.service.in Makefile
	@$(MKDIR_P) dist
	$(AM_V_GEN)sed -e 's|[@]sbindir[@]|$(sbindir)|g' \
	    -e 's|[@]sysconfdir[@]|$(sysconfdir)|g' \
	    $(top_srcdir)/dist/sipsad.service.in >$@.tmp && mv $@.tmp $@
CLEANFILES += dist/sipsad.service
EXTRA_DIST += dist/sipsad.service.in doc/systemd.md doc/metrics.md
