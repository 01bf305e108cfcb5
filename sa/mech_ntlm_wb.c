/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech_ntlm_wb.c: NTLM users of a Windows domain (ntlm { users winbind }):
 * the AUTHENTICATE is checked by a domain controller, through the local
 * winbindd (libwbclient) and Netlogon, as a domain member checks it.
 *
 * gss-ntlmssp can ask winbindd too, but it keeps only "access denied" of
 * the DC's answer, and it asks on the caller's thread.  Here the second
 * leg makes a job (struct mech_job, sa/mech.h) holding copies of what the
 * DC needs; the daemon runs it on a worker thread, so that a slow or
 * stopped DC holds that thread, not the event loop; the DC's NTSTATUS
 * becomes a reason of its own (disabled, locked out, expired, ...).  On
 * success the DC returns the NTLMv2 session base key, from which the
 * exported session key, the MIC check and the signing keys follow
 * ([MS-NLMP] §3.4.5.1: with NTLMv2 the key exchange key is the session
 * base key).  The first leg (the CHALLENGE) stays gss-ntlmssp's.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <wbclient.h>

#include "sa/mech.h"
#include "sa/mech_int.h"
#include "sipauth/ntlm.h"

struct mech_job {
	/* In: copies, UTF-8 names as the client sent them. */
	char		 user[256];
	char		 domain[256];
	char		 workstation[256];
	uint8_t		 challenge[8];
	uint8_t		*nt;		/* NTLMv2 response */
	size_t		 nt_len;
	uint8_t		*lm;
	size_t		 lm_len;
	/* Out, from the DC. */
	int		 wbc;		/* wbcErr */
	uint32_t	 nt_status;
	uint8_t		 session_key[NTLM_KEY_LEN];
	char		 name[520];	/* "DOMAIN\account", the DC's */
};

/* NTSTATUS values ([MS-ERREF] §2.3.1) the DC answers a logon with. */
#define NT_NO_LOGON_SERVERS		0xC000005Eu
#define NT_NO_SUCH_USER			0xC0000064u
#define NT_WRONG_PASSWORD		0xC000006Au
#define NT_LOGON_FAILURE		0xC000006Du
#define NT_ACCOUNT_RESTRICTION		0xC000006Eu
#define NT_INVALID_LOGON_HOURS		0xC000006Fu
#define NT_INVALID_WORKSTATION		0xC0000070u
#define NT_PASSWORD_EXPIRED		0xC0000071u
#define NT_ACCOUNT_DISABLED		0xC0000072u
#define NT_IO_TIMEOUT			0xC00000B5u
#define NT_NO_SUCH_DOMAIN		0xC00000DFu
#define NT_NO_TRUST_SAM_ACCOUNT		0xC000018Bu
#define NT_TRUSTED_RELATIONSHIP_FAILURE	0xC000018Du
#define NT_NETLOGON_NOT_STARTED		0xC0000192u
#define NT_ACCOUNT_EXPIRED		0xC0000193u
#define NT_PASSWORD_MUST_CHANGE		0xC0000224u
#define NT_DOMAIN_CONTROLLER_NOT_FOUND	0xC0000233u
#define NT_ACCOUNT_LOCKED_OUT		0xC0000234u

static const struct {
	uint32_t		 status;
	enum mech_reason	 reason;
	const char		*name;
} nt_map[] = {
	{ NT_NO_SUCH_USER, MECH_R_UNKNOWN_USER, "NO_SUCH_USER" },
	{ NT_NO_SUCH_DOMAIN, MECH_R_UNKNOWN_USER, "NO_SUCH_DOMAIN" },
	{ NT_WRONG_PASSWORD, MECH_R_BAD_PASSWORD, "WRONG_PASSWORD" },
	/* What a DC says, for an unknown user as for a wrong password, to
	   whom it does not tell them apart. */
	{ NT_LOGON_FAILURE, MECH_R_BAD_PASSWORD, "LOGON_FAILURE" },
	{ NT_ACCOUNT_DISABLED, MECH_R_ACCOUNT_DISABLED, "ACCOUNT_DISABLED" },
	{ NT_ACCOUNT_LOCKED_OUT, MECH_R_ACCOUNT_LOCKED, "ACCOUNT_LOCKED_OUT" },
	{ NT_PASSWORD_EXPIRED, MECH_R_PASSWORD_EXPIRED, "PASSWORD_EXPIRED" },
	{ NT_PASSWORD_MUST_CHANGE, MECH_R_PASSWORD_EXPIRED,
	    "PASSWORD_MUST_CHANGE" },
	{ NT_ACCOUNT_EXPIRED, MECH_R_ACCOUNT_EXPIRED, "ACCOUNT_EXPIRED" },
	{ NT_ACCOUNT_RESTRICTION, MECH_R_ACCOUNT_RESTRICTED,
	    "ACCOUNT_RESTRICTION" },
	{ NT_INVALID_LOGON_HOURS, MECH_R_ACCOUNT_RESTRICTED,
	    "INVALID_LOGON_HOURS" },
	{ NT_INVALID_WORKSTATION, MECH_R_ACCOUNT_RESTRICTED,
	    "INVALID_WORKSTATION" },
	{ NT_NO_LOGON_SERVERS, MECH_R_UNAVAILABLE, "NO_LOGON_SERVERS" },
	{ NT_IO_TIMEOUT, MECH_R_UNAVAILABLE, "IO_TIMEOUT" },
	{ NT_NO_TRUST_SAM_ACCOUNT, MECH_R_UNAVAILABLE,
	    "NO_TRUST_SAM_ACCOUNT" },
	{ NT_TRUSTED_RELATIONSHIP_FAILURE, MECH_R_UNAVAILABLE,
	    "TRUSTED_RELATIONSHIP_FAILURE" },
	{ NT_NETLOGON_NOT_STARTED, MECH_R_UNAVAILABLE,
	    "NETLOGON_NOT_STARTED" },
	{ NT_DOMAIN_CONTROLLER_NOT_FOUND, MECH_R_UNAVAILABLE,
	    "DOMAIN_CONTROLLER_NOT_FOUND" },
};

