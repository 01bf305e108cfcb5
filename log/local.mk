# log/: the logging facade, a leaf every module uses (log/log.h): stderr
# or syslog, levels, a sink for tests.
noinst_LIBRARIES += liblog.a
liblog_a_SOURCES = log/log.c log/log.h

tests_unit_unit_SOURCES += tests/unit/test_log.c
