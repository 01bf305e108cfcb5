/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/krb5_cfx.c: RFC 4121 §4.2.6.1 MIC tokens for an established Kerberos
 * acceptor, on OpenSSL 3, for aes128/aes256-cts-hmac-sha1-96 (RFC 3962).
 * The checksum keys are derived once (RFC 3961 §5.1 DK with the usage
 * constants of RFC 4121 §2), so signing and verifying are one HMAC-SHA1
 * each.  The token layout and the key choice follow MIT's k5sealv3.c, so
 * that MIT and Windows initiators accept what we send.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sa/krb5_cfx.h"

#define TOK_HDR_LEN		16
#define CKSUM_LEN		12	/* HMAC-SHA1-96 */
#define FLAG_SENT_BY_ACCEPTOR	0x01
#define FLAG_ACCEPTOR_SUBKEY	0x04
#define USAGE_ACCEPTOR_SIGN	23
#define USAGE_INITIATOR_SIGN	25

/*
 * Fetched once per process; shared read-only by all threads.  The two
 * n-folded DK constants are made here too: folding bit by bit costs more
 * than the AES that follows.
 */
static struct {
	EVP_MAC		*hmac;
	EVP_CIPHER	*aes128, *aes256;
	uint8_t		 fold_acceptor[16], fold_initiator[16];
	int		 ok;
} cc;
static pthread_once_t cc_once = PTHREAD_ONCE_INIT;

/* The 128-bit n-fold of usage || 0x99, the checksum-key constant. */
static void
fold_usage(uint32_t usage, uint8_t out[16])
{
	uint8_t c[5] = { usage >> 24, usage >> 16, usage >> 8, usage, 0x99 };

	krb5_cfx_nfold(c, sizeof(c), out, 16);
}

static void
cc_init(void)
{
	fold_usage(USAGE_ACCEPTOR_SIGN, cc.fold_acceptor);
	fold_usage(USAGE_INITIATOR_SIGN, cc.fold_initiator);
	cc.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	cc.aes128 = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	cc.aes256 = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
	cc.ok = cc.hmac != NULL && cc.aes128 != NULL && cc.aes256 != NULL;
}

/* Release at exit so that leak checkers see a clean process. */
__attribute__((destructor)) static void
cc_fini(void)
{
	EVP_MAC_free(cc.hmac);
	EVP_CIPHER_free(cc.aes128);
	EVP_CIPHER_free(cc.aes256);
	memset(&cc, 0, sizeof(cc));
}

static int
cc_ready(void)
{
	(void)pthread_once(&cc_once, cc_init);
	return cc.ok;
}

/*
 * Byte pos of the n-fold stream: the input repeated, copy k rotated right
 * by 13 * k bits (bits numbered from the most significant of byte 0).
 */
static unsigned
nfold_byte(const uint8_t *in, size_t nbits, size_t pos)
{
	size_t g, k, src;
	unsigned b = 0;

	for (g = pos * 8; g < pos * 8 + 8; g++) {
		k = g / nbits;
		src = (g % nbits + nbits - (13 * k) % nbits) % nbits;
		b = b << 1 | ((in[src / 8] >> (7 - src % 8)) & 1);
	}
	return b;
}

void
krb5_cfx_nfold(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	size_t a = inlen, b = outlen, t, lcm, i, j;
	unsigned sum, carry;

	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	lcm = inlen / a * outlen;
	memset(out, 0, outlen);
	/* One's-complement sum of the outlen-byte chunks. */
	for (i = 0; i < lcm; i += outlen) {
		carry = 0;
		for (j = outlen; j-- > 0;) {
			sum = out[j] + nfold_byte(in, inlen * 8, i + j) +
			    carry;
			out[j] = (uint8_t)sum;
			carry = sum >> 8;
		}
		while (carry != 0)	/* end-around carry */
			for (j = outlen; carry != 0 && j-- > 0;) {
				sum = out[j] + carry;
				out[j] = (uint8_t)sum;
				carry = sum >> 8;
			}
	}
}

/*
 * Kc = DK(key, usage || 0x99): AES of the 128-bit n-fold of the constant,
 * fed back until there are as many bytes as the key has (RFC 3961 §5.1;
 * one block through CBC-CTS with a zero IV is plain AES).
 */
static int
derive_kc(const uint8_t *key, size_t keylen, uint32_t usage, uint8_t *kc)
{
	uint8_t blk[16];
	EVP_CIPHER_CTX *x;
	size_t off;
	int n = 0, ok;

	if (!cc_ready() || (x = EVP_CIPHER_CTX_new()) == NULL)
		return EIO;
	memcpy(blk, usage == USAGE_ACCEPTOR_SIGN ? cc.fold_acceptor :
	    cc.fold_initiator, sizeof(blk));
	ok = EVP_EncryptInit_ex2(x, keylen == 16 ? cc.aes128 : cc.aes256,
	    key, NULL, NULL) && EVP_CIPHER_CTX_set_padding(x, 0);
	for (off = 0; ok && off < keylen; off += 16) {
		ok = EVP_EncryptUpdate(x, kc + off, &n, blk, 16) && n == 16;
		memcpy(blk, kc + off, 16);
	}
	EVP_CIPHER_CTX_free(x);
	OPENSSL_cleanse(blk, sizeof(blk));
	return ok ? 0 : EIO;
}

