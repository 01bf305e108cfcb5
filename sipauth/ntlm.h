/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/ntlm.h: the NTLM pieces of MS-SIPAE that sipsa computes itself
 * ([MS-NLMP] §2.2, §3.3, §3.4; [MS-SIPAE] NTLM signing).  Pure functions
 * over bytes: wire-message decoding, key derivation from the exported
 * session key, and connectionless (datagram) signatures with the fixed
 * MS-SIPAE sequence number 100, in both the extended-session-security (ESS)
 * and the older non-ESS layout.  No GSSAPI here.
 */
#ifndef SIPSA_SIPAUTH_NTLM_H
#define SIPSA_SIPAUTH_NTLM_H

#include <stddef.h>
#include <stdint.h>

/* NegotiateFlags ([MS-NLMP] §2.2.2.5) */
#define NTLM_NEG_UNICODE		0x00000001u
#define NTLM_NEG_OEM			0x00000002u
#define NTLM_REQUEST_TARGET		0x00000004u
#define NTLM_NEG_SIGN			0x00000010u
#define NTLM_NEG_SEAL			0x00000020u
#define NTLM_NEG_DATAGRAM		0x00000040u
#define NTLM_NEG_LM_KEY			0x00000080u
#define NTLM_NEG_NTLM			0x00000200u
#define NTLM_NEG_ANONYMOUS		0x00000800u
#define NTLM_NEG_ALWAYS_SIGN		0x00008000u
#define NTLM_TARGET_TYPE_DOMAIN		0x00010000u
#define NTLM_TARGET_TYPE_SERVER		0x00020000u
/* Extended session security. */
#define NTLM_NEG_ESS			0x00080000u
#define NTLM_NEG_IDENTIFY		0x00100000u
#define NTLM_NEG_TARGET_INFO		0x00800000u
#define NTLM_NEG_VERSION		0x02000000u
#define NTLM_NEG_128			0x20000000u
#define NTLM_NEG_KEY_EXCH		0x40000000u
#define NTLM_NEG_56			0x80000000u

/* The flags SIPE requires in a CHALLENGE ([MS-SIPAE] notes §6). */
#define NTLM_SIPE_REQUIRED_FLAGS	(NTLM_NEG_UNICODE | NTLM_NEG_NTLM | \
	NTLM_NEG_ALWAYS_SIGN | NTLM_NEG_ESS | NTLM_NEG_TARGET_INFO | \
	NTLM_NEG_SIGN | NTLM_NEG_DATAGRAM | NTLM_NEG_IDENTIFY | \
	NTLM_NEG_KEY_EXCH)

#define NTLM_KEY_LEN		16
#define NTLM_SIG_LEN		16
/* The fixed sequence number of MS-SIPAE, both directions. */
#define NTLM_SIPAE_SEQ		100

/* Message types ([MS-NLMP] §2.2.1) */
#define NTLM_MSG_NEGOTIATE	1
#define NTLM_MSG_CHALLENGE	2
#define NTLM_MSG_AUTHENTICATE	3

/* A byte range inside a decoded message (borrowed: points into the token). */
struct ntlm_field {
	const uint8_t	*data;
	size_t		 len;
};

/* CHALLENGE_MESSAGE, decoded; every field borrows from the input token. */
struct ntlm_challenge {
	uint32_t		flags;
	uint8_t			server_challenge[8];
	struct ntlm_field	target_name;
	struct ntlm_field	target_info;	/* AV pairs */
};

/* AUTHENTICATE_MESSAGE, decoded; every field borrows from the input token. */
struct ntlm_authenticate {
	uint32_t		flags;		/* the client's final choice */
	struct ntlm_field	lm_response;
	struct ntlm_field	nt_response;
	struct ntlm_field	domain;		/* UTF-16LE when UNICODE */
	struct ntlm_field	user;
	struct ntlm_field	workstation;
	struct ntlm_field	enc_session_key;
	int			has_mic;
	uint8_t			mic[16];
};

/*
 * Decoders.  Bounds-checked: every offset, length and their sum is checked
 * against len.  Return 0, or EBADMSG for a malformed or wrong-type message.
 */
int	sipauth_ntlm_decode_challenge(const uint8_t *buf, size_t len,
	    struct ntlm_challenge *out);
int	sipauth_ntlm_decode_authenticate(const uint8_t *buf, size_t len,
	    struct ntlm_authenticate *out);

/*
 * Convert a UTF-16LE field to UTF-8 into out (NUL-terminated).  Returns 0,
 * EBADMSG for invalid UTF-16, ENOSPC when out is too small.
 */
int	sipauth_ntlm_utf16_to_utf8(const struct ntlm_field *in, char *out,
	    size_t outsz);

/*
 * The account an AUTHENTICATE_MESSAGE claims, "DOMAIN\user" in UTF-8
 * (just "user" without a domain), into out: what sipsad counts failed
 * sign-ins by before any credential is checked.  Returns 0, EBADMSG for
 * a token that is no AUTHENTICATE or a name that is not UTF-16, empty or
 * holds a control character (C0, DEL, C1), ENOSPC when out is too small.
 */
int	sipauth_ntlm_claimed_user(const uint8_t *tok, size_t len, char *out,
	    size_t outsz);

