/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_ntlm.c: sipauth/ntlm against the MS-SIPAE §11 vectors
 * A, B, D and E (tests/data/ntlm/vectors.txt), byte for byte, and
 * the other key lengths (the decoder cases are in test_ntlm_decode.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sipauth/ntlm.h"
#include "tests/unit/test_ntlm.h"
#include "tests/unit/unit.h"

#define MAXV	96
static struct { char name[32]; char *value; } vec[MAXV];
static int nvec;

int
ntlm_test_load_vectors(void)
{
	char path[4200], line[4096], *colon, *nl;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/ntlm/vectors.txt",
	    unit_datadir());
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (nvec < MAXV && fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || (colon = strstr(line, ": ")) == NULL)
			continue;
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		*colon = '\0';
		if (strlen(line) >= sizeof(vec[nvec].name))
			continue;
		memcpy(vec[nvec].name, line, strlen(line) + 1);
		vec[nvec++].value = strdup(colon + 2);
	}
	fclose(f);
	return 0;
}

int
ntlm_test_free_vectors(void)
{
	while (nvec > 0)
		free(vec[--nvec].value);
	return 0;
}

const char *
V(const char *name)
{
	int i;

	for (i = 0; i < nvec; i++)
		if (strcmp(vec[i].name, name) == 0)
			return vec[i].value;
	CU_FAIL_FATAL("missing vector");
	return "";
}

/* Hex vector into buf; returns its length. */
size_t
H(const char *name, uint8_t *buf, size_t cap)
{
	const char *s = V(name);
	size_t n = strlen(s) / 2, i;
	unsigned int b;

	CU_ASSERT_FATAL(n <= cap);
	for (i = 0; i < n; i++) {
		CU_ASSERT_FATAL(sscanf(s + 2 * i, "%2x", &b) == 1);
		buf[i] = (uint8_t)b;
	}
	return n;
}

static uint32_t
X32(const char *name)
{
	return (uint32_t)strtoul(V(name), NULL, 16);
}

size_t
B64(const char *name, uint8_t *buf, size_t cap)
{
	const char *s = V(name);
	size_t len = strlen(s);
	int n;

	CU_ASSERT_FATAL(len / 4 * 3 <= cap);
	n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len);
	CU_ASSERT_FATAL(n > 0);
	while (len > 0 && s[--len] == '=')
		n--;
	return (size_t)n;
}

#define ASSERT_BYTES(got, name) do {					\
	uint8_t want_[64];						\
	size_t wl_ = H(name, want_, sizeof(want_));			\
	CU_ASSERT_EQUAL(memcmp(got, want_, wl_), 0);			\
} while (0)

/* Sign V(str) in direction dir and compare with V(sig); then verify it. */
static void
check_sig(const struct ntlm_keys *k, enum ntlm_dir dir, uint32_t seq,
    const char *str, const char *sig)
{
	uint8_t got[NTLM_SIG_LEN], want[NTLM_SIG_LEN];
	const char *m = V(str);

	CU_ASSERT_EQUAL(H(sig, want, sizeof(want)), NTLM_SIG_LEN);
	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_sign(k, dir, seq, m, strlen(m),
	    got), 0);
	CU_ASSERT_EQUAL(memcmp(got, want, NTLM_SIG_LEN), 0);
	CU_ASSERT_EQUAL(sipauth_ntlm_verify(k, dir, seq, m, strlen(m), want,
	    NTLM_SIG_LEN), 0);
	/* One flipped bit anywhere in the signature or message fails. */
	want[9] ^= 0x01;
	CU_ASSERT_EQUAL(sipauth_ntlm_verify(k, dir, seq, m, strlen(m), want,
	    NTLM_SIG_LEN), EACCES);
	want[9] ^= 0x01;
	CU_ASSERT_EQUAL(sipauth_ntlm_verify(k, dir, seq, m, strlen(m) - 1,
	    want, NTLM_SIG_LEN), EACCES);
}

