/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/hdr_parse.c: parsers of the MS-SIPAE authentication header values
 * (Authorization, WWW-Authenticate, Authentication-Info and their Proxy-
 * twins; [MS-SIPAE] §2.2, notes §1-3), bounded by an explicit length.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "sipauth/sipauth.h"
#include "sipauth/internal.h"

/* Upper bounds on a parameter value, in bytes: a Kerberos AP-REQ from an
 * Active Directory KDC carries a PAC and may need tens of KiB of base64;
 * nothing else is longer than a host name or a hex signature. */
#define MAX_TOKEN_VALUE		65536
#define MAX_PLAIN_VALUE		1024
#define MAX_VERSION		999

struct param {
	struct sipauth_str	name;
	struct sipauth_str	value;
};

/* Called for every name=value pair; returns 0 or EBADMSG. */
typedef int (*param_fn)(void *arg, const struct param *p);

static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("-.!%*_+`'~", c) != NULL;
}

static int
is_lws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *
skip_lws(const char *p, const char *end)
{
	while (p < end && is_lws((unsigned char)*p))
		p++;
	return p;
}

static const char *
span_token(const char *p, const char *end)
{
	while (p < end && is_tchar((unsigned char)*p))
		p++;
	return p;
}

/*
 * Split `scheme LWS param *("," param)` and hand each pair to fn.
 * 1. The scheme is a non-empty token.
 * 2. Either the text ends, or blanks separate the scheme from the list.
 * 3. Each param is name "=" (token | quoted-string), blanks allowed around
 *    "=" and ","; a quoted string may hold quoted-pairs and must be closed.
 */
static int
parse_params(const char *s, size_t len, struct sipauth_str *scheme_out,
    param_fn fn, void *arg)
{
	const char *p = s, *end = s + len, *q;
	struct param prm;
	int error;

	p = skip_lws(p, end);
	q = span_token(p, end);
	if (q == p)
		return EBADMSG;
	scheme_out->ptr = p;
	scheme_out->len = (size_t)(q - p);
	p = skip_lws(q, end);
	if (p == end)
		return 0;
	if (p == q)
		return EBADMSG;
	for (;;) {
		q = span_token(p, end);
		if (q == p)
			return EBADMSG;
		prm.name.ptr = p;
		prm.name.len = (size_t)(q - p);
		p = skip_lws(q, end);
		if (p == end || *p != '=')
			return EBADMSG;
		p = skip_lws(p + 1, end);
		if (p < end && *p == '"') {
			for (q = ++p; q < end && *q != '"'; q++) {
				if (*q == '\\' && ++q == end)
					return EBADMSG;
			}
			if (q == end)
				return EBADMSG;
			prm.value.ptr = p;
			prm.value.len = (size_t)(q - p);
			p = q + 1;
		} else {
			q = span_token(p, end);
			if (q == p)
				return EBADMSG;
			prm.value.ptr = p;
			prm.value.len = (size_t)(q - p);
			p = q;
		}
		if (prm.value.len > MAX_TOKEN_VALUE)
			return EBADMSG;
		if ((error = fn(arg, &prm)) != 0)
			return error;
		p = skip_lws(p, end);
		if (p == end)
			return 0;
		if (*p != ',')
			return EBADMSG;
		p = skip_lws(p + 1, end);
		if (p == end)
			return EBADMSG;
	}
}

static int
name_is(const struct param *p, const char *name)
{
	size_t n = strlen(name);

	return p->name.len == n && strncasecmp(p->name.ptr, name, n) == 0;
}

/* Store a value once; a second occurrence of the name is an error. */
static int
set_once(struct sipauth_str *dst, const struct param *p)
{
	if (dst->ptr != NULL)
		return EBADMSG;
	if (p->value.len > MAX_PLAIN_VALUE)
		return EBADMSG;
	*dst = p->value;
	return 0;
}

static int
set_hex(struct sipauth_str *dst, const struct param *p)
{
	if (!sipauth_is_hex(p->value.ptr, p->value.len))
		return EBADMSG;
	return set_once(dst, p);
}

/* A signature: hex bytes, so an even number of digits. */
static int
set_sig(struct sipauth_str *dst, const struct param *p)
{
	if (p->value.len % 2 != 0)
		return EBADMSG;
	return set_hex(dst, p);
}

static int
set_u32(struct sipauth_str *dst, uint32_t *val, const struct param *p)
{
	if (sipauth_parse_u32(p->value.ptr, p->value.len, val) != 0)
		return EBADMSG;
	return set_once(dst, p);
}

static int
set_version(int *dst, int *seen, const struct param *p)
{
	uint32_t v;

	if (*seen || sipauth_parse_u32(p->value.ptr, p->value.len, &v) != 0 ||
	    v > MAX_VERSION)
		return EBADMSG;
	*seen = 1;
	*dst = (int)v;
	return 0;
}

static int
is_null_literal(const struct param *p)
{
	return p->value.len == 6 && memcmp(p->value.ptr, "(null)", 6) == 0;
}

/* Note a "(null)" literal for the parameter of bit; twice is an error. */
static int
set_null(int *nulls, int bit)
{
	if (*nulls & bit)
		return EBADMSG;
	*nulls |= bit;
	return 0;
}

enum sipauth_scheme
sipauth_scheme_classify(const struct sipauth_str *tok)
{
	if (tok->len == 4 && strncasecmp(tok->ptr, "NTLM", 4) == 0)
		return SIPAUTH_NTLM;
	if (tok->len == 8 && strncasecmp(tok->ptr, "Kerberos", 8) == 0)
		return SIPAUTH_KERBEROS;
	if (tok->len == 7 && strncasecmp(tok->ptr, "TLS-DSK", 7) == 0)
		return SIPAUTH_TLS_DSK;
	return SIPAUTH_OTHER;
}

