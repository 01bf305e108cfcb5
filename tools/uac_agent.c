/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/uac_agent.c: the agent of tools/uac.h: the nta agent and its
 * transports (UDP, TCP, TLS with a checked certificate chain), the default
 * leg that takes the requests the server sends our endpoints, Sofia's log
 * lines, and the traces of every message for -v.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "tools/uac_int.h"

/* Exported by libsofia-sip-ua, not declared in its public headers. */
extern su_log_t nta_log[];
extern su_log_t tport_log[];

/*
 * Sofia's own log lines (nta, tport, su): written to sofia_out when it is
 * set, else dropped; the last one is kept, since it is often the only
 * account of a transport failure ("Connection refused (111) with ...").
 */
static FILE *sofia_out;
char uac_sofia_last[256];

static void
sofia_logger(void *stream, char const *fmt, va_list ap)
{
	char buf[1024];
	size_t len;

	(void)stream;
	if (vsnprintf(buf, sizeof(buf), fmt, ap) <= 0)
		return;
	if (sofia_out != NULL)
		fputs(buf, sofia_out);
	len = strcspn(buf, "\r\n");
	if (len > 0 && buf[0] != '\t') {
		if (len >= sizeof(uac_sofia_last))
			len = sizeof(uac_sofia_last) - 1;
		memcpy(uac_sofia_last, buf, len);
		uac_sofia_last[len] = '\0';
	}
}

void
uac_sofia_log(FILE *out)
{
	sofia_out = out;
	su_log_redirect(su_log_default, sofia_logger, NULL);
	su_log_redirect(nta_log, sofia_logger, NULL);
	su_log_redirect(tport_log, sofia_logger, NULL);
}

/* ---- the agent ---- */

/*
 * Sofia's TLS reads cafile.pem (and agent.pem, which a client does not
 * need) from a directory once, when the transport is made: give it a
 * private directory with a link to the CA bundle and remove it at once.
 */
static int
add_tls(struct uac_agent *a, const struct uac_agent_params *p, char *err,
    size_t errsz)
{
	char dir[] = "/tmp/sipsa-client.XXXXXX", link[64], url[300];
	const char *ca = p->tls_ca_file;
	char *abs = NULL;
	int rc = 0;

	if (ca == NULL)
		ca = X509_get_default_cert_file();
	if (access(ca, R_OK) != 0) {
		(void)snprintf(err, errsz, "TLS: cannot read the CA file %s "
		    "(give --ca-file, or --insecure): %s", ca,
		    strerror(errno));
		return EINVAL;
	}
	if ((abs = realpath(ca, NULL)) == NULL || mkdtemp(dir) == NULL) {
		(void)snprintf(err, errsz, "TLS: %s: %s", ca, strerror(errno));
		free(abs);
		return EIO;
	}
	(void)snprintf(link, sizeof(link), "%s/cafile.pem", dir);
	if (symlink(abs, link) != 0) {
		rc = errno;
		(void)snprintf(err, errsz, "TLS: %s: %s", link, strerror(rc));
	} else if ((void)snprintf(url, sizeof(url), "sips:%s:*;transport=tls",
	    p->bind_host != NULL ? p->bind_host : "*"),
	    nta_agent_add_tport(a->nta, (url_string_t *)url,
	    TPTAG_CERTIFICATE(dir),
	    /* 0: negotiate the best version. */
	    TPTAG_TLS_VERSION(0),
	    /*
	     * Sofia checks the chain; the name is checked on the first
	     * response (check_tls_name), since Sofia 1.12.11 compares it
	     * with DNS names only.
	     */
	    TPTAG_TLS_VERIFY_POLICY(p->tls_insecure ? TPTLS_VERIFY_NONE :
	    TPTLS_VERIFY_OUT), TAG_END()) != 0) {
		rc = EIO;
		(void)snprintf(err, errsz, "TLS: Sofia could not set up a "
		    "TLS transport with CA file %s", ca);
	}
	(void)unlink(link);
	(void)rmdir(dir);
	free(abs);
	return rc;
}

int
uac_agent_create(su_root_t *root, const struct uac_agent_params *p,
    struct uac_agent **out, char *err, size_t errsz)
{
	struct uac_agent *a;
	char url[300];
	int rc;

