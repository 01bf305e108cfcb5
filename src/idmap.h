/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/idmap.h: the identity map (auth { identity-map }): which SIP
 * addresses an authenticated account may use, read from a file of
 * "ACCOUNT SIP-URI" lines (doc/identity.md, sipsa.conf(5)).  Plain C, no
 * Sofia and no logging: errors go to the caller's function.
 */
#ifndef SIPSA_IDMAP_H
#define SIPSA_IDMAP_H

#include <stddef.h>

struct idmap;

/* One error, formatted "file:line: text" (no newline). */
typedef void idmap_err_fn(const char *msg, void *arg);

/* Errors reported at most; one more line says that reading stopped. */
#define IDMAP_MAX_ERRORS	20

/*
 * Parse a map file (idmap_load) or a buffer (name is used in messages).
 * Returns 0 and sets *out, or the number of errors (> 0), each reported
 * through err, and *out is NULL.  A file that cannot be read is one
 * error.  An empty map (comments only) is valid.  idmap_free(NULL) does
 * nothing.
 */
int	idmap_load(const char *path, idmap_err_fn *err, void *arg,
	    struct idmap **out);
int	idmap_parse_buf(const char *name, const char *buf, size_t len,
	    idmap_err_fn *err, void *arg, struct idmap **out);
void	idmap_free(struct idmap *map);
size_t	idmap_rules(const struct idmap *map);

enum idmap_result {
	IDMAP_NO_RULE,		/* no line names the account */
	IDMAP_ALLOWED,		/* a line of the account allows the AOR */
	IDMAP_DENIED,		/* lines name the account, none the AOR */
};

/*
 * May the authenticated account ("DOMAIN\user" or "user@REALM") use
 * aor ("sip:user@host")?  Every line whose account matches adds its URI,
 * with %u replaced by the account part of the name; names and URIs
 * compare ignoring ASCII case.  *line, when not NULL, gets the number of
 * the line that allowed it (0 otherwise).
 */
enum idmap_result idmap_check(const struct idmap *map, const char *account,
	    const char *aor, int *line);

#endif /* SIPSA_IDMAP_H */
