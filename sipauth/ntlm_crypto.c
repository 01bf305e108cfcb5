/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/ntlm_crypto.c: NTLM crypto on OpenSSL 3 EVP: the primitives of
 * ntlm_crypto.h, then key derivation ([MS-NLMP] §3.4.5.2, §3.4.5.3) and
 * connectionless signatures with the MS-SIPAE sequence number
 * ([MS-NLMP] §3.4.4.1, §3.4.4.2; [MS-SIPAE] §3.3.4.1).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "sipauth/ntlm.h"
#include "sipauth/ntlm_crypto.h"

/*
 * Fetched once per process and then shared read-only by all threads.  A
 * failed set-up (the legacy provider is a module OpenSSL loads from a
 * file: out of file descriptors at that moment, it fails) is not kept:
 * the next call tries again, so that NTLM does not stay broken for the
 * life of the process.  sipauth_ntlm_crypto_ready() lets a server set
 * everything up at start.
 */
static struct {
	OSSL_LIB_CTX	*libctx;
	OSSL_PROVIDER	*prov_default, *prov_legacy;
	EVP_MD		*md4, *md5;
	EVP_CIPHER	*rc4;
	EVP_MAC		*hmac;
	/* HMAC with its digest already set: duplicated per MAC, which
	   spares the digest lookup by name each time (issue 16). */
	EVP_MAC_CTX	*hmac_md5;
	uint32_t	 crc_table[256];
	int		 ok;
} nc;
static pthread_mutex_t nc_lock = PTHREAD_MUTEX_INITIALIZER;

static void
nc_init(void)
{
	uint32_t c;
	int i, k, ok;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		nc.crc_table[i] = c;
	}
	if ((nc.libctx = OSSL_LIB_CTX_new()) == NULL)
		return;
	nc.prov_default = OSSL_PROVIDER_load(nc.libctx, "default");
	nc.prov_legacy = OSSL_PROVIDER_load(nc.libctx, "legacy");
	nc.md4 = EVP_MD_fetch(nc.libctx, "MD4", NULL);
	nc.md5 = EVP_MD_fetch(nc.libctx, "MD5", NULL);
	nc.rc4 = EVP_CIPHER_fetch(nc.libctx, "RC4", NULL);
	nc.hmac = EVP_MAC_fetch(nc.libctx, "HMAC", NULL);
	if (nc.hmac != NULL &&
	    (nc.hmac_md5 = EVP_MAC_CTX_new(nc.hmac)) != NULL) {
		static char mdname[] = "MD5";
		OSSL_PARAM params[2];

		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, mdname, 0);
		params[1] = OSSL_PARAM_construct_end();
		if (!EVP_MAC_CTX_set_params(nc.hmac_md5, params)) {
			EVP_MAC_CTX_free(nc.hmac_md5);
			nc.hmac_md5 = NULL;
		}
	}
	ok = nc.md4 != NULL && nc.md5 != NULL && nc.rc4 != NULL &&
	    nc.hmac != NULL && nc.hmac_md5 != NULL;
	__atomic_store_n(&nc.ok, ok, __ATOMIC_RELEASE);
}

static void
nc_release(void)
{
	EVP_MD_free(nc.md4);
	EVP_MD_free(nc.md5);
	EVP_CIPHER_free(nc.rc4);
	EVP_MAC_CTX_free(nc.hmac_md5);
	EVP_MAC_free(nc.hmac);
	if (nc.prov_legacy != NULL)
		OSSL_PROVIDER_unload(nc.prov_legacy);
	if (nc.prov_default != NULL)
		OSSL_PROVIDER_unload(nc.prov_default);
	OSSL_LIB_CTX_free(nc.libctx);
	memset(&nc, 0, sizeof(nc));
}

/* Release at exit so that leak checkers see a clean process. */
__attribute__((destructor)) static void
nc_fini(void)
{
	nc_release();
}

static int
nc_ready(void)
{
	int ok;

	if (__atomic_load_n(&nc.ok, __ATOMIC_ACQUIRE))
		return 1;
	(void)pthread_mutex_lock(&nc_lock);
	if (!nc.ok) {
		nc_release();
		nc_init();
	}
	ok = nc.ok;
	(void)pthread_mutex_unlock(&nc_lock);
	return ok;
}

int
sipauth_ntlm_crypto_ready(void)
{
	return nc_ready();
}

static int
digest(EVP_MD *md, const struct ntlm_iov *iov, int n, uint8_t out[16])
{
	EVP_MD_CTX *ctx;
	unsigned int olen = 0;
	int i, ok;

	if (!nc_ready() || (ctx = EVP_MD_CTX_new()) == NULL)
		return EIO;
	ok = EVP_DigestInit_ex2(ctx, md, NULL);
	for (i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, iov[i].p, iov[i].len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, &olen) && olen == 16;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : EIO;
}

