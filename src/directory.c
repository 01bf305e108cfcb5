/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/directory.c: accounts looked up in LDAP (src/directory.h).
 *
 * - The cache (event loop only): one entry per account name, lower case,
 *   at most cache-entries, the least recently used going first.  A found
 *   account is fresh for cache-ttl, an unknown one for negative-ttl.  An
 *   entry being looked up carries the job, and every request that needs
 *   it meanwhile waits on that one job.
 * - The lookups (worker threads, src/workers.c): each thread keeps its own
 *   LDAP connection, opened on the first uri that binds, bound with
 *   SASL/GSSAPI with credentials from the keytab (a MEMORY credential
 *   cache of the thread's own), sealed (minssf=56) on ldap://, over TLS
 *   only on ldaps:// (AD refuses SASL sealing inside TLS).  A lookup is
 *   one subtree search for sAMAccountName under base, at most timeout
 *   seconds per operation; a broken connection is opened again once.
 * - No server answers: an entry with data is used however old it is
 *   (stale), a request without one gets DIR_UNAVAILABLE; one warning a
 *   minute says so, and one line when a server answers again.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <time.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <ldap.h>
#include <sasl/sasl.h>

#define SU_ROOT_MAGIC_T		struct proxy
#define SU_TIMER_ARG_T		struct directory
#include <sofia-sip/su_wait.h>

#define LOG_MODULE "directory"
#include "conf/conf.h"
#include "log/log.h"
#include "sa/hash.h"
#include "sa/sa.h"
#include "src/directory.h"
#include "src/proxy.h"

#define DIR_THREADS		2	/* LDAP connections at most */
#define DIR_DOWN_LOG_MS		60000	/* one "no server" line a minute */
#define DIR_NAME_MAX		256
#define DIR_URIS_MAX		16	/* addresses kept per account */
#define DIR_GROUPS_MAX		1024	/* groups kept per account */
#define DIR_SIDS_PER_SEARCH	64	/* group SIDs in one filter */

struct dir_waiter {
	struct dir_waiter	*next;
	dir_done_fn		*done;
	void			*arg;
};

struct dir_entry;

/* A lookup: the worker reads the name and writes the results. */
struct dir_job {
	struct directory	*dir;
	struct dir_entry	*entry;
	struct dir_waiter	*waiters;
	char			 name[DIR_NAME_MAX + 1]; /* sAMAccountName */
	uint64_t		 started;
	/* Results. */
	int			 failed;	/* no server answered */
	char			 error[256];
	int			 found;
	unsigned		 state;
	char			**uris;
	char			**groups;
	size_t			 ngroups;
};

struct dir_entry {
	struct hlink		 link;
	TAILQ_ENTRY(dir_entry)	 lru;
	char			*key;		/* the account, lower case */
	uint64_t		 expires;	/* ms, monotonic */
	int			 has_data;
	struct dir_account	 acct;
	struct dir_job		*job;		/* being looked up */
	int			 pinned;	/* its waiters are told */
	uint64_t		 sa_until;	/* ms: SAs of it may live */
};
TAILQ_HEAD(dir_lru, dir_entry);

struct directory {
	struct proxy		*px;
	/* Settings, copied: worker threads read them. */
	char			**uris;		/* may be empty */
	char			*srv;		/* AD domain, or NULL */
	char			*base;
	char			*principal;
	char			*keytab;
	char			*ntlm_domain;
	char			*krb5_realm;
	char			**attrs;	/* addresses, then state */
	size_t			 nattrs_sip;	/* the first ones: addresses */
	unsigned		 ttl_ms, neg_ttl_ms, timeout;
	unsigned		 max_entries;
	unsigned		 queue_max;
	/* Event loop only. */
	struct workers		*workers;
	struct htab		 table;
	struct dir_lru		 lru;
	unsigned		 count;
	uint32_t		 seed;
	int			 down;		/* the last lookup failed */
	uint64_t		 down_logged;
	unsigned		 down_quiet;	/* failures not logged */
	su_timer_t		*sweep;		/* looks up accounts with SAs */
	unsigned		 sa_life_ms;	/* sa { lifetime } */
	/* Worker threads: their connections. */
	pthread_key_t		 conn_key;
	int			 key_ok;
};

/* A worker thread's connection. */
struct dir_conn {
	struct directory	*dir;
	LDAP			*ld;
	long long		 tgt_until;	/* its TGT's end, 0: none */
	char			 ccache[64];
};

static uint64_t
now_ms(void)
{
	return sa_clock_monotonic(NULL);
}

static void
strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static size_t
strv_len(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

static char **
strv_copy(char *const *v, size_t extra)
{
	size_t n = strv_len(v), i;
	char **c;

	if ((c = calloc(n + extra + 1, sizeof(*c))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((c[i] = strdup(v[i])) == NULL) {
			strv_free(c);
			return NULL;
		}
	return c;
}

/* ------------------------------------------------------------------ */
/* Worker threads: LDAP. */

static int
sasl_quiet(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_interact_t *i;

	(void)ld;
	(void)flags;
	(void)defaults;
	for (i = in; i->id != SASL_CB_LIST_END; i++) {
		i->result = i->defresult != NULL ? i->defresult : "";
		i->len = (unsigned)strlen(i->result);
	}
	return LDAP_SUCCESS;
}

static void
conn_close(struct dir_conn *c)
{
	if (c->ld != NULL)
		(void)ldap_unbind_ext_s(c->ld, NULL, NULL);
	c->ld = NULL;
}

static void conn_tgt_destroy(struct dir_conn *c);

static void
conn_free(void *arg)
{
	struct dir_conn *c = arg;

	conn_close(c);
	conn_tgt_destroy(c);
	free(c);
}

/*
 * A TGT of the principal, from the keytab, in the thread's MEMORY
 * credential cache, which GSSAPI then uses on this thread (the SASL
 * GSSAPI plugin takes the default credentials).  Taken again when it has
 * less than a minute left.
 */
static int
conn_tgt(struct dir_conn *c, char *err, size_t errlen)
{
	struct directory *dir = c->dir;
	krb5_context k = NULL;
	krb5_principal p = NULL;
	krb5_keytab kt = NULL;
	krb5_ccache cc = NULL;
	krb5_creds creds;
	krb5_error_code ret;
	OM_uint32 minor;
	const char *m;

	if (c->tgt_until > (long long)time(NULL) + 60)
		return 0;
	memset(&creds, 0, sizeof(creds));
	if ((ret = krb5_init_context(&k)) != 0) {
		(void)snprintf(err, errlen, "krb5 context: error %d", ret);
		return -1;
	}
	if ((ret = krb5_parse_name(k, dir->principal, &p)) == 0 &&
	    (ret = krb5_kt_resolve(k, dir->keytab, &kt)) == 0 &&
	    (ret = krb5_cc_resolve(k, c->ccache, &cc)) == 0 &&
	    (ret = krb5_get_init_creds_keytab(k, &creds, p, kt, 0, NULL,
	    NULL)) == 0 &&
	    (ret = krb5_cc_initialize(k, cc, p)) == 0 &&
	    (ret = krb5_cc_store_cred(k, cc, &creds)) == 0) {
		c->tgt_until = creds.times.endtime;
		(void)gss_krb5_ccache_name(&minor, c->ccache, NULL);
	} else {
		m = krb5_get_error_message(k, ret);
		(void)snprintf(err, errlen, "a ticket for %s from %s: %s",
		    dir->principal, dir->keytab, m);
		krb5_free_error_message(k, m);
	}
	krb5_free_cred_contents(k, &creds);
	if (cc != NULL)
		(void)krb5_cc_close(k, cc);
	if (kt != NULL)
		(void)krb5_kt_close(k, kt);
	krb5_free_principal(k, p);
	krb5_free_context(k);
	return ret == 0 ? 0 : -1;
}

/* The thread's tickets go with it. */
static void
conn_tgt_destroy(struct dir_conn *c)
{
	krb5_context k;
	krb5_ccache cc;

	if (c->tgt_until == 0 || krb5_init_context(&k) != 0)
		return;
	if (krb5_cc_resolve(k, c->ccache, &cc) == 0)
		(void)krb5_cc_destroy(k, cc);
	krb5_free_context(k);
}

/*
 * The servers to try: the uris, then the domain controllers DNS lists for
 * srv (_ldap._tcp.dc._msdcs.DOMAIN, in SRV priority and weight order),
 * as one allocation of ldap:// URIs.
 */
static char **
conn_servers(struct directory *dir, char *err, size_t errlen)
{
	char *hosts = NULL, *h, *save = NULL, name[300], **v;
	size_t n = strv_len(dir->uris), k;

	if (dir->srv != NULL) {
		(void)snprintf(name, sizeof(name), "dc._msdcs.%s", dir->srv);
		if (ldap_domain2hostlist(name, &hosts) != LDAP_SUCCESS ||
		    hosts == NULL) {
			(void)snprintf(err, errlen, "no SRV record "
			    "_ldap._tcp.%.200s", name);
			hosts = NULL;
		}
	}
	k = hosts != NULL ? strlen(hosts) / 2 + 1 : 0;
	if ((v = strv_copy(dir->uris, k)) == NULL) {
		ber_memfree(hosts);
		return NULL;
	}
	for (h = hosts != NULL ? strtok_r(hosts, " ", &save) : NULL;
	    h != NULL; h = strtok_r(NULL, " ", &save)) {
		if ((v[n] = malloc(strlen(h) + 8)) == NULL)
			break;
		(void)sprintf(v[n++], "ldap://%s", h);
	}
	ber_memfree(hosts);
	return v;
}

/* Bind to the first server that lets sipsad in. */
static int
conn_open(struct dir_conn *c, char *err, size_t errlen)
{
	struct directory *dir = c->dir;
	struct timeval tv = { (time_t)dir->timeout, 0 };
	int v3 = LDAP_VERSION3, rc, i, ok = -1;
	char *diag, **uris;
	LDAP *ld;

	if (conn_tgt(c, err, errlen) != 0)
		return -1;
	if ((uris = conn_servers(dir, err, errlen)) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; uris[i] != NULL && ok != 0; i++) {
		if (ldap_initialize(&ld, uris[i]) != LDAP_SUCCESS) {
			(void)snprintf(err, errlen, "%s: cannot be used",
			    uris[i]);
			continue;
		}
		(void)ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
		(void)ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
		(void)ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
		(void)ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
		/* The host name of the uri, not a reverse lookup. */
		(void)ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON,
		    LDAP_OPT_ON);
		(void)ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS,
		    strncmp(uris[i], "ldaps:", 6) == 0 ? "maxssf=0" :
		    "minssf=56");
		rc = ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL,
		    NULL, LDAP_SASL_QUIET, sasl_quiet, NULL);
		if (rc == LDAP_SUCCESS) {
			c->ld = ld;
			ok = 0;
			continue;
		}
		diag = NULL;
		(void)ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
		(void)snprintf(err, errlen, "%s: bind: %s%s%s", uris[i],
		    ldap_err2string(rc), diag != NULL && *diag != '\0' ?
		    ": " : "", diag != NULL ? diag : "");
		ldap_memfree(diag);
		(void)ldap_unbind_ext_s(ld, NULL, NULL);
		/* A refused ticket is taken again next time. */
		if (rc == LDAP_LOCAL_ERROR || rc == LDAP_INVALID_CREDENTIALS)
			c->tgt_until = 0;
	}
	strv_free(uris);
	return ok;
}

/* A value of an address attribute as a SIP URI, or NULL. */
static char *
value_uri(const char *attr, const struct berval *v)
{
	char *u;
	size_t i, skip = 0;

	if (v->bv_len == 0 || v->bv_len > 512 ||
	    memchr(v->bv_val, '\0', v->bv_len) != NULL)
		return NULL;
	if (v->bv_len > 4 && strncasecmp(v->bv_val, "sip:", 4) == 0)
		skip = 4;
	else if (strcasecmp(attr, "proxyAddresses") == 0 ||
	    memchr(v->bv_val, '@', v->bv_len) == NULL)
		return NULL;	/* SMTP:..., X500:...; not an address */
	if ((u = malloc(v->bv_len - skip + 5)) == NULL)
		return NULL;
	memcpy(u, "sip:", 4);
	for (i = skip; i < v->bv_len; i++)
		u[4 + i - skip] = (char)tolower((unsigned char)v->bv_val[i]);
	u[4 + v->bv_len - skip] = '\0';
	return u;
}

static long long
first_ll(LDAP *ld, LDAPMessage *e, const char *attr, long long dflt)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	char buf[32];
	long long x = dflt;

	if (v != NULL && v[0] != NULL && v[0]->bv_len < sizeof(buf)) {
		memcpy(buf, v[0]->bv_val, v[0]->bv_len);
		buf[v[0]->bv_len] = '\0';
		x = strtoll(buf, NULL, 10);
	}
	ldap_value_free_len(v);
	return x;
}

