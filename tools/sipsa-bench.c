/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/sipsa-bench.c: a load generator for MS-SIPAE servers (issue 6).
 * Many endpoints (distinct users and epids of a throwaway realm made by
 * scripts/sipsa-realm) run full NTLM or Kerberos handshakes, signed
 * REGISTER refreshes on established SAs, or signed MESSAGEs to one another
 * through the server, through tools/uac (which checks every rspauth, and
 * answers and checks what the server forwards to an endpoint), at a fixed
 * rate or with a fixed number outstanding.  A
 * progress line every second; at the end the rate achieved, failures by
 * reason and latency percentiles, as text or JSON.  --hold keeps every
 * endpoint registered afterwards, for a memory-per-SA reading.
 * --connections N spreads the endpoints over N agents, each with its own
 * connection to the server (over TCP and TLS), as N softphones would.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct bench;
#define SU_TIMER_ARG_T	struct bench

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#include "sa/mech.h"
#include "tools/opts.h"
#include "tools/uac.h"

#define NS	1000000000LL

enum scenario {
	SC_NTLM,
	SC_KERBEROS,
	SC_REFRESH,
	SC_MESSAGE,
};

static const char *const scenario_names[] = {
	[SC_NTLM] = "ntlm",
	[SC_KERBEROS] = "kerberos",
	[SC_REFRESH] = "refresh",
	[SC_MESSAGE] = "message",
};

static const char *const tp_names[] = {
	[UAC_TP_UDP] = "udp",
	[UAC_TP_TCP] = "tcp",
	[UAC_TP_TLS] = "tls",
};

struct options {
	enum scenario	 scenario;
	enum mech_kind	 mech;		/* refresh, message: how SAs are
					   made */
	enum uac_transport tp;
	char		 host[256];
	unsigned	 port;
	const char	*realm_dir;
	unsigned	 users;
	unsigned	 first_user;
	unsigned	 epids;		/* endpoints per user */
	const char	*domain;	/* of the AORs */
	double		 rate;		/* ops/s; 0: closed loop */
	unsigned	 concurrency;
	double		 duration;	/* s; 0: until count */
	uint64_t	 count;		/* 0: until duration */
	int		 count_set;
	unsigned	 setup_conc;
	int		 expires;
	unsigned	 timeout_ms;
	const char	*progress;
	int		 json;
	int		 quiet;
	int		 hold;
	unsigned	 hold_interval;	/* s between refreshes while held */
	long		 server_pid;
	const char	*ca_file;
	const char	*tls_name;
	int		 insecure;
	unsigned	 connections;	/* agents; endpoint i uses i % N */
	/* From the realm's realm.env. */
	unsigned	 realm_users;
	char		 realm[128];
	char		 fqdn[256];
	char		 netbios[64];
	char		 dom_buf[256];
};

enum phase {
	PH_SETUP,	/* making the SAs the run starts from */
	PH_RUN,
	PH_DRAIN,	/* no new operations; waiting for the last ones */
	PH_HOLD_SETUP,	/* --hold: SAs for the endpoints still without */
	PH_HOLD,
	PH_DONE,
};

struct bench;

struct ep {
	struct bench	*b;
	struct uac	*u;
	unsigned	 user;		/* user number (userK) */
	unsigned	 peer;		/* message: the user it writes to */
	char		 epid[11];
	int		 busy;
	int		 ready;		/* holds an SA and a binding */
	int64_t		 t0;		/* when the operation was due, ns */
};

/* One reason operations failed for, with the first account of it. */
struct reason {
	char		 key[32];
	uint64_t	 n;
	char		 sample[200];
};

#define MAX_REASONS	32

struct bench {
	struct options	*o;
	su_root_t	*root;
	struct uac_agent **agents;	/* o->connections of them */
	unsigned	 nagents;
	struct mech_client_cred **creds;	/* per user */
	struct ep	*eps;
	unsigned	 neps;
	enum phase	 phase;
	int		 stop;		/* SIGINT or SIGTERM came */
	/* Endpoints free for the next operation, oldest first. */
	unsigned	*idle;
	unsigned	 idle_head;
	unsigned	 idle_n;
	/* Establishing SAs (setup and hold), endpoints below est_end. */
	unsigned	 est_end;
	unsigned	 est_next;
	unsigned	 est_out;
	uint64_t	 est_done;
	uint64_t	 est_failed;
	int64_t		 t_setup;
	double		 setup_s;
	/* The measured run. */
	int64_t		 t_start;
	int64_t		 t_end_plan;	/* duration's end, 0: none */
	int64_t		 t_last;
	uint64_t	 total;		/* operations planned, 0: no bound */
	uint64_t	 started;
	uint64_t	 completed;
	uint64_t	 failed;
	unsigned	 outstanding;
	uint64_t	 verified;
	uint64_t	 handshakes;
	/* message: what the server forwarded to our endpoints. */
	uint64_t	 in_verified;
	uint64_t	 in_refused;
	uint32_t	*lat;		/* µs, one per completed operation */
	size_t		 nlat;
	size_t		 latcap;
	size_t		 lat_mark;	/* first sample of this second */
	struct reason	 reasons[MAX_REASONS];
	unsigned	 nreasons;
	double		 cpu0;		/* own CPU s at the start */
	double		 cpu_run;	/* own CPU s over the run */
	double		 srv0;		/* server CPU s at the start */
	double		 srv_run;
	/* Holding. */
	unsigned	 hold_next;
	unsigned	 held;		/* SAs when holding began */
	uint64_t	 hold_refreshed;
	uint64_t	 hold_failed;
	su_timer_t	*second;	/* 1 s */
	FILE		*progress;
	int64_t		 t_prog;
	uint64_t	 prog_done;
};

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static double
wall_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
own_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/*
 * utime + stime of a process from /proc/PID/stat (fields 14 and 15, after
 * the parenthesised command name, which may hold spaces), in seconds; -1
 * when it cannot be read.
 */
