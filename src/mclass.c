/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/mclass.c: sipsad's SIP message class: Sofia's default class with a
 * request-line and a CSeq decoder that take every RFC 3261 method token
 * (§25.1: Method = INVITEm / ... / extension-method, extension-method =
 * token), so that SERVICE, PING or MSG reach the pipeline (see mclass.h
 * for the Sofia bug this works around).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg_mclass.h>
#include <sofia-sip/msg_parser.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_parser.h>
#include <sofia-sip/url.h>

#include "src/mclass.h"

/*
 * Copies of Sofia's request-line and CSeq classes that differ in hc_parse
 * only: same hash, name, size, printer and copy functions.  They are
 * filled by mclass_create(); Sofia's own classes are never written.
 */
static struct msg_hclass_s request_class[1];
static struct msg_hclass_s cseq_class[1];

/*
 * RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_"
 * / "+" / "`" / "'" / "~").  Sofia's IS_TOKEN() also takes "$" (a token
 * character of RFC 2543), hence a test of our own.
 */
static int
is_token_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("-.!%*_+`'~", c) != NULL;
}

sip_method_t
mclass_method(const char *token, const char **name_out)
{
	size_t i;

	if (*token == '\0')
		return sip_method_invalid;
	for (i = 0; token[i] != '\0'; i++)
		if (!is_token_char((unsigned char)token[i]))
			return sip_method_invalid;
	/* Entry 0 is "<UNKNOWN>", which is no token; the list ends in NULL.
	   The enum value of a known method is its index. */
	for (i = 1; sip_method_names[i] != NULL; i++)
		if (strcmp(token, sip_method_names[i]) == 0) {
			*name_out = sip_method_names[i];
			return (sip_method_t)i;
		}
	*name_out = token;
	return sip_method_unknown;
}

static int
is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Sofia's extract_first() (msg_parser.c) skips the whitespace before a
 * message's first line, k bytes of it, but with MSG_FLG_EXTRACT_COPY
 * (which sipsad sets) it copies the line from the start of the buffer:
 * the decoder gets the k whitespace bytes in front and the line's last k
 * characters cut off.  So a request that follows a CRLF in the same read
 * (a keep-alive CRLF, or the extra CRLF between RFC 4475 dblreq's two
 * requests on a stream) was dropped as garbage.  Before the decoder runs,
 * extract_first() has pointed h->sh_data at the buffer (the whitespace
 * and the whole line, sh_len bytes); when s is that damaged copy, the line
 * is copied again from there.  s has room for it: Sofia sized the copy
 * for the line and its NUL.
 */
static void
firstline_repair(msg_header_t *h, char *s, isize_t slen)
{
	const char *raw = h->sh_data;
	size_t len = h->sh_len, k, n;

	if (raw == NULL || slen <= 0 || !is_lws(s[0]))
		return;
	for (k = 0; k < len && is_lws(raw[k]); k++)
		continue;
	for (n = 0; k + n < len && raw[k + n] != '\r' && raw[k + n] != '\n';
	    n++)
		continue;
	if (k == 0 || n != (size_t)slen || memcmp(s, raw, n) != 0)
		return;
	memcpy(s, raw + k, n);
	s[n] = '\0';
}

/*
 * sip_request_d() with the method decoded by mclass_method().  The line
 * is split by msg_firstline_d() (method, URI, version at whitespace, in
 * place), and the URI and version go through url_d() and sip_version_d()
 * as in Sofia, so that everything but the method comes out the same.
 * Whitespace beyond the single SPs of RFC 3261 is taken here, as Sofia
 * takes it; ptx_validate (src/validate.c) answers it with 400.
 */
