/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/sa/failmalloc.c: the allocation-failure ladder for the SA table
 * (sa/sa.h).  Each operation below runs on a table set up afresh, without
 * failures, with the n-th allocation failing in run n (tests/failmalloc/
 * wrap.h), until a run needs no more than n allocations.  Handshake legs
 * run through fake_mech (tests/fake/fake_mech.h), whose own allocations
 * fail in turn too.
 *
 * A failed allocation must either end the operation with its
 * out-of-memory result, leaving the table as sa.h says (ENOMEM from
 * sa_table_create and sa_begin, SA_R_INTERNAL from sa_step and
 * sa_establish_endpoint), or be absorbed where sa.h allows it: an index
 * that cannot grow or shrink, an expiry heap that cannot shrink, a
 * tombstone that cannot be kept (its lookup then says UNKNOWN_OPAQUE).
 * After every run the table must still work (a whole handshake, binding,
 * signing, verifying, lookups), and once freed it must have freed every
 * block it allocated.  Memory errors on these paths are for the ASan pass
 * (scripts/check-asan) to find.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "sa/sa.h"
#include "tests/failmalloc/wrap.h"
#include "tests/fake/fake_mech.h"

#define NREF		160	/* SA references one run may hold */
#define IDLE_MS		(900 * 1000)	/* the default idle timeout */
#define HANDSHAKE_MS	(60 * 1000)	/* the default handshake timeout */
#define TOMB_MS		(3600 * 1000)	/* the default tombstone time */

static uint64_t now_ms;		/* the tables' clock */

/* One run: its table, the SAs it holds references to, its results. */
struct fx {
	struct sa_table	*t;
	struct sa_assoc	*sa[NREF];
	int		 nsa;
	int		 r;		/* what the operation returned */
	unsigned	 n;		/* sa_expire_run's count */
	uint8_t		*out;		/* sa_step's token */
	size_t		 out_len;
	char		 opaque[NREF][SA_OPAQUE_LEN + 1];
};

/* What a run came to. */
enum outcome {
	DONE,		/* the operation succeeded */
	FAILED,		/* it returned its out-of-memory result, cleanly */
	BAD,		/* anything else; said on stderr */
};

struct op {
	const char	*name;
	struct sa_limits lim;
	void		(*setup)(struct fx *);	/* no failures */
	void		(*run)(struct fx *);	/* failures injected */
	/* After the run, no failures; injected: an allocation failed. */
	enum outcome	(*check)(struct fx *, int injected);
};

static const char *cur;		/* the operation, for messages */

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "failmalloc: sa: %s: ", cur);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static enum outcome
bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "failmalloc: sa: %s: ", cur);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return BAD;
}

/* Every log line is formatted (debug level), then dropped. */
static void
discard(int level, const char *module, const char *line, void *arg)
{
	(void)level;
	(void)module;
	(void)line;
	(void)arg;
}

static int
table_new(const struct sa_limits *lim, struct sa_table **t)
{
	struct sa_table_params p;

	memset(&p, 0, sizeof(p));
	p.limits = *lim;
	p.now_ms = fake_clock_ms;
	p.clock_arg = &now_ms;
	p.mech = &fake_mech;
	return sa_table_create(&p, t);
}

/* Keep a reference (and its opaque) for fx_fini; returns its index. */
static int
hold(struct fx *fx, struct sa_assoc *sa)
{
	if (fx->nsa == NREF)
		die("more than %d SAs", NREF);
	(void)snprintf(fx->opaque[fx->nsa], sizeof(fx->opaque[0]), "%s",
	    sa_opaque(sa));
	fx->sa[fx->nsa] = sa;
	return fx->nsa++;
}

static int
begin(struct fx *fx, const char *src, enum mech_kind kind)
{
	struct sa_assoc *sa = NULL;
	int err;

	if ((err = sa_begin(fx->t, src, kind, SA_HDR_WWW, NULL, &sa)) != 0)
		die("sa_begin: %s", strerror(err));
	return hold(fx, sa);
}

static void
leg(struct sa_assoc *sa, const char *tok)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	enum sa_reason r;

	r = sa_step(sa, (const uint8_t *)tok, strlen(tok), &out, &out_len);
	free(out);
	if (r != SA_R_OK)
		die("sa_step(\"%s\"): %s", tok, sa_reason_name(r));
}