/* The entry's addresses and state into the job. */
static void
read_entry(struct dir_job *job, LDAP *ld, LDAPMessage *e)
{
	struct directory *dir = job->dir;
	struct berval **v;
	long long uac, computed, expires;
	size_t a, i, n = 0;
	char *u;

	job->found = 1;
	if ((job->uris = calloc(DIR_URIS_MAX + 1, sizeof(char *))) == NULL) {
		job->failed = 1;
		(void)snprintf(job->error, sizeof(job->error), "out of memory");
		return;
	}
	for (a = 0; a < dir->nattrs_sip; a++) {
		v = ldap_get_values_len(ld, e, dir->attrs[a]);
		for (i = 0; v != NULL && v[i] != NULL && n < DIR_URIS_MAX; i++)
			if ((u = value_uri(dir->attrs[a], v[i])) != NULL)
				job->uris[n++] = u;
		ldap_value_free_len(v);
	}
	uac = first_ll(ld, e, "userAccountControl", 0);
	computed = first_ll(ld, e, "msDS-User-Account-Control-Computed", 0);
	expires = first_ll(ld, e, "accountExpires", 0);
	if (uac & 0x2)				/* ACCOUNTDISABLE */
		job->state |= DIR_DISABLED;
	if ((uac | computed) & 0x10)		/* LOCKOUT */
		job->state |= DIR_LOCKED;
	if ((uac | computed) & 0x800000)	/* PASSWORD_EXPIRED */
		job->state |= DIR_PW_EXPIRED;
	/* 100 ns since 1601; 0 and the largest value: never. */
	if (expires > 0 && expires != 0x7fffffffffffffffLL &&
	    expires / 10000000 - 11644473600LL <= (long long)time(NULL))
		job->state |= DIR_EXPIRED;
}