issize_t
mclass_request_d(su_home_t *home, msg_header_t *h, char *s, isize_t slen)
{
	sip_request_t *rq = (sip_request_t *)h;
	char *uri, *version;
	sip_method_t m;

	(void)home;
	firstline_repair(h, s, slen);
	if (msg_firstline_d(s, &uri, &version) < 0 || uri == NULL ||
	    version == NULL)
		return -1;
	if ((m = mclass_method(s, &rq->rq_method_name)) == sip_method_invalid)
		return -1;
	rq->rq_method = m;
	if (url_d(rq->rq_url, uri) < 0 ||
	    sip_version_d(&version, &rq->rq_version) < 0 || *version != '\0')
		return -1;
	h->sh_common->h_class = sip_request_class;
	return 0;
}

/*
 * sip_cseq_d() with the method decoded by mclass_method().  As in Sofia,
 * the method ends at whitespace and anything after it is ignored: being
 * stricter here would turn requests Sofia has always taken into 400s.
 */
issize_t
mclass_cseq_d(su_home_t *home, msg_header_t *h, char *s, isize_t slen)
{
	sip_cseq_t *cs = (sip_cseq_t *)h;
	sip_method_t m;

	(void)home;
	(void)slen;
	if (msg_uint32_d(&s, &cs->cs_seq) < 0 || *s == '\0')
		return -1;
	s[strcspn(s, " \t\r\n")] = '\0';
	if ((m = mclass_method(s, &cs->cs_method_name)) == sip_method_invalid)
		return -1;
	cs->cs_method = m;
	h->sh_common->h_class = sip_cseq_class;
	return 0;
}

sip_request_t *
mclass_request_create(su_home_t *home, sip_method_t method, const char *name,
    url_string_t const *uri)
{
	sip_request_t *rq;

	if (method == sip_method_unknown && (name = su_strdup(home, name)) ==
	    NULL)
		return NULL;
	if ((rq = sip_request_create(home, method, name, uri, NULL)) != NULL)
		rq->rq_method = method;
	return rq;
}

/*
 * The request line has a slot of its own (mc_request), looked up by
 * position when parsing and by hash value when a header is added; our
 * copy has Sofia's hash, so replacing the slot is all it takes.
 *
 * CSeq sits in the hash table, looked up two ways.  Parsing finds a header
 * by name: it walks the probe chain from the name's hash and stops at the
 * first entry of that name.  Adding a header to a message (a response
 * copies CSeq from its request; nta makes CSeq for requests it sends)
 * finds it by class pointer (msg_hclass_offset()) along the same chain.
 * So our copy takes Sofia's slot, where parsing finds it first, and
 * Sofia's class goes back in as a second entry further down the chain,
 * pointing at the same sip_cseq field, where adding finds it.  Parsed
 * headers carry Sofia's class (see the decoders), so our copy is never
 * looked up by class.
 */
int
mclass_create(msg_mclass_t **mc_out)
{
	msg_mclass_t *mc;
	msg_href_t sofia_cseq;
	int i;

	*mc_out = NULL;
	*request_class = *sip_request_class;
	request_class->hc_parse = mclass_request_d;
	*cseq_class = *sip_cseq_class;
	cseq_class->hc_parse = mclass_cseq_d;

	if ((mc = msg_mclass_clone(sip_default_mclass(), 0, 0)) == NULL)
		return ENOMEM;
	mc->mc_request->hr_class = request_class;
	for (i = 0; i < mc->mc_hash_size; i++)
		if (mc->mc_hash[i].hr_class == sip_cseq_class)
			break;
	if (i == mc->mc_hash_size) {
		free(mc);
		return ENOENT;
	}
	sofia_cseq = mc->mc_hash[i];
	mc->mc_hash[i].hr_class = cseq_class;
	if (msg_mclass_insert(mc, &sofia_cseq) < 0) {	/* table full */
		free(mc);
		return ENOMEM;
	}
	*mc_out = mc;
	return 0;
}

/* msg_mclass_clone() allocates the class in one malloc() block. */
void
mclass_free(msg_mclass_t *mc)
{
	free(mc);
}
