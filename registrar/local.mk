# registrar/: see doc/architecture.md.
noinst_LIBRARIES += libregistrar.a
libregistrar_a_SOURCES = registrar/registrar.h
