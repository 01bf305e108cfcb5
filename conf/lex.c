/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf/lex.c: the sipsa.conf lexer.  It splits a file into words, quoted
 * strings, braces and line ends, each with its file:line:col, and opens
 * included files (refusing loops).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_int.h"

/*
 * Open and read a whole file.  pos is where the include was written (NULL
 * for the main file, whose errors carry no line).  A file already on the
 * include stack (same device and inode, or the same name) is a loop.
 */
int
conf_lex_open(struct conf_ctx *ctx, const char *name, const char *dir,
    const struct conf_pos *pos, struct conf_lex **lex_out)
{
	struct conf_pos fpos;
	struct conf_lex *lex = NULL, *up;
	struct stat st;
	size_t got = 0;
	ssize_t n;
	char *buf;
	int fd, rc = -1;

	*lex_out = NULL;
	if (pos == NULL) {
		fpos = ctx->priv->origin;
		fpos.line = fpos.col = 0;
		pos = &fpos;
	}
	/* O_NONBLOCK: a FIFO must not hang the load; fstat refuses it. */
	if ((fd = open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		conf_error(ctx, pos, "cannot open \"%s\": %s", name,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		conf_error(ctx, pos, "cannot stat \"%s\": %s", name,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		conf_error(ctx, pos, "\"%s\" is not a regular file", name);
		goto out;
	}
	if (st.st_size > CONF_MAX_FILE) {
		conf_error(ctx, pos, "\"%s\" is larger than %d bytes", name,
		    CONF_MAX_FILE);
		goto out;
	}
	for (up = ctx->lex; up != NULL; up = up->parent) {
		if ((up->has_id && up->dev == st.st_dev &&
		    up->ino == st.st_ino) || strcmp(up->name, name) == 0) {
			conf_error(ctx, pos, "include loop: \"%s\" is already "
			    "being read", name);
			goto out;
		}
	}
	if ((lex = conf_calloc(sizeof(*lex) + (size_t)st.st_size + 1)) ==
	    NULL) {
		conf_nomem(ctx);
		goto out;
	}
	buf = (char *)(lex + 1);
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			conf_error(ctx, pos, "cannot read \"%s\": %s", name,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if ((name = conf_strdup(ctx, name)) == NULL)
		goto out;
	conf_lex_buf(lex, name, buf, got);
	lex->dir = (char *)dir;
	lex->has_id = 1;
	lex->dev = st.st_dev;
	lex->ino = st.st_ino;
	*lex_out = lex;
	lex = NULL;
	rc = 0;
 out:
	free(lex);
	(void)close(fd);
	return rc;
}

void
conf_lex_buf(struct conf_lex *lex, const char *name, const char *buf,
    size_t len)
{
	memset(lex, 0, sizeof(*lex));
	lex->name = name;
	lex->dir = (char *)"";
	lex->buf = buf;
	lex->len = len;
	lex->line = 1;
	lex->col = 1;
	/* A UTF-8 byte order mark is not part of the first statement. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		lex->off = 3;
}

void
conf_lex_close(struct conf_lex *lex)
{
	free(lex);
}

static int
is_word_char(int c)
{
	return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '{' &&
	    c != '}' && c != '"' && c != '#' && c != '\0';
}

static void
advance(struct conf_lex *lex)
{
	if (lex->buf[lex->off] == '\n') {
		lex->line++;
		lex->col = 1;
	} else
		lex->col++;
	lex->off++;
}

/*
 * The next token.  Errors (unterminated string, NUL byte, over-long
 * token) are reported here and returned as CONF_TOK_ERROR; the line end
 * after them is still returned, so the parser can resynchronise.
 */
void
conf_lex_next(struct conf_ctx *ctx, struct conf_lex *lex,
    struct conf_tok *tok)
{
	char text[CONF_MAX_TOKEN + 1];
	size_t n = 0;
	int c, toolong = 0;

	memset(tok, 0, sizeof(*tok));
	for (;;) {
		if (lex->off >= lex->len)
			break;
		c = lex->buf[lex->off];
		if (c == '#') {
			while (lex->off < lex->len &&
			    lex->buf[lex->off] != '\n')
				advance(lex);
		} else if (c == ' ' || c == '\t' || c == '\r')
			advance(lex);
		else if (c == '\0') {
			tok->pos = (struct conf_pos){ lex->name, lex->line,
			    lex->col };
			conf_error(ctx, &tok->pos, "NUL byte in file");
			advance(lex);
		} else
			break;
	}
	tok->pos = (struct conf_pos){ lex->name, lex->line, lex->col };
	if (lex->off >= lex->len) {
		tok->type = CONF_TOK_EOF;
		return;
	}
	c = lex->buf[lex->off];
	if (c == '\n' || c == '{' || c == '}') {
		tok->type = c == '\n' ? CONF_TOK_EOL :
		    c == '{' ? CONF_TOK_LBRACE : CONF_TOK_RBRACE;
		advance(lex);
		return;
	}
	if (c == '"') {
		tok->type = CONF_TOK_STRING;
		advance(lex);
		for (;;) {
			if (lex->off >= lex->len ||
			    lex->buf[lex->off] == '\n') {
				conf_error(ctx, &tok->pos,
				    "unterminated string");
				tok->type = CONF_TOK_ERROR;
				return;
			}
			c = lex->buf[lex->off];
			advance(lex);
			if (c == '"')
				break;
			if (c == '\\' && lex->off < lex->len &&
			    (lex->buf[lex->off] == '"' ||
			    lex->buf[lex->off] == '\\')) {
				c = lex->buf[lex->off];
				advance(lex);
			} else if (c == '\0') {
				conf_error(ctx, &tok->pos,
				    "NUL byte in string");
				toolong = 1;
			}
			if (n < CONF_MAX_TOKEN)
				text[n++] = (char)c;
			else if (!toolong) {
				conf_error(ctx, &tok->pos, "string longer "
				    "than %d bytes", CONF_MAX_TOKEN);
				toolong = 1;
			}
		}
	} else {
		tok->type = CONF_TOK_WORD;
		while (lex->off < lex->len &&
		    is_word_char(lex->buf[lex->off])) {
			if (n < CONF_MAX_TOKEN)
				text[n++] = lex->buf[lex->off];
			else if (!toolong) {
				conf_error(ctx, &tok->pos, "word longer than "
				    "%d bytes", CONF_MAX_TOKEN);
				toolong = 1;
			}
			advance(lex);
		}
	}
	if (toolong) {
		tok->type = CONF_TOK_ERROR;
		return;
	}
	text[n] = '\0';
	if ((tok->text = conf_arena_strdup(&ctx->tmp, text)) == NULL) {
		conf_nomem(ctx);
		tok->type = CONF_TOK_ERROR;
	}
}
