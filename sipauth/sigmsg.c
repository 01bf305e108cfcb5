/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/sigmsg.c: the edge to Sofia: raw header values of a parsed
 * message as they were (or will be) on the wire, the signature fields and
 * the signature string of a message (notes §4), and the choice of our
 * credential among several Authorization headers ([MS-SIPAE] §3.3.5.1).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>

#include "sipauth/sipauth.h"
#include "sipauth/internal.h"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_eol(char c)
{
	return c == '\r' || c == '\n';
}

/* Cut "Name:" and blanks in front, blanks and line ends behind; join folded
 * lines with one space (copy in home) when the value spans several lines. */
static int
strip_line(su_home_t *home, const char *p, size_t len,
    struct sipauth_str *out)
{
	const char *end = p + len, *colon;
	char *copy, *w;

	if ((colon = memchr(p, ':', len)) == NULL)
		return EBADMSG;
	p = colon + 1;
	while (p < end && (is_blank(*p) || is_eol(*p)))
		p++;
	while (end > p && (is_blank(end[-1]) || is_eol(end[-1])))
		end--;
	if (memchr(p, '\r', (size_t)(end - p)) == NULL &&
	    memchr(p, '\n', (size_t)(end - p)) == NULL) {
		out->ptr = p;
		out->len = (size_t)(end - p);
		return 0;
	}
	if ((copy = su_alloc(home, (size_t)(end - p) + 1)) == NULL)
		return ENOMEM;
	for (w = copy; p < end; ) {
		if (is_eol(*p)) {
			while (p < end && (is_eol(*p) || is_blank(*p)))
				p++;
			*w++ = ' ';
		} else
			*w++ = *p++;
	}
	*w = '\0';
	out->ptr = copy;
	out->len = (size_t)(w - copy);
	return 0;
}

int
sipauth_hdr_value(su_home_t *home, const sip_header_t *h,
    struct sipauth_str *out)
{
	const msg_common_t *hc = h->sh_common;
	char small[256], *buf;
	issize_t n;

	out->ptr = NULL;
	out->len = 0;
	if (hc->h_data != NULL && hc->h_len > 0)
		return strip_line(home, hc->h_data, hc->h_len, out);
	/* Not received as text: Sofia's encoding is what goes on the wire. */
	n = msg_header_e(small, sizeof(small), (const msg_header_t *)h, 0);
	if (n < 0)
		return EBADMSG;
	if ((size_t)n < sizeof(small))
		buf = su_strndup(home, small, n);
	else if ((buf = su_alloc(home, (size_t)n + 1)) != NULL &&
	    msg_header_e(buf, n + 1, (const msg_header_t *)h, 0) != n)
		return EBADMSG;
	if (buf == NULL)
		return ENOMEM;
	return strip_line(home, buf, (size_t)n, out);
}

int
sipauth_add_raw_header(msg_t *msg, sip_t *sip, const char *name,
    const char *value)
{
	su_home_t *mh = msg_home(msg);
	size_t nlen = strlen(name), vlen = strlen(value);
	msg_header_t *h;
	char *line;

	/* "name: value" by hand: su_sprintf cost a fifth of a signature's
	   formatting (issue 16). */
	if ((line = su_alloc(mh, nlen + 2 + vlen + 1)) == NULL)
		return ENOMEM;
	memcpy(line, name, nlen);
	memcpy(line + nlen, ": ", 2);
	memcpy(line + nlen + 2, value, vlen + 1);
	h = msg_header_make(mh, sip_unknown_class, line);
	su_free(mh, line);
	if (h == NULL || msg_header_insert(msg, (msg_pub_t *)sip, h) < 0)
		return ENOMEM;
	return 0;
}

/* The first header of a class the message class may not know: typed when it
 * does, else among the unknown headers by name. */
static const sip_header_t *
find_extra(const sip_t *sip, msg_hclass_t *hc, const char *name)
{
	const msg_header_t *h;
	const sip_unknown_t *u;

	h = msg_header_access((const msg_pub_t *)sip, hc);
	if (h != NULL)
		return (const sip_header_t *)h;
	for (u = sip->sip_unknown; u != NULL; u = u->un_next)
		if (u->un_name != NULL && strcasecmp(u->un_name, name) == 0)
			return (const sip_header_t *)u;
	return NULL;
}

static int
value_of(su_home_t *home, const void *h, struct sipauth_str *out)
{
	out->ptr = NULL;
	out->len = 0;
	if (h == NULL)
		return 0;
	return sipauth_hdr_value(home, h, out);
}

int
sipauth_sigfields_from_msg(su_home_t *home, const sip_t *sip,
    struct sipauth_sigfields *f)
{
	struct sipauth_str cseq;
	const char *p, *end, *q;
	int error;