static double
proc_cpu_s(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	(void)fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* ---- failures and latency ---- */

static void
count_failure(struct bench *b, const char *key, const char *text)
{
	struct reason *r;
	unsigned i;

	for (i = 0; i < b->nreasons; i++)
		if (strcmp(b->reasons[i].key, key) == 0)
			break;
	if (i == b->nreasons) {
		if (i == MAX_REASONS)
			i = MAX_REASONS - 1;	/* lumped with the last */
		else {
			b->nreasons++;
			r = &b->reasons[i];
			(void)snprintf(r->key, sizeof(r->key), "%s", key);
			(void)snprintf(r->sample, sizeof(r->sample), "%s",
			    text);
		}
	}
	b->reasons[i].n++;
}

/* A short key for a failed operation: "timeout", "status-503", ... */
static void
failure_key(const struct uac_result *r, char *key, size_t keysz)
{
	static const char *const keys[] = {
		[UAC_OK] = "ok",
		[UAC_E_CONFIG] = "config",
		[UAC_E_AUTH] = "auth",
		[UAC_E_SIGNATURE] = "signature",
		[UAC_E_TIMEOUT] = "timeout",
		[UAC_E_TRANSPORT] = "transport",
		[UAC_E_STATUS] = "status",
		[UAC_E_INTERNAL] = "internal",
	};

	if (r->error == UAC_E_STATUS && r->status > 0)
		(void)snprintf(key, keysz, "status-%d", r->status);
	else if ((unsigned)r->error < sizeof(keys) / sizeof(keys[0]))
		(void)snprintf(key, keysz, "%s", keys[r->error]);
	else
		(void)snprintf(key, keysz, "error-%d", (int)r->error);
}

static int
add_latency(struct bench *b, int64_t ns)
{
	uint32_t *n;
	size_t cap;
	int64_t us = ns / 1000;

	if (b->nlat == b->latcap) {
		cap = b->latcap != 0 ? 2 * b->latcap : 65536;
		if ((n = realloc(b->lat, cap * sizeof(*n))) == NULL)
			return -1;
		b->lat = n;
		b->latcap = cap;
	}
	b->lat[b->nlat++] = us < 0 ? 0 : us > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)us;
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (nearest rank) of n sorted samples, in ms. */
static double
quantile_ms(const uint32_t *v, size_t n, double q)
{
	size_t k;

	if (n == 0)
		return 0;
	k = (size_t)ceil(q * (double)n);
	if (k < 1)
		k = 1;
	return v[k - 1] / 1000.0;
}

/* ---- the endpoints ---- */

static void	pump(struct bench *b);
static void	establish_more(struct bench *b);
static void	end_run(struct bench *b);
static void	start_hold(struct bench *b);

/*
 * message: a request the server forwarded to one of our endpoints, which
 * uac has answered already (200, signed) or refused (403: the server's
 * signature was missing or wrong).  A refusal also fails the caller's
 * MESSAGE, which is where it is counted by reason; here the callee's side
 * is counted, with the first few reasons on stderr.
 */
static void
on_incoming(void *arg, struct uac *u, const struct uac_incoming *in)
{
	struct ep *e = arg;
	struct bench *b = e->b;

	(void)u;
	if (in->verified) {
		b->in_verified++;
		return;
	}
	if (b->in_refused++ < 3)
		fprintf(stderr, "sipsa-bench: user%u epid %s refused %s from "
		    "%s: %s\n", e->user, e->epid, in->method, in->from,
		    in->problem != NULL ? in->problem : "?");
}

static int
make_uac(struct bench *b, struct ep *e)
{
	const struct options *o = b->o;
	struct uac_params p;
	char aor[300];

	(void)snprintf(aor, sizeof(aor), "sip:user%u@%s", e->user,
	    o->domain);
	memset(&p, 0, sizeof(p));
	p.aor = aor;
	p.server = o->host;
	p.tls_name = o->tls_name;
	p.port = o->port;
	p.transport = o->tp;
	p.epid = e->epid;
	p.mech.kind = o->mech;
	p.mech.cred = b->creds[e->user - o->first_user];
	p.timeout_ms = o->timeout_ms;
	p.max_redirects = -1;
	p.user_agent = "sipsa-bench/" PACKAGE_VERSION;
	if (uac_create(b->agents[(e - b->eps) % b->nagents], &p, &e->u) != 0)
		return -1;
	if (o->scenario == SC_MESSAGE)
		uac_set_incoming(e->u, on_incoming, e, 0);
	return 0;
}

static void
idle_push(struct bench *b, struct ep *e)
{
	b->idle[(b->idle_head + b->idle_n++) % b->neps] =
	    (unsigned)(e - b->eps);
}

static struct ep *
idle_pop(struct bench *b)
{
	struct ep *e;

	if (b->idle_n == 0)
		return NULL;
	e = &b->eps[b->idle[b->idle_head]];
	b->idle_head = (b->idle_head + 1) % b->neps;
	b->idle_n--;
	return e;
}

/* ---- the measured run ---- */

static void
on_op_done(void *arg, struct uac *u, const struct uac_result *r)
{
	struct ep *e = arg;
	struct bench *b = e->b;
	int64_t t = now_ns();
	char key[32];

	(void)u;
	e->busy = 0;
	b->outstanding--;
	b->t_last = t;
	b->verified += r->verified;
	if (r->error == UAC_OK) {
		b->completed++;
		e->ready = 1;
		if (add_latency(b, t - e->t0) != 0)
			count_failure(b, "local", "out of memory");
	} else {
		b->failed++;
		e->ready = 0;
		failure_key(r, key, sizeof(key));
		count_failure(b, key, r->text);
	}
	idle_push(b, e);
	pump(b);
}

/*
 * Start one operation on the next idle endpoint, due at t0.  A handshake
 * scenario starts from a fresh uac (no SA: the REGISTER goes out without
 * credentials and the whole handshake follows; the server replaces the
 * endpoint's previous SA).  A message goes from the endpoint's SA to its
 * peer user, whose endpoints answer it from the same agent.  Returns 0,
 * or -1 when nothing could start.
 */
static int
start_op(struct bench *b, int64_t t0)
{
	const struct options *o = b->o;
	struct ep *e;
	char to[300];
	int rc;

	if ((e = idle_pop(b)) == NULL)
		return -1;
	if (o->scenario == SC_NTLM || o->scenario == SC_KERBEROS) {
		uac_destroy(e->u);
		e->u = NULL;
		if (make_uac(b, e) != 0) {
			b->started++;
			b->failed++;
			count_failure(b, "local", "cannot make an endpoint");
			idle_push(b, e);
			return -1;
		}
		b->handshakes++;
	}
	e->t0 = t0;
	b->started++;
	if (o->scenario == SC_MESSAGE) {
		(void)snprintf(to, sizeof(to), "sip:user%u@%s", e->peer,
		    o->domain);
		rc = uac_message(e->u, to, "sipsa-bench", on_op_done, e);
	} else
		rc = uac_register(e->u, o->expires, on_op_done, e);
	if (rc != 0) {
		b->failed++;
		count_failure(b, "local", rc == EAGAIN ? "no SA to sign with" :
		    strerror(rc));
		idle_push(b, e);
		return -1;
	}
	e->busy = 1;
	b->outstanding++;
	return 0;
}

/* Start what is due: the open-loop schedule, or refill to concurrency. */
static void
pump(struct bench *b)
{
	const struct options *o = b->o;
	int64_t t = now_ns(), due;

	if (b->phase == PH_RUN) {
		if (b->stop || (b->t_end_plan != 0 && t >= b->t_end_plan &&
		    o->rate == 0) || (b->total != 0 &&
		    b->started >= b->total))
			b->phase = PH_DRAIN;
		else if (o->rate > 0) {
			/*
			 * Operations are due at t_start + i / rate; each is
			 * timed from when it was due, so a server that falls
			 * behind shows in the latency (no coordinated
			 * omission).
			 */
			due = (int64_t)((double)(t - b->t_start) * o->rate /
			    1e9) + 1;
			if (b->total != 0 && (uint64_t)due > b->total)
				due = (int64_t)b->total;
			while ((int64_t)b->started < due)
				if (start_op(b, b->t_start + (int64_t)(
				    (double)b->started * 1e9 / o->rate)) != 0)
					break;
		} else
			while (b->outstanding < o->concurrency)
				if (start_op(b, t) != 0 || (b->total != 0 &&
				    b->started >= b->total))
					break;
	}
	if (b->phase == PH_DRAIN && b->outstanding == 0)
		end_run(b);
}

static void
write_progress(struct bench *b)
{
	if (b->progress == NULL)
		return;
	fprintf(b->progress, "%.3f %llu\n", wall_s(),
	    (unsigned long long)b->completed);
	(void)fflush(b->progress);
}

static void
start_run(struct bench *b)
{
	const struct options *o = b->o;
	unsigned i;

	b->idle_head = b->idle_n = 0;
	for (i = 0; i < b->neps; i++)
		if (!b->eps[i].busy && (o->scenario == SC_NTLM ||
		    o->scenario == SC_KERBEROS || b->eps[i].ready))
			idle_push(b, &b->eps[i]);
	b->phase = PH_RUN;
	b->cpu0 = own_cpu_s();
	b->srv0 = o->server_pid > 0 ? proc_cpu_s(o->server_pid) : -1;
	b->t_start = b->t_prog = b->t_last = now_ns();
	b->t_end_plan = o->duration > 0 ? b->t_start +
	    (int64_t)(o->duration * 1e9) : 0;
	if (o->rate > 0 && o->duration > 0) {
		b->total = (uint64_t)llround(o->rate * o->duration);
		if (o->count_set && o->count < b->total)
			b->total = o->count;
	} else
		b->total = o->count;
	if (o->count_set && b->total == 0) {
		b->phase = PH_DRAIN;	/* --count 0: nothing to measure */
		end_run(b);
		return;
	}
	write_progress(b);
	pump(b);
}

/* ---- establishing SAs (before a refresh or message run, for --hold) ---- */

static void
on_established(void *arg, struct uac *u, const struct uac_result *r)
{
	struct ep *e = arg;
	struct bench *b = e->b;
	char key[32];

	(void)u;
	e->busy = 0;
	b->est_out--;
	if (r->error == UAC_OK) {
		e->ready = 1;
		b->est_done++;
	} else {
		b->est_failed++;
		failure_key(r, key, sizeof(key));
		if (b->est_failed <= 3)
			fprintf(stderr,
			    "sipsa-bench: user%u epid %s: %s (%s)\n",
			    e->user, e->epid, r->text, key);
	}
	establish_more(b);
}

/*
 * Keep setup_conc registrations running until every endpoint without an
 * SA has had one try; then go on to the run, or to holding.  The bound
 * stays under sipsad's half-open SAs per source (64 by default).
 */
static void
establish_more(struct bench *b)
{
	struct ep *e;
	int rc;

	while (!b->stop && b->est_out < b->o->setup_conc &&
	    b->est_next < b->est_end) {
		e = &b->eps[b->est_next++];
		if (e->ready || e->busy)
			continue;
		if (e->u == NULL && make_uac(b, e) != 0) {
			b->est_failed++;
			continue;
		}
		if ((rc = uac_register(e->u, b->o->expires, on_established,
		    e)) != 0) {
			b->est_failed++;
			continue;
		}
		e->busy = 1;
		b->est_out++;
	}
	if (b->est_out > 0)
		return;
	if (b->stop) {
		b->phase = PH_DONE;
		return;
	}
	b->setup_s += (double)(now_ns() - b->t_setup) / 1e9;
	if (b->phase == PH_SETUP) {
		if (!b->o->quiet)
			fprintf(stderr, "sipsa-bench: %llu SAs in %.2f s, %llu "
			    "failed\n", (unsigned long long)b->est_done,
			    b->setup_s, (unsigned long long)b->est_failed);
		if (b->est_done == 0) {
			fprintf(stderr, "sipsa-bench: no SA could be made\n");
			b->phase = PH_DONE;
			return;
		}
		start_run(b);
	} else
		start_hold(b);
}

static void
establish_upto(struct bench *b, enum phase ph, unsigned end)
{
	b->phase = ph;
	b->est_end = end;
	b->est_next = 0;
	b->t_setup = now_ns();
	establish_more(b);
}

/* ---- the report ---- */

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void
report(struct bench *b)
{
	const struct options *o = b->o;
	double el = (double)(b->t_last - b->t_start) / 1e9;
	double rate = el > 0 ? (double)b->completed / el : 0;
	double cpu_op = b->completed > 0 ? b->cpu_run * 1e6 /
	    (double)b->completed : 0;
	double srv_op = b->completed > 0 && b->srv_run >= 0 ?
	    b->srv_run * 1e6 / (double)b->completed : -1;
	double p50, p90, p99, pmax, mean = 0;
	/* Every server signature checked: a callee's count too. */
	unsigned long long verified = b->verified + b->in_verified;
	size_t i;
	FILE *f = stdout;

	qsort(b->lat, b->nlat, sizeof(*b->lat), cmp_u32);
	for (i = 0; i < b->nlat; i++)
		mean += b->lat[i];
	mean = b->nlat > 0 ? mean / (double)b->nlat / 1000.0 : 0;
	p50 = quantile_ms(b->lat, b->nlat, 0.50);
	p90 = quantile_ms(b->lat, b->nlat, 0.90);
	p99 = quantile_ms(b->lat, b->nlat, 0.99);
	pmax = b->nlat > 0 ? b->lat[b->nlat - 1] / 1000.0 : 0;

	if (o->json) {
		fprintf(f, "{\"tool\": \"sipsa-bench\", \"version\": \"%s\", "
		    "\"scenario\": \"%s\", \"mech\": \"%s\", "
		    "\"transport\": \"%s\", \"server\": ", PACKAGE_VERSION,
		    scenario_names[o->scenario], o->mech == MECH_NTLM ?
		    "ntlm" : "kerberos", tp_names[o->tp]);
		json_str(f, o->host);
		fprintf(f, ", \"port\": %u, \"users\": %u, \"endpoints\": %u, "
		    "\"mode\": \"%s\", \"rate_target\": %g, "
		    "\"concurrency\": %u, \"duration_s\": %g, "
		    "\"connections\": %u, "
		    "\"planned\": %llu, \"setup_s\": %.3f, "
		    "\"setup_sas\": %llu, \"setup_failed\": %llu, "
		    "\"started\": %llu, \"completed\": %llu, "
		    "\"failed\": %llu, \"failures\": {",
		    o->port, o->users, b->neps, o->rate > 0 ? "rate" :
		    "concurrency", o->rate, o->rate > 0 ? 0 : o->concurrency,
		    o->duration, b->nagents, (unsigned long long)b->total,
		    b->setup_s,
		    (unsigned long long)b->est_done,
		    (unsigned long long)b->est_failed,
		    (unsigned long long)b->started,
		    (unsigned long long)b->completed,
		    (unsigned long long)b->failed);
		for (i = 0; i < b->nreasons; i++) {
			fprintf(f, "%s", i > 0 ? ", " : "");
			json_str(f, b->reasons[i].key);
			fprintf(f, ": %llu", (unsigned long long)
			    b->reasons[i].n);
		}
		fprintf(f, "}, \"failure_samples\": {");
		for (i = 0; i < b->nreasons; i++) {
			fprintf(f, "%s", i > 0 ? ", " : "");
			json_str(f, b->reasons[i].key);
			fprintf(f, ": ");
			json_str(f, b->reasons[i].sample);
		}
		fprintf(f, "}, \"elapsed_s\": %.3f, \"rate\": %.1f, "
		    "\"latency_ms\": {\"p50\": %.3f, \"p90\": %.3f, "
		    "\"p99\": %.3f, \"max\": %.3f, \"mean\": %.3f}, "
		    "\"rspauth_verified\": %llu, \"handshakes\": %llu, "
		    "\"client_cpu_s\": %.3f, \"client_cpu_us_per_op\": %.1f",
		    el, rate, p50, p90, p99, pmax, mean, verified,
		    (unsigned long long)b->handshakes, b->cpu_run, cpu_op);
		if (o->scenario == SC_MESSAGE)
			fprintf(f, ", \"callee_verified\": %llu, "
			    "\"callee_refused\": %llu",
			    (unsigned long long)b->in_verified,
			    (unsigned long long)b->in_refused);
		if (o->server_pid > 0 && srv_op >= 0)
			fprintf(f, ", \"server_pid\": %ld, \"server_cpu_s\": "
			    "%.3f, \"server_cpu_us_per_op\": %.1f",
			    o->server_pid, b->srv_run, srv_op);
		if (o->hold)
			fprintf(f, ", \"held\": %u, \"pid\": %ld", b->held,
			    (long)getpid());
		fprintf(f, "}\n");
	} else {
		fprintf(f, "%s over %s to %s:%u, %u endpoints (%u users)\n",
		    scenario_names[o->scenario], tp_names[o->tp], o->host,
		    o->port, b->neps, o->users);
		if (b->est_done + b->est_failed > 0)
			fprintf(f, "setup: %llu SAs in %.2f s, %llu failed\n",
			    (unsigned long long)b->est_done, b->setup_s,
			    (unsigned long long)b->est_failed);
		fprintf(f, "operations: %llu completed, %llu failed in %.2f s: "
		    "%.1f/s", (unsigned long long)b->completed,
		    (unsigned long long)b->failed, el, rate);
		if (o->rate > 0)
			fprintf(f, " (target %g/s)", o->rate);
		else
			fprintf(f, " (%u outstanding)", o->concurrency);
		fprintf(f, "\nlatency ms: p50 %.3f  p90 %.3f  p99 %.3f  "
		    "max %.3f  mean %.3f\n", p50, p90, p99, pmax, mean);
		fprintf(f, "rspauth verified: %llu; client CPU %.1f µs/op\n",
		    verified, cpu_op);
		if (o->scenario == SC_MESSAGE)
			fprintf(f, "forwarded to the callees: %llu verified, "
			    "%llu refused\n",
			    (unsigned long long)b->in_verified,
			    (unsigned long long)b->in_refused);
		if (o->server_pid > 0 && srv_op >= 0)
			fprintf(f, "server CPU (pid %ld): %.1f µs/op\n",
			    o->server_pid, srv_op);
		if (o->hold)
			fprintf(f, "holding %u SAs; pid %ld\n", b->held,
			    (long)getpid());
		for (i = 0; i < b->nreasons; i++)
			fprintf(f, "failed: %llu %s (e.g. %s)\n",
			    (unsigned long long)b->reasons[i].n,
			    b->reasons[i].key, b->reasons[i].sample);
	}
	(void)fflush(f);
}

static void
end_run(struct bench *b)
{
	b->cpu_run = own_cpu_s() - b->cpu0;
	b->srv_run = b->srv0 >= 0 ? proc_cpu_s(b->o->server_pid) - b->srv0 :
	    -1;
	if (b->started == 0)
		b->t_last = now_ns();
	write_progress(b);
	/* With --hold, the report waits until every SA is there. */
	if (b->o->hold && !b->stop)
		establish_upto(b, PH_HOLD_SETUP, b->neps);
	else {
		report(b);
		b->phase = PH_DONE;
	}
}

/* ---- holding ---- */

static void
on_hold_refresh(void *arg, struct uac *u, const struct uac_result *r)
{
	struct ep *e = arg;
	struct bench *b = e->b;

	(void)u;
	e->busy = 0;
	if (r->error == UAC_OK) {
		b->hold_refreshed++;
		return;
	}
	e->ready = 0;
	if (b->hold_failed++ < 3)
		fprintf(stderr, "sipsa-bench: holding user%u: %s\n", e->user,
		    r->text);
}

static void
start_hold(struct bench *b)
{
	unsigned i, n = 0;

	for (i = 0; i < b->neps; i++)
		n += b->eps[i].ready;
	b->held = n;
	report(b);
	b->phase = PH_HOLD;
	fprintf(stderr, "sipsa-bench: holding %u SAs (%llu failed) until "
	    "SIGTERM; pid %ld\n", n, (unsigned long long)b->est_failed,
	    (long)getpid());
}

/*
 * Once a second, refresh neps / hold_interval endpoints, so each is
 * refreshed every hold_interval seconds: under sipsad's idle timeout
 * (15 min by default) and its registration expiry.
 */
static void
hold_refresh(struct bench *b)
{
	unsigned n, i;
	struct ep *e;

	if (b->o->hold_interval == 0)
		return;
	n = (b->neps + b->o->hold_interval - 1) / b->o->hold_interval;
	for (i = 0; i < n; i++) {
		e = &b->eps[b->hold_next];
		b->hold_next = (b->hold_next + 1) % b->neps;
		if (e->busy || e->u == NULL)
			continue;
		if (uac_register(e->u, b->o->expires, on_hold_refresh, e) == 0)
			e->busy = 1;
	}
}

/* ---- timers ---- */

static void
on_second(su_root_magic_t *m, su_timer_t *t, struct bench *b)
{
	int64_t now = now_ns();
	uint32_t *v;
	size_t n;
	double dt, p99 = 0;

	(void)m;
	(void)t;
	switch (b->phase) {
	case PH_SETUP:
	case PH_HOLD_SETUP:
		if (!b->o->quiet)
			fprintf(stderr, "sipsa-bench: setup: %llu SAs, %llu "
			    "failed, %u in progress\n",
			    (unsigned long long)b->est_done,
			    (unsigned long long)b->est_failed, b->est_out);
		break;
	case PH_RUN:
	case PH_DRAIN:
		write_progress(b);
		n = b->nlat - b->lat_mark;
		if (n > 0 && (v = malloc(n * sizeof(*v))) != NULL) {
			memcpy(v, b->lat + b->lat_mark, n * sizeof(*v));
			qsort(v, n, sizeof(*v), cmp_u32);
			p99 = quantile_ms(v, n, 0.99);
			free(v);
		}
		b->lat_mark = b->nlat;
		dt = (double)(now - b->t_prog) / 1e9;
		if (!b->o->quiet)
			fprintf(stderr, "sipsa-bench: %5.1f s %s: %llu done "
			    "(%.0f/s), %llu failed, %u outstanding, p99 "
			    "%.2f ms\n", (double)(now - b->t_start) / 1e9,
			    scenario_names[b->o->scenario],
			    (unsigned long long)b->completed,
			    dt > 0 ? (double)(b->completed - b->prog_done) /
			    dt : 0, (unsigned long long)b->failed,
			    b->outstanding, p99);
		b->t_prog = now;
		b->prog_done = b->completed;
		break;
	case PH_HOLD:
		hold_refresh(b);
		break;
	default:
		break;
	}
}

/* ---- set-up ---- */

/* KEY=VALUE lines of DIR/realm.env (written by scripts/sipsa-realm). */
static int
read_realm(struct options *o)
{
	char path[PATH_MAX], line[512], *v;
	size_t len;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/realm.env", o->realm_dir);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "sipsa-bench: %s: %s (make the realm with "
		    "scripts/sipsa-realm up DIR --users N)\n", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if ((v = strchr(line, '=')) == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(line, "USERS") == 0)
			o->realm_users = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(line, "FQDN") == 0)
			(void)snprintf(o->fqdn, sizeof(o->fqdn), "%s", v);
		else if (strcmp(line, "REALM") == 0)
			(void)snprintf(o->realm, sizeof(o->realm), "%s", v);
		else if (strcmp(line, "NETBIOS") == 0)
			(void)snprintf(o->netbios, sizeof(o->netbios), "%s", v);
	}
	(void)fclose(f);
	if (o->realm_users == 0 || o->fqdn[0] == '\0' || o->realm[0] == '\0' ||
	    o->netbios[0] == '\0') {
		fprintf(stderr, "sipsa-bench: %s lacks USERS, FQDN, REALM or "
		    "NETBIOS\n", path);
		return -1;
	}
	return 0;
}

