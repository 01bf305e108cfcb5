/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz/fuzz_hdr.c: libFuzzer target for the MS-SIPAE header parsers, the
 * formatters (a parsed value must format and parse back to the same
 * fields), the credential pick over a whole SIP message, the epid helpers
 * and the hex/base64 decoders.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include "sipauth/sipauth.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same(struct sipauth_str a, struct sipauth_str b)
{
	if ((a.ptr == NULL) != (b.ptr == NULL) || a.len != b.len)
		return 0;
	return a.ptr == NULL || memcmp(a.ptr, b.ptr, a.len) == 0;
}

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static void
round_trip(su_home_t *home, const char *s, size_t len)
{
	struct sipauth_cred c, c2;
	struct sipauth_challenge ch, ch2;
	struct sipauth_info in, in2;
	char *out;

	if (sipauth_parse_cred(s, len, SIPAUTH_WWW, &c) == 0 &&
	    sipauth_format_cred(home, &c, &out) == 0) {
		CHECK(sipauth_parse_cred(out, strlen(out), SIPAUTH_WWW,
		    &c2) == 0);
		CHECK(same(c.realm, c2.realm) &&
		    same(c.targetname, c2.targetname) &&
		    same(c.opaque, c2.opaque) &&
		    same(c.gssapi_data, c2.gssapi_data) &&
		    same(c.crand, c2.crand) && same(c.response, c2.response) &&
		    c.version == c2.version && c.scheme == c2.scheme);
		(void)sipauth_match_cred(&c2, "SIP Communications Service",
		    "srv.example.com");
	}
	if (sipauth_parse_challenge(s, len, SIPAUTH_PROXY, &ch) == 0 &&
	    sipauth_format_challenge(home, &ch, &out) == 0) {
		CHECK(sipauth_parse_challenge(out, strlen(out), SIPAUTH_PROXY,
		    &ch2) == 0);
		CHECK(same(ch.realm, ch2.realm) &&
		    same(ch.targetname, ch2.targetname) &&
		    same(ch.opaque, ch2.opaque) &&
		    same(ch.gssapi_data, ch2.gssapi_data) &&
		    same(ch.sts_uri, ch2.sts_uri) &&
		    ch.version == ch2.version);
	}
	if (sipauth_parse_info(s, len, SIPAUTH_WWW, &in) == 0 &&
	    sipauth_format_info(home, &in, &out) == 0) {
		CHECK(sipauth_parse_info(out, strlen(out), SIPAUTH_WWW,
		    &in2) == 0);
		CHECK(same(in.rspauth, in2.rspauth) &&
		    same(in.srand, in2.srand) && same(in.realm, in2.realm) &&
		    same(in.targetname, in2.targetname) &&
		    same(in.opaque, in2.opaque) && in.version == in2.version);
	}
}

static void
codecs(su_home_t *home, const char *s, size_t len)
{
	struct sipauth_str epid;
	uint8_t buf[64], *bin;
	size_t n;
	char *enc, uuid[37], *z;

	if (sipauth_b64_decode(home, s, len, &bin, &n) == 0) {
		CHECK(sipauth_b64_encode(home, bin, n, &enc) == 0);
		CHECK(strlen(enc) == len && memcmp(enc, s, len) == 0);
	}
	(void)sipauth_hex_decode(s, len, buf, sizeof(buf), &n);
	if (sipauth_epid_from_hdr(s, len, &epid) == 0) {
		z = su_strndup(home, epid.ptr, epid.len);
		if (z != NULL && strlen(z) > 0)
			CHECK(sipauth_epid_to_uuid(z, uuid) == 0);
	}
}

/* The input as the Authorization and Proxy-Authorization of a REGISTER. */
static void
pick(su_home_t *home, const char *s, size_t len)
{
	static const char head[] = "REGISTER sip:example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\n"
	    "From: <sip:u@example.com>;tag=1;epid=01010101\r\n"
	    "To: <sip:u@example.com>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n"
	    "Authorization: ";
	static const char mid[] = "\r\nProxy-Authorization: ";
	static const char tail[] = "\r\nContent-Length: 0\r\n\r\n";
	struct sipauth_cred c;
	size_t n = 0, total;
	char *buf;
	msg_t *msg;

	total = sizeof(head) + 2 * len + sizeof(mid) + sizeof(tail);
	if ((buf = su_alloc(home, total)) == NULL)
		return;
	memcpy(buf + n, head, sizeof(head) - 1), n += sizeof(head) - 1;
	memcpy(buf + n, s, len), n += len;
	memcpy(buf + n, mid, sizeof(mid) - 1), n += sizeof(mid) - 1;
	memcpy(buf + n, s, len), n += len;
	memcpy(buf + n, tail, sizeof(tail) - 1), n += sizeof(tail) - 1;
	msg = msg_make(sip_default_mclass(), MSG_FLG_EXTRACT_COPY, buf, n);
	if (msg != NULL && sip_object(msg) != NULL)
		(void)sipauth_pick_cred(home, sip_object(msg),
		    "SIP Communications Service", "srv.example.com", &c);
	msg_destroy(msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	su_home_t *home = su_home_new(sizeof(su_home_t));
	const char *s = (const char *)data;

	if (home == NULL)
		return 0;
	round_trip(home, s, size);
	codecs(home, s, size);
	pick(home, s, size);
	su_home_unref(home);
	return 0;
}
