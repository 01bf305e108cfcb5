/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/unit/test_sa_expire.c: SA expiry on a fake clock: the 8-hour hard
 * lifetime, idle timeout and its refresh, sa_extend, handshake timeout,
 * references outliving expiry, bounded sweep work, 100k SAs, and the
 * tombstones that expired and replaced SAs leave behind.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_sa.h"

#define S	1000ull			/* ms per second */
#define H	(3600 * S)		/* ms per hour */

/* A verified message on sa with the next cnum. */
static enum sa_reason
touch(struct sa_assoc *sa, uint32_t *cnum)
{
	uint8_t sig[8];

	sa_test_client_sign(sa, "REGISTER", sig);
	return sa_verify(sa, ++*cnum, "REGISTER", 8, sig, 8);
}

static void
test_sa_expire_hard_lifetime_exactly_8h(void)
{
	struct sa_table *t;
	struct sa_assoc *sa;
	struct sa_stats st;
	uint32_t cnum = 0;
	uint64_t t0;

	sa_test_now = 1000 * H;
	t = sa_test_table(NULL);
	sa = sa_test_established(t, "a", "D\\u", "sip:u@x", "e");
	t0 = sa_test_now;
	/* Kept busy, it lives exactly 8 hours from establishment. */
	while (sa_test_now + 10 * 60 * S < t0 + 8 * H) {
		sa_test_now += 10 * 60 * S;
		CU_ASSERT_EQUAL_FATAL(touch(sa, &cnum), SA_R_OK);
	}
	CU_ASSERT_EQUAL(sa_extend(sa, 3600), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + 8 * H);
	sa_test_now = t0 + 8 * H - 1;
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_OK);
	sa_test_now = t0 + 8 * H;
	sa_test_log_reset();
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_EXPIRED);
	CU_ASSERT_EQUAL(sa_test_log_count("reason=EXPIRED"), 1);
	CU_ASSERT_EQUAL(sa_state(sa), ASSOC_DETACHED);
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.verify_failures, 1);
	CU_ASSERT_EQUAL(st.expirations, 1);
	CU_ASSERT_EQUAL(st.established, 0);
	sa_unref(sa);
	sa_table_free(t);
}

static void
test_sa_expire_lifetime_lowered_by_config_or_ticket(void)
{
	struct sa_limits lim = { .lifetime_s = 3600, .idle_s = 7200 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *a, *k;
	uint64_t t0 = sa_test_now;

	a = sa_test_established(t, "a", "D\\a", NULL, NULL);
	CU_ASSERT_EQUAL(sa_deadline_ms(a), t0 + 3600 * S);
	fake_mech_lifetime = 600;	/* a ticket valid 10 more minutes */
	CU_ASSERT_EQUAL(sa_begin(t, "a", MECH_KERBEROS, SA_HDR_WWW, NULL, &k),
	    0);
	CU_ASSERT_EQUAL(sa_step(k, (const uint8_t *)"user:k@R", 8,
	    &(uint8_t *){ NULL }, &(size_t){ 0 }), SA_R_OK);
	CU_ASSERT_EQUAL(sa_extend(k, 3600), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(k), t0 + 600 * S);
	sa_unref(a);
	sa_unref(k);
	sa_table_free(t);
}

static void
test_sa_expire_idle_refreshed_by_verified_message_only(void)
{
	struct sa_limits lim = { .idle_s = 900 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *sa, *found;
	uint8_t sig[MECH_SIG_MAX], bad[8] = { 0 };
	size_t siglen;
	uint32_t cnum = 0;
	uint64_t t0 = sa_test_now;

	sa = sa_test_established(t, "a", "D\\u", "sip:u@x", "e");
	/* Lookups and signing do not refresh. */
	sa_test_now = t0 + 800 * S;
	CU_ASSERT_EQUAL(sa_find_endpoint(t, "sip:u@x", "e", "R", "T", &found),
	    SA_R_OK);
	sa_unref(found);
	CU_ASSERT_EQUAL(sa_sign(sa, "x", 1, sig, &siglen), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + 900 * S);
	/* A bad MIC and a replay do not refresh; a good message does. */
	CU_ASSERT_EQUAL(sa_verify(sa, 1, "x", 1, bad, 8), SA_R_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + 900 * S);
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + 1700 * S);
	sa_test_now = t0 + 1600 * S;
	cnum--;
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_REPLAYED_CNUM);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + 1700 * S);
	sa_test_now = t0 + 1700 * S - 1;
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, sa_opaque(sa), 8, &found),
	    SA_R_OK);
	sa_unref(found);
	/* Lazy expiry: found expired before any sweep, then its tombstone. */
	sa_test_now = t0 + 1700 * S;
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, sa_opaque(sa), 8, &found),
	    SA_R_EXPIRED);
	CU_ASSERT_PTR_NULL(found);
	CU_ASSERT_EQUAL(sa_lookup_opaque(t, sa_opaque(sa), 8, &found),
	    SA_R_EXPIRED);
	CU_ASSERT_PTR_NULL(found);
	CU_ASSERT_EQUAL(sa_find_endpoint(t, "sip:u@x", "e", "R", "T", &found),
	    SA_R_UNKNOWN_ENDPOINT);
	sa_unref(sa);
	sa_table_free(t);
}

