/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/codec.c: the encodings MS-SIPAE headers use: hex for signatures
 * (upper-case out, either case in; notes §3, §5), strict base64 (RFC 4648)
 * for gssapi-data, and decimal uint32 for cnum/snum.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sipauth/sipauth.h"
#include "sipauth/internal.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
sipauth_is_hex(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (hexval((unsigned char)s[i]) < 0)
			return 0;
	return 1;
}

int
sipauth_parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s == NULL || len == 0 || len > 10)
		return EBADMSG;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return EBADMSG;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return EBADMSG;
	*out = (uint32_t)v;
	return 0;
}

void
sipauth_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

int
sipauth_hex_decode(const char *s, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen_out)
{
	size_t i;
	int hi, lo;

	if (s == NULL || len % 2 != 0)
		return EBADMSG;
	if (len / 2 > outsz)
		return ENOSPC;
	for (i = 0; i < len; i += 2) {
		if ((hi = hexval((unsigned char)s[i])) < 0 ||
		    (lo = hexval((unsigned char)s[i + 1])) < 0)
			return EBADMSG;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*outlen_out = len / 2;
	return 0;
}

int
sipauth_b64_encode(su_home_t *home, const uint8_t *in, size_t len,
    char **out)
{
	char *buf, *p;
	size_t i;
	uint32_t v;

	*out = NULL;
	if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
		return ENOMEM;
	if ((buf = su_alloc(home, (len + 2) / 3 * 4 + 1)) == NULL)
		return ENOMEM;
	for (i = 0, p = buf; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		*p++ = b64_alphabet[v >> 18];
		*p++ = b64_alphabet[(v >> 12) & 63];
		*p++ = b64_alphabet[(v >> 6) & 63];
		*p++ = b64_alphabet[v & 63];
	}
	if (i < len) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		*p++ = b64_alphabet[v >> 18];
		*p++ = b64_alphabet[(v >> 12) & 63];
		*p++ = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		*p++ = '=';
	}
	*p = '\0';
	*out = buf;
	return 0;
}

static int
b64val(unsigned char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64_alphabet, c)) == NULL)
		return -1;
	return (int)(p - b64_alphabet);
}

int
sipauth_b64_decode(su_home_t *home, const char *s, size_t len,
    uint8_t **out, size_t *outlen_out)
{
	uint8_t *buf;
	size_t i, n = 0, pad = 0;
	uint32_t v;
	int k, d;

	*out = NULL;
	if (s == NULL || len % 4 != 0)
		return EBADMSG;
	if (len > 0 && s[len - 1] == '=')
		pad = (len > 1 && s[len - 2] == '=') ? 2 : 1;
	if ((buf = su_alloc(home, len / 4 * 3 + 1)) == NULL)
		return ENOMEM;
	for (i = 0; i < len; i += 4) {
		v = 0;
		for (k = 0; k < 4; k++) {
			if (i + 4 == len && k >= 4 - (int)pad)
				d = 0;
			else if ((d = b64val((unsigned char)s[i + k])) < 0)
				goto bad;
			v = v << 6 | (uint32_t)d;
		}
		buf[n++] = (uint8_t)(v >> 16);
		if (i + 4 < len || pad < 2)
			buf[n++] = (uint8_t)(v >> 8);
		if (i + 4 < len || pad < 1)
			buf[n++] = (uint8_t)v;
	}
	/* The bits the padding leaves over must be zero (canonical form). */
	if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0))
		goto bad;
	*out = buf;
	*outlen_out = n;
	return 0;
bad:
	su_free(home, buf);
	return EBADMSG;
}
