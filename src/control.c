/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/control.c: the control socket (src/control.h, sipsactl(8)).
 *
 * The socket and every client are non-blocking descriptors registered
 * with the su_root, so nothing here waits: a client gets at most
 * CTL_LINE_MAX bytes for its request line, CONTROL_CLIENT_TIMEOUT
 * seconds in all, and its answer is kept whole in memory (list answers
 * are capped at CONTROL_LIST_MAX entries) and sent as it reads it, with
 * MSG_NOSIGNAL: a client that goes away costs its slot only.  More than
 * CONTROL_MAX_CLIENTS at once are told so and closed.
 *
 * Clients are accepted with accept4(), not accept(): src/conns.c puts
 * its own accept() in front of the C library's to count SIP connections,
 * and a control client is none of those.
 *
 * Who may connect is the socket file's business (mode and group,
 * control { } in sipsa.conf(5)); each change an administrator makes is
 * written as an audit line (event=admin, doc/audit.md) with the
 * client's uid.
 */
#define _GNU_SOURCE		/* accept4(2), struct ucred */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#define SU_ROOT_MAGIC_T		struct proxy
#define SU_WAKEUP_ARG_T		void
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#define LOG_MODULE "control"
#include "log/log.h"
#include "registrar/registrar.h"
#include "sa/mech.h"
#include "sa/sa.h"
#include "src/audit.h"
#include "src/control.h"
#include "src/ctlproto.h"
#include "src/proxy.h"

/* Seconds of handshake counts kept for the rates of status. */
#define RATE_WINDOW		60

struct ctl_client {
	struct control		*ctl;
	int			 fd;
	su_wait_t		 wait[1];
	int			 index;		/* su_root registration */
	long			 uid;		/* SO_PEERCRED, -1: unknown */
	uint64_t		 since;		/* ms, accepted */
	char			 in[CTL_LINE_MAX];
	size_t			 inlen;
	char			*out;		/* the answer, or NULL */
	size_t			 outlen, outoff;
	size_t			 drained;	/* bytes read after it */
	/* trace: the client stays, messages are appended to out. */
	int			 tracing;
	int			 tokens;	/* gssapi-data in full */
	char			 trace_who[256]; /* user, or peer address */
	int			 trace_peer;	/* trace_who is an address */
	unsigned long		 trace_dropped;	/* while out was full */
	struct ctl_client	*next;
};

struct control {
	struct proxy		*px;
	char			*path;		/* the socket file */
	int			 fd;
	int			 created;	/* path is ours to remove */
	su_wait_t		 wait[1];
	int			 index;
	struct ctl_client	*clients;
	unsigned		 nclients;
	uint64_t		 started;	/* ms */
	/* px->handshakes_ok and _failed, sampled each second in a ring
	   of RATE_WINDOW + 1: pos is the next slot, len the slots used. */
	unsigned long long	 ok[RATE_WINDOW + 1];
	unsigned long long	 failed[RATE_WINDOW + 1];
	unsigned		 pos, len;
	unsigned		 ntracing;	/* tracing clients */
};

static uint64_t
now_ms(void)
{
	return sa_clock_monotonic(NULL);
}

/* A JSON string of s (NULL: null).  Bytes that are not UTF-8 (a name a
   client chose) become '?', as jansson takes UTF-8 only. */
static json_t *
jstr(const char *s)
{
	json_t *j;
	char *c;
	size_t i;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	if ((c = strdup(s)) == NULL)
		return json_null();
	for (i = 0; c[i] != '\0'; i++)
		if ((unsigned char)c[i] >= 0x80 || (unsigned char)c[i] < 0x20)
			c[i] = '?';
	j = json_string(c);
	free(c);
	return j != NULL ? j : json_null();
}