static void
test_sa_expire_extend_bounded_and_never_shortens(void)
{
	struct sa_limits lim = { .idle_s = 900 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *sa, *ho;
	uint32_t cnum = 0;
	uint64_t t0 = sa_test_now;

	sa = sa_test_established(t, "a", "D\\u", NULL, NULL);
	CU_ASSERT_EQUAL(sa_extend(sa, 3600), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + (3600 + 30) * S);
	CU_ASSERT_EQUAL(sa_extend(sa, 10), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + (3600 + 30) * S);
	/* A verified message inside the extension keeps the extension. */
	sa_test_now = t0 + 60 * S;
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + (3600 + 30) * S);
	sa_test_now = t0 + 7 * H;
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_EXPIRED);
	sa_unref(sa);

	sa = sa_test_established(t, "a", "D\\v", NULL, NULL);
	t0 = sa_test_now;
	sa_test_now += 7 * H + 50 * 60 * S;
	CU_ASSERT_EQUAL(sa_extend(sa, 3600), SA_R_EXPIRED);
	sa_unref(sa);
	sa = sa_test_established(t, "a", "D\\w", NULL, NULL);
	t0 = sa_test_now;
	for (sa_test_now = t0; sa_test_now < t0 + 7 * H; sa_test_now += 600 * S)
		CU_ASSERT_EQUAL_FATAL(touch(sa, &cnum), SA_R_OK);
	CU_ASSERT_EQUAL(sa_extend(sa, 7200), SA_R_OK);
	CU_ASSERT_EQUAL(sa_deadline_ms(sa), t0 + 8 * H);
	CU_ASSERT_EQUAL(sa_begin(t, "a", MECH_NTLM, SA_HDR_WWW, NULL, &ho), 0);
	CU_ASSERT_EQUAL(sa_extend(ho, 60), SA_R_WRONG_STATE);
	sa_unref(ho);
	sa_unref(sa);
	sa_table_free(t);
}

static void
test_sa_expire_reference_keeps_expired_sa_alive(void)
{
	struct sa_limits lim = { .idle_s = 60, .handshake_s = 30 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *sa, *ho;
	struct sa_stats st;
	char opaque[SA_OPAQUE_LEN + 1], srand[9];
	uint32_t snum, cnum = 0;
	uint8_t sig[MECH_SIG_MAX];
	size_t siglen;

	sa = sa_test_established(t, "a", "D\\u", "sip:u@x", "e");
	CU_ASSERT_EQUAL(sa_begin(t, "b", MECH_NTLM, SA_HDR_WWW, NULL, &ho), 0);
	strcpy(opaque, sa_opaque(sa));
	CU_ASSERT_EQUAL(sa_next_deadline_ms(t), sa_test_now + 30 * S);
	sa_test_now += 30 * S;
	CU_ASSERT_EQUAL(sa_expire_run(t, 100), 1);
	CU_ASSERT_EQUAL(sa_state(ho), ASSOC_DETACHED);
	CU_ASSERT_EQUAL(sa_state(sa), ASSOC_ESTABLISHED);
	sa_test_now += 30 * S;
	CU_ASSERT_EQUAL(sa_expire_run(t, 100), 1);
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.established, 0);
	CU_ASSERT_EQUAL(st.half_open, 0);
	CU_ASSERT_EQUAL(st.expirations, 2);
	CU_ASSERT_EQUAL(sa_next_deadline_ms(t), UINT64_MAX);
	/* Still readable through the reference; every operation refuses. */
	CU_ASSERT_STRING_EQUAL(sa_opaque(sa), opaque);
	CU_ASSERT_STRING_EQUAL(sa_aor(sa), "sip:u@x");
	CU_ASSERT_EQUAL(sa_state(sa), ASSOC_DETACHED);
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_EXPIRED);
	CU_ASSERT_EQUAL(sa_sign(sa, "x", 1, sig, &siglen), SA_R_EXPIRED);
	CU_ASSERT_EQUAL(sa_next_server_salt(sa, srand, &snum), SA_R_EXPIRED);
	CU_ASSERT_EQUAL(sa_check_identity(sa, "u"), SA_R_EXPIRED);
	/* The table can go first; the SA is freed by the last unref. */
	sa_table_free(t);
	CU_ASSERT_STRING_EQUAL(sa_user(sa), "D\\u");
	sa_unref(sa);
	sa_unref(ho);
}

