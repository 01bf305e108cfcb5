/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/failmalloc/wrap.h: the allocator of an allocation-failure ladder
 * (tests/registrar/failmalloc.c, tests/sa/failmalloc.c).  A ladder runs an
 * operation again and again with the n-th allocation failing in run n,
 * until a run allocates fewer than n times, and checks that every failure
 * ends in an error, frees what it allocated and leaves no broken state.
 *
 * wrap.c defines __wrap_malloc and friends; a program linked with
 * FAILMALLOC_WRAP (tests/failmalloc/local.mk: -Wl,--wrap=malloc and
 * likewise calloc, realloc, strdup, strndup and free) has its own
 * objects' calls go through them, those of the statically linked sipsa
 * libraries included.  Shared libraries (OpenSSL, LMDB, libc itself) keep
 * their allocator.
 */
#ifndef SIPSA_TESTS_FAILMALLOC_WRAP_H
#define SIPSA_TESTS_FAILMALLOC_WRAP_H

/*
 * Fail the allocation after the next n (n = 0: the next one), once; n < 0
 * fails none.
 */
void	failmalloc_arm(long n);
/* Fail no more; returns 1 when an allocation failed since the arm. */
int	failmalloc_disarm(void);
/* Blocks allocated through the wrappers and not freed yet. */
long	failmalloc_live(void);

#endif /* SIPSA_TESTS_FAILMALLOC_WRAP_H */
