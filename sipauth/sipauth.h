/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/sipauth.h: the MS-SIPAE protocol as pure functions: parsing and
 * formatting of the authentication headers ([MS-SIPAE] §2.2, notes §1-3),
 * the signature input string (notes §4), the epid to +sip.instance UUID
 * mapping (notes §8), and the hex and base64 codecs the headers use.  No
 * sockets, no GSSAPI, no state; Sofia's sip_t appears only at the edge
 * (sipauth_pick_cred, sipauth_sigfields_from_msg, sipauth_sigstr_msg).
 *
 * Ownership in one sentence: every struct sipauth_str is borrowed (it points
 * into the text the caller passed, or into the message or home named by the
 * function), and every string a function returns through a char ** is
 * allocated from the su_home_t the caller passed (NULL means the heap: free
 * it with su_free(NULL, p)).
 */
#ifndef SIPSA_SIPAUTH_H
#define SIPSA_SIPAUTH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/sip.h>

/* A byte range; ptr is NULL when the item is absent.  Never NUL-terminated
 * by contract (it may be followed by anything).  Borrowed. */
struct sipauth_str {
	const char	*ptr;
	size_t		 len;
};

#define SIPAUTH_PRESENT(s)	((s).ptr != NULL)

/* A slice of a NUL-terminated C string (NULL gives an absent slice). */
static inline struct sipauth_str
sipauth_s(const char *s)
{
	struct sipauth_str r = { s, s != NULL ? strlen(s) : 0 };

	return r;
}

enum sipauth_scheme {
	SIPAUTH_NTLM,
	SIPAUTH_KERBEROS,
	SIPAUTH_TLS_DSK,
	SIPAUTH_OTHER,		/* any other token, e.g. Digest */
};

/*
 * SIPAUTH_WWW: 401, WWW-Authenticate, Authorization, Authentication-Info;
 * SIPAUTH_PROXY: 407, Proxy-Authenticate, Proxy-Authorization,
 * Proxy-Authentication-Info.
 */
enum sipauth_family {
	SIPAUTH_WWW,
	SIPAUTH_PROXY,
};

/* The scheme token as sipsa prints it ("NTLM", "Kerberos", "TLS-DSK"), or
 * NULL for SIPAUTH_OTHER.  Static storage. */
const char	*sipauth_scheme_name(enum sipauth_scheme scheme);

/*
 * One Authorization / Proxy-Authorization value.  Slices point into the
 * parsed text, between the quotes for quoted values; escapes (\") are left
 * as written.  gssapi_data is present with len 0 for gssapi-data="" (NTLM
 * leg 1) and absent (ptr NULL) when the parameter is missing.
 */
struct sipauth_cred {
	enum sipauth_scheme	scheme;
	enum sipauth_family	family;
	struct sipauth_str	scheme_tok;	/* as written */
	struct sipauth_str	realm;
	struct sipauth_str	targetname;
	struct sipauth_str	opaque;
	struct sipauth_str	gssapi_data;	/* base64, undecoded */
	struct sipauth_str	qop;
	struct sipauth_str	crand;		/* hex, verbatim */
	struct sipauth_str	cnum;		/* decimal, verbatim */
	uint32_t		cnum_val;	/* valid when cnum present */
	struct sipauth_str	response;	/* hex, verbatim */
	int			version;	/* 0 when absent */
};

/* One WWW-Authenticate / Proxy-Authenticate value. */
struct sipauth_challenge {
	enum sipauth_scheme	scheme;
	enum sipauth_family	family;
	struct sipauth_str	scheme_tok;
	struct sipauth_str	realm;
	struct sipauth_str	targetname;
	struct sipauth_str	opaque;
	struct sipauth_str	gssapi_data;
	struct sipauth_str	qop;
	struct sipauth_str	sts_uri;	/* TLS-DSK only */
	int			version;
};

/* One Authentication-Info / Proxy-Authentication-Info value. */
struct sipauth_info {
	enum sipauth_scheme	scheme;
	enum sipauth_family	family;
	struct sipauth_str	scheme_tok;
	struct sipauth_str	rspauth;	/* hex, verbatim */
	struct sipauth_str	srand;		/* hex, verbatim */
	struct sipauth_str	snum;		/* decimal, verbatim */
	uint32_t		snum_val;
	struct sipauth_str	opaque;
	struct sipauth_str	realm;
	struct sipauth_str	targetname;
	struct sipauth_str	qop;
	int			version;
};

