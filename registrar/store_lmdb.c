/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registrar/store_lmdb.c: the binding store on LMDB, one record per AOR,
 * every change one committed (fsync'ed) write transaction.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#define LOG_MODULE "registrar"
#include "log/log.h"
#include "registrar/internal.h"

#define LMDB_DEFAULT_MAP	((size_t)1 << 30) /* 1 GiB of address space */

struct store_lmdb {
	MDB_env		*env;
	MDB_dbi		 dbi;
};

/*
 * LMDB returns errno values for system failures and its own negative
 * codes for the rest; callers see errno values only.
 */
static int
lmdb_errno(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_NOTFOUND:
		return ENOENT;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
		return ENOSPC;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
		return EBADMSG;
	case MDB_BAD_VALSIZE:
		return EINVAL;
	case MDB_READERS_FULL:
		return EAGAIN;
	default:
		return rc > 0 ? rc : EIO;
	}
}

static void store_close(void *);

static int
store_open(const char *path, const struct reg_store_params *params,
    void **st_out)
{
	struct store_lmdb *s;
	MDB_txn *txn = NULL;
	unsigned flags = MDB_NOTLS;
	int rc, dead = 0;

	*st_out = NULL;
	/* The directory itself (not its parents) is created when missing. */
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		rc = errno;
		log_warnx("lmdb %s: mkdir: %s", path, strerror(rc));
		return rc;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ENOMEM;
	if (params != NULL && params->sync == REG_SYNC_META)
		flags |= MDB_NOMETASYNC;
	else if (params != NULL && params->sync == REG_SYNC_NONE)
		flags |= MDB_NOSYNC;
	if ((rc = mdb_env_create(&s->env)) != 0)
		goto out;
	rc = mdb_env_set_mapsize(s->env, params != NULL &&
	    params->map_size != 0 ? params->map_size : LMDB_DEFAULT_MAP);
	if (rc != 0)
		goto out;
	if ((rc = mdb_env_open(s->env, path, flags, 0600)) != 0)
		goto out;
	/* Reader slots left by a process that was killed. */
	(void)mdb_reader_check(s->env, &dead);
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		goto out;
	if ((rc = mdb_dbi_open(txn, NULL, 0, &s->dbi)) != 0) {
		mdb_txn_abort(txn);
		goto out;
	}
	rc = mdb_txn_commit(txn);
out:
	if (rc != 0) {
		log_warnx("lmdb %s: %s", path, mdb_strerror(rc));
		store_close(s);
		return lmdb_errno(rc);
	}
	*st_out = s;
	return 0;
}

static void
store_close(void *st)
{
	struct store_lmdb *s = st;

	if (s == NULL)
		return;
	if (s->env != NULL)
		mdb_env_close(s->env);
	free(s);
}

static int
store_get(void *st, const char *aor, unsigned char **val_out,
    size_t *len_out)
{
	struct store_lmdb *s = st;
	MDB_txn *txn = NULL;
	MDB_val k, v;
	int rc;

	*val_out = NULL;
	*len_out = 0;
	k.mv_data = (void *)aor;
	k.mv_size = strlen(aor);
	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		return lmdb_errno(rc);
	rc = mdb_get(txn, s->dbi, &k, &v);
	if (rc == 0) {
		/* The data lives in the map only while txn is open. */
		*val_out = malloc(v.mv_size > 0 ? v.mv_size : 1);
		if (*val_out == NULL) {
			mdb_txn_abort(txn);
			return ENOMEM;
		}
		memcpy(*val_out, v.mv_data, v.mv_size);
		*len_out = v.mv_size;
	}
	mdb_txn_abort(txn);
	return lmdb_errno(rc);
}

static int
store_put(void *st, const char *aor, const unsigned char *val, size_t len)
{
	struct store_lmdb *s = st;
	MDB_txn *txn = NULL;
	MDB_val k, v;
	int rc;

	k.mv_data = (void *)aor;
	k.mv_size = strlen(aor);
	v.mv_data = (void *)val;
	v.mv_size = len;
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		return lmdb_errno(rc);
	if ((rc = mdb_put(txn, s->dbi, &k, &v, 0)) != 0) {
		mdb_txn_abort(txn);
		return lmdb_errno(rc);
	}
	/* Durable on return: data pages, fsync, meta page, fsync. */
	return lmdb_errno(mdb_txn_commit(txn));
}

static int
store_del(void *st, const char *aor)
{
	struct store_lmdb *s = st;
	MDB_txn *txn = NULL;
	MDB_val k;
	int rc;

	k.mv_data = (void *)aor;
	k.mv_size = strlen(aor);
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		return lmdb_errno(rc);
	if ((rc = mdb_del(txn, s->dbi, &k, NULL)) != 0) {
		mdb_txn_abort(txn);
		return lmdb_errno(rc);
	}
	return lmdb_errno(mdb_txn_commit(txn));
}

static int
store_sync(void *st)
{
	struct store_lmdb *s = st;

	return lmdb_errno(mdb_env_sync(s->env, 1));
}

/*
 * Walk every record in one write transaction and apply what fn decides.
 * The whole sweep commits at once: a crash half-way leaves the store as it
 * was before the sweep, which the next sweep repeats.
 */
static int
store_sweep(void *st, reg_sweep_fn *fn, void *arg)
{
	struct store_lmdb *s = st;
	enum reg_sweep_action act;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v, nv;
	unsigned char *nval;
	char aor[REG_MAX_AOR + 1];
	size_t nlen;
	int rc;

	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		return lmdb_errno(rc);
	if ((rc = mdb_cursor_open(txn, s->dbi, &cur)) != 0)
		goto out;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size > REG_MAX_AOR)
			continue;	/* not ours: keys are AORs */
		memcpy(aor, k.mv_data, k.mv_size);
		aor[k.mv_size] = '\0';
		nval = NULL;
		nlen = 0;
		act = fn(aor, v.mv_data, v.mv_size, &nval, &nlen, arg);
		if (act == REG_SWEEP_DELETE)
			rc = mdb_cursor_del(cur, 0);
		else if (act == REG_SWEEP_REPLACE) {
			nv.mv_data = nval;
			nv.mv_size = nlen;
			rc = mdb_cursor_put(cur, &k, &nv, MDB_CURRENT);
		}
		free(nval);
		if (rc != 0)
			goto out;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
out:
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return lmdb_errno(rc);
	}
	return lmdb_errno(mdb_txn_commit(txn));
}

const struct reg_store_ops reg_store_lmdb = {
	.name = "lmdb",
	.open = store_open,
	.get = store_get,
	.put = store_put,
	.del = store_del,
	.sync = store_sync,
	.sweep = store_sweep,
	.close = store_close,
};
