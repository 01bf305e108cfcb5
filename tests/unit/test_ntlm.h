/* SPDX-License-Identifier: BSD-2-Clause */
/* tests/unit/test_ntlm.h: the NTLM vector file, shared by the ntlm suites. */
#ifndef SIPSA_TESTS_UNIT_TEST_NTLM_H
#define SIPSA_TESTS_UNIT_TEST_NTLM_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

/* Suite set-up and tear-down: read and free tests/data/ntlm/vectors.txt. */
int	ntlm_test_load_vectors(void);
int	ntlm_test_free_vectors(void);
/* The value of a vector ("A.esk"); a missing name fails the test. */
const char *V(const char *name);
/* A hex vector into buf, a base64 vector into buf; return the length. */
size_t	H(const char *name, uint8_t *buf, size_t cap);
size_t	B64(const char *name, uint8_t *buf, size_t cap);

extern CU_TestInfo ntlm_decode_tests[];

#endif
