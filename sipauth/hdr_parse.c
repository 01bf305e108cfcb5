/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/hdr_parse.c: parsers of the MS-SIPAE authentication header values
 * (Authorization, WWW-Authenticate, Authentication-Info and their Proxy-
 * twins; [MS-SIPAE] §2.2, notes §1-3), bounded by an explicit length.  One
 * grammar serves the three; a table per header says which parameters it
 * knows, what their values must be and where they go.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
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
 * What a known parameter's value must be.  Token and quoted-string are
 * equal for every parameter (Lync quotes snum, the example of [MS-SIP]
 * §4.1 does not), so a kind says what the value holds, not how it is
 * written.
 */
enum pkind {
	PK_TEXT,	/* anything up to MAX_PLAIN_VALUE */
	PK_DATA,	/* gssapi-data: up to MAX_TOKEN_VALUE (the grammar's) */
	PK_HEX,		/* crand, srand: hex digits, either case */
	PK_SIG,		/* response, rspauth: hex bytes, so an even count */
	PK_U32,		/* cnum, snum: decimal uint32, its value kept too */
	PK_VERSION,	/* a decimal int up to MAX_VERSION */
};

/* SIPE's literal "(null)" stands for an absent value (sipauth.h). */
#define PF_NULL		0x1

/*
 * One known parameter of a header: off is where its slice goes in the
 * output struct (for PK_VERSION, its int); num is where a PK_U32 value
 * goes.  There is no required column: the parser requires nothing, its
 * callers decide what a header must carry (sipauth_match_cred wants realm
 * and targetname).  There is no duplicate column either: a known name twice
 * is refused for every parameter, "(null)" included, so that no header
 * leaves open which of two values was meant; unknown names are ignored,
 * however often they come.
 */
struct pdef {
	const char	*name;
	enum pkind	 kind;
	unsigned	 flags;
	size_t		 off;
	size_t		 num;
};

#define CRED(m)	offsetof(struct sipauth_cred, m)
#define CHAL(m)	offsetof(struct sipauth_challenge, m)
#define INFO(m)	offsetof(struct sipauth_info, m)

/* Each table in the order its header is usually written (hdr_format.c). */
static const struct pdef cred_params[] = {
	{ "qop",		PK_TEXT,	0,	CRED(qop), 0 },
	{ "opaque",		PK_TEXT,	0,	CRED(opaque), 0 },
	{ "realm",		PK_TEXT,	0,	CRED(realm), 0 },
	{ "targetname",		PK_TEXT,	0,	CRED(targetname), 0 },
	{ "gssapi-data",	PK_DATA,	0,	CRED(gssapi_data), 0 },
	{ "version",		PK_VERSION,	0,	CRED(version), 0 },
	{ "crand",		PK_HEX,		PF_NULL, CRED(crand), 0 },
	{ "cnum",		PK_U32,		PF_NULL, CRED(cnum),
	  CRED(cnum_val) },
	{ "response",		PK_SIG,		PF_NULL, CRED(response), 0 },
};

static const struct pdef chal_params[] = {
	{ "opaque",		PK_TEXT,	0,	CHAL(opaque), 0 },
	{ "gssapi-data",	PK_DATA,	0,	CHAL(gssapi_data), 0 },
	{ "targetname",		PK_TEXT,	0,	CHAL(targetname), 0 },
	{ "realm",		PK_TEXT,	0,	CHAL(realm), 0 },
	{ "version",		PK_VERSION,	0,	CHAL(version), 0 },
	{ "qop",		PK_TEXT,	0,	CHAL(qop), 0 },
	{ "sts-uri",		PK_TEXT,	0,	CHAL(sts_uri), 0 },
};

static const struct pdef info_params[] = {
	{ "rspauth",		PK_SIG,		0,	INFO(rspauth), 0 },
	{ "srand",		PK_HEX,		0,	INFO(srand), 0 },
	{ "snum",		PK_U32,		0,	INFO(snum),
	  INFO(snum_val) },
	{ "opaque",		PK_TEXT,	0,	INFO(opaque), 0 },
	{ "qop",		PK_TEXT,	0,	INFO(qop), 0 },
	{ "targetname",		PK_TEXT,	0,	INFO(targetname), 0 },
	{ "realm",		PK_TEXT,	0,	INFO(realm), 0 },
	{ "version",		PK_VERSION,	0,	INFO(version), 0 },
};

#define NPARAMS(t)	(sizeof(t) / sizeof((t)[0]))

/* struct pctx keeps a bit per known parameter. */
_Static_assert(NPARAMS(cred_params) <= 32 && NPARAMS(chal_params) <= 32 &&
    NPARAMS(info_params) <= 32, "a parameter table outgrows pctx.seen");

/* A header kind: its parameters, and where its struct keeps the scheme. */
struct schema {
	const struct pdef	*params;
	size_t			 nparams;
	size_t			 size;
	size_t			 scheme, family, scheme_tok;
};