enum ntlm_dir {
	NTLM_CLIENT_TO_SERVER = 0,
	NTLM_SERVER_TO_CLIENT = 1,
};

/*
 * Signing state of one NTLM security association: the negotiated flags and
 * the sign and seal keys of each direction (about 70 bytes).  Derived once
 * from the exported session key; the session key itself need not be kept.
 */
struct ntlm_keys {
	uint32_t	flags;
	uint8_t		sign[2][NTLM_KEY_LEN];	/* [enum ntlm_dir]; ESS only */
	uint8_t		seal[2][NTLM_KEY_LEN];	/* [enum ntlm_dir] */
};

/*
 * Derive the keys ([MS-NLMP] §3.4.5.2 SIGNKEY, §3.4.5.3 SEALKEY) for the
 * flags the client chose in AUTHENTICATE.  Without ESS both directions use
 * the same sealing key (the ESK, or its 56/40-bit cut) and no signing key.
 */
void	sipauth_ntlm_derive_keys(const uint8_t esk[NTLM_KEY_LEN],
	    uint32_t flags, struct ntlm_keys *out);

/*
 * Sign msg as sender in direction dir with sequence number seq (MS-SIPAE:
 * always NTLM_SIPAE_SEQ), connectionless: RC4 is keyed afresh per message.
 * Writes 16 bytes.  Returns 0 or ENOMEM/EIO on an OpenSSL failure.
 */
int	sipauth_ntlm_sign(const struct ntlm_keys *keys, enum ntlm_dir dir,
	    uint32_t seq, const void *msg, size_t len,
	    uint8_t sig[NTLM_SIG_LEN]);

/*
 * Verify a signature received in direction dir.  Constant-time compare.
 * Non-ESS: the 4-byte random pad is taken from the received signature, as
 * MS-NLMP and SIPE do.  Returns 0, EBADMSG when siglen is not 16, EACCES
 * when the signature does not match.
 */
int	sipauth_ntlm_verify(const struct ntlm_keys *keys, enum ntlm_dir dir,
	    uint32_t seq, const void *msg, size_t len, const uint8_t *sig,
	    size_t siglen);

/* Wipe keys (OPENSSL_cleanse). */
void	sipauth_ntlm_keys_wipe(struct ntlm_keys *keys);

/*
 * NTLMv2 building blocks ([MS-NLMP] §3.3.2), used by the tests against the
 * specification vectors and by the client side where sipsa computes them
 * itself.  user and domain are UTF-8; the functions do the UTF-16LE and
 * upper-casing.  Return 0 or an errno value.
 */
int	sipauth_ntlm_nt_hash(const char *password, uint8_t out[16]);
/*
 * Set up the OpenSSL algorithms NTLM needs (MD4, MD5, RC4, HMAC; MD4 and
 * RC4 from the legacy provider) now rather than at the first use: 1 when
 * they are there.  A failure is tried again at the next use.
 */
int	sipauth_ntlm_crypto_ready(void);
int	sipauth_ntlm_ntowfv2(const uint8_t nt_hash[16], const char *user,
	    const char *domain, uint8_t out[16]);

/*
 * Server-side NTLMv2 check: NTProofStr = HMAC_MD5(ResponseKeyNT,
 * ServerChallenge || nt_response[16..]) must equal nt_response[0..15];
 * then SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr), which is also
 * the KeyExchangeKey for NTLMv2.  Returns 0, EBADMSG when nt_response is
 * too short for an NTLMv2 response, EACCES when the proof does not match
 * (wrong password).
 */
int	sipauth_ntlm_v2_check(const uint8_t ntowf[16],
	    const uint8_t server_challenge[8], const uint8_t *nt_response,
	    size_t nt_len, uint8_t session_base_key[16]);

/* LMv2 response = HMAC_MD5(ResponseKeyLM, SC || CC) || CC (24 bytes). */
int	sipauth_ntlm_lmv2(const uint8_t ntowf[16],
	    const uint8_t server_challenge[8],
	    const uint8_t client_challenge[8], uint8_t out[24]);

/*
 * ExportedSessionKey = RC4(KeyExchangeKey, EncryptedRandomSessionKey) with
 * KEY_EXCH (RC4 is its own inverse, so this also encrypts a random session
 * key on the client side).
 */
int	sipauth_ntlm_exported_key(const uint8_t kxkey[NTLM_KEY_LEN],
	    const uint8_t enc[NTLM_KEY_LEN], uint8_t esk[NTLM_KEY_LEN]);

/*
 * The MIC of a connectionless handshake ([MS-NLMP] §3.2.5.1.2, §3.1.5.1.2):
 * HMAC_MD5(ExportedSessionKey, CHALLENGE || AUTHENTICATE), the AUTHENTICATE
 * with its MIC field (16 bytes at NTLM_MIC_OFFSET) zeroed, must equal mic.
 * Returns 0, EACCES when it does not, EBADMSG for a short AUTHENTICATE.
 */
#define NTLM_MIC_OFFSET	72
int	sipauth_ntlm_mic_check(const uint8_t esk[NTLM_KEY_LEN],
	    const uint8_t *challenge, size_t challenge_len,
	    const uint8_t *authenticate, size_t authenticate_len,
	    const uint8_t mic[16]);

#endif /* SIPSA_SIPAUTH_NTLM_H */
