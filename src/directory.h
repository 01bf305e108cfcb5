/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/directory.h: accounts looked up in an LDAP directory (Active
 * Directory), directory { } in sipsa.conf(5): the SIP addresses an
 * account may use and whether it may sign in at all (disabled, locked
 * out, expired).  Lookups run on worker threads, bound with SASL/GSSAPI
 * as sipsad's own account; answers are cached (cache-ttl, negative-ttl);
 * when no directory server answers, a cached answer is used however old
 * it is.  Everything here but the LDAP work runs on the event loop.
 */
#ifndef SIPSA_DIRECTORY_H
#define SIPSA_DIRECTORY_H

#include "sa/sa.h"

struct proxy;
struct conf_directory;
struct directory;

/* Why an account may not sign in (bits of dir_account.state). */
#define DIR_DISABLED		0x01	/* userAccountControl ACCOUNTDISABLE */
#define DIR_LOCKED		0x02	/* locked out (bad passwords) */
#define DIR_EXPIRED		0x04	/* accountExpires has passed */
#define DIR_PW_EXPIRED		0x08	/* the password must be changed */

struct dir_account {
	int		  found;	/* the directory has the account */
	unsigned	  state;	/* DIR_* bits */
	char		**uris;		/* "sip:user@host", NULL-ended */
	char		**groups;	/* sAMAccountNames of its groups,
					   nested ones too, NULL-ended */
	int		  stale;	/* older than cache-ttl: no server
					   answered for a fresh one */
};

enum dir_result {
	DIR_OK,			/* *acct is the answer */
	DIR_PENDING,		/* done() brings it later */
	DIR_UNAVAILABLE,	/* no server answers, nothing cached */
	DIR_BUSY,		/* queue full */
};

/* c->uris must be set.  Returns 0 or an errno. */
int	directory_create(struct proxy *px, const struct conf_directory *c,
	    struct directory **out);
/* Waiting lookups end with DIR_UNAVAILABLE.  NULL does nothing. */
void	directory_destroy(struct directory *dir);

/*
 * Is the authenticated account ("DOMAIN\user", "user@REALM") one of the
 * directory's (its NTLM domain or Kerberos realm)?
 */
int	directory_covers(const struct directory *dir, const char *account);

typedef void dir_done_fn(void *arg, enum dir_result r,
    const struct dir_account *acct);

/*
 * The account's entry.  DIR_OK: *acct, valid until the event loop runs
 * again.  DIR_PENDING: done(arg, ...) is called later from the event
 * loop, with DIR_OK or DIR_UNAVAILABLE (also when sipsad stops).
 */
enum dir_result directory_lookup(struct directory *dir, const char *account,
	    dir_done_fn *done, void *arg, const struct dir_account **acct);

/*
 * For a request signed with an established SA of the account: the
 * account's state as last known (0 when unknown), and a lookup in the
 * background when the entry is older than cache-ttl, so that a disabled
 * account's SAs end at their first request after the next answer.
 */
unsigned directory_state(struct directory *dir, const char *account);

/* "account disabled", ...: the first bit of state, for logs and 403s. */
const char *directory_state_name(unsigned state);
/* The same as an SA reason (SA_R_ACCOUNT_DISABLED, ...). */
enum sa_reason directory_state_reason(unsigned state);

/*
 * An SA of the account was established: while one may live (sa {
 * lifetime }), its entry is looked up again each cache-ttl, and when the
 * directory then finds the account unusable, its SAs end at once.
 */
void	directory_note_sa(struct directory *dir, const char *account);

#endif /* SIPSA_DIRECTORY_H */