static json_t *
jerror(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *
jerror(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return json_pack("{s:o}", "error", jstr(buf));
}

static const char *
scheme_of(enum mech_kind k)
{
	return k == MECH_KERBEROS ? "Kerberos" : "NTLM";
}

/* ---- status ---- */

struct scount {
	unsigned long	 n[2][2];	/* [established][kerberos] */
};

static int
count_sa(const struct sa_info *in, void *arg)
{
	struct scount *sc = arg;

	sc->n[in->state == ASSOC_ESTABLISHED][in->kind == MECH_KERBEROS]++;
	return 0;
}

/* Per second over the last minute (less just after the start). */
static json_t *
handshake_rates(const struct control *ctl)
{
	const struct proxy *px = ctl->px;
	unsigned oldest, span = ctl->len < RATE_WINDOW ? ctl->len : RATE_WINDOW;
	double ok = 0, failed = 0;

	/* The sample span slots back: taken about span seconds ago. */
	if (span > 0) {
		oldest = (ctl->pos + RATE_WINDOW + 1 - span) %
		    (RATE_WINDOW + 1);
		ok = (double)(px->handshakes_ok - ctl->ok[oldest]) / span;
		failed = (double)(px->handshakes_failed -
		    ctl->failed[oldest]) / span;
	}
	return json_pack("{s:f, s:f, s:i, s:I, s:I}", "per_second", ok,
	    "failures_per_second", failed, "window_seconds", (int)span,
	    "completed", (json_int_t)px->handshakes_ok, "failed",
	    (json_int_t)px->handshakes_failed);
}

/* An admin action: its audit line (doc/audit.md), by the client's uid. */
static void __attribute__((format(printf, 4, 5)))
admin(const struct ctl_client *cl, const char *action, const char *target,
    const char *fmt, ...)
{
	char by[48], result[256];
	va_list ap;

	(void)snprintf(by, sizeof(by), "sipsactl/uid:%ld", cl->uid);
	va_start(ap, fmt);
	(void)vsnprintf(result, sizeof(result), fmt, ap);
	va_end(ap);
	audit_admin(action, by, target, result);
}

static json_t *
cmd_status(struct control *ctl)
{
	struct proxy *px = ctl->px;
	struct sa_stats st;
	struct scount sc;
	unsigned long nbind = 0, naor = 0;
	json_t *o, *ls;
	size_t i;
	int err;

	ls = json_array();
	for (i = 0; i < px->nlisteners; i++) {
		const struct listener *l = &px->listeners[i];

		(void)json_array_append_new(ls, json_pack("{s:s, s:o, s:i, "
		    "s:s}", "transport", conf_transport_name(l->transport),
		    "address", jstr(l->address), "port", (int)l->port,
		    "role", l->role == CONF_ROLE_PROXY ? "proxy" :
		    "registrar"));
	}
	memset(&sc, 0, sizeof(sc));
	(void)sa_foreach(px->sa, count_sa, &sc);
	sa_table_stats(px->sa, &st);
	err = registrar_count(px->reg, (uint64_t)time(NULL), &nbind,
	    &naor);
	o = json_pack("{s:s, s:i, s:I, s:o, s:o, s:s}", "version",
	    PACKAGE_VERSION, "pid", (int)getpid(), "uptime_seconds",
	    (json_int_t)((now_ms() - ctl->started) / 1000), "config",
	    jstr(px->conf_path), "listeners", ls, "log_level",
	    log_level_name(log_getlevel()));
	if (o == NULL)
		return NULL;
	(void)json_object_set_new(o, "sa", json_pack("{s:{s:i, s:i}, "
	    "s:{s:i, s:i}, s:i, s:I, s:I}",
	    "half_open", "NTLM", (int)sc.n[0][0], "Kerberos", (int)sc.n[0][1],
	    "established", "NTLM", (int)sc.n[1][0], "Kerberos",
	    (int)sc.n[1][1], "tombstones", (int)st.tombstones,
	    "expired", (json_int_t)st.expirations, "replaced",
	    (json_int_t)st.replaced));
	if (err == 0)
		(void)json_object_set_new(o, "bindings", json_pack("{s:i, s:i}",
		    "aors", (int)naor, "bindings", (int)nbind));
	else
		(void)json_object_set_new(o, "bindings", jerror("binding "
		    "store: %s", strerror(err)));
	(void)json_object_set_new(o, "connections", json_integer(
	    (json_int_t)conns_open()));
	(void)json_object_set_new(o, "handshakes", handshake_rates(ctl));
	return o;
}

/* ---- sa list, sa drop ---- */

struct salist {
	const char	*who;		/* NULL: all */
	json_t		*list;
	int		 truncated;
};

static int
list_sa(const struct sa_info *in, void *arg)
{
	struct salist *sl = arg;

	if (sl->who != NULL && !ctl_user_match(sl->who, in->user, in->aor))
		return 0;
	if (json_array_size(sl->list) >= CONTROL_LIST_MAX) {
		sl->truncated = 1;
		return 1;
	}
	(void)json_array_append_new(sl->list, json_pack("{s:s, s:s, s:s, "
	    "s:o, s:o, s:o, s:o, s:i, s:I, s:I, s:I}", "opaque", in->opaque,
	    "state", in->state == ASSOC_ESTABLISHED ? "established" :
	    "half-open", "scheme", scheme_of(in->kind), "user", jstr(in->user),
	    "aor", jstr(in->aor), "epid", jstr(in->epid), "peer",
	    jstr(in->peer), "version", in->version, "age_seconds",
	    (json_int_t)(in->age_ms / 1000), "idle_seconds",
	    (json_int_t)(in->idle_ms / 1000), "expires_in_seconds",
	    (json_int_t)(in->expires_ms / 1000)));
	return 0;
}

static json_t *
cmd_sa_list(struct control *ctl, const char *who)
{
	struct salist sl = { who, json_array(), 0 };

	(void)sa_foreach(ctl->px->sa, list_sa, &sl);
	return json_pack("{s:o, s:b}", "sas", sl.list, "truncated",
	    sl.truncated);
}

/* The established SAs of who: their opaques and AORs, collected first
   (sa_foreach() is read-only), ended after. */
struct sawho {
	const char	*who;
	char		(*opaques)[SA_OPAQUE_LEN + 1];
	json_t		*aors;		/* distinct, or NULL */
	size_t		 n;
};

static int
find_sa(const struct sa_info *in, void *arg)
{
	struct sawho *sw = arg;
	size_t i;

	if (in->state != ASSOC_ESTABLISHED ||
	    !ctl_user_match(sw->who, in->user, in->aor))
		return 0;
	if (sw->n >= CONTROL_LIST_MAX)
		return 1;
	(void)snprintf(sw->opaques[sw->n++], SA_OPAQUE_LEN + 1, "%s",
	    in->opaque);
	if (sw->aors == NULL || in->aor == NULL)
		return 0;
	for (i = 0; i < json_array_size(sw->aors); i++)
		if (strcasecmp(json_string_value(json_array_get(sw->aors, i)),
		    in->aor) == 0)
			return 0;
	(void)json_array_append_new(sw->aors, jstr(in->aor));
	return 0;
}

/* End the SAs of sw (found by find_sa); returns how many ended. */
static unsigned
end_sas(struct control *ctl, struct sawho *sw, json_t *ended)
{
	struct sa_assoc *sa;
	unsigned n = 0;
	size_t i;

	for (i = 0; i < sw->n; i++) {
		if (sa_lookup_opaque(ctl->px->sa, sw->opaques[i],
		    SA_OPAQUE_LEN, &sa) != SA_R_OK)
			continue;
		/* Expired is what the client is told: it signs in again. */
		sa_end(sa, SA_R_EXPIRED);
		sa_unref(sa);
		(void)json_array_append_new(ended, json_string(
		    sw->opaques[i]));
		n++;
	}
	return n;
}

static int
find_user_sas(struct control *ctl, struct sawho *sw, const char *who,
    int with_aors)
{
	memset(sw, 0, sizeof(*sw));
	sw->who = who;
	if ((sw->opaques = calloc(CONTROL_LIST_MAX,
	    sizeof(*sw->opaques))) == NULL)
		return -1;
	if (with_aors)
		sw->aors = json_array();
	(void)sa_foreach(ctl->px->sa, find_sa, sw);
	return 0;
}

static json_t *
cmd_sa_drop(struct control *ctl, struct ctl_client *cl, const char *what)
{
	struct sa_assoc *sa;
	struct sawho sw;
	json_t *ended = json_array();
	unsigned n;

	if (ctl_is_opaque(what)) {
		if (sa_lookup_opaque(ctl->px->sa, what, SA_OPAQUE_LEN, &sa) !=
		    SA_R_OK) {
			json_decref(ended);
			return jerror("no SA has opaque %s", what);
		}
		admin(cl, "sa drop", sa_opaque(sa), "user %s",
		    sa_user(sa) != NULL ? sa_user(sa) : "-");
		(void)json_array_append_new(ended, json_string(sa_opaque(sa)));
		sa_end(sa, SA_R_EXPIRED);
		sa_unref(sa);
		return json_pack("{s:i, s:o}", "dropped", 1, "opaques", ended);
	}
	if (find_user_sas(ctl, &sw, what, 0) != 0) {
		json_decref(ended);
		return jerror("out of memory");
	}
	n = end_sas(ctl, &sw, ended);
	free(sw.opaques);
	if (n == 0) {
		json_decref(ended);
		return jerror("no established SA of user %s", what);
	}
	admin(cl, "sa drop", what, "%u SA%s ended", n, n == 1 ? "" : "s");
	return json_pack("{s:i, s:o}", "dropped", (int)n, "opaques", ended);
}

/* ---- binding list, binding drop, kick ---- */

static json_t *
binding_json(const char *aor, const struct reg_binding *b, uint64_t now)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:I, s:I}",
	    "aor", jstr(aor), "contact", jstr(b->uri), "epid", jstr(b->epid),
	    "instance", jstr(b->instance), "gruu", jstr(b->gruu),
	    "transport", jstr(b->transport), "q", b->q / 1000.0,
	    "expires_in_seconds", (json_int_t)(b->expires_at > now ?
	    b->expires_at - now : 0), "age_seconds", (json_int_t)(now >
	    b->registered ? now - b->registered : 0));
}

