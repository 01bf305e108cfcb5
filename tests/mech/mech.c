/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/mech/mech.c: real round trips through sa/mech.h, no mocks: the
 * sipsa initiator against the sipsa acceptor for NTLM (gss-ntlmssp and the
 * realm's user file) and Kerberos (the realm's throwaway KDC), signatures
 * in both directions, and each rejection with its own reason.  Needs the
 * environment of scripts/sipsa-realm (tests/mech/run.sh provides it).
 * Costs are measured by bench/mechbench, not here.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/resource.h>

#include <CUnit/Basic.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sa/mech.h"
#include "sipauth/ntlm.h"
#include "tests/mech/mech_test.h"

struct realm realm;
static struct mech_server *server;

static const char msg_c[] = "<NTLM><1a2b3c4d><2><SIP Communications Service>"
    "<proxy.example.test><0a1b2c3d4e5f60718293a4b5c6d7e8f9><1><SUBSCRIBE>"
    "<sip:user1@example.test><8f3a2b1c0d><sip:user1@example.test><><><><>";
static const char msg_s[] = "<NTLM><3D4E5F60><3><SIP Communications Service>"
    "<proxy.example.test><0a1b2c3d4e5f60718293a4b5c6d7e8f9><1><SUBSCRIBE>"
    "<sip:user1@example.test><8f3a2b1c0d><sip:user1@example.test>"
    "<AB12CD34EF56><><><36000><200>";

static int
suite_init(void)
{
	struct mech_server_params sp;
	char err[512];

	if (realm_from_env(&realm) != 0)
		return -1;
	realm_server_params(&realm, &sp);
	if (mech_server_create(&sp, &server, err, sizeof(err)) != 0) {
		fprintf(stderr, "mech_server_create: %s\n", err);
		return -1;
	}
	return 0;
}

static int
suite_fini(void)
{
	mech_server_free(server);
	server = NULL;
	return 0;
}

/* Sign on one side, verify on the other, both ways; then tamper. */
static void
check_signatures(struct mech_ctx *srv, struct mech_ctx *cli)
{
	uint8_t sig[MECH_SIG_MAX];
	size_t len;

	CU_ASSERT_EQUAL_FATAL(mech_sign(cli, msg_c, strlen(msg_c), sig, &len,
	    NULL), MECH_OK);
	CU_ASSERT_TRUE(len > 0 && len <= MECH_SIG_MAX);
	CU_ASSERT_EQUAL(mech_verify(srv, msg_c, strlen(msg_c), sig, len,
	    NULL), MECH_OK);
	/* A signature of the other direction does not verify. */
	CU_ASSERT_EQUAL(mech_verify(cli, msg_c, strlen(msg_c), sig, len,
	    NULL), MECH_R_BAD_SIGNATURE);
	sig[len - 1] ^= 0x40;
	CU_ASSERT_EQUAL(mech_verify(srv, msg_c, strlen(msg_c), sig, len,
	    NULL), MECH_R_BAD_SIGNATURE);

	CU_ASSERT_EQUAL_FATAL(mech_sign(srv, msg_s, strlen(msg_s), sig, &len,
	    NULL), MECH_OK);
	CU_ASSERT_EQUAL(mech_verify(cli, msg_s, strlen(msg_s), sig, len,
	    NULL), MECH_OK);
	CU_ASSERT_EQUAL(mech_verify(cli, msg_c, strlen(msg_c), sig, len,
	    NULL), MECH_R_BAD_SIGNATURE);
	sig[len / 2] ^= 0x01;
	CU_ASSERT_EQUAL(mech_verify(cli, msg_s, strlen(msg_s), sig, len,
	    NULL), MECH_R_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(mech_verify(cli, msg_s, strlen(msg_s), sig, 0,
	    NULL), MECH_R_BAD_SIGNATURE);
}

/*
 * The process's first NTLM handshake runs out of file descriptors; once
 * they are back, NTLM works.  glibc remembers a failed load of the UTF-16
 * conversion gss-ntlmssp opens in each context for the life of the
 * process, so this failed until a restart; the server holds the
 * conversions open from its creation (sa/mech_ntlm.c).  First of the
 * tests, so that no NTLM context has run in this process before.
 */
static void
test_ntlm_after_no_descriptors(void)
{
	struct mech_ctx *srv = NULL, *cli = NULL;
	struct ntlm_challenge ch;
	struct mech_result r;
	struct rlimit was, rl;
	int fill[256], n = 0, lowest;

	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_NOFILE, &was), 0);
	lowest = dup(0);
	CU_ASSERT_FATAL(lowest >= 0);
	(void)close(lowest);
	rl = was;
	rl.rlim_cur = (rlim_t)lowest + 64;
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while (n < 256 && (fill[n] = open("/dev/null", O_RDONLY)) >= 0)
		n++;
	CU_ASSERT(n > 0 && n < 256);
	/* Whatever it gives, it must not break NTLM for good. */
	(void)ntlm_handshake(server, "user1", "user1pw", &srv, &cli, &ch,
	    &r);
	mech_ctx_free(srv);
	mech_ctx_free(cli);
	srv = cli = NULL;
	while (n > 0)
		(void)close(fill[--n]);
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_NOFILE, &was), 0);
	CU_ASSERT_EQUAL(ntlm_handshake(server, "user1", "user1pw", &srv,
	    &cli, &ch, &r), MECH_OK);
	mech_ctx_free(srv);
	mech_ctx_free(cli);
}

