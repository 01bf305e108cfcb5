/* SPDX-License-Identifier: BSD-2-Clause */
/* tests/mech/mech_test.h: helpers of the mechanism round-trip tests. */
#ifndef SIPSA_TESTS_MECH_TEST_H
#define SIPSA_TESTS_MECH_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "sa/mech.h"
#include "sipauth/ntlm.h"

/* The realm of scripts/sipsa-realm, from its environment. */
struct realm {
	char	dir[2048];
	char	realm[256];
	char	fqdn[256];
	char	netbios[64];
	char	computer[64];
	char	keytab[4200];
	char	client_keytab[4200];
	char	user_file[4200];
	char	rcache[4200];
};
extern struct realm realm;

int	realm_from_env(struct realm *r);
/* Server parameters for both mechanisms; strings point into r. */
void	realm_server_params(const struct realm *r,
	    struct mech_server_params *sp);

/*
 * A full NTLM handshake for userK: initiator and acceptor.  ch (may be
 * NULL) receives the decoded CHALLENGE (its fields borrow nothing).
 * Returns the reason of the first failing step, MECH_OK when both
 * contexts are established; res holds the acceptor's last result.
 */
enum mech_reason ntlm_handshake(struct mech_server *s, const char *user,
	    const char *password, struct mech_ctx **srv, struct mech_ctx **cli,
	    struct ntlm_challenge *ch, struct mech_result *res);

enum krb_cred_mode { KRB_KEYTAB, KRB_CCACHE };
/*
 * A Kerberos handshake for user1 from the client keytab or the ccache,
 * with or without mutual authentication.  When apreq is not NULL, a copy
 * of the AP-REQ is returned there (free() it).
 */
enum mech_reason krb_handshake(struct mech_server *s,
	    enum krb_cred_mode mode, int mutual, struct mech_ctx **srv,
	    struct mech_ctx **cli, struct mech_result *res, uint8_t **apreq,
	    size_t *apreq_len);

/* A copy of a FILE ccache whose clock offset is offset seconds. */
int	krb_skewed_ccache(const char *src, const char *dst, int32_t offset);

/*
 * tests/mech/shared.c: a handshake on a shared initiator credential; on
 * failure both contexts are freed and NULL.
 */
enum mech_reason handshake_with_cred(struct mech_server *s,
	    const struct mech_client_cred *c, enum mech_kind kind,
	    struct mech_ctx **srv, struct mech_ctx **cli);
void	test_shared_creds(struct mech_server *s);

/* tests/mech/userfile.c */
void	test_ntlm_user_file(void);
/* tests/mech/userindex.c */
void	test_ntlm_user_index(void);

#endif
