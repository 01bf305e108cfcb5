/* SPDX-License-Identifier: BSD-2-Clause */
/* sa/clock.c: the default time source of SA tables (CLOCK_MONOTONIC). */
#include "config.h"

#include <time.h>

#include "sa/sa.h"

uint64_t
sa_clock_monotonic(void *arg)
{
	struct timespec ts;

	(void)arg;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
