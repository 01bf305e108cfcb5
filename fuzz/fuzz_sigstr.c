/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz/fuzz_sigstr.c: libFuzzer target for the signature input string: a
 * raw SIP message parsed by Sofia (with and without the kept wire text) and
 * its string in the v2 and v4 layouts, as sipsad builds it
 * (sipauth_sigstr_msg); then the same bytes cut at newlines into the raw
 * fields, for the extraction rules.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include "sipauth/sipauth.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A message that has what the string needs must give one; others fail
 * with EBADMSG (ENOMEM aside), never with EINVAL. */
static void
one(su_home_t *home, const uint8_t *data, size_t size, int flags)
{
	static const int versions[] = { 4, 0 };	/* v3+ and v2 layouts */
	struct sipauth_sigparams p;
	msg_t *msg;
	char *str;
	size_t i, len;
	int error;

	msg = msg_make(sip_default_mclass(), flags, data, (isize_t)size);
	if (msg == NULL)
		return;
	memset(&p, 0, sizeof(p));
	p.scheme = SIPAUTH_NTLM;
	p.rand = sipauth_s("13317733");
	p.num = sipauth_s("1");
	p.realm = sipauth_s("SIP Communications Service");
	p.targetname = sipauth_s("srv.example.com");
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		p.version = versions[i];
		error = sipauth_sigstr_msg(home, sip_object(msg), &p, &str,
		    &len);
		if ((error == 0 && strlen(str) != len) ||
		    (error != 0 && error != EBADMSG && error != ENOMEM))
			abort();
	}
	msg_destroy(msg);
}

/* Fields in the order of struct sipauth_sigfields, one per line. */
static void
raw(su_home_t *home, const uint8_t *data, size_t size)
{
	struct sipauth_sigfields f;
	struct sipauth_str *slots[] = { &f.scheme, &f.rand, &f.num, &f.realm,
	    &f.targetname, &f.call_id, &f.cseq_num, &f.method, &f.from,
	    &f.to, &f.pai, &f.ppi, &f.expires };
	const char *p = (const char *)data, *end = p + size, *nl;
	size_t i;
	char *str;
	size_t len;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < sizeof(slots) / sizeof(slots[0]) && p < end; i++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		/* An empty line stands for an absent header. */
		if (nl > p) {
			slots[i]->ptr = p;
			slots[i]->len = (size_t)(nl - p);
		}
		p = nl + 1;
	}
	f.version = size > 0 && data[0] & 1 ? 2 : 4;
	f.status = size > 1 && data[1] & 1 ? 200 : 0;
	if (sipauth_sigstr(home, &f, &str, &len) == 0 && strlen(str) > len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	su_home_t *home = su_home_new(sizeof(su_home_t));

	if (home == NULL)
		return 0;
	one(home, data, size, MSG_FLG_EXTRACT_COPY);
	one(home, data, size, 0);
	raw(home, data, size);
	su_home_unref(home);
	return 0;
}
