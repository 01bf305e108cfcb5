/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/krb5_cfx.h: RFC 4121 MIC tokens made and checked by sipsa itself, for
 * an established Kerberos acceptor, with the aes128/aes256-cts-hmac-sha1-96
 * enctypes (RFC 3962).  sa/mech_krb5.c takes the keys out of the MIT
 * context (gss_krb5_export_lucid_sec_context) and frees it, so that an
 * established Kerberos SA keeps these few bytes instead of the 3.5 KB MIT
 * context; other enctypes keep the MIT context.
 */
#ifndef SIPSA_SA_KRB5_CFX_H
#define SIPSA_SA_KRB5_CFX_H

#include <stddef.h>
#include <stdint.h>

#define KRB5_CFX_KEY_MAX	32	/* aes256 */
#define KRB5_CFX_MIC_LEN	28	/* 16-byte header, HMAC-SHA1-96 */

/* RFC 3961 enctype numbers this code handles. */
#define KRB5_CFX_AES128_SHA1	17
#define KRB5_CFX_AES256_SHA1	18

/* The acceptor's signing state: derived checksum keys (Kc), no base keys. */
struct krb5_cfx {
	uint64_t	send_seq;
	uint8_t		flags;		/* of our tokens: SentByAcceptor, and
					   AcceptorSubkey when there is one */
	uint8_t		sign_len;
	uint8_t		verify_len[2];	/* 0: that key does not exist */
	uint8_t		sign[KRB5_CFX_KEY_MAX];	/* usage 23, our key */
	/* usage 25: [0] the context key, [1] the acceptor subkey */
	uint8_t		verify[2][KRB5_CFX_KEY_MAX];
};

/*
 * Set up c from the context key and, when the acceptor asserted one, the
 * acceptor subkey (NULL otherwise), and the acceptor's next send sequence
 * number.  Returns 0, EINVAL for an enctype this code does not handle, or
 * EIO.
 */
int	krb5_cfx_init(struct krb5_cfx *c, int32_t ctx_enctype,
	    const uint8_t *ctx_key, size_t ctx_key_len, int32_t sub_enctype,
	    const uint8_t *subkey, size_t subkey_len, uint64_t send_seq);

/* A MIC token for msg into sig (KRB5_CFX_MIC_LEN bytes); 0 or EIO. */
int	krb5_cfx_sign(struct krb5_cfx *c, const void *msg, size_t len,
	    uint8_t sig[KRB5_CFX_MIC_LEN]);

/*
 * Check the initiator's MIC token over msg.  The sequence number is not
 * checked (MS-SIPAE's cnum window does that).  Returns 0, EBADMSG for a
 * malformed token or EACCES when the checksum does not match
 * (constant-time compare).
 */
int	krb5_cfx_verify(const struct krb5_cfx *c, const void *msg, size_t len,
	    const uint8_t *sig, size_t sig_len);

/* RFC 3961 §5.1 n-fold of in into outlen bytes (exposed for tests). */
void	krb5_cfx_nfold(const uint8_t *in, size_t inlen, uint8_t *out,
	    size_t outlen);

#endif /* SIPSA_SA_KRB5_CFX_H */
