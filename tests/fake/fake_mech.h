/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/fake/fake_mech.h: fake_mech, a test double of the mechanism
 * operations (struct sa_mech_ops, sa/sa.h), and a clock for SA tables
 * that tests move by hand.  The unit tests of the SA table and the
 * pipeline harness (tests/pipeline) share them; nothing here talks to a
 * KDC or to gss-ntlmssp.
 *
 * The handshake: the first NTLM leg (an empty token) returns the token
 * "CHALLENGE"; a leg with the token "user:<name>" completes as <name>
 * (Kerberos in one leg), and so does an NTLM AUTHENTICATE_MESSAGE with
 * Unicode names ([MS-NLMP] §2.2.1.3 framing; fake_mech_authenticate()
 * makes one), as "DOMAIN\user": sipsad reads the account an NTLM leg
 * claims from that framing before the mechanism runs.  Its proofs are
 * not checked.  "bad" fails with MECH_R_BAD_PASSWORD and a GSS status,
 * anything else with MECH_R_BAD_TOKEN.  A completed context reports
 * fake_mech_lifetime seconds (0: unlimited).
 *
 * An AUTHENTICATE of the domain WAIT ("WAIT\user") waits, as one a domain
 * controller checks: the step answers MECH_R_PENDING with a job, whose
 * job_run (on a worker thread) counts itself in fake_mech_jobs_started,
 * returns once fake_mech_hold is 0 and counts itself in
 * fake_mech_jobs_run; accept_finish then completes the
 * context as "WAIT\user".
 *
 * Signatures are FAKE_MECH_SIG_LEN bytes derived from the direction, the
 * authenticated name and the message (fake_mech_mac), so that a changed
 * message, another user's SA or a reflected server signature fails to
 * verify.  The acceptor (the SA table) signs as the server and verifies
 * client signatures; a test plays the client with fake_mech_mac().
 */
#ifndef SIPSA_TESTS_FAKE_MECH_H
#define SIPSA_TESTS_FAKE_MECH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "sa/sa.h"

#define FAKE_MECH_SIG_LEN	8	/* bytes */

extern const struct sa_mech_ops fake_mech;
extern uint32_t fake_mech_lifetime;
extern atomic_int fake_mech_hold;
extern atomic_uint fake_mech_jobs_run;
extern atomic_uint fake_mech_jobs_started;

/*
 * The signature of msg/len made by the server (from_server != 0) or the
 * client of the context authenticated as user.
 */
void	fake_mech_mac(int from_server, const char *user, const void *msg,
	    size_t len, uint8_t sig[FAKE_MECH_SIG_LEN]);

/*
 * The NTLM AUTHENTICATE_MESSAGE a client of fake_mech sends as its second
 * leg: Unicode domain and user (ASCII), no proofs.  Writes at most outsz
 * bytes into out; returns the length, or 0 when it does not fit.
 */
size_t	fake_mech_authenticate(const char *domain, const char *user,
	    uint8_t *out, size_t outsz);

/* A clock for sa_table_params.now_ms: arg points to a uint64_t of ms. */
uint64_t fake_clock_ms(void *arg);

#endif /* SIPSA_TESTS_FAKE_MECH_H */
