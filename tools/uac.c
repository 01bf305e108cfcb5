/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/uac.c: the endpoint of tools/uac.h (struct uac: its address of
 * record, epid and SA, and what callers may read of them) and how an
 * operation ends: the outcome recorded, the done callback, the timeout.
 * tools/uac_int.h lists the other files of the user agent client.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "tools/uac_int.h"

const char *const uac_tp_names[] = {
	[UAC_TP_UDP] = "udp",
	[UAC_TP_TCP] = "tcp",
	[UAC_TP_TLS] = "tls",
};

const char *
uac_error_name(enum uac_error e)
{
	static const char *const names[] = {
		[UAC_OK] = "ok",
		[UAC_E_CONFIG] = "configuration error",
		[UAC_E_AUTH] = "authentication refused",
		[UAC_E_SIGNATURE] = "bad server signature",
		[UAC_E_TIMEOUT] = "no answer",
		[UAC_E_TRANSPORT] = "transport error",
		[UAC_E_STATUS] = "SIP error",
		[UAC_E_INTERNAL] = "internal error",
	};

	if ((unsigned)e >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[e];
}

/* n random bytes as 2n lower-case hex digits and a NUL. */
int
uac_random_hex(char *out, size_t n)
{
	uint8_t b[32];
	size_t i;

	if (n > sizeof(b) || RAND_bytes(b, (int)n) != 1)
		return -1;
	for (i = 0; i < n; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* ---- the endpoint ---- */

int
uac_create(struct uac_agent *a, const struct uac_params *p,
    struct uac **out)
{
	struct uac *u;
	const char *at, *dom;
	size_t i;

	*out = NULL;
	if (a == NULL || p == NULL || p->aor == NULL || p->server == NULL)
		return EINVAL;
	if (strncasecmp(p->aor, "sip:", 4) != 0 ||
	    (at = strchr(p->aor, '@')) == NULL || at == p->aor + 4 ||
	    at[1] == '\0' || strpbrk(p->aor, "<>\"; \t\r\n") != NULL)
		return EINVAL;
	dom = at + 1;
	if ((u = su_home_new(sizeof(*u))) == NULL)
		return ENOMEM;
	u->agent = a;
	u->aor = su_strdup(u->home, p->aor);
	u->domain = su_strdup(u->home, dom);
	u->server = su_strdup(u->home, p->server);
	u->tls_name = su_strdup(u->home, p->tls_name != NULL ? p->tls_name :
	    p->server);
	u->user_agent = su_strdup(u->home, p->user_agent != NULL ?
	    p->user_agent : "sipsa-client/" PACKAGE_VERSION);
	u->port = p->port != 0 ? p->port : p->transport == UAC_TP_TLS ?
	    5061 : 5060;
	u->tp = p->transport;
	u->timeout_ms = p->timeout_ms != 0 ? p->timeout_ms : 10000;
	u->max_redirects = p->max_redirects >= 0 ? p->max_redirects : 5;
	u->mp = p->mech;
	u->mp.user = su_strdup(u->home, p->mech.user);
	u->mp.domain = su_strdup(u->home, p->mech.domain);
	u->mp.ccache = su_strdup(u->home, p->mech.ccache);
	u->mp.client_keytab = su_strdup(u->home, p->mech.client_keytab);
	u->mp.principal = su_strdup(u->home, p->mech.principal);
	u->mp.target_fqdn = NULL;
	if (p->epid != NULL) {
		for (i = 0; p->epid[i] != '\0'; i++)
			if (strchr("0123456789abcdefABCDEF", p->epid[i]) ==
			    NULL)
				break;
		if (p->epid[i] != '\0' || i == 0 || i >= sizeof(u->epid)) {
			su_home_unref(u->home);
			return EINVAL;
		}
		memcpy(u->epid, p->epid, i + 1);
	} else if (uac_random_hex(u->epid, 5) != 0)
		goto nomem;
	if (sipauth_epid_to_uuid(u->epid, u->uuid) != 0 ||
	    uac_random_hex(u->call_id, 16) != 0 ||
	    uac_random_hex(u->from_tag, 5) != 0)
		goto nomem;
	if (u->aor == NULL || u->domain == NULL || u->server == NULL ||
	    u->tls_name == NULL ||
	    u->user_agent == NULL ||
	    (p->mech.user != NULL && u->mp.user == NULL) ||
	    (p->mech.domain != NULL && u->mp.domain == NULL) ||
	    (p->mech.ccache != NULL && u->mp.ccache == NULL) ||
	    (p->mech.client_keytab != NULL && u->mp.client_keytab == NULL) ||
	    (p->mech.principal != NULL && u->mp.principal == NULL))
		goto nomem;
	u->timer = su_timer_create(su_root_task(a->root), 0);
	u->cancel_timer = su_timer_create(su_root_task(a->root), 0);
	u->cancel_after = -1;
	if (u->timer == NULL || u->cancel_timer == NULL)
		goto nomem;
	u->next = a->uacs;
	a->uacs = u;
	*out = u;
	return 0;
 nomem:
	uac_destroy(u);
	return ENOMEM;
}

void
uac_destroy(struct uac *u)
{
	struct uac **pp;

	if (u == NULL)
		return;
	for (pp = &u->agent->uacs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == u) {
			*pp = u->next;
			break;
		}
	if (u->orq != NULL)
		nta_outgoing_destroy(u->orq);
	if (u->timer != NULL)
		su_timer_destroy(u->timer);
	if (u->cancel_timer != NULL)
		su_timer_destroy(u->cancel_timer);
	if (u->ring_irq != NULL)
		nta_incoming_destroy(u->ring_irq);
	uac_sa_drop(u);
	su_home_unref(u->home);
}

const char *
uac_epid(const struct uac *u)
{
	return u->epid;
}

const char *
uac_scheme(const struct uac *u)
{
	return u->sa.ctx != NULL ? sipauth_scheme_name(u->sa.scheme) : NULL;
}

int
uac_version(const struct uac *u)
{
	return u->sa.ctx != NULL ? u->sa.version : 0;
}

int
uac_proxy_family(const struct uac *u)
{
	return u->sa.ctx != NULL && u->sa.fam == SIPAUTH_PROXY;
}

const char *
uac_opaque(const struct uac *u)
{
	return u->sa.opaque[0] != '\0' ? u->sa.opaque : NULL;
}

const char *
uac_server(const struct uac *u)
{
	return u->where;
}

unsigned
uac_redirects(const struct uac *u)
{
	return u->redirects;
}

unsigned
uac_handshakes(const struct uac *u)
{
	return u->handshakes;
}

unsigned
uac_verified(const struct uac *u)
{
	return u->verified;
}

void
uac_sa_drop(struct uac *u)
{
	mech_ctx_free(u->sa.ctx);
	memset(&u->sa, 0, sizeof(u->sa));
}

/* Copy a slice into a fixed buffer; -1 when it does not fit. */
int
uac_copy_str(char *dst, size_t dstsz, struct sipauth_str s)
{
	if (s.ptr == NULL) {
		dst[0] = '\0';
		return 0;
	}
	if (s.len >= dstsz)
		return -1;
	memcpy(dst, s.ptr, s.len);
	dst[s.len] = '\0';
	return 0;
}

/* ---- ending an operation ---- */

/* Record the outcome; the caller then returns 1 up to uac_finish(). */
int
uac_fail(struct uac *u, enum uac_error e, const char *fmt, ...)
{
	va_list ap;

	u->res.error = e;
	va_start(ap, fmt);
	(void)vsnprintf(u->text, sizeof(u->text), fmt, ap);
	va_end(ap);
	return 1;
}

/* Call the done callback; the last thing any path does with u. */
void
uac_finish(struct uac *u)
{
	uac_done_f *done = u->done;
	void *arg = u->done_arg;
	struct uac_result r;

	su_timer_reset(u->timer);
	u->state = ST_IDLE;
	u->done = NULL;
	r = u->res;
	r.phrase = u->phrase;
	r.text = u->text;
	if (done != NULL)
		done(arg, u, &r);
}

void
uac_on_timeout(su_root_magic_t *rm, su_timer_t *t, struct uac *u)
{
	(void)rm;
	(void)t;
	if (u->orq != NULL) {
		nta_outgoing_destroy(u->orq);
		u->orq = NULL;
	}
	u->res.status = 0;
	u->phrase[0] = '\0';
	/*
	 * Sofia drops a TLS connection whose certificate does not verify
	 * without telling nta; its log line is all there is.
	 */
	if (u->tp == UAC_TP_TLS && !u->tls_checked && uac_sofia_last[0] != '\0')
		(void)uac_fail(u, UAC_E_TRANSPORT, "TLS with %s failed: %s",
		    u->where, uac_sofia_last + strspn(uac_sofia_last, " \t"));
	else
		(void)uac_fail(u, UAC_E_TIMEOUT, "no answer from %s within "
		    "%u ms", u->where, u->timeout_ms);
	uac_finish(u);
}
