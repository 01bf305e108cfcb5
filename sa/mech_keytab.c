/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech_keytab.c: what an administrator needs to know about the Kerberos
 * keytab before the first sign-in fails: the keys it holds for the service
 * sip/<fqdn> (mech_keytab_check, at start, reload and "sipsad -n") and
 * whether the KDC's current key is among them (mech_keytab_probe, "sipsad
 * --check-keytab": a ticket from the caller's credentials cache, accepted
 * as sipsad accepts).  Only names, kvnos and enctypes are read; the keys
 * of the entries are wiped when the entries are freed.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <krb5.h>

#include "sa/mech.h"
#include "sa/mech_int.h"

/* Distinct (principal, kvno) pairs reported; more are summed up. */
#define KT_GROUPS	16

struct kt_group {
	char		 princ[256];
	krb5_kvno	 kvno;
	char		 enctypes[160];
};

struct kt_scan {
	struct kt_group	 g[KT_GROUPS];
	int		 ngroups;
	int		 more;		/* groups beyond KT_GROUPS */
	int		 strong;	/* an entry that is not RC4 or DES */
	krb5_kvno	 max_kvno;
	char		 realms[256];	/* of the entries, blank-separated */
};

static void __attribute__((format(printf, 3, 4)))
appendf(char *buf, size_t bufsz, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= bufsz)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf + n, bufsz - n, fmt, ap);
	va_end(ap);
}

/* How to fix a keytab without the key sipsad needs. */
static void
append_fix(char *buf, size_t bufsz, const char *keytab, const char *fqdn)
{
	appendf(buf, bufsz, "to export it: Active Directory: ktpass -princ "
	    "sip/%s@REALM -mapuser ACCOUNT -crypto AES256-SHA1 -ptype "
	    "KRB5_NT_PRINCIPAL -out sip.keytab (or msktutil --update, or "
	    "samba-tool domain exportkeytab sip.keytab --principal=sip/%s); "
	    "MIT: kadmin ktadd -k %s sip/%s", fqdn, fqdn, keytab, fqdn);
}

static void
enctype_name(krb5_enctype e, char *buf, size_t bufsz)
{
	if (krb5_enctype_to_name(e, FALSE, buf, bufsz) != 0)
		(void)snprintf(buf, bufsz, "enctype-%d", (int)e);
}

/* RC4 and DES: what Active Directory hands out when AES is not set. */
static int
enctype_weak(krb5_enctype e)
{
	switch (e) {
	case ENCTYPE_ARCFOUR_HMAC:
	case ENCTYPE_ARCFOUR_HMAC_EXP:
	case ENCTYPE_DES_CBC_CRC:
	case ENCTYPE_DES_CBC_MD4:
	case ENCTYPE_DES_CBC_MD5:
		return 1;
	default:
		return 0;
	}
}

krb5_error_code
mech_keytab_service_princ(krb5_context kc, const char *fqdn,
    krb5_principal *p)
{
	krb5_error_code e;

	e = krb5_build_principal(kc, p, 0, "", "sip", fqdn, (char *)NULL);
	if (e == 0)
		(*p)->type = KRB5_NT_SRV_HST;
	return e;
}

/* Add the realm of p to the blank-separated list in buf, once. */
static void
realm_add(char *buf, size_t bufsz, krb5_const_principal p)
{
	const char *r = p->realm.data, *w;
	size_t n = p->realm.length, wl;

	if (n == 0 || memchr(r, ' ', n) != NULL || memchr(r, '\0', n) != NULL)
		return;
	for (w = buf; *w != '\0'; w += wl + (w[wl] == ' ')) {
		wl = strcspn(w, " ");
		if (wl == n && memcmp(w, r, n) == 0)
			return;
	}
	appendf(buf, bufsz, "%s%.*s", buf[0] != '\0' ? " " : "", (int)n, r);
}

