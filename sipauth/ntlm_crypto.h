/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/ntlm_crypto.h: the OpenSSL 3 primitives NTLM needs (MD4, MD5,
 * HMAC-MD5, RC4, CRC32), internal to sipauth/ntlm*.c.  MD4 and RC4 live in
 * OpenSSL's legacy provider, so all algorithms are fetched once from a
 * private library context that loads the default and legacy providers.
 */
#ifndef SIPSA_SIPAUTH_NTLM_CRYPTO_H
#define SIPSA_SIPAUTH_NTLM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* One input piece of a hash or MAC. */
struct ntlm_iov {
	const void	*p;
	size_t		 len;
};

/* All return 0 or EIO (OpenSSL failure, e.g. no legacy provider). */
int	ntlm_md4(const void *data, size_t len, uint8_t out[16]);
int	ntlm_md5(const struct ntlm_iov *iov, int n, uint8_t out[16]);
int	ntlm_hmac_md5(const uint8_t *key, size_t keylen,
	    const struct ntlm_iov *iov, int n, uint8_t out[16]);
int	ntlm_rc4(const uint8_t *key, size_t keylen, const uint8_t *in,
	    uint8_t *out, size_t len);
uint32_t ntlm_crc32(const void *data, size_t len);

#endif /* SIPSA_SIPAUTH_NTLM_CRYPTO_H */
