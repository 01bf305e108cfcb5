/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech_ntlm_user.c: after gss-ntlmssp rejects an AUTHENTICATE, look the
 * user up in the NTLM user file to tell an unknown user from a wrong
 * password (gss-ntlmssp reports both as GSS_S_FAILURE, minor 0).  Only
 * runs on the failure path.  The index (mech_ntlm_index.c) answers when it
 * can; otherwise the file is read here, line by line.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "sa/mech_int.h"
#include "sipauth/ntlm.h"

/*
 * Does one line name domain\user?  The line is read as gss-ntlmssp reads
 * it (mech_ntlm_parse_line).  Names compare case-insensitively, domains
 * as mech_ntlm_domain_matches says.
 */
static int
line_matches(const char *line, const char *domain, const char *user)
{
	struct mech_ntlm_line f;

	if (!mech_ntlm_parse_line(line, strcspn(line, "\n"), &f))
		return 0;
	if (f.user_len != strlen(user) ||
	    strncasecmp(f.user, user, f.user_len) != 0)
		return 0;
	return mech_ntlm_domain_matches(f.dom, f.dom_len, domain);
}

int
mech_ntlm_user_known(struct mech_server *s,
    const struct ntlm_authenticate *a)
{
	char user[256], domain[256], line[1024], iobuf[4096];
	const char *path;
	FILE *f;
	int found;

	/* With winbind the domain controller says which (mech_ntlm_wb.c). */
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
	/* The index of the server's user file, when it can answer. */
	if (s->ntlm_user_file != NULL && (found = mech_ntlm_index_known(
	    s->ntlm_index, s->ntlm_user_file, domain, user)) >= 0)
		return found;
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	found = 0;
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
