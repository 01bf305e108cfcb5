/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/pipeline/pipeline.c: the request pipeline of the real sipsad,
 * end to end on loopback, with the fake mechanism and scripted peers
 * (tests/pipeline/pipeline.h): refusals before and after authentication,
 * the response exit's signatures, relay signing, forking and CANCEL.
 * Each test gets a fresh sipsad (setup/teardown).  PIPELINE_LOG=debug
 * shows sipsad's log.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#include "tests/fake/fake_mech.h"
#include "tests/pipeline/pipeline.h"

static struct harness H;

static void
setup(void)
{
	int err;

	if ((err = harness_start(&H)) != 0)
		fprintf(stderr, "pipeline: cannot start sipsad: %s\n",
		    strerror(err));
}

static void
teardown(void)
{
	harness_stop(&H);
}

/* A peer of H, registered with the fake handshake. */
static struct peer *
registered(const char *user, const char *epid)
{
	struct peer *p = peer_create(&H, user, epid);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(peer_register(p), 200);
	return p;
}

/* The Warning text of o's last response, or "". */
static const char *
warning(const struct peer_out *o)
{
	const sip_t *sip = o->last != NULL ? sip_object(o->last) : NULL;

	return sip != NULL && sip->sip_warning != NULL &&
	    sip->sip_warning->w_text != NULL ? sip->sip_warning->w_text : "";
}

/* How many headers called name o's last response has. */
static size_t
count(const struct peer_out *o, const char *name)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sipauth_str v[4];
	size_t n;

	n = o->last != NULL ? peer_hdr_values(home, sip_object(o->last), name,
	    v, 4) : 0;
	su_home_deinit(home);
	return n;
}

/* Every response o got was signed for its peer, and there was one. */
#define CU_ASSERT_ALL_SIGNED(o) do { \
	CU_ASSERT((o)->responses > 0); \
	CU_ASSERT_EQUAL((o)->verified, (o)->responses); \
} while (0)

/* ---- refusals ---- */

/*
 * Send a raw request over UDP from fd and step the loop until an answer
 * comes back; the answer parsed, or NULL.
 */
