/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf/value.c: parsing and storing plain values (numbers, durations,
 * percentages, words from a list, strings and paths) as the directive
 * table describes them, and setting the table defaults.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_int.h"

/* Digits only, no sign, no overflow. */
static int
parse_uint(const char *s, const char **end, unsigned *v)
{
	unsigned long long n = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		n = n * 10 + (unsigned)(*s - '0');
		if (n > UINT_MAX)
			return -1;
	}
	*end = s;
	*v = (unsigned)n;
	return 0;
}

/* "300" and "300s" are seconds; m, h and d multiply. */
static int
parse_duration(const char *s, unsigned *v)
{
	unsigned long long n;
	unsigned mult = 1;
	const char *end;

	if (parse_uint(s, &end, v) != 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	n = (unsigned long long)*v * mult;
	if (n > UINT_MAX)
		return -1;
	*v = (unsigned)n;
	return 0;
}

static void
fmt_value(const struct conf_directive *d, unsigned v, char *buf, size_t len)
{
	if (d->type == CONF_T_DURATION)
		(void)conf_fmt_duration(v, buf, len);
	else
		(void)snprintf(buf, len, "%u%s", v,
		    d->type == CONF_T_PERCENT ? "%" : "");
}

/* Parse tok as a value of d and store it at base + d->off. */
int
conf_set_value(struct conf_ctx *ctx, const struct conf_directive *d,
    const struct conf_tok *tok, void *base)
{
	char *p = (char *)base + d->off, lo[32], hi[32], list[128];
	const char *end, *s = tok->text;
	unsigned v;
	size_t n;
	int i, ok;

	switch (d->type) {
	case CONF_T_STRING:
	case CONF_T_PATH:
		if (*s == '\0') {
			conf_error(ctx, &tok->pos, "%s: empty value", d->name);
			return -1;
		}
		if (d->check != NULL && d->check(ctx, d, tok) != 0)
			return -1;
		if ((s = conf_strdup(ctx, s)) == NULL)
			return -1;
		memcpy(p, &s, sizeof(s));
		return 0;
	case CONF_T_ENUM:
		for (i = 0; d->names[i] != NULL; i++)
			if (strcmp(d->names[i], s) == 0) {
				memcpy(p, &d->values[i], sizeof(int));
				return 0;
			}
		for (i = 0, n = 0; d->names[i] != NULL && n < sizeof(list);
		    i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n,
			    "%s%s", i == 0 ? "" : d->names[i + 1] == NULL ?
			    " or " : ", ", d->names[i]);
		conf_error(ctx, &tok->pos, "%s: expected %s, not \"%s\"",
		    d->name, list, s);
		return -1;
	case CONF_T_UINT:
		ok = parse_uint(s, &end, &v) == 0 && *end == '\0';
		if (!ok)
			conf_error(ctx, &tok->pos, "%s: expected a number, not "
			    "\"%s\"", d->name, s);
		break;
	case CONF_T_DURATION:
		ok = parse_duration(s, &v) == 0;
		if (!ok)
			conf_error(ctx, &tok->pos, "%s: expected a duration "
			    "(300, 30s, 15m, 8h, 1d), not \"%s\"", d->name, s);
		break;
	case CONF_T_PERCENT:
		ok = parse_uint(s, &end, &v) == 0 && strcmp(end, "%") == 0;
		if (!ok)
			conf_error(ctx, &tok->pos, "%s: expected a percentage "
			    "such as 10%%, not \"%s\"", d->name, s);
		break;
	default:
		return -1;
	}
	if (!ok)
		return -1;
	if (v < d->min || v > d->max) {
		fmt_value(d, d->min, lo, sizeof(lo));
		fmt_value(d, d->max, hi, sizeof(hi));
		conf_error(ctx, &tok->pos, "%s %s is out of range (%s..%s)",
		    d->name, s, lo, hi);
		return -1;
	}
	memcpy(p, &v, sizeof(v));
	return 0;
}

/* Table defaults of one block, stored into base. */
static void
block_defaults(struct conf_ctx *ctx, enum conf_block b, void *base)
{
	struct conf_tok tok;
	size_t i;

	for (i = 0; i < conf_ndirectives; i++) {
		const struct conf_directive *d = &conf_directives[i];

		if (d->block != b || d->def == NULL ||
		    d->type == CONF_T_CUSTOM)
			continue;
		memset(&tok, 0, sizeof(tok));
		tok.type = CONF_TOK_WORD;
		tok.pos = ctx->priv->origin;
		tok.text = (char *)d->def;
		(void)conf_set_value(ctx, d, &tok, base);
	}
}

void
conf_listen_defaults(struct conf_ctx *ctx, struct conf_listen *l)
{
	block_defaults(ctx, CONF_B_LISTEN, l);
}

void
conf_set_defaults(struct conf_ctx *ctx)
{
	struct sipsa_conf *conf = ctx->conf;
	size_t i;

	for (i = CONF_B_TOP; i <= CONF_B_LOG; i++)
		if (i != CONF_B_LISTEN)
			block_defaults(ctx, (enum conf_block)i, conf);
	/* The defaults of the custom directives ("def" in the table). */
	conf->auth.schemes[0] = CONF_SCHEME_KERBEROS;
	conf->auth.schemes[1] = CONF_SCHEME_NTLM;
	conf->auth.nschemes = 2;
	conf->auth.ntlm_source = CONF_NTLM_USERS_FILE;
	conf->control.mode = 0660;
}
