/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registrar/registrar.c: the registrar object: opening the binding store
 * (dropping what expired while the daemon was down), lookups for routing,
 * the expiry sweep and the release of responses.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#define LOG_MODULE "registrar"
#include "log/log.h"
#include "registrar/internal.h"

void
reg_resp_clear(struct reg_resp *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nbindings; i++) {
		binding_clear(&rs->bindings[i]);
		if (rs->contact_hdrs != NULL)
			free(rs->contact_hdrs[i]);
	}
	free(rs->bindings);
	free(rs->contact_hdrs);
	rs->bindings = NULL;
	rs->contact_hdrs = NULL;
	rs->nbindings = 0;
}

/* The default jitter source: the OpenSSL CSPRNG (never fails once seeded). */
static uint32_t
random_openssl(void *arg)
{
	uint32_t v = 0;

	(void)arg;
	if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
		return 0;
	return v;
}

void
registrar_set_random(struct registrar *reg, reg_random_fn *fn, void *arg)
{
	reg->rnd = fn != NULL ? fn : random_openssl;
	reg->rnd_arg = fn != NULL ? arg : NULL;
}

struct sweep_ctx {
	struct pend_table *pend;
	uint64_t	now;
	unsigned	removed;
	int		flush;		/* write the refreshes kept in memory */
};

/*
 * One record during a sweep: drop its expired bindings (by their expiry in
 * memory), and the record itself when none is left; when flushing, write
 * the refreshes kept in memory whatever expired.  A record that does not
 * decode (a newer format, damage) is kept and reported, never thrown away.
 */
static enum reg_sweep_action
sweep_record(const char *aor, const unsigned char *val, size_t len,
    unsigned char **val_out, size_t *len_out, void *arg)
{
	struct sweep_ctx *sc = arg;
	struct reg_blist l;
	enum reg_sweep_action act = REG_SWEEP_KEEP;
	unsigned dropped;

	if (sc->flush && !pend_any(sc->pend, aor))
		return REG_SWEEP_KEEP;
	if (record_decode(val, len, &l) != 0) {
		log_warnx("keeping undecodable record aor=%.128s", aor);
		return REG_SWEEP_KEEP;
	}
	pend_apply(sc->pend, aor, &l);
	dropped = blist_prune(&l, sc->now);
	if (dropped == 0 && !sc->flush)
		goto out;
	if (l.n == 0)
		act = REG_SWEEP_DELETE;
	else if (record_encode(&l, val_out, len_out) == 0)
		act = REG_SWEEP_REPLACE;
	else
		goto out;		/* no memory: try again next sweep */
	pend_mark(sc->pend, aor);
	sc->removed += dropped;
out:
	blist_clear(&l);
	return act;
}

int
registrar_expire(struct registrar *reg, uint64_t now, unsigned *removed_out)
{
	struct sweep_ctx sc = { &reg->pend, now, 0, 0 };
	int err;

	if (removed_out != NULL)
		*removed_out = 0;
	err = reg->ops->sweep(reg->st, sweep_record, &sc);
	pend_settle(&reg->pend, err == 0);
	if (err == 0 && removed_out != NULL)
		*removed_out = sc.removed;
	return err;
}

struct aor_ctx {
	reg_aor_fn	*fn;
	void		*arg;
};

static enum reg_sweep_action
visit_aor(const char *aor, const unsigned char *val, size_t len,
    unsigned char **val_out, size_t *len_out, void *arg)
{
	struct aor_ctx *ac = arg;

	(void)val;
	(void)len;
	(void)val_out;
	(void)len_out;
	ac->fn(aor, ac->arg);
	return REG_SWEEP_KEEP;
}

int
registrar_foreach_aor(struct registrar *reg, reg_aor_fn *fn, void *arg)
{
	struct aor_ctx ac = { fn, arg };

	return reg->ops->sweep(reg->st, visit_aor, &ac);
}

static int	read_live(struct registrar *, const char *aor, uint64_t now,
		    struct reg_blist *);

struct binding_ctx {
	const struct pend_table *pend;
	reg_binding_fn	*fn;
	void		*arg;
	uint64_t	 now;
	int		 stop;
};

