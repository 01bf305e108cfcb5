/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/ntlm.c: NTLM wire-message decoding ([MS-NLMP] §2.2.1.2,
 * §2.2.1.3), UTF-16LE conversion, and the NTLMv2 one-way functions and
 * responses ([MS-NLMP] §3.3.2).  The crypto primitives, key derivation and
 * signatures are in ntlm_crypto.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sipauth/ntlm.h"
#include "sipauth/ntlm_crypto.h"

static const uint8_t ntlm_sig[8] = "NTLMSSP";	/* with its NUL */

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	    ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/*
 * Read the security buffer (Len, MaxLen, Offset) at buf[at] and check that
 * the range it names lies inside the message.  *min_off tracks the lowest
 * payload offset seen (to tell whether a MIC field precedes the payload).
 */
static int
field(const uint8_t *buf, size_t len, size_t at, struct ntlm_field *f,
    size_t *min_off)
{
	size_t flen, off;

	if (at > len || len - at < 8)
		return EBADMSG;
	flen = rd16(buf + at);
	off = rd32(buf + at + 4);
	f->data = NULL;
	f->len = 0;
	if (flen == 0)
		return 0;
	if (off > len || flen > len - off)
		return EBADMSG;
	f->data = buf + off;
	f->len = flen;
	if (min_off != NULL && off < *min_off)
		*min_off = off;
	return 0;
}

static int
check_header(const uint8_t *buf, size_t len, size_t minlen, uint32_t type)
{
	if (buf == NULL || len < minlen || len > 0xFFFF)
		return EBADMSG;
	if (memcmp(buf, ntlm_sig, sizeof(ntlm_sig)) != 0 ||
	    rd32(buf + 8) != type)
		return EBADMSG;
	return 0;
}

int
sipauth_ntlm_decode_challenge(const uint8_t *buf, size_t len,
    struct ntlm_challenge *out)
{
	memset(out, 0, sizeof(*out));
	if (check_header(buf, len, 32, NTLM_MSG_CHALLENGE) != 0 ||
	    field(buf, len, 12, &out->target_name, NULL) != 0)
		return EBADMSG;
	out->flags = rd32(buf + 20);
	memcpy(out->server_challenge, buf + 24, 8);
	/* Messages shorter than 48 bytes predate TargetInfo. */
	if (len >= 48 && field(buf, len, 40, &out->target_info, NULL) != 0)
		return EBADMSG;
	return 0;
}

/*
 * Does the NTLMv2 response announce a MIC (MsvAvFlags bit 0x2)?  The AV
 * pairs start 28 bytes into the blob that follows the 16-byte NTProofStr.
 */
static int
avflags_has_mic(const struct ntlm_field *nt)
{
	size_t at = 16 + 28, id, alen;

	if (nt->len <= at)
		return 0;
	while (nt->len - at >= 4) {
		id = rd16(nt->data + at);
		alen = rd16(nt->data + at + 2);
		at += 4;
		if (id == 0 || alen > nt->len - at)
			return 0;
		if (id == 6 && alen == 4)
			return (rd32(nt->data + at) & 0x2) != 0;
		at += alen;
	}
	return 0;
}

int
sipauth_ntlm_decode_authenticate(const uint8_t *buf, size_t len,
    struct ntlm_authenticate *out)
{
	size_t min_off = len;

	memset(out, 0, sizeof(*out));
	if (check_header(buf, len, 64, NTLM_MSG_AUTHENTICATE) != 0)
		return EBADMSG;
	if (field(buf, len, 12, &out->lm_response, &min_off) != 0 ||
	    field(buf, len, 20, &out->nt_response, &min_off) != 0 ||
	    field(buf, len, 28, &out->domain, &min_off) != 0 ||
	    field(buf, len, 36, &out->user, &min_off) != 0 ||
	    field(buf, len, 44, &out->workstation, &min_off) != 0 ||
	    field(buf, len, 52, &out->enc_session_key, &min_off) != 0)
		goto bad;
	out->flags = rd32(buf + 60);
	if (out->enc_session_key.len != 0 &&
	    out->enc_session_key.len != NTLM_KEY_LEN)
		goto bad;
	/* The MIC sits at 72 after the Version field, before the payload. */
	if (min_off >= 88 && avflags_has_mic(&out->nt_response)) {
		out->has_mic = 1;
		memcpy(out->mic, buf + NTLM_MIC_OFFSET, 16);
	}
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return EBADMSG;
}

