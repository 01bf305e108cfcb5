/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/metrics.h: counters for the Prometheus endpoint (metrics { listen
 * ADDRESS PORT }, doc/metrics.md), served by libmicrohttpd on the event
 * loop.  The counting functions are cheap and always work; without the
 * endpoint nothing reads them.
 */
#ifndef SIPSA_METRICS_H
#define SIPSA_METRICS_H

#include <stdint.h>

struct proxy;

/* Monotonic microseconds, for durations. */
uint64_t metrics_now_us(void);

/* A final response: the request's method and the status, and how long
   since the request came (t0_us). */
void	metrics_request(const char *method, int status, uint64_t t0_us);
/* An authentication attempt, as the audit line says it. */
void	metrics_auth(const char *scheme, const char *result,
	    const char *reason);

/* Start serving when the configuration asks; 0 or an errno. */
int	metrics_start(struct proxy *px);
void	metrics_stop(struct proxy *px);

#endif /* SIPSA_METRICS_H */