static void *
dup_field(const struct ntlm_field *f, size_t *len)
{
	uint8_t *p;

	*len = 0;
	if (f->len == 0)
		return NULL;
	if ((p = malloc(f->len)) == NULL)
		return NULL;
	memcpy(p, f->data, f->len);
	*len = f->len;
	return p;
}

void
mech_job_free(struct mech_job *job)
{
	if (job == NULL)
		return;
	if (job->nt != NULL)
		OPENSSL_cleanse(job->nt, job->nt_len);
	if (job->lm != NULL)
		OPENSSL_cleanse(job->lm, job->lm_len);
	free(job->nt);
	free(job->lm);
	OPENSSL_cleanse(job, sizeof(*job));
	free(job);
}

int
mech_ntlm_wb_job(const struct ntlm_authenticate *a,
    const uint8_t challenge[8], struct mech_job **job_out)
{
	struct mech_job *job;

	*job_out = NULL;
	if ((job = calloc(1, sizeof(*job))) == NULL)
		return ENOMEM;
	if (sipauth_ntlm_utf16_to_utf8(&a->user, job->user,
	    sizeof(job->user)) != 0 ||
	    sipauth_ntlm_utf16_to_utf8(&a->domain, job->domain,
	    sizeof(job->domain)) != 0 ||
	    sipauth_ntlm_utf16_to_utf8(&a->workstation, job->workstation,
	    sizeof(job->workstation)) != 0) {
		mech_job_free(job);
		return EBADMSG;
	}
	memcpy(job->challenge, challenge, sizeof(job->challenge));
	job->nt = dup_field(&a->nt_response, &job->nt_len);
	job->lm = dup_field(&a->lm_response, &job->lm_len);
	if (job->nt == NULL || (a->lm_response.len > 0 && job->lm == NULL)) {
		mech_job_free(job);
		return ENOMEM;
	}
	*job_out = job;
	return 0;
}

/*
 * One libwbclient context per thread, kept for the thread's life: its two
 * connections to winbindd (the public pipe, then the privileged one, each
 * with a version exchange) are made once, not for every AUTHENTICATE
 * (doc/benchmarks.md); libwbclient opens them again by itself when
 * winbindd has restarted.  Freed when the thread ends.
 */
static pthread_key_t wb_key;
static pthread_once_t wb_once = PTHREAD_ONCE_INIT;
static int wb_key_ok;

static void
wb_ctx_free(void *wc)
{
	wbcCtxFree(wc);
}

static void
wb_key_init(void)
{
	wb_key_ok = pthread_key_create(&wb_key, wb_ctx_free) == 0;
}

static struct wbcContext *
wb_ctx(void)
{
	struct wbcContext *wc;

	(void)pthread_once(&wb_once, wb_key_init);
	if (!wb_key_ok)
		return NULL;
	if ((wc = pthread_getspecific(wb_key)) == NULL &&
	    (wc = wbcCtxCreate()) != NULL &&
	    pthread_setspecific(wb_key, wc) != 0) {
		wbcCtxFree(wc);
		wc = NULL;
	}
	return wc;
}