struct blist {
	const char	*aor;
	json_t		*list;
	uint64_t	 now;
	int		 truncated;
};

static int
list_binding(const char *aor, const struct reg_binding *b, void *arg)
{
	struct blist *bl = arg;

	if (json_array_size(bl->list) >= CONTROL_LIST_MAX) {
		bl->truncated = 1;
		return 1;
	}
	(void)json_array_append_new(bl->list, binding_json(aor, b, bl->now));
	return 0;
}

static void
list_one(const struct reg_binding *b, void *arg)
{
	struct blist *bl = arg;

	(void)list_binding(bl->aor, b, bl);
}

static json_t *
cmd_binding_list(struct control *ctl, const char *aor)
{
	struct blist bl = { aor, json_array(), (uint64_t)time(NULL), 0 };
	int err;

	if (aor != NULL)
		err = registrar_lookup(ctl->px->reg, aor, bl.now, list_one,
		    &bl);
	else
		err = registrar_foreach_binding(ctl->px->reg, bl.now,
		    list_binding, &bl);
	if (err != 0) {
		json_decref(bl.list);
		return jerror("binding store: %s", strerror(err));
	}
	return json_pack("{s:o, s:b}", "bindings", bl.list, "truncated",
	    bl.truncated);
}

static json_t *
cmd_binding_drop(struct control *ctl, struct ctl_client *cl,
    const char *aor, const char *epid)
{
	unsigned n = 0;
	int err;

	err = registrar_remove(ctl->px->reg, aor, epid, (uint64_t)time(NULL),
	    NULL, NULL, &n);
	if (err != 0)
		return jerror("binding store: %s", strerror(err));
	if (n == 0)
		return jerror("no binding of %s%s%s", aor, epid != NULL ?
		    " with epid " : "", epid != NULL ? epid : "");
	admin(cl, "binding drop", aor, "%u binding%s removed%s%s", n,
	    n == 1 ? "" : "s", epid != NULL ? ", epid " : "",
	    epid != NULL ? epid : "");
	return json_pack("{s:o, s:o, s:i}", "aor", jstr(aor), "epid",
	    jstr(epid), "removed", (int)n);
}

