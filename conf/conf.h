/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf/conf.h: the sipsa.conf configuration model.  A loaded configuration
 * is an immutable snapshot; a reload builds a new one and swaps it.  Every
 * value remembers where it was written (file:line:col) so that errors
 * found after parsing can still point at the line.
 */
#ifndef SIPSA_CONF_H
#define SIPSA_CONF_H

#include <stddef.h>
#include <stdio.h>

struct conf_pos {
	const char	*file;		/* borrowed: the snapshot's files */
	int		 line;
	int		 col;
};

enum conf_transport {
	CONF_TP_UDP,
	CONF_TP_TCP,
	CONF_TP_TLS,
};

/* The role decides the challenge family: 401/WWW-* or 407/Proxy-*. */
enum conf_role {
	CONF_ROLE_REGISTRAR,
	CONF_ROLE_PROXY,
};

/*
 * How a binding store commit reaches the disk (registrar "sync"); the same
 * order as enum reg_sync in registrar/registrar.h.  All three survive the
 * death of sipsad; they differ when the machine fails (sipsa.conf(5)).
 */
enum conf_sync {
	CONF_SYNC_FULL,			/* two fsyncs per commit */
	CONF_SYNC_META,			/* one fsync; may lose the last one */
	CONF_SYNC_NONE,			/* flushed once a second by sipsad */
};

enum conf_scheme {
	CONF_SCHEME_NTLM,
	CONF_SCHEME_KERBEROS,
};
#define CONF_MAX_SCHEMES	2

enum conf_ntlm_source {
	CONF_NTLM_USERS_FILE,		/* smbpasswd or DOMAIN:USER:PASSWORD */
	CONF_NTLM_USERS_WINBIND,	/* Active Directory through winbindd */
};

/* access { } and a listener's own rules: who may sign in (src/access.h). */
enum conf_access_kind {
	CONF_ACCESS_ANY,			/* every account */
	CONF_ACCESS_USER,			/* DOMAIN\\user, user@REALM */
	CONF_ACCESS_GROUP,			/* a directory group, nested */
	CONF_ACCESS_DOMAIN,			/* NTLM domain or realm */
};

struct conf_access_rule {
	struct conf_pos		 pos;
	int			 allow;		/* 0: deny */
	enum conf_access_kind	 kind;
	char			*name;		/* NULL for any */
	struct conf_access_rule	*next;
};

struct conf_access {
	struct conf_access_rule	*rules;		/* in file order */
	int			 default_allow;	/* no rule matched */
};

struct conf_listen {
	struct conf_pos		 pos;
	enum conf_transport	 transport;
	char			*address;	/* "0.0.0.0", "::", ... */
	unsigned		 port;
	enum conf_role		 role;
	char			*tls_cert;	/* PEM, TLS only */
	char			*tls_key;	/* PEM, TLS only; a secret */
	/* The schemes this listener offers, in order; nschemes 0: those of
	   the auth block.  SIPE answers only the first challenge header of
	   a 407, so a proxy-role listener may need its own order. */
	enum conf_scheme	 schemes[CONF_MAX_SCHEMES];
	int			 nschemes;
	struct conf_access_rule	*access;	/* tried before access { } */
	struct conf_listen	*next;
};

/*
 * auth { kerberos { trusted-realm REALM [SIP-DOMAIN] } }: a realm whose
 * principals may sign in with Kerberos, in file order.  Without any, only
 * the realm of the keytab's sip/<fqdn> keys is trusted (src/auth.c).
 */
struct conf_realm {
	struct conf_pos		 pos;
	char			*realm;		/* compared exactly */
	char			*domain;	/* the SIP domain its users
						   use, or NULL: any */
	struct conf_realm	*next;
};