/*
 * The names of the groups whose SIDs are in sids[0..n): one search with
 * the SIDs as escaped binary values (every AD version takes those).
 */
static int
group_names(struct dir_job *job, LDAP *ld, struct berval **sids, size_t n)
{
	struct directory *dir = job->dir;
	struct timeval tv = { (time_t)dir->timeout, 0 };
	static char name_attr[] = "sAMAccountName";
	char *attrs[] = { name_attr, NULL };
	LDAPMessage *res = NULL, *e;
	struct berval **v;
	char *filter, *p;
	size_t i, k, len = 64;
	int rc;

	for (i = 0; i < n; i++)
		len += 16 + 3 * sids[i]->bv_len;
	if ((filter = malloc(len)) == NULL)
		return LDAP_NO_MEMORY;
	p = filter + sprintf(filter, "(&(objectClass=group)(|");
	for (i = 0; i < n; i++) {
		p += sprintf(p, "(objectSid=");
		for (k = 0; k < sids[i]->bv_len; k++)
			p += sprintf(p, "\\%02x",
			    (unsigned char)sids[i]->bv_val[k]);
		*p++ = ')';
	}
	(void)strcpy(p, "))");
	rc = ldap_search_ext_s(ld, dir->base, LDAP_SCOPE_SUBTREE, filter,
	    attrs, 0, NULL, NULL, &tv, 0, &res);
	free(filter);
	if (rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED) {
		for (e = ldap_first_entry(ld, res); e != NULL &&
		    job->ngroups < DIR_GROUPS_MAX;
		    e = ldap_next_entry(ld, e)) {
			v = ldap_get_values_len(ld, e, "sAMAccountName");
			if (v != NULL && v[0] != NULL && v[0]->bv_len < 257 &&
			    (job->groups[job->ngroups] = strndup(v[0]->bv_val,
			    v[0]->bv_len)) != NULL)
				job->ngroups++;
			ldap_value_free_len(v);
		}
		rc = LDAP_SUCCESS;
	}
	ldap_msgfree(res);
	return rc;
}

