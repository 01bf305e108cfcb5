/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz/fuzz_sigstr.c: libFuzzer target for the signature input string: a
 * raw SIP message parsed by Sofia (with and without the kept wire text),
 * its signature fields, and the string in the v2 and v4 layouts; then the
 * same bytes cut at newlines into the raw fields, for the extraction rules.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include "sipauth/sipauth.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
one(su_home_t *home, const uint8_t *data, size_t size, int flags)
{
	struct sipauth_sigfields f;
	msg_t *msg;
	char *str;
	size_t len;

	msg = msg_make(sip_default_mclass(), flags, data, (isize_t)size);
	if (msg == NULL)
		return;
	memset(&f, 0, sizeof(f));
	if (sip_object(msg) != NULL &&
	    sipauth_sigfields_from_msg(home, sip_object(msg), &f) == 0) {
		f.scheme = sipauth_s("NTLM");
		f.rand = sipauth_s("13317733");
		f.num = sipauth_s("1");
		f.realm = sipauth_s("SIP Communications Service");
		f.targetname = sipauth_s("srv.example.com");
		f.version = 4;
		if (sipauth_sigstr(home, &f, &str, &len) != 0 ||
		    strlen(str) != len)
			abort();
		f.version = 0;
		if (sipauth_sigstr(home, &f, &str, &len) != 0)
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