static enum reg_sweep_action
visit_bindings(const char *aor, const unsigned char *val, size_t len,
    unsigned char **val_out, size_t *len_out, void *arg)
{
	struct binding_ctx *bc = arg;
	struct reg_blist l;
	size_t i;

	(void)val_out;
	(void)len_out;
	if (bc->stop || record_decode(val, len, &l) != 0)
		return REG_SWEEP_KEEP;
	pend_apply(bc->pend, aor, &l);
	blist_sort(&l);
	for (i = 0; i < l.n && !bc->stop; i++)
		if (l.b[i].expires_at > bc->now)
			bc->stop = bc->fn(aor, &l.b[i], bc->arg);
	blist_clear(&l);
	return REG_SWEEP_KEEP;
}

int
registrar_foreach_binding(struct registrar *reg, uint64_t now,
    reg_binding_fn *fn, void *arg)
{
	struct binding_ctx bc = { &reg->pend, fn, arg, now, 0 };

	return reg->ops->sweep(reg->st, visit_bindings, &bc);
}

int
registrar_remove(struct registrar *reg, const char *aor, const char *epid,
    uint64_t now, reg_lookup_fn *fn, void *arg, unsigned *removed_out)
{
	struct reg_blist l;
	unsigned char *val = NULL;
	size_t i, len = 0;
	unsigned n = 0;
	int err;

	*removed_out = 0;
	if (aor == NULL || strlen(aor) > REG_MAX_AOR)
		return EINVAL;
	if ((err = read_live(reg, aor, now, &l)) != 0)
		return err;
	for (i = l.n; i-- > 0;) {
		if (epid != NULL && strcasecmp(l.b[i].epid, epid) != 0)
			continue;
		if (fn != NULL)
			fn(&l.b[i], arg);
		blist_remove(&l, i);
		n++;
	}
	if (n == 0)
		goto out;
	if (l.n == 0) {
		err = reg->ops->del(reg->st, aor);
		if (err == ENOENT)
			err = 0;
	} else if ((err = record_encode(&l, &val, &len)) == 0)
		err = reg->ops->put(reg->st, aor, val, len);
	free(val);
	if (err == 0) {
		pend_install(&reg->pend, aor, NULL);
		*removed_out = n;
	}
 out:
	blist_clear(&l);
	return err;
}

static int
limits_ok(const struct registrar_config *cfg)
{
	return cfg->expires_min != 0 &&
	    cfg->expires_min <= cfg->expires_default &&
	    cfg->expires_default <= cfg->expires_max &&
	    cfg->max_endpoints != 0 &&
	    cfg->max_endpoints <= REG_MAX_ENDPOINTS && cfg->jitter <= 50 &&
	    cfg->refresh_durable <= 100;
}

/* 0 stands for the default share, 50 %. */
static unsigned
durable_pct(const struct registrar_config *cfg)
{
	return cfg->refresh_durable != 0 ? cfg->refresh_durable : 50;
}

int
registrar_reconfigure(struct registrar *reg,
    const struct registrar_config *cfg)
{
	if (cfg == NULL || !limits_ok(cfg))
		return EINVAL;
	reg->cfg.expires_min = cfg->expires_min;
	reg->cfg.expires_default = cfg->expires_default;
	reg->cfg.expires_max = cfg->expires_max;
	reg->cfg.max_endpoints = cfg->max_endpoints;
	reg->cfg.jitter = cfg->jitter;
	reg->cfg.refresh_durable = durable_pct(cfg);
	return 0;
}

int
registrar_open(const struct registrar_config *cfg,
    const struct reg_store_ops *ops, uint64_t now,
    struct registrar **reg_out)
{
	struct registrar *reg = NULL;
	unsigned removed = 0;
	int err;

	*reg_out = NULL;
	if (cfg == NULL || ops == NULL || cfg->store_dir == NULL ||
	    !limits_ok(cfg) || (unsigned)cfg->store.sync > REG_SYNC_NONE)
		return EINVAL;
	if ((reg = calloc(1, sizeof(*reg))) == NULL)
		return ENOMEM;
	reg->cfg = *cfg;
	reg->cfg.store_dir = NULL;
	reg->cfg.refresh_durable = durable_pct(cfg);
	reg->ops = ops;
	registrar_set_random(reg, NULL, NULL);
	if ((err = pend_init(&reg->pend)) != 0)
		goto out;
	if ((err = ops->open(cfg->store_dir, &cfg->store, &reg->st)) != 0) {
		log_warnx("cannot open %s store in %s: %s", ops->name,
		    cfg->store_dir, strerror(err));
		goto out;
	}
	if ((err = registrar_expire(reg, now, &removed)) != 0) {
		log_warnx("expiry sweep of %s failed: %s", cfg->store_dir,
		    strerror(err));
		goto out;
	}
	log_info("binding store %s open (%s), %u expired bindings dropped",
	    cfg->store_dir, ops->name, removed);
out:
	if (err != 0)
		registrar_close(reg);
	else
		*reg_out = reg;
	return err;
}

