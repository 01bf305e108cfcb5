/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/mclass.h: sipsad's SIP message class, Sofia's default one with our
 * own decoders where a request's method is parsed: the request line and
 * CSeq (RFC 3261 §25.1: Method = INVITEm / ... / extension-method,
 * extension-method = token).  RAck, the other user of Sofia's method
 * parser, names INVITE: reliable provisional responses are for INVITE only
 * (RFC 3262).
 *
 * Sofia-SIP's sip_method_d() refuses a method that starts with the letter
 * of a known method and is shorter than it: SERVICE (Lync/OCS presence),
 * PING, MSG.  Its length check came with the fix of an out-of-bounds read
 * (upstream e96b4b8, v1.13.8, 2022; in Debian's 1.12.11 as the
 * CVE-2022-31001 patch) and uses the length of the last name compared,
 * matched or not.  Its scan of other methods takes URL-unreserved
 * characters instead of token characters, so "+" and "`" are refused and
 * "(" and ")" accepted.  nta takes its message class at agent creation
 * (NTATAG_MCLASS), and tport parses what it receives with the agent's
 * class, so the fix lives here instead of in a patched Sofia.
 */
#ifndef SIPSA_MCLASS_H
#define SIPSA_MCLASS_H

#include <sofia-sip/msg_types.h>
#include <sofia-sip/sip.h>

/*
 * The method named by token, a whole NUL-terminated string: the known
 * method when token is one of Sofia's names exactly (case-sensitive, as
 * Sofia compares), else sip_method_unknown; sip_method_invalid when token
 * is empty or holds a character outside RFC 3261 token.  *name_out is set
 * only on success: Sofia's static name for a known method (as
 * sip_method_d() gives), token itself for the others.
 */
sip_method_t	mclass_method(const char *token, const char **name_out);

/*
 * Sofia header decoders (msg_parse_f) for the request line and CSeq: what
 * sip_request_d() and sip_cseq_d() give, with the method decoded by
 * mclass_method().  They take the methods Sofia refuses (see above) and
 * refuse two things Sofia takes: a method with "(" or ")" (no token) and,
 * on the request line, an empty method (which nta never passes: its
 * parser skips leading whitespace).  s is the header text,
 * NUL-terminated; it is cut up in place and the header points into it.
 * The request-line decoder first repairs the line that Sofia's parser
 * hands it damaged when whitespace came before it (see mclass.c).  On
 * success the header takes Sofia's own class (sip_request_class,
 * sip_cseq_class), so that code comparing classes sees a Sofia header.
 * Return 0, or -1 when the text is not a request line or CSeq.
 */
issize_t	mclass_request_d(su_home_t *home, msg_header_t *h, char *s,
		    isize_t slen);
issize_t	mclass_cseq_d(su_home_t *home, msg_header_t *h, char *s,
		    isize_t slen);

/*
 * sip_request_create() for a request line of method (enum and name, as
 * parsed), URI uri and version SIP/2.0, in home.  Sofia's function looks
 * the name of an unknown method up again with sip_method_d(), so that
 * SERVICE comes back as sip_method_invalid, and then keeps the name
 * without copying it; this one keeps the method given and copies the name
 * of an unknown method into home.  NULL when out of memory.
 */
sip_request_t	*mclass_request_create(su_home_t *home, sip_method_t method,
		    const char *name, url_string_t const *uri);

/*
 * A copy of sip_default_mclass() parsing with the decoders above, for
 * NTATAG_MCLASS.  *mc_out is the caller's, freed with mclass_free() once
 * no message of the class is left (after nta_agent_destroy()).  Returns 0,
 * ENOMEM, or ENOENT when Sofia's class has no CSeq entry to replace.
 */
int	mclass_create(msg_mclass_t **mc_out);
void	mclass_free(msg_mclass_t *mc);

#endif /* SIPSA_MCLASS_H */