static int
key_ok(int32_t enctype, size_t len)
{
	return (enctype == KRB5_CFX_AES128_SHA1 && len == 16) ||
	    (enctype == KRB5_CFX_AES256_SHA1 && len == 32);
}

int
krb5_cfx_init(struct krb5_cfx *c, int32_t ctx_enctype, const uint8_t *ctx_key,
    size_t ctx_key_len, int32_t sub_enctype, const uint8_t *subkey,
    size_t subkey_len, uint64_t send_seq)
{
	int rc;

	memset(c, 0, sizeof(*c));
	if (!key_ok(ctx_enctype, ctx_key_len) ||
	    (subkey != NULL && !key_ok(sub_enctype, subkey_len)))
		return EINVAL;
	c->send_seq = send_seq;
	c->flags = FLAG_SENT_BY_ACCEPTOR;
	c->verify_len[0] = (uint8_t)ctx_key_len;
	rc = derive_kc(ctx_key, ctx_key_len, USAGE_INITIATOR_SIGN,
	    c->verify[0]);
	if (rc == 0 && subkey != NULL) {
		/* The acceptor signs with its own subkey and says so. */
		c->flags |= FLAG_ACCEPTOR_SUBKEY;
		c->verify_len[1] = c->sign_len = (uint8_t)subkey_len;
		rc = derive_kc(subkey, subkey_len, USAGE_INITIATOR_SIGN,
		    c->verify[1]);
		if (rc == 0)
			rc = derive_kc(subkey, subkey_len,
			    USAGE_ACCEPTOR_SIGN, c->sign);
	} else if (rc == 0) {
		c->sign_len = (uint8_t)ctx_key_len;
		rc = derive_kc(ctx_key, ctx_key_len, USAGE_ACCEPTOR_SIGN,
		    c->sign);
	}
	if (rc != 0)
		OPENSSL_cleanse(c, sizeof(*c));
	return rc;
}

/* HMAC-SHA1-96 of msg || hdr under kc. */
static int
checksum(const uint8_t *kc, size_t kclen, const void *msg, size_t len,
    const uint8_t hdr[TOK_HDR_LEN], uint8_t out[CKSUM_LEN])
{
	static char mdname[] = "SHA1";
	OSSL_PARAM params[2];
	EVP_MAC_CTX *x;
	uint8_t full[20];
	size_t olen = 0;
	int ok;

	if (!cc_ready() || (x = EVP_MAC_CTX_new(cc.hmac)) == NULL)
		return EIO;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    mdname, 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = EVP_MAC_init(x, kc, kclen, params) &&
	    EVP_MAC_update(x, msg, len) &&
	    EVP_MAC_update(x, hdr, TOK_HDR_LEN) &&
	    EVP_MAC_final(x, full, &olen, sizeof(full)) &&
	    olen == sizeof(full);
	EVP_MAC_CTX_free(x);
	memcpy(out, full, CKSUM_LEN);
	OPENSSL_cleanse(full, sizeof(full));
	return ok ? 0 : EIO;
}

int
krb5_cfx_sign(struct krb5_cfx *c, const void *msg, size_t len,
    uint8_t sig[KRB5_CFX_MIC_LEN])
{
	uint64_t seq = c->send_seq;
	int i, rc;

	/* TOK_ID 04 04, flags, five filler bytes 0xFF, SND_SEQ big-endian. */
	sig[0] = 0x04;
	sig[1] = 0x04;
	sig[2] = c->flags;
	memset(sig + 3, 0xFF, 5);
	for (i = 15; i >= 8; i--, seq >>= 8)
		sig[i] = (uint8_t)seq;
	rc = checksum(c->sign, c->sign_len, msg, len, sig, sig + TOK_HDR_LEN);
	if (rc == 0)
		c->send_seq++;
	return rc;
}

int
krb5_cfx_verify(const struct krb5_cfx *c, const void *msg, size_t len,
    const uint8_t *sig, size_t sig_len)
{
	static const uint8_t filler[5] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	uint8_t want[CKSUM_LEN];
	int k, rc;

	if (sig_len != KRB5_CFX_MIC_LEN || sig[0] != 0x04 || sig[1] != 0x04 ||
	    memcmp(sig + 3, filler, sizeof(filler)) != 0)
		return EBADMSG;
	/* Our own token reflected back is not the initiator's. */
	if (sig[2] & FLAG_SENT_BY_ACCEPTOR)
		return EBADMSG;
	/* As MIT: the acceptor subkey only when the token says so. */
	k = (sig[2] & FLAG_ACCEPTOR_SUBKEY) && c->verify_len[1] != 0;
	rc = checksum(c->verify[k], c->verify_len[k], msg, len, sig, want);
	if (rc == 0 && CRYPTO_memcmp(want, sig + TOK_HDR_LEN,
	    CKSUM_LEN) != 0)
		rc = EACCES;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}