/*
 * The account's groups, nested ones included: its tokenGroups (which AD
 * computes only in a base search of the account), then their names.
 */
static int
read_groups(struct dir_job *job, LDAP *ld, const char *dn)
{
	struct timeval tv = { (time_t)job->dir->timeout, 0 };
	static char tg_attr[] = "tokenGroups";
	char *attrs[] = { tg_attr, NULL };
	LDAPMessage *res = NULL, *e;
	struct berval **sids = NULL;
	size_t n, i;
	int rc;

	if ((job->groups = calloc(DIR_GROUPS_MAX + 1, sizeof(char *))) == NULL)
		return LDAP_NO_MEMORY;
	rc = ldap_search_ext_s(ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, &tv, 1, &res);
	if (rc == LDAP_SUCCESS && (e = ldap_first_entry(ld, res)) != NULL)
		sids = ldap_get_values_len(ld, e, "tokenGroups");
	for (n = 0; sids != NULL && sids[n] != NULL; n++)
		;
	for (i = 0; rc == LDAP_SUCCESS && i < n; i += DIR_SIDS_PER_SEARCH)
		rc = group_names(job, ld, sids + i,
		    n - i < DIR_SIDS_PER_SEARCH ? n - i : DIR_SIDS_PER_SEARCH);
	ldap_value_free_len(sids);
	ldap_msgfree(res);
	return rc;
}

static int
conn_lost(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT ||
	    rc == LDAP_CONNECT_ERROR || rc == LDAP_UNAVAILABLE ||
	    rc == LDAP_BUSY || rc == LDAP_LOCAL_ERROR;
}

/* No result (yet). */
static void
job_clear(struct dir_job *job)
{
	strv_free(job->uris);
	strv_free(job->groups);
	job->uris = job->groups = NULL;
	job->ngroups = 0;
	job->found = 0;
	job->state = 0;
}

