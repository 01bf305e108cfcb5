/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf/apply.c: applying the parse tree to a snapshot through the directive
 * table, and the handlers of the statements that are more than one value
 * (listen, schemes, users, trusted-realm, domain, home, route).
 */
#include "config.h"

#include <ctype.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "conf/conf_int.h"

conf_handler_fn conf_h_listen, conf_h_schemes, conf_h_rcache, conf_h_users,
    conf_h_trusted_realm, conf_h_domain, conf_h_home, conf_h_home_default,
    conf_h_route, conf_h_dir_uri, conf_h_dir_attrs, conf_h_access,
    conf_h_metrics_listen, conf_h_control_socket, conf_h_control_mode;

int
conf_need_args(struct conf_ctx *ctx, struct conf_node *n, int min, int max,
    const char *usage)
{
	if (n->argc - 1 >= min && n->argc - 1 <= max)
		return 0;
	conf_error(ctx, &n->argv[0].pos, "%s: wrong number of arguments "
	    "(use: %s)", n->argv[0].text, usage);
	return -1;
}

/* Host name syntax, with the fqdn validator, under another name. */
static int
check_host(struct conf_ctx *ctx, struct conf_node *n, int i)
{
	struct conf_directive d;

	d = conf_directives[conf_directive_find(CONF_B_SERVER, "fqdn")];
	d.name = n->argv[0].text;
	return d.check(ctx, &d, &n->argv[i]);
}

int
conf_h_listen(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	static const char *const tps[] = { "udp", "tcp", "tls" };
	struct conf_listen_x *lx;
	struct conf_where *saved;
	unsigned char addr[sizeof(struct in6_addr)];
	const char *port;
	unsigned long v = 0;
	int i, tp = -1, bad = 0;

	if (conf_need_args(ctx, n, 3, 3, "listen udp|tcp|tls ADDRESS PORT "
	    "[{ ... }]") != 0)
		return -1;
	for (i = 0; i < 3; i++)
		if (strcmp(n->argv[1].text, tps[i]) == 0)
			tp = i;
	if (tp < 0) {
		conf_error(ctx, &n->argv[1].pos, "listen: transport must be "
		    "udp, tcp or tls, not \"%s\"", n->argv[1].text);
		bad = 1;
	}
	if (inet_pton(AF_INET, n->argv[2].text, addr) != 1 &&
	    inet_pton(AF_INET6, n->argv[2].text, addr) != 1) {
		conf_error(ctx, &n->argv[2].pos, "listen: \"%s\" is not an "
		    "IPv4 or IPv6 address", n->argv[2].text);
		bad = 1;
	}
	for (port = n->argv[3].text; *port >= '0' && *port <= '9' &&
	    v <= 65535; port++)
		v = v * 10 + (unsigned long)(*port - '0');
	if (*port != '\0' || port == n->argv[3].text || v < 1 || v > 65535) {
		conf_error(ctx, &n->argv[3].pos, "listen: port \"%s\" is not "
		    "a number from 1 to 65535", n->argv[3].text);
		bad = 1;
	}
	lx = conf_arena_alloc(&ctx->priv->arena, sizeof(*lx));
	if (lx == NULL || (lx->where = conf_arena_alloc(&ctx->priv->arena,
	    conf_ndirectives * sizeof(*lx->where))) == NULL ||
	    (lx->l.address = conf_strdup(ctx, n->argv[2].text)) == NULL) {
		conf_nomem(ctx);
		return -1;
	}
	lx->l.pos = n->argv[0].pos;
	lx->l.transport = (enum conf_transport)(tp < 0 ? 0 : tp);
	lx->l.port = (unsigned)v;
	conf_listen_defaults(ctx, &lx->l);
	if (n->has_block) {
		/* A block of a bad listen statement is still checked. */
		saved = ctx->where;
		ctx->cur_listen = lx;
		ctx->where = lx->where;
		conf_apply(ctx, n->child, d->child);
		ctx->where = saved;
		ctx->cur_listen = NULL;
	}
	if (bad)
		return -1;
	*ctx->listen_tail = &lx->l;
	ctx->listen_tail = &lx->l.next;
	return 0;
}