static void
test_ntlm_round_trip(void)
{
	struct mech_ctx *srv = NULL, *cli = NULL;
	struct ntlm_challenge ch;
	struct mech_result r;
	char want[300];

	CU_ASSERT_EQUAL_FATAL(ntlm_handshake(server, "user1", "user1pw",
	    &srv, &cli, &ch, &r), MECH_OK);
	CU_ASSERT_EQUAL(ch.flags & NTLM_SIPE_REQUIRED_FLAGS,
	    NTLM_SIPE_REQUIRED_FLAGS);
	CU_ASSERT_TRUE(ch.flags & NTLM_NEG_IDENTIFY);
	CU_ASSERT_TRUE(r.complete);
	(void)snprintf(want, sizeof(want), "%s\\user1", realm.netbios);
	CU_ASSERT_TRUE(strcasecmp(r.user, want) == 0);
	CU_ASSERT_EQUAL(r.out_len, 0);
	CU_ASSERT_EQUAL(mech_ctx_kind(srv), MECH_NTLM);
	CU_ASSERT_TRUE(mech_ctx_memory(srv) < 1024);
	CU_ASSERT_TRUE(mech_ctx_memory(cli) < 1024);
	check_signatures(srv, cli);
	mech_ctx_free(srv);
	mech_ctx_free(cli);
}

/*
 * What sipsad does with the answer of a domain controller (users winbind,
 * sa/mech_ntlm_wb.c), the DC's part done here with the password: the
 * session base key from the NTLMv2 response of a real gss-ntlmssp client,
 * the exported session key, whose keys verify that client's signature;
 * then the MIC check, against a MIC made as a client makes it.
 */
