/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf/validate.c: the second pass over a parsed configuration.  It derives
 * the defaults that depend on other values (replay cache, binding store,
 * NetBIOS names, served domains) and reports cross-reference errors with
 * the file:line:col of the directive concerned.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "conf/conf_int.h"

/*
 * Where to point an error about a directive: the directive (or its value)
 * when it was written, else the block it belongs in, else line 1 of the
 * main file.
 */
static const struct conf_pos *
pos_of(struct conf_ctx *ctx, enum conf_block b, const char *name, int val)
{
	const struct conf_where *w = ctx->priv->where;
	enum conf_block outer;
	int i;

	if (name != NULL && (i = conf_directive_find(b, name)) >= 0 &&
	    w[i].dir.file != NULL)
		return val ? &w[i].val : &w[i].dir;
	for (;;) {
		if (b == CONF_B_ANY || b == CONF_B_TOP || b == CONF_B_LISTEN)
			return &ctx->priv->origin;
		outer = b == CONF_B_KERBEROS || b == CONF_B_NTLM ?
		    CONF_B_AUTH : CONF_B_TOP;
		i = conf_directive_find(outer, conf_block_name(b));
		if (i >= 0 && w[i].dir.file != NULL)
			return &w[i].dir;
		b = outer;
	}
}

static int
scheme_on(const struct conf_auth *a, enum conf_scheme s)
{
	int i;

	for (i = 0; i < a->nschemes; i++)
		if (a->schemes[i] == s)
			return 1;
	return 0;
}

static int
is_sip_uri(const char *s)
{
	return (strncasecmp(s, "sip:", 4) == 0 && s[4] != '\0') ||
	    (strncasecmp(s, "sips:", 5) == 0 && s[5] != '\0');
}

/* The first label of s, upper case, at most 15 characters (NetBIOS). */
static char *
netbios_of(struct conf_ctx *ctx, const char *s)
{
	char buf[16];
	size_t i;

	for (i = 0; s[i] != '\0' && s[i] != '.' && i < 15; i++)
		buf[i] = (char)toupper((unsigned char)s[i]);
	buf[i] = '\0';
	return conf_strdup(ctx, buf);
}

static void
derive(struct conf_ctx *ctx)
{
	struct sipsa_conf *c = ctx->conf;
	struct conf_registrar *r = &c->registrar;
	const char *dot = strchr(c->fqdn, '.');
	char **v;

	if (c->auth.rcache_dir == NULL && !ctx->priv->rcache_none)
		c->auth.rcache_dir = conf_arena_printf(&ctx->priv->arena,
		    "%s/rcache", c->state_dir);
	if (r->store == NULL)
		r->store = conf_arena_printf(&ctx->priv->arena, "%s/bindings",
		    c->state_dir);
	if (c->control.socket == NULL && !ctx->priv->control_none)
		c->control.socket = conf_arena_printf(&ctx->priv->arena,
		    "%s/control.sock", c->state_dir);
	if (c->auth.netbios_computer == NULL)
		c->auth.netbios_computer = netbios_of(ctx, c->fqdn);
	if (c->auth.netbios_domain == NULL && dot != NULL)
		c->auth.netbios_domain = netbios_of(ctx, dot + 1);
	if (r->domains == NULL) {
		if ((v = conf_arena_alloc(&ctx->priv->arena,
		    2 * sizeof(*v))) != NULL)
			v[0] = conf_strdup(ctx, dot != NULL ? dot + 1 :
			    c->fqdn);
		r->domains = v;
		ctx->priv->ndomains = 1;
	}
	if ((!ctx->priv->rcache_none && c->auth.rcache_dir == NULL) ||
	    (!ctx->priv->control_none && c->control.socket == NULL) ||
	    r->store == NULL || r->domains == NULL || r->domains[0] == NULL)
		conf_nomem(ctx);
}