/* Append code point cp to out as UTF-8; ENOSPC when it does not fit. */
static int
put_utf8(uint32_t cp, char *out, size_t outsz, size_t *pos)
{
	uint8_t b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xC0 | (cp >> 6));
		b[1] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xE0 | (cp >> 12));
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xF0 | (cp >> 18));
		b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (outsz - *pos <= n)		/* keep room for the NUL */
		return ENOSPC;
	memcpy(out + *pos, b, n);
	*pos += n;
	return 0;
}

int
sipauth_ntlm_utf16_to_utf8(const struct ntlm_field *in, char *out,
    size_t outsz)
{
	size_t i, pos = 0;
	uint32_t cp, lo;
	int rc;

	if (outsz == 0)
		return ENOSPC;
	out[0] = '\0';
	if (in->len % 2 != 0 || (in->len != 0 && in->data == NULL))
		return EBADMSG;
	for (i = 0; i < in->len; i += 2) {
		cp = rd16(in->data + i);
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (in->len - i < 4)
				goto bad;
			lo = rd16(in->data + i + 2);
			if (lo < 0xDC00 || lo > 0xDFFF)
				goto bad;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		} else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0)
			goto bad;	/* lone low surrogate, embedded NUL */
		if ((rc = put_utf8(cp, out, outsz, &pos)) != 0) {
			out[0] = '\0';
			return rc;
		}
	}
	out[pos] = '\0';
	return 0;
bad:
	out[0] = '\0';
	return EBADMSG;
}

/*
 * UTF-8 to UTF-16LE into a fresh buffer, optionally upper-casing ASCII
 * letters (NTOWFv2 upper-cases the user name; sipsa's users are ASCII or
 * already in the case the directory stores).  Returns 0, EINVAL, ENOMEM.
 */
static int
utf8_to_utf16(const char *s, int upper, uint8_t **out, size_t *outlen)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s), o = 0, k;
	uint32_t cp;
	uint8_t *buf;

	*out = NULL;
	if ((buf = malloc(n * 2 + 2)) == NULL)
		return ENOMEM;
	while (*p != '\0') {
		if (*p < 0x80) {
			cp = *p++;
			if (upper && cp >= 'a' && cp <= 'z')
				cp -= 'a' - 'A';
		} else {
			k = (*p >= 0xF0) ? 3 : (*p >= 0xE0) ? 2 :
			    (*p >= 0xC0) ? 1 : 0;
			if (k == 0)
				goto bad;
			cp = *p++ & (0x3F >> k);
			for (; k > 0; k--, p++) {
				if ((*p & 0xC0) != 0x80)
					goto bad;
				cp = (cp << 6) | (*p & 0x3F);
			}
			if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
				goto bad;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			buf[o++] = (uint8_t)((0xD800 | (cp >> 10)) & 0xFF);
			buf[o++] = (uint8_t)((0xD800 | (cp >> 10)) >> 8);
			cp = 0xDC00 | (cp & 0x3FF);
		}
		buf[o++] = (uint8_t)(cp & 0xFF);
		buf[o++] = (uint8_t)(cp >> 8);
	}
	*out = buf;
	*outlen = o;
	return 0;
bad:
	OPENSSL_clear_free(buf, n * 2 + 2);
	return EINVAL;
}

int
sipauth_ntlm_nt_hash(const char *password, uint8_t out[16])
{
	uint8_t *u16;
	size_t len, cap = strlen(password) * 2 + 2;
	int rc;

	if ((rc = utf8_to_utf16(password, 0, &u16, &len)) != 0)
		return rc;
	rc = ntlm_md4(u16, len, out);
	OPENSSL_clear_free(u16, cap);
	return rc;
}