int
ntlm_md4(const void *data, size_t len, uint8_t out[16])
{
	struct ntlm_iov iov = { data, len };

	if (!nc_ready())
		return EIO;
	return digest(nc.md4, &iov, 1, out);
}

int
ntlm_md5(const struct ntlm_iov *iov, int n, uint8_t out[16])
{
	if (!nc_ready())
		return EIO;
	return digest(nc.md5, iov, n, out);
}

int
ntlm_hmac_md5(const uint8_t *key, size_t keylen, const struct ntlm_iov *iov,
    int n, uint8_t out[16])
{
	EVP_MAC_CTX *ctx;
	size_t olen = 0;
	int i, ok;

	if (!nc_ready() || (ctx = EVP_MAC_CTX_dup(nc.hmac_md5)) == NULL)
		return EIO;
	ok = EVP_MAC_init(ctx, key, keylen, NULL);
	for (i = 0; ok && i < n; i++)
		ok = EVP_MAC_update(ctx, iov[i].p, iov[i].len);
	ok = ok && EVP_MAC_final(ctx, out, &olen, 16) && olen == 16;
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : EIO;
}

int
ntlm_rc4(const uint8_t *key, size_t keylen, const uint8_t *in, uint8_t *out,
    size_t len)
{
	EVP_CIPHER_CTX *ctx;
	int olen = 0, ok;

	if (len > INT_MAX || !nc_ready() ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return EIO;
	ok = EVP_EncryptInit_ex2(ctx, nc.rc4, NULL, NULL, NULL) &&
	    EVP_CIPHER_CTX_set_key_length(ctx, (int)keylen) &&
	    EVP_EncryptInit_ex2(ctx, NULL, key, NULL, NULL) &&
	    EVP_EncryptUpdate(ctx, out, &olen, in, (int)len) &&
	    (size_t)olen == len;
	EVP_CIPHER_CTX_free(ctx);	/* also wipes the key schedule */
	return ok ? 0 : EIO;
}

uint32_t
ntlm_crc32(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t c = 0xFFFFFFFFu;

	(void)nc_ready();
	while (len-- > 0)
		c = nc.crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

static const char *const magic[2][2] = {
	[NTLM_CLIENT_TO_SERVER] = {
	    "session key to client-to-server signing key magic constant",
	    "session key to client-to-server sealing key magic constant" },
	[NTLM_SERVER_TO_CLIENT] = {
	    "session key to server-to-client signing key magic constant",
	    "session key to server-to-client sealing key magic constant" },
};

void
sipauth_ntlm_derive_keys(const uint8_t esk[NTLM_KEY_LEN], uint32_t flags,
    struct ntlm_keys *out)
{
	struct ntlm_iov iov[2];
	size_t cut;
	int d;

	memset(out, 0, sizeof(*out));
	out->flags = flags;
	if (!(flags & NTLM_NEG_ESS)) {
		/* §3.4.5.3: one key for both directions, no signing key. */
		if (flags & NTLM_NEG_LM_KEY) {
			if (flags & NTLM_NEG_56) {
				memcpy(out->seal[0], esk, 7);
				out->seal[0][7] = 0xA0;
			} else {
				memcpy(out->seal[0], esk, 5);
				memcpy(out->seal[0] + 5, "\xE5\x38\xB0", 3);
			}
		} else
			memcpy(out->seal[0], esk, NTLM_KEY_LEN);
		memcpy(out->seal[1], out->seal[0], NTLM_KEY_LEN);
		return;
	}
	cut = (flags & NTLM_NEG_128) ? 16 : (flags & NTLM_NEG_56) ? 7 : 5;
	for (d = 0; d < 2; d++) {
		/* The magic constants are hashed with their NUL. */
		iov[0] = (struct ntlm_iov){ esk, NTLM_KEY_LEN };
		iov[1] = (struct ntlm_iov){ magic[d][0],
		    strlen(magic[d][0]) + 1 };
		if (ntlm_md5(iov, 2, out->sign[d]) != 0)
			goto fail;
		iov[0].len = cut;
		iov[1] = (struct ntlm_iov){ magic[d][1],
		    strlen(magic[d][1]) + 1 };
		if (ntlm_md5(iov, 2, out->seal[d]) != 0)
			goto fail;
	}
	return;
fail:
	/* Unusable keys: flags 0 makes every signature fail to verify. */
	sipauth_ntlm_keys_wipe(out);
}

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xFF;
	p[1] = (v >> 8) & 0xFF;
	p[2] = (v >> 16) & 0xFF;
	p[3] = (v >> 24) & 0xFF;
}

/* The signature in sig; pad is used by the non-ESS layout only. */
static int
make_sig(const struct ntlm_keys *keys, enum ntlm_dir dir, uint32_t seq,
    const void *msg, size_t len, const uint8_t pad[4],
    uint8_t sig[NTLM_SIG_LEN])
{
	struct ntlm_iov iov[2];
	uint8_t seqb[4], mac[16], rc4key[16], plain[12], enc[12];
	int rc;

	if (keys->flags == 0)
		return EIO;
	le32(seqb, seq);
	le32(sig, 1);
	if (keys->flags & NTLM_NEG_ESS) {
		iov[0] = (struct ntlm_iov){ seqb, 4 };
		iov[1] = (struct ntlm_iov){ msg, len };
		if ((rc = ntlm_hmac_md5(keys->sign[dir], NTLM_KEY_LEN, iov, 2,
		    mac)) != 0)
			goto out;
		if (keys->flags & NTLM_NEG_KEY_EXCH) {
			/* Connectionless: RC4 keyed afresh per message. */
			iov[0] = (struct ntlm_iov){ keys->seal[dir],
			    NTLM_KEY_LEN };
			iov[1] = (struct ntlm_iov){ seqb, 4 };
			if ((rc = ntlm_md5(iov, 2, rc4key)) != 0 ||
			    (rc = ntlm_rc4(rc4key, sizeof(rc4key), mac,
			    sig + 4, 8)) != 0)
				goto out;
		} else
			memcpy(sig + 4, mac, 8);
		memcpy(sig + 12, seqb, 4);
	} else {
		/* RandomPad || CRC32 || SeqNum under a fresh RC4 stream. */
		memcpy(plain, pad, 4);
		le32(plain + 4, ntlm_crc32(msg, len));
		memcpy(plain + 8, seqb, 4);
		if ((rc = ntlm_rc4(keys->seal[dir],
		    (keys->flags & NTLM_NEG_LM_KEY) ? 8 : NTLM_KEY_LEN,
		    plain, enc, sizeof(enc))) != 0)
			goto out;
		memcpy(sig + 4, pad, 4);
		memcpy(sig + 8, enc + 4, 8);
	}
	rc = 0;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_cleanse(rc4key, sizeof(rc4key));
	OPENSSL_cleanse(plain, sizeof(plain));
	OPENSSL_cleanse(enc, sizeof(enc));
	return rc;
}

int
sipauth_ntlm_sign(const struct ntlm_keys *keys, enum ntlm_dir dir,
    uint32_t seq, const void *msg, size_t len, uint8_t sig[NTLM_SIG_LEN])
{
	static const uint8_t zero[4];

	if (dir != NTLM_CLIENT_TO_SERVER && dir != NTLM_SERVER_TO_CLIENT)
		return EINVAL;
	return make_sig(keys, dir, seq, msg, len, zero, sig);
}

int
sipauth_ntlm_verify(const struct ntlm_keys *keys, enum ntlm_dir dir,
    uint32_t seq, const void *msg, size_t len, const uint8_t *sig,
    size_t siglen)
{
	uint8_t want[NTLM_SIG_LEN];
	int rc;

	if (siglen != NTLM_SIG_LEN)
		return EBADMSG;
	if (dir != NTLM_CLIENT_TO_SERVER && dir != NTLM_SERVER_TO_CLIENT)
		return EINVAL;
	if ((rc = make_sig(keys, dir, seq, msg, len, sig + 4, want)) != 0)
		return rc == EIO ? EACCES : rc;
	rc = CRYPTO_memcmp(want, sig, NTLM_SIG_LEN) == 0 ? 0 : EACCES;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

int
sipauth_ntlm_mic_check(const uint8_t esk[NTLM_KEY_LEN],
    const uint8_t *challenge, size_t challenge_len,
    const uint8_t *authenticate, size_t authenticate_len,
    const uint8_t mic[16])
{
	static const uint8_t zero[16];
	struct ntlm_iov iov[4];
	uint8_t want[16];
	int rc;

	if (authenticate_len < NTLM_MIC_OFFSET + 16)
		return EBADMSG;
	iov[0] = (struct ntlm_iov){ challenge, challenge_len };
	iov[1] = (struct ntlm_iov){ authenticate, NTLM_MIC_OFFSET };
	iov[2] = (struct ntlm_iov){ zero, sizeof(zero) };
	iov[3] = (struct ntlm_iov){ authenticate + NTLM_MIC_OFFSET + 16,
	    authenticate_len - NTLM_MIC_OFFSET - 16 };
	if ((rc = ntlm_hmac_md5(esk, NTLM_KEY_LEN, iov, 4, want)) != 0)
		return rc;
	rc = CRYPTO_memcmp(want, mic, sizeof(want)) == 0 ? 0 : EACCES;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

void
sipauth_ntlm_keys_wipe(struct ntlm_keys *keys)
{
	if (keys != NULL)
		OPENSSL_cleanse(keys, sizeof(*keys));
}
