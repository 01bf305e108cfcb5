/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech_krb5_skew.c: how far off a client's clock is, for the one log
 * line that tells an administrator what to fix when Kerberos sign-ins fail
 * with KRB5KRB_AP_ERR_SKEW.  Only then, and off the normal path, the same
 * AP-REQ is read again with krb5_rd_req() in a krb5 context whose
 * libdefaults clockskew is a billion seconds (a profile that answers that
 * one relation and asks the real profile for the rest), without a replay
 * cache, and the authenticator's ctime is compared with our clock.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <krb5.h>
#include <profile.h>

#include "sa/mech.h"
#include "sa/mech_int.h"

#define LOG_MODULE "sa"
#include "log/log.h"

struct mech_krb5_skew {
	krb5_context	 base;		/* owns profile */
	profile_t	 profile;	/* the configuration, for the rest */
	krb5_context	 kc;		/* clockskew overridden */
	int		 allowed;	/* configured clockskew, seconds */
};

static long
skew_get_values(void *cbdata, const char *const *names, char ***ret)
{
	struct mech_krb5_skew *k = cbdata;
	char **v;

	if (names[0] != NULL && names[1] != NULL && names[2] == NULL &&
	    strcmp(names[0], "libdefaults") == 0 &&
	    strcmp(names[1], "clockskew") == 0) {
		if ((v = calloc(2, sizeof(*v))) == NULL ||
		    (v[0] = strdup("1000000000")) == NULL) {
			free(v);
			return ENOMEM;
		}
		*ret = v;
		return 0;
	}
	return profile_get_values(k->profile, (const char **)names, ret);
}

static void
skew_free_values(void *cbdata, char **values)
{
	(void)cbdata;
	profile_free_list(values);
}

static struct profile_vtable skew_vtable = {
	.minor_ver = 1,
	.get_values = skew_get_values,
	.free_values = skew_free_values,
};

void
mech_krb5_skew_free(struct mech_krb5_skew *k)
{
	if (k == NULL)
		return;
	if (k->kc != NULL)
		krb5_free_context(k->kc);
	if (k->profile != NULL)
		profile_release(k->profile);
	if (k->base != NULL)
		krb5_free_context(k->base);
	free(k);
}

static struct mech_krb5_skew *
skew_new(void)
{
	struct mech_krb5_skew *k;
	profile_t p = NULL;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->allowed = 300;
	if (krb5_init_context(&k->base) != 0 ||
	    krb5_get_profile(k->base, &k->profile) != 0)
		goto fail;
	(void)profile_get_integer(k->profile, "libdefaults", "clockskew",
	    NULL, 300, &k->allowed);
	if (profile_init_vtable(&skew_vtable, k, &p) != 0)
		goto fail;
	if (krb5_init_context_profile(p, 0, &k->kc) != 0)
		k->kc = NULL;
	profile_abandon(p);
	if (k->kc == NULL)
		goto fail;
	return k;
fail:
	mech_krb5_skew_free(k);
	return NULL;
}

/* The AP-REQ inside an RFC 2743 §3.1 token of the krb5 mechanism. */
static int
unframe(const uint8_t *in, size_t len, krb5_data *ap)
{
	static const uint8_t oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	    0xf7, 0x12, 0x01, 0x02, 0x02, 0x01, 0x00 };	/* + TOK_ID */
	size_t i = 2, n, body;

	if (len < 2 || in[0] != 0x60)
		return -1;
	if (in[1] < 0x80)
		body = in[1];
	else {
		n = in[1] & 0x7f;
		if (n == 0 || n > 4 || len < 2 + n)
			return -1;
		for (body = 0; n > 0; n--)
			body = body << 8 | in[i++];
	}
	if (body != len - i || body < sizeof(oid) ||
	    memcmp(in + i, oid, sizeof(oid)) != 0)
		return -1;
	i += sizeof(oid);
	ap->magic = KV5M_DATA;
	ap->data = (char *)(in + i);
	ap->length = (unsigned int)(len - i);
	return 0;
}

/* The client's clock minus ours, in seconds; 0 when it could be read. */
static int
measure(struct mech_server *s, const krb5_data *ap, long long *skew)
{
	krb5_context kc = s->krb_skew->kc;
	krb5_auth_context ac = NULL;
	krb5_authenticator *a = NULL;
	krb5_keytab kt = NULL;
	krb5_ticket *tkt = NULL;
	krb5_flags opts = 0;
	int rc = -1;

	if (krb5_kt_resolve(kc, s->keytab, &kt) != 0 ||
	    krb5_auth_con_init(kc, &ac) != 0)
		goto out;
	/* No replay cache: this AP-REQ was refused, it is only read. */
	(void)krb5_auth_con_setflags(kc, ac, 0);
	if (krb5_rd_req(kc, &ac, ap, NULL, kt, &opts, &tkt) == 0 &&
	    krb5_auth_con_getauthenticator(kc, ac, &a) == 0) {
		*skew = (long long)a->ctime - (long long)time(NULL);
		rc = 0;
	}
out:
	krb5_free_authenticator(kc, a);
	krb5_free_ticket(kc, tkt);
	if (ac != NULL)
		(void)krb5_auth_con_free(kc, ac);
	if (kt != NULL)
		(void)krb5_kt_close(kc, kt);
	return rc;
}

void
mech_krb5_log_skew(struct mech_server *s, const uint8_t *in, size_t len)
{
	krb5_data ap;
	long long skew;

	if (s->keytab == NULL || unframe(in, len, &ap) != 0)
		return;
	if (s->krb_skew == NULL && (s->krb_skew = skew_new()) == NULL)
		return;
	if (measure(s, &ap, &skew) != 0) {
		log_notice("clock skew: the client's clock is off by more "
		    "than %d s (not measured); sync both with the domain "
		    "controller's NTP", s->krb_skew->allowed);
		return;
	}
	log_notice("clock skew: the client's clock is %lld s %s ours "
	    "(allowed %d s); sync both with the domain controller's NTP",
	    skew < 0 ? -skew : skew, skew < 0 ? "behind" : "ahead of",
	    s->krb_skew->allowed);
}
