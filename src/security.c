/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/security.c: the long-lived parts behind authentication and
 * registration: the acceptor credentials (sa/mech.h), the SA table
 * (sa/sa.h) on the mechanism operations it is given (sa_mech_gss unless
 * a test passes its own: struct proxy_params), the registrar and its
 * binding store, and the timer that expires SAs every second and
 * bindings every minute, and flushes the store every second when its
 * commits do not (registrar { sync none }).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SU_ROOT_MAGIC_T		struct proxy
#define SU_TIMER_ARG_T		struct proxy
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#include "registrar/registrar.h"
#include "sa/sa.h"
#include "sipauth/sipauth.h"
#include "src/control.h"
#include "src/directory.h"
#include "src/idmap.h"

#define LOG_MODULE "security"
#include "log/log.h"
#include "src/proxy.h"

/* Work done per timer tick: SAs examined at most. */
#define EXPIRE_BUDGET		4096
/* Bindings are swept once per this many ticks (seconds). */
#define BINDING_SWEEP_TICKS	60

static void
sa_limits_from_conf(const struct conf_sa *c, struct sa_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->lifetime_s = c->lifetime;
	l->idle_s = c->idle_timeout;
	l->max_half_open = c->max_half_open;
	l->max_half_open_per_source = c->max_half_open_per_source;
	l->max_established = c->max_established;
	l->tombstone_s = c->tombstone_time;
	l->max_tombstones = c->tombstone_max;
}

static enum reg_sync
reg_sync_from_conf(enum conf_sync s)
{
	switch (s) {
	case CONF_SYNC_META:
		return REG_SYNC_META;
	case CONF_SYNC_NONE:
		return REG_SYNC_NONE;
	case CONF_SYNC_FULL:
	default:
		return REG_SYNC_FULL;
	}
}

static void
registrar_config_from_conf(const struct conf_registrar *c,
    struct registrar_config *r)
{
	memset(r, 0, sizeof(*r));
	r->expires_min = c->expires_min;
	r->expires_default = c->expires_default;
	r->expires_max = c->expires_max;
	r->max_endpoints = c->max_endpoints;
	r->jitter = c->expires_jitter;
	r->refresh_durable = c->refresh_durable;
	r->store_dir = c->store;
	r->store.sync = reg_sync_from_conf(c->sync);
}

static int
conf_has_scheme(const struct conf_auth *a, enum conf_scheme s)
{
	int i;

	for (i = 0; i < a->nschemes && i < CONF_MAX_SCHEMES; i++)
		if (a->schemes[i] == s)
			return 1;
	return 0;
}

/*
 * The flush of a sync none store, once a second: an fdatasync that took
 * 0.2 to 4 ms on the test machine under load, on a thread of its own so
 * that it does not hold every request behind it (issue 16, the latency
 * tail).  LMDB's mdb_env_sync() only syncs the file: safe beside write
 * transactions on the event loop.  One at a time (the pool holds one).
 */
static void
flush_run(void *arg)
{
	struct proxy *px = arg;

	px->flush_err = registrar_sync(px->reg);
}

static void
flush_done(void *arg, int cancelled)
{
	struct proxy *px = arg;

	if (!cancelled && px->flush_err != 0)
		log_warnx("binding store flush failed: %s",
		    strerror(px->flush_err));
}

static void
tick(struct proxy *px, su_timer_t *t, struct proxy *arg)
{
	unsigned n, removed = 0;
	int err;

	(void)t;
	(void)arg;
	sofialog_flush();
	answers_expire(px);
	conns_tick(px);
	control_tick(px);
	/* With sync none this bounds what a machine failure can lose. */
	if (px->flusher != NULL && !workers_full(px->flusher))
		(void)workers_submit(px->flusher, flush_run, flush_done, px);
	n = sa_expire_run(px->sa, EXPIRE_BUDGET);
	if (n > 0)
		log_debug("%u security association%s expired", n,
		    n == 1 ? "" : "s");
	if (++px->ticks % BINDING_SWEEP_TICKS != 0)
		return;
	if ((err = registrar_expire(px->reg, (uint64_t)time(NULL),
	    &removed)) != 0)
		log_warnx("binding expiry failed: %s", strerror(err));
	else if (removed > 0)
		log_info("%u expired binding%s removed", removed,
		    removed == 1 ? "" : "s");
}