/*
 * The client side of the realm: its krb5.conf (where the KDC is) and its
 * GSS mechanism file (gss-ntlmssp), before the first GSS call.  The
 * NetBIOS names spare gss-ntlmssp a winbindd query for every new context
 * (about 150 µs each), unless the caller set its own.
 */
static int
realm_env(const struct options *o)
{
	char path[PATH_MAX];

	(void)snprintf(path, sizeof(path), "%s/krb5.conf", o->realm_dir);
	if (setenv("KRB5_CONFIG", path, 1) != 0)
		return -1;
	(void)snprintf(path, sizeof(path), "%s/gss-mech.conf", o->realm_dir);
	if (setenv("GSS_MECH_CONFIG", path, 1) != 0 ||
	    setenv("NETBIOS_DOMAIN_NAME", o->netbios, 0) != 0 ||
	    setenv("NETBIOS_COMPUTER_NAME", "SIPSABENCH", 0) != 0)
		return -1;
	return 0;
}

/*
 * One initiator credential per user, shared by its endpoints: NTLM from
 * the password sipsa-realm gave the user (userKpw), Kerberos from the
 * user's client keytab.  For Kerberos, one throw-away initiator step per
 * user then fetches the TGT and the service ticket into the credential's
 * memory ccache, so that the run only makes AP-REQs.
 */
