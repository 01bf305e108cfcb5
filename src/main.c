/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/main.c: sipsad, the MS-SIPAE edge proxy and registrar: command line,
 * configuration check (-n), the keytab test against the KDC
 * (--check-keytab), logging set-up, daemonising and the pid file.
 * See doc/sipsad.8.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_MODULE "main"
#include "conf/conf.h"
#include "log/log.h"
#include "src/idmap.h"
#include "src/notify.h"
#include "src/proxy.h"

#define DEFAULT_CONF	SYSCONFDIR "/sipsa/sipsa.conf"
#define SAMPLE_CONF	SYSCONFDIR "/sipsa/sipsa.conf.sample"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: sipsad [-dDnv] [-f file]\n"
	    "       sipsad --check-keytab [-f file]\n");
	exit(1);
}

/* Configuration errors at start-up go to stderr, one per line. */
static void
conf_err_stderr(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

/*
 * Every connection costs a descriptor: take all the hard limit allows
 * (the soft default of 1,024 ran out at about a thousand idle TCP
 * clients), and say how many there are.
 */
static void
raise_nofile(void)
{
	struct rlimit rl;
	rlim_t was;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_warn("getrlimit(RLIMIT_NOFILE)");
		return;
	}
	was = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			log_warn("setrlimit(RLIMIT_NOFILE, %llu)",
			    (unsigned long long)rl.rlim_max);
			rl.rlim_cur = was;
		}
	}
	if (rl.rlim_cur != was)
		log_info("file descriptors: %llu (raised from %llu)",
		    (unsigned long long)rl.rlim_cur,
		    (unsigned long long)was);
	else
		log_info("file descriptors: %llu",
		    (unsigned long long)rl.rlim_cur);
}

/*
 * A configuration file that does not exist means sipsa is not set up
 * yet: make install and the Debian package ship only the sample, and the
 * unit waits for the file (doc/packaging.md).  Says how to set it up, in
 * buf, or returns 0 when the file exists (or fails for another reason).
 */
static int
missing_hint(const char *path, char *buf, size_t len)
{
	struct stat st;

	if (stat(path, &st) == 0 || errno != ENOENT)
		return 0;
	if (access(SAMPLE_CONF, R_OK) == 0)
		(void)snprintf(buf, len, "%s does not exist: sipsa is not set "
		    "up yet; copy %s to it, edit it (sipsa.conf(5)) and check "
		    "it with sipsad -n", path, SAMPLE_CONF);
	else
		(void)snprintf(buf, len, "%s does not exist: sipsa is not set "
		    "up yet; write it (sipsa.conf(5)) and check it with "
		    "sipsad -n", path);
	return 1;
}

/* After the loader's own error, on stderr: -n and --check-keytab. */
static void
print_missing_hint(const char *path)
{
	char msg[PATH_MAX * 2 + 160];

	if (missing_hint(path, msg, sizeof(msg)))
		fprintf(stderr, "sipsad: %s\n", msg);
}

static int
check_config(const char *path, int verbose)
{
	struct sipsa_conf *conf = NULL;
	struct idmap *map = NULL;

	if (conf_load(path, CONF_SECRETS_CHECK_IF_PRESENT, conf_err_stderr,
	    NULL, &conf) != 0) {
		print_missing_hint(path);
		return 1;
	}
	if (security_idmap_load(conf, stderr, &map) != 0) {
		conf_free(conf);
		return 1;
	}
	idmap_free(map);
	if (verbose)
		conf_dump(conf, stdout);
	/* With -v the line is a comment of the configuration printed. */
	if (security_keytab_check(conf, stdout, verbose ? "# " : "", NULL,
	    0) != 0) {
		conf_free(conf);
		return 1;
	}
	printf("configuration OK\n");
	conf_free(conf);
	return 0;
}

/*
 * --check-keytab: does the configured keytab decrypt the ticket the KDC
 * issues for sip/<fqdn> to the caller (kinit first)?  0 yes, 1 no (a
 * stale or wrong keytab, a bad configuration), 2 when it could not be
 * tested (no credentials, no ticket).
 */