/* An established NTLM SA of DOM\<user> from src; its index. */
static int
established(struct fx *fx, const char *src, const char *user)
{
	char tok[80];
	int i = begin(fx, src, MECH_NTLM);

	leg(fx->sa[i], "");
	(void)snprintf(tok, sizeof(tok), "user:DOM\\%s", user);
	leg(fx->sa[i], tok);
	return i;
}

static void
bind_to(struct sa_assoc *sa, const char *aor, const char *epid)
{
	enum sa_reason r;

	if ((r = sa_establish_endpoint(sa, aor, epid, "R", "T")) != SA_R_OK)
		die("sa_establish_endpoint: %s", sa_reason_name(r));
}

static enum sa_reason
lookup(struct fx *fx, const char *opaque)
{
	struct sa_assoc *sa = NULL;
	enum sa_reason r;

	r = sa_lookup_opaque(fx->t, opaque, strlen(opaque), &sa);
	sa_unref(sa);
	return r;
}

static struct sa_stats
stats(const struct fx *fx)
{
	struct sa_stats st;

	sa_table_stats(fx->t, &st);
	return st;
}

static void
fx_fini(struct fx *fx)
{
	int i;

	free(fx->out);
	/* The table first: the SAs it leaves stay valid, detached. */
	sa_table_free(fx->t);
	for (i = 0; i < fx->nsa; i++)
		sa_unref(fx->sa[i]);
	memset(fx, 0, sizeof(*fx));
}

/*
 * The table still works: a whole NTLM handshake from a new source, binding
 * to a new endpoint, lookups, salting and signing, a verified message and
 * a replayed one, then retiring the SA.  Returns 0 or -1 (said).
 */
static int
usable(struct fx *fx)
{
	static const char msg[] = "<signature input>";
	struct sa_assoc *sa = NULL, *found = NULL;
	uint8_t sig[MECH_SIG_MAX], want[FAKE_MECH_SIG_LEN];
	char srand[SA_OPAQUE_LEN + 1];
	size_t siglen;
	uint32_t snum;
	int i, rc = -1;

	i = established(fx, "203.0.113.99", "probe");
	sa = fx->sa[i];
	bind_to(sa, "sip:probe@example.test", "probe-epid");
	if (lookup(fx, sa_opaque(sa)) != SA_R_OK ||
	    sa_find_endpoint(fx->t, "sip:probe@example.test", "probe-epid",
	    "R", "T", &found) != SA_R_OK || found != sa) {
		(void)bad("the probe SA cannot be found");
		goto out;
	}
	if (sa_next_server_salt(sa, srand, &snum) != SA_R_OK ||
	    sa_sign(sa, msg, sizeof(msg), sig, &siglen) != SA_R_OK ||
	    siglen != FAKE_MECH_SIG_LEN) {
		(void)bad("the probe SA cannot sign");
		goto out;
	}
	fake_mech_mac(1, sa_user(sa), msg, sizeof(msg), want);
	if (memcmp(sig, want, siglen) != 0) {
		(void)bad("the probe SA signs wrong");
		goto out;
	}
	fake_mech_mac(0, sa_user(sa), msg, sizeof(msg), sig);
	if (sa_verify(sa, 1, msg, sizeof(msg), sig, FAKE_MECH_SIG_LEN) !=
	    SA_R_OK || sa_verify(sa, 1, msg, sizeof(msg), sig,
	    FAKE_MECH_SIG_LEN) != SA_R_REPLAYED_CNUM) {
		(void)bad("the probe SA does not verify");
		goto out;
	}
	sa_retire(sa);
	rc = 0;
out:
	sa_unref(found);
	return rc;
}

