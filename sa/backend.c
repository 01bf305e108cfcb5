/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/backend.c: sa_mech_gss, the mechanism operations of production SA
 * tables, forwarding to sa/mech.h (gss-ntlmssp NTLM and MIT Kerberos).
 * It is its own object file so that programs which never name it (unit
 * tests of the table logic) do not link the mechanisms.
 */
#include "config.h"

#include "sa/sa.h"

const struct sa_mech_ops sa_mech_gss = {
	.accept = mech_accept,
	.sign = mech_sign,
	.verify = mech_verify,
	.ctx_free = mech_ctx_free,
	.ctx_memory = mech_ctx_memory,
	.status_text = mech_status_text,
	.accept_finish = mech_accept_finish,
	.job_run = mech_job_run,
	.job_free = mech_job_free,
};
