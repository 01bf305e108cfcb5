/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech_ntlm_user.c: after gss-ntlmssp rejects an AUTHENTICATE, look the
 * user up in the NTLM user file to tell an unknown user from a wrong
 * password (gss-ntlmssp reports both as GSS_S_FAILURE, minor 0).  Only
 * runs on the failure path, so the success path pays nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "sa/mech_int.h"
#include "sipauth/ntlm.h"

/* Is hex32 a field of exactly 32 hex digits (an smbpasswd hash)? */
static int
is_hash(const char *f, size_t len)
{
	size_t i;

	if (len != 32)
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("0123456789abcdefABCDEFX", f[i]) == NULL)
			return 0;
	return 1;
}

/*
 * Does one line name domain\user?  Two formats (as gss-ntlmssp reads
 * them): smbpasswd "[DOM\]USER:UID:LMHASH:NTHASH:..." and Heimdal
 * "DOM:USER:PASSWORD".  Names compare case-insensitively; an empty domain
 * on either side matches any domain.
 */
static int
line_matches(const char *line, const char *domain, const char *user)
{
	const char *f[4], *p, *bs;
	size_t flen[4], n = 0, ulen, dlen;
	const char *ud, *uu;

	for (p = line; n < 4; n++) {
		f[n] = p;
		flen[n] = strcspn(p, ":\n");
		if (p[flen[n]] != ':')
			break;
		p += flen[n] + 1;
	}
	if (n >= 3 && is_hash(f[2], flen[2])) {
		bs = memchr(f[0], '\\', flen[0]);
		ud = f[0];
		dlen = bs != NULL ? (size_t)(bs - f[0]) : 0;
		uu = bs != NULL ? bs + 1 : f[0];
		ulen = flen[0] - (size_t)(uu - f[0]);
	} else if (n >= 2) {
		ud = f[0];
		dlen = flen[0];
		uu = f[1];
		ulen = flen[1];
	} else
		return 0;
	if (ulen != strlen(user) || strncasecmp(uu, user, ulen) != 0)
		return 0;
	if (dlen == 0 || domain[0] == '\0')
		return 1;
	return dlen == strlen(domain) && strncasecmp(ud, domain, dlen) == 0;
}

int
mech_ntlm_user_known(const struct mech_server *s,
    const struct ntlm_authenticate *a)
{
	char user[256], domain[256], line[1024], iobuf[4096];
	const char *path;
	FILE *f;
	int found = 0;

	/* Winbind cannot be asked cheaply: report a wrong password. */
	if (s->ntlm_winbind)
		return -1;
	path = s->ntlm_user_file != NULL ? s->ntlm_user_file :
	    getenv("NTLM_USER_FILE");
	if (path == NULL ||
	    sipauth_ntlm_utf16_to_utf8(&a->user, user, sizeof(user)) != 0 ||
	    sipauth_ntlm_utf16_to_utf8(&a->domain, domain,
	    sizeof(domain)) != 0)
		return -1;
	if (user[0] == '\0')
		return 0;	/* anonymous */
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	/* Our own stdio buffer, so that it can be wiped afterwards. */
	(void)setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = line_matches(line, domain, user);
	fclose(f);
	/* The buffers held password hashes. */
	OPENSSL_cleanse(line, sizeof(line));
	OPENSSL_cleanse(iobuf, sizeof(iobuf));
	return found;
}