	*out = NULL;
	if (errsz > 0)
		err[0] = '\0';
	if ((a = su_home_new(sizeof(*a))) == NULL)
		return ENOMEM;
	a->root = root;
	/*
	 * EXTRACT_COPY keeps each header's wire text (rspauth is checked
	 * over it); a large UDP MTU keeps a Kerberos REGISTER on UDP, where
	 * nta would move a request over 1300 bytes to TCP.
	 */
	(void)snprintf(url, sizeof(url), "sip:%s:*", p != NULL &&
	    p->bind_host != NULL ? p->bind_host : "*");
	a->nta = nta_agent_create(root, (url_string_t *)url, NULL,
	    NULL, NTATAG_SIPFLAGS(MSG_FLG_EXTRACT_COPY),
	    /* A cancelled INVITE gets its 487 from us, signed. */
	    NTATAG_CANCEL_487(0),
	    NTATAG_UDP_MTU(65000), NTATAG_CLIENT_RPORT(1),
	    NTATAG_USE_NAPTR(0), NTATAG_USE_SRV(0), TAG_END());
	if (a->nta == NULL) {
		(void)snprintf(err, errsz, "cannot create the SIP agent "
		    "(UDP and TCP on any port): %s", strerror(errno));
		su_home_unref(a->home);
		return EIO;
	}
	/*
	 * The default leg takes every request the server sends to our
	 * endpoints over their connections (each is found by To epid).
	 */
	a->leg = nta_leg_tcreate(a->nta, uac_agent_request, a,
	    NTATAG_NO_DIALOG(1), TAG_END());
	if (a->leg == NULL) {
		(void)snprintf(err, errsz, "cannot create the SIP agent's "
		    "default leg");
		uac_agent_destroy(a);
		return ENOMEM;
	}
	a->tls_insecure = p != NULL && p->tls_insecure;
	if (p != NULL && p->want_tls &&
	    (rc = add_tls(a, p, err, errsz)) != 0) {
		uac_agent_destroy(a);
		return rc;
	}
	*out = a;
	return 0;
}

void
uac_agent_destroy(struct uac_agent *a)
{
	if (a == NULL)
		return;
	if (a->leg != NULL)
		nta_leg_destroy(a->leg);
	if (a->nta != NULL)
		nta_agent_destroy(a->nta);
	su_home_unref(a->home);
}

void
uac_agent_set_trace(struct uac_agent *a, uac_trace_f *fn, void *arg,
    int full)
{
	a->trace = fn;
	a->trace_arg = arg;
	a->trace_full = full;
}

/*
 * Hand msg to the trace callback, gssapi-data values cut short unless
 * full traces were asked for (an NTLM AUTHENTICATE allows an offline
 * guess at the password; it has no place in an everyday log).
 */
void
uac_trace_msg(struct uac *u, int sent, msg_t *msg)
{
	static const char key[] = "gssapi-data=\"";
	struct uac_agent *a = u->agent;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char *text, *out, *o, *p, *q;
	size_t len = 0;

	if (a->trace == NULL || msg == NULL)
		return;
	if ((text = msg_as_string(home, msg, NULL, 0, &len)) == NULL)
		goto out;
	if (!a->trace_full && (out = su_alloc(home, len + 1)) != NULL) {
		for (p = text, o = out; *p != '\0';) {
			if (strncasecmp(p, key, sizeof(key) - 1) != 0) {
				*o++ = *p++;
				continue;
			}
			memcpy(o, p, sizeof(key) - 1);
			o += sizeof(key) - 1;
			p += sizeof(key) - 1;
			for (q = p; *q != '\0' && *q != '"'; q++)
				;
			/* Cut only what is longer than the cut form, so
			   that the text never grows: out has len + 1. */
			if (q - p > 19) {
				memcpy(o, p, 16);
				memcpy(o + 16, "...", 3);
				o += 19;
			} else {
				memcpy(o, p, (size_t)(q - p));
				o += q - p;
			}
			p = q;
		}
		*o = '\0';
		text = out;
		len = (size_t)(o - out);
	}
	a->trace(a->trace_arg, sent, u->where, text, len);
 out:
	su_home_deinit(home);
}
