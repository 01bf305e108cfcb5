/* SPDX-License-Identifier: BSD-2-Clause */
/* tests/unit/test_log.c: the logging facade. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "tests/unit/unit.h"

#define LOG_MODULE "unit"
#include "log/log.h"

static char last_line[512];
static int last_level;
static int nlines;

static void
capture(int level, const char *module, const char *line, void *arg)
{
	(void)module;
	(void)arg;
	last_level = level;
	nlines++;
	(void)strncpy(last_line, line, sizeof(last_line) - 1);
}

static void
test_log_level_names_round_trip(void)
{
	CU_ASSERT_EQUAL(log_level_parse("debug"), LOG_LVL_DEBUG);
	CU_ASSERT_EQUAL(log_level_parse("WARN"), LOG_LVL_WARN);
	CU_ASSERT_EQUAL(log_level_parse("loud"), -1);
	CU_ASSERT_STRING_EQUAL(log_level_name(LOG_LVL_NOTICE), "notice");
	CU_ASSERT_STRING_EQUAL(log_level_name(99), "?");
}

static void
test_log_filters_by_level_and_prefixes_module(void)
{
	int saved = log_getlevel();

	log_set_sink(capture, NULL);
	log_setlevel(LOG_LVL_INFO);
	nlines = 0;
	log_debug("hidden %d", 1);
	CU_ASSERT_EQUAL(nlines, 0);
	log_info("shown %d", 2);
	CU_ASSERT_EQUAL(nlines, 1);
	CU_ASSERT_EQUAL(last_level, LOG_LVL_INFO);
	CU_ASSERT_STRING_EQUAL(last_line, "unit: shown 2");
	errno = ENOENT;
	log_warn("open %s", "x");
	CU_ASSERT_STRING_EQUAL(last_line,
	    "unit: open x: No such file or directory");
	log_set_sink(NULL, NULL);
	log_setlevel(saved);
}

static void
test_log_setfacility_knows_syslog_names(void)
{
	CU_ASSERT_EQUAL(log_setfacility("local3"), 0);
	CU_ASSERT_EQUAL(log_setfacility("authpriv"), 0);
	CU_ASSERT_EQUAL(log_setfacility("local8"), -1);
	CU_ASSERT_EQUAL(log_setfacility(""), -1);
	CU_ASSERT_EQUAL(log_setfacility(NULL), -1);
	CU_ASSERT_EQUAL(log_setfacility("daemon"), 0);
}

static CU_TestInfo log_tests[] = {
	{ "level_names_round_trip", test_log_level_names_round_trip },
	{ "filters_by_level_and_prefixes_module",
	    test_log_filters_by_level_and_prefixes_module },
	{ "setfacility_knows_syslog_names",
	    test_log_setfacility_knows_syslog_names },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo log_suites[] = {
	{ "log", NULL, NULL, NULL, NULL, log_tests },
	CU_SUITE_INFO_NULL,
};