/* Run op with the n-th allocation failing, for every n; 0 or 1. */
static int
ladder(const struct op *op)
{
	struct fx fx;
	enum outcome o;
	long k, base;
	int injected, failed = 0, absorbed = 0;

	cur = op->name;
	memset(&fx, 0, sizeof(fx));
	for (k = 0;; k++) {
		base = failmalloc_live();
		now_ms = 1000000;
		if (table_new(&op->lim, &fx.t) != 0)
			die("sa_table_create");
		if (op->setup != NULL)
			op->setup(&fx);
		failmalloc_arm(k);
		op->run(&fx);
		injected = failmalloc_disarm();
		o = op->check(&fx, injected);
		if (o == FAILED && !injected)
			o = bad("failed with no allocation failing");
		if (o == BAD || usable(&fx) != 0) {
			fprintf(stderr, "failmalloc: sa: %s: in the run that "
			    "failed allocation %ld\n", op->name, k);
			fx_fini(&fx);
			return 1;
		}
		if (injected && o == FAILED)
			failed++;
		else if (injected)
			absorbed++;
		fx_fini(&fx);
		if (failmalloc_live() != base) {
			fprintf(stderr, "failmalloc: sa: %s: run %ld leaked "
			    "%ld blocks\n", op->name, k,
			    failmalloc_live() - base);
			return 1;
		}
		if (!injected)
			break;
	}
	printf("failmalloc: sa: %s: %ld allocation points, %d failed "
	    "cleanly, %d absorbed\n", op->name, k, failed, absorbed);
	return 0;
}

/* sa_table_create: ENOMEM and nothing left behind, until it works. */
static int
create_ladder(void)
{
	struct sa_limits lim;
	struct fx fx;
	long k, base;
	int err, injected;

	cur = "sa_table_create";
	memset(&lim, 0, sizeof(lim));
	memset(&fx, 0, sizeof(fx));
	for (k = 0;; k++) {
		base = failmalloc_live();
		failmalloc_arm(k);
		fx.t = NULL;
		err = table_new(&lim, &fx.t);
		injected = failmalloc_disarm();
		if (err == 0)
			break;
		if (err != ENOMEM || !injected || fx.t != NULL ||
		    failmalloc_live() != base) {
			(void)bad("failure %ld: %s, %ld blocks left", k,
			    strerror(err), failmalloc_live() - base);
			return 1;
		}
	}
	if (usable(&fx) != 0)
		return 1;
	fx_fini(&fx);
	if (failmalloc_live() != base) {
		(void)bad("leaked %ld blocks", failmalloc_live() - base);
		return 1;
	}
	printf("failmalloc: sa: %s: %ld allocation points, all clean\n", cur,
	    k);
	return 0;
}

/*
 * sa_begin.  The new SA, from 192.0.2.200, goes into fx->sa[fx->nsa];
 * the setups say which SAs are there before it.
 */
static void
run_begin(struct fx *fx)
{
	struct sa_assoc *sa = NULL;

	fx->r = sa_begin(fx->t, "192.0.2.200", MECH_NTLM, SA_HDR_WWW, NULL,
	    &sa);
	if (sa != NULL)
		(void)hold(fx, sa);
}

/* half_open_before: what the table had; evicted: how many went first. */
static enum outcome
check_begin(struct fx *fx, int half_open_before, int evicted)
{
	struct sa_stats st = stats(fx);
	int i, left = half_open_before - evicted;

	for (i = 0; i < evicted; i++)
		if (sa_state(fx->sa[i]) != ASSOC_DETACHED ||
		    lookup(fx, fx->opaque[i]) != SA_R_UNKNOWN_OPAQUE)
			return bad("SA %d was not evicted", i);
	if (fx->r == ENOMEM) {
		if (fx->nsa != half_open_before ||
		    st.half_open != (uint32_t)left)
			return bad("ENOMEM, yet %u half-open", st.half_open);
		return FAILED;
	}
	if (fx->r != 0)
		return bad("sa_begin: %s", strerror(fx->r));
	i = fx->nsa - 1;
	if (sa_state(fx->sa[i]) != ASSOC_HALF_OPEN ||
	    lookup(fx, fx->opaque[i]) != SA_R_OK ||
	    st.half_open != (uint32_t)left + 1)
		return bad("the new SA is not in the table");
	return DONE;
}

static enum outcome
check_begin_empty(struct fx *fx, int injected)
{
	(void)injected;
	return check_begin(fx, 0, 0);
}

static void
setup_one_half_open(struct fx *fx)
{
	(void)begin(fx, "192.0.2.200", MECH_NTLM);
}

static enum outcome
check_begin_known(struct fx *fx, int injected)
{
	(void)injected;
	return check_begin(fx, 1, 0);
}