int
conf_h_schemes(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	enum conf_scheme s[CONF_MAX_SCHEMES], *out = ctx->conf->auth.schemes;
	int *nout = &ctx->conf->auth.nschemes;
	int i;

	if (conf_need_args(ctx, n, 1, CONF_MAX_SCHEMES,
	    "schemes kerberos|ntlm [kerberos|ntlm]") != 0)
		return -1;
	for (i = 1; i < n->argc; i++) {
		if (strcmp(n->argv[i].text, "kerberos") == 0)
			s[i - 1] = CONF_SCHEME_KERBEROS;
		else if (strcmp(n->argv[i].text, "ntlm") == 0)
			s[i - 1] = CONF_SCHEME_NTLM;
		else {
			conf_error(ctx, &n->argv[i].pos, "schemes: expected "
			    "kerberos or ntlm, not \"%s\"", n->argv[i].text);
			return -1;
		}
		if (i == 2 && s[0] == s[1]) {
			conf_error(ctx, &n->argv[i].pos, "schemes: \"%s\" "
			    "is listed twice", n->argv[i].text);
			return -1;
		}
	}
	/* Inside a listen block: that listener's own offer. */
	if (ctx->cur_listen != NULL) {
		out = ctx->cur_listen->l.schemes;
		nout = &ctx->cur_listen->l.nschemes;
	}
	memcpy(out, s, sizeof(s));
	*nout = n->argc - 1;
	return 0;
}

int
conf_h_rcache(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	if (conf_need_args(ctx, n, 1, 1, "replay-cache PATH|none") != 0)
		return -1;
	if (strcmp(n->argv[1].text, "none") == 0) {
		ctx->conf->auth.rcache_dir = NULL;
		ctx->priv->rcache_none = 1;
		conf_warn(ctx, &n->argv[1].pos, "replay-cache none: Kerberos "
		    "authenticators can be replayed; use it only for tests");
		return 0;
	}
	if (n->argv[1].text[0] == '\0') {
		conf_error(ctx, &n->argv[1].pos, "replay-cache: empty value");
		return -1;
	}
	ctx->conf->auth.rcache_dir = conf_strdup(ctx, n->argv[1].text);
	return 0;
}

/* control { socket PATH|none }: the default comes from state-dir. */
int
conf_h_control_socket(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	const char *s;

	if (conf_need_args(ctx, n, 1, 1, "socket PATH|none") != 0)
		return -1;
	s = n->argv[1].text;
	if (strcmp(s, "none") == 0) {
		ctx->conf->control.socket = NULL;
		ctx->priv->control_none = 1;
		return 0;
	}
	if (s[0] == '\0') {
		conf_error(ctx, &n->argv[1].pos, "socket: empty value");
		return -1;
	}
	ctx->priv->control_none = 0;
	ctx->conf->control.socket = conf_strdup(ctx, s);
	return 0;
}

/* control { mode 0660 }: octal, as chmod(1) takes it. */
int
conf_h_control_mode(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	const char *s;
	unsigned v = 0;

	if (conf_need_args(ctx, n, 1, 1, "mode OCTAL, e.g. mode 0660") != 0)
		return -1;
	for (s = n->argv[1].text; *s >= '0' && *s <= '7'; s++)
		v = v * 8 + (unsigned)(*s - '0');
	if (*s != '\0' || s == n->argv[1].text || s - n->argv[1].text > 4 ||
	    v > 0777) {
		conf_error(ctx, &n->argv[1].pos, "mode: expected an octal "
		    "file mode from 0000 to 0777, not \"%s\"",
		    n->argv[1].text);
		return -1;
	}
	if (v & 0007)
		conf_warn(ctx, &n->argv[1].pos, "mode %04o: every local user "
		    "may use the control socket (reload, kick)", v);
	ctx->conf->control.mode = v;
	return 0;
}

