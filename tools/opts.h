/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/opts.h: command-line options read from a table, for sipsa-client
 * and sipsa-bench.  A tool lists each option once: long name, short
 * letter, what its argument is, where it goes and what a bad one is told.
 * opts_parse() makes getopt_long()'s tables from that list and stores
 * each option as it comes, so an option and its checks cannot drift
 * apart.  Checks that tie options together stay with the tool, after
 * opts_parse().
 *
 * An entry is written { OPT_STR(...) } and may add fields after the
 * macro: { OPT_FN(...), .seen = &given, .with_arg = 1 }.  Each OPT_X()
 * makes an entry of kind OPTS_X... whose destination has the right type.
 */
#ifndef SIPSA_TOOLS_OPTS_H
#define SIPSA_TOOLS_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum opts_kind {
	OPTS_FLAG,	/* no argument: the int is set to 1 */
	OPTS_MORE,	/* no argument: the int counts the times given */
	OPTS_STR,	/* the argument, as a const char * */
	OPTS_ARG,	/* the argument, as a char * the tool may edit */
	OPTS_FN,	/* fn(to, size, argument): 0, or -1 for a bad one */
	OPTS_DO,	/* no argument: fn(to, size, NULL), e.g. --version */
	OPTS_HELP,	/* no argument: the usage on standard output, exit 0 */
	/*
	 * Numbers: whole ones (strtol, base 10) in [min, max], then any
	 * that strtod reads, in [rmin, rmax], cut to the type.  opts.c
	 * tells them apart by this order.
	 */
	OPTS_WHOLE_INT,
	OPTS_WHOLE_UINT,
	OPTS_WHOLE_LONG,
	OPTS_WHOLE_ULONG,
	OPTS_REAL_INT,
	OPTS_REAL_UINT,
	OPTS_REAL_LONG,
	OPTS_REAL_U64,
	OPTS_REAL_DOUBLE,
};

typedef int opts_fn(void *to, size_t size, char *arg);

/* Where the value goes; the member is the kind's (OPTS_M_ below). */
union opts_to {
	void		 *v;
	int		 *i;
	unsigned	 *u;
	long		 *l;
	unsigned long	 *ul;
	uint64_t	 *u64;
	double		 *d;
	const char	**s;
	char		**a;
};

struct opts_spec {
	const char	*name;		/* --name */
	int		 letter;	/* -letter, or 0 for none */
	enum opts_kind	 kind;
	union opts_to	 to;
	long		 min, max;	/* OPTS_WHOLE_... */
	double		 rmin, rmax;	/* OPTS_REAL_... */
	opts_fn		*fn;		/* OPTS_FN, OPTS_DO */
	size_t		 size;		/* passed to fn with to */
	int		*seen;		/* set to 1 once given, or NULL */
	int		 with_arg;	/* the error ends ", not ARGUMENT" */
	const char	*err;		/* what a bad argument is told */
};

#define OPT_FLAG(nm, ch, p)						\
	.name = (nm), .letter = (ch), .kind = OPTS_FLAG, .to.i = (p)
#define OPT_MORE(nm, ch, p)						\
	.name = (nm), .letter = (ch), .kind = OPTS_MORE, .to.i = (p)
#define OPT_STR(nm, ch, p)						\
	.name = (nm), .letter = (ch), .kind = OPTS_STR, .to.s = (p)
#define OPT_ARG(nm, ch, p)						\
	.name = (nm), .letter = (ch), .kind = OPTS_ARG, .to.a = (p)
#define OPT_FN(nm, ch, f, p, sz, e)					\
	.name = (nm), .letter = (ch), .kind = OPTS_FN, .fn = (f),	\
	.to.v = (p), .size = (sz), .err = (e)
#define OPT_DO(nm, ch, f)						\
	.name = (nm), .letter = (ch), .kind = OPTS_DO, .fn = (f)
#define OPT_HELP(nm, ch)						\
	.name = (nm), .letter = (ch), .kind = OPTS_HELP

/*
 * Numbers: T is what p points to, INT, UINT, LONG or ULONG for a whole
 * number, and those or U64 or DOUBLE for a real one, e.g.
 * OPT_REAL("users", 0, UINT, &users, 1, 1e7, "--users wants ...").
 */
#define OPTS_M_INT	i
#define OPTS_M_UINT	u
#define OPTS_M_LONG	l
#define OPTS_M_ULONG	ul
#define OPTS_M_U64	u64
#define OPTS_M_DOUBLE	d
#define OPT_WHOLE(nm, ch, T, p, lo, hi, e)				\
	.name = (nm), .letter = (ch), .kind = OPTS_WHOLE_##T,		\
	.to.OPTS_M_##T = (p), .min = (lo), .max = (hi), .err = (e)
#define OPT_REAL(nm, ch, T, p, lo, hi, e)				\
	.name = (nm), .letter = (ch), .kind = OPTS_REAL_##T,		\
	.to.OPTS_M_##T = (p), .rmin = (lo), .rmax = (hi), .err = (e)

/* The most entries a table may have. */
#define OPTS_MAX	64

/*
 * Read the options of argv as spec (n entries) says, in order, leaving
 * optind at the first operand.  A refused argument is told as "prog: err"
 * (", not ARGUMENT" added when with_arg is set) on standard error; an
 * option getopt_long() refuses, or one without its argument, gets its
 * message and usage(stderr).  Returns 0, or -1 after either.
 */
int	opts_parse(const char *prog, void (*usage)(FILE *),
	    const struct opts_spec *spec, size_t n, int argc, char **argv);

/* A whole number (strtol, base 10) in [min, max] into *out; 0 or -1. */
int	opts_long(const char *s, long min, long max, long *out);

#endif /* SIPSA_TOOLS_OPTS_H */