static void
check_listeners(struct conf_ctx *ctx)
{
	struct conf_listen *l, *o;
	struct conf_listen_x *lx;
	const char *tp;
	int cert = conf_directive_find(CONF_B_LISTEN, "certificate");
	int key = conf_directive_find(CONF_B_LISTEN, "key");
	int sch = conf_directive_find(CONF_B_LISTEN, "schemes");
	int i;

	if (ctx->conf->listeners == NULL)
		conf_error(ctx, &ctx->priv->origin, "no listen directive; add "
		    "one, e.g.: listen tcp 0.0.0.0 5060");
	for (l = ctx->conf->listeners; l != NULL; l = l->next) {
		lx = (struct conf_listen_x *)l;
		tp = conf_transport_name(l->transport);
		if (l->transport == CONF_TP_TLS && l->tls_cert == NULL)
			conf_error(ctx, &l->pos, "listen tls %s %u: no "
			    "certificate; add: certificate \"/path/cert.pem\"",
			    l->address, l->port);
		if (l->transport == CONF_TP_TLS && l->tls_key == NULL)
			conf_error(ctx, &l->pos, "listen tls %s %u: no key; "
			    "add: key \"/path/key.pem\"", l->address, l->port);
		if (l->transport != CONF_TP_TLS && l->tls_cert != NULL)
			conf_error(ctx, &lx->where[cert].dir, "certificate "
			    "given for a %s listener; only tls uses it", tp);
		if (l->transport != CONF_TP_TLS && l->tls_key != NULL)
			conf_error(ctx, &lx->where[key].dir, "key given for a "
			    "%s listener; only tls uses it", tp);
		/* A listener offers a subset of what auth enables: the
		   keytab and user checks below cover only those. */
		for (i = 0; i < l->nschemes; i++)
			if (!scheme_on(&ctx->conf->auth, l->schemes[i]))
				conf_error(ctx, &lx->where[sch].val, "listen "
				    "%s %s %u: scheme %s is not enabled in "
				    "auth { schemes ... }", tp, l->address,
				    l->port, conf_scheme_name(l->schemes[i]));
		for (o = ctx->conf->listeners; o != l; o = o->next)
			if (o->transport == l->transport &&
			    o->port == l->port &&
			    strcmp(o->address, l->address) == 0) {
				conf_error(ctx, &l->pos, "listen %s %s %u is "
				    "already defined at %s:%d:%d", tp,
				    l->address, l->port, o->pos.file,
				    o->pos.line, o->pos.col);
				break;
			}
	}
}

static void
check_auth(struct conf_ctx *ctx)
{
	struct conf_auth *a = &ctx->conf->auth;

	if (scheme_on(a, CONF_SCHEME_KERBEROS) && a->keytab == NULL)
		conf_error(ctx, pos_of(ctx, CONF_B_KERBEROS, NULL, 0),
		    "Kerberos is enabled but no keytab is set; add: auth { "
		    "kerberos { keytab \"/path\" } }");
	if (!scheme_on(a, CONF_SCHEME_NTLM))
		return;
	if (a->ntlm_source == CONF_NTLM_USERS_FILE &&
	    a->ntlm_user_file == NULL)
		conf_error(ctx, pos_of(ctx, CONF_B_NTLM, NULL, 0),
		    "NTLM is enabled but its users are not set; add: auth { "
		    "ntlm { users file \"/path\" } } or users winbind");
	if (a->netbios_domain == NULL)
		conf_error(ctx, pos_of(ctx, CONF_B_NTLM, NULL, 0),
		    "netbios-domain cannot be derived from fqdn \"%s\" (no "
		    "domain part); set it", ctx->conf->fqdn);
}

static int
written(struct conf_ctx *ctx, enum conf_block b, const char *name)
{
	int i = conf_directive_find(b, name);

	return i >= 0 && ctx->priv->where[i].dir.file != NULL;
}

/*
 * An order between two values is wrong: point at the second one if it was
 * written, else at the first.
 */
static const struct conf_pos *
pair_pos(struct conf_ctx *ctx, enum conf_block b, const char *first,
    const char *second)
{
	return pos_of(ctx, b, written(ctx, b, second) ? second : first, 1);
}

static void
check_limits(struct conf_ctx *ctx)
{
	const struct conf_registrar *r = &ctx->conf->registrar;
	const struct conf_sa *sa = &ctx->conf->sa;
	char a[32], b[32];

	if (sa->idle_timeout > sa->lifetime)
		conf_error(ctx, pair_pos(ctx, CONF_B_SA, "lifetime",
		    "idle-timeout"), "idle-timeout %s is longer than lifetime "
		    "%s", conf_fmt_duration(sa->idle_timeout, a, sizeof(a)),
		    conf_fmt_duration(sa->lifetime, b, sizeof(b)));
	if (ctx->conf->guard.block_min > ctx->conf->guard.block_max)
		conf_error(ctx, pair_pos(ctx, CONF_B_GUARD, "block-time",
		    "block-max"), "block-max %s is shorter than block-time %s",
		    conf_fmt_duration(ctx->conf->guard.block_max, a, sizeof(a)),
		    conf_fmt_duration(ctx->conf->guard.block_min, b,
		    sizeof(b)));
	if (sa->max_half_open_per_source > sa->max_half_open)
		conf_error(ctx, pair_pos(ctx, CONF_B_SA, "half-open-max",
		    "half-open-per-source"), "half-open-per-source %u is more "
		    "than half-open-max %u", sa->max_half_open_per_source,
		    sa->max_half_open);
	if (r->expires_min > r->expires_default)
		conf_error(ctx, pair_pos(ctx, CONF_B_REGISTRAR, "expires-min",
		    "expires-default"), "expires-default %u is less than "
		    "expires-min %u", r->expires_default, r->expires_min);
	if (r->expires_default > r->expires_max)
		conf_error(ctx, pair_pos(ctx, CONF_B_REGISTRAR,
		    "expires-default", "expires-max"), "expires-max %u is less "
		    "than expires-default %u", r->expires_max,
		    r->expires_default);
}

