/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/internal.h: helpers shared by the sipauth sources (not part of the
 * public API).
 */
#ifndef SIPSA_SIPAUTH_INTERNAL_H
#define SIPSA_SIPAUTH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sipauth/sipauth.h"

/* Non-empty and hex digits only (either case). */
int	sipauth_is_hex(const char *s, size_t len);

/* Decimal uint32: 1-10 digits, no sign, no blanks; 0 or EBADMSG. */
int	sipauth_parse_u32(const char *s, size_t len, uint32_t *out);

/* Scheme token to enum (case-insensitive). */
enum sipauth_scheme sipauth_scheme_classify(const struct sipauth_str *tok);


/*
 * A growing string in a home.  The first failure sticks in error and later
 * calls do nothing, so a formatter checks once at the end.
 */
struct strbuf {
	su_home_t	*home;
	char		*buf;
	size_t		 len, cap;
	int		 error;
};

void	strbuf_init(struct strbuf *sb, su_home_t *home);
void	strbuf_add(struct strbuf *sb, const char *s, size_t len);
void	strbuf_adds(struct strbuf *sb, const char *s);
/* Append <s> (an absent slice gives <>). */
void	strbuf_field(struct strbuf *sb, struct sipauth_str s);
/* Finish: 0 with *out NUL-terminated (owned by home), or the error. */
int	strbuf_finish(struct strbuf *sb, char **out, size_t *len_out);

#endif /* SIPSA_SIPAUTH_INTERNAL_H */