int
sipauth_ntlm_ntowfv2(const uint8_t nt_hash[16], const char *user,
    const char *domain, uint8_t out[16])
{
	struct ntlm_iov iov[2];
	uint8_t *u = NULL, *d = NULL;
	size_t ulen, dlen;
	int rc;

	if ((rc = utf8_to_utf16(user, 1, &u, &ulen)) != 0 ||
	    (rc = utf8_to_utf16(domain, 0, &d, &dlen)) != 0)
		goto out;
	iov[0] = (struct ntlm_iov){ u, ulen };
	iov[1] = (struct ntlm_iov){ d, dlen };
	rc = ntlm_hmac_md5(nt_hash, 16, iov, 2, out);
out:
	free(u);
	free(d);
	return rc;
}

int
sipauth_ntlm_v2_check(const uint8_t ntowf[16],
    const uint8_t server_challenge[8], const uint8_t *nt_response,
    size_t nt_len, uint8_t session_base_key[16])
{
	struct ntlm_iov iov[2];
	uint8_t proof[16];
	int rc;

	/* NTProofStr plus at least the fixed 28-byte blob header. */
	if (nt_response == NULL || nt_len < 16 + 28)
		return EBADMSG;
	iov[0] = (struct ntlm_iov){ server_challenge, 8 };
	iov[1] = (struct ntlm_iov){ nt_response + 16, nt_len - 16 };
	if ((rc = ntlm_hmac_md5(ntowf, 16, iov, 2, proof)) != 0)
		goto out;
	if (CRYPTO_memcmp(proof, nt_response, 16) != 0) {
		rc = EACCES;
		goto out;
	}
	iov[0] = (struct ntlm_iov){ proof, 16 };
	rc = ntlm_hmac_md5(ntowf, 16, iov, 1, session_base_key);
out:
	OPENSSL_cleanse(proof, sizeof(proof));
	return rc;
}

int
sipauth_ntlm_lmv2(const uint8_t ntowf[16], const uint8_t server_challenge[8],
    const uint8_t client_challenge[8], uint8_t out[24])
{
	struct ntlm_iov iov[2] = {
		{ server_challenge, 8 }, { client_challenge, 8 } };
	int rc;

	if ((rc = ntlm_hmac_md5(ntowf, 16, iov, 2, out)) != 0)
		return rc;
	memcpy(out + 16, client_challenge, 8);
	return 0;
}

int
sipauth_ntlm_exported_key(const uint8_t kxkey[NTLM_KEY_LEN],
    const uint8_t enc[NTLM_KEY_LEN], uint8_t esk[NTLM_KEY_LEN])
{
	return ntlm_rc4(kxkey, NTLM_KEY_LEN, enc, esk, NTLM_KEY_LEN);
}

/* A name an account may have: no control character anywhere. */
static int
printable_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		/* C1 controls: U+0080..U+009F are C2 80..C2 9F. */
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
	}
	return 1;
}

int
sipauth_ntlm_claimed_user(const uint8_t *tok, size_t len, char *out,
    size_t outsz)
{
	struct ntlm_authenticate a;
	char dom[128], user[256];
	int rc;

	if (outsz == 0)
		return ENOSPC;
	out[0] = '\0';
	if ((rc = sipauth_ntlm_decode_authenticate(tok, len, &a)) != 0)
		return rc;
	/* SIPE and Windows send Unicode names; OEM ones are not taken. */
	if (!(a.flags & NTLM_NEG_UNICODE))
		return EBADMSG;
	if ((rc = sipauth_ntlm_utf16_to_utf8(&a.domain, dom,
	    sizeof(dom))) != 0 ||
	    (rc = sipauth_ntlm_utf16_to_utf8(&a.user, user,
	    sizeof(user))) != 0)
		return rc == ENOSPC ? EBADMSG : rc;
	if (user[0] == '\0' || !printable_utf8(dom) || !printable_utf8(user))
		return EBADMSG;
	if ((size_t)snprintf(out, outsz, "%s%s%s", dom, dom[0] != '\0' ?
	    "\\" : "", user) >= outsz) {
		out[0] = '\0';
		return ENOSPC;
	}
	return 0;
}