int
conf_h_users(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	struct conf_auth *a = &ctx->conf->auth;
	const char *usage = "users file PATH, or users winbind";

	if (conf_need_args(ctx, n, 1, 2, usage) != 0)
		return -1;
	if (strcmp(n->argv[1].text, "winbind") != 0 &&
	    strcmp(n->argv[1].text, "file") != 0) {
		conf_error(ctx, &n->argv[1].pos, "users: expected file or "
		    "winbind, not \"%s\" (use: %s)", n->argv[1].text, usage);
		return -1;
	}
	if (conf_need_args(ctx, n, n->argv[1].text[0] == 'w' ? 1 : 2,
	    n->argv[1].text[0] == 'w' ? 1 : 2, usage) != 0)
		return -1;
	if (n->argc == 2) {
		a->ntlm_source = CONF_NTLM_USERS_WINBIND;
		a->ntlm_user_file = NULL;
		return 0;
	}
	if (n->argv[2].text[0] == '\0') {
		conf_error(ctx, &n->argv[2].pos, "users: empty file name");
		return -1;
	}
	a->ntlm_source = CONF_NTLM_USERS_FILE;
	a->ntlm_user_file = conf_strdup(ctx, n->argv[2].text);
	/* Secrecy errors point at the file name. */
	ctx->where[conf_directive_index(d)].val = n->argv[2].pos;
	return 0;
}

/*
 * kerberos { trusted-realm REALM [SIP-DOMAIN] }, repeated.  A realm is
 * compared exactly (Kerberos realms are case-sensitive), so one in lower
 * case, which no KDC usually issues, gets a warning.
 */
int
conf_h_trusted_realm(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	struct conf_realm *r, **tail;
	const char *s;

	(void)d;
	if (conf_need_args(ctx, n, 1, 2, "trusted-realm REALM "
	    "[SIP-DOMAIN]") != 0)
		return -1;
	for (s = n->argv[1].text; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    strchr("@\\\"/", *s) != NULL)
			break;
	if (*s != '\0' || n->argv[1].text[0] == '\0') {
		conf_error(ctx, &n->argv[1].pos, "trusted-realm: \"%s\" is "
		    "not a Kerberos realm (no '@', '/', '\\', quotes, blanks "
		    "or control characters)", n->argv[1].text);
		return -1;
	}
	if (n->argc == 3 && check_host(ctx, n, 2) != 0)
		return -1;
	for (tail = &ctx->conf->auth.trusted_realms; *tail != NULL;
	    tail = &(*tail)->next)
		if (strcmp((*tail)->realm, n->argv[1].text) == 0) {
			conf_error(ctx, &n->argv[1].pos, "trusted-realm "
			    "\"%s\" is already listed at %s:%d:%d",
			    n->argv[1].text, (*tail)->pos.file,
			    (*tail)->pos.line, (*tail)->pos.col);
			return -1;
		}
	for (s = n->argv[1].text; *s != '\0'; s++)
		if (*s >= 'a' && *s <= 'z') {
			conf_warn(ctx, &n->argv[1].pos, "trusted-realm \"%s\": "
			    "realms are compared exactly, and a KDC names "
			    "its realm in upper case as a rule",
			    n->argv[1].text);
			break;
		}
	if ((r = conf_arena_alloc(&ctx->priv->arena, sizeof(*r))) == NULL) {
		conf_nomem(ctx);
		return -1;
	}
	r->pos = n->argv[1].pos;
	if ((r->realm = conf_strdup(ctx, n->argv[1].text)) == NULL ||
	    (n->argc == 3 &&
	    (r->domain = conf_strdup(ctx, n->argv[2].text)) == NULL))
		return -1;
	*tail = r;
	return 0;
}

/* Append argument i of n to the NULL-ended list *v (at most max). */
static int
strv_add(struct conf_ctx *ctx, struct conf_node *n, int i, char ***v,
    size_t max)
{
	size_t k = 0;
	char **nv;

	while (*v != NULL && (*v)[k] != NULL)
		k++;
	if (k >= max) {
		conf_error(ctx, &n->argv[i].pos, "%s: at most %zu",
		    n->argv[0].text, max);
		return -1;
	}
	if ((nv = conf_arena_alloc(&ctx->priv->arena,
	    (k + 2) * sizeof(*nv))) == NULL) {
		conf_nomem(ctx);
		return -1;
	}
	if (k > 0)
		memcpy(nv, *v, k * sizeof(*nv));
	if ((nv[k] = conf_strdup(ctx, n->argv[i].text)) == NULL)
		return -1;
	nv[k + 1] = NULL;
	*v = nv;
	return 0;
}