static void
scan_add(krb5_context kc, struct kt_scan *sc, const krb5_keytab_entry *ent)
{
	struct kt_group *g = NULL;
	char *name = NULL, en[64];
	int i;

	if (krb5_unparse_name(kc, ent->principal, &name) != 0)
		return;
	for (i = 0; i < sc->ngroups; i++)
		if (sc->g[i].kvno == ent->vno &&
		    strcmp(sc->g[i].princ, name) == 0)
			g = &sc->g[i];
	if (g == NULL && sc->ngroups == KT_GROUPS)
		sc->more++;
	else if (g == NULL) {
		g = &sc->g[sc->ngroups++];
		(void)snprintf(g->princ, sizeof(g->princ), "%s", name);
		g->kvno = ent->vno;
		g->enctypes[0] = '\0';
	}
	if (g != NULL) {
		enctype_name(ent->key.enctype, en, sizeof(en));
		appendf(g->enctypes, sizeof(g->enctypes), "%s%s",
		    g->enctypes[0] != '\0' ? " " : "", en);
	}
	realm_add(sc->realms, sizeof(sc->realms), ent->principal);
	if (!enctype_weak(ent->key.enctype))
		sc->strong = 1;
	if (ent->vno > sc->max_kvno)
		sc->max_kvno = ent->vno;
	krb5_free_unparsed_name(kc, name);
}

/*
 * Every entry of the keytab for sip/<fqdn>.  0, or a krb5 error with the
 * library's message in err.
 */
static krb5_error_code
scan_keytab(krb5_context kc, const char *keytab, const char *fqdn,
    struct kt_scan *sc, char *err, size_t errsz)
{
	krb5_keytab kt = NULL;
	krb5_kt_cursor cur;
	krb5_keytab_entry ent;
	krb5_principal want = NULL;
	krb5_error_code e;
	const char *m;

	memset(sc, 0, sizeof(*sc));
	if ((e = mech_keytab_service_princ(kc, fqdn, &want)) != 0 ||
	    (e = krb5_kt_resolve(kc, keytab, &kt)) != 0 ||
	    (e = krb5_kt_start_seq_get(kc, kt, &cur)) != 0)
		goto out;
	while ((e = krb5_kt_next_entry(kc, kt, &ent, &cur)) == 0) {
		if (krb5_sname_match(kc, want, ent.principal))
			scan_add(kc, sc, &ent);
		/* Wipes the key. */
		(void)krb5_free_keytab_entry_contents(kc, &ent);
	}
	(void)krb5_kt_end_seq_get(kc, kt, &cur);
	if (e == KRB5_KT_END)
		e = 0;
out:
	if (e != 0) {
		m = krb5_get_error_message(kc, e);
		(void)snprintf(err, errsz, "%s", m);
		krb5_free_error_message(kc, m);
	}
	if (kt != NULL)
		(void)krb5_kt_close(kc, kt);
	krb5_free_principal(kc, want);
	return e;
}

/* " sip/x@R kvno 2 aes256-... aes128-..., kvno 3 ..." */
static void
scan_text(const struct kt_scan *sc, char *buf, size_t bufsz)
{
	int i;

	for (i = 0; i < sc->ngroups; i++) {
		if (i == 0 || strcmp(sc->g[i].princ, sc->g[i - 1].princ) != 0)
			appendf(buf, bufsz, "%s %s", i > 0 ? ";" : "",
			    sc->g[i].princ);
		else
			appendf(buf, bufsz, ",");
		appendf(buf, bufsz, " kvno %u %s", (unsigned)sc->g[i].kvno,
		    sc->g[i].enctypes);
	}
	if (sc->more > 0)
		appendf(buf, bufsz, " (and %d more)", sc->more);
}

