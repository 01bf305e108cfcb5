/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/audit_value.c: how an audit line writes a value (src/audit.h), on
 * its own so that the unit tests link it without the daemon.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "src/audit.h"

char *
audit_value(char *buf, size_t len, const char *v)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@:/+%\\-";
	size_t n = 0;
	unsigned char c;

	if (len == 0)
		return buf;
	if (v == NULL || *v == '\0') {
		(void)snprintf(buf, len, "-");
		return buf;
	}
	if (strspn(v, plain) == strlen(v)) {
		(void)snprintf(buf, len, "%s", v);
		return buf;
	}
	/* Room for the closing quote and the terminator is kept. */
	buf[n++] = '"';
	for (; *v != '\0' && n + 6 < len; v++) {
		c = (unsigned char)*v;
		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	if (n < len - 1)
		buf[n++] = '"';
	buf[n < len ? n : len - 1] = '\0';
	return buf;
}