/* One search; < 0: the connection is lost, > 0: another error. */
static int
search(struct dir_job *job, struct dir_conn *c)
{
	struct directory *dir = job->dir;
	struct timeval tv = { (time_t)dir->timeout, 0 };
	struct berval in, esc;
	LDAPMessage *res = NULL, *e;
	char filter[3 * DIR_NAME_MAX + 64], *dn;
	int rc;

	job_clear(job);		/* what a try before found */
	in.bv_val = job->name;
	in.bv_len = strlen(job->name);
	if (ldap_bv2escaped_filter_value(&in, &esc) != 0) {
		(void)snprintf(job->error, sizeof(job->error), "out of memory");
		return 1;
	}
	(void)snprintf(filter, sizeof(filter),
	    "(&(objectClass=user)(sAMAccountName=%s))", esc.bv_val);
	ber_memfree(esc.bv_val);
	rc = ldap_search_ext_s(c->ld, dir->base, LDAP_SCOPE_SUBTREE, filter,
	    dir->attrs, 0, NULL, NULL, &tv, 2, &res);
	if (rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED) {
		rc = LDAP_SUCCESS;
		if ((e = ldap_first_entry(c->ld, res)) != NULL) {
			read_entry(job, c->ld, e);
			if ((dn = ldap_get_dn(c->ld, e)) != NULL) {
				rc = read_groups(job, c->ld, dn);
				ldap_memfree(dn);
			}
		}
		ldap_msgfree(res);
		if (rc == LDAP_SUCCESS)
			return 0;
		(void)snprintf(job->error, sizeof(job->error), "groups: %s",
		    ldap_err2string(rc));
		return conn_lost(rc) ? -1 : 1;
	}
	ldap_msgfree(res);
	(void)snprintf(job->error, sizeof(job->error), "search: %s",
	    ldap_err2string(rc));
	return conn_lost(rc) ? -1 : 1;
}