static void
check_targets(struct conf_ctx *ctx)
{
	const struct conf_home *h;
	const struct conf_route *r, *o;

	for (h = ctx->conf->homes; h != NULL; h = h->next)
		if (h->target != NULL && !is_sip_uri(h->target))
			conf_error(ctx, &h->pos, "home target \"%s\" is not a "
			    "sip: or sips: URI", h->target);
	for (r = ctx->conf->routes; r != NULL; r = r->next) {
		if (!is_sip_uri(r->next_hop))
			conf_error(ctx, &r->pos, "route next hop \"%s\" is "
			    "not a sip: or sips: URI", r->next_hop);
		for (o = ctx->conf->routes; o != r; o = o->next)
			if (strcasecmp(o->domain, r->domain) == 0) {
				conf_error(ctx, &r->pos, "route for \"%s\" "
				    "already defined at %s:%d:%d", r->domain,
				    o->pos.file, o->pos.line, o->pos.col);
				break;
			}
	}
}

/*
 * directory { }: with a uri, the base and sipsad's principal are needed;
 * the keytab, the NTLM domain, the Kerberos realm and the attributes
 * default to the auth block's keytab and NetBIOS domain, the principal's
 * realm and Lync's address attributes.
 */
static void
check_directory(struct conf_ctx *ctx)
{
	static const char *const attrs[] = { "msRTCSIP-PrimaryUserAddress",
	    "proxyAddresses", NULL };
	struct conf_directory *d = &ctx->conf->dir;
	const char *at;

	if (d->uris == NULL && d->srv == NULL) {
		if (written(ctx, CONF_B_TOP, "directory"))
			conf_error(ctx, pos_of(ctx, CONF_B_DIRECTORY, NULL, 0),
			    "directory: no uri; add: uri "
			    "ldap://dc.example.com, or srv example.com");
		return;
	}
	if (d->base == NULL)
		conf_error(ctx, pos_of(ctx, CONF_B_DIRECTORY, NULL, 0),
		    "directory: no base; add: base \"DC=example,DC=com\"");
	if (d->principal == NULL || (at = strrchr(d->principal, '@')) ==
	    NULL || at == d->principal || at[1] == '\0') {
		conf_error(ctx, pos_of(ctx, CONF_B_DIRECTORY, "principal",
		    d->principal != NULL), "directory: principal must be "
		    "ACCOUNT@REALM, the account whose keys are in the keytab");
		return;
	}
	if (d->keytab == NULL)
		d->keytab = ctx->conf->auth.keytab;
	if (d->keytab == NULL)
		conf_error(ctx, pos_of(ctx, CONF_B_DIRECTORY, NULL, 0),
		    "directory: no keytab; add: keytab \"/path\" (or auth { "
		    "kerberos { keytab } })");
	if (d->krb5_realm == NULL)
		d->krb5_realm = conf_strdup(ctx, at + 1);
	if (d->ntlm_domain == NULL)
		d->ntlm_domain = ctx->conf->auth.netbios_domain;
	if (d->attributes == NULL)
		d->attributes = (char **)attrs;
}

/* Group rules ask the directory for the account's groups. */
static void
check_rules(struct conf_ctx *ctx, const struct conf_access_rule *r)
{
	for (; r != NULL; r = r->next)
		if (r->kind == CONF_ACCESS_GROUP)
			conf_error(ctx, &r->pos, "%s group: groups come from "
			    "the directory; add: directory { uri ... }",
			    r->allow ? "allow" : "deny");
}

static void
check_access(struct conf_ctx *ctx)
{
	const struct conf_listen *l;

	if (ctx->conf->dir.uris != NULL || ctx->conf->dir.srv != NULL)
		return;
	check_rules(ctx, ctx->conf->access.rules);
	for (l = ctx->conf->listeners; l != NULL; l = l->next)
		check_rules(ctx, l->access);
}

/* A UNIX socket's path fits in sockaddr_un. */
static void
check_control(struct conf_ctx *ctx)
{
	const char *s = ctx->conf->control.socket;

	if (s != NULL && strlen(s) > CONF_CONTROL_PATH_MAX)
		conf_error(ctx, pos_of(ctx, CONF_B_CONTROL, "socket", 1),
		    "control socket %s: longer than %d bytes, the most a "
		    "UNIX socket's path may have; set a shorter one: control "
		    "{ socket \"/run/sipsa/control.sock\" }", s,
		    CONF_CONTROL_PATH_MAX);
}

void
conf_validate(struct conf_ctx *ctx)
{
	if (ctx->conf->fqdn == NULL) {
		conf_error(ctx, pos_of(ctx, CONF_B_SERVER, NULL, 0), "fqdn is "
		    "not set; add: server { fqdn \"sip.example.org\" }");
		check_listeners(ctx);
		return;
	}
	derive(ctx);
	check_listeners(ctx);
	check_auth(ctx);
	check_limits(ctx);
	check_targets(ctx);
	check_directory(ctx);
	check_access(ctx);
	check_control(ctx);
}