int
conf_h_domain(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	struct conf_registrar *r = &ctx->conf->registrar;
	size_t i, nd = ctx->priv->ndomains;

	if (conf_need_args(ctx, n, 1, 1, "domain DOMAIN") != 0 ||
	    check_host(ctx, n, 1) != 0)
		return -1;
	for (i = 0; i < nd; i++)
		if (strcasecmp(r->domains[i], n->argv[1].text) == 0) {
			conf_error(ctx, &n->argv[1].pos, "domain \"%s\" is "
			    "listed twice", n->argv[1].text);
			return -1;
		}
	if (strv_add(ctx, n, 1, &r->domains, SIZE_MAX) != 0)
		return -1;
	ctx->priv->ndomains = nd + 1;
	return 0;
}

/* directory { uri ldap://HOST[:PORT] }, repeated: tried in order. */
int
conf_h_dir_uri(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	const char *u;
	size_t skip;

	(void)d;
	if (conf_need_args(ctx, n, 1, 1, "uri ldap://HOST[:PORT] or "
	    "ldaps://HOST[:PORT]") != 0)
		return -1;
	u = n->argv[1].text;
	skip = strncmp(u, "ldap://", 7) == 0 ? 7 :
	    strncmp(u, "ldaps://", 8) == 0 ? 8 : 0;
	if (skip == 0 || u[skip] == '\0' || strpbrk(u + skip, "/?# ") != NULL) {
		conf_error(ctx, &n->argv[1].pos, "uri: \"%s\" is not "
		    "ldap://HOST[:PORT] or ldaps://HOST[:PORT]", u);
		return -1;
	}
	return strv_add(ctx, n, 1, &ctx->conf->dir.uris, CONF_DIR_MAX_URIS);
}

