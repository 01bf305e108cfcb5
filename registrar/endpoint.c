/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registrar/endpoint.c: endpoint identities ([MS-SIPAE] §3.3.5.2: epid,
 * +sip.instance and the GRUU), contact URI checks and the Contact values
 * of a 200 OK (RFC 5627 §5 for gruu=, RFC 5626 for +sip.instance).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "registrar/internal.h"

/*
 * The epid namespace GUID fcacfb03-8a73-46ef-91b1-e5ebeeaba4fe, laid out
 * as a Windows GUID in memory: the first three fields little-endian.
 */
static const unsigned char epid_ns[16] = {
	0x03, 0xfb, 0xac, 0xfc, 0x73, 0x8a, 0xef, 0x46,
	0x91, 0xb1, 0xe5, 0xeb, 0xee, 0xab, 0xa4, 0xfe,
};

/*
 * MS-SIP clients derive +sip.instance from the epid:
 *
 *  1. hash = SHA-1(namespace GUID in memory layout || epid as ASCII);
 *  2. take the first 16 bytes as a GUID in memory layout, so that the
 *     first three fields are little-endian;
 *  3. set the version (5) in the top nibble of the third field and the
 *     RFC 4122 variant in byte 8;
 *  4. print it as usual, fields as numbers: 8-4-4-4-12 lower-case hex.
 */
static EVP_MD *sha1;
static pthread_mutex_t sha1_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * SHA-1 fetched once (EVP_sha1() looks it up by name at every digest); a
 * failed fetch is tried again next time.
 */
static const EVP_MD *
sha1_md(void)
{
	EVP_MD *md;

	if ((md = __atomic_load_n(&sha1, __ATOMIC_ACQUIRE)) != NULL)
		return md;
	(void)pthread_mutex_lock(&sha1_lock);
	if (sha1 == NULL)
		__atomic_store_n(&sha1, EVP_MD_fetch(NULL, "SHA1", NULL),
		    __ATOMIC_RELEASE);
	md = sha1;
	(void)pthread_mutex_unlock(&sha1_lock);
	return md;
}

__attribute__((destructor)) static void
sha1_free(void)
{
	EVP_MD_free(sha1);
	sha1 = NULL;
}

/* Lower-case hex of n bytes at p, at out; returns the end. */
static char *
hex_out(char *out, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	while (n-- > 0) {
		*out++ = hex[*p >> 4];
		*out++ = hex[*p++ & 15];
	}
	return out;
}

int
registrar_instance_from_epid(const char *epid, char *buf, size_t bufsize)
{
	unsigned char in[16 + REG_MAX_TOKEN], md[EVP_MAX_MD_SIZE], f[16];
	const EVP_MD *h;
	unsigned int mdlen = 0;
	size_t len;
	char *o;

	if (epid == NULL || bufsize < REG_INSTANCE_LEN + 1)
		return EINVAL;
	len = strlen(epid);
	if (len == 0 || len > REG_MAX_TOKEN)
		return EINVAL;
	/* Step 1. */
	memcpy(in, epid_ns, sizeof(epid_ns));
	memcpy(in + 16, epid, len);
	if ((h = sha1_md()) == NULL ||
	    EVP_Digest(in, 16 + len, md, &mdlen, h, NULL) != 1 ||
	    mdlen < 16)
		return EIO;
	/* Steps 2 and 3: the fields in print order. */
	f[0] = md[3], f[1] = md[2], f[2] = md[1], f[3] = md[0];
	f[4] = md[5], f[5] = md[4];
	f[6] = (unsigned char)((md[7] & 0x0f) | 0x50), f[7] = md[6];
	f[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	memcpy(f + 9, md + 9, 7);
	/* Step 4 (by hand: snprintf cost 6,000 instructions a refresh). */
	o = buf;
	memcpy(o, "urn:uuid:", 9);
	o = hex_out(o + 9, f, 4);
	*o++ = '-';
	o = hex_out(o, f + 4, 2);
	*o++ = '-';
	o = hex_out(o, f + 6, 2);
	*o++ = '-';
	o = hex_out(o, f + 8, 2);
	*o++ = '-';
	o = hex_out(o, f + 10, 6);
	*o = '\0';
	return (o - buf == REG_INSTANCE_LEN) ? 0 : EIO;
}

/*
 * A +sip.instance value as the key of a binding: surrounding quotes and
 * angle brackets are dropped, letters are lower-cased (UUIDs compare
 * case-insensitively), and only URN characters are accepted so that the
 * value can go into a GRUU parameter unescaped.
 */
int
instance_normalize(const char *in, char *buf, size_t bufsize)
{
	size_t len, i;

	len = strlen(in);
	if (len >= 2 && in[0] == '"' && in[len - 1] == '"') {
		in++;
		len -= 2;
	}
	if (len >= 2 && in[0] == '<' && in[len - 1] == '>') {
		in++;
		len -= 2;
	}
	if (len == 0 || len > REG_MAX_TOKEN || len >= bufsize)
		return EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (!isalnum(ch) && strchr("-.:_+%", ch) == NULL)
			return EINVAL;
		buf[i] = (char)tolower(ch);
	}
	buf[len] = '\0';
	return 0;
}

