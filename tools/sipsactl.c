/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/sipsactl.c: sipsactl, the command-line client of sipsad's control
 * socket (src/control.h): it checks the command (src/ctlproto.h), sends
 * it as one line, reads the one JSON answer and prints it as text, or as
 * it is with --json.  See doc/sipsactl.8.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "conf/conf.h"
#include "log/log.h"
#include "src/ctlproto.h"

#define DEFAULT_CONF	SYSCONFDIR "/sipsa/sipsa.conf"

/* Exit codes (doc/sipsactl.8). */
#define EX_OK		0
#define EX_ANSWER	1	/* sipsad answered with an error */
#define EX_USAGE	2	/* bad option, command or argument */
#define EX_NOANSWER	3	/* no socket, no connection, no answer */

/* The whole exchange, and the largest answer read. */
#define TIMEOUT_MS	30000
#define ANSWER_MAX	(64 * 1024 * 1024)

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("sipsactl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void __attribute__((noreturn))
usage(void)
{
	const char *u = ctl_usage(), *nl;

	fprintf(stderr, "usage: sipsactl [-s socket | -f file] [--json] "
	    "command [argument ...]\ncommands:\n");
	for (; (nl = strchr(u, '\n')) != NULL; u = nl + 1)
		fprintf(stderr, "    %.*s\n", (int)(nl - u), u);
	exit(EX_USAGE);
}

static void
conf_err_stderr(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

/* The socket the configuration file names (the daemon's own default). */
static char *
socket_from_conf(const char *path)
{
	struct sipsa_conf *conf = NULL;
	char *s;

	if (conf_load(path, CONF_SECRETS_NONE, conf_err_stderr, NULL,
	    &conf) != 0)
		die(EX_NOANSWER, "cannot read the configuration %s (or give "
		    "the socket with -s)", path);
	if (conf->control.socket == NULL)
		die(EX_NOANSWER, "%s: the control socket is off (control { "
		    "socket none })", path);
	if ((s = strdup(conf->control.socket)) == NULL)
		die(EX_NOANSWER, "out of memory");
	conf_free(conf);
	return s;
}

/* The command's words as one request line, checked as sipsad would. */
static char *
request_line(int argc, char **argv)
{
	struct ctl_req rq;
	char err[256], *line, *copy;
	size_t len = 0;
	int i;

	for (i = 0; i < argc; i++) {
		if (argv[i][0] == '\0' || strpbrk(argv[i], " \t\r\n") != NULL)
			die(EX_USAGE, "argument \"%s\": empty, or with a blank "
			    "or a line break", argv[i]);
		len += strlen(argv[i]) + 1;
	}
	if (len + 1 > CTL_LINE_MAX)
		die(EX_USAGE, "the command is longer than %d bytes",
		    CTL_LINE_MAX - 1);
	if ((line = calloc(1, len + 2)) == NULL ||
	    (copy = calloc(1, len + 2)) == NULL)
		die(EX_NOANSWER, "out of memory");
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strcat(line, " ");
		strcat(line, argv[i]);
	}
	memcpy(copy, line, len + 1);
	if (ctl_parse(copy, &rq, err, sizeof(err)) != 0) {
		fprintf(stderr, "sipsactl: %s\n", err);
		usage();
	}
	free(copy);
	strcat(line, "\n");
	return line;
}

/* Wait for fd to be ready for events; the time left shrinks. */
static void
wait_fd(int fd, short events, int *left_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	struct timespec a, b;
	int r;

	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		r = poll(&p, 1, *left_ms);
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		die(EX_NOANSWER, "no answer within %d s", TIMEOUT_MS / 1000);
	if (r < 0)
		die(EX_NOANSWER, "poll: %s", strerror(errno));
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	*left_ms -= (int)((b.tv_sec - a.tv_sec) * 1000 +
	    (b.tv_nsec - a.tv_nsec) / 1000000);
	if (*left_ms < 0)
		*left_ms = 0;
}

/* Connect to the socket at path and send line: the descriptor. */
static int
connect_send(const char *path, const char *line, int *left)
{
	struct sockaddr_un sun;
	size_t off = 0, len = strlen(line);
	ssize_t r;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		die(EX_NOANSWER, "%s: path too long for a socket", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		die(EX_NOANSWER, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		die(EX_NOANSWER, "%s: %s (is sipsad running?)", path,
		    strerror(errno));
	while (off < len) {
		wait_fd(fd, POLLOUT, left);
		r = send(fd, line + off, len - off, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die(EX_NOANSWER, "%s: send: %s", path, strerror(errno));
		off += (size_t)r;
	}
	return fd;
}

/* Bytes from fd into buf (0: the end); an error ends sipsactl. */
static ssize_t
recv_some(int fd, char *buf, size_t len, const char *path)
{
	ssize_t r;

	while ((r = recv(fd, buf, len, 0)) < 0 && errno == EINTR)
		;
	if (r < 0)
		die(EX_NOANSWER, "%s: recv: %s", path, strerror(errno));
	return r;
}

/* Send line to the socket at path; the answer, NUL-terminated. */
static char *
exchange(const char *path, const char *line)
{
	size_t cap = 0, n = 0;
	char *buf = NULL, *p;
	ssize_t r;
	int left = TIMEOUT_MS, fd = connect_send(path, line, &left);

	for (;;) {
		if (n + 4096 + 1 > cap) {
			if (cap >= ANSWER_MAX)
				die(EX_NOANSWER, "answer larger than %d bytes",
				    ANSWER_MAX);
			cap = cap == 0 ? 65536 : cap * 2;
			if ((p = realloc(buf, cap)) == NULL)
				die(EX_NOANSWER, "out of memory");
			buf = p;
		}
		wait_fd(fd, POLLIN, &left);
		if ((r = recv_some(fd, buf + n, cap - n - 1, path)) == 0)
			break;
		n += (size_t)r;
	}
	(void)close(fd);
	if (n == 0)
		die(EX_NOANSWER, "%s: closed without an answer", path);
	buf[n] = '\0';
	return buf;
}

/* ---- text output ---- */

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

static long long
num(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* 3725 as "1h02m05s"; under a minute "42s". */
static const char *
dur(long long s, char *buf, size_t len)
{
	if (s >= 86400)
		(void)snprintf(buf, len, "%lldd%02lldh%02lldm", s / 86400,
		    s % 86400 / 3600, s % 3600 / 60);
	else if (s >= 3600)
		(void)snprintf(buf, len, "%lldh%02lldm%02llds", s / 3600,
		    s % 3600 / 60, s % 60);
	else if (s >= 60)
		(void)snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else
		(void)snprintf(buf, len, "%llds", s);
	return buf;
}

static void
print_status(const json_t *j)
{
	const json_t *sa = json_object_get(j, "sa"), *b, *h, *l, *ho, *est;
	char d[32];
	size_t i;

	printf("sipsad %s, pid %lld, up %s\n", str(j, "version"),
	    num(j, "pid"), dur(num(j, "uptime_seconds"), d, sizeof(d)));
	printf("configuration  %s\n", str(j, "config"));
	printf("log level      %s\n", str(j, "log_level"));
	l = json_object_get(j, "listeners");
	for (i = 0; i < json_array_size(l); i++) {
		const json_t *e = json_array_get(l, i);

		printf("%s %s %s:%lld %s\n", i == 0 ? "listeners     " :
		    "              ", str(e, "transport"), str(e, "address"),
		    num(e, "port"), str(e, "role"));
	}
	ho = json_object_get(sa, "half_open");
	est = json_object_get(sa, "established");
	printf("SAs            established %lld (NTLM %lld, Kerberos %lld), "
	    "half-open %lld (NTLM %lld, Kerberos %lld)\n",
	    num(est, "NTLM") + num(est, "Kerberos"), num(est, "NTLM"),
	    num(est, "Kerberos"), num(ho, "NTLM") + num(ho, "Kerberos"),
	    num(ho, "NTLM"), num(ho, "Kerberos"));
	b = json_object_get(j, "bindings");
	if (json_object_get(b, "error") != NULL)
		printf("bindings       %s\n", str(b, "error"));
	else
		printf("bindings       %lld (%lld AOR%s)\n",
		    num(b, "bindings"), num(b, "aors"),
		    num(b, "aors") == 1 ? "" : "s");
	printf("connections    %lld\n", num(j, "connections"));
	h = json_object_get(j, "handshakes");
	printf("handshakes     %.2f/s, failures %.2f/s (last %lld s; %lld "
	    "completed, %lld failed since the start)\n",
	    json_number_value(json_object_get(h, "per_second")),
	    json_number_value(json_object_get(h, "failures_per_second")),
	    num(h, "window_seconds"), num(h, "completed"), num(h, "failed"));
}

static void
print_sas(const json_t *j)
{
	const json_t *l = json_object_get(j, "sas");
	char a[32], b[32], c[32];
	size_t i;

	printf("%-8s %-11s %-8s %-24s %-28s %-12s %3s %9s %9s %9s\n",
	    "OPAQUE", "STATE", "SCHEME", "USER", "AOR", "EPID", "VER", "AGE",
	    "IDLE", "EXPIRES");
	for (i = 0; i < json_array_size(l); i++) {
		const json_t *e = json_array_get(l, i);

		printf("%-8s %-11s %-8s %-24s %-28s %-12s %3lld %9s %9s %9s\n",
		    str(e, "opaque"), str(e, "state"), str(e, "scheme"),
		    str(e, "user"), json_is_string(json_object_get(e,
		    "aor")) ? str(e, "aor") : str(e, "peer"), str(e, "epid"),
		    num(e, "version"), dur(num(e, "age_seconds"), a,
		    sizeof(a)), dur(num(e, "idle_seconds"), b, sizeof(b)),
		    dur(num(e, "expires_in_seconds"), c, sizeof(c)));
	}
	if (json_is_true(json_object_get(j, "truncated")))
		printf("(more not shown)\n");
}

static void
print_bindings(const json_t *j)
{
	const json_t *l = json_object_get(j, "bindings");
	char a[32];
	size_t i;

	printf("%-28s %-12s %-26s %9s  %s\n", "AOR", "EPID", "TRANSPORT",
	    "EXPIRES", "CONTACT");
	for (i = 0; i < json_array_size(l); i++) {
		const json_t *e = json_array_get(l, i);

		printf("%-28s %-12s %-26s %9s  %s\n", str(e, "aor"),
		    str(e, "epid")[0] != '\0' ? str(e, "epid") : "-",
		    str(e, "transport"), dur(num(e, "expires_in_seconds"), a,
		    sizeof(a)), str(e, "contact"));
	}
	if (json_is_true(json_object_get(j, "truncated")))
		printf("(more not shown)\n");
}

/* The strings of an array, blank-separated. */
static void
print_words(const json_t *a)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++)
		printf("%s%s", i > 0 ? " " : "",
		    json_string_value(json_array_get(a, i)));
}

/* " (a b c)" when the array has strings, else nothing. */
static void
print_paren_words(const json_t *a)
{
	if (json_array_size(a) == 0)
		return;
	printf(" (");
	print_words(a);
	printf(")");
}

static void
print_text(const struct ctl_req *rq, const json_t *j)
{
	long long n;

	switch (rq->cmd) {
	case CTL_STATUS:
		print_status(j);
		break;
	case CTL_SA_LIST:
		print_sas(j);
		break;
	case CTL_BINDING_LIST:
		print_bindings(j);
		break;
	case CTL_SA_DROP:
		n = num(j, "dropped");
		printf("%lld SA%s ended: ", n, n == 1 ? "" : "s");
		print_words(json_object_get(j, "opaques"));
		printf("\n");
		break;
	case CTL_BINDING_DROP:
		n = num(j, "removed");
		printf("%lld binding%s of %s removed\n", n, n == 1 ? "" : "s",
		    str(j, "aor"));
		break;
	case CTL_KICK:
		printf("%s: %zu SA%s ended", str(j, "user"),
		    json_array_size(json_object_get(j, "opaques")),
		    json_array_size(json_object_get(j, "opaques")) == 1 ? "" :
		    "s");
		print_paren_words(json_object_get(j, "opaques"));
		n = num(j, "bindings_removed");
		printf(", %lld binding%s removed", n, n == 1 ? "" : "s");
		print_paren_words(json_object_get(j, "aors"));
		n = num(j, "connections_closed");
		printf(", %lld connection%s closed\n", n, n == 1 ? "" : "s");
		break;
	case CTL_RELOAD:
		printf("configuration %s reloaded\n", str(j, "config"));
		break;
	case CTL_LOG_LEVEL:
		printf("log level %s -> %s\n", str(j, "was"), str(j, "level"));
		break;
	case CTL_KEYTAB_CHECK:
		printf("%s\n", str(j, "result"));
		if (json_is_string(json_object_get(j, "warning")))
			printf("warning: %s\n", str(j, "warning"));
		break;
	case CTL_TRACE:
	case CTL_TRACE_PEER:
		break;		/* a stream: trace() */
	}
}

/* One traced message as text: a header line, then the message. */
static void
print_traced(const json_t *j)
{
	const char *m = str(j, "message");

	if (json_is_integer(json_object_get(j, "dropped"))) {
		printf("--- %lld message(s) dropped: sipsactl did not read "
		    "fast enough\n", num(j, "dropped"));
		return;
	}
	printf("--- %s %s %s %s%s%s\n", str(j, "time"),
	    strcmp(str(j, "dir"), "in") == 0 ? "<<< from" : ">>> to",
	    str(j, "peer"), str(j, "transport"),
	    json_is_string(json_object_get(j, "user")) ? " user=" : "",
	    json_is_string(json_object_get(j, "user")) ? str(j, "user") : "");
	fputs(m, stdout);
	if (*m != '\0' && m[strlen(m) - 1] != '\n')
		fputc('\n', stdout);
}

/*
 * trace: the first line answers the request, then one line a message,
 * until sipsad goes away or the user stops sipsactl (Ctrl-C).
 */
static int
trace(const char *path, const char *line, int json)
{
	int left = TIMEOUT_MS, fd = connect_send(path, line, &left), first = 1;
	char buf[65536], *acc = NULL, *nl, *p;
	size_t n = 0, cap = 0;
	json_error_t jerr;
	json_t *j;
	ssize_t r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		if ((r = recv_some(fd, buf, sizeof(buf), path)) == 0)
			break;
		if (n + (size_t)r + 1 > cap) {
			cap = (n + (size_t)r + 1) * 2;
			if (cap > ANSWER_MAX || (p = realloc(acc, cap)) == NULL)
				die(EX_NOANSWER, "a traced message too long");
			acc = p;
		}
		memcpy(acc + n, buf, (size_t)r);
		n += (size_t)r;
		acc[n] = '\0';
		while ((nl = memchr(acc, '\n', n)) != NULL) {
			*nl = '\0';
			if ((j = json_loads(acc, 0, &jerr)) == NULL)
				die(EX_NOANSWER, "%s: not JSON: %s", path,
				    jerr.text);
			if (first && json_is_string(json_object_get(j,
			    "error"))) {
				fprintf(stderr, "sipsactl: %s\n",
				    str(j, "error"));
				json_decref(j);
				free(acc);
				(void)close(fd);
				return EX_ANSWER;
			}
			if (json)
				printf("%s\n", acc);
			else if (first)
				fprintf(stderr, "sipsactl: tracing %s %s; "
				    "Ctrl-C to stop\n", str(j, "trace"),
				    str(j, "who"));
			else
				print_traced(j);
			json_decref(j);
			first = 0;
			n -= (size_t)(nl + 1 - acc);
			memmove(acc, nl + 1, n + 1);
		}
	}
	(void)close(fd);
	free(acc);
	if (first)
		die(EX_NOANSWER, "%s: closed without an answer", path);
	fprintf(stderr, "sipsactl: sipsad ended the trace\n");
	return EX_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL, *sock = NULL;
	struct ctl_req rq;
	json_error_t jerr;
	json_t *j;
	char *line, *copy, *ans, err[256], *path;
	int ch, json = 0, rc = EX_OK;

	/* "+": options end at the command, whose words may begin with -. */
	while ((ch = getopt_long(argc, argv, "+f:hjs:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'f':
			conf = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 's':
			sock = optarg;
			break;
		case 'h':
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	if (conf != NULL && sock != NULL)
		die(EX_USAGE, "-s and -f: give one of them");
	/* Configuration warnings are sipsad's business, not ours. */
	log_init("sipsactl", 0, LOG_LVL_ERR);
	line = request_line(argc, argv);
	path = sock != NULL ? strdup(sock) : socket_from_conf(conf != NULL ?
	    conf : DEFAULT_CONF);
	if (path == NULL)
		die(EX_NOANSWER, "out of memory");
	/* The line parses: request_line() checked it. */
	if ((copy = strdup(line)) == NULL)
		die(EX_NOANSWER, "out of memory");
	copy[strcspn(copy, "\n")] = '\0';
	(void)ctl_parse(copy, &rq, err, sizeof(err));
	if (rq.cmd == CTL_TRACE || rq.cmd == CTL_TRACE_PEER) {
		rc = trace(path, line, json);
		goto out;
	}
	ans = exchange(path, line);
	if ((j = json_loads(ans, 0, &jerr)) == NULL || !json_is_object(j))
		die(EX_NOANSWER, "%s: an answer that is not a JSON object: %s",
		    path, j == NULL ? jerr.text : "another JSON value");
	if (json) {
		fputs(ans, stdout);
		if (ans[strlen(ans) - 1] != '\n')
			fputc('\n', stdout);
	}
	if (json_is_string(json_object_get(j, "error"))) {
		if (!json)
			fprintf(stderr, "sipsactl: %s\n", str(j, "error"));
		rc = EX_ANSWER;
	} else if (!json)
		print_text(&rq, j);
	json_decref(j);
	free(ans);
 out:
	free(copy);
	free(path);
	free(line);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EX_NOANSWER, "standard output: %s", strerror(errno));
	return rc;
}
