/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/sofialog.c: Sofia-SIP's own logs (su, nta, tport) redirected into
 * the logging facade.
 *
 * Sofia's logger callback does not receive the level of a message, so the
 * mapping works by threshold.  Sofia levels run from 0 (fatal) to 9:
 * 0-1 are errors, 2-3 warnings, 4-5 one line per message, 6-9 internals.
 * At facade level err only Sofia 0-1 pass, written as err; at warn, notice
 * and info Sofia 0-3 pass, written as warn; at debug Sofia 0-5 pass,
 * written as debug.  Sofia 6-9 appear only through Sofia's own variables
 * (NTA_DEBUG, TPORT_DEBUG, SU_DEBUG): a log whose variable is set keeps
 * that level, and its lines are written at the facade's level.
 *
 * A condition Sofia meets in a loop (accept() failing for lack of
 * descriptors: nta logs "Too many open files" for each try, hundreds of
 * thousands a second) must not fill the disk: a line repeating the one
 * before is written SOFIA_REPEATS times, then counted; and at most
 * SOFIA_LINES lines a second are written in all, the rest counted.  The
 * counts go out as one line when the burst ends (sofialog_flush(), every
 * second, or the next line).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/su_log.h>

#define LOG_MODULE "sofia"
#include "log/log.h"
#include "src/proxy.h"

/* Exported by libsofia-sip-ua, not declared in its public headers. */
extern su_log_t nta_log[];
extern su_log_t tport_log[];

static su_log_t *const sofia_logs[] = { su_log_default, nta_log, tport_log };
static const char *const sofia_names[] = { "su", "nta", "tport" };

/* The facade level Sofia's messages are written at (set by threshold). */
static int sofia_emit_level = LOG_LVL_WARN;

#define SOFIA_REPEATS	3	/* the same line in a row, then counted */
#define SOFIA_LINES	100	/* lines a second in all */

static struct {
	char		last[1024];	/* the last line written or counted */
	const char	*last_name;
	unsigned long	repeats;	/* of last, not written */
	unsigned	same;		/* last in a row */
	time_t		second;
	unsigned	lines;		/* written this second */
	unsigned long	dropped;	/* over SOFIA_LINES */
} rl;

static void
flush_repeats(void)
{
	if (rl.repeats > 0)
		log_emit(sofia_emit_level, rl.last_name, 0, "(the line before "
		    "repeated %lu more times: %s)", rl.repeats, rl.last);
	rl.repeats = 0;
}

void
sofialog_flush(void)
{
	flush_repeats();
	if (rl.dropped > 0)
		log_emit(sofia_emit_level, "sofia", 0, "(%lu more lines of "
		    "Sofia's not written: over %u a second)", rl.dropped,
		    SOFIA_LINES);
	rl.dropped = 0;
}

/* May this line be written?  Counts it when not. */
static int
sofia_may_write(const char *name, const char *line)
{
	time_t now = time(NULL);

	if (name == rl.last_name && strcmp(line, rl.last) == 0) {
		if (++rl.same > SOFIA_REPEATS) {
			rl.repeats++;
			return 0;
		}
	} else {
		/* Only the repeat count: the count of lines over the budget
		   goes out once a second (sofialog_flush from the tick), or
		   a flood of distinct lines would write one count each. */
		flush_repeats();
		rl.same = 1;
		rl.last_name = name;
		(void)snprintf(rl.last, sizeof(rl.last), "%s", line);
	}
	if (now != rl.second) {
		rl.second = now;
		rl.lines = 0;
	}
	if (++rl.lines > SOFIA_LINES) {
		rl.dropped++;
		return 0;
	}
	return 1;
}

static void
sofia_logger(void *stream, char const *fmt, va_list ap)
{
	const char *name = stream;
	char buf[1024], *line = buf;
	size_t len;
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n <= 0)
		return;
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (len == 0)
		return;
	/* Sofia often starts its lines with the module name: drop it. */
	n = (int)strlen(name);
	if (strncmp(buf, name, (size_t)n) == 0 && buf[n] == ':' &&
	    buf[n + 1] == ' ')
		line = buf + n + 2;
	if (sofia_may_write(name, line))
		log_emit(sofia_emit_level, name, 0, "%s", line);
}

void
sofialog_init(void)
{
	size_t i;

	for (i = 0; i < sizeof(sofia_logs) / sizeof(sofia_logs[0]); i++)
		su_log_redirect(sofia_logs[i], sofia_logger,
		    (void *)sofia_names[i]);
}

void
sofialog_setlevel(int level)
{
	unsigned threshold;
	size_t i;
	su_log_t *lg;

	switch (level) {
	case LOG_LVL_ERR:
		threshold = 1;
		sofia_emit_level = LOG_LVL_ERR;
		break;
	case LOG_LVL_DEBUG:
		/* 5: one line per message; 7 and up trace tport internals. */
		threshold = 5;
		sofia_emit_level = LOG_LVL_DEBUG;
		break;
	default:
		threshold = 3;
		sofia_emit_level = LOG_LVL_WARN;
		break;
	}
	for (i = 0; i < sizeof(sofia_logs) / sizeof(sofia_logs[0]); i++) {
		lg = sofia_logs[i];
		if (lg->log_env != NULL && getenv(lg->log_env) != NULL) {
			/* The operator asked for this level: emit it all. */
			sofia_emit_level = level;
			continue;
		}
		su_log_set_level(lg, threshold);
	}
}
