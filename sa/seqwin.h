/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/seqwin.h: the cnum replay window of an SA, the 256-entry sliding
 * window [MS-SIP] §3.1.5.1 defines for snum, applied to cnum.
 */
#ifndef SIPSA_SA_SEQWIN_H
#define SIPSA_SA_SEQWIN_H

#include <stdint.h>

#define SEQWIN_SIZE	256		/* sequence numbers in the window */

/*
 * The window is anchored at the highest number accepted so far, top.  Bit
 * i of map (word i / 64, bit i % 64) records whether top - i has been
 * accepted, so bit 0 is always set once started.  Numbers are compared in
 * serial-number arithmetic modulo 2^32 (RFC 1982): n is newer than top when
 * n - top, as an unsigned 32-bit value, is between 1 and 2^31 - 1, so the
 * window slides across the wrap from 2^32 - 1 to 0.  A newer number moves
 * the window up, however far; an older one is accepted once if it is still
 * inside the window, and refused if it is below it (more than 255 behind
 * top) or more than 2^31 - 1 ahead, which the arithmetic counts as behind.
 * An all-zero struct is a fresh window that accepts any first number.
 */
struct seqwin {
	uint32_t	top;		/* highest number accepted */
	uint32_t	started;	/* 0 until a first number is accepted */
	uint64_t	map[SEQWIN_SIZE / 64];
};

enum seqwin_result {
	SEQWIN_OK,		/* new: may be accepted */
	SEQWIN_REPLAY,		/* inside the window and already seen */
	SEQWIN_OLD,		/* below the window */
};

/* Would n be accepted?  Changes nothing. */
enum seqwin_result seqwin_check(const struct seqwin *w, uint32_t n);
/* Check n and, when it is SEQWIN_OK, record it. */
enum seqwin_result seqwin_update(struct seqwin *w, uint32_t n);

#endif /* SIPSA_SA_SEQWIN_H */
