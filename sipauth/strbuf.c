/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/strbuf.c: a growing string allocated in a su_home, for the header
 * formatters and the signature string builder.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sipauth/sipauth.h"
#include "sipauth/internal.h"

void
strbuf_init(struct strbuf *sb, su_home_t *home)
{
	sb->home = home;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->error = 0;
}

void
strbuf_add(struct strbuf *sb, const char *s, size_t len)
{
	size_t cap;
	char *nbuf;

	if (sb->error != 0)
		return;
	if (len >= SIZE_MAX / 2 - sb->len) {
		sb->error = ENOMEM;
		return;
	}
	if (sb->len + len + 1 > sb->cap) {
		/* 512: a signature string or an Authentication-Info
		   value without growing (each su_realloc copies). */
		cap = sb->cap != 0 ? sb->cap : 512;
		while (cap < sb->len + len + 1)
			cap *= 2;
		if ((nbuf = su_realloc(sb->home, sb->buf, cap)) == NULL) {
			sb->error = ENOMEM;
			return;
		}
		sb->buf = nbuf;
		sb->cap = cap;
	}
	if (len > 0)
		memcpy(sb->buf + sb->len, s, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void
strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void
strbuf_field(struct strbuf *sb, struct sipauth_str s)
{
	strbuf_add(sb, "<", 1);
	if (s.ptr != NULL)
		strbuf_add(sb, s.ptr, s.len);
	strbuf_add(sb, ">", 1);
}

int
strbuf_finish(struct strbuf *sb, char **out, size_t *len_out)
{
	if (sb->error == 0 && sb->buf == NULL)
		strbuf_add(sb, "", 0);
	if (sb->error != 0) {
		su_free(sb->home, sb->buf);
		sb->buf = NULL;
		return sb->error;
	}
	*out = sb->buf;
	if (len_out != NULL)
		*len_out = sb->len;
	sb->buf = NULL;
	return 0;
}