static int
make_creds(struct bench *b)
{
	const struct options *o = b->o;
	struct mech_client_params p;
	struct mech_status st;
	struct mech_result r;
	struct mech_ctx *ctx;
	char user[32], pw[40], princ[200], kt[PATH_MAX], sttext[256];
	unsigned i;
	int rc;

	if ((b->creds = calloc(o->users, sizeof(*b->creds))) == NULL)
		return -1;
	for (i = 0; i < o->users; i++) {
		memset(&p, 0, sizeof(p));
		p.kind = o->mech;
		(void)snprintf(user, sizeof(user), "user%u", o->first_user + i);
		if (o->mech == MECH_NTLM) {
			(void)snprintf(pw, sizeof(pw), "%spw", user);
			p.user = user;
			p.domain = o->netbios;
			p.password = pw;
		} else {
			(void)snprintf(princ, sizeof(princ), "%s@%s", user,
			    o->realm);
			(void)snprintf(kt, sizeof(kt), "%s/%s.keytab",
			    o->realm_dir, user);
			p.client_keytab = kt;
			p.principal = princ;
		}
		rc = mech_client_cred_create(&p, &b->creds[i], &st);
		if (rc != 0) {
			mech_status_text(&st, sttext, sizeof(sttext));
			fprintf(stderr, "sipsa-bench: no credential for %s: "
			    "%s\n", user, sttext[0] != '\0' ? sttext :
			    strerror(rc));
			return -1;
		}
		if (o->mech != MECH_KERBEROS)
			continue;
		memset(&p, 0, sizeof(p));
		p.kind = MECH_KERBEROS;
		p.target_fqdn = o->fqdn;
		p.cred = b->creds[i];
		ctx = NULL;
		if (mech_init(&p, &ctx, NULL, 0, &r) != 0 ||
		    r.reason != MECH_OK) {
			mech_status_text(&r.status, sttext, sizeof(sttext));
			fprintf(stderr, "sipsa-bench: no ticket for %s to "
			    "sip/%s: %s %s\n", user, o->fqdn,
			    mech_reason_text(r.reason), sttext);
			free(r.out);
			mech_ctx_free(ctx);
			return -1;
		}
		free(r.out);
		mech_ctx_free(ctx);
	}
	return 0;
}

