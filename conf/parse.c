/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf/parse.c: the sipsa.conf statement parser.  It turns tokens into a
 * tree of statements (a directive name, its arguments, an optional block)
 * and splices included files in place of their include statement.
 */
#include "config.h"

#include <string.h>

#include "conf/conf.h"
#include "conf/conf_int.h"

struct parser {
	struct conf_ctx		*ctx;
	struct conf_lex		*lex;
	struct conf_tok		 back;		/* pushed-back token */
	int			 has_back;
	int			 apply;		/* apply top-level statements */
};

static void
next(struct parser *p, struct conf_tok *tok)
{
	if (p->has_back) {
		*tok = p->back;
		p->has_back = 0;
	} else
		conf_lex_next(p->ctx, p->lex, tok);
}

static void
push_back(struct parser *p, const struct conf_tok *tok)
{
	p->back = *tok;
	p->has_back = 1;
}

static struct conf_node *parse_list(struct parser *,
    const struct conf_tok *);

/*
 * include "file": a relative name is taken from the directory of the file
 * that includes it.  Returns the statements of the included file.
 */
static struct conf_node *
include(struct parser *p, struct conf_node *n, int apply)
{
	struct conf_ctx *ctx = p->ctx;
	struct conf_lex *lex;
	struct conf_node *list;
	const char *name, *slash;
	char *path, *dir;

	if (n->argc != 2 || n->has_block) {
		conf_error(ctx, &n->argv[0].pos,
		    "include takes one file name: include \"file\"");
		return NULL;
	}
	if (ctx->depth >= CONF_MAX_INCLUDE) {
		conf_error(ctx, &n->argv[1].pos, "includes nested deeper "
		    "than %d levels", CONF_MAX_INCLUDE);
		return NULL;
	}
	name = n->argv[1].text;
	if (name[0] == '\0') {
		conf_error(ctx, &n->argv[1].pos, "empty include file name");
		return NULL;
	}
	if (name[0] == '/' || p->lex->dir[0] == '\0')
		path = conf_arena_strdup(&ctx->tmp, name);
	else if (strcmp(p->lex->dir, "/") == 0)
		path = conf_arena_printf(&ctx->tmp, "/%s", name);
	else
		path = conf_arena_printf(&ctx->tmp, "%s/%s", p->lex->dir,
		    name);
	if (path == NULL) {
		conf_nomem(ctx);
		return NULL;
	}
	slash = strrchr(path, '/');
	dir = conf_arena_printf(&ctx->tmp, "%.*s",
	    slash ? (int)(slash - path) + (slash == path) : 0, path);
	if (dir == NULL) {
		conf_nomem(ctx);
		return NULL;
	}
	if (conf_lex_open(ctx, path, dir, &n->argv[1].pos, &lex) != 0)
		return NULL;
	list = conf_parse_file(ctx, lex, apply);
	conf_lex_close(lex);
	return list;
}

/*
 * One statement, its first token already read.  Returns the node, or NULL
 * when the statement was wrong (already reported) or an include.
 */
static struct conf_node *
statement(struct parser *p, struct conf_tok *first, struct conf_node ***tailp,
    int apply)
{
	struct conf_ctx *ctx = p->ctx;
	struct conf_tok argv[CONF_MAX_ARGS], tok;
	struct conf_node *n, *inc;
	int argc = 0, bad = 0;

	argv[argc++] = *first;
	if (first->type == CONF_TOK_ERROR)
		bad = 1;
	else if (first->type == CONF_TOK_STRING) {
		conf_error(ctx, &first->pos, "expected a directive name, "
		    "not the string \"%s\"", first->text);
		bad = 1;
	}
	if ((n = conf_arena_alloc(&ctx->tmp, sizeof(*n))) == NULL) {
		conf_nomem(ctx);
		return NULL;
	}
	for (;;) {
		next(p, &tok);
		if (tok.type == CONF_TOK_WORD || tok.type == CONF_TOK_STRING) {
			if (argc < CONF_MAX_ARGS)
				argv[argc++] = tok;
			else if (!bad) {
				conf_error(ctx, &tok.pos, "more than %d "
				    "words in one statement", CONF_MAX_ARGS);
				bad = 1;
			}
		} else if (tok.type == CONF_TOK_ERROR)
			bad = 1;
		else if (tok.type == CONF_TOK_LBRACE) {
			n->has_block = 1;
			n->child = parse_list(p, first);
			break;
		} else {
			if (tok.type != CONF_TOK_EOL)
				push_back(p, &tok);
			break;
		}
	}
	if (bad || ctx->stopped)
		return NULL;
	n->argc = argc;
	n->argv = conf_arena_alloc(&ctx->tmp, argc * sizeof(*argv));
	if (n->argv == NULL) {
		conf_nomem(ctx);
		return NULL;
	}
	memcpy(n->argv, argv, argc * sizeof(*argv));
	if (first->type == CONF_TOK_WORD &&
	    strcmp(first->text, "include") == 0) {
		for (inc = include(p, n, apply); inc != NULL; inc = inc->next) {
			**tailp = inc;
			*tailp = &inc->next;
		}
		return NULL;
	}
	return n;
}

/*
 * Statements up to the "}" that closes opener, or to the end of the file
 * when opener is NULL.  In apply mode each top-level statement is applied
 * as soon as it is complete (and not returned), so that errors come out in
 * file order.
 */
static struct conf_node *
parse_list(struct parser *p, const struct conf_tok *opener)
{
	struct conf_ctx *ctx = p->ctx;
	struct conf_node *head = NULL, **tail = &head, *n;
	struct conf_tok tok;
	int apply = p->apply && opener == NULL;

	while (!ctx->stopped) {
		next(p, &tok);
		switch (tok.type) {
		case CONF_TOK_EOF:
			if (opener != NULL)
				conf_error(ctx, &opener->pos, "block \"%s\" "
				    "is not closed (missing \"}\")",
				    opener->text);
			return head;
		case CONF_TOK_RBRACE:
			if (opener != NULL)
				return head;
			conf_error(ctx, &tok.pos, "unexpected \"}\"");
			break;
		case CONF_TOK_EOL:
			break;
		case CONF_TOK_LBRACE:
			conf_error(ctx, &tok.pos, "block without a directive");
			tok.text = (char *)"{";
			(void)parse_list(p, &tok);
			break;
		default:
			if ((n = statement(p, &tok, &tail, apply)) == NULL)
				break;
			if (apply)
				conf_apply(ctx, n, CONF_B_TOP);
			else {
				*tail = n;
				tail = &n->next;
			}
			break;
		}
	}
	return head;
}

struct conf_node *
conf_parse_file(struct conf_ctx *ctx, struct conf_lex *lex, int apply)
{
	struct parser p;
	struct conf_node *list;

	memset(&p, 0, sizeof(p));
	p.ctx = ctx;
	p.lex = lex;
	p.apply = apply;
	lex->parent = ctx->lex;
	ctx->lex = lex;
	ctx->depth++;
	list = parse_list(&p, NULL);
	ctx->depth--;
	ctx->lex = lex->parent;
	return list;
}