/* Vector A: from AUTHENTICATE + password to the client and server MACs. */
static void
test_vector_a(void)
{
	uint8_t chal[512], auth[512], nth[16], ntowf[16], sbk[16], esk[16];
	uint8_t lm[24], cc[8];
	struct ntlm_challenge c;
	struct ntlm_authenticate a;
	struct ntlm_keys k;
	size_t clen, alen;
	char s[64];

	clen = H("A.challenge", chal, sizeof(chal));
	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_decode_challenge(chal, clen, &c),
	    0);
	CU_ASSERT_EQUAL(c.flags, X32("A.challenge_flags"));
	ASSERT_BYTES(c.server_challenge, "A.server_challenge");
	CU_ASSERT_EQUAL(c.target_name.len, 0);
	CU_ASSERT_EQUAL(c.target_info.len, 0x96);

	alen = B64("A.authenticate_b64", auth, sizeof(auth));
	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_decode_authenticate(auth, alen,
	    &a), 0);
	CU_ASSERT_EQUAL(a.flags, X32("A.authenticate_flags"));
	CU_ASSERT_EQUAL(sipauth_ntlm_utf16_to_utf8(&a.user, s, sizeof(s)), 0);
	CU_ASSERT_STRING_EQUAL(s, V("A.user"));
	CU_ASSERT_EQUAL(sipauth_ntlm_utf16_to_utf8(&a.domain, s, sizeof(s)),
	    0);
	CU_ASSERT_STRING_EQUAL(s, V("A.domain"));
	CU_ASSERT_EQUAL(sipauth_ntlm_utf16_to_utf8(&a.workstation, s,
	    sizeof(s)), 0);
	CU_ASSERT_STRING_EQUAL(s, V("A.host"));
	CU_ASSERT_EQUAL_FATAL(a.lm_response.len, 24);
	ASSERT_BYTES(a.lm_response.data, "A.lmv2");
	CU_ASSERT_EQUAL_FATAL(a.nt_response.len, 0xC6);
	ASSERT_BYTES(a.nt_response.data, "A.ntproofstr");
	CU_ASSERT_EQUAL_FATAL(a.enc_session_key.len, 16);
	ASSERT_BYTES(a.enc_session_key.data, "A.enc_session_key");
	CU_ASSERT_FALSE(a.has_mic);

	/* The server's computation from the password. */
	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_nt_hash(V("A.password"), nth), 0);
	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_ntowfv2(nth, V("A.user"),
	    V("A.domain"), ntowf), 0);
	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_v2_check(ntowf, c.server_challenge,
	    a.nt_response.data, a.nt_response.len, sbk), 0);
	H("A.client_challenge", cc, sizeof(cc));
	CU_ASSERT_EQUAL(sipauth_ntlm_lmv2(ntowf, c.server_challenge, cc, lm),
	    0);
	ASSERT_BYTES(lm, "A.lmv2");
	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_exported_key(sbk,
	    a.enc_session_key.data, esk), 0);
	ASSERT_BYTES(esk, "A.esk");

	sipauth_ntlm_derive_keys(esk, a.flags, &k);
	ASSERT_BYTES(k.sign[NTLM_CLIENT_TO_SERVER], "A.client_sign");
	ASSERT_BYTES(k.seal[NTLM_CLIENT_TO_SERVER], "A.client_seal");
	ASSERT_BYTES(k.sign[NTLM_SERVER_TO_CLIENT], "A.server_sign");
	ASSERT_BYTES(k.seal[NTLM_SERVER_TO_CLIENT], "A.server_seal");
	check_sig(&k, NTLM_CLIENT_TO_SERVER, NTLM_SIPAE_SEQ, "A.client_string",
	    "A.response");
	check_sig(&k, NTLM_SERVER_TO_CLIENT, NTLM_SIPAE_SEQ, "A.server_string",
	    "A.rspauth");
	/* Wrong-sequence controls: other seq, other output. */
	check_sig(&k, NTLM_SERVER_TO_CLIENT, 1, "A.server_string",
	    "A.rspauth_seq1");
	check_sig(&k, NTLM_SERVER_TO_CLIENT, 0, "A.server_string",
	    "A.rspauth_seq0");
	{
		uint8_t r[16];
		const char *m = V("A.server_string");

		H("A.rspauth", r, sizeof(r));
		CU_ASSERT_EQUAL(sipauth_ntlm_verify(&k, NTLM_SERVER_TO_CLIENT,
		    1, m, strlen(m), r, 16), EACCES);
		/* The client's keys do not verify the server's signature. */
		CU_ASSERT_EQUAL(sipauth_ntlm_verify(&k, NTLM_CLIENT_TO_SERVER,
		    NTLM_SIPAE_SEQ, m, strlen(m), r, 16), EACCES);
		CU_ASSERT_EQUAL(sipauth_ntlm_verify(&k, NTLM_SERVER_TO_CLIENT,
		    NTLM_SIPAE_SEQ, m, strlen(m), r, 15), EBADMSG);
	}
	sipauth_ntlm_keys_wipe(&k);
	CU_ASSERT_EQUAL(k.flags, 0);

	/* A wrong password fails the proof. */
	CU_ASSERT_EQUAL(sipauth_ntlm_nt_hash("Pa$$worD", nth), 0);
	CU_ASSERT_EQUAL(sipauth_ntlm_ntowfv2(nth, V("A.user"), V("A.domain"),
	    ntowf), 0);
	CU_ASSERT_EQUAL(sipauth_ntlm_v2_check(ntowf, c.server_challenge,
	    a.nt_response.data, a.nt_response.len, sbk), EACCES);
	CU_ASSERT_EQUAL(sipauth_ntlm_v2_check(ntowf, c.server_challenge,
	    a.nt_response.data, 40, sbk), EBADMSG);
}

/* Vector B: v2 without ESS; the sealing key is the session key. */
static void
test_vector_b(void)
{
	uint8_t esk[16];
	struct ntlm_keys k;

	H("B.esk", esk, sizeof(esk));
	sipauth_ntlm_derive_keys(esk, NTLM_NEG_UNICODE | NTLM_NEG_NTLM |
	    NTLM_NEG_SIGN | NTLM_NEG_DATAGRAM | NTLM_NEG_KEY_EXCH |
	    NTLM_NEG_128, &k);
	CU_ASSERT_EQUAL(memcmp(k.seal[0], esk, 16), 0);
	check_sig(&k, NTLM_SERVER_TO_CLIENT, NTLM_SIPAE_SEQ, "B.string",
	    "B.rspauth");
	sipauth_ntlm_keys_wipe(&k);
}

