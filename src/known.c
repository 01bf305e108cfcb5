/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/known.c: the users this server knows.  sipsad has no user
 * directory of its own (users live in a KDC, a user file or Active
 * Directory), so a user of a served domain is known once it has
 * registered here: every AOR with a record in the binding store at start,
 * and every AOR that registers afterwards.  Routing answers 480 for a
 * known user without a live binding and 404 for an unknown one.
 *
 * An open-addressing hash set of AOR strings (FNV-1a, linear probing,
 * grown at half full); entries are never removed while sipsad runs.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registrar/registrar.h"

#define LOG_MODULE "known"
#include "src/log.h"
#include "src/proxy.h"

struct known {
	char		**slot;		/* NULL: empty */
	size_t		  cap;		/* a power of two */
	size_t		  n;
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The slot of s, or the empty slot where it would go. */
static size_t
find(const struct known *k, const char *s)
{
	size_t i = (size_t)fnv1a(s) & (k->cap - 1);

	while (k->slot[i] != NULL && strcmp(k->slot[i], s) != 0)
		i = (i + 1) & (k->cap - 1);
	return i;
}

static int
grow(struct known *k)
{
	struct known bigger;
	size_t i;

	bigger.cap = k->cap != 0 ? 2 * k->cap : 64;
	bigger.n = k->n;
	if ((bigger.slot = calloc(bigger.cap, sizeof(char *))) == NULL)
		return ENOMEM;
	for (i = 0; i < k->cap; i++)
		if (k->slot[i] != NULL)
			bigger.slot[find(&bigger, k->slot[i])] = k->slot[i];
	free(k->slot);
	*k = bigger;
	return 0;
}

int
known_add(struct proxy *px, const char *aor)
{
	struct known *k = px->known;
	size_t i;

	if (k == NULL) {
		if ((k = calloc(1, sizeof(*k))) == NULL)
			return ENOMEM;
		px->known = k;
	}
	if (2 * (k->n + 1) > k->cap && grow(k) != 0)
		return ENOMEM;
	i = find(k, aor);
	if (k->slot[i] != NULL)
		return 0;
	if ((k->slot[i] = strdup(aor)) == NULL)
		return ENOMEM;
	k->n++;
	return 0;
}

int
known_has(const struct proxy *px, const char *aor)
{
	const struct known *k = px->known;

	return k != NULL && k->cap != 0 && k->slot[find(k, aor)] != NULL;
}

static void
learn(const char *aor, void *arg)
{
	if (known_add(arg, aor) != 0)
		log_warnx("out of memory learning the known users");
}

int
known_load(struct proxy *px)
{
	int err = registrar_foreach_aor(px->reg, learn, px);

	if (err == 0)
		log_info("%zu known user%s", px->known != NULL ?
		    px->known->n : 0, px->known != NULL &&
		    px->known->n == 1 ? "" : "s");
	return err;
}

void
known_free(struct proxy *px)
{
	struct known *k = px->known;
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->cap; i++)
		free(k->slot[i]);
	free(k->slot);
	free(k);
	px->known = NULL;
}