/* With max_half_open_per_source or max_half_open 1: evicted first. */
static enum outcome
check_begin_evicting(struct fx *fx, int injected)
{
	(void)injected;
	return check_begin(fx, 1, 1);
}

static void
setup_one_half_open_elsewhere(struct fx *fx)
{
	(void)begin(fx, "192.0.2.1", MECH_NTLM);
}

/* 64 sources with a half-open SA each: the 65th grows both indexes. */
static void
setup_64_sources(struct fx *fx)
{
	char src[32];
	int i;

	for (i = 0; i < 64; i++) {
		(void)snprintf(src, sizeof(src), "192.0.2.%d", i + 1);
		(void)begin(fx, src, MECH_NTLM);
	}
}

static enum outcome
check_begin_65th(struct fx *fx, int injected)
{
	(void)injected;
	return check_begin(fx, 64, 0);
}

/* sa_step on fx->sa[fx->nsa - 1] with the token tok. */
static void
step_last(struct fx *fx, const char *tok)
{
	fx->r = sa_step(fx->sa[fx->nsa - 1], (const uint8_t *)tok,
	    strlen(tok), &fx->out, &fx->out_len);
}

/* A failed leg: SA_R_INTERNAL, no token, the SA gone without a trace. */
static enum outcome
check_leg_failed(struct fx *fx, int half_open, int est)
{
	struct sa_stats st = stats(fx);
	int i = fx->nsa - 1;

	if (fx->r != SA_R_INTERNAL)
		return bad("sa_step: %s", sa_reason_name(fx->r));
	if (fx->out != NULL || fx->out_len != 0)
		return bad("a token after a failed leg");
	if (sa_state(fx->sa[i]) != ASSOC_DETACHED ||
	    lookup(fx, fx->opaque[i]) != SA_R_UNKNOWN_OPAQUE ||
	    st.half_open != (uint32_t)half_open ||
	    st.established != (uint32_t)est || st.handshake_failures != 1)
		return bad("the failed SA is still there");
	return FAILED;
}

static void
run_leg1(struct fx *fx)
{
	step_last(fx, "");
}

static enum outcome
check_leg1(struct fx *fx, int injected)
{
	int i = fx->nsa - 1;

	(void)injected;
	if (fx->r != SA_R_OK)
		return check_leg_failed(fx, 0, 0);
	if (fx->out == NULL || fx->out_len != 9 ||
	    memcmp(fx->out, "CHALLENGE", 9) != 0 ||
	    sa_state(fx->sa[i]) != ASSOC_HALF_OPEN)
		return bad("no CHALLENGE");
	return DONE;
}

static void
setup_after_leg1(struct fx *fx)
{
	leg(fx->sa[begin(fx, "192.0.2.200", MECH_NTLM)], "");
}

static void
run_leg2(struct fx *fx)
{
	step_last(fx, "user:DOM\\alice");
}

/* The last SA completed as user; est_before others were established. */
static enum outcome
check_complete(struct fx *fx, const char *user, int est_before)
{
	struct sa_stats st = stats(fx);
	struct sa_assoc *sa = fx->sa[fx->nsa - 1];

	if (fx->r != SA_R_OK)
		return check_leg_failed(fx, 0, est_before);
	if (fx->out != NULL || sa_state(sa) != ASSOC_ESTABLISHED ||
	    sa_user(sa) == NULL || strcmp(sa_user(sa), user) != 0 ||
	    st.established != (uint32_t)est_before + 1 || st.half_open != 0)
		return bad("not established as %s", user);
	return DONE;
}

static enum outcome
check_leg2(struct fx *fx, int injected)
{
	(void)injected;
	return check_complete(fx, "DOM\\alice", 0);
}

static void
setup_kerberos(struct fx *fx)
{
	(void)begin(fx, "192.0.2.200", MECH_KERBEROS);
}

static void
run_kerberos(struct fx *fx)
{
	step_last(fx, "user:bob@R");
}

static enum outcome
check_kerberos(struct fx *fx, int injected)
{
	(void)injected;
	return check_complete(fx, "bob@R", 0);
}

/* 64 established SAs fill the expiry heap; the 65th must grow it. */
static void
setup_64_established(struct fx *fx)
{
	char src[32], user[32];
	int i;

	for (i = 0; i < 64; i++) {
		(void)snprintf(src, sizeof(src), "192.0.2.%d", i + 1);
		(void)snprintf(user, sizeof(user), "u%d", i);
		(void)established(fx, src, user);
	}
	setup_after_leg1(fx);
}