int
mech_keytab_check(const char *keytab, const char *fqdn, char *line,
    size_t linesz, char *warn, size_t warnsz, char *realms, size_t realmssz)
{
	krb5_context kc = NULL;
	struct kt_scan sc;
	char err[256];
	krb5_error_code e;

	line[0] = '\0';
	warn[0] = '\0';
	if (realms != NULL && realmssz > 0)
		realms[0] = '\0';
	if ((e = krb5_init_context(&kc)) != 0) {
		(void)snprintf(line, linesz, "keytab %s: cannot start the "
		    "Kerberos library (error %ld)", keytab, (long)e);
		return MECH_KT_ERROR;
	}
	e = scan_keytab(kc, keytab, fqdn, &sc, err, sizeof(err));
	krb5_free_context(kc);
	if (e != 0) {
		(void)snprintf(line, linesz, "keytab %s cannot be read (%s): "
		    "it must hold the key of sip/%s; ", keytab,
		    err, fqdn);
		append_fix(line, linesz, keytab, fqdn);
		return MECH_KT_ERROR;
	}
	if (sc.ngroups == 0) {
		(void)snprintf(line, linesz, "keytab %s has no key for sip/%s "
		    "(the service principal sipsad accepts for); ", keytab,
		    fqdn);
		append_fix(line, linesz, keytab, fqdn);
		return MECH_KT_ERROR;
	}
	if (realms != NULL && realmssz > 0)
		(void)snprintf(realms, realmssz, "%s", sc.realms);
	(void)snprintf(line, linesz, "keytab %s:", keytab);
	scan_text(&sc, line, linesz);
	if (sc.strong)
		return MECH_KT_OK;
	(void)snprintf(warn, warnsz, "keytab %s: sip/%s has only RC4 "
	    "(arcfour-hmac) or DES keys; RC4 is deprecated and DES is gone: "
	    "in Active Directory set msDS-SupportedEncryptionTypes of the "
	    "service account to AES (0x18), then export the keytab again "
	    "with AES keys (ktpass -crypto AES256-SHA1, msktutil --enctypes "
	    "0x18); MIT: kadmin ktadd -e aes256-cts-hmac-sha1-96:normal",
	    keytab, fqdn);
	return MECH_KT_WEAK;
}

/* Append the library's message for e and the advice; MECH_KT_UNTESTED. */
static int
probe_fail(krb5_context kc, krb5_error_code e, char *out, size_t outsz,
    const char *advice)
{
	const char *m = krb5_get_error_message(kc, e);

	appendf(out, outsz, " (%s)%s", m, advice);
	krb5_free_error_message(kc, m);
	return MECH_KT_UNTESTED;
}

static const char kinit_first[] = ": run kinit first (e.g. kinit alice)";

/*
 * The ticket-granting tickets of the caller's cache in a private MEMORY
 * cache: a service ticket the caller's cache still holds may be older
 * than the account's last password change; the probe asks the KDC anew
 * and leaves the caller's cache as it was.
 */
#define PROBE_CCACHE	"MEMORY:sipsad-check-keytab"

static krb5_error_code
copy_tgts(krb5_context kc, krb5_ccache from, krb5_principal client,
    krb5_ccache *to)
{
	krb5_cc_cursor cur;
	krb5_creds c;
	krb5_error_code e;
	int n = 0;

	if ((e = krb5_cc_resolve(kc, PROBE_CCACHE, to)) != 0)
		return e;
	if ((e = krb5_cc_initialize(kc, *to, client)) != 0 ||
	    (e = krb5_cc_start_seq_get(kc, from, &cur)) != 0)
		return e;
	while (krb5_cc_next_cred(kc, from, &cur, &c) == 0) {
		if (c.server->length == 2 && c.server->data[0].length == 6 &&
		    memcmp(c.server->data[0].data, "krbtgt", 6) == 0 &&
		    krb5_cc_store_cred(kc, *to, &c) == 0)
			n++;
		krb5_free_cred_contents(kc, &c);
	}
	(void)krb5_cc_end_seq_get(kc, from, &cur);
	return n > 0 ? 0 : KRB5_CC_NOTFOUND;
}

/* The ticket a client gets for sip/<fqdn>: its name, kvno and enctype. */
struct probe_ticket {
	char		 server[256];
	krb5_kvno	 kvno;
	krb5_enctype	 enctype;
};

