/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf/conf_int.h: what the files of conf/ share and nobody else uses: the
 * allocation arena, tokens and the parse tree, the load context and the
 * directive table (the schema of sipsa.conf).
 */
#ifndef SIPSA_CONF_INT_H
#define SIPSA_CONF_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include "conf/conf.h"

/* The largest configuration file read (bytes) and the deepest include. */
#define CONF_MAX_FILE		(1024 * 1024)
#define CONF_MAX_INCLUDE	16
#define CONF_MAX_ARGS		32
#define CONF_MAX_TOKEN		4096

/*
 * An arena owns every block allocated through it; conf_arena_free()
 * releases them all at once.  Allocations are zeroed.  A snapshot keeps
 * all of its values in one arena; the parse tree lives in another one that
 * goes away when loading ends.
 */
struct conf_chunk;
struct conf_arena {
	struct conf_chunk	*chunks;
};
void	*conf_arena_alloc(struct conf_arena *, size_t);

/*
 * Every allocation of conf/ goes through conf_calloc().  Tests set
 * conf_alloc_budget to the number of allocations that may still succeed
 * (-1, the default: no limit) to check each failure path.
 */
extern long conf_alloc_budget;
void	*conf_calloc(size_t);
char	*conf_arena_strdup(struct conf_arena *, const char *);
char	*conf_arena_printf(struct conf_arena *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 conf_arena_free(struct conf_arena *);

enum conf_tok_type {
	CONF_TOK_WORD,			/* bare word */
	CONF_TOK_STRING,		/* "quoted", text without quotes */
	CONF_TOK_LBRACE,
	CONF_TOK_RBRACE,
	CONF_TOK_EOL,
	CONF_TOK_EOF,
	CONF_TOK_ERROR,			/* already reported */
};

struct conf_tok {
	enum conf_tok_type	 type;
	struct conf_pos		 pos;
	char			*text;	/* in the parse arena */
};

/* One file being read; files on the include stack are linked by parent. */
struct conf_lex {
	const char		*name;	/* in the snapshot arena */
	char			*dir;	/* includes resolve here; "" = cwd */
	const char		*buf;
	size_t			 len;
	size_t			 off;
	int			 line;
	int			 col;
	int			 has_id;
	dev_t			 dev;
	ino_t			 ino;
	struct conf_lex		*parent;
};

/* A statement: argv[0] is the directive name, child its block, if any. */
struct conf_node {
	struct conf_tok		*argv;
	int			 argc;
	int			 has_block;
	struct conf_node	*child;
	struct conf_node	*next;
};

/* The blocks of the grammar; directives are looked up per block. */
enum conf_block {
	CONF_B_ANY,			/* include: valid everywhere */
	CONF_B_TOP,
	CONF_B_SERVER,
	CONF_B_LISTEN,
	CONF_B_AUTH,
	CONF_B_KERBEROS,
	CONF_B_NTLM,
	CONF_B_SA,
	CONF_B_GUARD,
	CONF_B_CONN,
	CONF_B_REGISTRAR,
	CONF_B_HOME,
	CONF_B_DIRECTORY,
	CONF_B_ACCESS,
	CONF_B_METRICS,
	CONF_B_CONTROL,
	CONF_B_LOG,			/* last: loops end at it */
};

enum conf_type {
	CONF_T_BLOCK,
	CONF_T_STRING,
	CONF_T_PATH,
	CONF_T_UINT,			/* unsigned, [min, max] */
	CONF_T_DURATION,		/* seconds: 300, 30s, 15m, 8h, 1d */
	CONF_T_PERCENT,			/* 10% */
	CONF_T_ENUM,			/* word from names[], stored as int */
	CONF_T_CUSTOM,			/* a handler parses the statement */
};

#define CONF_F_REPEAT	0x01	/* may appear more than once */
#define CONF_F_SECRET	0x02	/* names a file that holds a secret */
#define CONF_F_BLOCKOK	0x04	/* takes an optional block (listen) */

struct conf_ctx;
struct conf_directive;

typedef int conf_handler_fn(struct conf_ctx *, const struct conf_directive *,
    struct conf_node *);
/* A validator reports its own error and returns -1, or returns 0. */
typedef int conf_check_fn(struct conf_ctx *, const struct conf_directive *,
    const struct conf_tok *);

struct conf_directive {
	enum conf_block		 block;		/* where it may appear */
	const char		*name;
	enum conf_type		 type;
	size_t			 off;		/* in sipsa_conf, conf_listen */
	unsigned		 min;
	unsigned		 max;
	const char *const	*names;		/* CONF_T_ENUM words */
	const int		*values;	/* CONF_T_ENUM values */
	const char		*def;		/* default, parsed like input */
	int			 flags;
	enum conf_block		 child;		/* CONF_T_BLOCK, BLOCKOK */
	conf_handler_fn		*handler;	/* CONF_T_CUSTOM */
	conf_check_fn		*check;		/* extra validation, or NULL */
	const char		*what;		/* CONF_F_SECRET: file's name in
						   messages ("TLS key") */
};

extern const struct conf_directive conf_directives[];
extern const size_t conf_ndirectives;

/* Index of a directive in the table, or -1. */
int	 conf_directive_find(enum conf_block, const char *name);
int	 conf_directive_index(const struct conf_directive *);
const char *conf_block_name(enum conf_block);

/* Where a directive was written: its name and its first value. */
struct conf_where {
	struct conf_pos		 dir;		/* file NULL: not written */
	struct conf_pos		 val;
};

/* A listener with the positions of the directives of its block. */
struct conf_listen_x {
	struct conf_listen	 l;		/* first: lists hold &l */
	struct conf_where	*where;		/* per directive index */
};

/* Storage behind sipsa_conf.priv. */
struct conf_priv {
	struct conf_arena	 arena;		/* all values of the snapshot */
	struct conf_where	*where;		/* per directive index */
	struct conf_pos		 origin;	/* main file, line 1, col 1 */
	int			 rcache_none;	/* replay-cache none */
	int			 control_none;	/* control { socket none } */
	size_t			 ndomains;
};

struct conf_ctx {
	struct sipsa_conf	*conf;
	struct conf_priv	*priv;
	struct conf_arena	 tmp;		/* tokens and parse tree */
	conf_err_fn		*err;
	void			*arg;
	int			 check_secrets;
	int			 nerrors;
	int			 stopped;	/* error cap or no memory */
	struct conf_lex		*lex;		/* top of the include stack */
	int			 depth;
	struct conf_listen_x	*cur_listen;	/* block being applied */
	struct conf_where	*where;		/* priv or listener positions */
	struct conf_listen	**listen_tail;
	struct conf_home	**home_tail;
	struct conf_route	**route_tail;
};

/* conf.c */
void	 conf_error(struct conf_ctx *, const struct conf_pos *, const char *,
	    ...) __attribute__((format(printf, 3, 4)));
void	 conf_warn(struct conf_ctx *, const struct conf_pos *, const char *,
	    ...) __attribute__((format(printf, 3, 4)));
void	 conf_nomem(struct conf_ctx *);
char	*conf_strdup(struct conf_ctx *, const char *);

/* lex.c */
int	 conf_lex_open(struct conf_ctx *, const char *name, const char *dir,
	    const struct conf_pos *, struct conf_lex **);
void	 conf_lex_buf(struct conf_lex *, const char *name, const char *buf,
	    size_t len);
void	 conf_lex_close(struct conf_lex *);
void	 conf_lex_next(struct conf_ctx *, struct conf_lex *,
	    struct conf_tok *);

/*
 * parse.c: the statements of one file (and of its includes), or with
 * apply != 0 applies them at the top level one by one and returns NULL.
 */
struct conf_node *conf_parse_file(struct conf_ctx *, struct conf_lex *,
	    int apply);

/* directives.c, apply.c */
void	 conf_set_defaults(struct conf_ctx *);
void	 conf_listen_defaults(struct conf_ctx *, struct conf_listen *);
int	 conf_set_value(struct conf_ctx *, const struct conf_directive *,
	    const struct conf_tok *, void *base);
void	 conf_apply(struct conf_ctx *, struct conf_node *, enum conf_block);
int	 conf_need_args(struct conf_ctx *, struct conf_node *, int min,
	    int max, const char *usage);

/* validate.c, secrets.c */
void	 conf_validate(struct conf_ctx *);
int	 conf_secret_check(const char *what, const char *path, uid_t uid,
	    char *msg, size_t msglen);
void	 conf_check_secrets(struct conf_ctx *);

/* dump.c */
const char *conf_fmt_duration(unsigned, char *, size_t);

#endif /* SIPSA_CONF_INT_H */
