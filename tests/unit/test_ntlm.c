/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_ntlm.c: sipauth/ntlm against the MS-SIPAE §11 vectors
 * A, B, D and E (tests/data/ntlm/vectors.txt), byte for byte, plus decoder
 * rejection cases and UTF-16 conversion.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sipauth/ntlm.h"
#include "tests/unit/unit.h"

#define MAXV	96
static struct { char name[32]; char *value; } vec[MAXV];
static int nvec;

static int
load_vectors(void)
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

static int
free_vectors(void)
{
	while (nvec > 0)
		free(vec[--nvec].value);
	return 0;
}

static const char *
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
static size_t
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

static size_t
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

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xFF;
	p[1] = v >> 8;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xFFFF);
	put16(p + 2, v >> 16);
}

/* Truncated, mistyped, out-of-range and overflowing messages. */
static void
test_decode_reject(void)
{
	uint8_t chal[512], auth[512], m[512];
	struct ntlm_challenge c;
	struct ntlm_authenticate a;
	size_t clen, alen, n;
	static const size_t fields[] = { 12, 20, 28, 36, 44, 52 };

	clen = H("A.challenge", chal, sizeof(chal));
	alen = B64("A.authenticate_b64", auth, sizeof(auth));
	/* Every truncation either fails or yields in-bounds fields only. */
	for (n = 0; n < clen; n++) {
		if (sipauth_ntlm_decode_challenge(chal, n, &c) == 0) {
			CU_ASSERT_TRUE(n >= 32);
			CU_ASSERT_TRUE(c.target_info.len == 0 ||
			    c.target_info.data + c.target_info.len <= chal + n);
		}
	}
	for (n = 0; n < alen; n++)
		CU_ASSERT_EQUAL(sipauth_ntlm_decode_authenticate(auth, n, &a),
		    EBADMSG);	/* the payload runs to the last byte */
	CU_ASSERT_EQUAL(sipauth_ntlm_decode_challenge(NULL, 0, &c), EBADMSG);
	/* Wrong type and wrong signature. */
	CU_ASSERT_EQUAL(sipauth_ntlm_decode_challenge(auth, alen, &c),
	    EBADMSG);
	CU_ASSERT_EQUAL(sipauth_ntlm_decode_authenticate(chal, clen, &a),
	    EBADMSG);
	memcpy(m, chal, clen);
	m[0] = 'M';
	CU_ASSERT_EQUAL(sipauth_ntlm_decode_challenge(m, clen, &c), EBADMSG);
	/* TargetInfo offset past the end, length past the end, overflow. */
	memcpy(m, chal, clen);
	put32(m + 44, (uint32_t)clen + 1);
	CU_ASSERT_EQUAL(sipauth_ntlm_decode_challenge(m, clen, &c), EBADMSG);
	put32(m + 44, 0xFFFFFFFFu);
	CU_ASSERT_EQUAL(sipauth_ntlm_decode_challenge(m, clen, &c), EBADMSG);
	memcpy(m, chal, clen);
	put16(m + 40, 0xFFFF);
	CU_ASSERT_EQUAL(sipauth_ntlm_decode_challenge(m, clen, &c), EBADMSG);
	for (n = 0; n < sizeof(fields) / sizeof(fields[0]); n++) {
		memcpy(m, auth, alen);
		put16(m + fields[n], 0xFFFF);
		CU_ASSERT_EQUAL(sipauth_ntlm_decode_authenticate(m, alen, &a),
		    EBADMSG);
		memcpy(m, auth, alen);
		put32(m + fields[n] + 4, 0xFFFFFFF0u);
		CU_ASSERT_EQUAL(sipauth_ntlm_decode_authenticate(m, alen, &a),
		    EBADMSG);
		memcpy(m, auth, alen);
		put32(m + fields[n] + 4, (uint32_t)alen);
		CU_ASSERT_EQUAL(sipauth_ntlm_decode_authenticate(m, alen, &a),
		    EBADMSG);
	}
	/* An encrypted session key that is not 16 bytes. */
	memcpy(m, auth, alen);
	put16(m + 52, 15);
	CU_ASSERT_EQUAL(sipauth_ntlm_decode_authenticate(m, alen, &a),
	    EBADMSG);
	/* Messages longer than any NTLM message (> 64 KiB) are refused. */
	CU_ASSERT_EQUAL(sipauth_ntlm_decode_challenge(chal, 70000, &c),
	    EBADMSG);
	/* An empty field may carry any offset. */
	memcpy(m, auth, alen);
	put16(m + 44, 0);
	put32(m + 48, 0xFFFFFFFFu);
	CU_ASSERT_EQUAL(sipauth_ntlm_decode_authenticate(m, alen, &a), 0);
	CU_ASSERT_EQUAL(a.workstation.len, 0);
}

static void
test_utf16(void)
{
	static const uint8_t ok[] = { 'A', 0, 0xE9, 0, 0x3D, 0xD8, 0x00,
	    0xDE };	/* "A", U+00E9, U+1F600 */
	static const uint8_t lone[] = { 0x00, 0xDC };
	static const uint8_t hi_end[] = { 'a', 0, 0x3D, 0xD8 };
	static const uint8_t nul[] = { 'a', 0, 0, 0 };
	struct ntlm_field f;
	uint8_t h[16];
	char out[16];

	f = (struct ntlm_field){ ok, sizeof(ok) };
	CU_ASSERT_EQUAL(sipauth_ntlm_utf16_to_utf8(&f, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "A\xC3\xA9\xF0\x9F\x98\x80");
	CU_ASSERT_EQUAL(sipauth_ntlm_utf16_to_utf8(&f, out, 7), ENOSPC);
	CU_ASSERT_STRING_EQUAL(out, "");
	f.len = 3;
	CU_ASSERT_EQUAL(sipauth_ntlm_utf16_to_utf8(&f, out, sizeof(out)),
	    EBADMSG);
	f = (struct ntlm_field){ lone, sizeof(lone) };
	CU_ASSERT_EQUAL(sipauth_ntlm_utf16_to_utf8(&f, out, sizeof(out)),
	    EBADMSG);
	f = (struct ntlm_field){ hi_end, sizeof(hi_end) };
	CU_ASSERT_EQUAL(sipauth_ntlm_utf16_to_utf8(&f, out, sizeof(out)),
	    EBADMSG);
	f = (struct ntlm_field){ nul, sizeof(nul) };
	CU_ASSERT_EQUAL(sipauth_ntlm_utf16_to_utf8(&f, out, sizeof(out)),
	    EBADMSG);
	f = (struct ntlm_field){ NULL, 0 };
	CU_ASSERT_EQUAL(sipauth_ntlm_utf16_to_utf8(&f, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	/* Invalid UTF-8 in a password is refused, not hashed. */
	CU_ASSERT_EQUAL(sipauth_ntlm_nt_hash("\xC3", h), EINVAL);
}

static CU_TestInfo vector_tests[] = {
	{ "vector A (ESS, v4)", test_vector_a },
	{ "vector B (no ESS, v2)", test_vector_b },
	{ "vectors D1-D3", test_vector_d },
	{ "vector E (MS-NLMP)", test_vector_e },
	{ "key lengths and layouts", test_variants },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo decode_tests[] = {
	{ "decoder rejections", test_decode_reject },
	{ "UTF-16LE to UTF-8", test_utf16 },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo ntlm_suites[] = {
	{ "ntlm-vectors", load_vectors, free_vectors, NULL, NULL,
	    vector_tests },
	{ "ntlm-decode", load_vectors, free_vectors, NULL, NULL,
	    decode_tests },
	CU_SUITE_INFO_NULL,
};