static void
test_sa_expire_work_is_bounded_per_call(void)
{
	struct sa_limits lim = { .idle_s = 100, .handshake_s = 10,
	    .max_half_open = 5000, .max_half_open_per_source = 5000 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *sa;
	struct sa_stats st;
	uint32_t cnum;
	int i, calls;

	for (i = 0; i < 1000; i++) {
		CU_ASSERT_EQUAL_FATAL(sa_begin(t, "s", MECH_NTLM, SA_HDR_WWW,
		    NULL, &sa), 0);
		sa_unref(sa);
	}
	sa_test_now += 10 * S;
	for (i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(sa_expire_run(t, 100), 100);
	CU_ASSERT_EQUAL(sa_expire_run(t, 100), 0);

	/* 500 established SAs, half of them refreshed before the sweep. */
	for (i = 0; i < 500; i++) {
		sa = sa_test_established(t, "s", "D\\u", NULL, NULL);
		cnum = 0;
		if (i % 2 == 0) {
			sa_test_now += 1;
			CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_OK);
			sa_test_now -= 1;
		}
		sa_unref(sa);
	}
	sa_test_now += 100 * S;
	/* 500 heap tops are due: each call handles at most 50 of them. */
	for (calls = 0; calls < 10; calls++)
		CU_ASSERT(sa_expire_run(t, 50) <= 50);
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.established, 250);
	CU_ASSERT_EQUAL(sa_expire_run(t, 50), 0);
	sa_test_now += 1;
	CU_ASSERT_EQUAL(sa_expire_run(t, 1000), 250);
	sa_table_free(t);
}

/*
 * Random deadlines through sa_extend: after every step of the clock, the
 * SAs that left the table are exactly those whose deadline has passed.
 */
static void
test_sa_expire_heap_order_with_random_deadlines(void)
{
	enum { N = 2000 };
	struct sa_table *t = sa_test_table(NULL);
	static struct sa_assoc *sas[N];
	struct sa_stats st;
	uint64_t t0 = sa_test_now;
	uint32_t live;
	int i, wrong = 0, step;

	srand(7);
	for (i = 0; i < N; i++) {
		sas[i] = sa_test_established(t, "s", "D\\u", NULL, NULL);
		CU_ASSERT_EQUAL_FATAL(sa_extend(sas[i],
		    (uint32_t)(rand() % 7200)), SA_R_OK);
	}
	for (step = 1; step <= 100; step++) {
		sa_test_now = t0 + (uint64_t)step * 80 * S;
		(void)sa_expire_run(t, N * 2);
		live = 0;
		for (i = 0; i < N; i++) {
			int gone = sa_state(sas[i]) == ASSOC_DETACHED;

			live += !gone;
			if (gone != (sa_deadline_ms(sas[i]) <= sa_test_now))
				wrong++;
		}
		sa_table_stats(t, &st);
		CU_ASSERT_EQUAL(st.established, live);
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(st.established, 0);
	for (i = 0; i < N; i++)
		sa_unref(sas[i]);
	sa_table_free(t);
}

/* SA_TEST_N SAs (default 100000) inserted, bound, then all expired. */
static void
test_sa_expire_many_sas(void)
{
	struct sa_table *t = sa_test_table(NULL);
	struct sa_assoc *sa;
	struct sa_stats st;
	const char *env = getenv("SA_TEST_N");
	unsigned n = env != NULL ? (unsigned)atoi(env) : 100000, i, total = 0;
	char aor[32], epid[16];

	for (i = 0; i < n; i++) {
		(void)snprintf(aor, sizeof(aor), "sip:user%u@example.com", i);
		(void)snprintf(epid, sizeof(epid), "%08x", i);
		sa = sa_test_established(t, "198.51.100.1", "D\\user", aor,
		    epid);
		if (sa == NULL)
			break;
		sa_unref(sa);
	}
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.established, n);
	CU_ASSERT_EQUAL(sa_find_endpoint(t, "sip:user7@example.com",
	    "00000007", "R", "T", &sa),
	    n > 7 ? SA_R_OK : SA_R_UNKNOWN_ENDPOINT);
	sa_unref(sa);
	sa_test_now += 900 * S;
	while ((i = sa_expire_run(t, 1000)) > 0) {
		CU_ASSERT(i <= 1000);
		total += i;
	}
	CU_ASSERT_EQUAL(total, n);
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.established, 0);
	sa_table_free(t);
}

