/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf/conf.c: loading a sipsa.conf snapshot (parse, apply, validate), its
 * allocation arena and the error sink with the file:line:col format.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "conf"
#include "log/log.h"

#include "conf/conf.h"
#include "conf/conf_int.h"

/*
 * The arena hands out zeroed, aligned pieces of chunks.  A request larger
 * than a quarter chunk gets a chunk of its own, so waste stays small.
 */
#define CHUNK_SIZE	8192
#define ALIGN		(sizeof(max_align_t))

long conf_alloc_budget = -1;

void *
conf_calloc(size_t len)
{
	if (conf_alloc_budget == 0)
		return NULL;
	if (conf_alloc_budget > 0)
		conf_alloc_budget--;
	return calloc(1, len);
}

struct conf_chunk {
	struct conf_chunk	*next;
	size_t			 used;
	size_t			 size;
	max_align_t		 data[];
};

void *
conf_arena_alloc(struct conf_arena *a, size_t len)
{
	struct conf_chunk *c = a->chunks;
	size_t need = (len + ALIGN - 1) & ~(ALIGN - 1), size;
	void *p;

	if (len == 0 || len > SIZE_MAX / 2)
		return NULL;
	if (c == NULL || c->size - c->used < need) {
		size = need > CHUNK_SIZE / 4 ? need : CHUNK_SIZE;
		if ((c = conf_calloc(sizeof(*c) + size)) == NULL)
			return NULL;
		c->size = size;
		if (a->chunks != NULL && need > CHUNK_SIZE / 4) {
			/* Keep the partly used chunk in front. */
			c->next = a->chunks->next;
			a->chunks->next = c;
		} else {
			c->next = a->chunks;
			a->chunks = c;
		}
	}
	p = (char *)c->data + c->used;
	c->used += need;
	return p;
}

char *
conf_arena_strdup(struct conf_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if ((p = conf_arena_alloc(a, n)) != NULL)
		memcpy(p, s, n);
	return p;
}