static int
probe_ticket(krb5_context kc, const char *fqdn, struct probe_ticket *pt,
    char *out, size_t outsz)
{
	krb5_ccache cc = NULL, mem = NULL;
	krb5_creds in, *creds = NULL;
	krb5_ticket *tkt = NULL;
	krb5_error_code e;
	char *name = NULL;
	int rc = MECH_KT_UNTESTED;

	memset(&in, 0, sizeof(in));
	if ((e = krb5_cc_default(kc, &cc)) != 0) {
		(void)snprintf(out, outsz, "no Kerberos credentials cache");
		return probe_fail(kc, e, out, outsz, kinit_first);
	}
	if ((e = krb5_cc_get_principal(kc, cc, &in.client)) != 0) {
		(void)snprintf(out, outsz, "no Kerberos credentials in %s",
		    krb5_cc_get_name(kc, cc));
		rc = probe_fail(kc, e, out, outsz, kinit_first);
		goto out;
	}
	if ((e = krb5_sname_to_principal(kc, fqdn, "sip", KRB5_NT_SRV_HST,
	    &in.server)) != 0) {
		(void)snprintf(out, outsz, "sip/%s", fqdn);
		rc = probe_fail(kc, e, out, outsz, "");
		goto out;
	}
	if ((e = copy_tgts(kc, cc, in.client, &mem)) != 0) {
		(void)snprintf(out, outsz, "no ticket-granting ticket in %s",
		    krb5_cc_get_name(kc, cc));
		rc = probe_fail(kc, e, out, outsz, kinit_first);
		goto out;
	}
	e = krb5_get_credentials(kc, 0, mem, &in, &creds);
	if (e == KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN) {
		(void)snprintf(out, outsz, "the KDC does not know sip/%s: "
		    "register the service principal (Active Directory: "
		    "setspn -S sip/%s ACCOUNT; MIT: kadmin addprinc -randkey "
		    "sip/%s)", fqdn, fqdn, fqdn);
		goto out;
	}
	if (e == KRB5KRB_AP_ERR_TKT_EXPIRED || e == KRB5_CC_NOTFOUND ||
	    e == KRB5_FCC_NOFILE) {
		(void)snprintf(out, outsz, "no usable ticket-granting ticket "
		    "in %s", krb5_cc_get_name(kc, cc));
		rc = probe_fail(kc, e, out, outsz, kinit_first);
		goto out;
	}
	if (e != 0) {
		(void)snprintf(out, outsz, "cannot get a ticket for sip/%s "
		    "from the KDC", fqdn);
		rc = probe_fail(kc, e, out, outsz, "");
		goto out;
	}
	if ((e = krb5_decode_ticket(&creds->ticket, &tkt)) != 0 ||
	    (e = krb5_unparse_name(kc, creds->server, &name)) != 0) {
		(void)snprintf(out, outsz, "the ticket for sip/%s does not "
		    "decode", fqdn);
		rc = probe_fail(kc, e, out, outsz, "");
		goto out;
	}
	(void)snprintf(pt->server, sizeof(pt->server), "%s", name);
	pt->kvno = tkt->enc_part.kvno;
	pt->enctype = tkt->enc_part.enctype;
	rc = MECH_KT_OK;
out:
	krb5_free_unparsed_name(kc, name);
	krb5_free_ticket(kc, tkt);
	krb5_free_creds(kc, creds);
	krb5_free_principal(kc, in.client);
	krb5_free_principal(kc, in.server);
	if (cc != NULL)
		(void)krb5_cc_close(kc, cc);
	/* The MEMORY cache stays for the acceptor test; destroyed after. */
	if (mem != NULL)
		(void)krb5_cc_close(kc, mem);
	return rc;
}

/* sipsad's own acceptor on the keytab (no replay cache), fed a token
   made from the caller's credentials cache. */