/*
 * The acceptor credentials of the GSS mechanisms (sa/mech.h): the
 * Kerberos keytab and its replay cache, the NTLM users.
 */
static int
acceptor_credentials(struct proxy *px)
{
	const struct sipsa_conf *c = px->conf;
	struct mech_server_params mp;
	char err[512];
	int e;

	memset(&mp, 0, sizeof(mp));
	mp.fqdn = c->fqdn;
	if (conf_has_scheme(&c->auth, CONF_SCHEME_KERBEROS)) {
		mp.keytab = c->auth.keytab;
		mp.rcache_dir = c->auth.rcache_dir != NULL ?
		    c->auth.rcache_dir : "none";
		if (c->auth.rcache_dir != NULL &&
		    mkdir(c->auth.rcache_dir, 0700) == -1 && errno != EEXIST) {
			log_warn("cannot create the replay cache directory %s",
			    c->auth.rcache_dir);
			return EIO;
		}
	}
	if (security_keytab_check(c, NULL, NULL, px->krb5_realms,
	    sizeof(px->krb5_realms)) != 0)
		return EACCES;
	mp.ntlm_enabled = conf_has_scheme(&c->auth, CONF_SCHEME_NTLM);
	mp.ntlm_winbind = c->auth.ntlm_source == CONF_NTLM_USERS_WINBIND;
	mp.ntlm_user_file = c->auth.ntlm_user_file;
	mp.netbios_domain = c->auth.netbios_domain;
	mp.netbios_computer = c->auth.netbios_computer;
	err[0] = '\0';
	if ((e = mech_server_create(&mp, &px->mech, err, sizeof(err))) != 0) {
		log_warnx("authentication: %s", err[0] != '\0' ? err :
		    strerror(e));
		return e;
	}
	return 0;
}

/*
 * Trusted realms that leave out a realm of the keytab: the server's own
 * users cannot sign in with Kerberos; most likely an oversight.
 */
static void
own_realms_trusted(const struct sipsa_conf *c, const char *realms,
    FILE *out)
{
	const struct conf_realm *tr;
	const char *w;
	char msg[512];
	size_t n;

	if (c->auth.trusted_realms == NULL)
		return;
	for (w = realms; *w != '\0'; w += n + (w[n] == ' ')) {
		n = strcspn(w, " ");
		for (tr = c->auth.trusted_realms; tr != NULL; tr = tr->next)
			if (strlen(tr->realm) == n &&
			    memcmp(tr->realm, w, n) == 0)
				break;
		if (tr != NULL)
			continue;
		(void)snprintf(msg, sizeof(msg), "no trusted-realm line lists "
		    "%.*s, the realm of the keytab's sip/%s key: its users "
		    "cannot sign in with Kerberos (add: trusted-realm %.*s)",
		    (int)n, w, c->fqdn, (int)n, w);
		if (out != NULL)
			fprintf(stderr, "warning: %s\n", msg);
		else
			log_warnx("%s", msg);
	}
}

int
security_keytab_check(const struct sipsa_conf *c, FILE *out,
    const char *prefix, char *realms, size_t realmssz)
{
	char line[1024], warn[512], own[256];
	int r;

	if (realms != NULL && realmssz > 0)
		realms[0] = '\0';
	if (!conf_has_scheme(&c->auth, CONF_SCHEME_KERBEROS) ||
	    c->auth.keytab == NULL)
		return 0;
	if (out != NULL && access(c->auth.keytab, F_OK) == -1 &&
	    errno == ENOENT)
		return 0;
	r = mech_keytab_check(c->auth.keytab, c->fqdn, line, sizeof(line),
	    warn, sizeof(warn), own, sizeof(own));
	if (r == MECH_KT_ERROR) {
		if (out != NULL)
			fprintf(stderr, "%s\n", line);
		else
			log_err("%s", line);
		return -1;
	}
	if (out != NULL)
		fprintf(out, "%s%s\n", prefix != NULL ? prefix : "", line);
	else
		log_notice("%s", line);
	if (r == MECH_KT_WEAK && out != NULL)
		fprintf(stderr, "warning: %s\n", warn);
	else if (r == MECH_KT_WEAK)
		log_warnx("%s", warn);
	own_realms_trusted(c, own, out);
	if (realms != NULL && realmssz > 0)
		(void)snprintf(realms, realmssz, "%s", own);
	return 0;
}

