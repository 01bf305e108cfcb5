/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_sa_seqwin.c: the cnum replay window, table-driven in the
 * shape of krb5's t_seqstate.c: each row is a sequence of numbers fed to
 * one fresh window, with the result expected for each.
 */
#include "config.h"

#include <stdio.h>

#include "sa/seqwin.h"
#include "tests/unit/test_sa.h"

#define OK	SEQWIN_OK
#define REPLAY	SEQWIN_REPLAY
#define OLD	SEQWIN_OLD
#define MAX	UINT32_MAX

static const struct {
	const char	*what;
	size_t		 n;
	struct {
		uint32_t		cnum;
		enum seqwin_result	result;
	} seq[10];
} rows[] = {
	{ "in order", 4, { { 1, OK }, { 2, OK }, { 3, OK }, { 4, OK } } },
	{ "first number may be anything, even 0", 3,
	    { { 0, OK }, { 0, REPLAY }, { 1, OK } } },
	{ "replays", 5,
	    { { 1, OK }, { 1, REPLAY }, { 2, OK }, { 1, REPLAY },
	      { 2, REPLAY } } },
	{ "out of order inside the window", 6,
	    { { 10, OK }, { 5, OK }, { 7, OK }, { 5, REPLAY }, { 9, OK },
	      { 10, REPLAY } } },
	{ "lower edge: 255 behind is in, 256 behind is out", 8,
	    { { 300, OK }, { 45, OK }, { 44, OLD }, { 45, REPLAY },
	      { 301, OK }, { 46, OK }, { 46, REPLAY }, { 45, OLD } } },
	{ "far jump forward moves the window", 6,
	    { { 1, OK }, { 100000, OK }, { 99745, OK }, { 99744, OLD },
	      { 2, OLD }, { 100000, REPLAY } } },
	{ "jump of exactly the window clears it", 5,
	    { { 1, OK }, { 257, OK }, { 1, OLD }, { 2, OK },
	      { 257, REPLAY } } },
	{ "jump of one word keeps the bit", 5,
	    { { 1, OK }, { 65, OK }, { 1, REPLAY }, { 2, OK },
	      { 2, REPLAY } } },
	{ "odd shifts carry bits across words", 9,
	    { { 0, OK }, { 3, OK }, { 70, OK }, { 140, OK }, { 3, REPLAY },
	      { 0, REPLAY }, { 1, OK }, { 2, OK }, { 70, REPLAY } } },
	{ "a bit carried across a word boundary", 7,
	    { { 0, OK }, { 60, OK }, { 70, OK }, { 0, REPLAY }, { 1, OK },
	      { 60, REPLAY }, { 1, REPLAY } } },
	{ "wrap at 2^32", 8,
	    { { MAX - 1, OK }, { MAX, OK }, { 0, OK }, { 1, OK },
	      { MAX, REPLAY }, { MAX - 2, OK }, { 0, REPLAY },
	      { MAX - 1, REPLAY } } },
	{ "window edge across the wrap", 4,
	    { { MAX - 127, OK }, { 127, OK }, { MAX - 127, REPLAY },
	      { MAX - 128, OLD } } },
	{ "2^31 ahead counts as behind", 4,
	    { { 5, OK }, { UINT32_C(0x80000005), OLD },
	      { UINT32_C(0x80000004), OK }, { 5, OLD } } },
};

static void
test_sa_seqwin_rows(void)
{
	struct seqwin w;
	enum seqwin_result got;
	size_t i, j;
	char msg[128];

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		w = (struct seqwin){ 0 };
		for (j = 0; j < rows[i].n; j++) {
			got = seqwin_update(&w, rows[i].seq[j].cnum);
			if (got == rows[i].seq[j].result)
				continue;
			(void)snprintf(msg, sizeof(msg), "row %zu (%s) step "
			    "%zu: cnum %u gave %d, want %d", i, rows[i].what,
			    j, (unsigned)rows[i].seq[j].cnum, (int)got,
			    (int)rows[i].seq[j].result);
			CU_FAIL(msg);
			fprintf(stderr, "%s\n", msg);
		}
		CU_PASS(rows[i].what);
	}
}

static void
test_sa_seqwin_check_records_nothing(void)
{
	struct seqwin w = { 0 };

	CU_ASSERT_EQUAL(seqwin_check(&w, 5), OK);
	CU_ASSERT_EQUAL(seqwin_check(&w, 5), OK);
	CU_ASSERT_EQUAL(seqwin_update(&w, 5), OK);
	CU_ASSERT_EQUAL(seqwin_check(&w, 5), REPLAY);
	CU_ASSERT_EQUAL(seqwin_check(&w, 6), OK);
	CU_ASSERT_EQUAL(seqwin_check(&w, 6), OK);
	CU_ASSERT_EQUAL(w.top, 5);
}

/*
 * Every number of a long shuffled run inside the window is accepted once,
 * a second pass over the same numbers is all replays.
 */
static void
test_sa_seqwin_every_slot_once(void)
{
	struct seqwin w = { 0 };
	uint32_t base = MAX - 100, k, ok = 0, rep = 0;

	CU_ASSERT_EQUAL(seqwin_update(&w, base + 255), OK);
	for (k = 0; k < 255; k++)
		ok += seqwin_update(&w, base + (k * 7) % 255) == OK;
	for (k = 0; k < 256; k++)
		rep += seqwin_update(&w, base + k) == REPLAY;
	CU_ASSERT_EQUAL(ok, 255);
	CU_ASSERT_EQUAL(rep, 256);
	CU_ASSERT_EQUAL(seqwin_update(&w, base - 1), OLD);
}

CU_TestInfo sa_seqwin_tests[] = {
	{ "rows", test_sa_seqwin_rows },
	{ "check_records_nothing", test_sa_seqwin_check_records_nothing },
	{ "every_slot_once", test_sa_seqwin_every_slot_once },
	CU_TEST_INFO_NULL,
};
