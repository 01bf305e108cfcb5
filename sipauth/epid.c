/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/epid.c: the endpoint id (epid) of From/To and the +sip.instance
 * UUID derived from it ([MS-SIPAE] §3.3.5.2; notes §8).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "sipauth/sipauth.h"

#define EPID_MAX	64

/*
 * The namespace UUID fcacfb03-8a73-46ef-91b1-e5ebeeaba4fe in the byte order
 * of a little-endian GUID structure (time_low, time_mid, time_hi stored
 * least significant byte first), as the client hashes it.
 */
static const unsigned char epid_ns[16] = {
	0x03, 0xfb, 0xac, 0xfc, 0x73, 0x8a, 0xef, 0x46,
	0x91, 0xb1, 0xe5, 0xeb, 0xee, 0xab, 0xa4, 0xfe,
};

int
sipauth_epid_to_uuid(const char *epid, char out[37])
{
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	unsigned int time_low, time_mid, time_hi;
	EVP_MD_CTX *ctx = NULL;
	size_t len;
	int error = EIO;

	if (epid == NULL || out == NULL)
		return EINVAL;
	out[0] = '\0';
	len = strlen(epid);
	if (len == 0 || len > EPID_MAX)
		return EINVAL;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, epid_ns, sizeof(epid_ns)) != 1 ||
	    EVP_DigestUpdate(ctx, epid, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, hash, &hlen) != 1 || hlen < 16)
		goto out;
	/*
	 * The first 16 bytes of the hash read as a little-endian GUID, then
	 * the version (5) and the RFC 4122 variant bits set.
	 */
	time_low = (unsigned)hash[0] | (unsigned)hash[1] << 8 |
	    (unsigned)hash[2] << 16 | (unsigned)hash[3] << 24;
	time_mid = (unsigned)hash[4] | (unsigned)hash[5] << 8;
	time_hi = ((unsigned)hash[6] | (unsigned)hash[7] << 8);
	time_hi = (time_hi & 0x0fff) | 0x5000;
	hash[8] = (unsigned char)((hash[8] & 0x3f) | 0x80);
	(void)snprintf(out, 37,
	    "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    time_low, time_mid, time_hi, hash[8], hash[9], hash[10], hash[11],
	    hash[12], hash[13], hash[14], hash[15]);
	error = 0;
out:
	EVP_MD_CTX_free(ctx);
	return error;
}

int
sipauth_epid_from_hdr(const char *s, size_t len, struct sipauth_str *out)
{
	const char *p, *end, *q;
	int quoted = 0, angle = 0;

	out->ptr = NULL;
	out->len = 0;
	if (s == NULL)
		return ENOENT;
	end = s + len;
	/* Look for ";epid=" outside quotes and outside <...>. */
	for (p = s; p < end; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (*p == '<')
			angle = 1;
		else if (*p == '>')
			angle = 0;
		else if (!angle && *p == ';') {
			q = p + 1;
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			if (end - q >= 5 && strncasecmp(q, "epid=", 5) == 0)
				break;
		}
	}
	if (p >= end)
		return ENOENT;
	p = (const char *)memchr(p, '=', (size_t)(end - p)) + 1;
	for (q = p; q < end && *q != ';' && *q != ',' && *q != ' ' &&
	    *q != '\t' && *q != '\r' && *q != '\n'; q++)
		;
	if (q == p || q - p > EPID_MAX)
		return EBADMSG;
	out->ptr = p;
	out->len = (size_t)(q - p);
	return 0;
}