/* sa_lookup_opaque's answer for opaque text, and no reference with it. */
static enum sa_reason
lookup(struct sa_table *t, const char *opaque)
{
	struct sa_assoc *found = (struct sa_assoc *)&found;
	enum sa_reason r;

	r = sa_lookup_opaque(t, opaque, strlen(opaque), &found);
	if (r != SA_R_OK)
		CU_ASSERT_PTR_NULL(found);
	sa_unref(found);
	return r;
}

static uint32_t
tombstones(const struct sa_table *t)
{
	struct sa_stats st;

	sa_table_stats(t, &st);
	return st.tombstones;
}

/*
 * Idle and lifetime expiry found by the sweep leave a tombstone: the
 * client's next lookup is told EXPIRED, and says so in the log.  An opaque
 * never issued, and a half-open SA that timed out, stay unknown.
 */
static void
test_sa_expire_sweep_leaves_tombstone(void)
{
	struct sa_limits lim = { .lifetime_s = 3600, .idle_s = 60,
	    .handshake_s = 30 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *idle, *busy, *ho;
	char o_idle[9], o_busy[9], o_ho[9], never[9];
	uint32_t cnum = 0, v;
	uint64_t t0 = sa_test_now;

	idle = sa_test_established(t, "a", "D\\i", "sip:i@x", "e");
	busy = sa_test_established(t, "a", "D\\b", "sip:b@x", "e");
	CU_ASSERT_EQUAL(sa_begin(t, "a", MECH_NTLM, SA_HDR_WWW, NULL, &ho), 0);
	strcpy(o_idle, sa_opaque(idle));
	strcpy(o_busy, sa_opaque(busy));
	strcpy(o_ho, sa_opaque(ho));
	/* An opaque the table never issued. */
	for (v = 0; v < 4; v++) {
		(void)snprintf(never, sizeof(never), "%08X", (unsigned)v);
		if (strcmp(never, o_idle) != 0 && strcmp(never, o_busy) != 0 &&
		    strcmp(never, o_ho) != 0)
			break;
	}
	sa_unref(idle);
	sa_unref(ho);

	/* busy is kept alive until its lifetime ends; idle goes at 60 s. */
	for (sa_test_now = t0 + 50 * S; sa_test_now < t0 + 3600 * S;
	    sa_test_now += 50 * S) {
		CU_ASSERT_EQUAL_FATAL(touch(busy, &cnum), SA_R_OK);
		(void)sa_expire_run(t, 100);
	}
	CU_ASSERT_EQUAL(tombstones(t), 1);
	sa_test_log_reset();
	CU_ASSERT_EQUAL(lookup(t, o_idle), SA_R_EXPIRED);
	CU_ASSERT_EQUAL(sa_test_log_count("reason=EXPIRED gone="), 1);
	CU_ASSERT_EQUAL(sa_test_log_count(o_idle), 1);
	CU_ASSERT_EQUAL(lookup(t, o_ho), SA_R_UNKNOWN_OPAQUE);
	CU_ASSERT_EQUAL(lookup(t, never), SA_R_UNKNOWN_OPAQUE);
	CU_ASSERT_EQUAL(sa_test_log_count("reason=UNKNOWN_OPAQUE"), 2);

	sa_test_now = t0 + 3600 * S;
	CU_ASSERT_EQUAL(sa_expire_run(t, 100), 1);
	CU_ASSERT_EQUAL(sa_state(busy), ASSOC_DETACHED);
	CU_ASSERT_EQUAL(tombstones(t), 2);
	CU_ASSERT_EQUAL(lookup(t, o_busy), SA_R_EXPIRED);
	/* Either case, as for live SAs. */
	o_busy[0] = (char)(o_busy[0] >= 'A' ? o_busy[0] + 32 : o_busy[0]);
	CU_ASSERT_EQUAL(lookup(t, o_busy), SA_R_EXPIRED);
	CU_ASSERT_EQUAL(lookup(t, o_idle), SA_R_EXPIRED);
	sa_unref(busy);
	sa_table_free(t);
}

/*
 * An SA that a call finds expired (here sa_verify, not a lookup) leaves a
 * tombstone too; the tombstone is kept tombstone_s seconds, then the
 * opaque is unknown again, whether or not the sweep has run.
 */
static void
test_sa_expire_tombstone_kept_for_tombstone_s(void)
{
	struct sa_limits lim = { .idle_s = 60, .tombstone_s = 600 };
	struct sa_table *t = sa_test_table(&lim);
	struct sa_assoc *sa;
	char opaque[9];
	uint32_t cnum = 0;
	uint64_t gone;

	sa = sa_test_established(t, "a", "D\\u", "sip:u@x", "e");
	strcpy(opaque, sa_opaque(sa));
	gone = sa_test_now + 60 * S;
	sa_test_now = gone;
	CU_ASSERT_EQUAL(touch(sa, &cnum), SA_R_EXPIRED);
	sa_unref(sa);
	CU_ASSERT_EQUAL(tombstones(t), 1);
	sa_test_now = gone + 600 * S - 1;
	CU_ASSERT_EQUAL(lookup(t, opaque), SA_R_EXPIRED);
	sa_test_now = gone + 600 * S;
	sa_test_log_reset();
	CU_ASSERT_EQUAL(lookup(t, opaque), SA_R_UNKNOWN_OPAQUE);
	CU_ASSERT_EQUAL(sa_test_log_count("reason=UNKNOWN_OPAQUE"), 1);
	CU_ASSERT_EQUAL(tombstones(t), 1);	/* not swept yet */
	CU_ASSERT_EQUAL(sa_expire_run(t, 100), 0);
	CU_ASSERT_EQUAL(tombstones(t), 0);
	CU_ASSERT_EQUAL(lookup(t, opaque), SA_R_UNKNOWN_OPAQUE);
	sa_table_free(t);
}

/*
 * Replacement by re-authentication, and sa_retire, leave a REPLACED
 * tombstone, not an EXPIRED one: the SA did not run out of time.
 */
static void
test_sa_expire_replaced_and_retired_say_replaced(void)
{
	struct sa_table *t = sa_test_table(NULL);
	struct sa_assoc *old, *new, *other;
	struct sa_stats st;
	char o_old[9], o_other[9];

	old = sa_test_established(t, "a", "D\\u", "sip:u@x", "e1");
	other = sa_test_established(t, "a", "D\\u", "sip:u@x", "e2");
	strcpy(o_old, sa_opaque(old));
	strcpy(o_other, sa_opaque(other));
	sa_unref(old);
	new = sa_test_established(t, "a", "D\\u", "sip:u@x", "e1");
	sa_test_log_reset();
	CU_ASSERT_EQUAL(lookup(t, o_old), SA_R_REPLACED);
	CU_ASSERT_EQUAL(sa_test_log_count("reason=REPLACED gone=0s"), 1);
	sa_retire(other);
	sa_retire(other);		/* detached already: no second one */
	CU_ASSERT_EQUAL(lookup(t, o_other), SA_R_REPLACED);
	CU_ASSERT_EQUAL(lookup(t, sa_opaque(new)), SA_R_OK);
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.replaced, 2);
	CU_ASSERT_EQUAL(st.tombstones, 2);
	CU_ASSERT_EQUAL(st.expirations, 0);
	sa_unref(other);
	sa_unref(new);
	sa_table_free(t);
}