static enum outcome
check_65th_established(struct fx *fx, int injected)
{
	(void)injected;
	return check_complete(fx, "DOM\\alice", 64);
}

/* sa_establish_endpoint of the last SA to alice's endpoint. */
static void
run_bind(struct fx *fx)
{
	fx->r = sa_establish_endpoint(fx->sa[fx->nsa - 1],
	    "sip:alice@example.test", "alice-epid", "R", "T");
}

static struct sa_assoc *
find_alice(struct fx *fx, enum sa_reason *r)
{
	struct sa_assoc *sa = NULL;

	*r = sa_find_endpoint(fx->t, "sip:alice@example.test", "alice-epid",
	    "R", "T", &sa);
	sa_unref(sa);			/* fx holds its own reference */
	return sa;
}

/* old: the index of the SA bound there before, or -1. */
static enum outcome
check_bind(struct fx *fx, int old, int injected)
{
	struct sa_assoc *sa = fx->sa[fx->nsa - 1], *found;
	enum sa_reason r, want;

	found = find_alice(fx, &r);
	if (fx->r == SA_R_INTERNAL) {
		if (sa_aor(sa) != NULL || sa_state(sa) != ASSOC_ESTABLISHED)
			return bad("half bound after a failure");
		if (old < 0 ? r != SA_R_UNKNOWN_ENDPOINT : found != fx->sa[old])
			return bad("the endpoint changed after a failure");
		return FAILED;
	}
	if (fx->r != SA_R_OK)
		return bad("sa_establish_endpoint: %s",
		    sa_reason_name(fx->r));
	if (found != sa || sa_aor(sa) == NULL ||
	    strcmp(sa_aor(sa), "sip:alice@example.test") != 0)
		return bad("not bound");
	if (old >= 0) {
		/* Without memory for it, the tombstone may be missing. */
		r = lookup(fx, fx->opaque[old]);
		want = SA_R_REPLACED;
		if (sa_state(fx->sa[old]) != ASSOC_DETACHED || (r != want &&
		    !(injected && r == SA_R_UNKNOWN_OPAQUE)))
			return bad("the old SA: %s", sa_reason_name(r));
	}
	return DONE;
}

static void
setup_one_established(struct fx *fx)
{
	(void)established(fx, "192.0.2.200", "alice");
}

static enum outcome
check_bind_new(struct fx *fx, int injected)
{
	return check_bind(fx, -1, injected);
}

/* alice's endpoint is taken by sa[0]; sa[1] re-authenticated. */
static void
setup_rebind(struct fx *fx)
{
	bind_to(fx->sa[established(fx, "192.0.2.200", "alice")],
	    "sip:alice@example.test", "alice-epid");
	(void)established(fx, "192.0.2.200", "alice");
}

static enum outcome
check_rebind(struct fx *fx, int injected)
{
	return check_bind(fx, 0, injected);
}

/* 64 bound endpoints; binding a 65th grows the endpoint index. */
static void
setup_64_bound(struct fx *fx)
{
	char src[32], user[32], epid[32];
	int i, j;

	for (i = 0; i < 64; i++) {
		(void)snprintf(src, sizeof(src), "192.0.2.%d", i + 1);
		(void)snprintf(user, sizeof(user), "u%d", i);
		(void)snprintf(epid, sizeof(epid), "epid%d", i);
		j = established(fx, src, user);
		bind_to(fx->sa[j], "sip:u@example.test", epid);
	}
	setup_one_established(fx);
}

static enum outcome
check_bind_65th(struct fx *fx, int injected)
{
	return check_bind(fx, -1, injected);
}

static void
setup_bound(struct fx *fx)
{
	bind_to(fx->sa[established(fx, "192.0.2.200", "alice")],
	    "sip:alice@example.test", "alice-epid");
}

static void
run_retire(struct fx *fx)
{
	sa_retire(fx->sa[0]);
}

