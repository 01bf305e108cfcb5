/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf/dump.c: printing the effective configuration in the sipsa.conf
 * grammar ("sipsad -n -v"), walking the directive table so that every
 * directive appears with its value, defaults included.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_int.h"

/* The largest unit that divides v exactly: 28800 is "8h", 90 is "90s". */
const char *
conf_fmt_duration(unsigned v, char *buf, size_t len)
{
	if (v != 0 && v % 86400 == 0)
		(void)snprintf(buf, len, "%ud", v / 86400);
	else if (v != 0 && v % 3600 == 0)
		(void)snprintf(buf, len, "%uh", v / 3600);
	else if (v != 0 && v % 60 == 0)
		(void)snprintf(buf, len, "%um", v / 60);
	else
		(void)snprintf(buf, len, "%us", v);
	return buf;
}

static void
indent(FILE *fp, int depth)
{
	while (depth-- > 0)
		(void)fputc('\t', fp);
}

static void
quoted(FILE *fp, const char *s)
{
	(void)fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			(void)fputc('\\', fp);
		(void)fputc(*s, fp);
	}
	(void)fputc('"', fp);
}

static void dump_block(FILE *, const struct sipsa_conf *, enum conf_block,
    const void *, int);

static void
dump_homes(FILE *fp, const struct sipsa_conf *c, int depth)
{
	static const char *const kinds[] = { [CONF_HOME_USER] = "user",
	    [CONF_HOME_DOMAIN] = "domain", [CONF_HOME_PATTERN] = "pattern",
	    [CONF_HOME_DEFAULT] = "default" };
	const struct conf_home *h;

	for (h = c->homes; h != NULL; h = h->next) {
		indent(fp, depth);
		(void)fprintf(fp, "%s ", kinds[h->kind]);
		if (h->match != NULL) {
			quoted(fp, h->match);
			(void)fputc(' ', fp);
		}
		if (h->target != NULL)
			quoted(fp, h->target);
		else
			(void)fputs("local", fp);
		(void)fputc('\n', fp);
	}
}

static void
dump_schemes(FILE *fp, const enum conf_scheme *s, int n, int depth)
{
	int i;

	indent(fp, depth);
	(void)fputs("schemes", fp);
	for (i = 0; i < n; i++)
		(void)fprintf(fp, " %s", s[i] == CONF_SCHEME_KERBEROS ?
		    "kerberos" : "ntlm");
	(void)fputc('\n', fp);
}

static void
dump_rules(FILE *fp, const struct conf_access_rule *r, int depth)
{
	static const char *const kinds[] = { "any", "user", "group",
	    "domain" };

	for (; r != NULL; r = r->next) {
		indent(fp, depth);
		(void)fprintf(fp, "%s %s", r->allow ? "allow" : "deny",
		    kinds[r->kind]);
		if (r->name != NULL) {
			(void)fputc(' ', fp);
			quoted(fp, r->name);
		}
		(void)fputc('\n', fp);
	}
}