static void
idmap_err_log(const char *msg, void *arg)
{
	(void)arg;
	log_err("identity map %s", msg);
}

static void
idmap_err_stderr(const char *msg, void *arg)
{
	fprintf((FILE *)arg, "identity map %s\n", msg);
}

int
security_idmap_load(const struct sipsa_conf *c, FILE *out_errors,
    struct idmap **out)
{
	const char *path = c->auth.identity_map;
	int n;

	*out = NULL;
	if (path == NULL)
		return 0;
	if (out_errors != NULL && access(path, F_OK) == -1 &&
	    errno == ENOENT)
		return 0;
	n = idmap_load(path, out_errors != NULL ? idmap_err_stderr :
	    idmap_err_log, out_errors, out);
	if (n == 0 && out_errors == NULL)
		log_notice("identity map %s: %zu rule%s", path,
		    idmap_rules(*out), idmap_rules(*out) == 1 ? "" : "s");
	return n;
}

/* The registrar's expiry jitter from the nonce block (sipauth_nonce). */
static uint32_t
jitter_random(void *arg)
{
	uint32_t v = 0;

	(void)arg;
	(void)sipauth_nonce(&v, sizeof(v));
	return v;
}

int
security_init(struct proxy *px, const struct proxy_params *params)
{
	const struct sipsa_conf *c = px->conf;
	struct sa_table_params tp;
	struct registrar_config rc;
	int e;

	if ((px->krb5_target = su_sprintf(px->home, "sip/%s", c->fqdn)) ==
	    NULL)
		return ENOMEM;
	if (security_idmap_load(c, NULL, &px->idmap) != 0)
		return EINVAL;
	if (!(params->flags & PROXY_F_NO_CREDENTIALS) &&
	    (e = acceptor_credentials(px)) != 0)
		return e;
	/* Domain controllers answer on worker threads (src/auth.c). */
	if (conf_has_scheme(&c->auth, CONF_SCHEME_NTLM) &&
	    c->auth.ntlm_source == CONF_NTLM_USERS_WINBIND &&
	    (e = workers_create(px, c->auth.winbind_threads,
	    c->auth.winbind_queue, &px->workers)) != 0)
		return e;
	/* Accounts in LDAP, looked up on threads of their own. */
	if ((c->dir.uris != NULL || c->dir.srv != NULL) &&
	    !(params->flags & PROXY_F_NO_CREDENTIALS) &&
	    (e = directory_create(px, &c->dir, &px->dir)) != 0) {
		log_warnx("cannot start the directory lookups: %s",
		    strerror(e));
		return e;
	}

	memset(&tp, 0, sizeof(tp));
	sa_limits_from_conf(&c->sa, &tp.limits);
	tp.mech = params->mech != NULL ? params->mech : &sa_mech_gss;
	tp.now_ms = params->sa_now_ms;
	tp.clock_arg = params->sa_clock_arg;
	if ((e = sa_table_create(&tp, &px->sa)) != 0) {
		log_warnx("cannot create the SA table: %s", strerror(e));
		return e;
	}

	registrar_config_from_conf(&c->registrar, &rc);
	if ((e = registrar_open(&rc, &reg_store_lmdb, (uint64_t)time(NULL),
	    &px->reg)) != 0)
		return e;	/* logged by the registrar */
	registrar_set_random(px->reg, jitter_random, NULL);
	if ((e = streak_init(px)) != 0 || (e = guard_init(px)) != 0 ||
	    (e = answers_init(px)) != 0)
		return e;
	if ((e = known_load(px)) != 0) {
		log_warnx("cannot read the users of the binding store: %s",
		    strerror(e));
		return e;
	}
	px->reg_flush = rc.store.sync == REG_SYNC_NONE;
	if (px->reg_flush && (e = workers_create(px, 1, 1, &px->flusher)) !=
	    0)
		return e;
	if (rc.store.sync == REG_SYNC_META)
		log_info("binding store sync meta: the last change may be "
		    "lost on power loss");
	else if (rc.store.sync == REG_SYNC_NONE)
		log_info("binding store sync none: flushed once a second, up "
		    "to the last second of changes may be lost on power or OS "
		    "failure");

	/*
	 * su_timer_set_interval() would fire once only.  set_for_ever
	 * re-arms at the interval given to su_timer_create() and, unlike
	 * su_timer_run(), does not call back again for ticks missed while
	 * the loop was busy: one pass covers them.
	 */
	px->tick = su_timer_create(su_root_task(px->root), 1000);
	if (px->tick == NULL ||
	    su_timer_set_for_ever(px->tick, tick, px) != 0) {
		log_warnx("cannot start the expiry timer");
		return EIO;
	}
	return 0;
}