/*
 * Parsers of one header value (the text after "Name:"), len bytes of s; s
 * need not be NUL-terminated and nothing past s[len - 1] is read.  The
 * grammar is `scheme LWS param *(LWS "," LWS param)`, param = name LWS "="
 * LWS (token | quoted-string); names are case-insensitive, any order, hex
 * values in either case; unknown parameters are ignored.  The value is
 * invalid for: a known parameter given twice, an empty scheme, an
 * unterminated quote, bad hex in crand/srand or response/rspauth (which
 * must also have an even length), a cnum/snum that is not a decimal
 * uint32, a version that is not a decimal integer up to 999, a value over
 * 1 KiB (64 KiB for gssapi-data).
 * Quirk: SIPE sends crand, cnum and response as the literal "(null)" on a
 * 407 leg it never signs; those are taken as absent.
 * out is cleared first and borrows from s.  Return 0 or EBADMSG (EINVAL for
 * NULL arguments).
 */
int	sipauth_parse_cred(const char *s, size_t len, enum sipauth_family fam,
	    struct sipauth_cred *out);
int	sipauth_parse_challenge(const char *s, size_t len,
	    enum sipauth_family fam, struct sipauth_challenge *out);
int	sipauth_parse_info(const char *s, size_t len, enum sipauth_family fam,
	    struct sipauth_info *out);

/*
 * Whether cred is addressed to us ([MS-SIPAE] §3.3.5.1): realm equal to
 * realm (case-sensitive) and targetname equal to fqdn for NTLM and TLS-DSK,
 * "sip/" fqdn for Kerberos (host part compared case-insensitively).
 * Returns 0 when it is ours and usable, ENOTSUP when it is ours but the
 * scheme is TLS-DSK or unknown, ENOENT when it is not ours.
 */
int	sipauth_match_cred(const struct sipauth_cred *cred, const char *realm,
	    const char *fqdn);

/*
 * Pick the credential meant for us among all Authorization and
 * Proxy-Authorization headers of sip (several SAs send several headers).
 * Each header's text is its received wire text when the message kept it
 * (MSG_FLG_EXTRACT_COPY), else Sofia's encoding of it, allocated in home;
 * with the wire text kept, headers Sofia's grammar refused (its error
 * list) are parsed by sipsa's parser too.
 * On 0, *out borrows from the message and from home.  Returns 0, ENOENT
 * (no header for us), ENOTSUP (ours, but TLS-DSK or another scheme),
 * EBADMSG (no usable header and at least one was malformed), ENOMEM.
 */
int	sipauth_pick_cred(su_home_t *home, const sip_t *sip, const char *realm,
	    const char *fqdn, struct sipauth_cred *out);

/*
 * The value of one parsed Sofia header as it is (or will be) on the wire:
 * the received text when the message kept it (h_data), else Sofia's
 * encoding of the header (msg_header_e, allocated in home; note that
 * sip_header_as_string() of Sofia 1.12 truncates long Authentication-Info
 * values, so use this instead).  Name, colon and leading blanks are cut,
 * and trailing blanks and CRLF; folded lines are joined with one space (a
 * copy in home).  *out borrows from the message or home.  Returns 0,
 * EBADMSG, ENOMEM.
 */
int	sipauth_hdr_value(su_home_t *home, const sip_header_t *h,
	    struct sipauth_str *out);

/*
 * Add the header `name: value` to msg (parsed part sip) as Sofia's unknown
 * header, so that value goes on the wire byte for byte as given: Sofia's
 * own Authorization and Authentication-Info classes would parse it and
 * encode it again in their own way.  Returns 0 or ENOMEM.
 */
int	sipauth_add_raw_header(msg_t *msg, sip_t *sip, const char *name,
	    const char *value);

/*
 * A message with the signed fields of the CANCEL that nta will build for
 * invite (same Request-URI, From, To, Call-ID and CSeq number, method
 * CANCEL), to compute that CANCEL's signature before nta sends it; the
 * signature header then goes to nta_outgoing_tcancel() as a tag.  NULL
 * when invite lacks one of those headers or memory is short.
 */
