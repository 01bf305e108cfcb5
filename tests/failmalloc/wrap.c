/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/failmalloc/wrap.c: allocator wrappers that fail the n-th
 * allocation on request and count live blocks (wrap.h).
 */
#include "config.h"

#include <stdlib.h>

#include "tests/failmalloc/wrap.h"

void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__real_realloc(void *, size_t);
char	*__real_strdup(const char *);
char	*__real_strndup(const char *, size_t);
void	 __real_free(void *);
void	*__wrap_malloc(size_t);
void	*__wrap_calloc(size_t, size_t);
void	*__wrap_realloc(void *, size_t);
char	*__wrap_strdup(const char *);
char	*__wrap_strndup(const char *, size_t);
void	 __wrap_free(void *);

static long countdown = -1;	/* allocations left before one fails */
static long live;		/* blocks allocated through the wrappers */
static int injected;		/* one failed since failmalloc_arm() */

void
failmalloc_arm(long n)
{
	injected = 0;
	countdown = n;
}

int
failmalloc_disarm(void)
{
	countdown = -1;
	return injected;
}

long
failmalloc_live(void)
{
	return live;
}

static int
fail_now(void)
{
	if (countdown < 0)
		return 0;
	if (countdown-- == 0) {
		injected = 1;
		return 1;
	}
	return 0;
}

#define WRAP(call) do {							\
	void *p_;							\
	if (fail_now())							\
		return NULL;						\
	if ((p_ = (call)) != NULL)					\
		live++;							\
	return p_;							\
} while (0)

void *
__wrap_malloc(size_t n)
{
	WRAP(__real_malloc(n));
}

void *
__wrap_calloc(size_t n, size_t m)
{
	WRAP(__real_calloc(n, m));
}

char *
__wrap_strdup(const char *s)
{
	WRAP(__real_strdup(s));
}

char *
__wrap_strndup(const char *s, size_t n)
{
	WRAP(__real_strndup(s, n));
}

void *
__wrap_realloc(void *p, size_t n)
{
	void *q;

	if (fail_now())
		return NULL;
	q = __real_realloc(p, n);
	if (q != NULL && p == NULL)
		live++;
	return q;
}

void
__wrap_free(void *p)
{
	if (p != NULL)
		live--;
	__real_free(p);
}
