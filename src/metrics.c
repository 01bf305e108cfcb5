/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/metrics.c: the Prometheus endpoint (src/metrics.h, doc/metrics.md).
 *
 * libmicrohttpd runs without threads of its own, in epoll mode: its one
 * epoll descriptor is registered with the su_root, and MHD_run() is
 * called when it is readable and when MHD's timeout passes.  So the
 * handler runs on the event loop and reads every counter without a lock.
 * Only GET /metrics is served (text exposition format 0.0.4); at most a
 * few connections at once, each with a short timeout.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#define SU_ROOT_MAGIC_T		struct proxy
#define SU_WAKEUP_ARG_T		struct metrics
#define SU_TIMER_ARG_T		struct metrics
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#define LOG_MODULE "metrics"
#include "log/log.h"
#include "registrar/registrar.h"
#include "sa/sa.h"
#include "src/metrics.h"
#include "src/proxy.h"

#define METRICS_CONNECTIONS	8	/* scrapers at once */
#define METRICS_TIMEOUT		10	/* s a connection may idle */

/* Requests by method and status: the methods sipsad knows, the rest
   as "other"; statuses 100..699 in one table. */
static const char *const methods[] = { "REGISTER", "INVITE", "ACK", "BYE",
    "CANCEL", "OPTIONS", "MESSAGE", "SUBSCRIBE", "NOTIFY", "INFO", "REFER",
    "PRACK", "UPDATE", "PUBLISH", "SERVICE", "BENOTIFY", "other" };
#define NMETHODS	(sizeof(methods) / sizeof(methods[0]))
static uint64_t requests[NMETHODS][600];

/* Histograms of durations, seconds: the same buckets for all. */
static const double buckets[] = { 0.0001, 0.0005, 0.001, 0.002, 0.005,
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10 };
#define NBUCKETS	(sizeof(buckets) / sizeof(buckets[0]))
struct hist {
	uint64_t	 count[NBUCKETS + 1];	/* last: +Inf */
	double		 sum;
};
static struct hist req_dur;		/* arrival to final answer */
static struct hist hs_dur[2];		/* handshake: NTLM, Kerberos */
static struct hist store_dur;		/* a REGISTER's store write */

/* Signatures checked: verified, or refused by reason (enum sa_reason). */
#define SIG_REASONS	64
static uint64_t sig_ok, sig_refused[SIG_REASONS];

/* Authentication attempts: a small table of (scheme, result, reason). */
struct auth_row {
	char		 scheme[12], result[12], reason[32];
	uint64_t	 n;
};
#define AUTH_ROWS	128
static struct auth_row auth[AUTH_ROWS];
static size_t nauth;

struct metrics {
	struct proxy		*px;
	struct MHD_Daemon	*d;
	su_wait_t		 wait[1];
	int			 index;
	su_timer_t		*timer;
	time_t			 started;
};

uint64_t
metrics_now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
observe(struct hist *h, double s)
{
	size_t b;

	for (b = 0; b < NBUCKETS && s > buckets[b]; b++)
		;
	h->count[b]++;
	h->sum += s;
}

void
metrics_request(const char *method, int status, uint64_t t0_us)
{
	size_t m;

	if (status < 100 || status > 699)
		return;
	for (m = 0; m < NMETHODS - 1 && (method == NULL ||
	    strcmp(methods[m], method) != 0); m++)
		;
	requests[m][status - 100]++;
	if (t0_us != 0)
		observe(&req_dur, (double)(metrics_now_us() - t0_us) / 1e6);
}

void
metrics_handshake(int kerberos, uint64_t ms)
{
	observe(&hs_dur[kerberos != 0], (double)ms / 1e3);
}

void
metrics_store_write(uint64_t us)
{
	observe(&store_dur, (double)us / 1e6);
}

void
metrics_signature(int reason)
{
	if (reason == 0)
		sig_ok++;
	else if (reason > 0 && reason < SIG_REASONS)
		sig_refused[reason]++;
}

void
metrics_auth(const char *scheme, const char *result, const char *reason)
{
	size_t i;

	if (reason == NULL)
		reason = "";
	for (i = 0; i < nauth; i++)
		if (strcmp(auth[i].scheme, scheme) == 0 &&
		    strcmp(auth[i].result, result) == 0 &&
		    strcmp(auth[i].reason, reason) == 0) {
			auth[i].n++;
			return;
		}
	/* The reasons are sipsad's own words: the table does not fill;
	   if it did, the rest would count under the last row. */
	if (nauth == AUTH_ROWS) {
		auth[AUTH_ROWS - 1].n++;
		return;
	}
	(void)snprintf(auth[nauth].scheme, sizeof(auth[0].scheme), "%s",
	    scheme);
	(void)snprintf(auth[nauth].result, sizeof(auth[0].result), "%s",
	    result);
	(void)snprintf(auth[nauth].reason, sizeof(auth[0].reason), "%s",
	    reason);
	auth[nauth++].n = 1;
}

