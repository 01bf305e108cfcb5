/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf/directives.c: the schema of sipsa.conf.  One table names every
 * directive with its block, type, bounds, default and validator; the same
 * table drives parsing, defaults, conf_dump() and the man page check.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_int.h"
#include "log/log.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

#define OFF(f)	offsetof(struct sipsa_conf, f)
#define LOFF(f)	offsetof(struct conf_listen, f)

static const char *const access_names[] = { "deny", "allow", NULL };
static const int access_values[] = { 0, 1 };
static const char *const role_names[] = { "registrar", "proxy", NULL };
static const int role_values[] = { CONF_ROLE_REGISTRAR, CONF_ROLE_PROXY };
static const char *const sync_names[] = { "full", "meta", "none", NULL };
static const int sync_values[] = { CONF_SYNC_FULL, CONF_SYNC_META,
    CONF_SYNC_NONE };
static const char *const target_names[] = { "stderr", "syslog", NULL };
static const int target_values[] = { 0, 1 };
static const char *const level_names[] = { "err", "warn", "notice", "info",
    "debug", NULL };
static const int level_values[] = { LOG_LVL_ERR, LOG_LVL_WARN,
    LOG_LVL_NOTICE, LOG_LVL_INFO, LOG_LVL_DEBUG };

static const char *const facilities[] = { "auth", "authpriv", "daemon",
    "user", "local0", "local1", "local2", "local3", "local4", "local5",
    "local6", "local7", NULL };

/* Host name syntax (RFC 1123): letters, digits, hyphens, dots. */
static int
check_hostname(struct conf_ctx *ctx, const struct conf_directive *d,
    const struct conf_tok *tok)
{
	const char *s = tok->text;
	size_t len = strlen(s), label = 0;

	if (len == 0 || len > 253 || s[0] == '.' || s[len - 1] == '.')
		goto bad;
	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (label == 0)
				goto bad;
			label = 0;
		} else if (isalnum((unsigned char)*s) || *s == '-') {
			if (++label > 63)
				goto bad;
		} else
			goto bad;
	}
	return 0;
 bad:
	conf_error(ctx, &tok->pos, "%s: \"%s\" is not a host name", d->name,
	    tok->text);
	return -1;
}