/* sa[0] left the table for why; its tombstone may be missing. */
static enum outcome
check_gone(struct fx *fx, int i, enum sa_reason why, int injected)
{
	enum sa_reason r = lookup(fx, fx->opaque[i]);

	if (sa_state(fx->sa[i]) != ASSOC_DETACHED)
		return bad("SA %d is still in the table", i);
	if (r != why && !(injected && r == SA_R_UNKNOWN_OPAQUE))
		return bad("SA %d: %s, not %s", i, sa_reason_name(r),
		    sa_reason_name(why));
	return DONE;
}

static enum outcome
check_retire(struct fx *fx, int injected)
{
	enum sa_reason r;

	(void)find_alice(fx, &r);
	if (r != SA_R_UNKNOWN_ENDPOINT)
		return bad("the endpoint still has an SA");
	return check_gone(fx, 0, SA_R_REPLACED, injected);
}

/* A lookup that finds sa[0] past its idle time removes it. */
static void
setup_idle(struct fx *fx)
{
	setup_bound(fx);
	now_ms += IDLE_MS;
}

static void
run_lookup_late(struct fx *fx)
{
	fx->r = (int)lookup(fx, fx->opaque[0]);
}

static enum outcome
check_lookup_late(struct fx *fx, int injected)
{
	if (fx->r != SA_R_EXPIRED)
		return bad("late lookup: %s", sa_reason_name(fx->r));
	return check_gone(fx, 0, SA_R_EXPIRED, injected);
}

/*
 * 100 established SAs past their idle time: the sweep expires them all,
 * growing the tombstone ring twice and shrinking the heap and the opaque
 * index on the way.
 */
static void
setup_100_idle(struct fx *fx)
{
	char src[32], user[32];
	int i;

	for (i = 0; i < 100; i++) {
		(void)snprintf(src, sizeof(src), "198.51.100.%d", i + 1);
		(void)snprintf(user, sizeof(user), "u%d", i);
		(void)established(fx, src, user);
	}
	now_ms += IDLE_MS;
}

static void
run_sweep(struct fx *fx)
{
	fx->n = sa_expire_run(fx->t, 1000);
}

static enum outcome
check_sweep(struct fx *fx, int injected)
{
	struct sa_stats st = stats(fx);
	enum outcome o = DONE;
	int i;

	if (fx->n != 100 || st.established != 0 || st.expirations != 100)
		return bad("%u of 100 expired", fx->n);
	if (!injected && st.tombstones != 100)
		return bad("%u tombstones", st.tombstones);
	for (i = 0; i < 100 && o == DONE; i++)
		o = check_gone(fx, i, SA_R_EXPIRED, injected);
	return o;
}

/* The 100 tombstones, made at once, all older than tombstone_s. */
static void
setup_100_tombs(struct fx *fx)
{
	setup_100_idle(fx);
	if (sa_expire_run(fx->t, 1000) != 100)
		die("sweep");
	now_ms += TOMB_MS;
}

static enum outcome
check_forgotten(struct fx *fx, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		if (lookup(fx, fx->opaque[i]) != SA_R_UNKNOWN_OPAQUE)
			return bad("SA %d is still remembered", i);
	return DONE;
}

static enum outcome
check_forget_all(struct fx *fx, int injected)
{
	(void)injected;
	if (stats(fx).tombstones != 0)
		return bad("%u tombstones left", stats(fx).tombstones);
	return check_forgotten(fx, 0, 100);
}

/*
 * 80 tombstones older than the other 20: forgetting the 80 leaves the
 * ring of 128 less than a quarter full, and it halves.
 */
static void
setup_80_old_20_new(struct fx *fx)
{
	char src[32], user[32];
	int i;

	for (i = 0; i < 100; i++) {
		if (i == 80)
			now_ms += IDLE_MS / 2;
		(void)snprintf(src, sizeof(src), "198.51.100.%d", i + 1);
		(void)snprintf(user, sizeof(user), "u%d", i);
		(void)established(fx, src, user);
	}
	now_ms += IDLE_MS / 2;			/* the 80 expire */
	if (sa_expire_run(fx->t, 1000) != 80)
		die("sweep of 80");
	now_ms += IDLE_MS / 2;			/* the 20 expire */
	if (sa_expire_run(fx->t, 1000) != 20)
		die("sweep of 20");
	now_ms += TOMB_MS - IDLE_MS / 2;	/* the 80 tombstones are due */
}