static int
check_keytab(const char *path)
{
	struct sipsa_conf *conf = NULL;
	char out[1536];
	int r;

	if (conf_load(path, CONF_SECRETS_CHECK_IF_PRESENT, conf_err_stderr,
	    NULL, &conf) != 0) {
		print_missing_hint(path);
		return 1;
	}
	if (conf->auth.keytab == NULL) {
		fprintf(stderr, "%s: no Kerberos keytab configured (auth { "
		    "kerberos { keytab \"/path\" } })\n", path);
		conf_free(conf);
		return 1;
	}
	r = mech_keytab_probe(conf->auth.keytab, conf->fqdn, out,
	    sizeof(out));
	fprintf(r == MECH_KT_OK ? stdout : stderr, "%s\n", out);
	conf_free(conf);
	return r == MECH_KT_OK ? 0 : r == MECH_KT_UNTESTED ? 2 : 1;
}

/*
 * Detach from the terminal.  The parent waits for nothing: errors after
 * this point go to the log (syslog once detached).
 */
static void
daemonise(void)
{
	int fd;

	switch (fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		_exit(0);
	}
	if (setsid() == -1)
		fatal("setsid");
	switch (fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		_exit(0);
	}
	if (chdir("/") == -1)
		fatal("chdir /");
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			(void)close(fd);
	}
}

static void
write_pidfile(const char *path)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL)
		fatal("pid file %s", path);
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) != 0)
		fatal("pid file %s", path);
}

int
main(int argc, char *argv[])
{
	const char *path = DEFAULT_CONF;
	char abspath[PATH_MAX];
	struct sipsa_conf *conf = NULL;
	struct proxy *px = NULL;
	char *pidfile = NULL;
	int ch, debug = 0, foreground = 0, check = 0, verbose = 0;
	int level, to_syslog, keytab = 0;
	static const struct option longopts[] = {
		{ "check-keytab", no_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};

	while ((ch = getopt_long(argc, argv, "dDf:nv", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'K':
			keytab = 1;
			break;
		case 'd':
			debug = 1;
			foreground = 1;
			break;
		case 'D':
			foreground = 1;
			break;
		case 'f':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init("sipsad", 0, debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (keytab)
		return check_keytab(path);
	if (check)
		return check_config(path, verbose);

	if (realpath(path, abspath) == NULL) {
		char msg[PATH_MAX * 2 + 160];

		if (missing_hint(path, msg, sizeof(msg)))
			fatalx("%s", msg);
		fatal("configuration file %s", path);
	}
	if (conf_load(abspath, CONF_SECRETS_REQUIRE, conf_err_stderr, NULL,
	    &conf) != 0)
		fatalx("%s: configuration not valid, not starting", abspath);

	/* The configuration decides the log target unless -d says debug. */
	level = debug ? LOG_LVL_DEBUG : conf->log.level;
	to_syslog = conf->log.to_syslog;
	if (!foreground && !to_syslog) {
		/* A daemon has no stderr: its log goes to syslog. */
		to_syslog = 1;
	}
	if (conf->log.facility != NULL &&
	    log_setfacility(conf->log.facility) != 0)
		log_warnx("unknown syslog facility %s: using daemon",
		    conf->log.facility);
	log_init("sipsad", to_syslog, level);
	if (conf->pid_file != NULL && (pidfile = strdup(conf->pid_file)) ==
	    NULL)
		fatal("strdup");

	if (!foreground)
		daemonise();
	if (pidfile != NULL)
		write_pidfile(pidfile);

	raise_nofile();
	if (proxy_create(conf, abspath, debug, NULL, &px) != 0) {
		if (pidfile != NULL)
			(void)unlink(pidfile);
		fatalx("not starting");
	}
	log_notice("sipsad %s started (pid %ld)", PACKAGE_VERSION,
	    (long)getpid());
	if (notify_ready(px) != 0) {
		proxy_destroy(px);
		fatalx("not starting");
	}
	(void)proxy_run(px);
	proxy_destroy(px);
	if (pidfile != NULL)
		(void)unlink(pidfile);
	free(pidfile);
	log_notice("sipsad stopped");
	return 0;
}