/*
 * Each agent holds a few descriptors (its UDP and TCP listeners, a TLS
 * one, its connection to the server): with many, the soft limit on open
 * files is raised as far as the hard one allows (or further, for root).
 */
static void
raise_nofile(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	if (rl.rlim_max < want) {
		rl.rlim_cur = rl.rlim_max = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			return;
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
		fprintf(stderr, "sipsa-bench: open files limited to %llu, "
		    "%llu wanted\n", (unsigned long long)rl.rlim_cur,
		    (unsigned long long)want);
}

/* --connections agents, each with its own transports. */
static int
make_agents(struct bench *b, const struct uac_agent_params *ap)
{
	unsigned n = b->o->connections;
	char err[512];

	raise_nofile((rlim_t)n * 8 + 256);
	if ((b->agents = calloc(n, sizeof(*b->agents))) == NULL)
		return -1;
	for (b->nagents = 0; b->nagents < n; b->nagents++)
		if (uac_agent_create(b->root, ap, &b->agents[b->nagents], err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "sipsa-bench: agent %u of %u: %s\n",
			    b->nagents + 1, n, err);
			return -1;
		}
	return 0;
}

static int
make_endpoints(struct bench *b)
{
	const struct options *o = b->o;
	unsigned i;

	b->neps = o->users * o->epids;
	if ((b->eps = calloc(b->neps, sizeof(*b->eps))) == NULL ||
	    (b->idle = calloc(b->neps, sizeof(*b->idle))) == NULL)
		return -1;
	for (i = 0; i < b->neps; i++) {
		/* Neighbours are different users: a run spreads over all. */
		b->eps[i].b = b;
		b->eps[i].user = o->first_user + i % o->users;
		/*
		 * message: each user writes to the one half the range
		 * further on (round), so that 2N users pair off, the k-th
		 * of the first half with the k-th of the second, and each
		 * pair writes both ways.
		 */
		b->eps[i].peer = o->first_user + (i % o->users +
		    o->users / 2) % o->users;
		(void)snprintf(b->eps[i].epid, sizeof(b->eps[i].epid),
		    "%010x", i + 1);
		if (make_uac(b, &b->eps[i]) != 0) {
			fprintf(stderr, "sipsa-bench: cannot make endpoint "
			    "%u\n", i);
			return -1;
		}
	}
	return 0;
}

/* ---- options ---- */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: sipsa-bench --scenario ntlm|kerberos|refresh|message\n"
"           --server [tp:]host[:port] --realm-dir DIR\n"
"           [--users N] [--first-user K] [--epids K]\n"
"           [--rate R | --concurrency C] [--duration S] [--count N]\n"
"           [--mech ntlm|kerberos] [--expires S] [--timeout MS]\n"
"           [--setup-concurrency C] [--domain D] [--progress FILE]\n"
"           [--server-pid PID] [--hold [--hold-interval S]] [--json] [-q]\n"
"           [--ca-file FILE] [--tls-name NAME] [--insecure]\n"
"           [--connections N]\n");
}

