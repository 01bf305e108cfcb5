/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/audit.c: the audit lines (src/audit.h, doc/audit.md).  The format
 * is an interface: fields are only ever added at the end of a line.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define LOG_MODULE "audit"
#include "log/log.h"
#include "sa/sa.h"
#include "src/audit.h"
#include "src/metrics.h"
#include "src/proxy.h"

/* time=: UTC with milliseconds, whatever the log's own timestamps. */
static void
now_text(char *buf, size_t len)
{
	struct timeval tv;
	struct tm tm;

	(void)gettimeofday(&tv, NULL);
	(void)gmtime_r(&tv.tv_sec, &tm);
	(void)snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
}

/*
 * Lines an unauthenticated peer causes (fail, blocked, error): at most
 * this many a minute, the rest counted in one line a minute.  The
 * handshake rate guard bounds them per source already.
 */
#define AUDIT_UNAUTH_PER_MINUTE	6000

void
audit_auth(const struct ptx *ptx, const char *result, const char *scheme,
    const char *user, const char *reason, const char *sa)
{
	static struct log_quota q = { AUDIT_UNAUTH_PER_MINUTE, "audit",
	    "audit lines of failed, blocked or unanswered attempts", 0, 0,
	    0 };
	char t[48], u[300], r[64], s[16], cid[160];
	const char *port = strrchr(ptx->peer, ':');

	metrics_auth(scheme, result, reason);
	/* Every attempt's outcome passes here once: sipsactl status's
	   rates count them (src/control.c). */
	if (strcmp(result, AUDIT_OK) == 0)
		ptx->px->handshakes_ok++;
	else
		ptx->px->handshakes_failed++;
	if (strcmp(result, AUDIT_OK) != 0 &&
	    strcmp(result, AUDIT_REFUSED) != 0 &&
	    !log_quota_take(&q, sa_clock_monotonic(NULL)))
		return;
	now_text(t, sizeof(t));
	log_notice("event=auth time=%s result=%s peer=%s port=%s "
	    "transport=%s scheme=%s user=%s reason=%s sa=%s call-id=%s", t,
	    result, ptx->peer_addr, port != NULL ? port + 1 : "-",
	    ptx->listener != NULL ?
	    conf_transport_name(ptx->listener->transport) : "-",
	    scheme, audit_value(u, sizeof(u), user),
	    audit_value(r, sizeof(r), reason), audit_value(s, sizeof(s), sa),
	    audit_value(cid, sizeof(cid), ptx_call_id(ptx)));
}

void
audit_admin(const char *action, const char *by, const char *target,
    const char *result)
{
	char t[48], a[64], b[64], g[300], r[200];

	now_text(t, sizeof(t));
	log_notice("event=admin time=%s action=%s by=%s target=%s result=%s",
	    t, audit_value(a, sizeof(a), action), audit_value(b, sizeof(b),
	    by), audit_value(g, sizeof(g), target), audit_value(r, sizeof(r),
	    result));
}
