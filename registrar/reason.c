/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registrar/reason.c: the one table mapping each registrar outcome to its
 * SIP status, reason phrase and Warning text (RFC 3261 §10.3, RFC 3261
 * §21 for the codes).
 */
#include "config.h"

#include <stddef.h>

#include "registrar/internal.h"

struct reg_reply {
	unsigned	 status;
	const char	*phrase;
	const char	*name;		/* for log lines */
	const char	*warning;	/* text for a Warning header, or NULL */
};

/*
 * Indexed by enum reg_reason.  A reason missing here would have status 0;
 * the unit tests walk every reason and fail on that.
 */
static const struct reg_reply reg_replies[REG_REASON_MAX] = {
	[REG_REASON_OK] = { 200, "OK", "OK", NULL },
	[REG_REASON_REMOVED] = { 200, "OK", "REMOVED", NULL },
	[REG_REASON_QUERY] = { 200, "OK", "QUERY", NULL },
	[REG_REASON_RETRANSMISSION] = { 200, "OK", "RETRANSMISSION", NULL },
	[REG_REASON_BAD_REQUEST] = { 400, "Bad Request", "BAD_REQUEST",
	    "AOR or Call-ID missing or too long" },
	[REG_REASON_BAD_CONTACT] = { 400, "Invalid Contact", "BAD_CONTACT",
	    "Contact is not a valid sip or sips URI" },
	[REG_REASON_BAD_STAR] = { 400, "Invalid Wildcard Contact",
	    "BAD_STAR",
	    "Contact * needs Expires: 0 and no other Contact" },
	[REG_REASON_NO_ENDPOINT] = { 400, "Missing Endpoint Identifier",
	    "NO_ENDPOINT", "Neither epid nor +sip.instance present" },
	[REG_REASON_DUP_ENDPOINT] = { 400, "Duplicate Endpoint",
	    "DUP_ENDPOINT", "Two Contacts name the same endpoint" },
	[REG_REASON_INSTANCE_MISMATCH] = { 403, "Forbidden",
	    "INSTANCE_MISMATCH",
	    "+sip.instance does not belong to this epid" },
	[REG_REASON_TOO_MANY_ENDPOINTS] = { 403, "Forbidden",
	    "TOO_MANY_ENDPOINTS",
	    "Too many endpoints registered for this user" },
	[REG_REASON_INTERVAL_TOO_BRIEF] = { 423, "Interval Too Brief",
	    "INTERVAL_TOO_BRIEF", NULL },
	[REG_REASON_OUT_OF_ORDER] = { 500, "Server Internal Error",
	    "OUT_OF_ORDER", "CSeq lower than the binding's" },
	[REG_REASON_STORE_ERROR] = { 500, "Server Internal Error",
	    "STORE_ERROR", NULL },
	[REG_REASON_NO_MEMORY] = { 500, "Server Internal Error",
	    "NO_MEMORY", NULL },
};

/*
 * A reason outside the table (a caller bug) reads as a 500; a reason the
 * table lacks reads as status 0, which the unit tests catch.
 */
unsigned
registrar_reason_status(enum reg_reason r, const char **phrase)
{
	const struct reg_reply *rp;

	if ((unsigned)r >= REG_REASON_MAX)
		rp = &reg_replies[REG_REASON_STORE_ERROR];
	else
		rp = &reg_replies[r];
	if (phrase != NULL)
		*phrase = rp->phrase != NULL ? rp->phrase : "";
	return rp->status;
}

const char *
registrar_reason_name(enum reg_reason r)
{
	if ((unsigned)r >= REG_REASON_MAX || reg_replies[r].name == NULL)
		return "UNKNOWN";
	return reg_replies[r].name;
}

const char *
registrar_reason_warning(enum reg_reason r)
{
	if ((unsigned)r >= REG_REASON_MAX)
		return NULL;
	return reg_replies[r].warning;
}