#define SCHEMA(type, tbl) { (tbl), NPARAMS(tbl), sizeof(struct type), \
	offsetof(struct type, scheme), offsetof(struct type, family), \
	offsetof(struct type, scheme_tok) }

static const struct schema cred_schema = SCHEMA(sipauth_cred, cred_params);
static const struct schema chal_schema =
    SCHEMA(sipauth_challenge, chal_params);
static const struct schema info_schema = SCHEMA(sipauth_info, info_params);

/* One parse in progress: the output struct and the known names seen. */
struct pctx {
	const struct schema	*sc;
	char			*out;
	uint32_t		 seen;
};

static int
name_is(const struct param *p, const char *name)
{
	size_t n = strlen(name);

	return p->name.len == n && strncasecmp(p->name.ptr, name, n) == 0;
}

static int
is_null_literal(const struct param *p)
{
	return p->value.len == 6 && memcmp(p->value.ptr, "(null)", 6) == 0;
}

/*
 * Check one name=value pair against the schema and store it: 0 or EBADMSG.
 * The value is checked only once the name is known and new, so a bad value
 * of an unknown parameter does not matter.
 */
static int
store_param(struct pctx *x, const struct param *p)
{
	const struct pdef *d;
	const struct sipauth_str *v = &p->value;
	uint32_t bit, n;
	size_t i;

	for (i = 0; i < x->sc->nparams; i++)
		if (name_is(p, x->sc->params[i].name))
			break;
	if (i == x->sc->nparams)
		return 0;
	d = &x->sc->params[i];
	bit = UINT32_C(1) << i;
	if (x->seen & bit)
		return EBADMSG;
	x->seen |= bit;
	if ((d->flags & PF_NULL) && is_null_literal(p))
		return 0;
	if (d->kind != PK_DATA && v->len > MAX_PLAIN_VALUE)
		return EBADMSG;
	if (d->kind == PK_SIG && v->len % 2 != 0)
		return EBADMSG;
	switch (d->kind) {
	case PK_TEXT:
	case PK_DATA:
		break;
	case PK_HEX:
	case PK_SIG:
		if (!sipauth_is_hex(v->ptr, v->len))
			return EBADMSG;
		break;
	case PK_U32:
		if (sipauth_parse_u32(v->ptr, v->len, &n) != 0)
			return EBADMSG;
		*(uint32_t *)(void *)(x->out + d->num) = n;
		break;
	case PK_VERSION:
		if (sipauth_parse_u32(v->ptr, v->len, &n) != 0 ||
		    n > MAX_VERSION)
			return EBADMSG;
		*(int *)(void *)(x->out + d->off) = (int)n;
		return 0;
	}
	*(struct sipauth_str *)(void *)(x->out + d->off) = *v;
	return 0;
}

/*
 * Split `scheme LWS param *("," param)` and store each pair.
 * 1. The scheme is a non-empty token.
 * 2. Either the text ends, or blanks separate the scheme from the list.
 * 3. Each param is name "=" (token | quoted-string), blanks allowed around
 *    "=" and ","; a quoted string may hold quoted-pairs and must be closed.
 */
static int
parse_params(const char *s, size_t len, struct sipauth_str *scheme_out,
    struct pctx *x)
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
		if ((error = store_param(x, &prm)) != 0)
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

/* The parser of the three headers; out is a struct of sc's kind. */
static int
parse_hdr(const struct schema *sc, const char *s, size_t len,
    enum sipauth_family fam, void *out)
{
	struct pctx x = { sc, out, 0 };
	struct sipauth_str *tok;
	int error;

	if (out == NULL)
		return EINVAL;
	memset(out, 0, sc->size);
	if (s == NULL)
		return EINVAL;
	tok = (struct sipauth_str *)(void *)(x.out + sc->scheme_tok);
	if ((error = parse_params(s, len, tok, &x)) != 0) {
		memset(out, 0, sc->size);
		return error;
	}
	*(enum sipauth_scheme *)(void *)(x.out + sc->scheme) =
	    sipauth_scheme_classify(tok);
	*(enum sipauth_family *)(void *)(x.out + sc->family) = fam;
	return 0;
}

int
sipauth_parse_cred(const char *s, size_t len, enum sipauth_family fam,
    struct sipauth_cred *out)
{
	return parse_hdr(&cred_schema, s, len, fam, out);
}

int
sipauth_parse_challenge(const char *s, size_t len, enum sipauth_family fam,
    struct sipauth_challenge *out)
{
	return parse_hdr(&chal_schema, s, len, fam, out);
}

int
sipauth_parse_info(const char *s, size_t len, enum sipauth_family fam,
    struct sipauth_info *out)
{
	return parse_hdr(&info_schema, s, len, fam, out);
}