/* directory { attributes NAME... }: where SIP addresses are read. */
int
conf_h_dir_attrs(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	const char *a;
	int i;

	(void)d;
	if (conf_need_args(ctx, n, 1, CONF_DIR_MAX_ATTRS, "attributes "
	    "NAME...") != 0)
		return -1;
	ctx->conf->dir.attributes = NULL;
	for (i = 1; i < n->argc; i++) {
		a = n->argv[i].text;
		if (!isalpha((unsigned char)a[0]) || strspn(a,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-") != strlen(a)) {
			conf_error(ctx, &n->argv[i].pos, "attributes: \"%s\" "
			    "is not an LDAP attribute name", a);
			return -1;
		}
		if (strv_add(ctx, n, i, &ctx->conf->dir.attributes,
		    CONF_DIR_MAX_ATTRS) != 0)
			return -1;
	}
	return 0;
}

/*
 * allow|deny any, allow|deny user|group|domain NAME: in access { }, or in
 * a listen block (that listener's rules, tried first).
 */
int
conf_h_access(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	static const char *const kinds[] = { "any", "user", "group",
	    "domain" };
	struct conf_access_rule *r, **tail;
	int k;

	if (conf_need_args(ctx, n, 1, 2, "allow|deny any, or allow|deny "
	    "user|group|domain NAME") != 0)
		return -1;
	for (k = 0; k < 4 && strcmp(n->argv[1].text, kinds[k]) != 0; k++)
		;
	if (k == 4 || (k == CONF_ACCESS_ANY) != (n->argc == 2)) {
		conf_error(ctx, &n->argv[1].pos, "%s: expected any, or user, "
		    "group or domain and a name", d->name);
		return -1;
	}
	/* AD names may hold blanks ("Domain Users"): quote them. */
	if (n->argc == 3 && (n->argv[2].text[0] == '\0' ||
	    (k == CONF_ACCESS_USER && strpbrk(n->argv[2].text, "\\@") ==
	    NULL))) {
		conf_error(ctx, &n->argv[2].pos, "%s %s: \"%s\" is not %s",
		    d->name, kinds[k], n->argv[2].text, k == CONF_ACCESS_USER ?
		    "DOMAIN\\user or user@REALM" : "a name");
		return -1;
	}
	if ((r = conf_arena_alloc(&ctx->priv->arena, sizeof(*r))) == NULL) {
		conf_nomem(ctx);
		return -1;
	}
	r->pos = n->argv[0].pos;
	r->allow = strcmp(d->name, "allow") == 0;
	r->kind = (enum conf_access_kind)k;
	if (n->argc == 3 && (r->name = conf_strdup(ctx, n->argv[2].text)) ==
	    NULL)
		return -1;
	tail = ctx->cur_listen != NULL ? &ctx->cur_listen->l.access :
	    &ctx->conf->access.rules;
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = r;
	return 0;
}

/* metrics { listen ADDRESS PORT }: an IPv4 or IPv6 address. */
int
conf_h_metrics_listen(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	unsigned char addr[sizeof(struct in6_addr)];
	char *end;
	unsigned long v;

	(void)d;
	if (conf_need_args(ctx, n, 2, 2, "listen ADDRESS PORT") != 0)
		return -1;
	if (inet_pton(AF_INET, n->argv[1].text, addr) != 1 &&
	    inet_pton(AF_INET6, n->argv[1].text, addr) != 1) {
		conf_error(ctx, &n->argv[1].pos, "listen: \"%s\" is not an "
		    "IPv4 or IPv6 address", n->argv[1].text);
		return -1;
	}
	v = strtoul(n->argv[2].text, &end, 10);
	if (n->argv[2].text[0] == '\0' || *end != '\0' || v < 1 ||
	    v > 65535) {
		conf_error(ctx, &n->argv[2].pos, "listen: port \"%s\" is not "
		    "1..65535", n->argv[2].text);
		return -1;
	}
	if ((ctx->conf->metrics.address = conf_strdup(ctx,
	    n->argv[1].text)) == NULL)
		return -1;
	ctx->conf->metrics.port = (unsigned)v;
	return 0;
}

static int
add_home(struct conf_ctx *ctx, struct conf_node *n, enum conf_home_kind kind,
    const char *match, const char *target)
{
	struct conf_home *h;

	if ((h = conf_arena_alloc(&ctx->priv->arena, sizeof(*h))) == NULL) {
		conf_nomem(ctx);
		return -1;
	}
	h->pos = n->argv[0].pos;
	h->kind = kind;
	if ((match != NULL && (h->match = conf_strdup(ctx, match)) == NULL) ||
	    (target != NULL && (h->target = conf_strdup(ctx, target)) == NULL))
		return -1;
	*ctx->home_tail = h;
	ctx->home_tail = &h->next;
	return 0;
}

int
conf_h_home(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	const char *m;
	enum conf_home_kind kind;

	if (strcmp(d->name, "user") == 0) {
		kind = CONF_HOME_USER;
		if (conf_need_args(ctx, n, 2, 2, "user USER@DOMAIN URI") != 0)
			return -1;
		m = n->argv[1].text;
		if (strchr(m, '@') == NULL || m[0] == '@' ||
		    m[strlen(m) - 1] == '@') {
			conf_error(ctx, &n->argv[1].pos, "user: \"%s\" is not "
			    "user@domain", m);
			return -1;
		}
	} else if (strcmp(d->name, "domain") == 0) {
		kind = CONF_HOME_DOMAIN;
		if (conf_need_args(ctx, n, 2, 2, "domain DOMAIN URI") != 0 ||
		    check_host(ctx, n, 1) != 0)
			return -1;
	} else {
		kind = CONF_HOME_PATTERN;
		if (conf_need_args(ctx, n, 2, 2, "pattern GLOB URI") != 0)
			return -1;
		if (n->argv[1].text[0] == '\0') {
			conf_error(ctx, &n->argv[1].pos, "pattern: empty "
			    "pattern");
			return -1;
		}
	}
	return add_home(ctx, n, kind, n->argv[1].text, n->argv[2].text);
}

int
conf_h_home_default(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	const char *t;

	if (conf_need_args(ctx, n, 1, 1, "default local|URI") != 0)
		return -1;
	t = n->argv[1].text;
	return add_home(ctx, n, CONF_HOME_DEFAULT, NULL,
	    strcmp(t, "local") == 0 ? NULL : t);
}

int
conf_h_route(struct conf_ctx *ctx, const struct conf_directive *d,
    struct conf_node *n)
{
	struct conf_route *r;

	if (conf_need_args(ctx, n, 2, 2, "route DOMAIN URI") != 0 ||
	    check_host(ctx, n, 1) != 0)
		return -1;
	if ((r = conf_arena_alloc(&ctx->priv->arena, sizeof(*r))) == NULL) {
		conf_nomem(ctx);
		return -1;
	}
	r->pos = n->argv[0].pos;
	if ((r->domain = conf_strdup(ctx, n->argv[1].text)) == NULL ||
	    (r->next_hop = conf_strdup(ctx, n->argv[2].text)) == NULL)
		return -1;
	*ctx->route_tail = r;
	ctx->route_tail = &r->next;
	return 0;
}

/* Apply the statements of one block. */
void
conf_apply(struct conf_ctx *ctx, struct conf_node *list, enum conf_block b)
{
	const struct conf_directive *d;
	struct conf_node *n;
	struct conf_where *w;
	void *base;
	char usage[64];
	int idx, other;

	for (n = list; n != NULL && !ctx->stopped; n = n->next) {
		const char *name = n->argv[0].text;

		if ((idx = conf_directive_find(b, name)) < 0) {
			for (other = 0; other < (int)conf_ndirectives; other++)
				if (strcmp(conf_directives[other].name,
				    name) == 0)
					break;
			if (other < (int)conf_ndirectives)
				conf_error(ctx, &n->argv[0].pos, "\"%s\" is "
				    "not allowed in the %s block", name,
				    conf_block_name(b));
			else
				conf_error(ctx, &n->argv[0].pos, "unknown "
				    "directive \"%s\"", name);
			continue;
		}
		d = &conf_directives[idx];
		if (d->type == CONF_T_BLOCK) {
			if (n->argc != 1)
				conf_error(ctx, &n->argv[1].pos, "%s: no "
				    "arguments before \"{\"", name);
			if (!n->has_block) {
				conf_error(ctx, &n->argv[0].pos, "%s needs a "
				    "block: %s { ... }", name, name);
				continue;
			}
			if (ctx->where[idx].dir.file == NULL)
				ctx->where[idx].dir = n->argv[0].pos;
			conf_apply(ctx, n->child, d->child);
			continue;
		}
		if (n->has_block && !(d->flags & CONF_F_BLOCKOK)) {
			conf_error(ctx, &n->argv[0].pos, "%s does not take a "
			    "block", name);
			continue;
		}
		w = &ctx->where[idx];
		if (!(d->flags & CONF_F_REPEAT)) {
			if (w->dir.file != NULL) {
				conf_error(ctx, &n->argv[0].pos, "%s already "
				    "set at %s:%d:%d", name, w->dir.file,
				    w->dir.line, w->dir.col);
				continue;
			}
			w->dir = n->argv[0].pos;
			w->val = n->argv[n->argc > 1 ? 1 : 0].pos;
		}
		if (d->type == CONF_T_CUSTOM) {
			(void)d->handler(ctx, d, n);
			continue;
		}
		(void)snprintf(usage, sizeof(usage), "%s %s", name,
		    d->type == CONF_T_PATH ? "PATH" : "VALUE");
		if (conf_need_args(ctx, n, 1, 1, usage) != 0)
			continue;
		base = b == CONF_B_LISTEN ? (void *)&ctx->cur_listen->l :
		    (void *)ctx->conf;
		(void)conf_set_value(ctx, d, &n->argv[1], base);
	}
}
