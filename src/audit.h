/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/audit.h: the audit lines, one per authentication attempt and per
 * admin action, in a stable key=value format for fail2ban and SIEMs
 * (doc/audit.md).  They go through the log facade at notice level, module
 * "audit".
 */
#ifndef SIPSA_AUDIT_H
#define SIPSA_AUDIT_H

#include <stddef.h>

struct ptx;

/* Results of an attempt (doc/audit.md says what each means). */
#define AUDIT_OK	"ok"		/* signed in: an SA */
#define AUDIT_FAIL	"fail"		/* wrong credential: a guess */
#define AUDIT_BLOCKED	"blocked"	/* refused by the lockout guard */
#define AUDIT_REFUSED	"refused"	/* right credential, not allowed */
#define AUDIT_ERROR	"error"		/* no answer could be had */

/*
 * One attempt: the final leg of a handshake (or a leg refused before it
 * ran).  scheme "NTLM" or "Kerberos"; user the account (NULL: "-");
 * reason an SA reason name or similar word (NULL: "-"); sa the opaque
 * (NULL: "-").
 */
void	audit_auth(const struct ptx *ptx, const char *result,
	    const char *scheme, const char *user, const char *reason,
	    const char *sa);

/* An admin action: action ("reload", "kick", ...), by whom (signal,
   control socket), and what it was about (NULL: "-"). */
void	audit_admin(const char *action, const char *by, const char *target,
	    const char *result);

/*
 * A value as the lines write it: as it is when it has only letters,
 * digits and ._@:/+%\- characters, else in double quotes with " and \
 * escaped by a backslash and control or non-ASCII bytes as \xHH.  Empty
 * or NULL: "-".  Returns buf, cut to len (always terminated).
 */
char	*audit_value(char *buf, size_t len, const char *v);

#endif /* SIPSA_AUDIT_H */