struct conf_auth {
	struct conf_pos		 pos;
	enum conf_scheme	 schemes[CONF_MAX_SCHEMES]; /* offer order */
	int			 nschemes;
	char			*realm;		/* the challenges' realm */
	int			 version;	/* 2, 3 or 4; default 4 */
	char			*identity_map;	/* NULL: none (src/idmap.h) */
	/* Kerberos */
	char			*keytab;	/* a secret */
	char			*rcache_dir;	/* NULL: off ("none"; never the
						   default; sipsa.conf(5)) */
	struct conf_realm	*trusted_realms; /* NULL: the keytab's */
	/* NTLM */
	enum conf_ntlm_source	 ntlm_source;
	char			*ntlm_user_file; /* a secret */
	char			*netbios_domain;
	char			*netbios_computer;
	unsigned		 winbind_threads; /* checks at once */
	unsigned		 winbind_queue;	/* waiting or running */
};

struct conf_sa {
	unsigned	lifetime;		/* s, hard limit, <= 28800 */
	unsigned	idle_timeout;		/* s */
	unsigned	max_half_open;		/* whole table */
	unsigned	max_half_open_per_source; /* per source address */
	unsigned	max_established;	/* whole table; 0 = unlimited */
	unsigned	tombstone_time;		/* s an expired SA's opaque is
						   remembered as expired */
	unsigned	tombstone_max;		/* such opaques at most */
};

/* What one TCP or TLS connection may cost (src/listen.c). */
struct conf_conn {
	unsigned	idle_timeout;		/* s; closed when unused */
	unsigned	message_timeout;	/* s for a stalled message */
	unsigned	udp_answers;		/* signed UDP answers kept */
	unsigned	total;			/* connections in all */
	unsigned	per_source;		/* from one address (/64) */
	unsigned	unauth_close;		/* s, quiet and not signed in */
	unsigned	output_queue;		/* messages queued, each */
	unsigned	socket_buffer;		/* bytes, SO_RCVBUF/SNDBUF */
};

/* Lockout protection (src/guard.c). */
struct conf_guard {
	unsigned	user_failures;		/* per account in window */
	unsigned	source_failures;	/* per source address */
	unsigned	window;			/* s */
	unsigned	block_min;		/* s, doubled at each block */
	unsigned	block_max;		/* s */
	unsigned	handshake_rate;		/* legs/s per source; 0: off */
	unsigned	trust_time;		/* s a source that signed an
						   account in stays trusted */
	unsigned	entries;		/* slots per table */
};

struct conf_registrar {
	unsigned	expires_min;		/* s */
	unsigned	expires_default;	/* s */
	unsigned	expires_max;		/* s */
	unsigned	max_endpoints;		/* bindings per AOR */
	unsigned	expires_jitter;		/* percent, 0 = off */
	unsigned	refresh_durable;	/* percent of the time left a
						   stored binding must keep */
	char		*store;			/* binding store directory */
	enum conf_sync	 sync;			/* commits; fixed at start */
	char		**domains;		/* served domains, NULL-ended */
};

enum conf_home_kind {
	CONF_HOME_USER,				/* exact "user@domain" */
	CONF_HOME_DOMAIN,			/* exact domain */
	CONF_HOME_PATTERN,			/* fnmatch(3), "user@domain" */
	CONF_HOME_DEFAULT,
};

struct conf_home {
	struct conf_pos		 pos;
	enum conf_home_kind	 kind;
	char			*match;		/* NULL for CONF_HOME_DEFAULT */
	char			*target;	/* "sip:host:port;transport=tls"
						   or NULL: this node */
	struct conf_home	*next;
};

struct conf_route {
	struct conf_pos		 pos;
	char			*domain;	/* foreign domain */
	char			*next_hop;	/* sip:host:port;transport=x */
	struct conf_route	*next;
};

/* directory { }: account lookups in LDAP (src/directory.h); uris and srv
   NULL: no directory. */
#define CONF_DIR_MAX_URIS	8
#define CONF_DIR_MAX_ATTRS	16
struct conf_directory {
	char		**uris;			/* ldap[s]://host[:port],
						   in order, NULL-ended */
	char		*srv;			/* AD DNS domain whose DCs
						   DNS lists, or NULL */
	char		*base;			/* search base DN */
	char		*principal;		/* sipsad's own account */
	char		*keytab;		/* its keys; default: auth's */
	char		*ntlm_domain;		/* its NTLM accounts */
	char		*krb5_realm;		/* its Kerberos accounts */
	char		**attributes;		/* SIP addresses, NULL-ended */
	unsigned	 cache_ttl;		/* s a found account is fresh */
	unsigned	 negative_ttl;		/* s "no such account" holds */
	unsigned	 timeout;		/* s per LDAP operation */
	unsigned	 queue;			/* lookups waiting or running */
	unsigned	 cache_entries;		/* accounts kept at most */
};

