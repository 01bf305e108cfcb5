/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_conf.h: helpers shared by the conf test files: an error
 * sink that keeps the lines, a small valid configuration (BASE) and loaders
 * that expect success or exact error lines.
 */
#ifndef SIPSA_TESTS_TEST_CONF_H
#define SIPSA_TESTS_TEST_CONF_H

#include <CUnit/CUnit.h>

#include "conf/conf.h"

#define CONF_T_MAXLINES	64

struct errs {
	int	n;
	char	line[CONF_T_MAXLINES][1024];
};

/* A conf_err_fn and a log_sink_fn that append to the struct errs at arg. */
void	conf_t_sink(const char *msg, void *arg);
void	conf_t_warn_sink(int level, const char *module, const char *line,
	    void *arg);

/*
 * A small valid configuration that needs no secret file; it has 10 lines,
 * so text appended to it starts on line 11.
 */
#define BASE \
	"server {\n\tfqdn \"proxy.example.test\"\n}\n" \
	"listen tcp 127.0.0.1 5060\n" \
	"auth {\n\tschemes ntlm\n\tntlm { users winbind }\n}\n" \
	"\t# a comment\n\n"

/* Parse text as "t.conf" without secret checks; errors go to e. */
int	conf_t_load(const char *text, struct errs *e, struct sipsa_conf **c);
/* BASE + extra must load; returns the snapshot (NULL after a failure). */
struct sipsa_conf *conf_t_load_ok(const char *extra);
/* BASE + extra must fail with exactly the lines of want (NULL-ended). */
void	conf_t_expect_errs(const char *extra, const char *const *want);

#define ERRS(extra, ...) do {						\
	const char *const w_[] = { __VA_ARGS__, NULL };			\
	conf_t_expect_errs(extra, w_);					\
} while (0)

/* The test lists of the other files. */
extern CU_TestInfo conf_error_tests[];
extern CU_TestInfo conf_file_tests[];
extern CU_TestInfo conf_dump_tests[];
int	conf_files_setup(void);
int	conf_files_teardown(void);

#endif