/* A binding kick removes: its TCP or TLS connection goes too. */
static void
kick_conn(const struct reg_binding *b, void *arg)
{
	struct sockaddr_storage ss;
	unsigned *closed = arg;

	if (ctl_transport_addr(b->transport, &ss) == 0 &&
	    conns_close((struct sockaddr *)&ss, "kicked by the "
	    "administrator"))
		(*closed)++;
}

/*
 * kick USER: the user's SAs end (their opaques answer "expired", so the
 * next request is challenged), the bindings of the AORs they were bound
 * to (or of USER, an AOR) are removed, and the connections those
 * bindings came over are closed.
 */
static json_t *
cmd_kick(struct control *ctl, struct ctl_client *cl, const char *who)
{
	struct sawho sw;
	json_t *ended = json_array(), *aors;
	unsigned nsa, nb = 0, one, closed = 0;
	uint64_t now = (uint64_t)time(NULL);
	size_t i;
	int err = 0;

	if (find_user_sas(ctl, &sw, who, 1) != 0) {
		json_decref(ended);
		return jerror("out of memory");
	}
	aors = sw.aors;
	if (strncasecmp(who, "sip:", 4) == 0 && json_array_size(aors) == 0)
		(void)json_array_append_new(aors, jstr(who));
	nsa = end_sas(ctl, &sw, ended);
	free(sw.opaques);
	for (i = 0; i < json_array_size(aors) && err == 0; i++) {
		err = registrar_remove(ctl->px->reg, json_string_value(
		    json_array_get(aors, i)), NULL, now, kick_conn, &closed,
		    &one);
		nb += one;
	}
	admin(cl, "kick", who, "%u SA%s ended, %u binding%s removed, %u "
	    "connection%s closed", nsa, nsa == 1 ? "" : "s", nb,
	    nb == 1 ? "" : "s", closed, closed == 1 ? "" : "s");
	if (err != 0) {
		json_decref(ended);
		json_decref(aors);
		return jerror("binding store: %s", strerror(err));
	}
	if (nsa == 0 && nb == 0) {
		json_decref(ended);
		json_decref(aors);
		return jerror("user %s has no SA and no binding", who);
	}
	return json_pack("{s:o, s:o, s:o, s:i, s:i}", "user", jstr(who),
	    "opaques", ended, "aors", aors, "bindings_removed", (int)nb,
	    "connections_closed", (int)closed);
}

/* ---- reload, log level, keytab check ---- */

static json_t *
cmd_reload(struct control *ctl, struct ctl_client *cl)
{
	char by[48];

	(void)snprintf(by, sizeof(by), "sipsactl/uid:%ld", cl->uid);
	if (proxy_reload(ctl->px, by) != 0)
		return jerror("%s is not valid: the running configuration "
		    "stays (sipsad's log says why)", ctl->px->conf_path);
	return json_pack("{s:b, s:o}", "reloaded", 1, "config",
	    jstr(ctl->px->conf_path));
}

/* As a reload applies a new level: ours and Sofia's. */
static json_t *
cmd_log_level(struct control *ctl, struct ctl_client *cl, const char *name)
{
	int was = log_getlevel(), level = log_level_parse(name);

	(void)ctl;
	log_setlevel(level);
	sofialog_setlevel(level);
	/* Said after the change, so that it shows at either level. */
	admin(cl, "log level", log_level_name(level), "was %s",
	    log_level_name(was));
	return json_pack("{s:s, s:s}", "was", log_level_name(was), "level",
	    log_level_name(level));
}

/* What the start-up check does (src/security.c), on the running
   configuration's keytab; the line is logged as at start. */
static json_t *
cmd_keytab_check(struct control *ctl)
{
	const struct sipsa_conf *c = ctl->px->conf;
	char line[1024], warn[512], own[256];
	int i, krb5 = 0, r;

	for (i = 0; i < c->auth.nschemes; i++)
		krb5 |= c->auth.schemes[i] == CONF_SCHEME_KERBEROS;
	if (!krb5 || c->auth.keytab == NULL)
		return json_pack("{s:n, s:s}", "keytab", "result",
		    "Kerberos is not enabled: no keytab to check");
	warn[0] = own[0] = '\0';
	r = mech_keytab_check(c->auth.keytab, c->fqdn, line, sizeof(line),
	    warn, sizeof(warn), own, sizeof(own));
	if (r == MECH_KT_ERROR) {
		log_err("%s", line);
		return json_pack("{s:o, s:o}", "error", jstr(line), "keytab",
		    jstr(c->auth.keytab));
	}
	log_notice("%s", line);
	if (r == MECH_KT_WEAK)
		log_warnx("%s", warn);
	return json_pack("{s:o, s:o, s:o, s:o}", "keytab",
	    jstr(c->auth.keytab), "result", jstr(line), "warning",
	    r == MECH_KT_WEAK ? jstr(warn) : json_null(), "realms",
	    jstr(own));
}