	if (sip == NULL || sip->sip_call_id == NULL || sip->sip_cseq == NULL ||
	    sip->sip_from == NULL || sip->sip_to == NULL ||
	    (sip->sip_request == NULL && sip->sip_status == NULL))
		return EBADMSG;
	if ((error = value_of(home, sip->sip_call_id, &f->call_id)) != 0 ||
	    (error = value_of(home, sip->sip_cseq, &cseq)) != 0 ||
	    (error = value_of(home, sip->sip_from, &f->from)) != 0 ||
	    (error = value_of(home, sip->sip_to, &f->to)) != 0 ||
	    (error = value_of(home, sip->sip_expires, &f->expires)) != 0 ||
	    (error = value_of(home, find_extra(sip,
	    sip_p_asserted_identity_class, "P-Asserted-Identity"),
	    &f->pai)) != 0 ||
	    (error = value_of(home, find_extra(sip,
	    sip_p_preferred_identity_class, "P-Preferred-Identity"),
	    &f->ppi)) != 0)
		return error;
	/* CSeq: the number up to the first blank, then the method. */
	p = cseq.ptr;
	end = p + cseq.len;
	for (q = p; q < end && !is_blank(*q); q++)
		;
	f->cseq_num.ptr = p;
	f->cseq_num.len = (size_t)(q - p);
	while (q < end && is_blank(*q))
		q++;
	if (sip->sip_request != NULL) {
		if (sip->sip_request->rq_method_name == NULL)
			return EBADMSG;
		f->method = sipauth_s(sip->sip_request->rq_method_name);
		f->status = 0;
	} else {
		f->method.ptr = q;
		f->method.len = (size_t)(end - q);
		f->status = sip->sip_status->st_status;
		if (f->status < 100 || f->status > 699)
			return EBADMSG;
	}
	return 0;
}

int
sipauth_sigstr_msg(su_home_t *home, const sip_t *sip,
    const struct sipauth_sigparams *p, char **out, size_t *len_out)
{
	struct sipauth_sigfields f;
	const char *scheme = sipauth_scheme_name(p->scheme);
	int error;

	*out = NULL;
	if (scheme == NULL)
		return EINVAL;
	memset(&f, 0, sizeof(f));
	if ((error = sipauth_sigfields_from_msg(home, sip, &f)) != 0)
		return error;
	f.version = p->version;
	f.scheme = sipauth_s(scheme);
	f.rand = p->rand;
	f.num = p->num;
	f.realm = p->realm;
	f.targetname = p->targetname;
	return sipauth_sigstr(home, &f, out, len_out);
}

int
sipauth_match_cred(const struct sipauth_cred *c, const char *realm,
    const char *fqdn)
{
	size_t flen = strlen(fqdn);
	const char *t = c->targetname.ptr;
	size_t tlen = c->targetname.len;

	if (c->realm.ptr == NULL || t == NULL ||
	    c->realm.len != strlen(realm) ||
	    memcmp(c->realm.ptr, realm, c->realm.len) != 0)
		return ENOENT;
	if (c->scheme == SIPAUTH_KERBEROS) {
		if (tlen < 4 || strncasecmp(t, "sip/", 4) != 0)
			return ENOENT;
		t += 4;
		tlen -= 4;
	}
	if (tlen != flen || strncasecmp(t, fqdn, flen) != 0)
		return ENOENT;
	if (c->scheme != SIPAUTH_NTLM && c->scheme != SIPAUTH_KERBEROS)
		return ENOTSUP;
	return 0;
}

/*
 * Try one header as our credential.  Returns 0 (ours, *out set), ENOTSUP,
 * ENOENT, EBADMSG or ENOMEM.
 */
static int
try_cred(su_home_t *home, const sip_header_t *h, enum sipauth_family fam,
    const char *realm, const char *fqdn, struct sipauth_cred *out)
{
	struct sipauth_cred c;
	struct sipauth_str v;
	int error;

	if ((error = sipauth_hdr_value(home, h, &v)) != 0)
		return error == ENOMEM ? ENOMEM : EBADMSG;
	if (sipauth_parse_cred(v.ptr, v.len, fam, &c) != 0)
		return EBADMSG;
	if ((error = sipauth_match_cred(&c, realm, fqdn)) == 0)
		*out = c;
	return error;
}

int
sipauth_pick_cred(su_home_t *home, const sip_t *sip, const char *realm,
    const char *fqdn, struct sipauth_cred *out)
{
	const msg_auth_t *lists[2], *a;
	const sip_error_t *e;
	enum sipauth_family fam;
	int i, error, unsupported = 0, malformed = 0;

	memset(out, 0, sizeof(*out));
	if (sip == NULL || realm == NULL || fqdn == NULL)
		return EINVAL;
	lists[0] = sip->sip_authorization;
	lists[1] = sip->sip_proxy_authorization;
	for (i = 0; i < 2; i++) {
		for (a = lists[i]; a != NULL; a = a->au_next) {
			error = try_cred(home, (const sip_header_t *)a,
			    i == 0 ? SIPAUTH_WWW : SIPAUTH_PROXY, realm, fqdn,
			    out);
			if (error == 0 || error == ENOMEM)
				return error;
			unsupported |= error == ENOTSUP;
			malformed |= error == EBADMSG;
		}
	}
	/*
	 * Headers Sofia's own grammar refused (e.g. a scheme without
	 * parameters) sit in the error list; sipsa's parser decides.
	 */
	for (e = sip->sip_error; e != NULL; e = e->er_next) {
		/* Sofia also chains headers of other classes here (a second
		   Content-Length, for one): only true error headers have a
		   name to look at. */
		if (e->er_common->h_class != sip_error_class ||
		    e->er_name == NULL)
			continue;
		if (strcasecmp(e->er_name, "Authorization") == 0)
			fam = SIPAUTH_WWW;
		else if (strcasecmp(e->er_name, "Proxy-Authorization") == 0)
			fam = SIPAUTH_PROXY;
		else
			continue;
		error = try_cred(home, (const sip_header_t *)e, fam, realm,
		    fqdn, out);
		if (error == 0 || error == ENOMEM)
			return error;
		unsupported |= error == ENOTSUP;
		malformed |= error == EBADMSG;
	}
	if (unsupported)
		return ENOTSUP;
	return malformed ? EBADMSG : ENOENT;
}
