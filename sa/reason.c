/* SPDX-License-Identifier: BSD-2-Clause */
/* sa/reason.c: names of SA outcomes for log lines, and log-safe text. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sa/sa_priv.h"

_Static_assert((int)SA_R_INTERNAL == (int)MECH_R_INTERNAL &&
    (int)SA_R_REPLAYED_CNUM == (int)MECH_R_MAX,
    "enum sa_reason must start with enum mech_reason");

static const char *const reason_names[SA_R_MAX] = {
	[SA_R_OK] = "OK",
	[SA_R_UNKNOWN_USER] = "UNKNOWN_USER",
	[SA_R_BAD_PASSWORD] = "BAD_PASSWORD",
	[SA_R_CLOCK_SKEW] = "CLOCK_SKEW",
	[SA_R_REPLAYED_TICKET] = "REPLAYED_TICKET",
	[SA_R_BAD_TOKEN] = "BAD_TOKEN",
	[SA_R_BAD_SIGNATURE] = "BAD_SIGNATURE",
	[SA_R_FLAGS] = "FLAGS",
	[SA_R_NO_CREDENTIALS] = "NO_CREDENTIALS",
	[SA_R_ACCOUNT_DISABLED] = "ACCOUNT_DISABLED",
	[SA_R_ACCOUNT_LOCKED] = "ACCOUNT_LOCKED",
	[SA_R_PASSWORD_EXPIRED] = "PASSWORD_EXPIRED",
	[SA_R_ACCOUNT_EXPIRED] = "ACCOUNT_EXPIRED",
	[SA_R_ACCOUNT_RESTRICTED] = "ACCOUNT_RESTRICTED",
	[SA_R_UNAVAILABLE] = "DC_UNAVAILABLE",
	[SA_R_PENDING] = "PENDING",
	[SA_R_INTERNAL] = "INTERNAL",
	[SA_R_REPLAYED_CNUM] = "REPLAYED_CNUM",
	[SA_R_UNKNOWN_OPAQUE] = "UNKNOWN_OPAQUE",
	[SA_R_UNKNOWN_ENDPOINT] = "UNKNOWN_ENDPOINT",
	[SA_R_EXPIRED] = "EXPIRED",
	[SA_R_LIMIT] = "LIMIT",
	[SA_R_WRONG_STATE] = "WRONG_STATE",
	[SA_R_IDENTITY] = "IDENTITY",
	[SA_R_REPLACED] = "REPLACED",
	[SA_R_UNTRUSTED_REALM] = "UNTRUSTED_REALM",
};

const char *
sa_reason_name(enum sa_reason reason)
{
	if ((unsigned)reason >= SA_R_MAX || reason_names[reason] == NULL)
		return "UNKNOWN_REASON";
	return reason_names[reason];
}

const char *
sa_kind_name(enum mech_kind kind)
{
	return kind == MECH_KERBEROS ? "Kerberos" : "NTLM";
}

const char *
sa_logsafe(char *buf, size_t bufsz, const char *s)
{
	size_t i, n = 0, max = 64;

	if (bufsz == 0)
		return "";
	if (s == NULL)
		s = "-";
	if (max > bufsz - 1)
		max = bufsz - 1;
	for (i = 0; s[i] != '\0' && n < max; i++)
		buf[n++] = (s[i] > 0x20 && s[i] < 0x7f && s[i] != '"') ?
		    s[i] : '?';
	if (s[i] != '\0' && n >= 3)
		memcpy(buf + n - 3, "...", 3);
	buf[n] = '\0';
	return buf;
}