static enum mech_reason
probe_accept(const char *keytab, const char *fqdn, char *gss, size_t gsssz)
{
	struct mech_server_params sp = { .fqdn = fqdn, .keytab = keytab,
	    .rcache_dir = "none" };
	struct mech_client_params cp = { .kind = MECH_KERBEROS,
	    .target_fqdn = fqdn, .ccache = PROBE_CCACHE };
	struct mech_server *s = NULL;
	struct mech_ctx *ic = NULL, *ac = NULL;
	struct mech_result res;
	enum mech_reason r;
	uint8_t *tok;
	size_t len;

	gss[0] = '\0';
	if (mech_server_create(&sp, &s, gss, gsssz) != 0)
		return MECH_R_NO_CREDENTIALS;
	if (mech_init(&cp, &ic, NULL, 0, &res) != 0)
		r = MECH_R_INTERNAL;
	else if ((r = res.reason) == MECH_OK) {
		tok = res.out;
		len = res.out_len;
		if (mech_accept(s, MECH_KERBEROS, &ac, tok, len, &res) != 0)
			r = MECH_R_INTERNAL;
		else
			r = res.reason;
		free(res.out);
		free(tok);
	}
	mech_status_text(&res.status, gss, gsssz);
	mech_ctx_free(ic);
	mech_ctx_free(ac);
	mech_server_free(s);
	return r;
}

int
mech_keytab_probe(const char *keytab, const char *fqdn, char *out,
    size_t outsz)
{
	krb5_context kc = NULL;
	struct probe_ticket pt;
	struct kt_scan sc;
	krb5_ccache mem;
	enum mech_reason r;
	char err[256], gss[300], en[64], have[512];
	int i, rc, kvno_found = 0;

	out[0] = '\0';
	if (krb5_init_context(&kc) != 0) {
		(void)snprintf(out, outsz, "cannot start the Kerberos library");
		return MECH_KT_UNTESTED;
	}
	memset(&pt, 0, sizeof(pt));
	if ((rc = probe_ticket(kc, fqdn, &pt, out, outsz)) != MECH_KT_OK)
		goto out;
	enctype_name(pt.enctype, en, sizeof(en));
	if (scan_keytab(kc, keytab, fqdn, &sc, err, sizeof(err)) != 0) {
		(void)snprintf(out, outsz, "keytab %s cannot be read (%s); ",
		    keytab, err);
		append_fix(out, outsz, keytab, fqdn);
		rc = MECH_KT_ERROR;
		goto out;
	}
	r = probe_accept(keytab, fqdn, gss, sizeof(gss));
	if (r == MECH_OK) {
		(void)snprintf(out, outsz, "keytab OK: ticket for %s kvno %u "
		    "enctype %s decrypted with %s", pt.server,
		    (unsigned)pt.kvno, en, keytab);
		goto out;
	}
	rc = MECH_KT_ERROR;
	have[0] = '\0';
	for (i = 0; i < sc.ngroups; i++) {
		appendf(have, sizeof(have), "%s%u", i > 0 ? ", " : "",
		    (unsigned)sc.g[i].kvno);
		if (sc.g[i].kvno == pt.kvno)
			kvno_found = 1;
	}
	if (sc.ngroups == 0)
		(void)snprintf(out, outsz, "keytab %s has no key for sip/%s; ",
		    keytab, fqdn);
	else if (!kvno_found && pt.kvno > sc.max_kvno)
		(void)snprintf(out, outsz, "keytab STALE: the KDC's ticket for "
		    "%s has kvno %u (%s), keytab %s holds kvno %s: it is from "
		    "an older password of the account and must be exported "
		    "again; ", pt.server, (unsigned)pt.kvno, en, keytab,
		    have);
	else if (!kvno_found)
		(void)snprintf(out, outsz, "keytab MISMATCH: the KDC's ticket "
		    "for %s has kvno %u (%s), keytab %s holds kvno %s; ",
		    pt.server, (unsigned)pt.kvno, en, keytab, have);
	else
		(void)snprintf(out, outsz, "keytab MISMATCH: the ticket for "
		    "%s (kvno %u, %s) does not decrypt with keytab %s (%s): "
		    "no %s key, or a key from another password with the same "
		    "kvno; ", pt.server, (unsigned)pt.kvno, en, keytab, gss,
		    en);
	append_fix(out, outsz, keytab, fqdn);
out:
	if (krb5_cc_resolve(kc, PROBE_CCACHE, &mem) == 0)
		(void)krb5_cc_destroy(kc, mem);
	krb5_free_context(kc);
	return rc;
}