struct cred_ctx {
	struct sipauth_cred	*c;
	int			 version_seen;
	int			 nulls;	/* "(null)" literals seen, as a bit set */
};

static int
cred_param(void *arg, const struct param *p)
{
	struct cred_ctx *x = arg;
	struct sipauth_cred *c = x->c;

	if (name_is(p, "realm"))
		return set_once(&c->realm, p);
	if (name_is(p, "targetname"))
		return set_once(&c->targetname, p);
	if (name_is(p, "opaque"))
		return set_once(&c->opaque, p);
	if (name_is(p, "qop"))
		return set_once(&c->qop, p);
	if (name_is(p, "gssapi-data")) {
		if (c->gssapi_data.ptr != NULL)
			return EBADMSG;
		c->gssapi_data = p->value;
		return 0;
	}
	if (name_is(p, "version"))
		return set_version(&c->version, &x->version_seen, p);
	if (name_is(p, "crand")) {
		if (is_null_literal(p))
			return set_null(&x->nulls, 1);
		return set_hex(&c->crand, p);
	}
	if (name_is(p, "cnum")) {
		if (is_null_literal(p))
			return set_null(&x->nulls, 2);
		return set_u32(&c->cnum, &c->cnum_val, p);
	}
	if (name_is(p, "response")) {
		if (is_null_literal(p))
			return set_null(&x->nulls, 4);
		return set_sig(&c->response, p);
	}
	return 0;
}

int
sipauth_parse_cred(const char *s, size_t len, enum sipauth_family fam,
    struct sipauth_cred *out)
{
	struct cred_ctx x;
	int error;

	if (out == NULL)
		return EINVAL;
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return EINVAL;
	x.c = out;
	x.version_seen = 0;
	x.nulls = 0;
	error = parse_params(s, len, &out->scheme_tok, cred_param, &x);
	/* A "(null)" next to a real value of the same name is a duplicate. */
	if (error == 0 && (((x.nulls & 1) && out->crand.ptr != NULL) ||
	    ((x.nulls & 2) && out->cnum.ptr != NULL) ||
	    ((x.nulls & 4) && out->response.ptr != NULL)))
		error = EBADMSG;
	if (error != 0) {
		memset(out, 0, sizeof(*out));
		return error;
	}
	out->scheme = sipauth_scheme_classify(&out->scheme_tok);
	out->family = fam;
	return 0;
}

struct chal_ctx {
	struct sipauth_challenge	*c;
	int				 version_seen;
};

static int
chal_param(void *arg, const struct param *p)
{
	struct chal_ctx *x = arg;
	struct sipauth_challenge *c = x->c;

	if (name_is(p, "realm"))
		return set_once(&c->realm, p);
	if (name_is(p, "targetname"))
		return set_once(&c->targetname, p);
	if (name_is(p, "opaque"))
		return set_once(&c->opaque, p);
	if (name_is(p, "qop"))
		return set_once(&c->qop, p);
	if (name_is(p, "sts-uri"))
		return set_once(&c->sts_uri, p);
	if (name_is(p, "gssapi-data")) {
		if (c->gssapi_data.ptr != NULL)
			return EBADMSG;
		c->gssapi_data = p->value;
		return 0;
	}
	if (name_is(p, "version"))
		return set_version(&c->version, &x->version_seen, p);
	return 0;
}

int
sipauth_parse_challenge(const char *s, size_t len, enum sipauth_family fam,
    struct sipauth_challenge *out)
{
	struct chal_ctx x;
	int error;

	if (out == NULL)
		return EINVAL;
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return EINVAL;
	x.c = out;
	x.version_seen = 0;
	if ((error = parse_params(s, len, &out->scheme_tok, chal_param,
	    &x)) != 0) {
		memset(out, 0, sizeof(*out));
		return error;
	}
	out->scheme = sipauth_scheme_classify(&out->scheme_tok);
	out->family = fam;
	return 0;
}

struct info_ctx {
	struct sipauth_info	*i;
	int			 version_seen;
};

static int
info_param(void *arg, const struct param *p)
{
	struct info_ctx *x = arg;
	struct sipauth_info *i = x->i;

	if (name_is(p, "rspauth"))
		return set_sig(&i->rspauth, p);
	if (name_is(p, "srand"))
		return set_hex(&i->srand, p);
	if (name_is(p, "snum"))
		return set_u32(&i->snum, &i->snum_val, p);
	if (name_is(p, "opaque"))
		return set_once(&i->opaque, p);
	if (name_is(p, "realm"))
		return set_once(&i->realm, p);
	if (name_is(p, "targetname"))
		return set_once(&i->targetname, p);
	if (name_is(p, "qop"))
		return set_once(&i->qop, p);
	if (name_is(p, "version"))
		return set_version(&i->version, &x->version_seen, p);
	return 0;
}

int
sipauth_parse_info(const char *s, size_t len, enum sipauth_family fam,
    struct sipauth_info *out)
{
	struct info_ctx x;
	int error;

	if (out == NULL)
		return EINVAL;
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return EINVAL;
	x.i = out;
	x.version_seen = 0;
	if ((error = parse_params(s, len, &out->scheme_tok, info_param,
	    &x)) != 0) {
		memset(out, 0, sizeof(*out));
		return error;
	}
	out->scheme = sipauth_scheme_classify(&out->scheme_tok);
	out->family = fam;
	return 0;
}
