/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipauth/nonce.c: random numbers that are sent in the clear or only vary
 * a value (srand, the registrar's expiry jitter), never keys.  They come
 * from OpenSSL's CSPRNG as before, but a block at a time: one RAND_bytes
 * call costs about 6,600 instructions whatever its size (its DRBG locks
 * and reseed checks), and a signed refresh needed two of them (issue 16).
 * Each thread keeps its own block; a block drawn before a fork() is
 * dropped in the child, so that parent and child never share numbers.
 * Bytes handed out are zeroed in the block.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "sipauth/sipauth.h"

#define NONCE_BLOCK	256

static _Thread_local struct {
	unsigned char	buf[NONCE_BLOCK];
	size_t		left;		/* unused bytes at the end of buf */
} nb;
static pthread_once_t nb_once = PTHREAD_ONCE_INIT;

/* In the child, only the thread that forked lives on: drop its block. */
static void
nb_forked(void)
{
	OPENSSL_cleanse(nb.buf, sizeof(nb.buf));
	nb.left = 0;
}

static void
nb_init(void)
{
	(void)pthread_atfork(NULL, NULL, nb_forked);
}

int
sipauth_nonce(void *out, size_t len)
{
	unsigned char *p = out;
	size_t n;

	(void)pthread_once(&nb_once, nb_init);
	while (len > 0) {
		if (nb.left == 0) {
			if (RAND_bytes(nb.buf, sizeof(nb.buf)) != 1)
				return EIO;
			nb.left = sizeof(nb.buf);
		}
		n = len < nb.left ? len : nb.left;
		memcpy(p, nb.buf + sizeof(nb.buf) - nb.left, n);
		OPENSSL_cleanse(nb.buf + sizeof(nb.buf) - nb.left, n);
		nb.left -= n, p += n, len -= n;
	}
	return 0;
}
