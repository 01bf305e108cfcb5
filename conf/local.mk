# conf/: see doc/architecture.md.
noinst_LIBRARIES += libconf.a
libconf_a_SOURCES = conf/conf.h