/*
 * max_tombstones bounds the set: the oldest tombstones go first, and are
 * counted as evictions.  910 SAs expire a second apart into a set of 300,
 * so the ring grows, then wraps; the sweep then forgets them within its
 * budget and the ring shrinks while its entries wrap around its end, and
 * every lookup stays right.
 */
static void
test_sa_expire_tombstones_bounded_oldest_first(void)
{
	enum { N = 910, MAX = 300, KEEP = 3600, IDLE = 60 };
	struct sa_limits lim = { .idle_s = IDLE, .tombstone_s = KEEP,
	    .max_tombstones = MAX };
	struct sa_table *t = sa_test_table(&lim);
	static char ops[N][SA_OPAQUE_LEN + 1];
	const int left[] = { 150, 70, 10 };
	struct sa_assoc *sa;
	struct sa_stats st;
	uint64_t t0 = sa_test_now;
	uint32_t before, dropped;
	int i, k, wrong = 0;

	/* SA i is made at t0 + i s and leaves at t0 + (i + IDLE) s. */
	for (i = 0; i < N + IDLE; i++) {
		sa_test_now = t0 + (uint64_t)i * S;
		if (i < N) {
			sa = sa_test_established(t, "s", "D\\u", NULL, NULL);
			CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
			strcpy(ops[i], sa_opaque(sa));
			sa_unref(sa);
		}
		CU_ASSERT_EQUAL(sa_expire_run(t, 10), i >= IDLE);
	}
	sa_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.established, 0);
	CU_ASSERT_EQUAL(st.expirations, N);
	CU_ASSERT_EQUAL(st.tombstones, MAX);
	CU_ASSERT_EQUAL(st.tombstone_evictions, N - MAX);
	for (i = 0; i < N; i++)
		if (lookup(t, ops[i]) != (i < N - MAX ? SA_R_UNKNOWN_OPAQUE :
		    SA_R_EXPIRED))
			wrong++;
	CU_ASSERT_EQUAL(wrong, 0);

	/*
	 * The tombstone of SA i goes at t0 + (i + IDLE + KEEP) s.  Keep the
	 * newest 150, 70, then 10; a budget of 20 per sweep holds.
	 */
	for (k = 0; k < 3; k++) {
		sa_test_now = t0 + (uint64_t)(N - left[k] - 1 + IDLE + KEEP) *
		    S;
		while (tombstones(t) > (uint32_t)left[k]) {
			before = tombstones(t);
			(void)sa_expire_run(t, 20);
			dropped = before - tombstones(t);
			CU_ASSERT_FATAL(dropped > 0 && dropped <= 20);
		}
		(void)sa_expire_run(t, N);
		CU_ASSERT_EQUAL(tombstones(t), (uint32_t)left[k]);
		for (i = 0; i < N; i++)
			if (lookup(t, ops[i]) != (i < N - left[k] ?
			    SA_R_UNKNOWN_OPAQUE : SA_R_EXPIRED))
				wrong++;
		CU_ASSERT_EQUAL(wrong, 0);
	}
	/* New tombstones after the shrinks. */
	sa = sa_test_established(t, "s", "D\\u", NULL, NULL);
	strcpy(ops[0], sa_opaque(sa));
	sa_retire(sa);
	sa_unref(sa);
	CU_ASSERT_EQUAL(lookup(t, ops[0]), SA_R_REPLACED);
	CU_ASSERT_EQUAL(lookup(t, ops[N - 1]), SA_R_EXPIRED);
	sa_test_now += (uint64_t)(KEEP + IDLE) * S;
	(void)sa_expire_run(t, N);
	CU_ASSERT_EQUAL(tombstones(t), 0);
	sa_table_free(t);
}