/*
 * A contact URI the registrar will store: "sip:" or "sips:" followed by
 * something, printable ASCII without spaces, quotes or angle brackets,
 * and no longer than REG_MAX_URI.  The daemon's parser has already split
 * the header; this guards what ends up in the store and in responses.
 */
int
uri_valid(const char *uri)
{
	size_t len, skip, i;

	if (uri == NULL)
		return 0;
	len = strlen(uri);
	if (len > REG_MAX_URI)
		return 0;
	if (strncasecmp(uri, "sip:", 4) == 0)
		skip = 4;
	else if (strncasecmp(uri, "sips:", 5) == 0)
		skip = 5;
	else
		return 0;
	if (len == skip || uri[skip] == ';' || uri[skip] == '@')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)uri[i];

		if (ch <= 0x20 || ch >= 0x7f || ch == '"' || ch == '<' ||
		    ch == '>')
			return 0;
	}
	return 1;
}

/*
 * The strings up to a NULL, joined into a malloc'ed string; ENOMEM.  (Two
 * vsnprintf passes cost 8,500 instructions a refresh.)
 */
static int
str_join(char **out, ...)
{
	va_list ap;
	const char *p;
	size_t n = 0;
	char *o;

	va_start(ap, out);
	while ((p = va_arg(ap, const char *)) != NULL)
		n += strlen(p);
	va_end(ap);
	if ((*out = o = malloc(n + 1)) == NULL)
		return ENOMEM;
	va_start(ap, out);
	while ((p = va_arg(ap, const char *)) != NULL) {
		n = strlen(p);
		memcpy(o, p, n);
		o += n;
	}
	va_end(ap);
	*o = '\0';
	return 0;
}

/*
 * The public GRUU, in the form Microsoft servers hand out:
 * "<aor>;opaque=user:epid:<uuid>;gruu", where <uuid> is the instance
 * without its "urn:uuid:" prefix.  It is derived from the AOR and the
 * instance alone, so it is stable across registrations and restarts.
 */
int
gruu_make(const char *aor, const char *instance, char **gruu_out)
{
	const char *id = instance;

	if (strncmp(id, "urn:uuid:", 9) == 0)
		id += 9;
	return str_join(gruu_out, aor, ";opaque=user:epid:", id, ";gruu",
	    (char *)NULL);
}

/*
 * The reverse of gruu_make(): split "<aor>;…;opaque=user:epid:<id>;…;gruu"
 * into the AOR (up to the first ';') and the instance ("urn:uuid:<id>",
 * or <id> itself when it is already a URN).  EINVAL when uri is not a
 * GRUU of this form.
 */
int
gruu_parse(const char *uri, char *aor, size_t aorsize, char *instance,
    size_t instsize)
{
	const char *semi, *p, *end, *id = NULL;
	size_t idlen = 0, alen;
	int is_gruu = 0, n;

	if (uri == NULL || (semi = strchr(uri, ';')) == NULL)
		return EINVAL;
	alen = (size_t)(semi - uri);
	if (alen == 0 || alen >= aorsize)
		return EINVAL;
	for (p = semi; *p == ';'; p = end) {
		p++;
		end = p + strcspn(p, ";");
		if ((size_t)(end - p) == 4 && strncasecmp(p, "gruu", 4) == 0)
			is_gruu = 1;
		else if (strncasecmp(p, "opaque=user:epid:", 17) == 0) {
			id = p + 17;
			idlen = (size_t)(end - id);
		}
	}
	if (!is_gruu || id == NULL || idlen == 0 || idlen > REG_MAX_TOKEN)
		return EINVAL;
	if (strncasecmp(id, "urn:", 4) == 0)
		n = snprintf(instance, instsize, "%.*s", (int)idlen, id);
	else
		n = snprintf(instance, instsize, "urn:uuid:%.*s", (int)idlen,
		    id);
	if (n < 0 || (size_t)n >= instsize)
		return EINVAL;
	memcpy(aor, uri, alen);
	aor[alen] = '\0';
	return 0;
}

/*
 * One Contact value of a 200 OK: the URI, the time left, and, when the
 * client sent a +sip.instance, that instance and the GRUU (RFC 5627 §5):
 *	<uri>;expires=N;+sip.instance="<urn:uuid:…>";gruu="…"
 * The registrar always hands out the GRUU then: SIPE asks for it with
 * Supported: gruu-10 and falls back to a default contact without it.
 */
int
contact_format(const struct reg_binding *b, uint64_t now, char **hdr_out)
{
	uint64_t left = b->expires_at > now ? b->expires_at - now : 0;
	char num[24], *p = num + sizeof(num);

	*--p = '\0';
	do
		*--p = (char)('0' + left % 10);
	while ((left /= 10) > 0);
	if (b->gruu[0] == '\0')
		return str_join(hdr_out, "<", b->uri, ">;expires=", p,
		    (char *)NULL);
	return str_join(hdr_out, "<", b->uri, ">;expires=", p,
	    ";+sip.instance=\"<", b->instance, ">\";gruu=\"", b->gruu, "\"",
	    (char *)NULL);
}