/* ---- clients ---- */

/* ---- trace ---- */

/* What a tracing client may have waiting, at most: beyond, messages are
   dropped and counted. */
#define TRACE_PENDING_MAX	(1024 * 1024)

static json_t *
cmd_trace(struct control *ctl, struct ctl_client *cl,
    const struct ctl_req *rq)
{
	cl->tracing = 1;
	cl->trace_peer = rq->cmd == CTL_TRACE_PEER;
	cl->tokens = rq->narg == 2;
	(void)snprintf(cl->trace_who, sizeof(cl->trace_who), "%s",
	    rq->arg[0]);
	ctl->ntracing++;
	admin(cl, "trace", rq->arg[0], "%s%s", cl->trace_peer ? "peer" :
	    "user", cl->tokens ? ", gssapi-data in full" : "");
	return json_pack("{s:s, s:o, s:b}", "trace", cl->trace_peer ?
	    "peer" : "user", "who", jstr(rq->arg[0]), "tokens", cl->tokens);
}

/*
 * The SIP address of a From or To: "sip:user@host", in buf.  NULL when
 * there is none.
 */
static const char *
addr_of(const sip_from_t *a, char *buf, size_t len)
{
	if (a == NULL || a->a_url->url_user == NULL ||
	    a->a_url->url_host == NULL)
		return NULL;
	(void)snprintf(buf, len, "sip:%s@%s", a->a_url->url_user,
	    a->a_url->url_host);
	return buf;
}

/* Does cl trace this message: its peer, or its user (the SA's account,
   or the user of its From or To)? */
static int
trace_match(const struct ctl_client *cl, const char *peer,
    const char *account, const char *from, const char *to)
{
	const char *who = cl->trace_who, *at, *ends[2] = { from, to };
	size_t n;
	int i;

	if (cl->trace_peer) {
		n = strlen(who);
		return strcmp(peer, who) == 0 || (strncmp(peer, who, n) == 0 &&
		    peer[n] == ':' && strchr(peer + n + 1, ':') == NULL);
	}
	if (ctl_user_match(who, account, from) ||
	    ctl_user_match(who, account, to))
		return 1;
	/* Before the handshake there is no account: the account part of
	   who (DOMAIN\\user, user@REALM, user) against the user of From or
	   To. */
	if (strncasecmp(who, "sip:", 4) == 0 ||
	    (account != NULL && (strchr(who, '@') != NULL ||
	    strchr(who, '\\') != NULL)))
		return 0;
	if ((at = strchr(who, '\\')) != NULL)
		who = at + 1;
	n = (at = strchr(who, '@')) != NULL ? (size_t)(at - who) :
	    strlen(who);
	for (i = 0; i < 2; i++)
		if (ends[i] != NULL && strncasecmp(ends[i] + 4, who, n) == 0 &&
		    ends[i][4 + n] == '@')
			return 1;
	return 0;
}

/*
 * The message with each gssapi-data value cut to its first 12
 * characters and its length: the tokens would let anyone who reads the
 * trace guess passwords offline.
 */
static char *
cut_tokens(const char *text)
{
	static const char key[] = "gssapi-data=\"";
	const char *p = text, *q, *e;
	char *out, *o;

	if ((out = malloc(strlen(text) + 1)) == NULL)
		return NULL;
	o = out;
	while ((q = strstr(p, key)) != NULL) {
		q += sizeof(key) - 1;
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		if ((e = strchr(q, '"')) == NULL)
			e = q + strlen(q);
		if (e - q > 24) {
			memcpy(o, q, 12);
			o += 12;
			o += sprintf(o, "...[%zu]", (size_t)(e - q));
		} else {
			memcpy(o, q, (size_t)(e - q));
			o += e - q;
		}
		p = e;
	}
	(void)strcpy(o, p);
	return out;
}

/* Append one line (with its newline) to a tracing client's queue. */
static void
trace_queue(struct ctl_client *cl, const char *line)
{
	size_t len = strlen(line), pending = cl->outlen - cl->outoff;
	char *n;

	if (pending + len + 1 > TRACE_PENDING_MAX) {
		cl->trace_dropped++;
		return;
	}
	if (cl->outoff > 0 && cl->outoff == cl->outlen)
		cl->outoff = cl->outlen = 0;
	if ((n = realloc(cl->out, cl->outlen + len + 2)) == NULL) {
		cl->trace_dropped++;
		return;
	}
	cl->out = n;
	memcpy(cl->out + cl->outlen, line, len);
	cl->out[cl->outlen + len] = '\n';
	cl->outlen += len + 1;
	cl->out[cl->outlen] = '\0';
}