char *
conf_arena_printf(struct conf_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = conf_arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	(void)vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
conf_arena_free(struct conf_arena *a)
{
	struct conf_chunk *c, *next;

	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->chunks = NULL;
}

static void
emit(struct conf_ctx *ctx, const char *line)
{
	if (ctx->err != NULL)
		ctx->err(line, ctx->arg);
	else
		(void)fprintf(stderr, "%s\n", line);
}

static void
format_pos(char *buf, size_t len, const struct conf_pos *pos)
{
	if (pos->line > 0)
		(void)snprintf(buf, len, "%s:%d:%d: ", pos->file, pos->line,
		    pos->col);
	else
		(void)snprintf(buf, len, "%s: ", pos->file);
}

/*
 * Report one error.  The CONF_MAX_ERRORS+1st error is not shown; a final
 * line says that reading stopped, and every later error is dropped.
 */
void
conf_error(struct conf_ctx *ctx, const struct conf_pos *pos, const char *fmt,
    ...)
{
	char line[2048];
	size_t n;
	va_list ap;

	if (ctx->stopped)
		return;
	format_pos(line, sizeof(line), pos);
	n = strlen(line);
	if (ctx->nerrors >= CONF_MAX_ERRORS) {
		(void)snprintf(line + n, sizeof(line) - n,
		    "too many errors, stopping after %d", CONF_MAX_ERRORS);
		emit(ctx, line);
		ctx->stopped = 1;
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	emit(ctx, line);
	ctx->nerrors++;
}

/* Warnings do not count as errors; they go to the logging facade. */
void
conf_warn(struct conf_ctx *ctx, const struct conf_pos *pos, const char *fmt,
    ...)
{
	char line[2048];
	size_t n;
	va_list ap;

	format_pos(line, sizeof(line), pos);
	n = strlen(line);
	va_start(ap, fmt);
	(void)vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	log_warnx("%s", line);
}

void
conf_nomem(struct conf_ctx *ctx)
{
	if (ctx->stopped)
		return;
	conf_error(ctx, &ctx->priv->origin, "out of memory");
	ctx->stopped = 1;
}

char *
conf_strdup(struct conf_ctx *ctx, const char *s)
{
	char *p;

	if ((p = conf_arena_strdup(&ctx->priv->arena, s)) == NULL)
		conf_nomem(ctx);
	return p;
}

void
conf_free(struct sipsa_conf *conf)
{
	struct conf_priv *priv;

	if (conf == NULL)
		return;
	priv = conf->priv;
	conf_arena_free(&priv->arena);
	free(priv);
}

/*
 * Load from a file (buf == NULL) or a buffer.  Steps: set defaults, parse
 * the file and its includes into a tree, apply the tree through the
 * directive table, then (when that found no error) derive the computed
 * defaults and check cross-references and secret files.
 */
static int
load(const char *name, const char *buf, size_t len, int check_secrets,
    conf_err_fn *err, void *arg, struct sipsa_conf **conf_out)
{
	struct conf_ctx ctx;
	struct conf_priv *priv;
	struct conf_lex *lex = NULL, blex;
	const char *slash;
	char *dir;
	int n;

	*conf_out = NULL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.err = err;
	ctx.arg = arg;
	ctx.check_secrets = check_secrets;
	if ((priv = conf_calloc(sizeof(*priv))) == NULL)
		goto nomem;
	ctx.priv = priv;
	ctx.conf = conf_arena_alloc(&priv->arena, sizeof(*ctx.conf));
	priv->where = conf_arena_alloc(&priv->arena,
	    conf_ndirectives * sizeof(*priv->where));
	priv->origin.file = conf_arena_strdup(&priv->arena, name);
	if (ctx.conf == NULL || priv->where == NULL ||
	    priv->origin.file == NULL)
		goto nomem;
	priv->origin.line = 1;
	priv->origin.col = 1;
	ctx.conf->priv = priv;
	ctx.conf->path = (char *)priv->origin.file;
	ctx.where = priv->where;
	ctx.listen_tail = &ctx.conf->listeners;
	ctx.home_tail = &ctx.conf->homes;
	ctx.route_tail = &ctx.conf->routes;

	conf_set_defaults(&ctx);
	slash = strrchr(name, '/');
	dir = conf_arena_printf(&ctx.tmp, "%.*s",
	    slash ? (int)(slash - name) + (slash == name) : 0, name);
	if (dir == NULL)
		conf_nomem(&ctx);
	else if (buf == NULL) {
		if (conf_lex_open(&ctx, name, dir, NULL, &lex) == 0) {
			(void)conf_parse_file(&ctx, lex, 1);
			conf_lex_close(lex);
		}
	} else {
		conf_lex_buf(&blex, priv->origin.file, buf, len);
		blex.dir = dir;
		(void)conf_parse_file(&ctx, &blex, 1);
	}
	if (ctx.nerrors == 0 && !ctx.stopped)
		conf_validate(&ctx);
	if (ctx.nerrors == 0 && !ctx.stopped && check_secrets)
		conf_check_secrets(&ctx);
	conf_arena_free(&ctx.tmp);
	n = ctx.nerrors;
	if (n == 0 && ctx.stopped)
		n = 1;
	if (n > 0) {
		conf_free(ctx.conf);
		return n;
	}
	*conf_out = ctx.conf;
	return 0;

 nomem:
	emit(&ctx, "out of memory");
	if (priv != NULL) {
		conf_arena_free(&priv->arena);
		free(priv);
	}
	return 1;
}

int
conf_load(const char *path, int check_secrets, conf_err_fn *err, void *arg,
    struct sipsa_conf **conf_out)
{
	return load(path, NULL, 0, check_secrets, err, arg, conf_out);
}

int
conf_parse_buf(const char *name, const char *buf, size_t len,
    int check_secrets, conf_err_fn *err, void *arg,
    struct sipsa_conf **conf_out)
{
	if (buf == NULL)
		buf = "";
	return load(name, buf, len, check_secrets, err, arg, conf_out);
}

const char *
conf_transport_name(enum conf_transport tp)
{
	switch (tp) {
	case CONF_TP_UDP:
		return "udp";
	case CONF_TP_TCP:
		return "tcp";
	case CONF_TP_TLS:
		return "tls";
	}
	return "?";
}

const char *
conf_scheme_name(enum conf_scheme s)
{
	switch (s) {
	case CONF_SCHEME_NTLM:
		return "NTLM";
	case CONF_SCHEME_KERBEROS:
		return "Kerberos";
	}
	return "?";
}