static void
test_ntlm_dc_key_chain(void)
{
	struct mech_client_params cp;
	struct mech_ctx *srv = NULL, *cli = NULL;
	struct mech_result r, cr;
	struct ntlm_challenge ch;
	struct ntlm_authenticate a;
	uint8_t chal[1024], auth[2048], both[3072], nt[16], ntowf[16],
	    sbk[16], esk[16], sig[64], mic[EVP_MAX_MD_SIZE];
	static const char msg[] = "<NTLM><1><2><realm><target>";
	struct ntlm_keys k;
	struct mech_status st;
	size_t chal_len, auth_len, sig_len = sizeof(sig);
	unsigned int mic_len = 0;

	memset(&cp, 0, sizeof(cp));
	cp.kind = MECH_NTLM;
	cp.target_fqdn = realm.fqdn;
	cp.user = "user1";
	cp.domain = realm.netbios;
	cp.password = "user1pw";
	CU_ASSERT_EQUAL_FATAL(mech_init(&cp, &cli, NULL, 0, &cr), 0);
	free(cr.out);
	CU_ASSERT_EQUAL_FATAL(mech_accept(server, MECH_NTLM, &srv, NULL, 0,
	    &r), 0);
	CU_ASSERT_FATAL(r.reason == MECH_OK && r.out_len <= sizeof(chal));
	memcpy(chal, r.out, chal_len = r.out_len);
	CU_ASSERT_EQUAL_FATAL(mech_init(&cp, &cli, r.out, r.out_len, &cr), 0);
	free(r.out);
	CU_ASSERT_FATAL(cr.reason == MECH_OK && cr.out_len <= sizeof(auth));
	memcpy(auth, cr.out, auth_len = cr.out_len);
	free(cr.out);
	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_decode_challenge(chal, chal_len,
	    &ch), 0);
	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_decode_authenticate(auth, auth_len,
	    &a), 0);
	CU_ASSERT_EQUAL(sipauth_ntlm_nt_hash("user1pw", nt), 0);
	CU_ASSERT_EQUAL(sipauth_ntlm_ntowfv2(nt, "user1", realm.netbios,
	    ntowf), 0);
	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_v2_check(ntowf,
	    ch.server_challenge, a.nt_response.data, a.nt_response.len, sbk),
	    0);
	CU_ASSERT_EQUAL(sipauth_ntlm_exported_key(sbk, a.enc_session_key.data,
	    esk), 0);
	/* The keys from that exported key verify the client's signature. */
	sipauth_ntlm_derive_keys(esk, a.flags, &k);
	CU_ASSERT_EQUAL_FATAL(mech_sign(cli, msg, sizeof(msg) - 1, sig,
	    &sig_len, &st), MECH_OK);
	CU_ASSERT_EQUAL(sipauth_ntlm_verify(&k, NTLM_CLIENT_TO_SERVER,
	    NTLM_SIPAE_SEQ, msg, sizeof(msg) - 1, sig, sig_len), 0);
	sipauth_ntlm_keys_wipe(&k);
	/*
	 * The MIC, as a client that sends one computes it (OpenSSL's
	 * one-shot HMAC): HMAC_MD5(ESK, CHALLENGE || AUTHENTICATE with the
	 * MIC field zeroed).
	 */
	CU_ASSERT_FATAL(auth_len > NTLM_MIC_OFFSET + 16);
	memset(auth + NTLM_MIC_OFFSET, 0, 16);
	memcpy(both, chal, chal_len);
	memcpy(both + chal_len, auth, auth_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(HMAC(EVP_md5(), esk, sizeof(esk), both,
	    chal_len + auth_len, mic, &mic_len));
	memcpy(auth + NTLM_MIC_OFFSET, mic, 16);
	CU_ASSERT_EQUAL(sipauth_ntlm_mic_check(esk, chal, chal_len, auth,
	    auth_len, mic), 0);
	/* The MIC covers the CHALLENGE and the flags. */
	CU_ASSERT_EQUAL(sipauth_ntlm_mic_check(esk, chal, chal_len - 1, auth,
	    auth_len, mic), EACCES);
	auth[60] ^= 0x20;	/* NTLMSSP_NEGOTIATE_128 off */
	CU_ASSERT_EQUAL(sipauth_ntlm_mic_check(esk, chal, chal_len, auth,
	    auth_len, mic), EACCES);
	CU_ASSERT_EQUAL(sipauth_ntlm_mic_check(esk, chal, chal_len, auth,
	    NTLM_MIC_OFFSET, mic), EBADMSG);
	mech_ctx_free(srv);
	mech_ctx_free(cli);
}

/* Leg one, then token as the AUTHENTICATE; the acceptor's reason. */
static enum mech_reason
accept_after_challenge(const uint8_t *token, size_t len)
{
	struct mech_ctx *srv = NULL;
	struct mech_result r;

	CU_ASSERT_EQUAL_FATAL(mech_accept(server, MECH_NTLM, &srv, NULL, 0,
	    &r), 0);
	CU_ASSERT_EQUAL_FATAL(r.reason, MECH_OK);
	free(r.out);
	CU_ASSERT_EQUAL(mech_accept(server, MECH_NTLM, &srv, token, len,
	    &r), 0);
	CU_ASSERT_PTR_NULL(srv);
	CU_ASSERT_FALSE(r.complete);
	mech_ctx_free(srv);
	return r.reason;
}

