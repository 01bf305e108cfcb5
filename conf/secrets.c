/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf/secrets.c: owner, type and mode checks of the files that hold
 * secrets (Kerberos keytab, NTLM user file, TLS keys), in the manner of
 * OpenSMTPD's check_file_secrecy().
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_int.h"

/*
 * Check one secret file for the user uid.  Returns 0 when the file is a
 * regular file owned by uid and closed to group and others; else an errno
 * value (ENOENT when it does not exist, EACCES when its owner or mode is
 * wrong, ...) with a message into msg that says how to fix it.
 */
int
conf_secret_check(const char *what, const char *path, uid_t uid, char *msg,
    size_t msglen)
{
	struct stat st;
	int e;

	msg[0] = '\0';
	if (stat(path, &st) == -1) {
		e = errno;
		if (e == ENOENT)
			(void)snprintf(msg, msglen, "%s \"%s\" does not exist; "
			    "create it (mode 600) or correct the path", what,
			    path);
		else
			(void)snprintf(msg, msglen, "%s \"%s\": %s", what,
			    path, strerror(e));
		return e;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)snprintf(msg, msglen, "%s \"%s\" is not a regular file; "
		    "give the path of the file itself", what, path);
		return EINVAL;
	}
	if (st.st_uid != uid) {
		(void)snprintf(msg, msglen, "%s \"%s\" is owned by uid %lu, "
		    "not by uid %lu that sipsad runs as; run: chown %lu %s",
		    what, path, (unsigned long)st.st_uid, (unsigned long)uid,
		    (unsigned long)uid, path);
		return EACCES;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH)) {
		(void)snprintf(msg, msglen, "%s \"%s\" is readable by group or "
		    "others; run: chmod 600 %s", what, path, path);
		return EACCES;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		(void)snprintf(msg, msglen, "%s \"%s\" is writable by group or "
		    "others; run: chmod 600 %s", what, path, path);
		return EACCES;
	}
	return 0;
}

static void
check_one(struct conf_ctx *ctx, const char *what, const char *path,
    const struct conf_pos *pos)
{
	char msg[1024];
	int e;

	if (path == NULL)
		return;
	e = conf_secret_check(what, path, geteuid(), msg, sizeof(msg));
	if (e == 0 || (e == ENOENT &&
	    ctx->check_secrets == CONF_SECRETS_CHECK_IF_PRESENT))
		return;
	conf_error(ctx, pos, "%s", msg);
}

/*
 * The directives flagged CONF_F_SECRET in the table, in table order: TLS
 * keys of every listener, the keytab, the NTLM users file.
 */
void
conf_check_secrets(struct conf_ctx *ctx)
{
	const struct sipsa_conf *c = ctx->conf;
	const struct conf_directive *d;
	const struct conf_listen *l;
	const struct conf_where *w = ctx->priv->where;
	const char *path;
	size_t k;

	for (k = 0; k < conf_ndirectives; k++) {
		d = &conf_directives[k];
		if (!(d->flags & CONF_F_SECRET))
			continue;
		if (d->block == CONF_B_LISTEN) {
			for (l = c->listeners; l != NULL; l = l->next) {
				memcpy(&path, (const char *)l + d->off,
				    sizeof(path));
				check_one(ctx, d->what, path,
				    &((const struct conf_listen_x *)l)->
				    where[k].val);
			}
			continue;
		}
		if (d->type == CONF_T_PATH)
			memcpy(&path, (const char *)c + d->off, sizeof(path));
		else		/* users file PATH | winbind */
			path = c->auth.ntlm_source == CONF_NTLM_USERS_FILE ?
			    c->auth.ntlm_user_file : NULL;
		check_one(ctx, d->what, path, &w[k].val);
	}
}