static enum outcome
check_forget_80(struct fx *fx, int injected)
{
	enum outcome o;
	int i;

	(void)injected;
	if (stats(fx).tombstones != 20)
		return bad("%u tombstones left", stats(fx).tombstones);
	if ((o = check_forgotten(fx, 0, 80)) != DONE)
		return o;
	for (i = 80; i < 100; i++)
		if (lookup(fx, fx->opaque[i]) != SA_R_EXPIRED)
			return bad("SA %d is forgotten", i);
	return DONE;
}

/* Half-open SAs past the handshake timeout leave no tombstone. */
static void
setup_3_stale_half_open(struct fx *fx)
{
	(void)begin(fx, "192.0.2.1", MECH_NTLM);
	(void)begin(fx, "192.0.2.1", MECH_KERBEROS);
	(void)begin(fx, "192.0.2.2", MECH_NTLM);
	now_ms += HANDSHAKE_MS;
}

static enum outcome
check_handshake_timeout(struct fx *fx, int injected)
{
	(void)injected;
	if (fx->n != 3 || stats(fx).half_open != 0 ||
	    stats(fx).tombstones != 0)
		return bad("%u of 3 expired", fx->n);
	return check_forgotten(fx, 0, 3);
}

/*
 * A whole life with failures anywhere: alice signs in by NTLM, binds,
 * sends and gets signed messages, signs in again by Kerberos (replacing
 * the first SA), the second SA expires, the tombstones go.  The run stops
 * at the first out-of-memory result; fx->r says which step it was (0: it
 * got to the end), fx->n what it returned.
 */
enum life_step { LIFE_END, LIFE_BEGIN1, LIFE_LEG1, LIFE_LEG2, LIFE_BIND1,
	LIFE_BEGIN2, LIFE_LEG3, LIFE_BIND2, LIFE_BAD };

static void
run_life(struct fx *fx)
{
	static const char msg[] = "REGISTER sip:example.test";
	struct sa_assoc *sa = NULL;
	uint8_t *out = NULL, sig[MECH_SIG_MAX];
	char srand[SA_OPAQUE_LEN + 1];
	size_t out_len, siglen;
	uint32_t snum;
	int i, r;

#define STEP(step, call, ok) do {					\
	if ((r = (call)) != (ok)) {					\
		fx->r = (step);						\
		fx->n = (unsigned)r;					\
		return;							\
	}								\
} while (0)
	fx->r = LIFE_BAD;
	STEP(LIFE_BEGIN1, sa_begin(fx->t, "192.0.2.200", MECH_NTLM,
	    SA_HDR_WWW, NULL, &sa), 0);
	i = hold(fx, sa);
	STEP(LIFE_LEG1, sa_step(sa, (const uint8_t *)"", 0, &out, &out_len),
	    SA_R_OK);
	free(out);
	STEP(LIFE_LEG2, sa_step(sa, (const uint8_t *)"user:DOM\\alice", 14,
	    &out, &out_len), SA_R_OK);
	free(out);
	if (sa_check_identity(sa, "Alice") != SA_R_OK)
		return;
	STEP(LIFE_BIND1, sa_establish_endpoint(sa, "sip:alice@example.test",
	    "alice-epid", "R", "T"), SA_R_OK);
	fake_mech_mac(0, sa_user(sa), msg, sizeof(msg), sig);
	if (sa_verify(sa, 7, msg, sizeof(msg), sig, FAKE_MECH_SIG_LEN) !=
	    SA_R_OK || sa_next_server_salt(sa, srand, &snum) != SA_R_OK ||
	    snum != 1 || sa_sign(sa, msg, sizeof(msg), sig, &siglen) !=
	    SA_R_OK || sa_extend(sa, 600) != SA_R_OK ||
	    lookup(fx, fx->opaque[i]) != SA_R_OK)
		return;
	sa = NULL;
	STEP(LIFE_BEGIN2, sa_begin(fx->t, "192.0.2.200", MECH_KERBEROS,
	    SA_HDR_PROXY, NULL, &sa), 0);
	i = hold(fx, sa);
	STEP(LIFE_LEG3, sa_step(sa, (const uint8_t *)"user:alice@R", 12,
	    &out, &out_len), SA_R_OK);
	free(out);
	STEP(LIFE_BIND2, sa_establish_endpoint(sa, "sip:alice@example.test",
	    "alice-epid", "R", "T"), SA_R_OK);
	r = lookup(fx, fx->opaque[0]);
	if (sa_state(fx->sa[0]) != ASSOC_DETACHED ||
	    (r != SA_R_REPLACED && r != SA_R_UNKNOWN_OPAQUE))
		return;
	now_ms += IDLE_MS;
	if (sa_expire_run(fx->t, 100) != 1)
		return;
	r = lookup(fx, fx->opaque[i]);
	if (r != SA_R_EXPIRED && r != SA_R_UNKNOWN_OPAQUE)
		return;
	now_ms += TOMB_MS;
	(void)sa_expire_run(fx->t, 100);
	if (stats(fx).tombstones != 0 ||
	    lookup(fx, fx->opaque[0]) != SA_R_UNKNOWN_OPAQUE ||
	    lookup(fx, fx->opaque[1]) != SA_R_UNKNOWN_OPAQUE)
		return;
	fx->r = LIFE_END;