void
mech_job_run(struct mech_job *job)
{
	struct wbcAuthUserParams p;
	struct wbcAuthUserInfo *info = NULL;
	struct wbcAuthErrorInfo *err = NULL;
	struct wbcContext *wc;
	wbcErr e;

	if ((wc = wb_ctx()) == NULL) {
		job->wbc = WBC_ERR_NO_MEMORY;
		return;
	}
	memset(&p, 0, sizeof(p));
	p.account_name = job->user;
	p.domain_name = job->domain;
	p.workstation_name = job->workstation;
	/* No trust (machine) accounts: SIP users are people. */
	p.parameter_control = 0;
	p.level = WBC_AUTH_USER_LEVEL_RESPONSE;
	memcpy(p.password.response.challenge, job->challenge,
	    sizeof(job->challenge));
	p.password.response.nt_length = (uint32_t)job->nt_len;
	p.password.response.nt_data = job->nt;
	p.password.response.lm_length = (uint32_t)job->lm_len;
	p.password.response.lm_data = job->lm;
	e = wbcCtxAuthenticateUserEx(wc, &p, &info, &err);
	job->wbc = (int)e;
	if (e == WBC_ERR_SUCCESS && info != NULL) {
		memcpy(job->session_key, info->user_session_key,
		    sizeof(job->session_key));
		if (snprintf(job->name, sizeof(job->name), "%s\\%s",
		    info->domain_name != NULL ? info->domain_name :
		    job->domain, info->account_name != NULL ?
		    info->account_name : job->user) >= (int)sizeof(job->name))
			job->name[0] = '\0';	/* no name: refused */
		OPENSSL_cleanse(info->user_session_key,
		    sizeof(info->user_session_key));
		OPENSSL_cleanse(info->lm_session_key,
		    sizeof(info->lm_session_key));
	} else if (e == WBC_ERR_SUCCESS)
		job->wbc = WBC_ERR_INVALID_RESPONSE;
	else if (err != NULL)
		job->nt_status = err->nt_status;
	wbcFreeMemory(info);
	wbcFreeMemory(err);
}

/* The reason for what winbindd answered, and the status to log. */
static enum mech_reason
job_reason(const struct mech_job *job, struct mech_status *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	if (job->wbc == WBC_ERR_SUCCESS)
		return MECH_OK;
	if (job->wbc == WBC_ERR_AUTH_ERROR && job->nt_status != 0) {
		st->nt_status = job->nt_status;
		for (i = 0; i < sizeof(nt_map) / sizeof(nt_map[0]); i++)
			if (nt_map[i].status == job->nt_status)
				return nt_map[i].reason;
		return MECH_R_BAD_PASSWORD;
	}
	st->wbc_error = job->wbc;
	switch (job->wbc) {
	case WBC_ERR_WINBIND_NOT_AVAILABLE:
	case WBC_ERR_DOMAIN_NOT_FOUND:
		return MECH_R_UNAVAILABLE;
	case WBC_ERR_UNKNOWN_USER:
		return MECH_R_UNKNOWN_USER;
	case WBC_ERR_INVALID_PARAM:
		return MECH_R_BAD_TOKEN;
	default:
		return MECH_R_INTERNAL;
	}
}

enum mech_reason
mech_ntlm_wb_finish(struct mech_ctx *ctx, struct mech_job *job,
    struct mech_result *res)
{
	uint8_t esk[NTLM_KEY_LEN];
	struct ntlm_authenticate a;
	enum mech_reason r;

	if ((r = job_reason(job, &res->status)) != MECH_OK) {
		/* For the log line: the account claimed (cut if long). */
		if (snprintf(res->user, sizeof(res->user), "%s%s%s",
		    job->domain, job->domain[0] != '\0' ? "\\" : "",
		    job->user) >= (int)sizeof(res->user))
			res->user[sizeof(res->user) - 1] = '\0';
		return r;
	}
	if (sipauth_ntlm_decode_authenticate(ctx->u.ntlm.auth,
	    ctx->u.ntlm.auth_len, &a) != 0 ||
	    sipauth_ntlm_exported_key(job->session_key,
	    a.enc_session_key.data, esk) != 0)
		return MECH_R_INTERNAL;
	/* The MIC binds the flags and names to the session key. */
	if (a.has_mic && sipauth_ntlm_mic_check(esk, ctx->u.ntlm.challenge,
	    ctx->u.ntlm.challenge_len, ctx->u.ntlm.auth,
	    ctx->u.ntlm.auth_len, a.mic) != 0)
		r = MECH_R_BAD_TOKEN;
	else {
		sipauth_ntlm_derive_keys(esk, a.flags, &ctx->u.ntlm.keys);
		r = ctx->u.ntlm.keys.flags != 0 ? MECH_OK : MECH_R_INTERNAL;
		if (snprintf(res->user, sizeof(res->user), "%s",
		    job->name) >= (int)sizeof(res->user))
			res->user[0] = '\0';	/* complete() refuses it */
	}
	OPENSSL_cleanse(esk, sizeof(esk));
	return r;
}

void
mech_ntlm_wb_status_text(const struct mech_status *st, char *buf,
    size_t bufsz)
{
	size_t i;

	if (st->nt_status != 0) {
		for (i = 0; i < sizeof(nt_map) / sizeof(nt_map[0]); i++)
			if (nt_map[i].status == st->nt_status)
				break;
		(void)snprintf(buf, bufsz, "winbind: NT_STATUS_%s (0x%08X)",
		    i < sizeof(nt_map) / sizeof(nt_map[0]) ?
		    nt_map[i].name : "?", (unsigned int)st->nt_status);
	} else
		(void)snprintf(buf, bufsz, "winbind: %s",
		    wbcErrorString((wbcErr)st->wbc_error));
}