static int
check_netbios(struct conf_ctx *ctx, const struct conf_directive *d,
    const struct conf_tok *tok)
{
	const char *s;

	for (s = tok->text; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			break;
	if (*s != '\0' || strlen(tok->text) > 15) {
		conf_error(ctx, &tok->pos, "%s: \"%s\" is not a NetBIOS name "
		    "(1 to 15 letters, digits, '-' or '_')", d->name,
		    tok->text);
		return -1;
	}
	return 0;
}

/* The realm goes into a quoted header parameter. */
static int
check_realm(struct conf_ctx *ctx, const struct conf_directive *d,
    const struct conf_tok *tok)
{
	const char *s;

	for (s = tok->text; *s != '\0'; s++)
		if (*s == '"' || *s == '\\' || iscntrl((unsigned char)*s)) {
			conf_error(ctx, &tok->pos, "%s: must not contain "
			    "quotes, backslashes or control characters",
			    d->name);
			return -1;
		}
	return 0;
}

static int
check_facility(struct conf_ctx *ctx, const struct conf_directive *d,
    const struct conf_tok *tok)
{
	int i;

	for (i = 0; facilities[i] != NULL; i++)
		if (strcmp(facilities[i], tok->text) == 0)
			return 0;
	conf_error(ctx, &tok->pos, "%s: unknown syslog facility \"%s\" "
	    "(auth, authpriv, daemon, user, local0 .. local7)", d->name,
	    tok->text);
	return -1;
}

/*
 * A group name as groupadd(8) takes it: letters, digits, '.', '_', '-'
 * (and a trailing '$'); that the group exists is checked at start
 * (src/control.c), where it is used.
 */
static int
check_group(struct conf_ctx *ctx, const struct conf_directive *d,
    const struct conf_tok *tok)
{
	const char *s;

	for (s = tok->text; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' &&
		    *s != '-' && !(*s == '$' && s[1] == '\0'))
			break;
	if (*s != '\0' || tok->text[0] == '-' || strlen(tok->text) > 32) {
		conf_error(ctx, &tok->pos, "%s: \"%s\" is not a group name",
		    d->name, tok->text);
		return -1;
	}
	return 0;
}

/* Handlers of the statements that are more than one value (apply.c). */
conf_handler_fn conf_h_listen, conf_h_schemes, conf_h_rcache, conf_h_users,
    conf_h_trusted_realm, conf_h_domain, conf_h_home, conf_h_home_default,
    conf_h_route, conf_h_dir_uri, conf_h_dir_attrs, conf_h_access,
    conf_h_metrics_listen, conf_h_control_socket, conf_h_control_mode;

/*
 * Table entries: V is one plain value (string, path, number, duration,
 * percentage), E a word from a list, B a block, C a statement with its own
 * handler in apply.c.  def is the default as it would be written in the
 * file; NULL means no default or one derived from other values.
 */
#define V(b, n, t, o, lo, hi, dflt, fl, chk) \
	{ .block = (b), .name = (n), .type = (t), .off = (o), .min = (lo), \
	  .max = (hi), .def = (dflt), .flags = (fl), .check = (chk) }
#define E(b, n, o, nm, vals, dflt) \
	{ .block = (b), .name = (n), .type = CONF_T_ENUM, .off = (o), \
	  .names = (nm), .values = (vals), .def = (dflt) }
#define B(b, n, c) \
	{ .block = (b), .name = (n), .type = CONF_T_BLOCK, .child = (c) }
#define C(b, n, h, fl, dflt) \
	{ .block = (b), .name = (n), .type = CONF_T_CUSTOM, .handler = (h), \
	  .flags = (fl), .def = (dflt) }

#define STR	CONF_T_STRING
#define PATH	CONF_T_PATH
#define UINT	CONF_T_UINT
#define DUR	CONF_T_DURATION
#define PCT	CONF_T_PERCENT
#define SECRET	CONF_F_SECRET
#define REPEAT	CONF_F_REPEAT

const struct conf_directive conf_directives[] = {
	C(CONF_B_ANY, "include", NULL, REPEAT, NULL),
	B(CONF_B_TOP, "server", CONF_B_SERVER),
	V(CONF_B_SERVER, "fqdn", STR, OFF(fqdn), 0, 0, NULL, 0,
	    check_hostname),
	V(CONF_B_SERVER, "state-dir", PATH, OFF(state_dir), 0, 0,
	    LOCALSTATEDIR "/lib/sipsa", 0, NULL),
	V(CONF_B_SERVER, "pid-file", PATH, OFF(pid_file), 0, 0, NULL, 0, NULL),
	{ .block = CONF_B_TOP, .name = "listen", .type = CONF_T_CUSTOM,
	  .handler = conf_h_listen, .flags = REPEAT | CONF_F_BLOCKOK,
	  .child = CONF_B_LISTEN },
	E(CONF_B_LISTEN, "role", LOFF(role), role_names, role_values,
	    "registrar"),
	V(CONF_B_LISTEN, "certificate", PATH, LOFF(tls_cert), 0, 0, NULL, 0,
	    NULL),
	{ .block = CONF_B_LISTEN, .name = "key", .type = PATH,
	  .off = LOFF(tls_key), .flags = SECRET, .what = "TLS key" },
	C(CONF_B_LISTEN, "schemes", conf_h_schemes, 0, NULL),
	C(CONF_B_LISTEN, "allow", conf_h_access, REPEAT, NULL),
	C(CONF_B_LISTEN, "deny", conf_h_access, REPEAT, NULL),
	B(CONF_B_TOP, "auth", CONF_B_AUTH),
	C(CONF_B_AUTH, "schemes", conf_h_schemes, 0, "kerberos ntlm"),
	V(CONF_B_AUTH, "realm", STR, OFF(auth.realm), 0, 0,
	    "SIP Communications Service", 0, check_realm),
	V(CONF_B_AUTH, "version", UINT, OFF(auth.version), 2, 4, "4", 0, NULL),
	V(CONF_B_AUTH, "identity-map", PATH, OFF(auth.identity_map), 0, 0,
	    NULL, 0, NULL),
	B(CONF_B_AUTH, "kerberos", CONF_B_KERBEROS),
	{ .block = CONF_B_KERBEROS, .name = "keytab", .type = PATH,
	  .off = OFF(auth.keytab), .flags = SECRET, .what = "keytab" },
	C(CONF_B_KERBEROS, "replay-cache", conf_h_rcache, 0, NULL),
	C(CONF_B_KERBEROS, "trusted-realm", conf_h_trusted_realm, REPEAT,
	    NULL),
	B(CONF_B_AUTH, "ntlm", CONF_B_NTLM),
	{ .block = CONF_B_NTLM, .name = "users", .type = CONF_T_CUSTOM,
	  .handler = conf_h_users, .flags = SECRET,
	  .what = "NTLM users file" },
	V(CONF_B_NTLM, "netbios-domain", STR, OFF(auth.netbios_domain), 0, 0,
	    NULL, 0, check_netbios),
	V(CONF_B_NTLM, "netbios-computer", STR, OFF(auth.netbios_computer),
	    0, 0, NULL, 0, check_netbios),
	V(CONF_B_NTLM, "winbind-threads", UINT, OFF(auth.winbind_threads), 1,
	    64, "4", 0, NULL),
	V(CONF_B_NTLM, "winbind-queue", UINT, OFF(auth.winbind_queue), 1,
	    100000, "256", 0, NULL),
	B(CONF_B_TOP, "sa", CONF_B_SA),
	V(CONF_B_SA, "lifetime", DUR, OFF(sa.lifetime), 1, 28800, "8h", 0,
	    NULL),
	V(CONF_B_SA, "idle-timeout", DUR, OFF(sa.idle_timeout), 1, 28800,
	    "15m", 0, NULL),
	V(CONF_B_SA, "half-open-max", UINT, OFF(sa.max_half_open), 1,
	    10000000, "10000", 0, NULL),
	V(CONF_B_SA, "half-open-per-source", UINT,
	    OFF(sa.max_half_open_per_source), 1, 10000000, "64", 0, NULL),
	V(CONF_B_SA, "max", UINT, OFF(sa.max_established), 0, UINT_MAX, "0",
	    0, NULL),
	V(CONF_B_SA, "tombstone-time", DUR, OFF(sa.tombstone_time), 1, 86400,
	    "1h", 0, NULL),
	V(CONF_B_SA, "tombstone-max", UINT, OFF(sa.tombstone_max), 1, 1000000,
	    "100000", 0, NULL),
	B(CONF_B_TOP, "guard", CONF_B_GUARD),
	V(CONF_B_GUARD, "user-failures", UINT, OFF(guard.user_failures), 1,
	    1000, "4", 0, NULL),
	V(CONF_B_GUARD, "source-failures", UINT, OFF(guard.source_failures),
	    1, 1000000, "20", 0, NULL),
	V(CONF_B_GUARD, "window", DUR, OFF(guard.window), 1, 86400, "15m", 0,
	    NULL),
	V(CONF_B_GUARD, "block-time", DUR, OFF(guard.block_min), 1, 86400,
	    "1m", 0, NULL),
	V(CONF_B_GUARD, "block-max", DUR, OFF(guard.block_max), 1, 604800,
	    "1h", 0, NULL),
	V(CONF_B_GUARD, "handshake-rate", UINT, OFF(guard.handshake_rate), 0,
	    1000000, "100", 0, NULL),
	V(CONF_B_GUARD, "trust-time", DUR, OFF(guard.trust_time), 1, 2592000,
	    "7d", 0, NULL),
	V(CONF_B_GUARD, "entries", UINT, OFF(guard.entries), 64, 16777216,
	    "16384", 0, NULL),
	B(CONF_B_TOP, "connections", CONF_B_CONN),
	V(CONF_B_CONN, "idle-close", DUR, OFF(conn.idle_timeout), 1,
	    86400, "10m", 0, NULL),
	V(CONF_B_CONN, "message-timeout", DUR, OFF(conn.message_timeout), 1,
	    3600, "30s", 0, NULL),
	V(CONF_B_CONN, "udp-answers", UINT, OFF(conn.udp_answers), 0,
	    10000000, "65536", 0, NULL),
	V(CONF_B_CONN, "total", UINT, OFF(conn.total), 1, 10000000, "50000",
	    0, NULL),
	V(CONF_B_CONN, "per-source", UINT, OFF(conn.per_source), 1,
	    10000000, "1000", 0, NULL),
	V(CONF_B_CONN, "unauth-close", DUR, OFF(conn.unauth_close), 1, 3600,
	    "30s", 0, NULL),
	V(CONF_B_CONN, "output-queue", UINT, OFF(conn.output_queue), 2, 1000,
	    "64", 0, NULL),
	V(CONF_B_CONN, "socket-buffer", UINT, OFF(conn.socket_buffer), 4096,
	    131072, "65536", 0, NULL),
	B(CONF_B_TOP, "registrar", CONF_B_REGISTRAR),
	C(CONF_B_REGISTRAR, "domain", conf_h_domain, REPEAT, NULL),
	V(CONF_B_REGISTRAR, "expires-min", DUR, OFF(registrar.expires_min),
	    1, 31536000, "300", 0, NULL),
	V(CONF_B_REGISTRAR, "expires-default", DUR,
	    OFF(registrar.expires_default), 1, 31536000, "3600", 0, NULL),
	V(CONF_B_REGISTRAR, "expires-max", DUR, OFF(registrar.expires_max),
	    1, 31536000, "7200", 0, NULL),
	V(CONF_B_REGISTRAR, "endpoints-per-user", UINT,
	    OFF(registrar.max_endpoints), 1, 1000, "8", 0, NULL),
	V(CONF_B_REGISTRAR, "expires-jitter", PCT,
	    OFF(registrar.expires_jitter), 0, 50, "10%", 0, NULL),
	V(CONF_B_REGISTRAR, "refresh-durable", PCT,
	    OFF(registrar.refresh_durable), 1, 100, "50%", 0, NULL),
	V(CONF_B_REGISTRAR, "store", PATH, OFF(registrar.store), 0, 0, NULL,
	    0, NULL),
	E(CONF_B_REGISTRAR, "sync", OFF(registrar.sync), sync_names,
	    sync_values, "full"),
	B(CONF_B_TOP, "home", CONF_B_HOME),
	C(CONF_B_HOME, "user", conf_h_home, REPEAT, NULL),
	C(CONF_B_HOME, "domain", conf_h_home, REPEAT, NULL),
	C(CONF_B_HOME, "pattern", conf_h_home, REPEAT, NULL),
	C(CONF_B_HOME, "default", conf_h_home_default, 0, "local"),
	C(CONF_B_TOP, "route", conf_h_route, REPEAT, NULL),
	B(CONF_B_TOP, "directory", CONF_B_DIRECTORY),
	C(CONF_B_DIRECTORY, "uri", conf_h_dir_uri, REPEAT, NULL),
	V(CONF_B_DIRECTORY, "srv", STR, OFF(dir.srv), 0, 0, NULL, 0,
	    check_hostname),
	V(CONF_B_DIRECTORY, "base", STR, OFF(dir.base), 0, 0, NULL, 0, NULL),
	V(CONF_B_DIRECTORY, "principal", STR, OFF(dir.principal), 0, 0, NULL,
	    0, NULL),
	{ .block = CONF_B_DIRECTORY, .name = "keytab", .type = PATH,
	  .off = OFF(dir.keytab), .flags = SECRET,
	  .what = "directory keytab" },
	V(CONF_B_DIRECTORY, "ntlm-domain", STR, OFF(dir.ntlm_domain), 0, 0,
	    NULL, 0, check_netbios),
	V(CONF_B_DIRECTORY, "kerberos-realm", STR, OFF(dir.krb5_realm), 0, 0,
	    NULL, 0, NULL),
	C(CONF_B_DIRECTORY, "attributes", conf_h_dir_attrs, 0, NULL),
	V(CONF_B_DIRECTORY, "cache-ttl", DUR, OFF(dir.cache_ttl), 1, 86400,
	    "5m", 0, NULL),
	V(CONF_B_DIRECTORY, "negative-ttl", DUR, OFF(dir.negative_ttl), 1,
	    86400, "1m", 0, NULL),
	V(CONF_B_DIRECTORY, "timeout", DUR, OFF(dir.timeout), 1, 300, "5s",
	    0, NULL),
	V(CONF_B_DIRECTORY, "queue", UINT, OFF(dir.queue), 1, 100000, "256",
	    0, NULL),
	V(CONF_B_DIRECTORY, "cache-entries", UINT, OFF(dir.cache_entries),
	    16, 10000000, "65536", 0, NULL),
	B(CONF_B_TOP, "access", CONF_B_ACCESS),
	C(CONF_B_ACCESS, "allow", conf_h_access, REPEAT, NULL),
	C(CONF_B_ACCESS, "deny", conf_h_access, REPEAT, NULL),
	E(CONF_B_ACCESS, "default", OFF(access.default_allow), access_names,
	    access_values, "allow"),
	B(CONF_B_TOP, "metrics", CONF_B_METRICS),
	C(CONF_B_METRICS, "listen", conf_h_metrics_listen, 0, NULL),
	B(CONF_B_TOP, "control", CONF_B_CONTROL),
	C(CONF_B_CONTROL, "socket", conf_h_control_socket, 0, NULL),
	C(CONF_B_CONTROL, "mode", conf_h_control_mode, 0, "0660"),
	V(CONF_B_CONTROL, "group", STR, OFF(control.group), 0, 0, NULL, 0,
	    check_group),
	B(CONF_B_TOP, "log", CONF_B_LOG),
	E(CONF_B_LOG, "target", OFF(log.to_syslog), target_names,
	    target_values, "stderr"),
	E(CONF_B_LOG, "level", OFF(log.level), level_names, level_values,
	    "info"),
	V(CONF_B_LOG, "facility", STR, OFF(log.facility), 0, 0, "daemon", 0,
	    check_facility),
};
const size_t conf_ndirectives = sizeof(conf_directives) /
    sizeof(conf_directives[0]);

static const char *const block_names[] = {
	[CONF_B_ANY] = "any", [CONF_B_TOP] = "top level",
	[CONF_B_SERVER] = "server", [CONF_B_LISTEN] = "listen",
	[CONF_B_AUTH] = "auth", [CONF_B_KERBEROS] = "kerberos",
	[CONF_B_NTLM] = "ntlm", [CONF_B_SA] = "sa", [CONF_B_GUARD] = "guard",
	[CONF_B_CONN] = "connections",
	[CONF_B_REGISTRAR] = "registrar", [CONF_B_HOME] = "home",
	[CONF_B_DIRECTORY] = "directory", [CONF_B_ACCESS] = "access",
	[CONF_B_METRICS] = "metrics", [CONF_B_CONTROL] = "control",
	[CONF_B_LOG] = "log",
};

const char *
conf_block_name(enum conf_block b)
{
	return block_names[b];
}

int
conf_directive_find(enum conf_block b, const char *name)
{
	size_t i;

	for (i = 0; i < conf_ndirectives; i++)
		if ((conf_directives[i].block == b ||
		    conf_directives[i].block == CONF_B_ANY) &&
		    strcmp(conf_directives[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
conf_directive_index(const struct conf_directive *d)
{
	return (int)(d - conf_directives);
}
