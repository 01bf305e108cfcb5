/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz/fuzz_ntlm.c: libFuzzer target for the NTLM wire-message decoders
 * (CHALLENGE and AUTHENTICATE, sipauth/ntlm.h) and the UTF-16LE conversion
 * of the fields they return.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "sipauth/ntlm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
utf8(const struct ntlm_field *f)
{
	char out[128];

	(void)sipauth_ntlm_utf16_to_utf8(f, out, sizeof(out));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntlm_challenge ch;
	struct ntlm_authenticate au;

	if (sipauth_ntlm_decode_challenge(data, size, &ch) == 0) {
		utf8(&ch.target_name);
		utf8(&ch.target_info);
	}
	if (sipauth_ntlm_decode_authenticate(data, size, &au) == 0) {
		utf8(&au.domain);
		utf8(&au.user);
		utf8(&au.workstation);
	}
	return 0;
}
