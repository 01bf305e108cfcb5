/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/known.c: the users this server knows.  sipsad has no user
 * directory of its own (users live in a KDC, a user file or Active
 * Directory), so a user of a served domain is known once it has
 * registered here: every AOR with a record in the binding store at start,
 * and every AOR that registers afterwards.  Routing answers 480 for a
 * known user without a live binding and 404 for an unknown one.
 *
 * A set of AOR strings on the SA table's hash table (sa/hash.h), with a
 * random seed so that nobody can aim names at one chain; entries are
 * never removed while sipsad runs.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registrar/registrar.h"
#include "sa/hash.h"

#define LOG_MODULE "known"
#include "log/log.h"
#include "src/proxy.h"

struct known_aor {
	struct hlink	 link;
	char		 aor[];		/* NUL-terminated */
};

struct known {
	struct htab	 tab;
	uint32_t	 seed;
	size_t		 n;
};

static struct known_aor *
find(const struct known *k, const char *aor, uint32_t hash)
{
	struct hlink *l;
	struct known_aor *e;

	for (l = htab_chain(&k->tab, hash); l != NULL; l = l->next) {
		e = HTAB_ENTRY(l, struct known_aor, link);
		if (l->hash == hash && strcmp(e->aor, aor) == 0)
			return e;
	}
	return NULL;
}

static int
known_new(struct proxy *px)
{
	struct known *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return ENOMEM;
	if (htab_init(&k->tab, 64) != 0) {
		free(k);
		return ENOMEM;
	}
	k->seed = hash_random_seed();
	px->known = k;
	return 0;
}

int
known_add(struct proxy *px, const char *aor)
{
	struct known_aor *e;
	size_t len = strlen(aor);
	uint32_t hash;

	if (px->known == NULL && known_new(px) != 0)
		return ENOMEM;
	hash = hash_bytes(px->known->seed, aor, len);
	if (find(px->known, aor, hash) != NULL)
		return 0;
	if ((e = malloc(sizeof(*e) + len + 1)) == NULL)
		return ENOMEM;
	memcpy(e->aor, aor, len + 1);
	e->link.hash = hash;
	htab_insert(&px->known->tab, &e->link);
	px->known->n++;
	return 0;
}

int
known_has(const struct proxy *px, const char *aor)
{
	const struct known *k = px->known;

	return k != NULL && find(k, aor, hash_bytes(k->seed, aor,
	    strlen(aor))) != NULL;
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
	struct hlink *l;
	uint32_t cursor = 0;

	if (k == NULL)
		return;
	htab_hold(&k->tab);
	while ((l = htab_next(&k->tab, &cursor)) != NULL) {
		htab_remove(&k->tab, l);
		free(HTAB_ENTRY(l, struct known_aor, link));
	}
	htab_fini(&k->tab);
	free(k);
	px->known = NULL;
}