static struct dir_conn *
thread_conn(struct directory *dir)
{
	struct dir_conn *c;

	if (!dir->key_ok)
		return NULL;
	if ((c = pthread_getspecific(dir->conn_key)) != NULL)
		return c;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->dir = dir;
	(void)snprintf(c->ccache, sizeof(c->ccache), "MEMORY:sipsad-dir-%p",
	    (void *)c);
	if (pthread_setspecific(dir->conn_key, c) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

/* On a worker thread: touches the job and the thread's connection. */
static void
job_run(void *arg)
{
	struct dir_job *job = arg;
	struct dir_conn *c = thread_conn(job->dir);
	int tries, rc = 1;

	if (c == NULL) {
		job->failed = 1;
		(void)snprintf(job->error, sizeof(job->error), "out of memory");
		return;
	}
	for (tries = 0; tries < 2; tries++) {
		if (c->ld == NULL && conn_open(c, job->error,
		    sizeof(job->error)) != 0) {
			rc = 1;
			break;
		}
		if ((rc = search(job, c)) >= 0)
			break;
		conn_close(c);
	}
	if (rc != 0) {
		job->failed = 1;
		conn_close(c);
		job_clear(job);
	}
}

/* ------------------------------------------------------------------ */
/* The event loop: the cache. */

static uint32_t
key_hash(const struct directory *dir, const char *key)
{
	return hash_bytes(dir->seed, key, strlen(key));
}

static struct dir_entry *
entry_find(struct directory *dir, const char *key)
{
	uint32_t h = key_hash(dir, key);
	struct hlink *l;
	struct dir_entry *e;

	for (l = htab_chain(&dir->table, h); l != NULL; l = l->next) {
		e = HTAB_ENTRY(l, struct dir_entry, link);
		if (l->hash == h && strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

static void
entry_free(struct directory *dir, struct dir_entry *e)
{
	htab_remove(&dir->table, &e->link);
	TAILQ_REMOVE(&dir->lru, e, lru);
	dir->count--;
	strv_free(e->acct.uris);
	strv_free(e->acct.groups);
	free(e->key);
	free(e);
}

static struct dir_entry *
entry_new(struct directory *dir, const char *key)
{
	struct dir_entry *e, *old, *prev;

	/* Room first: the least recently used without a lookup go. */
	for (old = TAILQ_LAST(&dir->lru, dir_lru);
	    old != NULL && dir->count >= dir->max_entries; old = prev) {
		prev = TAILQ_PREV(old, dir_lru, lru);
		if (old->job == NULL && !old->pinned)
			entry_free(dir, old);
	}
	if (dir->count >= dir->max_entries)
		return NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->key = strdup(key)) == NULL) {
		free(e);
		return NULL;
	}
	e->link.hash = key_hash(dir, key);
	htab_insert(&dir->table, &e->link);
	TAILQ_INSERT_HEAD(&dir->lru, e, lru);
	dir->count++;
	return e;
}

/* The account part to search for, lower case: NULL if not covered. */
static int
split_account(const struct directory *dir, const char *account, char *key,
    size_t keylen, char *name, size_t namelen)
{
	const char *sep, *user, *dom;
	size_t ulen, i;

	if ((sep = strchr(account, '\\')) != NULL) {
		dom = account;
		user = sep + 1;
		ulen = strlen(user);
		if (dir->ntlm_domain == NULL ||
		    strlen(dir->ntlm_domain) != (size_t)(sep - account) ||
		    strncasecmp(dom, dir->ntlm_domain, sep - account) != 0)
			return -1;
	} else if ((sep = strrchr(account, '@')) != NULL) {
		user = account;
		ulen = (size_t)(sep - account);
		if (strcasecmp(sep + 1, dir->krb5_realm) != 0)
			return -1;
	} else
		return -1;
	if (ulen == 0 || ulen >= namelen || strlen(account) >= keylen)
		return -1;
	for (i = 0; i < ulen; i++) {
		if ((unsigned char)user[i] < 0x20 || user[i] == 0x7f)
			return -1;
		name[i] = user[i];
	}
	name[ulen] = '\0';
	for (i = 0; account[i] != '\0'; i++)
		key[i] = (char)tolower((unsigned char)account[i]);
	key[i] = '\0';
	return 0;
}

int
directory_covers(const struct directory *dir, const char *account)
{
	char key[2 * DIR_NAME_MAX + 2], name[DIR_NAME_MAX + 1];

	return dir != NULL && account != NULL && split_account(dir, account,
	    key, sizeof(key), name, sizeof(name)) == 0;
}

static void job_done(void *arg, int cancelled);

/* Start a lookup for e (name: what to search). */
static int
entry_lookup(struct directory *dir, struct dir_entry *e, const char *name)
{
	struct dir_job *job;

	if (workers_full(dir->workers) ||
	    (job = calloc(1, sizeof(*job))) == NULL)
		return EAGAIN;
	job->dir = dir;
	job->entry = e;
	job->started = now_ms();
	(void)snprintf(job->name, sizeof(job->name), "%s", name);
	e->job = job;
	if (workers_submit(dir->workers, job_run, job_done, job) != 0) {
		e->job = NULL;
		free(job);
		return EAGAIN;
	}
	return 0;
}

/* A lookup failed: say so once a minute, and when it works again. */
static void
note_down(struct directory *dir, const struct dir_job *job, uint64_t now)
{
	if (job->failed) {
		if (!dir->down || now - dir->down_logged >= DIR_DOWN_LOG_MS) {
			log_warnx("no directory server answers (%s): cached "
			    "accounts sign in, others get 503 (%u more failed "
			    "lookups since the last line)", job->error,
			    dir->down_quiet);
			dir->down_logged = now;
			dir->down_quiet = 0;
		} else
			dir->down_quiet++;
		dir->down = 1;
	} else if (dir->down) {
		log_notice("the directory answers again");
		dir->down = 0;
		dir->down_quiet = 0;
	}
}

enum sa_reason
directory_state_reason(unsigned state)
{
	if (state & DIR_DISABLED)
		return SA_R_ACCOUNT_DISABLED;
	if (state & DIR_LOCKED)
		return SA_R_ACCOUNT_LOCKED;
	if (state & DIR_EXPIRED)
		return SA_R_ACCOUNT_EXPIRED;
	return SA_R_PASSWORD_EXPIRED;
}

static void
end_sas(struct directory *dir, const char *account, unsigned state)
{
	unsigned n;

	if (dir->px->sa == NULL)
		return;
	n = sa_end_account(dir->px->sa, account,
	    directory_state_reason(state));
	if (n > 0)
		log_notice("%s: %s in the directory: %u SA%s ended", account,
		    directory_state_name(state), n, n == 1 ? "" : "s");
}

static void
job_done(void *arg, int cancelled)
{
	struct dir_job *job = arg;
	struct directory *dir = job->dir;
	struct dir_entry *e = job->entry;
	struct dir_waiter *w, *next;
	enum dir_result r = DIR_OK;
	uint64_t now = now_ms();

	e->job = NULL;
	if (cancelled) {
		r = DIR_UNAVAILABLE;
	} else {
		note_down(dir, job, now);
		if (!job->failed) {
			strv_free(e->acct.uris);
			strv_free(e->acct.groups);
			e->acct.uris = job->uris;
			e->acct.groups = job->groups;
			job->uris = job->groups = NULL;
			/* Found unusable while SAs of it may live: they
			   end now, not at their next request. */
			if (job->found && job->state != 0 &&
			    e->sa_until > now) {
				end_sas(dir, e->key, job->state);
				e->sa_until = 0;
			}
			e->acct.found = job->found;
			e->acct.state = job->state;
			e->acct.stale = 0;
			e->has_data = 1;
			e->expires = now + (job->found ? dir->ttl_ms :
			    dir->neg_ttl_ms);
			log_debug("%s: %s, %zu SIP address(es), %zu "
			    "group(s), %s (%llu ms)", e->key, job->found ?
			    "found" : "not found", strv_len(e->acct.uris),
			    strv_len(e->acct.groups), e->acct.state != 0 ?
			    directory_state_name(e->acct.state) : "usable",
			    (unsigned long long)(now - job->started));
		} else if (e->has_data)
			e->acct.stale = 1;
		else
			r = DIR_UNAVAILABLE;
	}
	/* What the waiters do (the rest of their requests) must not
	   evict the entry they are given. */
	e->pinned = 1;
	for (w = job->waiters; w != NULL; w = next) {
		next = w->next;
		w->done(w->arg, r, r == DIR_OK ? &e->acct : NULL);
		free(w);
	}
	e->pinned = 0;
	strv_free(job->uris);
	strv_free(job->groups);
	free(job);
	/* Nothing learnt and nobody waits: keep no empty entry. */
	if (!e->has_data && !cancelled)
		entry_free(dir, e);
}

enum dir_result
directory_lookup(struct directory *dir, const char *account,
    dir_done_fn *done, void *arg, const struct dir_account **acct)
{
	char key[2 * DIR_NAME_MAX + 2], name[DIR_NAME_MAX + 1];
	struct dir_entry *e;
	struct dir_waiter *w;

	*acct = NULL;
	if (split_account(dir, account, key, sizeof(key), name,
	    sizeof(name)) != 0)
		return DIR_UNAVAILABLE;
	if ((e = entry_find(dir, key)) != NULL) {
		TAILQ_REMOVE(&dir->lru, e, lru);
		TAILQ_INSERT_HEAD(&dir->lru, e, lru);
		if (e->has_data && now_ms() < e->expires) {
			*acct = &e->acct;
			return DIR_OK;
		}
	} else if ((e = entry_new(dir, key)) == NULL)
		return DIR_BUSY;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return DIR_BUSY;
	if (e->job == NULL && entry_lookup(dir, e, name) != 0) {
		free(w);
		/* Overloaded: an old answer is better than none. */
		if (e->has_data) {
			e->acct.stale = 1;
			*acct = &e->acct;
			return DIR_OK;
		}
		entry_free(dir, e);
		return DIR_BUSY;
	}
	w->done = done;
	w->arg = arg;
	w->next = e->job->waiters;
	e->job->waiters = w;
	return DIR_PENDING;
}

void
directory_note_sa(struct directory *dir, const char *account)
{
	char key[2 * DIR_NAME_MAX + 2], name[DIR_NAME_MAX + 1];
	struct dir_entry *e;

	if (dir == NULL || split_account(dir, account, key, sizeof(key), name,
	    sizeof(name)) != 0 || (e = entry_find(dir, key)) == NULL)
		return;
	e->sa_until = now_ms() + dir->sa_life_ms;
}

/*
 * Every half cache-ttl: the accounts that may have SAs and whose entries
 * are no longer fresh are looked up again, at most half the queue at a
 * time, so that a disabled account's SAs end within about cache-ttl even
 * when they send nothing.
 */
static void
sweep(su_root_magic_t *magic, su_timer_t *t, struct directory *dir)
{
	struct dir_entry *e;
	uint64_t now = now_ms();
	unsigned budget = dir->queue_max / 2 + 1;
	char name[DIR_NAME_MAX + 1], key[2 * DIR_NAME_MAX + 2];

	(void)magic;
	(void)t;
	TAILQ_FOREACH(e, &dir->lru, lru) {
		if (budget == 0 || workers_full(dir->workers))
			break;
		if (e->sa_until <= now || e->job != NULL || !e->has_data ||
		    now < e->expires ||
		    split_account(dir, e->key, key, sizeof(key), name,
		    sizeof(name)) != 0)
			continue;
		if (entry_lookup(dir, e, name) == 0)
			budget--;
	}
}

unsigned
directory_state(struct directory *dir, const char *account)
{
	char key[2 * DIR_NAME_MAX + 2], name[DIR_NAME_MAX + 1];
	struct dir_entry *e;

	if (dir == NULL || split_account(dir, account, key, sizeof(key), name,
	    sizeof(name)) != 0)
		return 0;
	if ((e = entry_find(dir, key)) == NULL &&
	    (e = entry_new(dir, key)) == NULL)
		return 0;
	e->sa_until = now_ms() + dir->sa_life_ms;
	if ((!e->has_data || now_ms() >= e->expires) && e->job == NULL &&
	    entry_lookup(dir, e, name) != 0 && !e->has_data) {
		entry_free(dir, e);
		return 0;
	}
	return e->has_data && e->acct.found ? e->acct.state : 0;
}

const char *
directory_state_name(unsigned state)
{
	if (state & DIR_DISABLED)
		return "account disabled";
	if (state & DIR_LOCKED)
		return "account locked out";
	if (state & DIR_EXPIRED)
		return "account expired";
	if (state & DIR_PW_EXPIRED)
		return "password expired";
	return "usable";
}

int
directory_create(struct proxy *px, const struct conf_directory *c,
    struct directory **out)
{
	static const char *const state_attrs[] = { "userAccountControl",
	    "msDS-User-Account-Control-Computed", "accountExpires" };
	struct directory *dir;
	size_t i, n;
	int err = ENOMEM;

	*out = NULL;
	if ((dir = calloc(1, sizeof(*dir))) == NULL)
		return ENOMEM;
	dir->px = px;
	TAILQ_INIT(&dir->lru);
	dir->seed = hash_random_seed();
	dir->ttl_ms = c->cache_ttl * 1000;
	dir->neg_ttl_ms = c->negative_ttl * 1000;
	dir->timeout = c->timeout;
	dir->max_entries = c->cache_entries;
	dir->queue_max = c->queue;
	dir->sa_life_ms = px->conf->sa.lifetime * 1000;
	if ((dir->uris = strv_copy(c->uris, 0)) == NULL ||
	    (c->srv != NULL && (dir->srv = strdup(c->srv)) == NULL) ||
	    (dir->base = strdup(c->base)) == NULL ||
	    (dir->principal = strdup(c->principal)) == NULL ||
	    (dir->keytab = strdup(c->keytab)) == NULL ||
	    (dir->krb5_realm = strdup(c->krb5_realm)) == NULL ||
	    (c->ntlm_domain != NULL &&
	    (dir->ntlm_domain = strdup(c->ntlm_domain)) == NULL) ||
	    (dir->attrs = strv_copy(c->attributes, 3)) == NULL)
		goto fail;
	for (n = 0; dir->attrs[n] != NULL; n++)
		;
	dir->nattrs_sip = n;
	for (i = 0; i < 3; i++)
		if ((dir->attrs[n + i] = strdup(state_attrs[i])) == NULL)
			goto fail;
	if (htab_init(&dir->table, 64) != 0)
		goto fail;
	dir->key_ok = pthread_key_create(&dir->conn_key, conn_free) == 0;
	if ((err = workers_create(px, DIR_THREADS, c->queue,
	    &dir->workers)) != 0)
		goto fail;
	err = EIO;
	if ((dir->sweep = su_timer_create(su_root_task(px->root),
	    dir->ttl_ms / 2 > 1000 ? dir->ttl_ms / 2 : 1000)) == NULL ||
	    su_timer_set_for_ever(dir->sweep, sweep, dir) != 0)
		goto fail;
	log_info("directory %s%s, base %s, as %s: accounts of %s%s%s",
	    c->uris != NULL ? c->uris[0] : "DCs of ", c->uris != NULL ? "" :
	    c->srv, c->base, c->principal, c->krb5_realm, c->ntlm_domain !=
	    NULL ? " and " : "", c->ntlm_domain != NULL ? c->ntlm_domain : "");
	*out = dir;
	return 0;
 fail:
	directory_destroy(dir);
	return err;
}

void
directory_destroy(struct directory *dir)
{
	struct dir_entry *e;

	if (dir == NULL)
		return;
	if (dir->sweep != NULL)
		su_timer_destroy(dir->sweep);
	dir->sweep = NULL;
	/* Waiting lookups end (job_done, cancelled) and the threads with
	   their connections (conn_free).  A lookup still running after
	   that (a server that does not answer) reads the settings: all of
	   it stays, for the moment left before exit. */
	if (workers_destroy(dir->workers) != 0)
		return;
	while ((e = TAILQ_FIRST(&dir->lru)) != NULL)
		entry_free(dir, e);
	if (dir->table.buckets != NULL)
		htab_fini(&dir->table);
	if (dir->key_ok)
		(void)pthread_key_delete(dir->conn_key);
	strv_free(dir->uris);
	free(dir->srv);
	strv_free(dir->attrs);
	free(dir->base);
	free(dir->principal);
	free(dir->keytab);
	free(dir->ntlm_domain);
	free(dir->krb5_realm);
	free(dir);
}
