/* SPDX-License-Identifier: BSD-2-Clause */
/* log/log.h: the logging facade every sipsa module writes through. */
#ifndef SIPSA_LOG_H
#define SIPSA_LOG_H

#include <stdarg.h>
#include <stdint.h>

/*
 * Levels, most severe first.  A message is emitted when its level is at or
 * below the configured one.  The numbers match syslog(3) priorities.
 */
enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARN = 4,
	LOG_LVL_NOTICE = 5,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

/*
 * Each .c file may define LOG_MODULE ("sa", "conf", ...) before including
 * this header; every line it logs is then prefixed with that name.
 */
#ifndef LOG_MODULE
#define LOG_MODULE NULL
#endif

/* Send output to stderr (to_syslog == 0) or syslog under progname. */
void	log_init(const char *progname, int to_syslog, int level);
void	log_setlevel(int level);
/*
 * Syslog facility used by the next log_init() with to_syslog set: a name
 * ("daemon", "auth", "local0" .. "local7", ...).  Returns 0, or -1 when
 * the name is unknown (the facility is then unchanged).
 */
int	log_setfacility(const char *name);
int	log_getlevel(void);
/* Parse "err|warn|notice|info|debug"; returns -1 when unknown. */
int	log_level_parse(const char *name);
const char *log_level_name(int level);

/*
 * Test hook: when set, every line goes to fn instead of stderr/syslog.
 * Pass NULL to restore.
 */
typedef void log_sink_fn(int level, const char *module, const char *line,
    void *arg);
void	log_set_sink(log_sink_fn *fn, void *arg);

void	log_emit(int level, const char *module, int with_errno,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	log_vemit(int level, const char *module, int with_errno,
	    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
void	log_fatal(const char *module, int with_errno, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4), noreturn));

/*
 * A budget of lines per minute for one kind of event a peer can repeat
 * at will (refused connections, blocks, looping clients).
 * log_quota_take() says whether one more line may go out at now_ms (any
 * millisecond clock); at the first call in a new minute, the lines held
 * back in the one before are reported in one notice ("N more WHAT in the
 * last minute (not logged one by one)").  Initialise per_minute, module
 * and what, the rest to zero.
 */
struct log_quota {
	unsigned	 per_minute;
	const char	*module;	/* of the notice, as LOG_MODULE */
	const char	*what;
	uint64_t	 start;		/* ms, the minute's start */
	unsigned	 lines, dropped;
};
int	log_quota_take(struct log_quota *, uint64_t now_ms);

/* log_warn and fatal append strerror(errno); the x variants do not. */
#define log_warn(...)	log_emit(LOG_LVL_WARN, LOG_MODULE, 1, __VA_ARGS__)
#define log_warnx(...)	log_emit(LOG_LVL_WARN, LOG_MODULE, 0, __VA_ARGS__)
#define log_err(...)	log_emit(LOG_LVL_ERR, LOG_MODULE, 0, __VA_ARGS__)
#define log_notice(...)	log_emit(LOG_LVL_NOTICE, LOG_MODULE, 0, __VA_ARGS__)
#define log_info(...)	log_emit(LOG_LVL_INFO, LOG_MODULE, 0, __VA_ARGS__)
#define log_debug(...)	log_emit(LOG_LVL_DEBUG, LOG_MODULE, 0, __VA_ARGS__)
#define fatal(...)	log_fatal(LOG_MODULE, 1, __VA_ARGS__)
#define fatalx(...)	log_fatal(LOG_MODULE, 0, __VA_ARGS__)

#endif /* SIPSA_LOG_H */
