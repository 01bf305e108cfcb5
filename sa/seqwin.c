/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/seqwin.c: the cnum replay window ([MS-SIP] §3.1.5.1 sliding window of
 * 256 sequence numbers), in the shape of krb5's util_seqstate.c.  The
 * layout of the bitmap is described in seqwin.h.
 */
#include "config.h"

#include <string.h>

#include "sa/seqwin.h"

#define NWORDS	(SEQWIN_SIZE / 64)

enum seqwin_result
seqwin_check(const struct seqwin *w, uint32_t n)
{
	uint32_t behind;

	if (!w->started)
		return SEQWIN_OK;
	/* Newer than top: 1 <= n - top < 2^31. */
	if (n != w->top && n - w->top < UINT32_C(0x80000000))
		return SEQWIN_OK;
	behind = w->top - n;
	if (behind >= SEQWIN_SIZE)
		return SEQWIN_OLD;
	if (w->map[behind / 64] & (UINT64_C(1) << (behind % 64)))
		return SEQWIN_REPLAY;
	return SEQWIN_OK;
}

/*
 * Slide the bitmap up by shift positions: what was bit i becomes bit
 * i + shift, bits pushed past the top of the map are forgotten and the
 * new low bits are clear.
 */
static void
slide(struct seqwin *w, uint32_t shift)
{
	uint64_t out[NWORDS];
	uint32_t words, bits;
	int i, src;

	if (shift >= SEQWIN_SIZE) {
		memset(w->map, 0, sizeof(w->map));
		return;
	}
	words = shift / 64;
	bits = shift % 64;
	for (i = NWORDS - 1; i >= 0; i--) {
		src = i - (int)words;
		out[i] = 0;
		if (src < 0)
			continue;
		out[i] = w->map[src] << bits;
		if (bits != 0 && src > 0)
			out[i] |= w->map[src - 1] >> (64 - bits);
	}
	memcpy(w->map, out, sizeof(w->map));
}

enum seqwin_result
seqwin_update(struct seqwin *w, uint32_t n)
{
	enum seqwin_result r;
	uint32_t ahead, behind;

	r = seqwin_check(w, n);
	if (r != SEQWIN_OK)
		return r;
	if (!w->started) {
		memset(w->map, 0, sizeof(w->map));
		w->started = 1;
		w->top = n;
		w->map[0] = 1;
		return SEQWIN_OK;
	}
	ahead = n - w->top;
	if (ahead != 0 && ahead < UINT32_C(0x80000000)) {
		slide(w, ahead);
		w->top = n;
		w->map[0] |= 1;
	} else {
		behind = w->top - n;
		w->map[behind / 64] |= UINT64_C(1) << (behind % 64);
	}
	return SEQWIN_OK;
}
