/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_sa_cfx.c: sa/krb5_cfx.c, sipsa's own RFC 4121 MIC
 * tokens: the RFC 3961 §A.1 n-fold vectors, then the token checks.
 * Interoperation with MIT's initiator is tested by tests/mech (real
 * round trips, with and without an acceptor subkey).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sa/krb5_cfx.h"
#include "tests/unit/test_sa.h"

static int
unhex(const char *h, uint8_t *out)
{
	int n = 0;
	unsigned b;

	for (; h[0] != '\0' && h[1] != '\0'; h += 2, n++) {
		if (sscanf(h, "%2x", &b) != 1)
			return -1;
		out[n] = (uint8_t)b;
	}
	return n;
}

static void
test_nfold_rfc3961(void)
{
	static const struct {
		int		 bits;
		const char	*in, *out;
	} v[] = {
		{ 64, "012345", "be072631276b1955" },
		{ 56, "password", "78a07b6caf85fa" },
		{ 64, "Rough Consensus, and Running Code",
		    "bb6ed30870b7f0e0" },
		{ 168, "password",
		    "59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e" },
		{ 192, "MASSACHVSETTS INSTITVTE OF TECHNOLOGY",
		    "db3b0d8f0b061e603282b308a50841229ad798fab9540c1b" },
		{ 168, "Q", "518a54a215a8452a518a54a215a8452a518a54a215" },
		{ 168, "ba", "fb25d531ae8974499f52fd92ea9857c4ba24cf297e" },
		{ 64, "kerberos", "6b65726265726f73" },
		{ 128, "kerberos", "6b65726265726f737b9b5b2b93132b93" },
		{ 168, "kerberos",
		    "8372c236344e5f1550cd0747e15d62ca7a5a3bcea4" },
		{ 256, "kerberos", "6b65726265726f737b9b5b2b93132b93"
		    "5c9bdcdad95c9899c4cae4dee6d6cae4" },
	};
	uint8_t want[32], got[32];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(unhex(v[i].out, want), v[i].bits / 8);
		krb5_cfx_nfold((const uint8_t *)v[i].in, strlen(v[i].in), got,
		    (size_t)v[i].bits / 8);
		CU_ASSERT(memcmp(got, want, (size_t)v[i].bits / 8) == 0);
	}
}

static const char msg[] = "<Kerberos><3D4E5F60><1><SIP Communications "
    "Service><proxy.example.test><><2><REGISTER><sip:u@example.test>";

/*
 * An acceptor's own token is refused by its own verify (reflection), so
 * make the initiator's: the same header with the acceptor flag cleared,
 * checksummed by a second state whose "sign" key is the first one's
 * verify key, i.e. one derived for the initiator's usage.
 */
static void
test_tokens(void)
{
	uint8_t key[32], sub[32], sig[KRB5_CFX_MIC_LEN], sig2[KRB5_CFX_MIC_LEN];
	struct krb5_cfx c, peer;

	memset(key, 0x11, sizeof(key));
	memset(sub, 0x22, sizeof(sub));
	CU_ASSERT_EQUAL(krb5_cfx_init(&c, KRB5_CFX_AES256_SHA1, key, 16, 0,
	    NULL, 0, 7), EINVAL);
	CU_ASSERT_EQUAL(krb5_cfx_init(&c, 23, key, 16, 0, NULL, 0, 7),
	    EINVAL);
	CU_ASSERT_EQUAL_FATAL(krb5_cfx_init(&c, KRB5_CFX_AES128_SHA1, key, 16,
	    0, NULL, 0, 7), 0);

	/* Header: 04 04, SentByAcceptor, filler, SND_SEQ 7 then 8. */
	CU_ASSERT_EQUAL_FATAL(krb5_cfx_sign(&c, msg, strlen(msg), sig), 0);
	CU_ASSERT(memcmp(sig, "\x04\x04\x01\xff\xff\xff\xff\xff"
	    "\0\0\0\0\0\0\0\x07", 16) == 0);
	CU_ASSERT_EQUAL_FATAL(krb5_cfx_sign(&c, msg, strlen(msg), sig2), 0);
	CU_ASSERT_EQUAL(sig2[15], 8);
	CU_ASSERT(memcmp(sig + 16, sig2 + 16, 12) != 0);
	CU_ASSERT_EQUAL(krb5_cfx_verify(&c, msg, strlen(msg), sig,
	    sizeof(sig)), EBADMSG);

	/* The initiator's token, made with the initiator-usage key. */
	peer = c;
	memcpy(peer.sign, c.verify[0], sizeof(peer.sign));
	peer.flags = 0;
	CU_ASSERT_EQUAL_FATAL(krb5_cfx_sign(&peer, msg, strlen(msg), sig), 0);
	CU_ASSERT_EQUAL(krb5_cfx_verify(&c, msg, strlen(msg), sig,
	    sizeof(sig)), 0);
	CU_ASSERT_EQUAL(krb5_cfx_verify(&c, msg, strlen(msg) - 1, sig,
	    sizeof(sig)), EACCES);
	CU_ASSERT_EQUAL(krb5_cfx_verify(&c, msg, strlen(msg), sig,
	    sizeof(sig) - 1), EBADMSG);
	sig[27] ^= 1;
	CU_ASSERT_EQUAL(krb5_cfx_verify(&c, msg, strlen(msg), sig,
	    sizeof(sig)), EACCES);
	sig[27] ^= 1;
	sig[5] = 0;		/* filler */
	CU_ASSERT_EQUAL(krb5_cfx_verify(&c, msg, strlen(msg), sig,
	    sizeof(sig)), EBADMSG);

	/* With an acceptor subkey: our tokens say so and use it. */
	CU_ASSERT_EQUAL_FATAL(krb5_cfx_init(&c, KRB5_CFX_AES256_SHA1, key, 32,
	    KRB5_CFX_AES256_SHA1, sub, 32, 0), 0);
	CU_ASSERT_EQUAL_FATAL(krb5_cfx_sign(&c, msg, strlen(msg), sig), 0);
	CU_ASSERT_EQUAL(sig[2], 0x05);
	peer = c;
	memcpy(peer.sign, c.verify[1], sizeof(peer.sign));
	peer.flags = 0x04;
	CU_ASSERT_EQUAL_FATAL(krb5_cfx_sign(&peer, msg, strlen(msg), sig), 0);
	CU_ASSERT_EQUAL(krb5_cfx_verify(&c, msg, strlen(msg), sig,
	    sizeof(sig)), 0);
	/* The same checksum claimed under the context key fails. */
	sig[2] = 0;
	CU_ASSERT_EQUAL(krb5_cfx_verify(&c, msg, strlen(msg), sig,
	    sizeof(sig)), EACCES);
}

CU_TestInfo sa_cfx_tests[] = {
	{ "nfold_rfc3961_vectors", test_nfold_rfc3961 },
	{ "mic_tokens", test_tokens },
	CU_TEST_INFO_NULL,
};
