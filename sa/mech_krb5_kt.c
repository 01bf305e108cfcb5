/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech_krb5_kt.c: the acceptor's keytab, copied into memory.  Given a
 * FILE keytab, MIT opens, locks, reads and closes it at every
 * gss_accept_sec_context; sipsad copies every entry into an MIT MEMORY
 * keytab once and acquires its acceptor credential on that copy
 * (mech_krb5.c).  The file is watched with stat() (device, inode, size,
 * modification and change times): a copy made from a file that changed
 * less than 2 s before it was read is made again at the next check, as a
 * change within the same timestamp tick would not show.  Every handle on
 * the MEMORY keytab (ours, the credential's) holds a reference; when the
 * last one closes MIT frees the entries and wipes their keys.
 *
 * The krb5 context kept for the handle also keeps MIT's parsed krb5.conf
 * (its profile) loaded for the process.  Without one, each GSS call of
 * the acceptor made a context that opened and parsed krb5.conf anew (two
 * per accept: 44 opens for 20 sign-ins under strace); MIT still stat()s
 * the file at each call and reads it again when it changes.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <krb5.h>

#include "sa/mech.h"
#include "sa/mech_int.h"

/* See the top: a file younger than this at its reading is read again. */
#define RACY_NS		2000000000LL

struct mech_krb5_kt {
	krb5_context	 kc;		/* also keeps krb5.conf parsed */
	krb5_keytab	 mem;		/* held open: the copy lives */
	char		 name[64];	/* "MEMORY:sipsa-<pid>-<n>" */
	size_t		 entries;
	krb5_kvno	 max_kvno;
	/* The file as stat() saw it before the copy (or since). */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtim;
	struct timespec	 ctim;
	int		 racy;
	time_t		 checked;	/* CLOCK_MONOTONIC seconds */
};

/* A name no other copy in the process has: tests make many servers. */
static unsigned long kt_serial;

static time_t
mono_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

static void
note_file(struct mech_krb5_kt *kt, const struct stat *st)
{
	struct timespec now;
	long long age;

	kt->dev = st->st_dev;
	kt->ino = st->st_ino;
	kt->size = st->st_size;
	kt->mtim = st->st_mtim;
	kt->ctim = st->st_ctim;
	(void)clock_gettime(CLOCK_REALTIME, &now);
	age = (long long)(now.tv_sec - st->st_ctim.tv_sec) * 1000000000LL +
	    (now.tv_nsec - st->st_ctim.tv_nsec);
	kt->racy = age < RACY_NS;
}

static int
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static krb5_error_code
set_err(krb5_context kc, krb5_error_code e, const char *path, char *err,
    size_t errsz)
{
	const char *m = krb5_get_error_message(kc, e);

	(void)snprintf(err, errsz, "keytab %s: %s", path, m);
	krb5_free_error_message(kc, m);
	return e;
}

/*
 * Copy every entry of the FILE keytab at path into kt->mem.  Without a
 * key of sip/<fqdn> the copy is refused here: gss_acquire_cred_from()
 * would refuse it too, and leaks a principal when it does (MIT 1.20).
 */
static krb5_error_code
copy_entries(struct mech_krb5_kt *kt, const char *path, const char *fqdn,
    char *err, size_t errsz)
{
	krb5_keytab file = NULL;
	krb5_kt_cursor cur;
	krb5_keytab_entry ent;
	krb5_principal want = NULL;
	krb5_error_code e, e2 = 0;
	char fname[4200];
	size_t service = 0;

	(void)snprintf(fname, sizeof(fname), "FILE:%s", path);
	if ((fqdn != NULL &&
	    (e = mech_keytab_service_princ(kt->kc, fqdn, &want)) != 0) ||
	    (e = krb5_kt_resolve(kt->kc, fname, &file)) != 0 ||
	    (e = krb5_kt_start_seq_get(kt->kc, file, &cur)) != 0)
		goto out;
	while ((e = krb5_kt_next_entry(kt->kc, file, &ent, &cur)) == 0) {
		if (want == NULL ||
		    krb5_sname_match(kt->kc, want, ent.principal))
			service++;
		/* The MEMORY keytab keeps a copy of the key. */
		if (e2 == 0 && (e2 = krb5_kt_add_entry(kt->kc, kt->mem,
		    &ent)) == 0) {
			kt->entries++;
			if (ent.vno > kt->max_kvno)
				kt->max_kvno = ent.vno;
		}
		/* Wipes our copy of the key. */
		(void)krb5_free_keytab_entry_contents(kt->kc, &ent);
	}
	(void)krb5_kt_end_seq_get(kt->kc, file, &cur);
	if (e == KRB5_KT_END)
		e = e2;
out:
	if (file != NULL)
		(void)krb5_kt_close(kt->kc, file);
	krb5_free_principal(kt->kc, want);
	if (e != 0)
		return set_err(kt->kc, e, path, err, errsz);
	if (service == 0) {
		(void)snprintf(err, errsz, "keytab %s has no key for %s%s",
		    path, fqdn != NULL ? "sip/" : "any principal",
		    fqdn != NULL ? fqdn : "");
		return KRB5_KT_NOTFOUND;
	}
	return 0;
}

krb5_error_code
mech_krb5_kt_open(const char *path, const char *fqdn,
    struct mech_krb5_kt **out, char *err, size_t errsz)
{
	struct mech_krb5_kt *kt;
	struct stat st;
	krb5_error_code e;

	*out = NULL;
	if ((kt = calloc(1, sizeof(*kt))) == NULL)
		return ENOMEM;
	kt->checked = mono_s();
	if ((e = krb5_init_context(&kt->kc)) != 0) {
		(void)snprintf(err, errsz, "keytab %s: cannot start the "
		    "Kerberos library (error %ld)", path, (long)e);
		free(kt);
		return e;
	}
	/* Before reading: a change while the copy is made shows later. */
	if (stat(path, &st) != 0) {
		e = errno;
		(void)snprintf(err, errsz, "keytab %s: %s", path, strerror(e));
		goto fail;
	}
	note_file(kt, &st);
	(void)snprintf(kt->name, sizeof(kt->name), "MEMORY:sipsa-%ld-%lu",
	    (long)getpid(), __atomic_add_fetch(&kt_serial, 1,
	    __ATOMIC_RELAXED));
	if ((e = krb5_kt_resolve(kt->kc, kt->name, &kt->mem)) != 0) {
		(void)set_err(kt->kc, e, path, err, errsz);
		goto fail;
	}
	if ((e = copy_entries(kt, path, fqdn, err, errsz)) != 0)
		goto fail;
	*out = kt;
	return 0;
fail:
	mech_krb5_kt_free(kt);
	return e;
}

const char *
mech_krb5_kt_name(const struct mech_krb5_kt *kt)
{
	return kt->name;
}

void
mech_krb5_kt_counts(const struct mech_krb5_kt *kt, size_t *entries,
    unsigned *max_kvno)
{
	*entries = kt->entries;
	*max_kvno = (unsigned)kt->max_kvno;
}

int
mech_krb5_kt_changed(struct mech_krb5_kt *kt, const char *path, int force)
{
	struct stat st;
	time_t now = mono_s(), prev = kt->checked;
	int same;

	if (!force && now == prev)
		return 0;
	kt->checked = now;
	if (stat(path, &st) != 0)
		return 0;	/* gone for now: the copy stays */
	same = kt->dev == st.st_dev && kt->ino == st.st_ino &&
	    kt->size == st.st_size && same_time(&kt->mtim, &st.st_mtim) &&
	    same_time(&kt->ctim, &st.st_ctim);
	/* A recent file is read again once a second at most, even when
	   forced (tickets for unknown keys cost a stat() each, no more). */
	if (same && (!kt->racy || now == prev))
		return 0;
	/* Once per change: a file that cannot be used is not read again
	   until it changes once more. */
	note_file(kt, &st);
	return same ? 2 : 1;
}

void
mech_krb5_kt_free(struct mech_krb5_kt *kt)
{
	if (kt == NULL)
		return;
	/* The last reference frees the entries, wiping the keys. */
	if (kt->mem != NULL)
		(void)krb5_kt_close(kt->kc, kt->mem);
	if (kt->kc != NULL)
		krb5_free_context(kt->kc);
	free(kt);
}
