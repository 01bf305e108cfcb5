/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_sipauth.c: the MS-SIPAE protocol functions against the
 * captured and derived vectors (tests/data/sipauth/), both from raw field
 * strings and from SIP messages parsed by Sofia, plus header parsing,
 * formatting, epid UUIDs and the codecs.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/wait.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_alloc.h>

#include "sipauth/sipauth.h"
#include "tests/unit/unit.h"

#define MAXLINES	64

/* One signature-string vector of sigstr.txt. */
struct vec {
	char	 name[64];
	int	 version;
	char	*lines[MAXLINES];	/* message lines, without CRLF */
	size_t	 nlines;
	char	*text;			/* the message, CRLF-separated */
	size_t	 textlen;
	char	*expect;
};

static struct vec vecs[16];
static size_t nvecs;

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

static FILE *
open_data(const char *name)
{
	char path[4096];

	(void)snprintf(path, sizeof(path), "%s/sipauth/%s", unit_datadir(),
	    name);
	return fopen(path, "r");
}

static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* Read sigstr.txt: name, version, msg ... end, expect. */
static int
load_vectors(void)
{
	char line[8192];
	struct vec *v = NULL;
	FILE *f;
	int in_msg = 0;
	size_t i, len;

	if ((f = open_data("sigstr.txt")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		chomp(line);
		if (in_msg) {
			if (strcmp(line, "end") == 0) {
				in_msg = 0;
				continue;
			}
			if (v->nlines == MAXLINES)
				return -1;
			v->lines[v->nlines++] = xstrdup(line);
		} else if (strncmp(line, "name ", 5) == 0) {
			if (nvecs == sizeof(vecs) / sizeof(vecs[0]))
				return -1;
			v = &vecs[nvecs++];
			(void)snprintf(v->name, sizeof(v->name), "%.60s",
			    line + 5);
		} else if (v != NULL && strncmp(line, "version ", 8) == 0)
			v->version = atoi(line + 8);
		else if (v != NULL && strcmp(line, "msg") == 0)
			in_msg = 1;
		else if (v != NULL && strncmp(line, "expect ", 7) == 0)
			v->expect = xstrdup(line + 7);
	}
	fclose(f);
	for (v = vecs; v < vecs + nvecs; v++) {
		for (len = 2, i = 0; i < v->nlines; i++)
			len += strlen(v->lines[i]) + 2;
		if ((v->text = malloc(len + 1)) == NULL)
			return -1;
		v->text[0] = '\0';
		for (i = 0; i < v->nlines; i++) {
			strcat(v->text, v->lines[i]);
			strcat(v->text, "\r\n");
		}
		strcat(v->text, "\r\n");
		v->textlen = strlen(v->text);
		if (v->expect == NULL)
			return -1;
	}
	return nvecs >= 11 ? 0 : -1;
}

static int
sigstr_init(void)
{
	return load_vectors();
}

static int
sigstr_clean(void)
{
	size_t i, j;

	for (i = 0; i < nvecs; i++) {
		for (j = 0; j < vecs[i].nlines; j++)
			free(vecs[i].lines[j]);
		free(vecs[i].text);
		free(vecs[i].expect);
	}
	memset(vecs, 0, sizeof(vecs));
	nvecs = 0;
	return 0;
}

/* A header value by name from the message lines (first occurrence), by
 * plain text scanning: no Sofia involved. */
static struct sipauth_str
raw_header(const struct vec *v, const char *name)
{
	struct sipauth_str r = { NULL, 0 };
	size_t i, n = strlen(name);
	const char *p;

	for (i = 1; i < v->nlines; i++) {
		p = v->lines[i];
		if (strncasecmp(p, name, n) != 0 || p[n] != ':')
			continue;
		for (p += n + 1; *p == ' ' || *p == '\t'; p++)
			;
		r.ptr = p;
		r.len = strlen(p);
		return r;
	}
	return r;
}

/* Scheme, rand, num, realm, targetname from the message's own signature:
 * Authentication-Info for a server-signed message, else the credential. */
static void
auth_fields(struct sipauth_sigfields *f, struct sipauth_str ai,
    struct sipauth_str cr, enum sipauth_family fam)
{
	struct sipauth_info in;
	struct sipauth_cred c;

	if (ai.ptr != NULL) {
		if (sipauth_parse_info(ai.ptr, ai.len, SIPAUTH_WWW, &in) != 0)
			fprintf(stderr, "\nbad info: %.*s\n", (int)ai.len,
			    ai.ptr);
		CU_ASSERT_EQUAL_FATAL(sipauth_parse_info(ai.ptr, ai.len,
		    SIPAUTH_WWW, &in), 0);
		f->scheme = in.scheme_tok;
		f->rand = in.srand;
		f->num = in.snum;
		f->realm = in.realm;
		f->targetname = in.targetname;
	} else {
		CU_ASSERT_PTR_NOT_NULL_FATAL(cr.ptr);
		CU_ASSERT_EQUAL_FATAL(sipauth_parse_cred(cr.ptr, cr.len, fam,
		    &c), 0);
		f->scheme = c.scheme_tok;
		f->rand = c.crand;
		f->num = c.cnum;
		f->realm = c.realm;
		f->targetname = c.targetname;
	}
}

static void
check_string(const struct vec *v, const struct sipauth_sigfields *f)
{
	char *s = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(sipauth_sigstr(NULL, f, &s, &len), 0);
	CU_ASSERT_EQUAL(len, strlen(v->expect));
	CU_ASSERT_STRING_EQUAL(s, v->expect);
	if (strcmp(s, v->expect) != 0)
		fprintf(stderr, "\n%s:\n got    %s\n expect %s\n", v->name, s,
		    v->expect);
	su_free(NULL, s);
}

/* The same vector through sipauth_sigstr_msg, as sipsad and the client
 * build it: the signer's part of f, the rest from the message. */
static void
check_msg_string(const struct vec *v, su_home_t *home, const sip_t *sip,
    const struct sipauth_sigfields *f)
{
	struct sipauth_sigparams p;
	const char *name;
	char *s = NULL;
	size_t len = 0;

	memset(&p, 0, sizeof(p));
	for (p.scheme = SIPAUTH_NTLM; p.scheme < SIPAUTH_OTHER; p.scheme++) {
		name = sipauth_scheme_name(p.scheme);
		if (strlen(name) == f->scheme.len &&
		    strncmp(name, f->scheme.ptr, f->scheme.len) == 0)
			break;
	}
	p.version = f->version;
	p.rand = f->rand;
	p.num = f->num;
	p.realm = f->realm;
	p.targetname = f->targetname;
	CU_ASSERT_EQUAL_FATAL(sipauth_sigstr_msg(home, sip, &p, &s, &len), 0);
	CU_ASSERT_EQUAL(len, strlen(v->expect));
	CU_ASSERT_STRING_EQUAL(s, v->expect);
}

/* Every vector from raw field strings cut out of the text by hand. */
static void
test_sigstr_raw_fields(void)
{
	struct sipauth_sigfields f;
	struct sipauth_str cseq, cr;
	const struct vec *v;
	const char *sp;

	for (v = vecs; v < vecs + nvecs; v++) {
		memset(&f, 0, sizeof(f));
		f.version = v->version;
		cr = raw_header(v, "Authorization");
		if (cr.ptr == NULL)
			cr = raw_header(v, "Proxy-Authorization");
		auth_fields(&f, raw_header(v, "Authentication-Info"), cr,
		    SIPAUTH_WWW);
		f.call_id = raw_header(v, "Call-ID");
		f.from = raw_header(v, "From");
		f.to = raw_header(v, "To");
		f.pai = raw_header(v, "P-Asserted-Identity");
		f.ppi = raw_header(v, "P-Preferred-Identity");
		f.expires = raw_header(v, "Expires");
		cseq = raw_header(v, "CSeq");
		CU_ASSERT_PTR_NOT_NULL_FATAL(cseq.ptr);
		sp = strchr(cseq.ptr, ' ');
		CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
		f.cseq_num.ptr = cseq.ptr;
		f.cseq_num.len = (size_t)(sp - cseq.ptr);
		if (strncmp(v->lines[0], "SIP/2.0 ", 8) == 0) {
			f.status = atoi(v->lines[0] + 8);
			f.method = sipauth_s(sp + 1);
		} else {
			f.method.ptr = v->lines[0];
			f.method.len = strcspn(v->lines[0], " ");
		}
		check_string(v, &f);
	}
}

/* Every vector from the message parsed by Sofia, by the fields and by
 * sipauth_sigstr_msg; flags 0 exercises the path where Sofia's encoding
 * stands for the wire text. */
static void
sigstr_from_sofia(int flags)
{
	struct sipauth_sigfields f;
	struct sipauth_cred c;
	struct sipauth_str ai;
	const struct vec *v;
	su_home_t *home;
	char *fqdn, *realm;
	msg_t *msg;
	sip_t *sip;

	for (v = vecs; v < vecs + nvecs; v++) {
		home = su_home_new(sizeof(*home));
		CU_ASSERT_PTR_NOT_NULL_FATAL(home);
		msg = msg_make(sip_default_mclass(), flags, v->text,
		    (isize_t)v->textlen);
		CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
		sip = sip_object(msg);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sip);
		CU_ASSERT_FALSE(msg_has_error(msg));
		memset(&f, 0, sizeof(f));
		CU_ASSERT_EQUAL_FATAL(sipauth_sigfields_from_msg(home, sip,
		    &f), 0);
		f.version = v->version;
		if (sip->sip_authentication_info != NULL) {
			CU_ASSERT_EQUAL_FATAL(sipauth_hdr_value(home,
			    (sip_header_t *)sip->sip_authentication_info,
			    &ai), 0);
			auth_fields(&f, ai, ai, SIPAUTH_WWW);
		} else {
			/* Client-signed: the pick must find it by realm and
			 * FQDN, whichever header name the client used. */
			auth_fields(&f, (struct sipauth_str){ NULL, 0 },
			    raw_header(v, sip->sip_authorization != NULL ?
			    "Authorization" : "Proxy-Authorization"),
			    SIPAUTH_WWW);
			realm = su_strndup(home, f.realm.ptr, f.realm.len);
			fqdn = su_strndup(home, f.targetname.ptr,
			    f.targetname.len);
			if (strncmp(fqdn, "sip/", 4) == 0)
				fqdn += 4;
			CU_ASSERT_EQUAL_FATAL(sipauth_pick_cred(home, sip,
			    realm, fqdn, &c), 0);
			CU_ASSERT_EQUAL(c.family, sip->sip_authorization ?
			    SIPAUTH_WWW : SIPAUTH_PROXY);
			f.rand = c.crand;
			f.num = c.cnum;
		}
		check_string(v, &f);
		check_msg_string(v, home, sip, &f);
		msg_destroy(msg);
		su_home_unref(home);
	}
}