int
registrar_sync(struct registrar *reg)
{
	return reg->ops->sync(reg->st);
}

/*
 * What a refresh kept in memory is written before the store closes, and
 * synced whatever the mode, so that a clean stop loses no refresh.
 */
static void
flush_pending(struct registrar *reg)
{
	struct sweep_ctx sc = { &reg->pend, 0, 0, 1 };
	int err;

	if (reg->pend.count == 0)
		return;
	err = reg->ops->sweep(reg->st, sweep_record, &sc);
	if (err == 0 && reg->cfg.store.sync != REG_SYNC_FULL)
		err = reg->ops->sync(reg->st);
	pend_settle(&reg->pend, err == 0);
	if (err != 0 || reg->pend.count != 0)
		log_warnx("%zu refreshed AORs not written at close: %s",
		    reg->pend.count, err != 0 ? strerror(err) : "no memory");
}

void
registrar_close(struct registrar *reg)
{
	if (reg == NULL)
		return;
	if (reg->st != NULL) {
		flush_pending(reg);
		reg->ops->close(reg->st);
	}
	pend_free(&reg->pend);
	free(reg);
}

/* Read and decode the live bindings of aor (none: an empty list). */
static int
read_live(struct registrar *reg, const char *aor, uint64_t now,
    struct reg_blist *l)
{
	unsigned char *val = NULL;
	size_t len = 0;
	int err;

	l->b = NULL;
	l->n = 0;
	err = reg->ops->get(reg->st, aor, &val, &len);
	if (err == ENOENT)
		return 0;
	if (err != 0)
		return err;
	err = record_decode(val, len, l);
	free(val);
	if (err != 0)
		return err;
	pend_apply(&reg->pend, aor, l);
	(void)blist_prune(l, now);
	blist_sort(l);
	return 0;
}

/*
 * Routing reads straight from the store: an LMDB read is a B-tree walk in
 * the memory map with no system call, so there is no second copy of the
 * bindings in memory to keep in step, only the expiries that refreshes
 * moved without a write (pending.c).
 */
int
registrar_lookup(struct registrar *reg, const char *aor, uint64_t now,
    reg_lookup_fn *fn, void *arg)
{
	struct reg_blist l;
	size_t i;
	int err;

	if (aor == NULL || fn == NULL || strlen(aor) > REG_MAX_AOR)
		return EINVAL;
	if ((err = read_live(reg, aor, now, &l)) != 0)
		return err;
	for (i = 0; i < l.n; i++)
		fn(&l.b[i], arg);
	blist_clear(&l);
	return 0;
}

int
registrar_lookup_gruu(struct registrar *reg, const char *uri, uint64_t now,
    reg_lookup_fn *fn, void *arg)
{
	char aor[REG_MAX_AOR + 1], raw[REG_MAX_TOKEN + 16];
	char key[REG_MAX_TOKEN + 1];
	struct reg_blist l;
	size_t i;
	int err;

	if (fn == NULL || gruu_parse(uri, aor, sizeof(aor), raw,
	    sizeof(raw)) != 0 || instance_normalize(raw, key, sizeof(key)) != 0)
		return EINVAL;
	if ((err = read_live(reg, aor, now, &l)) != 0)
		return err;
	for (i = 0; i < l.n; i++)
		if (strcmp(l.b[i].instance, key) == 0 && l.b[i].gruu[0] != '\0')
			fn(&l.b[i], arg);
	blist_clear(&l);
	return 0;
}

struct bcount {
	char		 last[REG_MAX_URI + 1];
	unsigned long	 aors, bindings;
};

static int
count_binding(const char *aor, const struct reg_binding *b, void *arg)
{
	struct bcount *bc = arg;

	(void)b;
	bc->bindings++;
	if (strcmp(bc->last, aor) != 0) {
		bc->aors++;
		(void)snprintf(bc->last, sizeof(bc->last), "%s", aor);
	}
	return 0;
}

int
registrar_count(struct registrar *reg, uint64_t now, unsigned long *bindings,
    unsigned long *aors)
{
	struct bcount bc;
	int err;

	memset(&bc, 0, sizeof(bc));
	err = registrar_foreach_binding(reg, now, count_binding, &bc);
	*bindings = bc.bindings;
	*aors = bc.aors;
	return err;
}
