/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/mech/helpers.c: the realm environment and complete NTLM and
 * Kerberos handshakes through sa/mech.h, for the tests in tests/mech/ and
 * for bench/mechbench.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa/mech.h"
#include "sipauth/ntlm.h"
#include "tests/mech/mech_test.h"

static int
env(const char *name, char *buf, size_t bufsz)
{
	const char *v = getenv(name);

	if (v == NULL || strlen(v) >= bufsz) {
		fprintf(stderr, "mech: %s is not set (run tests/mech/run.sh, "
		    "or eval \"$(scripts/sipsa-realm up DIR)\")\n", name);
		return -1;
	}
	memcpy(buf, v, strlen(v) + 1);
	return 0;
}

int
realm_from_env(struct realm *r)
{
	memset(r, 0, sizeof(*r));
	if (env("SIPSA_REALM_DIR", r->dir, sizeof(r->dir)) != 0 ||
	    env("SIPSA_REALM", r->realm, sizeof(r->realm)) != 0 ||
	    env("SIPSA_FQDN", r->fqdn, sizeof(r->fqdn)) != 0 ||
	    env("NETBIOS_DOMAIN_NAME", r->netbios, sizeof(r->netbios)) != 0 ||
	    env("NETBIOS_COMPUTER_NAME", r->computer,
	    sizeof(r->computer)) != 0)
		return -1;
	(void)snprintf(r->keytab, sizeof(r->keytab), "%s/sip.keytab", r->dir);
	(void)snprintf(r->client_keytab, sizeof(r->client_keytab),
	    "%s/user1.keytab", r->dir);
	(void)snprintf(r->user_file, sizeof(r->user_file),
	    "%s/ntlm_users.smbpasswd", r->dir);
	(void)snprintf(r->rcache, sizeof(r->rcache), "%s/rcache", r->dir);
	return 0;
}

void
realm_server_params(const struct realm *r, struct mech_server_params *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->fqdn = r->fqdn;
	sp->keytab = r->keytab;
	sp->rcache_dir = r->rcache;
	sp->ntlm_enabled = 1;
	sp->ntlm_user_file = r->user_file;
	sp->netbios_domain = r->netbios;
	sp->netbios_computer = r->computer;
}

enum mech_reason
ntlm_handshake(struct mech_server *s, const char *user, const char *password,
    struct mech_ctx **srv, struct mech_ctx **cli, struct ntlm_challenge *ch,
    struct mech_result *res)
{
	struct mech_client_params cp;
	struct mech_result cr;
	enum mech_reason reason;

	memset(&cp, 0, sizeof(cp));
	cp.kind = MECH_NTLM;
	cp.target_fqdn = realm.fqdn;
	cp.user = user;
	cp.domain = realm.netbios;
	cp.password = password;
	*srv = *cli = NULL;
	if (mech_init(&cp, cli, NULL, 0, &cr) != 0 || cr.reason != MECH_OK)
		return cr.reason;
	free(cr.out);
	if (mech_accept(s, MECH_NTLM, srv, cr.out, cr.out_len, res) != 0)
		return MECH_R_INTERNAL;
	if (res->reason != MECH_OK)
		return res->reason;
	if (ch != NULL) {
		if (sipauth_ntlm_decode_challenge(res->out, res->out_len,
		    ch) != 0)
			memset(ch, 0, sizeof(*ch));
		ch->target_name.data = ch->target_info.data = NULL;
	}
	if (mech_init(&cp, cli, res->out, res->out_len, &cr) != 0)
		cr.reason = MECH_R_INTERNAL;
	free(res->out);
	res->out = NULL;
	if (cr.reason != MECH_OK)
		return cr.reason;
	if (mech_accept(s, MECH_NTLM, srv, cr.out, cr.out_len, res) != 0)
		res->reason = MECH_R_INTERNAL;
	free(cr.out);
	free(res->out);
	res->out = NULL;
	reason = res->reason;
	if (reason == MECH_OK && (!res->complete || !cr.complete))
		reason = MECH_R_INTERNAL;
	return reason;
}

enum mech_reason
krb_handshake(struct mech_server *s, enum krb_cred_mode mode, int mutual,
    struct mech_ctx **srv, struct mech_ctx **cli, struct mech_result *res,
    uint8_t **apreq, size_t *apreq_len)
{
	struct mech_client_params cp;
	struct mech_result cr;
	char principal[300];

	memset(&cp, 0, sizeof(cp));
	cp.kind = MECH_KERBEROS;
	cp.target_fqdn = realm.fqdn;
	cp.mutual = mutual;
	if (mode == KRB_KEYTAB) {
		(void)snprintf(principal, sizeof(principal), "user1@%s",
		    realm.realm);
		cp.principal = principal;
		cp.client_keytab = realm.client_keytab;
	} else
		cp.ccache = getenv("KRB5CCNAME");
	*srv = *cli = NULL;
	if (mech_init(&cp, cli, NULL, 0, &cr) != 0 || cr.reason != MECH_OK)
		return cr.reason;
	if (cr.complete == mutual) {	/* mutual wants the AP-REP first */
		free(cr.out);
		return MECH_R_INTERNAL;
	}
	if (apreq != NULL) {
		*apreq = cr.out;
		*apreq_len = cr.out_len;
		cr.out = NULL;
	}
	if (mech_accept(s, MECH_KERBEROS, srv, apreq != NULL ? *apreq :
	    cr.out, apreq != NULL ? *apreq_len : cr.out_len, res) != 0)
		res->reason = MECH_R_INTERNAL;
	free(cr.out);
	if (res->reason != MECH_OK)
		return res->reason;
	if (mutual) {
		if (res->out_len == 0 || mech_init(&cp, cli, res->out,
		    res->out_len, &cr) != 0 || cr.reason != MECH_OK ||
		    !cr.complete) {
			free(res->out);
			res->out = NULL;
			return MECH_R_INTERNAL;
		}
		free(cr.out);
	}
	free(res->out);
	res->out = NULL;
	return res->complete ? MECH_OK : MECH_R_INTERNAL;
}

/*
 * Copy the FILE ccache src (format version 4) to dst with its KDC time
 * offset set to offset seconds: an initiator reading dst believes its clock
 * is that far off, so its authenticators are skewed (the tickets already in
 * the ccache are used without asking the KDC).  Returns 0 or -1.
 */
int
krb_skewed_ccache(const char *src, const char *dst, int32_t offset)
{
	uint8_t buf[65536], hdr[16];
	size_t n, skip;
	uint32_t off = (uint32_t)offset;
	FILE *in, *out;
	int rc = -1;

	if ((in = fopen(src, "rb")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	if (n < 4 || buf[0] != 0x05 || buf[1] != 0x04)
		return -1;
	skip = 4 + (((size_t)buf[2] << 8) | buf[3]);
	if (skip > n)
		return -1;
	/* version, header length 12, tag 1 (DeltaTime), length 8, s, us */
	memcpy(hdr, "\x05\x04\x00\x0c\x00\x01\x00\x08", 8);
	hdr[8] = off >> 24;
	hdr[9] = (off >> 16) & 0xFF;
	hdr[10] = (off >> 8) & 0xFF;
	hdr[11] = off & 0xFF;
	memset(hdr + 12, 0, 4);
	if ((out = fopen(dst, "wb")) == NULL)
		return -1;
	if (fwrite(hdr, 1, 16, out) == 16 &&
	    fwrite(buf + skip, 1, n - skip, out) == n - skip)
		rc = 0;
	if (fclose(out) != 0)
		rc = -1;
	return rc;
}