/* The statements that are not one plain value; base is the block's. */
static void
dump_custom(FILE *fp, const struct sipsa_conf *c,
    const struct conf_directive *d, const void *base, int depth)
{
	const struct conf_auth *a = &c->auth;
	const struct conf_realm *tr;
	const struct conf_listen *l;
	const struct conf_route *r;
	char **dom;

	if (d->block == CONF_B_LISTEN) {
		l = base;
		if (strcmp(d->name, "schemes") == 0 && l->nschemes > 0)
			dump_schemes(fp, l->schemes, l->nschemes, depth);
		/* allow and deny in their order, at "allow". */
		if (strcmp(d->name, "allow") == 0)
			dump_rules(fp, l->access, depth);
		return;
	}
	if (d->block == CONF_B_METRICS) {
		if (c->metrics.port != 0) {
			indent(fp, depth);
			(void)fprintf(fp, "listen %s %u\n", c->metrics.address,
			    c->metrics.port);
		}
		return;
	}
	if (d->block == CONF_B_ACCESS) {
		if (strcmp(d->name, "allow") == 0)
			dump_rules(fp, c->access.rules, depth);
		return;
	}
	if (d->block == CONF_B_HOME) {
		if (strcmp(d->name, "user") == 0)
			dump_homes(fp, c, depth);
		return;
	}
	if (strcmp(d->name, "listen") == 0) {
		for (l = c->listeners; l != NULL; l = l->next) {
			(void)fprintf(fp, "listen %s %s %u {\n",
			    conf_transport_name(l->transport), l->address,
			    l->port);
			dump_block(fp, c, CONF_B_LISTEN, l, depth + 1);
			(void)fputs("}\n", fp);
		}
	} else if (strcmp(d->name, "schemes") == 0) {
		dump_schemes(fp, a->schemes, a->nschemes, depth);
	} else if (strcmp(d->name, "replay-cache") == 0) {
		indent(fp, depth);
		(void)fputs("replay-cache ", fp);
		if (a->rcache_dir != NULL)
			quoted(fp, a->rcache_dir);
		else
			(void)fputs("none", fp);
		(void)fputc('\n', fp);
	} else if (strcmp(d->name, "trusted-realm") == 0) {
		for (tr = a->trusted_realms; tr != NULL; tr = tr->next) {
			indent(fp, depth);
			(void)fputs("trusted-realm ", fp);
			quoted(fp, tr->realm);
			if (tr->domain != NULL) {
				(void)fputc(' ', fp);
				quoted(fp, tr->domain);
			}
			(void)fputc('\n', fp);
		}
	} else if (strcmp(d->name, "users") == 0) {
		if (a->ntlm_source == CONF_NTLM_USERS_WINBIND) {
			indent(fp, depth);
			(void)fputs("users winbind\n", fp);
		} else if (a->ntlm_user_file != NULL) {
			indent(fp, depth);
			(void)fputs("users file ", fp);
			quoted(fp, a->ntlm_user_file);
			(void)fputc('\n', fp);
		}
	} else if (strcmp(d->name, "domain") == 0) {
		for (dom = c->registrar.domains; dom != NULL && *dom != NULL;
		    dom++) {
			indent(fp, depth);
			(void)fputs("domain ", fp);
			quoted(fp, *dom);
			(void)fputc('\n', fp);
		}
	} else if (strcmp(d->name, "uri") == 0) {
		for (dom = c->dir.uris; dom != NULL && *dom != NULL; dom++) {
			indent(fp, depth);
			(void)fputs("uri ", fp);
			quoted(fp, *dom);
			(void)fputc('\n', fp);
		}
	} else if (strcmp(d->name, "attributes") == 0 &&
	    c->dir.attributes != NULL) {
		indent(fp, depth);
		(void)fputs("attributes", fp);
		for (dom = c->dir.attributes; *dom != NULL; dom++)
			(void)fprintf(fp, " %s", *dom);
		(void)fputc('\n', fp);
	} else if (strcmp(d->name, "socket") == 0) {
		indent(fp, depth);
		(void)fputs("socket ", fp);
		if (c->control.socket != NULL)
			quoted(fp, c->control.socket);
		else
			(void)fputs("none", fp);
		(void)fputc('\n', fp);
	} else if (strcmp(d->name, "mode") == 0) {
		indent(fp, depth);
		(void)fprintf(fp, "mode %04o\n", c->control.mode);
	} else if (strcmp(d->name, "route") == 0) {
		for (r = c->routes; r != NULL; r = r->next) {
			(void)fputs("route ", fp);
			quoted(fp, r->domain);
			(void)fputc(' ', fp);
			quoted(fp, r->next_hop);
			(void)fputc('\n', fp);
		}
	}
}

static void
dump_block(FILE *fp, const struct sipsa_conf *c, enum conf_block b,
    const void *base, int depth)
{
	const struct conf_directive *d;
	const char *p, *s;
	char buf[32];
	unsigned v;
	int e, i;
	size_t k;

	for (k = 0; k < conf_ndirectives; k++) {
		d = &conf_directives[k];
		if (d->block != b)
			continue;
		p = (const char *)base + d->off;
		if (d->type == CONF_T_BLOCK) {
			/* No directory: no block (one without uri is an
			   error). */
			if ((d->child == CONF_B_DIRECTORY &&
			    c->dir.uris == NULL && c->dir.srv == NULL) ||
			    (d->child == CONF_B_METRICS &&
			    c->metrics.port == 0))
				continue;
			indent(fp, depth);
			(void)fprintf(fp, "%s {\n", d->name);
			dump_block(fp, c, d->child, c, depth + 1);
			indent(fp, depth);
			(void)fputs("}\n", fp);
			continue;
		}
		if (d->type == CONF_T_CUSTOM) {
			dump_custom(fp, c, d, base, depth);
			continue;
		}
		if (d->type == CONF_T_STRING || d->type == CONF_T_PATH) {
			memcpy(&s, p, sizeof(s));
			if (s == NULL)
				continue;
			indent(fp, depth);
			(void)fprintf(fp, "%s ", d->name);
			quoted(fp, s);
			(void)fputc('\n', fp);
			continue;
		}
		indent(fp, depth);
		(void)fprintf(fp, "%s ", d->name);
		if (d->type == CONF_T_ENUM) {
			memcpy(&e, p, sizeof(e));
			for (i = 0; d->names[i] != NULL; i++)
				if (d->values[i] == e)
					break;
			(void)fprintf(fp, "%s\n", d->names[i] != NULL ?
			    d->names[i] : "?");
			continue;
		}
		memcpy(&v, p, sizeof(v));
		if (d->type == CONF_T_DURATION)
			(void)fprintf(fp, "%s\n",
			    conf_fmt_duration(v, buf, sizeof(buf)));
		else
			(void)fprintf(fp, "%u%s\n", v,
			    d->type == CONF_T_PERCENT ? "%" : "");
	}
}

void
conf_dump(const struct sipsa_conf *conf, FILE *fp)
{
	(void)fprintf(fp, "# effective configuration of %s\n", conf->path);
	dump_block(fp, conf, CONF_B_TOP, conf, 0);
}
