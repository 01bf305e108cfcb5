/* SPDX-License-Identifier: BSD-2-Clause */
/* log/log.c: stderr/syslog logging facade (after OpenSMTPD log.c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log/log.h"

static const char *log_progname = "sipsa";
static int log_to_syslog;
static int log_journal;		/* stderr is the systemd journal */
static int log_level = LOG_LVL_INFO;
static int log_facility = LOG_DAEMON;
static log_sink_fn *log_sink;
static void *log_sink_arg;

static const char *const level_names[] = {
	[LOG_LVL_ERR] = "err",
	[LOG_LVL_WARN] = "warn",
	[LOG_LVL_NOTICE] = "notice",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

/*
 * Is standard error the journal (systemd sets JOURNAL_STREAM to its
 * device and inode)?  Then each line starts with its syslog priority,
 * <N>, which journald reads, and without a time stamp, which it adds.
 */
static int
stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return e != NULL && sscanf(e, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *progname, int to_syslog, int level)
{
	if (log_to_syslog)
		closelog();
	if (progname != NULL)
		log_progname = progname;
	log_to_syslog = to_syslog;
	log_level = level;
	log_journal = !to_syslog && stderr_is_journal();
	if (to_syslog)
		openlog(log_progname, LOG_PID | LOG_NDELAY, log_facility);
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_setfacility(const char *name)
{
	static const struct {
		const char	*name;
		int		 facility;
	} facilities[] = {
		{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
		{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	size_t i;

	for (i = 0; name != NULL && i < sizeof(facilities) /
	    sizeof(facilities[0]); i++)
		if (strcmp(name, facilities[i].name) == 0) {
			log_facility = facilities[i].facility;
			return 0;
		}
	return -1;
}

int
log_getlevel(void)
{
	return log_level;
}

int
log_level_parse(const char *name)
{
	int i;

	for (i = LOG_LVL_ERR; i <= LOG_LVL_DEBUG; i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

const char *
log_level_name(int level)
{
	if (level < LOG_LVL_ERR || level > LOG_LVL_DEBUG)
		return "?";
	return level_names[level];
}

void
log_set_sink(log_sink_fn *fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

void
log_vemit(int level, const char *module, int with_errno, const char *fmt,
    va_list ap)
{
	char msg[2048], line[2300];
	int saved = errno;

	if (level > log_level)
		return;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno)
		(void)snprintf(line, sizeof(line), "%s%s%s: %s",
		    module ? module : "", module ? ": " : "", msg,
		    strerror(saved));
	else
		(void)snprintf(line, sizeof(line), "%s%s%s",
		    module ? module : "", module ? ": " : "", msg);

	if (log_sink != NULL)
		log_sink(level, module, line, log_sink_arg);
	else if (log_to_syslog)
		syslog(level, "%s", line);
	else if (log_journal)
		(void)fprintf(stderr, "<%d>%s\n", level, line);
	else {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		(void)clock_gettime(CLOCK_REALTIME, &ts);
		(void)localtime_r(&ts.tv_sec, &tm);
		(void)strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		(void)fprintf(stderr, "%s.%03ld %s[%s] %s\n", stamp,
		    ts.tv_nsec / 1000000, log_progname, level_names[level],
		    line);
	}
	errno = saved;
}

void
log_emit(int level, const char *module, int with_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(level, module, with_errno, fmt, ap);
	va_end(ap);
}

void
log_fatal(const char *module, int with_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LVL_ERR, module, with_errno, fmt, ap);
	va_end(ap);
	exit(1);
}

int
log_quota_take(struct log_quota *q, uint64_t now_ms)
{
	if (q->start == 0 || now_ms - q->start >= 60000) {
		if (q->dropped > 0)
			log_emit(LOG_LVL_NOTICE, q->module, 0, "%u more %s in "
			    "the last minute (not logged one by one)",
			    q->dropped, q->what);
		q->start = now_ms;
		q->lines = q->dropped = 0;
	}
	if (q->lines >= q->per_minute) {
		q->dropped++;
		return 0;
	}
	q->lines++;
	return 1;
}