/* [udp:|tcp:|tls:]host[:port], host an IPv6 address in brackets. */
static int
parse_server(void *to, size_t size, char *arg)
{
	struct options *o = to;
	const char *h = arg, *end, *colon;
	char *e;
	unsigned long port = 0;
	size_t len;

	(void)size;
	if (strncasecmp(h, "udp:", 4) == 0)
		o->tp = UAC_TP_UDP, h += 4;
	else if (strncasecmp(h, "tcp:", 4) == 0)
		o->tp = UAC_TP_TCP, h += 4;
	else if (strncasecmp(h, "tls:", 4) == 0)
		o->tp = UAC_TP_TLS, h += 4;
	if (*h == '[') {
		if ((end = strchr(h, ']')) == NULL)
			return -1;
		len = (size_t)(end - h - 1);
		h++;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return -1;
	} else {
		colon = strrchr(h, ':');
		len = colon != NULL ? (size_t)(colon - h) : strlen(h);
	}
	if (len == 0 || len >= sizeof(o->host))
		return -1;
	memcpy(o->host, h, len);
	o->host[len] = '\0';
	if (colon != NULL) {
		port = strtoul(colon + 1, &e, 10);
		if (*e != '\0' || port == 0 || port > 65535)
			return -1;
	}
	o->port = (unsigned)port;
	return 0;
}