/* Vectors D1-D3 (derived with the vector-A keys). */
static void
test_vector_d(void)
{
	uint8_t esk[16];
	struct ntlm_keys k;

	H("A.esk", esk, sizeof(esk));
	sipauth_ntlm_derive_keys(esk, X32("A.authenticate_flags"), &k);
	check_sig(&k, NTLM_CLIENT_TO_SERVER, NTLM_SIPAE_SEQ, "D1.string",
	    "D1.response");
	check_sig(&k, NTLM_SERVER_TO_CLIENT, NTLM_SIPAE_SEQ, "D2.string",
	    "D2.rspauth");
	check_sig(&k, NTLM_SERVER_TO_CLIENT, NTLM_SIPAE_SEQ, "D3.string",
	    "D3.rspauth");
	sipauth_ntlm_keys_wipe(&k);
}

/* Other key lengths and layouts (derived from vector A's session key). */
static void
test_variants(void)
{
	static const char *const v[] = { "ess56", "ess40", "lm56", "lm40",
	    "ess128_nokx" };
	char name[64], sig[64];
	uint8_t esk[16];
	struct ntlm_keys k;
	size_t i;

	H("A.esk", esk, sizeof(esk));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		(void)snprintf(name, sizeof(name), "X.%s.flags", v[i]);
		sipauth_ntlm_derive_keys(esk, X32(name), &k);
		if (i < 2) {
			(void)snprintf(name, sizeof(name), "X.%s.seal", v[i]);
			ASSERT_BYTES(k.seal[NTLM_SERVER_TO_CLIENT], name);
		}
		(void)snprintf(sig, sizeof(sig), "X.%s.sig", v[i]);
		check_sig(&k, NTLM_SERVER_TO_CLIENT, NTLM_SIPAE_SEQ,
		    "A.server_string", sig);
		sipauth_ntlm_keys_wipe(&k);
	}
}

/* Vector E: generic MS-NLMP §4.2.4 values. */
static void
test_vector_e(void)
{
	uint8_t nth[16], ntowf[16], sc[8], cc[8], lm[24], resp[256], sbk[16];
	uint8_t rsk[16], enc[16], back[16];
	struct ntlm_keys k;
	size_t blen;

	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_nt_hash(V("E.password"), nth), 0);
	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_ntowfv2(nth, V("E.user"),
	    V("E.domain"), ntowf), 0);
	ASSERT_BYTES(ntowf, "E.ntowfv2");
	H("E.server_challenge", sc, sizeof(sc));
	H("E.client_challenge", cc, sizeof(cc));
	CU_ASSERT_EQUAL(sipauth_ntlm_lmv2(ntowf, sc, cc, lm), 0);
	ASSERT_BYTES(lm, "E.lmv2");
	/* NtChallengeResponse = NTProofStr || blob */
	H("E.ntproofstr", resp, 16);
	blen = H("E.blob", resp + 16, sizeof(resp) - 16);
	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_v2_check(ntowf, sc, resp,
	    16 + blen, sbk), 0);
	ASSERT_BYTES(sbk, "E.session_base_key");
	H("E.random_session_key", rsk, sizeof(rsk));
	CU_ASSERT_EQUAL(sipauth_ntlm_exported_key(sbk, rsk, enc), 0);
	ASSERT_BYTES(enc, "E.enc_session_key");
	CU_ASSERT_EQUAL(sipauth_ntlm_exported_key(sbk, enc, back), 0);
	CU_ASSERT_EQUAL(memcmp(back, rsk, 16), 0);
	sipauth_ntlm_derive_keys(rsk, NTLM_NEG_ESS | NTLM_NEG_128 |
	    NTLM_NEG_KEY_EXCH, &k);
	ASSERT_BYTES(k.sign[NTLM_CLIENT_TO_SERVER], "E.client_sign");
	ASSERT_BYTES(k.seal[NTLM_CLIENT_TO_SERVER], "E.client_seal");
	sipauth_ntlm_keys_wipe(&k);
}

static CU_TestInfo vector_tests[] = {
	{ "vector A (ESS, v4)", test_vector_a },
	{ "vector B (no ESS, v2)", test_vector_b },
	{ "vectors D1-D3", test_vector_d },
	{ "vector E (MS-NLMP)", test_vector_e },
	{ "key lengths and layouts", test_variants },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo ntlm_suites[] = {
	{ "ntlm-vectors", ntlm_test_load_vectors, ntlm_test_free_vectors,
	    NULL, NULL, vector_tests },
	{ "ntlm-decode", ntlm_test_load_vectors, ntlm_test_free_vectors,
	    NULL, NULL, ntlm_decode_tests },
	CU_SUITE_INFO_NULL,
};