static void
test_sigstr_sofia_wire(void)
{
	sigstr_from_sofia(MSG_FLG_EXTRACT_COPY);
}

static void
test_sigstr_sofia_encoded(void)
{
	sigstr_from_sofia(0);
}


/* A message built with Sofia (no wire text yet): the string must use what
 * Sofia will print, here with PAI sip and tel URIs and no Expires. */
static void
test_sigstr_built_message(void)
{
	static const char expect[] = "<NTLM><2C3D4E5F><2>"
	    "<SIP Communications Service><srv.example.com><callid-1><7>"
	    "<BENOTIFY><sip:alice@example.com><f1><sip:bob@example.com><t1>"
	    "<sip:alice@example.com><tel:+15551234;ext=1><>";
	su_home_t *home = su_home_new(sizeof(*home));
	struct sipauth_sigfields f;
	struct sipauth_sigparams p;
	msg_t *msg;
	sip_t *sip;
	char *s;
	size_t len;

	msg = msg_create(sip_default_mclass(), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	sip = sip_object(msg);
	CU_ASSERT_EQUAL_FATAL(sip_add_tl(msg, sip,
	    SIPTAG_REQUEST_STR("BENOTIFY sip:bob@192.0.2.7 SIP/2.0"),
	    SIPTAG_FROM_STR("\"Alice\" <sip:alice@example.com>;tag=f1"),
	    SIPTAG_TO_STR("<sip:bob@example.com>;tag=t1;epid=01010101"),
	    SIPTAG_CALL_ID_STR("callid-1"),
	    SIPTAG_CSEQ_STR("7 BENOTIFY"),
	    SIPTAG_HEADER_STR("P-Asserted-Identity: <sip:alice@example.com>, "
	    "<tel:+15551234;ext=1>"),
	    TAG_END()), 0);
	memset(&f, 0, sizeof(f));
	CU_ASSERT_EQUAL_FATAL(sipauth_sigfields_from_msg(home, sip, &f), 0);
	f.version = 4;
	f.scheme = sipauth_s("NTLM");
	f.rand = sipauth_s("2C3D4E5F");
	f.num = sipauth_s("2");
	f.realm = sipauth_s("SIP Communications Service");
	f.targetname = sipauth_s("srv.example.com");
	CU_ASSERT_EQUAL_FATAL(sipauth_sigstr(home, &f, &s, &len), 0);
	CU_ASSERT_STRING_EQUAL(s, expect);
	CU_ASSERT_EQUAL(len, sizeof(expect) - 1);
	memset(&p, 0, sizeof(p));
	p.version = 4;
	p.scheme = SIPAUTH_NTLM;
	p.rand = f.rand;
	p.num = f.num;
	p.realm = f.realm;
	p.targetname = f.targetname;
	CU_ASSERT_EQUAL_FATAL(sipauth_sigstr_msg(home, sip, &p, &s, &len), 0);
	CU_ASSERT_STRING_EQUAL(s, expect);
	CU_ASSERT_EQUAL(len, sizeof(expect) - 1);
	msg_destroy(msg);
	su_home_unref(home);
}

/* The extraction rules one by one on raw fields. */
static void
test_sigstr_rules(void)
{
	struct sipauth_sigfields f;
	char *s;

	memset(&f, 0, sizeof(f));
	f.version = 3;
	f.scheme = sipauth_s("Kerberos");
	f.call_id = sipauth_s("c");
	f.cseq_num = sipauth_s("1");
	f.method = sipauth_s("INVITE");
	/* No angle brackets: up to the first ';'; a tag at the end. */
	f.from = sipauth_s("sip:a@b;tag=x1");
	/* Tag followed by another parameter; URI parameters kept. */
	f.to = sipauth_s("\"B\" <sip:b@c;transport=tls>;tag=y2;epid=e");
	/* No PAI: P-Preferred-Identity is used; tel: alone is the whole
	 * value. */
	f.ppi = sipauth_s("tel:+1555");
	f.status = 183;
	CU_ASSERT_EQUAL_FATAL(sipauth_sigstr(NULL, &f, &s, NULL), 0);
	CU_ASSERT_STRING_EQUAL(s, "<Kerberos><><><><><c><1><INVITE><sip:a@b>"
	    "<x1><sip:b@c;transport=tls><y2><><tel:+1555><><183>");
	su_free(NULL, s);
	/* PAI wins over PPI; "Lunch, Lucas" splits, both URIs are found. */
	f.pai = sipauth_s("\"Lunch, Lucas\" <sip:llucas@cisco.com>,"
	    "<tel:+420123456;ext=88463>");
	f.version = 2;
	CU_ASSERT_EQUAL_FATAL(sipauth_sigstr(NULL, &f, &s, NULL), 0);
	CU_ASSERT_STRING_EQUAL(s, "<Kerberos><><><><><c><1><INVITE><sip:a@b>"
	    "<x1><y2><><183>");
	su_free(NULL, s);
	f.version = 4;
	CU_ASSERT_EQUAL_FATAL(sipauth_sigstr(NULL, &f, &s, NULL), 0);
	CU_ASSERT_STRING_EQUAL(s, "<Kerberos><><><><><c><1><INVITE><sip:a@b>"
	    "<x1><sip:b@c;transport=tls><y2><sip:llucas@cisco.com>"
	    "<tel:+420123456;ext=88463><><183>");
	su_free(NULL, s);
	f.status = 99;
	CU_ASSERT_EQUAL(sipauth_sigstr(NULL, &f, &s, NULL), EINVAL);
	CU_ASSERT_PTR_NULL(s);
	f.status = 0;
	f.scheme.ptr = NULL;
	CU_ASSERT_EQUAL(sipauth_sigstr(NULL, &f, &s, NULL), EINVAL);
}

/* Messages missing what the string needs are refused; one with just that
 * (no Expires, no To tag) gives a string. */
static void
test_sigstr_incomplete_message(void)
{
	static const char text[] = "OPTIONS sip:x SIP/2.0\r\n"
	    "From: <sip:a@b>;tag=1\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n";
	static const char text2[] = "OPTIONS sip:x SIP/2.0\r\n"
	    "From: <sip:a@b>;tag=1\r\nTo: <sip:x@y>\r\nCall-ID: c\r\n"
	    "CSeq: 1 OPTIONS\r\n\r\n";
	su_home_t *home = su_home_new(sizeof(*home));
	struct sipauth_sigfields f;
	struct sipauth_sigparams p;
	msg_t *msg;
	char mark[1], *s = mark;	/* must come back NULL on failure */

	msg = msg_make(sip_default_mclass(), MSG_FLG_EXTRACT_COPY, text,
	    sizeof(text) - 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_EQUAL(sipauth_sigfields_from_msg(home, sip_object(msg), &f),
	    EBADMSG);
	CU_ASSERT_EQUAL(sipauth_sigfields_from_msg(home, NULL, &f), EBADMSG);
	/* The same through sipauth_sigstr_msg, which also wants a scheme
	   with a name. */
	memset(&p, 0, sizeof(p));
	p.version = 4;
	p.scheme = SIPAUTH_NTLM;
	CU_ASSERT_EQUAL(sipauth_sigstr_msg(home, sip_object(msg), &p, &s,
	    NULL), EBADMSG);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL(sipauth_sigstr_msg(home, NULL, &p, &s, NULL),
	    EBADMSG);
	msg_destroy(msg);
	msg = msg_make(sip_default_mclass(), MSG_FLG_EXTRACT_COPY, text2,
	    sizeof(text2) - 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_EQUAL_FATAL(sipauth_sigstr_msg(home, sip_object(msg), &p,
	    &s, NULL), 0);
	CU_ASSERT_STRING_EQUAL(s, "<NTLM><><><><><c><1><OPTIONS><sip:a@b>"
	    "<1><sip:x@y><><><><>");
	p.scheme = SIPAUTH_OTHER;
	CU_ASSERT_EQUAL(sipauth_sigstr_msg(home, sip_object(msg), &p, &s,
	    NULL), EINVAL);
	CU_ASSERT_PTR_NULL(s);
	msg_destroy(msg);
	su_home_unref(home);
}

/* Header vectors: headers.txt. */

union parsed {
	struct sipauth_cred		cred;
	struct sipauth_challenge	chal;
	struct sipauth_info		info;
};

struct field {
	const char	*name;
	size_t		 cred, chal, info;	/* offsets; 0: not in kind */
};

#define OFF(t, m)	offsetof(struct t, m)
static const struct field fields[] = {
	{ "realm", OFF(sipauth_cred, realm), OFF(sipauth_challenge, realm),
	    OFF(sipauth_info, realm) },
	{ "targetname", OFF(sipauth_cred, targetname),
	    OFF(sipauth_challenge, targetname), OFF(sipauth_info, targetname) },
	{ "opaque", OFF(sipauth_cred, opaque), OFF(sipauth_challenge, opaque),
	    OFF(sipauth_info, opaque) },
	{ "gssapi-data", OFF(sipauth_cred, gssapi_data),
	    OFF(sipauth_challenge, gssapi_data), 0 },
	{ "qop", OFF(sipauth_cred, qop), OFF(sipauth_challenge, qop),
	    OFF(sipauth_info, qop) },
	{ "sts-uri", 0, OFF(sipauth_challenge, sts_uri), 0 },
	{ "crand", OFF(sipauth_cred, crand), 0, 0 },
	{ "cnum", OFF(sipauth_cred, cnum), 0, 0 },
	{ "response", OFF(sipauth_cred, response), 0, 0 },
	{ "rspauth", 0, 0, OFF(sipauth_info, rspauth) },
	{ "srand", 0, 0, OFF(sipauth_info, srand) },
	{ "snum", 0, 0, OFF(sipauth_info, snum) },
};

static int
parse_kind(const char *kind, const char *s, size_t len, union parsed *u)
{
	if (strcmp(kind, "cred") == 0)
		return sipauth_parse_cred(s, len, SIPAUTH_PROXY, &u->cred);
	if (strcmp(kind, "chal") == 0)
		return sipauth_parse_challenge(s, len, SIPAUTH_PROXY,
		    &u->chal);
	return sipauth_parse_info(s, len, SIPAUTH_PROXY, &u->info);
}

static void
check_field(const char *kind, const union parsed *u, const char *name,
    const char *want)
{
	const struct sipauth_str *v = NULL;
	const struct field *fl;
	size_t off;
	int version;

	if (strcmp(name, "version") == 0 || strcmp(name, "scheme") == 0) {
		version = kind[1] == 'r' ? u->cred.version : kind[1] == 'h' ?
		    u->chal.version : u->info.version;
		if (name[0] == 'v') {
			CU_ASSERT_EQUAL(version, atoi(want));
			return;
		}
		/* The three structs share the leading scheme members. */
		v = kind[1] == 'r' ? &u->cred.scheme_tok : kind[1] == 'h' ?
		    &u->chal.scheme_tok : &u->info.scheme_tok;
		CU_ASSERT(v->len == strlen(want) &&
		    strncasecmp(v->ptr, want, v->len) == 0);
		CU_ASSERT_EQUAL(kind[1] == 'r' ? u->cred.scheme : kind[1] ==
		    'h' ? u->chal.scheme : u->info.scheme,
		    strcmp(want, "NTLM") == 0 ? SIPAUTH_NTLM :
		    strcmp(want, "Kerberos") == 0 ? SIPAUTH_KERBEROS :
		    strcmp(want, "TLS-DSK") == 0 ? SIPAUTH_TLS_DSK :
		    SIPAUTH_OTHER);
		return;
	}
	for (fl = fields; fl < fields + sizeof(fields) / sizeof(fields[0]);
	    fl++) {
		if (strcmp(fl->name, name) != 0)
			continue;
		off = kind[1] == 'r' ? fl->cred : kind[1] == 'h' ? fl->chal :
		    fl->info;
		CU_ASSERT_FATAL(off != 0);
		v = (const struct sipauth_str *)((const char *)u + off);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	if (strcmp(want, "=absent") == 0)
		CU_ASSERT_PTR_NULL(v->ptr)
	else if (strcmp(want, "=empty") == 0)
		CU_ASSERT(v->ptr != NULL && v->len == 0)
	else {
		CU_ASSERT(v->ptr != NULL && v->len == strlen(want) &&
		    memcmp(v->ptr, want, v->len) == 0);
		if (strcmp(name, "cnum") == 0)
			CU_ASSERT_EQUAL(u->cred.cnum_val,
			    (uint32_t)strtoul(want, NULL, 10));
		if (strcmp(name, "snum") == 0)
			CU_ASSERT_EQUAL(u->info.snum_val,
			    (uint32_t)strtoul(want, NULL, 10));
	}
}

static void
test_hdr_vectors(void)
{
	char line[4096], kind[8] = "", *sp, *cur = NULL;
	union parsed u;
	int ok = 0, nparse = 0, nbad = 0;
	size_t len;
	FILE *f;

	f = open_data("headers.txt");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		chomp(line);
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "  ", 2) == 0) {
			CU_ASSERT_FATAL(ok);
			sp = strchr(line + 2, ' ');
			CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
			*sp = '\0';
			check_field(kind, &u, line + 2, sp + 1);
			continue;
		}
		/*
		 * "parse|bad <kind>[ <value>]".  The value goes into a heap
		 * block of exactly its length (no NUL), so a read past the
		 * end shows under valgrind; it lives until the next block.
		 */
		CU_ASSERT_FATAL(strlen(line) >= 8);
		memcpy(kind, line + (line[0] == 'p' ? 6 : 4), 4);
		kind[4] = '\0';
		sp = line + (line[0] == 'p' ? 10 : 8);
		len = *sp == ' ' ? strlen(sp + 1) : 0;
		free(cur);
		cur = malloc(len > 0 ? len : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cur);
		if (len > 0)
			memcpy(cur, sp + 1, len);
		ok = parse_kind(kind, cur, len, &u) == 0;
		if (line[0] == 'p') {
			nparse++;
			CU_ASSERT(ok);
			if (!ok)
				fprintf(stderr, "\nrejected: %s\n", line);
		} else {
			nbad++;
			CU_ASSERT(!ok);
			if (ok)
				fprintf(stderr, "\naccepted: %s\n", line);
			/* The output is cleared on failure. */
			CU_ASSERT_PTR_NULL(u.cred.scheme_tok.ptr);
			ok = 0;
		}
	}
	free(cur);
	fclose(f);
	CU_ASSERT(nparse >= 20);
	CU_ASSERT(nbad >= 25);
}

/* Size limits: 10 KB in an ordinary parameter is refused, a large
 * gssapi-data (Kerberos with a PAC) is not; nothing reads past len. */
static void
test_hdr_limits(void)
{
	struct sipauth_cred c;
	size_t n = 10240, len;
	char *buf;

	buf = malloc(n + 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	/* CUnit's longjmp is not noreturn: gcc -fsanitize then warns. */
	if (buf == NULL)
		return;
	len = (size_t)sprintf(buf, "NTLM realm=\"");
	memset(buf + len, 'r', n);
	len += n;
	len += (size_t)sprintf(buf + len, "\", targetname=\"t\"");
	CU_ASSERT_EQUAL(sipauth_parse_cred(buf, len, SIPAUTH_WWW, &c),
	    EBADMSG);
	len = (size_t)sprintf(buf, "Kerberos gssapi-data=\"");
	memset(buf + len, 'A', n);
	len += n;
	len += (size_t)sprintf(buf + len, "\", realm=\"r\"");
	CU_ASSERT_EQUAL(sipauth_parse_cred(buf, len, SIPAUTH_WWW, &c), 0);
	CU_ASSERT_EQUAL(c.gssapi_data.len, n);
	/* A length that stops inside a value: unterminated there. */
	CU_ASSERT_EQUAL(sipauth_parse_cred(buf, len - 3, SIPAUTH_WWW, &c),
	    EBADMSG);
	/* A length that stops right after a closing quote is fine. */
	CU_ASSERT_EQUAL(sipauth_parse_cred(buf, len - 11, SIPAUTH_WWW, &c),
	    0);
	CU_ASSERT_PTR_NULL(c.realm.ptr);
	free(buf);
	CU_ASSERT_EQUAL(sipauth_parse_cred(NULL, 0, SIPAUTH_WWW, &c), EINVAL);
}

/* `NTLM name="<n times fill>"` parsed as kind. */
static int
parse_filled(const char *kind, const char *name, char fill, size_t n)
{
	union parsed u;
	size_t len;
	char *buf;
	int rc;

	buf = malloc(n + 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	len = (size_t)sprintf(buf, "NTLM %s=\"", name);
	memset(buf + len, fill, n);
	len += n;
	buf[len++] = '"';
	rc = parse_kind(kind, buf, len, &u);
	free(buf);
	return rc;
}

/* The bounds to the byte: 1 KiB for a known parameter, 64 KiB for
 * gssapi-data and for any unknown one (the grammar's bound). */
static void
test_hdr_limit_edges(void)
{
	static const struct {
		const char	*kind, *name;
		char		 fill;
		size_t		 ok, bad;
	} e[] = {
		{ "cred", "realm", 'r', 1024, 1025 },
		{ "cred", "crand", 'a', 1024, 1025 },
		{ "cred", "response", 'a', 1024, 1026 },
		{ "cred", "gssapi-data", 'A', 65536, 65537 },
		{ "cred", "x-other", 'x', 65536, 65537 },
		{ "chal", "sts-uri", 'u', 1024, 1025 },
		{ "chal", "gssapi-data", 'A', 65536, 65537 },
		{ "info", "srand", 'F', 1024, 1025 },
		{ "info", "rspauth", 'F', 1024, 1026 },
	};
	size_t i;

	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		CU_ASSERT_EQUAL(parse_filled(e[i].kind, e[i].name, e[i].fill,
		    e[i].ok), 0);
		CU_ASSERT_EQUAL(parse_filled(e[i].kind, e[i].name, e[i].fill,
		    e[i].bad), EBADMSG);
	}
}

/* Formatter outputs, byte for byte, and parse(format(x)) == x. */
static void
test_format_exact(void)
{
	struct sipauth_challenge ch;
	struct sipauth_info in;
	struct sipauth_cred c, c2;
	char *s;

	memset(&ch, 0, sizeof(ch));
	ch.scheme = SIPAUTH_NTLM;
	ch.realm = sipauth_s("SIP Communications Service");
	ch.targetname = sipauth_s("proxy.example.test");
	ch.version = 4;
	CU_ASSERT_EQUAL_FATAL(sipauth_format_challenge(NULL, &ch, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "NTLM realm=\"SIP Communications Service\", "
	    "targetname=\"proxy.example.test\", version=4");
	su_free(NULL, s);
	ch.opaque = sipauth_s("7A1FFDC6");
	ch.gssapi_data = sipauth_s("TlRMTVNTUAACAAAA");
	CU_ASSERT_EQUAL_FATAL(sipauth_format_challenge(NULL, &ch, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "NTLM opaque=\"7A1FFDC6\", "
	    "gssapi-data=\"TlRMTVNTUAACAAAA\", "
	    "targetname=\"proxy.example.test\", "
	    "realm=\"SIP Communications Service\", version=4");
	su_free(NULL, s);
	ch.scheme = SIPAUTH_KERBEROS;
	ch.opaque.ptr = ch.gssapi_data.ptr = NULL;
	ch.targetname = sipauth_s("sip/proxy.example.test");
	CU_ASSERT_EQUAL_FATAL(sipauth_format_challenge(NULL, &ch, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "Kerberos realm=\"SIP Communications "
	    "Service\", targetname=\"sip/proxy.example.test\", version=4");
	su_free(NULL, s);

	/* The Authentication-Info of sipe-client.md §3, plus version. */
	memset(&in, 0, sizeof(in));
	in.scheme = SIPAUTH_NTLM;
	in.rspauth = sipauth_s("010000006769E161616C684A64000000");
	in.srand = sipauth_s("45338290");
	in.snum_val = 1;
	in.opaque = sipauth_s("7A1FFDC6");
	in.targetname = sipauth_s("proxy.example.test");
	in.realm = sipauth_s("SIP Communications Service");
	in.version = 4;
	CU_ASSERT_EQUAL_FATAL(sipauth_format_info(NULL, &in, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "NTLM rspauth=\"010000006769E161616C684A"
	    "64000000\", srand=\"45338290\", snum=\"1\", opaque=\"7A1FFDC6\", "
	    "qop=\"auth\", targetname=\"proxy.example.test\", realm=\"SIP "
	    "Communications Service\", version=4");
	su_free(NULL, s);

	/* The client's leg 1 and signed AUTHENTICATE of sipe-client.md §3. */
	memset(&c, 0, sizeof(c));
	c.scheme = SIPAUTH_NTLM;
	c.realm = sipauth_s("SIP Communications Service");
	c.targetname = sipauth_s("proxy.example.test");
	c.gssapi_data = sipauth_s("");
	c.version = 4;
	CU_ASSERT_EQUAL_FATAL(sipauth_format_cred(NULL, &c, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "NTLM qop=\"auth\", realm=\"SIP "
	    "Communications Service\", targetname=\"proxy.example.test\", "
	    "gssapi-data=\"\", version=4");
	su_free(NULL, s);
	c.opaque = sipauth_s("7A1FFDC6");
	c.gssapi_data = sipauth_s("TlRMTVNTUAADAAAA");
	c.crand = sipauth_s("94691157");
	c.cnum_val = 1;
	c.response = sipauth_s("010000003E81E6C73DC5884B64000000");
	CU_ASSERT_EQUAL_FATAL(sipauth_format_cred(NULL, &c, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "NTLM qop=\"auth\", opaque=\"7A1FFDC6\", "
	    "realm=\"SIP Communications Service\", targetname=\"proxy.example."
	    "test\", gssapi-data=\"TlRMTVNTUAADAAAA\", version=4, crand=\""
	    "94691157\", cnum=\"1\", response=\"010000003E81E6C73DC5884B640"
	    "00000\"");
	CU_ASSERT_EQUAL_FATAL(sipauth_parse_cred(s, strlen(s), SIPAUTH_WWW,
	    &c2), 0);
	CU_ASSERT_EQUAL(c2.cnum_val, 1);
	CU_ASSERT_EQUAL(c2.version, 4);
	CU_ASSERT(c2.crand.len == 8 && memcmp(c2.crand.ptr, "94691157", 8) ==
	    0);
	su_free(NULL, s);

	/* Values that cannot be quoted, missing realm, unknown scheme. */
	c.realm = sipauth_s("a\"b");
	CU_ASSERT_EQUAL(sipauth_format_cred(NULL, &c, &s), EINVAL);
	CU_ASSERT_PTR_NULL(s);
	c.realm = sipauth_s("a\r\nX: y");
	CU_ASSERT_EQUAL(sipauth_format_cred(NULL, &c, &s), EINVAL);
	c.realm.ptr = NULL;
	CU_ASSERT_EQUAL(sipauth_format_cred(NULL, &c, &s), EINVAL);
	in.scheme = SIPAUTH_OTHER;
	CU_ASSERT_EQUAL(sipauth_format_info(NULL, &in, &s), EINVAL);
	CU_ASSERT_STRING_EQUAL(sipauth_scheme_name(SIPAUTH_TLS_DSK),
	    "TLS-DSK");
}

/* Picking our credential among several headers of one message. */
static void
test_pick(void)
{
	static const char head[] = "REGISTER sip:example.test SIP/2.0\r\n"
	    "From: <sip:u@example.test>;tag=1;epid=01010101\r\n"
	    "To: <sip:u@example.test>\r\nCall-ID: c\r\nCSeq: 2 REGISTER\r\n";
	static const struct {
		const char	*hdrs;
		int		 want;
		const char	*crand;
	} cases[] = {
		/* Another SA's header first, then ours as Proxy-. */
		{ "Authorization: NTLM realm=\"Other\", targetname=\"x.test\", "
		  "crand=\"11111111\", cnum=\"1\", response=\"00\"\r\n"
		  "Proxy-Authorization: NTLM qop=\"auth\", realm=\"SIP "
		  "Communications Service\", "
		  "targetname=\"PROXY.example.test\", "
		  "crand=\"22222222\", cnum=\"2\", response=\"01\"\r\n",
		  0, "22222222" },
		/* Kerberos needs "sip/" + fqdn. */
		{ "Authorization: Kerberos "
		  "realm=\"SIP Communications Service\", "
		  "targetname=\"proxy.example.test\"\r\n"
		  "Authorization: Kerberos "
		  "realm=\"SIP Communications Service\", "
		  "targetname=\"sip/proxy.example.test\", crand=\"33333333\", "
		  "cnum=\"3\", response=\"02\"\r\n", 0, "33333333" },
		/* Realm is case-sensitive. */
		{ "Authorization: NTLM realm=\"sip communications service\", "
		  "targetname=\"proxy.example.test\"\r\n", ENOENT, NULL },
		{ "Authorization: TLS-DSK "
		  "realm=\"SIP Communications Service\", "
		  "targetname=\"proxy.example.test\"\r\n", ENOTSUP, NULL },
		{ "Authorization: NTLM realm=\"SIP Communications Service\", "
		  "targetname=\"proxy.example.test\", cnum=\"4294967296\"\r\n",
		  EBADMSG, NULL },
		{ "", ENOENT, NULL },
		/* Sofia refuses these two itself; sipsa's parser decides
		 * when the wire text was kept (else the text is lost and the
		 * header counts as malformed). */
		{ "Authorization: NTLM realm=\"SIP Communications\r\n",
		  EBADMSG, NULL },
		{ "Authorization: NTLM\r\n", ENOENT, NULL },
	};
	const size_t sofia_refuses_last = sizeof(cases) / sizeof(cases[0]) - 1;
	struct sipauth_cred c;
	char text[2048];
	su_home_t *home;
	msg_t *msg;
	size_t i;
	int flags;

	for (flags = 0; flags <= MSG_FLG_EXTRACT_COPY;
	    flags += MSG_FLG_EXTRACT_COPY) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			home = su_home_new(sizeof(*home));
			(void)snprintf(text, sizeof(text), "%s%s\r\n", head,
			    cases[i].hdrs);
			msg = msg_make(sip_default_mclass(), flags, text,
			    strlen(text));
			CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
			CU_ASSERT_EQUAL(sipauth_pick_cred(home,
			    sip_object(msg), "SIP Communications Service",
			    "proxy.example.test", &c), flags == 0 &&
			    i == sofia_refuses_last ? EBADMSG : cases[i].want);
			if (cases[i].crand != NULL)
				CU_ASSERT(c.crand.len == 8 && memcmp(
				    c.crand.ptr, cases[i].crand, 8) == 0);
			msg_destroy(msg);
			su_home_unref(home);
		}
	}
}

static void
test_epid(void)
{
	static const struct {
		const char *epid, *uuid;
	} v[] = {
		{ "01010101", "4b1682a8-f968-5701-83fc-7c6741dc6697" },
		{ "8248ca9ebb", "4233fd41-093b-5fd6-b5d2-651ed55969e6" },
		{ "c8ca638a15", "34d859db-6585-5f91-a3b4-de853c15347d" },
	};
	struct sipauth_str e;
	char out[37];
	const char *h;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CU_ASSERT_EQUAL(sipauth_epid_to_uuid(v[i].epid, out), 0);
		CU_ASSERT_STRING_EQUAL(out, v[i].uuid);
	}
	CU_ASSERT_EQUAL(sipauth_epid_to_uuid("", out), EINVAL);
	CU_ASSERT_EQUAL(sipauth_epid_to_uuid(NULL, out), EINVAL);

	h = "\"User\"<sip:user@cosmo.local>;tag=3e49177a52;epid=c8ca638a15";
	CU_ASSERT_EQUAL(sipauth_epid_from_hdr(h, strlen(h), &e), 0);
	CU_ASSERT(e.len == 10 && memcmp(e.ptr, "c8ca638a15", 10) == 0);
	/* Inside the brackets or the quotes it is not the header's. */
	h = "\"a;epid=1\" <sip:u@d;epid=2>;EPID=3102EB8BD1;tag=7";
	CU_ASSERT_EQUAL(sipauth_epid_from_hdr(h, strlen(h), &e), 0);
	CU_ASSERT(e.len == 10 && memcmp(e.ptr, "3102EB8BD1", 10) == 0);
	h = "<sip:u@d>;tag=1";
	CU_ASSERT_EQUAL(sipauth_epid_from_hdr(h, strlen(h), &e), ENOENT);
	h = "<sip:u@d>;epid=;tag=1";
	CU_ASSERT_EQUAL(sipauth_epid_from_hdr(h, strlen(h), &e), EBADMSG);
	/* The length bounds the search. */
	h = "<sip:u@d>;epid=abc";
	CU_ASSERT_EQUAL(sipauth_epid_from_hdr(h, 12, &e), ENOENT);
	CU_ASSERT_EQUAL(sipauth_epid_from_hdr(h, 16, &e), 0);
	CU_ASSERT(e.len == 1 && e.ptr[0] == 'a');
}

static void
test_codec(void)
{
	static const uint8_t bin[] = { 0x01, 0x00, 0xab, 0xCD, 0xef, 0x64 };
	static const char *bad64[] = { "A", "AB=A", "A===", "AB?D", "AB==AB==",
	    "QUJ=", "QR==", "TQ=\n", " TQ==" };
	uint8_t out[8], *dec;
	char hex[13], *enc;
	size_t n, i;

	sipauth_hex_encode(bin, sizeof(bin), hex);
	CU_ASSERT_STRING_EQUAL(hex, "0100ABCDEF64");
	CU_ASSERT_EQUAL(sipauth_hex_decode("0100abCDef64", 12, out,
	    sizeof(out), &n), 0);
	CU_ASSERT(n == 6 && memcmp(out, bin, 6) == 0);
	CU_ASSERT_EQUAL(sipauth_hex_decode("0100ab", 5, out, 8, &n), EBADMSG);
	CU_ASSERT_EQUAL(sipauth_hex_decode("01 0", 4, out, 8, &n), EBADMSG);
	CU_ASSERT_EQUAL(sipauth_hex_decode("0g", 2, out, 8, &n), EBADMSG);
	CU_ASSERT_EQUAL(sipauth_hex_decode("0102", 4, out, 1, &n), ENOSPC);

	for (i = 0; i <= sizeof(bin); i++) {
		CU_ASSERT_EQUAL_FATAL(sipauth_b64_encode(NULL, bin, i, &enc),
		    0);
		CU_ASSERT_EQUAL(strlen(enc), (i + 2) / 3 * 4);
		CU_ASSERT_EQUAL_FATAL(sipauth_b64_decode(NULL, enc,
		    strlen(enc), &dec, &n), 0);
		CU_ASSERT(n == i && memcmp(dec, bin, i) == 0);
		su_free(NULL, enc);
		su_free(NULL, dec);
	}
	CU_ASSERT_EQUAL(sipauth_b64_encode(NULL, (const uint8_t *)"Ma", 2,
	    &enc), 0);
	CU_ASSERT_STRING_EQUAL(enc, "TWE=");
	su_free(NULL, enc);
	for (i = 0; i < sizeof(bad64) / sizeof(bad64[0]); i++) {
		CU_ASSERT_EQUAL(sipauth_b64_decode(NULL, bad64[i],
		    strlen(bad64[i]), &dec, &n), EBADMSG);
		CU_ASSERT_PTR_NULL(dec);
	}
}

/* Wire text with folding and odd blanks: SIPE joins folded lines with one
 * space and cuts the blanks around the value. */
static void
test_sigstr_folded(void)
{
	static const char text[] = "SIP/2.0 200 OK\r\n"
	    "f:   <sip:a@b.c>\r\n  ;tag=77;epid=01010101 \r\n"
	    "t: <sip:a@b.c>;tag=88\r\ni: abc\r\nCSeq:\t5\tREGISTER\r\n"
	    "Expires:   60  \r\nContent-Length: 0\r\n\r\n";
	su_home_t *home = su_home_new(sizeof(*home));
	struct sipauth_sigfields f;
	struct sipauth_str e;
	msg_t *msg;
	char *s;

	msg = msg_make(sip_default_mclass(), MSG_FLG_EXTRACT_COPY, text,
	    sizeof(text) - 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	memset(&f, 0, sizeof(f));
	CU_ASSERT_EQUAL_FATAL(sipauth_sigfields_from_msg(home,
	    sip_object(msg), &f), 0);
	CU_ASSERT(f.from.len == 33 && memcmp(f.from.ptr,
	    "<sip:a@b.c> ;tag=77;epid=01010101", 33) == 0);
	CU_ASSERT_EQUAL(sipauth_epid_from_hdr(f.from.ptr, f.from.len, &e), 0);
	CU_ASSERT(e.len == 8 && memcmp(e.ptr, "01010101", 8) == 0);
	f.version = 4;
	f.scheme = sipauth_s("NTLM");
	CU_ASSERT_EQUAL_FATAL(sipauth_sigstr(home, &f, &s, NULL), 0);
	CU_ASSERT_STRING_EQUAL(s, "<NTLM><><><><><abc><5><REGISTER>"
	    "<sip:a@b.c><77><sip:a@b.c><88><><><60><200>");
	msg_destroy(msg);
	su_home_unref(home);
}

static CU_TestInfo sigstr_tests[] = {
	{ "vectors_from_raw_fields", test_sigstr_raw_fields },
	{ "vectors_from_sofia_wire_text", test_sigstr_sofia_wire },
	{ "vectors_from_sofia_encoding", test_sigstr_sofia_encoded },
	{ "built_message", test_sigstr_built_message },
	{ "extraction_rules", test_sigstr_rules },
	{ "incomplete_message", test_sigstr_incomplete_message },
	{ "folded_and_compact_headers", test_sigstr_folded },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo hdr_tests[] = {
	{ "vectors", test_hdr_vectors },
	{ "limits", test_hdr_limits },
	{ "limit_edges", test_hdr_limit_edges },
	{ "format_exact", test_format_exact },
	{ "pick", test_pick },
	CU_TEST_INFO_NULL,
};

/*
 * sipauth_nonce: any length, across the end of its block, never zeros
 * for long, and a child process after fork() draws other bytes than its
 * parent (the block is dropped in the child).
 */
static void
test_nonce(void)
{
	unsigned char a[300], b[300], mine[16], child[16];
	int fd[2], status, zeros = 0;
	size_t i;
	pid_t pid;

	CU_ASSERT_EQUAL(sipauth_nonce(a, sizeof(a)), 0);
	CU_ASSERT_EQUAL(sipauth_nonce(b, sizeof(b)), 0);
	CU_ASSERT(memcmp(a, b, sizeof(a)) != 0);
	for (i = 0; i < sizeof(a); i++)
		zeros += a[i] == 0;
	CU_ASSERT(zeros < 16);		/* about 1.2 expected */
	CU_ASSERT_EQUAL(sipauth_nonce(a, 0), 0);
	CU_ASSERT_EQUAL(sipauth_nonce(a, 1), 0);	/* the block is begun */
	CU_ASSERT_EQUAL_FATAL(pipe(fd), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid != -1);
	if (pid == 0) {
		(void)close(fd[0]);
		_exit(sipauth_nonce(child, sizeof(child)) != 0 ||
		    write(fd[1], child, sizeof(child)) != sizeof(child));
	}
	(void)close(fd[1]);
	CU_ASSERT_EQUAL(sipauth_nonce(mine, sizeof(mine)), 0);
	CU_ASSERT_EQUAL(read(fd[0], child, sizeof(child)),
	    (ssize_t)sizeof(child));
	(void)close(fd[0]);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT(memcmp(mine, child, sizeof(mine)) != 0);
}

static CU_TestInfo misc_tests[] = {
	{ "epid", test_epid },
	{ "codec", test_codec },
	{ "nonce", test_nonce },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo sipauth_suites[] = {
	{ "sipauth_sigstr", sigstr_init, sigstr_clean, NULL, NULL,
	    sigstr_tests },
	{ "sipauth_hdr", NULL, NULL, NULL, NULL, hdr_tests },
	{ "sipauth_misc", NULL, NULL, NULL, NULL, misc_tests },
	CU_SUITE_INFO_NULL,
};