msg_t	*sipauth_cancel_of(const sip_t *invite);

/*
 * Formatters.  Each allocates the header value (without the header name
 * and CRLF) in home and stores it in *out (set NULL first).  Absent slices
 * and version 0 are left out.  Return 0, EINVAL (no scheme name, missing
 * realm/targetname, a value with a quote or CR/LF), ENOMEM.
 *
 * challenge: `NTLM realm="R", targetname="T", version=4` on a first leg;
 * with opaque or gssapi-data present (NTLM second leg) the Lync order
 * `NTLM opaque="O", gssapi-data="B64", targetname="T", realm="R",
 * version=4`; qop and sts-uri are appended when present.
 */
int	sipauth_format_challenge(su_home_t *home,
	    const struct sipauth_challenge *c, char **out);

/*
 * info: `NTLM rspauth="HEX", srand="S", snum="N", opaque="O", qop="auth",
 * targetname="T", realm="R", version=4`: lower-case names, every value
 * quoted except version, the form SIPE's substring search needs.  qop is
 * written as "auth" when absent; snum is taken from snum_val when the snum
 * slice is absent.
 */
int	sipauth_format_info(su_home_t *home, const struct sipauth_info *i,
	    char **out);

/*
 * cred (client side, as SIPE writes it): `NTLM qop="auth", opaque="O",
 * realm="R", targetname="T", gssapi-data="B64", version=4, crand="C",
 * cnum="N", response="HEX"`.  cnum is taken from cnum_val when the cnum
 * slice is absent but crand is present.
 */
int	sipauth_format_cred(su_home_t *home, const struct sipauth_cred *c,
	    char **out);

/*
 * The fields of the signature input string ([MS-SIPAE] §3.2.5.2, notes §4),
 * as raw strings: header values exactly as on the wire (after "Name:" and
 * the blanks that follow it, without CRLF).  An absent header is an absent
 * slice.  All borrowed.
 */
struct sipauth_sigfields {
	int			version;	/* < 3: the v2 layout */
	struct sipauth_str	scheme;		/* NTLM, Kerberos, TLS-DSK */
	struct sipauth_str	rand;		/* crand or srand */
	struct sipauth_str	num;		/* cnum or snum, as sent */
	struct sipauth_str	realm;
	struct sipauth_str	targetname;
	struct sipauth_str	call_id;	/* Call-ID value */
	struct sipauth_str	cseq_num;	/* CSeq number */
	struct sipauth_str	method;		/* request or CSeq method */
	struct sipauth_str	from;		/* From value */
	struct sipauth_str	to;		/* To value */
	struct sipauth_str	pai;		/* first P-Asserted-Identity */
	struct sipauth_str	ppi;		/* first P-Preferred-Identity */
	struct sipauth_str	expires;	/* Expires value */
	int			status;		/* status code; 0: request */
};

/*
 * Build the signature input string: `<scheme><rand><num><realm><target>
 * <call-id><cseq><method><from-uri><from-tag>[<to-uri>]<to-tag>[<pai-sip>
 * <pai-tel>]<expires>[<status>]`, the bracketed optional parts for v3+
 * and for responses.  Extraction: URI = text inside the first <...>, else
 * up to the first ';'; tag = text after ";tag=" up to the next ';'; PAI
 * (else PPI) sip: and tel: URIs = the first <sip:...> / <tel:...> of the
 * comma-separated parts (scheme case-insensitive, case kept), or the whole
 * value when it starts with "tel:".  Bytes are copied as given.
 * *out (NUL-terminated, allocated in home) and *len_out are set on
 * success.  Returns 0, EINVAL (missing scheme, or a status outside
 * 100-699), ENOMEM.
 */
int	sipauth_sigstr(su_home_t *home, const struct sipauth_sigfields *f,
	    char **out, size_t *len_out);

