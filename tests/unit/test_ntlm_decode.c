/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_ntlm_decode.c: sipauth/ntlm decoders against truncated,
 * mistyped, out-of-range and overflowing messages, and the UTF-16LE to
 * UTF-8 conversion.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sipauth/ntlm.h"
#include "tests/unit/test_ntlm.h"
#include "tests/unit/unit.h"

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

CU_TestInfo ntlm_decode_tests[] = {
	{ "decoder rejections", test_decode_reject },
	{ "UTF-16LE to UTF-8", test_utf16 },
	CU_TEST_INFO_NULL,
};