/* --scenario: one of scenario_names. */
static int
scenario_arg(void *to, size_t size, char *arg)
{
	enum scenario *sc = to;
	size_t i;

	(void)size;
	for (i = 0; i < sizeof(scenario_names) / sizeof(scenario_names[0]);
	    i++)
		if (strcmp(arg, scenario_names[i]) == 0) {
			*sc = (enum scenario)i;
			return 0;
		}
	return -1;
}

/* --mech */
static int
mech_arg(void *to, size_t size, char *arg)
{
	enum mech_kind *mech = to;

	(void)size;
	if (strcmp(arg, "ntlm") == 0)
		*mech = MECH_NTLM;
	else if (strcmp(arg, "kerberos") == 0)
		*mech = MECH_KERBEROS;
	else
		return -1;
	return 0;
}

#define BAD(...) do {							\
	fprintf(stderr, "sipsa-bench: " __VA_ARGS__);			\
	fputc('\n', stderr);						\
	return -1;							\
} while (0)

static int
parse_options(int argc, char **argv, struct options *o)
{
	int have_scenario = 0, have_server = 0, have_mech = 0;
	const char *at;
	const struct opts_spec spec[] = {
		{ OPT_FN("scenario", 0, scenario_arg, &o->scenario, 0,
		    "--scenario wants ntlm, kerberos, refresh or message"),
		    .seen = &have_scenario, .with_arg = 1 },
		{ OPT_FN("server", 0, parse_server, o, 0,
		    "--server wants [udp:|tcp:|tls:]host[:port]"),
		    .seen = &have_server, .with_arg = 1 },
		{ OPT_STR("realm-dir", 0, &o->realm_dir) },
		{ OPT_REAL("users", 0, UINT, &o->users, 1, 10000000,
		    "--users wants a number >= 1") },
		{ OPT_REAL("first-user", 0, UINT, &o->first_user, 1, 10000000,
		    "--first-user wants a number >= 1") },
		{ OPT_REAL("epids", 0, UINT, &o->epids, 1, 100000,
		    "--epids wants a number >= 1") },
		{ OPT_REAL("rate", 0, DOUBLE, &o->rate, 0.001, 1e7,
		    "--rate wants operations per second > 0") },
		{ OPT_REAL("concurrency", 0, UINT, &o->concurrency, 1, 1000000,
		    "--concurrency wants a number >= 1") },
		{ OPT_REAL("duration", 0, DOUBLE, &o->duration, 0.001, 1e7,
		    "--duration wants seconds > 0") },
		{ OPT_REAL("count", 0, U64, &o->count, 0, 1e12,
		    "--count wants a number"), .seen = &o->count_set },
		{ OPT_FN("mech", 0, mech_arg, &o->mech, 0,
		    "--mech wants ntlm or kerberos"), .seen = &have_mech },
		{ OPT_REAL("expires", 0, INT, &o->expires, 1, 1e9,
		    "--expires wants seconds >= 1") },
		{ OPT_REAL("timeout", 0, UINT, &o->timeout_ms, 1, 3600000,
		    "--timeout wants milliseconds") },
		{ OPT_REAL("setup-concurrency", 0, UINT, &o->setup_conc, 1,
		    100000, "--setup-concurrency wants a number >= 1") },
		{ OPT_STR("domain", 0, &o->domain) },
		{ OPT_STR("progress", 0, &o->progress) },
		{ OPT_REAL("server-pid", 0, LONG, &o->server_pid, 1, 1e9,
		    "--server-pid wants a process id") },
		{ OPT_FLAG("hold", 0, &o->hold) },
		{ OPT_REAL("hold-interval", 0, UINT, &o->hold_interval, 0, 1e6,
		    "--hold-interval wants seconds") },
		{ OPT_FLAG("json", 0, &o->json) },
		{ OPT_STR("ca-file", 0, &o->ca_file) },
		{ OPT_STR("tls-name", 0, &o->tls_name) },
		{ OPT_FLAG("insecure", 0, &o->insecure) },
		{ OPT_REAL("connections", 0, UINT, &o->connections, 1, 100000,
		    "--connections wants a number >= 1") },
		{ OPT_FLAG("quiet", 'q', &o->quiet) },
		{ OPT_HELP("help", 0) },
	};

	o->epids = 1;
	o->first_user = 1;
	o->expires = 3600;
	o->timeout_ms = 5000;
	o->setup_conc = 32;
	o->hold_interval = 300;
	o->connections = 1;
	if (opts_parse("sipsa-bench", usage, spec,
	    sizeof(spec) / sizeof(spec[0]), argc, argv) != 0)
		return -1;
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	if (!have_scenario || !have_server || o->realm_dir == NULL)
		BAD("--scenario, --server and --realm-dir are required");
	if (o->rate > 0 && o->concurrency > 0)
		BAD("--rate and --concurrency exclude each other");
	if (o->rate == 0 && o->concurrency == 0)
		o->concurrency = 1;
	if (o->rate > 0 && o->duration == 0 && !o->count_set)
		BAD("--rate needs --duration or --count");
	if (o->duration == 0 && !o->count_set)
		o->duration = 10;
	if (o->scenario == SC_NTLM || o->scenario == SC_KERBEROS) {
		if (have_mech && o->mech != (o->scenario == SC_NTLM ?
		    MECH_NTLM : MECH_KERBEROS))
			BAD("--mech goes with --scenario refresh or "
			    "message");
		o->mech = o->scenario == SC_NTLM ? MECH_NTLM : MECH_KERBEROS;
	}
	if (read_realm(o) != 0)
		return -1;
	if (o->users == 0)
		o->users = o->realm_users;
	if (o->first_user + o->users - 1 > o->realm_users)
		BAD("users %u..%u: the realm has user1..user%u", o->first_user,
		    o->first_user + o->users - 1, o->realm_users);
	if ((uint64_t)o->users * o->epids > 10000000)
		BAD("at most 10 million endpoints");
	if (o->connections > o->users * o->epids)
		BAD("--connections %u: more than the %u endpoints",
		    o->connections, o->users * o->epids);
	if (o->connections > 1 && o->tp == UAC_TP_UDP)
		BAD("--connections goes with tcp: or tls:");
	if (o->scenario == SC_MESSAGE && o->users < 2)
		BAD("--scenario message needs 2 users or more");
	if (o->domain == NULL) {
		/* The AOR domain: the server's FQDN without its host. */
		at = strchr(o->fqdn, '.');
		(void)snprintf(o->dom_buf, sizeof(o->dom_buf), "%s",
		    at != NULL ? at + 1 : o->fqdn);
		o->domain = o->dom_buf;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct options o;
	static struct bench b;
	struct uac_agent_params ap;
	struct sigaction sa;
	int64_t t_agents;
	unsigned i;
	int rc = 2;

	if (parse_options(argc, argv, &o) != 0)
		return 2;
	b.o = &o;
	if (realm_env(&o) != 0) {
		perror("sipsa-bench: setenv");
		return 2;
	}
	if (o.progress != NULL && (b.progress = fopen(o.progress, "w")) ==
	    NULL) {
		fprintf(stderr, "sipsa-bench: %s: %s\n", o.progress,
		    strerror(errno));
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)signal(SIGPIPE, SIG_IGN);

	b.t_setup = now_ns();
	if (make_creds(&b) != 0)
		goto out_creds;
	if (o.mech == MECH_KERBEROS) {
		b.setup_s = (double)(now_ns() - b.t_setup) / 1e9;
		if (!o.quiet)
			fprintf(stderr, "sipsa-bench: Kerberos tickets for %u "
			    "users in %.2f s\n", o.users, b.setup_s);
	}
	if (su_init() != 0) {
		fprintf(stderr, "sipsa-bench: su_init failed\n");
		goto out_creds;
	}
	if ((b.root = su_root_create(NULL)) == NULL)
		goto out_su;
	uac_sofia_log(NULL);
	memset(&ap, 0, sizeof(ap));
	ap.want_tls = o.tp == UAC_TP_TLS;
	ap.tls_ca_file = o.ca_file;
	ap.tls_insecure = o.insecure;
	t_agents = now_ns();
	/* Many agents: each binds only the address it reaches the server
	   from (loopback, for a server on it), so fewer descriptors. */
	if (o.connections > 1 && (strcmp(o.host, "127.0.0.1") == 0 ||
	    strcmp(o.host, "localhost") == 0))
		ap.bind_host = "127.0.0.1";
	if (make_agents(&b, &ap) != 0)
		goto out_eps;
	/* Making the agents (a TLS context each) is set-up too. */
	b.setup_s += (double)(now_ns() - t_agents) / 1e9;
	if (make_endpoints(&b) != 0)
		goto out_eps;
	if ((b.second = su_timer_create(su_root_task(b.root), 1000)) ==
	    NULL || su_timer_run(b.second, on_second, &b) != 0) {
		fprintf(stderr, "sipsa-bench: cannot make timers\n");
		goto out_eps;
	}

	if (o.scenario == SC_REFRESH || o.scenario == SC_MESSAGE)
		establish_upto(&b, PH_SETUP, b.neps);
	else if (b.nagents > 1) {
		/*
		 * Handshakes over many connections: the first endpoint of
		 * each connection signs in before the run, so that every
		 * connection is open (its TLS handshake done) when the run
		 * starts, as a softphone's is long before it signs in again.
		 */
		establish_upto(&b, PH_SETUP, b.nagents);
	} else
		start_run(&b);
	/*
	 * The open-loop schedule is kept from here, not with a Sofia timer:
	 * Sofia rounds a wait under 1 ms down to 0 and would spin.  A 1 ms
	 * wait lets the kernel wake the loop on time.
	 */
	while (b.phase != PH_DONE) {
		(void)su_root_step(b.root, b.phase == PH_RUN && o.rate > 0 ?
		    1 : 50);
		if (b.phase == PH_RUN || b.phase == PH_DRAIN)
			pump(&b);
		if (got_signal && !b.stop) {
			b.stop = 1;
			if (b.phase == PH_HOLD)
				b.phase = PH_DONE;
			else if (b.phase == PH_RUN)
				pump(&b);
		}
	}
	rc = b.failed > 0 || b.est_failed > 0 || b.in_refused > 0 ||
	    b.completed == 0 ? 1 : 0;
	if (o.count_set && o.count == 0 && b.failed == 0 && b.est_failed == 0)
		rc = 0;

 out_eps:
	su_timer_destroy(b.second);
	for (i = 0; b.eps != NULL && i < b.neps; i++)
		uac_destroy(b.eps[i].u);
	for (i = 0; i < b.nagents; i++)
		uac_agent_destroy(b.agents[i]);
	free(b.agents);
	su_root_destroy(b.root);
 out_su:
	su_deinit();
 out_creds:
	for (i = 0; b.creds != NULL && i < o.users; i++)
		mech_client_cred_free(b.creds[i]);
	free(b.creds);
	free(b.eps);
	free(b.idle);
	free(b.lat);
	if (b.progress != NULL)
		(void)fclose(b.progress);
	return rc;
}