/*
 * Fill the message part of f (call_id, cseq_num, method, from, to, pai,
 * ppi, expires, status) from a parsed message; the caller fills version,
 * scheme, rand, num, realm and targetname (sipauth_sigstr_msg does both and
 * builds the string).  Header text is the received
 * wire text when the message kept it (parse with MSG_FLG_EXTRACT_COPY, i.e.
 * NTATAG_SIPFLAGS(MSG_FLG_EXTRACT_COPY) in nta), else Sofia's encoding of
 * the header, which is what Sofia puts on the wire for a message we build;
 * folded lines are joined with one space as SIPE does.  P-Asserted- and
 * P-Preferred-Identity are found whether or not the message class knows
 * them.  A message we build must be final (To tag set) before it is signed.
 * Slices point into the message or into home.  Returns 0, EBADMSG (no
 * Call-ID, CSeq, From or To, or no request/status line), ENOMEM.
 */
int	sipauth_sigfields_from_msg(su_home_t *home, const sip_t *sip,
	    struct sipauth_sigfields *f);

/*
 * What the signature string of a message takes from its signer rather than
 * from the message: the SA's protocol version and scheme, the crand/cnum
 * (or srand/snum) of this signature, and the realm and targetname the
 * signer names.  Borrowed.
 */
struct sipauth_sigparams {
	int			version;	/* < 3: the v2 layout */
	enum sipauth_scheme	scheme;		/* NTLM, Kerberos or TLS-DSK */
	struct sipauth_str	rand;		/* crand or srand */
	struct sipauth_str	num;		/* cnum or snum, as sent */
	struct sipauth_str	realm;
	struct sipauth_str	targetname;
};

/*
 * The signature input string of a parsed message: sipauth_sigfields_from_msg
 * and sipauth_sigstr in one, the only way sipsad and its tools build it.
 * Whether it is a request's or a response's layout (the status at the end)
 * follows the message's start line.  *out (NUL-terminated, allocated in
 * home) and *len_out are set on success.  Returns 0, EBADMSG (the message
 * lacks a header the string needs), EINVAL (a scheme without a name),
 * ENOMEM.
 */
int	sipauth_sigstr_msg(su_home_t *home, const sip_t *sip,
	    const struct sipauth_sigparams *p, char **out, size_t *len_out);

/*
 * The epid parameter of a From or To value (`;epid=` outside <...>, name
 * case-insensitive, value up to the next ';', ',' or blank).  Returns 0 with
 * *out borrowing from s, ENOENT when there is none, EBADMSG when it is empty
 * or longer than 64 bytes.
 */
int	sipauth_epid_from_hdr(const char *s, size_t len,
	    struct sipauth_str *out);

/*
 * The +sip.instance UUID of an epid ([MS-SIPAE] §3.3.5.2, notes §8):
 * SHA-1 of the namespace fcacfb03-8a73-46ef-91b1-e5ebeeaba4fe (little-endian
 * fields) followed by the epid, version 5, lower-case text.  out receives 36
 * characters and a NUL.  Returns 0, EINVAL (NULL, empty or longer than 64
 * bytes), EIO (OpenSSL failure).
 */
int	sipauth_epid_to_uuid(const char *epid, char out[37]);

/*
 * len random bytes for values sent in the clear (srand) or that only vary
 * a value (expiry jitter), never for keys: OpenSSL's CSPRNG drawn a block
 * at a time per thread (sipauth/nonce.c).  0 or EIO.
 */
int	sipauth_nonce(void *out, size_t len);

/* Hex: upper-case output, out needs 2 * len + 1 bytes (NUL-terminated). */
void	sipauth_hex_encode(const uint8_t *in, size_t len, char *out);

/*
 * Strict hex decoding of len characters (either case, even length, no
 * blanks) into out (outsz bytes).  *outlen_out = len / 2.  Returns 0,
 * EBADMSG, ENOSPC.
 */
int	sipauth_hex_decode(const char *s, size_t len, uint8_t *out,
	    size_t outsz, size_t *outlen_out);

/* Base64 (RFC 4648, padded); *out is NUL-terminated and allocated in home. */
int	sipauth_b64_encode(su_home_t *home, const uint8_t *in, size_t len,
	    char **out);

/*
 * Strict base64 decoding: length a multiple of 4, alphabet only, padding
 * only at the end, unused bits zero.  An empty input gives *out non-NULL
 * and *outlen_out 0.  *out is allocated in home.  Returns 0, EBADMSG,
 * ENOMEM.
 */
int	sipauth_b64_decode(su_home_t *home, const char *s, size_t len,
	    uint8_t **out, size_t *outlen_out);

#endif /* SIPSA_SIPAUTH_H */
