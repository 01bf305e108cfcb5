# conf/: the sipsa.conf parser, validator and dumper (see doc/sipsa.conf.5).
noinst_LIBRARIES += libconf.a
libconf_a_SOURCES = conf/conf.h conf/conf_int.h conf/conf.c conf/lex.c \
	conf/parse.c conf/directives.c conf/value.c conf/apply.c conf/validate.c \
	conf/secrets.c conf/dump.c

tests_unit_unit_SOURCES += tests/unit/test_conf.c tests/unit/test_conf_files.c

dist_man_MANS += doc/sipsa.conf.5
