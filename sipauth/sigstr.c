/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/sigstr.c: the signature input string of MS-SIPAE ([MS-SIPAE]
 * §3.2.5.2, [MS-SIP] §3.1.4.2, notes §4), built from the raw header values
 * with the extraction rules of the SIPE client (sipe-sign.c), so that the
 * bytes match what the peer signed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sipauth/sipauth.h"
#include "sipauth/internal.h"

static const char *
find(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; (size_t)(end - p) >= n; p++)
		if (memcmp(p, needle, n) == 0)
			return p;
	return NULL;
}

static const char *
find_char(const char *p, const char *end, char c)
{
	const void *r = memchr(p, c, (size_t)(end - p));

	return r;
}

static struct sipauth_str
slice(const char *p, const char *q)
{
	struct sipauth_str s = { p, (size_t)(q - p) };

	return s;
}

/*
 * The address of a From/To value: the text between the first '<' and the
 * next '>' (to the end when unclosed), else up to the first ';' with blanks
 * around it cut.  An absent value gives an absent slice.
 */
static struct sipauth_str
addr_uri(struct sipauth_str v)
{
	const char *p = v.ptr, *end, *q;

	if (p == NULL)
		return v;
	end = p + v.len;
	if ((q = find_char(p, end, '<')) != NULL) {
		p = q + 1;
		if ((q = find_char(p, end, '>')) == NULL)
			q = end;
		return slice(p, q);
	}
	if ((q = find_char(p, end, ';')) == NULL)
		q = end;
	while (p < q && (*p == ' ' || *p == '\t'))
		p++;
	while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	return slice(p, q);
}

/* The ";tag=" value up to the next ';' (absent when there is no tag). */
static struct sipauth_str
addr_tag(struct sipauth_str v)
{
	struct sipauth_str none = { NULL, 0 };
	const char *p, *end, *q;

	if (v.ptr == NULL)
		return none;
	end = v.ptr + v.len;
	if ((p = find(v.ptr, end, ";tag=")) == NULL)
		return none;
	p += 5;
	if ((q = find_char(p, end, ';')) == NULL)
		q = end;
	return slice(p, q);
}

/*
 * P-Asserted-Identity: a value starting with "tel:" is the tel URI as a
 * whole; else each comma-separated part contributes the text of its first
 * <...> when that starts with sip: or tel: (case-insensitive), the first of
 * each kind winning.
 */
static void
pai_uris(struct sipauth_str v, struct sipauth_str *sip,
    struct sipauth_str *tel)
{
	const char *p, *end, *part_end, *lt, *gt;

	sip->ptr = tel->ptr = NULL;
	sip->len = tel->len = 0;
	if (v.ptr == NULL)
		return;
	end = v.ptr + v.len;
	if (v.len >= 4 && strncasecmp(v.ptr, "tel:", 4) == 0) {
		*tel = v;
		return;
	}
	for (p = v.ptr; p < end; p = part_end + 1) {
		if ((part_end = find_char(p, end, ',')) == NULL)
			part_end = end;
		if ((lt = find_char(p, part_end, '<')) != NULL &&
		    (gt = find_char(lt + 1, part_end, '>')) != NULL &&
		    gt - lt - 1 >= 4) {
			if (strncasecmp(lt + 1, "sip:", 4) == 0) {
				if (sip->ptr == NULL)
					*sip = slice(lt + 1, gt);
			} else if (strncasecmp(lt + 1, "tel:", 4) == 0) {
				if (tel->ptr == NULL)
					*tel = slice(lt + 1, gt);
			}
		}
		if (part_end == end)
			break;
	}
}

int
sipauth_sigstr(su_home_t *home, const struct sipauth_sigfields *f,
    char **out, size_t *len_out)
{
	struct strbuf sb;
	struct sipauth_str pai_sip, pai_tel;
	char code[8];

	*out = NULL;
	if (f->scheme.ptr == NULL || f->scheme.len == 0)
		return EINVAL;
	if (f->status != 0 && (f->status < 100 || f->status > 699))
		return EINVAL;
	strbuf_init(&sb, home);
	strbuf_field(&sb, f->scheme);
	strbuf_field(&sb, f->rand);
	strbuf_field(&sb, f->num);
	strbuf_field(&sb, f->realm);
	strbuf_field(&sb, f->targetname);
	strbuf_field(&sb, f->call_id);
	strbuf_field(&sb, f->cseq_num);
	strbuf_field(&sb, f->method);
	strbuf_field(&sb, addr_uri(f->from));
	strbuf_field(&sb, addr_tag(f->from));
	if (f->version >= 3)
		strbuf_field(&sb, addr_uri(f->to));
	strbuf_field(&sb, addr_tag(f->to));
	if (f->version >= 3) {
		pai_uris(f->pai.ptr != NULL ? f->pai : f->ppi, &pai_sip,
		    &pai_tel);
		strbuf_field(&sb, pai_sip);
		strbuf_field(&sb, pai_tel);
	}
	strbuf_field(&sb, f->expires);
	if (f->status != 0) {
		(void)snprintf(code, sizeof(code), "%d", f->status);
		strbuf_field(&sb, sipauth_s(code));
	}
	return strbuf_finish(&sb, out, len_out);
}
