# conf/: the sipsa.conf parser, validator and dumper (see doc/sipsa.conf.5).
noinst_LIBRARIES += libconf.a
libconf_a_SOURCES = conf/conf.h conf/conf_int.h conf/conf.c conf/lex.c \
	conf/parse.c conf/directives.c conf/value.c conf/apply.c conf/validate.c \
	conf/secrets.c conf/dump.c

tests_unit_unit_SOURCES += tests/unit/test_conf.c tests/unit/test_conf.h \
	tests/unit/test_conf_errors.c tests/unit/test_conf_files.c \
	tests/unit/test_conf_dump.c

# Golden tests: with "sipsad -n -f FILE", good-*.conf must load and
# bad-*.conf must print bad-*.err (tests/conf/run.sh).  confcheck does what
# "sipsad -n [-v] -f FILE" does with the conf module alone, to check a file
# without building the daemon.
check_PROGRAMS += tests/conf/confcheck
tests_conf_confcheck_SOURCES = tests/conf/confcheck.c
tests_conf_confcheck_LDADD = libconf.a liblog.a
TESTS += tests/conf/run.sh
CONF_GOLDEN = \
	tests/conf/bad-arity.conf \
	tests/conf/bad-arity.err \
	tests/conf/bad-auth-default.conf \
	tests/conf/bad-auth-default.err \
	tests/conf/bad-auth.conf \
	tests/conf/bad-auth.err \
	tests/conf/bad-control.conf \
	tests/conf/bad-control.err \
	tests/conf/bad-control-path.conf \
	tests/conf/bad-control-path.err \
	tests/conf/bad-directory.conf \
	tests/conf/bad-directory.err \
	tests/conf/bad-directory-refs.conf \
	tests/conf/bad-directory-refs.err \
	tests/conf/bad-duplicate.conf \
	tests/conf/bad-duplicate.err \
	tests/conf/bad-fqdn.conf \
	tests/conf/bad-fqdn.err \
	tests/conf/bad-include-loop.conf \
	tests/conf/bad-include-loop.err \
	tests/conf/bad-include.conf \
	tests/conf/bad-include.err \
	tests/conf/bad-limits.conf \
	tests/conf/bad-limits.err \
	tests/conf/bad-listeners.conf \
	tests/conf/bad-listeners.err \
	tests/conf/bad-nothing.conf \
	tests/conf/bad-nothing.err \
	tests/conf/bad-secrets.conf \
	tests/conf/bad-secrets.err \
	tests/conf/bad-sync.conf \
	tests/conf/bad-sync.err \
	tests/conf/bad-syntax.conf \
	tests/conf/bad-syntax.err \
	tests/conf/bad-targets.conf \
	tests/conf/bad-targets.err \
	tests/conf/bad-too-many.conf \
	tests/conf/bad-too-many.err \
	tests/conf/bad-trusted-realm.conf \
	tests/conf/bad-trusted-realm.err \
	tests/conf/bad-unclosed.conf \
	tests/conf/bad-unclosed.err \
	tests/conf/bad-unknown.conf \
	tests/conf/bad-unknown.err \
	tests/conf/bad-values.conf \
	tests/conf/bad-values.err \
	tests/conf/good-full.conf \
	tests/conf/good-minimal.conf \
	tests/conf/good-secrets.conf \
	tests/conf/inc/errors.conf \
	tests/conf/inc/extra.conf \
	tests/conf/inc/loop-a.conf \
	tests/conf/inc/loop-b.conf \
	tests/conf/inc/more/last.conf \
	tests/conf/inc/ntlm-errors.conf

dist_man_MANS += doc/sipsa.conf.5
# The annotated sample goes next to the configuration, as
# SYSCONFDIR/sipsa/sipsa.conf.sample: nothing is installed as sipsa.conf
# itself, so sipsad does not serve until the admin writes one (sipsad
# names the sample when the file is missing; doc/packaging.md).
sipsaconfdir = $(sysconfdir)/sipsa
dist_sipsaconf_DATA = doc/sipsa.conf.sample
EXTRA_DIST += tests/conf/run.sh $(CONF_GOLDEN)