void
security_fini(struct proxy *px)
{
	int e;

	if (px->tick != NULL) {
		su_timer_destroy(px->tick);
		px->tick = NULL;
	}
	sa_table_free(px->sa);
	px->sa = NULL;
	(void)workers_destroy(px->flusher);	/* waits for a flush */
	px->flusher = NULL;
	/* registrar_close() syncs only the refreshes it still had to
	   write: the last second of a sync none store would otherwise
	   wait for the kernel's writeback. */
	if (px->reg != NULL && px->reg_flush &&
	    (e = registrar_sync(px->reg)) != 0)
		log_warnx("binding store flush failed: %s", strerror(e));
	if (px->reg != NULL)
		registrar_close(px->reg);
	px->reg = NULL;
	mech_server_free(px->mech);
	px->mech = NULL;
	known_free(px);
	idmap_free(px->idmap);
	px->idmap = NULL;
	streak_fini(px);
	guard_fini(px);
	answers_fini(px);
}

static int
str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/*
 * Registrar limits apply at once, and so does a new keytab file at the
 * configured path.  Acceptor credentials (their paths), SA limits and
 * the binding store (path, sync) are set up at start: a change there is
 * logged and waits for a restart.
 */
void
security_reload(struct proxy *px, const struct sipsa_conf *next)
{
	const struct sipsa_conf *c = px->conf;
	struct registrar_config rc;

	/* A keytab replaced under the same name is read now (Kerberos
	   accepts would notice within a second anyway). */
	(void)mech_server_keytab_refresh(px->mech);
	registrar_config_from_conf(&next->registrar, &rc);
	if (registrar_reconfigure(px->reg, &rc) != 0)
		log_warnx("registrar limits refused: keeping the running ones");
	if (str_differs(c->registrar.store, next->registrar.store))
		log_warnx("binding store changed: needs a restart");
	if (c->registrar.sync != next->registrar.sync)
		log_warnx("binding store sync changed: needs a restart");
	if (str_differs(c->fqdn, next->fqdn) ||
	    str_differs(c->auth.keytab, next->auth.keytab) ||
	    str_differs(c->auth.rcache_dir, next->auth.rcache_dir) ||
	    str_differs(c->auth.ntlm_user_file, next->auth.ntlm_user_file) ||
	    c->auth.ntlm_source != next->auth.ntlm_source ||
	    str_differs(c->auth.netbios_domain, next->auth.netbios_domain) ||
	    str_differs(c->auth.netbios_computer,
	    next->auth.netbios_computer) ||
	    c->auth.winbind_threads != next->auth.winbind_threads ||
	    c->auth.winbind_queue != next->auth.winbind_queue)
		log_warnx("server credentials changed: need a restart");
	if (memcmp(&c->sa, &next->sa, sizeof(c->sa)) != 0)
		log_warnx("security association limits changed: need a "
		    "restart");
	/* The guard's thresholds are read at each request; its tables
	   and the connection limits (given to the listeners) are not. */
	if (c->guard.entries != next->guard.entries)
		log_warnx("guard entries changed: needs a restart");
	if (memcmp(&c->conn, &next->conn, sizeof(c->conn)) != 0)
		log_warnx("connection limits changed: need a restart");
}