/*
 * A hand-made AUTHENTICATE: user (ASCII, sent as UTF-16LE), an NT
 * response of nt_len zero bytes, a one-byte LM response and a 16-byte
 * encrypted session key, connectionless flags.  Returns its length.
 */
static size_t
make_authenticate(uint8_t *m, const char *user, size_t nt_len)
{
	size_t off = 88, ulen = strlen(user) * 2, i;
	struct { size_t at, len; } f[6] = {
		{ 12, 1 }, { 20, nt_len }, { 28, 0 }, { 36, ulen }, { 44, 0 },
		{ 52, 16 } };

	memset(m, 0, 512);
	memcpy(m, "NTLMSSP\0\3\0\0\0", 12);
	for (i = 0; i < 6; i++) {
		m[f[i].at] = m[f[i].at + 2] = (uint8_t)f[i].len;
		m[f[i].at + 4] = (uint8_t)off;
		m[f[i].at + 5] = (uint8_t)(off >> 8);
		if (i == 3)
			for (size_t k = 0; user[k] != '\0'; k++)
				m[off + 2 * k] = (uint8_t)user[k];
		off += f[i].len;
	}
	memcpy(m + 60, "\x75\x82\x98\x62", 4);	/* 0x62988275 */
	return off;
}

static void
test_ntlm_rejections(void)
{
	struct mech_ctx *srv = NULL, *cli = NULL;
	struct mech_result r;
	static const uint8_t junk[] = "NTLMSSP\0\3\0\0\0garbage";
	uint8_t m[512];
	size_t n;

	CU_ASSERT_EQUAL(ntlm_handshake(server, "user1", "wrongpw", &srv, &cli,
	    NULL, &r), MECH_R_BAD_PASSWORD);
	CU_ASSERT_PTR_NULL(srv);
	mech_ctx_free(cli);
	cli = NULL;
	CU_ASSERT_EQUAL(ntlm_handshake(server, "nosuchuser", "x", &srv, &cli,
	    NULL, &r), MECH_R_UNKNOWN_USER);
	CU_ASSERT_PTR_NULL(srv);
	mech_ctx_free(cli);
	cli = NULL;

	/* A first leg that is not empty (not connectionless). */
	CU_ASSERT_EQUAL(mech_accept(server, MECH_NTLM, &srv, junk,
	    sizeof(junk), &r), 0);
	CU_ASSERT_EQUAL(r.reason, MECH_R_BAD_TOKEN);
	CU_ASSERT_PTR_NULL(srv);
	/* Garbage instead of the AUTHENTICATE. */
	CU_ASSERT_EQUAL(mech_accept(server, MECH_NTLM, &srv, NULL, 0, &r), 0);
	CU_ASSERT_EQUAL_FATAL(r.reason, MECH_OK);
	free(r.out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	CU_ASSERT_TRUE(mech_ctx_memory(srv) >= 1024);	/* half-open */
	CU_ASSERT_EQUAL(mech_accept(server, MECH_NTLM, &srv, junk,
	    sizeof(junk), &r), 0);
	CU_ASSERT_EQUAL(r.reason, MECH_R_BAD_TOKEN);
	CU_ASSERT_PTR_NULL(srv);

	/* Anonymous logon, then an NTLMv1 response: both refused. */
	n = make_authenticate(m, "", 0);
	CU_ASSERT_EQUAL(accept_after_challenge(m, n), MECH_R_UNKNOWN_USER);
	n = make_authenticate(m, "user1", 24);
	CU_ASSERT_EQUAL(accept_after_challenge(m, n), MECH_R_FLAGS);
	/* A well-formed NTLMv2 response that proves nothing. */
	n = make_authenticate(m, "user1", 16 + 28 + 4);
	CU_ASSERT_EQUAL(accept_after_challenge(m, n), MECH_R_BAD_PASSWORD);
}

static void
test_krb_round_trip(void)
{
	struct mech_ctx *srv = NULL, *cli = NULL;
	struct mech_result r;
	char want[300];

	CU_ASSERT_EQUAL_FATAL(krb_handshake(server, KRB_KEYTAB, 0, &srv, &cli,
	    &r, NULL, NULL), MECH_OK);
	(void)snprintf(want, sizeof(want), "user1@%s", realm.realm);
	CU_ASSERT_STRING_EQUAL(r.user, want);
	CU_ASSERT_EQUAL(r.out_len, 0);	/* no mutual: no AP-REP */
	CU_ASSERT_TRUE(r.lifetime > 0);
	CU_ASSERT_EQUAL(mech_ctx_kind(srv), MECH_KERBEROS);
	/* aes-sha1: the MIT context is gone, sa/krb5_cfx.c signs. */
	CU_ASSERT(mech_ctx_memory(srv) < 1024);
	check_signatures(srv, cli);
	mech_ctx_free(srv);
	mech_ctx_free(cli);

	/* Mutual authentication, credentials from the kinit ccache. */
	srv = cli = NULL;
	CU_ASSERT_EQUAL_FATAL(krb_handshake(server, KRB_CCACHE, 1, &srv,
	    &cli, &r, NULL, NULL), MECH_OK);
	CU_ASSERT(r.out_len > 0);	/* the AP-REP, with a subkey */
	CU_ASSERT(mech_ctx_memory(srv) < 1024);
	check_signatures(srv, cli);
	mech_ctx_free(srv);
	mech_ctx_free(cli);
}

static void
test_krb_rejections(void)
{
	struct mech_ctx *srv = NULL, *cli = NULL;
	struct mech_result r;
	uint8_t *apreq = NULL;
	size_t apreq_len = 0;
	char text[512];
	static const uint8_t junk[] = { 0x60, 0x05, 0x06, 0x03, 0x2a, 0x03,
	    0x04, 0x00 };

	/* The same AP-REQ twice: the replay cache refuses the second. */
	CU_ASSERT_EQUAL_FATAL(krb_handshake(server, KRB_KEYTAB, 0, &srv, &cli,
	    &r, &apreq, &apreq_len), MECH_OK);
	mech_ctx_free(srv);
	mech_ctx_free(cli);
	srv = NULL;
	CU_ASSERT_EQUAL(mech_accept(server, MECH_KERBEROS, &srv, apreq,
	    apreq_len, &r), 0);
	CU_ASSERT_EQUAL(r.reason, MECH_R_REPLAYED_TICKET);
	CU_ASSERT_PTR_NULL(srv);
	mech_status_text(&r.status, text, sizeof(text));
	CU_ASSERT_TRUE(strlen(text) > 0);
	free(apreq);

	CU_ASSERT_EQUAL(mech_accept(server, MECH_KERBEROS, &srv, junk,
	    sizeof(junk), &r), 0);
	CU_ASSERT_EQUAL(r.reason, MECH_R_BAD_TOKEN);
	CU_ASSERT_PTR_NULL(srv);
	CU_ASSERT_EQUAL(mech_accept(server, MECH_KERBEROS, &srv,
	    (const uint8_t *)"garbage", 7, &r), 0);
	CU_ASSERT_EQUAL(r.reason, MECH_R_BAD_TOKEN);
	CU_ASSERT_EQUAL(mech_accept(server, MECH_KERBEROS, &srv, NULL, 0,
	    &r), 0);
	CU_ASSERT_EQUAL(r.reason, MECH_R_BAD_TOKEN);
}

/* One Kerberos initiator step from a ccache, then the acceptor's reason. */
static enum mech_reason
krb_accept_from(const char *ccache, const char *fqdn, char *text,
    size_t textsz)
{
	struct mech_client_params cp;
	struct mech_ctx *srv = NULL, *cli = NULL;
	struct mech_result cr, r;

	memset(&cp, 0, sizeof(cp));
	cp.kind = MECH_KERBEROS;
	cp.target_fqdn = fqdn;
	cp.ccache = ccache;
	CU_ASSERT_EQUAL_FATAL(mech_init(&cp, &cli, NULL, 0, &cr), 0);
	CU_ASSERT_EQUAL_FATAL(cr.reason, MECH_OK);
	CU_ASSERT_EQUAL(mech_accept(server, MECH_KERBEROS, &srv, cr.out,
	    cr.out_len, &r), 0);
	free(cr.out);
	free(r.out);
	mech_status_text(&r.status, text, textsz);
	mech_ctx_free(srv);
	mech_ctx_free(cli);
	return r.reason;
}

/*
 * An initiator whose clock is 1000 s ahead (the offset of its ccache) is
 * refused for clock skew; a ticket for a service the acceptor has no key
 * for is refused for missing credentials.
 */
static void
test_krb_skew_and_keys(void)
{
	struct mech_ctx *srv = NULL, *cli = NULL;
	struct mech_result r;
	const char *cc = getenv("KRB5CCNAME");
	char skewed[4200], ccname[4300], other[300], text[512];

	/* Leave a service ticket in the ccache, then copy it skewed. */
	CU_ASSERT_EQUAL_FATAL(krb_handshake(server, KRB_CCACHE, 0, &srv,
	    &cli, &r, NULL, NULL), MECH_OK);
	mech_ctx_free(srv);
	mech_ctx_free(cli);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cc);
	if (strncmp(cc, "FILE:", 5) == 0)
		cc += 5;
	(void)snprintf(skewed, sizeof(skewed), "%s/skewed.ccache", realm.dir);
	CU_ASSERT_EQUAL_FATAL(krb_skewed_ccache(cc, skewed, 1000), 0);
	(void)snprintf(ccname, sizeof(ccname), "FILE:%s", skewed);
	CU_ASSERT_EQUAL(krb_accept_from(ccname, realm.fqdn, text,
	    sizeof(text)), MECH_R_CLOCK_SKEW);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "skew"));

	(void)snprintf(other, sizeof(other), "unkeyed.%s",
	    strchr(realm.fqdn, '.') != NULL ? strchr(realm.fqdn, '.') + 1 :
	    realm.fqdn);
	CU_ASSERT_EQUAL(krb_accept_from(NULL, other, text, sizeof(text)),
	    MECH_R_NO_CREDENTIALS);
	CU_ASSERT_TRUE(strlen(text) > 0);
}

