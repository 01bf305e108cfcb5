/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/idmap.c: the identity map.  One rule a line, "ACCOUNT SIP-URI";
 * ACCOUNT is "DOMAIN\user" or "user@REALM", its user part may hold '*'
 * (any run of characters but '\' and '@'); SIP-URI is "sip:user@host",
 * where "%u" stands for the account part of the authenticated name and
 * "%%" for '%'.  The rules are kept in file order.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/idmap.h"

/* A map file larger than this is refused (about 100,000 lines). */
#define IDMAP_MAX_FILE	(8 * 1024 * 1024)

struct idmap_rule {
	int		 line;
	char		 form;		/* '\\': DOMAIN\user, '@': user@REALM */
	char		*domain;	/* DOMAIN or REALM, literal */
	char		*user;		/* may hold '*' */
	char		*uri;		/* "sip:...", host in lower case */
	char		*buf;		/* owns the strings above */
};

struct idmap {
	struct idmap_rule	*rules;
	size_t			 n, cap;
};

struct idmap_parse {
	const char	*name;
	int		 line;
	int		 errors;
	idmap_err_fn	*err;
	void		*arg;
};

static void
perr(struct idmap_parse *p, const char *fmt, ...)
{
	char text[400], msg[600];
	va_list ap;

	if (++p->errors > IDMAP_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (p->line > 0)
		(void)snprintf(msg, sizeof(msg), "%s:%d: %s", p->name, p->line,
		    text);
	else
		(void)snprintf(msg, sizeof(msg), "%s: %s", p->name, text);
	if (p->err != NULL)
		p->err(msg, p->arg);
	else
		fprintf(stderr, "%s\n", msg);
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
host_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '.';
}

/* ACCOUNT: "DOMAIN\user" or "user@REALM"; '*' only in the user part. */
static int
parse_account(struct idmap_parse *p, struct idmap_rule *r, char *s)
{
	char *sep;

	if ((sep = strchr(s, '\\')) != NULL) {
		r->form = '\\';
		*sep = '\0';
		r->domain = s;
		r->user = sep + 1;
	} else if ((sep = strrchr(s, '@')) != NULL) {
		r->form = '@';
		*sep = '\0';
		r->user = s;
		r->domain = sep + 1;
	} else {
		perr(p, "account \"%s\" is not DOMAIN\\user or user@REALM", s);
		return -1;
	}
	if (r->domain[0] == '\0' || r->user[0] == '\0' ||
	    strpbrk(r->user, "\\@") != NULL ||
	    strpbrk(r->domain, "\\@") != NULL) {
		perr(p, "account: expected DOMAIN\\user or user@REALM");
		return -1;
	}
	if (strchr(r->domain, '*') != NULL) {
		perr(p, "account: '*' only in the user part, not in \"%s\"",
		    r->domain);
		return -1;
	}
	return 0;
}

/* SIP-URI: "sip:user@host"; %u or %% in the user part only. */
static int
parse_uri(struct idmap_parse *p, struct idmap_rule *r, char *s)
{
	char *at, *c;

	if (lower((unsigned char)s[0]) != 's' ||
	    lower((unsigned char)s[1]) != 'i' ||
	    lower((unsigned char)s[2]) != 'p' || s[3] != ':') {
		perr(p, "\"%s\" is not a sip: URI", s);
		return -1;
	}
	memcpy(s, "sip:", 4);
	if ((at = strrchr(s + 4, '@')) == NULL || at == s + 4 ||
	    at[1] == '\0') {
		perr(p, "\"%s\": expected sip:user@domain", s);
		return -1;
	}
	for (c = s + 4; c < at; c++) {
		if (strchr("@;?:<>\"", *c) != NULL) {
			perr(p, "\"%s\": '%c' in the user part", s, *c);
			return -1;
		}
		if (*c == '%' && c[1] != 'u' && c[1] != '%') {
			perr(p, "\"%s\": only %%u and %%%% may follow '%%'", s);
			return -1;
		}
		if (*c == '%')
			c++;
	}
	for (c = at + 1; *c != '\0'; c++) {
		*c = (char)lower((unsigned char)*c);
		if (!host_char((unsigned char)*c)) {
			perr(p, "\"%s\": the domain must be a host name "
			    "(no port, no parameters)", s);
			return -1;
		}
	}
	r->uri = s;
	return 0;
}

/* The next word of *s (blanks skip, '#' ends the line), or NULL. */
static char *
word(char **s)
{
	char *w = *s + strspn(*s, " \t\r");

	if (*w == '\0' || *w == '#') {
		*s = w;
		return NULL;
	}
	*s = w + strcspn(w, " \t\r");
	if (**s != '\0')
		*(*s)++ = '\0';
	return w;
}

static int
add_rule(struct idmap *m, const struct idmap_rule *r)
{
	struct idmap_rule *v;
	size_t cap;

	if (m->n == m->cap) {
		cap = m->cap == 0 ? 16 : m->cap * 2;
		if ((v = realloc(m->rules, cap * sizeof(*v))) == NULL)
			return -1;
		m->rules = v;
		m->cap = cap;
	}
	m->rules[m->n++] = *r;
	return 0;
}

/* One line (without its newline): 0, or -1 when it is wrong. */
static int
parse_line(struct idmap_parse *p, struct idmap *m, const char *line,
    size_t len)
{
	struct idmap_rule r;
	char *s, *acct, *uri;

	memset(&r, 0, sizeof(r));
	if (memchr(line, '\0', len) != NULL) {
		perr(p, "NUL byte in the line");
		return -1;
	}
	if ((r.buf = malloc(len + 1)) == NULL) {
		perr(p, "out of memory");
		return -1;
	}
	memcpy(r.buf, line, len);
	r.buf[len] = '\0';
	s = r.buf;
	if ((acct = word(&s)) == NULL) {
		free(r.buf);
		return 0;			/* blank or comment */
	}
	if ((uri = word(&s)) == NULL || word(&s) != NULL) {
		perr(p, "expected ACCOUNT SIP-URI");
		goto bad;
	}
	r.line = p->line;
	if (parse_account(p, &r, acct) != 0 || parse_uri(p, &r, uri) != 0)
		goto bad;
	if (add_rule(m, &r) != 0) {
		perr(p, "out of memory");
		goto bad;
	}
	return 0;
 bad:
	free(r.buf);
	return -1;
}

int
idmap_parse_buf(const char *name, const char *buf, size_t len,
    idmap_err_fn *err, void *arg, struct idmap **out)
{
	struct idmap_parse p = { name, 0, 0, err, arg };
	struct idmap *m;
	const char *nl, *end = buf + len;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		perr(&p, "out of memory");
		return 1;
	}
	while (buf < end && p.errors < IDMAP_MAX_ERRORS) {
		p.line++;
		if ((nl = memchr(buf, '\n', (size_t)(end - buf))) == NULL)
			nl = end;
		(void)parse_line(&p, m, buf, (size_t)(nl - buf));
		buf = nl < end ? nl + 1 : end;
	}
	if (p.errors >= IDMAP_MAX_ERRORS && buf < end) {
		p.line = 0;
		p.errors = IDMAP_MAX_ERRORS - 1;	/* this line is shown */
		perr(&p, "too many errors, reading stopped");
		p.errors = IDMAP_MAX_ERRORS;
	}
	if (p.errors > 0) {
		idmap_free(m);
		return p.errors;
	}
	*out = m;
	return 0;
}

int
idmap_load(const char *path, idmap_err_fn *err, void *arg,
    struct idmap **out)
{
	struct idmap_parse p = { path, 0, 0, err, arg };
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, got;
	FILE *fp;
	int n;

	*out = NULL;
	if ((fp = fopen(path, "r")) == NULL) {
		perr(&p, "%s", strerror(errno));
		return 1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			if (cap > IDMAP_MAX_FILE + 1) {
				perr(&p, "larger than %d bytes",
				    IDMAP_MAX_FILE);
				goto fail;
			}
			if ((nb = realloc(buf, cap)) == NULL) {
				perr(&p, "out of memory");
				goto fail;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		perr(&p, "read error");
		goto fail;
	}
	(void)fclose(fp);
	n = idmap_parse_buf(path, buf, len, err, arg, out);
	free(buf);
	return n;
 fail:
	(void)fclose(fp);
	free(buf);
	return 1;
}

void
idmap_free(struct idmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		free(m->rules[i].buf);
	free(m->rules);
	free(m);
}

size_t
idmap_rules(const struct idmap *m)
{
	return m != NULL ? m->n : 0;
}

/* '*' matches any run of characters but '\' and '@'; case ignored. */
static int
glob(const char *pat, const char *s, size_t len)
{
	size_t i;

	for (; *pat != '\0'; pat++, s++, len--) {
		if (*pat == '*') {
			for (i = 0; i <= len; i++) {
				if (glob(pat + 1, s + i, len - i))
					return 1;
				if (i < len && (s[i] == '\\' || s[i] == '@'))
					return 0;
			}
			return 0;
		}
		if (len == 0 || lower((unsigned char)*pat) !=
		    lower((unsigned char)*s))
			return 0;
	}
	return len == 0;
}

static int
same(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* Does the rule's account match the authenticated name? */
static int
account_match(const struct idmap_rule *r, const char *name)
{
	const char *sep, *user;
	size_t dlen, ulen;

	if (r->form == '\\') {
		if ((sep = strchr(name, '\\')) == NULL)
			return 0;
		dlen = (size_t)(sep - name);
		user = sep + 1;
		ulen = strlen(user);
		sep = name;
	} else {
		if (strchr(name, '\\') != NULL ||
		    (sep = strrchr(name, '@')) == NULL)
			return 0;
		user = name;
		ulen = (size_t)(sep - name);
		dlen = strlen(++sep);
	}
	return dlen == strlen(r->domain) && same(sep, r->domain, dlen) &&
	    glob(r->user, user, ulen);
}

/* The URI of a rule, %u being acct/alen, against aor; case ignored. */
static int
uri_match(const char *uri, const char *acct, size_t alen, const char *aor)
{
	size_t n = strlen(aor);

	for (; *uri != '\0'; uri++) {
		if (uri[0] == '%' && uri[1] == 'u') {
			if (n < alen || !same(aor, acct, alen))
				return 0;
			aor += alen;
			n -= alen;
			uri++;
			continue;
		}
		if (uri[0] == '%')
			uri++;			/* "%%" */
		if (n == 0 || lower((unsigned char)*uri) !=
		    lower((unsigned char)*aor))
			return 0;
		aor++;
		n--;
	}
	return n == 0;
}

enum idmap_result
idmap_check(const struct idmap *m, const char *account, const char *aor,
    int *line)
{
	const char *acct = account, *bs;
	size_t i, alen;
	int matched = 0;

	if (line != NULL)
		*line = 0;
	if (m == NULL || account == NULL)
		return IDMAP_NO_RULE;
	/* The account part, as sa_check_identity() takes it. */
	if ((bs = strrchr(acct, '\\')) != NULL)
		acct = bs + 1;
	alen = strcspn(acct, "@");
	for (i = 0; i < m->n; i++) {
		if (!account_match(&m->rules[i], account))
			continue;
		matched = 1;
		if (aor != NULL && uri_match(m->rules[i].uri, acct, alen,
		    aor)) {
			if (line != NULL)
				*line = m->rules[i].line;
			return IDMAP_ALLOWED;
		}
	}
	return matched ? IDMAP_DENIED : IDMAP_NO_RULE;
}