static msg_t *
udp_exchange(int fd, const char *text)
{
	struct sockaddr_in to;
	char buf[8192];
	ssize_t n = -1;

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons((uint16_t)H.port);
	if (sendto(fd, text, strlen(text), 0, (struct sockaddr *)&to,
	    sizeof(to)) < 0)
		return NULL;
	HARNESS_UNTIL(&H, (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0);
	if (n <= 0)
		return NULL;
	return msg_make(sip_default_mclass(), MSG_FLG_EXTRACT_COPY, buf, n);
}

/* The challenges of a 401, in order: NTLM then Kerberos, as configured. */
static void
check_challenges(const sip_t *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sipauth_challenge c[2];
	struct sipauth_str v[4];

	CU_ASSERT_EQUAL_FATAL(peer_hdr_values(home, sip, "WWW-Authenticate",
	    v, 4), 2);
	CU_ASSERT_EQUAL(sipauth_parse_challenge(v[0].ptr, v[0].len,
	    SIPAUTH_WWW, &c[0]), 0);
	CU_ASSERT_EQUAL(sipauth_parse_challenge(v[1].ptr, v[1].len,
	    SIPAUTH_WWW, &c[1]), 0);
	CU_ASSERT_EQUAL(c[0].scheme, SIPAUTH_NTLM);
	CU_ASSERT_EQUAL(c[1].scheme, SIPAUTH_KERBEROS);
	CU_ASSERT(c[0].targetname.len == strlen(HARNESS_FQDN) &&
	    memcmp(c[0].targetname.ptr, HARNESS_FQDN, c[0].targetname.len) ==
	    0);
	CU_ASSERT(c[1].targetname.len == strlen("sip/" HARNESS_FQDN) &&
	    memcmp(c[1].targetname.ptr, "sip/" HARNESS_FQDN,
	    c[1].targetname.len) == 0);
	CU_ASSERT(!SIPAUTH_PRESENT(c[0].opaque) &&
	    !SIPAUTH_PRESENT(c[1].opaque));
	su_home_deinit(home);
}

/*
 * An unauthenticated REGISTER gets a 401 with one challenge per scheme,
 * answered statelessly: the same request sent again (same Via branch,
 * same CSeq, a retransmission for a stateful server) gets a fresh answer,
 * with a new stateless To tag, and nta creates no server transaction.
 */
static void
test_refusal_unauthenticated(void)
{
	static const char fmt[] =
	    "REGISTER sip:" HARNESS_DOMAIN " SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK.pipeline.1;rport\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:carol@" HARNESS_DOMAIN ">;tag=c1;epid=0a1b2c3d4e\r\n"
	    "To: <sip:carol@" HARNESS_DOMAIN ">\r\n"
	    "Call-ID: raw.register@pipeline\r\n"
	    "CSeq: 1 REGISTER\r\n"
	    "Contact: <sip:carol@127.0.0.1:%u>\r\n"
	    "Content-Length: 0\r\n\r\n";
	struct sockaddr_in self;
	socklen_t len = sizeof(self);
	msg_t *r[2] = { NULL, NULL };
	const sip_t *s[2];
	struct peer_out *o;
	struct peer *alice;
	size_t before, plen;
	char text[1024];
	unsigned port;
	int fd, i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(H.px);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	CU_ASSERT_FATAL(fd != -1);
	memset(&self, 0, sizeof(self));
	self.sin_family = AF_INET;
	self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&self, sizeof(self)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&self, &len) != 0) {
		(void)close(fd);
		CU_FAIL_FATAL("cannot bind a UDP socket");
	}
	port = ntohs(self.sin_port);
	(void)snprintf(text, sizeof(text), fmt, port, port);

	before = harness_server_transactions(&H);
	for (i = 0; i < 2; i++)
		r[i] = udp_exchange(fd, text);
	(void)close(fd);
	CU_ASSERT_EQUAL(harness_server_transactions(&H), before);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(r[i]);
		s[i] = sip_object(r[i]);
		CU_ASSERT_FATAL(s[i] != NULL && s[i]->sip_status != NULL);
		CU_ASSERT_EQUAL(s[i]->sip_status->st_status, 401);
		check_challenges(s[i]);
		CU_ASSERT_FATAL(s[i]->sip_to != NULL &&
		    s[i]->sip_to->a_tag != NULL);
		plen = strlen(H.px->stateless_tag);
		CU_ASSERT_EQUAL(strncmp(s[i]->sip_to->a_tag,
		    H.px->stateless_tag, plen), 0);
	}
	CU_ASSERT_STRING_NOT_EQUAL(s[0]->sip_to->a_tag, s[1]->sip_to->a_tag);
	msg_destroy(r[0]);
	msg_destroy(r[1]);
	/* The count does move: a request that passes authentication gets
	   its server transaction (REGISTER excepted: it is always answered
	   at once, so it needs none; see ptx_transaction). */
	alice = registered("alice", "a1");
	CU_ASSERT_EQUAL(harness_server_transactions(&H), before);
	o = peer_send(alice, "OPTIONS", H.hop, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(peer_wait(o), 200);
	CU_ASSERT(harness_server_transactions(&H) > before);
}

/*
 * A bad signature: a request other than REGISTER gets an unsigned 403,
 * REGISTER a fresh challenge, both saying why; the SA itself stays good.
 */
