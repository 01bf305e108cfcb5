/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/notify.c: sd_notify for Type=notify (src/notify.h, doc/systemd.md).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <systemd/sd-daemon.h>

#define SU_ROOT_MAGIC_T		struct proxy
#define SU_TIMER_ARG_T		struct proxy
#include <sofia-sip/su_wait.h>

#define LOG_MODULE "notify"
#include "log/log.h"
#include "sa/sa.h"
#include "src/notify.h"
#include "src/proxy.h"

static void
status(struct proxy *px, const char *state)
{
	struct sa_stats st;

	sa_table_stats(px->sa, &st);
	(void)sd_notifyf(0, "%sSTATUS=%s: %u listener%s, %llu SA%s",
	    state, "serving", (unsigned)px->nlisteners,
	    px->nlisteners == 1 ? "" : "s",
	    (unsigned long long)st.established,
	    st.established == 1 ? "" : "s");
}

static void
watchdog(struct proxy *magic, su_timer_t *t, struct proxy *px)
{
	(void)magic;
	(void)t;
	(void)px;
	(void)sd_notify(0, "WATCHDOG=1");
}

int
notify_ready(struct proxy *px)
{
	uint64_t usec = 0;

	status(px, "READY=1\n");
	/* The ping comes from the event loop: a loop that hangs stops it,
	   and systemd restarts sipsad. */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		px->watchdog = su_timer_create(su_root_task(px->root),
		    (su_duration_t)(usec / 2000 > 0 ? usec / 2000 : 1));
		if (px->watchdog == NULL ||
		    su_timer_set_for_ever(px->watchdog, watchdog, px) != 0) {
			log_warnx("cannot start the watchdog timer");
			return -1;
		}
		log_info("systemd watchdog: a ping every %llu ms",
		    (unsigned long long)(usec / 2000));
		(void)sd_notify(0, "WATCHDOG=1");
	}
	return 0;
}

void
notify_reloading(void)
{
	(void)sd_notify(0, "RELOADING=1");
}

void
notify_reloaded(struct proxy *px)
{
	status(px, "READY=1\n");
}

void
notify_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1");
}

void
notify_fini(struct proxy *px)
{
	if (px->watchdog != NULL)
		su_timer_destroy(px->watchdog);
	px->watchdog = NULL;
}
