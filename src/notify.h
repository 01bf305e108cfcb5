/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/notify.h: telling systemd (Type=notify) how sipsad is: ready,
 * reloading, stopping, and alive (the watchdog), through libsystemd's
 * sd_notify.  Without NOTIFY_SOCKET (not started by systemd) every call
 * does nothing.
 */
#ifndef SIPSA_NOTIFY_H
#define SIPSA_NOTIFY_H

struct proxy;

/* Serving: READY=1; and, when systemd asks for it (WatchdogSec=), a
   WATCHDOG=1 from the event loop every half of its interval. */
int	notify_ready(struct proxy *px);
/* SIGHUP: RELOADING=1 now, READY=1 again when done (notify_reloaded). */
void	notify_reloading(void);
void	notify_reloaded(struct proxy *px);
/* SIGTERM or SIGINT: STOPPING=1. */
void	notify_stopping(void);
void	notify_fini(struct proxy *px);

#endif /* SIPSA_NOTIFY_H */