static int client_send(struct ctl_client *cl);
static void client_free(struct ctl_client *cl);

int
control_tracing(const struct proxy *px)
{
	return px->control != NULL && px->control->ntracing > 0;
}

void
control_trace(struct proxy *px, const char *dir, const char *transport,
    const char *peer, const char *account, msg_t *msg)
{
	struct control *ctl = px->control;
	struct ctl_client *cl, *next;
	sip_t *sip = sip_object(msg);
	char fbuf[300], tbuf[300], stamp[64], *text = NULL, *cut = NULL;
	char *line;
	const char *from, *to;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct timespec ts;
	struct tm tm;
	size_t len = 0;
	json_t *j;

	if (ctl == NULL || ctl->ntracing == 0 || sip == NULL)
		return;
	from = addr_of(sip->sip_from, fbuf, sizeof(fbuf));
	to = addr_of((const sip_from_t *)sip->sip_to, tbuf, sizeof(tbuf));
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	(void)snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d."
	    "%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	for (cl = ctl->clients; cl != NULL; cl = next) {
		next = cl->next;
		if (!cl->tracing || !trace_match(cl, peer, account, from, to))
			continue;
		if (text == NULL && (text = msg_as_string(home, msg,
		    (msg_pub_t *)sip, 0, &len)) == NULL)
			break;
		if (!cl->tokens && cut == NULL && (cut = cut_tokens(text)) ==
		    NULL)
			break;
		if (cl->trace_dropped > 0 && (j = json_pack("{s:I}",
		    "dropped", (json_int_t)cl->trace_dropped)) != NULL) {
			if ((line = json_dumps(j, 0)) != NULL) {
				cl->trace_dropped = 0;
				trace_queue(cl, line);
				free(line);
			}
			json_decref(j);
		}
		j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "time", stamp,
		    "dir", dir, "transport", transport, "peer", jstr(peer),
		    "user", jstr(account), "message", cl->tokens ? text : cut);
		if (j == NULL || (line = json_dumps(j, 0)) == NULL) {
			json_decref(j);
			cl->trace_dropped++;
			continue;
		}
		json_decref(j);
		trace_queue(cl, line);
		free(line);
		if (client_send(cl))
			client_free(cl);
		else if (cl->outoff < cl->outlen)
			(void)su_root_eventmask(px->root, cl->index, cl->fd,
			    SU_WAIT_OUT | SU_WAIT_IN | SU_WAIT_HUP);
	}
	free(cut);
	su_home_deinit(home);
}

static json_t *
answer(struct control *ctl, struct ctl_client *cl, char *line)
{
	struct ctl_req rq;
	char err[256];

	if (ctl_parse(line, &rq, err, sizeof(err)) != 0)
		return jerror("%s", err);
	switch (rq.cmd) {
	case CTL_STATUS:
		return cmd_status(ctl);
	case CTL_SA_LIST:
		return cmd_sa_list(ctl, rq.arg[0]);
	case CTL_SA_DROP:
		return cmd_sa_drop(ctl, cl, rq.arg[0]);
	case CTL_BINDING_LIST:
		return cmd_binding_list(ctl, rq.arg[0]);
	case CTL_BINDING_DROP:
		return cmd_binding_drop(ctl, cl, rq.arg[0], rq.arg[1]);
	case CTL_KICK:
		return cmd_kick(ctl, cl, rq.arg[0]);
	case CTL_RELOAD:
		return cmd_reload(ctl, cl);
	case CTL_LOG_LEVEL:
		return cmd_log_level(ctl, cl, rq.arg[0]);
	case CTL_KEYTAB_CHECK:
		return cmd_keytab_check(ctl);
	case CTL_TRACE:
	case CTL_TRACE_PEER:
		return cmd_trace(ctl, cl, &rq);
	}
	return jerror("unknown command");
}

static void
client_free(struct ctl_client *cl)
{
	struct control *ctl = cl->ctl;
	struct ctl_client **pp;

	for (pp = &ctl->clients; *pp != NULL; pp = &(*pp)->next)
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	ctl->nclients--;
	if (cl->tracing)
		ctl->ntracing--;
	if (cl->index > 0)
		su_root_deregister(ctl->px->root, cl->index);
	else
		su_wait_destroy(cl->wait);
	(void)close(cl->fd);
	free(cl->out);
	free(cl);
}

/*
 * The answer has gone: the client reads it, then closes.  Closing first,
 * with bytes of a refused request still unread, would reset the
 * connection and could destroy the answer on its way (ECONNRESET): so
 * the write side ends here and the rest is read and thrown away until
 * the client closes (a bounded amount; the client timeout bounds the
 * wait).  1 when cl is to be freed.
 */
static int
client_drain(struct ctl_client *cl)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return 1;
		cl->drained += (size_t)n;
		if (cl->drained > 16 * CTL_LINE_MAX)
			return 1;
	}
}