/* ------------------------------------------------------------------ */
/* The page. */

struct page {
	char	*buf;
	size_t	 len, cap;
	int	 failed;
};

static void
put(struct page *p, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *nb;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(p->buf + p->len, p->cap - p->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			p->failed = 1;
			return;
		}
		if ((size_t)n < p->cap - p->len) {
			p->len += (size_t)n;
			return;
		}
		if ((nb = realloc(p->buf, p->cap * 2 + (size_t)n)) == NULL) {
			p->failed = 1;
			return;
		}
		p->buf = nb;
		p->cap = p->cap * 2 + (size_t)n;
	}
}

static void
family(struct page *p, const char *name, const char *type, const char *help)
{
	put(p, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* SAs by scheme (0 NTLM, 1 Kerberos) and state (0 half-open, 1
   established). */
struct sa_counts {
	unsigned	 n[2][2];
};

static int
count_sa(const struct sa_info *in, void *arg)
{
	struct sa_counts *sc = arg;

	if (in->state == ASSOC_HALF_OPEN || in->state == ASSOC_ESTABLISHED)
		sc->n[in->kind == MECH_KERBEROS][in->state ==
		    ASSOC_ESTABLISHED]++;
	return 0;
}

/* name_bucket{LABELSle="..."} lines, _sum and _count; labels end with
   a comma when there are some. */
static void
put_hist(struct page *p, const char *name, const char *labels,
    const struct hist *h)
{
	uint64_t cum = 0;
	size_t i;

	for (i = 0; i < NBUCKETS; i++) {
		cum += h->count[i];
		put(p, "%s_bucket{%sle=\"%g\"} %llu\n", name, labels,
		    buckets[i], (unsigned long long)cum);
	}
	cum += h->count[NBUCKETS];
	put(p, "%s_bucket{%sle=\"+Inf\"} %llu\n", name, labels,
	    (unsigned long long)cum);
	/* The labels without their trailing comma. */
	put(p, "%s_sum%s%.*s%s %.6f\n", name, *labels ? "{" : "",
	    *labels ? (int)strlen(labels) - 1 : 0, labels, *labels ? "}" : "",
	    h->sum);
	put(p, "%s_count%s%.*s%s %llu\n", name, *labels ? "{" : "",
	    *labels ? (int)strlen(labels) - 1 : 0, labels, *labels ? "}" : "",
	    (unsigned long long)cum);
}

/* Process metrics, as the Prometheus client libraries name them. */
static void
process_metrics(struct page *p, const struct metrics *m)
{
	struct rusage ru;
	struct rlimit rl;
	long pages = 0, rss = 0, size = 0;
	unsigned fds = 0;
	struct dirent *de;
	FILE *fp;
	DIR *dir;

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		family(p, "process_cpu_seconds_total", "counter",
		    "User and system CPU time spent in seconds.");
		put(p, "process_cpu_seconds_total %.6f\n",
		    (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	}
	if ((fp = fopen("/proc/self/statm", "r")) != NULL) {
		if (fscanf(fp, "%ld %ld", &size, &rss) == 2) {
			pages = sysconf(_SC_PAGESIZE);
			family(p, "process_resident_memory_bytes", "gauge",
			    "Resident memory size in bytes.");
			put(p, "process_resident_memory_bytes %ld\n",
			    rss * pages);
			family(p, "process_virtual_memory_bytes", "gauge",
			    "Virtual memory size in bytes.");
			put(p, "process_virtual_memory_bytes %ld\n",
			    size * pages);
		}
		(void)fclose(fp);
	}
	if ((dir = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(dir)) != NULL)
			if (de->d_name[0] != '.')
				fds++;
		(void)closedir(dir);
		family(p, "process_open_fds", "gauge",
		    "Number of open file descriptors.");
		put(p, "process_open_fds %u\n", fds > 0 ? fds - 1 : 0);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		family(p, "process_max_fds", "gauge",
		    "Maximum number of open file descriptors.");
		put(p, "process_max_fds %llu\n",
		    (unsigned long long)rl.rlim_cur);
	}
	family(p, "process_start_time_seconds", "gauge",
	    "Start time of the process since unix epoch in seconds.");
	put(p, "process_start_time_seconds %lld\n", (long long)m->started);
}

/* Is listener j the first of its transport on its port (0.0.0.0 and ::
   on one port share their count)? */
static int
first_on_port(const struct proxy *px, size_t j)
{
	size_t k;

	for (k = 0; k < j; k++)
		if (px->listeners[k].port == px->listeners[j].port &&
		    px->listeners[k].transport == px->listeners[j].transport)
			return 0;
	return 1;
}

static void
build(struct page *p, const struct metrics *m)
{
	struct proxy *px = m->px;
	struct sa_stats st;
	struct sa_counts sc;
	unsigned long nbind, naor;
	size_t i, j;

	family(p, "sipsa_build_info", "gauge",
	    "sipsad's version, as a label; the value is always 1.");
	put(p, "sipsa_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);

	family(p, "sipsa_requests_total", "counter",
	    "Requests answered, by method and final status.");
	for (i = 0; i < NMETHODS; i++)
		for (j = 0; j < 600; j++)
			if (requests[i][j] > 0)
				put(p, "sipsa_requests_total{method=\"%s\","
				    "status=\"%zu\"} %llu\n", methods[i],
				    j + 100,
				    (unsigned long long)requests[i][j]);

	family(p, "sipsa_request_duration_seconds", "histogram",
	    "Time from a request's arrival to its final answer.");
	put_hist(p, "sipsa_request_duration_seconds", "", &req_dur);
	family(p, "sipsa_handshake_duration_seconds", "histogram",
	    "Time from a handshake's first leg to its SA established.");
	put_hist(p, "sipsa_handshake_duration_seconds", "scheme=\"NTLM\",",
	    &hs_dur[0]);
	put_hist(p, "sipsa_handshake_duration_seconds",
	    "scheme=\"Kerberos\",", &hs_dur[1]);
	family(p, "sipsa_binding_store_write_seconds", "histogram",
	    "Time a REGISTER that changes bindings spends in the binding "
	    "store (decision and commit).");
	put_hist(p, "sipsa_binding_store_write_seconds", "", &store_dur);
	family(p, "sipsa_signatures_total", "counter",
	    "Signatures of incoming messages checked, by result and reason.");
	put(p, "sipsa_signatures_total{result=\"verified\",reason=\"\"} "
	    "%llu\n", (unsigned long long)sig_ok);
	for (i = 1; i < SIG_REASONS; i++)
		if (sig_refused[i] > 0)
			put(p, "sipsa_signatures_total{result=\"refused\","
			    "reason=\"%s\"} %llu\n",
			    sa_reason_name((enum sa_reason)i),
			    (unsigned long long)sig_refused[i]);

	family(p, "sipsa_auth_attempts_total", "counter",
	    "Authentication attempts by scheme, result and reason "
	    "(doc/audit.md).");
	for (i = 0; i < nauth; i++)
		put(p, "sipsa_auth_attempts_total{scheme=\"%s\",result=\"%s\","
		    "reason=\"%s\"} %llu\n", auth[i].scheme, auth[i].result,
		    auth[i].reason, (unsigned long long)auth[i].n);

	if (px->sa != NULL) {
		sa_table_stats(px->sa, &st);
		memset(&sc, 0, sizeof(sc));
		(void)sa_foreach(px->sa, count_sa, &sc);
		family(p, "sipsa_security_associations", "gauge",
		    "Security associations now, by scheme and state: "
		    "half-open (handshakes in progress) and established.");
		for (i = 0; i < 2; i++)
			for (j = 0; j < 2; j++)
				put(p, "sipsa_security_associations{scheme="
				    "\"%s\",state=\"%s\"} %u\n", i ?
				    "Kerberos" : "NTLM", j ? "established" :
				    "half_open", sc.n[i][j]);
		family(p, "sipsa_handshake_failures_total", "counter",
		    "Handshake legs that failed.");
		put(p, "sipsa_handshake_failures_total %llu\n",
		    (unsigned long long)st.handshake_failures);
		family(p, "sipsa_signature_failures_total", "counter",
		    "Signed messages whose signature did not verify.");
		put(p, "sipsa_signature_failures_total %llu\n",
		    (unsigned long long)st.verify_failures);
		family(p, "sipsa_security_associations_ended_total",
		    "counter", "Security associations that ended, by why.");
		put(p, "sipsa_security_associations_ended_total{why="
		    "\"expired\"} %llu\n",
		    (unsigned long long)st.expirations);
		put(p, "sipsa_security_associations_ended_total{why="
		    "\"replaced\"} %llu\n", (unsigned long long)st.replaced);
		put(p, "sipsa_security_associations_ended_total{why="
		    "\"evicted\"} %llu\n", (unsigned long long)st.evictions);
	}
	family(p, "sipsa_connections", "gauge",
	    "TCP and TLS connections clients opened and that are open now, "
	    "by transport.");
	for (i = 0; i < 2; i++) {
		unsigned n = 0;

		for (j = 0; j < px->nlisteners; j++)
			if (px->listeners[j].transport == (i ? CONF_TP_TLS :
			    CONF_TP_TCP) && first_on_port(px, j))
				n += conns_open_port(px->listeners[j].port);
		put(p, "sipsa_connections{transport=\"%s\"} %u\n",
		    i ? "tls" : "tcp", n);
	}
	if (px->reg != NULL && registrar_count(px->reg, (uint64_t)time(NULL),
	    &nbind, &naor) == 0) {
		family(p, "sipsa_bindings", "gauge",
		    "Live bindings in the binding store.");
		put(p, "sipsa_bindings %lu\n", nbind);
		family(p, "sipsa_registered_aors", "gauge",
		    "Addresses of record with at least one live binding.");
		put(p, "sipsa_registered_aors %lu\n", naor);
	}
	process_metrics(p, m);
}

/* An answer without a body: 404, 405. */
static enum MHD_Result
empty(struct MHD_Connection *c, unsigned code)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if ((r = MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT)) == NULL)
		return MHD_NO;
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **state)
{
	struct metrics *m = cls;
	struct MHD_Response *r;
	struct page p = { NULL, 0, 0, 0 };
	enum MHD_Result ret;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return empty(c, MHD_HTTP_METHOD_NOT_ALLOWED);
	if (strcmp(url, "/metrics") != 0)
		return empty(c, MHD_HTTP_NOT_FOUND);
	if ((p.buf = malloc(p.cap = 16384)) == NULL)
		return MHD_NO;
	build(&p, m);
	if (p.failed) {
		free(p.buf);
		return MHD_NO;
	}
	r = MHD_create_response_from_buffer(p.len, p.buf,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(p.buf);
		return MHD_NO;
	}
	(void)MHD_add_response_header(r, "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static void on_timer(struct proxy *, su_timer_t *, struct metrics *);

/* MHD's work, then its next timeout. */
static void
run(struct metrics *m)
{
	MHD_UNSIGNED_LONG_LONG ms = 0;

	(void)MHD_run(m->d);
	if (MHD_get_timeout(m->d, &ms) == MHD_YES)
		(void)su_timer_set_interval(m->timer, on_timer, m,
		    (su_duration_t)(ms > 1000 ? 1000 : ms + 1));
}

static int
on_epoll(struct proxy *px, su_wait_t *w, struct metrics *m)
{
	(void)px;
	(void)w;
	run(m);
	return 0;
}

static void
on_timer(struct proxy *px, su_timer_t *t, struct metrics *m)
{
	(void)px;
	(void)t;
	run(m);
}

int
metrics_start(struct proxy *px)
{
	const struct conf_metrics *c = &px->conf->metrics;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	const union MHD_DaemonInfo *info;
	struct metrics *m;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	if (c->port == 0)
		return 0;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, c->address, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)c->port);
	} else if (inet_pton(AF_INET6, c->address, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)c->port);
		flags |= MHD_USE_IPv6;
	} else
		return EINVAL;	/* the configuration checked it */
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return ENOMEM;
	m->px = px;
	m->started = time(NULL);
	m->d = MHD_start_daemon(flags, 0, NULL, NULL, answer, m,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_TIMEOUT,
	    MHD_OPTION_END);
	if (m->d == NULL ||
	    (info = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD)) ==
	    NULL ||
	    su_wait_create(m->wait, info->epoll_fd, SU_WAIT_IN) != 0 ||
	    (m->index = su_root_register(px->root, m->wait, on_epoll, m,
	    0)) <= 0 ||
	    (m->timer = su_timer_create(su_root_task(px->root), 1000)) ==
	    NULL) {
		log_warnx("metrics: cannot serve on %s port %u", c->address,
		    c->port);
		px->metrics = m;
		metrics_stop(px);
		return EADDRINUSE;
	}
	px->metrics = m;
	run(m);
	log_info("metrics on http://%s%s%s:%u/metrics",
	    strchr(c->address, ':') ? "[" : "", c->address,
	    strchr(c->address, ':') ? "]" : "", c->port);
	return 0;
}

void
metrics_stop(struct proxy *px)
{
	struct metrics *m = px->metrics;

	if (m == NULL)
		return;
	if (m->timer != NULL)
		su_timer_destroy(m->timer);
	if (m->index > 0)
		su_root_deregister(px->root, m->index);
	if (m->d != NULL)
		MHD_stop_daemon(m->d);
	free(m);
	px->metrics = NULL;
}
