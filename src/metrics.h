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
/* A handshake established its SA ms after its first leg. */
void	metrics_handshake(int kerberos, uint64_t ms);
/* A REGISTER that changed bindings spent us in the binding store. */
void	metrics_store_write(uint64_t us);
/* A signature checked: 0 (SA_R_OK) verified, else the reason refused. */
void	metrics_signature(int reason);
/* An authentication attempt, as the audit line says it. */
void	metrics_auth(const char *scheme, const char *result,
	    const char *reason);

/* Start serving when the configuration asks; 0 or an errno. */
int	metrics_start(struct proxy *px);
void	metrics_stop(struct proxy *px);

#endif /* SIPSA_METRICS_H */
