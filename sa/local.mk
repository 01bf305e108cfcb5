# sa/: see doc/architecture.md.
noinst_LIBRARIES += libsa.a
libsa_a_SOURCES = sa/sa.h