/* metrics { listen ADDRESS PORT }: port 0, off. */
struct conf_metrics {
	char		*address;
	unsigned	 port;
};

/* control { }: the control socket of sipsactl(8) (src/control.h). */
#define CONF_CONTROL_PATH_MAX	107	/* bytes: sockaddr_un's sun_path */
struct conf_control {
	char		*socket;		/* NULL: none (no socket) */
	unsigned	 mode;			/* of the socket file */
	char		*group;			/* its group, or NULL */
};

struct conf_log {
	int		 to_syslog;		/* 0: stderr */
	int		 level;			/* enum log_level */
	char		*facility;		/* syslog facility name */
};

struct sipsa_conf {
	char			*path;		/* main file as given */
	char			*fqdn;		/* server FQDN; NTLM targetname,
						   Kerberos "sip/<fqdn>" */
	char			*state_dir;
	char			*pid_file;
	struct conf_listen	*listeners;
	struct conf_auth	 auth;
	struct conf_sa		 sa;
	struct conf_guard	 guard;
	struct conf_conn	 conn;
	struct conf_registrar	 registrar;
	struct conf_home	*homes;		/* in file order */
	struct conf_route	*routes;
	struct conf_directory	 dir;
	struct conf_access	 access;
	struct conf_metrics	 metrics;
	struct conf_control	 control;
	struct conf_log		 log;
	void			*priv;		/* parser-owned storage */
};

/*
 * Error sink.  msg is the whole line without newline, already formatted as
 * "file:line:col: text".  Called once per error.
 */
typedef void conf_err_fn(const char *msg, void *arg);

/* Stop reporting (and parsing) after this many errors. */
#define CONF_MAX_ERRORS	20

/*
 * Values of the check_secrets argument.  0 checks no secret file.
 * CONF_SECRETS_CHECK_IF_PRESENT (for "sipsad -n") checks the owner, type
 * and mode of every secret file that exists and lets a missing one pass;
 * CONF_SECRETS_REQUIRE (daemon start and reload) also refuses a missing
 * one.
 */
#define CONF_SECRETS_NONE		0
#define CONF_SECRETS_CHECK_IF_PRESENT	1
#define CONF_SECRETS_REQUIRE		2

/*
 * Parse and validate a file (and its includes).  On success returns 0 and
 * sets *conf_out to a snapshot the caller frees with conf_free().  On
 * failure returns the number of errors (> 0), each reported through err
 * (stderr when err is NULL), and *conf_out is NULL.  check_secrets (one of
 * the CONF_SECRETS_* values) also checks the owner and mode of keytab,
 * NTLM user file and TLS key.  The cross-reference and secret checks run
 * only when the file has no syntax error.  After CONF_MAX_ERRORS errors
 * one more line says that reading stopped, and the result is
 * CONF_MAX_ERRORS.  Warnings (nothing that stops loading) go to the
 * logging facade.  conf_free(NULL) does nothing.
 */
int	conf_load(const char *path, int check_secrets, conf_err_fn *err,
	    void *arg, struct sipsa_conf **conf_out);
/* The same over a buffer; name is used in messages and for includes. */
int	conf_parse_buf(const char *name, const char *buf, size_t len,
	    int check_secrets, conf_err_fn *err, void *arg,
	    struct sipsa_conf **conf_out);
void	conf_free(struct sipsa_conf *conf);

const char *conf_transport_name(enum conf_transport);
const char *conf_scheme_name(enum conf_scheme);	/* "NTLM", "Kerberos" */

/*
 * Print the effective configuration (every value, defaults included) in
 * the sipsa.conf grammar, so that the output parses back to an equal
 * configuration.  Secret files appear by path only.
 */
void	conf_dump(const struct sipsa_conf *conf, FILE *fp);

#endif /* SIPSA_CONF_H */
