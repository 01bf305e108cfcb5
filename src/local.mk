# src/: the daemon sipsad and the logging facade (a leaf every module uses).
noinst_LIBRARIES += liblog.a
liblog_a_SOURCES = src/log.c src/log.h

tests_unit_unit_SOURCES += tests/unit/test_log.c
