/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz/fuzz_sigstr.c: libFuzzer target for the signature input string: a
 * raw SIP message parsed by Sofia (with and without the kept wire text),
 * its signature fields, and the string in the v2 and v4 layouts.
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	su_home_t *home = su_home_new(sizeof(su_home_t));

	if (home == NULL)
		return 0;
	one(home, data, size, MSG_FLG_EXTRACT_COPY);
	one(home, data, size, 0);
	su_home_unref(home);
	return 0;
}