static void
test_refusal_bad_signature(void)
{
	struct peer *alice;
	struct peer_out *o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(H.px);
	alice = registered("alice", "a1");
	o = peer_send(alice, "MESSAGE", "sip:bob@" HARNESS_DOMAIN,
	    PEER_TAMPER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(peer_wait(o), 403);
	CU_ASSERT_PTR_NOT_NULL(strstr(warning(o), "bad signature"));
	CU_ASSERT_EQUAL(o->verified, 0);
	CU_ASSERT_EQUAL(count(o, "Authentication-Info"), 0);

	o = peer_send_register(alice, PEER_TAMPER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(peer_wait(o), 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(warning(o), "bad signature"));
	check_challenges(sip_object(o->last));

	o = peer_send(alice, "OPTIONS", H.hop, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(peer_wait(o), 200);
	CU_ASSERT_ALL_SIGNED(o);
}

/*
 * Signatures that are right but of a form MS-SIP does not allow: a crand
 * that is not 8 hex digits, a cnum of 0 (counters start at 1).
 */
static void
test_refusal_strict(void)
{
	struct peer *alice;
	struct peer_out *o;
	unsigned bad[] = { PEER_LONG_CRAND, PEER_CNUM_ZERO };
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(H.px);
	alice = registered("alice", "a1");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = peer_send(alice, "OPTIONS", H.hop, bad[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		CU_ASSERT_EQUAL(peer_wait(o), 403);
		CU_ASSERT_PTR_NOT_NULL(strstr(warning(o), "bad signature"));
	}
	o = peer_send(alice, "OPTIONS", H.hop, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(peer_wait(o), 200);
	CU_ASSERT_ALL_SIGNED(o);
}

/* An opaque sipsad never issued: 403, or a fresh challenge to REGISTER. */
static void
test_refusal_unknown_opaque(void)
{
	struct peer *alice;
	struct peer_out *o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(H.px);
	alice = registered("alice", "a1");
	(void)snprintf(alice->opaque, sizeof(alice->opaque), "0BADF00D");
	o = peer_send(alice, "OPTIONS", H.hop, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(peer_wait(o), 403);
	CU_ASSERT_PTR_NOT_NULL(strstr(warning(o),
	    "unknown security association"));

	o = peer_send_register(alice, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(peer_wait(o), 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(warning(o),
	    "unknown security association"));
	check_challenges(sip_object(o->last));
}

/*
 * Past its lifetime (sa { lifetime 10m }, on the SA table's clock) the SA
 * is refused as expired; a new handshake makes a new one.
 */
static void
test_refusal_expired(void)
{
	struct peer *alice;
	struct peer_out *o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(H.px);
	alice = registered("alice", "a1");
	H.now_ms += 11 * 60 * 1000;
	o = peer_send(alice, "OPTIONS", H.hop, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(peer_wait(o), 403);
	CU_ASSERT_PTR_NOT_NULL(strstr(warning(o),
	    "security association expired"));

	o = peer_send_register(alice, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(peer_wait(o), 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(warning(o),
	    "security association expired"));

	CU_ASSERT_EQUAL(peer_register(alice), 200);
	o = peer_send(alice, "OPTIONS", H.hop, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(peer_wait(o), 200);
	CU_ASSERT_ALL_SIGNED(o);
}

/* ---- the response exit ---- */

/*
 * Whatever answers an authenticated request, sipsad's own answers and
 * those of a callee, carries an rspauth the client can verify.
 */
static void
test_response_exit(void)
{
	static const struct {
		const char	*method;
		const char	*ruri;
		int		 status;
	} cases[] = {
		{ "OPTIONS", NULL, 200 },		/* the server itself */
		{ "MESSAGE", "sip:nobody@" HARNESS_DOMAIN, 404 },
		{ "MESSAGE", "sip:carol@elsewhere.test", 404 },
		{ "SUBSCRIBE", "sip:alice@" HARNESS_DOMAIN, 501 },
		{ "MESSAGE", "sip:bob@" HARNESS_DOMAIN, 200 },	/* relayed */
	};
	struct peer *alice, *bob;
	struct peer_out *o;
	struct peer_in *in;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(H.px);
	alice = registered("alice", "a1");
	bob = registered("bob", "b1");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = peer_send(alice, cases[i].method, cases[i].ruri != NULL ?
		    cases[i].ruri : H.hop, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		if (cases[i].status == 200 && cases[i].ruri != NULL) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(in = peer_next(bob));
			CU_ASSERT_EQUAL(peer_respond(in, 200, 0), 0);
		}
		CU_ASSERT_EQUAL(peer_wait(o), cases[i].status);
		CU_ASSERT_ALL_SIGNED(o);
	}
	/* A refresh of the registration, signed. */
	o = peer_send_register(alice, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(peer_wait(o), 200);
	CU_ASSERT_ALL_SIGNED(o);
}

/* ---- relay signing ---- */

/*
 * A callee's response is checked with the callee's SA, stripped of the
 * callee's signature and signed again for the caller; one whose
 * signature is spoiled or missing is not relayed: 502.
 */
static void
test_relay_signing(void)
{
	struct peer *alice, *bob;
	struct peer_out *o;
	struct peer_in *in;

	CU_ASSERT_PTR_NOT_NULL_FATAL(H.px);
	alice = registered("alice", "a1");
	bob = registered("bob", "b1");

	o = peer_send(alice, "MESSAGE", "sip:bob@" HARNESS_DOMAIN, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in = peer_next(bob));
	CU_ASSERT_STRING_EQUAL(in->sip->sip_request->rq_method_name,
	    "MESSAGE");
	CU_ASSERT(in->verified);	/* signed with bob's SA */
	CU_ASSERT_EQUAL(peer_respond(in, 200, 0), 0);
	CU_ASSERT_EQUAL(peer_wait(o), 200);
	CU_ASSERT_ALL_SIGNED(o);
	CU_ASSERT_EQUAL(count(o, "Authentication-Info"), 1);
	CU_ASSERT_EQUAL(count(o, "Authorization"), 0);

	o = peer_send(alice, "MESSAGE", "sip:bob@" HARNESS_DOMAIN, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in = peer_next(bob));
	CU_ASSERT_EQUAL(peer_respond(in, 200, PEER_TAMPER), 0);
	CU_ASSERT_EQUAL(peer_wait(o), 502);
	CU_ASSERT_ALL_SIGNED(o);
	CU_ASSERT_PTR_NOT_NULL(strstr(warning(o), "signature verification"));

	o = peer_send(alice, "MESSAGE", "sip:bob@" HARNESS_DOMAIN, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in = peer_next(bob));
	CU_ASSERT_EQUAL(peer_respond(in, 200, PEER_UNSIGNED), 0);
	CU_ASSERT_EQUAL(peer_wait(o), 502);
	CU_ASSERT_ALL_SIGNED(o);
}

/* ---- forking ---- */

/*
 * bob signed in from two endpoints.  A MESSAGE reaches both, each copy
 * signed with that endpoint's SA; the first 200 goes back to alice and
 * the second is absorbed.  An INVITE rings both; the first 200 is
 * relayed, the other branch gets a signed CANCEL and its 487 goes
 * nowhere; alice's ACK reaches the endpoint that answered, signed.
 */
static void
test_forking(void)
{
	struct peer *alice, *bob1, *bob2;
	struct peer_in *in1, *in2;
	struct peer_out *o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(H.px);
	alice = registered("alice", "a1");
	bob1 = registered("bob", "b1");
	bob2 = registered("bob", "b2");

	o = peer_send(alice, "MESSAGE", "sip:bob@" HARNESS_DOMAIN, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in1 = peer_next(bob1));
	CU_ASSERT_PTR_NOT_NULL_FATAL(in2 = peer_next(bob2));
	CU_ASSERT(in1->verified && in2->verified);
	CU_ASSERT_EQUAL(peer_respond(in1, 200, 0), 0);
	CU_ASSERT_EQUAL(peer_wait(o), 200);
	CU_ASSERT_EQUAL(peer_respond(in2, 200, 0), 0);
	HARNESS_UNTIL(&H, o->responses > 1);
	CU_ASSERT_EQUAL(o->responses, 1);
	CU_ASSERT_ALL_SIGNED(o);

	o = peer_send(alice, "INVITE", "sip:bob@" HARNESS_DOMAIN, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in1 = peer_next(bob1));
	CU_ASSERT_PTR_NOT_NULL_FATAL(in2 = peer_next(bob2));
	CU_ASSERT(in1->verified && in2->verified);
	CU_ASSERT_EQUAL(peer_respond(in1, 180, 0), 0);
	CU_ASSERT_EQUAL(peer_respond(in2, 180, 0), 0);
	CU_ASSERT_EQUAL(peer_wait_provisional(o), 180);
	CU_ASSERT_EQUAL(peer_respond(in1, 200, 0), 0);
	CU_ASSERT_EQUAL(peer_wait(o), 200);
	CU_ASSERT_ALL_SIGNED(o);
	HARNESS_UNTIL(&H, in2->cancelled);
	CU_ASSERT(in2->cancelled && in2->cancel_verified);
	CU_ASSERT(!in1->cancelled);
	CU_ASSERT_EQUAL(peer_respond(in2, 487, 0), 0);

	CU_ASSERT_EQUAL(peer_ack(o), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in1 = peer_next(bob1));
	CU_ASSERT_STRING_EQUAL(in1->sip->sip_request->rq_method_name, "ACK");
	CU_ASSERT(in1->verified);
	CU_ASSERT_EQUAL(o->status, 200);
	/* Nothing tried to cancel the MESSAGE's other branch. */
	CU_ASSERT_EQUAL(harness_warned(&H, "cancel"), 0);
}

/* ---- CANCEL ---- */

/*
 * INVITE, 180, CANCEL, 487: the caller's CANCEL is signed and checked,
 * the one sipsad sends the callee is signed (the callee checks it), and
 * the 487 is the callee's, checked and signed again for the caller: no
 * unsigned 487 of nta's own reaches the caller.
 */
static void
test_cancel(void)
{
	struct peer *alice, *bob;
	struct peer_out *o;
	struct peer_in *in;

	CU_ASSERT_PTR_NOT_NULL_FATAL(H.px);
	alice = registered("alice", "a1");
	bob = registered("bob", "b1");

	o = peer_send(alice, "INVITE", "sip:bob@" HARNESS_DOMAIN, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in = peer_next(bob));
	CU_ASSERT(in->verified);
	CU_ASSERT_EQUAL(peer_respond(in, 180, 0), 0);
	CU_ASSERT_EQUAL(peer_wait_provisional(o), 180);
	CU_ASSERT_ALL_SIGNED(o);

	CU_ASSERT_EQUAL_FATAL(peer_cancel(o), 0);
	HARNESS_UNTIL(&H, in->cancelled);
	CU_ASSERT(in->cancelled && in->cancel_verified);
	/* Nothing final reached alice before bob's answer. */
	CU_ASSERT_EQUAL(o->status, 0);
	CU_ASSERT_EQUAL(peer_respond(in, 487, 0), 0);
	CU_ASSERT_EQUAL(peer_wait(o), 487);
	CU_ASSERT_EQUAL(o->responses, 2);	/* 180 and 487 */
	CU_ASSERT_ALL_SIGNED(o);
}

/* ---- a step that waits ---- */

/* The Retry-After of o's last response, or -1. */
static long
retry_after(const struct peer_out *o)
{
	const sip_t *sip = o->last != NULL ? sip_object(o->last) : NULL;

	return sip != NULL && sip->sip_retry_after != NULL ?
	    (long)sip->sip_retry_after->af_delta : -1;
}

/*
 * A leg that waits for a domain controller (users winbind; here the fake
 * mechanism's WAIT domain): its check runs on the worker thread while the
 * loop goes on (a registered peer refreshes meanwhile, signed); a second
 * such leg finds the queue full (winbind-queue 1): 503, Retry-After: 5;
 * the first is answered once its check is done, 200, signed, and its SA
 * is WAIT\<user>.  Kerberos and first legs never wait for the queue.
 */
static void
test_waiting(void)
{
	struct peer *rita, *alice, *bob;
	struct peer_out *a, *b, *r;
	unsigned ran;

	CU_ASSERT_PTR_NOT_NULL_FATAL(H.px);
	rita = registered("rita", "c1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(alice = peer_create(&H, "alice", "a1"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(bob = peer_create(&H, "bob", "b1"));
	peer_set_domain(alice, "WAIT");
	peer_set_domain(bob, "WAIT");
	ran = atomic_load(&fake_mech_jobs_run);

	atomic_store(&fake_mech_hold, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a = peer_register_start(alice));
	/* While alice's check is held: rita's refresh, signed. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = peer_send_register(rita, 0));
	CU_ASSERT_EQUAL(peer_wait(r), 200);
	CU_ASSERT_ALL_SIGNED(r);
	CU_ASSERT_EQUAL(a->status, 0);
	/* bob's leg finds the queue full; his first legs did not. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(b = peer_register_start(bob));
	CU_ASSERT_EQUAL(peer_wait(b), 503);
	CU_ASSERT_EQUAL(retry_after(b), 5);
	CU_ASSERT_EQUAL(a->status, 0);

	atomic_store(&fake_mech_hold, 0);
	CU_ASSERT_EQUAL(peer_wait(a), 200);
	CU_ASSERT_ALL_SIGNED(a);
	CU_ASSERT_EQUAL(atomic_load(&fake_mech_jobs_run), ran + 1);
	/* alice's SA signs her refresh as WAIT\alice. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = peer_send_register(alice, 0));
	CU_ASSERT_EQUAL(peer_wait(r), 200);
	CU_ASSERT_ALL_SIGNED(r);
	/* With room again, bob signs in. */
	CU_ASSERT_EQUAL(peer_register(bob), 200);
}

/*
 * A leg still waiting when sipsad stops: its check ends on the worker,
 * and the request ends with it (503 to a peer already gone), nothing
 * left behind (valgrind and ASan runs of the harness see leaks).
 */
static void
test_waiting_at_stop(void)
{
	struct peer *alice;
	struct peer_out *a;
	unsigned ran, started;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(H.px);
	CU_ASSERT_PTR_NOT_NULL_FATAL(alice = peer_create(&H, "alice", "a1"));
	peer_set_domain(alice, "WAIT");
	atomic_store(&fake_mech_hold, 1);
	started = atomic_load(&fake_mech_jobs_started);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a = peer_register_start(alice));
	/* The leg reaches sipsad, and its check runs. */
	HARNESS_UNTIL(&H, H.px->workers != NULL && workers_full(H.px->workers));
	CU_ASSERT_TRUE(workers_full(H.px->workers));
	for (i = 0; i < 5000 && atomic_load(&fake_mech_jobs_started) ==
	    started; i++)
		(void)usleep(1000);
	CU_ASSERT_EQUAL(atomic_load(&fake_mech_jobs_started), started + 1);
	ran = atomic_load(&fake_mech_jobs_run);
	atomic_store(&fake_mech_hold, 0);
	/* Stopped with the check running or done but not handed back:
	   either way it ends, and the request with it. */
	CU_ASSERT_EQUAL(a->status, 0);
	harness_stop(&H);
	CU_ASSERT_EQUAL(atomic_load(&fake_mech_jobs_run), ran + 1);
}

static CU_TestInfo pipeline_tests[] = {
	{ "refusal_unauthenticated", test_refusal_unauthenticated },
	{ "refusal_bad_signature", test_refusal_bad_signature },
	{ "refusal_unknown_opaque", test_refusal_unknown_opaque },
	{ "refusal_strict", test_refusal_strict },
	{ "refusal_expired", test_refusal_expired },
	{ "response_exit", test_response_exit },
	{ "relay_signing", test_relay_signing },
	{ "forking", test_forking },
	{ "cancel", test_cancel },
	{ "waiting", test_waiting },
	{ "waiting_at_stop", test_waiting_at_stop },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "pipeline", NULL, NULL, setup, teardown, pipeline_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "pipeline: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	(void)CU_basic_run_tests();
	failed = CU_get_number_of_failures() +
	    CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