/* Send what the socket takes; 1 when gone (free it), else 0. */
static int
client_send(struct ctl_client *cl)
{
	ssize_t n;

	while (cl->outoff < cl->outlen) {
		n = send(cl->fd, cl->out + cl->outoff, cl->outlen - cl->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			cl->outoff += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return 1;
	}
	/* A trace goes on: wait for the next message, or the end. */
	if (cl->tracing)
		return su_root_eventmask(cl->ctl->px->root, cl->index, cl->fd,
		    SU_WAIT_IN | SU_WAIT_HUP) < 0;
	(void)shutdown(cl->fd, SHUT_WR);
	if (su_root_eventmask(cl->ctl->px->root, cl->index, cl->fd,
	    SU_WAIT_IN | SU_WAIT_HUP) < 0)
		return 1;
	return client_drain(cl);
}

/* Answer the request in cl->in; 1 when cl is to be freed. */
static int
client_answer(struct ctl_client *cl, json_t *j)
{
	struct control *ctl = cl->ctl;
	char *s;

	if (j == NULL)
		j = jerror("out of memory");
	s = j != NULL ? json_dumps(j, 0) : NULL;
	json_decref(j);
	if (s == NULL) {
		log_warnx("cannot write an answer: out of memory");
		return 1;
	}
	cl->outlen = strlen(s) + 1;
	if ((cl->out = realloc(s, cl->outlen + 1)) == NULL) {
		free(s);
		return 1;
	}
	cl->out[cl->outlen - 1] = '\n';
	cl->out[cl->outlen] = '\0';
	if (client_send(cl))
		return 1;
	/* The rest when the client reads: wait for room now. */
	if (cl->outoff < cl->outlen && su_root_eventmask(ctl->px->root,
	    cl->index, cl->fd, SU_WAIT_OUT) < 0)
		return 1;
	return 0;
}

/* Read what the client sent; 1 when cl is to be freed. */
static int
client_read(struct ctl_client *cl)
{
	char *nl;
	ssize_t n;

	for (;;) {
		n = recv(cl->fd, cl->in + cl->inlen, sizeof(cl->in) - 1 -
		    cl->inlen, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return 1;
		if (n == 0) {
			/* The end without a newline: the line is whole. */
			if (cl->inlen == 0)
				return 1;
			cl->in[cl->inlen] = '\0';
			return client_answer(cl, answer(cl->ctl, cl, cl->in));
		}
		cl->inlen += (size_t)n;
		cl->in[cl->inlen] = '\0';
		if ((nl = memchr(cl->in, '\n', cl->inlen)) != NULL) {
			*nl = '\0';
			if (nl > cl->in && nl[-1] == '\r')
				nl[-1] = '\0';
			return client_answer(cl, answer(cl->ctl, cl, cl->in));
		}
		if (cl->inlen == sizeof(cl->in) - 1)
			return client_answer(cl, jerror("request longer than "
			    "%d bytes", CTL_LINE_MAX - 1));
	}
}

static int
client_event(struct proxy *px, su_wait_t *w, void *arg)
{
	struct ctl_client *cl = arg;
	int done;

	(void)px;
	(void)w;
	if (cl->out == NULL)
		done = client_read(cl);
	else if (cl->outoff < cl->outlen)
		done = client_send(cl);
	else
		done = client_drain(cl);
	/* A tracing client that only sent its request stays; what it
	   sends later is read and thrown away (client_drain), its end
	   ends the trace. */
	if (done)
		client_free(cl);
	return 0;
}

static long
peer_uid(int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0)
		return -1;
	return (long)uc.uid;
}

static void
client_new(struct control *ctl, int fd)
{
	static const char busy[] = "{\"error\": \"too many control clients "
	    "at once; try again\"}\n";
	struct ctl_client *cl;

	if (ctl->nclients >= CONTROL_MAX_CLIENTS) {
		(void)send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL |
		    MSG_DONTWAIT);
		(void)close(fd);
		log_info("control client refused: %u clients at once",
		    ctl->nclients);
		return;
	}
	if ((cl = calloc(1, sizeof(*cl))) == NULL) {
		(void)close(fd);
		return;
	}
	cl->ctl = ctl;
	cl->fd = fd;
	cl->uid = peer_uid(fd);
	cl->since = now_ms();
	if (su_wait_create(cl->wait, fd, SU_WAIT_IN | SU_WAIT_HUP) != 0) {
		(void)close(fd);
		free(cl);
		return;
	}
	cl->index = su_root_register(ctl->px->root, cl->wait, client_event,
	    cl, 0);
	cl->next = ctl->clients;
	ctl->clients = cl;
	ctl->nclients++;
	if (cl->index <= 0) {
		cl->index = 0;
		client_free(cl);
	}
}

static int
listen_event(struct proxy *px, su_wait_t *w, void *arg)
{
	struct control *ctl = arg;
	int fd, i;

	(void)px;
	(void)w;
	/* A bounded number each time round: SIP traffic goes on too. */
	for (i = 0; i < CONTROL_MAX_CLIENTS + 1; i++) {
		fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("control socket %s: accept",
				    ctl->path);
			break;
		}
		client_new(ctl, fd);
	}
	return 0;
}