#undef STEP
}

static enum outcome
check_life(struct fx *fx, int injected)
{
	(void)injected;
	switch (fx->r) {
	case LIFE_END:
		return DONE;
	case LIFE_BEGIN1:
	case LIFE_BEGIN2:
		if (fx->n == ENOMEM)
			return FAILED;
		break;
	case LIFE_LEG1:
	case LIFE_LEG2:
	case LIFE_LEG3:
	case LIFE_BIND1:
	case LIFE_BIND2:
		if (fx->n == SA_R_INTERNAL)
			return FAILED;
		break;
	default:
		return bad("an unexpected result on the way");
	}
	return bad("step %d returned %u", fx->r, fx->n);
}

int
main(void)
{
	static const struct op ops[] = {
		{ "sa_begin", { 0 }, NULL, run_begin, check_begin_empty },
		{ "sa_begin from a known source", { 0 },
		    setup_one_half_open, run_begin, check_begin_known },
		{ "sa_begin evicting (source cap)",
		    { .max_half_open_per_source = 1 }, setup_one_half_open,
		    run_begin, check_begin_evicting },
		{ "sa_begin evicting (global cap)", { .max_half_open = 1 },
		    setup_one_half_open_elsewhere, run_begin,
		    check_begin_evicting },
		{ "sa_begin growing the indexes", { 0 }, setup_64_sources,
		    run_begin, check_begin_65th },
		{ "NTLM first leg", { 0 }, setup_one_half_open, run_leg1,
		    check_leg1 },
		{ "NTLM last leg", { 0 }, setup_after_leg1, run_leg2,
		    check_leg2 },
		{ "Kerberos leg", { 0 }, setup_kerberos, run_kerberos,
		    check_kerberos },
		{ "last leg growing the heap", { 0 }, setup_64_established,
		    run_leg2, check_65th_established },
		{ "sa_establish_endpoint", { 0 }, setup_one_established,
		    run_bind, check_bind_new },
		{ "sa_establish_endpoint replacing", { 0 }, setup_rebind,
		    run_bind, check_rebind },
		{ "sa_establish_endpoint growing the index", { 0 },
		    setup_64_bound, run_bind, check_bind_65th },
		{ "sa_retire", { 0 }, setup_bound, run_retire,
		    check_retire },
		{ "sa_lookup_opaque of an idle SA", { 0 }, setup_idle,
		    run_lookup_late, check_lookup_late },
		{ "sa_expire_run of 100 SAs", { 0 }, setup_100_idle,
		    run_sweep, check_sweep },
		{ "sa_expire_run of 3 handshakes", { 0 },
		    setup_3_stale_half_open, run_sweep,
		    check_handshake_timeout },
		{ "sa_expire_run forgetting 100 tombstones", { 0 },
		    setup_100_tombs, run_sweep, check_forget_all },
		{ "sa_expire_run forgetting 80 of 100 tombstones", { 0 },
		    setup_80_old_20_new, run_sweep, check_forget_80 },
		{ "a whole life", { 0 }, NULL, run_life, check_life },
	};
	size_t i;
	int rc = 0;

	log_set_sink(discard, NULL);
	log_setlevel(LOG_LVL_DEBUG);
	rc |= create_ladder();
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		rc |= ladder(&ops[i]);
	return rc;
}