CU_TestInfo sa_expire_tests[] = {
	{ "hard_lifetime_exactly_8h",
	    test_sa_expire_hard_lifetime_exactly_8h },
	{ "lifetime_lowered_by_config_or_ticket",
	    test_sa_expire_lifetime_lowered_by_config_or_ticket },
	{ "idle_refreshed_by_verified_message_only",
	    test_sa_expire_idle_refreshed_by_verified_message_only },
	{ "extend_bounded_and_never_shortens",
	    test_sa_expire_extend_bounded_and_never_shortens },
	{ "reference_keeps_expired_sa_alive",
	    test_sa_expire_reference_keeps_expired_sa_alive },
	{ "work_is_bounded_per_call", test_sa_expire_work_is_bounded_per_call },
	{ "heap_order_with_random_deadlines",
	    test_sa_expire_heap_order_with_random_deadlines },
	{ "many_sas", test_sa_expire_many_sas },
	{ "sweep_leaves_tombstone", test_sa_expire_sweep_leaves_tombstone },
	{ "tombstone_kept_for_tombstone_s",
	    test_sa_expire_tombstone_kept_for_tombstone_s },
	{ "replaced_and_retired_say_replaced",
	    test_sa_expire_replaced_and_retired_say_replaced },
	{ "tombstones_bounded_oldest_first",
	    test_sa_expire_tombstones_bounded_oldest_first },
	CU_TEST_INFO_NULL,
};
