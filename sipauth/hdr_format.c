/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/hdr_format.c: formatters of the MS-SIPAE authentication header
 * values in exactly the forms the SIPE client parses (notes §1-3): lower-case
 * parameter names, `name="value"` with no blanks around "=", quoted srand,
 * snum, realm, targetname and opaque, unquoted version.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sipauth/sipauth.h"
#include "sipauth/internal.h"

const char *
sipauth_scheme_name(enum sipauth_scheme scheme)
{
	switch (scheme) {
	case SIPAUTH_NTLM:
		return "NTLM";
	case SIPAUTH_KERBEROS:
		return "Kerberos";
	case SIPAUTH_TLS_DSK:
		return "TLS-DSK";
	default:
		return NULL;
	}
}

/* A value that can sit between double quotes without escaping. */
static int
quotable(struct sipauth_str s)
{
	size_t i;

	for (i = 0; i < s.len; i++)
		if (s.ptr[i] == '"' || s.ptr[i] == '\\' || s.ptr[i] == '\r' ||
		    s.ptr[i] == '\n' || s.ptr[i] == '\0')
			return 0;
	return 1;
}

/*
 * Append `sep name="value"` when the slice is present.  sep is ", " except
 * for the first parameter, which follows the scheme after one blank.
 */
static void
param_q(struct strbuf *sb, int *first, const char *name,
    struct sipauth_str v)
{
	if (v.ptr == NULL)
		return;
	if (!quotable(v)) {
		sb->error = EINVAL;
		return;
	}
	strbuf_adds(sb, *first ? " " : ", ");
	*first = 0;
	strbuf_adds(sb, name);
	strbuf_add(sb, "=\"", 2);
	strbuf_add(sb, v.ptr, v.len);
	strbuf_add(sb, "\"", 1);
}

static void
param_version(struct strbuf *sb, int *first, int version)
{
	char num[16];

	if (version <= 0)
		return;
	(void)snprintf(num, sizeof(num), "%d", version);
	strbuf_adds(sb, *first ? " version=" : ", version=");
	*first = 0;
	strbuf_adds(sb, num);
}

/* The scheme token: the enum's name, else the token as written. */
static int
scheme_start(struct strbuf *sb, enum sipauth_scheme scheme,
    struct sipauth_str tok)
{
	const char *name = sipauth_scheme_name(scheme);

	if (name != NULL)
		strbuf_adds(sb, name);
	else if (tok.ptr != NULL && tok.len > 0 && quotable(tok) &&
	    memchr(tok.ptr, ' ', tok.len) == NULL)
		strbuf_add(sb, tok.ptr, tok.len);
	else
		return EINVAL;
	return 0;
}

int
sipauth_format_challenge(su_home_t *home, const struct sipauth_challenge *c,
    char **out)
{
	struct strbuf sb;
	int first = 1;

	*out = NULL;
	if (c->realm.ptr == NULL || c->targetname.ptr == NULL)
		return EINVAL;
	strbuf_init(&sb, home);
	if (scheme_start(&sb, c->scheme, c->scheme_tok) != 0)
		return EINVAL;
	if (c->opaque.ptr != NULL || c->gssapi_data.ptr != NULL) {
		/* Second leg, in the order Lync 2013 uses. */
		param_q(&sb, &first, "opaque", c->opaque);
		param_q(&sb, &first, "gssapi-data", c->gssapi_data);
		param_q(&sb, &first, "targetname", c->targetname);
		param_q(&sb, &first, "realm", c->realm);
	} else {
		param_q(&sb, &first, "realm", c->realm);
		param_q(&sb, &first, "targetname", c->targetname);
	}
	param_version(&sb, &first, c->version);
	param_q(&sb, &first, "qop", c->qop);
	param_q(&sb, &first, "sts-uri", c->sts_uri);
	return strbuf_finish(&sb, out, NULL);
}

int
sipauth_format_info(su_home_t *home, const struct sipauth_info *i,
    char **out)
{
	struct strbuf sb;
	char num[16];
	struct sipauth_str snum = i->snum;
	int first = 1;

	*out = NULL;
	if (i->realm.ptr == NULL || i->targetname.ptr == NULL)
		return EINVAL;
	if (snum.ptr == NULL) {
		(void)snprintf(num, sizeof(num), "%u", (unsigned)i->snum_val);
		snum = sipauth_s(num);
	}
	strbuf_init(&sb, home);
	if (scheme_start(&sb, i->scheme, i->scheme_tok) != 0)
		return EINVAL;
	param_q(&sb, &first, "rspauth", i->rspauth);
	param_q(&sb, &first, "srand", i->srand);
	param_q(&sb, &first, "snum", snum);
	param_q(&sb, &first, "opaque", i->opaque);
	param_q(&sb, &first, "qop",
	    i->qop.ptr != NULL ? i->qop : sipauth_s("auth"));
	param_q(&sb, &first, "targetname", i->targetname);
	param_q(&sb, &first, "realm", i->realm);
	param_version(&sb, &first, i->version);
	return strbuf_finish(&sb, out, NULL);
}

int
sipauth_format_cred(su_home_t *home, const struct sipauth_cred *c,
    char **out)
{
	struct strbuf sb;
	char num[16];
	struct sipauth_str cnum = c->cnum;
	int first = 1;

	*out = NULL;
	if (c->realm.ptr == NULL || c->targetname.ptr == NULL)
		return EINVAL;
	if (cnum.ptr == NULL && c->crand.ptr != NULL) {
		(void)snprintf(num, sizeof(num), "%u", (unsigned)c->cnum_val);
		cnum = sipauth_s(num);
	}
	strbuf_init(&sb, home);
	if (scheme_start(&sb, c->scheme, c->scheme_tok) != 0)
		return EINVAL;
	param_q(&sb, &first, "qop",
	    c->qop.ptr != NULL ? c->qop : sipauth_s("auth"));
	param_q(&sb, &first, "opaque", c->opaque);
	param_q(&sb, &first, "realm", c->realm);
	param_q(&sb, &first, "targetname", c->targetname);
	param_q(&sb, &first, "gssapi-data", c->gssapi_data);
	param_version(&sb, &first, c->version);
	param_q(&sb, &first, "crand", c->crand);
	param_q(&sb, &first, "cnum", cnum);
	param_q(&sb, &first, "response", c->response);
	return strbuf_finish(&sb, out, NULL);
}
