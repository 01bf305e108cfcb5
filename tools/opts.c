/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/opts.c: the one option loop of sipsa-client and sipsa-bench
 * (tools/opts.h): getopt_long() on tables made from the tool's list.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "tools/opts.h"

/* Long options without a letter come back as this plus their index. */
#define OPTS_LONG_ONLY	256

int
opts_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * A number strtod reads, in [lo, hi]; -1 when arg is not one.  The
 * comparisons are written to refuse NaN, which compares false to all.
 */
static int
opts_real(const char *arg, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(v >= lo) ||
	    !(v <= hi))
		return -1;
	*out = v;
	return 0;
}

static int
takes_arg(const struct opts_spec *sp)
{
	return sp->kind != OPTS_FLAG && sp->kind != OPTS_MORE &&
	    sp->kind != OPTS_DO && sp->kind != OPTS_HELP;
}

/* Store one option; -1 when its argument is refused. */
static int
store(const struct opts_spec *sp, char *arg, void (*usage)(FILE *))
{
	long l = 0;
	double d = 0;

	switch (sp->kind) {
	case OPTS_FLAG:
		*sp->to.i = 1;
		return 0;
	case OPTS_MORE:
		(*sp->to.i)++;
		return 0;
	case OPTS_STR:
		*sp->to.s = arg;
		return 0;
	case OPTS_ARG:
		*sp->to.a = arg;
		return 0;
	case OPTS_FN:
	case OPTS_DO:
		return sp->fn(sp->to.v, sp->size, arg);
	case OPTS_HELP:
		usage(stdout);
		exit(0);
	default:
		break;
	}
	/* A number: the real kinds come after the whole ones. */
	if (sp->kind >= OPTS_REAL_INT) {
		if (opts_real(arg, sp->rmin, sp->rmax, &d) != 0)
			return -1;
	} else if (opts_long(arg, sp->min, sp->max, &l) != 0)
		return -1;
	switch (sp->kind) {
	case OPTS_WHOLE_INT:
		*sp->to.i = (int)l;
		break;
	case OPTS_WHOLE_UINT:
		*sp->to.u = (unsigned)l;
		break;
	case OPTS_WHOLE_LONG:
		*sp->to.l = l;
		break;
	case OPTS_WHOLE_ULONG:
		*sp->to.ul = (unsigned long)l;
		break;
	case OPTS_REAL_INT:
		*sp->to.i = (int)d;
		break;
	case OPTS_REAL_UINT:
		*sp->to.u = (unsigned)d;
		break;
	case OPTS_REAL_LONG:
		*sp->to.l = (long)d;
		break;
	case OPTS_REAL_U64:
		*sp->to.u64 = (uint64_t)d;
		break;
	case OPTS_REAL_DOUBLE:
		*sp->to.d = d;
		break;
	default:
		break;
	}
	return 0;
}

int
opts_parse(const char *prog, void (*usage)(FILE *),
    const struct opts_spec *spec, size_t n, int argc, char **argv)
{
	struct option lo[OPTS_MAX + 1];
	char letters[2 * OPTS_MAX + 1];
	const struct opts_spec *sp;
	size_t i, k = 0;
	int ch;

	if (n > OPTS_MAX) {
		fprintf(stderr, "%s: more than %d options\n", prog, OPTS_MAX);
		return -1;
	}
	/*
	 * The long options keep the table's order: getopt_long() lists
	 * the candidates of an ambiguous abbreviation in it.
	 */
	for (i = 0; i < n; i++) {
		sp = &spec[i];
		lo[i] = (struct option){
			.name = sp->name,
			.has_arg = takes_arg(sp) ? required_argument :
			    no_argument,
			.val = sp->letter != 0 ? sp->letter :
			    OPTS_LONG_ONLY + (int)i,
		};
		if (sp->letter != 0) {
			letters[k++] = (char)sp->letter;
			if (takes_arg(sp))
				letters[k++] = ':';
		}
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	letters[k] = '\0';
	while ((ch = getopt_long(argc, argv, letters, lo, NULL)) != -1) {
		sp = NULL;
		if (ch >= OPTS_LONG_ONLY && (size_t)(ch - OPTS_LONG_ONLY) < n)
			sp = &spec[ch - OPTS_LONG_ONLY];
		for (i = 0; sp == NULL && ch != '?' && i < n; i++)
			if (spec[i].letter == ch)
				sp = &spec[i];
		if (sp == NULL) {
			/* getopt_long() has said what is wrong. */
			usage(stderr);
			return -1;
		}
		if (store(sp, optarg, usage) != 0) {
			if (sp->with_arg)
				fprintf(stderr, "%s: %s, not %s\n", prog,
				    sp->err, optarg);
			else
				fprintf(stderr, "%s: %s\n", prog, sp->err);
			return -1;
		}
		if (sp->seen != NULL)
			*sp->seen = 1;
	}
	return 0;
}