void
control_tick(struct proxy *px)
{
	struct control *ctl = px->control;
	struct ctl_client *cl, *next;
	uint64_t now = now_ms();

	if (ctl == NULL)
		return;
	ctl->ok[ctl->pos] = px->handshakes_ok;
	ctl->failed[ctl->pos] = px->handshakes_failed;
	ctl->pos = (ctl->pos + 1) % (RATE_WINDOW + 1);
	if (ctl->len < RATE_WINDOW + 1)
		ctl->len++;
	for (cl = ctl->clients; cl != NULL; cl = next) {
		next = cl->next;
		if (!cl->tracing &&
		    now - cl->since >= CONTROL_CLIENT_TIMEOUT * 1000) {
			log_info("control client closed: not done within %d s",
			    CONTROL_CLIENT_TIMEOUT);
			client_free(cl);
		}
	}
}

/* ---- the socket ---- */

/*
 * Is a sipsad answering on the socket at path?  1 yes, 0 no (a stale
 * file of one that died: connect() is refused), -1 on another error.
 */
static int
socket_live(const struct sockaddr_un *sun)
{
	int fd, r;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		r = 1;
	else if (errno == ECONNREFUSED)
		r = 0;
	else
		r = errno == EAGAIN ? 1 : -1;	/* a full backlog: alive */
	(void)close(fd);
	return r;
}

static int
socket_open(struct control *ctl, const struct conf_control *cc)
{
	struct sockaddr_un sun;
	struct group *gr = NULL;
	struct stat sb;
	mode_t um;
	int live, r;

	if (cc->group != NULL && (gr = getgrnam(cc->group)) == NULL) {
		log_warnx("control socket %s: group %s does not exist (control "
		    "{ group %s }); not starting", ctl->path, cc->group,
		    cc->group);
		return ENOENT;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(ctl->path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket %s: path too long", ctl->path);
		return ENAMETOOLONG;
	}
	memcpy(sun.sun_path, ctl->path, strlen(ctl->path) + 1);
	if (lstat(ctl->path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			log_warnx("control socket %s: exists and is not a "
			    "socket; not starting", ctl->path);
			return EEXIST;
		}
		if ((live = socket_live(&sun)) != 0) {
			log_warnx("control socket %s: %s; not starting",
			    ctl->path, live > 0 ? "another sipsad answers "
			    "there" : "cannot tell whether another sipsad "
			    "answers there");
			return EADDRINUSE;
		}
		if (unlink(ctl->path) == -1) {
			log_warn("control socket %s: cannot remove the stale "
			    "one", ctl->path);
			return errno;
		}
		log_info("control socket %s: stale, replaced", ctl->path);
	}
	if ((ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0) {
		log_warn("control socket");
		return errno;
	}
	/* Created 0600: nobody else gets in before chown() and chmod(). */
	um = umask(0177);
	r = bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun));
	(void)umask(um);
	if (r != 0) {
		log_warn("control socket %s: bind", ctl->path);
		return errno;
	}
	ctl->created = 1;
	if (gr != NULL && chown(ctl->path, (uid_t)-1, gr->gr_gid) != 0) {
		log_warn("control socket %s: cannot give it to group %s",
		    ctl->path, cc->group);
		return errno;
	}
	if (chmod(ctl->path, (mode_t)cc->mode) != 0) {
		log_warn("control socket %s: chmod %04o", ctl->path,
		    cc->mode);
		return errno;
	}
	if (listen(ctl->fd, CONTROL_MAX_CLIENTS) != 0) {
		log_warn("control socket %s: listen", ctl->path);
		return errno;
	}
	return 0;
}

int
control_init(struct proxy *px)
{
	const struct conf_control *cc = &px->conf->control;
	struct control *ctl;
	int err;

	if (cc->socket == NULL) {
		log_info("control socket: none");
		return 0;
	}
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL)
		return ENOMEM;
	ctl->px = px;
	ctl->fd = -1;
	ctl->started = now_ms();
	px->control = ctl;
	if ((ctl->path = strdup(cc->socket)) == NULL)
		return ENOMEM;
	if ((err = socket_open(ctl, cc)) != 0)
		return err;
	if (su_wait_create(ctl->wait, ctl->fd, SU_WAIT_ACCEPT) != 0)
		return EIO;
	ctl->index = su_root_register(px->root, ctl->wait, listen_event, ctl,
	    0);
	if (ctl->index <= 0) {
		ctl->index = 0;
		su_wait_destroy(ctl->wait);
		return EIO;
	}
	log_info("control socket %s (mode %04o%s%s)", ctl->path, cc->mode,
	    cc->group != NULL ? ", group " : "",
	    cc->group != NULL ? cc->group : "");
	return 0;
}

void
control_fini(struct proxy *px)
{
	struct control *ctl = px->control;

	if (ctl == NULL)
		return;
	while (ctl->clients != NULL)
		client_free(ctl->clients);
	if (ctl->index > 0)
		su_root_deregister(px->root, ctl->index);
	if (ctl->fd >= 0)
		(void)close(ctl->fd);
	if (ctl->created && unlink(ctl->path) == -1 && errno != ENOENT)
		log_warn("cannot remove the control socket %s", ctl->path);
	free(ctl->path);
	free(ctl);
	px->control = NULL;
}