/* A server whose keytab lacks sip/<fqdn> fails to start, saying why. */
static void
test_server_errors(void)
{
	struct mech_server_params sp;
	struct mech_server *s = NULL;
	char err[512], kt[4200];
	int i;

	realm_server_params(&realm, &sp);
	(void)snprintf(kt, sizeof(kt), "%s/user1.keytab", realm.dir);
	sp.keytab = kt;
	CU_ASSERT_NOT_EQUAL(mech_server_create(&sp, &s, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "user1.keytab"));
	realm_server_params(&realm, &sp);
	sp.ntlm_user_file = "/nonexistent/users";
	CU_ASSERT_NOT_EQUAL(mech_server_create(&sp, &s, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/users"));
	for (i = 0; i < MECH_R_MAX; i++)
		CU_ASSERT_STRING_NOT_EQUAL(mech_reason_text(i),
		    "unknown reason");
	CU_ASSERT_STRING_EQUAL(mech_reason_text(MECH_R_MAX),
	    "unknown reason");
	mech_status_text(NULL, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(err, "");
}

static void
test_shared(void)
{
	test_shared_creds(server);
}

static CU_TestInfo tests[] = {
	{ "NTLM after running out of descriptors",
	  test_ntlm_after_no_descriptors },
	{ "NTLM round trip", test_ntlm_round_trip },
	{ "NTLM rejections", test_ntlm_rejections },
	{ "NTLM key chain of a domain controller, MIC",
	    test_ntlm_dc_key_chain },
	{ "NTLM user file lookup", test_ntlm_user_file },
	{ "NTLM user file index", test_ntlm_user_index },
	{ "Kerberos round trip", test_krb_round_trip },
	{ "Kerberos rejections", test_krb_rejections },
	{ "Kerberos clock skew, no key", test_krb_skew_and_keys },
	{ "server set-up errors", test_server_errors },
	{ "shared initiator credentials", test_shared },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "mech", suite_init, suite_fini, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (CU_register_suites(suites) != CUE_SUCCESS)
		return 1;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	(void)CU_basic_run_tests();
	failed = (int)CU_get_number_of_failures() +
	    (int)CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed != 0;
}
